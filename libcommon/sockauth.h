/* sockauth: who may use the daemons' unix sockets (flowd.ctl, portd.ctl,
 * BR.mgmt). Whoever can program the switch owns the traffic of every VM on
 * it, so a socket file is created mode 0600 (root, or the user the daemon
 * runs as), and each connection's peer is checked again with SO_PEERCRED:
 * a file mode can be loosened by accident, a peer check cannot.
 *
 * SY_GROUP=NAME (or a numeric gid) lets a group in too: the socket files
 * become group NAME, mode 0660, and peers whose primary or supplementary
 * groups include it are accepted. */
#ifndef SY_SOCKAUTH_H
#define SY_SOCKAUTH_H 1

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Binds 'fd' to the unix socket address 'sun' (of 'size' bytes) so that
 * the file is never more open than it should be, then gives it the group
 * of SY_GROUP if set. Returns 0 or an errno value, with a message in
 * 'error'. */
struct sockaddr_un;
int sockauth_bind(int fd, const struct sockaddr_un *, size_t size, struct buf *error);

/* Whether the peer of connected unix socket 'fd' may talk to us. When it
 * may not, 'who' says who it was ("uid 65534, pid 123"). */
bool sockauth_peer_allowed(int fd, struct buf *who);

#endif
