/* Unit tests for flowd's IPFIX export (ipfix.c): the message encoder (header,
 * template set, data sets, and how many records fit), records from flow
 * keys, and the megaflow mask IPFIX needs. */
#include <arpa/inet.h>
#include <string.h>

#include "ipfix.h"
#include "packet.h"
#include "unit.h"

#define IPV4_RECORD_SIZE 61
#define IPV6_RECORD_SIZE 85
#define N_FIELDS 16

static uint16_t
get16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static uint32_t
get32(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

static uint64_t
get64(const uint8_t *p)
{
    return ((uint64_t) get32(p) << 32) | get32(p + 4);
}

static struct ipfix_record
v4_record(void)
{
    struct ipfix_record r;

    memset(&r, 0, sizeof r);
    memcpy(r.src, (uint8_t[]) { 10, 0, 0, 1 }, 4);
    memcpy(r.dst, (uint8_t[]) { 10, 0, 0, 2 }, 4);
    r.protocol = IP_PROTO_UDP;
    r.tos = 0x28;
    r.src_port = 40000;
    r.dst_port = 5000;
    r.vlan = 10;
    r.ingress = 1;
    r.egress = 65534;
    r.packets = 25;
    r.octets = 3200;
    r.start_msec = 1700000000123ULL;
    r.end_msec = 1700000001456ULL;
    r.end_reason = IPFIX_END_IDLE;
    return r;
}

static void
test_message_layout(void)
{
    struct ipfix_header h = { .export_time = 1700000002, .sequence = 77, .domain = 42 };
    struct ipfix_record records[2] = { v4_record(), v4_record() };
    uint8_t out[IPFIX_MAX_MESSAGE];
    const uint8_t *p;
    size_t size, n;

    records[1].ipv6 = true;
    memset(records[1].src, 0, 16);
    records[1].src[0] = 0xfd;
    records[1].src[15] = 1;
    records[1].protocol = IP_PROTO_ICMPV6;
    records[1].src_port = records[1].dst_port = 0;
    records[1].icmp_type_code = 128 << 8;

    size = ipfix_encode(&h, true, records, 2, &n, out);
    CHECK_INT_EQ(n, 2);
    CHECK_INT_EQ(size, 16 + 4 + 2 * (4 + 4 * N_FIELDS) + 4 + IPV4_RECORD_SIZE
                 + 4 + IPV6_RECORD_SIZE);
    /* Header. */
    CHECK_INT_EQ(get16(out), 10);
    CHECK_INT_EQ(get16(out + 2), size);
    CHECK_INT_EQ(get32(out + 4), 1700000002);
    CHECK_INT_EQ(get32(out + 8), 77);
    CHECK_INT_EQ(get32(out + 12), 42);
    /* Template set: two templates of 16 fields. */
    p = out + 16;
    CHECK_INT_EQ(get16(p), IPFIX_SET_TEMPLATE);
    CHECK_INT_EQ(get16(p + 2), 4 + 2 * (4 + 4 * N_FIELDS));
    CHECK_INT_EQ(get16(p + 4), IPFIX_TEMPLATE_IPV4);
    CHECK_INT_EQ(get16(p + 6), N_FIELDS);
    CHECK_INT_EQ(get16(p + 8), 8);          /* sourceIPv4Address */
    CHECK_INT_EQ(get16(p + 10), 4);
    p += 4 + 4 + 4 * N_FIELDS;
    CHECK_INT_EQ(get16(p), IPFIX_TEMPLATE_IPV6);
    CHECK_INT_EQ(get16(p + 4), 27);         /* sourceIPv6Address */
    CHECK_INT_EQ(get16(p + 6), 16);
    p += 4 + 4 * N_FIELDS;
    /* IPv4 data set. */
    CHECK_INT_EQ(get16(p), IPFIX_TEMPLATE_IPV4);
    CHECK_INT_EQ(get16(p + 2), 4 + IPV4_RECORD_SIZE);
    p += 4;
    CHECK(!memcmp(p, (uint8_t[]) { 10, 0, 0, 1, 10, 0, 0, 2 }, 8));
    CHECK_INT_EQ(p[8], IP_PROTO_UDP);
    CHECK_INT_EQ(p[9], 0x28);
    CHECK_INT_EQ(get16(p + 10), 40000);
    CHECK_INT_EQ(get16(p + 12), 5000);
    CHECK_INT_EQ(get16(p + 14), 0);         /* ICMP type/code */
    CHECK_INT_EQ(get16(p + 16), 0);         /* TCP flags */
    CHECK_INT_EQ(get16(p + 18), 10);        /* VLAN */
    CHECK_INT_EQ(get32(p + 20), 1);
    CHECK_INT_EQ(get32(p + 24), 65534);
    CHECK_INT_EQ(get64(p + 28), 25);
    CHECK_INT_EQ(get64(p + 36), 3200);
    CHECK(get64(p + 44) == 1700000000123ULL);
    CHECK(get64(p + 52) == 1700000001456ULL);
    CHECK_INT_EQ(p[60], IPFIX_END_IDLE);
    p += IPV4_RECORD_SIZE;
    /* IPv6 data set. */
    CHECK_INT_EQ(get16(p), IPFIX_TEMPLATE_IPV6);
    CHECK_INT_EQ(get16(p + 2), 4 + IPV6_RECORD_SIZE);
    CHECK_INT_EQ(p[4], 0xfd);
    CHECK_INT_EQ(p[19], 1);
    CHECK_INT_EQ(p[36], IP_PROTO_ICMPV6);
    CHECK_INT_EQ(get16(p + 42), 128 << 8);
    CHECK_INT_EQ((size_t) (p + 4 + IPV6_RECORD_SIZE - out), size);

    /* Without templates, with nothing: just the header. */
    size = ipfix_encode(&h, false, records, 0, &n, out);
    CHECK_INT_EQ(size, 16);
    CHECK_INT_EQ(n, 0);
}

static void
test_message_fills_up(void)
{
    struct ipfix_header h = { 0, 0, 0 };
    struct ipfix_record records[100];
    uint8_t out[IPFIX_MAX_MESSAGE];
    size_t size, n, expected;

    for (size_t i = 0; i < ARRAY_SIZE(records); i++) {
        records[i] = v4_record();
        records[i].ipv6 = i % 3 == 2;
    }
    size = ipfix_encode(&h, true, records, ARRAY_SIZE(records), &n, out);
    CHECK(n > 0 && n < ARRAY_SIZE(records));
    CHECK(size <= IPFIX_MAX_MESSAGE);
    CHECK_INT_EQ(get16(out + 2), size);
    /* The next record (in a new set, as templates alternate) would not fit. */
    expected = size + 4 + (records[n].ipv6 ? IPV6_RECORD_SIZE : IPV4_RECORD_SIZE);
    CHECK(expected > IPFIX_MAX_MESSAGE);
    /* The sets' lengths add up to the message. */
    {
        const uint8_t *p = out + 16;
        size_t total = 16, records_seen = 0;

        while (p < out + size) {
            uint16_t id = get16(p), length = get16(p + 2);

            if (id != IPFIX_SET_TEMPLATE) {
                records_seen += (length - 4) / (id == IPFIX_TEMPLATE_IPV4
                                                ? IPV4_RECORD_SIZE : IPV6_RECORD_SIZE);
            }
            CHECK(length >= 4);
            total += length;
            p += length;
        }
        CHECK_INT_EQ(total, size);
        CHECK_INT_EQ(records_seen, n);
    }
}

static void
test_record_from_key(void)
{
    struct ipfix_record r;
    struct flowkey key, mask;

    memset(&key, 0, sizeof key);
    key.eth_type = ETH_TYPE_IP;
    key.nw_proto = IP_PROTO_ICMP;
    key.ipv4_src = htonl(0x0a000001);
    key.tp_src = 3;
    key.tp_dst = 3;
    CHECK(ipfix_record_from_key(&key, &r));
    CHECK(!r.ipv6);
    CHECK_INT_EQ(r.icmp_type_code, 0x0303);
    CHECK_INT_EQ(r.src_port + r.dst_port, 0);
    CHECK_INT_EQ(r.src[0], 10);

    key.nw_proto = IP_PROTO_TCP;
    key.tp_src = 1234;
    key.tp_dst = 80;
    key.vlans[0].tpid = ETH_TYPE_VLAN;
    key.vlans[0].tci = FLOWKEY_VLAN_PRESENT | 20;
    CHECK(ipfix_record_from_key(&key, &r));
    CHECK_INT_EQ(r.src_port, 1234);
    CHECK_INT_EQ(r.dst_port, 80);
    CHECK_INT_EQ(r.icmp_type_code, 0);
    CHECK_INT_EQ(r.vlan, 20);
    key.nw_frag = FLOWKEY_FRAG_ANY | FLOWKEY_FRAG_LATER;
    CHECK(ipfix_record_from_key(&key, &r));
    CHECK_INT_EQ(r.src_port, 0);

    key.eth_type = ETH_TYPE_IPV6;
    key.nw_frag = 0;
    key.nw_proto = IP_PROTO_ICMPV6;
    key.ipv6_dst[15] = 2;
    key.tp_src = 129;
    key.tp_dst = 0;
    CHECK(ipfix_record_from_key(&key, &r));
    CHECK(r.ipv6);
    CHECK_INT_EQ(r.dst[15], 2);
    CHECK_INT_EQ(r.icmp_type_code, 129 << 8);

    key.eth_type = ETH_TYPE_ARP;
    CHECK(!ipfix_record_from_key(&key, &r));

    /* The mask covers what a record reports, and nothing of ARP. */
    memset(&mask, 0, sizeof mask);
    ipfix_mask_wc(&key, &mask);
    CHECK_INT_EQ(mask.nw_proto, 0);
    key.eth_type = ETH_TYPE_IPV6;
    ipfix_mask_wc(&key, &mask);
    CHECK_INT_EQ(mask.ipv6_src[0], 0xff);
    CHECK_INT_EQ(mask.ipv6_dst[15], 0xff);
    CHECK_INT_EQ(mask.tp_src, 0xffff);
    CHECK_INT_EQ(mask.nw_proto, 0xff);
    CHECK_INT_EQ(mask.ipv4_src, 0);
}

UNIT_MAIN("flowd-ipfix",
          UNIT_TEST(test_message_layout),
          UNIT_TEST(test_message_fills_up),
          UNIT_TEST(test_record_from_key));
