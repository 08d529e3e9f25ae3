/* flowd: the switchyard engine. `flowd run` is the daemon; the other
 * subcommands are clients that ask the running daemon over flowd.ctl. */
#include <stdio.h>
#include <string.h>

#include "ctl-forward.h"
#include "flowd.h"
#include "log.h"
#include "util.h"

struct client_command {
    const char *name;
    int min_args, max_args;         /* After the command word. */
    const char *usage;
};

static const struct client_command client_commands[] = {
    { "fdb-show", 1, 2, "fdb-show BR [--format=json]" },
    { "fdb-flush", 1, 1, "fdb-flush BR" },
    { "bond-show", 1, 1, "bond-show BR" },
    { "trace", 2, 2, "trace BR FLOW" },
    { "reconfigure", 0, 0, "reconfigure" },
    { "version", 0, 0, "version" },
    { "exit", 0, 0, "exit" },
};

static void
usage(void)
{
    printf("usage: flowd COMMAND [ARG...]\n"
           "The switchyard engine: runs each bridge's pipeline and the userspace\n"
           "datapath.\n\n"
           "Commands:\n"
           "  run [--detach]             run the daemon (pid file $SY_RUNDIR/flowd.pid)\n"
           "  fdb-show BR [--format=json]  learned MACs: port, VLAN, MAC, age\n"
           "  fdb-flush BR               forget every learned MAC of BR\n"
           "  bond-show BR               each bond's mode, members, carrier, active member\n"
           "  trace BR FLOW              what the pipeline does with such a packet;\n"
           "                             FLOW in datapath syntax, e.g.\n"
           "                             'in_port(1),eth(src=..,dst=..)'\n"
           "  reconfigure                re-read the configuration now\n"
           "  exit                       stop the daemon\n\n"
           "Options: --help, --version\n"
           "Environment: SY_CONFDIR, SY_RUNDIR, SY_LOGDIR, SY_LOGLEVEL\n"
           "See flowd(8).\n");
}

int
main(int argc, char *argv[])
{
    log_init("flowd");
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")
        || !strcmp(argv[1], "help")) {
        usage();
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("flowd (switchyard) %s\n", SY_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "run")) {
        return flowd_run(argc - 1, argv + 1);
    }
    for (size_t i = 0; i < ARRAY_SIZE(client_commands); i++) {
        const struct client_command *c = &client_commands[i];
        int n_args = argc - 2;

        if (strcmp(argv[1], c->name)) {
            continue;
        }
        if (n_args < c->min_args || n_args > c->max_args) {
            fprintf(stderr, "flowd: usage: flowd %s\n", c->usage);
            return 2;
        }
        return ctl_forward("flowd", "flowd", argc - 1, argv + 1);
    }
    fprintf(stderr, "flowd: unknown command \"%s\", try \"flowd --help\"\n", argv[1]);
    return 2;
}
