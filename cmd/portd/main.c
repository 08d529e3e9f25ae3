/* portd: bridge and port lifecycle, and the owner of the configuration
 * files. This file holds the global options and the command table; each
 * object family's commands live in their own file (bridge.c, port.c, mirror.c,
 * show.c), the daemon in daemon.c, store access in store.c.
 *
 * "portd run" is the daemon. Every other command is a client: it forwards
 * the request to the daemon on $SY_RUNDIR/portd.ctl when one answers, and
 * otherwise runs the same handler in-process on the configuration files. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "portd.h"

const struct ctl_command portd_commands[] = {
    { "add-br", 1, -1, bridge_add_cmd,
      "add-br BR [datapath=user|kernel] [fail-mode=standalone|secure] [KEY=VALUE...]" },
    { "del-br", 1, 1, bridge_del_cmd, "del-br BR" },
    { "list-br", 0, 0, bridge_list_cmd, "list-br" },
    { "set-bridge", 2, -1, bridge_set_cmd, "set-bridge BR KEY=VALUE..." },
    { "add-port", 2, -1, port_add_cmd,
      "add-port BR PORT [type=system|internal|patch] [tag=VID] [trunks=VID,...] "
      "[ofport=N] [peer=PORT] [vlan_mode=MODE] [KEY=VALUE...]" },
    { "add-bond", 4, -1, port_add_bond_cmd,
      "add-bond BR BOND IFACE IFACE... [bond_mode=active-backup|balance-slb|balance-tcp] "
      "[lacp=active|passive|off] [KEY=VALUE...]" },
    { "del-port", 2, 2, port_del_cmd, "del-port BR PORT" },
    { "list-ports", 1, 1, port_list_cmd, "list-ports BR" },
    { "set-port", 3, -1, port_set_cmd, "set-port BR PORT KEY=VALUE..." },
    { "add-mirror", 3, -1, mirror_add_cmd,
      "add-mirror BR NAME [select-src=PORT,...] [select-dst=PORT,...] [select-all=true] "
      "[select-vlan=VID,...] (output-port=PORT | output-vlan=VID)" },
    { "del-mirror", 2, 2, mirror_del_cmd, "del-mirror BR NAME" },
    { "show", 0, 2, show_cmd, "show [BR] [--format=json|-j]" },
};
const size_t portd_n_commands = ARRAY_SIZE(portd_commands);

/* Global options. */
struct portd_options {
    int timeout_ms;             /* For calls to the daemon. */
    bool json;                  /* -j before the command: show --format=json. */
    const char *batch;          /* -b FILE: commands from FILE ("-": stdin). */
    const char *where;          /* "FILE:LINE: " in batch mode, else "". */
};

static void
usage(void)
{
    printf("usage: portd [OPTIONS] COMMAND [ARG...]\n"
           "Bridge and port configuration of switchyard.\n\n"
           "Commands:\n"
           "  run [--detach]\n");
    for (size_t i = 0; i < portd_n_commands; i++) {
        printf("  %s\n", portd_commands[i].usage);
    }
    printf("\nOptions:\n"
           "  -j, --format=json     JSON output (show)\n"
           "  -b, --batch=FILE      run the commands in FILE, one a line (- for stdin)\n"
           "  -t, --timeout=SECS    wait at most SECS for the daemon (default 30)\n"
           "  -h, --help            this help\n"
           "  -V, --version         print the version\n\n"
           "Without a running daemon, commands edit the configuration directly.\n"
           "Environment: SY_CONFDIR (configuration, default /etc/switchyard),\n"
           "SY_RUNDIR (sockets and pid files, default /run/switchyard),\n"
           "SY_LOGDIR (daemon log directory). See portd(8).\n");
}

/* Parses the global options; returns the index of the command word, or -1
 * after printing help or the version (exit 0), or -2 on bad usage. */
static int
parse_options(int argc, char *argv[], struct portd_options *options)
{
    static const struct option long_options[] = {
        { "batch", required_argument, NULL, 'b' },
        { "format", required_argument, NULL, 'f' },
        { "timeout", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    unsigned int seconds;
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:b:jt:hV", long_options, NULL)) != -1) {
        switch (c) {
        case 'b':
            options->batch = optarg;
            break;
        case 'j':
            options->json = true;
            break;
        case 'f':
            if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
                fprintf(stderr, "portd: --format=%s: expected json or text\n", optarg);
                return -2;
            }
            options->json = !strcmp(optarg, "json");
            break;
        case 't':
            if (!str_to_uint(optarg, 1, 3600, &seconds)) {
                fprintf(stderr, "portd: --timeout=%s: expected seconds, 1 to 3600\n",
                        optarg);
                return -2;
            }
            options->timeout_ms = seconds * 1000;
            break;
        case 'h':
            usage();
            return -1;
        case 'V':
            printf("portd (switchyard) %s\n", SY_VERSION);
            return -1;
        case ':':
            fprintf(stderr, "portd: option \"%s\" needs a value, try \"portd --help\"\n",
                    argv[optind - 1]);
            return -2;
        default:
            fprintf(stderr, "portd: unknown option \"%s\", try \"portd --help\"\n",
                    argv[optind - 1]);
            return -2;
        }
    }
    if (options->batch && optind < argc) {
        fprintf(stderr, "portd: --batch takes its commands from the file, not the "
                "command line\n");
        return -2;
    } else if (!options->batch && optind >= argc) {
        fprintf(stderr, "portd: missing command, try \"portd --help\"\n");
        return -2;
    }
    return optind;
}

static const struct ctl_command *
find_command(const char *name)
{
    for (size_t i = 0; i < portd_n_commands; i++) {
        if (!strcmp(portd_commands[i].name, name)) {
            return &portd_commands[i];
        }
    }
    return NULL;
}

/* Prints a reply's output, and its error as "portd: ..." lines; returns
 * the exit status. */
static int
print_result(const struct portd_options *options, int status, const struct buf *output,
             const struct buf *error)
{
    fwrite(buf_cstr(output), 1, output->size, stdout);
    fflush(stdout);
    if (status) {
        char *copy = xstrdup(error->size ? buf_cstr(error) : "operation failed");
        char *save = NULL;

        for (char *line = strtok_r(copy, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save)) {
            fprintf(stderr, "portd: %s%s\n", options->where, line);
        }
        free(copy);
    }
    return status;
}

/* Runs one client command: through the daemon if it answers, else here. */
static int
run_command(const struct portd_env *env, const struct ctl_command *command,
            const struct portd_options *options, int argc, char *argv[])
{
    char *path = xasprintf("%s/portd.ctl", env->rundir);
    struct buf output = BUF_INITIALIZER, error = BUF_INITIALIZER;
    int status = ctl_client_call(path, argc, argv, options->timeout_ms, &output, &error);

    if (status == -ENOENT || status == -ECONNREFUSED) {
        struct ctl_reply reply;

        ctl_reply_init(&reply);
        command->handler(&reply, argc, argv, (void *) env);
        status = print_result(options, reply.status, &reply.output, &reply.error);
        ctl_reply_uninit(&reply);
    } else if (status < 0) {
        fprintf(stderr, "portd: %scannot talk to the portd daemon: %s\n", options->where,
                buf_cstr(&error));
        status = CTL_FAILED;
    } else {
        status = print_result(options, status, &output, &error);
    }
    buf_uninit(&output);
    buf_uninit(&error);
    free(path);
    return status;
}

/* Hands argv (the command and its arguments) to its command. */
static int
dispatch(const struct portd_env *env, const struct portd_options *options, int argc,
         char *argv[])
{
    const struct ctl_command *command = find_command(argv[0]);
    int n_args = argc - 1;

    if (!strcmp(argv[0], "run")) {
        if (*options->where) {
            fprintf(stderr, "portd: %sthe daemon cannot run from a batch\n", options->where);
            return CTL_USAGE;
        }
        return daemon_run(env, argc, argv);
    } else if (!strcmp(argv[0], "help")) {
        usage();
        return 0;
    } else if (!command) {
        fprintf(stderr, "portd: %sunknown command \"%s\", try \"portd --help\"\n",
                options->where, argv[0]);
        return CTL_USAGE;
    } else if (n_args < command->min_args
               || (command->max_args >= 0 && n_args > command->max_args)) {
        fprintf(stderr, "portd: %susage: portd %s\n", options->where, command->usage);
        return CTL_USAGE;
    }

    if (options->json && command->handler == show_cmd && argc < CTL_MAX_ARGS - 1) {
        /* A global -j means the same as show's own. */
        char *with_json[CTL_MAX_ARGS];

        memcpy(with_json, argv, argc * sizeof *argv);
        with_json[argc] = "--format=json";
        with_json[argc + 1] = NULL;
        return run_command(env, command, options, argc + 1, with_json);
    }
    return run_command(env, command, options, argc, argv);
}

/* Runs the commands in options->batch, one a line, words separated by
 * spaces or tabs; blank lines and '#' comments are skipped. Stops at the
 * first command that fails (its messages say FILE:LINE) and returns its
 * status. */
static int
run_batch(const struct portd_env *env, struct portd_options *options)
{
    bool use_stdin = !strcmp(options->batch, "-");
    FILE *file = use_stdin ? stdin : fopen(options->batch, "r");
    const char *name = use_stdin ? "<stdin>" : options->batch;
    unsigned int line_number = 0;
    size_t allocated = 0;
    char *line = NULL;
    int status = 0;

    if (!file) {
        fprintf(stderr, "portd: %s: %s\n", options->batch, strerror(errno));
        return CTL_FAILED;
    }
    while (!status && getline(&line, &allocated, file) >= 0) {
        char *argv[CTL_MAX_ARGS], *save = NULL;
        int argc = 0;

        line_number++;
        for (char *word = strtok_r(line, " \t\r\n", &save); word && argc < CTL_MAX_ARGS - 1;
             word = strtok_r(NULL, " \t\r\n", &save)) {
            argv[argc++] = word;
        }
        argv[argc] = NULL;
        if (!argc || argv[0][0] == '#') {
            continue;
        }
        char *where = xasprintf("%s:%u: ", name, line_number);

        options->where = where;
        status = dispatch(env, options, argc, argv);
        options->where = "";
        free(where);
    }
    free(line);
    if (!use_stdin) {
        fclose(file);
    }
    return status;
}

int
main(int argc, char *argv[])
{
    struct portd_options options = { .timeout_ms = PORTD_CLIENT_TIMEOUT_MS, .where = "" };
    struct portd_env env = { .confdir = sy_confdir(), .rundir = sy_rundir() };
    int first = parse_options(argc, argv, &options);

    if (first < 0) {
        return first == -1 ? 0 : CTL_USAGE;
    } else if (options.batch) {
        return run_batch(&env, &options);
    }
    return dispatch(&env, &options, argc - first, argv + first);
}
