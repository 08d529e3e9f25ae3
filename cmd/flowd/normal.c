/* normal: the NORMAL action, a learning switch with 802.1Q VLANs.
 *
 * It decides from the input port, the outer VLAN tag and the Ethernet
 * addresses only, so the megaflow it produces matches exactly those and
 * wildcards everything above L2: one flow serves every IP flow between two
 * MACs, and a broadcast flood is one flow per (port, source MAC, VLAN), not
 * one per L4 source port.
 *
 * Port VLAN modes, as on a physical switch (and as Open vSwitch has them):
 *   access          untagged member of VLAN 'tag'; tagged frames dropped
 *                   (except priority tags, VID 0)
 *   trunk           tagged member of 'trunks' (none = all); untagged frames
 *                   are VLAN 0, allowed when 0 is a trunk or trunks is empty
 *   native-untagged trunk whose untagged frames belong to VLAN 'tag', which
 *                   it also sends untagged
 *   native-tagged   the same, but VLAN 'tag' is sent tagged
 *
 * A mirror's output port (mirror.h) is no switch port: what arrives on it
 * is dropped and nothing is flooded or forwarded to it. */
#include <stdarg.h>
#include <string.h>

#include "bridge.h"
#include "mirror.h"
#include "odp.h"
#include "packet.h"

enum vlan_encap { ENCAP_UNTAGGED, ENCAP_TAGGED };

struct normal_ctx {
    struct bridge *bridge;
    const struct flowkey *key;      /* The packet as it is now. */
    struct dp_actions *actions;     /* Where the outputs go. */
    struct flowkey *mask;           /* Fields the decision depends on (ORed). */
    struct dpflow_learn *learn;     /* What learning this packet implies. */
    struct buf *trace;              /* Explanation, or NULL. */
    const struct bridge_port *in;   /* Input port. */
    int vlan;                       /* VLAN the packet belongs to. */
};

static void SY_PRINTF(2, 3)
trace(struct normal_ctx *ctx, const char *fmt, ...)
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
vlan_in_trunks(const struct bridge_port *port, int vlan)
{
    if (!port->n_trunks) {
        return true;
    }
    for (size_t i = 0; i < port->n_trunks; i++) {
        if (port->trunks[i] == vlan) {
            return true;
        }
    }
    return false;
}

/* The VLAN a frame arriving on 'port' belongs to, or -1 to drop it. */
static int
input_vlan(const struct bridge_port *port, bool tagged, int vid)
{
    bool untagged = !tagged || vid == 0;

    switch (port->vlan_mode) {
    case SW_VLAN_ACCESS:
        return untagged ? port->tag : -1;
    case SW_VLAN_NATIVE_TAGGED:
    case SW_VLAN_NATIVE_UNTAGGED:
        if (untagged) {
            return port->tag;
        }
        return vid == port->tag || vlan_in_trunks(port, vid) ? vid : -1;
    case SW_VLAN_TRUNK:
    case SW_VLAN_AUTO:
    default:
        return vlan_in_trunks(port, untagged ? 0 : vid) ? (untagged ? 0 : vid) : -1;
    }
}

/* Whether 'port' carries 'vlan', and if so how. */
static bool
output_encap(const struct bridge_port *port, int vlan, enum vlan_encap *encap)
{
    switch (port->vlan_mode) {
    case SW_VLAN_ACCESS:
        *encap = ENCAP_UNTAGGED;
        return port->tag == vlan;
    case SW_VLAN_NATIVE_UNTAGGED:
    case SW_VLAN_NATIVE_TAGGED:
        if (vlan == port->tag) {
            *encap = port->vlan_mode == SW_VLAN_NATIVE_UNTAGGED || !vlan
                     ? ENCAP_UNTAGGED : ENCAP_TAGGED;
            return true;
        }
        *encap = vlan ? ENCAP_TAGGED : ENCAP_UNTAGGED;
        return vlan_in_trunks(port, vlan);
    case SW_VLAN_TRUNK:
    case SW_VLAN_AUTO:
    default:
        *encap = vlan ? ENCAP_TAGGED : ENCAP_UNTAGGED;
        return vlan_in_trunks(port, vlan);
    }
}

int
normal_input_vlan(const struct bridge_port *port, const struct flowkey *key)
{
    return input_vlan(port, key->vlans[0].tpid != 0,
                      key->vlans[0].tci & FLOWKEY_VLAN_VID_MASK);
}

bool
normal_port_carries_vlan(const struct bridge_port *port, int vlan, bool *tagged)
{
    enum vlan_encap encap;

    if (!output_encap(port, vlan, &encap)) {
        return false;
    }
    *tagged = encap == ENCAP_TAGGED;
    return true;
}

struct vlan_state {
    bool tagged;                    /* The packet carries a tag now. */
    int vid;                        /* Its VID, when tagged. */
};

static void
emit_output(struct normal_ctx *ctx, struct vlan_state *state, uint32_t dp_port,
            enum vlan_encap encap)
{
    struct dp_actions *actions = ctx->actions;

    if (encap == ENCAP_UNTAGGED && state->tagged) {
        dp_actions_put_pop_vlan(actions);
        state->tagged = false;
    } else if (encap == ENCAP_TAGGED && (!state->tagged || state->vid != ctx->vlan)) {
        if (state->tagged) {
            dp_actions_put_pop_vlan(actions);
        }
        dp_actions_put_push_vlan(actions, ETH_TYPE_VLAN, ctx->vlan);
        state->tagged = true;
        state->vid = ctx->vlan;
    }
    bridge_put_output(ctx->bridge, dp_port, ctx->key, ctx->mask, actions);
}

static bool
encap_matches_state(enum vlan_encap encap, const struct vlan_state *state, int vlan)
{
    return encap == ENCAP_UNTAGGED ? !state->tagged
                                   : state->tagged && state->vid == vlan;
}

/* Outputs to 'ports': first those that take the packet as it is, then the
 * rest, so that a flood changes the tag at most twice. */
static void
emit_outputs(struct normal_ctx *ctx, const struct bridge_port **ports,
             const enum vlan_encap *encaps, size_t n)
{
    struct vlan_state initial = {
        .tagged = ctx->key->vlans[0].tpid != 0,
        .vid = ctx->key->vlans[0].tci & FLOWKEY_VLAN_VID_MASK,
    };
    struct vlan_state state = initial;
    bool done[n ? n : 1];

    memset(done, 0, sizeof done);
    for (size_t i = 0; i < n; i++) {
        if (encap_matches_state(encaps[i], &initial, ctx->vlan)) {
            emit_output(ctx, &state, ports[i]->dp_port, encaps[i]);
            done[i] = true;
        }
    }
    for (int pass = ENCAP_UNTAGGED; pass <= ENCAP_TAGGED; pass++) {
        for (size_t i = 0; i < n; i++) {
            if (!done[i] && encaps[i] == (enum vlan_encap) pass) {
                emit_output(ctx, &state, ports[i]->dp_port, encaps[i]);
            }
        }
    }
}

static void
flood(struct normal_ctx *ctx)
{
    const struct bridge *br = ctx->bridge;
    const struct bridge_port *ports[br->n_ports ? br->n_ports : 1];
    enum vlan_encap encaps[br->n_ports ? br->n_ports : 1];
    size_t n = 0;

    for (size_t i = 0; i < br->n_ports; i++) {
        const struct bridge_port *port = &br->ports[i];

        /* Split horizon: what came out of a tunnel is not flooded into
         * another one. In a full mesh every host floods to every other
         * itself; passing a flood on would loop it around the mesh. */
        if (port != ctx->in && !port->error && !port->mirror_out
            && !(tnl_port_type_is_tunnel(ctx->in->type)
                 && tnl_port_type_is_tunnel(port->type))
            && output_encap(port, ctx->vlan, &encaps[n])) {
            ports[n++] = port;
        }
    }
    if (ctx->trace) {
        struct buf list = BUF_INITIALIZER;

        for (size_t i = 0; i < n; i++) {
            buf_printf(&list, "%s%s(%u)", i ? ", " : "", ports[i]->name, ports[i]->dp_port);
        }
        trace(ctx, "flood in VLAN %d to %s", ctx->vlan, n ? buf_cstr(&list) : "no port");
        buf_uninit(&list);
    }
    emit_outputs(ctx, ports, encaps, n);
}

static void
learn_source(struct normal_ctx *ctx)
{
    const struct flowkey *key = ctx->key;
    enum mac_learn_result learned;

    if (mirror_is_flood_vlan(ctx->bridge, ctx->vlan)) {
        trace(ctx, "VLAN %d is a flood VLAN: nothing learned", ctx->vlan);
        return;
    }
    if (eth_addr_is_multicast(key->eth_src)) {
        trace(ctx, "source " ETH_ADDR_FMT " is multicast: not learned",
              ETH_ADDR_ARGS(key->eth_src));
        return;
    }
    ctx->learn->valid = true;
    ctx->learn->vlan = ctx->vlan;
    memcpy(ctx->learn->mac, key->eth_src, 6);
    ctx->learn->port = ctx->in->dp_port;
    if (ctx->trace) {
        trace(ctx, "source " ETH_ADDR_FMT " on VLAN %d port %u would be learned",
              ETH_ADDR_ARGS(key->eth_src), ctx->vlan, ctx->in->dp_port);
        return;
    }
    learned = mac_table_learn(&ctx->bridge->macs, ctx->vlan, key->eth_src,
                              ctx->in->dp_port, time_msec());
    if (learned != MAC_LEARN_REFRESHED) {
        bridge_revalidate_mac(ctx->bridge, key->eth_src);
    }
}

static void
forward(struct normal_ctx *ctx)
{
    const struct flowkey *key = ctx->key;
    const struct mac_entry *entry;
    const struct bridge_port *out;
    enum vlan_encap encap;

    if (eth_addr_is_multicast(key->eth_dst)) {
        trace(ctx, "destination " ETH_ADDR_FMT " is %s", ETH_ADDR_ARGS(key->eth_dst),
              eth_addr_is_broadcast(key->eth_dst) ? "broadcast" : "multicast");
        flood(ctx);
        return;
    } else if (mirror_is_flood_vlan(ctx->bridge, ctx->vlan)) {
        flood(ctx);
        return;
    }
    entry = mac_table_lookup(&ctx->bridge->macs, ctx->vlan, key->eth_dst);
    out = entry ? bridge_port_by_dp(ctx->bridge, entry->port) : NULL;
    if (!out || out->mirror_out) {
        trace(ctx, "destination " ETH_ADDR_FMT " not learned on VLAN %d",
              ETH_ADDR_ARGS(key->eth_dst), ctx->vlan);
        flood(ctx);
    } else if (out == ctx->in) {
        trace(ctx, "destination " ETH_ADDR_FMT " was learned on the input port: drop "
              "(no reflection)", ETH_ADDR_ARGS(key->eth_dst));
    } else if (!output_encap(out, ctx->vlan, &encap)) {
        trace(ctx, "destination's port %s does not carry VLAN %d: drop", out->name,
              ctx->vlan);
    } else {
        trace(ctx, "destination " ETH_ADDR_FMT " learned on port %s(%u)",
              ETH_ADDR_ARGS(key->eth_dst), out->name, out->dp_port);
        emit_outputs(ctx, &out, &encap, 1);
    }
}

void
normal_translate(struct bridge *br, const struct flowkey *key, struct dp_actions *actions,
                 struct flowkey *mask, struct dpflow_learn *learn, struct buf *trace_out)
{
    struct normal_ctx ctx = {
        .bridge = br, .key = key, .actions = actions, .mask = mask, .learn = learn,
        .trace = trace_out,
    };
    bool tagged = key->vlans[0].tpid != 0;
    int vid = key->vlans[0].tci & FLOWKEY_VLAN_VID_MASK;

    mask->in_port = UINT32_MAX;
    ctx.in = bridge_port_by_dp(br, key->in_port);
    if (!ctx.in) {
        trace(&ctx, "NORMAL: input port %u is not on bridge %s: drop", key->in_port,
              br->name);
        return;
    } else if (ctx.in->mirror_out) {
        trace(&ctx, "NORMAL: port %s is a mirror's output port: drop", ctx.in->name);
        return;
    }
    mask->vlans[0].tpid = 0xffff;
    mask->vlans[0].tci |= FLOWKEY_VLAN_PRESENT | FLOWKEY_VLAN_VID_MASK;
    ctx.vlan = input_vlan(ctx.in, tagged, vid);
    if (ctx.vlan < 0) {
        trace(&ctx, "NORMAL: %s with VID %d not allowed on port %s (%s): drop",
              tagged ? "tagged" : "untagged", vid, ctx.in->name,
              sw_vlan_mode_to_string(ctx.in->vlan_mode));
        return;
    }
    trace(&ctx, "NORMAL: %s frame on port %s(%u) -> VLAN %d",
          tagged ? "tagged" : "untagged", ctx.in->name, ctx.in->dp_port, ctx.vlan);

    memset(mask->eth_src, 0xff, 6);
    memset(mask->eth_dst, 0xff, 6);
    learn_source(&ctx);
    forward(&ctx);
}
