/* Unit tests for the offload match (offload-match.c): the packets a tc u32
 * filter and flowd's socket filter take out of flowd's hands must be
 * packets of the megaflow, and the two filters must agree on every
 * frame. */
#include <string.h>

#include "offload-match.h"
#include "packet.h"
#include "unit.h"

#define MAX_FRAME 128

struct frame {
    uint8_t data[MAX_FRAME];
    size_t size;
};

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

static void
put(struct frame *f, const void *p, size_t n)
{
    memcpy(f->data + f->size, p, n);
    f->size += n;
}

static void
put16(struct frame *f, uint16_t v)
{
    uint8_t b[2] = { v >> 8, v & 0xff };

    put(f, b, 2);
}

static void
put_eth(struct frame *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
    f->size = 0;
    put(f, dst, 6);
    put(f, src, 6);
    put16(f, type);
}

/* IPv4 with 'ihl' words of header, then 'l4' (ports or ICMP type/code). */
static void
make_ipv4(struct frame *f, const uint8_t *dst_mac, uint8_t proto, uint8_t dst_last,
          uint16_t sport, uint16_t dport, uint8_t ihl, uint16_t frag)
{
    uint8_t ip[60];
    size_t hlen = ihl * 4;

    put_eth(f, dst_mac, mac_a, ETH_TYPE_IP);
    memset(ip, 0, sizeof ip);
    ip[0] = 0x40 | ihl;
    ip[2] = 0;
    ip[3] = hlen + 20;
    ip[6] = frag >> 8;
    ip[7] = frag & 0xff;
    ip[8] = 64;
    ip[9] = proto;
    memcpy(ip + 12, "\x0a\x00\x00\x01", 4);
    memcpy(ip + 16, "\x0a\x00\x00\x00", 4);
    ip[19] = dst_last;
    put(f, ip, hlen);
    put16(f, sport);
    put16(f, dport);
    put(f, "\0\0\0\0\0\0\0\0\x50\x10\x01\x00\0\0\0\0", 16);  /* TCP rest, ACK. */
}

static void
make_ipv6_udp(struct frame *f, uint8_t next_header, uint16_t dport)
{
    uint8_t ip[40];

    put_eth(f, mac_b, mac_a, ETH_TYPE_IPV6);
    memset(ip, 0, sizeof ip);
    ip[0] = 0x60;
    ip[5] = 8;
    ip[6] = next_header;
    ip[7] = 64;
    ip[8] = 0xfd;
    ip[23] = 1;
    ip[24] = 0xfd;
    ip[39] = 2;
    put(f, ip, sizeof ip);
    put16(f, 1234);
    put16(f, dport);
    put16(f, 8);
    put16(f, 0);
}

static void
make_arp(struct frame *f, uint16_t op, uint8_t tpa_last)
{
    put_eth(f, mac_b, mac_a, ETH_TYPE_ARP);
    put(f, "\x00\x01\x08\x00\x06\x04", 6);
    put16(f, op);
    put(f, mac_a, 6);
    put(f, "\x0a\x00\x00\x01", 4);
    put(f, "\0\0\0\0\0\0", 6);
    put(f, "\x0a\x00\x00", 3);
    put(f, &tpa_last, 1);
}

/* Every kind of frame the tests throw at each match. */
static size_t
make_frames(struct frame *fs)
{
    size_t n = 0;

    make_ipv4(&fs[n++], mac_b, IP_PROTO_TCP, 2, 5000, 80, 5, 0);
    make_ipv4(&fs[n++], mac_b, IP_PROTO_TCP, 2, 5001, 80, 5, 0);
    make_ipv4(&fs[n++], mac_b, IP_PROTO_TCP, 3, 5000, 80, 5, 0);
    make_ipv4(&fs[n++], mac_b, IP_PROTO_UDP, 2, 5000, 80, 5, 0);
    make_ipv4(&fs[n++], mac_b, IP_PROTO_TCP, 2, 5000, 80, 6, 0);      /* Options. */
    make_ipv4(&fs[n++], mac_b, IP_PROTO_TCP, 2, 5000, 80, 5, 0x2000); /* First fragment. */
    make_ipv4(&fs[n++], mac_b, IP_PROTO_TCP, 2, 5000, 80, 5, 0x0010); /* Later fragment. */
    make_ipv4(&fs[n++], mac_a, IP_PROTO_TCP, 2, 5000, 80, 5, 0);      /* Other MAC. */
    make_ipv4(&fs[n++], mac_b, IP_PROTO_ICMP, 2, 0x0800, 0, 5, 0);    /* Echo request. */
    make_ipv4(&fs[n++], mac_b, IP_PROTO_ICMP, 2, 0x0000, 0, 5, 0);    /* Echo reply. */
    make_ipv6_udp(&fs[n++], IP_PROTO_UDP, 53);
    make_ipv6_udp(&fs[n++], IP_PROTO_UDP, 54);
    make_ipv6_udp(&fs[n++], 0, 53);          /* Hop-by-hop header first. */
    make_arp(&fs[n++], 1, 2);
    make_arp(&fs[n++], 2, 2);
    make_arp(&fs[n++], 1, 3);
    fs[n] = fs[0];
    fs[n++].size = 30;                       /* Truncated in the IPv4 header. */
    return n;
}

static struct flowkey
mask_l2(void)
{
    struct flowkey m;

    memset(&m, 0, sizeof m);
    m.in_port = UINT32_MAX;
    memset(m.eth_src, 0xff, 6);
    memset(m.eth_dst, 0xff, 6);
    return m;
}

static struct flowkey
mask_5tuple(void)
{
    struct flowkey m = mask_l2();

    m.nw_proto = 0xff;
    m.nw_frag = 0xff;
    m.ipv4_src = m.ipv4_dst = UINT32_MAX;
    m.tp_src = m.tp_dst = 0xffff;
    return m;
}

static struct flowkey
mask_ipv6_dport(void)
{
    struct flowkey m = mask_l2();

    m.nw_proto = 0xff;
    m.nw_frag = 0xff;
    memset(m.ipv6_dst, 0xff, 16);
    m.tp_dst = 0xffff;
    return m;
}

static struct flowkey
mask_arp(void)
{
    struct flowkey m = mask_l2();

    m.nw_proto = 0xff;
    m.ipv4_dst = UINT32_MAX;
    return m;
}

static struct flowkey
extract(const struct frame *f)
{
    struct flowkey key;

    flowkey_extract(f->data, f->size, 1, &key, NULL);
    return key;
}

/* The megaflow of 'f' under 'mask', as dpflow_install() would hold it. */
static void
megaflow(const struct frame *f, const struct flowkey *mask_in, struct flowkey *key,
         struct flowkey *mask)
{
    struct flowkey raw = extract(f);

    *mask = *mask_in;
    flowkey_mask_canonicalize(&raw, mask);
    flowkey_apply_mask(key, &raw, mask);
}

/* For every frame: what either filter takes is the megaflow's, and the
 * two filters agree. Returns how many frames the match took. */
static size_t
check_against_frames(const struct offload_match *m, const struct flowkey *key,
                     const struct flowkey *mask)
{
    struct frame fs[32];
    size_t n = make_frames(fs), taken = 0;
    struct sock_filter prog[256];
    size_t size = offload_bpf_build(m, 1, prog);

    CHECK(size == offload_bpf_size(m, 1));
    for (size_t i = 0; i < n; i++) {
        struct flowkey k = extract(&fs[i]);
        bool match = offload_match_frame(m, fs[i].data, fs[i].size, false);
        uint32_t verdict = offload_bpf_run(prog, size, fs[i].data, fs[i].size, false);

        if (match) {
            CHECK(flowkey_equal_masked(&k, key, mask));
            taken++;
        }
        CHECK(match == (verdict == 0));
        /* A frame the kernel had a tag taken out of: neither takes it. */
        CHECK(!offload_match_frame(m, fs[i].data, fs[i].size, true));
        CHECK(offload_bpf_run(prog, size, fs[i].data, fs[i].size, true) != 0);
    }
    return taken;
}

static void
test_l2_flow(void)
{
    struct frame f;
    struct flowkey key, mask, m2 = mask_l2();
    struct offload_match m;

    make_ipv4(&f, mac_b, IP_PROTO_TCP, 2, 5000, 80, 5, 0);
    megaflow(&f, &m2, &key, &mask);
    CHECK(offload_match_from_flow(&key, &mask, &m));
    CHECK_INT_EQ(m.eth_type, ETH_TYPE_IP);
    /* Every IPv4 frame from a to b, options, fragments and the truncated
     * one included. */
    CHECK_INT_EQ(check_against_frames(&m, &key, &mask), 10);
}

static void
test_5tuple_flow(void)
{
    struct frame f;
    struct flowkey key, mask, m5 = mask_5tuple();
    struct offload_match m;

    make_ipv4(&f, mac_b, IP_PROTO_TCP, 2, 5000, 80, 5, 0);
    megaflow(&f, &m5, &key, &mask);
    CHECK(offload_match_from_flow(&key, &mask, &m));
    /* Only the frame itself: not its copy with options, nor fragments. */
    CHECK_INT_EQ(check_against_frames(&m, &key, &mask), 1);
}

static void
test_icmp_flow(void)
{
    struct frame f;
    struct flowkey key, mask, m5 = mask_5tuple();
    struct offload_match m;

    make_ipv4(&f, mac_b, IP_PROTO_ICMP, 2, 0x0800, 0, 5, 0);
    megaflow(&f, &m5, &key, &mask);
    CHECK(offload_match_from_flow(&key, &mask, &m));
    CHECK_INT_EQ(check_against_frames(&m, &key, &mask), 1);
}

static void
test_ipv6_flow(void)
{
    struct frame f;
    struct flowkey key, mask, m6 = mask_ipv6_dport();
    struct offload_match m;

    make_ipv6_udp(&f, IP_PROTO_UDP, 53);
    megaflow(&f, &m6, &key, &mask);
    CHECK(offload_match_from_flow(&key, &mask, &m));
    /* Not the one with a hop-by-hop header, though the megaflow takes it. */
    CHECK_INT_EQ(check_against_frames(&m, &key, &mask), 1);
}

static void
test_arp_flow(void)
{
    struct frame f;
    struct flowkey key, mask, ma = mask_arp();
    struct offload_match m;

    make_arp(&f, 1, 2);
    megaflow(&f, &ma, &key, &mask);
    CHECK(offload_match_from_flow(&key, &mask, &m));
    CHECK_INT_EQ(check_against_frames(&m, &key, &mask), 1);
}

static void
test_refused(void)
{
    struct frame f;
    struct flowkey key, mask, m5 = mask_5tuple();
    struct offload_match m;

    make_ipv4(&f, mac_b, IP_PROTO_TCP, 2, 5000, 80, 5, 0);
    megaflow(&f, &m5, &key, &mask);

    /* A later fragment's megaflow. */
    {
        struct flowkey k = key;

        k.nw_frag = FLOWKEY_FRAG_ANY | FLOWKEY_FRAG_LATER;
        CHECK(!offload_match_from_flow(&k, &mask, &m));
    }
    /* Tunnel metadata. */
    {
        struct flowkey mk = mask;

        mk.tun_id = UINT64_MAX;
        CHECK(!offload_match_from_flow(&key, &mk, &m));
    }
    /* A tagged flow. */
    {
        struct flowkey k = key;

        k.vlans[0].tpid = ETH_TYPE_VLAN;
        k.vlans[0].tci = FLOWKEY_VLAN_PRESENT | 10;
        CHECK(!offload_match_from_flow(&k, &mask, &m));
    }
    /* ND options have no fixed place. */
    {
        struct frame f6;
        struct flowkey k6, mk6, m6 = mask_ipv6_dport();

        make_ipv6_udp(&f6, IP_PROTO_UDP, 53);
        megaflow(&f6, &m6, &k6, &mk6);
        memset(mk6.arp_sha, 0xff, 6);
        CHECK(!offload_match_from_flow(&k6, &mk6, &m));
    }
    /* Another ethertype. */
    {
        struct flowkey k = key;

        k.eth_type = 0x88cc;
        CHECK(!offload_match_from_flow(&k, &mask, &m));
    }
}

static void
test_program_of_several_flows(void)
{
    struct frame fs[32], f;
    size_t n = make_frames(fs), size;
    struct offload_match ms[3];
    struct flowkey key, mask, m5 = mask_5tuple(), m6 = mask_ipv6_dport(), ma = mask_arp();
    struct sock_filter prog[512];

    make_ipv4(&f, mac_b, IP_PROTO_UDP, 2, 5000, 80, 5, 0);
    megaflow(&f, &m5, &key, &mask);
    CHECK(offload_match_from_flow(&key, &mask, &ms[0]));
    make_ipv6_udp(&f, IP_PROTO_UDP, 54);
    megaflow(&f, &m6, &key, &mask);
    CHECK(offload_match_from_flow(&key, &mask, &ms[1]));
    make_arp(&f, 2, 2);
    megaflow(&f, &ma, &key, &mask);
    CHECK(offload_match_from_flow(&key, &mask, &ms[2]));

    size = offload_bpf_build(ms, 3, prog);
    CHECK(size == offload_bpf_size(ms, 3));
    for (size_t i = 0; i < n; i++) {
        bool any = false;

        for (size_t j = 0; j < 3; j++) {
            any |= offload_match_frame(&ms[j], fs[i].data, fs[i].size, false);
        }
        CHECK(any == (offload_bpf_run(prog, size, fs[i].data, fs[i].size, false) == 0));
    }
}

UNIT_MAIN("flowd-offload-match",
          UNIT_TEST(test_l2_flow),
          UNIT_TEST(test_5tuple_flow),
          UNIT_TEST(test_icmp_flow),
          UNIT_TEST(test_ipv6_flow),
          UNIT_TEST(test_arp_flow),
          UNIT_TEST(test_refused),
          UNIT_TEST(test_program_of_several_flows))
