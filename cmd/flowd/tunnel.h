/* tunnel: VXLAN, Geneve and GRE ports of the userspace datapath.
 *
 * One 'struct tunnels' per flowd holds every bridge's tunnel ports, the
 * sockets that receive encapsulated packets, and what sending needs.
 *
 * Receiving. The kernel's own stack receives for us: a UDP socket bound to
 * each UDP port in use (4789 VXLAN, 6081 Geneve, or a port's dst_port) and
 * one raw IPPROTO_GRE socket. That works on whatever interface the packet
 * arrives, with the kernel's IP reassembly, UDP checksum check and local
 * address filtering, and costs one recvmmsg() per batch of 32. The inner
 * frame goes to the tunnel port whose type, UDP port, remote_ip (the outer
 * source), local_ip (the outer destination) and key match, exact settings
 * before "flow" ones, with tun_id/tun_src/tun_dst in its flow key.
 *
 * Sending. The outer Ethernet, IPv4 and UDP/GRE headers are built here
 * from the port's settings and the packet's tunnel metadata (the
 * set(tunnel(...)) action). The route to the remote (output interface,
 * source address, gateway, MTU) and the next hop's MAC come from the
 * kernel's routing and neighbour tables over rtnetlink, cached per remote
 * and looked up again every few seconds by tunnels_run() (so a packet waits
 * for rtnetlink only the first time it goes somewhere, or while the next
 * hop is not resolved yet); the frame then leaves through
 * that interface on an AF_PACKET socket, so the underlay is any interface
 * the host routes through, on a switchyard bridge or not. While the next
 * hop's MAC is not known yet, the packet goes out through a raw IP socket
 * instead, which makes the kernel resolve it (and queue the packet until
 * it has).
 *
 * A packet that does not fit the route's MTU once encapsulated is dropped
 * and counted (tx_dropped, with a rate-limited log line that says by how
 * much), never truncated; DF is set on the outer header by default.
 *
 * Per packet there is no allocation and no system call besides the send. */
#ifndef FLOWD_TUNNEL_H
#define FLOWD_TUNNEL_H 1

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "dp-packet.h"
#include "tnl-config.h"
#include "tnl-header.h"

struct dp_user;
struct tunnels;

struct tnl_port_stats {
    uint64_t rx_packets, rx_bytes;
    uint64_t tx_packets, tx_bytes;
    uint64_t tx_dropped;            /* Too big for the path, no route, ... */
    uint64_t rx_dropped;            /* Received for this port but bad. */
};

struct tnl_port {
    char *name;                     /* Port name. */
    struct tnl_config cfg;
    struct dp_user *dp;             /* Its bridge's datapath. */
    uint32_t port_no;               /* Its datapath port number. */
    struct tnl_port_stats stats;
    char *error;                    /* Why it cannot receive, or NULL. */
};

struct tunnels *tunnels_create(void);
void tunnels_destroy(struct tunnels *);

/* Adds a tunnel port of datapath 'dp' numbered 'port_no'; opens the
 * receive socket it needs (a failure, e.g. the UDP port taken by a kernel
 * vxlan device, goes into the port's 'error' and 'errors'). */
struct tnl_port *tunnels_port_add(struct tunnels *, struct dp_user *dp, uint32_t port_no,
                                  const char *name, const struct tnl_config *,
                                  struct buf *errors);
void tunnels_port_del(struct tunnels *, struct tnl_port *);

/* Sends 'p' (an Ethernet frame) through tunnel port 'port' with the outer
 * header fields of 'md' (from a set(tunnel) action; NULL: the port's own
 * settings). */
void tunnels_send(struct tunnels *, struct tnl_port *port, const struct dp_packet *p,
                  const struct tnl_md *md);

/* Poll integration: the receive sockets, and reading what is waiting on
 * the one at 'index' of those filled. */
int tunnels_fill_pollfds(const struct tunnels *, struct pollfd *, int max);
void tunnels_receive(struct tunnels *, int index);

/* Periodic work: drops cached routes that are due to be looked up again. */
void tunnels_run(struct tunnels *, long long now);

#endif
