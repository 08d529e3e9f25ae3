/* oftable: one OpenFlow flow table: rules with priorities over struct
 * of_fields, and the lookup the pipeline does per table.
 *
 * Rules with the same mask share a subtable (hash on the masked value);
 * subtables are probed in order of the highest priority they hold, and the
 * probe stops as soon as no remaining subtable can beat the best match so
 * far. Every subtable probed adds its mask to the caller's wildcard
 * record ('wc'): those are the bits the answer depended on, which become
 * the megaflow's mask in the datapath.
 *
 * The table owns its rules. Rules are never changed in place by the table
 * except their counters; flowd replaces a rule to change its actions. */
#ifndef FLOWD_OFTABLE_H
#define FLOWD_OFTABLE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofmatch.h"
#include "ofpact.h"

/* OpenFlow flow_mod flags (OFPFF_*), kept in ofrule.flags. */
#define OFRULE_SEND_FLOW_REM  0x0001
#define OFRULE_CHECK_OVERLAP  0x0002
#define OFRULE_RESET_COUNTS   0x0004
#define OFRULE_NO_PKT_COUNTS  0x0008
#define OFRULE_NO_BYT_COUNTS  0x0010

struct oftable_subtable;

struct ofrule {
    struct oftable_subtable *subtable; /* (table-private). */
    struct ofrule *next_same;       /* Same masked value, lower priority
                                     * (table-private). */
    uint64_t seqno;                 /* Insertion order, for ties between
                                     * subtables (table-private). */
    uint64_t match_map;             /* Bit w: word w of the match's mask
                                     * (as uint64_t words of of_fields) is
                                     * nonzero. */
    uint64_t cookie;
    struct ofpacts ofpacts;         /* Instructions. */
    long long created;              /* time_msec() when added. */
    long long modified;             /* time_msec() of the last modify. */
    long long used;                 /* time_msec() a packet last hit it. */
    uint64_t packet_count;
    uint64_t byte_count;
    uint32_t hash;                  /* Of the masked value, in its subtable
                                     * (table-private). */
    uint16_t priority;
    uint16_t idle_timeout;          /* Seconds; 0 = none. */
    uint16_t hard_timeout;          /* Seconds; 0 = none. */
    uint16_t flags;                 /* OFRULE_*. */
    uint16_t importance;            /* OpenFlow 1.4; kept, not used. */
    uint8_t table_id;
    /* The match, without its all-zero words: for each bit of 'match_map'
     * in ascending order, first every value word (already masked), then
     * every mask word. A rule's mask words are its subtable's, in the
     * subtable's order, so a lookup compares the values in place. A full
     * struct ofmatch is 560 bytes; a typical rule needs 64 to 96, which is
     * most of flowd's memory with 100,000 rules. The small members are
     * last, so that they pack (a rule with a four-word match is a
     * 192-byte allocation, not 208). */
    uint64_t match_words[];
};

_Static_assert(OF_FIELDS_U64S <= 64, "ofrule.match_map has a bit per of_fields word");

struct oftable {
    struct oftable_subtable **subtables; /* By max priority, highest first. */
    size_t n_subtables;
    size_t allocated;
    size_t n_rules;
    size_t n_timeouts;              /* Rules with an idle or hard timeout:
                                     * none, and expiry has nothing to walk. */
    uint32_t basis;                 /* Hash basis. */
    uint64_t next_seqno;            /* For ofrule.seqno. */
    uint64_t lookups, matches;      /* For table stats. */
    uint64_t probes;                /* Subtables probed by all lookups (so
                                     * probes / lookups is the cost). */
};

void oftable_init(struct oftable *);
void oftable_destroy(struct oftable *);     /* Frees every rule. */

/* A rule matching 'match' (its value is masked here), everything else
 * zero, ofpacts empty. The match cannot change afterwards: replace the
 * rule instead. */
struct ofrule *ofrule_create(const struct ofmatch *match);
void ofrule_destroy(struct ofrule *);       /* NULL-safe; rule not in a table. */

/* The rule's match, expanded. */
void ofrule_get_match(const struct ofrule *, struct ofmatch *);
/* Whether the rule matches every packet (an all-zero mask). */
bool ofrule_is_catchall(const struct ofrule *);

/* The highest-priority rule matching 'fields' (ties: the one added first),
 * or NULL. ORs into 'wc' (which may be NULL) the mask of every subtable it
 * probed. Counts the lookup in the table stats; does not touch rule
 * counters. */
struct ofrule *oftable_lookup(struct oftable *, const struct of_fields *fields,
                              struct of_fields *wc);

/* Inserts 'rule' (taking ownership). A rule with an identical match and
 * priority is replaced and returned in '*replaced' (the caller frees it or
 * keeps its counters); with 'check_overlap', a rule of the same priority
 * that some packet could match together with 'rule' makes this fail with
 * EEXIST and nothing changes (the caller still owns 'rule'). */
int oftable_insert(struct oftable *, struct ofrule *rule, bool check_overlap,
                   struct ofrule **replaced);

/* Unlinks 'rule' (the caller then owns it). */
void oftable_remove(struct oftable *, struct ofrule *);

/* Rules for modify/delete/stats, as OpenFlow selects them:
 *   strict:     same match and priority;
 *   non-strict: match is a subset of 'match' (priority ignored);
 * and in both cases (cookie & cookie_mask) == (rule cookie & cookie_mask),
 * and, unless out_port is OFPP13_ANY, an action that outputs to out_port.
 * Appends matching rules to '*rules' (x2nrealloc'd, '*n' updated). */
void oftable_select(const struct oftable *, const struct ofmatch *match, uint16_t priority,
                    bool strict, uint64_t cookie, uint64_t cookie_mask, uint32_t out_port,
                    struct ofrule ***rules, size_t *n, size_t *allocated);

/* Calls 'visit' for each rule (in no particular order); 'visit' must not
 * change the table. */
void oftable_for_each(const struct oftable *, void (*visit)(struct ofrule *, void *aux),
                      void *aux);

/* Appends rules whose idle or hard timeout has passed at 'now' (msec). */
void oftable_expired(const struct oftable *, long long now, struct ofrule ***rules,
                     size_t *n, size_t *allocated);

#endif
