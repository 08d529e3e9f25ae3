/* ofp-conn: OpenFlow streams (see ofp-conn.h).
 *
 * One struct serves unix, tcp and ssl: the socket is non-blocking from the
 * start, and every read and write goes through io_read()/io_write(), which
 * use OpenSSL when the stream has a session. The receive buffer collects
 * bytes until a whole message (header length) is there; the send buffer
 * keeps an offset of what went out, compacted when it grows stale. */
#include "ofp-conn.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "log.h"
#include "ofp-wire.h"
#include "sockauth.h"

struct ofp_conn {
    int fd;
    char *name;                 /* Target as given, for messages. */
    bool connecting;            /* Non-blocking connect in progress. */
    SSL_CTX *ssl_ctx;           /* ssl: only. */
    SSL *ssl;
    bool ssl_done;              /* TLS handshake finished. */
    bool ssl_want_write;        /* Last TLS call wanted to write. */
    char tls_error[256];        /* Why TLS failed, or "". */
    struct buf tx;              /* Bytes to send; sent up to tx_ofs. */
    size_t tx_ofs;
    struct buf rx;              /* Received bytes; from 'rx_ofs' on, not yet
                                 * handed out. */
    size_t rx_ofs;
};

struct ofp_listener {
    int fd;
    char *path;                 /* punix: file to remove on close. */
    SSL_CTX *ssl_ctx;           /* pssl: only. */
    struct log_ratelimit rl;    /* For refused peers. */
};

/* ---- Targets ------------------------------------------------------------- */

enum conn_kind { CONN_UNIX, CONN_TCP, CONN_SSL };

/* Splits "tcp:HOST[:PORT]" / "ptcp:PORT[:IP]" style targets. 'host' and
 * 'port' are malloc'd. */
static int
split_target(const char *target, bool passive, enum conn_kind *kind, char **host, char **port,
             struct buf *error)
{
    const char *rest;
    const char *colon;

    *host = *port = NULL;
    if ((rest = str_starts_with(target, passive ? "punix:" : "unix:") ? strchr(target, ':') + 1
         : NULL)) {
        *kind = CONN_UNIX;
        *host = xstrdup(rest);
        return 0;
    } else if (str_starts_with(target, passive ? "ptcp:" : "tcp:")) {
        *kind = CONN_TCP;
    } else if (str_starts_with(target, passive ? "pssl:" : "ssl:")) {
        *kind = CONN_SSL;
    } else {
        buf_printf(error, "%s: unknown connection type (expected %s)", target,
                   passive ? "punix:PATH, ptcp:PORT[:IP] or pssl:PORT[:IP]"
                   : "unix:PATH, tcp:HOST[:PORT] or ssl:HOST[:PORT]");
        return EINVAL;
    }
    rest = strchr(target, ':') + 1;
    if (passive) {
        colon = strchr(rest, ':');
        *port = colon ? xstrndup(rest, colon - rest) : xstrdup(rest);
        *host = colon ? xstrdup(colon + 1) : NULL;
        if (!**port) {
            free(*port);
            *port = xasprintf("%d", OFP_TCP_PORT);
        }
    } else {
        colon = strrchr(rest, ':');
        if (rest[0] == '[') {           /* [IPv6]:PORT */
            const char *close = strchr(rest, ']');

            colon = close && close[1] == ':' ? close + 1 : NULL;
            *host = xstrndup(rest + 1, close ? (size_t) (close - rest - 1) : strlen(rest + 1));
        } else {
            *host = colon ? xstrndup(rest, colon - rest) : xstrdup(rest);
        }
        *port = colon ? xstrdup(colon + 1) : xasprintf("%d", OFP_TCP_PORT);
    }
    return 0;
}

/* ---- TLS ----------------------------------------------------------------- */

static void
ssl_error_text(struct buf *error, const char *what)
{
    unsigned long e = ERR_get_error();
    char text[256];

    ERR_error_string_n(e, text, sizeof text);
    buf_printf(error, "%s: %s", what, e ? text : "unknown TLS error");
}

static int
ssl_ctx_create(const struct ofp_ssl_config *ssl, bool server, SSL_CTX **ctxp,
               struct buf *error)
{
    SSL_CTX *ctx;

    *ctxp = NULL;
    if (!ssl || !ssl->private_key || !ssl->certificate || !ssl->ca_cert) {
        buf_printf(error, "ssl needs a private key, a certificate and a CA certificate "
                   "(--private-key, --certificate, --ca-cert)");
        return EINVAL;
    }
    ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    if (!ctx) {
        ssl_error_text(error, "SSL_CTX_new");
        return ENOMEM;
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, ssl->certificate) != 1) {
        ssl_error_text(error, ssl->certificate);
    } else if (SSL_CTX_use_PrivateKey_file(ctx, ssl->private_key, SSL_FILETYPE_PEM) != 1) {
        ssl_error_text(error, ssl->private_key);
    } else if (SSL_CTX_load_verify_locations(ctx, ssl->ca_cert, NULL) != 1) {
        ssl_error_text(error, ssl->ca_cert);
    } else if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
        ssl_error_text(error, "TLS 1.2");
    } else {
        /* Mutual authentication: either side must show a certificate that
         * our CA signed and that is valid now; TLS 1.0 and 1.1 are
         * refused. */
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
        *ctxp = ctx;
        return 0;
    }
    SSL_CTX_free(ctx);
    return EINVAL;
}

static int
ssl_attach(struct ofp_conn *c, SSL_CTX *ctx, bool server)
{
    c->ssl = SSL_new(ctx);
    if (!c->ssl || !SSL_set_fd(c->ssl, c->fd)) {
        return ENOMEM;
    }
    if (server) {
        SSL_set_accept_state(c->ssl);
    } else {
        SSL_set_connect_state(c->ssl);
    }
    return 0;
}

/* Maps an SSL call's result to 0/EAGAIN/errno. */
static int
ssl_status(struct ofp_conn *c, int ret)
{
    int e = SSL_get_error(c->ssl, ret);

    c->ssl_want_write = e == SSL_ERROR_WANT_WRITE;
    switch (e) {
    case SSL_ERROR_NONE: return 0;
    case SSL_ERROR_WANT_READ: case SSL_ERROR_WANT_WRITE: return EAGAIN;
    case SSL_ERROR_ZERO_RETURN: return EOF;
    case SSL_ERROR_SYSCALL: return errno ? errno : EPIPE;
    default:
        ERR_error_string_n(ERR_get_error(), c->tls_error, sizeof c->tls_error);
        ERR_clear_error();
        return EPROTO;
    }
}

static int
ssl_handshake(struct ofp_conn *c)
{
    int ret;

    if (!c->ssl || c->ssl_done) {
        return 0;
    }
    ret = SSL_do_handshake(c->ssl);
    if (ret == 1) {
        c->ssl_done = true;
        return 0;
    }
    return ssl_status(c, ret);
}

/* ---- Connections ---------------------------------------------------------- */

static struct ofp_conn *
conn_create(int fd, const char *name)
{
    struct ofp_conn *c = xzalloc(sizeof *c);

    c->fd = fd;
    c->name = xstrdup(name);
    buf_init(&c->tx);
    buf_init(&c->rx);
    return c;
}

static int
open_unix(const char *path, int *fdp, bool *connecting, struct buf *error)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof sun.sun_path) {
        buf_printf(error, "unix:%s: path too long", path);
        return ENAMETOOLONG;
    }
    strcpy(sun.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        buf_printf(error, "socket: %s", strerror(errno));
        return errno;
    }
    if (connect(fd, (struct sockaddr *) &sun, sizeof sun) < 0 && errno != EINPROGRESS
        && errno != EAGAIN) {
        int e = errno;

        buf_printf(error, "unix:%s: %s", path, strerror(e));
        close(fd);
        return e;
    }
    *connecting = false;
    *fdp = fd;
    return 0;
}

static int
open_tcp(const char *host, const char *port, int *fdp, bool *connecting, struct buf *error)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
    int fd, e = getaddrinfo(host, port, &hints, &ai);

    if (e) {
        buf_printf(error, "%s:%s: %s", host, port, gai_strerror(e));
        return ENOENT;
    }
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        e = errno;
    } else if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
        e = errno;
        close(fd);
    } else {
        *connecting = true;
        *fdp = fd;
    }
    freeaddrinfo(ai);
    if (e) {
        buf_printf(error, "%s:%s: %s", host, port, strerror(e));
    }
    return e;
}

int
ofp_conn_open(const char *target, const struct ofp_ssl_config *ssl, struct ofp_conn **connp,
              struct buf *error)
{
    SSL_CTX *ctx = NULL;
    enum conn_kind kind;
    char *host, *port;
    bool connecting = false;
    int fd = -1, e;

    *connp = NULL;
    e = split_target(target, false, &kind, &host, &port, error);
    if (!e && kind == CONN_SSL) {
        e = ssl_ctx_create(ssl, false, &ctx, error);
    }
    if (!e) {
        e = kind == CONN_UNIX ? open_unix(host, &fd, &connecting, error)
            : open_tcp(host, port, &fd, &connecting, error);
    }
    if (!e) {
        struct ofp_conn *c = conn_create(fd, target);

        c->connecting = connecting;
        c->ssl_ctx = ctx;
        ctx = NULL;
        if (c->ssl_ctx && ssl_attach(c, c->ssl_ctx, false)) {
            buf_printf(error, "%s: cannot start TLS", target);
            ofp_conn_close(c);
            e = ENOMEM;
        } else {
            *connp = c;
        }
    }
    SSL_CTX_free(ctx);
    free(host);
    free(port);
    return e;
}

void
ofp_conn_close(struct ofp_conn *c)
{
    if (!c) {
        return;
    }
    if (c->ssl) {
        SSL_free(c->ssl);
    }
    SSL_CTX_free(c->ssl_ctx);
    if (c->fd >= 0) {
        close(c->fd);
    }
    buf_uninit(&c->tx);
    buf_uninit(&c->rx);
    free(c->name);
    free(c);
}

int
ofp_conn_fd(const struct ofp_conn *c)
{
    return c->fd;
}

const char *
ofp_conn_name(const struct ofp_conn *c)
{
    return c->name;
}

void
ofp_conn_send(struct ofp_conn *c, const void *data, size_t size)
{
    /* Drop what went out before growing, so a long batch stays small. */
    if (c->tx_ofs && c->tx_ofs >= c->tx.size / 2) {
        memmove(c->tx.data, c->tx.data + c->tx_ofs, c->tx.size - c->tx_ofs);
        c->tx.size -= c->tx_ofs;
        c->tx_ofs = 0;
    }
    buf_put(&c->tx, data, size);
}

void
ofp_conn_send_buf(struct ofp_conn *c, struct buf *b)
{
    if (!ofp_conn_tx_pending(c)) {
        buf_uninit(&c->tx);
        c->tx = *b;
        c->tx_ofs = 0;
        buf_init(b);
    } else {
        ofp_conn_send(c, b->data, b->size);
        buf_clear(b);
    }
}

int
ofp_conn_send_msg(struct ofp_conn *c, const struct ofp_msg *m, struct buf *error)
{
    struct buf b = BUF_INITIALIZER;
    int e = ofp_encode(m, &b, error);

    if (!e) {
        ofp_conn_send(c, b.data, b.size);
    }
    buf_uninit(&b);
    return e;
}

size_t
ofp_conn_tx_pending(const struct ofp_conn *c)
{
    return c->tx.size - c->tx_ofs;
}

/* Finishes a non-blocking connect and the TLS handshake. */
static int
finish_connect(struct ofp_conn *c)
{
    if (c->connecting) {
        struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
        int err = 0;
        socklen_t len = sizeof err;

        if (poll(&pfd, 1, 0) <= 0) {
            return EAGAIN;
        } else if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) {
            return errno;
        } else if (err) {
            return err;
        }
        c->connecting = false;
    }
    return ssl_handshake(c);
}

static ssize_t
io_write(struct ofp_conn *c, const void *p, size_t n, int *e)
{
    ssize_t ret;

    if (c->ssl) {
        int r = SSL_write(c->ssl, p, n > INT32_MAX ? INT32_MAX : (int) n);

        *e = r > 0 ? 0 : ssl_status(c, r);
        return r > 0 ? r : -1;
    }
    ret = send(c->fd, p, n, MSG_NOSIGNAL);
    *e = ret < 0 ? (errno == EWOULDBLOCK ? EAGAIN : errno) : 0;
    return ret;
}

static ssize_t
io_read(struct ofp_conn *c, void *p, size_t n, int *e)
{
    ssize_t ret;

    if (c->ssl) {
        int r = SSL_read(c->ssl, p, (int) n);

        *e = r > 0 ? 0 : ssl_status(c, r);
        return r > 0 ? r : -1;
    }
    ret = recv(c->fd, p, n, 0);
    *e = ret < 0 ? (errno == EWOULDBLOCK ? EAGAIN : errno) : ret == 0 ? EOF : 0;
    return ret > 0 ? ret : -1;
}

int
ofp_conn_flush(struct ofp_conn *c)
{
    int e = finish_connect(c);

    while (!e && ofp_conn_tx_pending(c)) {
        ssize_t n = io_write(c, c->tx.data + c->tx_ofs, ofp_conn_tx_pending(c), &e);

        if (n > 0) {
            c->tx_ofs += n;
        }
    }
    if (!e) {
        buf_clear(&c->tx);
        c->tx_ofs = 0;
    }
    return e;
}

short
ofp_conn_poll_events(const struct ofp_conn *c)
{
    return POLLIN | (c->connecting || ofp_conn_tx_pending(c) || c->ssl_want_write
                     || (c->ssl && !c->ssl_done) ? POLLOUT : 0);
}

#define OFP_RX_CHUNK 65536          /* Bytes asked of each read. */

/* Moves one whole message from the receive buffer to 'msg', if there. */
static int
take_message(struct ofp_conn *c, struct buf *msg)
{
    size_t left = c->rx.size - c->rx_ofs, len;
    const uint8_t *p;

    if (left < OFP_HEADER_SIZE) {
        return EAGAIN;
    }
    p = (const uint8_t *) c->rx.data + c->rx_ofs;
    len = rd16(p + 2);
    if (len < OFP_HEADER_SIZE || !p[0]) {
        return EPROTO;
    } else if (left < len) {
        return EAGAIN;
    }
    buf_clear(msg);
    buf_put(msg, p, len);
    /* Moving the rest to the front after every message cost a copy of up
     * to a whole read per message (a stream of small flow mods); the
     * offset moves instead, and the buffer is compacted before reading. */
    c->rx_ofs += len;
    if (c->rx_ofs == c->rx.size) {
        c->rx.size = c->rx_ofs = 0;
    }
    return 0;
}

bool
ofp_conn_rx_buffered(const struct ofp_conn *c)
{
    size_t left = c->rx.size - c->rx_ofs;

    return ((left >= OFP_HEADER_SIZE
             && left >= rd16((const uint8_t *) c->rx.data + c->rx_ofs + 2))
            || (c->ssl && SSL_pending(c->ssl) > 0));
}

int
ofp_conn_recv(struct ofp_conn *c, struct buf *msg)
{
    int e = take_message(c, msg);

    if (e != EAGAIN) {
        return e;
    }
    e = finish_connect(c);
    if (e) {
        return e;
    }
    for (;;) {
        ssize_t n;

        /* Read straight into the buffer, a whole largest message at a
         * time (a flow dump comes in 64 kB messages). */
        if (c->rx_ofs) {
            memmove(c->rx.data, c->rx.data + c->rx_ofs, c->rx.size - c->rx_ofs);
            c->rx.size -= c->rx_ofs;
            c->rx_ofs = 0;
        }
        buf_reserve(&c->rx, OFP_RX_CHUNK);
        n = io_read(c, c->rx.data + c->rx.size, OFP_RX_CHUNK, &e);
        if (n < 0) {
            return e;
        }
        c->rx.size += n;
        e = take_message(c, msg);
        if (e != EAGAIN) {
            return e;
        }
    }
}

/* ---- Listeners ------------------------------------------------------------ */

static int
listen_unix(const char *path, int *fdp, struct buf *error)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd, e;

    if (strlen(path) >= sizeof sun.sun_path) {
        buf_printf(error, "punix:%s: path too long", path);
        return ENAMETOOLONG;
    }
    strcpy(sun.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        buf_printf(error, "socket: %s", strerror(errno));
        return errno;
    }
    unlink(path);               /* A stale socket of an earlier run. */
    e = sockauth_bind(fd, &sun, sizeof sun, error);
    if (!e && listen(fd, 64) < 0) {
        e = errno;
        buf_printf(error, "punix:%s: %s", path, strerror(e));
    }
    if (e) {
        close(fd);
        return e;
    }
    *fdp = fd;
    return 0;
}

static int
listen_tcp(const char *ip, const char *port, int *fdp, struct buf *error)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *ai;
    int fd, one = 1, e = getaddrinfo(ip, port, &hints, &ai);

    if (e) {
        buf_printf(error, "%s:%s: %s", ip ? ip : "*", port, gai_strerror(e));
        return ENOENT;
    }
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0
        || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 64) < 0) {
        e = errno;
        buf_printf(error, "listen on %s:%s: %s", ip ? ip : "*", port, strerror(e));
        if (fd >= 0) {
            close(fd);
        }
    } else {
        *fdp = fd;
    }
    freeaddrinfo(ai);
    return e;
}

int
ofp_listener_open(const char *target, const struct ofp_ssl_config *ssl,
                  struct ofp_listener **lp, struct buf *error)
{
    enum conn_kind kind;
    char *host, *port;
    SSL_CTX *ctx = NULL;
    int fd = -1, e;

    *lp = NULL;
    e = split_target(target, true, &kind, &host, &port, error);
    if (!e && kind == CONN_SSL) {
        e = ssl_ctx_create(ssl, true, &ctx, error);
    }
    if (!e) {
        e = kind == CONN_UNIX ? listen_unix(host, &fd, error) : listen_tcp(host, port, &fd, error);
    }
    if (!e) {
        struct log_ratelimit rl = LOG_RATELIMIT_INIT(10, 10);
        struct ofp_listener *l = xzalloc(sizeof *l);

        l->fd = fd;
        l->rl = rl;
        l->path = kind == CONN_UNIX ? xstrdup(host) : NULL;
        l->ssl_ctx = ctx;
        ctx = NULL;
        *lp = l;
    }
    SSL_CTX_free(ctx);
    free(host);
    free(port);
    return e;
}

void
ofp_listener_close(struct ofp_listener *l)
{
    if (!l) {
        return;
    }
    close(l->fd);
    if (l->path) {
        unlink(l->path);
        free(l->path);
    }
    SSL_CTX_free(l->ssl_ctx);
    free(l);
}

int
ofp_listener_fd(const struct ofp_listener *l)
{
    return l->fd;
}

/* A unix socket's peer must be root or our own user (sockauth.h). */
static bool
unix_peer_allowed(struct ofp_listener *l, int fd)
{
    struct buf who = BUF_INITIALIZER;
    bool allowed = sockauth_peer_allowed(fd, &who);

    if (!allowed && log_ratelimit_allow(&l->rl)) {
        LOG_WARN("%s: refused an OpenFlow client of another user (%s)",
                 l->path ? l->path : "unix socket", buf_cstr(&who));
    }
    buf_uninit(&who);
    return allowed;
}

int
ofp_listener_accept(struct ofp_listener *l, struct ofp_conn **connp)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char name[NI_MAXHOST + NI_MAXSERV + 16] = "unix:";
    int fd = accept4(l->fd, (struct sockaddr *) &ss, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);

    *connp = NULL;
    if (fd < 0) {
        return errno == EWOULDBLOCK ? EAGAIN : errno;
    }
    if (ss.ss_family != AF_UNIX) {
        char host[NI_MAXHOST], serv[NI_MAXSERV];

        if (!getnameinfo((struct sockaddr *) &ss, len, host, sizeof host, serv, sizeof serv,
                         NI_NUMERICHOST | NI_NUMERICSERV)) {
            snprintf(name, sizeof name, "%s:%s:%s", l->ssl_ctx ? "ssl" : "tcp", host, serv);
        }
    } else if (!unix_peer_allowed(l, fd)) {
        close(fd);
        return EACCES;
    } else if (l->path) {
        snprintf(name, sizeof name, "unix:%s", l->path);
    }
    *connp = conn_create(fd, name);
    if (l->ssl_ctx && ssl_attach(*connp, l->ssl_ctx, true)) {
        ofp_conn_close(*connp);
        *connp = NULL;
        return ENOMEM;
    }
    return 0;
}

/* ---- Blocking helpers ------------------------------------------------------ */

static int
wait_for(struct ofp_conn *c, short events, long long deadline)
{
    struct pollfd pfd = { .fd = c->fd, .events = events };
    long long left = deadline < 0 ? -1 : deadline - time_msec();
    int n;

    if (deadline >= 0 && left <= 0) {
        return ETIMEDOUT;
    }
    n = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int) left);
    return n < 0 ? (errno == EINTR ? 0 : errno) : n == 0 ? ETIMEDOUT : 0;
}

static long long
deadline_of(int timeout_ms)
{
    return timeout_ms < 0 ? -1 : time_msec() + timeout_ms;
}

int
ofp_conn_flush_block(struct ofp_conn *c, int timeout_ms)
{
    long long deadline = deadline_of(timeout_ms);
    int e;

    while ((e = ofp_conn_flush(c)) == EAGAIN) {
        e = wait_for(c, ofp_conn_poll_events(c), deadline);
        if (e) {
            return e;
        }
    }
    return e;
}

int
ofp_conn_recv_block(struct ofp_conn *c, struct buf *msg, int timeout_ms)
{
    long long deadline = deadline_of(timeout_ms);
    int e;

    for (;;) {
        e = ofp_conn_flush(c);
        if (e && e != EAGAIN) {
            return e;
        }
        e = ofp_conn_recv(c, msg);
        if (e != EAGAIN) {
            return e;
        }
        e = wait_for(c, ofp_conn_poll_events(c), deadline);
        if (e) {
            return e;
        }
    }
}

int
ofp_conn_connect_block(const char *target, const struct ofp_ssl_config *ssl, uint32_t versions,
                       int timeout_ms, struct ofp_conn **connp, uint8_t *version,
                       struct buf *error)
{
    struct buf raw = BUF_INITIALIZER;
    struct ofp_conn *c;
    struct ofp_msg hello;
    int e = ofp_conn_open(target, ssl, &c, error);

    if (e) {
        return e;
    }
    ofp_msg_init(&hello, OFPTYPE_HELLO, ofp_bitmap_max_version(versions), 0);
    hello.hello.version_bitmap = versions;
    ofp_conn_send_msg(c, &hello, NULL);
    e = ofp_conn_recv_block(c, &raw, timeout_ms);
    if (e) {
        if (c->tls_error[0]) {
            buf_printf(error, "%s: TLS failed: %s", target, c->tls_error);
        } else if (c->ssl && (!c->ssl_done || e == EOF || e == EPIPE || e == ECONNRESET)) {
            /* With TLS 1.3 the peer checks our certificate after our side
             * is done: its refusal shows up as a hang-up. */
            buf_printf(error, "%s: the peer closed the TLS connection (%s): is our "
                       "certificate signed by a CA it trusts?", target,
                       e == EOF ? "end of stream" : strerror(e));
        } else {
            buf_printf(error, "%s: %s", target, e == EOF ? "connection closed by peer"
                       : e == EPROTO ? "not an OpenFlow peer" : strerror(e));
        }
    } else if (ofp_decode(raw.data, raw.size, &hello) || hello.type != OFPTYPE_HELLO) {
        buf_printf(error, "%s: expected HELLO from the switch", target);
        e = EPROTO;
    } else if (ofp_negotiate_version(versions, hello.version, hello.hello.version_bitmap,
                                     version)) {
        buf_printf(error, "%s: no common OpenFlow version (switch offers %s%s)", target,
                   ofp_version_name(hello.version), hello.hello.version_bitmap ? " or lower" : "");
        e = EPROTO;
    }
    buf_uninit(&raw);
    if (e) {
        ofp_conn_close(c);
        c = NULL;
    }
    *connp = c;
    return e;
}
