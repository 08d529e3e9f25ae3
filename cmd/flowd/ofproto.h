/* ofproto: a bridge's OpenFlow tables and what changes them: flow_mod,
 * timeouts, statistics. The pipeline that reads them is xlate.c; the
 * connections that send flow_mods are connmgr.c.
 *
 * Rule counters come from the datapath: every datapath flow remembers the
 * rules its packets went through (dpflow.rules), and the packets and bytes
 * it carried are credited to those rules periodically and whenever the
 * flow is removed. Any change to the tables removes every datapath flow of
 * the bridge (after crediting them), so no flow ever forwards by a rule
 * that no longer exists; the next packet of each flow asks the pipeline
 * again. */
#ifndef FLOWD_OFPROTO_H
#define FLOWD_OFPROTO_H 1

#include <stdint.h>

#include "ofp-msgs.h"
#include "oftable.h"

#define OFPROTO_N_TABLES 255

struct bridge;
struct dpflow;

struct ofproto {
    struct oftable tables[OFPROTO_N_TABLES];
    uint16_t miss_send_len;         /* SET_CONFIG. */
    uint16_t config_flags;          /* SET_CONFIG. */
};

/* 'standalone': a fresh bridge holds priority=0,actions=NORMAL. */
void ofproto_init(struct ofproto *, bool standalone);
void ofproto_destroy(struct ofproto *);

/* Applies a flow_mod received in OpenFlow 'version'. Returns 0 or an
 * OFPERR_* to send back. Sends flow_removed for deleted rules that asked
 * for it (through connmgr). */
int ofproto_flow_mod(struct bridge *, const struct ofp_flow_mod *, uint8_t version);

/* Statistics replies. ofproto_flow_stats() calls 'visit' with each rule
 * that 'req' selects, in turn, as a flow stats entry that lives for the
 * call only (its actions are the rule's own): a dump of 100,000 rules
 * builds no array of entries. */
void ofproto_flow_stats(struct bridge *, const struct ofp_flow_stats_request *req,
                        void (*visit)(const struct ofp_flow_stats *, void *aux), void *aux);
void ofproto_aggregate(struct bridge *, const struct ofp_flow_stats_request *,
                       struct ofp_aggregate *);
void ofproto_table_stats(struct bridge *, struct ofp_table_stats_reply *);

/* Moves the counters of 'flow' (since its last credit) to its rules. */
void ofproto_credit_flow(struct dpflow *, long long now);
/* Credits every datapath flow of the bridge. */
void ofproto_credit_all(struct bridge *);

/* Removes rules whose idle or hard timeout has passed. The caller has
 * credited the datapath flows first (bridge_run() does, in its sweep). */
void ofproto_expire(struct bridge *, long long now);

/* NXT_TLV_TABLE_MOD: changes the bridge's TLV map (Geneve options as
 * tun_metadataN), all or nothing. Returns 0 or an OFPERR_*. Flows that use
 * a field whose mapping goes away stay, and match only packets that carry
 * the option of the new mapping, if any. */
int ofproto_tlv_table_mod(struct bridge *, const struct ofp_tlv_table *);
/* NXT_TLV_TABLE_REPLY's body: the bridge's TLV map (the caller frees
 * reply->mappings, or uninits the message that holds it). */
void ofproto_tlv_table_get(const struct bridge *, struct ofp_tlv_table *reply);

/* Checks a rule's instructions for this switch: ports, tables, groups and
 * meters. Returns 0 or an OFPERR_*. */
int ofproto_check_ofpacts(const struct bridge *, const struct ofpacts *, uint8_t table_id);

#endif
