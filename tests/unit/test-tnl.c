/* Unit tests for tnl-config (tunnel port settings) and tnl-header (the
 * VXLAN, Geneve and GRE wire formats). */
#include <arpa/inet.h>
#include <errno.h>

#include "dpactions.h"
#include "flowkey.h"
#include "odp.h"
#include "packet.h"
#include "tnl-config.h"
#include "tnl-header.h"
#include "unit.h"

/* Parses "type=vxlan remote_ip=..." words into a port, then its tunnel
 * settings; returns tnl_config_from_port()'s result, error in 'error'. */
static int
parse(const char *const words[], struct tnl_config *cfg, struct buf *error)
{
    struct sw_port port;
    int retval = 0;

    sw_port_init(&port, "t0");
    for (size_t i = 0; words[i] && !retval; i++) {
        retval = sw_port_set_word(&port, words[i], error);
    }
    if (!retval) {
        retval = tnl_config_from_port(&port, cfg, error);
    }
    sw_port_destroy(&port);
    return retval;
}

static void
test_config_defaults(void)
{
    const char *const words[] = { "type=vxlan", "remote_ip=192.0.2.2", NULL };
    struct buf error = BUF_INITIALIZER;
    struct tnl_config cfg;

    CHECK_INT_EQ(parse(words, &cfg, &error), 0);
    CHECK_INT_EQ(cfg.dst_port, 4789);
    CHECK_INT_EQ(cfg.remote_ip, htonl(0xc0000202));
    CHECK(cfg.out_key.present && !cfg.out_key.flow && cfg.out_key.value == 0);
    CHECK(cfg.df && !cfg.csum && cfg.ttl == 64);
    buf_uninit(&error);
}

static void
test_config_keys(void)
{
    const char *const gre[] = { "type=gre", "remote_ip=192.0.2.2", "key=4294967295",
                                "out_key=flow", NULL };
    const char *const gre_nokey[] = { "type=gre", "remote_ip=192.0.2.2", NULL };
    const char *const geneve[] = { "type=geneve", "remote_ip=flow", "in_key=5",
                                   "dst_port=7000", "ttl=inherit", "csum=true", NULL };
    struct buf error = BUF_INITIALIZER;
    struct tnl_config cfg;

    CHECK_INT_EQ(parse(gre, &cfg, &error), 0);
    CHECK(cfg.in_key.present && cfg.in_key.value == UINT32_MAX && !cfg.in_key.flow);
    CHECK(cfg.out_key.flow);
    CHECK_INT_EQ(cfg.dst_port, 0);
    CHECK_INT_EQ(parse(gre_nokey, &cfg, &error), 0);
    CHECK(!cfg.in_key.present && !cfg.out_key.present);
    CHECK_INT_EQ(parse(geneve, &cfg, &error), 0);
    CHECK(cfg.remote_flow && cfg.in_key.value == 5 && cfg.out_key.value == 0);
    CHECK(cfg.ttl_inherit && cfg.csum && cfg.dst_port == 7000);
    buf_uninit(&error);
}

static void
check_refused(const char *const words[], const char *message)
{
    struct buf error = BUF_INITIALIZER;
    struct tnl_config cfg;

    CHECK_INT_EQ(parse(words, &cfg, &error), EINVAL);
    if (!strstr(buf_cstr(&error), message)) {
        fprintf(stderr, "error \"%s\" lacks \"%s\"\n", buf_cstr(&error), message);
        unit_failed_checks++;
    }
    buf_uninit(&error);
}

static void
test_config_refused(void)
{
    check_refused((const char *const[]) { "type=vxlan", NULL }, "needs remote_ip");
    check_refused((const char *const[]) { "type=vxlan", "remote_ip=x", NULL },
                  "expected an IPv4 address");
    check_refused((const char *const[]) { "type=vxlan", "remote_ip=1.2.3.4",
                                          "key=16777216", NULL }, "0..16777215");
    check_refused((const char *const[]) { "type=gre", "remote_ip=1.2.3.4",
                                          "key=4294967296", NULL }, "0..4294967295");
    check_refused((const char *const[]) { "type=gre", "remote_ip=1.2.3.4",
                                          "dst_port=5", NULL }, "GRE has no UDP port");
    check_refused((const char *const[]) { "type=vxlan", "remote_ip=255.255.255.255", NULL },
                  "unicast");
    check_refused((const char *const[]) { "type=vxlan", "remote_ip=1.2.3.4",
                                          "local_ip=1.2.3.4", NULL }, "ourselves");
    check_refused((const char *const[]) { "type=vxlan", "remote_ip=1.2.3.4", "ttl=0", NULL },
                  "1..255");
    check_refused((const char *const[]) { "type=vxlan", "remote_ip=1.2.3.4", "csum=yes",
                                          NULL }, "true or false");
}

static void
test_config_overlaps(void)
{
    const char *const a[] = { "type=vxlan", "remote_ip=192.0.2.2", "key=5", NULL };
    const char *const b[] = { "type=vxlan", "remote_ip=192.0.2.2", "key=6", NULL };
    const char *const c[] = { "type=vxlan", "remote_ip=192.0.2.2", "key=flow", NULL };
    const char *const d[] = { "type=geneve", "remote_ip=192.0.2.2", "key=5", NULL };
    struct buf error = BUF_INITIALIZER;
    struct tnl_config ca, cb, cc, cd;

    CHECK(!parse(a, &ca, &error) && !parse(b, &cb, &error) && !parse(c, &cc, &error)
          && !parse(d, &cd, &error));
    CHECK(tnl_config_overlaps(&ca, &ca));
    CHECK(!tnl_config_overlaps(&ca, &cb));
    CHECK(tnl_config_overlaps(&ca, &cc));
    CHECK(!tnl_config_overlaps(&ca, &cd));
    buf_uninit(&error);
}

static const uint8_t inner[] = {
    0x02, 0xaa, 0, 0, 0, 2, 0x02, 0xaa, 0, 0, 0, 1, 0x08, 0x00,
    0x45, 0, 0, 21, 0, 0, 0x40, 0, 64, 1, 0, 0, 10, 1, 0, 1, 10, 1, 0, 2, 0x42,
};

static void
build(enum sw_port_type type, uint16_t flags, uint64_t key, uint8_t *frame, size_t *size)
{
    struct tnl_build b;

    memset(&b, 0, sizeof b);
    b.type = type;
    b.md.tun_id = key;
    b.md.ip_src = htonl(0xc0000201);
    b.md.ip_dst = htonl(0xc0000202);
    b.md.ttl = 64;
    b.md.tos = 0x10;
    b.md.flags = flags;
    b.udp_src = 50000;
    b.udp_dst = type == SW_PORT_VXLAN ? 4789 : 6081;
    *size = tnl_build_outer(&b, inner, sizeof inner, frame);
    CHECK_INT_EQ(*size, tnl_outer_size(&b));
    memcpy(frame + *size, inner, sizeof inner);
    *size += sizeof inner;
}

static void
test_vxlan_geneve_roundtrip(void)
{
    enum sw_port_type types[] = { SW_PORT_VXLAN, SW_PORT_GENEVE };

    for (size_t i = 0; i < 2; i++) {
        uint8_t frame[128];
        struct tnl_md md;
        size_t size, ofs;
        uint16_t udp_len;

        build(types[i], FLOWKEY_TUN_KEY | FLOWKEY_TUN_DF | FLOWKEY_TUN_CSUM, 0xabcdef, frame,
              &size);
        CHECK_INT_EQ(size, 50 + sizeof inner);
        CHECK(frame[12] == 0x08 && frame[13] == 0x00 && frame[14] == 0x45);
        CHECK_INT_EQ(frame[15], 0x10);
        CHECK_INT_EQ(frame[20] & 0x40, 0x40);               /* DF. */
        CHECK_INT_EQ(frame[23], 17);
        CHECK_INT_EQ(csum(frame + 14, 20), 0);              /* IPv4 checksum. */
        memcpy(&udp_len, frame + 38, 2);
        CHECK_INT_EQ(ntohs(udp_len), size - 34);
        /* UDP checksum with the pseudo-header sums to 0. */
        CHECK_INT_EQ(csum_finish(csum_partial(frame + 34, size - 34,
                                              csum_pseudo_ipv4(htonl(0xc0000201),
                                                               htonl(0xc0000202), 17,
                                                               size - 34))), 0);
        CHECK_INT_EQ(tnl_parse_udp_payload(types[i], frame + 42, size - 42, &md, &ofs), 0);
        CHECK_INT_EQ(ofs, 8);
        CHECK_INT_EQ(md.tun_id, 0xabcdef);
        CHECK(md.flags & FLOWKEY_TUN_KEY);
        /* Too short for an inner Ethernet header: dropped. */
        CHECK_INT_EQ(tnl_parse_udp_payload(types[i], frame + 42, 8 + 13, &md, &ofs), EINVAL);
    }
}

static void
test_geneve_options(void)
{
    uint8_t payload[8 + 8 + sizeof inner];
    struct tnl_md md;
    size_t ofs;

    memset(payload, 0, sizeof payload);
    payload[0] = 2;                         /* Two words of options. */
    payload[2] = 0x65;
    payload[3] = 0x58;
    payload[6] = 7;
    memcpy(payload + 16, inner, sizeof inner);
    CHECK_INT_EQ(tnl_parse_udp_payload(SW_PORT_GENEVE, payload, sizeof payload, &md, &ofs), 0);
    CHECK_INT_EQ(ofs, 16);
    CHECK_INT_EQ(md.tun_id, 7);
    CHECK_INT_EQ(md.geneve_opts_size, 8);
    CHECK(md.geneve_opts == payload + 8);
    payload[1] = 0x40;                      /* C bit, no critical option. */
    CHECK_INT_EQ(tnl_parse_udp_payload(SW_PORT_GENEVE, payload, sizeof payload, &md, &ofs),
                 EBADMSG);
    CHECK_INT_EQ(md.tun_id, 7);             /* Still says which port. */
    payload[10] = 0x80;                     /* Now the first option is critical. */
    CHECK_INT_EQ(tnl_parse_udp_payload(SW_PORT_GENEVE, payload, sizeof payload, &md, &ofs), 0);
    payload[1] = 0;                         /* Critical option, no C bit. */
    CHECK_INT_EQ(tnl_parse_udp_payload(SW_PORT_GENEVE, payload, sizeof payload, &md, &ofs),
                 EBADMSG);
    payload[10] = 0;
    payload[11] = 1;                        /* First option: 4 value bytes ... */
    CHECK_INT_EQ(tnl_parse_udp_payload(SW_PORT_GENEVE, payload, sizeof payload, &md, &ofs), 0);
    payload[11] = 2;                        /* ... 8: past the option list. */
    CHECK_INT_EQ(tnl_parse_udp_payload(SW_PORT_GENEVE, payload, sizeof payload, &md, &ofs),
                 EBADMSG);
    payload[11] = 0x1f;                     /* 124: far past it. */
    CHECK_INT_EQ(tnl_parse_udp_payload(SW_PORT_GENEVE, payload, sizeof payload, &md, &ofs),
                 EBADMSG);
    payload[11] = 0;
    payload[1] = 0;
    payload[0] = 0x40 | 2;                  /* Version 1: drop. */
    CHECK_INT_EQ(tnl_parse_udp_payload(SW_PORT_GENEVE, payload, sizeof payload, &md, &ofs),
                 EINVAL);
    payload[0] = 63;                        /* Options past the end. */
    CHECK_INT_EQ(tnl_parse_udp_payload(SW_PORT_GENEVE, payload, sizeof payload, &md, &ofs),
                 EINVAL);
}

static void
test_gre_roundtrip(void)
{
    uint8_t frame[128];
    struct tnl_md md;
    size_t size, ofs;

    build(SW_PORT_GRE, FLOWKEY_TUN_KEY | FLOWKEY_TUN_CSUM, 0xfffffffe, frame, &size);
    CHECK_INT_EQ(size, 14 + 20 + 12 + sizeof inner);
    CHECK_INT_EQ(frame[23], 47);
    CHECK_INT_EQ(csum(frame + 34, size - 34), 0);           /* GRE checksum. */
    CHECK_INT_EQ(tnl_parse_gre(frame + 14, size - 14, &md, &ofs), 0);
    CHECK_INT_EQ(ofs, 32);
    CHECK_INT_EQ(md.tun_id, 0xfffffffe);
    CHECK(md.flags & FLOWKEY_TUN_KEY && md.flags & FLOWKEY_TUN_CSUM);
    CHECK_INT_EQ(md.ip_src, htonl(0xc0000201));
    CHECK_INT_EQ(md.ttl, 64);
    frame[size - 1] ^= 1;                                   /* Bad checksum. */
    CHECK_INT_EQ(tnl_parse_gre(frame + 14, size - 14, &md, &ofs), EINVAL);

    build(SW_PORT_GRE, 0, 0, frame, &size);                 /* No key, no csum. */
    CHECK_INT_EQ(size, 14 + 20 + 4 + sizeof inner);
    CHECK_INT_EQ(tnl_parse_gre(frame + 14, size - 14, &md, &ofs), 0);
    CHECK(!(md.flags & FLOWKEY_TUN_KEY));
    frame[34] |= 0x40;                                      /* Routing bit. */
    CHECK_INT_EQ(tnl_parse_gre(frame + 14, size - 14, &md, &ofs), EINVAL);
    frame[34] &= ~0x40;
    frame[20] |= 0x20;                                      /* A fragment. */
    CHECK_INT_EQ(tnl_parse_gre(frame + 14, size - 14, &md, &ofs), EINVAL);
}

/* set(tunnel(...)) prints the way it parses, and bad fields are refused. */
static void
test_odp_set_tunnel(void)
{
    const char *text = "set(tunnel(tun_id=0x64,src=192.0.2.1,dst=192.0.2.2,tos=0,ttl=64,"
                       "flags(df|csum))),2";
    struct dp_actions actions = DP_ACTIONS_INITIALIZER;
    struct buf out = BUF_INITIALIZER, error = BUF_INITIALIZER;

    CHECK_INT_EQ(odp_parse_actions(text, &actions, &error), 0);
    odp_format_actions(&out, actions.data, actions.size);
    CHECK_STR_EQ(buf_cstr(&out), text);
    dp_actions_clear(&actions);
    CHECK(odp_parse_actions("set(tunnel(dst=300.1.1.1)),2", &actions, &error) != 0);
    CHECK(odp_parse_actions("set(tunnel(flags(bogus))),2", &actions, &error) != 0);
    dp_actions_uninit(&actions);
    buf_uninit(&out);
    buf_uninit(&error);
}

UNIT_MAIN("tnl", UNIT_TEST(test_odp_set_tunnel), UNIT_TEST(test_config_defaults), UNIT_TEST(test_config_keys),
          UNIT_TEST(test_config_refused), UNIT_TEST(test_config_overlaps),
          UNIT_TEST(test_vxlan_geneve_roundtrip), UNIT_TEST(test_geneve_options),
          UNIT_TEST(test_gre_roundtrip))
