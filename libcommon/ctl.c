/* ctl: the control protocol of flowd.ctl and portd.ctl (see ctl.h for the
 * wire format). Three parts live here:
 *
 *   - the codec: percent-encoding of request words and the reply lines;
 *   - the server: a listening unix socket plus up to CTL_MAX_CONNS
 *     connections, all non-blocking, driven by the daemon's poll() loop;
 *   - the client: one blocking request/reply exchange with a deadline.
 *
 * Details the header leaves open and this file fixes:
 *
 *   - Words are split at every single space, so two spaces in a row carry
 *     an empty word between them. "%XX" must be two hex digits; "%00" is
 *     refused (arguments are C strings). A trailing '\r' is dropped, so
 *     that people can talk to a daemon with socat or nc.
 *   - The MESSAGE of an error status line is percent-encoded like a word,
 *     except that spaces stay as they are: a message of several lines
 *     still fits on one status line, and ctl_client_call() decodes it.
 *   - "help" is built in unless the command table has its own.
 *   - A line at end of input without its "\n" is still a request, for
 *     "printf 'help' | nc -U".
 *
 * A client that sends but never reads cannot stall the daemon: the server
 * stops reading from it while much output is queued, and drops it when the
 * queue grows past CTL_MAX_QUEUED anyway. */
#include "ctl.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "sockauth.h"

#define CTL_MAX_CONNS 64
/* Past this much unsent output a connection is dropped. */
#define CTL_MAX_QUEUED (16 * 1024 * 1024)
/* Past this much unsent output we stop reading new requests. */
#define CTL_BACKPRESSURE (1024 * 1024)
/* Bytes read from one connection per ctl_server_run(), so that one busy
 * client cannot starve the others. */
#define CTL_READ_BUDGET (256 * 1024)

/* ---- replies ------------------------------------------------------------ */

void
ctl_reply_init(struct ctl_reply *reply)
{
    buf_init(&reply->output);
    reply->status = CTL_OK;
    buf_init(&reply->error);
}

void
ctl_reply_uninit(struct ctl_reply *reply)
{
    if (reply) {
        buf_uninit(&reply->output);
        buf_uninit(&reply->error);
    }
}

void
ctl_reply_printf(struct ctl_reply *reply, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    buf_vprintf(&reply->output, fmt, args);
    va_end(args);
}

/* A second error adds a line to the message, so that a handler can report
 * every problem it found; the last status wins. */
void
ctl_reply_error(struct ctl_reply *reply, enum ctl_status status, const char *fmt, ...)
{
    va_list args;

    reply->status = status;
    if (reply->error.size) {
        buf_put_char(&reply->error, '\n');
    }
    va_start(args, fmt);
    buf_vprintf(&reply->error, fmt, args);
    va_end(args);
}

/* ---- codec -------------------------------------------------------------- */

static bool
ctl_byte_needs_escape(unsigned char c, bool keep_spaces)
{
    if (c == ' ') {
        return !keep_spaces;
    }
    return c == '%' || c < 0x20 || c == 0x7f;
}

static void
ctl_put_escaped(struct buf *out, const char *s, bool keep_spaces)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
        if (ctl_byte_needs_escape(*p, keep_spaces)) {
            char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };

            buf_put(out, esc, 3);
        } else {
            buf_put_char(out, *p);
        }
    }
}

static int
ctl_hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    } else if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Decodes 's' in place. Returns 0, or EINVAL with a message in 'error'. */
static int
ctl_unescape(char *s, struct buf *error)
{
    char *out = s;

    for (const char *p = s; *p; p++) {
        if (*p != '%') {
            *out++ = *p;
            continue;
        }

        int hi = ctl_hex_value(p[1]);
        int lo = hi < 0 ? -1 : ctl_hex_value(p[2]);

        if (hi < 0 || lo < 0) {
            buf_printf(error, "bad percent-encoding \"%.3s\" (expected %%XX with two "
                       "hex digits)", p);
            return EINVAL;
        }
        if (!hi && !lo) {
            buf_put_cstr(error, "bad percent-encoding \"%00\" (arguments cannot "
                         "contain NUL bytes)");
            return EINVAL;
        }
        *out++ = hi * 16 + lo;
        p += 2;
    }
    *out = '\0';
    return 0;
}

void
ctl_encode_request(struct buf *out, int argc, char *const argv[])
{
    for (int i = 0; i < argc; i++) {
        if (i) {
            buf_put_char(out, ' ');
        }
        ctl_put_escaped(out, argv[i], false);
    }
    buf_put_char(out, '\n');
}

/* argv gets a NULL after the last word, so at most CTL_MAX_ARGS - 1 words
 * fit. */
int
ctl_parse_request(char *line, int *argc, char *argv[CTL_MAX_ARGS], struct buf *error)
{
    int n = 0;

    *argc = 0;
    if (!*line) {
        buf_put_cstr(error, "empty request (try \"help\")");
        return EINVAL;
    }
    for (char *word = line; word; n++) {
        char *space = strchr(word, ' ');

        if (n >= CTL_MAX_ARGS - 1) {
            buf_printf(error, "too many words in request (at most %d)",
                       CTL_MAX_ARGS - 1);
            return EINVAL;
        }
        if (space) {
            *space = '\0';
        }
        argv[n] = word;
        word = space ? space + 1 : NULL;
    }
    for (int i = 0; i < n; i++) {
        int retval = ctl_unescape(argv[i], error);

        if (retval) {
            return retval;
        }
    }
    argv[n] = NULL;
    *argc = n;
    return 0;
}

static void
ctl_encode_output_lines(struct buf *out, const struct buf *output)
{
    const char *p = buf_cstr(output);
    const char *end = p + output->size;

    while (p < end) {
        const char *nl = memchr(p, '\n', end - p);
        size_t length = nl ? (size_t) (nl - p) : (size_t) (end - p);

        buf_put_char(out, '+');
        buf_put(out, p, length);
        buf_put_char(out, '\n');
        p += length + (nl != NULL);
    }
}

void
ctl_encode_reply(struct buf *out, const struct ctl_reply *reply)
{
    ctl_encode_output_lines(out, &reply->output);
    if (reply->status == CTL_OK) {
        buf_put_cstr(out, "ok\n");
    } else {
        struct buf message = BUF_INITIALIZER;

        buf_put_cstr(&message, buf_cstr(&reply->error));
        buf_chomp(&message);
        buf_printf(out, "error %d ", (int) reply->status);
        ctl_put_escaped(out, message.size ? message.data : "operation failed", true);
        buf_put_char(out, '\n');
        buf_uninit(&message);
    }
}

/* ---- socket helpers ----------------------------------------------------- */

static int
ctl_make_sockaddr(const char *path, struct sockaddr_un *sun)
{
    memset(sun, 0, sizeof *sun);
    sun->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sun->sun_path) {
        return ENAMETOOLONG;
    }
    strcpy(sun->sun_path, path);
    return 0;
}

/* Connects a non-blocking socket to 'path', retrying while the listener's
 * backlog is full, until 'deadline' (time_msec()). Returns the fd or a
 * negative errno. */
static int
ctl_connect(const char *path, long long deadline)
{
    struct sockaddr_un sun;
    int retval = ctl_make_sockaddr(path, &sun);
    int fd;

    if (retval) {
        return -retval;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return -errno;
    }
    while (connect(fd, (struct sockaddr *) &sun, sizeof sun) < 0) {
        int error = errno;

        if (error == EINTR) {
            continue;
        }
        if (error != EAGAIN || time_msec() >= deadline) {
            close(fd);
            return error == EAGAIN ? -ETIMEDOUT : -error;
        }
        poll(NULL, 0, 10);
    }
    return fd;
}

/* ---- server ------------------------------------------------------------- */

struct ctl_conn {
    int fd;                     /* Connected socket, non-blocking. */
    struct buf input;           /* Received bytes not yet forming a full line. */
    struct buf output;          /* Encoded replies not yet sent... */
    size_t output_sent;         /* ...of which this many bytes went out. */
    bool closing;               /* Close once 'output' is flushed. */
    bool eof;                   /* The peer sends no more. */
};

struct ctl_server {
    int listen_fd;              /* Listening socket, non-blocking. */
    char *path;                 /* Socket file, unlinked on destroy. */
    dev_t dev;                  /* Identity of the socket file we bound, so */
    ino_t ino;                  /* that we never unlink someone else's. */
    const struct ctl_command *commands;
    size_t n_commands;
    void *aux;                  /* Passed to every handler. */
    struct ctl_conn *conns[CTL_MAX_CONNS];
    int n_conns;                /* Connections in use in 'conns'. */
};

/* Makes 'path' free for bind(): refuses if a daemon answers there, removes
 * a socket file nobody listens on (left by a crash). */
static int
ctl_clear_stale_socket(const char *path, struct buf *error)
{
    struct stat st;
    int fd;

    if (lstat(path, &st) < 0) {
        int retval = errno;

        if (retval == ENOENT) {
            return 0;
        }
        buf_printf(error, "%s: %s", path, strerror(retval));
        return retval;
    }
    if (!S_ISSOCK(st.st_mode)) {
        buf_printf(error, "%s exists and is not a socket (remove it if it is not needed)",
                   path);
        return EEXIST;
    }
    fd = ctl_connect(path, time_msec() + 1000);
    if (fd >= 0 || fd == -ETIMEDOUT) {
        if (fd >= 0) {
            close(fd);
        }
        buf_printf(error, "another daemon is running on %s", path);
        return EADDRINUSE;
    }
    if (unlink(path) < 0 && errno != ENOENT) {
        buf_printf(error, "cannot remove stale socket %s: %s", path, strerror(errno));
        return errno;
    }
    return 0;
}

static int
ctl_listen(struct ctl_server *server, struct buf *error)
{
    struct buf bind_error = BUF_INITIALIZER;
    struct sockaddr_un sun;
    struct stat st;
    int retval;

    retval = ctl_make_sockaddr(server->path, &sun);
    if (retval) {
        buf_printf(error, "%s: socket path too long", server->path);
        return retval;
    }
    server->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (server->listen_fd < 0) {
        buf_printf(error, "socket: %s", strerror(errno));
        return errno;
    }
    retval = sockauth_bind(server->listen_fd, &sun, sizeof sun, &bind_error);
    if (retval) {
        if (retval == EADDRINUSE) {
            buf_printf(error, "another daemon is running on %s", server->path);
        } else {
            buf_put_cstr(error, buf_cstr(&bind_error));
        }
        buf_uninit(&bind_error);
        return retval;
    }
    buf_uninit(&bind_error);
    if (stat(server->path, &st) == 0) {
        server->dev = st.st_dev;
        server->ino = st.st_ino;
    }
    if (listen(server->listen_fd, 64) < 0) {
        retval = errno;
        buf_printf(error, "listen %s: %s", server->path, strerror(retval));
        unlink(server->path);
        return retval;
    }
    return 0;
}

int
ctl_server_create(const char *path, const struct ctl_command *commands, size_t n_commands,
                  void *aux, struct ctl_server **serverp, struct buf *error)
{
    struct ctl_server *server;
    int retval;

    *serverp = NULL;
    retval = ctl_clear_stale_socket(path, error);
    if (retval) {
        return retval;
    }
    server = xzalloc(sizeof *server);
    server->listen_fd = -1;
    server->path = xstrdup(path);
    server->commands = commands;
    server->n_commands = n_commands;
    server->aux = aux;
    retval = ctl_listen(server, error);
    if (retval) {
        if (server->listen_fd >= 0) {
            close(server->listen_fd);
        }
        free(server->path);
        free(server);
        return retval;
    }
    *serverp = server;
    return 0;
}

static void
ctl_conn_destroy(struct ctl_conn *conn)
{
    if (conn) {
        close(conn->fd);
        buf_uninit(&conn->input);
        buf_uninit(&conn->output);
        free(conn);
    }
}

void
ctl_server_destroy(struct ctl_server *server)
{
    struct stat st;

    if (!server) {
        return;
    }
    for (int i = 0; i < server->n_conns; i++) {
        ctl_conn_destroy(server->conns[i]);
    }
    close(server->listen_fd);
    if (stat(server->path, &st) == 0 && st.st_dev == server->dev
        && st.st_ino == server->ino) {
        unlink(server->path);
    }
    free(server->path);
    free(server);
}

static size_t
ctl_conn_queued(const struct ctl_conn *conn)
{
    return conn->output.size - conn->output_sent;
}

int
ctl_server_fill_pollfds(const struct ctl_server *server, struct pollfd *pfds, int max)
{
    int n = 0;

    if (n < max) {
        pfds[n++] = (struct pollfd) { .fd = server->listen_fd, .events = POLLIN };
    }
    for (int i = 0; i < server->n_conns && n < max; i++) {
        const struct ctl_conn *conn = server->conns[i];
        short events = 0;

        if (!conn->closing && !conn->eof && ctl_conn_queued(conn) < CTL_BACKPRESSURE) {
            events |= POLLIN;
        }
        if (ctl_conn_queued(conn)) {
            events |= POLLOUT;
        }
        pfds[n++] = (struct pollfd) { .fd = conn->fd, .events = events };
    }
    return n;
}

/* Refuses (with an error line, then closes) a peer of another user. */
static bool
ctl_peer_allowed(const struct ctl_server *server, int fd)
{
    struct buf who = BUF_INITIALIZER;
    bool allowed = sockauth_peer_allowed(fd, &who);

    if (!allowed) {
        static const char msg[] = "error 1 permission denied: only root and the daemon's "
                                  "user (or SY_GROUP) may use this socket\n";

        LOG_WARN("%s: refused a client of another user (%s)", server->path, buf_cstr(&who));
        send(fd, msg, sizeof msg - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
        close(fd);
    }
    buf_uninit(&who);
    return allowed;
}

static void
ctl_accept(struct ctl_server *server)
{
    for (;;) {
        int fd = accept4(server->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

        if (fd < 0) {
            if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
                LOG_WARN("%s: accept: %s", server->path, strerror(errno));
            }
            if (errno != EINTR && errno != ECONNABORTED) {
                return;
            }
            continue;
        }
        if (!ctl_peer_allowed(server, fd)) {
            continue;
        }
        if (server->n_conns >= CTL_MAX_CONNS) {
            static const char msg[] = "error 1 too many control connections, "
                                      "try again later\n";

            send(fd, msg, sizeof msg - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
            close(fd);
            continue;
        }

        struct ctl_conn *conn = xzalloc(sizeof *conn);

        conn->fd = fd;
        server->conns[server->n_conns++] = conn;
    }
}

static void
ctl_help(const struct ctl_server *server, struct ctl_reply *reply)
{
    ctl_reply_printf(reply, "help\n");
    for (size_t i = 0; i < server->n_commands; i++) {
        const struct ctl_command *c = &server->commands[i];

        ctl_reply_printf(reply, "%s\n", c->usage ? c->usage : c->name);
    }
}

static const struct ctl_command *
ctl_find_command(const struct ctl_server *server, const char *name)
{
    for (size_t i = 0; i < server->n_commands; i++) {
        if (!strcmp(server->commands[i].name, name)) {
            return &server->commands[i];
        }
    }
    return NULL;
}

static void
ctl_dispatch(struct ctl_server *server, struct ctl_reply *reply, int argc, char *argv[])
{
    const struct ctl_command *command = ctl_find_command(server, argv[0]);
    int n_args = argc - 1;

    if (!command) {
        if (!strcmp(argv[0], "help")) {
            ctl_help(server, reply);
        } else {
            ctl_reply_error(reply, CTL_USAGE, "unknown command \"%s\", try \"help\"",
                            argv[0]);
        }
    } else if (n_args < command->min_args
               || (command->max_args >= 0 && n_args > command->max_args)) {
        ctl_reply_error(reply, CTL_USAGE, "usage: %s",
                        command->usage ? command->usage : command->name);
    } else {
        command->handler(reply, argc, argv, server->aux);
    }
}

/* Runs the request in 'line' (without its "\n") and queues the reply. */
static void
ctl_handle_line(struct ctl_server *server, struct ctl_conn *conn, char *line, size_t length)
{
    struct ctl_reply reply;
    char *argv[CTL_MAX_ARGS];
    int argc;

    ctl_reply_init(&reply);
    if (length && line[length - 1] == '\r') {
        line[--length] = '\0';
    }
    if (memchr(line, '\0', length)) {
        ctl_reply_error(&reply, CTL_USAGE, "request contains a NUL byte");
    } else if (ctl_parse_request(line, &argc, argv, &reply.error)) {
        reply.status = CTL_USAGE;
    } else {
        ctl_dispatch(server, &reply, argc, argv);
    }
    ctl_encode_reply(&conn->output, &reply);
    ctl_reply_uninit(&reply);
}

/* Queues the reply to an over-long request; the connection closes after
 * it, since the rest of that line cannot be told from a new request. */
static void
ctl_queue_too_long(struct ctl_conn *conn)
{
    struct ctl_reply reply;

    ctl_reply_init(&reply);
    ctl_reply_error(&reply, CTL_USAGE, "request too long (at most %d bytes)",
                    CTL_MAX_LINE);
    ctl_encode_reply(&conn->output, &reply);
    ctl_reply_uninit(&reply);
    conn->closing = true;
}

/* Runs the complete lines in the input buffer while the reply queue is
 * short (the rest waits, so that a client that does not read cannot make
 * us queue without bound); at end of input also the unterminated rest.
 * Enforces CTL_MAX_LINE on what stays buffered. */
static void
ctl_process_input(struct ctl_server *server, struct ctl_conn *conn)
{
    char *start = conn->input.data;
    char *end = start + conn->input.size;

    while (start < end && !conn->closing && ctl_conn_queued(conn) < CTL_BACKPRESSURE) {
        char *nl = memchr(start, '\n', end - start);
        size_t length = nl ? (size_t) (nl - start) : (size_t) (end - start);

        if (length > CTL_MAX_LINE) {
            ctl_queue_too_long(conn);
        } else if (nl) {
            *nl = '\0';
            ctl_handle_line(server, conn, start, length);
            start = nl + 1;
        } else if (conn->eof) {
            /* buf keeps a NUL after its contents, which ends this line. */
            ctl_handle_line(server, conn, start, length);
            start = end;
        } else {
            break;
        }
    }
    if (conn->closing) {
        buf_clear(&conn->input);
    } else if (start > conn->input.data) {
        size_t rest = end - start;

        memmove(conn->input.data, start, rest);
        conn->input.size = rest;
        conn->input.data[rest] = '\0';
    }
}

/* Reads what is available (within CTL_READ_BUDGET) and runs the requests.
 * Returns false if the connection broke. */
static bool
ctl_conn_read(struct ctl_server *server, struct ctl_conn *conn)
{
    size_t budget = CTL_READ_BUDGET;

    while (budget && !conn->eof && !conn->closing
           && ctl_conn_queued(conn) < CTL_BACKPRESSURE) {
        size_t chunk = MIN(budget, 16384);
        ssize_t n;

        buf_reserve(&conn->input, chunk);
        n = read(conn->fd, conn->input.data + conn->input.size, chunk);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno == EAGAIN;
        }
        conn->input.size += n;
        conn->input.data[conn->input.size] = '\0';
        conn->eof = n == 0;
        budget -= n;
        ctl_process_input(server, conn);
    }
    return true;
}

/* Sends queued output. Returns false if the connection broke. */
static bool
ctl_conn_write(struct ctl_conn *conn)
{
    while (ctl_conn_queued(conn)) {
        ssize_t n = send(conn->fd, conn->output.data + conn->output_sent,
                         ctl_conn_queued(conn), MSG_DONTWAIT | MSG_NOSIGNAL);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno == EAGAIN;
        }
        conn->output_sent += n;
    }
    buf_clear(&conn->output);
    conn->output_sent = 0;
    return true;
}

/* Returns false if 'conn' should be closed now. */
static bool
ctl_conn_run(struct ctl_server *server, struct ctl_conn *conn)
{
    /* Requests held back by a full reply queue go first, then new ones. */
    if (!ctl_conn_write(conn)) {
        return false;
    }
    ctl_process_input(server, conn);
    if (!ctl_conn_read(server, conn) || !ctl_conn_write(conn)) {
        return false;
    }
    if (ctl_conn_queued(conn) > CTL_MAX_QUEUED) {
        LOG_WARN("%s: dropping a control connection that does not read its replies "
                 "(%zu bytes queued)", server->path, ctl_conn_queued(conn));
        return false;
    }
    if (ctl_conn_queued(conn)) {
        return true;
    }
    return !conn->closing && !(conn->eof && !conn->input.size);
}

void
ctl_server_run(struct ctl_server *server)
{
    ctl_accept(server);
    for (int i = 0; i < server->n_conns; ) {
        struct ctl_conn *conn = server->conns[i];

        if (ctl_conn_run(server, conn)) {
            i++;
        } else {
            ctl_conn_destroy(conn);
            server->conns[i] = server->conns[--server->n_conns];
        }
    }
}

/* ---- client ------------------------------------------------------------- */

/* Waits until 'fd' is ready for 'events' or 'deadline' passes. */
static int
ctl_wait(int fd, short events, long long deadline)
{
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = events };
        long long left = deadline - time_msec();
        int n;

        if (left <= 0) {
            return ETIMEDOUT;
        }
        n = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int) left);
        if (n > 0) {
            return 0;
        } else if (n < 0 && errno != EINTR) {
            return errno;
        }
    }
}

static int
ctl_send_all(int fd, const struct buf *request, long long deadline)
{
    size_t sent = 0;

    while (sent < request->size) {
        ssize_t n = send(fd, request->data + sent, request->size - sent, MSG_NOSIGNAL);

        if (n >= 0) {
            sent += n;
        } else if (errno == EAGAIN) {
            int retval = ctl_wait(fd, POLLOUT, deadline);

            if (retval) {
                return retval;
            }
        } else if (errno != EINTR) {
            return errno;
        }
    }
    return 0;
}

/* Decodes the message of an error status line into 'error'; a message
 * that does not decode (from a foreign server) is shown as it came. */
static void
ctl_client_message(const char *message, struct buf *error)
{
    char *copy = xstrdup(message);
    struct buf ignored = BUF_INITIALIZER;

    buf_put_cstr(error, ctl_unescape(copy, &ignored) ? message : copy);
    buf_uninit(&ignored);
    free(copy);
}

/* Handles one reply line (without "\n"). Returns -1 while more lines are
 * due, the status once the status line came, or -EPROTO. */
static int
ctl_client_line(char *line, struct buf *output, struct buf *error)
{
    unsigned int status;
    char *message;

    if (line[0] == '+') {
        buf_put_cstr(output, line + 1);
        buf_put_char(output, '\n');
        return -1;
    } else if (!strcmp(line, "ok")) {
        return CTL_OK;
    } else if (str_starts_with(line, "error ")
               && (message = strchr(line + 6, ' ')) != NULL) {
        *message++ = '\0';
        if (!str_to_uint(line + 6, 1, 255, &status)) {
            status = CTL_FAILED;
        }
        ctl_client_message(message, error);
        return status;
    }
    buf_printf(error, "unexpected reply line \"%.80s\"", line);
    return -EPROTO;
}

/* Reads reply lines until the status line. */
static int
ctl_receive_reply(int fd, long long deadline, struct buf *output, struct buf *error)
{
    struct buf in = BUF_INITIALIZER;
    size_t start = 0;
    int status = -1;

    while (status == -1) {
        char *nl = in.size > start ? memchr(in.data + start, '\n', in.size - start) : NULL;
        ssize_t n;

        if (nl) {
            *nl = '\0';
            status = ctl_client_line(in.data + start, output, error);
            start = nl - in.data + 1;
            continue;
        }
        buf_reserve(&in, 16384);
        n = read(fd, in.data + in.size, 16384);
        if (n > 0) {
            in.size += n;
            in.data[in.size] = '\0';
        } else if (n == 0) {
            buf_put_cstr(error, "the daemon closed the connection without a reply");
            status = -ECONNRESET;
        } else if (errno == EAGAIN) {
            int retval = ctl_wait(fd, POLLIN, deadline);

            if (retval) {
                buf_printf(error, "no reply from the daemon: %s", strerror(retval));
                status = -retval;
            }
        } else if (errno != EINTR) {
            buf_printf(error, "reading reply: %s", strerror(errno));
            status = -errno;
        }
    }
    buf_uninit(&in);
    return status;
}

int
ctl_client_call(const char *path, int argc, char *const argv[], int timeout_ms,
                struct buf *output, struct buf *error)
{
    long long deadline = time_msec() + timeout_ms;
    struct buf request = BUF_INITIALIZER;
    int fd, retval;

    ctl_encode_request(&request, argc, argv);
    if (request.size - 1 > CTL_MAX_LINE) {
        buf_printf(error, "request too long (at most %d bytes)", CTL_MAX_LINE);
        buf_uninit(&request);
        return CTL_USAGE;
    }
    fd = ctl_connect(path, deadline);
    if (fd < 0) {
        buf_printf(error, "%s: %s", path, strerror(-fd));
        buf_uninit(&request);
        return fd;
    }
    retval = ctl_send_all(fd, &request, deadline);
    if (retval == EPIPE || retval == ECONNRESET) {
        /* The daemon may have refused us at once ("error 1 permission
         * denied...") and closed: its reply is still there to read. */
        struct buf refusal = BUF_INITIALIZER;

        int status = ctl_receive_reply(fd, deadline, output, &refusal);

        if (status > 0) {
            buf_put_cstr(error, buf_cstr(&refusal));
            retval = status;
        } else {
            buf_printf(error, "%s: sending request: %s", path, strerror(retval));
            retval = -retval;
        }
        buf_uninit(&refusal);
    } else if (retval) {
        buf_printf(error, "%s: sending request: %s", path, strerror(retval));
        retval = -retval;
    } else {
        retval = ctl_receive_reply(fd, deadline, output, error);
    }
    close(fd);
    buf_uninit(&request);
    return retval;
}
