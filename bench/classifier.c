/* classifier: issue 3's micro-benchmark of flowd's OpenFlow table
 * (cmd/flowd/oftable.c), outside any daemon.
 *
 * Builds one table of 10,000 rules over 20 masks shaped like a real
 * pipeline's (MAC table, ACLs on address pairs, L4 services, subnets,
 * anti-spoofing, tunnels), then looks up a traffic mix in which most
 * packets belong to a few hot flows, some to any rule, and some to no rule.
 * Each lookup collects its wildcards, as flowd's upcall path does. Prints
 * lookups per second of CPU time and the subtables probed per lookup
 * (oftable's 'probes' counter), after checking a sample of answers against
 * a linear scan so that a broken table cannot post a good number.
 *
 * Built by bench/run-classifier.sh with the Makefile's flags.
 *
 *   classifier [SECONDS]    measure for SECONDS per run (default 1), 3 runs */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oftable.h"
#include "util.h"

#define CLS_N_RULES 10000
#define CLS_N_PACKETS 8192          /* Traffic pattern, replayed in a loop. */
#define CLS_N_HOT 8                 /* Rules that most packets hit. */
#define CLS_N_RUNS 3
#define CLS_N_CHECKED 1000          /* Packets checked against a scan. */

struct cls_prng {
    uint64_t state;
};

static uint64_t
cls_random(struct cls_prng *p)
{
    p->state ^= p->state >> 12;
    p->state ^= p->state << 25;
    p->state ^= p->state >> 27;
    return p->state * 0x2545f4914f6cdd1dULL;
}

static uint32_t
cls_below(struct cls_prng *p, uint32_t n)
{
    return (uint32_t) (cls_random(p) % n);
}

/* ---- the rule set --------------------------------------------------------- */

static void
set_u32(uint32_t *value, uint32_t *mask, uint32_t v, uint32_t m)
{
    *mask = m;
    *value = v & m;
}

static void
set_mac(uint8_t *value, uint8_t *mask, unsigned int host)
{
    memset(mask, 0xff, 6);
    memcpy(value, "\x02\x00\x00\x00\x00\x00", 6);
    value[4] = (uint8_t) (host >> 8);
    value[5] = (uint8_t) host;
}

static void
set_eth_type(struct ofmatch *m, uint16_t type)
{
    m->mask.pkt.eth_type = 0xffff;
    m->value.pkt.eth_type = type;
}

static void
set_ip_proto(struct ofmatch *m, uint8_t proto)
{
    set_eth_type(m, 0x0800);
    m->mask.pkt.nw_proto = 0xff;
    m->value.pkt.nw_proto = proto;
}

static uint32_t
be32(uint32_t x)
{
    return __builtin_bswap32(x);
}

static uint32_t
prefix_mask(unsigned int prefix)
{
    return be32(prefix ? UINT32_MAX << (32 - prefix) : 0);
}

/* Hosts are 10.(k/250).(k%250+1) and 02:00:00:00:HH:LL; access ports are
 * 1..32, uplinks 100..147; the traffic generator below uses the same
 * numbering, so that packets find rules. */
static uint32_t
host_ip(unsigned int k)
{
    return be32(0x0a000000 | (k / 250) << 8 | (k % 250 + 1));
}

static uint32_t
subnet_ip(unsigned int k, unsigned int prefix)
{
    return be32(0x0a000000 | k << (32 - prefix)) & prefix_mask(prefix);
}

/* One kind of rule: its mask is fixed, 'k' (0 .. n - 1) picks the value. */
struct cls_template {
    const char *name;
    unsigned int n_rules;
    uint16_t priority;              /* Base; rules spread over +0..+3. */
    void (*fill)(struct ofmatch *, unsigned int k);
};

static void
fill_in_port(struct ofmatch *m, unsigned int k)
{
    set_u32(&m->value.pkt.in_port, &m->mask.pkt.in_port, 100 + k, UINT32_MAX);
}

static void
fill_in_port_vlan(struct ofmatch *m, unsigned int k)
{
    set_u32(&m->value.pkt.in_port, &m->mask.pkt.in_port, 1 + k % 32, UINT32_MAX);
    m->mask.pkt.vlans[0].tci = FLOWKEY_VLAN_PRESENT | FLOWKEY_VLAN_VID_MASK;
    m->value.pkt.vlans[0].tci = (uint16_t) (FLOWKEY_VLAN_PRESENT | (100 + k / 32));
}

static void
fill_dl_dst(struct ofmatch *m, unsigned int k)
{
    set_mac(m->value.pkt.eth_dst, m->mask.pkt.eth_dst, k);
}

static void
fill_in_port_dl_src(struct ofmatch *m, unsigned int k)
{
    set_u32(&m->value.pkt.in_port, &m->mask.pkt.in_port, 1 + k % 32, UINT32_MAX);
    set_mac(m->value.pkt.eth_src, m->mask.pkt.eth_src, k);
}

static void
fill_dl_src_dst(struct ofmatch *m, unsigned int k)
{
    set_mac(m->value.pkt.eth_src, m->mask.pkt.eth_src, k);
    set_mac(m->value.pkt.eth_dst, m->mask.pkt.eth_dst, (k * 7 + 1) % 4096);
}

static void
fill_arp_tpa(struct ofmatch *m, unsigned int k)
{
    set_eth_type(m, 0x0806);
    set_u32(&m->value.pkt.ipv4_dst, &m->mask.pkt.ipv4_dst, host_ip(k), UINT32_MAX);
}

static void
fill_nw_dst24(struct ofmatch *m, unsigned int k)
{
    set_eth_type(m, 0x0800);
    set_u32(&m->value.pkt.ipv4_dst, &m->mask.pkt.ipv4_dst, subnet_ip(k, 24), prefix_mask(24));
}

static void
fill_nw_dst16(struct ofmatch *m, unsigned int k)
{
    set_eth_type(m, 0x0800);
    set_u32(&m->value.pkt.ipv4_dst, &m->mask.pkt.ipv4_dst, be32(0x0b000000 | k << 16),
            prefix_mask(16));
}

static void
fill_nw_src24(struct ofmatch *m, unsigned int k)
{
    set_eth_type(m, 0x0800);
    set_u32(&m->value.pkt.ipv4_src, &m->mask.pkt.ipv4_src, subnet_ip(k, 24), prefix_mask(24));
}

static void
fill_acl_pair(struct ofmatch *m, unsigned int k)
{
    set_eth_type(m, 0x0800);
    set_u32(&m->value.pkt.ipv4_src, &m->mask.pkt.ipv4_src, host_ip(k), UINT32_MAX);
    set_u32(&m->value.pkt.ipv4_dst, &m->mask.pkt.ipv4_dst, host_ip((k * 13 + 5) % 4000),
            UINT32_MAX);
}

static void
fill_tcp_dst(struct ofmatch *m, unsigned int k)
{
    static const uint16_t services[] = { 22, 80, 443, 3306 };

    set_ip_proto(m, 6);
    m->mask.pkt.tp_dst = 0xffff;
    m->value.pkt.tp_dst = (uint16_t) (k < ARRAY_SIZE(services) ? services[k] : 1000 + k);
}

/* DHCP, NTP, and pinned source ports of tunnel or RPC traffic. */
static void
fill_udp_src_dst(struct ofmatch *m, unsigned int k)
{
    set_ip_proto(m, 17);
    m->mask.pkt.tp_src = 0xffff;
    m->mask.pkt.tp_dst = 0xffff;
    m->value.pkt.tp_src = (uint16_t) (k < 2 ? (uint16_t[]) { 68, 123 }[k] : 2000 + k);
    m->value.pkt.tp_dst = (uint16_t) (k < 2 ? (uint16_t[]) { 67, 123 }[k] : 4789);
}

static void
fill_tcp_nw_dst_tp_dst(struct ofmatch *m, unsigned int k)
{
    set_ip_proto(m, 6);
    set_u32(&m->value.pkt.ipv4_dst, &m->mask.pkt.ipv4_dst, host_ip(k / 2), UINT32_MAX);
    m->mask.pkt.tp_dst = 0xffff;
    m->value.pkt.tp_dst = k % 2 ? 443 : 8080;
}

static void
fill_tcp_nw_src24_tp_dst(struct ofmatch *m, unsigned int k)
{
    set_ip_proto(m, 6);
    set_u32(&m->value.pkt.ipv4_src, &m->mask.pkt.ipv4_src, subnet_ip(k / 4, 24),
            prefix_mask(24));
    m->mask.pkt.tp_dst = 0xffff;
    m->value.pkt.tp_dst = (uint16_t[]) { 22, 25, 3389, 5432 }[k % 4];
}

static void
fill_ip_proto(struct ofmatch *m, unsigned int k)
{
    set_ip_proto(m, (uint8_t[]) { 1, 47, 50, 132 }[k % 4]);
}

static void
fill_dscp(struct ofmatch *m, unsigned int k)
{
    set_eth_type(m, 0x0800);
    m->mask.pkt.nw_tos = 0xfc;
    m->value.pkt.nw_tos = (uint8_t) ((k + 1) << 2);
}

static void
fill_metadata_reg0(struct ofmatch *m, unsigned int k)
{
    m->mask.metadata = UINT64_MAX;
    m->value.metadata = 1 + k / 16;
    m->mask.regs[0] = UINT32_MAX;
    m->value.regs[0] = k % 16;
}

static void
fill_in_port_nw_dst24(struct ofmatch *m, unsigned int k)
{
    fill_nw_dst24(m, k / 32);
    set_u32(&m->value.pkt.in_port, &m->mask.pkt.in_port, 1 + k % 32, UINT32_MAX);
}

static void
fill_tun_id(struct ofmatch *m, unsigned int k)
{
    m->mask.pkt.tun_id = UINT64_MAX;
    m->value.pkt.tun_id = 5000 + k;
}

static void
fill_ipv6_dst64(struct ofmatch *m, unsigned int k)
{
    set_eth_type(m, 0x86dd);
    memset(m->mask.pkt.ipv6_dst, 0xff, 8);
    memcpy(m->value.pkt.ipv6_dst, "\x20\x01\x0d\xb8\x00\x00", 6);
    m->value.pkt.ipv6_dst[6] = (uint8_t) (k >> 8);
    m->value.pkt.ipv6_dst[7] = (uint8_t) k;
}

/* 10,000 rules over 20 masks; priorities roughly as a pipeline orders them:
 * ACLs and tunnels above services, above L3, above L2. */
static const struct cls_template cls_templates[] = {
    { "acl nw_src/32,nw_dst/32", 2000, 2000, fill_acl_pair },
    { "tun_id", 100, 1900, fill_tun_id },
    { "tcp,nw_dst/32,tp_dst", 800, 1800, fill_tcp_nw_dst_tp_dst },
    { "tcp,nw_src/24,tp_dst", 300, 1700, fill_tcp_nw_src24_tp_dst },
    { "tcp,tp_dst", 200, 1500, fill_tcp_dst },
    { "udp,tp_src,tp_dst", 100, 1500, fill_udp_src_dst },
    { "uplink in_port", 48, 1000, fill_in_port },
    { "metadata,reg0", 300, 900, fill_metadata_reg0 },
    { "arp,arp_tpa", 200, 800, fill_arp_tpa },
    { "dl_src,dl_dst", 300, 700, fill_dl_src_dst },
    { "in_port,dl_src", 500, 600, fill_in_port_dl_src },
    { "in_port,dl_vlan", 200, 550, fill_in_port_vlan },
    { "dl_dst", 2500, 500, fill_dl_dst },
    { "in_port,ip,nw_dst/24", 500, 400, fill_in_port_nw_dst24 },
    { "ip,nw_src/24", 300, 350, fill_nw_src24 },
    { "ip,nw_dst/24", 1000, 300, fill_nw_dst24 },
    { "ip,nw_dst/16", 100, 250, fill_nw_dst16 },
    { "ip,nw_tos", 63, 150, fill_dscp },
    { "ip,nw_proto", 4, 100, fill_ip_proto },
    { "ipv6,ipv6_dst/64", 485, 50, fill_ipv6_dst64 },
};

_Static_assert(ARRAY_SIZE(cls_templates) == 20, "20 masks");

/* Fills 'table' and 'rules' (CLS_N_RULES entries, in insertion order).
 * Returns the number of rules inserted (replacements would lower it). */
static size_t
cls_build_table(struct oftable *table, struct ofrule **rules)
{
    size_t n = 0;

    for (size_t t = 0; t < ARRAY_SIZE(cls_templates); t++) {
        const struct cls_template *tpl = &cls_templates[t];

        for (unsigned int k = 0; k < tpl->n_rules; k++) {
            struct ofrule *rule, *replaced;
            struct ofmatch match;

            ofmatch_init_catchall(&match);
            tpl->fill(&match, k);
            rule = ofrule_create(&match);
            rule->priority = (uint16_t) (tpl->priority + k % 4);
            ofpacts_put(&rule->ofpacts, OFPACT_OUTPUT)->output.port = 1 + k % 32;
            if (oftable_insert(table, rule, false, &replaced)) {
                ofrule_destroy(rule);
                continue;
            }
            if (replaced) {
                fprintf(stderr, "classifier: template \"%s\" repeats a rule\n", tpl->name);
                ofrule_destroy(replaced);
                continue;
            }
            rules[n++] = rule;
        }
    }
    return n;
}

/* ---- the traffic ---------------------------------------------------------- */

/* An ordinary packet between two hosts of the pool on an access port. */
static void
cls_base_packet(struct cls_prng *p, struct of_fields *f)
{
    unsigned int src = cls_below(p, 4096), dst = cls_below(p, 4096);
    uint32_t kind = cls_below(p, 100);

    memset(f, 0, sizeof *f);
    f->pkt.in_port = 1 + cls_below(p, 32);
    memcpy(f->pkt.eth_src, "\x02\x00\x00\x00\x00\x00", 6);
    f->pkt.eth_src[4] = (uint8_t) (src >> 8);
    f->pkt.eth_src[5] = (uint8_t) src;
    memcpy(f->pkt.eth_dst, "\x02\x00\x00\x00\x00\x00", 6);
    f->pkt.eth_dst[4] = (uint8_t) (dst >> 8);
    f->pkt.eth_dst[5] = (uint8_t) dst;
    if (kind < 90) {
        f->pkt.eth_type = 0x0800;
        f->pkt.ipv4_src = host_ip(src);
        f->pkt.ipv4_dst = host_ip(dst);
        f->pkt.nw_ttl = 64;
        f->pkt.nw_proto = kind < 70 ? 6 : kind < 87 ? 17 : 1;
        f->pkt.tp_src = (uint16_t) (32768 + cls_below(p, 28000));
        f->pkt.tp_dst = (uint16_t[]) { 80, 443, 53, 22, 8080, 9000 }[cls_below(p, 6)];
    } else if (kind < 97) {
        f->pkt.eth_type = 0x86dd;
        memcpy(f->pkt.ipv6_dst, "\x20\x01\x0d\xb8\x00\x00", 6);
        f->pkt.ipv6_dst[7] = (uint8_t) dst;
        f->pkt.ipv6_dst[15] = 1;
    } else {
        f->pkt.eth_type = 0x0806;
        f->pkt.ipv4_src = host_ip(src);
        f->pkt.ipv4_dst = host_ip(dst);
    }
}

/* A packet for 'rule': an ordinary packet with the rule's fields. */
static void
cls_packet_for(struct cls_prng *p, const struct ofrule *rule, struct of_fields *f)
{
    uint64_t *fw = (uint64_t *) (void *) f;
    struct ofmatch match;
    const uint64_t *v = (const uint64_t *) (const void *) &match.value;
    const uint64_t *m = (const uint64_t *) (const void *) &match.mask;

    ofrule_get_match(rule, &match);

    cls_base_packet(p, f);
    for (size_t i = 0; i < OF_FIELDS_U64S; i++) {
        fw[i] = (fw[i] & ~m[i]) | v[i];
    }
}

/* A packet no rule should match: unknown hosts, an unfiltered port. */
static void
cls_miss_packet(struct cls_prng *p, struct of_fields *f)
{
    cls_base_packet(p, f);
    f->pkt.eth_src[0] = 0x06;
    f->pkt.eth_dst[0] = 0x06;
    f->pkt.eth_type = 0x0800;
    f->pkt.ipv4_src = be32(0xc0a80000 | cls_below(p, 65536));
    f->pkt.ipv4_dst = be32(0xc0a80000 | cls_below(p, 65536));
    f->pkt.nw_proto = 6;
    f->pkt.tp_dst = 9;
}

/* 80% to CLS_N_HOT rules, 15% to any rule, 5% to none. */
static void
cls_make_traffic(struct cls_prng *p, struct ofrule **rules, size_t n_rules,
                 struct of_fields *packets)
{
    struct ofrule *hot[CLS_N_HOT];

    for (size_t i = 0; i < CLS_N_HOT; i++) {
        hot[i] = rules[cls_below(p, (uint32_t) n_rules)];
    }
    for (size_t i = 0; i < CLS_N_PACKETS; i++) {
        uint32_t kind = cls_below(p, 100);

        if (kind < 80) {
            cls_packet_for(p, hot[cls_below(p, CLS_N_HOT)], &packets[i]);
        } else if (kind < 95) {
            cls_packet_for(p, rules[cls_below(p, (uint32_t) n_rules)], &packets[i]);
        } else {
            cls_miss_packet(p, &packets[i]);
        }
    }
}

/* ---- measuring ------------------------------------------------------------ */

/* CPU time of this thread: the box is shared (builds, the forwarding
 * benchmark), and time spent preempted is not the table's. */
static double
cls_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The first rule in insertion order among the highest-priority matches:
 * what the table must answer. */
static const struct ofrule *
cls_linear_lookup(struct ofrule **rules, size_t n, const struct of_fields *f)
{
    const struct ofrule *best = NULL;

    for (size_t i = 0; i < n; i++) {
        struct ofmatch match;

        ofrule_get_match(rules[i], &match);
        if (ofmatch_matches(&match, f)
            && (!best || rules[i]->priority > best->priority)) {
            best = rules[i];
        }
    }
    return best;
}

static size_t
cls_check(struct oftable *table, struct ofrule **rules, size_t n_rules,
          const struct of_fields *packets)
{
    size_t wrong = 0;

    for (size_t i = 0; i < CLS_N_CHECKED; i++) {
        const struct of_fields *f = &packets[i * (CLS_N_PACKETS / CLS_N_CHECKED)];

        wrong += oftable_lookup(table, f, NULL) != cls_linear_lookup(rules, n_rules, f);
    }
    return wrong;
}

struct cls_run {
    double lookups_per_s;
    double probes_per_lookup;
    double hit_pct;
};

/* Looks up the traffic in a loop for at least 'seconds'. */
static void
cls_measure(struct oftable *table, const struct of_fields *packets, double seconds,
            struct cls_run *run)
{
    uint64_t lookups0 = table->lookups, probes0 = table->probes, matches0 = table->matches;
    double start = cls_now(), elapsed;
    uintptr_t sink = 0;
    uint64_t lookups;

    do {
        for (size_t i = 0; i < CLS_N_PACKETS; i++) {
            struct of_fields wc;

            memset(&wc, 0, sizeof wc);
            sink += (uintptr_t) oftable_lookup(table, &packets[i], &wc);
            sink += wc.pkt.in_port;
        }
        elapsed = cls_now() - start;
    } while (elapsed < seconds);

    lookups = table->lookups - lookups0;

    run->lookups_per_s = lookups / elapsed;
    run->probes_per_lookup = (double) (table->probes - probes0) / lookups;
    run->hit_pct = 100.0 * (table->matches - matches0) / lookups;
    /* Keeps the loop's results alive without printing them. */
    __asm__ volatile ("" : : "r" (sink));
}

static int
compare_runs(const void *a_, const void *b_)
{
    const struct cls_run *a = a_, *b = b_;

    return (a->lookups_per_s > b->lookups_per_s) - (a->lookups_per_s < b->lookups_per_s);
}

int
main(int argc, char *argv[])
{
    struct ofrule **rules = xcalloc(CLS_N_RULES, sizeof *rules);
    struct of_fields *packets = xcalloc(CLS_N_PACKETS, sizeof *packets);
    struct cls_prng prng = { 0x853c49e6748fea9bULL };
    struct cls_run runs[CLS_N_RUNS];
    const struct cls_run *median;
    double seconds = argc > 1 ? atof(argv[1]) : 1.0, start, build_ms;
    struct oftable table;
    size_t n_rules, wrong;

    if (argc > 2 || seconds <= 0) {
        fprintf(stderr, "usage: classifier [SECONDS]\n");
        return 2;
    }
    oftable_init(&table);
    start = cls_now();
    n_rules = cls_build_table(&table, rules);
    build_ms = (cls_now() - start) * 1000;
    cls_make_traffic(&prng, rules, n_rules, packets);

    wrong = cls_check(&table, rules, n_rules, packets);
    if (wrong) {
        fprintf(stderr, "classifier: %zu of %d lookups differ from a linear scan\n",
                wrong, CLS_N_CHECKED);
        return 1;
    }
    for (int i = 0; i < CLS_N_RUNS; i++) {
        cls_measure(&table, packets, seconds, &runs[i]);
    }
    qsort(runs, CLS_N_RUNS, sizeof *runs, compare_runs);

    median = &runs[CLS_N_RUNS / 2];

    printf("classifier: %zu rules, %zu subtables (inserted in %.1f ms); "
           "%.2f M lookups per CPU second (%.0f ns each, median of %d), "
           "%.2f subtables probed per lookup, %.1f%% hit\n",
           n_rules, table.n_subtables, build_ms, median->lookups_per_s / 1e6,
           1e9 / median->lookups_per_s, CLS_N_RUNS, median->probes_per_lookup,
           median->hit_pct);
    printf("classifier_lookups_per_s\t%.0f\nclassifier_probes_per_lookup\t%.3f\n",
           median->lookups_per_s, median->probes_per_lookup);

    oftable_destroy(&table);
    free(rules);
    free(packets);
    return 0;
}
