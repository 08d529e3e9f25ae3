/* odp: printing and parsing datapath flows in the kernel datapath's text
 * form (see odp.h). `dp dump-flows` prints with it, `dp add-flow` and the
 * tests read it back, so output must be stable and parse(format(x)) must
 * give back x.
 *
 * Keys are described by tables of fields (struct odp_field) that say where
 * each value lives, how big it is and how it is written; one generic
 * printer and one generic parser walk those tables, so the two directions
 * cannot drift apart. The same tables, pointed at the kernel's struct
 * ovs_key_*, print and parse set() actions.
 *
 * VLAN tags nest the way the kernel prints them:
 *   eth_type(0x8100),vlan(vid=10,pcp=0),encap(eth_type(0x0800),ipv4(...))
 * As in the kernel, an exact eth_type at a level with no vlan() says that
 * there is no (further) tag there: eth(...),eth_type(0x0800) matches only
 * untagged frames, and the tag's absence is matched exactly. A level whose
 * tag is matched absent any other way (or only partly) prints as a raw
 * vlan(tci=0x0000/0x1fff) without encap(), and one whose tag is not
 * matched at all, before an exact eth_type, as vlan(tci=0x0000/0x0000). */
#include "odp.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"

/* How a field is written. */
enum odp_format {
    ODP_FMT_DEC,                /* 80, mask in hex: 80/0xfff0. */
    ODP_FMT_HEX,                /* 0x0800. */
    ODP_FMT_IPV4,               /* 10.0.0.1/255.255.255.0 (or /24). */
    ODP_FMT_IPV6,               /* 2001:db8::1/ffff:ffff:: (or /32). */
    ODP_FMT_MAC,                /* 50:54:00:00:00:01/ff:ff:ff:00:00:00. */
    ODP_FMT_FRAG,               /* no, first, later. */
    ODP_FMT_TUNFLAGS,           /* flags(key|csum|df), written name(value). */
};

struct odp_field {
    const char *name;           /* NULL: the attribute's single value. */
    uint16_t offset;            /* Byte offset in the struct. */
    uint8_t size;               /* Bytes: 1, 2, 4, 8 for numbers. */
    uint8_t format;             /* enum odp_format. */
    uint8_t width;              /* Hex digits to print at least. */
    bool be;                    /* Number kept in network byte order. */
    uint64_t max;               /* Exact-match mask; 0 means all bits. */
};

struct odp_attr {
    const char *name;
    const struct odp_field *fields;
    size_t n_fields;
};

#define ODP_ATTR(NAME, FIELDS) { NAME, FIELDS, ARRAY_SIZE(FIELDS) }
#define MEMBER_SIZE(TYPE, MEMBER) sizeof ((TYPE *) 0)->MEMBER
#define FIELD(TYPE, NAME, MEMBER, FORMAT, WIDTH, BE, MAX)                   \
    { NAME, offsetof(TYPE, MEMBER), MEMBER_SIZE(TYPE, MEMBER), FORMAT, WIDTH, BE, MAX }
#define KF(NAME, MEMBER, FORMAT, WIDTH)                                      \
    FIELD(struct flowkey, NAME, MEMBER, FORMAT, WIDTH, false, 0)

/* ---- Key attribute tables ------------------------------------------------ */

static const struct odp_field in_port_fields[] = { KF(NULL, in_port, ODP_FMT_DEC, 0) };
static const struct odp_field tunnel_fields[] = {
    KF("tun_id", tun_id, ODP_FMT_HEX, 0), KF("src", tun_src, ODP_FMT_IPV4, 0),
    KF("dst", tun_dst, ODP_FMT_IPV4, 0), KF("tos", tun_tos, ODP_FMT_DEC, 0),
    KF("ttl", tun_ttl, ODP_FMT_DEC, 0), KF("flags", tun_flags, ODP_FMT_TUNFLAGS, 0),
};
static const struct odp_field eth_fields[] = {
    KF("src", eth_src, ODP_FMT_MAC, 0), KF("dst", eth_dst, ODP_FMT_MAC, 0),
};
static const struct odp_field eth_type_fields[] = { KF(NULL, eth_type, ODP_FMT_HEX, 4) };
static const struct odp_field ipv4_fields[] = {
    KF("src", ipv4_src, ODP_FMT_IPV4, 0), KF("dst", ipv4_dst, ODP_FMT_IPV4, 0),
    KF("proto", nw_proto, ODP_FMT_DEC, 0), KF("tos", nw_tos, ODP_FMT_DEC, 0),
    KF("ttl", nw_ttl, ODP_FMT_DEC, 0), KF("frag", nw_frag, ODP_FMT_FRAG, 2),
};
static const struct odp_field ipv6_fields[] = {
    KF("src", ipv6_src, ODP_FMT_IPV6, 0), KF("dst", ipv6_dst, ODP_FMT_IPV6, 0),
    KF("label", ipv6_label, ODP_FMT_HEX, 5), KF("proto", nw_proto, ODP_FMT_DEC, 0),
    KF("tclass", nw_tos, ODP_FMT_DEC, 0), KF("hlimit", nw_ttl, ODP_FMT_DEC, 0),
    KF("frag", nw_frag, ODP_FMT_FRAG, 2),
};
static const struct odp_field ports_fields[] = {
    KF("src", tp_src, ODP_FMT_DEC, 0), KF("dst", tp_dst, ODP_FMT_DEC, 0),
};
static const struct odp_field tcp_flags_fields[] = { KF(NULL, tcp_flags, ODP_FMT_HEX, 3) };
static const struct odp_field icmp_fields[] = {
    KF("type", tp_src, ODP_FMT_DEC, 0), KF("code", tp_dst, ODP_FMT_DEC, 0),
};
static const struct odp_field arp_fields[] = {
    KF("sip", ipv4_src, ODP_FMT_IPV4, 0), KF("tip", ipv4_dst, ODP_FMT_IPV4, 0),
    KF("op", nw_proto, ODP_FMT_DEC, 0), KF("sha", arp_sha, ODP_FMT_MAC, 0),
    KF("tha", arp_tha, ODP_FMT_MAC, 0),
};
static const struct odp_field nd_fields[] = {
    KF("target", nd_target, ODP_FMT_IPV6, 0), KF("sll", arp_sha, ODP_FMT_MAC, 0),
    KF("tll", arp_tha, ODP_FMT_MAC, 0),
};

/* Attributes that appear at most once in a key, in printing order. */
enum odp_key_attr {
    ODP_KA_TUNNEL, ODP_KA_IN_PORT, ODP_KA_ETH, ODP_KA_IPV4, ODP_KA_IPV6, ODP_KA_ARP, ODP_KA_TCP,
    ODP_KA_UDP, ODP_KA_SCTP, ODP_KA_ICMP, ODP_KA_ICMPV6, ODP_KA_TCP_FLAGS, ODP_KA_ND,
    ODP_KA_N_KEY_ATTRS
};

static const struct odp_attr key_attrs[ODP_KA_N_KEY_ATTRS] = {
    [ODP_KA_TUNNEL] = ODP_ATTR("tunnel", tunnel_fields),
    [ODP_KA_IN_PORT] = ODP_ATTR("in_port", in_port_fields),
    [ODP_KA_ETH] = ODP_ATTR("eth", eth_fields),
    [ODP_KA_IPV4] = ODP_ATTR("ipv4", ipv4_fields),
    [ODP_KA_IPV6] = ODP_ATTR("ipv6", ipv6_fields),
    [ODP_KA_ARP] = ODP_ATTR("arp", arp_fields),
    [ODP_KA_TCP] = ODP_ATTR("tcp", ports_fields),
    [ODP_KA_UDP] = ODP_ATTR("udp", ports_fields),
    [ODP_KA_SCTP] = ODP_ATTR("sctp", ports_fields),
    [ODP_KA_ICMP] = ODP_ATTR("icmp", icmp_fields),
    [ODP_KA_ICMPV6] = ODP_ATTR("icmpv6", icmp_fields),
    [ODP_KA_TCP_FLAGS] = ODP_ATTR("tcp_flags", tcp_flags_fields),
    [ODP_KA_ND] = ODP_ATTR("nd", nd_fields),
};
static const struct odp_attr eth_type_attr = ODP_ATTR("eth_type", eth_type_fields);

/* A tag's TPID prints as the eth_type of its level. */
static const struct odp_field tpid_fields[] = {
    FIELD(struct flowkey_vlan, NULL, tpid, ODP_FMT_HEX, 4, false, 0),
};
static const struct odp_attr tpid_attr = ODP_ATTR("eth_type", tpid_fields);

/* vlan(): the tag form (vid, pcp; tpid accepted too) or the raw form
 * (tpid, tci) for a level whose tag is not matched present. */
struct odp_vlan_text {
    uint16_t vid;
    uint16_t tpid;
    uint16_t tci;
    uint8_t pcp;
    uint8_t pad;
};
#define VF(NAME, MEMBER, FORMAT, WIDTH, MAX) \
    FIELD(struct odp_vlan_text, NAME, MEMBER, FORMAT, WIDTH, false, MAX)
static const struct odp_field vlan_tag_fields[] = {
    VF("vid", vid, ODP_FMT_DEC, 0, FLOWKEY_VLAN_VID_MASK), VF("pcp", pcp, ODP_FMT_DEC, 0, 7),
};
static const struct odp_field vlan_raw_fields[] = {
    VF("tpid", tpid, ODP_FMT_HEX, 4, 0), VF("tci", tci, ODP_FMT_HEX, 4, 0),
};
static const struct odp_field vlan_all_fields[] = {
    VF("vid", vid, ODP_FMT_DEC, 0, FLOWKEY_VLAN_VID_MASK), VF("pcp", pcp, ODP_FMT_DEC, 0, 7),
    VF("tpid", tpid, ODP_FMT_HEX, 4, 0), VF("tci", tci, ODP_FMT_HEX, 4, 0),
};
static const struct odp_attr vlan_tag_attr = ODP_ATTR("vlan", vlan_tag_fields);
static const struct odp_attr vlan_raw_attr = ODP_ATTR("vlan", vlan_raw_fields);
static const struct odp_attr vlan_all_attr = ODP_ATTR("vlan", vlan_all_fields);
#define VLAN_FIELD_VID 0x1
#define VLAN_FIELD_PCP 0x2
#define VLAN_FIELD_TPID 0x4
#define VLAN_FIELD_TCI 0x8

/* ---- set() action tables: the kernel's struct ovs_key_* ----------------- */

#define SF(TYPE, NAME, MEMBER, FORMAT, WIDTH) FIELD(TYPE, NAME, MEMBER, FORMAT, WIDTH, true, 0)
static const struct odp_field set_eth_fields[] = {
    SF(struct ovs_key_ethernet, "src", eth_src, ODP_FMT_MAC, 0),
    SF(struct ovs_key_ethernet, "dst", eth_dst, ODP_FMT_MAC, 0),
};
static const struct odp_field set_ipv4_fields[] = {
    SF(struct ovs_key_ipv4, "src", ipv4_src, ODP_FMT_IPV4, 0),
    SF(struct ovs_key_ipv4, "dst", ipv4_dst, ODP_FMT_IPV4, 0),
    SF(struct ovs_key_ipv4, "proto", ipv4_proto, ODP_FMT_DEC, 0),
    SF(struct ovs_key_ipv4, "tos", ipv4_tos, ODP_FMT_DEC, 0),
    SF(struct ovs_key_ipv4, "ttl", ipv4_ttl, ODP_FMT_DEC, 0),
    SF(struct ovs_key_ipv4, "frag", ipv4_frag, ODP_FMT_FRAG, 2),
};
static const struct odp_field set_ipv6_fields[] = {
    SF(struct ovs_key_ipv6, "src", ipv6_src, ODP_FMT_IPV6, 0),
    SF(struct ovs_key_ipv6, "dst", ipv6_dst, ODP_FMT_IPV6, 0),
    SF(struct ovs_key_ipv6, "label", ipv6_label, ODP_FMT_HEX, 5),
    SF(struct ovs_key_ipv6, "proto", ipv6_proto, ODP_FMT_DEC, 0),
    SF(struct ovs_key_ipv6, "tclass", ipv6_tclass, ODP_FMT_DEC, 0),
    SF(struct ovs_key_ipv6, "hlimit", ipv6_hlimit, ODP_FMT_DEC, 0),
    SF(struct ovs_key_ipv6, "frag", ipv6_frag, ODP_FMT_FRAG, 2),
};
static const struct odp_field set_arp_fields[] = {
    SF(struct ovs_key_arp, "sip", arp_sip, ODP_FMT_IPV4, 0),
    SF(struct ovs_key_arp, "tip", arp_tip, ODP_FMT_IPV4, 0),
    SF(struct ovs_key_arp, "op", arp_op, ODP_FMT_DEC, 0),
    SF(struct ovs_key_arp, "sha", arp_sha, ODP_FMT_MAC, 0),
    SF(struct ovs_key_arp, "tha", arp_tha, ODP_FMT_MAC, 0),
};
static const struct odp_field set_tcp_fields[] = {
    SF(struct ovs_key_tcp, "src", tcp_src, ODP_FMT_DEC, 0),
    SF(struct ovs_key_tcp, "dst", tcp_dst, ODP_FMT_DEC, 0),
};
static const struct odp_field set_udp_fields[] = {
    SF(struct ovs_key_udp, "src", udp_src, ODP_FMT_DEC, 0),
    SF(struct ovs_key_udp, "dst", udp_dst, ODP_FMT_DEC, 0),
};
static const struct odp_field set_sctp_fields[] = {
    SF(struct ovs_key_sctp, "src", sctp_src, ODP_FMT_DEC, 0),
    SF(struct ovs_key_sctp, "dst", sctp_dst, ODP_FMT_DEC, 0),
};

struct odp_set_type {
    struct odp_attr attr;
    uint16_t key_type;          /* OVS_KEY_ATTR_*. */
    size_t size;                /* sizeof struct ovs_key_*. */
};

static const struct odp_set_type set_types[] = {
    { ODP_ATTR("eth", set_eth_fields), OVS_KEY_ATTR_ETHERNET, sizeof(struct ovs_key_ethernet) },
    { ODP_ATTR("ipv4", set_ipv4_fields), OVS_KEY_ATTR_IPV4, sizeof(struct ovs_key_ipv4) },
    { ODP_ATTR("ipv6", set_ipv6_fields), OVS_KEY_ATTR_IPV6, sizeof(struct ovs_key_ipv6) },
    { ODP_ATTR("arp", set_arp_fields), OVS_KEY_ATTR_ARP, sizeof(struct ovs_key_arp) },
    { ODP_ATTR("tcp", set_tcp_fields), OVS_KEY_ATTR_TCP, sizeof(struct ovs_key_tcp) },
    { ODP_ATTR("udp", set_udp_fields), OVS_KEY_ATTR_UDP, sizeof(struct ovs_key_udp) },
    { ODP_ATTR("sctp", set_sctp_fields), OVS_KEY_ATTR_SCTP, sizeof(struct ovs_key_sctp) },
};
#define ODP_SET_MAX_SIZE sizeof(struct ovs_key_ipv6)

/* push_vlan() arguments. */
struct odp_push_vlan_text {
    uint16_t vid;
    uint16_t tpid;
    uint8_t pcp;
    uint8_t pad[3];
};
static const struct odp_field push_vlan_fields[] = {
    FIELD(struct odp_push_vlan_text, "vid", vid, ODP_FMT_DEC, 0, false, FLOWKEY_VLAN_VID_MASK),
    FIELD(struct odp_push_vlan_text, "pcp", pcp, ODP_FMT_DEC, 0, false, 7),
    FIELD(struct odp_push_vlan_text, "tpid", tpid, ODP_FMT_HEX, 4, false, 0),
};
static const struct odp_attr push_vlan_attr = ODP_ATTR("push_vlan", push_vlan_fields);

/* Tunnel flag names, in printing order. */
static const struct {
    const char *name;
    uint16_t bit;
} tun_flag_names[] = {
    { "key", FLOWKEY_TUN_KEY }, { "csum", FLOWKEY_TUN_CSUM }, { "df", FLOWKEY_TUN_DF },
};

/* Longest piece of input quoted in an error message. */
#define ODP_QUOTE_MAX 80

/* ---- Numbers and fields ------------------------------------------------- */

static uint64_t
field_max(const struct odp_field *f)
{
    return f->max ? f->max : f->size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * f->size)) - 1;
}

static bool
field_is_number(const struct odp_field *f)
{
    return f->format == ODP_FMT_DEC || f->format == ODP_FMT_HEX || f->format == ODP_FMT_FRAG
           || f->format == ODP_FMT_TUNFLAGS;
}

/* Numbers in the flow key are in host byte order, those in the kernel's
 * struct ovs_key_* in network byte order ('be'). */
static uint64_t
load_number(const uint8_t *p, const struct odp_field *f)
{
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;

    switch (f->size) {
    case 1:
        return *p;
    case 2:
        memcpy(&u16, p, 2);
        return f->be ? ntohs(u16) : u16;
    case 4:
        memcpy(&u32, p, 4);
        return f->be ? ntohl(u32) : u32;
    default:
        memcpy(&u64, p, 8);
        return f->be ? be64toh(u64) : u64;
    }
}

static void
store_number(uint8_t *p, const struct odp_field *f, uint64_t value)
{
    uint16_t u16 = f->be ? htons(value) : value;
    uint32_t u32 = f->be ? htonl(value) : value;
    uint64_t u64 = f->be ? htobe64(value) : value;

    switch (f->size) {
    case 1:
        *p = value;
        break;
    case 2:
        memcpy(p, &u16, 2);
        break;
    case 4:
        memcpy(p, &u32, 4);
        break;
    default:
        memcpy(p, &u64, 8);
        break;
    }
}

static bool
bytes_all(const uint8_t *p, size_t n, uint8_t value)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != value) {
            return false;
        }
    }
    return true;
}

static bool
field_mask_is_zero(const struct odp_field *f, const uint8_t *mask)
{
    return field_is_number(f) ? !load_number(mask + f->offset, f)
                              : bytes_all(mask + f->offset, f->size, 0);
}

static bool
field_mask_is_exact(const struct odp_field *f, const uint8_t *mask)
{
    return field_is_number(f) ? load_number(mask + f->offset, f) == field_max(f)
                              : bytes_all(mask + f->offset, f->size, 0xff);
}

/* ---- Printing ------------------------------------------------------------ */

static void
format_tun_flags(struct buf *b, uint64_t flags)
{
    bool first = true;

    for (size_t i = 0; i < ARRAY_SIZE(tun_flag_names); i++) {
        if (flags & tun_flag_names[i].bit) {
            buf_printf(b, "%s%s", first ? "" : "|", tun_flag_names[i].name);
            flags &= ~(uint64_t) tun_flag_names[i].bit;
            first = false;
        }
    }
    if (flags || first) {
        buf_printf(b, "%s0x%"PRIx64, first ? "" : "|", flags);
    }
}

static const char *
frag_name(uint64_t frag)
{
    return (frag == 0 ? "no"
            : frag == FLOWKEY_FRAG_ANY ? "first"
            : frag == (FLOWKEY_FRAG_ANY | FLOWKEY_FRAG_LATER) ? "later"
            : NULL);
}

/* Prints one value ('is_mask' selects how masks of DEC fields look). */
static void
format_value(struct buf *b, const struct odp_field *f, const uint8_t *p, bool is_mask)
{
    char text[INET6_ADDRSTRLEN];
    uint64_t n = field_is_number(f) ? load_number(p, f) : 0;

    switch ((enum odp_format) f->format) {
    case ODP_FMT_DEC:
        if (!is_mask) {
            buf_printf(b, "%"PRIu64, n);
            break;
        }
        /* fall through */
    case ODP_FMT_HEX:
    case ODP_FMT_FRAG:
        buf_printf(b, "0x%0*"PRIx64, f->width, n);
        break;
    case ODP_FMT_TUNFLAGS:
        format_tun_flags(b, n);
        break;
    case ODP_FMT_IPV4:
        buf_put_cstr(b, inet_ntop(AF_INET, p, text, sizeof text));
        break;
    case ODP_FMT_IPV6:
        buf_put_cstr(b, inet_ntop(AF_INET6, p, text, sizeof text));
        break;
    case ODP_FMT_MAC:
        eth_addr_format(b, p);
        break;
    }
}

static void
format_field(struct buf *b, const struct odp_field *f, const uint8_t *key,
             const uint8_t *mask)
{
    bool exact = field_mask_is_exact(f, mask);
    const char *frag;

    if (f->format == ODP_FMT_TUNFLAGS) {
        buf_printf(b, "%s(", f->name);
    } else if (f->name) {
        buf_printf(b, "%s=", f->name);
    }
    frag = f->format == ODP_FMT_FRAG ? frag_name(load_number(key + f->offset, f)) : NULL;
    if (frag && exact) {
        buf_put_cstr(b, frag);
    } else {
        format_value(b, f, key + f->offset, false);
        if (!exact) {
            buf_put_char(b, '/');
            format_value(b, f, mask + f->offset, true);
        }
    }
    if (f->format == ODP_FMT_TUNFLAGS) {
        buf_put_char(b, ')');
    }
}

/* Puts the comma that separates attributes, unless 'b' is at the start of
 * the text begun at 'start' or just inside a parenthesis. */
static void
format_separator(struct buf *b, size_t start)
{
    if (b->size > start && b->data[b->size - 1] != '(') {
        buf_put_char(b, ',');
    }
}

/* Prints "name(field=value,...)" with the fields whose mask is not zero;
 * nothing at all if every mask is zero, unless 'always'. */
static void
format_attr(struct buf *b, size_t start, const struct odp_attr *attr,
            const void *key_, const void *mask_, bool always)
{
    const uint8_t *key = key_, *mask = mask_;
    bool first = true;

    for (size_t i = 0; i < attr->n_fields; i++) {
        const struct odp_field *f = &attr->fields[i];

        if (field_mask_is_zero(f, mask)) {
            continue;
        }
        if (first) {
            format_separator(b, start);
            buf_printf(b, "%s(", attr->name);
            first = false;
        } else {
            buf_put_char(b, ',');
        }
        format_field(b, f, key, mask);
    }
    if (!first) {
        buf_put_char(b, ')');
    } else if (always) {
        format_separator(b, start);
        buf_printf(b, "%s()", attr->name);
    }
}

/* The L3 attribute a key/mask can have: only an exact eth_type says which
 * protocol the L3 fields belong to. */
static enum odp_key_attr
odp_l3_attr(const struct flowkey *key, const struct flowkey *mask)
{
    if (mask->eth_type != 0xffff) {
        return ODP_KA_N_KEY_ATTRS;
    }
    switch (key->eth_type) {
    case ETH_TYPE_IP:
        return ODP_KA_IPV4;
    case ETH_TYPE_IPV6:
        return ODP_KA_IPV6;
    case ETH_TYPE_ARP:
        return ODP_KA_ARP;
    default:
        return ODP_KA_N_KEY_ATTRS;
    }
}

static enum odp_key_attr
odp_l4_attr(const struct flowkey *key, const struct flowkey *mask)
{
    enum odp_key_attr l3 = odp_l3_attr(key, mask);

    if ((l3 != ODP_KA_IPV4 && l3 != ODP_KA_IPV6) || mask->nw_proto != 0xff) {
        return ODP_KA_N_KEY_ATTRS;
    }
    switch (key->nw_proto) {
    case IP_PROTO_TCP:
        return ODP_KA_TCP;
    case IP_PROTO_UDP:
        return ODP_KA_UDP;
    case IP_PROTO_SCTP:
        return ODP_KA_SCTP;
    case IP_PROTO_ICMP:
        return l3 == ODP_KA_IPV4 ? ODP_KA_ICMP : ODP_KA_N_KEY_ATTRS;
    case IP_PROTO_ICMPV6:
        return l3 == ODP_KA_IPV6 ? ODP_KA_ICMPV6 : ODP_KA_N_KEY_ATTRS;
    default:
        return ODP_KA_N_KEY_ATTRS;
    }
}

static bool
odp_has_nd(const struct flowkey *key, const struct flowkey *mask)
{
    return (odp_l4_attr(key, mask) == ODP_KA_ICMPV6 && mask->tp_src == 0xffff
            && (key->tp_src == 135 || key->tp_src == 136));
}

/* Whether 'attr' may carry fields for this key (parsing rejects the rest,
 * printing would not show them). */
static bool
odp_attr_allowed(enum odp_key_attr attr, const struct flowkey *key,
                 const struct flowkey *mask)
{
    switch (attr) {
    case ODP_KA_IPV4:
    case ODP_KA_IPV6:
    case ODP_KA_ARP:
        return odp_l3_attr(key, mask) == attr;
    case ODP_KA_TCP:
    case ODP_KA_UDP:
    case ODP_KA_SCTP:
    case ODP_KA_ICMP:
    case ODP_KA_ICMPV6:
        return odp_l4_attr(key, mask) == attr;
    case ODP_KA_TCP_FLAGS:
        return odp_l4_attr(key, mask) == ODP_KA_TCP;
    case ODP_KA_ND:
        return odp_has_nd(key, mask);
    case ODP_KA_TUNNEL:
    case ODP_KA_IN_PORT:
    case ODP_KA_ETH:
    case ODP_KA_N_KEY_ATTRS:
    default:
        return true;
    }
}

static void
format_l3_l4(struct buf *b, size_t start, const struct flowkey *key,
             const struct flowkey *mask)
{
    for (int i = ODP_KA_IPV4; i < ODP_KA_N_KEY_ATTRS; i++) {
        if (odp_attr_allowed(i, key, mask)) {
            format_attr(b, start, &key_attrs[i], key, mask, false);
        }
    }
}

static void
vlan_to_text(uint16_t tci, struct odp_vlan_text *text)
{
    memset(text, 0, sizeof *text);
    text->vid = tci & FLOWKEY_VLAN_VID_MASK;
    text->pcp = tci >> FLOWKEY_VLAN_PCP_SHIFT;
}

/* Prints the tags from 'level' inwards, then eth_type and what follows. */
static void
format_level(struct buf *b, size_t start, const struct flowkey *key,
             const struct flowkey *mask, int level)
{
    if (level < FLOWKEY_MAX_VLANS) {
        const struct flowkey_vlan *kv = &key->vlans[level], *mv = &mask->vlans[level];

        if (kv->tci & FLOWKEY_VLAN_PRESENT) {
            struct odp_vlan_text kt, mt;

            vlan_to_text(kv->tci, &kt);
            vlan_to_text(mv->tci, &mt);
            format_attr(b, start, &tpid_attr, kv, mv, false);
            format_attr(b, start, &vlan_tag_attr, &kt, &mt, true);
            format_separator(b, start);
            buf_put_cstr(b, "encap(");
            format_level(b, start, key, mask, level + 1);
            buf_put_char(b, ')');
            return;
        } else if (mv->tpid == UINT16_MAX && mv->tci == UINT16_MAX
                   && mask->eth_type == UINT16_MAX && !kv->tpid && !kv->tci) {
            /* No tag, matched exactly: implied by the exact eth_type. */
        } else if (mv->tpid || mv->tci) {
            struct odp_vlan_text kt = { .tpid = kv->tpid, .tci = kv->tci };
            struct odp_vlan_text mt = { .tpid = mv->tpid, .tci = mv->tci };

            format_attr(b, start, &vlan_raw_attr, &kt, &mt, false);
        } else if (mask->eth_type == UINT16_MAX) {
            /* Any tag or none, before an exact eth_type: without vlan()
             * that eth_type would mean "no tag, exactly". */
            format_separator(b, start);
            buf_put_cstr(b, "vlan(tci=0x0000/0x0000)");
        }
    }
    format_attr(b, start, &eth_type_attr, key, mask, false);
    format_l3_l4(b, start, key, mask);
}

/* The mask that "exact match" means for 'key': every field that its
 * protocols define, and nothing else. */
static void
odp_exact_mask(const struct flowkey *key, struct flowkey *mask)
{
    memset(mask, 0, sizeof *mask);
    mask->in_port = UINT32_MAX;
    if (key->tun_id || key->tun_src || key->tun_dst || key->tun_flags
        || key->tun_tos || key->tun_ttl) {
        mask->tun_id = UINT64_MAX;
        mask->tun_src = mask->tun_dst = UINT32_MAX;
        mask->tun_flags = UINT16_MAX;
        mask->tun_tos = mask->tun_ttl = UINT8_MAX;
    }
    memset(mask->eth_src, 0xff, 6);
    memset(mask->eth_dst, 0xff, 6);
    for (int i = 0; i < FLOWKEY_MAX_VLANS && key->vlans[i].tci & FLOWKEY_VLAN_PRESENT; i++) {
        mask->vlans[i].tpid = mask->vlans[i].tci = UINT16_MAX;
    }
    flowkey_mask_canonicalize(key, mask);

    if (key->eth_type == ETH_TYPE_IP || key->eth_type == ETH_TYPE_IPV6) {
        mask->nw_proto = mask->nw_tos = mask->nw_ttl = mask->nw_frag = UINT8_MAX;
        if (key->eth_type == ETH_TYPE_IP) {
            mask->ipv4_src = mask->ipv4_dst = UINT32_MAX;
        } else {
            mask->ipv6_label = UINT32_MAX;
            memset(mask->ipv6_src, 0xff, 16);
            memset(mask->ipv6_dst, 0xff, 16);
        }
        if (!(key->nw_frag & FLOWKEY_FRAG_LATER)) {
            mask->tp_src = mask->tp_dst = UINT16_MAX;
            mask->tcp_flags = key->nw_proto == IP_PROTO_TCP ? UINT16_MAX : 0;
            if (odp_has_nd(key, mask)) {
                memset(mask->nd_target, 0xff, 16);
                memset(mask->arp_sha, 0xff, 6);
                memset(mask->arp_tha, 0xff, 6);
            }
        }
    } else if (key->eth_type == ETH_TYPE_ARP) {
        mask->nw_proto = UINT8_MAX;
        mask->ipv4_src = mask->ipv4_dst = UINT32_MAX;
        memset(mask->arp_sha, 0xff, 6);
        memset(mask->arp_tha, 0xff, 6);
    }
}

void
odp_format_key(struct buf *b, const struct flowkey *key_, const struct flowkey *mask_)
{
    struct flowkey key, mask;
    size_t start = b->size;

    if (mask_) {
        mask = *mask_;
    } else {
        odp_exact_mask(key_, &mask);
    }
    flowkey_apply_mask(&key, key_, &mask);

    for (int i = ODP_KA_TUNNEL; i <= ODP_KA_ETH; i++) {
        format_attr(b, start, &key_attrs[i], &key, &mask, false);
    }
    format_level(b, start, &key, &mask, 0);
    buf_reserve(b, 0);          /* NUL-terminated even when empty. */
    b->data[b->size] = '\0';
}

/* ---- Parsing helpers ------------------------------------------------------ */

static int SY_PRINTF(2, 3)
odp_error(struct buf *error, const char *fmt, ...)
{
    va_list args;

    if (error) {
        va_start(args, fmt);
        buf_vprintf(error, fmt, args);
        va_end(args);
    }
    return EINVAL;
}

static char *
skip_space(char *s)
{
    while (isspace((unsigned char) *s)) {
        s++;
    }
    return s;
}

static void
trim_end(char *s)
{
    size_t n = strlen(s);

    while (n && isspace((unsigned char) s[n - 1])) {
        s[--n] = '\0';
    }
}

static size_t
name_length(const char *s)
{
    size_t n = 0;

    while (isalnum((unsigned char) s[n]) || s[n] == '_') {
        n++;
    }
    return n;
}

/* Returns the ')' that closes the '(' at 'open', or NULL. */
static char *
match_paren(char *open)
{
    int depth = 0;

    for (char *p = open; *p; p++) {
        if (*p == '(') {
            depth++;
        } else if (*p == ')' && !--depth) {
            return p;
        }
    }
    return NULL;
}

static bool
parens_balanced(const char *s)
{
    int depth = 0;

    for (; *s; s++) {
        depth += *s == '(' ? 1 : *s == ')' ? -1 : 0;
        if (depth < 0) {
            return false;
        }
    }
    return !depth;
}

/* Cuts the next comma-separated item (commas inside parentheses do not
 * count) off '*sp'; returns it trimmed, or NULL at the end. */
static char *
next_item(char **sp)
{
    char *s = *sp, *item;
    int depth = 0;

    if (!s) {
        return NULL;
    }
    item = s;
    for (; *s; s++) {
        if (*s == '(') {
            depth++;
        } else if (*s == ')') {
            depth--;
        } else if (*s == ',' && !depth) {
            break;
        }
    }
    if (*s) {
        *s = '\0';
        *sp = s + 1;
    } else {
        *sp = NULL;
    }
    item = skip_space(item);
    trim_end(item);
    return item;
}

static bool
parse_number(const char *s, uint64_t max, uint64_t *value)
{
    return str_to_u64(s, 0, 0, max, value);
}

static bool
parse_tun_flags(char *s, uint64_t *flags)
{
    *flags = 0;
    for (char *save = NULL, *token = strtok_r(s, "|", &save); token;
         token = strtok_r(NULL, "|", &save)) {
        uint64_t bit = 0;

        for (size_t i = 0; i < ARRAY_SIZE(tun_flag_names); i++) {
            if (!strcmp(token, tun_flag_names[i].name)) {
                bit = tun_flag_names[i].bit;
            }
        }
        if (!bit && !parse_number(token, UINT16_MAX, &bit)) {
            return false;
        }
        *flags |= bit;
    }
    return true;
}

static bool
parse_prefix(const char *s, size_t bits, uint8_t *mask)
{
    unsigned int prefix;

    if (!isdigit((unsigned char) *s) || !str_to_uint(s, 0, bits, &prefix)) {
        return false;
    }
    memset(mask, 0, bits / 8);
    for (size_t i = 0; i < prefix; i++) {
        mask[i / 8] |= 0x80 >> (i % 8);
    }
    return true;
}

/* Parses one value (not a mask: see parse_field_text) into 'p'. */
static bool
parse_value(const struct odp_field *f, char *s, uint8_t *p, bool is_mask)
{
    uint64_t n;

    switch ((enum odp_format) f->format) {
    case ODP_FMT_FRAG:
        if (!is_mask) {
            n = (!strcmp(s, "no") ? 0 : !strcmp(s, "first") ? FLOWKEY_FRAG_ANY
                 : !strcmp(s, "later") ? FLOWKEY_FRAG_ANY | FLOWKEY_FRAG_LATER : 256);
            if (n < 256) {
                store_number(p, f, n);
                return true;
            }
        }
        /* fall through */
    case ODP_FMT_DEC:
    case ODP_FMT_HEX:
        if (!parse_number(s, field_max(f), &n)) {
            return false;
        }
        store_number(p, f, n);
        return true;
    case ODP_FMT_TUNFLAGS:
        if (!*s || !parse_tun_flags(s, &n) || n > field_max(f)) {
            return false;
        }
        store_number(p, f, n);
        return true;
    case ODP_FMT_IPV4:
        return (inet_pton(AF_INET, s, p) == 1 || (is_mask && parse_prefix(s, 32, p)));
    case ODP_FMT_IPV6:
        return (inet_pton(AF_INET6, s, p) == 1 || (is_mask && parse_prefix(s, 128, p)));
    case ODP_FMT_MAC:
        return eth_addr_from_string(s, p);
    }
    return false;
}

/* Parses "VALUE[/MASK]" for field 'f' into 'key' and 'mask' (structs the
 * field table describes). A missing mask means exact. */
static bool
parse_field_text(const struct odp_field *f, char *s, uint8_t *key, uint8_t *mask)
{
    char *slash = strchr(s, '/');

    if (slash) {
        *slash = '\0';
        if (!parse_value(f, slash + 1, mask + f->offset, true)) {
            return false;
        }
    } else if (field_is_number(f)) {
        store_number(mask + f->offset, f, field_max(f));
    } else {
        memset(mask + f->offset, 0xff, f->size);
    }
    if (!parse_value(f, s, key + f->offset, false)) {
        return false;
    }
    for (size_t i = 0; i < f->size; i++) {
        key[f->offset + i] &= mask[f->offset + i];
    }
    return true;
}

static const struct odp_field *
find_field(const struct odp_attr *attr, const char *name, size_t *index)
{
    for (size_t i = 0; i < attr->n_fields; i++) {
        if (attr->fields[i].name && !strcmp(attr->fields[i].name, name)) {
            *index = i;
            return &attr->fields[i];
        }
    }
    return NULL;
}

/* Parses the inside of "attr(...)" into 'key' and 'mask'; sets a bit in
 * '*given' for each field index present. */
static int
parse_fields(const struct odp_attr *attr, char *content, void *key, void *mask,
             uint32_t *given, struct buf *error)
{
    char *rest = content, *item;

    *given = 0;
    if (!attr->fields[0].name) {
        char *value = skip_space(content);

        trim_end(value);
        if (!parse_field_text(&attr->fields[0], value, key, mask)) {
            return odp_error(error, "%s: cannot parse \"%.*s\"", attr->name,
                             ODP_QUOTE_MAX, value);
        }
        *given = 1;
        return 0;
    }
    if (!*skip_space(content)) {
        return 0;
    }
    while ((item = next_item(&rest))) {
        char *sep = item + name_length(item), *value, *quote = xstrdup(item);
        const struct odp_field *f;
        size_t index = 0;
        int retval = 0;

        if (*sep == '=') {
            value = sep + 1;
        } else if (*sep == '(' && match_paren(sep) == item + strlen(item) - 1) {
            value = sep + 1;
            item[strlen(item) - 1] = '\0';
        } else {
            retval = odp_error(error, "%s: expected field=value, not \"%.*s\"",
                               attr->name, ODP_QUOTE_MAX, quote);
            free(quote);
            return retval;
        }
        *sep = '\0';
        f = find_field(attr, item, &index);
        if (!f) {
            retval = odp_error(error, "%s: unknown field \"%.*s\"", attr->name,
                               ODP_QUOTE_MAX, quote);
        } else if (*given & (1u << index)) {
            retval = odp_error(error, "%s: field \"%s\" given twice", attr->name, f->name);
        } else if (!parse_field_text(f, value, key, mask)) {
            retval = odp_error(error, "%s: bad value in \"%.*s\"", attr->name,
                               ODP_QUOTE_MAX, quote);
        }
        free(quote);
        if (retval) {
            return retval;
        }
        *given |= 1u << index;
    }
    return 0;
}

/* ---- Key parsing ------------------------------------------------------------ */

/* What was seen at one encap() depth. */
struct odp_level {
    bool eth_type;              /* eth_type(...) given. */
    bool vlan;                  /* vlan(...) given. */
    bool tagged;                /* That vlan() matches a present tag. */
    bool tpid_in_vlan;          /* vlan(tpid=...) given. */
    bool encap;                 /* encap(...) given. */
    uint16_t type, type_mask;   /* The eth_type(...) value. */
};

#define ODP_MAX_LEVELS (FLOWKEY_MAX_VLANS + 1)

struct odp_key_parser {
    struct flowkey *key, *mask;
    uint32_t seen;              /* 1 << enum odp_key_attr. */
    struct odp_level levels[ODP_MAX_LEVELS];
    struct buf *error;
};

static int parse_key_list(struct odp_key_parser *, char **sp, int level);

static int
parse_eth_type(struct odp_key_parser *kp, char *content, int level)
{
    struct odp_level *l = &kp->levels[level];
    struct flowkey key, mask;
    uint32_t given;
    int error;

    if (l->eth_type) {
        return odp_error(kp->error, "eth_type given twice");
    }
    memset(&key, 0, sizeof key);
    memset(&mask, 0, sizeof mask);
    error = parse_fields(&eth_type_attr, content, &key, &mask, &given, kp->error);
    if (!error) {
        l->eth_type = true;
        l->type = key.eth_type;
        l->type_mask = mask.eth_type;
    }
    return error;
}

static int
parse_vlan(struct odp_key_parser *kp, char *content, int level)
{
    struct odp_level *l = &kp->levels[level];
    struct odp_vlan_text kt, mt;
    struct flowkey_vlan *kv, *mv;
    uint32_t given;
    int error;

    if (level >= FLOWKEY_MAX_VLANS) {
        return odp_error(kp->error, "vlan: more than %d VLAN tags", FLOWKEY_MAX_VLANS);
    } else if (l->vlan) {
        return odp_error(kp->error, "vlan given twice at one encap level");
    }
    memset(&kt, 0, sizeof kt);
    memset(&mt, 0, sizeof mt);
    error = parse_fields(&vlan_all_attr, content, &kt, &mt, &given, kp->error);
    if (error) {
        return error;
    } else if (given & VLAN_FIELD_TCI && given & (VLAN_FIELD_VID | VLAN_FIELD_PCP)) {
        return odp_error(kp->error, "vlan: tci= cannot be combined with vid= or pcp=");
    }
    kv = &kp->key->vlans[level];
    mv = &kp->mask->vlans[level];
    if (given & VLAN_FIELD_TCI) {
        kv->tci = kt.tci;
        mv->tci = mt.tci;
    } else {
        kv->tci = kt.vid | kt.pcp << FLOWKEY_VLAN_PCP_SHIFT | FLOWKEY_VLAN_PRESENT;
        mv->tci = mt.vid | mt.pcp << FLOWKEY_VLAN_PCP_SHIFT | FLOWKEY_VLAN_PRESENT;
    }
    kv->tpid = kt.tpid;
    mv->tpid = mt.tpid;
    l->vlan = true;
    l->tagged = (kv->tci & mv->tci & FLOWKEY_VLAN_PRESENT) != 0;
    l->tpid_in_vlan = (given & VLAN_FIELD_TPID) != 0;
    return 0;
}

static int
parse_encap(struct odp_key_parser *kp, char *content, int level)
{
    struct odp_level *l = &kp->levels[level];
    int error;

    if (!l->tagged) {
        return odp_error(kp->error, "encap(...) needs a vlan(...) before it");
    } else if (l->encap) {
        return odp_error(kp->error, "encap given twice at one level");
    }
    l->encap = true;
    error = parse_key_list(kp, &content, level + 1);
    if (!error && *skip_space(content)) {
        error = odp_error(kp->error, "encap: cannot parse \"%.*s\"", ODP_QUOTE_MAX, content);
    }
    return error;
}

static int
parse_key_attr(struct odp_key_parser *kp, const char *name, char *content, int level)
{
    uint32_t given;

    if (!strcmp(name, "eth_type")) {
        return parse_eth_type(kp, content, level);
    } else if (!strcmp(name, "vlan")) {
        return parse_vlan(kp, content, level);
    } else if (!strcmp(name, "encap")) {
        return parse_encap(kp, content, level);
    }
    for (int i = 0; i < ODP_KA_N_KEY_ATTRS; i++) {
        if (!strcmp(name, key_attrs[i].name)) {
            if (kp->seen & (1u << i)) {
                return odp_error(kp->error, "%s given twice", name);
            }
            kp->seen |= 1u << i;
            return parse_fields(&key_attrs[i], content, kp->key, kp->mask, &given,
                                kp->error);
        }
    }
    return odp_error(kp->error, "unknown key attribute \"%.*s\"", ODP_QUOTE_MAX, name);
}

/* Parses "attr(...),attr(...)" from '*sp' until the end or a "name:" token
 * (flow statistics or actions), which is left in '*sp'. */
static int
parse_key_list(struct odp_key_parser *kp, char **sp, int level)
{
    char *s = *sp;

    for (;;) {
        size_t n;
        char *close;
        int error;

        s = skip_space(s);
        n = name_length(s);
        if (!n || s[n] == ':') {
            break;
        } else if (s[n] != '(') {
            return odp_error(kp->error, "expected \"(\" after \"%.*s\"",
                             (int) MIN(n, ODP_QUOTE_MAX), s);
        }
        close = match_paren(s + n);
        if (!close) {
            return odp_error(kp->error, "unbalanced parentheses in \"%.*s\"",
                             ODP_QUOTE_MAX, s);
        }
        s[n] = '\0';
        *close = '\0';
        error = parse_key_attr(kp, s, s + n + 1, level);
        if (error) {
            return error;
        }
        s = skip_space(close + 1);
        if (*s != ',') {
            break;
        }
        s++;
    }
    *sp = s;
    return 0;
}

/* Turns per-level eth_type/vlan into the key, and checks that every
 * protocol attribute fits the eth_type and protocol it belongs to. */
static int
finish_key(struct odp_key_parser *kp)
{
    struct flowkey *key = kp->key, *mask = kp->mask;

    for (int level = 0; level < ODP_MAX_LEVELS; level++) {
        const struct odp_level *l = &kp->levels[level];

        if (!l->eth_type) {
            continue;
        } else if (l->tagged && l->tpid_in_vlan) {
            return odp_error(kp->error, "VLAN TPID given both in eth_type and vlan");
        } else if (l->tagged) {
            key->vlans[level].tpid = l->type;
            mask->vlans[level].tpid = l->type_mask;
        } else {
            key->eth_type = l->type;
            mask->eth_type = l->type_mask;
            if (!l->vlan && l->type_mask == UINT16_MAX && level < FLOWKEY_MAX_VLANS) {
                mask->vlans[level].tpid = mask->vlans[level].tci = UINT16_MAX;
            }
        }
    }
    flowkey_apply_mask(key, key, mask);
    for (int i = 0; i < ODP_KA_N_KEY_ATTRS; i++) {
        if (kp->seen & (1u << i) && !odp_attr_allowed(i, key, mask)) {
            return odp_error(kp->error, "%s(...) does not fit the eth_type or "
                             "protocol given (or they are not exact)",
                             key_attrs[i].name);
        }
    }
    return 0;
}

/* Parses a key from the front of 's' (which it modifies), leaving '*sp'
 * after it. */
static int
parse_key_prefix(char **sp, struct flowkey *key, struct flowkey *mask,
                 struct buf *error)
{
    struct odp_key_parser kp;
    int retval;

    memset(&kp, 0, sizeof kp);
    kp.key = key;
    kp.mask = mask;
    kp.error = error;
    retval = parse_key_list(&kp, sp, 0);
    return retval ? retval : finish_key(&kp);
}

static void
odp_parse_reset(struct flowkey *key, struct flowkey *mask)
{
    memset(key, 0, sizeof *key);
    memset(mask, 0, sizeof *mask);
}

int
odp_parse_key(const char *s_, struct flowkey *key, struct flowkey *mask,
              struct buf *error)
{
    char *copy = xstrdup(s_), *s = copy;
    int retval;

    odp_parse_reset(key, mask);
    if (!parens_balanced(copy)) {
        retval = odp_error(error, "unbalanced parentheses in \"%.*s\"", ODP_QUOTE_MAX, s_);
    } else {
        retval = parse_key_prefix(&s, key, mask, error);
        if (!retval && *skip_space(s)) {
            retval = odp_error(error, "cannot parse \"%.*s\"", ODP_QUOTE_MAX, s);
        }
    }
    if (retval) {
        odp_parse_reset(key, mask);
    }
    free(copy);
    return retval;
}

/* ---- Actions ----------------------------------------------------------------- */

/* Largest payload accepted for userdata and raw actions: an attribute's
 * length must fit 16 bits, with room for enclosing headers. */
#define ODP_MAX_PAYLOAD 60000

/* Most sample() actions nested in one another (the kernel allows fewer). */
#define ODP_MAX_DEPTH 4

bool
odp_parse_probability(const char *s, uint32_t *probability)
{
    char *end;
    double percent;

    if (!isdigit((unsigned char) *s) || s[strspn(s, "0123456789.")]) {
        return false;           /* Plain decimals: no sign, exponent, "nan". */
    }
    errno = 0;
    percent = strtod(s, &end);
    if (errno || *end || !(percent >= 0.0 && percent <= 100.0)) {
        return false;
    }
    /* Rounded to the nearest (the sum is positive: truncating floors). */
    *probability = (uint64_t) (percent / 100.0 * UINT32_MAX + 0.5);
    return true;
}

void
odp_format_probability(struct buf *b, uint32_t probability)
{
    double percent = 100.0 * probability / UINT32_MAX;

    for (int decimals = 1; decimals < 12; decimals++) {
        char text[32];
        uint32_t back;

        snprintf(text, sizeof text, "%.*f", decimals, percent);
        if (odp_parse_probability(text, &back) && back == probability) {
            buf_put_cstr(b, text);
            return;
        }
    }
    buf_printf(b, "%.12f", percent);
}

static void
format_hex_bytes(struct buf *b, const uint8_t *p, size_t n)
{
    buf_put_cstr(b, "0x");
    for (size_t i = 0; i < n; i++) {
        buf_printf(b, "%02x", p[i]);
    }
}

static void
buf_truncate(struct buf *b, size_t size)
{
    if (b->data && size <= b->size) {
        b->size = size;
        b->data[size] = '\0';
    }
}

static void
format_generic_action(struct buf *b, const struct nlattr *nla)
{
    buf_printf(b, "action_type(%u", nla->nla_type);
    if (dp_nla_size(nla)) {
        buf_put_char(b, ',');
        format_hex_bytes(b, dp_nla_data(nla), dp_nla_size(nla));
    }
    buf_put_char(b, ')');
}

/* Whether 'nla' holds one nested attribute that fits in it. */
static bool
has_nested(const struct nlattr *nla)
{
    const struct nlattr *inner = dp_nla_data(nla);

    return (dp_nla_size(nla) >= NLA_HDRLEN && inner->nla_len >= NLA_HDRLEN
            && inner->nla_len <= dp_nla_size(nla));
}

static bool
format_set_masked(struct buf *b, const struct nlattr *nla)
{
    const struct nlattr *inner = dp_nla_data(nla);

    if (!has_nested(nla)) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(set_types); i++) {
        const struct odp_set_type *t = &set_types[i];

        if (inner->nla_type == t->key_type && dp_nla_size(inner) == 2 * t->size) {
            const uint8_t *value = dp_nla_data(inner);

            buf_put_cstr(b, "set(");
            format_attr(b, b->size, &t->attr, value, value + t->size, true);
            buf_put_char(b, ')');
            return true;
        }
    }
    return false;
}

/* set(tunnel(tun_id=0x64,src=A,dst=B,tos=0,ttl=64,flags(df|csum))): the
 * outer header of the tunnel outputs that follow, as the kernel datapath
 * takes it (OVS_ACTION_ATTR_SET of OVS_KEY_ATTR_TUNNEL). */
static bool
format_set_tunnel(struct buf *b, const struct nlattr *nla)
{
    const struct nlattr *key = dp_nla_data(nla);
    const char *flag_sep = "";
    bool first = true, flags = false;

    if (!has_nested(nla) || key->nla_type != OVS_KEY_ATTR_TUNNEL) {
        return false;
    }
    buf_put_cstr(b, "set(tunnel(");
    DP_ACTIONS_FOR_EACH (attr, dp_nla_data(key), dp_nla_size(key)) {
        const uint8_t *data = dp_nla_data(attr);
        size_t size = dp_nla_size(attr);
        char ip[INET_ADDRSTRLEN];
        uint64_t id;

        if (flags && attr->nla_type != OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT
            && attr->nla_type != OVS_TUNNEL_KEY_ATTR_CSUM) {
            return false;           /* Flags come last. */
        }
        switch (attr->nla_type) {
        case OVS_TUNNEL_KEY_ATTR_ID:
            if (size != 8) {
                return false;
            }
            memcpy(&id, data, 8);
            buf_printf(b, "%stun_id=0x%"PRIx64, first ? "" : ",", be64toh(id));
            break;
        case OVS_TUNNEL_KEY_ATTR_IPV4_SRC:
        case OVS_TUNNEL_KEY_ATTR_IPV4_DST:
            if (size != 4) {
                return false;
            }
            inet_ntop(AF_INET, data, ip, sizeof ip);
            buf_printf(b, "%s%s=%s", first ? "" : ",",
                       attr->nla_type == OVS_TUNNEL_KEY_ATTR_IPV4_SRC ? "src" : "dst", ip);
            break;
        case OVS_TUNNEL_KEY_ATTR_TOS:
        case OVS_TUNNEL_KEY_ATTR_TTL:
            if (size != 1) {
                return false;
            }
            buf_printf(b, "%s%s=%u", first ? "" : ",",
                       attr->nla_type == OVS_TUNNEL_KEY_ATTR_TOS ? "tos" : "ttl", data[0]);
            break;
        case OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT:
        case OVS_TUNNEL_KEY_ATTR_CSUM:
            if (size) {
                return false;
            }
            if (!flags) {
                buf_printf(b, "%sflags(", first ? "" : ",");
                flags = true;
            }
            buf_printf(b, "%s%s", flag_sep,
                       attr->nla_type == OVS_TUNNEL_KEY_ATTR_CSUM ? "csum" : "df");
            flag_sep = "|";
            break;
        default:
            return false;
        }
        first = false;
    }
    buf_put_cstr(b, flags ? ")))" : "))");
    return true;
}

static bool
format_userspace(struct buf *b, const struct nlattr *nla)
{
    bool pid = false;

    buf_put_cstr(b, "userspace(");
    DP_ACTIONS_FOR_EACH (attr, dp_nla_data(nla), dp_nla_size(nla)) {
        if (attr->nla_type == OVS_USERSPACE_ATTR_PID && !pid && dp_nla_size(attr) == 4) {
            uint32_t value;

            memcpy(&value, dp_nla_data(attr), 4);
            buf_printf(b, "pid=%"PRIu32, value);
            pid = true;
        } else if (attr->nla_type == OVS_USERSPACE_ATTR_USERDATA && pid) {
            buf_put_cstr(b, ",userdata(");
            format_hex_bytes(b, dp_nla_data(attr), dp_nla_size(attr));
            buf_put_char(b, ')');
        } else {
            return false;
        }
    }
    buf_put_char(b, ')');
    return pid;
}

static bool
format_u32_action(struct buf *b, const char *name, const struct nlattr *nla)
{
    uint32_t value;

    if (dp_nla_size(nla) != 4) {
        return false;
    }
    memcpy(&value, dp_nla_data(nla), 4);
    if (name) {
        buf_printf(b, "%s(%"PRIu32")", name, value);
    } else {
        buf_printf(b, "%"PRIu32, value);
    }
    return true;
}

static void format_action_list(struct buf *, const void *actions, size_t size, int depth);

/* sample(sample=P%,actions(ACTIONS)): runs ACTIONS on a copy of the packet
 * with probability P (OVS_SAMPLE_ATTR_PROBABILITY out of UINT32_MAX). P
 * has as few decimals as give back the same probability, at least one. */
static bool
format_sample(struct buf *b, const struct nlattr *nla, int depth)
{
    const struct nlattr *probability = NULL, *actions = NULL;
    uint32_t value;

    if (depth >= ODP_MAX_DEPTH) {
        return false;
    }
    DP_ACTIONS_FOR_EACH (attr, dp_nla_data(nla), dp_nla_size(nla)) {
        if (attr->nla_type == OVS_SAMPLE_ATTR_PROBABILITY && !probability && !actions
            && dp_nla_size(attr) == 4) {
            probability = attr;
        } else if (attr->nla_type == OVS_SAMPLE_ATTR_ACTIONS && probability && !actions) {
            actions = attr;
        } else {
            return false;
        }
    }
    if (!actions) {
        return false;
    }
    memcpy(&value, dp_nla_data(probability), sizeof value);
    buf_put_cstr(b, "sample(sample=");
    odp_format_probability(b, value);
    buf_put_cstr(b, "%,actions(");
    format_action_list(b, dp_nla_data(actions), dp_nla_size(actions), depth + 1);
    buf_put_cstr(b, "))");
    return true;
}

/* Prints 'nla' in its own syntax; false if it has none or looks unusual. */
static bool
format_known_action(struct buf *b, const struct nlattr *nla, int depth)
{
    const struct ovs_action_push_vlan *push;

    switch (nla->nla_type) {
    case OVS_ACTION_ATTR_OUTPUT:
        return format_u32_action(b, NULL, nla);
    case OVS_ACTION_ATTR_RECIRC:
        return format_u32_action(b, "recirc", nla);
    case OVS_ACTION_ATTR_TRUNC:
        return format_u32_action(b, "trunc", nla);
    case OVS_ACTION_ATTR_METER:
        return format_u32_action(b, "meter", nla);
    case OVS_ACTION_ATTR_POP_VLAN:
        buf_put_cstr(b, "pop_vlan");
        return !dp_nla_size(nla);
    case OVS_ACTION_ATTR_PUSH_VLAN:
        if (dp_nla_size(nla) != sizeof *push) {
            return false;
        }
        push = dp_nla_data(nla);
        buf_printf(b, "push_vlan(vid=%u,pcp=%u", ntohs(push->vlan_tci) & FLOWKEY_VLAN_VID_MASK,
                   ntohs(push->vlan_tci) >> FLOWKEY_VLAN_PCP_SHIFT);
        if (ntohs(push->vlan_tpid) != ETH_TYPE_VLAN) {
            buf_printf(b, ",tpid=0x%04x", ntohs(push->vlan_tpid));
        }
        buf_put_char(b, ')');
        return true;
    case OVS_ACTION_ATTR_SET_MASKED:
        return format_set_masked(b, nla);
    case OVS_ACTION_ATTR_SET:
        return format_set_tunnel(b, nla);
    case OVS_ACTION_ATTR_USERSPACE:
        return format_userspace(b, nla);
    case OVS_ACTION_ATTR_SAMPLE:
        return format_sample(b, nla, depth);
    default:
        return false;
    }
}

static int parse_action(char *item, struct dp_actions *, struct buf *error, int depth);

/* Prints one action. The text is checked by parsing it back: anything that
 * would not come back bit for bit (odd flags, unexpected sizes, extra
 * nested attributes) prints as action_type(TYPE,0xPAYLOAD) instead, so
 * that printing never loses information. */
static void
format_action(struct buf *b, const struct nlattr *nla, int depth)
{
    size_t start = b->size;
    bool ok = format_known_action(b, nla, depth);

    if (ok) {
        struct dp_actions check = DP_ACTIONS_INITIALIZER;
        char *text = xstrdup(b->data + start);

        ok = (!parse_action(text, &check, NULL, depth) && check.size >= nla->nla_len
              && !memcmp(check.data, nla, nla->nla_len));
        dp_actions_uninit(&check);
        free(text);
    }
    if (!ok) {
        buf_truncate(b, start);
        format_generic_action(b, nla);
    }
}

static void
format_action_list(struct buf *b, const void *actions, size_t size, int depth)
{
    size_t used = 0;

    if (!size) {
        buf_put_cstr(b, "drop");
        return;
    }
    DP_ACTIONS_FOR_EACH (nla, actions, size) {
        if (used) {
            buf_put_char(b, ',');
        }
        format_action(b, nla, depth);
        used = MIN(size, (size_t) ((const uint8_t *) nla - (const uint8_t *) actions)
                         + NLA_ALIGN(nla->nla_len));
    }
    if (used < size) {
        buf_printf(b, "%s<%zu malformed bytes>", used ? "," : "", size - used);
    }
}

void
odp_format_actions(struct buf *b, const void *actions, size_t size)
{
    format_action_list(b, actions, size, 0);
}

/* "0xHEX" (an even number of digits, possibly none) into a new array. */
static bool
parse_hex_bytes(const char *s, uint8_t **bytes, size_t *n)
{
    size_t digits;

    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
        return false;
    }
    s += 2;
    digits = strlen(s);
    if (digits % 2 || digits / 2 > ODP_MAX_PAYLOAD) {
        return false;
    }
    *n = digits / 2;
    *bytes = xmalloc(*n);
    for (size_t i = 0; i < *n; i++) {
        char pair[3] = { s[2 * i], s[2 * i + 1], '\0' };

        if (!isxdigit((unsigned char) pair[0]) || !isxdigit((unsigned char) pair[1])) {
            free(*bytes);
            return false;
        }
        (*bytes)[i] = strtoul(pair, NULL, 16);
    }
    return true;
}

static bool
field_masks_exact(const struct odp_attr *attr, const void *mask, uint32_t given)
{
    for (size_t i = 0; i < attr->n_fields; i++) {
        if (given & (1u << i) && !field_mask_is_exact(&attr->fields[i], mask)) {
            return false;
        }
    }
    return true;
}

static int
parse_push_vlan(char *content, struct dp_actions *actions, struct buf *error)
{
    struct odp_push_vlan_text value, mask;
    uint32_t given;
    int retval;

    memset(&value, 0, sizeof value);
    memset(&mask, 0, sizeof mask);
    retval = parse_fields(&push_vlan_attr, content, &value, &mask, &given, error);
    if (retval) {
        return retval;
    } else if (!field_masks_exact(&push_vlan_attr, &mask, given)) {
        return odp_error(error, "push_vlan: values cannot have masks");
    }
    if (!(given & 4)) {
        value.tpid = ETH_TYPE_VLAN;
    }
    dp_actions_put_push_vlan(actions, value.tpid,
                             value.vid | value.pcp << FLOWKEY_VLAN_PCP_SHIFT);
    return 0;
}

/* The fields of set(tunnel(...)), in the order format_set_tunnel() prints. */
static int
parse_set_tunnel(char *content, struct dp_actions *actions, struct buf *error)
{
    size_t set = dp_actions_start_nested(actions, OVS_ACTION_ATTR_SET);
    size_t key = dp_actions_start_nested(actions, OVS_KEY_ATTR_TUNNEL);
    char *rest = content, *item;

    while ((item = next_item(&rest))) {
        struct in_addr addr;
        unsigned int n;
        uint64_t id;

        if (str_starts_with(item, "tun_id=") && str_to_u64(item + 7, 0, 0, UINT64_MAX, &id)) {
            id = htobe64(id);
            dp_actions_put(actions, OVS_TUNNEL_KEY_ATTR_ID, &id, 8);
        } else if ((str_starts_with(item, "src=") || str_starts_with(item, "dst="))
                   && inet_pton(AF_INET, item + 4, &addr) == 1) {
            dp_actions_put(actions, item[0] == 's' ? OVS_TUNNEL_KEY_ATTR_IPV4_SRC
                                                   : OVS_TUNNEL_KEY_ATTR_IPV4_DST, &addr, 4);
        } else if ((str_starts_with(item, "tos=") || str_starts_with(item, "ttl="))
                   && str_to_uint(item + 4, 0, 255, &n)) {
            uint8_t byte = n;

            dp_actions_put(actions, item[1] == 'o' ? OVS_TUNNEL_KEY_ATTR_TOS
                                                   : OVS_TUNNEL_KEY_ATTR_TTL, &byte, 1);
        } else if (str_starts_with(item, "flags(") && item[strlen(item) - 1] == ')') {
            char *save = NULL;

            item[strlen(item) - 1] = '\0';
            for (char *f = strtok_r(item + 6, "|", &save); f; f = strtok_r(NULL, "|", &save)) {
                if (!strcmp(f, "df")) {
                    dp_actions_put(actions, OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT, NULL, 0);
                } else if (!strcmp(f, "csum")) {
                    dp_actions_put(actions, OVS_TUNNEL_KEY_ATTR_CSUM, NULL, 0);
                } else {
                    return odp_error(error, "set(tunnel): unknown flag \"%.*s\"",
                                     ODP_QUOTE_MAX, f);
                }
            }
        } else {
            return odp_error(error, "set(tunnel): cannot parse \"%.*s\"", ODP_QUOTE_MAX, item);
        }
    }
    dp_actions_end_nested(actions, key);
    dp_actions_end_nested(actions, set);
    return 0;
}

static int
parse_set(char *content, struct dp_actions *actions, struct buf *error)
{
    size_t n = name_length(content);
    char *close;

    if (content[n] != '(' || !(close = match_paren(content + n)) || *skip_space(close + 1)) {
        return odp_error(error, "set: expected set(FIELD(...)), not \"set(%.*s)\"",
                         ODP_QUOTE_MAX, content);
    }
    content[n] = '\0';
    *close = '\0';
    if (!strcmp(content, "tunnel")) {
        return parse_set_tunnel(content + n + 1, actions, error);
    }
    for (size_t i = 0; i < ARRAY_SIZE(set_types); i++) {
        const struct odp_set_type *t = &set_types[i];

        if (!strcmp(content, t->attr.name)) {
            uint8_t value[ODP_SET_MAX_SIZE] = { 0 }, mask[ODP_SET_MAX_SIZE] = { 0 };
            uint32_t given;
            int retval;

            retval = parse_fields(&t->attr, content + n + 1, value, mask, &given, error);
            if (!retval) {
                dp_actions_put_set_masked(actions, t->key_type, value, mask, t->size);
            }
            return retval;
        }
    }
    return odp_error(error, "set: cannot set \"%.*s\"", ODP_QUOTE_MAX, content);
}

static int
parse_userspace(char *content, struct dp_actions *actions, struct buf *error)
{
    char *rest = content, *item;
    size_t offset = dp_actions_start_nested(actions, OVS_ACTION_ATTR_USERSPACE);
    bool pid = false, userdata = false;

    while ((item = next_item(&rest))) {
        unsigned int value;
        uint8_t *bytes;
        size_t n;

        if (str_starts_with(item, "pid=") && !pid && str_to_uint(item + 4, 0, UINT32_MAX, &value)) {
            uint32_t pid32 = value;

            dp_actions_put(actions, OVS_USERSPACE_ATTR_PID, &pid32, sizeof pid32);
            pid = true;
        } else if (str_starts_with(item, "userdata(") && pid && !userdata
                   && item[strlen(item) - 1] == ')') {
            item[strlen(item) - 1] = '\0';
            if (!parse_hex_bytes(item + 9, &bytes, &n)) {
                return odp_error(error, "userspace: bad userdata \"%.*s\"", ODP_QUOTE_MAX,
                                 item + 9);
            }
            dp_actions_put(actions, OVS_USERSPACE_ATTR_USERDATA, bytes, n);
            free(bytes);
            userdata = true;
        } else {
            return odp_error(error, "userspace: cannot parse \"%.*s\" (expected "
                             "pid=N[,userdata(0xHEX)])", ODP_QUOTE_MAX, item);
        }
    }
    if (!pid) {
        return odp_error(error, "userspace: pid=N is required");
    }
    dp_actions_end_nested(actions, offset);
    return 0;
}

static int parse_action_list(char *s, struct dp_actions *, struct buf *error, int depth);

/* "sample=P%,actions(ACTIONS)", the inside of sample(...). */
static int
parse_sample(char *content, struct dp_actions *actions, struct buf *error, int depth)
{
    char *percent = strchr(content, '%'), *list, *close;
    size_t sample, nested;
    uint32_t probability;

    if (depth >= ODP_MAX_DEPTH) {
        return odp_error(error, "sample: nested more than %d deep", ODP_MAX_DEPTH);
    } else if (!str_starts_with(content, "sample=") || !percent) {
        return odp_error(error, "sample: expected sample=P%%,actions(...), not \"%.*s\"",
                         ODP_QUOTE_MAX, content);
    }
    *percent = '\0';
    if (!odp_parse_probability(content + 7, &probability)) {
        return odp_error(error, "sample: bad probability \"%.*s%%\" (expected 0%% to 100%%)",
                         ODP_QUOTE_MAX, content + 7);
    }
    list = skip_space(percent + 1);
    if (*list != ',' || !str_starts_with(list = skip_space(list + 1), "actions(")
        || !(close = match_paren(list + 7)) || *skip_space(close + 1)) {
        return odp_error(error, "sample: expected actions(...) after the probability, "
                         "not \"%.*s\"", ODP_QUOTE_MAX, list);
    }
    *close = '\0';
    sample = dp_actions_start_nested(actions, OVS_ACTION_ATTR_SAMPLE);
    dp_actions_put(actions, OVS_SAMPLE_ATTR_PROBABILITY, &probability, sizeof probability);
    nested = dp_actions_start_nested(actions, OVS_SAMPLE_ATTR_ACTIONS);
    if (parse_action_list(list + 8, actions, error, depth + 1)) {
        return EINVAL;
    }
    dp_actions_end_nested(actions, nested);
    dp_actions_end_nested(actions, sample);
    return 0;
}

static int
parse_u32_action(const char *name, uint16_t type, const char *content,
                 struct dp_actions *actions, struct buf *error)
{
    unsigned int value;
    uint32_t value32;

    if (!str_to_uint(content, 0, UINT32_MAX, &value)) {
        return odp_error(error, "%s: expected a number, not \"%.*s\"", name,
                         ODP_QUOTE_MAX, content);
    }
    value32 = value;
    dp_actions_put(actions, type, &value32, sizeof value32);
    return 0;
}

static int
parse_generic_action(char *content, struct dp_actions *actions, struct buf *error)
{
    char *comma = strchr(content, ',');
    uint8_t *bytes = NULL;
    unsigned int type;
    size_t n = 0;

    if (comma) {
        *comma = '\0';
    }
    trim_end(content);
    if (!str_to_uint(content, 0, UINT16_MAX, &type)) {
        return odp_error(error, "action_type: bad type \"%.*s\"", ODP_QUOTE_MAX, content);
    } else if (comma && !parse_hex_bytes(skip_space(comma + 1), &bytes, &n)) {
        return odp_error(error, "action_type: bad payload \"%.*s\"", ODP_QUOTE_MAX,
                         comma + 1);
    }
    dp_actions_put(actions, type, bytes, n);
    free(bytes);
    return 0;
}

/* Parses one action (modifying 'item'), appending it to 'actions'.
 * 'depth' counts the sample() actions around it. */
static int
parse_action(char *item, struct dp_actions *actions, struct buf *error, int depth)
{
    size_t n = name_length(item);
    char *content;

    if (n && isdigit((unsigned char) item[0]) && !item[n]) {
        return parse_u32_action("output", OVS_ACTION_ATTR_OUTPUT, item, actions, error);
    } else if (!strcmp(item, "pop_vlan")) {
        dp_actions_put_pop_vlan(actions);
        return 0;
    } else if (!n || item[n] != '(' || match_paren(item + n) != item + strlen(item) - 1) {
        return odp_error(error, "cannot parse action \"%.*s\"", ODP_QUOTE_MAX, item);
    }
    item[n] = '\0';
    item[strlen(item + n + 1) + n] = '\0';
    content = skip_space(item + n + 1);
    trim_end(content);
    if (!strcmp(item, "push_vlan")) {
        return parse_push_vlan(content, actions, error);
    } else if (!strcmp(item, "set")) {
        return parse_set(content, actions, error);
    } else if (!strcmp(item, "userspace")) {
        return parse_userspace(content, actions, error);
    } else if (!strcmp(item, "sample")) {
        return parse_sample(content, actions, error, depth);
    } else if (!strcmp(item, "recirc")) {
        return parse_u32_action("recirc", OVS_ACTION_ATTR_RECIRC, content, actions, error);
    } else if (!strcmp(item, "trunc")) {
        return parse_u32_action("trunc", OVS_ACTION_ATTR_TRUNC, content, actions, error);
    } else if (!strcmp(item, "meter")) {
        return parse_u32_action("meter", OVS_ACTION_ATTR_METER, content, actions, error);
    } else if (!strcmp(item, "action_type")) {
        return parse_generic_action(content, actions, error);
    }
    return odp_error(error, "unknown action \"%.*s\"", ODP_QUOTE_MAX, item);
}

/* Parses a whole action list in 's' (modified). */
static int
parse_action_list(char *s, struct dp_actions *actions, struct buf *error, int depth)
{
    char *rest = s, *item;

    s = skip_space(s);
    trim_end(s);
    if (!strcmp(s, "drop")) {
        return 0;
    } else if (!*s) {
        return odp_error(error, "no actions (write \"drop\" to drop)");
    } else if (!parens_balanced(s)) {
        return odp_error(error, "unbalanced parentheses in actions \"%.*s\"",
                         ODP_QUOTE_MAX, s);
    }
    rest = s;
    while ((item = next_item(&rest))) {
        int retval;

        if (!*item) {
            return odp_error(error, "empty action in list");
        } else if (!strcmp(item, "drop")) {
            return odp_error(error, "\"drop\" cannot be combined with other actions");
        }
        retval = parse_action(item, actions, error, depth);
        if (retval) {
            return retval;
        }
    }
    return 0;
}

int
odp_parse_actions(const char *s, struct dp_actions *actions, struct buf *error)
{
    char *copy = xstrdup(s);
    int retval;

    dp_actions_clear(actions);
    retval = parse_action_list(copy, actions, error, 0);
    if (retval) {
        dp_actions_clear(actions);
    }
    free(copy);
    return retval;
}

/* ---- Flows ------------------------------------------------------------------- */

static void
format_tcp_flags(struct buf *b, uint16_t flags)
{
    static const char letters[8] = { 'F', 'S', 'R', 'P', '.', 'U', 'E', 'C' };

    for (int i = 0; i < 8; i++) {
        if (flags & (1 << i)) {
            buf_put_char(b, letters[i]);
        }
    }
}

void
odp_format_flow(struct buf *b, const struct flowkey *key, const struct flowkey *mask,
                const struct odp_flow_stats *stats, const void *actions, size_t size)
{
    static const struct odp_flow_stats no_stats = { 0, 0, -1, 0, false };
    size_t start = b->size;

    if (!stats) {
        stats = &no_stats;
    }
    odp_format_key(b, key, mask);
    buf_printf(b, "%spackets:%"PRIu64", bytes:%"PRIu64", used:",
               b->size > start ? ", " : "", stats->packets, stats->bytes);
    if (stats->used_msec < 0) {
        buf_put_cstr(b, "never");
    } else {
        buf_printf(b, "%lld.%03llds", stats->used_msec / 1000, stats->used_msec % 1000);
    }
    if (stats->tcp_flags) {
        buf_put_cstr(b, ", flags:");
        format_tcp_flags(b, stats->tcp_flags);
    }
    if (stats->offloaded) {
        buf_put_cstr(b, ", offloaded:yes, dp:tc");
    }
    buf_put_cstr(b, ", actions:");
    odp_format_actions(b, actions, size);
}

/* Whether the 'n' characters at 's' name a statistic that dump-flows
 * prints (and parsing ignores). */
static bool
is_stat_name(const char *s, size_t n)
{
    static const char *const stats[] = { "packets", "bytes", "used", "flags", "offloaded",
                                         "dp" };

    for (size_t i = 0; i < ARRAY_SIZE(stats); i++) {
        if (strlen(stats[i]) == n && !strncmp(s, stats[i], n)) {
            return true;
        }
    }
    return false;
}

/* Skips the statistics after a key up to "actions:"; returns the actions
 * text, or NULL with an error. */
static char *
skip_flow_stats(char *s, struct buf *error)
{

    for (;;) {
        size_t n;

        while (isspace((unsigned char) *s) || *s == ',') {
            s++;
        }
        n = name_length(s);
        if (!*s) {
            odp_error(error, "missing \"actions:\"");
            return NULL;
        } else if (!n || s[n] != ':') {
            odp_error(error, "cannot parse \"%.*s\"", ODP_QUOTE_MAX, s);
            return NULL;
        } else if (n == 7 && !strncmp(s, "actions", 7)) {
            return s + n + 1;
        }
        if (!is_stat_name(s, n)) {
            odp_error(error, "unknown flow field \"%.*s\"", (int) MIN(n, ODP_QUOTE_MAX), s);
            return NULL;
        }
        s += n + 1;
        s += strcspn(s, ", \t\r\n");
    }
}

int
odp_parse_flow(const char *s_, struct flowkey *key, struct flowkey *mask,
               struct dp_actions *actions, struct buf *error)
{
    char *copy = xstrdup(s_), *s = copy, *actions_text;
    int retval;

    odp_parse_reset(key, mask);
    dp_actions_clear(actions);
    if (!parens_balanced(copy)) {
        retval = odp_error(error, "unbalanced parentheses in \"%.*s\"", ODP_QUOTE_MAX, s_);
    } else {
        retval = parse_key_prefix(&s, key, mask, error);
        if (!retval) {
            actions_text = skip_flow_stats(s, error);
            retval = actions_text ? parse_action_list(actions_text, actions, error, 0) : EINVAL;
        }
    }
    if (retval) {
        odp_parse_reset(key, mask);
        dp_actions_clear(actions);
    }
    free(copy);
    return retval;
}

void
odp_key_words(void (*cb)(const char *word, void *aux), void *aux)
{
    static const char *const others[] = { "eth_type(", "vlan(", "encap(" };

    for (int i = 0; i < ODP_KA_N_KEY_ATTRS; i++) {
        char *word = xasprintf("%s(", key_attrs[i].name);

        cb(word, aux);
        free(word);
    }
    for (size_t i = 0; i < ARRAY_SIZE(others); i++) {
        cb(others[i], aux);
    }
}
