/* tunnel-check: what portd checks about a tunnel port before it writes one,
 * beyond what tnl-config checks of its settings alone: that it does not
 * point at this host itself, and that its receive side (type, UDP port,
 * remote, local, key) is not already taken by another tunnel port on any
 * bridge (flowd could not tell their packets apart). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "portd.h"
#include "tnl-config.h"

/* Checks 'port' against the tunnel ports of 'bridge' (whose copy in the
 * store is stale) and of every other bridge in the store. */
static bool
check_overlaps(const struct portd_env *env, const struct sw_bridge *bridge,
               const struct sw_port *port, const struct tnl_config *cfg,
               struct ctl_reply *reply)
{
    struct buf errors = BUF_INITIALIZER;
    struct sw_bridge *all = NULL;
    size_t n_all = 0;
    bool ok = true;

    sw_load_all(env->confdir, &all, &n_all, &errors);
    for (size_t b = 0; ok && b <= n_all; b++) {
        const struct sw_bridge *br = b < n_all ? &all[b] : bridge;

        if (b < n_all && !strcmp(all[b].name, bridge->name)) {
            continue;
        }
        for (size_t i = 0; ok && i < br->n_ports; i++) {
            const struct sw_port *other = &br->ports[i];
            struct buf ignored = BUF_INITIALIZER;
            struct tnl_config other_cfg;

            if (br == bridge && !strcmp(other->name, port->name)) {
                continue;
            }
            if (tnl_port_type_is_tunnel(other->type)
                && !tnl_config_from_port(other, &other_cfg, &ignored)
                && tnl_config_overlaps(cfg, &other_cfg)) {
                ctl_reply_error(reply, CTL_FAILED, "tunnel port %s on bridge %s already "
                                "receives what %s would (same type, remote_ip, local_ip, "
                                "key and UDP port); use another key or remote_ip",
                                other->name, br->name, port->name);
                ok = false;
            }
            buf_uninit(&ignored);
        }
    }
    sw_bridges_free(all, n_all);
    buf_uninit(&errors);
    return ok;
}

bool
portd_check_tunnel(const struct portd_env *env, const struct sw_bridge *bridge,
                   const struct sw_port *port, struct ctl_reply *reply)
{
    struct buf error = BUF_INITIALIZER;
    struct tnl_config cfg;

    if (!tnl_port_type_is_tunnel(port->type)) {
        return true;
    } else if (tnl_config_from_port(port, &cfg, &error)) {
        buf_chomp(&error);
        ctl_reply_error(reply, CTL_USAGE, "%s", buf_cstr(&error));
        buf_uninit(&error);
        return false;
    }
    buf_uninit(&error);
    if (!cfg.remote_flow && tnl_address_is_local(cfg.remote_ip)) {
        char text[INET_ADDRSTRLEN];

        inet_ntop(AF_INET, &cfg.remote_ip, text, sizeof text);
        ctl_reply_error(reply, CTL_FAILED, "remote_ip=%s is an address of this host: a "
                        "tunnel to ourselves; give the other host's address", text);
        return false;
    }
    return check_overlaps(env, bridge, port, &cfg, reply);
}
