/* dp-user: the userspace datapath. One per bridge, named after it. It owns
 * the bridge's ports (netdevs by datapath port number; port 0 is the
 * bridge's own internal port), the megaflow table and the action executor.
 *
 * Per packet: port rx -> flow key -> exact-match cache -> megaflow table
 * -> actions -> port tx. A miss becomes an upcall: a direct call into the
 * bridge's pipeline in the same thread, which returns the actions and the
 * mask of the fields it looked at; the datapath installs that as a megaflow
 * and executes the actions on the packet. */
#ifndef FLOWD_DP_USER_H
#define FLOWD_DP_USER_H 1

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "bond.h"
#include "buf.h"
#include "dp-packet.h"
#include "dpif.h"
#include "log.h"
#include "netdev.h"
#include "token-bucket.h"
#include "tun-metadata.h"

/* Upcalls a port may cause per second (and its burst): a VM that sends a
 * storm of new flows spends its own budget, not the other ports' share of
 * the pipeline. */
#define DP_USER_DEFAULT_UPCALL_LIMIT 20000

struct dp_port {
    uint32_t port_no;               /* Datapath port number. */
    char *name;                     /* Device name. */
    enum netdev_kind kind;
    struct netdev *netdev;          /* NULL while the device is absent. */
    struct tnl_port *tunnel;        /* A tunnel port's state, else NULL. */
    char *error;                    /* Why it is not open, or NULL. */
    long long next_retry;           /* When to try opening it again. */
    bool admin_down;                /* Drops what it receives and is sent. */
    bool patch;                     /* A patch port: no device; output enters
                                     * 'peer_dp' through 'peer_port_no'. */
    struct dp_user *peer_dp;        /* Patch peer's datapath, NULL if none. */
    uint32_t peer_port_no;          /* Patch peer's port there. */
    uint64_t patch_rx_packets, patch_rx_bytes;  /* Patch ports' counters. */
    uint64_t patch_tx_packets, patch_tx_bytes;
    struct bond *bond;              /* A bond port's members, NULL if none. */
    struct token_bucket *policer;   /* Ingress policing, NULL if none. */
    uint64_t n_policed;             /* Packets the policer dropped. */
    uint32_t shaping_rate_kbps;     /* Egress shaping (tc tbf), 0 if none. */
    uint32_t shaping_burst_kbit;
    uint32_t upcall_tokens;         /* Upcalls it may still cause now. */
    long long upcall_refill;        /* When the tokens were last refilled. */
    uint64_t n_upcall_dropped;      /* Misses dropped over the upcall limit. */
    struct offload_port *offload;   /* Offloaded flows in (dp-offload.c). */
    uint64_t offload_rx_packets;    /* What the kernel forwarded for flowd's */
    uint64_t offload_rx_bytes;      /* offloaded flows, in and out of here. */
    uint64_t offload_tx_packets;
    uint64_t offload_tx_bytes;
};

/* How many times one packet may pass through patch ports into the same
 * datapath: bounds a loop of patch ports between bridges. */
#define DP_USER_PATCH_MAX_DEPTH 4
struct tnl_port;
struct tunnels;
struct offload_port;
struct dp_offload;

struct dp_user {
    struct dpif up;                 /* Name, flow table, callbacks, counters. */
    struct tunnels *tunnels;        /* flowd's tunnel ports (tunnel.h). */
    struct dp_port **ports;         /* Indexed by port number; NULL = none. */
    uint32_t n_ports_allocated;
    uint32_t upcall_limit;          /* Upcalls per second per port. */
    uint64_t n_upcall_dropped;      /* Misses dropped (upcall limit). */
    struct log_ratelimit warn_rl;   /* For warnings packets can trigger. */
    struct netdev **tx_pending;     /* Netdevs with queued packets. */
    size_t n_tx_pending;
    size_t allocated_tx_pending;
    uint32_t sample_countdown;      /* Packets until 'sample' is due. */
    dp_sample_func *sample;         /* Packet sampler, NULL if none. */
    void *sample_aux;
    unsigned int patch_depth;       /* Packets from patch ports being
                                     * processed, nested. */
    struct tun_md_map tun_md_map;   /* Geneve options -> tun_metadataN: the
                                     * bridge's TLV map. */
    struct dp_offload *offload;     /* Flow offload state (dp-offload.c). */
};

/* The userspace provider of dpif.h: most callers use it through there. */
struct dpif *dp_user_create(const char *name, dp_upcall_func *, void *aux);
struct dp_user *dp_user_cast(struct dpif *);
/* 'dpif' as a userspace datapath, NULL if it is another kind; and its port
 * 'port_no', NULL if there is none (or it is another kind): for the
 * features only this datapath has (patch ports, bonds, tunnels, policing). */
struct dp_user *dp_user_of(struct dpif *);
struct dp_port *dp_user_port_of(struct dpif *, uint32_t port_no);

/* Adds port 'port_no' on device 'name'. A device that does not exist yet
 * is not an error: the port stays absent and is opened when it appears. */
struct dp_port *dp_user_port_add(struct dp_user *, uint32_t port_no, const char *name,
                                 enum netdev_kind);
/* Adds a patch port: no device; dp_user_patch_connect() names its peer. */
struct dp_port *dp_user_patch_add(struct dp_user *, uint32_t port_no, const char *name);
/* Points patch port 'port' at 'peer_port_no' of 'peer' (NULL: unconnected,
 * what it is sent is dropped). */
void dp_user_patch_connect(struct dp_port *port, struct dp_user *peer, uint32_t peer_port_no);
/* Adds a bond port over member devices 'members' (see bond.h); 'lacp' is
 * "active", "passive", or NULL/"off". */
struct dp_port *dp_user_bond_add(struct dp_user *, uint32_t port_no, const char *name,
                                 enum bond_mode, const char *lacp, char **members,
                                 size_t n_members);
void dp_user_port_del(struct dp_user *, uint32_t port_no);
/* Polices what 'port' receives to 'rate_kbps' (0: no policing) with bursts
 * of 'burst_kbit' (0: the default), as Open vSwitch's
 * ingress_policing_rate and ingress_policing_burst. */
void dp_user_port_set_policing(struct dp_port *, uint32_t rate_kbps, uint32_t burst_kbit);
/* Shapes what 'port' sends to 'rate_kbps' (0: no shaping) with a tc tbf
 * qdisc on its device, put back each time the device is opened. */
void dp_user_port_set_shaping(struct dp_port *, uint32_t rate_kbps, uint32_t burst_kbit);
/* Adds port 'port_no' as tunnel port 'tunnel' (owned from now on: deleting
 * the port deletes it from dp->tunnels). */
struct dp_port *dp_user_tunnel_port_add(struct dp_user *, uint32_t port_no, const char *name,
                                        struct tnl_port *tunnel);
struct dp_port *dp_user_port(const struct dp_user *, uint32_t port_no);

/* Fills pollfds for ports with an open netdev (a bond: one per open
 * member); 'ports' gets the matching port for each. Returns how many were
 * filled. */
int dp_user_fill_pollfds(const struct dp_user *, struct pollfd *, void **ports, int max);
/* Receives and processes what is waiting on 'port'. */
void dp_user_port_run(struct dp_user *, struct dp_port *);
/* Runs the ports whose receive rings hold packets; true if there were any. */
bool dp_user_run_pending(struct dp_user *);
/* Processes one packet that entered through a patch port ('p->in_port' is
 * that port here) and sends what it outputs. */
void dp_user_patch_receive(struct dp_user *, struct dp_packet *);
/* Processes one packet received from outside a port's netdev (a tunnel):
 * its in_port and tunnel are set. Outputs are queued: dp_user_flush()
 * after a batch. */
void dp_user_receive(struct dp_user *, struct dp_packet *);
/* Reopens absent or replaced devices. Returns true if a port changed. */
bool dp_user_ports_run(struct dp_user *, long long now);
/* Makes the next dp_user_ports_run() try absent ports at once (a device
 * just appeared). */
void dp_user_ports_retry_now(struct dp_user *);

/* Sets the packet sampler ('sample' NULL: none); it first runs on the
 * 'first_skip'th packet from now. Per packet, sampling costs one
 * decrement and a branch. */
void dp_user_set_sampler(struct dp_user *, dp_sample_func *sample, void *aux,
                         uint32_t first_skip);

/* Executes 'actions' on 'packet' (which may be modified). Outputs are
 * queued per port: the packet's bytes must stay valid until
 * dp_user_flush(), which the caller does after a batch (receiving does it
 * before the ring frames go back to the kernel). */
void dp_user_execute(struct dp_user *, struct dp_packet *, const void *actions,
                     size_t size);
void dp_user_flush(struct dp_user *);

#endif
