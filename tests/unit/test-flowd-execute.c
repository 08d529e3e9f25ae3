/* Unit tests for dp-execute.c's header rewrites that need more than byte
 * copies: IPv6 addresses (the L4 checksum follows the pseudo-header), the
 * IPv6 first word, ARP fields and SCTP ports (CRC32c recomputed). */
#include <arpa/inet.h>
#include <string.h>

#include "dp-user.h"
#include "dpactions.h"
#include "packet.h"
#include "unit.h"

#define FRAME_MAX 256

static const uint8_t addr_a[16] = { 0xfd, 0, 0, 0x77, [15] = 1 };
static const uint8_t addr_b[16] = { 0xfd, 0, 0, 0x77, [15] = 2 };
static const uint8_t addr_c[16] = { 0xfd, 0, 0, 0x77, [14] = 0xab, [15] = 0x99 };

static void
put_eth(uint8_t *f, uint16_t eth_type)
{
    static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
    uint16_t t = htons(eth_type);

    memcpy(f, macs, 12);
    memcpy(f + 12, &t, 2);
}

/* Ethernet + IPv6 + 'l4_size' bytes of 'proto' payload, with its checksum
 * (at 'csum_ofs' in the payload) right. Returns the frame size. */
static size_t
build_ipv6(uint8_t *f, uint8_t proto, size_t l4_size, size_t csum_ofs)
{
    uint8_t *ip = f + 14, *l4 = f + 54;
    uint16_t plen = htons(l4_size), c;

    memset(f, 0, FRAME_MAX);
    put_eth(f, ETH_TYPE_IPV6);
    ip[0] = 0x60;
    memcpy(ip + 4, &plen, 2);
    ip[6] = proto;
    ip[7] = 64;
    memcpy(ip + 8, addr_a, 16);
    memcpy(ip + 24, addr_b, 16);
    for (size_t i = 0; i < l4_size; i++) {
        l4[i] = (uint8_t) (i * 7 + 3);
    }
    if (proto == IP_PROTO_UDP) {
        memcpy(l4 + 4, &plen, 2);
    } else if (proto == IP_PROTO_ICMPV6) {
        l4[0] = 128;
        l4[1] = 0;
    }
    memset(l4 + csum_ofs, 0, 2);
    c = csum_finish(csum_partial(l4, l4_size,
                                 csum_pseudo_ipv6(addr_a, addr_b, proto, l4_size)));
    memcpy(l4 + csum_ofs, &c, 2);
    return 54 + l4_size;
}

/* True if the L4 checksum of the IPv6 frame 'f' verifies. */
static bool
ipv6_l4_csum_ok(const uint8_t *f, size_t size)
{
    const uint8_t *ip = f + 14;
    size_t l4_size = size - 54;

    return csum_finish(csum_partial(f + 54, l4_size,
                                    csum_pseudo_ipv6(ip + 8, ip + 24, ip[6], l4_size))) == 0;
}

static void
execute(uint8_t *frame, size_t size, const struct dp_actions *actions)
{
    struct dp_user dp;
    struct dp_packet p;

    memset(&dp, 0, sizeof dp);
    memset(&p, 0, sizeof p);
    p.data = frame;
    p.size = size;
    dp_user_execute(&dp, &p, actions->data, actions->size);
}

static void
set_ipv6_addrs(uint8_t *frame, size_t size, const uint8_t *src, const uint8_t *dst)
{
    struct dp_actions actions = DP_ACTIONS_INITIALIZER;
    struct ovs_key_ipv6 value, mask;

    memset(&value, 0, sizeof value);
    memset(&mask, 0, sizeof mask);
    if (src) {
        memcpy(value.ipv6_src, src, 16);
        memset(mask.ipv6_src, 0xff, 16);
    }
    if (dst) {
        memcpy(value.ipv6_dst, dst, 16);
        memset(mask.ipv6_dst, 0xff, 16);
    }
    dp_actions_put_set_masked(&actions, OVS_KEY_ATTR_IPV6, &value, &mask, sizeof value);
    execute(frame, size, &actions);
    dp_actions_uninit(&actions);
}

static void
test_ipv6_addresses_fix_l4_checksums(void)
{
    static const struct {
        uint8_t proto;
        size_t size, csum_ofs;
    } cases[] = {
        { IP_PROTO_TCP, 40, 16 }, { IP_PROTO_UDP, 33, 6 }, { IP_PROTO_ICMPV6, 64, 2 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint8_t frame[FRAME_MAX];
        size_t size = build_ipv6(frame, cases[i].proto, cases[i].size, cases[i].csum_ofs);

        CHECK(ipv6_l4_csum_ok(frame, size));
        set_ipv6_addrs(frame, size, addr_c, NULL);
        CHECK(!memcmp(frame + 22, addr_c, 16));
        CHECK(!memcmp(frame + 38, addr_b, 16));
        CHECK(ipv6_l4_csum_ok(frame, size));
        set_ipv6_addrs(frame, size, addr_b, addr_c);
        CHECK(!memcmp(frame + 22, addr_b, 16));
        CHECK(!memcmp(frame + 38, addr_c, 16));
        CHECK(ipv6_l4_csum_ok(frame, size));
    }
}

static void
test_ipv6_first_word_and_hlimit(void)
{
    struct dp_actions actions = DP_ACTIONS_INITIALIZER;
    struct ovs_key_ipv6 value, mask;
    uint8_t frame[FRAME_MAX];
    size_t size = build_ipv6(frame, IP_PROTO_UDP, 20, 6);
    uint32_t first;

    memset(&value, 0, sizeof value);
    memset(&mask, 0, sizeof mask);
    value.ipv6_label = htonl(0x12345);
    mask.ipv6_label = htonl(0xfffff);
    value.ipv6_tclass = 0xb8;
    mask.ipv6_tclass = 0xff;
    value.ipv6_hlimit = 9;
    mask.ipv6_hlimit = 0xff;
    dp_actions_put_set_masked(&actions, OVS_KEY_ATTR_IPV6, &value, &mask, sizeof value);
    execute(frame, size, &actions);
    dp_actions_uninit(&actions);
    memcpy(&first, frame + 14, 4);
    CHECK_INT_EQ(ntohl(first), 0x6b812345u);
    CHECK_INT_EQ(frame[14 + 7], 9);
    CHECK(!memcmp(frame + 22, addr_a, 16));
    CHECK(ipv6_l4_csum_ok(frame, size));
}

static void
test_arp_fields(void)
{
    static const uint8_t sha[6] = { 2, 0x77, 0, 0, 0, 0x99 };
    struct dp_actions actions = DP_ACTIONS_INITIALIZER;
    struct ovs_key_arp value, mask;
    uint8_t frame[FRAME_MAX], *arp = frame + 14, before[28];

    memset(frame, 0, sizeof frame);
    put_eth(frame, ETH_TYPE_ARP);
    memcpy(arp, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
    memcpy(arp + 8, frame + 6, 6);
    memcpy(arp + 14, "\x0a\x4d\x00\x0b", 4);
    memcpy(arp + 24, "\x0a\x4d\x00\x0c", 4);
    memcpy(before, arp, 28);

    memset(&value, 0, sizeof value);
    memset(&mask, 0, sizeof mask);
    value.arp_op = htons(2);
    mask.arp_op = htons(0xffff);
    memcpy(value.arp_sha, sha, 6);
    memset(mask.arp_sha, 0xff, 6);
    value.arp_sip = htonl(0x0a4d0063);
    mask.arp_sip = htonl(0xffffffff);
    dp_actions_put_set_masked(&actions, OVS_KEY_ATTR_ARP, &value, &mask, sizeof value);
    execute(frame, 60, &actions);
    dp_actions_uninit(&actions);

    CHECK(!memcmp(arp, before, 6));
    CHECK(!memcmp(arp + 6, "\x00\x02", 2));
    CHECK(!memcmp(arp + 8, sha, 6));
    CHECK(!memcmp(arp + 14, "\x0a\x4d\x00\x63", 4));
    CHECK(!memcmp(arp + 18, before + 18, 10));   /* Target untouched. */
}

static void
test_crc32c_known_value(void)
{
    /* The CRC-32C check value of "123456789" (RFC 3720 B.4 family). */
    CHECK_INT_EQ(crc32c("123456789", 9), 0xe3069283u);
}

/* Ethernet + IPv4 + SCTP common header and one chunk, CRC right; 4 bytes
 * of Ethernet padding after it that the CRC must not cover. */
static size_t
build_sctp(uint8_t *f)
{
    uint8_t *ip = f + 14, *sctp = f + 34;
    uint16_t total = htons(20 + 28), c;
    uint32_t crc;

    memset(f, 0, FRAME_MAX);
    put_eth(f, ETH_TYPE_IP);
    ip[0] = 0x45;
    memcpy(ip + 2, &total, 2);
    ip[8] = 64;
    ip[9] = IP_PROTO_SCTP;
    memcpy(ip + 12, "\x0a\x4d\x00\x0b\x0a\x4d\x00\x0c", 8);
    c = csum(ip, 20);
    memcpy(ip + 10, &c, 2);
    memcpy(sctp, "\x13\x88\x13\x89\x01\x02\x03\x04", 8);
    memcpy(sctp + 12, "\x01\x00\x00\x10\xaa\xbb\xcc\xdd\x00\x01\x00\x00\x00\x0a\x00\x0a", 16);
    crc = crc32c(sctp, 28);
    for (int i = 0; i < 4; i++) {
        sctp[8 + i] = crc >> (8 * i);
    }
    memset(f + 62, 0xee, 4);
    return 66;
}

static bool
sctp_crc_ok(uint8_t *f)
{
    uint8_t *sctp = f + 34, stored[4];
    uint32_t crc;

    memcpy(stored, sctp + 8, 4);
    memset(sctp + 8, 0, 4);
    crc = crc32c(sctp, 28);
    memcpy(sctp + 8, stored, 4);
    return stored[0] == (crc & 0xff) && stored[1] == ((crc >> 8) & 0xff)
           && stored[2] == ((crc >> 16) & 0xff) && stored[3] == crc >> 24;
}

static void
set_sctp(uint8_t *frame, size_t size, uint16_t src, uint16_t dst)
{
    struct dp_actions actions = DP_ACTIONS_INITIALIZER;
    struct ovs_key_sctp value = { htons(src), htons(dst) };
    struct ovs_key_sctp mask = { htons(0xffff), htons(0xffff) };

    dp_actions_put_set_masked(&actions, OVS_KEY_ATTR_SCTP, &value, &mask, sizeof value);
    execute(frame, size, &actions);
    dp_actions_uninit(&actions);
}

static void
test_sctp_ports_recompute_crc(void)
{
    uint8_t frame[FRAME_MAX];
    size_t size = build_sctp(frame);

    CHECK(sctp_crc_ok(frame));
    set_sctp(frame, size, 7000, 7001);
    CHECK(!memcmp(frame + 34, "\x1b\x58\x1b\x59", 4));
    CHECK(sctp_crc_ok(frame));
}

static void
test_sctp_bad_crc_stays_bad(void)
{
    uint8_t frame[FRAME_MAX];
    size_t size = build_sctp(frame);

    frame[34 + 8] ^= 1;
    set_sctp(frame, size, 7000, 7001);
    CHECK(!memcmp(frame + 34, "\x1b\x58\x1b\x59", 4));
    CHECK(!sctp_crc_ok(frame));
}

UNIT_MAIN("flowd-execute",
          UNIT_TEST(test_ipv6_addresses_fix_l4_checksums),
          UNIT_TEST(test_ipv6_first_word_and_hlimit),
          UNIT_TEST(test_arp_fields),
          UNIT_TEST(test_crc32c_known_value),
          UNIT_TEST(test_sctp_ports_recompute_crc),
          UNIT_TEST(test_sctp_bad_crc_stays_bad))
