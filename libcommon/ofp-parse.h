/* ofp-parse: flows in ovs-ofctl's text syntax -> struct ofp_flow_mod.
 *
 *   [table=N,][cookie=V[/M],][priority=N,][idle_timeout=N,][hard_timeout=N,]
 *   [send_flow_rem,][check_overlap,][out_port=P,]
 *   [ip|ipv6|arp|tcp|udp|icmp|icmp6|sctp|tcp6|udp6|sctp6,]
 *   [FIELD=VALUE[/MASK],...] actions=ACTION[,ACTION...]
 *
 * FIELD is any name of the field table (of-fields.c) plus dl_vlan and
 * dl_vlan_pcp; ACTION is any of the actions ofp-print.c prints, so that
 * whatever is printed parses back to the same flow. Errors name the word
 * that is wrong and say what was expected. */
#ifndef SY_OFP_PARSE_H
#define SY_OFP_PARSE_H 1

#include "buf.h"
#include "ofp-msgs.h"

#define OFP_DEFAULT_PRIORITY 32768

/* Port names for --names and NAME in output:NAME (optional everywhere). */
struct ofp_port_map {
    const struct ofp_port *ports;
    size_t n;
};

/* What the flow text is for: which keywords are allowed and whether
 * actions are required. */
enum ofp_parse_mode {
    OFP_PARSE_ADD,              /* add-flow(s): actions required. */
    OFP_PARSE_MODIFY,           /* mod-flows: actions required. */
    OFP_PARSE_MATCH,            /* del-flows, dump-flows: no actions. */
};

/* Parses 'text' into 'fm', which is initialized first (command ADD or
 * MODIFY or DELETE by 'mode'; the caller may change it). Returns 0 or
 * EINVAL with a message in 'error'. */
int ofp_parse_flow(const char *text, enum ofp_parse_mode, const struct ofp_port_map *,
                   struct ofp_flow_mod *fm, struct buf *error);

/* Parses an action list ("output:2,mod_vlan_vid:10", "drop"). */
int ofp_parse_actions(const char *text, const struct ofp_port_map *, struct ofpacts *,
                      struct buf *error);

/* Parses a port: a number, LOCAL, IN_PORT, NORMAL, FLOOD, ALL, CONTROLLER,
 * TABLE, ANY/NONE (any case), or a name from 'map'. */
int ofp_parse_port(const char *, const struct ofp_port_map *, uint32_t *port,
                   struct buf *error);

/* Calls 'cb' with every word that can begin a part of flow text, for tab
 * completion: the flow's keys, match field names and "actions" with "="
 * appended (they take a value), flags and protocol shorthands alone. */
void ofp_parse_flow_words(void (*cb)(const char *word, void *aux), void *aux);

#endif
