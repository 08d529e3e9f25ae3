/* ofmatch: what an OpenFlow pipeline matches on and writes to.
 *
 * struct of_fields is the packet's datapath flow key plus the pipeline's own
 * metadata and registers. In it, pkt.in_port is the OpenFlow port number
 * (OFPP_LOCAL for the bridge's own port), not the datapath's; flowd maps
 * between the two when it builds the fields of a packet.
 *
 * A match is a value and a mask of that same struct; the value is always
 * stored already masked. Like flowkey, of_fields has no implicit padding and
 * a size that is a multiple of 8, so the pipeline's classifier works on it
 * as uint64_t words.
 *
 * Fields are described by the table in of-fields.c (struct of_field_desc):
 * names as ovs-ofctl spells them, OXM/NXM codes, where they live in
 * of_fields, and their prerequisites. Everything that parses, prints,
 * encodes, decodes, matches or sets a field goes through that table. */
#ifndef SY_OFMATCH_H
#define SY_OFMATCH_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "flowkey.h"

#define OF_N_REGS 16

struct of_fields {
    struct flowkey pkt;             /* Packet fields; in_port is an ofport. */
    uint64_t metadata;              /* OpenFlow metadata (write_metadata). */
    uint32_t regs[OF_N_REGS];       /* reg0..reg15 (Nicira extension). */
};

_Static_assert(sizeof(struct of_fields) % 8 == 0, "of_fields must be a multiple of 8 bytes");
#define OF_FIELDS_U64S (sizeof(struct of_fields) / 8)

struct ofmatch {
    struct of_fields value;         /* Always value & mask. */
    struct of_fields mask;          /* 1-bits are matched. */
};

/* OpenFlow 1.3 port numbers (OpenFlow 1.0's 16-bit ones are mapped to
 * these on decode and back on encode). */
#define OFPP13_MAX        0xffffff00u
#define OFPP13_IN_PORT    0xfffffff8u
#define OFPP13_TABLE      0xfffffff9u
#define OFPP13_NORMAL     0xfffffffau
#define OFPP13_FLOOD      0xfffffffbu
#define OFPP13_ALL        0xfffffffcu
#define OFPP13_CONTROLLER 0xfffffffdu
#define OFPP13_LOCAL      0xfffffffeu
#define OFPP13_ANY        0xffffffffu

/* Every field a match can name. Order is free; of-fields.c describes each. */
enum of_field_id {
    OFF_IN_PORT, OFF_METADATA,
    OFF_REG0, OFF_REG1, OFF_REG2, OFF_REG3, OFF_REG4, OFF_REG5, OFF_REG6, OFF_REG7,
    OFF_REG8, OFF_REG9, OFF_REG10, OFF_REG11, OFF_REG12, OFF_REG13, OFF_REG14, OFF_REG15,
    OFF_TUN_ID, OFF_TUN_SRC, OFF_TUN_DST,
    OFF_TUN_METADATA0, OFF_TUN_METADATA1, OFF_TUN_METADATA2, OFF_TUN_METADATA3,
    OFF_TUN_METADATA4, OFF_TUN_METADATA5, OFF_TUN_METADATA6, OFF_TUN_METADATA7,
    OFF_ETH_SRC, OFF_ETH_DST, OFF_ETH_TYPE,
    OFF_VLAN_TCI,                   /* OVS's vlan_tci: PCP | present | VID. */
    OFF_VLAN_VID,                   /* OXM VLAN_VID: present bit | VID. */
    OFF_VLAN_PCP,
    OFF_IP_PROTO, OFF_IP_DSCP, OFF_IP_ECN, OFF_NW_TOS, OFF_NW_TTL, OFF_IP_FRAG,
    OFF_IPV4_SRC, OFF_IPV4_DST,
    OFF_IPV6_SRC, OFF_IPV6_DST, OFF_IPV6_LABEL,
    OFF_ARP_OP, OFF_ARP_SPA, OFF_ARP_TPA, OFF_ARP_SHA, OFF_ARP_THA,
    OFF_TCP_SRC, OFF_TCP_DST, OFF_UDP_SRC, OFF_UDP_DST, OFF_SCTP_SRC, OFF_SCTP_DST,
    OFF_TCP_FLAGS,
    OFF_ICMPV4_TYPE, OFF_ICMPV4_CODE, OFF_ICMPV6_TYPE, OFF_ICMPV6_CODE,
    OFF_ND_TARGET, OFF_ND_SLL, OFF_ND_TLL,
    OFF_N_FIELDS
};

/* A field's value or mask as bytes in its big-endian (wire) form, whatever
 * order of_fields stores it in; at most 16 bytes (IPv6 addresses). */
union of_value {
    uint8_t u8[16];
    uint16_t be16[8];
    uint32_t be32[4];
    uint64_t be64[2];
};

/* How a field's value is written in flow text. */
enum of_field_format {
    OFF_FMT_DEC,                    /* 80, masks in hex: 0x50/0xfff0. */
    OFF_FMT_HEX,                    /* 0x0800. */
    OFF_FMT_MAC,                    /* 50:54:00:00:00:01[/ff:ff:ff:00:00:00]. */
    OFF_FMT_IPV4,                   /* 10.0.0.0/24 or 10.0.0.0/255.255.255.0. */
    OFF_FMT_IPV6,                   /* 2001:db8::/32. */
    OFF_FMT_FRAG,                   /* no, yes, first, later, not_later. */
    OFF_FMT_PORT,                   /* An OpenFlow port: 3, LOCAL, CONTROLLER. */
};

struct of_field_desc {
    enum of_field_id id;
    const char *name;               /* ovs-ofctl name ("dl_src"). */
    const char *alt_name;           /* Other accepted name ("eth_src"), or NULL. */
    unsigned int n_bytes;           /* Width on the wire. */
    unsigned int n_bits;            /* Significant bits (e.g. 12 for a VID). */
    bool maskable;                  /* OpenFlow allows a mask. */
    bool writable;                  /* set_field/load may write it. */
    uint16_t oxm_class;             /* 0x8000 (OpenFlow basic), 0x0000/0x0001
                                     * (Nicira NXM), 0 if none. */
    uint8_t oxm_field;              /* Field number within the class. */
    const char *nxm_name;           /* "NXM_OF_ETH_SRC", for load/move syntax. */
    /* Prerequisites: the field is only meaningful when these match. */
    uint16_t prereq_eth_type;       /* 0 = none; else required eth_type. */
    uint16_t prereq_eth_type2;      /* Alternative eth_type (IPv4 or IPv6). */
    uint8_t prereq_ip_proto;        /* 0 = none; else required ip proto. */
    /* Added for the codec and the text syntax. */
    enum of_field_format format;    /* How flow text writes the value. */
    uint16_t nxm_class;             /* Code in Nicira actions (load, move) and
                                     * NXM: the NXM code where one exists,
                                     * else the OXM one. */
    uint8_t nxm_field;
    const char *oxm_name;           /* "OXM_OF_ETH_SRC", or NULL. */
};

/* OXM/NXM classes. */
#define OFP_OXM_CLASS_NXM0  0x0000
#define OFP_OXM_CLASS_NXM1  0x0001
#define OFP_OXM_CLASS_BASIC 0x8000

const struct of_field_desc *of_field_by_id(enum of_field_id);
/* N for tun_metadataN (Geneve options, tun-metadata.h), else -1. */
int of_field_tun_metadata_index(const struct of_field_desc *);
/* By ovs-ofctl name, alternative name or NXM/OXM name ("NXM_OF_ETH_SRC",
 * "OXM_OF_ETH_SRC"); NULL if unknown. */
const struct of_field_desc *of_field_by_name(const char *);
/* Every field that 'name' names (tp_dst: tcp_dst, udp_dst, sctp_dst), in
 * table order, at most 'max'; returns how many. */
size_t of_fields_by_name(const char *name, const struct of_field_desc **, size_t max);
const struct of_field_desc *of_field_by_oxm(uint16_t oxm_class, uint8_t oxm_field);

/* The mask that matches every significant bit of the field exactly. */
void of_field_exact_mask(const struct of_field_desc *, union of_value *mask);
/* True if 'v' has no 1-bit in the field's first n_bytes. */
bool of_value_is_zero(const struct of_field_desc *, const union of_value *);
/* Two fields that share storage in of_fields (tcp_src and udp_src, nw_src
 * and arp_spa, vlan_tci and vlan_vid...) belong to one group. */
bool of_field_same_storage(const struct of_field_desc *, const struct of_field_desc *);
/* The storage group number shared by such fields; 0 for a field alone. */
unsigned int of_field_group(const struct of_field_desc *);
/* True if the field has a 1-bit in 'fields'. */
bool of_field_is_set(const struct of_field_desc *, const struct of_fields *);
/* A set of field ids, one bit each. */
#define OF_FIELD_SET_WORDS ((OFF_N_FIELDS + 63) / 64)
struct of_field_set {
    uint64_t words[OF_FIELD_SET_WORDS];
};

/* The fields with a 1-bit in 'fields' (a match's mask): what a codec or a
 * printer walks instead of every field. */
void of_fields_present(const struct of_fields *, struct of_field_set *);

/* The first field id in 's' at or after 'id', or OFF_N_FIELDS if none:
 *     for (id = of_field_set_next(&s, 0); id < OFF_N_FIELDS;
 *          id = of_field_set_next(&s, id + 1)) */
static inline int
of_field_set_next(const struct of_field_set *s, int id)
{
    for (int w = id / 64; w < (int) OF_FIELD_SET_WORDS; w++) {
        uint64_t bits = s->words[w] & (w == id / 64 ? UINT64_MAX << (id % 64) : UINT64_MAX);

        if (bits) {
            return w * 64 + __builtin_ctzll(bits);
        }
    }
    return OFF_N_FIELDS;
}
/* True if 'match' satisfies the field's prerequisites. */
bool of_field_prereqs_ok(const struct of_field_desc *, const struct ofmatch *);

/* Reads/writes a field of 'fields' as wire-form bytes. A write stores
 * (old & ~mask) | (value & mask); 'mask' NULL means all ones. Writing
 * tun_metadataN also sets its present bit (in a match's value and mask
 * alike: matching the field means "the option is there and ...").  */
void of_field_get(const struct of_field_desc *, const struct of_fields *, union of_value *);
void of_field_set(const struct of_field_desc *, struct of_fields *, const union of_value *value,
                  const union of_value *mask);

/* Match building: sets field 'id' to 'value' under 'mask' (NULL: exact). */
void ofmatch_init_catchall(struct ofmatch *);
void ofmatch_set(struct ofmatch *, const struct of_field_desc *, const union of_value *value,
                 const union of_value *mask);
void ofmatch_get(const struct ofmatch *, const struct of_field_desc *, union of_value *value,
                 union of_value *mask);
/* True if any bit of the field is matched. */
bool ofmatch_has(const struct ofmatch *, const struct of_field_desc *);

/* Do 'fields' satisfy 'match'? */
bool ofmatch_matches(const struct ofmatch *, const struct of_fields *);
/* Same value and mask. */
bool ofmatch_equal(const struct ofmatch *, const struct ofmatch *);
/* Is every packet 'narrow' matches also matched by 'wide'? (For
 * non-strict modify/delete.) */
bool ofmatch_is_subset(const struct ofmatch *narrow, const struct ofmatch *wide);
/* Could one packet match both? (For OFPFF_CHECK_OVERLAP.) */
bool ofmatch_overlaps(const struct ofmatch *, const struct ofmatch *);

/* Of the fields that share 'f''s storage (f itself, tcp_src/udp_src/
 * icmp_type, nw_src/arp_spa...), the first whose prerequisites 'match'
 * satisfies; NULL if none does. */
const struct of_field_desc *ofmatch_field_alias(const struct ofmatch *,
                                                const struct of_field_desc *f);

/* Checks that every matched field's prerequisites are matched too (e.g.
 * tp_dst needs ip_proto=6 or 17 and an IP eth_type). Returns 0 or EINVAL
 * with the field named in 'error'. */
int ofmatch_check_prereqs(const struct ofmatch *, struct buf *error);

#endif
