/* odp-netlink: flowkey <-> OVS_KEY_ATTR_* attributes (see odp-netlink.h).
 *
 * Encoding writes the key and the mask with one walker (struct
 * odp_nl_encoder): the masked key decides which attributes exist, the
 * values come from the key or the mask. It then decodes what it wrote and
 * compares, so that a mask the kernel cannot be told exactly is refused
 * here instead of being silently widened there.
 *
 * Decoding indexes each nesting level into a table by attribute type,
 * checking lengths and duplicates the way the kernel's own parser does,
 * then fills the flowkey field by field. A mask is decoded against the
 * key already decoded, because the key says which attributes a mask may
 * have (the tag structure, the L3 and L4 protocol). */
#include "odp-netlink.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "packet.h"
#include "util.h"

/* ---- Attribute streams ------------------------------------------------------- */

/* Expected payload size of an attribute type; ODP_NL_ANY for variable or
 * nested, ODP_NL_BAD for a type that must not appear. */
#define ODP_NL_BAD (-1)
#define ODP_NL_ANY (-2)

static const int key_attr_sizes[OVS_KEY_ATTR_MAX + 1] = {
    [OVS_KEY_ATTR_UNSPEC] = ODP_NL_BAD,
    [OVS_KEY_ATTR_ENCAP] = ODP_NL_ANY,
    [OVS_KEY_ATTR_PRIORITY] = 4,
    [OVS_KEY_ATTR_IN_PORT] = 4,
    [OVS_KEY_ATTR_ETHERNET] = sizeof(struct ovs_key_ethernet),
    [OVS_KEY_ATTR_VLAN] = 2,
    [OVS_KEY_ATTR_ETHERTYPE] = 2,
    [OVS_KEY_ATTR_IPV4] = sizeof(struct ovs_key_ipv4),
    [OVS_KEY_ATTR_IPV6] = sizeof(struct ovs_key_ipv6),
    [OVS_KEY_ATTR_TCP] = sizeof(struct ovs_key_tcp),
    [OVS_KEY_ATTR_UDP] = sizeof(struct ovs_key_udp),
    [OVS_KEY_ATTR_ICMP] = sizeof(struct ovs_key_icmp),
    [OVS_KEY_ATTR_ICMPV6] = sizeof(struct ovs_key_icmpv6),
    [OVS_KEY_ATTR_ARP] = sizeof(struct ovs_key_arp),
    [OVS_KEY_ATTR_ND] = sizeof(struct ovs_key_nd),
    [OVS_KEY_ATTR_SKB_MARK] = 4,
    [OVS_KEY_ATTR_TUNNEL] = ODP_NL_ANY,
    [OVS_KEY_ATTR_SCTP] = sizeof(struct ovs_key_sctp),
    [OVS_KEY_ATTR_TCP_FLAGS] = 2,
    [OVS_KEY_ATTR_DP_HASH] = 4,
    [OVS_KEY_ATTR_RECIRC_ID] = 4,
    [OVS_KEY_ATTR_MPLS] = ODP_NL_ANY,
    [OVS_KEY_ATTR_CT_STATE] = 4,
    [OVS_KEY_ATTR_CT_ZONE] = 2,
    [OVS_KEY_ATTR_CT_MARK] = 4,
    [OVS_KEY_ATTR_CT_LABELS] = sizeof(struct ovs_key_ct_labels),
    [OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4] = sizeof(struct ovs_key_ct_tuple_ipv4),
    [OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6] = sizeof(struct ovs_key_ct_tuple_ipv6),
    [OVS_KEY_ATTR_NSH] = ODP_NL_ANY,
    [OVS_KEY_ATTR_PACKET_TYPE] = 4,
    [OVS_KEY_ATTR_ND_EXTENSIONS] = ODP_NL_ANY,
    [OVS_KEY_ATTR_TUNNEL_INFO] = ODP_NL_BAD,    /* Kernel-internal. */
    [OVS_KEY_ATTR_IPV6_EXTHDRS] = sizeof(struct ovs_key_ipv6_exthdrs),
};

static const int tunnel_attr_sizes[OVS_TUNNEL_KEY_ATTR_MAX + 1] = {
    [OVS_TUNNEL_KEY_ATTR_ID] = 8,
    [OVS_TUNNEL_KEY_ATTR_IPV4_SRC] = 4,
    [OVS_TUNNEL_KEY_ATTR_IPV4_DST] = 4,
    [OVS_TUNNEL_KEY_ATTR_TOS] = 1,
    [OVS_TUNNEL_KEY_ATTR_TTL] = 1,
    [OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT] = 0,
    [OVS_TUNNEL_KEY_ATTR_CSUM] = 0,
    [OVS_TUNNEL_KEY_ATTR_OAM] = 0,
    [OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS] = ODP_NL_ANY,
    [OVS_TUNNEL_KEY_ATTR_TP_SRC] = 2,
    [OVS_TUNNEL_KEY_ATTR_TP_DST] = 2,
    [OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS] = ODP_NL_ANY,
    [OVS_TUNNEL_KEY_ATTR_IPV6_SRC] = 16,
    [OVS_TUNNEL_KEY_ATTR_IPV6_DST] = 16,
    [OVS_TUNNEL_KEY_ATTR_PAD] = ODP_NL_ANY,
    [OVS_TUNNEL_KEY_ATTR_ERSPAN_OPTS] = ODP_NL_ANY,
    [OVS_TUNNEL_KEY_ATTR_IPV4_INFO_BRIDGE] = 0,
};

/* Fills 'a' (of 'max' + 1 entries) with the attributes in [data, +size),
 * one per type. Truncated or overlong attributes, trailing bytes, unknown
 * or forbidden types, wrong sizes and duplicates are EINVAL. */
static int
odp_nl_index(const void *data, size_t size, const int sizes[], int max,
             const struct nlattr *a[])
{
    size_t offset = 0;

    memset(a, 0, (max + 1) * sizeof a[0]);
    while (offset < size) {
        const struct nlattr *nla = (const struct nlattr *) ((const uint8_t *) data + offset);
        uint16_t type;

        if (size - offset < NLA_HDRLEN || nla->nla_len < NLA_HDRLEN
            || nla->nla_len > size - offset) {
            return EINVAL;
        }
        type = dp_nla_type(nla);
        if (type > max || sizes[type] == ODP_NL_BAD || a[type]
            || (sizes[type] != ODP_NL_ANY && (size_t) sizes[type] != dp_nla_size(nla))) {
            return EINVAL;
        }
        a[type] = nla;
        offset += MIN((size_t) NLA_ALIGN(nla->nla_len), size - offset);
    }
    return 0;
}

static bool
odp_nl_is_tag_tpid(uint16_t tpid)
{
    return tpid == ETH_TYPE_VLAN || tpid == ETH_TYPE_QINQ;
}

static bool
odp_nl_has_tunnel(const struct flowkey *k)
{
    return k->tun_id || k->tun_src || k->tun_dst || k->tun_flags || k->tun_tos
           || k->tun_ttl;
}

/* What the kernel will match in the end for 'mask' over 'key': the
 * eth_type and tag structure exactly, a tunnel key's presence whenever its
 * id is matched, the tunnel flags as a whole once every flag a flowkey
 * knows is matched, and an ICMP type or code (one byte on the wire) as a
 * whole field once its byte is exact. */
static void
odp_nl_normalize_mask(const struct flowkey *key, struct flowkey *mask)
{
    uint16_t tun_bits = FLOWKEY_TUN_KEY | FLOWKEY_TUN_CSUM | FLOWKEY_TUN_DF;

    flowkey_mask_canonicalize(key, mask);
    if (mask->tun_id) {
        mask->tun_flags |= FLOWKEY_TUN_KEY;
    }
    mask->tun_flags = ((mask->tun_flags & tun_bits) == tun_bits ? UINT16_MAX
                       : mask->tun_flags & tun_bits);
    if ((key->eth_type == ETH_TYPE_IP && key->nw_proto == IP_PROTO_ICMP)
        || (key->eth_type == ETH_TYPE_IPV6 && key->nw_proto == IP_PROTO_ICMPV6)) {
        mask->tp_src = (mask->tp_src & 0xff) == 0xff ? UINT16_MAX : mask->tp_src & 0xff;
        mask->tp_dst = (mask->tp_dst & 0xff) == 0xff ? UINT16_MAX : mask->tp_dst & 0xff;
    }
}

/* ---- Decoding ------------------------------------------------------------------ */

struct odp_nl_decoder {
    struct flowkey *out;        /* The key or the mask being filled. */
    const struct flowkey *key;  /* Decoding a mask: the key it belongs to. */
    bool is_mask;               /* Decoding a mask. */
    bool exact;                 /* Mask from key attributes: payloads read as all-ones. */
    uint64_t metadata;          /* Dropped metadata types with non-zero values (key) or
                                 * those the key had (mask). */
    uint8_t ones[64];           /* All-ones payload for 'exact'. */
};

/* The payload to read for 'nla': all-ones in 'exact' mode. */
static const void *
odp_nl_payload(const struct odp_nl_decoder *d, const struct nlattr *nla)
{
    return d->exact && dp_nla_size(nla) <= sizeof d->ones ? d->ones : dp_nla_data(nla);
}

static uint16_t
odp_nl_get_be16(const struct odp_nl_decoder *d, const struct nlattr *nla)
{
    uint16_t v;

    memcpy(&v, odp_nl_payload(d, nla), 2);
    return ntohs(v);
}

static uint32_t
odp_nl_get_u32(const struct odp_nl_decoder *d, const struct nlattr *nla)
{
    uint32_t v;

    memcpy(&v, odp_nl_payload(d, nla), 4);
    return v;
}

/* The key the attributes must be consistent with. */
static const struct flowkey *
odp_nl_key(const struct odp_nl_decoder *d)
{
    return d->is_mask ? d->key : d->out;
}

static int
odp_nl_dec_frag(const struct odp_nl_decoder *d, uint8_t frag)
{
    if (d->is_mask) {
        d->out->nw_frag = frag;
    } else if (frag == OVS_FRAG_TYPE_NONE) {
        d->out->nw_frag = 0;
    } else if (frag == OVS_FRAG_TYPE_FIRST) {
        d->out->nw_frag = FLOWKEY_FRAG_ANY;
    } else if (frag == OVS_FRAG_TYPE_LATER) {
        d->out->nw_frag = FLOWKEY_FRAG_ANY | FLOWKEY_FRAG_LATER;
    } else {
        return EINVAL;
    }
    return 0;
}

static int
odp_nl_dec_ipv4(const struct odp_nl_decoder *d, const struct nlattr *nla)
{
    struct ovs_key_ipv4 ip;

    if (odp_nl_key(d)->eth_type != ETH_TYPE_IP) {
        return EINVAL;
    }
    memcpy(&ip, odp_nl_payload(d, nla), sizeof ip);
    d->out->ipv4_src = ip.ipv4_src;
    d->out->ipv4_dst = ip.ipv4_dst;
    d->out->nw_proto = ip.ipv4_proto;
    d->out->nw_tos = ip.ipv4_tos;
    d->out->nw_ttl = ip.ipv4_ttl;
    return odp_nl_dec_frag(d, ip.ipv4_frag);
}

static int
odp_nl_dec_ipv6(const struct odp_nl_decoder *d, const struct nlattr *nla)
{
    struct ovs_key_ipv6 ip;

    if (odp_nl_key(d)->eth_type != ETH_TYPE_IPV6) {
        return EINVAL;
    }
    memcpy(&ip, odp_nl_payload(d, nla), sizeof ip);
    memcpy(d->out->ipv6_src, ip.ipv6_src, 16);
    memcpy(d->out->ipv6_dst, ip.ipv6_dst, 16);
    d->out->ipv6_label = ntohl(ip.ipv6_label);
    d->out->nw_proto = ip.ipv6_proto;
    d->out->nw_tos = ip.ipv6_tclass;
    d->out->nw_ttl = ip.ipv6_hlimit;
    return odp_nl_dec_frag(d, ip.ipv6_frag);
}

static int
odp_nl_dec_arp(const struct odp_nl_decoder *d, const struct nlattr *nla)
{
    struct ovs_key_arp arp;

    if (odp_nl_key(d)->eth_type != ETH_TYPE_ARP) {
        return EINVAL;
    }
    memcpy(&arp, odp_nl_payload(d, nla), sizeof arp);
    d->out->ipv4_src = arp.arp_sip;
    d->out->ipv4_dst = arp.arp_tip;
    /* A flowkey keeps the opcode's low byte (ARP has two opcodes). */
    d->out->nw_proto = ntohs(arp.arp_op) & 0xff;
    memcpy(d->out->arp_sha, arp.arp_sha, 6);
    memcpy(d->out->arp_tha, arp.arp_tha, 6);
    return 0;
}

/* Whether the key's L3 header is IP carrying 'proto', with an L4 header
 * (not a later fragment). 'family' is 4, 6, or 0 for either. */
static bool
odp_nl_key_has_l4(const struct flowkey *k, uint8_t proto, int family)
{
    bool ip = ((family != 6 && k->eth_type == ETH_TYPE_IP)
               || (family != 4 && k->eth_type == ETH_TYPE_IPV6));

    return ip && k->nw_proto == proto && !(k->nw_frag & FLOWKEY_FRAG_LATER);
}

/* A mask may match L4 fields only under an exact IP protocol, as the
 * kernel insists; 'extra' narrows that further (ND: an exact ICMPv6 type). */
static bool
odp_nl_l4_mask_ok(const struct odp_nl_decoder *d, const struct nlattr *nla, bool extra)
{
    return (!d->is_mask || (d->out->nw_proto == 0xff && extra)
            || is_all_zeros(odp_nl_payload(d, nla), dp_nla_size(nla)));
}

static int
odp_nl_dec_ports(const struct odp_nl_decoder *d, const struct nlattr *nla, uint8_t proto)
{
    struct ovs_key_tcp ports;     /* UDP and SCTP share the layout. */

    if (!odp_nl_key_has_l4(odp_nl_key(d), proto, 0) || !odp_nl_l4_mask_ok(d, nla, true)) {
        return EINVAL;
    }
    memcpy(&ports, odp_nl_payload(d, nla), sizeof ports);
    d->out->tp_src = ntohs(ports.tcp_src);
    d->out->tp_dst = ntohs(ports.tcp_dst);
    return 0;
}

/* ICMP type and code are one byte each; an exact byte is an exact field. */
static uint16_t
odp_nl_widen_u8(const struct odp_nl_decoder *d, uint8_t v)
{
    return d->is_mask && v == 0xff ? UINT16_MAX : v;
}

static int
odp_nl_dec_icmp(const struct odp_nl_decoder *d, const struct nlattr *nla, uint8_t proto,
                int family)
{
    struct ovs_key_icmp icmp;     /* ICMPv6 shares the layout. */

    if (!odp_nl_key_has_l4(odp_nl_key(d), proto, family) || !odp_nl_l4_mask_ok(d, nla, true)) {
        return EINVAL;
    }
    memcpy(&icmp, odp_nl_payload(d, nla), sizeof icmp);
    d->out->tp_src = odp_nl_widen_u8(d, icmp.icmp_type);
    d->out->tp_dst = odp_nl_widen_u8(d, icmp.icmp_code);
    return 0;
}

static int
odp_nl_dec_nd(const struct odp_nl_decoder *d, const struct nlattr *nla)
{
    const struct flowkey *k = odp_nl_key(d);
    struct ovs_key_nd nd;

    if (!odp_nl_key_has_l4(k, IP_PROTO_ICMPV6, 6) || (k->tp_src != 135 && k->tp_src != 136)
        || !odp_nl_l4_mask_ok(d, nla, (d->out->tp_src & 0xff) == 0xff)) {
        return EINVAL;
    }
    memcpy(&nd, odp_nl_payload(d, nla), sizeof nd);
    memcpy(d->out->nd_target, nd.nd_target, 16);
    memcpy(d->out->arp_sha, nd.nd_sll, 6);
    memcpy(d->out->arp_tha, nd.nd_tll, 6);
    return 0;
}

static int
odp_nl_dec_tcp_flags(const struct odp_nl_decoder *d, const struct nlattr *nla)
{
    if (!odp_nl_key_has_l4(odp_nl_key(d), IP_PROTO_TCP, 0) || !odp_nl_l4_mask_ok(d, nla, true)) {
        return EINVAL;
    }
    d->out->tcp_flags = odp_nl_get_be16(d, nla);
    return 0;
}

/* L3 first: the L4 checks read the protocol it sets. */
static int
odp_nl_dec_l3_l4(const struct odp_nl_decoder *d, const struct nlattr *a[])
{
    int error = 0;

    if (a[OVS_KEY_ATTR_IPV4]) {
        error = odp_nl_dec_ipv4(d, a[OVS_KEY_ATTR_IPV4]);
    }
    if (!error && a[OVS_KEY_ATTR_IPV6]) {
        error = odp_nl_dec_ipv6(d, a[OVS_KEY_ATTR_IPV6]);
    }
    if (!error && a[OVS_KEY_ATTR_ARP]) {
        error = odp_nl_dec_arp(d, a[OVS_KEY_ATTR_ARP]);
    }
    if (!error && a[OVS_KEY_ATTR_TCP]) {
        error = odp_nl_dec_ports(d, a[OVS_KEY_ATTR_TCP], IP_PROTO_TCP);
    }
    if (!error && a[OVS_KEY_ATTR_UDP]) {
        error = odp_nl_dec_ports(d, a[OVS_KEY_ATTR_UDP], IP_PROTO_UDP);
    }
    if (!error && a[OVS_KEY_ATTR_SCTP]) {
        error = odp_nl_dec_ports(d, a[OVS_KEY_ATTR_SCTP], IP_PROTO_SCTP);
    }
    if (!error && a[OVS_KEY_ATTR_ICMP]) {
        error = odp_nl_dec_icmp(d, a[OVS_KEY_ATTR_ICMP], IP_PROTO_ICMP, 4);
    }
    if (!error && a[OVS_KEY_ATTR_ICMPV6]) {
        error = odp_nl_dec_icmp(d, a[OVS_KEY_ATTR_ICMPV6], IP_PROTO_ICMPV6, 6);
    }
    if (!error && a[OVS_KEY_ATTR_ND]) {
        error = odp_nl_dec_nd(d, a[OVS_KEY_ATTR_ND]);
    }
    if (!error && a[OVS_KEY_ATTR_TCP_FLAGS]) {
        error = odp_nl_dec_tcp_flags(d, a[OVS_KEY_ATTR_TCP_FLAGS]);
    }
    return error;
}

static int
odp_nl_dec_tunnel_field(struct odp_nl_decoder *d, int type, const struct nlattr *nla)
{
    struct flowkey *out = d->out;
    const uint8_t *p = odp_nl_payload(d, nla);
    uint64_t id;

    switch (type) {
    case OVS_TUNNEL_KEY_ATTR_ID:
        memcpy(&id, p, 8);
        out->tun_id = be64toh(id);
        out->tun_flags |= FLOWKEY_TUN_KEY;
        return 0;
    case OVS_TUNNEL_KEY_ATTR_IPV4_SRC:
        memcpy(&out->tun_src, p, 4);
        return 0;
    case OVS_TUNNEL_KEY_ATTR_IPV4_DST:
        memcpy(&out->tun_dst, p, 4);
        return 0;
    case OVS_TUNNEL_KEY_ATTR_TOS:
        out->tun_tos = p[0];
        return 0;
    case OVS_TUNNEL_KEY_ATTR_TTL:
        out->tun_ttl = p[0];
        return 0;
    case OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT:
        out->tun_flags |= FLOWKEY_TUN_DF;
        return 0;
    case OVS_TUNNEL_KEY_ATTR_CSUM:
        out->tun_flags |= FLOWKEY_TUN_CSUM;
        return 0;
    case OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS:
    case OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS:
    case OVS_TUNNEL_KEY_ATTR_IPV6_SRC:
    case OVS_TUNNEL_KEY_ATTR_IPV6_DST:
    case OVS_TUNNEL_KEY_ATTR_ERSPAN_OPTS:
        /* IPv6 outer headers and tunnel options: not in a flowkey. */
        return is_all_zeros(dp_nla_data(nla), dp_nla_size(nla)) ? 0 : EOPNOTSUPP;
    default:
        /* The outer UDP ports (the kernel reports, a flowkey does not
         * keep them), OAM, padding. */
        return 0;
    }
}

static int
odp_nl_dec_tunnel(struct odp_nl_decoder *d, const struct nlattr *tunnel)
{
    const struct nlattr *a[OVS_TUNNEL_KEY_ATTR_MAX + 1];
    int error;

    error = odp_nl_index(dp_nla_data(tunnel), dp_nla_size(tunnel), tunnel_attr_sizes,
                         OVS_TUNNEL_KEY_ATTR_MAX, a);
    for (int type = 0; !error && type <= OVS_TUNNEL_KEY_ATTR_MAX; type++) {
        if (a[type]) {
            error = odp_nl_dec_tunnel_field(d, type, a[type]);
        }
    }
    return error;
}

/* Metadata a flowkey does not keep: dropped, unless a mask would match it
 * against a non-zero value. */
static int
odp_nl_dec_dropped(struct odp_nl_decoder *d, int type, const struct nlattr *nla)
{
    uint64_t bit = UINT64_C(1) << type;

    if (is_all_zeros(odp_nl_payload(d, nla), dp_nla_size(nla))) {
        return 0;
    } else if (!d->is_mask) {
        d->metadata |= bit;
        return 0;
    }
    return d->metadata & bit ? EOPNOTSUPP : 0;
}

static int
odp_nl_dec_metadata(struct odp_nl_decoder *d, int type, const struct nlattr *nla)
{
    uint32_t v;

    switch (type) {
    case OVS_KEY_ATTR_IN_PORT:
        v = odp_nl_get_u32(d, nla);
        /* The kernel keeps 16 bits and reports a wildcard as 0xffff0000. */
        d->out->in_port = !d->is_mask ? v : v & 0xffff ? UINT32_MAX : 0;
        return 0;
    case OVS_KEY_ATTR_TUNNEL:
        return odp_nl_dec_tunnel(d, nla);
    case OVS_KEY_ATTR_ETHERNET:
        memcpy(d->out->eth_src, odp_nl_payload(d, nla), 6);
        memcpy(d->out->eth_dst, (const uint8_t *) odp_nl_payload(d, nla) + 6, 6);
        return 0;
    case OVS_KEY_ATTR_PACKET_TYPE:
        /* Only Ethernet packets (namespace 0, type 0) have a flowkey. */
        return d->is_mask || !odp_nl_get_u32(d, nla) ? 0 : EOPNOTSUPP;
    case OVS_KEY_ATTR_MPLS:
    case OVS_KEY_ATTR_NSH:
        return EOPNOTSUPP;
    default:
        return odp_nl_dec_dropped(d, type, nla);
    }
}

static bool
odp_nl_is_level_attr(int type)
{
    return (type == OVS_KEY_ATTR_ENCAP || type == OVS_KEY_ATTR_VLAN
            || type == OVS_KEY_ATTR_ETHERTYPE || type == OVS_KEY_ATTR_IPV4
            || type == OVS_KEY_ATTR_IPV6 || type == OVS_KEY_ATTR_ARP
            || type == OVS_KEY_ATTR_TCP || type == OVS_KEY_ATTR_UDP
            || type == OVS_KEY_ATTR_SCTP || type == OVS_KEY_ATTR_ICMP
            || type == OVS_KEY_ATTR_ICMPV6 || type == OVS_KEY_ATTR_ND
            || type == OVS_KEY_ATTR_TCP_FLAGS);
}

static int
odp_nl_dec_metadata_all(struct odp_nl_decoder *d, const struct nlattr *a[])
{
    for (int type = 0; type <= OVS_KEY_ATTR_MAX; type++) {
        if (a[type] && !odp_nl_is_level_attr(type)) {
            int error = odp_nl_dec_metadata(d, type, a[type]);

            if (error) {
                return error;
            }
        }
    }
    return 0;
}

static int odp_nl_dec_level(struct odp_nl_decoder *, const void *, size_t, int level);

/* A level that holds a tag: ETHERTYPE is its TPID, VLAN its TCI, ENCAP
 * what follows. */
static int
odp_nl_dec_tag(struct odp_nl_decoder *d, const struct nlattr *a[], int level)
{
    struct flowkey_vlan *vlan;
    const struct nlattr *encap = a[OVS_KEY_ATTR_ENCAP];

    if (level >= FLOWKEY_MAX_VLANS) {
        return EOPNOTSUPP;
    }
    for (int type = OVS_KEY_ATTR_IPV4; type <= OVS_KEY_ATTR_TCP_FLAGS; type++) {
        if (a[type] && odp_nl_is_level_attr(type)) {
            return EINVAL;      /* L3/L4 belongs inside encap(). */
        }
    }
    vlan = &d->out->vlans[level];
    if (a[OVS_KEY_ATTR_ETHERTYPE]) {
        vlan->tpid = odp_nl_get_be16(d, a[OVS_KEY_ATTR_ETHERTYPE]);
    }
    if (a[OVS_KEY_ATTR_VLAN]) {
        vlan->tci = odp_nl_get_be16(d, a[OVS_KEY_ATTR_VLAN]);
    }
    if (!d->is_mask && (!a[OVS_KEY_ATTR_VLAN] || !encap)) {
        return EINVAL;
    } else if (!d->is_mask && !(vlan->tci & FLOWKEY_VLAN_PRESENT)) {
        /* TCI 0: a truncated tag, which a flowkey cannot describe. */
        return vlan->tci ? EINVAL : EOPNOTSUPP;
    }
    return encap ? odp_nl_dec_level(d, dp_nla_data(encap), dp_nla_size(encap), level + 1) : 0;
}

/* An untagged level: ETHERTYPE (absent: an 802.3 frame) and L3/L4. */
static int
odp_nl_dec_untagged(struct odp_nl_decoder *d, const struct nlattr *a[])
{
    const struct nlattr *eth_type = a[OVS_KEY_ATTR_ETHERTYPE];

    if (a[OVS_KEY_ATTR_VLAN] || a[OVS_KEY_ATTR_ENCAP]) {
        return EINVAL;
    } else if (d->is_mask) {
        d->out->eth_type = eth_type ? odp_nl_get_be16(d, eth_type) : 0;
    } else if (!eth_type) {
        d->out->eth_type = FLOWKEY_ETH_TYPE_NONE;
    } else {
        d->out->eth_type = odp_nl_get_be16(d, eth_type);
        if (d->out->eth_type < 0x600) {
            return EINVAL;      /* A length, not a type: never in a key. */
        }
    }
    return odp_nl_dec_l3_l4(d, a);
}

static bool
odp_nl_level_is_tagged(const struct odp_nl_decoder *d, const struct nlattr *a[], int level)
{
    if (d->is_mask) {
        return level < FLOWKEY_MAX_VLANS
               && d->key->vlans[level].tci & FLOWKEY_VLAN_PRESENT;
    }
    return (a[OVS_KEY_ATTR_ETHERTYPE]
            && odp_nl_is_tag_tpid(odp_nl_get_be16(d, a[OVS_KEY_ATTR_ETHERTYPE])));
}

static int
odp_nl_dec_level(struct odp_nl_decoder *d, const void *data, size_t size, int level)
{
    const struct nlattr *a[OVS_KEY_ATTR_MAX + 1];
    int error = odp_nl_index(data, size, key_attr_sizes, OVS_KEY_ATTR_MAX, a);

    for (int type = 0; !error && level > 0 && type <= OVS_KEY_ATTR_MAX; type++) {
        if (a[type] && !odp_nl_is_level_attr(type)) {
            error = EINVAL;     /* Metadata belongs to the outer level. */
        }
    }
    if (!error && level == 0) {
        error = odp_nl_dec_metadata_all(d, a);
    }
    if (error) {
        return error;
    }
    return (odp_nl_level_is_tagged(d, a, level)
            ? odp_nl_dec_tag(d, a, level)
            : odp_nl_dec_untagged(d, a));
}

static void
odp_nl_decoder_init(struct odp_nl_decoder *d, struct flowkey *out, const struct flowkey *key)
{
    memset(d, 0, sizeof *d);
    memset(out, 0, sizeof *out);
    memset(d->ones, 0xff, sizeof d->ones);
    d->out = out;
    d->key = key;
    d->is_mask = key != NULL;
}

int
odp_netlink_to_flowkey(const void *key_attrs, size_t key_size,
                       const void *mask_attrs, size_t mask_size,
                       struct flowkey *key, struct flowkey *mask)
{
    struct odp_nl_decoder d;
    uint64_t metadata;
    int error;

    odp_nl_decoder_init(&d, key, NULL);
    error = odp_nl_dec_level(&d, key_attrs, key_size, 0);
    metadata = d.metadata;
    if (!error && mask) {
        odp_nl_decoder_init(&d, mask, key);
        d.metadata = metadata;
        d.exact = !mask_attrs;
        error = (mask_attrs
                 ? odp_nl_dec_level(&d, mask_attrs, mask_size, 0)
                 : odp_nl_dec_level(&d, key_attrs, key_size, 0));
        if (!error) {
            odp_nl_normalize_mask(key, mask);
            flowkey_apply_mask(key, key, mask);
        }
    }
    if (error) {
        memset(key, 0, sizeof *key);
        if (mask) {
            memset(mask, 0, sizeof *mask);
        }
    }
    return error;
}

/* ---- Encoding ------------------------------------------------------------------ */

struct odp_nl_encoder {
    const struct flowkey *key;  /* Masked key: which attributes exist. */
    const struct flowkey *mask; /* Normalized mask: what a mask may carry. */
    const struct flowkey *v;    /* 'key' or 'mask': the values written. */
    bool is_mask;               /* Writing the mask. */
    struct dp_actions *out;     /* Where the attributes go. */
};

static void
odp_nl_put_be16(struct odp_nl_encoder *e, uint16_t type, uint16_t value)
{
    uint16_t be = htons(value);

    dp_actions_put(e->out, type, &be, sizeof be);
}

static void
odp_nl_put_u32(struct odp_nl_encoder *e, uint16_t type, uint32_t value)
{
    dp_actions_put(e->out, type, &value, sizeof value);
}

static void
odp_nl_put_tunnel(struct odp_nl_encoder *e)
{
    const struct flowkey *v = e->v;
    size_t ofs = dp_actions_start_nested(e->out, OVS_KEY_ATTR_TUNNEL);
    uint64_t id = htobe64(v->tun_id);

    if (v->tun_flags & FLOWKEY_TUN_KEY) {
        dp_actions_put(e->out, OVS_TUNNEL_KEY_ATTR_ID, &id, sizeof id);
    }
    dp_actions_put(e->out, OVS_TUNNEL_KEY_ATTR_IPV4_SRC, &v->tun_src, 4);
    dp_actions_put(e->out, OVS_TUNNEL_KEY_ATTR_IPV4_DST, &v->tun_dst, 4);
    dp_actions_put(e->out, OVS_TUNNEL_KEY_ATTR_TOS, &v->tun_tos, 1);
    dp_actions_put(e->out, OVS_TUNNEL_KEY_ATTR_TTL, &v->tun_ttl, 1);
    if (v->tun_flags & FLOWKEY_TUN_DF) {
        dp_actions_put(e->out, OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT, NULL, 0);
    }
    if (v->tun_flags & FLOWKEY_TUN_CSUM) {
        dp_actions_put(e->out, OVS_TUNNEL_KEY_ATTR_CSUM, NULL, 0);
    }
    if (e->is_mask) {
        /* Unsent tunnel fields are exact in the kernel's mask; the outer
         * UDP ports vary per flow and a flowkey never matches them. */
        odp_nl_put_be16(e, OVS_TUNNEL_KEY_ATTR_TP_SRC, 0);
        odp_nl_put_be16(e, OVS_TUNNEL_KEY_ATTR_TP_DST, 0);
    }
    dp_actions_end_nested(e->out, ofs);
}

static uint8_t
odp_nl_frag(const struct odp_nl_encoder *e)
{
    uint8_t frag = e->v->nw_frag;

    if (e->is_mask) {
        return frag;
    }
    return (!(frag & FLOWKEY_FRAG_ANY) ? OVS_FRAG_TYPE_NONE
            : frag & FLOWKEY_FRAG_LATER ? OVS_FRAG_TYPE_LATER
            : OVS_FRAG_TYPE_FIRST);
}

static void
odp_nl_put_ipv4(struct odp_nl_encoder *e)
{
    struct ovs_key_ipv4 ip = {
        .ipv4_src = e->v->ipv4_src, .ipv4_dst = e->v->ipv4_dst,
        .ipv4_proto = e->v->nw_proto, .ipv4_tos = e->v->nw_tos,
        .ipv4_ttl = e->v->nw_ttl, .ipv4_frag = odp_nl_frag(e),
    };

    dp_actions_put(e->out, OVS_KEY_ATTR_IPV4, &ip, sizeof ip);
}

static void
odp_nl_put_ipv6(struct odp_nl_encoder *e)
{
    struct ovs_key_ipv6 ip = {
        .ipv6_label = htonl(e->v->ipv6_label), .ipv6_proto = e->v->nw_proto,
        .ipv6_tclass = e->v->nw_tos, .ipv6_hlimit = e->v->nw_ttl,
        .ipv6_frag = odp_nl_frag(e),
    };

    memcpy(ip.ipv6_src, e->v->ipv6_src, 16);
    memcpy(ip.ipv6_dst, e->v->ipv6_dst, 16);
    dp_actions_put(e->out, OVS_KEY_ATTR_IPV6, &ip, sizeof ip);
}

static void
odp_nl_put_arp(struct odp_nl_encoder *e)
{
    uint8_t op = e->v->nw_proto;
    struct ovs_key_arp arp = {
        .arp_sip = e->v->ipv4_src, .arp_tip = e->v->ipv4_dst,
        /* An exact low byte matches the whole opcode: the high byte is
         * always zero in a flowkey's view. */
        .arp_op = htons(e->is_mask && op == 0xff ? 0xffff : op),
    };

    memcpy(arp.arp_sha, e->v->arp_sha, 6);
    memcpy(arp.arp_tha, e->v->arp_tha, 6);
    dp_actions_put(e->out, OVS_KEY_ATTR_ARP, &arp, sizeof arp);
}

static void
odp_nl_put_ports(struct odp_nl_encoder *e, uint16_t type)
{
    struct ovs_key_tcp ports = { htons(e->v->tp_src), htons(e->v->tp_dst) };

    dp_actions_put(e->out, type, &ports, sizeof ports);
}

static void
odp_nl_put_icmp(struct odp_nl_encoder *e, uint16_t type)
{
    struct ovs_key_icmp icmp = { (uint8_t) e->v->tp_src, (uint8_t) e->v->tp_dst };

    dp_actions_put(e->out, type, &icmp, sizeof icmp);
}

static void
odp_nl_put_nd(struct odp_nl_encoder *e)
{
    struct ovs_key_nd nd;

    memcpy(nd.nd_target, e->v->nd_target, 16);
    memcpy(nd.nd_sll, e->v->arp_sha, 6);
    memcpy(nd.nd_tll, e->v->arp_tha, 6);
    dp_actions_put(e->out, OVS_KEY_ATTR_ND, &nd, sizeof nd);
}

/* The L4 attributes the key implies; a mask gets them only with an exact
 * IP protocol (and ND only with an exact ICMPv6 type), as the kernel
 * allows. */
static void
odp_nl_put_l4(struct odp_nl_encoder *e)
{
    const struct flowkey *k = e->key;
    bool v6 = k->eth_type == ETH_TYPE_IPV6;

    if (k->nw_frag & FLOWKEY_FRAG_LATER || (e->is_mask && e->mask->nw_proto != 0xff)) {
        return;
    }
    switch (k->nw_proto) {
    case IP_PROTO_TCP:
        odp_nl_put_ports(e, OVS_KEY_ATTR_TCP);
        odp_nl_put_be16(e, OVS_KEY_ATTR_TCP_FLAGS, e->v->tcp_flags);
        break;
    case IP_PROTO_UDP:
        odp_nl_put_ports(e, OVS_KEY_ATTR_UDP);
        break;
    case IP_PROTO_SCTP:
        odp_nl_put_ports(e, OVS_KEY_ATTR_SCTP);
        break;
    case IP_PROTO_ICMP:
        if (!v6) {
            odp_nl_put_icmp(e, OVS_KEY_ATTR_ICMP);
        }
        break;
    case IP_PROTO_ICMPV6:
        if (v6) {
            odp_nl_put_icmp(e, OVS_KEY_ATTR_ICMPV6);
            if ((k->tp_src == 135 || k->tp_src == 136)
                && (!e->is_mask || (e->mask->tp_src & 0xff) == 0xff)) {
                odp_nl_put_nd(e);
            }
        }
        break;
    default:
        break;
    }
}

static void
odp_nl_put_l3_l4(struct odp_nl_encoder *e)
{
    switch (e->key->eth_type) {
    case ETH_TYPE_IP:
        odp_nl_put_ipv4(e);
        odp_nl_put_l4(e);
        break;
    case ETH_TYPE_IPV6:
        odp_nl_put_ipv6(e);
        odp_nl_put_l4(e);
        break;
    case ETH_TYPE_ARP:
        odp_nl_put_arp(e);
        break;
    default:
        break;
    }
}

static void
odp_nl_put_level(struct odp_nl_encoder *e, int level)
{
    if (level < FLOWKEY_MAX_VLANS && e->key->vlans[level].tci & FLOWKEY_VLAN_PRESENT) {
        size_t encap;

        odp_nl_put_be16(e, OVS_KEY_ATTR_ETHERTYPE, e->v->vlans[level].tpid);
        odp_nl_put_be16(e, OVS_KEY_ATTR_VLAN, e->v->vlans[level].tci);
        encap = dp_actions_start_nested(e->out, OVS_KEY_ATTR_ENCAP);
        odp_nl_put_level(e, level + 1);
        dp_actions_end_nested(e->out, encap);
        return;
    }
    /* An 802.3 frame has no ETHERTYPE in the key; its mask still says
     * "exact". */
    if (e->is_mask || e->key->eth_type >= 0x600) {
        odp_nl_put_be16(e, OVS_KEY_ATTR_ETHERTYPE, e->v->eth_type);
    }
    odp_nl_put_l3_l4(e);
}

static void
odp_nl_encode(struct odp_nl_encoder *e)
{
    const struct flowkey *tunnel_owner = e->is_mask ? e->mask : e->key;
    struct ovs_key_ethernet eth;

    if (e->mask->in_port) {
        odp_nl_put_u32(e, OVS_KEY_ATTR_IN_PORT, e->is_mask ? UINT32_MAX : e->key->in_port);
    }
    if (odp_nl_has_tunnel(tunnel_owner)) {
        odp_nl_put_tunnel(e);
    }
    memcpy(eth.eth_src, e->v->eth_src, 6);
    memcpy(eth.eth_dst, e->v->eth_dst, 6);
    dp_actions_put(e->out, OVS_KEY_ATTR_ETHERNET, &eth, sizeof eth);
    odp_nl_put_level(e, 0);
}

/* Whether the attributes just written say exactly 'key' under 'mask'. */
static bool
odp_nl_encoded_exactly(const struct dp_actions *key_attrs, size_t key_ofs,
                       const struct dp_actions *mask_attrs, size_t mask_ofs,
                       const struct flowkey *key, const struct flowkey *mask)
{
    struct flowkey key2, mask2;
    int error;

    error = odp_netlink_to_flowkey(key_attrs->data + key_ofs, key_attrs->size - key_ofs,
                                   mask_attrs ? mask_attrs->data + mask_ofs : NULL,
                                   mask_attrs ? mask_attrs->size - mask_ofs : 0,
                                   &key2, mask ? &mask2 : NULL);
    return (!error && !memcmp(key, &key2, sizeof key2)
            && (!mask || !memcmp(mask, &mask2, sizeof mask2)));
}

int
odp_netlink_from_flowkey(const struct flowkey *key_, const struct flowkey *mask_,
                         struct dp_actions *key_attrs, struct dp_actions *mask_attrs)
{
    size_t key_ofs = key_attrs->size, mask_ofs = mask_attrs ? mask_attrs->size : 0;
    struct flowkey key, mask;
    struct odp_nl_encoder e;

    if (mask_) {
        /* Twice: the second time with the masked key, as decoding sees it. */
        mask = *mask_;
        odp_nl_normalize_mask(key_, &mask);
        flowkey_apply_mask(&key, key_, &mask);
        odp_nl_normalize_mask(&key, &mask);
    } else {
        memset(&mask, 0xff, sizeof mask);
    }
    flowkey_apply_mask(&key, key_, &mask);
    e = (struct odp_nl_encoder) { &key, &mask, &key, false, key_attrs };
    odp_nl_encode(&e);
    if (mask_attrs && mask_) {
        e = (struct odp_nl_encoder) { &key, &mask, &mask, true, mask_attrs };
        odp_nl_encode(&e);
    }
    /* Without mask attributes only the key can be checked. */
    if (!odp_nl_encoded_exactly(key_attrs, key_ofs, mask_ ? mask_attrs : NULL, mask_ofs,
                                &key, mask_ && mask_attrs ? &mask : NULL)) {
        key_attrs->size = key_ofs;
        if (mask_attrs) {
            mask_attrs->size = mask_ofs;
        }
        return EINVAL;
    }
    return 0;
}
