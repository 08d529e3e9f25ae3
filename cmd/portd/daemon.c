/* daemon: "portd run [--detach]", the portd daemon. It serves the command
 * table of main.c on $SY_RUNDIR/portd.ctl, loads the whole configuration at
 * start (reporting each corrupt file and carrying on with the good
 * bridges), tells flowd to apply it, and exits cleanly on SIGTERM/SIGINT,
 * removing its socket and pid file.
 *
 * With --detach the daemon forks into the background; the parent exits
 * only once the child has its socket listening and its pid file written,
 * so that a script can use both as soon as "portd run --detach" returns. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cfg.h"
#include "log.h"
#include "portd.h"
#include "svc-notify.h"

/* Everything the running daemon holds. */
struct portd_daemon {
    struct portd_env env;       /* Handed to every command handler. */
    struct ctl_server *server;  /* portd.ctl. */
    char *ctl_path;             /* $SY_RUNDIR/portd.ctl. */
    char *pid_path;             /* $SY_RUNDIR/portd.pid. */
    bool pid_written;           /* Remove 'pid_path' at exit. */
    int signal_fd;              /* SIGTERM and SIGINT arrive here. */
    struct linkwatch links;     /* rtnetlink link events. */
    struct sw_bridge *bridges;  /* The configuration loaded at start. */
    size_t n_bridges;
};

/* Loads every bridge; a corrupt file is logged (FILE:LINE: message) and
 * only its bridge is left out. */
static void
daemon_load_config(struct portd_daemon *d)
{
    struct buf errors = BUF_INITIALIZER;
    char *save = NULL;

    sw_load_all(d->env.confdir, &d->bridges, &d->n_bridges, &errors);
    for (char *line = errors.size ? strtok_r(errors.data, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        LOG_ERR("%s", line);
    }
    LOG_INFO("loaded %zu bridge%s from %s", d->n_bridges, d->n_bridges == 1 ? "" : "s",
             d->env.confdir);
    buf_uninit(&errors);
}

static void
daemon_notify_flowd(struct portd_daemon *d)
{
    struct ctl_reply reply;

    ctl_reply_init(&reply);
    portd_notify_flowd(&d->env, &reply);
    if (reply.status) {
        LOG_WARN("%s", buf_cstr(&reply.error));
    }
    ctl_reply_uninit(&reply);
}

static int
daemon_write_pid(struct portd_daemon *d)
{
    struct buf text = BUF_INITIALIZER, error = BUF_INITIALIZER;
    int retval;

    buf_printf(&text, "%ld\n", (long) getpid());
    retval = cfg_write_atomic(d->pid_path, text.data, text.size, &error);
    if (retval) {
        LOG_ERR("cannot write pid file: %s", buf_cstr(&error));
    } else {
        d->pid_written = true;
    }
    buf_uninit(&text);
    buf_uninit(&error);
    return retval;
}

/* Forks into the background. Returns in the child (with a pipe end in
 * '*ready_fd' to report readiness on); the parent waits for that report
 * and exits with 0 if it came, 1 if the child died first. */
static int
daemon_detach(int *ready_fd)
{
    int fds[2];
    pid_t pid;

    fflush(NULL);
    if (pipe2(fds, O_CLOEXEC) < 0) {
        LOG_ERR("pipe: %s", strerror(errno));
        return errno;
    }
    pid = fork();
    if (pid < 0) {
        LOG_ERR("fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return errno;
    } else if (pid > 0) {
        char c;
        ssize_t n;

        close(fds[1]);
        do {
            n = read(fds[0], &c, 1);
        } while (n < 0 && errno == EINTR);
        /* _exit(): the socket now belongs to the child; no clean-up here
         * may remove it. */
        _exit(n == 1 ? 0 : 1);
    }
    close(fds[0]);
    *ready_fd = fds[1];
    setsid();
    if (chdir("/") < 0) {
        LOG_WARN("chdir /: %s", strerror(errno));
    }
    return 0;
}

/* Points stdin, stdout and stderr at /dev/null, once the daemon has said
 * all it has to say on the terminal. */
static void
daemon_close_stdio(void)
{
    int fd = open("/dev/null", O_RDWR);

    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO) {
            close(fd);
        }
    }
}

static int
daemon_open_signals(struct portd_daemon *d)
{
    sigset_t mask;

    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    /* Blocked, the signals wait in the signalfd for the poll loop. */
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    d->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (d->signal_fd < 0) {
        LOG_ERR("signalfd: %s", strerror(errno));
        return errno;
    }
    return 0;
}

/* Everything up to serving: rundir, socket, configuration, detaching, pid
 * file, flowd. Returns 0 or an errno (already reported). */
static int
daemon_start(struct portd_daemon *d, bool detach)
{
    struct buf error = BUF_INITIALIZER;
    int ready_fd = -1;
    int retval;

    retval = cfg_mkdir_p(d->env.rundir, 0755, &error);
    if (!retval) {
        retval = ctl_server_create(d->ctl_path, portd_commands, portd_n_commands,
                                   &d->env, &d->server, &error);
    }
    if (retval) {
        fprintf(stderr, "portd: %s\n", buf_cstr(&error));
        buf_uninit(&error);
        return retval;
    }
    buf_uninit(&error);
    if (daemon_open_signals(d)) {
        return EIO;
    }
    daemon_load_config(d);
    if (detach && daemon_detach(&ready_fd)) {
        return EIO;
    }
    retval = daemon_write_pid(d);
    if (detach) {
        if (!getenv("SY_LOGDIR")) {
            log_use_syslog();
        }
        daemon_close_stdio();
        if (!retval) {
            ssize_t n = write(ready_fd, "", 1);

            (void) n;
        }
        close(ready_fd);
    }
    if (retval) {
        return retval;
    }
    LOG_INFO("listening on %s", d->ctl_path);
    linkwatch_open(&d->links);
    daemon_notify_flowd(d);
    svc_notify("READY=1");
    return 0;
}

/* Serves requests until SIGTERM or SIGINT. */
static void
daemon_loop(struct portd_daemon *d)
{
    for (;;) {
        struct pollfd pfds[80];
        int n;

        pfds[0] = (struct pollfd) { .fd = d->signal_fd, .events = POLLIN };
        pfds[1] = (struct pollfd) { .fd = d->links.fd, .events = POLLIN };
        n = 2 + ctl_server_fill_pollfds(d->server, pfds + 2, ARRAY_SIZE(pfds) - 2);
        if (poll(pfds, n, -1) < 0 && errno != EINTR) {
            LOG_ERR("poll: %s", strerror(errno));
            return;
        }
        if (pfds[0].revents & POLLIN) {
            struct signalfd_siginfo info;

            if (read(d->signal_fd, &info, sizeof info) == sizeof info) {
                LOG_INFO("exiting on signal %s", strsignal(info.ssi_signo));
                return;
            }
        }
        if (pfds[1].revents & POLLIN) {
            linkwatch_run(&d->links, &d->env);
        }
        ctl_server_run(d->server);
    }
}

static void
daemon_stop(struct portd_daemon *d)
{
    svc_notify("STOPPING=1");
    ctl_server_destroy(d->server);
    if (d->pid_written) {
        unlink(d->pid_path);
    }
    if (d->signal_fd >= 0) {
        close(d->signal_fd);
    }
    linkwatch_close(&d->links);
    sw_bridges_free(d->bridges, d->n_bridges);
    free(d->ctl_path);
    free(d->pid_path);
}

/* run [--detach] */
int
daemon_run(const struct portd_env *env, int argc, char *argv[])
{
    struct portd_daemon d = { .env = *env, .signal_fd = -1, .links.fd = -1 };
    bool detach = false;
    int retval;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--detach")) {
            detach = true;
        } else {
            fprintf(stderr, "portd: usage: portd run [--detach]\n");
            return CTL_USAGE;
        }
    }
    log_init("portd");
    d.ctl_path = xasprintf("%s/portd.ctl", env->rundir);
    d.pid_path = xasprintf("%s/portd.pid", env->rundir);
    retval = daemon_start(&d, detach);
    if (!retval) {
        daemon_loop(&d);
    }
    daemon_stop(&d);
    return retval ? CTL_FAILED : 0;
}
