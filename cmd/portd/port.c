/* port: the port commands of portd: add-port, del-port, list-ports and
 * set-port. A port is checked against the whole store (its name is free on
 * every bridge, its ofport on its own) and against the system (a system
 * port's device exists, an internal port's does not yet) before anything
 * is written. */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "portd.h"

/* Removes setting 'key' of 'port' for "KEY=" (empty value). Returns 0, or
 * EINVAL with a message for settings that cannot go. */
static int
port_unset(struct sw_port *port, const char *key, struct buf *error)
{
    if (!strcmp(key, "tag")) {
        port->tag = -1;
    } else if (!strcmp(key, "trunks")) {
        free(port->trunks);
        port->trunks = NULL;
        port->n_trunks = 0;
    } else if (!strcmp(key, "vlan_mode")) {
        port->vlan_mode = SW_VLAN_AUTO;
    } else if (!strcmp(key, "peer")) {
        free(port->peer);
        port->peer = NULL;
    } else if (!strcmp(key, "type") || !strcmp(key, "ofport")) {
        buf_printf(error, "%s= cannot be removed, only changed", key);
        return EINVAL;
    } else {
        cfg_file_unset(&port->options, key);
    }
    return 0;
}

/* Applies "KEY=VALUE" words to 'port'; with 'allow_unset', "KEY=" removes a
 * setting. Returns false with a usage error in 'reply' on the first bad
 * word. */
static bool
port_apply_words(struct sw_port *port, int n, char *words[], bool allow_unset,
                 struct ctl_reply *reply)
{
    if (!allow_unset && !portd_check_values(reply, n, words)) {
        return false;
    }
    for (int i = 0; i < n; i++) {
        struct buf error = BUF_INITIALIZER;
        bool unset = false;
        const char *value;
        char *key;
        int retval = 0;

        if (allow_unset && portd_split_word(words[i], &key, &value)) {
            if (!*value) {
                retval = port_unset(port, key, &error);
                unset = true;
            }
            free(key);
        }
        if (!unset) {
            retval = sw_port_set_word(port, words[i], &error);
        }
        if (retval) {
            buf_chomp(&error);
            ctl_reply_error(reply, CTL_USAGE, "%s", buf_cstr(&error));
        }
        buf_uninit(&error);
        if (retval) {
            return false;
        }
    }
    return true;
}

/* The keys the command line accepts for a port of each type (besides
 * namespaced ones). */
static const char *const *
port_known_keys(enum sw_port_type type)
{
#define PORT_KEYS "type", "tag", "trunks", "ofport", "vlan_mode", "peer", "admin_state", \
                  "ingress_policing_rate", "ingress_policing_burst", \
                  "egress_shaping_rate", "egress_shaping_burst"
    static const char *const plain[] = { PORT_KEYS, NULL };
    static const char *const internal[] = { PORT_KEYS, "mtu", "mac", NULL };
    static const char *const tunnel[] = {
        PORT_KEYS, "remote_ip", "local_ip", "key", "in_key", "out_key", "dst_port",
        "tos", "ttl", "csum", "df_default", NULL,
    };
    static const char *const bond[] = {
        PORT_KEYS, "members", "bond_mode", "lacp", "bond_updelay", "bond_downdelay", NULL,
    };
#undef PORT_KEYS

    switch (type) {
    case SW_PORT_INTERNAL:
        return internal;
    case SW_PORT_VXLAN:
    case SW_PORT_GENEVE:
    case SW_PORT_GRE:
        return tunnel;
    case SW_PORT_BOND:
        return bond;
    default:
        return plain;
    }
}

/* Checks the keys given on the command line, once the port's type is
 * known. */
static bool
port_check_keys(const struct sw_port *port, int n, char *words[], struct ctl_reply *reply)
{
    char *what = xasprintf("a port of type %s", sw_port_type_to_string(port->type));
    bool ok = portd_check_keys(reply, what, n, words, port_known_keys(port->type));

    free(what);
    return ok;
}

/* Checks that the settings of 'port' fit together. */
static bool
port_check_settings(const struct sw_port *port, struct ctl_reply *reply)
{
    if (port->type == SW_PORT_PATCH && !port->peer) {
        ctl_reply_error(reply, CTL_USAGE, "type=patch needs peer=PORT (the patch port "
                        "on the other bridge)");
        return false;
    } else if (port->type != SW_PORT_PATCH && port->peer) {
        ctl_reply_error(reply, CTL_USAGE, "peer=%s is only for type=patch", port->peer);
        return false;
    } else if (port->peer && !portd_check_name(reply, "peer port", port->peer)) {
        return false;
    }
    return true;
}

/* Checks the port's device: a system port attaches a device that exists;
 * an internal port's device is created by flowd, so it must not exist. */
static bool
port_check_device(const struct sw_port *port, struct ctl_reply *reply)
{
    bool exists = if_nametoindex(port->name) != 0;

    if (port->type == SW_PORT_SYSTEM && !exists) {
        ctl_reply_error(reply, CTL_FAILED, "no network device \"%s\" (create it first, "
                        "e.g. with ip link)", port->name);
        return false;
    } else if (port->type == SW_PORT_INTERNAL && exists) {
        ctl_reply_error(reply, CTL_FAILED, "network device \"%s\" already exists; flowd "
                        "creates an internal port's device itself (to attach an existing "
                        "device, use type=system)", port->name);
        return false;
    }
    return true;
}

/* The name must not be used by any bridge: as a port, or as a bridge
 * (whose own internal port has the bridge's name). */
static bool
port_name_is_free(const struct portd_env *env, const struct sw_bridge *bridge,
                  const char *name, struct ctl_reply *reply)
{
    char *owner;

    if (!strcmp(name, bridge->name)) {
        ctl_reply_error(reply, CTL_FAILED, "\"%s\" is the bridge's own internal port "
                        "(ofport LOCAL); pick another port name", name);
        return false;
    } else if (sw_bridge_find_port(bridge, name)) {
        ctl_reply_error(reply, CTL_FAILED, "port \"%s\" already exists on bridge %s",
                        name, bridge->name);
        return false;
    }
    switch (portd_find_port_owner(env, name, bridge->name, &owner, reply)) {
    case ENOENT:
        return true;
    case 0:
        if (!strcmp(owner, name)) {
            ctl_reply_error(reply, CTL_FAILED, "\"%s\" is the internal port of bridge %s",
                            name, owner);
        } else {
            ctl_reply_error(reply, CTL_FAILED, "port \"%s\" already exists on bridge %s",
                            name, owner);
        }
        free(owner);
        return false;
    default:
        return false;
    }
}

/* Gives 'port' an ofport: the one asked for if free on 'bridge', else the
 * lowest free one. */
static bool
port_assign_ofport(const struct sw_bridge *bridge, struct sw_port *port, uint32_t wanted,
                   struct ctl_reply *reply)
{
    for (size_t i = 0; wanted && i < bridge->n_ports; i++) {
        const struct sw_port *other = &bridge->ports[i];

        if (other != port && other->ofport == wanted) {
            ctl_reply_error(reply, CTL_FAILED, "ofport %"PRIu32" is already used by port "
                            "\"%s\" on bridge %s", wanted, other->name, bridge->name);
            return false;
        }
    }
    port->ofport = wanted ? wanted : sw_bridge_free_ofport(bridge);
    if (!port->ofport) {
        ctl_reply_error(reply, CTL_FAILED, "bridge %s has no free ofport", bridge->name);
        return false;
    }
    return true;
}

/* A bond's members: devices that exist and are no port of any bridge. */
static bool
port_check_members(const struct portd_env *env, const struct sw_bridge *bridge,
                   const struct sw_port *port, struct ctl_reply *reply)
{
    const char *value = cfg_file_get(&port->options, "members");
    bool ok = true;
    char **members;
    size_t n;

    if (port->type != SW_PORT_BOND) {
        return true;
    } else if (!value || sw_split_members(value, &members, &n) || n < 2) {
        ctl_reply_error(reply, CTL_USAGE, "a bond needs two or more members "
                        "(members=IFACE,IFACE,...)");
        if (value) {
            sw_names_free(members, n);
        }
        return false;
    }
    for (size_t i = 0; ok && i < n; i++) {
        if (!if_nametoindex(members[i])) {
            ctl_reply_error(reply, CTL_FAILED, "no network device \"%s\" for bond %s "
                            "(create it first, e.g. with ip link)", members[i], port->name);
            ok = false;
        } else {
            ok = port_name_is_free(env, bridge, members[i], reply);
        }
    }
    sw_names_free(members, n);
    return ok;
}

/* Runs every check of a new port against the loaded 'bridge' and the
 * system, and adds it. */
static bool
port_add(const struct portd_env *env, struct sw_bridge *bridge, struct sw_port *port,
         struct ctl_reply *reply)
{
    if (!port_name_is_free(env, bridge, port->name, reply)
        || !port_check_device(port, reply)
        || !port_check_members(env, bridge, port, reply)
        || !portd_check_tunnel(env, bridge, port, reply)
        || !port_assign_ofport(bridge, port, port->ofport, reply)) {
        return false;
    }
    sw_bridge_add_port(bridge, port);
    return true;
}

/* add-port BR PORT [KEY=VALUE...] */
void
port_add_cmd(struct ctl_reply *reply, int argc, char *argv[], void *env_)
{
    const struct portd_env *env = env_;
    struct portd_lock lock;
    struct sw_bridge bridge;
    struct sw_port port;
    bool changed = false;

    if (!portd_check_name(reply, "bridge", argv[1])
        || !portd_check_name(reply, "port", argv[2])) {
        return;
    }
    sw_port_init(&port, argv[2]);
    if (port_apply_words(&port, argc - 3, argv + 3, false, reply)
        && port_check_keys(&port, argc - 3, argv + 3, reply)
        && port_check_settings(&port, reply)
        && !portd_lock(env, true, &lock, reply)) {
        if (!portd_load_bridge(env, argv[1], &bridge, reply)) {
            changed = port_add(env, &bridge, &port, reply)
                      && !portd_save_bridge(env, &bridge, reply);
        }
        sw_bridge_destroy(&bridge);
        portd_unlock(&lock);
    }
    sw_port_destroy(&port);
    if (changed) {
        portd_notify_flowd(env, reply);
    }
}

/* add-bond BR BOND IFACE IFACE... [KEY=VALUE...]: add-port of a port
 * with type=bond and members=IFACE,IFACE,... */
void
port_add_bond_cmd(struct ctl_reply *reply, int argc, char *argv[], void *env)
{
    struct buf members = BUF_INITIALIZER;
    char **args = xcalloc(argc + 2, sizeof *args);
    int n_args = 0, i;

    args[n_args++] = argv[0];
    args[n_args++] = argv[1];
    args[n_args++] = argv[2];
    for (i = 3; i < argc && !strchr(argv[i], '='); i++) {
        buf_printf(&members, "%s%s", members.size ? "," : "", argv[i]);
    }
    if (i - 3 < 2) {
        ctl_reply_error(reply, CTL_USAGE, "usage: add-bond BR BOND IFACE IFACE... "
                        "[bond_mode=active-backup|balance-slb|balance-tcp] "
                        "[lacp=active|passive|off]");
    } else {
        char *type = xstrdup("type=bond");
        char *members_word = xasprintf("members=%s", buf_cstr(&members));

        args[n_args++] = type;
        args[n_args++] = members_word;
        for (; i < argc; i++) {
            args[n_args++] = argv[i];
        }
        port_add_cmd(reply, n_args, args, env);
        free(type);
        free(members_word);
    }
    buf_uninit(&members);
    free(args);
}

/* del-port BR PORT */
void
port_del_cmd(struct ctl_reply *reply, int argc, char *argv[], void *env_)
{
    const struct portd_env *env = env_;
    struct portd_lock lock;
    struct sw_bridge bridge;
    bool changed = false;

    if (!portd_check_name(reply, "bridge", argv[1])
        || !portd_check_name(reply, "port", argv[2])
        || portd_lock(env, true, &lock, reply)) {
        return;
    }
    if (!portd_load_bridge(env, argv[1], &bridge, reply)) {
        if (!sw_bridge_remove_port(&bridge, argv[2])) {
            ctl_reply_error(reply, CTL_FAILED, "no port \"%s\" on bridge %s (try \"portd "
                            "list-ports %s\")", argv[2], argv[1], argv[1]);
        } else {
            changed = !portd_save_bridge(env, &bridge, reply);
        }
    }
    sw_bridge_destroy(&bridge);
    portd_unlock(&lock);
    if (changed) {
        portd_notify_flowd(env, reply);
    }
}

/* list-ports BR */
void
port_list_cmd(struct ctl_reply *reply, int argc, char *argv[], void *env_)
{
    const struct portd_env *env = env_;
    struct portd_lock lock;
    struct sw_bridge bridge;

    if (!portd_check_name(reply, "bridge", argv[1]) || portd_lock(env, false, &lock, reply)) {
        return;
    }
    if (!portd_load_bridge(env, argv[1], &bridge, reply)) {
        for (size_t i = 0; i < bridge.n_ports; i++) {
            ctl_reply_printf(reply, "%s\n", bridge.ports[i].name);
        }
    }
    sw_bridge_destroy(&bridge);
    portd_unlock(&lock);
}

/* Applies set-port's words to 'port' of 'bridge' and checks the result as
 * add-port would. */
static bool
port_change(const struct portd_env *env, struct sw_bridge *bridge, struct sw_port *port,
            int n, char *words[], struct ctl_reply *reply)
{
    enum sw_port_type old_type = port->type;
    uint32_t old_ofport = port->ofport;

    return port_apply_words(port, n, words, true, reply)
           && port_check_keys(port, n, words, reply)
           && port_check_settings(port, reply)
           && (port->type == old_type || port_check_device(port, reply))
           && portd_check_tunnel(env, bridge, port, reply)
           && (port->ofport == old_ofport
               || port_assign_ofport(bridge, port, port->ofport, reply));
}

/* set-port BR PORT KEY=VALUE... */
void
port_set_cmd(struct ctl_reply *reply, int argc, char *argv[], void *env_)
{
    const struct portd_env *env = env_;
    struct portd_lock lock;
    struct sw_bridge bridge;
    struct sw_port scratch;
    struct sw_port *port;
    bool changed = false, valid;

    if (!portd_check_name(reply, "bridge", argv[1])
        || !portd_check_name(reply, "port", argv[2])) {
        return;
    }
    /* Bad words are bad usage, whether or not the port exists. */
    sw_port_init(&scratch, argv[2]);
    valid = port_apply_words(&scratch, argc - 3, argv + 3, true, reply);
    sw_port_destroy(&scratch);
    if (!valid || portd_lock(env, true, &lock, reply)) {
        return;
    }
    if (!portd_load_bridge(env, argv[1], &bridge, reply)) {
        port = sw_bridge_find_port(&bridge, argv[2]);
        if (!port) {
            ctl_reply_error(reply, CTL_FAILED, "no port \"%s\" on bridge %s (try \"portd "
                            "list-ports %s\")", argv[2], argv[1], argv[1]);
        } else if (port_change(env, &bridge, port, argc - 3, argv + 3, reply)) {
            changed = !portd_save_bridge(env, &bridge, reply);
        }
    }
    sw_bridge_destroy(&bridge);
    portd_unlock(&lock);
    if (changed) {
        portd_notify_flowd(env, reply);
    }
}
