/* tnl-header: the wire formats of tunnel encapsulation, as pure functions
 * over byte buffers (no sockets), so that they are unit-tested and fuzzed
 * on their own.
 *
 *   VXLAN  (RFC 7348): UDP, 8-byte header, flags 0x08 (I), 24-bit VNI.
 *   Geneve (RFC 8926): UDP, 8-byte header + options (4-byte words),
 *                      protocol 0x6558 (Ethernet), 24-bit VNI.
 *   GRE    (RFC 2784, 2890): IP protocol 47, optional checksum and key,
 *                      protocol 0x6558 (transparent Ethernet bridging).
 *
 * Building writes the outer Ethernet, IPv4 and UDP/GRE headers and the
 * tunnel header in front of an inner Ethernet frame; parsing takes what a
 * UDP socket delivers (the UDP payload) or what a raw IPPROTO_GRE socket
 * delivers (the IPv4 packet) and finds the inner frame. */
#ifndef SY_TNL_HEADER_H
#define SY_TNL_HEADER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swconfig.h"

#define TNL_ETH_P_TEB 0x6558        /* Transparent Ethernet bridging. */
#define TNL_IP_PROTO_GRE 47
#define TNL_VXLAN_HEADER_SIZE 8
#define TNL_GENEVE_HEADER_SIZE 8
#define TNL_GENEVE_MAX_OPTS 252     /* 63 words of options. */
/* Outer Ethernet + IPv4 + the largest header we build (UDP + Geneve with
 * the most options). */
#define TNL_MAX_OUTER_SIZE (14 + 20 + 8 + TNL_GENEVE_HEADER_SIZE + TNL_GENEVE_MAX_OPTS)

/* A packet's tunnel metadata: what the outer headers said on receipt, or
 * what they are to say on sending. */
struct tnl_md {
    uint64_t tun_id;            /* VNI or GRE key. */
    uint32_t ip_src;            /* Outer IPv4 source, network order. */
    uint32_t ip_dst;            /* Outer IPv4 destination, network order. */
    uint16_t flags;             /* FLOWKEY_TUN_* (KEY, CSUM, DF). */
    uint8_t tos;                /* Outer TOS. */
    uint8_t ttl;                /* Outer TTL. */
    uint16_t geneve_opts_size;  /* Bytes at 'geneve_opts' (multiple of 4). */
    const uint8_t *geneve_opts; /* Geneve option list (RFC 8926 3.5), in
                                 * the received packet or the action that
                                 * set it; NULL if none. */
};

/* What the outer headers are built from. */
struct tnl_build {
    enum sw_port_type type;     /* SW_PORT_VXLAN, _GENEVE or _GRE. */
    struct tnl_md md;           /* Addresses, key, TOS, TTL, flags. */
    uint8_t eth_src[6];         /* Outer Ethernet: our interface ... */
    uint8_t eth_dst[6];         /* ... and the next hop. */
    uint16_t udp_src;           /* UDP source port (flow entropy). */
    uint16_t udp_dst;           /* UDP destination port. */
    uint16_t ip_id;             /* IPv4 identification. */
};

/* Size of the outer headers for 'b' (Ethernet included). */
size_t tnl_outer_size(const struct tnl_build *b);

/* Writes the outer headers for an inner frame of 'inner_size' bytes at
 * 'inner' into 'out' (tnl_outer_size() bytes), with the IPv4 checksum and,
 * when b->md.flags has FLOWKEY_TUN_CSUM, the UDP or GRE checksum over the
 * inner frame too. Returns the number of bytes written. */
size_t tnl_build_outer(const struct tnl_build *b, const uint8_t *inner, size_t inner_size,
                       uint8_t *out);

/* Parses the UDP payload of a VXLAN or Geneve packet: on success returns 0
 * with md->tun_id, md->flags (KEY; Geneve's OAM is not kept) and Geneve's
 * option list (md->geneve_opts points into 'data') filled and
 * '*header_size' the bytes before the inner frame. Returns EINVAL for a
 * packet to drop: too short, wrong flags or version, not Ethernet, no room
 * for an inner Ethernet header; EBADMSG, with md->tun_id filled, for a
 * Geneve option list whose option lengths do not add up, or whose header
 * says "critical options" when none is (whether a critical option is
 * understood is for the TLV map to say: tun_md_from_geneve()). */
int tnl_parse_udp_payload(enum sw_port_type, const uint8_t *data, size_t size,
                          struct tnl_md *md, size_t *header_size);

/* Parses an IPv4 packet carrying GRE (as a raw IPPROTO_GRE socket reads
 * it): fills md (addresses, TOS, TTL, key, CSUM/DF flags) and
 * '*inner_offset'. Returns 0, or EINVAL for a packet to drop (bad IPv4
 * header, a fragment, GRE version or routing bits, wrong checksum, not
 * Ethernet, no room for an inner Ethernet header). */
int tnl_parse_gre(const uint8_t *ip, size_t size, struct tnl_md *md, size_t *inner_offset);

#endif
