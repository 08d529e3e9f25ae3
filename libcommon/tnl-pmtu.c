/* tnl-pmtu: see tnl-pmtu.h. Every read of the frame is checked against
 * its size first: the frame is whatever a VM sent. */
#include "tnl-pmtu.h"

#include <stdbool.h>
#include <string.h>

#include "byteorder.h"
#include "packet.h"

#define ICMP_DEST_UNREACH 3
#define ICMP_FRAG_NEEDED 4
#define ICMPV6_PACKET_TOO_BIG 2
#define ICMPV6_REDIRECT 137

/* The offset of the IP header behind the Ethernet header and up to
 * TNL_PMTU_MAX_VLANS tags, and its Ethertype; 0 if there is none. */
static size_t
find_l3(const uint8_t *frame, size_t size, uint16_t *eth_type)
{
    size_t ofs = 14;
    int n_vlans = 0;

    if (size < 14) {
        return 0;
    }
    *eth_type = rd16(frame + 12);
    while (*eth_type == ETH_TYPE_VLAN || *eth_type == ETH_TYPE_QINQ) {
        if (++n_vlans > TNL_PMTU_MAX_VLANS || ofs + 4 > size) {
            return 0;
        }
        *eth_type = rd16(frame + ofs + 2);
        ofs += 4;
    }
    return ofs;
}

static bool
icmp_is_error(uint8_t type)
{
    /* Destination unreachable, source quench, redirect, time exceeded,
     * parameter problem. */
    return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* True if an IPv4 address may be answered from (as a destination) or to
 * (as a source). */
static bool
ipv4_is_unicast(const uint8_t a[4])
{
    return a[0] != 0 && a[0] != 127 && a[0] < 224
           && !(a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
}

static bool
ipv4_wants_reply(const uint8_t *ip, size_t avail)
{
    size_t ihl;

    if (avail < 20 || ip[0] >> 4 != 4) {
        return false;
    }
    ihl = (size_t) (ip[0] & 0x0f) * 4;
    if (ihl < 20 || ihl > avail) {
        return false;
    } else if (rd16(ip + 6) != 0x4000) {
        return false;               /* No DF, or a fragment. */
    } else if (!ipv4_is_unicast(ip + 12) || !ipv4_is_unicast(ip + 16)) {
        return false;
    } else if (ip[9] == IP_PROTO_ICMP && (ihl >= avail || icmp_is_error(ip[ihl]))) {
        return false;               /* Never answer an error (or what might be). */
    }
    return true;
}

static size_t
build_ipv4(const uint8_t *ip, size_t avail, unsigned int mtu, uint8_t *out)
{
    size_t quote = avail, total = rd16(ip + 2);
    uint16_t sum;

    if (total >= 20 && total < quote) {
        quote = total;              /* Not the Ethernet padding. */
    }
    if (quote > TNL_PMTU_MIN_IPV4 - 28) {
        quote = TNL_PMTU_MIN_IPV4 - 28;
    }
    memset(out, 0, 28);
    out[0] = 0x45;
    wr16(out + 2, 28 + quote);
    wr16(out + 6, 0x4000);      /* DF. */
    out[8] = ip[8];                 /* TTL: the packet's own, as Linux. */
    out[9] = IP_PROTO_ICMP;
    memcpy(out + 12, ip + 16, 4);   /* From the packet's destination ... */
    memcpy(out + 16, ip + 12, 4);   /* ... to its source. */
    sum = csum(out, 20);
    memcpy(out + 10, &sum, 2);
    out[20] = ICMP_DEST_UNREACH;
    out[21] = ICMP_FRAG_NEEDED;
    wr16(out + 26, mtu);        /* Next-hop MTU (RFC 1191). */
    memcpy(out + 28, ip, quote);
    sum = csum(out + 20, 8 + quote);
    memcpy(out + 22, &sum, 2);
    return 28 + quote;
}

/* The upper-layer protocol of an IPv6 packet and where it starts, past the
 * extension headers; false if they run past 'avail' or it is a fragment
 * other than the first. */
static bool
ipv6_upper_layer(const uint8_t *ip, size_t avail, uint8_t *proto, size_t *ofs)
{
    *proto = ip[6];
    *ofs = 40;
    for (int i = 0; i < 8; i++) {
        const uint8_t *h = ip + *ofs;
        size_t len;

        switch (*proto) {
        case 0:                     /* Hop-by-hop options. */
        case 43:                    /* Routing. */
        case 60:                    /* Destination options. */
            if (*ofs + 2 > avail) {
                return false;
            }
            len = ((size_t) h[1] + 1) * 8;
            break;
        case 44:                    /* Fragment. */
            if (*ofs + 8 > avail || rd16(h + 2) & 0xfff8) {
                return false;
            }
            len = 8;
            break;
        case 51:                    /* Authentication header. */
            if (*ofs + 2 > avail) {
                return false;
            }
            len = ((size_t) h[1] + 2) * 4;
            break;
        default:
            return true;
        }
        *proto = h[0];
        *ofs += len;
    }
    return false;                   /* Too many to bother. */
}

static bool
ipv6_is_unicast(const uint8_t a[16])
{
    static const uint8_t any[16], loopback[16] = { [15] = 1 };

    return a[0] != 0xff && memcmp(a, any, 16) && memcmp(a, loopback, 16);
}

static bool
ipv6_wants_reply(const uint8_t *ip, size_t avail)
{
    uint8_t proto;
    size_t ofs;

    if (avail < 40 || ip[0] >> 4 != 6) {
        return false;
    } else if (!ipv6_is_unicast(ip + 8) || !ipv6_is_unicast(ip + 24)) {
        return false;
    } else if (!ipv6_upper_layer(ip, avail, &proto, &ofs)) {
        return false;
    } else if (proto == IP_PROTO_ICMPV6
               && (ofs >= avail || ip[ofs] < 128 || ip[ofs] == ICMPV6_REDIRECT)) {
        return false;               /* An error (types below 128) or a redirect. */
    }
    return true;
}

static size_t
build_ipv6(const uint8_t *ip, size_t avail, unsigned int mtu, uint8_t *out)
{
    size_t quote = avail, payload = rd16(ip + 4);
    uint32_t sum;
    uint16_t checksum;

    if (payload + 40 < quote) {
        quote = payload + 40;       /* Not the Ethernet padding. */
    }
    if (quote > TNL_PMTU_MIN_IPV6 - 48) {
        quote = TNL_PMTU_MIN_IPV6 - 48;
    }
    memset(out, 0, 48);
    out[0] = 0x60;
    wr16(out + 4, 8 + quote);
    out[6] = IP_PROTO_ICMPV6;
    out[7] = ip[7];                 /* Hop limit: the packet's own, as Linux. */
    memcpy(out + 8, ip + 24, 16);   /* From the packet's destination ... */
    memcpy(out + 24, ip + 8, 16);   /* ... to its source. */
    out[40] = ICMPV6_PACKET_TOO_BIG;
    wr32(out + 44, mtu);
    memcpy(out + 48, ip, quote);
    sum = csum_pseudo_ipv6(out + 8, out + 24, IP_PROTO_ICMPV6, 8 + quote);
    checksum = csum_finish(csum_partial(out + 40, 8 + quote, sum));
    memcpy(out + 42, &checksum, 2);
    return 48 + quote;
}

size_t
tnl_pmtu_reply(const uint8_t *frame, size_t size, size_t max_frame, uint8_t *out,
               unsigned int *mtu)
{
    uint16_t eth_type = 0;
    size_t l3 = find_l3(frame, size, &eth_type);
    const uint8_t *ip = frame + l3;
    size_t avail = size - l3, ip_size;

    if (!l3 || max_frame <= l3 || eth_addr_is_multicast(frame + 6)
        || eth_addr_is_multicast(frame)) {
        return 0;
    }
    *mtu = max_frame - l3 > 65535 ? 65535 : max_frame - l3;
    if (eth_type == ETH_TYPE_IP && *mtu >= TNL_PMTU_MIN_IPV4 && ipv4_wants_reply(ip, avail)) {
        ip_size = build_ipv4(ip, avail, *mtu, out + l3);
    } else if (eth_type == ETH_TYPE_IPV6 && *mtu >= TNL_PMTU_MIN_IPV6
               && ipv6_wants_reply(ip, avail)) {
        ip_size = build_ipv6(ip, avail, *mtu, out + l3);
    } else {
        return 0;
    }
    memcpy(out, frame + 6, 6);      /* To the sender ... */
    memcpy(out + 6, frame, 6);      /* ... from the MAC it sent to. */
    memcpy(out + 12, frame + 12, l3 - 12);  /* VLAN tags and Ethertype. */
    return l3 + ip_size;
}
