/* tunnel: VXLAN, Geneve and GRE ports, a front end on portd.
 *
 *   tunnel add BR NAME type=vxlan|geneve|gre remote_ip=IP [KEY=VALUE...]
 *   tunnel del BR NAME
 *   tunnel list [BR]
 *   tunnel show [BR [NAME]]
 *
 * add and del check what only tunnels have (a tunnel type, remote_ip, the
 * key's range for the type, ...) with the same code that portd and flowd
 * use (tnl-config), then hand the change to "portd add-port"/"del-port",
 * which owns the configuration: it checks the rest (a free name, ofport,
 * a tunnel to this host itself, a clash with another tunnel), writes the
 * files and tells flowd. list and show read the configuration and ask
 * flowd for each port's state and counters. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "json.h"
#include "swconfig.h"
#include "tnl-config.h"
#include "util.h"

#define TUNNEL_STATE_TIMEOUT_MS 2000

struct tunnel_options {
    bool json;                  /* -j, --format=json. */
};

static void
usage(void)
{
    printf("usage: tunnel [OPTIONS] COMMAND [ARG...]\n"
           "VXLAN, Geneve and GRE ports of switchyard bridges.\n\n"
           "Commands:\n"
           "  add BR NAME type=vxlan|geneve|gre remote_ip=IP|flow [local_ip=IP]\n"
           "      [key=N|flow] [in_key=N|flow] [out_key=N|flow] [dst_port=N]\n"
           "      [tos=N|inherit] [ttl=N|inherit] [csum=true|false]\n"
           "      [df_default=true|false] [ofport=N] [tag=VID]\n"
           "  del BR NAME\n"
           "  list [BR]                 one tunnel a line\n"
           "  show [BR [NAME]]          settings, state and counters\n\n"
           "Options:\n"
           "  -j, --format=json     JSON output (list, show)\n"
           "  -h, --help            this help\n"
           "  -V, --version         print the version\n\n"
           "Environment: SY_CONFDIR, SY_RUNDIR as for portd. See tunnel(8).\n");
}

/* ---- add and del: checks here, changes through portd ----------------- */

/* The portd program: next to us (the build tree), in ../sbin (installed),
 * or on PATH. */
static char *
find_portd(void)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');

        if (slash) {
            *slash = '\0';
            const char *candidates[] = { "portd", "../sbin/portd" };

            for (size_t i = 0; i < ARRAY_SIZE(candidates); i++) {
                char *path = xasprintf("%s/%s", self, candidates[i]);

                if (!access(path, X_OK)) {
                    return path;
                }
                free(path);
            }
        }
    }
    return xstrdup("portd");
}

/* Runs "portd WORDS..." and returns its exit status (its messages go to
 * our stderr as they are: they name portd and say what was wrong). */
static int
run_portd(int n, char *words[])
{
    char *portd = find_portd();
    char **argv = xmalloc((n + 2) * sizeof *argv);

    argv[0] = portd;
    memcpy(argv + 1, words, n * sizeof *words);
    argv[n + 1] = NULL;
    fflush(stdout);
    execvp(portd, argv);
    fprintf(stderr, "tunnel: cannot run %s: %s (is switchyard installed?)\n", portd,
            strerror(errno));
    free(argv);
    free(portd);
    return CTL_FAILED;
}

/* Checks the KEY=VALUE words of "tunnel add" as a tunnel port. */
static int
check_add_words(const char *name, int n, char *words[])
{
    struct buf error = BUF_INITIALIZER;
    struct tnl_config cfg;
    struct sw_port port;
    bool typed = false;
    int status = 0;

    sw_port_init(&port, name);
    for (int i = 0; i < n && !status; i++) {
        if (sw_port_set_word(&port, words[i], &error)) {
            status = CTL_USAGE;
        }
        typed |= str_starts_with(words[i], "type=");
    }
    if (!status && !typed) {
        buf_printf(&error, "missing type=vxlan, type=geneve or type=gre");
        status = CTL_USAGE;
    } else if (!status && !tnl_port_type_is_tunnel(port.type)) {
        buf_printf(&error, "type=%s: unknown tunnel type, expected vxlan, geneve or gre",
                   sw_port_type_to_string(port.type));
        status = CTL_USAGE;
    } else if (!status && tnl_config_from_port(&port, &cfg, &error)) {
        status = CTL_USAGE;
    }
    if (status) {
        buf_chomp(&error);
        fprintf(stderr, "tunnel: %s\n", buf_cstr(&error));
    }
    sw_port_destroy(&port);
    buf_uninit(&error);
    return status;
}

static int
cmd_add(int argc, char *argv[])
{
    int status;

    if (argc < 4) {
        fprintf(stderr, "tunnel: usage: tunnel add BR NAME type=vxlan|geneve|gre "
                "remote_ip=IP [KEY=VALUE...]\n");
        return CTL_USAGE;
    } else if (!sy_valid_ifname(argv[1]) || !sy_valid_ifname(argv[2])) {
        fprintf(stderr, "tunnel: \"%s\": expected a bridge and a port name (1..15 "
                "characters, no '/', ':', '=', ',' or spaces)\n",
                sy_valid_ifname(argv[1]) ? argv[2] : argv[1]);
        return CTL_USAGE;
    }
    status = check_add_words(argv[2], argc - 3, argv + 3);
    if (status) {
        return status;
    }
    argv[0] = "add-port";
    return run_portd(argc, argv);
}

/* Loads bridge 'br', or every bridge when 'br' is NULL; prints problems. */
static int
load_bridges(const char *br, struct sw_bridge **bridges, size_t *n)
{
    struct buf error = BUF_INITIALIZER;
    int retval;

    if (br) {
        *bridges = xmalloc(sizeof **bridges);
        *n = 1;
        retval = sw_bridge_load(sy_confdir(), br, *bridges, &error);
        if (retval == ENOENT) {
            fprintf(stderr, "tunnel: no bridge \"%s\" (try \"portd list-br\")\n", br);
        }
    } else {
        retval = sw_load_all(sy_confdir(), bridges, n, &error);
        retval = retval == ENOENT ? 0 : retval;
    }
    if (retval && retval != ENOENT) {
        buf_chomp(&error);
        fprintf(stderr, "tunnel: %s\n", buf_cstr(&error));
    }
    buf_uninit(&error);
    return retval ? CTL_FAILED : 0;
}

static int
cmd_del(int argc, char *argv[])
{
    struct sw_bridge *bridges = NULL;
    const struct sw_port *port;
    size_t n = 0;
    int status;

    if (argc != 3) {
        fprintf(stderr, "tunnel: usage: tunnel del BR NAME\n");
        return CTL_USAGE;
    } else if (!sy_valid_ifname(argv[1]) || !sy_valid_ifname(argv[2])) {
        fprintf(stderr, "tunnel: expected a bridge and a port name\n");
        return CTL_USAGE;
    }
    status = load_bridges(argv[1], &bridges, &n);
    if (!status) {
        port = sw_bridge_find_port(&bridges[0], argv[2]);
        if (!port) {
            fprintf(stderr, "tunnel: no port \"%s\" on bridge %s (try \"tunnel list %s\")\n",
                    argv[2], argv[1], argv[1]);
            status = CTL_FAILED;
        } else if (!tnl_port_type_is_tunnel(port->type)) {
            fprintf(stderr, "tunnel: port %s on bridge %s is a %s port, not a tunnel "
                    "(remove it with \"portd del-port %s %s\")\n", argv[2], argv[1],
                    sw_port_type_to_string(port->type), argv[1], argv[2]);
            status = CTL_FAILED;
        }
    }
    sw_bridges_free(bridges, n);
    if (status) {
        return status;
    }
    argv[0] = "del-port";
    return run_portd(argc, argv);
}

/* ---- list and show -------------------------------------------------------- */

/* What flowd says of one tunnel port ("tunnel-state BR": lines of
 * "NAME STATE rx_packets rx_bytes tx_packets tx_bytes tx_dropped
 * tx_too_big_replies REASON TEXT", REASON "-" for none, TEXT the rest). */
struct tunnel_state {
    char name[64];
    char state[32];
    unsigned long long rx_packets, rx_bytes, tx_packets, tx_bytes, tx_dropped;
    unsigned long long tx_too_big_replies;
    char reason[32];                /* A stable code, "" if none. */
    char reason_text[256];          /* What it means for people. */
};

struct tunnel_states {
    struct tunnel_state *items;
    size_t n, allocated;
};

static void
fetch_states(const char *br, struct tunnel_states *states)
{
    char *path = xasprintf("%s/flowd.ctl", sy_rundir());
    char *argv[] = { "tunnel-state", (char *) br };
    struct buf output = BUF_INITIALIZER, error = BUF_INITIALIZER;

    memset(states, 0, sizeof *states);
    if (!ctl_client_call(path, 2, argv, TUNNEL_STATE_TIMEOUT_MS, &output, &error)
        && output.size) {
        char *save = NULL;

        for (char *line = strtok_r(output.data, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save)) {
            struct tunnel_state s;

            int end = 0;

            memset(&s, 0, sizeof s);
            if (sscanf(line, "%63s %31s %llu %llu %llu %llu %llu %llu %31s %n", s.name,
                       s.state, &s.rx_packets, &s.rx_bytes, &s.tx_packets, &s.tx_bytes,
                       &s.tx_dropped, &s.tx_too_big_replies, s.reason, &end) >= 7) {
                if (!strcmp(s.reason, "-")) {
                    s.reason[0] = '\0';
                } else if (end) {
                    snprintf(s.reason_text, sizeof s.reason_text, "%s", line + end);
                }
                states->items = x2nrealloc(states->items, &states->allocated,
                                           states->n + 1, sizeof *states->items);
                states->items[states->n++] = s;
            }
        }
    }
    buf_uninit(&output);
    buf_uninit(&error);
    free(path);
}

static const struct tunnel_state *
find_state(const struct tunnel_states *states, const char *name)
{
    for (size_t i = 0; i < states->n; i++) {
        if (!strcmp(states->items[i].name, name)) {
            return &states->items[i];
        }
    }
    return NULL;
}

/* The tunnel settings a person gave, in a fixed order. */
static const char *const tunnel_keys[] = {
    "remote_ip", "local_ip", "key", "in_key", "out_key", "dst_port", "tos", "ttl",
    "csum", "df_default",
};

static void
print_text(const struct sw_bridge *br, const struct sw_port *port,
           const struct tunnel_state *state, bool detail)
{
    if (!detail) {
        printf("%s %s ofport=%u type=%s", br->name, port->name, (unsigned int) port->ofport,
               sw_port_type_to_string(port->type));
        for (size_t i = 0; i < ARRAY_SIZE(tunnel_keys); i++) {
            const char *value = cfg_file_get(&port->options, tunnel_keys[i]);

            if (value) {
                printf(" %s=%s", tunnel_keys[i], value);
            }
        }
        printf("\n");
        return;
    }
    printf("Tunnel %s (bridge %s)\n", port->name, br->name);
    printf("    ofport: %u\n", (unsigned int) port->ofport);
    printf("    type: %s\n", sw_port_type_to_string(port->type));
    for (size_t i = 0; i < ARRAY_SIZE(tunnel_keys); i++) {
        const char *value = cfg_file_get(&port->options, tunnel_keys[i]);

        if (value) {
            printf("    %s: %s\n", tunnel_keys[i], value);
        }
    }
    if (state) {
        if (state->reason[0]) {
            printf("    state: %s (%s): %s\n", state->state, state->reason,
                   state->reason_text);
        } else {
            printf("    state: %s\n", state->state);
        }
        printf("    rx: %llu packets, %llu bytes\n", state->rx_packets, state->rx_bytes);
        printf("    tx: %llu packets, %llu bytes, %llu dropped\n", state->tx_packets,
               state->tx_bytes, state->tx_dropped);
        printf("    too big for the path, answered: %llu\n", state->tx_too_big_replies);
    }
}

static void
print_json(struct json_writer *w, const struct sw_bridge *br, const struct sw_port *port,
           const struct tunnel_state *state)
{
    json_object_begin(w);
    json_kv_string(w, "bridge", br->name);
    json_kv_string(w, "name", port->name);
    json_kv_uint(w, "ofport", port->ofport);
    json_kv_string(w, "type", sw_port_type_to_string(port->type));
    for (size_t i = 0; i < ARRAY_SIZE(tunnel_keys); i++) {
        const char *value = cfg_file_get(&port->options, tunnel_keys[i]);

        if (value) {
            json_kv_string(w, tunnel_keys[i], value);
        }
    }
    if (state) {
        json_kv_string(w, "state", state->state);
        if (state->reason[0]) {
            json_kv_string(w, "reason", state->reason);
            json_kv_string(w, "reason_text", state->reason_text);
        }
        json_key(w, "statistics");
        json_object_begin(w);
        json_kv_uint(w, "rx_packets", state->rx_packets);
        json_kv_uint(w, "rx_bytes", state->rx_bytes);
        json_kv_uint(w, "tx_packets", state->tx_packets);
        json_kv_uint(w, "tx_bytes", state->tx_bytes);
        json_kv_uint(w, "tx_dropped", state->tx_dropped);
        json_kv_uint(w, "tx_too_big_replies", state->tx_too_big_replies);
        json_object_end(w);
    }
    json_object_end(w);
}

/* list [BR] and show [BR [NAME]]. */
static int
cmd_list_show(const struct tunnel_options *options, int argc, char *argv[], bool detail)
{
    const char *only = detail && argc > 2 ? argv[2] : NULL;
    struct buf out = BUF_INITIALIZER;
    struct sw_bridge *bridges = NULL;
    struct json_writer w;
    size_t n = 0;
    bool found = false;
    int status;

    if (argc > (detail ? 3 : 2)) {
        fprintf(stderr, "tunnel: usage: tunnel %s\n", detail ? "show [BR [NAME]]"
                                                             : "list [BR]");
        return CTL_USAGE;
    }
    status = load_bridges(argc > 1 ? argv[1] : NULL, &bridges, &n);
    if (status) {
        sw_bridges_free(bridges, n);
        return status;
    }
    if (options->json) {
        json_writer_init(&w, &out);
        json_object_begin(&w);
        json_key(&w, "tunnels");
        json_array_begin(&w);
    }
    for (size_t b = 0; b < n; b++) {
        struct tunnel_states states = { NULL, 0, 0 };

        if (detail || options->json) {
            fetch_states(bridges[b].name, &states);
        }
        for (size_t i = 0; i < bridges[b].n_ports; i++) {
            const struct sw_port *port = &bridges[b].ports[i];
            const struct tunnel_state *state = find_state(&states, port->name);

            if (!tnl_port_type_is_tunnel(port->type)
                || (only && strcmp(only, port->name))) {
                continue;
            }
            found = true;
            if (options->json) {
                print_json(&w, &bridges[b], port, state);
            } else {
                print_text(&bridges[b], port, state, detail);
            }
        }
        free(states.items);
    }
    if (options->json) {
        json_array_end(&w);
        json_object_end(&w);
        printf("%s\n", buf_cstr(&out));
    }
    if (only && !found) {
        fprintf(stderr, "tunnel: no tunnel \"%s\" on bridge %s\n", only, argv[1]);
        status = CTL_FAILED;
    }
    buf_uninit(&out);
    sw_bridges_free(bridges, n);
    return status;
}

/* ---- main ---------------------------------------------------------------- */

static int
parse_options(int argc, char *argv[], struct tunnel_options *options)
{
    static const struct option long_options[] = {
        { "format", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+jhV", long_options, NULL)) != -1) {
        switch (c) {
        case 'j':
            options->json = true;
            break;
        case 'f':
            if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
                fprintf(stderr, "tunnel: --format=%s: expected json or text\n", optarg);
                return -2;
            }
            options->json = !strcmp(optarg, "json");
            break;
        case 'h':
            usage();
            return -1;
        case 'V':
            printf("tunnel (switchyard) %s\n", SY_VERSION);
            return -1;
        default:
            fprintf(stderr, "tunnel: unknown option \"%s\", try \"tunnel --help\"\n",
                    argv[optind - 1]);
            return -2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "tunnel: missing command, try \"tunnel --help\"\n");
        return -2;
    }
    return optind;
}

/* Options may also follow the command ("tunnel list -j"). */
static int
strip_trailing_options(int argc, char *argv[], struct tunnel_options *options)
{
    int n = 0;

    for (int i = 0; i < argc; i++) {
        if (i > 0 && (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--format=json"))) {
            options->json = true;
        } else if (i > 0 && !strcmp(argv[i], "--format=text")) {
            options->json = false;
        } else {
            argv[n++] = argv[i];
        }
    }
    argv[n] = NULL;
    return n;
}

int
main(int argc, char *argv[])
{
    struct tunnel_options options = { false };
    int first = parse_options(argc, argv, &options);
    const char *command;

    if (first < 0) {
        return first == -1 ? 0 : CTL_USAGE;
    }
    argc -= first;
    argv += first;
    command = argv[0];
    if (!strcmp(command, "list") || !strcmp(command, "show")) {
        argc = strip_trailing_options(argc, argv, &options);
        return cmd_list_show(&options, argc, argv, !strcmp(command, "show"));
    } else if (!strcmp(command, "add")) {
        return cmd_add(argc, argv);
    } else if (!strcmp(command, "del")) {
        return cmd_del(argc, argv);
    } else if (!strcmp(command, "help")) {
        usage();
        return 0;
    }
    fprintf(stderr, "tunnel: unknown command \"%s\", try \"tunnel --help\"\n", command);
    return CTL_USAGE;
}
