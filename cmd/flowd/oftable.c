/* oftable: one OpenFlow flow table as a tuple space search. See oftable.h.
 *
 * Like dpflow.c's megaflow table, rules that share a mask share a subtable,
 * a hash table on the masked value hashed over the mask's nonzero words
 * only (here open addressing, with the hash beside each pointer, so that a
 * probe that misses touches no rule). Unlike the datapath, OpenFlow rules
 * overlap and carry priorities, so:
 *
 *   - one hash entry is a list (ofrule.next_same) of every rule with that
 *     masked value, highest priority first; only the head has a slot,
 *     since it is the one a lookup wants (ofrule.hash keeps the rule's
 *     hash);
 *   - each subtable counts its rules per priority (a small sorted array),
 *     so that its highest priority stays exact through removals;
 *   - the table keeps subtables sorted by that highest priority, so a
 *     lookup stops at the first subtable that cannot beat its best match;
 *   - ties between subtables go to the rule inserted first (ofrule.seqno;
 *     a replacement inherits the seqno of the rule it replaces, so
 *     replacing a rule's actions never changes which rule wins).
 *
 * The lookup ORs the mask of every subtable it probes into 'wc'. A probe
 * hits or misses on the masked bits alone, and a subtable is skipped only
 * because of the priority of what earlier probes found, so those masks are
 * all the answer depended on: flowd installs them as the megaflow's mask. */
#include "oftable.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "hash.h"
#include "util.h"

/* How many rules of a subtable have one priority. */
struct oftable_prio {
    uint16_t priority;
    uint32_t n_rules;
};

/* A slot of a subtable's hash index. The hash sits next to the pointer so
 * that a probe that misses reads the index only, never a rule: chaining
 * through the rules themselves (hmap) cost a cache miss per chained rule,
 * half the lookup time with 10,000 rules. */
struct oftable_slot {
    uint32_t hash;                  /* head->hash. */
    struct ofrule *head;            /* Highest rule of one value; NULL: free. */
};

struct oftable_subtable {
    uint16_t max_priority;          /* Highest priority of any rule here. */
    unsigned int n_words;           /* Nonzero words of 'mask'. */
    uint8_t words[OF_FIELDS_U64S];  /* Their indexes, ascending. */
    uint64_t mask_words[OF_FIELDS_U64S]; /* Their values, same order. */
    struct oftable_slot *slots;     /* Open addressing, linear probing, at
                                     * most half full. */
    size_t slot_mask;               /* Number of slots - 1 (power of 2). */
    size_t n_heads;                 /* Used slots (distinct values). */
    size_t n_rules;                 /* Rules here, list members included. */
    struct oftable_prio *prios;     /* Rule count per priority, ascending. */
    size_t n_prios;
    size_t allocated_prios;
    struct of_fields mask;          /* The mask every rule here has. */
};

static const uint64_t *
fields_words(const struct of_fields *fields)
{
    return (const uint64_t *) (const void *) fields;
}

static uint64_t *
fields_words_rw(struct of_fields *fields)
{
    return (uint64_t *) (void *) fields;
}

void
oftable_init(struct oftable *table)
{
    memset(table, 0, sizeof *table);
    if (getrandom(&table->basis, sizeof table->basis, GRND_NONBLOCK)
        != sizeof table->basis) {
        table->basis = (uint32_t) time_msec();
    }
}

struct ofrule *
ofrule_create(const struct ofmatch *match)
{
    const uint64_t *v = fields_words(&match->value), *m = fields_words(&match->mask);
    unsigned int n = 0, i = 0;
    struct ofrule *rule;
    uint64_t map = 0;

    for (unsigned int w = 0; w < OF_FIELDS_U64S; w++) {
        if (m[w]) {
            map |= UINT64_C(1) << w;
            n++;
        }
    }
    rule = xzalloc(sizeof *rule + 2 * n * sizeof rule->match_words[0]);
    rule->match_map = map;
    for (unsigned int w = 0; w < OF_FIELDS_U64S; w++) {
        if (m[w]) {
            rule->match_words[i] = v[w] & m[w];
            rule->match_words[n + i] = m[w];
            i++;
        }
    }
    ofpacts_init(&rule->ofpacts);
    return rule;
}

static unsigned int
ofrule_n_words(const struct ofrule *rule)
{
    return (unsigned int) __builtin_popcountll(rule->match_map);
}

void
ofrule_get_match(const struct ofrule *rule, struct ofmatch *match)
{
    uint64_t *v = fields_words_rw(&match->value), *m = fields_words_rw(&match->mask);
    unsigned int n = ofrule_n_words(rule), i = 0;

    memset(match, 0, sizeof *match);
    for (unsigned int w = 0; w < OF_FIELDS_U64S; w++) {
        if (rule->match_map & (UINT64_C(1) << w)) {
            v[w] = rule->match_words[i];
            m[w] = rule->match_words[n + i];
            i++;
        }
    }
}

bool
ofrule_is_catchall(const struct ofrule *rule)
{
    return !rule->match_map;
}

void
ofrule_destroy(struct ofrule *rule)
{
    if (rule) {
        ofpacts_uninit(&rule->ofpacts);
        free(rule);
    }
}

/* ---- subtables ---------------------------------------------------------- */

static struct oftable_subtable *
subtable_create(const struct of_fields *mask)
{
    struct oftable_subtable *st = xzalloc(sizeof *st);
    const uint64_t *m = fields_words(mask);

    st->mask = *mask;
    for (unsigned int w = 0; w < OF_FIELDS_U64S; w++) {
        if (m[w]) {
            st->words[st->n_words] = w;
            st->mask_words[st->n_words++] = m[w];
        }
    }
    st->slot_mask = 7;
    st->slots = xcalloc(st->slot_mask + 1, sizeof *st->slots);
    return st;
}

/* Frees 'st' and, with 'free_rules', every rule in it. */
static void
subtable_destroy(struct oftable_subtable *st, bool free_rules)
{
    for (size_t i = 0; free_rules && i <= st->slot_mask; i++) {
        for (struct ofrule *rule = st->slots[i].head, *next; rule; rule = next) {
            next = rule->next_same;
            ofrule_destroy(rule);
        }
    }
    free(st->slots);
    free(st->prios);
    free(st);
}

/* Hash of a packet's fields under the subtable's mask. */
static uint32_t
subtable_hash_fields(const struct oftable_subtable *st, const struct of_fields *fields,
                     uint32_t basis)
{
    const uint64_t *f = fields_words(fields);
    uint32_t hash = basis;

    for (unsigned int i = 0; i < st->n_words; i++) {
        hash = hash_add64(hash, f[st->words[i]] & st->mask_words[i]);
    }
    return hash_finish(hash, st->n_words);
}

/* True if 'fields' under the subtable's mask equal 'rule''s (masked)
 * value. */
static bool
subtable_rule_matches(const struct oftable_subtable *st, const struct ofrule *rule,
                      const struct of_fields *fields)
{
    const uint64_t *f = fields_words(fields);

    /* The rule's words are the subtable's, in the same order. */
    for (unsigned int i = 0; i < st->n_words; i++) {
        if ((f[st->words[i]] & st->mask_words[i]) != rule->match_words[i]) {
            return false;
        }
    }
    return true;
}

/* The same test against another rule's (masked) value, which has exactly
 * the subtable's words when it has the subtable's mask. */
static bool
subtable_rules_equal(const struct oftable_subtable *st, const struct ofrule *a,
                     const struct ofrule *b)
{
    return !memcmp(a->match_words, b->match_words, st->n_words * sizeof a->match_words[0]);
}

/* The slot of the list of rules whose masked value equals 'fields' under
 * the subtable's mask (whose hash is 'hash'), or SIZE_MAX. Rule values are
 * already masked, so hashing a rule's value hashes the same words as
 * hashing a matching packet. */
static size_t
subtable_find_slot(const struct oftable_subtable *st, const struct of_fields *fields,
                   uint32_t hash)
{
    for (size_t i = hash & st->slot_mask; st->slots[i].head; i = (i + 1) & st->slot_mask) {
        if (st->slots[i].hash == hash
            && subtable_rule_matches(st, st->slots[i].head, fields)) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* The slot of the list of rules with the value of 'rule' (which has the
 * subtable's mask), or SIZE_MAX. */
static size_t
subtable_find_rule_slot(const struct oftable_subtable *st, const struct ofrule *rule,
                        uint32_t hash)
{
    for (size_t i = hash & st->slot_mask; st->slots[i].head; i = (i + 1) & st->slot_mask) {
        if (st->slots[i].hash == hash && subtable_rules_equal(st, st->slots[i].head, rule)) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* The hash of a rule's value: the one subtable_hash_fields() gives a
 * packet that matches it. */
static uint32_t
subtable_hash_rule(const struct oftable_subtable *st, const struct ofrule *rule,
                   uint32_t basis)
{
    uint32_t hash = basis;

    for (unsigned int i = 0; i < st->n_words; i++) {
        hash = hash_add64(hash, rule->match_words[i]);
    }
    return hash_finish(hash, st->n_words);
}

/* The head of the list of rules whose masked value equals 'fields', or
 * NULL. */
static struct ofrule *
subtable_find_head(const struct oftable_subtable *st, const struct of_fields *fields,
                   uint32_t basis)
{
    size_t i = subtable_find_slot(st, fields, subtable_hash_fields(st, fields, basis));

    return i != SIZE_MAX ? st->slots[i].head : NULL;
}

/* Puts 'head' (a value not in the index yet) in a free slot. */
static void
subtable_slot_put(struct oftable_slot *slots, size_t slot_mask, struct ofrule *head)
{
    size_t i = head->hash & slot_mask;

    while (slots[i].head) {
        i = (i + 1) & slot_mask;
    }
    slots[i].hash = head->hash;
    slots[i].head = head;
}

/* Adds a slot for 'head', doubling the index first if it would pass half
 * full (linear probing stays short below that). */
static void
subtable_add_head(struct oftable_subtable *st, struct ofrule *head)
{
    if ((st->n_heads + 1) * 2 > st->slot_mask + 1) {
        size_t slot_mask = st->slot_mask * 2 + 1;
        struct oftable_slot *slots = xcalloc(slot_mask + 1, sizeof *slots);

        for (size_t i = 0; i <= st->slot_mask; i++) {
            if (st->slots[i].head) {
                subtable_slot_put(slots, slot_mask, st->slots[i].head);
            }
        }
        free(st->slots);
        st->slots = slots;
        st->slot_mask = slot_mask;
    }
    subtable_slot_put(st->slots, st->slot_mask, head);
    st->n_heads++;
}

/* Frees slot 'i' and moves later slots of its probe run back, so that no
 * lookup stops early at the hole (no tombstones to clean up later). */
static void
subtable_delete_slot(struct oftable_subtable *st, size_t i)
{
    size_t j = i;

    st->n_heads--;
    for (;;) {
        st->slots[i].head = NULL;
        for (;;) {
            size_t home;

            j = (j + 1) & st->slot_mask;
            if (!st->slots[j].head) {
                return;
            }
            home = st->slots[j].hash & st->slot_mask;
            /* The entry at 'j' may move to 'i' unless its home slot lies
             * cyclically in (i, j]. */
            if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
                break;
            }
        }
        st->slots[i] = st->slots[j];
        i = j;
    }
}

static void
subtable_unwildcard(const struct oftable_subtable *st, struct of_fields *wc)
{
    uint64_t *w = fields_words_rw(wc);

    for (unsigned int i = 0; i < st->n_words; i++) {
        w[st->words[i]] |= st->mask_words[i];
    }
}

/* Index in st->prios of 'priority', or where it would go. */
static size_t
subtable_prio_index(const struct oftable_subtable *st, uint16_t priority)
{
    size_t lo = 0, hi = st->n_prios;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (st->prios[mid].priority < priority) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static bool
subtable_has_priority(const struct oftable_subtable *st, uint16_t priority)
{
    size_t i = subtable_prio_index(st, priority);

    return i < st->n_prios && st->prios[i].priority == priority;
}

static void
subtable_count_rule(struct oftable_subtable *st, uint16_t priority)
{
    size_t i = subtable_prio_index(st, priority);

    if (i >= st->n_prios || st->prios[i].priority != priority) {
        st->prios = x2nrealloc(st->prios, &st->allocated_prios, st->n_prios + 1,
                               sizeof *st->prios);
        memmove(&st->prios[i + 1], &st->prios[i], (st->n_prios - i) * sizeof *st->prios);
        st->prios[i].priority = priority;
        st->prios[i].n_rules = 0;
        st->n_prios++;
    }
    st->prios[i].n_rules++;
    st->n_rules++;
    st->max_priority = st->prios[st->n_prios - 1].priority;
}

static void
subtable_uncount_rule(struct oftable_subtable *st, uint16_t priority)
{
    size_t i = subtable_prio_index(st, priority);

    if (--st->prios[i].n_rules == 0) {
        memmove(&st->prios[i], &st->prios[i + 1],
                (st->n_prios - i - 1) * sizeof *st->prios);
        st->n_prios--;
    }
    st->n_rules--;
    st->max_priority = st->n_prios ? st->prios[st->n_prios - 1].priority : 0;
}

/* ---- the table's subtable array ------------------------------------------ */

static size_t
table_subtable_index(const struct oftable *table, const struct oftable_subtable *st)
{
    for (size_t i = 0; i < table->n_subtables; i++) {
        if (table->subtables[i] == st) {
            return i;
        }
    }
    return SIZE_MAX;
}

static struct oftable_subtable *
table_find_subtable(const struct oftable *table, const struct of_fields *mask)
{
    for (size_t i = 0; i < table->n_subtables; i++) {
        if (!memcmp(&table->subtables[i]->mask, mask, sizeof *mask)) {
            return table->subtables[i];
        }
    }
    return NULL;
}

/* The subtable with the mask of 'rule', found on the rule's stored words
 * (expanding its match to compare whole masks cost more than the rest of
 * an insertion), or NULL. */
static struct oftable_subtable *
table_find_rule_subtable(const struct oftable *table, const struct ofrule *rule)
{
    uint8_t words[OF_FIELDS_U64S];
    unsigned int n = 0;

    for (uint64_t map = rule->match_map; map; map &= map - 1) {
        words[n++] = __builtin_ctzll(map);
    }
    for (size_t i = 0; i < table->n_subtables; i++) {
        struct oftable_subtable *st = table->subtables[i];

        if (st->n_words == n && !memcmp(st->words, words, n)
            && !memcmp(st->mask_words, &rule->match_words[n], n * sizeof *st->mask_words)) {
            return st;
        }
    }
    return NULL;
}

/* Moves the subtable at 'i', whose max_priority changed, to where the
 * order by max_priority (highest first) wants it. */
static void
table_resort_subtable(struct oftable *table, size_t i)
{
    struct oftable_subtable **sts = table->subtables;
    struct oftable_subtable *st = sts[i];

    while (i > 0 && sts[i - 1]->max_priority < st->max_priority) {
        sts[i] = sts[i - 1];
        i--;
    }
    while (i + 1 < table->n_subtables && sts[i + 1]->max_priority > st->max_priority) {
        sts[i] = sts[i + 1];
        i++;
    }
    sts[i] = st;
}

static struct oftable_subtable *
table_add_subtable(struct oftable *table, const struct of_fields *mask)
{
    struct oftable_subtable *st = subtable_create(mask);

    table->subtables = x2nrealloc(table->subtables, &table->allocated,
                                  table->n_subtables + 1, sizeof *table->subtables);
    table->subtables[table->n_subtables++] = st;
    return st;
}

static void
table_remove_subtable(struct oftable *table, struct oftable_subtable *st)
{
    size_t i = table_subtable_index(table, st);

    memmove(&table->subtables[i], &table->subtables[i + 1],
            (table->n_subtables - i - 1) * sizeof *table->subtables);
    table->n_subtables--;
    subtable_destroy(st, false);
}

void
oftable_destroy(struct oftable *table)
{
    if (!table) {
        return;
    }
    for (size_t i = 0; i < table->n_subtables; i++) {
        subtable_destroy(table->subtables[i], true);
    }
    free(table->subtables);
    memset(table, 0, sizeof *table);
}

/* ---- lookup -------------------------------------------------------------- */

/* Does 'rule' win over 'best' (NULL: nothing yet)? */
static bool
ofrule_beats(const struct ofrule *rule, const struct ofrule *best)
{
    return (!best
            || rule->priority > best->priority
            || (rule->priority == best->priority && rule->seqno < best->seqno));
}

struct ofrule *
oftable_lookup(struct oftable *table, const struct of_fields *fields, struct of_fields *wc)
{
    struct ofrule *best = NULL;
    size_t i;

    table->lookups++;
    for (i = 0; i < table->n_subtables; i++) {
        const struct oftable_subtable *st = table->subtables[i];
        struct ofrule *head;

        /* Subtables come by max priority: none from here on can win, and
         * skipping them depends only on what the probed ones found. An
         * equal max priority must still be probed (an older rule wins). */
        if (best && st->max_priority < best->priority) {
            break;
        }
        if (wc) {
            subtable_unwildcard(st, wc);
        }
        head = subtable_find_head(st, fields, table->basis);
        if (head && ofrule_beats(head, best)) {
            best = head;
        }
    }
    table->probes += i;
    if (best) {
        table->matches++;
    }
    return best;
}

/* ---- insertion and removal ----------------------------------------------- */

/* The rule values must be masked (hashing and matching rely on it); the
 * header promises it, and masking again costs nothing. */
static void
match_canonicalize(struct ofmatch *match)
{
    uint64_t *v = fields_words_rw(&match->value);
    const uint64_t *m = fields_words(&match->mask);

    for (size_t i = 0; i < OF_FIELDS_U64S; i++) {
        v[i] &= m[i];
    }
}

static bool
table_has_overlap(const struct oftable *table, const struct ofrule *rule)
{
    struct ofmatch match, other;

    ofrule_get_match(rule, &match);
    for (size_t i = 0; i < table->n_subtables; i++) {
        const struct oftable_subtable *st = table->subtables[i];

        if (!subtable_has_priority(st, rule->priority)) {
            continue;
        }
        for (size_t s = 0; s <= st->slot_mask; s++) {
            for (const struct ofrule *r = st->slots[s].head; r; r = r->next_same) {
                if (r->priority != rule->priority) {
                    continue;
                }
                ofrule_get_match(r, &other);
                if (ofmatch_overlaps(&other, &match)) {
                    return true;
                }
            }
        }
    }
    return false;
}

/* Links 'rule' into the subtable's list for its value; returns the rule it
 * replaced (same priority) or NULL. A replacement takes the old rule's
 * place and insertion order. */
static struct ofrule *
subtable_insert_rule(struct oftable_subtable *st, struct ofrule *rule, uint32_t basis)
{
    uint32_t hash = subtable_hash_rule(st, rule, basis);
    size_t slot = subtable_find_rule_slot(st, rule, hash);
    struct ofrule **pp, *cur;

    rule->subtable = st;
    rule->hash = hash;
    if (slot == SIZE_MAX) {
        rule->next_same = NULL;
        subtable_add_head(st, rule);
        return NULL;
    }
    /* Walk to the first rule not above 'rule' ('pp' links to it), so that
     * the slot's head is replaced the same way as a list member. */
    for (pp = &st->slots[slot].head; (cur = *pp) && cur->priority > rule->priority;
         pp = &cur->next_same) {
        continue;
    }
    if (cur && cur->priority == rule->priority) {
        rule->next_same = cur->next_same;
        rule->seqno = cur->seqno;
        cur->next_same = NULL;
        cur->subtable = NULL;
        *pp = rule;
        return cur;
    }
    rule->next_same = cur;
    *pp = rule;
    return NULL;
}

static bool
ofrule_has_timeout(const struct ofrule *rule)
{
    return rule->idle_timeout || rule->hard_timeout;
}

int
oftable_insert(struct oftable *table, struct ofrule *rule, bool check_overlap,
               struct ofrule **replaced)
{
    struct oftable_subtable *st;
    struct ofrule *old;

    if (check_overlap && table_has_overlap(table, rule)) {
        return EEXIST;
    }
    st = table_find_rule_subtable(table, rule);
    if (!st) {
        struct ofmatch match;

        ofrule_get_match(rule, &match);
        st = table_add_subtable(table, &match.mask);
    }
    rule->seqno = table->next_seqno++;
    old = subtable_insert_rule(st, rule, table->basis);
    table->n_timeouts += ofrule_has_timeout(rule);
    if (old) {
        table->n_timeouts -= ofrule_has_timeout(old);
    } else {
        subtable_count_rule(st, rule->priority);
        table->n_rules++;
        table_resort_subtable(table, table_subtable_index(table, st));
    }
    if (replaced) {
        *replaced = old;
    } else {
        ofrule_destroy(old);
    }
    return 0;
}

void
oftable_remove(struct oftable *table, struct ofrule *rule)
{
    struct oftable_subtable *st = rule->subtable;
    struct ofrule **pp;
    size_t slot;

    if (!st) {
        return;
    }
    slot = subtable_find_rule_slot(st, rule, rule->hash);
    for (pp = &st->slots[slot].head; *pp != rule; pp = &(*pp)->next_same) {
        continue;
    }
    *pp = rule->next_same;
    if (!st->slots[slot].head) {
        subtable_delete_slot(st, slot);
    }
    rule->next_same = NULL;
    rule->subtable = NULL;
    table->n_rules--;
    table->n_timeouts -= ofrule_has_timeout(rule);
    subtable_uncount_rule(st, rule->priority);
    if (!st->n_rules) {
        table_remove_subtable(table, st);
    } else {
        table_resort_subtable(table, table_subtable_index(table, st));
    }
}

/* ---- selection, iteration, expiry ---------------------------------------- */

static void
rules_append(struct ofrule ***rules, size_t *n, size_t *allocated, struct ofrule *rule)
{
    *rules = x2nrealloc(*rules, allocated, *n + 1, sizeof **rules);
    (*rules)[(*n)++] = rule;
}

static bool
ofrule_passes_filters(const struct ofrule *rule, uint64_t cookie, uint64_t cookie_mask,
                      uint32_t out_port)
{
    return (((rule->cookie ^ cookie) & cookie_mask) == 0
            && (out_port == OFPP13_ANY || ofpacts_output_to(&rule->ofpacts, out_port)));
}

/* A rule can be a subset of 'match' only if it matches at least every bit
 * 'match' does, so subtables whose mask lacks some of them are skipped. */
static bool
subtable_mask_covers(const struct oftable_subtable *st, const struct of_fields *mask)
{
    const uint64_t *sm = fields_words(&st->mask), *m = fields_words(mask);

    for (size_t i = 0; i < OF_FIELDS_U64S; i++) {
        if (m[i] & ~sm[i]) {
            return false;
        }
    }
    return true;
}

/* ofmatch_is_subset(rule's match, 'match') for a rule of a subtable whose
 * mask covers 'match''s (subtable_mask_covers()), on the rule's stored
 * words: 'match' can only name bits among them, and its value is masked,
 * so only its value on those words needs checking. A dump or delete of
 * every rule thus costs no expansion of each rule's match. */
static bool
subtable_rule_within(const struct oftable_subtable *st, const struct ofrule *rule,
                     const struct ofmatch *match)
{
    const uint64_t *wv = fields_words(&match->value), *wm = fields_words(&match->mask);

    for (unsigned int i = 0; i < st->n_words; i++) {
        unsigned int w = st->words[i];

        if ((rule->match_words[i] & wm[w]) != wv[w]) {
            return false;
        }
    }
    return true;
}

static void
oftable_select_strict(const struct oftable *table, const struct ofmatch *match,
                      uint16_t priority, uint64_t cookie, uint64_t cookie_mask,
                      uint32_t out_port, struct ofrule ***rules, size_t *n, size_t *allocated)
{
    const struct oftable_subtable *st = table_find_subtable(table, &match->mask);
    struct ofrule *rule;

    if (!st) {
        return;
    }
    rule = subtable_find_head(st, &match->value, table->basis);
    for (; rule && rule->priority >= priority; rule = rule->next_same) {
        if (rule->priority == priority
            && ofrule_passes_filters(rule, cookie, cookie_mask, out_port)) {
            rules_append(rules, n, allocated, rule);
        }
    }
}

static void
oftable_select_loose(const struct oftable *table, const struct ofmatch *match,
                     uint64_t cookie, uint64_t cookie_mask, uint32_t out_port,
                     struct ofrule ***rules, size_t *n, size_t *allocated)
{
    for (size_t i = 0; i < table->n_subtables; i++) {
        const struct oftable_subtable *st = table->subtables[i];

        if (!subtable_mask_covers(st, &match->mask)) {
            continue;
        }
        for (size_t s = 0; s <= st->slot_mask; s++) {
            for (struct ofrule *rule = st->slots[s].head; rule; rule = rule->next_same) {
                if (subtable_rule_within(st, rule, match)
                    && ofrule_passes_filters(rule, cookie, cookie_mask, out_port)) {
                    rules_append(rules, n, allocated, rule);
                }
            }
        }
    }
}

void
oftable_select(const struct oftable *table, const struct ofmatch *match_, uint16_t priority,
               bool strict, uint64_t cookie, uint64_t cookie_mask, uint32_t out_port,
               struct ofrule ***rules, size_t *n, size_t *allocated)
{
    struct ofmatch match = *match_;

    match_canonicalize(&match);
    if (strict) {
        oftable_select_strict(table, &match, priority, cookie, cookie_mask, out_port,
                              rules, n, allocated);
    } else {
        oftable_select_loose(table, &match, cookie, cookie_mask, out_port,
                             rules, n, allocated);
    }
}

void
oftable_for_each(const struct oftable *table, void (*visit)(struct ofrule *, void *aux),
                 void *aux)
{
    for (size_t i = 0; i < table->n_subtables; i++) {
        const struct oftable_subtable *st = table->subtables[i];

        for (size_t s = 0; s <= st->slot_mask; s++) {
            for (struct ofrule *rule = st->slots[s].head, *next; rule; rule = next) {
                next = rule->next_same;
                visit(rule, aux);
            }
        }
    }
}

static bool
ofrule_is_expired(const struct ofrule *rule, long long now)
{
    /* 'used' is 0 until a packet hits, and never before 'created'. */
    long long idle_since = MAX(rule->used, rule->created);

    return ((rule->hard_timeout && now >= rule->created + rule->hard_timeout * 1000LL)
            || (rule->idle_timeout && now >= idle_since + rule->idle_timeout * 1000LL));
}

struct oftable_expiry {
    long long now;
    struct ofrule ***rules;
    size_t *n;
    size_t *allocated;
};

static void
collect_expired(struct ofrule *rule, void *expiry_)
{
    struct oftable_expiry *expiry = expiry_;

    if (ofrule_is_expired(rule, expiry->now)) {
        rules_append(expiry->rules, expiry->n, expiry->allocated, rule);
    }
}

void
oftable_expired(const struct oftable *table, long long now, struct ofrule ***rules,
                size_t *n, size_t *allocated)
{
    struct oftable_expiry expiry = { now, rules, n, allocated };

    if (table->n_timeouts) {
        oftable_for_each(table, collect_expired, &expiry);
    }
}
