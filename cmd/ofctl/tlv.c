/* tlv: add-tlv-map, del-tlv-map, dump-tlv-map: a switch's map of Geneve
 * options to tun_metadataN fields, through Open vSwitch's Nicira messages
 * NXT_TLV_TABLE_MOD and NXT_TLV_TABLE_REQUEST/REPLY (so these work
 * against Open vSwitch as well as flowd). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofctl.h"
#include "tun-metadata.h"
#include "util.h"

#define MAX_MAPPINGS 64             /* NXM_NX_TUN_METADATA0..63. */

static int
send_tlv_mod(struct ofctl *ctx, const char *target, uint16_t command, const char *text)
{
    struct buf error = BUF_INITIALIZER, enc = BUF_INITIALIZER;
    struct tun_md_mapping mappings[MAX_MAPPINGS];
    struct ofp_msg m;
    size_t n = 0;
    int status;

    if (text && tun_md_parse_mappings(text, mappings, MAX_MAPPINGS, &n, &error)) {
        status = ofctl_error(OFCTL_USAGE, "\"%s\": %s", text, buf_cstr(&error));
        buf_uninit(&error);
        return status;
    }
    status = ofctl_open(ctx, target);
    if (status) {
        buf_uninit(&error);
        return status;
    }
    ofp_msg_init(&m, OFPTYPE_NXT_TLV_TABLE_MOD, ctx->version, ofctl_xid(ctx));
    m.tlv_table.command = command;
    m.tlv_table.mappings = mappings;
    m.tlv_table.n_mappings = n;
    if (ofp_encode(&m, &enc, &error)) {
        status = ofctl_error(OFCTL_FAILED, "%s", buf_cstr(&error));
    } else {
        status = ofctl_send_batch(ctx, &enc, 1, m.xid, NULL);
    }
    buf_uninit(&enc);
    buf_uninit(&error);
    return status;
}

int
ofctl_add_tlv_map(struct ofctl *ctx, int argc, char *argv[])
{
    return send_tlv_mod(ctx, argv[1], NXTTMC_ADD, argv[2]);
}

int
ofctl_del_tlv_map(struct ofctl *ctx, int argc, char *argv[])
{
    return (argc > 2 ? send_tlv_mod(ctx, argv[1], NXTTMC_DELETE, argv[2])
                     : send_tlv_mod(ctx, argv[1], NXTTMC_CLEAR, NULL));
}

int
ofctl_dump_tlv_map(struct ofctl *ctx, int argc, char *argv[])
{
    struct ofp_msg req, *replies;
    const struct ofp_tlv_table *t;
    unsigned int allocated = 0;
    size_t n;
    int status = ofctl_open(ctx, argv[1]);

    if (status) {
        return status;
    }
    ofp_msg_init(&req, OFPTYPE_NXT_TLV_TABLE_REQUEST, ctx->version, ofctl_xid(ctx));
    status = ofctl_transact(ctx, &req, &replies, &n);
    if (status) {
        return status;
    }
    if (!n || replies[0].type != OFPTYPE_NXT_TLV_TABLE_REPLY) {
        ofctl_free_replies(replies, n);
        return ofctl_error(OFCTL_FAILED, "%s: no NXT_TLV_TABLE_REPLY", argv[1]);
    }
    t = &replies[0].tlv_table;
    for (size_t i = 0; i < t->n_mappings; i++) {
        allocated += t->mappings[i].option.opt_len;
    }
    /* The layout of ovs-ofctl's, so that scripts read either. */
    printf("NXT_TLV_TABLE_REPLY (xid=0x%" PRIx32 "):\n", replies[0].xid);
    printf(" max option space=%" PRIu32 " max fields=%u\n", t->max_option_space,
           t->max_fields);
    printf(" allocated option space=%u\n\n", allocated);
    printf(" mapping table:\n");
    printf("  class  type  length  match field\n");
    printf(" ------  ----  ------  --------------\n");
    for (size_t i = 0; i < t->n_mappings; i++) {
        const struct tun_md_mapping *m = &t->mappings[i];

        printf("  0x%04x  0x%02x  %6u  tun_metadata%u\n", m->option.opt_class,
               m->option.opt_type, m->option.opt_len, m->index);
    }
    ofctl_free_replies(replies, n);
    return 0;
}
