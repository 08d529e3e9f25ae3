/* ofp-print: OpenFlow things as text, in ovs-ofctl's syntax, so that what
 * ofctl prints can be pasted back into add-flow (ofp-parse.h reads it):
 *
 *   cookie=0x0, duration=1.234s, table=0, n_packets=3, n_bytes=294,
 *   idle_timeout=10, priority=100,ip,nw_dst=10.0.0.0/24 actions=output:2
 *
 * and any message in one or a few lines for monitor and snoop. */
#ifndef SY_OFP_PRINT_H
#define SY_OFP_PRINT_H 1

#include "buf.h"
#include "json.h"
#include "ofp-msgs.h"
#include "ofp-parse.h"

/* "ip,nw_dst=10.0.0.0/24" (empty for a catch-all). */
void ofp_format_match(struct buf *, const struct ofmatch *, const struct ofp_port_map *);
/* "output:2,mod_vlan_vid:10" ("drop" for an empty list). */
void ofp_format_actions(struct buf *, const struct ofpacts *, const struct ofp_port_map *);
/* "LOCAL", "3", or a name from 'map'. */
void ofp_format_port(struct buf *, uint32_t port, const struct ofp_port_map *);

/* A flow as dump-flows prints it (leading space included). */
void ofp_format_flow_stats(struct buf *, const struct ofp_flow_stats *,
                           const struct ofp_port_map *);
/* A flow mod as flow text that ofp_parse_flow() reads back: table, cookie,
 * timeouts, flags, priority, match, actions (diff-flows, replace-flows). */
void ofp_format_flow_mod(struct buf *, const struct ofp_flow_mod *,
                         const struct ofp_port_map *);
/* The same flow as a JSON object. */
void ofp_flow_stats_to_json(struct json_writer *, const struct ofp_flow_stats *,
                            const struct ofp_port_map *);

/* Any message: "FLOW_MOD (OF1.3) (xid=0x5): ADD table=0 priority=..."; may
 * span lines (each ending in '\n'). */
void ofp_format_msg(struct buf *, const struct ofp_msg *, const struct ofp_port_map *);

/* "50:54:00:00:00:01". */
void ofp_format_mac(struct buf *, const uint8_t mac[6]);

#endif
