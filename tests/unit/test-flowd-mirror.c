/* Unit tests for mirroring in the translation (mirror.c): which mirrors
 * select a packet, the copies put in front of its own actions (SPAN as
 * received, RSPAN retagged, the original tag restored), one copy per port,
 * none to the input port or a port that gets the packet anyway, and the
 * mask and counters. */
#include <arpa/inet.h>
#include <string.h>

#include "bridge.h"
#include "dp-user.h"
#include "mirror.h"
#include "packet.h"
#include "unit.h"

static const uint8_t mac_a[6] = { 2, 0, 0, 0, 0, 0xa };
static const uint8_t mac_b[6] = { 2, 0, 0, 0, 0, 0xb };

/* Ports: 1, 2 access VLAN 10; 3 access VLAN 20; 4 trunk 10,20,99; 5 the
 * SPAN output; 6 access VLAN 99; 0 the bridge's own port (trunk, all). */
static void
make_bridge(struct bridge *br)
{
    static uint16_t trunks[] = { 10, 20, 99 };
    static const struct { const char *name; uint32_t dp; int tag; enum sw_vlan_mode mode; }
    specs[] = {
        { "p1", 1, 10, SW_VLAN_ACCESS },
        { "p2", 2, 10, SW_VLAN_ACCESS },
        { "p3", 3, 20, SW_VLAN_ACCESS },
        { "p4", 4, -1, SW_VLAN_TRUNK },
        { "mon", 5, -1, SW_VLAN_TRUNK },
        { "p6", 6, 99, SW_VLAN_ACCESS },
        { "br", 0, -1, SW_VLAN_TRUNK },
    };

    memset(br, 0, sizeof *br);
    br->name = "br";
    br->n_ports = ARRAY_SIZE(specs);
    br->ports = xcalloc(br->n_ports, sizeof *br->ports);
    for (size_t i = 0; i < br->n_ports; i++) {
        struct bridge_port *p = &br->ports[i];

        p->name = (char *) specs[i].name;
        p->dp_port = specs[i].dp;
        p->ofport = specs[i].dp;
        p->tag = specs[i].tag;
        p->vlan_mode = specs[i].mode;
        if (!strcmp(p->name, "p4")) {
            p->trunks = trunks;
            p->n_trunks = ARRAY_SIZE(trunks);
        }
    }
}

/* A new mirror of 'br': everything zero but the name, no output yet.
 * Earlier mirrors move (the array grows). */
static struct bridge_mirror *
add_mirror(struct bridge *br, const char *name)
{
    struct bridge_mirror *m;

    br->mirrors = xrealloc(br->mirrors, (br->n_mirrors + 1) * sizeof *br->mirrors);
    m = &br->mirrors[br->n_mirrors++];
    memset(m, 0, sizeof *m);
    m->name = (char *) name;
    m->output_vlan = -1;
    return m;
}

static void
span_to(struct bridge *br, struct bridge_mirror *m, uint32_t port)
{
    m->has_output_port = true;
    m->output_port = port;
    for (size_t i = 0; i < br->n_ports; i++) {
        if (br->ports[i].dp_port == port) {
            br->ports[i].mirror_out = true;
        }
    }
}

static void
free_bridge(struct bridge *br)
{
    free(br->ports);
    free(br->mirrors);
}

static struct flowkey
frame(uint32_t in_port, int vid)
{
    struct flowkey key;

    memset(&key, 0, sizeof key);
    key.in_port = in_port;
    memcpy(key.eth_src, mac_a, 6);
    memcpy(key.eth_dst, mac_b, 6);
    if (vid >= 0) {
        key.vlans[0].tpid = ETH_TYPE_VLAN;
        key.vlans[0].tci = FLOWKEY_VLAN_PRESENT | vid;
    }
    key.eth_type = ETH_TYPE_IP;
    return key;
}

/* Renders actions as "5,push(99),4,pop,2". */
static void
render(const struct dp_actions *a, size_t from, struct buf *out)
{
    DP_ACTIONS_FOR_EACH (nla, a->data + from, a->size - from) {
        if (out->size) {
            buf_put_char(out, ',');
        }
        if (dp_nla_type(nla) == OVS_ACTION_ATTR_OUTPUT) {
            uint32_t port;

            memcpy(&port, dp_nla_data(nla), 4);
            buf_printf(out, "%u", port);
        } else if (dp_nla_type(nla) == OVS_ACTION_ATTR_PUSH_VLAN) {
            const struct ovs_action_push_vlan *push = dp_nla_data(nla);

            buf_printf(out, "push(%u)", ntohs(push->vlan_tci) & 0xfff);
        } else if (dp_nla_type(nla) == OVS_ACTION_ATTR_POP_VLAN) {
            buf_put_cstr(out, "pop");
        } else {
            buf_put_cstr(out, "?");
        }
    }
}

/* Mirrors a packet of 'key' whose own actions output to 'outputs' (-1
 * ends the list); returns all the actions rendered, '*mirrors' the bits. */
static char *
mirror(struct bridge *br, const struct flowkey *key, const int *outputs, uint32_t *mirrors,
       struct flowkey *mask)
{
    struct dp_upcall_result r;
    struct buf out = BUF_INITIALIZER, own = BUF_INITIALIZER;

    memset(&r, 0, sizeof r);
    dp_actions_init(&r.actions);
    for (size_t i = 0; outputs[i] >= 0; i++) {
        dp_actions_put_output(&r.actions, outputs[i]);
    }
    mirror_xlate(br, key, &r, NULL);
    render(&r.actions, 0, &out);
    /* What follows the copies is the packet's own actions, unchanged. */
    render(&r.actions, r.mirror_size, &own);
    {
        struct buf expected = BUF_INITIALIZER;

        for (size_t i = 0; outputs[i] >= 0; i++) {
            buf_printf(&expected, "%s%d", i ? "," : "", outputs[i]);
        }
        CHECK_STR_EQ(buf_cstr(&own), buf_cstr(&expected));
        buf_uninit(&expected);
    }
    if (mirrors) {
        *mirrors = r.mirrors;
    }
    if (mask) {
        *mask = r.mask;
    }
    dp_actions_uninit(&r.actions);
    buf_uninit(&own);
    return buf_steal_cstr(&out);
}

#define CHECK_MIRROR(BR, KEY, OUTPUTS, EXPECTED)                 \
    do {                                                         \
        struct flowkey k_ = KEY;                                 \
        char *got_ = mirror(BR, &k_, OUTPUTS, NULL, NULL);       \
        CHECK_STR_EQ(got_, EXPECTED);                            \
        free(got_);                                              \
    } while (0)

static const int to_2[] = { 2, -1 };
static const int to_1[] = { 1, -1 };
static const int to_5[] = { 5, -1 };
static const int dropped[] = { -1 };

static void
test_span_selection(void)
{
    static uint32_t src1[] = { 1 }, dst1[] = { 1 };
    struct bridge br;
    struct bridge_mirror *m;
    uint32_t bits;
    char *got;

    make_bridge(&br);
    m = add_mirror(&br, "src");
    m->src = src1;
    m->n_src = 1;
    span_to(&br, m, 5);
    /* From port 1: copied, as received, before the packet's own output. */
    CHECK_MIRROR(&br, frame(1, -1), to_2, "5,2");
    /* Dropped packets from port 1 too. */
    CHECK_MIRROR(&br, frame(1, -1), dropped, "5");
    /* To port 1 (from 2): not selected by select-src. */
    CHECK_MIRROR(&br, frame(2, -1), to_1, "1");

    m->src = NULL;
    m->n_src = 0;
    m->dst = dst1;
    m->n_dst = 1;
    CHECK_MIRROR(&br, frame(2, -1), to_1, "5,1");
    CHECK_MIRROR(&br, frame(1, -1), to_2, "2");
    got = mirror(&br, &(struct flowkey) { .in_port = 2 }, to_1, &bits, NULL);
    CHECK_INT_EQ(bits, 1);
    free(got);
    /* Nothing from the output port itself; its own traffic is NORMAL's. */
    CHECK_MIRROR(&br, frame(5, -1), to_1, "1");
    /* No copy to a port that gets the packet anyway. */
    CHECK_MIRROR(&br, frame(2, -1), to_5, "5");
    free_bridge(&br);
}

static void
test_one_copy_per_port(void)
{
    struct bridge br;
    struct bridge_mirror *a, *b;
    uint32_t bits;
    char *got;

    make_bridge(&br);
    a = add_mirror(&br, "a");
    a->select_all = true;
    span_to(&br, a, 5);
    b = add_mirror(&br, "b");
    a = &br.mirrors[0];             /* add_mirror() moved it. */
    b->select_all = true;
    span_to(&br, b, 5);
    got = mirror(&br, &(struct flowkey) { .in_port = 1 }, to_2, &bits, NULL);
    CHECK_STR_EQ(got, "5,2");
    CHECK_INT_EQ(bits, 3);          /* Both count it. */
    free(got);
    /* Never back to the input port. */
    a->output_port = b->output_port = 1;
    CHECK_MIRROR(&br, frame(1, -1), to_2, "2");
    free_bridge(&br);
}

static void
test_vlan_selection(void)
{
    static uint16_t vlan20[] = { 20 };
    struct bridge br;
    struct bridge_mirror *m;

    make_bridge(&br);
    m = add_mirror(&br, "v");
    m->vlans = vlan20;
    m->n_vlans = 1;
    span_to(&br, m, 5);
    /* Alone, select-vlan picks the VLAN's packets: by access tag... */
    CHECK_MIRROR(&br, frame(3, -1), to_2, "5,2");
    CHECK_MIRROR(&br, frame(1, -1), to_2, "2");
    /* ...or by the tag on a trunk. */
    CHECK_MIRROR(&br, frame(4, 20), to_2, "5,2");
    CHECK_MIRROR(&br, frame(4, 10), to_2, "2");
    /* With a port selection, it narrows it. */
    m->select_all = true;
    CHECK_MIRROR(&br, frame(1, -1), to_2, "2");
    CHECK_MIRROR(&br, frame(3, -1), to_2, "5,2");
    free_bridge(&br);
}

static void
test_rspan(void)
{
    static uint32_t src1[] = { 1 }, src4[] = { 4 };
    struct bridge br;
    struct bridge_mirror *m;
    struct flowkey mask;
    char *got;

    make_bridge(&br);
    m = add_mirror(&br, "r");
    m->src = src1;
    m->n_src = 1;
    m->output_vlan = 99;
    /* Untagged in: the access port of 99 first, then tagged to the trunks
     * that carry 99 (4, the bridge's own port and the monitor port, which
     * is no mirror output here), then untagged again for the original. */
    CHECK_MIRROR(&br, frame(1, -1), to_2, "6,push(99),4,5,0,pop,2");
    /* Tagged in (trunk 4, VLAN 10): the tag is replaced, then restored. */
    m->src = src4;
    CHECK_MIRROR(&br, frame(4, 10), to_2, "pop,6,push(99),5,0,pop,push(10),2");
    /* The decision depends on the whole outer tag. */
    got = mirror(&br, &(struct flowkey) { .in_port = 4, .vlans = { { ETH_TYPE_VLAN,
                                          FLOWKEY_VLAN_PRESENT | 10 } } },
                 to_2, NULL, &mask);
    CHECK_INT_EQ(mask.vlans[0].tpid, 0xffff);
    CHECK_INT_EQ(mask.vlans[0].tci, 0xffff);
    free(got);
    free_bridge(&br);
}

/* A port that is admin_state=down gets no copy: the kernel datapath
 * would send it regardless, the userspace datapath drops it. The mirror
 * still counts the packets it selects. */
static void
test_admin_down_output(void)
{
    struct bridge br;
    struct bridge_mirror *m;
    uint32_t bits;
    char *got;

    make_bridge(&br);
    m = add_mirror(&br, "span");
    m->select_all = true;
    span_to(&br, m, 5);
    br.ports[4].admin_down = true;          /* "mon", port 5. */
    got = mirror(&br, &(struct flowkey) { .in_port = 1 }, to_2, &bits, NULL);
    CHECK_STR_EQ(got, "2");
    CHECK_INT_EQ(bits, 1);
    free(got);
    br.ports[4].admin_down = false;
    CHECK_MIRROR(&br, frame(1, -1), to_2, "5,2");

    /* RSPAN: no copy to the down trunk 4, the others still get theirs. */
    m->has_output_port = false;
    m->output_vlan = 99;
    br.ports[4].mirror_out = false;
    br.ports[3].admin_down = true;          /* "p4", port 4. */
    CHECK_MIRROR(&br, frame(1, -1), to_2, "6,push(99),5,0,pop,2");
    free_bridge(&br);
}

static void
test_counters(void)
{
    struct bridge br;
    struct bridge_mirror *a, *b;
    struct dpflow flow;

    make_bridge(&br);
    add_mirror(&br, "a");
    b = add_mirror(&br, "b");
    a = &br.mirrors[0];             /* add_mirror() moved it. */
    memset(&flow, 0, sizeof flow);
    flow.mirrors = 2;
    flow.packets = 3;
    flow.bytes = 300;
    mirror_credit_flow(&br, &flow);
    flow.packets = 5;
    flow.bytes = 500;
    mirror_credit_flow(&br, &flow);
    CHECK_INT_EQ(a->tx_packets, 0);
    CHECK_INT_EQ(b->tx_packets, 5);
    CHECK_INT_EQ(b->tx_bytes, 500);
    free_bridge(&br);
}

UNIT_MAIN("flowd-mirror",
          UNIT_TEST(test_span_selection),
          UNIT_TEST(test_one_copy_per_port),
          UNIT_TEST(test_vlan_selection),
          UNIT_TEST(test_rspan),
          UNIT_TEST(test_admin_down_output),
          UNIT_TEST(test_counters));
