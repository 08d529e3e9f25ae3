/* show: "portd show [BR] [--format=json|-j]": the bridges, their settings
 * and ports, for people (in the manner of ovs-vsctl show) or as JSON. The
 * configuration comes from the store; each port's live state, when flowd
 * runs, from flowd's "port-state BR" command (lines "NAME OFPORT STATE"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "portd.h"

/* Timeout for asking flowd about port states: show must stay quick. */
#define SHOW_STATE_TIMEOUT_MS 2000

/* Live port states of one bridge, as flowd reported them. */
struct show_states {
    struct show_state {
        char *name;             /* Port name. */
        char *state;            /* "up", "down", "absent", "error". */
    } *items;
    size_t n, allocated;
};

static void
show_states_destroy(struct show_states *states)
{
    for (size_t i = 0; i < states->n; i++) {
        free(states->items[i].name);
        free(states->items[i].state);
    }
    free(states->items);
}

/* Asks flowd for bridge 'br''s port states; leaves 'states' empty if flowd
 * does not run or does not know (show then just omits states). */
static void
show_states_fetch(const struct portd_env *env, const char *br, struct show_states *states)
{
    char *path = xasprintf("%s/flowd.ctl", env->rundir);
    char *argv[] = { "port-state", (char *) br };
    struct buf output = BUF_INITIALIZER, error = BUF_INITIALIZER;
    memset(states, 0, sizeof *states);
    if (!ctl_client_call(path, 2, argv, SHOW_STATE_TIMEOUT_MS, &output, &error)
        && output.size) {
        char *save = NULL;

        for (char *line = strtok_r(output.data, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save)) {
            char name[64], state[32];
            unsigned int ofport;

            if (sscanf(line, "%63s %u %31s", name, &ofport, state) != 3) {
                continue;
            }
            states->items = x2nrealloc(states->items, &states->allocated, states->n + 1,
                                       sizeof *states->items);
            states->items[states->n].name = xstrdup(name);
            states->items[states->n++].state = xstrdup(state);
        }
    }
    buf_uninit(&output);
    buf_uninit(&error);
    free(path);
}

static const char *
show_states_find(const struct show_states *states, const char *name)
{
    for (size_t i = 0; i < states->n; i++) {
        if (!strcmp(states->items[i].name, name)) {
            return states->items[i].state;
        }
    }
    return NULL;
}

/* ---- for people ---------------------------------------------------------- */

static void
show_text_options(struct ctl_reply *reply, const struct cfg_file *options,
                  const char *indent)
{
    for (size_t i = 0; i < options->n; i++) {
        ctl_reply_printf(reply, "%s%s: %s\n", indent, options->entries[i].key,
                         options->entries[i].value);
    }
}

static void
show_text_port(struct ctl_reply *reply, const struct sw_port *port, const char *state)
{
    ctl_reply_printf(reply, "    Port %s\n", port->name);
    ctl_reply_printf(reply, "        ofport: %u\n", (unsigned int) port->ofport);
    ctl_reply_printf(reply, "        type: %s\n", sw_port_type_to_string(port->type));
    if (port->tag >= 0) {
        ctl_reply_printf(reply, "        tag: %d\n", port->tag);
    }
    if (port->n_trunks) {
        struct buf trunks = BUF_INITIALIZER;

        sw_format_vlan_list(&trunks, port->trunks, port->n_trunks);
        ctl_reply_printf(reply, "        trunks: %s\n", buf_cstr(&trunks));
        buf_uninit(&trunks);
    }
    if (port->vlan_mode != SW_VLAN_AUTO) {
        ctl_reply_printf(reply, "        vlan_mode: %s\n",
                         sw_vlan_mode_to_string(port->vlan_mode));
    }
    if (port->peer) {
        ctl_reply_printf(reply, "        peer: %s\n", port->peer);
    }
    show_text_options(reply, &port->options, "        ");
    if (state) {
        ctl_reply_printf(reply, "        state: %s\n", state);
    }
}

static void
show_text_bridge(struct ctl_reply *reply, const struct portd_env *env,
                 const struct sw_bridge *bridge, const struct show_states *states)
{
    ctl_reply_printf(reply, "Bridge %s\n", bridge->name);
    ctl_reply_printf(reply, "    datapath: %s\n",
                     sw_datapath_type_to_string(bridge->datapath));
    ctl_reply_printf(reply, "    fail_mode: %s\n", sw_fail_mode_to_string(bridge->fail_mode));
    show_text_options(reply, &bridge->options, "    ");
    export_show_text(reply, env, bridge);
    for (size_t i = 0; i < bridge->n_ports; i++) {
        const struct sw_port *port = &bridge->ports[i];

        show_text_port(reply, port, show_states_find(states, port->name));
    }
    mirror_show_text(reply, env, bridge);
}

/* ---- JSON ---------------------------------------------------------------- */

static void
show_json_options(struct json_writer *w, const struct cfg_file *options)
{
    json_key(w, "options");
    json_object_begin(w);
    for (size_t i = 0; i < options->n; i++) {
        json_kv_string(w, options->entries[i].key, options->entries[i].value);
    }
    json_object_end(w);
}

static void
show_json_port(struct json_writer *w, const struct sw_port *port, const char *state)
{
    json_object_begin(w);
    json_kv_string(w, "name", port->name);
    json_kv_uint(w, "ofport", port->ofport);
    json_kv_string(w, "type", sw_port_type_to_string(port->type));
    if (port->tag >= 0) {
        json_kv_int(w, "tag", port->tag);
    }
    json_key(w, "trunks");
    json_array_begin(w);
    for (size_t i = 0; i < port->n_trunks; i++) {
        json_uint(w, port->trunks[i]);
    }
    json_array_end(w);
    json_kv_string(w, "vlan_mode", sw_vlan_mode_to_string(port->vlan_mode));
    if (port->peer) {
        json_kv_string(w, "peer", port->peer);
    }
    show_json_options(w, &port->options);
    if (state) {
        json_kv_string(w, "state", state);
    }
    json_object_end(w);
}

static void
show_json_bridge(struct json_writer *w, const struct portd_env *env,
                 const struct sw_bridge *bridge, const struct show_states *states)
{
    json_object_begin(w);
    json_kv_string(w, "name", bridge->name);
    json_kv_string(w, "datapath", sw_datapath_type_to_string(bridge->datapath));
    json_kv_string(w, "fail_mode", sw_fail_mode_to_string(bridge->fail_mode));
    show_json_options(w, &bridge->options);
    export_show_json(w, env, bridge);
    json_key(w, "ports");
    json_array_begin(w);
    for (size_t i = 0; i < bridge->n_ports; i++) {
        const struct sw_port *port = &bridge->ports[i];

        show_json_port(w, port, show_states_find(states, port->name));
    }
    json_array_end(w);
    mirror_show_json(w, env, bridge);
    json_object_end(w);
}

/* ---- the command ----------------------------------------------------------- */

/* Loads the bridges to show: one, or all that load (the others' problems
 * go into 'reply' as an error, after whatever can be shown). */
static int
show_load(const struct portd_env *env, const char *name, struct sw_bridge **bridges,
          size_t *n, struct ctl_reply *reply)
{
    struct buf errors = BUF_INITIALIZER;
    int retval;

    if (name) {
        *bridges = xmalloc(sizeof **bridges);
        retval = portd_load_bridge(env, name, *bridges, reply);
        if (retval) {
            sw_bridge_destroy(*bridges);
            free(*bridges);
            *bridges = NULL;
            *n = 0;
            return retval;
        }
        *n = 1;
        return 0;
    }
    retval = sw_load_all(env->confdir, bridges, n, &errors);
    if (retval && retval != ENOENT) {
        buf_chomp(&errors);
        ctl_reply_error(reply, CTL_FAILED, "%s", buf_cstr(&errors));
    }
    buf_uninit(&errors);
    return 0;
}

/* show [BR] [--format=json|-j] */
void
show_cmd(struct ctl_reply *reply, int argc, char *argv[], void *env_)
{
    const struct portd_env *env = env_;
    const char *name = NULL;
    struct sw_bridge *bridges = NULL;
    struct portd_lock lock;
    bool json = false;
    size_t n = 0;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--format=json") || !strcmp(argv[i], "-j")) {
            json = true;
        } else if (!strcmp(argv[i], "--format=text")) {
            json = false;
        } else if (argv[i][0] != '-' && !name) {
            name = argv[i];
        } else {
            ctl_reply_error(reply, CTL_USAGE, "usage: show [BR] [--format=json|-j]");
            return;
        }
    }
    if ((name && !portd_check_name(reply, "bridge", name))
        || portd_lock(env, false, &lock, reply)) {
        return;
    }
    if (show_load(env, name, &bridges, &n, reply)) {
        portd_unlock(&lock);
        return;
    }
    portd_unlock(&lock);

    struct json_writer w;

    if (json) {
        json_writer_init(&w, &reply->output);
        json_object_begin(&w);
        json_key(&w, "bridges");
        json_array_begin(&w);
    }
    for (size_t i = 0; i < n; i++) {
        struct show_states states;

        show_states_fetch(env, bridges[i].name, &states);
        if (json) {
            show_json_bridge(&w, env, &bridges[i], &states);
        } else {
            show_text_bridge(reply, env, &bridges[i], &states);
        }
        show_states_destroy(&states);
    }
    if (json) {
        json_array_end(&w);
        json_object_end(&w);
        ctl_reply_printf(reply, "\n");
    }
    sw_bridges_free(bridges, n);
}
