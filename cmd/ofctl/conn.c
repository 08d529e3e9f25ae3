/* ofctl: talking to the switch. Opening (SWITCH names to targets,
 * negotiation), request/reply with multipart reassembly, and batches of
 * messages closed by one BARRIER, reading errors while sending so that a
 * large add-flows never stalls on a full socket. */
#include "ofctl.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

/* "br0" -> "unix:$SY_RUNDIR/br0.mgmt"; "/path" -> "unix:/path". */
static char *
switch_target(const char *name)
{
    const char *rundir = getenv("SY_RUNDIR");

    if (strchr(name, ':')) {
        return xstrdup(name);
    } else if (name[0] == '/' || name[0] == '.') {
        return xasprintf("unix:%s", name);
    }
    return xasprintf("unix:%s/%s.mgmt", rundir && *rundir ? rundir : "/run/switchyard", name);
}

int
ofctl_open(struct ofctl *ctx, const char *switch_name)
{
    struct buf error = BUF_INITIALIZER;
    char *target = switch_target(switch_name);
    int e;

    ctx->switch_name = switch_name;
    ctx->next_xid = 1;
    ctx->flow_mod_table_id = false;
    e = ofp_conn_connect_block(target, &ctx->ssl, ctx->versions, ctx->timeout_ms, &ctx->conn,
                               &ctx->version, &error);
    free(target);
    if (e) {
        ofctl_error(OFCTL_FAILED, "%s", buf_cstr(&error));
    }
    buf_uninit(&error);
    return e ? OFCTL_FAILED : 0;
}

void
ofctl_close(struct ofctl *ctx)
{
    ofp_conn_close(ctx->conn);
    ctx->conn = NULL;
    free((void *) ctx->ports.ports);
    ctx->ports.ports = NULL;
    ctx->ports.n = 0;
}

uint32_t
ofctl_xid(struct ofctl *ctx)
{
    return ctx->next_xid++;
}

void
ofctl_free_replies(struct ofp_msg *replies, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ofp_msg_uninit(&replies[i]);
    }
    free(replies);
}

static int
report_error(struct ofctl *ctx, const struct ofp_msg *m, const char *what)
{
    struct buf text = BUF_INITIALIZER;

    if (m->error.error) {
        ofp_error_format(&text, m->error.error);
    } else {
        buf_printf(&text, "error type %u code %u", m->error.type, m->error.code);
    }
    ofctl_error(OFCTL_FAILED, "%s: %s%s%s", ctx->switch_name, what ? what : "",
                what ? ": " : "", buf_cstr(&text));
    buf_uninit(&text);
    return OFCTL_FAILED;
}

/* Receives and decodes one message, answering echo requests on the way. */
static int
recv_msg(struct ofctl *ctx, struct ofp_msg *m, int timeout_ms)
{
    struct buf raw = BUF_INITIALIZER;
    int e;

    for (;;) {
        e = ofp_conn_recv_block(ctx->conn, &raw, timeout_ms);
        if (e) {
            ofctl_error(OFCTL_FAILED, "%s: %s", ctx->switch_name,
                        e == EOF ? "connection closed by the switch"
                        : e == ETIMEDOUT ? "timed out waiting for the switch" : strerror(e));
            break;
        }
        e = ofp_decode(raw.data, raw.size, m);
        if (e) {
            struct buf text = BUF_INITIALIZER;

            ofp_error_format(&text, e);
            ofctl_error(OFCTL_FAILED, "%s: cannot decode a message from the switch: %s",
                        ctx->switch_name, buf_cstr(&text));
            buf_uninit(&text);
            break;
        } else if (m->type == OFPTYPE_ECHO_REQUEST) {
            struct ofp_msg reply;

            ofp_msg_init(&reply, OFPTYPE_ECHO_REPLY, m->version, m->xid);
            ofp_conn_send_msg(ctx->conn, &reply, NULL);
            ofp_msg_uninit(m);
        } else {
            break;
        }
    }
    buf_uninit(&raw);
    return e ? OFCTL_FAILED : 0;
}

static bool
is_reply_to(const struct ofp_msg *m, uint32_t xid)
{
    return m->xid == xid && m->type != OFPTYPE_PACKET_IN && m->type != OFPTYPE_PORT_STATUS
        && m->type != OFPTYPE_FLOW_REMOVED;
}

int
ofctl_transact_each(struct ofctl *ctx, struct ofp_msg *request,
                    int (*visit)(struct ofp_msg *reply, void *aux), void *aux)
{
    struct buf error = BUF_INITIALIZER;
    int status = 0;

    request->version = ctx->version;
    request->xid = ofctl_xid(ctx);
    if (ofp_conn_send_msg(ctx->conn, request, &error)) {
        status = ofctl_error(OFCTL_FAILED, "%s", buf_cstr(&error));
    }
    while (!status) {
        struct ofp_msg m;

        if (recv_msg(ctx, &m, ctx->timeout_ms)) {
            status = OFCTL_FAILED;
        } else if (!is_reply_to(&m, request->xid)) {
            ofp_msg_uninit(&m);
        } else if (m.type == OFPTYPE_ERROR) {
            status = report_error(ctx, &m, NULL);
            ofp_msg_uninit(&m);
        } else {
            bool more = m.mp_flags & OFPMPF_MORE;

            status = visit(&m, aux);
            if (!more) {
                break;
            }
        }
    }
    buf_uninit(&error);
    return status;
}

/* The replies of one transaction, collected. */
struct reply_list {
    struct ofp_msg *replies;
    size_t n, allocated;
};

static int
collect_reply(struct ofp_msg *m, void *list_)
{
    struct reply_list *list = list_;

    list->replies = x2nrealloc(list->replies, &list->allocated, list->n + 1,
                               sizeof *list->replies);
    list->replies[list->n++] = *m;
    return 0;
}

int
ofctl_transact(struct ofctl *ctx, struct ofp_msg *request, struct ofp_msg **replies,
               size_t *n_replies)
{
    struct reply_list list = { NULL, 0, 0 };
    int status = ofctl_transact_each(ctx, request, collect_reply, &list);

    if (status) {
        ofctl_free_replies(list.replies, list.n);
        list.replies = NULL;
        list.n = 0;
    }
    *replies = list.replies;
    *n_replies = list.n;
    return status;
}

/* Reads whatever has arrived during a batch: errors (reported with their
 * label) and the barrier reply. */
static int
drain_batch(struct ofctl *ctx, uint32_t first_xid, size_t n, const struct ofctl_labels *labels,
            uint32_t barrier_xid, bool *done, int *n_errors)
{
    struct buf raw = BUF_INITIALIZER;
    int e;

    while ((e = ofp_conn_recv(ctx->conn, &raw)) == 0) {
        struct ofp_msg m;

        if (ofp_decode(raw.data, raw.size, &m)) {
            continue;
        }
        if (m.type == OFPTYPE_ERROR) {
            size_t i = m.xid - first_xid;
            char *label = (i < n && labels && labels->lines[i]
                           ? xasprintf("%s:%u", labels->file, labels->lines[i]) : NULL);

            report_error(ctx, &m, label);
            free(label);
            (*n_errors)++;
        } else if (m.type == OFPTYPE_ECHO_REQUEST) {
            struct ofp_msg reply;

            ofp_msg_init(&reply, OFPTYPE_ECHO_REPLY, m.version, m.xid);
            ofp_conn_send_msg(ctx->conn, &reply, NULL);
        } else if (m.type == OFPTYPE_BARRIER_REPLY && m.xid == barrier_xid) {
            *done = true;
        }
        ofp_msg_uninit(&m);
    }
    buf_uninit(&raw);
    return e == EAGAIN ? 0 : e;
}

int
ofctl_send_batch(struct ofctl *ctx, struct buf *encoded, size_t n, uint32_t first_xid,
                 const struct ofctl_labels *labels)
{
    long long deadline = time_msec() + ctx->timeout_ms;
    struct ofp_msg barrier;
    bool done = false;
    int n_errors = 0, e = 0;

    ofp_msg_init(&barrier, OFPTYPE_BARRIER_REQUEST, ctx->version, ofctl_xid(ctx));
    ofp_encode(&barrier, encoded, NULL);    /* Fixed size: cannot fail. */
    ofp_conn_send_buf(ctx->conn, encoded);
    while (!done) {
        struct pollfd pfd = { ofp_conn_fd(ctx->conn), ofp_conn_poll_events(ctx->conn), 0 };

        e = ofp_conn_flush(ctx->conn);
        if (e && e != EAGAIN) {
            break;
        }
        e = drain_batch(ctx, first_xid, n, labels, barrier.xid, &done, &n_errors);
        if (e || done) {
            break;
        }
        pfd.events = ofp_conn_poll_events(ctx->conn);
        if (time_msec() > deadline) {
            e = ETIMEDOUT;
            break;
        }
        poll(&pfd, 1, 1000);
    }
    if (e) {
        return ofctl_error(OFCTL_FAILED, "%s: %s", ctx->switch_name,
                           e == EOF ? "connection closed by the switch" : strerror(e));
    }
    return n_errors ? OFCTL_FAILED : 0;
}

int
ofctl_get_ports(struct ofctl *ctx, struct ofp_port **ports, size_t *n)
{
    struct ofp_msg req, *replies;
    size_t n_replies, allocated = 0;
    int status;

    *ports = NULL;
    *n = 0;
    ofp_msg_init(&req, ctx->version == OFP10_VERSION ? OFPTYPE_FEATURES_REQUEST
                 : OFPTYPE_PORT_DESC_REQUEST, ctx->version, 0);
    status = ofctl_transact(ctx, &req, &replies, &n_replies);
    for (size_t i = 0; !status && i < n_replies; i++) {
        const struct ofp_msg *m = &replies[i];
        const struct ofp_port *p = m->type == OFPTYPE_FEATURES_REPLY ? m->features.ports
            : m->port_desc.ports;
        size_t np = m->type == OFPTYPE_FEATURES_REPLY ? m->features.n_ports : m->port_desc.n;

        for (size_t k = 0; k < np; k++) {
            *ports = x2nrealloc(*ports, &allocated, *n + 1, sizeof **ports);
            (*ports)[(*n)++] = p[k];
        }
    }
    if (!status) {
        ofctl_free_replies(replies, n_replies);
    }
    return status;
}

const struct ofp_port_map *
ofctl_port_map(struct ofctl *ctx)
{
    if (!ctx->names) {
        return NULL;
    }
    if (!ctx->ports.ports) {
        struct ofp_port *ports;
        size_t n;

        if (ofctl_get_ports(ctx, &ports, &n)) {
            return NULL;
        }
        ctx->ports.ports = ports;
        ctx->ports.n = n;
    }
    return &ctx->ports;
}
