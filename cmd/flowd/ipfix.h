/* ipfix: IPFIX (RFC 7011) export for one bridge, the standard successor of
 * NetFlow v9.
 *
 * Records come from the datapath's flow statistics, as for NetFlow
 * (netflow.h): while IPFIX is on, the pipeline's megaflows also match the
 * IPv4 or IPv6 5-tuple (ipfix_mask_wc()), so every datapath flow is one
 * IPFIX flow. A flow is reported when it leaves the datapath (flowEndReason
 * idle timeout, or forced end for a revalidation, a flush or the bridge's
 * removal) and every active timeout while it lasts (active timeout), each
 * record with the packets and bytes since the previous one; a flow without
 * new packets gets no record.
 *
 * Two templates describe the records, one for IPv4 (IPFIX_TEMPLATE_IPV4)
 * and one for IPv6 (IPFIX_TEMPLATE_IPV6): addresses, protocol, class of
 * service, transport ports (0 for ICMP, whose type and code go in
 * icmpTypeCode), TCP flags, VLAN, ingress and egress interface (OpenFlow
 * port numbers, 65534 for the bridge's own port; egress 0 when dropped,
 * 65535 for several ports, as in NetFlow), packet and octet delta counts
 * (octets of the IP packets), flow start and end in milliseconds since
 * the epoch, and the end reason. Over UDP templates expire, so they go to
 * the collectors in the first message and again every template interval.
 *
 * Messages are at most IPFIX_MAX_MESSAGE bytes; records are sent at the
 * latest on the next ipfix_run(). The sequence number counts the data
 * records sent before the message, per observation domain (the bridge's
 * ipfix-obs-domain-id). */
#ifndef FLOWD_IPFIX_H
#define FLOWD_IPFIX_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "flowkey.h"

struct bridge;
struct dpflow;
struct sw_bridge;

#define IPFIX_VERSION 10
#define IPFIX_HEADER_SIZE 16
#define IPFIX_MAX_MESSAGE 1400
#define IPFIX_SET_TEMPLATE 2            /* Set ID of template sets. */
#define IPFIX_TEMPLATE_IPV4 256
#define IPFIX_TEMPLATE_IPV6 257
#define IPFIX_DEFAULT_ACTIVE_TIMEOUT 60     /* Seconds. */
#define IPFIX_DEFAULT_TEMPLATE_INTERVAL 600 /* Seconds (RFC 7011: resend over UDP). */

/* flowEndReason (IANA IPFIX information element 136). */
enum ipfix_end_reason {
    IPFIX_END_IDLE = 1,
    IPFIX_END_ACTIVE = 2,
    IPFIX_END_FORCED = 4,
};

/* One flow record. */
struct ipfix_record {
    bool ipv6;                      /* Which template. */
    uint8_t src[16];                /* Source address (IPv4: first 4 bytes), */
    uint8_t dst[16];                /* network byte order. */
    uint8_t protocol;
    uint8_t tos;                    /* ipClassOfService. */
    uint16_t src_port;              /* TCP/UDP/SCTP; 0 otherwise. */
    uint16_t dst_port;
    uint16_t icmp_type_code;        /* type * 256 + code for ICMP, else 0. */
    uint16_t tcp_flags;
    uint16_t vlan;                  /* Outer VID, 0 if untagged. */
    uint32_t ingress;               /* OpenFlow port numbers. */
    uint32_t egress;
    uint64_t packets;               /* Since the previous record. */
    uint64_t octets;                /* IP bytes of those packets. */
    uint64_t start_msec;            /* Milliseconds since the epoch. */
    uint64_t end_msec;
    uint8_t end_reason;             /* enum ipfix_end_reason. */
};

/* The header of one message. */
struct ipfix_header {
    uint32_t export_time;           /* Seconds since the epoch. */
    uint32_t sequence;              /* Data records sent before. */
    uint32_t domain;                /* Observation domain id. */
};

/* Encodes one message into 'out' (IPFIX_MAX_MESSAGE bytes): the header,
 * the template set if 'templates', then as many of the 'n' records as fit,
 * in a data set per template. Sets '*n_encoded' and returns the message's
 * size. */
size_t ipfix_encode(const struct ipfix_header *, bool templates,
                    const struct ipfix_record *, size_t n, size_t *n_encoded,
                    uint8_t *out);

/* Fills the addressing part of a record from a flow key; false for a key
 * that is neither IPv4 nor IPv6. */
bool ipfix_record_from_key(const struct flowkey *, struct ipfix_record *);

/* ORs into 'mask' the fields of 'key' a record reports. */
void ipfix_mask_wc(const struct flowkey *key, struct flowkey *mask);

/* Turns IPFIX on, off or changes it on 'br' as 'cfg' says (ipfix=,
 * ipfix-obs-domain-id=, ipfix-active-timeout=, ipfix-template-interval=);
 * turning it on or off flushes the datapath's flows. */
void ipfix_bridge_reconfigure(struct bridge *, const struct sw_bridge *cfg,
                              struct buf *errors);

struct ipfix;

/* Active timeouts, template refresh, and sends what is pending. */
void ipfix_run(struct ipfix *, long long now);
/* Reports 'flow', which is leaving the datapath. 'ipfix' may be NULL. */
void ipfix_flow_removed(struct ipfix *, struct dpflow *flow);
/* Reports every flow still in the datapath, sends, and frees 'ipfix'. */
void ipfix_destroy(struct ipfix *);
/* What it sent since its collectors were last set (records: data records
 * of its observation domain). */
struct export_stats;
void ipfix_get_stats(const struct ipfix *, struct export_stats *);

#endif
