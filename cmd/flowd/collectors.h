/* collectors: the UDP destinations of one export (NetFlow, sFlow). A
 * configured list "HOST:PORT[,HOST:PORT]" is resolved once, when the bridge
 * is reconfigured, into one connected, non-blocking UDP socket per
 * collector; sending never blocks the datapath and a collector that is down
 * (ICMP port unreachable) only costs a rate-limited log line. */
#ifndef FLOWD_COLLECTORS_H
#define FLOWD_COLLECTORS_H 1

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct collectors;

/* Resolves 'targets' (as validated by swconfig). A target that does not
 * resolve or cannot get a socket is reported in 'errors' (prefixed with
 * 'what') and left out. Returns NULL if none is usable. */
struct collectors *collectors_create(const char *targets, const char *what,
                                     struct buf *errors);
void collectors_destroy(struct collectors *);

/* The list the collectors were created from. */
const char *collectors_targets(const struct collectors *);

/* Sends one datagram to every collector. */
void collectors_send(struct collectors *, const void *data, size_t size);

/* Datagrams sent and send failures, over all collectors. */
uint64_t collectors_n_sent(const struct collectors *);
uint64_t collectors_n_errors(const struct collectors *);

/* What one export has sent (flowd's "export-stats", portd show). */
struct export_stats {
    uint64_t datagrams;             /* Datagrams sent, over all collectors. */
    uint64_t errors;                /* Sends that failed. */
    uint64_t records;               /* Flow records, or sFlow samples. */
};

/* Fills the datagrams and errors of 'stats' ('c' may be NULL). */
void collectors_get_stats(const struct collectors *c, struct export_stats *stats);

#endif
