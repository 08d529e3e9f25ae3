/* offload-match: see offload-match.h. */
#include "offload-match.h"

#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "util.h"

#define ETH_HEADER_SIZE 14
#define IPV4_HEADER_SIZE 20
#define IPV6_HEADER_SIZE 40
#define BPF_PASS_ALL 0xffffffffu    /* Snap length: the whole frame. */

/* Adds "byte at 'offset' & mask == value" to 'match'. False if the match
 * already wants other values for those bits (no packet could match). */
static bool
add_byte(struct offload_match *match, size_t offset, uint8_t value, uint8_t mask)
{
    uint16_t word_offset = offset & ~(size_t) 3;
    unsigned int shift = (3 - (offset & 3)) * 8;
    uint32_t m = (uint32_t) mask << shift, v = (uint32_t) (value & mask) << shift;
    struct offload_word *w = NULL;

    if (!mask) {
        return true;
    }
    for (size_t i = 0; i < match->n_words; i++) {
        if (match->words[i].offset == word_offset) {
            w = &match->words[i];
        }
    }
    if (!w) {
        if (match->n_words == OFFLOAD_MATCH_MAX_WORDS) {
            return false;
        }
        w = &match->words[match->n_words++];
        w->offset = word_offset;
        w->value = w->mask = 0;
    }
    if ((w->value ^ v) & w->mask & m) {
        return false;
    }
    w->mask |= m;
    w->value |= v;
    return true;
}

static bool
add_bytes(struct offload_match *match, size_t offset, const void *value_,
          const void *mask_, size_t size)
{
    const uint8_t *value = value_, *mask = mask_;
    bool ok = true;

    for (size_t i = 0; i < size; i++) {
        ok = ok && add_byte(match, offset + i, value[i], mask[i]);
    }
    return ok;
}

static bool
add_be16(struct offload_match *match, size_t offset, uint16_t value, uint16_t mask)
{
    return add_byte(match, offset, value >> 8, mask >> 8)
           && add_byte(match, offset + 1, value & 0xff, mask & 0xff);
}

#define COVER(COVERED, FIELD) memset(&(COVERED)->FIELD, 0xff, sizeof (COVERED)->FIELD)
#define MASKED(MASK, FIELD) (!is_all_zeros(&(MASK)->FIELD, sizeof (MASK)->FIELD))

/* The transport ports, ICMP type and code, and TCP flags at 'l4'. Leaves
 * them uncovered (so the flow is refused) for a protocol without them. */
static bool
add_l4(struct offload_match *match, const struct flowkey *key, const struct flowkey *mask,
       size_t l4, struct flowkey *covered)
{
    bool ok = true;

    switch (key->nw_proto) {
    case IP_PROTO_TCP:
        ok = add_be16(match, l4 + 12, key->tcp_flags & 0x0fff, mask->tcp_flags & 0x0fff);
        COVER(covered, tcp_flags);
        /* fall through */
    case IP_PROTO_UDP:
    case IP_PROTO_SCTP:
        ok = ok && add_be16(match, l4, key->tp_src, mask->tp_src)
             && add_be16(match, l4 + 2, key->tp_dst, mask->tp_dst);
        COVER(covered, tp_src);
        COVER(covered, tp_dst);
        return ok;
    case IP_PROTO_ICMP:
    case IP_PROTO_ICMPV6:
        /* Type and code are one byte each, kept in 16-bit fields. */
        if ((key->tp_src | key->tp_dst) & 0xff00) {
            return false;
        }
        COVER(covered, tp_src);
        COVER(covered, tp_dst);
        return add_byte(match, l4, key->tp_src, mask->tp_src)
               && add_byte(match, l4 + 1, key->tp_dst, mask->tp_dst);
    default:
        return true;
    }
}

static bool
l4_masked(const struct flowkey *mask)
{
    return mask->tp_src || mask->tp_dst || mask->tcp_flags;
}

static bool
add_ipv4(struct offload_match *match, const struct flowkey *key, const struct flowkey *mask,
         struct flowkey *covered)
{
    const size_t l3 = ETH_HEADER_SIZE;
    bool ok = true;

    if (mask->nw_proto || mask->nw_tos || mask->nw_ttl || mask->nw_frag || mask->ipv4_src
        || mask->ipv4_dst || l4_masked(mask)) {
        /* Version 4 without options: the transport header is at a fixed
         * place. Packets with options stay with flowd. */
        ok = add_byte(match, l3, 0x45, 0xff);
    }
    if (mask->nw_frag || l4_masked(mask)) {
        /* Not a fragment (MF clear, offset 0): narrower than a megaflow
         * that takes first fragments, never wider. */
        if (key->nw_frag & mask->nw_frag) {
            return false;
        }
        ok = ok && add_be16(match, l3 + 6, 0, 0x3fff);
    }
    ok = ok && add_byte(match, l3 + 1, key->nw_tos, mask->nw_tos)
         && add_byte(match, l3 + 8, key->nw_ttl, mask->nw_ttl)
         && add_byte(match, l3 + 9, key->nw_proto, mask->nw_proto)
         && add_bytes(match, l3 + 12, &key->ipv4_src, &mask->ipv4_src, 4)
         && add_bytes(match, l3 + 16, &key->ipv4_dst, &mask->ipv4_dst, 4);
    COVER(covered, nw_tos);
    COVER(covered, nw_ttl);
    COVER(covered, nw_proto);
    COVER(covered, nw_frag);
    COVER(covered, ipv4_src);
    COVER(covered, ipv4_dst);
    if (l4_masked(mask)) {
        ok = ok && mask->nw_proto == 0xff
             && add_l4(match, key, mask, l3 + IPV4_HEADER_SIZE, covered);
    }
    return ok;
}

static bool
add_ipv6(struct offload_match *match, const struct flowkey *key, const struct flowkey *mask,
         struct flowkey *covered)
{
    const size_t l3 = ETH_HEADER_SIZE, l4 = l3 + IPV6_HEADER_SIZE;
    bool ok = true;

    if (mask->nw_proto || mask->nw_tos || mask->nw_ttl || mask->nw_frag
        || mask->ipv6_label || MASKED(mask, ipv6_src) || MASKED(mask, ipv6_dst)
        || MASKED(mask, nd_target) || l4_masked(mask)) {
        ok = add_byte(match, l3, 0x60, 0xf0);
    }
    /* The next header right after the fixed header is the flow's
     * protocol: no extension header, so no fragment header either. */
    if ((mask->nw_frag || l4_masked(mask) || MASKED(mask, nd_target))
        && (mask->nw_proto != 0xff || key->nw_frag & mask->nw_frag)) {
        return false;
    }
    ok = ok && add_byte(match, l3, key->nw_tos >> 4, mask->nw_tos >> 4)
         && add_byte(match, l3 + 1, (key->nw_tos & 0x0f) << 4, (mask->nw_tos & 0x0f) << 4)
         && add_byte(match, l3 + 1, key->ipv6_label >> 16 & 0x0f, mask->ipv6_label >> 16 & 0x0f)
         && add_be16(match, l3 + 2, key->ipv6_label & 0xffff, mask->ipv6_label & 0xffff)
         && add_byte(match, l3 + 6, key->nw_proto, mask->nw_proto)
         && add_byte(match, l3 + 7, key->nw_ttl, mask->nw_ttl)
         && add_bytes(match, l3 + 8, key->ipv6_src, mask->ipv6_src, 16)
         && add_bytes(match, l3 + 24, key->ipv6_dst, mask->ipv6_dst, 16);
    COVER(covered, nw_tos);
    COVER(covered, ipv6_label);
    COVER(covered, nw_proto);
    COVER(covered, nw_ttl);
    COVER(covered, nw_frag);
    COVER(covered, ipv6_src);
    COVER(covered, ipv6_dst);
    if (l4_masked(mask)) {
        ok = ok && add_l4(match, key, mask, l4, covered);
    }
    if (MASKED(mask, nd_target)) {
        /* Neighbour solicitation or advertisement: the target follows the
         * 4-byte reserved/flags word. Its options (arp_sha/arp_tha) have
         * no fixed place and stay uncovered. */
        ok = ok && key->nw_proto == IP_PROTO_ICMPV6 && (mask->tp_src & 0xff) == 0xff
             && (key->tp_src == 135 || key->tp_src == 136)
             && add_bytes(match, l4 + 8, key->nd_target, mask->nd_target, 16);
        COVER(covered, nd_target);
    }
    return ok;
}

static bool
add_arp(struct offload_match *match, const struct flowkey *key, const struct flowkey *mask,
        struct flowkey *covered)
{
    static const uint8_t ethernet_ipv4[6] = { 0x00, 0x01, 0x08, 0x00, 6, 4 };
    static const uint8_t all_ones[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    const size_t l3 = ETH_HEADER_SIZE;
    bool ok = true;

    if (mask->nw_proto || mask->ipv4_src || mask->ipv4_dst || MASKED(mask, arp_sha)
        || MASKED(mask, arp_tha)) {
        ok = add_bytes(match, l3, ethernet_ipv4, all_ones, sizeof ethernet_ipv4);
    }
    /* The key has the opcode's low byte; the high one must be 0 here. */
    ok = ok && add_byte(match, l3 + 6, 0, mask->nw_proto ? 0xff : 0)
         && add_byte(match, l3 + 7, key->nw_proto, mask->nw_proto)
         && add_bytes(match, l3 + 8, key->arp_sha, mask->arp_sha, 6)
         && add_bytes(match, l3 + 14, &key->ipv4_src, &mask->ipv4_src, 4)
         && add_bytes(match, l3 + 18, key->arp_tha, mask->arp_tha, 6)
         && add_bytes(match, l3 + 24, &key->ipv4_dst, &mask->ipv4_dst, 4);
    COVER(covered, nw_proto);
    COVER(covered, arp_sha);
    COVER(covered, ipv4_src);
    COVER(covered, arp_tha);
    COVER(covered, ipv4_dst);
    return ok;
}

/* True if every bit 'mask' has is in 'covered'. */
static bool
all_covered(const struct flowkey *mask, const struct flowkey *covered)
{
    const uint8_t *m = (const uint8_t *) mask, *c = (const uint8_t *) covered;

    for (size_t i = 0; i < sizeof *mask; i++) {
        if (m[i] & ~c[i]) {
            return false;
        }
    }
    return true;
}

static int
compare_words(const void *a_, const void *b_)
{
    const struct offload_word *a = a_, *b = b_;

    return (int) a->offset - (int) b->offset;
}

/* Moves a word whose last bytes are not compared back over bytes before
 * it, so that it ends on its last compared byte: a 42-byte ARP reply must
 * not be too short for a word that only wants its last two bytes. */
static void
end_word_on_last_byte(struct offload_word *w)
{
    unsigned int shift = 0;

    while (shift < 3 && !(w->mask >> (shift * 8) & 0xff) && w->offset > shift) {
        shift++;
    }
    w->offset -= shift;
    w->mask >>= shift * 8;
    w->value >>= shift * 8;
}

/* An untagged frame satisfies the megaflow's VLAN part: nothing it wants
 * of a tag is set. */
static bool
accepts_untagged(const struct flowkey *key, const struct flowkey *mask)
{
    for (size_t i = 0; i < FLOWKEY_MAX_VLANS; i++) {
        if ((key->vlans[i].tci & mask->vlans[i].tci)
            || (key->vlans[i].tpid & mask->vlans[i].tpid)) {
            return false;
        }
    }
    return true;
}

bool
offload_match_from_flow(const struct flowkey *key, const struct flowkey *mask,
                        struct offload_match *match)
{
    struct flowkey covered;
    bool ok;

    memset(match, 0, sizeof *match);
    memset(&covered, 0, sizeof covered);
    if (!accepts_untagged(key, mask) || mask->eth_type != 0xffff) {
        return false;
    }
    COVER(&covered, in_port);       /* The device the filter sits on. */
    COVER(&covered, vlans);
    COVER(&covered, eth_type);
    match->eth_type = key->eth_type;
    ok = add_be16(match, 12, key->eth_type, 0xffff)
         && add_bytes(match, 0, key->eth_dst, mask->eth_dst, 6)
         && add_bytes(match, 6, key->eth_src, mask->eth_src, 6);
    COVER(&covered, eth_dst);
    COVER(&covered, eth_src);
    switch (key->eth_type) {
    case ETH_TYPE_IP:
        ok = ok && add_ipv4(match, key, mask, &covered);
        break;
    case ETH_TYPE_IPV6:
        ok = ok && add_ipv6(match, key, mask, &covered);
        break;
    case ETH_TYPE_ARP:
        ok = ok && add_arp(match, key, mask, &covered);
        break;
    default:
        return false;
    }
    if (!ok || !all_covered(mask, &covered)) {
        return false;
    }
    match->min_size = ETH_HEADER_SIZE;
    for (size_t i = 0; i < match->n_words; i++) {
        end_word_on_last_byte(&match->words[i]);
        match->min_size = MAX(match->min_size, match->words[i].offset + 4);
    }
    qsort(match->words, match->n_words, sizeof match->words[0], compare_words);
    return true;
}

/* ---- The socket filter ---------------------------------------------------- */

static size_t
word_insns(const struct offload_word *w)
{
    return w->mask == UINT32_MAX ? 2 : 3;   /* Load, (and,) compare. */
}

/* Instructions of one match's block: length check, words, drop. */
static size_t
block_insns(const struct offload_match *match)
{
    size_t n = 2 + 1;

    for (size_t i = 0; i < match->n_words; i++) {
        n += word_insns(&match->words[i]);
    }
    return n;
}

size_t
offload_bpf_size(const struct offload_match *matches, size_t n)
{
    size_t size = 3 + 1;            /* Tag check, pass. */

    for (size_t i = 0; i < n; i++) {
        size += block_insns(&matches[i]);
    }
    return size;
}

static struct sock_filter
insn(uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
    struct sock_filter f = { .code = code, .jt = jt, .jf = jf, .k = k };

    return f;
}

/* A block: each failed test jumps past the block's end, to the next one
 * (at most 2 + 3 * OFFLOAD_MATCH_MAX_WORDS + 1 instructions: the 8-bit
 * jump offsets reach). */
static size_t
build_block(const struct offload_match *match, struct sock_filter *p)
{
    size_t size = block_insns(match), n = 0;

    /* A jump from index i with jf = size - 1 - i lands on the next block. */
    p[n++] = insn(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0);
    p[n] = insn(BPF_JMP | BPF_JGE | BPF_K, 0, size - 1 - n, match->min_size);
    n++;
    for (size_t i = 0; i < match->n_words; i++) {
        const struct offload_word *w = &match->words[i];

        p[n++] = insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, w->offset);
        if (w->mask != UINT32_MAX) {
            p[n++] = insn(BPF_ALU | BPF_AND | BPF_K, 0, 0, w->mask);
        }
        p[n] = insn(BPF_JMP | BPF_JEQ | BPF_K, 0, size - 1 - n, w->value);
        n++;
    }
    p[n++] = insn(BPF_RET | BPF_K, 0, 0, 0);
    return n;
}

size_t
offload_bpf_build(const struct offload_match *matches, size_t n_matches,
                  struct sock_filter *prog)
{
    size_t n = 0, total = offload_bpf_size(matches, n_matches);

    /* A tagged frame never matches (tc compares the tag's TPID with the
     * filter's protocol): pass it. */
    prog[n++] = insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT);
    prog[n++] = insn(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0);
    prog[n] = insn(BPF_JMP | BPF_JA, 0, 0, total - 1 - (n + 1));
    n++;
    for (size_t i = 0; i < n_matches; i++) {
        n += build_block(&matches[i], prog + n);
    }
    prog[n++] = insn(BPF_RET | BPF_K, 0, 0, BPF_PASS_ALL);
    return n;
}

static uint32_t
read_be32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

uint32_t
offload_bpf_run(const struct sock_filter *prog, size_t n, const uint8_t *frame,
                size_t size, bool tagged)
{
    uint32_t a = 0;

    for (size_t pc = 0; pc < n; pc++) {
        const struct sock_filter *f = &prog[pc];

        switch (f->code) {
        case BPF_LD | BPF_W | BPF_ABS:
            if (f->k == (uint32_t) (SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT)) {
                a = tagged;
            } else if ((size_t) f->k + 4 > size) {
                return 0;           /* The kernel drops, as here. */
            } else {
                a = read_be32(frame + f->k);
            }
            break;
        case BPF_LD | BPF_W | BPF_LEN:
            a = size;
            break;
        case BPF_ALU | BPF_AND | BPF_K:
            a &= f->k;
            break;
        case BPF_JMP | BPF_JA:
            pc += f->k;
            break;
        case BPF_JMP | BPF_JEQ | BPF_K:
            pc += a == f->k ? f->jt : f->jf;
            break;
        case BPF_JMP | BPF_JGE | BPF_K:
            pc += a >= f->k ? f->jt : f->jf;
            break;
        case BPF_RET | BPF_K:
            return f->k;
        default:
            return 0;
        }
    }
    return 0;
}

bool
offload_match_frame(const struct offload_match *match, const uint8_t *frame, size_t size,
                    bool tagged)
{
    if (tagged || size < match->min_size) {
        return false;
    }
    for (size_t i = 0; i < match->n_words; i++) {
        const struct offload_word *w = &match->words[i];

        if ((read_be32(frame + w->offset) & w->mask) != w->value) {
            return false;
        }
    }
    return true;
}
