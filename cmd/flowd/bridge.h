/* bridge: flowd's view of one configured bridge: its ports with their VLAN
 * settings, its datapath, its MAC table, and the pipeline that answers the
 * datapath's upcalls (for now the NORMAL action: a learning switch). It
 * also revalidates the datapath's flows: idle expiry, and removal of flows
 * a MAC table change has made wrong. */
#ifndef FLOWD_BRIDGE_H
#define FLOWD_BRIDGE_H 1

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "dp-user.h"
#include "dpif.h"
#include "mac-learning.h"
#include "ofproto.h"
#include "swconfig.h"
#include "tnl-config.h"
#include "tun-metadata.h"

struct bridge_mirror;
struct ipfix;
struct netflow;
struct sflow;

#define BRIDGE_LOCAL_DP_PORT 0          /* Datapath number of the bridge's own port. */
#define BRIDGE_DEFAULT_IDLE_MSEC 10000  /* Datapath flow idle timeout. */
#define BRIDGE_SWEEP_MSEC 1000          /* Walk the datapath flows this often
                                         * (counters to rules, idle flows,
                                         * OpenFlow rule timeouts). */
#define BRIDGE_DEFAULT_FAIL_OPEN_MSEC 15000 /* Controllers lost -> NORMAL. */

struct bridge_port {
    char *name;
    uint32_t dp_port;               /* Datapath port number (= ofport, 0 for local). */
    uint32_t ofport;                /* OpenFlow port number. */
    enum sw_port_type type;
    int tag;                        /* Access or native VLAN, -1 if none. */
    uint16_t *trunks;               /* Allowed VLANs; none = all. */
    size_t n_trunks;
    enum sw_vlan_mode vlan_mode;    /* Resolved: never SW_VLAN_AUTO. */
    char *error;                    /* Why the port cannot work, or NULL. */
    char *peer;                     /* Patch port: the peer port's name. */
    bool admin_down;                /* admin_state=down: forwards nothing. */
    uint32_t policing_rate;         /* ingress_policing_rate, kbit/s; 0 = off. */
    uint32_t policing_burst;        /* ingress_policing_burst, kbit. */
    uint32_t shaping_rate;          /* egress_shaping_rate, kbit/s; 0 = off. */
    uint32_t shaping_burst;         /* egress_shaping_burst, kbit. */
    bool mirror_out;                /* A mirror's output: no normal traffic. */
    char *bond_members;             /* Bond: members=, as configured. */
    char *bond_mode;                /* Bond: bond_mode=, NULL for default. */
    struct tnl_config tnl;          /* A tunnel port's settings. */
    char *bond_lacp;                /* Bond: lacp=, NULL for off. */
    uint32_t bond_updelay;          /* Bond: bond_updelay=, milliseconds. */
    uint32_t bond_downdelay;        /* Bond: bond_downdelay=, milliseconds. */
};

struct bridge {
    char *name;
    enum sw_fail_mode fail_mode;
    struct dpif *dp;                /* Its datapath (user or kernel). */
    struct mac_table macs;
    struct ofproto ofproto;         /* OpenFlow tables. */
    struct connmgr *connmgr;        /* OpenFlow connections. */
    struct bridge_port *ports;
    size_t n_ports;
    long long idle_msec;            /* Datapath flow idle timeout. */
    long long next_sweep;           /* time_msec() of the next flow sweep. */
    long long fail_open_msec;       /* fail-open-delay, in msec. */
    bool fail_open;                 /* Standalone, controllers lost: NORMAL. */
    struct netflow *netflow;        /* NetFlow export, NULL if off. */
    struct sflow *sflow;            /* sFlow export, NULL if off. */
    struct ipfix *ipfix;            /* IPFIX export, NULL if off. */
    struct bridge_mirror *mirrors;  /* SPAN/RSPAN mirrors (mirror.h). */
    size_t n_mirrors;
    uint16_t *flood_vlans;          /* flood-vlans=: VLANs NORMAL floods */
    size_t n_flood_vlans;           /* without learning (RSPAN, mirror.h). */
    struct tun_md_map tun_md_map;   /* TLV map: Geneve options as
                                     * tun_metadataN (NXT_TLV_TABLE_MOD). */
};

/* 'tunnels' is flowd's (tunnel.h), for the bridge's tunnel ports. Returns
 * NULL, with the reason in 'errors', if its datapath cannot be opened. */
struct bridge *bridge_create(const struct sw_bridge *cfg, struct tunnels *tunnels,
                             struct buf *errors);
/* 'keep_datapath': flowd is exiting; a kernel datapath stays with its
 * ports and flows, to forward on until the next flowd takes it over.
 * Otherwise (the bridge was deleted) the datapath goes too. */
void bridge_destroy(struct bridge *, bool keep_datapath);
/* Brings the bridge in line with 'cfg' (same name): adds, removes and
 * changes ports; flushes the flows the change affects. */
void bridge_reconfigure(struct bridge *, const struct sw_bridge *cfg, struct buf *errors);

/* The user data of a datapath userspace() action that sends a packet to
 * the controllers. */
struct bridge_packet_in_cookie {
    uint8_t reason;                 /* OFPR_*. */
    uint8_t table_id;               /* Table whose rule sent it. */
    uint16_t max_len;               /* Bytes of packet to send. */
    uint32_t pad;
    uint64_t rule_cookie;           /* That rule's cookie. */
};

struct bridge_port *bridge_port_by_dp(const struct bridge *, uint32_t dp_port);
struct bridge_port *bridge_port_by_ofport(const struct bridge *, uint32_t ofport);
/* Whether datapath port 'dp_port' is admin_state=down: translation drops
 * what it receives and sends it nothing (the kernel datapath knows no
 * such state; the userspace datapath also checks it itself). */
bool bridge_port_is_admin_down(const struct bridge *, uint32_t dp_port);
/* OpenFlow port number of a datapath port (OFPP13_LOCAL for the bridge's
 * own port), 0 if there is none. */
uint32_t bridge_ofport_of_dp(const struct bridge *, uint32_t dp_port);
bool bridge_dp_of_ofport(const struct bridge *, uint32_t ofport, uint32_t *dp_port);
struct bridge_port *bridge_port_by_name(const struct bridge *, const char *name);

/* Connects every patch port of 'bridges' to its peer (a patch port on
 * another bridge whose peer= names it back); unmatched ones forward
 * nothing. Run after any bridge or port came or went. */
void bridge_connect_patches(struct bridge **bridges, size_t n);
/* Appends an output to datapath port 'dp_port' for a packet the pipeline
 * sees as 'flow'; a tunnel port's output is preceded by the set(tunnel)
 * that gives its outer header, and the fields that took from 'flow' are
 * added to 'wc'. */
void bridge_put_output(const struct bridge *, uint32_t dp_port, const struct flowkey *flow,
                       struct flowkey *wc, struct dp_actions *actions);

/* Periodic work: port re-attachment, flow expiry, MAC aging. */
void bridge_run(struct bridge *, long long now);
/* A device appeared or vanished: re-attach ports now. */
void bridge_refresh_ports(struct bridge *, long long now);
/* Whether the bridge runs on datapath 'type' (SW_DP_AUTO resolved). */
bool bridge_datapath_is(const struct bridge *, enum sw_datapath_type type);

/* The OpenFlow pipeline (xlate.c): what to do with a packet of 'key', and
 * the mask of the fields that decided it. With 'trace' nonnull, explains
 * each step there and changes no state (no learning). */
void bridge_xlate(struct bridge *, const struct flowkey *key, struct dp_upcall_result *,
                  struct buf *trace);

/* Datapath actions for a packet-out's 'ofpacts' applied to a packet of
 * 'key' (no table lookup unless the actions ask for one). */
void bridge_xlate_actions(struct bridge *, const struct flowkey *key,
                          const struct ofpacts *ofpacts, struct dp_actions *actions);

/* The NORMAL action (normal.c), for a packet that looks like 'key' now:
 * appends its outputs to 'actions', ORs the fields it looked at into
 * 'mask' and records in 'learn' the source it learns. With 'trace', only
 * explains (no learning). */
void normal_translate(struct bridge *, const struct flowkey *key, struct dp_actions *actions,
                      struct flowkey *mask, struct dpflow_learn *learn, struct buf *trace);

/* The VLAN a frame of 'key' arriving on 'port' belongs to, -1 if the port
 * does not admit it (normal.c). */
int normal_input_vlan(const struct bridge_port *, const struct flowkey *key);
/* Whether 'port' carries 'vlan', and if so whether it sends it tagged. */
bool normal_port_carries_vlan(const struct bridge_port *, int vlan, bool *tagged);

/* Removes datapath flows that send to 'mac' (after it was learned, moved or
 * expired), or all of them. */
void bridge_revalidate_mac(struct bridge *, const uint8_t mac[6]);
void bridge_flush_flows(struct bridge *);

#endif
