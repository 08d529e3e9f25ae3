/* bridge: the bridge commands of portd: add-br, del-br, list-br and
 * set-bridge. Each validates everything it was given before it touches the
 * store, edits under the store's lock, and tells flowd after a change. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "portd.h"

/* Applies "KEY=VALUE" words to 'bridge'. With 'allow_unset', "KEY=" removes
 * an option. Returns false with a usage error in 'reply' on the first bad
 * word. */
static bool
bridge_apply_words(struct sw_bridge *bridge, int n, char *words[], bool allow_unset,
                   struct ctl_reply *reply)
{
    if (!portd_check_keys(reply, "a bridge", n, words, sw_bridge_keys)
        || (!allow_unset && !portd_check_values(reply, n, words))) {
        return false;
    }
    for (int i = 0; i < n; i++) {
        struct buf error = BUF_INITIALIZER;
        const char *value;
        char *key;
        int retval = 0;

        if (allow_unset && portd_split_word(words[i], &key, &value)) {
            bool typed = !strcmp(key, "datapath") || !strcmp(key, "fail-mode");

            /* Typed settings cannot be removed; their own validation
             * says what they expect instead. */
            if (*value || typed) {
                retval = sw_bridge_set(bridge, key, value, &error);
            } else {
                cfg_file_unset(&bridge->options, key);
            }
            free(key);
        } else {
            retval = sw_bridge_set_word(bridge, words[i], &error);
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
    bridge->datapath = portd_resolve_datapath(bridge->datapath);
    return true;
}

/* A new bridge's name must be free, also as the name of a port, since the
 * bridge's own internal port carries it. */
static bool
bridge_name_is_free(const struct portd_env *env, const char *name, struct ctl_reply *reply)
{
    char *owner;

    if (portd_bridge_exists(env, name)) {
        ctl_reply_error(reply, CTL_FAILED, "bridge %s already exists", name);
        return false;
    }
    switch (portd_find_port_owner(env, name, NULL, &owner, reply)) {
    case ENOENT:
        return true;
    case 0:
        ctl_reply_error(reply, CTL_FAILED, "\"%s\" is already a port on bridge %s",
                        name, owner);
        free(owner);
        return false;
    default:
        return false;
    }
}

/* Gives a new bridge a random datapath id unless it was given one. A
 * controller tells its switches apart by this id, and bridges on different
 * hosts often share a name (br-int), so it cannot come from the name; saved
 * in the bridge's file, it stays the same across restarts. Like Open
 * vSwitch's ids it looks like a MAC address (48 bits, locally administered,
 * unicast) in the low bits. */
static void
bridge_pick_datapath_id(struct sw_bridge *bridge)
{
    uint8_t mac[6];
    uint64_t dpid = 0;
    char text[17];

    if (cfg_file_get(&bridge->options, "datapath-id")
        || getrandom(mac, sizeof mac, 0) != sizeof mac) {
        /* Without randomness flowd falls back to an id from the name. */
        return;
    }
    mac[0] = (mac[0] & 0xfc) | 0x02;
    for (size_t i = 0; i < sizeof mac; i++) {
        dpid = (dpid << 8) | mac[i];
    }
    snprintf(text, sizeof text, "%016" PRIx64, dpid);
    cfg_file_set(&bridge->options, "datapath-id", text);
}

/* add-br BR [KEY=VALUE...] */
void
bridge_add_cmd(struct ctl_reply *reply, int argc, char *argv[], void *env_)
{
    const struct portd_env *env = env_;
    const char *name = argv[1];
    struct portd_lock lock;
    struct sw_bridge bridge;
    bool changed = false;

    if (!portd_check_name(reply, "bridge", name)) {
        return;
    }
    sw_bridge_init(&bridge, name);
    if (bridge_apply_words(&bridge, argc - 2, argv + 2, false, reply)
        && !portd_lock(env, true, &lock, reply)) {
        if (bridge_name_is_free(env, name, reply)) {
            bridge_pick_datapath_id(&bridge);
            if (!portd_save_bridge(env, &bridge, reply)) {
                changed = true;
            } else {
                /* Leave no half-written bridge behind. */
                struct buf ignored = BUF_INITIALIZER;

                sw_bridge_delete(env->confdir, name, &ignored);
                buf_uninit(&ignored);
            }
        }
        portd_unlock(&lock);
    }
    sw_bridge_destroy(&bridge);
    if (changed) {
        portd_notify_flowd(env, reply);
    }
}

/* del-br BR */
void
bridge_del_cmd(struct ctl_reply *reply, int argc, char *argv[], void *env_)
{
    const struct portd_env *env = env_;
    const char *name = argv[1];
    struct buf error = BUF_INITIALIZER;
    struct portd_lock lock;
    bool changed = false;

    if (!portd_check_name(reply, "bridge", name) || portd_lock(env, true, &lock, reply)) {
        return;
    }
    if (!portd_bridge_exists(env, name)) {
        ctl_reply_error(reply, CTL_FAILED, "no bridge \"%s\" (try \"portd list-br\")", name);
    } else if (sw_bridge_delete(env->confdir, name, &error)) {
        buf_chomp(&error);
        ctl_reply_error(reply, CTL_FAILED, "cannot delete bridge %s: %s", name,
                        buf_cstr(&error));
    } else {
        changed = true;
    }
    portd_unlock(&lock);
    buf_uninit(&error);
    if (changed) {
        portd_notify_flowd(env, reply);
    }
}

/* list-br */
void
bridge_list_cmd(struct ctl_reply *reply, int argc, char *argv[], void *env_)
{
    const struct portd_env *env = env_;
    struct buf error = BUF_INITIALIZER;
    struct portd_lock lock;
    char **names = NULL;
    size_t n = 0;
    int retval;

    if (portd_lock(env, false, &lock, reply)) {
        return;
    }
    retval = sw_list_bridges(env->confdir, &names, &n, &error);
    portd_unlock(&lock);
    if (retval && retval != ENOENT) {
        buf_chomp(&error);
        ctl_reply_error(reply, CTL_FAILED, "cannot list bridges: %s", buf_cstr(&error));
    } else {
        for (size_t i = 0; i < n; i++) {
            ctl_reply_printf(reply, "%s\n", names[i]);
        }
    }
    sw_names_free(names, n);
    buf_uninit(&error);
}

/* set-bridge BR KEY=VALUE... */
void
bridge_set_cmd(struct ctl_reply *reply, int argc, char *argv[], void *env_)
{
    const struct portd_env *env = env_;
    const char *name = argv[1];
    struct portd_lock lock;
    struct sw_bridge bridge;
    bool changed = false;

    if (!portd_check_name(reply, "bridge", name)) {
        return;
    }
    /* Check the words on a scratch bridge first, so that bad usage is
     * reported as such even when the bridge does not exist. */
    sw_bridge_init(&bridge, name);
    if (!bridge_apply_words(&bridge, argc - 2, argv + 2, true, reply)) {
        sw_bridge_destroy(&bridge);
        return;
    }
    sw_bridge_destroy(&bridge);

    if (portd_lock(env, true, &lock, reply)) {
        return;
    }
    if (!portd_load_bridge(env, name, &bridge, reply)) {
        if (bridge_apply_words(&bridge, argc - 2, argv + 2, true, reply)
            && !portd_save_bridge(env, &bridge, reply)) {
            changed = true;
        }
    }
    portd_unlock(&lock);
    sw_bridge_destroy(&bridge);
    if (changed) {
        portd_notify_flowd(env, reply);
    }
}
