/* Unit tests for the datapath interface (dpif.c) through the userspace
 * provider, and for how a kernel datapath is refused where the openvswitch
 * module is missing (this machine, CI). The kernel provider itself runs
 * in the QEMU guest of tests/bats/kernel-dp.bats. */
#include <string.h>
#include <unistd.h>

#include "dp-user.h"
#include "dpif.h"
#include "packet.h"
#include "unit.h"

static bool
module_loaded(void)
{
    return !access("/sys/module/openvswitch", F_OK);
}

static void
test_kernel_refused_without_module(void)
{
    struct buf errors = BUF_INITIALIZER;

    if (module_loaded()) {
        return;
    }
    CHECK(dpif_create(SW_DP_KERNEL, "br0", NULL, NULL, &errors) == NULL);
    CHECK(strstr(buf_cstr(&errors), "br0: datapath=kernel: the openvswitch kernel module "
                 "is not loaded") != NULL);
    buf_uninit(&errors);
}

static void
test_auto_resolves(void)
{
    struct buf errors = BUF_INITIALIZER;
    struct dpif *dpif;

    CHECK_INT_EQ(sw_datapath_resolve(SW_DP_USER), SW_DP_USER);
    CHECK_INT_EQ(sw_datapath_resolve(SW_DP_KERNEL), SW_DP_KERNEL);
    CHECK_INT_EQ(sw_datapath_resolve(SW_DP_AUTO), module_loaded() ? SW_DP_KERNEL : SW_DP_USER);
    if (module_loaded()) {
        return;
    }
    dpif = dpif_create(SW_DP_AUTO, "br0", NULL, NULL, &errors);
    CHECK(dpif != NULL);
    CHECK_STR_EQ(dpif_type(dpif), "user");
    CHECK(dp_user_of(dpif) != NULL);
    CHECK_INT_EQ(errors.size, 0);
    dpif_destroy(dpif, false);
    buf_uninit(&errors);
}

struct removed {
    int n;
    uint64_t packets;
};

static void
flow_removed(struct dpflow *flow, void *removed_)
{
    struct removed *removed = removed_;

    removed->n++;
    removed->packets += flow->packets;
}

/* A flow leaving the table reaches the bridge's callback with its last
 * counters, whatever removes it. */
static void
test_flow_removed_callback(void)
{
    struct dpif *dpif = dp_user_create("br0", NULL, NULL);
    struct removed removed = { 0, 0 };
    struct dp_actions actions = DP_ACTIONS_INITIALIZER;
    struct flowkey key, mask;
    struct dpflow *flow, *existing;

    dpif_set_flow_removed(dpif, flow_removed, &removed);
    memset(&key, 0, sizeof key);
    memset(&mask, 0, sizeof mask);
    key.in_port = 1;
    key.eth_type = ETH_TYPE_IP;
    mask.in_port = UINT32_MAX;
    dp_actions_put_output(&actions, 2);
    flow = dpflow_install(&dpif->flows, &key, &mask, actions.data, actions.size, &existing);
    CHECK(flow != NULL);
    if (flow) {
        flow->packets = 7;
    }
    dpflow_flush(&dpif->flows);
    CHECK_INT_EQ(removed.n, 1);
    CHECK_INT_EQ(removed.packets, 7);
    CHECK_INT_EQ(dpif->flows.n_flows, 0);
    dp_actions_uninit(&actions);
    dpif_destroy(dpif, false);
}

/* Ports as the bridge and OpenFlow see them: none, absent, and what a
 * userspace() action names (nothing, in this datapath). */
static void
test_port_status(void)
{
    struct dpif *dpif = dp_user_create("br0", NULL, NULL);
    struct dpif_port_status status;

    CHECK(!dpif_port_status(dpif, 5, &status));
    CHECK(!status.present && !status.error && !status.has_stats);
    dpif_port_add(dpif, 5, "sy-no-such-dev0", DPIF_PORT_SYSTEM);
    CHECK(dpif_port_status(dpif, 5, &status));
    CHECK(!status.present);
    CHECK(!status.deviceless);
    CHECK(status.error != NULL);
    CHECK(dp_user_port_of(dpif, 5) != NULL);
    CHECK(dp_user_port_of(dpif, 6) == NULL);
    CHECK_INT_EQ(dpif_upcall_pid(dpif, 5), 0);
    dpif_port_del(dpif, 5);
    CHECK(!dpif_port_status(dpif, 5, &status));
    dpif_destroy(dpif, false);
}

UNIT_MAIN("dpif",
          UNIT_TEST(test_kernel_refused_without_module),
          UNIT_TEST(test_auto_resolves),
          UNIT_TEST(test_flow_removed_callback),
          UNIT_TEST(test_port_status))
