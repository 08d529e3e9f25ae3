/* tc-u32: the rtnetlink messages of flowd's flow offload (cmd/flowd/
 * dp-offload.c): a clsact qdisc on a port's device, and on its ingress one
 * u32 filter per offloaded megaflow, each at a priority of its own, whose
 * mirred actions send the matching packets to the output devices (all but
 * the last "mirror" with TC_ACT_PIPE, the last "redirect" with
 * TC_ACT_STOLEN, both to egress). Messages are built and read without a
 * socket, so that unit tests and fuzzers drive the code that
 * tc_sock_transact() and tc_sock_dump_filters() use with the kernel.
 *
 * Filters sit under parent TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS), which
 * a plain "ingress" qdisc accepts too. A filter's priority and protocol
 * (tcm_info) name it: deleting (prio, protocol) with handle 0 removes the
 * whole filter, whatever handle the kernel gave its u32 node.
 *
 * What the kernel does (Linux 6.18, checked in a namespace):
 * - Each prio gets a hash table of its own, numbered per device in the
 *   order they were made (800:, 801:, ...), so a filter's full handle is
 *   not known in advance. Adds ask for node 0x800 of whatever table, so a
 *   second add at a prio that exists fails (ENOSPC, from the kernel's id
 *   allocator: u32 never says EEXIST to an add without a full handle; with
 *   handle 0 it would quietly add a second node to the prio instead).
 * - An add at a prio that exists with another protocol, and a delete that
 *   names the wrong protocol, fail with EINVAL; deleting a missing prio
 *   gives ENOENT; deleting clsact where there is none gives EINVAL.
 *   Deleting clsact deletes every filter under it.
 * - A dump gives three RTM_NEWTFILTER messages per prio: the prio itself
 *   (handle 0, TCA_KIND and TCA_CHAIN only), its hash table (handle 800:,
 *   TCA_U32_DIVISOR) and the key node (800::800) with the actions and
 *   their counters. Only the last has has_stats.
 * - The counters are the action's, and count bytes from the network
 *   header (the Ethernet header is already pulled at ingress): 14 bytes a
 *   packet fewer than the same packets' frame sizes.
 * - The kernel's nests in dumps do not carry NLA_F_NESTED; ours do (it
 *   accepts both). */
#ifndef SY_TC_U32_H
#define SY_TC_U32_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define TC_U32_MAX_KEYS 32
#define TC_U32_MAX_OUTPUTS 8

/* One 32-bit word of the packet to compare: (word & mask) == value. (Not
 * "struct tc_u32_key": <linux/pkt_cls.h> has that name, for the kernel's
 * own form of it, and every user of mirred needs that header.) */
struct tc_u32_match {
    uint32_t value;                 /* Network byte order, already masked. */
    uint32_t mask;                  /* Network byte order, nonzero. */
    int32_t offset;                 /* From the network header (negative:
                                     * the Ethernet header); a multiple of 4. */
};

struct tc_u32_filter {
    int ifindex;                    /* Device whose ingress it sits on. */
    uint16_t prio;                  /* 1..0xffff. */
    uint16_t eth_type;              /* Filter protocol, host order (0x0800). */
    struct tc_u32_match keys[TC_U32_MAX_KEYS];
    size_t n_keys;                  /* 0 is allowed: every packet of the type. */
    int out_ifindex[TC_U32_MAX_OUTPUTS];
    size_t n_outputs;               /* 1..TC_U32_MAX_OUTPUTS. */
};

/* What a dump says about one filter. */
struct tc_filter_info {
    int ifindex;
    uint32_t handle;                /* The u32 node's (800:, 800::800, ...). */
    uint32_t parent;
    uint16_t prio;
    uint16_t eth_type;              /* Host order. */
    char kind[16];                  /* "u32", ... ("" if absent). */
    bool has_stats;                 /* An action's counters were there. */
    uint64_t packets;               /* The first action's basic counters. */
    uint64_t bytes;
};

/* Each appends one whole netlink message (nlmsghdr, tcmsg, attributes) to
 * 'msg', with NLM_F_REQUEST|NLM_F_ACK (and the flags an operation needs)
 * and sequence number 'seq' (tc_sock_transact() puts its own there).
 * tc_put_u32_add() leaves out keys beyond TC_U32_MAX_KEYS and outputs
 * beyond TC_U32_MAX_OUTPUTS. */
void tc_put_clsact_add(struct buf *msg, int ifindex, uint32_t seq);   /* NLM_F_CREATE|NLM_F_EXCL */
void tc_put_clsact_del(struct buf *msg, int ifindex, uint32_t seq);
void tc_put_u32_add(struct buf *msg, const struct tc_u32_filter *, uint32_t seq); /* CREATE|EXCL */
void tc_put_filter_del(struct buf *msg, int ifindex, uint16_t prio, uint16_t eth_type,
                       uint32_t seq);
void tc_put_filter_dump(struct buf *msg, int ifindex, uint32_t seq);  /* NLM_F_DUMP */

/* Decodes one RTM_NEWTFILTER message (nlmsghdr included) of a dump into
 * 'info'. Returns 0; ENOENT for a message that is valid but no filter of
 * interest (another message type); EINVAL if it is malformed (a length
 * that overruns, an attribute of the wrong size, nesting deeper than the
 * format has). On error '*info' is zeroed. */
int tc_parse_filter(const void *nlmsg, size_t size, struct tc_filter_info *info);

/* A NETLINK_ROUTE socket in the caller's network namespace. */
struct tc_sock;
int tc_sock_open(struct tc_sock **);
void tc_sock_close(struct tc_sock *);
/* Sends the one request in 'msg' and waits for its acknowledgement:
 * 0 or the kernel's errno (EEXIST, ENOENT, ...). The request goes out with
 * the socket's next sequence number in place of its own, so that a late
 * answer to an earlier request is never taken for this one's. EINVAL if
 * 'msg' is not one whole message; ETIMEDOUT if no answer came in 5 s
 * (which the kernel, answering as it receives, never leaves us waiting
 * for); ENOBUFS if answers were lost (the receive queue overflowed), so
 * that whether the request was done is unknown. */
int tc_sock_transact(struct tc_sock *, const struct buf *msg);
/* Dumps the ingress filters of 'ifindex', calling 'cb' for each filter
 * message that decodes (tc_parse_filter() == 0). Returns 0 or an errno:
 * the kernel's; EAGAIN if the filters changed while the dump ran (the
 * kernel marked it interrupted); ENOBUFS if messages were lost. In either
 * of those 'cb' saw only part of the filters, and the dump is worth
 * trying again. A device without clsact, or with no such ifindex, has no
 * filters (0). */
typedef void tc_filter_cb(const struct tc_filter_info *, void *aux);
int tc_sock_dump_filters(struct tc_sock *, int ifindex, tc_filter_cb *, void *aux);

#endif
