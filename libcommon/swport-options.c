/* swport-options: validation of the port options that live in a port's
 * free-form 'options' (see swconfig.h) but that flowd acts on: admin
 * state, policing and shaping, bond settings. sw_port_set() calls
 * sw_port_check_option() for every such key, so the command line and the
 * files refuse the same bad values. */
#include "swconfig.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "util.h"

/* True if 'value' is one of the NULL-terminated 'words'. */
static bool
value_in(const char *value, const char *const words[])
{
    for (size_t i = 0; words[i]; i++) {
        if (!strcmp(value, words[i])) {
            return true;
        }
    }
    return false;
}

static int
check_word(const char *key, const char *value, const char *const words[],
           const char *expected, struct buf *error)
{
    if (value_in(value, words)) {
        return 0;
    }
    buf_printf(error, "%s=%s: expected %s", key, value, expected);
    return EINVAL;
}

static int
check_uint(const char *key, const char *value, unsigned int max, const char *unit,
           struct buf *error)
{
    unsigned int n;

    if (str_to_uint(value, 0, max, &n)) {
        return 0;
    }
    buf_printf(error, "%s=%s: expected a number of %s from 0 to %u", key, value, unit, max);
    return EINVAL;
}

/* members=IFACE,IFACE,...: at least two valid, distinct device names. */
static int
check_members(const char *value, struct buf *error)
{
    char **names;
    size_t n;
    int retval = sw_split_members(value, &names, &n);

    if (retval || n < 2) {
        buf_printf(error, "members=%s: expected two or more device names separated "
                   "by commas", value);
        retval = EINVAL;
    }
    for (size_t i = 0; !retval && i < n; i++) {
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(names[i], names[j])) {
                buf_printf(error, "members=%s: %s is named twice", value, names[i]);
                retval = EINVAL;
                break;
            }
        }
    }
    sw_names_free(names, n);
    return retval;
}

int
sw_split_members(const char *value, char ***names, size_t *n)
{
    size_t allocated = 0;
    const char *p = value;

    *names = NULL;
    *n = 0;
    while (*p) {
        size_t len = strcspn(p, ",");
        char *name = xstrndup(p, len);

        *names = x2nrealloc(*names, &allocated, *n + 1, sizeof **names);
        (*names)[(*n)++] = name;
        if (!sy_valid_ifname(name)) {
            return EINVAL;
        }
        p += len;
        if (*p == ',' && !*++p) {
            return EINVAL;          /* Trailing comma. */
        }
    }
    return 0;
}

int
sw_port_check_option(const char *key, const char *value, struct buf *error)
{
    static const char *const admin_states[] = { "up", "down", NULL };
    static const char *const bond_modes[] = {
        "active-backup", "balance-slb", "balance-tcp", NULL,
    };
    static const char *const lacp_modes[] = { "active", "passive", "off", NULL };

    if (!strcmp(key, "admin_state")) {
        return check_word(key, value, admin_states, "up or down", error);
    } else if (!strcmp(key, "bond_mode")) {
        return check_word(key, value, bond_modes,
                          "active-backup, balance-slb or balance-tcp", error);
    } else if (!strcmp(key, "lacp")) {
        return check_word(key, value, lacp_modes, "active, passive or off", error);
    } else if (!strcmp(key, "members")) {
        return check_members(value, error);
    } else if (!strcmp(key, "ingress_policing_rate") || !strcmp(key, "egress_shaping_rate")) {
        return check_uint(key, value, UINT_MAX / 1000, "kbit/s", error);
    } else if (!strcmp(key, "ingress_policing_burst")
               || !strcmp(key, "egress_shaping_burst")) {
        return check_uint(key, value, UINT_MAX / 1000, "kbit", error);
    } else if (!strcmp(key, "bond_updelay") || !strcmp(key, "bond_downdelay")) {
        return check_uint(key, value, 3600000, "milliseconds", error);
    }
    return 0;
}
