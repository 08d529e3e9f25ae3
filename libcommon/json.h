/* json: a streaming JSON writer into a struct buf. Commas and nesting are
 * tracked for the caller; strings are escaped per RFC 8259 (invalid UTF-8
 * bytes become U+FFFD). Output is compact, one document per call site, so
 * that pipelines can use jq on it. */
#ifndef SY_JSON_H
#define SY_JSON_H 1

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

#define JSON_MAX_DEPTH 32

struct json_writer {
    struct buf *out;                    /* Where the text goes. */
    int depth;                          /* Current nesting depth. */
    bool has_items[JSON_MAX_DEPTH];     /* Something was written at depth. */
    bool after_key;                     /* A key was just written. */
};

void json_writer_init(struct json_writer *, struct buf *out);
void json_object_begin(struct json_writer *);
void json_object_end(struct json_writer *);
void json_array_begin(struct json_writer *);
void json_array_end(struct json_writer *);
void json_key(struct json_writer *, const char *key);
void json_string(struct json_writer *, const char *);
void json_int(struct json_writer *, long long);
void json_uint(struct json_writer *, unsigned long long);
void json_double(struct json_writer *, double);
void json_bool(struct json_writer *, bool);
void json_null(struct json_writer *);

/* key + value shortcuts inside an object. */
void json_kv_string(struct json_writer *, const char *key, const char *value);
void json_kv_int(struct json_writer *, const char *key, long long);
void json_kv_uint(struct json_writer *, const char *key, unsigned long long);
void json_kv_bool(struct json_writer *, const char *key, bool);

/* Appends 's' as a quoted, escaped JSON string. */
void json_put_escaped(struct buf *, const char *s);

#endif
