/* Unit tests for flowkey.c: frames built byte by byte for every protocol the
 * parser knows, malformed and truncated frames, and the masked operations. */
#include <arpa/inet.h>
#include <stdint.h>

#include "flowkey.h"
#include "packet.h"
#include "unit.h"

/* A frame under construction. */
struct frame {
    uint8_t data[512];
    size_t size;
};

static const uint8_t mac_a[6] = { 0x50, 0x54, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t mac_b[6] = { 0x50, 0x54, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t ip6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t ip6_b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static void
put(struct frame *f, const void *p, size_t n)
{
    memcpy(f->data + f->size, p, n);
    f->size += n;
}

static void
put8(struct frame *f, uint8_t v)
{
    put(f, &v, 1);
}

static void
put16(struct frame *f, uint16_t v)
{
    put8(f, v >> 8);
    put8(f, v);
}

static void
put32(struct frame *f, uint32_t v)
{
    put16(f, v >> 16);
    put16(f, v);
}

static void
put_zeros(struct frame *f, size_t n)
{
    memset(f->data + f->size, 0, n);
    f->size += n;
}

/* dst=mac_b, src=mac_a, then 'type'. */
static void
put_eth(struct frame *f, uint16_t type)
{
    f->size = 0;
    put(f, mac_b, 6);
    put(f, mac_a, 6);
    put16(f, type);
}

static void
put_vlan(struct frame *f, uint16_t tci, uint16_t next_type)
{
    put16(f, tci);
    put16(f, next_type);
}

/* IPv4 header with 'options' bytes of NOP options and 'payload' bytes after
 * it, 10.0.0.1 -> 10.0.0.2. */
static void
put_ipv4(struct frame *f, uint8_t proto, uint16_t frag, size_t options, size_t payload)
{
    size_t ihl = 20 + options;

    put8(f, 0x40 | (ihl / 4));
    put8(f, 0xb8);                      /* DSCP EF, ECN 0. */
    put16(f, ihl + payload);
    put16(f, 0x1234);
    put16(f, frag);
    put8(f, 64);
    put8(f, proto);
    put16(f, 0);
    put32(f, 0x0a000001);
    put32(f, 0x0a000002);
    memset(f->data + f->size, 1, options);
    f->size += options;
}

static void
put_ipv6(struct frame *f, uint8_t next, size_t payload)
{
    put32(f, 0x6a012345);               /* tclass 0xa0, label 0x12345. */
    put16(f, payload);
    put8(f, next);
    put8(f, 255);
    put(f, ip6_a, 16);
    put(f, ip6_b, 16);
}

static void
put_tcp(struct frame *f, uint16_t src, uint16_t dst, uint16_t flags)
{
    put16(f, src);
    put16(f, dst);
    put32(f, 1);
    put32(f, 0);
    put16(f, 0x5000 | flags);
    put16(f, 65535);
    put32(f, 0);
}

static void
put_udp(struct frame *f, uint16_t src, uint16_t dst, uint16_t size)
{
    put16(f, src);
    put16(f, dst);
    put16(f, size);
    put16(f, 0);
}

static void
extract(const struct frame *f, struct flowkey *key, struct flowkey_layout *layout)
{
    /* Copy to an exact-size heap block so that ASan sees any overread. */
    uint8_t *copy = xmemdup(f->data, f->size);

    flowkey_extract(copy, f->size, 7, key, layout);
    free(copy);
}

static bool
key_is_zero_from(const struct flowkey *key, size_t ofs)
{
    const uint8_t *p = (const uint8_t *) key;

    for (size_t i = ofs; i < sizeof *key; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

static void
test_ipv4_tcp(void)
{
    struct flowkey_layout layout;
    struct flowkey key;
    struct frame f;

    put_eth(&f, ETH_TYPE_IP);
    put_ipv4(&f, IP_PROTO_TCP, 0x4000, 0, 20);
    put_tcp(&f, 1234, 80, 0x012);
    extract(&f, &key, &layout);

    CHECK_INT_EQ(key.in_port, 7);
    CHECK(!memcmp(key.eth_src, mac_a, 6));
    CHECK(!memcmp(key.eth_dst, mac_b, 6));
    CHECK_INT_EQ(key.vlans[0].tci, 0);
    CHECK_INT_EQ(key.eth_type, 0x0800);
    CHECK_INT_EQ(key.nw_proto, 6);
    CHECK_INT_EQ(key.nw_tos, 0xb8);
    CHECK_INT_EQ(key.nw_ttl, 64);
    CHECK_INT_EQ(key.nw_frag, 0);
    CHECK_INT_EQ(key.ipv4_src, htonl(0x0a000001));
    CHECK_INT_EQ(key.ipv4_dst, htonl(0x0a000002));
    CHECK_INT_EQ(key.tp_src, 1234);
    CHECK_INT_EQ(key.tp_dst, 80);
    CHECK_INT_EQ(key.tcp_flags, 0x012);
    CHECK_INT_EQ(layout.l2_5, FLOWKEY_OFS_NONE);
    CHECK_INT_EQ(layout.l3, 14);
    CHECK_INT_EQ(layout.l4, 34);
    CHECK(!key.pad1[0] && !key.pad1[1]);
    CHECK(key_is_zero_from(&key, offsetof(struct flowkey, pad2)));
}

static void
test_ipv4_options_udp(void)
{
    struct flowkey_layout layout;
    struct flowkey key;
    struct frame f;

    put_eth(&f, ETH_TYPE_IP);
    put_ipv4(&f, IP_PROTO_UDP, 0, 8, 8);
    put_udp(&f, 53, 5353, 8);
    extract(&f, &key, &layout);
    CHECK_INT_EQ(layout.l4, 14 + 28);
    CHECK_INT_EQ(key.tp_src, 53);
    CHECK_INT_EQ(key.tp_dst, 5353);
    CHECK_INT_EQ(key.tcp_flags, 0);
}

static void
test_ipv4_tcp_flags_12_bits(void)
{
    struct flowkey key;
    struct frame f;

    put_eth(&f, ETH_TYPE_IP);
    put_ipv4(&f, IP_PROTO_TCP, 0, 0, 20);
    put_tcp(&f, 1, 2, 0xfff);
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.tcp_flags, 0xfff);
}

static void
test_ipv4_bad_headers(void)
{
    struct flowkey_layout layout;
    struct flowkey key;
    struct frame f;

    /* IHL 4 (< 20 bytes). */
    put_eth(&f, ETH_TYPE_IP);
    put_ipv4(&f, IP_PROTO_UDP, 0, 0, 8);
    put_udp(&f, 1, 2, 8);
    f.data[14] = 0x44;
    extract(&f, &key, &layout);
    CHECK_INT_EQ(key.eth_type, 0x0800);
    CHECK(key_is_zero_from(&key, offsetof(struct flowkey, nw_proto)));
    CHECK_INT_EQ(layout.l4, FLOWKEY_OFS_NONE);

    /* IHL 15 (60 bytes) in a frame that is shorter. */
    f.data[14] = 0x4f;
    extract(&f, &key, NULL);
    CHECK(key_is_zero_from(&key, offsetof(struct flowkey, nw_proto)));

    /* Total length past the end of the frame. */
    f.data[14] = 0x45;
    f.data[16] = 0x01;
    extract(&f, &key, NULL);
    CHECK(key_is_zero_from(&key, offsetof(struct flowkey, nw_proto)));

    /* Total length shorter than the header. */
    f.data[16] = 0;
    f.data[17] = 19;
    extract(&f, &key, NULL);
    CHECK(key_is_zero_from(&key, offsetof(struct flowkey, nw_proto)));

    /* IP version 6 in an IPv4 ethertype. */
    f.data[14] = 0x65;
    f.data[17] = 28;
    extract(&f, &key, NULL);
    CHECK(key_is_zero_from(&key, offsetof(struct flowkey, nw_proto)));
}

/* Ethernet padding behind a short IP packet is not transport data. */
static void
test_ipv4_padding(void)
{
    struct flowkey key;
    struct frame f;

    put_eth(&f, ETH_TYPE_IP);
    put_ipv4(&f, IP_PROTO_TCP, 0, 0, 4);
    put_tcp(&f, 1, 2, 0x002);         /* Only 4 bytes count. */
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.nw_proto, 6);
    CHECK_INT_EQ(key.ipv4_src, htonl(0x0a000001));
    CHECK_INT_EQ(key.tp_src, 0);
    CHECK_INT_EQ(key.tcp_flags, 0);
}

static void
test_ipv4_fragments(void)
{
    struct flowkey_layout layout;
    struct flowkey key;
    struct frame f;

    /* First fragment: MF set, offset 0, ports parsed. */
    put_eth(&f, ETH_TYPE_IP);
    put_ipv4(&f, IP_PROTO_UDP, 0x2000, 0, 16);
    put_udp(&f, 10, 20, 100);
    put_zeros(&f, 8);
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.nw_frag, FLOWKEY_FRAG_ANY);
    CHECK_INT_EQ(key.tp_src, 10);

    /* Later fragment: offset != 0, no transport fields. */
    put_eth(&f, ETH_TYPE_IP);
    put_ipv4(&f, IP_PROTO_UDP, 0x0002, 0, 16);
    put_udp(&f, 10, 20, 100);
    put_zeros(&f, 8);
    extract(&f, &key, &layout);
    CHECK_INT_EQ(key.nw_frag, FLOWKEY_FRAG_ANY | FLOWKEY_FRAG_LATER);
    CHECK_INT_EQ(key.nw_proto, IP_PROTO_UDP);
    CHECK_INT_EQ(key.tp_src, 0);
    CHECK_INT_EQ(key.tp_dst, 0);
    CHECK_INT_EQ(layout.l4, FLOWKEY_OFS_NONE);

    /* Last fragment: MF clear, offset != 0. */
    f.data[20] = 0x00;
    f.data[21] = 0x10;
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.nw_frag, FLOWKEY_FRAG_ANY | FLOWKEY_FRAG_LATER);
}

static void
test_icmp(void)
{
    struct flowkey key;
    struct frame f;

    put_eth(&f, ETH_TYPE_IP);
    put_ipv4(&f, IP_PROTO_ICMP, 0, 0, 8);
    put8(&f, 3);
    put8(&f, 4);
    put_zeros(&f, 6);
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.tp_src, 3);
    CHECK_INT_EQ(key.tp_dst, 4);
}

static void
test_sctp(void)
{
    struct flowkey key;
    struct frame f;

    put_eth(&f, ETH_TYPE_IP);
    put_ipv4(&f, IP_PROTO_SCTP, 0, 0, 12);
    put16(&f, 2905);
    put16(&f, 2906);
    put_zeros(&f, 8);
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.tp_src, 2905);
    CHECK_INT_EQ(key.tp_dst, 2906);
}

static void
test_vlan_single(void)
{
    struct flowkey_layout layout;
    struct flowkey key;
    struct frame f;

    /* PCP 5, DEI set, VID 10. */
    put_eth(&f, ETH_TYPE_VLAN);
    put_vlan(&f, 0xb00a, ETH_TYPE_IP);
    put_ipv4(&f, IP_PROTO_UDP, 0, 0, 8);
    put_udp(&f, 1, 2, 8);
    extract(&f, &key, &layout);
    CHECK_INT_EQ(key.vlans[0].tpid, 0x8100);
    CHECK_INT_EQ(key.vlans[0].tci, 0xa000 | FLOWKEY_VLAN_PRESENT | 10);
    CHECK_INT_EQ(key.vlans[1].tci, 0);
    CHECK_INT_EQ(key.vlans[1].tpid, 0);
    CHECK_INT_EQ(key.eth_type, 0x0800);
    CHECK_INT_EQ(key.tp_dst, 2);
    CHECK_INT_EQ(layout.l2_5, 12);
    CHECK_INT_EQ(layout.l3, 18);
    CHECK_INT_EQ(layout.l4, 38);

    /* VID 0, PCP 0: still a tag. */
    f.data[14] = f.data[15] = 0;
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.vlans[0].tci, FLOWKEY_VLAN_PRESENT);
}

static void
test_vlan_double(void)
{
    struct flowkey_layout layout;
    struct flowkey key;
    struct frame f;

    put_eth(&f, ETH_TYPE_QINQ);
    put_vlan(&f, 100, ETH_TYPE_VLAN);
    put_vlan(&f, 0x2000 | 200, ETH_TYPE_IPV6);
    put_ipv6(&f, IP_PROTO_UDP, 8);
    put_udp(&f, 546, 547, 8);
    extract(&f, &key, &layout);
    CHECK_INT_EQ(key.vlans[0].tpid, 0x88a8);
    CHECK_INT_EQ(key.vlans[0].tci, FLOWKEY_VLAN_PRESENT | 100);
    CHECK_INT_EQ(key.vlans[1].tpid, 0x8100);
    CHECK_INT_EQ(key.vlans[1].tci, 0x2000 | FLOWKEY_VLAN_PRESENT | 200);
    CHECK_INT_EQ(key.eth_type, 0x86dd);
    CHECK_INT_EQ(key.tp_src, 546);
    CHECK_INT_EQ(layout.l2_5, 12);
    CHECK_INT_EQ(layout.l3, 22);
}

/* A third tag is not parsed: its TPID is the ethertype. */
static void
test_vlan_triple(void)
{
    struct flowkey key;
    struct frame f;

    put_eth(&f, ETH_TYPE_VLAN);
    put_vlan(&f, 1, ETH_TYPE_VLAN);
    put_vlan(&f, 2, ETH_TYPE_VLAN);
    put_vlan(&f, 3, ETH_TYPE_IP);
    put_ipv4(&f, IP_PROTO_UDP, 0, 0, 8);
    put_udp(&f, 1, 2, 8);
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.vlans[0].tci, FLOWKEY_VLAN_PRESENT | 1);
    CHECK_INT_EQ(key.vlans[1].tci, FLOWKEY_VLAN_PRESENT | 2);
    CHECK_INT_EQ(key.eth_type, 0x8100);
    CHECK(key_is_zero_from(&key, offsetof(struct flowkey, nw_proto)));
}

/* A tag cut short leaves the TPID as the ethertype. */
static void
test_vlan_truncated(void)
{
    struct flowkey key;
    struct frame f;

    put_eth(&f, ETH_TYPE_VLAN);
    put16(&f, 10);
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.eth_type, 0x8100);
    CHECK_INT_EQ(key.vlans[0].tci, 0);
}

static void
test_802_3(void)
{
    struct flowkey_layout layout;
    struct flowkey key;
    struct frame f;

    /* 802.2 LLC (STP). */
    put_eth(&f, 38);
    put8(&f, 0x42);
    put8(&f, 0x42);
    put8(&f, 0x03);
    put_zeros(&f, 35);
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.eth_type, FLOWKEY_ETH_TYPE_NONE);

    /* Length 0x5ff is still a length. */
    put_eth(&f, 0x5ff);
    put_zeros(&f, 46);
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.eth_type, FLOWKEY_ETH_TYPE_NONE);

    /* LLC/SNAP with a zero OUI carries an ethertype. */
    put_eth(&f, 8 + 28);
    put8(&f, 0xaa);
    put8(&f, 0xaa);
    put8(&f, 0x03);
    put_zeros(&f, 3);
    put16(&f, ETH_TYPE_IP);
    put_ipv4(&f, IP_PROTO_UDP, 0, 0, 8);
    put_udp(&f, 1, 2, 8);
    extract(&f, &key, &layout);
    CHECK_INT_EQ(key.eth_type, 0x0800);
    CHECK_INT_EQ(layout.l3, 22);
    CHECK_INT_EQ(key.tp_dst, 2);

    /* A non-zero OUI is not an ethertype. */
    f.data[19] = 1;
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.eth_type, FLOWKEY_ETH_TYPE_NONE);
    CHECK_INT_EQ(key.nw_proto, 0);
}

static void
put_arp(struct frame *f, uint16_t op)
{
    put_eth(f, ETH_TYPE_ARP);
    put16(f, 1);
    put16(f, ETH_TYPE_IP);
    put8(f, 6);
    put8(f, 4);
    put16(f, op);
    put(f, mac_a, 6);
    put32(f, 0xc0a80001);
    put(f, mac_b, 6);
    put32(f, 0xc0a80002);
}

static void
test_arp(void)
{
    struct flowkey key;
    struct frame f;

    put_arp(&f, 2);
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.eth_type, 0x0806);
    CHECK_INT_EQ(key.nw_proto, 2);
    CHECK_INT_EQ(key.ipv4_src, htonl(0xc0a80001));
    CHECK_INT_EQ(key.ipv4_dst, htonl(0xc0a80002));
    CHECK(!memcmp(key.arp_sha, mac_a, 6));
    CHECK(!memcmp(key.arp_tha, mac_b, 6));
    CHECK_INT_EQ(key.tp_src, 0);

    /* An opcode beyond a byte is not truncated into one. */
    put_arp(&f, 0x0101);
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.nw_proto, 0);
    CHECK_INT_EQ(key.ipv4_src, htonl(0xc0a80001));

    /* Not Ethernet/IPv4 ARP: no fields. */
    put_arp(&f, 1);
    f.data[18] = 8;
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.eth_type, 0x0806);
    CHECK(key_is_zero_from(&key, offsetof(struct flowkey, nw_proto)));

    /* Cut short by one byte. */
    put_arp(&f, 1);
    f.size--;
    extract(&f, &key, NULL);
    CHECK(key_is_zero_from(&key, offsetof(struct flowkey, nw_proto)));
}

static void
test_ipv6_tcp(void)
{
    struct flowkey_layout layout;
    struct flowkey key;
    struct frame f;

    put_eth(&f, ETH_TYPE_IPV6);
    put_ipv6(&f, IP_PROTO_TCP, 20);
    put_tcp(&f, 40000, 443, 0x018);
    extract(&f, &key, &layout);
    CHECK_INT_EQ(key.eth_type, 0x86dd);
    CHECK_INT_EQ(key.nw_tos, 0xa0);
    CHECK_INT_EQ(key.ipv6_label, 0x12345);
    CHECK_INT_EQ(key.nw_ttl, 255);
    CHECK_INT_EQ(key.nw_proto, 6);
    CHECK(!memcmp(key.ipv6_src, ip6_a, 16));
    CHECK(!memcmp(key.ipv6_dst, ip6_b, 16));
    CHECK_INT_EQ(key.tp_src, 40000);
    CHECK_INT_EQ(key.tp_dst, 443);
    CHECK_INT_EQ(key.tcp_flags, 0x018);
    CHECK_INT_EQ(layout.l4, 54);
}

/* Hop-by-hop (8 bytes), routing (24), destination options (16), AH (16). */
static void
test_ipv6_ext_chain(void)
{
    struct flowkey_layout layout;
    struct flowkey key;
    struct frame f;

    put_eth(&f, ETH_TYPE_IPV6);
    put_ipv6(&f, 0, 8 + 24 + 16 + 16 + 8);
    put8(&f, 43);
    put8(&f, 0);
    put_zeros(&f, 6);
    put8(&f, 60);
    put8(&f, 2);
    put_zeros(&f, 22);
    put8(&f, 51);
    put8(&f, 1);
    put_zeros(&f, 14);
    put8(&f, IP_PROTO_UDP);
    put8(&f, 2);                        /* (2 + 2) * 4 = 16 bytes. */
    put_zeros(&f, 14);
    put_udp(&f, 7, 9, 8);
    extract(&f, &key, &layout);
    CHECK_INT_EQ(key.nw_proto, IP_PROTO_UDP);
    CHECK_INT_EQ(key.nw_frag, 0);
    CHECK_INT_EQ(key.tp_src, 7);
    CHECK_INT_EQ(key.tp_dst, 9);
    CHECK_INT_EQ(layout.l4, 54 + 64);
}

static void
put_ipv6_frag(struct frame *f, uint16_t frag_off, uint8_t next)
{
    put_eth(f, ETH_TYPE_IPV6);
    put_ipv6(f, 44, 16);
    put8(f, next);
    put8(f, 0);
    put16(f, frag_off);
    put32(f, 0xdeadbeef);
    put_udp(f, 1000, 2000, 8);
}

static void
test_ipv6_fragments(void)
{
    struct flowkey key;
    struct frame f;

    put_ipv6_frag(&f, 0x0001, IP_PROTO_UDP);
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.nw_frag, FLOWKEY_FRAG_ANY);
    CHECK_INT_EQ(key.nw_proto, IP_PROTO_UDP);
    CHECK_INT_EQ(key.tp_src, 1000);

    put_ipv6_frag(&f, 0x0100, IP_PROTO_UDP);
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.nw_frag, FLOWKEY_FRAG_ANY | FLOWKEY_FRAG_LATER);
    CHECK_INT_EQ(key.nw_proto, IP_PROTO_UDP);
    CHECK_INT_EQ(key.tp_src, 0);

    /* An atomic fragment (offset 0, no MF) is a whole packet. */
    put_ipv6_frag(&f, 0, IP_PROTO_UDP);
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.nw_frag, 0);
    CHECK_INT_EQ(key.tp_dst, 2000);
}

static void
test_ipv6_bogus_chains(void)
{
    struct flowkey_layout layout;
    struct flowkey key;
    struct frame f;

    /* Hop-by-hop claiming 2048 bytes in a short packet. */
    put_eth(&f, ETH_TYPE_IPV6);
    put_ipv6(&f, 0, 16);
    put8(&f, IP_PROTO_TCP);
    put8(&f, 255);
    put_zeros(&f, 14);
    extract(&f, &key, &layout);
    CHECK_INT_EQ(key.nw_proto, 0);
    CHECK_INT_EQ(key.nw_ttl, 255);
    CHECK_INT_EQ(key.tp_src, 0);
    CHECK_INT_EQ(layout.l4, FLOWKEY_OFS_NONE);

    /* A chain of destination options that each point to another, until
     * the payload runs out mid-header. */
    put_eth(&f, ETH_TYPE_IPV6);
    put_ipv6(&f, 60, 8 * 40 + 4);
    for (int i = 0; i < 40; i++) {
        put8(&f, 60);
        put_zeros(&f, 7);
    }
    put_zeros(&f, 4);
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.nw_proto, 60);
    CHECK_INT_EQ(key.tp_src, 0);

    /* Payload length beyond the frame: the IPv6 header is not trusted. */
    put_eth(&f, ETH_TYPE_IPV6);
    put_ipv6(&f, IP_PROTO_UDP, 100);
    put_udp(&f, 1, 2, 8);
    extract(&f, &key, NULL);
    CHECK(key_is_zero_from(&key, offsetof(struct flowkey, nw_proto)));

    /* Extension header outside the payload length (but inside the frame). */
    put_eth(&f, ETH_TYPE_IPV6);
    put_ipv6(&f, 0, 4);
    put8(&f, IP_PROTO_UDP);
    put_zeros(&f, 7);
    put_udp(&f, 1, 2, 8);
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.nw_proto, 0);
    CHECK_INT_EQ(key.tp_src, 0);
}

/* ICMPv6 neighbour solicitation/advertisement with 'n_opts' options. */
static void
put_nd(struct frame *f, uint8_t type, const uint8_t *opts, size_t n_opts)
{
    put_eth(f, ETH_TYPE_IPV6);
    put_ipv6(f, IP_PROTO_ICMPV6, 24 + 8 * n_opts);
    put8(f, type);
    put8(f, 0);
    put16(f, 0);
    put32(f, 0);
    put(f, ip6_b, 16);
    for (size_t i = 0; i < n_opts; i++) {
        put(f, opts + 8 * i, 8);
    }
}

static void
test_nd(void)
{
    static const uint8_t sll[8] = { 1, 1, 0x50, 0x54, 0, 0, 0, 1 };
    static const uint8_t tll[8] = { 2, 1, 0x50, 0x54, 0, 0, 0, 2 };
    static const uint8_t nonce[8] = { 14, 1, 1, 2, 3, 4, 5, 6 };
    static const uint8_t zero_len[8] = { 1, 0, 0x50, 0x54, 0, 0, 0, 1 };
    uint8_t opts[3 * 8];
    struct flowkey key;
    struct frame f;

    put_nd(&f, 135, sll, 1);
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.tp_src, 135);
    CHECK_INT_EQ(key.tp_dst, 0);
    CHECK(!memcmp(key.nd_target, ip6_b, 16));
    CHECK(!memcmp(key.arp_sha, mac_a, 6));
    CHECK(eth_addr_is_zero(key.arp_tha));

    /* Unknown options are skipped. */
    memcpy(opts, nonce, 8);
    memcpy(opts + 8, tll, 8);
    put_nd(&f, 136, opts, 2);
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.tp_src, 136);
    CHECK(!memcmp(key.arp_tha, mac_b, 6));
    CHECK(!memcmp(key.nd_target, ip6_b, 16));

    /* A zero-length option invalidates all ND fields. */
    memcpy(opts, sll, 8);
    memcpy(opts + 8, zero_len, 8);
    put_nd(&f, 135, opts, 2);
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.tp_src, 135);
    CHECK(eth_addr_is_zero(key.arp_sha));
    CHECK(!memcmp(key.nd_target, (uint8_t[16]) { 0 }, 16));

    /* So does a repeated SLL. */
    memcpy(opts, sll, 8);
    memcpy(opts + 8, sll, 8);
    put_nd(&f, 135, opts, 2);
    extract(&f, &key, NULL);
    CHECK(eth_addr_is_zero(key.arp_sha));
    CHECK(!memcmp(key.nd_target, (uint8_t[16]) { 0 }, 16));

    /* An option claiming to run past the end. */
    memcpy(opts, sll, 8);
    opts[1] = 4;
    put_nd(&f, 135, opts, 1);
    extract(&f, &key, NULL);
    CHECK(eth_addr_is_zero(key.arp_sha));
    CHECK(!memcmp(key.nd_target, (uint8_t[16]) { 0 }, 16));

    /* Non-zero code: not ND. */
    put_nd(&f, 135, sll, 1);
    f.data[55] = 1;
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.tp_dst, 1);
    CHECK(eth_addr_is_zero(key.arp_sha));

    /* ICMPv6 echo request. */
    put_eth(&f, ETH_TYPE_IPV6);
    put_ipv6(&f, IP_PROTO_ICMPV6, 8);
    put8(&f, 128);
    put8(&f, 0);
    put_zeros(&f, 6);
    extract(&f, &key, NULL);
    CHECK_INT_EQ(key.tp_src, 128);
    CHECK(!memcmp(key.nd_target, (uint8_t[16]) { 0 }, 16));
}

static void
test_zero_length(void)
{
    struct flowkey_layout layout;
    struct flowkey key;
    uint8_t byte = 0xff;

    memset(&key, 0xaa, sizeof key);
    flowkey_extract(NULL, 0, 3, &key, &layout);
    CHECK_INT_EQ(key.in_port, 3);
    CHECK(key_is_zero_from(&key, offsetof(struct flowkey, eth_src)));
    CHECK_INT_EQ(layout.l3, FLOWKEY_OFS_NONE);
    flowkey_extract(&byte, 1, 3, &key, NULL);
    CHECK(key_is_zero_from(&key, offsetof(struct flowkey, eth_src)));
}

/* Every prefix of each sample frame: no overread (under ASan), pads stay
 * zero, and a prefix never yields transport fields the full frame lacks. */
static void
check_truncations(const struct frame *f)
{
    struct flowkey full, key;

    extract(f, &full, NULL);
    for (size_t size = 0; size <= f->size; size++) {
        uint8_t *copy = xmemdup(f->data, size);
        struct flowkey_layout layout;

        flowkey_extract(copy, size, 1, &key, &layout);
        free(copy);
        CHECK(!key.pad1[0] && !key.pad1[1]);
        CHECK(key_is_zero_from(&key, offsetof(struct flowkey, pad2)));
        CHECK(layout.l3 == FLOWKEY_OFS_NONE || layout.l3 <= size);
        CHECK(layout.l4 == FLOWKEY_OFS_NONE || layout.l4 <= size);
        CHECK(!key.tp_src || key.tp_src == full.tp_src);
        if (size == f->size) {
            key.in_port = full.in_port;
            CHECK(!memcmp(&key, &full, sizeof key));
        }
    }
}

static void
test_truncations(void)
{
    static const uint8_t sll[8] = { 1, 1, 0x50, 0x54, 0, 0, 0, 1 };
    struct frame f;

    put_eth(&f, ETH_TYPE_IP);
    put_ipv4(&f, IP_PROTO_TCP, 0, 4, 20);
    put_tcp(&f, 1234, 80, 0x002);
    check_truncations(&f);

    put_eth(&f, ETH_TYPE_QINQ);
    put_vlan(&f, 100, ETH_TYPE_VLAN);
    put_vlan(&f, 200, ETH_TYPE_IP);
    put_ipv4(&f, IP_PROTO_UDP, 0, 0, 8);
    put_udp(&f, 1, 2, 8);
    check_truncations(&f);

    put_arp(&f, 1);
    check_truncations(&f);

    put_nd(&f, 135, sll, 1);
    check_truncations(&f);

    put_ipv6_frag(&f, 0x0001, IP_PROTO_UDP);
    check_truncations(&f);

    put_eth(&f, ETH_TYPE_IPV6);
    put_ipv6(&f, 0, 8 + 16 + 20);
    put8(&f, 51);
    put_zeros(&f, 7);
    put8(&f, IP_PROTO_TCP);
    put8(&f, 2);
    put_zeros(&f, 14);
    put_tcp(&f, 5, 6, 0x001);
    check_truncations(&f);
}

static void
fill_key(struct flowkey *key, uint32_t seed)
{
    uint8_t *p = (uint8_t *) key;

    for (size_t i = 0; i < sizeof *key; i++) {
        seed = seed * 1103515245 + 12345;
        p[i] = seed >> 16;
    }
}

static void
test_masked_ops(void)
{
    struct flowkey a, b, mask, masked;
    uint32_t basis = 42;

    fill_key(&a, 1);
    b = a;
    memset(&mask, 0, sizeof mask);
    memset(&mask.ipv4_dst, 0xff, 3);
    mask.tp_dst = 0xffff;

    /* Bits outside the mask do not matter. */
    b.ipv4_src ^= 0xffffffff;
    b.tp_src++;
    b.in_port++;
    CHECK(flowkey_equal_masked(&a, &b, &mask));
    CHECK_INT_EQ(flowkey_hash_masked(&a, &mask, basis),
                 flowkey_hash_masked(&b, &mask, basis));

    flowkey_apply_mask(&masked, &a, &mask);
    CHECK(flowkey_equal_masked(&masked, &a, &mask));
    CHECK_INT_EQ(masked.ipv4_src, 0);
    CHECK_INT_EQ(masked.tp_dst, a.tp_dst);
    CHECK_INT_EQ(flowkey_hash_masked(&masked, &mask, basis),
                 flowkey_hash_masked(&a, &mask, basis));
    CHECK_INT_EQ(flowkey_hash(&masked, basis), flowkey_hash_masked(&a, &mask, basis));

    /* Bits inside it do. */
    b.tp_dst ^= 0x100;
    CHECK(!flowkey_equal_masked(&a, &b, &mask));
    CHECK(flowkey_hash_masked(&a, &mask, basis) != flowkey_hash_masked(&b, &mask, basis));
    b = a;
    ((uint8_t *) &b.ipv4_dst)[2] ^= 1;
    CHECK(!flowkey_equal_masked(&a, &b, &mask));
    ((uint8_t *) &b.ipv4_dst)[2] ^= 1;
    ((uint8_t *) &b.ipv4_dst)[3] ^= 1;
    CHECK(flowkey_equal_masked(&a, &b, &mask));

    /* Whole-key hash sees every byte, and the basis. */
    b = a;
    b.pad2[5] ^= 1;
    CHECK(flowkey_hash(&a, basis) != flowkey_hash(&b, basis));
    CHECK(flowkey_hash(&a, basis) != flowkey_hash(&a, basis + 1));
    CHECK_INT_EQ(flowkey_hash(&a, basis), flowkey_hash(&a, basis));
}

/* Datapath masks always match eth_type and the tag structure exactly. */
static void
test_mask_canonicalize(void)
{
    struct flowkey key, mask;

    memset(&key, 0, sizeof key);
    memset(&mask, 0, sizeof mask);
    flowkey_mask_canonicalize(&key, &mask);
    CHECK_INT_EQ(mask.eth_type, 0xffff);
    CHECK_INT_EQ(mask.vlans[0].tpid, 0xffff);
    CHECK_INT_EQ(mask.vlans[0].tci, 0xffff);
    CHECK_INT_EQ(mask.vlans[1].tci, 0);

    key.vlans[0].tpid = 0x8100;
    key.vlans[0].tci = FLOWKEY_VLAN_PRESENT | 10;
    memset(&mask, 0, sizeof mask);
    mask.vlans[0].tci = FLOWKEY_VLAN_VID_MASK;
    flowkey_mask_canonicalize(&key, &mask);
    CHECK_INT_EQ(mask.vlans[0].tci, FLOWKEY_VLAN_PRESENT | FLOWKEY_VLAN_VID_MASK);
    CHECK_INT_EQ(mask.vlans[1].tpid, 0xffff);
    CHECK_INT_EQ(mask.vlans[1].tci, 0xffff);
}

UNIT_MAIN("flowkey",
          UNIT_TEST(test_mask_canonicalize),
          UNIT_TEST(test_ipv4_tcp),
          UNIT_TEST(test_ipv4_options_udp),
          UNIT_TEST(test_ipv4_tcp_flags_12_bits),
          UNIT_TEST(test_ipv4_bad_headers),
          UNIT_TEST(test_ipv4_padding),
          UNIT_TEST(test_ipv4_fragments),
          UNIT_TEST(test_icmp),
          UNIT_TEST(test_sctp),
          UNIT_TEST(test_vlan_single),
          UNIT_TEST(test_vlan_double),
          UNIT_TEST(test_vlan_triple),
          UNIT_TEST(test_vlan_truncated),
          UNIT_TEST(test_802_3),
          UNIT_TEST(test_arp),
          UNIT_TEST(test_ipv6_tcp),
          UNIT_TEST(test_ipv6_ext_chain),
          UNIT_TEST(test_ipv6_fragments),
          UNIT_TEST(test_ipv6_bogus_chains),
          UNIT_TEST(test_nd),
          UNIT_TEST(test_zero_length),
          UNIT_TEST(test_truncations),
          UNIT_TEST(test_masked_ops))
