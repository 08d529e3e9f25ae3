/* Unit tests for odp-meter: the attributes of kernel meter requests and
 * replies (the ovs_meter family), built and read back, replies as the
 * kernel writes them, and malformed ones. */
#include <errno.h>
#include <linux/openvswitch.h>
#include <string.h>

#include "odp-meter.h"
#include "unit.h"

/* Appends a nest of 'type' (with NLA_F_NESTED, as the kernel sets it). */
static size_t
start_nest(struct dp_actions *a, uint16_t type)
{
    return dp_actions_start_nested(a, type | NLA_F_NESTED);
}

static void
put_u32(struct dp_actions *a, uint16_t type, uint32_t value)
{
    dp_actions_put(a, type, &value, sizeof value);
}

static void
put_stats(struct dp_actions *a, uint16_t type, uint64_t packets, uint64_t bytes)
{
    struct ovs_flow_stats stats = { .n_packets = packets, .n_bytes = bytes };

    dp_actions_put(a, type, &stats, sizeof stats);
}

static struct nlattr *
attr_at(struct dp_actions *a, size_t offset)
{
    return (struct nlattr *) (a->data + offset);
}

/* A SET request as flowd sends it reads back as what was asked. */
static void
test_set_round_trip(void)
{
    struct dp_actions a = DP_ACTIONS_INITIALIZER;
    struct odp_meter m = {
        .id = 7, .kbps = true, .n_bands = 2,
        .bands = { { .type = OVS_METER_BAND_TYPE_DROP, .rate = 2000, .burst = 200 },
                   { .type = OVS_METER_BAND_TYPE_DROP, .rate = 1, .burst = 4000000000u } },
    };
    struct odp_meter back;

    odp_meter_put_set(&a, &m);
    CHECK_INT_EQ(odp_meter_parse(a.data, a.size, &back), 0);
    CHECK(back.has_id);
    CHECK_INT_EQ(back.id, 7);
    CHECK(back.kbps);
    CHECK(!back.clear);
    CHECK(!back.has_stats);
    CHECK_INT_EQ(back.n_bands, 2);
    CHECK_INT_EQ(back.bands[0].type, OVS_METER_BAND_TYPE_DROP);
    CHECK_INT_EQ(back.bands[0].rate, 2000);
    CHECK_INT_EQ(back.bands[0].burst, 200);
    CHECK_INT_EQ(back.bands[1].burst, 4000000000u);
    CHECK(!back.bands[0].has_stats);

    /* Packets per second, no bands, clear. */
    dp_actions_clear(&a);
    memset(&m, 0, sizeof m);
    m.id = UINT32_MAX;
    m.clear = true;
    odp_meter_put_set(&a, &m);
    CHECK_INT_EQ(odp_meter_parse(a.data, a.size, &back), 0);
    CHECK_INT_EQ(back.id, UINT32_MAX);
    CHECK(!back.kbps);
    CHECK(back.clear);
    CHECK_INT_EQ(back.n_bands, 0);

    /* A DEL or GET request: the ID alone. */
    dp_actions_clear(&a);
    odp_meter_put_id(&a, 3);
    CHECK_INT_EQ(a.size, 8);
    CHECK_INT_EQ(odp_meter_parse(a.data, a.size, &back), 0);
    CHECK(back.has_id && back.id == 3);
    dp_actions_uninit(&a);
}

/* The kernel's reply to SET for a meter that existed: ID, then the old
 * meter's ID again, STATS, PAD, USED and BANDS with each band's STATS. */
static void
kernel_stats_reply(struct dp_actions *a, uint32_t id)
{
    uint64_t used = 123456;
    size_t bands, band;

    put_u32(a, OVS_METER_ATTR_ID, id);
    put_u32(a, OVS_METER_ATTR_ID, id);
    put_stats(a, OVS_METER_ATTR_STATS, 1000, 1500000);
    dp_actions_put(a, OVS_METER_ATTR_PAD, NULL, 0);
    dp_actions_put(a, OVS_METER_ATTR_USED, &used, sizeof used);
    bands = start_nest(a, OVS_METER_ATTR_BANDS);
    band = start_nest(a, OVS_BAND_ATTR_UNSPEC);
    put_stats(a, OVS_BAND_ATTR_STATS, 400, 600000);
    dp_actions_end_nested(a, band);
    dp_actions_end_nested(a, bands);
}

static void
test_kernel_replies(void)
{
    struct dp_actions a = DP_ACTIONS_INITIALIZER;
    struct odp_meter m;
    size_t bands, band;

    kernel_stats_reply(&a, 2);
    CHECK_INT_EQ(odp_meter_parse(a.data, a.size, &m), 0);
    CHECK_INT_EQ(m.id, 2);
    CHECK(m.has_stats);
    CHECK_INT_EQ(m.packets, 1000);
    CHECK_INT_EQ(m.bytes, 1500000);
    CHECK(m.has_used);
    CHECK_INT_EQ(m.used_msec, 123456);
    CHECK_INT_EQ(m.n_bands, 1);
    CHECK(m.bands[0].has_stats);
    CHECK_INT_EQ(m.bands[0].packets, 400);
    CHECK_INT_EQ(m.bands[0].bytes, 600000);

    /* The SET reply for a new meter: its ID only. */
    dp_actions_clear(&a);
    put_u32(&a, OVS_METER_ATTR_ID, 9);
    CHECK_INT_EQ(odp_meter_parse(a.data, a.size, &m), 0);
    CHECK(m.has_id && m.id == 9 && !m.has_stats && !m.n_bands);

    /* FEATURES: limits and the band types, attributes we do not know
     * (from a newer kernel) skipped, an empty reply is no error. */
    dp_actions_clear(&a);
    put_u32(&a, OVS_METER_ATTR_MAX_METERS, 200000);
    put_u32(&a, OVS_METER_ATTR_MAX_BANDS, 1);
    bands = start_nest(&a, OVS_METER_ATTR_BANDS);
    band = start_nest(&a, OVS_BAND_ATTR_UNSPEC);
    put_u32(&a, OVS_BAND_ATTR_TYPE, OVS_METER_BAND_TYPE_DROP);
    put_u32(&a, 99, 1);
    dp_actions_end_nested(&a, band);
    dp_actions_end_nested(&a, bands);
    put_u32(&a, 200, 5);
    CHECK_INT_EQ(odp_meter_parse(a.data, a.size, &m), 0);
    CHECK(!m.has_id);
    CHECK_INT_EQ(m.max_meters, 200000);
    CHECK_INT_EQ(m.max_bands, 1);
    CHECK_INT_EQ(m.n_bands, 1);
    CHECK_INT_EQ(m.bands[0].type, OVS_METER_BAND_TYPE_DROP);
    CHECK_INT_EQ(odp_meter_parse(NULL, 0, &m), 0);
    dp_actions_uninit(&a);
}

static void
check_rejected(struct dp_actions *a, const char *what)
{
    struct odp_meter m;
    static const struct odp_meter zero;

    memset(&m, 0x5a, sizeof m);
    if (odp_meter_parse(a->data, a->size, &m) != EINVAL) {
        fprintf(stderr, "accepted: %s\n", what);
        CHECK(false);
    }
    CHECK(!memcmp(&m, &zero, sizeof m));
}

static void
test_bad_replies(void)
{
    struct dp_actions a = DP_ACTIONS_INITIALIZER;
    uint16_t short_id = 1;
    uint64_t used = 1;
    size_t bands, band, offset;

    /* Known attributes of the wrong size. */
    dp_actions_put(&a, OVS_METER_ATTR_ID, &short_id, sizeof short_id);
    check_rejected(&a, "a 2-byte ID");
    dp_actions_clear(&a);
    dp_actions_put(&a, OVS_METER_ATTR_STATS, &used, sizeof used);
    check_rejected(&a, "8-byte STATS");
    dp_actions_clear(&a);
    put_u32(&a, OVS_METER_ATTR_USED, 1);
    check_rejected(&a, "4-byte USED");
    dp_actions_clear(&a);
    put_u32(&a, OVS_METER_ATTR_KBPS, 1);
    check_rejected(&a, "KBPS with a value");

    /* Two different IDs. */
    dp_actions_clear(&a);
    put_u32(&a, OVS_METER_ATTR_ID, 1);
    put_u32(&a, OVS_METER_ATTR_ID, 2);
    check_rejected(&a, "two IDs");

    /* Lengths that lie: past the end, shorter than a header. */
    for (int len = 0; len < 4; len++) {
        dp_actions_clear(&a);
        put_u32(&a, OVS_METER_ATTR_ID, 1);
        attr_at(&a, 0)->nla_len = len;
        check_rejected(&a, "an attribute shorter than its header");
    }
    dp_actions_clear(&a);
    put_u32(&a, OVS_METER_ATTR_ID, 1);
    attr_at(&a, 0)->nla_len = 12;
    check_rejected(&a, "an attribute past the end");

    /* Bytes left over. */
    dp_actions_clear(&a);
    kernel_stats_reply(&a, 1);
    dp_actions_put(&a, 0, NULL, 0);
    a.size -= 2;
    check_rejected(&a, "2 bytes left over");

    /* A band nest that overruns BANDS, and one that is no nest. */
    dp_actions_clear(&a);
    bands = start_nest(&a, OVS_METER_ATTR_BANDS);
    offset = a.size;
    band = start_nest(&a, OVS_BAND_ATTR_UNSPEC);
    put_u32(&a, OVS_BAND_ATTR_RATE, 5);
    dp_actions_end_nested(&a, band);
    dp_actions_end_nested(&a, bands);
    attr_at(&a, offset)->nla_len += 4;
    check_rejected(&a, "a band past its BANDS");
    dp_actions_clear(&a);
    bands = start_nest(&a, OVS_METER_ATTR_BANDS);
    put_u32(&a, OVS_BAND_ATTR_UNSPEC, 5);
    dp_actions_end_nested(&a, bands);
    check_rejected(&a, "a band that is a number");
    dp_actions_clear(&a);
    bands = start_nest(&a, OVS_METER_ATTR_BANDS);
    band = start_nest(&a, OVS_BAND_ATTR_TYPE);
    dp_actions_end_nested(&a, band);
    dp_actions_end_nested(&a, bands);
    check_rejected(&a, "a band nest of type 1");
    dp_actions_clear(&a);
    bands = start_nest(&a, OVS_METER_ATTR_BANDS);
    band = start_nest(&a, OVS_BAND_ATTR_UNSPEC);
    dp_actions_put(&a, OVS_BAND_ATTR_STATS, &used, sizeof used);
    dp_actions_end_nested(&a, band);
    dp_actions_end_nested(&a, bands);
    check_rejected(&a, "8-byte band STATS");

    /* More bands than fit. */
    dp_actions_clear(&a);
    bands = start_nest(&a, OVS_METER_ATTR_BANDS);
    for (int i = 0; i <= ODP_METER_MAX_BANDS; i++) {
        band = start_nest(&a, OVS_BAND_ATTR_UNSPEC);
        put_u32(&a, OVS_BAND_ATTR_TYPE, OVS_METER_BAND_TYPE_DROP);
        dp_actions_end_nested(&a, band);
    }
    dp_actions_end_nested(&a, bands);
    check_rejected(&a, "9 bands");
    dp_actions_uninit(&a);
}

UNIT_MAIN("odp-meter",
          UNIT_TEST(test_set_round_trip),
          UNIT_TEST(test_kernel_replies),
          UNIT_TEST(test_bad_replies))
