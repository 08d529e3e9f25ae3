/* daemon: what flowd and portd share as daemons: --detach (fork, new
 * session, stdio to /dev/null, the pid file written before the launching
 * command returns, so a script can use it at once), pid files, and the
 * SIGTERM/SIGINT flag their main loops watch. */
#ifndef SY_DAEMON_H
#define SY_DAEMON_H 1

#include <signal.h>
#include <stdbool.h>

#include "buf.h"

/* Forks into the background. Returns 0 in the daemon; the original process
 * exits 0 once the daemon has written 'pidfile', or 1 if it could not. */
int daemon_detach(const char *pidfile, struct buf *error);
/* Writes the current pid to 'pidfile' atomically. */
int daemon_write_pidfile(const char *pidfile, struct buf *error);
/* Creates 'rundir' (mode 0755) if needed. */
int daemon_prepare_rundir(const char *rundir, struct buf *error);

/* Installs handlers so that SIGTERM and SIGINT set '*flag'; ignores
 * SIGPIPE (a client that hangs up must not kill a daemon). */
void daemon_handle_signals(volatile sig_atomic_t *flag);

#endif
