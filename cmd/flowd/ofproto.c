/* ofproto: flow_mod, rule counters, timeouts and statistics of a bridge's
 * OpenFlow tables. See ofproto.h. */
#include "ofproto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "connmgr.h"
#include "log.h"
#include "util.h"

void
ofproto_init(struct ofproto *ofproto, bool standalone)
{
    memset(ofproto, 0, sizeof *ofproto);
    for (int i = 0; i < OFPROTO_N_TABLES; i++) {
        oftable_init(&ofproto->tables[i]);
    }
    ofproto->miss_send_len = OFP_DEFAULT_MISS_SEND_LEN;
    if (standalone) {
        struct ofrule *rule, *replaced;
        long long now = time_msec();
        struct ofmatch catchall;

        ofmatch_init_catchall(&catchall);
        rule = ofrule_create(&catchall);
        ofpacts_put(&rule->ofpacts, OFPACT_OUTPUT)->output.port = OFPP13_NORMAL;
        rule->created = rule->modified = now;
        oftable_insert(&ofproto->tables[0], rule, false, &replaced);
    }
}

void
ofproto_destroy(struct ofproto *ofproto)
{
    for (int i = 0; i < OFPROTO_N_TABLES; i++) {
        oftable_destroy(&ofproto->tables[i]);
    }
}

/* ---- counters ----------------------------------------------------------- */

void
ofproto_credit_flow(struct dpflow *flow, long long now)
{
    uint64_t packets = flow->packets - flow->credited_packets;
    uint64_t bytes = flow->bytes - flow->credited_bytes;

    if (!packets && !bytes) {
        return;
    }
    for (size_t i = 0; i < flow->n_rules; i++) {
        struct ofrule *rule = flow->rules[i];

        rule->packet_count += packets;
        rule->byte_count += bytes;
        rule->used = MAX(rule->used, flow->used ? flow->used : now);
    }
    flow->credited_packets = flow->packets;
    flow->credited_bytes = flow->bytes;
}

static void
credit_one(const struct dpflow *flow, void *now)
{
    ofproto_credit_flow((struct dpflow *) flow, *(long long *) now);
}

void
ofproto_credit_all(struct bridge *br)
{
    long long now = time_msec();

    dpflow_for_each(&br->dp->flows, credit_one, &now);
}

/* ---- checking what a controller asks for ---------------------------------- */

static int
check_output_port(const struct bridge *br, uint32_t port)
{
    uint32_t dp_port;

    if (port < OFPP13_MAX && !bridge_dp_of_ofport(br, port, &dp_port)) {
        /* Like Open vSwitch: a port that may appear later is fine. */
        return 0;
    }
    if (port == OFPP13_ANY) {
        return OFPERR_BAD_OUT_PORT;
    }
    return 0;
}

/* ---- Geneve options (tun_metadataN) ------------------------------------- */

static void tables_changed(struct bridge *);

/* A tun_metadataN field is usable once the TLV map has it, and a value
 * must fit in the option's length (the field keeps it right-aligned in
 * TUN_MD_MAX_LEN bytes). */
static bool
tun_md_mapped(const struct bridge *br, const struct of_field_desc *f)
{
    int index = of_field_tun_metadata_index(f);

    return index < 0 || br->tun_md_map.mapped & (1u << index);
}

static bool
tun_md_value_fits(const struct bridge *br, const struct of_field_desc *f,
                  const union of_value *value)
{
    int index = of_field_tun_metadata_index(f);
    unsigned int len;

    if (index < 0) {
        return true;
    }
    len = br->tun_md_map.options[index].opt_len;
    for (unsigned int i = 0; i + len < TUN_MD_MAX_LEN; i++) {
        if (value->u8[i]) {
            return false;
        }
    }
    return true;
}

/* Bits [ofs, ofs + n_bits) of 'f' exist in its mapped option. */
static bool
tun_md_bits_fit(const struct bridge *br, const struct of_field_desc *f, unsigned int ofs,
                unsigned int n_bits)
{
    int index = of_field_tun_metadata_index(f);

    return (index < 0 || (tun_md_mapped(br, f)
                          && ofs + n_bits <= br->tun_md_map.options[index].opt_len * 8u));
}

static int
check_match_tun_md(const struct bridge *br, const struct ofmatch *match)
{
    for (int i = 0; i < TUN_MD_N_FIELDS; i++) {
        const struct of_field_desc *f = of_field_by_id(OFF_TUN_METADATA0 + i);
        union of_value value, mask;

        if (!ofmatch_has(match, f)) {
            continue;
        } else if (!tun_md_mapped(br, f)) {
            return OFPERR_BAD_FIELD;
        }
        ofmatch_get(match, f, &value, &mask);
        if (!tun_md_value_fits(br, f, &value)) {
            return OFPERR_BAD_VALUE;
        }
    }
    return 0;
}

static int
check_set_field(const struct bridge *br, const struct ofpact *a)
{
    const struct of_field_desc *f = of_field_by_id(a->set_field.field);

    return (tun_md_mapped(br, f) && tun_md_value_fits(br, f, &a->set_field.value)
            ? 0 : OFPERR_BAD_SET_ARGUMENT);
}

static int
check_reg_move(const struct bridge *br, const struct ofpact *a)
{
    const struct of_field_desc *src = of_field_by_id(a->reg_move.src);
    const struct of_field_desc *dst = of_field_by_id(a->reg_move.dst);

    return (tun_md_bits_fit(br, src, a->reg_move.src_ofs, a->reg_move.n_bits)
            && tun_md_bits_fit(br, dst, a->reg_move.dst_ofs, a->reg_move.n_bits)
            ? 0 : OFPERR_BAD_ACTION_ARGUMENT);
}

int
ofproto_tlv_table_mod(struct bridge *br, const struct ofp_tlv_table *mod)
{
    struct tun_md_map map = br->tun_md_map;
    struct buf error = BUF_INITIALIZER;
    enum tun_md_error e = TUN_MD_OK;
    struct dp_user *dp;

    if (mod->command == NXTTMC_ADD) {
        e = tun_md_map_add(&map, mod->mappings, mod->n_mappings, &error);
    } else if (mod->command == NXTTMC_DELETE) {
        e = tun_md_map_del(&map, mod->mappings, mod->n_mappings, &error);
    } else if (mod->command == NXTTMC_CLEAR) {
        memset(&map, 0, sizeof map);
    } else {
        buf_uninit(&error);
        return OFPERR_BAD_REQUEST_EPERM;
    }
    if (e != TUN_MD_OK) {
        LOG_INFO("%s: TLV map change refused: %s", br->name, buf_cstr(&error));
        buf_uninit(&error);
        return e == TUN_MD_BAD_LEN ? OFPERR_BAD_LEN : OFPERR_BAD_REQUEST_EPERM;
    }
    buf_uninit(&error);
    br->tun_md_map = map;
    dp = dp_user_of(br->dp);
    if (dp) {
        dp->tun_md_map = map;
    }
    /* Datapath flows matched and built options by the old map. */
    tables_changed(br);
    return 0;
}

void
ofproto_tlv_table_get(const struct bridge *br, struct ofp_tlv_table *reply)
{
    const struct tun_md_map *map = &br->tun_md_map;

    memset(reply, 0, sizeof *reply);
    reply->max_option_space = TUN_MD_N_FIELDS * TUN_MD_MAX_LEN;
    reply->max_fields = TUN_MD_N_FIELDS;
    reply->mappings = xcalloc(TUN_MD_N_FIELDS, sizeof *reply->mappings);
    for (int i = 0; i < TUN_MD_N_FIELDS; i++) {
        if (map->mapped & (1u << i)) {
            reply->mappings[reply->n_mappings].option = map->options[i];
            reply->mappings[reply->n_mappings++].index = i;
        }
    }
}

int
ofproto_check_ofpacts(const struct bridge *br, const struct ofpacts *ofpacts,
                      uint8_t table_id)
{
    for (size_t i = 0; i < ofpacts->n; i++) {
        const struct ofpact *a = &ofpacts->acts[i];
        int error = 0;

        switch (a->type) {
        case OFPACT_OUTPUT:
            error = check_output_port(br, a->output.port);
            break;
        case OFPACT_GROUP:
            error = OFPERR_BAD_OUT_GROUP;
            break;
        case OFPACT_METER:
            error = OFPERR_UNSUP_INST;
            break;
        case OFPACT_GOTO_TABLE:
            if (a->goto_table <= table_id || a->goto_table >= OFPROTO_N_TABLES) {
                error = OFPERR_INST_BAD_TABLE_ID;
            }
            break;
        case OFPACT_WRITE_ACTIONS:
            error = a->nested ? ofproto_check_ofpacts(br, a->nested, table_id) : 0;
            break;
        case OFPACT_SET_FIELD:
            error = check_set_field(br, a);
            break;
        case OFPACT_REG_MOVE:
            error = check_reg_move(br, a);
            break;
        default:
            break;
        }
        if (error) {
            return error;
        }
    }
    return 0;
}

/* ---- flow_mod ----------------------------------------------------------- */

/* Every table change removes every datapath flow (crediting them first,
 * through the table's removal hook): none may go on forwarding by a rule
 * that changed. */
static void
tables_changed(struct bridge *br)
{
    bridge_flush_flows(br);
}

/* Before a flow mod changes the tables: the datapath's counters go to the
 * rules (which may be about to be freed) and its flows go. The first flow
 * mod of a burst (connmgr handles many per run, and no packet is handled
 * between them) empties the datapath; the others find it empty and do
 * nothing, so a 100,000-flow add-flows revalidates once per burst, not
 * once per flow. */
static void
flow_mod_changes_tables(struct bridge *br)
{
    if (br->dp->flows.n_flows) {
        ofproto_credit_all(br);
        tables_changed(br);
    }
}

static int
add_rule(struct bridge *br, const struct ofp_flow_mod *fm)
{
    struct oftable *table;
    struct ofrule *rule, *replaced = NULL;
    long long now = time_msec();
    int error;

    if (fm->table_id >= OFPROTO_N_TABLES) {
        return OFPERR_FLOW_BAD_TABLE_ID;
    }
    table = &br->ofproto.tables[fm->table_id];
    rule = ofrule_create(&fm->match);
    rule->priority = fm->priority;
    rule->table_id = fm->table_id;
    rule->cookie = fm->cookie;
    rule->idle_timeout = fm->idle_timeout;
    rule->hard_timeout = fm->hard_timeout;
    rule->flags = fm->flags;
    ofpacts_clone(&rule->ofpacts, &fm->ofpacts);
    rule->created = rule->modified = now;

    /* Rules are freed below, so the datapath must forget them first. */
    flow_mod_changes_tables(br);
    error = oftable_insert(table, rule, fm->flags & OFRULE_CHECK_OVERLAP, &replaced);
    if (error) {
        ofrule_destroy(rule);
        return OFPERR_OVERLAP;
    }
    if (replaced) {
        if (!(fm->flags & OFRULE_RESET_COUNTS)) {
            rule->packet_count = replaced->packet_count;
            rule->byte_count = replaced->byte_count;
        }
        ofrule_destroy(replaced);
    }
    return 0;
}

static void
select_rules(struct bridge *br, uint8_t table_id, const struct ofmatch *match,
             uint16_t priority, bool strict, uint64_t cookie, uint64_t cookie_mask,
             uint32_t out_port, struct ofrule ***rules, size_t *n, size_t *allocated)
{
    for (int t = 0; t < OFPROTO_N_TABLES; t++) {
        if (table_id == OFPTT_ALL || table_id == t) {
            oftable_select(&br->ofproto.tables[t], match, priority, strict, cookie,
                           cookie_mask, out_port, rules, n, allocated);
        }
    }
}

static int
modify_rules(struct bridge *br, const struct ofp_flow_mod *fm, uint8_t version)
{
    bool strict = fm->command == OFPFC_MODIFY_STRICT;
    struct ofrule **rules = NULL;
    size_t n = 0, allocated = 0;
    long long now = time_msec();

    if (fm->table_id == OFPTT_ALL && version > OFP10_VERSION) {
        return OFPERR_FLOW_BAD_TABLE_ID;
    }
    select_rules(br, fm->table_id == OFPTT_ALL ? 0 : fm->table_id, &fm->match,
                 fm->priority, strict, fm->cookie, fm->cookie_mask, OFPP13_ANY, &rules, &n,
                 &allocated);
    if (!n) {
        free(rules);
        /* OpenFlow 1.0: a modify that matches nothing adds. */
        return version == OFP10_VERSION ? add_rule(br, fm) : 0;
    }
    flow_mod_changes_tables(br);
    for (size_t i = 0; i < n; i++) {
        ofpacts_uninit(&rules[i]->ofpacts);
        ofpacts_clone(&rules[i]->ofpacts, &fm->ofpacts);
        rules[i]->modified = now;
        if (fm->flags & OFRULE_RESET_COUNTS) {
            rules[i]->packet_count = rules[i]->byte_count = 0;
        }
    }
    free(rules);
    return 0;
}

static void
remove_rule(struct bridge *br, struct ofrule *rule, uint8_t reason)
{
    if (rule->flags & OFRULE_SEND_FLOW_REM) {
        connmgr_send_flow_removed(br->connmgr, rule, reason);
    }
    oftable_remove(&br->ofproto.tables[rule->table_id], rule);
    ofrule_destroy(rule);
}

static int
delete_rules(struct bridge *br, const struct ofp_flow_mod *fm)
{
    bool strict = fm->command == OFPFC_DELETE_STRICT;
    struct ofrule **rules = NULL;
    size_t n = 0, allocated = 0;

    if (fm->table_id != OFPTT_ALL && fm->table_id >= OFPROTO_N_TABLES) {
        return OFPERR_FLOW_BAD_TABLE_ID;
    }
    select_rules(br, fm->table_id, &fm->match, fm->priority, strict, fm->cookie,
                 fm->cookie_mask, fm->out_port, &rules, &n, &allocated);
    if (n) {
        flow_mod_changes_tables(br);
    }
    for (size_t i = 0; i < n; i++) {
        remove_rule(br, rules[i], OFPRR_DELETE);
    }
    free(rules);
    return 0;
}

int
ofproto_flow_mod(struct bridge *br, const struct ofp_flow_mod *fm, uint8_t version)
{
    struct buf error = BUF_INITIALIZER;
    int retval;

    if (fm->command <= OFPFC_MODIFY_STRICT) {
        if (ofmatch_check_prereqs(&fm->match, &error)) {
            buf_uninit(&error);
            return OFPERR_BAD_PREREQ;
        }
        retval = check_match_tun_md(br, &fm->match);
        if (retval) {
            return retval;
        }
        retval = ofproto_check_ofpacts(br, &fm->ofpacts, fm->table_id);
        if (retval) {
            return retval;
        }
    }
    switch (fm->command) {
    case OFPFC_ADD:
        return add_rule(br, fm);
    case OFPFC_MODIFY:
    case OFPFC_MODIFY_STRICT:
        return modify_rules(br, fm, version);
    case OFPFC_DELETE:
    case OFPFC_DELETE_STRICT:
        return delete_rules(br, fm);
    default:
        return OFPERR_BAD_COMMAND;
    }
}

/* ---- timeouts ----------------------------------------------------------- */

void
ofproto_expire(struct bridge *br, long long now)
{
    struct ofrule **rules = NULL;
    size_t n = 0, allocated = 0;

    for (int t = 0; t < OFPROTO_N_TABLES; t++) {
        if (br->ofproto.tables[t].n_rules) {
            oftable_expired(&br->ofproto.tables[t], now, &rules, &n, &allocated);
        }
    }
    if (n) {
        tables_changed(br);
    }
    for (size_t i = 0; i < n; i++) {
        struct ofrule *rule = rules[i];
        bool hard = rule->hard_timeout
                    && now >= rule->created + rule->hard_timeout * 1000LL;

        remove_rule(br, rule, hard ? OFPRR_HARD_TIMEOUT : OFPRR_IDLE_TIMEOUT);
    }
    free(rules);
}

/* ---- statistics ----------------------------------------------------------- */

static void
duration(long long since, long long now, uint32_t *sec, uint32_t *nsec)
{
    long long msec = now - since;

    *sec = msec / 1000;
    *nsec = (msec % 1000) * 1000000;
}

static void
select_for_stats(struct bridge *br, const struct ofp_flow_stats_request *req,
                 struct ofrule ***rules, size_t *n, size_t *allocated)
{
    dpif_sync_stats(br->dp);        /* The kernel's counters, fresh. */
    ofproto_credit_all(br);
    select_rules(br, req->table_id, &req->match, 0, false, req->cookie, req->cookie_mask,
                 req->out_port, rules, n, allocated);
}

void
ofproto_flow_stats(struct bridge *br, const struct ofp_flow_stats_request *req,
                   void (*visit)(const struct ofp_flow_stats *, void *aux), void *aux)
{
    struct ofrule **rules = NULL;
    size_t n = 0, allocated = 0;
    long long now = time_msec();
    struct ofp_flow_stats fs;

    select_for_stats(br, req, &rules, &n, &allocated);
    memset(&fs, 0, sizeof fs);
    for (size_t i = 0; i < n; i++) {
        const struct ofrule *rule = rules[i];

        fs.table_id = rule->table_id;
        duration(rule->created, now, &fs.duration_sec, &fs.duration_nsec);
        fs.priority = rule->priority;
        fs.idle_timeout = rule->idle_timeout;
        fs.hard_timeout = rule->hard_timeout;
        fs.flags = rule->flags;
        fs.cookie = rule->cookie;
        fs.packet_count = rule->packet_count;
        fs.byte_count = rule->byte_count;
        ofrule_get_match(rule, &fs.match);
        fs.ofpacts = rule->ofpacts;     /* Borrowed for the call. */
        visit(&fs, aux);
    }
    free(rules);
}

void
ofproto_aggregate(struct bridge *br, const struct ofp_flow_stats_request *req,
                  struct ofp_aggregate *agg)
{
    struct ofrule **rules = NULL;
    size_t n = 0, allocated = 0;

    select_for_stats(br, req, &rules, &n, &allocated);
    memset(agg, 0, sizeof *agg);
    for (size_t i = 0; i < n; i++) {
        agg->packet_count += rules[i]->packet_count;
        agg->byte_count += rules[i]->byte_count;
    }
    agg->flow_count = n;
    free(rules);
}

void
ofproto_table_stats(struct bridge *br, struct ofp_table_stats_reply *reply)
{
    reply->n = OFPROTO_N_TABLES;
    reply->tables = xcalloc(OFPROTO_N_TABLES, sizeof *reply->tables);
    for (int t = 0; t < OFPROTO_N_TABLES; t++) {
        const struct oftable *table = &br->ofproto.tables[t];
        struct ofp_table_stats *ts = &reply->tables[t];

        ts->table_id = t;
        snprintf(ts->name, sizeof ts->name, "table%d", t);
        ts->wildcards = UINT32_MAX;
        ts->max_entries = 1000000;
        ts->active_count = table->n_rules;
        ts->lookup_count = table->lookups;
        ts->matched_count = table->matches;
    }
}
