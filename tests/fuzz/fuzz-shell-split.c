/* libFuzzer target for the interactive shell's line splitting
 * (shell_split() in libcommon/shell-words.c), on arbitrary lines:
 *
 *   - splitting a partial line (completion) never fails;
 *   - a line that splits splits the same way as a partial line;
 *   - a failed split says why and returns no words;
 *   - each word, quoted again ('...' with '\'' for quotes), splits back to
 *     exactly the same words. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shell-words.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_same(char **a, size_t n_a, char **b, size_t n_b)
{
    if (n_a != n_b) {
        abort();
    }
    for (size_t i = 0; i < n_a; i++) {
        if (strcmp(a[i], b[i])) {
            abort();
        }
    }
}

/* Joins 'words' quoted so that sh (and shell_split) gets them back. */
static char *
quote_words(char **words, size_t n)
{
    struct buf b = BUF_INITIALIZER;

    for (size_t i = 0; i < n; i++) {
        buf_put_cstr(&b, i ? " '" : "'");
        for (const char *p = words[i]; *p; p++) {
            if (*p == '\'') {
                buf_put_cstr(&b, "'\\''");
            } else {
                buf_put_char(&b, *p);
            }
        }
        buf_put_char(&b, '\'');
    }
    return buf_steal_cstr(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf error = BUF_INITIALIZER;
    char *line = strndup((const char *) data, size);
    char **words, **partial, **again;
    size_t n, n_partial, n_again;

    if (!line) {
        return 0;
    }
    if (shell_split(line, true, &partial, &n_partial, &error) || error.size) {
        abort();
    }
    if (!shell_split(line, false, &words, &n, &error)) {
        char *quoted = quote_words(words, n);

        check_same(words, n, partial, n_partial);
        if (shell_split(quoted, false, &again, &n_again, &error)) {
            abort();
        }
        check_same(words, n, again, n_again);
        shell_words_free(again, n_again);
        shell_words_free(words, n);
        free(quoted);
    } else if (words || n || !error.size) {
        abort();
    }
    shell_words_free(partial, n_partial);
    buf_uninit(&error);
    free(line);
    return 0;
}
