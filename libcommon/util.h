/* util: small helpers every program needs: checked allocation (abort with a
 * message on exhaustion, so callers never see NULL), string-to-number
 * conversion with range checks, and the usual container macros. */
#ifndef SY_UTIL_H
#define SY_UTIL_H 1

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof (a) / sizeof (a)[0])
#define CONTAINER_OF(ptr, type, member) \
    ((type *) (void *) ((char *) (ptr) - offsetof(type, member)))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ROUND_UP(x, y) (((x) + (y) - 1) / (y) * (y))

#define SY_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define SY_NORETURN __attribute__((noreturn))
#define SY_LIKELY(x) __builtin_expect(!!(x), 1)
#define SY_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Allocation that never returns NULL: out of memory is fatal for a switch
 * daemon (there is no sane partial state to continue in). */
void *xmalloc(size_t size);
void *xzalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
void *xmemdup(const void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) SY_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list args) SY_PRINTF(1, 0);

/* Grows '*array' (of '*allocated' elements of 'elem_size') so that it holds
 * at least 'needed' elements. */
void *x2nrealloc(void *array, size_t *allocated, size_t needed, size_t elem_size);

void sy_fatal(const char *fmt, ...) SY_PRINTF(1, 2) SY_NORETURN;

/* Strict conversions: the whole string must be a number within
 * [min, max]; return false otherwise (leaving *out untouched). */
bool str_to_u64(const char *s, int base, uint64_t min, uint64_t max, uint64_t *out);
bool str_to_uint(const char *s, unsigned int min, unsigned int max, unsigned int *out);

bool str_starts_with(const char *s, const char *prefix);

/* Monotonic time in milliseconds, and wall-clock time in milliseconds. */
long long time_msec(void);
/* Monotonic time in nanoseconds (a vDSO call, no system call). */
unsigned long long time_nsec(void);
long long time_wall_msec(void);

/* Name of a network device: non-empty, < IFNAMSIZ, no '/', whitespace,
 * ':' or '='. */
bool sy_valid_ifname(const char *name);

/* True if every one of the 'size' bytes at 'p' is 0. */
bool is_all_zeros(const void *p, size_t size);

#endif
