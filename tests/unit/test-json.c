/* Unit tests for the JSON writer (libcommon/json.c). */
#include <math.h>

#include "json.h"
#include "unit.h"

static char *
escaped(const char *s)
{
    struct buf b = BUF_INITIALIZER;

    json_put_escaped(&b, s);
    return buf_steal_cstr(&b);
}

#define CHECK_ESCAPED(IN, OUT)                  \
    do {                                        \
        char *s_ = escaped(IN);                 \
        CHECK_STR_EQ(s_, OUT);                  \
        free(s_);                               \
    } while (0)

static void
test_escape_basic(void)
{
    CHECK_ESCAPED("", "\"\"");
    CHECK_ESCAPED("br0", "\"br0\"");
    CHECK_ESCAPED("a\"b\\c/d", "\"a\\\"b\\\\c/d\"");
    CHECK_ESCAPED("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
    CHECK_ESCAPED("\x01\x1f\x7f", "\"\\u0001\\u001f\x7f\"");
}

static void
test_escape_utf8(void)
{
    /* Well-formed sequences of every length pass through. */
    CHECK_ESCAPED("caf\xc3\xa9", "\"caf\xc3\xa9\"");
    CHECK_ESCAPED("\xe2\x82\xac", "\"\xe2\x82\xac\"");
    CHECK_ESCAPED("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
    CHECK_ESCAPED("\xef\xbf\xbd", "\"\xef\xbf\xbd\"");
    /* Stray continuation byte, lone lead byte, truncated at the end. */
    CHECK_ESCAPED("a\x80z", "\"a\\ufffdz\"");
    CHECK_ESCAPED("\xc3z", "\"\\ufffdz\"");
    CHECK_ESCAPED("\xe2\x82", "\"\\ufffd\\ufffd\"");
    CHECK_ESCAPED("\xf0\x9f\x98", "\"\\ufffd\\ufffd\\ufffd\"");
    /* Overlong encodings, surrogates, beyond U+10FFFF, invalid bytes. */
    CHECK_ESCAPED("\xc0\xaf", "\"\\ufffd\\ufffd\"");
    CHECK_ESCAPED("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");
    CHECK_ESCAPED("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
    CHECK_ESCAPED("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
    CHECK_ESCAPED("\xff\xfe", "\"\\ufffd\\ufffd\"");
}

static void
test_nesting_and_commas(void)
{
    struct buf b = BUF_INITIALIZER;
    struct json_writer w;

    json_writer_init(&w, &b);
    json_object_begin(&w);
    json_kv_string(&w, "name", "br0");
    json_kv_int(&w, "n", -3);
    json_kv_uint(&w, "big", 18446744073709551615ULL);
    json_kv_bool(&w, "up", true);
    json_key(&w, "ports");
    json_array_begin(&w);
    json_object_begin(&w);
    json_object_end(&w);
    json_array_begin(&w);
    json_array_end(&w);
    json_null(&w);
    json_bool(&w, false);
    json_string(&w, NULL);
    json_array_end(&w);
    json_key(&w, "empty");
    json_object_begin(&w);
    json_object_end(&w);
    json_object_end(&w);
    CHECK_STR_EQ(buf_cstr(&b),
                 "{\"name\":\"br0\",\"n\":-3,\"big\":18446744073709551615,"
                 "\"up\":true,\"ports\":[{},[],null,false,null],\"empty\":{}}");
    CHECK_INT_EQ(w.depth, 0);
    buf_uninit(&b);
}

static void
test_top_level_stream(void)
{
    struct buf b = BUF_INITIALIZER;
    struct json_writer w;

    json_writer_init(&w, &b);
    json_object_begin(&w);
    json_object_end(&w);
    json_int(&w, 1);
    json_array_begin(&w);
    json_int(&w, 2);
    json_array_end(&w);
    CHECK_STR_EQ(buf_cstr(&b), "{}\n1\n[2]");
    buf_uninit(&b);
}

/* Nesting beyond JSON_MAX_DEPTH must still place commas correctly. */
static void
test_deep_nesting(void)
{
    struct buf b = BUF_INITIALIZER;
    struct buf expected = BUF_INITIALIZER;
    struct json_writer w;
    int levels = JSON_MAX_DEPTH + 8;

    json_writer_init(&w, &b);
    for (int i = 0; i < levels; i++) {
        json_array_begin(&w);
        json_int(&w, i);
    }
    for (int i = 0; i < levels; i++) {
        json_array_end(&w);
        json_int(&w, i);
    }
    for (int i = 0; i < levels; i++) {
        buf_printf(&expected, "[%d%s", i, i < levels - 1 ? "," : "");
    }
    for (int i = 0; i < levels; i++) {
        buf_printf(&expected, "]%s%d", i == levels - 1 ? "\n" : ",", i);
    }
    CHECK_STR_EQ(buf_cstr(&b), buf_cstr(&expected));
    buf_uninit(&b);
    buf_uninit(&expected);
}

static void
test_doubles(void)
{
    struct buf b = BUF_INITIALIZER;
    struct json_writer w;

    json_writer_init(&w, &b);
    json_array_begin(&w);
    json_double(&w, 0.1);
    json_double(&w, 1.0);
    json_double(&w, -2.5);
    json_double(&w, 1e300);
    json_double(&w, NAN);
    json_double(&w, INFINITY);
    json_double(&w, -INFINITY);
    json_double(&w, 1.0 / 3.0);
    json_array_end(&w);
    CHECK_STR_EQ(buf_cstr(&b),
                 "[0.1,1,-2.5,1e+300,null,null,null,0.3333333333333333]");
    buf_uninit(&b);
}

static void
test_key_escaping(void)
{
    struct buf b = BUF_INITIALIZER;
    struct json_writer w;

    json_writer_init(&w, &b);
    json_object_begin(&w);
    json_kv_string(&w, "a\"b", "x\ny");
    json_kv_string(&w, NULL, "\xff");
    json_object_end(&w);
    CHECK_STR_EQ(buf_cstr(&b), "{\"a\\\"b\":\"x\\ny\",\"\":\"\\ufffd\"}");
    buf_uninit(&b);
}

UNIT_MAIN("json",
          UNIT_TEST(test_escape_basic),
          UNIT_TEST(test_escape_utf8),
          UNIT_TEST(test_nesting_and_commas),
          UNIT_TEST(test_top_level_stream),
          UNIT_TEST(test_deep_nesting),
          UNIT_TEST(test_doubles),
          UNIT_TEST(test_key_escaping))
