/* Unit tests for the policing token bucket (libcommon/token-bucket.c). */
#include "token-bucket.h"
#include "unit.h"

#define SEC 1000000000ULL

/* A full bucket passes exactly its burst, then nothing until time passes. */
static void
test_burst_then_empty(void)
{
    struct token_bucket tb;
    int passed = 0;

    token_bucket_init(&tb, 1000, 80, 0);            /* 80 kbit = 10000 bytes. */
    for (int i = 0; i < 20; i++) {
        passed += token_bucket_withdraw(&tb, 1000, 0);
    }
    CHECK_INT_EQ(passed, 10);
    CHECK(!token_bucket_withdraw(&tb, 1, 0));
}

/* Refill at the rate: 1000 kbit/s is 125 bytes per millisecond. */
static void
test_refill_rate(void)
{
    struct token_bucket tb;

    token_bucket_init(&tb, 1000, 8, 0);              /* 1000 bytes. */
    CHECK(token_bucket_withdraw(&tb, 1000, 0));
    CHECK(!token_bucket_withdraw(&tb, 125, SEC / 1000 - 1));
    CHECK(token_bucket_withdraw(&tb, 125, SEC / 1000));
    CHECK(!token_bucket_withdraw(&tb, 1, SEC / 1000));
}

/* Refills in tiny steps lose nothing to rounding: a slow rate polled every
 * microsecond still earns its tokens. */
static void
test_no_rounding_loss(void)
{
    struct token_bucket tb;
    uint64_t now = 0;

    token_bucket_init(&tb, 8, 8, 0);                 /* 1 byte per ms. */
    CHECK(token_bucket_withdraw(&tb, 1000, 0));      /* Empty it. */
    for (int i = 0; i < 1000; i++) {
        now += 1000;                                 /* 1 us steps. */
        CHECK(!token_bucket_withdraw(&tb, 2, now));
    }
    CHECK(token_bucket_withdraw(&tb, 1, now));       /* 1 ms: one byte. */
}

/* Long idle times cap at the burst without overflowing. */
static void
test_idle_caps_at_burst(void)
{
    struct token_bucket tb;
    int passed = 0;

    token_bucket_init(&tb, 4000000, 8, 0);           /* 4 Gbit/s, 1000 bytes. */
    CHECK(token_bucket_withdraw(&tb, 1000, 0));
    for (int i = 0; i < 5; i++) {
        passed += token_bucket_withdraw(&tb, 1000, 1000000 * SEC);
    }
    CHECK_INT_EQ(passed, 1);
}

/* Over a long run the bucket passes rate * time + burst, no more. */
static void
test_long_run_rate(void)
{
    struct token_bucket tb;
    uint64_t bytes = 0;

    token_bucket_init(&tb, 10000, 100, 0);           /* 10 Mbit/s, 12500 bytes. */
    for (uint64_t now = 0; now <= 10 * SEC; now += 100000) {    /* 100 us. */
        for (int i = 0; i < 4; i++) {               /* Offer ~120 Mbit/s. */
            bytes += token_bucket_withdraw(&tb, 1500, now) ? 1500 : 0;
        }
    }
    /* 10 s at 10 Mbit/s = 12.5 MB, plus the 12500-byte burst. */
    CHECK(bytes <= 12500000 + 12500);
    CHECK(bytes >= 12500000 - 1500);
}

static void
test_default_burst_and_clock_going_back(void)
{
    struct token_bucket tb;

    token_bucket_init(&tb, 1000, 0, 5 * SEC);
    CHECK_INT_EQ(tb.capacity / 1000000000ULL, TOKEN_BUCKET_DEFAULT_BURST_KBIT);
    CHECK(token_bucket_withdraw(&tb, 1000000, 5 * SEC));
    CHECK(!token_bucket_withdraw(&tb, 1, 4 * SEC));  /* Earlier: no refill. */
    CHECK(!token_bucket_withdraw(&tb, 1, 5 * SEC));
}

UNIT_MAIN("token-bucket",
          UNIT_TEST(test_burst_then_empty),
          UNIT_TEST(test_refill_rate),
          UNIT_TEST(test_no_rounding_loss),
          UNIT_TEST(test_idle_caps_at_burst),
          UNIT_TEST(test_long_run_rate),
          UNIT_TEST(test_default_burst_and_clock_going_back))
