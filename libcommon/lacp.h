/* lacp: the Link Aggregation Control Protocol data unit (IEEE 802.1AX,
 * formerly 802.3ad clause 43): encoding and decoding of LACPDUs.
 *
 * An LACPDU is a "slow protocol" frame (EtherType 0x8809, subtype 1) sent
 * to 01:80:c2:00:00:02, carrying the sender's view of the link (actor) and
 * what it last heard from the other end (partner). flowd's bonds (see
 * cmd/flowd/bond.c) exchange them with the far side, e.g. the Linux
 * bonding driver in 802.3ad mode. The decoder treats its input as hostile:
 * it reads only within the frame and refuses anything malformed. */
#ifndef SY_LACP_H
#define SY_LACP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LACP_ETH_TYPE 0x8809            /* Slow protocols. */
#define LACP_SUBTYPE 1
#define LACP_FRAME_SIZE 124             /* Ethernet header + 110-byte LACPDU. */
extern const uint8_t lacp_dst_mac[6];   /* 01:80:c2:00:00:02. */

/* Actor/partner state bits. */
#define LACP_STATE_ACTIVITY     0x01    /* Active LACP (else passive). */
#define LACP_STATE_TIMEOUT      0x02    /* Short timeout: send every second. */
#define LACP_STATE_AGGREGATION  0x04    /* The link may be aggregated. */
#define LACP_STATE_SYNC         0x08    /* In the right aggregator. */
#define LACP_STATE_COLLECTING   0x10
#define LACP_STATE_DISTRIBUTING 0x20
#define LACP_STATE_DEFAULTED    0x40    /* Partner info is defaulted. */
#define LACP_STATE_EXPIRED      0x80

/* One side's view of the link, in host byte order. */
struct lacp_info {
    uint16_t sys_priority;
    uint8_t sys_id[6];                  /* System MAC. */
    uint16_t key;                       /* Links with equal keys aggregate. */
    uint16_t port_priority;
    uint16_t port;
    uint8_t state;                      /* LACP_STATE_*. */
};

struct lacp_pdu {
    struct lacp_info actor;
    struct lacp_info partner;
    uint16_t collector_max_delay;       /* Tens of microseconds. */
};

/* Parses a frame that starts at its Ethernet header (no VLAN tag: slow
 * protocols are never tagged). Returns 0, or EINVAL if it is not a
 * well-formed LACPDU version 1 or later. */
int lacp_pdu_decode(const uint8_t *frame, size_t size, struct lacp_pdu *);
/* True if 'frame' is a slow-protocols frame of any subtype (which a bond
 * consumes and never forwards). */
bool lacp_is_slow_protocol(const uint8_t *frame, size_t size);
/* Writes a complete LACPDU frame from 'src_mac' into 'frame'. */
void lacp_pdu_encode(const struct lacp_pdu *, const uint8_t src_mac[6],
                     uint8_t frame[LACP_FRAME_SIZE]);
/* Formats 'state' as e.g. "activity,timeout,aggregation,sync". */
void lacp_state_format(uint8_t state, char *out, size_t size);

#endif
