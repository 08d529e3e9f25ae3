/* Unit tests for sockauth: the socket file's mode from its first moment,
 * SY_GROUP's group and mode, and the SO_PEERCRED verdict on a peer of our
 * own user. (Peers of other users are refused in tests/bats/security.bats,
 * which can run a client as nobody.) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sockauth.h"
#include "unit.h"
#include "util.h"

/* Binds a fresh unix socket in a new temporary directory; returns its fd
 * and fills 'sun'. */
static int
bind_temp(struct sockaddr_un *sun, struct buf *error, int *retval)
{
    char dir[] = "/tmp/sy-sockauth.XXXXXX";
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    CHECK(mkdtemp(dir) != NULL);
    memset(sun, 0, sizeof *sun);
    sun->sun_family = AF_UNIX;
    snprintf(sun->sun_path, sizeof sun->sun_path, "%s/s", dir);
    *retval = sockauth_bind(fd, sun, sizeof *sun, error);
    return fd;
}

static void
remove_temp(int fd, const struct sockaddr_un *sun)
{
    char *dir = xstrdup(sun->sun_path);

    close(fd);
    unlink(sun->sun_path);
    *strrchr(dir, '/') = '\0';
    rmdir(dir);
    free(dir);
}

static void
test_mode_0600(void)
{
    struct buf error = BUF_INITIALIZER;
    struct sockaddr_un sun;
    struct stat st;
    mode_t old = umask(0);              /* Even with a permissive umask. */
    int retval, fd;

    unsetenv("SY_GROUP");
    fd = bind_temp(&sun, &error, &retval);
    umask(old);
    CHECK_INT_EQ(retval, 0);
    CHECK(stat(sun.sun_path, &st) == 0);
    CHECK_INT_EQ(st.st_mode & 0777, 0600);
    remove_temp(fd, &sun);
    buf_uninit(&error);
}

static void
test_group(void)
{
    struct buf error = BUF_INITIALIZER;
    struct sockaddr_un sun;
    struct stat st;
    int retval, fd;

    setenv("SY_GROUP", "4242", 1);
    fd = bind_temp(&sun, &error, &retval);
    if (geteuid() == 0) {
        CHECK_INT_EQ(retval, 0);
        CHECK(stat(sun.sun_path, &st) == 0);
        CHECK_INT_EQ(st.st_mode & 0777, 0660);
        CHECK_INT_EQ(st.st_gid, 4242);
    }
    remove_temp(fd, &sun);
    buf_clear(&error);

    setenv("SY_GROUP", "no-such-group-sy", 1);
    fd = bind_temp(&sun, &error, &retval);
    CHECK_INT_EQ(retval, ENOENT);
    CHECK(strstr(buf_cstr(&error), "no-such-group-sy: no such group") != NULL);
    remove_temp(fd, &sun);
    unsetenv("SY_GROUP");
    buf_uninit(&error);
}

static void
test_own_user_allowed(void)
{
    struct buf who = BUF_INITIALIZER;
    int fds[2];

    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    CHECK(sockauth_peer_allowed(fds[0], &who));
    CHECK_STR_EQ(buf_cstr(&who), "");
    close(fds[0]);
    close(fds[1]);

    /* Not a unix socket: no credentials, refused. */
    fds[0] = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(!sockauth_peer_allowed(fds[0], &who));
    close(fds[0]);
    buf_uninit(&who);
}

UNIT_MAIN("sockauth",
          UNIT_TEST(test_mode_0600),
          UNIT_TEST(test_group),
          UNIT_TEST(test_own_user_allowed))
