/* Unit tests for common/tmplfuncs_regex.c: sprig's regular expression functions in templates.
 * Expected outputs and error texts were taken from Helm v4.1.4 (`helm template` of the same
 * template with the same values); errors are substrings of Helm's messages. */
#include "dk/tmplfuncs.h"

#include <stdlib.h>
#include <string.h>

#include "dk/json.h"
#include "tap.h"
#include "tmplrun.h"

static const char values[] = "{\"s\":\"hello world\",\"f\":1.5,\"ver\":\"v1.22.3-rc.1\","
                             "\"img\":\"registry.example.com:5000/team/app:1.2.3\"}";

static const struct tcase {
    const char *tmpl, *want, *err;
} cases[] = {
    {"{{ regexMatch \"^h\\\\w+\" .Values.s }}|{{ .Values.s | regexMatch \"WORLD\" }}|{{ .Values.s "
     "| regexMatch \"(\?i)WORLD$\" }}",
     "true|false|true", NULL},
    {"{{ regexMatch \"(\" \"x\" }}|{{ regexMatch \"\" \"\" }}", "false|true", NULL},
    {"{{ regexFind \"[0-9]+\" .Values.ver }}|{{ regexFind \"z\" \"abc\" }}|{{ mustRegexFind "
     "\"\\\\d+$\" .Values.ver }}",
     "1||1", NULL},
    {"{{ regexReplaceAll \"(\\\\d+)\\\\.(\\\\d+)\" .Values.ver \"${2}.${1}\" }}|{{ regexReplaceAll "
     "\"(\?P<w>\\\\w+)\" .Values.s \"<$w>\" }}|{{ mustRegexReplaceAll \"o\" .Values.s \"0\" }}",
     "v22.1.3-rc.1|<hello> <world>|hell0 w0rld", NULL},
    {"{{ regexReplaceAll \"x*\" \"abc\" \"-\" }}|{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" "
     "\"${1}W\" }}|{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"$1W\" }}",
     "-a-b-c-|-W-xxW-|---", NULL},
    {"{{ regexReplaceAllLiteral \"(o)\" .Values.s \"[$1]\" }}|{{ mustRegexReplaceAllLiteral \"l+\" "
     ".Values.s \"$\" }}",
     "hell[$1] w[$1]rld|he$o wor$d", NULL},
    {"{{ regexSplit \"[:/]\" .Values.img -1 }}|{{ regexSplit \"[:/]\" .Values.img 2 }}|{{ "
     "mustRegexSplit \"\\\\s+\" \"a  b \\tc\" -1 }}|{{ regexSplit \"x\" \"axb\" 0 }}|{{ regexSplit "
     "\"\" \"abc\" -1 | len }}",
     "[registry.example.com 5000 team app 1.2.3]|[registry.example.com 5000/team/app:1.2.3]|[a b "
     "c]|[]|3",
     NULL},
    {"{{ regexQuoteMeta \"1.2.3+build[x]\" }}|{{ regexMatch (regexQuoteMeta \"a.b\") \"axb\" }}|{{ "
     "regexMatch (regexQuoteMeta \"a.b\") \"a.b\" }}",
     "1\\.2\\.3\\+build\\[x\\]|false|true", NULL},
    {"{{ regexFind \"^[a-z0-9]([-a-z0-9]*[a-z0-9])\?$\" \"my-app-1\" }}|{{ regexMatch "
     "\"^[a-z0-9]([-a-z0-9]*[a-z0-9])\?$\" \"My_App\" }}",
     "my-app-1|false", NULL},
    {"{{ regexFind \"^v\?(\\\\d+)\\\\.(\\\\d+)\" .Values.ver | trimPrefix \"v\" }}|{{ "
     "regexReplaceAll \"^.*:(\\\\d+)/.*$\" .Values.img \"${1}\" }}",
     "1.22|5000", NULL},
    {"{{ regexFindAll \"\\\\pL+\" \"héllo wörld 123\" -1 | toJson }}|{{ regexReplaceAll \"(\?i)É\" "
     "\"été\" \"e\" }}|{{ regexFindAll \"a|ab\" \"abab\" -1 }}",
     "[\"héllo\",\"wörld\"]|ete|[a a]", NULL},
    {"{{ range $i, $m := regexFindAll \"(\\\\w)(\\\\d)\" \"a1 b2 c3\" -1 }}{{ $i }}={{ $m }};{{ "
     "end }}",
     "0=a1;1=b2;2=c3;", NULL},
    {"{{ regexFindAll \"a\" \"aaaa\" -2 }}|{{ regexSplit \"a\" \"bab\" -5 }}", "[a a a a]|[b b]",
     NULL},
    {"{{ \"-\" | regexReplaceAll \"o\" .Values.s }}|{{ regexMatch \"(a*)*b\" (repeat 40 \"a\") "
     "}}|{{ regexMatch \"^(\\\\w+\\\\s\?)*$\" (printf \"%s!\" (repeat 200 \"ab \")) }}",
     "hell- w-rld|false|false", NULL},
    {"{{ regexReplaceAll \"(\?m)^(\\\\s*)#\\\\s*\" \"# a\\n  #b\\nc\" \"${1}\" | toJson }}|{{ "
     "regexFind \"(\?s)BEGIN.*\?END\" \"xBEGIN 1\\nEND 2 END\" | toJson }}",
     "\"a\\n  b\\nc\"|\"BEGIN 1\\nEND\"", NULL},
    {"{{ regexFind \"(ab\" \"abc\" }}", NULL,
     "error calling regexFind: regexp: Compile(`(ab`): error parsing regexp: missing closing ): "
     "`(ab`"},
    {"{{ mustRegexFind \"(ab\" \"abc\" }}", NULL,
     "error calling mustRegexFind: error parsing regexp: missing closing ): `(ab`"},
    {"{{ regexFindAll \"[a\" \"abc\" 1 }}", NULL,
     "error calling regexFindAll: regexp: Compile(`[a`): error parsing regexp: missing closing ]: "
     "`[a`"},
    {"{{ mustRegexFindAll \"[a\" \"abc\" 1 }}", NULL,
     "error calling mustRegexFindAll: error parsing regexp: missing closing ]: `[a`"},
    {"{{ regexReplaceAll \"a**\" \"x\" \"y\" }}", NULL,
     "error calling regexReplaceAll: regexp: Compile(`a**`): error parsing regexp: invalid nested "
     "repetition operator: `**`"},
    {"{{ mustRegexReplaceAll \"a**\" \"x\" \"y\" }}", NULL,
     "error calling mustRegexReplaceAll: error parsing regexp: invalid nested repetition operator: "
     "`**`"},
    {"{{ regexReplaceAllLiteral \"\\\\8\" \"x\" \"y\" }}", NULL,
     "error calling regexReplaceAllLiteral: regexp: Compile(`\\8`): error parsing regexp: invalid "
     "escape sequence: `\\8`"},
    {"{{ mustRegexReplaceAllLiteral \"\\\\8\" \"x\" \"y\" }}", NULL,
     "error calling mustRegexReplaceAllLiteral: error parsing regexp: invalid escape sequence: "
     "`\\8`"},
    {"{{ regexSplit \"x{2,1}\" \"x\" -1 }}", NULL,
     "error calling regexSplit: regexp: Compile(`x{2,1}`): error parsing regexp: invalid repeat "
     "count: `{2,1}`"},
    {"{{ mustRegexSplit \"x{2,1}\" \"x\" -1 }}", NULL,
     "error calling mustRegexSplit: error parsing regexp: invalid repeat count: `{2,1}`"},
    {"{{ mustRegexMatch \"(\?z)\" \"x\" }}", NULL,
     "error calling mustRegexMatch: error parsing regexp: invalid or unsupported Perl syntax: "
     "`(\?z`"},
    {"{{ regexFind \"`(\" \"x\" }}", NULL,
     "error calling regexFind: regexp: Compile(\"`(\"): error parsing regexp: missing closing ): "
     "``(`"},
    {"{{ regexFind \"\\x01(\" \"x\" }}", NULL,
     "error calling regexFind: regexp: Compile(\"\\x01(\"): error parsing regexp: missing closing "
     "): `\001(`"},
    {"{{ regexSplit \"a\" \"x\" .Values.f }}", NULL,
     "wrong type for value; expected int; got float64"},
    {"{{ regexReplaceAll \"a\" \"b\" }}", NULL,
     "wrong number of args for regexReplaceAll: want 3 got 2"},
};

/* Parses and runs text as template "t" with {"Values": values}. */
static int run(const char *text, struct dk_buf *out, struct dk_err *err)
{
    return tmpl_run(values, text, out, err);
}

int main(void)
{
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct tcase *c = &cases[i];
        struct dk_buf out = DK_BUF_INIT;
        struct dk_err err = DK_ERR_INIT;
        int rc = run(c->tmpl, &out, &err);

        if (c->err) {
            if (!ok(rc < 0 && strstr(err.msg, c->err) != NULL, "tmplfuncs: %s fails with '%s'",
                    c->tmpl, c->err))
                printf("#   got: rc %d '%s' out '%s'\n", rc, err.msg, out.buf);
        } else {
            if (rc < 0)
                printf("#   error: %s\n", err.msg);
            is_str(rc == 0 ? out.buf : NULL, c->want, "tmplfuncs: %s", c->tmpl);
        }
        dk_buf_release(&out);
    }
    return tap_done();
}
