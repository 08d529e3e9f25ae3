/* ofp-match-wire: struct ofmatch on the wire (see ofp-msgs.h).
 *
 * OpenFlow 1.0 has a fixed 40-byte ofp_match with wildcard bits, CIDR
 * masks for IPv4 addresses only and no room for anything past L4 ports;
 * matches it cannot carry are refused on encode with the field named.
 * OpenFlow 1.3 carries OXM TLVs; fields that OXM lacks (registers, vlan_tci
 * with odd masks, ip_frag, nw_ttl, tcp_flags, tunnel addresses) travel as
 * Nicira NXM TLVs inside the same list, as Open vSwitch does.
 *
 * Fields sharing storage (tcp_src/udp_src/icmp_type...) are written under
 * the name their prerequisites select, so the bytes say what was meant. */
#include "ofp-msgs.h"

#include <errno.h>

#include "ofp-wire.h"

/* OpenFlow 1.0 wildcard bits. */
#define OFPFW10_IN_PORT     (1u << 0)
#define OFPFW10_DL_VLAN     (1u << 1)
#define OFPFW10_DL_SRC      (1u << 2)
#define OFPFW10_DL_DST      (1u << 3)
#define OFPFW10_DL_TYPE     (1u << 4)
#define OFPFW10_NW_PROTO    (1u << 5)
#define OFPFW10_TP_SRC      (1u << 6)
#define OFPFW10_TP_DST      (1u << 7)
#define OFPFW10_NW_SRC_SHIFT 8
#define OFPFW10_NW_DST_SHIFT 14
#define OFPFW10_DL_VLAN_PCP (1u << 20)
#define OFPFW10_NW_TOS      (1u << 21)
#define OFPFW10_ALL         ((1u << 22) - 1)
#define OFP10_VLAN_NONE     0xffff

uint32_t
ofp_port_from_10(uint16_t port)
{
    return port >= 0xff00 ? port + 0xffff0000u : port;
}

bool
ofp_port_to_10(uint32_t port, uint16_t *out)
{
    if (port >= 0xffffff00u) {
        *out = port - 0xffff0000u;
        return true;
    } else if (port < 0xff00) {
        *out = port;
        return true;
    }
    return false;
}

static const struct of_field_desc *
F(enum of_field_id id)
{
    return of_field_by_id(id);
}

/* Sets field 'id' exactly to a wire value given as an integer. */
static void
set_uint(struct ofmatch *m, enum of_field_id id, uint64_t v)
{
    const struct of_field_desc *f = F(id);
    union of_value value;

    memset(&value, 0, sizeof value);
    for (unsigned int i = f->n_bytes; i-- > 0; v >>= 8) {
        value.u8[i] = v;
    }
    ofmatch_set(m, f, &value, NULL);
}

static void
set_bytes(struct ofmatch *m, enum of_field_id id, const uint8_t *p, const uint8_t *mask)
{
    const struct of_field_desc *f = F(id);
    union of_value value, mk;

    memset(&value, 0, sizeof value);
    memcpy(value.u8, p, f->n_bytes);
    if (mask) {
        memset(&mk, 0, sizeof mk);
        memcpy(mk.u8, mask, f->n_bytes);
    }
    ofmatch_set(m, f, &value, mask ? &mk : NULL);
}

/* Adds the bits of 'mask' to the match without touching others (for the
 * VLAN TCI, which OpenFlow 1.0 fills from two wildcard bits). */
static void
merge_tci(struct ofmatch *m, uint16_t value, uint16_t mask)
{
    m->mask.pkt.vlans[0].tci |= mask;
    m->value.pkt.vlans[0].tci = (m->value.pkt.vlans[0].tci & ~mask) | (value & mask);
}

static void
decode10_nw_addr(struct ofmatch *m, enum of_field_id id, const uint8_t *p, unsigned int bits)
{
    uint8_t mask[4];
    uint32_t mk;

    if (bits >= 32) {
        return;
    }
    mk = UINT32_MAX << bits;
    wr32(mask, mk);
    set_bytes(m, id, p, mask);
}

void
ofp_match10_decode(const void *data, struct ofmatch *m)
{
    const uint8_t *p = data;
    uint32_t wc = rd32(p);
    uint16_t dl_vlan = rd16(p + 18), dl_type = rd16(p + 22);
    bool ip = !(wc & OFPFW10_DL_TYPE) && dl_type == 0x0800;
    bool arp = !(wc & OFPFW10_DL_TYPE) && dl_type == 0x0806;
    uint8_t proto = p[25];

    ofmatch_init_catchall(m);
    if (!(wc & OFPFW10_IN_PORT)) {
        set_uint(m, OFF_IN_PORT, ofp_port_from_10(rd16(p + 4)));
    }
    if (!(wc & OFPFW10_DL_SRC)) {
        set_bytes(m, OFF_ETH_SRC, p + 6, NULL);
    }
    if (!(wc & OFPFW10_DL_DST)) {
        set_bytes(m, OFF_ETH_DST, p + 12, NULL);
    }
    if (!(wc & OFPFW10_DL_VLAN) && dl_vlan == OFP10_VLAN_NONE) {
        merge_tci(m, 0, 0xffff);
    } else {
        if (!(wc & OFPFW10_DL_VLAN)) {
            merge_tci(m, FLOWKEY_VLAN_PRESENT | (dl_vlan & FLOWKEY_VLAN_VID_MASK), 0x1fff);
        }
        if (!(wc & OFPFW10_DL_VLAN_PCP)) {
            merge_tci(m, FLOWKEY_VLAN_PRESENT | (p[20] & 7) << FLOWKEY_VLAN_PCP_SHIFT, 0xf000);
        }
    }
    if (!(wc & OFPFW10_DL_TYPE)) {
        set_uint(m, OFF_ETH_TYPE, dl_type);
    }
    /* Fields past L2 count only when their protocol is matched. */
    if (ip && !(wc & OFPFW10_NW_TOS)) {
        set_uint(m, OFF_NW_TOS, p[24] & 0xfc);
    }
    if ((ip || arp) && !(wc & OFPFW10_NW_PROTO)) {
        set_uint(m, ip ? OFF_IP_PROTO : OFF_ARP_OP, proto);
    }
    if (ip || arp) {
        decode10_nw_addr(m, OFF_IPV4_SRC, p + 28, (wc >> OFPFW10_NW_SRC_SHIFT) & 63);
        decode10_nw_addr(m, OFF_IPV4_DST, p + 32, (wc >> OFPFW10_NW_DST_SHIFT) & 63);
    }
    if (ip && !(wc & OFPFW10_NW_PROTO) && (proto == 6 || proto == 17 || proto == 1)) {
        if (!(wc & OFPFW10_TP_SRC)) {
            set_uint(m, proto == 1 ? OFF_ICMPV4_TYPE : OFF_TCP_SRC,
                     proto == 1 ? (rd16(p + 36) & 0xff) : rd16(p + 36));
        }
        if (!(wc & OFPFW10_TP_DST)) {
            set_uint(m, proto == 1 ? OFF_ICMPV4_CODE : OFF_TCP_DST,
                     proto == 1 ? (rd16(p + 38) & 0xff) : rd16(p + 38));
        }
    }
}

/* ---- OpenFlow 1.0 encoding ------------------------------------------------ */

struct enc10 {
    const struct ofmatch *m;
    struct of_fields covered;   /* Mask bits the 1.0 match expresses. */
    struct buf *error;
    int status;
};

/* Gets the field (through the alias its prerequisites select) as an
 * integer value and mask. */
static void
get_uint(const struct ofmatch *m, enum of_field_id id, uint64_t *value, uint64_t *mask)
{
    const struct of_field_desc *f = F(id);
    union of_value v, mk;

    ofmatch_get(m, f, &v, &mk);
    *value = *mask = 0;
    for (unsigned int i = 0; i < f->n_bytes && i < 8; i++) {
        *value = *value << 8 | v.u8[i];
        *mask = *mask << 8 | mk.u8[i];
    }
}

static void
cover(struct enc10 *e, enum of_field_id id)
{
    union of_value ones;

    memset(&ones, 0xff, sizeof ones);
    of_field_set(F(id), &e->covered, &ones, NULL);
}

static void
fail10(struct enc10 *e, const char *what)
{
    if (!e->status && e->error) {
        buf_printf(e->error, "%s cannot be expressed in OpenFlow 1.0 (use OpenFlow13)", what);
    }
    e->status = EINVAL;
}

/* An exact-or-wildcard field: returns true if matched, sets wildcard bit
 * otherwise. */
static bool
exact10(struct enc10 *e, enum of_field_id id, uint32_t *wc, uint32_t bit, uint64_t *value)
{
    union of_value exact;
    uint64_t mask, full = 0;

    of_field_exact_mask(F(id), &exact);
    for (unsigned int i = 0; i < F(id)->n_bytes && i < 8; i++) {
        full = full << 8 | exact.u8[i];
    }
    get_uint(e->m, id, value, &mask);
    cover(e, id);
    if (!mask) {
        *wc |= bit;
        return false;
    } else if (mask != full) {
        fail10(e, F(id)->name);
        return false;
    }
    *wc &= ~bit;
    return true;
}

static void
encode10_vlan(struct enc10 *e, uint8_t *p, uint32_t *wc)
{
    uint16_t t = e->m->mask.pkt.vlans[0].tci, v = e->m->value.pkt.vlans[0].tci;

    cover(e, OFF_VLAN_TCI);
    if (!t) {
        return;
    }
    if ((t & 0x1fff) == 0x1fff && !v && !(t & 0xe000 && (t & 0xe000) != 0xe000)) {
        *wc &= ~OFPFW10_DL_VLAN;
        wr16(p + 18, OFP10_VLAN_NONE);
    } else if (t & v & FLOWKEY_VLAN_PRESENT && ((t & 0xfff) == 0 || (t & 0xfff) == 0xfff)
               && ((t & 0xe000) == 0 || (t & 0xe000) == 0xe000) && (t & 0xefff)) {
        if (t & 0xfff) {
            *wc &= ~OFPFW10_DL_VLAN;
            wr16(p + 18, v & 0xfff);
        }
        if (t & 0xe000) {
            *wc &= ~OFPFW10_DL_VLAN_PCP;
            p[20] = v >> FLOWKEY_VLAN_PCP_SHIFT;
        }
    } else {
        fail10(e, "this vlan_tci mask");
    }
}

static void
encode10_nw_addr(struct enc10 *e, enum of_field_id id, uint8_t *p, uint32_t *wc, int shift)
{
    uint64_t value, mask;
    int prefix = 0;

    get_uint(e->m, id, &value, &mask);
    cover(e, id);
    while (prefix < 32 && mask & (1u << (31 - prefix))) {
        prefix++;
    }
    if (mask != (prefix ? (UINT32_MAX << (32 - prefix)) & UINT32_MAX : 0)) {
        fail10(e, "a non-CIDR nw_src/nw_dst mask");
        return;
    }
    *wc = (*wc & ~(63u << shift)) | (uint32_t) (32 - prefix) << shift;
    wr32(p, value);
}

/* Names the first matched field the 1.0 match did not cover. */
static void
check_uncovered(struct enc10 *e)
{
    const uint64_t *mk = (const uint64_t *) (const void *) &e->m->mask;
    const uint64_t *cv = (const uint64_t *) (const void *) &e->covered;
    struct of_fields rest;
    uint64_t *r = (uint64_t *) (void *) &rest;
    struct of_field_set uncovered;
    int id;

    for (size_t i = 0; i < OF_FIELDS_U64S; i++) {
        r[i] = mk[i] & ~cv[i];
    }
    of_fields_present(&rest, &uncovered);
    id = of_field_set_next(&uncovered, 0);
    if (id < OFF_N_FIELDS) {
        fail10(e, F(id)->name);
    }
}

int
ofp_match10_encode(const struct ofmatch *m, uint8_t p[OFP10_MATCH_SIZE], struct buf *error)
{
    struct enc10 e = { .m = m, .error = error };
    uint32_t wc = OFPFW10_ALL;
    uint64_t v;
    uint16_t port = 0;

    memset(p, 0, OFP10_MATCH_SIZE);
    memset(&e.covered, 0, sizeof e.covered);
    if (exact10(&e, OFF_IN_PORT, &wc, OFPFW10_IN_PORT, &v)) {
        if (!ofp_port_to_10(v, &port)) {
            fail10(&e, "an in_port above 0xff00");
        }
        wr16(p + 4, port);
    }
    if (exact10(&e, OFF_ETH_SRC, &wc, OFPFW10_DL_SRC, &v)) {
        memcpy(p + 6, m->value.pkt.eth_src, 6);
    }
    if (exact10(&e, OFF_ETH_DST, &wc, OFPFW10_DL_DST, &v)) {
        memcpy(p + 12, m->value.pkt.eth_dst, 6);
    }
    encode10_vlan(&e, p, &wc);
    if (exact10(&e, OFF_ETH_TYPE, &wc, OFPFW10_DL_TYPE, &v)) {
        wr16(p + 22, v);
    }
    if (exact10(&e, OFF_NW_TOS, &wc, OFPFW10_NW_TOS, &v)) {
        p[24] = v;
    }
    if (exact10(&e, OFF_IP_PROTO, &wc, OFPFW10_NW_PROTO, &v)) {
        p[25] = v;
    }
    encode10_nw_addr(&e, OFF_IPV4_SRC, p + 28, &wc, OFPFW10_NW_SRC_SHIFT);
    encode10_nw_addr(&e, OFF_IPV4_DST, p + 32, &wc, OFPFW10_NW_DST_SHIFT);
    {
        const struct of_field_desc *src = ofmatch_field_alias(m, F(OFF_TCP_SRC));
        const struct of_field_desc *dst = ofmatch_field_alias(m, F(OFF_TCP_DST));

        if (exact10(&e, src ? src->id : OFF_TCP_SRC, &wc, OFPFW10_TP_SRC, &v)) {
            wr16(p + 36, v);
        }
        if (exact10(&e, dst ? dst->id : OFF_TCP_DST, &wc, OFPFW10_TP_DST, &v)) {
            wr16(p + 38, v);
        }
        cover(&e, OFF_TCP_SRC);
        cover(&e, OFF_TCP_DST);
    }
    check_uncovered(&e);
    wr32(p, wc);
    return e.status;
}

/* ---- OXM / NXM ------------------------------------------------------------ */

/* Checks one decoded TLV's value and mask against the field and the match
 * so far, then adds it. */
static int
oxm_add(struct ofmatch *m, const struct of_field_desc *f, const union of_value *value,
        const union of_value *mask)
{
    union of_value exact, old_mask, old_value;

    of_field_exact_mask(f, &exact);
    for (unsigned int i = 0; i < f->n_bytes; i++) {
        if (value->u8[i] & ~exact.u8[i]) {
            return OFPERR_BAD_VALUE;
        } else if (value->u8[i] & ~mask->u8[i]) {
            return OFPERR_BAD_WILDCARDS;
        }
    }
    ofmatch_get(m, f, &old_value, &old_mask);
    if (!of_value_is_zero(f, &old_mask)) {
        return OFPERR_DUP_FIELD;
    }
    ofmatch_set(m, f, value, mask);
    return 0;
}

int
ofp_oxm_decode(const void *data, size_t size, struct ofmatch *m)
{
    bool seen[OFF_N_FIELDS] = { false };
    struct ofp_reader r;

    ofmatch_init_catchall(m);
    ofpr_init(&r, data, size);
    while (r.left) {
        const uint8_t *h = ofpr_pull(&r, 4), *payload;
        const struct of_field_desc *f;
        union of_value value, mask;
        bool has_mask;
        int error;

        if (!h) {
            return OFPERR_BAD_MATCH_LEN;
        }
        has_mask = h[2] & 1;
        payload = ofpr_pull(&r, h[3]);
        if (!payload) {
            return OFPERR_BAD_MATCH_LEN;
        }
        f = rd16(h) == 0xffff ? NULL : of_field_by_oxm(rd16(h), h[2] >> 1);
        if (!f) {
            return OFPERR_BAD_FIELD;
        } else if (h[3] != f->n_bytes * (has_mask ? 2 : 1)) {
            return OFPERR_BAD_MATCH_LEN;
        } else if (has_mask && !f->maskable) {
            return OFPERR_BAD_MASK;
        }
        memset(&value, 0, sizeof value);
        memcpy(value.u8, payload, f->n_bytes);
        if (has_mask) {
            memset(&mask, 0, sizeof mask);
            memcpy(mask.u8, payload + f->n_bytes, f->n_bytes);
        } else {
            of_field_exact_mask(f, &mask);
        }
        error = oxm_add(m, f, &value, &mask);
        if (error) {
            return error;
        }
        seen[f->id] = true;
    }
    /* Each field's own prerequisites: tcp_dst under icmp is not icmp_code,
     * even though the two share storage. */
    for (int id = 0; id < OFF_N_FIELDS; id++) {
        if (seen[id] && !of_field_prereqs_ok(of_field_by_id(id), m)) {
            return OFPERR_BAD_PREREQ;
        }
    }
    return 0;
}

static void
oxm_put(struct buf *b, const struct of_field_desc *f, const struct ofmatch *m)
{
    union of_value value, mask, exact;
    bool has_mask;

    ofmatch_get(m, f, &value, &mask);
    of_field_exact_mask(f, &exact);
    has_mask = memcmp(mask.u8, exact.u8, f->n_bytes) != 0;
    put16(b, f->oxm_class);
    put8(b, f->oxm_field << 1 | has_mask);
    put8(b, f->n_bytes * (has_mask ? 2 : 1));
    buf_put(b, value.u8, f->n_bytes);
    if (has_mask) {
        buf_put(b, mask.u8, f->n_bytes);
    }
}

/* The VLAN TCI goes as OXM VLAN_VID + VLAN_PCP when the PCP mask is all
 * or nothing, else as one NXM_OF_VLAN_TCI. */
static void
oxm_put_vlan(struct buf *b, const struct ofmatch *m)
{
    uint16_t t = m->mask.pkt.vlans[0].tci;

    if ((t & 0xe000) == 0 || (t & 0xe000) == 0xe000) {
        if (t & 0x1fff) {
            oxm_put(b, F(OFF_VLAN_VID), m);
        }
        if (t & 0xe000) {
            oxm_put(b, F(OFF_VLAN_PCP), m);
        }
    } else {
        oxm_put(b, F(OFF_VLAN_TCI), m);
    }
}

void
ofp_oxm_encode(const struct ofmatch *m, struct buf *b)
{
    uint32_t done_groups = 0;       /* Bit G: storage group G went out. */
    struct of_field_set present;
    bool tos_done = false;

    of_fields_present(&m->mask, &present);
    for (int id = of_field_set_next(&present, 0); id < OFF_N_FIELDS;
         id = of_field_set_next(&present, id + 1)) {
        const struct of_field_desc *f = F(id), *alias;
        unsigned int group = of_field_group(f);

        if ((group && done_groups & (UINT32_C(1) << group)) || (id == OFF_NW_TOS && tos_done)) {
            continue;
        }
        if (id == OFF_VLAN_TCI || id == OFF_VLAN_VID || id == OFF_VLAN_PCP) {
            oxm_put_vlan(b, m);
        } else {
            alias = ofmatch_field_alias(m, f);
            oxm_put(b, alias ? alias : f, m);
        }
        /* Everything sharing storage with 'f' went out with it, except
         * the TOS slices, which are disjoint (DSCP and ECN). */
        if (id != OFF_IP_DSCP && id != OFF_IP_ECN) {
            done_groups |= UINT32_C(1) << group;
        }
        if (id == OFF_IP_DSCP) {
            tos_done = true;
        }
    }
}

int
ofp_match13_decode(const void *data, size_t size, struct ofmatch *m, size_t *consumed)
{
    const uint8_t *p = data;
    uint16_t length;

    ofmatch_init_catchall(m);
    if (size < 4) {
        return OFPERR_BAD_LEN;
    }
    length = rd16(p + 2);
    if (rd16(p) != 1) {
        return OFPERR_BAD_MATCH_TYPE;
    } else if (length < 4 || ROUND_UP((size_t) length, 8) > size) {
        return OFPERR_BAD_MATCH_LEN;
    }
    *consumed = ROUND_UP((size_t) length, 8);
    return ofp_oxm_decode(p + 4, length - 4, m);
}

void
ofp_match13_encode(const struct ofmatch *m, struct buf *b)
{
    size_t start = b->size;

    put16(b, 1);                /* OFPMT_OXM. */
    put16(b, 0);
    ofp_oxm_encode(m, b);
    patch16(b, start + 2, b->size - start);
    put_pad8(b, start);
}
