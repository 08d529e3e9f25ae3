/* Unit tests for the bond logic of flowd (cmd/flowd/bond.c): choice of the
 * active member, hashing of flows onto members, receive filtering, and the
 * same choices on flow keys with the masks the kernel datapath's flows
 * get. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bond.h"
#include "packet.h"
#include "unit.h"

static void
test_active_stays_while_up(void)
{
    bool up[3] = { true, true, true };

    CHECK_INT_EQ(bond_choose_active(up, 3, -1), 0);
    CHECK_INT_EQ(bond_choose_active(up, 3, 2), 2);      /* No flap back to 0. */
    up[2] = false;
    CHECK_INT_EQ(bond_choose_active(up, 3, 2), 0);
    up[0] = false;
    CHECK_INT_EQ(bond_choose_active(up, 3, 0), 1);
    up[1] = false;
    CHECK_INT_EQ(bond_choose_active(up, 3, 1), -1);
    CHECK_INT_EQ(bond_choose_active(up, 0, -1), -1);
}

static void
test_pick_member_skips_down_members(void)
{
    bool up[4] = { true, false, true, true };

    for (uint32_t hash = 0; hash < 100; hash++) {
        int m = bond_pick_member(up, 4, hash);

        CHECK(m >= 0 && m < 4 && m != 1);
    }
    memset(up, 0, sizeof up);
    CHECK_INT_EQ(bond_pick_member(up, 4, 7), -1);
}

/* Every member that is up gets its share of consecutive hashes. */
static void
test_pick_member_shares_evenly(void)
{
    bool up[3] = { true, true, true };
    int counts[3] = { 0, 0, 0 };

    for (uint32_t hash = 0; hash < 3000; hash++) {
        counts[bond_pick_member(up, 3, hash)]++;
    }
    CHECK_INT_EQ(counts[0], 1000);
    CHECK_INT_EQ(counts[1], 1000);
    CHECK_INT_EQ(counts[2], 1000);
}

static void
test_slb_hash_spreads_macs(void)
{
    bool up[2] = { true, true };
    int counts[2] = { 0, 0 };

    for (int i = 0; i < 1000; i++) {
        uint8_t mac[6] = { 0x02, 0, 0, 0, i >> 8, i & 0xff };

        counts[bond_pick_member(up, 2, bond_hash_slb(mac, 0))]++;
        /* Stable: the same MAC always hashes the same. */
        CHECK_INT_EQ(bond_hash_slb(mac, 0), bond_hash_slb(mac, 0));
    }
    CHECK(counts[0] > 400 && counts[1] > 400);
}

static void
test_tcp_hash_uses_ports(void)
{
    struct flowkey a, b;
    bool up[2] = { true, true };
    int counts[2] = { 0, 0 };

    memset(&a, 0, sizeof a);
    a.eth_type = ETH_TYPE_IP;
    a.nw_proto = IP_PROTO_TCP;
    a.ipv4_src = 0x0a4d000b;
    a.ipv4_dst = 0x0a4d000c;
    for (int port = 1000; port < 2000; port++) {
        a.tp_src = port;
        counts[bond_pick_member(up, 2, bond_hash_tcp(&a))]++;
    }
    CHECK(counts[0] > 400 && counts[1] > 400);
    b = a;
    CHECK_INT_EQ(bond_hash_tcp(&a), bond_hash_tcp(&b));
    b.tp_dst++;
    CHECK(bond_hash_tcp(&a) != bond_hash_tcp(&b));
}

static struct dp_packet
make_packet(uint8_t *frame, bool multicast)
{
    struct dp_packet p;

    memset(frame, 0, 64);
    frame[0] = multicast ? 0xff : 0x02;
    frame[12] = 0x08;
    memset(&p, 0, sizeof p);
    p.data = frame;
    p.size = 64;
    return p;
}

static void
test_accept_rx(void)
{
    char *names[] = { "m0", "m1" };
    struct bond *bond = bond_create("b", BOND_ACTIVE_BACKUP, names, 2);
    uint8_t frame[64];
    struct dp_packet ucast = make_packet(frame, false);
    uint8_t frame2[64];
    struct dp_packet bcast = make_packet(frame2, true);

    bond->members[0].carrier = bond->members[1].carrier = true;
    bond->members[0].enabled = bond->members[1].enabled = true;
    bond->active = 0;
    CHECK(bond_accept_rx(bond, 0, &ucast));
    CHECK(!bond_accept_rx(bond, 1, &ucast));          /* Backup: nothing. */
    bond->mode = BOND_BALANCE_SLB;
    CHECK(bond_accept_rx(bond, 1, &ucast));           /* Balancing: unicast... */
    CHECK(!bond_accept_rx(bond, 1, &bcast));          /* ...but no floods. */
    CHECK(bond_accept_rx(bond, 0, &bcast));
    bond_destroy(bond);
}

/* With LACP every member in use takes everything, floods included (the
 * partner hashes its floods onto any link); a member not in use nothing. */
static void
test_accept_rx_lacp(void)
{
    char *names[] = { "m0", "m1" };
    struct bond *bond = bond_create("b", BOND_BALANCE_TCP, names, 2);
    uint8_t frame[64];
    struct dp_packet bcast = make_packet(frame, true);
    struct flowkey key, mask;

    bond_set_lacp(bond, "active", 1);
    bond->members[0].carrier = bond->members[1].carrier = true;
    bond->members[0].enabled = bond->members[1].enabled = true;
    bond->active = 0;
    CHECK(bond_accept_rx(bond, 1, &bcast));
    bond->members[1].enabled = false;
    CHECK(!bond_accept_rx(bond, 1, &bcast));
    /* The answer depends on the member alone: no field in the mask. */
    flowkey_extract(frame, sizeof frame, 0, &key, NULL);
    memset(&mask, 0, sizeof mask);
    CHECK(bond_member_accepts(bond, 0, &key, &mask));
    CHECK_INT_EQ(mask.eth_dst[0], 0);
    bond_destroy(bond);
}

static bool
mask_is_zero(const struct flowkey *mask)
{
    static const struct flowkey zero;

    return !memcmp(mask, &zero, sizeof zero);
}

/* The kernel datapath's per-flow choices, and the fields they put in the
 * flow's mask. */
static void
test_choose_member_masks(void)
{
    char *names[] = { "m0", "m1" };
    struct bond *bond = bond_create("b", BOND_ACTIVE_BACKUP, names, 2);
    struct flowkey key, mask;
    int member;

    memset(&key, 0, sizeof key);
    key.eth_type = ETH_TYPE_IP;
    key.eth_src[0] = 0x02;
    key.eth_dst[0] = 0x02;
    key.nw_proto = IP_PROTO_TCP;
    key.ipv4_src = 0x0a000001;
    key.ipv4_dst = 0x0a000002;
    key.tp_src = 1234;
    key.tp_dst = 80;
    memset(&mask, 0, sizeof mask);
    CHECK_INT_EQ(bond_choose_member(bond, &key, &mask), -1);    /* None up. */
    bond->members[0].carrier = bond->members[1].carrier = true;
    bond->members[0].enabled = bond->members[1].enabled = true;
    bond->active = 1;
    CHECK_INT_EQ(bond_choose_member(bond, &key, &mask), 1);
    CHECK(mask_is_zero(&mask));                 /* Active-backup: no field. */
    CHECK(!bond_member_accepts(bond, 0, &key, &mask));
    CHECK(bond_member_accepts(bond, 1, &key, &mask));
    CHECK(mask_is_zero(&mask));

    bond->mode = BOND_BALANCE_SLB;
    member = bond_choose_member(bond, &key, &mask);
    CHECK(member == 0 || member == 1);
    CHECK_INT_EQ(mask.eth_dst[0], 0x01);
    CHECK_INT_EQ(mask.eth_src[5], 0xff);
    CHECK_INT_EQ(mask.vlans[0].tci, FLOWKEY_VLAN_VID_MASK);
    CHECK_INT_EQ(mask.tp_src, 0);               /* SLB: no L4 field. */
    key.eth_dst[0] = 0x01;                      /* A flood: the active member. */
    CHECK_INT_EQ(bond_choose_member(bond, &key, NULL), 1);
    CHECK(!bond_member_accepts(bond, 0, &key, NULL));
    key.eth_dst[0] = 0x02;

    bond->mode = BOND_BALANCE_TCP;
    memset(&mask, 0, sizeof mask);
    CHECK_INT_EQ(bond_choose_member(bond, &key, &mask),
                 bond_pick_member((bool[]) { true, true }, 2, bond_hash_tcp(&key)));
    CHECK_INT_EQ(mask.ipv4_src, UINT32_MAX);
    CHECK_INT_EQ(mask.ipv4_dst, UINT32_MAX);
    CHECK_INT_EQ(mask.nw_proto, 0xff);
    CHECK_INT_EQ(mask.tp_src, 0xffff);
    CHECK_INT_EQ(mask.tp_dst, 0xffff);
    CHECK_INT_EQ(mask.eth_src[0], 0);           /* TCP: no MAC. */
    /* A member out of use takes no more flows. */
    bond->members[0].enabled = false;
    CHECK_INT_EQ(bond_choose_member(bond, &key, NULL), 1);
    bond_destroy(bond);
}

/* The active member a previous flowd left in the state file is taken
 * back; a name that is no member, or no file, changes nothing. */
static void
test_state_path_restores_active(void)
{
    char *names[] = { "m0", "m1" };
    char path[] = "/tmp/test-flowd-bond-XXXXXX";
    int fd = mkstemp(path);
    struct bond *bond;

    CHECK(fd >= 0);
    CHECK(write(fd, "m1\n", 3) == 3);
    close(fd);
    bond = bond_create("b", BOND_ACTIVE_BACKUP, names, 2);
    bond_set_state_path(bond, path);
    CHECK_INT_EQ(bond->active, 1);
    bond_destroy(bond);

    fd = open(path, O_WRONLY | O_TRUNC);
    CHECK(fd >= 0 && write(fd, "m7\n", 3) == 3);
    close(fd);
    bond = bond_create("b", BOND_ACTIVE_BACKUP, names, 2);
    bond_set_state_path(bond, path);
    CHECK_INT_EQ(bond->active, -1);
    bond_destroy(bond);

    unlink(path);
    bond = bond_create("b", BOND_ACTIVE_BACKUP, names, 2);
    bond_set_state_path(bond, path);
    CHECK_INT_EQ(bond->active, -1);
    bond_destroy(bond);
}

static void
test_mode_names(void)
{
    enum bond_mode mode;

    CHECK(bond_mode_from_string(NULL, &mode) && mode == BOND_ACTIVE_BACKUP);
    CHECK(bond_mode_from_string("balance-tcp", &mode) && mode == BOND_BALANCE_TCP);
    CHECK(!bond_mode_from_string("round-robin", &mode));
    CHECK_STR_EQ(bond_mode_to_string(BOND_BALANCE_SLB), "balance-slb");
}

UNIT_MAIN("flowd-bond",
          UNIT_TEST(test_active_stays_while_up),
          UNIT_TEST(test_pick_member_skips_down_members),
          UNIT_TEST(test_pick_member_shares_evenly),
          UNIT_TEST(test_slb_hash_spreads_macs),
          UNIT_TEST(test_tcp_hash_uses_ports),
          UNIT_TEST(test_accept_rx),
          UNIT_TEST(test_accept_rx_lacp),
          UNIT_TEST(test_choose_member_masks),
          UNIT_TEST(test_state_path_restores_active),
          UNIT_TEST(test_mode_names))
