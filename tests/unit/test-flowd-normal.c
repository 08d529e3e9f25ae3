/* Unit tests for the NORMAL pipeline (normal.c): VLAN membership, tagging
 * on output, learning, flooding, no reflection, and the megaflow mask. */
#include <arpa/inet.h>
#include <string.h>

#include "bridge.h"
#include "dp-user.h"
#include "packet.h"
#include "unit.h"

static const uint8_t mac_a[6] = { 2, 0, 0, 0, 0, 0xa };
static const uint8_t mac_b[6] = { 2, 0, 0, 0, 0, 0xb };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Ports: 1, 2 access VLAN 10; 3 access VLAN 20; 4 trunk 10,20; 0 the
 * bridge's own port (trunk, all VLANs). */
static void
make_bridge(struct bridge *br)
{
    static uint16_t trunks[] = { 10, 20 };
    static const struct { const char *name; uint32_t dp; int tag; enum sw_vlan_mode mode; }
    specs[] = {
        { "p1", 1, 10, SW_VLAN_ACCESS },
        { "p2", 2, 10, SW_VLAN_ACCESS },
        { "p3", 3, 20, SW_VLAN_ACCESS },
        { "p4", 4, -1, SW_VLAN_TRUNK },
        { "br", 0, -1, SW_VLAN_TRUNK },
    };

    memset(br, 0, sizeof *br);
    br->name = "br";
    br->dp = dp_user_create("br", NULL, NULL);
    mac_table_init(&br->macs);
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
            p->n_trunks = 2;
        }
    }
}

static void
free_bridge(struct bridge *br)
{
    free(br->ports);
    dpif_destroy(br->dp, false);
    mac_table_destroy(&br->macs);
}

static struct flowkey
frame(uint32_t in_port, const uint8_t src[6], const uint8_t dst[6], int vid)
{
    struct flowkey key;

    memset(&key, 0, sizeof key);
    key.in_port = in_port;
    memcpy(key.eth_src, src, 6);
    memcpy(key.eth_dst, dst, 6);
    if (vid >= 0) {
        key.vlans[0].tpid = ETH_TYPE_VLAN;
        key.vlans[0].tci = FLOWKEY_VLAN_PRESENT | vid;
    }
    key.eth_type = ETH_TYPE_IP;
    key.nw_proto = IP_PROTO_UDP;
    key.tp_src = 1234;
    return key;
}

/* Renders the actions as "2,push(10),4,pop,3" for easy comparison. */
static void
render(const struct dp_actions *a, struct buf *out)
{
    DP_ACTIONS_FOR_EACH (nla, a->data, a->size) {
        if (out->size) {
            buf_put_char(out, ',');
        }
        switch (dp_nla_type(nla)) {
        case OVS_ACTION_ATTR_OUTPUT: {
            uint32_t port;

            memcpy(&port, dp_nla_data(nla), 4);
            buf_printf(out, "%u", port);
            break;
        }
        case OVS_ACTION_ATTR_PUSH_VLAN: {
            const struct ovs_action_push_vlan *push = dp_nla_data(nla);

            buf_printf(out, "push(%u)", ntohs(push->vlan_tci) & 0xfff);
            break;
        }
        case OVS_ACTION_ATTR_POP_VLAN:
            buf_put_cstr(out, "pop");
            break;
        default:
            buf_put_cstr(out, "?");
        }
    }
}

static char *
xlate(struct bridge *br, const struct flowkey *key, struct flowkey *mask)
{
    struct dp_actions actions = DP_ACTIONS_INITIALIZER;
    struct dpflow_learn learn;
    struct flowkey m;
    struct buf out = BUF_INITIALIZER;

    memset(&m, 0, sizeof m);
    memset(&learn, 0, sizeof learn);
    normal_translate(br, key, &actions, &m, &learn, NULL);
    render(&actions, &out);
    if (mask) {
        *mask = m;
    }
    dp_actions_uninit(&actions);
    return buf_steal_cstr(&out);
}

#define CHECK_XLATE(BR, KEY, EXPECTED)          \
    do {                                        \
        struct flowkey k_ = KEY;                \
        char *got_ = xlate(BR, &k_, NULL);      \
        CHECK_STR_EQ(got_, EXPECTED);           \
        free(got_);                             \
    } while (0)

static void
test_broadcast_floods_within_vlan(void)
{
    struct bridge br;

    make_bridge(&br);
    /* Untagged ports first, then one push for the trunks. */
    CHECK_XLATE(&br, frame(1, mac_a, bcast, -1), "2,push(10),4,0");
    CHECK_XLATE(&br, frame(3, mac_b, bcast, -1), "push(20),4,0");
    free_bridge(&br);
}

static void
test_trunk_input(void)
{
    struct bridge br;

    make_bridge(&br);
    /* Tagged ports keep the tag; access ports get it popped. */
    CHECK_XLATE(&br, frame(4, mac_a, bcast, 20), "0,pop,3");
    /* VLAN 30 is not a trunk of p4; untagged (VLAN 0) neither. */
    CHECK_XLATE(&br, frame(4, mac_a, bcast, 30), "");
    CHECK_XLATE(&br, frame(4, mac_a, bcast, -1), "");
    free_bridge(&br);
}

static void
test_access_port_drops_tagged(void)
{
    struct bridge br;

    make_bridge(&br);
    CHECK_XLATE(&br, frame(1, mac_a, bcast, 10), "");
    /* A priority tag (VID 0) belongs to the access VLAN. */
    CHECK_XLATE(&br, frame(1, mac_a, bcast, 0), "pop,2,push(10),4,0");
    free_bridge(&br);
}

static void
test_learned_unicast_goes_to_one_port(void)
{
    struct bridge br;

    make_bridge(&br);
    /* Unknown destination: flood. */
    CHECK_XLATE(&br, frame(1, mac_a, mac_b, -1), "2,push(10),4,0");
    /* b speaks from p2; now a -> b goes to p2 only, b -> a to p1 only. */
    CHECK_XLATE(&br, frame(2, mac_b, mac_a, -1), "1");
    CHECK_XLATE(&br, frame(1, mac_a, mac_b, -1), "2");
    /* The same MAC in VLAN 20 is another station. */
    CHECK_XLATE(&br, frame(3, mac_a, mac_b, -1), "push(20),4,0");
    free_bridge(&br);
}

static void
test_no_reflection(void)
{
    struct bridge br;

    make_bridge(&br);
    CHECK_XLATE(&br, frame(1, mac_b, bcast, -1), "2,push(10),4,0");
    CHECK_XLATE(&br, frame(1, mac_a, mac_b, -1), "");
    free_bridge(&br);
}

static void
test_tagged_output_to_learned_trunk(void)
{
    struct bridge br;

    make_bridge(&br);
    CHECK_XLATE(&br, frame(4, mac_b, bcast, 10), "0,pop,1,2");
    CHECK_XLATE(&br, frame(1, mac_a, mac_b, -1), "push(10),4");
    free_bridge(&br);
}

static void
test_mask_is_l2_only(void)
{
    struct bridge br;
    struct flowkey key = frame(1, mac_a, bcast, -1), mask;
    char *actions;

    make_bridge(&br);
    actions = xlate(&br, &key, &mask);
    CHECK_INT_EQ(mask.in_port, UINT32_MAX);
    CHECK(!memcmp(mask.eth_src, bcast, 6) && !memcmp(mask.eth_dst, bcast, 6));
    CHECK_INT_EQ(mask.vlans[0].tci, FLOWKEY_VLAN_PRESENT | FLOWKEY_VLAN_VID_MASK);
    CHECK_INT_EQ(mask.eth_type, 0);
    CHECK_INT_EQ(mask.nw_proto, 0);
    CHECK_INT_EQ(mask.tp_src, 0);
    free(actions);
    free_bridge(&br);
}

static void
test_mac_move_revalidates_flows(void)
{
    struct bridge br;
    struct flowkey to_b = frame(1, mac_a, mac_b, -1), mask;
    struct dp_actions actions = DP_ACTIONS_INITIALIZER;
    struct dpflow_learn learn;
    struct dpflow *existing;

    make_bridge(&br);
    CHECK_XLATE(&br, frame(2, mac_b, bcast, -1), "1,push(10),4,0");
    memset(&mask, 0, sizeof mask);
    normal_translate(&br, &to_b, &actions, &mask, &learn, NULL);
    CHECK(dpflow_install(&br.dp->flows, &to_b, &mask, actions.data, actions.size,
                         &existing) != NULL);
    dp_actions_uninit(&actions);
    CHECK_INT_EQ(br.dp->flows.n_flows, 1);
    /* b moves to the trunk: the flow that sent to p2 must go. */
    CHECK_XLATE(&br, frame(4, mac_b, bcast, 10), "0,pop,1,2");
    CHECK_INT_EQ(br.dp->flows.n_flows, 0);
    CHECK_XLATE(&br, frame(1, mac_a, mac_b, -1), "push(10),4");
    free_bridge(&br);
}

UNIT_MAIN("normal",
          UNIT_TEST(test_broadcast_floods_within_vlan),
          UNIT_TEST(test_trunk_input),
          UNIT_TEST(test_access_port_drops_tagged),
          UNIT_TEST(test_learned_unicast_goes_to_one_port),
          UNIT_TEST(test_no_reflection),
          UNIT_TEST(test_tagged_output_to_learned_trunk),
          UNIT_TEST(test_mask_is_l2_only),
          UNIT_TEST(test_mac_move_revalidates_flows))
