/* Unit tests for tnl-pmtu: the ICMP and ICMPv6 "too big" answers a tunnel
 * port gives the VMs behind it, and the frames it must not answer. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "tnl-pmtu.h"
#include "unit.h"

#define VM_MAC 0x02, 0xaa, 0, 0, 0, 1
#define PEER_MAC 0x02, 0xaa, 0, 0, 0, 2

/* A 1514-byte frame from VM_MAC to PEER_MAC: IPv4 UDP 10.1.0.1 ->
 * 10.1.0.2 with DF, total length 1500, TTL 63, then bytes 0..255. */
static uint8_t *
ipv4_frame(size_t *size)
{
    static const uint8_t head[] = {
        PEER_MAC, VM_MAC, 0x08, 0x00,
        0x45, 0, 0x05, 0xdc, 0, 1, 0x40, 0, 63, 17, 0, 0, 10, 1, 0, 1, 10, 1, 0, 2,
    };
    uint8_t *f = malloc(1514);

    CHECK(f != NULL);
    for (size_t i = 0; i < 1514; i++) {
        f[i] = i;
    }
    memcpy(f, head, sizeof head);
    *size = 1514;
    return f;
}

static uint8_t *
ipv6_frame(size_t *size)
{
    static const uint8_t head[] = {
        PEER_MAC, VM_MAC, 0x86, 0xdd,
        0x60, 0, 0, 0, 0x05, 0xc8, 17, 55,
        0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
    };
    uint8_t *f = malloc(1514);

    CHECK(f != NULL);
    for (size_t i = 0; i < 1514; i++) {
        f[i] = i;
    }
    memcpy(f, head, sizeof head);
    *size = 1514;
    return f;
}

static void
test_ipv4_answer(void)
{
    static const uint8_t eth[] = { VM_MAC, PEER_MAC, 0x08, 0x00 };
    uint8_t out[TNL_PMTU_REPLY_MAX];
    unsigned int mtu = 0;
    size_t size, n;
    uint8_t *f = ipv4_frame(&size);

    /* 1464 bytes of frame fit: an IP MTU of 1450. */
    n = tnl_pmtu_reply(f, size, 1464, out, &mtu);
    CHECK_INT_EQ(n, 14 + 576);
    CHECK_INT_EQ(mtu, 1450);
    CHECK(!memcmp(out, eth, 14));
    CHECK_INT_EQ(out[14], 0x45);
    CHECK_INT_EQ(out[14 + 2] << 8 | out[14 + 3], 576);
    CHECK_INT_EQ(out[14 + 6], 0x40);                 /* DF. */
    CHECK_INT_EQ(out[14 + 8], 63);                   /* The packet's TTL. */
    CHECK_INT_EQ(out[14 + 9], IP_PROTO_ICMP);
    CHECK(!memcmp(out + 14 + 12, f + 14 + 16, 4));   /* From its destination. */
    CHECK(!memcmp(out + 14 + 16, f + 14 + 12, 4));   /* To its source. */
    CHECK_INT_EQ(csum(out + 14, 20), 0);
    CHECK_INT_EQ(out[34], 3);
    CHECK_INT_EQ(out[35], 4);
    CHECK_INT_EQ(out[34 + 6] << 8 | out[34 + 7], 1450);
    CHECK_INT_EQ(csum(out + 34, 8 + 548), 0);
    CHECK(!memcmp(out + 42, f + 14, 548));           /* The quote. */

    /* Below 576, or without DF, or a later fragment: no answer. */
    CHECK_INT_EQ(tnl_pmtu_reply(f, size, 14 + 575, out, &mtu), 0);
    f[14 + 6] = 0;
    CHECK_INT_EQ(tnl_pmtu_reply(f, size, 1464, out, &mtu), 0);
    f[14 + 6] = 0x60;
    CHECK_INT_EQ(tnl_pmtu_reply(f, size, 1464, out, &mtu), 0);
    f[14 + 6] = 0x40;
    f[14 + 7] = 1;
    CHECK_INT_EQ(tnl_pmtu_reply(f, size, 1464, out, &mtu), 0);
    f[14 + 7] = 0;

    /* Broadcast, multicast, loopback, zero addresses; multicast MACs. */
    f[14 + 16] = 224;
    CHECK_INT_EQ(tnl_pmtu_reply(f, size, 1464, out, &mtu), 0);
    f[14 + 16] = 10;
    f[14 + 12] = 127;
    CHECK_INT_EQ(tnl_pmtu_reply(f, size, 1464, out, &mtu), 0);
    f[14 + 12] = 0;
    CHECK_INT_EQ(tnl_pmtu_reply(f, size, 1464, out, &mtu), 0);
    memset(f + 14 + 12, 0xff, 4);
    CHECK_INT_EQ(tnl_pmtu_reply(f, size, 1464, out, &mtu), 0);
    f[14 + 12] = 10, f[14 + 13] = 1, f[14 + 14] = 0, f[14 + 15] = 1;
    f[0] |= 1;
    CHECK_INT_EQ(tnl_pmtu_reply(f, size, 1464, out, &mtu), 0);
    f[0] &= ~1;
    CHECK(tnl_pmtu_reply(f, size, 1464, out, &mtu) > 0);

    /* An ICMP error is never answered; an echo request is. */
    f[14 + 9] = IP_PROTO_ICMP;
    f[34] = 3;
    CHECK_INT_EQ(tnl_pmtu_reply(f, size, 1464, out, &mtu), 0);
    f[34] = 8;
    CHECK(tnl_pmtu_reply(f, size, 1464, out, &mtu) > 0);
    free(f);
}

static void
test_ipv4_bounds(void)
{
    uint8_t out[TNL_PMTU_REPLY_MAX];
    unsigned int mtu;
    size_t size;
    uint8_t *f = ipv4_frame(&size);

    /* A total length past the frame: the quote stops at the frame. The
     * frame here is 600 bytes, in an exact allocation (ASan). */
    uint8_t *small = malloc(600);

    CHECK(small != NULL);
    memcpy(small, f, 600);
    small[14 + 2] = 0xff;
    small[14 + 3] = 0xff;
    CHECK_INT_EQ(tnl_pmtu_reply(small, 600, 590, out, &mtu), 14 + 28 + 548);
    CHECK_INT_EQ(tnl_pmtu_reply(small, 100, 90, out, &mtu), 0);     /* MTU < 576. */
    CHECK_INT_EQ(tnl_pmtu_reply(small, 600, 14 + 576, out, &mtu), 14 + 28 + 548);
    /* A total length shorter than the frame (padding): quote that much. */
    small[14 + 2] = 0;
    small[14 + 3] = 100;
    CHECK_INT_EQ(tnl_pmtu_reply(small, 600, 590, out, &mtu), 14 + 28 + 100);
    /* Header lengths below 20 or past the frame. */
    small[14] = 0x44;
    CHECK_INT_EQ(tnl_pmtu_reply(small, 600, 590, out, &mtu), 0);
    small[14] = 0x55;
    CHECK_INT_EQ(tnl_pmtu_reply(small, 600, 590, out, &mtu), 0);
    /* Every cut of the frame is read inside its bytes. */
    small[14] = 0x45;
    small[14 + 9] = IP_PROTO_ICMP;
    for (size_t n = 0; n <= 40; n++) {
        uint8_t *cut = malloc(n ? n : 1);

        CHECK(cut != NULL);
        memcpy(cut, small, n);
        CHECK_INT_EQ(tnl_pmtu_reply(cut, n, 0, out, &mtu), 0);
        free(cut);
    }
    free(small);
    free(f);
}

static void
test_vlan(void)
{
    uint8_t out[TNL_PMTU_REPLY_MAX];
    unsigned int mtu;
    size_t size;
    uint8_t *f = ipv4_frame(&size);
    uint8_t *t = malloc(size + 8);

    CHECK(t != NULL);
    /* Two tags: kept in the answer, and the MTU counts them. */
    memcpy(t, f, 12);
    memcpy(t + 12, "\x88\xa8\x00\x0a\x81\x00\x00\x14", 8);
    memcpy(t + 20, f + 12, size - 12);
    CHECK_INT_EQ(tnl_pmtu_reply(t, size + 8, 1464 + 8, out, &mtu), 22 + 576);
    CHECK_INT_EQ(mtu, 1450);
    CHECK(!memcmp(out + 12, t + 12, 10));
    /* Three tags: not looked into. */
    memcpy(t + 16, "\x81\x00\x00\x14\x81\x00\x00\x1e", 8);
    CHECK_INT_EQ(tnl_pmtu_reply(t, size + 8, 1464, out, &mtu), 0);
    free(t);
    free(f);
}

static void
test_ipv6_answer(void)
{
    uint8_t out[TNL_PMTU_REPLY_MAX];
    unsigned int mtu = 0;
    size_t size, n;
    uint32_t sum;
    uint8_t *f = ipv6_frame(&size);

    n = tnl_pmtu_reply(f, size, 1464, out, &mtu);
    CHECK_INT_EQ(n, 14 + 1280);
    CHECK_INT_EQ(mtu, 1450);
    CHECK_INT_EQ(out[14], 0x60);
    CHECK_INT_EQ(out[14 + 4] << 8 | out[14 + 5], 1240);
    CHECK_INT_EQ(out[14 + 6], IP_PROTO_ICMPV6);
    CHECK_INT_EQ(out[14 + 7], 55);
    CHECK(!memcmp(out + 14 + 8, f + 14 + 24, 16));
    CHECK(!memcmp(out + 14 + 24, f + 14 + 8, 16));
    CHECK_INT_EQ(out[54], 2);
    CHECK_INT_EQ(out[55], 0);
    CHECK_INT_EQ(out[58] << 24 | out[59] << 16 | out[60] << 8 | out[61], 1450);
    sum = csum_pseudo_ipv6(out + 22, out + 38, IP_PROTO_ICMPV6, 1240);
    CHECK_INT_EQ(csum_finish(csum_partial(out + 54, 1240, sum)), 0);
    CHECK(!memcmp(out + 62, f + 14, 1232));

    /* Below 1280: no answer (IPv6's minimum MTU). */
    CHECK_INT_EQ(tnl_pmtu_reply(f, size, 14 + 1279, out, &mtu), 0);
    CHECK(tnl_pmtu_reply(f, size, 14 + 1280, out, &mtu) > 0);
    /* Multicast destination, unspecified source. */
    f[14 + 24] = 0xff;
    CHECK_INT_EQ(tnl_pmtu_reply(f, size, 1464, out, &mtu), 0);
    f[14 + 24] = 0xfd;
    memset(f + 14 + 8, 0, 16);
    CHECK_INT_EQ(tnl_pmtu_reply(f, size, 1464, out, &mtu), 0);
    f[14 + 8] = 0xfd;
    f[14 + 23] = 1;

    /* Extension headers: hop-by-hop then ICMPv6 error; then ICMPv6 echo;
     * a later fragment; a header that runs past the frame. */
    f[14 + 6] = 0;
    f[54] = IP_PROTO_ICMPV6;
    f[55] = 0;
    f[62] = 1;
    CHECK_INT_EQ(tnl_pmtu_reply(f, size, 1464, out, &mtu), 0);
    f[62] = 128;
    CHECK(tnl_pmtu_reply(f, size, 1464, out, &mtu) > 0);
    f[62] = 137;
    CHECK_INT_EQ(tnl_pmtu_reply(f, size, 1464, out, &mtu), 0);
    f[14 + 6] = 44;
    f[54] = 17;
    f[56] = 0;
    f[57] = 8;
    CHECK_INT_EQ(tnl_pmtu_reply(f, size, 1464, out, &mtu), 0);
    f[57] = 1;                      /* First fragment, more to come. */
    CHECK(tnl_pmtu_reply(f, size, 1464, out, &mtu) > 0);
    f[14 + 6] = 60;
    f[54] = IP_PROTO_ICMPV6;
    f[55] = 0xff;
    CHECK_INT_EQ(tnl_pmtu_reply(f, size, 1464, out, &mtu), 0);
    free(f);
}

UNIT_MAIN("tnl-pmtu", UNIT_TEST(test_ipv4_answer), UNIT_TEST(test_ipv4_bounds),
          UNIT_TEST(test_vlan), UNIT_TEST(test_ipv6_answer))
