/* mac-learning: see mac-learning.h. Entries sit in a hash map for lookup
 * and in a doubly linked list ordered by when they were last seen, so that
 * both aging and eviction take the oldest end. */
#include "mac-learning.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "hash.h"
#include "util.h"

void
mac_table_init(struct mac_table *table)
{
    memset(table, 0, sizeof *table);
    hmap_init(&table->entries);
    table->aging_seconds = MAC_DEFAULT_AGING_SECONDS;
    table->max_entries = MAC_DEFAULT_MAX_ENTRIES;
    if (getrandom(&table->basis, sizeof table->basis, GRND_NONBLOCK) != sizeof table->basis) {
        table->basis = (uint32_t) time_msec();
    }
}

static uint32_t
mac_hash(const struct mac_table *table, uint16_t vlan, const uint8_t mac[6])
{
    uint64_t word = (uint64_t) vlan << 48;

    for (int i = 0; i < 6; i++) {
        word |= (uint64_t) mac[i] << (8 * i);
    }
    return hash_finish(hash_add64(table->basis, word), 8);
}

static void
lru_unlink(struct mac_table *table, struct mac_entry *e)
{
    if (e->lru_prev) {
        e->lru_prev->lru_next = e->lru_next;
    } else {
        table->lru_oldest = e->lru_next;
    }
    if (e->lru_next) {
        e->lru_next->lru_prev = e->lru_prev;
    } else {
        table->lru_newest = e->lru_prev;
    }
    e->lru_prev = e->lru_next = NULL;
}

static void
lru_append(struct mac_table *table, struct mac_entry *e)
{
    e->lru_prev = table->lru_newest;
    e->lru_next = NULL;
    if (table->lru_newest) {
        table->lru_newest->lru_next = e;
    } else {
        table->lru_oldest = e;
    }
    table->lru_newest = e;
}

static void
remove_entry(struct mac_table *table, struct mac_entry *e,
             mac_removed_func *removed, void *aux)
{
    if (removed) {
        removed(e, aux);
    }
    lru_unlink(table, e);
    hmap_remove(&table->entries, &e->node);
    free(e);
}

void
mac_table_destroy(struct mac_table *table)
{
    if (table) {
        mac_table_flush(table, NULL, NULL);
        hmap_destroy(&table->entries);
    }
}

struct mac_entry *
mac_table_lookup(const struct mac_table *table, uint16_t vlan, const uint8_t mac[6])
{
    struct mac_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, node, mac_hash(table, vlan, mac), &table->entries) {
        if (e->vlan == vlan && !memcmp(e->mac, mac, 6)) {
            return e;
        }
    }
    return NULL;
}

enum mac_learn_result
mac_table_learn(struct mac_table *table, uint16_t vlan, const uint8_t mac[6],
                uint32_t port, long long now)
{
    struct mac_entry *e = mac_table_lookup(table, vlan, mac);
    enum mac_learn_result result;

    if (e) {
        result = e->port == port ? MAC_LEARN_REFRESHED : MAC_LEARN_MOVED;
        lru_unlink(table, e);
    } else {
        if (hmap_count(&table->entries) >= table->max_entries && table->lru_oldest) {
            remove_entry(table, table->lru_oldest, NULL, NULL);
            table->evictions++;
        }
        e = xzalloc(sizeof *e);
        e->vlan = vlan;
        memcpy(e->mac, mac, 6);
        hmap_insert(&table->entries, &e->node, mac_hash(table, vlan, mac));
        result = MAC_LEARN_NEW;
    }
    e->port = port;
    e->seen = now;
    lru_append(table, e);
    return result;
}

void
mac_table_expire(struct mac_table *table, long long now, mac_removed_func *removed,
                 void *aux)
{
    long long cutoff = now - (long long) table->aging_seconds * 1000;

    while (table->lru_oldest && table->lru_oldest->seen <= cutoff) {
        remove_entry(table, table->lru_oldest, removed, aux);
    }
}

void
mac_table_flush_port(struct mac_table *table, uint32_t port, mac_removed_func *removed,
                     void *aux)
{
    struct mac_entry *e, *next;

    for (e = table->lru_oldest; e; e = next) {
        next = e->lru_next;
        if (e->port == port) {
            remove_entry(table, e, removed, aux);
        }
    }
}

void
mac_table_flush(struct mac_table *table, mac_removed_func *removed, void *aux)
{
    while (table->lru_oldest) {
        remove_entry(table, table->lru_oldest, removed, aux);
    }
}
