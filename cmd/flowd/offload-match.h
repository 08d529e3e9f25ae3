/* offload-match: which packets of a megaflow the kernel can forward by
 * itself (dp-offload.c), written two ways that must agree bit for bit:
 *
 *   - as the keys of a tc u32 filter on the input device's ingress, which
 *     forwards those packets (its protocol is the ethertype, so a frame
 *     with a VLAN tag never matches: tc compares the tag's TPID then);
 *   - as a classic BPF program on flowd's packet socket of that device,
 *     which keeps the same packets out of flowd's receive ring (the socket
 *     sees every frame before tc ingress does).
 *
 * A packet either filter matches must be one the megaflow matches: the
 * match may be narrower (an IPv4 header with options, a fragment, IPv6
 * extension headers, a tagged frame: those still go to flowd), never
 * wider. Both filters compare the same 32-bit words at the same offsets,
 * after the same length check, so they pick the same packets. */
#ifndef FLOWD_OFFLOAD_MATCH_H
#define FLOWD_OFFLOAD_MATCH_H 1

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowkey.h"

#define OFFLOAD_MATCH_MAX_WORDS 32

/* (frame word at 'offset' & mask) == value. */
struct offload_word {
    uint16_t offset;                /* From the Ethernet header (a tag,
                                     * if any, is out of the frame by then);
                                     * any alignment. */
    uint32_t value;                 /* Host order: the word as read big-endian. */
    uint32_t mask;                  /* Host order, nonzero. */
};

struct offload_match {
    uint16_t eth_type;              /* Of an untagged frame, host order. */
    uint16_t min_size;              /* The frame holds every word. */
    struct offload_word words[OFFLOAD_MATCH_MAX_WORDS]; /* By offset. */
    size_t n_words;
};

/* Fills 'match' with the packets of the megaflow ('key' already masked by
 * 'mask') that can be offloaded. False if none can: a tunnel, a VLAN tag,
 * an ethertype other than IPv4, IPv6 and ARP, or a field without a fixed
 * place in the frame (ND options, a later fragment). */
bool offload_match_from_flow(const struct flowkey *key, const struct flowkey *mask,
                             struct offload_match *match);

/* Instructions offload_bpf_build() needs for 'n' matches. */
size_t offload_bpf_size(const struct offload_match *matches, size_t n);

/* Writes into 'prog' (room for offload_bpf_size() instructions) a socket
 * filter that drops every frame one of 'matches' matches and passes every
 * other one whole. Returns the number of instructions. */
size_t offload_bpf_build(const struct offload_match *matches, size_t n,
                         struct sock_filter *prog);

/* Runs 'prog' on 'frame' (untagged; 'tagged' says whether the kernel had
 * taken a tag out of it) as the kernel would: the value it returns, 0 for
 * "drop". Only the instructions offload_bpf_build() writes; for tests. */
uint32_t offload_bpf_run(const struct sock_filter *prog, size_t n, const uint8_t *frame,
                         size_t size, bool tagged);

/* True if 'frame' matches 'match' as the u32 filter sees it (for tests). */
bool offload_match_frame(const struct offload_match *match, const uint8_t *frame,
                         size_t size, bool tagged);

#endif
