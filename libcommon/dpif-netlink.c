/* dpif-netlink: requests to the openvswitch kernel module (see
 * dpif-netlink.h).
 *
 * Every request goes through dn_transact(): send one generic netlink
 * message with NLM_F_ACK (and NLM_F_ECHO where a reply is wanted), then
 * read until the ACK, an error, or the end of a dump, handing each reply
 * to a parser. Waiting for the ACK even after a reply keeps the socket
 * clean for the next request. The kernel's errno is kept as is (libnl's
 * own error codes would lose it).
 *
 * Upcall sockets are plain netlink sockets read with recv() into a buffer
 * they own, so that a handler thread needs no allocation per packet. */
#include "dpif-netlink.h"

#include <errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "odp-meter.h"
#include "odp-netlink.h"

/* DN_METER is optional (Linux 4.15 and later): its id stays 0 without it. */
enum dn_family { DN_DATAPATH, DN_VPORT, DN_FLOW, DN_PACKET, DN_METER, DN_N_FAMILIES };

static const struct {
    const char *name;           /* Generic netlink family name. */
    uint8_t version;            /* Version field of our requests. */
} dn_families[DN_N_FAMILIES] = {
    [DN_DATAPATH] = { OVS_DATAPATH_FAMILY, OVS_DATAPATH_VERSION },
    [DN_VPORT] = { OVS_VPORT_FAMILY, OVS_VPORT_VERSION },
    [DN_FLOW] = { OVS_FLOW_FAMILY, OVS_FLOW_VERSION },
    [DN_PACKET] = { OVS_PACKET_FAMILY, OVS_PACKET_VERSION },
    [DN_METER] = { OVS_METER_FAMILY, OVS_METER_VERSION },
};

struct dpif_netlink {
    struct nl_sock *sock;       /* Request socket. */
    int family_ids[DN_N_FAMILIES]; /* Resolved generic netlink ids. */
    uint32_t flow_max_attr;     /* Highest OVS_FLOW_ATTR_* the kernel knows. */
    struct dp_actions last_actions; /* Storage behind dpif_netlink_flow_get(). */
};

/* libnl's error codes name fewer cases than errno; keep what can be kept. */
static int
dn_errno_from_nl(int nl_error)
{
    switch (-nl_error) {
    case NLE_NOMEM:
        return ENOMEM;
    case NLE_OBJ_NOTFOUND:
        return ENOENT;
    case NLE_NODEV:
        return ENODEV;
    case NLE_PERM:
        return EPERM;
    case NLE_AGAIN:
        return EAGAIN;
    default:
        return EPROTO;
    }
}

/* ---- Opening --------------------------------------------------------------- */

static int
dn_resolve_families(struct dpif_netlink *dn)
{
    struct nl_cache *cache;
    int error = 0;

    if (genl_ctrl_alloc_cache(dn->sock, &cache) < 0) {
        return EPROTO;
    }
    for (int i = 0; i < DN_N_FAMILIES && !error; i++) {
        struct genl_family *family = genl_ctrl_search_by_name(cache, dn_families[i].name);

        if (!family && i == DN_METER) {
            dn->family_ids[i] = 0;      /* A kernel older than meters. */
        } else if (!family) {
            error = ENOENT;     /* The openvswitch module is not loaded. */
        } else {
            dn->family_ids[i] = genl_family_get_id(family);
            if (i == DN_FLOW) {
                dn->flow_max_attr = genl_family_get_maxattr(family);
            }
            genl_family_put(family);
        }
    }
    nl_cache_free(cache);
    return error;
}

int
dpif_netlink_open(struct dpif_netlink **dnp)
{
    struct dpif_netlink *dn = xzalloc(sizeof *dn);
    int error;

    *dnp = NULL;
    dn->sock = nl_socket_alloc();
    if (!dn->sock) {
        free(dn);
        return ENOMEM;
    }
    error = genl_connect(dn->sock) < 0 ? EPROTO : 0;
    if (!error) {
        /* Dumped flows and vports can exceed a page. */
        nl_socket_enable_msg_peek(dn->sock);
        error = dn_resolve_families(dn);
    }
    if (error) {
        dpif_netlink_close(dn);
        return error;
    }
    *dnp = dn;
    return 0;
}

void
dpif_netlink_close(struct dpif_netlink *dn)
{
    if (dn) {
        nl_socket_free(dn->sock);
        dp_actions_uninit(&dn->last_actions);
        free(dn);
    }
}

bool
dpif_netlink_ufid_supported(const struct dpif_netlink *dn)
{
    return dn->flow_max_attr >= OVS_FLOW_ATTR_UFID;
}

/* ---- Transactions --------------------------------------------------------- */

/* Parses one reply; non-zero stops the transaction with that error. */
typedef int dn_parse_fn(struct nlmsghdr *, void *aux);

struct dn_txn {
    dn_parse_fn *parse;         /* Reply parser, or NULL. */
    void *aux;                  /* Its argument. */
    int error;                  /* First error: the kernel's or the parser's. */
    bool done;                  /* ACK, error or end of dump seen. */
};

static int
dn_on_valid(struct nl_msg *msg, void *txn_)
{
    struct dn_txn *txn = txn_;

    if (txn->parse && !txn->error) {
        txn->error = txn->parse(nlmsg_hdr(msg), txn->aux);
    }
    /* Keep reading after a parser error: the rest of a dump must be
     * drained before the socket can carry the next request. */
    return NL_OK;
}

static int
dn_on_error(struct sockaddr_nl *who, struct nlmsgerr *err, void *txn_)
{
    struct dn_txn *txn = txn_;

    if (!txn->error) {
        txn->error = -err->error;
    }
    txn->done = true;
    return NL_STOP;
}

static int
dn_on_done(struct nl_msg *msg, void *txn_)
{
    struct dn_txn *txn = txn_;

    txn->done = true;
    return NL_STOP;
}

/* Sends 'msg' (and frees it), feeds replies to 'parse'. */
static int
dn_transact(struct dpif_netlink *dn, struct nl_msg *msg, dn_parse_fn *parse, void *aux)
{
    struct dn_txn txn = { parse, aux, 0, false };
    struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
    int retval;

    if (!cb) {
        nlmsg_free(msg);
        return ENOMEM;
    }
    nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, dn_on_valid, &txn);
    nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, dn_on_done, &txn);
    nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, dn_on_done, &txn);
    nl_cb_err(cb, NL_CB_CUSTOM, dn_on_error, &txn);
    retval = nl_send_auto(dn->sock, msg);
    nlmsg_free(msg);
    while (retval >= 0 && !txn.done) {
        retval = nl_recvmsgs(dn->sock, cb);
    }
    nl_cb_put(cb);
    if (txn.error) {
        return txn.error;
    }
    return retval < 0 ? dn_errno_from_nl(retval) : 0;
}

/* A request of 'cmd' in 'family' for datapath 'dp_ifindex', with room
 * for 'payload' bytes of attributes beyond the small ones. */
static struct nl_msg *
dn_request_sized(const struct dpif_netlink *dn, enum dn_family family, uint8_t cmd,
                 int flags, int dp_ifindex, size_t payload)
{
    struct nl_msg *msg = nlmsg_alloc_size(payload + 4096);
    struct ovs_header *ovs;

    if (!msg) {
        sy_fatal("dpif-netlink: out of memory");
    }
    ovs = genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, dn->family_ids[family],
                      sizeof *ovs, flags | NLM_F_REQUEST | NLM_F_ACK, cmd,
                      dn_families[family].version);
    if (!ovs) {
        sy_fatal("dpif-netlink: cannot build a request");
    }
    ovs->dp_ifindex = dp_ifindex;
    return msg;
}

static struct nl_msg *
dn_request(const struct dpif_netlink *dn, enum dn_family family, uint8_t cmd, int flags,
           int dp_ifindex)
{
    return dn_request_sized(dn, family, cmd, flags, dp_ifindex, 0);
}

/* libnl only fails to append when the message is full; ours are small,
 * except flows and packets, which are sized up front. */
static int
dn_put(struct nl_msg *msg, int type, const void *data, size_t size)
{
    return nla_put(msg, type, size, data) < 0 ? EMSGSIZE : 0;
}

/* Parses a reply's attributes into 'a' (of 'max' + 1), after the
 * ovs_header, which '*dp_ifindex' gets. */
static int
dn_parse_reply(struct nlmsghdr *nlh, int max, struct nlattr *a[], int *dp_ifindex)
{
    const struct ovs_header *ovs;

    if (genlmsg_parse(nlh, sizeof *ovs, a, max, NULL) < 0) {
        return EPROTO;
    }
    ovs = genlmsg_user_hdr(nlmsg_data(nlh));
    *dp_ifindex = ovs->dp_ifindex;
    return 0;
}

/* Copies attribute 'nla' into 'dst' if it has exactly 'size' bytes. */
static void
dn_get_exact(const struct nlattr *nla, void *dst, size_t size)
{
    if (nla && (size_t) nla_len(nla) == size) {
        memcpy(dst, nla_data(nla), size);
    }
}

static void
dn_get_string(const struct nlattr *nla, char *dst, size_t size)
{
    if (nla) {
        size_t n = strnlen(nla_data(nla), MIN((size_t) nla_len(nla), size - 1));

        memcpy(dst, nla_data(nla), n);
        dst[n] = '\0';
    }
}

/* ---- Datapaths ------------------------------------------------------------ */

static int
dn_parse_dp(struct nlmsghdr *nlh, void *dp_)
{
    struct dpif_netlink_dp *dp = dp_;
    struct nlattr *a[OVS_DP_ATTR_MAX + 1];
    struct ovs_dp_megaflow_stats mf;
    struct ovs_dp_stats st;
    int error;

    memset(dp, 0, sizeof *dp);
    error = dn_parse_reply(nlh, OVS_DP_ATTR_MAX, a, &dp->ifindex);
    if (error) {
        return error;
    } else if (!a[OVS_DP_ATTR_NAME]) {
        return EPROTO;
    }
    dn_get_string(a[OVS_DP_ATTR_NAME], dp->name, sizeof dp->name);
    memset(&st, 0, sizeof st);
    dn_get_exact(a[OVS_DP_ATTR_STATS], &st, sizeof st);
    dp->n_hit = st.n_hit;
    dp->n_missed = st.n_missed;
    dp->n_lost = st.n_lost;
    dp->n_flows = st.n_flows;
    memset(&mf, 0, sizeof mf);
    dn_get_exact(a[OVS_DP_ATTR_MEGAFLOW_STATS], &mf, sizeof mf);
    dp->n_mask_hit = mf.n_mask_hit;
    dp->n_masks = mf.n_masks;
    dp->n_cache_hit = mf.n_cache_hit;
    dn_get_exact(a[OVS_DP_ATTR_MASKS_CACHE_SIZE], &dp->cache_size, 4);
    dn_get_exact(a[OVS_DP_ATTR_USER_FEATURES], &dp->user_features, 4);
    return 0;
}

int
dpif_netlink_dp_create(struct dpif_netlink *dn, const char *name, uint32_t upcall_pid,
                       struct dpif_netlink_dp *dp)
{
    struct nl_msg *msg = dn_request(dn, DN_DATAPATH, OVS_DP_CMD_NEW, NLM_F_ECHO, 0);
    uint32_t features = DPIF_NETLINK_USER_FEATURES;
    struct dpif_netlink_dp scratch;

    if (strlen(name) >= IFNAMSIZ || !*name) {
        nlmsg_free(msg);
        return EINVAL;
    } else if (nla_put_string(msg, OVS_DP_ATTR_NAME, name) < 0
               || nla_put_u32(msg, OVS_DP_ATTR_UPCALL_PID, upcall_pid) < 0
               || nla_put_u32(msg, OVS_DP_ATTR_USER_FEATURES, features) < 0) {
        nlmsg_free(msg);
        return EMSGSIZE;
    }
    return dn_transact(dn, msg, dn_parse_dp, dp ? dp : &scratch);
}

int
dpif_netlink_dp_delete(struct dpif_netlink *dn, int dp_ifindex)
{
    return dn_transact(dn, dn_request(dn, DN_DATAPATH, OVS_DP_CMD_DEL, 0, dp_ifindex),
                       NULL, NULL);
}

int
dpif_netlink_dp_set_features(struct dpif_netlink *dn, int dp_ifindex, uint32_t features)
{
    struct nl_msg *msg = dn_request(dn, DN_DATAPATH, OVS_DP_CMD_SET, 0, dp_ifindex);

    if (nla_put_u32(msg, OVS_DP_ATTR_USER_FEATURES, features) < 0) {
        nlmsg_free(msg);
        return EMSGSIZE;
    }
    return dn_transact(dn, msg, NULL, NULL);
}

int
dpif_netlink_dp_get(struct dpif_netlink *dn, const char *name, struct dpif_netlink_dp *dp)
{
    struct nl_msg *msg = dn_request(dn, DN_DATAPATH, OVS_DP_CMD_GET, 0, 0);

    if (nla_put_string(msg, OVS_DP_ATTR_NAME, name) < 0) {
        nlmsg_free(msg);
        return EINVAL;
    }
    return dn_transact(dn, msg, dn_parse_dp, dp);
}

struct dn_dp_dump {
    dpif_netlink_dp_cb *cb;     /* Caller's callback. */
    void *aux;                  /* Its argument. */
};

static int
dn_parse_dp_dump(struct nlmsghdr *nlh, void *dump_)
{
    struct dn_dp_dump *dump = dump_;
    struct dpif_netlink_dp dp;
    int error = dn_parse_dp(nlh, &dp);

    if (!error) {
        dump->cb(&dp, dump->aux);
    }
    return error;
}

int
dpif_netlink_dp_dump(struct dpif_netlink *dn, dpif_netlink_dp_cb *cb, void *aux)
{
    struct dn_dp_dump dump = { cb, aux };

    return dn_transact(dn, dn_request(dn, DN_DATAPATH, OVS_DP_CMD_GET, NLM_F_DUMP, 0),
                       dn_parse_dp_dump, &dump);
}

/* ---- Vports ---------------------------------------------------------------- */

static const char *const dn_vport_types[] = {
    [OVS_VPORT_TYPE_NETDEV] = "netdev",
    [OVS_VPORT_TYPE_INTERNAL] = "internal",
    [OVS_VPORT_TYPE_GRE] = "gre",
    [OVS_VPORT_TYPE_VXLAN] = "vxlan",
    [OVS_VPORT_TYPE_GENEVE] = "geneve",
};

const char *
dpif_netlink_vport_type_name(uint32_t type)
{
    return type < ARRAY_SIZE(dn_vport_types) ? dn_vport_types[type] : NULL;
}

uint32_t
dpif_netlink_vport_type_from_name(const char *name)
{
    if (!strcmp(name, "system")) {
        return OVS_VPORT_TYPE_NETDEV;
    }
    for (uint32_t i = 1; i < ARRAY_SIZE(dn_vport_types); i++) {
        if (!strcmp(name, dn_vport_types[i])) {
            return i;
        }
    }
    return OVS_VPORT_TYPE_UNSPEC;
}

static void
dn_parse_vport_options(const struct nlattr *options, struct dpif_netlink_vport *vport)
{
    struct nlattr *a[OVS_TUNNEL_ATTR_MAX + 1];

    if (options && nla_parse_nested(a, OVS_TUNNEL_ATTR_MAX, (struct nlattr *) options,
                                    NULL) >= 0) {
        dn_get_exact(a[OVS_TUNNEL_ATTR_DST_PORT], &vport->dst_port, 2);
    }
}

static int
dn_parse_vport(struct nlmsghdr *nlh, void *vport_)
{
    struct dpif_netlink_vport *vport = vport_;
    struct nlattr *a[OVS_VPORT_ATTR_MAX + 1];
    const struct nlattr *pids;
    int error;

    memset(vport, 0, sizeof *vport);
    error = dn_parse_reply(nlh, OVS_VPORT_ATTR_MAX, a, &vport->dp_ifindex);
    if (error) {
        return error;
    } else if (!a[OVS_VPORT_ATTR_PORT_NO] || !a[OVS_VPORT_ATTR_TYPE] || !a[OVS_VPORT_ATTR_NAME]) {
        return EPROTO;
    }
    dn_get_exact(a[OVS_VPORT_ATTR_PORT_NO], &vport->port_no, 4);
    dn_get_exact(a[OVS_VPORT_ATTR_TYPE], &vport->type, 4);
    dn_get_string(a[OVS_VPORT_ATTR_NAME], vport->name, sizeof vport->name);
    dn_get_exact(a[OVS_VPORT_ATTR_IFINDEX], &vport->ifindex, 4);
    dn_get_exact(a[OVS_VPORT_ATTR_STATS], &vport->stats, sizeof vport->stats);
    dn_parse_vport_options(a[OVS_VPORT_ATTR_OPTIONS], vport);
    pids = a[OVS_VPORT_ATTR_UPCALL_PID];
    if (pids) {
        vport->n_upcall_pids = MIN((size_t) nla_len(pids) / 4, DPIF_NETLINK_MAX_PIDS);
        memcpy(vport->upcall_pids, nla_data(pids), vport->n_upcall_pids * 4);
    }
    return 0;
}

/* VXLAN and Geneve need their UDP port; the others take no options. */
static int
dn_put_vport_options(struct nl_msg *msg, const struct dpif_netlink_vport_spec *spec)
{
    uint16_t port = spec->dst_port;
    struct nlattr *options;

    if (spec->type == OVS_VPORT_TYPE_VXLAN) {
        port = port ? port : 4789;
    } else if (spec->type == OVS_VPORT_TYPE_GENEVE) {
        port = port ? port : 6081;
    } else {
        return spec->dst_port ? EINVAL : 0;
    }
    options = nla_nest_start(msg, OVS_VPORT_ATTR_OPTIONS);
    if (!options || nla_put_u16(msg, OVS_TUNNEL_ATTR_DST_PORT, port) < 0) {
        return EMSGSIZE;
    }
    nla_nest_end(msg, options);
    return 0;
}

int
dpif_netlink_vport_add(struct dpif_netlink *dn, int dp_ifindex,
                       const struct dpif_netlink_vport_spec *spec, uint32_t *port_no)
{
    struct nl_msg *msg = dn_request(dn, DN_VPORT, OVS_VPORT_CMD_NEW, NLM_F_ECHO, dp_ifindex);
    struct dpif_netlink_vport vport;
    int error = 0;

    if (!sy_valid_ifname(spec->name) || !dpif_netlink_vport_type_name(spec->type)) {
        error = EINVAL;
    } else if (nla_put_string(msg, OVS_VPORT_ATTR_NAME, spec->name) < 0
               || nla_put_u32(msg, OVS_VPORT_ATTR_TYPE, spec->type) < 0
               || nla_put_u32(msg, OVS_VPORT_ATTR_UPCALL_PID, spec->upcall_pid) < 0
               || (spec->port_no
                   && nla_put_u32(msg, OVS_VPORT_ATTR_PORT_NO, spec->port_no) < 0)) {
        error = EMSGSIZE;
    } else {
        error = dn_put_vport_options(msg, spec);
    }
    if (error) {
        nlmsg_free(msg);
        return error;
    }
    error = dn_transact(dn, msg, dn_parse_vport, &vport);
    if (!error && port_no) {
        *port_no = vport.port_no;
    }
    return error;
}

int
dpif_netlink_vport_del(struct dpif_netlink *dn, int dp_ifindex, uint32_t port_no)
{
    struct nl_msg *msg = dn_request(dn, DN_VPORT, OVS_VPORT_CMD_DEL, 0, dp_ifindex);

    if (nla_put_u32(msg, OVS_VPORT_ATTR_PORT_NO, port_no) < 0) {
        nlmsg_free(msg);
        return EMSGSIZE;
    }
    return dn_transact(dn, msg, NULL, NULL);
}

/* ---- Meters ------------------------------------------------------------------ */

bool
dpif_netlink_meters_supported(const struct dpif_netlink *dn)
{
    return dn->family_ids[DN_METER] != 0;
}

/* The reply to a meter request: it must name the meter asked about. */
struct dn_meter_reply {
    uint32_t id;                /* Meter asked about. */
    struct odp_meter *meter;    /* Where the reply goes. */
};

static int
dn_parse_meter(struct nlmsghdr *nlh, void *reply_)
{
    const size_t hdrlen = sizeof(struct ovs_header);
    struct dn_meter_reply *reply = reply_;
    struct genlmsghdr *genl = nlmsg_data(nlh);

    if (!genlmsg_valid_hdr(nlh, hdrlen)
        || odp_meter_parse(genlmsg_attrdata(genl, hdrlen), genlmsg_attrlen(genl, hdrlen),
                           reply->meter)
        || (reply->meter->has_id && reply->meter->id != reply->id)) {
        return EPROTO;
    }
    return 0;
}

/* Sends meter request 'cmd' with 'attrs'; the reply goes to '*meter'. */
static int
dn_meter_transact(struct dpif_netlink *dn, int dp_ifindex, uint8_t cmd, uint32_t id,
                  const struct dp_actions *attrs, struct odp_meter *meter)
{
    struct odp_meter scratch;
    struct dn_meter_reply reply = { id, meter ? meter : &scratch };
    struct nl_msg *msg;

    if (!dpif_netlink_meters_supported(dn)) {
        return EOPNOTSUPP;
    }
    memset(reply.meter, 0, sizeof *reply.meter);
    msg = dn_request_sized(dn, DN_METER, cmd, 0, dp_ifindex, attrs->size);
    if (nlmsg_append(msg, attrs->data, attrs->size, NLMSG_ALIGNTO) < 0) {
        nlmsg_free(msg);
        return EMSGSIZE;
    }
    return dn_transact(dn, msg, dn_parse_meter, &reply);
}

int
dpif_netlink_meter_set(struct dpif_netlink *dn, int dp_ifindex, uint32_t meter_id,
                       uint32_t rate_kbps, uint32_t burst_kbit)
{
    struct dp_actions attrs = DP_ACTIONS_INITIALIZER;
    struct odp_meter meter = {
        .id = meter_id, .kbps = true, .n_bands = 1,
        .bands = { { .type = OVS_METER_BAND_TYPE_DROP, .rate = rate_kbps,
                     .burst = burst_kbit } },
    };
    int error;

    odp_meter_put_set(&attrs, &meter);
    error = dn_meter_transact(dn, dp_ifindex, OVS_METER_CMD_SET, meter_id, &attrs, NULL);
    dp_actions_uninit(&attrs);
    return error;
}

static int
dn_meter_id_request(struct dpif_netlink *dn, int dp_ifindex, uint8_t cmd, uint32_t meter_id,
                    struct odp_meter *meter)
{
    struct dp_actions attrs = DP_ACTIONS_INITIALIZER;
    int error;

    odp_meter_put_id(&attrs, meter_id);
    error = dn_meter_transact(dn, dp_ifindex, cmd, meter_id, &attrs, meter);
    dp_actions_uninit(&attrs);
    return error;
}

int
dpif_netlink_meter_del(struct dpif_netlink *dn, int dp_ifindex, uint32_t meter_id)
{
    return dn_meter_id_request(dn, dp_ifindex, OVS_METER_CMD_DEL, meter_id, NULL);
}

int
dpif_netlink_meter_get(struct dpif_netlink *dn, int dp_ifindex, uint32_t meter_id,
                       struct odp_meter *meter)
{
    return dn_meter_id_request(dn, dp_ifindex, OVS_METER_CMD_GET, meter_id, meter);
}

int
dpif_netlink_vport_get(struct dpif_netlink *dn, const char *name,
                       struct dpif_netlink_vport *vport)
{
    struct nl_msg *msg = dn_request(dn, DN_VPORT, OVS_VPORT_CMD_GET, 0, 0);

    if (nla_put_string(msg, OVS_VPORT_ATTR_NAME, name) < 0) {
        nlmsg_free(msg);
        return EINVAL;
    }
    return dn_transact(dn, msg, dn_parse_vport, vport);
}

int
dpif_netlink_vport_set_upcall_pids(struct dpif_netlink *dn, int dp_ifindex,
                                   uint32_t port_no, const uint32_t *pids, size_t n)
{
    struct nl_msg *msg = dn_request(dn, DN_VPORT, OVS_VPORT_CMD_SET, 0, dp_ifindex);

    if (!n || n > DPIF_NETLINK_MAX_PIDS
        || nla_put_u32(msg, OVS_VPORT_ATTR_PORT_NO, port_no) < 0
        || dn_put(msg, OVS_VPORT_ATTR_UPCALL_PID, pids, n * sizeof *pids)) {
        nlmsg_free(msg);
        return EINVAL;
    }
    return dn_transact(dn, msg, NULL, NULL);
}

struct dn_vport_dump {
    dpif_netlink_vport_cb *cb;  /* Caller's callback. */
    void *aux;                  /* Its argument. */
};

static int
dn_parse_vport_dump(struct nlmsghdr *nlh, void *dump_)
{
    struct dn_vport_dump *dump = dump_;
    struct dpif_netlink_vport vport;
    int error = dn_parse_vport(nlh, &vport);

    if (!error) {
        dump->cb(&vport, dump->aux);
    }
    return error;
}

int
dpif_netlink_vport_dump(struct dpif_netlink *dn, int dp_ifindex,
                        dpif_netlink_vport_cb *cb, void *aux)
{
    struct dn_vport_dump dump = { cb, aux };

    return dn_transact(dn, dn_request(dn, DN_VPORT, OVS_VPORT_CMD_GET, NLM_F_DUMP, dp_ifindex),
                       dn_parse_vport_dump, &dump);
}

/* ---- Flows ----------------------------------------------------------------- */

/* How the kernel's "used" (monotonic ms, 0 = never) reads as an age. */
static long long
dn_used_to_age(uint64_t used)
{
    long long now_ms = time_msec();

    if (!used) {
        return -1;
    }
    return now_ms > (long long) used ? now_ms - (long long) used : 0;
}

static void
dn_parse_flow_stats(struct nlattr *a[], struct odp_flow_stats *stats)
{
    struct ovs_flow_stats st = { 0, 0 };
    uint64_t used = 0;
    uint8_t flags = 0;

    dn_get_exact(a[OVS_FLOW_ATTR_STATS], &st, sizeof st);
    dn_get_exact(a[OVS_FLOW_ATTR_USED], &used, sizeof used);
    dn_get_exact(a[OVS_FLOW_ATTR_TCP_FLAGS], &flags, 1);
    stats->packets = st.n_packets;
    stats->bytes = st.n_bytes;
    stats->used_msec = dn_used_to_age(used);
    stats->tcp_flags = flags;
}

static int
dn_parse_flow(struct nlmsghdr *nlh, struct dpif_netlink_flow *flow)
{
    struct nlattr *a[OVS_FLOW_ATTR_MAX + 1];
    const struct nlattr *key, *mask, *actions, *ufid;
    int dp_ifindex, error;

    memset(flow, 0, sizeof *flow);
    error = dn_parse_reply(nlh, OVS_FLOW_ATTR_MAX, a, &dp_ifindex);
    if (error) {
        return error;
    }
    key = a[OVS_FLOW_ATTR_KEY];
    mask = a[OVS_FLOW_ATTR_MASK];
    actions = a[OVS_FLOW_ATTR_ACTIONS];
    ufid = a[OVS_FLOW_ATTR_UFID];
    flow->key_error = (!key ? ENOENT
                       : odp_netlink_to_flowkey(nla_data(key), nla_len(key),
                                                mask ? nla_data(mask) : NULL,
                                                mask ? nla_len(mask) : 0,
                                                &flow->key, &flow->mask));
    if (actions) {
        flow->actions = nla_data(actions);
        flow->actions_size = nla_len(actions);
    }
    if (ufid && nla_len(ufid) == sizeof flow->ufid.bytes) {
        memcpy(flow->ufid.bytes, nla_data(ufid), sizeof flow->ufid.bytes);
        flow->has_ufid = true;
    }
    dn_parse_flow_stats(a, &flow->stats);
    return 0;
}

/* Appends the flow's name: the UFID if given (and understood), else its
 * key (with the mask when 'with_mask'). */
static int
dn_put_flow_id(const struct dpif_netlink *dn, struct nl_msg *msg, const struct flowkey *key,
               const struct flowkey *mask, const struct dpif_netlink_ufid *ufid,
               bool with_mask)
{
    struct dp_actions ka = DP_ACTIONS_INITIALIZER, ma = DP_ACTIONS_INITIALIZER;
    int error = 0;

    if (ufid && !dpif_netlink_ufid_supported(dn)) {
        return EOPNOTSUPP;
    } else if (ufid && !key) {
        return dn_put(msg, OVS_FLOW_ATTR_UFID, ufid->bytes, sizeof ufid->bytes);
    } else if (!key) {
        return EINVAL;
    }
    error = odp_netlink_from_flowkey(key, mask, &ka, with_mask && mask ? &ma : NULL);
    if (!error) {
        error = dn_put(msg, OVS_FLOW_ATTR_KEY, ka.data, ka.size);
    }
    if (!error && with_mask && mask) {
        error = dn_put(msg, OVS_FLOW_ATTR_MASK, ma.data, ma.size);
    }
    if (!error && ufid) {
        error = dn_put(msg, OVS_FLOW_ATTR_UFID, ufid->bytes, sizeof ufid->bytes);
    }
    dp_actions_uninit(&ka);
    dp_actions_uninit(&ma);
    return error;
}

static int
dn_parse_flow_discard(struct nlmsghdr *nlh, void *aux)
{
    return 0;
}

int
dpif_netlink_flow_put(struct dpif_netlink *dn, int dp_ifindex, const struct flowkey *key,
                      const struct flowkey *mask, const void *actions, size_t actions_size,
                      const struct dpif_netlink_ufid *ufid, unsigned int flags)
{
    bool create = flags & DPIF_NETLINK_PUT_CREATE;
    bool modify = flags & DPIF_NETLINK_PUT_MODIFY;
    /* NEW with NLM_F_CREATE|NLM_F_EXCL creates only; NEW without EXCL also
     * modifies; SET modifies only. */
    uint8_t cmd = create ? OVS_FLOW_CMD_NEW : OVS_FLOW_CMD_SET;
    int nl_flags = create ? NLM_F_CREATE | (modify ? 0 : NLM_F_EXCL) : 0;
    struct nl_msg *msg;
    int error;

    if (!create && !modify) {
        return EINVAL;
    }
    msg = dn_request_sized(dn, DN_FLOW, cmd, nl_flags, dp_ifindex, actions_size);
    /* Installing needs the key, not just a name. */
    error = key ? dn_put_flow_id(dn, msg, key, mask, ufid, true) : EINVAL;
    if (!error) {
        error = dn_put(msg, OVS_FLOW_ATTR_ACTIONS, actions, actions_size);
    }
    if (!error && flags & DPIF_NETLINK_PUT_ZERO_STATS
        && nla_put_flag(msg, OVS_FLOW_ATTR_CLEAR) < 0) {
        error = EMSGSIZE;
    }
    if (error) {
        nlmsg_free(msg);
        return error;
    }
    return dn_transact(dn, msg, dn_parse_flow_discard, NULL);
}

struct dn_flow_reply {
    struct dpif_netlink_flow *flow; /* Where the reply goes. */
    struct dp_actions *storage; /* Keeps the actions past the message. */
};

static int
dn_parse_flow_get(struct nlmsghdr *nlh, void *reply_)
{
    struct dn_flow_reply *reply = reply_;
    int error = dn_parse_flow(nlh, reply->flow);

    if (!error) {
        dp_actions_copy(reply->storage, reply->flow->actions, reply->flow->actions_size);
        reply->flow->actions = reply->storage->data;
    }
    return error;
}

int
dpif_netlink_flow_get(struct dpif_netlink *dn, int dp_ifindex, const struct flowkey *key,
                      const struct flowkey *mask, const struct dpif_netlink_ufid *ufid,
                      struct dpif_netlink_flow *flow)
{
    struct nl_msg *msg = dn_request(dn, DN_FLOW, OVS_FLOW_CMD_GET, 0, dp_ifindex);
    struct dn_flow_reply reply = { flow, &dn->last_actions };
    int error = dn_put_flow_id(dn, msg, ufid ? NULL : key, mask, ufid, false);

    if (error) {
        nlmsg_free(msg);
        return error;
    }
    return dn_transact(dn, msg, dn_parse_flow_get, &reply);
}

static int
dn_parse_flow_stats_only(struct nlmsghdr *nlh, void *stats_)
{
    struct dpif_netlink_flow flow;
    int error = dn_parse_flow(nlh, &flow);

    if (!error && stats_) {
        *(struct odp_flow_stats *) stats_ = flow.stats;
    }
    return error;
}

int
dpif_netlink_flow_del(struct dpif_netlink *dn, int dp_ifindex, const struct flowkey *key,
                      const struct flowkey *mask, const struct dpif_netlink_ufid *ufid,
                      struct odp_flow_stats *stats)
{
    struct nl_msg *msg = dn_request(dn, DN_FLOW, OVS_FLOW_CMD_DEL, NLM_F_ECHO, dp_ifindex);
    int error = dn_put_flow_id(dn, msg, ufid ? NULL : key, mask, ufid, false);

    if (error) {
        nlmsg_free(msg);
        return error;
    }
    return dn_transact(dn, msg, dn_parse_flow_stats_only, stats);
}

int
dpif_netlink_flow_flush(struct dpif_netlink *dn, int dp_ifindex)
{
    return dn_transact(dn, dn_request(dn, DN_FLOW, OVS_FLOW_CMD_DEL, 0, dp_ifindex),
                       NULL, NULL);
}

struct dn_flow_dump {
    dpif_netlink_flow_cb *cb;   /* Caller's callback. */
    void *aux;                  /* Its argument. */
};

static int
dn_parse_flow_dump(struct nlmsghdr *nlh, void *dump_)
{
    struct dn_flow_dump *dump = dump_;
    struct dpif_netlink_flow flow;
    int error = dn_parse_flow(nlh, &flow);

    if (!error) {
        dump->cb(&flow, dump->aux);
    }
    return error;
}

int
dpif_netlink_flow_dump(struct dpif_netlink *dn, int dp_ifindex,
                       dpif_netlink_flow_cb *cb, void *aux)
{
    struct dn_flow_dump dump = { cb, aux };

    return dn_transact(dn, dn_request(dn, DN_FLOW, OVS_FLOW_CMD_GET, NLM_F_DUMP, dp_ifindex),
                       dn_parse_flow_dump, &dump);
}

/* ---- Packets --------------------------------------------------------------- */

int
dpif_netlink_execute(struct dpif_netlink *dn, int dp_ifindex, const struct flowkey *md,
                     const void *packet, size_t size, const void *actions,
                     size_t actions_size)
{
    struct dp_actions ka = DP_ACTIONS_INITIALIZER;
    struct nl_msg *msg;
    int error;

    /* Only metadata matters to the kernel here: it parses the packet. */
    error = odp_netlink_from_flowkey(md, NULL, &ka, NULL);
    if (error) {
        return error;
    }
    msg = dn_request_sized(dn, DN_PACKET, OVS_PACKET_CMD_EXECUTE, 0, dp_ifindex,
                           ka.size + size + actions_size);
    error = dn_put(msg, OVS_PACKET_ATTR_PACKET, packet, size);
    if (!error) {
        error = dn_put(msg, OVS_PACKET_ATTR_KEY, ka.data, ka.size);
    }
    if (!error) {
        error = dn_put(msg, OVS_PACKET_ATTR_ACTIONS, actions, actions_size);
    }
    dp_actions_uninit(&ka);
    if (error) {
        nlmsg_free(msg);
        return error;
    }
    return dn_transact(dn, msg, NULL, NULL);
}

/* Largest upcall: a 64 kB (GSO) packet plus its key and headers. */
#define DN_UPCALL_BUF_SIZE (65536 + 8192)
/* Receive buffer of an upcall socket. */
#define DN_UPCALL_RCVBUF (4 * 1024 * 1024)

struct dpif_netlink_upcall_sock {
    struct nl_sock *sock;       /* Bound generic netlink socket. */
    uint8_t *buf;               /* Receive buffer, DN_UPCALL_BUF_SIZE bytes. */
};

/* A burst of new flows queues an upcall per packet until their flows are
 * in: room for a few thousand, beyond the rmem_max cap where we may. */
static void
dn_grow_rcvbuf(int fd)
{
    int size = DN_UPCALL_RCVBUF;

    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    }
}

int
dpif_netlink_upcall_sock_open(struct dpif_netlink_upcall_sock **usp, uint32_t *pid)
{
    struct dpif_netlink_upcall_sock *us = xzalloc(sizeof *us);

    *usp = NULL;
    us->sock = nl_socket_alloc();
    if (!us->sock) {
        free(us);
        return ENOMEM;
    }
    if (genl_connect(us->sock) < 0 || nl_socket_set_nonblocking(us->sock) < 0) {
        dpif_netlink_upcall_sock_close(us);
        return EPROTO;
    }
    dn_grow_rcvbuf(nl_socket_get_fd(us->sock));
    us->buf = xmalloc(DN_UPCALL_BUF_SIZE);
    *pid = nl_socket_get_local_port(us->sock);
    *usp = us;
    return 0;
}

void
dpif_netlink_upcall_sock_close(struct dpif_netlink_upcall_sock *us)
{
    if (us) {
        nl_socket_free(us->sock);
        free(us->buf);
        free(us);
    }
}

int
dpif_netlink_upcall_sock_fd(const struct dpif_netlink_upcall_sock *us)
{
    return nl_socket_get_fd(us->sock);
}

static int
dn_parse_upcall(struct nlmsghdr *nlh, struct dpif_netlink_upcall *up)
{
    struct nlattr *a[OVS_PACKET_ATTR_MAX + 1];
    struct genlmsghdr *genl = nlmsg_data(nlh);
    int error;

    memset(up, 0, sizeof *up);
    error = dn_parse_reply(nlh, OVS_PACKET_ATTR_MAX, a, &up->dp_ifindex);
    if (error) {
        return error;
    } else if (!a[OVS_PACKET_ATTR_PACKET] || !a[OVS_PACKET_ATTR_KEY]) {
        return EPROTO;
    }
    up->cmd = genl->cmd;
    up->packet = nla_data(a[OVS_PACKET_ATTR_PACKET]);
    up->packet_size = nla_len(a[OVS_PACKET_ATTR_PACKET]);
    up->key_attrs = nla_data(a[OVS_PACKET_ATTR_KEY]);
    up->key_size = nla_len(a[OVS_PACKET_ATTR_KEY]);
    up->key_error = odp_netlink_to_flowkey(up->key_attrs, up->key_size, NULL, 0,
                                           &up->key, NULL);
    if (a[OVS_PACKET_ATTR_USERDATA]) {
        up->userdata = nla_data(a[OVS_PACKET_ATTR_USERDATA]);
        up->userdata_size = nla_len(a[OVS_PACKET_ATTR_USERDATA]);
    }
    return 0;
}

int
dpif_netlink_upcall_recv(struct dpif_netlink_upcall_sock *us, struct dpif_netlink_upcall *up)
{
    int fd = nl_socket_get_fd(us->sock);

    for (;;) {
        ssize_t n = recv(fd, us->buf, DN_UPCALL_BUF_SIZE, MSG_DONTWAIT | MSG_TRUNC);
        struct nlmsghdr *nlh = (struct nlmsghdr *) us->buf;

        if (n < 0) {
            return errno == EINTR ? EINTR : errno;
        } else if (n > DN_UPCALL_BUF_SIZE || n < (ssize_t) NLMSG_HDRLEN
                   || nlh->nlmsg_len > (size_t) n) {
            continue;           /* Truncated or runt: nothing to act on. */
        } else if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
            continue;
        }
        return dn_parse_upcall(nlh, up);
    }
}
