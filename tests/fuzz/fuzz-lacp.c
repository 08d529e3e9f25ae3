/* libFuzzer target for the LACPDU decoder (libcommon/lacp.c): any bytes,
 * as a frame off a bond member. Invariants: the decoder never reads past
 * the frame (ASan), and whatever it accepts encodes into a frame that
 * decodes to the very same PDU. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lacp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *frame = malloc(size ? size : 1);
    uint8_t again[LACP_FRAME_SIZE];
    struct lacp_pdu pdu, pdu2;
    char state[128];

    /* A copy of exactly 'size' bytes, so ASan sees any over-read. */
    memcpy(frame, data, size);
    if (!lacp_pdu_decode(frame, size, &pdu)) {
        lacp_pdu_encode(&pdu, frame + 6, again);
        if (lacp_pdu_decode(again, sizeof again, &pdu2)
            || memcmp(&pdu.actor, &pdu2.actor, sizeof pdu.actor)
            || memcmp(&pdu.partner, &pdu2.partner, sizeof pdu.partner)
            || pdu.collector_max_delay != pdu2.collector_max_delay) {
            abort();
        }
        lacp_state_format(pdu.actor.state, state, sizeof state);
        lacp_state_format(pdu.partner.state, state, 8);
    }
    free(frame);
    return 0;
}
