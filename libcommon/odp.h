/* odp: the datapath flow text format, the kernel openvswitch datapath's
 * well-known form, printed by `dp dump-flows` and read by `dp add-flow`:
 *
 *   in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),
 *   eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2/255.255.255.0,proto=1,
 *   tos=0,ttl=64,frag=no),icmp(type=8,code=0), packets:3, bytes:294,
 *   used:0.1s, actions:2
 *
 * A field whose mask is all-ones prints bare; a partly masked field prints
 * "value/mask"; a fully wildcarded field, and an attribute all of whose
 * fields are wildcarded, are left out. Parsing is the inverse: a field not
 * mentioned is wildcarded, a bare value is exact. Print then parse gives
 * back the same key and mask, and the same actions.
 *
 * Attributes: in_port, tunnel(tun_id=,src=,dst=,tos=,ttl=,flags(...)),
 * eth(src=,dst=), vlan(tpid=,vid=,pcp=) and encap(...) for tags, eth_type,
 * ipv4(src=,dst=,proto=,tos=,ttl=,frag=no|first|later), ipv6(src=,dst=,
 * label=,proto=,tclass=,hlimit=,frag=), tcp(src=,dst=), tcp_flags(0x...),
 * udp(src=,dst=), sctp(src=,dst=), icmp(type=,code=), icmpv6(type=,code=),
 * arp(sip=,tip=,op=,sha=,tha=), nd(target=,sll=,tll=).
 * Actions: PORT, drop, push_vlan(vid=,pcp=[,tpid=]), pop_vlan,
 * set(eth(...)), set(ipv4(...)), set(ipv6(...)), set(tcp(...)),
 * set(udp(...)), set(sctp(...)), userspace(pid=N[,userdata(0x...)]),
 * sample(sample=P%,actions(ACTIONS)), recirc(N), trunc(N), meter(N),
 * and action_type(TYPE[,0xPAYLOAD]) for any other. */
#ifndef SY_ODP_H
#define SY_ODP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "dpactions.h"
#include "flowkey.h"

struct odp_flow_stats {
    uint64_t packets;
    uint64_t bytes;
    long long used_msec;        /* Time since last use in ms; <0 = never. */
    uint16_t tcp_flags;         /* OR of TCP flags seen, 0 = none. */
    bool offloaded;             /* The kernel forwards it (tc); printed as
                                 * "offloaded:yes, dp:tc". */
};

/* 'mask' NULL means exact match on every field the key sets. */
void odp_format_key(struct buf *, const struct flowkey *key, const struct flowkey *mask);
void odp_format_actions(struct buf *, const void *actions, size_t size);
/* KEY, packets:N, bytes:N, used:X, [flags:...,] actions:ACTIONS */
void odp_format_flow(struct buf *, const struct flowkey *key, const struct flowkey *mask,
                     const struct odp_flow_stats *, const void *actions, size_t size);

/* Return 0, or EINVAL with a message in 'error' that quotes what could not
 * be understood. Outputs are zeroed first. */
int odp_parse_key(const char *, struct flowkey *key, struct flowkey *mask, struct buf *error);
int odp_parse_actions(const char *, struct dp_actions *, struct buf *error);
/* "KEY actions:ACTIONS" or "KEY, packets:..., actions:ACTIONS" (stats are
 * accepted and ignored). */
int odp_parse_flow(const char *, struct flowkey *key, struct flowkey *mask,
                   struct dp_actions *, struct buf *error);

/* The probability of a sample() action (out of UINT32_MAX) as a
 * percentage: "50.0", "0.25", with as many decimals as parsing it back
 * needs to give the same probability. */
void odp_format_probability(struct buf *, uint32_t probability);
/* A percentage from 0 to 100 (plain decimal, no '%') into a probability,
 * rounded to the nearest; false if it is not one. */
bool odp_parse_probability(const char *, uint32_t *probability);

/* Calls 'cb' with the name of every attribute of datapath flow key text
 * followed by "(" ("in_port(", "eth(", ...), for tab completion. */
void odp_key_words(void (*cb)(const char *word, void *aux), void *aux);

#endif
