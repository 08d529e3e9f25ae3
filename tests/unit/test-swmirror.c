/* Unit tests for mirrors in the configuration model (libcommon/swmirror.c):
 * settings and their errors, validation, and a bridge's mirrors saved,
 * loaded, changed and removed in a mkdtemp() directory. */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "swconfig.h"
#include "swmirror.h"
#include "unit.h"

static int
set(struct sw_mirror *m, const char *word, struct buf *error)
{
    buf_clear(error);
    return sw_mirror_set_word(m, word, error);
}

static void
test_settings(void)
{
    struct buf error = BUF_INITIALIZER;
    struct cfg_file file;
    struct sw_mirror m;
    const char *key;

    sw_mirror_init(&m, "span");
    CHECK_INT_EQ(set(&m, "select-src=veth2,veth1,veth2", &error), 0);
    CHECK_INT_EQ(m.n_select_src, 2);
    CHECK_STR_EQ(m.select_src[0], "veth1");
    CHECK(sw_mirror_selects_src(&m, "veth2"));
    CHECK(!sw_mirror_selects_dst(&m, "veth2"));
    CHECK_INT_EQ(set(&m, "select-vlan=30,10-12", &error), 0);
    CHECK_INT_EQ(m.n_select_vlan, 4);
    CHECK_INT_EQ(set(&m, "select-all=true", &error), 0);
    CHECK_INT_EQ(set(&m, "output-port=mon", &error), 0);
    CHECK_INT_EQ(sw_mirror_validate(&m, &key, &error), 0);

    sw_mirror_to_cfg(&m, &file);
    CHECK_INT_EQ(file.n, 4);
    CHECK_STR_EQ(cfg_file_get(&file, "select-src"), "veth1,veth2");
    CHECK_STR_EQ(cfg_file_get(&file, "select-vlan"), "10-12,30");
    CHECK_STR_EQ(cfg_file_get(&file, "select-all"), "true");
    CHECK_STR_EQ(cfg_file_get(&file, "output-port"), "mon");
    cfg_file_destroy(&file);

    /* An empty value removes a setting. */
    CHECK_INT_EQ(set(&m, "select-vlan=", &error), 0);
    CHECK_INT_EQ(m.n_select_vlan, 0);
    sw_mirror_destroy(&m);
    buf_uninit(&error);
}

static void
test_setting_errors(void)
{
    static const struct {
        const char *word;
        const char *message;
    } cases[] = {
        { "select-src=a,,b", "select-src=a,,b: expected port names separated by single ','" },
        { "select-dst=a/b", "select-dst=a/b: \"a/b\" is not a valid port name" },
        { "select-all=yes", "select-all=yes: expected true or false" },
        { "select-vlan=4095", NULL },
        { "output-vlan=0", "output-vlan=0: VLAN must be 1..4094" },
        { "output-vlan=4095", "output-vlan=4095: VLAN must be 1..4094" },
        { "output-port=a:b", "output-port=a:b: expected a port name" },
        { "Bad=1", NULL },
        { "noequals", "\"noequals\": expected KEY=VALUE" },
    };
    struct buf error = BUF_INITIALIZER;
    struct sw_mirror m;

    sw_mirror_init(&m, "m");
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        CHECK_INT_EQ(set(&m, cases[i].word, &error), EINVAL);
        CHECK(error.size > 0);
        if (cases[i].message) {
            CHECK_STR_EQ(buf_cstr(&error), cases[i].message);
        }
    }
    CHECK_INT_EQ(m.n_select_src + m.n_select_dst + m.n_select_vlan, 0);
    CHECK(!m.output_port && m.output_vlan == -1 && !m.select_all);
    sw_mirror_destroy(&m);
    buf_uninit(&error);
}

static void
test_validation(void)
{
    struct buf error = BUF_INITIALIZER;
    struct sw_mirror m;
    const char *key;

    sw_mirror_init(&m, "m");
    CHECK_INT_EQ(sw_mirror_validate(&m, &key, &error), EINVAL);
    CHECK_STR_EQ(buf_cstr(&error), "mirror m needs output-port=PORT or output-vlan=VID");
    set(&m, "output-vlan=7", &error);
    buf_clear(&error);
    CHECK_INT_EQ(sw_mirror_validate(&m, &key, &error), EINVAL);
    CHECK(strstr(buf_cstr(&error), "selects nothing") != NULL);
    set(&m, "select-vlan=5", &error);
    buf_clear(&error);
    CHECK_INT_EQ(sw_mirror_validate(&m, &key, &error), 0);
    set(&m, "output-port=p1", &error);
    buf_clear(&error);
    CHECK_INT_EQ(sw_mirror_validate(&m, &key, &error), EINVAL);
    CHECK_STR_EQ(key, "output-vlan");
    set(&m, "output-vlan=", &error);
    set(&m, "select-dst=p1", &error);
    buf_clear(&error);
    CHECK_INT_EQ(sw_mirror_validate(&m, &key, &error), EINVAL);
    CHECK_STR_EQ(key, "output-port");
    sw_mirror_destroy(&m);

    CHECK(sw_mirror_valid_name("span-1.a_b"));
    CHECK(!sw_mirror_valid_name(""));
    CHECK(!sw_mirror_valid_name(".hidden"));
    CHECK(!sw_mirror_valid_name("a/b"));
    CHECK(!sw_mirror_valid_name("123456789012345678901234567890123"));
    buf_uninit(&error);
}

static struct sw_mirror *
add(struct sw_bridge *br, const char *name, const char *w1, const char *w2)
{
    struct buf error = BUF_INITIALIZER;
    struct sw_mirror m, *added;

    sw_mirror_init(&m, name);
    CHECK_INT_EQ(sw_mirror_set_word(&m, w1, &error), 0);
    CHECK_INT_EQ(sw_mirror_set_word(&m, w2, &error), 0);
    added = sw_bridge_add_mirror(br, &m);
    sw_mirror_destroy(&m);
    buf_uninit(&error);
    return added;
}

static void
test_save_and_load(void)
{
    char *dir = xstrdup("/tmp/test-swmirror-XXXXXX");
    struct buf error = BUF_INITIALIZER;
    struct sw_bridge br, loaded;
    struct stat st;
    char *path;
    FILE *f;

    CHECK(mkdtemp(dir) != NULL);
    sw_bridge_init(&br, "br0");
    CHECK(add(&br, "z", "select-all=true", "output-vlan=99") != NULL);
    CHECK(add(&br, "a", "select-src=p1", "output-port=p2") != NULL);
    CHECK(add(&br, "a", "select-src=p1", "output-port=p3") == NULL);
    CHECK_INT_EQ(br.n_mirrors, 2);
    CHECK_STR_EQ(br.mirrors[0].name, "a");
    CHECK_INT_EQ(sw_bridge_save(dir, &br, &error), 0);

    CHECK_INT_EQ(sw_bridge_load(dir, "br0", &loaded, &error), 0);
    CHECK_INT_EQ(loaded.n_mirrors, 2);
    CHECK_STR_EQ(sw_bridge_find_mirror(&loaded, "a")->output_port, "p2");
    CHECK_INT_EQ(sw_bridge_find_mirror(&loaded, "z")->output_vlan, 99);
    sw_bridge_destroy(&loaded);

    /* Removing one removes its file. */
    CHECK(sw_bridge_remove_mirror(&br, "z"));
    CHECK(!sw_bridge_remove_mirror(&br, "z"));
    CHECK_INT_EQ(sw_bridge_save(dir, &br, &error), 0);
    path = xasprintf("%s/bridges/br0/mirrors/z", dir);
    CHECK(stat(path, &st) < 0);
    free(path);

    /* A bad file is reported with its path and line, and fails the load. */
    path = xasprintf("%s/bridges/br0/mirrors/bad", dir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("select-all=true\noutput-vlan=5000\n", f);
        fclose(f);
    }
    buf_clear(&error);
    CHECK_INT_EQ(sw_bridge_load(dir, "br0", &loaded, &error), EINVAL);
    CHECK(strstr(buf_cstr(&error), "mirrors/bad:2: output-vlan=5000") != NULL);
    sw_bridge_destroy(&loaded);
    free(path);

    sw_bridge_destroy(&br);
    CHECK_INT_EQ(cfg_remove_tree(dir, &error), 0);
    free(dir);
    buf_uninit(&error);
}

UNIT_MAIN("swmirror",
          UNIT_TEST(test_settings),
          UNIT_TEST(test_setting_errors),
          UNIT_TEST(test_validation),
          UNIT_TEST(test_save_and_load));
