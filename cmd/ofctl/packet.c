/* ofctl: packet-out, and the live views monitor (packet-ins, flow
 * removals, port changes) and snoop (every message the switch sends on
 * this connection, echoes included). */
#include "ofctl.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofp-print.h"

static bool
parse_hex(const char *s, struct buf *out)
{
    while (*s) {
        unsigned int byte;

        if (isspace((unsigned char) *s) || *s == ':' || *s == '.') {
            s++;
            continue;
        } else if (!isxdigit((unsigned char) s[0]) || !isxdigit((unsigned char) s[1])
                   || sscanf(s, "%2x", &byte) != 1) {
            return false;
        }
        buf_put_char(out, (char) byte);
        s += 2;
    }
    return true;
}

int
ofctl_packet_out(struct ofctl *ctx, int argc, char *argv[])
{
    struct buf error = BUF_INITIALIZER, packet = BUF_INITIALIZER, enc = BUF_INITIALIZER;
    struct ofp_msg m;
    int status = ofctl_open(ctx, argv[1]);

    if (status) {
        return status;
    }
    ofp_msg_init(&m, OFPTYPE_PACKET_OUT, ctx->version, ofctl_xid(ctx));
    if (ofp_parse_port(argv[2], ofctl_port_map(ctx), &m.packet_out.in_port, &error)
        || ofp_parse_actions(argv[3], ofctl_port_map(ctx), &m.packet_out.ofpacts, &error)) {
        status = ofctl_error(OFCTL_USAGE, "%s", buf_cstr(&error));
    } else if (argc > 4 && !parse_hex(argv[4], &packet)) {
        status = ofctl_error(OFCTL_USAGE, "%s: expected the packet in hex", argv[4]);
    } else {
        if (packet.size) {
            m.packet_out.data = xmemdup(packet.data, packet.size);
            m.packet_out.size = packet.size;
        }
        if (ofp_encode(&m, &enc, &error)) {
            status = ofctl_error(OFCTL_FAILED, "%s", buf_cstr(&error));
        } else {
            status = ofctl_send_batch(ctx, &enc, 1, m.xid, NULL);
        }
    }
    ofp_msg_uninit(&m);
    buf_uninit(&error);
    buf_uninit(&packet);
    buf_uninit(&enc);
    return status;
}

/* Prints every message that arrives until the switch hangs up. */
static int
print_messages(struct ofctl *ctx, bool all)
{
    struct buf raw = BUF_INITIALIZER, text = BUF_INITIALIZER;
    int e;

    while (!(e = ofp_conn_recv_block(ctx->conn, &raw, -1))) {
        struct ofp_msg m;
        int error = ofp_decode(raw.data, raw.size, &m);

        buf_clear(&text);
        if (error) {
            buf_printf(&text, "undecodable message (%zu bytes): ", raw.size);
            ofp_error_format(&text, error);
            buf_put_char(&text, '\n');
        } else {
            if (m.type == OFPTYPE_ECHO_REQUEST) {
                struct ofp_msg reply;

                ofp_msg_init(&reply, OFPTYPE_ECHO_REPLY, m.version, m.xid);
                ofp_conn_send_msg(ctx->conn, &reply, NULL);
            }
            if (all || (m.type != OFPTYPE_ECHO_REQUEST && m.type != OFPTYPE_ECHO_REPLY
                        && m.type != OFPTYPE_BARRIER_REPLY)) {
                ofp_format_msg(&text, &m, ofctl_port_map(ctx));
            }
            ofp_msg_uninit(&m);
        }
        fputs(buf_cstr(&text), stdout);
        fflush(stdout);
    }
    buf_uninit(&raw);
    buf_uninit(&text);
    return e == EOF ? 0 : ofctl_error(OFCTL_FAILED, "%s: %s", ctx->switch_name, strerror(e));
}

int
ofctl_monitor(struct ofctl *ctx, int argc, char *argv[])
{
    struct ofp_msg config;
    unsigned int miss_len = 0xffff;
    int status;

    if (argc > 2 && !str_to_uint(argv[2], 0, 0xffff, &miss_len)) {
        return ofctl_error(OFCTL_USAGE, "monitor: \"%s\": expected a miss length 0-65535",
                           argv[2]);
    }
    status = ofctl_open(ctx, argv[1]);
    if (status) {
        return status;
    }
    ofp_msg_init(&config, OFPTYPE_SET_CONFIG, ctx->version, ofctl_xid(ctx));
    config.config.miss_send_len = miss_len;
    ofp_conn_send_msg(ctx->conn, &config, NULL);
    return print_messages(ctx, false);
}

int
ofctl_snoop(struct ofctl *ctx, int argc, char *argv[])
{
    int status = ofctl_open(ctx, argv[1]);

    return status ? status : print_messages(ctx, true);
}
