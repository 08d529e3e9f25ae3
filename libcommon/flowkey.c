/* flowkey: packet parsing into struct flowkey, and the masked compare and
 * hash that the megaflow table runs per packet. See flowkey.h.
 *
 * The parser follows what the Linux openvswitch module extracts, so that
 * both datapaths classify a given frame identically. It works on a cursor
 * that never moves past the end of the frame (or, inside an IP packet, past
 * the IP total length: Ethernet padding is not payload). A header that is
 * cut short leaves its fields zero; parsing never fails. */
#include "flowkey.h"

#include <arpa/inet.h>
#include <string.h>

#include "byteorder.h"
#include "hash.h"
#include "packet.h"

#define IPV6_HEADER_LEN 40
#define IPV4_HEADER_LEN 20
#define ARP_ETH_IPV4_LEN 28
#define TCP_HEADER_LEN 20
#define UDP_HEADER_LEN 8
#define SCTP_HEADER_LEN 12
#define ICMP_HEADER_LEN 8
#define ND_MSG_LEN 24           /* ICMPv6 header + reserved/flags + target. */

#define IP_MF 0x2000
#define IP_OFFSET 0x1fff

#define IPV6_NEXT_HOPOPTS 0
#define IPV6_NEXT_ROUTING 43
#define IPV6_NEXT_FRAGMENT 44
#define IPV6_NEXT_AH 51
#define IPV6_NEXT_DSTOPTS 60

#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT 136
#define ND_OPT_SLL 1
#define ND_OPT_TLL 2

/* A read-only window of the frame: [data, data + end). */
struct parse {
    const uint8_t *data;        /* Start of the frame. */
    size_t ofs;                 /* Current position. */
    size_t end;                 /* End of the valid bytes. */
};

/* Returns 'n' bytes at the cursor and advances, or NULL (cursor unmoved)
 * if fewer remain. */
static const uint8_t *
parse_pull(struct parse *p, size_t n)
{
    const uint8_t *bytes;

    if (p->end - p->ofs < n) {
        return NULL;
    }
    bytes = p->data + p->ofs;
    p->ofs += n;
    return bytes;
}

/* Returns 'n' bytes at the cursor without advancing, or NULL. */
static const uint8_t *
parse_peek(const struct parse *p, size_t n)
{
    return p->end - p->ofs < n ? NULL : p->data + p->ofs;
}

/* Reads the type/length field at the cursor into key->eth_type. An 802.3
 * length becomes FLOWKEY_ETH_TYPE_NONE unless an LLC/SNAP header with a
 * zero OUI follows, whose type is used, as the kernel datapath does. */
static bool
parse_ethertype(struct parse *p, struct flowkey *key)
{
    static const uint8_t llc_snap[6] = { 0xaa, 0xaa, 0x03, 0, 0, 0 };
    const uint8_t *type = parse_pull(p, 2);
    const uint8_t *snap;
    uint16_t value;

    if (!type) {
        return false;
    }
    value = rd16(type);
    if (value >= 0x600) {
        key->eth_type = value;
        return true;
    }
    key->eth_type = FLOWKEY_ETH_TYPE_NONE;
    snap = parse_peek(p, 8);
    if (snap && !memcmp(snap, llc_snap, 6) && rd16(snap + 6) >= 0x600) {
        key->eth_type = rd16(snap + 6);
        p->ofs += 8;
    }
    return true;
}

static bool
eth_type_is_vlan(uint16_t type)
{
    return type == ETH_TYPE_VLAN || type == ETH_TYPE_QINQ;
}

/* Parses the Ethernet header and up to FLOWKEY_MAX_VLANS tags. Returns
 * false if the frame ends before the innermost ethertype is known. */
static bool
parse_l2(struct parse *p, struct flowkey *key, struct flowkey_layout *layout)
{
    const uint8_t *eth = parse_pull(p, 12);
    uint16_t type;

    if (!eth || !parse_peek(p, 2)) {
        return false;
    }
    memcpy(key->eth_dst, eth, 6);
    memcpy(key->eth_src, eth + 6, 6);

    for (int i = 0; i < FLOWKEY_MAX_VLANS; i++) {
        const uint8_t *tag = parse_peek(p, 2);

        type = rd16(tag);
        if (!eth_type_is_vlan(type)) {
            break;
        }
        tag = parse_peek(p, VLAN_HEADER_LEN + 2);
        if (!tag) {
            /* A cut-short tag: like the kernel, the TPID becomes the
             * ethertype and nothing behind it is parsed. */
            key->eth_type = type;
            return false;
        }
        if (!i) {
            layout->l2_5 = p->ofs;
        }
        key->vlans[i].tpid = type;
        /* The real DEI shares its bit with FLOWKEY_VLAN_PRESENT: it is
         * overwritten, as the kernel datapath does. */
        key->vlans[i].tci = rd16(tag + 2) | FLOWKEY_VLAN_PRESENT;
        p->ofs += VLAN_HEADER_LEN;
    }
    return parse_ethertype(p, key);
}

static void
parse_arp(struct parse *p, struct flowkey *key)
{
    const uint8_t *arp = parse_peek(p, ARP_ETH_IPV4_LEN);
    uint16_t op;

    /* Only Ethernet/IPv4 ARP has fields in the key. */
    if (!arp || rd16(arp) != 1 || rd16(arp + 2) != ETH_TYPE_IP
        || arp[4] != 6 || arp[5] != 4) {
        return;
    }
    /* An opcode that does not fit the byte is not a truncated one. */
    op = rd16(arp + 6);
    key->nw_proto = op <= 0xff ? op : 0;
    memcpy(key->arp_sha, arp + 8, 6);
    memcpy(&key->ipv4_src, arp + 14, 4);
    memcpy(key->arp_tha, arp + 18, 6);
    memcpy(&key->ipv4_dst, arp + 24, 4);
}

static void
parse_tcp(struct parse *p, struct flowkey *key)
{
    const uint8_t *tcp = parse_peek(p, TCP_HEADER_LEN);
    size_t doff;

    if (!tcp) {
        return;
    }
    doff = (tcp[12] >> 4) * 4;
    if (doff < TCP_HEADER_LEN || !parse_peek(p, doff)) {
        return;
    }
    key->tp_src = rd16(tcp);
    key->tp_dst = rd16(tcp + 2);
    key->tcp_flags = rd16(tcp + 12) & 0x0fff;
}

/* Ports of UDP and SCTP, type and code of ICMP: the first two 16-bit
 * fields, or the first two bytes, of a header of at least 'size' bytes. */
static void
parse_ports(struct parse *p, struct flowkey *key, size_t size)
{
    const uint8_t *l4 = parse_peek(p, size);

    if (l4) {
        key->tp_src = rd16(l4);
        key->tp_dst = rd16(l4 + 2);
    }
}

static void
parse_icmp(struct parse *p, struct flowkey *key)
{
    const uint8_t *icmp = parse_peek(p, ICMP_HEADER_LEN);

    if (icmp) {
        key->tp_src = icmp[0];
        key->tp_dst = icmp[1];
    }
}

static void
nd_clear(struct flowkey *key)
{
    memset(key->nd_target, 0, sizeof key->nd_target);
    memset(key->arp_sha, 0, sizeof key->arp_sha);
    memset(key->arp_tha, 0, sizeof key->arp_tha);
}

/* Neighbour solicitation/advertisement: target and link-layer address
 * options (RFC 4861). A malformed option list invalidates all ND fields,
 * as does a repeated SLL or TLL option. */
static void
parse_nd(struct parse *p, struct flowkey *key)
{
    const uint8_t *nd = parse_pull(p, ND_MSG_LEN);

    if (!nd) {
        return;
    }
    memcpy(key->nd_target, nd + 8, 16);
    while (p->end - p->ofs >= 8) {
        const uint8_t *opt = p->data + p->ofs;
        size_t opt_size = opt[1] * 8;
        uint8_t *lladdr = NULL;

        if (!opt_size || opt_size > p->end - p->ofs) {
            nd_clear(key);
            return;
        }
        if (opt_size == 8 && opt[0] == ND_OPT_SLL) {
            lladdr = key->arp_sha;
        } else if (opt_size == 8 && opt[0] == ND_OPT_TLL) {
            lladdr = key->arp_tha;
        }
        if (lladdr) {
            if (!eth_addr_is_zero(lladdr)) {
                nd_clear(key);
                return;
            }
            memcpy(lladdr, opt + 2, 6);
        }
        p->ofs += opt_size;
    }
}

static void
parse_icmpv6(struct parse *p, struct flowkey *key)
{
    const uint8_t *icmp = parse_peek(p, ICMP_HEADER_LEN);

    if (!icmp) {
        return;
    }
    key->tp_src = icmp[0];
    key->tp_dst = icmp[1];
    if ((icmp[0] == ND_NEIGHBOR_SOLICIT || icmp[0] == ND_NEIGHBOR_ADVERT) && !icmp[1]) {
        parse_nd(p, key);
    }
}

/* Parses the transport header at the cursor for 'key->nw_proto'. */
static void
parse_l4(struct parse *p, struct flowkey *key, struct flowkey_layout *layout)
{
    layout->l4 = p->ofs;
    switch (key->nw_proto) {
    case IP_PROTO_TCP:
        parse_tcp(p, key);
        break;
    case IP_PROTO_UDP:
        parse_ports(p, key, UDP_HEADER_LEN);
        break;
    case IP_PROTO_SCTP:
        parse_ports(p, key, SCTP_HEADER_LEN);
        break;
    case IP_PROTO_ICMP:
        if (key->eth_type == ETH_TYPE_IP) {
            parse_icmp(p, key);
        }
        break;
    case IP_PROTO_ICMPV6:
        if (key->eth_type == ETH_TYPE_IPV6) {
            parse_icmpv6(p, key);
        }
        break;
    default:
        break;
    }
}

/* Returns true if the caller should go on with the transport header. */
static bool
parse_ipv4(struct parse *p, struct flowkey *key)
{
    const uint8_t *ip = parse_peek(p, IPV4_HEADER_LEN);
    size_t ihl, total;
    uint16_t frag;

    if (!ip || ip[0] >> 4 != 4) {
        return false;
    }
    ihl = (ip[0] & 0x0f) * 4;
    total = rd16(ip + 2);
    if (ihl < IPV4_HEADER_LEN || total < ihl || total > p->end - p->ofs) {
        return false;
    }
    key->nw_tos = ip[1];
    key->nw_ttl = ip[8];
    key->nw_proto = ip[9];
    memcpy(&key->ipv4_src, ip + 12, 4);
    memcpy(&key->ipv4_dst, ip + 16, 4);

    frag = rd16(ip + 6);
    if (frag & (IP_MF | IP_OFFSET)) {
        key->nw_frag = FLOWKEY_FRAG_ANY;
        if (frag & IP_OFFSET) {
            key->nw_frag |= FLOWKEY_FRAG_LATER;
        }
    }
    /* Ethernet padding behind the IP packet is not transport data. */
    p->end = p->ofs + total;
    p->ofs += ihl;
    return !(key->nw_frag & FLOWKEY_FRAG_LATER);
}

/* Size of the IPv6 extension header 'type' at 'hdr', or 0 if 'type' is
 * not an extension header this parser walks over. */
static size_t
ipv6_ext_size(uint8_t type, const uint8_t *hdr)
{
    switch (type) {
    case IPV6_NEXT_HOPOPTS:
    case IPV6_NEXT_ROUTING:
    case IPV6_NEXT_DSTOPTS:
        return (hdr[1] + 1) * 8;
    case IPV6_NEXT_FRAGMENT:
        return 8;
    case IPV6_NEXT_AH:
        return (hdr[1] + 2) * 4;
    default:
        return 0;
    }
}

static bool
ipv6_is_ext(uint8_t type)
{
    return type == IPV6_NEXT_HOPOPTS || type == IPV6_NEXT_ROUTING
           || type == IPV6_NEXT_FRAGMENT || type == IPV6_NEXT_AH
           || type == IPV6_NEXT_DSTOPTS;
}

/* Walks the extension header chain. Every header advances the cursor by at
 * least 8 bytes and the cursor is bounded, so any chain ends. On a cut
 * short header, nw_proto names the header that could not be read and the
 * transport layer is not parsed. */
static bool
parse_ipv6_ext(struct parse *p, struct flowkey *key)
{
    uint8_t next = key->nw_proto;

    while (ipv6_is_ext(next)) {
        const uint8_t *hdr = parse_peek(p, 8);
        size_t size = hdr ? ipv6_ext_size(next, hdr) : 0;

        if (!hdr || !parse_peek(p, size)) {
            key->nw_proto = next;
            return false;
        }
        if (next == IPV6_NEXT_FRAGMENT) {
            uint16_t frag = rd16(hdr + 2);

            if (frag & 0xfff8) {
                key->nw_frag = FLOWKEY_FRAG_ANY | FLOWKEY_FRAG_LATER;
                key->nw_proto = hdr[0];
                return false;
            } else if (frag & 1) {
                key->nw_frag = FLOWKEY_FRAG_ANY;
            }
        }
        next = hdr[0];
        p->ofs += size;
    }
    key->nw_proto = next;
    return true;
}

static bool
parse_ipv6(struct parse *p, struct flowkey *key)
{
    const uint8_t *ip = parse_peek(p, IPV6_HEADER_LEN);
    uint32_t first;
    size_t payload;

    if (!ip || ip[0] >> 4 != 6) {
        return false;
    }
    payload = rd16(ip + 4);
    if (payload > p->end - p->ofs - IPV6_HEADER_LEN) {
        return false;
    }
    first = rd32(ip);
    key->nw_tos = first >> 20;
    key->ipv6_label = first & 0x000fffff;
    key->nw_proto = ip[6];
    key->nw_ttl = ip[7];
    memcpy(key->ipv6_src, ip + 8, 16);
    memcpy(key->ipv6_dst, ip + 24, 16);

    /* A zero payload length means a jumbogram (RFC 2675): the frame size
     * is all we have. */
    p->ofs += IPV6_HEADER_LEN;
    if (payload) {
        p->end = p->ofs + payload;
    }
    return parse_ipv6_ext(p, key);
}

void
flowkey_extract(const void *frame, size_t size, uint32_t in_port,
                struct flowkey *key, struct flowkey_layout *layout)
{
    struct flowkey_layout unused;
    struct parse p = { frame, 0, size };
    bool l4;

    memset(key, 0, sizeof *key);
    key->in_port = in_port;
    if (!layout) {
        layout = &unused;
    }
    layout->l2_5 = layout->l3 = layout->l4 = FLOWKEY_OFS_NONE;

    if (!frame || !parse_l2(&p, key, layout)) {
        return;
    }
    layout->l3 = p.ofs;
    switch (key->eth_type) {
    case ETH_TYPE_ARP:
        parse_arp(&p, key);
        return;
    case ETH_TYPE_IP:
        l4 = parse_ipv4(&p, key);
        break;
    case ETH_TYPE_IPV6:
        l4 = parse_ipv6(&p, key);
        break;
    default:
        return;
    }
    if (l4) {
        parse_l4(&p, key, layout);
    }
}

/* The masked operations below view keys as arrays of 64-bit words. memcpy
 * keeps that free of aliasing trouble and compiles to plain loads. */
static inline uint64_t
flowkey_word(const struct flowkey *key, size_t i)
{
    uint64_t word;

    memcpy(&word, (const uint8_t *) key + i * 8, 8);
    return word;
}

void
flowkey_mask_canonicalize(const struct flowkey *key, struct flowkey *mask)
{
    mask->eth_type = UINT16_MAX;
    for (int i = 0; i < FLOWKEY_MAX_VLANS; i++) {
        mask->vlans[i].tpid = UINT16_MAX;
        if (!(key->vlans[i].tci & FLOWKEY_VLAN_PRESENT)) {
            mask->vlans[i].tci = UINT16_MAX;
            break;
        }
        mask->vlans[i].tci |= FLOWKEY_VLAN_PRESENT;
    }
}

void
flowkey_apply_mask(struct flowkey *dst, const struct flowkey *key,
                   const struct flowkey *mask)
{
    for (size_t i = 0; i < FLOWKEY_U64S; i++) {
        uint64_t word = flowkey_word(key, i) & flowkey_word(mask, i);

        memcpy((uint8_t *) dst + i * 8, &word, 8);
    }
}

bool
flowkey_equal_masked(const struct flowkey *a, const struct flowkey *b,
                     const struct flowkey *mask)
{
    uint64_t diff = 0;

    /* No early exit: 17 words are cheaper than a mispredicted branch. */
    for (size_t i = 0; i < FLOWKEY_U64S; i++) {
        diff |= (flowkey_word(a, i) ^ flowkey_word(b, i)) & flowkey_word(mask, i);
    }
    return !diff;
}

uint32_t
flowkey_hash_masked(const struct flowkey *key, const struct flowkey *mask,
                    uint32_t basis)
{
    uint32_t hash = basis;

    for (size_t i = 0; i < FLOWKEY_U64S; i++) {
        hash = hash_add64(hash, flowkey_word(key, i) & flowkey_word(mask, i));
    }
    return hash_finish(hash, sizeof *key);
}

uint32_t
flowkey_hash(const struct flowkey *key, uint32_t basis)
{
    uint32_t hash = basis;

    for (size_t i = 0; i < FLOWKEY_U64S; i++) {
        hash = hash_add64(hash, flowkey_word(key, i));
    }
    return hash_finish(hash, sizeof *key);
}
