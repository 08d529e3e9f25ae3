/* Unit tests for the ovs-ofctl flow syntax (ofp-parse.c, ofp-print.c):
 * flows parse into the right match and actions, print as ovs-ofctl prints
 * them, print-then-parse gives back the same flow, and bad flows fail with
 * a message that names the bad word. */
#include <errno.h>

#include "ofp-parse.h"
#include "ofp-print.h"
#include "unit.h"

static void
check_round_trip(const char *text, const char *expected, enum ofp_parse_mode mode)
{
    struct ofp_flow_mod fm, fm2;
    struct buf out = BUF_INITIALIZER, error = BUF_INITIALIZER;

    if (ofp_parse_flow(text, mode, NULL, &fm, &error)) {
        fprintf(stderr, "parse \"%s\": %s\n", text, buf_cstr(&error));
        CHECK(false);
        buf_uninit(&error);
        return;
    }
    ofp_format_flow_mod(&out, &fm, NULL);
    if (expected) {
        CHECK_STR_EQ(buf_cstr(&out), expected);
    }
    if (ofp_parse_flow(buf_cstr(&out), mode, NULL, &fm2, &error)) {
        fprintf(stderr, "reparse \"%s\": %s\n", buf_cstr(&out), buf_cstr(&error));
        CHECK(false);
    } else {
        CHECK(ofmatch_equal(&fm.match, &fm2.match));
        CHECK(ofpacts_equal(&fm.ofpacts, &fm2.ofpacts));
        CHECK_INT_EQ(fm.priority, fm2.priority);
        ofpacts_uninit(&fm2.ofpacts);
    }
    ofpacts_uninit(&fm.ofpacts);
    buf_uninit(&out);
    buf_uninit(&error);
}

static void
test_flows(void)
{
    check_round_trip("priority=100,ip,nw_dst=10.0.0.0/24,tcp,tp_dst=80,"
                     "actions=mod_vlan_vid:10,output:2",
                     "table=0,priority=100,tcp,nw_dst=10.0.0.0/24,tp_dst=80,"
                     "actions=mod_vlan_vid:10,output:2", OFP_PARSE_ADD);
    check_round_trip("actions=NORMAL", "table=0,priority=32768,actions=NORMAL", OFP_PARSE_ADD);
    check_round_trip("priority=0 actions=drop", "table=0,priority=0,actions=drop", OFP_PARSE_ADD);
    check_round_trip("in_port=LOCAL,dl_src=50:54:00:00:00:01,dl_dst=01:00:00:00:00:00/"
                     "01:00:00:00:00:00,dl_vlan=10,dl_vlan_pcp=3 actions=strip_vlan,LOCAL",
                     "table=0,priority=32768,in_port=LOCAL,dl_vlan=10,dl_vlan_pcp=3,"
                     "dl_src=50:54:00:00:00:01,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,"
                     "actions=strip_vlan,LOCAL", OFP_PARSE_ADD);
    check_round_trip("table=3,cookie=0x1f,idle_timeout=10,hard_timeout=20,send_flow_rem,"
                     "check_overlap,udp6,ipv6_src=2001:db8::/32,tp_src=53,"
                     "actions=dec_ttl,resubmit(,4),resubmit:3,goto_table:5",
                     "table=3,cookie=0x1f,idle_timeout=10,hard_timeout=20,send_flow_rem,"
                     "check_overlap,priority=32768,udp6,ipv6_src=2001:db8::/32,tp_src=53,"
                     "actions=dec_ttl,resubmit(,4),resubmit:3,goto_table:5", OFP_PARSE_ADD);
    check_round_trip("reg0=5,reg1=0x10/0xf0,metadata=0x1/0x1,tun_id=0x7 "
                     "actions=load:0x5->NXM_NX_REG0[0..15],move:NXM_OF_ETH_SRC[]->"
                     "NXM_OF_ETH_DST[],set_field:10.0.0.1->nw_src,write_metadata:0x1/0xff",
                     NULL, OFP_PARSE_ADD);
    check_round_trip("arp,arp_op=1,arp_spa=10.0.0.1,arp_tha=00:00:00:00:00:00 actions=FLOOD",
                     "table=0,priority=32768,arp,arp_op=1,arp_spa=10.0.0.1,"
                     "arp_tha=00:00:00:00:00:00,actions=FLOOD", OFP_PARSE_ADD);
    check_round_trip("icmp,icmp_type=8,icmp_code=0,nw_tos=16,nw_ecn=1,nw_ttl=64,ip_frag=first "
                     "actions=controller(max_len=128),CONTROLLER:64", NULL, OFP_PARSE_ADD);
    check_round_trip("icmp6,icmp_type=135,nd_target=fe80::1,nd_sll=50:54:00:00:00:01 "
                     "actions=all,in_port,output:65,table", NULL, OFP_PARSE_ADD);
    check_round_trip("tcp,tcp_flags=+syn-ack,vlan_tci=0x1000/0x1000 "
                     "actions=push_vlan:0x8100,set_field:4106->vlan_vid,clear_actions,"
                     "write_actions(output:3),meter:1,group:2", NULL, OFP_PARSE_ADD);
    check_round_trip("actions=load:0x5->vlan_pcp,load:0x3->OXM_OF_VLAN_PCP[1..2]",
                     "table=0,priority=32768,actions=set_field:5->vlan_pcp,"
                     "load:0x3->OXM_OF_VLAN_PCP[1..2]", OFP_PARSE_ADD);
    check_round_trip("sctp,sctp_dst=9 actions=mod_tp_dst:99,mod_dl_src:50:54:00:00:00:09",
                     NULL, OFP_PARSE_ADD);
    check_round_trip("dl_vlan=0xffff actions=controller", NULL, OFP_PARSE_ADD);
    check_round_trip("ip,nw_src=10.0.0.1", "priority=32768,ip,nw_src=10.0.0.1",
                     OFP_PARSE_MATCH);
}

static void
check_error(const char *text, enum ofp_parse_mode mode, const char *needle)
{
    struct buf error = BUF_INITIALIZER;
    struct ofp_flow_mod fm;

    CHECK_INT_EQ(ofp_parse_flow(text, mode, NULL, &fm, &error), EINVAL);
    if (!strstr(buf_cstr(&error), needle)) {
        fprintf(stderr, "\"%s\": error \"%s\" lacks \"%s\"\n", text, buf_cstr(&error), needle);
        CHECK(false);
    }
    buf_uninit(&error);
}

static void
test_errors(void)
{
    check_error("priority=100,ip", OFP_PARSE_ADD, "must specify an action");
    check_error("tp_dst=80 actions=drop", OFP_PARSE_ADD, "tp_dst");
    check_error("nw_src=10.0.0.300,ip actions=drop", OFP_PARSE_ADD, "10.0.0.300");
    check_error("ip,bogus=1 actions=drop", OFP_PARSE_ADD, "bogus");
    check_error("priority=70000 actions=drop", OFP_PARSE_ADD, "priority");
    check_error("actions=output:foo", OFP_PARSE_ADD, "foo");
    check_error("actions=frobnicate", OFP_PARSE_ADD, "frobnicate");
    check_error("actions=drop,output:1", OFP_PARSE_ADD, "drop");
    check_error("actions=load:0x10000->NXM_NX_REG0[0..15]", OFP_PARSE_ADD, "fit");
    check_error("actions=move:NXM_NX_REG0[0..3]->NXM_NX_REG1[0..4]", OFP_PARSE_ADD, "width");
    check_error("actions=resubmit(1", OFP_PARSE_ADD, "resubmit");
    check_error("ip actions=output:1", OFP_PARSE_MATCH, "actions");
    check_error("dl_type=0x0800/0xff00 actions=drop", OFP_PARSE_ADD, "masked");
    check_error("dl_vlan=5000 actions=drop", OFP_PARSE_ADD, "dl_vlan");
    check_error("actions=mod_vlan_vid:4096", OFP_PARSE_ADD, "4096");
    check_error("actions=set_field:1->dl_type", OFP_PARSE_ADD, "read-only");
    check_error("actions=goto_table:3,goto_table:5", OFP_PARSE_ADD, "goto_table");
    check_error("actions=output:0", OFP_PARSE_ADD, "output:0");
    check_error("icmp,tcp_src=53 actions=drop", OFP_PARSE_ADD, "tcp_src");
    check_error("actions=load:0x9->vlan_pcp", OFP_PARSE_ADD, "fit");
    check_error("actions=load:1->NXM_OF_VLAN_TCI[0..15],load:1->OXM_OF_VLAN_PCP[3]",
                OFP_PARSE_ADD, "outside");
    check_error("udp6,icmp_type=1 actions=drop", OFP_PARSE_ADD, "icmp_type");
}

static void
test_dump_format(void)
{
    struct ofp_flow_stats fs;
    struct buf out = BUF_INITIALIZER, error = BUF_INITIALIZER;
    struct ofp_flow_mod fm;

    CHECK(!ofp_parse_flow("priority=100,ip,nw_dst=10.0.0.0/24 actions=output:2",
                          OFP_PARSE_ADD, NULL, &fm, &error));
    memset(&fs, 0, sizeof fs);
    fs.duration_sec = 1;
    fs.duration_nsec = 234000000;
    fs.packet_count = 3;
    fs.byte_count = 294;
    fs.idle_timeout = 10;
    fs.priority = 100;
    fs.match = fm.match;
    fs.ofpacts = fm.ofpacts;
    ofp_format_flow_stats(&out, &fs, NULL);
    CHECK_STR_EQ(buf_cstr(&out), " cookie=0x0, duration=1.234s, table=0, n_packets=3, "
                 "n_bytes=294, idle_timeout=10, priority=100,ip,nw_dst=10.0.0.0/24 "
                 "actions=output:2");
    ofpacts_uninit(&fm.ofpacts);
    ofpacts_init(&fs.ofpacts);
    ofpacts_put(&fs.ofpacts, OFPACT_OUTPUT)->output.port = OFPP13_NORMAL;
    ofmatch_init_catchall(&fs.match);
    fs.priority = 0;
    fs.idle_timeout = 0;
    buf_clear(&out);
    ofp_format_flow_stats(&out, &fs, NULL);
    CHECK_STR_EQ(buf_cstr(&out), " cookie=0x0, duration=1.234s, table=0, n_packets=3, "
                 "n_bytes=294, priority=0 actions=NORMAL");
    fs.priority = OFP_DEFAULT_PRIORITY;
    buf_clear(&out);
    ofp_format_flow_stats(&out, &fs, NULL);
    CHECK_STR_EQ(buf_cstr(&out), " cookie=0x0, duration=1.234s, table=0, n_packets=3, "
                 "n_bytes=294, actions=NORMAL");
    ofpacts_uninit(&fs.ofpacts);
    buf_uninit(&out);
    buf_uninit(&error);
}

UNIT_MAIN("ofp-parse", UNIT_TEST(test_flows), UNIT_TEST(test_errors),
          UNIT_TEST(test_dump_format))
