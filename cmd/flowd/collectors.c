/* collectors: UDP sockets to export collectors. See collectors.h. */
#include "collectors.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

struct collectors {
    char *targets;                  /* As configured. */
    int *fds;                       /* One connected UDP socket each. */
    size_t n_fds;
    uint64_t n_sent;                /* Datagrams sent. */
    uint64_t n_errors;              /* Sends that failed. */
    struct log_ratelimit rl;        /* For send failures. */
};

/* Splits "HOST:PORT" or "[HOST]:PORT" into 'host' and 'port' (owned by the
 * caller). Returns false if there is no port. */
static bool
split_host_port(const char *target, char **host, char **port)
{
    const char *colon;

    if (target[0] == '[') {
        const char *bracket = strchr(target, ']');

        if (!bracket || bracket[1] != ':') {
            return false;
        }
        *host = xstrndup(target + 1, bracket - target - 1);
        *port = xstrdup(bracket + 2);
        return true;
    }
    colon = strrchr(target, ':');
    if (!colon) {
        return false;
    }
    *host = xstrndup(target, colon - target);
    *port = xstrdup(colon + 1);
    return true;
}

static int
open_collector(const char *target, struct buf *error)
{
    struct addrinfo hints, *ai = NULL;
    char *host = NULL, *port = NULL;
    int fd = -1, err;

    if (!split_host_port(target, &host, &port)) {
        buf_printf(error, "\"%s\" is not HOST:PORT", target);
        return -1;
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_protocol = IPPROTO_UDP;
    err = getaddrinfo(host, port, &hints, &ai);
    if (err) {
        buf_printf(error, "cannot resolve \"%s\": %s", target, gai_strerror(err));
        goto out;
    }
    fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
    if (fd < 0) {
        buf_printf(error, "\"%s\": socket: %s", target, strerror(errno));
    } else if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        buf_printf(error, "\"%s\": connect: %s", target, strerror(errno));
        close(fd);
        fd = -1;
    }
out:
    if (ai) {
        freeaddrinfo(ai);
    }
    free(host);
    free(port);
    return fd;
}

struct collectors *
collectors_create(const char *targets, const char *what, struct buf *errors)
{
    struct collectors *c = xzalloc(sizeof *c);
    struct log_ratelimit rl = LOG_RATELIMIT_INIT(5, 5);
    char *copy = xstrdup(targets);
    char *save = NULL;

    c->targets = xstrdup(targets);
    c->rl = rl;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        struct buf error = BUF_INITIALIZER;
        int fd = open_collector(item, &error);

        if (fd >= 0) {
            c->fds = xrealloc(c->fds, (c->n_fds + 1) * sizeof *c->fds);
            c->fds[c->n_fds++] = fd;
        } else {
            buf_printf(errors, "%s: %s\n", what, buf_cstr(&error));
        }
        buf_uninit(&error);
    }
    free(copy);
    if (!c->n_fds) {
        collectors_destroy(c);
        return NULL;
    }
    return c;
}

void
collectors_destroy(struct collectors *c)
{
    if (!c) {
        return;
    }
    for (size_t i = 0; i < c->n_fds; i++) {
        close(c->fds[i]);
    }
    free(c->fds);
    free(c->targets);
    free(c);
}

const char *
collectors_targets(const struct collectors *c)
{
    return c->targets;
}

void
collectors_send(struct collectors *c, const void *data, size_t size)
{
    for (size_t i = 0; i < c->n_fds; i++) {
        ssize_t retval = send(c->fds[i], data, size, MSG_DONTWAIT);

        /* ECONNREFUSED reports an earlier datagram's ICMP error (the
         * collector was not listening then) and sent nothing: try again. */
        if (retval < 0 && errno == ECONNREFUSED) {
            retval = send(c->fds[i], data, size, MSG_DONTWAIT);
        }
        if (retval == (ssize_t) size) {
            c->n_sent++;
            continue;
        }
        c->n_errors++;
        if (log_ratelimit_allow(&c->rl)) {
            LOG_WARN("export to %s: %s", c->targets, strerror(errno));
        }
    }
}

uint64_t
collectors_n_sent(const struct collectors *c)
{
    return c->n_sent;
}

uint64_t
collectors_n_errors(const struct collectors *c)
{
    return c->n_errors;
}

void
collectors_get_stats(const struct collectors *c, struct export_stats *stats)
{
    stats->datagrams = c ? collectors_n_sent(c) : 0;
    stats->errors = c ? collectors_n_errors(c) : 0;
}
