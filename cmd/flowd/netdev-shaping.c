/* netdev-shaping: egress shaping of a port of the userspace datapath with
 * a tc tbf qdisc on its device (libnl-route-3).
 *
 * AF_PACKET ports normally send with PACKET_QDISC_BYPASS, straight to the
 * driver; a shaped port sends through the device's qdisc instead, so the
 * tbf paces what flowd sends there (queueing up to SHAPING_LATENCY_US,
 * then dropping, which is what makes TCP senders slow down). The qdisc is
 * put on whenever the device is opened, and taken off when the port stops
 * being shaped or leaves the bridge.
 *
 * The kernel datapath's vports transmit through the device's qdisc anyway:
 * there the same tbf goes on by device name (netdev_shaping_set_device()). */
#include "netdev.h"

#include <errno.h>
#include <linux/pkt_sched.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/tc.h>
#include <string.h>

#define SHAPING_LATENCY_US 50000    /* Longest a packet waits in the qdisc. */
#define SHAPING_MIN_BURST_KBIT 100  /* Several full-size frames. */

/* Runs 'add' (true) or delete of a tbf root qdisc on device 'name'. */
static int
shaping_qdisc(int ifindex, const char *name, bool add, uint32_t rate_kbps,
              uint32_t burst_kbit, struct buf *error)
{
    struct nl_sock *sock = nl_socket_alloc();
    struct rtnl_qdisc *qdisc = rtnl_qdisc_alloc();
    int err = 0;

    if (!sock || !qdisc) {
        err = ENOMEM;
    } else if ((err = nl_connect(sock, NETLINK_ROUTE)) < 0) {
        buf_printf(error, "rtnetlink: %s", nl_geterror(err));
        err = EIO;
    } else {
        rtnl_tc_set_ifindex(TC_CAST(qdisc), ifindex);
        rtnl_tc_set_parent(TC_CAST(qdisc), TC_H_ROOT);
        rtnl_tc_set_kind(TC_CAST(qdisc), "tbf");
        if (add) {
            uint64_t rate = (uint64_t) rate_kbps * 1000 / 8;          /* Bytes/s. */
            uint64_t burst = (uint64_t) burst_kbit * 1000 / 8;        /* Bytes. */

            rtnl_qdisc_tbf_set_rate(qdisc, rate > INT32_MAX ? INT32_MAX : (int) rate,
                                    burst > INT32_MAX ? INT32_MAX : (int) burst, 0);
            rtnl_qdisc_tbf_set_limit_by_latency(qdisc, SHAPING_LATENCY_US);
            err = rtnl_qdisc_add(sock, qdisc, NLM_F_CREATE | NLM_F_REPLACE);
        } else {
            err = rtnl_qdisc_delete(sock, qdisc);
        }
        if (err < 0) {
            buf_printf(error, "tc tbf on %s: %s", name, nl_geterror(err));
            err = EIO;
        }
    }
    rtnl_qdisc_put(qdisc);
    nl_socket_free(sock);
    return err;
}

/* 'burst_kbit' 0: 100 ms at the rate; never less than a few frames. */
static uint32_t
shaping_burst(uint32_t rate_kbps, uint32_t burst_kbit)
{
    if (!burst_kbit) {
        burst_kbit = rate_kbps / 10;
    }
    return MAX(burst_kbit, SHAPING_MIN_BURST_KBIT);
}

int
netdev_shaping_set(struct netdev *dev, uint32_t rate_kbps, uint32_t burst_kbit,
                   struct buf *error)
{
    int err;

    if (netdev_kind(dev) != NETDEV_AFPACKET) {
        buf_printf(error, "egress shaping needs a port on a device (type=system); %s "
                   "is an internal port", netdev_name(dev));
        return EINVAL;
    }
    err = shaping_qdisc(netdev_ifindex(dev), netdev_name(dev), true, rate_kbps,
                        shaping_burst(rate_kbps, burst_kbit), error);
    if (!err) {
        err = netdev_set_qdisc_bypass(dev, false, error);
    }
    return err;
}

void
netdev_shaping_clear(struct netdev *dev)
{
    struct buf error = BUF_INITIALIZER;

    if (netdev_kind(dev) == NETDEV_AFPACKET) {
        netdev_set_qdisc_bypass(dev, true, &error);
        shaping_qdisc(netdev_ifindex(dev), netdev_name(dev), false, 0, 0, &error);
    }
    buf_uninit(&error);
}

int
netdev_shaping_set_device(const char *name, uint32_t rate_kbps, uint32_t burst_kbit,
                          struct buf *error)
{
    unsigned int ifindex = if_nametoindex(name);

    if (!ifindex) {
        buf_printf(error, "egress shaping: no device %s", name);
        return ENODEV;
    }
    return shaping_qdisc(ifindex, name, true, rate_kbps, shaping_burst(rate_kbps, burst_kbit),
                         error);
}

void
netdev_shaping_clear_device(const char *name)
{
    unsigned int ifindex = if_nametoindex(name);
    struct buf error = BUF_INITIALIZER;

    if (ifindex) {
        shaping_qdisc(ifindex, name, false, 0, 0, &error);
    }
    buf_uninit(&error);
}
