/* flowkey: the datapath's view of a packet. flowkey_extract() parses an
 * Ethernet frame (802.1Q/802.1ad single and double tag, ARP, IPv4 with
 * fragments, IPv6 with extension headers, TCP, UDP, SCTP, ICMP, ICMPv6
 * including neighbour discovery) into a fixed-size struct that the megaflow
 * table matches under a mask of the same type.
 *
 * Layout rules, because the megaflow table hashes and compares keys as
 * arrays of uint64_t: no implicit padding, size a multiple of 8, and every
 * byte not set by the parser is zero. Addresses are kept in network byte
 * order (as on the wire); small numbers (ports, types, VLAN TCI, flags) in
 * host byte order.
 *
 * Malformed or truncated packets never fail: the key holds what could be
 * parsed, and the fields of the layer that was cut short stay zero (the way
 * the kernel datapath treats them). */
#ifndef SY_FLOWKEY_H
#define SY_FLOWKEY_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FLOWKEY_MAX_VLANS 2

/* nw_frag bits. Not a fragment: 0; first fragment: ANY; later: ANY|LATER. */
#define FLOWKEY_FRAG_ANY   0x01
#define FLOWKEY_FRAG_LATER 0x02

/* tun_flags bits. */
#define FLOWKEY_TUN_KEY    0x01  /* tun_id is present. */
#define FLOWKEY_TUN_CSUM   0x02  /* Outer checksum present/wanted. */
#define FLOWKEY_TUN_DF     0x04  /* Don't-fragment on the outer header. */

/* Geneve options as fields (see tun-metadata.h): tun_metadata0..N-1, each
 * at most FLOWKEY_TUN_MD_SIZE bytes, kept right-aligned in network order
 * in its own slot, so that the OpenFlow field table can describe them. */
#define FLOWKEY_TUN_MD_FIELDS 8
#define FLOWKEY_TUN_MD_SIZE 8

/* eth_type for 802.2/802.3 frames that carry a length, not a type. */
#define FLOWKEY_ETH_TYPE_NONE 0x05ff

/* TCI bit that says "a tag is present" in masks and keys (the CFI/DEI bit
 * position, as the kernel datapath does it). The real DEI is not kept. */
#define FLOWKEY_VLAN_PRESENT 0x1000
#define FLOWKEY_VLAN_VID_MASK 0x0fff
#define FLOWKEY_VLAN_PCP_MASK 0xe000
#define FLOWKEY_VLAN_PCP_SHIFT 13

struct flowkey_vlan {
    uint16_t tpid;              /* 0x8100 or 0x88a8; 0 when no tag. */
    uint16_t tci;               /* PCP | FLOWKEY_VLAN_PRESENT | VID. */
};

struct flowkey {
    /* Tunnel metadata: set on decapsulation (tunnel issue), else zero. */
    uint64_t tun_id;            /* Tunnel key: VNI, GRE key. */
    uint32_t tun_src;           /* Outer IPv4 source, network order. */
    uint32_t tun_dst;           /* Outer IPv4 destination, network order. */
    uint16_t tun_flags;         /* FLOWKEY_TUN_*. */
    uint8_t tun_tos;            /* Outer TOS. */
    uint8_t tun_ttl;            /* Outer TTL. */
    uint32_t in_port;           /* Datapath port the packet arrived on. */
    uint8_t tun_md_present;     /* Bit N: tun_metadataN is present. */
    uint8_t pad0[7];            /* Zero. */
    uint8_t tun_metadata[FLOWKEY_TUN_MD_FIELDS][FLOWKEY_TUN_MD_SIZE];
                                /* Mapped Geneve option values. */

    /* Ethernet. */
    uint8_t eth_src[6];
    uint8_t eth_dst[6];
    struct flowkey_vlan vlans[FLOWKEY_MAX_VLANS]; /* Outermost first. */
    uint16_t eth_type;          /* Innermost ethertype (after the tags). */

    /* IPv4, IPv6 and ARP. */
    uint8_t nw_proto;           /* IP protocol; for ARP the opcode's low byte. */
    uint8_t nw_tos;             /* DSCP and ECN (IPv6: traffic class). */
    uint8_t nw_ttl;             /* TTL / hop limit. */
    uint8_t nw_frag;            /* FLOWKEY_FRAG_* bits. */
    uint8_t pad1[2];            /* Zero. */
    uint32_t ipv4_src;          /* IPv4 source; ARP sender address. */
    uint32_t ipv4_dst;          /* IPv4 destination; ARP target address. */
    uint32_t ipv6_label;        /* IPv6 flow label (20 bits). */
    uint8_t ipv6_src[16];
    uint8_t ipv6_dst[16];
    uint8_t nd_target[16];      /* ICMPv6 NS/NA target address. */
    uint8_t arp_sha[6];         /* ARP sender hardware address; ND SLL. */
    uint8_t arp_tha[6];         /* ARP target hardware address; ND TLL. */

    /* Transport. */
    uint16_t tp_src;            /* TCP/UDP/SCTP source port; ICMP type. */
    uint16_t tp_dst;            /* TCP/UDP/SCTP destination port; ICMP code. */
    uint16_t tcp_flags;         /* TCP flags (low 12 bits). */
    uint8_t pad2[6];            /* Zero. */
};

_Static_assert(sizeof(struct flowkey) % 8 == 0, "flowkey must be a multiple of 8 bytes");
#define FLOWKEY_U64S (sizeof(struct flowkey) / 8)

/* Where each layer starts in the frame, for actions that rewrite headers.
 * An offset of 0xffff means "absent". */
struct flowkey_layout {
    uint16_t l2_5;              /* First VLAN tag, if any. */
    uint16_t l3;                /* IP/ARP header (after tags). */
    uint16_t l4;                /* TCP/UDP/SCTP/ICMP header. */
};
#define FLOWKEY_OFS_NONE 0xffff

/* Parses 'frame' (starting at the Ethernet header, VLAN tags inline) into
 * 'key', which it zeroes first. 'layout' may be NULL. */
void flowkey_extract(const void *frame, size_t size, uint32_t in_port,
                     struct flowkey *key, struct flowkey_layout *layout);

/* Widens 'mask' (for 'key') to what every datapath flow must match, as
 * the kernel datapath insists too: the eth_type exactly, and the VLAN tag
 * structure exactly (each tag's TPID and presence, and an absent tag with
 * an all-ones mask). Then the printed form "eth_type(0x0800)" without a
 * vlan() means exactly "untagged", and text round-trips. */
void flowkey_mask_canonicalize(const struct flowkey *key, struct flowkey *mask);

/* 'dst' = 'key' & 'mask', word by word. */
void flowkey_apply_mask(struct flowkey *dst, const struct flowkey *key,
                        const struct flowkey *mask);

/* True if 'a' and 'b' are equal under 'mask'. */
bool flowkey_equal_masked(const struct flowkey *a, const struct flowkey *b,
                          const struct flowkey *mask);

/* Hash of 'key' under 'mask' (key must already be masked or not: only
 * the masked bits are hashed). */
uint32_t flowkey_hash_masked(const struct flowkey *key, const struct flowkey *mask,
                             uint32_t basis);
uint32_t flowkey_hash(const struct flowkey *key, uint32_t basis);

static inline bool
flowkey_is_ip(const struct flowkey *key)
{
    return key->eth_type == 0x0800 || key->eth_type == 0x86dd;
}

#endif
