/* Unit tests for odp-netlink.c: flowkeys and masks through the kernel's
 * OVS_KEY_ATTR_* form and back, the kernel's own shapes (what a flow dump
 * looks like) decoded, and malformed or unrepresentable streams refused. */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdint.h>

#include "flowkey.h"
#include "odp-netlink.h"
#include "odp.h"
#include "unit.h"

/* Parses 'text', encodes key and mask, decodes them and checks that the
 * result prints as 'text' again. */
static void
check_round_trip(const char *text)
{
    struct dp_actions ka = DP_ACTIONS_INITIALIZER, ma = DP_ACTIONS_INITIALIZER;
    struct buf b = BUF_INITIALIZER, error = BUF_INITIALIZER;
    struct flowkey key, mask, key2, mask2;

    if (odp_parse_key(text, &key, &mask, &error)) {
        fprintf(stderr, "parse of \"%s\" failed: %s\n", text, buf_cstr(&error));
        CHECK(false);
    } else if (odp_netlink_from_flowkey(&key, &mask, &ka, &ma)) {
        fprintf(stderr, "\"%s\" could not be encoded\n", text);
        CHECK(false);
    } else {
        CHECK_INT_EQ(odp_netlink_to_flowkey(ka.data, ka.size, ma.data, ma.size,
                                            &key2, &mask2), 0);
        odp_format_key(&b, &key2, &mask2);
        CHECK_STR_EQ(buf_cstr(&b), text);
        CHECK(!memcmp(&key, &key2, sizeof key));
        CHECK(!memcmp(&mask, &mask2, sizeof mask));
    }
    dp_actions_uninit(&ka);
    dp_actions_uninit(&ma);
    buf_uninit(&b);
    buf_uninit(&error);
}

static void
test_round_trips(void)
{
    static const char *const keys[] = {
        "eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800)",
        "in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),"
        "ipv4(src=10.0.0.1,dst=10.0.0.2,proto=1,tos=0,ttl=64,frag=no),icmp(type=8,code=0)",
        "in_port(2),eth(dst=50:54:00:00:00:02),eth_type(0x0800),"
        "ipv4(dst=10.0.0.0/255.255.255.0,frag=no)",
        "in_port(3),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(dst=80)",
        "in_port(3),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(src=1024/0xfc00),"
        "tcp_flags(0x002)",
        "eth_type(0x0800),ipv4(proto=17,frag=no),udp(src=53,dst=5353)",
        "eth_type(0x0800),ipv4(proto=132,frag=no),sctp(dst=9)",
        "eth_type(0x0800),ipv4(proto=17,frag=later)",
        "eth_type(0x0800),ipv4(frag=first)",
        "eth_type(0x86dd),ipv6(src=2001:db8::1,dst=2001:db8::/ffff:ffff::,label=0x12345,"
        "proto=6,tclass=0,hlimit=64,frag=no),tcp(dst=22)",
        "eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(type=135,code=0),"
        "nd(target=2001:db8::2,sll=50:54:00:00:00:01)",
        "eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(type=136),"
        "nd(target=2001:db8::2,tll=50:54:00:00:00:03)",
        "eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(type=128)",
        "eth(src=50:54:00:00:00:01),eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1,"
        "sha=50:54:00:00:00:01)",
        "eth_type(0x0806),arp(tip=10.0.0.0/255.0.0.0)",
        "in_port(1),eth_type(0x8100),vlan(vid=10,pcp=0),encap(eth_type(0x0800),"
        "ipv4(dst=10.0.0.2,frag=no))",
        "in_port(1),eth_type(0x8100),vlan(vid=10),encap(eth_type(0x0806))",
        "eth_type(0x88a8),vlan(vid=100,pcp=3),encap(eth_type(0x8100),vlan(vid=10,pcp=0),"
        "encap(eth_type(0x0800),ipv4(proto=17,frag=no),udp(dst=4789)))",
        "eth_type(0x88cc)",
        "eth_type(0x05ff)",
        "tunnel(tun_id=0x2a,src=192.168.1.1,dst=192.168.1.2,tos=0,ttl=64,flags(key)),in_port(4),"
        "eth_type(0x0800)",
        "tunnel(tun_id=0x64,dst=192.168.1.2,ttl=64,flags(key|csum|df)),in_port(4),"
        "eth_type(0x0800)",
        "tunnel(dst=192.168.1.2),in_port(4),eth(dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806)",
    };

    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        check_round_trip(keys[i]);
    }
}

/* Without a mask: the key alone, exact; decoding it with no mask attributes
 * gives exact masks on what the key has. */
static void
test_exact_key(void)
{
    static const uint8_t frame[] = {
        0x50, 0x54, 0, 0, 0, 2, 0x50, 0x54, 0, 0, 0, 1, 0x08, 0x00,
        0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        0x30, 0x39, 0x00, 0x35, 0, 8, 0, 0,
    };
    struct dp_actions ka = DP_ACTIONS_INITIALIZER;
    struct flowkey key, key2, mask2;

    flowkey_extract(frame, sizeof frame, 7, &key, NULL);
    CHECK_INT_EQ(odp_netlink_from_flowkey(&key, NULL, &ka, NULL), 0);
    CHECK_INT_EQ(odp_netlink_to_flowkey(ka.data, ka.size, NULL, 0, &key2, NULL), 0);
    CHECK(!memcmp(&key, &key2, sizeof key));
    CHECK_INT_EQ(odp_netlink_to_flowkey(ka.data, ka.size, NULL, 0, &key2, &mask2), 0);
    CHECK(!memcmp(&key, &key2, sizeof key));
    CHECK_INT_EQ(mask2.in_port, UINT32_MAX);
    CHECK_INT_EQ(mask2.ipv4_dst, UINT32_MAX);
    CHECK_INT_EQ(mask2.tp_dst, UINT16_MAX);
    CHECK_INT_EQ(key2.tp_dst, 53);
    dp_actions_uninit(&ka);
}

/* The first attributes of a simple key are laid out as the kernel wants. */
static void
test_wire_layout(void)
{
    struct dp_actions ka = DP_ACTIONS_INITIALIZER, ma = DP_ACTIONS_INITIALIZER;
    struct buf error = BUF_INITIALIZER;
    struct flowkey key, mask;
    const struct nlattr *nla;
    uint32_t port;
    uint16_t type;

    CHECK_INT_EQ(odp_parse_key("in_port(5),eth_type(0x0806)", &key, &mask, &error), 0);
    CHECK_INT_EQ(odp_netlink_from_flowkey(&key, &mask, &ka, &ma), 0);
    nla = (const struct nlattr *) ka.data;
    CHECK_INT_EQ(nla->nla_type, OVS_KEY_ATTR_IN_PORT);
    CHECK_INT_EQ(nla->nla_len, 8);
    memcpy(&port, dp_nla_data(nla), 4);
    CHECK_INT_EQ(port, 5);
    nla = (const struct nlattr *) (ka.data + 8);
    CHECK_INT_EQ(nla->nla_type, OVS_KEY_ATTR_ETHERNET);
    nla = (const struct nlattr *) (ka.data + 8 + 16);
    CHECK_INT_EQ(nla->nla_type, OVS_KEY_ATTR_ETHERTYPE);
    memcpy(&type, dp_nla_data(nla), 2);
    CHECK_INT_EQ(ntohs(type), 0x0806);
    /* The mask's in_port is all-ones; ARP follows ETHERTYPE in both. */
    nla = (const struct nlattr *) ma.data;
    memcpy(&port, dp_nla_data(nla), 4);
    CHECK_INT_EQ(port, UINT32_MAX);
    CHECK_INT_EQ(((const struct nlattr *) (ka.data + 8 + 16 + 8))->nla_type, OVS_KEY_ATTR_ARP);
    dp_actions_uninit(&ka);
    dp_actions_uninit(&ma);
    buf_uninit(&error);
}

static void
put_u32(struct dp_actions *a, uint16_t type, uint32_t v)
{
    dp_actions_put(a, type, &v, 4);
}

static void
put_be16(struct dp_actions *a, uint16_t type, uint16_t v)
{
    v = htons(v);
    dp_actions_put(a, type, &v, 2);
}

/* The metadata the kernel always reports, zero. */
static void
put_kernel_metadata(struct dp_actions *a, uint32_t in_port)
{
    put_u32(a, OVS_KEY_ATTR_PRIORITY, 0);
    put_u32(a, OVS_KEY_ATTR_SKB_MARK, 0);
    put_u32(a, OVS_KEY_ATTR_RECIRC_ID, 0);
    put_u32(a, OVS_KEY_ATTR_DP_HASH, 0);
    put_u32(a, OVS_KEY_ATTR_CT_STATE, 0);
    put_be16(a, OVS_KEY_ATTR_CT_ZONE, 0);
    put_u32(a, OVS_KEY_ATTR_CT_MARK, 0);
    dp_actions_put(a, OVS_KEY_ATTR_CT_LABELS, NULL, sizeof(struct ovs_key_ct_labels));
    put_u32(a, OVS_KEY_ATTR_IN_PORT, in_port);
}

/* A flow as the kernel dumps it: every metadata attribute, a wildcarded
 * in_port as 0xffff0000, an empty tunnel mask, and the L4 mask of a
 * wildcarded L4 header. */
static void
test_kernel_dump_shape(void)
{
    struct dp_actions ka = DP_ACTIONS_INITIALIZER, ma = DP_ACTIONS_INITIALIZER;
    struct ovs_key_ipv4 ip = { .ipv4_dst = htonl(0x0a000002), .ipv4_proto = 6 };
    struct ovs_key_ipv4 ipm = { .ipv4_dst = UINT32_MAX };
    struct ovs_key_tcp tcp = { 0, 0 };
    struct buf b = BUF_INITIALIZER;
    struct flowkey key, mask;
    size_t tun;

    put_kernel_metadata(&ka, 3);
    dp_actions_put(&ka, OVS_KEY_ATTR_ETHERNET, NULL, 12);
    put_be16(&ka, OVS_KEY_ATTR_ETHERTYPE, 0x0800);
    dp_actions_put(&ka, OVS_KEY_ATTR_IPV4, &ip, sizeof ip);
    dp_actions_put(&ka, OVS_KEY_ATTR_TCP, &tcp, sizeof tcp);
    put_be16(&ka, OVS_KEY_ATTR_TCP_FLAGS, 0);

    put_kernel_metadata(&ma, 0xffff0000);
    tun = dp_actions_start_nested(&ma, OVS_KEY_ATTR_TUNNEL);
    dp_actions_put(&ma, OVS_TUNNEL_KEY_ATTR_TTL, NULL, 1);
    dp_actions_end_nested(&ma, tun);
    dp_actions_put(&ma, OVS_KEY_ATTR_ETHERNET, NULL, 12);
    put_be16(&ma, OVS_KEY_ATTR_ETHERTYPE, 0xffff);
    dp_actions_put(&ma, OVS_KEY_ATTR_IPV4, &ipm, sizeof ipm);
    dp_actions_put(&ma, OVS_KEY_ATTR_TCP, &tcp, sizeof tcp);
    put_be16(&ma, OVS_KEY_ATTR_TCP_FLAGS, 0);

    CHECK_INT_EQ(odp_netlink_to_flowkey(ka.data, ka.size, ma.data, ma.size, &key, &mask), 0);
    odp_format_key(&b, &key, &mask);
    CHECK_STR_EQ(buf_cstr(&b), "eth_type(0x0800),ipv4(dst=10.0.0.2)");
    dp_actions_uninit(&ka);
    dp_actions_uninit(&ma);
    buf_uninit(&b);
}

static void
check_key_rejected(const struct dp_actions *a, int expected)
{
    struct flowkey key, mask;

    CHECK_INT_EQ(odp_netlink_to_flowkey(a->data, a->size, NULL, 0, &key, &mask), expected);
    CHECK(flowkey_hash(&key, 0) == flowkey_hash(&(struct flowkey) { 0 }, 0));
}

static void
test_bad_streams(void)
{
    struct dp_actions a = DP_ACTIONS_INITIALIZER;
    struct ovs_key_ipv4 ip = { .ipv4_proto = 6 };
    struct ovs_key_tcp tcp = { 0, 0 };
    size_t encap, inner;
    struct nlattr *nla;

    /* Truncated header, overlong length, trailing bytes. */
    put_u32(&a, OVS_KEY_ATTR_IN_PORT, 1);
    a.size = 3;
    check_key_rejected(&a, EINVAL);
    dp_actions_clear(&a);
    put_u32(&a, OVS_KEY_ATTR_IN_PORT, 1);
    ((struct nlattr *) a.data)->nla_len = 12;
    check_key_rejected(&a, EINVAL);
    dp_actions_clear(&a);
    put_u32(&a, OVS_KEY_ATTR_IN_PORT, 1);
    a.size += 2;
    check_key_rejected(&a, EINVAL);

    /* Wrong size, duplicate, unknown type, kernel-internal type. */
    dp_actions_clear(&a);
    dp_actions_put(&a, OVS_KEY_ATTR_IN_PORT, NULL, 2);
    check_key_rejected(&a, EINVAL);
    dp_actions_clear(&a);
    put_u32(&a, OVS_KEY_ATTR_IN_PORT, 1);
    put_u32(&a, OVS_KEY_ATTR_IN_PORT, 2);
    check_key_rejected(&a, EINVAL);
    dp_actions_clear(&a);
    put_u32(&a, 200, 1);
    check_key_rejected(&a, EINVAL);
    dp_actions_clear(&a);
    dp_actions_put(&a, OVS_KEY_ATTR_TUNNEL_INFO, NULL, 8);
    check_key_rejected(&a, EINVAL);

    /* L3 that does not fit the eth_type; L4 that does not fit the protocol. */
    dp_actions_clear(&a);
    put_be16(&a, OVS_KEY_ATTR_ETHERTYPE, 0x0806);
    dp_actions_put(&a, OVS_KEY_ATTR_IPV4, &ip, sizeof ip);
    check_key_rejected(&a, EINVAL);
    dp_actions_clear(&a);
    put_be16(&a, OVS_KEY_ATTR_ETHERTYPE, 0x0800);
    dp_actions_put(&a, OVS_KEY_ATTR_IPV4, &ip, sizeof ip);
    dp_actions_put(&a, OVS_KEY_ATTR_UDP, &tcp, sizeof tcp);
    check_key_rejected(&a, EINVAL);
    dp_actions_clear(&a);
    put_be16(&a, OVS_KEY_ATTR_ETHERTYPE, 0x0400);
    check_key_rejected(&a, EINVAL);

    /* A tag without encap, a tag without the present bit, metadata inside
     * encap, three tags, MPLS. */
    dp_actions_clear(&a);
    put_be16(&a, OVS_KEY_ATTR_ETHERTYPE, 0x8100);
    put_be16(&a, OVS_KEY_ATTR_VLAN, 0x100a);
    check_key_rejected(&a, EINVAL);
    dp_actions_clear(&a);
    put_be16(&a, OVS_KEY_ATTR_ETHERTYPE, 0x8100);
    put_be16(&a, OVS_KEY_ATTR_VLAN, 0x000a);
    dp_actions_put(&a, OVS_KEY_ATTR_ENCAP, NULL, 0);
    check_key_rejected(&a, EINVAL);
    dp_actions_clear(&a);
    put_be16(&a, OVS_KEY_ATTR_ETHERTYPE, 0x8100);
    put_be16(&a, OVS_KEY_ATTR_VLAN, 0x100a);
    encap = dp_actions_start_nested(&a, OVS_KEY_ATTR_ENCAP);
    put_u32(&a, OVS_KEY_ATTR_IN_PORT, 1);
    dp_actions_end_nested(&a, encap);
    check_key_rejected(&a, EINVAL);
    dp_actions_clear(&a);
    put_be16(&a, OVS_KEY_ATTR_ETHERTYPE, 0x88a8);
    put_be16(&a, OVS_KEY_ATTR_VLAN, 0x100a);
    encap = dp_actions_start_nested(&a, OVS_KEY_ATTR_ENCAP);
    put_be16(&a, OVS_KEY_ATTR_ETHERTYPE, 0x8100);
    put_be16(&a, OVS_KEY_ATTR_VLAN, 0x100b);
    inner = dp_actions_start_nested(&a, OVS_KEY_ATTR_ENCAP);
    put_be16(&a, OVS_KEY_ATTR_ETHERTYPE, 0x8100);
    put_be16(&a, OVS_KEY_ATTR_VLAN, 0x100c);
    dp_actions_put(&a, OVS_KEY_ATTR_ENCAP, NULL, 0);
    dp_actions_end_nested(&a, inner);
    dp_actions_end_nested(&a, encap);
    check_key_rejected(&a, EOPNOTSUPP);
    dp_actions_clear(&a);
    put_be16(&a, OVS_KEY_ATTR_ETHERTYPE, 0x8847);
    put_u32(&a, OVS_KEY_ATTR_MPLS, 0x100);
    check_key_rejected(&a, EOPNOTSUPP);

    /* A nested attribute whose inner length overruns it. */
    dp_actions_clear(&a);
    encap = dp_actions_start_nested(&a, OVS_KEY_ATTR_TUNNEL);
    nla = dp_actions_put(&a, OVS_TUNNEL_KEY_ATTR_TTL, NULL, 1);
    dp_actions_end_nested(&a, encap);
    ((struct nlattr *) ((uint8_t *) nla - NLA_HDRLEN))->nla_len = 40;
    check_key_rejected(&a, EINVAL);
    dp_actions_uninit(&a);
}

/* A match on metadata a flowkey does not hold cannot be shown faithfully. */
static void
test_unmodeled_metadata(void)
{
    struct dp_actions ka = DP_ACTIONS_INITIALIZER, ma = DP_ACTIONS_INITIALIZER;
    struct flowkey key, mask;

    put_u32(&ka, OVS_KEY_ATTR_RECIRC_ID, 5);
    dp_actions_put(&ka, OVS_KEY_ATTR_ETHERNET, NULL, 12);
    put_be16(&ka, OVS_KEY_ATTR_ETHERTYPE, 0x0800);
    put_u32(&ma, OVS_KEY_ATTR_RECIRC_ID, 0);
    put_be16(&ma, OVS_KEY_ATTR_ETHERTYPE, 0xffff);
    CHECK_INT_EQ(odp_netlink_to_flowkey(ka.data, ka.size, ma.data, ma.size, &key, &mask), 0);
    dp_actions_clear(&ma);
    put_u32(&ma, OVS_KEY_ATTR_RECIRC_ID, UINT32_MAX);
    CHECK_INT_EQ(odp_netlink_to_flowkey(ka.data, ka.size, ma.data, ma.size, &key, &mask),
                 EOPNOTSUPP);
    dp_actions_uninit(&ka);
    dp_actions_uninit(&ma);
}

/* Masks the kernel cannot be told exactly are refused and append nothing. */
static void
test_unrepresentable_masks(void)
{
    struct dp_actions ka = DP_ACTIONS_INITIALIZER, ma = DP_ACTIONS_INITIALIZER;
    struct buf error = BUF_INITIALIZER;
    struct flowkey key, mask;

    CHECK_INT_EQ(odp_parse_key("in_port(1),eth_type(0x0800),ipv4(proto=6,frag=no),"
                               "tcp(dst=80)", &key, &mask, &error), 0);
    mask.nw_proto = 0;
    CHECK_INT_EQ(odp_netlink_from_flowkey(&key, &mask, &ka, &ma), EINVAL);
    CHECK_INT_EQ(ka.size, 0);
    CHECK_INT_EQ(ma.size, 0);
    mask.nw_proto = 0xff;
    mask.in_port = 0xff;
    CHECK_INT_EQ(odp_netlink_from_flowkey(&key, &mask, &ka, &ma), EINVAL);
    mask.in_port = UINT32_MAX;
    mask.ipv6_label = 1;
    CHECK_INT_EQ(odp_netlink_from_flowkey(&key, &mask, &ka, &ma), EINVAL);
    mask.ipv6_label = 0;
    CHECK_INT_EQ(odp_netlink_from_flowkey(&key, &mask, &ka, &ma), 0);
    dp_actions_uninit(&ka);
    dp_actions_uninit(&ma);
    buf_uninit(&error);
}

UNIT_MAIN("odp-netlink",
          UNIT_TEST(test_round_trips),
          UNIT_TEST(test_exact_key),
          UNIT_TEST(test_wire_layout),
          UNIT_TEST(test_kernel_dump_shape),
          UNIT_TEST(test_bad_streams),
          UNIT_TEST(test_unmodeled_metadata),
          UNIT_TEST(test_unrepresentable_masks))
