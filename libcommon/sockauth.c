/* sockauth: socket file modes and SO_PEERCRED checks. See sockauth.h. */
#include "sockauth.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

/* The gid SY_GROUP names; false if it is unset or names no group. */
static bool
configured_group(gid_t *gid)
{
    const char *name = getenv("SY_GROUP");
    unsigned int number;
    struct group *gr;

    if (!name || !*name) {
        return false;
    } else if (str_to_uint(name, 0, UINT32_MAX - 1, &number)) {
        *gid = number;
        return true;
    }
    gr = getgrnam(name);
    if (gr) {
        *gid = gr->gr_gid;
    }
    return gr != NULL;
}

int
sockauth_bind(int fd, const struct sockaddr_un *sun, size_t size, struct buf *error)
{
    mode_t old_umask;
    gid_t gid;
    int retval;

    /* The umask makes the file 0600 from its first moment: chmod() after
     * bind() would leave a window in which anyone could connect. */
    old_umask = umask(0177);
    retval = bind(fd, (const struct sockaddr *) sun, size) < 0 ? errno : 0;
    umask(old_umask);
    if (retval) {
        buf_printf(error, "bind %s: %s", sun->sun_path, strerror(retval));
        return retval;
    }
    if (getenv("SY_GROUP") && *getenv("SY_GROUP")) {
        if (!configured_group(&gid)) {
            buf_printf(error, "SY_GROUP=%s: no such group", getenv("SY_GROUP"));
            return ENOENT;
        } else if (chown(sun->sun_path, (uid_t) -1, gid) < 0
                   || chmod(sun->sun_path, 0660) < 0) {
            retval = errno;
            buf_printf(error, "%s: cannot give it to group %s: %s", sun->sun_path,
                       getenv("SY_GROUP"), strerror(retval));
            return retval;
        }
    }
    return 0;
}

/* Whether process 'pid' has 'gid' among its supplementary groups (the
 * "Groups:" line of /proc/PID/status). */
static bool
process_in_group(pid_t pid, gid_t gid)
{
    char path[64], line[4096];
    bool found = false;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%ld/status", (long) pid);
    f = fopen(path, "r");
    if (!f) {
        return false;
    }
    while (!found && fgets(line, sizeof line, f)) {
        char *save = NULL;

        if (strncmp(line, "Groups:", 7)) {
            continue;
        }
        for (char *t = strtok_r(line + 7, " \t\n", &save); t && !found;
             t = strtok_r(NULL, " \t\n", &save)) {
            unsigned int g;

            found = str_to_uint(t, 0, UINT32_MAX - 1, &g) && g == gid;
        }
        break;
    }
    fclose(f);
    return found;
}

bool
sockauth_peer_allowed(int fd, struct buf *who)
{
    struct ucred cred;
    socklen_t len = sizeof cred;
    gid_t gid;

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        buf_printf(who, "unknown peer (SO_PEERCRED: %s)", strerror(errno));
        return false;
    }
    if (cred.uid == 0 || cred.uid == geteuid()) {
        return true;
    } else if (configured_group(&gid) && (cred.gid == gid || process_in_group(cred.pid, gid))) {
        return true;
    }
    buf_printf(who, "uid %ld, pid %ld", (long) cred.uid, (long) cred.pid);
    return false;
}
