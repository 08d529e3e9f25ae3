/* packet: protocol constants, header layouts, address text conversion and
 * Internet checksums shared by the parser, the action executor and the
 * text formats. */
#ifndef SY_PACKET_H
#define SY_PACKET_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define ETH_ADDR_LEN 6
#define ETH_HEADER_LEN 14
#define VLAN_HEADER_LEN 4

#define ETH_TYPE_IP    0x0800
#define ETH_TYPE_ARP   0x0806
#define ETH_TYPE_VLAN  0x8100
#define ETH_TYPE_QINQ  0x88a8
#define ETH_TYPE_IPV6  0x86dd

#define IP_PROTO_ICMP   1
#define IP_PROTO_TCP    6
#define IP_PROTO_UDP    17
#define IP_PROTO_GRE    47
#define IP_PROTO_ICMPV6 58
#define IP_PROTO_SCTP   132

#define ETH_ADDR_FMT "%02x:%02x:%02x:%02x:%02x:%02x"
#define ETH_ADDR_ARGS(A) (A)[0], (A)[1], (A)[2], (A)[3], (A)[4], (A)[5]

static inline bool
eth_addr_is_multicast(const uint8_t addr[6])
{
    return addr[0] & 1;
}

static inline bool
eth_addr_is_broadcast(const uint8_t addr[6])
{
    return (addr[0] & addr[1] & addr[2] & addr[3] & addr[4] & addr[5]) == 0xff;
}

static inline bool
eth_addr_is_zero(const uint8_t addr[6])
{
    return !(addr[0] | addr[1] | addr[2] | addr[3] | addr[4] | addr[5]);
}

/* "aa:bb:cc:dd:ee:ff" <-> bytes. Parsing returns false on anything else. */
bool eth_addr_from_string(const char *, uint8_t addr[6]);
void eth_addr_format(struct buf *, const uint8_t addr[6]);

/* 16-bit one's complement sum helpers (RFC 1071), network byte order in
 * and out. */
uint32_t csum_partial(const void *, size_t, uint32_t sum);
uint16_t csum_finish(uint32_t sum);
uint16_t csum(const void *, size_t);
/* Incremental update (RFC 1624) of 'csum' when a 16/32-bit field changes. */
uint16_t csum_update16(uint16_t csum, uint16_t old, uint16_t new_);
uint16_t csum_update32(uint16_t csum, uint32_t old, uint32_t new_);
/* Pseudo-header sums for TCP/UDP checksums. */
uint32_t csum_pseudo_ipv4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4_size);
uint32_t csum_pseudo_ipv6(const uint8_t src[16], const uint8_t dst[16], uint8_t proto,
                          uint32_t l4_size);
/* CRC32c (Castagnoli, RFC 9260 appendix A) of 'size' bytes: SCTP's
 * checksum, stored in the packet least significant byte first. */
uint32_t crc32c(const void *, size_t size);

#endif
