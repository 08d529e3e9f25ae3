/* Unit tests for packet.c: Ethernet address text and Internet checksums. */
#include <arpa/inet.h>
#include <stdint.h>

#include "packet.h"
#include "unit.h"

static void
test_eth_addr_parse(void)
{
    uint8_t addr[6];
    static const uint8_t expected[6] = { 0x50, 0x54, 0x00, 0xab, 0xcd, 0x0f };

    CHECK(eth_addr_from_string("50:54:00:ab:CD:0f", addr));
    CHECK(!memcmp(addr, expected, 6));
    CHECK(eth_addr_from_string("0:1:2:3:4:5", addr));
    CHECK(addr[5] == 5);
}

static void
test_eth_addr_bad(void)
{
    static const char *const bad[] = {
        "", "50:54:00:ab:cd", "50:54:00:ab:cd:0f:", "50:54:00:ab:cd:0f:11",
        "50:54:00:ab:cd:0g", "505:4:00:ab:cd:0f", "50-54-00-ab-cd-0f",
        " 50:54:00:ab:cd:0f", "50:54:00:ab:cd:0f ", "::::::", "50:54:00:ab:cd:",
    };
    uint8_t addr[6] = { 1, 2, 3, 4, 5, 6 };

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        CHECK(!eth_addr_from_string(bad[i], addr));
    }
    CHECK(!eth_addr_from_string(NULL, addr));
    /* A failed parse leaves the output alone. */
    CHECK(addr[0] == 1 && addr[5] == 6);
}

static void
test_eth_addr_format(void)
{
    static const uint8_t addr[6] = { 0x50, 0x54, 0x00, 0xab, 0xcd, 0x0f };
    struct buf b = BUF_INITIALIZER;

    eth_addr_format(&b, addr);
    CHECK_STR_EQ(buf_cstr(&b), "50:54:00:ab:cd:0f");
    buf_uninit(&b);
    CHECK(eth_addr_is_broadcast((const uint8_t[6]) { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }));
    CHECK(eth_addr_is_multicast((const uint8_t[6]) { 0x01, 0, 0x5e, 0, 0, 1 }));
    CHECK(eth_addr_is_zero((const uint8_t[6]) { 0 }));
}

/* RFC 1071 section 3 example: the sum of these words is 0xddf2. */
static void
test_csum_rfc1071(void)
{
    static const uint8_t data[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    uint16_t sum = csum(data, sizeof data);
    uint8_t bytes[2];

    memcpy(bytes, &sum, 2);
    CHECK_INT_EQ(bytes[0], 0x22);
    CHECK_INT_EQ(bytes[1], 0x0d);
}

/* A real IPv4 header whose checksum field holds 0xb861. */
static void
test_csum_ipv4_header(void)
{
    uint8_t ip[20] = {
        0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
        0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
    };
    uint16_t sum;

    CHECK_INT_EQ(csum(ip, sizeof ip), 0);
    ip[10] = ip[11] = 0;
    sum = csum(ip, sizeof ip);
    CHECK_INT_EQ(ntohs(sum), 0xb861);
}

static void
test_csum_odd_and_chunks(void)
{
    uint8_t data[13];
    uint32_t partial;

    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = i * 37 + 1;
    }
    /* Even-sized chunks then an odd tail give the one-shot result. */
    partial = csum_partial(data, 6, 0);
    partial = csum_partial(data + 6, 7, partial);
    CHECK_INT_EQ(csum_finish(partial), csum(data, sizeof data));
    /* An odd byte counts as the high byte of a zero-padded word. */
    uint8_t padded[14];
    memcpy(padded, data, 13);
    padded[13] = 0;
    CHECK_INT_EQ(csum(data, 13), csum(padded, 14));
    CHECK_INT_EQ(csum(NULL, 0), 0xffff);
}

/* Incremental updates agree with a full recomputation. */
static void
test_csum_incremental(void)
{
    uint8_t ip[20] = {
        0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
        0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
    };
    uint16_t sum = csum(ip, sizeof ip);
    uint32_t seed = 12345;

    for (int i = 0; i < 1000; i++) {
        uint16_t old16, new16;
        uint32_t old32, new32;

        seed = seed * 1103515245 + 12345;
        memcpy(&old16, ip + 8, 2);
        new16 = seed >> 8;
        memcpy(ip + 8, &new16, 2);
        sum = csum_update16(sum, old16, new16);

        seed = seed * 1103515245 + 12345;
        memcpy(&old32, ip + 16, 4);
        new32 = seed ^ (seed << 7);
        memcpy(ip + 16, &new32, 4);
        sum = csum_update32(sum, old32, new32);

        memcpy(ip + 10, &sum, 2);
        CHECK_INT_EQ(csum(ip, sizeof ip), 0);
        ip[10] = ip[11] = 0;
    }
}

static void
test_csum_pseudo_ipv4(void)
{
    /* UDP 10.0.0.1:1234 -> 10.0.0.2:80, 4 bytes of payload. */
    uint8_t udp[12] = { 0x04, 0xd2, 0x00, 0x50, 0x00, 0x0c, 0, 0, 'a', 'b', 'c', 'd' };
    uint32_t src = htonl(0x0a000001), dst = htonl(0x0a000002);
    uint16_t sum;

    sum = csum_finish(csum_partial(udp, sizeof udp,
                                   csum_pseudo_ipv4(src, dst, IP_PROTO_UDP, sizeof udp)));
    memcpy(udp + 6, &sum, 2);
    CHECK_INT_EQ(csum_finish(csum_partial(udp, sizeof udp,
                                          csum_pseudo_ipv4(src, dst, IP_PROTO_UDP,
                                                           sizeof udp))), 0);
    /* Computed by hand: 0x0a00+0x0001+0x0a00+0x0002+0x0011+0x000c
     * +0x04d2+0x0050+0x000c+0x6162+0x6364 = 0xde14 -> ~ = 0x21eb. */
    CHECK_INT_EQ(ntohs(sum), 0x21eb);
}

static void
test_csum_pseudo_ipv6(void)
{
    uint8_t src[16] = { 0xfe, 0x80, [15] = 1 }, dst[16] = { 0xfe, 0x80, [15] = 2 };
    uint8_t pseudo[40] = { 0 };
    uint32_t size = htonl(1000);

    memcpy(pseudo, src, 16);
    memcpy(pseudo + 16, dst, 16);
    memcpy(pseudo + 32, &size, 4);
    pseudo[39] = IP_PROTO_TCP;
    CHECK_INT_EQ(csum_finish(csum_pseudo_ipv6(src, dst, IP_PROTO_TCP, 1000)),
                 csum(pseudo, sizeof pseudo));
}

UNIT_MAIN("packet",
          UNIT_TEST(test_eth_addr_parse),
          UNIT_TEST(test_eth_addr_bad),
          UNIT_TEST(test_eth_addr_format),
          UNIT_TEST(test_csum_rfc1071),
          UNIT_TEST(test_csum_ipv4_header),
          UNIT_TEST(test_csum_odd_and_chunks),
          UNIT_TEST(test_csum_incremental),
          UNIT_TEST(test_csum_pseudo_ipv4),
          UNIT_TEST(test_csum_pseudo_ipv6))
