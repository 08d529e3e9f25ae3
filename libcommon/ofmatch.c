/* ofmatch: building and comparing OpenFlow matches (see ofmatch.h). A match
 * is value + mask over struct of_fields, so every comparison here is plain
 * word arithmetic over OF_FIELDS_U64S words; only prerequisite checking
 * needs the field table (of-fields.c). */
#include "ofmatch.h"

#include <errno.h>
#include <string.h>

static const uint64_t *
words(const struct of_fields *f)
{
    return (const uint64_t *) (const void *) f;
}

void
ofmatch_init_catchall(struct ofmatch *m)
{
    memset(m, 0, sizeof *m);
}

void
ofmatch_set(struct ofmatch *m, const struct of_field_desc *f, const union of_value *value,
            const union of_value *mask)
{
    union of_value exact, masked;

    if (!mask) {
        of_field_exact_mask(f, &exact);
        mask = &exact;
    }
    for (size_t i = 0; i < sizeof masked.u8; i++) {
        masked.u8[i] = value->u8[i] & mask->u8[i];
    }
    /* Replace the field's bits in both halves: write the new mask over an
     * all-ones selector, then the masked value under the same selector. */
    of_field_set(f, &m->mask, mask, NULL);
    of_field_set(f, &m->value, &masked, NULL);
}

void
ofmatch_get(const struct ofmatch *m, const struct of_field_desc *f, union of_value *value,
            union of_value *mask)
{
    of_field_get(f, &m->value, value);
    of_field_get(f, &m->mask, mask);
}

bool
ofmatch_has(const struct ofmatch *m, const struct of_field_desc *f)
{
    return of_field_is_set(f, &m->mask);
}

bool
ofmatch_matches(const struct ofmatch *m, const struct of_fields *flds)
{
    const uint64_t *v = words(&m->value), *mk = words(&m->mask), *p = words(flds);

    for (size_t i = 0; i < OF_FIELDS_U64S; i++) {
        if ((p[i] & mk[i]) != v[i]) {
            return false;
        }
    }
    return true;
}

bool
ofmatch_equal(const struct ofmatch *a, const struct ofmatch *b)
{
    return !memcmp(a, b, sizeof *a);
}

bool
ofmatch_is_subset(const struct ofmatch *narrow, const struct ofmatch *wide)
{
    const uint64_t *nv = words(&narrow->value), *nm = words(&narrow->mask);
    const uint64_t *wv = words(&wide->value), *wm = words(&wide->mask);

    for (size_t i = 0; i < OF_FIELDS_U64S; i++) {
        /* 'wide' may only match bits 'narrow' matches too, to the same
         * values. */
        if ((wm[i] & ~nm[i]) || (nv[i] & wm[i]) != wv[i]) {
            return false;
        }
    }
    return true;
}

bool
ofmatch_overlaps(const struct ofmatch *a, const struct ofmatch *b)
{
    const uint64_t *av = words(&a->value), *am = words(&a->mask);
    const uint64_t *bv = words(&b->value), *bm = words(&b->mask);

    for (size_t i = 0; i < OF_FIELDS_U64S; i++) {
        uint64_t common = am[i] & bm[i];

        if ((av[i] & common) != (bv[i] & common)) {
            return false;
        }
    }
    return true;
}

int
ofmatch_check_prereqs(const struct ofmatch *m, struct buf *error)
{
    struct of_field_set present;

    of_fields_present(&m->mask, &present);
    for (int id = of_field_set_next(&present, 0); id < OFF_N_FIELDS;
         id = of_field_set_next(&present, id + 1)) {
        const struct of_field_desc *f = of_field_by_id(id);

        if (!ofmatch_field_alias(m, f)) {
            if (error) {
                buf_printf(error, "%s requires %s", f->name,
                           f->prereq_ip_proto == 6 ? "tcp, udp or sctp (e.g. tcp,tp_dst=80)"
                           : f->prereq_ip_proto == 17 ? "udp or udp6"
                           : f->prereq_ip_proto == 132 ? "sctp"
                           : f->prereq_ip_proto == 1 ? "icmp"
                           : f->prereq_ip_proto == 58 ? "icmp6"
                           : f->prereq_eth_type == 0x0806 ? "arp"
                           : f->prereq_eth_type2 ? "ip or ipv6"
                           : f->prereq_eth_type == 0x86dd ? "ipv6" : "ip");
            }
            return EINVAL;
        }
    }
    return 0;
}
