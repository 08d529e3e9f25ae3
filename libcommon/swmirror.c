/* swmirror: mirrors in the configuration model and their files. See
 * swmirror.h; the bridge and port side is swconfig.c, which calls the
 * load and save functions here. */
#include "swmirror.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "swconfig.h"
#include "util.h"

#define FILE_HEADER "switchyard mirror, rewritten by portd: comments are not kept"

/* ---- the object ------------------------------------------------------------ */

static char **
clone_names(char *const *names, size_t n)
{
    char **copy = n ? xcalloc(n, sizeof *copy) : NULL;

    for (size_t i = 0; i < n; i++) {
        copy[i] = xstrdup(names[i]);
    }
    return copy;
}

void
sw_mirror_init(struct sw_mirror *m, const char *name)
{
    memset(m, 0, sizeof *m);
    m->name = xstrdup(name ? name : "");
    m->output_vlan = -1;
    cfg_file_init(&m->options);
}

void
sw_mirror_destroy(struct sw_mirror *m)
{
    if (m) {
        free(m->name);
        sw_names_free(m->select_src, m->n_select_src);
        sw_names_free(m->select_dst, m->n_select_dst);
        free(m->select_vlan);
        free(m->output_port);
        cfg_file_destroy(&m->options);
        memset(m, 0, sizeof *m);
        m->output_vlan = -1;
    }
}

void
sw_mirror_clone(struct sw_mirror *dst, const struct sw_mirror *src)
{
    *dst = *src;
    dst->name = xstrdup(src->name);
    dst->select_src = clone_names(src->select_src, src->n_select_src);
    dst->select_dst = clone_names(src->select_dst, src->n_select_dst);
    dst->select_vlan = src->n_select_vlan
                       ? xmemdup(src->select_vlan,
                                 src->n_select_vlan * sizeof *src->select_vlan)
                       : NULL;
    dst->output_port = src->output_port ? xstrdup(src->output_port) : NULL;
    cfg_file_clone(&dst->options, &src->options);
}

bool
sw_mirror_valid_name(const char *name)
{
    size_t length = strlen(name);

    if (!length || length > SW_MIRROR_NAME_MAX || name[0] == '.') {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (!isalnum((unsigned char) *p) && !strchr("_.-", *p)) {
            return false;
        }
    }
    return true;
}

/* ---- settings -------------------------------------------------------------- */

static int
compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Parses "p1,p2,..." into sorted, unique port names. */
static int
parse_port_list(const char *key, const char *value, char ***names, size_t *n,
                struct buf *error)
{
    char *copy = xstrdup(value), *save = NULL;
    char **list = NULL;
    size_t n_list = 0, allocated = 0, kept = 0;
    int retval = 0;

    if (!*value || *value == ',' || value[strlen(value) - 1] == ','
        || strstr(value, ",,")) {
        buf_printf(error, "%s=%s: expected port names separated by single ','", key, value);
        free(copy);
        return EINVAL;
    }
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        if (!sy_valid_ifname(item)) {
            buf_printf(error, "%s=%s: \"%s\" is not a valid port name", key, value, item);
            retval = EINVAL;
            break;
        }
        list = x2nrealloc(list, &allocated, n_list + 1, sizeof *list);
        list[n_list++] = xstrdup(item);
    }
    free(copy);
    if (retval) {
        sw_names_free(list, n_list);
        return retval;
    }
    qsort(list, n_list, sizeof *list, compare_strings);
    for (size_t i = 0; i < n_list; i++) {
        if (kept && !strcmp(list[kept - 1], list[i])) {
            free(list[i]);
        } else {
            list[kept++] = list[i];
        }
    }
    sw_names_free(*names, *n);
    *names = list;
    *n = kept;
    return 0;
}

static int
set_output_vlan(struct sw_mirror *m, const char *key, const char *value, struct buf *error)
{
    unsigned int vid;

    if (!str_to_uint(value, 1, SW_VLAN_MAX, &vid)) {
        buf_printf(error, "%s=%s: VLAN must be 1..%d", key, value, SW_VLAN_MAX);
        return EINVAL;
    }
    m->output_vlan = vid;
    return 0;
}

static int
set_select_all(struct sw_mirror *m, const char *key, const char *value, struct buf *error)
{
    if (!strcmp(value, "true")) {
        m->select_all = true;
    } else if (!strcmp(value, "false")) {
        m->select_all = false;
    } else {
        buf_printf(error, "%s=%s: expected true or false", key, value);
        return EINVAL;
    }
    return 0;
}

/* An empty value of a known key removes the setting. */
static int
unset_known(struct sw_mirror *m, const char *key)
{
    if (!strcmp(key, "select-src")) {
        sw_names_free(m->select_src, m->n_select_src);
        m->select_src = NULL;
        m->n_select_src = 0;
    } else if (!strcmp(key, "select-dst")) {
        sw_names_free(m->select_dst, m->n_select_dst);
        m->select_dst = NULL;
        m->n_select_dst = 0;
    } else if (!strcmp(key, "select-vlan")) {
        free(m->select_vlan);
        m->select_vlan = NULL;
        m->n_select_vlan = 0;
    } else if (!strcmp(key, "select-all")) {
        m->select_all = false;
    } else if (!strcmp(key, "output-port")) {
        free(m->output_port);
        m->output_port = NULL;
    } else if (!strcmp(key, "output-vlan")) {
        m->output_vlan = -1;
    } else {
        return ENOENT;
    }
    return 0;
}

static int
check_value(const char *key, const char *value, struct buf *error)
{
    if (!cfg_valid_key(key)) {
        buf_printf(error, "invalid key \"%s\" (keys use a-z, 0-9, '_', '.', ':' and '-')",
                   key);
        return EINVAL;
    }
    for (const char *p = value; *p; p++) {
        if (iscntrl((unsigned char) *p) || isspace((unsigned char) *p)) {
            buf_printf(error, "%s=...: the value contains a space or control character",
                       key);
            return EINVAL;
        }
    }
    if (strlen(key) + 1 + strlen(value) > CFG_MAX_LINE) {
        buf_printf(error, "%s=...: the setting is longer than %d bytes", key, CFG_MAX_LINE);
        return EINVAL;
    }
    return 0;
}

int
sw_mirror_set(struct sw_mirror *m, const char *key, const char *value, struct buf *error)
{
    int retval = check_value(key, value, error);

    if (retval) {
        return retval;
    } else if (!*value && !unset_known(m, key)) {
        return 0;
    } else if (!strcmp(key, "select-src")) {
        return parse_port_list(key, value, &m->select_src, &m->n_select_src, error);
    } else if (!strcmp(key, "select-dst")) {
        return parse_port_list(key, value, &m->select_dst, &m->n_select_dst, error);
    } else if (!strcmp(key, "select-all")) {
        return set_select_all(m, key, value, error);
    } else if (!strcmp(key, "select-vlan")) {
        uint16_t *vlans;
        size_t n;

        retval = sw_parse_vlan_list(value, 0, &vlans, &n, error);
        if (!retval) {
            free(m->select_vlan);
            m->select_vlan = vlans;
            m->n_select_vlan = n;
        }
        return retval;
    } else if (!strcmp(key, "output-port")) {
        if (!sy_valid_ifname(value)) {
            buf_printf(error, "%s=%s: expected a port name", key, value);
            return EINVAL;
        }
        free(m->output_port);
        m->output_port = xstrdup(value);
        return 0;
    } else if (!strcmp(key, "output-vlan")) {
        return set_output_vlan(m, key, value, error);
    }
    cfg_file_set(&m->options, key, value);
    return 0;
}

int
sw_mirror_set_word(struct sw_mirror *m, const char *word, struct buf *error)
{
    const char *eq = strchr(word, '=');
    char *key;
    int retval;

    if (!eq || eq == word) {
        buf_printf(error, "\"%s\": expected KEY=VALUE", word);
        return EINVAL;
    }
    key = xstrndup(word, eq - word);
    retval = sw_mirror_set(m, key, eq + 1, error);
    free(key);
    return retval;
}

static bool
names_contain(char *const *names, size_t n, const char *name)
{
    return n && bsearch(&name, names, n, sizeof *names, compare_strings) != NULL;
}

bool
sw_mirror_selects_src(const struct sw_mirror *m, const char *port)
{
    return names_contain(m->select_src, m->n_select_src, port);
}

bool
sw_mirror_selects_dst(const struct sw_mirror *m, const char *port)
{
    return names_contain(m->select_dst, m->n_select_dst, port);
}

int
sw_mirror_validate(const struct sw_mirror *m, const char **key, struct buf *error)
{
    *key = NULL;
    if (!sw_mirror_valid_name(m->name)) {
        buf_printf(error, "\"%s\" is not a valid mirror name (1..%d letters, digits, "
                   "'_', '.' or '-', not starting with '.')", m->name, SW_MIRROR_NAME_MAX);
        return EINVAL;
    } else if (m->output_port && m->output_vlan >= 0) {
        *key = "output-vlan";
        buf_printf(error, "mirror %s: output-port and output-vlan exclude each other "
                   "(SPAN to a port, or RSPAN into a VLAN)", m->name);
        return EINVAL;
    } else if (!m->output_port && m->output_vlan < 0) {
        buf_printf(error, "mirror %s needs output-port=PORT or output-vlan=VID", m->name);
        return EINVAL;
    } else if (!m->select_all && !m->n_select_src && !m->n_select_dst
               && !m->n_select_vlan) {
        buf_printf(error, "mirror %s selects nothing: give select-src=, select-dst=, "
                   "select-vlan= or select-all=true", m->name);
        return EINVAL;
    } else if (m->output_port && (sw_mirror_selects_src(m, m->output_port)
                                  || sw_mirror_selects_dst(m, m->output_port))) {
        *key = "output-port";
        buf_printf(error, "mirror %s: output port %s cannot also be selected (a mirror "
                   "output port carries only mirrored traffic)", m->name, m->output_port);
        return EINVAL;
    }
    return 0;
}

static void
set_names(struct cfg_file *out, const char *key, char *const *names, size_t n)
{
    struct buf s = BUF_INITIALIZER;

    for (size_t i = 0; i < n; i++) {
        buf_printf(&s, "%s%s", i ? "," : "", names[i]);
    }
    if (n) {
        cfg_file_set(out, key, buf_cstr(&s));
    }
    buf_uninit(&s);
}

void
sw_mirror_to_cfg(const struct sw_mirror *m, struct cfg_file *out)
{
    cfg_file_init(out);
    set_names(out, "select-src", m->select_src, m->n_select_src);
    set_names(out, "select-dst", m->select_dst, m->n_select_dst);
    if (m->select_all) {
        cfg_file_set(out, "select-all", "true");
    }
    if (m->n_select_vlan) {
        struct buf s = BUF_INITIALIZER;

        sw_format_vlan_list(&s, m->select_vlan, m->n_select_vlan);
        cfg_file_set(out, "select-vlan", buf_cstr(&s));
        buf_uninit(&s);
    }
    if (m->output_port) {
        cfg_file_set(out, "output-port", m->output_port);
    }
    if (m->output_vlan >= 0) {
        char *s = xasprintf("%d", m->output_vlan);

        cfg_file_set(out, "output-vlan", s);
        free(s);
    }
    for (size_t i = 0; i < m->options.n; i++) {
        cfg_file_set(out, m->options.entries[i].key, m->options.entries[i].value);
    }
}

/* ---- a bridge's mirrors ---------------------------------------------------- */

struct sw_mirror *
sw_bridge_find_mirror(const struct sw_bridge *br, const char *name)
{
    for (size_t i = 0; i < br->n_mirrors; i++) {
        if (!strcmp(br->mirrors[i].name, name)) {
            return &br->mirrors[i];
        }
    }
    return NULL;
}

struct sw_mirror *
sw_bridge_add_mirror(struct sw_bridge *br, struct sw_mirror *mirror)
{
    size_t i;

    if (sw_bridge_find_mirror(br, mirror->name)) {
        return NULL;
    }
    br->mirrors = xrealloc(br->mirrors, (br->n_mirrors + 1) * sizeof *br->mirrors);
    for (i = br->n_mirrors; i > 0 && strcmp(br->mirrors[i - 1].name, mirror->name) > 0;
         i--) {
        br->mirrors[i] = br->mirrors[i - 1];
    }
    br->mirrors[i] = *mirror;
    br->n_mirrors++;
    memset(mirror, 0, sizeof *mirror);
    mirror->output_vlan = -1;
    cfg_file_init(&mirror->options);
    return &br->mirrors[i];
}

bool
sw_bridge_remove_mirror(struct sw_bridge *br, const char *name)
{
    struct sw_mirror *m = sw_bridge_find_mirror(br, name);
    size_t i;

    if (!m) {
        return false;
    }
    i = m - br->mirrors;
    sw_mirror_destroy(m);
    memmove(m, m + 1, (br->n_mirrors - i - 1) * sizeof *m);
    br->n_mirrors--;
    return true;
}

void
sw_bridge_clear_mirrors(struct sw_bridge *br)
{
    for (size_t i = 0; i < br->n_mirrors; i++) {
        sw_mirror_destroy(&br->mirrors[i]);
    }
    free(br->mirrors);
    br->mirrors = NULL;
    br->n_mirrors = 0;
}

int
sw_mirrors_validate(const struct sw_bridge *br, struct buf *error)
{
    for (size_t i = 0; i < br->n_mirrors; i++) {
        const char *key;
        int retval = sw_mirror_validate(&br->mirrors[i], &key, error);

        if (retval) {
            return retval;
        }
    }
    return 0;
}

/* ---- files ----------------------------------------------------------------- */

/* The regular files in 'dir' whose names can be mirror names; ENOENT if
 * there is no such directory. */
static int
list_mirror_files(const char *dir, char ***names, size_t *n, struct buf *error)
{
    size_t allocated = 0;
    struct dirent *de;
    DIR *d = opendir(dir);

    *names = NULL;
    *n = 0;
    if (!d) {
        if (errno != ENOENT) {
            buf_printf(error, "%s: %s", dir, strerror(errno));
        }
        return errno;
    }
    while ((de = readdir(d)) != NULL) {
        char *path;
        struct stat st;
        bool regular;

        if (de->d_name[0] == '.' || !sw_mirror_valid_name(de->d_name)) {
            continue;               /* Temporary files, editor leftovers. */
        }
        path = xasprintf("%s/%s", dir, de->d_name);
        regular = !stat(path, &st) && S_ISREG(st.st_mode);
        free(path);
        if (regular) {
            *names = x2nrealloc(*names, &allocated, *n + 1, sizeof **names);
            (*names)[(*n)++] = xstrdup(de->d_name);
        }
    }
    closedir(d);
    if (*n) {
        qsort(*names, *n, sizeof **names, compare_strings);
    }
    return 0;
}

static void
add_problem(struct buf *errors, const char *path, unsigned int line, const char *msg)
{
    if (errors->size) {
        buf_put_char(errors, '\n');
    }
    if (line) {
        buf_printf(errors, "%s:%u: %s", path, line, msg);
    } else {
        buf_printf(errors, "%s: %s", path, msg);
    }
}

static int
load_mirror(const char *path, struct sw_mirror *m, struct buf *errors)
{
    struct buf msg = BUF_INITIALIZER;
    struct cfg_file file;
    const char *key;
    int retval = cfg_file_load(&file, path, &msg);

    if (retval) {
        if (errors->size) {
            buf_put_char(errors, '\n');
        }
        buf_put(errors, msg.data, msg.size);
        buf_uninit(&msg);
        return retval;
    }
    for (size_t i = 0; i < file.n; i++) {
        const struct cfg_entry *e = &file.entries[i];

        buf_clear(&msg);
        if (sw_mirror_set(m, e->key, e->value, &msg)) {
            add_problem(errors, path, e->line, buf_cstr(&msg));
            retval = EINVAL;
        }
    }
    buf_clear(&msg);
    if (!retval && sw_mirror_validate(m, &key, &msg)) {
        const struct cfg_entry *e = key ? cfg_file_find(&file, key) : NULL;

        add_problem(errors, path, e ? e->line : 0, buf_cstr(&msg));
        retval = EINVAL;
    }
    cfg_file_destroy(&file);
    buf_uninit(&msg);
    return retval;
}

int
sw_mirrors_load(const char *bridge_dir, struct sw_bridge *br, struct buf *errors)
{
    char *dir = xasprintf("%s/mirrors", bridge_dir);
    char **names;
    size_t n;
    int retval = list_mirror_files(dir, &names, &n, errors);

    if (retval) {
        free(dir);
        return retval == ENOENT ? 0 : retval;
    }
    for (size_t i = 0; i < n; i++) {
        char *path = xasprintf("%s/%s", dir, names[i]);
        struct sw_mirror m;

        sw_mirror_init(&m, names[i]);
        if (load_mirror(path, &m, errors)) {
            retval = EINVAL;
        } else {
            sw_bridge_add_mirror(br, &m);
        }
        sw_mirror_destroy(&m);
        free(path);
    }
    sw_names_free(names, n);
    free(dir);
    return retval;
}

/* Whether 'path' holds exactly 'wanted' already. */
static bool
mirror_file_is_current(const char *path, const struct cfg_file *wanted)
{
    struct buf ignored = BUF_INITIALIZER;
    struct cfg_file file;
    bool current = false;

    if (!cfg_file_load(&file, path, &ignored)) {
        current = file.n == wanted->n;
        for (size_t i = 0; current && i < file.n; i++) {
            current = !strcmp(file.entries[i].key, wanted->entries[i].key)
                      && !strcmp(file.entries[i].value, wanted->entries[i].value);
        }
        cfg_file_destroy(&file);
    }
    buf_uninit(&ignored);
    return current;
}

static int
remove_old_mirrors(const char *dir, const struct sw_bridge *br, struct buf *error)
{
    char **names;
    size_t n;
    bool removed = false;
    int retval = list_mirror_files(dir, &names, &n, error);

    if (retval) {
        return retval == ENOENT ? 0 : retval;
    }
    for (size_t i = 0; i < n && !retval; i++) {
        if (!sw_bridge_find_mirror(br, names[i])) {
            char *path = xasprintf("%s/%s", dir, names[i]);

            if (unlink(path) < 0 && errno != ENOENT) {
                retval = errno;
                buf_printf(error, "cannot remove %s: %s", path, strerror(retval));
            }
            removed = true;
            free(path);
        }
    }
    sw_names_free(names, n);
    return !retval && removed ? cfg_sync_dir(dir, error) : retval;
}

int
sw_mirrors_save(const char *bridge_dir, const struct sw_bridge *br, struct buf *error)
{
    char *dir = xasprintf("%s/mirrors", bridge_dir);
    struct stat st;
    int retval = 0;

    if (!br->n_mirrors && stat(dir, &st) < 0) {
        free(dir);
        return 0;                   /* Nothing to write, nothing to remove. */
    }
    retval = cfg_mkdir_p(dir, 0755, error);
    if (!retval) {
        retval = remove_old_mirrors(dir, br, error);
    }
    for (size_t i = 0; !retval && i < br->n_mirrors; i++) {
        char *path = xasprintf("%s/%s", dir, br->mirrors[i].name);
        struct cfg_file file;

        sw_mirror_to_cfg(&br->mirrors[i], &file);
        if (!mirror_file_is_current(path, &file)) {
            retval = cfg_file_save(&file, FILE_HEADER, path, error);
        }
        cfg_file_destroy(&file);
        free(path);
    }
    free(dir);
    return retval;
}
