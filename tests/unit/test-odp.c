/* Unit tests for odp.c: printing keys, masks, actions and flows in the
 * datapath text format, parsing them back, and rejecting malformed text. */
#include <arpa/inet.h>
#include <stdint.h>

#include "flowkey.h"
#include "odp.h"
#include "packet.h"
#include "unit.h"

/* Parses 'text' as a key and checks that it prints back unchanged. */
static void
check_key_round_trip(const char *text)
{
    struct buf b = BUF_INITIALIZER, error = BUF_INITIALIZER;
    struct flowkey key, mask, key2, mask2;

    if (odp_parse_key(text, &key, &mask, &error)) {
        fprintf(stderr, "parse of \"%s\" failed: %s\n", text, buf_cstr(&error));
        CHECK(false);
    } else {
        odp_format_key(&b, &key, &mask);
        CHECK_STR_EQ(buf_cstr(&b), text);
        CHECK_INT_EQ(odp_parse_key(buf_cstr(&b), &key2, &mask2, &error), 0);
        CHECK(!memcmp(&key, &key2, sizeof key));
        CHECK(!memcmp(&mask, &mask2, sizeof mask));
    }
    buf_uninit(&b);
    buf_uninit(&error);
}

static void
check_key_rejected(const char *text)
{
    struct buf error = BUF_INITIALIZER;
    struct flowkey key, mask;

    if (!odp_parse_key(text, &key, &mask, &error)) {
        fprintf(stderr, "\"%s\" was accepted\n", text);
        CHECK(false);
    } else {
        CHECK(error.size > 0);
        CHECK(flowkey_hash(&key, 0) == flowkey_hash(&(struct flowkey) { 0 }, 0));
    }
    buf_uninit(&error);
}

static void
check_actions_round_trip(const char *text)
{
    struct buf b = BUF_INITIALIZER, error = BUF_INITIALIZER;
    struct dp_actions actions = DP_ACTIONS_INITIALIZER;

    if (odp_parse_actions(text, &actions, &error)) {
        fprintf(stderr, "parse of \"%s\" failed: %s\n", text, buf_cstr(&error));
        CHECK(false);
    } else {
        odp_format_actions(&b, actions.data, actions.size);
        CHECK_STR_EQ(buf_cstr(&b), text);
    }
    dp_actions_uninit(&actions);
    buf_uninit(&b);
    buf_uninit(&error);
}

static void
check_actions_rejected(const char *text)
{
    struct buf error = BUF_INITIALIZER;
    struct dp_actions actions = DP_ACTIONS_INITIALIZER;

    if (!odp_parse_actions(text, &actions, &error)) {
        fprintf(stderr, "actions \"%s\" were accepted\n", text);
        CHECK(false);
    } else {
        CHECK(error.size > 0);
        CHECK_INT_EQ(actions.size, 0);
    }
    dp_actions_uninit(&actions);
    buf_uninit(&error);
}

/* A TCP/IPv4 key as flowkey_extract() would build it. */
static void
make_tcp_key(struct flowkey *key)
{
    memset(key, 0, sizeof *key);
    key->in_port = 1;
    memcpy(key->eth_src, (uint8_t[6]) { 0x50, 0x54, 0, 0, 0, 1 }, 6);
    memcpy(key->eth_dst, (uint8_t[6]) { 0x50, 0x54, 0, 0, 0, 2 }, 6);
    key->eth_type = ETH_TYPE_IP;
    key->nw_proto = IP_PROTO_TCP;
    key->nw_ttl = 64;
    key->ipv4_src = htonl(0x0a000001);
    key->ipv4_dst = htonl(0x0a000002);
    key->tp_src = 1234;
    key->tp_dst = 80;
    key->tcp_flags = 0x002;
}

static void
test_format_exact_key(void)
{
    struct buf b = BUF_INITIALIZER;
    struct flowkey key;

    make_tcp_key(&key);
    odp_format_key(&b, &key, NULL);
    CHECK_STR_EQ(buf_cstr(&b),
                 "in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),"
                 "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,"
                 "ttl=64,frag=no),tcp(src=1234,dst=80),tcp_flags(0x002)");
    buf_uninit(&b);
}

static void
test_format_masked_key(void)
{
    struct buf b = BUF_INITIALIZER;
    struct flowkey key, mask;

    make_tcp_key(&key);
    memset(&mask, 0, sizeof mask);
    mask.in_port = UINT32_MAX;
    mask.eth_type = 0xffff;
    mask.ipv4_dst = htonl(0xffffff00);
    mask.nw_frag = 0xff;
    odp_format_key(&b, &key, &mask);
    /* The tag is wildcarded: it prints, as a bare exact eth_type would
     * mean "untagged only". */
    CHECK_STR_EQ(buf_cstr(&b),
                 "in_port(1),vlan(tci=0x0000/0x0000),eth_type(0x0800),"
                 "ipv4(dst=10.0.0.0/255.255.255.0,frag=no)");
    buf_uninit(&b);

    /* Nothing matched: empty text, which parses back to nothing. */
    memset(&mask, 0, sizeof mask);
    odp_format_key(&b, &key, &mask);
    CHECK_STR_EQ(buf_cstr(&b), "");
    buf_uninit(&b);
}

static void
test_format_vlan_keys(void)
{
    struct buf b = BUF_INITIALIZER;
    struct flowkey key;

    memset(&key, 0, sizeof key);
    key.in_port = 3;
    key.vlans[0].tpid = ETH_TYPE_VLAN;
    key.vlans[0].tci = FLOWKEY_VLAN_PRESENT | 0x2000 | 10;
    key.eth_type = ETH_TYPE_ARP;
    key.nw_proto = 1;
    key.ipv4_src = htonl(0xc0a80001);
    key.ipv4_dst = htonl(0xc0a80002);
    odp_format_key(&b, &key, NULL);
    CHECK_STR_EQ(buf_cstr(&b),
                 "in_port(3),eth(src=00:00:00:00:00:00,dst=00:00:00:00:00:00),"
                 "eth_type(0x8100),vlan(vid=10,pcp=1),encap(eth_type(0x0806),"
                 "arp(sip=192.168.0.1,tip=192.168.0.2,op=1,sha=00:00:00:00:00:00,"
                 "tha=00:00:00:00:00:00))");
    buf_uninit(&b);

    key.vlans[1] = key.vlans[0];
    key.vlans[0].tpid = ETH_TYPE_QINQ;
    key.vlans[0].tci = FLOWKEY_VLAN_PRESENT | 100;
    key.eth_type = 0x1234;
    odp_format_key(&b, &key, NULL);
    CHECK_STR_EQ(buf_cstr(&b),
                 "in_port(3),eth(src=00:00:00:00:00:00,dst=00:00:00:00:00:00),"
                 "eth_type(0x88a8),vlan(vid=100,pcp=0),encap(eth_type(0x8100),"
                 "vlan(vid=10,pcp=1),encap(eth_type(0x1234)))");
    buf_uninit(&b);
}

static void
test_key_round_trips(void)
{
    static const char *const keys[] = {
        "in_port(1)",
        "",
        "in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),"
        "ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),"
        "tcp(src=1234,dst=80),tcp_flags(0x002)",
        "eth(dst=01:00:00:00:00:00/01:00:00:00:00:00)",
        "eth_type(0x0800),ipv4(src=10.0.0.0/255.0.0.0,frag=later)",
        "eth_type(0x0800),ipv4(frag=0x01/0x01)",
        "eth_type(0x0800),ipv4(proto=17),udp(dst=53)",
        "eth_type(0x0800),ipv4(proto=17),udp(src=1024/0xfc00)",
        "eth_type(0x0800),ipv4(proto=132),sctp(src=1,dst=2)",
        "eth_type(0x0800),ipv4(proto=1),icmp(type=8,code=0)",
        "eth_type(0x0800),ipv4(proto=6),tcp_flags(0x002/0x012)",
        "eth_type(0x86dd),ipv6(src=2001:db8::1,dst=fe80::/ffc0::,label=0x12345,"
        "proto=58,tclass=0,hlimit=255,frag=first),icmpv6(type=135,code=0),"
        "nd(target=2001:db8::2,sll=50:54:00:00:00:01,tll=00:00:00:00:00:00)",
        "eth_type(0x0806),arp(sip=1.2.3.4,tip=5.6.7.8,op=2,sha=50:54:00:00:00:01)",
        "eth_type(0x8100),vlan(vid=10,pcp=0),encap(eth_type(0x0800))",
        "eth_type(0x88a8),vlan(vid=10),encap(eth_type(0x8100),vlan(pcp=3),"
        "encap(eth_type(0x86dd),ipv6(proto=6),tcp(dst=22)))",
        "vlan(vid=5/0xff),encap()",
        "vlan(),encap(eth_type(0x0800))",
        "vlan(tci=0x0000),eth_type(0x0800)",
        /* Any tag or none: must not print as the exact "no tag" that a
         * bare exact eth_type means (found by fuzz-odp). */
        "vlan(tci=0x0000/0x0000),eth_type(0x0800),ipv4(proto=4)",
        "vlan(tpid=0x0000/0x00ff,tci=0x0005/0x0fff)",
        "eth_type(0x8100),vlan(vid=1),encap(vlan(tci=0x0000),eth_type(0x0800))",
        "tunnel(tun_id=0x2a,src=192.168.1.1,dst=192.168.1.2,tos=0,ttl=64,flags(key|df)),"
        "in_port(4)",
        "tunnel(flags(key/key|csum))",
        "tunnel(flags(0x0/df))",
        "in_port(1/0xff)",
        "eth_type(0x05ff)",
    };

    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        check_key_round_trip(keys[i]);
    }
}

/* Alternative spellings the parser accepts, and what they print as. */
static void
test_key_parse_variants(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { " in_port( 1 ) , eth_type(0x800)", "in_port(1),eth_type(0x0800)" },
        { "eth_type(0x0800),ipv4(dst=10.1.2.3/16)",
          "eth_type(0x0800),ipv4(dst=10.1.0.0/255.255.0.0)" },
        { "eth_type(0x86dd),ipv6(src=2001:db8::1/32)",
          "eth_type(0x86dd),ipv6(src=2001:db8::/ffff:ffff::)" },
        { "vlan(vid=10,tpid=0x88a8),encap(eth_type(0x0800))",
          "eth_type(0x88a8),vlan(vid=10),encap(eth_type(0x0800))" },
        { "encap(eth_type(0x0800)),eth_type(0x8100),vlan(vid=1)",
          NULL },
        { "vlan(tci=0x1005/0x1fff),encap()", "vlan(vid=5),encap()" },
        { "eth_type(0x0800),ipv4(frag=0x3)", "eth_type(0x0800),ipv4(frag=later)" },
        { "ipv4(src=1.2.3.4),eth_type(0x0800)", "eth_type(0x0800),ipv4(src=1.2.3.4)" },
        { "eth_type(0x0800),ipv4(proto=6,tos=0/0)", "eth_type(0x0800),ipv4(proto=6)" },
        { "in_port(1),eth_type(0x0800),ipv4()", "in_port(1),eth_type(0x0800)" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct buf b = BUF_INITIALIZER, error = BUF_INITIALIZER;
        struct flowkey key, mask;
        int retval = odp_parse_key(cases[i].in, &key, &mask, &error);

        if (!cases[i].out) {
            CHECK(retval != 0);
        } else if (retval) {
            fprintf(stderr, "parse of \"%s\" failed: %s\n", cases[i].in, buf_cstr(&error));
            CHECK(false);
        } else {
            odp_format_key(&b, &key, &mask);
            CHECK_STR_EQ(buf_cstr(&b), cases[i].out);
        }
        buf_uninit(&b);
        buf_uninit(&error);
    }
}

static void
test_key_rejects(void)
{
    static const char *const bad[] = {
        "in_port", "in_port(", "in_port(1", "in_port(1))", "in_port()", "in_port(x)",
        "in_port(4294967296)", "in_port(-1)", "in_port(1,2)", "in_port(1),in_port(2)",
        "foo(1)", "in_port(1) eth()", "in_port(1),,eth()", ",", "(", ")",
        "eth(src=1)", "eth(src=50:54:00:00:00:01,src=50:54:00:00:00:01)",
        "eth(bogus=1)", "eth(src)", "eth(src=50:54:00:00:00:01/zz)",
        "eth_type(0x10000)", "eth_type(0x800),eth_type(0x800)",
        "ipv4(src=1.2.3.4)", "eth_type(0x86dd),ipv4(src=1.2.3.4)",
        "eth_type(0x0800/0xff00),ipv4(src=1.2.3.4)",
        "eth_type(0x0800),ipv4(src=1.2.3.400)", "eth_type(0x0800),ipv4(src=1.2.3.4/33)",
        "eth_type(0x0800),ipv4(proto=256)", "eth_type(0x0800),ipv4(frag=maybe)",
        "eth_type(0x0800),tcp(src=1)", "eth_type(0x0800),ipv4(proto=17),tcp(src=1)",
        "eth_type(0x0800),ipv4(proto=6/0xfe),tcp(src=1)",
        "eth_type(0x0800),ipv4(proto=6),tcp(src=65536)",
        "eth_type(0x0800),ipv4(proto=17),tcp_flags(0x2)",
        "eth_type(0x86dd),ipv6(proto=1),icmp(type=1)",
        "eth_type(0x86dd),ipv6(proto=58),icmpv6(type=128),nd(target=::1)",
        "eth_type(0x86dd),ipv6(src=::1/129)", "eth_type(0x86dd),ipv6(src=1.2.3.4)",
        "eth_type(0x0806),arp(op=1,sha=1:2:3)",
        "encap(eth_type(0x0800))", "vlan(tci=0),encap()",
        "vlan(vid=1),vlan(vid=2)", "vlan(vid=4096)", "vlan(pcp=8)",
        "vlan(vid=1,tci=0x1001)", "vlan(vid=1),encap(),encap()",
        "vlan(),encap(vlan(),encap(vlan(),encap()))",
        "eth_type(0x8100),vlan(tpid=0x8100),encap()",
        "tunnel(flags(bogus))", "tunnel(flags())", "tunnel(tun_id=0x1ffffffffffffffff)",
        "in_port(1),packets:1",
        "eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02", "eth(src=(1))",
    };

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        check_key_rejected(bad[i]);
    }
}

static void
test_error_quotes_input(void)
{
    struct buf error = BUF_INITIALIZER;
    struct flowkey key, mask;

    CHECK(odp_parse_key("in_port(1),eth_type(0x0800),ipv4(src=10.0.0.999)",
                        &key, &mask, &error) != 0);
    CHECK(strstr(buf_cstr(&error), "10.0.0.999") != NULL);
    buf_clear(&error);
    CHECK(odp_parse_key("in_port(1),frobnicate(7)", &key, &mask, &error) != 0);
    CHECK(strstr(buf_cstr(&error), "frobnicate") != NULL);
    buf_uninit(&error);
}

/* Every key flowkey_extract can produce prints, parses and matches back. */
static void
test_extracted_key_round_trip(void)
{
    static const uint8_t frame[] = {
        0x50, 0x54, 0, 0, 0, 2, 0x50, 0x54, 0, 0, 0, 1, 0x88, 0xa8, 0x00, 0x64,
        0x81, 0x00, 0x20, 0xc8, 0x86, 0xdd,
        0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 58, 255,
        0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 2,
        135, 0, 0, 0, 0, 0, 0, 0,
        0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
        1, 1, 0x50, 0x54, 0, 0, 0, 1,
    };
    struct buf b = BUF_INITIALIZER, error = BUF_INITIALIZER, b2 = BUF_INITIALIZER;
    struct flowkey key, parsed, mask, masked;

    flowkey_extract(frame, sizeof frame, 9, &key, NULL);
    odp_format_key(&b, &key, NULL);
    CHECK_STR_EQ(buf_cstr(&b),
                 "in_port(9),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),"
                 "eth_type(0x88a8),vlan(vid=100,pcp=0),encap(eth_type(0x8100),"
                 "vlan(vid=200,pcp=1),encap(eth_type(0x86dd),ipv6(src=fe80::1,"
                 "dst=ff02::1:ff00:2,label=0x00000,proto=58,tclass=0,hlimit=255,"
                 "frag=no),icmpv6(type=135,code=0),nd(target=fe80::2,"
                 "sll=50:54:00:00:00:01,tll=00:00:00:00:00:00)))");
    CHECK_INT_EQ(odp_parse_key(buf_cstr(&b), &parsed, &mask, &error), 0);
    flowkey_apply_mask(&masked, &key, &mask);
    CHECK(!memcmp(&masked, &parsed, sizeof parsed));
    CHECK(flowkey_equal_masked(&key, &parsed, &mask));
    odp_format_key(&b2, &parsed, &mask);
    CHECK_STR_EQ(buf_cstr(&b2), buf_cstr(&b));
    buf_uninit(&b);
    buf_uninit(&b2);
    buf_uninit(&error);
}

static void
test_format_actions(void)
{
    struct dp_actions a = DP_ACTIONS_INITIALIZER;
    struct buf b = BUF_INITIALIZER;
    struct ovs_key_ipv4 ip = { .ipv4_src = htonl(0x0a000001), .ipv4_ttl = 63 };
    struct ovs_key_ipv4 ip_mask = { .ipv4_src = UINT32_MAX, .ipv4_ttl = 0xff };
    uint8_t raw[3] = { 1, 2, 3 };
    uint64_t userdata = 0x0102030405060708ULL;

    odp_format_actions(&b, NULL, 0);
    CHECK_STR_EQ(buf_cstr(&b), "drop");
    buf_clear(&b);

    dp_actions_put_output(&a, 2);
    dp_actions_put_push_vlan(&a, ETH_TYPE_VLAN, 10);
    dp_actions_put_push_vlan(&a, ETH_TYPE_QINQ, 0x6000 | 20);
    dp_actions_put_pop_vlan(&a);
    dp_actions_put_set_masked(&a, OVS_KEY_ATTR_IPV4, &ip, &ip_mask, sizeof ip);
    dp_actions_put_userspace(&a, 77, &userdata, sizeof userdata);
    dp_actions_put(&a, 200, raw, sizeof raw);
    dp_actions_put(&a, OVS_ACTION_ATTR_OUTPUT, raw, 2);
    odp_format_actions(&b, a.data, a.size);
    CHECK(str_starts_with(buf_cstr(&b),
                          "2,push_vlan(vid=10,pcp=0),push_vlan(vid=20,pcp=3,tpid=0x88a8),"
                          "pop_vlan,set(ipv4(src=10.0.0.1,ttl=63)),userspace(pid=77,"
                          "userdata(0x"));
    CHECK(strstr(buf_cstr(&b), "action_type(200,0x010203),action_type(1,0x0102)") != NULL);

    /* Trailing bytes that are not an attribute are shown, not hidden. */
    buf_clear(&b);
    odp_format_actions(&b, a.data, 6);
    CHECK_STR_EQ(buf_cstr(&b), "<6 malformed bytes>");
    dp_actions_uninit(&a);
    buf_uninit(&b);
}

static void
test_actions_round_trips(void)
{
    static const char *const lists[] = {
        "drop",
        "1",
        "1,2,4294967295",
        "push_vlan(vid=10,pcp=0),2",
        "push_vlan(vid=4095,pcp=7,tpid=0x88a8),push_vlan(vid=1,pcp=0),3",
        "pop_vlan,pop_vlan,1",
        "set(eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02)),1",
        "set(eth(dst=01:00:00:00:00:00/01:00:00:00:00:00))",
        "set(eth())",
        "set(ipv4(src=10.0.0.1,dst=10.0.0.0/255.0.0.0,tos=4,ttl=9))",
        "set(ipv6(src=2001:db8::1,dst=::1,label=0x00001,tclass=3,hlimit=1))",
        "set(tcp(src=80,dst=7936/0xff00))",
        "set(udp(dst=53))",
        "set(sctp(src=1,dst=2))",
        "set(arp(sip=10.0.0.99,op=2,sha=02:77:00:00:00:99)),2",
        "set(arp(tip=10.0.0.0/255.255.255.0,tha=ff:ff:ff:ff:ff:ff))",
        "set(ipv6(src=fd00:77::98,dst=fd00:77::2)),1",
        "userspace(pid=1)",
        "userspace(pid=4000000000,userdata(0x0102030405060708))",
        "userspace(pid=5,userdata(0x))",
        "recirc(7),trunc(100)",
        "meter(2),1",
        "sample(sample=100.0%,actions(userspace(pid=7,userdata(0x776c4673010000000200"
        "0000)))),meter(1),2",
        "sample(sample=50.0%,actions(1,2))",
        "sample(sample=0.25%,actions(drop)),1",
        "sample(sample=0.0%,actions(sample(sample=1.0%,actions(3))))",
        "sample(sample=33.33333333%,actions(pop_vlan,1))",
        "action_type(200,0x0102030405)",
        "action_type(999)",
        "action_type(32769,0x00000000)",
    };

    for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
        check_actions_round_trip(lists[i]);
    }
}

static void
test_actions_rejects(void)
{
    static const char *const bad[] = {
        "", " ", "drop,1", "1,drop", "1,,2", ",1", "1,", "4294967296", "-1", "1x",
        "foo", "foo(1)", "push_vlan", "push_vlan(vid=4096)", "push_vlan(vid=1/0xff)",
        "push_vlan(pcp=8)", "push_vlan(vid=1,vid=2)", "push_vlan(bogus=1)",
        "pop_vlan(1)", "set", "set()", "set(eth)", "set(eth(src=1))",
        "set(vlan(vid=1))", "set(eth(src=50:54:00:00:00:01))x", "set(eth()) 1",
        "set(ipv4(ttl=256))", "set(arp(op=65536))", "set(arp(sha=1))", "set(tcp(src=1)),set(", "set(tcp(src=1)))",
        "userspace()", "userspace(pid=x)", "userspace(userdata(0x01))",
        "userspace(pid=1,userdata(0x1))", "userspace(pid=1,userdata(01))",
        "userspace(pid=1,userdata(0xzz))", "userspace(pid=1,pid=2)",
        "userspace(pid=1,userdata(0x01),userdata(0x02))", "recirc()", "recirc(x)", "meter()",
        "trunc(-1)", "action_type()", "action_type(65536)", "action_type(1,0x1)",
        "action_type(1,12)", "action_type(1,0x0g)", "sample(1)", "ct(commit)",
        "sample()", "sample(sample=50%)", "sample(sample=50,actions(1))",
        "sample(sample=100.1%,actions(1))", "sample(sample=-1%,actions(1))",
        "sample(sample=1e1%,actions(1))", "sample(sample=nan%,actions(1))",
        "sample(sample=%,actions(1))", "sample(sample=50%,actions())",
        "sample(sample=50%,actions(foo))", "sample(sample=50%,actions(1),2)",
        "sample(sample=50%,action(1))", "sample(sample=50%;actions(1))",
        "sample(sample=1%,actions(sample(sample=1%,actions(sample(sample=1%,actions("
        "sample(sample=1%,actions(sample(sample=1%,actions(1))))))))))",
    };

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        check_actions_rejected(bad[i]);
    }
}

/* Probabilities print with the fewest decimals that parse back the same,
 * and the common sampling rates (1 in 1, 2, 100, 400) print short. */
static void
test_sample_probability(void)
{
    static const struct {
        uint32_t probability;
        const char *text;
    } cases[] = {
        { UINT32_MAX, "100.0" }, { 0, "0.0" }, { 2147483648u, "50.0" },
        { 42949673, "1.0" }, { 10737418, "0.25" }, { 1, "0.00000002" },
    };
    uint32_t p;

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct buf b = BUF_INITIALIZER;

        odp_format_probability(&b, cases[i].probability);
        CHECK_STR_EQ(buf_cstr(&b), cases[i].text);
        CHECK(odp_parse_probability(buf_cstr(&b), &p));
        CHECK_INT_EQ(p, cases[i].probability);
        buf_uninit(&b);
    }
    for (uint64_t v = 0; v <= UINT32_MAX; v += 104729 * 7) {
        struct buf b = BUF_INITIALIZER;

        odp_format_probability(&b, v);
        CHECK(odp_parse_probability(buf_cstr(&b), &p) && p == v);
        buf_uninit(&b);
    }
    CHECK(odp_parse_probability("100", &p) && p == UINT32_MAX);
    CHECK(!odp_parse_probability("", &p));
    CHECK(!odp_parse_probability("100.000001", &p));
    CHECK(!odp_parse_probability(" 1", &p));
    CHECK(!odp_parse_probability("1.2.3", &p));
}

/* A sample action that looks unusual (no probability, extra attributes)
 * prints raw, so that nothing is lost. */
static void
test_format_odd_sample(void)
{
    struct dp_actions a = DP_ACTIONS_INITIALIZER;
    struct buf b = BUF_INITIALIZER;
    uint32_t probability = 7;
    size_t sample, nested;

    sample = dp_actions_start_nested(&a, OVS_ACTION_ATTR_SAMPLE);
    nested = dp_actions_start_nested(&a, OVS_SAMPLE_ATTR_ACTIONS);
    dp_actions_put_output(&a, 1);
    dp_actions_end_nested(&a, nested);
    dp_actions_end_nested(&a, sample);
    odp_format_actions(&b, a.data, a.size);
    CHECK(str_starts_with(buf_cstr(&b), "action_type(6,0x"));

    dp_actions_clear(&a);
    buf_clear(&b);
    sample = dp_actions_start_nested(&a, OVS_ACTION_ATTR_SAMPLE);
    dp_actions_put(&a, OVS_SAMPLE_ATTR_PROBABILITY, &probability, 4);
    nested = dp_actions_start_nested(&a, OVS_SAMPLE_ATTR_ACTIONS);
    dp_actions_put(&a, 200, NULL, 0);
    dp_actions_end_nested(&a, nested);
    dp_actions_end_nested(&a, sample);
    odp_format_actions(&b, a.data, a.size);
    CHECK_STR_EQ(buf_cstr(&b), "sample(sample=0.00000016%,actions(action_type(200)))");

    dp_actions_put(&a, OVS_SAMPLE_ATTR_PROBABILITY, &probability, 4);
    ((struct nlattr *) a.data)->nla_len += 8;
    buf_clear(&b);
    odp_format_actions(&b, a.data, a.size);
    CHECK(str_starts_with(buf_cstr(&b), "action_type(6,0x"));

    /* set() whose nested attribute is too short or too long for it prints
     * raw (the fuzz corpus keeps the input that read past the end). */
    for (int i = 0; i < 2; i++) {
        uint16_t lengths[] = { 0, 12 };
        struct nlattr *inner;

        dp_actions_clear(&a);
        buf_clear(&b);
        sample = dp_actions_start_nested(&a, i ? OVS_ACTION_ATTR_SET_MASKED
                                               : OVS_ACTION_ATTR_SET);
        inner = (struct nlattr *) ((uint8_t *) dp_actions_put(&a, OVS_KEY_ATTR_TUNNEL,
                                                              NULL, 4) - NLA_HDRLEN);
        dp_actions_end_nested(&a, sample);
        inner->nla_len = lengths[i];
        odp_format_actions(&b, a.data, a.size);
        CHECK(str_starts_with(buf_cstr(&b), "action_type("));
    }
    dp_actions_uninit(&a);
    buf_uninit(&b);
}

static void
test_format_flow(void)
{
    struct odp_flow_stats stats = { 3, 294, 123, 0x01a, false };
    struct dp_actions a = DP_ACTIONS_INITIALIZER;
    struct buf b = BUF_INITIALIZER;
    struct flowkey key, mask;

    memset(&key, 0, sizeof key);
    memset(&mask, 0, sizeof mask);
    key.in_port = 1;
    mask.in_port = UINT32_MAX;
    dp_actions_put_output(&a, 2);
    odp_format_flow(&b, &key, &mask, &stats, a.data, a.size);
    CHECK_STR_EQ(buf_cstr(&b),
                 "in_port(1), packets:3, bytes:294, used:0.123s, flags:SP., actions:2");
    buf_clear(&b);
    stats.used_msec = -1;
    stats.tcp_flags = 0;
    odp_format_flow(&b, &key, &mask, &stats, NULL, 0);
    CHECK_STR_EQ(buf_cstr(&b), "in_port(1), packets:3, bytes:294, used:never, actions:drop");
    buf_clear(&b);
    stats.used_msec = 61005;
    odp_format_flow(&b, &key, &mask, &stats, NULL, 0);
    CHECK_STR_EQ(buf_cstr(&b), "in_port(1), packets:3, bytes:294, used:61.005s, actions:drop");
    dp_actions_uninit(&a);
    buf_uninit(&b);
}

static void
test_parse_flow(void)
{
    static const char *const good[] = {
        "in_port(1),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no), packets:3, bytes:294, "
        "used:0.1s, actions:2",
        "in_port(1),eth_type(0x0800) actions:2,3",
        "in_port(1), packets:3, bytes:294, used:never, flags:SP., actions:drop",
        "actions:drop",
        "packets:0, bytes:0, used:never, actions:pop_vlan,1",
    };
    static const char *const bad[] = {
        "in_port(1)", "in_port(1), actions:", "in_port(1), packets:3", "in_port(1) 2",
        "in_port(1), foo:1, actions:2", "in_port(1), actions:foo",
        "in_port(1), actions:2)", "in_port(1x), actions:2", "", "actions",
    };
    struct dp_actions a = DP_ACTIONS_INITIALIZER;
    struct buf error = BUF_INITIALIZER, b = BUF_INITIALIZER;
    struct flowkey key, mask;

    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        buf_clear(&error);
        if (odp_parse_flow(good[i], &key, &mask, &a, &error)) {
            fprintf(stderr, "flow \"%s\" rejected: %s\n", good[i], buf_cstr(&error));
            CHECK(false);
        }
    }
    CHECK_INT_EQ(odp_parse_flow(good[0], &key, &mask, &a, &error), 0);
    CHECK_INT_EQ(key.ipv4_dst, htonl(0x0a000002));
    CHECK_INT_EQ(mask.nw_frag, 0xff);
    odp_format_actions(&b, a.data, a.size);
    CHECK_STR_EQ(buf_cstr(&b), "2");

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        buf_clear(&error);
        if (!odp_parse_flow(bad[i], &key, &mask, &a, &error)) {
            fprintf(stderr, "flow \"%s\" was accepted\n", bad[i]);
            CHECK(false);
        } else {
            CHECK(error.size > 0);
            CHECK_INT_EQ(a.size, 0);
        }
    }
    dp_actions_uninit(&a);
    buf_uninit(&error);
    buf_uninit(&b);
}

/* A flow printed by odp_format_flow parses back to the same key, mask and
 * actions. */
static void
test_flow_round_trip(void)
{
    struct odp_flow_stats stats = { 10, 1000, 5, 0x012, true };
    struct dp_actions a = DP_ACTIONS_INITIALIZER, a2 = DP_ACTIONS_INITIALIZER;
    struct buf b = BUF_INITIALIZER, error = BUF_INITIALIZER;
    struct flowkey key, mask, key2, mask2, masked;

    make_tcp_key(&key);
    memset(&mask, 0xff, sizeof mask);
    memset(&mask, 0, offsetof(struct flowkey, in_port));
    /* Geneve option fields have no datapath text form (they are the
     * bridge's TLV map's fields, tun-metadata.h). */
    memset(&mask.tun_md_present, 0, offsetof(struct flowkey, eth_src)
           - offsetof(struct flowkey, tun_md_present));
    memset(mask.vlans, 0, sizeof mask.vlans);
    flowkey_mask_canonicalize(&key, &mask);
    memset(mask.pad1, 0, sizeof mask.pad1);
    memset(mask.pad2, 0, sizeof mask.pad2);
    memset(mask.ipv6_src, 0, offsetof(struct flowkey, tp_src)
           - offsetof(struct flowkey, ipv6_src));
    mask.ipv6_label = 0;
    dp_actions_put_push_vlan(&a, ETH_TYPE_VLAN, 5);
    dp_actions_put_output(&a, 4);
    odp_format_flow(&b, &key, &mask, &stats, a.data, a.size);
    /* An offloaded flow's marks are read back and ignored, like counters. */
    CHECK(strstr(buf_cstr(&b), ", offloaded:yes, dp:tc, actions:") != NULL);
    CHECK_INT_EQ(odp_parse_flow(buf_cstr(&b), &key2, &mask2, &a2, &error), 0);
    flowkey_apply_mask(&masked, &key, &mask);
    CHECK(!memcmp(&masked, &key2, sizeof key2));
    CHECK(!memcmp(&mask, &mask2, sizeof mask2));
    CHECK_INT_EQ(a2.size, a.size);
    CHECK(a.size == a2.size && !memcmp(a.data, a2.data, a.size));
    dp_actions_uninit(&a);
    dp_actions_uninit(&a2);
    buf_uninit(&b);
    buf_uninit(&error);
}

UNIT_MAIN("odp",
          UNIT_TEST(test_format_exact_key),
          UNIT_TEST(test_format_masked_key),
          UNIT_TEST(test_format_vlan_keys),
          UNIT_TEST(test_key_round_trips),
          UNIT_TEST(test_key_parse_variants),
          UNIT_TEST(test_key_rejects),
          UNIT_TEST(test_error_quotes_input),
          UNIT_TEST(test_extracted_key_round_trip),
          UNIT_TEST(test_format_actions),
          UNIT_TEST(test_actions_round_trips),
          UNIT_TEST(test_sample_probability),
          UNIT_TEST(test_format_odd_sample),
          UNIT_TEST(test_actions_rejects),
          UNIT_TEST(test_format_flow),
          UNIT_TEST(test_parse_flow),
          UNIT_TEST(test_flow_round_trip))
