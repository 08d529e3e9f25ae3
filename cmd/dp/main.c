/* dp: the datapath tool, like a dpctl. main() takes the global options and
 * dispatches through the command table; each command is served by the
 * userspace datapath (flowd runs it: the request goes over flowd.ctl) or
 * by the kernel datapath (kernel.c and flow.c, over generic netlink).
 * Datapath flows are printed in the kernel openvswitch datapath's text
 * format either way.
 *
 * Which one: --datapath=kernel|user says so; otherwise a DP written
 * system@NAME, or a DP the kernel has, is the kernel's; add-dp goes to the
 * kernel when the openvswitch module is loaded; without a DP, the kernel
 * serves when it has datapaths; everything else goes to flowd. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl-forward.h"
#include "dp.h"
#include "util.h"

struct dp_command {
    const char *name;
    int min_args, max_args;         /* Words after the command, options excluded. */
    bool dp_optional;               /* DP may be left out. */
    const char *request;            /* flowd.ctl command; NULL: kernel only. */
    dp_kernel_fn *kernel;           /* Kernel datapath handler. */
    const char *usage;
};

static const struct dp_command commands[] = {
    { "show", 0, 1, true, "dp-show", dp_kernel_show, "show [DP] [-s] [--format=json]" },
    { "dump-flows", 0, 1, true, "dump-flows", dp_kernel_dump_flows,
      "dump-flows [DP] [--format=json]" },
    { "add-flow", 2, 2, false, "add-flow", dp_kernel_add_flow, "add-flow DP FLOW" },
    { "mod-flow", 2, 2, false, NULL, dp_kernel_mod_flow, "mod-flow DP FLOW [--clear]" },
    { "get-flow", 2, 2, false, NULL, dp_kernel_get_flow, "get-flow DP KEY [--format=json]" },
    { "del-flow", 2, 2, false, "del-flow", dp_kernel_del_flow, "del-flow DP KEY [-s]" },
    { "del-flows", 0, 1, true, "del-flows", dp_kernel_del_flows, "del-flows [DP]" },
    { "add-dp", 1, 1, false, NULL, dp_kernel_add_dp, "add-dp DP" },
    { "del-dp", 1, 1, false, NULL, dp_kernel_del_dp, "del-dp DP" },
    { "add-if", 2, 6, false, NULL, dp_kernel_add_if,
      "add-if DP IFACE[,type=netdev|internal|vxlan|geneve|gre][,dst_port=N][,port_no=N]" },
    { "del-if", 2, 2, false, NULL, dp_kernel_del_if, "del-if DP IFACE" },
};

static void
usage(void)
{
    printf("usage: dp [--datapath=kernel|user] COMMAND [ARG...]\n"
           "       dp [--datapath=kernel|user] [shell [DP]]\n"
           "Datapath control for switchyard: kernel datapaths (the openvswitch module)\n"
           "and userspace datapaths (run by flowd).\n\n"
           "Commands:\n");
    dp_print_commands(stdout);
    printf("  shell [DP]   (or no command at a terminal): an interactive prompt\n");
    printf("\nOptions: --help, --version, --datapath=kernel|user; -s, -j/--format=json\n"
           "where shown. DP may be written system@NAME for a kernel datapath.\n"
           "Environment: SY_RUNDIR. See dp(8).\n");
}

static bool
is_option(const char *word)
{
    return word[0] == '-' && word[1];
}

/* Moves the options out of 'argv' (in place) into 'opt'; returns the
 * number of words left, or -1 after complaining about an unknown option. */
static int
take_options(int argc, char *argv[], struct dp_options *opt)
{
    int n = 0;

    memset(opt, 0, sizeof *opt);
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];

        if (!is_option(w)) {
            argv[n++] = argv[i];
        } else if (!strcmp(w, "-j") || !strcmp(w, "--format=json")) {
            opt->json = true;
        } else if (!strcmp(w, "--format=text")) {
            opt->json = false;
        } else if (!strcmp(w, "-s") || !strcmp(w, "--statistics")) {
            opt->stats = true;
        } else if (!strcmp(w, "--clear")) {
            opt->clear = true;
        } else {
            fprintf(stderr, "dp: unknown option \"%s\", try \"dp --help\"\n", w);
            return -1;
        }
    }
    return n;
}

static int
count_words(int argc, char *argv[])
{
    int n = 0;

    for (int i = 0; i < argc; i++) {
        n += !is_option(argv[i]);
    }
    return n;
}

/* The DP word of a command line, if any. */
static const char *
dp_word(const struct dp_command *c, int argc, char *argv[])
{
    for (int i = 0; i < argc; i++) {
        if (!is_option(argv[i])) {
            return argv[i];
        }
    }
    return NULL;
}

static void
count_dp(const struct dpif_netlink_dp *dp, void *n)
{
    (*(size_t *) n)++;
}

/* Whether the kernel should serve 'c' in automatic mode ('dn' is open). */
static bool
kernel_serves(struct dpif_netlink *dn, const struct dp_command *c, const char *dp)
{
    struct dpif_netlink_dp info;
    size_t n = 0;

    if (dp && str_starts_with(dp, "system@")) {
        return true;
    } else if (dp && !dpif_netlink_dp_get(dn, dp, &info)) {
        return true;
    } else if (!c->request) {
        /* Only the kernel creates datapaths and ports on request. */
        return !strcmp(c->name, "add-dp") || !ctl_daemon_reachable("flowd");
    } else if (dp) {
        return !ctl_daemon_reachable("flowd");
    }
    return !dpif_netlink_dp_dump(dn, count_dp, &n) && n > 0;
}

/* Userspace datapaths are the bridges flowd runs: they come and go with
 * portd's bridges and ports. Creating one behind portd's back would leave a
 * datapath no configuration knows about. */
static int
explain_user(const struct dp_command *c)
{
    if (!strcmp(c->name, "mod-flow") || !strcmp(c->name, "get-flow")) {
        fprintf(stderr, "dp: %s: only kernel datapaths support this; for a userspace "
                "datapath use del-flow and add-flow, or dump-flows\n", c->name);
        return 1;
    }
    fprintf(stderr, "dp: %s: userspace datapaths are created with their bridges: use "
            "\"portd %s\" (or --datapath=kernel for the openvswitch module)\n",
            c->name,
            !strcmp(c->name, "add-dp") ? "add-br BR" :
            !strcmp(c->name, "del-dp") ? "del-br BR" :
            !strcmp(c->name, "add-if") ? "add-port BR IFACE" : "del-port BR IFACE");
    return 1;
}

static int
run_kernel(struct dpif_netlink *dn, const struct dp_command *c, int argc, char *argv[])
{
    struct dp_options opt;
    int n = take_options(argc, argv, &opt);

    return n < 0 ? 2 : c->kernel(dn, n, argv, &opt);
}

static int
run_command(const struct dp_command *c, enum dp_route route, int argc, char *argv[])
{
    const char *dp = dp_word(c, argc, argv);
    struct dpif_netlink *dn = NULL;
    int error = route == DP_ROUTE_USER ? ENOENT : dpif_netlink_open(&dn);
    int status;

    if (route == DP_ROUTE_KERNEL && error) {
        fprintf(stderr, "dp: %s: the kernel datapath is not available (%s): is the "
                "openvswitch module loaded?\n", c->name, strerror(error));
        return 1;
    }
    if (!error && (route == DP_ROUTE_KERNEL || kernel_serves(dn, c, dp))) {
        status = run_kernel(dn, c, argc, argv);
    } else if (!c->request) {
        status = explain_user(c);
    } else {
        argv[-1] = (char *) c->request;
        status = ctl_forward("dp", "flowd", argc + 1, argv - 1);
    }
    dpif_netlink_close(dn);
    return status;
}

/* Parses --datapath=...; returns the index of the command word, or -1. */
static int
parse_globals(int argc, char *argv[], enum dp_route *route)
{
    int i = 1;

    *route = DP_ROUTE_AUTO;
    for (; i < argc && str_starts_with(argv[i], "--datapath="); i++) {
        const char *v = argv[i] + strlen("--datapath=");

        if (!strcmp(v, "kernel") || !strcmp(v, "system")) {
            *route = DP_ROUTE_KERNEL;
        } else if (!strcmp(v, "user") || !strcmp(v, "netdev")) {
            *route = DP_ROUTE_USER;
        } else {
            fprintf(stderr, "dp: --datapath=%s: expected kernel or user\n", v);
            return -1;
        }
    }
    return i;
}

int
dp_dispatch(enum dp_route route, int argc, char *argv[])
{
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        const struct dp_command *c = &commands[i];
        int n_words = count_words(argc - 1, argv + 1);

        if (strcmp(argv[0], c->name)) {
            continue;
        } else if (n_words < c->min_args || n_words > c->max_args) {
            fprintf(stderr, "dp: usage: dp %s\n", c->usage);
            return 2;
        }
        return run_command(c, route, argc - 1, argv + 1);
    }
    fprintf(stderr, "dp: unknown command \"%s\", try \"dp --help\"\n", argv[0]);
    return 2;
}

const char *
dp_command_name(size_t i)
{
    return i < ARRAY_SIZE(commands) ? commands[i].name : NULL;
}

void
dp_print_commands(FILE *out)
{
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        fprintf(out, "  %s\n", commands[i].usage);
    }
}

int
main(int argc, char *argv[])
{
    enum dp_route route;
    int first = parse_globals(argc, argv, &route);

    if (first < 0) {
        return 2;
    } else if (first >= argc && isatty(STDIN_FILENO)) {
        return dp_shell(route, NULL);     /* A person at a terminal. */
    } else if (first >= argc || !strcmp(argv[first], "--help") || !strcmp(argv[first], "-h")
               || !strcmp(argv[first], "help")) {
        usage();
        return first >= argc ? 2 : 0;
    } else if (!strcmp(argv[first], "--version")) {
        printf("dp (switchyard) %s\n", SY_VERSION);
        return 0;
    } else if (!strcmp(argv[first], "shell")) {
        if (argc - first > 2) {
            fprintf(stderr, "dp: usage: dp shell [DP]\n");
            return 2;
        }
        return dp_shell(route, argv[first + 1]);
    }
    return dp_dispatch(route, argc - first, argv + first);
}
