/* tc-u32: rtnetlink messages for tc clsact, u32 and mirred, and a socket
 * to send them. See tc-u32.h.
 *
 * Attributes are built with dpactions.h's helpers (the same netlink
 * attribute format as the openvswitch module's) and read with its
 * iterator; the nlmsghdr and tcmsg are written here. The socket is a plain
 * NETLINK_ROUTE socket: rtnetlink answers a request while it is being sent,
 * so a reply is always waiting by the time recv() runs, and a dump goes on
 * as it is read. */
#include "tc-u32.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/gen_stats.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "dpactions.h"

/* The handle an add asks for: node 0x800 of the prio's own hash table,
 * whose number the kernel picks. Naming the node makes a second add at the
 * same prio fail instead of adding a second node to it. */
#define TC_U32_NODE_HANDLE 0x800

/* Where every filter of ours hangs: the ingress of clsact (or ingress). */
#define TC_INGRESS_PARENT TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)

/* ---- Building ------------------------------------------------------------- */

/* The fixed part of every message. Both structs are multiples of 4 bytes,
 * so the attributes that follow are aligned without padding. */
struct tc_header {
    struct nlmsghdr nlh;
    struct tcmsg tcm;
};

/* Appends to 'msg' one message of 'type' made of 'hdr' and 'attrs'. */
static void
put_message(struct buf *msg, struct tc_header *hdr, uint16_t type, uint16_t flags,
            uint32_t seq, const struct dp_actions *attrs)
{
    hdr->nlh.nlmsg_len = sizeof *hdr + attrs->size;
    hdr->nlh.nlmsg_type = type;
    hdr->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    hdr->nlh.nlmsg_seq = seq;
    hdr->tcm.tcm_family = AF_UNSPEC;
    buf_put(msg, hdr, sizeof *hdr);
    if (attrs->size) {
        buf_put(msg, attrs->data, attrs->size);
    }
}

static void
put_string(struct dp_actions *attrs, uint16_t type, const char *s)
{
    dp_actions_put(attrs, type, s, strlen(s) + 1);
}

/* The kernel sets NLA_F_NESTED on the nests it writes; so do we. */
static size_t
start_nest(struct dp_actions *attrs, uint16_t type)
{
    return dp_actions_start_nested(attrs, type | NLA_F_NESTED);
}

static void
put_clsact(struct buf *msg, int ifindex, uint16_t type, uint16_t flags, uint32_t seq)
{
    struct dp_actions attrs = DP_ACTIONS_INITIALIZER;
    struct tc_header hdr = {
        .tcm = {
            .tcm_ifindex = ifindex,
            .tcm_handle = TC_H_MAKE(TC_H_CLSACT, 0),
            .tcm_parent = TC_H_CLSACT,
        },
    };

    put_string(&attrs, TCA_KIND, "clsact");
    put_message(msg, &hdr, type, flags, seq, &attrs);
    dp_actions_uninit(&attrs);
}

void
tc_put_clsact_add(struct buf *msg, int ifindex, uint32_t seq)
{
    put_clsact(msg, ifindex, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, seq);
}

void
tc_put_clsact_del(struct buf *msg, int ifindex, uint32_t seq)
{
    put_clsact(msg, ifindex, RTM_DELQDISC, 0, seq);
}

/* A filter's priority and protocol, as tcm_info holds them. */
static uint32_t
filter_info(uint16_t prio, uint16_t eth_type)
{
    return TC_H_MAKE((uint32_t) prio << 16, htons(eth_type));
}

static void
put_sel(struct dp_actions *attrs, const struct tc_u32_filter *f)
{
    size_t n_keys = MIN(f->n_keys, TC_U32_MAX_KEYS);
    struct tc_u32_sel *sel;

    sel = dp_actions_put(attrs, TCA_U32_SEL, NULL, sizeof *sel + n_keys * sizeof sel->keys[0]);
    sel->flags = TC_U32_TERMINAL;
    sel->nkeys = n_keys;
    for (size_t i = 0; i < n_keys; i++) {
        sel->keys[i].mask = f->keys[i].mask;
        sel->keys[i].val = f->keys[i].value & f->keys[i].mask;
        sel->keys[i].off = f->keys[i].offset;
    }
}

/* One mirred action, number 'prio' in the list: a mirror that lets the
 * packet go on to the next action, or the redirect that ends the list. */
static void
put_mirred(struct dp_actions *attrs, uint16_t prio, int ifindex, bool last)
{
    struct tc_mirred parms = {
        .action = last ? TC_ACT_STOLEN : TC_ACT_PIPE,
        .eaction = last ? TCA_EGRESS_REDIR : TCA_EGRESS_MIRROR,
        .ifindex = ifindex,
    };
    size_t action = start_nest(attrs, prio);
    size_t options;

    put_string(attrs, TCA_ACT_KIND, "mirred");
    options = start_nest(attrs, TCA_ACT_OPTIONS);
    dp_actions_put(attrs, TCA_MIRRED_PARMS, &parms, sizeof parms);
    dp_actions_end_nested(attrs, options);
    dp_actions_end_nested(attrs, action);
}

void
tc_put_u32_add(struct buf *msg, const struct tc_u32_filter *f, uint32_t seq)
{
    size_t n_outputs = MIN(f->n_outputs, TC_U32_MAX_OUTPUTS);
    struct dp_actions attrs = DP_ACTIONS_INITIALIZER;
    struct tc_header hdr = {
        .tcm = {
            .tcm_ifindex = f->ifindex,
            .tcm_handle = TC_U32_NODE_HANDLE,
            .tcm_parent = TC_INGRESS_PARENT,
            .tcm_info = filter_info(f->prio, f->eth_type),
        },
    };
    size_t options, actions;

    put_string(&attrs, TCA_KIND, "u32");
    options = start_nest(&attrs, TCA_OPTIONS);
    put_sel(&attrs, f);
    actions = start_nest(&attrs, TCA_U32_ACT);
    for (size_t i = 0; i < n_outputs; i++) {
        put_mirred(&attrs, i + 1, f->out_ifindex[i], i + 1 == n_outputs);
    }
    dp_actions_end_nested(&attrs, actions);
    dp_actions_end_nested(&attrs, options);
    put_message(msg, &hdr, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, seq, &attrs);
    dp_actions_uninit(&attrs);
}

void
tc_put_filter_del(struct buf *msg, int ifindex, uint16_t prio, uint16_t eth_type, uint32_t seq)
{
    static const struct dp_actions no_attrs = DP_ACTIONS_INITIALIZER;
    struct tc_header hdr = {
        .tcm = {
            .tcm_ifindex = ifindex,
            .tcm_parent = TC_INGRESS_PARENT,
            .tcm_info = filter_info(prio, eth_type),
        },
    };

    put_message(msg, &hdr, RTM_DELTFILTER, 0, seq, &no_attrs);
}

void
tc_put_filter_dump(struct buf *msg, int ifindex, uint32_t seq)
{
    static const struct dp_actions no_attrs = DP_ACTIONS_INITIALIZER;
    struct tc_header hdr = {
        .tcm = {
            .tcm_ifindex = ifindex,
            .tcm_parent = TC_INGRESS_PARENT,
        },
    };

    put_message(msg, &hdr, RTM_GETTFILTER, NLM_F_DUMP, seq, &no_attrs);
}

/* ---- Parsing -------------------------------------------------------------- */

/* Points 'a[type]' at each attribute in the nest [data, +size) whose type
 * is at most 'max' (the last one of a type wins). False unless the
 * attributes fill the nest. */
static bool
index_attrs(const void *data, size_t size, const struct nlattr *a[], uint16_t max)
{
    memset(a, 0, (max + 1) * sizeof *a);
    if (!dp_attrs_fill(data, size)) {
        return false;
    }
    DP_ACTIONS_FOR_EACH (nla, data, size) {
        if (dp_nla_type(nla) <= max) {
            a[dp_nla_type(nla)] = nla;
        }
    }
    return true;
}

static bool
index_nest(const struct nlattr *nest, const struct nlattr *a[], uint16_t max)
{
    return index_attrs(dp_nla_data(nest), dp_nla_size(nest), a, max);
}

/* A NUL-terminated string that fits in 'size' bytes with its NUL. */
static bool
get_string(const struct nlattr *nla, char *dst, size_t size)
{
    size_t n = dp_nla_size(nla);
    const char *s = dp_nla_data(nla);
    size_t length = strnlen(s, n);

    if (length == n || length >= size) {
        return false;
    }
    memcpy(dst, s, length + 1);
    return true;
}

/* The counters in an action's TCA_ACT_STATS: TCA_STATS_BASIC is a struct
 * gnet_stats_basic, 16 bytes on 64-bit kernels (the u64 pads it) and 12 on
 * 32-bit ones; its packet count is 32 bits, and TCA_STATS_PKT64 follows it
 * with the whole count once that overflows. */
static bool
parse_action_stats(const struct nlattr *nest, struct tc_filter_info *info)
{
    const struct nlattr *a[TCA_STATS_MAX + 1];
    struct gnet_stats_basic basic;
    uint64_t pkt64;

    if (!index_nest(nest, a, TCA_STATS_MAX)) {
        return false;
    } else if (!a[TCA_STATS_BASIC]) {
        return true;
    } else if (dp_nla_size(a[TCA_STATS_BASIC]) != 12
               && dp_nla_size(a[TCA_STATS_BASIC]) != 16) {
        return false;
    }
    memcpy(&basic, dp_nla_data(a[TCA_STATS_BASIC]), 12);
    info->bytes = basic.bytes;
    info->packets = basic.packets;
    if (a[TCA_STATS_PKT64]) {
        if (!dp_nla_get(a[TCA_STATS_PKT64], &pkt64, sizeof pkt64)) {
            return false;
        }
        info->packets = pkt64;
    }
    info->has_stats = true;
    return true;
}

/* TCA_U32_ACT: one nest per action, numbered from 1. Counters come from
 * the first action that has them. */
static bool
parse_actions(const struct nlattr *actions, struct tc_filter_info *info)
{
    if (!dp_attrs_fill(dp_nla_data(actions), dp_nla_size(actions))) {
        return false;
    }
    DP_ACTIONS_FOR_EACH (action, dp_nla_data(actions), dp_nla_size(actions)) {
        const struct nlattr *a[TCA_ACT_MAX + 1];
        char kind[16];

        if (!index_nest(action, a, TCA_ACT_MAX)
            || (a[TCA_ACT_KIND] && !get_string(a[TCA_ACT_KIND], kind, sizeof kind))
            || (a[TCA_ACT_STATS] && !info->has_stats
                && !parse_action_stats(a[TCA_ACT_STATS], info))) {
            return false;
        }
    }
    return true;
}

/* TCA_U32_SEL: a struct tc_u32_sel and exactly its 'nkeys' keys. */
static bool
check_sel(const struct nlattr *nla)
{
    struct tc_u32_sel sel;

    if (dp_nla_size(nla) < sizeof sel) {
        return false;
    }
    memcpy(&sel, dp_nla_data(nla), sizeof sel);
    return dp_nla_size(nla) == sizeof sel + sel.nkeys * sizeof sel.keys[0];
}

/* The options of a u32 filter: a key node has TCA_U32_SEL and usually
 * TCA_U32_ACT, a hash-table node only TCA_U32_DIVISOR. */
static bool
parse_u32_options(const struct nlattr *options, struct tc_filter_info *info)
{
    const struct nlattr *a[TCA_U32_MAX + 1];

    return (index_nest(options, a, TCA_U32_MAX)
            && (!a[TCA_U32_SEL] || check_sel(a[TCA_U32_SEL]))
            && (!a[TCA_U32_ACT] || parse_actions(a[TCA_U32_ACT], info)));
}

/* The tcmsg and attributes of an RTM_NEWTFILTER message. */
static bool
parse_filter(const struct tcmsg *tcm, const void *attrs, size_t size,
             struct tc_filter_info *info)
{
    const struct nlattr *a[TCA_MAX + 1];

    info->ifindex = tcm->tcm_ifindex;
    info->handle = tcm->tcm_handle;
    info->parent = tcm->tcm_parent;
    info->prio = TC_H_MAJ(tcm->tcm_info) >> 16;
    info->eth_type = ntohs(TC_H_MIN(tcm->tcm_info));
    if (!index_attrs(attrs, size, a, TCA_MAX)
        || (a[TCA_KIND] && !get_string(a[TCA_KIND], info->kind, sizeof info->kind))) {
        return false;
    }
    /* Other kinds' options have other formats. */
    return (!a[TCA_OPTIONS] || strcmp(info->kind, "u32")
            || parse_u32_options(a[TCA_OPTIONS], info));
}

int
tc_parse_filter(const void *nlmsg, size_t size, struct tc_filter_info *info)
{
    const struct nlmsghdr *nlh = nlmsg;
    struct tcmsg tcm;
    size_t header = NLMSG_LENGTH(sizeof tcm);

    memset(info, 0, sizeof *info);
    if (size < sizeof *nlh || nlh->nlmsg_len < sizeof *nlh || nlh->nlmsg_len > size) {
        return EINVAL;
    } else if (nlh->nlmsg_type != RTM_NEWTFILTER) {
        return ENOENT;
    } else if (nlh->nlmsg_len < header) {
        return EINVAL;
    }
    memcpy(&tcm, NLMSG_DATA(nlh), sizeof tcm);
    if (!parse_filter(&tcm, (const uint8_t *) nlmsg + header, nlh->nlmsg_len - header, info)) {
        memset(info, 0, sizeof *info);
        return EINVAL;
    }
    return 0;
}

/* ---- Socket --------------------------------------------------------------- */

/* Big enough for any one message of a dump: the kernel fills at most 32 kB
 * per read (less if the reader's buffer is smaller). */
#define TC_SOCK_BUF_SIZE (64 * 1024)

/* How long to wait for an answer that, rtnetlink being synchronous, is
 * already there: only a lost one (ENOBUFS) ever makes us wait this long. */
#define TC_SOCK_TIMEOUT_SEC 5

struct tc_sock {
    int fd;                         /* NETLINK_ROUTE, bound, blocking. */
    uint32_t seq;                   /* Last sequence number sent. */
    uint8_t *buf;                   /* TC_SOCK_BUF_SIZE bytes of replies. */
};

int
tc_sock_open(struct tc_sock **sockp)
{
    struct timeval timeout = { .tv_sec = TC_SOCK_TIMEOUT_SEC };
    struct sockaddr_nl local = { .nl_family = AF_NETLINK };
    struct tc_sock *sock;
    int fd, error;

    *sockp = NULL;
    fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) {
        return errno;
    } else if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) < 0
               || bind(fd, (struct sockaddr *) &local, sizeof local) < 0) {
        error = errno;
        close(fd);
        return error;
    }
    sock = xmalloc(sizeof *sock);
    sock->fd = fd;
    sock->seq = 0;
    sock->buf = xmalloc(TC_SOCK_BUF_SIZE);
    *sockp = sock;
    return 0;
}

void
tc_sock_close(struct tc_sock *sock)
{
    if (sock) {
        close(sock->fd);
        free(sock->buf);
        free(sock);
    }
}

/* Sends the message in [data, +size) with the socket's next sequence
 * number in place of its own, which it returns in '*seq'. */
static int
send_request(struct tc_sock *sock, const void *data, size_t size, uint32_t *seq)
{
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    struct nlmsghdr *nlh;
    int error = 0;

    if (size < sizeof *nlh || size > UINT32_MAX) {
        return EINVAL;
    }
    nlh = xmemdup(data, size);
    nlh->nlmsg_len = size;
    nlh->nlmsg_seq = *seq = ++sock->seq;
    while (sendto(sock->fd, nlh, size, 0, (struct sockaddr *) &kernel, sizeof kernel) < 0) {
        if (errno != EINTR) {
            error = errno;
            break;
        }
    }
    free(nlh);
    return error;
}

/* Reads the next batch of messages into sock->buf. Returns its size, or
 * a negative errno: -ENOBUFS when messages were lost (the receive queue
 * overflowed, or one was larger than the buffer), -ETIMEDOUT when
 * nothing came. */
static ssize_t
recv_batch(struct tc_sock *sock)
{
    for (;;) {
        struct sockaddr_nl from;
        socklen_t from_len = sizeof from;
        ssize_t n = recvfrom(sock->fd, sock->buf, TC_SOCK_BUF_SIZE, MSG_TRUNC,
                             (struct sockaddr *) &from, &from_len);

        if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0) {
            return errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
        } else if (n > TC_SOCK_BUF_SIZE) {
            return -ENOBUFS;
        } else if (from.nl_pid == 0) {
            return n;
        }
        /* Not from the kernel: not an answer. */
    }
}

/* What one message means to a request that waits for 'seq'. */
enum reply { REPLY_OTHER, REPLY_DATA, REPLY_DONE };

/* Classifies 'nlh' and sets '*error' for an NLMSG_ERROR or an
 * NLMSG_DONE that carries one. */
static enum reply
classify_reply(const struct nlmsghdr *nlh, uint32_t seq, int *error)
{
    int code = 0;

    if (nlh->nlmsg_seq != seq) {
        return REPLY_OTHER;         /* A late answer to an earlier request. */
    } else if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
        if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof code)) {
            memcpy(&code, NLMSG_DATA(nlh), sizeof code);
        } else if (nlh->nlmsg_type == NLMSG_ERROR) {
            code = -EPROTO;
        }
        *error = code < 0 ? -code : code;
        return REPLY_DONE;
    }
    return REPLY_DATA;
}

/* Reads the answers to the request numbered 'seq' up to its ACK, error or
 * NLMSG_DONE, handing each other message of it to 'cb' (if nonnull). */
static int
read_answers(struct tc_sock *sock, uint32_t seq, tc_filter_cb *cb, void *aux)
{
    bool lost = false, interrupted = false;

    for (;;) {
        ssize_t n = recv_batch(sock);
        size_t left;

        if (n == -ENOBUFS) {
            /* Keep reading: the end of the answer may still come, and
             * must be drained before the next request. */
            lost = true;
            continue;
        } else if (n < 0) {
            return lost ? ENOBUFS : -n;
        }
        left = n;
        for (const struct nlmsghdr *nlh = (const void *) sock->buf; NLMSG_OK(nlh, left);
             nlh = NLMSG_NEXT(nlh, left)) {
            struct tc_filter_info info;
            int error = 0;

            switch (classify_reply(nlh, seq, &error)) {
            case REPLY_DONE:
                return error ? error : lost ? ENOBUFS : interrupted ? EAGAIN : 0;
            case REPLY_DATA:
                interrupted |= (nlh->nlmsg_flags & NLM_F_DUMP_INTR) != 0;
                if (cb && !tc_parse_filter(nlh, nlh->nlmsg_len, &info)) {
                    cb(&info, aux);
                }
                break;
            case REPLY_OTHER:
                break;
            }
        }
    }
}

int
tc_sock_transact(struct tc_sock *sock, const struct buf *msg)
{
    const struct nlmsghdr *nlh = (const void *) msg->data;
    uint32_t seq;
    int error;

    if (msg->size < sizeof *nlh || nlh->nlmsg_len != msg->size) {
        return EINVAL;
    }
    error = send_request(sock, msg->data, msg->size, &seq);
    return error ? error : read_answers(sock, seq, NULL, NULL);
}

int
tc_sock_dump_filters(struct tc_sock *sock, int ifindex, tc_filter_cb *cb, void *aux)
{
    struct buf msg = BUF_INITIALIZER;
    uint32_t seq;
    int error;

    tc_put_filter_dump(&msg, ifindex, 0);
    error = send_request(sock, msg.data, msg.size, &seq);
    buf_uninit(&msg);
    return error ? error : read_answers(sock, seq, cb, aux);
}
