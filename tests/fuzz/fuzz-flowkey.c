/* libFuzzer target for the flow key parser: flowkey_extract() on arbitrary
 * bytes must stay inside the frame and fill a key whose datapath text form
 * (odp_format_key) parses back to the same bits and prints identically. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowkey.h"
#include "odp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *text, const char *error)
{
    fprintf(stderr, "fuzz-flowkey: %s\n  text: %s\n  error: %s\n", what, text, error);
    abort();
}

static void
check_layout(const struct flowkey_layout *layout, size_t size)
{
    if ((layout->l2_5 != FLOWKEY_OFS_NONE && layout->l2_5 > size)
        || (layout->l3 != FLOWKEY_OFS_NONE && layout->l3 > size)
        || (layout->l4 != FLOWKEY_OFS_NONE && layout->l4 > size)) {
        fail("layout offset past the frame", "", "");
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf text = BUF_INITIALIZER, again = BUF_INITIALIZER, error = BUF_INITIALIZER;
    struct flowkey key, parsed, mask, masked;
    struct flowkey_layout layout;

    flowkey_extract(data, size, 5, &key, &layout);
    check_layout(&layout, size);
    if (key.pad1[0] || key.pad1[1] || memcmp(key.pad2, "\0\0\0\0\0\0", 6)) {
        fail("padding not zero", "", "");
    }

    odp_format_key(&text, &key, NULL);
    if (odp_parse_key(buf_cstr(&text), &parsed, &mask, &error)) {
        fail("printed key does not parse", buf_cstr(&text), buf_cstr(&error));
    }
    flowkey_apply_mask(&masked, &key, &mask);
    if (memcmp(&masked, &parsed, sizeof parsed)
        || !flowkey_equal_masked(&key, &parsed, &mask)
        || flowkey_hash_masked(&key, &mask, 1) != flowkey_hash_masked(&parsed, &mask, 1)) {
        fail("parsed key differs from the extracted one", buf_cstr(&text), "");
    }
    odp_format_key(&again, &parsed, &mask);
    if (strcmp(buf_cstr(&text), buf_cstr(&again))) {
        fail("key prints differently after a round trip", buf_cstr(&text), buf_cstr(&again));
    }
    buf_uninit(&text);
    buf_uninit(&again);
    buf_uninit(&error);
    return 0;
}
