/* netflow: NetFlow v5 export for one bridge.
 *
 * Records come from the datapath's flow statistics, one record per datapath
 * flow. NetFlow wants one record per IPv4 5-tuple, while the pipeline's
 * megaflows are as wide as the pipeline allows (NORMAL matches on MACs
 * only), so while NetFlow is on, the pipeline also matches the fields a
 * record carries (netflow_mask_wc(), called by bridge_xlate()): then every
 * datapath flow is exactly one NetFlow flow.
 *
 * A flow is reported when it leaves the datapath (idle expiry, revalidation,
 * a flush, NetFlow turned off, the bridge removed: bridge.c calls
 * netflow_flow_removed() from the flow table's on_remove hook) and every
 * active timeout while it lasts (netflow_run()); each record carries the
 * packets and bytes since the previous one, and a flow without new packets
 * gets no record. Records are sent to every collector in datagrams of at
 * most 30 records, at the latest on the next netflow_run().
 *
 * Record fields: input and output interface are OpenFlow port numbers (the
 * bridge's own port is 65534); the output is 0 for a flow that is dropped
 * and 65535 for one that goes to several ports. Bytes are layer 3 bytes
 * (the IP packets, without Ethernet header and VLAN tags), as NetFlow
 * defines them. ICMP type and code are in the destination port
 * (type * 256 + code), as Cisco's exporters do. First and last are in the
 * header's sysuptime clock: milliseconds since flowd started exporting. */
#ifndef FLOWD_NETFLOW_H
#define FLOWD_NETFLOW_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "flowkey.h"

struct bridge;
struct dpflow;
struct sw_bridge;

#define NETFLOW_V5_HEADER_SIZE 24
#define NETFLOW_V5_RECORD_SIZE 48
#define NETFLOW_V5_MAX_RECORDS 30
#define NETFLOW_V5_MAX_SIZE (NETFLOW_V5_HEADER_SIZE \
                             + NETFLOW_V5_MAX_RECORDS * NETFLOW_V5_RECORD_SIZE)
#define NETFLOW_DEFAULT_ACTIVE_TIMEOUT 600  /* Seconds, as Open vSwitch. */
#define NETFLOW_IFACE_NONE 0                /* Output of a dropped flow. */
#define NETFLOW_IFACE_MULTIPLE 65535        /* Output to several ports. */

/* The header fields of one export datagram (the count is the number of
 * records encoded). */
struct netflow_v5_header {
    uint32_t sys_uptime;            /* Milliseconds since export began. */
    uint32_t unix_secs;             /* Wall clock at sending. */
    uint32_t unix_nsecs;
    uint32_t flow_sequence;         /* Records sent before this datagram. */
    uint8_t engine_type;
    uint8_t engine_id;
};

/* One flow record, in host byte order except the addresses. */
struct netflow_v5_record {
    uint32_t src_addr;              /* IPv4 source, network byte order. */
    uint32_t dst_addr;              /* IPv4 destination, network byte order. */
    uint16_t input;                 /* Input interface (OpenFlow port). */
    uint16_t output;                /* Output interface, NETFLOW_IFACE_*. */
    uint32_t packets;               /* Packets since the previous record. */
    uint32_t bytes;                 /* Layer 3 bytes of those packets. */
    uint32_t first;                 /* sysuptime of the first packet. */
    uint32_t last;                  /* sysuptime of the last packet. */
    uint16_t src_port;              /* TCP/UDP source port, 0 for ICMP. */
    uint16_t dst_port;              /* TCP/UDP destination port; ICMP type/code. */
    uint8_t tcp_flags;              /* OR of the TCP flags seen (low 8 bits). */
    uint8_t protocol;               /* IP protocol. */
    uint8_t tos;                    /* IP type of service. */
};

/* Encodes a datagram of 'header' and 'n' (at most NETFLOW_V5_MAX_RECORDS)
 * records into 'out', which needs NETFLOW_V5_MAX_SIZE bytes. Returns its
 * size. */
size_t netflow_v5_encode(const struct netflow_v5_header *,
                         const struct netflow_v5_record *, size_t n, uint8_t *out);

/* Fills the addressing part of a record (addresses, ports, protocol, TOS,
 * TCP flags) from a flow key. Returns false for a key that is not IPv4,
 * which NetFlow v5 cannot describe. */
bool netflow_v5_record_from_key(const struct flowkey *, struct netflow_v5_record *);

/* Layer 3 bytes of 'packets' frames of 'frame_bytes' bytes in all whose
 * key is 'key' (their Ethernet header and VLAN tags taken off). */
uint64_t netflow_l3_bytes(const struct flowkey *key, uint64_t packets, uint64_t frame_bytes);

/* ORs into 'mask' the fields of 'key' a NetFlow record reports, so that a
 * datapath flow is one NetFlow flow. */
void netflow_mask_wc(const struct flowkey *key, struct flowkey *mask);

/* The output interface of datapath 'actions' on bridge 'br'. */
uint16_t netflow_output_iface(const struct bridge *br, const void *actions, size_t size);

/* Turns NetFlow on, off or changes it on 'br' as 'cfg' says (netflow=,
 * netflow-active-timeout=, netflow-engine-type=, netflow-engine-id=).
 * Turning it on or off flushes the datapath's flows, whose masks depend
 * on it. */
void netflow_bridge_reconfigure(struct bridge *br, const struct sw_bridge *cfg,
                                struct buf *errors);

struct netflow;

/* Active timeouts, and sends what is pending. */
void netflow_run(struct netflow *, long long now);
/* Reports 'flow', which is leaving the datapath. 'nf' may be NULL. */
void netflow_flow_removed(struct netflow *, struct dpflow *flow);
/* Reports every flow still in the datapath, sends, and frees 'nf'. */
void netflow_destroy(struct netflow *);
/* What it sent since its collectors were last set (records: in all). */
struct export_stats;
void netflow_get_stats(const struct netflow *, struct export_stats *);

#endif
