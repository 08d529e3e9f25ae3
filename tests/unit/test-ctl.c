/* Tests for ctl: the request/reply codec, and a real server in a thread of
 * this process talking to ctl_client_call() and to raw sockets over a unix
 * socket in a fresh temporary directory. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "unit.h"

/* ---- codec ---------------------------------------------------------------- */

/* Encodes 'argv', parses it back, and checks that the words survive. */
static void
check_round_trip(int argc, char *const argv[])
{
    struct buf line = BUF_INITIALIZER, error = BUF_INITIALIZER;
    char *parsed[CTL_MAX_ARGS];
    int n;

    ctl_encode_request(&line, argc, argv);
    CHECK(line.size > 0 && line.data[line.size - 1] == '\n');
    CHECK(memchr(line.data, '\n', line.size) == line.data + line.size - 1);
    line.data[--line.size] = '\0';
    CHECK_INT_EQ(ctl_parse_request(line.data, &n, parsed, &error), 0);
    CHECK_INT_EQ(n, argc);
    for (int i = 0; i < argc && i < n; i++) {
        CHECK_STR_EQ(parsed[i], argv[i]);
    }
    CHECK(parsed[n] == NULL);
    buf_uninit(&line);
    buf_uninit(&error);
}

static void
test_round_trips(void)
{
    char *simple[] = { "add-br", "br0", "datapath=user" };
    char *spaces[] = { "set-bridge", "br 0", " lead", "trail ", "a  b" };
    char *percent[] = { "x", "%", "%%", "100%", "%41", "%zz" };
    char *controls[] = { "x", "line\nbreak", "tab\there", "cr\r", "\x7f\x01\x1f" };
    char *utf8[] = { "x", "br\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xff\xfe" };
    char *empty[] = { "x", "", "", "y", "" };

    check_round_trip(ARRAY_SIZE(simple), simple);
    check_round_trip(ARRAY_SIZE(spaces), spaces);
    check_round_trip(ARRAY_SIZE(percent), percent);
    check_round_trip(ARRAY_SIZE(controls), controls);
    check_round_trip(ARRAY_SIZE(utf8), utf8);
    check_round_trip(ARRAY_SIZE(empty), empty);
}

static void
test_encoding_is_readable(void)
{
    char *argv[] = { "set-port", "br0", "a b", "50%", "x\n" };
    struct buf line = BUF_INITIALIZER;

    ctl_encode_request(&line, ARRAY_SIZE(argv), argv);
    CHECK_STR_EQ(buf_cstr(&line), "set-port br0 a%20b 50%25 x%0A\n");
    buf_uninit(&line);
}

static void
test_max_args(void)
{
    char *argv[CTL_MAX_ARGS];
    char *parsed[CTL_MAX_ARGS];
    struct buf line = BUF_INITIALIZER, error = BUF_INITIALIZER;
    int n;

    for (int i = 0; i < CTL_MAX_ARGS; i++) {
        argv[i] = "w";
    }
    check_round_trip(CTL_MAX_ARGS - 1, argv);

    ctl_encode_request(&line, CTL_MAX_ARGS, argv);
    line.data[--line.size] = '\0';
    CHECK_INT_EQ(ctl_parse_request(line.data, &n, parsed, &error), EINVAL);
    CHECK(strstr(buf_cstr(&error), "too many") != NULL);
    buf_uninit(&line);
    buf_uninit(&error);
}

static void
check_rejected(const char *text, const char *expected_message)
{
    struct buf error = BUF_INITIALIZER;
    char *parsed[CTL_MAX_ARGS];
    char *line = xstrdup(text);
    int n = -1;

    CHECK_INT_EQ(ctl_parse_request(line, &n, parsed, &error), EINVAL);
    CHECK_INT_EQ(n, 0);
    if (!strstr(buf_cstr(&error), expected_message)) {
        fprintf(stderr, "parsing \"%s\": message \"%s\" lacks \"%s\"\n", text,
                buf_cstr(&error), expected_message);
        unit_failed_checks++;
    }
    free(line);
    buf_uninit(&error);
}

static void
test_malformed_requests(void)
{
    check_rejected("", "empty request");
    check_rejected("%", "percent-encoding");
    check_rejected("cmd %", "percent-encoding");
    check_rejected("cmd %4", "percent-encoding");
    check_rejected("cmd %zz", "percent-encoding");
    check_rejected("cmd %4g", "percent-encoding");
    check_rejected("cmd a%0", "percent-encoding");
    check_rejected("cmd %00", "NUL");
    check_rejected("cmd ok %%", "percent-encoding");
}

static void
test_lowercase_hex_accepted(void)
{
    struct buf error = BUF_INITIALIZER;
    char *parsed[CTL_MAX_ARGS];
    char line[] = "cmd a%2fb %c3%A9";
    int n;

    CHECK_INT_EQ(ctl_parse_request(line, &n, parsed, &error), 0);
    CHECK_INT_EQ(n, 3);
    CHECK_STR_EQ(parsed[1], "a/b");
    CHECK_STR_EQ(parsed[2], "\xc3\xa9");
    buf_uninit(&error);
}

static void
test_encode_reply(void)
{
    struct ctl_reply reply;
    struct buf out = BUF_INITIALIZER;

    ctl_reply_init(&reply);
    ctl_reply_printf(&reply, "br0\nbr1\n");
    ctl_encode_reply(&out, &reply);
    CHECK_STR_EQ(buf_cstr(&out), "+br0\n+br1\nok\n");
    buf_clear(&out);

    ctl_reply_printf(&reply, "\nno newline");
    ctl_encode_reply(&out, &reply);
    CHECK_STR_EQ(buf_cstr(&out), "+br0\n+br1\n+\n+no newline\nok\n");
    buf_clear(&out);
    ctl_reply_uninit(&reply);

    ctl_reply_init(&reply);
    ctl_reply_error(&reply, CTL_FAILED, "no bridge \"br9\"");
    ctl_reply_error(&reply, CTL_USAGE, "50%% wrong");
    ctl_encode_reply(&out, &reply);
    CHECK_STR_EQ(buf_cstr(&out), "error 2 no bridge \"br9\"%0A50%25 wrong\n");
    buf_clear(&out);
    ctl_reply_uninit(&reply);

    ctl_reply_init(&reply);
    reply.status = CTL_FAILED;
    ctl_encode_reply(&out, &reply);
    CHECK_STR_EQ(buf_cstr(&out), "error 1 operation failed\n");
    ctl_reply_uninit(&reply);
    buf_uninit(&out);
}

/* ---- server and client ---------------------------------------------------- */

struct test_server {
    struct ctl_server *server;  /* Runs in 'thread'. */
    pthread_t thread;
    atomic_bool stop;           /* Tells 'thread' to return. */
    atomic_int n_calls;         /* Handler invocations so far. */
    char *dir;                  /* mkdtemp() directory holding the socket. */
    char *path;                 /* The socket. */
};

static void
echo_handler(struct ctl_reply *reply, int argc, char *argv[], void *aux)
{
    struct test_server *ts = aux;

    ts->n_calls++;
    for (int i = 1; i < argc; i++) {
        ctl_reply_printf(reply, "%s\n", argv[i]);
    }
}

static void
fail_handler(struct ctl_reply *reply, int argc, char *argv[], void *aux)
{
    ctl_reply_error(reply, CTL_FAILED, "first problem: %s", argv[1]);
    ctl_reply_error(reply, CTL_FAILED, "second problem, 100%%");
}

/* Replies with about 1 MiB, to fill socket buffers. */
static void
big_handler(struct ctl_reply *reply, int argc, char *argv[], void *aux)
{
    char line[1024];

    memset(line, 'x', sizeof line - 2);
    line[sizeof line - 2] = '\n';
    line[sizeof line - 1] = '\0';
    for (int i = 0; i < 1024; i++) {
        ctl_reply_printf(reply, "%s", line);
    }
}

static const struct ctl_command test_commands[] = {
    { "echo", 0, -1, echo_handler, "echo [WORD...]" },
    { "fail", 1, 1, fail_handler, "fail WHY" },
    { "big", 0, 0, big_handler, "big" },
};

static void *
server_thread(void *ts_)
{
    struct test_server *ts = ts_;

    while (!ts->stop) {
        struct pollfd pfds[80];
        int n = ctl_server_fill_pollfds(ts->server, pfds, ARRAY_SIZE(pfds));

        poll(pfds, n, 20);
        ctl_server_run(ts->server);
    }
    return NULL;
}

static struct test_server *
test_server_start(void)
{
    struct test_server *ts = xzalloc(sizeof *ts);
    struct buf error = BUF_INITIALIZER;
    char tmpl[] = "/tmp/test-ctl.XXXXXX";

    ts->dir = xstrdup(mkdtemp(tmpl));
    ts->path = xasprintf("%s/test.ctl", ts->dir);
    CHECK_INT_EQ(ctl_server_create(ts->path, test_commands, ARRAY_SIZE(test_commands),
                                   ts, &ts->server, &error), 0);
    CHECK_STR_EQ(buf_cstr(&error), "");
    buf_uninit(&error);
    pthread_create(&ts->thread, NULL, server_thread, ts);
    return ts;
}

static void
test_server_stop(struct test_server *ts)
{
    ts->stop = true;
    pthread_join(ts->thread, NULL);
    ctl_server_destroy(ts->server);
    CHECK(access(ts->path, F_OK) < 0);
    rmdir(ts->dir);
    free(ts->path);
    free(ts->dir);
    free(ts);
}

/* Calls 'argv' and checks status, output and error. */
static void
check_call(const char *path, int argc, char *const argv[], int expected_status,
           const char *expected_output, const char *expected_error)
{
    struct buf output = BUF_INITIALIZER, error = BUF_INITIALIZER;
    int status = ctl_client_call(path, argc, argv, 5000, &output, &error);

    CHECK_INT_EQ(status, expected_status);
    CHECK_STR_EQ(buf_cstr(&output), expected_output);
    CHECK_STR_EQ(buf_cstr(&error), expected_error);
    buf_uninit(&output);
    buf_uninit(&error);
}

static void
test_client_server(void)
{
    struct test_server *ts = test_server_start();
    char *echo[] = { "echo", "a b", "", "50%", "\xc3\xa9t\xc3\xa9", "two\nlines" };
    char *echo_none[] = { "echo" };
    char *fail[] = { "fail", "x y" };
    char *fail_usage[] = { "fail" };
    char *fail_too_many[] = { "fail", "a", "b" };
    char *unknown[] = { "frobnicate", "x" };
    char *help[] = { "help" };
    struct stat st;

    CHECK(stat(ts->path, &st) == 0 && S_ISSOCK(st.st_mode));
    CHECK_INT_EQ(st.st_mode & 0777, 0600);

    check_call(ts->path, ARRAY_SIZE(echo), echo, 0,
               "a b\n\n50%\n\xc3\xa9t\xc3\xa9\ntwo\nlines\n", "");
    check_call(ts->path, ARRAY_SIZE(echo_none), echo_none, 0, "", "");
    check_call(ts->path, ARRAY_SIZE(fail), fail, 1, "",
               "first problem: x y\nsecond problem, 100%");
    check_call(ts->path, ARRAY_SIZE(fail_usage), fail_usage, 2, "", "usage: fail WHY");
    check_call(ts->path, ARRAY_SIZE(fail_too_many), fail_too_many, 2, "",
               "usage: fail WHY");
    check_call(ts->path, ARRAY_SIZE(unknown), unknown, 2, "",
               "unknown command \"frobnicate\", try \"help\"");
    check_call(ts->path, ARRAY_SIZE(help), help, 0,
               "help\necho [WORD...]\nfail WHY\nbig\n", "");
    test_server_stop(ts);
}

static int
raw_connect(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
    CHECK(connect(fd, (struct sockaddr *) &sun, sizeof sun) == 0);
    return fd;
}

/* Reads from 'fd' until 'n_lines' lines or EOF (with a receive timeout). */
static char *
raw_read_lines(int fd, int n_lines)
{
    struct timeval tv = { .tv_sec = 5 };
    struct buf in = BUF_INITIALIZER;
    char c;

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while (n_lines > 0 && read(fd, &c, 1) == 1) {
        buf_put_char(&in, c);
        n_lines -= c == '\n';
    }
    return buf_steal_cstr(&in);
}

static void
test_partial_and_pipelined(void)
{
    struct test_server *ts = test_server_start();
    int fd = raw_connect(ts->path);
    char *reply;

    /* One request in pieces, then two in one write, one with CRLF. */
    CHECK(write(fd, "ec", 2) == 2);
    usleep(50 * 1000);
    CHECK(write(fd, "ho a%20b", 8) == 8);
    usleep(50 * 1000);
    CHECK(write(fd, "\necho 1\r\nnope\n", 14) == 14);
    reply = raw_read_lines(fd, 5);
    CHECK_STR_EQ(reply, "+a b\nok\n+1\nok\n"
                 "error 2 unknown command \"nope\", try \"help\"\n");
    free(reply);

    /* Malformed encodings and empty lines get an error, the connection
     * stays usable. */
    CHECK(write(fd, "echo %zz\n\necho ok\n", 18) == 18);
    reply = raw_read_lines(fd, 4);
    CHECK(str_starts_with(reply, "error 2 bad percent-encoding"));
    CHECK(strstr(reply, "\nerror 2 empty request") != NULL);
    CHECK(strstr(reply, "\n+ok\nok\n") != NULL);
    free(reply);

    /* A last line without "\n" still runs when the client shuts down. */
    CHECK(write(fd, "echo last", 9) == 9);
    shutdown(fd, SHUT_WR);
    reply = raw_read_lines(fd, 100);
    CHECK_STR_EQ(reply, "+last\nok\n");
    free(reply);
    close(fd);
    test_server_stop(ts);
}

static void
test_too_long(void)
{
    struct test_server *ts = test_server_start();
    size_t size = CTL_MAX_LINE + 100;
    char *line = xmalloc(size);
    int fd = raw_connect(ts->path);
    char *reply;
    char c;

    memset(line, 'a', size);
    CHECK(write(fd, line, size) == (ssize_t) size);
    reply = raw_read_lines(fd, 1);
    CHECK(str_starts_with(reply, "error 2 request too long"));
    CHECK(read(fd, &c, 1) == 0);
    free(reply);
    close(fd);

    /* Exactly CTL_MAX_LINE bytes is fine. */
    fd = raw_connect(ts->path);
    memcpy(line, "echo ", 5);
    line[CTL_MAX_LINE] = '\n';
    CHECK(write(fd, line, CTL_MAX_LINE + 1) == CTL_MAX_LINE + 1);
    reply = raw_read_lines(fd, 2);
    CHECK(strlen(reply) == CTL_MAX_LINE - 5 + 1 + 4);
    free(reply);
    close(fd);

    free(line);
    test_server_stop(ts);
}

/* A client that asks for lots of output and never reads it must not keep
 * the server from answering others. */
static void
test_client_that_never_reads(void)
{
    struct test_server *ts = test_server_start();
    char *echo[] = { "echo", "still", "here" };
    int fd = raw_connect(ts->path);
    int flags = MSG_DONTWAIT | MSG_NOSIGNAL;

    for (int i = 0; i < 64; i++) {
        if (send(fd, "big\n", 4, flags) != 4) {
            break;
        }
    }
    usleep(100 * 1000);
    check_call(ts->path, ARRAY_SIZE(echo), echo, 0, "still\nhere\n", "");
    close(fd);
    check_call(ts->path, ARRAY_SIZE(echo), echo, 0, "still\nhere\n", "");
    test_server_stop(ts);
}

static void
test_many_connections(void)
{
    struct test_server *ts = test_server_start();
    char *echo[] = { "echo", "x" };
    int fds[80];

    for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
        fds[i] = raw_connect(ts->path);
    }
    usleep(100 * 1000);
    /* Connections past the limit hear why and are closed. */
    char *reply = raw_read_lines(fds[ARRAY_SIZE(fds) - 1], 1);
    CHECK(str_starts_with(reply, "error 1 too many control connections"));
    free(reply);
    for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
        close(fds[i]);
    }
    usleep(100 * 1000);
    check_call(ts->path, ARRAY_SIZE(echo), echo, 0, "x\n", "");
    test_server_stop(ts);
}

static void
test_stale_and_busy_socket(void)
{
    struct ctl_server *server = NULL;
    struct buf error = BUF_INITIALIZER;
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    char tmpl[] = "/tmp/test-ctl.XXXXXX";
    char *dir = mkdtemp(tmpl);
    char *path = xasprintf("%s/stale.ctl", dir);
    char *echo[] = { "echo" };
    int fd;

    /* Nobody there. */
    {
        struct buf output = BUF_INITIALIZER, err = BUF_INITIALIZER;

        CHECK_INT_EQ(ctl_client_call(path, 1, echo, 1000, &output, &err), -ENOENT);
        buf_uninit(&output);
        buf_uninit(&err);
    }

    /* A socket file left behind by a dead daemon. */
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
    CHECK(bind(fd, (struct sockaddr *) &sun, sizeof sun) == 0);
    close(fd);
    {
        struct buf output = BUF_INITIALIZER, err = BUF_INITIALIZER;

        CHECK_INT_EQ(ctl_client_call(path, 1, echo, 1000, &output, &err), -ECONNREFUSED);
        buf_uninit(&output);
        buf_uninit(&err);
    }
    CHECK_INT_EQ(ctl_server_create(path, test_commands, ARRAY_SIZE(test_commands), NULL,
                                   &server, &error), 0);

    /* A second daemon on the same socket is refused, and leaves the first
     * one's socket alone. */
    struct ctl_server *second = NULL;

    CHECK_INT_EQ(ctl_server_create(path, test_commands, ARRAY_SIZE(test_commands), NULL,
                                   &second, &error), EADDRINUSE);
    CHECK(second == NULL);
    CHECK(strstr(buf_cstr(&error), "another daemon is running on") != NULL);
    CHECK(access(path, F_OK) == 0);
    ctl_server_destroy(second);
    ctl_server_destroy(server);
    CHECK(access(path, F_OK) < 0);

    /* A regular file in the way is not ours to remove. */
    buf_clear(&error);
    fd = open(path, O_CREAT | O_WRONLY, 0600);
    close(fd);
    CHECK_INT_EQ(ctl_server_create(path, test_commands, ARRAY_SIZE(test_commands), NULL,
                                   &server, &error), EEXIST);
    CHECK(strstr(buf_cstr(&error), "not a socket") != NULL);
    unlink(path);
    rmdir(dir);
    free(path);
    buf_uninit(&error);
}

UNIT_MAIN("ctl",
          UNIT_TEST(test_round_trips),
          UNIT_TEST(test_encoding_is_readable),
          UNIT_TEST(test_max_args),
          UNIT_TEST(test_malformed_requests),
          UNIT_TEST(test_lowercase_hex_accepted),
          UNIT_TEST(test_encode_reply),
          UNIT_TEST(test_client_server),
          UNIT_TEST(test_partial_and_pipelined),
          UNIT_TEST(test_too_long),
          UNIT_TEST(test_client_that_never_reads),
          UNIT_TEST(test_many_connections),
          UNIT_TEST(test_stale_and_busy_socket))
