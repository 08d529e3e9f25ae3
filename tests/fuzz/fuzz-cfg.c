/* libFuzzer target for the configuration file path: cfg_file_parse() on
 * arbitrary bytes, every entry applied to a port and a bridge the way
 * sw_bridge_load() does, then the invariants that keep files stable:
 *
 *   - a parsed file formats and re-parses to the same entries;
 *   - whatever the model accepted serializes (sw_*_to_cfg) into entries that
 *     the model accepts again and that serialize identically, and that
 *     cfg_file_save() would agree to write. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "swconfig.h"

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

/* Formats 'file' and parses it back; it must come back unchanged. */
static void
check_reparse(const struct cfg_file *file, const char *header)
{
    struct buf text = BUF_INITIALIZER, error = BUF_INITIALIZER;
    struct cfg_file back;

    cfg_file_format(file, header, &text);
    if (cfg_file_parse(&back, buf_cstr(&text), text.size, "again", &error)) {
        abort();
    }
    check_same(file, &back);
    cfg_file_destroy(&back);
    buf_uninit(&text);
    buf_uninit(&error);
}

static void
apply_to_port(const struct cfg_file *file)
{
    struct buf error = BUF_INITIALIZER;
    struct cfg_file out, out2;
    struct sw_port port, port2;

    sw_port_init(&port, "p1");
    for (size_t i = 0; i < file->n; i++) {
        buf_clear(&error);
        sw_port_set(&port, file->entries[i].key, file->entries[i].value, &error);
    }
    buf_clear(&error);
    sw_port_validate(&port, &error);

    sw_port_to_cfg(&port, &out);
    check_reparse(&out, NULL);
    sw_port_init(&port2, "p1");
    for (size_t i = 0; i < out.n; i++) {
        if (sw_port_set(&port2, out.entries[i].key, out.entries[i].value, &error)) {
            abort();
        }
    }
    sw_port_to_cfg(&port2, &out2);
    check_same(&out, &out2);

    cfg_file_destroy(&out);
    cfg_file_destroy(&out2);
    sw_port_destroy(&port);
    sw_port_destroy(&port2);
    buf_uninit(&error);
}

static void
apply_to_bridge(const struct cfg_file *file)
{
    struct buf error = BUF_INITIALIZER;
    struct cfg_file out, out2;
    struct sw_bridge br, br2;

    sw_bridge_init(&br, "br0");
    for (size_t i = 0; i < file->n; i++) {
        buf_clear(&error);
        sw_bridge_set(&br, file->entries[i].key, file->entries[i].value, &error);
    }
    buf_clear(&error);
    if (sw_bridge_validate(&br, &error)) {
        abort();
    }

    sw_bridge_to_cfg(&br, &out);
    check_reparse(&out, NULL);
    sw_bridge_init(&br2, "br0");
    for (size_t i = 0; i < out.n; i++) {
        if (sw_bridge_set(&br2, out.entries[i].key, out.entries[i].value, &error)) {
            abort();
        }
    }
    sw_bridge_to_cfg(&br2, &out2);
    check_same(&out, &out2);

    cfg_file_destroy(&out);
    cfg_file_destroy(&out2);
    sw_bridge_destroy(&br);
    sw_bridge_destroy(&br2);
    buf_uninit(&error);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf error = BUF_INITIALIZER;
    struct cfg_file file;

    if (!cfg_file_parse(&file, (const char *) data, size, "fuzz", &error)) {
        check_reparse(&file, "header\nsecond line");
        apply_to_port(&file);
        apply_to_bridge(&file);
    } else if (file.n || !error.size) {
        /* A failed parse leaves nothing behind and always says why. */
        abort();
    }
    cfg_file_destroy(&file);
    buf_uninit(&error);
    return 0;
}
