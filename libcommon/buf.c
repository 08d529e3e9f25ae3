/* buf: see buf.h. */
#include "buf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
buf_init(struct buf *b)
{
    b->data = NULL;
    b->size = 0;
    b->allocated = 0;
}

void
buf_uninit(struct buf *b)
{
    if (b) {
        free(b->data);
        buf_init(b);
    }
}

void
buf_clear(struct buf *b)
{
    b->size = 0;
    if (b->data) {
        b->data[0] = '\0';
    }
}

void
buf_reserve(struct buf *b, size_t extra)
{
    size_t needed = b->size + extra + 1;

    if (needed > b->allocated) {
        size_t n = b->allocated ? b->allocated : 64;

        while (n < needed) {
            n *= 2;
        }
        b->data = xrealloc(b->data, n);
        b->allocated = n;
    }
}

void
buf_put(struct buf *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->data + b->size, p, n);
    b->size += n;
    b->data[b->size] = '\0';
}

void
buf_put_char(struct buf *b, char c)
{
    buf_put(b, &c, 1);
}

void
buf_put_cstr(struct buf *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

void
buf_put_uint(struct buf *b, uint64_t x)
{
    char text[20];
    size_t i = sizeof text;

    do {
        text[--i] = '0' + x % 10;
        x /= 10;
    } while (x);
    buf_put(b, text + i, sizeof text - i);
}

void
buf_put_hex(struct buf *b, uint64_t x)
{
    char text[16];
    size_t i = sizeof text;

    do {
        text[--i] = "0123456789abcdef"[x & 15];
        x >>= 4;
    } while (x);
    buf_put(b, text + i, sizeof text - i);
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list args)
{
    va_list copy;
    int needed;

    va_copy(copy, args);
    buf_reserve(b, 64);
    needed = vsnprintf(b->data + b->size, b->allocated - b->size, fmt, copy);
    va_end(copy);
    if (needed < 0) {
        return;
    }
    if ((size_t) needed >= b->allocated - b->size) {
        buf_reserve(b, needed);
        vsnprintf(b->data + b->size, b->allocated - b->size, fmt, args);
    }
    b->size += needed;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    buf_vprintf(b, fmt, args);
    va_end(args);
}

const char *
buf_cstr(const struct buf *b)
{
    return b->data ? b->data : "";
}

char *
buf_steal_cstr(struct buf *b)
{
    char *s = b->data ? b->data : xstrdup("");

    buf_init(b);
    return s;
}

void
buf_chomp(struct buf *b)
{
    while (b->size && isspace((unsigned char) b->data[b->size - 1])) {
        b->data[--b->size] = '\0';
    }
}
