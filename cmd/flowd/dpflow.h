/* dpflow: the userspace datapath's flow tables.
 *
 * The megaflow table holds masked flows: each flow has a key and a mask,
 * and matches every packet whose key equals it under the mask. Flows with
 * the same mask share a subtable (a hash table on the masked key); a lookup
 * probes subtables in order of how often they hit (tuple space search with
 * ranking). In front of it sits an exact-match cache keyed on the whole
 * flow key, which spares most packets the subtable walk.
 *
 * The table never holds two flows that overlap. Flows from upcalls cannot:
 * the pipeline answers for a packet that no installed flow matched, and
 * dpflow_install() refuses a key an existing flow matches. Flows added by
 * hand (dp add-flow) are checked against every installed flow with
 * dpflow_find_overlap() first. */
#ifndef FLOWD_DPFLOW_H
#define FLOWD_DPFLOW_H 1

#include <stdbool.h>
#include <stdint.h>

#include "dpactions.h"
#include "flowkey.h"
#include "hmap.h"

struct ofrule;

#define DPFLOW_EMC_SIZE 8192        /* Exact-match cache entries (power of 2). */

/* What the NORMAL pipeline learned from a flow's packets, so that the
 * revalidator can keep the MAC entry fresh while packets hit the flow and
 * never reach the pipeline. */
struct dpflow_learn {
    bool valid;
    uint16_t vlan;                  /* VLAN the source was learned on. */
    uint8_t mac[6];                 /* Source MAC. */
    uint32_t port;                  /* Datapath port it was learned on. */
};

struct dpflow {
    struct hmap_node node;          /* In subtable->flows. */
    struct dpflow_subtable *subtable;
    struct flowkey key;             /* Already masked. */
    struct dp_actions actions;      /* What to do with matching packets. */
    struct dpflow_learn learn;      /* Side effects to refresh. */
    uint64_t packets;               /* Packets matched. */
    uint64_t bytes;                 /* Bytes matched. */
    uint16_t tcp_flags;             /* OR of TCP flags seen. */
    long long used;                 /* time_msec() of last match, 0 = never. */
    long long created;              /* time_msec() of installation. */
    uint64_t learn_packets;         /* 'packets' at the last learn refresh. */
    struct ofrule **rules;          /* OpenFlow rules its packets hit (owned
                                     * array; the rules are not). */
    size_t n_rules;
    uint64_t credited_packets;      /* 'packets' already added to the rules. */
    uint64_t credited_bytes;        /* 'bytes' already added to the rules. */
    uint64_t nf_packets;            /* 'packets' already in NetFlow records. */
    uint64_t nf_bytes;              /* 'bytes' already in NetFlow records. */
    long long nf_start;             /* When the open NetFlow record began;
                                     * 0 = at 'created'. */
    uint64_t ipfix_packets;         /* 'packets' already in IPFIX records. */
    uint64_t ipfix_bytes;           /* 'bytes' already in IPFIX records. */
    long long ipfix_start;          /* When the open IPFIX record began;
                                     * 0 = at 'created'. */
    uint32_t mirrors;               /* Bit i: feeds the bridge's mirror i. */
    uint32_t mirror_size;           /* Bytes of 'actions' that make the
                                     * mirrors' copies (they come first). */
    uint64_t mirror_packets;        /* 'packets' already credited to them. */
    uint64_t mirror_bytes;          /* 'bytes' already credited to them. */
    void *dp_data;                  /* The datapath provider's own state of
                                     * the flow (dp-kernel.c), or NULL. */
};

struct dpflow_subtable {
    struct flowkey mask;            /* Mask shared by all flows here. */
    uint8_t words[FLOWKEY_U64S];    /* Indexes of nonzero mask words. */
    unsigned int n_words;
    struct hmap flows;              /* dpflows by masked hash. */
    uint64_t hits;                  /* Lookups that matched here (for ranking). */
};

struct dpflow_emc_entry {
    struct dpflow *flow;            /* NULL when empty. */
    struct flowkey key;             /* Full packet key. */
};

struct dpflow_table {
    struct dpflow_subtable **subtables; /* In probe order. */
    size_t n_subtables;
    size_t allocated_subtables;
    size_t n_flows;
    uint32_t basis;                 /* Random hash basis. */
    struct dpflow_emc_entry *emc;   /* DPFLOW_EMC_SIZE entries. */
    uint64_t emc_hits, megaflow_hits, misses, lookups;
    /* Called for each flow removed (not on destroy), before it is freed. */
    void (*on_remove)(struct dpflow *, void *aux);
    void *on_remove_aux;
};

void dpflow_table_init(struct dpflow_table *);
void dpflow_table_destroy(struct dpflow_table *);

/* Finds the flow matching 'key' (a full packet key), or NULL. */
struct dpflow *dpflow_lookup(struct dpflow_table *, const struct flowkey *key);

/* Installs a flow for 'key' under 'mask' (widened first by
 * flowkey_mask_canonicalize()) with a copy of 'actions'.
 * Returns the new flow, or NULL (with *existing set) if a flow that
 * matches 'key' is installed already. */
struct dpflow *dpflow_install(struct dpflow_table *, const struct flowkey *key,
                              const struct flowkey *mask, const void *actions,
                              size_t actions_size, struct dpflow **existing);

/* Finds an installed flow that some packet could match together with a
 * flow of 'key' under 'mask', or NULL. Linear: for flows added by hand. */
struct dpflow *dpflow_find_overlap(const struct dpflow_table *, const struct flowkey *key,
                                   const struct flowkey *mask);

/* Finds the flow whose key and mask are exactly these, or NULL. */
struct dpflow *dpflow_find_exact(struct dpflow_table *, const struct flowkey *key,
                                 const struct flowkey *mask);

void dpflow_remove(struct dpflow_table *, struct dpflow *);
void dpflow_flush(struct dpflow_table *);

/* Calls 'visit' for each flow; 'visit' may update the flow's own counters
 * and state and returns true to have the flow removed (afterwards, as
 * dpflow_remove_if() does). For periodic work that would otherwise walk a
 * large table several times: each walk costs a cache miss per flow.
 * Returns how many were removed. */
size_t dpflow_sweep(struct dpflow_table *,
                    bool (*visit)(struct dpflow *, void *aux), void *aux);

/* Removes every flow for which 'should_remove' returns true. Returns how
 * many were removed. */
size_t dpflow_remove_if(struct dpflow_table *,
                        bool (*should_remove)(const struct dpflow *, void *aux),
                        void *aux);

/* Calls 'visit' for each flow; 'visit' must not change the table. */
void dpflow_for_each(const struct dpflow_table *,
                     void (*visit)(const struct dpflow *, void *aux), void *aux);

/* Re-sorts subtables by hits (most first) and decays the counts. */
void dpflow_rank_subtables(struct dpflow_table *);

/* The flow's own actions, after the mirror copies (mirror.h); their size
 * in '*size'. */
static inline const void *
dpflow_own_actions(const struct dpflow *flow, size_t *size)
{
    *size = flow->actions.size - flow->mirror_size;
    return flow->mirror_size ? flow->actions.data + flow->mirror_size : flow->actions.data;
}

static inline const struct flowkey *
dpflow_mask(const struct dpflow *flow)
{
    return &flow->subtable->mask;
}

#endif
