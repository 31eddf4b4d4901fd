/* Unit tests for common/regex.c. The expected results of the tables were produced by Helm
 * v4.1.4 (`helm template` of sprig's regexFindAll, regexReplaceAll, regexReplaceAllLiteral,
 * regexSplit and regexMatch, each result through quote) and the expected errors are Helm's
 * mustRegexFind messages, so they are Go's regexp results. */
#include "dk/regex.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dk/tmpl.h"
#include "tap.h"

/*
 * kind: F find all (n matches, rendered as the concatenation of each match quoted as Go's
 * strconv.Quote), R replace all (arg expanded), L replace all literally, S split (n), M match.
 */
static const struct rcase {
    char kind;
    const char *pat, *text, *arg;
    long n;
    const char *want;
} rcases[] = {
    {'F', "a|ab", "ab", NULL, -1, "\"a\""},
    {'F', "ab|a", "ab", NULL, -1, "\"ab\""},
    {'F', "(a|ab)(c|bcd)", "abcd", NULL, -1, "\"abcd\""},
    {'F', "(a*)*", "b", NULL, -1, "\"\"\"\""},
    {'F', "(a*)+", "b", NULL, -1, "\"\"\"\""},
    {'F', "(a|b)*", "abab", NULL, -1, "\"abab\""},
    {'F', "x*", "abc", NULL, -1, "\"\"\"\"\"\"\"\""},
    {'F', "a*", "baaac", NULL, -1, "\"\"\"aaa\"\"\""},
    {'F', "a*\?", "aaa", NULL, -1, "\"\"\"\"\"\"\"\""},
    {'F', "a+\?", "aaa", NULL, -1, "\"a\"\"a\"\"a\""},
    {'F', "a\?\?b", "ab", NULL, -1, "\"ab\""},
    {'F', "(\?U)a+", "aaa", NULL, -1, "\"a\"\"a\"\"a\""},
    {'F', "(\?U)a+\?", "aaa", NULL, -1, "\"aaa\""},
    {'F', "a{2}", "aaaaa", NULL, -1, "\"aa\"\"aa\""},
    {'F', "a{2,}", "aaaaa a", NULL, -1, "\"aaaaa\""},
    {'F', "a{2,3}", "aaaaaaa", NULL, -1, "\"aaa\"\"aaa\""},
    {'F', "a{2,3}\?", "aaaaaaa", NULL, -1, "\"aa\"\"aa\"\"aa\""},
    {'F', "xa{0}", "xa", NULL, -1, "\"x\""},
    {'F', "a{,2}", "a{,2}", NULL, -1, "\"a{,2}\""},
    {'F', "a{01}", "a{01}", NULL, -1, "\"a{01}\""},
    {'F', "x{", "x{", NULL, -1, "\"x{\""},
    {'F', "\\d+", "a12b345", NULL, -1, "\"12\"\"345\""},
    {'F', "\\D+", "a12b345", NULL, -1, "\"a\"\"b\""},
    {'F', "\\w+", "héllo_1 wörld", NULL, -1, "\"h\"\"llo_1\"\"w\"\"rld\""},
    {'F', "\\W+", "héllo_1 wörld", NULL, -1, "\"é\"\" \"\"ö\""},
    {'F', "\\s+", "a \t\n b", NULL, -1, "\" \\t\\n \""},
    {'F', "\\S+", "a \t\n b", NULL, -1, "\"a\"\"b\""},
    {'F', "[[:alpha:]]+", "ab1cd", NULL, -1, "\"ab\"\"cd\""},
    {'F', "[[:^digit:]]+", "ab1cd", NULL, -1, "\"ab\"\"cd\""},
    {'F', "[[:punct:]]+", "a!\?b-c", NULL, -1, "\"!\?\"\"-\""},
    {'F', "[[:upper:][:digit:]]+", "aB1cD", NULL, -1, "\"B1\"\"D\""},
    {'F', "[^a-c]+", "abcdef", NULL, -1, "\"def\""},
    {'F', "[a-]+", "a-b", NULL, -1, "\"a-\""},
    {'F', "[]a]+", "]a]b", NULL, -1, "\"]a]\""},
    {'F', "[^]a]+", "]a]bc", NULL, -1, "\"bc\""},
    {'F', "[\\d\\s]+", "a1 2b", NULL, -1, "\"1 2\""},
    {'F', "[\\]]+", "a]]b", NULL, -1, "\"]]\""},
    {'F', "[a-c-e]+", "abd-e", NULL, -1, "\"ab\"\"-e\""},
    {'F', "[\\d-z]+", "1-zq", NULL, -1, "\"1-z\""},
    {'F', ".", "a\nb", NULL, -1, "\"a\"\"b\""},
    {'F', "(\?s).", "a\nb", NULL, -1, "\"a\"\"\\n\"\"b\""},
    {'F', ".+", "ab\ncd", NULL, -1, "\"ab\"\"cd\""},
    {'F', ".", "héé", NULL, -1, "\"h\"\"é\"\"é\""},
    {'F', "^a", "aa", NULL, -1, "\"a\""},
    {'F', "a$", "aa", NULL, -1, "\"a\""},
    {'F', "(\?m)^\\w", "ab\ncd", NULL, -1, "\"a\"\"c\""},
    {'F', "(\?m)\\w$", "ab\ncd", NULL, -1, "\"b\"\"d\""},
    {'F', "^", "abc", NULL, -1, "\"\""},
    {'F', "$", "abc", NULL, -1, "\"\""},
    {'F', "(\?m)$", "a\nb", NULL, -1, "\"\"\"\""},
    {'F', "(\?m)^", "a\nb\n", NULL, -1, "\"\"\"\"\"\""},
    {'F', "\\Aa", "aa", NULL, -1, "\"a\""},
    {'F', "a\\z", "aa", NULL, -1, "\"a\""},
    {'F', "a$", "a\n", NULL, -1, ""},
    {'F', "\\b", "ab cd", NULL, -1, "\"\"\"\"\"\"\"\""},
    {'F', "\\bx\\b", "x xx x", NULL, -1, "\"x\"\"x\""},
    {'F', "\\B", "abc", NULL, -1, "\"\"\"\""},
    {'F', "(\?i)hello", "HeLLo hello", NULL, -1, "\"HeLLo\"\"hello\""},
    {'F', "(\?i)[a-c]+", "ABCabcd", NULL, -1, "\"ABCabc\""},
    {'F', "(\?i)k+", "kKKx", NULL, -1, "\"kKK\""},
    {'F', "(\?i)s+", "sSſx", NULL, -1, "\"sSſ\""},
    {'F', "(\?i)é+", "ÉéE", NULL, -1, "\"Éé\""},
    {'F', "(\?i)σ+", "ΣσςΤ", NULL, -1, "\"Σσς\""},
    {'F', "(\?i:a)b", "AbAB", NULL, -1, "\"Ab\""},
    {'F', "a(\?i)b", "aBAB", NULL, -1, "\"aB\""},
    {'F', "(\?i)a(\?-i)b", "ABAb", NULL, -1, "\"Ab\""},
    {'F', "(a(\?i)b)c", "aBcaBC", NULL, -1, "\"aBc\""},
    {'F', "(\?i)[^k]", "kKKx", NULL, -1, "\"x\""},
    {'F', "(\?i)\\W", "kKKſ!", NULL, -1, "\"!\""},
    {'F', "(\?i)ǆ", "ǄǅǆDž", NULL, -1, "\"Ǆ\"\"ǅ\"\"ǆ\""},
    {'F', "\\pL+", "héllo wörld 123", NULL, -1, "\"héllo\"\"wörld\""},
    {'F', "\\p{Lu}+", "ABcDÉf", NULL, -1, "\"AB\"\"DÉ\""},
    {'F', "\\p{Ll}+", "ABcDÉfé", NULL, -1, "\"c\"\"fé\""},
    {'F', "\\pN+", "a1²3Ⅷb", NULL, -1, "\"1²3Ⅷ\""},
    {'F', "\\p{Nd}+", "a1²3Ⅷb٣", NULL, -1, "\"1\"\"3\"\"٣\""},
    {'F', "\\PL+", "ab12 cd", NULL, -1, "\"12 \""},
    {'F', "\\p{^L}+", "ab12 cd", NULL, -1, "\"12 \""},
    {'F', "\\P{^L}+", "ab12 cd", NULL, -1, "\"ab\"\"cd\""},
    {'F', "\\p{Greek}+", "abc αβγ ω", NULL, -1, "\"αβγ\"\"ω\""},
    {'F', "\\p{Cyrillic}+", "привет мир", NULL, -1, "\"привет\"\"мир\""},
    {'F', "\\p{Han}+", "中文abc字", NULL, -1, "\"中文\"\"字\""},
    {'F', "\\p{Latin}+", "aé中b", NULL, -1, "\"aé\"\"b\""},
    {'F', "[\\p{Lu}\\d]+", "aB1cD", NULL, -1, "\"B1\"\"D\""},
    {'F', "(\?i)\\p{Lu}+", "abCD1", NULL, -1, "\"abCD\""},
    {'F', "\\p{P}+", "a,.!b", NULL, -1, "\",.!\""},
    {'F', "\\p{Zs}+", "a  b", NULL, -1, "\" \\u00a0\""},
    {'F', "\\p{Any}+", "ab", NULL, -1, "\"ab\""},
    {'F', "\\x41\\x{42}\\t", "AB\tAB", NULL, -1, "\"AB\\t\""},
    {'F', "\\Qa.b\\E+", "a.bb a.b axb", NULL, -1, "\"a.bb\"\"a.b\""},
    {'F', "\\Qa.b", "xa.b", NULL, -1, "\"a.b\""},
    {'F', "\\.\\$\\-\\^", ".$-^", NULL, -1, "\".$-^\""},
    {'F', "(\?:ab)+", "ababx", NULL, -1, "\"abab\""},
    {'F', "a|", "ab", NULL, -1, "\"a\"\"\""},
    {'F', "|a", "ab", NULL, -1, "\"\"\"\"\"\""},
    {'F', "[^\\n]+", "ab\ncd", NULL, -1, "\"ab\"\"cd\""},
    {'F', "a", "aaaa", NULL, 2, "\"a\"\"a\""},
    {'F', "a", "aaaa", NULL, 0, ""},
    {'F', "", "abc", NULL, -1, "\"\"\"\"\"\"\"\""},
    {'F', "", "héllo", NULL, -1, "\"\"\"\"\"\"\"\"\"\"\"\""},
    {'F', "z", "abc", NULL, -1, ""},
    {'F', "(\?:)", "ab", NULL, -1, "\"\"\"\"\"\""},
    {'F', "^*a", "aa", NULL, -1, "\"a\"\"a\""},
    {'F', "(\?i)(\?s:.)+", "a\nB", NULL, -1, "\"a\\nB\""},
    {'F', "a.c", "aéc a\nc", NULL, -1, "\"aéc\""},
    {'F', "(\?m:^b)", "ab\nb", NULL, -1, "\"b\""},
    {'F', "[é-ê]+", "eéêë", NULL, -1, "\"éê\""},
    {'F', "\\x{1F600}", "x😀y", NULL, -1, "\"😀\""},
    {'F', "[😀-😂]+", "a😁😂b", NULL, -1, "\"😁😂\""},
    {'F', "(ab){2}", "ababab", NULL, -1, "\"abab\""},
    {'F', "(a){0,2}b", "aaab", NULL, -1, "\"aab\""},
    {'F', "x(\?P<n>y)\?", "xyx", NULL, -1, "\"xy\"\"x\""},
    {'R', "x*", "abc", "-", 0, "\"-a-b-c-\""},
    {'R', "a*", "baaac", "-", 0, "\"-b-c-\""},
    {'R', "", "abc", "-", 0, "\"-a-b-c-\""},
    {'R', "b*", "abc", "X", 0, "\"XaXcX\""},
    {'R', "(\?m)^", "a\nb", ">", 0, "\">a\\n>b\""},
    {'R', "$", "ab", "!", 0, "\"ab!\""},
    {'R', "(a)(b)\?", "ab a", "[$1$2]", 0, "\"[ab] [a]\""},
    {'R', "(\?P<x>\\w+)@(\?P<y>\\w+)", "me@host", "${y}.$x", 0, "\"host.me\""},
    {'R', "(\\w+)", "ab cd", "$1x", 0, "\" \""},
    {'R', "(\\w+)", "ab cd", "${1}x", 0, "\"abx cdx\""},
    {'R', "(\\w+)", "ab", "$$1", 0, "\"$1\""},
    {'R', "(\\w+)", "ab", "a$", 0, "\"a$\""},
    {'R', "(\\w+)", "ab", "${", 0, "\"${\""},
    {'R', "(\\w+)", "ab", "$9", 0, "\"\""},
    {'R', "(\\w+)", "ab", "${1", 0, "\"${1\""},
    {'R', "a", "aaa", "$0$0", 0, "\"aaaaaa\""},
    {'R', "(\?P<n>a)", "a", "$n$n", 0, "\"aa\""},
    {'R', "(\?P<n>a)(\?P<n>b)", "ab", "$n", 0, "\"a\""},
    {'R', "é", "aéb", "-", 0, "\"a-b\""},
    {'R', "", "é", "-", 0, "\"-é-\""},
    {'R', "(a*)*", "b", "<$1>", 0, "\"<>b<>\""},
    {'R', "(a|ab)(c|bcd)(d*)", "abcd", "<$1|$2|$3>", 0, "\"<a|bcd|>\""},
    {'R', "(a*)+", "b", "<$1>", 0, "\"<>b<>\""},
    {'R', "(a*|b)*", "ab", "<$1>", 0, "\"<b>\""},
    {'R', "(a|b)*\?c", "abc", "<$1>", 0, "\"<b>\""},
    {'R', "(a+|b+)*c", "aabbc", "<$1>", 0, "\"<bb>\""},
    {'R', "(\?:(a)|b)+", "ab", "<$1>", 0, "\"<a>\""},
    {'R', "(a)|b", "b", "<$1>", 0, "\"<>\""},
    {'R', "(\\d+)\\.(\\d+)", "v1.22", "$2.$1", 0, "\"v22.1\""},
    {'R', "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)", "abcdefghijk", "$11$10$1", 0, "\"kja\""},
    {'R', "(a)", "a", "$01", 0, "\"\""},
    {'R', "(a)", "a", "${01}", 0, "\"\""},
    {'R', "(\?P<a1_>x)", "x", "[${a1_}]", 0, "\"[x]\""},
    {'R', "^(\\w+)-(\\w+)$", "foo-bar", "${2}_${1}", 0, "\"bar_foo\""},
    {'R', "(a)", "a", "$é", 0, "\"\""},
    {'R', "(x)\?a", "a", "<$1>", 0, "\"<>\""},
    {'R', "\\b", "ab cd", "|", 0, "\"|ab| |cd|\""},
    {'R', "a|", "bab", "-", 0, "\"-b-b-\""},
    {'R', "(\?i)ST", "sTſt", "_", 0, "\"__\""},
    {'L', "a(b)", "xaby", "$1", 0, "\"x$1y\""},
    {'L', "x*", "abc", "$", 0, "\"$a$b$c$\""},
    {'L', "", "ab", "-", 0, "\"-a-b-\""},
    {'S', "z+", "pizza", NULL, -1, "\"pi\"\"a\""},
    {'S', ",\\s*", "a, b,c", NULL, 2, "\"a\"\"b,c\""},
    {'S', "x", "axbxc", NULL, 0, ""},
    {'S', "", "abc", NULL, -1, "\"a\"\"b\"\"c\""},
    {'S', "x*", "axbc", NULL, 2, "\"a\"\"bc\""},
    {'S', "a", "", NULL, -1, "\"\""},
    {'S', "", "", NULL, -1, ""},
    {'S', "a", "a", NULL, -1, "\"\"\"\""},
    {'S', "a", "aba", NULL, -1, "\"\"\"b\"\"\""},
    {'S', "b", "abc", NULL, 1, "\"abc\""},
    {'S', ",", ",a,b,c,", NULL, -1, "\"\"\"a\"\"b\"\"c\"\"\""},
    {'S', "x*", "abc", NULL, -1, "\"a\"\"b\"\"c\""},
    {'S', "$", "abc", NULL, -1, "\"abc\""},
    {'S', "^", "abc", NULL, -1, "\"abc\""},
    {'S', "b*", "abbc", NULL, -1, "\"a\"\"c\""},
    {'S', "", "héllo", NULL, 3, "\"h\"\"é\"\"llo\""},
    {'M', "^[a-z]+\\d$", "abc1", NULL, 0, "true"},
    {'M', "(\?i)HELLO", "hello", NULL, 0, "true"},
    {'M', "^$", "", NULL, 0, "true"},
    {'M', "a^", "a", NULL, 0, "false"},
    {'M', "\\bfoo\\b", "a foo.", NULL, 0, "true"},
    {'M', "x", "", NULL, 0, "false"},
    {'F', "\\pm+", "áb", NULL, -1, "\"́\""},
    {'F', "\\p{greek}+", "abc αβγ", NULL, -1, "\"αβγ\""},
    {'F', "\\p{lu}+", "aBcΩω", NULL, -1, "\"B\"\"Ω\""},
    {'F', "\\p{LU}+", "aBcΩω", NULL, -1, "\"B\"\"Ω\""},
    {'F', "\\p{Letter}+", "aB1Ωω", NULL, -1, "\"aB\"\"Ωω\""},
    {'F', "\\p{Lowercase_Letter}+", "aBcΩω", NULL, -1, "\"a\"\"c\"\"ω\""},
    {'F', "\\pl+", "aB1Ωω", NULL, -1, "\"aB\"\"Ωω\""},
    {'F', "\\p{ASCII}+", "aé1 b", NULL, -1, "\"a\"\"1 b\""},
    {'F', "\\p{LC}+", "aBǅ1ªΩ", NULL, -1, "\"aBǅ\"\"Ω\""},
    {'F', "\\p{Cased-Letter}+", "aB1", NULL, -1, "\"aB\""},
    {'R', "\\p{Cn}+", "a͸͹b", "-", 0, "\"a-b\""},
    {'F', "\\p{Assigned}+", "a͸b", NULL, -1, "\"a\"\"b\""},
    {'F', "\\p{digit}+", "a12b", NULL, -1, "\"12\""},
    {'R', "\\p{Space Separator}+", "a 　b", "-", 0, "\"a-b\""},
    {'F', "\\P{Any}", "ab", NULL, -1, ""},
    {'F', "(\?i)\\p{Ll}+", "aBC1", NULL, -1, "\"aBC\""},
    {'F', "\\p{Hiragana}+", "ひらがなカタカナ", NULL, -1, "\"ひらがな\""},
    {'F', "\\p{katakana}+", "ひらがなカタカナ", NULL, -1, "\"カタカナ\""},
    {'R', "\\p{Arabic}+", "a مرحبا b", "-", 0, "\"a - b\""},
    {'R', "\\p{Hebrew}+", "a שלום b", "-", 0, "\"a - b\""},
    {'F', "\\p{Hangul}+", "a 한국어 b", NULL, -1, "\"한국어\""},
    {'F', "\\p{Thai}+", "a ไทย b", NULL, -1, "\"ไทย\""},
    {'F', "(\?i)\\P{Lu}+", "aBC1", NULL, -1, "\"1\""},
    {'F', "[^\\P{L}]+", "ab1c", NULL, -1, "\"ab\"\"c\""},
};

static const struct ecase {
    const char *pat, *want;
} ecases[] = {
    {"(\?P=n)", "error parsing regexp: invalid or unsupported Perl syntax: `(\?P`"},
    {"(\?P<>a)", "error parsing regexp: invalid named capture: `(\?P<>`"},
    {"\\Z", "error parsing regexp: invalid escape sequence: `\\Z`"},
    {"\\8", "error parsing regexp: invalid escape sequence: `\\8`"},
    {"a{1001}", "error parsing regexp: invalid repeat count: `{1001}`"},
    {"(a{500}){3}", "error parsing regexp: invalid repeat count: `{3}`"},
    {"a\\", "error parsing regexp: trailing backslash at end of expression: ``"},
    {"x{2}{3}", "error parsing regexp: invalid nested repetition operator: `{2}{3}`"},
    {"[z-a]", "error parsing regexp: invalid character class range: `z-a`"},
    {"[[:foo:]]", "error parsing regexp: invalid character class range: `[:foo:]`"},
    {"\\p{Foo}", "error parsing regexp: invalid character class range: `\\p{Foo}`"},
    {"(\?i)(\?z)", "error parsing regexp: invalid or unsupported Perl syntax: `(\?z`"},
    {"*a", "error parsing regexp: missing argument to repetition operator: `*`"},
    {"a|*", "error parsing regexp: missing argument to repetition operator: `*`"},
    {"(*)", "error parsing regexp: missing argument to repetition operator: `*`"},
    {"[a", "error parsing regexp: missing closing ]: `[a`"},
    {"x{2,1}", "error parsing regexp: invalid repeat count: `{2,1}`"},
    {"\\x{110000}", "error parsing regexp: invalid escape sequence: `\\x{110000`"},
    {"\\xZ", "error parsing regexp: invalid escape sequence: `\\xZ`"},
    {"(\?i-)", "error parsing regexp: invalid or unsupported Perl syntax: `(\?i-)`"},
    {"(\?-)", "error parsing regexp: invalid or unsupported Perl syntax: `(\?-)`"},
    {"a)", "error parsing regexp: unexpected ): `a)`"},
    {"(\?<n", "error parsing regexp: invalid named capture: `(\?<n`"},
    {"(\?<=a)", "error parsing regexp: invalid named capture: `(\?<=a)`"},
    {"\\pX", "error parsing regexp: invalid character class range: `\\pX`"},
    {"(\?<n!>x)", "error parsing regexp: invalid named capture: `(\?<n!>`"},
    {"\\C", "error parsing regexp: invalid escape sequence: `\\C`"},
    {"x*+", "error parsing regexp: invalid nested repetition operator: `*+`"},
    {"x\?\?+", "error parsing regexp: invalid nested repetition operator: `\?\?+`"},
    {"[[:^alpha:]", "error parsing regexp: missing closing ]: `[[:^alpha:]`"},
    {"(ab", "error parsing regexp: missing closing ): `(ab`"},
    {"((a)", "error parsing regexp: missing closing ): `((a)`"},
    {"a**", "error parsing regexp: invalid nested repetition operator: `**`"},
    {"\\x", "error parsing regexp: invalid escape sequence: `\\x`"},
    {"\\x1", "error parsing regexp: invalid escape sequence: `\\x1`"},
    {"(\?P<é>a)", "error parsing regexp: invalid named capture: `(\?P<é>`"},
    {"a{1000}{2}", "error parsing regexp: invalid nested repetition operator: `{1000}{2}`"},
    {"(\?i", "error parsing regexp: invalid or unsupported Perl syntax: `(\?i`"},
    {"(\?P", "error parsing regexp: invalid or unsupported Perl syntax: `(\?P`"},
    {"(\?", "error parsing regexp: invalid or unsupported Perl syntax: `(\?`"},
    {"x{1001,}", "error parsing regexp: invalid repeat count: `{1001,}`"},
    {"[\\", "error parsing regexp: trailing backslash at end of expression: ``"},
    {"[a-\\d]", "error parsing regexp: invalid escape sequence: `\\d`"},
    {"\\p{", "error parsing regexp: invalid character class range: `\\p{`"},
    {"(\?<>x)", "error parsing regexp: invalid named capture: `(\?<>`"},
    {"\\p{L&}", "error parsing regexp: invalid character class range: `\\p{L&}`"},
    {"\\p{}", "error parsing regexp: invalid character class range: `\\p{}`"},
    {"\\p{^}", "error parsing regexp: invalid character class range: `\\p{^}`"},
    {"\\P", "error parsing regexp: invalid character class range: `\\P`"},
};

static struct dk_regex *compile(const char *pat, struct dk_err *err)
{
    struct dk_regex *re = NULL;

    if (dk_regex_compile(pat, strlen(pat), &re, err) < 0)
        return NULL;
    return re;
}

/* Runs one table case and renders its result as Helm printed it. */
static int run_case(const struct rcase *c, struct dk_buf *out, struct dk_err *err)
{
    struct dk_regex *re = compile(c->pat, err);
    size_t len = strlen(c->text), i, n;

    if (!re)
        return -1;
    switch (c->kind) {
    case 'F': {
        ssize_t *m = NULL;
        size_t ncap = 2 * (dk_regex_ngroups(re) + 1);

        n = dk_regex_find_all(re, c->text, len, c->n, &m);
        for (i = 0; i < n; i++)
            dk_tmpl_quote(out, c->text + m[i * ncap], (size_t)(m[i * ncap + 1] - m[i * ncap]));
        free(m);
        break;
    }
    case 'R':
    case 'L': {
        struct dk_buf b = DK_BUF_INIT;

        dk_regex_replace_all(re, &b, c->text, len, c->arg, strlen(c->arg), c->kind == 'L');
        dk_tmpl_quote(out, b.buf ? b.buf : "", b.len);
        dk_buf_release(&b);
        break;
    }
    case 'S': {
        size_t *p = NULL;

        n = dk_regex_split(re, c->text, len, c->n, &p);
        for (i = 0; i < n; i++)
            dk_tmpl_quote(out, c->text + p[2 * i], p[2 * i + 1] - p[2 * i]);
        free(p);
        break;
    }
    default:
        dk_buf_add(out, dk_regex_match(re, c->text, len) ? "true" : "false");
        break;
    }
    dk_regex_free(re);
    return 0;
}

/* s for a one-line TAP description (newlines and tabs as escapes; at most 60 bytes). */
static const char *shown(const char *s, char *buf)
{
    size_t i = 0;

    for (; *s && i < 60; s++) {
        if (*s == '\n' || *s == '\t') {
            buf[i++] = '\\';
            buf[i++] = *s == '\n' ? 'n' : 't';
        } else {
            buf[i++] = *s;
        }
    }
    buf[i] = '\0';
    return buf;
}

static void test_table(void)
{
    size_t i;

    for (i = 0; i < sizeof(rcases) / sizeof(rcases[0]); i++) {
        const struct rcase *c = &rcases[i];
        struct dk_buf out = DK_BUF_INIT;
        struct dk_err err = DK_ERR_INIT;

        dk_buf_add(&out, "");
        if (run_case(c, &out, &err) < 0)
            printf("#   error: %s\n", err.msg);
        char b1[128], b2[128], b3[128];

        is_str(out.buf, c->want, "regex: %c `%s` on \"%s\" (%s %ld) is Go's result", c->kind,
               shown(c->pat, b1), shown(c->text, b2), shown(c->arg ? c->arg : "n", b3), c->n);
        dk_buf_release(&out);
    }
}

static void test_errors(void)
{
    size_t i;

    for (i = 0; i < sizeof(ecases) / sizeof(ecases[0]); i++) {
        struct dk_err err = DK_ERR_INIT;
        struct dk_regex *re = compile(ecases[i].pat, &err);

        ok(re == NULL && err.code == DK_E_INPUT, "regex: `%s` is refused as bad input",
           ecases[i].pat);
        is_str(err.msg, ecases[i].want, "regex: `%s` fails with Go's message", ecases[i].pat);
        dk_regex_free(re);
    }
}

/* Groups, offsets and the search position of dk_regex_find(). */
static void test_find(void)
{
    struct dk_err err = DK_ERR_INIT;
    struct dk_regex *re = compile("(?P<key>\\w+)=(\\d+)?(?<tail>;)?", &err);
    ssize_t m[8];
    const char *s = "x a=1; b=";

    if (!ok(re != NULL, "regex: named groups compile"))
        return;
    is_int(dk_regex_ngroups(re), 3, "regex: three groups");
    is_str(dk_regex_group_name(re, 1), "key", "regex: (?P<key>) names group 1");
    is_str(dk_regex_group_name(re, 2), "", "regex: group 2 has no name");
    is_str(dk_regex_group_name(re, 3), "tail", "regex: (?<tail>) names group 3");
    ok(dk_regex_find(re, s, strlen(s), 0, m, 8) == 1 && m[0] == 2 && m[1] == 6 && m[2] == 2 &&
           m[3] == 3 && m[4] == 4 && m[5] == 5 && m[6] == 5 && m[7] == 6,
       "regex: find gives the match and every group's offsets");
    ok(dk_regex_find(re, s, strlen(s), 3, m, 8) == 1 && m[0] == 7 && m[1] == 9 && m[4] == -1 &&
           m[6] == -1,
       "regex: find from a position; groups that took no part are -1");
    ok(dk_regex_find(re, s, strlen(s), 9, m, 8) == 0, "regex: no match past the last one");
    ok(dk_regex_find(re, s, strlen(s), 0, m, 2) == 1 && m[0] == 2 && m[1] == 6,
       "regex: find fills only the slots given");
    ok(dk_regex_find(re, s, strlen(s), 100, NULL, 0) == 0, "regex: a position past the end");
    dk_regex_free(re);

    /* text before the start position still counts for anchors and word boundaries */
    re = compile("^a|\\ba", &err);
    ok(re && dk_regex_find(re, "aba a", 5, 1, m, 2) == 1 && m[0] == 4,
       "regex: ^ and \\b look at the text before the start position");
    dk_regex_free(re);
    re = compile("\\101\\0", &err);
    ok(re && dk_regex_find(re, "xA\0", 3, 0, m, 2) == 1 && m[0] == 1 && m[1] == 3,
       "regex: octal escapes, and text with a NUL byte");
    dk_regex_free(re);
}

/* Text is UTF-8; an invalid byte reads as U+FFFD of width 1, as in Go. */
static void test_utf8(void)
{
    struct dk_err err = DK_ERR_INIT;
    struct dk_regex *re = compile(".", &err);
    ssize_t *m = NULL;
    size_t n;

    n = dk_regex_find_all(re, "a\xff\xc3\xa9\xe2\x82", 6, -1, &m);
    ok(n == 5 && m[2] == 1 && m[3] == 2 && m[4] == 2 && m[5] == 4 && m[6] == 4 && m[7] == 5 &&
           m[8] == 5 && m[9] == 6,
       "regex: . steps over runes and over each invalid byte");
    free(m);
    dk_regex_free(re);
    re = compile("\\x{FFFD}+", &err);
    ok(re && dk_regex_find(re,
                           "a\xff\xfe"
                           "b",
                           4, 0, (ssize_t[2]){0}, 2) == 1,
       "regex: an invalid byte matches U+FFFD");
    dk_regex_free(re);
    re = compile("[^a]", &err);
    ok(re && dk_regex_find_all(re, "\xf0\x9f\x98\x80", 4, -1, &m) == 1 && m[1] == 4,
       "regex: a negated class takes a whole 4-byte rune");
    free(m);
    dk_regex_free(re);
    ok(compile("a\xff", &err) == NULL && strstr(err.msg, "invalid UTF-8") != NULL,
       "regex: a pattern must be UTF-8");
}

/* Matching time grows with pattern times text, never exponentially. */
static void test_linear(void)
{
    static const char *pats[] = {"(a*)*b",   "(a|a)*b",    "(a|aa)+$b",
                                 "(x+x+)+y", "(.*a){20}z", "^(\\w+\\s?)*$"};
    char text[5001];
    size_t i;

    memset(text, 'a', 30);
    text[30] = '\0';
    for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
        struct dk_err err = DK_ERR_INIT;
        struct dk_regex *re = compile(pats[i], &err);
        clock_t t0 = clock();
        int hit;

        if (i == 3) {
            memset(text, 'x', 5000);
            text[5000] = '\0';
        } else if (i == 5) {
            memset(text, 'a', 3000);
            strcpy(text + 3000, " b!");
        }
        hit = re ? dk_regex_match(re, text, strlen(text)) : -1;
        ok(hit == 0 && (double)(clock() - t0) / CLOCKS_PER_SEC < 2.0,
           "regex: `%s` fails on %zu bytes quickly", pats[i], strlen(text));
        dk_regex_free(re);
    }
}

static void test_limits(void)
{
    struct dk_err err = DK_ERR_INIT;
    struct dk_regex *re = compile("a{1000}", &err);
    char text[1001];
    struct dk_buf pat = DK_BUF_INIT;
    size_t i;

    memset(text, 'a', 1000);
    ok(re && dk_regex_match(re, text, 1000) && !dk_regex_match(re, text, 999),
       "regex: a{1000} needs 1000 a's");
    dk_regex_free(re);
    for (i = 0; i < 999; i++)
        dk_buf_addch(&pat, '(');
    dk_buf_addch(&pat, 'a');
    for (i = 0; i < 999; i++)
        dk_buf_addch(&pat, ')');
    re = compile(pat.buf, &err);
    ok(re && dk_regex_ngroups(re) == 999 && dk_regex_match(re, "a", 1),
       "regex: 999 nested groups are fine");
    dk_regex_free(re);
    dk_buf_reset(&pat);
    for (i = 0; i < 1000; i++)
        dk_buf_addch(&pat, '(');
    dk_buf_addch(&pat, 'a');
    for (i = 0; i < 1000; i++)
        dk_buf_addch(&pat, ')');
    ok(compile(pat.buf, &err) == NULL &&
           !strncmp(err.msg, "error parsing regexp: expression nests too deeply: `(((", 55),
       "regex: 1000 nested groups nest too deeply, as in Go");
    dk_buf_reset(&pat);
    for (i = 0; i < 1001; i++)
        dk_buf_add(&pat, "(?:");
    dk_buf_addch(&pat, 'a');
    for (i = 0; i < 1001; i++)
        dk_buf_addch(&pat, ')');
    re = compile(pat.buf, &err);
    ok(re && dk_regex_match(re, "a", 1), "regex: non-capturing groups do not count as nesting");
    dk_regex_free(re);
    dk_buf_reset(&pat);
    for (i = 0; i < 201; i++)
        dk_buf_add(&pat, "\\pL{1000}");
    ok(compile(pat.buf, &err) == NULL &&
           !strncmp(err.msg, "error parsing regexp: expression too large: `", 45),
       "regex: a program past DK_REGEX_MAX_INSTS is too large");
    dk_buf_release(&pat);
}

static void test_expand_quote(void)
{
    struct dk_err err = DK_ERR_INIT;
    struct dk_regex *re = compile("(?P<first>\\w+) (\\w+)", &err);
    struct dk_buf b = DK_BUF_INIT;
    ssize_t m[6];
    const char *s = "hello world", *t = "$2, ${first}! $$ $3 $first_ $";

    ok(re && dk_regex_find(re, s, strlen(s), 0, m, 6), "regex: expand's match");
    dk_regex_expand(re, &b, t, strlen(t), s, m);
    is_str(b.buf, "world, hello! $   $", "regex: expand as Go's Regexp.Expand");
    dk_regex_free(re);
    dk_buf_reset(&b);
    dk_regex_quote_meta(&b, "1.5*[x]{2}^$|a+b?(c)\\d", 22);
    is_str(b.buf, "1\\.5\\*\\[x\\]\\{2\\}\\^\\$\\|a\\+b\\?\\(c\\)\\\\d",
           "regex: quote_meta escapes what Go's QuoteMeta escapes");
    re = compile(b.buf, &err);
    ok(re && dk_regex_match(re, "1.5*[x]{2}^$|a+b?(c)\\d", 22),
       "regex: a quoted text matches itself");
    dk_regex_free(re);
    dk_buf_release(&b);
}

int main(void)
{
    test_table();
    test_errors();
    test_find();
    test_utf8();
    test_linear();
    test_limits();
    test_expand_quote();
    return tap_done();
}
