/* cfg: the configuration store's file format and its atomic writes.
 *
 * One file per object, "key=value" lines, '#' starts a comment line, blank
 * lines are ignored, whitespace around key and value is trimmed. Keys are
 * [a-z0-9_.:-]+. Parse errors say "FILE:LINE: what is wrong". Files are
 * written to a temporary file in the same directory, fsync'd, renamed over
 * the old one, and the directory fsync'd: a crash leaves the old file or the
 * new one, never half of either.
 *
 * sy_confdir()/sy_rundir() give the directories, honouring SY_CONFDIR and
 * SY_RUNDIR. */
#ifndef SY_CFG_H
#define SY_CFG_H 1

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

#define CFG_MAX_LINE 4096
#define CFG_MAX_FILE (1024 * 1024)

struct cfg_entry {
    char *key;
    char *value;
    unsigned int line;          /* Line it was read from; 0 if set later. */
};

struct cfg_file {
    struct cfg_entry *entries;  /* In file order. */
    size_t n;                   /* Number of entries. */
    size_t allocated;           /* Allocated entries. */
};

#define CFG_FILE_INITIALIZER { NULL, 0, 0 }

void cfg_file_init(struct cfg_file *);
void cfg_file_destroy(struct cfg_file *);
void cfg_file_clone(struct cfg_file *dst, const struct cfg_file *src);

/* Parses 'size' bytes of 'text'. 'name' is used in error messages
 * ("name:line: ..."). Returns 0, or EINVAL with the message in 'error' and
 * 'file' left empty. Rejects NUL bytes, over-long lines, lines without '=',
 * invalid keys and duplicate keys. */
int cfg_file_parse(struct cfg_file *, const char *text, size_t size, const char *name,
                   struct buf *error);
/* Reads and parses 'path'. Returns 0, ENOENT, EINVAL or another errno with a
 * message in 'error'. */
int cfg_file_load(struct cfg_file *, const char *path, struct buf *error);

const char *cfg_file_get(const struct cfg_file *, const char *key);
const struct cfg_entry *cfg_file_find(const struct cfg_file *, const char *key);
void cfg_file_set(struct cfg_file *, const char *key, const char *value);
bool cfg_file_unset(struct cfg_file *, const char *key);

/* Serializes 'file' ('header', if nonnull, becomes a leading '#' comment). */
void cfg_file_format(const struct cfg_file *, const char *header, struct buf *out);
int cfg_file_save(const struct cfg_file *, const char *header, const char *path,
                  struct buf *error);

/* Atomic replace of 'path' with 'size' bytes of 'data', mode 0644. */
/* Makes the entries of 'dir' (a file just renamed or removed there)
 * durable. Returns 0 or an errno value, with a message in 'error' unless
 * it is NULL. */
int cfg_sync_dir(const char *dir, struct buf *error);
/* True if 'name' is a temporary file of cfg_write_atomic() (".BASE.tmp-X"). */
bool cfg_is_temp_name(const char *name);
/* Removes the temporary file 'name' in the directory 'dirfd' if it is older
 * than 'min_age' seconds: a write that old was cut off (crash, kill -9),
 * never completed. Errors are ignored: the file is harmless, only clutter. */
void cfg_remove_stale_temp(int dirfd, const char *name, time_t min_age);
int cfg_write_atomic(const char *path, const void *data, size_t size, struct buf *error);
int cfg_mkdir_p(const char *path, mode_t mode, struct buf *error);
/* Removes 'path' and everything under it; ENOENT is not an error. */
int cfg_remove_tree(const char *path, struct buf *error);

/* True if 'key' is a valid key. */
bool cfg_valid_key(const char *key);

const char *sy_confdir(void);
const char *sy_rundir(void);

#endif
