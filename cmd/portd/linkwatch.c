/* linkwatch: portd's rtnetlink watcher. The daemon subscribes to link
 * events (RTMGRP_LINK) on a raw NETLINK_ROUTE socket in its poll loop.
 * When a device that a configured port (or bond member) names appears,
 * disappears or changes its carrier, portd logs it and tells flowd
 * ("refresh-ports"), which closes the socket of a vanished device at once
 * (the port shows as absent) and re-attaches a device of that name as soon
 * as it is back. The ofport lives in the port's file, so it is the same
 * before and after, and across restarts of either daemon.
 *
 * flowd also checks its ports every few hundred milliseconds by itself;
 * this watcher makes the reaction immediate and puts the event in portd's
 * log, where an administrator looks for port lifecycle. */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "portd.h"

#define LINKWATCH_BUF_SIZE 16384

void
linkwatch_open(struct linkwatch *lw)
{
    struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);

    if (fd < 0) {
        LOG_WARN("rtnetlink socket: %s (device changes are noticed by flowd's "
                 "polling only)", strerror(errno));
        return;
    }
    if (bind(fd, (struct sockaddr *) &addr, sizeof addr) < 0) {
        LOG_WARN("rtnetlink bind: %s (device changes are noticed by flowd's "
                 "polling only)", strerror(errno));
        close(fd);
        return;
    }
    lw->fd = fd;
}

void
linkwatch_close(struct linkwatch *lw)
{
    if (lw->fd >= 0) {
        close(lw->fd);
    }
    free(lw->devices);
}

/* The device name and flags of an RTM_NEWLINK/RTM_DELLINK message, or
 * false if it has no usable name. */
static bool
linkwatch_parse(const struct nlmsghdr *nlh, char name[IF_NAMESIZE], unsigned int *flags)
{
    const struct ifinfomsg *ifi = NLMSG_DATA(nlh);
    const struct rtattr *rta;
    int len = (int) nlh->nlmsg_len - NLMSG_LENGTH(sizeof *ifi);

    if (len < 0) {
        return false;
    }
    *flags = ifi->ifi_flags;
    for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
        size_t size = RTA_PAYLOAD(rta);

        if (rta->rta_type == IFLA_IFNAME && size > 0 && size <= IF_NAMESIZE) {
            memcpy(name, RTA_DATA(rta), size);
            name[size - 1] = '\0';
            return name[0] != '\0';
        }
    }
    return false;
}

/* True if comma-separated 'list' holds 'name'. */
static bool
linkwatch_in_list(const char *list, const char *name)
{
    size_t len = strlen(name);

    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");

        if (n == len && !strncmp(p, name, len)) {
            return true;
        }
        p += n + (p[n] == ',');
    }
    return false;
}

/* True if 'device' is a port of a bridge or a member of a bond port; sets
 * '*bridge' and '*port' (static storage in 'bridges'). */
static bool
linkwatch_find_port(const struct sw_bridge *bridges, size_t n, const char *device,
                    const char **bridge, const char **port)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < bridges[i].n_ports; j++) {
            const struct sw_port *p = &bridges[i].ports[j];
            const char *members = cfg_file_get(&p->options, "members");

            if (!strcmp(p->name, device)
                || (members && linkwatch_in_list(members, device))) {
                *bridge = bridges[i].name;
                *port = p->name;
                return true;
            }
        }
    }
    return false;
}

/* The last known state of 'name', added as unknown if new. */
static struct linkwatch_device *
linkwatch_device(struct linkwatch *lw, const char *name)
{
    struct linkwatch_device *dev;

    for (size_t i = 0; i < lw->n_devices; i++) {
        if (!strcmp(lw->devices[i].name, name)) {
            return &lw->devices[i];
        }
    }
    lw->devices = x2nrealloc(lw->devices, &lw->allocated_devices, lw->n_devices + 1,
                             sizeof *lw->devices);
    dev = &lw->devices[lw->n_devices++];
    memset(dev, 0, sizeof *dev);
    snprintf(dev->name, sizeof dev->name, "%s", name);
    dev->state = LINKWATCH_UNKNOWN;
    return dev;
}

static const char *
linkwatch_describe(enum linkwatch_state state)
{
    switch (state) {
    case LINKWATCH_GONE:
        return "is gone: port absent until a device of that name returns";
    case LINKWATCH_NO_CARRIER:
        return "is present, without carrier";
    case LINKWATCH_UP:
        return "is present, with carrier";
    default:
        return "is unknown";
    }
}

/* Logs a change of the state of the device of a port (not every event:
 * the kernel also reports changes of flags we do not care about). */
static void
linkwatch_note(struct linkwatch *lw, const struct nlmsghdr *nlh, const char *device,
               unsigned int flags, const char *bridge, const char *port)
{
    struct linkwatch_device *dev = linkwatch_device(lw, device);
    enum linkwatch_state state;

    if (nlh->nlmsg_type == RTM_DELLINK || if_nametoindex(device) == 0) {
        state = LINKWATCH_GONE;
    } else {
        state = flags & IFF_RUNNING ? LINKWATCH_UP : LINKWATCH_NO_CARRIER;
    }
    if (state == dev->state) {
        return;
    }
    if (strcmp(device, port)) {
        LOG_INFO("%s: bond %s: member device %s %s", bridge, port, device,
                 linkwatch_describe(state));
    } else {
        LOG_INFO("%s: port %s: device %s %s%s", bridge, port, device,
                 linkwatch_describe(state),
                 dev->state == LINKWATCH_GONE ? " (back: re-attaching)" : "");
    }
    dev->state = state;
}

/* Asks flowd to look at its ports now; flowd not running is fine (it
 * attaches what exists when it starts). */
static void
linkwatch_tell_flowd(const struct portd_env *env)
{
    char *path = xasprintf("%s/flowd.ctl", env->rundir);
    char *argv[] = { "refresh-ports" };
    struct buf output = BUF_INITIALIZER, error = BUF_INITIALIZER;
    int status = ctl_client_call(path, 1, argv, PORTD_CALL_TIMEOUT_MS, &output, &error);

    if (status && status != -ENOENT && status != -ECONNREFUSED) {
        buf_chomp(&error);
        LOG_WARN("flowd refresh-ports: %s", buf_cstr(&error));
    }
    buf_uninit(&output);
    buf_uninit(&error);
    free(path);
}

/* Reads every waiting event; if one concerns a configured port, tells
 * flowd to look at its ports now. */
void
linkwatch_run(struct linkwatch *lw, const struct portd_env *env)
{
    struct sw_bridge *bridges = NULL;
    size_t n_bridges = 0;
    bool loaded = false, relevant = false;
    char *data = xmalloc(LINKWATCH_BUF_SIZE);
    ssize_t n;

    while ((n = recv(lw->fd, data, LINKWATCH_BUF_SIZE, 0)) > 0 || (n < 0 && errno == EINTR)) {
        int len = n;

        for (struct nlmsghdr *nlh = (struct nlmsghdr *) data; len > 0 && NLMSG_OK(nlh, len);
             nlh = NLMSG_NEXT(nlh, len)) {
            const char *bridge, *port;
            char device[IF_NAMESIZE];
            unsigned int flags;

            if ((nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
                || !linkwatch_parse(nlh, device, &flags)) {
                continue;
            }
            if (!loaded) {
                struct buf errors = BUF_INITIALIZER;

                sw_load_all(env->confdir, &bridges, &n_bridges, &errors);
                buf_uninit(&errors);
                loaded = true;
            }
            if (linkwatch_find_port(bridges, n_bridges, device, &bridge, &port)) {
                linkwatch_note(lw, nlh, device, flags, bridge, port);
                relevant = true;
            }
        }
    }
    if (n < 0 && errno == ENOBUFS) {
        /* Events were lost: flowd must look at everything. */
        LOG_WARN("rtnetlink: events lost; asking flowd to check every port");
        relevant = true;
    }
    if (relevant) {
        linkwatch_tell_flowd(env);
    }
    sw_bridges_free(bridges, n_bridges);
    free(data);
}
