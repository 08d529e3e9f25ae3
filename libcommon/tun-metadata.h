/* tun-metadata: Geneve options (RFC 8926) as OpenFlow fields.
 *
 * A bridge's TLV map says which option (class, type, length) is field
 * tun_metadataN, the way Open vSwitch's NXT_TLV_TABLE_MOD and
 * "ovs-ofctl add-tlv-map" do. On receipt, the mapped options of a Geneve
 * packet become flow key fields (struct flowkey tun_metadata and
 * tun_md_present); on sending, the present fields become options again.
 * Options that are not mapped are ignored, unless critical: a receiver
 * must drop a packet with a critical option it does not understand.
 *
 * This subset keeps FLOWKEY_TUN_MD_FIELDS fields of at most
 * FLOWKEY_TUN_MD_SIZE bytes each, so that every field has a fixed place
 * in the flow key (tnl-header.c parses the option list itself). */
#ifndef SY_TUN_METADATA_H
#define SY_TUN_METADATA_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "flowkey.h"

#define TUN_MD_N_FIELDS FLOWKEY_TUN_MD_FIELDS
#define TUN_MD_MAX_LEN FLOWKEY_TUN_MD_SIZE
#define TUN_MD_CRITICAL 0x80        /* Option type bit: critical. */

/* One option, as a TLV map names it. */
struct tun_md_option {
    uint16_t opt_class;             /* Option class. */
    uint8_t opt_type;               /* Type, critical bit included. */
    uint8_t opt_len;                /* Value bytes: 0, 4 or 8. */
};

/* One line of a TLV map: option -> tun_metadata<index>. */
struct tun_md_mapping {
    struct tun_md_option option;
    uint16_t index;                 /* N of tun_metadataN. */
};

struct tun_md_map {
    uint8_t mapped;                 /* Bit N: options[N] is mapped. */
    struct tun_md_option options[TUN_MD_N_FIELDS]; /* By field index. */
};

/* Why a map change was refused (as NXTTMFC_* in Open vSwitch). */
enum tun_md_error {
    TUN_MD_OK,
    TUN_MD_BAD_LEN,                 /* Not a multiple of 4, or too long. */
    TUN_MD_BAD_INDEX,               /* No such tun_metadataN here. */
    TUN_MD_ALREADY_MAPPED,          /* Add: the field is mapped already. */
    TUN_MD_DUP_ENTRY,               /* Add: the option is mapped already. */
};

/* Parses "{class=0xffff,type=0x80,len=4}->tun_metadata0[,...]" into at
 * most 'max' mappings. Returns 0 or EINVAL with a message in 'error'. */
int tun_md_parse_mappings(const char *text, struct tun_md_mapping *out, size_t max,
                          size_t *n, struct buf *error);

/* Adds or deletes 'n' mappings, all or nothing; returns TUN_MD_OK or why
 * not, with a message in 'error' (may be NULL). A delete names fields by
 * index (as NXTTMC_DELETE does): one that is not mapped is ignored. */
enum tun_md_error tun_md_map_add(struct tun_md_map *, const struct tun_md_mapping *, size_t n,
                                 struct buf *error);
enum tun_md_error tun_md_map_del(struct tun_md_map *, const struct tun_md_mapping *, size_t n,
                                 struct buf *error);

/* "{class=0xffff,type=0x80,len=4}->tun_metadata0". */
void tun_md_format_mapping(const struct tun_md_mapping *, struct buf *);

/* Fills key->tun_metadata and key->tun_md_present from the option list
 * 'opts' ('size' bytes, already checked by tnl_geneve_opts_valid()).
 * Returns 0, or EINVAL when a critical option is not mapped (or not with
 * its length): the packet must be dropped. */
int tun_md_from_geneve(const struct tun_md_map *, const uint8_t *opts, size_t size,
                       struct flowkey *key);

/* Writes the options for the present mapped fields of 'key' into 'out'
 * (room for TUN_MD_N_FIELDS * (4 + TUN_MD_MAX_LEN) bytes); returns the
 * bytes written. Sets in 'wc' (may be NULL) the key bits that were read. */
size_t tun_md_to_geneve(const struct tun_md_map *, const struct flowkey *key,
                        struct flowkey *wc, uint8_t *out);
#define TUN_MD_GENEVE_MAX (TUN_MD_N_FIELDS * (4 + TUN_MD_MAX_LEN))

/* Walks a Geneve option list: true if every option's length fits inside
 * 'size' exactly (RFC 8926 3.5). */
bool tun_md_geneve_opts_valid(const uint8_t *opts, size_t size);

#endif
