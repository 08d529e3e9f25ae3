/* ofctl: switch, port and table commands: show, dump-ports,
 * dump-port-desc, dump-tables, mod-port. Text output follows ovs-ofctl's
 * layout; --format=json gives the same facts as JSON. */
#include "ofctl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "ofp-print.h"

static const char *
version_tag(const struct ofctl *ctx)
{
    return ctx->version == OFP10_VERSION ? "" : " (OF1.3)";
}

static void
print_port_text(struct buf *out, const struct ofp_port *p)
{
    buf_put_char(out, ' ');
    ofp_format_port(out, p->port_no, NULL);
    buf_printf(out, "(%s): addr:", p->name);
    ofp_format_mac(out, p->hw_addr);
    buf_printf(out, "\n     config:     %s\n     state:      %s\n",
               p->config & OFPPC_PORT_DOWN ? "PORT_DOWN" : "0",
               p->state & OFPPS_LINK_DOWN ? "LINK_DOWN" : "0");
    buf_printf(out, "     speed: %" PRIu32 " Mbps now, %" PRIu32 " Mbps max\n",
               p->curr_speed / 1000, p->max_speed / 1000);
}

static void
port_to_json(struct json_writer *j, const struct ofp_port *p)
{
    struct buf text = BUF_INITIALIZER;

    json_object_begin(j);
    ofp_format_port(&text, p->port_no, NULL);
    json_kv_string(j, "port", buf_cstr(&text));
    json_kv_string(j, "name", p->name);
    buf_clear(&text);
    ofp_format_mac(&text, p->hw_addr);
    json_kv_string(j, "hw_addr", buf_cstr(&text));
    json_kv_bool(j, "port_down", p->config & OFPPC_PORT_DOWN);
    json_kv_bool(j, "link_down", p->state & OFPPS_LINK_DOWN);
    json_kv_uint(j, "curr_speed_kbps", p->curr_speed);
    json_kv_uint(j, "max_speed_kbps", p->max_speed);
    json_object_end(j);
    buf_uninit(&text);
}

int
ofctl_show(struct ofctl *ctx, int argc, char *argv[])
{
    struct ofp_msg req, *features, *config;
    struct ofp_port *ports;
    size_t n_features, n_config, n_ports;
    struct buf out = BUF_INITIALIZER;
    int status = ofctl_open(ctx, argv[1]);

    if (status) {
        return status;
    }
    ofp_msg_init(&req, OFPTYPE_FEATURES_REQUEST, ctx->version, 0);
    status = ofctl_transact(ctx, &req, &features, &n_features);
    if (status) {
        return status;
    }
    status = ofctl_get_ports(ctx, &ports, &n_ports);
    ofp_msg_init(&req, OFPTYPE_GET_CONFIG_REQUEST, ctx->version, 0);
    if (!status) {
        status = ofctl_transact(ctx, &req, &config, &n_config);
    }
    if (!status) {
        const struct ofp_features *f = &features[0].features;

        if (ctx->json) {
            struct json_writer j;
            char dpid[17];

            json_writer_init(&j, &out);
            json_object_begin(&j);
            snprintf(dpid, sizeof dpid, "%016" PRIx64, f->datapath_id);
            json_kv_string(&j, "dpid", dpid);
            json_kv_uint(&j, "n_tables", f->n_tables);
            json_kv_uint(&j, "n_buffers", f->n_buffers);
            json_kv_uint(&j, "capabilities", f->capabilities);
            json_kv_uint(&j, "miss_send_len", config[0].config.miss_send_len);
            json_key(&j, "ports");
            json_array_begin(&j);
            for (size_t i = 0; i < n_ports; i++) {
                port_to_json(&j, &ports[i]);
            }
            json_array_end(&j);
            json_object_end(&j);
            buf_put_char(&out, '\n');
        } else {
            buf_printf(&out, "OFPT_FEATURES_REPLY%s (xid=0x%" PRIx32 "): dpid:%016" PRIx64
                       "\nn_tables:%u, n_buffers:%" PRIu32 "\ncapabilities: 0x%" PRIx32 "\n",
                       version_tag(ctx), features[0].xid, f->datapath_id, f->n_tables,
                       f->n_buffers, f->capabilities);
            for (size_t i = 0; i < n_ports; i++) {
                print_port_text(&out, &ports[i]);
            }
            buf_printf(&out, "OFPT_GET_CONFIG_REPLY%s (xid=0x%" PRIx32 "): frags=%s "
                       "miss_send_len=%u\n", version_tag(ctx), config[0].xid,
                       (config[0].config.flags & OFPC_FRAG_MASK) ? "drop" : "normal",
                       config[0].config.miss_send_len);
        }
        fputs(buf_cstr(&out), stdout);
        ofctl_free_replies(config, n_config);
    }
    free(ports);
    ofctl_free_replies(features, n_features);
    buf_uninit(&out);
    return status;
}

int
ofctl_dump_port_desc(struct ofctl *ctx, int argc, char *argv[])
{
    struct buf out = BUF_INITIALIZER;
    struct ofp_port *ports;
    size_t n;
    int status = ofctl_open(ctx, argv[1]);

    if (status || (status = ofctl_get_ports(ctx, &ports, &n))) {
        return status;
    }
    if (ctx->json) {
        struct json_writer j;

        json_writer_init(&j, &out);
        json_array_begin(&j);
        for (size_t i = 0; i < n; i++) {
            port_to_json(&j, &ports[i]);
        }
        json_array_end(&j);
        buf_put_char(&out, '\n');
    } else {
        buf_printf(&out, "OFPST_PORT_DESC reply%s:\n", version_tag(ctx));
        for (size_t i = 0; i < n; i++) {
            print_port_text(&out, &ports[i]);
        }
    }
    fputs(buf_cstr(&out), stdout);
    free(ports);
    buf_uninit(&out);
    return 0;
}

static void
port_stats_to_json(struct json_writer *j, const struct ofp_port_stats *s)
{
    struct buf port = BUF_INITIALIZER;

    ofp_format_port(&port, s->port_no, NULL);
    json_object_begin(j);
    json_kv_string(j, "port", buf_cstr(&port));
    json_kv_uint(j, "rx_packets", s->rx_packets);
    json_kv_uint(j, "rx_bytes", s->rx_bytes);
    json_kv_uint(j, "rx_dropped", s->rx_dropped);
    json_kv_uint(j, "rx_errors", s->rx_errors);
    json_kv_uint(j, "tx_packets", s->tx_packets);
    json_kv_uint(j, "tx_bytes", s->tx_bytes);
    json_kv_uint(j, "tx_dropped", s->tx_dropped);
    json_kv_uint(j, "tx_errors", s->tx_errors);
    json_kv_uint(j, "collisions", s->collisions);
    json_object_end(j);
    buf_uninit(&port);
}

static void
port_stats_text(struct buf *out, const struct ofp_port_stats *s)
{
    buf_put_cstr(out, "  port ");
    ofp_format_port(out, s->port_no, NULL);
    buf_printf(out, ": rx pkts=%" PRIu64 ", bytes=%" PRIu64 ", drop=%" PRIu64 ", errs=%" PRIu64
               ", frame=%" PRIu64 ", over=%" PRIu64 ", crc=%" PRIu64 "\n"
               "           tx pkts=%" PRIu64 ", bytes=%" PRIu64 ", drop=%" PRIu64 ", errs=%"
               PRIu64 ", coll=%" PRIu64 "\n", s->rx_packets, s->rx_bytes, s->rx_dropped,
               s->rx_errors, s->rx_frame_err, s->rx_over_err, s->rx_crc_err, s->tx_packets,
               s->tx_bytes, s->tx_dropped, s->tx_errors, s->collisions);
}

int
ofctl_dump_ports(struct ofctl *ctx, int argc, char *argv[])
{
    struct buf out = BUF_INITIALIZER, error = BUF_INITIALIZER;
    struct ofp_msg req, *replies;
    struct json_writer j;
    size_t n, total = 0;
    int status = ofctl_open(ctx, argv[1]);

    if (status) {
        return status;
    }
    ofp_msg_init(&req, OFPTYPE_PORT_STATS_REQUEST, ctx->version, 0);
    if (argc > 2 && ofp_parse_port(argv[2], ofctl_port_map(ctx), &req.port_stats_port, &error)) {
        status = ofctl_error(OFCTL_USAGE, "%s", buf_cstr(&error));
        buf_uninit(&error);
        return status;
    }
    status = ofctl_transact(ctx, &req, &replies, &n);
    if (status) {
        return status;
    }
    json_writer_init(&j, &out);
    if (ctx->json) {
        json_array_begin(&j);
    }
    for (size_t i = 0; i < n; i++) {
        total += replies[i].port_stats.n;
        for (size_t k = 0; k < replies[i].port_stats.n; k++) {
            if (ctx->json) {
                port_stats_to_json(&j, &replies[i].port_stats.ports[k]);
            } else {
                port_stats_text(&out, &replies[i].port_stats.ports[k]);
            }
        }
    }
    if (ctx->json) {
        json_array_end(&j);
        buf_put_char(&out, '\n');
    } else {
        printf("OFPST_PORT reply%s (xid=0x%" PRIx32 "): %zu ports\n", version_tag(ctx),
               replies[0].xid, total);
    }
    fputs(buf_cstr(&out), stdout);
    ofctl_free_replies(replies, n);
    buf_uninit(&out);
    buf_uninit(&error);
    return 0;
}

int
ofctl_dump_tables(struct ofctl *ctx, int argc, char *argv[])
{
    struct ofp_msg req, *replies;
    size_t n;
    int status = ofctl_open(ctx, argv[1]);

    if (status) {
        return status;
    }
    ofp_msg_init(&req, OFPTYPE_TABLE_STATS_REQUEST, ctx->version, 0);
    status = ofctl_transact(ctx, &req, &replies, &n);
    if (status) {
        return status;
    }
    printf("OFPST_TABLE reply%s (xid=0x%" PRIx32 "):\n", version_tag(ctx), replies[0].xid);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < replies[i].table_stats.n; k++) {
            const struct ofp_table_stats *t = &replies[i].table_stats.tables[k];

            if (!t->active_count && !t->lookup_count && t->table_id) {
                continue;       /* Like ovs-ofctl: skip unused tables. */
            }
            printf("  table %u%s%s%s: active=%" PRIu32 ", lookup=%" PRIu64 ", matched=%" PRIu64
                   "\n", t->table_id, t->name[0] ? " (\"" : "", t->name,
                   t->name[0] ? "\")" : "", t->active_count, t->lookup_count, t->matched_count);
        }
    }
    ofctl_free_replies(replies, n);
    return 0;
}

int
ofctl_mod_port(struct ofctl *ctx, int argc, char *argv[])
{
    static const struct { const char *name; uint32_t bit; bool set; } mods[] = {
        { "up", OFPPC_PORT_DOWN, false }, { "down", OFPPC_PORT_DOWN, true },
        { "flood", OFPPC_NO_FWD, false }, { "noflood", OFPPC_NO_FWD, true },
        { "forward", OFPPC_NO_FWD, false }, { "noforward", OFPPC_NO_FWD, true },
        { "receive", OFPPC_NO_RECV, false }, { "noreceive", OFPPC_NO_RECV, true },
        { "packet-in", OFPPC_NO_PACKET_IN, false }, { "no-packet-in", OFPPC_NO_PACKET_IN, true },
    };
    struct buf error = BUF_INITIALIZER, enc = BUF_INITIALIZER;
    struct ofp_port *ports;
    const struct ofp_port *port = NULL;
    struct ofp_msg m;
    size_t n, mod;
    uint32_t port_no;
    int status;

    for (mod = 0; mod < ARRAY_SIZE(mods) && strcmp(mods[mod].name, argv[3]); mod++) {
        continue;
    }
    if (mod == ARRAY_SIZE(mods)) {
        return ofctl_error(OFCTL_USAGE, "mod-port: \"%s\": expected up, down, flood, noflood, "
                           "receive, noreceive, packet-in or no-packet-in", argv[3]);
    }
    status = ofctl_open(ctx, argv[1]);
    if (status || (status = ofctl_get_ports(ctx, &ports, &n))) {
        return status;
    }
    for (size_t i = 0; i < n; i++) {
        char number[16];

        snprintf(number, sizeof number, "%" PRIu32, ports[i].port_no);
        if (!strcmp(ports[i].name, argv[2]) || !strcmp(number, argv[2])
            || (ports[i].port_no == OFPP13_LOCAL && !strcasecmp(argv[2], "LOCAL"))) {
            port = &ports[i];
        }
    }
    if (!port) {
        free(ports);
        return ofctl_error(OFCTL_FAILED, "%s: no port \"%s\"", argv[1], argv[2]);
    }
    port_no = port->port_no;
    ofp_msg_init(&m, OFPTYPE_PORT_MOD, ctx->version, ofctl_xid(ctx));
    m.port_mod.port_no = port_no;
    memcpy(m.port_mod.hw_addr, port->hw_addr, 6);
    m.port_mod.mask = mods[mod].bit;
    m.port_mod.config = mods[mod].set ? mods[mod].bit : 0;
    free(ports);
    if (ofp_encode(&m, &enc, &error)) {
        status = ofctl_error(OFCTL_FAILED, "%s", buf_cstr(&error));
    } else {
        status = ofctl_send_batch(ctx, &enc, 1, m.xid, NULL);
    }
    buf_uninit(&enc);
    buf_uninit(&error);
    return status;
}
