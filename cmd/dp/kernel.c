/* kernel: dp's commands for kernel datapaths and their vports (add-dp,
 * del-dp, show, add-if, del-if), over dpif-netlink. flow.c has the flow
 * commands; main.c decides when a command goes to the kernel. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "json.h"
#include "odp-meter.h"
#include "util.h"

const char *
dp_kernel_name(const char *name)
{
    return str_starts_with(name, "system@") ? name + strlen("system@") : name;
}

int
dp_kernel_fail(const char *what, int error)
{
    fprintf(stderr, "dp: %s: %s\n", what, strerror(error));
    return 1;
}

struct dp_list {
    struct dpif_netlink_dp *dps; /* Datapaths seen. */
    size_t n;                   /* Entries used. */
    size_t allocated;           /* Entries allocated. */
};

static void
dp_list_add(const struct dpif_netlink_dp *dp, void *list_)
{
    struct dp_list *list = list_;

    list->dps = x2nrealloc(list->dps, &list->allocated, list->n + 1, sizeof *list->dps);
    list->dps[list->n++] = *dp;
}

int
dp_kernel_find(struct dpif_netlink *dn, const char *name, struct dpif_netlink_dp *dp)
{
    struct dp_list list = { NULL, 0, 0 };
    int error;

    if (name) {
        error = dpif_netlink_dp_get(dn, dp_kernel_name(name), dp);
        if (error) {
            fprintf(stderr, "dp: %s: no such kernel datapath (%s)\n", name, strerror(error));
        }
        return error;
    }
    error = dpif_netlink_dp_dump(dn, dp_list_add, &list);
    if (error) {
        dp_kernel_fail("listing datapaths", error);
    } else if (list.n != 1) {
        fprintf(stderr, "dp: there are %zu kernel datapaths: name one (see \"dp show\")\n",
                list.n);
        error = ENOENT;
    } else {
        *dp = list.dps[0];
    }
    free(list.dps);
    return error;
}

int
dp_kernel_add_dp(struct dpif_netlink *dn, int argc, char *argv[],
                 const struct dp_options *opt)
{
    const char *name = dp_kernel_name(argv[0]);
    int error;

    if (!sy_valid_ifname(name)) {
        fprintf(stderr, "dp: add-dp: \"%s\" is not a valid datapath name "
                "(a network device name: 1-15 characters)\n", argv[0]);
        return 2;
    }
    error = dpif_netlink_dp_create(dn, name, 0, NULL);
    if (error == EEXIST) {
        fprintf(stderr, "dp: add-dp: %s: a datapath or device of that name exists\n", name);
        return 1;
    }
    return error ? dp_kernel_fail("add-dp", error) : 0;
}

int
dp_kernel_del_dp(struct dpif_netlink *dn, int argc, char *argv[],
                 const struct dp_options *opt)
{
    struct dpif_netlink_dp dp;
    int error = dp_kernel_find(dn, argv[0], &dp);

    if (error) {
        return 1;
    }
    error = dpif_netlink_dp_delete(dn, dp.ifindex);
    return error ? dp_kernel_fail("del-dp", error) : 0;
}

/* ---- add-if / del-if ---------------------------------------------------------- */

/* Applies one "key=value" of add-if to 'spec'. */
static int
parse_if_option(const char *option, struct dpif_netlink_vport_spec *spec)
{
    const char *value = strchr(option, '=');
    unsigned int n;

    if (!value) {
        fprintf(stderr, "dp: add-if: \"%s\" is not KEY=VALUE\n", option);
        return 2;
    }
    value++;
    if (str_starts_with(option, "type=")) {
        spec->type = dpif_netlink_vport_type_from_name(value);
        if (spec->type == OVS_VPORT_TYPE_UNSPEC) {
            fprintf(stderr, "dp: add-if: unknown type \"%s\" (expected netdev, internal, "
                    "vxlan, geneve or gre)\n", value);
            return 2;
        }
    } else if (str_starts_with(option, "dst_port=") && str_to_uint(value, 1, 65535, &n)) {
        spec->dst_port = n;
    } else if (str_starts_with(option, "port_no=") && str_to_uint(value, 1, 65534, &n)) {
        spec->port_no = n;
    } else {
        fprintf(stderr, "dp: add-if: bad option \"%s\" (expected type=, dst_port=1-65535 "
                "or port_no=1-65534)\n", option);
        return 2;
    }
    return 0;
}

/* "IFACE[,KEY=VALUE...]" and further "KEY=VALUE" words. */
static int
parse_if_spec(int argc, char *argv[], struct dpif_netlink_vport_spec *spec)
{
    char *save = NULL, *word = strtok_r(argv[0], ",", &save);
    int status = 0;

    memset(spec, 0, sizeof *spec);
    spec->type = OVS_VPORT_TYPE_NETDEV;
    spec->name = word;
    if (!word || !sy_valid_ifname(word)) {
        fprintf(stderr, "dp: add-if: expected an interface name\n");
        return 2;
    }
    while (!status && (word = strtok_r(NULL, ",", &save))) {
        status = parse_if_option(word, spec);
    }
    for (int i = 1; !status && i < argc; i++) {
        status = parse_if_option(argv[i], spec);
    }
    if (!status && spec->dst_port && spec->type != OVS_VPORT_TYPE_VXLAN
        && spec->type != OVS_VPORT_TYPE_GENEVE) {
        fprintf(stderr, "dp: add-if: dst_port= is for vxlan and geneve ports\n");
        status = 2;
    }
    return status;
}

int
dp_kernel_add_if(struct dpif_netlink *dn, int argc, char *argv[],
                 const struct dp_options *opt)
{
    struct dpif_netlink_vport_spec spec;
    struct dpif_netlink_dp dp;
    uint32_t port_no;
    int status, error;

    status = parse_if_spec(argc - 1, argv + 1, &spec);
    if (status) {
        return status;
    } else if (dp_kernel_find(dn, argv[0], &dp)) {
        return 1;
    }
    error = dpif_netlink_vport_add(dn, dp.ifindex, &spec, &port_no);
    if (error == ENODEV || error == ENOENT) {
        fprintf(stderr, "dp: add-if: %s: no such network device (type=internal creates "
                "one)\n", spec.name);
        return 1;
    } else if (error == EBUSY || error == EEXIST) {
        fprintf(stderr, "dp: add-if: %s: already a port of a datapath, or the port "
                "number is taken\n", spec.name);
        return 1;
    }
    return error ? dp_kernel_fail("add-if", error) : 0;
}

int
dp_kernel_del_if(struct dpif_netlink *dn, int argc, char *argv[],
                 const struct dp_options *opt)
{
    struct dpif_netlink_vport vport;
    struct dpif_netlink_dp dp;
    int error;

    if (dp_kernel_find(dn, argv[0], &dp)) {
        return 1;
    }
    error = dpif_netlink_vport_get(dn, argv[1], &vport);
    if (error || vport.dp_ifindex != dp.ifindex) {
        fprintf(stderr, "dp: del-if: %s is not a port of %s\n", argv[1], dp.name);
        return 1;
    } else if (vport.port_no == OVSP_LOCAL) {
        fprintf(stderr, "dp: del-if: %s is the datapath's own port: use del-dp\n", argv[1]);
        return 1;
    }
    error = dpif_netlink_vport_del(dn, dp.ifindex, vport.port_no);
    return error ? dp_kernel_fail("del-if", error) : 0;
}

/* ---- show ------------------------------------------------------------------- */

struct port_list {
    struct dpif_netlink_vport *ports; /* Ports seen. */
    int64_t *policed;           /* Per port: packets its ingress meter
                                 * dropped, -1 if it has none. */
    size_t n;                   /* Entries used. */
    size_t allocated;           /* Entries allocated. */
};

static void
port_list_add(const struct dpif_netlink_vport *vport, void *list_)
{
    struct port_list *list = list_;

    list->ports = x2nrealloc(list->ports, &list->allocated, list->n + 1, sizeof *list->ports);
    list->ports[list->n++] = *vport;
}

static int
compare_ports(const void *a_, const void *b_)
{
    const struct dpif_netlink_vport *a = a_, *b = b_;

    return a->port_no < b->port_no ? -1 : a->port_no > b->port_no;
}

static double
cache_hit_rate(const struct dpif_netlink_dp *dp)
{
    uint64_t lookups = dp->n_hit + dp->n_missed;

    return lookups ? 100.0 * dp->n_cache_hit / lookups : 0.0;
}

/* flowd polices port N's ingress with kernel meter N (one drop band):
 * what its drop bands dropped, or -1 if there is no such meter. */
static int64_t
port_policed(struct dpif_netlink *dn, int dp_ifindex, uint32_t port_no)
{
    struct odp_meter meter;
    uint64_t dropped = 0;

    if (!dpif_netlink_meters_supported(dn)
        || dpif_netlink_meter_get(dn, dp_ifindex, port_no, &meter)) {
        return -1;
    }
    for (size_t i = 0; i < meter.n_bands; i++) {
        dropped += meter.bands[i].packets;
    }
    return MIN(dropped, INT64_MAX);
}

static void
show_port_text(struct buf *out, const struct dpif_netlink_vport *p, int64_t policed,
               bool stats)
{
    const char *type = dpif_netlink_vport_type_name(p->type);

    buf_printf(out, "  port %u: %s (%s", p->port_no, p->name, type ? type : "unknown");
    if (p->dst_port) {
        buf_printf(out, ": dst_port=%u", p->dst_port);
    }
    buf_put_cstr(out, ")\n");
    if (stats) {
        const struct ovs_vport_stats *s = &p->stats;

        buf_printf(out, "    RX packets:%llu bytes:%llu errors:%llu dropped:%llu\n",
                   (unsigned long long) s->rx_packets, (unsigned long long) s->rx_bytes,
                   (unsigned long long) s->rx_errors, (unsigned long long) s->rx_dropped);
        buf_printf(out, "    TX packets:%llu bytes:%llu errors:%llu dropped:%llu\n",
                   (unsigned long long) s->tx_packets, (unsigned long long) s->tx_bytes,
                   (unsigned long long) s->tx_errors, (unsigned long long) s->tx_dropped);
        if (policed >= 0) {
            buf_printf(out, "    RX policed:%lld\n", (long long) policed);
        }
    }
}

static void
show_dp_text(struct buf *out, const struct dpif_netlink_dp *dp, const struct port_list *ports,
             bool stats)
{
    uint64_t lookups = dp->n_hit + dp->n_missed;

    buf_printf(out, "system@%s:\n  datapath: kernel\n", dp->name);
    buf_printf(out, "  lookups: hit:%llu missed:%llu lost:%llu\n",
               (unsigned long long) dp->n_hit, (unsigned long long) dp->n_missed,
               (unsigned long long) dp->n_lost);
    buf_printf(out, "  flows: %llu\n", (unsigned long long) dp->n_flows);
    buf_printf(out, "  masks: hit:%llu total:%u hit/pkt:%.2f\n",
               (unsigned long long) dp->n_mask_hit, dp->n_masks,
               lookups ? (double) dp->n_mask_hit / lookups : 0.0);
    buf_printf(out, "  cache: hit:%llu hit-rate:%.2f%% size:%u\n",
               (unsigned long long) dp->n_cache_hit, cache_hit_rate(dp), dp->cache_size);
    for (size_t i = 0; i < ports->n; i++) {
        show_port_text(out, &ports->ports[i], ports->policed[i], stats);
    }
}

static void
show_port_json(struct json_writer *w, const struct dpif_netlink_vport *p, int64_t policed)
{
    const char *type = dpif_netlink_vport_type_name(p->type);
    const struct ovs_vport_stats *s = &p->stats;

    json_object_begin(w);
    json_kv_uint(w, "port_no", p->port_no);
    json_kv_string(w, "name", p->name);
    json_kv_string(w, "type", type ? type : "unknown");
    if (p->dst_port) {
        json_kv_uint(w, "dst_port", p->dst_port);
    }
    json_kv_uint(w, "rx_packets", s->rx_packets);
    json_kv_uint(w, "rx_bytes", s->rx_bytes);
    json_kv_uint(w, "rx_errors", s->rx_errors);
    json_kv_uint(w, "rx_dropped", s->rx_dropped);
    json_kv_uint(w, "tx_packets", s->tx_packets);
    json_kv_uint(w, "tx_bytes", s->tx_bytes);
    json_kv_uint(w, "tx_errors", s->tx_errors);
    json_kv_uint(w, "tx_dropped", s->tx_dropped);
    if (policed >= 0) {
        json_kv_uint(w, "rx_policed", policed);
    }
    json_object_end(w);
}

static void
show_dp_json(struct json_writer *w, const struct dpif_netlink_dp *dp,
             const struct port_list *ports)
{
    json_object_begin(w);
    json_kv_string(w, "name", dp->name);
    json_kv_string(w, "type", "kernel");
    json_kv_uint(w, "hit", dp->n_hit);
    json_kv_uint(w, "missed", dp->n_missed);
    json_kv_uint(w, "lost", dp->n_lost);
    json_kv_uint(w, "flows", dp->n_flows);
    json_kv_uint(w, "masks", dp->n_masks);
    json_kv_uint(w, "mask_hit", dp->n_mask_hit);
    json_kv_uint(w, "cache_hit", dp->n_cache_hit);
    json_key(w, "cache_hit_rate");
    json_double(w, cache_hit_rate(dp));
    json_kv_uint(w, "cache_size", dp->cache_size);
    json_key(w, "ports");
    json_array_begin(w);
    for (size_t i = 0; i < ports->n; i++) {
        show_port_json(w, &ports->ports[i], ports->policed[i]);
    }
    json_array_end(w);
    json_object_end(w);
}

static int
show_one(struct dpif_netlink *dn, const struct dpif_netlink_dp *dp, struct buf *out,
         struct json_writer *w, bool stats)
{
    struct port_list ports = { NULL, NULL, 0, 0 };
    int error = dpif_netlink_vport_dump(dn, dp->ifindex, port_list_add, &ports);

    if (!error) {
        qsort(ports.ports, ports.n, sizeof *ports.ports, compare_ports);
        ports.policed = xcalloc(MAX(ports.n, 1), sizeof *ports.policed);
        for (size_t i = 0; i < ports.n; i++) {
            ports.policed[i] = port_policed(dn, dp->ifindex, ports.ports[i].port_no);
        }
        if (w) {
            show_dp_json(w, dp, &ports);
        } else {
            show_dp_text(out, dp, &ports, stats);
        }
    }
    free(ports.ports);
    free(ports.policed);
    return error;
}

int
dp_kernel_show(struct dpif_netlink *dn, int argc, char *argv[],
               const struct dp_options *opt)
{
    struct dp_list list = { NULL, 0, 0 };
    struct buf out = BUF_INITIALIZER;
    struct json_writer w;
    int error = 0;

    if (argc == 1) {
        list.dps = xmalloc(sizeof *list.dps);
        list.n = list.allocated = 1;
        error = dp_kernel_find(dn, argv[0], &list.dps[0]) ? ENOENT : 0;
    } else {
        error = dpif_netlink_dp_dump(dn, dp_list_add, &list);
    }
    json_writer_init(&w, &out);
    if (opt->json) {
        json_array_begin(&w);
    }
    for (size_t i = 0; !error && i < list.n; i++) {
        error = show_one(dn, &list.dps[i], &out, opt->json ? &w : NULL, opt->stats);
    }
    if (opt->json) {
        json_array_end(&w);
        buf_put_char(&out, '\n');
    }
    if (!error) {
        fputs(buf_cstr(&out), stdout);
    } else if (error != ENOENT) {
        dp_kernel_fail("show", error);
    }
    buf_uninit(&out);
    free(list.dps);
    return error ? 1 : 0;
}
