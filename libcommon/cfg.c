/* cfg: the key=value file format and atomic file replacement. See cfg.h.
 *
 * This is the only code that reads or writes files under CONFDIR; swconfig.c
 * gives the entries meaning. Parsing is strict (a file either parses
 * completely or not at all, with "NAME:LINE: message") so that a damaged
 * file is never half-applied. Writing is atomic (temporary file in the same
 * directory, fsync, rename, fsync of the directory), so that a crash or a
 * full disk leaves the old file or the new one, never a mix. Error
 * messages go into a caller's struct buf (appended, no trailing newline)
 * and say what to do where there is something to do. */
#include "cfg.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- the in-memory file ------------------------------------------------ */

void
cfg_file_init(struct cfg_file *file)
{
    file->entries = NULL;
    file->n = 0;
    file->allocated = 0;
}

void
cfg_file_destroy(struct cfg_file *file)
{
    if (file) {
        for (size_t i = 0; i < file->n; i++) {
            free(file->entries[i].key);
            free(file->entries[i].value);
        }
        free(file->entries);
        cfg_file_init(file);
    }
}

static void
add_entry(struct cfg_file *file, const char *key, const char *value, unsigned int line)
{
    struct cfg_entry *e;

    file->entries = x2nrealloc(file->entries, &file->allocated, file->n + 1,
                               sizeof *file->entries);
    e = &file->entries[file->n++];
    e->key = xstrdup(key);
    e->value = xstrdup(value);
    e->line = line;
}

void
cfg_file_clone(struct cfg_file *dst, const struct cfg_file *src)
{
    cfg_file_init(dst);
    for (size_t i = 0; i < src->n; i++) {
        add_entry(dst, src->entries[i].key, src->entries[i].value, src->entries[i].line);
    }
}

static struct cfg_entry *
find_entry(const struct cfg_file *file, const char *key)
{
    for (size_t i = 0; i < file->n; i++) {
        if (!strcmp(file->entries[i].key, key)) {
            return &file->entries[i];
        }
    }
    return NULL;
}

const struct cfg_entry *
cfg_file_find(const struct cfg_file *file, const char *key)
{
    return find_entry(file, key);
}

const char *
cfg_file_get(const struct cfg_file *file, const char *key)
{
    const struct cfg_entry *e = cfg_file_find(file, key);

    return e ? e->value : NULL;
}

/* Replaces the value of an existing key in place, so that the key keeps its
 * position in the file, or appends a new one. */
void
cfg_file_set(struct cfg_file *file, const char *key, const char *value)
{
    struct cfg_entry *e = find_entry(file, key);

    if (e) {
        char *copy = xstrdup(value);

        free(e->value);
        e->value = copy;
        e->line = 0;
    } else {
        add_entry(file, key, value, 0);
    }
}

bool
cfg_file_unset(struct cfg_file *file, const char *key)
{
    for (size_t i = 0; i < file->n; i++) {
        struct cfg_entry *e = &file->entries[i];

        if (!strcmp(e->key, key)) {
            free(e->key);
            free(e->value);
            memmove(e, e + 1, (file->n - i - 1) * sizeof *e);
            file->n--;
            return true;
        }
    }
    return false;
}

bool
cfg_valid_key(const char *key)
{
    if (!*key) {
        return false;
    }
    for (const char *p = key; *p; p++) {
        if (!islower((unsigned char) *p) && !isdigit((unsigned char) *p)
            && !strchr("_.:-", *p)) {
            return false;
        }
    }
    return true;
}

/* ---- parsing ------------------------------------------------------------ */

/* Appends 'size' bytes of 's' for an error message: quoted, with anything
 * unprintable shown as \xNN and long text cut, so that a binary file gives
 * a readable one-line message. */
static void
put_quoted(struct buf *out, const char *s, size_t size)
{
    size_t shown = MIN(size, 60);

    buf_put_char(out, '"');
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = s[i];

        if (c == '"' || c == '\\') {
            buf_printf(out, "\\%c", c);
        } else if (isprint(c)) {
            buf_put_char(out, c);
        } else {
            buf_printf(out, "\\x%02x", c);
        }
    }
    buf_put_cstr(out, shown < size ? "...\"" : "\"");
}

static void
trim(const char **start, const char **end)
{
    while (*start < *end && isspace((unsigned char) **start)) {
        (*start)++;
    }
    while (*end > *start && isspace((unsigned char) (*end)[-1])) {
        (*end)--;
    }
}

/* Parses one line [start, end) (without its '\n'). */
static int
parse_line(struct cfg_file *file, const char *start, const char *end,
           const char *name, unsigned int line, struct buf *error)
{
    const char *eq, *key_end, *value;
    const struct cfg_entry *dup;
    char *key, *copy;

    trim(&start, &end);
    if (start == end || *start == '#') {
        return 0;
    }
    eq = memchr(start, '=', end - start);
    if (!eq) {
        buf_printf(error, "%s:%u: expected key=value, got ", name, line);
        put_quoted(error, start, end - start);
        return EINVAL;
    }
    key_end = eq;
    trim(&start, &key_end);
    if (start == key_end) {
        buf_printf(error, "%s:%u: missing key before '=' in ", name, line);
        put_quoted(error, start, end - start);
        return EINVAL;
    }
    key = xstrndup(start, key_end - start);
    if (!cfg_valid_key(key)) {
        buf_printf(error, "%s:%u: invalid key ", name, line);
        put_quoted(error, start, key_end - start);
        buf_put_cstr(error, " (keys use a-z, 0-9, '_', '.', ':' and '-')");
        free(key);
        return EINVAL;
    }
    dup = cfg_file_find(file, key);
    if (dup) {
        buf_printf(error, "%s:%u: duplicate key \"%s\" (first set on line %u); "
                   "remove one of them", name, line, key, dup->line);
        free(key);
        return EINVAL;
    }
    value = eq + 1;
    trim(&value, &end);
    copy = xstrndup(value, end - value);
    add_entry(file, key, copy, line);
    free(copy);
    free(key);
    return 0;
}

static int
parse_lines(struct cfg_file *file, const char *text, size_t size, const char *name,
            struct buf *error)
{
    const char *p = text, *end = text + size;
    unsigned int line = 1;

    for (; p < end; line++) {
        const char *nl = memchr(p, '\n', end - p);
        const char *line_end = nl ? nl : end;
        int retval;

        if ((size_t) (line_end - p) > CFG_MAX_LINE) {
            buf_printf(error, "%s:%u: line is %zu bytes long, more than the limit "
                       "of %d", name, line, (size_t) (line_end - p), CFG_MAX_LINE);
            return EINVAL;
        }
        if (memchr(p, '\0', line_end - p)) {
            buf_printf(error, "%s:%u: contains a NUL byte; configuration files "
                       "are text, is this the right file?", name, line);
            return EINVAL;
        }
        retval = parse_line(file, p, line_end, name, line, error);
        if (retval) {
            return retval;
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

int
cfg_file_parse(struct cfg_file *file, const char *text, size_t size, const char *name,
               struct buf *error)
{
    int retval;

    cfg_file_init(file);
    if (size > CFG_MAX_FILE) {
        buf_printf(error, "%s: larger than %d bytes, the limit for a "
                   "configuration file", name, CFG_MAX_FILE);
        return EINVAL;
    }
    retval = parse_lines(file, text, size, name, error);
    if (retval) {
        cfg_file_destroy(file);
    }
    return retval;
}

/* Reads all of 'fd' (at most CFG_MAX_FILE + 1 bytes, enough to tell that a
 * file is too large) into 'out'. */
static int
read_all(int fd, struct buf *out)
{
    for (;;) {
        ssize_t n;

        buf_reserve(out, 4096);
        n = read(fd, out->data + out->size, MIN(out->allocated - out->size - 1,
                                                 CFG_MAX_FILE + 1 - out->size));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        } else if (n == 0 || out->size + n > CFG_MAX_FILE) {
            out->size += n;
            out->data[out->size] = '\0';
            return 0;
        }
        out->size += n;
        out->data[out->size] = '\0';
    }
}

int
cfg_file_load(struct cfg_file *file, const char *path, struct buf *error)
{
    struct buf text = BUF_INITIALIZER;
    struct stat st;
    int fd, retval;

    cfg_file_init(file);
    /* O_NONBLOCK: a FIFO left where a file should be must not hang us. */
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        retval = errno;
        buf_printf(error, "%s: cannot open: %s", path, strerror(retval));
        return retval;
    }
    if (fstat(fd, &st) < 0) {
        retval = errno;
        buf_printf(error, "%s: cannot stat: %s", path, strerror(retval));
    } else if (!S_ISREG(st.st_mode)) {
        retval = EINVAL;
        buf_printf(error, "%s: not a regular file", path);
    } else {
        retval = read_all(fd, &text);
        if (retval) {
            buf_printf(error, "%s: cannot read: %s", path, strerror(retval));
        } else {
            retval = cfg_file_parse(file, buf_cstr(&text), text.size, path, error);
        }
    }
    close(fd);
    buf_uninit(&text);
    return retval;
}

/* ---- writing ------------------------------------------------------------- */

void
cfg_file_format(const struct cfg_file *file, const char *header, struct buf *out)
{
    if (header) {
        const char *p = header;

        /* Every header line becomes a comment, whatever it contains. */
        do {
            const char *nl = strchr(p, '\n');
            size_t length = nl ? (size_t) (nl - p) : strlen(p);

            buf_put_cstr(out, "# ");
            buf_put(out, p, length);
            buf_put_char(out, '\n');
            p = nl ? nl + 1 : NULL;
        } while (p && *p);
    }
    for (size_t i = 0; i < file->n; i++) {
        buf_printf(out, "%s=%s\n", file->entries[i].key, file->entries[i].value);
    }
}

/* Checks that 'file' reads back as itself: valid unique keys, values without
 * line breaks or NULs or surrounding whitespace (which parsing would trim).
 * Setters do not check, so this is the last line of defence for the disk. */
static int
check_savable(const struct cfg_file *file, const char *path, struct buf *error)
{
    for (size_t i = 0; i < file->n; i++) {
        const struct cfg_entry *e = &file->entries[i];
        size_t length = strlen(e->value);

        if (!cfg_valid_key(e->key)) {
            buf_printf(error, "%s: cannot save invalid key ", path);
            put_quoted(error, e->key, strlen(e->key));
            return EINVAL;
        }
        if (strlen(e->key) + 1 + length > CFG_MAX_LINE) {
            buf_printf(error, "%s: cannot save %s=...: the line would be longer "
                       "than the limit of %d bytes", path, e->key, CFG_MAX_LINE);
            return EINVAL;
        }
        if (strpbrk(e->value, "\n\r")
            || (length && (isspace((unsigned char) e->value[0])
                           || isspace((unsigned char) e->value[length - 1])))) {
            buf_printf(error, "%s: cannot save %s=", path, e->key);
            put_quoted(error, e->value, length);
            buf_put_cstr(error, ": values must be one line without leading or "
                         "trailing spaces");
            return EINVAL;
        }
        if (cfg_file_find(file, e->key) != e) {
            buf_printf(error, "%s: cannot save duplicate key \"%s\"", path, e->key);
            return EINVAL;
        }
    }
    return 0;
}

int
cfg_file_save(const struct cfg_file *file, const char *header, const char *path,
              struct buf *error)
{
    struct buf text = BUF_INITIALIZER;
    int retval;

    retval = check_savable(file, path, error);
    if (!retval) {
        cfg_file_format(file, header, &text);
        if (text.size > CFG_MAX_FILE) {
            buf_printf(error, "%s: cannot save %zu bytes, more than the limit of %d",
                       path, text.size, CFG_MAX_FILE);
            retval = EFBIG;
        } else {
            retval = cfg_write_atomic(path, buf_cstr(&text), text.size, error);
        }
    }
    buf_uninit(&text);
    return retval;
}

/* Appends "cannot WHAT PATH: reason" and, for the errors a person can fix,
 * how. */
static void
put_io_error(struct buf *error, const char *what, const char *path, int err)
{
    buf_printf(error, "cannot %s %s: %s", what, path, strerror(err));
    switch (err) {
    case EROFS:
        buf_put_cstr(error, " (remount the file system read-write, or point "
                     "SY_CONFDIR at a writable directory)");
        break;
    case ENOSPC:
    case EDQUOT:
        buf_put_cstr(error, " (free some space; the old file was left as it was)");
        break;
    case EACCES:
    case EPERM:
        buf_put_cstr(error, " (run as root, or point SY_CONFDIR at a directory "
                     "you can write)");
        break;
    default:
        break;
    }
}

/* Splits 'path' into a malloc'd directory ("." if none) and a pointer to
 * its last component. */
static char *
split_dir(const char *path, const char **base)
{
    const char *slash = strrchr(path, '/');

    if (!slash) {
        *base = path;
        return xstrdup(".");
    }
    *base = slash + 1;
    return slash == path ? xstrdup("/") : xstrndup(path, slash - path);
}

/* Creates a new temporary file next to the target: hidden (leading '.') so
 * that directory scans skip it, exclusive (O_EXCL) so that two writers never
 * share one, with a random suffix so that names do not collide. */
bool
cfg_is_temp_name(const char *name)
{
    return name[0] == '.' && strstr(name + 1, ".tmp-") != NULL;
}

void
cfg_remove_stale_temp(int dirfd, const char *name, time_t min_age)
{
    struct stat st;

    if (cfg_is_temp_name(name) && !fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW)
        && S_ISREG(st.st_mode) && time(NULL) - st.st_mtime >= min_age) {
        unlinkat(dirfd, name, 0);
    }
}

static int
create_temp(const char *dir, const char *base, char **tmp_path, struct buf *error)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned long long r = 0;
        int fd;

        /* Randomness only avoids collisions; O_EXCL guarantees uniqueness,
         * so the time-and-pid fallback is good enough. */
        if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r) {
            r = (unsigned long long) time_wall_msec() * 1000003u
                ^ ((unsigned long long) getpid() << 20) ^ attempt;
        }
        *tmp_path = xasprintf("%s/.%.64s.tmp-%llx", dir, base, r & 0xffffffffffffULL);
        fd = open(*tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0) {
            return fd;
        }
        if (errno != EEXIST) {
            int err = errno;

            put_io_error(error, "create a temporary file in", dir, err);
            free(*tmp_path);
            *tmp_path = NULL;
            errno = err;
            return -1;
        }
        free(*tmp_path);
    }
    *tmp_path = NULL;
    buf_printf(error, "cannot create a temporary file in %s: too many name "
               "collisions", dir);
    errno = EEXIST;
    return -1;
}

static int
write_all(int fd, const void *data, size_t size)
{
    const char *p = data;

    while (size) {
        ssize_t n = write(fd, p, size);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        p += n;
        size -= n;
    }
    return 0;
}

/* File systems that cannot sync directories say EINVAL; there is nothing
 * more to do on them. */
int
cfg_sync_dir(const char *dir, struct buf *error)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int retval = 0;

    if (fd < 0 || (fsync(fd) < 0 && errno != EINVAL)) {
        retval = errno;
        if (error) {
            buf_printf(error, "cannot sync directory %s: %s", dir, strerror(retval));
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    return retval;
}

/* Writes and syncs the temporary file; the umask must not make the
 * configuration unreadable to the daemons, hence fchmod. */
static int
fill_temp(int fd, const char *tmp_path, const void *data, size_t size, struct buf *error)
{
    int err;

    if (fchmod(fd, 0644) < 0) {
        err = errno;
        put_io_error(error, "set the mode of", tmp_path, err);
    } else if ((err = write_all(fd, data, size)) != 0) {
        put_io_error(error, "write", tmp_path, err);
    } else if (fsync(fd) < 0) {
        err = errno;
        put_io_error(error, "sync", tmp_path, err);
    }
    return err;
}

/* Creates, fills and renames the temporary file; 'error' gets the step
 * that failed. */
static int
replace_file(const char *dir, const char *base, const char *path, const void *data,
             size_t size, struct buf *error)
{
    char *tmp_path;
    int fd, err;

    fd = create_temp(dir, base, &tmp_path, error);
    if (fd < 0) {
        return errno;
    }
    err = fill_temp(fd, tmp_path, data, size, error);
    if (close(fd) < 0 && !err) {
        err = errno;
        put_io_error(error, "write", tmp_path, err);
    }
    if (!err && rename(tmp_path, path) < 0) {
        err = errno;
        buf_printf(error, "cannot rename %s over it: %s", tmp_path, strerror(err));
    }
    if (err) {
        /* The old file is untouched; only our temporary file goes. */
        unlink(tmp_path);
    }
    free(tmp_path);
    return err;
}

int
cfg_write_atomic(const char *path, const void *data, size_t size, struct buf *error)
{
    struct buf step = BUF_INITIALIZER;
    const char *base;
    char *dir = split_dir(path, &base);
    int err = replace_file(dir, base, path, data, size, &step);

    if (err) {
        buf_printf(error, "cannot write %s: %s", path, buf_cstr(&step));
    } else if ((err = cfg_sync_dir(dir, NULL)) != 0) {
        buf_printf(error, "%s was written but ", path);
        put_io_error(error, "sync the directory", dir, err);
    }
    buf_uninit(&step);
    free(dir);
    return err;
}

static int
mkdir_failed(const char *path, int err, struct buf *error)
{
    put_io_error(error, "create directory", path, err);
    return err;
}

/* Creates one directory; an existing directory is fine, anything else in its
 * place is not. */
static int
mkdir_one(const char *path, mode_t mode, struct buf *error)
{
    struct stat st;

    if (!mkdir(path, mode)) {
        return 0;
    }
    if (errno == EEXIST) {
        if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
            return 0;
        }
        buf_printf(error, "cannot create directory %s: a file of that name is "
                   "in the way", path);
        return ENOTDIR;
    }
    return mkdir_failed(path, errno, error);
}

int
cfg_mkdir_p(const char *path, mode_t mode, struct buf *error)
{
    char *copy = xstrdup(path);
    int retval = 0;

    /* Create each ancestor in turn; "//" and a trailing '/' are harmless. */
    for (char *p = copy + 1; *p && !retval; p++) {
        if (*p == '/' && p[-1] != '/') {
            *p = '\0';
            retval = mkdir_one(copy, mode, error);
            *p = '/';
        }
    }
    if (!retval && *copy) {
        retval = mkdir_one(copy, mode, error);
    }
    free(copy);
    return retval;
}

static int remove_at(int dirfd, const char *name, const char *path, struct buf *error);

/* Removes everything inside the directory open as 'fd' (which it closes).
 * Works by file descriptor so that a symlink inside the tree is removed, not
 * followed. */
static int
remove_contents(int fd, const char *path, struct buf *error)
{
    DIR *dir = fdopendir(fd);
    struct dirent *de;
    int retval = 0;

    if (!dir) {
        retval = errno;
        close(fd);
        put_io_error(error, "read directory", path, retval);
        return retval;
    }
    while (!retval && (de = readdir(dir)) != NULL) {
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
            char *child = xasprintf("%s/%s", path, de->d_name);

            retval = remove_at(dirfd(dir), de->d_name, child, error);
            free(child);
        }
    }
    closedir(dir);
    return retval;
}

static int
remove_at(int dirfd, const char *name, const char *path, struct buf *error)
{
    struct stat st;
    int err;

    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        err = errno;
        if (err == ENOENT) {
            return 0;
        }
        put_io_error(error, "remove", path, err);
        return err;
    }
    if (S_ISDIR(st.st_mode)) {
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (fd < 0) {
            err = errno;
            put_io_error(error, "open directory", path, err);
            return err;
        }
        err = remove_contents(fd, path, error);
        if (err) {
            return err;
        }
    }
    if (unlinkat(dirfd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0
        && errno != ENOENT) {
        err = errno;
        put_io_error(error, "remove", path, err);
        return err;
    }
    return 0;
}

int
cfg_remove_tree(const char *path, struct buf *error)
{
    return remove_at(AT_FDCWD, path, path, error);
}

/* ---- directories ---------------------------------------------------------- */

/* Computed on every call: tests and several instances in one process switch
 * the environment between calls. */
static const char *
env_dir(const char *variable, const char *fallback)
{
    const char *value = getenv(variable);

    return value && *value ? value : fallback;
}

const char *
sy_confdir(void)
{
    return env_dir("SY_CONFDIR", "/etc/switchyard");
}

const char *
sy_rundir(void)
{
    return env_dir("SY_RUNDIR", "/run/switchyard");
}
