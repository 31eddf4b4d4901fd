/* Unit tests for common/json.c. */
#include "dk/json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static cJSON *parse(const char *text)
{
    struct dk_err err = DK_ERR_INIT;
    cJSON *j = NULL;

    if (dk_json_parse(text, strlen(text), "t", &j, &err) < 0)
        printf("# parse failed: %s\n", err.msg);
    return j;
}

static char *last_compact;
static struct dk_buf canon_buf = DK_BUF_INIT;

/* Compact print of j, freed at the next call. */
static const char *compact(const cJSON *j)
{
    free(last_compact);
    last_compact = dk_json_print(j, 0);
    return last_compact;
}

static const char *canonical(const cJSON *j)
{
    dk_buf_reset(&canon_buf);
    if (dk_json_write_canonical(j, &canon_buf) < 0)
        return NULL;
    return canon_buf.buf;
}

static void test_parse_errors(void)
{
    static const struct {
        const char *in, *msg;
    } cases[] = {
        {"{\"a\": 1,}", "invalid JSON in 'x.json' at line 1 column 9: invalid character '}' "
                        "looking for beginning of object key string"},
        {"{\n  \"a\": 1,\n  \"b\" 2\n}",
         "invalid JSON in 'x.json' at line 3 column 7: invalid character '2' after object key"},
        {"", "invalid JSON in 'x.json' at line 1 column 1: unexpected end of JSON input"},
        {"  \n ", "invalid JSON in 'x.json' at line 2 column 2: unexpected end of JSON input"},
        {"{\"a\": [1, 2}", "invalid JSON in 'x.json' at line 1 column 12: invalid character '}' "
                           "after array element"},
        {"{\"a\": \"x", "invalid JSON in 'x.json' at line 1 column 9: unexpected end of JSON "
                        "input"},
        {"[1] [2]", "invalid JSON in 'x.json' at line 1 column 5: invalid character '[' after "
                    "top-level value"},
        {"{\"a\":\"\\q\"}", "invalid JSON in 'x.json' at line 1 column 8: invalid character 'q' "
                            "in string escape code"},
        {"\"a\tb\"", "invalid JSON in 'x.json' at line 1 column 3: invalid character '\\t' in "
                     "string literal"},
        {"[01]", "invalid JSON in 'x.json' at line 1 column 3: invalid character '1' after "
                 "array element"},
        {"[-]", "invalid JSON in 'x.json' at line 1 column 3: invalid character ']' in numeric "
                "literal"},
        {"[1.]", "invalid JSON in 'x.json' at line 1 column 4: invalid character ']' after "
                 "decimal point in numeric literal"},
        {"tru", "invalid JSON in 'x.json' at line 1 column 4: unexpected end of JSON input"},
        {"nul!", "invalid JSON in 'x.json' at line 1 column 4: invalid character '!' in literal "
                 "null (expecting 'l')"},
        {"{'a': 1}", "invalid JSON in 'x.json' at line 1 column 2: invalid character '\\'' "
                     "looking for beginning of object key string"},
        {"{\"n\": -1e400}", "invalid JSON in 'x.json' at line 1 column 7: number -1e400 is out of "
                            "range"},
        {"{\"\xc3\xa9\xc3\xa9\": x}", "invalid JSON in 'x.json' at line 1 column 8: invalid "
                                      "character 'x' looking for beginning of value"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct dk_err err = DK_ERR_INIT;
        cJSON *j = (cJSON *)1;
        int r = dk_json_parse(cases[i].in, strlen(cases[i].in), "x.json", &j, &err);

        ok(r == -1 && j == NULL && err.code == DK_E_INPUT, "parse: case %zu is refused", i);
        is_str(err.msg, cases[i].msg, "parse: case %zu names line, column and reason", i);
    }
}

static void test_parse(void)
{
    struct dk_err err = DK_ERR_INIT;
    const char text[] = "{\"a\": 1}  garbage";
    cJSON *j = NULL;
    char deep[2 * DK_JSON_MAX_DEPTH + 8];
    size_t i;

    ok(dk_json_parse(text, 8, NULL, &j, &err) == 0, "parse: only len bytes are read");
    is_str(compact(j), "{\"a\":1}", "parse: value read");
    cJSON_Delete(j);

    ok(dk_json_parse("[1,}", 4, NULL, &j, &err) < 0, "parse: error without a name");
    is_str(err.msg,
           "invalid JSON at line 1 column 4: invalid character '}' looking for "
           "beginning of value",
           "parse: NULL name leaves out the name");

    for (i = 0; i < DK_JSON_MAX_DEPTH; i++)
        deep[i] = '[';
    for (i = 0; i < DK_JSON_MAX_DEPTH; i++)
        deep[DK_JSON_MAX_DEPTH + i] = ']';
    ok(dk_json_parse(deep, 2 * DK_JSON_MAX_DEPTH, NULL, &j, &err) == 0,
       "parse: %d levels of nesting accepted", DK_JSON_MAX_DEPTH);
    cJSON_Delete(j);
    memmove(deep + 1, deep, 2 * DK_JSON_MAX_DEPTH);
    deep[0] = '[';
    deep[2 * DK_JSON_MAX_DEPTH + 1] = ']';
    ok(dk_json_parse(deep, 2 * DK_JSON_MAX_DEPTH + 2, NULL, &j, &err) < 0 && !j,
       "parse: %d levels refused", DK_JSON_MAX_DEPTH + 1);
    ok(strstr(err.msg, "exceeded max depth") != NULL, "parse: depth error says so (%s)", err.msg);

    j = parse("{\"s\": \"\\u00e9\\ud83d\\ude00\", \"n\": -12.5e1}");
    is_str(dk_json_str(j, "s"), "\xc3\xa9\xf0\x9f\x98\x80", "parse: \\u escapes and surrogates");
    is_int(dk_json_int(j, "n", 0), -125, "parse: exponent numbers");
    cJSON_Delete(j);
}

static void test_getters(void)
{
    cJSON *j = parse("{\"s\": \"x\", \"n\": 42, \"f\": 2.9, \"big\": 1e300, \"b\": true, "
                     "\"neg\": -7, \"str\": \"42\"}");

    is_str(dk_json_str(j, "s"), "x", "str: string member");
    ok(dk_json_str(j, "n") == NULL, "str: NULL for a number");
    ok(dk_json_str(j, "missing") == NULL, "str: NULL when missing");
    ok(dk_json_str(NULL, "s") == NULL, "str: NULL object");
    is_int(dk_json_int(j, "n", -1), 42, "int: number member");
    is_int(dk_json_int(j, "f", -1), 2, "int: truncates toward zero");
    is_int(dk_json_int(j, "neg", 0), -7, "int: negative");
    is_int(dk_json_int(j, "big", -1), -1, "int: default when out of range");
    is_int(dk_json_int(j, "str", -1), -1, "int: default for a string");
    is_int(dk_json_int(j, "missing", 9), 9, "int: default when missing");
    is_int(dk_json_bool(j, "b", 0), 1, "bool: true member");
    is_int(dk_json_bool(j, "n", -1), -1, "bool: default for a number");
    cJSON_Delete(j);
}

static void test_paths(void)
{
    cJSON *j = parse("{\"schema\": \"dk/v1\", \"images\": {\"web\": {\"tag\": \"t\"}}, "
                     "\"bundle\": 3}");
    cJSON *o, *o2;

    o = dk_json_obj(j, "images.backend");
    ok(o && cJSON_IsObject(o), "obj: creates images.backend");
    dk_json_set_str(o, "digest", "d");
    is_str(compact(j),
           "{\"schema\":\"dk/v1\",\"images\":{\"web\":{\"tag\":\"t\"},\"backend\":{\"digest\":"
           "\"d\"}},\"bundle\":3}",
           "obj: new member lands under the existing parent");
    o2 = dk_json_obj(j, "images.web");
    is_str(dk_json_str(o2, "tag"), "t", "obj: existing object is returned as it is");
    o = dk_json_obj(j, "bundle.ref");
    ok(o && cJSON_IsObject(o), "obj: a non-object on the path is replaced");
    is_str(compact(cJSON_GetObjectItemCaseSensitive(j, "bundle")), "{\"ref\":{}}",
           "obj: replaced member holds the new path");
    ok(dk_json_obj(j, "") == NULL, "obj: empty path is refused");
    ok(dk_json_obj(j, "a..b") == NULL, "obj: empty part is refused");
    ok(dk_json_obj(j, "a.") == NULL, "obj: trailing dot is refused");
    ok(cJSON_GetObjectItemCaseSensitive(j, "a") == NULL, "obj: a refused path creates nothing");
    ok(dk_json_obj(NULL, "a") == NULL, "obj: NULL parent");
    o = dk_json_child(dk_json_obj(j, "images"), "app.v2");
    dk_json_set_bool(o, "built", 1);
    ok(dk_json_bool(cJSON_GetObjectItemCaseSensitive(dk_json_obj(j, "images"), "app.v2"), "built",
                    0) == 1,
       "child: a key with dots is taken literally");
    cJSON_Delete(j);
}

static void test_setters(void)
{
    cJSON *j = parse("{\"a\": 1, \"b\": 2, \"c\": 3}");

    dk_json_set_str(j, "b", "two");
    dk_json_set_int(j, "d", 9007199254740992LL);
    dk_json_set_bool(j, "a", 0);
    dk_json_set_str(j, "c", NULL);
    is_str(compact(j), "{\"a\":false,\"b\":\"two\",\"c\":null,\"d\":9007199254740992}",
           "set: replaced members keep their place, new ones go last");
    dk_json_remove(j, "b");
    dk_json_remove(j, "missing");
    is_str(compact(j), "{\"a\":false,\"c\":null,\"d\":9007199254740992}", "remove: member gone");
    dk_json_set_str(NULL, "x", "y");
    dk_json_set(NULL, "x", cJSON_CreateString("leak?"));
    ok(1, "set: NULL object is a no-op (and frees the item)");
    cJSON_Delete(j);
}

static void test_merge(void)
{
    cJSON *dst = parse("{\"a\": {\"x\": 1, \"y\": {\"deep\": true}}, \"list\": [1, 2], "
                       "\"keep\": \"k\", \"obj\": {\"o\": 1}}");
    cJSON *src = parse("{\"a\": {\"y\": {\"more\": 2}, \"z\": 3}, \"list\": [3], "
                       "\"obj\": \"now a string\", \"new\": {\"n\": null}}");
    char *before = dk_json_print(src, 0);

    dk_json_merge(dst, src);
    is_str(compact(dst),
           "{\"a\":{\"x\":1,\"y\":{\"deep\":true,\"more\":2},\"z\":3},\"list\":[3],\"keep\":"
           "\"k\",\"obj\":\"now a string\",\"new\":{\"n\":null}}",
           "merge: objects merge deeply, everything else replaces");
    is_str(compact(src), before, "merge: src is left as it was");
    dk_json_merge(dst, dst);
    ok(1, "merge: merging into itself is harmless");
    free(before);
    cJSON_Delete(dst);
    cJSON_Delete(src);
}

static void test_print(void)
{
    cJSON *j = parse("{\"a\": [1, {\"b\": []}, {}], \"c\": \"x<y\"}");
    char *p = dk_json_print(j, 1);

    is_str(p,
           "{\n  \"a\": [\n    1,\n    {\n      \"b\": []\n    },\n    {}\n  ],\n  \"c\": "
           "\"x<y\"\n}",
           "print: pretty uses two spaces, [] and {} when empty");
    free(p);
    is_str(compact(j), "{\"a\":[1,{\"b\":[]},{}],\"c\":\"x<y\"}",
           "print: compact, HTML characters left alone");
    cJSON_Delete(j);
    p = dk_json_print(NULL, 0);
    is_str(p, "null", "print: NULL is null");
    free(p);
}

static void test_numbers(void)
{
    static const struct {
        double x;
        const char *want;
    } cases[] = {
        {0, "0"},
        {1, "1"},
        {-3, "-3"},
        {1.5, "1.5"},
        {0.1, "0.1"},
        {100, "100"},
        {1e6, "1000000"},
        {9007199254740992.0, "9007199254740992"},
        {9007199254740993.0, "9007199254740992"},
        {12345678901234567890.0, "12345678901234567000"},
        {1e20, "100000000000000000000"},
        {1e21, "1e+21"},
        {1.5e300, "1.5e+300"},
        {0.000001, "0.000001"},
        {0.0000001, "1e-7"},
        {1.234e-10, "1.234e-10"},
        {-2.5e-8, "-2.5e-8"},
        {3.14159, "3.14159"},
        {1.0 / 3, "0.3333333333333333"},
        {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
    };
    char buf[DK_JSON_NUMBER_MAX];
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        ok(dk_json_format_number(cases[i].x, buf) == 0, "number: %s formats", cases[i].want);
        is_str(buf, cases[i].want, "number: %.17g prints as Go prints it", cases[i].x);
    }
    ok(dk_json_format_number(-0.0, buf) == 0 && !strcmp(buf, "-0"), "number: -0 stays -0");
    ok(dk_json_format_number(INFINITY, buf) < 0, "number: infinity refused");
    ok(dk_json_format_number(NAN, buf) < 0, "number: NaN refused");
}

static void test_canonical(void)
{
    struct dk_buf b = DK_BUF_INIT;
    cJSON *j =
        parse("{\"schemaVersion\": 2, \"mediaType\": \"application/vnd.oci.image."
              "manifest.v1+json\", \"annotations\": {\"z\": \"<b>&amp;</b>\", \"a\": "
              "\"line\\u2028sep\\u2029\"}, \"ctl\": \"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\","
              " \"q\": \"\\\"\\\\/\", \"uni\": \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}");
    cJSON *bad;

    is_str(canonical(j),
           "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
           "\"annotations\":{\"z\":\"\\u003cb\\u003e\\u0026amp;\\u003c/b\\u003e\",\"a\":"
           "\"line\\u2028sep\\u2029\"},\"ctl\":\"\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\",\"q\":"
           "\"\\\"\\\\/\",\"uni\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}",
           "canonical: Go's escapes, members in tree order");
    cJSON_Delete(j);

    j = cJSON_CreateString("a\xff"
                           "b\xc3(\xed\xa0\x80z\xe2\x82");
    is_str(canonical(j), "\"a\\ufffdb\\ufffd(\\ufffd\\ufffd\\ufffdz\\ufffd\\ufffd\"",
           "canonical: invalid UTF-8 bytes become \\ufffd one by one");
    cJSON_Delete(j);

    bad = cJSON_CreateObject();
    cJSON_AddNumberToObject(bad, "inf", INFINITY);
    dk_buf_add(&b, "keep");
    ok(dk_json_write_canonical(bad, &b) < 0, "canonical: infinity refused");
    is_str(b.buf, "keep", "canonical: buffer cut back on failure");
    ok(dk_json_print(bad, 0) == NULL, "print: NULL for infinity");
    cJSON_Delete(bad);
    dk_buf_release(&b);

    dk_buf_init_max(&b, 8);
    j = parse("{\"long\": \"more than eight\"}");
    ok(dk_json_write_canonical(j, &b) < 0 && b.len == 0, "canonical: buffer cap respected");
    dk_buf_release(&b);
    cJSON_Delete(j);

    j = parse("{\"b\":1,\"a\":[true,false,null,-1.5,\"s\"],\"c\":{}}");
    is_str(canonical(j), "{\"b\":1,\"a\":[true,false,null,-1.5,\"s\"],\"c\":{}}",
           "canonical: compact text reads back to the same bytes");
    cJSON_Delete(j);
}

int main(void)
{
    test_parse_errors();
    test_parse();
    test_getters();
    test_paths();
    test_setters();
    test_merge();
    test_print();
    test_numbers();
    test_canonical();
    free(last_compact);
    dk_buf_release(&canon_buf);
    return tap_done();
}
