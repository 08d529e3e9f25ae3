/* tnl-pmtu: path MTU discovery for the VMs behind a tunnel port, as pure
 * functions over byte buffers (no sockets), unit-tested and fuzzed on
 * their own.
 *
 * A VM sees an Ethernet segment with its own MTU (1500, say); behind the
 * tunnel port, its frame gains the outer headers (50 bytes for VXLAN over
 * IPv4) and may no longer fit the underlay's path MTU. No router lies
 * between the VM and its peer, so nobody would tell the VM. The tunnel
 * does, as Linux's vxlan/geneve devices on a bridge do
 * (skb_tunnel_check_pmtu(), net/ipv4/ip_tunnel_core.c): it answers the
 * sender with the message a router would have sent,
 *
 *   IPv4 with DF: ICMP "fragmentation needed" (type 3 code 4, RFC 1191),
 *                 next-hop MTU = the path MTU less the encapsulation,
 *                 only when that is at least 576;
 *   IPv6:         ICMPv6 "packet too big" (type 2, RFC 8201), only when
 *                 that MTU is at least 1280 (IPv6's minimum),
 *
 * sourced from the packet's own destination (IP addresses and MACs
 * swapped, VLAN tags kept), because that is the only address the VM's
 * stack accepts it from on an L2 segment. The message quotes the start of
 * the packet, as much as fits 576 (IPv4) or 1280 (IPv6) bytes, and never
 * more than the frame holds.
 *
 * No answer for what a router would not answer either: IPv4 without DF or
 * a fragment past the first, a multicast, broadcast, loopback or zero
 * address, a multicast source MAC, an ICMP error (or ICMPv6 error or
 * redirect) itself, or a header too short or malformed to tell. */
#ifndef SY_TNL_PMTU_H
#define SY_TNL_PMTU_H 1

#include <stddef.h>
#include <stdint.h>

#define TNL_PMTU_MIN_IPV4 576       /* No "fragmentation needed" below. */
#define TNL_PMTU_MIN_IPV6 1280      /* No "packet too big" below. */
#define TNL_PMTU_MAX_VLANS 2        /* Tags kept in front of the IP header. */
/* The largest answer: Ethernet, two VLAN tags, an IPv6 minimum MTU. */
#define TNL_PMTU_REPLY_MAX (14 + 4 * TNL_PMTU_MAX_VLANS + TNL_PMTU_MIN_IPV6)

/* 'frame' ('size' bytes, an Ethernet frame) is bigger than 'max_frame'
 * bytes, the most that fits the tunnel's path once encapsulated. If its
 * sender is due an answer (see above), writes it into 'out'
 * (TNL_PMTU_REPLY_MAX bytes), stores the MTU it announces in '*mtu' and
 * returns its size; returns 0 otherwise. */
size_t tnl_pmtu_reply(const uint8_t *frame, size_t size, size_t max_frame, uint8_t *out,
                      unsigned int *mtu);

#endif
