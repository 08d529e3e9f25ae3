/* Unit tests for flowd's OpenFlow flow table (oftable.c): priorities and
 * ties, replacement, the overlap check, OpenFlow's strict and non-strict
 * selection, removal, expiry, and a randomized comparison of the lookup
 * and its wildcards against a linear scan. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "oftable.h"
#include "unit.h"
#include "util.h"

/* ---- building rules and packets ---------------------------------------- */

static void
match_in_port(struct ofmatch *m, uint32_t port)
{
    m->mask.pkt.in_port = UINT32_MAX;
    m->value.pkt.in_port = port;
}

static void
match_eth_type(struct ofmatch *m, uint16_t type)
{
    m->mask.pkt.eth_type = UINT16_MAX;
    m->value.pkt.eth_type = type;
}

static void
match_eth_dst(struct ofmatch *m, uint8_t last)
{
    memset(m->mask.pkt.eth_dst, 0xff, 6);
    memcpy(m->value.pkt.eth_dst, "\x02\x00\x00\x00\x00\x00", 6);
    m->value.pkt.eth_dst[5] = last;
}

/* ipv4_dst is kept in network order; 'prefix' bits of 'addr' (host order). */
static uint32_t
be32(uint32_t x)
{
    return __builtin_bswap32(x);
}

static void
match_ipv4_dst(struct ofmatch *m, uint32_t addr, unsigned int prefix)
{
    uint32_t mask = prefix ? UINT32_MAX << (32 - prefix) : 0;

    m->mask.pkt.ipv4_dst = be32(mask);
    m->value.pkt.ipv4_dst = be32(addr & mask);
}

static struct ofrule *
rule_new(uint16_t priority, const struct ofmatch *match)
{
    struct ofrule *rule = ofrule_create(match);

    rule->priority = priority;
    return rule;
}

static void
rule_output(struct ofrule *rule, uint32_t port)
{
    ofpacts_put(&rule->ofpacts, OFPACT_OUTPUT)->output.port = port;
}

static struct ofrule *
insert_ok(struct oftable *t, uint16_t priority, const struct ofmatch *match)
{
    struct ofrule *rule = rule_new(priority, match), *replaced;
    int error = oftable_insert(t, rule, false, &replaced);

    CHECK_INT_EQ(error, 0);
    CHECK(replaced == NULL);
    return rule;
}

static struct of_fields
packet(uint32_t in_port, uint8_t dst_last, uint16_t eth_type, uint32_t ipv4_dst)
{
    struct of_fields f;

    memset(&f, 0, sizeof f);
    f.pkt.in_port = in_port;
    memcpy(f.pkt.eth_dst, "\x02\x00\x00\x00\x00\x00", 6);
    f.pkt.eth_dst[5] = dst_last;
    f.pkt.eth_type = eth_type;
    f.pkt.ipv4_dst = be32(ipv4_dst);
    return f;
}

static bool
fields_is_zero(const struct of_fields *f)
{
    static const struct of_fields zero;

    return !memcmp(f, &zero, sizeof zero);
}

/* ---- priorities, ties, replacement -------------------------------------- */

static void
test_priorities(void)
{
    struct ofmatch any, port1, port1_ip;
    struct ofrule *r_any, *r_port, *r_ip;
    struct of_fields p;
    struct oftable t;

    ofmatch_init_catchall(&any);
    ofmatch_init_catchall(&port1);
    match_in_port(&port1, 1);
    port1_ip = port1;
    match_eth_type(&port1_ip, 0x0800);

    oftable_init(&t);
    CHECK(oftable_lookup(&t, &(struct of_fields) { .metadata = 0 }, NULL) == NULL);
    r_port = insert_ok(&t, 10, &port1);
    r_any = insert_ok(&t, 0, &any);
    r_ip = insert_ok(&t, 20, &port1_ip);
    CHECK_INT_EQ(t.n_rules, 3);
    CHECK_INT_EQ(t.n_subtables, 3);

    p = packet(1, 5, 0x0800, 0x0a000001);
    CHECK(oftable_lookup(&t, &p, NULL) == r_ip);
    p.pkt.eth_type = 0x86dd;
    CHECK(oftable_lookup(&t, &p, NULL) == r_port);
    p.pkt.in_port = 2;
    CHECK(oftable_lookup(&t, &p, NULL) == r_any);
    CHECK_INT_EQ(t.lookups, 4);
    CHECK_INT_EQ(t.matches, 3);
    oftable_destroy(&t);
}

static void
test_early_stop_keeps_wc_narrow(void)
{
    struct ofmatch port1, dst;
    struct ofrule *r_port;
    struct of_fields p, wc;
    struct oftable t;

    ofmatch_init_catchall(&port1);
    match_in_port(&port1, 1);
    ofmatch_init_catchall(&dst);
    match_eth_dst(&dst, 7);

    oftable_init(&t);
    r_port = insert_ok(&t, 100, &port1);
    insert_ok(&t, 1, &dst);

    /* The in_port rule wins before the eth_dst subtable is probed, so the
     * answer does not depend on eth_dst. */
    p = packet(1, 7, 0x0800, 0);
    memset(&wc, 0, sizeof wc);
    CHECK(oftable_lookup(&t, &p, &wc) == r_port);
    CHECK_INT_EQ(wc.pkt.in_port, UINT32_MAX);
    CHECK_INT_EQ(wc.pkt.eth_dst[5], 0);
    CHECK_INT_EQ(t.probes, 1);

    /* A miss in the in_port subtable leads on to eth_dst, which now
     * counts. */
    p.pkt.in_port = 2;
    memset(&wc, 0, sizeof wc);
    CHECK(oftable_lookup(&t, &p, &wc) != NULL);
    CHECK_INT_EQ(wc.pkt.in_port, UINT32_MAX);
    CHECK_INT_EQ(wc.pkt.eth_dst[5], 0xff);
    CHECK_INT_EQ(t.probes, 3);
    oftable_destroy(&t);
}

static void
test_ties_go_to_first_inserted(void)
{
    struct ofmatch port1, ip;
    struct ofrule *r_port, *r_ip, *r_port2, *replaced;
    struct of_fields p = packet(1, 0, 0x0800, 0);
    struct oftable t;

    ofmatch_init_catchall(&port1);
    match_in_port(&port1, 1);
    ofmatch_init_catchall(&ip);
    match_eth_type(&ip, 0x0800);

    oftable_init(&t);
    r_ip = insert_ok(&t, 5, &ip);
    r_port = insert_ok(&t, 5, &port1);
    CHECK(oftable_lookup(&t, &p, NULL) == r_ip);
    oftable_destroy(&t);

    oftable_init(&t);
    r_port = insert_ok(&t, 5, &port1);
    r_ip = insert_ok(&t, 5, &ip);
    CHECK(oftable_lookup(&t, &p, NULL) == r_port);

    /* A replacement takes the place of the rule it replaces. */
    r_port2 = rule_new(5, &port1);
    CHECK_INT_EQ(oftable_insert(&t, r_port2, false, &replaced), 0);
    CHECK(replaced == r_port);
    CHECK(oftable_lookup(&t, &p, NULL) == r_port2);
    ofrule_destroy(replaced);

    oftable_remove(&t, r_port2);
    CHECK(oftable_lookup(&t, &p, NULL) == r_ip);
    ofrule_destroy(r_port2);
    oftable_destroy(&t);
}

static void
test_replacement(void)
{
    struct ofmatch port1;
    struct ofrule *r1, *r2, *r3, *replaced = NULL;
    struct of_fields p = packet(1, 0, 0, 0);
    struct oftable t;

    ofmatch_init_catchall(&port1);
    match_in_port(&port1, 1);

    oftable_init(&t);
    r1 = insert_ok(&t, 7, &port1);
    r1->packet_count = 42;
    r2 = rule_new(7, &port1);
    rule_output(r2, 3);
    CHECK_INT_EQ(oftable_insert(&t, r2, false, &replaced), 0);
    CHECK(replaced == r1);
    CHECK(r1->subtable == NULL);
    CHECK_INT_EQ(replaced->packet_count, 42);
    CHECK_INT_EQ(t.n_rules, 1);
    CHECK(oftable_lookup(&t, &p, NULL) == r2);
    ofrule_destroy(replaced);

    /* An unmasked value bit outside the mask changes nothing: same rule. */
    {
        struct ofmatch m = port1;

        m.value.pkt.eth_type = 0x0800;
        r3 = rule_new(7, &m);
        CHECK_INT_EQ(oftable_insert(&t, r3, false, &replaced), 0);
        CHECK(replaced == r2);
        ofrule_get_match(r3, &m);
        CHECK_INT_EQ(m.value.pkt.eth_type, 0);
    }
    ofrule_destroy(replaced);

    /* Without 'replaced', the table frees the old rule itself. */
    CHECK_INT_EQ(oftable_insert(&t, rule_new(7, &port1), false, NULL), 0);
    CHECK_INT_EQ(t.n_rules, 1);
    oftable_destroy(&t);
}

/* Same mask and value, several priorities: one hash entry's list. */
static void
test_same_value_list(void)
{
    struct ofmatch port1, dst;
    struct ofrule *lo, *mid, *hi, *r_dst;
    struct of_fields p = packet(1, 9, 0, 0), wc;
    struct oftable t;

    ofmatch_init_catchall(&port1);
    match_in_port(&port1, 1);
    ofmatch_init_catchall(&dst);
    match_eth_dst(&dst, 9);

    oftable_init(&t);
    mid = insert_ok(&t, 50, &port1);
    lo = insert_ok(&t, 10, &port1);
    hi = insert_ok(&t, 90, &port1);
    r_dst = insert_ok(&t, 60, &dst);
    CHECK_INT_EQ(t.n_subtables, 2);
    memset(&wc, 0, sizeof wc);
    CHECK(oftable_lookup(&t, &p, &wc) == hi);
    CHECK_INT_EQ(wc.pkt.eth_dst[5], 0);

    /* Removing the head makes the eth_dst subtable the first to probe, and
     * its hit ends the lookup before in_port counts. */
    oftable_remove(&t, hi);
    memset(&wc, 0, sizeof wc);
    CHECK(oftable_lookup(&t, &p, &wc) == r_dst);
    CHECK_INT_EQ(wc.pkt.eth_dst[5], 0xff);
    CHECK_INT_EQ(wc.pkt.in_port, 0);
    oftable_remove(&t, r_dst);
    CHECK(oftable_lookup(&t, &p, NULL) == mid);
    /* Removing from the middle of the list. */
    CHECK_INT_EQ(oftable_insert(&t, hi, false, NULL), 0);
    oftable_remove(&t, mid);
    CHECK(oftable_lookup(&t, &p, NULL) == hi);
    oftable_remove(&t, hi);
    CHECK(oftable_lookup(&t, &p, NULL) == lo);
    oftable_remove(&t, lo);
    CHECK(oftable_lookup(&t, &p, NULL) == NULL);
    CHECK_INT_EQ(t.n_rules, 0);
    CHECK_INT_EQ(t.n_subtables, 0);
    ofrule_destroy(hi);
    ofrule_destroy(mid);
    ofrule_destroy(lo);
    ofrule_destroy(r_dst);
    oftable_destroy(&t);
}

/* Thousands of values in one subtable: the hash index grows, and removals
 * out of the middle of probe runs must leave every other value findable. */
static void
test_many_values_in_one_subtable(void)
{
    enum { N = 3000 };
    struct ofrule **rules = xcalloc(N, sizeof *rules);
    struct prng_lite { uint32_t x; } p = { 12345 };
    struct oftable t;
    size_t wrong = 0;

    oftable_init(&t);
    for (uint32_t i = 0; i < N; i++) {
        struct ofmatch m;

        ofmatch_init_catchall(&m);
        match_ipv4_dst(&m, 0x0a000000 + i * 7, 32);
        rules[i] = insert_ok(&t, (uint16_t) (i % 3), &m);
    }
    CHECK_INT_EQ(t.n_subtables, 1);
    /* Remove about two in three, in a scattered order. */
    for (uint32_t i = 0; i < N; i++) {
        p.x = p.x * 1103515245 + 12345;
        if ((p.x >> 16) % 3) {
            oftable_remove(&t, rules[i]);
            ofrule_destroy(rules[i]);
            rules[i] = NULL;
        }
    }
    for (uint32_t i = 0; i < N; i++) {
        struct of_fields f = packet(1, 0, 0x0800, 0x0a000000 + i * 7);

        wrong += oftable_lookup(&t, &f, NULL) != rules[i];
        f.pkt.ipv4_dst ^= be32(1);
        wrong += oftable_lookup(&t, &f, NULL) != NULL;
    }
    CHECK_INT_EQ(wrong, 0);
    free(rules);
    oftable_destroy(&t);
}

/* ---- overlap check -------------------------------------------------------- */

static void
test_check_overlap(void)
{
    struct ofmatch port1, ip, port2_arp;
    struct ofrule *r_port, *r, *r2, *replaced;
    struct of_fields p = packet(1, 0, 0x0800, 0);
    struct oftable t;

    ofmatch_init_catchall(&port1);
    match_in_port(&port1, 1);
    ofmatch_init_catchall(&ip);
    match_eth_type(&ip, 0x0800);
    ofmatch_init_catchall(&port2_arp);
    match_in_port(&port2_arp, 2);
    match_eth_type(&port2_arp, 0x0806);

    oftable_init(&t);
    r_port = insert_ok(&t, 5, &port1);

    /* Same priority, a packet can match both: refused, table unchanged. */
    r = rule_new(5, &ip);
    CHECK_INT_EQ(oftable_insert(&t, r, true, &replaced), EEXIST);
    CHECK(r->subtable == NULL);
    CHECK_INT_EQ(t.n_rules, 1);
    CHECK_INT_EQ(t.n_subtables, 1);
    CHECK(oftable_lookup(&t, &p, NULL) == r_port);

    /* Identical match and priority overlaps too (no silent replace). */
    r2 = rule_new(5, &port1);
    CHECK_INT_EQ(oftable_insert(&t, r2, true, &replaced), EEXIST);
    CHECK(oftable_lookup(&t, &p, NULL) == r_port);
    ofrule_destroy(r2);

    /* Another priority, or disjoint matches: accepted. */
    r->priority = 6;
    CHECK_INT_EQ(oftable_insert(&t, r, true, &replaced), 0);
    CHECK(replaced == NULL);
    CHECK_INT_EQ(oftable_insert(&t, rule_new(5, &port2_arp), true, &replaced), 0);
    CHECK_INT_EQ(t.n_rules, 3);
    CHECK(oftable_lookup(&t, &p, NULL) == r);
    oftable_destroy(&t);
}

/* ---- selection ------------------------------------------------------------ */

static void
select_rules(const struct oftable *t, const struct ofmatch *m, uint16_t priority, bool strict,
             uint64_t cookie, uint64_t cookie_mask, uint32_t out_port,
             struct ofrule **out, size_t *n_out)
{
    struct ofrule **rules = NULL;
    size_t n = 0, allocated = 0;

    oftable_select(t, m, priority, strict, cookie, cookie_mask, out_port,
                   &rules, &n, &allocated);
    CHECK(n <= 8);
    for (size_t i = 0; i < n && i < 8; i++) {
        out[i] = rules[i];
    }
    *n_out = n;
    free(rules);
}

static bool
contains(struct ofrule **rules, size_t n, const struct ofrule *rule)
{
    for (size_t i = 0; i < n; i++) {
        if (rules[i] == rule) {
            return true;
        }
    }
    return false;
}

static void
test_select(void)
{
    struct ofmatch any, port1, port1_ip, port1_net, port2;
    struct ofrule *r_port1, *r_port1_ip, *r_port1_ip_hi, *r_net, *r_port2, *got[8];
    struct oftable t;
    size_t n;

    ofmatch_init_catchall(&any);
    ofmatch_init_catchall(&port1);
    match_in_port(&port1, 1);
    port1_ip = port1;
    match_eth_type(&port1_ip, 0x0800);
    port1_net = port1_ip;
    match_ipv4_dst(&port1_net, 0x0a000000, 8);
    ofmatch_init_catchall(&port2);
    match_in_port(&port2, 2);

    oftable_init(&t);
    r_port1 = insert_ok(&t, 10, &port1);
    r_port1->cookie = 0x1100;
    rule_output(r_port1, 3);
    r_port1_ip = insert_ok(&t, 20, &port1_ip);
    r_port1_ip->cookie = 0x1200;
    r_port1_ip_hi = insert_ok(&t, 30, &port1_ip);
    r_port1_ip_hi->cookie = 0x2200;
    rule_output(r_port1_ip_hi, OFPP13_CONTROLLER);
    r_net = insert_ok(&t, 40, &port1_net);
    r_net->cookie = 0x1300;
    rule_output(r_net, 3);
    r_port2 = insert_ok(&t, 10, &port2);
    r_port2->cookie = 0x1100;

    /* Non-strict, catch-all: everything. */
    select_rules(&t, &any, 0, false, 0, 0, OFPP13_ANY, got, &n);
    CHECK_INT_EQ(n, 5);

    /* Non-strict in_port=1: the rules at least as specific, any priority. */
    select_rules(&t, &port1, 0, false, 0, 0, OFPP13_ANY, got, &n);
    CHECK_INT_EQ(n, 4);
    CHECK(!contains(got, n, r_port2));

    /* A value outside the mask must not matter (canonicalized). */
    port1_ip.value.pkt.eth_src[0] = 0xaa;
    select_rules(&t, &port1_ip, 0, false, 0, 0, OFPP13_ANY, got, &n);
    CHECK_INT_EQ(n, 3);
    CHECK(contains(got, n, r_port1_ip) && contains(got, n, r_port1_ip_hi)
          && contains(got, n, r_net));

    /* Cookies under a mask. */
    select_rules(&t, &port1, 0, false, 0x1000, 0xf000, OFPP13_ANY, got, &n);
    CHECK_INT_EQ(n, 3);
    CHECK(!contains(got, n, r_port1_ip_hi));
    select_rules(&t, &port1, 0, false, 0x1200, 0xff00, OFPP13_ANY, got, &n);
    CHECK(n == 1 && got[0] == r_port1_ip);

    /* out_port: an action must output there (controller included). */
    select_rules(&t, &any, 0, false, 0, 0, 3, got, &n);
    CHECK_INT_EQ(n, 2);
    CHECK(contains(got, n, r_port1) && contains(got, n, r_net));
    select_rules(&t, &any, 0, false, 0, 0, OFPP13_CONTROLLER, got, &n);
    CHECK(n == 1 && got[0] == r_port1_ip_hi);

    /* Strict: same match and priority only. */
    select_rules(&t, &port1_ip, 20, true, 0, 0, OFPP13_ANY, got, &n);
    CHECK(n == 1 && got[0] == r_port1_ip);
    select_rules(&t, &port1_ip, 30, true, 0, 0, OFPP13_ANY, got, &n);
    CHECK(n == 1 && got[0] == r_port1_ip_hi);
    select_rules(&t, &port1_ip, 25, true, 0, 0, OFPP13_ANY, got, &n);
    CHECK_INT_EQ(n, 0);
    select_rules(&t, &port1, 20, true, 0, 0, OFPP13_ANY, got, &n);
    CHECK_INT_EQ(n, 0);
    select_rules(&t, &any, 10, true, 0, 0, OFPP13_ANY, got, &n);
    CHECK_INT_EQ(n, 0);
    select_rules(&t, &port1_ip, 30, true, 0x1200, 0xffff, OFPP13_ANY, got, &n);
    CHECK_INT_EQ(n, 0);
    select_rules(&t, &port1_ip, 30, true, 0, 0, 3, got, &n);
    CHECK_INT_EQ(n, 0);
    oftable_destroy(&t);
}

/* ---- iteration and expiry ------------------------------------------------ */

static void
count_rule(struct ofrule *rule, void *n_)
{
    size_t *n = n_;

    (*n)++;
}

/* A rule with timeouts, inserted: the table counts rules with timeouts
 * as they go in, so they must be set first (as flowd does). */
static struct ofrule *
insert_timed(struct oftable *t, uint16_t priority, const struct ofmatch *match,
             uint16_t idle_timeout, uint16_t hard_timeout)
{
    struct ofrule *rule = rule_new(priority, match), *replaced;

    rule->idle_timeout = idle_timeout;
    rule->hard_timeout = hard_timeout;
    CHECK_INT_EQ(oftable_insert(t, rule, false, &replaced), 0);
    CHECK(replaced == NULL);
    return rule;
}

static void
test_expiry(void)
{
    struct ofmatch m;
    struct ofrule *idle, *idle_used, *hard, *both, *forever, **rules = NULL;
    size_t n = 0, allocated = 0, visited = 0;
    struct oftable t;

    oftable_init(&t);
    ofmatch_init_catchall(&m);
    match_in_port(&m, 1);
    idle = insert_timed(&t, 1, &m, 10, 0);
    idle->created = 1000;
    idle_used = insert_timed(&t, 2, &m, 10, 0);
    idle_used->created = 1000;
    idle_used->used = 8000;
    hard = insert_timed(&t, 3, &m, 0, 15);
    hard->created = 1000;
    hard->used = 20000;
    both = insert_timed(&t, 4, &m, 5, 100);
    both->created = 1000;
    both->used = 30000;
    forever = insert_ok(&t, 5, &m);
    forever->created = 1000;
    CHECK_INT_EQ(t.n_timeouts, 4);

    oftable_for_each(&t, count_rule, &visited);
    CHECK_INT_EQ(visited, 5);

    oftable_expired(&t, 10999, &rules, &n, &allocated);
    CHECK_INT_EQ(n, 0);
    oftable_expired(&t, 11000, &rules, &n, &allocated);
    CHECK(n == 1 && rules[0] == idle);
    n = 0;
    oftable_expired(&t, 17999, &rules, &n, &allocated);
    CHECK(n == 2 && contains(rules, n, hard));
    n = 0;
    oftable_expired(&t, 18000, &rules, &n, &allocated);
    CHECK(n == 3 && contains(rules, n, idle_used));
    n = 0;
    oftable_expired(&t, 35000, &rules, &n, &allocated);
    CHECK(n == 4 && contains(rules, n, both) && !contains(rules, n, forever));
    for (size_t i = 0; i < n; i++) {
        oftable_remove(&t, rules[i]);
        ofrule_destroy(rules[i]);
    }
    CHECK_INT_EQ(t.n_rules, 1);
    CHECK_INT_EQ(t.n_timeouts, 0);
    free(rules);
    oftable_destroy(&t);
}

/* The count of rules with timeouts follows replacements both ways, so
 * that expiry neither misses a timed rule nor walks a table without one. */
static void
test_timeout_count(void)
{
    struct ofrule *rule, *replaced, **rules = NULL;
    size_t n = 0, allocated = 0;
    struct oftable t;
    struct ofmatch m;

    oftable_init(&t);
    ofmatch_init_catchall(&m);
    match_in_port(&m, 7);
    insert_ok(&t, 9, &m);
    CHECK_INT_EQ(t.n_timeouts, 0);

    rule = rule_new(9, &m);                 /* Replaces it, with a timeout. */
    rule->hard_timeout = 1;
    rule->created = 0;
    CHECK_INT_EQ(oftable_insert(&t, rule, false, &replaced), 0);
    CHECK(replaced != NULL);
    ofrule_destroy(replaced);
    CHECK_INT_EQ(t.n_timeouts, 1);
    oftable_expired(&t, 1000, &rules, &n, &allocated);
    CHECK(n == 1 && rules[0] == rule);

    rule = rule_new(9, &m);                 /* And back, without. */
    CHECK_INT_EQ(oftable_insert(&t, rule, false, &replaced), 0);
    ofrule_destroy(replaced);
    CHECK_INT_EQ(t.n_timeouts, 0);
    n = 0;
    oftable_expired(&t, 1000, &rules, &n, &allocated);
    CHECK_INT_EQ(n, 0);
    free(rules);
    oftable_destroy(&t);
}

/* ---- randomized comparison with a linear scan ---------------------------- */

struct prng {
    uint64_t state;
};

static uint64_t
prng_next(struct prng *p)
{
    /* xorshift64*: deterministic from the seed, so failures reproduce. */
    p->state ^= p->state >> 12;
    p->state ^= p->state << 25;
    p->state ^= p->state >> 27;
    return p->state * 0x2545f4914f6cdd1dULL;
}

static uint32_t
prng_below(struct prng *p, uint32_t n)
{
    return (uint32_t) (prng_next(p) % n);
}

enum { RAND_MASKS = 7, RAND_RULES = 400, RAND_PACKETS = 5000, RAND_PERTURB = 8 };

/* Mask 'which' with small random values, so that rules overlap often.
 * No catch-all, so that some packets miss. */
static void
random_match(struct prng *p, unsigned int which, struct ofmatch *m)
{
    ofmatch_init_catchall(m);
    switch (which) {
    case 0:
        match_eth_type(m, 0x0806);
        break;
    case 1:
        match_in_port(m, 1 + prng_below(p, 4));
        break;
    case 2:
        match_eth_dst(m, (uint8_t) prng_below(p, 8));
        break;
    case 3:
        match_eth_type(m, 0x0800);
        match_ipv4_dst(m, 0x0a000000 | prng_below(p, 4) << 8, 24);
        break;
    case 4:
        match_eth_type(m, 0x0800);
        m->mask.pkt.nw_proto = 0xff;
        m->value.pkt.nw_proto = 6;
        m->mask.pkt.tp_dst = 0xffff;
        m->value.pkt.tp_dst = (uint16_t) (80 + prng_below(p, 3));
        break;
    case 5:
        match_in_port(m, 1 + prng_below(p, 4));
        match_eth_type(m, 0x0800);
        match_ipv4_dst(m, 0x0a000000 | prng_below(p, 4) << 8 | prng_below(p, 4), 32);
        break;
    default:
        m->mask.regs[0] = 0xf0;
        m->value.regs[0] = prng_below(p, 4) << 4;
        m->mask.metadata = 1;
        m->value.metadata = prng_below(p, 2);
        break;
    }
}

static struct of_fields
random_packet(struct prng *p)
{
    struct of_fields f = packet(1 + prng_below(p, 5), (uint8_t) prng_below(p, 10),
                                prng_below(p, 4) ? 0x0800 : 0x0806,
                                0x0a000000 | prng_below(p, 5) << 8 | prng_below(p, 5));

    f.pkt.nw_proto = prng_below(p, 2) ? 6 : 17;
    f.pkt.tp_dst = (uint16_t) (79 + prng_below(p, 5));
    f.pkt.tp_src = (uint16_t) prng_next(p);
    f.regs[0] = (uint32_t) prng_next(p) & 0x7f;
    f.metadata = prng_below(p, 3);
    return f;
}

/* The rules in insertion order (a replacement keeps its slot), as the
 * reference a linear scan uses. */
struct rand_rules {
    struct ofrule *rules[RAND_RULES];
    size_t n;
};

static const struct ofrule *
linear_lookup(const struct rand_rules *rr, const struct of_fields *f)
{
    const struct ofrule *best = NULL;

    for (size_t i = 0; i < rr->n; i++) {
        const struct ofrule *r = rr->rules[i];
        struct ofmatch m;

        ofrule_get_match(r, &m);
        if (ofmatch_matches(&m, f) && (!best || r->priority > best->priority)) {
            best = r;
        }
    }
    return best;
}

static void
rand_insert(struct oftable *t, struct rand_rules *rr, struct prng *p)
{
    struct ofmatch m;
    struct ofrule *rule, *replaced;

    random_match(p, prng_below(p, RAND_MASKS), &m);
    rule = rule_new((uint16_t) prng_below(p, 6), &m);
    CHECK_INT_EQ(oftable_insert(t, rule, false, &replaced), 0);
    if (replaced) {
        for (size_t i = 0; i < rr->n; i++) {
            if (rr->rules[i] == replaced) {
                rr->rules[i] = rule;
            }
        }
        ofrule_destroy(replaced);
    } else {
        rr->rules[rr->n++] = rule;
    }
}

static void
rand_remove(struct oftable *t, struct rand_rules *rr, struct prng *p)
{
    size_t i = prng_below(p, (uint32_t) rr->n);
    struct ofrule *rule = rr->rules[i];

    oftable_remove(t, rule);
    ofrule_destroy(rule);
    memmove(&rr->rules[i], &rr->rules[i + 1], (rr->n - i - 1) * sizeof rr->rules[0]);
    rr->n--;
}

/* Flips random bits of 'f' where 'wc' is 0. */
static void
perturb_outside(struct prng *p, struct of_fields *f, const struct of_fields *wc)
{
    uint64_t *fw = (uint64_t *) (void *) f;
    const uint64_t *ww = (const uint64_t *) (const void *) wc;

    for (size_t i = 0; i < OF_FIELDS_U64S; i++) {
        fw[i] ^= prng_next(p) & prng_next(p) & ~ww[i];
    }
}

static bool
check_lookup(struct oftable *t, const struct rand_rules *rr, struct prng *p,
             const struct of_fields *f)
{
    struct of_fields wc, g;
    const struct ofrule *got;
    bool ok = true;

    memset(&wc, 0, sizeof wc);
    got = oftable_lookup(t, f, &wc);
    ok = got == linear_lookup(rr, f);
    if (got) {
        struct ofmatch got_match;

        /* The winning rule's own mask is always part of the answer. */
        ofrule_get_match(got, &got_match);
        ok = ok && ofmatch_matches(&got_match, f);
        for (size_t i = 0; i < OF_FIELDS_U64S; i++) {
            const uint64_t *m = (const uint64_t *) (const void *) &got_match.mask;
            const uint64_t *w = (const uint64_t *) (const void *) &wc;

            ok = ok && !(m[i] & ~w[i]);
        }
    }
    for (int k = 0; k < RAND_PERTURB && ok; k++) {
        g = *f;
        perturb_outside(p, &g, &wc);
        ok = oftable_lookup(t, &g, NULL) == got && linear_lookup(rr, &g) == got;
    }
    return ok;
}

/* A non-strict select of 'm' returns exactly the rules a scan finds to be
 * subsets of it (m's value masked first, as the table does). */
static bool
check_select_loose(const struct oftable *t, const struct rand_rules *rr,
                   const struct ofmatch *m_)
{
    struct ofmatch m = *m_;
    struct ofrule **rules = NULL;
    size_t n = 0, allocated = 0, expected = 0;
    uint64_t *v = (uint64_t *) (void *) &m.value;
    const uint64_t *mask = (const uint64_t *) (const void *) &m.mask;
    bool ok = true;

    for (size_t i = 0; i < OF_FIELDS_U64S; i++) {
        v[i] &= mask[i];
    }
    oftable_select(t, &m, 0, false, 0, 0, OFPP13_ANY, &rules, &n, &allocated);
    for (size_t i = 0; i < rr->n; i++) {
        struct ofmatch rm;

        ofrule_get_match(rr->rules[i], &rm);
        if (ofmatch_is_subset(&rm, &m)) {
            expected++;
            ok = ok && contains(rules, n, rr->rules[i]);
        }
    }
    free(rules);
    return ok && n == expected;
}

static void
test_random_against_linear_scan(void)
{
    struct prng p = { 0x9e3779b97f4a7c15ULL };
    struct rand_rules rr = { .n = 0 };
    size_t failures = 0, hits = 0;
    struct oftable t;

    oftable_init(&t);
    while (rr.n < RAND_RULES - 20) {
        rand_insert(&t, &rr, &p);
    }
    CHECK_INT_EQ(t.n_rules, rr.n);
    CHECK_INT_EQ(t.n_subtables, RAND_MASKS);
    for (int i = 0; i < RAND_PACKETS; i++) {
        struct of_fields f = random_packet(&p);

        /* Churn: the table must stay right through inserts and removals. */
        if (i % 50 == 0) {
            rand_remove(&t, &rr, &p);
            if (rr.n < RAND_RULES) {
                rand_insert(&t, &rr, &p);
            }
        }
        hits += linear_lookup(&rr, &f) != NULL;
        if (!check_lookup(&t, &rr, &p, &f) && failures++ < 5) {
            fprintf(stderr, "random lookup %d differs from the linear scan\n", i);
        }
    }
    CHECK_INT_EQ(failures, 0);
    CHECK_INT_EQ(t.n_rules, rr.n);
    /* Non-strict selection (dump-flows, del-flows) agrees with a scan: for
     * every mask, with the value of a rule (a few hits) or random. */
    {
        struct ofmatch any;

        ofmatch_init_catchall(&any);
        CHECK(check_select_loose(&t, &rr, &any));
        for (int i = 0; i < 200; i++) {
            struct ofmatch m;

            random_match(&p, prng_below(&p, RAND_MASKS), &m);
            if (i % 2) {
                struct ofmatch rm;

                /* A rule's value under this mask: selects that rule if
                 * the masks nest. */
                ofrule_get_match(rr.rules[prng_below(&p, (uint32_t) rr.n)], &rm);
                m.value = rm.value;
            }
            CHECK(check_select_loose(&t, &rr, &m));
        }
    }
    /* Both hits and misses were exercised. */
    CHECK(hits > RAND_PACKETS / 10 && hits < RAND_PACKETS);

    /* Empty it in random order, looking up as it shrinks (max priorities
     * fall and subtables reorder); subtables go away with their last
     * rule. */
    while (rr.n) {
        rand_remove(&t, &rr, &p);
        for (int i = 0; i < 10; i++) {
            struct of_fields f = random_packet(&p);

            if (!check_lookup(&t, &rr, &p, &f) && failures++ < 5) {
                fprintf(stderr, "lookup with %zu rules differs from the linear scan\n",
                        rr.n);
            }
        }
    }
    CHECK_INT_EQ(failures, 0);
    CHECK_INT_EQ(t.n_subtables, 0);
    oftable_destroy(&t);
}

static void
test_destroy_null_and_empty(void)
{
    struct oftable t;
    struct of_fields f, wc;

    oftable_destroy(NULL);
    ofrule_destroy(NULL);
    oftable_init(&t);
    memset(&f, 0, sizeof f);
    memset(&wc, 0, sizeof wc);
    CHECK(oftable_lookup(&t, &f, &wc) == NULL);
    CHECK(fields_is_zero(&wc));
    oftable_destroy(&t);
}

UNIT_MAIN("flowd-oftable",
          UNIT_TEST(test_priorities),
          UNIT_TEST(test_early_stop_keeps_wc_narrow),
          UNIT_TEST(test_ties_go_to_first_inserted),
          UNIT_TEST(test_replacement),
          UNIT_TEST(test_same_value_list),
          UNIT_TEST(test_many_values_in_one_subtable),
          UNIT_TEST(test_check_overlap),
          UNIT_TEST(test_select),
          UNIT_TEST(test_expiry),
          UNIT_TEST(test_timeout_count),
          UNIT_TEST(test_random_against_linear_scan),
          UNIT_TEST(test_destroy_null_and_empty))
