/* ofpact: OpenFlow actions and instructions in one decoded form, whatever
 * protocol version or text syntax they came from. A rule's instructions are
 * an ofpact list: apply-actions are plain actions, and the instructions are
 * the OFPACT_GOTO_TABLE, OFPACT_WRITE_METADATA, OFPACT_CLEAR_ACTIONS and
 * OFPACT_WRITE_ACTIONS entries (the latter owns a nested list). Nicira
 * extensions that ovs-ofctl users rely on (resubmit, load, move, dec_ttl
 * with OF1.0) are here too.
 *
 * Groups and meters are representable so that they can be decoded and
 * refused with the proper OpenFlow error until the switch has them. */
#ifndef SY_OFPACT_H
#define SY_OFPACT_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ofmatch.h"

enum ofpact_type {
    OFPACT_OUTPUT,                  /* output:PORT (also in_port, normal,
                                     * flood, all, local via reserved ports). */
    OFPACT_CONTROLLER,              /* controller(max_len=N,reason=...). */
    OFPACT_SET_VLAN_VID,            /* mod_vlan_vid: set VID, push if untagged. */
    OFPACT_SET_VLAN_PCP,            /* mod_vlan_pcp: set PCP, push if untagged. */
    OFPACT_STRIP_VLAN,              /* strip_vlan / pop_vlan. */
    OFPACT_PUSH_VLAN,               /* push_vlan:TPID. */
    OFPACT_SET_FIELD,               /* set_field, load, mod_dl_src, mod_nw_dst... */
    OFPACT_REG_MOVE,                /* move:SRC[a..b]->DST[c..d]. */
    OFPACT_DEC_TTL,                 /* dec_ttl. */
    OFPACT_RESUBMIT,                /* resubmit(PORT,TABLE). */
    OFPACT_GROUP,                   /* group:N (refused until groups exist). */
    OFPACT_METER,                   /* meter:N (refused until meters exist). */
    /* Instructions. */
    OFPACT_GOTO_TABLE,              /* goto_table:N. */
    OFPACT_WRITE_METADATA,          /* write_metadata:VALUE[/MASK]. */
    OFPACT_CLEAR_ACTIONS,           /* clear_actions. */
    OFPACT_WRITE_ACTIONS,           /* write_actions(...). */
};

struct ofpacts;

struct ofpact {
    enum ofpact_type type;
    union {
        struct {
            uint32_t port;          /* OFPP13_* or a port number. */
            uint16_t max_len;       /* For OFPP13_CONTROLLER. */
        } output;
        struct {
            uint16_t max_len;       /* Bytes of packet to send, 0xffff = all. */
            uint8_t reason;         /* OFPR_* (action or no-match). */
        } controller;
        uint16_t vlan_vid;          /* OFPACT_SET_VLAN_VID. */
        uint8_t vlan_pcp;           /* OFPACT_SET_VLAN_PCP. */
        uint16_t push_vlan_tpid;    /* OFPACT_PUSH_VLAN (0x8100 or 0x88a8). */
        struct {
            enum of_field_id field;
            union of_value value;   /* Wire form, already masked. */
            union of_value mask;    /* of_field_exact_mask() for a full set_field. */
        } set_field;
        struct {
            enum of_field_id src, dst;
            uint16_t src_ofs, dst_ofs; /* Bit offsets, bit 0 = LSB. */
            uint16_t n_bits;
        } reg_move;
        struct {
            uint32_t in_port;       /* OFPP13_IN_PORT = keep the packet's. */
            uint8_t table;          /* 255 = the current table. */
        } resubmit;
        uint32_t group_id;          /* OFPACT_GROUP. */
        uint32_t meter_id;          /* OFPACT_METER. */
        uint8_t goto_table;         /* OFPACT_GOTO_TABLE. */
        struct {
            uint64_t value, mask;
        } metadata;                 /* OFPACT_WRITE_METADATA. */
        struct ofpacts *nested;     /* OFPACT_WRITE_ACTIONS (owned). */
    };
};

struct ofpacts {
    struct ofpact *acts;
    size_t n;
    size_t allocated;
};

#define OFPACTS_INITIALIZER { NULL, 0, 0 }

void ofpacts_init(struct ofpacts *);
void ofpacts_uninit(struct ofpacts *);          /* Frees nested lists too. */
void ofpacts_clone(struct ofpacts *dst, const struct ofpacts *src);
struct ofpact *ofpacts_put(struct ofpacts *, enum ofpact_type);
bool ofpacts_equal(const struct ofpacts *, const struct ofpacts *);
/* True if some action outputs to 'port' (for out_port filters). */
bool ofpacts_output_to(const struct ofpacts *, uint32_t port);

#endif
