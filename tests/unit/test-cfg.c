/* Unit tests for the cfg file format and atomic writes (libcommon/cfg.c).
 * Each test that touches files works in its own mkdtemp() directory under
 * /tmp and removes it at the end. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "unit.h"

static char *
make_tmpdir(void)
{
    char *dir = xstrdup("/tmp/test-cfg-XXXXXX");

    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
    return dir;
}

static void
remove_tmpdir(char *dir)
{
    struct buf error = BUF_INITIALIZER;

    CHECK_INT_EQ(cfg_remove_tree(dir, &error), 0);
    buf_uninit(&error);
    free(dir);
}

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

static char *
read_file(const char *path)
{
    struct buf b = BUF_INITIALIZER;
    FILE *f = fopen(path, "r");
    char chunk[512];
    size_t n;

    if (!f) {
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        buf_put(&b, chunk, n);
    }
    fclose(f);
    return buf_steal_cstr(&b);
}

/* Number of entries in 'dir' other than "." and "..". */
static int
count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    if (!d) {
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
    }
    closedir(d);
    return n;
}

/* Parses 'text' expecting failure with exactly 'message'. */
static void
check_parse_error(const char *text, size_t size, const char *message)
{
    struct buf error = BUF_INITIALIZER;
    struct cfg_file file;

    CHECK_INT_EQ(cfg_file_parse(&file, text, size, "br0/bridge", &error), EINVAL);
    CHECK_STR_EQ(buf_cstr(&error), message);
    CHECK_INT_EQ(file.n, 0);
    cfg_file_destroy(&file);
    buf_uninit(&error);
}

#define PARSE_ERROR(TEXT, MESSAGE) check_parse_error(TEXT, strlen(TEXT), MESSAGE)

static void
test_parse_good(void)
{
    static const char text[] =
        "# a comment\n"
        "\n"
        "   datapath = user  \r\n"
        "\t# indented comment\n"
        "controller=tcp:10.0.0.1:6653,ssl:h:1\n"
        "empty=\n"
        "options=a=b\n"
        "last.key_x:y-z=no newline at end";
    struct buf error = BUF_INITIALIZER;
    struct cfg_file file;

    CHECK_INT_EQ(cfg_file_parse(&file, text, strlen(text), "t", &error), 0);
    CHECK_STR_EQ(buf_cstr(&error), "");
    CHECK_INT_EQ(file.n, 5);
    CHECK_STR_EQ(file.entries[0].key, "datapath");
    CHECK_STR_EQ(file.entries[0].value, "user");
    CHECK_INT_EQ(file.entries[0].line, 3);
    CHECK_STR_EQ(cfg_file_get(&file, "controller"), "tcp:10.0.0.1:6653,ssl:h:1");
    CHECK_STR_EQ(cfg_file_get(&file, "empty"), "");
    CHECK_STR_EQ(cfg_file_get(&file, "options"), "a=b");
    CHECK_STR_EQ(cfg_file_get(&file, "last.key_x:y-z"), "no newline at end");
    CHECK_INT_EQ(cfg_file_find(&file, "last.key_x:y-z")->line, 8);
    CHECK(!cfg_file_get(&file, "missing"));
    cfg_file_destroy(&file);

    CHECK_INT_EQ(cfg_file_parse(&file, "", 0, "t", &error), 0);
    CHECK_INT_EQ(file.n, 0);
    cfg_file_destroy(&file);
    buf_uninit(&error);
}

static void
test_parse_errors(void)
{
    PARSE_ERROR("datapath=user\n\ndatapath user\n",
                "br0/bridge:3: expected key=value, got \"datapath user\"");
    PARSE_ERROR("=user\n", "br0/bridge:1: missing key before '=' in \"=user\"");
    PARSE_ERROR("  = x\n", "br0/bridge:1: missing key before '=' in \"= x\"");
    PARSE_ERROR("Datapath=user\n",
                "br0/bridge:1: invalid key \"Datapath\" (keys use a-z, 0-9, '_', "
                "'.', ':' and '-')");
    PARSE_ERROR("fail mode=secure\n",
                "br0/bridge:1: invalid key \"fail mode\" (keys use a-z, 0-9, '_', "
                "'.', ':' and '-')");
    PARSE_ERROR("tag=1\n# c\ntag=2\n",
                "br0/bridge:3: duplicate key \"tag\" (first set on line 1); "
                "remove one of them");
    PARSE_ERROR("\x01\xff garbage\n",
                "br0/bridge:1: expected key=value, got \"\\x01\\xff garbage\"");
    check_parse_error("a=1\nb=\0\n", 7,
                      "br0/bridge:2: contains a NUL byte; configuration files are "
                      "text, is this the right file?");
}

static void
test_parse_limits(void)
{
    size_t size = CFG_MAX_LINE + 1;
    char *text = xmalloc(CFG_MAX_FILE + 2);
    struct buf error = BUF_INITIALIZER;
    struct cfg_file file;

    /* A line of exactly CFG_MAX_LINE bytes is fine, one more is not. */
    memset(text, 'x', size);
    text[0] = 'k';
    text[1] = '=';
    CHECK_INT_EQ(cfg_file_parse(&file, text, CFG_MAX_LINE, "f", &error), 0);
    CHECK_INT_EQ(file.n, 1);
    cfg_file_destroy(&file);
    CHECK_INT_EQ(cfg_file_parse(&file, text, size, "f", &error), EINVAL);
    CHECK_STR_EQ(buf_cstr(&error), "f:1: line is 4097 bytes long, more than the "
                 "limit of 4096");
    buf_clear(&error);

    /* Over-long files are refused before looking at them. */
    memset(text, '\n', CFG_MAX_FILE + 1);
    CHECK_INT_EQ(cfg_file_parse(&file, text, CFG_MAX_FILE, "f", &error), 0);
    cfg_file_destroy(&file);
    CHECK_INT_EQ(cfg_file_parse(&file, text, CFG_MAX_FILE + 1, "f", &error), EINVAL);
    CHECK_STR_EQ(buf_cstr(&error), "f: larger than 1048576 bytes, the limit for a "
                 "configuration file");
    CHECK_INT_EQ(file.n, 0);
    cfg_file_destroy(&file);

    /* A long value in an error message is cut. */
    buf_clear(&error);
    memset(text, 'y', 100);
    CHECK_INT_EQ(cfg_file_parse(&file, text, 100, "f", &error), EINVAL);
    CHECK(strstr(buf_cstr(&error), "yyy...\"") != NULL);
    CHECK(error.size < 120);
    free(text);
    buf_uninit(&error);
}

static void
test_set_get_unset_clone(void)
{
    struct cfg_file file = CFG_FILE_INITIALIZER;
    struct cfg_file copy;

    cfg_file_set(&file, "a", "1");
    cfg_file_set(&file, "b", "2");
    cfg_file_set(&file, "c", "3");
    cfg_file_set(&file, "a", "one");
    CHECK_INT_EQ(file.n, 3);
    CHECK_STR_EQ(file.entries[0].key, "a");
    CHECK_STR_EQ(file.entries[0].value, "one");
    CHECK(cfg_file_unset(&file, "b"));
    CHECK(!cfg_file_unset(&file, "b"));
    CHECK_INT_EQ(file.n, 2);
    CHECK_STR_EQ(file.entries[1].key, "c");

    cfg_file_clone(&copy, &file);
    cfg_file_set(&file, "c", "changed");
    CHECK_STR_EQ(cfg_file_get(&copy, "c"), "3");
    CHECK_INT_EQ(copy.n, 2);
    cfg_file_destroy(&copy);
    cfg_file_destroy(&file);
    cfg_file_destroy(&file);
    cfg_file_destroy(NULL);

    CHECK(cfg_valid_key("netflow-active-timeout"));
    CHECK(cfg_valid_key("a.b_c:d-0"));
    CHECK(!cfg_valid_key(""));
    CHECK(!cfg_valid_key("A"));
    CHECK(!cfg_valid_key("a b"));
    CHECK(!cfg_valid_key("a=b"));
    CHECK(!cfg_valid_key("#a"));
}

static void
test_format_round_trip(void)
{
    struct cfg_file file = CFG_FILE_INITIALIZER, back;
    struct buf text = BUF_INITIALIZER, error = BUF_INITIALIZER;

    cfg_file_set(&file, "datapath", "user");
    cfg_file_set(&file, "options", "x=y");
    cfg_file_set(&file, "empty", "");
    cfg_file_format(&file, "line one\nline two\n", &text);
    CHECK_STR_EQ(buf_cstr(&text), "# line one\n# line two\ndatapath=user\n"
                 "options=x=y\nempty=\n");
    CHECK_INT_EQ(cfg_file_parse(&back, text.data, text.size, "t", &error), 0);
    CHECK_INT_EQ(back.n, 3);
    for (size_t i = 0; i < back.n && i < file.n; i++) {
        CHECK_STR_EQ(back.entries[i].key, file.entries[i].key);
        CHECK_STR_EQ(back.entries[i].value, file.entries[i].value);
    }
    cfg_file_destroy(&back);

    buf_clear(&text);
    cfg_file_format(&file, NULL, &text);
    CHECK_STR_EQ(buf_cstr(&text), "datapath=user\noptions=x=y\nempty=\n");
    buf_uninit(&text);
    buf_uninit(&error);
    cfg_file_destroy(&file);
}

static void
test_load(void)
{
    char *dir = make_tmpdir();
    char *path = xasprintf("%s/bridge", dir);
    struct buf error = BUF_INITIALIZER;
    struct cfg_file file;
    char *expected;

    CHECK_INT_EQ(cfg_file_load(&file, path, &error), ENOENT);
    expected = xasprintf("%s: cannot open: No such file or directory", path);
    CHECK_STR_EQ(buf_cstr(&error), expected);
    free(expected);
    cfg_file_destroy(&file);

    buf_clear(&error);
    CHECK_INT_EQ(cfg_file_load(&file, dir, &error), EINVAL);
    expected = xasprintf("%s: not a regular file", dir);
    CHECK_STR_EQ(buf_cstr(&error), expected);
    free(expected);

    /* A FIFO is refused, not waited on. */
    buf_clear(&error);
    CHECK_INT_EQ(mkfifo(path, 0644), 0);
    CHECK_INT_EQ(cfg_file_load(&file, path, &error), EINVAL);
    expected = xasprintf("%s: not a regular file", path);
    CHECK_STR_EQ(buf_cstr(&error), expected);
    free(expected);
    CHECK_INT_EQ(unlink(path), 0);

    buf_clear(&error);
    write_file(path, "a=1\nb\n");
    CHECK_INT_EQ(cfg_file_load(&file, path, &error), EINVAL);
    expected = xasprintf("%s:2: expected key=value, got \"b\"", path);
    CHECK_STR_EQ(buf_cstr(&error), expected);
    free(expected);

    buf_clear(&error);
    write_file(path, "a=1\nb=2\n");
    CHECK_INT_EQ(cfg_file_load(&file, path, &error), 0);
    CHECK_STR_EQ(cfg_file_get(&file, "b"), "2");
    cfg_file_destroy(&file);

    /* A file on disk over the limit. */
    {
        char *big = xmalloc(CFG_MAX_FILE + 2);

        memset(big, '#', CFG_MAX_FILE + 1);
        big[CFG_MAX_FILE + 1] = '\0';
        write_file(path, big);
        free(big);
    }
    buf_clear(&error);
    CHECK_INT_EQ(cfg_file_load(&file, path, &error), EINVAL);
    CHECK(strstr(buf_cstr(&error), "larger than 1048576 bytes") != NULL);

    buf_uninit(&error);
    free(path);
    remove_tmpdir(dir);
}

static void
test_save_refuses_unreadable(void)
{
    char *dir = make_tmpdir();
    char *path = xasprintf("%s/f", dir);
    struct buf error = BUF_INITIALIZER;
    struct cfg_file file = CFG_FILE_INITIALIZER;
    char *expected;

    cfg_file_set(&file, "a", "two\nlines");
    CHECK_INT_EQ(cfg_file_save(&file, NULL, path, &error), EINVAL);
    expected = xasprintf("%s: cannot save a=\"two\\x0alines\": values must be one "
                         "line without leading or trailing spaces", path);
    CHECK_STR_EQ(buf_cstr(&error), expected);
    free(expected);
    cfg_file_destroy(&file);

    buf_clear(&error);
    cfg_file_set(&file, "a", " padded");
    CHECK_INT_EQ(cfg_file_save(&file, NULL, path, &error), EINVAL);
    cfg_file_destroy(&file);

    buf_clear(&error);
    cfg_file_set(&file, "Bad Key", "x");
    CHECK_INT_EQ(cfg_file_save(&file, NULL, path, &error), EINVAL);
    CHECK(strstr(buf_cstr(&error), "cannot save invalid key \"Bad Key\"") != NULL);
    cfg_file_destroy(&file);

    buf_clear(&error);
    {
        char *long_value = xmalloc(CFG_MAX_LINE);

        memset(long_value, 'v', CFG_MAX_LINE - 1);
        long_value[CFG_MAX_LINE - 1] = '\0';
        cfg_file_set(&file, "ab", long_value);
        CHECK_INT_EQ(cfg_file_save(&file, NULL, path, &error), EINVAL);
        CHECK(strstr(buf_cstr(&error), "cannot save ab=...: the line would be longer "
                     "than the limit of 4096 bytes") != NULL);
        free(long_value);
    }
    cfg_file_destroy(&file);

    /* Duplicates can only come from poking at entries directly. */
    buf_clear(&error);
    cfg_file_set(&file, "a", "1");
    cfg_file_set(&file, "b", "2");
    free(file.entries[1].key);
    file.entries[1].key = xstrdup("a");
    CHECK_INT_EQ(cfg_file_save(&file, NULL, path, &error), EINVAL);
    CHECK(strstr(buf_cstr(&error), "cannot save duplicate key \"a\"") != NULL);
    cfg_file_destroy(&file);

    CHECK_INT_EQ(count_entries(dir), 0);
    buf_uninit(&error);
    free(path);
    remove_tmpdir(dir);
}

static void
test_save_and_load(void)
{
    char *dir = make_tmpdir();
    char *path = xasprintf("%s/bridge", dir);
    struct buf error = BUF_INITIALIZER;
    struct cfg_file file = CFG_FILE_INITIALIZER, back;
    struct stat st;
    char *text;
    mode_t old_umask = umask(077);

    cfg_file_set(&file, "datapath", "kernel");
    cfg_file_set(&file, "x", "");
    CHECK_INT_EQ(cfg_file_save(&file, "hello", path, &error), 0);
    text = read_file(path);
    CHECK_STR_EQ(text, "# hello\ndatapath=kernel\nx=\n");
    free(text);
    /* 0644 whatever the umask: daemons of other users read these. */
    CHECK(!stat(path, &st) && (st.st_mode & 0777) == 0644);
    umask(old_umask);

    CHECK_INT_EQ(cfg_file_load(&back, path, &error), 0);
    CHECK_INT_EQ(back.n, 2);
    CHECK_STR_EQ(cfg_file_get(&back, "datapath"), "kernel");
    cfg_file_destroy(&back);

    /* Overwrite: the new contents, still one file. */
    cfg_file_set(&file, "datapath", "user");
    CHECK_INT_EQ(cfg_file_save(&file, NULL, path, &error), 0);
    text = read_file(path);
    CHECK_STR_EQ(text, "datapath=user\nx=\n");
    free(text);
    CHECK_INT_EQ(count_entries(dir), 1);
    CHECK_STR_EQ(buf_cstr(&error), "");

    cfg_file_destroy(&file);
    buf_uninit(&error);
    free(path);
    remove_tmpdir(dir);
}

/* Failures before the rename: nothing is created, nothing is left. */
static void
test_write_atomic_cannot_create(void)
{
    char *dir = make_tmpdir();
    char *file_path = xasprintf("%s/plain", dir);
    char *under_file = xasprintf("%s/plain/bridge", dir);
    char *missing = xasprintf("%s/missing/bridge", dir);
    struct buf error = BUF_INITIALIZER;
    char *expected;

    write_file(file_path, "x");
    CHECK_INT_EQ(cfg_write_atomic(under_file, "a=1\n", 4, &error), ENOTDIR);
    expected = xasprintf("cannot write %s: cannot create a temporary file in %s: "
                         "Not a directory", under_file, file_path);
    CHECK_STR_EQ(buf_cstr(&error), expected);
    free(expected);

    buf_clear(&error);
    CHECK_INT_EQ(cfg_write_atomic(missing, "a=1\n", 4, &error), ENOENT);
    CHECK(strstr(buf_cstr(&error), "/missing: No such file or directory") != NULL);
    CHECK_INT_EQ(count_entries(dir), 1);

    buf_uninit(&error);
    free(file_path);
    free(under_file);
    free(missing);
    remove_tmpdir(dir);
}

/* The rename fails (a non-empty directory is in the way): the temporary file
 * must go and the directory must stay as it was. */
static void
test_write_atomic_rename_fails(void)
{
    char *dir = make_tmpdir();
    char *target = xasprintf("%s/bridge", dir);
    char *inside = xasprintf("%s/bridge/keep", dir);
    struct buf error = BUF_INITIALIZER;
    char *text;

    CHECK_INT_EQ(mkdir(target, 0755), 0);
    write_file(inside, "old");
    CHECK(cfg_write_atomic(target, "a=1\n", 4, &error) != 0);
    CHECK(str_starts_with(buf_cstr(&error), "cannot write "));
    CHECK(strstr(buf_cstr(&error), target) != NULL);
    CHECK(strstr(buf_cstr(&error), ": cannot rename ") != NULL);
    CHECK_INT_EQ(count_entries(dir), 1);
    text = read_file(inside);
    CHECK_STR_EQ(text, "old");
    free(text);

    buf_uninit(&error);
    free(target);
    free(inside);
    remove_tmpdir(dir);
}

/* A directory where even root may not create files (sysfs) gives the
 * "permission denied" hint, with the path the person asked for. */
static void
test_write_atomic_permission_hint(void)
{
    struct buf error = BUF_INITIALIZER;
    struct stat st;
    int retval;

    if (stat("/sys/kernel", &st) || !S_ISDIR(st.st_mode)) {
        return;                 /* No sysfs here: nothing to test with. */
    }
    retval = cfg_write_atomic("/sys/kernel/sy-test", "x", 1, &error);
    CHECK(retval == EACCES || retval == EROFS || retval == EPERM);
    CHECK(str_starts_with(buf_cstr(&error), "cannot write /sys/kernel/sy-test: "
                          "cannot create a temporary file in /sys/kernel: "));
    CHECK(strstr(buf_cstr(&error), "point SY_CONFDIR at") != NULL);
    buf_uninit(&error);
}

/* The write itself fails half-way (root ignores permissions, so use the file
 * size limit): the old file must be untouched and no temporary file left. */
static void
test_write_atomic_write_fails(void)
{
    char *dir = make_tmpdir();
    char *path = xasprintf("%s/bridge", dir);
    struct buf error = BUF_INITIALIZER;
    struct rlimit old_limit, limit;
    void (*old_handler)(int);
    char data[4096];
    char *text, *expected;

    write_file(path, "datapath=user\n");
    memset(data, '#', sizeof data);
    getrlimit(RLIMIT_FSIZE, &old_limit);
    limit = old_limit;
    limit.rlim_cur = 1000;
    old_handler = signal(SIGXFSZ, SIG_IGN);
    CHECK_INT_EQ(setrlimit(RLIMIT_FSIZE, &limit), 0);
    CHECK_INT_EQ(cfg_write_atomic(path, data, sizeof data, &error), EFBIG);
    setrlimit(RLIMIT_FSIZE, &old_limit);
    signal(SIGXFSZ, old_handler);

    expected = xasprintf("cannot write %s: cannot write %s/.bridge.tmp-", path, dir);
    CHECK(str_starts_with(buf_cstr(&error), expected));
    CHECK(strstr(buf_cstr(&error), ": File too large") != NULL);
    free(expected);
    text = read_file(path);
    CHECK_STR_EQ(text, "datapath=user\n");
    free(text);
    CHECK_INT_EQ(count_entries(dir), 1);

    buf_uninit(&error);
    free(path);
    remove_tmpdir(dir);
}

static void
test_mkdir_p(void)
{
    char *dir = make_tmpdir();
    char *deep = xasprintf("%s/a/b//c/", dir);
    char *blocked = xasprintf("%s/file/x", dir);
    char *file = xasprintf("%s/file", dir);
    struct buf error = BUF_INITIALIZER;
    struct stat st;
    char *expected;

    CHECK_INT_EQ(cfg_mkdir_p(deep, 0755, &error), 0);
    CHECK(!stat(deep, &st) && S_ISDIR(st.st_mode));
    CHECK_INT_EQ(cfg_mkdir_p(deep, 0755, &error), 0);
    CHECK_INT_EQ(cfg_mkdir_p(dir, 0755, &error), 0);
    CHECK_STR_EQ(buf_cstr(&error), "");

    write_file(file, "");
    CHECK_INT_EQ(cfg_mkdir_p(blocked, 0755, &error), ENOTDIR);
    expected = xasprintf("cannot create directory %s: a file of that name is in "
                         "the way", file);
    CHECK_STR_EQ(buf_cstr(&error), expected);
    free(expected);

    buf_uninit(&error);
    free(deep);
    free(blocked);
    free(file);
    remove_tmpdir(dir);
}

static void
test_remove_tree(void)
{
    char *dir = make_tmpdir();
    char *outside = make_tmpdir();
    char *tree = xasprintf("%s/br0", dir);
    char *ports = xasprintf("%s/br0/ports", dir);
    char *port = xasprintf("%s/br0/ports/p1", dir);
    char *link = xasprintf("%s/br0/link", dir);
    char *precious = xasprintf("%s/precious", outside);
    struct buf error = BUF_INITIALIZER;
    struct stat st;

    CHECK_INT_EQ(cfg_mkdir_p(ports, 0755, &error), 0);
    write_file(port, "type=internal\n");
    write_file(precious, "keep me");
    CHECK_INT_EQ(symlink(outside, link), 0);

    CHECK_INT_EQ(cfg_remove_tree(tree, &error), 0);
    CHECK(lstat(tree, &st) < 0 && errno == ENOENT);
    /* The symlink went, not what it pointed to. */
    CHECK(!stat(precious, &st));
    /* Gone already: not an error. */
    CHECK_INT_EQ(cfg_remove_tree(tree, &error), 0);
    /* A single file. */
    CHECK_INT_EQ(cfg_remove_tree(precious, &error), 0);
    CHECK_INT_EQ(count_entries(outside), 0);
    CHECK_STR_EQ(buf_cstr(&error), "");

    buf_uninit(&error);
    free(tree);
    free(ports);
    free(port);
    free(link);
    free(precious);
    remove_tmpdir(outside);
    remove_tmpdir(dir);
}

static void
test_dirs_from_environment(void)
{
    char *old_conf = getenv("SY_CONFDIR") ? xstrdup(getenv("SY_CONFDIR")) : NULL;
    char *old_run = getenv("SY_RUNDIR") ? xstrdup(getenv("SY_RUNDIR")) : NULL;

    unsetenv("SY_CONFDIR");
    unsetenv("SY_RUNDIR");
    CHECK_STR_EQ(sy_confdir(), "/etc/switchyard");
    CHECK_STR_EQ(sy_rundir(), "/run/switchyard");
    setenv("SY_CONFDIR", "/tmp/a", 1);
    setenv("SY_RUNDIR", "/tmp/b", 1);
    CHECK_STR_EQ(sy_confdir(), "/tmp/a");
    CHECK_STR_EQ(sy_rundir(), "/tmp/b");
    /* Changes take effect at once: nothing is cached. */
    setenv("SY_CONFDIR", "/tmp/c", 1);
    CHECK_STR_EQ(sy_confdir(), "/tmp/c");
    setenv("SY_CONFDIR", "", 1);
    CHECK_STR_EQ(sy_confdir(), "/etc/switchyard");

    if (old_conf) {
        setenv("SY_CONFDIR", old_conf, 1);
    } else {
        unsetenv("SY_CONFDIR");
    }
    if (old_run) {
        setenv("SY_RUNDIR", old_run, 1);
    } else {
        unsetenv("SY_RUNDIR");
    }
    free(old_conf);
    free(old_run);
}

/* A cut-off write's temporary file goes once it is old enough; a fresh one
 * (a write perhaps still in progress) and ordinary files stay. */
static void
test_remove_stale_temp(void)
{
    char *dir = make_tmpdir();
    char *old = xasprintf("%s/.br0.tmp-1234", dir);
    char *fresh = xasprintf("%s/.br0.tmp-5678", dir);
    char *plain = xasprintf("%s/br0", dir);
    struct timespec times[2] = { { .tv_sec = 1000000 }, { .tv_sec = 1000000 } };
    DIR *d;

    write_file(old, "half a fi");
    write_file(fresh, "half a fi");
    write_file(plain, "datapath=user\n");
    CHECK(utimensat(AT_FDCWD, old, times, 0) == 0);
    CHECK(utimensat(AT_FDCWD, plain, times, 0) == 0);
    CHECK(cfg_is_temp_name(".br0.tmp-1234"));
    CHECK(!cfg_is_temp_name("br0"));
    CHECK(!cfg_is_temp_name(".hidden"));

    d = opendir(dir);
    CHECK(d != NULL);
    cfg_remove_stale_temp(dirfd(d), ".br0.tmp-1234", 60);
    cfg_remove_stale_temp(dirfd(d), ".br0.tmp-5678", 60);
    cfg_remove_stale_temp(dirfd(d), "br0", 60);
    closedir(d);
    CHECK(access(old, F_OK) != 0);
    CHECK(access(fresh, F_OK) == 0);
    CHECK(access(plain, F_OK) == 0);

    free(old);
    free(fresh);
    free(plain);
    remove_tmpdir(dir);
}

UNIT_MAIN("cfg",
          UNIT_TEST(test_remove_stale_temp),
          UNIT_TEST(test_parse_good),
          UNIT_TEST(test_parse_errors),
          UNIT_TEST(test_parse_limits),
          UNIT_TEST(test_set_get_unset_clone),
          UNIT_TEST(test_format_round_trip),
          UNIT_TEST(test_load),
          UNIT_TEST(test_save_refuses_unreadable),
          UNIT_TEST(test_save_and_load),
          UNIT_TEST(test_write_atomic_cannot_create),
          UNIT_TEST(test_write_atomic_rename_fails),
          UNIT_TEST(test_write_atomic_permission_hint),
          UNIT_TEST(test_write_atomic_write_fails),
          UNIT_TEST(test_mkdir_p),
          UNIT_TEST(test_remove_tree),
          UNIT_TEST(test_dirs_from_environment))
