/* libFuzzer target for the ctl request codec: ctl_parse_request() on
 * arbitrary bytes must either fail cleanly or yield words that encode to a
 * single line and parse back to the same words. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_round_trip(int argc, char *argv[])
{
    struct buf line = BUF_INITIALIZER, error = BUF_INITIALIZER;
    char *parsed[CTL_MAX_ARGS];
    int n;

    ctl_encode_request(&line, argc, argv);
    if (memchr(line.data, '\n', line.size) != line.data + line.size - 1) {
        abort();
    }
    line.data[--line.size] = '\0';
    if (ctl_parse_request(line.data, &n, parsed, &error) || n != argc) {
        abort();
    }
    for (int i = 0; i < n; i++) {
        if (strcmp(parsed[i], argv[i])) {
            abort();
        }
    }
    buf_uninit(&line);
    buf_uninit(&error);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf error = BUF_INITIALIZER;
    char *argv[CTL_MAX_ARGS];
    char *line;
    int argc;

    if (size > CTL_MAX_LINE) {
        return 0;
    }
    /* The server hands the parser one line, NUL-terminated. */
    line = xstrndup((const char *) data, size);
    if (!ctl_parse_request(line, &argc, argv, &error)) {
        if (argc < 1 || argc >= CTL_MAX_ARGS || argv[argc]) {
            abort();
        }
        check_round_trip(argc, argv);
    } else if (!error.size) {
        abort();    /* A refusal must say why. */
    }
    free(line);
    buf_uninit(&error);
    return 0;
}
