/* Unit tests for tc-u32: the rtnetlink messages of flowd's tc flow
 * offload, built and checked byte by byte where the kernel reads them, and
 * dump replies parsed: one captured from Linux 6.18, hand-built ones like
 * it, and malformed ones. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/gen_stats.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>
#include <string.h>

#include "dpactions.h"
#include "tc-u32.h"
#include "unit.h"

#define INGRESS_PARENT 0xfffffff2u  /* TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS) */

/* The key node of "prio 10 protocol ip u32 match ... action mirred egress
 * redirect dev pb" on ifindex 2, as a dump gave it after 5 packets
 * (2308 bytes) went through. */
static const uint8_t kernel_key_node[] = {
    0x34, 0x01, 0x00, 0x00, 0x2c, 0x00, 0x02, 0x00, 0x2a, 0x00, 0x00, 0x00,
    0x43, 0xfb, 0x3d, 0x8e, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
    0x00, 0x08, 0x00, 0x80, 0xf2, 0xff, 0xff, 0xff, 0x08, 0x00, 0x0a, 0x00,
    0x08, 0x00, 0x01, 0x00, 0x75, 0x33, 0x32, 0x00, 0x08, 0x00, 0x0b, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x44, 0x00, 0x05, 0x00,
    0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x08, 0x00,
    0xfc, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
    0x0a, 0x00, 0x02, 0x02, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x80,
    0x08, 0x00, 0x0b, 0x00, 0x08, 0x00, 0x00, 0x00, 0xa8, 0x00, 0x07, 0x00,
    0xa4, 0x00, 0x01, 0x00, 0x0b, 0x00, 0x01, 0x00, 0x6d, 0x69, 0x72, 0x72,
    0x65, 0x64, 0x00, 0x00, 0x44, 0x00, 0x04, 0x00, 0x14, 0x00, 0x01, 0x00,
    0x04, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x18, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x08, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x48, 0x00, 0x02, 0x00,
    0x20, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x24, 0x00, 0x01, 0x00,
    0x12, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x68, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x0b, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* ---- Reading what we built ------------------------------------------------ */

static const struct nlmsghdr *
nlh_of(const struct buf *msg)
{
    return (const struct nlmsghdr *) msg->data;
}

static struct tcmsg
tcm_of(const struct buf *msg)
{
    struct tcmsg tcm;

    memcpy(&tcm, msg->data + NLMSG_HDRLEN, sizeof tcm);
    return tcm;
}

/* The attribute of 'type' in [data, +size), or NULL. */
static const struct nlattr *
find_attr(const void *data, size_t size, uint16_t type)
{
    DP_ACTIONS_FOR_EACH (nla, data, size) {
        if (dp_nla_type(nla) == type) {
            return nla;
        }
    }
    return NULL;
}

static const struct nlattr *
find_in(const struct nlattr *nest, uint16_t type)
{
    return nest ? find_attr(dp_nla_data(nest), dp_nla_size(nest), type) : NULL;
}

/* A top-level attribute of the message in 'msg'. */
static const struct nlattr *
find_top(const struct buf *msg, uint16_t type)
{
    size_t header = NLMSG_LENGTH(sizeof(struct tcmsg));

    return find_attr(msg->data + header, msg->size - header, type);
}

static bool
attr_is_string(const struct nlattr *nla, const char *s)
{
    return nla && dp_nla_size(nla) == strlen(s) + 1 && !memcmp(dp_nla_data(nla), s, strlen(s) + 1);
}

/* ---- Building ------------------------------------------------------------- */

static void
test_clsact_messages(void)
{
    struct buf msg = BUF_INITIALIZER;
    struct tcmsg tcm;

    tc_put_clsact_add(&msg, 7, 41);
    CHECK_INT_EQ(nlh_of(&msg)->nlmsg_len, msg.size);
    CHECK_INT_EQ(nlh_of(&msg)->nlmsg_type, RTM_NEWQDISC);
    CHECK_INT_EQ(nlh_of(&msg)->nlmsg_flags,
                 NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    CHECK_INT_EQ(nlh_of(&msg)->nlmsg_seq, 41);
    tcm = tcm_of(&msg);
    CHECK_INT_EQ(tcm.tcm_family, AF_UNSPEC);
    CHECK_INT_EQ(tcm.tcm_ifindex, 7);
    CHECK_INT_EQ(tcm.tcm_parent, TC_H_CLSACT);
    CHECK_INT_EQ(tcm.tcm_handle, 0xffff0000u);
    CHECK_INT_EQ(tcm.tcm_info, 0);
    CHECK(attr_is_string(find_top(&msg, TCA_KIND), "clsact"));
    CHECK_INT_EQ(msg.size, NLMSG_LENGTH(sizeof tcm) + 12);

    buf_clear(&msg);
    tc_put_clsact_del(&msg, 7, 42);
    CHECK_INT_EQ(nlh_of(&msg)->nlmsg_type, RTM_DELQDISC);
    CHECK_INT_EQ(nlh_of(&msg)->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
    CHECK_INT_EQ(nlh_of(&msg)->nlmsg_seq, 42);
    tcm = tcm_of(&msg);
    CHECK_INT_EQ(tcm.tcm_ifindex, 7);
    CHECK_INT_EQ(tcm.tcm_parent, TC_H_CLSACT);
    CHECK_INT_EQ(tcm.tcm_handle, 0xffff0000u);
    CHECK(attr_is_string(find_top(&msg, TCA_KIND), "clsact"));
    buf_uninit(&msg);
}

/* Checks action number 'prio' of TCA_U32_ACT: mirred to 'ifindex'. */
static void
check_mirred(const struct nlattr *actions, uint16_t prio, int ifindex, bool last)
{
    const struct nlattr *action = find_in(actions, prio);
    const struct nlattr *options = find_in(action, TCA_ACT_OPTIONS);
    const struct nlattr *parms = find_in(options, TCA_MIRRED_PARMS);
    struct tc_mirred m;

    CHECK(action && action->nla_type & NLA_F_NESTED);
    CHECK(attr_is_string(find_in(action, TCA_ACT_KIND), "mirred"));
    CHECK(options && options->nla_type & NLA_F_NESTED);
    CHECK(parms && dp_nla_size(parms) == sizeof m);
    if (parms && dp_nla_size(parms) == sizeof m) {
        memcpy(&m, dp_nla_data(parms), sizeof m);
        CHECK_INT_EQ(m.action, last ? TC_ACT_STOLEN : TC_ACT_PIPE);
        CHECK_INT_EQ(m.eaction, last ? TCA_EGRESS_REDIR : TCA_EGRESS_MIRROR);
        CHECK_INT_EQ(m.ifindex, ifindex);
        CHECK_INT_EQ(m.index, 0);
    }
}

static void
check_sel_keys(const struct nlattr *nla, const struct tc_u32_filter *f)
{
    uint8_t raw[sizeof(struct tc_u32_sel) + TC_U32_MAX_KEYS * sizeof(struct tc_u32_key)];
    const struct tc_u32_sel *sel = (const void *) raw;

    CHECK(nla && dp_nla_size(nla) == sizeof *sel + f->n_keys * sizeof sel->keys[0]);
    if (!nla || dp_nla_size(nla) > sizeof raw) {
        return;
    }
    memcpy(raw, dp_nla_data(nla), dp_nla_size(nla));
    CHECK_INT_EQ(sel->flags, TC_U32_TERMINAL);
    CHECK_INT_EQ(sel->nkeys, f->n_keys);
    CHECK_INT_EQ(sel->offshift, 0);
    CHECK_INT_EQ(sel->off, 0);
    CHECK_INT_EQ(sel->hmask, 0);
    for (size_t i = 0; i < f->n_keys && i < sel->nkeys; i++) {
        CHECK_INT_EQ(sel->keys[i].mask, f->keys[i].mask);
        CHECK_INT_EQ(sel->keys[i].val, f->keys[i].value & f->keys[i].mask);
        CHECK_INT_EQ(sel->keys[i].off, f->keys[i].offset);
        CHECK_INT_EQ(sel->keys[i].offmask, 0);
    }
}

static const struct tc_u32_filter two_outputs = {
    .ifindex = 3, .prio = 10, .eth_type = 0x0800,
    .keys = {
        { .value = 0x00000800, .mask = 0x0000ffff, .offset = -4 },     /* Bytes, on a LE host. */
        { .value = 0x0202000a, .mask = 0xffffffff, .offset = 16 },
        /* Bits outside the mask are the caller's mistake, not the kernel's. */
        { .value = 0xffffffff, .mask = 0x000000ff, .offset = 20 },
    },
    .n_keys = 3,
    .out_ifindex = { 5, 6 },
    .n_outputs = 2,
};

static void
test_u32_add_message(void)
{
    struct buf msg = BUF_INITIALIZER;
    const struct nlattr *options, *actions;
    struct tcmsg tcm;

    tc_put_u32_add(&msg, &two_outputs, 9);
    CHECK_INT_EQ(nlh_of(&msg)->nlmsg_len, msg.size);
    CHECK_INT_EQ(nlh_of(&msg)->nlmsg_type, RTM_NEWTFILTER);
    CHECK_INT_EQ(nlh_of(&msg)->nlmsg_flags,
                 NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    CHECK_INT_EQ(nlh_of(&msg)->nlmsg_seq, 9);
    tcm = tcm_of(&msg);
    CHECK_INT_EQ(tcm.tcm_ifindex, 3);
    CHECK_INT_EQ(tcm.tcm_parent, INGRESS_PARENT);
    CHECK_INT_EQ(tcm.tcm_handle, 0x800);
    CHECK_INT_EQ(tcm.tcm_info, (10u << 16) | htons(0x0800));
    CHECK(attr_is_string(find_top(&msg, TCA_KIND), "u32"));

    options = find_top(&msg, TCA_OPTIONS);
    CHECK(options && options->nla_type & NLA_F_NESTED);
    check_sel_keys(find_in(options, TCA_U32_SEL), &two_outputs);
    CHECK(dp_attrs_fill(dp_nla_data(options), dp_nla_size(options)));
    actions = find_in(options, TCA_U32_ACT);
    CHECK(actions && actions->nla_type & NLA_F_NESTED);
    check_mirred(actions, 1, 5, false);
    check_mirred(actions, 2, 6, true);
    CHECK(!find_in(actions, 3));
    buf_uninit(&msg);
}

/* One output is a redirect alone; no keys matches the whole protocol. */
static void
test_u32_add_one_output_no_keys(void)
{
    struct tc_u32_filter f = {
        .ifindex = 1, .prio = 0xffff, .eth_type = 0x86dd,
        .out_ifindex = { 4 }, .n_outputs = 1,
    };
    struct buf msg = BUF_INITIALIZER;
    const struct nlattr *options, *actions;

    tc_put_u32_add(&msg, &f, 1);
    CHECK_INT_EQ(tcm_of(&msg).tcm_info, 0xffff0000u | htons(0x86dd));
    options = find_top(&msg, TCA_OPTIONS);
    check_sel_keys(find_in(options, TCA_U32_SEL), &f);
    actions = find_in(options, TCA_U32_ACT);
    check_mirred(actions, 1, 4, true);
    CHECK(!find_in(actions, 2));
    buf_uninit(&msg);
}

static void
test_filter_del_and_dump_messages(void)
{
    struct buf msg = BUF_INITIALIZER;
    size_t header = NLMSG_LENGTH(sizeof(struct tcmsg));
    struct tcmsg tcm;

    tc_put_filter_del(&msg, 8, 300, 0x0800, 5);
    CHECK_INT_EQ(msg.size, header);
    CHECK_INT_EQ(nlh_of(&msg)->nlmsg_len, header);
    CHECK_INT_EQ(nlh_of(&msg)->nlmsg_type, RTM_DELTFILTER);
    CHECK_INT_EQ(nlh_of(&msg)->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
    CHECK_INT_EQ(nlh_of(&msg)->nlmsg_seq, 5);
    tcm = tcm_of(&msg);
    CHECK_INT_EQ(tcm.tcm_ifindex, 8);
    CHECK_INT_EQ(tcm.tcm_parent, INGRESS_PARENT);
    CHECK_INT_EQ(tcm.tcm_handle, 0);
    CHECK_INT_EQ(tcm.tcm_info, (300u << 16) | htons(0x0800));

    buf_clear(&msg);
    tc_put_filter_dump(&msg, 8, 6);
    CHECK_INT_EQ(msg.size, header);
    CHECK_INT_EQ(nlh_of(&msg)->nlmsg_type, RTM_GETTFILTER);
    CHECK_INT_EQ(nlh_of(&msg)->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP);
    tcm = tcm_of(&msg);
    CHECK_INT_EQ(tcm.tcm_ifindex, 8);
    CHECK_INT_EQ(tcm.tcm_parent, INGRESS_PARENT);
    CHECK_INT_EQ(tcm.tcm_info, 0);

    /* Builders append: two messages back to back. */
    tc_put_filter_del(&msg, 8, 1, 0x0800, 7);
    CHECK_INT_EQ(msg.size, 2 * header);
    buf_uninit(&msg);
}

/* ---- Parsing -------------------------------------------------------------- */

/* Parses [data, +size) from an aligned private copy, as a socket's buffer
 * would hold it. */
static int
parse(const void *data, size_t size, struct tc_filter_info *info)
{
    void *copy = xmemdup(data, size ? size : 1);
    int error = tc_parse_filter(copy, size, info);

    free(copy);
    return error;
}

static bool
info_is_zero(const struct tc_filter_info *info)
{
    static const struct tc_filter_info zero;

    return !memcmp(info, &zero, sizeof *info);
}

static void
test_parse_kernel_key_node(void)
{
    struct tc_filter_info info;

    CHECK_INT_EQ(parse(kernel_key_node, sizeof kernel_key_node, &info), 0);
    CHECK_INT_EQ(info.ifindex, 2);
    CHECK_INT_EQ(info.handle, 0x80000800u);
    CHECK_INT_EQ(info.parent, INGRESS_PARENT);
    CHECK_INT_EQ(info.prio, 10);
    CHECK_INT_EQ(info.eth_type, 0x0800);
    CHECK_STR_EQ(info.kind, "u32");
    CHECK(info.has_stats);
    CHECK_INT_EQ(info.packets, 5);
    CHECK_INT_EQ(info.bytes, 2308);

    /* Cut anywhere inside, the message's own length overruns. */
    for (size_t size = 0; size < sizeof kernel_key_node; size++) {
        CHECK_INT_EQ(parse(kernel_key_node, size, &info), EINVAL);
        CHECK(info_is_zero(&info));
    }
}

/* The pieces of a hand-built reply. */
struct reply {
    struct dp_actions attrs;        /* After the tcmsg. */
    struct tcmsg tcm;
    uint16_t type;                  /* nlmsg_type. */
};

static void
reply_init(struct reply *r, uint16_t prio)
{
    dp_actions_init(&r->attrs);
    memset(&r->tcm, 0, sizeof r->tcm);
    r->tcm.tcm_ifindex = 4;
    r->tcm.tcm_handle = 0x80100800;
    r->tcm.tcm_parent = INGRESS_PARENT;
    r->tcm.tcm_info = ((uint32_t) prio << 16) | htons(0x0800);
    r->type = RTM_NEWTFILTER;
}

static int
reply_parse(struct reply *r, struct tc_filter_info *info)
{
    struct nlmsghdr nlh = {
        .nlmsg_len = NLMSG_LENGTH(sizeof r->tcm) + r->attrs.size,
        .nlmsg_type = r->type,
        .nlmsg_flags = NLM_F_MULTI,
    };
    struct buf msg = BUF_INITIALIZER;
    int error;

    buf_put(&msg, &nlh, sizeof nlh);
    buf_put(&msg, &r->tcm, sizeof r->tcm);
    buf_put(&msg, r->attrs.data, r->attrs.size);
    error = parse(msg.data, msg.size, info);
    buf_uninit(&msg);
    return error;
}

static void
put_string(struct dp_actions *a, uint16_t type, const char *s)
{
    dp_actions_put(a, type, s, strlen(s) + 1);
}

/* An attribute of 'size' bytes whose header claims 'nla_len'. */
static void
put_with_len(struct dp_actions *a, uint16_t type, size_t size, uint16_t nla_len)
{
    size_t at = a->size;

    dp_actions_put(a, type, NULL, size);
    ((struct nlattr *) (a->data + at))->nla_len = nla_len;
}

static void
put_u32(struct dp_actions *a, uint16_t type, uint32_t value)
{
    dp_actions_put(a, type, &value, sizeof value);
}

/* What the kernel says of every filter message: kind and chain. */
static void
put_kind_chain(struct dp_actions *a)
{
    put_string(a, TCA_KIND, "u32");
    put_u32(a, TCA_CHAIN, 0);
}

/* A struct tc_u32_sel with 'nkeys' in its header and 'n_keys' keys. */
static void
put_sel(struct dp_actions *a, int nkeys, int n_keys)
{
    struct tc_u32_sel *sel = dp_actions_put(a, TCA_U32_SEL, NULL,
                                            sizeof *sel + n_keys * sizeof sel->keys[0]);

    sel->flags = TC_U32_TERMINAL;
    sel->nkeys = nkeys;
    for (int i = 0; i < n_keys; i++) {
        sel->keys[i].mask = htonl(0xffff);
        sel->keys[i].val = htonl(0x0800);
        sel->keys[i].off = -4;
    }
}

/* How the counters of an action come. */
struct stats_shape {
    size_t basic_size;              /* TCA_STATS_BASIC: 12, 16, or 0 for none. */
    size_t pkt64_size;              /* TCA_STATS_PKT64: 8, or 0 for none. */
    uint64_t packets, bytes;
};

static void
put_action(struct dp_actions *a, uint16_t prio, const struct stats_shape *s)
{
    struct tc_mirred parms = { .action = TC_ACT_STOLEN, .eaction = TCA_EGRESS_REDIR, .ifindex = 9 };
    struct gnet_stats_basic basic = { .bytes = s->bytes, .packets = s->packets };
    uint8_t tm[32] = { 0 }, queue[20] = { 0 }, basic_raw[24] = { 0 };
    size_t action = dp_actions_start_nested(a, prio), stats, options;

    put_string(a, TCA_ACT_KIND, "mirred");
    stats = dp_actions_start_nested(a, TCA_ACT_STATS);
    if (s->basic_size) {
        memcpy(basic_raw, &basic, 12);
        dp_actions_put(a, TCA_STATS_BASIC, basic_raw, s->basic_size);
    }
    if (s->pkt64_size) {
        dp_actions_put(a, TCA_STATS_PKT64, &s->packets, s->pkt64_size);
    }
    dp_actions_put(a, TCA_STATS_BASIC_HW, queue, 16);
    dp_actions_put(a, TCA_STATS_QUEUE, queue, sizeof queue);
    dp_actions_end_nested(a, stats);
    put_u32(a, TCA_ACT_IN_HW_COUNT, 0);
    options = dp_actions_start_nested(a, TCA_ACT_OPTIONS);
    dp_actions_put(a, TCA_MIRRED_PARMS, &parms, sizeof parms);
    dp_actions_put(a, TCA_MIRRED_TM, tm, sizeof tm);
    dp_actions_end_nested(a, options);
    dp_actions_end_nested(a, action);
}

/* A key node like the kernel's, with 'n_actions' actions counted as 's'
 * says (the second and later with other, smaller counters). */
static void
put_key_node(struct dp_actions *a, const struct stats_shape *s, int n_actions)
{
    struct stats_shape later = { 16, 0, 1, 1 };
    size_t options, actions;

    put_kind_chain(a);
    options = dp_actions_start_nested(a, TCA_OPTIONS);
    put_sel(a, 1, 1);
    put_u32(a, TCA_U32_HASH, 0x80100000);
    put_u32(a, TCA_U32_FLAGS, TCA_CLS_FLAGS_NOT_IN_HW);
    actions = dp_actions_start_nested(a, TCA_U32_ACT);
    for (int i = 1; i <= n_actions; i++) {
        put_action(a, i, i == 1 ? s : &later);
    }
    dp_actions_end_nested(a, actions);
    dp_actions_end_nested(a, options);
}

static void
test_parse_key_node_stats(void)
{
    static const struct stats_shape shapes[] = {
        { 16, 0, 3, 300 },                           /* 64-bit kernel. */
        { 12, 0, 3, 300 },                           /* 32-bit kernel. */
        { 16, 8, 0x100000007ull, 1ull << 40 },       /* Over 2^32 packets. */
    };
    struct tc_filter_info info;
    struct reply r;

    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        reply_init(&r, 20);
        put_key_node(&r.attrs, &shapes[i], 2);
        CHECK_INT_EQ(reply_parse(&r, &info), 0);
        CHECK_INT_EQ(info.ifindex, 4);
        CHECK_INT_EQ(info.handle, 0x80100800u);
        CHECK_INT_EQ(info.prio, 20);
        CHECK_INT_EQ(info.eth_type, 0x0800);
        CHECK_STR_EQ(info.kind, "u32");
        CHECK(info.has_stats);
        CHECK_INT_EQ(info.packets, shapes[i].packets);
        CHECK_INT_EQ(info.bytes, shapes[i].bytes);
        dp_actions_uninit(&r.attrs);
    }

    /* Counters missing from the first action come from the second. */
    reply_init(&r, 20);
    put_key_node(&r.attrs, &(struct stats_shape) { 0, 0, 0, 0 }, 2);
    CHECK_INT_EQ(reply_parse(&r, &info), 0);
    CHECK(info.has_stats);
    CHECK_INT_EQ(info.packets, 1);
    dp_actions_uninit(&r.attrs);

    /* No counters anywhere. */
    reply_init(&r, 20);
    put_key_node(&r.attrs, &(struct stats_shape) { 0, 0, 0, 0 }, 1);
    CHECK_INT_EQ(reply_parse(&r, &info), 0);
    CHECK(!info.has_stats);
    CHECK_INT_EQ(info.packets, 0);
    dp_actions_uninit(&r.attrs);
}

/* The two other messages of a prio: itself, and its hash table. */
static void
test_parse_prio_and_hash_nodes(void)
{
    struct tc_filter_info info;
    struct reply r;
    size_t options;

    reply_init(&r, 20);
    r.tcm.tcm_handle = 0;
    put_kind_chain(&r.attrs);
    CHECK_INT_EQ(reply_parse(&r, &info), 0);
    CHECK_INT_EQ(info.handle, 0);
    CHECK_INT_EQ(info.prio, 20);
    CHECK_STR_EQ(info.kind, "u32");
    CHECK(!info.has_stats);
    dp_actions_uninit(&r.attrs);

    reply_init(&r, 20);
    r.tcm.tcm_handle = 0x80100000;
    put_kind_chain(&r.attrs);
    options = dp_actions_start_nested(&r.attrs, TCA_OPTIONS);
    put_u32(&r.attrs, TCA_U32_DIVISOR, 1);
    dp_actions_end_nested(&r.attrs, options);
    CHECK_INT_EQ(reply_parse(&r, &info), 0);
    CHECK_INT_EQ(info.handle, 0x80100000u);
    CHECK_STR_EQ(info.kind, "u32");
    CHECK(!info.has_stats);
    dp_actions_uninit(&r.attrs);

    /* The kernel's nests have no NLA_F_NESTED; ours, and maybe a later
     * kernel's, do. Both read the same. */
    reply_init(&r, 20);
    put_kind_chain(&r.attrs);
    options = dp_actions_start_nested(&r.attrs, TCA_OPTIONS | NLA_F_NESTED);
    put_u32(&r.attrs, TCA_U32_DIVISOR, 1);
    dp_actions_end_nested(&r.attrs, options);
    CHECK_INT_EQ(reply_parse(&r, &info), 0);
    dp_actions_uninit(&r.attrs);
}

/* Our own add request reads back as the filter it names. */
static void
test_parse_own_add(void)
{
    struct buf msg = BUF_INITIALIZER;
    struct tc_filter_info info;

    tc_put_u32_add(&msg, &two_outputs, 1);
    CHECK_INT_EQ(parse(msg.data, msg.size, &info), 0);
    CHECK_INT_EQ(info.ifindex, 3);
    CHECK_INT_EQ(info.prio, 10);
    CHECK_INT_EQ(info.eth_type, 0x0800);
    CHECK_STR_EQ(info.kind, "u32");
    CHECK(!info.has_stats);
    buf_uninit(&msg);
}

static void
test_parse_other_messages(void)
{
    struct buf msg = BUF_INITIALIZER;
    struct tc_filter_info info;
    struct reply r;
    struct {
        struct nlmsghdr nlh;
        int error;
    } done = { { sizeof done, NLMSG_DONE, NLM_F_MULTI, 1, 0 }, 0 };

    CHECK_INT_EQ(parse(&done, sizeof done, &info), ENOENT);
    CHECK(info_is_zero(&info));
    tc_put_clsact_add(&msg, 1, 1);
    CHECK_INT_EQ(parse(msg.data, msg.size, &info), ENOENT);
    buf_clear(&msg);
    tc_put_filter_del(&msg, 1, 1, 0x0800, 1);
    CHECK_INT_EQ(parse(msg.data, msg.size, &info), ENOENT);
    buf_uninit(&msg);

    /* Another classifier's options are not read as u32's. */
    reply_init(&r, 3);
    put_string(&r.attrs, TCA_KIND, "flower");
    put_u32(&r.attrs, TCA_OPTIONS, 0xffffffff);
    CHECK_INT_EQ(reply_parse(&r, &info), 0);
    CHECK_STR_EQ(info.kind, "flower");
    CHECK(!info.has_stats);
    dp_actions_uninit(&r.attrs);
}

static void
check_bad_reply(struct reply *r, int line)
{
    struct tc_filter_info info;
    int error = reply_parse(r, &info);

    if (error != EINVAL || !info_is_zero(&info)) {
        fprintf(stderr, "%s:%d: bad reply gave %d\n", __FILE__, line, error);
        unit_failed_checks++;
    }
    dp_actions_uninit(&r->attrs);
}
#define CHECK_BAD_REPLY(R) check_bad_reply(R, __LINE__)

static void
test_parse_bad_headers(void)
{
    struct nlmsghdr nlh = { .nlmsg_len = 1000, .nlmsg_type = RTM_NEWTFILTER };
    struct tc_filter_info info;
    uint8_t raw[64] = { 0 };

    CHECK_INT_EQ(parse(&nlh, 0, &info), EINVAL);
    CHECK_INT_EQ(parse(&nlh, sizeof nlh - 1, &info), EINVAL);
    CHECK_INT_EQ(parse(&nlh, sizeof nlh, &info), EINVAL);          /* Overruns. */
    nlh.nlmsg_len = 8;
    CHECK_INT_EQ(parse(&nlh, sizeof nlh, &info), EINVAL);          /* Under a header. */
    nlh.nlmsg_len = sizeof nlh;
    CHECK_INT_EQ(parse(&nlh, sizeof nlh, &info), EINVAL);          /* No tcmsg. */
    nlh.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)) - 1;
    memcpy(raw, &nlh, sizeof nlh);
    CHECK_INT_EQ(parse(raw, sizeof raw, &info), EINVAL);
    CHECK(info_is_zero(&info));

    /* A tcmsg alone is a filter with nothing to say. */
    nlh.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg));
    memcpy(raw, &nlh, sizeof nlh);
    CHECK_INT_EQ(parse(raw, sizeof raw, &info), 0);
    CHECK_STR_EQ(info.kind, "");
}

static void
test_parse_bad_attributes(void)
{
    struct stats_shape good = { 16, 0, 1, 1 };
    struct reply r;
    size_t nest, inner;

    /* An attribute shorter than its header; one that runs past the end. */
    reply_init(&r, 1);
    put_kind_chain(&r.attrs);
    put_with_len(&r.attrs, 99, 0, 2);
    CHECK_BAD_REPLY(&r);
    reply_init(&r, 1);
    put_kind_chain(&r.attrs);
    put_with_len(&r.attrs, 99, 4, 12);
    CHECK_BAD_REPLY(&r);

    /* Kinds without their NUL, or longer than info.kind holds. */
    reply_init(&r, 1);
    dp_actions_put(&r.attrs, TCA_KIND, "u32", 3);
    CHECK_BAD_REPLY(&r);
    reply_init(&r, 1);
    put_string(&r.attrs, TCA_KIND, "a-kind-of-16-chr");
    CHECK_BAD_REPLY(&r);

    /* A selector whose key count disagrees with its size. */
    reply_init(&r, 1);
    put_kind_chain(&r.attrs);
    nest = dp_actions_start_nested(&r.attrs, TCA_OPTIONS);
    put_sel(&r.attrs, 3, 2);
    dp_actions_end_nested(&r.attrs, nest);
    CHECK_BAD_REPLY(&r);
    reply_init(&r, 1);
    put_kind_chain(&r.attrs);
    nest = dp_actions_start_nested(&r.attrs, TCA_OPTIONS);
    dp_actions_put(&r.attrs, TCA_U32_SEL, NULL, sizeof(struct tc_u32_sel) - 4);
    dp_actions_end_nested(&r.attrs, nest);
    CHECK_BAD_REPLY(&r);

    /* Counters of the wrong sizes. */
    reply_init(&r, 1);
    put_key_node(&r.attrs, &(struct stats_shape) { 8, 0, 1, 1 }, 1);
    CHECK_BAD_REPLY(&r);
    reply_init(&r, 1);
    put_key_node(&r.attrs, &(struct stats_shape) { 20, 0, 1, 1 }, 1);
    CHECK_BAD_REPLY(&r);
    reply_init(&r, 1);
    put_key_node(&r.attrs, &(struct stats_shape) { 16, 4, 1, 1 }, 1);
    CHECK_BAD_REPLY(&r);

    /* An action that is not a nest of attributes. */
    reply_init(&r, 1);
    put_kind_chain(&r.attrs);
    nest = dp_actions_start_nested(&r.attrs, TCA_OPTIONS);
    inner = dp_actions_start_nested(&r.attrs, TCA_U32_ACT);
    put_string(&r.attrs, 1, "mirred");
    dp_actions_end_nested(&r.attrs, inner);
    dp_actions_end_nested(&r.attrs, nest);
    CHECK_BAD_REPLY(&r);

    /* A nest cut short: the last attribute of the options claims more
     * than the nest holds, though the message has the bytes. */
    reply_init(&r, 1);
    put_key_node(&r.attrs, &good, 1);
    {
        struct nlattr *options = (struct nlattr *) (r.attrs.data + 16);

        CHECK_INT_EQ(dp_nla_type(options), TCA_OPTIONS);
        options->nla_len -= 8;
    }
    put_u32(&r.attrs, 98, 0);
    CHECK_BAD_REPLY(&r);

    /* Bytes left over in a nest, past its last attribute. */
    reply_init(&r, 1);
    put_kind_chain(&r.attrs);
    nest = dp_actions_start_nested(&r.attrs, TCA_OPTIONS);
    put_u32(&r.attrs, TCA_U32_DIVISOR, 1);
    put_with_len(&r.attrs, 0, 0, 0);
    dp_actions_end_nested(&r.attrs, nest);
    CHECK_BAD_REPLY(&r);
}

UNIT_MAIN("tc-u32",
          UNIT_TEST(test_clsact_messages),
          UNIT_TEST(test_u32_add_message),
          UNIT_TEST(test_u32_add_one_output_no_keys),
          UNIT_TEST(test_filter_del_and_dump_messages),
          UNIT_TEST(test_parse_kernel_key_node),
          UNIT_TEST(test_parse_key_node_stats),
          UNIT_TEST(test_parse_prio_and_hash_nodes),
          UNIT_TEST(test_parse_own_add),
          UNIT_TEST(test_parse_other_messages),
          UNIT_TEST(test_parse_bad_headers),
          UNIT_TEST(test_parse_bad_attributes))
