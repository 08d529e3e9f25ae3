/* libFuzzer target for odp-netlink.c: arbitrary bytes as kernel flow key
 * attributes (the first byte picks where the mask stream starts). Decoding
 * must fail cleanly (everything zeroed) or give a key and mask that encode
 * again and decode to the same key and mask. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odp-netlink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_zeroed(const struct flowkey *key, const struct flowkey *mask)
{
    static const struct flowkey zero;

    if (memcmp(key, &zero, sizeof zero) || memcmp(mask, &zero, sizeof zero)) {
        fprintf(stderr, "fuzz-odp-netlink: rejected input left a key behind\n");
        abort();
    }
}

static void
check_reencode(const struct flowkey *key, const struct flowkey *mask)
{
    struct dp_actions ka = DP_ACTIONS_INITIALIZER, ma = DP_ACTIONS_INITIALIZER;
    struct flowkey key2, mask2;

    /* A decoded flow may still be one the kernel would refuse (a tunnel
     * key without a destination, say); what encodes must come back. */
    if (!odp_netlink_from_flowkey(key, mask, &ka, &ma)) {
        if (odp_netlink_to_flowkey(ka.data, ka.size, ma.data, ma.size, &key2, &mask2)
            || memcmp(key, &key2, sizeof key2) || memcmp(mask, &mask2, sizeof mask2)) {
            fprintf(stderr, "fuzz-odp-netlink: flow changed in a round trip\n");
            abort();
        }
    }
    dp_actions_uninit(&ka);
    dp_actions_uninit(&ma);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct flowkey key, mask;
    size_t split;
    uint8_t *copy;

    if (!size) {
        return 0;
    }
    /* An aligned private copy, so attribute reads are aligned as they are
     * in a netlink message. */
    copy = xmemdup(data + 1, size - 1);
    split = MIN((size_t) data[0] * 4, size - 1);
    if (odp_netlink_to_flowkey(copy, split, copy + split, size - 1 - split, &key, &mask)) {
        check_zeroed(&key, &mask);
    } else {
        check_reencode(&key, &mask);
    }
    if (odp_netlink_to_flowkey(copy, size - 1, NULL, 0, &key, &mask)) {
        check_zeroed(&key, &mask);
    }
    free(copy);
    return 0;
}
