/* daemon: see daemon.h. */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "cfg.h"
#include "util.h"

int
daemon_write_pidfile(const char *pidfile, struct buf *error)
{
    char text[32];
    int n = snprintf(text, sizeof text, "%ld\n", (long) getpid());

    return cfg_write_atomic(pidfile, text, n, error);
}

int
daemon_prepare_rundir(const char *rundir, struct buf *error)
{
    return cfg_mkdir_p(rundir, 0755, error);
}

static void
redirect_stdio(void)
{
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        /* stderr stays: it is the log when SY_LOGDIR is unset and the
         * launching shell captured it; a sanitizer writes there too. */
        if (fd > STDERR_FILENO) {
            close(fd);
        }
    }
}

int
daemon_detach(const char *pidfile, struct buf *error)
{
    int ready[2];
    pid_t pid;
    char status = 1;

    if (pipe2(ready, O_CLOEXEC) < 0) {
        buf_printf(error, "cannot create pipe: %s", strerror(errno));
        return errno;
    }
    pid = fork();
    if (pid < 0) {
        buf_printf(error, "cannot fork: %s", strerror(errno));
        return errno;
    }
    if (pid > 0) {
        close(ready[1]);
        while (read(ready[0], &status, 1) < 0 && errno == EINTR) {
            continue;
        }
        _exit(status ? 1 : 0);
    }
    close(ready[0]);
    setsid();
    if (daemon_write_pidfile(pidfile, error)) {
        fprintf(stderr, "%s\n", buf_cstr(error));
        _exit(1);
    }
    status = 0;
    if (write(ready[1], &status, 1) < 0) {
        /* The parent is gone; nothing to tell. */
    }
    close(ready[1]);
    redirect_stdio();
    return 0;
}

static volatile sig_atomic_t *signal_flag;

static void
set_flag(int signum)
{
    if (signal_flag) {
        *signal_flag = signum;
    }
}

void
daemon_handle_signals(volatile sig_atomic_t *flag)
{
    struct sigaction sa;

    /* A signal handler can only reach the daemon through a static. */
    signal_flag = flag;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = set_flag;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}
