/* tnl-config: see tnl-config.h. */
#include "tnl-config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <string.h>

#include "util.h"

static const char *
type_name(enum sw_port_type type)
{
    return sw_port_type_to_string(type);
}

static uint32_t
key_max(enum sw_port_type type)
{
    return type == SW_PORT_GRE ? UINT32_MAX : TNL_VNI_MAX;
}

/* Parses a dotted-quad IPv4 address that is usable as a unicast tunnel
 * endpoint. */
static bool
parse_endpoint(const char *key, const char *value, uint32_t *ip, struct buf *error)
{
    struct in_addr addr;
    uint32_t host;

    if (inet_pton(AF_INET, value, &addr) != 1) {
        buf_printf(error, "%s=%s: expected an IPv4 address (like 192.0.2.1)", key, value);
        return false;
    }
    host = ntohl(addr.s_addr);
    if (!host || host == 0xffffffff || (host >> 28) == 0xe || (host >> 24) == 127) {
        buf_printf(error, "%s=%s: expected a unicast address (not 0.0.0.0, loopback, "
                   "multicast or broadcast)", key, value);
        return false;
    }
    *ip = addr.s_addr;
    return true;
}

static bool
parse_key(enum sw_port_type type, const char *name, const char *value,
          struct tnl_key *key, struct buf *error)
{
    uint64_t n;

    if (!strcmp(value, "flow")) {
        key->flow = true;
        key->present = true;
        return true;
    } else if (!str_to_u64(value, 0, 0, key_max(type), &n)) {
        buf_printf(error, "%s=%s: expected flow or a %s %s, 0..%"PRIu32, name, value,
                   type_name(type), type == SW_PORT_GRE ? "key" : "VNI", key_max(type));
        return false;
    }
    key->flow = false;
    key->present = true;
    key->value = n;
    return true;
}

static bool
parse_bool(const char *key, const char *value, bool *out, struct buf *error)
{
    if (!strcmp(value, "true")) {
        *out = true;
    } else if (!strcmp(value, "false")) {
        *out = false;
    } else {
        buf_printf(error, "%s=%s: expected true or false", key, value);
        return false;
    }
    return true;
}

/* tos= and ttl=: a number in [min, 255] or "inherit". */
static bool
parse_byte_or_inherit(const char *key, const char *value, unsigned int min, uint8_t *out,
                      bool *inherit, struct buf *error)
{
    unsigned int n;

    if (!strcmp(value, "inherit")) {
        *inherit = true;
    } else if (str_to_uint(value, min, 255, &n)) {
        *inherit = false;
        *out = n;
    } else {
        buf_printf(error, "%s=%s: expected inherit or a number, %u..255", key, value, min);
        return false;
    }
    return true;
}

static void
config_defaults(enum sw_port_type type, struct tnl_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->type = type;
    cfg->dst_port = (type == SW_PORT_VXLAN ? TNL_VXLAN_PORT
                     : type == SW_PORT_GENEVE ? TNL_GENEVE_PORT : 0);
    cfg->ttl = TNL_DEFAULT_TTL;
    cfg->df = true;
    /* A VXLAN or Geneve header always carries a VNI (0 by default). */
    cfg->in_key.present = cfg->out_key.present = type != SW_PORT_GRE;
}

/* Applies one option; returns false with a message on a bad value. Keys
 * that are not tunnel settings are left alone (they are the port's). */
static bool
apply_option(struct tnl_config *cfg, const char *key, const char *value, struct buf *error)
{
    unsigned int n;

    if (!strcmp(key, "remote_ip")) {
        cfg->remote_flow = !strcmp(value, "flow");
        return cfg->remote_flow || parse_endpoint(key, value, &cfg->remote_ip, error);
    } else if (!strcmp(key, "local_ip")) {
        return parse_endpoint(key, value, &cfg->local_ip, error);
    } else if (!strcmp(key, "key")) {
        return (parse_key(cfg->type, key, value, &cfg->in_key, error)
                && parse_key(cfg->type, key, value, &cfg->out_key, error));
    } else if (!strcmp(key, "in_key")) {
        return parse_key(cfg->type, key, value, &cfg->in_key, error);
    } else if (!strcmp(key, "out_key")) {
        return parse_key(cfg->type, key, value, &cfg->out_key, error);
    } else if (!strcmp(key, "dst_port")) {
        if (cfg->type == SW_PORT_GRE) {
            buf_printf(error, "dst_port=%s: GRE has no UDP port", value);
            return false;
        } else if (!str_to_uint(value, 1, 65535, &n)) {
            buf_printf(error, "dst_port=%s: expected a UDP port, 1..65535", value);
            return false;
        }
        cfg->dst_port = n;
        return true;
    } else if (!strcmp(key, "tos")) {
        return parse_byte_or_inherit(key, value, 0, &cfg->tos, &cfg->tos_inherit, error);
    } else if (!strcmp(key, "ttl")) {
        return parse_byte_or_inherit(key, value, 1, &cfg->ttl, &cfg->ttl_inherit, error);
    } else if (!strcmp(key, "csum")) {
        return parse_bool(key, value, &cfg->csum, error);
    } else if (!strcmp(key, "df_default")) {
        return parse_bool(key, value, &cfg->df, error);
    }
    return true;
}

int
tnl_config_from_port(const struct sw_port *port, struct tnl_config *cfg, struct buf *error)
{
    bool has_remote = false;

    config_defaults(port->type, cfg);
    if (!tnl_port_type_is_tunnel(port->type)) {
        buf_printf(error, "port %s: type %s is not a tunnel (expected vxlan, geneve or gre)",
                   port->name, type_name(port->type));
        return EINVAL;
    }
    /* key= first so that in_key= and out_key= override it in any order. */
    const char *key = cfg_file_get(&port->options, "key");

    if (key && !apply_option(cfg, "key", key, error)) {
        return EINVAL;
    }
    for (size_t i = 0; i < port->options.n; i++) {
        const struct cfg_entry *e = &port->options.entries[i];

        if (!strcmp(e->key, "key")) {
            continue;
        } else if (!apply_option(cfg, e->key, e->value, error)) {
            return EINVAL;
        }
        has_remote |= !strcmp(e->key, "remote_ip");
    }
    if (!has_remote) {
        buf_printf(error, "port %s: a %s tunnel needs remote_ip=IP (the other host's "
                   "address) or remote_ip=flow", port->name, type_name(port->type));
        return EINVAL;
    } else if (cfg->local_ip && cfg->local_ip == cfg->remote_ip) {
        buf_printf(error, "port %s: remote_ip and local_ip are the same address: a "
                   "tunnel to ourselves", port->name);
        return EINVAL;
    }
    return 0;
}

static bool
keys_overlap(const struct tnl_key *a, const struct tnl_key *b)
{
    return (a->flow || b->flow
            || (a->present == b->present && (!a->present || a->value == b->value)));
}

bool
tnl_config_overlaps(const struct tnl_config *a, const struct tnl_config *b)
{
    return (a->type == b->type && a->dst_port == b->dst_port
            && (a->remote_flow || b->remote_flow || a->remote_ip == b->remote_ip)
            && (!a->local_ip || !b->local_ip || a->local_ip == b->local_ip)
            && keys_overlap(&a->in_key, &b->in_key));
}

static void
format_key(struct buf *b, const char *name, const struct tnl_key *key)
{
    if (key->flow) {
        buf_printf(b, " %s=flow", name);
    } else if (key->present) {
        buf_printf(b, " %s=%"PRIu32, name, key->value);
    }
}

static void
format_ip(struct buf *b, const char *name, uint32_t ip)
{
    char text[INET_ADDRSTRLEN];
    struct in_addr addr = { .s_addr = ip };

    inet_ntop(AF_INET, &addr, text, sizeof text);
    buf_printf(b, " %s=%s", name, text);
}

void
tnl_config_format(const struct tnl_config *cfg, struct buf *b)
{
    buf_printf(b, "%s", type_name(cfg->type));
    if (cfg->remote_flow) {
        buf_printf(b, " remote_ip=flow");
    } else {
        format_ip(b, "remote_ip", cfg->remote_ip);
    }
    if (cfg->local_ip) {
        format_ip(b, "local_ip", cfg->local_ip);
    }
    if (cfg->in_key.flow == cfg->out_key.flow && cfg->in_key.present == cfg->out_key.present
        && cfg->in_key.value == cfg->out_key.value) {
        format_key(b, "key", &cfg->in_key);
    } else {
        format_key(b, "in_key", &cfg->in_key);
        format_key(b, "out_key", &cfg->out_key);
    }
    if (cfg->dst_port) {
        buf_printf(b, " dst_port=%u", cfg->dst_port);
    }
}

bool
tnl_address_is_local(uint32_t ip)
{
    struct ifaddrs *addrs;
    bool local = false;

    if (getifaddrs(&addrs)) {
        return false;
    }
    for (struct ifaddrs *a = addrs; a && !local; a = a->ifa_next) {
        if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET) {
            const struct sockaddr_in *sin = (const void *) a->ifa_addr;

            local = sin->sin_addr.s_addr == ip;
        }
    }
    freeifaddrs(addrs);
    return local;
}
