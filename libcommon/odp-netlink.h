/* odp-netlink: struct flowkey (and its mask) to and from the Linux
 * openvswitch module's flow key attributes (nested OVS_KEY_ATTR_* of
 * <linux/openvswitch.h>), as carried by OVS_FLOW_ATTR_KEY/_MASK and
 * OVS_PACKET_ATTR_KEY. dpif-netlink.c uses it to talk to the kernel; odp.c
 * is the text form of the same flows; flowkey.h is the struct.
 *
 * The encoding follows the kernel's rules, so what we send is accepted and
 * what it sends back decodes to the same key and mask:
 *
 *   - VLAN tags nest: ETHERTYPE(tpid), VLAN(tci with the CFI/"present" bit),
 *     ENCAP(ETHERTYPE(...), ...); in a mask ETHERTYPE is 0xffff and the
 *     VLAN mask keeps the present bit. The eth_type and the tag structure
 *     are always matched exactly (flowkey_mask_canonicalize()).
 *   - 802.3 frames (FLOWKEY_ETH_TYPE_NONE) have no ETHERTYPE in the key and
 *     ETHERTYPE(0xffff) in the mask.
 *   - A key carries the L3/L4 attributes its eth_type and IP protocol imply,
 *     even when fully wildcarded; a mask carries them only where the kernel
 *     allows (exact eth_type for L3, exact IP protocol for L4, exact ICMPv6
 *     type for ND).
 *   - IN_PORT is left out of both when in_port is wildcarded.
 *   - nw_frag values map onto the kernel's frag types: none (0) to NONE,
 *     ANY to FIRST, ANY|LATER to LATER; a mask byte passes unchanged (the
 *     ANY and LATER bits sit where FIRST and LATER do).
 *
 * Metadata the kernel reports but a flowkey does not hold (priority,
 * skb_mark, recirc_id, dp_hash, conntrack state) is accepted and dropped,
 * unless a mask matches it against a non-zero value (EOPNOTSUPP): a flow
 * would then print as something broader than it is. MPLS, NSH and tunnel
 * options are EOPNOTSUPP too. */
#ifndef SY_ODP_NETLINK_H
#define SY_ODP_NETLINK_H 1

#include <stddef.h>

#include "dpactions.h"
#include "flowkey.h"

/* Appends the key attributes for 'key' under 'mask' to 'key_attrs', and,
 * if 'mask_attrs' is non-NULL, the mask attributes to it. 'mask' NULL
 * means exact match (then 'mask_attrs' must be NULL: the kernel matches a
 * flow without a mask exactly). Returns 0, or EINVAL if the mask matches
 * fields the kernel cannot be told about (L4 ports without an exact IP
 * protocol, say); then nothing is appended. */
int odp_netlink_from_flowkey(const struct flowkey *key, const struct flowkey *mask,
                             struct dp_actions *key_attrs, struct dp_actions *mask_attrs);

/* Decodes the key attributes in [key_attrs, +key_size) into 'key', and, if
 * 'mask' is non-NULL, the mask attributes in [mask_attrs, +mask_size) into
 * 'mask' ('mask_attrs' NULL: exact match on every attribute the key has).
 * The key comes back masked and the mask canonical. Returns 0, EINVAL for
 * a malformed or inconsistent attribute stream, EOPNOTSUPP for something a
 * flowkey cannot hold; on error '*key' and '*mask' are zeroed. */
int odp_netlink_to_flowkey(const void *key_attrs, size_t key_size,
                           const void *mask_attrs, size_t mask_size,
                           struct flowkey *key, struct flowkey *mask);

#endif
