/* flowd: the engine daemon's state and the pieces of it that the control
 * commands (ctl-commands.c) reach. */
#ifndef FLOWD_FLOWD_H
#define FLOWD_FLOWD_H 1

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "bridge.h"
#include "buf.h"
#include "ctl.h"

struct flowd {
    struct bridge **bridges;        /* Sorted by name. */
    size_t n_bridges;
    struct ctl_server *ctl;         /* flowd.ctl. */
    char *ctl_path;
    char *pidfile;
    volatile sig_atomic_t signaled; /* SIGTERM/SIGINT received. */
    bool exit_requested;            /* "exit" command received. */
    long long next_periodic;        /* When bridge_run() is due. */
    struct tunnels *tunnels;        /* Every bridge's tunnel ports. */
};

int flowd_run(int argc, char *argv[]);
/* Re-reads the configuration and applies it; problems go to 'errors', one
 * a line. Returns true if everything applied. */
bool flowd_reconfigure(struct flowd *, struct buf *errors);
struct bridge *flowd_find_bridge(const struct flowd *, const char *name);

extern const struct ctl_command flowd_ctl_commands[];
extern const size_t flowd_n_ctl_commands;

#endif
