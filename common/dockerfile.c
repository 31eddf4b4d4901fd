#include "dk/dockerfile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* JSON nesting deeper than this is treated as "not JSON" (shell form). */
#define JSON_DEPTH_MAX 512

static int is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n';
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char to_upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static char to_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Bytes of the UTF-8 sequence starting with c (1 for anything that does not start one). */
static size_t utf8_len(unsigned char c)
{
    if (c >= 0xf0 && c < 0xf8)
        return 4;
    if (c >= 0xe0)
        return c < 0xf0 ? 3 : 1;
    if (c >= 0xc0)
        return 2;
    return 1;
}

static size_t rune_len(const char *s, size_t n)
{
    size_t l = utf8_len((unsigned char)s[0]);

    return l <= n ? l : 1;
}

/* ---- variables ---- */

void dk_df_vars_init(struct dk_df_vars *vars)
{
    vars->v = NULL;
    vars->n = 0;
}

void dk_df_vars_set(struct dk_df_vars *vars, const char *name, const char *value)
{
    char *copy = dk_xstrdup(value);
    size_t i;

    for (i = 0; i < vars->n; i++) {
        if (!strcmp(vars->v[i].name, name)) {
            free(vars->v[i].value);
            vars->v[i].value = copy;
            return;
        }
    }
    vars->v = dk_xrealloc(vars->v, (vars->n + 1) * sizeof(*vars->v));
    vars->v[vars->n].name = dk_xstrdup(name);
    vars->v[vars->n].value = copy;
    vars->n++;
}

const char *dk_df_vars_get(const struct dk_df_vars *vars, const char *name)
{
    size_t i;

    if (!vars)
        return NULL;
    for (i = 0; i < vars->n; i++)
        if (!strcmp(vars->v[i].name, name))
            return vars->v[i].value;
    return NULL;
}

void dk_df_vars_release(struct dk_df_vars *vars)
{
    size_t i;

    for (i = 0; i < vars->n; i++) {
        free(vars->v[i].name);
        free(vars->v[i].value);
    }
    free(vars->v);
    dk_df_vars_init(vars);
}

/* ---- expansion ---- */

struct lex {
    const char *s;
    size_t i, n;
    const struct dk_df_vars *vars;
    char esc;
    int raw_escapes; /* keep escape characters in the output (patterns of ${v#p} and ${v/p/r}) */
    char msg[256];
};

__attribute__((format(printf, 2, 3))) static int lex_fail(struct lex *lx, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(lx->msg, sizeof(lx->msg), fmt, ap);
    va_end(ap);
    return -1;
}

static int lex_dollar(struct lex *lx, struct dk_buf *out);

static int lex_single(struct lex *lx, struct dk_buf *out)
{
    const char *end;

    lx->i++;
    end = memchr(lx->s + lx->i, '\'', lx->n - lx->i);
    if (!end)
        return lex_fail(lx, "unterminated single quote");
    dk_buf_addn(out, lx->s + lx->i, (size_t)(end - (lx->s + lx->i)));
    lx->i = (size_t)(end - lx->s) + 1;
    return 0;
}

static int lex_double(struct lex *lx, struct dk_buf *out)
{
    lx->i++;
    for (;;) {
        char c;

        if (lx->i >= lx->n)
            return lex_fail(lx, "unterminated double quote");
        c = lx->s[lx->i];
        if (c == '"') {
            lx->i++;
            return 0;
        }
        if (c == '$') {
            if (lex_dollar(lx, out) < 0)
                return -1;
            continue;
        }
        lx->i++;
        if (c == lx->esc) {
            if (lx->raw_escapes)
                dk_buf_addch(out, c);
            if (lx->i >= lx->n)
                continue; /* reported as unterminated on the next turn */
            /* inside double quotes the escape only protects ", $ and itself */
            if (lx->s[lx->i] == '"' || lx->s[lx->i] == '$' || lx->s[lx->i] == lx->esc)
                c = lx->s[lx->i++];
        }
        dk_buf_addch(out, c);
    }
}

/* Processes until stop (consumed) or, with stop < 0, to the end. */
static int lex_until(struct lex *lx, int stop, int raw_escapes, struct dk_buf *out)
{
    int saved = lx->raw_escapes, rc = 0;

    lx->raw_escapes = raw_escapes;
    while (lx->i < lx->n) {
        char c = lx->s[lx->i];

        if (stop >= 0 && c == stop) {
            lx->i++;
            goto out;
        }
        if (c == '$' || c == '\'' || c == '"') {
            rc = c == '$'    ? lex_dollar(lx, out)
                 : c == '\'' ? lex_single(lx, out)
                             : lex_double(lx, out);
            if (rc < 0)
                goto out;
            continue;
        }
        lx->i++;
        if (c == lx->esc) {
            if (lx->raw_escapes)
                dk_buf_addch(out, c);
            if (lx->i >= lx->n)
                break; /* an escape at the very end is dropped */
            c = lx->s[lx->i++];
        }
        dk_buf_addch(out, c);
    }
    if (stop >= 0)
        rc = lex_fail(lx, stop == '}' ? "missing '}'" : "missing '/' in ${...}");
out:
    lx->raw_escapes = saved;
    return rc;
}

static int is_special_param(char c)
{
    return c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' || c == '!' ||
           c == '0';
}

/* Reads a variable name: digits (a positional parameter), one special parameter, or letters,
 * digits and '_' (bytes of multi-byte characters count as letters). */
static void lex_name(struct lex *lx, struct dk_buf *name)
{
    const char *s = lx->s;

    if (lx->i < lx->n && is_digit(s[lx->i])) {
        while (lx->i < lx->n && is_digit(s[lx->i]))
            dk_buf_addch(name, s[lx->i++]);
        return;
    }
    if (lx->i < lx->n && is_special_param(s[lx->i])) {
        dk_buf_addch(name, s[lx->i++]);
        return;
    }
    while (lx->i < lx->n) {
        unsigned char c = (unsigned char)s[lx->i];

        if (!is_alpha(c) && !is_digit(c) && c != '_' && c < 0x80)
            break;
        dk_buf_addch(name, (char)c);
        lx->i++;
    }
}

/*
 * Shell patterns of ${v#p}, ${v%p} and ${v/p/r}: '*' any run of characters, '?' one character,
 * backslash protects * ? and itself; "\}" and "\/" are the characters themselves. Compiled to
 * ints: -1 star, -2 any, else a byte.
 */
struct spat {
    int *t;
    size_t n;
};

static int spat_compile(const char *p, struct spat *sp, char *msg, size_t msgsz)
{
    size_t i, n = strlen(p);

    sp->t = dk_xmalloc((n + 1) * sizeof(int));
    sp->n = 0;
    for (i = 0; i < n; i++) {
        if (p[i] == '*') {
            sp->t[sp->n++] = -1;
        } else if (p[i] == '?') {
            sp->t[sp->n++] = -2;
        } else if (p[i] == '\\') {
            if (i + 1 < n && (p[i + 1] == '}' || p[i + 1] == '/'))
                continue;
            if (i + 1 >= n || (p[i + 1] != '*' && p[i + 1] != '?' && p[i + 1] != '\\')) {
                snprintf(msg, msgsz, "invalid escape in pattern '%.64s'", p);
                free(sp->t);
                sp->t = NULL;
                return -1;
            }
            sp->t[sp->n++] = (unsigned char)p[++i];
        } else {
            sp->t[sp->n++] = (unsigned char)p[i];
        }
    }
    return 0;
}

/* 1 when s[0..n) matches the whole pattern. Backtracks to the last star only, so it is
 * O(n * pattern) at worst. */
static int spat_match(const struct spat *sp, const char *s, size_t n)
{
    size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;

    while (si < n) {
        if (pi < sp->n && sp->t[pi] == -1) {
            star_p = pi++;
            star_s = si;
        } else if (pi < sp->n && sp->t[pi] == -2) {
            pi++;
            si += rune_len(s + si, n - si);
        } else if (pi < sp->n && sp->t[pi] == (unsigned char)s[si]) {
            pi++;
            si++;
        } else if (star_p != (size_t)-1) {
            pi = star_p + 1;
            star_s += rune_len(s + star_s, n - star_s);
            si = star_s;
        } else {
            return 0;
        }
    }
    while (pi < sp->n && sp->t[pi] == -1)
        pi++;
    return pi == sp->n;
}

/* ${v#p} ${v##p} ${v%p} ${v%%p} */
static void trim_value(const struct spat *sp, const char *v, int suffix, int greedy,
                       struct dk_buf *out)
{
    size_t n = strlen(v), l;

    if (!suffix) {
        for (l = 0; l <= n; l++) {
            size_t k = greedy ? n - l : l;

            if (spat_match(sp, v, k)) {
                dk_buf_add(out, v + k);
                return;
            }
        }
    } else {
        for (l = 0; l <= n; l++) {
            size_t k = greedy ? l : n - l; /* start of the suffix */

            if (spat_match(sp, v + k, n - k)) {
                dk_buf_addn(out, v, k);
                return;
            }
        }
    }
    dk_buf_add(out, v);
}

/* The longest match of sp starting at v + i, or -1. */
static long longest_at(const struct spat *sp, const char *v, size_t n, size_t i)
{
    size_t l;

    for (l = n - i + 1; l-- > 0;)
        if (spat_match(sp, v + i, l))
            return (long)l;
    return -1;
}

/* ${v/p/r} and ${v//p/r}: leftmost, longest matches; with all, an empty match right after
 * the previous match is skipped, as Go's regexp does. */
static void replace_value(const struct spat *sp, const char *v, const char *repl, int all,
                          struct dk_buf *out)
{
    size_t n = strlen(v), i = 0;
    long prev_end = -1;
    int done = 0;

    while (i <= n) {
        long l = done ? -1 : longest_at(sp, v, n, i);

        if (l >= 0 && !(l == 0 && prev_end == (long)i)) {
            dk_buf_add(out, repl);
            prev_end = (long)(i + (size_t)l);
            if (!all)
                done = 1;
            if (l > 0) {
                i += (size_t)l;
                continue;
            }
        }
        if (i == n)
            break;
        {
            size_t k = rune_len(v + i, n - i);

            dk_buf_addn(out, v + i, k);
            i += k;
        }
    }
}

static int lex_dollar(struct lex *lx, struct dk_buf *out)
{
    struct dk_buf name = DK_BUF_INIT, word = DK_BUF_INIT, repl = DK_BUF_INIT;
    const char *value;
    int rc = -1, null_unset = 0;
    char c;

    lx->i++; /* '$' */
    if (lx->i >= lx->n || lx->s[lx->i] != '{') {
        lex_name(lx, &name);
        if (!name.len)
            dk_buf_addch(out, '$');
        else if ((value = dk_df_vars_get(lx->vars, name.buf)))
            dk_buf_add(out, value);
        rc = 0;
        goto out;
    }
    lx->i++; /* '{' */
    if (lx->i >= lx->n) {
        lex_fail(lx, "missing '}'");
        goto out;
    }
    if (lx->s[lx->i] == '{' || lx->s[lx->i] == '}' || lx->s[lx->i] == ':') {
        lex_fail(lx, "bad substitution");
        goto out;
    }
    lex_name(lx, &name);
    if (lx->i >= lx->n) {
        lex_fail(lx, "missing '}'");
        goto out;
    }
    c = lx->s[lx->i++];
    value = dk_df_vars_get(lx->vars, name.buf);
    if (c == '}') {
        if (value)
            dk_buf_add(out, value);
        rc = 0;
        goto out;
    }
    if (c == '/') {
        struct spat sp;
        int all = lx->i < lx->n && lx->s[lx->i] == '/';

        if (all)
            lx->i++;
        if (lex_until(lx, '/', 1, &word) < 0 || lex_until(lx, '}', 1, &repl) < 0)
            goto out;
        if (spat_compile(word.buf, &sp, lx->msg, sizeof(lx->msg)) < 0)
            goto out;
        replace_value(&sp, value ? value : "", repl.buf, all, out);
        free(sp.t);
        rc = 0;
        goto out;
    }
    if (c == ':') {
        null_unset = 1;
        if (lx->i >= lx->n) {
            lex_fail(lx, "missing '}'");
            goto out;
        }
        c = lx->s[lx->i++];
    }
    if (lex_until(lx, '}', c == '#' || c == '%', &word) < 0)
        goto out;
    switch (c) {
    case '-':
        dk_buf_add(out, !value || (null_unset && !*value) ? word.buf : value);
        break;
    case '+':
        if (value && !(null_unset && !*value))
            dk_buf_add(out, word.buf);
        break;
    case '?':
        if (!value || (null_unset && !*value)) {
            lex_fail(lx, "%.64s: %.128s", name.buf,
                     word.len ? word.buf
                     : value  ? "is not allowed to be empty"
                              : "is not allowed to be unset");
            goto out;
        }
        dk_buf_add(out, value);
        break;
    case '#':
    case '%': {
        struct spat sp;
        int greedy = word.len && word.buf[0] == c;

        if (spat_compile(word.buf + greedy, &sp, lx->msg, sizeof(lx->msg)) < 0)
            goto out;
        trim_value(&sp, value ? value : "", c == '%', greedy, out);
        free(sp.t);
        break;
    }
    default:
        lex_fail(lx, "unsupported modifier '%s%c' in substitution", null_unset ? ":" : "", c);
        goto out;
    }
    rc = 0;
out:
    dk_buf_release(&name);
    dk_buf_release(&word);
    dk_buf_release(&repl);
    return rc;
}

int dk_df_expand(const char *word, const struct dk_df_vars *vars, char escape, struct dk_buf *out,
                 struct dk_err *err)
{
    struct lex lx;
    size_t start = out->len;

    memset(&lx, 0, sizeof(lx));
    lx.s = word;
    lx.n = strlen(word);
    lx.vars = vars;
    lx.esc = escape ? escape : '\\';
    if (lex_until(&lx, -1, 0, out) < 0) {
        dk_buf_setlen(out, start);
        return dk_err_set(err, DK_E_INPUT, "cannot expand '%.200s': %s", word, lx.msg);
    }
    return 0;
}

void dk_df_split_words(const char *text, char escape, struct dk_strvec *out)
{
    enum { SPACES, WORD, QUOTE } phase = SPACES;
    struct dk_buf w = DK_BUF_INIT;
    size_t i, n = strlen(text);
    int blank_ok = 0;
    char quote = 0;

    if (!escape)
        escape = '\\';
    for (i = 0; i <= n; i++) {
        char c = i < n ? text[i] : '\0';

        if (phase == SPACES) {
            if (i == n)
                break;
            if (is_blank(c))
                continue;
            phase = WORD;
        }
        if (i == n) {
            if (blank_ok || w.len)
                dk_strvec_push(out, w.buf);
            break;
        }
        if (phase == WORD) {
            if (is_blank(c)) {
                phase = SPACES;
                if (blank_ok || w.len)
                    dk_strvec_push(out, w.buf);
                dk_buf_reset(&w);
                blank_ok = 0;
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                blank_ok = 1;
                phase = QUOTE;
            }
            if (c == escape) {
                if (i + 1 == n)
                    continue; /* an escape at the end is dropped */
                dk_buf_addch(&w, c);
                c = text[++i];
            }
            dk_buf_addch(&w, c);
            continue;
        }
        /* QUOTE */
        if (c == quote)
            phase = WORD;
        if (c == escape && quote != '\'') {
            if (i + 1 == n) {
                phase = WORD;
                continue;
            }
            dk_buf_addch(&w, c);
            c = text[++i];
        }
        dk_buf_addch(&w, c);
    }
    dk_buf_release(&w);
}

/* ---- JSON arrays (exec form) ---- */

struct json {
    const char *s;
    size_t i, n;
};

static void json_ws(struct json *j)
{
    while (j->i < j->n &&
           (j->s[j->i] == ' ' || j->s[j->i] == '\t' || j->s[j->i] == '\n' || j->s[j->i] == '\r'))
        j->i++;
}

static int hex4(const char *s, unsigned *v)
{
    int k;

    *v = 0;
    for (k = 0; k < 4; k++) {
        char c = s[k];

        *v <<= 4;
        if (c >= '0' && c <= '9')
            *v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            *v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            *v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    return 0;
}

static void put_utf8(struct dk_buf *b, unsigned cp)
{
    if (cp < 0x80) {
        dk_buf_addch(b, (char)cp);
    } else if (cp < 0x800) {
        dk_buf_addch(b, (char)(0xc0 | (cp >> 6)));
        dk_buf_addch(b, (char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        dk_buf_addch(b, (char)(0xe0 | (cp >> 12)));
        dk_buf_addch(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        dk_buf_addch(b, (char)(0x80 | (cp & 0x3f)));
    } else {
        dk_buf_addch(b, (char)(0xf0 | (cp >> 18)));
        dk_buf_addch(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
        dk_buf_addch(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        dk_buf_addch(b, (char)(0x80 | (cp & 0x3f)));
    }
}

/* A JSON string at j->i, decoded into out (when not NULL). \u0000 counts as invalid: the
 * strings become C strings. */
static int json_string(struct json *j, struct dk_buf *out)
{
    if (j->i >= j->n || j->s[j->i] != '"')
        return -1;
    j->i++;
    while (j->i < j->n) {
        unsigned char c = (unsigned char)j->s[j->i++];
        unsigned cp, lo;

        if (c == '"')
            return 0;
        if (c < 0x20)
            return -1;
        if (c != '\\') {
            if (out)
                dk_buf_addch(out, (char)c);
            continue;
        }
        if (j->i >= j->n)
            return -1;
        c = (unsigned char)j->s[j->i++];
        switch (c) {
        case '"':
        case '\\':
        case '/':
            break;
        case 'b':
            c = '\b';
            break;
        case 'f':
            c = '\f';
            break;
        case 'n':
            c = '\n';
            break;
        case 'r':
            c = '\r';
            break;
        case 't':
            c = '\t';
            break;
        case 'u':
            if (j->n - j->i < 4 || hex4(j->s + j->i, &cp) < 0 || cp == 0)
                return -1;
            j->i += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && j->n - j->i >= 6 && j->s[j->i] == '\\' &&
                j->s[j->i + 1] == 'u' && hex4(j->s + j->i + 2, &lo) == 0 && lo >= 0xdc00 &&
                lo < 0xe000) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                j->i += 6;
            } else if (cp >= 0xd800 && cp < 0xe000) {
                cp = 0xfffd; /* a lone surrogate, as Go decodes it */
            }
            if (out)
                put_utf8(out, cp);
            continue;
        default:
            return -1;
        }
        if (out)
            dk_buf_addch(out, (char)c);
    }
    return -1;
}

static int json_value(struct json *j, int depth);

static int json_number(struct json *j)
{
    size_t start;

    if (j->s[j->i] == '-')
        j->i++;
    if (j->i >= j->n || !is_digit(j->s[j->i]))
        return -1;
    if (j->s[j->i] == '0')
        j->i++;
    else
        while (j->i < j->n && is_digit(j->s[j->i]))
            j->i++;
    if (j->i < j->n && j->s[j->i] == '.') {
        start = ++j->i;
        while (j->i < j->n && is_digit(j->s[j->i]))
            j->i++;
        if (j->i == start)
            return -1;
    }
    if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
        j->i++;
        if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
            j->i++;
        start = j->i;
        while (j->i < j->n && is_digit(j->s[j->i]))
            j->i++;
        if (j->i == start)
            return -1;
    }
    return 0;
}

/* Skips one JSON value, checking it. */
static int json_value(struct json *j, int depth)
{
    static const char *const lits[] = {"true", "false", "null"};
    size_t k;
    char c;

    if (depth > JSON_DEPTH_MAX || j->i >= j->n)
        return -1;
    c = j->s[j->i];
    if (c == '"')
        return json_string(j, NULL);
    if (c == '-' || is_digit(c))
        return json_number(j);
    if (c == '[' || c == '{') {
        char close = c == '[' ? ']' : '}';

        j->i++;
        json_ws(j);
        if (j->i < j->n && j->s[j->i] == close) {
            j->i++;
            return 0;
        }
        for (;;) {
            if (c == '{') {
                if (json_string(j, NULL) < 0)
                    return -1;
                json_ws(j);
                if (j->i >= j->n || j->s[j->i] != ':')
                    return -1;
                j->i++;
                json_ws(j);
            }
            if (json_value(j, depth + 1) < 0)
                return -1;
            json_ws(j);
            if (j->i >= j->n)
                return -1;
            if (j->s[j->i] == close) {
                j->i++;
                return 0;
            }
            if (j->s[j->i] != ',')
                return -1;
            j->i++;
            json_ws(j);
        }
    }
    for (k = 0; k < sizeof(lits) / sizeof(*lits); k++) {
        size_t l = strlen(lits[k]);

        if (j->n - j->i >= l && !memcmp(j->s + j->i, lits[k], l)) {
            j->i += l;
            return 0;
        }
    }
    return -1;
}

/* Docker's exec form: 1 when text is a JSON array of strings (into out; what follows the array
 * is ignored, as Go's decoder does), 0 when it is not JSON (shell form), -1 when it is a valid
 * array holding something other than a string. */
static int json_array(const char *text, struct dk_strvec *out)
{
    struct json j = {text, 0, strlen(text)};
    struct dk_strvec got = DK_STRVEC_INIT;
    struct dk_buf b = DK_BUF_INIT;
    size_t i;
    int nonstring = 0;

    json_ws(&j);
    if (j.i >= j.n || j.s[j.i] != '[')
        return 0;
    j.i++;
    json_ws(&j);
    if (j.i < j.n && j.s[j.i] == ']')
        return 1;
    for (;;) {
        if (j.i < j.n && j.s[j.i] == '"') {
            dk_buf_reset(&b);
            if (json_string(&j, &b) < 0)
                goto bad;
            dk_strvec_push(&got, b.buf);
        } else {
            if (json_value(&j, 1) < 0)
                goto bad;
            nonstring = 1;
        }
        json_ws(&j);
        if (j.i < j.n && j.s[j.i] == ']')
            break;
        if (j.i >= j.n || j.s[j.i] != ',')
            goto bad;
        j.i++;
        json_ws(&j);
    }
    dk_buf_release(&b);
    if (nonstring) {
        dk_strvec_release(&got);
        return -1;
    }
    for (i = 0; i < got.n; i++)
        dk_strvec_push_owned(out, got.v[i]);
    free(got.v);
    return 1;
bad:
    dk_buf_release(&b);
    dk_strvec_release(&got);
    return 0;
}

/* ---- the parser ---- */

struct parser {
    const char *path;
    const char *p, *end; /* the text not yet read */
    int lineno;          /* lines read so far */
    char esc;
    struct dk_err *err;
};

__attribute__((format(printf, 3, 4))) static int perr(struct parser *ps, int line, const char *fmt,
                                                      ...)
{
    char msg[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (line > 0)
        return dk_err_set(ps->err, DK_E_INPUT, "%s:%d: %s", ps->path, line, msg);
    return dk_err_set(ps->err, DK_E_INPUT, "%s: %s", ps->path, msg);
}

/* The next line: *s and *n without the newline and trailing carriage returns, *raw_n with the
 * newline. 0 at the end of the text. */
static int next_line(struct parser *ps, const char **s, size_t *n, size_t *raw_n)
{
    const char *nl;

    if (ps->p >= ps->end)
        return 0;
    *s = ps->p;
    nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));
    *raw_n = nl ? (size_t)(nl - ps->p) + 1 : (size_t)(ps->end - ps->p);
    *n = nl ? (size_t)(nl - ps->p) : *raw_n;
    ps->p += *raw_n;
    while (*n && (*s)[*n - 1] == '\r')
        (*n)--;
    ps->lineno++;
    return 1;
}

static void skip_blanks(const char **s, size_t *n)
{
    while (*n && is_blank(**s)) {
        (*s)++;
        (*n)--;
    }
}

/* Go's regexp \s: no vertical tab. */
static int is_re_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* Matches `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`. */
static int directive(const char *s, size_t n, char *key, size_t keysz, const char **val,
                     size_t *vlen)
{
    size_t i = 1, k = 0, v;

    if (!n || s[0] != '#')
        return 0;
    while (i < n && is_re_space(s[i]))
        i++;
    if (i >= n || !is_alpha(s[i]))
        return 0;
    while (i < n && (is_alpha(s[i]) || is_digit(s[i]))) {
        if (k + 1 < keysz)
            key[k++] = to_lower(s[i]);
        i++;
    }
    key[k] = '\0';
    while (i < n && is_re_space(s[i]))
        i++;
    if (i >= n || s[i] != '=')
        return 0;
    i++;
    if (i >= n)
        return 0;
    v = i;
    while (v < n && is_re_space(s[v]))
        v++;
    if (v == n)
        v = n - 1; /* all blank: the lazy group still takes the last character */
    while (n > v + 1 && is_re_space(s[n - 1]))
        n--;
    *val = s + v;
    *vlen = n - v;
    return 1;
}

/* The continuation rule: the escape character, then only blanks, not preceded by another
 * escape character. Cuts the escape off *n and returns 1 when the line continues. */
static int continues(const char *s, size_t *n, char esc)
{
    size_t e = *n;

    while (e && (s[e - 1] == ' ' || s[e - 1] == '\t'))
        e--;
    if (!e || s[e - 1] != esc)
        return 0;
    if (e >= 2 && s[e - 2] == esc)
        return 0;
    *n = e - 1;
    return 1;
}

static char **steal(struct dk_strvec *sv, size_t *n)
{
    char **v = sv->v;

    *n = sv->n;
    sv->v = NULL;
    sv->n = 0;
    return v;
}

static void instr_release(struct dk_df_instr *in)
{
    size_t i;

    if (!in)
        return;
    free(in->cmd);
    free(in->original);
    for (i = 0; i < in->nflags; i++)
        free(in->flags[i]);
    free(in->flags);
    for (i = 0; i < in->nargs; i++)
        free(in->args[i]);
    free(in->args);
    for (i = 0; i < in->nheredocs; i++) {
        free(in->heredocs[i].name);
        free(in->heredocs[i].body);
    }
    free(in->heredocs);
    if (in->onbuild) {
        instr_release(in->onbuild);
        free(in->onbuild);
    }
    memset(in, 0, sizeof(*in));
}

/* Docker's builder flags: the leading words starting with "--" (quotes removed, backslash
 * protects the next character); a bare "--" ends them. Returns where the rest begins. */
static const char *extract_flags(const char *s, struct dk_strvec *flags)
{
    struct dk_buf w = DK_BUF_INIT;

    for (;;) {
        char quote = 0;
        int blank_ok = 0;

        while (*s && is_blank(*s))
            s++;
        if (s[0] != '-' || s[1] != '-')
            break;
        dk_buf_reset(&w);
        while (*s && (quote || !is_blank(*s))) {
            char c = *s++;

            if (!quote && (c == '\'' || c == '"')) {
                quote = c;
                blank_ok = 1;
                continue;
            }
            if (quote && c == quote) {
                quote = 0;
                continue;
            }
            if (c == '\\') {
                if (!*s)
                    continue;
                c = *s++;
            }
            dk_buf_addch(&w, c);
        }
        if (!strcmp(w.buf, "--") && !quote)
            break;
        if (blank_ok || w.len)
            dk_strvec_push(flags, w.buf);
    }
    dk_buf_release(&w);
    return s;
}

/* Splits at runs of blanks (Docker's [\t\v\f\r ]+). */
static void split_blanks(const char *s, struct dk_strvec *out)
{
    while (*s) {
        const char *e;

        while (*s && is_blank(*s))
            s++;
        if (!*s)
            break;
        for (e = s; *e && !is_blank(*e); e++)
            ;
        dk_strvec_push_owned(out, dk_xstrndup(s, (size_t)(e - s)));
        s = e;
    }
}

enum argform {
    A_SPLIT,     /* FROM EXPOSE */
    A_JSON_LIST, /* ADD COPY VOLUME */
    A_JSON_RAW,  /* RUN CMD ENTRYPOINT SHELL */
    A_WORDS,     /* ARG */
    A_KV,        /* ENV LABEL */
    A_RAW,       /* MAINTAINER USER WORKDIR STOPSIGNAL */
    A_HEALTH,    /* HEALTHCHECK */
    A_SUB,       /* ONBUILD */
};

static const struct {
    const char *name;
    enum argform form;
} instructions[] = {
    {"ADD", A_JSON_LIST},       {"ARG", A_WORDS},      {"CMD", A_JSON_RAW},   {"COPY", A_JSON_LIST},
    {"ENTRYPOINT", A_JSON_RAW}, {"ENV", A_KV},         {"EXPOSE", A_SPLIT},   {"FROM", A_SPLIT},
    {"HEALTHCHECK", A_HEALTH},  {"LABEL", A_KV},       {"MAINTAINER", A_RAW}, {"ONBUILD", A_SUB},
    {"RUN", A_JSON_RAW},        {"SHELL", A_JSON_RAW}, {"STOPSIGNAL", A_RAW}, {"USER", A_RAW},
    {"VOLUME", A_JSON_LIST},    {"WORKDIR", A_RAW},
};

static int parse_instr(struct parser *ps, const char *text, int line, int depth,
                       struct dk_df_instr *in);

static int parse_json_or(struct parser *ps, struct dk_df_instr *in, const char *rest, int split,
                         struct dk_strvec *args)
{
    int j = json_array(rest, args);

    if (j < 0)
        return perr(ps, in->line, "%s: a JSON array (exec form) must hold strings only", in->cmd);
    if (j > 0) {
        in->json = 1;
        return 0;
    }
    if (split)
        split_blanks(rest, args);
    else if (*rest)
        dk_strvec_push(args, rest);
    return 0;
}

/* ENV and LABEL: name=value words, or the old "NAME value" form. */
static int parse_kv(struct parser *ps, struct dk_df_instr *in, const char *rest,
                    struct dk_strvec *args)
{
    struct dk_strvec words = DK_STRVEC_INIT;
    size_t i;
    int rc = 0;

    dk_df_split_words(rest, ps->esc, &words);
    if (!words.n) {
        rc = perr(ps, in->line, "%s requires at least one argument", in->cmd);
    } else if (!strchr(words.v[0], '=')) {
        const char *e = rest;

        while (*e && !is_blank(*e))
            e++;
        dk_strvec_push_owned(args, dk_xstrndup(rest, (size_t)(e - rest)));
        while (*e && is_blank(*e))
            e++;
        if (!*e)
            rc = perr(ps, in->line, "%s '%.64s' has no value (use %s name=value)", in->cmd,
                      args->v[0], in->cmd);
        else
            dk_strvec_push(args, e);
    } else {
        for (i = 0; i < words.n && !rc; i++) {
            char *eq = strchr(words.v[i], '=');

            if (!eq)
                rc = perr(ps, in->line, "%s: no '=' in '%.64s' (must be name=value)", in->cmd,
                          words.v[i]);
            else if (eq == words.v[i])
                rc = perr(ps, in->line, "%s: blank name in '%.64s'", in->cmd, words.v[i]);
            else {
                dk_strvec_push_owned(args, dk_xstrndup(words.v[i], (size_t)(eq - words.v[i])));
                dk_strvec_push(args, eq + 1);
            }
        }
    }
    dk_strvec_release(&words);
    return rc;
}

static int parse_onbuild(struct parser *ps, struct dk_df_instr *in, const char *rest, int depth,
                         struct dk_strvec *args)
{
    char trigger[16];
    size_t k = 0;
    const char *s = rest;

    if (!*rest)
        return perr(ps, in->line, "ONBUILD requires an instruction");
    while (*s && !is_blank(*s) && k + 1 < sizeof(trigger))
        trigger[k++] = to_upper(*s++);
    trigger[k] = '\0';
    if (!*s || is_blank(*s)) {
        if (!strcmp(trigger, "ONBUILD"))
            return perr(ps, in->line, "chaining ONBUILD via ONBUILD ONBUILD is not allowed");
        if (!strcmp(trigger, "FROM") || !strcmp(trigger, "MAINTAINER"))
            return perr(ps, in->line, "%s is not allowed as an ONBUILD trigger", trigger);
    }
    dk_strvec_push(args, rest);
    in->onbuild = dk_xcalloc(1, sizeof(*in->onbuild));
    return parse_instr(ps, rest, in->line, depth + 1, in->onbuild);
}

static int check_args(struct parser *ps, struct dk_df_instr *in, enum argform form)
{
    const char *c = in->cmd;

    if ((!strcmp(c, "COPY") || !strcmp(c, "ADD")) && in->nargs < 2)
        return perr(ps, in->line, "%s requires at least two arguments (sources and destination)",
                    c);
    if ((form == A_RAW || !strcmp(c, "EXPOSE") || !strcmp(c, "VOLUME") || !strcmp(c, "ARG") ||
         !strcmp(c, "HEALTHCHECK")) &&
        !in->nargs)
        return perr(ps, in->line, "%s requires an argument", c);
    if (!strcmp(c, "SHELL") && !in->json)
        return perr(ps, in->line, "SHELL requires the exec form (a JSON array)");
    if (!strcmp(c, "HEALTHCHECK")) {
        if (!strcasecmp(in->args[0], "NONE")) {
            if (in->nargs > 1)
                return perr(ps, in->line, "HEALTHCHECK NONE takes no arguments");
        } else if (strcasecmp(in->args[0], "CMD")) {
            return perr(ps, in->line, "unknown HEALTHCHECK type '%.32s' (use CMD or NONE)",
                        in->args[0]);
        } else if (in->nargs < 2) {
            return perr(ps, in->line, "HEALTHCHECK CMD requires a command");
        }
    }
    return 0;
}

/* One instruction from its joined text. */
static int parse_instr(struct parser *ps, const char *text, int line, int depth,
                       struct dk_df_instr *in)
{
    struct dk_strvec flags = DK_STRVEC_INIT, args = DK_STRVEC_INIT;
    struct dk_buf cmd = DK_BUF_INIT, rest = DK_BUF_INIT;
    enum argform form = A_RAW;
    const char *s = text, *r, *name;
    size_t i;
    int rc = -1, found = 0;

    memset(in, 0, sizeof(*in));
    in->line = in->end_line = line;
    in->original = dk_xstrdup(text);
    while (*s && is_blank(*s))
        s++;
    name = s;
    while (*s && !is_blank(*s))
        dk_buf_addch(&cmd, to_upper(*s++));
    in->cmd = dk_xstrdup(cmd.buf);
    for (i = 0; i < sizeof(instructions) / sizeof(*instructions); i++) {
        if (!strcmp(cmd.buf, instructions[i].name)) {
            form = instructions[i].form;
            found = 1;
        }
    }
    if (!found) {
        perr(ps, line, "unknown instruction '%.*s'", (int)(cmd.len > 64 ? 64 : cmd.len), name);
        goto out;
    }
    r = extract_flags(s, &flags);
    while (*r && is_blank(*r))
        r++;
    dk_buf_add(&rest, r);
    while (rest.len && is_blank(rest.buf[rest.len - 1]))
        dk_buf_setlen(&rest, rest.len - 1);

    switch (form) {
    case A_SPLIT:
        split_blanks(rest.buf, &args);
        break;
    case A_JSON_LIST:
    case A_JSON_RAW:
        if (parse_json_or(ps, in, rest.buf, form == A_JSON_LIST, &args) < 0)
            goto out;
        break;
    case A_WORDS:
        dk_df_split_words(rest.buf, ps->esc, &args);
        break;
    case A_KV:
        if (parse_kv(ps, in, rest.buf, &args) < 0)
            goto out;
        break;
    case A_RAW:
        if (rest.len)
            dk_strvec_push(&args, rest.buf);
        break;
    case A_HEALTH: {
        const char *t = rest.buf, *e;

        for (e = t; *e && !is_blank(*e); e++)
            ;
        if (e > t) {
            dk_strvec_push_owned(&args, dk_xstrndup(t, (size_t)(e - t)));
            while (*e && is_blank(*e))
                e++;
            if (parse_json_or(ps, in, e, 0, &args) < 0)
                goto out;
        }
        break;
    }
    case A_SUB:
        if (depth > 0) {
            perr(ps, line, "chaining ONBUILD via ONBUILD ONBUILD is not allowed");
            goto out;
        }
        if (parse_onbuild(ps, in, rest.buf, depth, &args) < 0)
            goto out;
        break;
    }
    in->flags = steal(&flags, &in->nflags);
    in->args = steal(&args, &in->nargs);
    rc = check_args(ps, in, form);
out:
    dk_strvec_release(&flags);
    dk_strvec_release(&args);
    dk_buf_release(&cmd);
    dk_buf_release(&rest);
    return rc;
}

/* A word of the form [digits]<<[-]name, name without '<' (Docker's heredoc syntax). */
static int heredoc_word(const char *w, struct dk_df_heredoc *h)
{
    struct dk_buf name = DK_BUF_INIT;
    const char *p = w, *rest;
    int fd = 0, raw_quotes = 0, name_quotes = 0;
    char quote = 0;

    while (is_digit(*p)) {
        if (fd < 100000)
            fd = fd * 10 + (*p - '0');
        p++;
    }
    if (p[0] != '<' || p[1] != '<')
        return 0;
    p += 2;
    h->chomp = *p == '-';
    if (h->chomp)
        p++;
    rest = p;
    if (!*rest || strchr(rest, '<'))
        return 0;
    /* the name is the word unquoted; quotes anywhere in it turn expansion off */
    for (p = rest; *p; p++) {
        char c = *p;

        if (c == '\'' || c == '"')
            raw_quotes++;
        if (quote) {
            if (c == quote) {
                quote = 0;
                continue;
            }
            if (c == '\\' && quote == '"' && p[1] && (p[1] == '"' || p[1] == '$' || p[1] == '\\'))
                c = *++p;
        } else if (c == '\'' || c == '"') {
            quote = c;
            continue;
        } else if (c == '\\') {
            if (!p[1])
                break;
            c = *++p;
        }
        if (c == '\'' || c == '"')
            name_quotes++;
        dk_buf_addch(&name, c);
    }
    if (quote || !name.len) {
        dk_buf_release(&name);
        return 0;
    }
    h->name = dk_buf_detach(&name, NULL);
    h->expand = raw_quotes == name_quotes;
    h->fd = fd;
    return 1;
}

/* The heredocs an instruction line asks for: its words split as a shell would (quotes and
 * escapes kept), each checked for <<NAME. An unbalanced quote means none, as in BuildKit. */
static void heredocs_of(const char *line, struct dk_df_heredoc **hs, size_t *n)
{
    struct dk_strvec words = DK_STRVEC_INIT;
    struct dk_buf w = DK_BUF_INIT;
    const char *p = line;
    char quote = 0;
    size_t i;

    for (;;) {
        char c = *p;

        if (!c || (!quote && is_blank(c))) {
            if (w.len)
                dk_strvec_push(&words, w.buf);
            dk_buf_reset(&w);
            if (!c)
                break;
            p++;
            continue;
        }
        p++;
        if (quote) {
            if (c == quote) {
                quote = 0;
            } else if (c == '\\' && quote == '"' && *p) {
                dk_buf_addch(&w, c);
                c = *p++;
            }
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '\\' && *p) {
            dk_buf_addch(&w, c);
            c = *p++;
        }
        dk_buf_addch(&w, c);
    }
    if (!quote) {
        for (i = 0; i < words.n; i++) {
            struct dk_df_heredoc h;

            memset(&h, 0, sizeof(h));
            if (heredoc_word(words.v[i], &h)) {
                *hs = dk_xrealloc(*hs, (*n + 1) * sizeof(**hs));
                (*hs)[(*n)++] = h;
            }
        }
    }
    dk_strvec_release(&words);
    dk_buf_release(&w);
}

static void strip_leading_tabs(struct dk_buf *b)
{
    size_t r = 0, w = 0;
    int bol = 1;

    for (r = 0; r < b->len; r++) {
        char c = b->buf[r];

        if (bol && c == '\t')
            continue;
        bol = c == '\n';
        b->buf[w++] = c;
    }
    dk_buf_setlen(b, w);
}

static int read_heredocs(struct parser *ps, struct dk_df_instr *outer, struct dk_df_instr *in)
{
    size_t i;

    heredocs_of(outer->original, &in->heredocs, &in->nheredocs);
    for (i = 0; i < in->nheredocs; i++) {
        struct dk_df_heredoc *h = &in->heredocs[i];
        struct dk_buf body = DK_BUF_INIT;
        const char *s;
        size_t n, raw_n;
        int done = 0;

        while (!done && next_line(ps, &s, &n, &raw_n)) {
            const char *t = s;
            size_t tn = n;

            if (h->chomp)
                while (tn && *t == '\t') {
                    t++;
                    tn--;
                }
            if (tn == strlen(h->name) && !memcmp(t, h->name, tn))
                done = 1;
            else
                dk_buf_addn(&body, s, raw_n);
        }
        if (!done) {
            dk_buf_release(&body);
            return perr(ps, outer->line, "unterminated heredoc '%.64s'", h->name);
        }
        if (h->chomp)
            strip_leading_tabs(&body);
        h->body = dk_buf_detach(&body, NULL);
    }
    if (in->nheredocs) {
        in->heredoc_name = in->heredocs[0].name;
        in->heredoc_body = in->heredocs[0].body;
    }
    outer->end_line = ps->lineno;
    if (in != outer)
        in->end_line = ps->lineno;
    return 0;
}

static int can_have_heredocs(const struct dk_df_instr *in)
{
    return !in->json &&
           (!strcmp(in->cmd, "RUN") || !strcmp(in->cmd, "COPY") || !strcmp(in->cmd, "ADD"));
}

static int is_heredoc_arg(const char *a)
{
    struct dk_df_heredoc h;
    int r;

    memset(&h, 0, sizeof(h));
    r = heredoc_word(a, &h);
    free(h.name);
    return r;
}

static int valid_stage_name(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z'))
        return 0;
    for (s++; *s; s++)
        if (!(*s >= 'a' && *s <= 'z') && !is_digit(*s) && *s != '-' && *s != '_' && *s != '.')
            return 0;
    return 1;
}

static void stage_release(struct dk_df_stage *st)
{
    size_t i;

    free(st->base);
    free(st->name);
    free(st->platform);
    instr_release(&st->from);
    for (i = 0; i < st->n; i++)
        instr_release(&st->instrs[i]);
    free(st->instrs);
    memset(st, 0, sizeof(*st));
}

/* Files the parsed instruction (which it takes over) into df. */
static int add_instr(struct parser *ps, struct dk_dockerfile *df, struct dk_df_instr *in)
{
    struct dk_df_stage *st;
    const char *platform;
    size_t i;

    if (!strcmp(in->cmd, "FROM")) {
        if (in->nargs != 1 && !(in->nargs == 3 && !strcasecmp(in->args[1], "AS")))
            return perr(ps, in->line,
                        "FROM requires either one or three arguments (image [AS "
                        "name])");
        df->stages = dk_xrealloc(df->stages, (df->nstages + 1) * sizeof(*df->stages));
        st = &df->stages[df->nstages++];
        memset(st, 0, sizeof(*st));
        st->from = *in;
        memset(in, 0, sizeof(*in));
        st->line = st->from.line;
        st->base = dk_xstrdup(st->from.args[0]);
        if ((platform = dk_df_instr_flag(&st->from, "platform")))
            st->platform = dk_xstrdup(platform);
        if (st->from.nargs == 3) {
            char *name = dk_xstrdup(st->from.args[2]), *p;

            for (p = name; *p; p++)
                *p = to_lower(*p);
            st->name = name;
            if (!valid_stage_name(name))
                return perr(ps, st->line,
                            "invalid stage name '%.64s': it must start with a letter and hold "
                            "only letters, digits, '-', '_' and '.'",
                            st->from.args[2]);
            for (i = 0; i + 1 < df->nstages; i++)
                if (df->stages[i].name && !strcmp(df->stages[i].name, name))
                    return perr(ps, st->line, "duplicate stage name '%.64s'", name);
        }
        return 0;
    }
    if (!df->nstages) {
        if (strcmp(in->cmd, "ARG"))
            return perr(ps, in->line, "%s comes before the first FROM (only ARG may)", in->cmd);
        df->meta_args = dk_xrealloc(df->meta_args, (df->nmeta + 1) * sizeof(*df->meta_args));
        df->meta_args[df->nmeta++] = *in;
        memset(in, 0, sizeof(*in));
        return 0;
    }
    st = &df->stages[df->nstages - 1];
    st->instrs = dk_xrealloc(st->instrs, (st->n + 1) * sizeof(*st->instrs));
    st->instrs[st->n++] = *in;
    memset(in, 0, sizeof(*in));
    return 0;
}

void dk_dockerfile_init(struct dk_dockerfile *df)
{
    memset(df, 0, sizeof(*df));
    df->escape = '\\';
}

void dk_dockerfile_release(struct dk_dockerfile *df)
{
    size_t i;

    free(df->path);
    free(df->syntax);
    for (i = 0; i < df->nmeta; i++)
        instr_release(&df->meta_args[i]);
    free(df->meta_args);
    for (i = 0; i < df->nstages; i++)
        stage_release(&df->stages[i]);
    free(df->stages);
    dk_dockerfile_init(df);
}

/* Handles a `# key=value` line at the top. 1 when it was a directive, 0 when directives are
 * over, -1 on error. */
static int handle_directive(struct parser *ps, struct dk_dockerfile *df, const char *s, size_t n,
                            unsigned *seen)
{
    static const char *const known[] = {"escape", "syntax", "check"};
    char key[32];
    const char *val;
    size_t vlen, k;

    if (!directive(s, n, key, sizeof(key), &val, &vlen))
        return 0;
    for (k = 0; k < sizeof(known) / sizeof(*known); k++)
        if (!strcmp(key, known[k]))
            break;
    if (k == sizeof(known) / sizeof(*known))
        return 0; /* an unknown directive is a comment, and ends the directives */
    if (*seen & (1u << k))
        return perr(ps, ps->lineno, "only one '%s' parser directive can be used", key);
    *seen |= 1u << k;
    if (k == 0) {
        if (vlen != 1 || (val[0] != '\\' && val[0] != '`'))
            return perr(ps, ps->lineno, "invalid escape directive '%.*s': use \\ or `",
                        (int)(vlen > 32 ? 32 : vlen), val);
        ps->esc = df->escape = val[0];
    } else if (k == 1) {
        df->syntax = dk_xstrndup(val, vlen);
    }
    return 1;
}

int dk_dockerfile_parse(struct dk_dockerfile *df, const char *path_for_messages, const char *text,
                        size_t len, struct dk_err *err)
{
    struct parser ps;
    struct dk_buf line = DK_BUF_INIT;
    struct dk_df_instr in;
    const char *nul, *s;
    size_t n, raw_n;
    unsigned seen = 0;
    int directives = 1;

    dk_dockerfile_init(df);
    memset(&in, 0, sizeof(in));
    memset(&ps, 0, sizeof(ps));
    ps.path = path_for_messages ? path_for_messages : "Dockerfile";
    ps.p = text;
    ps.end = text + len;
    ps.esc = '\\';
    ps.err = err;
    df->path = dk_xstrdup(ps.path);

    if ((nul = memchr(text, '\0', len))) {
        int l = 1;

        for (s = text; s < nul; s++)
            l += *s == '\n';
        perr(&ps, l, "contains a NUL byte");
        goto fail;
    }
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
        ps.p += 3;

    while (next_line(&ps, &s, &n, &raw_n)) {
        int start = ps.lineno;
        struct dk_df_instr *target;

        skip_blanks(&s, &n);
        if (directives) {
            int d = handle_directive(&ps, df, s, n, &seen);

            if (d < 0)
                goto fail;
            if (d > 0)
                continue;
            directives = 0;
        }
        if (!n || s[0] == '#')
            continue;
        dk_buf_reset(&line);
        if (continues(s, &n, ps.esc)) {
            dk_buf_addn(&line, s, n);
            for (;;) {
                const char *t;
                size_t tn;

                if (!next_line(&ps, &s, &n, &raw_n))
                    break;
                t = s;
                tn = n;
                skip_blanks(&t, &tn);
                if (!tn || t[0] == '#')
                    continue; /* comments and blank lines inside a continuation */
                if (!continues(s, &n, ps.esc)) {
                    dk_buf_addn(&line, s, n);
                    break;
                }
                dk_buf_addn(&line, s, n);
            }
        } else {
            dk_buf_addn(&line, s, n);
        }
        if (parse_instr(&ps, line.buf, start, 0, &in) < 0)
            goto fail;
        in.end_line = ps.lineno;
        target = in.onbuild ? in.onbuild : &in;
        if (in.onbuild)
            in.onbuild->end_line = ps.lineno;
        if (can_have_heredocs(target) && read_heredocs(&ps, &in, target) < 0)
            goto fail;
        if ((!strcmp(target->cmd, "COPY") || !strcmp(target->cmd, "ADD")) &&
            is_heredoc_arg(target->args[target->nargs - 1])) {
            perr(&ps, start, "%s cannot take a heredoc as its destination", target->cmd);
            goto fail;
        }
        if (add_instr(&ps, df, &in) < 0)
            goto fail;
    }
    if (!df->nstages) {
        perr(&ps, 0, "no FROM instruction");
        goto fail;
    }
    dk_buf_release(&line);
    return 0;
fail:
    instr_release(&in);
    dk_buf_release(&line);
    dk_dockerfile_release(df);
    return -1;
}

int dk_dockerfile_target(const struct dk_dockerfile *df, const char *target, size_t *index,
                         struct dk_err *err)
{
    size_t i;

    if (!df->nstages)
        return dk_err_set(err, DK_E_INPUT, "%s: no FROM instruction",
                          df->path ? df->path : "Dockerfile");
    if (!target || !*target) {
        *index = df->nstages - 1;
        return 0;
    }
    for (i = 0; i < df->nstages; i++) {
        if (df->stages[i].name && !strcasecmp(df->stages[i].name, target)) {
            *index = i;
            return 0;
        }
    }
    return dk_err_set(err, DK_E_INPUT, "%s: target stage '%.128s' not found",
                      df->path ? df->path : "Dockerfile", target);
}

int dk_df_stage_index(const struct dk_dockerfile *df, const char *name_or_index)
{
    const char *p = name_or_index;
    size_t i, v = 0;

    if (!p || !*p)
        return -1;
    if (is_digit(*p)) {
        for (; *p; p++) {
            if (!is_digit(*p))
                goto by_name;
            if (v <= df->nstages)
                v = v * 10 + (size_t)(*p - '0');
        }
        return v < df->nstages ? (int)v : -2;
    }
by_name:
    for (i = 0; i < df->nstages; i++)
        if (df->stages[i].name && !strcasecmp(df->stages[i].name, name_or_index))
            return (int)i;
    return -1;
}

const char *dk_df_instr_flag(const struct dk_df_instr *in, const char *name)
{
    size_t i, l = strlen(name);

    for (i = 0; i < in->nflags; i++) {
        const char *f = in->flags[i];

        if (f[0] != '-' || f[1] != '-' || strncmp(f + 2, name, l))
            continue;
        if (f[2 + l] == '=')
            return f + 3 + l;
        if (!f[2 + l])
            return f + 2 + l;
    }
    return NULL;
}
