/* bridge: configuration of a bridge's ports onto its datapath, and the
 * revalidation of datapath flows. See bridge.h; the pipeline itself is in
 * normal.c. */
#include "bridge.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "bond.h"
#include "connmgr.h"
#include "dp-kernel.h"
#include "dp-offload.h"
#include "dp-user.h"
#include "ipfix.h"
#include "log.h"
#include "mirror.h"
#include "netflow.h"
#include "sflow.h"
#include "tunnel.h"
#include "util.h"

static void
upcall_cb(void *aux, const struct flowkey *key, struct dp_upcall_result *result)
{
    bridge_xlate(aux, key, result, NULL);
}

static void
userspace_cb(void *aux, const struct dp_packet *packet, const void *userdata, size_t size)
{
    struct bridge *br = aux;
    struct bridge_packet_in_cookie cookie;

    if (size == sizeof cookie) {
        memcpy(&cookie, userdata, sizeof cookie);
        connmgr_send_packet_in(br->connmgr, packet, &cookie);
    } else {
        sflow_received(br->sflow, packet, userdata, size);
    }
}

static void
flow_removed_cb(struct dpflow *flow, void *aux)
{
    struct bridge *br = aux;

    ofproto_credit_flow(flow, time_msec());
    mirror_credit_flow(br, flow);
    netflow_flow_removed(br->netflow, flow);
    ipfix_flow_removed(br->ipfix, flow);
}

static void
bridge_port_uninit(struct bridge_port *port)
{
    free(port->name);
    free(port->trunks);
    free(port->error);
    free(port->peer);
    free(port->bond_members);
    free(port->bond_mode);
    free(port->bond_lacp);
}

static char *
nullable_xstrdup(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static bool
str_equal_null(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

/* admin_state=down, validated by swconfig. */
static bool
port_cfg_admin_down(const struct sw_port *cfg)
{
    const char *value = cfg_file_get(&cfg->options, "admin_state");

    return value && !strcmp(value, "down");
}

/* A numeric option (validated by swconfig), 0 when not set. */
static uint32_t
port_cfg_uint(const struct sw_port *cfg, const char *key)
{
    const char *value = cfg_file_get(&cfg->options, key);
    unsigned int n;

    return value && str_to_uint(value, 0, UINT_MAX, &n) ? n : 0;
}

static enum sw_vlan_mode
resolve_vlan_mode(const struct sw_port *cfg)
{
    if (cfg->vlan_mode != SW_VLAN_AUTO) {
        return cfg->vlan_mode;
    }
    return cfg->tag >= 0 ? SW_VLAN_ACCESS : SW_VLAN_TRUNK;
}

static bool
port_settings_equal(const struct bridge_port *port, const struct sw_port *cfg)
{
    struct tnl_config tnl;
    struct buf error = BUF_INITIALIZER;

    memset(&tnl, 0, sizeof tnl);
    if (tnl_port_type_is_tunnel(cfg->type)) {
        tnl_config_from_port(cfg, &tnl, &error);
        buf_uninit(&error);
    }
    return port->ofport == cfg->ofport && port->type == cfg->type
           && !memcmp(&port->tnl, &tnl, sizeof tnl)
           && port->tag == cfg->tag && port->vlan_mode == resolve_vlan_mode(cfg)
           && port->admin_down == port_cfg_admin_down(cfg)
           && str_equal_null(port->bond_members, cfg_file_get(&cfg->options, "members"))
           && str_equal_null(port->bond_mode, cfg_file_get(&cfg->options, "bond_mode"))
           && str_equal_null(port->bond_lacp, cfg_file_get(&cfg->options, "lacp"))
           && port->bond_updelay == port_cfg_uint(cfg, "bond_updelay")
           && port->bond_downdelay == port_cfg_uint(cfg, "bond_downdelay")
           && port->policing_rate == port_cfg_uint(cfg, "ingress_policing_rate")
           && port->policing_burst == port_cfg_uint(cfg, "ingress_policing_burst")
           && port->shaping_rate == port_cfg_uint(cfg, "egress_shaping_rate")
           && port->shaping_burst == port_cfg_uint(cfg, "egress_shaping_burst")
           && !strcmp(port->peer ? port->peer : "", cfg->peer ? cfg->peer : "")
           && port->n_trunks == cfg->n_trunks
           && (!cfg->n_trunks
               || !memcmp(port->trunks, cfg->trunks, cfg->n_trunks * sizeof *cfg->trunks));
}

static void
bridge_port_init(struct bridge_port *port, const struct sw_port *cfg)
{
    memset(port, 0, sizeof *port);
    port->name = xstrdup(cfg->name);
    port->ofport = cfg->ofport;
    port->dp_port = cfg->ofport;
    port->type = cfg->type;
    port->tag = cfg->tag;
    port->vlan_mode = resolve_vlan_mode(cfg);
    port->peer = cfg->peer ? xstrdup(cfg->peer) : NULL;
    port->admin_down = port_cfg_admin_down(cfg);
    port->bond_members = nullable_xstrdup(cfg_file_get(&cfg->options, "members"));
    port->bond_mode = nullable_xstrdup(cfg_file_get(&cfg->options, "bond_mode"));
    port->bond_lacp = nullable_xstrdup(cfg_file_get(&cfg->options, "lacp"));
    port->bond_updelay = port_cfg_uint(cfg, "bond_updelay");
    port->bond_downdelay = port_cfg_uint(cfg, "bond_downdelay");
    port->policing_rate = port_cfg_uint(cfg, "ingress_policing_rate");
    port->policing_burst = port_cfg_uint(cfg, "ingress_policing_burst");
    port->shaping_rate = port_cfg_uint(cfg, "egress_shaping_rate");
    port->shaping_burst = port_cfg_uint(cfg, "egress_shaping_burst");
    port->n_trunks = cfg->n_trunks;
    port->trunks = cfg->n_trunks ? xmemdup(cfg->trunks, cfg->n_trunks * sizeof *cfg->trunks)
                                 : NULL;
    if (tnl_port_type_is_tunnel(cfg->type)) {
        struct buf error = BUF_INITIALIZER;

        if (tnl_config_from_port(cfg, &port->tnl, &error)) {
            port->error = buf_steal_cstr(&error);
        }
        buf_uninit(&error);
    }
}

static void bridge_port_set_qos_kernel(struct bridge *, struct bridge_port *, struct buf *);

/* Adds bond 'port' to the datapath (of either kind); NULL with
 * 'port->error' set if its settings are unusable, and NULL as well on the
 * kernel datapath, which has no struct dp_port. */
static struct dp_port *
bridge_bond_attach(struct bridge *br, struct bridge_port *port, struct buf *errors)
{
    struct dp_port *dp_port = NULL;
    enum bond_mode mode;
    char **members = NULL;
    size_t n = 0;

    if (!port->bond_members || sw_split_members(port->bond_members, &members, &n) || n < 2) {
        port->error = xstrdup("a bond needs members=IFACE,IFACE[,...]");
    } else if (!bond_mode_from_string(port->bond_mode, &mode)) {
        port->error = xasprintf("bond_mode=%s is unknown", port->bond_mode);
    } else if (dp_user_of(br->dp)) {
        dp_port = dp_user_bond_add(dp_user_cast(br->dp), port->dp_port, port->name, mode,
                                   port->bond_lacp, members, n);
        /* After the first look at the members: the delays are for changes. */
        bond_set_delays(dp_port->bond, port->bond_updelay, port->bond_downdelay);
    } else {
        dp_kernel_bond_port_add(br->dp, port->dp_port, port->name, mode, port->bond_lacp,
                                members, n, port->bond_updelay, port->bond_downdelay);
        bridge_port_set_qos_kernel(br, port, errors);
    }
    sw_names_free(members, n);
    if (port->error) {
        buf_printf(errors, "%s: port %s: %s\n", br->name, port->name, port->error);
    }
    return dp_port;
}

/* Policing (a kernel meter) and shaping (tc) of a kernel datapath port. */
static void
bridge_port_set_qos_kernel(struct bridge *br, struct bridge_port *port, struct buf *errors)
{
    struct dpif_port_qos qos = {
        .policing_rate = port->policing_rate, .policing_burst = port->policing_burst,
        .shaping_rate = port->shaping_rate, .shaping_burst = port->shaping_burst,
    };
    struct buf error = BUF_INITIALIZER;

    if (port->type == SW_PORT_BOND) {
        /* As on the userspace datapath: a bond is policed, and shaping is
         * for devices (the members' own). */
        qos.shaping_rate = qos.shaping_burst = 0;
    }
    if ((qos.policing_rate || qos.shaping_rate)
        && dpif_port_set_qos(br->dp, port->dp_port, &qos, &error)) {
        LOG_WARN("%s: port %s: %s", br->name, port->name, buf_cstr(&error));
        buf_printf(errors, "%s: port %s: %s\n", br->name, port->name, buf_cstr(&error));
    }
    buf_uninit(&error);
}

/* Why a port of type 'port->type' cannot be on a kernel datapath bridge. */
static char *
kernel_refusal(const struct bridge_port *port)
{
    switch (port->type) {
    case SW_PORT_PATCH:
        /* Open vSwitch puts all its kernel bridges in one datapath and
         * follows a patch in translation; here each bridge is a kernel
         * datapath of its own, and no kernel flow reaches another one. */
        return xstrdup("patch ports are not supported on the kernel datapath: each "
                       "datapath=kernel bridge is a kernel datapath of its own, and a "
                       "kernel flow cannot reach the peer bridge's datapath; put both "
                       "bridges on datapath=user, or join them with a veth pair");
    default:
        return xasprintf("port type %s is not supported on the kernel datapath yet",
                         sw_port_type_to_string(port->type));
    }
}

/* The kernel datapath takes devices, tunnels and bonds. */
static void
bridge_port_attach_kernel(struct bridge *br, struct bridge_port *port, struct buf *errors)
{
    if (port->type == SW_PORT_BOND) {
        bridge_bond_attach(br, port, errors);
    } else if (port->type == SW_PORT_SYSTEM || port->type == SW_PORT_INTERNAL) {
        dpif_port_add(br->dp, port->dp_port, port->name,
                      port->type == SW_PORT_INTERNAL ? DPIF_PORT_INTERNAL : DPIF_PORT_SYSTEM);
        bridge_port_set_qos_kernel(br, port, errors);
    } else if (tnl_port_type_is_tunnel(port->type) && port->error) {
        buf_printf(errors, "%s: port %s: %s\n", br->name, port->name, port->error);
    } else if (tnl_port_type_is_tunnel(port->type)) {
        dp_kernel_tunnel_port_add(br->dp, port->dp_port, port->name, &port->tnl);
    } else {
        free(port->error);
        port->error = kernel_refusal(port);
        buf_printf(errors, "%s: port %s: %s\n", br->name, port->name, port->error);
    }
}

/* Attaches 'port' to the datapath, or records why it cannot be. */
static void
bridge_port_attach(struct bridge *br, struct bridge_port *port, struct buf *errors)
{
    struct dp_user *dp = dp_user_of(br->dp);
    struct dp_port *dp_port = NULL;

    if (!dp) {
        bridge_port_attach_kernel(br, port, errors);
        return;
    }
    switch (port->type) {
    case SW_PORT_SYSTEM:
        dp_port = dp_user_port_add(dp, port->dp_port, port->name, NETDEV_AFPACKET);
        break;
    case SW_PORT_INTERNAL:
        dp_port = dp_user_port_add(dp, port->dp_port, port->name, NETDEV_TAP);
        break;
    case SW_PORT_PATCH:
        dp_port = dp_user_patch_add(dp, port->dp_port, port->name);
        break;
    case SW_PORT_BOND:
        dp_port = bridge_bond_attach(br, port, errors);
        break;
    case SW_PORT_VXLAN:
    case SW_PORT_GENEVE:
    case SW_PORT_GRE:
        if (port->error) {
            buf_printf(errors, "%s: port %s: %s\n", br->name, port->name, port->error);
        } else {
            struct tnl_port *tnl = tunnels_port_add(dp->tunnels, dp, port->dp_port,
                                                    port->name, &port->tnl, errors);

            dp_port = dp_user_tunnel_port_add(dp, port->dp_port, port->name, tnl);
        }
        break;
    default:
        port->error = xasprintf("port type %s is not supported by this flowd yet",
                                sw_port_type_to_string(port->type));
        buf_printf(errors, "%s: port %s: %s\n", br->name, port->name, port->error);
        break;
    }
    if (dp_port) {
        dp_port->admin_down = port->admin_down;
        dp_user_port_set_policing(dp_port, port->policing_rate, port->policing_burst);
        dp_user_port_set_shaping(dp_port, port->shaping_rate, port->shaping_burst);
        dp_offload_port_changed(dp, dp_port);
    }
}

static void
add_local_port(struct bridge *br, struct buf *errors)
{
    struct dpif_port_status status;
    struct bridge_port *port;

    br->ports = xrealloc(br->ports, (br->n_ports + 1) * sizeof *br->ports);
    port = &br->ports[br->n_ports++];
    memset(port, 0, sizeof *port);
    port->name = xstrdup(br->name);
    port->dp_port = BRIDGE_LOCAL_DP_PORT;
    port->ofport = SW_OFPORT_LOCAL;
    port->type = SW_PORT_INTERNAL;
    port->tag = -1;
    port->vlan_mode = SW_VLAN_TRUNK;
    dpif_port_add(br->dp, BRIDGE_LOCAL_DP_PORT, br->name, DPIF_PORT_INTERNAL);
    if (dpif_port_status(br->dp, BRIDGE_LOCAL_DP_PORT, &status) && status.error) {
        buf_printf(errors, "%s: bridge's own port: %s\n", br->name, status.error);
    }
}

struct bridge *
bridge_create(const struct sw_bridge *cfg, struct tunnels *tunnels, struct buf *errors)
{
    struct bridge *br = xzalloc(sizeof *br);

    br->dp = dpif_create(cfg->datapath, cfg->name, upcall_cb, br, errors);
    if (!br->dp) {
        free(br);
        return NULL;
    }
    if (dp_user_of(br->dp)) {
        dp_user_of(br->dp)->tunnels = tunnels;
    }
    br->name = xstrdup(cfg->name);
    br->idle_msec = BRIDGE_DEFAULT_IDLE_MSEC;
    br->dp->userspace = userspace_cb;
    dpif_set_flow_removed(br->dp, flow_removed_cb, br);
    mac_table_init(&br->macs);
    ofproto_init(&br->ofproto, cfg->fail_mode == SW_FAIL_STANDALONE);
    br->connmgr = connmgr_create(br);
    add_local_port(br, errors);
    bridge_reconfigure(br, cfg, errors);
    LOG_INFO("%s: bridge created (datapath %s, %zu ports)", br->name, dpif_type(br->dp),
             br->n_ports);
    return br;
}

void
bridge_destroy(struct bridge *br, bool keep_datapath)
{
    if (!br) {
        return;
    }
    connmgr_destroy(br->connmgr);
    /* NetFlow reports the flows still in the datapath, with the counters
     * the kernel has for them (offloaded or kernel-datapath flows). */
    dpif_sync_stats(br->dp);
    netflow_destroy(br->netflow);
    ipfix_destroy(br->ipfix);
    sflow_destroy(br->sflow);
    mirror_bridge_destroy(br);
    for (size_t i = 0; i < br->n_ports; i++) {
        if (!keep_datapath && br->ports[i].type == SW_PORT_BOND) {
            bond_forget_active_in_rundir(br->name, br->ports[i].name);
        }
        bridge_port_uninit(&br->ports[i]);
    }
    free(br->ports);
    dpif_destroy(br->dp, keep_datapath);
    ofproto_destroy(&br->ofproto);
    mac_table_destroy(&br->macs);
    free(br->name);
    free(br);
}

struct bridge_port *
bridge_port_by_dp(const struct bridge *br, uint32_t dp_port)
{
    for (size_t i = 0; i < br->n_ports; i++) {
        if (br->ports[i].dp_port == dp_port) {
            return &br->ports[i];
        }
    }
    return NULL;
}

bool
bridge_port_is_admin_down(const struct bridge *br, uint32_t dp_port)
{
    const struct bridge_port *port = bridge_port_by_dp(br, dp_port);

    return port && port->admin_down;
}

struct bridge_port *
bridge_port_by_ofport(const struct bridge *br, uint32_t ofport)
{
    uint32_t dp_port;

    return bridge_dp_of_ofport(br, ofport, &dp_port) ? bridge_port_by_dp(br, dp_port) : NULL;
}

uint32_t
bridge_ofport_of_dp(const struct bridge *br, uint32_t dp_port)
{
    const struct bridge_port *port = bridge_port_by_dp(br, dp_port);

    if (!port) {
        return 0;
    }
    return dp_port == BRIDGE_LOCAL_DP_PORT ? OFPP13_LOCAL : port->ofport;
}

bool
bridge_dp_of_ofport(const struct bridge *br, uint32_t ofport, uint32_t *dp_port)
{
    if (ofport == OFPP13_LOCAL) {
        *dp_port = BRIDGE_LOCAL_DP_PORT;
        return bridge_port_by_dp(br, BRIDGE_LOCAL_DP_PORT) != NULL;
    }
    for (size_t i = 0; i < br->n_ports; i++) {
        if (br->ports[i].dp_port != BRIDGE_LOCAL_DP_PORT && br->ports[i].ofport == ofport) {
            *dp_port = br->ports[i].dp_port;
            return true;
        }
    }
    return false;
}

struct bridge_port *
bridge_port_by_name(const struct bridge *br, const char *name)
{
    for (size_t i = 0; i < br->n_ports; i++) {
        if (!strcmp(br->ports[i].name, name)) {
            return &br->ports[i];
        }
    }
    return NULL;
}

/* The outer header of a packet that pipeline sees as 'flow' leaving by
 * tunnel port 'port': the port's settings, or 'flow''s tunnel fields
 * where the port says "flow" (and then 'wc' records that). */
static void
put_tunnel_set(const struct bridge_port *port, const struct tun_md_map *tlv_map,
               const struct flowkey *flow, struct flowkey *wc, struct dp_actions *actions)
{
    const struct tnl_config *cfg = &port->tnl;
    uint64_t id = 0;
    uint32_t dst = cfg->remote_ip;
    uint8_t tos = cfg->tos, ttl = cfg->ttl;
    size_t set, key;

    if (cfg->out_key.flow) {
        id = flow->tun_id;
        wc->tun_id = UINT64_MAX;
    } else {
        id = cfg->out_key.value;
    }
    if (cfg->remote_flow) {
        dst = flow->tun_dst;
        wc->tun_dst = UINT32_MAX;
    }
    if ((cfg->tos_inherit || cfg->ttl_inherit) && flowkey_is_ip(flow)) {
        tos = cfg->tos_inherit ? flow->nw_tos : tos;
        ttl = cfg->ttl_inherit ? flow->nw_ttl : ttl;
        wc->nw_tos |= cfg->tos_inherit ? UINT8_MAX : 0;
        wc->nw_ttl |= cfg->ttl_inherit ? UINT8_MAX : 0;
    }
    id = htobe64(id);
    set = dp_actions_start_nested(actions, OVS_ACTION_ATTR_SET);
    key = dp_actions_start_nested(actions, OVS_KEY_ATTR_TUNNEL);
    if (cfg->out_key.present) {
        dp_actions_put(actions, OVS_TUNNEL_KEY_ATTR_ID, &id, 8);
    }
    if (cfg->local_ip) {
        dp_actions_put(actions, OVS_TUNNEL_KEY_ATTR_IPV4_SRC, &cfg->local_ip, 4);
    }
    dp_actions_put(actions, OVS_TUNNEL_KEY_ATTR_IPV4_DST, &dst, 4);
    dp_actions_put(actions, OVS_TUNNEL_KEY_ATTR_TOS, &tos, 1);
    dp_actions_put(actions, OVS_TUNNEL_KEY_ATTR_TTL, &ttl, 1);
    if (cfg->df) {
        dp_actions_put(actions, OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT, NULL, 0);
    }
    if (cfg->csum) {
        dp_actions_put(actions, OVS_TUNNEL_KEY_ATTR_CSUM, NULL, 0);
    }
    if (port->type == SW_PORT_GENEVE && tlv_map->mapped) {
        uint8_t opts[TUN_MD_GENEVE_MAX];
        size_t size = tun_md_to_geneve(tlv_map, flow, wc, opts);

        if (size) {
            dp_actions_put(actions, OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS, opts, size);
        }
    }
    dp_actions_end_nested(actions, key);
    dp_actions_end_nested(actions, set);
}

void
bridge_put_output(const struct bridge *br, uint32_t dp_port, const struct flowkey *flow,
                  struct flowkey *wc, struct dp_actions *actions)
{
    const struct bridge_port *port = bridge_port_by_dp(br, dp_port);

    if (port && port->admin_down) {
        return;                 /* Sends nothing (the kernel would). */
    }
    if (port && tnl_port_type_is_tunnel(port->type) && !port->error) {
        put_tunnel_set(port, &br->tun_md_map, flow, wc, actions);
    }
    dp_actions_put_output(actions, dp_port);
}

static void
forget_port(struct bridge *br, size_t index)
{
    struct bridge_port *port = &br->ports[index];

    connmgr_send_port_status(br->connmgr, port->ofport, OFPPR_DELETE);
    mac_table_flush_port(&br->macs, port->dp_port, NULL, NULL);
    dpif_port_del(br->dp, port->dp_port);
    bridge_port_uninit(port);
    memmove(port, port + 1, (br->n_ports - index - 1) * sizeof *port);
    br->n_ports--;
}

/* Removes ports that are gone from 'cfg' or whose settings changed (they are
 * added back by add_new_ports()); returns true if anything was removed. */
static bool
remove_changed_ports(struct bridge *br, const struct sw_bridge *cfg)
{
    bool changed = false;

    for (size_t i = 0; i < br->n_ports;) {
        struct bridge_port *port = &br->ports[i];
        const struct sw_port *port_cfg = sw_bridge_find_port(cfg, port->name);

        if (port->dp_port == BRIDGE_LOCAL_DP_PORT
            || (port_cfg && port_settings_equal(port, port_cfg))) {
            i++;
            continue;
        }
        LOG_INFO("%s: port %s %s", br->name, port->name, port_cfg ? "changed" : "removed");
        if (!port_cfg && port->type == SW_PORT_BOND) {
            bond_forget_active_in_rundir(br->name, port->name);
        }
        forget_port(br, i);
        changed = true;
    }
    return changed;
}

static bool
add_new_ports(struct bridge *br, const struct sw_bridge *cfg, struct buf *errors)
{
    bool changed = false;

    for (size_t i = 0; i < cfg->n_ports; i++) {
        const struct sw_port *port_cfg = &cfg->ports[i];
        struct bridge_port *port;

        if (bridge_port_by_name(br, port_cfg->name)) {
            continue;
        }
        if (!strcmp(port_cfg->name, br->name) || !port_cfg->ofport
            || bridge_port_by_dp(br, port_cfg->ofport)) {
            buf_printf(errors, "%s: port %s: invalid or duplicate port number %u\n",
                       br->name, port_cfg->name, port_cfg->ofport);
            continue;
        }
        br->ports = xrealloc(br->ports, (br->n_ports + 1) * sizeof *br->ports);
        port = &br->ports[br->n_ports++];
        bridge_port_init(port, port_cfg);
        bridge_port_attach(br, port, errors);
        connmgr_send_port_status(br->connmgr, port->ofport, OFPPR_ADD);
        LOG_INFO("%s: port %s added as port %u", br->name, port->name, port->dp_port);
        changed = true;
    }
    return changed;
}

/* flow-idle-timeout=MSEC and fail-open-delay=SECONDS, validated by
 * swconfig. */
static void
bridge_set_timeouts(struct bridge *br, const struct sw_bridge *cfg)
{
    const char *value = cfg_file_get(&cfg->options, "flow-idle-timeout");
    unsigned int n;

    br->idle_msec = value && str_to_uint(value, 1, UINT_MAX, &n) ? n
                                                                 : BRIDGE_DEFAULT_IDLE_MSEC;
    value = cfg_file_get(&cfg->options, "fail-open-delay");
    br->fail_open_msec = value && str_to_uint(value, 1, 3600, &n) ? n * 1000LL
                                                                : BRIDGE_DEFAULT_FAIL_OPEN_MSEC;
}

/* A standalone bridge whose controllers have all been gone for
 * fail-open-delay switches by NORMAL, its tables aside, until one comes
 * back (Open vSwitch's fail-open); a secure one keeps its tables. */
static void
bridge_update_fail_open(struct bridge *br, long long now)
{
    bool fail_open = br->fail_mode == SW_FAIL_STANDALONE
                     && connmgr_controllers_lost(br->connmgr, now, br->fail_open_msec);

    if (fail_open != br->fail_open) {
        br->fail_open = fail_open;
        if (fail_open) {
            LOG_WARN("%s: no controller for %lld s: fail-open, switching as a learning "
                     "bridge until one connects", br->name, br->fail_open_msec / 1000);
        } else {
            LOG_INFO("%s: leaving fail-open: a controller is connected or none is "
                     "configured", br->name);
        }
        bridge_flush_flows(br);
    }
}

static unsigned int
bridge_option_uint(const struct sw_bridge *cfg, const char *key, unsigned int default_)
{
    const char *value = cfg_file_get(&cfg->options, key);
    unsigned int n;

    return value && str_to_uint(value, 1, UINT_MAX, &n) ? n : default_;
}

/* flow-limit=FLOWS and upcall-limit=PER_SECOND, validated by swconfig.
 * A table already over a lowered limit is emptied, so that the bound
 * holds from now on. */
static void
bridge_set_limits(struct bridge *br, const struct sw_bridge *cfg)
{
    struct dp_user *dp = dp_user_of(br->dp);

    br->dp->flow_limit = bridge_option_uint(cfg, "flow-limit", DPIF_DEFAULT_FLOW_LIMIT);
    if (dp) {
        const char *offload = cfg_file_get(&cfg->options, "flow-offload");

        dp->upcall_limit = bridge_option_uint(cfg, "upcall-limit",
                                              DP_USER_DEFAULT_UPCALL_LIMIT);
        dp_offload_set_enabled(dp, !offload || strcmp(offload, "false"));
    }
    if (br->dp->flows.n_flows > br->dp->flow_limit) {
        bridge_flush_flows(br);
    }
}

static mac_removed_func mac_expired;

/* mac-aging-time=SECONDS and mac-table-size=N, validated by swconfig. A
 * table over a lowered size starts again empty rather than keep more
 * than it may. */
static void
bridge_set_mac_table(struct bridge *br, const struct sw_bridge *cfg)
{
    br->macs.aging_seconds = bridge_option_uint(cfg, "mac-aging-time",
                                                MAC_DEFAULT_AGING_SECONDS);
    br->macs.max_entries = bridge_option_uint(cfg, "mac-table-size", MAC_DEFAULT_MAX_ENTRIES);
    if (hmap_count(&br->macs.entries) > br->macs.max_entries) {
        mac_table_flush(&br->macs, mac_expired, br);
    }
}

void
bridge_reconfigure(struct bridge *br, const struct sw_bridge *cfg, struct buf *errors)
{
    bool changed = br->fail_mode != cfg->fail_mode;

    br->fail_mode = cfg->fail_mode;
    connmgr_set_datapath_id(br->connmgr, cfg_file_get(&cfg->options, "datapath-id"));
    connmgr_set_controllers(br->connmgr, cfg_file_get(&cfg->options, "controller"),
                            cfg_file_get(&cfg->options, "ssl-private-key"),
                            cfg_file_get(&cfg->options, "ssl-certificate"),
                            cfg_file_get(&cfg->options, "ssl-ca-cert"), errors);
    changed |= remove_changed_ports(br, cfg);
    changed |= add_new_ports(br, cfg, errors);
    if (changed) {
        /* Floods and VLAN decisions depend on the port set: let the next
         * packet of every flow ask the pipeline again. */
        bridge_flush_flows(br);
    }
    mirror_bridge_reconfigure(br, cfg, errors);
    bridge_set_timeouts(br, cfg);
    bridge_set_limits(br, cfg);
    bridge_set_mac_table(br, cfg);
    netflow_bridge_reconfigure(br, cfg, errors);
    ipfix_bridge_reconfigure(br, cfg, errors);
    sflow_bridge_reconfigure(br, cfg, errors);
}

struct mac_match {
    const uint8_t *mac;
};

/* A flow that learned 'mac' goes too: the sweep refreshes a flow's
 * learning from its packet count, and packets it carried before the MAC
 * moved (not yet swept) would put the MAC back on its old port. */
static bool
flow_depends_on_mac(const struct dpflow *flow, void *aux)
{
    const struct mac_match *match = aux;

    return !memcmp(flow->key.eth_dst, match->mac, 6)
           || (flow->learn.valid && !memcmp(flow->learn.mac, match->mac, 6));
}

void
bridge_revalidate_mac(struct bridge *br, const uint8_t mac[6])
{
    struct mac_match match = { mac };

    dpflow_remove_if(&br->dp->flows, flow_depends_on_mac, &match);
}

void
bridge_flush_flows(struct bridge *br)
{
    dpflow_flush(&br->dp->flows);
}

static void
mac_expired(const struct mac_entry *entry, void *aux)
{
    bridge_revalidate_mac(aux, entry->mac);
}

/* bridge_run()'s one walk over the datapath flows. */
struct flow_sweep {
    struct bridge *br;
    long long now;
    long long idle_cutoff;          /* Flows unused since before this go. */
    uint8_t (*moved)[6];            /* MACs that moved to another port. */
    size_t n_moved, allocated_moved;
};

/* Keeps the MAC entry of 'flow' alive while the flow carries packets
 * (those packets never reach the pipeline, which is where learning
 * happens); notes the MAC when it has moved. */
static void
refresh_learned_mac(struct flow_sweep *sweep, struct dpflow *flow)
{
    if (!flow->learn.valid || flow->packets == flow->learn_packets) {
        return;
    }
    flow->learn_packets = flow->packets;
    if (mac_table_learn(&sweep->br->macs, flow->learn.vlan, flow->learn.mac,
                        flow->learn.port, sweep->now) != MAC_LEARN_REFRESHED) {
        sweep->moved = x2nrealloc(sweep->moved, &sweep->allocated_moved,
                                  sweep->n_moved + 1, sizeof *sweep->moved);
        memcpy(sweep->moved[sweep->n_moved++], flow->learn.mac, 6);
    }
}

/* Credits the flow's packets to its OpenFlow rules, refreshes what it
 * learned, and says whether it has been idle for too long. */
static bool
sweep_flow(struct dpflow *flow, void *sweep_)
{
    struct flow_sweep *sweep = sweep_;

    ofproto_credit_flow(flow, sweep->now);
    refresh_learned_mac(sweep, flow);
    return (flow->used ? flow->used : flow->created) < sweep->idle_cutoff;
}

/* The periodic work on the datapath flows, in one walk over them, once a
 * second (OpenFlow timeouts are in seconds): with a few hundred thousand
 * flows (a flow-setup storm) every walk costs a cache miss per flow, and
 * three walks every 250 ms took most of flowd's time. */
static void
sweep_flows(struct bridge *br, long long now)
{
    struct flow_sweep sweep = { .br = br, .now = now, .idle_cutoff = now - br->idle_msec };

    dpflow_sweep(&br->dp->flows, sweep_flow, &sweep);
    for (size_t i = 0; i < sweep.n_moved; i++) {
        bridge_revalidate_mac(br, sweep.moved[i]);
    }
    free(sweep.moved);
}

/* The patch port 'name' of a bridge in 'bridges' other than 'self'. */
static struct bridge_port *
find_patch_port(struct bridge **bridges, size_t n, const struct bridge *self,
                const char *name, struct bridge **owner)
{
    for (size_t i = 0; i < n; i++) {
        struct bridge_port *port = bridges[i] != self ? bridge_port_by_name(bridges[i], name)
                                                      : NULL;

        if (port && port->type == SW_PORT_PATCH) {
            *owner = bridges[i];
            return port;
        }
    }
    return NULL;
}

void
bridge_connect_patches(struct bridge **bridges, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct bridge *br = bridges[i];

        for (size_t j = 0; j < br->n_ports; j++) {
            struct bridge_port *port = &br->ports[j];
            struct dp_port *dp_port = dp_user_port_of(br->dp, port->dp_port);
            struct bridge_port *peer;
            struct bridge *peer_br = NULL;

            if (port->type != SW_PORT_PATCH || !dp_port) {
                continue;
            }
            peer = find_patch_port(bridges, n, br, port->peer, &peer_br);
            if (peer && peer->peer && !strcmp(peer->peer, port->name)
                && dp_user_of(peer_br->dp)) {
                dp_user_patch_connect(dp_port, dp_user_of(peer_br->dp), peer->dp_port);
            } else {
                dp_user_patch_connect(dp_port, NULL, 0);
            }
        }
    }
}

void
bridge_run(struct bridge *br, long long now)
{
    if (dpif_ports_run(br->dp, now, false)) {
        bridge_flush_flows(br);
    }
    bridge_update_fail_open(br, now);
    dpif_run(br->dp, now);          /* The kernel's counters, before the sweep. */
    if (now >= br->next_sweep) {
        br->next_sweep = now + BRIDGE_SWEEP_MSEC;
        sweep_flows(br, now);       /* Credits rules: ofproto_expire() needs it. */
        ofproto_expire(br, now);
    }
    mac_table_expire(&br->macs, now, mac_expired, br);
    netflow_run(br->netflow, now);
    ipfix_run(br->ipfix, now);
    sflow_run(br->sflow, now);
}

void
bridge_refresh_ports(struct bridge *br, long long now)
{
    if (dpif_ports_run(br->dp, now, true)) {
        bridge_flush_flows(br);
    }
}

bool
bridge_datapath_is(const struct bridge *br, enum sw_datapath_type type)
{
    const char *name = sw_datapath_type_to_string(sw_datapath_resolve(type));

    return !strcmp(dpif_type(br->dp), name);
}
