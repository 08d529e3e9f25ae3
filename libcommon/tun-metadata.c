/* tun-metadata: see tun-metadata.h. */
#include "tun-metadata.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define OPT_HEADER_SIZE 4

static int
parse_error(struct buf *error, const char *msg, const char *at)
{
    if (error) {
        buf_printf(error, "%s at \"%.40s\" (expected "
                   "{class=0xffff,type=0x80,len=4}->tun_metadata0)", msg, at);
    }
    return EINVAL;
}

/* Parses "class=..,type=..,len=.." (the text between the braces). */
static int
parse_option(char *text, struct tun_md_option *opt, struct buf *error)
{
    bool has_class = false, has_type = false, has_len = false;
    char *save = NULL;

    for (char *item = strtok_r(text, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        uint64_t n;

        if (str_starts_with(item, "class=") && str_to_u64(item + 6, 0, 0, 0xffff, &n)) {
            opt->opt_class = n;
            has_class = true;
        } else if (str_starts_with(item, "type=") && str_to_u64(item + 5, 0, 0, 0xff, &n)) {
            opt->opt_type = n;
            has_type = true;
        } else if (str_starts_with(item, "len=") && str_to_u64(item + 4, 0, 0, 124, &n)) {
            opt->opt_len = n;
            has_len = true;
        } else {
            return parse_error(error, "bad option item", item);
        }
    }
    if (!has_class || !has_type || !has_len) {
        return parse_error(error, "an option needs class, type and len", text);
    }
    return 0;
}

/* Parses one "{...}[->tun_metadataN]" at '*s', moving '*s' past it. */
static int
parse_one(const char **s, struct tun_md_mapping *m, struct buf *error)
{
    const char *p = *s, *close;
    char inner[128], *end;
    unsigned long idx;
    int err;

    if (*p != '{' || !(close = strchr(p, '}')) || (size_t) (close - p - 1) >= sizeof inner) {
        return parse_error(error, "missing {...}", p);
    }
    memcpy(inner, p + 1, close - p - 1);
    inner[close - p - 1] = '\0';
    err = parse_option(inner, &m->option, error);
    if (err) {
        return err;
    }
    p = close + 1;
    if (!str_starts_with(p, "->tun_metadata")) {
        return parse_error(error, "expected ->tun_metadataN", p);
    }
    p += strlen("->tun_metadata");
    if (*p < '0' || *p > '9') {
        return parse_error(error, "expected a field number", p);
    }
    idx = strtoul(p, &end, 10);
    m->index = idx > 0xfffe ? 0xfffe : idx;
    p = end;
    *s = p;
    return 0;
}

int
tun_md_parse_mappings(const char *text, struct tun_md_mapping *out, size_t max, size_t *n,
                      struct buf *error)
{
    const char *p = text;

    *n = 0;
    while (*p) {
        int err;

        if (*n >= max) {
            return parse_error(error, "too many mappings", p);
        }
        err = parse_one(&p, &out[*n], error);
        if (err) {
            return err;
        }
        (*n)++;
        if (*p == ',' && p[1]) {
            p++;
        } else if (*p) {
            return parse_error(error, "expected \",\" between mappings", p);
        }
    }
    if (!*n) {
        return parse_error(error, "no mapping", text);
    }
    return 0;
}

static enum tun_md_error
map_error(struct buf *error, enum tun_md_error e, const struct tun_md_mapping *m,
          const char *why)
{
    if (error) {
        tun_md_format_mapping(m, error);
        buf_printf(error, ": %s", why);
    }
    return e;
}

static bool
same_option(const struct tun_md_option *a, const struct tun_md_option *b)
{
    return a->opt_class == b->opt_class && a->opt_type == b->opt_type;
}

enum tun_md_error
tun_md_map_add(struct tun_md_map *map, const struct tun_md_mapping *ms, size_t n,
               struct buf *error)
{
    struct tun_md_map new = *map;

    for (size_t i = 0; i < n; i++) {
        const struct tun_md_mapping *m = &ms[i];

        if (m->option.opt_len % 4 || m->option.opt_len > TUN_MD_MAX_LEN) {
            return map_error(error, TUN_MD_BAD_LEN, m, "len must be 0, 4 or 8 here");
        } else if (m->index >= TUN_MD_N_FIELDS) {
            return map_error(error, TUN_MD_BAD_INDEX, m, "only tun_metadata0 to "
                             "tun_metadata7 exist here");
        } else if (new.mapped & (1u << m->index)) {
            return map_error(error, TUN_MD_ALREADY_MAPPED, m, "the field is already mapped");
        }
        for (int j = 0; j < TUN_MD_N_FIELDS; j++) {
            if (new.mapped & (1u << j) && same_option(&new.options[j], &m->option)) {
                return map_error(error, TUN_MD_DUP_ENTRY, m,
                                 "the option is already mapped to another field");
            }
        }
        new.mapped |= 1u << m->index;
        new.options[m->index] = m->option;
    }
    *map = new;
    return TUN_MD_OK;
}

enum tun_md_error
tun_md_map_del(struct tun_md_map *map, const struct tun_md_mapping *ms, size_t n,
               struct buf *error)
{
    struct tun_md_map new = *map;

    for (size_t i = 0; i < n; i++) {
        const struct tun_md_mapping *m = &ms[i];

        if (m->index >= TUN_MD_N_FIELDS) {
            return map_error(error, TUN_MD_BAD_INDEX, m, "only tun_metadata0 to "
                             "tun_metadata7 exist here");
        }
        new.mapped &= ~(1u << m->index);
        memset(&new.options[m->index], 0, sizeof new.options[m->index]);
    }
    *map = new;
    return TUN_MD_OK;
}

void
tun_md_format_mapping(const struct tun_md_mapping *m, struct buf *b)
{
    buf_printf(b, "{class=0x%x,type=0x%x,len=%u}->tun_metadata%u", m->option.opt_class,
               m->option.opt_type, m->option.opt_len, m->index);
}

/* ---- Geneve options ------------------------------------------------------ */

static uint16_t
opt_class_at(const uint8_t *p)
{
    return (uint16_t) p[0] << 8 | p[1];
}

static size_t
opt_value_len(const uint8_t *p)
{
    return (size_t) (p[3] & 0x1f) * 4;
}

bool
tun_md_geneve_opts_valid(const uint8_t *opts, size_t size)
{
    size_t ofs = 0;

    while (ofs < size) {
        if (size - ofs < OPT_HEADER_SIZE
            || size - ofs - OPT_HEADER_SIZE < opt_value_len(opts + ofs)) {
            return false;
        }
        ofs += OPT_HEADER_SIZE + opt_value_len(opts + ofs);
    }
    return true;
}

/* The field 'opt' (at 'p') is mapped to, or -1. */
static int
field_of(const struct tun_md_map *map, const uint8_t *p)
{
    for (int i = 0; i < TUN_MD_N_FIELDS; i++) {
        const struct tun_md_option *o = &map->options[i];

        if (map->mapped & (1u << i) && o->opt_class == opt_class_at(p)
            && o->opt_type == p[2] && o->opt_len == opt_value_len(p)) {
            return i;
        }
    }
    return -1;
}

int
tun_md_from_geneve(const struct tun_md_map *map, const uint8_t *opts, size_t size,
                   struct flowkey *key)
{
    size_t ofs = 0;

    while (ofs + OPT_HEADER_SIZE <= size) {
        const uint8_t *p = opts + ofs;
        size_t len = opt_value_len(p);
        int field = field_of(map, p);

        if (ofs + OPT_HEADER_SIZE + len > size) {
            return EINVAL;
        }
        if (field >= 0) {
            uint8_t *slot = key->tun_metadata[field];

            memset(slot, 0, TUN_MD_MAX_LEN);
            memcpy(slot + TUN_MD_MAX_LEN - len, p + OPT_HEADER_SIZE, len);
            key->tun_md_present |= 1u << field;
        } else if (p[2] & TUN_MD_CRITICAL) {
            return EINVAL;
        }
        ofs += OPT_HEADER_SIZE + len;
    }
    return 0;
}

size_t
tun_md_to_geneve(const struct tun_md_map *map, const struct flowkey *key, struct flowkey *wc,
                 uint8_t *out)
{
    size_t size = 0;

    if (wc) {
        wc->tun_md_present |= map->mapped;
    }
    for (int i = 0; i < TUN_MD_N_FIELDS; i++) {
        const struct tun_md_option *o = &map->options[i];
        uint8_t *p = out + size;

        if (!(map->mapped & key->tun_md_present & (1u << i))) {
            continue;
        }
        p[0] = o->opt_class >> 8;
        p[1] = o->opt_class;
        p[2] = o->opt_type;
        p[3] = o->opt_len / 4;
        memcpy(p + OPT_HEADER_SIZE, key->tun_metadata[i] + TUN_MD_MAX_LEN - o->opt_len,
               o->opt_len);
        if (wc) {
            memset(wc->tun_metadata[i] + TUN_MD_MAX_LEN - o->opt_len, 0xff, o->opt_len);
        }
        size += OPT_HEADER_SIZE + o->opt_len;
    }
    return size;
}
