/* svc-notify: see svc-notify.h. */
#include "svc-notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

/* Fills 'addr' from $NOTIFY_SOCKET's value; returns its size or 0 if the
 * value is no socket address. */
static socklen_t
notify_address(const char *path, struct sockaddr_un *addr)
{
    size_t length = strlen(path);

    if ((path[0] != '/' && path[0] != '@') || length >= sizeof addr->sun_path) {
        return 0;
    }
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    memcpy(addr->sun_path, path, length);
    if (path[0] == '@') {
        addr->sun_path[0] = '\0';
    }
    return offsetof(struct sockaddr_un, sun_path) + length;
}

int
svc_notify(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un addr;
    socklen_t size;
    int fd, retval = 0;

    if (!path || !*path) {
        return 0;
    }
    size = notify_address(path, &addr);
    if (!size) {
        retval = EINVAL;
    } else if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
        retval = errno;
    } else {
        if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
                   (struct sockaddr *) &addr, size) < 0) {
            retval = errno;
        }
        close(fd);
    }
    if (retval) {
        LOG_WARN("cannot tell the service manager (NOTIFY_SOCKET=%s) %s: %s",
                 path, state, strerror(retval));
    }
    return retval;
}
