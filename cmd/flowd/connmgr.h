/* connmgr: a bridge's OpenFlow connections: the management socket
 * RUNDIR/BR.mgmt (always), and the controllers and listeners that the
 * bridge's controller= setting names. It answers every request on them
 * (flow_mod into ofproto, statistics, packet-out through the pipeline) and
 * sends the asynchronous messages (packet-in, flow-removed, port-status). */
#ifndef FLOWD_CONNMGR_H
#define FLOWD_CONNMGR_H 1

#include <poll.h>
#include <stdbool.h>

#include "buf.h"
#include "dp-packet.h"

struct bridge;
struct connmgr;
struct ofrule;
struct bridge_packet_in_cookie;

struct connmgr *connmgr_create(struct bridge *);
void connmgr_destroy(struct connmgr *);

/* Applies the bridge's datapath-id= setting (NULL: none, an id made from the
 * bridge's name). Call before connmgr_set_controllers(): a new id
 * reconnects the controllers, which learn it once per connection. */
void connmgr_set_datapath_id(struct connmgr *, const char *datapath_id);

/* Applies the bridge's controller= list (and TLS files); problems go to
 * 'errors'. */
void connmgr_set_controllers(struct connmgr *, const char *controllers,
                             const char *private_key, const char *certificate,
                             const char *ca_cert, struct buf *errors);

int connmgr_fill_pollfds(struct connmgr *, struct pollfd *, int max);
/* Does whatever I/O is ready; never blocks. */
void connmgr_run(struct connmgr *, long long now);

/* True if a connection holds input already read from its socket, which
 * the next poll() would not announce: then connmgr_run() is due anyway. */
bool connmgr_rx_buffered(const struct connmgr *);

/* True if some controller (not just a management client) is connected. */
bool connmgr_has_controller(const struct connmgr *);
/* True if controllers are configured but none has been connected for
 * 'delay' msec: a standalone bridge then switches on its own (fail-open). */
bool connmgr_controllers_lost(const struct connmgr *, long long now, long long delay);
/* True if a table miss sends the packet to the controllers: OpenFlow 1.0's
 * rule, followed while an OpenFlow 1.0 controller is connected (from 1.3
 * on, a miss drops unless a table-miss rule says otherwise). */
bool connmgr_miss_to_controller(const struct connmgr *);

void connmgr_send_packet_in(struct connmgr *, const struct dp_packet *,
                            const struct bridge_packet_in_cookie *);
void connmgr_send_flow_removed(struct connmgr *, const struct ofrule *, uint8_t reason);
void connmgr_send_port_status(struct connmgr *, uint32_t ofport, uint8_t reason);

#endif
