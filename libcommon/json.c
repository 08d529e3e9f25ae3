/* json: a streaming JSON writer. See json.h.
 *
 * Every program's --format=json output goes through here, so the one place
 * that knows about commas, nesting and escaping is this file. The writer
 * never fails: bad UTF-8 becomes U+FFFD and non-finite numbers become null,
 * because a half-written document would break the jq pipeline downstream
 * worse than a replaced character does. */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
json_writer_init(struct json_writer *w, struct buf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

/* Slot that tracks "something was written" for the current depth. Levels
 * beyond JSON_MAX_DEPTH share the last slot; that is still exact, because
 * a level is only ever re-entered after a value was written into it (see
 * end_container()). */
static bool *
has_items_slot(struct json_writer *w)
{
    int depth = w->depth < JSON_MAX_DEPTH ? w->depth : JSON_MAX_DEPTH - 1;

    return &w->has_items[depth];
}

/* Writes what must come before any value or key: a comma between items,
 * nothing right after a key. Top-level documents are separated by a newline
 * so that several of them form a stream jq reads one by one. */
static void
begin_item(struct json_writer *w)
{
    bool *has_items = has_items_slot(w);

    if (w->after_key) {
        w->after_key = false;
    } else if (*has_items) {
        buf_put_char(w->out, w->depth ? ',' : '\n');
    }
    *has_items = true;
}

static void
begin_container(struct json_writer *w, char open)
{
    begin_item(w);
    buf_put_char(w->out, open);
    w->depth++;
    *has_items_slot(w) = false;
}

static void
end_container(struct json_writer *w, char close)
{
    buf_put_char(w->out, close);
    w->after_key = false;
    if (w->depth > 0) {
        w->depth--;
    }
    /* The level we return to holds at least the container just closed. */
    *has_items_slot(w) = true;
}

void
json_object_begin(struct json_writer *w)
{
    begin_container(w, '{');
}

void
json_object_end(struct json_writer *w)
{
    end_container(w, '}');
}

void
json_array_begin(struct json_writer *w)
{
    begin_container(w, '[');
}

void
json_array_end(struct json_writer *w)
{
    end_container(w, ']');
}

void
json_key(struct json_writer *w, const char *key)
{
    begin_item(w);
    json_put_escaped(w->out, key ? key : "");
    buf_put_char(w->out, ':');
    w->after_key = true;
}

void
json_string(struct json_writer *w, const char *s)
{
    if (s) {
        begin_item(w);
        json_put_escaped(w->out, s);
    } else {
        json_null(w);
    }
}

void
json_int(struct json_writer *w, long long value)
{
    begin_item(w);
    buf_printf(w->out, "%lld", value);
}

void
json_uint(struct json_writer *w, unsigned long long value)
{
    begin_item(w);
    buf_printf(w->out, "%llu", value);
}

/* Formats 'value' with the fewest digits that still read back exactly, so
 * that 0.1 prints as 0.1 rather than 0.10000000000000001. */
static void
format_double(char *s, size_t size, double value)
{
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(s, size, "%.*g", precision, value);
        if (strtod(s, NULL) == value) {
            break;
        }
    }
    /* A locale with a decimal comma would produce invalid JSON. */
    for (char *p = s; *p; p++) {
        if (*p == ',') {
            *p = '.';
        }
    }
}

void
json_double(struct json_writer *w, double value)
{
    char s[64];

    if (!isfinite(value)) {
        json_null(w);
        return;
    }
    format_double(s, sizeof s, value);
    begin_item(w);
    buf_put_cstr(w->out, s);
}

void
json_bool(struct json_writer *w, bool value)
{
    begin_item(w);
    buf_put_cstr(w->out, value ? "true" : "false");
}

void
json_null(struct json_writer *w)
{
    begin_item(w);
    buf_put_cstr(w->out, "null");
}

void
json_kv_string(struct json_writer *w, const char *key, const char *value)
{
    json_key(w, key);
    json_string(w, value);
}

void
json_kv_int(struct json_writer *w, const char *key, long long value)
{
    json_key(w, key);
    json_int(w, value);
}

void
json_kv_uint(struct json_writer *w, const char *key, unsigned long long value)
{
    json_key(w, key);
    json_uint(w, value);
}

void
json_kv_bool(struct json_writer *w, const char *key, bool value)
{
    json_key(w, key);
    json_bool(w, value);
}

/* Returns the length of the well-formed UTF-8 sequence at 's' (1..4), or 0
 * if the bytes there are not one. Overlong forms, surrogates and code points
 * above U+10FFFF are not well-formed (RFC 3629). */
static size_t
utf8_sequence_length(const unsigned char *s)
{
    unsigned char c = s[0];
    unsigned char lo = 0x80, hi = 0xbf;
    size_t length;

    if (c < 0x80) {
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        length = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        length = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80;   /* Overlong. */
        hi = c == 0xed ? 0x9f : 0xbf;   /* Surrogates. */
    } else if (c >= 0xf0 && c <= 0xf4) {
        length = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;   /* Overlong. */
        hi = c == 0xf4 ? 0x8f : 0xbf;   /* Above U+10FFFF. */
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < length; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf) {
            return 0;
        }
    }
    return length;
}

static void
put_escaped_char(struct buf *out, unsigned char c)
{
    switch (c) {
    case '"': buf_put_cstr(out, "\\\""); break;
    case '\\': buf_put_cstr(out, "\\\\"); break;
    case '\b': buf_put_cstr(out, "\\b"); break;
    case '\f': buf_put_cstr(out, "\\f"); break;
    case '\n': buf_put_cstr(out, "\\n"); break;
    case '\r': buf_put_cstr(out, "\\r"); break;
    case '\t': buf_put_cstr(out, "\\t"); break;
    default:
        if (c < 0x20) {
            buf_printf(out, "\\u%04x", c);
        } else {
            buf_put_char(out, c);
        }
        break;
    }
}

void
json_put_escaped(struct buf *out, const char *s)
{
    const unsigned char *p = (const unsigned char *) s;

    buf_put_char(out, '"');
    while (*p) {
        size_t length = utf8_sequence_length(p);

        if (length == 1) {
            put_escaped_char(out, *p);
            p++;
        } else if (length) {
            buf_put(out, p, length);
            p += length;
        } else {
            /* One replacement per bad byte, then resynchronise. The check
             * above never reads past a NUL, which is not a continuation
             * byte. */
            buf_put_cstr(out, "\\ufffd");
            p++;
        }
    }
    buf_put_char(out, '"');
}
