/* mac-learning: the forwarding database of the NORMAL pipeline: which port
 * each (VLAN, MAC) was last seen on, with aging and a size limit (the least
 * recently seen entry makes room for a new one, so a flood of random source
 * MACs cannot grow it without bound). */
#ifndef FLOWD_MAC_LEARNING_H
#define FLOWD_MAC_LEARNING_H 1

#include <stdbool.h>
#include <stdint.h>

#include "hmap.h"

#define MAC_DEFAULT_AGING_SECONDS 300
#define MAC_DEFAULT_MAX_ENTRIES 8192

struct mac_entry {
    struct hmap_node node;          /* In mac_table->entries. */
    struct mac_entry *lru_prev;     /* Towards less recently seen. */
    struct mac_entry *lru_next;     /* Towards more recently seen. */
    uint16_t vlan;
    uint8_t mac[6];
    uint32_t port;                  /* Datapath port number. */
    long long seen;                 /* time_msec() when last seen. */
};

struct mac_table {
    struct hmap entries;
    struct mac_entry *lru_oldest;   /* Least recently seen. */
    struct mac_entry *lru_newest;   /* Most recently seen. */
    unsigned int aging_seconds;
    size_t max_entries;
    uint32_t basis;
    uint64_t evictions;             /* Entries dropped to make room. */
};

enum mac_learn_result {
    MAC_LEARN_REFRESHED,            /* Known on this port already. */
    MAC_LEARN_NEW,                  /* Not known before. */
    MAC_LEARN_MOVED,                /* Known on another port before. */
};

void mac_table_init(struct mac_table *);
void mac_table_destroy(struct mac_table *);

enum mac_learn_result mac_table_learn(struct mac_table *, uint16_t vlan,
                                      const uint8_t mac[6], uint32_t port, long long now);
struct mac_entry *mac_table_lookup(const struct mac_table *, uint16_t vlan,
                                   const uint8_t mac[6]);

/* Removes entries older than the aging time (or on 'port' for
 * mac_table_flush_port, or all for mac_table_flush), calling 'removed' for
 * each before it goes. */
typedef void mac_removed_func(const struct mac_entry *, void *aux);
void mac_table_expire(struct mac_table *, long long now, mac_removed_func *, void *aux);
void mac_table_flush_port(struct mac_table *, uint32_t port, mac_removed_func *, void *aux);
void mac_table_flush(struct mac_table *, mac_removed_func *, void *aux);

#endif
