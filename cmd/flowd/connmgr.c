/* connmgr: OpenFlow connections of one bridge. See connmgr.h.
 *
 * The streams themselves (unix:, tcp:, ssl: with mutual TLS, and their
 * passive forms) are ofp-conn's. A peer that sends garbage is
 * disconnected; one that does not read its replies is disconnected when
 * its backlog passes a limit, so no peer can wedge the switch. Passive
 * connections are limited per kind (the management socket, controller
 * listeners), so that a flood of connections on a TCP listener cannot lock
 * ofctl out of BR.mgmt; at the limit, the oldest connection that has not
 * yet said HELLO makes room, and one that stays silent for
 * OFCONN_HELLO_TIMEOUT_MSEC is closed. Active controllers (configured, so
 * few) do not count; they are reconnected with an exponential backoff. */
#include "connmgr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bridge.h"
#include "cfg.h"
#include "hash.h"
#include "log.h"
#include "ofp-conn.h"
#include "ofp-msgs.h"
#include "packet.h"
#include "swconfig.h"
#include "util.h"

#define OFCONN_MAX_BACKLOG (4u << 20)   /* Unread output before disconnect. */
#define OFCONN_MAX_PASSIVE 128         /* Per kind: management, controller. */
#define OFCONN_HELLO_TIMEOUT_MSEC 10000 /* Passive connections must say HELLO. */
#define OFCONN_ACCEPTS_PER_RUN 16       /* So HELLOs are read between accepts. */
#define OFCONN_LINGER_MSEC 1000         /* After HELLO_FAILED, before closing. */
#define OFP_MAX_KNOWN_VERSION 0x06  /* OpenFlow 1.5. */
#define RECONNECT_MIN_MSEC 1000
#define RECONNECT_MAX_MSEC 8000

enum ofconn_kind { OFCONN_MGMT, OFCONN_CONTROLLER };

struct ofconn {
    struct ofp_conn *stream;
    enum ofconn_kind kind;
    char *name;                     /* For logs: "br0: tcp:10.0.0.1:6653". */
    uint8_t version;                /* Negotiated; 0 before HELLO. */
    uint32_t role;                  /* OFPCR_ROLE_*. */
    struct ofp_async async;         /* What asynchronous messages it wants. */
    bool dead;                      /* Close at the end of this run. */
    struct active *active;          /* The active target it belongs to. */
    long long created;              /* When it was accepted or opened. */
    bool slow_reader;               /* Closed for its unread backlog. */
    long long linger_until;         /* Nonzero: only waiting to close. */
    bool flow_mod_table_id;         /* NXT_FLOW_MOD_TABLE_ID on: an OpenFlow
                                     * 1.0 flow_mod names its table. */
};

struct listener {
    struct ofp_listener *listener;
    enum ofconn_kind kind;
    char *target;                   /* "punix:PATH", "ptcp:6653". */
};

/* An active connection target (tcp:, unix:), reconnected when lost. */
struct active {
    char *target;
    struct ofconn *conn;            /* NULL while disconnected. */
    long long next_try;             /* When to connect again. */
    int backoff;                    /* Current backoff in msec. */
};

struct connmgr {
    struct bridge *br;
    struct ofp_ssl_config ssl;      /* Owned strings; NULL when unset. */
    struct listener *listeners;
    size_t n_listeners;
    struct active *actives;
    size_t n_actives;
    struct ofconn **conns;
    size_t n_conns;
    size_t allocated_conns;
    char *controllers;              /* The controller= setting in effect. */
    long long controller_seen;      /* When a controller was last connected. */
    uint64_t datapath_id;
    struct log_ratelimit rl;
    uint64_t n_refused;             /* Passive connections refused at the limit. */
    uint64_t n_evicted;             /* Silent ones closed to make room. */
    uint64_t n_hello_timeouts;      /* Silent ones closed after the timeout. */
    uint64_t n_slow_readers;        /* Closed for not reading their replies. */
};

static const struct ofp_ssl_config *
ssl_config(const struct connmgr *mgr)
{
    return mgr->ssl.private_key || mgr->ssl.certificate || mgr->ssl.ca_cert ? &mgr->ssl
                                                                            : NULL;
}

static int
open_listener(struct connmgr *mgr, const char *target, enum ofconn_kind kind,
              struct listener *l, struct buf *error)
{
    memset(l, 0, sizeof *l);
    if (ofp_listener_open(target, ssl_config(mgr), &l->listener, error)) {
        return EINVAL;
    }
    l->kind = kind;
    l->target = xstrdup(target);
    return 0;
}

static void
close_listener(struct listener *l)
{
    ofp_listener_close(l->listener);
    free(l->target);
}

/* ---- connections -------------------------------------------------------- */

static void conn_flush(struct ofconn *);

static void
send_msg(struct ofconn *conn, struct ofp_msg *msg)
{
    struct buf error = BUF_INITIALIZER;

    if (conn->dead) {
        return;
    }
    if (!msg->version) {
        msg->version = conn->version ? conn->version : OFP13_VERSION;
    }
    if (ofp_conn_send_msg(conn->stream, msg, &error)) {
        LOG_WARN("%s: cannot encode %s: %s", conn->name, ofptype_name(msg->type),
                 buf_cstr(&error));
    }
    buf_uninit(&error);
    if (ofp_conn_tx_pending(conn->stream) > OFCONN_MAX_BACKLOG) {
        conn->dead = true;
        conn->slow_reader = true;
    }
}

static void
send_error(struct ofconn *conn, uint32_t xid, int ofperr, const void *request, size_t size)
{
    struct buf out = BUF_INITIALIZER;

    ofp_encode_error_reply(conn->version ? conn->version : OFP13_VERSION, xid, ofperr,
                           request, size, &out);
    ofp_conn_send(conn->stream, out.data, out.size);
    buf_uninit(&out);
}

static struct ofconn *
add_conn(struct connmgr *mgr, struct ofp_conn *stream, enum ofconn_kind kind)
{
    struct ofconn *conn = xzalloc(sizeof *conn);
    struct ofp_msg hello;

    conn->stream = stream;
    conn->kind = kind;
    conn->created = time_msec();
    conn->name = xasprintf("%s: %s", mgr->br->name, ofp_conn_name(stream));
    conn->role = OFPCR_ROLE_EQUAL;
    /* Default asynchronous configuration of OpenFlow 1.3: packet-ins for
     * no-match and action, every port status, every flow removal. */
    conn->async.packet_in_mask[0] = (1u << OFPR_NO_MATCH) | (1u << OFPR_ACTION);
    conn->async.port_status_mask[0] = conn->async.port_status_mask[1] = 7;
    conn->async.flow_removed_mask[0] = 0xf;
    mgr->conns = x2nrealloc(mgr->conns, &mgr->allocated_conns, mgr->n_conns + 1,
                            sizeof *mgr->conns);
    mgr->conns[mgr->n_conns++] = conn;

    ofp_msg_init(&hello, OFPTYPE_HELLO, OFP13_VERSION, 0);
    hello.hello.version_bitmap = OFP_SUPPORTED_VERSIONS;
    send_msg(conn, &hello);
    ofp_msg_uninit(&hello);
    return conn;
}

static void
free_conn(struct ofconn *conn)
{
    ofp_conn_close(conn->stream);
    free(conn->name);
    free(conn);
}

/* ---- requests ----------------------------------------------------------- */

/* "10 Gb full duplex, copper": the bits differ between OpenFlow 1.0 (where
 * 0x800 is a pause bit) and 1.3. */
#define OFPPF10_10GB_FD_COPPER (0x40 | 0x80)
#define OFPPF13_10GB_FD_COPPER (0x40 | 0x800)

static void
fill_port(const struct bridge *br, const struct bridge_port *port, uint8_t version,
          struct ofp_port *op)
{
    struct dpif_port_status status;

    dpif_port_status(br->dp, port->dp_port, &status);
    memset(op, 0, sizeof *op);
    op->port_no = bridge_ofport_of_dp(br, port->dp_port);
    snprintf(op->name, sizeof op->name, "%s", port->name);
    op->hw_addr[0] = 0x02;
    memcpy(op->hw_addr + 2, &op->port_no, 4);
    if (!status.present) {
        op->state = OFPPS_LINK_DOWN;
    }
    if (port->admin_down) {
        op->config = OFPPC_PORT_DOWN;
    }
    op->curr = op->advertised = op->supported
        = version == OFP10_VERSION ? OFPPF10_10GB_FD_COPPER : OFPPF13_10GB_FD_COPPER;
    op->curr_speed = op->max_speed = 10000000;
}

static void
fill_ports(const struct bridge *br, uint8_t version, struct ofp_port **ports, size_t *n)
{
    *n = br->n_ports;
    *ports = xcalloc(*n ? *n : 1, sizeof **ports);
    for (size_t i = 0; i < br->n_ports; i++) {
        fill_port(br, &br->ports[i], version, &(*ports)[i]);
    }
}

static void
reply_features(struct connmgr *mgr, struct ofconn *conn, const struct ofp_msg *req)
{
    struct ofp_msg reply;

    ofp_msg_init(&reply, OFPTYPE_FEATURES_REPLY, conn->version, req->xid);
    reply.features.datapath_id = mgr->datapath_id;
    reply.features.n_buffers = 0;
    reply.features.n_tables = OFPROTO_N_TABLES;
    reply.features.capabilities = 0x1 | 0x2 | 0x4;  /* Flow, table, port stats. */
    reply.features.actions = 0xfff;
    if (conn->version == OFP10_VERSION) {
        fill_ports(mgr->br, conn->version, &reply.features.ports, &reply.features.n_ports);
    }
    send_msg(conn, &reply);
    ofp_msg_uninit(&reply);
}

static void
reply_port_stats(struct connmgr *mgr, struct ofconn *conn, const struct ofp_msg *req)
{
    const struct bridge *br = mgr->br;
    struct ofp_msg reply;
    size_t n = 0;

    ofp_msg_init(&reply, OFPTYPE_PORT_STATS_REPLY, conn->version, req->xid);
    reply.port_stats.ports = xcalloc(br->n_ports ? br->n_ports : 1,
                                     sizeof *reply.port_stats.ports);
    for (size_t i = 0; i < br->n_ports; i++) {
        const struct bridge_port *port = &br->ports[i];
        uint32_t ofport = bridge_ofport_of_dp(br, port->dp_port);
        struct ofp_port_stats *ps = &reply.port_stats.ports[n];
        struct dpif_port_status status;

        if (req->port_stats_port != OFPP13_ANY && req->port_stats_port != ofport) {
            continue;
        }
        memset(ps, 0, sizeof *ps);
        ps->port_no = ofport;
        if (dpif_port_status(br->dp, port->dp_port, &status) && status.has_stats) {
            const struct netdev_stats *s = &status.stats;

            ps->rx_packets = s->rx_packets;
            ps->rx_bytes = s->rx_bytes;
            ps->rx_dropped = s->rx_dropped;
            ps->tx_packets = s->tx_packets;
            ps->tx_bytes = s->tx_bytes;
            ps->tx_dropped = s->tx_dropped;
            ps->tx_errors = s->tx_errors;
        }
        n++;
    }
    reply.port_stats.n = n;
    send_msg(conn, &reply);
    ofp_msg_uninit(&reply);
}

static void
reply_simple(struct ofconn *conn, const struct ofp_msg *req, enum ofptype type)
{
    struct ofp_msg reply;

    ofp_msg_init(&reply, type, conn->version, req->xid);
    send_msg(conn, &reply);
    ofp_msg_uninit(&reply);
}

static void
reply_desc(struct connmgr *mgr, struct ofconn *conn, const struct ofp_msg *req)
{
    struct ofp_msg reply;

    ofp_msg_init(&reply, OFPTYPE_DESC_REPLY, conn->version, req->xid);
    snprintf(reply.desc.mfr_desc, sizeof reply.desc.mfr_desc, "switchyard");
    snprintf(reply.desc.hw_desc, sizeof reply.desc.hw_desc, "%s datapath",
             !strcmp(dpif_type(mgr->br->dp), "kernel") ? "kernel" : "userspace");
    snprintf(reply.desc.sw_desc, sizeof reply.desc.sw_desc, "%s", SY_VERSION);
    snprintf(reply.desc.serial_num, sizeof reply.desc.serial_num, "None");
    snprintf(reply.desc.dp_desc, sizeof reply.desc.dp_desc, "bridge %s", mgr->br->name);
    send_msg(conn, &reply);
    ofp_msg_uninit(&reply);
}

/* Runs a packet-out: the packet through its actions in the datapath. */
static int
do_packet_out(struct connmgr *mgr, const struct ofp_packet_out *po)
{
    struct bridge *br = mgr->br;
    struct dp_actions actions = DP_ACTIONS_INITIALIZER;
    struct dp_packet packet;
    struct flowkey key;
    uint32_t dp_port = UINT32_MAX;
    uint8_t *buffer;
    int error;

    if (po->buffer_id != OFP_NO_BUFFER) {
        return OFPERR_BUFFER_UNKNOWN;
    }
    if (po->in_port != OFPP13_CONTROLLER && po->in_port != OFPP13_ANY
        && po->in_port != OFPP13_LOCAL && !bridge_dp_of_ofport(br, po->in_port, &dp_port)) {
        return OFPERR_BAD_PORT;
    }
    if (po->in_port == OFPP13_LOCAL) {
        dp_port = BRIDGE_LOCAL_DP_PORT;
    }
    error = ofproto_check_ofpacts(br, &po->ofpacts, 0);
    if (error) {
        return error;
    }
    buffer = xmalloc(po->size + 256);
    memset(&packet, 0, sizeof packet);
    packet.data = buffer + 256;
    packet.headroom = 256;
    packet.size = po->size;
    packet.in_port = dp_port;
    memcpy(packet.data, po->data, po->size);
    flowkey_extract(packet.data, packet.size, dp_port, &key, NULL);
    bridge_xlate_actions(br, &key, &po->ofpacts, &actions);
    dpif_execute(br->dp, &packet, actions.data, actions.size);
    dp_actions_uninit(&actions);
    free(buffer);
    return 0;
}

static bool
conn_may_modify(const struct ofconn *conn)
{
    return conn->role != OFPCR_ROLE_SLAVE;
}

static int
handle_role(struct ofconn *conn, struct ofp_msg *msg)
{
    struct ofp_msg reply;

    if (msg->role.role > OFPCR_ROLE_SLAVE) {
        return OFPERR_BAD_ROLE;
    }
    if (msg->role.role != OFPCR_ROLE_NOCHANGE) {
        conn->role = msg->role.role;
    }
    ofp_msg_init(&reply, OFPTYPE_ROLE_REPLY, conn->version, msg->xid);
    reply.role.role = conn->role;
    reply.role.generation_id = msg->role.generation_id;
    send_msg(conn, &reply);
    ofp_msg_uninit(&reply);
    return 0;
}

/* A flow dump in progress: the writer and where its messages go. */
struct flow_dump {
    struct ofconn *conn;
    struct ofp_flow_stats_writer writer;
    int error;                      /* Nonzero: a flow could not be encoded. */
    struct buf error_text;          /* Why. */
};

/* Sends the dump's finished messages, and pushes them at the socket at
 * once: the client decodes and prints them while the rest is encoded. */
static void
flow_dump_send_ready(struct flow_dump *dump)
{
    size_t ready = ofp_flow_stats_writer_ready(&dump->writer);

    if (ready) {
        ofp_conn_send(dump->conn->stream, dump->writer.out.data, ready);
        ofp_flow_stats_writer_consume(&dump->writer);
        conn_flush(dump->conn);
    }
}

static void
flow_dump_add(const struct ofp_flow_stats *fs, void *dump_)
{
    struct flow_dump *dump = dump_;

    if (dump->error || dump->conn->dead) {
        return;
    }
    if (ofp_flow_stats_writer_add(&dump->writer, fs, &dump->error_text)) {
        dump->error = OFPERR_BAD_MULTIPART;
    } else if (ofp_flow_stats_writer_ready(&dump->writer)) {
        flow_dump_send_ready(dump);
    }
}

/* A flow dump may need many messages (each at most 64 KiB); they go out as
 * they are made. A flow the connection's version cannot express ends the
 * dump with an error (after what was sent, if anything was). */
static void
reply_flow_stats(struct connmgr *mgr, struct ofconn *conn, const struct ofp_msg *req)
{
    struct flow_dump dump = { .conn = conn, .error_text = BUF_INITIALIZER };

    if (ofp_flow_stats_writer_init(&dump.writer, conn->version, req->xid, &dump.error_text)) {
        dump.error = OFPERR_BAD_MULTIPART;
    } else {
        ofproto_flow_stats(mgr->br, &req->flow_stats_request, flow_dump_add, &dump);
    }
    if (dump.error) {
        LOG_WARN("%s: cannot encode the flow dump: %s", conn->name,
                 buf_cstr(&dump.error_text));
        send_error(conn, req->xid, OFPERR_BAD_MULTIPART, NULL, 0);
    } else {
        ofp_flow_stats_writer_finish(&dump.writer);
        flow_dump_send_ready(&dump);
    }
    ofp_flow_stats_writer_uninit(&dump.writer);
    buf_uninit(&dump.error_text);
}

static int
handle_stats(struct connmgr *mgr, struct ofconn *conn, struct ofp_msg *msg)
{
    struct ofp_msg reply;

    switch (msg->type) {
    case OFPTYPE_DESC_REQUEST:
        reply_desc(mgr, conn, msg);
        return 0;
    case OFPTYPE_FLOW_STATS_REQUEST:
        reply_flow_stats(mgr, conn, msg);
        return 0;
    case OFPTYPE_AGGREGATE_REQUEST:
        ofp_msg_init(&reply, OFPTYPE_AGGREGATE_REPLY, conn->version, msg->xid);
        ofproto_aggregate(mgr->br, &msg->flow_stats_request, &reply.aggregate);
        break;
    case OFPTYPE_TABLE_STATS_REQUEST:
        ofp_msg_init(&reply, OFPTYPE_TABLE_STATS_REPLY, conn->version, msg->xid);
        ofproto_table_stats(mgr->br, &reply.table_stats);
        break;
    case OFPTYPE_PORT_STATS_REQUEST:
        reply_port_stats(mgr, conn, msg);
        return 0;
    case OFPTYPE_PORT_DESC_REQUEST:
        ofp_msg_init(&reply, OFPTYPE_PORT_DESC_REPLY, conn->version, msg->xid);
        fill_ports(mgr->br, conn->version, &reply.port_desc.ports, &reply.port_desc.n);
        break;
    default:
        return OFPERR_BAD_MULTIPART;
    }
    send_msg(conn, &reply);
    ofp_msg_uninit(&reply);
    return 0;
}

/* Before OpenFlow 1.3 a connection asks for invalid-TTL packet-ins with a
 * SET_CONFIG flag; it lands in the same per-connection mask that 1.3's
 * SET_ASYNC sets. */
static void
set_invalid_ttl_config(struct ofconn *conn, uint16_t flags)
{
    uint32_t bit = 1u << OFPR_INVALID_TTL;

    if (conn->version >= OFP13_VERSION) {
        return;
    }
    if (flags & OFPC_INVALID_TTL_TO_CONTROLLER) {
        conn->async.packet_in_mask[0] |= bit;
    } else {
        conn->async.packet_in_mask[0] &= ~bit;
    }
}

static int
handle_msg(struct connmgr *mgr, struct ofconn *conn, struct ofp_msg *msg)
{
    struct bridge *br = mgr->br;
    struct ofp_msg reply;
    int error;

    switch (msg->type) {
    case OFPTYPE_HELLO:
    case OFPTYPE_ECHO_REPLY:
    case OFPTYPE_ERROR:
    case OFPTYPE_BARRIER_REPLY:
        return 0;
    case OFPTYPE_ECHO_REQUEST:
        ofp_msg_init(&reply, OFPTYPE_ECHO_REPLY, conn->version, msg->xid);
        if (msg->echo.size) {
            reply.echo.data = xmemdup(msg->echo.data, msg->echo.size);
            reply.echo.size = msg->echo.size;
        }
        send_msg(conn, &reply);
        ofp_msg_uninit(&reply);
        return 0;
    case OFPTYPE_FEATURES_REQUEST:
        reply_features(mgr, conn, msg);
        return 0;
    case OFPTYPE_GET_CONFIG_REQUEST:
        ofp_msg_init(&reply, OFPTYPE_GET_CONFIG_REPLY, conn->version, msg->xid);
        reply.config.flags = br->ofproto.config_flags;
        if (conn->version < OFP13_VERSION
            && conn->async.packet_in_mask[0] & (1u << OFPR_INVALID_TTL)) {
            reply.config.flags |= OFPC_INVALID_TTL_TO_CONTROLLER;
        }
        reply.config.miss_send_len = br->ofproto.miss_send_len;
        send_msg(conn, &reply);
        ofp_msg_uninit(&reply);
        return 0;
    case OFPTYPE_SET_CONFIG:
        br->ofproto.config_flags = msg->config.flags & OFPC_FRAG_MASK;
        br->ofproto.miss_send_len = msg->config.miss_send_len;
        set_invalid_ttl_config(conn, msg->config.flags);
        return 0;
    case OFPTYPE_FLOW_MOD:
        if (!conn_may_modify(conn)) {
            return OFPERR_IS_SLAVE;
        }
        error = ofp_msg_check_supported(msg);
        return error ? error : ofproto_flow_mod(br, &msg->flow_mod, conn->version);
    case OFPTYPE_PACKET_OUT:
        if (!conn_may_modify(conn)) {
            return OFPERR_IS_SLAVE;
        }
        error = ofp_msg_check_supported(msg);
        return error ? error : do_packet_out(mgr, &msg->packet_out);
    case OFPTYPE_PORT_MOD:
        return bridge_port_by_ofport(br, msg->port_mod.port_no) ? 0
               : OFPERR_PORT_MOD_BAD_PORT;
    case OFPTYPE_TABLE_MOD:
        return 0;
    case OFPTYPE_BARRIER_REQUEST:
        reply_simple(conn, msg, OFPTYPE_BARRIER_REPLY);
        return 0;
    case OFPTYPE_ROLE_REQUEST:
        return handle_role(conn, msg);
    case OFPTYPE_GET_ASYNC_REQUEST:
        ofp_msg_init(&reply, OFPTYPE_GET_ASYNC_REPLY, conn->version, msg->xid);
        reply.async = conn->async;
        send_msg(conn, &reply);
        ofp_msg_uninit(&reply);
        return 0;
    case OFPTYPE_SET_ASYNC:
        conn->async = msg->async;
        return 0;
    case OFPTYPE_NXT_FLOW_MOD_TABLE_ID:
        conn->flow_mod_table_id = msg->flow_mod_table_id;
        return 0;
    case OFPTYPE_NXT_TLV_TABLE_MOD:
        return conn_may_modify(conn) ? ofproto_tlv_table_mod(br, &msg->tlv_table)
                                     : OFPERR_IS_SLAVE;
    case OFPTYPE_NXT_TLV_TABLE_REQUEST:
        ofp_msg_init(&reply, OFPTYPE_NXT_TLV_TABLE_REPLY, conn->version, msg->xid);
        ofproto_tlv_table_get(br, &reply.tlv_table);
        send_msg(conn, &reply);
        ofp_msg_uninit(&reply);
        return 0;
    case OFPTYPE_DESC_REQUEST:
    case OFPTYPE_FLOW_STATS_REQUEST:
    case OFPTYPE_AGGREGATE_REQUEST:
    case OFPTYPE_TABLE_STATS_REQUEST:
    case OFPTYPE_PORT_STATS_REQUEST:
    case OFPTYPE_PORT_DESC_REQUEST:
        return handle_stats(mgr, conn, msg);
    default:
        return OFPERR_BAD_TYPE;
    }
}

#define OFPT13_MULTIPART_REQUEST 18
#define OFPT13_MULTIPART_REPLY 19
#define OFPMP13_TABLE_FEATURES 12

/* Each table's fixed part, then the eight properties OpenFlow 1.3 requires
 * (instructions, next tables, write/apply actions, match, wildcards,
 * write/apply set-field: the even property types 0..14), each sent empty:
 * a 4-byte header padded to 8. */
#define OFP13_TABLE_FEATURES_SIZE (64 + 8 * 8)

/* A table-features query (an OpenFlow 1.3 multipart request with no body).
 * ovs-ofctl sends one before most commands to learn table names. The
 * answer lists every table with its name and no further properties. The
 * codec has no table features message, so this reply is built here. */
static bool
answer_table_features(struct ofconn *conn, const uint8_t *data, size_t size)
{
    size_t length = 16 + OFPROTO_N_TABLES * OFP13_TABLE_FEATURES_SIZE;
    uint8_t *reply;

    if (size != 16 || data[0] != OFP13_VERSION || data[1] != OFPT13_MULTIPART_REQUEST
        || data[8] != 0 || data[9] != OFPMP13_TABLE_FEATURES) {
        return false;
    }
    reply = xzalloc(length);
    memcpy(reply, data, 16);
    reply[1] = OFPT13_MULTIPART_REPLY;
    reply[2] = length >> 8;
    reply[3] = length;
    reply[10] = reply[11] = 0;      /* No "more" flag. */
    for (int t = 0; t < OFPROTO_N_TABLES; t++) {
        uint8_t *tf = reply + 16 + t * OFP13_TABLE_FEATURES_SIZE;

        tf[0] = OFP13_TABLE_FEATURES_SIZE >> 8; /* length, big-endian. */
        tf[1] = OFP13_TABLE_FEATURES_SIZE & 0xff;
        tf[2] = t;                              /* table_id */
        snprintf((char *) tf + 8, 32, "table%d", t);
        memset(tf + 40, 0xff, 16);              /* metadata match and write. */
        tf[60] = 0x00;                          /* max_entries = 1,000,000. */
        tf[61] = 0x0f;
        tf[62] = 0x42;
        tf[63] = 0x40;
        for (int prop = 0; prop < 8; prop++) {
            uint8_t *p = tf + 64 + prop * 8;

            p[1] = prop * 2;                    /* type */
            p[3] = 4;                           /* length: header only */
        }
    }
    ofp_conn_send(conn->stream, reply, length);
    free(reply);
    return true;
}

static void
process_message(struct connmgr *mgr, struct ofconn *conn, const uint8_t *data, size_t size)
{
    struct ofp_msg msg;
    int error = ofp_decode_ext(data, size, &msg, conn->flow_mod_table_id);

    if (error == OFPERR_BAD_MULTIPART && conn->version == OFP13_VERSION
        && answer_table_features(conn, data, size)) {
        return;
    }

    if (!error && msg.type == OFPTYPE_HELLO && !conn->version) {
        error = ofp_negotiate_version(OFP_SUPPORTED_VERSIONS, data[0],
                                      msg.hello.version_bitmap, &conn->version);
        if (!error && conn->kind == OFCONN_CONTROLLER) {
            /* What a table miss does may depend on who is connected. */
            bridge_flush_flows(mgr->br);
        }
        if (error) {
            /* The peer learns of the failure from our HELLO too and may
             * send its own HELLO_FAILED: closing at once would make that
             * write fail, and the peer report a broken pipe instead of
             * the failed negotiation. So linger a moment. */
            conn->version = data[0] <= OFP13_VERSION ? data[0] : OFP13_VERSION;
            send_error(conn, msg.xid, error, data, size);
            conn->linger_until = time_msec() + OFCONN_LINGER_MSEC;
            ofp_msg_uninit(&msg);
            return;
        }
    } else if (!conn->version) {
        /* Every OpenFlow peer starts with HELLO: anything else is not
         * OpenFlow (or not in step with us), and not worth reading on. */
        conn->version = data[0] == OFP10_VERSION ? OFP10_VERSION : OFP13_VERSION;
        send_error(conn, error ? 0 : msg.xid, OFPERR_HELLO_INCOMPATIBLE, data, size);
        conn->dead = true;
        if (!error) {
            ofp_msg_uninit(&msg);
        }
        return;
    } else if (data[0] != conn->version) {
        /* A message in another OpenFlow version gets BAD_VERSION and the
         * connection goes on; a version byte no OpenFlow ever had means the
         * stream is garbage: not one to keep reading. */
        if (!error) {
            ofp_msg_uninit(&msg);
        }
        send_error(conn, msg.xid, OFPERR_BAD_VERSION, data, size);
        conn->dead = !data[0] || data[0] > OFP_MAX_KNOWN_VERSION;
        return;
    }
    if (!error) {
        error = handle_msg(mgr, conn, &msg);
        ofp_msg_uninit(&msg);
    }
    if (error) {
        if (log_ratelimit_allow(&mgr->rl)) {
            struct buf text = BUF_INITIALIZER;

            ofp_error_format(&text, error);
            LOG_INFO("%s: refused a message: %s", conn->name, buf_cstr(&text));
            buf_uninit(&text);
        }
        send_error(conn, msg.xid, error, data, size);
    }
}

/* ---- I/O ---------------------------------------------------------------- */

/* A lingering connection: what it sends is thrown away; it closes at its
 * end of the stream or when the time is up. */
static void
conn_linger(struct ofconn *conn, long long now)
{
    char scratch[4096];
    ssize_t n;

    do {
        n = recv(ofp_conn_fd(conn->stream), scratch, sizeof scratch, MSG_DONTWAIT);
    } while (n > 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        || now >= conn->linger_until) {
        conn->dead = true;
    }
}

static void
conn_receive(struct connmgr *mgr, struct ofconn *conn)
{
    struct buf msg = BUF_INITIALIZER;

    /* A bounded number per run, so that one busy peer cannot starve the
     * datapath of the poll loop. */
    for (int i = 0; i < 64 && !conn->dead; i++) {
        int retval = ofp_conn_recv(conn->stream, &msg);

        if (retval == EAGAIN) {
            break;
        } else if (retval) {
            if (retval == EPROTO) {
                if (log_ratelimit_allow(&mgr->rl)) {
                    LOG_INFO("%s: sent something that is not OpenFlow: disconnecting",
                             conn->name);
                }
                send_error(conn, 0, OFPERR_BAD_LEN, NULL, 0);
            }
            conn->dead = true;
        } else {
            process_message(mgr, conn, (const uint8_t *) msg.data, msg.size);
        }
    }
    buf_uninit(&msg);
}

static void
conn_flush(struct ofconn *conn)
{
    int retval = ofp_conn_flush(conn->stream);

    if (retval && retval != EAGAIN) {
        conn->dead = true;
    }
}

/* Passive connections of 'kind' (active controllers are not counted). */
static size_t
count_passive(const struct connmgr *mgr, enum ofconn_kind kind)
{
    size_t n = 0;

    for (size_t i = 0; i < mgr->n_conns; i++) {
        const struct ofconn *conn = mgr->conns[i];

        n += conn->kind == kind && !conn->active && !conn->dead;
    }
    return n;
}

/* Makes room for one more passive connection of 'kind' by closing the
 * oldest that has not said HELLO yet (conns[] is in order of creation).
 * False if every one of them has. */
static bool
evict_silent(struct connmgr *mgr, enum ofconn_kind kind)
{
    for (size_t i = 0; i < mgr->n_conns; i++) {
        struct ofconn *conn = mgr->conns[i];

        if (conn->kind == kind && !conn->active && !conn->dead && !conn->version) {
            conn->dead = true;
            mgr->n_evicted++;
            return true;
        }
    }
    return false;
}

static void
accept_on(struct connmgr *mgr, struct listener *l)
{
    struct ofp_conn *stream;

    for (int i = 0; i < OFCONN_ACCEPTS_PER_RUN && !ofp_listener_accept(l->listener, &stream);
         i++) {
        if (count_passive(mgr, l->kind) >= OFCONN_MAX_PASSIVE && !evict_silent(mgr, l->kind)) {
            mgr->n_refused++;
            if (log_ratelimit_allow(&mgr->rl)) {
                LOG_WARN("%s: %s: %d OpenFlow connections already, refusing one "
                         "(%llu refused so far)", mgr->br->name, l->target,
                         OFCONN_MAX_PASSIVE, (unsigned long long) mgr->n_refused);
            }
            ofp_conn_close(stream);
            continue;
        }
        add_conn(mgr, stream, l->kind);
    }
}

/* Closes passive connections that have not said HELLO in time. */
static void
expire_silent(struct connmgr *mgr, long long now)
{
    for (size_t i = 0; i < mgr->n_conns; i++) {
        struct ofconn *conn = mgr->conns[i];

        if (!conn->active && !conn->dead && !conn->version
            && now - conn->created > OFCONN_HELLO_TIMEOUT_MSEC) {
            conn->dead = true;
            mgr->n_hello_timeouts++;
        }
    }
}

static void
drain_input(int fd)
{
    char scratch[4096];

    for (int i = 0; i < 64 && recv(fd, scratch, sizeof scratch, MSG_DONTWAIT) > 0; i++) {
        continue;
    }
}

/* Says, rate-limited, how many connections were closed for abuse since
 * the last report. */
static void
log_closed(struct connmgr *mgr, uint64_t evicted, uint64_t timeouts)
{
    if ((evicted || timeouts) && log_ratelimit_allow(&mgr->rl)) {
        LOG_WARN("%s: closed OpenFlow connections that did not say HELLO: %llu to make "
                 "room, %llu after %d s (%llu and %llu so far)", mgr->br->name,
                 (unsigned long long) evicted, (unsigned long long) timeouts,
                 OFCONN_HELLO_TIMEOUT_MSEC / 1000, (unsigned long long) mgr->n_evicted,
                 (unsigned long long) mgr->n_hello_timeouts);
    }
}

static void
reap_dead(struct connmgr *mgr)
{
    size_t n = 0;

    for (size_t i = 0; i < mgr->n_conns; i++) {
        struct ofconn *conn = mgr->conns[i];

        if (conn->dead) {
            if (conn->active) {
                conn->active->conn = NULL;
                LOG_INFO("%s: connection lost", conn->name);
            }
            /* Best effort: the error that explains the close (HELLO_FAILED,
             * BAD_LEN) should reach the peer before the close does; and
             * closing a socket with unread input makes the kernel reset it,
             * which would throw that error away, so drain the input. */
            ofp_conn_flush(conn->stream);
            drain_input(ofp_conn_fd(conn->stream));
            if (conn->kind == OFCONN_CONTROLLER && conn->version) {
                bridge_flush_flows(mgr->br);
            }
            if (conn->slow_reader) {
                mgr->n_slow_readers++;
                LOG_WARN("%s: does not read its messages (over %u bytes unread): "
                         "disconnected (%llu so far)", conn->name, OFCONN_MAX_BACKLOG,
                         (unsigned long long) mgr->n_slow_readers);
            }
            free_conn(conn);
        } else {
            mgr->conns[n++] = conn;
        }
    }
    mgr->n_conns = n;
}

static void
run_actives(struct connmgr *mgr, long long now)
{
    struct buf error = BUF_INITIALIZER;

    for (size_t i = 0; i < mgr->n_actives; i++) {
        struct active *a = &mgr->actives[i];
        struct ofp_conn *stream;

        if (a->conn || now < a->next_try) {
            continue;
        }
        a->backoff = a->backoff ? MIN(a->backoff * 2, RECONNECT_MAX_MSEC)
                                : RECONNECT_MIN_MSEC;
        a->next_try = now + a->backoff;
        if (!ofp_conn_open(a->target, ssl_config(mgr), &stream, &error)) {
            a->conn = add_conn(mgr, stream, OFCONN_CONTROLLER);
            a->conn->active = a;
        }
        buf_clear(&error);
    }
    buf_uninit(&error);
}

/* ---- public ------------------------------------------------------------- */

/* The id of a bridge configured without datapath-id= (portd gives every
 * new bridge one; a hand-written file may lack it). */
static uint64_t
datapath_id_from_name(const char *name)
{
    uint64_t dpid = hash_string(name, 0) | ((uint64_t) hash_string(name, 1) << 32);

    return dpid & 0x0000ffffffffffffULL;
}

struct connmgr *
connmgr_create(struct bridge *br)
{
    struct connmgr *mgr = xzalloc(sizeof *mgr);
    struct log_ratelimit rl = LOG_RATELIMIT_INIT(20, 20);
    struct buf error = BUF_INITIALIZER;
    char *target = xasprintf("punix:%s/%s.mgmt", sy_rundir(), br->name);
    struct listener l;

    mgr->br = br;
    mgr->rl = rl;
    mgr->datapath_id = datapath_id_from_name(br->name);
    if (!open_listener(mgr, target, OFCONN_MGMT, &l, &error)) {
        mgr->listeners = xmemdup(&l, sizeof l);
        mgr->n_listeners = 1;
    } else {
        LOG_WARN("%s: no management socket: %s", br->name, buf_cstr(&error));
    }
    free(target);
    buf_uninit(&error);
    return mgr;
}

static void
clear_controllers(struct connmgr *mgr)
{
    /* The management listener (first, if any) stays. */
    size_t keep = mgr->n_listeners && mgr->listeners[0].kind == OFCONN_MGMT ? 1 : 0;

    for (size_t i = keep; i < mgr->n_listeners; i++) {
        close_listener(&mgr->listeners[i]);
    }
    mgr->n_listeners = keep;
    for (size_t i = 0; i < mgr->n_actives; i++) {
        if (mgr->actives[i].conn) {
            mgr->actives[i].conn->dead = true;
            mgr->actives[i].conn->active = NULL;
        }
        free(mgr->actives[i].target);
    }
    free(mgr->actives);
    mgr->actives = NULL;
    mgr->n_actives = 0;
    reap_dead(mgr);
}

void
connmgr_destroy(struct connmgr *mgr)
{
    if (!mgr) {
        return;
    }
    clear_controllers(mgr);
    for (size_t i = 0; i < mgr->n_conns; i++) {
        free_conn(mgr->conns[i]);
    }
    for (size_t i = 0; i < mgr->n_listeners; i++) {
        close_listener(&mgr->listeners[i]);
    }
    free(mgr->listeners);
    free(mgr->conns);
    free(mgr->controllers);
    free((char *) mgr->ssl.private_key);
    free((char *) mgr->ssl.certificate);
    free((char *) mgr->ssl.ca_cert);
    free(mgr);
}

static void
add_controller(struct connmgr *mgr, const char *target, struct buf *errors)
{
    if (str_starts_with(target, "tcp:") || str_starts_with(target, "unix:")
        || str_starts_with(target, "ssl:")) {
        mgr->actives = xrealloc(mgr->actives, (mgr->n_actives + 1) * sizeof *mgr->actives);
        memset(&mgr->actives[mgr->n_actives], 0, sizeof *mgr->actives);
        mgr->actives[mgr->n_actives++].target = xstrdup(target);
    } else {
        struct buf error = BUF_INITIALIZER;
        struct listener l;

        if (open_listener(mgr, target, OFCONN_CONTROLLER, &l, &error)) {
            buf_printf(errors, "%s: controller %s\n", mgr->br->name, buf_cstr(&error));
        } else {
            mgr->listeners = xrealloc(mgr->listeners,
                                      (mgr->n_listeners + 1) * sizeof *mgr->listeners);
            mgr->listeners[mgr->n_listeners++] = l;
        }
        buf_uninit(&error);
    }
}

static void
replace_string(const char **slot, const char *value)
{
    free((char *) *slot);
    *slot = value ? xstrdup(value) : NULL;
}

static bool
same_string(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

void
connmgr_set_datapath_id(struct connmgr *mgr, const char *datapath_id)
{
    uint64_t dpid;

    if (!datapath_id || !sw_parse_datapath_id(datapath_id, &dpid)) {
        dpid = datapath_id_from_name(mgr->br->name);
    }
    if (dpid != mgr->datapath_id) {
        mgr->datapath_id = dpid;
        /* Forget the controller list, so that the next
         * connmgr_set_controllers() connects anew. */
        free(mgr->controllers);
        mgr->controllers = NULL;
    }
}

void
connmgr_set_controllers(struct connmgr *mgr, const char *controllers,
                        const char *private_key, const char *certificate,
                        const char *ca_cert, struct buf *errors)
{
    char *copy, *save = NULL;

    controllers = controllers ? controllers : "";
    if (mgr->controllers && !strcmp(mgr->controllers, controllers)
        && same_string(mgr->ssl.private_key, private_key)
        && same_string(mgr->ssl.certificate, certificate)
        && same_string(mgr->ssl.ca_cert, ca_cert)) {
        return;
    }
    free(mgr->controllers);
    mgr->controllers = xstrdup(controllers);
    replace_string(&mgr->ssl.private_key, private_key);
    replace_string(&mgr->ssl.certificate, certificate);
    replace_string(&mgr->ssl.ca_cert, ca_cert);
    clear_controllers(mgr);
    /* New controllers get the full delay before a standalone bridge
     * gives up on them. */
    mgr->controller_seen = time_msec();
    copy = xstrdup(controllers);
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if ((str_starts_with(t, "ssl:") || str_starts_with(t, "pssl:"))
            && !(private_key && certificate && ca_cert)) {
            buf_printf(errors, "%s: controller %s needs ssl-private-key=, "
                       "ssl-certificate= and ssl-ca-cert= on the bridge\n",
                       mgr->br->name, t);
        } else {
            add_controller(mgr, t, errors);
        }
    }
    free(copy);
}

int
connmgr_fill_pollfds(struct connmgr *mgr, struct pollfd *fds, int max)
{
    int n = 0;

    for (size_t i = 0; i < mgr->n_listeners && n < max; i++, n++) {
        fds[n].fd = ofp_listener_fd(mgr->listeners[i].listener);
        fds[n].events = POLLIN;
        fds[n].revents = 0;
    }
    for (size_t i = 0; i < mgr->n_conns && n < max; i++, n++) {
        struct ofconn *conn = mgr->conns[i];

        fds[n].fd = ofp_conn_fd(conn->stream);
        fds[n].events = ofp_conn_poll_events(conn->stream);
        fds[n].revents = 0;
    }
    return n;
}

void
connmgr_run(struct connmgr *mgr, long long now)
{
    uint64_t evicted = mgr->n_evicted, timeouts = mgr->n_hello_timeouts;

    /* Existing connections first: a client's HELLO is read before the
     * next accepts can make room by closing it. */
    for (size_t i = 0; i < mgr->n_conns; i++) {
        struct ofconn *conn = mgr->conns[i];

        if (conn->linger_until) {
            conn_flush(conn);
            conn_linger(conn, now);
            continue;
        }
        conn_receive(mgr, conn);
        conn_flush(conn);
        if (conn->active && !conn->dead && conn->version) {
            conn->active->backoff = 0;
        }
    }
    expire_silent(mgr, now);
    for (size_t i = 0; i < mgr->n_listeners; i++) {
        accept_on(mgr, &mgr->listeners[i]);
    }
    log_closed(mgr, mgr->n_evicted - evicted, mgr->n_hello_timeouts - timeouts);
    reap_dead(mgr);
    run_actives(mgr, now);
    if (connmgr_has_controller(mgr) || !mgr->controller_seen) {
        mgr->controller_seen = now;
    }
}

bool
connmgr_controllers_lost(const struct connmgr *mgr, long long now, long long delay)
{
    bool configured = mgr->n_actives || mgr->n_listeners > 1
                      || (mgr->n_listeners == 1 && mgr->listeners[0].kind != OFCONN_MGMT);

    return configured && !connmgr_has_controller(mgr) && now - mgr->controller_seen >= delay;
}

bool
connmgr_miss_to_controller(const struct connmgr *mgr)
{
    for (size_t i = 0; i < mgr->n_conns; i++) {
        const struct ofconn *conn = mgr->conns[i];

        if (conn->kind == OFCONN_CONTROLLER && conn->version == OFP10_VERSION
            && !conn->dead) {
            return true;
        }
    }
    return false;
}

bool
connmgr_rx_buffered(const struct connmgr *mgr)
{
    for (size_t i = 0; i < mgr->n_conns; i++) {
        const struct ofconn *conn = mgr->conns[i];

        if (!conn->dead && !conn->linger_until && ofp_conn_rx_buffered(conn->stream)) {
            return true;
        }
    }
    return false;
}

bool
connmgr_has_controller(const struct connmgr *mgr)
{
    for (size_t i = 0; i < mgr->n_conns; i++) {
        if (mgr->conns[i]->kind == OFCONN_CONTROLLER && mgr->conns[i]->version) {
            return true;
        }
    }
    return false;
}

static bool
wants(const struct ofconn *conn, const uint32_t masks[2], uint8_t reason)
{
    int slot = conn->role == OFPCR_ROLE_SLAVE ? 1 : 0;

    return conn->version && !conn->dead && (masks[slot] & (1u << reason));
}

void
connmgr_send_packet_in(struct connmgr *mgr, const struct dp_packet *packet,
                       const struct bridge_packet_in_cookie *cookie)
{
    for (size_t i = 0; i < mgr->n_conns; i++) {
        struct ofconn *conn = mgr->conns[i];
        struct ofp_msg msg;
        union of_value in_port;
        size_t len;

        if (!wants(conn, conn->async.packet_in_mask, cookie->reason)) {
            continue;
        }
        len = cookie->max_len == OFPCML_NO_BUFFER ? packet->size
                                                  : MIN(packet->size, cookie->max_len);
        ofp_msg_init(&msg, OFPTYPE_PACKET_IN, conn->version, 0);
        msg.packet_in.buffer_id = OFP_NO_BUFFER;
        msg.packet_in.total_len = packet->size;
        msg.packet_in.reason = cookie->reason;
        msg.packet_in.table_id = cookie->table_id;
        msg.packet_in.cookie = cookie->rule_cookie;
        memset(&in_port, 0, sizeof in_port);
        in_port.be32[0] = htonl(bridge_ofport_of_dp(mgr->br, packet->in_port));
        ofmatch_set(&msg.packet_in.match, of_field_by_id(OFF_IN_PORT), &in_port, NULL);
        msg.packet_in.data = xmemdup(packet->data, len ? len : 1);
        msg.packet_in.size = len;
        send_msg(conn, &msg);
        ofp_msg_uninit(&msg);
    }
}

void
connmgr_send_flow_removed(struct connmgr *mgr, const struct ofrule *rule, uint8_t reason)
{
    long long msec = time_msec() - rule->created;

    for (size_t i = 0; mgr && i < mgr->n_conns; i++) {
        struct ofconn *conn = mgr->conns[i];
        struct ofp_msg msg;

        if (!wants(conn, conn->async.flow_removed_mask, reason)) {
            continue;
        }
        ofp_msg_init(&msg, OFPTYPE_FLOW_REMOVED, conn->version, 0);
        msg.flow_removed.cookie = rule->cookie;
        msg.flow_removed.priority = rule->priority;
        msg.flow_removed.reason = reason;
        msg.flow_removed.table_id = rule->table_id;
        msg.flow_removed.duration_sec = msec / 1000;
        msg.flow_removed.duration_nsec = (msec % 1000) * 1000000;
        msg.flow_removed.idle_timeout = rule->idle_timeout;
        msg.flow_removed.hard_timeout = rule->hard_timeout;
        msg.flow_removed.packet_count = rule->packet_count;
        msg.flow_removed.byte_count = rule->byte_count;
        ofrule_get_match(rule, &msg.flow_removed.match);
        send_msg(conn, &msg);
        ofp_msg_uninit(&msg);
    }
}

void
connmgr_send_port_status(struct connmgr *mgr, uint32_t ofport, uint8_t reason)
{
    const struct bridge_port *port = bridge_port_by_ofport(mgr->br, ofport);

    for (size_t i = 0; port && i < mgr->n_conns; i++) {
        struct ofconn *conn = mgr->conns[i];
        struct ofp_msg msg;

        if (!wants(conn, conn->async.port_status_mask, reason)) {
            continue;
        }
        ofp_msg_init(&msg, OFPTYPE_PORT_STATUS, conn->version, 0);
        msg.port_status.reason = reason;
        fill_port(mgr->br, port, conn->version, &msg.port_status.desc);
        send_msg(conn, &msg);
        ofp_msg_uninit(&msg);
    }
}
