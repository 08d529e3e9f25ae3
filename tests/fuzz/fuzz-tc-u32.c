/* libFuzzer target for tc-u32.c: arbitrary bytes as one message of a tc
 * filter dump. Parsing must fail cleanly (EINVAL with everything zeroed,
 * or ENOENT for another message type) or give a filter whose name
 * (device, prio, protocol) an add request carries back unchanged. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc-u32.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
    fprintf(stderr, "fuzz-tc-u32: %s\n", what);
    abort();
}

static void
check_reencode(const struct tc_filter_info *info)
{
    struct tc_u32_filter f = {
        .ifindex = info->ifindex, .prio = info->prio, .eth_type = info->eth_type,
        .n_keys = 1, .keys = { { .value = 1, .mask = 1, .offset = 4 } },
        .n_outputs = 2, .out_ifindex = { 1, 2 },
    };
    struct buf msg = BUF_INITIALIZER;
    struct tc_filter_info back;

    tc_put_u32_add(&msg, &f, 1);
    if (tc_parse_filter(msg.data, msg.size, &back)) {
        fail("an add request built from a parsed filter does not parse");
    } else if (back.ifindex != info->ifindex || back.prio != info->prio
               || back.eth_type != info->eth_type || strcmp(back.kind, "u32")
               || back.has_stats) {
        fail("filter changed in a round trip");
    }
    buf_uninit(&msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct tc_filter_info zero;
    struct tc_filter_info info;
    int error;

    /* An aligned private copy, as a socket's receive buffer is. */
    uint8_t *copy = xmemdup(data, size ? size : 1);

    error = tc_parse_filter(copy, size, &info);
    if (error == EINVAL) {
        if (memcmp(&info, &zero, sizeof info)) {
            fail("rejected input left a filter behind");
        }
    } else if (error == ENOENT) {
        if (memcmp(&info, &zero, sizeof info)) {
            fail("another message left a filter behind");
        }
    } else if (error) {
        fail("an error other than EINVAL or ENOENT");
    } else {
        if (info.kind[sizeof info.kind - 1]) {
            fail("kind not terminated");
        } else if (!info.has_stats && (info.packets || info.bytes)) {
            fail("counters without has_stats");
        }
        check_reencode(&info);
    }
    free(copy);
    return 0;
}
