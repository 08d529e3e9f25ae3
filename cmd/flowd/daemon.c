/* daemon: `flowd run`: the main loop. One thread polls the control socket
 * and every port; a port with packets is drained in batches through its
 * datapath; periodic work (flow expiry, MAC aging, port re-attachment) runs
 * a few times a second. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "connmgr.h"
#include "daemon.h"
#include "flowd.h"
#include "log.h"
#include "svc-notify.h"
#include "swconfig.h"
#include "tunnel.h"
#include "util.h"

#define PERIODIC_MSEC 250
#define MAX_PENDING_ROUNDS 8        /* Ring passes between two poll()s. */
#define COALESCE_RATE 50000        /* Ring packets a second and */
#define COALESCE_GAP_NSEC 50000     /* wake-ups this soon after blocking
                                     * start coalescing. */
#define COALESCE_PAUSE_NSEC 200000  /* Pause between ring passes. */
#define COALESCE_PAUSE_MIN 4        /* Packets a pause must bring to go on. */
#define COALESCE_MAX_NSEC 1000000   /* Then through poll() again: taps,
                                     * tunnels, control requests. */
#define MAX_POLLFDS 4096

struct bridge *
flowd_find_bridge(const struct flowd *flowd, const char *name)
{
    for (size_t i = 0; i < flowd->n_bridges; i++) {
        if (!strcmp(flowd->bridges[i]->name, name)) {
            return flowd->bridges[i];
        }
    }
    return NULL;
}

static const struct sw_bridge *
find_cfg(const struct sw_bridge *cfgs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(cfgs[i].name, name)) {
            return &cfgs[i];
        }
    }
    return NULL;
}

/* Destroys 'br' with its datapath. */
static void
remove_bridge(struct flowd *flowd, struct bridge *br)
{
    for (size_t i = 0; i < flowd->n_bridges; i++) {
        if (flowd->bridges[i] == br) {
            memmove(&flowd->bridges[i], &flowd->bridges[i + 1],
                    (flowd->n_bridges - i - 1) * sizeof *flowd->bridges);
            flowd->n_bridges--;
            break;
        }
    }
    bridge_destroy(br, false);
}

static void
remove_deleted_bridges(struct flowd *flowd, const struct sw_bridge *cfgs, size_t n,
                       const struct buf *load_errors)
{
    for (size_t i = 0; i < flowd->n_bridges;) {
        struct bridge *br = flowd->bridges[i];
        char *needle = xasprintf("/bridges/%s/", br->name);
        bool broken = strstr(buf_cstr(load_errors), needle) != NULL;

        free(needle);
        /* A bridge whose file is corrupt is kept running as it was: a
         * typo in a config file must not cut a VM off. */
        if (find_cfg(cfgs, n, br->name) || broken) {
            i++;
            continue;
        }
        LOG_INFO("%s: bridge removed", br->name);
        remove_bridge(flowd, br);
    }
}

static int
compare_bridges(const void *a, const void *b)
{
    return strcmp((*(struct bridge *const *) a)->name, (*(struct bridge *const *) b)->name);
}

bool
flowd_reconfigure(struct flowd *flowd, struct buf *errors)
{
    struct sw_bridge *cfgs = NULL;
    size_t n_cfgs = 0;
    size_t errors_before = errors->size;

    sw_load_all(sy_confdir(), &cfgs, &n_cfgs, errors);
    if (errors->size > errors_before && errors->data[errors->size - 1] != '\n') {
        buf_put_char(errors, '\n');
    }
    remove_deleted_bridges(flowd, cfgs, n_cfgs, errors);
    for (size_t i = 0; i < n_cfgs; i++) {
        struct bridge *br = flowd_find_bridge(flowd, cfgs[i].name);

        if (br && !bridge_datapath_is(br, cfgs[i].datapath)) {
            LOG_INFO("%s: datapath type changed: bridge recreated", br->name);
            remove_bridge(flowd, br);
            br = NULL;
        }
        if (br) {
            bridge_reconfigure(br, &cfgs[i], errors);
        } else if ((br = bridge_create(&cfgs[i], flowd->tunnels, errors)) != NULL) {
            flowd->bridges = xrealloc(flowd->bridges,
                                      (flowd->n_bridges + 1) * sizeof *flowd->bridges);
            flowd->bridges[flowd->n_bridges++] = br;
        }
    }
    if (flowd->n_bridges > 1) {
        qsort(flowd->bridges, flowd->n_bridges, sizeof *flowd->bridges, compare_bridges);
    }
    bridge_connect_patches(flowd->bridges, flowd->n_bridges);
    sw_bridges_free(cfgs, n_cfgs);
    if (errors->size > errors_before) {
        buf_chomp(errors);
        LOG_WARN("configuration problems:\n%s", buf_cstr(errors) + errors_before);
        return false;
    }
    return true;
}

static void
run_periodic(struct flowd *flowd, long long now)
{
    if (now < flowd->next_periodic) {
        return;
    }
    flowd->next_periodic = now + PERIODIC_MSEC;
    for (size_t i = 0; i < flowd->n_bridges; i++) {
        bridge_run(flowd->bridges[i], now);
        connmgr_run(flowd->bridges[i]->connmgr, now);
    }
    tunnels_run(flowd->tunnels, now);
}

struct poll_set {
    struct pollfd fds[MAX_POLLFDS];
    struct bridge *bridges[MAX_POLLFDS];    /* Owner of each fd; NULL for ctl. */
    void *dp_handles[MAX_POLLFDS];          /* Datapath's handle of each fd, NULL
                                             * if the datapath does not own it. */
    int n;
    int tunnels_start, tunnels_end;         /* Tunnel receive sockets. */
};

static void
add_bridge_fds(struct poll_set *set, struct bridge *br)
{
    int start = set->n, added;

    added = dpif_fill_pollfds(br->dp, &set->fds[set->n], &set->dp_handles[set->n],
                              MAX_POLLFDS - set->n);
    set->n += added;
    added = connmgr_fill_pollfds(br->connmgr, &set->fds[set->n], MAX_POLLFDS - set->n);
    for (int i = 0; i < added; i++) {
        set->dp_handles[set->n + i] = NULL;
    }
    set->n += added;
    for (int i = start; i < set->n; i++) {
        set->bridges[i] = br;
    }
}

static void
fill_poll_set(const struct flowd *flowd, struct poll_set *set)
{
    set->n = ctl_server_fill_pollfds(flowd->ctl, set->fds, MAX_POLLFDS);
    for (int i = 0; i < set->n; i++) {
        set->dp_handles[i] = NULL;
        set->bridges[i] = NULL;
    }
    set->tunnels_start = set->n;
    set->n += tunnels_fill_pollfds(flowd->tunnels, &set->fds[set->n], MAX_POLLFDS - set->n);
    set->tunnels_end = set->n;
    for (int i = set->tunnels_start; i < set->tunnels_end; i++) {
        set->dp_handles[i] = NULL;
        set->bridges[i] = NULL;
    }
    for (size_t b = 0; b < flowd->n_bridges && set->n < MAX_POLLFDS; b++) {
        add_bridge_fds(set, flowd->bridges[b]);
    }
}

/* Forwards what reached the datapaths' receive rings while the loop was
 * busy: for a ping, the reply that the far end sent back while flowd was
 * handing it the request. Taking it from the ring saves a poll() and a
 * pass through the loop on every round trip. Bounded, so that control
 * requests and periodic work still get their turn under load. */
static bool
run_pending_ports(struct flowd *flowd)
{
    bool ran = false;

    for (int round = 0; round < MAX_PENDING_ROUNDS; round++) {
        bool any = false;

        for (size_t i = 0; i < flowd->n_bridges; i++) {
            any |= dpif_run_pending(flowd->bridges[i]->dp);
        }
        if (!any) {
            break;
        }
        ran = true;
    }
    return ran;
}

/* Packets taken from the datapaths' receive rings so far. */
static uint64_t
ring_packets(const struct flowd *flowd)
{
    uint64_t n = 0;

    for (size_t i = 0; i < flowd->n_bridges; i++) {
        n += flowd->bridges[i]->dp->n_ring_rx;
    }
    return n;
}

/* Interrupt moderation for the receive rings. A stream of small packets
 * (64-byte UDP at 100 kpps) wakes flowd every few packets, and every
 * wake-up costs the sender (its softirq wakes flowd), flowd (a context
 * switch and a poll() pass) and the VMs whose CPUs these are; on a virtual
 * CPU that is many times the cost of forwarding a packet, and the wake-ups
 * then take the CPU the receiving VM needs to keep up. So when packets
 * come in at COALESCE_RATE or more and woke flowd within COALESCE_GAP_NSEC
 * of its blocking, flowd stops waiting in poll() for the next packet: it
 * sleeps COALESCE_PAUSE_NSEC and forwards what gathered in the rings
 * meanwhile, as a NIC holds its interrupt for a while under load, for as
 * long as each pause brings COALESCE_PAUSE_MIN packets. A ring that still
 * holds packets is not paused on. Sparse traffic (a ping every 10 ms) and
 * one request at a time (a ping flood, whose next request waits for the
 * answer) stay under the rate and are forwarded as soon as they arrive; an
 * idle flowd sleeps in poll(). */
struct coalesce {
    unsigned long long count_start; /* When the current count began. */
    uint64_t count_packets;         /* ring_packets() then. */
    uint64_t rate;                  /* Ring packets a second, as last counted. */
    unsigned long long blocked_at;  /* When flowd last blocked after
                                     * forwarding ring packets; 0 if not. */
};

/* Counts ring packets over periods of a millisecond or more. */
static void
coalesce_count(struct coalesce *c, const struct flowd *flowd, unsigned long long now)
{
    unsigned long long elapsed = now - c->count_start;

    if (elapsed >= 1000000) {
        uint64_t n = ring_packets(flowd);

        c->rate = (n - c->count_packets) * 1000000000ULL / elapsed;
        c->count_start = now;
        c->count_packets = n;
    }
}

/* 'woke_at' is when poll() returned. */
static bool
coalesce_wanted(const struct coalesce *c, unsigned long long woke_at)
{
    return c->rate >= COALESCE_RATE && c->blocked_at
           && woke_at - c->blocked_at < COALESCE_GAP_NSEC;
}

static void
coalesce_run(struct flowd *flowd)
{
    const struct timespec pause = { 0, COALESCE_PAUSE_NSEC };
    unsigned long long start = time_nsec();

    while (time_nsec() - start < COALESCE_MAX_NSEC) {
        uint64_t before = ring_packets(flowd);

        if (!run_pending_ports(flowd)) {
            nanosleep(&pause, NULL);
            run_pending_ports(flowd);
            if (ring_packets(flowd) - before < COALESCE_PAUSE_MIN) {
                break;              /* The stream is over or thin. */
            }
        }
    }
}

/* Runs the OpenFlow connections of each bridge with a ready socket, once
 * per bridge (a bridge's sockets are contiguous in the set), and of each
 * bridge with input read earlier and not yet handled (connmgr_run() takes
 * a bounded number of messages per run). */
static void
run_ready_connmgrs(struct flowd *flowd, struct poll_set *set)
{
    struct bridge *last = NULL;

    for (int i = 0; i < set->n; i++) {
        struct bridge *br = set->bridges[i];

        if (set->fds[i].revents && br && !set->dp_handles[i] && br != last) {
            connmgr_run(br->connmgr, time_msec());
            last = br;
        }
    }
    for (size_t i = 0; i < flowd->n_bridges; i++) {
        struct bridge *br = flowd->bridges[i];

        if (br != last && connmgr_rx_buffered(br->connmgr)) {
            connmgr_run(br->connmgr, time_msec());
        }
    }
}

/* True if some bridge has OpenFlow input that poll() will not announce. */
static bool
any_rx_buffered(const struct flowd *flowd)
{
    for (size_t i = 0; i < flowd->n_bridges; i++) {
        if (connmgr_rx_buffered(flowd->bridges[i]->connmgr)) {
            return true;
        }
    }
    return false;
}

static void
main_loop(struct flowd *flowd)
{
    struct poll_set *set = xmalloc(sizeof *set);
    struct coalesce coalesce;

    memset(&coalesce, 0, sizeof coalesce);

    while (!flowd->signaled && !flowd->exit_requested) {
        long long now = time_msec();
        int timeout = flowd->next_periodic > now ? flowd->next_periodic - now : 0;
        bool ctl_ready = false;
        unsigned long long woke_at;
        uint64_t ring_rx;

        if (any_rx_buffered(flowd)) {
            timeout = 0;
        }
        fill_poll_set(flowd, set);
        if (poll(set->fds, set->n, timeout) < 0 && errno != EINTR) {
            LOG_ERR("poll failed: %s", strerror(errno));
            break;
        }
        woke_at = time_nsec();
        ring_rx = ring_packets(flowd);
        coalesce_count(&coalesce, flowd, woke_at);
        for (int i = 0; i < set->n; i++) {
            if (!set->fds[i].revents) {
                continue;
            }
            if (i >= set->tunnels_start && i < set->tunnels_end) {
                tunnels_receive(flowd->tunnels, i - set->tunnels_start);
            } else if (set->dp_handles[i]) {
                dpif_handle_ready(set->bridges[i]->dp, set->dp_handles[i]);
            } else if (!set->bridges[i]) {
                ctl_ready = true;
            }
        }
        if (ring_packets(flowd) != ring_rx && coalesce_wanted(&coalesce, woke_at)) {
            coalesce_run(flowd);
        }
        run_pending_ports(flowd);
        /* OpenFlow and control requests last: they may change tables and
         * free ports that the loop above still refers to. */
        run_ready_connmgrs(flowd, set);
        if (ctl_ready) {
            ctl_server_run(flowd->ctl);
        }
        run_periodic(flowd, time_msec());
        /* Path MTU answers that the packets above caused. */
        tunnels_deliver_replies(flowd->tunnels);
        coalesce.blocked_at = ring_packets(flowd) != ring_rx ? time_nsec() : 0;
    }
    free(set);
}

static void
flowd_destroy(struct flowd *flowd)
{
    for (size_t i = 0; i < flowd->n_bridges; i++) {
        bridge_destroy(flowd->bridges[i], true);
    }
    free(flowd->bridges);
    tunnels_destroy(flowd->tunnels);
    ctl_server_destroy(flowd->ctl);
    if (flowd->pidfile) {
        unlink(flowd->pidfile);
    }
    free(flowd->pidfile);
    free(flowd->ctl_path);
}

static void
run_usage(void)
{
    printf("usage: flowd run [--detach]\n"
           "Runs the switchyard engine in the foreground, or in the background\n"
           "with --detach (pid file in $SY_RUNDIR/flowd.pid).\n");
}

static int
parse_run_options(int argc, char *argv[], bool *detach)
{
    static const struct option options[] = {
        { "detach", no_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    *detach = false;
    optind = 1;
    while ((c = getopt_long(argc, argv, "dh", options, NULL)) != -1) {
        switch (c) {
        case 'd':
            *detach = true;
            break;
        case 'h':
            run_usage();
            exit(0);
        default:
            fprintf(stderr, "flowd: usage: flowd run [--detach]\n");
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "flowd: run takes no arguments besides --detach\n");
        return 2;
    }
    return 0;
}

int
flowd_run(int argc, char *argv[])
{
    struct flowd flowd;
    struct buf error = BUF_INITIALIZER;
    bool detach;
    int status = parse_run_options(argc, argv, &detach);

    if (status) {
        return status;
    }
    memset(&flowd, 0, sizeof flowd);
    flowd.tunnels = tunnels_create();
    flowd.ctl_path = xasprintf("%s/flowd.ctl", sy_rundir());
    if (daemon_prepare_rundir(sy_rundir(), &error)
        || ctl_server_create(flowd.ctl_path, flowd_ctl_commands, flowd_n_ctl_commands,
                             &flowd, &flowd.ctl, &error)) {
        fprintf(stderr, "flowd: %s\n", buf_cstr(&error));
        status = 1;
        goto out;
    }
    flowd.pidfile = xasprintf("%s/flowd.pid", sy_rundir());
    if (detach ? daemon_detach(flowd.pidfile, &error)
               : daemon_write_pidfile(flowd.pidfile, &error)) {
        fprintf(stderr, "flowd: %s\n", buf_cstr(&error));
        status = 1;
        goto out;
    }
    if (detach && !getenv("SY_LOGDIR")) {
        log_use_syslog();       /* stderr is nobody's terminal any more. */
    }
    daemon_handle_signals(&flowd.signaled);
    LOG_INFO("started (switchyard %s), control socket %s", SY_VERSION, flowd.ctl_path);
    buf_clear(&error);
    flowd_reconfigure(&flowd, &error);
    svc_notify("READY=1");
    main_loop(&flowd);
    LOG_INFO("exiting");
    svc_notify("STOPPING=1");
out:
    flowd_destroy(&flowd);
    buf_uninit(&error);
    return status;
}
