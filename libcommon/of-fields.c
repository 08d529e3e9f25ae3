/* of-fields: the one table of OpenFlow match fields (see ofmatch.h).
 *
 * Each entry pairs the public description (names, widths, OXM/NXM codes,
 * prerequisites) with where the field lives in struct of_fields. Two kinds
 * of storage exist:
 *
 *   - bytes: addresses kept in network order, copied as they are;
 *   - integer: a host-order integer of 1, 2, 4 or 8 bytes from which the
 *     field is the bit-slice (value >> shift) & bits (VLAN PCP, DSCP, ...).
 *
 * of_field_get/of_field_set turn either into the big-endian wire form, so
 * the codec, the text syntax and set_field never care about storage. Fields
 * that share storage (tcp_src/udp_src/icmp_type, nw_src/arp_spa) carry the
 * same 'group' number; prerequisites decide which name applies. */
#include "ofmatch.h"

#include <pthread.h>
#include <string.h>

#include "util.h"

enum of_storage_kind {
    OFS_BYTES,                  /* Network-order bytes, n_bytes long. */
    OFS_UINT,                   /* Host-order integer slice. */
};

struct of_field_impl {
    struct of_field_desc desc;  /* Public part; must stay first. */
    uint16_t offset;            /* Byte offset in struct of_fields. */
    uint8_t kind;               /* enum of_storage_kind. */
    uint8_t size;               /* Bytes of the storage integer. */
    uint8_t shift;              /* Slice position in the integer. */
    uint8_t group;              /* Storage group; 0 = alone. */
    uint64_t bits;              /* Slice mask (after shifting down). */
};

/* Storage groups of fields that alias each other. */
enum {
    G_NONE, G_VLAN, G_TOS, G_PROTO, G_NW_SRC, G_NW_DST, G_TP_SRC, G_TP_DST,
    G_SHA, G_THA,
};

#define PKT(MEMBER) offsetof(struct of_fields, pkt.MEMBER)
#define MSIZE(MEMBER) sizeof ((struct of_fields *) 0)->pkt.MEMBER

#define BASIC OFP_OXM_CLASS_BASIC
#define NX0 OFP_OXM_CLASS_NXM0
#define NX1 OFP_OXM_CLASS_NXM1

/* D: the public part. */
#define D(ID, NAME, ALT, NBYTES, NBITS, MASKABLE, WRITABLE, OCLASS, OFIELD, NXNAME, \
          ETH, ETH2, PROTO, FMT, NCLASS, NFIELD, OXNAME)                          \
    { ID, NAME, ALT, NBYTES, NBITS, MASKABLE, WRITABLE, OCLASS, OFIELD, NXNAME,   \
      ETH, ETH2, PROTO, FMT, NCLASS, NFIELD, OXNAME }

#define BYTES(OFS, GROUP) .offset = OFS, .kind = OFS_BYTES, .group = GROUP
#define UINT(OFS, SIZE, SHIFT, BITS, GROUP) \
    .offset = OFS, .kind = OFS_UINT, .size = SIZE, .shift = SHIFT, .bits = BITS, .group = GROUP

#define REG(N)                                                                \
    [OFF_REG##N] = { D(OFF_REG##N, "reg" #N, NULL, 4, 32, true, true, NX1, N,  \
                       "NXM_NX_REG" #N, 0, 0, 0, OFF_FMT_HEX, NX1, N, NULL),  \
                     UINT(offsetof(struct of_fields, regs[N]), 4, 0, 0xffffffffu, G_NONE) }

/* Geneve options (tun-metadata.h): NXM_NX_TUN_METADATA0.. are NXM1 fields
 * 40..; here 8 bytes wide, the value right-aligned. */
#define TUN_MD(N)                                                             \
    [OFF_TUN_METADATA##N] = { D(OFF_TUN_METADATA##N, "tun_metadata" #N, NULL, 8, 64, true, \
                                true, NX1, 40 + N, "NXM_NX_TUN_METADATA" #N, 0, 0, 0,     \
                                OFF_FMT_HEX, NX1, 40 + N, NULL),                        \
                              BYTES(PKT(tun_metadata[N]), G_NONE) }

#define IP4 0x0800
#define IP6 0x86dd
#define ARP 0x0806

static const struct of_field_impl fields[OFF_N_FIELDS] = {
    [OFF_IN_PORT] = { D(OFF_IN_PORT, "in_port", NULL, 4, 32, false, true, BASIC, 0,
                        "OXM_OF_IN_PORT", 0, 0, 0, OFF_FMT_PORT, BASIC, 0, "OXM_OF_IN_PORT"),
                      UINT(PKT(in_port), 4, 0, 0xffffffffu, G_NONE) },
    [OFF_METADATA] = { D(OFF_METADATA, "metadata", NULL, 8, 64, true, true, BASIC, 2,
                         "OXM_OF_METADATA", 0, 0, 0, OFF_FMT_HEX, BASIC, 2, "OXM_OF_METADATA"),
                       UINT(offsetof(struct of_fields, metadata), 8, 0, UINT64_MAX, G_NONE) },
    REG(0), REG(1), REG(2), REG(3), REG(4), REG(5), REG(6), REG(7),
    REG(8), REG(9), REG(10), REG(11), REG(12), REG(13), REG(14), REG(15),
    [OFF_TUN_ID] = { D(OFF_TUN_ID, "tun_id", "tunnel_id", 8, 64, true, true, BASIC, 38,
                       "NXM_NX_TUN_ID", 0, 0, 0, OFF_FMT_HEX, NX1, 16, "OXM_OF_TUNNEL_ID"),
                     UINT(PKT(tun_id), 8, 0, UINT64_MAX, G_NONE) },
    [OFF_TUN_SRC] = { D(OFF_TUN_SRC, "tun_src", NULL, 4, 32, true, true, NX1, 31,
                        "NXM_NX_TUN_IPV4_SRC", 0, 0, 0, OFF_FMT_IPV4, NX1, 31, NULL),
                      BYTES(PKT(tun_src), G_NONE) },
    [OFF_TUN_DST] = { D(OFF_TUN_DST, "tun_dst", NULL, 4, 32, true, true, NX1, 32,
                        "NXM_NX_TUN_IPV4_DST", 0, 0, 0, OFF_FMT_IPV4, NX1, 32, NULL),
                      BYTES(PKT(tun_dst), G_NONE) },
    TUN_MD(0), TUN_MD(1), TUN_MD(2), TUN_MD(3), TUN_MD(4), TUN_MD(5), TUN_MD(6), TUN_MD(7),
    [OFF_ETH_SRC] = { D(OFF_ETH_SRC, "dl_src", "eth_src", 6, 48, true, true, BASIC, 4,
                        "NXM_OF_ETH_SRC", 0, 0, 0, OFF_FMT_MAC, NX0, 2, "OXM_OF_ETH_SRC"),
                      BYTES(PKT(eth_src), G_NONE) },
    [OFF_ETH_DST] = { D(OFF_ETH_DST, "dl_dst", "eth_dst", 6, 48, true, true, BASIC, 3,
                        "NXM_OF_ETH_DST", 0, 0, 0, OFF_FMT_MAC, NX0, 1, "OXM_OF_ETH_DST"),
                      BYTES(PKT(eth_dst), G_NONE) },
    [OFF_ETH_TYPE] = { D(OFF_ETH_TYPE, "dl_type", "eth_type", 2, 16, false, false, BASIC, 5,
                         "NXM_OF_ETH_TYPE", 0, 0, 0, OFF_FMT_HEX, NX0, 3, "OXM_OF_ETH_TYPE"),
                       UINT(PKT(eth_type), 2, 0, 0xffff, G_NONE) },
    [OFF_VLAN_TCI] = { D(OFF_VLAN_TCI, "vlan_tci", NULL, 2, 16, true, true, NX0, 4,
                         "NXM_OF_VLAN_TCI", 0, 0, 0, OFF_FMT_HEX, NX0, 4, NULL),
                       UINT(PKT(vlans[0].tci), 2, 0, 0xffff, G_VLAN) },
    [OFF_VLAN_VID] = { D(OFF_VLAN_VID, "vlan_vid", NULL, 2, 13, true, true, BASIC, 6,
                         "OXM_OF_VLAN_VID", 0, 0, 0, OFF_FMT_DEC, BASIC, 6, "OXM_OF_VLAN_VID"),
                       UINT(PKT(vlans[0].tci), 2, 0, 0x1fff, G_VLAN) },
    [OFF_VLAN_PCP] = { D(OFF_VLAN_PCP, "vlan_pcp", "dl_vlan_pcp", 1, 3, false, true, BASIC, 7,
                         "OXM_OF_VLAN_PCP", 0, 0, 0, OFF_FMT_DEC, BASIC, 7, "OXM_OF_VLAN_PCP"),
                       UINT(PKT(vlans[0].tci), 2, 13, 0x7, G_VLAN) },
    [OFF_IP_PROTO] = { D(OFF_IP_PROTO, "nw_proto", "ip_proto", 1, 8, false, false, BASIC, 10,
                         "NXM_OF_IP_PROTO", IP4, IP6, 0, OFF_FMT_DEC, NX0, 6, "OXM_OF_IP_PROTO"),
                       UINT(PKT(nw_proto), 1, 0, 0xff, G_PROTO) },
    [OFF_IP_DSCP] = { D(OFF_IP_DSCP, "ip_dscp", NULL, 1, 6, false, true, BASIC, 8,
                        "OXM_OF_IP_DSCP", IP4, IP6, 0, OFF_FMT_DEC, BASIC, 8, "OXM_OF_IP_DSCP"),
                      UINT(PKT(nw_tos), 1, 2, 0x3f, G_TOS) },
    [OFF_IP_ECN] = { D(OFF_IP_ECN, "nw_ecn", "ip_ecn", 1, 2, false, true, BASIC, 9,
                       "NXM_NX_IP_ECN", IP4, IP6, 0, OFF_FMT_DEC, NX1, 28, "OXM_OF_IP_ECN"),
                     UINT(PKT(nw_tos), 1, 0, 0x3, G_TOS) },
    [OFF_NW_TOS] = { D(OFF_NW_TOS, "nw_tos", NULL, 1, 8, false, true, NX0, 5,
                       "NXM_OF_IP_TOS", IP4, IP6, 0, OFF_FMT_DEC, NX0, 5, NULL),
                     UINT(PKT(nw_tos), 1, 0, 0xfc, G_TOS) },
    [OFF_NW_TTL] = { D(OFF_NW_TTL, "nw_ttl", NULL, 1, 8, false, true, NX1, 29,
                       "NXM_NX_IP_TTL", IP4, IP6, 0, OFF_FMT_DEC, NX1, 29, NULL),
                     UINT(PKT(nw_ttl), 1, 0, 0xff, G_NONE) },
    [OFF_IP_FRAG] = { D(OFF_IP_FRAG, "nw_frag", "ip_frag", 1, 2, true, false, NX1, 26,
                        "NXM_NX_IP_FRAG", IP4, IP6, 0, OFF_FMT_FRAG, NX1, 26, NULL),
                      UINT(PKT(nw_frag), 1, 0, 0x3, G_NONE) },
    [OFF_IPV4_SRC] = { D(OFF_IPV4_SRC, "nw_src", "ip_src", 4, 32, true, true, BASIC, 11,
                         "NXM_OF_IP_SRC", IP4, 0, 0, OFF_FMT_IPV4, NX0, 7, "OXM_OF_IPV4_SRC"),
                       BYTES(PKT(ipv4_src), G_NW_SRC) },
    [OFF_IPV4_DST] = { D(OFF_IPV4_DST, "nw_dst", "ip_dst", 4, 32, true, true, BASIC, 12,
                         "NXM_OF_IP_DST", IP4, 0, 0, OFF_FMT_IPV4, NX0, 8, "OXM_OF_IPV4_DST"),
                       BYTES(PKT(ipv4_dst), G_NW_DST) },
    [OFF_IPV6_SRC] = { D(OFF_IPV6_SRC, "ipv6_src", NULL, 16, 128, true, true, BASIC, 26,
                         "NXM_NX_IPV6_SRC", IP6, 0, 0, OFF_FMT_IPV6, NX1, 19, "OXM_OF_IPV6_SRC"),
                       BYTES(PKT(ipv6_src), G_NONE) },
    [OFF_IPV6_DST] = { D(OFF_IPV6_DST, "ipv6_dst", NULL, 16, 128, true, true, BASIC, 27,
                         "NXM_NX_IPV6_DST", IP6, 0, 0, OFF_FMT_IPV6, NX1, 20, "OXM_OF_IPV6_DST"),
                       BYTES(PKT(ipv6_dst), G_NONE) },
    [OFF_IPV6_LABEL] = { D(OFF_IPV6_LABEL, "ipv6_label", NULL, 4, 20, true, true, BASIC, 28,
                           "NXM_NX_IPV6_LABEL", IP6, 0, 0, OFF_FMT_HEX, NX1, 27,
                           "OXM_OF_IPV6_FLABEL"),
                         UINT(PKT(ipv6_label), 4, 0, 0xfffff, G_NONE) },
    [OFF_ARP_OP] = { D(OFF_ARP_OP, "arp_op", NULL, 2, 16, false, true, BASIC, 21,
                       "NXM_OF_ARP_OP", ARP, 0, 0, OFF_FMT_DEC, NX0, 15, "OXM_OF_ARP_OP"),
                     UINT(PKT(nw_proto), 1, 0, 0xff, G_PROTO) },
    [OFF_ARP_SPA] = { D(OFF_ARP_SPA, "arp_spa", NULL, 4, 32, true, true, BASIC, 22,
                        "NXM_OF_ARP_SPA", ARP, 0, 0, OFF_FMT_IPV4, NX0, 16, "OXM_OF_ARP_SPA"),
                      BYTES(PKT(ipv4_src), G_NW_SRC) },
    [OFF_ARP_TPA] = { D(OFF_ARP_TPA, "arp_tpa", NULL, 4, 32, true, true, BASIC, 23,
                        "NXM_OF_ARP_TPA", ARP, 0, 0, OFF_FMT_IPV4, NX0, 17, "OXM_OF_ARP_TPA"),
                      BYTES(PKT(ipv4_dst), G_NW_DST) },
    [OFF_ARP_SHA] = { D(OFF_ARP_SHA, "arp_sha", NULL, 6, 48, true, true, BASIC, 24,
                        "NXM_NX_ARP_SHA", ARP, 0, 0, OFF_FMT_MAC, NX1, 17, "OXM_OF_ARP_SHA"),
                      BYTES(PKT(arp_sha), G_SHA) },
    [OFF_ARP_THA] = { D(OFF_ARP_THA, "arp_tha", NULL, 6, 48, true, true, BASIC, 25,
                        "NXM_NX_ARP_THA", ARP, 0, 0, OFF_FMT_MAC, NX1, 18, "OXM_OF_ARP_THA"),
                      BYTES(PKT(arp_tha), G_THA) },
    [OFF_TCP_SRC] = { D(OFF_TCP_SRC, "tp_src", "tcp_src", 2, 16, true, true, BASIC, 13,
                        "NXM_OF_TCP_SRC", IP4, IP6, 6, OFF_FMT_DEC, NX0, 9, "OXM_OF_TCP_SRC"),
                      UINT(PKT(tp_src), 2, 0, 0xffff, G_TP_SRC) },
    [OFF_TCP_DST] = { D(OFF_TCP_DST, "tp_dst", "tcp_dst", 2, 16, true, true, BASIC, 14,
                        "NXM_OF_TCP_DST", IP4, IP6, 6, OFF_FMT_DEC, NX0, 10, "OXM_OF_TCP_DST"),
                      UINT(PKT(tp_dst), 2, 0, 0xffff, G_TP_DST) },
    [OFF_UDP_SRC] = { D(OFF_UDP_SRC, "tp_src", "udp_src", 2, 16, true, true, BASIC, 15,
                        "NXM_OF_UDP_SRC", IP4, IP6, 17, OFF_FMT_DEC, NX0, 11, "OXM_OF_UDP_SRC"),
                      UINT(PKT(tp_src), 2, 0, 0xffff, G_TP_SRC) },
    [OFF_UDP_DST] = { D(OFF_UDP_DST, "tp_dst", "udp_dst", 2, 16, true, true, BASIC, 16,
                        "NXM_OF_UDP_DST", IP4, IP6, 17, OFF_FMT_DEC, NX0, 12, "OXM_OF_UDP_DST"),
                      UINT(PKT(tp_dst), 2, 0, 0xffff, G_TP_DST) },
    [OFF_SCTP_SRC] = { D(OFF_SCTP_SRC, "tp_src", "sctp_src", 2, 16, true, true, BASIC, 17,
                         "OXM_OF_SCTP_SRC", IP4, IP6, 132, OFF_FMT_DEC, BASIC, 17,
                         "OXM_OF_SCTP_SRC"),
                       UINT(PKT(tp_src), 2, 0, 0xffff, G_TP_SRC) },
    [OFF_SCTP_DST] = { D(OFF_SCTP_DST, "tp_dst", "sctp_dst", 2, 16, true, true, BASIC, 18,
                         "OXM_OF_SCTP_DST", IP4, IP6, 132, OFF_FMT_DEC, BASIC, 18,
                         "OXM_OF_SCTP_DST"),
                       UINT(PKT(tp_dst), 2, 0, 0xffff, G_TP_DST) },
    [OFF_TCP_FLAGS] = { D(OFF_TCP_FLAGS, "tcp_flags", NULL, 2, 12, true, false, NX1, 34,
                          "NXM_NX_TCP_FLAGS", IP4, IP6, 6, OFF_FMT_HEX, NX1, 34, NULL),
                        UINT(PKT(tcp_flags), 2, 0, 0x0fff, G_NONE) },
    /* ICMP and ND fields are matchable only: the datapath (kernel and
     * userspace alike) has no set action for them, so a rewrite would be
     * accepted and never done. */
    [OFF_ICMPV4_TYPE] = { D(OFF_ICMPV4_TYPE, "icmp_type", "icmpv4_type", 1, 8, false,false,
                            BASIC, 19, "NXM_OF_ICMP_TYPE", IP4, 0, 1, OFF_FMT_DEC, NX0, 13,
                            "OXM_OF_ICMPV4_TYPE"),
                          UINT(PKT(tp_src), 2, 0, 0xff, G_TP_SRC) },
    [OFF_ICMPV4_CODE] = { D(OFF_ICMPV4_CODE, "icmp_code", "icmpv4_code", 1, 8, false,false,
                            BASIC, 20, "NXM_OF_ICMP_CODE", IP4, 0, 1, OFF_FMT_DEC, NX0, 14,
                            "OXM_OF_ICMPV4_CODE"),
                          UINT(PKT(tp_dst), 2, 0, 0xff, G_TP_DST) },
    [OFF_ICMPV6_TYPE] = { D(OFF_ICMPV6_TYPE, "icmp_type", "icmpv6_type", 1, 8, false,false,
                            BASIC, 29, "NXM_NX_ICMPV6_TYPE", IP6, 0, 58, OFF_FMT_DEC, NX1, 21,
                            "OXM_OF_ICMPV6_TYPE"),
                          UINT(PKT(tp_src), 2, 0, 0xff, G_TP_SRC) },
    [OFF_ICMPV6_CODE] = { D(OFF_ICMPV6_CODE, "icmp_code", "icmpv6_code", 1, 8, false,false,
                            BASIC, 30, "NXM_NX_ICMPV6_CODE", IP6, 0, 58, OFF_FMT_DEC, NX1, 22,
                            "OXM_OF_ICMPV6_CODE"),
                          UINT(PKT(tp_dst), 2, 0, 0xff, G_TP_DST) },
    [OFF_ND_TARGET] = { D(OFF_ND_TARGET, "nd_target", NULL, 16, 128, true,false, BASIC, 31,
                          "NXM_NX_ND_TARGET", IP6, 0, 58, OFF_FMT_IPV6, NX1, 23,
                          "OXM_OF_IPV6_ND_TARGET"),
                        BYTES(PKT(nd_target), G_NONE) },
    [OFF_ND_SLL] = { D(OFF_ND_SLL, "nd_sll", NULL, 6, 48, true,false, BASIC, 32,
                       "NXM_NX_ND_SLL", IP6, 0, 58, OFF_FMT_MAC, NX1, 24, "OXM_OF_IPV6_ND_SLL"),
                     BYTES(PKT(arp_sha), G_SHA) },
    [OFF_ND_TLL] = { D(OFF_ND_TLL, "nd_tll", NULL, 6, 48, true,false, BASIC, 33,
                       "NXM_NX_ND_TLL", IP6, 0, 58, OFF_FMT_MAC, NX1, 25, "OXM_OF_IPV6_ND_TLL"),
                     BYTES(PKT(arp_tha), G_THA) },
};

static const struct of_field_impl *
impl(const struct of_field_desc *f)
{
    return CONTAINER_OF(f, struct of_field_impl, desc);
}

const struct of_field_desc *
of_field_by_id(enum of_field_id id)
{
    return (unsigned int) id < OFF_N_FIELDS ? &fields[id].desc : NULL;
}

int
of_field_tun_metadata_index(const struct of_field_desc *f)
{
    return (f && f->id >= OFF_TUN_METADATA0 && f->id <= OFF_TUN_METADATA7
            ? (int) (f->id - OFF_TUN_METADATA0) : -1);
}

/* ---- Indexes ----------------------------------------------------------------
 *
 * Parsing a flow looks up every word of it by name, and decoding one looks
 * up every OXM by code: a walk of the whole table each time was most of
 * the time of parsing and decoding 100,000 flows. So the table is indexed
 * once, on first use:
 *
 *   - by name: a small open-addressing hash of every name with the fields
 *     it names, in table order. ovs-ofctl names and alternative names
 *     match exactly, NXM and OXM names in any case (so they are kept
 *     lowercased, apart from the exact ones);
 *   - by OXM/NXM code, for the three classes in use;
 *   - the members of each storage group. */

#define NAME_INDEX_SIZE 512             /* Power of 2, over twice the names. */
#define NAME_MAX_FIELDS 4               /* Fields one name can stand for. */
#define NAME_MAX_LEN 32                 /* Longer names are in no table. */

struct name_slot {
    char key[NAME_MAX_LEN];             /* "" for a free slot. */
    bool nocase;                        /* An NXM/OXM name, lowercased. */
    uint8_t n;                          /* Fields in 'ids'. */
    uint8_t ids[NAME_MAX_FIELDS];       /* Ascending. */
};

struct field_index {
    struct name_slot names[NAME_INDEX_SIZE];
    uint8_t by_code[3][128];            /* Field id + 1 by class, code. */
    uint8_t group_ids[32][8];           /* Members of each group, in order. */
    uint8_t group_n[32];
};

static struct field_index field_index;
static pthread_once_t field_index_once = PTHREAD_ONCE_INIT;

static uint32_t
name_hash(const char *key, bool nocase)
{
    uint32_t h = nocase ? 0x9e3779b9u : 0;

    for (const unsigned char *p = (const unsigned char *) key; *p; p++) {
        h = (h ^ *p) * 0x01000193u;
    }
    return h ^ (h >> 15);
}

/* The slot of 'key' (already lowercased if 'nocase'), or the free slot
 * where it would go. */
static struct name_slot *
name_slot_find(const char *key, bool nocase)
{
    struct field_index *fi = &field_index;

    for (uint32_t i = name_hash(key, nocase);; i++) {
        struct name_slot *slot = &fi->names[i & (NAME_INDEX_SIZE - 1)];

        if (!slot->key[0] || (slot->nocase == nocase && !strcmp(slot->key, key))) {
            return slot;
        }
    }
}

/* Copies 'name' into 'key' (lowercased if 'nocase'); false if too long. */
static bool
name_key(const char *name, bool nocase, char key[NAME_MAX_LEN])
{
    size_t i;

    for (i = 0; name[i]; i++) {
        if (i + 1 >= NAME_MAX_LEN) {
            return false;
        }
        key[i] = nocase && name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i];
    }
    key[i] = '\0';
    return true;
}

static void
name_index_add(const char *name, bool nocase, uint8_t id)
{
    char key[NAME_MAX_LEN];
    struct name_slot *slot;

    if (!name) {
        return;
    } else if (!name_key(name, nocase, key)) {
        sy_fatal("of-fields: field name %s longer than %d", name, NAME_MAX_LEN - 1);
    }
    slot = name_slot_find(key, nocase);
    if (!slot->key[0]) {
        memcpy(slot->key, key, sizeof key);
        slot->nocase = nocase;
    }
    if (slot->n && slot->ids[slot->n - 1] == id) {
        return;                     /* Its NXM and OXM names are one. */
    }
    if (slot->n < NAME_MAX_FIELDS) {
        slot->ids[slot->n++] = id;
    } else {
        sy_fatal("of-fields: more than %d fields named %s", NAME_MAX_FIELDS, name);
    }
}

static int
code_class_index(uint16_t oxm_class)
{
    return (oxm_class == OFP_OXM_CLASS_BASIC ? 0 : oxm_class == OFP_OXM_CLASS_NXM0 ? 1
            : oxm_class == OFP_OXM_CLASS_NXM1 ? 2 : -1);
}

static void
code_index_add(uint16_t oxm_class, uint8_t code, uint8_t id)
{
    int c = code_class_index(oxm_class);

    /* The first table entry wins for shared codes. */
    if (c >= 0 && code < 128 && !field_index.by_code[c][code]) {
        field_index.by_code[c][code] = id + 1;
    }
}

static void
field_index_build(void)
{
    struct field_index *fi = &field_index;

    for (uint8_t id = 0; id < OFF_N_FIELDS; id++) {
        const struct of_field_desc *f = &fields[id].desc;
        unsigned int group = fields[id].group;

        name_index_add(f->name, false, id);
        name_index_add(f->alt_name, false, id);
        name_index_add(f->nxm_name, true, id);
        name_index_add(f->oxm_name, true, id);
        code_index_add(f->oxm_class, f->oxm_field, id);
        code_index_add(f->nxm_class, f->nxm_field, id);
        if (group) {
            if (group >= ARRAY_SIZE(fi->group_n) || fi->group_n[group] >= 8) {
                sy_fatal("of-fields: storage group %u too large", group);
            }
            fi->group_ids[group][fi->group_n[group]++] = id;
        }
    }
}

static const struct field_index *
index_get(void)
{
    pthread_once(&field_index_once, field_index_build);
    return &field_index;
}

/* The fields that 'name' names, in table order (the first is the one
 * of_field_by_name() gives); returns how many, at most 'max'. */
static size_t
fields_by_name(const char *name, const struct of_field_desc **out, size_t max)
{
    const struct name_slot *exact = NULL, *nocase = NULL;
    char key[NAME_MAX_LEN];
    size_t n = 0, i = 0, k = 0;

    index_get();
    if (name_key(name, false, key)) {
        exact = name_slot_find(key, false);
        name_key(name, true, key);
        nocase = name_slot_find(key, true);
    }
    /* Merge the two id lists, both ascending, without duplicates. */
    while (n < max) {
        int a = exact && i < exact->n ? exact->ids[i] : -1;
        int b = nocase && k < nocase->n ? nocase->ids[k] : -1;
        int id = a < 0 ? b : b < 0 ? a : MIN(a, b);

        if (id < 0) {
            break;
        }
        i += a == id;
        k += b == id;
        out[n++] = &fields[id].desc;
    }
    return n;
}

const struct of_field_desc *
of_field_by_name(const char *name)
{
    const struct of_field_desc *f;

    return fields_by_name(name, &f, 1) ? f : NULL;
}

size_t
of_fields_by_name(const char *name, const struct of_field_desc **out, size_t max)
{
    return fields_by_name(name, out, max);
}

/* Matches both the preferred (OXM) code and the NXM code, so that a decoder
 * accepts NXM_OF_ETH_SRC and OXM_OF_ETH_SRC alike. The first table entry
 * wins for shared codes, which is the one whose prerequisites OpenFlow 1.0
 * and NXM assumed (TCP for NXM_OF_TCP_*: each has its own code anyway). */
const struct of_field_desc *
of_field_by_oxm(uint16_t oxm_class, uint8_t oxm_field)
{
    const struct field_index *fi = index_get();
    int c = code_class_index(oxm_class);
    unsigned int id;

    if (c < 0 || oxm_field >= 128) {
        return NULL;
    }
    id = fi->by_code[c][oxm_field];
    return id ? &fields[id - 1].desc : NULL;
}

/* ---- Value conversion ----------------------------------------------------- */

static uint64_t
load_uint(const void *p, unsigned int size)
{
    switch (size) {
    case 1: return *(const uint8_t *) p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static void
store_uint(void *p, unsigned int size, uint64_t value)
{
    switch (size) {
    case 1: *(uint8_t *) p = value; break;
    case 2: { uint16_t v = value; memcpy(p, &v, 2); break; }
    case 4: { uint32_t v = value; memcpy(p, &v, 4); break; }
    default: memcpy(p, &value, 8); break;
    }
}

static uint64_t
wire_to_u64(const union of_value *v, unsigned int n_bytes)
{
    uint64_t x = 0;

    for (unsigned int i = 0; i < n_bytes && i < 8; i++) {
        x = (x << 8) | v->u8[i];
    }
    return x;
}

static void
u64_to_wire(union of_value *v, unsigned int n_bytes, uint64_t x)
{
    memset(v, 0, sizeof *v);
    for (unsigned int i = n_bytes; i-- > 0; x >>= 8) {
        v->u8[i] = x;
    }
}

void
of_field_get(const struct of_field_desc *f, const struct of_fields *flds,
             union of_value *value)
{
    const struct of_field_impl *fi = impl(f);
    const uint8_t *p = (const uint8_t *) flds + fi->offset;

    if (fi->kind == OFS_BYTES) {
        memset(value, 0, sizeof *value);
        memcpy(value->u8, p, f->n_bytes);
    } else {
        u64_to_wire(value, f->n_bytes, (load_uint(p, fi->size) >> fi->shift) & fi->bits);
    }
}

void
of_field_set(const struct of_field_desc *f, struct of_fields *flds,
             const union of_value *value, const union of_value *mask)
{
    const struct of_field_impl *fi = impl(f);
    uint8_t *p = (uint8_t *) flds + fi->offset;

    if (fi->kind == OFS_BYTES) {
        for (unsigned int i = 0; i < f->n_bytes; i++) {
            uint8_t m = mask ? mask->u8[i] : 0xff;

            p[i] = (p[i] & ~m) | (value->u8[i] & m);
        }
        if (of_field_tun_metadata_index(f) >= 0) {
            flds->pkt.tun_md_present |= 1u << of_field_tun_metadata_index(f);
        }
    } else {
        uint64_t v = wire_to_u64(value, f->n_bytes);
        uint64_t m = (mask ? wire_to_u64(mask, f->n_bytes) : UINT64_MAX) & fi->bits;
        uint64_t old = load_uint(p, fi->size);

        old = (old & ~(m << fi->shift)) | ((v & m) << fi->shift);
        store_uint(p, fi->size, old);
    }
}

void
of_field_exact_mask(const struct of_field_desc *f, union of_value *mask)
{
    const struct of_field_impl *fi = impl(f);

    if (fi->kind == OFS_BYTES) {
        memset(mask, 0, sizeof *mask);
        memset(mask->u8, 0xff, f->n_bytes);
    } else {
        u64_to_wire(mask, f->n_bytes, fi->bits);
    }
}

bool
of_value_is_zero(const struct of_field_desc *f, const union of_value *v)
{
    for (unsigned int i = 0; i < f->n_bytes; i++) {
        if (v->u8[i]) {
            return false;
        }
    }
    return true;
}

bool
of_field_same_storage(const struct of_field_desc *a, const struct of_field_desc *b)
{
    return a == b || (impl(a)->group && impl(a)->group == impl(b)->group);
}

unsigned int
of_field_group(const struct of_field_desc *f)
{
    return impl(f)->group;
}

/* Whether the field has a 1-bit in 'flds', read in place: the same answer
 * as of_value_is_zero() of of_field_get(), without building the value. */
static bool
field_is_set(const struct of_field_impl *fi, const struct of_fields *flds)
{
    const uint8_t *p = (const uint8_t *) flds + fi->offset;
    uint64_t x;

    if (fi->kind == OFS_BYTES) {
        for (unsigned int i = 0; i < fi->desc.n_bytes; i++) {
            if (p[i]) {
                return true;
            }
        }
        return false;
    }
    x = (load_uint(p, fi->size) >> fi->shift) & fi->bits;
    return fi->desc.n_bytes < 8 ? (x & ((UINT64_C(1) << (fi->desc.n_bytes * 8)) - 1)) != 0
                                : x != 0;
}

bool
of_field_is_set(const struct of_field_desc *f, const struct of_fields *flds)
{
    return field_is_set(impl(f), flds);
}

void
of_fields_present(const struct of_fields *flds, struct of_field_set *present)
{
    const uint64_t *w = (const uint64_t *) (const void *) flds;

    memset(present, 0, sizeof *present);

    for (size_t i = 0; i < OFF_N_FIELDS; i++) {
        const struct of_field_impl *fi = &fields[i];
        uint64_t word = w[fi->offset / 8];

        /* Most words of a mask are zero: a field that lies within one
         * zero word is skipped without looking closer. Integers are
         * aligned; byte strings (addresses) may run into the next words,
         * and then field_is_set() reads them whole. */
        if ((word || fi->offset % 8u + fi->desc.n_bytes > 8) && field_is_set(fi, flds)) {
            present->words[i / 64] |= UINT64_C(1) << (i % 64);
        }
    }
}

/* ---- Prerequisites -------------------------------------------------------- */

/* Reads the match's exactly matched eth_type/ip_proto, or -1 if not exact. */
static int
exact_u16(uint64_t value, uint64_t mask, uint64_t all)
{
    return mask == all ? (int) value : -1;
}

bool
of_field_prereqs_ok(const struct of_field_desc *f, const struct ofmatch *m)
{
    if (f->prereq_eth_type) {
        int eth = exact_u16(m->value.pkt.eth_type, m->mask.pkt.eth_type, 0xffff);

        if (eth != f->prereq_eth_type && (!f->prereq_eth_type2 || eth != f->prereq_eth_type2)) {
            return false;
        }
    }
    if (f->prereq_ip_proto) {
        int proto = exact_u16(m->value.pkt.nw_proto, m->mask.pkt.nw_proto, 0xff);

        if (proto != f->prereq_ip_proto) {
            return false;
        }
    }
    return true;
}

const struct of_field_desc *
ofmatch_field_alias(const struct ofmatch *m, const struct of_field_desc *f)
{
    unsigned int group = impl(f)->group;
    const struct field_index *fi;

    if (of_field_prereqs_ok(f, m)) {
        return f;
    } else if (!group) {
        return NULL;
    }
    fi = index_get();
    for (size_t i = 0; i < fi->group_n[group]; i++) {
        const struct of_field_desc *alias = &fields[fi->group_ids[group][i]].desc;

        if (of_field_prereqs_ok(alias, m)) {
            return alias;
        }
    }
    return NULL;
}
