/* libFuzzer target for the datapath flow text parser: odp_parse_key(),
 * odp_parse_actions() and odp_parse_flow() on arbitrary text must fail
 * cleanly or yield something that prints, parses back to the same key,
 * mask and actions, and prints the same again. The same bytes, taken as
 * netlink actions (what a kernel flow dump brings), must print without
 * harm (nested sample() actions included). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *input, const char *text)
{
    fprintf(stderr, "fuzz-odp: %s\n  input: %s\n  text: %s\n", what, input, text);
    abort();
}

static bool
same_actions(const struct dp_actions *a, const struct dp_actions *b)
{
    return a->size == b->size && (!a->size || !memcmp(a->data, b->data, a->size));
}

static void
check_key(const char *input)
{
    struct buf text = BUF_INITIALIZER, again = BUF_INITIALIZER, error = BUF_INITIALIZER;
    struct flowkey key, mask, key2, mask2;

    if (odp_parse_key(input, &key, &mask, &error)) {
        if (!error.size) {
            fail("key rejected without a message", input, "");
        }
    } else {
        odp_format_key(&text, &key, &mask);
        if (odp_parse_key(buf_cstr(&text), &key2, &mask2, &error)) {
            fail("printed key does not parse", input, buf_cstr(&text));
        } else if (memcmp(&key, &key2, sizeof key) || memcmp(&mask, &mask2, sizeof mask)) {
            fail("key changed in a round trip", input, buf_cstr(&text));
        }
        odp_format_key(&again, &key2, &mask2);
        if (strcmp(buf_cstr(&text), buf_cstr(&again))) {
            fail("key prints differently after a round trip", input, buf_cstr(&text));
        }
    }
    buf_uninit(&text);
    buf_uninit(&again);
    buf_uninit(&error);
}

static void
check_actions(const char *input)
{
    struct dp_actions a = DP_ACTIONS_INITIALIZER, a2 = DP_ACTIONS_INITIALIZER;
    struct buf text = BUF_INITIALIZER, again = BUF_INITIALIZER, error = BUF_INITIALIZER;

    if (odp_parse_actions(input, &a, &error)) {
        if (!error.size) {
            fail("actions rejected without a message", input, "");
        }
    } else {
        odp_format_actions(&text, a.data, a.size);
        if (odp_parse_actions(buf_cstr(&text), &a2, &error)) {
            fail("printed actions do not parse", input, buf_cstr(&text));
        } else if (!same_actions(&a, &a2)) {
            fail("actions changed in a round trip", input, buf_cstr(&text));
        }
        odp_format_actions(&again, a2.data, a2.size);
        if (strcmp(buf_cstr(&text), buf_cstr(&again))) {
            fail("actions print differently after a round trip", input, buf_cstr(&text));
        }
    }
    dp_actions_uninit(&a);
    dp_actions_uninit(&a2);
    buf_uninit(&text);
    buf_uninit(&again);
    buf_uninit(&error);
}

static void
check_flow(const char *input)
{
    struct dp_actions a = DP_ACTIONS_INITIALIZER, a2 = DP_ACTIONS_INITIALIZER;
    struct buf text = BUF_INITIALIZER, error = BUF_INITIALIZER;
    struct odp_flow_stats stats = { 1, 64, 10, 0x12, false };
    struct flowkey key, mask, key2, mask2;

    if (!odp_parse_flow(input, &key, &mask, &a, &error)) {
        odp_format_flow(&text, &key, &mask, &stats, a.data, a.size);
        if (odp_parse_flow(buf_cstr(&text), &key2, &mask2, &a2, &error)) {
            fail("printed flow does not parse", input, buf_cstr(&text));
        } else if (memcmp(&key, &key2, sizeof key) || memcmp(&mask, &mask2, sizeof mask)
                   || !same_actions(&a, &a2)) {
            fail("flow changed in a round trip", input, buf_cstr(&text));
        }
    }
    dp_actions_uninit(&a);
    dp_actions_uninit(&a2);
    buf_uninit(&text);
    buf_uninit(&error);
}

static void
check_binary_actions(const uint8_t *data, size_t size)
{
    struct dp_actions a = DP_ACTIONS_INITIALIZER;
    struct buf text = BUF_INITIALIZER;

    dp_actions_copy(&a, data, size);     /* Aligned, as netlink's are. */
    odp_format_actions(&text, a.data, a.size);
    buf_uninit(&text);
    dp_actions_uninit(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *input = xmalloc(size + 1);

    memcpy(input, data, size);
    input[size] = '\0';
    check_key(input);
    check_actions(input);
    check_flow(input);
    free(input);
    check_binary_actions(data, size);
    return 0;
}
