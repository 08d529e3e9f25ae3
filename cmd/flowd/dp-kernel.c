/* dp-kernel: flowd on the kernel datapath. See dp-kernel.h.
 *
 * Everything runs in flowd's main thread, over one request socket
 * (struct dpif_netlink) plus one upcall socket per port. Requests are
 * synchronous, so nothing may be sent while a dump is being read: dump
 * callbacks only record, and the work on what they found follows. */
#include "dp-kernel.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "bond.h"
#include "dpif-netlink.h"
#include "hash.h"
#include "lacp.h"
#include "log.h"
#include "packet.h"
#include "swconfig.h"
#include "token-bucket.h"
#include "util.h"

#define PORT_CHECK_MSEC 1000        /* Vport dump: devices gone or back. */
#define FLOW_DUMP_MSEC 1000         /* Flow dump: counters, revalidation. */
#define STATS_FRESH_MSEC 100        /* sync_stats() skips younger dumps. */
#define UPCALL_BATCH 64             /* Upcalls per socket per wake-up. */

/* Tunnel vports and bond members' vports are numbered above every
 * OpenFlow port number (bridge ports have their ofport as vport number)
 * and below the kernel's DP_MAX_PORTS (65535). */
#define TNL_VPORT_BASE (SW_OFPORT_MAX + 1)
#define TNL_VPORT_SLOTS 127
#define MEMBER_VPORT_BASE (TNL_VPORT_BASE + TNL_VPORT_SLOTS)
#define MEMBER_VPORT_SLOTS 128

/* The userdata of the userspace() action that brings a bond member's
 * slow-protocol frames (LACPDUs) up to flowd; a size no packet-in cookie
 * has. */
static const char lacp_cookie[8] = "sy-lacp";

/* A bridge port with a vport of its own (a device), a tunnel vport (one
 * per type and UDP port, shared by the bridge's tunnel ports of that kind,
 * like Open vSwitch's vxlan_sys_4789), a tunnel port (no vport of its
 * own: 'tnl' and 'vport' set, no socket, never 'attached' itself), a bond
 * port (no vport of its own either: 'bond' and 'members' set), or a bond
 * member's vport ('bond_port' set). */
struct dp_kernel_port {
    uint32_t port_no;               /* Vport number (= bridge dp_port). */
    char *name;                     /* Device name. */
    enum dpif_port_type type;       /* Tunnel (v)ports: internal. */
    uint32_t vport_type;            /* OVS_VPORT_TYPE_*. */
    uint16_t dst_port;              /* Tunnel vport: its UDP port; 0 GRE. */
    unsigned int n_users;           /* Tunnel vport: tunnel ports on it. */
    struct tnl_config *tnl;         /* Tunnel port: its settings. */
    struct dp_kernel_port *vport;   /* Tunnel port: its tunnel vport. */
    bool attached;                  /* The vport exists in the kernel. */
    char *error;                    /* Why it is not attached, or NULL. */
    int error_code;                 /* The errno behind 'error', 0 if none. */
    long long next_retry;           /* When to try attaching it again. */
    struct dpif_netlink_upcall_sock *sock; /* Its misses arrive here. */
    uint32_t upcall_pid;            /* 'sock''s netlink port id. */
    struct ovs_vport_stats stats;   /* As of the last vport dump. */
    struct dpif_port_qos qos;       /* Policing and shaping asked for. */
    bool metered;                   /* Kernel meter 'port_no' polices it. */
    struct bond *bond;              /* Bond port: carrier, LACP, choices. */
    struct dp_kernel_port **members; /* Bond port: its members' vports, in
                                     * the bond's order (NULL: no number
                                     * was left for it). */
    struct dp_kernel *dp;           /* Bond port: its datapath. */
    struct dp_kernel_port *bond_port; /* Member vport: its bond port. */
    size_t member_index;            /* Member vport: its index there. */
};

/* What flowd knows of a flow it keeps in the kernel (dpflow.dp_data). */
struct kflow {
    struct hmap_node node;          /* In dp_kernel's 'flows_by_ufid'. */
    uint32_t ufid[4];               /* The kernel's name for the flow. */
    struct dpflow *flow;            /* flowd's record of it. */
    uint64_t upcall_packets;        /* Packets flowd sent on itself, on top */
    uint64_t upcall_bytes;          /* of what the kernel counts. */
    unsigned int dump_seq;          /* Last flow dump that saw it. */
};

struct dp_kernel {
    struct dpif up;                 /* Name, flow record, callbacks, counters. */
    struct dpif_netlink *nl;        /* Request socket. */
    int dp_ifindex;                 /* Names the datapath in requests. */
    struct dp_kernel_port **ports;  /* Indexed by port number; NULL = none. */
    uint32_t n_ports_allocated;
    struct dp_kernel_port *tnl_vports[TNL_VPORT_SLOTS]; /* TNL_VPORT_BASE + i. */
    struct dp_kernel_port *member_vports[MEMBER_VPORT_SLOTS]; /* MEMBER_VPORT_BASE + i. */
    bool bonds_changed;             /* A bond's members in use changed since
                                     * the last ports_run() (LACP). */
    struct hmap flows_by_ufid;      /* kflows by UFID hash. */
    unsigned int dump_seq;          /* Number of the current flow dump. */
    long long next_dump;            /* When run() dumps flows next. */
    long long last_dump;            /* When the last flow dump ran. */
    long long next_port_check;      /* When ports_run() dumps vports next. */
    struct log_ratelimit warn_rl;   /* For warnings packets can trigger. */
};

static const struct dpif_class dp_kernel_class;

static struct dp_kernel *
dp_kernel_cast(struct dpif *dpif)
{
    return CONTAINER_OF(dpif, struct dp_kernel, up);
}

static struct dp_kernel_port *
port_get(const struct dp_kernel *dp, uint32_t port_no)
{
    if (port_no >= TNL_VPORT_BASE && port_no - TNL_VPORT_BASE < TNL_VPORT_SLOTS) {
        return dp->tnl_vports[port_no - TNL_VPORT_BASE];
    }
    if (port_no >= MEMBER_VPORT_BASE && port_no - MEMBER_VPORT_BASE < MEMBER_VPORT_SLOTS) {
        return dp->member_vports[port_no - MEMBER_VPORT_BASE];
    }
    return port_no < dp->n_ports_allocated ? dp->ports[port_no] : NULL;
}

/* The bond member whose vport is 'port_no', or NULL. */
static const struct dp_kernel_port *
member_get(const struct dp_kernel *dp, uint32_t port_no)
{
    const struct dp_kernel_port *port = port_get(dp, port_no);

    return port && port->bond_port ? port : NULL;
}

/* Iterates over the ports that have a vport in the kernel (bridge ports
 * with a device, then tunnel vports, then bond members): '*i' starts at
 * 0. */
static struct dp_kernel_port *
next_vport(const struct dp_kernel *dp, uint32_t *i)
{
    while (*i < dp->n_ports_allocated + TNL_VPORT_SLOTS + MEMBER_VPORT_SLOTS) {
        uint32_t k = (*i)++;
        struct dp_kernel_port *port;

        if (k < dp->n_ports_allocated) {
            port = dp->ports[k];
        } else if (k - dp->n_ports_allocated < TNL_VPORT_SLOTS) {
            port = dp->tnl_vports[k - dp->n_ports_allocated];
        } else {
            port = dp->member_vports[k - dp->n_ports_allocated - TNL_VPORT_SLOTS];
        }
        if (port && !port->tnl && !port->bond) {
            return port;
        }
    }
    return NULL;
}

/* ---- Flows: naming and counters ------------------------------------------- */

/* A flow's UFID: a hash of its masked key and its mask. Flows in one
 * datapath never overlap, so key and mask name a flow uniquely, and a flow
 * installed again gets its old name back. */
static void
flow_make_ufid(const struct flowkey *key, const struct flowkey *mask, uint32_t ufid[4])
{
    const uint64_t *k = (const uint64_t *) (const void *) key;
    const uint64_t *m = (const uint64_t *) (const void *) mask;

    for (uint32_t i = 0; i < 4; i++) {
        uint32_t hash = 0x9e3779b9 * (i + 1);

        for (size_t w = 0; w < FLOWKEY_U64S; w++) {
            hash = hash_add64(hash_add64(hash, k[w]), m[w]);
        }
        ufid[i] = hash_finish(hash, i);
    }
}

static uint32_t
ufid_hash(const uint32_t ufid[4])
{
    return ufid[0] ^ ufid[1] ^ ufid[2] ^ ufid[3];
}

static struct kflow *
flow_by_ufid(const struct dp_kernel *dp, const struct dpif_netlink_ufid *ufid)
{
    uint32_t words[4];
    struct kflow *kflow;

    memcpy(words, ufid->bytes, sizeof words);
    HMAP_FOR_EACH_WITH_HASH (kflow, node, ufid_hash(words), &dp->flows_by_ufid) {
        if (!memcmp(kflow->ufid, words, sizeof words)) {
            return kflow;
        }
    }
    return NULL;
}

static void
ufid_to_netlink(const uint32_t words[4], struct dpif_netlink_ufid *ufid)
{
    memcpy(ufid->bytes, words, sizeof ufid->bytes);
}

/* The kernel counts what its flow matched; flowd adds the packets it sent
 * on itself (the upcall that installed the flow). */
static void
flow_update_counters(struct kflow *kflow, const struct odp_flow_stats *stats, long long now)
{
    struct dpflow *flow = kflow->flow;

    flow->packets = kflow->upcall_packets + stats->packets;
    flow->bytes = kflow->upcall_bytes + stats->bytes;
    if (stats->used_msec >= 0) {
        flow->used = MAX(flow->used, now - stats->used_msec);
    }
    flow->tcp_flags |= stats->tcp_flags;
}

/* Records that 'flow' is in the kernel under 'ufid', and that flowd sent
 * 'upcall_packets' of its packets ('upcall_bytes' bytes) on itself. */
static struct kflow *
flow_track(struct dp_kernel *dp, struct dpflow *flow, const uint32_t ufid[4],
           uint64_t upcall_packets, uint64_t upcall_bytes)
{
    struct kflow *kflow = xzalloc(sizeof *kflow);

    memcpy(kflow->ufid, ufid, sizeof kflow->ufid);
    kflow->flow = flow;
    kflow->upcall_packets = upcall_packets;
    kflow->upcall_bytes = upcall_bytes;
    kflow->dump_seq = dp->dump_seq;
    hmap_insert(&dp->flows_by_ufid, &kflow->node, ufid_hash(kflow->ufid));
    flow->dp_data = kflow;
    return kflow;
}

/* Drops flowd's kernel state of 'flow'; returns it (to free) or NULL. */
static struct kflow *
flow_untrack(struct dp_kernel *dp, struct dpflow *flow)
{
    struct kflow *kflow = flow->dp_data;

    if (kflow) {
        hmap_remove(&dp->flows_by_ufid, &kflow->node);
        flow->dp_data = NULL;
    }
    return kflow;
}

/* Removes 'flow' from flowd's record only: the kernel has no such flow. */
static void
flow_forget(struct dp_kernel *dp, struct dpflow *flow)
{
    free(flow_untrack(dp, flow));
    dpflow_remove(&dp->up.flows, flow);
}

static void
dp_kernel_flow_uninstall(struct dpif *dpif, struct dpflow *flow)
{
    struct dp_kernel *dp = dp_kernel_cast(dpif);
    struct kflow *kflow = flow_untrack(dp, flow);
    struct dpif_netlink_ufid ufid;
    struct odp_flow_stats stats;
    int error;

    if (!kflow) {
        return;                     /* Never installed, or gone already. */
    }
    ufid_to_netlink(kflow->ufid, &ufid);
    error = dpif_netlink_flow_del(dp->nl, dp->dp_ifindex, NULL, NULL, &ufid, &stats);
    if (!error) {
        flow_update_counters(kflow, &stats, time_msec());
    } else if (error != ENOENT && log_ratelimit_allow(&dp->warn_rl)) {
        LOG_WARN("%s: deleting a kernel flow failed: %s", dp->up.name, strerror(error));
    }
    free(kflow);
}

/* ---- Tunnel ports: the kernel's view and the pipeline's ---------------------- */

/* The kernel sees one vport per tunnel type and UDP port; the pipeline
 * sees the bridge's tunnel ports. A packet from a tunnel vport belongs to
 * the tunnel port its outer addresses and key select (as the userspace
 * datapath's receive side chooses); an output to a tunnel port goes to
 * its vport, after the set(tunnel(...)) the pipeline put before it. */

/* How well tunnel port 'port' matches a packet received with tunnel
 * metadata 'key': 0 not at all, higher is more exact. */
static int
tunnel_port_match(const struct dp_kernel_port *port, const struct flowkey *key)
{
    const struct tnl_config *cfg = port->tnl;
    int score = 1;

    if (cfg->local_ip && cfg->local_ip != key->tun_dst) {
        return 0;
    }
    if (!cfg->remote_flow) {
        if (cfg->remote_ip != key->tun_src) {
            return 0;
        }
        score += 2;
    }
    if (!cfg->in_key.flow) {
        bool has_key = (key->tun_flags & FLOWKEY_TUN_KEY) != 0;

        if (has_key != cfg->in_key.present
            || (has_key && key->tun_id != cfg->in_key.value)) {
            return 0;
        }
        score += 1;
    }
    return score + (cfg->local_ip ? 1 : 0);
}

/* The tunnel port that receives what tunnel vport 'vport' received with
 * the metadata of 'key', or NULL. */
static struct dp_kernel_port *
tunnel_port_demux(const struct dp_kernel *dp, const struct dp_kernel_port *vport,
                  const struct flowkey *key)
{
    struct dp_kernel_port *best = NULL;
    int best_score = 0;

    for (uint32_t i = 0; i < dp->n_ports_allocated; i++) {
        struct dp_kernel_port *port = dp->ports[i];
        int score = port && port->vport == vport ? tunnel_port_match(port, key) : 0;

        if (score > best_score) {
            best = port;
            best_score = score;
        }
    }
    return best;
}

static bool
is_tunnel_vport(const struct dp_kernel *dp, uint32_t port_no)
{
    return port_no >= TNL_VPORT_BASE && port_get(dp, port_no);
}

/* The key the pipeline sees for kernel key 'kkey': a tunnel vport's
 * packets come from their tunnel port, a bond member's from the bond.
 * False if no tunnel port takes them. */
static bool
key_from_kernel(const struct dp_kernel *dp, const struct flowkey *kkey, struct flowkey *key)
{
    const struct dp_kernel_port *member = member_get(dp, kkey->in_port);

    *key = *kkey;
    if (member) {
        key->in_port = member->bond_port->port_no;
    } else if (is_tunnel_vport(dp, kkey->in_port)) {
        const struct dp_kernel_port *port = tunnel_port_demux(dp, port_get(dp, kkey->in_port),
                                                              kkey);

        if (!port) {
            return false;
        }
        key->in_port = port->port_no;
    }
    return true;
}

/* The kernel's number for bridge port 'port_no' as an input port (a bond
 * has none: its packets come from the bridge's own port). */
static uint32_t
kernel_port_no(const struct dp_kernel *dp, uint32_t port_no)
{
    const struct dp_kernel_port *port = port_get(dp, port_no);

    return port && port->tnl ? port->vport->port_no : port && port->bond ? 0 : port_no;
}

/* The mask of a flow from a tunnel port also holds what chose the port
 * among those sharing its vport. */
static void
mask_add_tunnel_demux(const struct dp_kernel *dp, const struct flowkey *key,
                      struct flowkey *mask)
{
    const struct dp_kernel_port *port = port_get(dp, key->in_port);

    if (port && port->tnl) {
        mask->tun_src = mask->tun_dst = UINT32_MAX;
        mask->tun_id = UINT64_MAX;
        mask->tun_flags |= FLOWKEY_TUN_KEY;
    }
}

/* The vport an output to bridge port 'port_no' goes to, for a packet of
 * 'key' (as the pipeline saw it): a tunnel port's vport, or the bond
 * member the bond chooses (ORing into 'mask', if nonnull, the fields the
 * choice read). False: nowhere (no member of the bond may send). */
static bool
output_vport(const struct dp_kernel *dp, uint32_t port_no, const struct flowkey *key,
             struct flowkey *mask, uint32_t *vport_no)
{
    const struct dp_kernel_port *port = port_get(dp, port_no);

    if (port && port->bond) {
        int member = bond_choose_member(port->bond, key, mask);

        if (member < 0 || !port->members[member]) {
            return false;
        }
        *vport_no = port->members[member]->port_no;
        return true;
    }
    *vport_no = port && port->tnl ? port->vport->port_no : port_no;
    return true;
}

/* Pipeline actions 'data' for a packet of 'key' as the kernel needs them
 * in 'out': outputs to tunnel ports go to their vports, outputs to bonds
 * to a member's (the fields that chose it go into 'mask', if nonnull). */
static void
actions_to_kernel(const struct dp_kernel *dp, const struct flowkey *key, const void *data,
                  size_t size, struct flowkey *mask, struct dp_actions *out)
{
    dp_actions_clear(out);
    DP_ACTIONS_FOR_EACH (nla, data, size) {
        if (dp_nla_type(nla) == OVS_ACTION_ATTR_OUTPUT && dp_nla_size(nla) == 4) {
            uint32_t port_no;

            memcpy(&port_no, dp_nla_data(nla), 4);
            if (output_vport(dp, port_no, key, mask, &port_no)) {
                dp_actions_put_output(out, port_no);
            }
        } else {
            dp_actions_put(out, nla->nla_type, dp_nla_data(nla), dp_nla_size(nla));
        }
    }
}

/* ---- Bonds: members' packets in translation ------------------------------------ */

/* 'mask' |= 'other', word by word. */
static void
mask_or(struct flowkey *mask, const struct flowkey *other)
{
    uint64_t *m = (uint64_t *) (void *) mask;
    const uint64_t *o = (const uint64_t *) (const void *) other;

    for (size_t i = 0; i < FLOWKEY_U64S; i++) {
        m[i] |= o[i];
    }
}

/* What becomes of a packet of 'key' (as the pipeline sees it) that bond
 * member 'member' received, when the bond itself decides: its slow-protocol
 * frames go up to flowd's LACP (a userspace() action; dropped without
 * LACP), and what the bond does not take in from this member (anything on
 * a backup, floods on a balancing bond's other members) is dropped.
 * Returns false for what goes on to the pipeline, with the fields that
 * decided so ORed into 'mask'. Every flow of a member matches its in_port
 * and eth_type exactly (flowkey_mask_canonicalize() makes sure of the
 * latter), so no other flow ever takes an LACPDU away from flowd. */
static bool
member_xlate(const struct dp_kernel_port *member, const struct flowkey *key,
             struct dp_upcall_result *result, struct flowkey *mask)
{
    const struct bond *bond = member->bond_port->bond;

    memset(mask, 0, sizeof *mask);
    mask->in_port = UINT32_MAX;
    mask->eth_type = UINT16_MAX;
    if (key->eth_type == LACP_ETH_TYPE && !(key->vlans[0].tci & FLOWKEY_VLAN_PRESENT)) {
        if (bond->lacp) {
            dp_actions_put_userspace(&result->actions, member->upcall_pid, lacp_cookie,
                                     sizeof lacp_cookie);
        }
    } else if (bond_member_accepts(bond, member->member_index, key, mask)) {
        return false;
    }
    result->mask = *mask;
    result->install = true;
    return true;
}

/* The pipeline's answer for a packet the kernel reports with key 'kkey',
 * with the kernel's actions for it in 'kactions' and the key flowd records
 * its flow under in 'rkey': the pipeline's view of the packet, except that
 * a bond member's packets keep the member's vport as in_port (each member
 * has flows of its own, which may differ). False if nothing takes the
 * packet in (no tunnel port for it). */
static bool
kernel_xlate(struct dp_kernel *dp, const struct flowkey *kkey, struct flowkey *rkey,
             struct dp_upcall_result *result, struct dp_actions *kactions)
{
    const struct dp_kernel_port *member = member_get(dp, kkey->in_port);
    struct flowkey key, member_mask;

    if (!key_from_kernel(dp, kkey, &key)) {
        return false;
    }
    *rkey = key;
    if (member) {
        rkey->in_port = kkey->in_port;
        if (!member_xlate(member, &key, result, &member_mask)) {
            dp->up.upcall(dp->up.upcall_aux, &key, result);
            mask_or(&result->mask, &member_mask);
        }
    } else {
        dp->up.upcall(dp->up.upcall_aux, &key, result);
    }
    mask_add_tunnel_demux(dp, &key, &result->mask);
    actions_to_kernel(dp, &key, result->actions.data, result->actions.size, &result->mask,
                      kactions);
    return true;
}

/* ---- Upcalls ------------------------------------------------------------------ */

static void
result_init(struct dp_upcall_result *result)
{
    memset(result, 0, sizeof *result);
    dp_actions_init(&result->actions);
}

static void
result_uninit(struct dp_upcall_result *result)
{
    dp_actions_uninit(&result->actions);
    free(result->rules);
    result->rules = NULL;
}

/* Puts the pipeline's answer for a packet of 'key' (as the pipeline saw
 * it) into the kernel as a megaflow with 'kactions' (the answer's actions
 * as the kernel needs them), and into flowd's record. */
static void
install_flow(struct dp_kernel *dp, const struct flowkey *key,
             struct dp_upcall_result *result, const struct dp_actions *kactions,
             size_t packet_size)
{
    struct dpflow *flow, *existing;
    struct dpif_netlink_ufid ufid;
    struct flowkey kkey;
    uint32_t words[4];
    int error;

    if (dp->up.flows.n_flows >= dp->up.flow_limit) {
        dp->up.n_lost++;
        return;
    }
    flow = dpflow_install(&dp->up.flows, key, &result->mask, result->actions.data,
                          result->actions.size, &existing);
    if (!flow) {
        return;     /* Queued before its flow went in: only execute it. */
    }
    flow->rules = result->rules;
    flow->n_rules = result->n_rules;
    result->rules = NULL;
    flow->learn = result->learn;
    flow->mirrors = result->mirrors;
    flow->mirror_size = result->mirror_size;
    flow->packets = 1;
    flow->bytes = packet_size;
    flow->learn_packets = 1;
    flow->used = time_msec();
    flow->tcp_flags = key->nw_proto == IP_PROTO_TCP ? key->tcp_flags : 0;

    flow_make_ufid(&flow->key, dpflow_mask(flow), words);
    ufid_to_netlink(words, &ufid);
    kkey = flow->key;
    kkey.in_port = kernel_port_no(dp, kkey.in_port);
    error = dpif_netlink_flow_put(dp->nl, dp->dp_ifindex, &kkey, dpflow_mask(flow),
                                  kactions->data, kactions->size, &ufid,
                                  DPIF_NETLINK_PUT_CREATE);
    if (error) {
        /* EEXIST: a flow flowd has not taken over yet overlaps it; the
         * next dump revalidates that one. */
        if (error != EEXIST && log_ratelimit_allow(&dp->warn_rl)) {
            LOG_WARN("%s: installing a kernel flow failed: %s", dp->up.name,
                     strerror(error));
        }
        flow_forget(dp, flow);
        return;
    }
    flow_track(dp, flow, words, 1, packet_size);
}

static void
handle_miss(struct dp_kernel *dp, const struct dpif_netlink_upcall *up)
{
    struct dp_actions kactions = DP_ACTIONS_INITIALIZER;
    struct dp_upcall_result result;
    struct flowkey rkey;
    int error;

    result_init(&result);
    if (!kernel_xlate(dp, &up->key, &rkey, &result, &kactions)) {
        result_uninit(&result);
        dp->up.n_lost++;
        if (log_ratelimit_allow(&dp->warn_rl)) {
            char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];

            inet_ntop(AF_INET, &up->key.tun_src, src, sizeof src);
            inet_ntop(AF_INET, &up->key.tun_dst, dst, sizeof dst);
            LOG_WARN("%s: vport %u: no tunnel port receives from %s to %s with key "
                     "%"PRIu64": dropped", dp->up.name, up->key.in_port, src, dst,
                     up->key.tun_id);
        }
        return;
    }
    if (result.install) {
        install_flow(dp, &rkey, &result, &kactions, up->packet_size);
    }
    if (kactions.size) {
        error = dpif_netlink_execute(dp->nl, dp->dp_ifindex, &up->key, up->packet,
                                     up->packet_size, kactions.data, kactions.size);
        if (error && log_ratelimit_allow(&dp->warn_rl)) {
            LOG_WARN("%s: sending an upcalled packet on failed: %s", dp->up.name,
                     strerror(error));
        }
    }
    dp_actions_uninit(&kactions);
    result_uninit(&result);
}

/* An LACPDU (or another slow-protocol frame) from bond member 'member'. */
static void
handle_lacp(struct dp_kernel *dp, const struct dp_kernel_port *member,
            const struct dpif_netlink_upcall *up)
{
    struct dp_packet packet;

    memset(&packet, 0, sizeof packet);
    packet.data = (uint8_t *) up->packet;   /* Only read. */
    packet.size = up->packet_size;
    packet.in_port = member->port_no;
    if (bond_lacp_receive(member->bond_port->bond, member->member_index, &packet,
                          time_msec())) {
        dp->bonds_changed = true;
    }
}

static bool
is_lacp_cookie(const void *userdata, size_t size)
{
    return size == sizeof lacp_cookie && !memcmp(userdata, lacp_cookie, size);
}

static void
handle_upcall(struct dp_kernel *dp, const struct dpif_netlink_upcall *up)
{
    const struct dp_kernel_port *member;
    struct dp_packet packet;
    struct flowkey key;

    if (up->key_error) {
        dp->up.n_lost++;
        if (log_ratelimit_allow(&dp->warn_rl)) {
            LOG_WARN("%s: upcall with a flow key flowd cannot read: %s", dp->up.name,
                     strerror(up->key_error));
        }
        return;
    }
    member = member_get(dp, up->key.in_port);
    if (up->cmd == OVS_PACKET_CMD_MISS) {
        handle_miss(dp, up);
    } else if (up->cmd == OVS_PACKET_CMD_ACTION && member
               && is_lacp_cookie(up->userdata, up->userdata_size)) {
        handle_lacp(dp, member, up);
    } else if (up->cmd == OVS_PACKET_CMD_ACTION && dp->up.userspace) {
        memset(&packet, 0, sizeof packet);
        /* The packet-in only reads it. */
        packet.data = (uint8_t *) up->packet;
        packet.size = up->packet_size;
        packet.in_port = up->key.in_port;
        if (key_from_kernel(dp, &up->key, &key)) {
            packet.in_port = key.in_port;
        }
        dp->up.userspace(dp->up.upcall_aux, &packet, up->userdata, up->userdata_size);
    }
}

static void
dp_kernel_handle_ready(struct dpif *dpif, void *port_)
{
    struct dp_kernel *dp = dp_kernel_cast(dpif);
    struct dp_kernel_port *port = port_;

    for (int i = 0; i < UPCALL_BATCH; i++) {
        struct dpif_netlink_upcall up;
        int error = dpif_netlink_upcall_recv(port->sock, &up);

        if (error == EAGAIN || error == EWOULDBLOCK) {
            break;
        } else if (error == ENOBUFS) {
            /* The socket overflowed: the kernel counts those as lost. */
            if (log_ratelimit_allow(&dp->warn_rl)) {
                LOG_WARN("%s: port %u (%s): upcalls were dropped (socket full)",
                         dp->up.name, port->port_no, port->name);
            }
        } else if (error && error != EINTR) {
            if (log_ratelimit_allow(&dp->warn_rl)) {
                LOG_WARN("%s: port %u (%s): receiving upcalls failed: %s", dp->up.name,
                         port->port_no, port->name, strerror(error));
            }
            break;
        } else if (!error && up.dp_ifindex == dp->dp_ifindex) {
            handle_upcall(dp, &up);
        }
    }
}

static int
dp_kernel_fill_pollfds(struct dpif *dpif, struct pollfd *fds, void **handles, int max)
{
    struct dp_kernel *dp = dp_kernel_cast(dpif);
    struct dp_kernel_port *port;
    uint32_t i = 0;
    int n = 0;

    while (n < max && (port = next_vport(dp, &i))) {
        if (port->sock) {
            fds[n].fd = dpif_netlink_upcall_sock_fd(port->sock);
            fds[n].events = POLLIN;
            fds[n].revents = 0;
            handles[n++] = port;
        }
    }
    return n;
}

static uint32_t
dp_kernel_upcall_pid(struct dpif *dpif, uint32_t port_no)
{
    const struct dp_kernel *dp = dp_kernel_cast(dpif);
    const struct dp_kernel_port *port = port_get(dp, port_no);

    if (!port || !port->sock) {
        /* A packet-out from the controller: the bridge's own port answers. */
        port = port_get(dp, 0);
    }
    return port && port->sock ? port->upcall_pid : 0;
}

/* ---- Ports ---------------------------------------------------------------------- */

static void
port_set_error(struct dp_kernel_port *port, char *error)
{
    free(port->error);
    port->error = error;
}

static int
port_set_upcall_pid(struct dp_kernel *dp, struct dp_kernel_port *port)
{
    return dpif_netlink_vport_set_upcall_pids(dp->nl, dp->dp_ifindex, port->port_no,
                                              &port->upcall_pid, 1);
}

/* ---- Ports: ingress policing and egress shaping ------------------------------- */

/* Egress shaping: a tc tbf qdisc on the device, which the kernel's vport
 * transmits through (an internal vport hands packets to the host stack
 * without a qdisc: it cannot be shaped). Put on at every attach, so that
 * a device deleted and created again is shaped again. */
static int
port_shape(struct dp_kernel_port *port, struct buf *error)
{
    if (port->type != DPIF_PORT_SYSTEM) {
        buf_printf(error, "egress shaping needs a port on a device (type=system); %s is "
                   "an internal port", port->name);
        return EINVAL;
    }
    return netdev_shaping_set_device(port->name, port->qos.shaping_rate,
                                     port->qos.shaping_burst, error);
}

static void
port_apply_shaping(struct dp_kernel *dp, struct dp_kernel_port *port)
{
    struct buf error = BUF_INITIALIZER;

    if (port->qos.shaping_rate && port_shape(port, &error)) {
        LOG_WARN("%s: port %u (%s): egress shaping not applied: %s", dp->up.name,
                 port->port_no, port->name, buf_cstr(&error));
    }
    buf_uninit(&error);
}

/* Ingress policing: kernel meter number 'port_no' with one drop band,
 * which every flow from the port runs first (dp_kernel_port_meter()). */
static int
port_police(struct dp_kernel *dp, struct dp_kernel_port *port, struct buf *error)
{
    uint32_t burst = port->qos.policing_burst ? port->qos.policing_burst
                                              : TOKEN_BUCKET_DEFAULT_BURST_KBIT;
    int err;

    if (!port->qos.policing_rate) {
        if (port->metered) {
            dpif_netlink_meter_del(dp->nl, dp->dp_ifindex, port->port_no);
            port->metered = false;
        }
        return 0;
    }
    err = dpif_netlink_meter_set(dp->nl, dp->dp_ifindex, port->port_no,
                                 port->qos.policing_rate, burst);
    if (err == EOPNOTSUPP) {
        buf_printf(error, "ingress policing on the kernel datapath needs kernel meters "
                   "(the ovs_meter family, Linux 4.15 or later)");
    } else if (err) {
        buf_printf(error, "cannot set kernel meter %u: %s", port->port_no, strerror(err));
    }
    port->metered = !err;
    return err;
}

static int
dp_kernel_port_set_qos(struct dpif *dpif, uint32_t port_no, const struct dpif_port_qos *qos,
                       struct buf *error)
{
    struct dp_kernel *dp = dp_kernel_cast(dpif);
    struct dp_kernel_port *port = port_get(dp, port_no);
    bool was_shaped;
    int err, shape_err = 0;

    if (!port) {
        return ENOENT;
    }
    was_shaped = port->qos.shaping_rate != 0;
    port->qos = *qos;
    err = port_police(dp, port, error);
    if (was_shaped && !qos->shaping_rate && port->type == DPIF_PORT_SYSTEM) {
        netdev_shaping_clear_device(port->name);
    } else if (qos->shaping_rate && port->attached) {
        if (err) {
            buf_put_cstr(error, "; ");
        }
        shape_err = port_shape(port, error);
    }
    return err ? err : shape_err;
}

static bool
dp_kernel_port_meter(struct dpif *dpif, uint32_t port_no, uint32_t *meter_id)
{
    const struct dp_kernel_port *port = port_get(dp_kernel_cast(dpif), port_no);

    *meter_id = port_no;
    return port && port->metered;
}

/* Takes the port's policing and shaping away (the port leaves the bridge,
 * or the bridge goes). */
static void
port_clear_qos(struct dp_kernel *dp, struct dp_kernel_port *port)
{
    if (port->metered) {
        dpif_netlink_meter_del(dp->nl, dp->dp_ifindex, port->port_no);
        port->metered = false;
    }
    if (port->qos.shaping_rate && port->type == DPIF_PORT_SYSTEM) {
        netdev_shaping_clear_device(port->name);
    }
}

/* Creates the port's vport with its number and upcall socket, or takes
 * over the one a previous flowd left. Returns 0 or an errno, with the
 * reason in port->error. */
static int
port_attach(struct dp_kernel *dp, struct dp_kernel_port *port)
{
    struct dpif_netlink_vport_spec spec = {
        .name = port->name, .type = port->vport_type, .port_no = port->port_no,
        .dst_port = port->dst_port, .upcall_pid = port->upcall_pid,
    };
    struct dpif_netlink_vport vport;
    int error = dpif_netlink_vport_get(dp->nl, port->name, &vport);

    if (!error && vport.dp_ifindex == dp->dp_ifindex && vport.port_no == port->port_no
        && vport.type == spec.type) {
        error = port_set_upcall_pid(dp, port);
    } else {
        if (!error && vport.dp_ifindex != dp->dp_ifindex) {
            port_set_error(port, xasprintf("device %s is a port of another kernel datapath",
                                           port->name));
            return EBUSY;
        } else if (!error) {
            /* Ours under another number or type: an older configuration. */
            dpif_netlink_vport_del(dp->nl, dp->dp_ifindex, vport.port_no);
        }
        error = dpif_netlink_vport_add(dp->nl, dp->dp_ifindex, &spec, NULL);
        if (error == EBUSY) {
            /* Another device holds the number: left from an older configuration. */
            dpif_netlink_vport_del(dp->nl, dp->dp_ifindex, port->port_no);
            error = dpif_netlink_vport_add(dp->nl, dp->dp_ifindex, &spec, NULL);
        }
    }
    if (error) {
        port_set_error(port, error == ENODEV ? xasprintf("no such device")
                             : xasprintf("cannot add it to the kernel datapath: %s",
                                         strerror(error)));
        port->error_code = error;
        return error;
    }
    port->attached = true;
    port_set_error(port, NULL);
    port->error_code = 0;
    port_apply_shaping(dp, port);
    return 0;
}

/* Frees 'port' (a bond port: not its members' vports). */
static void
port_destroy(struct dp_kernel_port *port)
{
    if (port) {
        dpif_netlink_upcall_sock_close(port->sock);
        bond_destroy(port->bond);
        free(port->members);
        free(port->name);
        free(port->error);
        free(port->tnl);
        free(port);
    }
}

static void tunnel_vport_release(struct dp_kernel *, struct dp_kernel_port *vport);
static void members_delete(struct dp_kernel *, struct dp_kernel_port *bond_port);

static void
dp_kernel_port_del(struct dpif *dpif, uint32_t port_no)
{
    struct dp_kernel *dp = dp_kernel_cast(dpif);
    struct dp_kernel_port *port = port_no < dp->n_ports_allocated ? dp->ports[port_no] : NULL;

    if (!port) {
        return;
    }
    port_clear_qos(dp, port);
    if (port->tnl) {
        tunnel_vport_release(dp, port->vport);
    } else if (port->bond) {
        members_delete(dp, port);
    } else if (port->attached && port_no != 0) {
        /* Port 0 is the datapath itself: it goes with the datapath. */
        dpif_netlink_vport_del(dp->nl, dp->dp_ifindex, port_no);
    }
    port_destroy(port);
    dp->ports[port_no] = NULL;
}

/* A new port with a vport of its own, attached if it can be. */
static struct dp_kernel_port *
port_create(struct dp_kernel *dp, uint32_t port_no, const char *name, uint32_t vport_type,
            uint16_t dst_port)
{
    struct dp_kernel_port *port = xzalloc(sizeof *port);
    int error;

    port->port_no = port_no;
    port->name = xstrdup(name);
    port->type = (vport_type == OVS_VPORT_TYPE_NETDEV ? DPIF_PORT_SYSTEM
                  : DPIF_PORT_INTERNAL);
    port->vport_type = vport_type;
    port->dst_port = dst_port;
    error = dpif_netlink_upcall_sock_open(&port->sock, &port->upcall_pid);
    if (error) {
        port_set_error(port, xasprintf("cannot open an upcall socket: %s", strerror(error)));
    } else {
        error = port_attach(dp, port);
    }
    if (error) {
        port->next_retry = time_msec() + PORT_CHECK_MSEC;
        LOG_WARN("%s: port %u (%s): %s", dp->up.name, port_no, name, port->error);
    }
    return port;
}

/* Makes room for bridge port 'port_no', removing the one there. */
static void
port_slot_clear(struct dp_kernel *dp, uint32_t port_no)
{
    if (port_no >= dp->n_ports_allocated) {
        uint32_t n = MAX(port_no + 1, dp->n_ports_allocated * 2);

        dp->ports = xrealloc(dp->ports, n * sizeof *dp->ports);
        memset(dp->ports + dp->n_ports_allocated, 0,
               (n - dp->n_ports_allocated) * sizeof *dp->ports);
        dp->n_ports_allocated = n;
    }
    dp_kernel_port_del(&dp->up, port_no);
}

static void
dp_kernel_port_add(struct dpif *dpif, uint32_t port_no, const char *name,
                   enum dpif_port_type type)
{
    struct dp_kernel *dp = dp_kernel_cast(dpif);

    port_slot_clear(dp, port_no);
    dp->ports[port_no] = port_create(dp, port_no, name,
                                     type == DPIF_PORT_INTERNAL ? OVS_VPORT_TYPE_INTERNAL
                                                                : OVS_VPORT_TYPE_NETDEV,
                                     0);
}

/* ---- Tunnel vports ------------------------------------------------------------- */

static uint32_t
tunnel_vport_type(enum sw_port_type type)
{
    return (type == SW_PORT_VXLAN ? OVS_VPORT_TYPE_VXLAN
            : type == SW_PORT_GENEVE ? OVS_VPORT_TYPE_GENEVE : OVS_VPORT_TYPE_GRE);
}

/* Open vSwitch's names: vxlan_sys_4789, genev_sys_6081, gre_sys. */
static char *
tunnel_vport_name(uint32_t vport_type, uint16_t dst_port)
{
    return (vport_type == OVS_VPORT_TYPE_VXLAN ? xasprintf("vxlan_sys_%u", dst_port)
            : vport_type == OVS_VPORT_TYPE_GENEVE ? xasprintf("genev_sys_%u", dst_port)
            : xstrdup("gre_sys"));
}

/* The slot in 'slots' (numbered from 'base', 'n_slots' of them) for a new
 * vport 'name': the number a previous flowd gave it if that is free (its
 * flows stay valid), else the first free one; 'n_slots' if none is. */
static uint32_t
vport_slot(struct dp_kernel *dp, const char *name, struct dp_kernel_port *const *slots,
           uint32_t base, uint32_t n_slots)
{
    struct dpif_netlink_vport vport;

    if (!dpif_netlink_vport_get(dp->nl, name, &vport) && vport.dp_ifindex == dp->dp_ifindex
        && vport.port_no >= base && vport.port_no - base < n_slots
        && !slots[vport.port_no - base]) {
        return vport.port_no - base;
    }
    for (uint32_t i = 0; i < n_slots; i++) {
        if (!slots[i]) {
            return i;
        }
    }
    return n_slots;
}

/* The tunnel vport for 'cfg''s type and UDP port, created for its first
 * user; NULL if all numbers are taken. */
static struct dp_kernel_port *
tunnel_vport_get(struct dp_kernel *dp, const struct tnl_config *cfg)
{
    uint32_t type = tunnel_vport_type(cfg->type);
    uint16_t dst_port = cfg->type == SW_PORT_GRE ? 0 : cfg->dst_port;
    struct dp_kernel_port *vport;
    uint32_t slot;
    char *name;

    for (slot = 0; slot < TNL_VPORT_SLOTS; slot++) {
        vport = dp->tnl_vports[slot];
        if (vport && vport->vport_type == type && vport->dst_port == dst_port) {
            vport->n_users++;
            return vport;
        }
    }
    name = tunnel_vport_name(type, dst_port);
    slot = vport_slot(dp, name, dp->tnl_vports, TNL_VPORT_BASE, TNL_VPORT_SLOTS);
    if (slot < TNL_VPORT_SLOTS) {
        vport = port_create(dp, TNL_VPORT_BASE + slot, name, type, dst_port);
        vport->n_users = 1;
        dp->tnl_vports[slot] = vport;
    } else {
        vport = NULL;
    }
    free(name);
    return vport;
}

static void
tunnel_vport_release(struct dp_kernel *dp, struct dp_kernel_port *vport)
{
    if (vport && !--vport->n_users) {
        if (vport->attached) {
            dpif_netlink_vport_del(dp->nl, dp->dp_ifindex, vport->port_no);
        }
        dp->tnl_vports[vport->port_no - TNL_VPORT_BASE] = NULL;
        port_destroy(vport);
    }
}

void
dp_kernel_tunnel_port_add(struct dpif *dpif, uint32_t port_no, const char *name,
                          const struct tnl_config *cfg)
{
    struct dp_kernel *dp = dp_kernel_cast(dpif);
    struct dp_kernel_port *port = xzalloc(sizeof *port);

    port_slot_clear(dp, port_no);
    port->port_no = port_no;
    port->name = xstrdup(name);
    port->type = DPIF_PORT_INTERNAL;
    port->tnl = xmemdup(cfg, sizeof *cfg);
    port->vport = tunnel_vport_get(dp, cfg);
    if (!port->vport) {
        port_set_error(port, xasprintf("no vport number left for another tunnel type"));
    }
    dp->ports[port_no] = port;
}

/* ---- Bond ports ------------------------------------------------------------------ */

/* The kernel sees each member of a bond as a netdev vport of its own
 * (numbered from MEMBER_VPORT_BASE up), with its own upcall socket; the
 * pipeline sees the bond port. bond.c keeps carrier and LACP state through
 * the bond_ops below; kernel_xlate() maps members to the bond on the way
 * in and picks a member on the way out. */

static bool
kernel_member_present(void *port_, size_t index)
{
    const struct dp_kernel_port *port = port_;

    return port->members[index] && port->members[index]->attached;
}

/* Sends an LACPDU out of member 'index' (OVS_PACKET_CMD_EXECUTE with one
 * output action), as if it came from the bridge's own port. */
static int
kernel_member_send(void *port_, size_t index, const struct dp_packet *packet)
{
    const struct dp_kernel_port *port = port_;
    const struct dp_kernel_port *member = port->members[index];
    struct dp_actions actions = DP_ACTIONS_INITIALIZER;
    struct flowkey md;
    int error;

    if (!member || !member->attached) {
        return ENODEV;
    }
    flowkey_extract(packet->data, packet->size, 0, &md, NULL);
    dp_actions_put_output(&actions, member->port_no);
    error = dpif_netlink_execute(port->dp->nl, port->dp->dp_ifindex, &md, packet->data,
                                 packet->size, actions.data, actions.size);
    dp_actions_uninit(&actions);
    if (error && log_ratelimit_allow(&port->dp->warn_rl)) {
        LOG_WARN("%s: bond %s: sending an LACPDU on %s failed: %s", port->dp->up.name,
                 port->name, member->name, strerror(error));
    }
    return error;
}

static const char *
kernel_member_error(void *port_, size_t index)
{
    const struct dp_kernel_port *port = port_;

    return port->members[index] ? port->members[index]->error : "no vport number left for it";
}

static const struct bond_ops bond_member_ops = {
    .member_present = kernel_member_present,
    .send = kernel_member_send,
    .member_error = kernel_member_error,
};

/* Deletes the member vports of 'bond_port' from the kernel and from 'dp'. */
static void
members_delete(struct dp_kernel *dp, struct dp_kernel_port *bond_port)
{
    for (size_t i = 0; i < bond_port->bond->n_members; i++) {
        struct dp_kernel_port *member = bond_port->members[i];

        if (member) {
            if (member->attached) {
                dpif_netlink_vport_del(dp->nl, dp->dp_ifindex, member->port_no);
            }
            dp->member_vports[member->port_no - MEMBER_VPORT_BASE] = NULL;
            port_destroy(member);
            bond_port->members[i] = NULL;
        }
    }
}

void
dp_kernel_bond_port_add(struct dpif *dpif, uint32_t port_no, const char *name,
                        enum bond_mode mode, const char *lacp, char **members, size_t n,
                        unsigned int updelay_msec, unsigned int downdelay_msec)
{
    struct dp_kernel *dp = dp_kernel_cast(dpif);
    struct dp_kernel_port *port = xzalloc(sizeof *port);

    port_slot_clear(dp, port_no);
    port->port_no = port_no;
    port->name = xstrdup(name);
    port->type = DPIF_PORT_INTERNAL;
    port->dp = dp;
    port->bond = bond_create(name, mode, members, n);
    bond_set_lacp(port->bond, lacp, port_no);
    bond_set_ops(port->bond, &bond_member_ops, port);
    port->members = xcalloc(n ? n : 1, sizeof *port->members);
    for (size_t i = 0; i < n; i++) {
        uint32_t slot = vport_slot(dp, members[i], dp->member_vports, MEMBER_VPORT_BASE,
                                   MEMBER_VPORT_SLOTS);
        struct dp_kernel_port *member;

        if (slot >= MEMBER_VPORT_SLOTS) {
            LOG_WARN("%s: bond %s: member %s: no vport number left for it", dp->up.name,
                     name, members[i]);
            continue;
        }
        member = port_create(dp, MEMBER_VPORT_BASE + slot, members[i], OVS_VPORT_TYPE_NETDEV,
                             0);
        member->bond_port = port;
        member->member_index = i;
        dp->member_vports[slot] = member;
        port->members[i] = member;
    }
    dp->ports[port_no] = port;
    bond_keep_active_in_rundir(port->bond, dp->up.name);
    bond_run(port->bond, time_msec());
    /* After the first look at the members: the delays are for changes. */
    bond_set_delays(port->bond, updelay_msec, downdelay_msec);
}

/* Carrier, LACP timers and the active member of every bond. True if the
 * members in use changed (here, or with an LACPDU since the last call). */
static bool
bonds_run(struct dp_kernel *dp, long long now)
{
    bool changed = dp->bonds_changed;

    dp->bonds_changed = false;
    for (uint32_t i = 0; i < dp->n_ports_allocated; i++) {
        if (dp->ports[i] && dp->ports[i]->bond) {
            changed |= bond_run(dp->ports[i]->bond, now);
        }
    }
    return changed;
}

static const struct bond *
dp_kernel_port_bond(struct dpif *dpif, uint32_t port_no)
{
    const struct dp_kernel *dp = dp_kernel_cast(dpif);
    const struct dp_kernel_port *port = port_no < dp->n_ports_allocated ? dp->ports[port_no]
                                                                         : NULL;

    return port ? port->bond : NULL;
}

static uint32_t
dp_kernel_flow_in_port(struct dpif *dpif, uint32_t port_no)
{
    const struct dp_kernel_port *member = member_get(dp_kernel_cast(dpif), port_no);

    return member ? member->bond_port->port_no : port_no;
}

static void
vport_stats_to_netdev(const struct ovs_vport_stats *v, struct netdev_stats *s)
{
    memset(s, 0, sizeof *s);
    s->rx_packets = v->rx_packets;
    s->rx_bytes = v->rx_bytes;
    s->rx_dropped = v->rx_dropped;
    s->tx_packets = v->tx_packets;
    s->tx_bytes = v->tx_bytes;
    s->tx_errors = v->tx_errors;
    s->tx_dropped = v->tx_dropped;
}

/* A bond's counters: its members' vports' summed. */
static void
bond_port_status(const struct dp_kernel_port *port, struct dpif_port_status *status)
{
    status->deviceless = true;
    status->present = port->bond->active >= 0;
    for (size_t i = 0; i < port->bond->n_members; i++) {
        const struct dp_kernel_port *member = port->members[i];
        struct netdev_stats s;

        if (member && member->attached) {
            vport_stats_to_netdev(&member->stats, &s);
            status->stats.rx_packets += s.rx_packets;
            status->stats.rx_bytes += s.rx_bytes;
            status->stats.rx_dropped += s.rx_dropped;
            status->stats.tx_packets += s.tx_packets;
            status->stats.tx_bytes += s.tx_bytes;
            status->stats.tx_errors += s.tx_errors;
            status->stats.tx_dropped += s.tx_dropped;
            status->has_stats = true;
        }
    }
}

static bool
dp_kernel_port_status(struct dpif *dpif, uint32_t port_no, struct dpif_port_status *status)
{
    const struct dp_kernel_port *port = port_get(dp_kernel_cast(dpif), port_no);

    if (!port) {
        return false;
    } else if (port->tnl) {
        /* Its vport's counters are those of every tunnel port on it. */
        status->deviceless = true;
        status->present = port->vport && port->vport->attached;
        status->failed = !port->vport;
        status->error = port->vport ? port->vport->error : port->error;
        status->error_code = port->vport ? port->vport->error_code : 0;
        status->vport_name = port->vport ? port->vport->name : NULL;
        return true;
    } else if (port->bond) {
        bond_port_status(port, status);
        return true;
    }
    status->present = port->attached;
    status->error = port->error;
    if (port->attached) {
        status->has_stats = true;
        vport_stats_to_netdev(&port->stats, &status->stats);
    }
    return true;
}

struct vport_list {
    struct dpif_netlink_vport *vports;
    size_t n, allocated;
};

static void
collect_vport(const struct dpif_netlink_vport *vport, void *list_)
{
    struct vport_list *list = list_;

    list->vports = x2nrealloc(list->vports, &list->allocated, list->n + 1,
                              sizeof *list->vports);
    list->vports[list->n++] = *vport;
}

static const struct dpif_netlink_vport *
find_vport(const struct vport_list *list, const struct dp_kernel_port *port)
{
    for (size_t i = 0; i < list->n; i++) {
        const struct dpif_netlink_vport *v = &list->vports[i];

        if (v->port_no == port->port_no && !strcmp(v->name, port->name)) {
            return v;
        }
    }
    return NULL;
}

/* Brings one port in line with what the kernel has. True if it changed. */
static bool
port_check(struct dp_kernel *dp, struct dp_kernel_port *port, const struct vport_list *list,
           long long now, bool now_all)
{
    const struct dpif_netlink_vport *vport = find_vport(list, port);
    bool changed = false;

    if (vport) {
        port->stats = vport->stats;
        return false;
    }
    if (port->attached) {
        /* The kernel drops a vport whose device is deleted. */
        LOG_INFO("%s: port %u (%s): device went away", dp->up.name, port->port_no,
                 port->name);
        port->attached = false;
        port_set_error(port, xasprintf("no such device"));
        port->next_retry = now;
        changed = true;
    }
    if (port->sock && (now_all || now >= port->next_retry)) {
        if (!port_attach(dp, port)) {
            LOG_INFO("%s: port %u (%s): attached", dp->up.name, port->port_no, port->name);
            memset(&port->stats, 0, sizeof port->stats);
            changed = true;
        } else {
            port->next_retry = now + PORT_CHECK_MSEC;
        }
    }
    return changed;
}

/* Deletes vports no port of the bridge accounts for (left over from an
 * older configuration when flowd was not running). */
static void
remove_unknown_vports(struct dp_kernel *dp, const struct vport_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        const struct dpif_netlink_vport *v = &list->vports[i];
        const struct dp_kernel_port *port = port_get(dp, v->port_no);

        if (v->port_no && (!port || strcmp(port->name, v->name))) {
            LOG_INFO("%s: removing kernel vport %u (%s): not a port of the bridge",
                     dp->up.name, v->port_no, v->name);
            dpif_netlink_vport_del(dp->nl, dp->dp_ifindex, v->port_no);
        }
    }
}

static bool
dp_kernel_ports_run(struct dpif *dpif, long long now, bool now_all)
{
    struct dp_kernel *dp = dp_kernel_cast(dpif);
    struct vport_list list = { NULL, 0, 0 };
    bool changed = false;
    int error;

    if (!now_all && now < dp->next_port_check) {
        return bonds_run(dp, now);
    }
    dp->next_port_check = now + PORT_CHECK_MSEC;
    error = dpif_netlink_vport_dump(dp->nl, dp->dp_ifindex, collect_vport, &list);
    if (error) {
        if (log_ratelimit_allow(&dp->warn_rl)) {
            LOG_WARN("%s: listing the kernel datapath's vports failed: %s", dp->up.name,
                     strerror(error));
        }
    } else {
        struct dp_kernel_port *port;
        uint32_t i = 0;

        remove_unknown_vports(dp, &list);
        while ((port = next_vport(dp, &i))) {
            changed |= port_check(dp, port, &list, now, now_all);
        }
    }
    free(list.vports);
    return bonds_run(dp, now) || changed;
}

/* ---- Flow dumps and revalidation ------------------------------------------------ */

/* A kernel flow flowd has no record of, copied out of the dump. */
struct unknown_flow {
    struct flowkey key;             /* Masked. */
    struct flowkey mask;
    struct dp_actions actions;
    struct odp_flow_stats stats;
    struct dpif_netlink_ufid ufid;
    bool has_ufid;
    int key_error;                  /* The key could not be read. */
};

struct flow_dump {
    struct dp_kernel *dp;
    long long now;
    struct unknown_flow *unknown;
    size_t n_unknown, allocated_unknown;
};

static void
dump_one_flow(const struct dpif_netlink_flow *kflow, void *dump_)
{
    struct flow_dump *dump = dump_;
    struct kflow *known = kflow->has_ufid ? flow_by_ufid(dump->dp, &kflow->ufid) : NULL;
    struct unknown_flow *u;

    if (known) {
        known->dump_seq = dump->dp->dump_seq;
        flow_update_counters(known, &kflow->stats, dump->now);
        return;
    }
    dump->unknown = x2nrealloc(dump->unknown, &dump->allocated_unknown, dump->n_unknown + 1,
                               sizeof *dump->unknown);
    u = &dump->unknown[dump->n_unknown++];
    memset(u, 0, sizeof *u);
    u->key = kflow->key;
    u->mask = kflow->mask;
    dp_actions_copy(&u->actions, kflow->actions, kflow->actions_size);
    u->stats = kflow->stats;
    u->ufid = kflow->ufid;
    u->has_ufid = kflow->has_ufid;
    u->key_error = kflow->key_error;
}

static bool
mask_within(const struct flowkey *narrow, const struct flowkey *wide)
{
    const uint64_t *n = (const uint64_t *) (const void *) narrow;
    const uint64_t *w = (const uint64_t *) (const void *) wide;

    for (size_t i = 0; i < FLOWKEY_U64S; i++) {
        if (n[i] & ~w[i]) {
            return false;
        }
    }
    return true;
}

/* Whether translation, asked now about 'u''s packets (recorded as
 * 'rkey'), would install 'u' as it is: the same kernel actions
 * 'kactions', depending on no field 'u' does not match. */
static bool
unknown_flow_is_right(const struct unknown_flow *u, const struct flowkey *rkey,
                      const struct dp_upcall_result *result,
                      const struct dp_actions *kactions)
{
    struct flowkey mask = result->mask;

    flowkey_mask_canonicalize(rkey, &mask);
    return (result->install && mask_within(&mask, &u->mask)
            && kactions->size == u->actions.size
            && (!u->actions.size || !memcmp(kactions->data, u->actions.data, u->actions.size)));
}

/* Takes 'u' into flowd's record, with the rules and learning behind it;
 * its packets so far were counted by whoever installed it. */
static bool
adopt_flow(struct dp_kernel *dp, const struct unknown_flow *u, const struct flowkey *key,
           struct dp_upcall_result *result, long long now)
{
    struct dpflow *flow, *existing;
    uint32_t words[4];

    flow = dpflow_install(&dp->up.flows, key, &u->mask, result->actions.data,
                          result->actions.size, &existing);
    if (!flow) {
        return false;
    }
    flow->rules = result->rules;
    flow->n_rules = result->n_rules;
    result->rules = NULL;
    flow->learn = result->learn;
    flow->mirrors = result->mirrors;
    flow->mirror_size = result->mirror_size;
    memcpy(words, u->ufid.bytes, sizeof words);
    flow_update_counters(flow_track(dp, flow, words, 0, 0), &u->stats, now);
    /* Its packets so far were counted by the flowd that installed it. */
    flow->credited_packets = flow->nf_packets = flow->ipfix_packets = flow->packets;
    flow->mirror_packets = flow->learn_packets = flow->packets;
    flow->credited_bytes = flow->nf_bytes = flow->ipfix_bytes = flow->mirror_bytes
        = flow->bytes;
    return true;
}

/* Keeps or deletes each kernel flow flowd does not know. A first pass
 * through the pipeline learns the MACs the flows carry (after a restart
 * the MAC table is empty, and every unicast flow would look wrong); the
 * second decides. */
static void
revalidate_unknown(struct dp_kernel *dp, struct unknown_flow *unknown, size_t n,
                   long long now)
{
    size_t n_adopted = 0, n_deleted = 0;

    for (size_t i = 0; i < n; i++) {
        struct dp_actions kactions = DP_ACTIONS_INITIALIZER;
        struct dp_upcall_result result;
        struct flowkey rkey;

        if (!unknown[i].key_error && unknown[i].has_ufid) {
            result_init(&result);
            kernel_xlate(dp, &unknown[i].key, &rkey, &result, &kactions);
            result_uninit(&result);
            dp_actions_uninit(&kactions);
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct dp_actions kactions = DP_ACTIONS_INITIALIZER;
        struct unknown_flow *u = &unknown[i];
        struct dp_upcall_result result;
        struct flowkey rkey;
        bool keep = false;

        result_init(&result);
        if (!u->key_error && u->has_ufid && kernel_xlate(dp, &u->key, &rkey, &result, &kactions)) {
            keep = (unknown_flow_is_right(u, &rkey, &result, &kactions)
                    && dp->up.flows.n_flows < dp->up.flow_limit
                    && adopt_flow(dp, u, &rkey, &result, now));
        }
        result_uninit(&result);
        dp_actions_uninit(&kactions);
        if (keep) {
            n_adopted++;
        } else if (u->has_ufid || !u->key_error) {
            dpif_netlink_flow_del(dp->nl, dp->dp_ifindex, u->has_ufid ? NULL : &u->key,
                                  u->has_ufid ? NULL : &u->mask,
                                  u->has_ufid ? &u->ufid : NULL, NULL);
            n_deleted++;
        }
    }
    if (n_adopted || n_deleted) {
        LOG_INFO("%s: revalidated kernel flows flowd had not installed: %zu kept, "
                 "%zu deleted", dp->up.name, n_adopted, n_deleted);
    }
}

/* Forgets the flows the last dump did not see: someone deleted them
 * (`dp del-flows`), or the kernel did with their port. */
static void
forget_vanished_flows(struct dp_kernel *dp)
{
    struct dpflow **gone = NULL;
    size_t n_gone = 0, allocated = 0;
    struct kflow *kflow;

    HMAP_FOR_EACH (kflow, node, &dp->flows_by_ufid) {
        if (kflow->dump_seq != dp->dump_seq) {
            gone = x2nrealloc(gone, &allocated, n_gone + 1, sizeof *gone);
            gone[n_gone++] = kflow->flow;
        }
    }
    for (size_t i = 0; i < n_gone; i++) {
        flow_forget(dp, gone[i]);
    }
    free(gone);
}

static void
dump_flows(struct dp_kernel *dp, long long now)
{
    struct flow_dump dump = { .dp = dp, .now = now };
    int error;

    dp->dump_seq++;
    dp->last_dump = now;
    error = dpif_netlink_flow_dump(dp->nl, dp->dp_ifindex, dump_one_flow, &dump);
    if (error) {
        if (log_ratelimit_allow(&dp->warn_rl)) {
            LOG_WARN("%s: dumping the kernel's flows failed: %s", dp->up.name,
                     strerror(error));
        }
    } else {
        forget_vanished_flows(dp);
        revalidate_unknown(dp, dump.unknown, dump.n_unknown, now);
    }
    for (size_t i = 0; i < dump.n_unknown; i++) {
        dp_actions_uninit(&dump.unknown[i].actions);
    }
    free(dump.unknown);
}

/* Puts back per-vport upcalls if someone switched them off: Open vSwitch's
 * tools (ovs-dpctl) switch a datapath they merely look at to per-CPU
 * dispatch, which sends every miss to sockets nobody reads. */
static void
restore_features(struct dp_kernel *dp, uint32_t features)
{
    int error;

    if (features == DPIF_NETLINK_USER_FEATURES) {
        return;
    }
    error = dpif_netlink_dp_set_features(dp->nl, dp->dp_ifindex, DPIF_NETLINK_USER_FEATURES);
    LOG_WARN("%s: the kernel datapath's features were changed (to %#x) by another "
             "program; %s", dp->up.name, features,
             error ? strerror(error) : "per-vport upcalls restored");
}

static void
update_datapath_stats(struct dp_kernel *dp)
{
    struct dpif_netlink_dp info;

    if (!dpif_netlink_dp_get(dp->nl, dp->up.name, &info)) {
        dp->up.n_hit = info.n_hit;
        dp->up.n_missed = info.n_missed;
        dp->up.n_lost = info.n_lost;
        restore_features(dp, info.user_features);
    }
}

static void
dp_kernel_run(struct dpif *dpif, long long now)
{
    struct dp_kernel *dp = dp_kernel_cast(dpif);

    if (now >= dp->next_dump) {
        dp->next_dump = now + FLOW_DUMP_MSEC;
        dump_flows(dp, now);
        update_datapath_stats(dp);
    }
}

static void
dp_kernel_sync_stats(struct dpif *dpif)
{
    struct dp_kernel *dp = dp_kernel_cast(dpif);
    long long now = time_msec();

    if (dp->up.flows.n_flows && now - dp->last_dump >= STATS_FRESH_MSEC) {
        dump_flows(dp, now);
    }
}

/* ---- Packets ----------------------------------------------------------------------- */

static void
dp_kernel_execute(struct dpif *dpif, struct dp_packet *packet, const void *actions,
                  size_t size)
{
    struct dp_kernel *dp = dp_kernel_cast(dpif);
    struct dp_actions kactions = DP_ACTIONS_INITIALIZER;
    struct flowkey md;
    int error;

    if (!size) {
        return;
    }
    /* The kernel parses the packet itself and only needs the metadata; a
     * packet from the controller enters through the bridge's own port.
     * The whole key chooses the member of a bond it goes out on. */
    flowkey_extract(packet->data, packet->size,
                    port_get(dp, packet->in_port) ? kernel_port_no(dp, packet->in_port) : 0,
                    &md, NULL);
    actions_to_kernel(dp, &md, actions, size, NULL, &kactions);
    error = dpif_netlink_execute(dp->nl, dp->dp_ifindex, &md, packet->data, packet->size,
                                 kactions.data, kactions.size);
    dp_actions_uninit(&kactions);
    if (error && log_ratelimit_allow(&dp->warn_rl)) {
        LOG_WARN("%s: executing a packet in the kernel failed: %s", dp->up.name,
                 strerror(error));
    }
}

static bool
dp_kernel_set_sampler(struct dpif *dpif, dp_sample_func *sample, void *aux,
                      uint32_t first_skip)
{
    /* The kernel cannot call flowd's sampler: sFlow puts sample actions
     * into the flows instead (sflow.h). */
    return !sample;
}

/* ---- Life cycle ------------------------------------------------------------------ */

static int
open_datapath(struct dp_kernel *dp, struct buf *errors)
{
    struct dpif_netlink_dp info;
    int error = dpif_netlink_dp_get(dp->nl, dp->up.name, &info);

    if (!error) {
        LOG_INFO("%s: taking over the kernel datapath with its %llu flows", dp->up.name,
                 (unsigned long long) info.n_flows);
        dp->dp_ifindex = info.ifindex;
        restore_features(dp, info.user_features);
    } else if (error == ENODEV || error == ENOENT) {
        error = dpif_netlink_dp_create(dp->nl, dp->up.name, 0, &info);
    }
    if (error) {
        buf_printf(errors, "%s: cannot open the kernel datapath: %s\n", dp->up.name,
                   strerror(error));
        return error;
    }
    dp->dp_ifindex = info.ifindex;
    return 0;
}

struct dpif *
dp_kernel_create(const char *name, dp_upcall_func *upcall, void *aux, struct buf *errors)
{
    struct log_ratelimit rl = LOG_RATELIMIT_INIT(10, 10);
    struct dpif_netlink *nl;
    struct dp_kernel *dp;
    int error = dpif_netlink_open(&nl);

    if (error) {
        buf_printf(errors, "%s: datapath=kernel: %s\n", name,
                   error == ENOENT ? "the openvswitch kernel module is not loaded"
                                   : strerror(error));
        return NULL;
    } else if (!dpif_netlink_ufid_supported(nl)) {
        buf_printf(errors, "%s: datapath=kernel: this openvswitch module names no flows "
                   "by UFID (Linux 4.3 or later needed)\n", name);
        dpif_netlink_close(nl);
        return NULL;
    }
    dp = xzalloc(sizeof *dp);
    dpif_init(&dp->up, &dp_kernel_class, name, upcall, aux);
    dp->nl = nl;
    dp->warn_rl = rl;
    hmap_init(&dp->flows_by_ufid);
    if (open_datapath(dp, errors)) {
        dpif_destroy(&dp->up, true);
        return NULL;
    }
    return &dp->up;
}

static void
dp_kernel_destroy(struct dpif *dpif, bool keep)
{
    struct dp_kernel *dp = dp_kernel_cast(dpif);
    struct kflow *kflow;

    for (uint32_t i = 0; i < dp->n_ports_allocated; i++) {
        if (!keep && dp->ports[i]) {
            port_clear_qos(dp, dp->ports[i]);
        }
        port_destroy(dp->ports[i]);
    }
    for (uint32_t i = 0; i < TNL_VPORT_SLOTS; i++) {
        port_destroy(dp->tnl_vports[i]);
    }
    for (uint32_t i = 0; i < MEMBER_VPORT_SLOTS; i++) {
        port_destroy(dp->member_vports[i]);
    }
    free(dp->ports);
    if (!keep && dp->dp_ifindex) {
        int error = dpif_netlink_dp_delete(dp->nl, dp->dp_ifindex);

        if (error) {
            LOG_WARN("%s: deleting the kernel datapath failed: %s", dp->up.name,
                     strerror(error));
        }
    }
    HMAP_FOR_EACH_SAFE (kflow, node, &dp->flows_by_ufid) {
        hmap_remove(&dp->flows_by_ufid, &kflow->node);
        free(kflow);
    }
    hmap_destroy(&dp->flows_by_ufid);
    dpif_netlink_close(dp->nl);
    dpif_uninit(&dp->up);
    free(dp);
}

static const struct dpif_class dp_kernel_class = {
    .type = "kernel",
    .destroy = dp_kernel_destroy,
    .port_add = dp_kernel_port_add,
    .port_del = dp_kernel_port_del,
    .port_status = dp_kernel_port_status,
    .ports_run = dp_kernel_ports_run,
    .fill_pollfds = dp_kernel_fill_pollfds,
    .handle_ready = dp_kernel_handle_ready,
    .run = dp_kernel_run,
    .sync_stats = dp_kernel_sync_stats,
    .execute = dp_kernel_execute,
    .upcall_pid = dp_kernel_upcall_pid,
    .set_sampler = dp_kernel_set_sampler,
    .port_set_qos = dp_kernel_port_set_qos,
    .port_meter = dp_kernel_port_meter,
    .flow_uninstall = dp_kernel_flow_uninstall,
    .port_bond = dp_kernel_port_bond,
    .flow_in_port = dp_kernel_flow_in_port,
};
