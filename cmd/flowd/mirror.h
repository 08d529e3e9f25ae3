/* mirror: port mirroring (SPAN and RSPAN) in the pipeline.
 *
 * Mirrors are configured per bridge (swmirror.h). bridge_xlate() calls
 * mirror_xlate() once the pipeline has decided what to do with a packet:
 * the mirrors that select it (by input port, by one of the ports its
 * actions output to, by VLAN, or all) add their copies in front of those
 * actions, so the datapath flow itself carries them and mirrored packets
 * never come back to the pipeline. The copies are of the packet as it
 * arrived:
 *
 *   SPAN (output-port)  the frame unchanged, to that port;
 *   RSPAN (output-vlan) the frame tagged with that VLAN (replacing its
 *                       outer tag), to every port that carries the VLAN
 *                       (untagged to its access ports), for a remote
 *                       switch to pick up.
 *
 * A packet gets at most one copy per port however many mirrors select it,
 * none on its input port, none on a port its own actions already send it
 * to and none on a port that is admin_state=down; the actions after the copies restore the packet's original tag,
 * so mirroring never changes what the original traffic does. A mirror's
 * output port takes no part in normal switching (normal.c drops what
 * arrives on it and never floods to it), and what arrives there is not
 * mirrored.
 *
 * Each datapath flow remembers which mirrors it feeds (a bit per mirror,
 * so at most MIRROR_MAX mirrors per bridge); its packet and byte counts are
 * credited to those mirrors' tx counters as with OpenFlow rules. */
#ifndef FLOWD_MIRROR_H
#define FLOWD_MIRROR_H 1

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "dpflow.h"
#include "flowkey.h"

struct bridge;
struct dp_upcall_result;
struct sw_bridge;

#define MIRROR_MAX 32

struct bridge_mirror {
    char *name;
    uint32_t *src;                  /* Datapath ports selected on input. */
    size_t n_src;
    uint32_t *dst;                  /* Datapath ports selected on output. */
    size_t n_dst;
    bool select_all;
    uint16_t *vlans;                /* VLANs selected (none = any). */
    size_t n_vlans;
    bool has_output_port;           /* SPAN: 'output_port' is set. */
    uint32_t output_port;           /* Datapath port of the SPAN copy. */
    int output_vlan;                /* RSPAN VLAN, -1 for SPAN. */
    char *error;                    /* Why the mirror sends nothing, or NULL. */
    uint64_t tx_packets;            /* Packets mirrored. */
    uint64_t tx_bytes;              /* Their bytes (as received). */
};

/* Brings the bridge's mirrors in line with 'cfg' (after its ports): any
 * change flushes the datapath's flows, whose actions carry the copies.
 * Counters survive for mirrors that keep their name. */
void mirror_bridge_reconfigure(struct bridge *, const struct sw_bridge *cfg,
                               struct buf *errors);

/* The bridge's flood-vlans= (also set by mirror_bridge_reconfigure()):
 * VLANs whose packets NORMAL floods without learning, as a remote switch
 * must for an RSPAN VLAN, where the same MACs arrive as copies from one
 * trunk while the originals are elsewhere. */
bool mirror_is_flood_vlan(const struct bridge *, int vlan);
void mirror_bridge_destroy(struct bridge *);

/* Adds the copies the mirrors want of a packet of 'key' (in_port is a
 * datapath port) in front of r->actions, ORs into r->mask what that
 * depended on and sets r->mirrors and r->mirror_size (so that NetFlow and
 * IPFIX report the flow's own output, not the copies). With 'trace',
 * explains. */
void mirror_xlate(struct bridge *, const struct flowkey *key, struct dp_upcall_result *r,
                  struct buf *trace);

/* Credits the packets 'flow' carried since the last call to its mirrors. */
void mirror_credit_flow(struct bridge *, struct dpflow *flow);
void mirror_credit_all(struct bridge *);

#endif
