/* ofp-wire: byte-level helpers shared by the OpenFlow codec files
 * (ofp-msgs.c, ofp-match-wire.c, ofp-actions.c). Private to libcommon.
 *
 * Reading goes through a cursor that refuses to hand out bytes beyond what
 * is left, so decoders check one return value instead of doing arithmetic
 * on lengths. Writing appends big-endian numbers to a struct buf; lengths
 * that are known only at the end are patched in by offset. */
#ifndef SY_OFP_WIRE_H
#define SY_OFP_WIRE_H 1

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "byteorder.h"

struct ofp_reader {
    const uint8_t *p;           /* Next unread byte. */
    size_t left;                /* Bytes left. */
};

static inline void
ofpr_init(struct ofp_reader *r, const void *data, size_t size)
{
    r->p = data;
    r->left = size;
}

/* Returns the next 'n' bytes and consumes them, or NULL if fewer are left. */
static inline const uint8_t *
ofpr_pull(struct ofp_reader *r, size_t n)
{
    const uint8_t *p = r->p;

    if (r->left < n) {
        return NULL;
    }
    r->p += n;
    r->left -= n;
    return p;
}

/* buf_put() of a few bytes, inline while the buffer has room (encoding a
 * flow is dozens of these; the call was a tenth of a dump's time). */
static inline void
wire_put(struct buf *b, const void *p, size_t n)
{
    if (b->size + n < b->allocated) {
        memcpy(b->data + b->size, p, n);
        b->size += n;
        b->data[b->size] = '\0';
    } else {
        buf_put(b, p, n);
    }
}

static inline void
put8(struct buf *b, uint8_t v)
{
    wire_put(b, &v, 1);
}

static inline void
put16(struct buf *b, uint16_t v)
{
    uint8_t x[2];

    wr16(x, v);
    wire_put(b, x, 2);
}

static inline void
put32(struct buf *b, uint32_t v)
{
    uint8_t x[4];

    wr32(x, v);
    wire_put(b, x, 4);
}

static inline void
put64(struct buf *b, uint64_t v)
{
    uint8_t x[8];

    wr64(x, v);
    wire_put(b, x, 8);
}

static inline void
put_zeros(struct buf *b, size_t n)
{
    static const uint8_t zeros[64];

    while (n > 0) {
        size_t chunk = n < sizeof zeros ? n : sizeof zeros;

        wire_put(b, zeros, chunk);
        n -= chunk;
    }
}

/* Pads 'b' with zeros so that (b->size - start) is a multiple of 8. */
static inline void
put_pad8(struct buf *b, size_t start)
{
    put_zeros(b, (8 - (b->size - start) % 8) % 8);
}

static inline void
patch16(struct buf *b, size_t ofs, uint16_t v)
{
    wr16((uint8_t *) b->data + ofs, v);
}

/* Copies a fixed-size, maybe unterminated string field of 'src_size'
 * bytes into 'dst' of 'dst_size' bytes, NUL-terminated and zero-filled (so
 * that decoded structs compare equal byte for byte). */
static inline void
ofp_get_string(char *dst, size_t dst_size, const uint8_t *src, size_t src_size)
{
    size_t n = strnlen((const char *) src, src_size < dst_size ? src_size : dst_size - 1);

    memset(dst, 0, dst_size);
    memcpy(dst, src, n);
}

/* Writes 's' into a fixed-size field of 'size' bytes, zero-padded. */
static inline void
ofp_put_string(struct buf *b, const char *s, size_t size)
{
    size_t n = strnlen(s, size);

    buf_put(b, s, n);
    put_zeros(b, size - n);
}

#define OFP_NICIRA_VENDOR 0x00002320u

#endif
