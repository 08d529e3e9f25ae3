/* Unit tests for the OpenFlow field table (of-fields.c) and match logic
 * (ofmatch.c): names and codes, wire-form get/set over every storage kind,
 * subset/overlap, and prerequisites. */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "ofmatch.h"
#include "ofpact.h"
#include "unit.h"

static void
set_u16(struct ofmatch *m, enum of_field_id id, uint16_t v)
{
    union of_value val = { .be16 = { htons(v) } };

    ofmatch_set(m, of_field_by_id(id), &val, NULL);
}

static void
set_u8(struct ofmatch *m, enum of_field_id id, uint8_t v)
{
    union of_value val = { .u8 = { v } };

    ofmatch_set(m, of_field_by_id(id), &val, NULL);
}

static void
test_table_complete(void)
{
    for (int id = 0; id < OFF_N_FIELDS; id++) {
        const struct of_field_desc *f = of_field_by_id(id);

        CHECK(f != NULL);
        CHECK_INT_EQ(f->id, id);
        CHECK(f->name != NULL);
        CHECK(f->n_bytes > 0 && f->n_bytes <= 16);
        CHECK(f->n_bits <= f->n_bytes * 8);
        CHECK(f->nxm_name != NULL);
        CHECK(of_field_by_name(f->nxm_name) != NULL);
        CHECK(of_field_by_oxm(f->oxm_class, f->oxm_field) != NULL);
    }
    CHECK(of_field_by_id(OFF_N_FIELDS) == NULL);
}

static void
test_names(void)
{
    CHECK_INT_EQ(of_field_by_name("dl_src")->id, OFF_ETH_SRC);
    CHECK_INT_EQ(of_field_by_name("eth_src")->id, OFF_ETH_SRC);
    CHECK_INT_EQ(of_field_by_name("NXM_OF_ETH_SRC")->id, OFF_ETH_SRC);
    CHECK_INT_EQ(of_field_by_name("OXM_OF_ETH_SRC")->id, OFF_ETH_SRC);
    CHECK_INT_EQ(of_field_by_name("NXM_NX_REG7")->id, OFF_REG7);
    CHECK_INT_EQ(of_field_by_name("udp_dst")->id, OFF_UDP_DST);
    CHECK(of_field_by_name("nonsense") == NULL);
    CHECK_INT_EQ(of_field_by_oxm(0x8000, 4)->id, OFF_ETH_SRC);
    CHECK_INT_EQ(of_field_by_oxm(0x0000, 2)->id, OFF_ETH_SRC);
    CHECK_INT_EQ(of_field_by_oxm(0x0001, 3)->id, OFF_REG3);
    CHECK(of_field_by_oxm(0x8000, 99) == NULL);
    CHECK(of_field_by_oxm(0x8000, 200) == NULL);
    CHECK(of_field_by_oxm(0x1234, 4) == NULL);
}

/* The indexes answer as a walk of the whole table would: the first field
 * with an exact ovs-ofctl name or an NXM/OXM name in any case. */
static const struct of_field_desc *
linear_by_name(const char *name)
{
    for (int id = 0; id < OFF_N_FIELDS; id++) {
        const struct of_field_desc *f = of_field_by_id(id);

        if (!strcmp(f->name, name) || (f->alt_name && !strcmp(f->alt_name, name))
            || (f->nxm_name && !strcasecmp(f->nxm_name, name))
            || (f->oxm_name && !strcasecmp(f->oxm_name, name))) {
            return f;
        }
    }
    return NULL;
}

static void
test_name_index(void)
{
    static const char *names[] = {
        "tp_dst", "TP_DST", "nxm_of_udp_dst", "NXM_of_UDP_dst", "icmp_type", "in_port",
        "OXM_OF_IN_PORT", "ip", "", "reg15", "tun_metadata7", "nxm_nx_tun_metadata7",
        "a_name_much_longer_than_any_field_name_there_is",
    };
    const struct of_field_desc *fields[8];

    for (int id = 0; id < OFF_N_FIELDS; id++) {
        const struct of_field_desc *f = of_field_by_id(id);
        const char *all[] = { f->name, f->alt_name, f->nxm_name, f->oxm_name };

        for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
            if (all[i]) {
                CHECK(of_field_by_name(all[i]) == linear_by_name(all[i]));
            }
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        CHECK(of_field_by_name(names[i]) == linear_by_name(names[i]));
    }
    CHECK_INT_EQ(of_fields_by_name("tp_dst", fields, ARRAY_SIZE(fields)), 3);
    CHECK(fields[0]->id == OFF_TCP_DST && fields[1]->id == OFF_UDP_DST
          && fields[2]->id == OFF_SCTP_DST);
    CHECK_INT_EQ(of_fields_by_name("tp_dst", fields, 1), 1);
    CHECK_INT_EQ(of_fields_by_name("OXM_OF_IN_PORT", fields, ARRAY_SIZE(fields)), 1);
    CHECK_INT_EQ(of_fields_by_name("TP_DST", fields, ARRAY_SIZE(fields)), 0);
    static const uint16_t classes[] = { 0x0000, 0x0001, 0x0002, 0x8000, 0x8001, 0xffff };

    for (size_t c = 0; c < ARRAY_SIZE(classes); c++) {
        uint16_t class = classes[c];

        for (unsigned int code = 0; code < 256; code++) {
            const struct of_field_desc *want = NULL;

            for (int id = 0; id < OFF_N_FIELDS && !want; id++) {
                const struct of_field_desc *f = of_field_by_id(id);

                if ((f->oxm_class == class && f->oxm_field == code)
                    || (f->nxm_class == class && f->nxm_field == code)) {
                    want = f;
                }
            }
            CHECK(of_field_by_oxm(class, code) == want);
        }
    }
}

static void
test_get_set_storage(void)
{
    struct of_fields f;
    union of_value v, m;

    memset(&f, 0, sizeof f);
    v.be16[0] = htons(0x1000 | 10);
    of_field_set(of_field_by_id(OFF_VLAN_VID), &f, &v, NULL);
    CHECK_INT_EQ(f.pkt.vlans[0].tci, 0x100a);
    memset(&v, 0, sizeof v);
    v.u8[0] = 5;
    of_field_set(of_field_by_id(OFF_VLAN_PCP), &f, &v, NULL);
    CHECK_INT_EQ(f.pkt.vlans[0].tci, 0xb00a);
    of_field_get(of_field_by_id(OFF_VLAN_TCI), &f, &v);
    CHECK_INT_EQ(ntohs(v.be16[0]), 0xb00a);

    v.u8[0] = 46;                       /* EF. */
    of_field_set(of_field_by_id(OFF_IP_DSCP), &f, &v, NULL);
    CHECK_INT_EQ(f.pkt.nw_tos, 46 << 2);
    v.u8[0] = 3;
    of_field_set(of_field_by_id(OFF_IP_ECN), &f, &v, NULL);
    CHECK_INT_EQ(f.pkt.nw_tos, (46 << 2) | 3);
    of_field_get(of_field_by_id(OFF_NW_TOS), &f, &v);
    CHECK_INT_EQ(v.u8[0], 46 << 2);

    v.be32[0] = htonl(0x0a000001);
    of_field_set(of_field_by_id(OFF_IPV4_SRC), &f, &v, NULL);
    CHECK_INT_EQ(f.pkt.ipv4_src, htonl(0x0a000001));
    of_field_get(of_field_by_id(OFF_ARP_SPA), &f, &v);
    CHECK_INT_EQ(ntohl(v.be32[0]), 0x0a000001);

    v.be16[0] = htons(80);
    m.be16[0] = htons(0xff00);
    of_field_set(of_field_by_id(OFF_TCP_DST), &f, &v, &m);
    CHECK_INT_EQ(f.pkt.tp_dst, 0);
    v.be16[0] = htons(0x1234);
    of_field_set(of_field_by_id(OFF_UDP_DST), &f, &v, NULL);
    CHECK_INT_EQ(f.pkt.tp_dst, 0x1234);

    memset(&v, 0, sizeof v);
    v.be32[0] = htonl(0xfffffffe);
    of_field_set(of_field_by_id(OFF_IN_PORT), &f, &v, NULL);
    CHECK_INT_EQ(f.pkt.in_port, 0xfffffffe);
    v.be32[0] = htonl(0xdeadbeef);
    of_field_set(of_field_by_id(OFF_REG5), &f, &v, NULL);
    CHECK_INT_EQ(f.regs[5], 0xdeadbeef);
    v.be64[0] = htobe64(0x1122334455667788ull);
    of_field_set(of_field_by_id(OFF_METADATA), &f, &v, NULL);
    CHECK(f.metadata == 0x1122334455667788ull);
    of_field_get(of_field_by_id(OFF_METADATA), &f, &m);
    CHECK(!memcmp(&m, &v, sizeof m));

    memset(&v, 0, sizeof v);
    v.be32[0] = htonl(0xfffff);
    of_field_set(of_field_by_id(OFF_IPV6_LABEL), &f, &v, NULL);
    CHECK_INT_EQ(f.pkt.ipv6_label, 0xfffff);
}

static void
test_match_logic(void)
{
    struct ofmatch wide, narrow, other;
    struct of_fields pkt;
    union of_value v, m;

    ofmatch_init_catchall(&wide);
    set_u16(&wide, OFF_ETH_TYPE, 0x0800);
    v.be32[0] = htonl(0x0a000000);
    m.be32[0] = htonl(0xffffff00);
    ofmatch_set(&wide, of_field_by_id(OFF_IPV4_DST), &v, &m);

    narrow = wide;
    v.be32[0] = htonl(0x0a000005);
    ofmatch_set(&narrow, of_field_by_id(OFF_IPV4_DST), &v, NULL);
    set_u8(&narrow, OFF_IP_PROTO, 6);
    set_u16(&narrow, OFF_TCP_DST, 80);

    CHECK(ofmatch_is_subset(&narrow, &wide));
    CHECK(!ofmatch_is_subset(&wide, &narrow));
    CHECK(ofmatch_overlaps(&narrow, &wide));
    CHECK(ofmatch_has(&narrow, of_field_by_id(OFF_TCP_DST)));
    CHECK(ofmatch_has(&narrow, of_field_by_id(OFF_UDP_DST)));   /* Same storage. */
    CHECK(!ofmatch_has(&wide, of_field_by_id(OFF_TCP_DST)));

    other = wide;
    v.be32[0] = htonl(0x0b000000);
    ofmatch_set(&other, of_field_by_id(OFF_IPV4_DST), &v, &m);
    CHECK(!ofmatch_overlaps(&other, &wide));
    CHECK(!ofmatch_equal(&other, &wide));

    memset(&pkt, 0, sizeof pkt);
    pkt.pkt.eth_type = 0x0800;
    pkt.pkt.ipv4_dst = htonl(0x0a000005);
    pkt.pkt.nw_proto = 6;
    pkt.pkt.tp_dst = 80;
    CHECK(ofmatch_matches(&narrow, &pkt));
    CHECK(ofmatch_matches(&wide, &pkt));
    CHECK(!ofmatch_matches(&other, &pkt));
    pkt.pkt.tp_dst = 81;
    CHECK(!ofmatch_matches(&narrow, &pkt));
}

static void
test_prereqs(void)
{
    struct buf error = BUF_INITIALIZER;
    struct ofmatch m;

    ofmatch_init_catchall(&m);
    set_u16(&m, OFF_TCP_DST, 80);
    CHECK_INT_EQ(ofmatch_check_prereqs(&m, &error), EINVAL);
    CHECK(strstr(buf_cstr(&error), "tp_dst") != NULL);
    set_u16(&m, OFF_ETH_TYPE, 0x86dd);
    set_u8(&m, OFF_IP_PROTO, 17);
    CHECK_INT_EQ(ofmatch_check_prereqs(&m, NULL), 0);     /* udp6 */

    ofmatch_init_catchall(&m);
    set_u8(&m, OFF_ICMPV4_TYPE, 8);
    set_u16(&m, OFF_ETH_TYPE, 0x0800);
    CHECK_INT_EQ(ofmatch_check_prereqs(&m, NULL), EINVAL);
    set_u8(&m, OFF_IP_PROTO, 1);
    CHECK_INT_EQ(ofmatch_check_prereqs(&m, NULL), 0);

    ofmatch_init_catchall(&m);
    set_u16(&m, OFF_ARP_OP, 1);
    CHECK_INT_EQ(ofmatch_check_prereqs(&m, NULL), EINVAL);
    set_u16(&m, OFF_ETH_TYPE, 0x0806);
    CHECK_INT_EQ(ofmatch_check_prereqs(&m, NULL), 0);
    set_u16(&m, OFF_VLAN_TCI, 0x100a);
    CHECK_INT_EQ(ofmatch_check_prereqs(&m, NULL), 0);
    buf_uninit(&error);
}

static void
test_ofpacts(void)
{
    struct ofpacts a = OFPACTS_INITIALIZER, b;
    struct ofpact *act;

    act = ofpacts_put(&a, OFPACT_OUTPUT);
    act->output.port = 2;
    act = ofpacts_put(&a, OFPACT_WRITE_ACTIONS);
    ofpacts_put(act->nested, OFPACT_CONTROLLER)->controller.max_len = 128;
    ofpacts_clone(&b, &a);
    CHECK(ofpacts_equal(&a, &b));
    CHECK(ofpacts_output_to(&a, 2));
    CHECK(ofpacts_output_to(&a, OFPP13_CONTROLLER));
    CHECK(!ofpacts_output_to(&a, 3));
    b.acts[1].nested->acts[0].controller.max_len = 64;
    CHECK(!ofpacts_equal(&a, &b));
    ofpacts_uninit(&a);
    ofpacts_uninit(&b);
    ofpacts_uninit(NULL);
}

UNIT_MAIN("ofp-fields",
          UNIT_TEST(test_table_complete), UNIT_TEST(test_names), UNIT_TEST(test_name_index),
          UNIT_TEST(test_get_set_storage), UNIT_TEST(test_match_logic),
          UNIT_TEST(test_prereqs), UNIT_TEST(test_ofpacts))
