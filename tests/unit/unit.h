/* unit: a minimal unit-test harness. Each test-*.c defines test functions,
 * lists them in UNIT_MAIN(...), and links against libcommon. A failed CHECK
 * reports file:line and the expression, marks the test failed, and carries
 * on. The closing line is "N passed, N failed", which tests/run-unit.sh and
 * CI read. */
#ifndef SY_UNIT_H
#define SY_UNIT_H 1

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_failed_checks;

#define CHECK(EXPR)                                                        \
    do {                                                                   \
        if (!(EXPR)) {                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,         \
                    __LINE__, #EXPR);                                      \
            unit_failed_checks++;                                          \
        }                                                                  \
    } while (0)

#define CHECK_STR_EQ(A, B)                                                 \
    do {                                                                   \
        const char *a_ = (A), *b_ = (B);                                   \
        if (!a_ || !b_ || strcmp(a_, b_)) {                                \
            fprintf(stderr, "%s:%d: check failed: %s == %s\n"              \
                    "    got:      \"%s\"\n    expected: \"%s\"\n",        \
                    __FILE__, __LINE__, #A, #B, a_ ? a_ : "(null)",        \
                    b_ ? b_ : "(null)");                                   \
            unit_failed_checks++;                                          \
        }                                                                  \
    } while (0)

#define CHECK_INT_EQ(A, B)                                                 \
    do {                                                                   \
        long long a_ = (long long) (A), b_ = (long long) (B);              \
        if (a_ != b_) {                                                    \
            fprintf(stderr, "%s:%d: check failed: %s == %s (%lld != %lld)\n", \
                    __FILE__, __LINE__, #A, #B, a_, b_);                   \
            unit_failed_checks++;                                          \
        }                                                                  \
    } while (0)

struct unit_test {
    const char *name;
    void (*function)(void);
};

#define UNIT_TEST(F) { #F, F }

static inline int
unit_run(const char *suite, const struct unit_test *tests, size_t n)
{
    int passed = 0, failed = 0;

    for (size_t i = 0; i < n; i++) {
        int before = unit_failed_checks;

        tests[i].function();
        if (unit_failed_checks == before) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "FAIL %s: %s\n", suite, tests[i].name);
        }
    }
    printf("%s: %d passed, %d failed\n", suite, passed, failed);
    return failed ? 1 : 0;
}

#define UNIT_MAIN(SUITE, ...)                                              \
    int main(void)                                                         \
    {                                                                      \
        static const struct unit_test tests_[] = { __VA_ARGS__ };          \
        return unit_run(SUITE, tests_, sizeof tests_ / sizeof tests_[0]);  \
    }

#endif
