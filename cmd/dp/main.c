/* dp: the datapath tool, like a dpctl. For the userspace datapath it asks
 * flowd (which runs it) over flowd.ctl; datapath flows are printed in the
 * kernel openvswitch datapath's text format. */
#include <stdio.h>
#include <string.h>

#include "ctl-forward.h"
#include "util.h"

struct dp_command {
    const char *name;
    int min_args, max_args;         /* Words after the command, options included. */
    const char *request;            /* flowd.ctl command, NULL = handled here. */
    const char *usage;
};

static const struct dp_command commands[] = {
    { "show", 0, 3, "dp-show", "show [DP] [-s] [--format=json]" },
    { "dump-flows", 0, 2, "dump-flows", "dump-flows [DP] [--format=json]" },
    { "add-flow", 2, 2, "add-flow", "add-flow DP FLOW" },
    { "del-flow", 2, 2, "del-flow", "del-flow DP KEY" },
    { "del-flows", 0, 1, "del-flows", "del-flows [DP]" },
    { "add-dp", 1, 1, NULL, "add-dp DP" },
    { "del-dp", 1, 1, NULL, "del-dp DP" },
    { "add-if", 2, 2, NULL, "add-if DP IFACE" },
    { "del-if", 2, 2, NULL, "del-if DP IFACE" },
};

static void
usage(void)
{
    printf("usage: dp COMMAND [ARG...]\n"
           "Datapath control for switchyard (the userspace datapath runs in flowd).\n\n"
           "Commands:\n");
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        printf("  %s\n", commands[i].usage);
    }
    printf("\nOptions: --help, --version; -j/--format=json where shown.\n"
           "Environment: SY_RUNDIR. See dp(8).\n");
}

/* Userspace datapaths are the bridges flowd runs: they come and go with
 * portd's bridges and ports. Creating one behind portd's back would leave a
 * datapath no configuration knows about. */
static int
explain_managed(const struct dp_command *c)
{
    fprintf(stderr, "dp: %s: userspace datapaths are created with their bridges: use "
            "\"portd %s\" (the kernel datapath will support \"dp %s\" directly)\n",
            c->name,
            !strcmp(c->name, "add-dp") ? "add-br BR" :
            !strcmp(c->name, "del-dp") ? "del-br BR" :
            !strcmp(c->name, "add-if") ? "add-port BR IFACE" : "del-port BR IFACE",
            c->name);
    return 1;
}

int
main(int argc, char *argv[])
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")
        || !strcmp(argv[1], "help")) {
        usage();
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("dp (switchyard) %s\n", SY_VERSION);
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        const struct dp_command *c = &commands[i];
        int n_args = argc - 2;

        if (strcmp(argv[1], c->name)) {
            continue;
        }
        if (n_args < c->min_args || n_args > c->max_args) {
            fprintf(stderr, "dp: usage: dp %s\n", c->usage);
            return 2;
        }
        if (!c->request) {
            return explain_managed(c);
        }
        argv[1] = (char *) c->request;
        return ctl_forward("dp", "flowd", argc - 1, argv + 1);
    }
    fprintf(stderr, "dp: unknown command \"%s\", try \"dp --help\"\n", argv[1]);
    return 2;
}
