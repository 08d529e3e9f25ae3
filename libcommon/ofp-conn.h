/* ofp-conn: OpenFlow streams over unix:, tcp: and ssl: (OpenSSL), active
 * and passive, for a poll() loop, plus blocking helpers for clients.
 *
 *   active:  unix:PATH   tcp:HOST[:PORT]   ssl:HOST[:PORT]     (port 6653)
 *   passive: punix:PATH  ptcp:PORT[:IP]    pssl:PORT[:IP]
 *
 * A connection frames the byte stream into whole messages (by the header's
 * length; at most 65535 bytes; a length under 8 is garbage and the stream
 * is unusable: EPROTO). Sending queues bytes and writes what the socket
 * takes; ofp_conn_wants_write() says when to ask poll() for POLLOUT.
 *
 * ssl: and pssl: need a private key, a certificate and a CA certificate;
 * both sides verify the peer's certificate against the CA (mutual
 * authentication). OpenSSL writes with write(2), so a process using ssl:
 * should ignore SIGPIPE (a peer that hangs up is then EPIPE, not death). */
#ifndef SY_OFP_CONN_H
#define SY_OFP_CONN_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>               /* EOF. */

#include "buf.h"
#include "ofp-msgs.h"

struct ofp_conn;
struct ofp_listener;

struct ofp_ssl_config {
    const char *private_key;    /* PEM files. */
    const char *certificate;
    const char *ca_cert;
};

/* Starts connecting to 'target' (non-blocking). Returns 0 or an errno with
 * a message in 'error'. */
int ofp_conn_open(const char *target, const struct ofp_ssl_config *, struct ofp_conn **,
                  struct buf *error);
/* Frees 'conn' and closes its socket; NULL is fine. */
void ofp_conn_close(struct ofp_conn *);
int ofp_conn_fd(const struct ofp_conn *);
const char *ofp_conn_name(const struct ofp_conn *);   /* "tcp:127.0.0.1:6653". */

/* Queues raw bytes / an encoded message for sending. */
void ofp_conn_send(struct ofp_conn *, const void *data, size_t size);
int ofp_conn_send_msg(struct ofp_conn *, const struct ofp_msg *, struct buf *error);
/* Queues what 'b' holds and leaves 'b' empty; with nothing else queued,
 * by taking over its memory rather than copying (a batch of 100,000 flow
 * mods is 10 MB). */
void ofp_conn_send_buf(struct ofp_conn *, struct buf *b);
/* Writes what it can: 0 when everything went, EAGAIN when some is left,
 * else an errno (the connection is dead). Also completes connecting. */
int ofp_conn_flush(struct ofp_conn *);
size_t ofp_conn_tx_pending(const struct ofp_conn *);
/* Events for poll(): POLLIN always, POLLOUT while connecting or with bytes
 * queued (or when TLS needs to write). */
short ofp_conn_poll_events(const struct ofp_conn *);

/* Receives one whole message into 'msg' (replacing its contents): 0, or
 * EAGAIN (nothing whole yet), EOF (peer closed), EPROTO (garbage), or an
 * errno. */
int ofp_conn_recv(struct ofp_conn *, struct buf *msg);
/* True if ofp_conn_recv() has input that poll() would not announce: a
 * whole message already read from the socket (one read takes in many
 * small ones), or bytes TLS has decrypted. */
bool ofp_conn_rx_buffered(const struct ofp_conn *);

/* Passive side. */
int ofp_listener_open(const char *target, const struct ofp_ssl_config *,
                      struct ofp_listener **, struct buf *error);
void ofp_listener_close(struct ofp_listener *);
int ofp_listener_fd(const struct ofp_listener *);
/* Accepts one connection: 0, EAGAIN if none is waiting, EACCES if a unix
 * socket's peer was of another user (sockauth.h; it was logged and
 * closed), or an errno. */
int ofp_listener_accept(struct ofp_listener *, struct ofp_conn **);

/* Blocking helpers for clients ('timeout_ms' < 0: forever). */
int ofp_conn_flush_block(struct ofp_conn *, int timeout_ms);
int ofp_conn_recv_block(struct ofp_conn *, struct buf *msg, int timeout_ms);
/* Connects, sends HELLO with 'versions' (a bitmap), waits for the peer's
 * HELLO and negotiates. Returns 0 with '*version' set, or an errno with a
 * message in 'error'. */
int ofp_conn_connect_block(const char *target, const struct ofp_ssl_config *, uint32_t versions,
                           int timeout_ms, struct ofp_conn **, uint8_t *version,
                           struct buf *error);

#endif
