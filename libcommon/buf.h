/* buf: a growable byte buffer, always NUL-terminated so that text built in
 * it can be used as a C string. 'size' is bytes used (without the NUL). */
#ifndef SY_BUF_H
#define SY_BUF_H 1

#include "util.h"

struct buf {
    char *data;         /* Contents; NULL until something is put. */
    size_t size;        /* Bytes in use, excluding the terminating NUL. */
    size_t allocated;   /* Bytes allocated for 'data'. */
};

#define BUF_INITIALIZER { NULL, 0, 0 }

void buf_init(struct buf *);
void buf_uninit(struct buf *);
void buf_clear(struct buf *);
void buf_reserve(struct buf *, size_t extra);
void buf_put(struct buf *, const void *, size_t);
void buf_put_char(struct buf *, char);
void buf_put_cstr(struct buf *, const char *);
/* An unsigned integer in decimal, or in lowercase hex without "0x": what
 * "%" PRIu64 and "%" PRIx64 write, without printf's cost in hot loops. */
void buf_put_uint(struct buf *, uint64_t);
void buf_put_hex(struct buf *, uint64_t);
void buf_printf(struct buf *, const char *fmt, ...) SY_PRINTF(2, 3);
void buf_vprintf(struct buf *, const char *fmt, va_list) SY_PRINTF(2, 0);
/* Returns the contents as a C string ("" when empty); stays owned by 'buf'. */
const char *buf_cstr(const struct buf *);
/* Returns the contents as a malloc'd C string and empties 'buf'. */
char *buf_steal_cstr(struct buf *);
/* Removes trailing whitespace. */
void buf_chomp(struct buf *);

#endif
