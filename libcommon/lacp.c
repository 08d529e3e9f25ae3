/* lacp: see lacp.h. The LACPDU layout (after the EtherType):
 *
 *   subtype 1, version 1
 *   TLV 1 (actor, 20 bytes):   priority(2) system(6) key(2) port_priority(2)
 *                              port(2) state(1) reserved(3)
 *   TLV 2 (partner, 20 bytes): the same
 *   TLV 3 (collector, 16):     max_delay(2) reserved(12)
 *   TLV 0 (terminator, 0)      then 50 reserved bytes */
#include "lacp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "byteorder.h"

#define ETH_HDR 14
#define LACPDU_SIZE 110
#define INFO_TLV_LEN 20
#define COLLECTOR_TLV_LEN 16

const uint8_t lacp_dst_mac[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x02 };

bool
lacp_is_slow_protocol(const uint8_t *frame, size_t size)
{
    return size >= ETH_HDR + 1 && rd16(frame + 12) == LACP_ETH_TYPE;
}

static bool
decode_info(const uint8_t *tlv, uint8_t type, struct lacp_info *info)
{
    if (tlv[0] != type || tlv[1] != INFO_TLV_LEN) {
        return false;
    }
    info->sys_priority = rd16(tlv + 2);
    memcpy(info->sys_id, tlv + 4, 6);
    info->key = rd16(tlv + 10);
    info->port_priority = rd16(tlv + 12);
    info->port = rd16(tlv + 14);
    info->state = tlv[16];
    return true;
}

int
lacp_pdu_decode(const uint8_t *frame, size_t size, struct lacp_pdu *pdu)
{
    const uint8_t *p = frame + ETH_HDR;

    /* Version 1 PDUs are 110 bytes; later versions may be longer, with
     * the same first TLVs. Shorter is malformed. */
    if (!lacp_is_slow_protocol(frame, size) || size < ETH_HDR + LACPDU_SIZE
        || p[0] != LACP_SUBTYPE || p[1] < 1) {
        return EINVAL;
    }
    memset(pdu, 0, sizeof *pdu);
    p += 2;
    if (!decode_info(p, 1, &pdu->actor) || !decode_info(p + INFO_TLV_LEN, 2, &pdu->partner)) {
        return EINVAL;
    }
    p += 2 * INFO_TLV_LEN;
    if (p[0] != 3 || p[1] != COLLECTOR_TLV_LEN) {
        return EINVAL;
    }
    pdu->collector_max_delay = rd16(p + 2);
    return 0;
}

static void
encode_info(uint8_t *tlv, uint8_t type, const struct lacp_info *info)
{
    tlv[0] = type;
    tlv[1] = INFO_TLV_LEN;
    wr16(tlv + 2, info->sys_priority);
    memcpy(tlv + 4, info->sys_id, 6);
    wr16(tlv + 10, info->key);
    wr16(tlv + 12, info->port_priority);
    wr16(tlv + 14, info->port);
    tlv[16] = info->state;
}

void
lacp_pdu_encode(const struct lacp_pdu *pdu, const uint8_t src_mac[6],
                uint8_t frame[LACP_FRAME_SIZE])
{
    uint8_t *p = frame + ETH_HDR;

    memset(frame, 0, LACP_FRAME_SIZE);
    memcpy(frame, lacp_dst_mac, 6);
    memcpy(frame + 6, src_mac, 6);
    wr16(frame + 12, LACP_ETH_TYPE);
    p[0] = LACP_SUBTYPE;
    p[1] = 1;
    encode_info(p + 2, 1, &pdu->actor);
    encode_info(p + 2 + INFO_TLV_LEN, 2, &pdu->partner);
    p += 2 + 2 * INFO_TLV_LEN;
    p[0] = 3;
    p[1] = COLLECTOR_TLV_LEN;
    wr16(p + 2, pdu->collector_max_delay);
    /* Terminator TLV (type 0, length 0) and reserved bytes: zeros. */
}

void
lacp_state_format(uint8_t state, char *out, size_t size)
{
    static const char *const names[] = {
        "activity", "timeout", "aggregation", "sync",
        "collecting", "distributing", "defaulted", "expired",
    };
    size_t used = 0;

    if (size) {
        out[0] = '\0';
    }
    for (int i = 0; i < 8; i++) {
        if (state & (1u << i) && used < size) {
            int n = snprintf(out + used, size - used, "%s%s", used ? "," : "", names[i]);

            used += n > 0 ? (size_t) n : 0;
        }
    }
}
