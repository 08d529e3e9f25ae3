/* ofp-msgs: OpenFlow messages <-> struct ofp_msg (see ofp-msgs.h).
 *
 * One table (codecs[]) maps each version-independent message kind to its
 * wire type in OpenFlow 1.0 and 1.3 (and multipart type for stats), and to
 * one decode and one encode function that handle both versions side by
 * side, so the two can be compared at a glance. Matches and actions are in
 * ofp-match-wire.c and ofp-actions.c. */
#include "ofp-msgs.h"

#include <errno.h>
#include <stdlib.h>
#include <strings.h>

#include "ofp-wire.h"

#define RAW_NONE 0xff
#define MP_NONE 0xffff
#define OFPT10_STATS_REQUEST 16
#define OFPT10_STATS_REPLY 17
#define OFPT13_MULTIPART_REQUEST 18
#define OFPT13_MULTIPART_REPLY 19

typedef int decode_func(struct ofp_reader *, struct ofp_msg *);
typedef int encode_func(const struct ofp_msg *, struct buf *, struct buf *error);

struct msg_codec {
    enum ofptype type;
    const char *name;
    uint8_t raw10, raw13;       /* Wire types; RAW_NONE if absent. */
    uint16_t mp_type;           /* Multipart type, or MP_NONE. */
    bool mp_request;            /* Multipart request (else reply). */
    decode_func *decode;
    encode_func *encode;
    uint32_t nx_subtype;        /* Nicira messages: the subtype. */
};

/* ---- Small helpers --------------------------------------------------------- */

static bool
is_v10(const struct ofp_msg *m)
{
    return m->version == OFP10_VERSION;
}

static uint8_t *
dup_rest(struct ofp_reader *r, size_t *size)
{
    uint8_t *data = r->left ? xmemdup(r->p, r->left) : NULL;

    *size = r->left;
    ofpr_pull(r, r->left);
    return data;
}

/* Appends 'size' bytes of 'data', which may be NULL when 'size' is 0. */
static void
put_data(struct buf *b, const void *data, size_t size)
{
    if (size) {
        buf_put(b, data, size);
    }
}

static int
encode_fail(struct buf *error, const char *what)
{
    if (error) {
        buf_printf(error, "%s", what);
    }
    return EINVAL;
}

static int
put_port(const struct ofp_msg *m, struct buf *b, uint32_t port, struct buf *error)
{
    uint16_t p10;

    if (!is_v10(m)) {
        put32(b, port);
    } else if (ofp_port_to_10(port, &p10)) {
        put16(b, p10);
    } else {
        return encode_fail(error, "port number too big for OpenFlow 1.0");
    }
    return 0;
}

/* ---- Empty bodies ---------------------------------------------------------- */

static int
decode_empty(struct ofp_reader *r, struct ofp_msg *m)
{
    return r->left ? OFPERR_BAD_LEN : 0;
}

static int
encode_empty(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    return 0;
}

/* ---- HELLO, ERROR, ECHO -------------------------------------------------- */

static int
decode_hello(struct ofp_reader *r, struct ofp_msg *m)
{
    m->hello.version_bitmap = 0;
    if (m->version < OFP13_VERSION) {
        return 0;               /* Older HELLOs carry nothing we read. */
    }
    while (r->left >= 4) {
        const uint8_t *e = r->p;
        uint16_t type = rd16(e), len = rd16(e + 2);

        if (len < 4 || len > r->left) {
            return OFPERR_BAD_LEN;
        }
        if (type == 1 && len >= 8) {
            m->hello.version_bitmap = rd32(e + 4);
        }
        ofpr_pull(r, MIN(ROUND_UP((size_t) len, 8), r->left));
    }
    return 0;
}

static int
encode_hello(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    if (m->hello.version_bitmap) {
        put16(b, 1);            /* OFPHET_VERSIONBITMAP. */
        put16(b, 8);
        put32(b, m->hello.version_bitmap);
    }
    return 0;
}

static int
decode_error(struct ofp_reader *r, struct ofp_msg *m)
{
    const uint8_t *p = ofpr_pull(r, 4);

    if (!p) {
        return OFPERR_BAD_LEN;
    }
    m->error.type = rd16(p);
    m->error.code = rd16(p + 2);
    m->error.error = ofp_error_from_wire(m->version, m->error.type, m->error.code);
    m->error.data = dup_rest(r, &m->error.size);
    return 0;
}

static int
encode_error(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    put16(b, m->error.type);
    put16(b, m->error.code);
    put_data(b, m->error.data, m->error.size);
    return 0;
}

static int
decode_echo(struct ofp_reader *r, struct ofp_msg *m)
{
    m->echo.data = dup_rest(r, &m->echo.size);
    return 0;
}

static int
encode_echo(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    put_data(b, m->echo.data, m->echo.size);
    return 0;
}

/* ---- Ports ----------------------------------------------------------------- */

#define OFP10_PORT_SIZE 48
#define OFP13_PORT_SIZE 64

static void
decode_port(uint8_t version, const uint8_t *p, struct ofp_port *port)
{
    memset(port, 0, sizeof *port);
    if (version == OFP10_VERSION) {
        port->port_no = ofp_port_from_10(rd16(p));
        memcpy(port->hw_addr, p + 2, 6);
        ofp_get_string(port->name, sizeof port->name, p + 8, 16);
        p += 24;
    } else {
        port->port_no = rd32(p);
        memcpy(port->hw_addr, p + 8, 6);
        ofp_get_string(port->name, sizeof port->name, p + 16, 16);
        p += 32;
    }
    port->config = rd32(p);
    port->state = rd32(p + 4);
    port->curr = rd32(p + 8);
    port->advertised = rd32(p + 12);
    port->supported = rd32(p + 16);
    port->peer = rd32(p + 20);
    if (version != OFP10_VERSION) {
        port->curr_speed = rd32(p + 24);
        port->max_speed = rd32(p + 28);
    }
}

static int
encode_port(const struct ofp_msg *m, struct buf *b, const struct ofp_port *port,
            struct buf *error)
{
    if (put_port(m, b, port->port_no, error)) {
        return EINVAL;
    }
    if (!is_v10(m)) {
        put_zeros(b, 4);
    }
    buf_put(b, port->hw_addr, 6);
    if (!is_v10(m)) {
        put_zeros(b, 2);
    }
    ofp_put_string(b, port->name, 16);
    put32(b, port->config);
    put32(b, port->state);
    put32(b, port->curr);
    put32(b, port->advertised);
    put32(b, port->supported);
    put32(b, port->peer);
    if (!is_v10(m)) {
        put32(b, port->curr_speed);
        put32(b, port->max_speed);
    }
    return 0;
}

/* An array of ports filling the rest of the message. */
static int
decode_ports(struct ofp_reader *r, uint8_t version, struct ofp_port **ports, size_t *n)
{
    size_t size = version == OFP10_VERSION ? OFP10_PORT_SIZE : OFP13_PORT_SIZE;

    if (r->left % size) {
        return OFPERR_BAD_LEN;
    }
    *n = r->left / size;
    *ports = *n ? xcalloc(*n, sizeof **ports) : NULL;
    for (size_t i = 0; i < *n; i++) {
        decode_port(version, ofpr_pull(r, size), &(*ports)[i]);
    }
    return 0;
}

static int
encode_ports(const struct ofp_msg *m, struct buf *b, const struct ofp_port *ports, size_t n,
             struct buf *error)
{
    for (size_t i = 0; i < n; i++) {
        if (encode_port(m, b, &ports[i], error)) {
            return EINVAL;
        }
    }
    return 0;
}

/* ---- FEATURES, CONFIG ------------------------------------------------------ */

static int
decode_features(struct ofp_reader *r, struct ofp_msg *m)
{
    const uint8_t *p = ofpr_pull(r, 24);
    struct ofp_features *f = &m->features;

    if (!p) {
        return OFPERR_BAD_LEN;
    }
    f->datapath_id = rd64(p);
    f->n_buffers = rd32(p + 8);
    f->n_tables = p[12];
    f->capabilities = rd32(p + 16);
    if (is_v10(m)) {
        f->actions = rd32(p + 20);
        return decode_ports(r, m->version, &f->ports, &f->n_ports);
    }
    f->auxiliary_id = p[13];
    return r->left ? OFPERR_BAD_LEN : 0;
}

static int
encode_features(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    const struct ofp_features *f = &m->features;

    put64(b, f->datapath_id);
    put32(b, f->n_buffers);
    put8(b, f->n_tables);
    put8(b, is_v10(m) ? 0 : f->auxiliary_id);
    put16(b, 0);
    put32(b, f->capabilities);
    put32(b, is_v10(m) ? f->actions : 0);
    return is_v10(m) ? encode_ports(m, b, f->ports, f->n_ports, error) : 0;
}

static int
decode_config(struct ofp_reader *r, struct ofp_msg *m)
{
    const uint8_t *p = ofpr_pull(r, 4);

    if (!p || r->left) {
        return OFPERR_BAD_LEN;
    }
    m->config.flags = rd16(p);
    m->config.miss_send_len = rd16(p + 2);
    return 0;
}

static int
encode_config(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    put16(b, m->config.flags);
    put16(b, m->config.miss_send_len);
    return 0;
}

/* ---- PACKET_IN, FLOW_REMOVED, PORT_STATUS --------------------------------- */

static int
decode_match13(struct ofp_reader *r, struct ofmatch *match)
{
    size_t consumed;
    int error = ofp_match13_decode(r->p, r->left, match, &consumed);

    if (!error) {
        ofpr_pull(r, consumed);
    }
    return error;
}

static int
decode_packet_in(struct ofp_reader *r, struct ofp_msg *m)
{
    struct ofp_packet_in *pin = &m->packet_in;
    const uint8_t *p = ofpr_pull(r, is_v10(m) ? 10 : 16);
    int error;

    if (!p) {
        return OFPERR_BAD_LEN;
    }
    pin->buffer_id = rd32(p);
    pin->total_len = rd16(p + 4);
    if (is_v10(m)) {
        union of_value port = { .be32 = { htobe32(ofp_port_from_10(rd16(p + 6))) } };

        ofmatch_init_catchall(&pin->match);
        ofmatch_set(&pin->match, of_field_by_id(OFF_IN_PORT), &port, NULL);
        pin->reason = p[8];
    } else {
        pin->reason = p[6];
        pin->table_id = p[7];
        pin->cookie = rd64(p + 8);
        error = decode_match13(r, &pin->match);
        if (error) {
            return error;
        } else if (!ofpr_pull(r, 2)) {
            return OFPERR_BAD_LEN;
        }
    }
    pin->data = dup_rest(r, &pin->size);
    return 0;
}

static int
encode_packet_in(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    const struct ofp_packet_in *pin = &m->packet_in;

    put32(b, pin->buffer_id);
    put16(b, pin->total_len);
    if (is_v10(m)) {
        if (put_port(m, b, pin->match.value.pkt.in_port, error)) {
            return EINVAL;
        }
        put8(b, pin->reason);
        put8(b, 0);
    } else {
        put8(b, pin->reason);
        put8(b, pin->table_id);
        put64(b, pin->cookie);
        ofp_match13_encode(&pin->match, b);
        put16(b, 0);
    }
    put_data(b, pin->data, pin->size);
    return 0;
}

static int
decode_flow_removed(struct ofp_reader *r, struct ofp_msg *m)
{
    struct ofp_flow_removed *fr = &m->flow_removed;
    const uint8_t *p;

    if (is_v10(m)) {
        if (!(p = ofpr_pull(r, 80)) || r->left) {
            return OFPERR_BAD_LEN;
        }
        ofp_match10_decode(p, &fr->match);
        fr->cookie = rd64(p + 40);
        fr->priority = rd16(p + 48);
        fr->reason = p[50];
        fr->duration_sec = rd32(p + 52);
        fr->duration_nsec = rd32(p + 56);
        fr->idle_timeout = rd16(p + 60);
        fr->packet_count = rd64(p + 64);
        fr->byte_count = rd64(p + 72);
        return 0;
    }
    if (!(p = ofpr_pull(r, 40))) {
        return OFPERR_BAD_LEN;
    }
    fr->cookie = rd64(p);
    fr->priority = rd16(p + 8);
    fr->reason = p[10];
    fr->table_id = p[11];
    fr->duration_sec = rd32(p + 12);
    fr->duration_nsec = rd32(p + 16);
    fr->idle_timeout = rd16(p + 20);
    fr->hard_timeout = rd16(p + 22);
    fr->packet_count = rd64(p + 24);
    fr->byte_count = rd64(p + 32);
    return decode_match13(r, &fr->match) ?: (r->left ? OFPERR_BAD_LEN : 0);
}

static int
encode_flow_removed(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    const struct ofp_flow_removed *fr = &m->flow_removed;
    uint8_t match10[OFP10_MATCH_SIZE];

    if (is_v10(m)) {
        if (ofp_match10_encode(&fr->match, match10, error)) {
            return EINVAL;
        }
        buf_put(b, match10, sizeof match10);
    }
    put64(b, fr->cookie);
    put16(b, fr->priority);
    put8(b, fr->reason);
    put8(b, is_v10(m) ? 0 : fr->table_id);
    put32(b, fr->duration_sec);
    put32(b, fr->duration_nsec);
    put16(b, fr->idle_timeout);
    put16(b, is_v10(m) ? 0 : fr->hard_timeout);
    put64(b, fr->packet_count);
    put64(b, fr->byte_count);
    if (!is_v10(m)) {
        ofp_match13_encode(&fr->match, b);
    }
    return 0;
}

static int
decode_port_status(struct ofp_reader *r, struct ofp_msg *m)
{
    const uint8_t *p = ofpr_pull(r, 8);
    size_t size = is_v10(m) ? OFP10_PORT_SIZE : OFP13_PORT_SIZE;
    const uint8_t *port = ofpr_pull(r, size);

    if (!p || !port || r->left) {
        return OFPERR_BAD_LEN;
    }
    m->port_status.reason = p[0];
    decode_port(m->version, port, &m->port_status.desc);
    return 0;
}

static int
encode_port_status(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    put8(b, m->port_status.reason);
    put_zeros(b, 7);
    return encode_port(m, b, &m->port_status.desc, error);
}

/* ---- PACKET_OUT ------------------------------------------------------------ */

static int
decode_packet_out(struct ofp_reader *r, struct ofp_msg *m)
{
    struct ofp_packet_out *po = &m->packet_out;
    const uint8_t *p = ofpr_pull(r, is_v10(m) ? 8 : 16), *acts;
    uint16_t acts_len;
    int error;

    if (!p) {
        return OFPERR_BAD_LEN;
    }
    po->buffer_id = rd32(p);
    po->in_port = is_v10(m) ? ofp_port_from_10(rd16(p + 4)) : rd32(p + 4);
    acts_len = is_v10(m) ? rd16(p + 6) : rd16(p + 8);
    if (!(acts = ofpr_pull(r, acts_len))) {
        return OFPERR_BAD_LEN;
    }
    error = ofp_actions_decode(m->version, acts, acts_len, &po->ofpacts);
    if (error) {
        return error;
    }
    po->data = dup_rest(r, &po->size);
    return 0;
}

static int
encode_packet_out(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    const struct ofp_packet_out *po = &m->packet_out;
    size_t len_ofs;

    put32(b, po->buffer_id);
    if (put_port(m, b, po->in_port, error)) {
        return EINVAL;
    }
    len_ofs = b->size;
    put16(b, 0);
    if (!is_v10(m)) {
        put_zeros(b, 6);
    }
    if (ofp_actions_encode(m->version, &po->ofpacts, NULL, b, error)) {
        return EINVAL;
    }
    patch16(b, len_ofs, b->size - len_ofs - (is_v10(m) ? 2 : 8));
    put_data(b, po->data, po->size);
    return 0;
}

/* ---- FLOW_MOD -------------------------------------------------------------- */

static int
check_flow_mod(const struct ofp_flow_mod *fm, uint16_t allowed_flags)
{
    if (fm->command > OFPFC_DELETE_STRICT) {
        return OFPERR_BAD_COMMAND;
    } else if (fm->flags & ~allowed_flags) {
        return OFPERR_BAD_FLAGS;
    } else if (fm->table_id == OFPTT_ALL && fm->command < OFPFC_DELETE) {
        return OFPERR_FLOW_BAD_TABLE_ID;
    }
    return 0;
}

/* Splits an OpenFlow 1.0 16-bit command into command and table id. */
static int
decode_command10(uint16_t raw, struct ofp_flow_mod *fm)
{
    uint8_t command = fm->nx_table_id ? raw & 0xff : MIN(raw, 0xff);

    if (command > OFPFC_DELETE_STRICT) {
        return OFPERR_BAD_COMMAND;
    }
    fm->command = command;
    if (!fm->nx_table_id) {
        /* Plain OpenFlow 1.0 has one table to add to and deletes from all. */
        fm->table_id = command >= OFPFC_DELETE ? OFPTT_ALL : 0;
    } else {
        /* Open vSwitch's client sends 0xff for a flow without table= in a
         * batch where others name one; like Open vSwitch, add it to 0. */
        fm->table_id = raw >> 8;
        if (fm->table_id == OFPTT_ALL && command < OFPFC_DELETE) {
            fm->table_id = 0;
        }
    }
    return 0;
}

static int
decode_flow_mod10(struct ofp_reader *r, struct ofp_flow_mod *fm)
{
    const uint8_t *p = ofpr_pull(r, 64);
    int error;

    if (!p) {
        return OFPERR_BAD_LEN;
    }
    ofp_match10_decode(p, &fm->match);
    fm->cookie = rd64(p + 40);
    fm->idle_timeout = rd16(p + 50);
    fm->hard_timeout = rd16(p + 52);
    fm->priority = rd16(p + 54);
    fm->buffer_id = rd32(p + 56);
    fm->out_port = ofp_port_from_10(rd16(p + 60));
    fm->out_group = OFPG_ANY;
    fm->flags = rd16(p + 62);
    error = decode_command10(rd16(p + 48), fm);
    if (error) {
        return error;
    }
    fm->cookie_mask = fm->command == OFPFC_ADD ? 0 : UINT64_MAX;
    error = check_flow_mod(fm, OFPFF_SEND_FLOW_REM | OFPFF_CHECK_OVERLAP);
    return error ?: ofp_actions_decode(OFP10_VERSION, r->p, r->left, &fm->ofpacts);
}

static int
decode_flow_mod(struct ofp_reader *r, struct ofp_msg *m)
{
    struct ofp_flow_mod *fm = &m->flow_mod;
    const uint8_t *p;
    int error;

    if (is_v10(m)) {
        return decode_flow_mod10(r, fm);
    } else if (!(p = ofpr_pull(r, 40))) {
        return OFPERR_BAD_LEN;
    }
    fm->cookie = rd64(p);
    fm->cookie_mask = rd64(p + 8);
    fm->table_id = p[16];
    fm->command = p[17];
    fm->idle_timeout = rd16(p + 18);
    fm->hard_timeout = rd16(p + 20);
    fm->priority = rd16(p + 22);
    fm->buffer_id = rd32(p + 24);
    fm->out_port = rd32(p + 28);
    fm->out_group = rd32(p + 32);
    fm->flags = rd16(p + 36);
    error = check_flow_mod(fm, 0x1f);
    if (!error) {
        error = decode_match13(r, &fm->match);
    }
    return error ?: ofp_instructions_decode(r->p, r->left, &fm->ofpacts);
}

static int
encode_flow_mod(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    const struct ofp_flow_mod *fm = &m->flow_mod;
    uint8_t match10[OFP10_MATCH_SIZE];

    if (!is_v10(m)) {
        put64(b, fm->cookie);
        put64(b, fm->cookie_mask);
        put8(b, fm->table_id);
        put8(b, fm->command);
    } else if (ofp_match10_encode(&fm->match, match10, error)) {
        return EINVAL;
    } else if (!fm->nx_table_id && fm->table_id != 0 && fm->table_id != OFPTT_ALL) {
        return encode_fail(error, "tables other than 0 need OpenFlow 1.1 or later"
                           " or the NXT_FLOW_MOD_TABLE_ID extension");
    } else if (fm->flags & ~(OFPFF_SEND_FLOW_REM | OFPFF_CHECK_OVERLAP)) {
        return encode_fail(error, "these flow flags need OpenFlow 1.3");
    } else {
        buf_put(b, match10, sizeof match10);
        put64(b, fm->cookie);
        put16(b, fm->nx_table_id ? fm->table_id << 8 | fm->command : fm->command);
    }
    put16(b, fm->idle_timeout);
    put16(b, fm->hard_timeout);
    put16(b, fm->priority);
    put32(b, fm->buffer_id);
    if (put_port(m, b, fm->out_port, error)) {
        return EINVAL;
    }
    if (is_v10(m)) {
        put16(b, fm->flags);
        return ofp_actions_encode(m->version, &fm->ofpacts, &fm->match, b, error);
    }
    put32(b, fm->out_group);
    put16(b, fm->flags);
    put16(b, 0);
    ofp_match13_encode(&fm->match, b);
    return ofp_instructions_encode(&fm->ofpacts, &fm->match, b, error);
}

/* ---- PORT_MOD, TABLE_MOD, ROLE, ASYNC ----------------------------------- */

static int
decode_port_mod(struct ofp_reader *r, struct ofp_msg *m)
{
    struct ofp_port_mod *pm = &m->port_mod;
    const uint8_t *p = ofpr_pull(r, is_v10(m) ? 24 : 32);

    if (!p || r->left) {
        return OFPERR_BAD_LEN;
    }
    if (is_v10(m)) {
        pm->port_no = ofp_port_from_10(rd16(p));
        memcpy(pm->hw_addr, p + 2, 6);
        p += 8;
    } else {
        pm->port_no = rd32(p);
        memcpy(pm->hw_addr, p + 8, 6);
        p += 16;
    }
    pm->config = rd32(p);
    pm->mask = rd32(p + 4);
    pm->advertise = rd32(p + 8);
    return 0;
}

static int
encode_port_mod(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    const struct ofp_port_mod *pm = &m->port_mod;

    if (put_port(m, b, pm->port_no, error)) {
        return EINVAL;
    }
    if (!is_v10(m)) {
        put_zeros(b, 4);
    }
    buf_put(b, pm->hw_addr, 6);
    if (!is_v10(m)) {
        put_zeros(b, 2);
    }
    put32(b, pm->config);
    put32(b, pm->mask);
    put32(b, pm->advertise);
    put32(b, 0);
    return 0;
}

static int
decode_table_mod(struct ofp_reader *r, struct ofp_msg *m)
{
    const uint8_t *p = ofpr_pull(r, 8);

    if (!p || r->left) {
        return OFPERR_BAD_LEN;
    }
    m->table_mod.table_id = p[0];
    m->table_mod.config = rd32(p + 4);
    return 0;
}

static int
encode_table_mod(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    put8(b, m->table_mod.table_id);
    put_zeros(b, 3);
    put32(b, m->table_mod.config);
    return 0;
}

static int
decode_role(struct ofp_reader *r, struct ofp_msg *m)
{
    const uint8_t *p = ofpr_pull(r, 16);

    if (!p || r->left) {
        return OFPERR_BAD_LEN;
    }
    m->role.role = rd32(p);
    m->role.generation_id = rd64(p + 8);
    return m->role.role > OFPCR_ROLE_SLAVE ? OFPERR_BAD_ROLE : 0;
}

static int
encode_role(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    put32(b, m->role.role);
    put32(b, 0);
    put64(b, m->role.generation_id);
    return 0;
}

static int
decode_async(struct ofp_reader *r, struct ofp_msg *m)
{
    const uint8_t *p = ofpr_pull(r, 24);

    if (!p || r->left) {
        return OFPERR_BAD_LEN;
    }
    for (int i = 0; i < 2; i++) {
        m->async.packet_in_mask[i] = rd32(p + 4 * i);
        m->async.port_status_mask[i] = rd32(p + 8 + 4 * i);
        m->async.flow_removed_mask[i] = rd32(p + 16 + 4 * i);
    }
    return 0;
}

static int
encode_async(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    for (int i = 0; i < 2; i++) {
        put32(b, m->async.packet_in_mask[i]);
    }
    for (int i = 0; i < 2; i++) {
        put32(b, m->async.port_status_mask[i]);
    }
    for (int i = 0; i < 2; i++) {
        put32(b, m->async.flow_removed_mask[i]);
    }
    return 0;
}

/* ---- Multipart bodies ------------------------------------------------------ */

static int
decode_desc(struct ofp_reader *r, struct ofp_msg *m)
{
    const uint8_t *p = ofpr_pull(r, 1056);
    struct ofp_desc *d = &m->desc;

    if (!p || r->left) {
        return OFPERR_BAD_LEN;
    }
    ofp_get_string(d->mfr_desc, sizeof d->mfr_desc, p, 256);
    ofp_get_string(d->hw_desc, sizeof d->hw_desc, p + 256, 256);
    ofp_get_string(d->sw_desc, sizeof d->sw_desc, p + 512, 256);
    ofp_get_string(d->serial_num, sizeof d->serial_num, p + 768, 32);
    ofp_get_string(d->dp_desc, sizeof d->dp_desc, p + 800, 256);
    return 0;
}

static int
encode_desc(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    const struct ofp_desc *d = &m->desc;

    ofp_put_string(b, d->mfr_desc, 256);
    ofp_put_string(b, d->hw_desc, 256);
    ofp_put_string(b, d->sw_desc, 256);
    ofp_put_string(b, d->serial_num, 32);
    ofp_put_string(b, d->dp_desc, 256);
    return 0;
}

static int
decode_flow_stats_request(struct ofp_reader *r, struct ofp_msg *m)
{
    struct ofp_flow_stats_request *fsr = &m->flow_stats_request;
    const uint8_t *p = ofpr_pull(r, is_v10(m) ? 44 : 32);
    int error;

    if (!p) {
        return OFPERR_BAD_LEN;
    }
    if (is_v10(m)) {
        ofp_match10_decode(p, &fsr->match);
        fsr->table_id = p[40];
        fsr->out_port = ofp_port_from_10(rd16(p + 42));
        fsr->out_group = OFPG_ANY;
        return r->left ? OFPERR_BAD_LEN : 0;
    }
    fsr->table_id = p[0];
    fsr->out_port = rd32(p + 4);
    fsr->out_group = rd32(p + 8);
    fsr->cookie = rd64(p + 16);
    fsr->cookie_mask = rd64(p + 24);
    error = decode_match13(r, &fsr->match);
    return error ?: (r->left ? OFPERR_BAD_LEN : 0);
}

static int
encode_flow_stats_request(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    const struct ofp_flow_stats_request *fsr = &m->flow_stats_request;
    uint8_t match10[OFP10_MATCH_SIZE];

    if (is_v10(m)) {
        if (ofp_match10_encode(&fsr->match, match10, error)) {
            return EINVAL;
        }
        buf_put(b, match10, sizeof match10);
        put8(b, fsr->table_id);
        put8(b, 0);
        return put_port(m, b, fsr->out_port, error);
    }
    put8(b, fsr->table_id);
    put_zeros(b, 3);
    put32(b, fsr->out_port);
    put32(b, fsr->out_group);
    put32(b, 0);
    put64(b, fsr->cookie);
    put64(b, fsr->cookie_mask);
    ofp_match13_encode(&fsr->match, b);
    return 0;
}

static void
flow_stats_reply_free(struct ofp_flow_stats_reply *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        ofpacts_uninit(&fs->flows[i].ofpacts);
    }
    free(fs->flows);
    fs->flows = NULL;
    fs->n = 0;
}

static int
decode_flow_stats_entry(uint8_t version, const uint8_t *p, size_t len, struct ofp_flow_stats *fs)
{
    struct ofp_reader r;
    int error;

    if (version == OFP10_VERSION) {
        if (len < 88) {
            return OFPERR_BAD_LEN;
        }
        fs->table_id = p[2];
        ofp_match10_decode(p + 4, &fs->match);
        p += 44;
    } else {
        if (len < 48) {
            return OFPERR_BAD_LEN;
        }
        fs->table_id = p[2];
        p += 4;
    }
    fs->duration_sec = rd32(p);
    fs->duration_nsec = rd32(p + 4);
    fs->priority = rd16(p + 8);
    fs->idle_timeout = rd16(p + 10);
    fs->hard_timeout = rd16(p + 12);
    fs->flags = version == OFP10_VERSION ? 0 : rd16(p + 14);
    fs->cookie = rd64(p + 20);
    fs->packet_count = rd64(p + 28);
    fs->byte_count = rd64(p + 36);
    p += 44;
    if (version == OFP10_VERSION) {
        return ofp_actions_decode(version, p, len - 88, &fs->ofpacts);
    }
    ofpr_init(&r, p, len - 48);
    error = decode_match13(&r, &fs->match);
    return error ?: ofp_instructions_decode(r.p, r.left, &fs->ofpacts);
}

static int
decode_flow_stats_reply(struct ofp_reader *r, struct ofp_msg *m)
{
    struct ofp_flow_stats_reply *fs = &m->flow_stats;
    size_t allocated = 0;

    while (r->left) {
        uint16_t len = r->left >= 2 ? rd16(r->p) : 0;
        int error;

        if (len < 2 || len % 8 || len > r->left) {
            return OFPERR_BAD_LEN;
        }
        if (fs->n >= allocated) {
            fs->flows = x2nrealloc(fs->flows, &allocated, fs->n + 1, sizeof *fs->flows);
        }
        memset(&fs->flows[fs->n], 0, sizeof fs->flows[fs->n]);
        error = decode_flow_stats_entry(m->version, r->p, len, &fs->flows[fs->n]);
        fs->n++;                /* Even on error, so that it is freed. */
        if (error) {
            return error;
        }
        ofpr_pull(r, len);
    }
    return 0;
}

static int
encode_flow_stats_entry(uint8_t version, struct buf *b, const struct ofp_flow_stats *fs,
                        struct buf *error)
{
    uint8_t match10[OFP10_MATCH_SIZE];
    size_t start = b->size;

    put16(b, 0);
    put8(b, fs->table_id);
    put8(b, 0);
    if (version == OFP10_VERSION) {
        if (ofp_match10_encode(&fs->match, match10, error)) {
            return EINVAL;
        }
        buf_put(b, match10, sizeof match10);
    }
    put32(b, fs->duration_sec);
    put32(b, fs->duration_nsec);
    put16(b, fs->priority);
    put16(b, fs->idle_timeout);
    put16(b, fs->hard_timeout);
    put16(b, version == OFP10_VERSION ? 0 : fs->flags);
    put_zeros(b, 4);
    put64(b, fs->cookie);
    put64(b, fs->packet_count);
    put64(b, fs->byte_count);
    if (version == OFP10_VERSION) {
        if (ofp_actions_encode(version, &fs->ofpacts, &fs->match, b, error)) {
            return EINVAL;
        }
    } else {
        ofp_match13_encode(&fs->match, b);
        if (ofp_instructions_encode(&fs->ofpacts, &fs->match, b, error)) {
            return EINVAL;
        }
    }
    if (b->size - start > OFP_MAX_MSG_SIZE) {
        return encode_fail(error, "flow too big for one message");
    }
    patch16(b, start, b->size - start);
    return 0;
}

static int
encode_flow_stats_reply(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    for (size_t i = 0; i < m->flow_stats.n; i++) {
        if (encode_flow_stats_entry(m->version, b, &m->flow_stats.flows[i], error)) {
            return EINVAL;
        }
    }
    return 0;
}

static int
decode_aggregate(struct ofp_reader *r, struct ofp_msg *m)
{
    const uint8_t *p = ofpr_pull(r, 24);

    if (!p || r->left) {
        return OFPERR_BAD_LEN;
    }
    m->aggregate.packet_count = rd64(p);
    m->aggregate.byte_count = rd64(p + 8);
    m->aggregate.flow_count = rd32(p + 16);
    return 0;
}

static int
encode_aggregate(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    put64(b, m->aggregate.packet_count);
    put64(b, m->aggregate.byte_count);
    put32(b, m->aggregate.flow_count);
    put32(b, 0);
    return 0;
}

static int
decode_table_stats(struct ofp_reader *r, struct ofp_msg *m)
{
    struct ofp_table_stats_reply *ts = &m->table_stats;
    size_t size = is_v10(m) ? 64 : 24;

    if (r->left % size) {
        return OFPERR_BAD_LEN;
    }
    ts->n = r->left / size;
    ts->tables = ts->n ? xcalloc(ts->n, sizeof *ts->tables) : NULL;
    for (size_t i = 0; i < ts->n; i++) {
        const uint8_t *p = ofpr_pull(r, size);
        struct ofp_table_stats *t = &ts->tables[i];

        t->table_id = p[0];
        if (is_v10(m)) {
            ofp_get_string(t->name, sizeof t->name, p + 4, 32);
            t->wildcards = rd32(p + 36);
            t->max_entries = rd32(p + 40);
            p += 40;
        }
        t->active_count = rd32(p + 4);
        t->lookup_count = rd64(p + 8);
        t->matched_count = rd64(p + 16);
    }
    return 0;
}

static int
encode_table_stats(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    for (size_t i = 0; i < m->table_stats.n; i++) {
        const struct ofp_table_stats *t = &m->table_stats.tables[i];

        put8(b, t->table_id);
        put_zeros(b, 3);
        if (is_v10(m)) {
            ofp_put_string(b, t->name, 32);
            put32(b, t->wildcards);
            put32(b, t->max_entries);
        }
        put32(b, t->active_count);
        put64(b, t->lookup_count);
        put64(b, t->matched_count);
    }
    return 0;
}

static int
decode_port_stats_request(struct ofp_reader *r, struct ofp_msg *m)
{
    const uint8_t *p = ofpr_pull(r, 8);

    if (!p || r->left) {
        return OFPERR_BAD_LEN;
    }
    m->port_stats_port = is_v10(m) ? ofp_port_from_10(rd16(p)) : rd32(p);
    return 0;
}

static int
encode_port_stats_request(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    if (put_port(m, b, m->port_stats_port, error)) {
        return EINVAL;
    }
    put_zeros(b, is_v10(m) ? 6 : 4);
    return 0;
}

static int
decode_port_stats(struct ofp_reader *r, struct ofp_msg *m)
{
    struct ofp_port_stats_reply *ps = &m->port_stats;
    size_t size = is_v10(m) ? 104 : 112;

    if (r->left % size) {
        return OFPERR_BAD_LEN;
    }
    ps->n = r->left / size;
    ps->ports = ps->n ? xcalloc(ps->n, sizeof *ps->ports) : NULL;
    for (size_t i = 0; i < ps->n; i++) {
        const uint8_t *p = ofpr_pull(r, size);
        struct ofp_port_stats *s = &ps->ports[i];
        uint64_t *counters[] = {
            &s->rx_packets, &s->tx_packets, &s->rx_bytes, &s->tx_bytes, &s->rx_dropped,
            &s->tx_dropped, &s->rx_errors, &s->tx_errors, &s->rx_frame_err,
            &s->rx_over_err, &s->rx_crc_err, &s->collisions,
        };

        s->port_no = is_v10(m) ? ofp_port_from_10(rd16(p)) : rd32(p);
        for (size_t k = 0; k < ARRAY_SIZE(counters); k++) {
            *counters[k] = rd64(p + 8 + 8 * k);
        }
        if (!is_v10(m)) {
            s->duration_sec = rd32(p + 104);
            s->duration_nsec = rd32(p + 108);
        }
    }
    return 0;
}

static int
encode_port_stats(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    for (size_t i = 0; i < m->port_stats.n; i++) {
        const struct ofp_port_stats *s = &m->port_stats.ports[i];
        const uint64_t counters[] = {
            s->rx_packets, s->tx_packets, s->rx_bytes, s->tx_bytes, s->rx_dropped,
            s->tx_dropped, s->rx_errors, s->tx_errors, s->rx_frame_err, s->rx_over_err,
            s->rx_crc_err, s->collisions,
        };

        if (put_port(m, b, s->port_no, error)) {
            return EINVAL;
        }
        put_zeros(b, is_v10(m) ? 6 : 4);
        for (size_t k = 0; k < ARRAY_SIZE(counters); k++) {
            put64(b, counters[k]);
        }
        if (!is_v10(m)) {
            put32(b, s->duration_sec);
            put32(b, s->duration_nsec);
        }
    }
    return 0;
}

static int
decode_port_desc(struct ofp_reader *r, struct ofp_msg *m)
{
    return decode_ports(r, m->version, &m->port_desc.ports, &m->port_desc.n);
}

static int
encode_port_desc(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    return encode_ports(m, b, m->port_desc.ports, m->port_desc.n, error);
}

/* ---- Nicira extension messages ------------------------------------------- */

/* OpenFlow 1.0 VENDOR and 1.3 EXPERIMENTER share a layout: the header, a
 * 32-bit vendor id and (for Nicira) a 32-bit subtype, then the body. */
#define OFPT_VENDOR 4
#define NXT_FLOW_MOD_TABLE_ID 15

static int
decode_nxt_flow_mod_table_id(struct ofp_reader *r, struct ofp_msg *m)
{
    const uint8_t *p = ofpr_pull(r, 8);

    if (!p) {
        return OFPERR_BAD_LEN;
    } else if (rd32(p) != OFP_NICIRA_VENDOR) {
        return OFPERR_BAD_EXPERIMENTER;
    } else if (rd32(p + 4) != NXT_FLOW_MOD_TABLE_ID) {
        return OFPERR_BAD_EXP_TYPE;
    } else if (!(p = ofpr_pull(r, 8)) || r->left) {
        return OFPERR_BAD_LEN;      /* "set" and 7 bytes of padding. */
    }
    m->flow_mod_table_id = p[0] != 0;
    return 0;
}

static int
encode_nxt_flow_mod_table_id(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    put32(b, OFP_NICIRA_VENDOR);
    put32(b, NXT_FLOW_MOD_TABLE_ID);
    put8(b, m->flow_mod_table_id);
    put_zeros(b, 7);
    return 0;
}

#define NXT_TLV_TABLE_MOD 24
#define NXT_TLV_TABLE_REQUEST 25
#define NXT_TLV_TABLE_REPLY 26
#define NX_TLV_MAP_SIZE 8

/* The vendor id and subtype were checked by ofp_decode_ext(). */
static int
pull_nx_header(struct ofp_reader *r)
{
    return ofpr_pull(r, 8) ? 0 : OFPERR_BAD_LEN;
}

static void
put_nx_header(struct buf *b, uint32_t subtype)
{
    put32(b, OFP_NICIRA_VENDOR);
    put32(b, subtype);
}

/* The nx_tlv_map entries that fill the rest of the message. */
static int
decode_tlv_maps(struct ofp_reader *r, struct ofp_tlv_table *t)
{
    if (r->left % NX_TLV_MAP_SIZE) {
        return OFPERR_BAD_LEN;
    }
    t->n_mappings = r->left / NX_TLV_MAP_SIZE;
    t->mappings = t->n_mappings ? xcalloc(t->n_mappings, sizeof *t->mappings) : NULL;
    for (size_t i = 0; i < t->n_mappings; i++) {
        const uint8_t *p = ofpr_pull(r, NX_TLV_MAP_SIZE);
        struct tun_md_mapping *m = &t->mappings[i];

        m->option.opt_class = rd16(p);
        m->option.opt_type = p[2];
        m->option.opt_len = p[3];
        m->index = rd16(p + 4);
    }
    return 0;
}

static void
encode_tlv_maps(const struct ofp_tlv_table *t, struct buf *b)
{
    for (size_t i = 0; i < t->n_mappings; i++) {
        const struct tun_md_mapping *m = &t->mappings[i];

        put16(b, m->option.opt_class);
        put8(b, m->option.opt_type);
        put8(b, m->option.opt_len);
        put16(b, m->index);
        put_zeros(b, 2);
    }
}

static int
decode_nxt_tlv_table_mod(struct ofp_reader *r, struct ofp_msg *m)
{
    const uint8_t *p;

    if (pull_nx_header(r) || !(p = ofpr_pull(r, 8))) {
        return OFPERR_BAD_LEN;
    }
    m->tlv_table.command = rd16(p);
    return decode_tlv_maps(r, &m->tlv_table);
}

static int
encode_nxt_tlv_table_mod(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    put_nx_header(b, NXT_TLV_TABLE_MOD);
    put16(b, m->tlv_table.command);
    put_zeros(b, 6);
    encode_tlv_maps(&m->tlv_table, b);
    return 0;
}

static int
decode_nxt_tlv_table_request(struct ofp_reader *r, struct ofp_msg *m)
{
    return pull_nx_header(r) || r->left ? OFPERR_BAD_LEN : 0;
}

static int
encode_nxt_tlv_table_request(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    put_nx_header(b, NXT_TLV_TABLE_REQUEST);
    return 0;
}

static int
decode_nxt_tlv_table_reply(struct ofp_reader *r, struct ofp_msg *m)
{
    const uint8_t *p;

    if (pull_nx_header(r) || !(p = ofpr_pull(r, 16))) {
        return OFPERR_BAD_LEN;
    }
    m->tlv_table.max_option_space = rd32(p);
    m->tlv_table.max_fields = rd16(p + 4);
    return decode_tlv_maps(r, &m->tlv_table);
}

static int
encode_nxt_tlv_table_reply(const struct ofp_msg *m, struct buf *b, struct buf *error)
{
    put_nx_header(b, NXT_TLV_TABLE_REPLY);
    put32(b, m->tlv_table.max_option_space);
    put16(b, m->tlv_table.max_fields);
    put_zeros(b, 10);
    encode_tlv_maps(&m->tlv_table, b);
    return 0;
}

/* ---- The table ------------------------------------------------------------- */

#define MSG(TYPE, NAME, R10, R13, DEC, ENC) \
    [OFPTYPE_##TYPE] = { OFPTYPE_##TYPE, NAME, R10, R13, MP_NONE, false, DEC, ENC }
#define MP(TYPE, NAME, MPTYPE, REQ, R10, DEC, ENC) \
    [OFPTYPE_##TYPE] = { OFPTYPE_##TYPE, NAME, R10, REQ ? OFPT13_MULTIPART_REQUEST \
                         : OFPT13_MULTIPART_REPLY, MPTYPE, REQ, DEC, ENC }
#define NXT(TYPE, NAME, SUBTYPE, DEC, ENC) \
    [OFPTYPE_##TYPE] = { OFPTYPE_##TYPE, NAME, OFPT_VENDOR, OFPT_VENDOR, MP_NONE, false, DEC, \
                         ENC, SUBTYPE }
#define REQ10 OFPT10_STATS_REQUEST
#define REP10 OFPT10_STATS_REPLY

static const struct msg_codec codecs[OFPTYPE_N_TYPES] = {
    MSG(HELLO, "HELLO", 0, 0, decode_hello, encode_hello),
    MSG(ERROR, "ERROR", 1, 1, decode_error, encode_error),
    MSG(ECHO_REQUEST, "ECHO_REQUEST", 2, 2, decode_echo, encode_echo),
    MSG(ECHO_REPLY, "ECHO_REPLY", 3, 3, decode_echo, encode_echo),
    MSG(FEATURES_REQUEST, "FEATURES_REQUEST", 5, 5, decode_empty, encode_empty),
    MSG(FEATURES_REPLY, "FEATURES_REPLY", 6, 6, decode_features, encode_features),
    MSG(GET_CONFIG_REQUEST, "GET_CONFIG_REQUEST", 7, 7, decode_empty, encode_empty),
    MSG(GET_CONFIG_REPLY, "GET_CONFIG_REPLY", 8, 8, decode_config, encode_config),
    MSG(SET_CONFIG, "SET_CONFIG", 9, 9, decode_config, encode_config),
    MSG(PACKET_IN, "PACKET_IN", 10, 10, decode_packet_in, encode_packet_in),
    MSG(FLOW_REMOVED, "FLOW_REMOVED", 11, 11, decode_flow_removed, encode_flow_removed),
    MSG(PORT_STATUS, "PORT_STATUS", 12, 12, decode_port_status, encode_port_status),
    MSG(PACKET_OUT, "PACKET_OUT", 13, 13, decode_packet_out, encode_packet_out),
    MSG(FLOW_MOD, "FLOW_MOD", 14, 14, decode_flow_mod, encode_flow_mod),
    MSG(PORT_MOD, "PORT_MOD", 15, 16, decode_port_mod, encode_port_mod),
    MSG(TABLE_MOD, "TABLE_MOD", RAW_NONE, 17, decode_table_mod, encode_table_mod),
    MSG(BARRIER_REQUEST, "BARRIER_REQUEST", 18, 20, decode_empty, encode_empty),
    MSG(BARRIER_REPLY, "BARRIER_REPLY", 19, 21, decode_empty, encode_empty),
    MSG(ROLE_REQUEST, "ROLE_REQUEST", RAW_NONE, 24, decode_role, encode_role),
    MSG(ROLE_REPLY, "ROLE_REPLY", RAW_NONE, 25, decode_role, encode_role),
    MSG(GET_ASYNC_REQUEST, "GET_ASYNC_REQUEST", RAW_NONE, 26, decode_empty, encode_empty),
    MSG(GET_ASYNC_REPLY, "GET_ASYNC_REPLY", RAW_NONE, 27, decode_async, encode_async),
    MSG(SET_ASYNC, "SET_ASYNC", RAW_NONE, 28, decode_async, encode_async),
    MP(DESC_REQUEST, "DESC_REQUEST", 0, true, REQ10, decode_empty, encode_empty),
    MP(DESC_REPLY, "DESC_REPLY", 0, false, REP10, decode_desc, encode_desc),
    MP(FLOW_STATS_REQUEST, "FLOW_STATS_REQUEST", 1, true, REQ10,
       decode_flow_stats_request, encode_flow_stats_request),
    MP(FLOW_STATS_REPLY, "FLOW_STATS_REPLY", 1, false, REP10,
       decode_flow_stats_reply, encode_flow_stats_reply),
    MP(AGGREGATE_REQUEST, "AGGREGATE_REQUEST", 2, true, REQ10,
       decode_flow_stats_request, encode_flow_stats_request),
    MP(AGGREGATE_REPLY, "AGGREGATE_REPLY", 2, false, REP10, decode_aggregate, encode_aggregate),
    MP(TABLE_STATS_REQUEST, "TABLE_STATS_REQUEST", 3, true, REQ10, decode_empty, encode_empty),
    MP(TABLE_STATS_REPLY, "TABLE_STATS_REPLY", 3, false, REP10,
       decode_table_stats, encode_table_stats),
    MP(PORT_STATS_REQUEST, "PORT_STATS_REQUEST", 4, true, REQ10,
       decode_port_stats_request, encode_port_stats_request),
    MP(PORT_STATS_REPLY, "PORT_STATS_REPLY", 4, false, REP10, decode_port_stats, encode_port_stats),
    MP(PORT_DESC_REQUEST, "PORT_DESC_REQUEST", 13, true, RAW_NONE, decode_empty, encode_empty),
    MP(PORT_DESC_REPLY, "PORT_DESC_REPLY", 13, false, RAW_NONE, decode_port_desc, encode_port_desc),
    NXT(NXT_FLOW_MOD_TABLE_ID, "NXT_FLOW_MOD_TABLE_ID", NXT_FLOW_MOD_TABLE_ID,
        decode_nxt_flow_mod_table_id, encode_nxt_flow_mod_table_id),
    NXT(NXT_TLV_TABLE_MOD, "NXT_TLV_TABLE_MOD", NXT_TLV_TABLE_MOD,
        decode_nxt_tlv_table_mod, encode_nxt_tlv_table_mod),
    NXT(NXT_TLV_TABLE_REQUEST, "NXT_TLV_TABLE_REQUEST", NXT_TLV_TABLE_REQUEST,
        decode_nxt_tlv_table_request, encode_nxt_tlv_table_request),
    NXT(NXT_TLV_TABLE_REPLY, "NXT_TLV_TABLE_REPLY", NXT_TLV_TABLE_REPLY,
        decode_nxt_tlv_table_reply, encode_nxt_tlv_table_reply),
};

const char *
ofptype_name(enum ofptype type)
{
    return (unsigned int) type < OFPTYPE_N_TYPES ? codecs[type].name : "UNKNOWN";
}

static uint8_t
raw_type(const struct msg_codec *c, uint8_t version)
{
    return version == OFP10_VERSION ? c->raw10 : c->raw13;
}

static bool
is_multipart_raw(uint8_t version, uint8_t raw)
{
    return version == OFP10_VERSION
        ? raw == OFPT10_STATS_REQUEST || raw == OFPT10_STATS_REPLY
        : raw == OFPT13_MULTIPART_REQUEST || raw == OFPT13_MULTIPART_REPLY;
}

/* Finds the codec for a wire type (and multipart type, or for a Nicira
 * message its subtype; -1 if none). */
static const struct msg_codec *
find_codec(uint8_t version, uint8_t raw, int mp_type, int64_t nx_subtype)
{
    for (size_t i = 0; i < OFPTYPE_N_TYPES; i++) {
        const struct msg_codec *c = &codecs[i];

        if (raw != RAW_NONE && raw_type(c, version) == raw && (mp_type < 0 || c->mp_type == mp_type)
            && (nx_subtype < 0 || c->nx_subtype == nx_subtype)) {
            return c;
        }
    }
    return NULL;
}

/* ---- Public entry points ------------------------------------------------- */

void
ofp_msg_init(struct ofp_msg *m, enum ofptype type, uint8_t version, uint32_t xid)
{
    memset(m, 0, sizeof *m);
    m->type = type;
    m->version = version;
    m->xid = xid;
    switch (type) {
    case OFPTYPE_FLOW_MOD:
        m->flow_mod.buffer_id = OFP_NO_BUFFER;
        m->flow_mod.out_port = OFPP13_ANY;
        m->flow_mod.out_group = OFPG_ANY;
        break;
    case OFPTYPE_PACKET_OUT:
        m->packet_out.buffer_id = OFP_NO_BUFFER;
        m->packet_out.in_port = OFPP13_CONTROLLER;
        break;
    case OFPTYPE_FLOW_STATS_REQUEST: case OFPTYPE_AGGREGATE_REQUEST:
        m->flow_stats_request.table_id = OFPTT_ALL;
        m->flow_stats_request.out_port = OFPP13_ANY;
        m->flow_stats_request.out_group = OFPG_ANY;
        break;
    case OFPTYPE_PORT_STATS_REQUEST:
        m->port_stats_port = OFPP13_ANY;
        break;
    case OFPTYPE_SET_CONFIG: case OFPTYPE_GET_CONFIG_REPLY:
        m->config.miss_send_len = OFP_DEFAULT_MISS_SEND_LEN;
        break;
    case OFPTYPE_PACKET_IN:
        m->packet_in.buffer_id = OFP_NO_BUFFER;
        break;
    default:
        break;
    }
}

void
ofp_msg_uninit(struct ofp_msg *m)
{
    if (!m) {
        return;
    }
    switch (m->type) {
    case OFPTYPE_ERROR: free(m->error.data); break;
    case OFPTYPE_ECHO_REQUEST: case OFPTYPE_ECHO_REPLY: free(m->echo.data); break;
    case OFPTYPE_FEATURES_REPLY: free(m->features.ports); break;
    case OFPTYPE_PACKET_IN: free(m->packet_in.data); break;
    case OFPTYPE_PACKET_OUT:
        ofpacts_uninit(&m->packet_out.ofpacts);
        free(m->packet_out.data);
        break;
    case OFPTYPE_FLOW_MOD: ofpacts_uninit(&m->flow_mod.ofpacts); break;
    case OFPTYPE_FLOW_STATS_REPLY: flow_stats_reply_free(&m->flow_stats); break;
    case OFPTYPE_TABLE_STATS_REPLY: free(m->table_stats.tables); break;
    case OFPTYPE_PORT_STATS_REPLY: free(m->port_stats.ports); break;
    case OFPTYPE_PORT_DESC_REPLY: free(m->port_desc.ports); break;
    case OFPTYPE_NXT_TLV_TABLE_MOD: case OFPTYPE_NXT_TLV_TABLE_REPLY:
        free(m->tlv_table.mappings);
        break;
    default: break;
    }
    memset(&m->flow_mod, 0, sizeof *m - offsetof(struct ofp_msg, flow_mod)); /* The union. */
}

size_t
ofp_msg_length(const void *data, size_t size)
{
    return size < OFP_HEADER_SIZE ? 0 : rd16((const uint8_t *) data + 2);
}

static bool
version_supported(uint8_t version)
{
    return version == OFP10_VERSION || version == OFP13_VERSION;
}

int
ofp_decode(const void *data, size_t size, struct ofp_msg *m)
{
    return ofp_decode_ext(data, size, m, false);
}

int
ofp_decode_ext(const void *data, size_t size, struct ofp_msg *m, bool flow_mod_table_id)
{
    const uint8_t *p = data;
    const struct msg_codec *c;
    struct ofp_reader r;
    int mp_type = -1, error;
    int64_t nx_subtype = -1;

    memset(m, 0, sizeof *m);
    m->type = OFPTYPE_N_TYPES;
    if (size < OFP_HEADER_SIZE) {
        return OFPERR_BAD_LEN;
    }
    m->version = p[0];
    m->xid = rd32(p + 4);
    if (rd16(p + 2) != size) {
        return OFPERR_BAD_LEN;
    } else if (!version_supported(m->version) && p[1] != 0) {
        return OFPERR_BAD_VERSION;  /* Only HELLO is read in any version. */
    }
    ofpr_init(&r, p + OFP_HEADER_SIZE, size - OFP_HEADER_SIZE);
    if (p[1] == 0) {
        m->type = OFPTYPE_HELLO;
        return decode_hello(&r, m);
    }
    if (is_multipart_raw(m->version, p[1])) {
        const uint8_t *mp = ofpr_pull(&r, m->version == OFP10_VERSION ? 4 : 8);

        if (!mp) {
            return OFPERR_BAD_LEN;
        }
        mp_type = rd16(mp);
        m->mp_flags = rd16(mp + 2);
    }
    if (p[1] == OFPT_VENDOR) {
        /* Nicira messages: vendor id, then the subtype picks the codec. */
        if (r.left < 8) {
            return OFPERR_BAD_LEN;
        } else if (rd32(r.p) != OFP_NICIRA_VENDOR) {
            return OFPERR_BAD_EXPERIMENTER;
        }
        nx_subtype = rd32(r.p + 4);
    }
    c = find_codec(m->version, p[1], mp_type, nx_subtype);
    if (!c) {
        return (mp_type >= 0 ? OFPERR_BAD_MULTIPART
                : nx_subtype >= 0 ? OFPERR_BAD_EXP_TYPE : OFPERR_BAD_TYPE);
    }
    m->type = c->type;
    m->flow_mod.nx_table_id = m->type == OFPTYPE_FLOW_MOD && flow_mod_table_id;
    error = c->decode(&r, m);
    if (error) {
        enum ofptype type = m->type;

        ofp_msg_uninit(m);
        m->type = type;
    }
    return error;
}

int
ofp_encode(const struct ofp_msg *m, struct buf *out, struct buf *error)
{
    const struct msg_codec *c = (unsigned int) m->type < OFPTYPE_N_TYPES ? &codecs[m->type] : NULL;
    size_t start = out->size;
    uint8_t raw;

    if (!c || (m->type != OFPTYPE_HELLO && !version_supported(m->version))) {
        return encode_fail(error, "unsupported message type or OpenFlow version");
    }
    raw = raw_type(c, m->version);
    if (raw == RAW_NONE) {
        return encode_fail(error, m->version == OFP10_VERSION
                           ? "this request needs OpenFlow 1.3 (-O OpenFlow13)"
                           : "message not in this OpenFlow version");
    }
    put8(out, m->version);
    put8(out, raw);
    put16(out, 0);
    put32(out, m->xid);
    if (c->mp_type != MP_NONE) {
        put16(out, c->mp_type);
        put16(out, m->mp_flags);
        if (m->version != OFP10_VERSION) {
            put32(out, 0);
        }
    }
    if (c->encode(m, out, error)) {
        out->size = start;
        return EINVAL;
    } else if (out->size - start > OFP_MAX_MSG_SIZE) {
        out->size = start;
        return encode_fail(error, "message longer than 65535 bytes");
    }
    patch16(out, start + 2, out->size - start);
    return 0;
}

void
ofp_encode_error_reply(uint8_t version, uint32_t xid, int ofperr, const void *request,
                       size_t size, struct buf *out)
{
    struct ofp_msg m;

    ofp_msg_init(&m, OFPTYPE_ERROR, version_supported(version) ? version : OFP13_VERSION, xid);
    ofp_error_to_wire(m.version, ofperr, &m.error.type, &m.error.code);
    m.error.error = ofperr;
    m.error.data = (uint8_t *) request;
    m.error.size = MIN(size, 64);
    ofp_encode(&m, out, NULL);
}

/* Starts a FLOW_STATS_REPLY with no entries yet at the end of 'out'. */
static void
open_flow_stats_reply(uint8_t version, uint32_t xid, struct buf *out)
{
    struct ofp_msg m;

    ofp_msg_init(&m, OFPTYPE_FLOW_STATS_REPLY, version, xid);
    ofp_encode(&m, out, NULL);      /* Header only: cannot fail. */
}

/* Finishes the reply that starts at 'msg' in 'out': its length, and
 * OFPMPF_MORE when another follows. */
static void
close_flow_stats_reply(struct buf *out, size_t msg, bool more)
{
    patch16(out, msg + 2, out->size - msg);
    patch16(out, msg + OFP_HEADER_SIZE + 2, more ? OFPMPF_MORE : 0);
}

/* Each entry is encoded once, straight into the writer's buffer; one that
 * takes the message past 64 kB moves to a new message (measuring every
 * entry first, in a scratch buffer, cost a second encoding and a malloc
 * per flow, most of the time of a 100,000-flow dump). */
int
ofp_flow_stats_writer_init(struct ofp_flow_stats_writer *w, uint8_t version, uint32_t xid,
                           struct buf *error)
{
    memset(w, 0, sizeof *w);
    if (!version_supported(version)) {
        return encode_fail(error, "unsupported message type or OpenFlow version");
    }
    w->version = version;
    w->xid = xid;
    open_flow_stats_reply(version, xid, &w->out);
    w->header = w->out.size;
    return 0;
}

int
ofp_flow_stats_writer_add(struct ofp_flow_stats_writer *w, const struct ofp_flow_stats *fs,
                          struct buf *error)
{
    struct buf *out = &w->out;
    size_t entry = out->size;

    if (encode_flow_stats_entry(w->version, out, fs, error)) {
        out->size = entry;
        return EINVAL;
    }
    if (out->size - w->msg > OFP_MAX_MSG_SIZE && entry - w->msg > w->header) {
        w->moved.size = 0;
        buf_put(&w->moved, out->data + entry, out->size - entry);
        out->size = entry;
        close_flow_stats_reply(out, w->msg, true);
        w->msg = out->size;
        open_flow_stats_reply(w->version, w->xid, out);
        buf_put(out, w->moved.data, w->moved.size);
    }
    if (out->size - w->msg > OFP_MAX_MSG_SIZE) {
        out->size = entry;      /* One entry alone is too long. */
        return encode_fail(error, "message longer than 65535 bytes");
    }
    return 0;
}

size_t
ofp_flow_stats_writer_ready(const struct ofp_flow_stats_writer *w)
{
    return w->msg;
}

void
ofp_flow_stats_writer_consume(struct ofp_flow_stats_writer *w)
{
    memmove(w->out.data, w->out.data + w->msg, w->out.size - w->msg);
    w->out.size -= w->msg;
    w->msg = 0;
}

void
ofp_flow_stats_writer_finish(struct ofp_flow_stats_writer *w)
{
    close_flow_stats_reply(&w->out, w->msg, false);
    w->msg = w->out.size;
}

void
ofp_flow_stats_writer_uninit(struct ofp_flow_stats_writer *w)
{
    buf_uninit(&w->out);
    buf_uninit(&w->moved);
}

int
ofp_encode_flow_stats_replies(uint8_t version, uint32_t xid,
                              const struct ofp_flow_stats *flows, size_t n,
                              struct buf *out, struct buf *error)
{
    struct ofp_flow_stats_writer w;
    int e = ofp_flow_stats_writer_init(&w, version, xid, error);

    for (size_t i = 0; !e && i < n; i++) {
        e = ofp_flow_stats_writer_add(&w, &flows[i], error);
    }
    if (!e) {
        ofp_flow_stats_writer_finish(&w);
        buf_put(out, w.out.data, w.out.size);
    }
    ofp_flow_stats_writer_uninit(&w);
    return e;
}

static int
check_ofpacts_supported(const struct ofpacts *acts)
{
    for (size_t i = 0; i < acts->n; i++) {
        const struct ofpact *a = &acts->acts[i];
        int error;

        if (a->type == OFPACT_GROUP) {
            return OFPERR_BAD_OUT_GROUP;
        } else if (a->type == OFPACT_METER) {
            return OFPERR_UNSUP_INST;
        } else if (a->type == OFPACT_WRITE_ACTIONS
                   && (error = check_ofpacts_supported(a->nested))) {
            return error;
        }
    }
    return 0;
}

int
ofp_msg_check_supported(const struct ofp_msg *m)
{
    switch (m->type) {
    case OFPTYPE_FLOW_MOD:
        return check_ofpacts_supported(&m->flow_mod.ofpacts);
    case OFPTYPE_PACKET_OUT:
        return check_ofpacts_supported(&m->packet_out.ofpacts);
    default:
        return 0;
    }
}

uint8_t
ofp_bitmap_max_version(uint32_t bitmap)
{
    return bitmap ? 31 - __builtin_clz(bitmap) : 0;
}

int
ofp_negotiate_version(uint32_t ours, uint8_t their_version, uint32_t their_bitmap,
                      uint8_t *version)
{
    uint32_t theirs = their_bitmap ? their_bitmap
        : their_version >= 31 ? UINT32_MAX : (2u << their_version) - 1;
    uint32_t common = ours & theirs & ~1u;

    if (!common) {
        return OFPERR_HELLO_INCOMPATIBLE;
    }
    *version = ofp_bitmap_max_version(common);
    return 0;
}

static const char *const version_names[] = {
    [1] = "OpenFlow10", [2] = "OpenFlow11", [3] = "OpenFlow12", [4] = "OpenFlow13",
    [5] = "OpenFlow14", [6] = "OpenFlow15",
};

const char *
ofp_version_name(uint8_t version)
{
    return version < ARRAY_SIZE(version_names) && version_names[version]
        ? version_names[version] : "OpenFlow??";
}

uint8_t
ofp_version_from_name(const char *name)
{
    for (size_t i = 1; i < ARRAY_SIZE(version_names); i++) {
        if (!strcasecmp(name, version_names[i])) {
            return i;
        }
    }
    return 0;
}
