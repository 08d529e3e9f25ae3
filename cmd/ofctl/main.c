/* ofctl: the OpenFlow client (like ovs-ofctl). Global options, the command
 * table, and the connection helpers every command shares; the commands
 * live in flows.c, show.c and packet.c.
 *
 *   ofctl [-O OpenFlow10|OpenFlow13] [--strict] [--names] [--format=json]
 *         COMMAND SWITCH [ARG...]
 *
 * SWITCH is a bridge name (unix:$SY_RUNDIR/BR.mgmt), unix:PATH,
 * tcp:HOST[:PORT] or ssl:HOST[:PORT]. */
#include "ofctl.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct ofctl_command commands[] = {
    { "add-flow", 2, 2, ofctl_add_flow, "add-flow SWITCH FLOW" },
    { "add-flows", 2, 2, ofctl_add_flows, "add-flows SWITCH FILE|-" },
    { "mod-flows", 2, 2, ofctl_mod_flows, "mod-flows SWITCH FLOW" },
    { "del-flows", 1, 2, ofctl_del_flows, "del-flows SWITCH [FLOW]" },
    { "replace-flows", 2, 2, ofctl_replace_flows, "replace-flows SWITCH FILE|-" },
    { "diff-flows", 2, 2, ofctl_diff_flows, "diff-flows SWITCH FILE|-" },
    { "dump-flows", 1, 2, ofctl_dump_flows, "dump-flows SWITCH [FLOW]" },
    { "dump-aggregate", 1, 2, ofctl_dump_aggregate, "dump-aggregate SWITCH [FLOW]" },
    { "show", 1, 1, ofctl_show, "show SWITCH" },
    { "dump-ports", 1, 2, ofctl_dump_ports, "dump-ports SWITCH [PORT]" },
    { "dump-port-desc", 1, 1, ofctl_dump_port_desc, "dump-port-desc SWITCH" },
    { "dump-tables", 1, 1, ofctl_dump_tables, "dump-tables SWITCH" },
    { "mod-port", 3, 3, ofctl_mod_port,
      "mod-port SWITCH PORT up|down|flood|noflood|receive|noreceive|packet-in|no-packet-in" },
    { "packet-out", 3, 4, ofctl_packet_out, "packet-out SWITCH IN_PORT ACTIONS [HEX_PACKET]" },
    { "monitor", 1, 2, ofctl_monitor, "monitor SWITCH [MISS_LEN]" },
    { "snoop", 1, 1, ofctl_snoop, "snoop SWITCH" },
    { "add-tlv-map", 2, 2, ofctl_add_tlv_map,
      "add-tlv-map SWITCH {class=C,type=T,len=L}->tun_metadataN[,...]" },
    { "del-tlv-map", 1, 2, ofctl_del_tlv_map,
      "del-tlv-map SWITCH [{class=C,type=T,len=L}->tun_metadataN[,...]]" },
    { "dump-tlv-map", 1, 1, ofctl_dump_tlv_map, "dump-tlv-map SWITCH" },
};

int
ofctl_error(int status, const char *fmt, ...)
{
    va_list args;

    fputs("ofctl: ", stderr);
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputc('\n', stderr);
    return status;
}

void
ofctl_print_commands(FILE *out)
{
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        fprintf(out, "  %s\n", commands[i].usage);
    }
}

static void
usage(FILE *out)
{
    fprintf(out, "usage: ofctl [OPTIONS] COMMAND SWITCH [ARG...]\n"
            "       ofctl [OPTIONS] [shell [SWITCH]]\n"
            "OpenFlow client: program and inspect any OpenFlow 1.0/1.3 switch.\n\n"
            "Commands:\n");
    ofctl_print_commands(out);
    fprintf(out, "  shell [SWITCH]   (or no command at a terminal): an interactive prompt\n");
    fprintf(out, "\nSWITCH: a bridge name (unix:$SY_RUNDIR/BR.mgmt), unix:PATH,\n"
            "        tcp:HOST[:PORT] or ssl:HOST[:PORT] (port 6653)\n\n"
            "Options:\n"
            "  -O, --protocols=VERSIONS  OpenFlow10, OpenFlow13 or both, comma-separated\n"
            "      --strict              mod-flows/del-flows match priority and fields exactly\n"
            "      --names               show and accept port names\n"
            "      --format=json, -j     JSON output (dump-flows, dump-ports, show)\n"
            "      --timeout=SECS        give up after SECS (default 30)\n"
            "      --private-key=FILE --certificate=FILE --ca-cert=FILE   for ssl:\n"
            "  -h, --help                this help\n"
            "  -V, --version             version\n"
            "See ofctl(8).\n");
}

static int
parse_versions(const char *arg, uint32_t *bitmap)
{
    char *copy = xstrdup(arg), *p = copy, *word;

    *bitmap = 0;
    while ((word = strsep(&p, ","))) {
        uint8_t v = ofp_version_from_name(word);

        if (!v || !(OFP_SUPPORTED_VERSIONS & OFP_VERSION_BIT(v))) {
            ofctl_error(OFCTL_USAGE, "-O %s: unsupported OpenFlow version \"%s\" "
                        "(expected OpenFlow10 or OpenFlow13)", arg, word);
            free(copy);
            return OFCTL_USAGE;
        }
        *bitmap |= OFP_VERSION_BIT(v);
    }
    free(copy);
    return 0;
}

enum { OPT_STRICT = 256, OPT_NAMES, OPT_FORMAT, OPT_TIMEOUT, OPT_KEY, OPT_CERT, OPT_CA };

static int
parse_options(struct ofctl *ctx, int argc, char *argv[])
{
    static const struct option options[] = {
        { "protocols", required_argument, NULL, 'O' },
        { "strict", no_argument, NULL, OPT_STRICT },
        { "names", no_argument, NULL, OPT_NAMES },
        { "no-names", no_argument, NULL, 'n' },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "private-key", required_argument, NULL, OPT_KEY },
        { "certificate", required_argument, NULL, OPT_CERT },
        { "ca-cert", required_argument, NULL, OPT_CA },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    unsigned int secs;
    int c;

    while ((c = getopt_long(argc, argv, "+O:jhVnt:", options, NULL)) != -1) {
        switch (c) {
        case 'O':
            if (parse_versions(optarg, &ctx->versions)) {
                return OFCTL_USAGE;
            }
            break;
        case OPT_STRICT: ctx->strict = true; break;
        case OPT_NAMES: ctx->names = true; break;
        case 'n': ctx->names = false; break;
        case 'j': ctx->json = true; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
                return ofctl_error(OFCTL_USAGE, "--format=%s: expected json or text", optarg);
            }
            ctx->json = !strcmp(optarg, "json");
            break;
        case 't': case OPT_TIMEOUT:
            if (!str_to_uint(optarg, 1, 86400, &secs)) {
                return ofctl_error(OFCTL_USAGE, "--timeout=%s: expected seconds", optarg);
            }
            ctx->timeout_ms = secs * 1000;
            break;
        case OPT_KEY: ctx->ssl.private_key = optarg; break;
        case OPT_CERT: ctx->ssl.certificate = optarg; break;
        case OPT_CA: ctx->ssl.ca_cert = optarg; break;
        case 'h': usage(stdout); exit(0);
        case 'V': printf("ofctl (switchyard) %s\n", SY_VERSION); exit(0);
        default:
            fprintf(stderr, "Try \"ofctl --help\".\n");
            return OFCTL_USAGE;
        }
    }
    return 0;
}

const struct ofctl_command *
ofctl_find_command(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        if (!strcmp(name, commands[i].name)) {
            return &commands[i];
        }
    }
    return NULL;
}

const struct ofctl_command *
ofctl_commands(size_t *n)
{
    *n = ARRAY_SIZE(commands);
    return commands;
}

int
ofctl_run(struct ofctl *ctx, int argc, char *argv[])
{
    const struct ofctl_command *cmd = ofctl_find_command(argv[0]);
    int status, n_args = argc - 1;

    if (!cmd) {
        return ofctl_error(OFCTL_USAGE, "command \"%s\" is unknown, try \"ofctl --help\"",
                           argv[0]);
    } else if (n_args < cmd->min_args || n_args > cmd->max_args) {
        return ofctl_error(OFCTL_USAGE, "usage: ofctl %s", cmd->usage);
    }
    status = cmd->handler(ctx, argc, argv);
    ofctl_close(ctx);
    return status;
}

int
main(int argc, char *argv[])
{
    struct ofctl ctx = { .versions = OFP_SUPPORTED_VERSIONS, .timeout_ms = 30000 };
    int status;

    /* A switch that hangs up must give EPIPE, not kill us (TLS writes). */
    signal(SIGPIPE, SIG_IGN);
    status = parse_options(&ctx, argc, argv);
    if (status) {
        return status;
    }
    if (optind >= argc) {
        /* No command: the shell, for a person at a terminal. */
        if (isatty(STDIN_FILENO)) {
            return ofctl_shell(&ctx, NULL);
        }
        usage(stderr);
        return OFCTL_USAGE;
    } else if (!strcmp(argv[optind], "shell")) {
        if (argc - optind > 2) {
            return ofctl_error(OFCTL_USAGE, "usage: ofctl shell [SWITCH]");
        }
        return ofctl_shell(&ctx, argv[optind + 1]);
    }
    return ofctl_run(&ctx, argc - optind, argv + optind);
}
