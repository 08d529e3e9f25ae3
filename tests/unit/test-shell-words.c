/* Unit tests for the interactive shell's line splitting and completion
 * candidates (libcommon/shell-words.c). */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "odp.h"
#include "ofmatch.h"
#include "ofp-parse.h"
#include "shell-words.h"
#include "unit.h"

/* Splits 'line' and joins the words with "|" (or "ERROR: message"). */
static char *
split_joined(const char *line, bool partial)
{
    struct buf out = BUF_INITIALIZER, error = BUF_INITIALIZER;
    char **words;
    size_t n;

    if (shell_split(line, partial, &words, &n, &error)) {
        buf_printf(&out, "ERROR: %s", buf_cstr(&error));
    } else {
        for (size_t i = 0; i < n; i++) {
            buf_printf(&out, "%s%s", i ? "|" : "", words[i]);
        }
        shell_words_free(words, n);
    }
    buf_uninit(&error);
    return buf_steal_cstr(&out);
}

#define CHECK_SPLIT(LINE, PARTIAL, JOINED)              \
    do {                                                \
        char *s_ = split_joined(LINE, PARTIAL);         \
        CHECK_STR_EQ(s_, JOINED);                       \
        free(s_);                                       \
    } while (0)

static void
test_split_plain(void)
{
    CHECK_SPLIT("", false, "");
    CHECK_SPLIT("   \t ", false, "");
    CHECK_SPLIT("dump-flows br0", false, "dump-flows|br0");
    CHECK_SPLIT("  add-flow\tbr0   priority=1,actions=drop \n", false,
                "add-flow|br0|priority=1,actions=drop");
    CHECK_SPLIT("show br0 # the bridge", false, "show|br0");
    CHECK_SPLIT("# only a comment", false, "");
    CHECK_SPLIT("a#b", false, "a#b");
}

static void
test_split_quotes(void)
{
    CHECK_SPLIT("add-flow br0 'priority=1, actions=drop'", false,
                "add-flow|br0|priority=1, actions=drop");
    CHECK_SPLIT("x \"a \\\"b\\\" \\\\c\"", false, "x|a \"b\" \\c");
    CHECK_SPLIT("x 'a\\b'", false, "x|a\\b");
    CHECK_SPLIT("x a\\ b", false, "x|a b");
    CHECK_SPLIT("x '' \"\"", false, "x||");
    CHECK_SPLIT("x pre'mid'post", false, "x|premidpost");
    CHECK_SPLIT("'#not a comment'", false, "#not a comment");
}

static void
test_split_errors(void)
{
    CHECK_SPLIT("add-flow 'priority=1", false, "ERROR: a single quote (') is not closed");
    CHECK_SPLIT("x \"abc", false, "ERROR: a double quote (\") is not closed");
    CHECK_SPLIT("x abc\\", false, "ERROR: the line ends in a backslash");
    CHECK_SPLIT("'", false, "ERROR: a single quote (') is not closed");
}

static void
test_split_partial(void)
{
    /* What is typed so far, for completion. */
    CHECK_SPLIT("add-flow 'priority=1", true, "add-flow|priority=1");
    CHECK_SPLIT("x \"ab", true, "x|ab");
    CHECK_SPLIT("x ab\\", true, "x|ab");
    CHECK_SPLIT("'", true, "");
    CHECK_SPLIT("dump-flows br0 ip,", true, "dump-flows|br0|ip,");
}

static void
test_candidates(void)
{
    struct shell_candidates c = SHELL_CANDIDATES_INITIALIZER;

    shell_candidates_add_list(&c, (const char *const[]) { "show", "dump-flows", "del-flows",
                                                          "dump-flows", "dump-ports", NULL });
    shell_candidates_filter(&c, "d");
    CHECK_INT_EQ(c.n, 3);
    CHECK_STR_EQ(c.words[0], "del-flows");
    CHECK_STR_EQ(c.words[1], "dump-flows");
    CHECK_STR_EQ(c.words[2], "dump-ports");
    shell_candidates_filter(&c, "dump-f");
    CHECK_INT_EQ(c.n, 1);
    CHECK_STR_EQ(c.words[0], "dump-flows");
    shell_candidates_filter(&c, "x");
    CHECK_INT_EQ(c.n, 0);
    shell_candidates_clear(&c);
    shell_candidates_clear(&c);
}

/* Bridges come from RUNDIR/BR.mgmt and CONFDIR/bridges/BR, ports from
 * CONFDIR/bridges/BR/ports/; a name that is no device name lists nothing. */
static void
test_bridges_and_ports(void)
{
    char template[] = "/tmp/test-shell-words.XXXXXX";
    char *dir = mkdtemp(template), *path;
    struct shell_candidates c = SHELL_CANDIDATES_INITIALIZER;

    CHECK(dir != NULL);
    if (!dir) {
        return;
    }
    setenv("SY_RUNDIR", dir, 1);
    setenv("SY_CONFDIR", dir, 1);
    static const char *const dirs[] = { "bridges", "bridges/br1", "bridges/br1/ports",
                                        "bridges/br1/ports/p1", "bridges/br1/ports/p2" };
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        path = xasprintf("%s/%s", dir, dirs[i]);
        CHECK(!mkdir(path, 0700));
        free(path);
    }
    path = xasprintf("%s/br0.mgmt", dir);
    CHECK(!mkdir(path, 0700));      /* Any entry will do. */
    free(path);

    shell_add_bridges(&c);
    shell_candidates_filter(&c, "");
    CHECK_INT_EQ(c.n, 2);
    CHECK(c.n == 2 && !strcmp(c.words[0], "br0") && !strcmp(c.words[1], "br1"));
    shell_candidates_clear(&c);

    shell_add_ports(&c, "br1");
    shell_candidates_filter(&c, "");
    CHECK(c.n == 2 && !strcmp(c.words[0], "p1") && !strcmp(c.words[1], "p2"));
    shell_candidates_clear(&c);
    shell_add_ports(&c, "../bridges/br1");
    shell_add_ports(&c, "nosuch");
    CHECK_INT_EQ(c.n, 0);

    path = xasprintf("rm -rf '%s'", dir);
    CHECK(!system(path));
    free(path);
}

static void
collect_word(const char *word, void *candidates)
{
    shell_candidates_add(candidates, word);
}

/* Every word the shells complete in OpenFlow flow text is one the parser
 * takes: a field name, a flow key, or a keyword that parses alone. */
static void
test_flow_words_parse(void)
{
    static const char *const flow_keys[] = {
        "priority", "table", "idle_timeout", "hard_timeout", "cookie", "out_port",
        "out_group", "buffer_id", "dl_vlan", "dl_vlan_pcp", "actions", NULL,
    };
    struct shell_candidates c = SHELL_CANDIDATES_INITIALIZER;

    ofp_parse_flow_words(collect_word, &c);
    CHECK(c.n > 60);
    for (size_t i = 0; i < c.n; i++) {
        const char *word = c.words[i];
        size_t len = strlen(word);
        bool known = false;

        if (len && word[len - 1] == '=') {
            char *name = xstrndup(word, len - 1);

            known = of_field_by_name(name) != NULL;
            for (size_t k = 0; flow_keys[k] && !known; k++) {
                known = !strcmp(name, flow_keys[k]);
            }
            free(name);
        } else {
            struct buf error = BUF_INITIALIZER;
            struct ofp_flow_mod fm;

            known = !ofp_parse_flow(word, OFP_PARSE_MATCH, NULL, &fm, &error);
            ofpacts_uninit(&fm.ofpacts);
            buf_uninit(&error);
        }
        if (!known) {
            fprintf(stderr, "completion word \"%s\" is not flow syntax\n", word);
        }
        CHECK(known);
    }
    shell_candidates_clear(&c);

    /* Datapath keys: each attribute name parses with something inside. */
    odp_key_words(collect_word, &c);
    CHECK(c.n >= 15);
    shell_candidates_filter(&c, "in_port(");
    CHECK_INT_EQ(c.n, 1);
    shell_candidates_clear(&c);
}

UNIT_MAIN("shell-words",
          UNIT_TEST(test_split_plain),
          UNIT_TEST(test_split_quotes),
          UNIT_TEST(test_split_errors),
          UNIT_TEST(test_split_partial),
          UNIT_TEST(test_candidates),
          UNIT_TEST(test_bridges_and_ports),
          UNIT_TEST(test_flow_words_parse))
