/* store: how portd commands touch the configuration store. Edits are
 * serialized by flock() on CONFDIR/.lock (the daemon and offline clients
 * may run side by side); bridges are read and written through swconfig,
 * and every successful change is announced to flowd. Errors go into the
 * command's ctl_reply, worded for the person who typed the command. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "portd.h"

/* How long a command waits for another one's edit to finish. */
#define PORTD_LOCK_TIMEOUT_MS 10000

static int
portd_open_lock_file(const struct portd_env *env, bool exclusive, struct ctl_reply *reply)
{
    char *path = xasprintf("%s/.lock", env->confdir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

    /* A reader without write access to the store still deserves an answer:
     * it locks read-only, or not at all if the store does not exist. */
    if (fd < 0 && !exclusive) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 && (errno == ENOENT || errno == EACCES)) {
            free(path);
            return -2;
        }
    }
    if (fd < 0) {
        ctl_reply_error(reply, CTL_FAILED, "cannot open %s: %s", path, strerror(errno));
    }
    free(path);
    return fd;
}

/* Takes the store's lock, exclusive for an edit or shared for reading, and
 * creates the store when editing. Returns 0 or an errno (reply set). */
int
portd_lock(const struct portd_env *env, bool exclusive, struct portd_lock *lock,
           struct ctl_reply *reply)
{
    long long deadline = time_msec() + PORTD_LOCK_TIMEOUT_MS;
    int operation = (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB;

    lock->fd = -1;
    if (exclusive) {
        struct buf error = BUF_INITIALIZER;
        int retval = cfg_mkdir_p(env->confdir, 0755, &error);

        if (retval) {
            ctl_reply_error(reply, CTL_FAILED, "%s", buf_cstr(&error));
            buf_uninit(&error);
            return retval;
        }
        buf_uninit(&error);
    }

    int fd = portd_open_lock_file(env, exclusive, reply);

    if (fd == -2) {
        return 0;
    } else if (fd < 0) {
        return EACCES;
    }
    while (flock(fd, operation) < 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            ctl_reply_error(reply, CTL_FAILED, "cannot lock %s/.lock: %s", env->confdir,
                            strerror(errno));
            close(fd);
            return errno;
        } else if (time_msec() >= deadline) {
            ctl_reply_error(reply, CTL_FAILED, "the configuration in %s stays locked by "
                            "another process (%s/.lock); try again", env->confdir,
                            env->confdir);
            close(fd);
            return ETIMEDOUT;
        }
        poll(NULL, 0, 10);
    }
    lock->fd = fd;
    return 0;
}

void
portd_unlock(struct portd_lock *lock)
{
    if (lock->fd >= 0) {
        close(lock->fd);
        lock->fd = -1;
    }
}

/* Bridge and port names become device and file names. */
bool
portd_check_name(struct ctl_reply *reply, const char *what, const char *name)
{
    if (sy_valid_ifname(name)) {
        return true;
    }
    ctl_reply_error(reply, CTL_USAGE, "invalid %s name \"%s\": expected 1 to 15 "
                    "characters without \"/\", \":\", \"=\", \",\" or spaces", what, name);
    return false;
}

bool
portd_bridge_exists(const struct portd_env *env, const char *name)
{
    char *path = xasprintf("%s/bridges/%s", env->confdir, name);
    struct stat st;
    bool exists = stat(path, &st) == 0 && S_ISDIR(st.st_mode);

    free(path);
    return exists;
}

/* Loads bridge 'name'; on failure says why in 'reply' and returns the
 * errno, leaving 'bridge' empty but initialized. */
int
portd_load_bridge(const struct portd_env *env, const char *name, struct sw_bridge *bridge,
                  struct ctl_reply *reply)
{
    struct buf error = BUF_INITIALIZER;
    int retval = sw_bridge_load(env->confdir, name, bridge, &error);

    if (retval == ENOENT) {
        ctl_reply_error(reply, CTL_FAILED, "no bridge \"%s\" (try \"portd list-br\")", name);
    } else if (retval) {
        buf_chomp(&error);
        ctl_reply_error(reply, CTL_FAILED, "%s", buf_cstr(&error));
    }
    buf_uninit(&error);
    return retval;
}

int
portd_save_bridge(const struct portd_env *env, const struct sw_bridge *bridge,
                  struct ctl_reply *reply)
{
    struct buf error = BUF_INITIALIZER;
    int retval = sw_bridge_save(env->confdir, bridge, &error);

    if (retval) {
        buf_chomp(&error);
        ctl_reply_error(reply, CTL_FAILED, "cannot save bridge %s: %s", bridge->name,
                        buf_cstr(&error));
    }
    buf_uninit(&error);
    return retval;
}

/* Finds the bridge that owns the name 'port': a bridge with such a port
 * file, or the bridge of that name (its own internal port). Port files are
 * checked directly, so that a bridge whose other files are corrupt still
 * holds on to its ports. Returns 0 with '*owner' set, ENOENT, or an errno
 * (reply set). */
int
portd_find_port_owner(const struct portd_env *env, const char *port, const char *skip,
                      char **owner, struct ctl_reply *reply)
{
    struct buf error = BUF_INITIALIZER;
    char **names;
    size_t n;
    int retval = sw_list_bridges(env->confdir, &names, &n, &error);

    *owner = NULL;
    if (retval) {
        ctl_reply_error(reply, CTL_FAILED, "cannot list bridges: %s", buf_cstr(&error));
        buf_uninit(&error);
        return retval;
    }
    for (size_t i = 0; i < n && !*owner; i++) {
        char *path = xasprintf("%s/bridges/%s/ports/%s", env->confdir, names[i], port);

        if ((!skip || strcmp(names[i], skip))
            && (!strcmp(names[i], port) || access(path, F_OK) == 0)) {
            *owner = xstrdup(names[i]);
        }
        free(path);
    }
    sw_names_free(names, n);
    buf_uninit(&error);
    return *owner ? 0 : ENOENT;
}

/* Tells flowd to re-read the configuration. flowd not running is fine (it
 * reads the configuration when it starts); flowd refusing is a warning the
 * person must see, though the configuration stays written. */
void
portd_notify_flowd(const struct portd_env *env, struct ctl_reply *reply)
{
    char *path = xasprintf("%s/flowd.ctl", env->rundir);
    char *argv[] = { "reconfigure" };
    struct buf output = BUF_INITIALIZER, error = BUF_INITIALIZER;
    int status = ctl_client_call(path, 1, argv, PORTD_CALL_TIMEOUT_MS, &output, &error);

    if (status && status != -ENOENT && status != -ECONNREFUSED) {
        buf_chomp(&error);
        ctl_reply_error(reply, CTL_FAILED, "warning: flowd: %s", buf_cstr(&error));
    }
    buf_uninit(&output);
    buf_uninit(&error);
    free(path);
}

/* "auto" is the kernel datapath when its module is loaded, else user; the
 * bridge's file records which, so a later module load changes nothing. */
enum sw_datapath_type
portd_resolve_datapath(enum sw_datapath_type type)
{
    return sw_datapath_resolve(type);
}

/* Splits "key=value" into a malloc'd key and a pointer into 'word'. */
bool
portd_split_word(const char *word, char **key, const char **value)
{
    const char *eq = strchr(word, '=');

    if (!eq) {
        return false;
    }
    *key = xstrndup(word, eq - word);
    *value = eq + 1;
    return true;
}

/* True if 'key' is namespaced ("other_config:NAME", "external_ids:NAME"):
 * free-form keys that the command line passes through untouched. */
static bool
portd_key_is_namespaced(const char *key)
{
    const char *colon = strchr(key, ':');

    return colon && colon > key && colon[1];
}

/* Checks the keys of 'words' (KEY=VALUE) against 'known' (NULL-terminated)
 * and namespaced keys. Files may hold any key, kept for newer programs; on
 * a command line an unknown key is far more likely a typo, so it is bad
 * usage. Words without '=' are left to swconfig's message. */
bool
portd_check_keys(struct ctl_reply *reply, const char *what, int n, char *words[],
                 const char *const known[])
{
    for (int i = 0; i < n; i++) {
        const char *value;
        char *key;
        bool found = false;

        if (!portd_split_word(words[i], &key, &value)) {
            continue;
        } else if (!*key) {
            free(key);      /* "=VALUE": swconfig says what is wrong. */
            continue;
        }
        for (size_t j = 0; known[j] && !found; j++) {
            found = !strcmp(key, known[j]);
        }
        if (!found && !portd_key_is_namespaced(key)) {
            struct buf list = BUF_INITIALIZER;

            for (size_t j = 0; known[j]; j++) {
                buf_printf(&list, "%s, ", known[j]);
            }
            ctl_reply_error(reply, CTL_USAGE, "unknown key \"%s\" for %s (expected "
                            "%sor a namespaced key such as other_config:NAME)", key, what,
                            buf_cstr(&list));
            buf_uninit(&list);
            free(key);
            return false;
        }
        free(key);
    }
    return true;
}

/* A new object's settings need values: "tag=" on add-port is a mistake,
 * not a way to say "no tag". */
bool
portd_check_values(struct ctl_reply *reply, int n, char *words[])
{
    for (int i = 0; i < n; i++) {
        const char *eq = strchr(words[i], '=');

        if (eq && !eq[1]) {
            ctl_reply_error(reply, CTL_USAGE, "%s: expected a value (leave the key out "
                            "to get its default)", words[i]);
            return false;
        }
    }
    return true;
}
