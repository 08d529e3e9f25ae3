/* netdev: packet I/O on one port of the userspace datapath.
 *
 * Two kinds: an AF_PACKET socket with an mmap'd receive ring bound to an
 * existing device (veth, tap, physical NIC), and a tap device that flowd
 * creates itself for an internal port (the bridge's own device).
 *
 * Receiving hands out packets that point into the ring; they stay valid
 * until netdev_rx_release(), which returns the frames to the kernel. */
#ifndef FLOWD_NETDEV_H
#define FLOWD_NETDEV_H 1

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "dp-packet.h"

enum netdev_kind {
    NETDEV_AFPACKET,            /* Attach to an existing device. */
    NETDEV_TAP,                 /* Create a tap device for an internal port. */
    NETDEV_PATCH,               /* None: a patch port between datapaths. */
    NETDEV_BOND,                /* None: a bond's members have their own. */
    NETDEV_TUNNEL,              /* None: flowd's tunnel sockets (tunnel.h). */
};

struct netdev_stats {
    uint64_t rx_packets, rx_bytes, rx_dropped;  /* Dropped: truncated/ring loss. */
    uint64_t tx_packets, tx_bytes, tx_errors;
    uint64_t tx_dropped;            /* Device down or its queue full. */
};

struct netdev;

/* Opens 'name'. Returns 0, ENODEV when the device does not exist (for
 * AF_PACKET), or another errno, with a message in 'error'. */
int netdev_open(const char *name, enum netdev_kind, struct netdev **, struct buf *error);
void netdev_close(struct netdev *);

const char *netdev_name(const struct netdev *);
enum netdev_kind netdev_kind(const struct netdev *);
int netdev_fd(const struct netdev *);
int netdev_ifindex(const struct netdev *);
const struct netdev_stats *netdev_get_stats(const struct netdev *);

/* Receives up to DP_PACKET_BATCH packets into 'batch' (in_port is left for
 * the caller). Returns 0 (batch->count may be 0), or an errno when the
 * device is gone or broken. */
int netdev_rx_batch(struct netdev *, struct dp_packet_batch *batch);
/* Gives the frames of the last batch back to the kernel. */
void netdev_rx_release(struct netdev *);
/* True if a packet waits in the receive ring (a memory read, no system
 * call). Always false for a tap, which has no ring: poll() tells. */
bool netdev_rx_pending(const struct netdev *);

/* Sends one packet with its offload state; never blocks. Returns 0 or an
 * errno (counted too). */
int netdev_send(struct netdev *, const struct dp_packet *);

/* Queues a packet to send with the next netdev_flush() (one sendmmsg() for
 * the whole queue, flushed early when full). The packet's bytes must stay
 * unchanged until then; its offload header is copied. A tap sends at once. */
void netdev_send_queued(struct netdev *, const struct dp_packet *);
void netdev_flush(struct netdev *);
bool netdev_has_queued(const struct netdev *);

/* Sends through the device's qdisc (false) or straight to its driver
 * (true, the default for AF_PACKET ports). */
int netdev_set_qdisc_bypass(struct netdev *, bool bypass, struct buf *error);
/* Puts socket filter 'prog' ('n' instructions; 0: none) on an AF_PACKET
 * port's socket: what it drops never reaches the receive ring (the
 * packets flow offload hands to the kernel, dp-offload.c). Returns 0 or an
 * errno. */
struct sock_filter;
int netdev_set_socket_filter(struct netdev *, const struct sock_filter *prog, size_t n);

/* netdev-shaping.c: egress shaping with a tc tbf qdisc on the device.
 * 'burst_kbit' 0 means 100 ms at the rate. Returns 0 or an errno with a
 * message in 'error'. */
int netdev_shaping_set(struct netdev *, uint32_t rate_kbps, uint32_t burst_kbit,
                       struct buf *error);
/* Removes the qdisc and sends straight to the driver again. */
void netdev_shaping_clear(struct netdev *);
/* The same on device 'name', for a port of the kernel datapath (which
 * sends through the qdisc): ENODEV if there is no such device. */
int netdev_shaping_set_device(const char *name, uint32_t rate_kbps, uint32_t burst_kbit,
                              struct buf *error);
void netdev_shaping_clear_device(const char *name);

#endif
