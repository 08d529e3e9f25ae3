/* swconfig: bridges and ports as cfg files. See swconfig.h.
 *
 * The layers: cfg.c knows lines and atomic writes; this file knows what the
 * keys mean, which values are valid, which combinations make sense, and how
 * a bridge maps onto a directory of files. portd (the only writer) and
 * flowd (a reader) both come through here, so a setting is validated by the
 * same code whether it came from a command line or a file.
 *
 * Error messages for settings are "KEY=VALUE: what is wrong/expected";
 * errors tied to a file get "PATH:LINE: " in front. */
#include "swconfig.h"
#include "swmirror.h"
#include "tnl-config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define FILE_HEADER "switchyard configuration, rewritten by portd: comments are not kept"

/* ---- names of enumerated values ----------------------------------------- */

struct enum_name {
    const char *name;           /* As written in files and on command lines. */
    int value;                  /* The enum value it stands for. */
};

static const struct enum_name datapath_names[] = {
    { "user", SW_DP_USER }, { "kernel", SW_DP_KERNEL },
};
static const struct enum_name fail_mode_names[] = {
    { "standalone", SW_FAIL_STANDALONE }, { "secure", SW_FAIL_SECURE },
};
static const struct enum_name port_type_names[] = {
    { "system", SW_PORT_SYSTEM }, { "internal", SW_PORT_INTERNAL },
    { "patch", SW_PORT_PATCH }, { "vxlan", SW_PORT_VXLAN },
    { "geneve", SW_PORT_GENEVE }, { "gre", SW_PORT_GRE }, { "bond", SW_PORT_BOND },
};
static const struct enum_name vlan_mode_names[] = {
    { "access", SW_VLAN_ACCESS }, { "trunk", SW_VLAN_TRUNK },
    { "native-tagged", SW_VLAN_NATIVE_TAGGED },
    { "native-untagged", SW_VLAN_NATIVE_UNTAGGED },
};

static const char *
enum_to_string(const struct enum_name *names, size_t n, int value, const char *fallback)
{
    for (size_t i = 0; i < n; i++) {
        if (names[i].value == value) {
            return names[i].name;
        }
    }
    return fallback;
}

/* Looks 'value' up in 'names'; on failure explains with the full list of
 * choices, because that is what the person needs to retype the command. */
static bool
enum_from_string(const struct enum_name *names, size_t n, const char *key,
                 const char *value, int *out, struct buf *error)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(names[i].name, value)) {
            *out = names[i].value;
            return true;
        }
    }
    buf_printf(error, "%s=%s: expected ", key, value);
    for (size_t i = 0; i < n; i++) {
        buf_printf(error, "%s%s", names[i].name,
                   i + 2 < n ? ", " : i + 2 == n ? " or " : "");
    }
    return false;
}

const char *
sw_datapath_type_to_string(enum sw_datapath_type type)
{
    return enum_to_string(datapath_names, ARRAY_SIZE(datapath_names), type, "auto");
}

enum sw_datapath_type
sw_datapath_resolve(enum sw_datapath_type type)
{
    if (type != SW_DP_AUTO) {
        return type;
    }
    return access("/sys/module/openvswitch", F_OK) ? SW_DP_USER : SW_DP_KERNEL;
}

const char *
sw_fail_mode_to_string(enum sw_fail_mode mode)
{
    return enum_to_string(fail_mode_names, ARRAY_SIZE(fail_mode_names), mode,
                          "standalone");
}

const char *
sw_port_type_to_string(enum sw_port_type type)
{
    return enum_to_string(port_type_names, ARRAY_SIZE(port_type_names), type, "system");
}

const char *
sw_vlan_mode_to_string(enum sw_vlan_mode mode)
{
    return enum_to_string(vlan_mode_names, ARRAY_SIZE(vlan_mode_names), mode, "auto");
}

/* ---- VLAN lists ------------------------------------------------------------ */

/* Parses one VLAN number of a list. */
static bool
parse_vid(const char *s, size_t length, unsigned int min, unsigned int *vid,
          struct buf *error)
{
    char *copy = xstrndup(s, length);
    bool ok = str_to_uint(copy, min, SW_VLAN_MAX, vid);

    if (!ok) {
        buf_printf(error, "\"%s\" is not a VLAN in %u..%d", copy, min, SW_VLAN_MAX);
    }
    free(copy);
    return ok;
}

/* Parses "A" or "A-B" of length 'length' at 's' and marks it in 'seen'. */
static bool
parse_vlan_item(const char *s, size_t length, unsigned int min, bool *seen,
                struct buf *error)
{
    const char *dash = memchr(s, '-', length);
    unsigned int first, last;

    if (!length) {
        buf_put_cstr(error, "empty entry in VLAN list (separate VLANs with a "
                     "single ',')");
        return false;
    }
    if (!parse_vid(s, dash ? (size_t) (dash - s) : length, min, &first, error)
        || (dash && !parse_vid(dash + 1, length - (dash + 1 - s), min, &last, error))) {
        return false;
    }
    if (!dash) {
        last = first;
    } else if (last < first) {
        buf_printf(error, "range %u-%u is backwards (write %u-%u)",
                   first, last, last, first);
        return false;
    }
    for (unsigned int v = first; v <= last; v++) {
        seen[v] = true;
    }
    return true;
}

int
sw_parse_vlan_list(const char *s, unsigned int min, uint16_t **vlans, size_t *n,
                   struct buf *error)
{
    bool seen[SW_VLAN_MAX + 1] = { false };
    uint16_t *array;
    size_t count = 0;

    for (const char *p = s; *s;) {
        const char *comma = strchr(p, ',');
        size_t length = comma ? (size_t) (comma - p) : strlen(p);

        if (!parse_vlan_item(p, length, min, seen, error)) {
            return EINVAL;
        }
        if (!comma) {
            break;
        }
        p = comma + 1;
    }
    array = xmalloc(sizeof *array * (SW_VLAN_MAX + 1));
    for (unsigned int v = 0; v <= SW_VLAN_MAX; v++) {
        if (seen[v]) {
            array[count++] = v;
        }
    }
    if (!count) {
        free(array);
        array = NULL;
    }
    *vlans = array;
    *n = count;
    return 0;
}

/* Runs of three or more become "A-B": never longer than the list it was
 * parsed from, so that a line that fit in a file still fits when written
 * back (trunks=0-4094 would otherwise need 20 kB). */
void
sw_format_vlan_list(struct buf *out, const uint16_t *vlans, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t j = i;

        while (j + 1 < n && vlans[j + 1] == vlans[j] + 1) {
            j++;
        }
        buf_printf(out, "%s%u", i ? "," : "", vlans[i]);
        if (j - i >= 2) {
            buf_printf(out, "-%u", vlans[j]);
            i = j + 1;
        } else {
            i++;
        }
    }
}

/* ---- addresses: HOST:PORT and OpenFlow connection targets --------------- */

/* A host is an IPv4 address or a DNS name; digits and dots alone must be a
 * real IPv4 address, so that a typo like 10.0.0.256 is caught here and not
 * sent to a resolver. */
static bool
valid_host(const char *host)
{
    struct in_addr a4;
    size_t label = 0, length = strlen(host);

    if (!length || length > 253) {
        return false;
    }
    if (strspn(host, "0123456789.") == length) {
        return inet_pton(AF_INET, host, &a4) == 1;
    }
    for (const char *p = host; ; p++) {
        if (*p == '.' || !*p) {
            if (!label || p[-1] == '-' || *(p - label) == '-') {
                return false;
            }
            if (!*p) {
                return true;
            }
            label = 0;
        } else if (isalnum((unsigned char) *p) || *p == '-') {
            if (++label > 63) {
                return false;
            }
        } else {
            return false;
        }
    }
}

static bool
valid_port(const char *s, size_t length)
{
    char *copy = xstrndup(s, length);
    unsigned int port;
    bool ok = str_to_uint(copy, 1, 65535, &port);

    free(copy);
    return ok;
}

/* Checks a host of 'length' bytes at 's': "[IPv6]" or a valid_host(). */
static bool
check_host(const char *s, size_t length, const char *item, struct buf *error)
{
    char *host = xstrndup(s, length);
    struct in6_addr a6;
    bool ok;

    if (length >= 2 && s[0] == '[' && s[length - 1] == ']') {
        host[length - 1] = '\0';
        ok = inet_pton(AF_INET6, host + 1, &a6) == 1;
    } else if (memchr(s, ':', length)) {
        buf_printf(error, "in \"%s\": put an IPv6 address in brackets, "
                   "e.g. [fe80::1]", item);
        free(host);
        return false;
    } else {
        ok = valid_host(host);
    }
    if (!ok) {
        buf_printf(error, "invalid host \"%.*s\" in \"%s\"", (int) length, s, item);
    }
    free(host);
    return ok;
}

static bool
check_port(const char *s, size_t length, const char *item, struct buf *error)
{
    if (!valid_port(s, length)) {
        buf_printf(error, "invalid port \"%.*s\" in \"%s\" (expected 1..65535)",
                   (int) length, s, item);
        return false;
    }
    return true;
}

/* Splits "HOST:PORT" or "[IPv6]:PORT" at 's' at the port's colon. */
static const char *
find_port_colon(const char *s)
{
    const char *bracket = s[0] == '[' ? strchr(s, ']') : NULL;

    return bracket ? (bracket[1] == ':' ? bracket + 1 : NULL) : strrchr(s, ':');
}

/* Checks "HOST:PORT" ('s' is within 'item', which is quoted in errors). */
static bool
check_host_port(const char *s, const char *item, const char *expected,
                struct buf *error)
{
    const char *colon = find_port_colon(s);

    if (!colon || colon == s) {
        buf_printf(error, "\"%s\" has no %s (expected %s)", item,
                   colon ? "host" : "port", expected);
        return false;
    }
    return (check_host(s, colon - s, item, error)
            && check_port(colon + 1, strlen(colon + 1), item, error));
}

/* Checks "PORT[:HOST]" of a passive target. */
static bool
check_port_host(const char *s, const char *item, struct buf *error)
{
    const char *colon = strchr(s, ':');

    if (!colon) {
        return check_port(s, strlen(s), item, error);
    }
    return (check_port(s, colon - s, item, error)
            && check_host(colon + 1, strlen(colon + 1), item, error));
}

static bool
check_unix_path(const char *path, const char *item, struct buf *error)
{
    if (!*path || strlen(path) >= sizeof ((struct sockaddr_un *) 0)->sun_path) {
        buf_printf(error, "\"%s\": socket path must be 1..%zu characters", item,
                   sizeof ((struct sockaddr_un *) 0)->sun_path - 1);
        return false;
    }
    return true;
}

#define TARGET_FORMS "tcp:HOST:PORT, ssl:HOST:PORT, ptcp:PORT[:HOST], " \
                     "pssl:PORT[:HOST], unix:PATH or punix:PATH"

/* Checks one controller target. */
static bool
check_target(const char *item, struct buf *error)
{
    if (str_starts_with(item, "tcp:") || str_starts_with(item, "ssl:")) {
        return check_host_port(item + 4, item, "tcp:HOST:PORT or ssl:HOST:PORT", error);
    } else if (str_starts_with(item, "ptcp:") || str_starts_with(item, "pssl:")) {
        return check_port_host(item + 5, item, error);
    } else if (str_starts_with(item, "unix:")) {
        return check_unix_path(item + 5, item, error);
    } else if (str_starts_with(item, "punix:")) {
        return check_unix_path(item + 6, item, error);
    }
    buf_printf(error, "unknown target \"%s\" (expected " TARGET_FORMS ")", item);
    return false;
}

static bool
check_collector(const char *item, struct buf *error)
{
    return check_host_port(item, item, "HOST:PORT", error);
}

/* Checks every entry of a comma-separated list with 'check'. */
static bool
check_list(const char *value, bool (*check)(const char *, struct buf *),
           struct buf *error)
{
    char *copy = xstrdup(value);
    char *save = NULL;
    bool ok = true;

    if (!*value || *value == ',' || value[strlen(value) - 1] == ','
        || strstr(value, ",,")) {
        buf_put_cstr(error, "empty entry in list (separate entries with a single ',')");
        ok = false;
    }
    for (char *item = strtok_r(copy, ",", &save); ok && item;
         item = strtok_r(NULL, ",", &save)) {
        ok = check(item, error);
    }
    free(copy);
    return ok;
}

/* ---- setting values -------------------------------------------------------- */

/* What every value must satisfy, known key or not: it has to survive being
 * written to a file and read back unchanged. */
static int
check_key_value(const char *key, const char *value, struct buf *error)
{
    size_t length = strlen(value);

    if (!cfg_valid_key(key)) {
        buf_printf(error, "invalid key \"%s\" (keys use a-z, 0-9, '_', '.', ':' "
                   "and '-')", key);
        return EINVAL;
    }
    if (strlen(key) + 1 + length > CFG_MAX_LINE) {
        buf_printf(error, "%s=...: the setting is %zu bytes long, more than the "
                   "limit of %d", key, strlen(key) + 1 + length, CFG_MAX_LINE);
        return EINVAL;
    }
    for (const char *p = value; *p; p++) {
        if (iscntrl((unsigned char) *p)) {
            buf_printf(error, "%s=...: the value contains a control character "
                       "(byte 0x%02x)", key, (unsigned char) *p);
            return EINVAL;
        }
    }
    if (length && (isspace((unsigned char) value[0])
                   || isspace((unsigned char) value[length - 1]))) {
        buf_printf(error, "%s=%s: remove the spaces around the value", key, value);
        return EINVAL;
    }
    return 0;
}

static bool
parse_number(const char *key, const char *value, unsigned int min, unsigned int max,
             const char *what, unsigned int *out, struct buf *error)
{
    if (!str_to_uint(value, min, max, out)) {
        buf_printf(error, "%s=%s: %s must be %u..%u", key, value, what, min, max);
        return false;
    }
    return true;
}

/* Every bridge key: the two kept in struct sw_bridge, then the settings
 * that live in 'options' but are validated here (bridge_option_keys). */
const char *const sw_bridge_keys[] = {
    "datapath", "fail-mode",
    "controller", "netflow", "netflow-active-timeout", "mac-aging-time", "mac-table-size",
    "sflow", "sflow-sampling", "sflow-polling",
    "netflow-engine-type", "netflow-engine-id", "sflow-agent", "flow-idle-timeout",
    "fail-open-delay",
    "ssl-private-key", "ssl-certificate", "ssl-ca-cert", "datapath-id",
    "flow-limit", "upcall-limit", "flow-offload",
    "ipfix", "ipfix-obs-domain-id", "ipfix-active-timeout", "ipfix-template-interval",
    "flood-vlans",
    NULL,
};
static const char *const *const bridge_option_keys = sw_bridge_keys + 2;
#define N_BRIDGE_OPTION_KEYS (ARRAY_SIZE(sw_bridge_keys) - 3)

/* Checks an IPv4 or IPv6 address (no name: an agent address is what the
 * collector files samples under). */
static bool
check_ip_address(const char *key, const char *value, struct buf *error)
{
    struct in6_addr addr;

    if (inet_pton(AF_INET, value, &addr) == 1 || inet_pton(AF_INET6, value, &addr) == 1) {
        return true;
    }
    buf_printf(error, "%s=%s: expected an IPv4 or IPv6 address", key, value);
    return false;
}

static bool
check_bridge_option(const char *key, const char *value, struct buf *error)
{
    struct buf reason = BUF_INITIALIZER;
    unsigned int number;
    bool ok;

    if (!strcmp(key, "controller")) {
        ok = check_list(value, check_target, &reason);
    } else if (!strcmp(key, "netflow") || !strcmp(key, "sflow") || !strcmp(key, "ipfix")) {
        ok = check_list(value, check_collector, &reason);
    } else if (!strcmp(key, "sflow-sampling")) {
        return parse_number(key, value, 1, UINT32_MAX, "the sampling rate",
                            &number, error);
    } else if (!strcmp(key, "netflow-engine-type") || !strcmp(key, "netflow-engine-id")) {
        return parse_number(key, value, 0, 255, "the engine number", &number, error);
    } else if (!strcmp(key, "flood-vlans")) {
        uint16_t *vlans;
        size_t n;

        if (sw_parse_vlan_list(value, 1, &vlans, &n, &reason)) {
            buf_printf(error, "%s=%s: %s", key, value, buf_cstr(&reason));
            buf_uninit(&reason);
            return false;
        }
        free(vlans);
        buf_uninit(&reason);
        return true;
    } else if (!strcmp(key, "ipfix-obs-domain-id")) {
        return parse_number(key, value, 0, UINT32_MAX, "the observation domain id",
                            &number, error);
    } else if (!strcmp(key, "sflow-agent")) {
        return check_ip_address(key, value, error);
    } else if (str_starts_with(key, "ssl-")) {
        /* PEM files for ssl:/pssl: controllers; read when connecting. */
        if (value[0] != '/') {
            buf_printf(error, "%s=%s: expected an absolute path to a PEM file", key, value);
            return false;
        }
        return true;
    } else if (!strcmp(key, "mac-aging-time")) {
        return parse_number(key, value, 1, 86400, "seconds", &number, error);
    } else if (!strcmp(key, "mac-table-size")) {
        return parse_number(key, value, 1, 1000000, "the number of MACs", &number, error);
    } else if (!strcmp(key, "flow-idle-timeout")) {
        return parse_number(key, value, 100, 3600000, "milliseconds", &number, error);
    } else if (!strcmp(key, "datapath-id")) {
        uint64_t dpid;

        if (!sw_parse_datapath_id(value, &dpid)) {
            buf_printf(error, "%s=%s: expected 16 hexadecimal digits, not all zero "
                       "(e.g. 00005e0053000001)", key, value);
            return false;
        }
        return true;
    } else if (!strcmp(key, "flow-limit")) {
        return parse_number(key, value, 1, 10000000, "the number of datapath flows",
                            &number, error);
    } else if (!strcmp(key, "flow-offload")) {
        if (strcmp(value, "true") && strcmp(value, "false")) {
            buf_printf(error, "%s=%s: expected true or false", key, value);
            return false;
        }
        return true;
    } else if (!strcmp(key, "upcall-limit")) {
        return parse_number(key, value, 1, 10000000, "upcalls per second per port",
                            &number, error);
    } else {
        return parse_number(key, value, 1, 3600, "seconds", &number, error);
    }
    if (!ok) {
        buf_printf(error, "%s=%s: %s", key, value, buf_cstr(&reason));
    }
    buf_uninit(&reason);
    return ok;
}

static bool
is_bridge_option_key(const char *key)
{
    for (size_t i = 0; i < N_BRIDGE_OPTION_KEYS; i++) {
        if (!strcmp(key, bridge_option_keys[i])) {
            return true;
        }
    }
    return false;
}

bool
sw_parse_datapath_id(const char *s, uint64_t *dpid)
{
    uint64_t v = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
    }
    if (strlen(s) != 16) {
        return false;
    }
    for (; *s; s++) {
        if (!isxdigit((unsigned char) *s)) {
            return false;
        }
        v = (v << 4) | (unsigned int) (isdigit((unsigned char) *s) ? *s - '0'
                                       : tolower((unsigned char) *s) - 'a' + 10);
    }
    *dpid = v;
    return v != 0;
}

/* An empty value of a known key means "back to the default", so that
 * "portd set-bridge br0 controller=" removes the controllers. */
int
sw_bridge_set(struct sw_bridge *br, const char *key, const char *value, struct buf *error)
{
    int retval = check_key_value(key, value, error);
    int v;

    if (retval) {
        return retval;
    }
    if (!strcmp(key, "datapath")) {
        if (!*value || !strcmp(value, "auto")) {
            br->datapath = SW_DP_AUTO;
        } else if (enum_from_string(datapath_names, ARRAY_SIZE(datapath_names),
                                    key, value, &v, error)) {
            br->datapath = v;
        } else {
            return EINVAL;
        }
    } else if (!strcmp(key, "fail-mode")) {
        if (!*value) {
            br->fail_mode = SW_FAIL_STANDALONE;
        } else if (enum_from_string(fail_mode_names, ARRAY_SIZE(fail_mode_names),
                                    key, value, &v, error)) {
            br->fail_mode = v;
        } else {
            return EINVAL;
        }
    } else if (is_bridge_option_key(key) && !*value) {
        cfg_file_unset(&br->options, key);
    } else if (is_bridge_option_key(key) && !check_bridge_option(key, value, error)) {
        return EINVAL;
    } else {
        cfg_file_set(&br->options, key, value);
    }
    return 0;
}

static int
port_set_type(struct sw_port *port, const char *value, struct buf *error)
{
    int v;

    if (!*value) {
        port->type = SW_PORT_SYSTEM;
    } else if (enum_from_string(port_type_names, ARRAY_SIZE(port_type_names),
                                "type", value, &v, error)) {
        port->type = v;
    } else {
        return EINVAL;
    }
    return 0;
}

static int
port_set_vlan_mode(struct sw_port *port, const char *value, struct buf *error)
{
    int v;

    if (!*value) {
        port->vlan_mode = SW_VLAN_AUTO;
    } else if (enum_from_string(vlan_mode_names, ARRAY_SIZE(vlan_mode_names),
                                "vlan_mode", value, &v, error)) {
        port->vlan_mode = v;
    } else {
        return EINVAL;
    }
    return 0;
}

static int
port_set_trunks(struct sw_port *port, const char *value, struct buf *error)
{
    struct buf reason = BUF_INITIALIZER;
    uint16_t *vlans;
    size_t n;
    int retval = sw_parse_vlan_list(value, 0, &vlans, &n, &reason);

    if (retval) {
        buf_printf(error, "trunks=%s: %s", value, buf_cstr(&reason));
    } else {
        free(port->trunks);
        port->trunks = vlans;
        port->n_trunks = n;
    }
    buf_uninit(&reason);
    return retval;
}

static int
port_set_peer(struct sw_port *port, const char *value, struct buf *error)
{
    if (*value && !sy_valid_ifname(value)) {
        buf_printf(error, "peer=%s: expected a port name (1..15 characters, no "
                   "'/', ':', '=', ',' or spaces)", value);
        return EINVAL;
    }
    free(port->peer);
    port->peer = *value ? xstrdup(value) : NULL;
    return 0;
}

static int
port_set_number(struct sw_port *port, const char *key, const char *value,
                struct buf *error)
{
    unsigned int n = 0;

    if (!strcmp(key, "ofport")) {
        if (*value && !parse_number(key, value, 1, SW_OFPORT_MAX, "the OpenFlow port",
                                    &n, error)) {
            return EINVAL;
        }
        port->ofport = *value ? n : 0;
    } else {
        if (*value && !str_to_uint(value, 1, SW_VLAN_MAX, &n)) {
            buf_printf(error, "tag=%s: VLAN must be 1..%d", value, SW_VLAN_MAX);
            return EINVAL;
        }
        port->tag = *value ? (int) n : -1;
    }
    return 0;
}

int
sw_port_set(struct sw_port *port, const char *key, const char *value, struct buf *error)
{
    int retval = check_key_value(key, value, error);

    if (retval) {
        return retval;
    } else if (!strcmp(key, "type")) {
        return port_set_type(port, value, error);
    } else if (!strcmp(key, "ofport") || !strcmp(key, "tag")) {
        return port_set_number(port, key, value, error);
    } else if (!strcmp(key, "trunks")) {
        return port_set_trunks(port, value, error);
    } else if (!strcmp(key, "vlan_mode")) {
        return port_set_vlan_mode(port, value, error);
    } else if (!strcmp(key, "peer")) {
        return port_set_peer(port, value, error);
    } else if ((retval = sw_port_check_option(key, value, error)) != 0) {
        return retval;
    }
    cfg_file_set(&port->options, key, value);
    return 0;
}

/* Splits "key=value" the way the file parser does (spaces around either are
 * dropped), so that a word means the same on a command line and in a file. */
static int
split_word(const char *word, char **key, char **value, struct buf *error)
{
    const char *eq = strchr(word, '=');
    const char *k = word, *k_end = eq, *v = eq + 1, *v_end;

    if (!eq) {
        buf_printf(error, "expected key=value, got \"%s\"", word);
        return EINVAL;
    }
    v_end = v + strlen(v);
    while (k < k_end && isspace((unsigned char) *k)) {
        k++;
    }
    while (k_end > k && isspace((unsigned char) k_end[-1])) {
        k_end--;
    }
    while (v < v_end && isspace((unsigned char) *v)) {
        v++;
    }
    while (v_end > v && isspace((unsigned char) v_end[-1])) {
        v_end--;
    }
    *key = xstrndup(k, k_end - k);
    *value = xstrndup(v, v_end - v);
    return 0;
}

int
sw_bridge_set_word(struct sw_bridge *br, const char *word, struct buf *error)
{
    char *key, *value;
    int retval = split_word(word, &key, &value, error);

    if (!retval) {
        retval = sw_bridge_set(br, key, value, error);
        free(key);
        free(value);
    }
    return retval;
}

int
sw_port_set_word(struct sw_port *port, const char *word, struct buf *error)
{
    char *key, *value;
    int retval = split_word(word, &key, &value, error);

    if (!retval) {
        retval = sw_port_set(port, key, value, error);
        free(key);
        free(value);
    }
    return retval;
}

/* ---- objects --------------------------------------------------------------- */

void
sw_bridge_init(struct sw_bridge *br, const char *name)
{
    memset(br, 0, sizeof *br);
    br->name = xstrdup(name ? name : "");
    br->datapath = SW_DP_AUTO;
    br->fail_mode = SW_FAIL_STANDALONE;
    cfg_file_init(&br->options);
}

void
sw_bridge_destroy(struct sw_bridge *br)
{
    if (br) {
        for (size_t i = 0; i < br->n_ports; i++) {
            sw_port_destroy(&br->ports[i]);
        }
        free(br->ports);
        sw_bridge_clear_mirrors(br);
        free(br->name);
        cfg_file_destroy(&br->options);
        memset(br, 0, sizeof *br);
    }
}

void
sw_port_init(struct sw_port *port, const char *name)
{
    memset(port, 0, sizeof *port);
    port->name = xstrdup(name ? name : "");
    port->type = SW_PORT_SYSTEM;
    port->tag = -1;
    port->vlan_mode = SW_VLAN_AUTO;
    cfg_file_init(&port->options);
}

void
sw_port_destroy(struct sw_port *port)
{
    if (port) {
        free(port->name);
        free(port->trunks);
        free(port->peer);
        cfg_file_destroy(&port->options);
        memset(port, 0, sizeof *port);
        port->tag = -1;
    }
}

struct sw_port *
sw_bridge_find_port(const struct sw_bridge *br, const char *name)
{
    for (size_t i = 0; i < br->n_ports; i++) {
        if (!strcmp(br->ports[i].name, name)) {
            return &br->ports[i];
        }
    }
    return NULL;
}

struct sw_port *
sw_bridge_find_ofport(const struct sw_bridge *br, uint32_t ofport)
{
    for (size_t i = 0; ofport && i < br->n_ports; i++) {
        if (br->ports[i].ofport == ofport) {
            return &br->ports[i];
        }
    }
    return NULL;
}

/* Returns NULL, without taking '*port', if 'br' already has a port of that
 * name. The returned pointer is valid until the next add or remove. */
struct sw_port *
sw_bridge_add_port(struct sw_bridge *br, struct sw_port *port)
{
    size_t i;

    if (sw_bridge_find_port(br, port->name)) {
        return NULL;
    }
    for (i = 0; i < br->n_ports && strcmp(br->ports[i].name, port->name) < 0; i++) {
        continue;
    }
    br->ports = x2nrealloc(br->ports, &br->allocated_ports, br->n_ports + 1,
                           sizeof *br->ports);
    memmove(&br->ports[i + 1], &br->ports[i], (br->n_ports - i) * sizeof *br->ports);
    br->ports[i] = *port;
    br->n_ports++;
    memset(port, 0, sizeof *port);
    port->tag = -1;
    return &br->ports[i];
}

bool
sw_bridge_remove_port(struct sw_bridge *br, const char *name)
{
    struct sw_port *port = sw_bridge_find_port(br, name);
    size_t i;

    if (!port) {
        return false;
    }
    i = port - br->ports;
    sw_port_destroy(port);
    memmove(&br->ports[i], &br->ports[i + 1], (br->n_ports - i - 1) * sizeof *br->ports);
    br->n_ports--;
    return true;
}

/* Returns 0 if every ofport 1..SW_OFPORT_MAX is taken. */
uint32_t
sw_bridge_free_ofport(const struct sw_bridge *br)
{
    bool *used = xcalloc(SW_OFPORT_MAX + 1, sizeof *used);
    uint32_t ofport;

    for (size_t i = 0; i < br->n_ports; i++) {
        if (br->ports[i].ofport <= SW_OFPORT_MAX) {
            used[br->ports[i].ofport] = true;
        }
    }
    for (ofport = 1; ofport <= SW_OFPORT_MAX && used[ofport]; ofport++) {
        continue;
    }
    free(used);
    return ofport <= SW_OFPORT_MAX ? ofport : 0;
}

/* ---- consistency ------------------------------------------------------------- */

/* Checks what no single key=value can: combinations within one port. On
 * failure '*key' names the setting most to blame, so that a loader can point
 * at its line. */
static int
port_check(const struct sw_port *port, const char **key, struct buf *error)
{
    bool native = (port->vlan_mode == SW_VLAN_NATIVE_TAGGED
                   || port->vlan_mode == SW_VLAN_NATIVE_UNTAGGED);

    *key = NULL;
    if (!port->name || !sy_valid_ifname(port->name)) {
        buf_printf(error, "\"%s\" is not a valid port name (1..15 characters, no "
                   "'/', ':', '=', ',' or spaces)", port->name ? port->name : "");
        return EINVAL;
    } else if (port->ofport > SW_OFPORT_MAX) {
        *key = "ofport";
        buf_printf(error, "port %s: ofport=%"PRIu32" is out of range 1..%d",
                   port->name, port->ofport, SW_OFPORT_MAX);
    } else if (port->tag == 0 || port->tag < -1 || port->tag > SW_VLAN_MAX) {
        *key = "tag";
        buf_printf(error, "port %s: tag=%d: VLAN must be 1..%d", port->name,
                   port->tag, SW_VLAN_MAX);
    } else if (port->tag >= 0 && port->n_trunks && !native) {
        *key = "trunks";
        buf_printf(error, "port %s: tag and trunks together need "
                   "vlan_mode=native-tagged or vlan_mode=native-untagged; "
                   "remove one of them or set vlan_mode", port->name);
    } else if (port->tag < 0 && (native || port->vlan_mode == SW_VLAN_ACCESS)) {
        *key = "vlan_mode";
        buf_printf(error, "port %s: vlan_mode=%s needs tag=VID (the VLAN that "
                   "untagged frames belong to)", port->name,
                   sw_vlan_mode_to_string(port->vlan_mode));
    } else if (port->tag >= 0 && port->vlan_mode == SW_VLAN_TRUNK) {
        *key = "vlan_mode";
        buf_printf(error, "port %s: vlan_mode=trunk carries only tagged VLANs "
                   "(trunks=); remove tag=%d or use vlan_mode=native-untagged",
                   port->name, port->tag);
    } else if (port->type == SW_PORT_PATCH && !port->peer) {
        *key = "type";
        buf_printf(error, "port %s: type=patch needs peer=PORT naming the other "
                   "end of the patch", port->name);
    } else if (port->peer && !strcmp(port->peer, port->name)) {
        *key = "peer";
        buf_printf(error, "port %s: peer=%s: a patch port cannot be its own peer",
                   port->name, port->peer);
    } else if (tnl_port_type_is_tunnel(port->type)) {
        struct tnl_config tnl;

        *key = "type";
        return tnl_config_from_port(port, &tnl, error);
    } else {
        return 0;
    }
    return EINVAL;
}

int
sw_port_validate(const struct sw_port *port, struct buf *error)
{
    const char *key;

    return port_check(port, &key, error);
}

int
sw_bridge_validate(const struct sw_bridge *br, struct buf *error)
{
    if (!br->name || !sy_valid_ifname(br->name)) {
        buf_printf(error, "\"%s\" is not a valid bridge name (1..15 characters, "
                   "no '/', ':', '=', ',' or spaces)", br->name ? br->name : "");
        return EINVAL;
    }
    for (size_t i = 0; i < br->n_ports; i++) {
        const struct sw_port *p = &br->ports[i];
        int retval = sw_port_validate(p, error);

        if (retval) {
            return retval;
        }
        for (size_t j = 0; j < i; j++) {
            const struct sw_port *q = &br->ports[j];

            if (!strcmp(p->name, q->name)) {
                buf_printf(error, "bridge %s has two ports named %s", br->name,
                           p->name);
                return EINVAL;
            } else if (p->ofport && p->ofport == q->ofport) {
                buf_printf(error, "bridge %s: ports %s and %s both have "
                           "ofport=%"PRIu32, br->name, q->name, p->name, p->ofport);
                return EINVAL;
            }
        }
    }
    return sw_mirrors_validate(br, error);
}

/* ---- model <-> cfg entries ------------------------------------------------- */

/* Known keys first, in a fixed order, only when not the default, then the
 * options in their own order: files stay small and diffs stay readable. */
void
sw_bridge_to_cfg(const struct sw_bridge *br, struct cfg_file *out)
{
    cfg_file_init(out);
    if (br->datapath != SW_DP_AUTO) {
        cfg_file_set(out, "datapath", sw_datapath_type_to_string(br->datapath));
    }
    if (br->fail_mode != SW_FAIL_STANDALONE) {
        cfg_file_set(out, "fail-mode", sw_fail_mode_to_string(br->fail_mode));
    }
    for (size_t i = 0; i < N_BRIDGE_OPTION_KEYS; i++) {
        const char *value = cfg_file_get(&br->options, bridge_option_keys[i]);

        if (value) {
            cfg_file_set(out, bridge_option_keys[i], value);
        }
    }
    for (size_t i = 0; i < br->options.n; i++) {
        const struct cfg_entry *e = &br->options.entries[i];

        if (!is_bridge_option_key(e->key)) {
            cfg_file_set(out, e->key, e->value);
        }
    }
}

void
sw_port_to_cfg(const struct sw_port *port, struct cfg_file *out)
{
    cfg_file_init(out);
    if (port->type != SW_PORT_SYSTEM) {
        cfg_file_set(out, "type", sw_port_type_to_string(port->type));
    }
    if (port->ofport) {
        char *s = xasprintf("%"PRIu32, port->ofport);

        cfg_file_set(out, "ofport", s);
        free(s);
    }
    if (port->tag >= 0) {
        char *s = xasprintf("%d", port->tag);

        cfg_file_set(out, "tag", s);
        free(s);
    }
    if (port->n_trunks) {
        struct buf s = BUF_INITIALIZER;

        sw_format_vlan_list(&s, port->trunks, port->n_trunks);
        cfg_file_set(out, "trunks", buf_cstr(&s));
        buf_uninit(&s);
    }
    if (port->vlan_mode != SW_VLAN_AUTO) {
        cfg_file_set(out, "vlan_mode", sw_vlan_mode_to_string(port->vlan_mode));
    }
    if (port->peer) {
        cfg_file_set(out, "peer", port->peer);
    }
    for (size_t i = 0; i < port->options.n; i++) {
        cfg_file_set(out, port->options.entries[i].key, port->options.entries[i].value);
    }
}

/* ---- directories ----------------------------------------------------------- */

/* Files people and tools leave next to ours: editor backups and swap files,
 * package manager leftovers, and cfg_write_atomic()'s temporary files (which
 * start with '.'). */
static bool
is_stray_name(const char *name)
{
    static const char *const suffixes[] = {
        "~", ".swp", ".bak", ".orig", ".rej", ".rpmnew", ".rpmsave",
        ".dpkg-old", ".dpkg-new", ".dpkg-dist",
    };
    size_t length = strlen(name);

    if (name[0] == '.' || name[0] == '#') {
        return true;
    }
    for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
        size_t n = strlen(suffixes[i]);

        if (length > n && !strcmp(name + length - n, suffixes[i])) {
            return true;
        }
    }
    return false;
}

static int
compare_names(const void *a_, const void *b_)
{
    const char *const *a = a_, *const *b = b_;

    return strcmp(*a, *b);
}

/* Lists the entries of 'path' that are not stray, sorted. Returns ENOENT
 * (without a message) if 'path' does not exist. */
static int
list_dir(const char *path, char ***names, size_t *n, struct buf *error)
{
    DIR *dir = opendir(path);
    size_t allocated = 0;
    struct dirent *de;

    *names = NULL;
    *n = 0;
    if (!dir) {
        int err = errno;

        if (err != ENOENT) {
            buf_printf(error, "cannot read directory %s: %s", path, strerror(err));
        }
        return err;
    }
    while ((de = readdir(dir)) != NULL) {
        /* Leftovers of writes a crash cut off go once they are a minute
         * old; a write in progress takes milliseconds. */
        cfg_remove_stale_temp(dirfd(dir), de->d_name, 60);
        if (!is_stray_name(de->d_name)) {
            *names = x2nrealloc(*names, &allocated, *n + 1, sizeof **names);
            (*names)[(*n)++] = xstrdup(de->d_name);
        }
    }
    closedir(dir);
    if (*n) {
        qsort(*names, *n, sizeof **names, compare_names);
    }
    return 0;
}

void
sw_names_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++) {
        free(names[i]);
    }
    free(names);
}

static bool
is_regular_file(const char *path)
{
    struct stat st;

    return !stat(path, &st) && S_ISREG(st.st_mode);
}

static char *
bridge_dir(const char *confdir, const char *name)
{
    return xasprintf("%s/bridges/%s", confdir, name);
}

/* A bridge exists when its "bridge" file does: that file is written last and
 * removed first, so a directory without it is a half-created or
 * half-deleted bridge and is not shown. */
static bool
bridge_exists(const char *confdir, const char *name)
{
    char *path = xasprintf("%s/bridges/%s/bridge", confdir, name);
    bool exists = is_regular_file(path);

    free(path);
    return exists;
}

int
sw_list_bridges(const char *confdir, char ***names, size_t *n, struct buf *error)
{
    char *path = xasprintf("%s/bridges", confdir);
    int retval = list_dir(path, names, n, error);
    size_t kept = 0;

    free(path);
    if (retval) {
        return retval == ENOENT ? 0 : retval;
    }
    for (size_t i = 0; i < *n; i++) {
        if (sy_valid_ifname((*names)[i]) && bridge_exists(confdir, (*names)[i])) {
            (*names)[kept++] = (*names)[i];
        } else {
            free((*names)[i]);
        }
    }
    *n = kept;
    return 0;
}

/* ---- loading ------------------------------------------------------------------ */

/* Appends one "PATH:LINE: message" line ("PATH: message" if LINE is 0) to
 * 'errors', a newline-separated list. */
static void
add_problem(struct buf *errors, const char *path, unsigned int line, const char *msg)
{
    if (errors->size) {
        buf_put_char(errors, '\n');
    }
    if (line) {
        buf_printf(errors, "%s:%u: %s", path, line, msg);
    } else {
        buf_printf(errors, "%s: %s", path, msg);
    }
}

static unsigned int
line_of(const struct cfg_file *file, const char *key)
{
    const struct cfg_entry *e = key ? cfg_file_find(file, key) : NULL;

    return e ? e->line : 0;
}

/* Applies every entry of 'file' with 'set', reporting each bad one. */
static int
apply_entries(const struct cfg_file *file, const char *path, void *object,
              int (*set)(void *, const char *, const char *, struct buf *),
              struct buf *errors)
{
    struct buf msg = BUF_INITIALIZER;
    int retval = 0;

    for (size_t i = 0; i < file->n; i++) {
        const struct cfg_entry *e = &file->entries[i];

        buf_clear(&msg);
        if (set(object, e->key, e->value, &msg)) {
            add_problem(errors, path, e->line, buf_cstr(&msg));
            retval = EINVAL;
        }
    }
    buf_uninit(&msg);
    return retval;
}

static int
set_bridge_cb(void *br, const char *key, const char *value, struct buf *error)
{
    return sw_bridge_set(br, key, value, error);
}

static int
set_port_cb(void *port, const char *key, const char *value, struct buf *error)
{
    return sw_port_set(port, key, value, error);
}

/* Loads a cfg file, adding its problem (which already names the path) as
 * one line of 'errors'. */
static int
load_file(struct cfg_file *file, const char *path, struct buf *errors)
{
    struct buf msg = BUF_INITIALIZER;
    int retval = cfg_file_load(file, path, &msg);

    if (retval && retval != ENOENT) {
        if (errors->size) {
            buf_put_char(errors, '\n');
        }
        buf_put(errors, msg.data, msg.size);
    }
    buf_uninit(&msg);
    return retval;
}

/* Loads ports/NAME into 'port' (initialised here in any case). */
static int
load_port(const char *dir, const char *name, struct sw_port *port, struct cfg_file *file,
          struct buf *errors)
{
    char *path = xasprintf("%s/%s", dir, name);
    struct buf msg = BUF_INITIALIZER;
    const char *key;
    int retval;

    sw_port_init(port, name);
    cfg_file_init(file);
    if (!sy_valid_ifname(name)) {
        add_problem(errors, path, 0, "the file name is not a valid port name "
                    "(1..15 characters, no ':', '=', ',' or spaces); rename or "
                    "remove the file");
        retval = EINVAL;
    } else {
        retval = load_file(file, path, errors);
        if (!retval) {
            retval = apply_entries(file, path, port, set_port_cb, errors);
        }
        if (!retval && port_check(port, &key, &msg)) {
            add_problem(errors, path, line_of(file, key), buf_cstr(&msg));
            retval = EINVAL;
        }
    }
    buf_uninit(&msg);
    free(path);
    return retval;
}

/* Ports of one bridge may not share an ofport; both files are named. */
static int
check_ofports(const struct sw_bridge *br, const char *dir, struct cfg_file *files,
              struct buf *errors)
{
    int retval = 0;

    for (size_t i = 0; i < br->n_ports; i++) {
        const struct sw_port *p = &br->ports[i];
        const struct sw_port *q = sw_bridge_find_ofport(br, p->ofport);

        if (q && q != p) {
            char *path = xasprintf("%s/%s", dir, p->name);
            char *msg = xasprintf("ofport=%"PRIu32" is also used by port %s "
                                  "(%s/%s); give one of them another number",
                                  p->ofport, q->name, dir, q->name);

            add_problem(errors, path, line_of(&files[i], "ofport"), msg);
            free(msg);
            free(path);
            retval = EINVAL;
        }
    }
    return retval;
}

static int
load_ports(const char *bridge_dir_path, struct sw_bridge *br, struct buf *errors)
{
    char *dir = xasprintf("%s/ports", bridge_dir_path);
    struct cfg_file *files;
    char **names;
    size_t n;
    int retval = list_dir(dir, &names, &n, errors);

    if (retval) {
        free(dir);
        return retval == ENOENT ? 0 : retval;
    }
    files = xcalloc(n, sizeof *files);
    for (size_t i = 0; i < n; i++) {
        char *path = xasprintf("%s/%s", dir, names[i]);
        bool regular = is_regular_file(path);
        struct sw_port port;

        free(path);
        if (regular) {
            /* Sorted names in, sorted ports out: files[] parallels ports[]. */
            struct cfg_file *file = &files[br->n_ports];

            if (load_port(dir, names[i], &port, file, errors)) {
                retval = EINVAL;
                cfg_file_destroy(file);
            }
            sw_bridge_add_port(br, &port);
            sw_port_destroy(&port);
        }
    }
    if (!retval) {
        retval = check_ofports(br, dir, files, errors);
    }
    for (size_t i = 0; i < n; i++) {
        cfg_file_destroy(&files[i]);
    }
    free(files);
    sw_names_free(names, n);
    free(dir);
    return retval;
}

/* Loads into 'br' (which the caller has initialised with the name). */
static int
load_bridge(const char *confdir, struct sw_bridge *br, struct buf *errors)
{
    char *dir = bridge_dir(confdir, br->name);
    char *path = xasprintf("%s/bridge", dir);
    struct cfg_file file;
    int retval;

    if (!sy_valid_ifname(br->name)) {
        add_problem(errors, dir, 0, "the directory name is not a valid bridge name "
                    "(1..15 characters, no ':', '=', ',' or spaces); rename or "
                    "remove it");
        retval = EINVAL;
    } else {
        retval = load_file(&file, path, errors);
        if (retval == ENOENT) {
            if (errors->size) {
                buf_put_char(errors, '\n');
            }
            buf_printf(errors, "no bridge named %s (%s does not exist)", br->name,
                       path);
        } else if (!retval || retval == EINVAL) {
            if (!retval) {
                retval = apply_entries(&file, path, br, set_bridge_cb, errors);
            }
            /* Report the ports' problems too: fix everything in one go. */
            if (load_ports(dir, br, errors)) {
                retval = EINVAL;
            }
            if (sw_mirrors_load(dir, br, errors)) {
                retval = EINVAL;
            }
        }
        cfg_file_destroy(&file);
    }
    free(path);
    free(dir);
    return retval;
}

int
sw_bridge_load(const char *confdir, const char *name, struct sw_bridge *br,
               struct buf *error)
{
    int retval;

    sw_bridge_init(br, name);
    retval = load_bridge(confdir, br, error);
    if (retval) {
        sw_bridge_destroy(br);
        sw_bridge_init(br, name);
    }
    return retval;
}

int
sw_load_all(const char *confdir, struct sw_bridge **bridges, size_t *n,
            struct buf *errors)
{
    char *dir = xasprintf("%s/bridges", confdir);
    size_t allocated = 0, n_names;
    char **names;
    int retval = list_dir(dir, &names, &n_names, errors);

    *bridges = NULL;
    *n = 0;
    if (retval) {
        free(dir);
        /* No bridges directory: nothing configured yet. */
        return retval == ENOENT ? 0 : retval;
    }
    for (size_t i = 0; i < n_names; i++) {
        char *path = xasprintf("%s/%s", dir, names[i]);
        struct buf problems = BUF_INITIALIZER;
        struct stat st;
        bool candidate = !stat(path, &st) && S_ISDIR(st.st_mode)
                         && (!sy_valid_ifname(names[i])
                             || bridge_exists(confdir, names[i]));

        free(path);
        if (!candidate) {
            continue;
        }
        *bridges = x2nrealloc(*bridges, &allocated, *n + 1, sizeof **bridges);
        if (sw_bridge_load(confdir, names[i], &(*bridges)[*n], &problems)) {
            sw_bridge_destroy(&(*bridges)[*n]);
            buf_put(errors, problems.data, problems.size);
            buf_put_char(errors, '\n');
            retval = EINVAL;
        } else {
            (*n)++;
        }
        buf_uninit(&problems);
    }
    sw_names_free(names, n_names);
    free(dir);
    return retval;
}

void
sw_bridges_free(struct sw_bridge *bridges, size_t n)
{
    for (size_t i = 0; bridges && i < n; i++) {
        sw_bridge_destroy(&bridges[i]);
    }
    free(bridges);
}

/* ---- saving ----------------------------------------------------------------- */

/* What a crash in the middle of sw_bridge_save() leaves behind.
 *
 * Each file is replaced atomically, but a bridge is many files. The order
 * is chosen so that every state on disk between two steps loads cleanly:
 *
 *   1. Port files of removed ports are deleted.
 *   2. Changed port files are written, in an order that never lets two
 *      files claim the same ofport (a port whose new number is still held on
 *      disk by another changed port waits for it; in a swap, one of them is
 *      first written with no ofport, which is valid).
 *   3. The bridge file is written last.
 *
 * So a crash leaves: for a new bridge, a directory without a "bridge" file,
 * which readers ignore and the next save completes; for an existing bridge,
 * a mix of old and new port files that still passes every check, i.e. part
 * of the change applied and the bridge working. Files whose contents do not
 * change are not rewritten. Deleting a bridge removes the "bridge" file
 * first, for the same reason. */

/* Reads the ofport a port file on disk holds, without judging the rest. */
static uint32_t
disk_ofport(const struct cfg_file *file)
{
    const char *value = cfg_file_get(file, "ofport");
    unsigned int ofport;

    return value && str_to_uint(value, 1, SW_OFPORT_MAX, &ofport) ? ofport : 0;
}

static bool
cfg_files_equal(const struct cfg_file *a, const struct cfg_file *b)
{
    if (a->n != b->n) {
        return false;
    }
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->entries[i].key, b->entries[i].key)
            || strcmp(a->entries[i].value, b->entries[i].value)) {
            return false;
        }
    }
    return true;
}

/* True if 'path' already holds exactly 'wanted'. */
static bool
file_is_current(const char *path, const struct cfg_file *wanted, uint32_t *ofport)
{
    struct buf ignored = BUF_INITIALIZER;
    struct cfg_file file;
    bool current = false;

    *ofport = 0;
    if (!cfg_file_load(&file, path, &ignored)) {
        current = cfg_files_equal(&file, wanted);
        *ofport = disk_ofport(&file);
        cfg_file_destroy(&file);
    }
    buf_uninit(&ignored);
    return current;
}

/* Step 1: deletes the files of ports 'br' no longer has. */
static int
remove_old_ports(const char *dir, const struct sw_bridge *br, struct buf *error)
{
    char **names;
    size_t n;
    int retval = list_dir(dir, &names, &n, error);
    bool removed = false;

    if (retval) {
        return retval == ENOENT ? 0 : retval;
    }
    for (size_t i = 0; i < n && !retval; i++) {
        char *path = xasprintf("%s/%s", dir, names[i]);

        if (!sy_valid_ifname(names[i]) || !is_regular_file(path)) {
            /* Not ours to remove. */
        } else if (!sw_bridge_find_port(br, names[i])) {
            if (unlink(path) < 0 && errno != ENOENT) {
                retval = errno;
                buf_printf(error, "cannot remove %s: %s", path, strerror(retval));
            }
            removed = true;
        }
        free(path);
    }
    sw_names_free(names, n);
    if (!retval && removed) {
        retval = cfg_sync_dir(dir, error);
    }
    return retval;
}

/* Returns the index of the port other than 'i' whose file holds 'ofport'
 * on disk, or SIZE_MAX if none does. */
static size_t
ofport_holder(const struct sw_bridge *br, const uint32_t *disk, size_t i,
              uint32_t ofport)
{
    for (size_t j = 0; ofport && j < br->n_ports; j++) {
        if (j != i && disk[j] == ofport) {
            return j;
        }
    }
    return SIZE_MAX;
}

static int
write_port(const char *dir, const struct sw_port *port, bool without_ofport,
           struct buf *error)
{
    char *path = xasprintf("%s/%s", dir, port->name);
    struct cfg_file file;
    int retval;

    sw_port_to_cfg(port, &file);
    if (without_ofport) {
        cfg_file_unset(&file, "ofport");
    }
    retval = cfg_file_save(&file, FILE_HEADER, path, error);
    cfg_file_destroy(&file);
    free(path);
    return retval;
}

/* Step 2: writes the ports marked in 'pending', ordered as described above;
 * 'disk' tracks each port's ofport on disk as files are written. */
static int
write_ports(const char *dir, const struct sw_bridge *br, uint32_t *disk,
            bool *pending, size_t n_pending, struct buf *error)
{
    while (n_pending) {
        size_t i, first = SIZE_MAX;
        int retval;

        for (i = 0; i < br->n_ports; i++) {
            if (pending[i]) {
                first = MIN(first, i);
                if (ofport_holder(br, disk, i, br->ports[i].ofport) == SIZE_MAX) {
                    break;
                }
            }
        }
        if (i == br->n_ports) {
            /* Every pending port waits for a number another pending port
             * holds (ofports were swapped): free the one 'first' waits for
             * by writing its holder without an ofport for now. The holder
             * is pending too, since no two ports want the same number. */
            size_t j = ofport_holder(br, disk, first, br->ports[first].ofport);

            retval = write_port(dir, &br->ports[j], true, error);
            disk[j] = 0;
        } else {
            retval = write_port(dir, &br->ports[i], false, error);
            disk[i] = br->ports[i].ofport;
            pending[i] = false;
            n_pending--;
        }
        if (retval) {
            return retval;
        }
    }
    return 0;
}

/* Marks the ports whose files differ from the model; returns how many. */
static size_t
find_changed_ports(const char *dir, const struct sw_bridge *br, uint32_t *disk,
                   bool *pending)
{
    size_t n = 0;

    for (size_t i = 0; i < br->n_ports; i++) {
        char *path = xasprintf("%s/%s", dir, br->ports[i].name);
        struct cfg_file wanted;

        sw_port_to_cfg(&br->ports[i], &wanted);
        pending[i] = !file_is_current(path, &wanted, &disk[i]);
        n += pending[i];
        cfg_file_destroy(&wanted);
        free(path);
    }
    return n;
}

static int
save_ports(const char *dir, const struct sw_bridge *br, struct buf *error)
{
    uint32_t *disk = xcalloc(br->n_ports, sizeof *disk);
    bool *pending = xcalloc(br->n_ports, sizeof *pending);
    int retval = remove_old_ports(dir, br, error);

    if (!retval) {
        size_t n = find_changed_ports(dir, br, disk, pending);

        retval = write_ports(dir, br, disk, pending, n, error);
    }
    free(pending);
    free(disk);
    return retval;
}

static int
save_bridge_file(const char *dir, const struct sw_bridge *br, struct buf *error)
{
    char *path = xasprintf("%s/bridge", dir);
    struct cfg_file file;
    uint32_t ignored;
    int retval = 0;

    sw_bridge_to_cfg(br, &file);
    if (!file_is_current(path, &file, &ignored)) {
        retval = cfg_file_save(&file, FILE_HEADER, path, error);
    }
    cfg_file_destroy(&file);
    free(path);
    return retval;
}

int
sw_bridge_save(const char *confdir, const struct sw_bridge *br, struct buf *error)
{
    char *dir, *ports_dir;
    int retval = sw_bridge_validate(br, error);

    if (retval) {
        return retval;
    }
    dir = bridge_dir(confdir, br->name);
    ports_dir = xasprintf("%s/ports", dir);
    retval = cfg_mkdir_p(ports_dir, 0755, error);
    if (!retval) {
        retval = save_ports(ports_dir, br, error);
    }
    if (!retval) {
        retval = sw_mirrors_save(dir, br, error);
    }
    if (!retval) {
        retval = save_bridge_file(dir, br, error);
    }
    free(ports_dir);
    free(dir);
    return retval;
}

int
sw_bridge_delete(const char *confdir, const char *name, struct buf *error)
{
    char *dir, *path, *parent;
    struct stat st;
    int retval;

    if (!sy_valid_ifname(name)) {
        buf_printf(error, "\"%s\" is not a valid bridge name", name);
        return EINVAL;
    }
    dir = bridge_dir(confdir, name);
    path = xasprintf("%s/bridge", dir);
    parent = xasprintf("%s/bridges", confdir);
    if (lstat(dir, &st) < 0) {
        retval = errno;
        buf_printf(error, "no bridge named %s (%s: %s)", name, dir, strerror(retval));
    } else if (unlink(path) < 0 && errno != ENOENT) {
        retval = errno;
        buf_printf(error, "cannot remove %s: %s", path, strerror(retval));
    } else {
        retval = cfg_remove_tree(dir, error);
        if (!retval) {
            retval = cfg_sync_dir(parent, error);
        }
    }
    free(parent);
    free(path);
    free(dir);
    return retval;
}
