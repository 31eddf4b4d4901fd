/* Unit tests for common/yaml.c. Expected values were checked against sigs.k8s.io/yaml as
 * kubectl uses it (kubectl config view reads and prints arbitrary YAML in an extension). */
#include "dk/yaml.h"

#include <stdlib.h>
#include <string.h>

#include "dk/json.h"
#include "tap.h"

static char *last_json;
static struct dk_buf dumped = DK_BUF_INIT;

/* Compact JSON of a YAML text, or "ERR: message"; valid until the next call. */
static const char *y2j(const char *yaml)
{
    struct dk_err err = DK_ERR_INIT;
    cJSON *j = NULL;

    free(last_json);
    if (dk_yaml_load(yaml, strlen(yaml), "t.yaml", &j, &err) < 0) {
        last_json = dk_xasprintf("ERR: %s", err.msg);
        return last_json;
    }
    last_json = dk_json_print(j, 0);
    cJSON_Delete(j);
    return last_json;
}

/* YAML text of a JSON text; valid until the next call. */
static const char *j2y(const char *json)
{
    struct dk_err err = DK_ERR_INIT;
    cJSON *j = NULL;

    dk_buf_reset(&dumped);
    if (dk_json_parse(json, strlen(json), "case", &j, &err) < 0) {
        printf("# bad JSON in test: %s\n", err.msg);
        return NULL;
    }
    if (dk_yaml_dump(j, &dumped, &err) < 0)
        printf("# dump failed: %s\n", err.msg);
    cJSON_Delete(j);
    return dumped.buf;
}

/* s with line breaks and tabs written as \n and \t, for test names; valid until the next call. */
static const char *oneline(const char *s)
{
    static char buf[256];
    size_t o = 0;

    for (; *s && o + 3 < sizeof(buf); s++) {
        if (*s == '\n' || *s == '\t') {
            buf[o++] = '\\';
            buf[o++] = *s == '\n' ? 'n' : 't';
        } else {
            buf[o++] = *s;
        }
    }
    buf[o] = '\0';
    return buf;
}

static void test_types(void)
{
    static const struct {
        const char *value, *json;
    } cases[] = {
        /* YAML 1.1 booleans, as go-yaml v2 reads them */
        {"true", "true"},
        {"True", "true"},
        {"TRUE", "true"},
        {"tRue", "\"tRue\""},
        {"yes", "true"},
        {"Yes", "true"},
        {"YES", "true"},
        {"yEs", "\"yEs\""},
        {"y", "true"},
        {"Y", "true"},
        {"on", "true"},
        {"ON", "true"},
        {"false", "false"},
        {"no", "false"},
        {"N", "false"},
        {"off", "false"},
        {"Off", "false"},
        /* null */
        {"~", "null"},
        {"null", "null"},
        {"Null", "null"},
        {"NULL", "null"},
        {"nULL", "\"nULL\""},
        {"", "null"},
        {"''", "\"\""},
        /* integers */
        {"0", "0"},
        {"42", "42"},
        {"-17", "-17"},
        {"+5", "5"},
        {"1_000", "1000"},
        {"0x1F", "31"},
        {"0X1f", "31"},
        {"0o17", "15"},
        {"0755", "493"},
        {"0b101", "5"},
        {"-0x10", "-16"},
        {"-0b11", "-3"},
        {"09", "9"},
        {"-0", "0"},
        {"9223372036854775807", "9223372036854776000"},
        {"18446744073709551615", "18446744073709552000"},
        {"12345678901234567890", "12345678901234567000"},
        /* floats */
        {"1.5", "1.5"},
        {"1e3", "1000"},
        {"1E3", "1000"},
        {".5", "0.5"},
        {"-.5", "-0.5"},
        {"+.5", "0.5"},
        {"+1.5e-3", "0.0015"},
        {"1.", "1"},
        {"1_0.5", "10.5"},
        {"123456789012345678901234", "1.2345678901234569e+23"},
        {"1e-400", "0"},
        /* strings */
        {"1e400", "\"1e400\""},
        {"0x", "\"0x\""},
        {"0xg", "\"0xg\""},
        {"_1", "\"_1\""},
        {"1e", "\"1e\""},
        {".e3", "\".e3\""},
        {"-x", "\"-x\""},
        {"'-'", "\"-\""},
        {".", "\".\""},
        {"0.5.1", "\"0.5.1\""},
        {"v1.2", "\"v1.2\""},
        {"2024-01-02", "\"2024-01-02\""},
        {"2024-01-02T10:00:00Z", "\"2024-01-02T10:00:00Z\""},
        {"1:20", "\"1:20\""},
        {"'1'", "\"1\""},
        {"\"true\"", "\"true\""},
        {"'it''s'", "\"it's\""},
        {"\"a\\tb\\u00e9\\x41\\U0001F600\"", "\"a\\tb\xc3\xa9"
                                             "A\xf0\x9f\x98\x80\""},
        {"\"multi\n  line\"", "\"multi line\""},
        {"|\n  a\n  b\n", "\"a\\nb\\n\""},
        {">\n  a\n  b\n", "\"a b\\n\""},
        {"|-\n  a\n", "\"a\""},
        {"|+\n  a\n\nx: 1", "\"a\\n\\n\",\"x\":1"},
        /* tags */
        {"!!str 123", "\"123\""},
        {"!!str", "\"\""},
        {"!!int \"42\"", "42"},
        {"!!int 0x10", "16"},
        {"!!float 1", "1"},
        {"!!float .5", "0.5"},
        {"!!bool yes", "true"},
        {"!!null ''", "null"},
        {"!!binary aGVsbG8=", "\"hello\""},
        {"!!binary |\n  aGVs\n  bG8=\n", "\"hello\""},
        {"! 12", "\"12\""},
        {"!custom 12", "\"12\""},
        {"!!timestamp 2024-01-01", "\"2024-01-01\""},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        char *doc = dk_xasprintf("v: %s", cases[i].value);
        char *want = dk_xasprintf("{\"v\":%s}", cases[i].json);

        is_str(y2j(doc), want, "types: v: %s", oneline(cases[i].value));
        free(doc);
        free(want);
    }
}

static void test_keys(void)
{
    is_str(y2j("1: a\ntrue: b\n1.5: c\n0x10: e\n~x: f\n2.0: g\n1e6: h\n0.1: i\n-1: j\n"),
           "{\"1\":\"a\",\"true\":\"b\",\"1.5\":\"c\",\"16\":\"e\",\"~x\":\"f\",\"2\":\"g\","
           "\"1e+06\":\"h\",\"0.1\":\"i\",\"-1\":\"j\"}",
           "keys: numbers and booleans become strings as sigs.k8s.io/yaml writes them");
    is_str(y2j("y: 1"), "{\"true\":1}", "keys: y is the boolean true, as in Helm values");
    is_str(y2j("'y': 1\n\"on\": 2"), "{\"y\":1,\"on\":2}", "keys: quoted keys stay strings");
    is_str(y2j("\"\": 5"), "{\"\":5}", "keys: the empty string");
    is_str(y2j("~: x"),
           "ERR: invalid YAML in 't.yaml' at line 1 column 1: unsupported map key: null",
           "keys: null key refused");
    is_str(y2j("? [a]\n: x"),
           "ERR: invalid YAML in 't.yaml' at line 1 column 3: unsupported map key: sequence",
           "keys: sequence key refused");
    is_str(y2j("a:\n  ? {b: 1}\n  : x"),
           "ERR: invalid YAML in 't.yaml' at line 2 column 5: unsupported map key: mapping",
           "keys: mapping key refused");
    is_str(y2j("a: 1\nb: 2\na: 3"),
           "ERR: invalid YAML in 't.yaml' at line 3 column 1: duplicate key 'a'",
           "keys: duplicate key names file, line and key");
    is_str(y2j("x:\n  1: a\n  \"1\": b"),
           "ERR: invalid YAML in 't.yaml' at line 3 column 3: duplicate key '1'",
           "keys: duplicate after conversion to strings");
    is_str(y2j("x: {b: 1, b: 2}"),
           "ERR: invalid YAML in 't.yaml' at line 1 column 11: duplicate key 'b'",
           "keys: duplicate in a flow mapping");
}

static void test_anchors(void)
{
    is_str(y2j("a: &v hello\nb: *v"), "{\"a\":\"hello\",\"b\":\"hello\"}", "anchors: scalar alias");
    is_str(y2j("l: &l [1, {x: 2}]\nm: *l\nk: [*l, *l]"),
           "{\"l\":[1,{\"x\":2}],\"m\":[1,{\"x\":2}],\"k\":[[1,{\"x\":2}],[1,{\"x\":2}]]}",
           "anchors: sequence alias, used several times");
    is_str(y2j("x: &k name\n*k : 1"), "{\"x\":\"name\",\"name\":1}", "anchors: alias as a key");
    is_str(y2j("&k 7: a\nb: *k"), "{\"7\":\"a\",\"b\":7}", "anchors: anchored key keeps its type");
    is_str(y2j("base: &base {a: 1, b: 2}\nx:\n  <<: *base\n  b: 3\n  c: 4"),
           "{\"base\":{\"a\":1,\"b\":2},\"x\":{\"a\":1,\"b\":3,\"c\":4}}",
           "merge: << then explicit keys override");
    is_str(y2j("base: &base {a: 1, b: 2}\nw: {b: 3, <<: *base}"),
           "{\"base\":{\"a\":1,\"b\":2},\"w\":{\"b\":2,\"a\":1}}",
           "merge: a later << overrides earlier keys, as go-yaml v2 does");
    is_str(y2j("one: &one {a: 1}\ntwo: &two {a: 2, b: 2}\nz: {<<: [*one, *two]}"),
           "{\"one\":{\"a\":1},\"two\":{\"a\":2,\"b\":2},\"z\":{\"a\":1,\"b\":2}}",
           "merge: list of maps, earlier maps win");
    is_str(y2j("z: {<<: {a: 1}, b: 2}"), "{\"z\":{\"a\":1,\"b\":2}}", "merge: inline map");
    is_str(y2j("base: &b {a: 1}\nd1: &d {<<: *b, c: 2}\nd2: *d"),
           "{\"base\":{\"a\":1},\"d1\":{\"a\":1,\"c\":2},\"d2\":{\"a\":1,\"c\":2}}",
           "merge: alias of a merged map");
    is_str(y2j("m: {<<: &src {a: 1}}\nk: *src"), "{\"m\":{\"a\":1},\"k\":{\"a\":1}}",
           "merge: an anchored merge source is still whole afterwards");
    is_str(y2j("m:\n  <<: {a: &x 1}\n  a: 2\n  b: *x"), "{\"m\":{\"a\":2,\"b\":1}}",
           "merge: an anchor inside an overridden merged value still resolves");
    is_str(y2j("a: '<<'\n'<<': 1"), "{\"a\":\"<<\",\"<<\":1}", "merge: a quoted << is a key");
    is_str(y2j("m: {<<: 1}"),
           "ERR: invalid YAML in 't.yaml' at line 1 column 5: map merge requires map or sequence "
           "of maps as the value",
           "merge: scalar refused");
    is_str(y2j("m: {<<: [{a: 1}, 2]}"),
           "ERR: invalid YAML in 't.yaml' at line 1 column 5: map merge requires map or sequence "
           "of maps as the value",
           "merge: list with a scalar refused");
    is_str(y2j("a: *nope"),
           "ERR: invalid YAML in 't.yaml' at line 1 column 4: unknown anchor "
           "'nope' referenced",
           "anchors: unknown anchor");
    is_str(y2j("a: &x [1, *x]"),
           "ERR: invalid YAML in 't.yaml' at line 1 column 11: anchor 'x' value contains itself",
           "anchors: recursive anchor refused");
    is_str(y2j("a: &x 1\n---\nb: *x"),
           "ERR: invalid YAML in 't.yaml' at line 3 column 4: unknown anchor 'x' referenced",
           "anchors: do not cross documents");
}

static void test_bomb(void)
{
    struct dk_buf b = DK_BUF_INIT;
    const char *r;
    int i, k;

    dk_buf_add(
        &b, "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (i = 1; i < 10; i++) {
        dk_buf_addf(&b, "a%d: &a%d [", i, i);
        for (k = 0; k < 9; k++)
            dk_buf_addf(&b, "%s*a%d", k ? "," : "", i - 1);
        dk_buf_add(&b, "]\n");
    }
    r = y2j(b.buf);
    ok(strstr(r, "ERR: invalid YAML in 't.yaml' at line ") == r &&
           strstr(r, "document contains excessive aliasing"),
       "anchors: billion laughs refused (%s)", r);
    dk_buf_release(&b);

    /* Moderate reuse is fine: 2000 aliases of a 50-node list. */
    dk_buf_add(&b, "x: &x [");
    for (i = 0; i < 49; i++)
        dk_buf_addf(&b, "%s%d", i ? "," : "", i);
    dk_buf_add(&b, "]\ny: [");
    for (i = 0; i < 2000; i++)
        dk_buf_addf(&b, "%s*x", i ? "," : "");
    dk_buf_add(&b, "]\n");
    r = y2j(b.buf);
    ok(strncmp(r, "ERR", 3) != 0, "anchors: 100000 aliased nodes accepted");
    dk_buf_release(&b);
}

static void test_errors(void)
{
    struct dk_buf b = DK_BUF_INIT;
    int i;

    is_str(y2j("project: x\nconfigVersion: 1\nfoo: bar: baz\n"),
           "ERR: invalid YAML in 't.yaml' at line 3 column 9: mapping values are not allowed in "
           "this context",
           "errors: libyaml's reason with file, line and column");
    is_str(y2j("a:\n  b: 1\n c: 2\n"),
           "ERR: invalid YAML in 't.yaml' at line 3 column 2: did not find expected key (while "
           "parsing a block mapping at line 1 column 1)",
           "errors: libyaml's context is kept");
    is_str(y2j("a: \"x\n"),
           "ERR: invalid YAML in 't.yaml' at line 2 column 1: found unexpected end of stream "
           "(while scanning a quoted scalar at line 1 column 4)",
           "errors: unterminated quote");
    is_str(y2j("a: 1\nb: \xff\n"),
           "ERR: invalid YAML in 't.yaml' at line 2 column 4: invalid leading UTF-8 octet",
           "errors: invalid UTF-8 located by line and column");
    is_str(y2j("a:\n  b: .inf"),
           "ERR: invalid YAML in 't.yaml' at line 2 column 6: .inf cannot be represented in JSON",
           "errors: .inf cannot be JSON");
    is_str(y2j("- -.Inf"),
           "ERR: invalid YAML in 't.yaml' at line 1 column 3: -.inf cannot be represented in JSON",
           "errors: -.inf cannot be JSON");
    is_str(y2j("n: .NaN"),
           "ERR: invalid YAML in 't.yaml' at line 1 column 4: .nan cannot be represented in JSON",
           "errors: .nan cannot be JSON");
    is_str(y2j("a: !!int abc"),
           "ERR: invalid YAML in 't.yaml' at line 1 column 4: cannot decode !!str `abc` as a !!int",
           "errors: tag that does not fit the value");
    is_str(y2j("a: !!bool 1"),
           "ERR: invalid YAML in 't.yaml' at line 1 column 4: cannot decode !!int `1` as a !!bool",
           "errors: !!bool of a number");
    is_str(y2j("a: !!binary $$$"),
           "ERR: invalid YAML in 't.yaml' at line 1 column 4: !!binary value contains invalid "
           "base64 data",
           "errors: bad base64");
    is_str(y2j("a: \"x\\0y\""),
           "ERR: invalid YAML in 't.yaml' at line 1 column 4: string contains a NUL character",
           "errors: NUL in a string");

    for (i = 0; i <= DK_YAML_MAX_DEPTH; i++)
        dk_buf_addch(&b, '[');
    for (i = 0; i <= DK_YAML_MAX_DEPTH; i++)
        dk_buf_addch(&b, ']');
    is_str(y2j(b.buf),
           "ERR: invalid YAML in 't.yaml' at line 1 column 1001: nesting deeper than 1000 levels",
           "errors: nesting limit");
    dk_buf_release(&b);

    {
        struct dk_err err = DK_ERR_INIT;
        cJSON *j = (cJSON *)1;

        ok(dk_yaml_load("a: [", 4, NULL, &j, &err) < 0 && j == NULL && err.code == DK_E_INPUT,
           "errors: DK_E_INPUT and *out NULL");
        ok(strncmp(err.msg, "invalid YAML at line ", 21) == 0,
           "errors: NULL name leaves it out (%s)", err.msg);
    }
}

static void test_documents(void)
{
    struct dk_err err = DK_ERR_INIT;
    const char *stream = "---\na: 1\n---\n---\n# only a comment\n---\n- b\n...\n---\nnull\n"
                         "--- text\n";
    cJSON *j = NULL;
    char *s;

    ok(dk_yaml_load_all(stream, strlen(stream), "s.yaml", &j, &err) == 0, "multi: stream loads");
    s = dk_json_print(j, 0);
    is_str(s, "[{\"a\":1},[\"b\"],\"text\"]", "multi: empty and null documents are skipped");
    free(s);
    cJSON_Delete(j);

    ok(dk_yaml_load_all("", 0, "s.yaml", &j, &err) == 0 && cJSON_GetArraySize(j) == 0,
       "multi: empty stream gives []");
    cJSON_Delete(j);
    ok(dk_yaml_load_all("a: 1\n---\nb: [\n", 14, "s.yaml", &j, &err) < 0 && j == NULL,
       "multi: an error in a later document fails the whole load");
    ok(strstr(err.msg, "'s.yaml' at line 4 column 1") != NULL,
       "multi: error line counts from the stream "
       "start (%s)",
       err.msg);

    is_str(y2j(""), "null", "single: empty input is null");
    is_str(y2j("# just a comment\n"), "null", "single: comments only is null");
    is_str(y2j("a: 1\n---\n"), "{\"a\":1}", "single: a trailing empty document is fine");
    is_str(y2j("a: 1\n---\nb: 2\n"),
           "ERR: invalid YAML in 't.yaml' at line 2 column 1: expected a single document, found "
           "another one",
           "single: two documents refused");
    is_str(y2j("plain scalar"), "\"plain scalar\"", "single: a scalar document");
}

static void test_dump(void)
{
    is_str(j2y("{\"a\":{\"b\":{\"c\":1}},\"d\":\"x\"}"), "a:\n  b:\n    c: 1\nd: x\n",
           "dump: nested maps, two-space indent, JSON key order");
    is_str(j2y("{\"containers\":[{\"name\":\"app\",\"ports\":[{\"containerPort\":80}]},"
               "{\"name\":\"side\",\"args\":[\"--a\",\"b c\"]}]}"),
           "containers:\n- name: app\n  ports:\n  - containerPort: 80\n- name: side\n  args:\n"
           "  - --a\n  - b c\n",
           "dump: lists of maps, sequences at their key's indentation");
    is_str(j2y("{\"script\":\"echo a\\necho b\\n\",\"clip\":\"x\\ny\",\"keep\":\"a\\n\\n\","
               "\"lead\":\"  indented\\nx\",\"gap\":\"a\\n\\nb\"}"),
           "script: |\n  echo a\n  echo b\nclip: |-\n  x\n  y\nkeep: |+\n  a\n\nlead: |2-\n"
           "    indented\n  x\ngap: |-\n  a\n\n  b\n",
           "dump: multi-line strings as literal blocks with the right chomping");
    is_str(j2y("[\"yes\",\"123\",\"true\",\"null\",\"\",\"n\",\"a: b\",\"#x\",\" lead\",\"*x\","
               "\"- x\",\"tab\\tx\",\"a\\r\\nb\",\"x  \\ny\",\"1.5\",\"0x1F\",\"~\","
               "\"2024-01-02\",\"1:20\",\"<<\",\"plain text\",\"key:\",\"a #b\",\"a#b\","
               "\"-1\",\"\xc3\xa9\",\"\xf0\x9f\x98\x80\",\"@x\",\"x,y\",\"it's\",\"'s'\","
               "\"---\",\"a\\u2028b\",\"\\u007f\"]"),
           "- \"yes\"\n- \"123\"\n- \"true\"\n- \"null\"\n- \"\"\n- \"n\"\n- 'a: b'\n- '#x'\n"
           "- ' lead'\n- '*x'\n- '- x'\n- \"tab\\tx\"\n- \"a\\r\\nb\"\n- \"x  \\ny\"\n"
           "- \"1.5\"\n- \"0x1F\"\n- \"~\"\n- \"2024-01-02\"\n- \"1:20\"\n- \"<<\"\n"
           "- plain text\n- 'key:'\n- 'a #b'\n- a#b\n- \"-1\"\n- \xc3\xa9\n- \"\\U0001F600\"\n"
           "- '@x'\n- x,y\n- it's\n- '''s'''\n- '---'\n- \"a\\Lb\"\n- \"\\x7F\"\n",
           "dump: strings quoted only when a plain scalar would read differently");
    is_str(j2y("{\"n\":1,\"yes\":2,\"\":3,\"a b\":4,\"1\":5,\"a\\nb\":6}"),
           "\"n\": 1\n\"yes\": 2\n\"\": 3\na b: 4\n\"1\": 5\n? |-\n  a\n  b\n: 6\n",
           "dump: keys quoted the same way, multi-line keys as complex keys");
    is_str(j2y("{\"m\":{},\"l\":[],\"z\":null,\"t\":true,\"f\":false,\"i\":-3,\"x\":1.5,"
               "\"big\":1e21,\"m6\":1234567.5,\"int\":1e6,\"small\":0.0001,\"tiny\":0.00001}"),
           "m: {}\nl: []\nz: null\nt: true\nf: false\ni: -3\nx: 1.5\nbig: 1e+21\n"
           "m6: 1.2345675e+06\nint: 1000000\nsmall: 0.0001\ntiny: 1e-05\n",
           "dump: empty containers and numbers as go-yaml prints them");
    is_str(j2y("[[1,2],[],[[3]],[{\"a\":1},{}]]"),
           "- - 1\n  - 2\n- []\n- - - 3\n- - a: 1\n  - {}\n", "dump: nested sequences");
    is_str(j2y("{\"long\":\"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do "
               "eiusmod tempor incididunt ut labore\"}"),
           "long: Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod "
           "tempor\n  incididunt ut labore\n",
           "dump: long plain strings fold after column 80, as Helm's toYaml does");
    is_str(j2y("\"hello\""), "hello\n", "dump: a scalar document");
    is_str(j2y("{}"), "{}\n", "dump: an empty map document");
    is_str(j2y("null"), "null\n", "dump: null document");
    {
        cJSON *s = cJSON_CreateString("bin\xff\xfe");
        struct dk_err err = DK_ERR_INIT;

        dk_buf_reset(&dumped);
        ok(dk_yaml_dump(s, &dumped, &err) == 0, "dump: invalid UTF-8 dumps");
        is_str(dumped.buf, "!!binary Ymlu//4=\n", "dump: invalid UTF-8 as !!binary base64");
        cJSON_Delete(s);
    }
    {
        struct dk_buf small;
        struct dk_err err = DK_ERR_INIT;
        cJSON *j = NULL;

        dk_buf_init_max(&small, 8);
        dk_buf_add(&small, "ab");
        dk_json_parse("{\"key\":\"long value\"}", 20, NULL, &j, &err);
        ok(dk_yaml_dump(j, &small, &err) < 0 && !strcmp(small.buf, "ab"),
           "dump: cap respected, buffer cut back");
        ok(err.code != DK_E_OK && strstr(err.msg, "cannot write YAML"), "dump: error says so");
        dk_buf_release(&small);
        cJSON_Delete(j);
    }
}

/* load(dump(x)) == x */
static void test_round_trip(void)
{
    static const char *const docs[] = {
        "{\"a\":{\"b\":[1,2,{\"c\":null}]},\"d\":[],\"e\":{},\"f\":\"\"}",
        "[\"yes\",\"no\",\"on\",\"off\",\"y\",\"n\",\"~\",\"null\",\"1\",\"0x1F\",\"1e3\",\".5\","
        "\"1:20\",\"1_000\",\"+1\",\"-\",\"<<\",\"=\",\"0o17\",\"2024-01-02\"]",
        "[\" \",\"  \",\"\\t\",\"\\n\",\"\\n\\n\",\" \\n\",\"\\n \",\"a\\n\",\" a \","
        "\"a\\r\\nb\",\"\\u0085\",\"\\u2028\",\"\\u2029x\",\"\\ufeffbom\",\"\\u0001\\u001f\","
        "\"\\\\\",\"\\\"\",\"'\",\"#\",\"a #b\",\"a: b\",\"- a\",\"? a\",\"---\",\"...\","
        "\"%x\",\"@x\",\"`x\",\"|\",\">\",\"!\",\"&\",\"*\",\"[\",\"]\",\"{\",\"}\",\",\"]",
        "{\"k\":\"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
        "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis\","
        "\"q\":\"- Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor"
        "  incididunt ut labore et   dolore magna aliqua\","
        "\"d\":\"\\tLorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor"
        "  incididunt ut labore et   dolore magna aliqua\"}",
        "{\"\":1,\"a\\nb\":{\"x\":[1]},"
        "\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\":2,"
        "\"yes\":3,\"<<\":4}",
        "[0,-1,1.5,-0.25,1e21,1e-7,0.0001,1234567.5,9007199254740992,true,false,null]",
        "[\"\xc3\xa9\xe2\x82\xac\",\"\xf0\x9f\x98\x80 emoji\",\"\\u00a0nbsp\"]",
    };
    size_t i;

    for (i = 0; i < sizeof(docs) / sizeof(*docs); i++) {
        struct dk_err err = DK_ERR_INIT;
        cJSON *src = NULL, *back = NULL;
        char *a, *b;
        const char *y;

        if (dk_json_parse(docs[i], strlen(docs[i]), "case", &src, &err) < 0) {
            ok(0, "round trip %zu: bad test JSON: %s", i, err.msg);
            continue;
        }
        y = j2y(docs[i]);
        if (dk_yaml_load(y, strlen(y), "dumped", &back, &err) < 0)
            printf("# %s\n# %s\n", err.msg, y);
        a = dk_json_print(src, 0);
        b = back ? dk_json_print(back, 0) : NULL;
        is_str(b, a, "round trip %zu: load(dump(x)) == x", i);
        free(a);
        free(b);
        cJSON_Delete(src);
        cJSON_Delete(back);
    }
    {
        /* A string that is not UTF-8 survives as !!binary. */
        struct dk_err err = DK_ERR_INIT;
        cJSON *src = cJSON_CreateObject(), *back = NULL;

        cJSON_AddStringToObject(src, "bin",
                                "\x80\x81\xfe\xff and some more bytes to pass the "
                                "seventy characters of one base64 line");
        dk_buf_reset(&dumped);
        dk_yaml_dump(src, &dumped, &err);
        ok(strstr(dumped.buf, "bin: !!binary |\n  ") != NULL, "round trip: long binary is a block");
        dk_yaml_load(dumped.buf, dumped.len, "dumped", &back, &err);
        is_str(dk_json_str(back, "bin"), dk_json_str(src, "bin"), "round trip: binary bytes kept");
        cJSON_Delete(src);
        cJSON_Delete(back);
    }
}

int main(void)
{
    test_types();
    test_keys();
    test_anchors();
    test_bomb();
    test_errors();
    test_documents();
    test_dump();
    test_round_trip();
    free(last_json);
    dk_buf_release(&dumped);
    return tap_done();
}
