/* Unit tests for svc-notify (libcommon/svc-notify.c): the datagrams a
 * Type=notify service sends to $NOTIFY_SOCKET, received here the way
 * systemd receives them. */
#include "svc-notify.h"
#include "unit.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* A datagram socket bound to 'name' ('@' = abstract), as $NOTIFY_SOCKET
 * would name it; -1 on failure. */
static int
bind_notify_socket(const char *name)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    size_t length = strlen(name);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    memcpy(addr.sun_path, name, length);
    if (name[0] == '@') {
        addr.sun_path[0] = '\0';
    }
    if (fd >= 0 && bind(fd, (struct sockaddr *) &addr,
                        offsetof(struct sockaddr_un, sun_path) + length) < 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* What svc_notify(state) delivers to a socket bound to 'name'. */
static void
check_delivery(const char *name, const char *state)
{
    char received[64] = "";
    int fd = bind_notify_socket(name);
    ssize_t n;

    CHECK(fd >= 0);
    if (fd < 0) {
        return;
    }
    setenv("NOTIFY_SOCKET", name, 1);
    CHECK_INT_EQ(svc_notify(state), 0);
    n = recv(fd, received, sizeof received - 1, MSG_DONTWAIT);
    CHECK_INT_EQ(n, (ssize_t) strlen(state));
    CHECK_STR_EQ(received, state);
    close(fd);
}

static void
test_path_socket(void)
{
    char path[64];

    snprintf(path, sizeof path, "/tmp/sy-test-notify.%ld", (long) getpid());
    unlink(path);
    check_delivery(path, "READY=1");
    unlink(path);
}

static void
test_abstract_socket(void)
{
    char name[64];

    snprintf(name, sizeof name, "@sy-test-notify.%ld", (long) getpid());
    check_delivery(name, "STOPPING=1");
}

/* Not under systemd: nothing to do, no error. */
static void
test_no_socket(void)
{
    unsetenv("NOTIFY_SOCKET");
    CHECK_INT_EQ(svc_notify("READY=1"), 0);
    setenv("NOTIFY_SOCKET", "", 1);
    CHECK_INT_EQ(svc_notify("READY=1"), 0);
}

static void
test_bad_socket(void)
{
    char name[200];

    setenv("NOTIFY_SOCKET", "relative/path", 1);
    CHECK_INT_EQ(svc_notify("READY=1"), EINVAL);
    memset(name, 'x', sizeof name - 1);
    name[0] = '/';
    name[sizeof name - 1] = '\0';
    setenv("NOTIFY_SOCKET", name, 1);
    CHECK_INT_EQ(svc_notify("READY=1"), EINVAL);
    setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
    CHECK_INT_EQ(svc_notify("READY=1"), ENOENT);
    unsetenv("NOTIFY_SOCKET");
}

UNIT_MAIN("svc-notify",
          UNIT_TEST(test_path_socket),
          UNIT_TEST(test_abstract_socket),
          UNIT_TEST(test_no_socket),
          UNIT_TEST(test_bad_socket))
