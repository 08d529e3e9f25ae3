/* Unit tests for flowd's sFlow v5 export (sflow.c): the datagram header,
 * flow and counter sample encoders, and the output field of a sample. */
#include <arpa/inet.h>
#include <string.h>

#include "bridge.h"
#include "sflow.h"
#include "unit.h"

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

static void
test_datagram_header_ipv4_and_ipv6(void)
{
    struct sflow_agent agent;
    uint8_t out[64];

    memset(&agent, 0, sizeof agent);
    agent.family = AF_INET;
    inet_pton(AF_INET, "192.0.2.7", agent.addr);
    CHECK_INT_EQ(sflow_encode_datagram_header(out, &agent, 0, 42, 123456, 3),
                 SFLOW_DATAGRAM_HEADER_SIZE(AF_INET));
    CHECK_INT_EQ(get32(out), 5);
    CHECK_INT_EQ(get32(out + 4), 1);
    CHECK(!memcmp(out + 8, "\xc0\x00\x02\x07", 4));
    CHECK_INT_EQ(get32(out + 12), 0);
    CHECK_INT_EQ(get32(out + 16), 42);
    CHECK_INT_EQ(get32(out + 20), 123456);
    CHECK_INT_EQ(get32(out + 24), 3);

    agent.family = AF_INET6;
    inet_pton(AF_INET6, "2001:db8::1", agent.addr);
    CHECK_INT_EQ(sflow_encode_datagram_header(out, &agent, 0, 1, 2, 3),
                 SFLOW_DATAGRAM_HEADER_SIZE(AF_INET6));
    CHECK_INT_EQ(SFLOW_DATAGRAM_HEADER_SIZE(AF_INET6), 40);
    CHECK_INT_EQ(get32(out + 4), 2);
    CHECK_INT_EQ(out[8], 0x20);
    CHECK_INT_EQ(out[23], 1);
    CHECK_INT_EQ(get32(out + 36), 3);
}

static void
test_flow_sample(void)
{
    struct sflow_flow_sample s;
    uint8_t frame[200], out[512];
    size_t size;

    for (size_t i = 0; i < sizeof frame; i++) {
        frame[i] = i;
    }
    memset(&s, 0, sizeof s);
    s.sequence = 9;
    s.source_id = 1;
    s.sampling_rate = 400;
    s.sample_pool = 4000;
    s.drops = 2;
    s.input = 1;
    s.output = 2;
    s.frame_length = 98;
    s.header = frame;
    s.header_size = 98;             /* Not a multiple of 4: padded. */
    size = sflow_encode_flow_sample(out, &s);
    CHECK_INT_EQ(size, SFLOW_FLOW_SAMPLE_SIZE(98));
    CHECK_INT_EQ(size % 4, 0);
    CHECK_INT_EQ(get32(out), 1);                    /* flow_sample */
    CHECK_INT_EQ(get32(out + 4), size - 8);
    CHECK_INT_EQ(get32(out + 8), 9);
    CHECK_INT_EQ(get32(out + 12), 1);
    CHECK_INT_EQ(get32(out + 16), 400);
    CHECK_INT_EQ(get32(out + 20), 4000);
    CHECK_INT_EQ(get32(out + 24), 2);
    CHECK_INT_EQ(get32(out + 28), 1);
    CHECK_INT_EQ(get32(out + 32), 2);
    CHECK_INT_EQ(get32(out + 36), 1);               /* One record: */
    CHECK_INT_EQ(get32(out + 40), 1);               /* raw header */
    CHECK_INT_EQ(get32(out + 44), size - 48);
    CHECK_INT_EQ(get32(out + 48), 1);               /* Ethernet */
    CHECK_INT_EQ(get32(out + 52), 98);
    CHECK_INT_EQ(get32(out + 56), 0);
    CHECK_INT_EQ(get32(out + 60), 98);
    CHECK(!memcmp(out + 64, frame, 98));
    CHECK_INT_EQ(out[64 + 98], 0);
    CHECK_INT_EQ(out[64 + 99], 0);

    /* Longer frames: only the first SFLOW_HEADER_BYTES. */
    s.frame_length = 200;
    s.header_size = 200;
    size = sflow_encode_flow_sample(out, &s);
    CHECK_INT_EQ(size, SFLOW_FLOW_SAMPLE_SIZE(SFLOW_HEADER_BYTES));
    CHECK_INT_EQ(get32(out + 52), 200);
    CHECK_INT_EQ(get32(out + 60), SFLOW_HEADER_BYTES);
}

static void
test_counter_sample(void)
{
    struct sflow_if_counters c;
    uint8_t out[256];
    const uint8_t *r;

    memset(&c, 0, sizeof c);
    c.if_index = 3;
    c.if_type = 6;
    c.if_speed = 10000000000ULL;
    c.if_direction = 1;
    c.if_status = 3;
    c.in_octets = 0x123456789ULL;
    c.in_ucast_pkts = 11;
    c.in_multicast_pkts = SFLOW_COUNTER_UNKNOWN;
    c.in_discards = 4;
    c.out_octets = 99;
    c.out_ucast_pkts = 12;
    c.out_errors = 5;
    c.promiscuous_mode = 1;
    CHECK_INT_EQ(sflow_encode_counter_sample(out, 7, 3, &c), SFLOW_COUNTER_SAMPLE_SIZE);
    CHECK_INT_EQ(get32(out), 2);                    /* counters_sample */
    CHECK_INT_EQ(get32(out + 4), SFLOW_COUNTER_SAMPLE_SIZE - 8);
    CHECK_INT_EQ(get32(out + 8), 7);
    CHECK_INT_EQ(get32(out + 12), 3);
    CHECK_INT_EQ(get32(out + 16), 1);
    CHECK_INT_EQ(get32(out + 20), 1);               /* generic interface */
    CHECK_INT_EQ(get32(out + 24), 88);
    r = out + 28;
    CHECK_INT_EQ(get32(r), 3);
    CHECK_INT_EQ(get32(r + 4), 6);
    CHECK(get64(r + 8) == 10000000000ULL);
    CHECK_INT_EQ(get32(r + 16), 1);
    CHECK_INT_EQ(get32(r + 20), 3);
    CHECK(get64(r + 24) == 0x123456789ULL);
    CHECK_INT_EQ(get32(r + 32), 11);
    CHECK_INT_EQ(get32(r + 36), SFLOW_COUNTER_UNKNOWN);
    CHECK_INT_EQ(get32(r + 44), 4);
    CHECK(get64(r + 56) == 99);
    CHECK_INT_EQ(get32(r + 64), 12);
    CHECK_INT_EQ(get32(r + 80), 5);
    CHECK_INT_EQ(get32(r + 84), 1);
}

static void
test_output_of_actions(void)
{
    struct bridge_port ports[3];
    struct dp_actions actions;
    struct bridge br;

    memset(&br, 0, sizeof br);
    memset(ports, 0, sizeof ports);
    br.ports = ports;
    br.n_ports = 3;
    ports[0].dp_port = BRIDGE_LOCAL_DP_PORT;
    ports[0].ofport = SW_OFPORT_LOCAL;
    ports[1].dp_port = ports[1].ofport = 1;
    ports[2].dp_port = ports[2].ofport = 2;

    dp_actions_init(&actions);
    CHECK_INT_EQ(sflow_output_of_actions(&br, actions.data, actions.size),
                 SFLOW_OUTPUT_DISCARDED);
    dp_actions_put_output(&actions, 2);
    CHECK_INT_EQ(sflow_output_of_actions(&br, actions.data, actions.size), 2);
    dp_actions_put_output(&actions, 1);
    dp_actions_put_output(&actions, BRIDGE_LOCAL_DP_PORT);
    CHECK_INT_EQ(sflow_output_of_actions(&br, actions.data, actions.size),
                 SFLOW_OUTPUT_MULTIPLE | 3);
    dp_actions_uninit(&actions);

    dp_actions_init(&actions);
    dp_actions_put_output(&actions, BRIDGE_LOCAL_DP_PORT);
    CHECK_INT_EQ(sflow_output_of_actions(&br, actions.data, actions.size), 65534);
    dp_actions_uninit(&actions);
}

UNIT_MAIN("flowd-sflow",
          UNIT_TEST(test_datagram_header_ipv4_and_ipv6),
          UNIT_TEST(test_flow_sample),
          UNIT_TEST(test_counter_sample),
          UNIT_TEST(test_output_of_actions))
