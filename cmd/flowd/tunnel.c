/* tunnel: see tunnel.h. Three parts: the receive sockets and the demux to
 * ports, the route and neighbour cache (rtnetlink), and sending. */
#include "tunnel.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <linux/if_packet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "byteorder.h"
#include "dp-user.h"
#include "flowkey.h"
#include "log.h"
#include "packet.h"
#include "tnl-pmtu.h"
#include "util.h"

#define RX_BATCH 32
#define RX_HEADROOM 128             /* In front of each inner frame. */
#define RX_BUFFER_SIZE (RX_HEADROOM + 16384)
#define ROUTE_RESOLVED_MSEC 5000    /* Look a known route up again after. */
#define ROUTE_UNRESOLVED_MSEC 200   /* Retry an unknown next hop after. */
#define ROUTE_REFRESH_AHEAD_MSEC 2000 /* Periodic look-up this long before. */
#define ROUTE_FORGET_MSEC 60000     /* Drop a route unused for this long. */
#define SCRATCH_SIZE (65536 + 256)
#define RX_SOCKET_BUFFER (4 << 20)
#define RECEIVE_RETRY_MSEC 2000     /* Retry a receive socket that failed. */
#define REPLY_QUEUE 16              /* "Too big" answers waiting to enter. */
#define REPLIES_PER_MINUTE 6000     /* Per tunnel port: 100 a second ... */
#define REPLIES_BURST 50            /* ... in bursts of 50. */

/* A socket that receives one kind of encapsulation. */
struct tnl_receiver {
    enum sw_port_type type;         /* VXLAN, GENEVE (UDP) or GRE (raw). */
    uint16_t udp_port;              /* Bound UDP port; 0 for GRE. */
    int fd;
    unsigned int n_ports;           /* Ports that use it. */
    uint8_t *buffers;               /* RX_BATCH buffers of RX_BUFFER_SIZE. */
    struct mmsghdr msgs[RX_BATCH];
    struct iovec iovs[RX_BATCH];
    struct sockaddr_in peers[RX_BATCH];
    union {
        struct cmsghdr align;
        uint8_t buf[CMSG_SPACE(sizeof(struct in_pktinfo)) + 2 * CMSG_SPACE(sizeof(int))];
    } controls[RX_BATCH];
};

/* What sending to one remote needs, from the kernel's tables. */
struct tnl_route {
    uint32_t remote;                /* Key: outer destination ... */
    uint32_t local;                 /* ... and requested source (or 0). */
    long long expires;              /* Look it up again from then on. */
    long long used;                 /* Last sent through. */
    int error;                      /* 0, or why there is no route. */
    int ifindex;                    /* Output interface. */
    uint32_t src;                   /* Outer source address. */
    unsigned int mtu;               /* Path MTU (IP bytes). */
    bool resolved;                  /* 'next_hop_mac' is known. */
    uint8_t if_mac[6];              /* The interface's MAC. */
    uint8_t next_hop_mac[6];        /* Gateway's or remote's MAC. */
};

/* An ICMP "fragmentation needed" or ICMPv6 "packet too big" answer, waiting
 * to enter its bridge as if its tunnel port had received it. */
struct tnl_reply {
    struct tnl_port *port;          /* The port it enters through. */
    struct tnl_md md;               /* Outer headers it "arrived" with. */
    size_t size;                    /* Frame bytes at buf + RX_HEADROOM. */
    uint8_t buf[RX_HEADROOM + TNL_PMTU_REPLY_MAX];
};

struct tunnels {
    struct tnl_port **ports;
    size_t n_ports, allocated_ports;
    struct tnl_receiver **receivers;
    size_t n_receivers, allocated_receivers;
    struct tnl_route *routes;
    size_t n_routes, allocated_routes;
    int nl_fd;                      /* rtnetlink, for routes; -1 if none. */
    uint32_t nl_seq;
    int packet_fd;                  /* AF_PACKET, sends built frames. */
    int raw_fd;                     /* IPPROTO_RAW, while a MAC is unknown. */
    int ioctl_fd;                   /* For interface MTU and MAC. */
    uint16_t ip_id;                 /* Next IPv4 identification. */
    struct log_ratelimit rl;        /* For warnings packets can trigger. */
    uint8_t *scratch;               /* SCRATCH_SIZE, to finish checksums. */
    struct tnl_reply *replies;      /* REPLY_QUEUE of them ... */
    size_t n_replies;               /* ... of which these wait. */
};

struct tunnels *
tunnels_create(void)
{
    struct tunnels *t = xzalloc(sizeof *t);
    struct log_ratelimit rl = LOG_RATELIMIT_INIT(10, 10);

    t->rl = rl;
    t->nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    t->packet_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    t->raw_fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    t->ioctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (t->nl_fd < 0 || t->packet_fd < 0 || t->raw_fd < 0 || t->ioctl_fd < 0) {
        LOG_WARN("tunnels: cannot open the sockets for sending (%s): tunnel ports "
                 "will not send", strerror(errno));
    }
    if (t->nl_fd >= 0) {
        struct timeval tv = { .tv_sec = 1 };

        setsockopt(t->nl_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    t->scratch = xmalloc(SCRATCH_SIZE);
    t->replies = xmalloc(REPLY_QUEUE * sizeof *t->replies);
    t->ip_id = (uint16_t) time_msec();
    return t;
}

static void
close_fd(int fd)
{
    if (fd >= 0) {
        close(fd);
    }
}

static void
receiver_destroy(struct tnl_receiver *r)
{
    if (r) {
        close_fd(r->fd);
        free(r->buffers);
        free(r);
    }
}

void
tunnels_destroy(struct tunnels *t)
{
    if (!t) {
        return;
    }
    for (size_t i = 0; i < t->n_ports; i++) {
        free(t->ports[i]->name);
        free(t->ports[i]->error);
        free(t->ports[i]);
    }
    free(t->ports);
    for (size_t i = 0; i < t->n_receivers; i++) {
        receiver_destroy(t->receivers[i]);
    }
    free(t->receivers);
    free(t->routes);
    close_fd(t->nl_fd);
    close_fd(t->packet_fd);
    close_fd(t->raw_fd);
    close_fd(t->ioctl_fd);
    free(t->scratch);
    free(t->replies);
    free(t);
}

/* ---- receive sockets ----------------------------------------------------- */

static int
open_receive_socket(enum sw_port_type type, uint16_t udp_port, struct buf *error)
{
    int rcvbuf = RX_SOCKET_BUFFER;
    int one = 1;
    int fd;

    if (type == SW_PORT_GRE) {
        fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, TNL_IP_PROTO_GRE);
    } else {
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    }
    if (fd < 0) {
        int err = errno;

        buf_printf(error, "cannot open a socket to receive %s: %s",
                   sw_port_type_to_string(type), strerror(err));
        return -err;
    }
    /* Room for the bursts a TCP stream through the tunnel brings while
     * flowd is busy elsewhere (root may exceed rmem_max). */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf)) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }
    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
    setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &one, sizeof one);
    setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof one);
    if (type != SW_PORT_GRE) {
        struct sockaddr_in sin = {
            .sin_family = AF_INET,
            .sin_port = htons(udp_port),
            .sin_addr.s_addr = htonl(INADDR_ANY),
        };

        if (bind(fd, (struct sockaddr *) &sin, sizeof sin)) {
            int err = errno;

            buf_printf(error, "cannot receive %s on UDP port %u: %s%s",
                       sw_port_type_to_string(type), udp_port, strerror(err),
                       err == EADDRINUSE ? " (a kernel vxlan/geneve device or another "
                       "program has it)" : "");
            close(fd);
            return -err;
        }
    }
    return fd;
}

static struct tnl_receiver *
receiver_find(const struct tunnels *t, enum sw_port_type type, uint16_t udp_port)
{
    for (size_t i = 0; i < t->n_receivers; i++) {
        struct tnl_receiver *r = t->receivers[i];

        if (r->type == type && r->udp_port == udp_port) {
            return r;
        }
    }
    return NULL;
}

static void
receiver_prepare(struct tnl_receiver *r)
{
    for (int i = 0; i < RX_BATCH; i++) {
        r->iovs[i].iov_base = r->buffers + (size_t) i * RX_BUFFER_SIZE + RX_HEADROOM;
        r->iovs[i].iov_len = RX_BUFFER_SIZE - RX_HEADROOM;
    }
}

/* The receiver for 'cfg', opened if it is the first port that needs it. */
static struct tnl_receiver *
receiver_get(struct tunnels *t, const struct tnl_config *cfg, struct buf *error, int *err)
{
    uint16_t udp_port = cfg->type == SW_PORT_GRE ? 0 : cfg->dst_port;
    struct tnl_receiver *r = receiver_find(t, cfg->type, udp_port);
    int fd;

    if (r) {
        r->n_ports++;
        return r;
    }
    fd = open_receive_socket(cfg->type, udp_port, error);
    if (fd < 0) {
        *err = -fd;
        return NULL;
    }
    r = xzalloc(sizeof *r);
    r->type = cfg->type;
    r->udp_port = udp_port;
    r->fd = fd;
    r->n_ports = 1;
    r->buffers = xmalloc((size_t) RX_BATCH * RX_BUFFER_SIZE);
    receiver_prepare(r);
    t->receivers = x2nrealloc(t->receivers, &t->allocated_receivers, t->n_receivers + 1,
                              sizeof *t->receivers);
    t->receivers[t->n_receivers++] = r;
    return r;
}

static void
receiver_put(struct tunnels *t, const struct tnl_config *cfg)
{
    uint16_t udp_port = cfg->type == SW_PORT_GRE ? 0 : cfg->dst_port;
    struct tnl_receiver *r = receiver_find(t, cfg->type, udp_port);

    if (!r || --r->n_ports) {
        return;
    }
    for (size_t i = 0; i < t->n_receivers; i++) {
        if (t->receivers[i] == r) {
            t->receivers[i] = t->receivers[--t->n_receivers];
            break;
        }
    }
    receiver_destroy(r);
}

struct tnl_port *
tunnels_port_add(struct tunnels *t, struct dp_user *dp, uint32_t port_no, const char *name,
                 const struct tnl_config *cfg, struct buf *errors)
{
    struct tnl_port *port = xzalloc(sizeof *port);
    struct log_ratelimit reply_rl = LOG_RATELIMIT_INIT(REPLIES_PER_MINUTE, REPLIES_BURST);
    struct buf error = BUF_INITIALIZER;

    port->name = xstrdup(name);
    port->cfg = *cfg;
    port->dp = dp;
    port->port_no = port_no;
    port->reply_rl = reply_rl;
    port->next_retry = time_msec() + RECEIVE_RETRY_MSEC;
    if (!receiver_get(t, cfg, &error, &port->rx_errno)) {
        port->error = buf_steal_cstr(&error);
        buf_printf(errors, "%s: port %s: %s\n", dp->up.name, name, port->error);
    }
    buf_uninit(&error);
    t->ports = x2nrealloc(t->ports, &t->allocated_ports, t->n_ports + 1, sizeof *t->ports);
    t->ports[t->n_ports++] = port;
    return port;
}

void
tunnels_port_del(struct tunnels *t, struct tnl_port *port)
{
    if (!port) {
        return;
    }
    for (size_t i = 0; i < t->n_ports; i++) {
        if (t->ports[i] == port) {
            memmove(&t->ports[i], &t->ports[i + 1], (t->n_ports - i - 1) * sizeof *t->ports);
            t->n_ports--;
            break;
        }
    }
    for (size_t i = 0; i < t->n_replies;) {
        if (t->replies[i].port == port) {
            memmove(&t->replies[i], &t->replies[i + 1],
                    (t->n_replies - i - 1) * sizeof *t->replies);
            t->n_replies--;
        } else {
            i++;
        }
    }
    if (!port->error) {
        receiver_put(t, &port->cfg);
    }
    free(port->name);
    free(port->error);
    free(port);
}

int
tunnels_fill_pollfds(const struct tunnels *t, struct pollfd *fds, int max)
{
    int n = 0;

    for (size_t i = 0; i < t->n_receivers && n < max; i++) {
        fds[n].fd = t->receivers[i]->fd;
        fds[n].events = POLLIN;
        fds[n].revents = 0;
        n++;
    }
    return n;
}

/* ---- receiving ---------------------------------------------------------- */

/* How well 'port' matches a packet: 0 not at all, higher is more exact. */
static int
port_match(const struct tnl_port *port, const struct tnl_receiver *r,
           const struct tnl_md *md)
{
    const struct tnl_config *cfg = &port->cfg;
    int score = 1;

    if (cfg->type != r->type || (r->type != SW_PORT_GRE && cfg->dst_port != r->udp_port)
        || (cfg->local_ip && cfg->local_ip != md->ip_dst)) {
        return 0;
    }
    if (!cfg->remote_flow) {
        if (cfg->remote_ip != md->ip_src) {
            return 0;
        }
        score += 2;
    }
    if (!cfg->in_key.flow) {
        bool has_key = (md->flags & FLOWKEY_TUN_KEY) != 0;

        if (has_key != cfg->in_key.present
            || (has_key && md->tun_id != cfg->in_key.value)) {
            return 0;
        }
        score += 1;
    }
    return score + (cfg->local_ip ? 1 : 0);
}

static struct tnl_port *
find_port(const struct tunnels *t, const struct tnl_receiver *r, const struct tnl_md *md)
{
    struct tnl_port *best = NULL;
    int best_score = 0;

    for (size_t i = 0; i < t->n_ports; i++) {
        int score = port_match(t->ports[i], r, md);

        if (score > best_score) {
            best = t->ports[i];
            best_score = score;
        }
    }
    return best;
}

/* Outer addresses, TOS and TTL of a UDP datagram, from its control
 * messages and sender. */
static void
udp_outer_md(const struct msghdr *msg, const struct sockaddr_in *peer, struct tnl_md *md)
{
    memset(md, 0, sizeof *md);
    md->ip_src = peer->sin_addr.s_addr;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR((struct msghdr *) msg, c)) {
        if (c->cmsg_level != IPPROTO_IP) {
            continue;
        }
        if (c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo info;

            memcpy(&info, CMSG_DATA(c), sizeof info);
            md->ip_dst = info.ipi_addr.s_addr;
        } else if (c->cmsg_type == IP_TOS) {
            md->tos = *CMSG_DATA(c);
        } else if (c->cmsg_type == IP_TTL) {
            int ttl;

            memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
            md->ttl = ttl;
        }
    }
}

/* Finds the inner frame of message 'i' and its port; NULL to drop. */
static struct tnl_port *
decapsulate(struct tunnels *t, struct tnl_receiver *r, int i, struct dp_packet *p,
            struct tnl_md *md)
{
    const struct msghdr *msg = &r->msgs[i].msg_hdr;
    uint8_t *data = r->iovs[i].iov_base;
    size_t size = r->msgs[i].msg_len, ofs;
    struct tnl_md parsed;
    struct tnl_port *port;
    int err;

    if (msg->msg_flags & MSG_TRUNC) {
        return NULL;
    }
    if (r->type == SW_PORT_GRE) {
        err = tnl_parse_gre(data, size, md, &ofs);
    } else {
        udp_outer_md(msg, &r->peers[i], md);
        err = tnl_parse_udp_payload(r->type, data, size, &parsed, &ofs);
        md->tun_id = parsed.tun_id;
        md->flags |= parsed.flags;
        md->geneve_opts = parsed.geneve_opts;
        md->geneve_opts_size = parsed.geneve_opts_size;
    }
    if (err == EBADMSG) {
        /* Malformed options: the header named the port, count it there. */
        port = find_port(t, r, md);
        if (port) {
            port->stats.rx_dropped++;
        }
        return NULL;
    } else if (err) {
        return NULL;
    }
    port = find_port(t, r, md);
    if (port) {
        memset(p, 0, sizeof *p);
        p->data = data + ofs;
        p->size = size - ofs;
        p->headroom = RX_HEADROOM + ofs;
        p->in_port = port->port_no;
        p->tunnel = md;
        port->stats.rx_packets++;
        port->stats.rx_bytes += p->size;
    }
    return port;
}

static void
flush_datapaths(struct dp_user **dps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dp_user_flush(dps[i]);
    }
}

void
tunnels_receive(struct tunnels *t, int index)
{
    struct tnl_receiver *r;
    struct dp_user *touched[RX_BATCH];
    struct tnl_md mds[RX_BATCH];
    size_t n_touched = 0;
    int n;

    if (index < 0 || (size_t) index >= t->n_receivers) {
        return;
    }
    r = t->receivers[index];
    for (int i = 0; i < RX_BATCH; i++) {
        struct msghdr *msg = &r->msgs[i].msg_hdr;

        memset(msg, 0, sizeof *msg);
        msg->msg_name = &r->peers[i];
        msg->msg_namelen = sizeof r->peers[i];
        msg->msg_iov = &r->iovs[i];
        msg->msg_iovlen = 1;
        msg->msg_control = &r->controls[i];
        msg->msg_controllen = sizeof r->controls[i];
    }
    n = recvmmsg(r->fd, r->msgs, RX_BATCH, MSG_DONTWAIT, NULL);
    for (int i = 0; i < n; i++) {
        struct dp_packet packet;
        struct tnl_port *port = decapsulate(t, r, i, &packet, &mds[i]);
        size_t j;

        if (!port) {
            continue;
        }
        for (j = 0; j < n_touched && touched[j] != port->dp; j++) {
            continue;
        }
        if (j == n_touched) {
            touched[n_touched++] = port->dp;
        }
        dp_user_receive(port->dp, &packet);
    }
    /* Queued outputs point into the buffers: send before the next batch. */
    flush_datapaths(touched, n_touched);
}

void
tunnels_deliver_replies(struct tunnels *t)
{
    /* A reply is never too big for anything, and never answered: nothing
     * queues more while these go in; but stay safe if something did. */
    size_t n = t->n_replies;

    for (size_t i = 0; i < n && i < t->n_replies; i++) {
        struct tnl_reply *reply = &t->replies[i];
        struct dp_packet packet;

        memset(&packet, 0, sizeof packet);
        packet.data = reply->buf + RX_HEADROOM;
        packet.size = reply->size;
        packet.headroom = RX_HEADROOM;
        packet.in_port = reply->port->port_no;
        packet.tunnel = &reply->md;
        dp_user_receive(reply->port->dp, &packet);
        dp_user_flush(reply->port->dp);
    }
    t->n_replies = 0;
}

/* ---- routes and neighbours (rtnetlink) --------------------------------------- */

/* Sends 'req' and reads the reply with the same sequence number into
 * 'reply'. Returns its length, or a negative errno (from an NLMSG_ERROR
 * too). */
static int
nl_transact(struct tunnels *t, struct nlmsghdr *req, uint8_t *reply, size_t size)
{
    req->nlmsg_seq = ++t->nl_seq;
    if (send(t->nl_fd, req, req->nlmsg_len, 0) < 0) {
        return -errno;
    }
    for (;;) {
        ssize_t n = recv(t->nl_fd, reply, size, 0);
        const struct nlmsghdr *nh = (const void *) reply;

        if (n < 0) {
            return -errno;
        } else if (!NLMSG_OK(nh, (size_t) n)) {
            return -EPROTO;
        } else if (nh->nlmsg_seq != req->nlmsg_seq) {
            continue;               /* A late reply to an earlier request. */
        } else if (nh->nlmsg_type == NLMSG_ERROR) {
            const struct nlmsgerr *e = NLMSG_DATA(nh);

            return e->error ? e->error : -EPROTO;
        }
        return n;
    }
}

static void
nl_put_attr(struct nlmsghdr *nh, uint16_t type, const void *data, size_t size)
{
    struct rtattr *rta = (void *) ((uint8_t *) nh + NLMSG_ALIGN(nh->nlmsg_len));

    rta->rta_type = type;
    rta->rta_len = RTA_LENGTH(size);
    memcpy(RTA_DATA(rta), data, size);
    nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Fills the route part of 'route' (interface, source, next hop, MTU) from
 * the kernel's answer to "ip route get REMOTE [from LOCAL]". */
static int
lookup_route(struct tunnels *t, struct tnl_route *route, uint32_t *next_hop)
{
    struct {
        struct nlmsghdr nh;
        struct rtmsg rt;
        uint8_t attrs[64];
    } req;
    uint8_t reply[4096];
    const struct nlmsghdr *nh = (const void *) reply;
    const struct rtmsg *rt;
    unsigned int metrics_mtu = 0;
    int n, len;

    memset(&req, 0, sizeof req);
    req.nh.nlmsg_len = NLMSG_LENGTH(sizeof req.rt);
    req.nh.nlmsg_type = RTM_GETROUTE;
    req.nh.nlmsg_flags = NLM_F_REQUEST;
    req.rt.rtm_family = AF_INET;
    req.rt.rtm_dst_len = 32;
    nl_put_attr(&req.nh, RTA_DST, &route->remote, 4);
    if (route->local) {
        req.rt.rtm_src_len = 32;
        nl_put_attr(&req.nh, RTA_SRC, &route->local, 4);
    }
    n = nl_transact(t, &req.nh, reply, sizeof reply);
    if (n < 0) {
        return -n;
    } else if (nh->nlmsg_type != RTM_NEWROUTE) {
        return EPROTO;
    }
    rt = NLMSG_DATA(nh);
    if (rt->rtm_type == RTN_LOCAL) {
        return ELOOP;               /* The remote is this host. */
    } else if (rt->rtm_type != RTN_UNICAST) {
        return ENETUNREACH;
    }
    *next_hop = route->remote;
    route->src = route->local;
    len = RTM_PAYLOAD(nh);
    for (const struct rtattr *a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == RTA_OIF && RTA_PAYLOAD(a) == 4) {
            memcpy(&route->ifindex, RTA_DATA(a), 4);
        } else if (a->rta_type == RTA_PREFSRC && RTA_PAYLOAD(a) == 4 && !route->local) {
            memcpy(&route->src, RTA_DATA(a), 4);
        } else if (a->rta_type == RTA_GATEWAY && RTA_PAYLOAD(a) == 4) {
            memcpy(next_hop, RTA_DATA(a), 4);
        } else if (a->rta_type == RTA_METRICS) {
            int mlen = RTA_PAYLOAD(a);

            for (const struct rtattr *m = RTA_DATA(a); RTA_OK(m, mlen);
                 m = RTA_NEXT(m, mlen)) {
                if (m->rta_type == RTAX_MTU && RTA_PAYLOAD(m) == 4) {
                    memcpy(&metrics_mtu, RTA_DATA(m), 4);
                }
            }
        }
    }
    if (!route->ifindex || !route->src) {
        return EADDRNOTAVAIL;
    }
    route->mtu = metrics_mtu;
    return 0;
}

/* The MAC of 'next_hop' on the route's interface, if the kernel has it.
 * Returns the neighbour entry's NUD_* state, 0 if there is none. */
static int
lookup_neighbour(struct tunnels *t, struct tnl_route *route, uint32_t next_hop)
{
    struct {
        struct nlmsghdr nh;
        struct ndmsg nd;
        uint8_t attrs[32];
    } req;
    uint8_t reply[1024];
    const struct nlmsghdr *nh = (const void *) reply;
    const struct ndmsg *nd;
    int n, len;

    memset(&req, 0, sizeof req);
    req.nh.nlmsg_len = NLMSG_LENGTH(sizeof req.nd);
    req.nh.nlmsg_type = RTM_GETNEIGH;
    req.nh.nlmsg_flags = NLM_F_REQUEST;
    req.nd.ndm_family = AF_INET;
    req.nd.ndm_ifindex = route->ifindex;
    nl_put_attr(&req.nh, NDA_DST, &next_hop, 4);
    n = nl_transact(t, &req.nh, reply, sizeof reply);
    if (n < 0 || nh->nlmsg_type != RTM_NEWNEIGH
        || nh->nlmsg_len < NLMSG_LENGTH(sizeof *nd)) {
        return 0;
    }
    nd = NLMSG_DATA(nh);
    if (!(nd->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE
                           | NUD_PERMANENT | NUD_NOARP))) {
        return nd->ndm_state;
    }
    len = nh->nlmsg_len - NLMSG_LENGTH(sizeof *nd);
    for (const struct rtattr *a = (const void *) ((const uint8_t *) nd
                                                  + NLMSG_ALIGN(sizeof *nd));
         RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6) {
            memcpy(route->next_hop_mac, RTA_DATA(a), 6);
            route->resolved = true;
        }
    }
    return nd->ndm_state;
}

/* The interface's MTU (when the route has none) and MAC. */
static int
lookup_interface(struct tunnels *t, struct tnl_route *route)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof ifr);
    if (!if_indextoname(route->ifindex, ifr.ifr_name)) {
        return errno;
    }
    if (!route->mtu) {
        if (ioctl(t->ioctl_fd, SIOCGIFMTU, &ifr)) {
            return errno;
        }
        route->mtu = ifr.ifr_mtu;
    }
    if (ioctl(t->ioctl_fd, SIOCGIFHWADDR, &ifr)) {
        return errno;
    }
    memcpy(route->if_mac, ifr.ifr_hwaddr.sa_data, 6);
    return 0;
}

static void
route_refresh(struct tunnels *t, struct tnl_route *route, long long now)
{
    uint32_t next_hop = 0;

    route->resolved = false;
    route->ifindex = 0;
    route->error = t->nl_fd < 0 ? ENOTCONN : lookup_route(t, route, &next_hop);
    if (!route->error) {
        route->error = lookup_interface(t, route);
    }
    if (!route->error) {
        lookup_neighbour(t, route, next_hop);
    }
    route->expires = now + (route->resolved ? ROUTE_RESOLVED_MSEC : ROUTE_UNRESOLVED_MSEC);
}

static struct tnl_route *
route_get(struct tunnels *t, uint32_t remote, uint32_t local)
{
    long long now = time_msec();
    struct tnl_route *route = NULL;

    for (size_t i = 0; i < t->n_routes; i++) {
        if (t->routes[i].remote == remote && t->routes[i].local == local) {
            route = &t->routes[i];
            break;
        }
    }
    if (!route) {
        t->routes = x2nrealloc(t->routes, &t->allocated_routes, t->n_routes + 1,
                               sizeof *t->routes);
        route = &t->routes[t->n_routes++];
        memset(route, 0, sizeof *route);
        route->remote = remote;
        route->local = local;
    }
    if (now >= route->expires) {
        route_refresh(t, route, now);
    }
    route->used = now;
    return route;
}

void
tunnels_run(struct tunnels *t, long long now)
{
    for (size_t i = 0; i < t->n_ports; i++) {
        struct tnl_port *port = t->ports[i];
        struct buf error = BUF_INITIALIZER;

        if (port->error && now >= port->next_retry) {
            /* Whoever held the UDP port may have let it go. */
            port->next_retry = now + RECEIVE_RETRY_MSEC;
            if (receiver_get(t, &port->cfg, &error, &port->rx_errno)) {
                LOG_INFO("tunnel %s: receiving now (%s was in the way)", port->name,
                         port->error);
                free(port->error);
                port->error = NULL;
                port->rx_errno = 0;
            }
            buf_uninit(&error);
        }
    }
    for (size_t i = 0; i < t->n_routes;) {
        struct tnl_route *route = &t->routes[i];

        if (now - route->used > ROUTE_FORGET_MSEC) {
            /* Nobody sent there for a while. */
            *route = t->routes[--t->n_routes];
            continue;
        } else if (route->resolved && route->expires - now < ROUTE_REFRESH_AHEAD_MSEC) {
            /* Looked up again here rather than by the next packet, so that
             * sending does not wait for rtnetlink. */
            route_refresh(t, route, now);
        }
        i++;
    }
}

/* ---- what is wrong (tunnel show) ------------------------------------------ */

static void
diagnose(struct tnl_diagnosis *d, const char *reason, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void
diagnose(struct tnl_diagnosis *d, const char *reason, const char *format, ...)
{
    va_list args;

    d->reason = reason;
    va_start(args, format);
    vsnprintf(d->text, sizeof d->text, format, args);
    va_end(args);
}

void
tunnels_diagnose_receive(const struct tnl_port *port, struct tnl_diagnosis *d)
{
    memset(d, 0, sizeof *d);
    if (!port->error) {
        return;
    } else if (port->rx_errno == EADDRINUSE) {
        diagnose(d, TNL_REASON_UDP_PORT_IN_USE, "UDP port %u is in use by someone else "
                 "(a kernel vxlan/geneve device or another program: see ss -ulnp "
                 "'sport = %u' and ip -d link show type %s): this port cannot receive",
                 port->cfg.dst_port, port->cfg.dst_port,
                 port->cfg.type == SW_PORT_GENEVE ? "geneve" : "vxlan");
    } else {
        diagnose(d, TNL_REASON_CANNOT_RECEIVE, "%s", port->error);
    }
}

void
tunnels_diagnose_path(struct tunnels *t, const struct tnl_config *cfg,
                      struct tnl_diagnosis *d)
{
    char remote[INET_ADDRSTRLEN], local[INET_ADDRSTRLEN], hop[INET_ADDRSTRLEN];
    char ifname[IF_NAMESIZE];
    struct tnl_route route;
    uint32_t next_hop = 0;
    int state;

    memset(d, 0, sizeof *d);
    if (cfg->remote_flow) {
        return;                     /* Each packet says where. */
    }
    inet_ntop(AF_INET, &cfg->remote_ip, remote, sizeof remote);
    inet_ntop(AF_INET, &cfg->local_ip, local, sizeof local);
    if (cfg->local_ip && !tnl_address_is_local(cfg->local_ip)) {
        diagnose(d, TNL_REASON_LOCAL_IP_NOT_LOCAL, "local_ip %s is not an address of "
                 "this host: add it to an interface, or change local_ip", local);
        return;
    } else if (t->nl_fd < 0) {
        return;
    }
    memset(&route, 0, sizeof route);
    route.remote = cfg->remote_ip;
    route.local = cfg->local_ip;
    route.error = lookup_route(t, &route, &next_hop);
    if (route.error == ELOOP) {
        diagnose(d, TNL_REASON_REMOTE_IS_LOCAL, "remote_ip %s is an address of this host",
                 remote);
        return;
    } else if (route.error) {
        diagnose(d, TNL_REASON_NO_ROUTE, "no route to remote_ip %s%s%s (%s): the host "
                 "needs one for the outer packets", remote, cfg->local_ip ? " from " : "",
                 cfg->local_ip ? local : "", strerror(route.error));
        return;
    }
    if (!if_indextoname(route.ifindex, ifname)) {
        snprintf(ifname, sizeof ifname, "%d", route.ifindex);
    }
    state = lookup_neighbour(t, &route, next_hop);
    if (!route.resolved && (state & (NUD_FAILED | NUD_INCOMPLETE))) {
        inet_ntop(AF_INET, &next_hop, hop, sizeof hop);
        diagnose(d, TNL_REASON_NEIGHBOUR, "the next hop %s on %s does not answer ARP "
                 "(neighbour %s): %s is down or not on that link", hop, ifname,
                 state & NUD_FAILED ? "FAILED" : "INCOMPLETE",
                 next_hop == cfg->remote_ip ? "the remote" : "the gateway");
    }
}

/* ---- sending --------------------------------------------------------------- */

/* The UDP source port: a hash of the inner addresses and ports, so one
 * flow keeps one path through ECMP underlays and different flows spread. */
static uint16_t
flow_entropy(const uint8_t *frame, size_t size)
{
    uint32_t h = 2166136261u;
    size_t n = MIN(size, (size_t) 12);

    for (size_t i = 0; i < n; i++) {
        h = (h ^ frame[i]) * 16777619u;
    }
    if (size >= 14 + 20 && frame[12] == 0x08 && frame[13] == 0x00) {
        size_t ihl = (frame[14] & 0x0f) * 4;

        for (size_t i = 14 + 12; i < 14 + 20; i++) {     /* Addresses. */
            h = (h ^ frame[i]) * 16777619u;
        }
        h = (h ^ frame[14 + 9]) * 16777619u;             /* Protocol. */
        for (size_t i = 14 + ihl; i < 14 + ihl + 4 && i < size; i++) {
            h = (h ^ frame[i]) * 16777619u;              /* Ports. */
        }
    }
    return 49152 + (h ^ (h >> 16)) % 16384;
}

/* A frame whose L4 checksum the sender left to "hardware": finish it in
 * a copy (other outputs of the same packet still want it unfinished).
 * Returns the bytes to send. */
static const uint8_t *
finish_checksum(struct tunnels *t, const struct dp_packet *p)
{
    size_t start = p->vnet.csum_start, field = start + p->vnet.csum_offset;
    uint16_t sum;

    if (start >= p->size || field + 2 > p->size || p->size > SCRATCH_SIZE) {
        return NULL;
    }
    memcpy(t->scratch, p->data, p->size);
    sum = csum_finish(csum_partial(t->scratch + start, p->size - start, 0));
    if (!sum && p->vnet.csum_offset == 6) {
        sum = 0xffff;               /* UDP: 0 would mean "no checksum". */
    }
    memcpy(t->scratch + field, &sum, 2);
    return t->scratch;
}

static void
port_drop(struct tunnels *t, struct tnl_port *port, const char *why, size_t size)
{
    port->stats.tx_dropped++;
    if (log_ratelimit_allow(&t->rl)) {
        LOG_WARN("tunnel %s: dropped a %zu-byte packet: %s", port->name, size, why);
    }
}

/* A packet too big for the path once encapsulated: the log says by how
 * much, so that the fix (a smaller MTU inside) is plain. */
static void
port_drop_too_big(struct tunnels *t, struct tnl_port *port, size_t size, size_t outer_size,
                  unsigned int mtu)
{
    port->stats.tx_dropped++;
    if (log_ratelimit_allow(&t->rl)) {
        /* The outer IP packet holds the outer headers but the outer
         * Ethernet, and the inner frame with its Ethernet header: inside,
         * an IP MTU 'outer_size' bytes below the path's fits. */
        LOG_WARN("tunnel %s: dropped a %zu-byte frame: %zu bytes once encapsulated, over "
                 "the path MTU of %u to the remote (the MTU inside must be at most %u)",
                 port->name, size, size + outer_size - 14, mtu,
                 mtu > outer_size ? mtu - (unsigned int) outer_size : 0);
    }
}

/* The outer header fields for 'port' when no set(tunnel) said them. */
static void
default_md(const struct tnl_port *port, struct tnl_md *md)
{
    const struct tnl_config *cfg = &port->cfg;

    memset(md, 0, sizeof *md);
    md->ip_dst = cfg->remote_ip;
    md->ip_src = cfg->local_ip;
    md->tun_id = cfg->out_key.value;
    md->tos = cfg->tos;
    md->ttl = cfg->ttl;
    md->flags = ((cfg->out_key.present ? FLOWKEY_TUN_KEY : 0)
                 | (cfg->csum ? FLOWKEY_TUN_CSUM : 0) | (cfg->df ? FLOWKEY_TUN_DF : 0));
}

/* Sends one outer frame, 'iov' (Ethernet header first, at least 14 bytes
 * in iov[0]; at most 3 pieces). */
static int
send_frame(struct tunnels *t, const struct tnl_route *route, struct iovec *iov, size_t n_iov)
{
    struct sockaddr_ll sll;
    struct sockaddr_in sin;
    struct iovec ip_iov[3];
    struct msghdr msg;

    memset(&msg, 0, sizeof msg);
    if (route->resolved) {
        memset(&sll, 0, sizeof sll);
        sll.sll_family = AF_PACKET;
        sll.sll_ifindex = route->ifindex;
        sll.sll_protocol = htons(ETH_TYPE_IP);
        sll.sll_halen = 6;
        memcpy(sll.sll_addr, route->next_hop_mac, 6);
        msg.msg_iov = iov;
        msg.msg_iovlen = n_iov;
        msg.msg_name = &sll;
        msg.msg_namelen = sizeof sll;
        return sendmsg(t->packet_fd, &msg, MSG_DONTWAIT) < 0 ? errno : 0;
    }
    /* Next hop not resolved yet: the kernel routes this one (and resolves
     * the next hop, queueing the packet meanwhile). */
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = route->remote;
    memcpy(ip_iov, iov, n_iov * sizeof *iov);
    ip_iov[0].iov_base = (uint8_t *) iov[0].iov_base + 14;
    ip_iov[0].iov_len = iov[0].iov_len - 14;
    msg.msg_iov = ip_iov;
    msg.msg_iovlen = n_iov;
    msg.msg_name = &sin;
    msg.msg_namelen = sizeof sin;
    return sendmsg(t->raw_fd, &msg, MSG_DONTWAIT) < 0 ? errno : 0;
}

static void
count_sent(struct tunnels *t, struct tnl_port *port, struct tnl_route *route, int err,
           size_t size)
{
    if (err) {
        port_drop(t, port, strerror(err), size);
        route->expires = 0;         /* Maybe the route changed: look again. */
    } else {
        port->stats.tx_packets++;
        port->stats.tx_bytes += size;
    }
}

/* Answers the sender of 'inner', too big for the path, if it is due an
 * answer (tnl-pmtu.h) and the port's rate allows: queues it for
 * tunnels_deliver_replies(). Returns true if it did. */
static bool
answer_too_big(struct tunnels *t, struct tnl_port *port, const struct tnl_build *b,
               const uint8_t *inner, size_t size, size_t max_frame)
{
    struct tnl_reply *reply;
    unsigned int mtu;

    if (t->n_replies >= REPLY_QUEUE) {
        return false;
    }
    reply = &t->replies[t->n_replies];
    reply->size = tnl_pmtu_reply(inner, size, max_frame, reply->buf + RX_HEADROOM, &mtu);
    if (!reply->size || !log_ratelimit_allow(&port->reply_rl)) {
        return false;
    }
    t->n_replies++;
    reply->port = port;
    /* As the remote would have sent it back to us. */
    memset(&reply->md, 0, sizeof reply->md);
    reply->md.tun_id = b->md.tun_id;
    reply->md.ip_src = b->md.ip_dst;
    reply->md.ip_dst = b->md.ip_src;
    reply->md.flags = b->md.flags & FLOWKEY_TUN_KEY;
    if (!port->cfg.in_key.flow) {
        /* The key the remote sends with (in_key=), if it is another. */
        reply->md.tun_id = port->cfg.in_key.value;
        reply->md.flags = port->cfg.in_key.present ? FLOWKEY_TUN_KEY : 0;
    }
    reply->md.ttl = TNL_DEFAULT_TTL;
    port->stats.tx_too_big_replies++;
    if (log_ratelimit_allow(&t->rl)) {
        LOG_INFO("tunnel %s: a %zu-byte frame does not fit the path MTU to the remote "
                 "once encapsulated: told its sender to use an MTU of %u", port->name,
                 size, mtu);
    }
    return true;
}

/* Sends the outer IPv4 packet (headers 'outer', then 'inner') as fragments
 * that each fit the path MTU; the remote's IP stack reassembles them. */
static void
send_fragments(struct tunnels *t, struct tnl_port *port, struct tnl_route *route,
               const uint8_t *outer, size_t outer_size, const uint8_t *inner, size_t size)
{
    size_t payload = outer_size - 34 + size;
    size_t max = (route->mtu - 20) & ~(size_t) 7;
    int err = 0;

    for (size_t ofs = 0; ofs < payload && !err;) {
        size_t len = MIN(max, payload - ofs);
        uint16_t frag = ofs / 8 | (ofs + len < payload ? 0x2000 : 0);
        uint8_t header[34];
        struct iovec iov[3];
        size_t n_iov = 1;
        uint16_t sum;

        memcpy(header, outer, 34);
        wr16(header + 14 + 2, 20 + len);
        wr16(header + 14 + 6, frag);
        memset(header + 14 + 10, 0, 2);
        sum = csum(header + 14, 20);
        memcpy(header + 14 + 10, &sum, 2);
        iov[0].iov_base = header;
        iov[0].iov_len = 34;
        /* The fragment's bytes [ofs, ofs + len) of the IP payload: the
         * rest of the outer headers, then the inner frame. */
        if (ofs < outer_size - 34) {
            size_t n = MIN(len, outer_size - 34 - ofs);

            iov[n_iov].iov_base = (uint8_t *) outer + 34 + ofs;
            iov[n_iov++].iov_len = n;
            if (n < len) {
                iov[n_iov].iov_base = (uint8_t *) inner;
                iov[n_iov++].iov_len = len - n;
            }
        } else {
            iov[n_iov].iov_base = (uint8_t *) inner + (ofs - (outer_size - 34));
            iov[n_iov++].iov_len = len;
        }
        err = send_frame(t, route, iov, n_iov);
        ofs += len;
    }
    count_sent(t, port, route, err, size);
}

/* What send_one() did. */
enum send_result {
    SENT,                           /* Sent (or failed to, counted). */
    TOO_BIG,                        /* Too big: answered or dropped. */
};

/* Encapsulates and sends one inner frame whose checksums are complete. */
static enum send_result
send_one(struct tunnels *t, struct tnl_port *port, struct tnl_route *route,
         struct tnl_build *b, const uint8_t *inner, size_t size)
{
    uint8_t outer[TNL_MAX_OUTER_SIZE];
    size_t outer_size = tnl_outer_size(b);
    size_t max_frame = route->mtu > outer_size - 14 ? route->mtu - (outer_size - 14) : 0;
    bool fragment = false;
    struct iovec iov[2];

    if (size > max_frame) {
        if (answer_too_big(t, port, b, inner, size, max_frame)) {
            return TOO_BIG;
        } else if ((b->md.flags & FLOWKEY_TUN_DF) || route->mtu < 68
                   || outer_size - 14 + size > 65535) {
            port_drop_too_big(t, port, size, outer_size, route->mtu);
            return TOO_BIG;
        }
        fragment = true;
    }
    b->ip_id = t->ip_id++;
    tnl_build_outer(b, inner, size, outer);
    if (fragment) {
        send_fragments(t, port, route, outer, outer_size, inner, size);
        return SENT;
    }
    iov[0].iov_base = outer;
    iov[0].iov_len = outer_size;
    iov[1].iov_base = (void *) inner;
    iov[1].iov_len = size;
    count_sent(t, port, route, send_frame(t, route, iov, 2), size);
    return SENT;
}

/* Where a TCP super-frame's headers are, checked against its size. */
struct tcp_gso {
    size_t l3, l4, hdr;             /* IP, TCP, payload offsets. */
    bool ipv4;
};

static bool
tcp_gso_parse(const struct dp_packet *p, struct tcp_gso *g)
{
    const uint8_t *f = p->data;
    uint8_t gso = p->vnet.gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
    uint16_t eth_type;

    if ((gso != VIRTIO_NET_HDR_GSO_TCPV4 && gso != VIRTIO_NET_HDR_GSO_TCPV6)
        || !p->vnet.gso_size || p->size < 14) {
        return false;
    }
    g->l3 = 14;
    eth_type = rd16(f + 12);
    while ((eth_type == ETH_TYPE_VLAN || eth_type == ETH_TYPE_QINQ) && g->l3 + 4 <= p->size) {
        eth_type = rd16(f + g->l3 + 2);
        g->l3 += 4;
    }
    g->ipv4 = eth_type == ETH_TYPE_IP;
    g->l4 = p->vnet.csum_start;
    if ((eth_type != ETH_TYPE_IP && eth_type != ETH_TYPE_IPV6)
        || g->l4 < g->l3 + (g->ipv4 ? 20 : 40) || g->l4 + 20 > p->size) {
        return false;
    }
    g->hdr = g->l4 + (size_t) (f[g->l4 + 12] >> 4) * 4;
    return g->hdr >= g->l4 + 20 && g->hdr <= p->size;
}

/* Makes segment 'index' (payload bytes [ofs, ofs + len)) of super-frame
 * 'p' in the scratch buffer, as the sender's NIC would have: IP length
 * and ID, TCP sequence number, flags (FIN and PSH on the last segment
 * only, CWR on the first) and a complete TCP checksum. */
static size_t
tcp_gso_segment(struct tunnels *t, const struct dp_packet *p, const struct tcp_gso *g,
                size_t index, size_t ofs, size_t len, bool last)
{
    const uint8_t *f = p->data;
    uint8_t *s = t->scratch;
    size_t seg = g->hdr + len;
    uint32_t seq, sum;
    uint16_t checksum;

    memcpy(s, f, g->hdr);
    memcpy(s + g->hdr, f + g->hdr + ofs, len);
    if (g->ipv4) {
        size_t ihl = (size_t) (s[g->l3] & 0x0f) * 4;
        uint32_t src, dst;

        wr16(s + g->l3 + 2, seg - g->l3);
        wr16(s + g->l3 + 4, rd16(f + g->l3 + 4) + index);
        memset(s + g->l3 + 10, 0, 2);
        checksum = csum(s + g->l3, MIN(ihl, g->l4 - g->l3));
        memcpy(s + g->l3 + 10, &checksum, 2);
        memcpy(&src, s + g->l3 + 12, 4);
        memcpy(&dst, s + g->l3 + 16, 4);
        sum = csum_pseudo_ipv4(src, dst, IP_PROTO_TCP, seg - g->l4);
    } else {
        wr16(s + g->l3 + 4, seg - g->l3 - 40);
        sum = csum_pseudo_ipv6(s + g->l3 + 8, s + g->l3 + 24, IP_PROTO_TCP, seg - g->l4);
    }
    memcpy(&seq, f + g->l4 + 4, 4);
    seq = htonl(ntohl(seq) + ofs);
    memcpy(s + g->l4 + 4, &seq, 4);
    if (!last) {
        s[g->l4 + 13] &= ~0x09;             /* FIN, PSH. */
    }
    if (index) {
        s[g->l4 + 13] &= ~0x80;             /* CWR. */
    }
    memset(s + g->l4 + 16, 0, 2);
    checksum = csum_finish(csum_partial(s + g->l4, seg - g->l4, sum));
    memcpy(s + g->l4 + 16, &checksum, 2);
    return seg;
}

/* A TCP super-frame (GSO) from a sender with segmentation offload: the
 * kernel cannot segment it once it is inside a tunnel, so it is cut into
 * MSS-sized segments here, each encapsulated on its own. */
static void
send_segments(struct tunnels *t, struct tnl_port *port, struct tnl_route *route,
              struct tnl_build *b, const struct dp_packet *p)
{
    size_t mss = p->vnet.gso_size, payload, index = 0;
    struct tcp_gso g;

    if (!tcp_gso_parse(p, &g)) {
        port_drop(t, port, "a super-frame (GSO) that is not TCP, or malformed", p->size);
        return;
    }
    payload = p->size - g.hdr;
    for (size_t ofs = 0; ofs < payload || (!payload && !index); ofs += mss, index++) {
        size_t len = MIN(mss, payload - ofs);
        size_t seg = tcp_gso_segment(t, p, &g, index, ofs, len, ofs + len >= payload);

        if (send_one(t, port, route, b, t->scratch, seg) == TOO_BIG) {
            /* The first segment says it for all: one answer per super-frame
             * is what its sender needs. */
            break;
        }
    }
}

void
tunnels_send(struct tunnels *t, struct tnl_port *port, const struct dp_packet *p,
             const struct tnl_md *md)
{
    const uint8_t *inner = p->data;
    struct tnl_route *route;
    struct tnl_build b;

    memset(&b, 0, sizeof b);
    b.type = port->cfg.type;
    if (md) {
        b.md = *md;
    } else {
        default_md(port, &b.md);
    }
    if (!b.md.ip_dst) {
        port_drop(t, port, "no remote address (remote_ip=flow needs tun_dst set)", p->size);
        return;
    }
    route = route_get(t, b.md.ip_dst, b.md.ip_src);
    if (route->error) {
        port_drop(t, port, route->error == ELOOP ? "the remote address is this host's own"
                                                 : strerror(route->error), p->size);
        return;
    }
    b.md.ip_src = route->src;
    if (!b.md.ttl) {
        b.md.ttl = TNL_DEFAULT_TTL;
    }
    memcpy(b.eth_src, route->if_mac, 6);
    memcpy(b.eth_dst, route->next_hop_mac, 6);
    b.udp_dst = port->cfg.dst_port;
    b.udp_src = flow_entropy(p->data, p->size);
    if (p->vnet.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
        send_segments(t, port, route, &b, p);
        return;
    } else if (p->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        inner = finish_checksum(t, p);
        if (!inner) {
            port_drop(t, port, "bad checksum offload request", p->size);
            return;
        }
    }
    send_one(t, port, route, &b, inner, p->size);
}
