/* ofp-parse: ovs-ofctl flow text -> struct ofp_flow_mod (see ofp-parse.h).
 *
 * The text is split into words at commas and spaces that are not inside
 * parentheses or brackets; "actions=" takes the rest of the line. Field
 * values go through the field table's format (of-fields.c), so a field
 * added there is parsed here without a change. */
#include "ofp-parse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ofp-wire.h"

/* ---- Words ----------------------------------------------------------------- */

/* Cuts the next word off '*s' (at a top-level ',' or white space), returns
 * it NUL-terminated in place, or NULL at the end. */
static char *
next_word(char **s)
{
    char *p = *s, *start;
    int depth = 0;

    while (*p == ',' || isspace((unsigned char) *p)) {
        p++;
    }
    if (!*p) {
        *s = p;
        return NULL;
    }
    start = p;
    for (; *p; p++) {
        if (*p == '(' || *p == '[') {
            depth++;
        } else if ((*p == ')' || *p == ']') && depth > 0) {
            depth--;
        } else if (!depth && (*p == ',' || isspace((unsigned char) *p))) {
            break;
        }
    }
    if (*p) {
        *p++ = '\0';
    }
    *s = p;
    return start;
}

static int
parse_error(struct buf *error, const char *fmt, const char *word)
{
    buf_printf(error, fmt, word);
    return EINVAL;
}

static bool
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    return str_to_u64(s, 0, 0, max, out);
}

/* ---- Ports ----------------------------------------------------------------- */

static const struct {
    const char *name;
    uint32_t port;
} port_names[] = {
    { "IN_PORT", OFPP13_IN_PORT }, { "TABLE", OFPP13_TABLE }, { "NORMAL", OFPP13_NORMAL },
    { "FLOOD", OFPP13_FLOOD }, { "ALL", OFPP13_ALL }, { "CONTROLLER", OFPP13_CONTROLLER },
    { "LOCAL", OFPP13_LOCAL }, { "ANY", OFPP13_ANY }, { "NONE", OFPP13_ANY },
};

int
ofp_parse_port(const char *s, const struct ofp_port_map *map, uint32_t *port,
               struct buf *error)
{
    uint64_t n;

    for (size_t i = 0; i < ARRAY_SIZE(port_names); i++) {
        if (!strcasecmp(s, port_names[i].name)) {
            *port = port_names[i].port;
            return 0;
        }
    }
    for (size_t i = 0; map && i < map->n; i++) {
        if (!strcmp(s, map->ports[i].name)) {
            *port = map->ports[i].port_no;
            return 0;
        }
    }
    if (parse_u64(s, UINT32_MAX, &n)) {
        *port = n;
        return 0;
    }
    return parse_error(error, "%s: unknown port (expected a number, a port name, LOCAL, "
                       "IN_PORT, NORMAL, FLOOD, ALL, CONTROLLER, TABLE or ANY)", s);
}

/* ---- Field values ----------------------------------------------------------- */

static void
uint_to_value(union of_value *v, unsigned int n_bytes, uint64_t x)
{
    memset(v, 0, sizeof *v);
    for (unsigned int i = n_bytes; i-- > 0 && i < 16; x >>= 8) {
        v->u8[i] = x;
    }
}

static bool
parse_mac(const char *s, uint8_t mac[6])
{
    unsigned int b[6];
    char extra;

    if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
               &extra) != 6) {
        return false;
    }
    for (int i = 0; i < 6; i++) {
        if (b[i] > 255) {
            return false;
        }
        mac[i] = b[i];
    }
    return true;
}

/* A prefix length as a mask of 'n_bytes' bytes. */
static bool
prefix_mask(const char *s, unsigned int n_bytes, union of_value *mask)
{
    unsigned int len;

    if (!str_to_uint(s, 0, n_bytes * 8, &len)) {
        return false;
    }
    memset(mask, 0, sizeof *mask);
    for (unsigned int i = 0; i < len; i++) {
        mask->u8[i / 8] |= 0x80 >> (i % 8);
    }
    return true;
}

static bool
parse_addr(const struct of_field_desc *f, const char *s, union of_value *v)
{
    memset(v, 0, sizeof *v);
    return inet_pton(f->format == OFF_FMT_IPV4 ? AF_INET : AF_INET6, s, v->u8) == 1;
}

static const struct {
    const char *name;
    uint8_t value, mask;
} frag_names[] = {
    { "no", 0, 1 }, { "yes", 1, 1 }, { "first", 1, 3 }, { "later", 3, 3 }, { "not_later", 0, 2 },
};

/* Parses one value (no mask) of field 'f'. */
static bool
parse_one_value(const struct of_field_desc *f, const char *s, const struct ofp_port_map *map,
                union of_value *v)
{
    uint64_t n;
    uint32_t port;
    struct buf ignored = BUF_INITIALIZER;
    bool ok;

    switch (f->format) {
    case OFF_FMT_MAC:
        memset(v, 0, sizeof *v);
        return parse_mac(s, v->u8);
    case OFF_FMT_IPV4: case OFF_FMT_IPV6:
        return parse_addr(f, s, v);
    case OFF_FMT_PORT:
        ok = !ofp_parse_port(s, map, &port, &ignored);
        buf_uninit(&ignored);
        uint_to_value(v, f->n_bytes, port);
        return ok;
    default:
        if (!parse_u64(s, f->n_bits >= 64 ? UINT64_MAX : (1ull << f->n_bits) - 1, &n)
            && !(f->n_bytes * 8 > f->n_bits && parse_u64(s, (1ull << (f->n_bytes * 8)) - 1, &n)
                 && f->id == OFF_VLAN_VID)) {
            return false;
        }
        uint_to_value(v, f->n_bytes, n);
        return true;
    }
}

static int
parse_field_value(const struct of_field_desc *f, const char *text,
                  const struct ofp_port_map *map, union of_value *v, union of_value **mask,
                  union of_value *mask_buf, struct buf *error)
{
    char *copy = xstrdup(text), *slash = strchr(copy, '/');
    int status = 0;

    *mask = NULL;
    if (f->format == OFF_FMT_FRAG && !slash) {
        for (size_t i = 0; i < ARRAY_SIZE(frag_names); i++) {
            if (!strcmp(copy, frag_names[i].name)) {
                uint_to_value(v, 1, frag_names[i].value);
                uint_to_value(mask_buf, 1, frag_names[i].mask);
                *mask = mask_buf;
                free(copy);
                return 0;
            }
        }
    }
    if (slash) {
        *slash++ = '\0';
    }
    if (!parse_one_value(f, copy, map, v)) {
        status = parse_error(error, "%s: bad value", text);
    } else if (slash && !f->maskable && f->format != OFF_FMT_FRAG) {
        status = parse_error(error, "%s: this field cannot be masked", text);
    } else if (slash) {
        *mask = mask_buf;
        if ((f->format == OFF_FMT_IPV4 || f->format == OFF_FMT_IPV6)
            && !strchr(slash, f->format == OFF_FMT_IPV4 ? '.' : ':')) {
            if (!prefix_mask(slash, f->n_bytes, mask_buf)) {
                status = parse_error(error, "%s: bad prefix length", text);
            }
        } else if (f->format == OFF_FMT_PORT || !parse_one_value(f, slash, map, mask_buf)) {
            status = parse_error(error, "%s: bad mask", text);
        }
    }
    free(copy);
    return status;
}

/* ---- Matches ----------------------------------------------------------------- */

static void
set_exact(struct ofmatch *m, enum of_field_id id, uint64_t value)
{
    const struct of_field_desc *f = of_field_by_id(id);
    union of_value v;

    uint_to_value(&v, f->n_bytes, value);
    ofmatch_set(m, f, &v, NULL);
}

static const struct {
    const char *name;
    uint16_t eth_type;
    uint8_t proto;              /* 0: none. */
} shorthands[] = {
    { "ip", 0x0800, 0 }, { "ipv6", 0x86dd, 0 }, { "arp", 0x0806, 0 },
    { "tcp", 0x0800, 6 }, { "udp", 0x0800, 17 }, { "icmp", 0x0800, 1 }, { "sctp", 0x0800, 132 },
    { "tcp6", 0x86dd, 6 }, { "udp6", 0x86dd, 17 }, { "icmp6", 0x86dd, 58 },
    { "sctp6", 0x86dd, 132 },
};

static bool
parse_shorthand(const char *word, struct ofmatch *m)
{
    for (size_t i = 0; i < ARRAY_SIZE(shorthands); i++) {
        if (!strcmp(word, shorthands[i].name)) {
            set_exact(m, OFF_ETH_TYPE, shorthands[i].eth_type);
            if (shorthands[i].proto) {
                set_exact(m, OFF_IP_PROTO, shorthands[i].proto);
            }
            return true;
        }
    }
    return false;
}

/* dl_vlan and dl_vlan_pcp, which OpenFlow 1.0 users know: they imply a
 * tag (dl_vlan=0xffff means "no tag"). */
static int
parse_dl_vlan(struct ofmatch *m, const char *key, const char *value, struct buf *error)
{
    uint64_t n;
    uint16_t *tci = &m->value.pkt.vlans[0].tci, *mask = &m->mask.pkt.vlans[0].tci;

    if (!strcmp(key, "dl_vlan")) {
        if (!parse_u64(value, 0xffff, &n) || (n > 0xfff && n != 0xffff)) {
            return parse_error(error, "dl_vlan=%s: expected a VLAN ID 0-4095 or 0xffff", value);
        } else if (n == 0xffff) {
            *tci = 0;
            *mask = 0xffff;
        } else {
            *tci = (*tci & 0xe000) | FLOWKEY_VLAN_PRESENT | n;
            *mask |= 0x1fff;
        }
    } else {
        if (!parse_u64(value, 7, &n)) {
            return parse_error(error, "dl_vlan_pcp=%s: expected a priority 0-7", value);
        }
        *tci = (*tci & 0x0fff) | FLOWKEY_VLAN_PRESENT | n << FLOWKEY_VLAN_PCP_SHIFT;
        *mask |= 0xf000;
    }
    return 0;
}

static int
parse_tcp_flags(const char *value, union of_value *v, union of_value *mask)
{
    static const char *const names[] = { "fin", "syn", "rst", "psh", "ack", "urg", "ece",
                                         "cwr", "ns" };
    const char *p = value;
    uint16_t val = 0, mk = 0;

    while (*p == '+' || *p == '-') {
        bool set = *p++ == '+';
        size_t i;

        for (i = 0; i < ARRAY_SIZE(names); i++) {
            size_t len = strlen(names[i]);

            if (!strncmp(p, names[i], len) && (!p[len] || p[len] == '+' || p[len] == '-')) {
                break;
            }
        }
        if (i == ARRAY_SIZE(names)) {
            return EINVAL;
        }
        mk |= 1u << i;
        val = set ? val | 1u << i : val & ~(1u << i);
        p += strlen(names[i]);
    }
    if (*p || p == value) {
        return EINVAL;
    }
    uint_to_value(v, 2, val);
    uint_to_value(mask, 2, mk);
    return 0;
}

static int
parse_match_field(struct ofmatch *m, const char *key, const char *value,
                  const struct ofp_port_map *map, struct buf *error)
{
    const struct of_field_desc *f;
    union of_value v, mask_buf, *mask;

    if (!strcmp(key, "dl_vlan") || !strcmp(key, "dl_vlan_pcp")) {
        return parse_dl_vlan(m, key, value, error);
    }
    f = of_field_by_name(key);
    if (!f) {
        return parse_error(error, "%s: unknown field or keyword", key);
    }
    if (f->id == OFF_TCP_FLAGS && (*value == '+' || *value == '-')) {
        if (parse_tcp_flags(value, &v, &mask_buf)) {
            return parse_error(error, "tcp_flags=%s: expected +flag-flag... (fin, syn, rst, "
                               "psh, ack, urg, ece, cwr, ns) or VALUE/MASK", value);
        }
        ofmatch_set(m, f, &v, &mask_buf);
        return 0;
    }
    if (parse_field_value(f, value, map, &v, &mask, &mask_buf, error)) {
        return EINVAL;
    }
    if (f->id == OFF_VLAN_VID && !mask) {
        v.be16[0] |= htons(FLOWKEY_VLAN_PRESENT);
    }
    ofmatch_set(m, f, &v, mask);
    return 0;
}

/* ---- Actions ----------------------------------------------------------------- */

/* "NXM_NX_REG0[0..15]", "NXM_NX_REG0[]", "reg0[5]": a field and bit range. */
static int
parse_subfield(const char *s, enum of_field_id *id, unsigned int *ofs, unsigned int *n_bits,
               struct buf *error)
{
    char *copy = xstrdup(s), *bracket = strchr(copy, '[');
    const struct of_field_desc *f;
    unsigned int start, end;
    int status = 0;

    if (bracket) {
        *bracket++ = '\0';
    }
    f = of_field_by_name(copy);
    if (!f) {
        status = parse_error(error, "%s: unknown field", s);
    } else if (!bracket || !strcmp(bracket, "]")) {
        *ofs = 0;
        *n_bits = f->n_bytes * 8;
    } else if (sscanf(bracket, "%u..%u]", &start, &end) == 2 && start <= end
               && end < f->n_bytes * 8) {
        *ofs = start;
        *n_bits = end - start + 1;
    } else if (sscanf(bracket, "%u]", &start) == 1 && start < f->n_bytes * 8
               && !strchr(bracket, '.')) {
        *ofs = start;
        *n_bits = 1;
    } else {
        status = parse_error(error, "%s: bad bit range (expected FIELD[], FIELD[BIT] or "
                             "FIELD[START..END])", s);
    }
    if (!status) {
        *id = f->id;
    }
    free(copy);
    return status;
}

/* A load may only write the field's significant bits: FIELD[] means all
 * of them (3 for vlan_pcp), an explicit range must stay inside them. */
static int
check_load_bits(const char *arg, const struct of_field_desc *f, union of_value *value,
                union of_value *mask, bool whole, struct buf *error)
{
    union of_value exact;

    of_field_exact_mask(f, &exact);
    for (unsigned int i = 0; i < f->n_bytes; i++) {
        if (whole) {
            if (value->u8[i] & ~exact.u8[i]) {
                return parse_error(error, "load:%s: value does not fit in the field", arg);
            }
            mask->u8[i] &= exact.u8[i];
        } else if (mask->u8[i] & ~exact.u8[i]) {
            return parse_error(error, "load:%s: bits outside the field", arg);
        }
    }
    return 0;
}

static int
parse_load(const char *arg, struct ofpacts *acts, struct buf *error)
{
    const char *arrow = strstr(arg, "->");
    struct ofpact *a;
    enum of_field_id id;
    unsigned int ofs, n_bits;
    uint64_t value;
    char *vtext;
    bool ok;

    if (!arrow) {
        return parse_error(error, "load:%s: expected load:VALUE->FIELD[START..END]", arg);
    } else if (parse_subfield(arrow + 2, &id, &ofs, &n_bits, error)) {
        return EINVAL;
    }
    vtext = xstrndup(arg, arrow - arg);
    ok = parse_u64(vtext, n_bits >= 64 ? UINT64_MAX : (1ull << n_bits) - 1, &value);
    free(vtext);
    if (!ok || n_bits > 64) {
        return parse_error(error, "load:%s: value does not fit in the bits", arg);
    } else if (!of_field_by_id(id)->writable) {
        return parse_error(error, "load:%s: field is read-only", arg);
    }
    a = ofpacts_put(acts, OFPACT_SET_FIELD);
    a->set_field.field = id;
    for (unsigned int i = 0; i < n_bits; i++) {
        unsigned int bit = ofs + i, byte = of_field_by_id(id)->n_bytes - 1 - bit / 8;

        a->set_field.mask.u8[byte] |= 1u << (bit % 8);
        if (value >> i & 1) {
            a->set_field.value.u8[byte] |= 1u << (bit % 8);
        }
    }
    return check_load_bits(arg, of_field_by_id(id), &a->set_field.value, &a->set_field.mask,
                           ofs == 0 && n_bits == of_field_by_id(id)->n_bytes * 8, error);
}

static int
parse_move(const char *arg, struct ofpacts *acts, struct buf *error)
{
    const char *arrow = strstr(arg, "->");
    unsigned int src_ofs, dst_ofs, src_bits, dst_bits;
    enum of_field_id src, dst;
    struct ofpact *a;
    char *stext;
    int status;

    if (!arrow) {
        return parse_error(error, "move:%s: expected move:SRC[..]->DST[..]", arg);
    }
    stext = xstrndup(arg, arrow - arg);
    status = parse_subfield(stext, &src, &src_ofs, &src_bits, error);
    free(stext);
    if (status || parse_subfield(arrow + 2, &dst, &dst_ofs, &dst_bits, error)) {
        return EINVAL;
    } else if (src_bits != dst_bits) {
        return parse_error(error, "move:%s: source and destination differ in width", arg);
    } else if (!of_field_by_id(dst)->writable) {
        return parse_error(error, "move:%s: destination is read-only", arg);
    }
    a = ofpacts_put(acts, OFPACT_REG_MOVE);
    a->reg_move.src = src;
    a->reg_move.dst = dst;
    a->reg_move.src_ofs = src_ofs;
    a->reg_move.dst_ofs = dst_ofs;
    a->reg_move.n_bits = src_bits;
    return 0;
}

static int
parse_set_field(const char *arg, const struct ofp_port_map *map, struct ofpacts *acts,
                struct buf *error)
{
    const char *arrow = strstr(arg, "->");
    const struct of_field_desc *f = arrow ? of_field_by_name(arrow + 2) : NULL;
    union of_value v, mask_buf, *mask;
    struct ofpact *a;
    char *vtext;
    int status;

    if (!arrow) {
        return parse_error(error, "set_field:%s: expected set_field:VALUE[/MASK]->FIELD", arg);
    } else if (!f) {
        return parse_error(error, "set_field:%s: unknown field", arg);
    } else if (!f->writable) {
        return parse_error(error, "set_field:%s: field is read-only", arg);
    }
    vtext = xstrndup(arg, arrow - arg);
    status = parse_field_value(f, vtext, map, &v, &mask, &mask_buf, error);
    free(vtext);
    if (status) {
        return EINVAL;
    }
    if (f->id == OFF_VLAN_VID && !mask) {
        v.be16[0] |= htons(FLOWKEY_VLAN_PRESENT);
    }
    a = ofpacts_put(acts, OFPACT_SET_FIELD);
    a->set_field.field = f->id;
    if (mask) {
        a->set_field.mask = *mask;
    } else {
        of_field_exact_mask(f, &a->set_field.mask);
    }
    for (unsigned int i = 0; i < f->n_bytes; i++) {
        a->set_field.value.u8[i] = v.u8[i] & a->set_field.mask.u8[i];
    }
    if (of_value_is_zero(f, &a->set_field.mask)) {
        return parse_error(error, "set_field:%s: empty mask", arg);
    }
    return 0;
}

/* mod_dl_src:MAC and friends: a full set_field of one field. */
static int
parse_mod(enum of_field_id id, const char *arg, const struct ofp_port_map *map,
          struct ofpacts *acts, struct buf *error)
{
    const struct of_field_desc *f = of_field_by_id(id);
    union of_value v;
    struct ofpact *a;

    if (!parse_one_value(f, arg, map, &v)) {
        return parse_error(error, "%s: bad value", arg);
    }
    a = ofpacts_put(acts, OFPACT_SET_FIELD);
    a->set_field.field = id;
    a->set_field.value = v;
    of_field_exact_mask(f, &a->set_field.mask);
    return 0;
}

static int
parse_resubmit(const char *word, const struct ofp_port_map *map, struct ofpacts *acts,
               struct buf *error)
{
    struct ofpact *a = ofpacts_put(acts, OFPACT_RESUBMIT);
    uint64_t table = 255;

    a->resubmit.in_port = OFPP13_IN_PORT;
    a->resubmit.table = 255;
    if (!strncmp(word, "resubmit:", 9)) {
        return ofp_parse_port(word + 9, map, &a->resubmit.in_port, error);
    } else {
        char *copy = xstrdup(word + 9), *comma = strchr(copy, ','), *close = strchr(copy, ')');
        int status = 0;

        if (!comma || !close || close[1] || close < comma) {
            status = parse_error(error, "%s: expected resubmit(PORT,TABLE)", word);
        } else {
            *comma = *close = '\0';
            if (*copy && ofp_parse_port(copy, map, &a->resubmit.in_port, error)) {
                status = EINVAL;
            } else if (comma[1] && !parse_u64(comma + 1, 254, &table)) {
                status = parse_error(error, "%s: bad table (expected 0-254)", word);
            }
        }
        a->resubmit.table = table;
        free(copy);
        return status;
    }
}

/* controller, controller:MAX_LEN, controller(max_len=N,reason=R). */
static int
parse_controller(const char *word, struct ofpacts *acts, struct buf *error)
{
    struct ofpact *a = ofpacts_put(acts, OFPACT_CONTROLLER);
    uint64_t n;

    a->controller.max_len = OFPCML_NO_BUFFER;
    a->controller.reason = OFPR_ACTION;
    if (word[10] == ':') {
        if (!parse_u64(word + 11, 0xffff, &n)) {
            return parse_error(error, "%s: bad max_len", word);
        }
        a->controller.max_len = n;
    } else if (word[10] == '(') {
        char *copy = xstrdup(word + 11), *p = copy, *item;
        int status = 0;

        if (!*p || p[strlen(p) - 1] != ')') {
            status = parse_error(error, "%s: missing ')'", word);
        } else {
            p[strlen(p) - 1] = '\0';
        }
        while (!status && (item = strsep(&p, ","))) {
            if (str_starts_with(item, "max_len=") && parse_u64(item + 8, 0xffff, &n)) {
                a->controller.max_len = n;
            } else if (!strcmp(item, "reason=no_match")) {
                a->controller.reason = OFPR_NO_MATCH;
            } else if (!strcmp(item, "reason=action")) {
                a->controller.reason = OFPR_ACTION;
            } else if (!strcmp(item, "reason=invalid_ttl")) {
                a->controller.reason = OFPR_INVALID_TTL;
            } else if (*item) {
                status = parse_error(error, "%s: expected max_len=N or reason=no_match|action|"
                                     "invalid_ttl", item);
            }
        }
        free(copy);
        return status;
    }
    return 0;
}

static int
parse_u8_arg(const char *arg, uint64_t max, uint64_t *n, const char *word, struct buf *error)
{
    if (!parse_u64(arg, max, n)) {
        return parse_error(error, "%s: bad number", word);
    }
    return 0;
}

static int parse_action(char *word, const struct ofp_port_map *, struct ofpacts *,
                        struct buf *error);

static int
parse_write_actions(const char *word, const struct ofp_port_map *map, struct ofpacts *acts,
                    struct buf *error)
{
    size_t len = strlen(word);
    struct ofpact *a;
    char *inner;
    int status;

    if (len < 15 || word[len - 1] != ')') {
        return parse_error(error, "%s: expected write_actions(ACTIONS)", word);
    }
    a = ofpacts_put(acts, OFPACT_WRITE_ACTIONS);
    inner = xstrndup(word + 14, len - 15);
    status = ofp_parse_actions(inner, map, a->nested, error);
    free(inner);
    return status;
}

/* Port 0, ANY and the unassigned reserved numbers are no place to send a
 * packet; a switch answers them with OFPBAC_BAD_OUT_PORT. */
static int
check_output_port(const char *word, uint32_t port, struct buf *error)
{
    if (port == 0 || port == OFPP13_ANY || (port > OFPP13_MAX && port < OFPP13_IN_PORT)) {
        return parse_error(error, "%s: not a port a packet can be sent to", word);
    }
    return 0;
}

static int
parse_named_action(const char *name, const char *arg, const char *word,
                   const struct ofp_port_map *map, struct ofpacts *acts, struct buf *error)
{
    static const struct { const char *name; enum of_field_id id; } mods[] = {
        { "mod_dl_src", OFF_ETH_SRC }, { "mod_dl_dst", OFF_ETH_DST },
        { "mod_nw_src", OFF_IPV4_SRC }, { "mod_nw_dst", OFF_IPV4_DST },
        { "mod_nw_tos", OFF_NW_TOS }, { "mod_nw_ecn", OFF_IP_ECN }, { "mod_nw_ttl", OFF_NW_TTL },
        { "mod_tp_src", OFF_TCP_SRC }, { "mod_tp_dst", OFF_TCP_DST },
    };
    struct ofpact *a;
    uint64_t n, m;

    for (size_t i = 0; i < ARRAY_SIZE(mods); i++) {
        if (!strcmp(name, mods[i].name)) {
            return parse_mod(mods[i].id, arg, map, acts, error);
        }
    }
    if (!strcmp(name, "output")) {
        a = ofpacts_put(acts, OFPACT_OUTPUT);
        return ofp_parse_port(arg, map, &a->output.port, error)
               ?: check_output_port(word, a->output.port, error);
    } else if (!strcmp(name, "mod_vlan_vid")) {
        if (parse_u8_arg(arg, 0xfff, &n, word, error)) {
            return EINVAL;
        }
        ofpacts_put(acts, OFPACT_SET_VLAN_VID)->vlan_vid = n;
    } else if (!strcmp(name, "mod_vlan_pcp")) {
        if (parse_u8_arg(arg, 7, &n, word, error)) {
            return EINVAL;
        }
        ofpacts_put(acts, OFPACT_SET_VLAN_PCP)->vlan_pcp = n;
    } else if (!strcmp(name, "push_vlan")) {
        if (!parse_u64(arg, 0xffff, &n) || (n != 0x8100 && n != 0x88a8)) {
            return parse_error(error, "%s: expected push_vlan:0x8100 or 0x88a8", word);
        }
        ofpacts_put(acts, OFPACT_PUSH_VLAN)->push_vlan_tpid = n;
    } else if (!strcmp(name, "load")) {
        return parse_load(arg, acts, error);
    } else if (!strcmp(name, "move")) {
        return parse_move(arg, acts, error);
    } else if (!strcmp(name, "set_field")) {
        return parse_set_field(arg, map, acts, error);
    } else if (!strcmp(name, "goto_table")) {
        if (parse_u8_arg(arg, 254, &n, word, error)) {
            return EINVAL;
        }
        ofpacts_put(acts, OFPACT_GOTO_TABLE)->goto_table = n;
    } else if (!strcmp(name, "group") || !strcmp(name, "meter")) {
        if (parse_u8_arg(arg, UINT32_MAX, &n, word, error)) {
            return EINVAL;
        }
        a = ofpacts_put(acts, name[0] == 'g' ? OFPACT_GROUP : OFPACT_METER);
        *(name[0] == 'g' ? &a->group_id : &a->meter_id) = n;
    } else if (!strcmp(name, "write_metadata")) {
        char *copy = xstrdup(arg), *slash = strchr(copy, '/');
        bool ok;

        if (slash) {
            *slash++ = '\0';
        }
        ok = parse_u64(copy, UINT64_MAX, &n) && (!slash || parse_u64(slash, UINT64_MAX, &m));
        free(copy);
        if (!ok) {
            return parse_error(error, "%s: expected write_metadata:VALUE[/MASK]", word);
        }
        a = ofpacts_put(acts, OFPACT_WRITE_METADATA);
        a->metadata.mask = slash ? m : UINT64_MAX;
        a->metadata.value = n & a->metadata.mask;
    } else if (!strcmp(name, "enqueue") || !strcmp(name, "set_queue")) {
        return parse_error(error, "%s: queues are not supported", word);
    } else {
        return parse_error(error, "%s: unknown action", word);
    }
    return 0;
}

static int
parse_action(char *word, const struct ofp_port_map *map, struct ofpacts *acts,
             struct buf *error)
{
    static const struct { const char *name; uint32_t port; } ports[] = {
        { "in_port", OFPP13_IN_PORT }, { "normal", OFPP13_NORMAL }, { "flood", OFPP13_FLOOD },
        { "all", OFPP13_ALL }, { "local", OFPP13_LOCAL }, { "table", OFPP13_TABLE },
    };
    char *colon;
    uint64_t n;

    for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
        if (!strcasecmp(word, ports[i].name)) {
            ofpacts_put(acts, OFPACT_OUTPUT)->output.port = ports[i].port;
            return 0;
        }
    }
    if (!strncasecmp(word, "controller", 10) && (!word[10] || word[10] == ':' || word[10] == '(')) {
        return parse_controller(word, acts, error);
    } else if (!strcmp(word, "strip_vlan") || !strcmp(word, "pop_vlan")) {
        ofpacts_put(acts, OFPACT_STRIP_VLAN);
    } else if (!strcmp(word, "dec_ttl")) {
        ofpacts_put(acts, OFPACT_DEC_TTL);
    } else if (!strcmp(word, "clear_actions")) {
        ofpacts_put(acts, OFPACT_CLEAR_ACTIONS);
    } else if (str_starts_with(word, "resubmit:") || str_starts_with(word, "resubmit(")) {
        return parse_resubmit(word, map, acts, error);
    } else if (str_starts_with(word, "write_actions(")) {
        return parse_write_actions(word, map, acts, error);
    } else if (parse_u64(word, UINT32_MAX, &n)) {
        ofpacts_put(acts, OFPACT_OUTPUT)->output.port = n;
        return check_output_port(word, n, error);
    } else if ((colon = strchr(word, ':')) != NULL) {
        char *name = xstrndup(word, colon - word);
        int status = parse_named_action(name, colon + 1, word, map, acts, error);

        free(name);
        return status;
    } else {
        return parse_error(error, "%s: unknown action", word);
    }
    return 0;
}

/* Each instruction may appear once (OpenFlow has one slot for each). */
static int
check_instructions_once(const struct ofpacts *acts, struct buf *error)
{
    static const struct { enum ofpact_type type; const char *name; } insts[] = {
        { OFPACT_GOTO_TABLE, "goto_table" }, { OFPACT_WRITE_METADATA, "write_metadata" },
        { OFPACT_CLEAR_ACTIONS, "clear_actions" }, { OFPACT_WRITE_ACTIONS, "write_actions" },
        { OFPACT_METER, "meter" },
    };

    for (size_t k = 0; k < ARRAY_SIZE(insts); k++) {
        size_t count = 0;

        for (size_t i = 0; i < acts->n; i++) {
            count += acts->acts[i].type == insts[k].type;
        }
        if (count > 1) {
            return parse_error(error, "%s: may be given only once", insts[k].name);
        }
    }
    return 0;
}

int
ofp_parse_actions(const char *text, const struct ofp_port_map *map, struct ofpacts *acts,
                  struct buf *error)
{
    char *copy = xstrdup(text), *p = copy, *word;
    int status = 0;
    bool drop = false;

    while (!status && (word = next_word(&p)) != NULL) {
        if (!strcmp(word, "drop")) {
            drop = true;
        } else {
            status = parse_action(word, map, acts, error);
        }
    }
    if (!status && drop && acts->n) {
        status = parse_error(error, "%s", "drop: must be the only action");
    }
    if (!status) {
        status = check_instructions_once(acts, error);
    }
    free(copy);
    return status;
}

/* ---- Flows ------------------------------------------------------------------- */

/* Flags of a flow, words of their own. */
static const struct { const char *name; uint16_t flag; } flow_flags[] = {
    { "send_flow_rem", OFPFF_SEND_FLOW_REM }, { "check_overlap", OFPFF_CHECK_OVERLAP },
    { "reset_counts", OFPFF_RESET_COUNTS }, { "no_packet_counts", OFPFF_NO_PKT_COUNTS },
    { "no_byte_counts", OFPFF_NO_BYT_COUNTS },
};

/* Keys of the flow itself that take a value (parse_flow_keyword()). */
static const char *const flow_keys[] = {
    "priority", "table", "idle_timeout", "hard_timeout", "cookie", "out_port",
    "out_group", "buffer_id",
};

/* Keywords of the flow itself (not match fields). Returns 1 if 'key' is
 * not one. */
static int
parse_flow_keyword(struct ofp_flow_mod *fm, const char *key, const char *value,
                   enum ofp_parse_mode mode, const struct ofp_port_map *map, struct buf *error)
{
    uint64_t n, m;

    for (size_t i = 0; i < ARRAY_SIZE(flow_flags); i++) {
        if (!strcmp(key, flow_flags[i].name) && !value) {
            fm->flags |= flow_flags[i].flag;
            return 0;
        }
    }
    if (!value) {
        return 1;
    }
    if (!strcmp(key, "priority")) {
        if (!parse_u64(value, 0xffff, &n)) {
            return parse_error(error, "priority=%s: expected 0-65535", value);
        }
        fm->priority = n;
    } else if (!strcmp(key, "table")) {
        if (!strcmp(value, "all") && mode == OFP_PARSE_MATCH) {
            fm->table_id = OFPTT_ALL;
        } else if (!parse_u64(value, 254, &n)) {
            return parse_error(error, "table=%s: expected 0-254", value);
        } else {
            fm->table_id = n;
        }
    } else if (!strcmp(key, "idle_timeout") || !strcmp(key, "hard_timeout")) {
        if (!parse_u64(value, 0xffff, &n)) {
            return parse_error(error, "%s: expected seconds 0-65535", key);
        }
        *(key[0] == 'i' ? &fm->idle_timeout : &fm->hard_timeout) = n;
    } else if (!strcmp(key, "cookie")) {
        char *copy = xstrdup(value), *slash = strchr(copy, '/');
        bool ok;

        if (slash) {
            *slash++ = '\0';
        }
        ok = parse_u64(copy, UINT64_MAX, &n) && (!slash || parse_u64(slash, UINT64_MAX, &m));
        free(copy);
        if (!ok || (slash && mode == OFP_PARSE_ADD)) {
            return parse_error(error, "cookie=%s: expected VALUE (add) or VALUE/MASK", value);
        }
        fm->cookie = n;
        fm->cookie_mask = slash ? m : mode == OFP_PARSE_ADD ? 0 : UINT64_MAX;
    } else if (!strcmp(key, "out_port")) {
        return ofp_parse_port(value, map, &fm->out_port, error);
    } else if (!strcmp(key, "out_group")) {
        if (!parse_u64(value, UINT32_MAX, &n)) {
            return parse_error(error, "out_group=%s: expected a number", value);
        }
        fm->out_group = n;
    } else if (!strcmp(key, "buffer_id")) {
        if (!parse_u64(value, UINT32_MAX, &n)) {
            return parse_error(error, "buffer_id=%s: expected a number", value);
        }
        fm->buffer_id = n;
    } else {
        return 1;
    }
    return 0;
}

/* The field names a flow's text used, to check each against its own
 * prerequisites at the end (tcp_src under icmp is not icmp_type, even
 * though the two share storage). */
struct named_fields {
    const char *names[OFF_N_FIELDS * 2];
    size_t n;
};

static int
check_named_prereqs(const struct named_fields *nf, const struct ofmatch *m, struct buf *error)
{
    for (size_t i = 0; i < nf->n; i++) {
        const struct of_field_desc *fields[8];
        size_t n = of_fields_by_name(nf->names[i], fields, ARRAY_SIZE(fields));
        bool ok = false;

        for (size_t k = 0; k < n && !ok; k++) {
            ok = of_field_prereqs_ok(fields[k], m);
        }
        if (!ok) {
            return parse_error(error, "%s: the flow does not match this field's protocol "
                               "(e.g. tcp,tp_dst=80 or icmp,icmp_type=8)", nf->names[i]);
        }
    }
    return 0;
}

static int
parse_flow_word(struct ofp_flow_mod *fm, char *word, enum ofp_parse_mode mode,
                const struct ofp_port_map *map, struct named_fields *nf, struct buf *error)
{
    char *eq = strchr(word, '='), *value = NULL;
    int status;

    if (eq) {
        *eq = '\0';
        value = eq + 1;
    }
    status = parse_flow_keyword(fm, word, value, mode, map, error);
    if (status != 1) {
        return status;
    } else if (!value && parse_shorthand(word, &fm->match)) {
        return 0;
    } else if (!value) {
        return parse_error(error, "%s: unknown keyword (a field needs =VALUE)", word);
    }
    if (of_field_by_name(word) && nf->n < ARRAY_SIZE(nf->names)) {
        nf->names[nf->n++] = word;
    }
    return parse_match_field(&fm->match, word, value, map, error);
}

/* Finds "actions=" (or "action=") as a word of its own. */
static char *
find_actions(char *text)
{
    for (char *p = text; (p = strstr(p, "action")) != NULL; p++) {
        bool word_start = p == text || p[-1] == ',' || isspace((unsigned char) p[-1]);

        if (word_start && (!strncmp(p, "actions=", 8) || !strncmp(p, "action=", 7))) {
            return p;
        }
    }
    return NULL;
}

int
ofp_parse_flow(const char *text, enum ofp_parse_mode mode, const struct ofp_port_map *map,
               struct ofp_flow_mod *fm, struct buf *error)
{
    char *copy = xstrdup(text), *acts = find_actions(copy), *p = copy, *word;
    struct named_fields nf = { .n = 0 };
    int status = 0;

    memset(fm, 0, sizeof *fm);
    fm->command = mode == OFP_PARSE_ADD ? OFPFC_ADD : mode == OFP_PARSE_MODIFY
        ? OFPFC_MODIFY : OFPFC_DELETE;
    fm->priority = OFP_DEFAULT_PRIORITY;
    fm->buffer_id = OFP_NO_BUFFER;
    fm->out_port = OFPP13_ANY;
    fm->out_group = OFPG_ANY;
    fm->table_id = mode == OFP_PARSE_MATCH ? OFPTT_ALL : 0;
    if (acts) {
        *acts = '\0';
        acts = strchr(acts + 1, '=') + 1;
    }
    while (!status && (word = next_word(&p)) != NULL) {
        status = parse_flow_word(fm, word, mode, map, &nf, error);
    }
    if (status) {
        /* 'error' says what. */
    } else if (mode == OFP_PARSE_MATCH && acts) {
        status = parse_error(error, "%s", "actions are not allowed here (only a match)");
    } else if (mode != OFP_PARSE_MATCH && !acts) {
        status = parse_error(error, "%s", "must specify an action (e.g. actions=drop)");
    } else if (acts) {
        status = ofp_parse_actions(acts, map, &fm->ofpacts, error);
    }
    if (!status && (check_named_prereqs(&nf, &fm->match, error)
                    || ofmatch_check_prereqs(&fm->match, error))) {
        status = EINVAL;
    }
    if (status) {
        ofpacts_uninit(&fm->ofpacts);
    }
    free(copy);
    return status;
}

/* ---- Completion ------------------------------------------------------------- */

/* Calls 'cb' with 'name' followed by "=". */
static void
flow_word_with_value(const char *name, void (*cb)(const char *, void *), void *aux)
{
    char *word = xasprintf("%s=", name);

    cb(word, aux);
    free(word);
}

void
ofp_parse_flow_words(void (*cb)(const char *word, void *aux), void *aux)
{
    for (size_t i = 0; i < ARRAY_SIZE(flow_keys); i++) {
        flow_word_with_value(flow_keys[i], cb, aux);
    }
    for (size_t i = 0; i < ARRAY_SIZE(flow_flags); i++) {
        cb(flow_flags[i].name, aux);
    }
    for (size_t i = 0; i < ARRAY_SIZE(shorthands); i++) {
        cb(shorthands[i].name, aux);
    }
    for (int id = 0; id < OFF_N_FIELDS; id++) {
        const struct of_field_desc *f = of_field_by_id(id);

        flow_word_with_value(f->name, cb, aux);
        if (f->alt_name) {
            flow_word_with_value(f->alt_name, cb, aux);
        }
    }
    flow_word_with_value("dl_vlan", cb, aux);
    flow_word_with_value("dl_vlan_pcp", cb, aux);
    flow_word_with_value("actions", cb, aux);
}
