/* dpactions: datapath actions. They are kept as a sequence of netlink
 * attributes in the Linux openvswitch module's own format (OVS_ACTION_ATTR_*
 * from <linux/openvswitch.h>, payloads in network byte order as the kernel
 * defines them), so that the userspace datapath executes exactly what the
 * kernel datapath would be given, and flows move between the two unchanged.
 *
 * An empty list means drop. */
#ifndef SY_DPACTIONS_H
#define SY_DPACTIONS_H 1

#include <linux/netlink.h>
#include <linux/openvswitch.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct dp_actions {
    uint8_t *data;              /* Attributes, each NLA_ALIGNTO-aligned. */
    size_t size;                /* Bytes used. */
    size_t allocated;           /* Bytes allocated. */
};

#define DP_ACTIONS_INITIALIZER { NULL, 0, 0 }

void dp_actions_init(struct dp_actions *);
void dp_actions_uninit(struct dp_actions *);
void dp_actions_clear(struct dp_actions *);
void dp_actions_copy(struct dp_actions *dst, const void *data, size_t size);

/* Appends an attribute of 'type' with 'size' bytes of payload; returns a
 * pointer to the payload (valid until the next append). */
void *dp_actions_put(struct dp_actions *, uint16_t type, const void *payload, size_t size);
/* Opens a nested attribute; returns its offset for dp_actions_end_nested(). */
size_t dp_actions_start_nested(struct dp_actions *, uint16_t type);
void dp_actions_end_nested(struct dp_actions *, size_t offset);

void dp_actions_put_output(struct dp_actions *, uint32_t port);
/* tci without FLOWKEY_VLAN_PRESENT; the function sets the kernel's CFI bit. */
void dp_actions_put_push_vlan(struct dp_actions *, uint16_t tpid, uint16_t tci);
void dp_actions_put_pop_vlan(struct dp_actions *);
/* OVS_ACTION_ATTR_SET_MASKED of one key attribute ('key_type' is an
 * OVS_KEY_ATTR_*, 'value' and 'mask' its struct ovs_key_* of 'size' bytes). */
void dp_actions_put_set_masked(struct dp_actions *, uint16_t key_type,
                               const void *value, const void *mask, size_t size);
/* Sends the packet to flowd's pipeline with 'size' bytes of 'userdata'
 * (OVS_USERSPACE_ATTR_PID and _USERDATA). */
void dp_actions_put_userspace(struct dp_actions *, uint32_t pid, const void *userdata,
                              size_t size);

/* Iterates over the attributes in [DATA, DATA + SIZE). */
#define DP_ACTIONS_FOR_EACH(NLA, DATA, SIZE)                                   \
    for (const struct nlattr *NLA = (const struct nlattr *) (DATA);            \
         (size_t) ((const uint8_t *) NLA - (const uint8_t *) (DATA)) + NLA_HDRLEN \
             <= (SIZE)                                                         \
         && NLA->nla_len >= NLA_HDRLEN                                         \
         && (size_t) ((const uint8_t *) NLA - (const uint8_t *) (DATA))        \
             + NLA->nla_len <= (SIZE);                                         \
         NLA = (const struct nlattr *) ((const uint8_t *) NLA                  \
                                        + NLA_ALIGN(NLA->nla_len)))

static inline const void *
dp_nla_data(const struct nlattr *nla)
{
    return (const uint8_t *) nla + NLA_HDRLEN;
}

static inline size_t
dp_nla_size(const struct nlattr *nla)
{
    return nla->nla_len - NLA_HDRLEN;
}

static inline uint16_t
dp_nla_type(const struct nlattr *nla)
{
    return nla->nla_type & NLA_TYPE_MASK;
}

/* Whether the attributes in [data, +size) fill it exactly: each one's
 * length covers its header and stays inside, nothing is left over but the
 * padding of the last. Parsers of kernel replies check every nest they
 * enter with it, so that DP_ACTIONS_FOR_EACH's silent stop at a bad length
 * becomes an error. */
bool dp_attrs_fill(const void *data, size_t size);
/* Copies the payload of 'nla' to 'dst' if it is exactly 'size' bytes. */
bool dp_nla_get(const struct nlattr *nla, void *dst, size_t size);

#endif
