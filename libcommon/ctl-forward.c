/* ctl-forward: see ctl-forward.h. */
#include "ctl-forward.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "ctl.h"
#include "util.h"

int
ctl_forward(const char *prog, const char *daemon, int argc, char *const argv[])
{
    char *path = xasprintf("%s/%s.ctl", sy_rundir(), daemon);
    struct buf output = BUF_INITIALIZER, error = BUF_INITIALIZER;
    int status = ctl_client_call(path, argc, argv, CTL_FORWARD_TIMEOUT_MS, &output, &error);

    fputs(buf_cstr(&output), stdout);
    fflush(stdout);
    if (status == -ENOENT || status == -ECONNREFUSED) {
        fprintf(stderr, "%s: %s is not running (no answer on %s); start it with "
                "\"%s run --detach\"\n", prog, daemon, path, daemon);
        status = 1;
    } else if (status < 0) {
        fprintf(stderr, "%s: cannot talk to %s on %s: %s\n", prog, daemon, path,
                buf_cstr(&error)[0] ? buf_cstr(&error) : strerror(-status));
        status = 1;
    } else if (status) {
        fprintf(stderr, "%s: %s\n", prog, buf_cstr(&error));
    }
    buf_uninit(&output);
    buf_uninit(&error);
    free(path);
    return status;
}

bool
ctl_daemon_reachable(const char *daemon)
{
    char *path = xasprintf("%s/%s.ctl", sy_rundir(), daemon);
    char *argv[] = { "help" };
    struct buf output = BUF_INITIALIZER, error = BUF_INITIALIZER;
    int status = ctl_client_call(path, 1, argv, 2000, &output, &error);

    buf_uninit(&output);
    buf_uninit(&error);
    free(path);
    return status >= 0;
}
