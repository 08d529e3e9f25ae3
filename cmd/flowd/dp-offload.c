/* dp-offload: see dp-offload.h.
 *
 * Each offloaded flow owns a slot of its input port; slot i is the tc
 * filter at priority PRIO_BASE + i on the device's ingress (one u32 filter
 * per priority, so that deleting the priority deletes exactly it). A
 * port's socket filter is rebuilt from its slots whenever one changes. */
#include "dp-offload.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/openvswitch.h>
#include <stdlib.h>
#include <string.h>

#include "dp-user.h"
#include "log.h"
#include "offload-match.h"
#include "tc-u32.h"
#include "util.h"

#define PRIO_BASE 0xc000            /* Slot i: tc priority PRIO_BASE + i. */
#define BPF_MAX_INSNS 4096          /* The kernel's limit (BPF_MAXINSNS). */
#define ETH_HEADER_SIZE 14
#define MAX_CANDIDATES 16           /* Flows offloaded per run at most. */

/* An offloaded flow (dpflow.dp_data). */
struct offload_flow {
    struct dp_port *in;             /* Its input port (holds the slot). */
    unsigned int slot;
    struct offload_match match;
    uint32_t out_ports[TC_U32_MAX_OUTPUTS];
    size_t n_out;
    uint64_t packets;               /* The filter's counters, last read. */
    uint64_t bytes;
};

/* A port whose device carries offloaded flows. */
struct offload_port {
    int ifindex;
    bool clsact_created;            /* Ours to delete. */
    struct dpflow *slots[DP_OFFLOAD_MAX_PER_PORT];
    size_t n_used;
};

/* A busy flow to consider at the next run, by key and mask (it may be
 * gone by then). */
struct offload_candidate {
    struct flowkey key;
    struct flowkey mask;
};

/* Per datapath. */
struct dp_offload {
    bool disabled;                  /* flow-offload=false. */
    bool failed;                    /* The kernel refused: given up. */
    struct tc_sock *tc;             /* Opened on first use. */
    size_t n_flows;
    struct offload_candidate *candidates; /* MAX_CANDIDATES, allocated on
                                           * first use. */
    size_t n_candidates;
    bool was_allowed;               /* Offload was allowed at the last run. */
    struct log_ratelimit rl;
};

static struct dp_offload *
get_state(struct dp_user *dp)
{
    if (!dp->offload) {
        struct log_ratelimit rl = LOG_RATELIMIT_INIT(5, 5);

        dp->offload = xzalloc(sizeof *dp->offload);
        dp->offload->rl = rl;
    }
    return dp->offload;
}

bool
dp_offload_is_enabled(const struct dp_user *dp)
{
    return !dp->offload || (!dp->offload->disabled && !dp->offload->failed);
}

size_t
dp_offload_count(const struct dp_user *dp)
{
    return dp->offload ? dp->offload->n_flows : 0;
}

bool
dp_offload_flow_is_offloaded(const struct dpflow *flow)
{
    return flow->dp_data != NULL;
}

/* ---- What may be offloaded ---------------------------------------------- */

/* A port whose packets flowd need not see one by one. */
static bool
port_is_plain(const struct dp_port *port)
{
    return port && port->netdev && port->kind == NETDEV_AFPACKET && !port->admin_down
           && !port->policer && !port->shaping_rate_kbps && !port->bond && !port->tunnel
           && !port->patch;
}

/* Fills the output ports of 'actions' if they are outputs to plain ports
 * and nothing else. */
static bool
plain_outputs(struct dp_user *dp, const void *actions, size_t size, uint32_t *out,
              size_t *n_out)
{
    size_t n = 0;

    DP_ACTIONS_FOR_EACH (nla, actions, size) {
        uint32_t port_no;

        if (dp_nla_type(nla) != OVS_ACTION_ATTR_OUTPUT || dp_nla_size(nla) != 4
            || n == TC_U32_MAX_OUTPUTS) {
            return false;
        }
        memcpy(&port_no, dp_nla_data(nla), 4);
        if (!port_is_plain(dp_user_port(dp, port_no))) {
            return false;
        }
        out[n++] = port_no;
    }
    *n_out = n;
    return n > 0;
}

static bool
offload_allowed(const struct dp_user *dp)
{
    return dp_offload_is_enabled(dp) && !dp->sample;
}

/* ---- The kernel's side --------------------------------------------------- */

static void
give_up(struct dp_user *dp, const char *what, int err)
{
    LOG_WARN("%s: flow offload off: %s: %s", dp->up.name, what, strerror(err));
    get_state(dp)->failed = true;
}

/* The route netlink socket, opened on first use. */
static int
open_tc_sock(struct dp_user *dp, struct tc_sock **tc)
{
    struct dp_offload *st = get_state(dp);
    int err = st->tc ? 0 : tc_sock_open(&st->tc);

    if (err) {
        st->tc = NULL;
    }
    *tc = st->tc;
    return err;
}

static int
transact(struct dp_user *dp, const struct buf *msg)
{
    struct tc_sock *tc;
    int err = open_tc_sock(dp, &tc);

    if (err) {
        give_up(dp, "cannot open a route netlink socket", err);
        return err;
    }
    return tc_sock_transact(tc, msg);
}

static int
delete_filter(struct dp_user *dp, int ifindex, unsigned int slot, uint16_t eth_type)
{
    struct buf msg = BUF_INITIALIZER;
    int err;

    tc_put_filter_del(&msg, ifindex, PRIO_BASE + slot, eth_type, 0);
    err = transact(dp, &msg);
    buf_uninit(&msg);
    return err;
}

/* Our priorities on a device, found by a dump (deleted after it: the
 * socket answers one request at a time). */
struct stale_filters {
    uint16_t eth_type[DP_OFFLOAD_MAX_PER_PORT];
    bool found[DP_OFFLOAD_MAX_PER_PORT];
};

static void
note_stale(const struct tc_filter_info *info, void *stale_)
{
    struct stale_filters *stale = stale_;
    unsigned int slot = info->prio - PRIO_BASE;

    if (info->prio >= PRIO_BASE && slot < DP_OFFLOAD_MAX_PER_PORT) {
        stale->found[slot] = true;
        stale->eth_type[slot] = info->eth_type;
    }
}

void
dp_offload_port_opened(struct dp_user *dp, struct dp_port *port)
{
    struct stale_filters stale;
    struct tc_sock *tc;
    int ifindex;

    if (port->kind != NETDEV_AFPACKET || !port->netdev || open_tc_sock(dp, &tc)) {
        return;
    }
    memset(&stale, 0, sizeof stale);
    ifindex = netdev_ifindex(port->netdev);
    tc_sock_dump_filters(tc, ifindex, note_stale, &stale);
    for (unsigned int slot = 0; slot < DP_OFFLOAD_MAX_PER_PORT; slot++) {
        if (stale.found[slot]) {
            LOG_INFO("%s: port %s: removing a filter an earlier flowd left", dp->up.name,
                     port->name);
            delete_filter(dp, ifindex, slot, stale.eth_type[slot]);
        }
    }
}

/* The port's offload state, created with a clsact qdisc on its device the
 * first time. */
static struct offload_port *
port_state(struct dp_user *dp, struct dp_port *port)
{
    struct offload_port *op = port->offload;
    struct buf msg = BUF_INITIALIZER;
    int err;

    if (op) {
        return op;
    }
    tc_put_clsact_add(&msg, netdev_ifindex(port->netdev), 0);
    err = transact(dp, &msg);
    buf_uninit(&msg);
    if (err && err != EEXIST) {
        give_up(dp, "cannot add a clsact qdisc", err);
        return NULL;
    }
    op = xzalloc(sizeof *op);
    op->ifindex = netdev_ifindex(port->netdev);
    op->clsact_created = !err;
    port->offload = op;
    return op;
}

/* The port's offloaded matches; returns how many. */
static size_t
port_matches(const struct offload_port *op, struct offload_match *matches)
{
    size_t n = 0;

    for (size_t i = 0; op && i < DP_OFFLOAD_MAX_PER_PORT; i++) {
        if (op->slots[i]) {
            matches[n++] = ((const struct offload_flow *) op->slots[i]->dp_data)->match;
        }
    }
    return n;
}

/* Whether the port's socket filter has room for 'match' too. */
static bool
filter_has_room(const struct offload_port *op, const struct offload_match *match)
{
    struct offload_match matches[DP_OFFLOAD_MAX_PER_PORT + 1];
    size_t n = port_matches(op, matches);

    matches[n++] = *match;
    return offload_bpf_size(matches, n) <= BPF_MAX_INSNS;
}

/* Puts the socket filter for the port's offloaded flows on its socket. */
static int
update_socket_filter(struct dp_port *port)
{
    struct offload_match matches[DP_OFFLOAD_MAX_PER_PORT];
    size_t n = port_matches(port->offload, matches), size;
    struct sock_filter *prog;
    int err;

    if (!n) {
        return netdev_set_socket_filter(port->netdev, NULL, 0);
    }
    size = offload_bpf_size(matches, n);
    prog = xmalloc(size * sizeof *prog);
    offload_bpf_build(matches, n, prog);
    err = netdev_set_socket_filter(port->netdev, prog, size);
    free(prog);
    return err;
}

/* ---- Counters ------------------------------------------------------------ */

struct stats_ctx {
    struct dp_user *dp;
    struct dp_port *port;
    long long now;
};

/* Brings a flow's counters, and its ports', up to the filter's. */
static void
credit(struct dp_user *dp, struct dpflow *flow, uint64_t packets, uint64_t bytes,
       long long now)
{
    struct offload_flow *of = flow->dp_data;
    uint64_t dp_packets, dp_bytes;

    if (packets <= of->packets) {
        return;
    }
    /* tc counts from the network header: add the Ethernet header back, as
     * flowd counts frames. */
    dp_packets = packets - of->packets;
    dp_bytes = (bytes >= of->bytes ? bytes - of->bytes : 0) + dp_packets * ETH_HEADER_SIZE;
    of->packets = packets;
    of->bytes = bytes;
    flow->packets += dp_packets;
    flow->bytes += dp_bytes;
    flow->used = now;
    of->in->offload_rx_packets += dp_packets;
    of->in->offload_rx_bytes += dp_bytes;
    for (size_t i = 0; i < of->n_out; i++) {
        struct dp_port *out = dp_user_port(dp, of->out_ports[i]);

        if (out) {
            out->offload_tx_packets += dp_packets;
            out->offload_tx_bytes += dp_bytes;
        }
    }
}

static void
take_filter_stats(const struct tc_filter_info *info, void *ctx_)
{
    struct stats_ctx *ctx = ctx_;
    struct offload_port *op = ctx->port->offload;
    unsigned int slot = info->prio - PRIO_BASE;

    if (info->has_stats && info->prio >= PRIO_BASE && slot < DP_OFFLOAD_MAX_PER_PORT
        && op->slots[slot]) {
        credit(ctx->dp, op->slots[slot], info->packets, info->bytes, ctx->now);
    }
}

static void
port_sync_stats(struct dp_user *dp, struct dp_port *port, long long now)
{
    struct stats_ctx ctx = { dp, port, now };
    struct dp_offload *st = dp->offload;

    if (port->offload && port->offload->n_used && st && st->tc) {
        tc_sock_dump_filters(st->tc, port->offload->ifindex, take_filter_stats, &ctx);
    }
}

void
dp_offload_sync_stats(struct dp_user *dp)
{
    long long now = time_msec();

    for (uint32_t i = 0; dp->offload && dp->offload->n_flows && i < dp->n_ports_allocated;
         i++) {
        if (dp->ports[i]) {
            port_sync_stats(dp, dp->ports[i], now);
        }
    }
}

/* ---- Offloading and taking back ------------------------------------------ */

/* Takes 'flow' back from the kernel, its counters already brought up to
 * date: the tc filter first, then the socket filter (in that order a
 * packet can be lost in between, never forwarded twice). */
static void
release(struct dp_user *dp, struct dpflow *flow)
{
    struct offload_flow *of = flow->dp_data;
    struct dp_port *port = of->in;
    struct offload_port *op = port->offload;

    delete_filter(dp, op->ifindex, of->slot, of->match.eth_type);
    op->slots[of->slot] = NULL;
    op->n_used--;
    dp->offload->n_flows--;
    flow->dp_data = NULL;
    free(of);
    if (port->netdev) {
        update_socket_filter(port);
    }
}

/* Takes back every offloaded flow 'which' says so of, reading each input
 * port's counters once before its first one goes. */
static void
take_back_if(struct dp_user *dp,
             bool (*which)(struct dp_user *, const struct dpflow *, const void *aux),
             const void *aux)
{
    long long now = time_msec();

    for (uint32_t i = 0; dp_offload_count(dp) && i < dp->n_ports_allocated; i++) {
        struct dp_port *port = dp->ports[i];
        bool synced = false;

        for (size_t j = 0; port && port->offload && j < DP_OFFLOAD_MAX_PER_PORT; j++) {
            struct dpflow *flow = port->offload->slots[j];

            if (flow && which(dp, flow, aux)) {
                if (!synced) {
                    port_sync_stats(dp, port, now);
                    synced = true;
                }
                release(dp, flow);
            }
        }
    }
}

static int
add_filter(struct dp_user *dp, const struct offload_flow *of, int ifindex)
{
    struct tc_u32_filter filter;
    struct buf msg = BUF_INITIALIZER;
    int err;

    memset(&filter, 0, sizeof filter);
    filter.ifindex = ifindex;
    filter.prio = PRIO_BASE + of->slot;
    filter.eth_type = of->match.eth_type;
    for (size_t i = 0; i < of->match.n_words; i++) {
        const struct offload_word *w = &of->match.words[i];

        filter.keys[i].value = htonl(w->value);
        filter.keys[i].mask = htonl(w->mask);
        filter.keys[i].offset = (int32_t) w->offset - ETH_HEADER_SIZE;
    }
    filter.n_keys = of->match.n_words;
    for (size_t i = 0; i < of->n_out; i++) {
        filter.out_ifindex[i] = netdev_ifindex(dp_user_port(dp, of->out_ports[i])->netdev);
    }
    filter.n_outputs = of->n_out;
    tc_put_u32_add(&msg, &filter, 0);
    err = transact(dp, &msg);
    buf_uninit(&msg);
    return err;
}

static bool
free_slot(const struct offload_port *op, unsigned int *slot)
{
    for (unsigned int i = 0; i < DP_OFFLOAD_MAX_PER_PORT; i++) {
        if (!op->slots[i]) {
            *slot = i;
            return true;
        }
    }
    return false;
}

/* Offloads the flow of 'key' under 'mask' if it may be. Its input port's
 * ring is drained first, so that packets already in it do not trail the
 * ones the kernel starts forwarding; then the tc filter forwards the
 * flow's packets, and the socket filter takes them from flowd. The tc
 * request is the slow step (a millisecond): done first, it leaves only
 * the microseconds of the socket option in which a packet goes both ways
 * (the other order would lose the packets of the whole millisecond).
 * Draining runs upcalls, which may remove flows (a MAC move): the flow is
 * looked up again after it. */
static void
try_offload(struct dp_user *dp, const struct flowkey *key, const struct flowkey *mask)
{
    struct dp_port *port = dp_user_port(dp, key->in_port);
    struct offload_flow *of;
    struct offload_port *op;
    struct dpflow *flow;
    const void *own;
    size_t own_size;
    unsigned int slot;
    int err;

    if (!port_is_plain(port)) {
        return;
    }
    dp_user_port_run(dp, port);
    flow = dpflow_find_exact(&dp->up.flows, key, mask);
    if (!flow || flow->dp_data || flow->mirror_size || !port_is_plain(port)) {
        return;
    }
    own = dpflow_own_actions(flow, &own_size);
    of = xzalloc(sizeof *of);
    if (!plain_outputs(dp, own, own_size, of->out_ports, &of->n_out)
        || !offload_match_from_flow(&flow->key, dpflow_mask(flow), &of->match)) {
        free(of);
        return;
    }
    op = port_state(dp, port);
    if (!op || !free_slot(op, &slot) || !filter_has_room(op, &of->match)) {
        free(of);
        return;
    }
    of->in = port;
    of->slot = slot;
    op->slots[slot] = flow;
    op->n_used++;
    dp->offload->n_flows++;
    flow->dp_data = of;
    err = add_filter(dp, of, op->ifindex);
    err = err ? err : update_socket_filter(port);
    if (err) {
        if (log_ratelimit_allow(&dp->offload->rl)) {
            LOG_WARN("%s: port %s: cannot offload a flow: %s", dp->up.name, port->name,
                     strerror(err));
        }
        release(dp, flow);
    }
}

/* Whether an offloaded flow still may be: its ports may have changed. */
static bool
still_allowed(struct dp_user *dp, const struct dpflow *flow)
{
    const struct offload_flow *of = flow->dp_data;

    if (!port_is_plain(of->in)) {
        return false;
    }
    for (size_t i = 0; i < of->n_out; i++) {
        if (!port_is_plain(dp_user_port(dp, of->out_ports[i]))) {
            return false;
        }
    }
    return true;
}

void
dp_offload_note_busy(struct dp_user *dp, const struct dpflow *flow)
{
    struct dp_offload *st = get_state(dp);
    struct offload_candidate *c;

    if (flow->dp_data || st->n_candidates == MAX_CANDIDATES || !offload_allowed(dp)) {
        return;
    }
    if (!st->candidates) {
        st->candidates = xmalloc(MAX_CANDIDATES * sizeof *st->candidates);
    }
    c = &st->candidates[st->n_candidates++];
    c->key = flow->key;
    c->mask = *dpflow_mask(flow);
}

/* The flows that may no longer be offloaded (their ports changed, or
 * offload is off). */
static bool
no_longer_allowed(struct dp_user *dp, const struct dpflow *flow, const void *aux)
{
    return !offload_allowed(dp) || !still_allowed(dp, flow);
}

static bool
note_if_busy(struct dpflow *flow, void *dp_)
{
    struct dp_user *dp = dp_;

    if (flow->packets >= DP_OFFLOAD_MIN_PACKETS && time_msec() - flow->used < 1000) {
        dp_offload_note_busy(dp, flow);
    }
    return false;
}

void
dp_offload_run(struct dp_user *dp, long long now)
{
    struct dp_offload *st = dp->offload;
    bool allowed;

    if (!st) {
        return;
    }
    dp_offload_sync_stats(dp);
    take_back_if(dp, no_longer_allowed, NULL);
    allowed = offload_allowed(dp);
    if (allowed && !st->was_allowed) {
        /* Turned on again (or sFlow off): the flows that got busy in the
         * meantime, once, rather than at their next power of two. */
        dpflow_sweep(&dp->up.flows, note_if_busy, dp);
    }
    st->was_allowed = allowed;
    /* Offloading drains rings, which may remove flows: the candidates are
     * keys, looked up again one by one. */
    for (size_t i = 0; i < st->n_candidates && offload_allowed(dp); i++) {
        try_offload(dp, &st->candidates[i].key, &st->candidates[i].mask);
    }
    st->n_candidates = 0;
}

void
dp_offload_flow_removed(struct dp_user *dp, struct dpflow *flow)
{
    struct offload_flow *of = flow->dp_data;

    if (of) {
        port_sync_stats(dp, of->in, time_msec());
        release(dp, flow);
    }
}

static bool
any_flow(struct dp_user *dp, const struct dpflow *flow, const void *aux)
{
    return true;
}

void
dp_offload_flush(struct dp_user *dp)
{
    take_back_if(dp, any_flow, NULL);
}

/* The flows that enter or leave through port 'port_'. */
static bool
through_port(struct dp_user *dp, const struct dpflow *flow, const void *port_)
{
    const struct offload_flow *of = flow->dp_data;
    const struct dp_port *port = port_;

    if (of->in == port) {
        return true;
    }
    for (size_t i = 0; i < of->n_out; i++) {
        if (of->out_ports[i] == port->port_no) {
            return true;
        }
    }
    return false;
}

void
dp_offload_port_changed(struct dp_user *dp, struct dp_port *port)
{
    if (!port_is_plain(port)) {
        take_back_if(dp, through_port, port);
    }
}

void
dp_offload_port_closing(struct dp_user *dp, struct dp_port *port)
{
    struct offload_port *op = port->offload;

    take_back_if(dp, through_port, port);
    if (op) {
        if (op->clsact_created) {
            struct buf msg = BUF_INITIALIZER;

            tc_put_clsact_del(&msg, op->ifindex, 0);
            transact(dp, &msg);
            buf_uninit(&msg);
        }
        free(op);
        port->offload = NULL;
    }
}

void
dp_offload_set_enabled(struct dp_user *dp, bool enabled)
{
    struct dp_offload *st = get_state(dp);

    if (enabled && st->disabled) {
        st->failed = false;         /* Turned on again: try again. */
    }
    st->disabled = !enabled;
    if (!enabled) {
        dp_offload_flush(dp);
    }
}

void
dp_offload_destroy(struct dp_user *dp)
{
    if (!dp->offload) {
        return;
    }
    for (uint32_t i = 0; i < dp->n_ports_allocated; i++) {
        if (dp->ports[i]) {
            dp_offload_port_closing(dp, dp->ports[i]);
        }
    }
    tc_sock_close(dp->offload->tc);
    free(dp->offload->candidates);
    free(dp->offload);
    dp->offload = NULL;
}
