/* ofp-actions: struct ofpacts on the wire (see ofp-msgs.h): OpenFlow 1.0
 * actions, OpenFlow 1.3 actions and instructions, and the Nicira vendor
 * actions that ovs-ofctl users rely on in both versions.
 *
 * Every decoded form re-encodes to bytes that decode to the same form:
 * set_field is the one decoded form of mod_dl_src, set_nw_ttl, reg_load
 * and set_field alike, and the encoder picks the plainest wire action that
 * carries it (a standard action when the whole field is set, else
 * NXAST_REG_LOAD for a run of bits, else NXAST_REG_LOAD2). Output to the
 * controller always decodes as OFPACT_CONTROLLER.
 *
 * Instructions decode into one list in execution order: meter, the
 * apply-actions, clear_actions, write_actions, write_metadata, goto_table. */
#include "ofp-msgs.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "ofp-wire.h"

/* Action types. */
enum {
    OFPAT10_OUTPUT, OFPAT10_SET_VLAN_VID, OFPAT10_SET_VLAN_PCP, OFPAT10_STRIP_VLAN,
    OFPAT10_SET_DL_SRC, OFPAT10_SET_DL_DST, OFPAT10_SET_NW_SRC, OFPAT10_SET_NW_DST,
    OFPAT10_SET_NW_TOS, OFPAT10_SET_TP_SRC, OFPAT10_SET_TP_DST, OFPAT10_ENQUEUE,
};
enum {
    OFPAT13_OUTPUT = 0, OFPAT13_PUSH_VLAN = 17, OFPAT13_POP_VLAN = 18, OFPAT13_GROUP = 22,
    OFPAT13_SET_NW_TTL = 23, OFPAT13_DEC_NW_TTL = 24, OFPAT13_SET_FIELD = 25,
};
#define OFPAT_VENDOR 0xffff

/* Nicira action subtypes. */
enum {
    NXAST_RESUBMIT = 1, NXAST_REG_MOVE = 6, NXAST_REG_LOAD = 7, NXAST_RESUBMIT_TABLE = 14,
    NXAST_DEC_TTL = 18, NXAST_CONTROLLER = 20, NXAST_WRITE_METADATA = 22,
    NXAST_REG_LOAD2 = 33,
};

/* Instruction types. */
enum {
    OFPIT_GOTO_TABLE = 1, OFPIT_WRITE_METADATA, OFPIT_WRITE_ACTIONS, OFPIT_APPLY_ACTIONS,
    OFPIT_CLEAR_ACTIONS, OFPIT_METER,
};

/* ---- Bits of wire values ------------------------------------------------- */

static bool
bit_get(const union of_value *v, unsigned int n_bytes, unsigned int i)
{
    return v->u8[n_bytes - 1 - i / 8] >> (i % 8) & 1;
}

static void
bit_set(union of_value *v, unsigned int n_bytes, unsigned int i)
{
    v->u8[n_bytes - 1 - i / 8] |= 1u << (i % 8);
}

/* If 'mask' is one run of 1-bits, stores its offset and length and returns
 * true. */
static bool
mask_is_run(const union of_value *mask, unsigned int n_bytes, unsigned int *ofs,
            unsigned int *n_bits)
{
    unsigned int i = 0, total = n_bytes * 8;

    while (i < total && !bit_get(mask, n_bytes, i)) {
        i++;
    }
    *ofs = i;
    while (i < total && bit_get(mask, n_bytes, i)) {
        i++;
    }
    *n_bits = i - *ofs;
    while (i < total && !bit_get(mask, n_bytes, i)) {
        i++;
    }
    return i == total && *n_bits > 0;
}

static bool
value_is_full(const struct of_field_desc *f, const union of_value *mask)
{
    union of_value exact;

    of_field_exact_mask(f, &exact);
    return !memcmp(exact.u8, mask->u8, f->n_bytes);
}

/* True if 'v' has no bit outside the field's significant bits. */
static bool
value_fits(const struct of_field_desc *f, const union of_value *v)
{
    union of_value exact;

    of_field_exact_mask(f, &exact);
    for (unsigned int i = 0; i < f->n_bytes; i++) {
        if (v->u8[i] & ~exact.u8[i]) {
            return false;
        }
    }
    return true;
}

/* ---- Decoding ------------------------------------------------------------ */

static int
check_out_port(uint32_t port)
{
    if (port == 0 || port == OFPP13_ANY || (port > OFPP13_MAX && port < OFPP13_IN_PORT)) {
        return OFPERR_BAD_OUT_PORT;
    }
    return 0;
}

static int
decode_output(uint32_t port, uint16_t max_len, struct ofpacts *out)
{
    int error = check_out_port(port);
    struct ofpact *a;

    if (error) {
        return error;
    }
    if (port == OFPP13_CONTROLLER) {
        a = ofpacts_put(out, OFPACT_CONTROLLER);
        a->controller.max_len = max_len;
        a->controller.reason = OFPR_ACTION;
    } else {
        a = ofpacts_put(out, OFPACT_OUTPUT);
        a->output.port = port;
        a->output.max_len = max_len;
    }
    return 0;
}

/* A full-width set_field of 'id' from 'n' wire bytes at 'p'. */
static int
decode_set_bytes(enum of_field_id id, const uint8_t *p, struct ofpacts *out)
{
    const struct of_field_desc *f = of_field_by_id(id);
    struct ofpact *a;
    union of_value v;

    memset(&v, 0, sizeof v);
    memcpy(v.u8, p, f->n_bytes);
    if (!value_fits(f, &v)) {
        return OFPERR_BAD_ACTION_ARGUMENT;
    }
    a = ofpacts_put(out, OFPACT_SET_FIELD);
    a->set_field.field = id;
    a->set_field.value = v;
    of_field_exact_mask(f, &a->set_field.mask);
    return 0;
}

static int
decode_action10(const uint8_t *a, uint16_t type, uint16_t len, struct ofpacts *out)
{
    switch (type) {
    case OFPAT10_OUTPUT:
        return len != 8 ? OFPERR_BAD_ACTION_LEN
            : rd16(a + 4) == 0xffff ? OFPERR_BAD_OUT_PORT
            : decode_output(ofp_port_from_10(rd16(a + 4)), rd16(a + 6), out);
    case OFPAT10_SET_VLAN_VID:
        if (len != 8) {
            return OFPERR_BAD_ACTION_LEN;
        } else if (rd16(a + 4) > 0xfff) {
            return OFPERR_BAD_ACTION_ARGUMENT;
        }
        ofpacts_put(out, OFPACT_SET_VLAN_VID)->vlan_vid = rd16(a + 4);
        return 0;
    case OFPAT10_SET_VLAN_PCP:
        if (len != 8) {
            return OFPERR_BAD_ACTION_LEN;
        } else if (a[4] > 7) {
            return OFPERR_BAD_ACTION_ARGUMENT;
        }
        ofpacts_put(out, OFPACT_SET_VLAN_PCP)->vlan_pcp = a[4];
        return 0;
    case OFPAT10_STRIP_VLAN:
        if (len != 8) {
            return OFPERR_BAD_ACTION_LEN;
        }
        ofpacts_put(out, OFPACT_STRIP_VLAN);
        return 0;
    case OFPAT10_SET_DL_SRC: case OFPAT10_SET_DL_DST:
        return len != 16 ? OFPERR_BAD_ACTION_LEN
            : decode_set_bytes(type == OFPAT10_SET_DL_SRC ? OFF_ETH_SRC : OFF_ETH_DST, a + 4, out);
    case OFPAT10_SET_NW_SRC: case OFPAT10_SET_NW_DST:
        return len != 8 ? OFPERR_BAD_ACTION_LEN
            : decode_set_bytes(type == OFPAT10_SET_NW_SRC ? OFF_IPV4_SRC : OFF_IPV4_DST, a + 4, out);
    case OFPAT10_SET_NW_TOS:
        return len != 8 ? OFPERR_BAD_ACTION_LEN : decode_set_bytes(OFF_NW_TOS, a + 4, out);
    case OFPAT10_SET_TP_SRC: case OFPAT10_SET_TP_DST:
        return len != 8 ? OFPERR_BAD_ACTION_LEN
            : decode_set_bytes(type == OFPAT10_SET_TP_SRC ? OFF_TCP_SRC : OFF_TCP_DST, a + 4, out);
    default:
        return OFPERR_BAD_ACTION_TYPE;
    }
}

/* Decodes an OXM TLV for set_field or reg_load2 at 'p' (of 'size' bytes):
 * a writable field and, with 'allow_mask', a mask. */
static int
decode_set_field_tlv(const uint8_t *p, size_t size, bool allow_mask, struct ofpacts *out)
{
    const struct of_field_desc *f;
    union of_value v, m;
    bool has_mask;
    struct ofpact *a;

    if (size < 4) {
        return OFPERR_BAD_SET_LEN;
    }
    has_mask = p[2] & 1;
    f = rd16(p) == 0xffff ? NULL : of_field_by_oxm(rd16(p), p[2] >> 1);
    if (!f || !f->writable) {
        return OFPERR_BAD_SET_TYPE;
    } else if (p[3] != f->n_bytes * (has_mask ? 2 : 1) || 4 + (size_t) p[3] > size) {
        return OFPERR_BAD_SET_LEN;
    } else if (has_mask && !allow_mask) {
        return OFPERR_BAD_SET_ARGUMENT;
    }
    memset(&v, 0, sizeof v);
    memcpy(v.u8, p + 4, f->n_bytes);
    if (has_mask) {
        memset(&m, 0, sizeof m);
        memcpy(m.u8, p + 4 + f->n_bytes, f->n_bytes);
    } else {
        of_field_exact_mask(f, &m);
    }
    if (!value_fits(f, &v) || !value_fits(f, &m) || of_value_is_zero(f, &m)) {
        return OFPERR_BAD_SET_ARGUMENT;
    }
    a = ofpacts_put(out, OFPACT_SET_FIELD);
    a->set_field.field = f->id;
    for (unsigned int i = 0; i < f->n_bytes; i++) {
        a->set_field.value.u8[i] = v.u8[i] & m.u8[i];
    }
    a->set_field.mask = m;
    return 0;
}

/* A field named by an NXM header in a Nicira action (no mask allowed). */
static const struct of_field_desc *
nxm_field(uint32_t header)
{
    const struct of_field_desc *f = of_field_by_oxm(header >> 16, (header >> 9) & 0x7f);

    return f && !(header & 0x100) && (header & 0xff) == f->n_bytes ? f : NULL;
}

static int
decode_reg_load(const uint8_t *a, struct ofpacts *out)
{
    const struct of_field_desc *f = nxm_field(rd32(a + 12));
    unsigned int ofs = rd16(a + 10) >> 6, n_bits = (rd16(a + 10) & 63) + 1;
    uint64_t value = rd64(a + 16);
    union of_value v, m;
    struct ofpact *act;

    if (!f || !f->writable) {
        return OFPERR_BAD_SET_TYPE;
    } else if (ofs + n_bits > f->n_bytes * 8 || (n_bits < 64 && value >> n_bits)) {
        return OFPERR_BAD_ACTION_ARGUMENT;
    }
    memset(&v, 0, sizeof v);
    memset(&m, 0, sizeof m);
    for (unsigned int i = 0; i < n_bits; i++) {
        bit_set(&m, f->n_bytes, ofs + i);
        if (value >> i & 1) {
            bit_set(&v, f->n_bytes, ofs + i);
        }
    }
    if (!value_fits(f, &m)) {
        return OFPERR_BAD_SET_ARGUMENT;
    }
    act = ofpacts_put(out, OFPACT_SET_FIELD);
    act->set_field.field = f->id;
    act->set_field.value = v;
    act->set_field.mask = m;
    return 0;
}

static int
decode_reg_move(const uint8_t *a, struct ofpacts *out)
{
    const struct of_field_desc *src = nxm_field(rd32(a + 16)), *dst = nxm_field(rd32(a + 20));
    unsigned int n_bits = rd16(a + 10), src_ofs = rd16(a + 12), dst_ofs = rd16(a + 14);
    struct ofpact *act;

    if (!src || !dst || !dst->writable) {
        return OFPERR_BAD_ACTION_ARGUMENT;
    } else if (!n_bits || src_ofs + n_bits > src->n_bytes * 8
               || dst_ofs + n_bits > dst->n_bytes * 8) {
        return OFPERR_BAD_ACTION_ARGUMENT;
    }
    act = ofpacts_put(out, OFPACT_REG_MOVE);
    act->reg_move.src = src->id;
    act->reg_move.dst = dst->id;
    act->reg_move.src_ofs = src_ofs;
    act->reg_move.dst_ofs = dst_ofs;
    act->reg_move.n_bits = n_bits;
    return 0;
}

static int
decode_resubmit(const uint8_t *a, uint16_t subtype, struct ofpacts *out)
{
    struct ofpact *act;
    uint8_t table = subtype == NXAST_RESUBMIT ? 255 : a[12];

    if (subtype == NXAST_RESUBMIT_TABLE && (a[13] || a[14] || a[15])) {
        return OFPERR_BAD_ACTION_ARGUMENT;
    }
    act = ofpacts_put(out, OFPACT_RESUBMIT);
    act->resubmit.in_port = ofp_port_from_10(rd16(a + 10));
    act->resubmit.table = table;
    return 0;
}

/* Nicira actions: 'a' is the whole action, 'len' its length (>= 16). */
static int
decode_nicira(uint8_t version, const uint8_t *a, uint16_t len, struct ofpacts *out)
{
    uint16_t subtype = rd16(a + 8);
    struct ofpact *act;

    switch (subtype) {
    case NXAST_RESUBMIT: case NXAST_RESUBMIT_TABLE:
        return len != 16 ? OFPERR_BAD_ACTION_LEN : decode_resubmit(a, subtype, out);
    case NXAST_REG_MOVE:
        return len != 24 ? OFPERR_BAD_ACTION_LEN : decode_reg_move(a, out);
    case NXAST_REG_LOAD:
        return len != 24 ? OFPERR_BAD_ACTION_LEN : decode_reg_load(a, out);
    case NXAST_REG_LOAD2:
        return decode_set_field_tlv(a + 10, len - 10, true, out);
    case NXAST_DEC_TTL:
        if (len != 16) {
            return OFPERR_BAD_ACTION_LEN;
        }
        ofpacts_put(out, OFPACT_DEC_TTL);
        return 0;
    case NXAST_CONTROLLER:
        if (len != 16) {
            return OFPERR_BAD_ACTION_LEN;
        }
        act = ofpacts_put(out, OFPACT_CONTROLLER);
        act->controller.max_len = rd16(a + 10);
        act->controller.reason = a[14];
        return 0;
    case NXAST_WRITE_METADATA:
        /* In 1.3 the instruction is the one way to write metadata. */
        if (version != OFP10_VERSION) {
            return OFPERR_BAD_ACTION_EXP_TYPE;
        } else if (len != 32) {
            return OFPERR_BAD_ACTION_LEN;
        }
        act = ofpacts_put(out, OFPACT_WRITE_METADATA);
        act->metadata.mask = rd64(a + 24);
        act->metadata.value = rd64(a + 16) & act->metadata.mask;
        return 0;
    default:
        return OFPERR_BAD_ACTION_EXP_TYPE;
    }
}

static int
decode_action13(const uint8_t *a, uint16_t type, uint16_t len, struct ofpacts *out)
{
    switch (type) {
    case OFPAT13_OUTPUT:
        return len != 16 ? OFPERR_BAD_ACTION_LEN : decode_output(rd32(a + 4), rd16(a + 8), out);
    case OFPAT13_PUSH_VLAN:
        if (len != 8) {
            return OFPERR_BAD_ACTION_LEN;
        } else if (rd16(a + 4) != 0x8100 && rd16(a + 4) != 0x88a8) {
            return OFPERR_BAD_ACTION_ARGUMENT;
        }
        ofpacts_put(out, OFPACT_PUSH_VLAN)->push_vlan_tpid = rd16(a + 4);
        return 0;
    case OFPAT13_POP_VLAN:
        if (len != 8) {
            return OFPERR_BAD_ACTION_LEN;
        }
        ofpacts_put(out, OFPACT_STRIP_VLAN);
        return 0;
    case OFPAT13_GROUP:
        if (len != 8) {
            return OFPERR_BAD_ACTION_LEN;
        }
        ofpacts_put(out, OFPACT_GROUP)->group_id = rd32(a + 4);
        return 0;
    case OFPAT13_SET_NW_TTL:
        return len != 8 ? OFPERR_BAD_ACTION_LEN : decode_set_bytes(OFF_NW_TTL, a + 4, out);
    case OFPAT13_DEC_NW_TTL:
        if (len != 8) {
            return OFPERR_BAD_ACTION_LEN;
        }
        ofpacts_put(out, OFPACT_DEC_TTL);
        return 0;
    case OFPAT13_SET_FIELD:
        return decode_set_field_tlv(a + 4, len - 4, false, out);
    default:
        return OFPERR_BAD_ACTION_TYPE;
    }
}

int
ofp_actions_decode(uint8_t version, const void *data, size_t size, struct ofpacts *out)
{
    struct ofp_reader r;
    size_t start_n = out->n;

    ofpr_init(&r, data, size);
    while (r.left) {
        const uint8_t *a = r.p;
        uint16_t type, len;
        int error;

        if (r.left < 8 || (len = rd16(a + 2)) < 8 || len % 8 || len > r.left) {
            error = OFPERR_BAD_ACTION_LEN;
        } else if ((type = rd16(a)) == OFPAT_VENDOR) {
            error = len < 16 ? OFPERR_BAD_ACTION_LEN
                : rd32(a + 4) != OFP_NICIRA_VENDOR ? OFPERR_BAD_ACTION_EXPERIMENTER
                : decode_nicira(version, a, len, out);
        } else {
            error = version == OFP10_VERSION ? decode_action10(a, type, len, out)
                : decode_action13(a, type, len, out);
        }
        if (error) {
            /* Leave 'out' as it was. */
            while (out->n > start_n) {
                struct ofpact *last = &out->acts[--out->n];

                if (last->type == OFPACT_WRITE_ACTIONS) {
                    ofpacts_uninit(last->nested);
                    free(last->nested);
                }
            }
            return error;
        }
        ofpr_pull(&r, len);
    }
    return 0;
}

/* Instructions, decoded into separate slots first so that the list comes
 * out in execution order whatever order the wire had. */
struct inst_slots {
    bool seen[OFPIT_METER + 1];
    struct ofpacts apply;
    struct ofpacts *write;      /* Owned until moved into the list. */
    uint8_t goto_table;
    uint64_t metadata, metadata_mask;
    uint32_t meter_id;
};

static int
decode_instruction(const uint8_t *p, uint16_t type, uint16_t len, struct inst_slots *s)
{
    if (type == 0xffff) {
        return OFPERR_INST_BAD_EXPERIMENTER;
    } else if (type < OFPIT_GOTO_TABLE || type > OFPIT_METER) {
        return OFPERR_UNKNOWN_INST;
    } else if (s->seen[type]) {
        return OFPERR_UNSUP_INST;
    }
    s->seen[type] = true;
    switch (type) {
    case OFPIT_GOTO_TABLE:
        if (len != 8) {
            return OFPERR_INST_BAD_LEN;
        } else if (p[4] == 0xff) {
            return OFPERR_INST_BAD_TABLE_ID;
        }
        s->goto_table = p[4];
        return 0;
    case OFPIT_WRITE_METADATA:
        if (len != 24) {
            return OFPERR_INST_BAD_LEN;
        }
        s->metadata_mask = rd64(p + 16);
        s->metadata = rd64(p + 8) & s->metadata_mask;
        return 0;
    case OFPIT_WRITE_ACTIONS:
        s->write = xmalloc(sizeof *s->write);
        ofpacts_init(s->write);
        return ofp_actions_decode(OFP13_VERSION, p + 8, len - 8, s->write);
    case OFPIT_APPLY_ACTIONS:
        return ofp_actions_decode(OFP13_VERSION, p + 8, len - 8, &s->apply);
    case OFPIT_CLEAR_ACTIONS:
        return len != 8 ? OFPERR_INST_BAD_LEN : 0;
    default:
        if (len != 8) {
            return OFPERR_INST_BAD_LEN;
        }
        s->meter_id = rd32(p + 4);
        return 0;
    }
}

static void
inst_slots_to_list(struct inst_slots *s, struct ofpacts *out)
{
    if (s->seen[OFPIT_METER]) {
        ofpacts_put(out, OFPACT_METER)->meter_id = s->meter_id;
    }
    for (size_t i = 0; i < s->apply.n; i++) {
        *ofpacts_put(out, s->apply.acts[i].type) = s->apply.acts[i];
    }
    s->apply.n = 0;             /* Moved: no nested lists in apply. */
    if (s->seen[OFPIT_CLEAR_ACTIONS]) {
        ofpacts_put(out, OFPACT_CLEAR_ACTIONS);
    }
    if (s->write) {
        struct ofpact *a = ofpacts_put(out, OFPACT_WRITE_ACTIONS);

        free(a->nested);
        a->nested = s->write;
        s->write = NULL;
    }
    if (s->seen[OFPIT_WRITE_METADATA]) {
        struct ofpact *a = ofpacts_put(out, OFPACT_WRITE_METADATA);

        a->metadata.value = s->metadata;
        a->metadata.mask = s->metadata_mask;
    }
    if (s->seen[OFPIT_GOTO_TABLE]) {
        ofpacts_put(out, OFPACT_GOTO_TABLE)->goto_table = s->goto_table;
    }
}

int
ofp_instructions_decode(const void *data, size_t size, struct ofpacts *out)
{
    struct inst_slots s;
    struct ofp_reader r;
    int error = 0;

    memset(&s, 0, sizeof s);
    ofpacts_init(&s.apply);
    ofpr_init(&r, data, size);
    while (r.left && !error) {
        const uint8_t *p = r.p;
        uint16_t len;

        if (r.left < 8 || (len = rd16(p + 2)) < 8 || len % 8 || len > r.left) {
            error = OFPERR_INST_BAD_LEN;
        } else {
            error = decode_instruction(p, rd16(p), len, &s);
            ofpr_pull(&r, len);
        }
    }
    if (!error) {
        inst_slots_to_list(&s, out);
    }
    ofpacts_uninit(&s.apply);
    if (s.write) {
        ofpacts_uninit(s.write);
        free(s.write);
    }
    return error;
}

/* ---- Encoding ------------------------------------------------------------ */

struct act_enc {
    uint8_t version;
    struct buf *b;
    struct buf *error;
    bool vlan_present;          /* A tag is known to be there (1.3 vlan sets). */
};

/* Does the match guarantee a VLAN tag? OpenFlow 1.3 set_field vlan_vid
 * needs one, so mod_vlan_vid pushes a tag first when it is not known. */
static bool
match_has_vlan(const struct ofmatch *m)
{
    return m && m->mask.pkt.vlans[0].tci & m->value.pkt.vlans[0].tci & FLOWKEY_VLAN_PRESENT;
}

static int
enc_fail(struct act_enc *e, const char *fmt, const char *what)
{
    if (e->error) {
        buf_printf(e->error, fmt, what);
    }
    return EINVAL;
}

static size_t
start_action(struct buf *b, uint16_t type)
{
    size_t start = b->size;

    put16(b, type);
    put16(b, 0);
    return start;
}

static void
end_action(struct buf *b, size_t start)
{
    put_pad8(b, start);
    patch16(b, start + 2, b->size - start);
}

static size_t
start_nicira(struct buf *b, uint16_t subtype)
{
    size_t start = start_action(b, OFPAT_VENDOR);

    put32(b, OFP_NICIRA_VENDOR);
    put16(b, subtype);
    return start;
}

static uint32_t
nxm_header(const struct of_field_desc *f)
{
    return (uint32_t) f->nxm_class << 16 | f->nxm_field << 9 | f->n_bytes;
}

static int
put_port(struct act_enc *e, uint32_t port)
{
    uint16_t p10;

    if (e->version != OFP10_VERSION) {
        put32(e->b, port);
    } else if (ofp_port_to_10(port, &p10)) {
        put16(e->b, p10);
    } else {
        return enc_fail(e, "%sport number too big for OpenFlow 1.0", "");
    }
    return 0;
}

static int
encode_output(struct act_enc *e, uint32_t port, uint16_t max_len)
{
    size_t start = start_action(e->b, OFPAT10_OUTPUT);
    int error = put_port(e, port);

    put16(e->b, max_len);
    end_action(e->b, start);
    return error;
}

/* A standard OpenFlow 1.0 action for a full set_field, or -1. */
static int
set_field_action10(enum of_field_id id)
{
    switch (id) {
    case OFF_ETH_SRC: return OFPAT10_SET_DL_SRC;
    case OFF_ETH_DST: return OFPAT10_SET_DL_DST;
    case OFF_IPV4_SRC: return OFPAT10_SET_NW_SRC;
    case OFF_IPV4_DST: return OFPAT10_SET_NW_DST;
    case OFF_NW_TOS: return OFPAT10_SET_NW_TOS;
    case OFF_TCP_SRC: return OFPAT10_SET_TP_SRC;
    case OFF_TCP_DST: return OFPAT10_SET_TP_DST;
    default: return -1;
    }
}

static void
put_oxm_tlv(struct buf *b, const struct of_field_desc *f, const union of_value *v,
            const union of_value *m, bool nxm)
{
    put16(b, nxm ? f->nxm_class : f->oxm_class);
    put8(b, (nxm ? f->nxm_field : f->oxm_field) << 1 | (m != NULL));
    put8(b, f->n_bytes * (m ? 2 : 1));
    buf_put(b, v->u8, f->n_bytes);
    if (m) {
        buf_put(b, m->u8, f->n_bytes);
    }
}

static int
encode_set_field(struct act_enc *e, const struct ofpact *a)
{
    const struct of_field_desc *f = of_field_by_id(a->set_field.field);
    const union of_value *v = &a->set_field.value, *m = &a->set_field.mask;
    unsigned int ofs, n_bits;
    int type10 = f ? set_field_action10(f->id) : -1;
    size_t start;

    if (!f) {
        return enc_fail(e, "%sset_field of an unknown field", "");
    }
    if (value_is_full(f, m) && e->version == OFP10_VERSION && type10 >= 0) {
        start = start_action(e->b, type10);
        buf_put(e->b, v->u8, f->n_bytes);
        end_action(e->b, start);
    } else if (value_is_full(f, m) && e->version != OFP10_VERSION) {
        start = start_action(e->b, OFPAT13_SET_FIELD);
        put_oxm_tlv(e->b, f, v, NULL, false);
        end_action(e->b, start);
    } else if (mask_is_run(m, f->n_bytes, &ofs, &n_bits) && n_bits <= 64) {
        uint64_t value = 0;

        for (unsigned int i = n_bits; i-- > 0;) {
            value = value << 1 | bit_get(v, f->n_bytes, ofs + i);
        }
        start = start_nicira(e->b, NXAST_REG_LOAD);
        put16(e->b, ofs << 6 | (n_bits - 1));
        put32(e->b, nxm_header(f));
        put64(e->b, value);
        end_action(e->b, start);
    } else {
        start = start_nicira(e->b, NXAST_REG_LOAD2);
        put_oxm_tlv(e->b, f, v, value_is_full(f, m) ? NULL : m, true);
        end_action(e->b, start);
    }
    return 0;
}

static int
encode_controller(struct act_enc *e, const struct ofpact *a)
{
    size_t start;

    if (a->controller.reason == OFPR_ACTION) {
        return encode_output(e, OFPP13_CONTROLLER, a->controller.max_len);
    }
    start = start_nicira(e->b, NXAST_CONTROLLER);
    put16(e->b, a->controller.max_len);
    put16(e->b, 0);             /* Controller id. */
    put8(e->b, a->controller.reason);
    end_action(e->b, start);
    return 0;
}

static void
encode_vlan_set(struct act_enc *e, enum of_field_id id, uint16_t value)
{
    struct ofpact a;

    if (!e->vlan_present) {
        size_t start = start_action(e->b, OFPAT13_PUSH_VLAN);

        put16(e->b, 0x8100);
        end_action(e->b, start);
        e->vlan_present = true;
    }

    memset(&a, 0, sizeof a);
    a.type = OFPACT_SET_FIELD;
    a.set_field.field = id;
    of_field_exact_mask(of_field_by_id(id), &a.set_field.mask);
    if (id == OFF_VLAN_VID) {
        a.set_field.value.be16[0] = htobe16(value | FLOWKEY_VLAN_PRESENT);
    } else {
        a.set_field.value.u8[0] = value;
    }
    encode_set_field(e, &a);
}

static int
encode_simple10(struct act_enc *e, uint16_t type, const void *arg, size_t size)
{
    size_t start = start_action(e->b, type);

    buf_put(e->b, arg, size);
    end_action(e->b, start);
    return 0;
}

static int
encode_resubmit(struct act_enc *e, const struct ofpact *a)
{
    size_t start;
    uint16_t port;

    if (!ofp_port_to_10(a->resubmit.in_port, &port)) {
        return enc_fail(e, "%sresubmit port number too big", "");
    }
    start = start_nicira(e->b, a->resubmit.table == 255 ? NXAST_RESUBMIT : NXAST_RESUBMIT_TABLE);
    put16(e->b, port);
    if (a->resubmit.table != 255) {
        put8(e->b, a->resubmit.table);
    }
    end_action(e->b, start);
    return 0;
}

static int
encode_reg_move(struct act_enc *e, const struct ofpact *a)
{
    const struct of_field_desc *src = of_field_by_id(a->reg_move.src);
    const struct of_field_desc *dst = of_field_by_id(a->reg_move.dst);
    size_t start;

    if (!src || !dst) {
        return enc_fail(e, "%smove of an unknown field", "");
    }
    start = start_nicira(e->b, NXAST_REG_MOVE);
    put16(e->b, a->reg_move.n_bits);
    put16(e->b, a->reg_move.src_ofs);
    put16(e->b, a->reg_move.dst_ofs);
    put32(e->b, nxm_header(src));
    put32(e->b, nxm_header(dst));
    end_action(e->b, start);
    return 0;
}

static int
encode_action(struct act_enc *e, const struct ofpact *a)
{
    bool v10 = e->version == OFP10_VERSION;
    uint8_t arg[8] = { 0 };
    size_t start;

    switch (a->type) {
    case OFPACT_OUTPUT:
        return encode_output(e, a->output.port, a->output.max_len);
    case OFPACT_CONTROLLER:
        return encode_controller(e, a);
    case OFPACT_SET_VLAN_VID:
        if (!v10) {
            encode_vlan_set(e, OFF_VLAN_VID, a->vlan_vid);
            return 0;
        }
        wr16(arg, a->vlan_vid);
        return encode_simple10(e, OFPAT10_SET_VLAN_VID, arg, 2);
    case OFPACT_SET_VLAN_PCP:
        if (!v10) {
            encode_vlan_set(e, OFF_VLAN_PCP, a->vlan_pcp);
            return 0;
        }
        return encode_simple10(e, OFPAT10_SET_VLAN_PCP, &a->vlan_pcp, 1);
    case OFPACT_STRIP_VLAN:
        e->vlan_present = false;
        return encode_simple10(e, v10 ? OFPAT10_STRIP_VLAN : OFPAT13_POP_VLAN, arg, 0);
    case OFPACT_PUSH_VLAN:
        if (v10) {
            return enc_fail(e, "%spush_vlan needs OpenFlow 1.1 or later", "");
        }
        wr16(arg, a->push_vlan_tpid);
        e->vlan_present = true;
        return encode_simple10(e, OFPAT13_PUSH_VLAN, arg, 2);
    case OFPACT_SET_FIELD:
        return encode_set_field(e, a);
    case OFPACT_REG_MOVE:
        return encode_reg_move(e, a);
    case OFPACT_DEC_TTL:
        if (!v10) {
            return encode_simple10(e, OFPAT13_DEC_NW_TTL, arg, 0);
        }
        start = start_nicira(e->b, NXAST_DEC_TTL);
        end_action(e->b, start);
        return 0;
    case OFPACT_RESUBMIT:
        return encode_resubmit(e, a);
    case OFPACT_GROUP:
        if (v10) {
            return enc_fail(e, "%sgroup needs OpenFlow 1.1 or later", "");
        }
        wr32(arg, a->group_id);
        return encode_simple10(e, OFPAT13_GROUP, arg, 4);
    case OFPACT_WRITE_METADATA:
        if (!v10) {
            return enc_fail(e, "%swrite_metadata is an instruction here, not an action", "");
        }
        start = start_nicira(e->b, NXAST_WRITE_METADATA);
        put_zeros(e->b, 6);
        put64(e->b, a->metadata.value);
        put64(e->b, a->metadata.mask);
        end_action(e->b, start);
        return 0;
    case OFPACT_METER: case OFPACT_GOTO_TABLE: case OFPACT_CLEAR_ACTIONS:
    case OFPACT_WRITE_ACTIONS:
    default:
        return enc_fail(e, "%s", v10 ? "instructions (goto_table, meter, clear_actions, "
                        "write_actions) need OpenFlow 1.1 or later"
                        : "an instruction cannot appear in an action list");
    }
}

static bool
is_instruction(enum ofpact_type t)
{
    return t == OFPACT_GOTO_TABLE || t == OFPACT_WRITE_METADATA || t == OFPACT_CLEAR_ACTIONS
        || t == OFPACT_WRITE_ACTIONS || t == OFPACT_METER;
}

int
ofp_actions_encode(uint8_t version, const struct ofpacts *acts, const struct ofmatch *match,
                   struct buf *b, struct buf *error)
{
    struct act_enc e = { version, b, error, match_has_vlan(match) };
    size_t start = b->size;

    for (size_t i = 0; i < acts->n; i++) {
        if (encode_action(&e, &acts->acts[i])) {
            b->size = start;
            return EINVAL;
        }
    }
    return 0;
}

static size_t
start_instruction(struct buf *b, uint16_t type)
{
    size_t start = b->size;

    put16(b, type);
    put16(b, 0);
    put32(b, 0);
    return start;
}

static int
encode_apply(const struct ofpacts *acts, const struct ofmatch *match, struct buf *b,
             struct buf *error)
{
    struct act_enc e = { OFP13_VERSION, b, error, match_has_vlan(match) };
    size_t start = 0;
    bool any = false;

    for (size_t i = 0; i < acts->n; i++) {
        if (!is_instruction(acts->acts[i].type)) {
            if (!any) {
                start = start_instruction(b, OFPIT_APPLY_ACTIONS);
                any = true;
            }
            if (encode_action(&e, &acts->acts[i])) {
                return EINVAL;
            }
        }
    }
    if (any) {
        patch16(b, start + 2, b->size - start);
    }
    return 0;
}

static int
encode_instruction(const struct ofpact *a, const struct ofmatch *match, struct buf *b,
                   struct buf *error)
{
    size_t start = start_instruction(b, 0);
    uint8_t *p;

    switch (a->type) {
    case OFPACT_METER:
        patch16(b, start, OFPIT_METER);
        wr32((uint8_t *) b->data + start + 4, a->meter_id);
        break;
    case OFPACT_CLEAR_ACTIONS:
        patch16(b, start, OFPIT_CLEAR_ACTIONS);
        break;
    case OFPACT_WRITE_ACTIONS:
        patch16(b, start, OFPIT_WRITE_ACTIONS);
        if (ofp_actions_encode(OFP13_VERSION, a->nested, match, b, error)) {
            return EINVAL;
        }
        break;
    case OFPACT_WRITE_METADATA:
        patch16(b, start, OFPIT_WRITE_METADATA);
        put64(b, a->metadata.value);
        put64(b, a->metadata.mask);
        break;
    default:
        patch16(b, start, OFPIT_GOTO_TABLE);
        p = (uint8_t *) b->data + start + 4;
        p[0] = a->goto_table;
        break;
    }
    patch16(b, start + 2, b->size - start);
    return 0;
}

int
ofp_instructions_encode(const struct ofpacts *acts, const struct ofmatch *match, struct buf *b,
                        struct buf *error)
{
    static const enum ofpact_type order[] = {
        OFPACT_CLEAR_ACTIONS, OFPACT_WRITE_ACTIONS, OFPACT_WRITE_METADATA, OFPACT_GOTO_TABLE,
    };
    size_t start = b->size;

    for (size_t i = 0; i < acts->n; i++) {
        if (acts->acts[i].type == OFPACT_METER && encode_instruction(&acts->acts[i], match, b, error)) {
            goto error;
        }
    }
    if (encode_apply(acts, match, b, error)) {
        goto error;
    }
    for (size_t k = 0; k < ARRAY_SIZE(order); k++) {
        for (size_t i = 0; i < acts->n; i++) {
            if (acts->acts[i].type == order[k] && encode_instruction(&acts->acts[i], match, b, error)) {
                goto error;
            }
        }
    }
    return 0;

error:
    b->size = start;
    return EINVAL;
}
