/* mirror: SPAN and RSPAN copies in the datapath flows. See mirror.h. */
#include "mirror.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "log.h"
#include "packet.h"
#include "swmirror.h"
#include "util.h"

/* ---- configuration ----------------------------------------------------------- */

static void
bridge_mirror_uninit(struct bridge_mirror *m)
{
    free(m->name);
    free(m->src);
    free(m->dst);
    free(m->vlans);
    free(m->error);
}

/* Datapath ports of the named ports that exist on 'br'. */
static uint32_t *
resolve_ports(const struct bridge *br, char *const *names, size_t n, size_t *n_out)
{
    uint32_t *ports = n ? xcalloc(n, sizeof *ports) : NULL;

    *n_out = 0;
    for (size_t i = 0; i < n; i++) {
        const struct bridge_port *port = bridge_port_by_name(br, names[i]);

        if (port) {
            ports[(*n_out)++] = port->dp_port;
        }
    }
    return ports;
}

static void
bridge_mirror_init(struct bridge_mirror *m, const struct bridge *br,
                   const struct sw_mirror *cfg, size_t index)
{
    const struct bridge_port *out;

    memset(m, 0, sizeof *m);
    m->name = xstrdup(cfg->name);
    m->src = resolve_ports(br, cfg->select_src, cfg->n_select_src, &m->n_src);
    m->dst = resolve_ports(br, cfg->select_dst, cfg->n_select_dst, &m->n_dst);
    m->select_all = cfg->select_all;
    m->n_vlans = cfg->n_select_vlan;
    m->vlans = m->n_vlans ? xmemdup(cfg->select_vlan, m->n_vlans * sizeof *m->vlans) : NULL;
    m->output_vlan = cfg->output_vlan;
    if (index >= MIRROR_MAX) {
        m->error = xasprintf("a bridge has at most %d mirrors", MIRROR_MAX);
    } else if (cfg->output_port) {
        out = bridge_port_by_name(br, cfg->output_port);
        if (!out) {
            m->error = xasprintf("output port %s is not on the bridge", cfg->output_port);
        } else if (out->error) {
            m->error = xasprintf("output port %s: %s", out->name, out->error);
        } else {
            m->has_output_port = true;
            m->output_port = out->dp_port;
        }
    }
}

static bool
u32s_equal(const uint32_t *a, size_t n_a, const uint32_t *b, size_t n_b)
{
    return n_a == n_b && (!n_a || !memcmp(a, b, n_a * sizeof *a));
}

/* Whether two mirrors copy exactly the same packets to the same places. */
static bool
bridge_mirror_equal(const struct bridge_mirror *a, const struct bridge_mirror *b)
{
    return !strcmp(a->name, b->name)
           && u32s_equal(a->src, a->n_src, b->src, b->n_src)
           && u32s_equal(a->dst, a->n_dst, b->dst, b->n_dst)
           && a->select_all == b->select_all
           && a->n_vlans == b->n_vlans
           && (!a->n_vlans || !memcmp(a->vlans, b->vlans, a->n_vlans * sizeof *a->vlans))
           && a->has_output_port == b->has_output_port
           && a->output_port == b->output_port
           && a->output_vlan == b->output_vlan
           && !a->error == !b->error;
}

static bool
mirrors_equal(const struct bridge_mirror *a, size_t n_a, const struct bridge_mirror *b,
              size_t n_b)
{
    if (n_a != n_b) {
        return false;
    }
    for (size_t i = 0; i < n_a; i++) {
        if (!bridge_mirror_equal(&a[i], &b[i])) {
            return false;
        }
    }
    return true;
}

static const struct bridge_mirror *
find_mirror(const struct bridge_mirror *mirrors, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(mirrors[i].name, name)) {
            return &mirrors[i];
        }
    }
    return NULL;
}

/* Marks the ports that are SPAN outputs: normal switching leaves them out. */
static bool
mark_output_ports(struct bridge *br)
{
    bool changed = false;

    for (size_t i = 0; i < br->n_ports; i++) {
        struct bridge_port *port = &br->ports[i];
        bool out = false;

        for (size_t j = 0; j < br->n_mirrors && !out; j++) {
            const struct bridge_mirror *m = &br->mirrors[j];

            out = !m->error && m->has_output_port && m->output_port == port->dp_port;
        }
        changed |= port->mirror_out != out;
        port->mirror_out = out;
    }
    return changed;
}

static void
free_mirrors(struct bridge_mirror *mirrors, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bridge_mirror_uninit(&mirrors[i]);
    }
    free(mirrors);
}

/* flood-vlans=, as validated by swconfig. */
static void
set_flood_vlans(struct bridge *br, const struct sw_bridge *cfg)
{
    const char *value = cfg_file_get(&cfg->options, "flood-vlans");
    struct buf ignored = BUF_INITIALIZER;
    uint16_t *vlans = NULL;
    size_t n = 0;

    if (value && sw_parse_vlan_list(value, 1, &vlans, &n, &ignored)) {
        vlans = NULL;
        n = 0;
    }
    buf_uninit(&ignored);
    if (n == br->n_flood_vlans
        && (!n || !memcmp(vlans, br->flood_vlans, n * sizeof *vlans))) {
        free(vlans);
        return;
    }
    /* Flows of those VLANs were learned or flooded the other way. */
    bridge_flush_flows(br);
    free(br->flood_vlans);
    br->flood_vlans = vlans;
    br->n_flood_vlans = n;
}

bool
mirror_is_flood_vlan(const struct bridge *br, int vlan)
{
    for (size_t i = 0; i < br->n_flood_vlans; i++) {
        if (br->flood_vlans[i] == vlan) {
            return true;
        }
    }
    return false;
}

void
mirror_bridge_reconfigure(struct bridge *br, const struct sw_bridge *cfg, struct buf *errors)
{
    size_t n = cfg->n_mirrors;
    struct bridge_mirror *mirrors = n ? xcalloc(n, sizeof *mirrors) : NULL;

    set_flood_vlans(br, cfg);
    for (size_t i = 0; i < n; i++) {
        const struct bridge_mirror *old;

        bridge_mirror_init(&mirrors[i], br, &cfg->mirrors[i], i);
        old = find_mirror(br->mirrors, br->n_mirrors, mirrors[i].name);
        if (old) {
            mirrors[i].tx_packets = old->tx_packets;
            mirrors[i].tx_bytes = old->tx_bytes;
        }
        if (mirrors[i].error && (!old || !old->error)) {
            /* Not an error of the change that caused it (such as removing
             * the port): the mirror waits, and "portd show" says why. */
            LOG_WARN("%s: mirror %s copies nothing: %s", br->name, mirrors[i].name,
                     mirrors[i].error);
        }
    }
    if (mirrors_equal(mirrors, n, br->mirrors, br->n_mirrors)) {
        free_mirrors(mirrors, n);
        mark_output_ports(br);      /* Ports may have been re-created. */
        return;
    }
    /* The flows carry the old mirrors' copies, and their counters belong
     * to the old mirrors: flush (which credits them) before switching. */
    bridge_flush_flows(br);
    free_mirrors(br->mirrors, br->n_mirrors);
    br->mirrors = mirrors;
    br->n_mirrors = n;
    mark_output_ports(br);
    LOG_INFO("%s: %zu mirror%s", br->name, n, n == 1 ? "" : "s");
}

void
mirror_bridge_destroy(struct bridge *br)
{
    free(br->flood_vlans);
    br->flood_vlans = NULL;
    br->n_flood_vlans = 0;
    free_mirrors(br->mirrors, br->n_mirrors);
    br->mirrors = NULL;
    br->n_mirrors = 0;
}

/* ---- translation ------------------------------------------------------------- */

/* One copy of the packet. */
struct mirror_copy {
    uint32_t dp_port;
    int vlan;                       /* RSPAN VLAN, or -1: the frame as received. */
    bool tagged;                    /* RSPAN: sent tagged with 'vlan'. */
};

struct mirror_ctx {
    struct bridge *br;
    const struct flowkey *key;
    const struct bridge_port *in;
    uint32_t *outputs;              /* Ports the packet's own actions output to. */
    size_t n_outputs;
    int vlan;                       /* VLAN the packet belongs to. */
    struct mirror_copy *copies;     /* At most one per port. */
    size_t n_copies, allocated_copies;
    struct buf *trace;
};

static void SY_PRINTF(2, 3)
trace(struct mirror_ctx *ctx, const char *fmt, ...)
{
    va_list args;

    if (ctx->trace) {
        va_start(args, fmt);
        buf_vprintf(ctx->trace, fmt, args);
        va_end(args);
        buf_put_char(ctx->trace, '\n');
    }
}

static bool
u32s_contain(const uint32_t *ports, size_t n, uint32_t port)
{
    for (size_t i = 0; i < n; i++) {
        if (ports[i] == port) {
            return true;
        }
    }
    return false;
}

static bool
vlans_contain(const uint16_t *vlans, size_t n, int vlan)
{
    for (size_t i = 0; i < n; i++) {
        if (vlans[i] == vlan) {
            return true;
        }
    }
    return false;
}

static void
collect_outputs(struct mirror_ctx *ctx, const struct dp_actions *actions)
{
    size_t allocated = 0;

    DP_ACTIONS_FOR_EACH (nla, actions->data, actions->size) {
        uint32_t port;

        if (dp_nla_type(nla) == OVS_ACTION_ATTR_OUTPUT && dp_nla_size(nla) == 4) {
            memcpy(&port, dp_nla_data(nla), 4);
            ctx->outputs = x2nrealloc(ctx->outputs, &allocated, ctx->n_outputs + 1,
                                      sizeof *ctx->outputs);
            ctx->outputs[ctx->n_outputs++] = port;
        }
    }
}

static bool
mirror_selects(const struct mirror_ctx *ctx, const struct bridge_mirror *m)
{
    bool by_port = m->select_all || u32s_contain(m->src, m->n_src, ctx->in->dp_port);
    bool by_vlan_only = !m->select_all && !m->n_src && !m->n_dst;

    for (size_t i = 0; i < ctx->n_outputs && !by_port; i++) {
        by_port = u32s_contain(m->dst, m->n_dst, ctx->outputs[i]);
    }
    if (!by_port && !by_vlan_only) {
        return false;
    }
    return !m->n_vlans || vlans_contain(m->vlans, m->n_vlans, ctx->vlan);
}

static bool
has_copy(const struct mirror_ctx *ctx, uint32_t dp_port)
{
    for (size_t i = 0; i < ctx->n_copies; i++) {
        if (ctx->copies[i].dp_port == dp_port) {
            return true;
        }
    }
    return false;
}

/* Adds a copy to 'dp_port' unless the port has one or must not get one. */
static void
add_copy(struct mirror_ctx *ctx, const struct bridge_mirror *m, uint32_t dp_port,
         int vlan, bool tagged)
{
    const struct bridge_port *port = bridge_port_by_dp(ctx->br, dp_port);

    if (dp_port == ctx->in->dp_port || has_copy(ctx, dp_port) || !port) {
        return;
    } else if (port->admin_down) {
        /* The kernel datapath would send it (the userspace one drops it). */
        trace(ctx, "mirror %s: port %s is administratively down: no copy", m->name,
              port->name);
        return;
    } else if (vlan < 0 && u32s_contain(ctx->outputs, ctx->n_outputs, dp_port)) {
        trace(ctx, "mirror %s: port %s gets the packet anyway: no copy", m->name,
              port->name);
        return;
    }
    ctx->copies = x2nrealloc(ctx->copies, &ctx->allocated_copies, ctx->n_copies + 1,
                             sizeof *ctx->copies);
    ctx->copies[ctx->n_copies++] = (struct mirror_copy) {
        .dp_port = dp_port, .vlan = vlan, .tagged = tagged,
    };
    if (vlan < 0) {
        trace(ctx, "mirror %s: copy to port %s(%u)", m->name, port->name, dp_port);
    } else {
        trace(ctx, "mirror %s: copy in VLAN %d to port %s(%u)%s", m->name, vlan,
              port->name, dp_port, tagged ? " tagged" : " untagged");
    }
}

/* RSPAN: a copy to every port that carries the mirror's VLAN. */
static void
add_vlan_copies(struct mirror_ctx *ctx, const struct bridge_mirror *m)
{
    for (size_t i = 0; i < ctx->br->n_ports; i++) {
        const struct bridge_port *port = &ctx->br->ports[i];
        bool tagged;

        if (!port->error && !port->mirror_out
            && normal_port_carries_vlan(port, m->output_vlan, &tagged)) {
            add_copy(ctx, m, port->dp_port, m->output_vlan, tagged);
        }
    }
}

/* The outer tag the packet has while the copies are emitted. */
struct tag_state {
    bool original;                  /* As received. */
    bool tagged;
    int vid;
};

static void
set_tag(struct dp_actions *actions, struct tag_state *state, bool tagged, int vid)
{
    if (!state->original && state->tagged == tagged && (!tagged || state->vid == vid)) {
        return;
    }
    if (state->tagged) {
        dp_actions_put_pop_vlan(actions);
    }
    if (tagged) {
        dp_actions_put_push_vlan(actions, ETH_TYPE_VLAN, vid);
    }
    *state = (struct tag_state) { .original = false, .tagged = tagged, .vid = vid };
}

/* The copies, then the packet's tag as it arrived, then its own actions;
 * '*mirror_size' gets the size of what comes before its own actions. */
static void
emit_copies(const struct mirror_ctx *ctx, struct dp_actions *actions,
            uint32_t *mirror_size)
{
    const struct flowkey_vlan *tag = &ctx->key->vlans[0];
    struct tag_state state = { .original = true, .tagged = tag->tpid != 0 };
    struct dp_actions out;

    dp_actions_init(&out);
    for (size_t i = 0; i < ctx->n_copies; i++) {
        if (ctx->copies[i].vlan < 0) {
            dp_actions_put_output(&out, ctx->copies[i].dp_port);
        }
    }
    /* RSPAN copies by VLAN, the untagged ones before the tagged ones. */
    for (size_t i = 0; i < ctx->n_copies; i++) {
        int vlan = ctx->copies[i].vlan;
        bool first = true;

        for (size_t j = 0; j < i && first; j++) {
            first = ctx->copies[j].vlan != vlan;
        }
        for (int pass = 0; vlan >= 0 && first && pass < 2; pass++) {
            for (size_t j = i; j < ctx->n_copies; j++) {
                const struct mirror_copy *c = &ctx->copies[j];

                if (c->vlan == vlan && c->tagged == (pass == 1)) {
                    set_tag(&out, &state, c->tagged, vlan);
                    dp_actions_put_output(&out, c->dp_port);
                }
            }
        }
    }
    if (!state.original) {
        if (state.tagged) {
            dp_actions_put_pop_vlan(&out);
        }
        if (tag->tpid) {
            dp_actions_put_push_vlan(&out, tag->tpid, tag->tci & ~FLOWKEY_VLAN_PRESENT);
        }
    }
    *mirror_size = out.size;
    DP_ACTIONS_FOR_EACH (nla, actions->data, actions->size) {
        dp_actions_put(&out, nla->nla_type, dp_nla_data(nla), dp_nla_size(nla));
    }
    dp_actions_uninit(actions);
    *actions = out;
}

void
mirror_xlate(struct bridge *br, const struct flowkey *key, struct dp_upcall_result *r,
             struct buf *trace_out)
{
    struct mirror_ctx ctx = { .br = br, .key = key, .trace = trace_out };

    ctx.in = bridge_port_by_dp(br, key->in_port);
    if (!br->n_mirrors || !ctx.in) {
        return;
    }
    /* Which mirrors select the packet depends on its VLAN, and restoring
     * its tag after the copies on the whole tag. */
    r->mask.vlans[0].tpid = UINT16_MAX;
    r->mask.vlans[0].tci = UINT16_MAX;
    if (ctx.in->mirror_out) {
        trace(&ctx, "input port %s is a mirror output: not mirrored", ctx.in->name);
        return;
    }
    collect_outputs(&ctx, &r->actions);
    ctx.vlan = normal_input_vlan(ctx.in, key);
    if (ctx.vlan < 0) {
        ctx.vlan = key->vlans[0].tpid ? key->vlans[0].tci & FLOWKEY_VLAN_VID_MASK : 0;
    }
    for (size_t i = 0; i < br->n_mirrors && i < MIRROR_MAX; i++) {
        const struct bridge_mirror *m = &br->mirrors[i];

        if (m->error || !mirror_selects(&ctx, m)) {
            continue;
        }
        r->mirrors |= 1u << i;
        if (m->has_output_port) {
            add_copy(&ctx, m, m->output_port, -1, false);
        } else {
            add_vlan_copies(&ctx, m);
        }
    }
    if (ctx.n_copies) {
        emit_copies(&ctx, &r->actions, &r->mirror_size);
    }
    free(ctx.copies);
    free(ctx.outputs);
}

/* ---- counters ------------------------------------------------------------------ */

void
mirror_credit_flow(struct bridge *br, struct dpflow *flow)
{
    uint64_t packets = flow->packets - flow->mirror_packets;
    uint64_t bytes = flow->bytes - flow->mirror_bytes;

    flow->mirror_packets = flow->packets;
    flow->mirror_bytes = flow->bytes;
    for (size_t i = 0; flow->mirrors && i < br->n_mirrors && i < MIRROR_MAX; i++) {
        if (flow->mirrors & (1u << i)) {
            br->mirrors[i].tx_packets += packets;
            br->mirrors[i].tx_bytes += bytes;
        }
    }
}

static void
credit_one(const struct dpflow *flow, void *br)
{
    mirror_credit_flow(br, (struct dpflow *) flow);
}

void
mirror_credit_all(struct bridge *br)
{
    dpflow_for_each(&br->dp->flows, credit_one, br);
}
