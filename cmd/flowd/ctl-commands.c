/* ctl-commands: what flowd answers on flowd.ctl. `dp`, `portd` and the
 * `flowd` client subcommands are front ends on these. */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flowd.h"
#include "collectors.h"
#include "dp-offload.h"
#include "ipfix.h"
#include "json.h"
#include "mirror.h"
#include "netflow.h"
#include "odp.h"
#include "ofp-parse.h"
#include "packet.h"
#include "sflow.h"
#include "tunnel.h"

/* Removes "--format=json"/"-j" and "-s" from argv; returns the new argc. */
static int
take_flags(int argc, char *argv[], bool *json, bool *stats)
{
    int n = 0;

    *json = false;
    if (stats) {
        *stats = false;
    }
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--format=json")) {
            *json = true;
        } else if (stats && (!strcmp(argv[i], "-s") || !strcmp(argv[i], "--statistics"))) {
            *stats = true;
        } else if (!strcmp(argv[i], "--format=text")) {
            *json = false;
        } else {
            argv[n++] = argv[i];
        }
    }
    return n;
}

static struct bridge *
need_bridge(struct flowd *flowd, struct ctl_reply *reply, const char *name)
{
    struct bridge *br = flowd_find_bridge(flowd, name);

    if (!br) {
        ctl_reply_error(reply, CTL_FAILED, "no bridge \"%s\" in flowd (bridges: %s)",
                        name, flowd->n_bridges ? "see \"portd list-br\"" : "none");
    }
    return br;
}

/* The one datapath 'argv[1]' names, or the only one there is. */
static struct bridge *
need_datapath(struct flowd *flowd, struct ctl_reply *reply, int argc, char *argv[])
{
    if (argc > 1) {
        return need_bridge(flowd, reply, argv[1]);
    }
    if (flowd->n_bridges == 1) {
        return flowd->bridges[0];
    }
    if (flowd->n_bridges) {
        ctl_reply_error(reply, CTL_FAILED, "there are %zu datapaths: name one "
                        "(see \"dp show\")", flowd->n_bridges);
    } else {
        ctl_reply_error(reply, CTL_FAILED, "there are no datapaths "
                        "(create a bridge with \"portd add-br BR\")");
    }
    return NULL;
}

static void
cmd_reconfigure(struct ctl_reply *reply, int argc, char *argv[], void *flowd_)
{
    struct buf errors = BUF_INITIALIZER;

    if (!flowd_reconfigure(flowd_, &errors)) {
        ctl_reply_error(reply, CTL_FAILED, "%s", buf_cstr(&errors));
    }
    buf_uninit(&errors);
}

/* refresh-ports: a device came or went (portd watches rtnetlink): close
 * the sockets of vanished devices and open the new ones now, rather than
 * at the next periodic check. */
static void
cmd_refresh_ports(struct ctl_reply *reply, int argc, char *argv[], void *flowd_)
{
    struct flowd *flowd = flowd_;
    long long now = time_msec();

    for (size_t i = 0; i < flowd->n_bridges; i++) {
        bridge_refresh_ports(flowd->bridges[i], now);
    }
}

/* The LACP lines of member 'index' of 'bond'. */
static void
bond_show_lacp(struct ctl_reply *reply, const struct bond *bond, size_t index)
{
    const struct bond_member *m = &bond->members[index];
    const uint8_t *id = m->partner.sys_id;
    struct lacp_info actor;
    char state[128];

    bond_lacp_actor(bond, index, &actor);
    lacp_state_format(actor.state, state, sizeof state);
    ctl_reply_printf(reply, "    lacp actor: %02x:%02x:%02x:%02x:%02x:%02x key %u port %u "
                     "state %s\n", actor.sys_id[0], actor.sys_id[1], actor.sys_id[2],
                     actor.sys_id[3], actor.sys_id[4], actor.sys_id[5], actor.key,
                     actor.port, state);
    if (m->partner_current) {
        lacp_state_format(m->partner.state, state, sizeof state);
        ctl_reply_printf(reply, "    lacp partner: %02x:%02x:%02x:%02x:%02x:%02x key %u "
                         "port %u state %s\n", id[0], id[1], id[2], id[3], id[4], id[5],
                         m->partner.key, m->partner.port, state);
    } else {
        ctl_reply_printf(reply, "    lacp partner: none\n");
    }
    ctl_reply_printf(reply, "    lacp pdus: rx %llu tx %llu rx errors %llu\n",
                     (unsigned long long) m->lacp_rx, (unsigned long long) m->lacp_tx,
                     (unsigned long long) m->lacp_rx_errors);
}

/* bond-show BR: each bond's mode and members: carrier, which is active. */
static void
cmd_bond_show(struct ctl_reply *reply, int argc, char *argv[], void *flowd_)
{
    struct bridge *br = need_bridge(flowd_, reply, argv[1]);

    for (size_t i = 0; br && i < br->n_ports; i++) {
        const struct bond *bond = dpif_port_bond(br->dp, br->ports[i].dp_port);

        if (!bond) {
            continue;
        }
        ctl_reply_printf(reply, "bond %s: mode %s, lacp %s, active member %s\n",
                         br->ports[i].name, bond_mode_to_string(bond->mode),
                         bond->lacp_active ? "active" : bond->lacp ? "passive" : "off",
                         bond->active >= 0 ? bond->members[bond->active].name : "(none)");
        for (size_t j = 0; j < bond->n_members; j++) {
            const struct bond_member *m = &bond->members[j];
            const char *error = bond_member_error(bond, j);

            ctl_reply_printf(reply, "  member %s: %s%s%s%s%s\n", m->name,
                             m->carrier ? "carrier up" : m->present ? "carrier down" : "absent",
                             bond->lacp && m->carrier && !m->enabled ? ", not in use" : "",
                             (int) j == bond->active ? ", active" : "",
                             error ? ": " : "", error ? error : "");
            if (bond->lacp) {
                bond_show_lacp(reply, bond, j);
            }
        }
    }
}

static void
cmd_exit(struct ctl_reply *reply, int argc, char *argv[], void *flowd_)
{
    struct flowd *flowd = flowd_;

    flowd->exit_requested = true;
}

static void
cmd_version(struct ctl_reply *reply, int argc, char *argv[], void *flowd_)
{
    ctl_reply_printf(reply, "flowd (switchyard) %s\n", SY_VERSION);
}

static const char *
port_state(const struct bridge_port *port, const struct dpif_port_status *status)
{
    struct ifreq ifr;
    int fd;
    bool up = false;

    if (port->error) {
        return "error";
    } else if (port->admin_down) {
        return "down";
    } else if (status->deviceless) {
        return status->failed ? "error" : status->present ? "up" : "down";
    } else if (!status->present) {
        return "absent";
    }
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
        memset(&ifr, 0, sizeof ifr);
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", port->name);
        if (!ioctl(fd, SIOCGIFFLAGS, &ifr)) {
            up = (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
        }
        close(fd);
    }
    return up ? "up" : "down";
}

static const char *
port_error(const struct bridge_port *port, const struct dpif_port_status *status)
{
    return port->error ? port->error : status->error;
}

static void
cmd_port_state(struct ctl_reply *reply, int argc, char *argv[], void *flowd_)
{
    struct bridge *br = need_bridge(flowd_, reply, argv[1]);

    for (size_t i = 0; br && i < br->n_ports; i++) {
        const struct bridge_port *port = &br->ports[i];
        struct dpif_port_status status;

        dpif_port_status(br->dp, port->dp_port, &status);
        ctl_reply_printf(reply, "%s %u %s\n", port->name, port->ofport,
                         port_state(port, &status));
    }
}

/* mirror-stats BR: "NAME TX_PACKETS TX_BYTES STATUS" per mirror, STATUS
 * "ok" or why the mirror sends nothing (for portd show). */
static void
cmd_mirror_stats(struct ctl_reply *reply, int argc, char *argv[], void *flowd_)
{
    struct bridge *br = need_bridge(flowd_, reply, argv[1]);

    if (!br) {
        return;
    }
    mirror_credit_all(br);
    for (size_t i = 0; i < br->n_mirrors; i++) {
        const struct bridge_mirror *m = &br->mirrors[i];

        ctl_reply_printf(reply, "%s %llu %llu %s\n", m->name,
                         (unsigned long long) m->tx_packets,
                         (unsigned long long) m->tx_bytes, m->error ? m->error : "ok");
    }
}

/* Why tunnel port 'port' of 'br' does not work, if anything is known. */
static void
diagnose_tunnel(struct flowd *flowd, const struct bridge_port *port,
                const struct tnl_port *tnl, const struct dpif_port_status *status,
                struct tnl_diagnosis *d)
{
    memset(d, 0, sizeof *d);
    if (port->error) {
        d->reason = TNL_REASON_INVALID_CONFIG;
        snprintf(d->text, sizeof d->text, "%s", port->error);
        return;
    } else if (tnl) {
        tunnels_diagnose_receive(tnl, d);
    } else if (status->error_code == EADDRINUSE || status->error_code == EEXIST) {
        d->reason = TNL_REASON_UDP_PORT_IN_USE;
        snprintf(d->text, sizeof d->text, "the kernel vport %s cannot be created: UDP "
                 "port %u is in use by someone else (a kernel vxlan/geneve device or "
                 "another program)", status->vport_name ? status->vport_name : "",
                 port->tnl.dst_port);
        return;
    } else if (!status->present) {
        d->reason = TNL_REASON_VPORT_MISSING;
        snprintf(d->text, sizeof d->text, "the kernel vport %s is missing%s%s",
                 status->vport_name ? status->vport_name : "for this tunnel type",
                 status->error ? ": " : "", status->error ? status->error : "");
        return;
    }
    if (!d->reason) {
        tunnels_diagnose_path(flowd->tunnels, &port->tnl, d);
    }
}

/* tunnel-state BR: "NAME STATE RX_PACKETS RX_BYTES TX_PACKETS TX_BYTES
 * TX_DROPPED TX_TOO_BIG_REPLIES REASON TEXT" for each tunnel port (tunnel
 * list/show): STATE up, down (admin_state) or error; REASON a
 * TNL_REASON_* code, "-" if none, and TEXT the sentence that explains it
 * (the rest of the line). */
static void
cmd_tunnel_state(struct ctl_reply *reply, int argc, char *argv[], void *flowd_)
{
    struct bridge *br = need_bridge(flowd_, reply, argv[1]);

    for (size_t i = 0; br && i < br->n_ports; i++) {
        const struct bridge_port *port = &br->ports[i];
        const struct dp_port *dp_port = dp_user_port_of(br->dp, port->dp_port);
        const struct tnl_port *tnl = dp_port ? dp_port->tunnel : NULL;
        struct tnl_port_stats stats;
        struct dpif_port_status status;
        struct tnl_diagnosis d;
        const char *state;

        if (!tnl_port_type_is_tunnel(port->type)) {
            continue;
        }
        dpif_port_status(br->dp, port->dp_port, &status);
        diagnose_tunnel(flowd_, port, tnl, &status, &d);
        state = port->admin_down ? "down" : d.reason ? "error" : "up";
        memset(&stats, 0, sizeof stats);
        if (tnl) {
            stats = tnl->stats;
        }
        ctl_reply_printf(reply, "%s %s %"PRIu64" %"PRIu64" %"PRIu64" %"PRIu64" %"PRIu64
                         " %"PRIu64" %s %s\n", port->name, state,
                         stats.rx_packets, stats.rx_bytes, stats.tx_packets, stats.tx_bytes,
                         stats.tx_dropped, stats.tx_too_big_replies,
                         d.reason ? d.reason : "-", d.text);
    }
}

/* export-stats BR: "KIND DATAGRAMS RECORDS ERRORS" per export that is on
 * (netflow, sflow, ipfix), for portd show. */
static void
cmd_export_stats(struct ctl_reply *reply, int argc, char *argv[], void *flowd_)
{
    struct bridge *br = need_bridge(flowd_, reply, argv[1]);
    struct export_stats stats[3];
    const char *kinds[3];
    size_t n = 0;

    if (!br) {
        return;
    }
    if (br->netflow) {
        kinds[n] = "netflow";
        netflow_get_stats(br->netflow, &stats[n++]);
    }
    if (br->sflow) {
        kinds[n] = "sflow";
        sflow_get_stats(br->sflow, &stats[n++]);
    }
    if (br->ipfix) {
        kinds[n] = "ipfix";
        ipfix_get_stats(br->ipfix, &stats[n++]);
    }
    for (size_t i = 0; i < n; i++) {
        ctl_reply_printf(reply, "%s %llu %llu %llu\n", kinds[i],
                         (unsigned long long) stats[i].datagrams,
                         (unsigned long long) stats[i].records,
                         (unsigned long long) stats[i].errors);
    }
}

static void
format_ofport(struct buf *out, uint32_t ofport)
{
    if (ofport == SW_OFPORT_LOCAL) {
        buf_put_cstr(out, "LOCAL");
    } else {
        buf_printf(out, "%u", ofport);
    }
}

static void
cmd_fdb_show(struct ctl_reply *reply, int argc, char *argv[], void *flowd_)
{
    bool json;
    struct bridge *br;
    struct json_writer w;
    long long now = time_msec();

    argc = take_flags(argc, argv, &json, NULL);
    if (argc != 2) {
        ctl_reply_error(reply, CTL_USAGE, "usage: fdb-show BR [--format=json]");
        return;
    }
    br = need_bridge(flowd_, reply, argv[1]);
    if (!br) {
        return;
    }
    json_writer_init(&w, &reply->output);
    if (json) {
        json_array_begin(&w);
    } else {
        ctl_reply_printf(reply, " port  VLAN  MAC                Age\n");
    }
    /* Oldest first, as the LRU list holds them. */
    for (const struct mac_entry *e = br->macs.lru_oldest; e; e = e->lru_next) {
        const struct bridge_port *port = bridge_port_by_dp(br, e->port);
        uint32_t ofport = port ? port->ofport : e->port;
        long long age = (now - e->seen) / 1000;

        if (json) {
            char mac[18];

            snprintf(mac, sizeof mac, ETH_ADDR_FMT, ETH_ADDR_ARGS(e->mac));
            json_object_begin(&w);
            json_kv_uint(&w, "port", ofport);
            json_kv_string(&w, "port_name", port ? port->name : "");
            json_kv_uint(&w, "vlan", e->vlan);
            json_kv_string(&w, "mac", mac);
            json_kv_int(&w, "age", age);
            json_object_end(&w);
        } else {
            struct buf port_text = BUF_INITIALIZER;

            format_ofport(&port_text, ofport);
            ctl_reply_printf(reply, "%5s  %4u  " ETH_ADDR_FMT "  %4lld\n",
                             buf_cstr(&port_text), e->vlan, ETH_ADDR_ARGS(e->mac), age);
            buf_uninit(&port_text);
        }
    }
    if (json) {
        json_array_end(&w);
        buf_put_char(&reply->output, '\n');
    }
}

static void
cmd_fdb_flush(struct ctl_reply *reply, int argc, char *argv[], void *flowd_)
{
    struct bridge *br = need_bridge(flowd_, reply, argv[1]);

    if (br) {
        mac_table_flush(&br->macs, NULL, NULL);
        bridge_flush_flows(br);
    }
}

static const char *
port_kind_name(const struct bridge_port *port)
{
    return sw_port_type_to_string(port->type);
}

static void
show_datapath_text(struct ctl_reply *reply, const struct bridge *br)
{
    const struct dpif *dp = br->dp;
    const struct dp_user *user = dp_user_of(br->dp);
    const struct dpflow_table *flows = &dp->flows;
    uint64_t hits = flows->emc_hits + flows->megaflow_hits;

    ctl_reply_printf(reply, "%s:\n", br->name);
    ctl_reply_printf(reply, "  datapath: %s\n", dpif_type(dp));
    ctl_reply_printf(reply, "  lookups: hit:%llu missed:%llu lost:%llu\n",
                     (unsigned long long) dp->n_hit, (unsigned long long) dp->n_missed,
                     (unsigned long long) dp->n_lost);
    ctl_reply_printf(reply, "  flows: %zu\n", flows->n_flows);
    if (user) {
        ctl_reply_printf(reply, "  offload: %s, flows:%zu\n",
                         dp_offload_is_enabled(user) ? "on" : "off",
                         dp_offload_count(user));
        ctl_reply_printf(reply, "  limits: flows:%zu upcalls:%u/s per port, "
                         "dropped over the upcall limit:%llu\n", dp->flow_limit,
                         user->upcall_limit, (unsigned long long) user->n_upcall_dropped);
    } else {
        ctl_reply_printf(reply, "  limits: flows:%zu\n", dp->flow_limit);
    }
    ctl_reply_printf(reply, "  masks: total:%zu\n", flows->n_subtables);
    if (user) {
        ctl_reply_printf(reply, "  cache: exact-match hits:%llu megaflow hits:%llu "
                         "(exact-match hit rate %.1f%%)\n",
                         (unsigned long long) flows->emc_hits,
                         (unsigned long long) flows->megaflow_hits,
                         hits ? 100.0 * flows->emc_hits / hits : 0.0);
    }
    for (size_t i = 0; i < br->n_ports; i++) {
        const struct bridge_port *port = &br->ports[i];
        const struct dp_port *dp_port = dp_user_port_of(br->dp, port->dp_port);
        struct dpif_port_status status;
        const char *error;

        dpif_port_status(br->dp, port->dp_port, &status);
        error = port_error(port, &status);
        ctl_reply_printf(reply, "  port %u: %s (%s)%s%s\n", port->dp_port, port->name,
                         port_kind_name(port), error ? ": " : "", error ? error : "");
        if (status.has_stats) {
            const struct netdev_stats *s = &status.stats;

            ctl_reply_printf(reply, "    RX packets:%llu bytes:%llu dropped:%llu\n",
                             (unsigned long long) s->rx_packets,
                             (unsigned long long) s->rx_bytes,
                             (unsigned long long) s->rx_dropped);
            ctl_reply_printf(reply, "    TX packets:%llu bytes:%llu dropped:%llu "
                             "errors:%llu\n",
                             (unsigned long long) s->tx_packets,
                             (unsigned long long) s->tx_bytes,
                             (unsigned long long) s->tx_dropped,
                             (unsigned long long) s->tx_errors);
        }
        if (dp_port && dp_port->policer) {
            ctl_reply_printf(reply, "    RX policed:%llu\n",
                             (unsigned long long) dp_port->n_policed);
        }
        if (dp_port && dp_port->tunnel) {
            /* Bad tunnel headers (Geneve option lists, critical options). */
            ctl_reply_printf(reply, "    RX dropped:%llu\n",
                             (unsigned long long) dp_port->tunnel->stats.rx_dropped);
        }
    }
}

static void
show_datapath_json(struct json_writer *w, const struct bridge *br)
{
    const struct dpif *dp = br->dp;
    const struct dp_user *user = dp_user_of(br->dp);

    json_object_begin(w);
    json_kv_string(w, "name", br->name);
    json_kv_string(w, "type", dpif_type(dp));
    json_kv_uint(w, "hit", dp->n_hit);
    json_kv_uint(w, "missed", dp->n_missed);
    json_kv_uint(w, "lost", dp->n_lost);
    json_kv_uint(w, "flows", dp->flows.n_flows);
    json_kv_uint(w, "flow_limit", dp->flow_limit);
    if (user) {
        json_kv_uint(w, "upcall_limit", user->upcall_limit);
        json_kv_uint(w, "upcall_dropped", user->n_upcall_dropped);
        json_kv_bool(w, "offload", dp_offload_is_enabled(user));
        json_kv_uint(w, "offloaded_flows", dp_offload_count(user));
    }
    json_kv_uint(w, "masks", dp->flows.n_subtables);
    json_kv_uint(w, "emc_hits", dp->flows.emc_hits);
    json_kv_uint(w, "megaflow_hits", dp->flows.megaflow_hits);
    json_key(w, "ports");
    json_array_begin(w);
    for (size_t i = 0; i < br->n_ports; i++) {
        const struct bridge_port *port = &br->ports[i];
        const struct dp_port *dp_port = dp_user_port_of(br->dp, port->dp_port);
        struct dpif_port_status status;
        const char *error;

        dpif_port_status(br->dp, port->dp_port, &status);
        error = port_error(port, &status);
        json_object_begin(w);
        json_kv_uint(w, "port_no", port->dp_port);
        json_kv_string(w, "name", port->name);
        json_kv_string(w, "type", port_kind_name(port));
        json_kv_string(w, "state", port_state(port, &status));
        if (error) {
            json_kv_string(w, "error", error);
        }
        if (status.has_stats) {
            const struct netdev_stats *s = &status.stats;

            json_kv_uint(w, "rx_packets", s->rx_packets);
            json_kv_uint(w, "rx_bytes", s->rx_bytes);
            json_kv_uint(w, "rx_dropped", s->rx_dropped);
            json_kv_uint(w, "tx_packets", s->tx_packets);
            json_kv_uint(w, "tx_bytes", s->tx_bytes);
            json_kv_uint(w, "tx_dropped", s->tx_dropped);
            json_kv_uint(w, "tx_errors", s->tx_errors);
        }
        if (dp_port && dp_port->policer) {
            json_kv_uint(w, "rx_policed", dp_port->n_policed);
        }
        json_object_end(w);
    }
    json_array_end(w);
    json_object_end(w);
}

static void
cmd_dp_show(struct ctl_reply *reply, int argc, char *argv[], void *flowd_)
{
    struct flowd *flowd = flowd_;
    struct json_writer w;
    bool json, stats;

    /* Port statistics are always shown; -s is accepted for dpctl habits. */
    argc = take_flags(argc, argv, &json, &stats);
    if (argc > 2) {
        ctl_reply_error(reply, CTL_USAGE, "usage: show [DP] [-s] [--format=json]");
        return;
    }
    if (argc == 2 && !need_bridge(flowd, reply, argv[1])) {
        return;
    }
    json_writer_init(&w, &reply->output);
    if (json) {
        json_array_begin(&w);
    }
    for (size_t i = 0; i < flowd->n_bridges; i++) {
        const struct bridge *br = flowd->bridges[i];

        if (argc == 2 && strcmp(br->name, argv[1])) {
            continue;
        }
        dpif_sync_stats(br->dp);    /* Offloaded flows' port counters. */
        if (json) {
            show_datapath_json(&w, br);
        } else {
            show_datapath_text(reply, br);
        }
    }
    if (json) {
        json_array_end(&w);
        buf_put_char(&reply->output, '\n');
    }
}

struct dump_ctx {
    struct ctl_reply *reply;
    struct json_writer *json;       /* NULL for text. */
    const char *dp_name;
    bool user_dp;                   /* dp_data is flow offload's. */
    long long now;
};

static void
dump_one_flow(const struct dpflow *flow, void *ctx_)
{
    struct dump_ctx *ctx = ctx_;
    struct odp_flow_stats stats = {
        .packets = flow->packets,
        .bytes = flow->bytes,
        .used_msec = flow->used ? ctx->now - flow->used : -1,
        .tcp_flags = flow->tcp_flags,
        .offloaded = ctx->user_dp && dp_offload_flow_is_offloaded(flow),
    };

    if (ctx->json) {
        struct buf text = BUF_INITIALIZER;

        json_object_begin(ctx->json);
        json_kv_string(ctx->json, "datapath", ctx->dp_name);
        odp_format_key(&text, &flow->key, dpflow_mask(flow));
        json_kv_string(ctx->json, "match", buf_cstr(&text));
        buf_clear(&text);
        odp_format_actions(&text, flow->actions.data, flow->actions.size);
        json_kv_string(ctx->json, "actions", buf_cstr(&text));
        json_kv_uint(ctx->json, "packets", stats.packets);
        json_kv_uint(ctx->json, "bytes", stats.bytes);
        if (stats.used_msec >= 0) {
            json_kv_int(ctx->json, "used_ms", stats.used_msec);
        } else {
            json_key(ctx->json, "used_ms");
            json_null(ctx->json);
        }
        json_kv_uint(ctx->json, "tcp_flags", stats.tcp_flags);
        json_kv_bool(ctx->json, "offloaded", stats.offloaded);
        json_object_end(ctx->json);
        buf_uninit(&text);
    } else {
        odp_format_flow(&ctx->reply->output, &flow->key, dpflow_mask(flow), &stats,
                        flow->actions.data, flow->actions.size);
        buf_put_char(&ctx->reply->output, '\n');
    }
}

static void
cmd_dump_flows(struct ctl_reply *reply, int argc, char *argv[], void *flowd_)
{
    struct json_writer w;
    struct dump_ctx ctx = { .reply = reply, .now = time_msec() };
    struct bridge *br;
    bool json;

    argc = take_flags(argc, argv, &json, NULL);
    if (argc > 2) {
        ctl_reply_error(reply, CTL_USAGE, "usage: dump-flows [DP] [--format=json]");
        return;
    }
    br = need_datapath(flowd_, reply, argc, argv);
    if (!br) {
        return;
    }
    ctx.dp_name = br->name;
    ctx.user_dp = dp_user_of(br->dp) != NULL;
    dpif_sync_stats(br->dp);        /* Offloaded or kernel flows' counters. */
    if (json) {
        json_writer_init(&w, &reply->output);
        ctx.json = &w;
        json_array_begin(&w);
    }
    dpflow_for_each(&br->dp->flows, dump_one_flow, &ctx);
    if (json) {
        json_array_end(&w);
        buf_put_char(&reply->output, '\n');
    }
}

static void
cmd_del_flows(struct ctl_reply *reply, int argc, char *argv[], void *flowd_)
{
    struct bridge *br = need_datapath(flowd_, reply, argc, argv);

    if (br) {
        bridge_flush_flows(br);
    }
}

static void
cmd_add_flow(struct ctl_reply *reply, int argc, char *argv[], void *flowd_)
{
    struct bridge *br = need_bridge(flowd_, reply, argv[1]);
    struct flowkey key, mask;
    struct dp_actions actions = DP_ACTIONS_INITIALIZER;
    struct buf error = BUF_INITIALIZER;
    struct dpflow *existing;

    if (!br) {
        return;
    }
    if (odp_parse_flow(argv[2], &key, &mask, &actions, &error)) {
        ctl_reply_error(reply, CTL_USAGE, "bad flow: %s", buf_cstr(&error));
        goto out;
    }
    flowkey_mask_canonicalize(&key, &mask);
    existing = dpflow_find_overlap(&br->dp->flows, &key, &mask);
    if (!existing
        && dpflow_install(&br->dp->flows, &key, &mask, actions.data, actions.size,
                          &existing)) {
        goto out;
    }
    buf_clear(&error);
    odp_format_key(&error, &existing->key, dpflow_mask(existing));
    ctl_reply_error(reply, CTL_FAILED, "the flow overlaps an installed flow: %s",
                    buf_cstr(&error));
out:
    dp_actions_uninit(&actions);
    buf_uninit(&error);
}

static void
cmd_del_flow(struct ctl_reply *reply, int argc, char *argv[], void *flowd_)
{
    struct bridge *br = need_bridge(flowd_, reply, argv[1]);
    struct flowkey key, mask;
    struct buf error = BUF_INITIALIZER;
    struct dpflow *flow;

    if (!br) {
        return;
    }
    if (odp_parse_key(argv[2], &key, &mask, &error)) {
        ctl_reply_error(reply, CTL_USAGE, "bad flow key: %s", buf_cstr(&error));
    } else if (!(flow = dpflow_find_exact(&br->dp->flows, &key, &mask))) {
        ctl_reply_error(reply, CTL_FAILED, "no flow with exactly that key and mask "
                        "(see \"dp dump-flows %s\")", br->name);
    } else {
        dpflow_remove(&br->dp->flows, flow);
    }
    buf_uninit(&error);
}

/* A packet to trace, from datapath flow syntax ("in_port(1),eth(...)") or
 * from OpenFlow match syntax ("in_port=1,icmp,nw_dst=10.0.0.2", fields
 * not named are zero). */
static int
parse_trace_flow(const struct bridge *br, const char *text, struct flowkey *key,
                 struct buf *error)
{
    struct ofp_flow_mod fm;
    struct flowkey mask;
    uint32_t dp_port;
    int retval;

    if (strchr(text, '(')) {
        return odp_parse_key(text, key, &mask, error);
    }
    retval = ofp_parse_flow(text, OFP_PARSE_MATCH, NULL, &fm, error);
    if (retval) {
        return retval;
    }
    *key = fm.match.value.pkt;
    ofpacts_uninit(&fm.ofpacts);
    if (!bridge_dp_of_ofport(br, key->in_port, &dp_port)) {
        buf_printf(error, "in_port=%u is not a port of bridge %s", key->in_port, br->name);
        return EINVAL;
    }
    key->in_port = dp_port;
    if (!key->nw_ttl && flowkey_is_ip(key)) {
        key->nw_ttl = 64;           /* A packet that can take a dec_ttl. */
    }
    return 0;
}

static void
cmd_trace(struct ctl_reply *reply, int argc, char *argv[], void *flowd_)
{
    struct bridge *br = need_bridge(flowd_, reply, argv[1]);
    struct dp_upcall_result result;
    struct flowkey key, masked;
    struct buf text = BUF_INITIALIZER;

    if (!br) {
        return;
    }
    if (parse_trace_flow(br, argv[2], &key, &text)) {
        ctl_reply_error(reply, CTL_USAGE, "bad flow: %s (expected OpenFlow match syntax, "
                        "e.g. in_port=1,icmp,nw_dst=10.0.0.2, or datapath syntax, e.g. "
                        "in_port(1),eth(src=..,dst=..))", buf_cstr(&text));
        buf_uninit(&text);
        return;
    }
    memset(&result, 0, sizeof result);
    dp_actions_init(&result.actions);
    bridge_xlate(br, &key, &result, &reply->output);
    flowkey_mask_canonicalize(&key, &result.mask);
    flowkey_apply_mask(&masked, &key, &result.mask);
    odp_format_key(&text, &masked, &result.mask);
    ctl_reply_printf(reply, "megaflow: %s\n", buf_cstr(&text));
    buf_clear(&text);
    odp_format_actions(&text, result.actions.data, result.actions.size);
    ctl_reply_printf(reply, "actions: %s\n", buf_cstr(&text));
    dp_actions_uninit(&result.actions);
    free(result.rules);
    buf_uninit(&text);
}

const struct ctl_command flowd_ctl_commands[] = {
    { "reconfigure", 0, 0, cmd_reconfigure, "reconfigure" },
    { "port-state", 1, 1, cmd_port_state, "port-state BR" },
    { "refresh-ports", 0, 0, cmd_refresh_ports, "refresh-ports" },
    { "mirror-stats", 1, 1, cmd_mirror_stats, "mirror-stats BR" },
    { "export-stats", 1, 1, cmd_export_stats, "export-stats BR" },
    { "bond-show", 1, 1, cmd_bond_show, "bond-show BR" },
    { "tunnel-state", 1, 1, cmd_tunnel_state, "tunnel-state BR" },
    { "fdb-show", 1, 2, cmd_fdb_show, "fdb-show BR [--format=json]" },
    { "fdb-flush", 1, 1, cmd_fdb_flush, "fdb-flush BR" },
    { "dp-show", 0, 3, cmd_dp_show, "dp-show [DP] [-s] [--format=json]" },
    { "dump-flows", 0, 3, cmd_dump_flows, "dump-flows [DP] [--format=json]" },
    { "del-flows", 0, 1, cmd_del_flows, "del-flows [DP]" },
    { "add-flow", 2, 2, cmd_add_flow, "add-flow DP FLOW" },
    { "del-flow", 2, 2, cmd_del_flow, "del-flow DP KEY" },
    { "trace", 2, 2, cmd_trace, "trace BR FLOW" },
    { "version", 0, 0, cmd_version, "version" },
    { "exit", 0, 0, cmd_exit, "exit" },
};
const size_t flowd_n_ctl_commands = ARRAY_SIZE(flowd_ctl_commands);
