/* sflow: sFlow v5 export for one bridge.
 *
 * Packet sampling happens in the datapath. The userspace datapath
 * (dp-user.c) runs a countdown per bridge, refilled after each sample with
 * a random skip whose mean is the sampling rate N (uniform in 1..2N-1;
 * every packet when N is 1), and calls sflow's sampler for the packet as it
 * arrived, before its actions run. The kernel datapath cannot call flowd,
 * so there translation puts a sample action in front of each flow's
 * actions, as Open vSwitch does (sflow_xlate()): with probability 1/N
 * (UINT32_MAX / N, rounded) it sends the packet as it arrived to flowd in
 * a userspace() action whose user data is a struct sflow_cookie (input and
 * output interface), and sflow_received() makes the same flow sample of
 * it. Changing N or turning sFlow on or off then replaces the datapath's
 * flows. Either way the sample is: the first 128 bytes of the frame
 * as a raw Ethernet header record, input and output interface, sampling
 * rate and sample pool (packets the sampler has seen). Every polling
 * interval each port of the bridge gets a counter sample with the generic
 * interface counters, from the port's device statistics.
 *
 * Interfaces are named by OpenFlow port numbers (the bridge's own port is
 * 65534), for ifIndex and for each data source (class 0). The output of a
 * flow sample is its one output port, "discarded" (0x40000000 | 256,
 * reason unknown) when the actions send it nowhere, or "multiple"
 * (0x80000000 | count) when they send it to several ports.
 *
 * The agent address is sflow-agent=, else the first IPv4 address of the
 * bridge's own device, else 127.0.0.1. Samples go out in datagrams of at
 * most SFLOW_MAX_DATAGRAM bytes, when one is full and at the latest on the
 * next sflow_run(). */
#ifndef FLOWD_SFLOW_H
#define FLOWD_SFLOW_H 1

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "buf.h"
#include "flowkey.h"

struct bridge;
struct dp_packet;
struct dp_upcall_result;
struct sw_bridge;

#define SFLOW_DEFAULT_SAMPLING 400      /* 1 in N packets, as Open vSwitch. */
#define SFLOW_DEFAULT_POLLING 30        /* Seconds between counter samples. */
#define SFLOW_HEADER_BYTES 128          /* Bytes of each sampled frame. */
#define SFLOW_MAX_DATAGRAM 1400
#define SFLOW_OUTPUT_DISCARDED (0x40000000u | 256)
#define SFLOW_OUTPUT_MULTIPLE 0x80000000u
#define SFLOW_COUNTER_UNKNOWN UINT32_MAX

/* The agent's address: IPv4 (4 bytes) or IPv6 (16). */
struct sflow_agent {
    int family;                     /* AF_INET or AF_INET6. */
    uint8_t addr[16];               /* Network byte order. */
};

struct sflow_flow_sample {
    uint32_t sequence;              /* Per data source. */
    uint32_t source_id;             /* Class 0 (ifIndex) << 24 | index. */
    uint32_t sampling_rate;
    uint32_t sample_pool;           /* Packets seen by the sampler. */
    uint32_t drops;                 /* Samples lost for lack of resources. */
    uint32_t input;                 /* ifIndex. */
    uint32_t output;                /* ifIndex or SFLOW_OUTPUT_*. */
    uint32_t frame_length;          /* Bytes of the whole frame. */
    const uint8_t *header;          /* Its first bytes. */
    uint32_t header_size;           /* At most SFLOW_HEADER_BYTES. */
};

/* Generic interface counters (RFC 2233 names). */
struct sflow_if_counters {
    uint32_t if_index;
    uint32_t if_type;               /* 6: ethernetCsmacd. */
    uint64_t if_speed;              /* Bits per second, 0 if unknown. */
    uint32_t if_direction;          /* 1: full duplex. */
    uint32_t if_status;             /* Bit 0: admin up, bit 1: oper up. */
    uint64_t in_octets;
    uint32_t in_ucast_pkts, in_multicast_pkts, in_broadcast_pkts;
    uint32_t in_discards, in_errors, in_unknown_protos;
    uint64_t out_octets;
    uint32_t out_ucast_pkts, out_multicast_pkts, out_broadcast_pkts;
    uint32_t out_discards, out_errors;
    uint32_t promiscuous_mode;
};

/* Encoders of the pieces of an sFlow v5 datagram (XDR, big-endian). Each
 * writes at 'out' and returns the bytes written; the sizes are fixed:
 * SFLOW_HEADER_SIZE(agent), SFLOW_FLOW_SAMPLE_SIZE(header_size) and
 * SFLOW_COUNTER_SAMPLE_SIZE. */
#define SFLOW_DATAGRAM_HEADER_SIZE(FAMILY) (28 + ((FAMILY) == AF_INET6 ? 12 : 0))
#define SFLOW_FLOW_SAMPLE_SIZE(HEADER_SIZE) (8 + 32 + 8 + 16 + (((HEADER_SIZE) + 3) & ~3u))
#define SFLOW_COUNTER_SAMPLE_SIZE (8 + 12 + 8 + 88)

size_t sflow_encode_datagram_header(uint8_t *out, const struct sflow_agent *,
                                    uint32_t sub_agent_id, uint32_t sequence,
                                    uint32_t uptime_msec, uint32_t n_samples);
size_t sflow_encode_flow_sample(uint8_t *out, const struct sflow_flow_sample *);
size_t sflow_encode_counter_sample(uint8_t *out, uint32_t sequence, uint32_t source_id,
                                   const struct sflow_if_counters *);

/* The user data of the userspace() action in a kernel sample action. */
struct sflow_cookie {
    uint32_t type;                  /* SFLOW_COOKIE_TYPE. */
    uint32_t input;                 /* Input field of the flow sample. */
    uint32_t output;                /* Output field of the flow sample. */
};
#define SFLOW_COOKIE_TYPE 0x73466c77u   /* "sFlw" */

/* The probability of a sample action that samples 1 in 'rate' packets
 * (UINT32_MAX / rate, rounded). */
uint32_t sflow_probability(uint32_t rate);

/* The output field of a flow sample for datapath 'actions' on 'br'. */
uint32_t sflow_output_of_actions(const struct bridge *br, const void *actions, size_t size);

/* Turns sFlow on, off or changes it on 'br' as 'cfg' says (sflow=,
 * sflow-sampling=, sflow-polling=, sflow-agent=). */
void sflow_bridge_reconfigure(struct bridge *br, const struct sw_bridge *cfg,
                              struct buf *errors);

struct sflow;

/* Where the datapath cannot sample by itself: puts the sample action in
 * front of r->actions (a packet of 'key'; r->mirror_size grows by its
 * size, so that it does not count as the flow's own action). Nothing if
 * 'br' has no sFlow or its datapath samples. With 'trace', explains. */
void sflow_xlate(struct bridge *, const struct flowkey *key, struct dp_upcall_result *r,
                 struct buf *trace);
/* A packet that a sample action sent up with 'userdata': makes it a flow
 * sample and returns true, or returns false if 'userdata' is no
 * struct sflow_cookie (or 'sflow' is NULL). */
bool sflow_received(struct sflow *, const struct dp_packet *, const void *userdata,
                    size_t size);

/* Counter polling, and sends what is pending. */
void sflow_run(struct sflow *, long long now);
/* Sends what is pending, stops sampling and frees 'sflow'. */
void sflow_destroy(struct sflow *);
/* What it sent since its collectors were last set (records: flow and
 * counter samples of its current ports). */
struct export_stats;
void sflow_get_stats(const struct sflow *, struct export_stats *);

#endif
