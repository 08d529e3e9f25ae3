/* Unit tests for the bridge/port configuration model (libcommon/swconfig.c):
 * every validation message, save/load round trips, loading with corrupt
 * files among good ones, and stray files. File tests run in mkdtemp()
 * directories under /tmp, removed at the end. */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "swconfig.h"
#include "unit.h"

/* ---- helpers ---- */

static char *
make_confdir(void)
{
    char *dir = xstrdup("/tmp/test-swconfig-XXXXXX");

    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
    return dir;
}

static void
remove_confdir(char *dir)
{
    struct buf error = BUF_INITIALIZER;

    CHECK_INT_EQ(cfg_remove_tree(dir, &error), 0);
    buf_uninit(&error);
    free(dir);
}

static void
write_text(const char *dir, const char *relative, const char *text)
{
    char *path = xasprintf("%s/%s", dir, relative);
    char *slash = strrchr(path, '/');
    struct buf error = BUF_INITIALIZER;
    FILE *f;

    *slash = '\0';
    CHECK_INT_EQ(cfg_mkdir_p(path, 0755, &error), 0);
    *slash = '/';
    f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
    buf_uninit(&error);
    free(path);
}

static char *
read_text(const char *dir, const char *relative)
{
    char *path = xasprintf("%s/%s", dir, relative);
    struct buf b = BUF_INITIALIZER;
    FILE *f = fopen(path, "r");
    char chunk[512];
    size_t n;

    free(path);
    if (!f) {
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        buf_put(&b, chunk, n);
    }
    fclose(f);
    return buf_steal_cstr(&b);
}

static bool
exists(const char *dir, const char *relative)
{
    char *path = xasprintf("%s/%s", dir, relative);
    struct stat st;
    bool found = !lstat(path, &st);

    free(path);
    return found;
}

/* Applies "key=value" to a fresh port, expecting 'message' ("" = success). */
static void
check_port_set(const char *word, const char *message)
{
    struct buf error = BUF_INITIALIZER;
    struct sw_port port;
    int retval;

    sw_port_init(&port, "p1");
    retval = sw_port_set_word(&port, word, &error);
    CHECK_INT_EQ(retval, *message ? EINVAL : 0);
    CHECK_STR_EQ(buf_cstr(&error), message);
    sw_port_destroy(&port);
    buf_uninit(&error);
}

static void
check_bridge_set(const char *word, const char *message)
{
    struct buf error = BUF_INITIALIZER;
    struct sw_bridge br;
    int retval;

    sw_bridge_init(&br, "br0");
    retval = sw_bridge_set_word(&br, word, &error);
    CHECK_INT_EQ(retval, *message ? EINVAL : 0);
    CHECK_STR_EQ(buf_cstr(&error), message);
    sw_bridge_destroy(&br);
    buf_uninit(&error);
}

static char *
port_text(const struct sw_port *port)
{
    struct cfg_file file;
    struct buf text = BUF_INITIALIZER;

    sw_port_to_cfg(port, &file);
    cfg_file_format(&file, NULL, &text);
    cfg_file_destroy(&file);
    return buf_steal_cstr(&text);
}

/* The whole model of a bridge as text, for comparing two bridges. */
static char *
bridge_text(const struct sw_bridge *br)
{
    struct cfg_file file;
    struct buf text = BUF_INITIALIZER;

    buf_printf(&text, "[%s]\n", br->name);
    sw_bridge_to_cfg(br, &file);
    cfg_file_format(&file, NULL, &text);
    cfg_file_destroy(&file);
    for (size_t i = 0; i < br->n_ports; i++) {
        char *port = port_text(&br->ports[i]);

        buf_printf(&text, "[port %s]\n%s", br->ports[i].name, port);
        free(port);
    }
    return buf_steal_cstr(&text);
}

static void
add_port(struct sw_bridge *br, const char *name, const char *const *words)
{
    struct buf error = BUF_INITIALIZER;
    struct sw_port port;

    sw_port_init(&port, name);
    for (; *words; words++) {
        CHECK_INT_EQ(sw_port_set_word(&port, *words, &error), 0);
    }
    CHECK_STR_EQ(buf_cstr(&error), "");
    CHECK(sw_bridge_add_port(br, &port) != NULL);
    sw_port_destroy(&port);
    buf_uninit(&error);
}

/* ---- settings ---- */

static void
test_port_settings(void)
{
    struct buf error = BUF_INITIALIZER;
    struct sw_port port;

    sw_port_init(&port, "p1");
    CHECK_INT_EQ(port.tag, -1);
    CHECK_INT_EQ(port.type, SW_PORT_SYSTEM);
    CHECK_INT_EQ(sw_port_set(&port, "type", "patch", &error), 0);
    CHECK_INT_EQ(sw_port_set(&port, "ofport", "65279", &error), 0);
    CHECK_INT_EQ(sw_port_set(&port, "tag", "4094", &error), 0);
    CHECK_INT_EQ(sw_port_set(&port, "trunks", "30-32,10,31,0", &error), 0);
    CHECK_INT_EQ(sw_port_set(&port, "vlan_mode", "native-untagged", &error), 0);
    CHECK_INT_EQ(sw_port_set(&port, "peer", "p2", &error), 0);
    CHECK_INT_EQ(sw_port_set(&port, "remote_ip", "10.0.0.2", &error), 0);
    CHECK_INT_EQ(sw_port_set_word(&port, " key = flow ", &error), 0);
    CHECK_STR_EQ(buf_cstr(&error), "");
    CHECK_INT_EQ(port.type, SW_PORT_PATCH);
    CHECK_INT_EQ(port.ofport, 65279);
    CHECK_INT_EQ(port.tag, 4094);
    CHECK_INT_EQ(port.n_trunks, 5);
    CHECK(port.n_trunks == 5 && port.trunks[0] == 0 && port.trunks[1] == 10
          && port.trunks[4] == 32);
    CHECK_INT_EQ(port.vlan_mode, SW_VLAN_NATIVE_UNTAGGED);
    CHECK_STR_EQ(port.peer, "p2");
    CHECK_STR_EQ(cfg_file_get(&port.options, "remote_ip"), "10.0.0.2");
    CHECK_STR_EQ(cfg_file_get(&port.options, "key"), "flow");

    /* Empty values put known keys back to their defaults. */
    CHECK_INT_EQ(sw_port_set(&port, "type", "", &error), 0);
    CHECK_INT_EQ(sw_port_set(&port, "ofport", "", &error), 0);
    CHECK_INT_EQ(sw_port_set(&port, "tag", "", &error), 0);
    CHECK_INT_EQ(sw_port_set(&port, "trunks", "", &error), 0);
    CHECK_INT_EQ(sw_port_set(&port, "vlan_mode", "", &error), 0);
    CHECK_INT_EQ(sw_port_set(&port, "peer", "", &error), 0);
    CHECK_INT_EQ(port.type, SW_PORT_SYSTEM);
    CHECK_INT_EQ(port.ofport, 0);
    CHECK_INT_EQ(port.tag, -1);
    CHECK_INT_EQ(port.n_trunks, 0);
    CHECK(!port.trunks);
    CHECK_INT_EQ(port.vlan_mode, SW_VLAN_AUTO);
    CHECK(!port.peer);
    sw_port_destroy(&port);
    sw_port_destroy(&port);
    sw_port_destroy(NULL);
    buf_uninit(&error);
}

static void
test_port_setting_errors(void)
{
    check_port_set("tag=4095", "tag=4095: VLAN must be 1..4094");
    check_port_set("tag=0", "tag=0: VLAN must be 1..4094");
    check_port_set("tag=-1", "tag=-1: VLAN must be 1..4094");
    check_port_set("tag=ten", "tag=ten: VLAN must be 1..4094");
    check_port_set("ofport=0", "ofport=0: the OpenFlow port must be 1..65279");
    check_port_set("ofport=65280", "ofport=65280: the OpenFlow port must be 1..65279");
    check_port_set("ofport=0x10", "ofport=0x10: the OpenFlow port must be 1..65279");
    check_port_set("type=tap", "type=tap: expected system, internal, patch, vxlan, "
                   "geneve, gre or bond");
    check_port_set("vlan_mode=native", "vlan_mode=native: expected access, trunk, "
                   "native-tagged or native-untagged");
    check_port_set("trunks=10,4095", "trunks=10,4095: \"4095\" is not a VLAN in "
                   "0..4094");
    check_port_set("trunks=10,,20", "trunks=10,,20: empty entry in VLAN list "
                   "(separate VLANs with a single ',')");
    check_port_set("trunks=10,", "trunks=10,: empty entry in VLAN list "
                   "(separate VLANs with a single ',')");
    check_port_set("trunks=40-30", "trunks=40-30: range 40-30 is backwards "
                   "(write 30-40)");
    check_port_set("trunks=1-2-3", "trunks=1-2-3: \"2-3\" is not a VLAN in 0..4094");
    check_port_set("trunks=10 20", "trunks=10 20: \"10 20\" is not a VLAN in 0..4094");
    check_port_set("peer=a/b", "peer=a/b: expected a port name (1..15 characters, "
                   "no '/', ':', '=', ',' or spaces)");
    check_port_set("peer=abcdefghijklmnop", "peer=abcdefghijklmnop: expected a port "
                   "name (1..15 characters, no '/', ':', '=', ',' or spaces)");
    check_port_set("Options=1", "invalid key \"Options\" (keys use a-z, 0-9, '_', "
                   "'.', ':' and '-')");
    check_port_set("remote_ip", "expected key=value, got \"remote_ip\"");
    check_port_set("x=a\tb", "x=...: the value contains a control character "
                   "(byte 0x09)");
    check_port_set("x=a\x7f", "x=...: the value contains a control character "
                   "(byte 0x7f)");
    {
        char *word = xmalloc(CFG_MAX_LINE + 2);

        memset(word, 'v', CFG_MAX_LINE + 1);
        memcpy(word, "x=", 2);
        word[CFG_MAX_LINE + 1] = '\0';
        check_port_set(word, "x=...: the setting is 4097 bytes long, more than the "
                       "limit of 4096");
        word[CFG_MAX_LINE] = '\0';
        check_port_set(word, "");
        free(word);
    }
}

static void
test_port_setting_error_keeps_old_value(void)
{
    struct buf error = BUF_INITIALIZER;
    struct sw_port port;

    sw_port_init(&port, "p1");
    CHECK_INT_EQ(sw_port_set(&port, "tag", "10", &error), 0);
    CHECK_INT_EQ(sw_port_set(&port, "trunks", "1,2", &error), 0);
    CHECK_INT_EQ(sw_port_set(&port, "tag", "5000", &error), EINVAL);
    CHECK_INT_EQ(sw_port_set(&port, "trunks", "1,x", &error), EINVAL);
    CHECK_INT_EQ(port.tag, 10);
    CHECK_INT_EQ(port.n_trunks, 2);
    sw_port_destroy(&port);
    buf_uninit(&error);
}

static void
test_bridge_settings(void)
{
    struct buf error = BUF_INITIALIZER;
    struct sw_bridge br;

    sw_bridge_init(&br, "br0");
    CHECK_INT_EQ(br.datapath, SW_DP_AUTO);
    CHECK_INT_EQ(br.fail_mode, SW_FAIL_STANDALONE);
    CHECK_INT_EQ(sw_bridge_set(&br, "datapath", "kernel", &error), 0);
    CHECK_INT_EQ(sw_bridge_set(&br, "fail-mode", "secure", &error), 0);
    CHECK_INT_EQ(sw_bridge_set(&br, "controller",
                               "tcp:10.0.0.1:6653,ssl:ctl.example.com:6653,"
                               "ptcp:6653,pssl:6654:127.0.0.1,ptcp:6655:[::1],"
                               "tcp:[fe80::1]:6653,unix:/run/x.sock,punix:rel",
                               &error), 0);
    CHECK_INT_EQ(sw_bridge_set(&br, "netflow", "10.0.0.9:2055,collector:9995", &error), 0);
    CHECK_INT_EQ(sw_bridge_set(&br, "netflow-active-timeout", "3600", &error), 0);
    CHECK_INT_EQ(sw_bridge_set(&br, "sflow", "[2001:db8::1]:6343", &error), 0);
    CHECK_INT_EQ(sw_bridge_set(&br, "sflow-sampling", "4294967295", &error), 0);
    CHECK_INT_EQ(sw_bridge_set(&br, "sflow-polling", "1", &error), 0);
    CHECK_INT_EQ(sw_bridge_set(&br, "netflow-engine-type", "0", &error), 0);
    CHECK_INT_EQ(sw_bridge_set(&br, "netflow-engine-id", "255", &error), 0);
    CHECK_INT_EQ(sw_bridge_set(&br, "sflow-agent", "2001:db8::7", &error), 0);
    CHECK_INT_EQ(sw_bridge_set(&br, "flow-idle-timeout", "1000", &error), 0);
    CHECK_INT_EQ(sw_bridge_set(&br, "datapath-id", "0x02005E00AB01cdef", &error), 0);
    CHECK_INT_EQ(sw_bridge_set(&br, "other-config:x", "anything goes", &error), 0);
    CHECK_STR_EQ(buf_cstr(&error), "");
    CHECK_INT_EQ(br.datapath, SW_DP_KERNEL);
    CHECK_INT_EQ(br.fail_mode, SW_FAIL_SECURE);
    CHECK_INT_EQ(br.options.n, 12);
    CHECK_STR_EQ(cfg_file_get(&br.options, "other-config:x"), "anything goes");

    /* Empty values reset. */
    CHECK_INT_EQ(sw_bridge_set(&br, "controller", "", &error), 0);
    CHECK(!cfg_file_get(&br.options, "controller"));
    CHECK_INT_EQ(sw_bridge_set(&br, "datapath", "", &error), 0);
    CHECK_INT_EQ(br.datapath, SW_DP_AUTO);
    CHECK_INT_EQ(sw_bridge_set(&br, "datapath", "auto", &error), 0);
    CHECK_INT_EQ(sw_bridge_set(&br, "fail-mode", "", &error), 0);
    CHECK_INT_EQ(br.fail_mode, SW_FAIL_STANDALONE);
    sw_bridge_destroy(&br);
    sw_bridge_destroy(&br);
    sw_bridge_destroy(NULL);
    buf_uninit(&error);
}

static void
test_datapath_id(void)
{
    uint64_t dpid = 0;

    CHECK(sw_parse_datapath_id("00005e0053000001", &dpid));
    CHECK(dpid == 0x00005e0053000001ULL);
    CHECK(sw_parse_datapath_id("0XFFFFFFFFFFFFFFFF", &dpid));
    CHECK(dpid == UINT64_MAX);
    CHECK(!sw_parse_datapath_id("0000000000000000", &dpid));
    CHECK(!sw_parse_datapath_id("5e0053000001", &dpid));
    CHECK(!sw_parse_datapath_id("00005e00530000011", &dpid));
    CHECK(!sw_parse_datapath_id("00005e005300000g", &dpid));
    CHECK(!sw_parse_datapath_id("0x", &dpid));
    CHECK(!sw_parse_datapath_id("", &dpid));
    check_bridge_set("datapath-id=12",
                     "datapath-id=12: expected 16 hexadecimal digits, not all zero "
                     "(e.g. 00005e0053000001)");
}

static void
test_bridge_setting_errors(void)
{
    check_bridge_set("datapath=dpdk", "datapath=dpdk: expected user or kernel");
    check_bridge_set("fail-mode=open", "fail-mode=open: expected standalone or secure");
    check_bridge_set("controller=tcp:1.2.3.4",
                     "controller=tcp:1.2.3.4: \"tcp:1.2.3.4\" has no port "
                     "(expected tcp:HOST:PORT or ssl:HOST:PORT)");
    check_bridge_set("controller=tcp:host",
                     "controller=tcp:host: \"tcp:host\" has no port (expected "
                     "tcp:HOST:PORT or ssl:HOST:PORT)");
    check_bridge_set("controller=tcp::6653",
                     "controller=tcp::6653: \"tcp::6653\" has no host (expected "
                     "tcp:HOST:PORT or ssl:HOST:PORT)");
    check_bridge_set("controller=tcp:10.0.0.1:99999",
                     "controller=tcp:10.0.0.1:99999: invalid port \"99999\" in "
                     "\"tcp:10.0.0.1:99999\" (expected 1..65535)");
    check_bridge_set("controller=tcp:10.0.0.256:6653",
                     "controller=tcp:10.0.0.256:6653: invalid host \"10.0.0.256\" "
                     "in \"tcp:10.0.0.256:6653\"");
    check_bridge_set("controller=tcp:fe80::1:6653",
                     "controller=tcp:fe80::1:6653: in \"tcp:fe80::1:6653\": put an "
                     "IPv6 address in brackets, e.g. [fe80::1]");
    check_bridge_set("controller=tcp:[fe80::zz]:6653",
                     "controller=tcp:[fe80::zz]:6653: invalid host \"[fe80::zz]\" "
                     "in \"tcp:[fe80::zz]:6653\"");
    check_bridge_set("controller=tcp:[::1]",
                     "controller=tcp:[::1]: \"tcp:[::1]\" has no port (expected "
                     "tcp:HOST:PORT or ssl:HOST:PORT)");
    check_bridge_set("controller=http:x:1",
                     "controller=http:x:1: unknown target \"http:x:1\" (expected "
                     "tcp:HOST:PORT, ssl:HOST:PORT, ptcp:PORT[:HOST], "
                     "pssl:PORT[:HOST], unix:PATH or punix:PATH)");
    check_bridge_set("controller=ptcp:",
                     "controller=ptcp:: invalid port \"\" in \"ptcp:\" (expected "
                     "1..65535)");
    check_bridge_set("controller=ptcp:6653:bad_host",
                     "controller=ptcp:6653:bad_host: invalid host \"bad_host\" in "
                     "\"ptcp:6653:bad_host\"");
    check_bridge_set("controller=unix:",
                     "controller=unix:: \"unix:\": socket path must be 1..107 "
                     "characters");
    check_bridge_set("controller=tcp:a:1,,tcp:b:2",
                     "controller=tcp:a:1,,tcp:b:2: empty entry in list (separate "
                     "entries with a single ',')");
    check_bridge_set("controller=tcp:a:1, tcp:b:2",
                     "controller=tcp:a:1, tcp:b:2: unknown target \" tcp:b:2\" "
                     "(expected tcp:HOST:PORT, ssl:HOST:PORT, ptcp:PORT[:HOST], "
                     "pssl:PORT[:HOST], unix:PATH or punix:PATH)");
    check_bridge_set("netflow=10.0.0.1",
                     "netflow=10.0.0.1: \"10.0.0.1\" has no port (expected HOST:PORT)");
    check_bridge_set("netflow=:2055",
                     "netflow=:2055: \":2055\" has no host (expected HOST:PORT)");
    check_bridge_set("netflow=-bad-:1",
                     "netflow=-bad-:1: invalid host \"-bad-\" in \"-bad-:1\"");
    check_bridge_set("sflow=x:0", "sflow=x:0: invalid port \"0\" in \"x:0\" "
                     "(expected 1..65535)");
    check_bridge_set("sflow=,", "sflow=,: empty entry in list (separate entries "
                     "with a single ',')");
    check_bridge_set("netflow-active-timeout=0",
                     "netflow-active-timeout=0: seconds must be 1..3600");
    check_bridge_set("netflow-active-timeout=3601",
                     "netflow-active-timeout=3601: seconds must be 1..3600");
    check_bridge_set("sflow-polling=x", "sflow-polling=x: seconds must be 1..3600");
    check_bridge_set("sflow-sampling=4294967296",
                     "sflow-sampling=4294967296: the sampling rate must be "
                     "1..4294967295");
    check_bridge_set("sflow-sampling=0",
                     "sflow-sampling=0: the sampling rate must be 1..4294967295");
    check_bridge_set("netflow-engine-id=256",
                     "netflow-engine-id=256: the engine number must be 0..255");
    check_bridge_set("netflow-engine-type=x",
                     "netflow-engine-type=x: the engine number must be 0..255");
    check_bridge_set("sflow-agent=host.example",
                     "sflow-agent=host.example: expected an IPv4 or IPv6 address");
    check_bridge_set("flow-idle-timeout=99",
                     "flow-idle-timeout=99: milliseconds must be 100..3600000");
    check_bridge_set("BAD=1", "invalid key \"BAD\" (keys use a-z, 0-9, '_', '.', "
                     "':' and '-')");
    check_bridge_set("=1", "invalid key \"\" (keys use a-z, 0-9, '_', '.', ':' and '-')");
    check_bridge_set("datapath", "expected key=value, got \"datapath\"");
    check_bridge_set("x=a\nb", "x=...: the value contains a control character "
                     "(byte 0x0a)");
}

static void
test_vlan_lists(void)
{
    struct buf error = BUF_INITIALIZER, text = BUF_INITIALIZER;
    uint16_t *vlans = NULL;
    size_t n = 99;

    CHECK_INT_EQ(sw_parse_vlan_list("", 0, &vlans, &n, &error), 0);
    CHECK_INT_EQ(n, 0);
    CHECK(!vlans);
    CHECK_INT_EQ(sw_parse_vlan_list("30-40,10,20,35,4094", 0, &vlans, &n, &error), 0);
    CHECK_INT_EQ(n, 14);
    sw_format_vlan_list(&text, vlans, n);
    CHECK_STR_EQ(buf_cstr(&text), "10,20,30-40,4094");
    free(vlans);
    buf_clear(&text);
    CHECK_INT_EQ(sw_parse_vlan_list("1,2,4,5,6,8", 0, &vlans, &n, &error), 0);
    sw_format_vlan_list(&text, vlans, n);
    CHECK_STR_EQ(buf_cstr(&text), "1,2,4-6,8");
    free(vlans);
    buf_clear(&text);

    CHECK_INT_EQ(sw_parse_vlan_list("0", 1, &vlans, &n, &error), EINVAL);
    CHECK_STR_EQ(buf_cstr(&error), "\"0\" is not a VLAN in 1..4094");
    buf_clear(&error);
    CHECK_INT_EQ(sw_parse_vlan_list("0-4094", 0, &vlans, &n, &error), 0);
    CHECK_INT_EQ(n, 4095);
    /* Found by fuzzing: a wide range must not expand into a 20 kB line. */
    sw_format_vlan_list(&text, vlans, n);
    CHECK_STR_EQ(buf_cstr(&text), "0-4094");
    free(vlans);
    CHECK_INT_EQ(sw_parse_vlan_list("-5", 0, &vlans, &n, &error), EINVAL);
    CHECK_STR_EQ(buf_cstr(&error), "\"\" is not a VLAN in 0..4094");

    buf_clear(&text);
    sw_format_vlan_list(&text, NULL, 0);
    CHECK_STR_EQ(buf_cstr(&text), "");
    buf_uninit(&text);
    buf_uninit(&error);
}

static void
test_enum_names(void)
{
    CHECK_STR_EQ(sw_datapath_type_to_string(SW_DP_AUTO), "auto");
    CHECK_STR_EQ(sw_datapath_type_to_string(SW_DP_USER), "user");
    CHECK_STR_EQ(sw_datapath_type_to_string(SW_DP_KERNEL), "kernel");
    CHECK_STR_EQ(sw_fail_mode_to_string(SW_FAIL_SECURE), "secure");
    CHECK_STR_EQ(sw_port_type_to_string(SW_PORT_BOND), "bond");
    CHECK_STR_EQ(sw_port_type_to_string(SW_PORT_GENEVE), "geneve");
    CHECK_STR_EQ(sw_vlan_mode_to_string(SW_VLAN_AUTO), "auto");
    CHECK_STR_EQ(sw_vlan_mode_to_string(SW_VLAN_NATIVE_TAGGED), "native-tagged");
}

/* ---- ports of a bridge ---- */

static void
test_bridge_ports(void)
{
    static const char *const none[] = { NULL };
    static const char *const one[] = { "ofport=1", NULL };
    static const char *const three[] = { "ofport=3", NULL };
    struct sw_bridge br;
    struct sw_port dup;

    sw_bridge_init(&br, "br0");
    CHECK_INT_EQ(sw_bridge_free_ofport(&br), 1);
    add_port(&br, "vm2", three);
    add_port(&br, "eth0", one);
    add_port(&br, "vm1", none);
    CHECK_INT_EQ(br.n_ports, 3);
    CHECK_STR_EQ(br.ports[0].name, "eth0");
    CHECK_STR_EQ(br.ports[1].name, "vm1");
    CHECK_STR_EQ(br.ports[2].name, "vm2");
    CHECK_INT_EQ(sw_bridge_free_ofport(&br), 2);
    CHECK(sw_bridge_find_port(&br, "vm2") == &br.ports[2]);
    CHECK(!sw_bridge_find_port(&br, "vm3"));
    CHECK(sw_bridge_find_ofport(&br, 3) == &br.ports[2]);
    CHECK(!sw_bridge_find_ofport(&br, 0));
    CHECK(!sw_bridge_find_ofport(&br, 2));

    /* A second port of the same name is refused and stays the caller's. */
    sw_port_init(&dup, "vm1");
    CHECK(!sw_bridge_add_port(&br, &dup));
    CHECK_STR_EQ(dup.name, "vm1");
    sw_port_destroy(&dup);

    CHECK(sw_bridge_remove_port(&br, "vm1"));
    CHECK(!sw_bridge_remove_port(&br, "vm1"));
    CHECK_INT_EQ(br.n_ports, 2);
    CHECK_STR_EQ(br.ports[1].name, "vm2");
    sw_bridge_destroy(&br);
}

static void
test_validate(void)
{
    static const char *const tag_trunks[] = { "tag=10", "trunks=20,30", NULL };
    static const char *const native[] = { "tag=10", "trunks=20,30",
                                          "vlan_mode=native-tagged", NULL };
    static const char *const patch[] = { "type=patch", NULL };
    static const char *const self[] = { "type=patch", "peer=p1", NULL };
    static const char *const of5[] = { "ofport=5", NULL };
    struct buf error = BUF_INITIALIZER;
    struct sw_bridge br;

    sw_bridge_init(&br, "br0");
    add_port(&br, "p1", tag_trunks);
    CHECK_INT_EQ(sw_bridge_validate(&br, &error), EINVAL);
    CHECK_STR_EQ(buf_cstr(&error), "port p1: tag and trunks together need "
                 "vlan_mode=native-tagged or vlan_mode=native-untagged; remove "
                 "one of them or set vlan_mode");
    sw_bridge_destroy(&br);

    buf_clear(&error);
    sw_bridge_init(&br, "br0");
    add_port(&br, "p1", native);
    CHECK_INT_EQ(sw_bridge_validate(&br, &error), 0);
    sw_bridge_destroy(&br);

    sw_bridge_init(&br, "br0");
    add_port(&br, "p1", patch);
    CHECK_INT_EQ(sw_bridge_validate(&br, &error), EINVAL);
    CHECK_STR_EQ(buf_cstr(&error), "port p1: type=patch needs peer=PORT naming the "
                 "other end of the patch");
    sw_bridge_destroy(&br);

    buf_clear(&error);
    sw_bridge_init(&br, "br0");
    add_port(&br, "p1", self);
    CHECK_INT_EQ(sw_bridge_validate(&br, &error), EINVAL);
    CHECK_STR_EQ(buf_cstr(&error), "port p1: peer=p1: a patch port cannot be its "
                 "own peer");
    sw_bridge_destroy(&br);

    buf_clear(&error);
    sw_bridge_init(&br, "br0");
    add_port(&br, "p1", of5);
    add_port(&br, "p2", of5);
    CHECK_INT_EQ(sw_bridge_validate(&br, &error), EINVAL);
    CHECK_STR_EQ(buf_cstr(&error), "bridge br0: ports p1 and p2 both have ofport=5");
    /* Names can only clash by poking at the array directly. */
    buf_clear(&error);
    br.ports[1].ofport = 6;
    free(br.ports[1].name);
    br.ports[1].name = xstrdup("p1");
    CHECK_INT_EQ(sw_bridge_validate(&br, &error), EINVAL);
    CHECK_STR_EQ(buf_cstr(&error), "bridge br0 has two ports named p1");
    buf_clear(&error);
    br.ports[1].tag = 4095;
    CHECK_INT_EQ(sw_port_validate(&br.ports[1], &error), EINVAL);
    CHECK_STR_EQ(buf_cstr(&error), "port p1: tag=4095: VLAN must be 1..4094");
    buf_clear(&error);
    br.ports[1].tag = -1;
    br.ports[1].ofport = 70000;
    CHECK_INT_EQ(sw_port_validate(&br.ports[1], &error), EINVAL);
    CHECK_STR_EQ(buf_cstr(&error), "port p1: ofport=70000 is out of range 1..65279");
    sw_bridge_destroy(&br);

    buf_clear(&error);
    sw_bridge_init(&br, "br/0");
    CHECK_INT_EQ(sw_bridge_validate(&br, &error), EINVAL);
    CHECK_STR_EQ(buf_cstr(&error), "\"br/0\" is not a valid bridge name (1..15 "
                 "characters, no '/', ':', '=', ',' or spaces)");
    sw_bridge_destroy(&br);

    buf_clear(&error);
    {
        struct sw_port port;

        sw_port_init(&port, "");
        CHECK_INT_EQ(sw_port_validate(&port, &error), EINVAL);
        CHECK_STR_EQ(buf_cstr(&error), "\"\" is not a valid port name (1..15 "
                     "characters, no '/', ':', '=', ',' or spaces)");
        sw_port_destroy(&port);
    }
    buf_uninit(&error);
}

/* ---- files ---- */

/* A bridge with a bit of everything. */
static void
make_full_bridge(struct sw_bridge *br)
{
    static const char *const uplink[] = { "ofport=1", "trunks=10,20,30-32",
                                          "vlan_mode=trunk", NULL };
    static const char *const vm1[] = { "ofport=2", "tag=10", NULL };
    static const char *const patch[] = { "type=patch", "peer=patch-br1",
                                         "ofport=3", NULL };
    static const char *const tun[] = { "type=vxlan", "remote_ip=192.0.2.1",
                                       "key=flow", "dst_port=4789", NULL };
    static const char *const native[] = { "tag=5", "trunks=6,7",
                                          "vlan_mode=native-untagged", NULL };
    struct buf error = BUF_INITIALIZER;

    sw_bridge_init(br, "br0");
    CHECK_INT_EQ(sw_bridge_set_word(br, "other:zzz=kept", &error), 0);
    CHECK_INT_EQ(sw_bridge_set_word(br, "fail-mode=secure", &error), 0);
    CHECK_INT_EQ(sw_bridge_set_word(br, "sflow=10.0.0.1:6343", &error), 0);
    CHECK_INT_EQ(sw_bridge_set_word(br, "datapath=user", &error), 0);
    CHECK_INT_EQ(sw_bridge_set_word(br, "controller=tcp:127.0.0.1:6653", &error), 0);
    CHECK_STR_EQ(buf_cstr(&error), "");
    add_port(br, "uplink", uplink);
    add_port(br, "vm1", vm1);
    add_port(br, "patch-br0", patch);
    add_port(br, "vx0", tun);
    add_port(br, "n0", native);
    buf_uninit(&error);
}

static void
test_save_load_round_trip(void)
{
    char *confdir = make_confdir();
    struct buf error = BUF_INITIALIZER;
    struct sw_bridge br, back;
    char *a, *b, *text;

    make_full_bridge(&br);
    CHECK_INT_EQ(sw_bridge_save(confdir, &br, &error), 0);
    CHECK_STR_EQ(buf_cstr(&error), "");

    /* Known keys first in a fixed order, defaults left out, then options. */
    text = read_text(confdir, "bridges/br0/bridge");
    CHECK(text && strstr(text, "\ndatapath=user\nfail-mode=secure\n"
                         "controller=tcp:127.0.0.1:6653\nsflow=10.0.0.1:6343\n"
                         "other:zzz=kept\n"));
    free(text);
    text = read_text(confdir, "bridges/br0/ports/vm1");
    CHECK(text && str_starts_with(text, "#") && strstr(text, "\nofport=2\ntag=10\n"));
    CHECK(text && !strstr(text, "type="));
    free(text);
    text = read_text(confdir, "bridges/br0/ports/vx0");
    CHECK(text && strstr(text, "\ntype=vxlan\nremote_ip=192.0.2.1\nkey=flow\n"
                         "dst_port=4789\n"));
    free(text);

    CHECK_INT_EQ(sw_bridge_load(confdir, "br0", &back, &error), 0);
    CHECK_STR_EQ(buf_cstr(&error), "");
    a = bridge_text(&br);
    b = bridge_text(&back);
    CHECK_STR_EQ(b, a);
    free(a);
    free(b);
    CHECK_INT_EQ(back.n_ports, 5);
    CHECK_INT_EQ(back.datapath, SW_DP_USER);
    CHECK_INT_EQ(back.fail_mode, SW_FAIL_SECURE);

    /* Saving what was loaded changes nothing. */
    CHECK_INT_EQ(sw_bridge_save(confdir, &back, &error), 0);
    sw_bridge_destroy(&back);
    CHECK_INT_EQ(sw_bridge_load(confdir, "br0", &back, &error), 0);
    a = bridge_text(&br);
    b = bridge_text(&back);
    CHECK_STR_EQ(b, a);
    free(a);
    free(b);

    sw_bridge_destroy(&back);
    sw_bridge_destroy(&br);
    buf_uninit(&error);
    remove_confdir(confdir);
}

static void
test_save_removes_old_ports_and_keeps_strays(void)
{
    static const char *const none[] = { NULL };
    char *confdir = make_confdir();
    struct buf error = BUF_INITIALIZER;
    struct sw_bridge br, back;

    make_full_bridge(&br);
    CHECK_INT_EQ(sw_bridge_save(confdir, &br, &error), 0);
    write_text(confdir, "bridges/br0/ports/vm1~", "garbage\n");
    write_text(confdir, "bridges/br0/ports/.vm1.swp", "garbage\n");
    write_text(confdir, "bridges/br0/ports/#vm1#", "garbage\n");
    write_text(confdir, "bridges/br0/ports/.vm1.tmp-1234", "garbage\n");
    write_text(confdir, "bridges/br0/bridge.dpkg-old", "garbage\n");
    write_text(confdir, "bridges/.br9.tmp-1/bridge", "garbage\n");

    CHECK(sw_bridge_remove_port(&br, "vm1"));
    CHECK(sw_bridge_remove_port(&br, "vx0"));
    add_port(&br, "vm3", none);
    CHECK_INT_EQ(sw_bridge_save(confdir, &br, &error), 0);
    CHECK_STR_EQ(buf_cstr(&error), "");
    CHECK(!exists(confdir, "bridges/br0/ports/vm1"));
    CHECK(!exists(confdir, "bridges/br0/ports/vx0"));
    CHECK(exists(confdir, "bridges/br0/ports/vm3"));
    CHECK(exists(confdir, "bridges/br0/ports/vm1~"));
    CHECK(exists(confdir, "bridges/br0/ports/.vm1.swp"));

    CHECK_INT_EQ(sw_bridge_load(confdir, "br0", &back, &error), 0);
    CHECK_STR_EQ(buf_cstr(&error), "");
    CHECK_INT_EQ(back.n_ports, 4);
    CHECK(!sw_bridge_find_port(&back, "vm1"));
    sw_bridge_destroy(&back);
    sw_bridge_destroy(&br);
    buf_uninit(&error);
    remove_confdir(confdir);
}

/* Swapping ofports must work, and never need two files with one number. */
static void
test_save_ofport_swap(void)
{
    static const char *const of1[] = { "ofport=1", NULL };
    static const char *const of2[] = { "ofport=2", NULL };
    static const char *const of3[] = { "ofport=3", NULL };
    char *confdir = make_confdir();
    struct buf error = BUF_INITIALIZER;
    struct sw_bridge br, back;

    sw_bridge_init(&br, "br0");
    add_port(&br, "a", of1);
    add_port(&br, "b", of2);
    add_port(&br, "c", of3);
    CHECK_INT_EQ(sw_bridge_save(confdir, &br, &error), 0);
    /* Rotate: a=2, b=3, c=1. */
    br.ports[0].ofport = 2;
    br.ports[1].ofport = 3;
    br.ports[2].ofport = 1;
    CHECK_INT_EQ(sw_bridge_save(confdir, &br, &error), 0);
    CHECK_STR_EQ(buf_cstr(&error), "");
    CHECK_INT_EQ(sw_bridge_load(confdir, "br0", &back, &error), 0);
    CHECK_STR_EQ(buf_cstr(&error), "");
    CHECK(back.n_ports == 3 && back.ports[0].ofport == 2 && back.ports[1].ofport == 3
          && back.ports[2].ofport == 1);
    sw_bridge_destroy(&back);
    sw_bridge_destroy(&br);
    buf_uninit(&error);
    remove_confdir(confdir);
}

static void
test_save_refuses_inconsistent(void)
{
    static const char *const patch[] = { "type=patch", NULL };
    char *confdir = make_confdir();
    struct buf error = BUF_INITIALIZER;
    struct sw_bridge br;

    sw_bridge_init(&br, "br0");
    add_port(&br, "p0", patch);
    CHECK_INT_EQ(sw_bridge_save(confdir, &br, &error), EINVAL);
    CHECK_STR_EQ(buf_cstr(&error), "port p0: type=patch needs peer=PORT naming the "
                 "other end of the patch");
    CHECK(!exists(confdir, "bridges"));
    sw_bridge_destroy(&br);

    /* A file where the bridge directory should be. */
    buf_clear(&error);
    write_text(confdir, "bridges/br1", "x");
    sw_bridge_init(&br, "br1");
    CHECK_INT_EQ(sw_bridge_save(confdir, &br, &error), ENOTDIR);
    CHECK(strstr(buf_cstr(&error), "bridges/br1: a file of that name is in the way"));
    sw_bridge_destroy(&br);
    buf_uninit(&error);
    remove_confdir(confdir);
}

static void
test_load_errors(void)
{
    char *confdir = make_confdir();
    struct buf error = BUF_INITIALIZER;
    struct sw_bridge br;
    char *expected;

    CHECK_INT_EQ(sw_bridge_load(confdir, "br0", &br, &error), ENOENT);
    expected = xasprintf("no bridge named br0 (%s/bridges/br0/bridge does not exist)",
                         confdir);
    CHECK_STR_EQ(buf_cstr(&error), expected);
    free(expected);
    sw_bridge_destroy(&br);

    /* Several problems, one line each, all reported. */
    buf_clear(&error);
    write_text(confdir, "bridges/br0/bridge", "datapath=user\n\ndatapath user\n");
    write_text(confdir, "bridges/br0/ports/p1", "# c\ntag=4095\n");
    write_text(confdir, "bridges/br0/ports/p2", "tag=10\ntrunks=1,2\n");
    write_text(confdir, "bridges/br0/ports/p3", "type=patch\n");
    write_text(confdir, "bridges/br0/ports/this-name-is-too-long", "\n");
    CHECK_INT_EQ(sw_bridge_load(confdir, "br0", &br, &error), EINVAL);
    expected = xasprintf(
        "%1$s/bridges/br0/bridge:3: expected key=value, got \"datapath user\"\n"
        "%1$s/bridges/br0/ports/p1:2: tag=4095: VLAN must be 1..4094\n"
        "%1$s/bridges/br0/ports/p2:2: port p2: tag and trunks together need "
        "vlan_mode=native-tagged or vlan_mode=native-untagged; remove one of them "
        "or set vlan_mode\n"
        "%1$s/bridges/br0/ports/p3:1: port p3: type=patch needs peer=PORT naming "
        "the other end of the patch\n"
        "%1$s/bridges/br0/ports/this-name-is-too-long: the file name is not a "
        "valid port name (1..15 characters, no ':', '=', ',' or spaces); rename "
        "or remove the file", confdir);
    CHECK_STR_EQ(buf_cstr(&error), expected);
    free(expected);
    CHECK_INT_EQ(br.n_ports, 0);
    CHECK_STR_EQ(br.name, "br0");
    sw_bridge_destroy(&br);

    /* A bridge setting refused in a file the way it is on a command line. */
    buf_clear(&error);
    write_text(confdir, "bridges/br0/bridge", "controller=tcp:x\n");
    expected = xasprintf("%s/bridges/br0/ports", confdir);
    CHECK_INT_EQ(cfg_remove_tree(expected, &error), 0);
    free(expected);
    CHECK_INT_EQ(sw_bridge_load(confdir, "br0", &br, &error), EINVAL);
    expected = xasprintf("%s/bridges/br0/bridge:1: controller=tcp:x: \"tcp:x\" has "
                         "no port (expected tcp:HOST:PORT or ssl:HOST:PORT)", confdir);
    CHECK_STR_EQ(buf_cstr(&error), expected);
    free(expected);
    sw_bridge_destroy(&br);

    /* Two ports with one ofport: the later file and its line are named. */
    buf_clear(&error);
    write_text(confdir, "bridges/br0/bridge", "");
    write_text(confdir, "bridges/br0/ports/a", "ofport=7\n");
    write_text(confdir, "bridges/br0/ports/b", "tag=3\nofport=7\n");
    CHECK_INT_EQ(sw_bridge_load(confdir, "br0", &br, &error), EINVAL);
    expected = xasprintf("%1$s/bridges/br0/ports/b:2: ofport=7 is also used by "
                         "port a (%1$s/bridges/br0/ports/a); give one of them "
                         "another number", confdir);
    CHECK(strstr(buf_cstr(&error), expected) != NULL);
    free(expected);
    sw_bridge_destroy(&br);

    /* NUL bytes. */
    buf_clear(&error);
    {
        char *path = xasprintf("%s/bridges/br0/ports/a", confdir);
        FILE *f = fopen(path, "w");

        fwrite("ofport=1\n\0\n", 1, 11, f);
        fclose(f);
        expected = xasprintf("%s/bridges/br0/ports/b", confdir);
        CHECK_INT_EQ(unlink(expected), 0);
        free(expected);
        CHECK_INT_EQ(sw_bridge_load(confdir, "br0", &br, &error), EINVAL);
        expected = xasprintf("%s:2: contains a NUL byte; configuration files are "
                             "text, is this the right file?", path);
        CHECK_STR_EQ(buf_cstr(&error), expected);
        free(expected);
        free(path);
        sw_bridge_destroy(&br);
    }
    buf_uninit(&error);
    remove_confdir(confdir);
}

static void
test_load_all(void)
{
    char *confdir = make_confdir();
    struct buf errors = BUF_INITIALIZER;
    struct sw_bridge *bridges;
    char **names;
    size_t n;
    char *expected;

    /* Nothing configured yet is not an error. */
    CHECK_INT_EQ(sw_load_all(confdir, &bridges, &n, &errors), 0);
    CHECK_INT_EQ(n, 0);
    sw_bridges_free(bridges, n);
    CHECK_INT_EQ(sw_list_bridges(confdir, &names, &n, &errors), 0);
    CHECK_INT_EQ(n, 0);
    sw_names_free(names, n);

    write_text(confdir, "bridges/br-a/bridge", "datapath=user\n");
    write_text(confdir, "bridges/br-a/ports/p1", "ofport=1\n");
    write_text(confdir, "bridges/br-b/bridge", "# x\nfail-mode=secure\ndatapath user\n");
    write_text(confdir, "bridges/br-c/bridge", "datapath=kernel\n");
    write_text(confdir, "bridges/br-d/bridge", "\n");
    write_text(confdir, "bridges/br-d/ports/p9", "vlan_mode=sideways\n");
    /* Stray things that must not count as bridges or problems. */
    write_text(confdir, "bridges/br-c/bridge~", "garbage\n");
    write_text(confdir, "bridges/.br-e.tmp-99/bridge", "garbage\n");
    write_text(confdir, "bridges/br-f/ports/p1", "half-created bridge\n");
    write_text(confdir, "bridges/README", "not a bridge\n");
    write_text(confdir, "bridges/br-c~/bridge", "garbage\n");

    CHECK_INT_EQ(sw_load_all(confdir, &bridges, &n, &errors), EINVAL);
    CHECK_INT_EQ(n, 2);
    CHECK(n == 2 && !strcmp(bridges[0].name, "br-a") && !strcmp(bridges[1].name, "br-c"));
    CHECK(n == 2 && bridges[0].n_ports == 1 && bridges[1].datapath == SW_DP_KERNEL);
    expected = xasprintf("%1$s/bridges/br-b/bridge:3: expected key=value, got "
                         "\"datapath user\"\n"
                         "%1$s/bridges/br-d/ports/p9:1: vlan_mode=sideways: expected "
                         "access, trunk, native-tagged or native-untagged\n", confdir);
    CHECK_STR_EQ(buf_cstr(&errors), expected);
    free(expected);
    sw_bridges_free(bridges, n);

    CHECK_INT_EQ(sw_list_bridges(confdir, &names, &n, &errors), 0);
    CHECK_INT_EQ(n, 4);
    CHECK(n == 4 && !strcmp(names[0], "br-a") && !strcmp(names[3], "br-d"));
    sw_names_free(names, n);

    /* A directory whose name cannot be a bridge is a problem to report. */
    buf_clear(&errors);
    write_text(confdir, "bridges/br-b/bridge", "fail-mode=secure\n");
    write_text(confdir, "bridges/br-d/ports/p9", "vlan_mode=access\ntag=10\n");
    write_text(confdir, "bridges/bridge-name-too-long/bridge", "\n");
    CHECK_INT_EQ(sw_load_all(confdir, &bridges, &n, &errors), EINVAL);
    CHECK_INT_EQ(n, 4);
    expected = xasprintf("%s/bridges/bridge-name-too-long: the directory name is "
                         "not a valid bridge name (1..15 characters, no ':', '=', "
                         "',' or spaces); rename or remove it\n", confdir);
    CHECK_STR_EQ(buf_cstr(&errors), expected);
    free(expected);
    sw_bridges_free(bridges, n);
    sw_bridges_free(NULL, 0);

    buf_uninit(&errors);
    remove_confdir(confdir);
}

static void
test_delete(void)
{
    char *confdir = make_confdir();
    struct buf error = BUF_INITIALIZER;
    struct sw_bridge br;
    char **names;
    size_t n;

    make_full_bridge(&br);
    CHECK_INT_EQ(sw_bridge_save(confdir, &br, &error), 0);
    sw_bridge_destroy(&br);
    sw_bridge_init(&br, "br1");
    CHECK_INT_EQ(sw_bridge_save(confdir, &br, &error), 0);
    sw_bridge_destroy(&br);
    CHECK_INT_EQ(sw_list_bridges(confdir, &names, &n, &error), 0);
    CHECK_INT_EQ(n, 2);
    sw_names_free(names, n);

    CHECK_INT_EQ(sw_bridge_delete(confdir, "br0", &error), 0);
    CHECK_STR_EQ(buf_cstr(&error), "");
    CHECK(!exists(confdir, "bridges/br0"));
    CHECK_INT_EQ(sw_list_bridges(confdir, &names, &n, &error), 0);
    CHECK(n == 1 && !strcmp(names[0], "br1"));
    sw_names_free(names, n);

    CHECK_INT_EQ(sw_bridge_delete(confdir, "br0", &error), ENOENT);
    CHECK(str_starts_with(buf_cstr(&error), "no bridge named br0 ("));
    buf_clear(&error);
    CHECK_INT_EQ(sw_bridge_delete(confdir, "../x", &error), EINVAL);
    CHECK_STR_EQ(buf_cstr(&error), "\"../x\" is not a valid bridge name");
    buf_uninit(&error);
    remove_confdir(confdir);
}

/* A port mode that needs a VLAN for untagged frames must have one, and a
 * pure trunk must not: otherwise the switch silently drops traffic. */
static void
test_vlan_mode_consistency(void)
{
    struct buf error = BUF_INITIALIZER;
    struct sw_port port;

    sw_port_init(&port, "p1");
    CHECK_INT_EQ(sw_port_set(&port, "vlan_mode", "access", &error), 0);
    CHECK_INT_EQ(sw_port_validate(&port, &error), EINVAL);
    CHECK(strstr(buf_cstr(&error), "vlan_mode=access needs tag=VID") != NULL);
    CHECK_INT_EQ(sw_port_set(&port, "tag", "10", &error), 0);
    buf_clear(&error);
    CHECK_INT_EQ(sw_port_validate(&port, &error), 0);
    CHECK_INT_EQ(sw_port_set(&port, "vlan_mode", "trunk", &error), 0);
    CHECK_INT_EQ(sw_port_validate(&port, &error), EINVAL);
    CHECK(strstr(buf_cstr(&error), "vlan_mode=trunk carries only tagged") != NULL);
    CHECK_INT_EQ(sw_port_set(&port, "vlan_mode", "native-untagged", &error), 0);
    buf_clear(&error);
    CHECK_INT_EQ(sw_port_validate(&port, &error), 0);
    sw_port_destroy(&port);
    buf_uninit(&error);
}

UNIT_MAIN("swconfig",
          UNIT_TEST(test_vlan_mode_consistency),
          UNIT_TEST(test_port_settings),
          UNIT_TEST(test_port_setting_errors),
          UNIT_TEST(test_port_setting_error_keeps_old_value),
          UNIT_TEST(test_bridge_settings),
          UNIT_TEST(test_bridge_setting_errors),
          UNIT_TEST(test_datapath_id),
          UNIT_TEST(test_vlan_lists),
          UNIT_TEST(test_enum_names),
          UNIT_TEST(test_bridge_ports),
          UNIT_TEST(test_validate),
          UNIT_TEST(test_save_load_round_trip),
          UNIT_TEST(test_save_removes_old_ports_and_keeps_strays),
          UNIT_TEST(test_save_ofport_swap),
          UNIT_TEST(test_save_refuses_inconsistent),
          UNIT_TEST(test_load_errors),
          UNIT_TEST(test_load_all),
          UNIT_TEST(test_delete))
