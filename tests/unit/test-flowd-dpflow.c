/* Unit tests for flowd's megaflow table and exact-match cache (dpflow.c). */
#include <string.h>

#include "dpflow.h"
#include "unit.h"

static struct flowkey
make_key(uint32_t in_port, uint8_t dst_last, uint16_t tp_src)
{
    struct flowkey key;

    memset(&key, 0, sizeof key);
    key.in_port = in_port;
    memcpy(key.eth_src, "\x02\x00\x00\x00\x00\x01", 6);
    memcpy(key.eth_dst, "\x02\x00\x00\x00\x00\x00", 6);
    key.eth_dst[5] = dst_last;
    key.eth_type = 0x0800;
    key.nw_proto = 17;
    key.tp_src = tp_src;
    key.tp_dst = 53;
    return key;
}

static struct flowkey
l2_mask(void)
{
    struct flowkey mask;

    memset(&mask, 0, sizeof mask);
    mask.in_port = UINT32_MAX;
    memset(mask.eth_src, 0xff, 6);
    memset(mask.eth_dst, 0xff, 6);
    return mask;
}

static void
test_wildcarded_fields_share_one_flow(void)
{
    struct dpflow_table t;
    struct flowkey k1 = make_key(1, 2, 1000), k2 = make_key(1, 2, 2000);
    struct flowkey mask = l2_mask();
    struct dpflow *flow, *existing;
    uint32_t out = 2;

    dpflow_table_init(&t);
    flow = dpflow_install(&t, &k1, &mask, &out, sizeof out, &existing);
    CHECK(flow != NULL);
    CHECK(dpflow_lookup(&t, &k1) == flow);
    /* Another L4 source port: the same megaflow. */
    CHECK(dpflow_lookup(&t, &k2) == flow);
    /* Another input port: no match. */
    k2.in_port = 3;
    CHECK(dpflow_lookup(&t, &k2) == NULL);
    CHECK_INT_EQ(t.n_flows, 1);
    CHECK_INT_EQ(t.n_subtables, 1);
    dpflow_table_destroy(&t);
}

static void
test_overlapping_install_is_refused(void)
{
    struct dpflow_table t;
    struct flowkey k = make_key(1, 2, 1000), mask = l2_mask();
    struct dpflow *flow, *existing = NULL;

    dpflow_table_init(&t);
    flow = dpflow_install(&t, &k, &mask, NULL, 0, &existing);
    CHECK(flow && !existing);
    CHECK(dpflow_install(&t, &k, &mask, NULL, 0, &existing) == NULL);
    CHECK(existing == flow);
    dpflow_table_destroy(&t);
}

static void
test_overlap_is_found_both_ways(void)
{
    struct dpflow_table t;
    struct flowkey k = make_key(1, 2, 1000), mask = l2_mask(), port_only;
    struct dpflow *flow, *existing;

    memset(&port_only, 0, sizeof port_only);
    port_only.in_port = UINT32_MAX;
    dpflow_table_init(&t);
    flow = dpflow_install(&t, &k, &mask, NULL, 0, &existing);
    /* A wider flow on the same port overlaps the narrow one... */
    CHECK(dpflow_find_overlap(&t, &k, &port_only) == flow);
    /* ...a flow on another port does not. */
    k.in_port = 2;
    CHECK(dpflow_find_overlap(&t, &k, &port_only) == NULL);
    dpflow_table_destroy(&t);
}

static void
test_exact_match_cache_hits(void)
{
    struct dpflow_table t;
    struct flowkey k = make_key(1, 2, 1000), mask = l2_mask();
    struct dpflow *existing;

    dpflow_table_init(&t);
    dpflow_install(&t, &k, &mask, NULL, 0, &existing);
    dpflow_lookup(&t, &k);
    dpflow_lookup(&t, &k);
    dpflow_lookup(&t, &k);
    CHECK_INT_EQ(t.megaflow_hits, 1);
    CHECK_INT_EQ(t.emc_hits, 2);
    dpflow_table_destroy(&t);
}

static void
test_remove_clears_cache_and_subtable(void)
{
    struct dpflow_table t;
    struct flowkey k = make_key(1, 2, 1000), mask = l2_mask();
    struct dpflow *flow, *existing;

    dpflow_table_init(&t);
    flow = dpflow_install(&t, &k, &mask, NULL, 0, &existing);
    CHECK(dpflow_lookup(&t, &k) == flow);   /* Now in the cache. */
    dpflow_remove(&t, flow);
    CHECK(dpflow_lookup(&t, &k) == NULL);
    CHECK_INT_EQ(t.n_flows, 0);
    CHECK_INT_EQ(t.n_subtables, 0);
    dpflow_table_destroy(&t);
}

static bool
dst_is_3(const struct dpflow *flow, void *aux)
{
    return flow->key.eth_dst[5] == 3;
}

static void
test_remove_if_and_flush(void)
{
    struct dpflow_table t;
    struct flowkey mask = l2_mask(), narrow = l2_mask();
    struct dpflow *existing;

    narrow.tp_src = 0xffff;
    dpflow_table_init(&t);
    for (int dst = 1; dst <= 5; dst++) {
        struct flowkey k = make_key(1, dst, 7);

        CHECK(dpflow_install(&t, &k, dst == 3 ? &narrow : &mask, NULL, 0, &existing));
        CHECK(dpflow_lookup(&t, &k) != NULL);
    }
    CHECK_INT_EQ(t.n_subtables, 2);
    CHECK_INT_EQ(dpflow_remove_if(&t, dst_is_3, NULL), 1);
    CHECK_INT_EQ(t.n_flows, 4);
    CHECK_INT_EQ(t.n_subtables, 1);
    {
        struct flowkey k3 = make_key(1, 3, 7), k4 = make_key(1, 4, 7);

        CHECK(dpflow_lookup(&t, &k3) == NULL);
        CHECK(dpflow_lookup(&t, &k4) != NULL);
    }
    dpflow_flush(&t);
    CHECK_INT_EQ(t.n_flows, 0);
    dpflow_table_destroy(&t);
}

/* Counts every flow, bumps its 'learn_packets' (a visitor may update
 * flows) and removes those to destination 3 and 5. */
static bool
count_and_remove_odd(struct dpflow *flow, void *n_visited)
{
    ++*(int *) n_visited;
    flow->learn_packets = 42;
    return flow->key.eth_dst[5] == 3 || flow->key.eth_dst[5] == 5;
}

static void
test_sweep_updates_and_removes_in_one_walk(void)
{
    struct dpflow_table t;
    struct flowkey mask = l2_mask(), narrow = l2_mask();
    struct dpflow *existing, *flow;
    int n_visited = 0;

    narrow.tp_src = 0xffff;
    dpflow_table_init(&t);
    for (int dst = 1; dst <= 5; dst++) {
        struct flowkey k = make_key(1, dst, 7);

        CHECK(dpflow_install(&t, &k, dst == 3 ? &narrow : &mask, NULL, 0, &existing));
        /* Cached, so that the sweep must clear the cache of what it removes. */
        CHECK(dpflow_lookup(&t, &k) != NULL);
    }
    CHECK_INT_EQ(dpflow_sweep(&t, count_and_remove_odd, &n_visited), 2);
    CHECK_INT_EQ(n_visited, 5);
    CHECK_INT_EQ(t.n_flows, 3);
    CHECK_INT_EQ(t.n_subtables, 1);   /* The narrow one emptied and went. */
    for (int dst = 1; dst <= 5; dst++) {
        struct flowkey k = make_key(1, dst, 7);

        flow = dpflow_lookup(&t, &k);
        if (dst == 3 || dst == 5) {
            CHECK(flow == NULL);
        } else {
            CHECK(flow != NULL && flow->learn_packets == 42);
        }
    }
    dpflow_table_destroy(&t);
}

static void
test_find_exact_needs_same_mask(void)
{
    struct dpflow_table t;
    struct flowkey k = make_key(1, 2, 1000), mask = l2_mask(), other = l2_mask();
    struct dpflow *flow, *existing;

    other.tp_dst = 0xffff;
    dpflow_table_init(&t);
    flow = dpflow_install(&t, &k, &mask, NULL, 0, &existing);
    CHECK(dpflow_find_exact(&t, &k, &mask) == flow);
    CHECK(dpflow_find_exact(&t, &k, &other) == NULL);
    dpflow_table_destroy(&t);
}

static void
test_ranking_puts_busy_subtable_first(void)
{
    struct dpflow_table t;
    struct flowkey m1 = l2_mask(), m2 = l2_mask();
    struct flowkey a = make_key(1, 1, 1), b = make_key(2, 2, 2);
    struct dpflow *existing;

    m2.tp_dst = 0xffff;
    dpflow_table_init(&t);
    dpflow_install(&t, &a, &m1, NULL, 0, &existing);
    dpflow_install(&t, &b, &m2, NULL, 0, &existing);
    for (int i = 0; i < 10; i++) {
        b.tp_src = i + 100;         /* Miss the exact-match cache. */
        dpflow_lookup(&t, &b);
    }
    dpflow_rank_subtables(&t);
    flowkey_mask_canonicalize(&b, &m2);
    CHECK(!memcmp(&t.subtables[0]->mask, &m2, sizeof m2));
    dpflow_table_destroy(&t);
}

UNIT_MAIN("dpflow",
          UNIT_TEST(test_wildcarded_fields_share_one_flow),
          UNIT_TEST(test_overlapping_install_is_refused),
          UNIT_TEST(test_overlap_is_found_both_ways),
          UNIT_TEST(test_exact_match_cache_hits),
          UNIT_TEST(test_remove_clears_cache_and_subtable),
          UNIT_TEST(test_remove_if_and_flush),
          UNIT_TEST(test_sweep_updates_and_removes_in_one_walk),
          UNIT_TEST(test_find_exact_needs_same_mask),
          UNIT_TEST(test_ranking_puts_busy_subtable_first))
