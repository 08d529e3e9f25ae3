/* libFuzzer target for odp-meter.c: arbitrary bytes as the attributes of a
 * kernel meter reply. Parsing must fail cleanly (everything zeroed) or
 * give a meter whose settings (ID, KBPS, CLEAR, each band's type, rate and
 * burst) build a SET request that reads back the same. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odp-meter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
    fprintf(stderr, "fuzz-odp-meter: %s\n", what);
    abort();
}

static void
check_reencode(const struct odp_meter *m)
{
    struct dp_actions a = DP_ACTIONS_INITIALIZER;
    struct odp_meter back;

    odp_meter_put_set(&a, m);
    if (odp_meter_parse(a.data, a.size, &back)) {
        fail("a SET request built from a parsed reply does not parse");
    } else if (back.id != m->id || back.kbps != m->kbps || back.clear != m->clear
               || back.n_bands != m->n_bands) {
        fail("meter changed in a round trip");
    }
    for (size_t i = 0; i < m->n_bands; i++) {
        if (back.bands[i].type != m->bands[i].type || back.bands[i].rate != m->bands[i].rate
            || back.bands[i].burst != m->bands[i].burst) {
            fail("band changed in a round trip");
        }
    }
    dp_actions_uninit(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct odp_meter zero;
    struct odp_meter m;
    int error;

    /* An aligned private copy, as a netlink message's attributes are. */
    uint8_t *copy = size ? xmemdup(data, size) : NULL;

    error = odp_meter_parse(copy, size, &m);
    if (error) {
        if (error != EINVAL) {
            fail("an error other than EINVAL");
        } else if (memcmp(&m, &zero, sizeof m)) {
            fail("rejected input left a meter behind");
        }
    } else {
        if (m.n_bands > ODP_METER_MAX_BANDS) {
            fail("too many bands");
        }
        check_reencode(&m);
    }
    free(copy);
    return 0;
}
