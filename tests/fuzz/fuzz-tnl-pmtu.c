/* libFuzzer target for tnl_pmtu_reply(): the first two bytes are the most
 * that fits the path (big endian), the rest the frame a VM sent. Whatever
 * the bytes, it must read only the frame and write only its answer's
 * bytes; an answer must be well formed: checksums that verify, an MTU the
 * path takes, a quote that is the frame's own bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "tnl-pmtu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
    fprintf(stderr, "fuzz-tnl-pmtu: %s\n", what);
    abort();
}

static void
check_answer(const uint8_t *frame, size_t size, size_t max_frame, const uint8_t *out,
             size_t n, unsigned int mtu)
{
    size_t l3 = 14;

    while (out[l3 - 2] == 0x81 || out[l3 - 2] == 0x88) {
        l3 += 4;
    }
    if (n > TNL_PMTU_REPLY_MAX || n <= l3 || l3 > size || mtu + l3 > max_frame
        || memcmp(out, frame + 6, 6) || memcmp(out + 6, frame, 6)) {
        fail("answer out of shape");
    }
    if (out[l3] >> 4 == 4) {
        if (mtu < TNL_PMTU_MIN_IPV4 || csum(out + l3, 20) || csum(out + l3 + 20, n - l3 - 20)
            || n - l3 > TNL_PMTU_MIN_IPV4 || memcmp(out + l3 + 28, frame + l3, n - l3 - 28)) {
            fail("bad ICMP answer");
        }
    } else {
        uint32_t sum = csum_pseudo_ipv6(out + l3 + 8, out + l3 + 24, IP_PROTO_ICMPV6,
                                        n - l3 - 40);

        if (mtu < TNL_PMTU_MIN_IPV6 || csum_finish(csum_partial(out + l3 + 40, n - l3 - 40, sum))
            || n - l3 > TNL_PMTU_MIN_IPV6 || memcmp(out + l3 + 48, frame + l3, n - l3 - 48)) {
            fail("bad ICMPv6 answer");
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *frame, *out;
    size_t max_frame, n;
    unsigned int mtu = 0;

    if (size < 2) {
        return 0;
    }
    max_frame = (size_t) data[0] << 8 | data[1];
    /* Exact allocations, so that ASan sees any access past them. */
    frame = malloc(size - 2 ? size - 2 : 1);
    out = malloc(TNL_PMTU_REPLY_MAX);
    if (!frame || !out) {
        abort();
    }
    memcpy(frame, data + 2, size - 2);
    n = tnl_pmtu_reply(frame, size - 2, max_frame, out, &mtu);
    if (n) {
        check_answer(frame, size - 2, max_frame, out, n, mtu);
    }
    free(frame);
    free(out);
    return 0;
}
