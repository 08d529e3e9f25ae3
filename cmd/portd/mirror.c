/* mirror: the mirror commands of portd: add-mirror and del-mirror (SPAN
 * and RSPAN, swmirror.h). A new mirror is checked completely (its
 * settings, and that every port it names is a port of the bridge) before
 * the store is touched; show.c prints mirrors with the bridge. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "portd.h"
#include "swmirror.h"

/* Timeout for asking flowd about mirror counters: show must stay quick. */
#define MIRROR_STATS_TIMEOUT_MS 2000

static const char *const mirror_keys[] = {
    "select-src", "select-dst", "select-all", "select-vlan", "output-port", "output-vlan",
    NULL,
};

/* Applies "KEY=VALUE" words to 'm' and checks the result on its own. */
static bool
mirror_apply_words(struct sw_mirror *m, int n, char *words[], struct ctl_reply *reply)
{
    struct buf error = BUF_INITIALIZER;
    const char *key;

    if (!portd_check_keys(reply, "a mirror", n, words, mirror_keys)
        || !portd_check_values(reply, n, words)) {
        return false;
    }
    for (int i = 0; i < n; i++) {
        if (sw_mirror_set_word(m, words[i], &error)) {
            ctl_reply_error(reply, CTL_USAGE, "%s", buf_cstr(&error));
            buf_uninit(&error);
            return false;
        }
    }
    if (sw_mirror_validate(m, &key, &error)) {
        ctl_reply_error(reply, CTL_USAGE, "%s", buf_cstr(&error));
        buf_uninit(&error);
        return false;
    }
    buf_uninit(&error);
    return true;
}

/* A port a mirror names: one of the bridge's ports, or the bridge itself
 * (its own internal port). */
static bool
mirror_check_port(const struct sw_bridge *bridge, const char *key, const char *port,
                  struct ctl_reply *reply)
{
    if (!strcmp(port, bridge->name) || sw_bridge_find_port(bridge, port)) {
        return true;
    }
    ctl_reply_error(reply, CTL_FAILED, "%s: no port \"%s\" on bridge %s (try \"portd "
                    "list-ports %s\")", key, port, bridge->name, bridge->name);
    return false;
}

static bool
mirror_check_ports(const struct sw_bridge *bridge, const struct sw_mirror *m,
                   struct ctl_reply *reply)
{
    for (size_t i = 0; i < m->n_select_src; i++) {
        if (!mirror_check_port(bridge, "select-src", m->select_src[i], reply)) {
            return false;
        }
    }
    for (size_t i = 0; i < m->n_select_dst; i++) {
        if (!mirror_check_port(bridge, "select-dst", m->select_dst[i], reply)) {
            return false;
        }
    }
    return !m->output_port || mirror_check_port(bridge, "output-port", m->output_port,
                                                reply);
}

static bool
mirror_add(struct sw_bridge *bridge, struct sw_mirror *m, struct ctl_reply *reply)
{
    if (sw_bridge_find_mirror(bridge, m->name)) {
        ctl_reply_error(reply, CTL_FAILED, "mirror \"%s\" already exists on bridge %s "
                        "(del-mirror it first)", m->name, bridge->name);
        return false;
    }
    if (!mirror_check_ports(bridge, m, reply)) {
        return false;
    }
    sw_bridge_add_mirror(bridge, m);
    return true;
}

static bool
mirror_check_name(const char *name, struct ctl_reply *reply)
{
    if (sw_mirror_valid_name(name)) {
        return true;
    }
    ctl_reply_error(reply, CTL_USAGE, "invalid mirror name \"%s\": expected 1 to %d "
                    "letters, digits, '_', '.' or '-', not starting with '.'", name,
                    SW_MIRROR_NAME_MAX);
    return false;
}

/* add-mirror BR NAME [select-src=P,..] [select-dst=P,..] [select-all=true]
 *            [select-vlan=V,..] (output-port=P | output-vlan=VID) */
void
mirror_add_cmd(struct ctl_reply *reply, int argc, char *argv[], void *env_)
{
    const struct portd_env *env = env_;
    struct portd_lock lock;
    struct sw_bridge bridge;
    struct sw_mirror m;
    bool changed = false;

    if (!portd_check_name(reply, "bridge", argv[1]) || !mirror_check_name(argv[2], reply)) {
        return;
    }
    sw_mirror_init(&m, argv[2]);
    if (mirror_apply_words(&m, argc - 3, argv + 3, reply)
        && !portd_lock(env, true, &lock, reply)) {
        if (!portd_load_bridge(env, argv[1], &bridge, reply)) {
            changed = mirror_add(&bridge, &m, reply)
                      && !portd_save_bridge(env, &bridge, reply);
        }
        sw_bridge_destroy(&bridge);
        portd_unlock(&lock);
    }
    sw_mirror_destroy(&m);
    if (changed) {
        portd_notify_flowd(env, reply);
    }
}

/* del-mirror BR NAME */
void
mirror_del_cmd(struct ctl_reply *reply, int argc, char *argv[], void *env_)
{
    const struct portd_env *env = env_;
    struct portd_lock lock;
    struct sw_bridge bridge;
    bool changed = false;

    if (!portd_check_name(reply, "bridge", argv[1]) || !mirror_check_name(argv[2], reply)
        || portd_lock(env, true, &lock, reply)) {
        return;
    }
    if (!portd_load_bridge(env, argv[1], &bridge, reply)) {
        if (!sw_bridge_remove_mirror(&bridge, argv[2])) {
            ctl_reply_error(reply, CTL_FAILED, "no mirror \"%s\" on bridge %s (try "
                            "\"portd show %s\")", argv[2], argv[1], argv[1]);
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

/* ---- show ------------------------------------------------------------------- */

/* What flowd says about one mirror ("mirror-stats BR": lines
 * "NAME TX_PACKETS TX_BYTES STATUS", STATUS "ok" or why it is idle). */
struct mirror_stats {
    char name[SW_MIRROR_NAME_MAX + 1];
    unsigned long long tx_packets;
    unsigned long long tx_bytes;
    char status[256];
};

/* Asks flowd for the stats of 'br''s mirrors; none when flowd does not
 * run. Returns how many, '*stats' malloc'd. */
static size_t
mirror_stats_fetch(const struct portd_env *env, const char *br, struct mirror_stats **stats)
{
    char *path = xasprintf("%s/flowd.ctl", env->rundir);
    char *argv[] = { "mirror-stats", (char *) br };
    struct buf output = BUF_INITIALIZER, error = BUF_INITIALIZER;
    size_t n = 0, allocated = 0;

    *stats = NULL;
    if (!ctl_client_call(path, 2, argv, MIRROR_STATS_TIMEOUT_MS, &output, &error)
        && output.size) {
        char *save = NULL;

        for (char *line = strtok_r(output.data, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save)) {
            struct mirror_stats s;
            int used = 0;

            memset(&s, 0, sizeof s);
            if (sscanf(line, "%32s %llu %llu %n", s.name, &s.tx_packets, &s.tx_bytes,
                       &used) < 3) {
                continue;
            }
            snprintf(s.status, sizeof s.status, "%s", line + used);
            *stats = x2nrealloc(*stats, &allocated, n + 1, sizeof **stats);
            (*stats)[n++] = s;
        }
    }
    buf_uninit(&output);
    buf_uninit(&error);
    free(path);
    return n;
}

static const struct mirror_stats *
mirror_stats_find(const struct mirror_stats *stats, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(stats[i].name, name)) {
            return &stats[i];
        }
    }
    return NULL;
}

void
mirror_show_text(struct ctl_reply *reply, const struct portd_env *env,
                 const struct sw_bridge *bridge)
{
    struct mirror_stats *stats = NULL;
    size_t n_stats = bridge->n_mirrors ? mirror_stats_fetch(env, bridge->name, &stats) : 0;

    for (size_t i = 0; i < bridge->n_mirrors; i++) {
        const struct sw_mirror *m = &bridge->mirrors[i];
        const struct mirror_stats *s = mirror_stats_find(stats, n_stats, m->name);
        struct cfg_file file;

        ctl_reply_printf(reply, "    Mirror %s\n", m->name);
        sw_mirror_to_cfg(m, &file);
        for (size_t j = 0; j < file.n; j++) {
            ctl_reply_printf(reply, "        %s: %s\n", file.entries[j].key,
                             file.entries[j].value);
        }
        cfg_file_destroy(&file);
        if (s) {
            ctl_reply_printf(reply, "        tx_packets: %llu\n", s->tx_packets);
            ctl_reply_printf(reply, "        tx_bytes: %llu\n", s->tx_bytes);
            ctl_reply_printf(reply, "        status: %s\n", s->status);
        }
    }
    free(stats);
}

void
mirror_show_json(struct json_writer *w, const struct portd_env *env,
                 const struct sw_bridge *bridge)
{
    struct mirror_stats *stats = NULL;
    size_t n_stats = bridge->n_mirrors ? mirror_stats_fetch(env, bridge->name, &stats) : 0;

    json_key(w, "mirrors");
    json_array_begin(w);
    for (size_t i = 0; i < bridge->n_mirrors; i++) {
        const struct sw_mirror *m = &bridge->mirrors[i];
        const struct mirror_stats *s = mirror_stats_find(stats, n_stats, m->name);
        json_object_begin(w);
        json_kv_string(w, "name", m->name);
        json_key(w, "select_src");
        json_array_begin(w);
        for (size_t j = 0; j < m->n_select_src; j++) {
            json_string(w, m->select_src[j]);
        }
        json_array_end(w);
        json_key(w, "select_dst");
        json_array_begin(w);
        for (size_t j = 0; j < m->n_select_dst; j++) {
            json_string(w, m->select_dst[j]);
        }
        json_array_end(w);
        json_kv_bool(w, "select_all", m->select_all);
        json_key(w, "select_vlan");
        json_array_begin(w);
        for (size_t j = 0; j < m->n_select_vlan; j++) {
            json_uint(w, m->select_vlan[j]);
        }
        json_array_end(w);
        if (m->output_port) {
            json_kv_string(w, "output_port", m->output_port);
        } else {
            json_kv_int(w, "output_vlan", m->output_vlan);
        }
        if (s) {
            json_kv_uint(w, "tx_packets", s->tx_packets);
            json_kv_uint(w, "tx_bytes", s->tx_bytes);
            json_kv_string(w, "status", s->status);
        }
        json_object_end(w);
    }
    json_array_end(w);
    free(stats);
}
