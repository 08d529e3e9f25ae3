/* dp-packet: a packet as the userspace datapath handles it. The bytes live
 * wherever they were received (an AF_PACKET ring frame or a tap read
 * buffer) with some writable headroom in front, so that VLAN pushes and
 * other header growth happen in place without a copy.
 *
 * Offloads travel with the packet as a virtio-net header, the way virtio
 * carries them: a TCP super-frame (GSO) or a packet whose checksum the
 * sender left to "hardware" passes through the switch as it is, and the
 * kernel segments or checksums it only where it finally needs to. */
#ifndef FLOWD_DP_PACKET_H
#define FLOWD_DP_PACKET_H 1

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stdint.h>

#define DP_PACKET_BATCH 32

struct tnl_md;

struct dp_packet {
    uint8_t *data;              /* Start of the Ethernet header. */
    uint32_t size;              /* Bytes from 'data' on. */
    uint32_t headroom;          /* Writable bytes before 'data'. */
    uint32_t in_port;           /* Datapath port it arrived on. */
    struct virtio_net_hdr vnet; /* GSO and checksum offload state;
                                 * csum_start counts from 'data'. */
    const struct tnl_md *tunnel; /* Outer headers it was received with,
                                  * NULL if not from a tunnel. */
};

struct dp_packet_batch {
    struct dp_packet packets[DP_PACKET_BATCH];
    unsigned int count;
};

/* Makes room for 'n' more bytes at the front; false without headroom. */
static inline bool
dp_packet_push(struct dp_packet *p, uint32_t n)
{
    if (p->headroom < n) {
        return false;
    }
    p->data -= n;
    p->size += n;
    p->headroom -= n;
    if (p->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        p->vnet.csum_start += n;
    }
    if (p->vnet.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
        p->vnet.hdr_len += n;
    }
    return true;
}

static inline void
dp_packet_pull(struct dp_packet *p, uint32_t n)
{
    p->data += n;
    p->size -= n;
    p->headroom += n;
    if (p->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        p->vnet.csum_start -= n;
    }
    if (p->vnet.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
        p->vnet.hdr_len -= n;
    }
}

#endif
