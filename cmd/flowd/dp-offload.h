/* dp-offload: flow offload for the userspace datapath. A megaflow that
 * keeps matching packets, whose actions only send them out of other
 * AF_PACKET ports, is handed to the kernel: a tc u32 filter on the input
 * device's ingress sends its packets straight to the output devices
 * (mirred), and a socket filter keeps them out of flowd's receive ring
 * (offload-match.h says which packets both take). Such packets cost no
 * copy to and from flowd and no wake-up of it, so they cross the bridge
 * about as fast as through the Linux bridge.
 *
 * The megaflow stays in flowd's table and stays the truth: its counters
 * are brought up from the filter's (every run and before statistics are
 * reported), so OpenFlow rule counters, idle timeouts, MAC learning,
 * NetFlow and port counters go on as if flowd had forwarded the packets;
 * removing the megaflow (revalidation, a MAC move, a rule change, expiry)
 * removes the filter first. Nothing is offloaded that flowd must see
 * packet by packet: sFlow sampling, mirrors, policing, shaping, admin-down
 * ports, tunnels, bonds, patch ports, VLAN tags, anything but outputs.
 *
 * The two filters cannot change at one instant: a packet that arrives in
 * the microseconds between them may go out twice when a flow is handed
 * over, or be lost when it is taken back. The bridge option
 * flow-offload=false turns offload off. */
#ifndef FLOWD_DP_OFFLOAD_H
#define FLOWD_DP_OFFLOAD_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dp_user;
struct dp_port;
struct dpflow;

/* Megaflows offloaded per input port at most. */
#define DP_OFFLOAD_MAX_PER_PORT 64

/* A flow is worth offloading once it has matched this many packets. */
#define DP_OFFLOAD_MIN_PACKETS 8

/* Whether the fast path offers a flow that has matched 'packets' packets
 * (dp_offload_note_busy()): at 8, 16, 32, ... 1024, then every 1024, so
 * that a flow refused for a while (a full port) gets its turn again, for
 * a branch per packet. */
static inline bool
dp_offload_due(uint64_t packets)
{
    return packets >= DP_OFFLOAD_MIN_PACKETS
           && (!(packets & (packets - 1)) || !(packets & 1023));
}

/* Notes 'flow' for the next run (up to 16 a run; the rest are offered
 * again later). */
void dp_offload_note_busy(struct dp_user *, const struct dpflow *);

/* Turns offload on or off for 'dp' (off: every offloaded flow goes back to
 * flowd). On by default. */
void dp_offload_set_enabled(struct dp_user *, bool enabled);
bool dp_offload_is_enabled(const struct dp_user *);

/* Periodic: refreshes offloaded flows' counters, takes back those that may
 * no longer be offloaded, and offloads the busy flows noted since the last
 * run that may be. Never walks the whole flow table. */
void dp_offload_run(struct dp_user *, long long now);
/* Refreshes offloaded flows' counters now. */
void dp_offload_sync_stats(struct dp_user *);
/* 'flow' leaves the datapath: its filter goes, its counters come in. */
void dp_offload_flow_removed(struct dp_user *, struct dpflow *);
/* Takes back every offloaded flow. */
void dp_offload_flush(struct dp_user *);
/* 'port' has just opened its device: filters a flowd killed before it
 * could clean up left there go (they would forward beside this flowd). */
void dp_offload_port_opened(struct dp_user *, struct dp_port *);
/* 'port' is losing its device (closed, gone, deleted): takes back every
 * flow that enters or leaves through it. */
void dp_offload_port_closing(struct dp_user *, struct dp_port *);
/* 'port' changed (admin state, policing, shaping): takes back the flows
 * through it if it may no longer carry offloaded flows. */
void dp_offload_port_changed(struct dp_user *, struct dp_port *);
/* Frees what offload holds for 'dp' (its filters go too). */
void dp_offload_destroy(struct dp_user *);

/* True if 'flow' of a userspace datapath is offloaded now. */
bool dp_offload_flow_is_offloaded(const struct dpflow *);
/* Flows offloaded now. */
size_t dp_offload_count(const struct dp_user *);

#endif
