/* odp-meter: meter message attributes. See odp-meter.h. */
#include "odp-meter.h"

#include <errno.h>
#include <string.h>

static bool
get_stats(const struct nlattr *nla, uint64_t *packets, uint64_t *bytes)
{
    struct ovs_flow_stats stats;

    if (!dp_nla_get(nla, &stats, sizeof stats)) {
        return false;
    }
    *packets = stats.n_packets;
    *bytes = stats.n_bytes;
    return true;
}

static bool
parse_band(const struct nlattr *nest, struct odp_meter_band *band)
{
    if (!dp_attrs_fill(dp_nla_data(nest), dp_nla_size(nest))) {
        return false;
    }
    DP_ACTIONS_FOR_EACH (nla, dp_nla_data(nest), dp_nla_size(nest)) {
        bool ok = true;

        switch (dp_nla_type(nla)) {
        case OVS_BAND_ATTR_TYPE:
            ok = dp_nla_get(nla, &band->type, sizeof band->type);
            break;
        case OVS_BAND_ATTR_RATE:
            ok = dp_nla_get(nla, &band->rate, sizeof band->rate);
            break;
        case OVS_BAND_ATTR_BURST:
            ok = dp_nla_get(nla, &band->burst, sizeof band->burst);
            break;
        case OVS_BAND_ATTR_STATS:
            ok = band->has_stats = get_stats(nla, &band->packets, &band->bytes);
            break;
        default:
            break;              /* Newer than us: skipped. */
        }
        if (!ok) {
            return false;
        }
    }
    return true;
}

static bool
parse_bands(const struct nlattr *bands, struct odp_meter *meter)
{
    if (!dp_attrs_fill(dp_nla_data(bands), dp_nla_size(bands))) {
        return false;
    }
    DP_ACTIONS_FOR_EACH (nest, dp_nla_data(bands), dp_nla_size(bands)) {
        if (dp_nla_type(nest) != OVS_BAND_ATTR_UNSPEC || meter->n_bands >= ODP_METER_MAX_BANDS
            || !parse_band(nest, &meter->bands[meter->n_bands])) {
            return false;
        }
        meter->n_bands++;
    }
    return true;
}

static bool
parse_attr(const struct nlattr *nla, struct odp_meter *meter)
{
    uint32_t id;

    switch (dp_nla_type(nla)) {
    case OVS_METER_ATTR_ID:
        /* The kernel's SET reply names the meter twice. */
        if (!dp_nla_get(nla, &id, sizeof id) || (meter->has_id && id != meter->id)) {
            return false;
        }
        meter->has_id = true;
        meter->id = id;
        return true;
    case OVS_METER_ATTR_KBPS:
        meter->kbps = true;
        return dp_nla_size(nla) == 0;
    case OVS_METER_ATTR_CLEAR:
        meter->clear = true;
        return dp_nla_size(nla) == 0;
    case OVS_METER_ATTR_STATS:
        return meter->has_stats = get_stats(nla, &meter->packets, &meter->bytes);
    case OVS_METER_ATTR_USED:
        return meter->has_used = dp_nla_get(nla, &meter->used_msec, sizeof meter->used_msec);
    case OVS_METER_ATTR_BANDS:
        return parse_bands(nla, meter);
    case OVS_METER_ATTR_MAX_METERS:
        return dp_nla_get(nla, &meter->max_meters, sizeof meter->max_meters);
    case OVS_METER_ATTR_MAX_BANDS:
        return dp_nla_get(nla, &meter->max_bands, sizeof meter->max_bands);
    case OVS_METER_ATTR_PAD:
    default:
        return true;            /* Alignment, or newer than us: skipped. */
    }
}

int
odp_meter_parse(const void *attrs, size_t size, struct odp_meter *meter)
{
    memset(meter, 0, sizeof *meter);
    if (!dp_attrs_fill(attrs, size)) {
        return EINVAL;
    }
    DP_ACTIONS_FOR_EACH (nla, attrs, size) {
        if (!parse_attr(nla, meter)) {
            memset(meter, 0, sizeof *meter);
            return EINVAL;
        }
    }
    return 0;
}

void
odp_meter_put_id(struct dp_actions *attrs, uint32_t id)
{
    dp_actions_put(attrs, OVS_METER_ATTR_ID, &id, sizeof id);
}

void
odp_meter_put_set(struct dp_actions *attrs, const struct odp_meter *meter)
{
    size_t bands;

    odp_meter_put_id(attrs, meter->id);
    if (meter->kbps) {
        dp_actions_put(attrs, OVS_METER_ATTR_KBPS, NULL, 0);
    }
    if (meter->clear) {
        dp_actions_put(attrs, OVS_METER_ATTR_CLEAR, NULL, 0);
    }
    bands = dp_actions_start_nested(attrs, OVS_METER_ATTR_BANDS);
    for (size_t i = 0; i < meter->n_bands && i < ODP_METER_MAX_BANDS; i++) {
        const struct odp_meter_band *b = &meter->bands[i];
        size_t band = dp_actions_start_nested(attrs, OVS_BAND_ATTR_UNSPEC);

        dp_actions_put(attrs, OVS_BAND_ATTR_TYPE, &b->type, sizeof b->type);
        dp_actions_put(attrs, OVS_BAND_ATTR_RATE, &b->rate, sizeof b->rate);
        dp_actions_put(attrs, OVS_BAND_ATTR_BURST, &b->burst, sizeof b->burst);
        dp_actions_end_nested(attrs, band);
    }
    dp_actions_end_nested(attrs, bands);
}
