/* export: the flow exports' counters in "portd show". Which exports a
 * bridge has is in its settings (netflow=, sflow=, ipfix=); what they have
 * sent only flowd knows: its "export-stats BR" command answers one line
 * "KIND DATAGRAMS RECORDS ERRORS" per export that is on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "portd.h"

/* Timeout for asking flowd: show must stay quick. */
#define EXPORT_STATS_TIMEOUT_MS 2000

struct export_line {
    char kind[16];                  /* "netflow", "sflow", "ipfix". */
    unsigned long long datagrams;   /* Datagrams sent. */
    unsigned long long records;     /* Records or samples in them. */
    unsigned long long errors;      /* Sends that failed. */
};

/* Asks flowd; returns how many lines it gave (none if it does not run). */
static size_t
export_fetch(const struct portd_env *env, const char *br, struct export_line lines[3])
{
    char *path = xasprintf("%s/flowd.ctl", env->rundir);
    char *argv[] = { "export-stats", (char *) br };
    struct buf output = BUF_INITIALIZER, error = BUF_INITIALIZER;
    size_t n = 0;

    if (!ctl_client_call(path, 2, argv, EXPORT_STATS_TIMEOUT_MS, &output, &error)
        && output.size) {
        char *save = NULL;

        for (char *line = strtok_r(output.data, "\n", &save); line && n < 3;
             line = strtok_r(NULL, "\n", &save)) {
            struct export_line *e = &lines[n];

            if (sscanf(line, "%15s %llu %llu %llu", e->kind, &e->datagrams, &e->records,
                       &e->errors) == 4) {
                n++;
            }
        }
    }
    buf_uninit(&output);
    buf_uninit(&error);
    free(path);
    return n;
}

void
export_show_text(struct ctl_reply *reply, const struct portd_env *env,
                 const struct sw_bridge *bridge)
{
    struct export_line lines[3];
    size_t n = export_fetch(env, bridge->name, lines);

    for (size_t i = 0; i < n; i++) {
        ctl_reply_printf(reply, "    %s_stats: datagrams=%llu records=%llu errors=%llu\n",
                         lines[i].kind, lines[i].datagrams, lines[i].records,
                         lines[i].errors);
    }
}

void
export_show_json(struct json_writer *w, const struct portd_env *env,
                 const struct sw_bridge *bridge)
{
    struct export_line lines[3];
    size_t n = export_fetch(env, bridge->name, lines);

    json_key(w, "exports");
    json_object_begin(w);
    for (size_t i = 0; i < n; i++) {
        json_key(w, lines[i].kind);
        json_object_begin(w);
        json_kv_uint(w, "datagrams", lines[i].datagrams);
        json_kv_uint(w, "records", lines[i].records);
        json_kv_uint(w, "errors", lines[i].errors);
        json_object_end(w);
    }
    json_object_end(w);
}
