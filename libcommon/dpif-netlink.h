/* dpif-netlink: the kernel datapath provider. It drives the Linux
 * openvswitch module over generic netlink (libnl-genl-3): the families
 * ovs_datapath, ovs_vport, ovs_flow and ovs_packet of <linux/openvswitch.h>.
 *
 * It is a thin, synchronous layer: one call, one request, its reply. Flow
 * keys travel as struct flowkey (odp-netlink.c converts them), actions as
 * the OVS_ACTION_ATTR_* lists dpactions.h already keeps; `dp` prints them
 * with odp.c. flowd's kernel datapath (upcall threads, megaflow installs,
 * revalidation) is meant to sit on top:
 *
 *   - one struct dpif_netlink per thread that issues requests (a handle is
 *     not shared between threads: it owns one netlink socket);
 *   - upcall sockets (struct dpif_netlink_upcall_sock) are separate, one per
 *     handler thread; each has a netlink port id to give to a vport
 *     (dpif_netlink_vport_set_upcall_pids()) or to the datapath, and a file
 *     descriptor to poll;
 *   - flows are named by key+mask or, when the kernel supports it, by a
 *     128-bit UFID, which revalidation uses to get/delete/dump cheaply.
 *
 * Every function returns 0 or a positive errno (ENOENT when the module or
 * an object is missing, EEXIST, EINVAL from the kernel...). */
#ifndef SY_DPIF_NETLINK_H
#define SY_DPIF_NETLINK_H 1

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dpactions.h"
#include "flowkey.h"
#include "odp.h"

struct dpif_netlink;

/* Opens a handle: a generic netlink socket with the four families
 * resolved. ENOENT if the openvswitch module is not loaded. */
int dpif_netlink_open(struct dpif_netlink **);
void dpif_netlink_close(struct dpif_netlink *);

/* Whether the kernel names flows by UFID (OVS_FLOW_ATTR_UFID). */
bool dpif_netlink_ufid_supported(const struct dpif_netlink *);

/* ---- Datapaths ------------------------------------------------------------- */

struct dpif_netlink_dp {
    char name[IFNAMSIZ];        /* Also the name of its local (internal) port. */
    int ifindex;                /* dp_ifindex: names the datapath in requests. */
    uint64_t n_hit;             /* Packets that matched a flow. */
    uint64_t n_missed;          /* Packets that went up as upcalls. */
    uint64_t n_lost;            /* Upcalls that could not be queued. */
    uint64_t n_flows;           /* Flows in the table. */
    uint64_t n_mask_hit;        /* Masks probed, over all lookups. */
    uint32_t n_masks;           /* Masks in the table. */
    uint64_t n_cache_hit;       /* Lookups the mask cache answered. */
    uint32_t cache_size;        /* Mask cache entries (0: not reported). */
    uint32_t user_features;     /* OVS_DP_F_*. */
};

/* The OVS_DP_F_* this library speaks: unaligned keys, and upcalls to the
 * netlink socket(s) each vport names (not per-CPU dispatch). */
#define DPIF_NETLINK_USER_FEATURES (OVS_DP_F_UNALIGNED | OVS_DP_F_VPORT_PIDS)

/* Creates datapath 'name'; upcalls that no vport claims go to
 * 'upcall_pid' (0: none). Fills '*dp' if non-NULL. */
int dpif_netlink_dp_create(struct dpif_netlink *, const char *name, uint32_t upcall_pid,
                           struct dpif_netlink_dp *dp);
int dpif_netlink_dp_delete(struct dpif_netlink *, int dp_ifindex);
/* Sets the datapath's OVS_DP_F_* features (Open vSwitch's tools switch a
 * datapath they open to per-CPU upcall dispatch, for instance). */
int dpif_netlink_dp_set_features(struct dpif_netlink *, int dp_ifindex, uint32_t features);
/* ENODEV if there is no datapath 'name'. */
int dpif_netlink_dp_get(struct dpif_netlink *, const char *name, struct dpif_netlink_dp *);

typedef void dpif_netlink_dp_cb(const struct dpif_netlink_dp *, void *aux);
int dpif_netlink_dp_dump(struct dpif_netlink *, dpif_netlink_dp_cb *, void *aux);

/* ---- Vports ---------------------------------------------------------------- */

#define DPIF_NETLINK_MAX_PIDS 64

struct dpif_netlink_vport {
    uint32_t port_no;           /* Number within the datapath. */
    uint32_t type;              /* OVS_VPORT_TYPE_*. */
    char name[IFNAMSIZ];        /* Device (or tunnel port) name. */
    int dp_ifindex;             /* Datapath it belongs to. */
    int ifindex;                /* Its network device; 0 if not reported. */
    uint16_t dst_port;          /* VXLAN/Geneve UDP port; 0 for others. */
    uint32_t upcall_pids[DPIF_NETLINK_MAX_PIDS]; /* Where its misses go. */
    size_t n_upcall_pids;       /* Entries used in 'upcall_pids'. */
    struct ovs_vport_stats stats; /* Packets, bytes, errors, drops. */
};

/* What a new vport is. */
struct dpif_netlink_vport_spec {
    const char *name;           /* Device name (netdev) or the port's name. */
    uint32_t type;              /* OVS_VPORT_TYPE_*. */
    uint32_t port_no;           /* Wanted number; 0: the kernel picks. */
    uint16_t dst_port;          /* VXLAN/Geneve UDP port; 0: the IANA default. */
    uint32_t upcall_pid;        /* Where misses go (0: nowhere). */
};

int dpif_netlink_vport_add(struct dpif_netlink *, int dp_ifindex,
                           const struct dpif_netlink_vport_spec *, uint32_t *port_no);
int dpif_netlink_vport_del(struct dpif_netlink *, int dp_ifindex, uint32_t port_no);

/* Meters (the ovs_meter family, Linux 4.15 and later): one drop band at
 * 'rate_kbps' kbit/s with a 'burst_kbit' kbit bucket. EOPNOTSUPP where the
 * kernel has no meters. */
bool dpif_netlink_meters_supported(const struct dpif_netlink *);
int dpif_netlink_meter_set(struct dpif_netlink *, int dp_ifindex, uint32_t meter_id,
                           uint32_t rate_kbps, uint32_t burst_kbit);
int dpif_netlink_meter_del(struct dpif_netlink *, int dp_ifindex, uint32_t meter_id);
/* The meter's counters (the kernel's GET reply, odp-meter.h): packets and
 * bytes through it, and per band what it dropped. ENOENT if there is no
 * such meter. */
struct odp_meter;
int dpif_netlink_meter_get(struct dpif_netlink *, int dp_ifindex, uint32_t meter_id,
                           struct odp_meter *);
/* By name (any datapath): ENODEV if there is no such vport. */
int dpif_netlink_vport_get(struct dpif_netlink *, const char *name,
                           struct dpif_netlink_vport *);
int dpif_netlink_vport_set_upcall_pids(struct dpif_netlink *, int dp_ifindex,
                                       uint32_t port_no, const uint32_t *pids, size_t n);

typedef void dpif_netlink_vport_cb(const struct dpif_netlink_vport *, void *aux);
int dpif_netlink_vport_dump(struct dpif_netlink *, int dp_ifindex,
                            dpif_netlink_vport_cb *, void *aux);

/* "netdev", "internal", "gre", "vxlan", "geneve"; NULL if unknown. */
const char *dpif_netlink_vport_type_name(uint32_t type);
/* OVS_VPORT_TYPE_*, or OVS_VPORT_TYPE_UNSPEC for an unknown name
 * ("system" is accepted for netdev). */
uint32_t dpif_netlink_vport_type_from_name(const char *);

/* ---- Flows ------------------------------------------------------------------ */

struct dpif_netlink_ufid {
    uint8_t bytes[16];
};

/* A flow as the kernel reports it. Pointers are valid during the callback
 * (or until the next call on the handle, for dpif_netlink_flow_get()). */
struct dpif_netlink_flow {
    struct flowkey key;         /* Masked key. */
    struct flowkey mask;        /* Canonical mask. */
    int key_error;              /* Non-zero: key/mask could not be decoded. */
    const void *actions;        /* OVS_ACTION_ATTR_* list. */
    size_t actions_size;        /* Bytes in 'actions'. */
    struct odp_flow_stats stats; /* Packets, bytes, idle time, TCP flags. */
    struct dpif_netlink_ufid ufid; /* Valid if 'has_ufid'. */
    bool has_ufid;              /* The flow is named by 'ufid'. */
};

enum dpif_netlink_put_flags {
    DPIF_NETLINK_PUT_CREATE = 1 << 0,   /* Create; EEXIST if it exists (unless MODIFY). */
    DPIF_NETLINK_PUT_MODIFY = 1 << 1,   /* Change the actions; ENOENT if absent (unless CREATE). */
    DPIF_NETLINK_PUT_ZERO_STATS = 1 << 2, /* Clear statistics when modifying. */
};

/* Installs or changes a flow. 'mask' NULL: exact match. 'ufid' NULL: the
 * flow is named by its key. */
int dpif_netlink_flow_put(struct dpif_netlink *, int dp_ifindex, const struct flowkey *key,
                          const struct flowkey *mask, const void *actions,
                          size_t actions_size, const struct dpif_netlink_ufid *,
                          unsigned int flags);
/* Fetches one flow by UFID if 'ufid' is non-NULL, else by key+mask (the
 * flow's own). ENOENT if absent. */
int dpif_netlink_flow_get(struct dpif_netlink *, int dp_ifindex, const struct flowkey *key,
                          const struct flowkey *mask, const struct dpif_netlink_ufid *,
                          struct dpif_netlink_flow *);
/* Deletes one flow (named as for _get) and, if 'stats' is non-NULL, reports
 * its last statistics. */
int dpif_netlink_flow_del(struct dpif_netlink *, int dp_ifindex, const struct flowkey *key,
                          const struct flowkey *mask, const struct dpif_netlink_ufid *,
                          struct odp_flow_stats *stats);
int dpif_netlink_flow_flush(struct dpif_netlink *, int dp_ifindex);

typedef void dpif_netlink_flow_cb(const struct dpif_netlink_flow *, void *aux);
int dpif_netlink_flow_dump(struct dpif_netlink *, int dp_ifindex,
                           dpif_netlink_flow_cb *, void *aux);

/* ---- Packets ---------------------------------------------------------------- */

/* Runs 'actions' on 'packet' (an Ethernet frame) as if it had arrived with
 * the metadata in 'md' (in_port, tunnel; the kernel parses the rest). */
int dpif_netlink_execute(struct dpif_netlink *, int dp_ifindex, const struct flowkey *md,
                         const void *packet, size_t size, const void *actions,
                         size_t actions_size);

struct dpif_netlink_upcall_sock;

/* A socket that receives upcalls; '*pid' is its netlink port id, for a
 * vport's (or the datapath's) upcall pid. */
int dpif_netlink_upcall_sock_open(struct dpif_netlink_upcall_sock **, uint32_t *pid);
void dpif_netlink_upcall_sock_close(struct dpif_netlink_upcall_sock *);
/* For poll(): readable when an upcall waits. */
int dpif_netlink_upcall_sock_fd(const struct dpif_netlink_upcall_sock *);

struct dpif_netlink_upcall {
    uint8_t cmd;                /* OVS_PACKET_CMD_MISS or _ACTION. */
    int dp_ifindex;             /* Datapath it came from. */
    const void *packet;         /* The frame. */
    size_t packet_size;         /* Bytes in 'packet'. */
    const void *key_attrs;      /* The kernel's key, as sent (to echo back). */
    size_t key_size;            /* Bytes in 'key_attrs'. */
    struct flowkey key;         /* 'key_attrs' decoded (exact). */
    int key_error;              /* Non-zero: 'key' could not be decoded. */
    const void *userdata;       /* OVS_PACKET_ATTR_USERDATA (ACTION only). */
    size_t userdata_size;       /* Bytes in 'userdata'. */
};

/* Receives one upcall without blocking: EAGAIN if none waits. Pointers in
 * '*upcall' stay valid until the next receive on 'sock'. */
int dpif_netlink_upcall_recv(struct dpif_netlink_upcall_sock *, struct dpif_netlink_upcall *);

#endif
