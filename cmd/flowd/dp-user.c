/* dp-user: ports and the per-packet path of the userspace datapath. See
 * dp-user.h; actions are executed in dp-execute.c, flows are looked up in
 * dpflow.c. */
#include "dp-user.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "dp-offload.h"
#include "log.h"
#include "packet.h"
#include "tunnel.h"
#include "util.h"

#define PORT_RETRY_MSEC 1000
#define MAX_BATCHES_PER_RUN 8       /* Fairness between ports. */

static const struct dpif_class dp_user_class;

struct dpif *
dp_user_create(const char *name, dp_upcall_func *upcall, void *aux)
{
    struct dp_user *dp = xzalloc(sizeof *dp);
    struct log_ratelimit rl = LOG_RATELIMIT_INIT(10, 10);

    dpif_init(&dp->up, &dp_user_class, name, upcall, aux);
    dp->upcall_limit = DP_USER_DEFAULT_UPCALL_LIMIT;
    dp->warn_rl = rl;
    dp->sample_countdown = UINT32_MAX;
    return &dp->up;
}

struct dp_user *
dp_user_cast(struct dpif *dpif)
{
    return CONTAINER_OF(dpif, struct dp_user, up);
}

struct dp_user *
dp_user_of(struct dpif *dpif)
{
    return dpif->class == &dp_user_class ? dp_user_cast(dpif) : NULL;
}

struct dp_port *
dp_user_port_of(struct dpif *dpif, uint32_t port_no)
{
    struct dp_user *dp = dp_user_of(dpif);

    return dp ? dp_user_port(dp, port_no) : NULL;
}

static void
dp_port_destroy(struct dp_user *dp, struct dp_port *port)
{
    if (port) {
        dp_offload_port_closing(dp, port);
        if (port->netdev && port->shaping_rate_kbps) {
            netdev_shaping_clear(port->netdev);
        }
        tunnels_port_del(dp->tunnels, port->tunnel);
        netdev_close(port->netdev);
        bond_destroy(port->bond);
        free(port->policer);
        free(port->error);
        free(port->name);
        free(port);
    }
}

/* Nothing outlives flowd here: 'keep' makes no difference. */
static void
dp_user_destroy(struct dpif *dpif, bool keep)
{
    struct dp_user *dp = dp_user_cast(dpif);

    dp_offload_destroy(dp);
    for (uint32_t i = 0; i < dp->n_ports_allocated; i++) {
        dp_port_destroy(dp, dp->ports[i]);
    }
    free(dp->ports);
    free(dp->tx_pending);
    dpif_uninit(&dp->up);
    free(dp);
}

struct dp_port *
dp_user_port(const struct dp_user *dp, uint32_t port_no)
{
    return port_no < dp->n_ports_allocated ? dp->ports[port_no] : NULL;
}

/* Puts the port's egress shaping on its device (just opened, or settings
 * changed). A failure leaves the port forwarding, unshaped, and says why
 * in the log. */
static void
dp_port_apply_shaping(struct dp_port *port)
{
    struct buf error = BUF_INITIALIZER;

    if (port->shaping_rate_kbps
        && netdev_shaping_set(port->netdev, port->shaping_rate_kbps,
                              port->shaping_burst_kbit, &error)) {
        LOG_WARN("port %s: egress shaping not applied: %s", port->name, buf_cstr(&error));
    }
    buf_uninit(&error);
}

static void
dp_port_try_open(struct dp_port *port, long long now)
{
    struct buf error = BUF_INITIALIZER;
    int err;

    if (port->kind == NETDEV_PATCH || port->kind == NETDEV_BOND
        || port->kind == NETDEV_TUNNEL) {
        return;                     /* No device to open. */
    }
    err = netdev_open(port->name, port->kind, &port->netdev, &error);
    if (!err) {
        dp_port_apply_shaping(port);
    }
    free(port->error);
    port->error = err ? buf_steal_cstr(&error) : NULL;
    if (err) {
        port->next_retry = now + PORT_RETRY_MSEC;
    }
    buf_uninit(&error);
}

/* Makes room for port 'port_no', deleting any port of that number. */
static void
dp_port_slot(struct dp_user *dp, uint32_t port_no)
{
    if (port_no >= dp->n_ports_allocated) {
        uint32_t n = MAX(port_no + 1, dp->n_ports_allocated * 2);

        dp->ports = xrealloc(dp->ports, n * sizeof *dp->ports);
        memset(dp->ports + dp->n_ports_allocated, 0,
               (n - dp->n_ports_allocated) * sizeof *dp->ports);
        dp->n_ports_allocated = n;
    }
    dp_user_port_del(dp, port_no);
}

struct dp_port *
dp_user_port_add(struct dp_user *dp, uint32_t port_no, const char *name,
                 enum netdev_kind kind)
{
    struct dp_port *port;

    dp_port_slot(dp, port_no);
    port = xzalloc(sizeof *port);
    port->port_no = port_no;
    port->name = xstrdup(name);
    port->kind = kind;
    dp_port_try_open(port, time_msec());
    if (port->error) {
        LOG_WARN("%s: port %u (%s): %s", dp->up.name, port_no, name, port->error);
    } else {
        dp_offload_port_opened(dp, port);
    }
    dp->ports[port_no] = port;
    return port;
}

struct dp_port *
dp_user_patch_add(struct dp_user *dp, uint32_t port_no, const char *name)
{
    struct dp_port *port = dp_user_port_add(dp, port_no, name, NETDEV_PATCH);

    port->patch = true;
    return port;
}

struct dp_port *
dp_user_bond_add(struct dp_user *dp, uint32_t port_no, const char *name,
                 enum bond_mode mode, const char *lacp, char **members, size_t n_members)
{
    struct dp_port *port = dp_user_port_add(dp, port_no, name, NETDEV_BOND);

    port->bond = bond_create(name, mode, members, n_members);
    bond_set_lacp(port->bond, lacp, port_no);
    bond_keep_active_in_rundir(port->bond, dp->up.name);
    bond_run(port->bond, time_msec());
    return port;
}

void
dp_user_patch_connect(struct dp_port *port, struct dp_user *peer, uint32_t peer_port_no)
{
    port->peer_dp = peer;
    port->peer_port_no = peer_port_no;
}

void
dp_user_port_set_policing(struct dp_port *port, uint32_t rate_kbps, uint32_t burst_kbit)
{
    free(port->policer);
    port->policer = NULL;
    if (rate_kbps) {
        port->policer = xmalloc(sizeof *port->policer);
        token_bucket_init(port->policer, rate_kbps, burst_kbit, time_nsec());
    }
}

void
dp_user_port_set_shaping(struct dp_port *port, uint32_t rate_kbps, uint32_t burst_kbit)
{
    if (port->netdev && port->shaping_rate_kbps && !rate_kbps) {
        netdev_shaping_clear(port->netdev);
    }
    port->shaping_rate_kbps = rate_kbps;
    port->shaping_burst_kbit = burst_kbit;
    if (port->netdev) {
        dp_port_apply_shaping(port);
    }
}

struct dp_port *
dp_user_tunnel_port_add(struct dp_user *dp, uint32_t port_no, const char *name,
                        struct tnl_port *tunnel)
{
    struct dp_port *port = dp_user_port_add(dp, port_no, name, NETDEV_TUNNEL);

    port->tunnel = tunnel;
    port->error = tunnel->error ? xstrdup(tunnel->error) : NULL;
    return port;
}

void
dp_user_port_del(struct dp_user *dp, uint32_t port_no)
{
    if (port_no < dp->n_ports_allocated && dp->ports[port_no]) {
        dp_user_flush(dp);          /* Nothing may point at its netdev. */
        dp_port_destroy(dp, dp->ports[port_no]);
        dp->ports[port_no] = NULL;
    }
}

int
dp_user_fill_pollfds(const struct dp_user *dp, struct pollfd *fds, void **ports, int max)
{
    int n = 0;

    for (uint32_t i = 0; i < dp->n_ports_allocated && n < max; i++) {
        struct dp_port *port = dp->ports[i];

        if (port && port->netdev) {
            fds[n].fd = netdev_fd(port->netdev);
            fds[n].events = POLLIN;
            fds[n].revents = 0;
            ports[n++] = port;
        }
        for (size_t j = 0; port && port->bond && j < port->bond->n_members && n < max; j++) {
            if (port->bond->members[j].netdev) {
                fds[n].fd = netdev_fd(port->bond->members[j].netdev);
                fds[n].events = POLLIN;
                fds[n].revents = 0;
                ports[n++] = port;
            }
        }
    }
    return n;
}

/* A device that went away, or was deleted and created again under the same
 * name (a VM restarted), needs a new socket: the old one is bound to the
 * old ifindex. */
static bool
dp_port_needs_reopen(const struct dp_port *port)
{
    unsigned int ifindex;

    if (!port->netdev || port->kind == NETDEV_TAP || port->tunnel) {
        return false;
    }
    ifindex = if_nametoindex(port->name);
    return (int) ifindex != netdev_ifindex(port->netdev);
}

bool
dp_user_ports_run(struct dp_user *dp, long long now)
{
    bool changed = false;

    for (uint32_t i = 0; i < dp->n_ports_allocated; i++) {
        struct dp_port *port = dp->ports[i];

        if (!port || port->tunnel) {
            continue;               /* Tunnels have no device to open. */
        }
        if (port->bond) {
            changed |= bond_run(port->bond, now);
            continue;
        }
        if (dp_port_needs_reopen(port)) {
            LOG_INFO("%s: port %u (%s): device went away", dp->up.name, i, port->name);
            dp_offload_port_closing(dp, port);
            netdev_close(port->netdev);
            port->netdev = NULL;
            port->next_retry = now;
            changed = true;
        }
        if (!port->netdev && !port->patch && now >= port->next_retry) {
            dp_port_try_open(port, now);
            if (port->netdev) {
                LOG_INFO("%s: port %u (%s): attached", dp->up.name, i, port->name);
                dp_offload_port_opened(dp, port);
                changed = true;
            }
        }
    }
    return changed;
}

void
dp_user_ports_retry_now(struct dp_user *dp)
{
    for (uint32_t i = 0; i < dp->n_ports_allocated; i++) {
        if (dp->ports[i]) {
            dp->ports[i]->next_retry = 0;
        }
        if (dp->ports[i] && dp->ports[i]->bond) {
            bond_retry_now(dp->ports[i]->bond);
        }
    }
}

void
dp_user_set_sampler(struct dp_user *dp, dp_sample_func *sample, void *aux,
                    uint32_t first_skip)
{
    if (sample) {
        dp_offload_flush(dp);       /* Every packet must pass the sampler. */
    }
    dp->sample = sample;
    dp->sample_aux = aux;
    dp->sample_countdown = sample ? MAX(first_skip, 1) : UINT32_MAX;
}

static void
run_sampler(struct dp_user *dp, const struct dp_packet *p, const void *actions,
            size_t size)
{
    uint32_t skip = dp->sample ? dp->sample(dp->sample_aux, p, actions, size) : UINT32_MAX;

    dp->sample_countdown = MAX(skip, 1);
}

/* Samples one packet in every few, as the sampler says: without one, the
 * countdown only wraps every 2^32 packets. */
static inline void
sample_packet(struct dp_user *dp, const struct dp_packet *p, const void *actions,
              size_t size)
{
    if (--dp->sample_countdown == 0) {
        run_sampler(dp, p, actions, size);
    }
}

/* Takes one upcall token of 'port', refilled at dp->upcall_limit a second
 * up to one second's worth. False: the port is over its limit. */
static bool
upcall_allowed(const struct dp_user *dp, struct dp_port *port, long long now)
{
    long long elapsed = now - port->upcall_refill;

    if (elapsed >= 1000 || elapsed < 0) {
        port->upcall_tokens = dp->upcall_limit;
        port->upcall_refill = now;
    } else {
        uint64_t earned = (uint64_t) dp->upcall_limit * elapsed / 1000;

        /* Until a whole token is earned the clock stays put, so that a
         * high packet rate still accumulates its fractions. */
        if (earned) {
            port->upcall_tokens = MIN(port->upcall_tokens + earned, dp->upcall_limit);
            port->upcall_refill = now;
        }
    }
    if (!port->upcall_tokens) {
        return false;
    }
    port->upcall_tokens--;
    return true;
}

static void
handle_miss(struct dp_user *dp, struct dp_port *port, struct dp_packet *p,
            const struct flowkey *key, long long now)
{
    struct dp_upcall_result result;
    struct dpflow *flow = NULL, *existing;

    dp->up.n_missed++;
    if (port && !upcall_allowed(dp, port, now)) {
        port->n_upcall_dropped++;
        dp->n_upcall_dropped++;
        return;
    }
    memset(&result, 0, sizeof result);
    dp_actions_init(&result.actions);
    dp->up.upcall(dp->up.upcall_aux, key, &result);
    if (result.install) {
        if (dp->up.flows.n_flows < dp->up.flow_limit) {
            flow = dpflow_install(&dp->up.flows, key, &result.mask, result.actions.data,
                                  result.actions.size, &existing);
        } else {
            dp->up.n_lost++;
        }
    }
    if (flow) {
        flow->rules = result.rules;
        flow->n_rules = result.n_rules;
        result.rules = NULL;
        flow->learn = result.learn;
        flow->mirrors = result.mirrors;
        flow->mirror_size = result.mirror_size;
        flow->packets = 1;
        flow->learn_packets = 1;
        flow->bytes = p->size;
        flow->used = time_msec();
        flow->tcp_flags = key->nw_proto == IP_PROTO_TCP ? key->tcp_flags : 0;
    }
    /* The sampler reports the packet's own outputs, not mirror copies. */
    sample_packet(dp, p, result.mirror_size ? result.actions.data + result.mirror_size
                                            : result.actions.data,
                  result.actions.size - result.mirror_size);
    dp_user_execute(dp, p, result.actions.data, result.actions.size);
    dp_actions_uninit(&result.actions);
    free(result.rules);
}

static void
process_packet(struct dp_user *dp, struct dp_port *port, struct dp_packet *p, long long now)
{
    const void *own_actions;
    struct flowkey key;
    struct dpflow *flow;
    size_t own_size;

    flowkey_extract(p->data, p->size, p->in_port, &key, NULL);
    if (p->tunnel) {
        key.tun_id = p->tunnel->tun_id;
        key.tun_src = p->tunnel->ip_src;
        key.tun_dst = p->tunnel->ip_dst;
        key.tun_flags = p->tunnel->flags;
        key.tun_tos = p->tunnel->tos;
        key.tun_ttl = p->tunnel->ttl;
        if (p->tunnel->geneve_opts
            && tun_md_from_geneve(&dp->tun_md_map, p->tunnel->geneve_opts,
                                  p->tunnel->geneve_opts_size, &key)) {
            /* A critical option this bridge does not understand. */
            if (port && port->tunnel) {
                port->tunnel->stats.rx_dropped++;
            }
            return;
        }
    }
    flow = dpflow_lookup(&dp->up.flows, &key);
    if (!flow) {
        handle_miss(dp, port, p, &key, now);
        return;
    }
    dp->up.n_hit++;
    flow->packets++;
    flow->bytes += p->size;
    flow->used = now;
    if (dp_offload_due(flow->packets)) {
        dp_offload_note_busy(dp, flow);
    }
    if (key.nw_proto == IP_PROTO_TCP) {
        flow->tcp_flags |= key.tcp_flags;
    }
    own_actions = dpflow_own_actions(flow, &own_size);
    sample_packet(dp, p, own_actions, own_size);
    dp_user_execute(dp, p, flow->actions.data, flow->actions.size);
}

void
dp_user_receive(struct dp_user *dp, struct dp_packet *p)
{
    struct dp_port *port = dp_user_port(dp, p->in_port);

    if (port && !port->admin_down) {
        process_packet(dp, port, p, time_msec());
    }
}

void
dp_user_patch_receive(struct dp_user *dp, struct dp_packet *p)
{
    process_packet(dp, dp_user_port(dp, p->in_port), p, time_msec());
    dp_user_flush(dp);
}

/* Receives what waits on 'netdev' of 'port' (for a bond, that of member
 * 'member'; -1 otherwise). Returns an errno when the device failed. */
static int
port_receive(struct dp_user *dp, struct dp_port *port, struct netdev *netdev, int member)
{
    struct dp_packet_batch batch;
    long long now = time_msec();
    int err = 0;

    for (int i = 0; i < MAX_BATCHES_PER_RUN; i++) {
        uint64_t now_ns;

        err = netdev_rx_batch(netdev, &batch);
        if (netdev_kind(netdev) == NETDEV_AFPACKET) {
            dp->up.n_ring_rx += batch.count;
        }
        now_ns = port->policer && batch.count ? time_nsec() : 0;
        for (unsigned int j = 0; j < batch.count && !port->admin_down; j++) {
            struct dp_packet *p = &batch.packets[j];

            if (member >= 0 && lacp_is_slow_protocol(p->data, p->size)) {
                bond_lacp_receive(port->bond, member, p, now);
                continue;
            } else if (member >= 0 && !bond_accept_rx(port->bond, member, p)) {
                continue;
            }
            if (port->policer && !token_bucket_withdraw(port->policer, p->size, now_ns)) {
                port->n_policed++;
                continue;
            }
            p->in_port = port->port_no;
            p->tunnel = NULL;
            process_packet(dp, port, p, now);
        }
        dp_user_flush(dp);
        netdev_rx_release(netdev);
        if ((err && err != EAGAIN) || batch.count < DP_PACKET_BATCH) {
            break;
        }
    }
    return err == EAGAIN ? 0 : err;
}

void
dp_user_port_run(struct dp_user *dp, struct dp_port *port)
{
    long long now = time_msec();
    int err;

    if (port->bond) {
        for (size_t i = 0; i < port->bond->n_members; i++) {
            struct bond_member *m = &port->bond->members[i];

            err = m->netdev ? port_receive(dp, port, m->netdev, i) : 0;
            if (err) {
                LOG_WARN("%s: bond %s: member %s: receive failed: %s", dp->up.name,
                         port->name, m->name, strerror(err));
                netdev_close(m->netdev);
                m->netdev = NULL;
                m->carrier = false;
                m->next_retry = now + PORT_RETRY_MSEC;
            }
        }
        return;
    }
    err = port->netdev ? port_receive(dp, port, port->netdev, -1) : 0;
    if (err) {
        LOG_WARN("%s: port %u (%s): receive failed: %s", dp->up.name, port->port_no,
                 port->name, strerror(err));
        dp_offload_port_closing(dp, port);
        netdev_close(port->netdev);
        port->netdev = NULL;
        port->next_retry = now + PORT_RETRY_MSEC;
    }
}

static bool
dp_port_rx_pending(const struct dp_port *port)
{
    if (port->bond) {
        for (size_t i = 0; i < port->bond->n_members; i++) {
            if (port->bond->members[i].netdev
                && netdev_rx_pending(port->bond->members[i].netdev)) {
                return true;
            }
        }
        return false;
    }
    return port->netdev && netdev_rx_pending(port->netdev);
}

bool
dp_user_run_pending(struct dp_user *dp)
{
    bool any = false;

    for (uint32_t i = 0; i < dp->n_ports_allocated; i++) {
        struct dp_port *port = dp->ports[i];

        if (port && dp_port_rx_pending(port)) {
            dp_user_port_run(dp, port);
            any = true;
        }
    }
    return any;
}

/* ---- The dpif provider ---------------------------------------------------- */

static void
dp_user_dpif_port_add(struct dpif *dpif, uint32_t port_no, const char *name,
                      enum dpif_port_type type)
{
    dp_user_port_add(dp_user_cast(dpif), port_no, name,
                     type == DPIF_PORT_INTERNAL ? NETDEV_TAP : NETDEV_AFPACKET);
}

static void
dp_user_dpif_port_del(struct dpif *dpif, uint32_t port_no)
{
    dp_user_port_del(dp_user_cast(dpif), port_no);
}

static void
add_stats(struct netdev_stats *sum, const struct netdev_stats *s)
{
    sum->rx_packets += s->rx_packets;
    sum->rx_bytes += s->rx_bytes;
    sum->rx_dropped += s->rx_dropped;
    sum->tx_packets += s->tx_packets;
    sum->tx_bytes += s->tx_bytes;
    sum->tx_errors += s->tx_errors;
    sum->tx_dropped += s->tx_dropped;
}

/* The counters of 'port': its device's, a bond's members' summed, a patch
 * port's own. False (zeroes) when it has none now (device absent). */
static bool
dp_port_get_stats(const struct dp_port *port, struct netdev_stats *stats)
{
    bool any = false;

    memset(stats, 0, sizeof *stats);
    if (port->patch) {
        stats->rx_packets = port->patch_rx_packets;
        stats->rx_bytes = port->patch_rx_bytes;
        stats->tx_packets = port->patch_tx_packets;
        stats->tx_bytes = port->patch_tx_bytes;
        return true;
    } else if (port->bond) {
        for (size_t i = 0; i < port->bond->n_members; i++) {
            if (port->bond->members[i].netdev) {
                add_stats(stats, netdev_get_stats(port->bond->members[i].netdev));
                any = true;
            }
        }
        return any;
    } else if (port->netdev) {
        add_stats(stats, netdev_get_stats(port->netdev));
        stats->rx_packets += port->offload_rx_packets;
        stats->rx_bytes += port->offload_rx_bytes;
        stats->tx_packets += port->offload_tx_packets;
        stats->tx_bytes += port->offload_tx_bytes;
        return true;
    }
    return false;
}

static bool
dp_user_port_status(struct dpif *dpif, uint32_t port_no, struct dpif_port_status *status)
{
    const struct dp_port *port = dp_user_port(dp_user_cast(dpif), port_no);

    if (!port) {
        return false;
    }
    status->deviceless = port->tunnel || port->patch || port->bond;
    status->present = (port->tunnel ? !port->tunnel->error
                       : port->patch ? port->peer_dp != NULL
                       : port->bond ? port->bond->active >= 0
                       : port->netdev != NULL);
    status->failed = port->tunnel && port->tunnel->error;
    status->error = port->error;
    status->has_stats = dp_port_get_stats(port, &status->stats);
    return true;
}

static bool
dp_user_dpif_ports_run(struct dpif *dpif, long long now, bool now_all)
{
    struct dp_user *dp = dp_user_cast(dpif);

    if (now_all) {
        dp_user_ports_retry_now(dp);
    }
    return dp_user_ports_run(dp, now);
}

static int
dp_user_dpif_fill_pollfds(struct dpif *dpif, struct pollfd *fds, void **handles, int max)
{
    return dp_user_fill_pollfds(dp_user_cast(dpif), fds, handles, max);
}

static void
dp_user_handle_ready(struct dpif *dpif, void *port)
{
    dp_user_port_run(dp_user_cast(dpif), port);
}

static bool
dp_user_dpif_run_pending(struct dpif *dpif)
{
    return dp_user_run_pending(dp_user_cast(dpif));
}

static void
dp_user_dpif_execute(struct dpif *dpif, struct dp_packet *packet, const void *actions,
                     size_t size)
{
    struct dp_user *dp = dp_user_cast(dpif);

    dp_user_execute(dp, packet, actions, size);
    dp_user_flush(dp);
}

static uint32_t
dp_user_upcall_pid(struct dpif *dpif, uint32_t port_no)
{
    return 0;                       /* userspace() calls the pipeline directly. */
}

static bool
dp_user_dpif_set_sampler(struct dpif *dpif, dp_sample_func *sample, void *aux,
                         uint32_t first_skip)
{
    dp_user_set_sampler(dp_user_cast(dpif), sample, aux, first_skip);
    return true;
}

static void
dp_user_run(struct dpif *dpif, long long now)
{
    dpflow_rank_subtables(&dpif->flows);
    dp_offload_run(dp_user_cast(dpif), now);
}

static void
dp_user_sync_stats(struct dpif *dpif)
{
    dp_offload_sync_stats(dp_user_cast(dpif));
}

static void
dp_user_flow_uninstall(struct dpif *dpif, struct dpflow *flow)
{
    dp_offload_flow_removed(dp_user_cast(dpif), flow);
}

static const struct bond *
dp_user_port_bond(struct dpif *dpif, uint32_t port_no)
{
    const struct dp_port *port = dp_user_port(dp_user_cast(dpif), port_no);

    return port ? port->bond : NULL;
}

static const struct dpif_class dp_user_class = {
    .type = "user",
    .destroy = dp_user_destroy,
    .port_add = dp_user_dpif_port_add,
    .port_del = dp_user_dpif_port_del,
    .port_status = dp_user_port_status,
    .ports_run = dp_user_dpif_ports_run,
    .fill_pollfds = dp_user_dpif_fill_pollfds,
    .handle_ready = dp_user_handle_ready,
    .run_pending = dp_user_dpif_run_pending,
    .run = dp_user_run,
    .sync_stats = dp_user_sync_stats,
    .execute = dp_user_dpif_execute,
    .upcall_pid = dp_user_upcall_pid,
    .set_sampler = dp_user_dpif_set_sampler,
    .flow_uninstall = dp_user_flow_uninstall,
    .port_bond = dp_user_port_bond,
};
