/* sprig's regular expression functions over dk/regex.h (Go's regexp syntax and results). */
#include <stdlib.h>
#include <string.h>

#include "dk/regex.h"
#include "tmplfuncs_int.h"

/* strconv.CanBackquote: what regexp.MustCompile checks before quoting with backquotes. */
static int can_backquote(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x80) {
            if ((c < ' ' && c != '\t') || c == '`' || c == 0x7F)
                return 0;
            i++;
            continue;
        }
        /* a multi-byte rune: valid UTF-8 other than U+FEFF */
        {
            size_t w = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0, k;

            if (w == 0 || i + w > len || c > 0xF4)
                return 0;
            for (k = 1; k < w; k++)
                if (((unsigned char)s[i + k] & 0xC0) != 0x80)
                    return 0;
            if ((c == 0xE0 && (unsigned char)s[i + 1] < 0xA0) ||
                (c == 0xED && (unsigned char)s[i + 1] > 0x9F) ||
                (c == 0xF0 && (unsigned char)s[i + 1] < 0x90) ||
                (c == 0xF4 && (unsigned char)s[i + 1] > 0x8F))
                return 0;
            if (w == 3 && !memcmp(s + i, "\xEF\xBB\xBF", 3))
                return 0;
            i += w;
        }
    }
    return 1;
}

/*
 * Compiles argument i. sprig's must* functions return regexp.Compile's error as it is; the
 * others call regexp.MustCompile, whose panic text text/template reports:
 * "regexp: Compile(`PAT`): error parsing regexp: ...".
 */
static int compile(struct dk_tmpl_call *c, struct dk_val **args, size_t i, struct dk_regex **re,
                   struct dk_err *err)
{
    struct dk_err e = DK_ERR_INIT;
    struct dk_buf q = DK_BUF_INIT;

    if (dk_regex_compile(S(i), L(i), re, &e) == 0)
        return 0;
    if (!strncmp(((const struct fdef *)c->ud)->name, "must", 4))
        return dk_err_set(err, DK_E_FAIL, "%s", e.msg);
    if (can_backquote(S(i), L(i))) {
        dk_buf_addch(&q, '`');
        dk_buf_addn(&q, S(i), L(i));
        dk_buf_addch(&q, '`');
    } else {
        dk_tmpl_quote(&q, S(i), L(i));
    }
    dk_err_set(err, DK_E_FAIL, "regexp: Compile(%s): %s", q.buf, e.msg);
    dk_buf_release(&q);
    return -1;
}

/* regexMatch RE S: false for a bad expression (sprig drops the error); mustRegexMatch fails. */
FN(f_regexMatch)
{
    struct dk_regex *re;
    struct dk_err e = DK_ERR_INIT;

    ARITY();
    STRARGS(0, 1);
    if (dk_regex_compile(S(0), L(0), &re, &e) < 0) {
        if (!strcmp(((const struct fdef *)c->ud)->name, "mustRegexMatch"))
            return dk_err_set(err, DK_E_FAIL, "%s", e.msg);
        *out = dk_val_bool(0);
        return 0;
    }
    *out = dk_val_bool(dk_regex_match(re, S(1), L(1)));
    dk_regex_free(re);
    return 0;
}

/* regexFind RE S: the leftmost match, "" when none. */
FN(f_regexFind)
{
    struct dk_regex *re;
    ssize_t m[2];

    ARITY();
    STRARGS(0, 1);
    if (compile(c, args, 0, &re, err) < 0)
        return -1;
    if (dk_regex_find(re, S(1), L(1), 0, m, 2))
        *out = dk_val_strn(S(1) + m[0], (size_t)(m[1] - m[0]));
    else
        *out = dk_val_str("");
    dk_regex_free(re);
    return 0;
}

/* regexFindAll RE S N: at most N matches (N < 0: all). Go returns a nil slice when there is
 * none; here that is an empty list. */
FN(f_regexFindAll)
{
    struct dk_regex *re;
    ssize_t *m = NULL;
    int64_t lim;
    size_t nm, i, ncap;

    ARITY();
    STRARGS(0, 1);
    if (dk_tmplfuncs_want_int(args[2], &lim, err) < 0)
        return -1;
    if (compile(c, args, 0, &re, err) < 0)
        return -1;
    ncap = 2 * (dk_regex_ngroups(re) + 1);
    nm = dk_regex_find_all(re, S(1), L(1), lim, &m);
    *out = dk_val_list();
    for (i = 0; i < nm; i++)
        dk_val_list_push(*out,
                         dk_val_strn(S(1) + m[i * ncap], (size_t)(m[i * ncap + 1] - m[i * ncap])));
    free(m);
    dk_regex_free(re);
    return 0;
}

/* regexReplaceAll RE S REPL ($1, ${name} expanded) and regexReplaceAllLiteral RE S REPL. */
static int replace(struct dk_tmpl_call *c, struct dk_val **args, int literal, struct dk_val **out,
                   struct dk_err *err)
{
    struct dk_regex *re;
    struct dk_buf b = DK_BUF_INIT;

    STRARGS(0, 1, 2);
    if (compile(c, args, 0, &re, err) < 0)
        return -1;
    dk_regex_replace_all(re, &b, S(1), L(1), S(2), L(2), literal);
    dk_regex_free(re);
    *out = dk_tmplfuncs_buf_val(&b);
    return 0;
}

FN(f_regexReplaceAll)
{
    ARITY();
    return replace(c, args, 0, out, err);
}

FN(f_regexReplaceAllLiteral)
{
    ARITY();
    return replace(c, args, 1, out, err);
}

/* regexSplit RE S N: Go's Regexp.Split (N < 0: all pieces; 0: none). */
FN(f_regexSplit)
{
    struct dk_regex *re;
    size_t *p = NULL, np, i;
    int64_t lim;

    ARITY();
    STRARGS(0, 1);
    if (dk_tmplfuncs_want_int(args[2], &lim, err) < 0)
        return -1;
    if (compile(c, args, 0, &re, err) < 0)
        return -1;
    np = dk_regex_split(re, S(1), L(1), lim, &p);
    *out = dk_val_list();
    for (i = 0; i < np; i++)
        dk_val_list_push(*out, dk_val_strn(S(1) + p[2 * i], p[2 * i + 1] - p[2 * i]));
    free(p);
    dk_regex_free(re);
    return 0;
}

/* regexQuoteMeta S */
FN(f_regexQuoteMeta)
{
    struct dk_buf b = DK_BUF_INIT;

    ARITY();
    STRARGS(0);
    dk_regex_quote_meta(&b, S(0), L(0));
    *out = dk_tmplfuncs_buf_val(&b);
    return 0;
}

static const struct fdef regex_fdefs[] = {
    {"regexMatch", f_regexMatch, 2, 2},
    {"mustRegexMatch", f_regexMatch, 2, 2},
    {"regexFind", f_regexFind, 2, 2},
    {"mustRegexFind", f_regexFind, 2, 2},
    {"regexFindAll", f_regexFindAll, 3, 3},
    {"mustRegexFindAll", f_regexFindAll, 3, 3},
    {"regexReplaceAll", f_regexReplaceAll, 3, 3},
    {"mustRegexReplaceAll", f_regexReplaceAll, 3, 3},
    {"regexReplaceAllLiteral", f_regexReplaceAllLiteral, 3, 3},
    {"mustRegexReplaceAllLiteral", f_regexReplaceAllLiteral, 3, 3},
    {"regexSplit", f_regexSplit, 3, 3},
    {"mustRegexSplit", f_regexSplit, 3, 3},
    {"regexQuoteMeta", f_regexQuoteMeta, 1, 1},
};

void dk_tmplfuncs_register_regex(struct dk_tmpl *t)
{
    dk_tmplfuncs_add(t, regex_fdefs, sizeof(regex_fdefs) / sizeof(regex_fdefs[0]));
}
