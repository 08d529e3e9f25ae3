/* dpflow: megaflow table and exact-match cache. See dpflow.h. */
#include "dpflow.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "hash.h"
#include "util.h"

static const uint64_t *
key_words(const struct flowkey *key)
{
    return (const uint64_t *) (const void *) key;
}

void
dpflow_table_init(struct dpflow_table *table)
{
    memset(table, 0, sizeof *table);
    if (getrandom(&table->basis, sizeof table->basis, GRND_NONBLOCK) != sizeof table->basis) {
        table->basis = (uint32_t) time_msec();
    }
    table->emc = xcalloc(DPFLOW_EMC_SIZE, sizeof *table->emc);
}

static void
dpflow_free(struct dpflow *flow)
{
    dp_actions_uninit(&flow->actions);
    free(flow->rules);
    free(flow);
}

static void
notify_removal(struct dpflow_table *table, struct dpflow *flow)
{
    if (table->on_remove) {
        table->on_remove(flow, table->on_remove_aux);
    }
}

static void
subtable_destroy(struct dpflow_subtable *subtable)
{
    struct dpflow *flow;

    HMAP_FOR_EACH_SAFE (flow, node, &subtable->flows) {
        hmap_remove(&subtable->flows, &flow->node);
        dpflow_free(flow);
    }
    hmap_destroy(&subtable->flows);
    free(subtable);
}

void
dpflow_table_destroy(struct dpflow_table *table)
{
    if (!table) {
        return;
    }
    for (size_t i = 0; i < table->n_subtables; i++) {
        subtable_destroy(table->subtables[i]);
    }
    free(table->subtables);
    free(table->emc);
    memset(table, 0, sizeof *table);
}

static uint32_t
subtable_hash(const struct dpflow_subtable *subtable, const struct flowkey *key,
              uint32_t basis)
{
    const uint64_t *k = key_words(key), *m = key_words(&subtable->mask);
    uint32_t hash = basis;

    for (unsigned int i = 0; i < subtable->n_words; i++) {
        unsigned int w = subtable->words[i];

        hash = hash_add64(hash, k[w] & m[w]);
    }
    return hash_finish(hash, subtable->n_words);
}

static bool
subtable_match(const struct dpflow_subtable *subtable, const struct dpflow *flow,
               const struct flowkey *key)
{
    const uint64_t *k = key_words(key), *m = key_words(&subtable->mask);
    const uint64_t *f = key_words(&flow->key);

    for (unsigned int i = 0; i < subtable->n_words; i++) {
        unsigned int w = subtable->words[i];

        if ((k[w] & m[w]) != f[w]) {
            return false;
        }
    }
    return true;
}

static struct dpflow *
subtable_lookup(const struct dpflow_subtable *subtable, const struct flowkey *key,
                uint32_t basis)
{
    uint32_t hash = subtable_hash(subtable, key, basis);
    struct dpflow *flow;

    HMAP_FOR_EACH_WITH_HASH (flow, node, hash, &subtable->flows) {
        if (subtable_match(subtable, flow, key)) {
            return flow;
        }
    }
    return NULL;
}

static struct dpflow *
megaflow_lookup(struct dpflow_table *table, const struct flowkey *key)
{
    for (size_t i = 0; i < table->n_subtables; i++) {
        struct dpflow_subtable *subtable = table->subtables[i];
        struct dpflow *flow = subtable_lookup(subtable, key, table->basis);

        if (flow) {
            subtable->hits++;
            return flow;
        }
    }
    return NULL;
}

static struct dpflow_emc_entry *
emc_entry(struct dpflow_table *table, const struct flowkey *key)
{
    uint32_t hash = flowkey_hash(key, table->basis);

    return &table->emc[hash & (DPFLOW_EMC_SIZE - 1)];
}

struct dpflow *
dpflow_lookup(struct dpflow_table *table, const struct flowkey *key)
{
    struct dpflow_emc_entry *entry = emc_entry(table, key);
    struct dpflow *flow;

    table->lookups++;
    if (entry->flow && !memcmp(&entry->key, key, sizeof *key)) {
        table->emc_hits++;
        return entry->flow;
    }
    flow = megaflow_lookup(table, key);
    if (flow) {
        table->megaflow_hits++;
        entry->flow = flow;
        entry->key = *key;
    } else {
        table->misses++;
    }
    return flow;
}

static struct dpflow_subtable *
find_subtable(const struct dpflow_table *table, const struct flowkey *mask)
{
    for (size_t i = 0; i < table->n_subtables; i++) {
        if (!memcmp(&table->subtables[i]->mask, mask, sizeof *mask)) {
            return table->subtables[i];
        }
    }
    return NULL;
}

static struct dpflow_subtable *
create_subtable(struct dpflow_table *table, const struct flowkey *mask)
{
    struct dpflow_subtable *subtable = xzalloc(sizeof *subtable);
    const uint64_t *m = key_words(mask);

    subtable->mask = *mask;
    for (unsigned int w = 0; w < FLOWKEY_U64S; w++) {
        if (m[w]) {
            subtable->words[subtable->n_words++] = w;
        }
    }
    hmap_init(&subtable->flows);
    table->subtables = x2nrealloc(table->subtables, &table->allocated_subtables,
                                  table->n_subtables + 1, sizeof *table->subtables);
    table->subtables[table->n_subtables++] = subtable;
    return subtable;
}

static bool
flows_overlap(const struct dpflow *flow, const struct flowkey *key,
              const struct flowkey *mask)
{
    const uint64_t *fk = key_words(&flow->key), *fm = key_words(dpflow_mask(flow));
    const uint64_t *k = key_words(key), *m = key_words(mask);

    for (unsigned int w = 0; w < FLOWKEY_U64S; w++) {
        if ((fk[w] ^ k[w]) & fm[w] & m[w]) {
            return false;
        }
    }
    return true;
}

struct dpflow *
dpflow_find_overlap(const struct dpflow_table *table, const struct flowkey *key,
                    const struct flowkey *mask)
{
    for (size_t i = 0; i < table->n_subtables; i++) {
        struct dpflow *flow;

        HMAP_FOR_EACH (flow, node, &table->subtables[i]->flows) {
            if (flows_overlap(flow, key, mask)) {
                return flow;
            }
        }
    }
    return NULL;
}

struct dpflow *
dpflow_find_exact(struct dpflow_table *table, const struct flowkey *key,
                  const struct flowkey *mask_)
{
    struct flowkey mask = *mask_;
    struct dpflow_subtable *subtable;

    flowkey_mask_canonicalize(key, &mask);
    subtable = find_subtable(table, &mask);

    return subtable ? subtable_lookup(subtable, key, table->basis) : NULL;
}

struct dpflow *
dpflow_install(struct dpflow_table *table, const struct flowkey *key,
               const struct flowkey *mask_, const void *actions, size_t actions_size,
               struct dpflow **existing)
{
    struct dpflow_subtable *subtable;
    struct flowkey mask = *mask_;
    struct dpflow *flow;

    *existing = megaflow_lookup(table, key);
    if (*existing) {
        return NULL;
    }
    flowkey_mask_canonicalize(key, &mask);
    subtable = find_subtable(table, &mask);
    if (!subtable) {
        subtable = create_subtable(table, &mask);
    }
    flow = xzalloc(sizeof *flow);
    flow->subtable = subtable;
    flowkey_apply_mask(&flow->key, key, &mask);
    dp_actions_copy(&flow->actions, actions, actions_size);
    flow->created = time_msec();
    hmap_insert(&subtable->flows, &flow->node,
                subtable_hash(subtable, &flow->key, table->basis));
    table->n_flows++;
    return flow;
}

static void
remove_subtable_if_empty(struct dpflow_table *table, struct dpflow_subtable *subtable)
{
    if (!hmap_is_empty(&subtable->flows)) {
        return;
    }
    for (size_t i = 0; i < table->n_subtables; i++) {
        if (table->subtables[i] == subtable) {
            memmove(&table->subtables[i], &table->subtables[i + 1],
                    (table->n_subtables - i - 1) * sizeof *table->subtables);
            table->n_subtables--;
            break;
        }
    }
    subtable_destroy(subtable);
}

static void
remove_empty_subtables(struct dpflow_table *table)
{
    size_t n = 0;

    for (size_t i = 0; i < table->n_subtables; i++) {
        struct dpflow_subtable *subtable = table->subtables[i];

        if (hmap_is_empty(&subtable->flows)) {
            subtable_destroy(subtable);
        } else {
            table->subtables[n++] = subtable;
        }
    }
    table->n_subtables = n;
}

/* Unlinks 'flow' from its subtable without freeing it. */
static void
unlink_flow(struct dpflow_table *table, struct dpflow *flow)
{
    hmap_remove(&flow->subtable->flows, &flow->node);
    table->n_flows--;
}

void
dpflow_remove(struct dpflow_table *table, struct dpflow *flow)
{
    struct dpflow_subtable *subtable = flow->subtable;

    for (size_t i = 0; i < DPFLOW_EMC_SIZE; i++) {
        if (table->emc[i].flow == flow) {
            table->emc[i].flow = NULL;
        }
    }
    unlink_flow(table, flow);
    notify_removal(table, flow);
    dpflow_free(flow);
    remove_subtable_if_empty(table, subtable);
}

size_t
dpflow_sweep(struct dpflow_table *table, bool (*visit)(struct dpflow *, void *aux),
             void *aux)
{
    struct dpflow **doomed = NULL;
    size_t n_doomed = 0, allocated = 0;

    for (size_t i = 0; i < table->n_subtables; i++) {
        struct dpflow *flow;

        HMAP_FOR_EACH (flow, node, &table->subtables[i]->flows) {
            if (visit(flow, aux)) {
                doomed = x2nrealloc(doomed, &allocated, n_doomed + 1, sizeof *doomed);
                doomed[n_doomed++] = flow;
            }
        }
    }
    if (!n_doomed) {
        return 0;
    }
    /* Flows are unlinked first and freed after the cache sweep, so the
     * sweep can recognise them (used == -1, which no live flow has). */
    for (size_t i = 0; i < n_doomed; i++) {
        unlink_flow(table, doomed[i]);
        notify_removal(table, doomed[i]);
        doomed[i]->node.next = NULL;
        doomed[i]->learn.valid = false;
        doomed[i]->used = -1;
    }
    for (size_t i = 0; i < DPFLOW_EMC_SIZE; i++) {
        if (table->emc[i].flow && table->emc[i].flow->used == -1) {
            table->emc[i].flow = NULL;
        }
    }
    for (size_t i = 0; i < n_doomed; i++) {
        dpflow_free(doomed[i]);
    }
    free(doomed);
    remove_empty_subtables(table);
    return n_doomed;
}

/* dpflow_remove_if()'s predicate, for dpflow_sweep(). */
struct remove_if_aux {
    bool (*should_remove)(const struct dpflow *, void *aux);
    void *aux;
};

static bool
remove_if_visit(struct dpflow *flow, void *aux_)
{
    const struct remove_if_aux *aux = aux_;

    return aux->should_remove(flow, aux->aux);
}

size_t
dpflow_remove_if(struct dpflow_table *table,
                 bool (*should_remove)(const struct dpflow *, void *aux), void *aux)
{
    struct remove_if_aux a = { should_remove, aux };

    return dpflow_sweep(table, remove_if_visit, &a);
}

static bool
remove_all(const struct dpflow *flow, void *aux)
{
    return true;
}

void
dpflow_flush(struct dpflow_table *table)
{
    /* dpflow_remove_if() clears the cache entries of what it removes: no
     * need to wipe the whole cache, which every flow_mod would pay for. */
    dpflow_remove_if(table, remove_all, NULL);
}

void
dpflow_for_each(const struct dpflow_table *table,
                void (*visit)(const struct dpflow *, void *aux), void *aux)
{
    for (size_t i = 0; i < table->n_subtables; i++) {
        struct dpflow *flow;

        HMAP_FOR_EACH (flow, node, &table->subtables[i]->flows) {
            visit(flow, aux);
        }
    }
}

static int
compare_subtable_hits(const void *a_, const void *b_)
{
    const struct dpflow_subtable *a = *(struct dpflow_subtable *const *) a_;
    const struct dpflow_subtable *b = *(struct dpflow_subtable *const *) b_;

    return a->hits > b->hits ? -1 : a->hits < b->hits;
}

void
dpflow_rank_subtables(struct dpflow_table *table)
{
    if (table->n_subtables < 2) {
        return;
    }
    qsort(table->subtables, table->n_subtables, sizeof *table->subtables,
          compare_subtable_hits);
    for (size_t i = 0; i < table->n_subtables; i++) {
        table->subtables[i]->hits /= 2;
    }
}
