/* ofp-print: OpenFlow as text (see ofp-print.h). Every value is written in
 * the form ofp-parse.c reads, so parse(print(x)) == x; the field table's
 * formats drive both. */
#include "ofp-print.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void
ofp_format_mac(struct buf *b, const uint8_t m[6])
{
    static const char hex[] = "0123456789abcdef";
    char text[17];

    for (int i = 0; i < 6; i++) {
        text[i * 3] = hex[m[i] >> 4];
        text[i * 3 + 1] = hex[m[i] & 15];
        if (i < 5) {
            text[i * 3 + 2] = ':';
        }
    }
    buf_put(b, text, sizeof text);
}

static const struct {
    uint32_t port;
    const char *name;
} reserved_ports[] = {
    { OFPP13_IN_PORT, "IN_PORT" }, { OFPP13_TABLE, "TABLE" }, { OFPP13_NORMAL, "NORMAL" },
    { OFPP13_FLOOD, "FLOOD" }, { OFPP13_ALL, "ALL" }, { OFPP13_CONTROLLER, "CONTROLLER" },
    { OFPP13_LOCAL, "LOCAL" }, { OFPP13_ANY, "ANY" },
};

void
ofp_format_port(struct buf *b, uint32_t port, const struct ofp_port_map *map)
{
    for (size_t i = 0; i < ARRAY_SIZE(reserved_ports); i++) {
        if (reserved_ports[i].port == port) {
            buf_put_cstr(b, reserved_ports[i].name);
            return;
        }
    }
    for (size_t i = 0; map && i < map->n; i++) {
        if (map->ports[i].port_no == port && map->ports[i].name[0]) {
            buf_printf(b, "\"%s\"", map->ports[i].name);
            return;
        }
    }
    buf_put_uint(b, port);
}

/* ---- Field values ----------------------------------------------------------- */

static uint64_t
value_to_uint(const union of_value *v, unsigned int n_bytes)
{
    uint64_t x = 0;

    for (unsigned int i = 0; i < n_bytes && i < 8; i++) {
        x = x << 8 | v->u8[i];
    }
    return x;
}

/* Prefix length of 'mask' if it is a CIDR mask, else -1. */
static int
mask_prefix(const union of_value *mask, unsigned int n_bytes)
{
    unsigned int len = 0;

    while (len < n_bytes * 8 && mask->u8[len / 8] & (0x80 >> (len % 8))) {
        len++;
    }
    for (unsigned int i = len; i < n_bytes * 8; i++) {
        if (mask->u8[i / 8] & (0x80 >> (i % 8))) {
            return -1;
        }
    }
    return len;
}

static void
format_addr(struct buf *b, const struct of_field_desc *f, const union of_value *v)
{
    char text[INET6_ADDRSTRLEN];

    if (f->format == OFF_FMT_IPV4) {
        for (int i = 0; i < 4; i++) {
            if (i) {
                buf_put_char(b, '.');
            }
            buf_put_uint(b, v->u8[i]);
        }
        return;
    }
    inet_ntop(f->format == OFF_FMT_IPV4 ? AF_INET : AF_INET6, v->u8, text, sizeof text);
    buf_put_cstr(b, text);
}

static bool
format_frag(struct buf *b, uint8_t value, uint8_t mask)
{
    static const struct { uint8_t value, mask; const char *name; } names[] = {
        { 0, 1, "no" }, { 1, 1, "yes" }, { 1, 3, "first" }, { 3, 3, "later" },
        { 0, 2, "not_later" }, { 0, 3, "no" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (names[i].value == value && names[i].mask == mask) {
            buf_put_cstr(b, names[i].name);
            return true;
        }
    }
    return false;
}

/* Writes a value of 'f' and, unless 'mask' is NULL or exact, "/MASK". */
static void
format_value(struct buf *b, const struct of_field_desc *f, const union of_value *v,
             const union of_value *mask, const struct ofp_port_map *map)
{
    union of_value exact;
    bool masked;
    int prefix;

    of_field_exact_mask(f, &exact);
    masked = mask && memcmp(mask->u8, exact.u8, f->n_bytes);
    switch (f->format) {
    case OFF_FMT_MAC:
        ofp_format_mac(b, v->u8);
        if (masked) {
            buf_put_char(b, '/');
            ofp_format_mac(b, mask->u8);
        }
        return;
    case OFF_FMT_IPV4: case OFF_FMT_IPV6:
        format_addr(b, f, v);
        if (masked && (prefix = mask_prefix(mask, f->n_bytes)) >= 0) {
            buf_put_char(b, '/');
            buf_put_uint(b, prefix);
        } else if (masked) {
            buf_put_char(b, '/');
            format_addr(b, f, mask);
        }
        return;
    case OFF_FMT_FRAG:
        if (mask && format_frag(b, v->u8[0], mask->u8[0])) {
            return;
        }
        break;
    case OFF_FMT_PORT:
        if (!masked) {
            ofp_format_port(b, value_to_uint(v, f->n_bytes), map);
            return;
        }
        break;
    case OFF_FMT_DEC:
        if (!masked) {
            buf_put_uint(b, value_to_uint(v, f->n_bytes));
            return;
        }
        break;
    default:
        break;
    }
    if (f->n_bytes > 8) {
        format_addr(b, f, v);   /* Not reached: wide fields are addresses. */
        return;
    }
    buf_put_cstr(b, "0x");
    buf_put_hex(b, value_to_uint(v, f->n_bytes));
    if (masked) {
        buf_put_cstr(b, "/0x");
        buf_put_hex(b, value_to_uint(mask, f->n_bytes));
    }
}

/* ---- Matches ----------------------------------------------------------------- */

static void
sep(struct buf *b, size_t start)
{
    if (b->size > start) {
        buf_put_char(b, ',');
    }
}

/* "tcp", "ipv6", "arp"... for an exact eth_type (and protocol); returns
 * whether the protocol was consumed too. */
static bool
format_shorthand(struct buf *b, const struct ofmatch *m, bool *printed_type)
{
    static const struct { uint16_t eth_type; uint8_t proto; const char *name; } names[] = {
        { 0x0800, 6, "tcp" }, { 0x0800, 17, "udp" }, { 0x0800, 1, "icmp" },
        { 0x0800, 132, "sctp" }, { 0x86dd, 6, "tcp6" }, { 0x86dd, 17, "udp6" },
        { 0x86dd, 58, "icmp6" }, { 0x86dd, 132, "sctp6" },
        { 0x0800, 0, "ip" }, { 0x86dd, 0, "ipv6" }, { 0x0806, 0, "arp" },
    };
    bool proto_exact = m->mask.pkt.nw_proto == 0xff;

    *printed_type = false;
    if (m->mask.pkt.eth_type != 0xffff) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (names[i].eth_type == m->value.pkt.eth_type
            && (!names[i].proto || (proto_exact && names[i].proto == m->value.pkt.nw_proto))) {
            buf_put_cstr(b, names[i].name);
            *printed_type = true;
            return names[i].proto != 0;
        }
    }
    return false;
}

static void
format_vlan(struct buf *b, size_t start, const struct ofmatch *m)
{
    uint16_t t = m->mask.pkt.vlans[0].tci, v = m->value.pkt.vlans[0].tci;
    uint16_t vid = t & 0x0fff, pcp = t & 0xe000;

    if (!t) {
        return;
    }
    sep(b, start);
    if (t & v & FLOWKEY_VLAN_PRESENT && (!vid || vid == 0xfff) && (!pcp || pcp == 0xe000)
        && (vid || pcp)) {
        if (vid) {
            buf_printf(b, "dl_vlan=%u", v & 0xfff);
        }
        if (pcp) {
            buf_printf(b, "%sdl_vlan_pcp=%u", vid ? "," : "", v >> FLOWKEY_VLAN_PCP_SHIFT);
        }
    } else if (t == 0xffff) {
        buf_printf(b, "vlan_tci=0x%04x", v);
    } else {
        buf_printf(b, "vlan_tci=0x%04x/0x%04x", v, t);
    }
}

void
ofp_format_match(struct buf *b, const struct ofmatch *m, const struct ofp_port_map *map)
{
    bool done[OFF_N_FIELDS] = { false };   /* Printed or left out. */
    uint32_t done_groups = 0;       /* Bit G: storage group G is printed. */
    struct of_field_set present;
    size_t start = b->size;
    bool printed_type, vlan_done = false;

    if (format_shorthand(b, m, &printed_type)) {
        done[OFF_IP_PROTO] = done[OFF_ARP_OP] = true;
    }
    done[OFF_ETH_TYPE] = printed_type;
    done[OFF_VLAN_TCI] = done[OFF_VLAN_VID] = done[OFF_VLAN_PCP] = true;
    done[OFF_IP_DSCP] = true;       /* Printed as nw_tos. */
    of_fields_present(&m->mask, &present);
    for (int id = of_field_set_next(&present, 0); id < OFF_N_FIELDS;
         id = of_field_set_next(&present, id + 1)) {
        const struct of_field_desc *f = of_field_by_id(id), *alias;
        unsigned int group = of_field_group(f);
        union of_value v, mask;

        if (id >= OFF_ETH_SRC && !vlan_done) {
            format_vlan(b, start, m);       /* Where OVS puts it. */
            vlan_done = true;
        }
        if (done[id] || (group && done_groups & (UINT32_C(1) << group))) {
            continue;
        }
        alias = ofmatch_field_alias(m, f);
        alias = alias ? alias : f;
        if (id != OFF_IP_ECN) {
            done_groups |= UINT32_C(1) << group;
        }
        ofmatch_get(m, alias, &v, &mask);
        sep(b, start);
        buf_put_cstr(b, alias->name);
        buf_put_char(b, '=');
        format_value(b, alias, &v, &mask, map);
    }
    if (!vlan_done) {
        format_vlan(b, start, m);
    }
}

/* ---- Actions ----------------------------------------------------------------- */

/* The name that names 'f' alone (udp_src rather than the shared tp_src). */
static const char *
unique_name(const struct of_field_desc *f)
{
    return of_field_by_name(f->name) == f || !f->alt_name ? f->name : f->alt_name;
}

static const char *
nxm_or_name(const struct of_field_desc *f)
{
    return f->nxm_name ? f->nxm_name : f->name;
}

static void
format_subfield(struct buf *b, enum of_field_id id, unsigned int ofs, unsigned int n_bits)
{
    const struct of_field_desc *f = of_field_by_id(id);

    buf_put_cstr(b, nxm_or_name(f));
    if (ofs == 0 && n_bits == f->n_bytes * 8) {
        buf_put_cstr(b, "[]");
    } else if (n_bits == 1) {
        buf_printf(b, "[%u]", ofs);
    } else {
        buf_printf(b, "[%u..%u]", ofs, ofs + n_bits - 1);
    }
}

/* A run of 1-bits in a mask: its offset and length, or false. */
static bool
mask_run(const struct of_field_desc *f, const union of_value *m, unsigned int *ofs,
         unsigned int *n_bits)
{
    unsigned int total = f->n_bytes * 8, i = 0;

#define BIT(I) (m->u8[f->n_bytes - 1 - (I) / 8] >> ((I) % 8) & 1)
    while (i < total && !BIT(i)) {
        i++;
    }
    *ofs = i;
    while (i < total && BIT(i)) {
        i++;
    }
    *n_bits = i - *ofs;
    while (i < total && !BIT(i)) {
        i++;
    }
#undef BIT
    return i == total && *n_bits > 0 && *n_bits <= 64;
}

static void
format_set_field(struct buf *b, const struct ofpact *a, const struct ofp_port_map *map)
{
    static const struct { enum of_field_id id; const char *name; } mods[] = {
        { OFF_ETH_SRC, "mod_dl_src" }, { OFF_ETH_DST, "mod_dl_dst" },
        { OFF_IPV4_SRC, "mod_nw_src" }, { OFF_IPV4_DST, "mod_nw_dst" },
        { OFF_NW_TOS, "mod_nw_tos" }, { OFF_TCP_SRC, "mod_tp_src" }, { OFF_TCP_DST, "mod_tp_dst" },
    };
    const struct of_field_desc *f = of_field_by_id(a->set_field.field);
    unsigned int ofs, n_bits;
    union of_value exact;

    if (!f) {
        buf_put_cstr(b, "set_field:?");
        return;
    }
    of_field_exact_mask(f, &exact);
    if (!memcmp(exact.u8, a->set_field.mask.u8, f->n_bytes)) {
        for (size_t i = 0; i < ARRAY_SIZE(mods); i++) {
            if (mods[i].id == f->id) {
                buf_printf(b, "%s:", mods[i].name);
                format_value(b, f, &a->set_field.value, NULL, map);
                return;
            }
        }
        buf_put_cstr(b, "set_field:");
        format_value(b, f, &a->set_field.value, NULL, map);
        buf_printf(b, "->%s", unique_name(f));
    } else if (mask_run(f, &a->set_field.mask, &ofs, &n_bits)) {
        uint64_t value = 0;

        for (unsigned int i = n_bits; i-- > 0;) {
            unsigned int bit = ofs + i;

            value = value << 1 | (a->set_field.value.u8[f->n_bytes - 1 - bit / 8] >> (bit % 8) & 1);
        }
        buf_printf(b, "load:0x%" PRIx64 "->", value);
        format_subfield(b, f->id, ofs, n_bits);
    } else {
        buf_put_cstr(b, "set_field:");
        format_value(b, f, &a->set_field.value, &a->set_field.mask, map);
        buf_printf(b, "->%s", unique_name(f));
    }
}

static void
format_output(struct buf *b, uint32_t port, const struct ofp_port_map *map)
{
    if (port >= OFPP13_IN_PORT && port != OFPP13_ANY) {
        ofp_format_port(b, port, map);
    } else {
        buf_put_cstr(b, "output:");
        ofp_format_port(b, port, map);
    }
}

static void
format_controller(struct buf *b, const struct ofpact *a)
{
    static const char *const reasons[] = { "no_match", "action", "invalid_ttl" };

    if (a->controller.reason == OFPR_ACTION) {
        buf_printf(b, "CONTROLLER:%u", a->controller.max_len);
    } else {
        buf_printf(b, "controller(max_len=%u", a->controller.max_len);
        if (a->controller.reason < ARRAY_SIZE(reasons)) {
            buf_printf(b, ",reason=%s", reasons[a->controller.reason]);
        }
        buf_put_char(b, ')');
    }
}

static void
format_resubmit(struct buf *b, const struct ofpact *a, const struct ofp_port_map *map)
{
    if (a->resubmit.table == 255) {
        buf_put_cstr(b, "resubmit:");
        ofp_format_port(b, a->resubmit.in_port, map);
        return;
    }
    buf_put_cstr(b, "resubmit(");
    if (a->resubmit.in_port != OFPP13_IN_PORT) {
        ofp_format_port(b, a->resubmit.in_port, map);
    }
    buf_printf(b, ",%u)", a->resubmit.table);
}

static void
format_action(struct buf *b, const struct ofpact *a, const struct ofp_port_map *map)
{
    switch (a->type) {
    case OFPACT_OUTPUT: format_output(b, a->output.port, map); break;
    case OFPACT_CONTROLLER: format_controller(b, a); break;
    case OFPACT_SET_VLAN_VID: buf_printf(b, "mod_vlan_vid:%u", a->vlan_vid); break;
    case OFPACT_SET_VLAN_PCP: buf_printf(b, "mod_vlan_pcp:%u", a->vlan_pcp); break;
    case OFPACT_STRIP_VLAN: buf_put_cstr(b, "strip_vlan"); break;
    case OFPACT_PUSH_VLAN: buf_printf(b, "push_vlan:0x%04x", a->push_vlan_tpid); break;
    case OFPACT_SET_FIELD: format_set_field(b, a, map); break;
    case OFPACT_REG_MOVE:
        buf_put_cstr(b, "move:");
        format_subfield(b, a->reg_move.src, a->reg_move.src_ofs, a->reg_move.n_bits);
        buf_put_cstr(b, "->");
        format_subfield(b, a->reg_move.dst, a->reg_move.dst_ofs, a->reg_move.n_bits);
        break;
    case OFPACT_DEC_TTL: buf_put_cstr(b, "dec_ttl"); break;
    case OFPACT_RESUBMIT: format_resubmit(b, a, map); break;
    case OFPACT_GROUP: buf_printf(b, "group:%" PRIu32, a->group_id); break;
    case OFPACT_METER: buf_printf(b, "meter:%" PRIu32, a->meter_id); break;
    case OFPACT_GOTO_TABLE: buf_printf(b, "goto_table:%u", a->goto_table); break;
    case OFPACT_WRITE_METADATA:
        buf_printf(b, "write_metadata:0x%" PRIx64, a->metadata.value);
        if (a->metadata.mask != UINT64_MAX) {
            buf_printf(b, "/0x%" PRIx64, a->metadata.mask);
        }
        break;
    case OFPACT_CLEAR_ACTIONS: buf_put_cstr(b, "clear_actions"); break;
    case OFPACT_WRITE_ACTIONS:
        buf_put_cstr(b, "write_actions(");
        ofp_format_actions(b, a->nested, map);
        buf_put_char(b, ')');
        break;
    }
}

void
ofp_format_actions(struct buf *b, const struct ofpacts *acts, const struct ofp_port_map *map)
{
    if (!acts->n) {
        buf_put_cstr(b, "drop");
    }
    for (size_t i = 0; i < acts->n; i++) {
        if (i) {
            buf_put_char(b, ',');
        }
        format_action(b, &acts->acts[i], map);
    }
}

/* ---- Flows ------------------------------------------------------------------- */

static void
format_flags(struct buf *b, uint16_t flags)
{
    static const struct { uint16_t flag; const char *name; } names[] = {
        { OFPFF_SEND_FLOW_REM, "send_flow_rem" }, { OFPFF_CHECK_OVERLAP, "check_overlap" },
        { OFPFF_RESET_COUNTS, "reset_counts" }, { OFPFF_NO_PKT_COUNTS, "no_packet_counts" },
        { OFPFF_NO_BYT_COUNTS, "no_byte_counts" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (flags & names[i].flag) {
            buf_printf(b, "%s ", names[i].name);
        }
    }
}

/* "priority=N,MATCH" (priority left out when it is the default), then
 * " actions=..." or "actions=..." when nothing came before. */
static void
format_rule(struct buf *b, uint16_t priority, const struct ofmatch *m,
            const struct ofpacts *acts, const struct ofp_port_map *map, bool bare_start)
{
    size_t start = b->size;

    if (priority != OFP_DEFAULT_PRIORITY) {
        buf_put_cstr(b, "priority=");
        buf_put_uint(b, priority);
    }
    sep(b, start);
    ofp_format_match(b, m, map);
    if (b->size > start && b->data[b->size - 1] == ',') {
        b->data[--b->size] = '\0';
    }
    buf_put_cstr(b, b->size > start || !bare_start ? " actions=" : "actions=");
    ofp_format_actions(b, acts, map);
}

void
ofp_format_flow_stats(struct buf *b, const struct ofp_flow_stats *fs,
                      const struct ofp_port_map *map)
{
    unsigned int msec = fs->duration_nsec / 1000000;

    /* By hand rather than one printf: this line is written once per flow
     * of a dump, and vfprintf was most of the time of formatting it. */
    buf_put_cstr(b, " cookie=0x");
    buf_put_hex(b, fs->cookie);
    buf_put_cstr(b, ", duration=");
    buf_put_uint(b, fs->duration_sec);
    buf_put_char(b, '.');
    if (msec < 100) {
        buf_put_cstr(b, msec < 10 ? "00" : "0");
    }
    buf_put_uint(b, msec);
    buf_put_cstr(b, "s, table=");
    buf_put_uint(b, fs->table_id);
    buf_put_cstr(b, ", n_packets=");
    buf_put_uint(b, fs->packet_count);
    buf_put_cstr(b, ", n_bytes=");
    buf_put_uint(b, fs->byte_count);
    buf_put_cstr(b, ", ");
    if (fs->idle_timeout) {
        buf_printf(b, "idle_timeout=%u, ", fs->idle_timeout);
    }
    if (fs->hard_timeout) {
        buf_printf(b, "hard_timeout=%u, ", fs->hard_timeout);
    }
    format_flags(b, fs->flags);
    /* OVS prints "n_bytes=0, actions=" for a catch-all at the default
     * priority: no extra space. */
    {
        size_t before = b->size;

        format_rule(b, fs->priority, &fs->match, &fs->ofpacts, map, true);
        if (b->data[before] == ' ') {
            memmove(b->data + before, b->data + before + 1, b->size - before);
            b->size--;
        }
    }
}

void
ofp_format_flow_mod(struct buf *b, const struct ofp_flow_mod *fm, const struct ofp_port_map *map)
{
    if (fm->table_id != OFPTT_ALL) {
        buf_printf(b, "table=%u,", fm->table_id);
    }
    if (fm->cookie || fm->cookie_mask) {
        buf_printf(b, "cookie=0x%" PRIx64, fm->cookie);
        if (fm->command != OFPFC_ADD) {
            buf_printf(b, "/0x%" PRIx64, fm->cookie_mask);
        }
        buf_put_char(b, ',');
    }
    if (fm->idle_timeout) {
        buf_printf(b, "idle_timeout=%u,", fm->idle_timeout);
    }
    if (fm->hard_timeout) {
        buf_printf(b, "hard_timeout=%u,", fm->hard_timeout);
    }
    for (uint16_t bit = 1; bit <= OFPFF_NO_BYT_COUNTS; bit <<= 1) {
        if (fm->flags & bit) {
            format_flags(b, bit);
            b->data[b->size - 1] = ',';
        }
    }
    if (fm->out_port != OFPP13_ANY) {
        buf_put_cstr(b, "out_port=");
        ofp_format_port(b, fm->out_port, map);
        buf_put_char(b, ',');
    }
    buf_printf(b, "priority=%u", fm->priority);
    {
        struct buf match = BUF_INITIALIZER;

        ofp_format_match(&match, &fm->match, map);
        if (match.size) {
            buf_printf(b, ",%s", buf_cstr(&match));
        }
        buf_uninit(&match);
    }
    if (fm->command != OFPFC_DELETE && fm->command != OFPFC_DELETE_STRICT) {
        buf_put_cstr(b, ",actions=");
        ofp_format_actions(b, &fm->ofpacts, map);
    }
}

void
ofp_flow_stats_to_json(struct json_writer *j, const struct ofp_flow_stats *fs,
                       const struct ofp_port_map *map)
{
    struct buf text = BUF_INITIALIZER;
    char cookie[32];

    json_object_begin(j);
    snprintf(cookie, sizeof cookie, "0x%" PRIx64, fs->cookie);
    json_kv_string(j, "cookie", cookie);
    json_key(j, "duration");
    json_double(j, fs->duration_sec + fs->duration_nsec / 1e9);
    json_kv_uint(j, "table", fs->table_id);
    json_kv_uint(j, "priority", fs->priority);
    json_kv_uint(j, "n_packets", fs->packet_count);
    json_kv_uint(j, "n_bytes", fs->byte_count);
    json_kv_uint(j, "idle_timeout", fs->idle_timeout);
    json_kv_uint(j, "hard_timeout", fs->hard_timeout);
    ofp_format_match(&text, &fs->match, map);
    json_kv_string(j, "match", buf_cstr(&text));
    buf_clear(&text);
    ofp_format_actions(&text, &fs->ofpacts, map);
    json_kv_string(j, "actions", buf_cstr(&text));
    json_object_end(j);
    buf_uninit(&text);
}

/* ---- Any message -------------------------------------------------------------- */

static void
format_port_desc(struct buf *b, const struct ofp_port *p)
{
    buf_put_cstr(b, " ");
    ofp_format_port(b, p->port_no, NULL);
    buf_printf(b, "(%s): addr:", p->name);
    ofp_format_mac(b, p->hw_addr);
    buf_printf(b, "\n     config:     %s\n     state:      %s\n",
               p->config & OFPPC_PORT_DOWN ? "PORT_DOWN" : "0",
               p->state & OFPPS_LINK_DOWN ? "LINK_DOWN" : "0");
    if (p->curr_speed || p->max_speed) {
        buf_printf(b, "     speed: %" PRIu32 " Mbps now, %" PRIu32 " Mbps max\n",
                   p->curr_speed / 1000, p->max_speed / 1000);
    }
}

static void
format_flow_mod_msg(struct buf *b, const struct ofp_flow_mod *fm, const struct ofp_port_map *map)
{
    static const char *const commands[] = { "ADD", "MOD", "MOD_STRICT", "DEL", "DEL_STRICT" };

    buf_printf(b, " %s ", fm->command < ARRAY_SIZE(commands) ? commands[fm->command] : "?");
    ofp_format_flow_mod(b, fm, map);
    buf_put_char(b, '\n');
}

static void
format_msg_body(struct buf *b, const struct ofp_msg *m, const struct ofp_port_map *map)
{
    switch (m->type) {
    case OFPTYPE_HELLO:
        buf_printf(b, " version bitmap: 0x%" PRIx32 "\n", m->hello.version_bitmap);
        break;
    case OFPTYPE_ERROR:
        buf_put_char(b, ' ');
        if (m->error.error) {
            ofp_error_format(b, m->error.error);
        } else {
            buf_printf(b, "type %u code %u", m->error.type, m->error.code);
        }
        buf_put_char(b, '\n');
        break;
    case OFPTYPE_FEATURES_REPLY:
        buf_printf(b, " dpid:%016" PRIx64 "\nn_tables:%u, n_buffers:%" PRIu32 "\n",
                   m->features.datapath_id, m->features.n_tables, m->features.n_buffers);
        for (size_t i = 0; i < m->features.n_ports; i++) {
            format_port_desc(b, &m->features.ports[i]);
        }
        break;
    case OFPTYPE_PACKET_IN:
        buf_printf(b, " total_len=%u in_port=", m->packet_in.total_len);
        ofp_format_port(b, m->packet_in.match.value.pkt.in_port, map);
        buf_printf(b, " (via %s) data_len=%zu table_id=%u cookie=0x%" PRIx64 "\n",
                   m->packet_in.reason == OFPR_NO_MATCH ? "no_match" : "action",
                   m->packet_in.size, m->packet_in.table_id, m->packet_in.cookie);
        break;
    case OFPTYPE_FLOW_REMOVED:
        buf_put_char(b, ' ');
        ofp_format_match(b, &m->flow_removed.match, map);
        buf_printf(b, " reason=%s table_id=%u duration%" PRIu32 "s pkts%" PRIu64 " bytes%"
                   PRIu64 "\n", m->flow_removed.reason == OFPRR_IDLE_TIMEOUT ? "idle"
                   : m->flow_removed.reason == OFPRR_HARD_TIMEOUT ? "hard" : "delete",
                   m->flow_removed.table_id, m->flow_removed.duration_sec,
                   m->flow_removed.packet_count, m->flow_removed.byte_count);
        break;
    case OFPTYPE_PORT_STATUS:
        buf_printf(b, " %s:", m->port_status.reason == OFPPR_ADD ? "ADD"
                   : m->port_status.reason == OFPPR_DELETE ? "DEL" : "MOD");
        format_port_desc(b, &m->port_status.desc);
        break;
    case OFPTYPE_PACKET_OUT:
        buf_put_cstr(b, " in_port=");
        ofp_format_port(b, m->packet_out.in_port, map);
        buf_put_cstr(b, " actions=");
        ofp_format_actions(b, &m->packet_out.ofpacts, map);
        buf_printf(b, " data_len=%zu\n", m->packet_out.size);
        break;
    case OFPTYPE_FLOW_MOD:
        format_flow_mod_msg(b, &m->flow_mod, map);
        break;
    case OFPTYPE_FLOW_STATS_REPLY:
        buf_put_char(b, '\n');
        for (size_t i = 0; i < m->flow_stats.n; i++) {
            ofp_format_flow_stats(b, &m->flow_stats.flows[i], map);
            buf_put_char(b, '\n');
        }
        break;
    case OFPTYPE_ROLE_REQUEST: case OFPTYPE_ROLE_REPLY:
        buf_printf(b, " role=%" PRIu32 " generation_id=%" PRIu64 "\n", m->role.role,
                   m->role.generation_id);
        break;
    default:
        buf_put_char(b, '\n');
        break;
    }
}

void
ofp_format_msg(struct buf *b, const struct ofp_msg *m, const struct ofp_port_map *map)
{
    buf_printf(b, "OFPT_%s (%s) (xid=0x%" PRIx32 "):", ofptype_name(m->type),
               m->version == OFP10_VERSION ? "OF1.0" : m->version == OFP13_VERSION ? "OF1.3"
               : "OF?", m->xid);
    format_msg_body(b, m, map);
}
