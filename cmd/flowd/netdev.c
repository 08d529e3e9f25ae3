/* netdev: see netdev.h.
 *
 * AF_PACKET ports use a TPACKET_V2 receive ring rather than TPACKET_V3:
 * V3 hands a block to user space only when it fills or its timer (at least
 * a millisecond) retires it, which puts that delay on every lightly loaded
 * path, e.g. each ping. V2 frames are visible the moment the kernel writes
 * them.
 *
 * Both kinds carry a virtio-net header with every packet (PACKET_VNET_HDR,
 * IFF_VNET_HDR), so TCP super-frames and partial checksums from senders
 * with offloads (the veth default) pass through unsegmented and
 * unchecksummed, as they would through virtio. Ring frames are sized for a
 * normal MTU; a bigger packet (a GSO super-frame, a jumbo frame) is marked
 * TP_STATUS_COPY by the kernel and read whole with recvmsg() instead
 * (PACKET_COPY_THRESH).
 *
 * PACKET_RESERVE leaves headroom in front of every frame so that VLAN tags
 * (which the kernel strips into metadata on receive) are put back in place,
 * and later pushes need no copy. */
#include "netdev.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/sockios.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define RING_FRAME_SIZE 2048        /* Fits a 1500-byte MTU frame. */
#define RING_FRAMES 4096            /* 8 MiB of ring per port: ~14 ms of
                                     * 300k pps while flowd waits for a CPU. */
#define RING_BLOCK_SIZE (RING_FRAME_SIZE * 32)
#define RX_RESERVE 128              /* Headroom for pushed headers. */
#define BIG_SLOT_SIZE (65536 + 256 + RX_RESERVE) /* A whole GSO frame. */
#define AFPACKET_BIG_SLOTS 8        /* Oversized packets per batch. */
#define TX_QUEUE_LEN 64             /* Packets per sendmmsg(). */

struct tx_queue {
    struct mmsghdr msgs[TX_QUEUE_LEN];
    struct iovec iovs[TX_QUEUE_LEN][2];
    struct virtio_net_hdr vnet[TX_QUEUE_LEN];
    unsigned int n;
};

struct netdev {
    char *name;                     /* Device name. */
    enum netdev_kind kind;
    int fd;                         /* AF_PACKET socket or tap fd. */
    int ifindex;                    /* Kernel ifindex when opened. */
    struct netdev_stats stats;

    /* AF_PACKET receive ring. */
    uint8_t *ring;                  /* mmap'd frames. */
    size_t ring_size;               /* Bytes mapped. */
    unsigned int rx_head;           /* Next frame to look at. */
    unsigned int held[DP_PACKET_BATCH]; /* Frames in the current batch. */
    unsigned int n_held;

    /* Buffers for whole packets read with read()/recvmsg(): every packet of
     * a tap, the oversized ones of a ring. */
    uint8_t *big_slots;
    unsigned int n_big_slots;
    unsigned int n_big_used;        /* In the current batch. */

    struct tx_queue *txq;           /* AF_PACKET only. */
    bool gro_enabled;               /* We turned GRO on: turn it off at close. */
};

/* Reads or sets a device's GRO flag; returns 0 or an errno. */
static int
ethtool_gro(const char *name, uint32_t cmd, uint32_t *value)
{
    struct ethtool_value ev = { .cmd = cmd, .data = *value };
    struct ifreq ifr;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

    if (fd < 0) {
        return errno;
    }
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    ifr.ifr_data = (void *) &ev;
    if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) {
        err = errno;
    }
    *value = ev.data;
    close(fd);
    return err;
}

static bool
is_veth(const char *name)
{
    struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
    struct ifreq ifr;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    bool veth = false;

    if (fd < 0) {
        return false;
    }
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    ifr.ifr_data = (void *) &info;
    veth = !ioctl(fd, SIOCETHTOOL, &ifr) && !strcmp(info.driver, "veth");
    close(fd);
    return veth;
}

/* A VM's veth hands the switch one frame per MTU-sized segment when the
 * VM's stack has segmentation offload off. With GRO on the switch's end,
 * the kernel merges them before AF_PACKET sees them, and the virtio-net
 * header carries the merged frame through unsegmented: one switching
 * decision per ~64 KiB instead of per 1.5 KiB. */
static void
enable_veth_gro(struct netdev *dev)
{
    uint32_t gro = 0;

    if (!is_veth(dev->name) || ethtool_gro(dev->name, ETHTOOL_GGRO, &gro) || gro) {
        return;
    }
    gro = 1;
    if (!ethtool_gro(dev->name, ETHTOOL_SGRO, &gro)) {
        dev->gro_enabled = true;
    }
}

static int
afpacket_setsockopt(int fd, int option, const void *value, socklen_t size,
                    const char *what, struct buf *error)
{
    if (setsockopt(fd, SOL_PACKET, option, value, size) < 0) {
        int err = errno;

        buf_printf(error, "cannot set %s on packet socket: %s", what, strerror(err));
        return err;
    }
    return 0;
}

static int
afpacket_setup_ring(struct netdev *dev, struct buf *error)
{
    int version = TPACKET_V2, reserve = RX_RESERVE, one = 1, rcvbuf = 8 << 20;
    struct tpacket_req req = {
        .tp_block_size = RING_BLOCK_SIZE,
        .tp_block_nr = RING_FRAMES * RING_FRAME_SIZE / RING_BLOCK_SIZE,
        .tp_frame_size = RING_FRAME_SIZE,
        .tp_frame_nr = RING_FRAMES,
    };
    int err;

    err = afpacket_setsockopt(dev->fd, PACKET_VERSION, &version, sizeof version,
                              "PACKET_VERSION", error);
    err = err ? err : afpacket_setsockopt(dev->fd, PACKET_VNET_HDR, &one, sizeof one,
                                          "PACKET_VNET_HDR", error);
    err = err ? err : afpacket_setsockopt(dev->fd, PACKET_COPY_THRESH, &one, sizeof one,
                                          "PACKET_COPY_THRESH", error);
    err = err ? err : afpacket_setsockopt(dev->fd, PACKET_AUXDATA, &one, sizeof one,
                                          "PACKET_AUXDATA", error);
    err = err ? err : afpacket_setsockopt(dev->fd, PACKET_RESERVE, &reserve,
                                          sizeof reserve, "PACKET_RESERVE", error);
    err = err ? err : afpacket_setsockopt(dev->fd, PACKET_RX_RING, &req, sizeof req,
                                          "PACKET_RX_RING", error);
    if (err) {
        return err;
    }
    /* Room for oversized packets waiting to be read with recvmsg(): the
     * kernel truncates (and we drop) what does not fit. Best effort, like
     * the two options after it, which only save work (outgoing frames are
     * also filtered by packet type for kernels without the option). */
    setsockopt(dev->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
    setsockopt(dev->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
    setsockopt(dev->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);

    dev->ring_size = (size_t) req.tp_block_size * req.tp_block_nr;
    dev->ring = mmap(NULL, dev->ring_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                     dev->fd, 0);
    if (dev->ring == MAP_FAILED) {
        err = errno;
        dev->ring = NULL;
        buf_printf(error, "cannot map the receive ring: %s", strerror(err));
        return err;
    }
    return 0;
}

static int
afpacket_open(struct netdev *dev, struct buf *error)
{
    struct sockaddr_ll sll;
    int err;

    dev->ifindex = if_nametoindex(dev->name);
    if (!dev->ifindex) {
        buf_printf(error, "no network device \"%s\"", dev->name);
        return ENODEV;
    }
    /* Protocol 0 receives nothing until bind(), so no frame of another
     * device lands in the ring before it is bound. */
    dev->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (dev->fd < 0) {
        err = errno;
        buf_printf(error, "cannot open packet socket: %s", strerror(err));
        return err;
    }
    err = afpacket_setup_ring(dev, error);
    if (err) {
        return err;
    }
    dev->n_big_slots = AFPACKET_BIG_SLOTS;
    dev->big_slots = xmalloc((size_t) BIG_SLOT_SIZE * dev->n_big_slots);
    dev->txq = xzalloc(sizeof *dev->txq);
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = dev->ifindex;
    if (bind(dev->fd, (struct sockaddr *) &sll, sizeof sll) < 0) {
        err = errno;
        buf_printf(error, "cannot bind packet socket to %s: %s", dev->name, strerror(err));
        return err;
    }
    enable_veth_gro(dev);
    return 0;
}

static int
tap_open(struct netdev *dev, struct buf *error)
{
    struct ifreq ifr;
    int err;

    dev->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (dev->fd < 0) {
        err = errno;
        buf_printf(error, "cannot open /dev/net/tun: %s", strerror(err));
        return err;
    }
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", dev->name);
    if (ioctl(dev->fd, TUNSETIFF, &ifr) < 0) {
        err = errno;
        buf_printf(error, "cannot create tap device %s: %s", dev->name,
                   err == EBUSY ? "a device of that name exists already"
                                : strerror(err));
        return err;
    }
    /* Let the host stack hand the bridge's own port checksum-less and TSO
     * frames, as it would to virtio; without this it segments first. */
    if (ioctl(dev->fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)
        < 0) {
        LOG_WARN("%s: cannot enable offloads on the tap device: %s", dev->name,
                 strerror(errno));
    }
    dev->ifindex = if_nametoindex(dev->name);
    dev->n_big_slots = DP_PACKET_BATCH;
    dev->big_slots = xmalloc((size_t) BIG_SLOT_SIZE * dev->n_big_slots);
    return 0;
}

int
netdev_open(const char *name, enum netdev_kind kind, struct netdev **devp,
            struct buf *error)
{
    struct netdev *dev = xzalloc(sizeof *dev);
    int err;

    dev->name = xstrdup(name);
    dev->kind = kind;
    dev->fd = -1;
    err = kind == NETDEV_TAP ? tap_open(dev, error) : afpacket_open(dev, error);
    if (err) {
        netdev_close(dev);
        *devp = NULL;
        return err;
    }
    *devp = dev;
    return 0;
}

void
netdev_close(struct netdev *dev)
{
    if (!dev) {
        return;
    }
    if (dev->gro_enabled && if_nametoindex(dev->name) == (unsigned int) dev->ifindex) {
        uint32_t off = 0;

        ethtool_gro(dev->name, ETHTOOL_SGRO, &off);
    }
    if (dev->ring) {
        munmap(dev->ring, dev->ring_size);
    }
    if (dev->fd >= 0) {
        close(dev->fd);
    }
    free(dev->big_slots);
    free(dev->txq);
    free(dev->name);
    free(dev);
}

const char *
netdev_name(const struct netdev *dev)
{
    return dev->name;
}

int
netdev_set_qdisc_bypass(struct netdev *dev, bool bypass, struct buf *error)
{
    int value = bypass;

    return afpacket_setsockopt(dev->fd, PACKET_QDISC_BYPASS, &value, sizeof value,
                               "PACKET_QDISC_BYPASS", error);
}

int
netdev_set_socket_filter(struct netdev *dev, const struct sock_filter *prog, size_t n)
{
    struct sock_fprog fprog = { .len = n, .filter = (struct sock_filter *) prog };

    if (dev->kind != NETDEV_AFPACKET) {
        return EOPNOTSUPP;
    }
    if (!n) {
        int zero = 0;           /* Ignored, but the kernel wants an int. */

        return setsockopt(dev->fd, SOL_SOCKET, SO_DETACH_FILTER, &zero, sizeof zero) < 0
               && errno != ENOENT ? errno : 0;
    }
    return setsockopt(dev->fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) < 0
           ? errno : 0;
}

enum netdev_kind
netdev_kind(const struct netdev *dev)
{
    return dev->kind;
}

int
netdev_fd(const struct netdev *dev)
{
    return dev->fd;
}

int
netdev_ifindex(const struct netdev *dev)
{
    return dev->ifindex;
}

const struct netdev_stats *
netdev_get_stats(const struct netdev *dev)
{
    return &dev->stats;
}

static struct tpacket2_hdr *
ring_frame(const struct netdev *dev, unsigned int i)
{
    return (struct tpacket2_hdr *) (dev->ring + (size_t) i * RING_FRAME_SIZE);
}

static void
ring_frame_release(struct tpacket2_hdr *hdr)
{
    __atomic_store_n(&hdr->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
}

/* Puts back the 802.1Q tag the kernel moved into the packet's metadata. */
static void
restore_vlan_tag(struct dp_packet *p, uint32_t status, uint16_t tci, uint16_t tpid)
{
    uint16_t tag[2];

    tag[0] = htons(status & TP_STATUS_VLAN_TPID_VALID ? tpid : ETH_P_8021Q);
    tag[1] = htons(tci);
    if (p->size >= 12 && dp_packet_push(p, 4)) {
        memmove(p->data, p->data + 4, 12);
        memcpy(p->data + 12, tag, 4);
    }
}

static uint8_t *
take_big_slot(struct netdev *dev)
{
    if (dev->n_big_used >= dev->n_big_slots) {
        return NULL;
    }
    return dev->big_slots + (size_t) BIG_SLOT_SIZE * dev->n_big_used++;
}

/* Reads the next whole packet from the socket queue (the one a
 * TP_STATUS_COPY frame stands for) into a big slot. */
static bool
afpacket_read_copy(struct netdev *dev, struct dp_packet *p)
{
    uint8_t *slot = take_big_slot(dev);
    union {
        struct cmsghdr align;
        uint8_t buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
    } control;
    struct iovec iov[2];
    struct msghdr msg;
    ssize_t n;

    if (!slot) {
        return false;
    }
    iov[0].iov_base = &p->vnet;
    iov[0].iov_len = sizeof p->vnet;
    iov[1].iov_base = slot + RX_RESERVE;
    iov[1].iov_len = BIG_SLOT_SIZE - RX_RESERVE;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    msg.msg_control = &control;
    msg.msg_controllen = sizeof control;
    n = recvmsg(dev->fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
    if (n < (ssize_t) sizeof p->vnet || (size_t) n > sizeof p->vnet + iov[1].iov_len
        || msg.msg_flags & MSG_TRUNC) {
        return false;
    }
    p->data = slot + RX_RESERVE;
    p->size = n - sizeof p->vnet;
    p->headroom = RX_RESERVE;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA) {
            struct tpacket_auxdata aux;

            memcpy(&aux, CMSG_DATA(c), sizeof aux);
            if (aux.tp_status & TP_STATUS_VLAN_VALID) {
                restore_vlan_tag(p, aux.tp_status, aux.tp_vlan_tci, aux.tp_vlan_tpid);
            }
        }
    }
    return true;
}

/* Returns true if the frame is one to process, filling 'p'. */
static bool
afpacket_frame_to_packet(struct netdev *dev, struct tpacket2_hdr *hdr,
                         struct dp_packet *p)
{
    const struct sockaddr_ll *sll = (const void *) ((uint8_t *) hdr
                                                    + TPACKET_ALIGN(sizeof *hdr));
    uint32_t header_end = TPACKET_ALIGN(sizeof *hdr) + sizeof *sll;
    uint32_t vnet_start = hdr->tp_mac - sizeof p->vnet;

    if (sll->sll_pkttype == PACKET_OUTGOING) {
        return false;
    }
    if (hdr->tp_status & TP_STATUS_COPY) {
        if (!afpacket_read_copy(dev, p)) {
            dev->stats.rx_dropped++;
            return false;
        }
    } else if (hdr->tp_snaplen < hdr->tp_len || vnet_start < header_end
               || hdr->tp_mac > (uint32_t) RING_FRAME_SIZE
               || hdr->tp_snaplen > (uint32_t) RING_FRAME_SIZE - hdr->tp_mac) {
        dev->stats.rx_dropped++;
        return false;
    } else {
        memcpy(&p->vnet, (uint8_t *) hdr + vnet_start, sizeof p->vnet);
        p->data = (uint8_t *) hdr + hdr->tp_mac;
        p->size = hdr->tp_snaplen;
        p->headroom = vnet_start - header_end;
        if (hdr->tp_status & TP_STATUS_VLAN_VALID) {
            restore_vlan_tag(p, hdr->tp_status, hdr->tp_vlan_tci, hdr->tp_vlan_tpid);
        }
    }
    dev->stats.rx_packets++;
    dev->stats.rx_bytes += p->size;
    return true;
}

static int
afpacket_rx_batch(struct netdev *dev, struct dp_packet_batch *batch)
{
    while (batch->count < DP_PACKET_BATCH) {
        struct tpacket2_hdr *hdr = ring_frame(dev, dev->rx_head);
        uint32_t status = __atomic_load_n(&hdr->tp_status, __ATOMIC_ACQUIRE);

        if (!(status & TP_STATUS_USER)) {
            break;
        }
        if (status & TP_STATUS_COPY && dev->n_big_used >= dev->n_big_slots) {
            break;                  /* Next batch: the big slots are in use. */
        }
        if (afpacket_frame_to_packet(dev, hdr, &batch->packets[batch->count])) {
            batch->count++;
            dev->held[dev->n_held++] = dev->rx_head;
        } else {
            ring_frame_release(hdr);
        }
        dev->rx_head = (dev->rx_head + 1) % RING_FRAMES;
    }
    return 0;
}

static int
tap_rx_batch(struct netdev *dev, struct dp_packet_batch *batch)
{
    while (batch->count < DP_PACKET_BATCH) {
        struct dp_packet *p = &batch->packets[batch->count];
        uint8_t *slot = take_big_slot(dev);
        struct iovec iov[2];
        ssize_t n;

        if (!slot) {
            return 0;
        }
        iov[0].iov_base = &p->vnet;
        iov[0].iov_len = sizeof p->vnet;
        iov[1].iov_base = slot + RX_RESERVE;
        iov[1].iov_len = BIG_SLOT_SIZE - RX_RESERVE;
        n = readv(dev->fd, iov, 2);
        if (n < 0) {
            dev->n_big_used--;
            if (errno == EAGAIN || errno == EINTR) {
                return 0;
            }
            return errno;
        }
        if (n < (ssize_t) sizeof p->vnet) {
            dev->n_big_used--;
            dev->stats.rx_dropped++;
            continue;
        }
        p->data = slot + RX_RESERVE;
        p->size = n - sizeof p->vnet;
        p->headroom = RX_RESERVE;
        batch->count++;
        dev->stats.rx_packets++;
        dev->stats.rx_bytes += p->size;
    }
    return 0;
}

int
netdev_rx_batch(struct netdev *dev, struct dp_packet_batch *batch)
{
    batch->count = 0;
    dev->n_big_used = 0;
    return dev->kind == NETDEV_TAP ? tap_rx_batch(dev, batch)
                                   : afpacket_rx_batch(dev, batch);
}

void
netdev_rx_release(struct netdev *dev)
{
    for (unsigned int i = 0; i < dev->n_held; i++) {
        ring_frame_release(ring_frame(dev, dev->held[i]));
    }
    dev->n_held = 0;
    dev->n_big_used = 0;
}

bool
netdev_rx_pending(const struct netdev *dev)
{
    return dev->ring
           && __atomic_load_n(&ring_frame(dev, dev->rx_head)->tp_status, __ATOMIC_ACQUIRE)
              & TP_STATUS_USER;
}

static void
count_send_error(struct netdev *dev, int err)
{
    /* A device that is down (EIO from a tap, ENETDOWN from a socket) or
     * whose queue is full drops, as a NIC would; anything else is an error
     * worth counting apart. */
    if (err == EIO || err == ENETDOWN || err == ENOBUFS || err == EAGAIN || err == ENXIO) {
        dev->stats.tx_dropped++;
    } else {
        dev->stats.tx_errors++;
    }
}

bool
netdev_has_queued(const struct netdev *dev)
{
    return dev->txq && dev->txq->n;
}

void
netdev_flush(struct netdev *dev)
{
    struct tx_queue *q = dev->txq;
    unsigned int sent = 0;

    while (q && sent < q->n) {
        int n = sendmmsg(dev->fd, q->msgs + sent, q->n - sent, MSG_DONTWAIT);

        if (n < 0) {
            /* The first message failed: count it and go on with the rest. */
            count_send_error(dev, errno);
            sent++;
            continue;
        }
        for (int i = 0; i < n; i++) {
            dev->stats.tx_packets++;
            dev->stats.tx_bytes += q->iovs[sent + i][1].iov_len;
        }
        sent += n;
    }
    if (q) {
        q->n = 0;
    }
}

void
netdev_send_queued(struct netdev *dev, const struct dp_packet *p)
{
    struct tx_queue *q = dev->txq;
    unsigned int i;

    if (!q) {
        netdev_send(dev, p);
        return;
    }
    if (q->n == TX_QUEUE_LEN) {
        netdev_flush(dev);
    }
    i = q->n++;
    q->vnet[i] = p->vnet;
    q->iovs[i][0].iov_base = &q->vnet[i];
    q->iovs[i][0].iov_len = sizeof q->vnet[i];
    q->iovs[i][1].iov_base = p->data;
    q->iovs[i][1].iov_len = p->size;
    memset(&q->msgs[i], 0, sizeof q->msgs[i]);
    q->msgs[i].msg_hdr.msg_iov = q->iovs[i];
    q->msgs[i].msg_hdr.msg_iovlen = 2;
}

int
netdev_send(struct netdev *dev, const struct dp_packet *p)
{
    struct iovec iov[2] = {
        { (void *) &p->vnet, sizeof p->vnet },
        { p->data, p->size },
    };
    ssize_t n;

    if (dev->kind == NETDEV_TAP) {
        n = writev(dev->fd, iov, 2);
    } else {
        struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };

        n = sendmsg(dev->fd, &msg, MSG_DONTWAIT);
    }
    if (n < 0) {
        int err = errno;

        count_send_error(dev, err);
        return err;
    }
    dev->stats.tx_packets++;
    dev->stats.tx_bytes += p->size;
    return 0;
}
