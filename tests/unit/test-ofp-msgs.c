/* Unit tests for the OpenFlow wire codec (ofp-msgs.c, ofp-match-wire.c,
 * ofp-actions.c): every message type round-trips in OpenFlow 1.0 and 1.3,
 * and malformed messages give the OpenFlow error a switch must send.
 *
 * With SY_WRITE_CORPUS=DIR set, the encoded messages are also written to
 * DIR as the seed corpus of tests/fuzz/fuzz-ofp-msg.c. */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>

#include "ofp-msgs.h"
#include "unit.h"

static int corpus_count;

static void
write_corpus(const struct buf *b)
{
    const char *dir = getenv("SY_WRITE_CORPUS");
    char path[512];
    FILE *f;

    if (!dir) {
        return;
    }
    snprintf(path, sizeof path, "%s/seed-%03d", dir, corpus_count++);
    f = fopen(path, "wb");
    if (f) {
        fwrite(b->data, 1, b->size, f);
        fclose(f);
    }
}

static void
set_field(struct ofmatch *m, enum of_field_id id, uint64_t v)
{
    const struct of_field_desc *f = of_field_by_id(id);
    union of_value value;

    memset(&value, 0, sizeof value);
    for (unsigned int i = f->n_bytes; i-- > 0; v >>= 8) {
        value.u8[i] = v;
    }
    ofmatch_set(m, f, &value, NULL);
}

static void
sample_match(struct ofmatch *m, bool v13)
{
    union of_value v, mk;

    ofmatch_init_catchall(m);
    set_field(m, OFF_IN_PORT, 3);
    set_field(m, OFF_ETH_TYPE, 0x0800);
    set_field(m, OFF_IP_PROTO, 6);
    set_field(m, OFF_TCP_DST, 80);
    set_field(m, OFF_VLAN_VID, 0x1000 | 10);
    v.be32[0] = htonl(0x0a000000);
    mk.be32[0] = htonl(0xffffff00);
    ofmatch_set(m, of_field_by_id(OFF_IPV4_DST), &v, &mk);
    if (v13) {
        set_field(m, OFF_REG3, 0x1234);
        set_field(m, OFF_METADATA, 0xabcdef);
        set_field(m, OFF_NW_TTL, 64);
        set_field(m, OFF_IP_ECN, 1);
    }
}

static void
sample_actions(struct ofpacts *a, bool v13)
{
    struct ofpact *act;

    ofpacts_put(a, OFPACT_OUTPUT)->output.port = 2;
    ofpacts_put(a, OFPACT_SET_VLAN_VID)->vlan_vid = 10;
    ofpacts_put(a, OFPACT_STRIP_VLAN);
    act = ofpacts_put(a, OFPACT_SET_FIELD);
    act->set_field.field = OFF_ETH_SRC;
    memset(act->set_field.value.u8, 0x22, 6);
    of_field_exact_mask(of_field_by_id(OFF_ETH_SRC), &act->set_field.mask);
    act = ofpacts_put(a, OFPACT_SET_FIELD);             /* load:0x5->reg0[0..15] */
    act->set_field.field = OFF_REG0;
    act->set_field.value.be32[0] = htonl(5);
    act->set_field.mask.be32[0] = htonl(0xffff);
    act = ofpacts_put(a, OFPACT_REG_MOVE);
    act->reg_move.src = OFF_ETH_SRC;
    act->reg_move.dst = OFF_ETH_DST;
    act->reg_move.n_bits = 48;
    ofpacts_put(a, OFPACT_DEC_TTL);
    act = ofpacts_put(a, OFPACT_RESUBMIT);
    act->resubmit.in_port = OFPP13_IN_PORT;
    act->resubmit.table = 3;
    act = ofpacts_put(a, OFPACT_CONTROLLER);
    act->controller.max_len = 128;
    act->controller.reason = OFPR_ACTION;
    if (v13) {
        ofpacts_put(a, OFPACT_PUSH_VLAN)->push_vlan_tpid = 0x8100;
        ofpacts_put(a, OFPACT_CLEAR_ACTIONS);
        act = ofpacts_put(a, OFPACT_WRITE_ACTIONS);
        ofpacts_put(act->nested, OFPACT_OUTPUT)->output.port = OFPP13_NORMAL;
        act = ofpacts_put(a, OFPACT_WRITE_METADATA);
        act->metadata.value = 1;
        act->metadata.mask = 0xff;
        ofpacts_put(a, OFPACT_GOTO_TABLE)->goto_table = 5;
    } else {
        act = ofpacts_put(a, OFPACT_WRITE_METADATA);
        act->metadata.value = 1;
        act->metadata.mask = 0xff;
    }
}

static void
sample_port(struct ofp_port *p, uint32_t no)
{
    memset(p, 0, sizeof *p);
    p->port_no = no;
    memcpy(p->hw_addr, "\x50\x54\x00\x00\x00\x01", 6);
    snprintf(p->name, sizeof p->name, "eth%u", (unsigned) no);
    p->config = OFPPC_NO_FWD;
    p->state = OFPPS_LINK_DOWN;
    p->curr = 0x20;
}

/* Builds a message of 'type' with interesting contents. */
static void
build(struct ofp_msg *m, enum ofptype type, uint8_t version)
{
    bool v13 = version != OFP10_VERSION;

    ofp_msg_init(m, type, version, 0x1234);
    switch (type) {
    case OFPTYPE_HELLO:
        m->hello.version_bitmap = v13 ? OFP_SUPPORTED_VERSIONS : 0;
        break;
    case OFPTYPE_ERROR:
        m->error.type = OFPET_BAD_REQUEST;
        m->error.code = 6;
        m->error.error = OFPERR_BAD_LEN;
        m->error.data = xmemdup("\x04\x0e\x00\x08\x00\x00\x00\x01", 8);
        m->error.size = 8;
        break;
    case OFPTYPE_ECHO_REQUEST: case OFPTYPE_ECHO_REPLY:
        m->echo.data = xmemdup("ping", 4);
        m->echo.size = 4;
        break;
    case OFPTYPE_FEATURES_REPLY:
        m->features.datapath_id = 0x0000505400000001ull;
        m->features.n_buffers = 0;
        m->features.n_tables = v13 ? 254 : 1;
        m->features.capabilities = 0x47;
        if (!v13) {
            m->features.actions = 0xfff;
            m->features.n_ports = 2;
            m->features.ports = xcalloc(2, sizeof *m->features.ports);
            sample_port(&m->features.ports[0], 1);
            sample_port(&m->features.ports[1], OFPP13_LOCAL);
        }
        break;
    case OFPTYPE_GET_CONFIG_REPLY: case OFPTYPE_SET_CONFIG:
        m->config.flags = 1;
        m->config.miss_send_len = 0xffff;
        break;
    case OFPTYPE_PACKET_IN:
        m->packet_in.total_len = 60;
        m->packet_in.reason = OFPR_ACTION;
        m->packet_in.table_id = v13 ? 2 : 0;
        m->packet_in.cookie = v13 ? 0x99 : 0;
        set_field(&m->packet_in.match, OFF_IN_PORT, 7);
        if (v13) {
            set_field(&m->packet_in.match, OFF_METADATA, 4);
        }
        m->packet_in.data = xzalloc(60);
        m->packet_in.size = 60;
        break;
    case OFPTYPE_FLOW_REMOVED:
        sample_match(&m->flow_removed.match, v13);
        m->flow_removed.cookie = 0xfeed;
        m->flow_removed.priority = 100;
        m->flow_removed.reason = OFPRR_IDLE_TIMEOUT;
        m->flow_removed.table_id = v13 ? 3 : 0;
        m->flow_removed.duration_sec = 10;
        m->flow_removed.idle_timeout = 5;
        m->flow_removed.hard_timeout = v13 ? 50 : 0;
        m->flow_removed.packet_count = 3;
        m->flow_removed.byte_count = 294;
        break;
    case OFPTYPE_PORT_STATUS:
        m->port_status.reason = OFPPR_MODIFY;
        sample_port(&m->port_status.desc, 4);
        break;
    case OFPTYPE_PACKET_OUT:
        ofpacts_put(&m->packet_out.ofpacts, OFPACT_OUTPUT)->output.port = OFPP13_TABLE;
        m->packet_out.data = xzalloc(64);
        m->packet_out.size = 64;
        break;
    case OFPTYPE_FLOW_MOD:
        sample_match(&m->flow_mod.match, v13);
        sample_actions(&m->flow_mod.ofpacts, v13);
        m->flow_mod.command = OFPFC_MODIFY_STRICT;
        m->flow_mod.table_id = v13 ? 4 : 0;
        m->flow_mod.priority = 100;
        m->flow_mod.cookie = 0x10;
        m->flow_mod.cookie_mask = v13 ? 0xff : UINT64_MAX;
        m->flow_mod.idle_timeout = 10;
        m->flow_mod.hard_timeout = 20;
        m->flow_mod.flags = OFPFF_SEND_FLOW_REM | OFPFF_CHECK_OVERLAP;
        m->flow_mod.out_port = 5;
        break;
    case OFPTYPE_PORT_MOD:
        m->port_mod.port_no = 3;
        memcpy(m->port_mod.hw_addr, "\x50\x54\x00\x00\x00\x03", 6);
        m->port_mod.config = OFPPC_PORT_DOWN;
        m->port_mod.mask = OFPPC_PORT_DOWN;
        break;
    case OFPTYPE_TABLE_MOD:
        m->table_mod.table_id = 2;
        m->table_mod.config = 3;
        break;
    case OFPTYPE_ROLE_REQUEST: case OFPTYPE_ROLE_REPLY:
        m->role.role = OFPCR_ROLE_MASTER;
        m->role.generation_id = 42;
        break;
    case OFPTYPE_GET_ASYNC_REPLY: case OFPTYPE_SET_ASYNC:
        m->async.packet_in_mask[0] = 3;
        m->async.flow_removed_mask[1] = 0xf;
        break;
    case OFPTYPE_DESC_REPLY:
        strcpy(m->desc.mfr_desc, "switchyard");
        strcpy(m->desc.sw_desc, "0.1.0");
        strcpy(m->desc.dp_desc, "br0");
        break;
    case OFPTYPE_FLOW_STATS_REQUEST: case OFPTYPE_AGGREGATE_REQUEST:
        sample_match(&m->flow_stats_request.match, v13);
        m->flow_stats_request.out_port = 2;
        if (v13) {
            m->flow_stats_request.cookie = 1;
            m->flow_stats_request.cookie_mask = 1;
        }
        break;
    case OFPTYPE_FLOW_STATS_REPLY:
        m->mp_flags = OFPMPF_MORE;
        m->flow_stats.n = 2;
        m->flow_stats.flows = xcalloc(2, sizeof *m->flow_stats.flows);
        for (int i = 0; i < 2; i++) {
            struct ofp_flow_stats *fs = &m->flow_stats.flows[i];

            sample_match(&fs->match, v13);
            sample_actions(&fs->ofpacts, v13);
            fs->priority = 100 + i;
            fs->duration_sec = 1;
            fs->duration_nsec = 234000000;
            fs->packet_count = 3;
            fs->byte_count = 294;
            fs->idle_timeout = 10;
        }
        break;
    case OFPTYPE_AGGREGATE_REPLY:
        m->aggregate.packet_count = 7;
        m->aggregate.byte_count = 700;
        m->aggregate.flow_count = 2;
        break;
    case OFPTYPE_TABLE_STATS_REPLY:
        m->table_stats.n = 1;
        m->table_stats.tables = xcalloc(1, sizeof *m->table_stats.tables);
        m->table_stats.tables[0].active_count = 4;
        m->table_stats.tables[0].lookup_count = 40;
        if (!v13) {
            strcpy(m->table_stats.tables[0].name, "classifier");
            m->table_stats.tables[0].max_entries = 1000000;
        }
        break;
    case OFPTYPE_PORT_STATS_REQUEST:
        m->port_stats_port = 3;
        break;
    case OFPTYPE_PORT_STATS_REPLY:
        m->port_stats.n = 1;
        m->port_stats.ports = xcalloc(1, sizeof *m->port_stats.ports);
        m->port_stats.ports[0].port_no = OFPP13_LOCAL;
        m->port_stats.ports[0].rx_packets = 5;
        m->port_stats.ports[0].collisions = 1;
        m->port_stats.ports[0].duration_sec = v13 ? 9 : 0;
        break;
    case OFPTYPE_PORT_DESC_REPLY:
        m->port_desc.n = 1;
        m->port_desc.ports = xcalloc(1, sizeof *m->port_desc.ports);
        sample_port(&m->port_desc.ports[0], 1);
        break;
    default:
        break;
    }
}

static bool
in_version(enum ofptype type, uint8_t version)
{
    return version != OFP10_VERSION
        || !(type == OFPTYPE_TABLE_MOD || type == OFPTYPE_ROLE_REQUEST
             || type == OFPTYPE_ROLE_REPLY || type == OFPTYPE_GET_ASYNC_REQUEST
             || type == OFPTYPE_GET_ASYNC_REPLY || type == OFPTYPE_SET_ASYNC
             || type == OFPTYPE_PORT_DESC_REQUEST || type == OFPTYPE_PORT_DESC_REPLY);
}

static void
test_round_trips(void)
{
    static const uint8_t versions[] = { OFP10_VERSION, OFP13_VERSION };

    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        for (int t = 0; t < OFPTYPE_N_TYPES; t++) {
            struct buf enc = BUF_INITIALIZER, enc2 = BUF_INITIALIZER, err = BUF_INITIALIZER;
            struct ofp_msg m, d;
            int error;

            build(&m, t, versions[v]);
            error = ofp_encode(&m, &enc, &err);
            if (!in_version(t, versions[v])) {
                CHECK_INT_EQ(error, EINVAL);
            } else if (error) {
                fprintf(stderr, "%s v%d: %s\n", ofptype_name(t), versions[v], buf_cstr(&err));
                CHECK(!error);
            } else {
                write_corpus(&enc);
                error = ofp_decode(enc.data, enc.size, &d);
                if (error) {
                    buf_clear(&err);
                    ofp_error_format(&err, error);
                    fprintf(stderr, "%s v%d: %s\n", ofptype_name(t), versions[v],
                            buf_cstr(&err));
                }
                CHECK_INT_EQ(error, 0);
                CHECK_INT_EQ(d.type, t);
                CHECK_INT_EQ(d.xid, 0x1234);
                CHECK(!ofp_encode(&d, &enc2, NULL));
                CHECK(enc.size == enc2.size && !memcmp(enc.data, enc2.data, enc.size));
                if (t == OFPTYPE_FLOW_MOD) {
                    CHECK(ofmatch_equal(&m.flow_mod.match, &d.flow_mod.match));
                    CHECK_INT_EQ(d.flow_mod.priority, 100);
                    CHECK_INT_EQ(d.flow_mod.out_port, 5);
                    CHECK_INT_EQ(d.flow_mod.flags, 3);
                }
                ofp_msg_uninit(&d);
            }
            ofp_msg_uninit(&m);
            buf_uninit(&enc);
            buf_uninit(&enc2);
            buf_uninit(&err);
        }
    }
}

/* Encodes a flow mod and lets 'mutate' spoil it; returns the decode error. */
static int
decode_spoiled(uint8_t version, void (*mutate)(struct buf *), bool v13_actions)
{
    struct buf enc = BUF_INITIALIZER;
    struct ofp_msg m, d;
    int error;

    build(&m, OFPTYPE_FLOW_MOD, version);
    if (!v13_actions) {
        ofpacts_uninit(&m.flow_mod.ofpacts);
        ofpacts_put(&m.flow_mod.ofpacts, OFPACT_OUTPUT)->output.port = 2;
    }
    CHECK(!ofp_encode(&m, &enc, NULL));
    mutate(&enc);
    error = ofp_decode(enc.data, enc.size, &d);
    if (!error) {
        ofp_msg_uninit(&d);
    }
    ofp_msg_uninit(&m);
    buf_uninit(&enc);
    return error;
}

static uint8_t *
U8(struct buf *b)
{
    return (uint8_t *) b->data;
}

static void fix_len(struct buf *b) { U8(b)[2] = b->size >> 8; U8(b)[3] = b->size; }
static void truncate_body(struct buf *b) { b->size = 20; fix_len(b); }
static void bad_length(struct buf *b) { U8(b)[3]++; }
static void bad_version(struct buf *b) { U8(b)[0] = 3; }
static void bad_type(struct buf *b) { U8(b)[1] = 99; }
static void bad_command10(struct buf *b) { U8(b)[8 + 40 + 8 + 1] = 9; }
static void bad_command13(struct buf *b) { U8(b)[8 + 17] = 9; }
static void bad_flags13(struct buf *b) { U8(b)[8 + 36] = 0x80; }
static void bad_match_type(struct buf *b) { U8(b)[48 + 1] = 0; }
static void bad_oxm_field(struct buf *b) { U8(b)[48 + 4 + 2] = 0x7e << 1; }   /* Field 63. */
static void oxm_overrun(struct buf *b) { U8(b)[48 + 4 + 3] = 200; }
/* The last action: output (1.0: 8 bytes, port at +4 (16 bits)). */
static void out_port_none10(struct buf *b) { U8(b)[b->size - 4] = 0xff; U8(b)[b->size - 3] = 0xff; }
static void action_len_odd10(struct buf *b) { U8(b)[b->size - 5] = 7; }
static void action_type10(struct buf *b) { U8(b)[b->size - 7] = 77; }
static void trailing_garbage13(struct buf *b) { buf_put(b, "\x00\x63\x00\x08\x00\x00\x00\x00", 8); fix_len(b); }
static void inst_len_short(struct buf *b) { buf_put(b, "\x00\x01\x00\x04", 4); fix_len(b); }
static void meter_inst13(struct buf *b) { buf_put(b, "\x00\x06\x00\x08\x00\x00\x00\x01", 8); fix_len(b); }
static void vendor_action10(struct buf *b)
{
    buf_put(b, "\xff\xff\x00\x10\x00\x00\x12\x34\x00\x01\x00\x00\x00\x00\x00\x00", 16);
    fix_len(b);
}
static void nicira_bad_subtype10(struct buf *b)
{
    buf_put(b, "\xff\xff\x00\x10\x00\x00\x23\x20\x00\x63\x00\x00\x00\x00\x00\x00", 16);
    fix_len(b);
}
static void reg_load_overflow10(struct buf *b)
{
    /* load 20 bits at offset 20 into a 32-bit register. */
    buf_put(b, "\xff\xff\x00\x18\x00\x00\x23\x20\x00\x07\x05\x13\x00\x01\x00\x04"
            "\x00\x00\x00\x00\x00\x00\x00\x01", 24);
    fix_len(b);
}

static void
test_malformed(void)
{
    CHECK_INT_EQ(decode_spoiled(OFP10_VERSION, truncate_body, false), OFPERR_BAD_LEN);
    CHECK_INT_EQ(decode_spoiled(OFP13_VERSION, truncate_body, false), OFPERR_BAD_LEN);
    CHECK_INT_EQ(decode_spoiled(OFP13_VERSION, bad_length, false), OFPERR_BAD_LEN);
    CHECK_INT_EQ(decode_spoiled(OFP13_VERSION, bad_version, false), OFPERR_BAD_VERSION);
    CHECK_INT_EQ(decode_spoiled(OFP13_VERSION, bad_type, false), OFPERR_BAD_TYPE);
    CHECK_INT_EQ(decode_spoiled(OFP10_VERSION, bad_command10, false), OFPERR_BAD_COMMAND);
    CHECK_INT_EQ(decode_spoiled(OFP13_VERSION, bad_command13, false), OFPERR_BAD_COMMAND);
    CHECK_INT_EQ(decode_spoiled(OFP13_VERSION, bad_flags13, false), OFPERR_BAD_FLAGS);
    CHECK_INT_EQ(decode_spoiled(OFP13_VERSION, bad_match_type, false), OFPERR_BAD_MATCH_TYPE);
    CHECK_INT_EQ(decode_spoiled(OFP13_VERSION, bad_oxm_field, false), OFPERR_BAD_FIELD);
    CHECK_INT_EQ(decode_spoiled(OFP13_VERSION, oxm_overrun, false), OFPERR_BAD_MATCH_LEN);
    CHECK_INT_EQ(decode_spoiled(OFP10_VERSION, out_port_none10, false), OFPERR_BAD_OUT_PORT);
    CHECK_INT_EQ(decode_spoiled(OFP10_VERSION, action_len_odd10, false), OFPERR_BAD_ACTION_LEN);
    CHECK_INT_EQ(decode_spoiled(OFP10_VERSION, action_type10, false), OFPERR_BAD_ACTION_TYPE);
    CHECK_INT_EQ(decode_spoiled(OFP13_VERSION, trailing_garbage13, false), OFPERR_UNKNOWN_INST);
    CHECK_INT_EQ(decode_spoiled(OFP13_VERSION, inst_len_short, false), OFPERR_INST_BAD_LEN);
    CHECK_INT_EQ(decode_spoiled(OFP13_VERSION, meter_inst13, false), 0);
    CHECK_INT_EQ(decode_spoiled(OFP10_VERSION, vendor_action10, false),
                 OFPERR_BAD_ACTION_EXPERIMENTER);
    CHECK_INT_EQ(decode_spoiled(OFP10_VERSION, nicira_bad_subtype10, false),
                 OFPERR_BAD_ACTION_EXP_TYPE);
    CHECK_INT_EQ(decode_spoiled(OFP10_VERSION, reg_load_overflow10, false),
                 OFPERR_BAD_ACTION_ARGUMENT);
}

static void
test_unsupported(void)
{
    struct buf enc = BUF_INITIALIZER;
    struct ofp_msg m, d;

    build(&m, OFPTYPE_FLOW_MOD, OFP13_VERSION);
    ofpacts_put(&m.flow_mod.ofpacts, OFPACT_GROUP)->group_id = 7;
    CHECK(!ofp_encode(&m, &enc, NULL));
    CHECK_INT_EQ(ofp_decode(enc.data, enc.size, &d), 0);
    CHECK_INT_EQ(ofp_msg_check_supported(&d), OFPERR_BAD_OUT_GROUP);
    ofp_msg_uninit(&d);
    ofp_msg_uninit(&m);

    buf_clear(&enc);
    build(&m, OFPTYPE_FLOW_MOD, OFP13_VERSION);
    ofpacts_put(&m.flow_mod.ofpacts, OFPACT_METER)->meter_id = 1;
    CHECK(!ofp_encode(&m, &enc, NULL));
    CHECK_INT_EQ(ofp_decode(enc.data, enc.size, &d), 0);
    CHECK_INT_EQ(ofp_msg_check_supported(&d), OFPERR_UNSUP_INST);
    ofp_msg_uninit(&d);
    ofp_msg_uninit(&m);
    buf_uninit(&enc);
}

static void
test_v10_limits(void)
{
    struct buf enc = BUF_INITIALIZER, err = BUF_INITIALIZER;
    struct ofp_msg m;

    ofp_msg_init(&m, OFPTYPE_FLOW_MOD, OFP10_VERSION, 1);
    set_field(&m.flow_mod.match, OFF_ETH_TYPE, 0x86dd);
    set_field(&m.flow_mod.match, OFF_IPV6_LABEL, 5);
    CHECK_INT_EQ(ofp_encode(&m, &enc, &err), EINVAL);
    CHECK(strstr(buf_cstr(&err), "ipv6_label") != NULL);
    CHECK_INT_EQ(enc.size, 0);
    ofp_msg_uninit(&m);
    buf_uninit(&enc);
    buf_uninit(&err);
}

/* Encodes an OpenFlow 1.0 flow mod of 'command' in 'table_id' with the
 * table in the command's high byte, and returns its bytes in 'out'. */
static void
encode_nx_flow_mod10(uint8_t command, uint8_t table_id, struct buf *out)
{
    struct ofp_msg m;

    ofp_msg_init(&m, OFPTYPE_FLOW_MOD, OFP10_VERSION, 3);
    m.flow_mod.command = command;
    m.flow_mod.table_id = table_id;
    m.flow_mod.nx_table_id = true;
    CHECK_INT_EQ(ofp_encode(&m, out, NULL), 0);
    ofp_msg_uninit(&m);
}

/* Decodes 'b' on a connection with NXT_FLOW_MOD_TABLE_ID 'on'; returns the
 * error and, on success, the command and table. */
static int
decode_nx_flow_mod10(const struct buf *b, bool on, uint8_t *command, uint8_t *table_id)
{
    struct ofp_msg d;
    int error = ofp_decode_ext(b->data, b->size, &d, on);

    if (!error) {
        *command = d.flow_mod.command;
        *table_id = d.flow_mod.table_id;
        ofp_msg_uninit(&d);
    }
    return error;
}

/* Open vSwitch's NXT_FLOW_MOD_TABLE_ID: the vendor message, and OpenFlow
 * 1.0 flow mods with the table id in the command's high byte. */
static void
test_nx_flow_mod_table_id(void)
{
    static const uint8_t wire[24] = {
        0x01, 0x04, 0x00, 0x18, 0x00, 0x00, 0x00, 0x07,     /* VENDOR, xid 7 */
        0x00, 0x00, 0x23, 0x20, 0x00, 0x00, 0x00, 0x0f,     /* Nicira, 15 */
        0x01, 0, 0, 0, 0, 0, 0, 0,                          /* set, pad */
    };
    struct buf b = BUF_INITIALIZER, err = BUF_INITIALIZER;
    uint8_t msg[24], command = 0, table_id = 0;
    struct ofp_msg m;

    /* The vendor message, byte for byte as Open vSwitch sends it. */
    ofp_msg_init(&m, OFPTYPE_NXT_FLOW_MOD_TABLE_ID, OFP10_VERSION, 7);
    m.flow_mod_table_id = true;
    CHECK_INT_EQ(ofp_encode(&m, &b, NULL), 0);
    CHECK(b.size == sizeof wire && !memcmp(b.data, wire, sizeof wire));
    CHECK_INT_EQ(ofp_decode(wire, sizeof wire, &m), 0);
    CHECK_INT_EQ(m.type, OFPTYPE_NXT_FLOW_MOD_TABLE_ID);
    CHECK(m.flow_mod_table_id);
    memcpy(msg, wire, sizeof msg);
    msg[16] = 0;
    CHECK_INT_EQ(ofp_decode(msg, sizeof msg, &m), 0);
    CHECK(!m.flow_mod_table_id);

    /* Bad vendor messages. */
    memcpy(msg, wire, sizeof msg);
    msg[11] = 0x21;
    CHECK_INT_EQ(ofp_decode(msg, sizeof msg, &m), OFPERR_BAD_EXPERIMENTER);
    memcpy(msg, wire, sizeof msg);
    msg[15] = 99;
    CHECK_INT_EQ(ofp_decode(msg, sizeof msg, &m), OFPERR_BAD_EXP_TYPE);
    memcpy(msg, wire, sizeof msg);
    msg[3] = 16;
    CHECK_INT_EQ(ofp_decode(msg, 16, &m), OFPERR_BAD_LEN);      /* No "set". */
    msg[3] = 12;
    CHECK_INT_EQ(ofp_decode(msg, 12, &m), OFPERR_BAD_LEN);      /* No subtype. */

    /* Flow mods: the table rides in the command's high byte. */
    buf_clear(&b);
    encode_nx_flow_mod10(OFPFC_ADD, 3, &b);
    CHECK_INT_EQ(U8(&b)[56], 3);
    CHECK_INT_EQ(U8(&b)[57], OFPFC_ADD);
    CHECK_INT_EQ(decode_nx_flow_mod10(&b, true, &command, &table_id), 0);
    CHECK_INT_EQ(command, OFPFC_ADD);
    CHECK_INT_EQ(table_id, 3);
    /* Without the extension on, the same bytes are a bad command. */
    CHECK_INT_EQ(decode_nx_flow_mod10(&b, false, &command, &table_id), OFPERR_BAD_COMMAND);

    buf_clear(&b);
    encode_nx_flow_mod10(OFPFC_DELETE, OFPTT_ALL, &b);
    CHECK_INT_EQ(decode_nx_flow_mod10(&b, true, &command, &table_id), 0);
    CHECK_INT_EQ(command, OFPFC_DELETE);
    CHECK_INT_EQ(table_id, OFPTT_ALL);

    /* On: a delete with high byte 0 is for table 0 only; off: all tables. */
    buf_clear(&b);
    encode_nx_flow_mod10(OFPFC_DELETE_STRICT, 0, &b);
    CHECK_INT_EQ(decode_nx_flow_mod10(&b, true, &command, &table_id), 0);
    CHECK_INT_EQ(table_id, 0);
    CHECK_INT_EQ(decode_nx_flow_mod10(&b, false, &command, &table_id), 0);
    CHECK_INT_EQ(command, OFPFC_DELETE_STRICT);
    CHECK_INT_EQ(table_id, OFPTT_ALL);

    /* An add with table 0xff (Open vSwitch's "no table given") goes to 0. */
    U8(&b)[56] = 0xff;
    U8(&b)[57] = OFPFC_ADD;
    CHECK_INT_EQ(decode_nx_flow_mod10(&b, true, &command, &table_id), 0);
    CHECK_INT_EQ(table_id, 0);

    /* A bad low byte stays a bad command whatever the table. */
    U8(&b)[56] = 2;
    U8(&b)[57] = 9;
    CHECK_INT_EQ(decode_nx_flow_mod10(&b, true, &command, &table_id), OFPERR_BAD_COMMAND);

    /* Without the extension the encoder refuses other tables in 1.0. */
    ofp_msg_init(&m, OFPTYPE_FLOW_MOD, OFP10_VERSION, 3);
    m.flow_mod.table_id = 2;
    buf_clear(&b);
    CHECK_INT_EQ(ofp_encode(&m, &b, &err), EINVAL);
    CHECK(strstr(buf_cstr(&err), "NXT_FLOW_MOD_TABLE_ID") != NULL);
    ofp_msg_uninit(&m);
    buf_uninit(&b);
    buf_uninit(&err);
}

static void
test_negotiation(void)
{
    uint8_t v = 0;

    CHECK_INT_EQ(ofp_negotiate_version(OFP_SUPPORTED_VERSIONS, 4, 0x12, &v), 0);
    CHECK_INT_EQ(v, 4);
    CHECK_INT_EQ(ofp_negotiate_version(OFP_SUPPORTED_VERSIONS, 6, 0x62, &v), 0);
    CHECK_INT_EQ(v, 1);
    CHECK_INT_EQ(ofp_negotiate_version(OFP_SUPPORTED_VERSIONS, 1, 0, &v), 0);
    CHECK_INT_EQ(v, 1);
    CHECK_INT_EQ(ofp_negotiate_version(OFP_VERSION_BIT(4), 1, 0, &v),
                 OFPERR_HELLO_INCOMPATIBLE);
    CHECK_INT_EQ(ofp_version_from_name("OpenFlow13"), 4);
    CHECK_STR_EQ(ofp_version_name(1), "OpenFlow10");
}

static void
test_error_names(void)
{
    struct buf b = BUF_INITIALIZER;
    uint16_t type, code;

    {
        struct buf out = BUF_INITIALIZER;
        struct ofp_msg m;
        uint8_t request[100] = { 1, 14 };

        ofp_encode_error_reply(OFP10_VERSION, 7, OFPERR_OVERLAP, request, sizeof request, &out);
        CHECK_INT_EQ(ofp_decode(out.data, out.size, &m), 0);
        CHECK_INT_EQ(m.type, OFPTYPE_ERROR);
        CHECK_INT_EQ(m.error.type, 3);
        CHECK_INT_EQ(m.error.size, 64);
        CHECK_INT_EQ(m.error.error, OFPERR_OVERLAP);
        ofp_msg_uninit(&m);
        buf_uninit(&out);
    }
    ofp_error_format(&b, OFPERR_BAD_OUT_GROUP);
    CHECK_STR_EQ(buf_cstr(&b), "OFPBAC_BAD_OUT_GROUP (OFPET_BAD_ACTION)");
    ofp_error_to_wire(OFP10_VERSION, OFPERR_OVERLAP, &type, &code);
    CHECK_INT_EQ(type, 3);
    CHECK_INT_EQ(code, 1);
    CHECK_INT_EQ(ofp_error_from_wire(OFP10_VERSION, 3, 1), OFPERR_OVERLAP);
    buf_uninit(&b);
}

static void
test_split_flow_stats(void)
{
    struct buf out = BUF_INITIALIZER;
    struct ofp_flow_stats *flows = xcalloc(3000, sizeof *flows);
    size_t ofs = 0, n_msgs = 0, n_flows = 0;

    for (int i = 0; i < 3000; i++) {
        sample_match(&flows[i].match, true);
        sample_actions(&flows[i].ofpacts, true);
        flows[i].priority = i;
    }
    CHECK_INT_EQ(ofp_encode_flow_stats_replies(OFP13_VERSION, 9, flows, 3000, &out, NULL), 0);
    while (ofs < out.size) {
        size_t len = ofp_msg_length(out.data + ofs, out.size - ofs);
        struct ofp_msg m;

        CHECK(len >= 8 && ofs + len <= out.size);
        CHECK_INT_EQ(ofp_decode(out.data + ofs, len, &m), 0);
        CHECK_INT_EQ(m.xid, 9);
        /* Every flow once, in order, across the messages. */
        for (size_t i = 0; i < m.flow_stats.n; i++) {
            CHECK_INT_EQ(m.flow_stats.flows[i].priority, n_flows + i);
        }
        n_flows += m.flow_stats.n;
        ofs += len;
        n_msgs++;
        CHECK_INT_EQ(m.mp_flags, ofs < out.size ? OFPMPF_MORE : 0);
        ofp_msg_uninit(&m);
        if (len < 8) {
            break;
        }
    }
    CHECK_INT_EQ(n_flows, 3000);
    CHECK(n_msgs > 1);
    for (int i = 0; i < 3000; i++) {
        ofpacts_uninit(&flows[i].ofpacts);
    }
    free(flows);
    buf_uninit(&out);
}

UNIT_MAIN("ofp-msgs", UNIT_TEST(test_split_flow_stats),
          UNIT_TEST(test_round_trips), UNIT_TEST(test_malformed),
          UNIT_TEST(test_unsupported), UNIT_TEST(test_v10_limits),
          UNIT_TEST(test_nx_flow_mod_table_id),
          UNIT_TEST(test_negotiation), UNIT_TEST(test_error_names))
