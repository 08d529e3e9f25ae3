/* dpif: the interface between a bridge and its datapath. Two providers sit
 * behind it, and the bridge, the pipeline, OpenFlow and NetFlow never ask
 * which one runs:
 *
 *   user    dp-user.c: flowd's own datapath (AF_PACKET rings, the megaflow
 *           table in dpflow.c, actions in dp-execute.c); a miss is a direct
 *           call into the pipeline.
 *   kernel  dp-kernel.c: the Linux openvswitch module over generic netlink
 *           (libcommon/dpif-netlink.c); misses arrive as upcalls on one
 *           netlink socket per vport, polled by flowd's main loop.
 *
 * Both keep the datapath's flows in 'flows', a dpflow_table: for the user
 * datapath it is the table packets are looked up in; for the kernel it is
 * flowd's record of the flows it installed there (key, mask, actions, the
 * OpenFlow rules and MAC learning behind each), whose counters the provider
 * refreshes from periodic flow dumps. Removing a flow from 'flows' (idle
 * expiry, a table change, a MAC move) removes it from the datapath. */
#ifndef FLOWD_DPIF_H
#define FLOWD_DPIF_H 1

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "dp-packet.h"
#include "dpactions.h"
#include "dpflow.h"
#include "flowkey.h"
#include "netdev.h"
#include "swconfig.h"

#define DPIF_DEFAULT_FLOW_LIMIT 200000

/* The pipeline's answer to an upcall. */
struct dp_upcall_result {
    struct dp_actions actions;      /* What to do with the packet. */
    struct flowkey mask;            /* Fields the decision depended on. */
    struct dpflow_learn learn;      /* Side effects to refresh later. */
    struct ofrule **rules;          /* Rules the packet went through (owned;
                                     * passed on to the flow installed). */
    size_t n_rules;
    uint32_t mirrors;               /* Mirrors the flow feeds (mirror.h). */
    uint32_t mirror_size;           /* Bytes of 'actions' that make the
                                     * mirrors' copies (they come first). */
    bool install;                   /* False: execute only, install nothing. */
};

typedef void dp_upcall_func(void *aux, const struct flowkey *key,
                            struct dp_upcall_result *);

/* A userspace() action: the packet (as modified so far) and the action's
 * user data, for the pipeline (a packet-in to the controllers). */
typedef void dp_userspace_func(void *aux, const struct dp_packet *,
                               const void *userdata, size_t size);

/* A packet sampler (sFlow, sflow.c): called for a sampled packet as it
 * arrives, before its 'actions' run; returns how many packets from now
 * the next sample is (at least 1). */
typedef uint32_t dp_sample_func(void *aux, const struct dp_packet *,
                                const void *actions, size_t size);

/* Called for each flow removed from a datapath, after its last counters
 * are in it and before it is freed. */
typedef void dp_flow_removed_func(struct dpflow *, void *aux);

enum dpif_port_type {
    DPIF_PORT_SYSTEM,               /* An existing device (veth, tap, NIC). */
    DPIF_PORT_INTERNAL,             /* A device the datapath creates. */
};

/* What a port looks like now. */
struct dpif_port_status {
    bool present;                   /* Attached and forwarding (a deviceless
                                     * port: its link is up). */
    bool deviceless;                /* A patch, bond or tunnel port: no
                                     * device of its own. */
    bool failed;                    /* A deviceless port that cannot work. */
    const char *error;              /* Why not, or NULL; valid until the next
                                     * call on the dpif. */
    int error_code;                 /* The errno behind 'error', 0 if none
                                     * is known. */
    const char *vport_name;         /* A kernel tunnel port: its shared vport
                                     * (vxlan_sys_4789...), NULL if none. */
    bool has_stats;                 /* 'stats' is filled in. */
    struct netdev_stats stats;      /* Packets through the port. */
};

/* A port's rates, in the units of Open vSwitch's port options. */
struct dpif_port_qos {
    uint32_t policing_rate;         /* Ingress, kbit/s; 0 = not policed. */
    uint32_t policing_burst;        /* kbit; 0 = the default. */
    uint32_t shaping_rate;          /* Egress, kbit/s; 0 = not shaped. */
    uint32_t shaping_burst;         /* kbit; 0 = the default. */
};

struct bond;
struct dpif;

/* A datapath provider. */
struct dpif_class {
    const char *type;               /* "user" or "kernel". */

    /* Frees the provider's state. 'keep' leaves the datapath and its flows
     * to forward on (flowd exits; the next flowd adopts them); otherwise
     * the datapath goes too (its bridge was deleted). */
    void (*destroy)(struct dpif *, bool keep);

    /* Adds port 'port_no' on device 'name'. A device that does not exist
     * yet is not an error: the port stays absent and is attached when it
     * appears (ports_run()). Port 0 is the bridge's own internal port. */
    void (*port_add)(struct dpif *, uint32_t port_no, const char *name, enum dpif_port_type);
    void (*port_del)(struct dpif *, uint32_t port_no);
    /* False if there is no port 'port_no'. */
    bool (*port_status)(struct dpif *, uint32_t port_no, struct dpif_port_status *);
    /* Re-attaches absent or replaced devices ('now_all': try every absent
     * port at once, a device just appeared). True if a port changed. */
    bool (*ports_run)(struct dpif *, long long now, bool now_all);

    /* Fills pollfds for what the datapath waits on; 'handles' gets an
     * opaque, non-NULL handle for each, for handle_ready(). Returns how
     * many were filled. */
    int (*fill_pollfds)(struct dpif *, struct pollfd *, void **handles, int max);
    void (*handle_ready)(struct dpif *, void *handle);
    /* Processes what already waits in memory shared with the kernel (a
     * receive ring), without a system call: packets that arrived while
     * others were being forwarded, e.g. the reply to a request just sent.
     * True if there were any. May be NULL. */
    bool (*run_pending)(struct dpif *);

    /* Periodic work: refreshes the counters of 'flows' from the datapath
     * and takes over flows installed by someone else (a previous flowd). */
    void (*run)(struct dpif *, long long now);
    /* Refreshes the counters of 'flows' now (before OpenFlow statistics
     * are reported). May be NULL: the counters are always current. */
    void (*sync_stats)(struct dpif *);

    /* Runs 'actions' on 'packet' (which may be modified), as if it had
     * arrived on packet->in_port, and sends what it outputs. */
    void (*execute)(struct dpif *, struct dp_packet *, const void *actions, size_t size);

    /* The netlink port id a userspace() action for a packet from 'port_no'
     * must name; 0 where the datapath does not care. */
    uint32_t (*upcall_pid)(struct dpif *, uint32_t port_no);

    /* Sets the packet sampler ('sample' NULL: none); false if the datapath
     * cannot run it (sFlow then samples by sample actions in the flows). */
    bool (*set_sampler)(struct dpif *, dp_sample_func *, void *aux, uint32_t first_skip);

    /* Ingress policing and egress shaping of port 'port_no' (kbit/s and
     * kbit; a rate of 0 turns it off), kept across the device going and
     * coming back. Returns 0 or an errno with the reason in 'error'. May be
     * NULL: the datapath polices and shapes by itself (userspace). */
    int (*port_set_qos)(struct dpif *, uint32_t port_no, const struct dpif_port_qos *,
                        struct buf *error);
    /* The meter a flow from 'port_no' must go through first (its ingress
     * policing), or false if none. May be NULL. */
    bool (*port_meter)(struct dpif *, uint32_t port_no, uint32_t *meter_id);

    /* Removes 'flow', which is leaving 'flows', from the datapath, and
     * brings its counters up to date. May be NULL ('flows' is the
     * datapath). */
    void (*flow_uninstall)(struct dpif *, struct dpflow *);

    /* The state of bond port 'port_no' (bond.h), NULL if it is no bond. */
    const struct bond *(*port_bond)(struct dpif *, uint32_t port_no);

    /* The bridge port whose packets a flow in 'flows' with in_port
     * 'port_no' carries: 'port_no' itself, except for a bond member's
     * vport (dp-kernel.c: each member has flows of its own), whose bond it
     * is. May be NULL: always 'port_no'. */
    uint32_t (*flow_in_port)(struct dpif *, uint32_t port_no);
};

/* The part of a datapath every provider shares (embedded in the
 * provider's own struct). */
struct dpif {
    const struct dpif_class *class;
    char *name;                     /* Datapath name = bridge name. */
    struct dpflow_table flows;      /* See the comment at the top. */
    size_t flow_limit;              /* Most flows installed at a time. */
    dp_upcall_func *upcall;         /* The pipeline. */
    dp_userspace_func *userspace;   /* Packet-ins; may be NULL. */
    void *upcall_aux;               /* For both callbacks. */
    dp_flow_removed_func *flow_removed; /* May be NULL. */
    void *flow_removed_aux;
    uint64_t n_hit;                 /* Packets that matched a flow. */
    uint64_t n_missed;              /* Packets that went to the pipeline. */
    uint64_t n_ring_rx;             /* Packets taken from receive rings. */
    uint64_t n_lost;                /* Misses not installed or not delivered. */
};

/* Creates the datapath of 'type' (SW_DP_USER or SW_DP_KERNEL) named
 * 'name', or takes over the kernel datapath of that name if one exists.
 * Returns NULL, with the reason in 'errors', if it cannot. */
struct dpif *dpif_create(enum sw_datapath_type type, const char *name, dp_upcall_func *,
                         void *aux, struct buf *errors);
/* See dpif_class.destroy. Accepts NULL. */
void dpif_destroy(struct dpif *, bool keep);

/* For providers: initializes the shared part. */
void dpif_init(struct dpif *, const struct dpif_class *, const char *name,
               dp_upcall_func *, void *aux);
void dpif_uninit(struct dpif *);

const char *dpif_type(const struct dpif *);
void dpif_set_flow_removed(struct dpif *, dp_flow_removed_func *, void *aux);

static inline void
dpif_port_add(struct dpif *dpif, uint32_t port_no, const char *name, enum dpif_port_type type)
{
    dpif->class->port_add(dpif, port_no, name, type);
}

static inline void
dpif_port_del(struct dpif *dpif, uint32_t port_no)
{
    dpif->class->port_del(dpif, port_no);
}

/* Fills '*status' (all zero if there is no such port); false if none. */
bool dpif_port_status(struct dpif *, uint32_t port_no, struct dpif_port_status *);

static inline bool
dpif_ports_run(struct dpif *dpif, long long now, bool now_all)
{
    return dpif->class->ports_run(dpif, now, now_all);
}

static inline int
dpif_fill_pollfds(struct dpif *dpif, struct pollfd *fds, void **handles, int max)
{
    return dpif->class->fill_pollfds(dpif, fds, handles, max);
}

static inline void
dpif_handle_ready(struct dpif *dpif, void *handle)
{
    dpif->class->handle_ready(dpif, handle);
}

static inline bool
dpif_run_pending(struct dpif *dpif)
{
    return dpif->class->run_pending && dpif->class->run_pending(dpif);
}

static inline void
dpif_run(struct dpif *dpif, long long now)
{
    if (dpif->class->run) {
        dpif->class->run(dpif, now);
    }
}

static inline void
dpif_sync_stats(struct dpif *dpif)
{
    if (dpif->class->sync_stats) {
        dpif->class->sync_stats(dpif);
    }
}

static inline void
dpif_execute(struct dpif *dpif, struct dp_packet *packet, const void *actions, size_t size)
{
    dpif->class->execute(dpif, packet, actions, size);
}

static inline uint32_t
dpif_upcall_pid(struct dpif *dpif, uint32_t port_no)
{
    return dpif->class->upcall_pid(dpif, port_no);
}

static inline int
dpif_port_set_qos(struct dpif *dpif, uint32_t port_no, const struct dpif_port_qos *qos,
                  struct buf *error)
{
    return dpif->class->port_set_qos ? dpif->class->port_set_qos(dpif, port_no, qos, error)
                                     : 0;
}

static inline bool
dpif_port_meter(struct dpif *dpif, uint32_t port_no, uint32_t *meter_id)
{
    return dpif->class->port_meter && dpif->class->port_meter(dpif, port_no, meter_id);
}

static inline const struct bond *
dpif_port_bond(struct dpif *dpif, uint32_t port_no)
{
    return dpif->class->port_bond(dpif, port_no);
}

static inline uint32_t
dpif_flow_in_port(struct dpif *dpif, uint32_t port_no)
{
    return dpif->class->flow_in_port ? dpif->class->flow_in_port(dpif, port_no) : port_no;
}

static inline bool
dpif_set_sampler(struct dpif *dpif, dp_sample_func *sample, void *aux, uint32_t first_skip)
{
    return dpif->class->set_sampler(dpif, sample, aux, first_skip);
}

#endif
