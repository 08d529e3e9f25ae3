/* Unit tests for the LACPDU codec (libcommon/lacp.c), against a frame
 * laid out by hand from IEEE 802.1AX (the layout the Linux bonding driver
 * sends). */
#include <string.h>

#include "lacp.h"
#include "unit.h"

/* An LACPDU as Linux sends it: actor 00:11:22:33:44:55 key 9 port 1,
 * state activity+timeout+aggregation+sync+collecting+distributing. */
static void
make_frame(uint8_t frame[LACP_FRAME_SIZE])
{
    static const uint8_t head[] = {
        0x01, 0x80, 0xc2, 0x00, 0x00, 0x02, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
        0x88, 0x09, 0x01, 0x01,
        /* Actor TLV. */
        0x01, 0x14, 0xff, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x09,
        0x00, 0xff, 0x00, 0x01, 0x3f, 0x00, 0x00, 0x00,
        /* Partner TLV. */
        0x02, 0x14, 0x80, 0x00, 0x02, 0xaa, 0x00, 0x00, 0x00, 0x01, 0x00, 0x05,
        0x80, 0x00, 0x00, 0x02, 0x0d, 0x00, 0x00, 0x00,
        /* Collector TLV. */
        0x03, 0x10, 0x00, 0x05,
    };

    memset(frame, 0, LACP_FRAME_SIZE);
    memcpy(frame, head, sizeof head);
}

static void
test_decode_linux_frame(void)
{
    uint8_t frame[LACP_FRAME_SIZE];
    static const uint8_t actor_id[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
    static const uint8_t partner_id[6] = { 0x02, 0xaa, 0x00, 0x00, 0x00, 0x01 };
    struct lacp_pdu pdu;

    make_frame(frame);
    CHECK_INT_EQ(lacp_pdu_decode(frame, sizeof frame, &pdu), 0);
    CHECK_INT_EQ(pdu.actor.sys_priority, 0xffff);
    CHECK(!memcmp(pdu.actor.sys_id, actor_id, 6));
    CHECK_INT_EQ(pdu.actor.key, 9);
    CHECK_INT_EQ(pdu.actor.port_priority, 0xff);
    CHECK_INT_EQ(pdu.actor.port, 1);
    CHECK_INT_EQ(pdu.actor.state, 0x3f);
    CHECK_INT_EQ(pdu.partner.sys_priority, 0x8000);
    CHECK(!memcmp(pdu.partner.sys_id, partner_id, 6));
    CHECK_INT_EQ(pdu.partner.key, 5);
    CHECK_INT_EQ(pdu.partner.port, 2);
    CHECK_INT_EQ(pdu.partner.state, LACP_STATE_ACTIVITY | LACP_STATE_AGGREGATION
                                    | LACP_STATE_SYNC);
    CHECK_INT_EQ(pdu.collector_max_delay, 5);
}

static void
test_encode_matches_layout(void)
{
    uint8_t frame[LACP_FRAME_SIZE], encoded[LACP_FRAME_SIZE];
    struct lacp_pdu pdu;

    make_frame(frame);
    CHECK_INT_EQ(lacp_pdu_decode(frame, sizeof frame, &pdu), 0);
    lacp_pdu_encode(&pdu, frame + 6, encoded);
    CHECK(!memcmp(frame, encoded, sizeof frame));
}

static void
test_refuses_malformed(void)
{
    uint8_t frame[LACP_FRAME_SIZE];
    struct lacp_pdu pdu;

    make_frame(frame);
    CHECK(lacp_pdu_decode(frame, sizeof frame - 1, &pdu) != 0);     /* Short. */
    CHECK(lacp_pdu_decode(frame, 10, &pdu) != 0);
    frame[14] = 2;                                                  /* Marker. */
    CHECK(lacp_pdu_decode(frame, sizeof frame, &pdu) != 0);
    CHECK(lacp_is_slow_protocol(frame, sizeof frame));
    make_frame(frame);
    frame[17] = 19;                                                 /* Actor len. */
    CHECK(lacp_pdu_decode(frame, sizeof frame, &pdu) != 0);
    make_frame(frame);
    frame[36] = 1;                                                  /* Partner type. */
    CHECK(lacp_pdu_decode(frame, sizeof frame, &pdu) != 0);
    make_frame(frame);
    frame[56] = 4;                                                  /* Collector type. */
    CHECK(lacp_pdu_decode(frame, sizeof frame, &pdu) != 0);
    make_frame(frame);
    frame[12] = 0x08;
    frame[13] = 0x00;                                               /* IPv4. */
    CHECK(lacp_pdu_decode(frame, sizeof frame, &pdu) != 0);
    CHECK(!lacp_is_slow_protocol(frame, sizeof frame));
}

static void
test_state_format(void)
{
    char text[128];

    lacp_state_format(LACP_STATE_ACTIVITY | LACP_STATE_SYNC, text, sizeof text);
    CHECK_STR_EQ(text, "activity,sync");
    lacp_state_format(0, text, sizeof text);
    CHECK_STR_EQ(text, "");
    lacp_state_format(0xff, text, 12);                              /* Truncates. */
    CHECK(strlen(text) < 12);
}

UNIT_MAIN("lacp",
          UNIT_TEST(test_decode_linux_frame),
          UNIT_TEST(test_encode_matches_layout),
          UNIT_TEST(test_refuses_malformed),
          UNIT_TEST(test_state_format))
