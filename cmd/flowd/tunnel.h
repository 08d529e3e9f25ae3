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
 * A packet that does not fit the route's MTU once encapsulated is never
 * truncated. Its sender hears about it as it would from a router (see
 * tnl-pmtu.h): an IPv4 packet with DF, or an IPv6 packet, is answered with
 * ICMP "fragmentation needed" or ICMPv6 "packet too big" naming the MTU
 * that fits inside (the path's less the encapsulation). The answer enters
 * the bridge as if the tunnel port had received it from the remote, as
 * Linux's vxlan device on a bridge does it, so it reaches the VM by the
 * same flows and MAC table as the remote's own replies (on the VM's port
 * and VLAN). Answers are rate-limited per port (100 a second, bursts of
 * 50) and counted (tx_too_big_replies). What is not answered (IPv4
 * without DF, an MTU below 576 or 1280, over the rate, ...) is dropped and
 * counted (tx_dropped, with a rate-limited log line that says by how
 * much) on a port with DF on the outer header, the default: a tunnel
 * endpoint must not fragment (RFC 7348 4.3), and a physical switch drops
 * a frame too big for its egress too. A port with df_default=false sends
 * it as outer IPv4 fragments instead, as Linux's vxlan does by default;
 * the remote's IP stack reassembles them (switchyard's and Linux's do).
 *
 * Per packet there is no allocation and no system call besides the send. */
#ifndef FLOWD_TUNNEL_H
#define FLOWD_TUNNEL_H 1

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "dp-packet.h"
#include "log.h"
#include "tnl-config.h"
#include "tnl-header.h"

struct dp_user;
struct tunnels;

struct tnl_port_stats {
    uint64_t rx_packets, rx_bytes;
    uint64_t tx_packets, tx_bytes;
    uint64_t tx_dropped;            /* Too big for the path and not
                                     * answered, no route, ... */
    uint64_t tx_too_big_replies;    /* Too big for the path, answered with
                                     * ICMP/ICMPv6 (not in tx_dropped). */
    uint64_t rx_dropped;            /* Received for this port but bad. */
};

struct tnl_port {
    char *name;                     /* Port name. */
    struct tnl_config cfg;
    struct dp_user *dp;             /* Its bridge's datapath. */
    uint32_t port_no;               /* Its datapath port number. */
    struct tnl_port_stats stats;
    char *error;                    /* Why it cannot receive, or NULL. */
    int rx_errno;                   /* The errno behind 'error'. */
    long long next_retry;           /* When to try receiving again. */
    struct log_ratelimit reply_rl;  /* Limits "too big" answers. */
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

/* What is wrong with a tunnel port, for "tunnel show": a reason code that
 * scripts may rely on (tunnel(8) lists them) and a sentence for people that
 * says what and, when it can, what to do. */
struct tnl_diagnosis {
    const char *reason;             /* TNL_REASON_*; NULL: nothing known. */
    char text[256];
};

#define TNL_REASON_INVALID_CONFIG "invalid_config"      /* Settings refused. */
#define TNL_REASON_UDP_PORT_IN_USE "udp_port_in_use"    /* Someone else's. */
#define TNL_REASON_CANNOT_RECEIVE "cannot_receive"      /* Other socket errors. */
#define TNL_REASON_VPORT_MISSING "vport_missing"        /* Kernel datapath. */
#define TNL_REASON_LOCAL_IP_NOT_LOCAL "local_ip_not_local"
#define TNL_REASON_REMOTE_IS_LOCAL "remote_ip_is_local"
#define TNL_REASON_NO_ROUTE "no_route"                  /* To remote_ip. */
#define TNL_REASON_NEIGHBOUR "neighbour_unresolved"     /* Next hop's ARP fails. */

/* Why 'port' cannot receive, if it cannot. */
void tunnels_diagnose_receive(const struct tnl_port *port, struct tnl_diagnosis *);
/* Why packets to the remote of 'cfg' would not leave, looked up now in the
 * host's addresses, routes and neighbours (as the kernel datapath's
 * vports would route them, too). Nothing for remote_ip=flow. */
void tunnels_diagnose_path(struct tunnels *, const struct tnl_config *,
                           struct tnl_diagnosis *);

/* Delivers the "too big" answers that sending queued (into the bridges,
 * as received from their tunnel ports). Called after each round of
 * packet processing, never from inside one. */
void tunnels_deliver_replies(struct tunnels *);

/* Periodic work: drops cached routes that are due to be looked up again,
 * and retries the receive sockets of ports that could not open theirs. */
void tunnels_run(struct tunnels *, long long now);

#endif
