/* hmap: an intrusive hash map (chained buckets). The caller embeds a
 * struct hmap_node in its own struct, computes the hash, and compares keys
 * itself while walking HMAP_FOR_EACH_WITH_HASH; the map never allocates per
 * element and never calls back. */
#ifndef SY_HMAP_H
#define SY_HMAP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct hmap_node {
    uint32_t hash;              /* Caller-computed hash of the key. */
    struct hmap_node *next;     /* Next in the same bucket. */
};

struct hmap {
    struct hmap_node **buckets; /* 'mask + 1' bucket heads. */
    size_t mask;                /* Number of buckets minus one (power of 2). */
    size_t count;               /* Number of nodes. */
};

#define HMAP_INITIALIZER { NULL, 0, 0 }

void hmap_init(struct hmap *);
void hmap_destroy(struct hmap *);    /* Frees buckets, not the nodes. */
void hmap_clear(struct hmap *);      /* Forgets all nodes. */
void hmap_insert(struct hmap *, struct hmap_node *, uint32_t hash);
void hmap_remove(struct hmap *, struct hmap_node *);
static inline size_t hmap_count(const struct hmap *map) { return map->count; }
static inline bool hmap_is_empty(const struct hmap *map) { return !map->count; }

/* First node with 'hash' (or NULL), and the next one after 'node'. */
struct hmap_node *hmap_first_with_hash(const struct hmap *, uint32_t hash);
struct hmap_node *hmap_next_with_hash(const struct hmap_node *);
/* Any node, for iteration; and the one after 'node'. */
struct hmap_node *hmap_first(const struct hmap *);
struct hmap_node *hmap_next(const struct hmap *, const struct hmap_node *);

/* Iterates over nodes with 'hash'; VAR is a pointer to the containing type. */
#define HMAP_FOR_EACH_WITH_HASH(VAR, MEMBER, HASH, MAP)                       \
    for (struct hmap_node *VAR##_node_ = hmap_first_with_hash(MAP, HASH);     \
         VAR##_node_ && ((VAR = CONTAINER_OF(VAR##_node_, __typeof__(*VAR),  \
                                              MEMBER)), 1);                   \
         VAR##_node_ = hmap_next_with_hash(VAR##_node_))

/* Iterates over all nodes; safe against removal of VAR in the body. */
#define HMAP_FOR_EACH_SAFE(VAR, MEMBER, MAP)                                  \
    for (struct hmap_node *VAR##_node_ = hmap_first(MAP), *VAR##_next_;      \
         VAR##_node_                                                          \
         && ((VAR##_next_ = hmap_next(MAP, VAR##_node_)),                     \
             (VAR = CONTAINER_OF(VAR##_node_, __typeof__(*VAR), MEMBER)), 1); \
         VAR##_node_ = VAR##_next_)

#define HMAP_FOR_EACH(VAR, MEMBER, MAP) HMAP_FOR_EACH_SAFE(VAR, MEMBER, MAP)

#endif
