/* ctl: the line-based control protocol of flowd.ctl and portd.ctl.
 *
 * Request: one line, the command's words separated by single spaces, each
 * word percent-encoded for '%', bytes <= 0x20 and 0x7f (so any argument,
 * even one with spaces, is one word); at most CTL_MAX_LINE bytes; "\n" ends
 * it. The first word is the command name.
 *
 * Reply: zero or more output lines, each "+" followed by the text, then one
 * final status line: "ok", or "error STATUS MESSAGE" where STATUS is the
 * exit status the client should use (1 failed operation, 2 bad usage) and
 * MESSAGE says what was wrong and what was expected. A connection may carry
 * several requests one after another.
 *
 * The server is non-blocking and fits in a daemon's poll() loop; the
 * client is blocking with a timeout. */
#ifndef SY_CTL_H
#define SY_CTL_H 1

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define CTL_MAX_LINE 65536
#define CTL_MAX_ARGS 256

enum ctl_status {
    CTL_OK = 0,
    CTL_FAILED = 1,             /* The operation failed. */
    CTL_USAGE = 2,              /* The request was malformed or misused. */
};

struct ctl_reply {
    struct buf output;          /* Output text; lines split at '\n'. */
    enum ctl_status status;     /* CTL_OK unless an error was set. */
    struct buf error;           /* Error message when status != CTL_OK. */
};

/* argv[0] is the command name; argc counts it. */
typedef void ctl_handler_func(struct ctl_reply *, int argc, char *argv[], void *aux);

struct ctl_command {
    const char *name;           /* Command word. */
    int min_args, max_args;     /* Arguments after the name (-1: no limit). */
    ctl_handler_func *handler;
    const char *usage;          /* "add-br BR [datapath=user|kernel]", for errors. */
};

void ctl_reply_init(struct ctl_reply *);
void ctl_reply_uninit(struct ctl_reply *);
void ctl_reply_printf(struct ctl_reply *, const char *fmt, ...) SY_PRINTF(2, 3);
void ctl_reply_error(struct ctl_reply *, enum ctl_status, const char *fmt, ...)
    SY_PRINTF(3, 4);

struct ctl_server;

/* Listens on unix socket 'path' (replacing a stale socket file, refusing
 * when another daemon answers on it). */
int ctl_server_create(const char *path, const struct ctl_command *, size_t n_commands,
                      void *aux, struct ctl_server **, struct buf *error);
void ctl_server_destroy(struct ctl_server *);
/* Fills up to 'max' pollfds the server wants watched; returns how many. */
int ctl_server_fill_pollfds(const struct ctl_server *, struct pollfd *, int max);
/* Accepts, reads, dispatches and writes whatever is ready; never blocks. */
void ctl_server_run(struct ctl_server *);

/* Sends one request and waits for its reply. Output lines go to 'output'
 * (each with its '\n'), an error message to 'error'. Returns the reply's
 * status (0, 1, 2), or a negative errno when the daemon is not reachable
 * (-ENOENT/-ECONNREFUSED: not running; -ETIMEDOUT). */
int ctl_client_call(const char *path, int argc, char *const argv[], int timeout_ms,
                    struct buf *output, struct buf *error);

/* Pure codec functions, exposed for tests and fuzzing. */
void ctl_encode_request(struct buf *, int argc, char *const argv[]);
/* Splits and decodes 'line' (without '\n') in place; returns 0 or EINVAL with
 * a message in 'error'. argv points into 'line'. */
int ctl_parse_request(char *line, int *argc, char *argv[CTL_MAX_ARGS], struct buf *error);
void ctl_encode_reply(struct buf *, const struct ctl_reply *);

#endif
