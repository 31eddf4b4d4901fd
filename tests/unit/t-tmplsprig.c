/* Unit tests for the sprig and Helm functions of common/tmplfuncs_more.c, tmplfuncs_time.c,
 * tmplfuncs_toml.c and the sprig additions in tmplfuncs.c. The expected outputs of the tables
 * were taken from Helm v4.1.4 (`helm template` of `{{ printf "%q" (EXPR) }}`, TZ=UTC for
 * utc_cases and more_cases, TZ=Europe/Berlin for berlin_cases). */
#include "dk/tmplfuncs.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"

struct pcase {
    const char *expr, *want;
};

static const struct pcase utc_cases[] = {
    {"abbrev 5 \"hello world\"", "\"he...\""},
    {"abbrev 3 \"hello\"", "\"hello\""},
    {"abbrev 4 \"hello\"", "\"h...\""},
    {"abbrev 10 \"hello\"", "\"hello\""},
    {"abbrevboth 5 10 \"1234 5678 9123\"", "\"...5678...\""},
    {"abbrevboth 1 10 \"1234 5678 9123\"", "\"1234 56...\""},
    {"initials \"First Try\"", "\"FT\""},
    {"initials \"  hello  world  foo \"", "\"hwf\""},
    {"swapcase \"Hello World ßtest ÄÖ\"", "\"hELLO wORLD ßTEST äö\""},
    {"wrap 5 \"Hello World foo bar\"", "\"Hello\\nWorld\\nfoo\\nbar\""},
    {"wrap 10 \"a very long sentence that wraps\\nnew line here\"",
     "\"a very\\nlong\\nsentence\\nthat\\nwraps\\nnew\\nline here\""},
    {"wrapWith 5 \"\\t\" \"Hello World\"", "\"Hello\\tWorld\""},
    {"wrapWith 3 \"<br>\" \"abcdefgh ij\"", "\"abc<br>def<br>gh<br>ij\""},
    {"plural \"one\" \"many\" 1", "\"one\""},
    {"plural \"one\" \"many\" 2", "\"many\""},
    {"nospace \"h e l\\tlo\\n x\"", "\"hellox\""},
    {"trimall \"$\" \"$5.00$\"", "\"5.00\""},
    {"sha1sum \"abc\"", "\"a9993e364706816aba3e25717850c26c9cd0d89d\""},
    {"sha512sum \"abc\"", "\"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a219299"
                          "2a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f\""},
    {"adler32sum \"abc\"", "\"38600999\""},
    {"b32enc \"hello\"", "\"NBSWY3DP\""},
    {"b32dec \"NBSWY3DP\"", "\"hello\""},
    {"b32dec \"!!\"", "\"illegal base32 data at input byte 0\""},
    {"dir \"/a/b/c\"", "\"/a/b\""},
    {"dir \"abc\"", "\".\""},
    {"clean \"a//b/../c/.\"", "\"a/c\""},
    {"ext \"a/b.txt\"", "\".txt\""},
    {"ext \"a.b/c\"", "\"\""},
    {"isAbs \"/a\"", "%!q(bool=true)"},
    {"osBase \"/a/b/\"", "\"b\""},
    {"osDir \"/a/b/\"", "\"/a/b\""},
    {"osClean \"/../a\"", "\"/a\""},
    {"osExt \"x.tar.gz\"", "\".gz\""},
    {"osIsAbs \"a\"", "%!q(bool=false)"},
    {"pluck \"a\" (dict \"a\" 1) (dict \"b\" 2) (dict \"a\" 3)", "['\\x01' '\\x03']"},
    {"chunk 2 (list 1 2 3 4 5)", "[['\\x01' '\\x02'] ['\\x03' '\\x04'] ['\\x05']]"},
    {"chunk 3 (list)", "[]"},
    {"all 1 \"\" ", "%!q(bool=false)"},
    {"all 1 \"a\"", "%!q(bool=true)"},
    {"any 0 \"\" 1", "%!q(bool=true)"},
    {"any", "%!q(bool=false)"},
    {"all", "%!q(bool=true)"},
    {"biggest 1 5 3", "'\\x05'"},
    {"maxf 1 2.5 \"3\"", "%!q(float64=3)"},
    {"minf 1 2.5 -1", "%!q(float64=-1)"},
    {"round 3.14159 2", "%!q(float64=3.14)"},
    {"round 2.5 0", "%!q(float64=3)"},
    {"round -2.5 0", "%!q(float64=-3)"},
    {"round 1.2345 3 0.4", "%!q(float64=1.235)"},
    {"add1f 1.5", "%!q(float64=2.5)"},
    {"toDecimal \"0777\"", "'ǿ'"},
    {"toDecimal \"abc\"", "'\\x00'"},
    {"typeIsLike \"map[string]interface {}\" (dict)", "%!q(bool=true)"},
    {"typeIsLike \"int\" 3", "%!q(bool=true)"},
    {"(semver \"1.2.3-alpha+b\").Major", "'\\x01'"},
    {"(semver \"v1.2.3-alpha+b\").Prerelease", "\"alpha\""},
    {"(semver \"1.2.3-alpha+b\").Metadata", "\"b\""},
    {"(semver \"1.2.3-alpha+b\").Original", "\"1.2.3-alpha+b\""},
    {"urlParse \"https://u:p@host:8080/path?q=1#frag\"",
     "map[\"fragment\":\"frag\" \"host\":\"host:8080\" \"hostname\":\"host\" \"opaque\":\"\" "
     "\"path\":\"/path\" \"query\":\"q=1\" \"scheme\":\"https\" \"userinfo\":\"u:p\"]"},
    {"urlJoin (dict \"scheme\" \"https\" \"host\" \"h:1\" \"path\" \"/p\" \"query\" \"a=b\" "
     "\"fragment\" \"f\" \"userinfo\" \"u:p\")",
     "\"https://u:p@h:1/p?a=b#f\""},
    {"randInt 1 2", "'\\x01'"},
    {"getHostByName \"localhost\"", "\"\""},
    {"hello", "\"Hello!\""},
    {"mustFromJson \"{\\\"a\\\":1}\"", "map[\"a\":%!q(float64=1)]"},
    {"slice (list 1 2 3) 1 2", "['\\x02']"},
    {"slice (list 1 2 3) 1", "['\\x02' '\\x03']"},
    {"slice (list 1 2 3)", "['\\x01' '\\x02' '\\x03']"},
    {"toToml (dict \"a\" 1 \"b\" (dict \"c\" \"x\") \"l\" (list 1 2) \"s\" \"q\\\"x\" \"f\" 1.5 "
     "\"t\" true)",
     "\"a = 1\\nf = 1.5\\nl = [1, 2]\\ns = \\\"q\\\\\\\"x\\\"\\nt = true\\n\\n[b]\\n  c = "
     "\\\"x\\\"\\n\""},
    {"fromToml \"a = 1\\n[b]\\nc = \\\"x\\\"\\n\"", "map[\"a\":'\\x01' \"b\":map[\"c\":\"x\"]]"},
    {"fromToml \"a = \"",
     "map[\"Error\":\"toml: line 1 (last key \\\"a\\\"): unexpected EOF; expected value\"]"},
    {"toYamlPretty (dict \"a\" (list 1 2) \"b\" (dict \"c\" 1))",
     "\"a:\\n  - 1\\n  - 2\\nb:\\n  c: 1\""},
    {"duration \"90\"", "\"1m30s\""},
    {"duration (int64 90)", "\"1m30s\""},
    {"duration \"3700\"", "\"1h1m40s\""},
    {"durationRound \"2h10m\"", "\"2h\""},
    {"durationRound \"100h\"", "\"4d\""},
    {"durationRound \"-5s\"", "\"5s\""},
    {"durationRound 3", "\"0s\""},
    {"dateInZone \"2006-01-02 15:04:05 MST Mon Jan _2 3PM .000 -0700 Z07:00\" (toDate \"2006-01-02 "
     "15:04:05\" \"2024-03-05 07:08:09\") \"UTC\"",
     "\"2024-03-05 07:08:09 UTC Tue Mar  5 7AM .000 +0000 Z\""},
    {"dateInZone \"2006-01-02 15:04:05 MST Monday January 2 03:4:5 pm Z0700 -07\" (toDate "
     "\"2006-01-02 15:04:05\" \"2024-03-05 17:08:09\") \"Asia/Tokyo\"",
     "\"2024-03-06 02:08:09 JST Wednesday March 6 02:8:9 am +0900 +09\""},
    {"dateInZone \"2006-01-02 15:04:05 MST\" (toDate \"2006-01-02 15:04:05\" \"2024-07-05 "
     "17:08:09\") \"America/New_York\"",
     "\"2024-07-05 13:08:09 EDT\""},
    {"dateInZone \"2006-01-02 15:04:05 MST\" (toDate \"2006-01-02 15:04:05\" \"2024-07-05 "
     "17:08:09\") \"Bad/Zone\"",
     "\"2024-07-05 17:08:09 UTC\""},
    {"dateInZone \"2006-01-02 15:04:05 MST\" 0 \"UTC\"", "\"1970-01-01 00:00:00 UTC\""},
    {"date \"2006-01-02 15:04:05 MST\" 86400", "\"1970-01-02 00:00:00 UTC\""},
    {"date \"2006-01-02 15:04:05 MST\" (toDate \"2006-01-02T15:04:05Z07:00\" "
     "\"2024-03-05T07:08:09+02:00\")",
     "\"2024-03-05 05:08:09 UTC\""},
    {"date \"2006-01-02 15:04:05.000000 MST\" (toDate \"2006-01-02 15:04:05.999\" \"2024-03-05 "
     "07:08:09.123456\")",
     "\"2024-03-05 07:08:09.123456 UTC\""},
    {"unixEpoch (toDate \"2006-01-02\" \"2024-03-05\")", "\"1709596800\""},
    {"dateModify \"1h30m\" (toDate \"2006-01-02\" \"2024-03-05\") | date \"2006-01-02 15:04\"",
     "\"2024-03-05 01:30\""},
    {"dateModify \"bad\" (toDate \"2006-01-02\" \"2024-03-05\") | date \"2006-01-02 15:04\"",
     "\"2024-03-05 00:00\""},
    {"date_modify \"-24h\" (toDate \"2006-01-02\" \"2024-03-05\") | date \"2006-01-02 15:04\"",
     "\"2024-03-04 00:00\""},
    {"toDate \"2006-01-02\" \"bad\" | date \"2006-01-02 15:04:05\"", "\"0001-01-01 00:00:00\""},
    {"htmlDate (toDate \"2006-01-02\" \"2024-03-05\")", "\"2024-03-05\""},
    {"htmlDateInZone (toDate \"2006-01-02 15:04\" \"2024-03-05 22:00\") \"Asia/Tokyo\"",
     "\"2024-03-06\""},
    {"date \"Jan 2, 2006 at 3:04pm (MST) 002 __2\" (toDate \"2006-01-02\" \"2024-03-05\")",
     "\"Mar 5, 2024 at 12:00am (UTC) 065  65\""},
    {"toDate \"Jan 2 2006\" \"Mar 5 2024\" | date \"2006-01-02\"", "\"2024-03-05\""},
    {"toDate \"02/01/06 15:04\" \"05/03/24 14:30\" | date \"2006-01-02 15:04\"",
     "\"2024-03-05 14:30\""},
    {"typeOf (toDate \"2006-01-02\" \"2024-03-05\")", "\"time.Time\""},
    {"typeOf now", "\"time.Time\""},
    {"kindOf now", "\"struct\""},
    {"encryptAES \"secretkey\" \"plaintext\" | decryptAES \"secretkey\"", "\"plaintext\""},
    {"derivePassword 1 \"long\" \"password\" \"user\" \"example.com\"", "\"ZedaFaxcZaso9*\""},
    {"derivePassword 2 \"maximum\" \"password\" \"user\" \"example.com\"",
     "\"O8-6Bwz1*I5XVPPq)@H!\""},
    {"derivePassword 1 \"pin\" \"password\" \"user\" \"example.com\"", "\"6685\""},
    {"derivePassword 1 \"bogus\" \"password\" \"user\" \"example.com\"",
     "\"cannot find password template bogus\""},
    {"bcrypt \"x\" | len", "'<'"},
    {"htpasswd \"user\" \"pass\" | substr 0 12", "\"user:$2a$10$\""},
    {"htpasswd \"us:er\" \"pass\"", "\"invalid username: us:er\""},
    {"genPrivateKey \"foo\"", "\"Unknown type foo\""},
    {"genPrivateKey \"ecdsa\" | substr 0 30", "\"-----BEGIN EC PRIVATE KEY-----\""},
    {"genPrivateKey \"ed25519\" | substr 0 27", "\"-----BEGIN PRIVATE KEY-----\""},
    {"randBytes 8 | b64dec | len", "'\\b'"},
    {"shuffle \"a\" ", "\"a\""},
    {"mustSlice (list 1 2 3) 1 2", "['\\x02']"},
    {"typeOf (genCA \"x\" 1)", "\"sprig.certificate\""},
    {"toString (toDate \"2006-01-02\" \"2024-03-05\")", "\"2024-03-05 00:00:00 +0000 UTC\""},
};

static const struct pcase more_cases[] = {
    {"toToml (dict \"b\" (dict \"c\" (dict \"d\" 1) \"e\" 2) \"a\" \"x\")",
     "\"a = \\\"x\\\"\\n\\n[b]\\n  e = 2\\n  [b.c]\\n    d = 1\\n\""},
    {"toToml (dict \"arr\" (list (dict \"a\" 1) (dict \"b\" (dict \"c\" 2))) \"z\" 1)",
     "\"z = 1\\n\\n[[arr]]\\n  a = 1\\n\\n[[arr]]\\n  [arr.b]\\n    c = 2\\n\""},
    {"toToml (dict \"e\" (dict) \"l\" (list) \"n\" nil \"k y\" 1 \"f\" 100.0 \"g\" 1e21 \"h\" "
     "0.000001)",
     "\"f = 100.0\\ng = 1e+21\\nh = 1e-06\\n\\\"k y\\\" = 1\\nl = []\\n\\n[e]\\n\""},
    {"toToml (dict \"s\" \"a\\tb\\nc\\u0001\\\"\\\\é\")",
     "\"s = \\\"a\\\\tb\\\\nc\\\\u0001\\\\\\\"\\\\\\\\é\\\"\\n\""},
    {"toToml (list 1 2)", "\"[1, 2]\""},
    {"toToml \"x\"", "\"\\\"x\\\"\""},
    {"toToml (dict \"l\" (list (list 1 2) (list \"a\")) \"m\" (list (dict \"a\" 1) 2))",
     "\"l = [[1, 2], [\\\"a\\\"]]\\nm = [{a = 1}, 2]\\n\""},
    {"toToml (dict \"l\" (list 1 nil))", "\"toml: cannot encode array with nil element\""},
    {"toToml (dict \"a\" (dict \"b\" (list (dict \"c\" 1))))",
     "\"[a]\\n\\n  [[a.b]]\\n    c = 1\\n\""},
    {"fromToml \"a = 1\\nb = 1.5\\nc = true\\nd = \\\"s\\\\tq\\\"\\ne = [1, 2]\\n[t]\\nx = "
     "'lit'\\n[[arr]]\\ny = 1\\n[[arr]]\\ny = 2\\n\"",
     "map[\"a\":'\\x01' \"arr\":[map[\"y\":'\\x01'] map[\"y\":'\\x02']] \"b\":%!q(float64=1.5) "
     "\"c\":%!q(bool=true) \"d\":\"s\\tq\" \"e\":['\\x01' '\\x02'] \"t\":map[\"x\":\"lit\"]]"},
    {"fromToml \"a.b = 1\\nc = {x = 1, y = [\\\"a\\\"]}\\nd = 1979-05-27T07:32:00Z\\ne = "
     "\\\"\\\"\\\"\\nmulti\\nline\\\"\\\"\\\"\\nf = 0x10\\ng = 1_000\\nh = inf\"",
     "map[\"a\":map[\"b\":'\\x01'] \"c\":map[\"x\":'\\x01' \"y\":[\"a\"]] \"d\":\"1979-05-27 "
     "07:32:00 +0000 UTC\" \"e\":\"multi\\nline\" \"f\":'\\x10' \"g\":'Ϩ' "
     "\"h\":%!q(float64=+Inf)]"},
    {"toYamlPretty (dict \"a\" (list (dict \"x\" 1 \"y\" (list 1 2)) \"s\") \"b\" \"yes\" \"c\" "
     "\"multi\\nline\" \"d\" (list (list 1 2)))",
     "\"a:\\n  - x: 1\\n    \\\"y\\\":\\n      - 1\\n      - 2\\n  - s\\nb: \\\"yes\\\"\\nc: |-\\n "
     " multi\\n  line\\nd:\\n  - - 1\\n    - 2\""},
    {"toYamlPretty (list 1 (dict \"a\" 1))", "\"- 1\\n- a: 1\""},
    {"toYamlPretty \"x\"", "\"x\""},
    {"kindOf (semver \"1.2.3\")", "\"ptr\""},
    {"typeOf (semver \"1.2.3\")", "\"*semver.Version\""},
};

static const struct pcase berlin_cases[] = {
    {"date \"2006-01-02 15:04:05 MST -07:00\" (toDate \"2006-01-02 15:04\" \"2024-07-01 12:30\")",
     "\"2024-07-01 12:30:00 CEST +02:00\""},
    {"date \"2006-01-02 15:04:05 MST\" (toDate \"2006-01-02 15:04\" \"2024-01-01 12:30\")",
     "\"2024-01-01 12:30:00 CET\""},
    {"unixEpoch (toDate \"2006-01-02 15:04\" \"2024-07-01 12:30\")", "\"1719829800\""},
    {"dateInZone \"15:04 MST\" (toDate \"2006-01-02 15:04\" \"2024-07-01 12:30\") \"UTC\"",
     "\"10:30 UTC\""},
    {"date \"2006-01-02\" 1700000000", "\"2023-11-14\""},
    {"(toDate \"2006-01-02\" \"2024-03-05\").Unix", "'�'"},
    {"(toDate \"2006-01-02 15:04:05\" \"2024-03-05 01:02:03\").Format \"Jan 2 15h\"",
     "\"Mar 5 01h\""},
    {"(toDate \"2006-01-02\" \"2024-03-05\").Year", "'ߨ'"},
};

/* Runs text as a template with nil data. */
static int run(const char *text, struct dk_buf *out, struct dk_err *err)
{
    struct dk_tmpl t;
    int rc;

    dk_tmpl_init(&t);
    rc = dk_tmplfuncs_register(&t, err);
    if (rc == 0)
        rc = dk_tmpl_parse(&t, "t", text, strlen(text), err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "t", NULL, out, err);
    dk_tmpl_release(&t);
    return rc;
}

static void check(const char *text, const char *want)
{
    struct dk_buf out = DK_BUF_INIT;
    struct dk_err err = DK_ERR_INIT;
    int rc = run(text, &out, &err);

    if (rc < 0)
        printf("#   error: %s\n", err.msg);
    is_str(rc == 0 ? out.buf : NULL, want, "sprig: %s", text);
    dk_buf_release(&out);
}

static void check_err(const char *text, const char *want)
{
    struct dk_buf out = DK_BUF_INIT;
    struct dk_err err = DK_ERR_INIT;
    int rc = run(text, &out, &err);

    if (!ok(rc < 0 && strstr(err.msg, want) != NULL, "sprig: %s fails with '%s'", text, want))
        printf("#   got: rc %d '%s' out '%s'\n", rc, err.msg, out.buf ? out.buf : "");
    dk_buf_release(&out);
}

static void run_table(const struct pcase *cases, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char *text = dk_xasprintf("{{ printf \"%%q\" (%s) }}", cases[i].expr);

        check(text, cases[i].want);
        free(text);
    }
}

static void set_tz(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

/* Printing values that have Go String() methods, and the methods of time.Time. */
static void test_printing(void)
{
    set_tz("Europe/Berlin");
    check("{{ toDate \"2006-01-02\" \"2024-03-05\" }}", "2024-03-05 00:00:00 +0100 CET");
    check("{{ toDate \"2006-01-02 15:04:05.999\" \"2024-07-05 01:02:03.25\" }}",
          "2024-07-05 01:02:03.25 +0200 CEST");
    check("{{ (toDate \"2006-01-02\" \"2024-03-05\").YearDay }} "
          "{{ (toDate \"2006-01-02\" \"2024-03-05\").IsZero }} "
          "{{ (toDate \"2006-01-02\" \"bad\").IsZero }}",
          "65 false true");
    set_tz("UTC");
    check("{{ semver \"1.2\" }} {{ (semver \"v1.2.3-rc.1+b\").Minor }}", "1.2.0 2");
    /* Helm v4.1.4 */
    check("{{ (semver \"1.2.3\").Compare (semver \"1.10.0\") }} "
          "{{ (semver \"1.2.3\").LessThan (semver \"1.2.3-rc1\") }} "
          "{{ (semver \"v1.2.3+x\").Equal (semver \"1.2.3\") }} "
          "{{ (semver \"2.0.0\").GreaterThan (semver \"1.9\") }} "
          "{{ (semver \"1.2.3-alpha.10\").Compare (semver \"1.2.3-alpha.9\") }}",
          "-1 false true true 1");
    check("{{ toDate \"2006-01-02\" \"bad\" }}", "0001-01-01 00:00:00 +0000 UTC");
    /* a parsed offset is kept as the time's zone (methods, printing); date uses Local */
    check("{{ $t := toDate \"2006-01-02T15:04:05Z07:00\" \"2024-03-05T07:08:09-05:30\" }}"
          "{{ $t.Unix }} {{ $t.Hour }}:{{ $t.Minute }} {{ date \"Z07:00 MST\" $t }} {{ $t }}",
          "1709642289 7:8 Z UTC 2024-03-05 07:08:09 -0530 -0530");
    check("{{ toDate \"2006-01-02 MST\" \"2024-01-01 GMT\" }}|"
          "{{ toDate \"2006-01-02 -0700\" \"2024-01-01 +0000\" }}|"
          "{{ toDate \"2006-01-02T15:04Z07:00\" \"2024-01-01T10:00Z\" | dateModify \"1h\" }}",
          "2024-01-01 00:00:00 +0000 GMT|2024-01-01 00:00:00 +0000 UTC|2024-01-01 11:00:00 +0000 "
          "UTC");
    check("{{ fromToml \"x = 1\\ny = [1,\\n\" }}|{{ fromToml \"[a]\\nb = 1\\nb = 2\" }}",
          "map[Error:toml: line 2 (last key \"y\"): unexpected EOF; expected value]|"
          "map[Error:toml: line 3 (last key \"a.b\"): Key 'a.b' has already been defined.]");
}

/* now and the functions that default to it. */
static void test_now(void)
{
    struct dk_buf out = DK_BUF_INIT;
    struct dk_err err = DK_ERR_INIT;
    time_t t0 = time(NULL), t1;
    long long got;
    char year[8];
    struct tm tm;

    set_tz("UTC");
    ok(run("{{ now | unixEpoch }} {{ dateModify \"-1h\" now | unixEpoch }}", &out, &err) == 0,
       "sprig: now and dateModify run");
    t1 = time(NULL);
    got = out.buf ? atoll(out.buf) : 0;
    ok(got >= t0 && got <= t1, "sprig: now is the current time");
    ok(out.buf && strchr(out.buf, ' ') && atoll(strchr(out.buf, ' ') + 1) == got - 3600,
       "sprig: dateModify \"-1h\" takes an hour off");
    dk_buf_reset(&out);
    gmtime_r(&t0, &tm);
    strftime(year, sizeof(year), "%Y", &tm);
    check("{{ now | date \"2006\" }}", year);
    check("{{ htmlDate \"not a time\" | len }}", "10");
    check("{{ ago now }} {{ typeOf now }} {{ kindOf now }}", "0s time.Time struct");
    check("{{ durationRound (dateModify \"-49h\" now) }}", "2d");
    dk_buf_release(&out);
}

static void test_errors(void)
{
    check_err("{{ env \"HOME\" }}", "function \"env\" not defined");
    check_err("{{ expandenv \"$HOME\" }}", "function \"expandenv\" not defined");
    check_err("{{ mustToDate \"2006-01-02\" \"2024-13-01\" }}",
              "parsing time \"2024-13-01\": month out of range");
    check_err("{{ mustToDate \"2006-01-02\" \"x2024\" }}",
              "parsing time \"x2024\" as \"2006-01-02\": cannot parse \"x2024\" as \"2006\"");
    check_err("{{ mustToDate \"2006-01-02\" \"2024-02-30\" }}",
              "parsing time \"2024-02-30\": day out of range");
    check_err("{{ mustToDate \"2006-01-02\" \"2024-01-01 extra\" }}",
              "parsing time \"2024-01-01 extra\": extra text: \" extra\"");
    check_err("{{ mustDateModify \"1x\" now }}", "time: unknown unit \"x\" in duration \"1x\"");
    check_err("{{ unixEpoch 5 }}", "expected time.Time; got int");
    check_err("{{ chunk 2 \"x\" }}", "Cannot chunk type string");
    check_err("{{ slice (list 1 2) 3 }}", "reflect.Value.Slice: slice index out of bounds");
    check_err("{{ slice \"abc\" 1 }}", "list should be type of slice or array but string");
    check_err("{{ randInt 5 5 }}", "invalid argument to Intn");
    check_err("{{ semver \"x.y\" }}", "invalid semantic version");
    check_err("{{ mustFromJson \"{\" }}", "error calling mustFromJson");
    check_err("{{ wrap \"5\" \"x\" }}", "expected int; got string");
}

int main(void)
{
    set_tz("UTC");
    run_table(utc_cases, sizeof(utc_cases) / sizeof(utc_cases[0]));
    run_table(more_cases, sizeof(more_cases) / sizeof(more_cases[0]));
    set_tz("Europe/Berlin");
    run_table(berlin_cases, sizeof(berlin_cases) / sizeof(berlin_cases[0]));
    test_printing();
    test_now();
    test_errors();
    return tap_done();
}
