/* ofctl: flow commands: add-flow, add-flows, mod-flows, del-flows,
 * replace-flows, diff-flows, dump-flows, dump-aggregate.
 *
 * Files of flows are parsed completely before anything is sent, so a
 * typo on line 90,000 changes nothing on the switch; then every flow mod
 * goes out in one stream closed by a single BARRIER (ofctl_send_batch). */
#include "ofctl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "ofp-print.h"

/* A parsed file of flows (for diff-flows and replace-flows, which compare
 * it with the switch's). */
struct flow_file {
    struct ofp_flow_mod *flows;
    size_t n, allocated;
};

static void
flow_file_free(struct flow_file *ff)
{
    for (size_t i = 0; i < ff->n; i++) {
        ofpacts_uninit(&ff->flows[i].ofpacts);
    }
    free(ff->flows);
    memset(ff, 0, sizeof *ff);
}

/* The name of file 'name' in errors. */
static const char *
flow_file_label(const char *name)
{
    return strcmp(name, "-") ? name : "stdin";
}

/* Parses the flows of file 'name' ("-": stdin) one line at a time into
 * 'fm' and hands each to 'visit' with its line number; 'visit' owns
 * fm->ofpacts from then on. Stops at the first bad line (a usage error
 * naming FILE:LINE) or nonzero return of 'visit'. */
static int
parse_flow_file(struct ofctl *ctx, const char *name,
                int (*visit)(struct ofp_flow_mod *, unsigned int line, void *aux), void *aux)
{
    FILE *f = strcmp(name, "-") ? fopen(name, "r") : stdin;
    const struct ofp_port_map *map;
    struct buf error = BUF_INITIALIZER;
    struct ofp_flow_mod fm;
    char *line = NULL;
    size_t size = 0;
    unsigned int lineno = 0;
    int status = 0;

    if (!f) {
        return ofctl_error(OFCTL_FAILED, "%s: %s", name, strerror(errno));
    }
    map = ofctl_port_map(ctx);
    while (!status && getline(&line, &size, f) > 0) {
        char *p = line + strspn(line, " \t");

        lineno++;
        p[strcspn(p, "\r\n")] = '\0';
        if (!*p || *p == '#') {
            continue;
        }
        if (ofp_parse_flow(p, OFP_PARSE_ADD, map, &fm, &error)) {
            status = ofctl_error(OFCTL_USAGE, "%s:%u: %s", flow_file_label(name), lineno,
                                 buf_cstr(&error));
        } else {
            status = visit(&fm, lineno, aux);
        }
    }
    free(line);
    if (f != stdin) {
        fclose(f);
    }
    buf_uninit(&error);
    return status;
}

static int
keep_flow(struct ofp_flow_mod *fm, unsigned int line, void *ff_)
{
    struct flow_file *ff = ff_;

    ff->flows = x2nrealloc(ff->flows, &ff->allocated, ff->n + 1, sizeof *ff->flows);
    ff->flows[ff->n++] = *fm;
    return 0;
}

static int
read_flow_file(struct ofctl *ctx, const char *name, struct flow_file *ff)
{
    int status;

    memset(ff, 0, sizeof *ff);
    status = parse_flow_file(ctx, name, keep_flow, ff);
    if (status) {
        flow_file_free(ff);
    }
    return status;
}

/* OpenFlow 1.0 reaches tables other than 0 only through Open vSwitch's
 * NXT_FLOW_MOD_TABLE_ID extension: true if 'fm' needs it. */
static bool
needs_flow_mod_table_id(const struct ofp_flow_mod *fm)
{
    return (fm->table_id != 0
            && !(fm->table_id == OFPTT_ALL && fm->command >= OFPFC_DELETE));
}

/* Appends NXT_FLOW_MOD_TABLE_ID (set) to 'out' if OpenFlow 1.0 'fm' needs
 * it and the connection does not have it on yet. It stays on for the
 * connection, so from then on every flow mod carries its table (table 0
 * reads the same either way, so flow mods before it need no change).
 * Returns true if it appended the message. */
static bool
enable_flow_mod_table_id(struct ofctl *ctx, const struct ofp_flow_mod *fm, struct buf *out)
{
    struct ofp_msg m;

    if (ctx->version != OFP10_VERSION || ctx->flow_mod_table_id
        || !needs_flow_mod_table_id(fm)) {
        return false;
    }
    ofp_msg_init(&m, OFPTYPE_NXT_FLOW_MOD_TABLE_ID, ctx->version, ofctl_xid(ctx));
    m.flow_mod_table_id = true;
    ofp_encode(&m, out, NULL);      /* Fixed size: cannot fail. */
    ctx->flow_mod_table_id = true;
    return true;
}

/* Flow mods encoded for one batch, with the line each came from. */
struct flow_batch {
    struct ofctl *ctx;
    struct buf out;                 /* The encoded messages. */
    uint32_t first_xid;             /* Of the first message in 'out'. */
    unsigned int *lines;            /* Per message: its line; 0 for none. */
    size_t n, allocated;            /* Messages in 'out'. */
    const char *file;               /* For errors; NULL: no file. */
    struct buf error;               /* The first flow that could not be
                                     * encoded, if any ("FILE:LINE: why"). */
};

static void
flow_batch_init(struct flow_batch *b, struct ofctl *ctx, const char *file)
{
    memset(b, 0, sizeof *b);
    b->ctx = ctx;
    b->first_xid = ctx->next_xid;
    b->file = file;
    buf_init(&b->error);
}

static void
flow_batch_uninit(struct flow_batch *b)
{
    buf_uninit(&b->out);
    buf_uninit(&b->error);
    free(b->lines);
}

static void
flow_batch_note(struct flow_batch *b, unsigned int line)
{
    b->lines = x2nrealloc(b->lines, &b->allocated, b->n + 1, sizeof *b->lines);
    b->lines[b->n++] = line;
}

/* Encodes 'fm' as the batch's next message (after NXT_FLOW_MOD_TABLE_ID,
 * if it is the first to need that). A flow that the connection's version
 * cannot carry fails the batch, which then sends nothing; the rest of a
 * file is still parsed, so that a syntax error anywhere in it is what is
 * reported, as when every line was parsed before encoding. */
static void
flow_batch_add(struct flow_batch *b, const struct ofp_flow_mod *fm, unsigned int line)
{
    struct buf error = BUF_INITIALIZER;
    struct ofp_msg m;

    if (b->error.size) {
        return;
    }
    if (enable_flow_mod_table_id(b->ctx, fm, &b->out)) {
        flow_batch_note(b, 0);
    }
    ofp_msg_init(&m, OFPTYPE_FLOW_MOD, b->ctx->version, ofctl_xid(b->ctx));
    m.flow_mod = *fm;
    m.flow_mod.nx_table_id = b->ctx->flow_mod_table_id;
    if (ofp_encode(&m, &b->out, &error)) {
        if (b->file && line) {
            buf_printf(&b->error, "%s:%u: ", b->file, line);
        }
        buf_put_cstr(&b->error, buf_cstr(&error));
    } else {
        flow_batch_note(b, line);
    }
    buf_uninit(&error);
}

static int
flow_batch_send(struct flow_batch *b)
{
    struct ofctl_labels labels = { b->file, b->lines };

    if (b->error.size) {
        return ofctl_error(OFCTL_FAILED, "%s", buf_cstr(&b->error));
    }
    return ofctl_send_batch(b->ctx, &b->out, b->n, b->first_xid, b->file ? &labels : NULL);
}

static int
send_flow_mods(struct ofctl *ctx, struct ofp_flow_mod *fms, size_t n)
{
    struct flow_batch b;
    int status;

    flow_batch_init(&b, ctx, NULL);
    for (size_t i = 0; i < n && !b.error.size; i++) {
        flow_batch_add(&b, &fms[i], 0);
    }
    status = flow_batch_send(&b);
    flow_batch_uninit(&b);
    return status;
}

static int
flow_command(struct ofctl *ctx, const char *sw, const char *text, enum ofp_parse_mode mode,
             uint8_t command)
{
    struct buf error = BUF_INITIALIZER;
    struct ofp_flow_mod fm;
    int status = ofctl_open(ctx, sw);

    if (status) {
        return status;
    }
    if (ofp_parse_flow(text ? text : "", mode, ofctl_port_map(ctx), &fm, &error)) {
        status = ofctl_error(OFCTL_USAGE, "%s", buf_cstr(&error));
    } else {
        fm.command = command;
        status = send_flow_mods(ctx, &fm, 1);
        ofpacts_uninit(&fm.ofpacts);
    }
    buf_uninit(&error);
    return status;
}

int
ofctl_add_flow(struct ofctl *ctx, int argc, char *argv[])
{
    return flow_command(ctx, argv[1], argv[2], OFP_PARSE_ADD, OFPFC_ADD);
}

int
ofctl_mod_flows(struct ofctl *ctx, int argc, char *argv[])
{
    return flow_command(ctx, argv[1], argv[2], OFP_PARSE_MODIFY,
                        ctx->strict ? OFPFC_MODIFY_STRICT : OFPFC_MODIFY);
}

int
ofctl_del_flows(struct ofctl *ctx, int argc, char *argv[])
{
    return flow_command(ctx, argv[1], argc > 2 ? argv[2] : NULL, OFP_PARSE_MATCH,
                        ctx->strict ? OFPFC_DELETE_STRICT : OFPFC_DELETE);
}

/* add-flows: each line is encoded as soon as it is parsed (no array of
 * parsed flows: 100,000 of them took 64 MB), and nothing is sent before
 * the whole file has parsed. */
static int
batch_flow(struct ofp_flow_mod *fm, unsigned int line, void *b)
{
    flow_batch_add(b, fm, line);
    ofpacts_uninit(&fm->ofpacts);
    return 0;
}

int
ofctl_add_flows(struct ofctl *ctx, int argc, char *argv[])
{
    struct flow_batch b;
    int status = ofctl_open(ctx, argv[1]);

    if (status) {
        return status;
    }
    flow_batch_init(&b, ctx, flow_file_label(argv[2]));
    status = parse_flow_file(ctx, argv[2], batch_flow, &b);
    if (!status) {
        status = flow_batch_send(&b);
    }
    flow_batch_uninit(&b);
    return status;
}

/* ---- Dumping ------------------------------------------------------------------ */

/* The flow stats request for the flows matching 'text' (NULL: all). */
static int
flow_stats_request(struct ofctl *ctx, const char *text, struct ofp_msg *req)
{
    struct buf error = BUF_INITIALIZER;
    struct ofp_flow_mod fm;

    if (ofp_parse_flow(text ? text : "", OFP_PARSE_MATCH, ofctl_port_map(ctx), &fm, &error)) {
        int status = ofctl_error(OFCTL_USAGE, "%s", buf_cstr(&error));

        buf_uninit(&error);
        return status;
    }
    ofp_msg_init(req, OFPTYPE_FLOW_STATS_REQUEST, ctx->version, 0);
    req->flow_stats_request.table_id = fm.table_id;
    req->flow_stats_request.out_port = fm.out_port;
    req->flow_stats_request.out_group = fm.out_group;
    req->flow_stats_request.cookie = fm.cookie;
    req->flow_stats_request.cookie_mask = fm.cookie_mask;
    req->flow_stats_request.match = fm.match;
    ofpacts_uninit(&fm.ofpacts);
    buf_uninit(&error);
    return 0;
}

/* Fetches the switch's flows matching 'text' (NULL: all). */
static int
fetch_flows(struct ofctl *ctx, const char *text, struct ofp_msg **replies, size_t *n)
{
    struct ofp_msg req;
    int status = flow_stats_request(ctx, text, &req);

    return status ? status : ofctl_transact(ctx, &req, replies, n);
}

/* dump-flows output under way. */
struct flow_printer {
    struct ofctl *ctx;
    const struct ofp_port_map *map; /* For --names; fetched before the dump. */
    struct buf out;                 /* Text not written yet. */
    struct json_writer j;
};

/* Prints the flows of one reply as it arrives, so that formatting the
 * first replies overlaps the switch's encoding of the last ones. JSON is
 * kept until the end, so that a dump that fails half-way prints no broken
 * document. */
static int
print_flow_stats_reply(struct ofp_msg *m, void *printer_)
{
    struct flow_printer *p = printer_;
    const struct ofp_port_map *map = p->map;

    for (size_t k = 0; k < m->flow_stats.n; k++) {
        const struct ofp_flow_stats *fs = &m->flow_stats.flows[k];

        if (p->ctx->json) {
            ofp_flow_stats_to_json(&p->j, fs, map);
        } else {
            ofp_format_flow_stats(&p->out, fs, map);
            buf_put_char(&p->out, '\n');
        }
    }
    if (!p->ctx->json && p->out.size >= 65536) {
        fwrite(p->out.data, 1, p->out.size, stdout);
        buf_clear(&p->out);
    }
    ofp_msg_uninit(m);
    return 0;
}

int
ofctl_dump_flows(struct ofctl *ctx, int argc, char *argv[])
{
    struct flow_printer p = { .ctx = ctx, .out = BUF_INITIALIZER };
    struct ofp_msg req;
    int status = ofctl_open(ctx, argv[1]);

    if (status || (status = flow_stats_request(ctx, argc > 2 ? argv[2] : NULL, &req))) {
        return status;
    }
    p.map = ofctl_port_map(ctx);
    json_writer_init(&p.j, &p.out);
    if (ctx->json) {
        json_array_begin(&p.j);
    }
    status = ofctl_transact_each(ctx, &req, print_flow_stats_reply, &p);
    if (!status && ctx->json) {
        json_array_end(&p.j);
        buf_put_char(&p.out, '\n');
    }
    if (!status || !ctx->json) {
        fwrite(p.out.data ? p.out.data : "", 1, p.out.size, stdout);
    }
    buf_uninit(&p.out);
    return status;
}

int
ofctl_dump_aggregate(struct ofctl *ctx, int argc, char *argv[])
{
    struct buf error = BUF_INITIALIZER;
    struct ofp_msg req, *replies;
    struct ofp_flow_mod fm;
    size_t n;
    int status = ofctl_open(ctx, argv[1]);

    if (status) {
        return status;
    } else if (ofp_parse_flow(argc > 2 ? argv[2] : "", OFP_PARSE_MATCH, ofctl_port_map(ctx),
                              &fm, &error)) {
        status = ofctl_error(OFCTL_USAGE, "%s", buf_cstr(&error));
        buf_uninit(&error);
        return status;
    }
    ofp_msg_init(&req, OFPTYPE_AGGREGATE_REQUEST, ctx->version, 0);
    req.flow_stats_request.table_id = fm.table_id;
    req.flow_stats_request.out_port = fm.out_port;
    req.flow_stats_request.cookie = fm.cookie;
    req.flow_stats_request.cookie_mask = fm.cookie_mask;
    req.flow_stats_request.match = fm.match;
    ofpacts_uninit(&fm.ofpacts);
    status = ofctl_transact(ctx, &req, &replies, &n);
    if (!status && n) {
        const struct ofp_aggregate *a = &replies[0].aggregate;

        if (ctx->json) {
            printf("{\"packet_count\":%" PRIu64 ",\"byte_count\":%" PRIu64 ",\"flow_count\":%"
                   PRIu32 "}\n", a->packet_count, a->byte_count, a->flow_count);
        } else {
            printf("OFPST_AGGREGATE reply (%s) (xid=0x%" PRIx32 "): packet_count=%" PRIu64
                   " byte_count=%" PRIu64 " flow_count=%" PRIu32 "\n",
                   ctx->version == OFP10_VERSION ? "OF1.0" : "OF1.3", replies[0].xid,
                   a->packet_count, a->byte_count, a->flow_count);
        }
        ofctl_free_replies(replies, n);
    }
    buf_uninit(&error);
    return status;
}

/* ---- diff-flows and replace-flows ------------------------------------------- */

/* A flow reduced to what identifies it and what it does. */
struct flow_entry {
    uint8_t table_id;
    uint16_t priority;
    const struct ofmatch *match;
    const struct ofpacts *ofpacts;
    const struct ofp_flow_mod *fm;      /* From the file, or NULL. */
    const struct ofp_flow_stats *fs;    /* From the switch, or NULL. */
};

static int
compare_entries(const void *a_, const void *b_)
{
    const struct flow_entry *a = a_, *b = b_;

    if (a->table_id != b->table_id) {
        return a->table_id < b->table_id ? -1 : 1;
    } else if (a->priority != b->priority) {
        return a->priority < b->priority ? -1 : 1;
    }
    return memcmp(a->match, b->match, sizeof *a->match);
}

static struct flow_entry *
entries_from_file(const struct flow_file *ff)
{
    struct flow_entry *e = xcalloc(ff->n + 1, sizeof *e);

    for (size_t i = 0; i < ff->n; i++) {
        e[i] = (struct flow_entry) { ff->flows[i].table_id, ff->flows[i].priority,
                                     &ff->flows[i].match, &ff->flows[i].ofpacts,
                                     &ff->flows[i], NULL };
    }
    qsort(e, ff->n, sizeof *e, compare_entries);
    return e;
}

static struct flow_entry *
entries_from_switch(const struct ofp_msg *replies, size_t n_replies, size_t *n)
{
    struct flow_entry *e = NULL;
    size_t allocated = 0;

    *n = 0;
    for (size_t i = 0; i < n_replies; i++) {
        for (size_t k = 0; k < replies[i].flow_stats.n; k++) {
            const struct ofp_flow_stats *fs = &replies[i].flow_stats.flows[k];

            e = x2nrealloc(e, &allocated, *n + 1, sizeof *e);
            e[(*n)++] = (struct flow_entry) { fs->table_id, fs->priority, &fs->match,
                                              &fs->ofpacts, NULL, fs };
        }
    }
    if (*n) {
        qsort(e, *n, sizeof *e, compare_entries);
    }
    return e;
}

static void
print_entry(char sign, const struct flow_entry *e, const struct ofp_port_map *map)
{
    struct ofp_flow_mod fm;
    struct buf out = BUF_INITIALIZER;

    memset(&fm, 0, sizeof fm);
    fm.table_id = e->table_id;
    fm.priority = e->priority;
    fm.out_port = OFPP13_ANY;
    fm.match = *e->match;
    fm.ofpacts = *e->ofpacts;
    ofp_format_flow_mod(&out, &fm, map);
    printf("%c%s\n", sign, buf_cstr(&out));
    buf_uninit(&out);
}

/* Walks both sorted lists; calls back for flows only in the switch
 * ('sw'), only in the file ('file'), or in both with other actions. */
struct flow_diff {
    struct flow_entry *sw, *file;
    size_t n_sw, n_file;
};

typedef void diff_cb(const struct flow_entry *sw, const struct flow_entry *file, void *aux);

static size_t
walk_diff(const struct flow_diff *d, diff_cb *cb, void *aux)
{
    size_t i = 0, k = 0, n_diffs = 0;

    while (i < d->n_sw || k < d->n_file) {
        int cmp = i >= d->n_sw ? 1 : k >= d->n_file ? -1 : compare_entries(&d->sw[i], &d->file[k]);

        if (cmp < 0) {
            cb(&d->sw[i++], NULL, aux);
            n_diffs++;
        } else if (cmp > 0) {
            cb(NULL, &d->file[k++], aux);
            n_diffs++;
        } else {
            if (!ofpacts_equal(d->sw[i].ofpacts, d->file[k].ofpacts)) {
                cb(&d->sw[i], &d->file[k], aux);
                n_diffs++;
            }
            i++;
            k++;
        }
    }
    return n_diffs;
}

static int
load_diff(struct ofctl *ctx, char *argv[], struct flow_file *ff, struct ofp_msg **replies,
          size_t *n_replies, struct flow_diff *d)
{
    int status = ofctl_open(ctx, argv[1]);

    if (status || (status = read_flow_file(ctx, argv[2], ff))) {
        return status;
    }
    status = fetch_flows(ctx, NULL, replies, n_replies);
    if (status) {
        flow_file_free(ff);
        return status;
    }
    d->file = entries_from_file(ff);
    d->n_file = ff->n;
    d->sw = entries_from_switch(*replies, *n_replies, &d->n_sw);
    return 0;
}

static void
print_diff(const struct flow_entry *sw, const struct flow_entry *file, void *map)
{
    if (sw) {
        print_entry('-', sw, map);
    }
    if (file) {
        print_entry('+', file, map);
    }
}

int
ofctl_diff_flows(struct ofctl *ctx, int argc, char *argv[])
{
    struct ofp_msg *replies;
    struct flow_file ff;
    struct flow_diff d;
    size_t n_replies, n_diffs;
    int status = load_diff(ctx, argv, &ff, &replies, &n_replies, &d);

    if (status) {
        return status;
    }
    n_diffs = walk_diff(&d, print_diff, (void *) ofctl_port_map(ctx));
    free(d.sw);
    free(d.file);
    flow_file_free(&ff);
    ofctl_free_replies(replies, n_replies);
    return n_diffs ? OFCTL_FAILED : 0;
}

struct replace_ctx {
    struct ofp_flow_mod *mods;
    size_t n, allocated;
};

static void
collect_replace(const struct flow_entry *sw, const struct flow_entry *file, void *aux)
{
    struct replace_ctx *rc = aux;
    struct ofp_flow_mod *fm;

    rc->mods = x2nrealloc(rc->mods, &rc->allocated, rc->n + 1, sizeof *rc->mods);
    fm = &rc->mods[rc->n++];
    if (file) {
        *fm = *file->fm;                /* ADD replaces a same-match flow. */
        fm->command = OFPFC_ADD;
    } else {
        memset(fm, 0, sizeof *fm);
        fm->command = OFPFC_DELETE_STRICT;
        fm->table_id = sw->table_id;
        fm->priority = sw->priority;
        fm->match = *sw->match;
        fm->buffer_id = OFP_NO_BUFFER;
        fm->out_port = OFPP13_ANY;
        fm->out_group = OFPG_ANY;
        fm->cookie_mask = 0;
    }
}

int
ofctl_replace_flows(struct ofctl *ctx, int argc, char *argv[])
{
    struct replace_ctx rc = { NULL, 0, 0 };
    struct ofp_msg *replies;
    struct flow_file ff;
    struct flow_diff d;
    size_t n_replies;
    int status = load_diff(ctx, argv, &ff, &replies, &n_replies, &d);

    if (status) {
        return status;
    }
    walk_diff(&d, collect_replace, &rc);
    status = rc.n ? send_flow_mods(ctx, rc.mods, rc.n) : 0;
    free(rc.mods);              /* Actions belong to 'ff'. */
    free(d.sw);
    free(d.file);
    flow_file_free(&ff);
    ofctl_free_replies(replies, n_replies);
    return status;
}
