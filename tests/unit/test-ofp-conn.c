/* Unit tests for OpenFlow streams (ofp-conn.c) over unix sockets: message
 * framing across many small and large messages, garbage detection, and
 * the blocking HELLO handshake against a forked peer. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ofp-conn.h"
#include "unit.h"

static char dir[64];
static char target[128];

static void
make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/test-ofp-conn.XXXXXX");
    if (!mkdtemp(dir)) {
        abort();
    }
    snprintf(target, sizeof target, "punix:%s/sock", dir);
}

static struct ofp_conn *
accept_one(struct ofp_listener *l)
{
    struct ofp_conn *c = NULL;

    for (int i = 0; i < 200 && ofp_listener_accept(l, &c) == EAGAIN; i++) {
        struct pollfd pfd = { ofp_listener_fd(l), POLLIN, 0 };

        poll(&pfd, 1, 10);
    }
    return c;
}

static void
test_framing(void)
{
    struct buf error = BUF_INITIALIZER, raw = BUF_INITIALIZER;
    struct ofp_listener *l;
    struct ofp_conn *client, *server;
    int received = 0, e;

    make_dir();
    CHECK_INT_EQ(ofp_listener_open(target, NULL, &l, &error), 0);
    CHECK_INT_EQ(ofp_conn_open(target + 1, NULL, &client, &error), 0);
    server = accept_one(l);
    CHECK(server != NULL);
    if (!server) {
        return;
    }
    for (int i = 0; i < 2000; i++) {
        struct ofp_msg m;

        ofp_msg_init(&m, OFPTYPE_ECHO_REQUEST, OFP13_VERSION, i);
        m.echo.size = i % 7 ? 3 : 60000;        /* Some messages span reads. */
        m.echo.data = xzalloc(m.echo.size);
        CHECK_INT_EQ(ofp_conn_send_msg(client, &m, NULL), 0);
        ofp_msg_uninit(&m);
    }
    while (received < 2000) {
        e = ofp_conn_flush(client);
        CHECK(e == 0 || e == EAGAIN);
        e = ofp_conn_recv(server, &raw);
        if (!e) {
            struct ofp_msg m;

            CHECK_INT_EQ(ofp_decode(raw.data, raw.size, &m), 0);
            CHECK_INT_EQ(m.xid, received);
            CHECK_INT_EQ(m.echo.size, received % 7 ? 3 : 60000);
            ofp_msg_uninit(&m);
            received++;
        } else if (e == EAGAIN) {
            struct pollfd pfd[2] = {
                { ofp_conn_fd(server), POLLIN, 0 },
                { ofp_conn_fd(client), ofp_conn_poll_events(client), 0 },
            };
            poll(pfd, 2, 100);
        } else {
            CHECK(false);
            break;
        }
    }
    /* Garbage: a length below the header size. */
    ofp_conn_send(client, "\x04\x02\x00\x04\x00\x00\x00\x00", 8);
    CHECK_INT_EQ(ofp_conn_flush_block(client, 1000), 0);
    CHECK_INT_EQ(ofp_conn_recv_block(server, &raw, 1000), EPROTO);
    ofp_conn_close(client);
    ofp_conn_close(server);
    ofp_listener_close(l);
    rmdir(dir);
    buf_uninit(&raw);
    buf_uninit(&error);
}

/* Messages that arrived together are handed out one by one from what was
 * read, and ofp_conn_rx_buffered() tells that more are there (poll() would
 * not: the socket is empty). */
static void
test_rx_buffered(void)
{
    struct buf error = BUF_INITIALIZER, raw = BUF_INITIALIZER;
    struct ofp_listener *l;
    struct ofp_conn *client, *server;

    make_dir();
    CHECK_INT_EQ(ofp_listener_open(target, NULL, &l, &error), 0);
    CHECK_INT_EQ(ofp_conn_open(target + 1, NULL, &client, &error), 0);
    server = accept_one(l);
    CHECK(server != NULL);
    if (!server) {
        return;
    }
    for (int i = 0; i < 10; i++) {
        struct ofp_msg m;

        ofp_msg_init(&m, OFPTYPE_BARRIER_REQUEST, OFP13_VERSION, i);
        CHECK_INT_EQ(ofp_conn_send_msg(client, &m, NULL), 0);
    }
    CHECK_INT_EQ(ofp_conn_flush_block(client, 1000), 0);
    CHECK(!ofp_conn_rx_buffered(server));
    CHECK_INT_EQ(ofp_conn_recv_block(server, &raw, 1000), 0);
    for (int i = 1; i < 10; i++) {
        struct ofp_msg m;

        CHECK(ofp_conn_rx_buffered(server));
        CHECK_INT_EQ(ofp_conn_recv(server, &raw), 0);
        CHECK_INT_EQ(ofp_decode(raw.data, raw.size, &m), 0);
        CHECK_INT_EQ(m.xid, i);
    }
    CHECK(!ofp_conn_rx_buffered(server));
    CHECK_INT_EQ(ofp_conn_recv(server, &raw), EAGAIN);
    ofp_conn_close(client);
    ofp_conn_close(server);
    ofp_listener_close(l);
    rmdir(dir);
    buf_uninit(&raw);
    buf_uninit(&error);
}

/* The forked peer: accept, read the client's HELLO, answer with ours. */
static void
run_peer(struct ofp_listener *l, uint8_t version, uint32_t bitmap)
{
    struct ofp_conn *c = accept_one(l);
    struct buf raw = BUF_INITIALIZER;
    struct ofp_msg hello;

    if (!c || ofp_conn_recv_block(c, &raw, 2000)) {
        _exit(1);
    }
    ofp_msg_init(&hello, OFPTYPE_HELLO, version, 0);
    hello.hello.version_bitmap = bitmap;
    ofp_conn_send_msg(c, &hello, NULL);
    ofp_conn_flush_block(c, 2000);
    _exit(0);
}

static void
handshake(uint8_t peer_version, uint32_t peer_bitmap, uint32_t ours, int expected_error,
          uint8_t expected_version)
{
    struct buf error = BUF_INITIALIZER;
    struct ofp_listener *l;
    struct ofp_conn *c;
    uint8_t version = 0;
    pid_t pid;
    int status;

    make_dir();
    CHECK_INT_EQ(ofp_listener_open(target, NULL, &l, &error), 0);
    pid = fork();
    if (pid == 0) {
        run_peer(l, peer_version, peer_bitmap);
    }
    CHECK_INT_EQ(ofp_conn_connect_block(target + 1, NULL, ours, 2000, &c, &version, &error),
                 expected_error);
    if (!expected_error) {
        CHECK_INT_EQ(version, expected_version);
    } else {
        CHECK(strstr(buf_cstr(&error), "version") != NULL);
    }
    ofp_conn_close(c);
    waitpid(pid, &status, 0);
    ofp_listener_close(l);
    rmdir(dir);
    buf_uninit(&error);
}

static void
test_handshake(void)
{
    handshake(OFP13_VERSION, OFP_SUPPORTED_VERSIONS, OFP_SUPPORTED_VERSIONS, 0, OFP13_VERSION);
    handshake(6, 0x7e, OFP_VERSION_BIT(OFP10_VERSION), 0, OFP10_VERSION);
    handshake(OFP10_VERSION, 0, OFP_SUPPORTED_VERSIONS, 0, OFP10_VERSION);
    handshake(OFP10_VERSION, 0, OFP_VERSION_BIT(OFP13_VERSION), EPROTO, 0);
}

static void
test_bad_targets(void)
{
    struct buf error = BUF_INITIALIZER;
    struct ofp_conn *c;
    struct ofp_listener *l;

    CHECK_INT_EQ(ofp_conn_open("udp:1.2.3.4", NULL, &c, &error), EINVAL);
    CHECK(strstr(buf_cstr(&error), "udp:1.2.3.4") != NULL);
    buf_clear(&error);
    CHECK_INT_EQ(ofp_conn_open("ssl:127.0.0.1", NULL, &c, &error), EINVAL);
    CHECK(strstr(buf_cstr(&error), "--private-key") != NULL);
    buf_clear(&error);
    CHECK(ofp_conn_open("unix:/nonexistent/x", NULL, &c, &error) != 0);
    CHECK_INT_EQ(ofp_listener_open("tcp:1", NULL, &l, &error), EINVAL);
    buf_uninit(&error);
}

UNIT_MAIN("ofp-conn", UNIT_TEST(test_framing), UNIT_TEST(test_rx_buffered), UNIT_TEST(test_handshake),
          UNIT_TEST(test_bad_targets))
