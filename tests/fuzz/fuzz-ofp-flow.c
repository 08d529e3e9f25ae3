/* libFuzzer target for the ovs-ofctl flow parser (ofp-parse.c): arbitrary
 * text must parse or fail with a message; a flow that parses must print
 * (ofp-print.c) as text that parses back to the same flow, and encode in
 * OpenFlow 1.3 and decode to the same match and actions. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofp-parse.h"
#include "ofp-print.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *input, const char *text)
{
    fprintf(stderr, "fuzz-ofp-flow: %s\n  input: %s\n  text: %s\n", what, input, text);
    abort();
}

static void
check_wire(const char *input, const struct ofp_flow_mod *fm)
{
    struct buf enc = BUF_INITIALIZER, error = BUF_INITIALIZER;
    struct ofp_msg m, d;

    ofp_msg_init(&m, OFPTYPE_FLOW_MOD, OFP13_VERSION, 1);
    m.flow_mod = *fm;
    if (!ofp_encode(&m, &enc, &error)) {
        if (ofp_decode(enc.data, enc.size, &d)) {
            fail("encoded flow does not decode", input, "");
        }
        if (!ofmatch_equal(&d.flow_mod.match, &fm->match)) {
            fail("match changed on the wire", input, "");
        }
        ofp_msg_uninit(&d);
    }
    buf_uninit(&enc);
    buf_uninit(&error);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf text = BUF_INITIALIZER, error = BUF_INITIALIZER;
    struct ofp_flow_mod fm, fm2;
    char *input = xmalloc(size + 1);

    memcpy(input, data, size);
    input[size] = '\0';
    if (ofp_parse_flow(input, OFP_PARSE_ADD, NULL, &fm, &error)) {
        if (!error.size) {
            fail("flow rejected without a message", input, "");
        }
    } else {
        ofp_format_flow_mod(&text, &fm, NULL);
        if (ofp_parse_flow(buf_cstr(&text), OFP_PARSE_ADD, NULL, &fm2, &error)) {
            fail("printed flow does not parse", input, buf_cstr(&error));
        } else if (!ofmatch_equal(&fm.match, &fm2.match) || !ofpacts_equal(&fm.ofpacts, &fm2.ofpacts)
                   || fm.priority != fm2.priority || fm.cookie != fm2.cookie) {
            fail("flow changed in a round trip", input, buf_cstr(&text));
        }
        ofpacts_uninit(&fm2.ofpacts);
        check_wire(input, &fm);
        ofpacts_uninit(&fm.ofpacts);
    }
    free(input);
    buf_uninit(&text);
    buf_uninit(&error);
    return 0;
}
