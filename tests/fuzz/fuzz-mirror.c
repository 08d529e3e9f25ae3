/* libFuzzer target for mirror files (libcommon/swmirror.c): arbitrary bytes
 * parsed as a cfg file and applied to a mirror the way sw_mirrors_load()
 * does, then the invariant that keeps mirror files stable: whatever the
 * model accepted serializes (sw_mirror_to_cfg) into entries the model
 * accepts again, that serialize identically and validate the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "swmirror.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_same(const struct cfg_file *a, const struct cfg_file *b)
{
    if (a->n != b->n) {
        abort();
    }
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->entries[i].key, b->entries[i].key)
            || strcmp(a->entries[i].value, b->entries[i].value)) {
            abort();
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf error = BUF_INITIALIZER;
    struct cfg_file file, out, out2;
    struct sw_mirror m, m2;
    const char *key;
    int valid;

    if (cfg_file_parse(&file, (const char *) data, size, "fuzz", &error)) {
        buf_uninit(&error);
        return 0;
    }
    sw_mirror_init(&m, "m1");
    for (size_t i = 0; i < file.n; i++) {
        buf_clear(&error);
        sw_mirror_set(&m, file.entries[i].key, file.entries[i].value, &error);
    }
    buf_clear(&error);
    valid = sw_mirror_validate(&m, &key, &error);

    sw_mirror_to_cfg(&m, &out);
    sw_mirror_init(&m2, "m1");
    for (size_t i = 0; i < out.n; i++) {
        if (sw_mirror_set(&m2, out.entries[i].key, out.entries[i].value, &error)) {
            abort();
        }
    }
    sw_mirror_to_cfg(&m2, &out2);
    check_same(&out, &out2);
    buf_clear(&error);
    if (sw_mirror_validate(&m2, &key, &error) != valid) {
        abort();
    }

    cfg_file_destroy(&out);
    cfg_file_destroy(&out2);
    cfg_file_destroy(&file);
    sw_mirror_destroy(&m);
    sw_mirror_destroy(&m2);
    buf_uninit(&error);
    return 0;
}
