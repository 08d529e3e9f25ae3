/* xlate: the OpenFlow pipeline. For a packet that missed the datapath's
 * flows it walks the bridge's tables from table 0 (goto_table, resubmit,
 * the action set), and turns what the rules say into datapath actions plus
 * the mask of every field the walk depended on, which becomes the megaflow.
 *
 * Two views of the packet are kept: 'flow', as the pipeline sees it (with
 * every set_field applied at once, and metadata and registers), and 'base',
 * as the datapath will have it after the actions emitted so far. Header
 * changes are only emitted ("committed") when the packet leaves: before an
 * output, NORMAL or a packet-in, the difference between the two becomes
 * set/push/pop actions. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "connmgr.h"
#include "mirror.h"
#include "ipfix.h"
#include "netflow.h"
#include "ofp-print.h"
#include "ofproto.h"
#include "packet.h"
#include "sflow.h"
#include "util.h"

#define XLATE_MAX_DEPTH 64          /* Nested tables (goto + resubmit). */

struct xlate_ctx {
    struct bridge *br;
    struct dp_actions *actions;     /* Output. */
    struct dpflow_learn *learn;     /* NORMAL's learning, if any. */
    struct buf *trace;              /* Explanation, or NULL. */
    struct of_fields flow;          /* The packet as the pipeline sees it. */
    struct of_fields base;          /* The packet as the datapath will have it. */
    struct of_fields dirty;         /* Packet bits written, not yet committed. */
    struct of_fields wc;            /* Bits the translation depended on. */
    bool vlan_touched;              /* The outer tag may differ from 'base'. */
    struct ofpacts action_set;      /* write_actions. */
    uint8_t table_id;               /* Table being executed. */
    int depth;                      /* Nesting of tables. */
    bool halted;                    /* Stop translating (drop the rest). */
    struct ofrule **rules;          /* Rules hit, for their counters. */
    size_t n_rules, allocated_rules;
};

static void SY_PRINTF(2, 3)
trace(struct xlate_ctx *ctx, const char *fmt, ...)
{
    va_list args;

    if (ctx->trace) {
        buf_printf(ctx->trace, "%*s", ctx->depth > 1 ? (ctx->depth - 1) * 4 : 0, "");
        va_start(args, fmt);
        buf_vprintf(ctx->trace, fmt, args);
        va_end(args);
        buf_put_char(ctx->trace, '\n');
    }
}

static void do_ofpacts(struct xlate_ctx *, const struct ofpacts *, int *goto_table);
static void xlate_table(struct xlate_ctx *, uint8_t table_id);

/* ---- committing header changes ------------------------------------------ */

static void
commit_vlan(struct xlate_ctx *ctx)
{
    struct flowkey_vlan *fv = &ctx->flow.pkt.vlans[0], *bv = &ctx->base.pkt.vlans[0];

    if (!ctx->vlan_touched) {
        return;
    }
    ctx->vlan_touched = false;
    /* Whether the tag changes depends on the packet's own tag. */
    ctx->wc.pkt.vlans[0].tpid = UINT16_MAX;
    ctx->wc.pkt.vlans[0].tci = UINT16_MAX;
    if (fv->tpid == bv->tpid && fv->tci == bv->tci) {
        return;
    }
    if (bv->tci & FLOWKEY_VLAN_PRESENT) {
        dp_actions_put_pop_vlan(ctx->actions);
    }
    if (fv->tci & FLOWKEY_VLAN_PRESENT) {
        dp_actions_put_push_vlan(ctx->actions, fv->tpid, fv->tci & ~FLOWKEY_VLAN_PRESENT);
    }
    *bv = *fv;
}

static void
commit_eth(struct xlate_ctx *ctx)
{
    const struct flowkey *d = &ctx->dirty.pkt, *f = &ctx->flow.pkt;
    struct ovs_key_ethernet value, mask;

    if (is_all_zeros(d->eth_src, 6) && is_all_zeros(d->eth_dst, 6)) {
        return;
    }
    memcpy(mask.eth_src, d->eth_src, 6);
    memcpy(mask.eth_dst, d->eth_dst, 6);
    for (int i = 0; i < 6; i++) {
        /* Unmasked bytes zero, so the action prints and parses exactly. */
        value.eth_src[i] = f->eth_src[i] & mask.eth_src[i];
        value.eth_dst[i] = f->eth_dst[i] & mask.eth_dst[i];
    }
    dp_actions_put_set_masked(ctx->actions, OVS_KEY_ATTR_ETHERNET, &value, &mask,
                              sizeof value);
}

static void
commit_ipv4(struct xlate_ctx *ctx)
{
    const struct flowkey *d = &ctx->dirty.pkt, *f = &ctx->flow.pkt;
    struct ovs_key_ipv4 value, mask;

    if (f->eth_type != ETH_TYPE_IP
        || !(d->ipv4_src || d->ipv4_dst || d->nw_tos || d->nw_ttl)) {
        return;
    }
    memset(&value, 0, sizeof value);
    memset(&mask, 0, sizeof mask);
    mask.ipv4_src = d->ipv4_src;
    mask.ipv4_dst = d->ipv4_dst;
    mask.ipv4_tos = d->nw_tos;
    mask.ipv4_ttl = d->nw_ttl;
    value.ipv4_src = f->ipv4_src & mask.ipv4_src;
    value.ipv4_dst = f->ipv4_dst & mask.ipv4_dst;
    value.ipv4_tos = f->nw_tos & mask.ipv4_tos;
    value.ipv4_ttl = f->nw_ttl & mask.ipv4_ttl;
    dp_actions_put_set_masked(ctx->actions, OVS_KEY_ATTR_IPV4, &value, &mask, sizeof value);
}

static void
commit_l4(struct xlate_ctx *ctx)
{
    const struct flowkey *d = &ctx->dirty.pkt, *f = &ctx->flow.pkt;
    uint16_t value[2], mask[2];
    uint16_t type;

    if (!d->tp_src && !d->tp_dst) {
        return;
    }
    if (f->eth_type != ETH_TYPE_IP && f->eth_type != ETH_TYPE_IPV6) {
        return;
    } else if (f->nw_proto == IP_PROTO_TCP) {
        type = OVS_KEY_ATTR_TCP;
    } else if (f->nw_proto == IP_PROTO_UDP) {
        type = OVS_KEY_ATTR_UDP;
    } else if (f->nw_proto == IP_PROTO_SCTP) {
        type = OVS_KEY_ATTR_SCTP;
    } else {
        trace(ctx, "rewriting ports of IP protocol %u is not supported: ignored",
              f->nw_proto);
        return;
    }
    value[0] = htons(f->tp_src & d->tp_src);
    value[1] = htons(f->tp_dst & d->tp_dst);
    mask[0] = htons(d->tp_src);
    mask[1] = htons(d->tp_dst);
    dp_actions_put_set_masked(ctx->actions, type, value, mask, sizeof value);
}

static void
commit_ipv6(struct xlate_ctx *ctx)
{
    const struct flowkey *d = &ctx->dirty.pkt, *f = &ctx->flow.pkt;
    struct ovs_key_ipv6 value, mask;

    if (f->eth_type != ETH_TYPE_IPV6
        || !(!is_all_zeros(d->ipv6_src, 16) || !is_all_zeros(d->ipv6_dst, 16)
             || d->ipv6_label || d->nw_tos || d->nw_ttl)) {
        return;
    }
    memset(&value, 0, sizeof value);
    memset(&mask, 0, sizeof mask);
    memcpy(mask.ipv6_src, d->ipv6_src, 16);
    memcpy(mask.ipv6_dst, d->ipv6_dst, 16);
    for (int i = 0; i < 16; i++) {
        ((uint8_t *) value.ipv6_src)[i] = f->ipv6_src[i] & d->ipv6_src[i];
        ((uint8_t *) value.ipv6_dst)[i] = f->ipv6_dst[i] & d->ipv6_dst[i];
    }
    mask.ipv6_label = htonl(d->ipv6_label & 0xfffff);
    value.ipv6_label = htonl(f->ipv6_label & d->ipv6_label & 0xfffff);
    mask.ipv6_tclass = d->nw_tos;
    mask.ipv6_hlimit = d->nw_ttl;
    value.ipv6_tclass = f->nw_tos & mask.ipv6_tclass;
    value.ipv6_hlimit = f->nw_ttl & mask.ipv6_hlimit;
    dp_actions_put_set_masked(ctx->actions, OVS_KEY_ATTR_IPV6, &value, &mask, sizeof value);
}

/* ARP keeps its addresses in the IPv4 members, its opcode's low byte in
 * nw_proto (see flowkey.h). */
static void
commit_arp(struct xlate_ctx *ctx)
{
    const struct flowkey *d = &ctx->dirty.pkt, *f = &ctx->flow.pkt;
    struct ovs_key_arp value, mask;

    if (f->eth_type != ETH_TYPE_ARP
        || !(d->ipv4_src || d->ipv4_dst || d->nw_proto || !is_all_zeros(d->arp_sha, 6)
             || !is_all_zeros(d->arp_tha, 6))) {
        return;
    }
    memset(&value, 0, sizeof value);
    memset(&mask, 0, sizeof mask);
    mask.arp_sip = d->ipv4_src;
    mask.arp_tip = d->ipv4_dst;
    mask.arp_op = htons(d->nw_proto == 0xff ? 0xffff : d->nw_proto);
    memcpy(mask.arp_sha, d->arp_sha, 6);
    memcpy(mask.arp_tha, d->arp_tha, 6);
    value.arp_sip = f->ipv4_src & mask.arp_sip;
    value.arp_tip = f->ipv4_dst & mask.arp_tip;
    value.arp_op = htons(f->nw_proto) & mask.arp_op;
    for (int i = 0; i < 6; i++) {
        value.arp_sha[i] = f->arp_sha[i] & mask.arp_sha[i];
        value.arp_tha[i] = f->arp_tha[i] & mask.arp_tha[i];
    }
    dp_actions_put_set_masked(ctx->actions, OVS_KEY_ATTR_ARP, &value, &mask, sizeof value);
}

/* Emits what turns the datapath's packet into the pipeline's view. */
static void
commit(struct xlate_ctx *ctx)
{
    uint32_t in_port = ctx->base.pkt.in_port;

    commit_vlan(ctx);
    commit_eth(ctx);
    commit_ipv4(ctx);
    commit_ipv6(ctx);
    commit_arp(ctx);
    commit_l4(ctx);
    memset(&ctx->dirty, 0, sizeof ctx->dirty);
    ctx->base.pkt = ctx->flow.pkt;
    ctx->base.pkt.in_port = in_port;
}

/* ---- outputs ---------------------------------------------------------- */

static void
output_dp(struct xlate_ctx *ctx, uint32_t dp_port)
{
    commit(ctx);
    bridge_put_output(ctx->br, dp_port, &ctx->flow.pkt, &ctx->wc.pkt, ctx->actions);
}

/* Keeps 'base' right after NORMAL, which pushes and pops tags itself. */
static void
follow_vlan_actions(struct xlate_ctx *ctx, size_t from)
{
    struct flowkey *b = &ctx->base.pkt;

    DP_ACTIONS_FOR_EACH (nla, ctx->actions->data + from, ctx->actions->size - from) {
        if (dp_nla_type(nla) == OVS_ACTION_ATTR_POP_VLAN) {
            b->vlans[0] = b->vlans[1];
            memset(&b->vlans[1], 0, sizeof b->vlans[1]);
            ctx->vlan_touched = true;
        } else if (dp_nla_type(nla) == OVS_ACTION_ATTR_PUSH_VLAN) {
            const struct ovs_action_push_vlan *push = dp_nla_data(nla);

            b->vlans[1] = b->vlans[0];
            b->vlans[0].tpid = ntohs(push->vlan_tpid);
            b->vlans[0].tci = ntohs(push->vlan_tci) | FLOWKEY_VLAN_PRESENT;
            ctx->vlan_touched = true;
        }
    }
}

static void
output_normal(struct xlate_ctx *ctx)
{
    struct flowkey key, mask;
    size_t start;
    uint32_t dp_port;

    commit(ctx);
    if (!bridge_dp_of_ofport(ctx->br, ctx->flow.pkt.in_port, &dp_port)) {
        trace(ctx, "NORMAL: input port %u is not a port of the bridge: drop",
              ctx->flow.pkt.in_port);
        return;
    }
    key = ctx->base.pkt;
    key.in_port = dp_port;
    memset(&mask, 0, sizeof mask);
    start = ctx->actions->size;
    ctx->depth++;
    normal_translate(ctx->br, &key, ctx->actions, &mask, ctx->learn, ctx->trace);
    ctx->depth--;
    mask.in_port = 0;
    for (size_t i = 0; i < sizeof mask; i++) {
        ((uint8_t *) &ctx->wc.pkt)[i] |= ((const uint8_t *) &mask)[i];
    }
    follow_vlan_actions(ctx, start);
}

static void
output_all(struct xlate_ctx *ctx, bool flood)
{
    const struct bridge *br = ctx->br;

    trace(ctx, "%s: every port but the input port", flood ? "FLOOD" : "ALL");
    for (size_t i = 0; i < br->n_ports; i++) {
        const struct bridge_port *port = &br->ports[i];

        if (bridge_ofport_of_dp(br, port->dp_port) != ctx->flow.pkt.in_port
            && !port->error) {
            output_dp(ctx, port->dp_port);
        }
    }
}

static bool
is_table_miss_rule(const struct ofrule *rule)
{
    return !rule->priority && ofrule_is_catchall(rule);
}

/* Where the datapath sends a packet-in: the upcall socket of the packet's
 * input port (the kernel needs one; the userspace datapath ignores it). */
static uint32_t
upcall_pid(const struct xlate_ctx *ctx)
{
    uint32_t dp_port;

    if (!bridge_dp_of_ofport(ctx->br, ctx->base.pkt.in_port, &dp_port)) {
        dp_port = BRIDGE_LOCAL_DP_PORT;
    }
    return dpif_upcall_pid(ctx->br->dp, dp_port);
}

static void
output_controller(struct xlate_ctx *ctx, uint16_t max_len, uint8_t reason)
{
    struct bridge_packet_in_cookie cookie;
    const struct ofrule *rule = ctx->n_rules ? ctx->rules[ctx->n_rules - 1] : NULL;

    /* OpenFlow 1.3: a packet sent up by the table-miss entry (priority 0,
     * matching everything) is a no-match packet-in, not an action one. */
    if (rule && reason == OFPR_ACTION && is_table_miss_rule(rule)) {
        reason = OFPR_NO_MATCH;
    }
    commit(ctx);
    memset(&cookie, 0, sizeof cookie);
    cookie.reason = reason;
    cookie.table_id = ctx->table_id;
    cookie.max_len = max_len;
    cookie.rule_cookie = rule ? rule->cookie : UINT64_MAX;
    trace(ctx, "CONTROLLER: packet-in (max_len %u)", max_len);
    dp_actions_put_userspace(ctx->actions, upcall_pid(ctx), &cookie, sizeof cookie);
}

static void
output_port(struct xlate_ctx *ctx, uint32_t port, uint16_t max_len)
{
    uint32_t in_port = ctx->flow.pkt.in_port;
    uint32_t dp_port;

    switch (port) {
    case OFPP13_IN_PORT:
        if (bridge_dp_of_ofport(ctx->br, in_port, &dp_port)) {
            output_dp(ctx, dp_port);
        }
        break;
    case OFPP13_NORMAL:
        output_normal(ctx);
        break;
    case OFPP13_FLOOD:
    case OFPP13_ALL:
        output_all(ctx, port == OFPP13_FLOOD);
        break;
    case OFPP13_CONTROLLER:
        output_controller(ctx, max_len, OFPR_ACTION);
        break;
    case OFPP13_TABLE:
        xlate_table(ctx, 0);
        break;
    default:
        if (port == in_port) {
            trace(ctx, "output:%u is the input port: skipped (use in_port)", port);
        } else if (!bridge_dp_of_ofport(ctx->br, port, &dp_port)) {
            trace(ctx, "output:%u: no such port: skipped", port);
        } else {
            output_dp(ctx, dp_port);
        }
        break;
    }
}

/* ---- header and metadata actions ---------------------------------------- */

static void
mark_dirty(struct xlate_ctx *ctx, const struct of_field_desc *field,
           const union of_value *mask)
{
    of_field_set(field, &ctx->dirty, mask, mask);
    if (field->id == OFF_VLAN_TCI || field->id == OFF_VLAN_VID || field->id == OFF_VLAN_PCP) {
        ctx->vlan_touched = true;
    }
}

/* mod_vlan_vid/mod_vlan_pcp on an untagged packet push a tag first. */
static void
ensure_tag(struct xlate_ctx *ctx)
{
    struct flowkey_vlan *v = &ctx->flow.pkt.vlans[0];

    if (!(v->tci & FLOWKEY_VLAN_PRESENT)) {
        ctx->flow.pkt.vlans[1] = *v;
        v->tpid = ETH_TYPE_VLAN;
        v->tci = FLOWKEY_VLAN_PRESENT;
    }
    ctx->vlan_touched = true;
}

static void
set_field(struct xlate_ctx *ctx, enum of_field_id id, const union of_value *value,
          const union of_value *mask)
{
    const struct of_field_desc *field = of_field_by_id(id);

    if (id == OFF_VLAN_VID || id == OFF_VLAN_PCP) {
        ensure_tag(ctx);
    }
    of_field_set(field, &ctx->flow, value, mask);
    mark_dirty(ctx, field, mask);
}

static bool
value_bit(const union of_value *v, unsigned int n_bytes, unsigned int bit)
{
    return (v->u8[n_bytes - 1 - bit / 8] >> (bit % 8)) & 1;
}

static void
set_value_bit(union of_value *v, unsigned int n_bytes, unsigned int bit, bool on)
{
    uint8_t *byte = &v->u8[n_bytes - 1 - bit / 8];

    *byte = on ? *byte | (1u << (bit % 8)) : *byte & ~(1u << (bit % 8));
}

static void
reg_move(struct xlate_ctx *ctx, const struct ofpact *a)
{
    const struct of_field_desc *src = of_field_by_id(a->reg_move.src);
    const struct of_field_desc *dst = of_field_by_id(a->reg_move.dst);
    union of_value sv, dv, dmask, smask;

    if (a->reg_move.src_ofs + a->reg_move.n_bits > src->n_bytes * 8
        || a->reg_move.dst_ofs + a->reg_move.n_bits > dst->n_bytes * 8) {
        return;                     /* Checked at flow_mod; be safe anyway. */
    }
    of_field_get(src, &ctx->flow, &sv);
    memset(&dv, 0, sizeof dv);
    memset(&dmask, 0, sizeof dmask);
    memset(&smask, 0, sizeof smask);
    for (unsigned int i = 0; i < a->reg_move.n_bits; i++) {
        bool bit = value_bit(&sv, src->n_bytes, a->reg_move.src_ofs + i);

        set_value_bit(&dv, dst->n_bytes, a->reg_move.dst_ofs + i, bit);
        set_value_bit(&dmask, dst->n_bytes, a->reg_move.dst_ofs + i, true);
        set_value_bit(&smask, src->n_bytes, a->reg_move.src_ofs + i, true);
    }
    /* The result depends on the source bits. */
    of_field_set(src, &ctx->wc, &smask, &smask);
    of_field_set(dst, &ctx->flow, &dv, &dmask);
    mark_dirty(ctx, dst, &dmask);
}

static void
dec_ttl(struct xlate_ctx *ctx)
{
    struct flowkey *f = &ctx->flow.pkt;

    if (!flowkey_is_ip(f)) {
        return;
    }
    ctx->wc.pkt.nw_ttl = UINT8_MAX;
    if (f->nw_ttl <= 1) {
        /* Like a router: the packet goes no further; controllers that
         * asked for invalid-TTL packet-ins get it whole. */
        trace(ctx, "dec_ttl: TTL %u would expire: stop, packet-in (invalid TTL)", f->nw_ttl);
        output_controller(ctx, UINT16_MAX, OFPR_INVALID_TTL);
        ctx->halted = true;
        return;
    }
    f->nw_ttl--;
    ctx->dirty.pkt.nw_ttl = UINT8_MAX;
}

static void
push_vlan(struct xlate_ctx *ctx, uint16_t tpid)
{
    struct flowkey *f = &ctx->flow.pkt;

    commit(ctx);
    if (f->vlans[1].tci & FLOWKEY_VLAN_PRESENT) {
        trace(ctx, "push_vlan: a third tag is not supported: drop");
        ctx->halted = true;
        return;
    }
    /* The new tag copies the VID and PCP of the current outer tag. */
    f->vlans[1] = f->vlans[0];
    f->vlans[0].tpid = tpid;
    f->vlans[0].tci = FLOWKEY_VLAN_PRESENT | (f->vlans[1].tci & ~FLOWKEY_VLAN_PRESENT);
    ctx->wc.pkt.vlans[0].tci |= FLOWKEY_VLAN_VID_MASK | FLOWKEY_VLAN_PCP_MASK;
    dp_actions_put_push_vlan(ctx->actions, tpid, f->vlans[0].tci & ~FLOWKEY_VLAN_PRESENT);
    ctx->base.pkt.vlans[1] = ctx->base.pkt.vlans[0];
    ctx->base.pkt.vlans[0] = f->vlans[0];
}

static void
pop_vlan(struct xlate_ctx *ctx)
{
    struct flowkey *f = &ctx->flow.pkt;

    commit(ctx);
    if (!(f->vlans[0].tci & FLOWKEY_VLAN_PRESENT)) {
        return;
    }
    dp_actions_put_pop_vlan(ctx->actions);
    f->vlans[0] = f->vlans[1];
    memset(&f->vlans[1], 0, sizeof f->vlans[1]);
    ctx->base.pkt.vlans[0] = f->vlans[0];
    ctx->base.pkt.vlans[1] = f->vlans[1];
}

static void
resubmit(struct xlate_ctx *ctx, const struct ofpact *a)
{
    uint32_t saved_in_port = ctx->flow.pkt.in_port;
    uint8_t table = a->resubmit.table == 255 ? ctx->table_id : a->resubmit.table;

    if (a->resubmit.in_port != OFPP13_IN_PORT) {
        ctx->flow.pkt.in_port = a->resubmit.in_port;
    }
    trace(ctx, "resubmit to table %u", table);
    xlate_table(ctx, table);
    ctx->flow.pkt.in_port = saved_in_port;
}

static void
do_action(struct xlate_ctx *ctx, const struct ofpact *a)
{
    union of_value value;

    switch (a->type) {
    case OFPACT_OUTPUT:
        output_port(ctx, a->output.port, a->output.max_len);
        break;
    case OFPACT_CONTROLLER:
        output_controller(ctx, a->controller.max_len, a->controller.reason);
        break;
    case OFPACT_SET_VLAN_VID:
        ensure_tag(ctx);
        ctx->flow.pkt.vlans[0].tci = (ctx->flow.pkt.vlans[0].tci & ~FLOWKEY_VLAN_VID_MASK)
                                     | (a->vlan_vid & FLOWKEY_VLAN_VID_MASK);
        break;
    case OFPACT_SET_VLAN_PCP:
        ensure_tag(ctx);
        ctx->flow.pkt.vlans[0].tci = (ctx->flow.pkt.vlans[0].tci & ~FLOWKEY_VLAN_PCP_MASK)
                                     | ((a->vlan_pcp & 7) << FLOWKEY_VLAN_PCP_SHIFT);
        break;
    case OFPACT_STRIP_VLAN:
        pop_vlan(ctx);
        break;
    case OFPACT_PUSH_VLAN:
        push_vlan(ctx, a->push_vlan_tpid);
        break;
    case OFPACT_SET_FIELD:
        value = a->set_field.value;
        set_field(ctx, a->set_field.field, &value, &a->set_field.mask);
        break;
    case OFPACT_REG_MOVE:
        reg_move(ctx, a);
        break;
    case OFPACT_DEC_TTL:
        dec_ttl(ctx);
        break;
    case OFPACT_RESUBMIT:
        resubmit(ctx, a);
        break;
    case OFPACT_GROUP:
    case OFPACT_METER:
    case OFPACT_GOTO_TABLE:
    case OFPACT_WRITE_METADATA:
    case OFPACT_CLEAR_ACTIONS:
    case OFPACT_WRITE_ACTIONS:
    default:
        break;
    }
}

/* ---- the action set (write_actions) --------------------------------------- */

static bool
is_instruction(enum ofpact_type type)
{
    return type == OFPACT_GOTO_TABLE || type == OFPACT_WRITE_METADATA
           || type == OFPACT_CLEAR_ACTIONS || type == OFPACT_WRITE_ACTIONS;
}


/* The action set holds at most one action of each kind; a new one replaces
 * the old (set_field: per field). */
static void
action_set_write(struct xlate_ctx *ctx, const struct ofpacts *actions)
{
    for (size_t i = 0; i < actions->n; i++) {
        const struct ofpact *new_ = &actions->acts[i];
        struct ofpacts *set = &ctx->action_set;
        size_t j;

        if (is_instruction(new_->type)) {
            continue;               /* Not actions; refused at flow_mod. */
        }
        for (j = 0; j < set->n; j++) {
            const struct ofpact *old = &set->acts[j];

            if (old->type == new_->type
                && (old->type != OFPACT_SET_FIELD
                    || old->set_field.field == new_->set_field.field)) {
                break;
            }
        }
        if (j == set->n) {
            ofpacts_put(set, new_->type);
        }
        set->acts[j] = *new_;
    }
}

/* Executes the action set in the order OpenFlow 1.3 prescribes. */
static void
action_set_execute(struct xlate_ctx *ctx)
{
    static const enum ofpact_type order[] = {
        OFPACT_STRIP_VLAN, OFPACT_PUSH_VLAN, OFPACT_DEC_TTL, OFPACT_SET_VLAN_VID,
        OFPACT_SET_VLAN_PCP, OFPACT_SET_FIELD, OFPACT_REG_MOVE, OFPACT_OUTPUT,
        OFPACT_CONTROLLER,
    };

    if (!ctx->action_set.n) {
        return;
    }
    trace(ctx, "executing the action set (%zu actions)", ctx->action_set.n);
    for (size_t k = 0; k < ARRAY_SIZE(order) && !ctx->halted; k++) {
        for (size_t i = 0; i < ctx->action_set.n && !ctx->halted; i++) {
            if (ctx->action_set.acts[i].type == order[k]) {
                do_action(ctx, &ctx->action_set.acts[i]);
            }
        }
    }
}

/* ---- instructions and tables -------------------------------------------- */

/* Runs a rule's instructions in OpenFlow's order: apply-actions, clear,
 * write, metadata, then tells where to go next (-1: nowhere). */
static void
do_ofpacts(struct xlate_ctx *ctx, const struct ofpacts *ofpacts, int *goto_table)
{
    *goto_table = -1;
    for (size_t i = 0; i < ofpacts->n && !ctx->halted; i++) {
        if (!is_instruction(ofpacts->acts[i].type)) {
            do_action(ctx, &ofpacts->acts[i]);
        }
    }
    for (size_t i = 0; i < ofpacts->n && !ctx->halted; i++) {
        const struct ofpact *a = &ofpacts->acts[i];

        if (a->type == OFPACT_CLEAR_ACTIONS) {
            ofpacts_uninit(&ctx->action_set);
            ofpacts_init(&ctx->action_set);
        }
    }
    for (size_t i = 0; i < ofpacts->n && !ctx->halted; i++) {
        const struct ofpact *a = &ofpacts->acts[i];

        if (a->type == OFPACT_WRITE_ACTIONS && a->nested) {
            action_set_write(ctx, a->nested);
        } else if (a->type == OFPACT_WRITE_METADATA) {
            ctx->flow.metadata = (ctx->flow.metadata & ~a->metadata.mask)
                                 | (a->metadata.value & a->metadata.mask);
        } else if (a->type == OFPACT_GOTO_TABLE) {
            *goto_table = a->goto_table;
        }
    }
}

static void
record_rule(struct xlate_ctx *ctx, struct ofrule *rule)
{
    ctx->rules = x2nrealloc(ctx->rules, &ctx->allocated_rules, ctx->n_rules + 1,
                            sizeof *ctx->rules);
    ctx->rules[ctx->n_rules++] = rule;
}

static void
xlate_table(struct xlate_ctx *ctx, uint8_t table_id)
{
    uint8_t saved_table = ctx->table_id;
    struct ofrule *rule;
    int next;

    if (table_id >= OFPROTO_N_TABLES || ctx->depth >= XLATE_MAX_DEPTH) {
        trace(ctx, "table %u: too deep or no such table: drop", table_id);
        ctx->halted = true;
        return;
    }
    ctx->depth++;
    rule = oftable_lookup(&ctx->br->ofproto.tables[table_id], &ctx->flow, &ctx->wc);
    if (!rule) {
        if (connmgr_miss_to_controller(ctx->br->connmgr)) {
            trace(ctx, "table %u: no rule matches: to the controller (OpenFlow 1.0 "
                  "table miss)", table_id);
            output_controller(ctx, ctx->br->ofproto.miss_send_len, OFPR_NO_MATCH);
        } else {
            trace(ctx, "table %u: no rule matches: drop (table miss)", table_id);
        }
        ctx->depth--;
        return;
    }
    if (ctx->trace) {
        struct buf match = BUF_INITIALIZER, actions = BUF_INITIALIZER;
        struct ofmatch rule_match;

        ofrule_get_match(rule, &rule_match);
        ofp_format_match(&match, &rule_match, NULL);
        ofp_format_actions(&actions, &rule->ofpacts, NULL);
        trace(ctx, "table %u: priority=%u%s%s cookie=0x%llx actions=%s", table_id,
              rule->priority, match.size ? "," : "", buf_cstr(&match),
              (unsigned long long) rule->cookie, buf_cstr(&actions));
        buf_uninit(&match);
        buf_uninit(&actions);
    }
    record_rule(ctx, rule);
    ctx->table_id = table_id;
    do_ofpacts(ctx, &rule->ofpacts, &next);
    ctx->table_id = saved_table;
    if (next >= 0 && !ctx->halted) {
        trace(ctx, "goto_table:%d", next);
        xlate_table(ctx, next);
    }
    ctx->depth--;
}

/* ---- entry points ----------------------------------------------------- */

static bool
xlate_init(struct xlate_ctx *ctx, struct bridge *br, const struct flowkey *key,
           struct dp_actions *actions, struct dpflow_learn *learn, struct buf *trace_out)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->br = br;
    ctx->actions = actions;
    ctx->learn = learn;
    ctx->trace = trace_out;
    ofpacts_init(&ctx->action_set);
    ctx->flow.pkt = *key;
    ctx->flow.pkt.in_port = bridge_ofport_of_dp(br, key->in_port);
    ctx->base = ctx->flow;
    ctx->wc.pkt.in_port = UINT32_MAX;
    if (key->tun_dst) {
        /* A packet from a tunnel: its flows keep the tunnel apart (as
         * Open vSwitch's do), so that they show which VNI and remote they
         * carry and a key=flow port's VNIs never share a flow. */
        ctx->wc.pkt.tun_id = UINT64_MAX;
        ctx->wc.pkt.tun_src = ctx->wc.pkt.tun_dst = UINT32_MAX;
        ctx->wc.pkt.tun_flags = UINT16_MAX;
    }
    return ctx->flow.pkt.in_port != 0;
}

static void
xlate_finish(struct xlate_ctx *ctx, struct flowkey *mask)
{
    if (mask) {
        *mask = ctx->wc.pkt;
        mask->in_port = UINT32_MAX;
    }
    ofpacts_uninit(&ctx->action_set);
}

/* A policed port of the kernel datapath: its meter comes before all else,
 * so that what exceeds the rate is neither forwarded nor mirrored. */
static void
put_ingress_meter(struct bridge *br, uint32_t in_port, struct dp_upcall_result *r,
                  struct buf *trace_out)
{
    struct dp_actions actions;
    uint32_t meter_id;
    size_t before;

    if (!dpif_port_meter(br->dp, in_port, &meter_id)) {
        return;
    }
    if (trace_out) {
        buf_printf(trace_out, "ingress policing: kernel meter %u first\n", meter_id);
    }
    dp_actions_init(&actions);
    dp_actions_put(&actions, OVS_ACTION_ATTR_METER, &meter_id, sizeof meter_id);
    before = actions.size;
    DP_ACTIONS_FOR_EACH (nla, r->actions.data, r->actions.size) {
        dp_actions_put(&actions, nla->nla_type, dp_nla_data(nla), dp_nla_size(nla));
    }
    dp_actions_uninit(&r->actions);
    r->actions = actions;
    /* The meter is the port's, not the flow's own action. */
    r->mirror_size += before;
}

void
bridge_xlate(struct bridge *br, const struct flowkey *key, struct dp_upcall_result *r,
             struct buf *trace_out)
{
    struct xlate_ctx ctx;

    r->install = true;
    if (!xlate_init(&ctx, br, key, &r->actions, &r->learn, trace_out)) {
        trace(&ctx, "input port %u is not on bridge %s: drop", key->in_port, br->name);
        xlate_finish(&ctx, &r->mask);
        return;
    }
    trace(&ctx, "bridge %s: packet from OpenFlow port %u", br->name, ctx.flow.pkt.in_port);
    if (bridge_port_is_admin_down(br, key->in_port)) {
        /* The kernel datapath receives on it regardless: the flow drops. */
        trace(&ctx, "input port is administratively down (admin_state=down): drop");
        xlate_finish(&ctx, &r->mask);
        return;
    }
    if (br->fail_open) {
        trace(&ctx, "fail-open: no controller, the tables are set aside: NORMAL");
        output_normal(&ctx);
    } else {
        xlate_table(&ctx, 0);
    }
    if (!ctx.halted) {
        action_set_execute(&ctx);
    }
    xlate_finish(&ctx, &r->mask);
    mirror_xlate(br, key, r, trace_out);
    if (br->netflow) {
        /* NetFlow reports per 5-tuple: match what its records carry, so
         * that each datapath flow is one NetFlow flow (netflow.h). */
        netflow_mask_wc(key, &r->mask);
    }
    if (br->ipfix) {
        ipfix_mask_wc(key, &r->mask);
    }
    r->rules = ctx.rules;
    r->n_rules = ctx.n_rules;
    sflow_xlate(br, key, r, trace_out);
    put_ingress_meter(br, key->in_port, r, trace_out);
}

void
bridge_xlate_actions(struct bridge *br, const struct flowkey *key,
                     const struct ofpacts *ofpacts, struct dp_actions *actions)
{
    struct dpflow_learn learn;
    struct xlate_ctx ctx;
    int next;

    memset(&learn, 0, sizeof learn);
    xlate_init(&ctx, br, key, actions, &learn, NULL);
    if (!bridge_port_by_dp(br, key->in_port)) {
        /* A packet-out from the controller itself (in_port CONTROLLER). */
        ctx.flow.pkt.in_port = OFPP13_CONTROLLER;
    }
    do_ofpacts(&ctx, ofpacts, &next);
    if (next >= 0 && !ctx.halted) {
        xlate_table(&ctx, next);
    }
    xlate_finish(&ctx, NULL);
    free(ctx.rules);
}
