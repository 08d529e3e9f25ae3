/* dpactions: building datapath action lists. See dpactions.h. */
#include "dpactions.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "flowkey.h"

void
dp_actions_init(struct dp_actions *a)
{
    a->data = NULL;
    a->size = 0;
    a->allocated = 0;
}

void
dp_actions_uninit(struct dp_actions *a)
{
    if (a) {
        free(a->data);
        dp_actions_init(a);
    }
}

void
dp_actions_clear(struct dp_actions *a)
{
    a->size = 0;
}

static void *
dp_actions_reserve(struct dp_actions *a, size_t size)
{
    void *p;

    a->data = x2nrealloc(a->data, &a->allocated, a->size + size, 1);
    p = a->data + a->size;
    memset(p, 0, size);
    a->size += size;
    return p;
}

void
dp_actions_copy(struct dp_actions *dst, const void *data, size_t size)
{
    dst->size = 0;
    if (size) {
        memcpy(dp_actions_reserve(dst, size), data, size);
    }
}

void *
dp_actions_put(struct dp_actions *a, uint16_t type, const void *payload, size_t size)
{
    struct nlattr *nla = dp_actions_reserve(a, NLA_ALIGN(NLA_HDRLEN + size));

    nla->nla_len = NLA_HDRLEN + size;
    nla->nla_type = type;
    if (payload && size) {
        memcpy((uint8_t *) nla + NLA_HDRLEN, payload, size);
    }
    return (uint8_t *) nla + NLA_HDRLEN;
}

size_t
dp_actions_start_nested(struct dp_actions *a, uint16_t type)
{
    size_t offset = a->size;

    dp_actions_put(a, type, NULL, 0);
    return offset;
}

void
dp_actions_end_nested(struct dp_actions *a, size_t offset)
{
    struct nlattr *nla = (struct nlattr *) (a->data + offset);

    nla->nla_len = a->size - offset;
}

bool
dp_attrs_fill(const void *data, size_t size)
{
    size_t used = 0;

    DP_ACTIONS_FOR_EACH (nla, data, size) {
        used = (const uint8_t *) nla - (const uint8_t *) data + NLA_ALIGN(nla->nla_len);
    }
    return used >= size;
}

bool
dp_nla_get(const struct nlattr *nla, void *dst, size_t size)
{
    if (dp_nla_size(nla) != size) {
        return false;
    }
    memcpy(dst, dp_nla_data(nla), size);
    return true;
}

void
dp_actions_put_output(struct dp_actions *a, uint32_t port)
{
    dp_actions_put(a, OVS_ACTION_ATTR_OUTPUT, &port, sizeof port);
}

void
dp_actions_put_push_vlan(struct dp_actions *a, uint16_t tpid, uint16_t tci)
{
    struct ovs_action_push_vlan push = {
        .vlan_tpid = htons(tpid),
        .vlan_tci = htons(tci | FLOWKEY_VLAN_PRESENT),
    };

    dp_actions_put(a, OVS_ACTION_ATTR_PUSH_VLAN, &push, sizeof push);
}

void
dp_actions_put_pop_vlan(struct dp_actions *a)
{
    dp_actions_put(a, OVS_ACTION_ATTR_POP_VLAN, NULL, 0);
}

void
dp_actions_put_set_masked(struct dp_actions *a, uint16_t key_type,
                          const void *value, const void *mask, size_t size)
{
    size_t set = dp_actions_start_nested(a, OVS_ACTION_ATTR_SET_MASKED);
    uint8_t *p = dp_actions_put(a, key_type, NULL, size * 2);

    memcpy(p, value, size);
    memcpy(p + size, mask, size);
    dp_actions_end_nested(a, set);
}

void
dp_actions_put_userspace(struct dp_actions *a, uint32_t pid, const void *userdata,
                         size_t size)
{
    size_t userspace = dp_actions_start_nested(a, OVS_ACTION_ATTR_USERSPACE);

    dp_actions_put(a, OVS_USERSPACE_ATTR_PID, &pid, sizeof pid);
    dp_actions_put(a, OVS_USERSPACE_ATTR_USERDATA, userdata, size);
    dp_actions_end_nested(a, userspace);
}
