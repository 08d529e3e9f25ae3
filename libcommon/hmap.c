/* hmap: see hmap.h. Buckets double when the load passes 2 per bucket and
 * never shrink on removal, so that removal during iteration is safe. */
#include "hmap.h"

#include <stdlib.h>

void
hmap_init(struct hmap *map)
{
    map->buckets = NULL;
    map->mask = 0;
    map->count = 0;
}

void
hmap_destroy(struct hmap *map)
{
    if (map) {
        free(map->buckets);
        hmap_init(map);
    }
}

void
hmap_clear(struct hmap *map)
{
    hmap_destroy(map);
}

static void
hmap_resize(struct hmap *map, size_t n_buckets)
{
    struct hmap_node **buckets = xcalloc(n_buckets, sizeof *buckets);

    if (map->buckets) {
        for (size_t i = 0; i <= map->mask; i++) {
            struct hmap_node *node = map->buckets[i], *next;

            for (; node; node = next) {
                struct hmap_node **head = &buckets[node->hash & (n_buckets - 1)];

                next = node->next;
                node->next = *head;
                *head = node;
            }
        }
        free(map->buckets);
    }
    map->buckets = buckets;
    map->mask = n_buckets - 1;
}

void
hmap_insert(struct hmap *map, struct hmap_node *node, uint32_t hash)
{
    struct hmap_node **head;

    if (!map->buckets) {
        hmap_resize(map, 8);
    } else if (map->count >= (map->mask + 1) * 2) {
        hmap_resize(map, (map->mask + 1) * 2);
    }
    node->hash = hash;
    head = &map->buckets[hash & map->mask];
    node->next = *head;
    *head = node;
    map->count++;
}

void
hmap_remove(struct hmap *map, struct hmap_node *node)
{
    struct hmap_node **p = &map->buckets[node->hash & map->mask];

    while (*p != node) {
        p = &(*p)->next;
    }
    *p = node->next;
    map->count--;
}

struct hmap_node *
hmap_first_with_hash(const struct hmap *map, uint32_t hash)
{
    struct hmap_node *node;

    if (!map->buckets) {
        return NULL;
    }
    for (node = map->buckets[hash & map->mask]; node; node = node->next) {
        if (node->hash == hash) {
            return node;
        }
    }
    return NULL;
}

struct hmap_node *
hmap_next_with_hash(const struct hmap_node *node)
{
    uint32_t hash = node->hash;

    for (node = node->next; node; node = node->next) {
        if (node->hash == hash) {
            return (struct hmap_node *) node;
        }
    }
    return NULL;
}

static struct hmap_node *
hmap_first_from(const struct hmap *map, size_t bucket)
{
    if (!map->buckets) {
        return NULL;
    }
    for (; bucket <= map->mask; bucket++) {
        if (map->buckets[bucket]) {
            return map->buckets[bucket];
        }
    }
    return NULL;
}

struct hmap_node *
hmap_first(const struct hmap *map)
{
    return hmap_first_from(map, 0);
}

struct hmap_node *
hmap_next(const struct hmap *map, const struct hmap_node *node)
{
    if (node->next) {
        return node->next;
    }
    return hmap_first_from(map, (node->hash & map->mask) + 1);
}
