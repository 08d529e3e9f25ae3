/* Unit tests for flowd's MAC learning table (mac-learning.c). */
#include <string.h>

#include "mac-learning.h"
#include "unit.h"

static const uint8_t mac_a[6] = { 2, 0, 0, 0, 0, 0xa };
static const uint8_t mac_b[6] = { 2, 0, 0, 0, 0, 0xb };

static void
test_learn_refresh_move(void)
{
    struct mac_table t;

    mac_table_init(&t);
    CHECK_INT_EQ(mac_table_learn(&t, 10, mac_a, 1, 1000), MAC_LEARN_NEW);
    CHECK_INT_EQ(mac_table_learn(&t, 10, mac_a, 1, 2000), MAC_LEARN_REFRESHED);
    CHECK_INT_EQ(mac_table_learn(&t, 10, mac_a, 2, 3000), MAC_LEARN_MOVED);
    CHECK_INT_EQ(mac_table_lookup(&t, 10, mac_a)->port, 2);
    /* VLANs are separate tables. */
    CHECK(mac_table_lookup(&t, 20, mac_a) == NULL);
    CHECK_INT_EQ(mac_table_learn(&t, 20, mac_a, 5, 3000), MAC_LEARN_NEW);
    CHECK_INT_EQ(hmap_count(&t.entries), 2);
    mac_table_destroy(&t);
}

static int n_removed;

static void
count_removed(const struct mac_entry *e, void *aux)
{
    n_removed++;
}

static void
test_aging(void)
{
    struct mac_table t;

    mac_table_init(&t);
    t.aging_seconds = 10;
    mac_table_learn(&t, 0, mac_a, 1, 1000);
    mac_table_learn(&t, 0, mac_b, 2, 8000);
    n_removed = 0;
    mac_table_expire(&t, 10999, count_removed, NULL);
    CHECK_INT_EQ(n_removed, 0);
    mac_table_expire(&t, 11000, count_removed, NULL);
    CHECK_INT_EQ(n_removed, 1);
    CHECK(mac_table_lookup(&t, 0, mac_a) == NULL);
    CHECK(mac_table_lookup(&t, 0, mac_b) != NULL);
    /* Seeing a MAC again keeps it. */
    mac_table_learn(&t, 0, mac_b, 2, 17000);
    mac_table_expire(&t, 20000, count_removed, NULL);
    CHECK(mac_table_lookup(&t, 0, mac_b) != NULL);
    mac_table_destroy(&t);
}

static void
test_eviction_bounds_size(void)
{
    struct mac_table t;
    uint8_t mac[6] = { 2, 0, 0, 0, 0, 0 };

    mac_table_init(&t);
    t.max_entries = 4;
    for (int i = 0; i < 10; i++) {
        mac[5] = i;
        mac_table_learn(&t, 0, mac, 1, 1000 + i);
    }
    CHECK_INT_EQ(hmap_count(&t.entries), 4);
    CHECK_INT_EQ(t.evictions, 6);
    mac[5] = 9;
    CHECK(mac_table_lookup(&t, 0, mac) != NULL);
    mac[5] = 0;
    CHECK(mac_table_lookup(&t, 0, mac) == NULL);
    mac_table_destroy(&t);
}

static void
test_flush_port(void)
{
    struct mac_table t;

    mac_table_init(&t);
    mac_table_learn(&t, 0, mac_a, 1, 1000);
    mac_table_learn(&t, 0, mac_b, 2, 1000);
    n_removed = 0;
    mac_table_flush_port(&t, 1, count_removed, NULL);
    CHECK_INT_EQ(n_removed, 1);
    CHECK(mac_table_lookup(&t, 0, mac_a) == NULL);
    CHECK(mac_table_lookup(&t, 0, mac_b) != NULL);
    mac_table_destroy(&t);
}

UNIT_MAIN("mac-learning",
          UNIT_TEST(test_learn_refresh_move),
          UNIT_TEST(test_aging),
          UNIT_TEST(test_eviction_bounds_size),
          UNIT_TEST(test_flush_port))
