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

/* Runs the OpenFlow connections of each bridge with a ready socket, once
 * per bridge (a bridge's sockets are contiguous in the set). */
static void
run_ready_connmgrs(struct poll_set *set)
{
    struct bridge *last = NULL;

    for (int i = 0; i < set->n; i++) {
        struct bridge *br = set->bridges[i];

        if (set->fds[i].revents && br && !set->dp_handles[i] && br != last) {
            connmgr_run(br->connmgr, time_msec());
            last = br;
        }
    }
}

static void
main_loop(struct flowd *flowd)
{
    struct poll_set *set = xmalloc(sizeof *set);

    while (!flowd->signaled && !flowd->exit_requested) {
        long long now = time_msec();
        int timeout = flowd->next_periodic > now ? flowd->next_periodic - now : 0;
        bool ctl_ready = false;

        fill_poll_set(flowd, set);
        if (poll(set->fds, set->n, timeout) < 0 && errno != EINTR) {
            LOG_ERR("poll failed: %s", strerror(errno));
            break;
        }
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
        /* OpenFlow and control requests last: they may change tables and
         * free ports that the loop above still refers to. */
        run_ready_connmgrs(set);
        if (ctl_ready) {
            ctl_server_run(flowd->ctl);
        }
        run_periodic(flowd, time_msec());
        /* Path MTU answers that the packets above caused. */
        tunnels_deliver_replies(flowd->tunnels);
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
