/* ofp-msgs: the OpenFlow 1.0 and 1.3 wire codec.
 *
 * Every message decodes into one struct ofp_msg (a version-independent
 * form: 32-bit OpenFlow 1.3 port numbers, struct ofmatch, struct ofpacts)
 * and encodes back from it into either version. ofctl (the client) and
 * flowd (the switch) share it.
 *
 * ofp_decode() never reads past the bytes it is given and never crashes on
 * any input; on a bad message it returns the OpenFlow error (an OFPERR
 * value: type and code, in OpenFlow 1.3 numbering) that a switch must send
 * back, which ofp_error_to_wire() maps to the connection's version.
 * Decoding is permissive about what the switch may not support (groups,
 * meters): ofp_msg_check_supported() refuses those with the right error,
 * so a client can still decode and print them.
 *
 * Matches and actions have their own codecs below, used by the messages
 * and exposed for tests: OpenFlow 1.0 ofp_match with wildcards, OXM/NXM
 * TLVs, actions, instructions and the Nicira vendor actions (resubmit,
 * reg_load, reg_load2, reg_move, dec_ttl, write_metadata, controller). */
#ifndef SY_OFP_MSGS_H
#define SY_OFP_MSGS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ofmatch.h"
#include "ofpact.h"
#include "tun-metadata.h"

#define OFP10_VERSION 0x01
#define OFP13_VERSION 0x04
#define OFP14_VERSION 0x05

#define OFP_HEADER_SIZE 8
#define OFP_MAX_MSG_SIZE 65535
#define OFP_TCP_PORT 6653
#define OFP_NO_BUFFER 0xffffffffu
#define OFPG_ANY 0xffffffffu
#define OFPTT_ALL 0xff
#define OFP_DEFAULT_MISS_SEND_LEN 128
#define OFPCML_NO_BUFFER 0xffff

/* Version bitmap: bit V set = version V (wire number) allowed. */
#define OFP_VERSION_BIT(V) (1u << (V))
#define OFP_SUPPORTED_VERSIONS (OFP_VERSION_BIT(OFP10_VERSION) | OFP_VERSION_BIT(OFP13_VERSION))

/* ---- Errors ---------------------------------------------------------------- */

/* An OpenFlow error as one positive int, in OpenFlow 1.3 numbering; 0 means
 * no error. */
#define OFPERR(TYPE, CODE) (0x40000000 | ((TYPE) << 16) | (CODE))
#define OFPERR_TYPE(E) (((E) >> 16) & 0x3fff)
#define OFPERR_CODE(E) ((E) & 0xffff)

enum ofp_error_type {
    OFPET_HELLO_FAILED = 0, OFPET_BAD_REQUEST = 1, OFPET_BAD_ACTION = 2,
    OFPET_BAD_INSTRUCTION = 3, OFPET_BAD_MATCH = 4, OFPET_FLOW_MOD_FAILED = 5,
    OFPET_GROUP_MOD_FAILED = 6, OFPET_PORT_MOD_FAILED = 7, OFPET_TABLE_MOD_FAILED = 8,
    OFPET_QUEUE_OP_FAILED = 9, OFPET_SWITCH_CONFIG_FAILED = 10,
    OFPET_ROLE_REQUEST_FAILED = 11, OFPET_METER_MOD_FAILED = 12,
    OFPET_TABLE_FEATURES_FAILED = 13, OFPET_EXPERIMENTER = 0xffff,
};

#define OFPERR_HELLO_INCOMPATIBLE     OFPERR(OFPET_HELLO_FAILED, 0)
#define OFPERR_BAD_VERSION            OFPERR(OFPET_BAD_REQUEST, 0)
#define OFPERR_BAD_TYPE               OFPERR(OFPET_BAD_REQUEST, 1)
#define OFPERR_BAD_MULTIPART          OFPERR(OFPET_BAD_REQUEST, 2)
#define OFPERR_BAD_EXPERIMENTER       OFPERR(OFPET_BAD_REQUEST, 3)
#define OFPERR_BAD_EXP_TYPE           OFPERR(OFPET_BAD_REQUEST, 4)
#define OFPERR_BAD_REQUEST_EPERM      OFPERR(OFPET_BAD_REQUEST, 5)
#define OFPERR_BAD_LEN                OFPERR(OFPET_BAD_REQUEST, 6)
#define OFPERR_BUFFER_UNKNOWN         OFPERR(OFPET_BAD_REQUEST, 8)
#define OFPERR_BAD_TABLE_ID           OFPERR(OFPET_BAD_REQUEST, 9)
#define OFPERR_IS_SLAVE               OFPERR(OFPET_BAD_REQUEST, 10)
#define OFPERR_BAD_PORT               OFPERR(OFPET_BAD_REQUEST, 11)
#define OFPERR_BAD_PACKET             OFPERR(OFPET_BAD_REQUEST, 12)
#define OFPERR_BAD_ACTION_TYPE        OFPERR(OFPET_BAD_ACTION, 0)
#define OFPERR_BAD_ACTION_LEN         OFPERR(OFPET_BAD_ACTION, 1)
#define OFPERR_BAD_ACTION_EXPERIMENTER OFPERR(OFPET_BAD_ACTION, 2)
#define OFPERR_BAD_ACTION_EXP_TYPE    OFPERR(OFPET_BAD_ACTION, 3)
#define OFPERR_BAD_OUT_PORT           OFPERR(OFPET_BAD_ACTION, 4)
#define OFPERR_BAD_ACTION_ARGUMENT    OFPERR(OFPET_BAD_ACTION, 5)
#define OFPERR_BAD_OUT_GROUP          OFPERR(OFPET_BAD_ACTION, 9)
#define OFPERR_BAD_SET_TYPE           OFPERR(OFPET_BAD_ACTION, 13)
#define OFPERR_BAD_SET_LEN            OFPERR(OFPET_BAD_ACTION, 14)
#define OFPERR_BAD_SET_ARGUMENT       OFPERR(OFPET_BAD_ACTION, 15)
#define OFPERR_UNKNOWN_INST           OFPERR(OFPET_BAD_INSTRUCTION, 0)
#define OFPERR_UNSUP_INST             OFPERR(OFPET_BAD_INSTRUCTION, 1)
#define OFPERR_INST_BAD_TABLE_ID      OFPERR(OFPET_BAD_INSTRUCTION, 2)
#define OFPERR_INST_BAD_EXPERIMENTER  OFPERR(OFPET_BAD_INSTRUCTION, 5)
#define OFPERR_INST_BAD_LEN           OFPERR(OFPET_BAD_INSTRUCTION, 7)
#define OFPERR_BAD_MATCH_TYPE         OFPERR(OFPET_BAD_MATCH, 0)
#define OFPERR_BAD_MATCH_LEN          OFPERR(OFPET_BAD_MATCH, 1)
#define OFPERR_BAD_NW_ADDR_MASK       OFPERR(OFPET_BAD_MATCH, 4)
#define OFPERR_BAD_WILDCARDS          OFPERR(OFPET_BAD_MATCH, 5)
#define OFPERR_BAD_FIELD              OFPERR(OFPET_BAD_MATCH, 6)
#define OFPERR_BAD_VALUE              OFPERR(OFPET_BAD_MATCH, 7)
#define OFPERR_BAD_MASK               OFPERR(OFPET_BAD_MATCH, 8)
#define OFPERR_BAD_PREREQ             OFPERR(OFPET_BAD_MATCH, 9)
#define OFPERR_DUP_FIELD              OFPERR(OFPET_BAD_MATCH, 10)
#define OFPERR_FLOW_MOD_UNKNOWN       OFPERR(OFPET_FLOW_MOD_FAILED, 0)
#define OFPERR_TABLE_FULL             OFPERR(OFPET_FLOW_MOD_FAILED, 1)
#define OFPERR_FLOW_BAD_TABLE_ID      OFPERR(OFPET_FLOW_MOD_FAILED, 2)
#define OFPERR_OVERLAP                OFPERR(OFPET_FLOW_MOD_FAILED, 3)
#define OFPERR_FLOW_MOD_EPERM         OFPERR(OFPET_FLOW_MOD_FAILED, 4)
#define OFPERR_BAD_TIMEOUT            OFPERR(OFPET_FLOW_MOD_FAILED, 5)
#define OFPERR_BAD_COMMAND            OFPERR(OFPET_FLOW_MOD_FAILED, 6)
#define OFPERR_BAD_FLAGS              OFPERR(OFPET_FLOW_MOD_FAILED, 7)
#define OFPERR_PORT_MOD_BAD_PORT      OFPERR(OFPET_PORT_MOD_FAILED, 0)
#define OFPERR_PORT_MOD_BAD_HW_ADDR   OFPERR(OFPET_PORT_MOD_FAILED, 1)
#define OFPERR_TABLE_MOD_BAD_TABLE    OFPERR(OFPET_TABLE_MOD_FAILED, 0)
#define OFPERR_TABLE_MOD_BAD_CONFIG   OFPERR(OFPET_TABLE_MOD_FAILED, 1)
#define OFPERR_SWITCH_CONFIG_BAD_FLAGS OFPERR(OFPET_SWITCH_CONFIG_FAILED, 0)
#define OFPERR_ROLE_STALE             OFPERR(OFPET_ROLE_REQUEST_FAILED, 0)
#define OFPERR_ROLE_UNSUP             OFPERR(OFPET_ROLE_REQUEST_FAILED, 1)
#define OFPERR_BAD_ROLE               OFPERR(OFPET_ROLE_REQUEST_FAILED, 2)

/* "OFPET_BAD_MATCH" and "OFPBMC_BAD_FIELD" style names; a number when the
 * error is unknown. 'buf'-free: the returned strings are static, except
 * that unknown codes format into 'scratch'. */
const char *ofp_error_type_name(int type);
const char *ofp_error_code_name(int type, int code, char scratch[16]);
/* "OFPBMC_BAD_FIELD (OFPET_BAD_MATCH): a field is unknown or unsupported". */
void ofp_error_format(struct buf *, int ofperr);
/* Maps an OFPERR to/from the (type, code) on the wire of 'version'. */
void ofp_error_to_wire(uint8_t version, int ofperr, uint16_t *type, uint16_t *code);
int ofp_error_from_wire(uint8_t version, uint16_t type, uint16_t code);

/* ---- Messages -------------------------------------------------------------- */

/* Version-independent message kinds. */
enum ofptype {
    OFPTYPE_HELLO, OFPTYPE_ERROR, OFPTYPE_ECHO_REQUEST, OFPTYPE_ECHO_REPLY,
    OFPTYPE_FEATURES_REQUEST, OFPTYPE_FEATURES_REPLY,
    OFPTYPE_GET_CONFIG_REQUEST, OFPTYPE_GET_CONFIG_REPLY, OFPTYPE_SET_CONFIG,
    OFPTYPE_PACKET_IN, OFPTYPE_FLOW_REMOVED, OFPTYPE_PORT_STATUS,
    OFPTYPE_PACKET_OUT, OFPTYPE_FLOW_MOD, OFPTYPE_PORT_MOD, OFPTYPE_TABLE_MOD,
    OFPTYPE_BARRIER_REQUEST, OFPTYPE_BARRIER_REPLY,
    OFPTYPE_ROLE_REQUEST, OFPTYPE_ROLE_REPLY,
    OFPTYPE_GET_ASYNC_REQUEST, OFPTYPE_GET_ASYNC_REPLY, OFPTYPE_SET_ASYNC,
    /* Multipart (OpenFlow 1.0: stats) requests and replies. */
    OFPTYPE_DESC_REQUEST, OFPTYPE_DESC_REPLY,
    OFPTYPE_FLOW_STATS_REQUEST, OFPTYPE_FLOW_STATS_REPLY,
    OFPTYPE_AGGREGATE_REQUEST, OFPTYPE_AGGREGATE_REPLY,
    OFPTYPE_TABLE_STATS_REQUEST, OFPTYPE_TABLE_STATS_REPLY,
    OFPTYPE_PORT_STATS_REQUEST, OFPTYPE_PORT_STATS_REPLY,
    OFPTYPE_PORT_DESC_REQUEST, OFPTYPE_PORT_DESC_REPLY,
    /* Open vSwitch's Nicira extension messages (vendor 0x00002320). */
    OFPTYPE_NXT_FLOW_MOD_TABLE_ID,
    OFPTYPE_NXT_TLV_TABLE_MOD, OFPTYPE_NXT_TLV_TABLE_REQUEST, OFPTYPE_NXT_TLV_TABLE_REPLY,
    OFPTYPE_N_TYPES
};

const char *ofptype_name(enum ofptype);      /* "FLOW_MOD", "FLOW_STATS_REPLY". */

/* Flow mod commands and flags (OpenFlow 1.3 values). */
enum { OFPFC_ADD, OFPFC_MODIFY, OFPFC_MODIFY_STRICT, OFPFC_DELETE, OFPFC_DELETE_STRICT };
#define OFPFF_SEND_FLOW_REM 0x0001
#define OFPFF_CHECK_OVERLAP 0x0002
#define OFPFF_RESET_COUNTS  0x0004
#define OFPFF_NO_PKT_COUNTS 0x0008
#define OFPFF_NO_BYT_COUNTS 0x0010

/* Packet-in and flow-removed reasons, port-status reasons, roles. */
enum { OFPR_NO_MATCH, OFPR_ACTION, OFPR_INVALID_TTL };
enum { OFPRR_IDLE_TIMEOUT, OFPRR_HARD_TIMEOUT, OFPRR_DELETE, OFPRR_GROUP_DELETE };
enum { OFPPR_ADD, OFPPR_DELETE, OFPPR_MODIFY };
enum { OFPCR_ROLE_NOCHANGE, OFPCR_ROLE_EQUAL, OFPCR_ROLE_MASTER, OFPCR_ROLE_SLAVE };

/* Port config and state bits (the same in 1.0 and 1.3 for these). */
#define OFPPC_PORT_DOWN    0x01
#define OFPPC_NO_RECV      0x04
#define OFPPC_NO_FWD       0x20
#define OFPPC_NO_PACKET_IN 0x40
#define OFPPS_LINK_DOWN    0x01

/* Switch config flags. */
#define OFPC_FRAG_MASK     0x0003
/* OpenFlow 1.0 (as Open vSwitch's extension) to 1.2: send packets whose
 * TTL dec_ttl cannot decrement to the controller. Gone in 1.3, where
 * SET_ASYNC's packet-in mask (OFPR_INVALID_TTL) says the same. */
#define OFPC_INVALID_TTL_TO_CONTROLLER 0x0004

struct ofp_hello {
    uint32_t version_bitmap;    /* 0 if the peer sent no bitmap element. */
};

struct ofp_error_msg {
    int error;                  /* OFPERR value (0 if unknown on the wire). */
    uint16_t type, code;        /* As on the wire. */
    uint8_t *data;              /* Offending request or text (owned). */
    size_t size;
};

struct ofp_echo {
    uint8_t *data;              /* Owned; may be NULL. */
    size_t size;
};

struct ofp_port {
    uint32_t port_no;           /* OpenFlow 1.3 numbering. */
    uint8_t hw_addr[6];
    char name[16];              /* NUL-terminated. */
    uint32_t config;            /* OFPPC_*. */
    uint32_t state;             /* OFPPS_*. */
    uint32_t curr, advertised, supported, peer; /* OFPPF_* feature bits. */
    uint32_t curr_speed, max_speed;             /* kbps (1.3 only). */
};

struct ofp_features {
    uint64_t datapath_id;
    uint32_t n_buffers;
    uint8_t n_tables;
    uint8_t auxiliary_id;       /* 1.3. */
    uint32_t capabilities;
    uint32_t actions;           /* 1.0: supported action bitmap. */
    struct ofp_port *ports;     /* 1.0 only (1.3 uses PORT_DESC); owned. */
    size_t n_ports;
};

struct ofp_switch_config {
    uint16_t flags;             /* OFPC_*. */
    uint16_t miss_send_len;
};

struct ofp_packet_in {
    uint32_t buffer_id;
    uint16_t total_len;
    uint8_t reason;             /* OFPR_*. */
    uint8_t table_id;           /* 1.3. */
    uint64_t cookie;            /* 1.3. */
    struct ofmatch match;       /* in_port (1.0 too), metadata, tunnel... */
    uint8_t *data;              /* Owned. */
    size_t size;
};

struct ofp_flow_removed {
    uint64_t cookie;
    uint16_t priority;
    uint8_t reason;             /* OFPRR_*. */
    uint8_t table_id;
    uint32_t duration_sec, duration_nsec;
    uint16_t idle_timeout, hard_timeout;
    uint64_t packet_count, byte_count;
    struct ofmatch match;
};

struct ofp_port_status {
    uint8_t reason;             /* OFPPR_*. */
    struct ofp_port desc;
};

struct ofp_packet_out {
    uint32_t buffer_id;         /* OFP_NO_BUFFER: the packet is in data. */
    uint32_t in_port;
    struct ofpacts ofpacts;
    uint8_t *data;              /* Owned. */
    size_t size;
};

struct ofp_flow_mod {
    uint8_t command;            /* OFPFC_*. */
    uint8_t table_id;           /* OFPTT_ALL for delete in every table. */
    uint16_t priority;
    uint64_t cookie, cookie_mask; /* For add, 'cookie' is the new cookie. */
    uint16_t idle_timeout, hard_timeout;
    uint16_t flags;             /* OFPFF_*. */
    uint32_t buffer_id;
    uint32_t out_port;          /* OFPP13_ANY = no filter. */
    uint32_t out_group;         /* OFPG_ANY = no filter. */
    struct ofmatch match;
    struct ofpacts ofpacts;
    /* OpenFlow 1.0 only: the table id travels in the high byte of the
     * 16-bit command (Open vSwitch's NXT_FLOW_MOD_TABLE_ID extension, which
     * the client turns on per connection). The encoder reads it; the
     * decoder sets it from ofp_decode_ext()'s argument. Off: 1.0 adds go to
     * table 0 and deletes apply to all tables. */
    bool nx_table_id;
};

struct ofp_port_mod {
    uint32_t port_no;
    uint8_t hw_addr[6];
    uint32_t config, mask, advertise;
};

struct ofp_table_mod {
    uint8_t table_id;
    uint32_t config;
};

struct ofp_role {
    uint32_t role;              /* OFPCR_ROLE_*. */
    uint64_t generation_id;
};

struct ofp_async {
    /* [0] for master/equal, [1] for slave; bit N = reason N enabled. */
    uint32_t packet_in_mask[2], port_status_mask[2], flow_removed_mask[2];
};

#define OFP_DESC_STR_LEN 256
#define OFP_SERIAL_NUM_LEN 32
struct ofp_desc {
    char mfr_desc[OFP_DESC_STR_LEN];
    char hw_desc[OFP_DESC_STR_LEN];
    char sw_desc[OFP_DESC_STR_LEN];
    char serial_num[OFP_SERIAL_NUM_LEN];
    char dp_desc[OFP_DESC_STR_LEN];
};

/* Flow stats and aggregate requests. */
struct ofp_flow_stats_request {
    uint8_t table_id;           /* OFPTT_ALL for all. */
    uint32_t out_port;          /* OFPP13_ANY = no filter. */
    uint32_t out_group;
    uint64_t cookie, cookie_mask;
    struct ofmatch match;
};

struct ofp_flow_stats {
    uint8_t table_id;
    uint32_t duration_sec, duration_nsec;
    uint16_t priority, idle_timeout, hard_timeout;
    uint16_t flags;             /* 1.3. */
    uint64_t cookie, packet_count, byte_count;
    struct ofmatch match;
    struct ofpacts ofpacts;
};

struct ofp_flow_stats_reply {
    struct ofp_flow_stats *flows; /* Owned. */
    size_t n;
};

struct ofp_aggregate {
    uint64_t packet_count, byte_count;
    uint32_t flow_count;
};

struct ofp_table_stats {
    uint8_t table_id;
    char name[32];              /* 1.0 only. */
    uint32_t wildcards, max_entries; /* 1.0 only. */
    uint32_t active_count;
    uint64_t lookup_count, matched_count;
};

struct ofp_table_stats_reply {
    struct ofp_table_stats *tables; /* Owned. */
    size_t n;
};

struct ofp_port_stats {
    uint32_t port_no;
    uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
    uint64_t rx_dropped, tx_dropped, rx_errors, tx_errors;
    uint64_t rx_frame_err, rx_over_err, rx_crc_err, collisions;
    uint32_t duration_sec, duration_nsec; /* 1.3. */
};

struct ofp_port_stats_reply {
    struct ofp_port_stats *ports; /* Owned. */
    size_t n;
};

struct ofp_port_desc_reply {
    struct ofp_port *ports;     /* Owned. */
    size_t n;
};

#define OFPMPF_MORE 0x0001       /* Multipart flag: more replies follow. */

/* NXT_TLV_TABLE_MOD commands. */
enum { NXTTMC_ADD, NXTTMC_DELETE, NXTTMC_CLEAR };

/* NXT_TLV_TABLE_MOD and _REPLY: Geneve option <-> tun_metadataN. */
struct ofp_tlv_table {
    uint16_t command;               /* MOD: NXTTMC_*. */
    uint32_t max_option_space;      /* REPLY: option bytes the switch keeps. */
    uint16_t max_fields;            /* REPLY: tun_metadataN fields it has. */
    struct tun_md_mapping *mappings; /* Owned. */
    size_t n_mappings;
};

struct ofp_msg {
    enum ofptype type;
    uint8_t version;            /* Wire version: OFP10_VERSION, OFP13_VERSION. */
    uint32_t xid;
    uint16_t mp_flags;          /* Multipart messages: OFPMPF_MORE. */
    union {
        struct ofp_hello hello;
        struct ofp_error_msg error;
        struct ofp_echo echo;
        struct ofp_features features;
        struct ofp_switch_config config;        /* GET_CONFIG_REPLY, SET_CONFIG. */
        struct ofp_packet_in packet_in;
        struct ofp_flow_removed flow_removed;
        struct ofp_port_status port_status;
        struct ofp_packet_out packet_out;
        struct ofp_flow_mod flow_mod;
        struct ofp_port_mod port_mod;
        struct ofp_table_mod table_mod;
        struct ofp_role role;                   /* ROLE_REQUEST/REPLY. */
        struct ofp_async async;                 /* GET_ASYNC_REPLY, SET_ASYNC. */
        struct ofp_desc desc;
        struct ofp_flow_stats_request flow_stats_request; /* And aggregate. */
        struct ofp_flow_stats_reply flow_stats;
        struct ofp_aggregate aggregate;
        struct ofp_table_stats_reply table_stats;
        uint32_t port_stats_port;               /* PORT_STATS_REQUEST; OFPP13_ANY = all. */
        struct ofp_port_stats_reply port_stats;
        struct ofp_port_desc_reply port_desc;
        bool flow_mod_table_id;                 /* NXT_FLOW_MOD_TABLE_ID: "set". */
        struct ofp_tlv_table tlv_table;         /* NXT_TLV_TABLE_MOD/REPLY. */
    };
};

/* Initializes 'msg' as an empty message of 'type' with sensible defaults
 * (no buffer, out_port ANY, catch-all match, ...). */
void ofp_msg_init(struct ofp_msg *, enum ofptype, uint8_t version, uint32_t xid);
/* Frees what 'msg' owns; NULL is fine. */
void ofp_msg_uninit(struct ofp_msg *);

/* Peeks at a message header: returns the total length in the header, or 0
 * if 'size' < OFP_HEADER_SIZE. */
size_t ofp_msg_length(const void *data, size_t size);

/* Decodes the single message in 'data' ('size' must equal its header's
 * length). Returns 0 or an OFPERR value; on error 'msg' needs no uninit but
 * its version, xid and type (when known) are set, so that the caller can
 * answer with an error. */
int ofp_decode(const void *data, size_t size, struct ofp_msg *);
/* The same, for a switch connection on which the client has sent
 * NXT_FLOW_MOD_TABLE_ID with "set" ('flow_mod_table_id' true): an OpenFlow
 * 1.0 FLOW_MOD's command then carries the table id in its high byte. */
int ofp_decode_ext(const void *data, size_t size, struct ofp_msg *, bool flow_mod_table_id);

/* Appends the encoding of 'msg' (in msg->version) to 'out'. Returns 0, or
 * EINVAL when 'msg' cannot be expressed in that version (e.g. an IPv6
 * match in OpenFlow 1.0), with the reason in 'error' (may be NULL); then
 * 'out' is left as it was. */
int ofp_encode(const struct ofp_msg *, struct buf *out, struct buf *error);

/* For a switch: appends the ERROR message answering 'request' (the raw
 * bytes that failed; at most its first 64 bytes are echoed, as OpenFlow
 * asks) with 'ofperr' in the numbering of 'version'. */
void ofp_encode_error_reply(uint8_t version, uint32_t xid, int ofperr, const void *request,
                            size_t size, struct buf *out);

/* For a switch: encodes the reply to a flow stats request, 'flows[0..n)',
 * as as many FLOW_STATS_REPLY messages as the 64 kB limit needs (all but
 * the last with OFPMPF_MORE) appended to 'out'. A flow that cannot be
 * expressed in 'version' fails the whole reply (EINVAL, 'error' says why;
 * 'out' as it was). */
int ofp_encode_flow_stats_replies(uint8_t version, uint32_t xid,
                                  const struct ofp_flow_stats *flows, size_t n,
                                  struct buf *out, struct buf *error);

/* For a switch: the same reply built one flow at a time, so that a dump
 * of many flows needs neither an array of every flow nor every message in
 * memory at once:
 *
 *     ofp_flow_stats_writer_init(&w, version, xid, error);
 *     for each flow: ofp_flow_stats_writer_add(&w, &fs, error);
 *         (whenever ofp_flow_stats_writer_ready(&w) is nonzero, the first
 *         that many bytes of w.out are whole messages, OFPMPF_MORE set:
 *         send them, then ofp_flow_stats_writer_consume(&w))
 *     ofp_flow_stats_writer_finish(&w);   the rest of w.out is ready
 *     ofp_flow_stats_writer_uninit(&w);
 *
 * _add() fails (EINVAL, 'error' says why) for a flow that 'version' cannot
 * express, leaving the writer as it was. */
struct ofp_flow_stats_writer {
    struct buf out;             /* Whole messages, then the open one. */
    size_t msg;                 /* Offset of the open message in 'out'. */
    size_t header;              /* Bytes of a message before its entries. */
    uint8_t version;
    uint32_t xid;
    struct buf moved;           /* Scratch: an entry moving to a new message. */
};

int ofp_flow_stats_writer_init(struct ofp_flow_stats_writer *, uint8_t version, uint32_t xid,
                               struct buf *error);
int ofp_flow_stats_writer_add(struct ofp_flow_stats_writer *, const struct ofp_flow_stats *,
                              struct buf *error);
size_t ofp_flow_stats_writer_ready(const struct ofp_flow_stats_writer *);
void ofp_flow_stats_writer_consume(struct ofp_flow_stats_writer *);
void ofp_flow_stats_writer_finish(struct ofp_flow_stats_writer *);
void ofp_flow_stats_writer_uninit(struct ofp_flow_stats_writer *);

/* For a switch: returns 0 if it can carry out 'msg', else the OFPERR for
 * what it lacks (groups: BAD_OUT_GROUP, meters: UNSUP_INST). */
int ofp_msg_check_supported(const struct ofp_msg *);

/* Version negotiation by HELLO: picks the highest version both allow.
 * 'their_bitmap' 0 means the peer sent none (then its header version is its
 * highest). Returns 0 with '*version' set, or OFPERR_HELLO_INCOMPATIBLE. */
int ofp_negotiate_version(uint32_t our_bitmap, uint8_t their_version, uint32_t their_bitmap,
                          uint8_t *version);
/* Highest version in 'bitmap', 0 if none. */
uint8_t ofp_bitmap_max_version(uint32_t bitmap);

/* "OpenFlow10", "OpenFlow13" <-> wire version (0 if unknown). */
const char *ofp_version_name(uint8_t version);
uint8_t ofp_version_from_name(const char *);

/* ---- Matches and actions on the wire ----------------------------------- */

/* Port numbers: OpenFlow 1.0's 16-bit <-> 1.3's 32-bit. */
uint32_t ofp_port_from_10(uint16_t);
bool ofp_port_to_10(uint32_t, uint16_t *);

#define OFP10_MATCH_SIZE 40
/* Decodes an OpenFlow 1.0 ofp_match (OFP10_MATCH_SIZE bytes). Fields whose
 * prerequisites are not matched are dropped, as OpenFlow 1.0 says. */
void ofp_match10_decode(const void *, struct ofmatch *);
int ofp_match10_encode(const struct ofmatch *, uint8_t out[OFP10_MATCH_SIZE], struct buf *error);

/* Decodes OXM/NXM TLVs (without the ofp_match header). */
int ofp_oxm_decode(const void *, size_t, struct ofmatch *);
void ofp_oxm_encode(const struct ofmatch *, struct buf *);
/* Decodes/encodes an OpenFlow 1.3 ofp_match with padding; '*consumed' is
 * its padded size. */
int ofp_match13_decode(const void *, size_t, struct ofmatch *, size_t *consumed);
void ofp_match13_encode(const struct ofmatch *, struct buf *);

/* Actions (1.0 and 1.3 action lists) and instructions (1.3). 'match' (may
 * be NULL) is the flow's match: in 1.3, mod_vlan_vid/mod_vlan_pcp become
 * push_vlan + set_field unless the match guarantees a tag. */
int ofp_actions_decode(uint8_t version, const void *, size_t, struct ofpacts *);
int ofp_actions_encode(uint8_t version, const struct ofpacts *, const struct ofmatch *match,
                       struct buf *, struct buf *error);
int ofp_instructions_decode(const void *, size_t, struct ofpacts *);
int ofp_instructions_encode(const struct ofpacts *, const struct ofmatch *match, struct buf *,
                            struct buf *error);

#endif
