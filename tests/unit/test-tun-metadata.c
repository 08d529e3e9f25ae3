/* Unit tests for tun-metadata (the TLV map and Geneve options as flow key
 * fields) and for Geneve options in tnl-header's encapsulation. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "flowkey.h"
#include "packet.h"
#include "tnl-header.h"
#include "tun-metadata.h"
#include "unit.h"

/* Adds 'text' to 'map'; returns the result, the message in 'error'. */
static enum tun_md_error
add(struct tun_md_map *map, const char *text, struct buf *error)
{
    struct tun_md_mapping ms[TUN_MD_N_FIELDS];
    size_t n;

    buf_clear(error);
    if (tun_md_parse_mappings(text, ms, TUN_MD_N_FIELDS, &n, error)) {
        return TUN_MD_BAD_INDEX + 100;
    }
    return tun_md_map_add(map, ms, n, error);
}

static void
test_parse(void)
{
    struct tun_md_mapping ms[TUN_MD_N_FIELDS];
    struct buf error = BUF_INITIALIZER, out = BUF_INITIALIZER;
    size_t n;

    CHECK_INT_EQ(tun_md_parse_mappings("{class=0xffff,type=0x80,len=4}->tun_metadata0,"
                                       "{class=0x102,type=1,len=8}->tun_metadata7",
                                       ms, TUN_MD_N_FIELDS, &n, &error), 0);
    CHECK_INT_EQ(n, 2);
    CHECK_INT_EQ(ms[0].option.opt_class, 0xffff);
    CHECK_INT_EQ(ms[0].option.opt_type, 0x80);
    CHECK_INT_EQ(ms[0].option.opt_len, 4);
    CHECK_INT_EQ(ms[0].index, 0);
    CHECK_INT_EQ(ms[1].index, 7);
    tun_md_format_mapping(&ms[1], &out);
    CHECK_STR_EQ(buf_cstr(&out), "{class=0x102,type=0x1,len=8}->tun_metadata7");
    const char *bad[] = {
        "", "{class=1,type=2}->tun_metadata0", "{class=0x10000,type=1,len=4}->tun_metadata0",
        "{class=1,type=256,len=4}->tun_metadata0", "{class=1,type=1,len=4}->tun_metadata",
        "{class=1,type=1,len=4}->reg0", "{class=1,type=1,len=4", "{color=1}",
        "{class=1,type=1,len=4}x", "{class=1,type=1,len=4}->tun_metadata0,",
        "{class=1,type=1,len=125}->tun_metadata0", "{class=1,type=2,len=4}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        buf_clear(&error);
        CHECK_INT_EQ(tun_md_parse_mappings(bad[i], ms, TUN_MD_N_FIELDS, &n, &error), EINVAL);
        CHECK(strstr(buf_cstr(&error), "expected {class=") != NULL);
    }
    buf_uninit(&error);
    buf_uninit(&out);
}

static void
test_map_add_del(void)
{
    struct buf error = BUF_INITIALIZER;
    struct tun_md_map map;
    struct tun_md_mapping del;
    size_t n;

    memset(&map, 0, sizeof map);
    CHECK_INT_EQ(add(&map, "{class=0xffff,type=0x80,len=4}->tun_metadata0", &error), TUN_MD_OK);
    CHECK_INT_EQ(map.mapped, 1);
    CHECK_INT_EQ(add(&map, "{class=0xffff,type=0x81,len=4}->tun_metadata0", &error),
                 TUN_MD_ALREADY_MAPPED);
    CHECK(strstr(buf_cstr(&error), "already mapped") != NULL);
    CHECK_INT_EQ(add(&map, "{class=0xffff,type=0x80,len=4}->tun_metadata1", &error),
                 TUN_MD_DUP_ENTRY);
    CHECK_INT_EQ(add(&map, "{class=1,type=1,len=6}->tun_metadata1", &error), TUN_MD_BAD_LEN);
    CHECK_INT_EQ(add(&map, "{class=1,type=1,len=12}->tun_metadata1", &error), TUN_MD_BAD_LEN);
    CHECK_INT_EQ(add(&map, "{class=1,type=1,len=4}->tun_metadata8", &error), TUN_MD_BAD_INDEX);
    /* All or nothing: the second one fails, the first is not added. */
    CHECK_INT_EQ(add(&map, "{class=1,type=1,len=4}->tun_metadata1,"
                           "{class=1,type=2,len=4}->tun_metadata0", &error),
                 TUN_MD_ALREADY_MAPPED);
    CHECK_INT_EQ(map.mapped, 1);
    CHECK_INT_EQ(add(&map, "{class=1,type=1,len=8}->tun_metadata3", &error), TUN_MD_OK);
    CHECK_INT_EQ(map.mapped, 9);

    /* Delete by index; an unmapped index is ignored, a bad one refused. */
    CHECK_INT_EQ(tun_md_parse_mappings("{class=1,type=1,len=8}->tun_metadata3", &del, 1, &n,
                                       &error), 0);
    CHECK_INT_EQ(tun_md_map_del(&map, &del, 1, &error), TUN_MD_OK);
    CHECK_INT_EQ(map.mapped, 1);
    CHECK_INT_EQ(tun_md_map_del(&map, &del, 1, &error), TUN_MD_OK);
    CHECK_INT_EQ(map.mapped, 1);
    del.index = 8;
    CHECK_INT_EQ(tun_md_map_del(&map, &del, 1, &error), TUN_MD_BAD_INDEX);
    buf_uninit(&error);
}

/* Options: {0xffff,0x80,4: 0x0000000a}, {0x0102,0x01,0: -}, {0x0102,0x02,8}. */
static const uint8_t opts[] = {
    0xff, 0xff, 0x80, 1, 0, 0, 0, 0x0a,
    0x01, 0x02, 0x01, 0,
    0x01, 0x02, 0x02, 2, 1, 2, 3, 4, 5, 6, 7, 8,
};

static void
test_from_geneve(void)
{
    struct buf error = BUF_INITIALIZER;
    struct tun_md_map map;
    struct flowkey key;

    memset(&map, 0, sizeof map);
    memset(&key, 0, sizeof key);
    /* A critical option that is not mapped: drop. */
    CHECK(tun_md_geneve_opts_valid(opts, sizeof opts));
    CHECK_INT_EQ(tun_md_from_geneve(&map, opts, sizeof opts, &key), EINVAL);
    CHECK_INT_EQ(add(&map, "{class=0xffff,type=0x80,len=4}->tun_metadata0,"
                           "{class=0x102,type=2,len=8}->tun_metadata5", &error), TUN_MD_OK);
    CHECK_INT_EQ(tun_md_from_geneve(&map, opts, sizeof opts, &key), 0);
    CHECK_INT_EQ(key.tun_md_present, 0x21);
    CHECK(!memcmp(key.tun_metadata[0], "\0\0\0\0\0\0\0\x0a", 8));
    CHECK(!memcmp(key.tun_metadata[5], "\1\2\3\4\5\6\7\x08", 8));

    /* Mapped with another length: not understood, and critical. */
    memset(&map, 0, sizeof map);
    CHECK_INT_EQ(add(&map, "{class=0xffff,type=0x80,len=8}->tun_metadata0", &error), TUN_MD_OK);
    CHECK_INT_EQ(tun_md_from_geneve(&map, opts, sizeof opts, &key), EINVAL);

    /* Truncated lists. */
    for (size_t size = 1; size < sizeof opts; size++) {
        bool at_boundary = size == 8 || size == 12;

        CHECK(tun_md_geneve_opts_valid(opts, size) == at_boundary);
    }
    buf_uninit(&error);
}

static void
test_to_geneve(void)
{
    struct buf error = BUF_INITIALIZER;
    uint8_t out[TUN_MD_GENEVE_MAX];
    struct flowkey key, wc, back;
    struct tun_md_map map;

    memset(&map, 0, sizeof map);
    memset(&key, 0, sizeof key);
    memset(&wc, 0, sizeof wc);
    CHECK_INT_EQ(add(&map, "{class=0xffff,type=0x80,len=4}->tun_metadata0,"
                           "{class=0x102,type=2,len=8}->tun_metadata5,"
                           "{class=0x102,type=3,len=4}->tun_metadata6", &error), TUN_MD_OK);
    CHECK_INT_EQ(tun_md_to_geneve(&map, &key, &wc, out), 0);   /* None present. */
    CHECK_INT_EQ(wc.tun_md_present, map.mapped);
    key.tun_metadata[0][7] = 0x0a;
    memcpy(key.tun_metadata[5], "\1\2\3\4\5\6\7\x08", 8);
    key.tun_md_present = 0x21;
    CHECK_INT_EQ(tun_md_to_geneve(&map, &key, &wc, out), 20);
    CHECK(!memcmp(out, opts, 8) && !memcmp(out + 8, opts + 12, 12));
    CHECK(!memcmp(wc.tun_metadata[0], "\0\0\0\0\xff\xff\xff\xff", 8));
    memset(&back, 0, sizeof back);
    CHECK_INT_EQ(tun_md_from_geneve(&map, out, 20, &back), 0);
    CHECK(!memcmp(back.tun_metadata, key.tun_metadata, sizeof key.tun_metadata));
    CHECK_INT_EQ(back.tun_md_present, key.tun_md_present);
    buf_uninit(&error);
}

static const uint8_t inner[] = {
    0x02, 0xaa, 0, 0, 0, 2, 0x02, 0xaa, 0, 0, 0, 1, 0x08, 0x00,
    0x45, 0, 0, 21, 0, 0, 0x40, 0, 64, 1, 0, 0, 10, 1, 0, 1, 10, 1, 0, 2, 0x42,
};

/* Encapsulation writes the options, the option length and the C bit, and
 * the UDP checksum covers them. */
static void
test_build_with_options(void)
{
    uint8_t frame[TNL_MAX_OUTER_SIZE + sizeof inner];
    struct tnl_build b;
    struct tnl_md md;
    size_t size, ofs;

    memset(&b, 0, sizeof b);
    b.type = SW_PORT_GENEVE;
    b.md.tun_id = 6;
    b.md.ip_src = htonl(0xc0000201);
    b.md.ip_dst = htonl(0xc0000202);
    b.md.ttl = 64;
    b.md.flags = FLOWKEY_TUN_KEY | FLOWKEY_TUN_CSUM;
    b.md.geneve_opts = opts;
    b.md.geneve_opts_size = sizeof opts;
    b.udp_src = 50000;
    b.udp_dst = 6081;
    size = tnl_build_outer(&b, inner, sizeof inner, frame);
    CHECK_INT_EQ(size, 14 + 20 + 8 + 8 + sizeof opts);
    CHECK_INT_EQ(size, tnl_outer_size(&b));
    memcpy(frame + size, inner, sizeof inner);
    size += sizeof inner;
    CHECK_INT_EQ(frame[42], sizeof opts / 4);
    CHECK_INT_EQ(frame[43], 0x40);          /* One option is critical. */
    CHECK(!memcmp(frame + 50, opts, sizeof opts));
    CHECK_INT_EQ(csum_finish(csum_partial(frame + 34, size - 34,
                                          csum_pseudo_ipv4(htonl(0xc0000201),
                                                           htonl(0xc0000202), 17,
                                                           size - 34))), 0);
    CHECK_INT_EQ(tnl_parse_udp_payload(SW_PORT_GENEVE, frame + 42, size - 42, &md, &ofs), 0);
    CHECK_INT_EQ(ofs, 8 + sizeof opts);
    CHECK_INT_EQ(md.geneve_opts_size, sizeof opts);
    CHECK(!memcmp(md.geneve_opts, opts, sizeof opts));

    /* An option list that is not whole words is not sent. */
    b.md.geneve_opts_size = 6;
    CHECK_INT_EQ(tnl_outer_size(&b), 14 + 20 + 8 + 8);
}

UNIT_MAIN("tun-metadata", UNIT_TEST(test_parse), UNIT_TEST(test_map_add_del),
          UNIT_TEST(test_from_geneve), UNIT_TEST(test_to_geneve),
          UNIT_TEST(test_build_with_options))
