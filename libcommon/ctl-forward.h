/* ctl-forward: the client half every program's subcommands share: send the
 * command line to a daemon's control socket, print its output on stdout and
 * its error as "PROG: message" on stderr, and turn the reply into an exit
 * status. */
#ifndef SY_CTL_FORWARD_H
#define SY_CTL_FORWARD_H 1

#include <stdbool.h>

#define CTL_FORWARD_TIMEOUT_MS 10000

/* Sends argv to the daemon 'daemon' ("flowd", "portd") on
 * $SY_RUNDIR/DAEMON.ctl. Returns the exit status: 0, 1 or 2 from the reply,
 * or 1 with a message saying how to start the daemon when it is not
 * running. 'prog' prefixes messages. */
int ctl_forward(const char *prog, const char *daemon, int argc, char *const argv[]);

/* True if the daemon answers on its socket. */
bool ctl_daemon_reachable(const char *daemon);

#endif
