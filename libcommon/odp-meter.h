/* odp-meter: the attributes of the Linux openvswitch module's meter
 * messages (the ovs_meter generic netlink family, OVS_METER_ATTR_* and
 * OVS_BAND_ATTR_* of <linux/openvswitch.h>), built and read without a
 * socket, so that unit tests and fuzzers drive the same code that
 * dpif-netlink.c uses to talk to the kernel. The kernel datapath polices a
 * port's ingress with such a meter (cmd/flowd/dp-kernel.c).
 *
 * A request to set a meter carries ID, KBPS (rates in kbit/s, not
 * packets/s) and BANDS, a nest holding one nest per band (its attribute
 * type is 0) with TYPE, RATE and BURST. The kernel answers SET, DEL and GET
 * with ID and, for a meter that existed, STATS (struct ovs_flow_stats:
 * packets and bytes through it), USED (u64, after a PAD attribute that
 * aligns it) and BANDS with each band's STATS (what the band dropped);
 * FEATURES with MAX_METERS, MAX_BANDS and BANDS naming the band types. Its
 * nests may carry NLA_F_NESTED. */
#ifndef SY_ODP_METER_H
#define SY_ODP_METER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dpactions.h"

#define ODP_METER_MAX_BANDS 8       /* More in one message is an error. */

struct odp_meter_band {
    uint32_t type;                  /* OVS_METER_BAND_TYPE_*; 0 if absent. */
    uint32_t rate;                  /* kbit/s (packets/s without 'kbps'). */
    uint32_t burst;                 /* kbit (packets without 'kbps'). */
    bool has_stats;                 /* 'packets' and 'bytes' are set. */
    uint64_t packets;               /* What the band acted on (dropped). */
    uint64_t bytes;
};

struct odp_meter {
    bool has_id;                    /* 'id' is set. */
    uint32_t id;                    /* Meter number in the datapath. */
    bool kbps;                      /* Rates in kbit/s. */
    bool clear;                     /* OVS_METER_ATTR_CLEAR (a request). */
    bool has_stats;                 /* 'packets' and 'bytes' are set. */
    uint64_t packets;               /* Through the meter. */
    uint64_t bytes;
    bool has_used;                  /* 'used_msec' is set. */
    uint64_t used_msec;             /* Last used, kernel monotonic msec. */
    struct odp_meter_band bands[ODP_METER_MAX_BANDS];
    size_t n_bands;
    uint32_t max_meters;            /* FEATURES replies; 0 if absent. */
    uint32_t max_bands;
};

/* Appends the attributes of an OVS_METER_CMD_SET request for 'meter'
 * (its ID, KBPS, CLEAR and bands' TYPE, RATE and BURST) to 'attrs'. */
void odp_meter_put_set(struct dp_actions *attrs, const struct odp_meter *meter);
/* Appends the one attribute of a DEL or GET request: the meter's ID. */
void odp_meter_put_id(struct dp_actions *attrs, uint32_t id);

/* Decodes the attributes in [attrs, +size) (a request or a reply, after
 * the ovs_header) into 'meter'. Returns 0, or EINVAL for a malformed
 * stream: an attribute that overruns, bytes left over, a known attribute
 * of the wrong size, two different IDs, a band that is not a nest, more
 * than ODP_METER_MAX_BANDS bands. Attributes it does not know are
 * skipped. On error '*meter' is zeroed. */
int odp_meter_parse(const void *attrs, size_t size, struct odp_meter *meter);

#endif
