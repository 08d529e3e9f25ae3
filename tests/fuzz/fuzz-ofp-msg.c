/* libFuzzer target for the OpenFlow decoder (ofp-msgs.c): arbitrary bytes,
 * read as a message of OpenFlow 1.0 or 1.3 (the first byte's low bit picks
 * which, its second bit whether the connection has Nicira's
 * NXT_FLOW_MOD_TABLE_ID on; the header length is fixed up so that the body
 * gets exercised),
 * must decode or fail with an OpenFlow error, never crash or read past the
 * input. What decodes must encode, decode again, and encode to the same
 * bytes, with the same match and actions. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofp-msgs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const struct ofp_msg *m, struct buf *error)
{
    fprintf(stderr, "fuzz-ofp-msg: %s (%s, version %d): %s\n", what, ofptype_name(m->type),
            m->version, error ? buf_cstr(error) : "");
    abort();
}

static void
check_same(const struct ofp_msg *a, const struct ofp_msg *b)
{
    if (a->type == OFPTYPE_FLOW_MOD
        && (!ofmatch_equal(&a->flow_mod.match, &b->flow_mod.match)
            || !ofpacts_equal(&a->flow_mod.ofpacts, &b->flow_mod.ofpacts))) {
        fail("flow mod changed in a round trip", a, NULL);
    }
    if (a->type == OFPTYPE_PACKET_OUT
        && !ofpacts_equal(&a->packet_out.ofpacts, &b->packet_out.ofpacts)) {
        fail("packet out changed in a round trip", a, NULL);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf enc1 = BUF_INITIALIZER, enc2 = BUF_INITIALIZER, error = BUF_INITIALIZER;
    struct ofp_msg m1, m2;
    uint8_t *copy;
    bool table_id;

    if (size < 8 || size > 65535) {
        return 0;
    }
    copy = xmemdup(data, size);
    table_id = copy[0] & 2;
    copy[0] = copy[0] & 1 ? 0x01 : 0x04;
    copy[2] = size >> 8;
    copy[3] = size;
    if (!ofp_decode_ext(copy, size, &m1, table_id)) {
        if (ofp_encode(&m1, &enc1, &error)) {
            fail("decoded message does not encode", &m1, &error);
        }
        if (ofp_decode_ext(enc1.data, enc1.size, &m2, table_id)) {
            fail("encoded message does not decode", &m1, &error);
        }
        check_same(&m1, &m2);
        if (ofp_encode(&m2, &enc2, &error) || enc1.size != enc2.size
            || memcmp(enc1.data, enc2.data, enc1.size)) {
            fail("message encodes differently after a round trip", &m1, &error);
        }
        ofp_msg_uninit(&m2);
    }
    ofp_msg_uninit(&m1);
    free(copy);
    buf_uninit(&enc1);
    buf_uninit(&enc2);
    buf_uninit(&error);
    return 0;
}
