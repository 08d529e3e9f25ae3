/* util: checked allocation, number parsing, time. See util.h. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void
sy_fatal(const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputc('\n', stderr);
    abort();
}

static void *
check_alloc(void *p, size_t size)
{
    if (SY_UNLIKELY(!p && size)) {
        sy_fatal("out of memory allocating %zu bytes", size);
    }
    return p;
}

void *
xmalloc(size_t size)
{
    return check_alloc(malloc(size ? size : 1), size ? size : 1);
}

void *
xzalloc(size_t size)
{
    return xcalloc(1, size);
}

void *
xcalloc(size_t n, size_t size)
{
    return check_alloc(calloc(n ? n : 1, size ? size : 1), 1);
}

void *
xrealloc(void *p, size_t size)
{
    return check_alloc(realloc(p, size ? size : 1), 1);
}

void *
xmemdup(const void *p, size_t size)
{
    void *copy = xmalloc(size);

    memcpy(copy, p, size);
    return copy;
}

char *
xstrdup(const char *s)
{
    return xmemdup(s, strlen(s) + 1);
}

char *
xstrndup(const char *s, size_t n)
{
    size_t length = strnlen(s, n);
    char *copy = xmalloc(length + 1);

    memcpy(copy, s, length);
    copy[length] = '\0';
    return copy;
}

char *
xvasprintf(const char *fmt, va_list args)
{
    char *s;

    if (vasprintf(&s, fmt, args) < 0) {
        sy_fatal("out of memory formatting a string");
    }
    return s;
}

char *
xasprintf(const char *fmt, ...)
{
    va_list args;
    char *s;

    va_start(args, fmt);
    s = xvasprintf(fmt, args);
    va_end(args);
    return s;
}

void *
x2nrealloc(void *array, size_t *allocated, size_t needed, size_t elem_size)
{
    size_t n = *allocated;

    if (needed <= n) {
        return array;
    }
    if (n < 4) {
        n = 4;
    }
    while (n < needed) {
        if (n > SIZE_MAX / 2 / elem_size) {
            sy_fatal("array too large");
        }
        n *= 2;
    }
    *allocated = n;
    return xrealloc(array, n * elem_size);
}

bool
str_to_u64(const char *s, int base, uint64_t min, uint64_t max, uint64_t *out)
{
    unsigned long long value;
    char *end;

    if (!s || !*s || isspace((unsigned char) *s) || *s == '-' || *s == '+') {
        return false;
    }
    errno = 0;
    value = strtoull(s, &end, base);
    if (errno || *end || value < min || value > max) {
        return false;
    }
    *out = value;
    return true;
}

bool
str_to_uint(const char *s, unsigned int min, unsigned int max, unsigned int *out)
{
    uint64_t value;

    if (!str_to_u64(s, 10, min, max, &value)) {
        return false;
    }
    *out = value;
    return true;
}

bool
str_starts_with(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

static long long
clock_msec(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long
time_msec(void)
{
    return clock_msec(CLOCK_MONOTONIC);
}

unsigned long long
time_nsec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long) ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

long long
time_wall_msec(void)
{
    return clock_msec(CLOCK_REALTIME);
}

bool
sy_valid_ifname(const char *name)
{
    size_t length = strlen(name);

    if (!length || length >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, "..")) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (*p == '/' || *p == ':' || *p == '=' || *p == ',' || isspace((unsigned char) *p)
            || !isprint((unsigned char) *p)) {
            return false;
        }
    }
    return true;
}

bool
is_all_zeros(const void *p_, size_t size)
{
    const uint8_t *p = p_;

    for (size_t i = 0; i < size; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}
