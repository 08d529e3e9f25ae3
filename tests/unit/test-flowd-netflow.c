/* Unit tests for flowd's NetFlow v5 export (netflow.c): the datagram
 * encoder, records from flow keys, the megaflow mask NetFlow needs, and
 * records of datapath flows sent to a collector socket on 127.0.0.1. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bridge.h"
#include "dp-user.h"
#include "netflow.h"
#include "packet.h"
#include "unit.h"

static uint16_t
get16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static uint32_t
get32(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

static struct flowkey
udp_key(void)
{
    struct flowkey key;

    memset(&key, 0, sizeof key);
    key.in_port = 1;
    key.eth_type = ETH_TYPE_IP;
    key.nw_proto = IP_PROTO_UDP;
    key.nw_tos = 0x28;
    key.ipv4_src = htonl(0x0a000001);
    key.ipv4_dst = htonl(0x0a000002);
    key.tp_src = 40000;
    key.tp_dst = 53;
    return key;
}

static void
test_encode_header_and_records(void)
{
    struct netflow_v5_header h = { 1234, 1700000000, 500, 77, 3, 4 };
    struct netflow_v5_record r[2];
    uint8_t out[NETFLOW_V5_MAX_SIZE];
    struct flowkey key = udp_key();
    size_t size;

    CHECK(netflow_v5_record_from_key(&key, &r[0]));
    r[0].input = 1;
    r[0].output = 2;
    r[0].packets = 25;
    r[0].bytes = 3200;
    r[0].first = 100;
    r[0].last = 900;
    r[1] = r[0];
    r[1].protocol = IP_PROTO_TCP;
    r[1].tcp_flags = 0x12;
    size = netflow_v5_encode(&h, r, 2, out);
    CHECK_INT_EQ(size, NETFLOW_V5_HEADER_SIZE + 2 * NETFLOW_V5_RECORD_SIZE);
    CHECK_INT_EQ(get16(out), 5);
    CHECK_INT_EQ(get16(out + 2), 2);
    CHECK_INT_EQ(get32(out + 4), 1234);
    CHECK_INT_EQ(get32(out + 8), 1700000000);
    CHECK_INT_EQ(get32(out + 12), 500);
    CHECK_INT_EQ(get32(out + 16), 77);
    CHECK_INT_EQ(out[20], 3);
    CHECK_INT_EQ(out[21], 4);
    CHECK_INT_EQ(get16(out + 22), 0);

    const uint8_t *rec = out + NETFLOW_V5_HEADER_SIZE;
    CHECK_INT_EQ(get32(rec), 0x0a000001);
    CHECK_INT_EQ(get32(rec + 4), 0x0a000002);
    CHECK_INT_EQ(get32(rec + 8), 0);
    CHECK_INT_EQ(get16(rec + 12), 1);
    CHECK_INT_EQ(get16(rec + 14), 2);
    CHECK_INT_EQ(get32(rec + 16), 25);
    CHECK_INT_EQ(get32(rec + 20), 3200);
    CHECK_INT_EQ(get32(rec + 24), 100);
    CHECK_INT_EQ(get32(rec + 28), 900);
    CHECK_INT_EQ(get16(rec + 32), 40000);
    CHECK_INT_EQ(get16(rec + 34), 53);
    CHECK_INT_EQ(rec[37], 0);
    CHECK_INT_EQ(rec[38], IP_PROTO_UDP);
    CHECK_INT_EQ(rec[39], 0x28);
    rec += NETFLOW_V5_RECORD_SIZE;
    CHECK_INT_EQ(rec[37], 0x12);
    CHECK_INT_EQ(rec[38], IP_PROTO_TCP);
}

static void
test_encode_caps_at_30_records(void)
{
    struct netflow_v5_header h;
    struct netflow_v5_record r[31];
    uint8_t out[NETFLOW_V5_MAX_SIZE];

    memset(&h, 0, sizeof h);
    memset(r, 0, sizeof r);
    CHECK_INT_EQ(netflow_v5_encode(&h, r, 31, out), NETFLOW_V5_MAX_SIZE);
    CHECK_INT_EQ(get16(out + 2), 30);
}

static void
test_record_from_key(void)
{
    struct netflow_v5_record r;
    struct flowkey key = udp_key();

    key.nw_proto = IP_PROTO_ICMP;
    key.tp_src = 3;                 /* Destination unreachable, */
    key.tp_dst = 1;                 /* host. */
    CHECK(netflow_v5_record_from_key(&key, &r));
    CHECK_INT_EQ(r.src_port, 0);
    CHECK_INT_EQ(r.dst_port, 0x0301);

    key = udp_key();
    key.nw_frag = FLOWKEY_FRAG_ANY | FLOWKEY_FRAG_LATER;
    CHECK(netflow_v5_record_from_key(&key, &r));
    CHECK_INT_EQ(r.src_port, 0);
    CHECK_INT_EQ(r.dst_port, 0);

    key = udp_key();
    key.eth_type = ETH_TYPE_ARP;
    CHECK(!netflow_v5_record_from_key(&key, &r));
    key.eth_type = ETH_TYPE_IPV6;
    CHECK(!netflow_v5_record_from_key(&key, &r));
}

static void
test_l3_bytes(void)
{
    struct flowkey key = udp_key();

    CHECK_INT_EQ(netflow_l3_bytes(&key, 10, 980), 840);
    key.vlans[0].tpid = ETH_TYPE_VLAN;
    key.vlans[0].tci = FLOWKEY_VLAN_PRESENT | 10;
    CHECK_INT_EQ(netflow_l3_bytes(&key, 10, 1020), 840);
    CHECK_INT_EQ(netflow_l3_bytes(&key, 10, 100), 0);
}

static void
test_mask_covers_the_record(void)
{
    struct flowkey key = udp_key(), mask;

    memset(&mask, 0, sizeof mask);
    netflow_mask_wc(&key, &mask);
    CHECK_INT_EQ(mask.in_port, UINT32_MAX);
    CHECK_INT_EQ(mask.ipv4_src, UINT32_MAX);
    CHECK_INT_EQ(mask.ipv4_dst, UINT32_MAX);
    CHECK_INT_EQ(mask.nw_proto, 0xff);
    CHECK_INT_EQ(mask.nw_tos, 0xff);
    CHECK_INT_EQ(mask.tp_src, 0xffff);
    CHECK_INT_EQ(mask.tp_dst, 0xffff);
    CHECK_INT_EQ(mask.eth_src[0], 0);

    /* Not IPv4: nothing for NetFlow to tell apart beyond the port. */
    key.eth_type = ETH_TYPE_ARP;
    memset(&mask, 0, sizeof mask);
    netflow_mask_wc(&key, &mask);
    CHECK_INT_EQ(mask.in_port, UINT32_MAX);
    CHECK_INT_EQ(mask.ipv4_src, 0);
    CHECK_INT_EQ(mask.tp_dst, 0);
}

/* A bridge with ports 1 and 2 and its own port, and a datapath with no
 * devices: enough for netflow.c. */
static void
fake_bridge(struct bridge *br, struct bridge_port ports[3])
{
    memset(br, 0, sizeof *br);
    memset(ports, 0, 3 * sizeof *ports);
    br->name = "br0";
    br->ports = ports;
    br->n_ports = 3;
    ports[0].dp_port = BRIDGE_LOCAL_DP_PORT;
    ports[0].ofport = SW_OFPORT_LOCAL;
    ports[1].dp_port = ports[1].ofport = 1;
    ports[2].dp_port = ports[2].ofport = 2;
    br->dp = dp_user_create("br0", NULL, NULL);
}

static void
test_output_iface(void)
{
    struct bridge_port ports[3];
    struct dp_actions actions;
    struct bridge br;

    fake_bridge(&br, ports);
    dp_actions_init(&actions);
    CHECK_INT_EQ(netflow_output_iface(&br, actions.data, actions.size), NETFLOW_IFACE_NONE);
    dp_actions_put_output(&actions, 2);
    CHECK_INT_EQ(netflow_output_iface(&br, actions.data, actions.size), 2);
    dp_actions_put_output(&actions, 0);
    CHECK_INT_EQ(netflow_output_iface(&br, actions.data, actions.size),
                 NETFLOW_IFACE_MULTIPLE);
    dp_actions_uninit(&actions);

    dp_actions_init(&actions);
    dp_actions_put_output(&actions, BRIDGE_LOCAL_DP_PORT);
    CHECK_INT_EQ(netflow_output_iface(&br, actions.data, actions.size), 65534);
    dp_actions_uninit(&actions);
    dpif_destroy(br.dp, false);
}

static void
removed_cb(struct dpflow *flow, void *aux)
{
    struct bridge *br = aux;

    netflow_flow_removed(br->netflow, flow);
}

/* Receives one datagram within a second; returns its size, 0 if none. */
static size_t
receive(int fd, uint8_t *buf, size_t size)
{
    struct pollfd pfd = { fd, POLLIN, 0 };
    ssize_t n;

    if (poll(&pfd, 1, 1000) != 1) {
        return 0;
    }
    n = recv(fd, buf, size, 0);
    return n > 0 ? n : 0;
}

static void
test_flows_are_exported(void)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    socklen_t len = sizeof sin;
    struct bridge_port ports[3];
    struct buf errors = BUF_INITIALIZER;
    struct flowkey key = udp_key(), mask;
    struct sw_bridge cfg;
    struct dp_actions actions;
    struct dpflow *flow, *existing;
    struct bridge br;
    uint8_t buf[2048];
    char *target;
    int fd;

    fd = socket(AF_INET, SOCK_DGRAM, 0);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(!bind(fd, (struct sockaddr *) &sin, sizeof sin));
    CHECK(!getsockname(fd, (struct sockaddr *) &sin, &len));
    target = xasprintf("127.0.0.1:%u", ntohs(sin.sin_port));

    fake_bridge(&br, ports);
    br.dp->flows.on_remove = removed_cb;
    br.dp->flows.on_remove_aux = &br;
    sw_bridge_init(&cfg, "br0");
    CHECK(!sw_bridge_set(&cfg, "netflow", target, &errors));
    CHECK(!sw_bridge_set(&cfg, "netflow-engine-id", "5", &errors));
    netflow_bridge_reconfigure(&br, &cfg, &errors);
    CHECK_STR_EQ(buf_cstr(&errors), "");
    CHECK(br.netflow != NULL);

    /* A flow that carried 25 packets goes: one record. */
    memset(&mask, 0xff, sizeof mask);
    dp_actions_init(&actions);
    dp_actions_put_output(&actions, 2);
    flow = dpflow_install(&br.dp->flows, &key, &mask, actions.data, actions.size, &existing);
    flow->packets = 25;
    flow->bytes = 25 * (14 + 128);
    flow->used = flow->created + 500;
    dpflow_flush(&br.dp->flows);
    netflow_run(br.netflow, time_msec());
    CHECK_INT_EQ(receive(fd, buf, sizeof buf), NETFLOW_V5_HEADER_SIZE + NETFLOW_V5_RECORD_SIZE);
    CHECK_INT_EQ(get16(buf + 2), 1);
    CHECK_INT_EQ(get32(buf + 16), 0);           /* flow_sequence */
    CHECK_INT_EQ(buf[21], 5);                   /* engine_id */
    CHECK_INT_EQ(get16(buf + 24 + 12), 1);      /* input */
    CHECK_INT_EQ(get16(buf + 24 + 14), 2);      /* output */
    CHECK_INT_EQ(get32(buf + 24 + 16), 25);
    CHECK_INT_EQ(get32(buf + 24 + 20), 25 * 128);
    CHECK_INT_EQ(get32(buf + 24 + 28) - get32(buf + 24 + 24), 500);

    /* A long flow: a record per active timeout, each with the packets
     * since the last; none while it carries nothing. */
    flow = dpflow_install(&br.dp->flows, &key, &mask, actions.data, actions.size, &existing);
    flow->packets = 10;
    flow->bytes = 10 * 142;
    flow->created -= 601 * 1000;
    netflow_run(br.netflow, time_msec());
    CHECK_INT_EQ(receive(fd, buf, sizeof buf), NETFLOW_V5_HEADER_SIZE + NETFLOW_V5_RECORD_SIZE);
    CHECK_INT_EQ(get32(buf + 16), 1);
    CHECK_INT_EQ(get32(buf + 24 + 16), 10);
    netflow_run(br.netflow, time_msec());
    flow->packets = 13;
    flow->bytes = 13 * 142;
    dpflow_flush(&br.dp->flows);
    netflow_run(br.netflow, time_msec());
    CHECK_INT_EQ(receive(fd, buf, sizeof buf), NETFLOW_V5_HEADER_SIZE + NETFLOW_V5_RECORD_SIZE);
    CHECK_INT_EQ(get32(buf + 16), 2);
    CHECK_INT_EQ(get32(buf + 24 + 16), 3);

    /* A flow with nothing new gets no record; turning NetFlow off reports
     * what the datapath still holds. */
    flow = dpflow_install(&br.dp->flows, &key, &mask, actions.data, actions.size, &existing);
    flow->packets = 0;
    netflow_run(br.netflow, time_msec());
    CHECK_INT_EQ(receive(fd, buf, sizeof buf), 0);
    flow->packets = 7;
    sw_bridge_set(&cfg, "netflow", "", &errors);
    netflow_bridge_reconfigure(&br, &cfg, &errors);
    CHECK(br.netflow == NULL);
    CHECK_INT_EQ(receive(fd, buf, sizeof buf), NETFLOW_V5_HEADER_SIZE + NETFLOW_V5_RECORD_SIZE);
    CHECK_INT_EQ(get32(buf + 24 + 16), 7);
    CHECK_INT_EQ(br.dp->flows.n_flows, 0);

    dp_actions_uninit(&actions);
    sw_bridge_destroy(&cfg);
    dpif_destroy(br.dp, false);
    buf_uninit(&errors);
    free(target);
    close(fd);
}

UNIT_MAIN("flowd-netflow",
          UNIT_TEST(test_encode_header_and_records),
          UNIT_TEST(test_encode_caps_at_30_records),
          UNIT_TEST(test_record_from_key),
          UNIT_TEST(test_l3_bytes),
          UNIT_TEST(test_mask_covers_the_record),
          UNIT_TEST(test_output_iface),
          UNIT_TEST(test_flows_are_exported))
