#include "dk/dockerignore.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dk/buf.h"
#include "dk/fs.h"

/*
 * moby/patternmatcher sorts each pattern into one of four kinds and only the last goes
 * through a regular expression. The kinds differ from the expression in corner cases ("**foo"
 * is a plain suffix test, so it matches "barfoo"), and Docker's results are what the digest
 * must agree with, so the kinds are kept.
 */
enum kind {
    K_EXACT,  /* no wildcard: the path equals the pattern */
    K_PREFIX, /* literal text then a final "**": the path starts with the text */
    K_SUFFIX, /* "**" then literal text: the path ends with the text */
    K_GLOB,   /* anything else: the token matcher below */
};

/* ---- paths ---- */

/* A path relative to the context: cleaned, without a leading '/' ("/" becomes "."). */
static char *context_path(const char *p)
{
    char *c = dk_path_clean(p, strlen(p));

    if (c[0] == '/') {
        if (!c[1])
            c[0] = '.';
        else
            memmove(c, c + 1, strlen(c));
    }
    return c;
}

/* ---- the token matcher ---- */

/* Decodes one UTF-8 character (U+FFFD for a bad byte); returns its length, at least 1. */
static size_t dec(const char *s, size_t n, uint32_t *r)
{
    unsigned char c = (unsigned char)s[0];
    size_t l, k;
    uint32_t v;

    if (c < 0x80) {
        *r = c;
        return 1;
    }
    if (c >= 0xc0 && c < 0xe0) {
        l = 2;
        v = c & 0x1f;
    } else if (c >= 0xe0 && c < 0xf0) {
        l = 3;
        v = c & 0x0f;
    } else if (c >= 0xf0 && c < 0xf8) {
        l = 4;
        v = c & 0x07;
    } else {
        *r = 0xfffd;
        return 1;
    }
    if (l > n) {
        *r = 0xfffd;
        return 1;
    }
    for (k = 1; k < l; k++) {
        if (((unsigned char)s[k] & 0xc0) != 0x80) {
            *r = 0xfffd;
            return 1;
        }
        v = (v << 6) | ((unsigned char)s[k] & 0x3f);
    }
    *r = v;
    return l;
}

enum tkind {
    T_LIT,    /* these bytes */
    T_STAR,   /* any run of characters but '/' */
    T_ANY,    /* one character but '/' */
    T_CLASS,  /* one character of a [...] class */
    T_DSLASH, /* "**" then '/' or more text: nothing, or anything ending with '/' */
    T_DEND,   /* "**" at the end: anything */
};

struct tok {
    enum tkind kind;
    size_t next;     /* where the following token starts */
    const char *lit; /* T_LIT */
    size_t litlen;
    size_t cls; /* T_CLASS: just after '[' */
};

/* Where the class starting just after '[' at k ends (just after its ']'). */
static size_t class_end(const char *p, size_t n, size_t k)
{
    uint32_t r;
    size_t nr = 0;

    if (k < n && p[k] == '^')
        k++;
    while (k < n) {
        if (p[k] == ']' && nr)
            return k + 1;
        if (p[k] == '\\' && k + 1 < n)
            k++;
        k += dec(p + k, n - k, &r);
        if (k < n && p[k] == '-') {
            k++;
            if (k < n && p[k] == '\\' && k + 1 < n)
                k++;
            if (k < n)
                k += dec(p + k, n - k, &r);
        }
        nr++;
    }
    return n;
}

static int class_match(const char *p, size_t n, size_t k, uint32_t c)
{
    int neg = 0, hit = 0;
    size_t nr = 0;

    if (k < n && p[k] == '^') {
        neg = 1;
        k++;
    }
    while (k < n) {
        uint32_t lo, hi;

        if (p[k] == ']' && nr)
            break;
        if (p[k] == '\\' && k + 1 < n)
            k++;
        k += dec(p + k, n - k, &lo);
        hi = lo;
        if (k < n && p[k] == '-') {
            k++;
            if (k < n && p[k] == '\\' && k + 1 < n)
                k++;
            if (k < n)
                k += dec(p + k, n - k, &hi);
        }
        if (lo <= c && c <= hi)
            hit = 1;
        nr++;
    }
    return hit != neg;
}

/* The token at p[i]; globstar turns "**" into T_DSLASH/T_DEND (dockerignore), else it is two
 * stars (filepath.Match). */
static void tok_at(const char *p, size_t n, size_t i, int globstar, struct tok *t)
{
    uint32_t r;

    memset(t, 0, sizeof(*t));
    switch (p[i]) {
    case '*':
        if (globstar && i + 1 < n && p[i + 1] == '*') {
            size_t j = i + 2;

            if (j < n && p[j] == '/')
                j++;
            t->kind = j == n ? T_DEND : T_DSLASH;
            t->next = j;
        } else {
            t->kind = T_STAR;
            t->next = i + 1;
        }
        return;
    case '?':
        t->kind = T_ANY;
        t->next = i + 1;
        return;
    case '[':
        t->kind = T_CLASS;
        t->cls = i + 1;
        t->next = class_end(p, n, i + 1);
        return;
    case '\\':
        if (i + 1 < n)
            i++;
        break;
    default:
        break;
    }
    t->kind = T_LIT;
    t->lit = p + i;
    t->litlen = dec(p + i, n - i, &r);
    t->next = i + t->litlen;
}

/*
 * The pattern runs as a set of states, one character at a time: O(sn * pn) whatever the stars,
 * so a hostile pattern cannot blow up. State i (0 <= i <= pn) is "at the token starting at
 * p[i]"; state pn + 1 + i is "inside the .* of the T_DSLASH at i", which must still see a '/'
 * before it may go on (entering the group and leaving it at once is the empty case).
 */

/* Follows the moves that consume nothing. They only go forward, so one pass will do. */
static void closure(const char *p, size_t n, int globstar, unsigned char *set)
{
    struct tok t;
    size_t i;

    for (i = 0; i < n; i++) {
        if (!set[i])
            continue;
        tok_at(p, n, i, globstar, &t);
        if (t.kind == T_STAR || t.kind == T_DSLASH || t.kind == T_DEND)
            set[t.next] = 1;
    }
}

/* 1 when s[0..sn) matches the whole of p[0..pn). */
static int glob_match(const char *p, size_t pn, int globstar, const char *s, size_t sn)
{
    unsigned char small[2][256], *cur, *nxt, *heap = NULL;
    size_t si = 0, ns = 2 * (pn + 1);
    int res;

    if (ns > sizeof(small[0])) {
        heap = dk_xcalloc(2, ns);
        cur = heap;
        nxt = heap + ns;
    } else {
        cur = small[0];
        nxt = small[1];
    }
    memset(cur, 0, ns);
    cur[0] = 1;
    closure(p, pn, globstar, cur);
    while (si < sn) {
        unsigned char *tmp;
        struct tok t;
        uint32_t r;
        size_t l = dec(s + si, sn - si, &r), i;
        int any = 0;

        memset(nxt, 0, ns);
        for (i = 0; i < pn; i++) {
            int at = cur[i], inside = cur[pn + 1 + i];

            if (!at && !inside)
                continue;
            tok_at(p, pn, i, globstar, &t);
            if (inside) { /* T_DSLASH only */
                nxt[pn + 1 + i] = any = 1;
                if (r == '/')
                    nxt[t.next] = 1;
            }
            if (!at)
                continue;
            switch (t.kind) {
            case T_LIT:
                if (t.litlen == l && !memcmp(t.lit, s + si, l))
                    nxt[t.next] = any = 1;
                break;
            case T_STAR:
                if (r != '/')
                    nxt[i] = any = 1;
                break;
            case T_ANY:
                if (r != '/')
                    nxt[t.next] = any = 1;
                break;
            case T_CLASS:
                if (class_match(p, pn, t.cls, r))
                    nxt[t.next] = any = 1;
                break;
            case T_DSLASH:
                nxt[pn + 1 + i] = any = 1;
                if (r == '/')
                    nxt[t.next] = 1;
                break;
            case T_DEND:
                nxt[i] = any = 1;
                break;
            }
        }
        closure(p, pn, globstar, nxt);
        tmp = cur;
        cur = nxt;
        nxt = tmp;
        si += l;
        if (!any)
            break;
    }
    res = si >= sn && cur[pn];
    free(heap);
    return res;
}

/* Go's filepath.Match syntax check (ErrBadPattern): a '\' needs a character after it, a class
 * needs a range, and a range end may not be missing, '-' or ']'. */
static int class_char_ok(const char *p, size_t n, size_t *i)
{
    uint32_t r;

    if (*i >= n || p[*i] == '-' || p[*i] == ']')
        return 0;
    if (p[*i] == '\\' && ++*i >= n)
        return 0;
    *i += dec(p + *i, n - *i, &r);
    return *i < n;
}

static int valid_pattern(const char *p, size_t n)
{
    size_t i = 0;
    uint32_t r;

    while (i < n) {
        if (p[i] == '\\') {
            if (i + 1 >= n)
                return 0;
            i += 1 + dec(p + i + 1, n - i - 1, &r);
        } else if (p[i] == '[') {
            size_t nr = 0;

            if (++i < n && p[i] == '^')
                i++;
            for (;;) {
                if (i >= n)
                    return 0;
                if (p[i] == ']' && nr) {
                    i++;
                    break;
                }
                if (!class_char_ok(p, n, &i))
                    return 0;
                if (p[i] == '-') {
                    i++;
                    if (!class_char_ok(p, n, &i))
                        return 0;
                }
                nr++;
            }
        } else {
            i += dec(p + i, n - i, &r);
        }
    }
    return 1;
}

/* The kind moby/patternmatcher gives a pattern. */
static enum kind classify(const char *p)
{
    enum kind k = K_EXACT;
    size_t i = 0, n = strlen(p), tok;
    uint32_t r;

    for (tok = 0; i < n; tok++) {
        char c = p[i];

        if (c == '*' && i + 1 < n && p[i + 1] == '*') {
            i += 2;
            if (i < n && p[i] == '/')
                i++;
            if (i == n)
                k = k == K_EXACT ? K_PREFIX : K_GLOB;
            else
                k = K_GLOB;
            if (tok == 0)
                k = K_SUFFIX;
        } else if (c == '*' || c == '?' || c == '[' || c == ']') {
            k = K_GLOB;
            i++;
        } else if (c == '\\' && i + 1 < n) {
            k = K_GLOB;
            i += 1 + dec(p + i + 1, n - i - 1, &r);
        } else {
            i += dec(p + i, n - i, &r);
        }
    }
    return k;
}

static int pattern_match(const struct dk_ignore_pattern *pat, const char *s, size_t sn)
{
    const char *t = pat->text;
    size_t tn = strlen(t);

    switch ((enum kind)pat->kind) {
    case K_EXACT:
        return sn == tn && !memcmp(s, t, sn);
    case K_PREFIX:
        return sn >= tn - 2 && !memcmp(s, t, tn - 2);
    case K_SUFFIX:
        t += 2;
        tn -= 2;
        if (sn >= tn && !memcmp(s + sn - tn, t, tn))
            return 1;
        return tn && t[0] == '/' && sn == tn - 1 && !memcmp(s, t + 1, sn);
    case K_GLOB:
        return glob_match(t, tn, 1, s, sn);
    }
    return 0;
}

/* ---- .dockerignore ---- */

void dk_ignore_init(struct dk_ignore *ig)
{
    ig->pats = NULL;
    ig->n = 0;
    ig->has_exceptions = 0;
}

void dk_ignore_release(struct dk_ignore *ig)
{
    size_t i;

    for (i = 0; i < ig->n; i++)
        free(ig->pats[i].text);
    free(ig->pats);
    dk_ignore_init(ig);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static void trim(const char **s, size_t *n)
{
    while (*n && is_space(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_space((*s)[*n - 1]))
        (*n)--;
}

int dk_ignore_parse(struct dk_ignore *ig, const char *text, size_t len, struct dk_err *err)
{
    const char *p = text, *end = text + len;
    int line = 0;

    dk_ignore_init(ig);
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
        p += 3;
    while (p < end) {
        const char *s = p, *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        struct dk_buf full = DK_BUF_INIT;
        struct dk_ignore_pattern pat;
        char *c, *clean;
        int invert;

        p = nl ? nl + 1 : end;
        line++;
        if (n && s[0] == '#')
            continue; /* only a '#' in the first column makes a comment */
        trim(&s, &n);
        if (!n)
            continue;
        invert = s[0] == '!';
        if (invert) {
            s++;
            n--;
            trim(&s, &n);
        }
        if (invert)
            dk_buf_addch(&full, '!');
        if (n) {
            c = dk_path_clean(s, n);
            dk_buf_add(&full, c[0] == '/' && c[1] ? c + 1 : c);
            free(c);
        }
        /* patternmatcher cleans the line once more, '!' included */
        clean = dk_path_clean(full.buf, full.len);
        dk_buf_release(&full);
        memset(&pat, 0, sizeof(pat));
        pat.line = line;
        if (clean[0] == '!') {
            if (!clean[1]) {
                free(clean);
                dk_ignore_release(ig);
                return dk_err_set(err, DK_E_INPUT,
                                  ".dockerignore:%d: illegal exclusion pattern '!'", line);
            }
            pat.exception = 1;
            memmove(clean, clean + 1, strlen(clean));
        }
        if (!valid_pattern(clean, strlen(clean))) {
            dk_err_set(err, DK_E_INPUT,
                       ".dockerignore:%d: invalid pattern '%.128s': syntax error "
                       "in pattern",
                       line, clean);
            free(clean);
            dk_ignore_release(ig);
            return -1;
        }
        pat.text = clean;
        pat.kind = (int)classify(clean);
        ig->pats = dk_xrealloc(ig->pats, (ig->n + 1) * sizeof(*ig->pats));
        ig->pats[ig->n++] = pat;
        ig->has_exceptions |= pat.exception;
    }
    return 0;
}

int dk_ignore_match(const struct dk_ignore *ig, const char *path)
{
    char *cp = context_path(path);
    size_t n = strlen(cp), i, k;
    int matched = 0;

    if (!strcmp(cp, ".")) {
        free(cp);
        return 0;
    }
    for (i = 0; i < ig->n; i++) {
        const struct dk_ignore_pattern *pat = &ig->pats[i];
        int m;

        /* an include that already holds, or an exception with nothing to undo, changes
         * nothing */
        if (pat->exception != matched)
            continue;
        m = pattern_match(pat, cp, n);
        for (k = 0; !m && k < n; k++)
            if (cp[k] == '/')
                m = pattern_match(pat, cp, k); /* a parent directory */
        if (m)
            matched = !pat->exception;
    }
    free(cp);
    return matched;
}

/* 1 when the component cp[0..cn) matches the pattern component p[0..pn). */
static int comp_match(const char *p, size_t pn, const char *c, size_t cn)
{
    return glob_match(p, pn, 0, c, cn);
}

int dk_ignore_dir_may_contain_includes(const struct dk_ignore *ig, const char *dirpath)
{
    char *dir;
    size_t i;
    int may = 0;

    if (!dk_ignore_match(ig, dirpath))
        return 1;
    if (!ig->has_exceptions)
        return 0;
    dir = context_path(dirpath);
    for (i = 0; i < ig->n && !may; i++) {
        const char *t = ig->pats[i].text, *d = dir;
        size_t dcomps = 1, pcomps = 1, k;

        if (!ig->pats[i].exception)
            continue;
        /* "**", classes (which may match '/') and escapes: assume the worst */
        if (strstr(t, "**") || strchr(t, '[') || strchr(t, '\\')) {
            may = 1;
            break;
        }
        for (k = 0; dir[k]; k++)
            dcomps += dir[k] == '/';
        for (k = 0; t[k]; k++)
            pcomps += t[k] == '/';
        if (pcomps <= dcomps)
            continue; /* it can only name the directory or its parents */
        may = 1;
        for (k = 0; k < dcomps && may; k++) {
            size_t pl = strcspn(t, "/"), dl = strcspn(d, "/");

            may = comp_match(t, pl, d, dl);
            t += pl + (t[pl] == '/');
            d += dl + (d[dl] == '/');
        }
    }
    free(dir);
    return may;
}

/* ---- COPY/ADD sources ---- */

int dk_df_source_match(const char *pattern, const char *path)
{
    char *p = context_path(pattern), *cp;
    size_t pn = strlen(p), n, k;
    int m;

    if (!strcmp(p, ".")) {
        free(p);
        return 1;
    }
    if (!valid_pattern(p, pn)) {
        free(p);
        return -1;
    }
    cp = context_path(path);
    n = strlen(cp);
    m = strcmp(cp, ".") && glob_match(p, pn, 0, cp, n);
    for (k = 0; !m && k < n; k++)
        if (cp[k] == '/')
            m = glob_match(p, pn, 0, cp, k); /* a directory the source names */
    free(p);
    free(cp);
    return m;
}
