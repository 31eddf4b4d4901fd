/* tmpl: Go text/template core. See dk/tmpl.h. */
#include "dk/tmpl.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* ---------------------------------------------------------------- values */

static struct dk_val val_nil = {DK_VAL_NIL, 1, NULL, {0}};

static struct dk_val *val_new(enum dk_val_kind k)
{
    struct dk_val *v = dk_xcalloc(1, sizeof(*v));

    v->kind = k;
    v->refs = 1;
    return v;
}

struct dk_val *dk_val_nil(void)
{
    return &val_nil; /* static: ref/unref leave it alone */
}

struct dk_val *dk_val_bool(int b)
{
    struct dk_val *v = val_new(DK_VAL_BOOL);

    v->u.b = !!b;
    return v;
}

struct dk_val *dk_val_int(int64_t i)
{
    struct dk_val *v = val_new(DK_VAL_INT);

    v->u.i = i;
    return v;
}

struct dk_val *dk_val_float(double f)
{
    struct dk_val *v = val_new(DK_VAL_FLOAT);

    v->u.f = f;
    return v;
}

struct dk_val *dk_val_str_owned(char *s, size_t n)
{
    struct dk_val *v = val_new(DK_VAL_STR);

    v->u.str.s = s;
    v->u.str.len = n;
    return v;
}

struct dk_val *dk_val_strn(const char *s, size_t n)
{
    char *p = dk_xmalloc(n + 1);

    if (n)
        memcpy(p, s, n);
    p[n] = 0;
    return dk_val_str_owned(p, n);
}

struct dk_val *dk_val_str(const char *s)
{
    return dk_val_strn(s, strlen(s));
}

struct dk_val *dk_val_list(void)
{
    return val_new(DK_VAL_LIST);
}

struct dk_val *dk_val_map(void)
{
    return val_new(DK_VAL_MAP);
}

struct dk_val *dk_val_ptr(void *p, const char *type)
{
    struct dk_val *v = val_new(DK_VAL_PTR);

    v->u.ptr.p = p;
    v->u.ptr.type = type;
    return v;
}

struct dk_val *dk_val_func(dk_tmpl_fn fn, void *ud)
{
    struct dk_val *v = val_new(DK_VAL_FUNC);

    v->u.fn.fn = fn;
    v->u.fn.ud = ud;
    return v;
}

struct dk_val *dk_val_ref(struct dk_val *v)
{
    if (v && v != &val_nil)
        v->refs++;
    return v;
}

/* Values to drop, for dk_val_unref(): a loop, not recursion, so that a list nested a
 * million deep (a template can build one) does not exhaust the stack. */
struct unref_stack {
    struct dk_val **v, *local[32];
    size_t n, alloc;
};

static void unref_push(struct unref_stack *s, struct dk_val *v)
{
    if (!v || v == &val_nil)
        return;
    if (s->n == s->alloc) {
        size_t alloc = 2 * s->alloc;

        if (s->v == s->local) {
            s->v = dk_xmalloc(alloc * sizeof(*s->v));
            memcpy(s->v, s->local, s->n * sizeof(*s->v));
        } else {
            s->v = dk_xrealloc(s->v, alloc * sizeof(*s->v));
        }
        s->alloc = alloc;
    }
    s->v[s->n++] = v;
}

void dk_val_unref(struct dk_val *v)
{
    struct unref_stack s;
    size_t i;

    if (!v || v == &val_nil || --v->refs > 0)
        return;
    s.v = s.local;
    s.n = 0;
    s.alloc = sizeof(s.local) / sizeof(s.local[0]);
    for (;;) {
        switch (v->kind) {
        case DK_VAL_STR:
            free(v->u.str.s);
            break;
        case DK_VAL_LIST:
            for (i = 0; i < v->u.list.n; i++)
                unref_push(&s, v->u.list.v[i]);
            free(v->u.list.v);
            break;
        case DK_VAL_MAP:
            for (i = 0; i < v->u.map.n; i++) {
                free(v->u.map.k[i]);
                unref_push(&s, v->u.map.v[i]);
            }
            free(v->u.map.k);
            free(v->u.map.v);
            break;
        default:
            break;
        }
        free(v);
        /* the next value whose last reference this was */
        do {
            v = s.n ? s.v[--s.n] : NULL;
        } while (v && --v->refs > 0);
        if (!v)
            break;
    }
    if (s.v != s.local)
        free(s.v);
}

void dk_val_list_push(struct dk_val *list, struct dk_val *item)
{
    if (list->kind != DK_VAL_LIST) {
        dk_val_unref(item);
        return;
    }
    if (list->u.list.n == list->u.list.alloc) {
        list->u.list.alloc = list->u.list.alloc ? 2 * list->u.list.alloc : 4;
        list->u.list.v = dk_xrealloc(list->u.list.v, list->u.list.alloc * sizeof(*list->u.list.v));
    }
    list->u.list.v[list->u.list.n++] = item;
}

/* Index of key in map, or -(insertion point) - 1. */
static long map_find(const struct dk_val *m, const char *key)
{
    size_t lo = 0, hi = m->u.map.n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(m->u.map.k[mid], key);

        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(long)lo - 1;
}

void dk_val_map_set(struct dk_val *map, const char *key, struct dk_val *item)
{
    long i;
    size_t at;

    if (map->kind != DK_VAL_MAP) {
        dk_val_unref(item);
        return;
    }
    i = map_find(map, key);
    if (i >= 0) {
        dk_val_unref(map->u.map.v[i]);
        map->u.map.v[i] = item;
        return;
    }
    at = (size_t)(-i - 1);
    if (map->u.map.n == map->u.map.alloc) {
        map->u.map.alloc = map->u.map.alloc ? 2 * map->u.map.alloc : 4;
        map->u.map.k = dk_xrealloc(map->u.map.k, map->u.map.alloc * sizeof(char *));
        map->u.map.v = dk_xrealloc(map->u.map.v, map->u.map.alloc * sizeof(struct dk_val *));
    }
    memmove(map->u.map.k + at + 1, map->u.map.k + at, (map->u.map.n - at) * sizeof(char *));
    memmove(map->u.map.v + at + 1, map->u.map.v + at,
            (map->u.map.n - at) * sizeof(struct dk_val *));
    map->u.map.k[at] = dk_xstrdup(key);
    map->u.map.v[at] = item;
    map->u.map.n++;
}

struct dk_val *dk_val_map_get(const struct dk_val *map, const char *key)
{
    long i;

    if (!map || map->kind != DK_VAL_MAP)
        return NULL;
    i = map_find(map, key);
    return i >= 0 ? map->u.map.v[i] : NULL;
}

/* Open-addressing set of container pointers, for walks over graphs that share values. */
struct ptrset {
    const void **p;
    size_t n, alloc; /* alloc: a power of two */
};

/* Adds p; returns 1 when it was new, 0 when it was there. */
static int ptrset_add(struct ptrset *s, const void *p)
{
    size_t i, mask;

    if (2 * (s->n + 1) > s->alloc) {
        struct ptrset g = {NULL, 0, s->alloc ? 2 * s->alloc : 64};

        g.p = dk_xcalloc(g.alloc, sizeof(*g.p));
        for (i = 0; i < s->alloc; i++)
            if (s->p[i])
                ptrset_add(&g, s->p[i]);
        free(s->p);
        *s = g;
    }
    mask = s->alloc - 1;
    for (i = ((uintptr_t)p >> 4) * 0x9e3779b97f4a7c15ull & mask; s->p[i]; i = (i + 1) & mask)
        if (s->p[i] == p)
            return 0;
    s->p[i] = p;
    s->n++;
    return 1;
}

int dk_val_reaches(const struct dk_val *from, const struct dk_val *to)
{
    struct ptrset seen = {NULL, 0, 0};
    const struct dk_val **stack = NULL;
    size_t n = 0, alloc = 0, i;
    int found = 0;

    if (!from || !to)
        return 0;
    if (from == to)
        return 1;
    if (to->kind != DK_VAL_LIST && to->kind != DK_VAL_MAP)
        return 0; /* only containers are shared by reference */
    if (from->kind != DK_VAL_LIST && from->kind != DK_VAL_MAP)
        return 0;
    stack = dk_xmalloc(16 * sizeof(*stack));
    alloc = 16;
    stack[n++] = from;
    ptrset_add(&seen, from);
    while (n > 0 && !found) {
        const struct dk_val *v = stack[--n];
        size_t count = v->kind == DK_VAL_LIST ? v->u.list.n : v->u.map.n;
        struct dk_val *const *kids = v->kind == DK_VAL_LIST ? v->u.list.v : v->u.map.v;

        for (i = 0; i < count; i++) {
            const struct dk_val *k = kids[i];

            if (k == to) {
                found = 1;
                break;
            }
            if ((k->kind != DK_VAL_LIST && k->kind != DK_VAL_MAP) || !ptrset_add(&seen, k))
                continue;
            if (n == alloc) {
                alloc *= 2;
                stack = dk_xrealloc(stack, alloc * sizeof(*stack));
            }
            stack[n++] = k;
        }
    }
    free(stack);
    free(seen.p);
    return found;
}

int dk_val_truth(const struct dk_val *v)
{
    if (!v)
        return 0;
    switch (v->kind) {
    case DK_VAL_NIL:
        return 0;
    case DK_VAL_BOOL:
        return v->u.b;
    case DK_VAL_INT:
        return v->u.i != 0;
    case DK_VAL_FLOAT:
        return v->u.f != 0;
    case DK_VAL_STR:
        return v->u.str.len > 0;
    case DK_VAL_LIST:
        return v->u.list.n > 0;
    case DK_VAL_MAP:
        return v->u.map.n > 0;
    case DK_VAL_PTR:
        return v->u.ptr.p != NULL;
    case DK_VAL_FUNC:
        return 1;
    }
    return 0;
}

const char *dk_val_type_name(const struct dk_val *v)
{
    if (v && v->methods && v->methods->type)
        return v->methods->type;
    switch (v ? v->kind : DK_VAL_NIL) {
    case DK_VAL_NIL:
        return "<nil>";
    case DK_VAL_BOOL:
        return "bool";
    case DK_VAL_INT:
        return "int";
    case DK_VAL_FLOAT:
        return "float64";
    case DK_VAL_STR:
        return "string";
    case DK_VAL_LIST:
        return "[]interface {}";
    case DK_VAL_MAP:
        return "map[string]interface {}";
    case DK_VAL_PTR:
        return v->u.ptr.type ? v->u.ptr.type : "*interface {}";
    case DK_VAL_FUNC:
        return "func(...interface {}) (interface {}, error)";
    }
    return "?";
}

/* Go's strconv.FormatFloat(f, 'g', -1, 64) as fmt's %v uses it (exponent from 1e+06 on
 * or below 1e-04). */
static void fmt_float_v(double f, char *out, size_t size)
{
    char tmp[64], digits[32];
    int prec, exp, nd = 0;
    char *p;

    if (isnan(f)) {
        snprintf(out, size, "NaN");
        return;
    }
    if (isinf(f)) {
        snprintf(out, size, f > 0 ? "+Inf" : "-Inf");
        return;
    }
    if (f == 0) {
        snprintf(out, size, signbit(f) ? "-0" : "0");
        return;
    }
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, f);
        if (strtod(tmp, NULL) == f)
            break;
    }
    /* tmp is [-]d[.ddd]e[+-]XX */
    p = tmp;
    if (*p == '-')
        p++;
    for (; *p && *p != 'e'; p++)
        if (isdigit((unsigned char)*p))
            digits[nd++] = *p;
    digits[nd] = 0;
    while (nd > 1 && digits[nd - 1] == '0')
        digits[--nd] = 0;
    exp = atoi(p + 1);
    /* the shortest form decides with precision 6, as fmt does */
    if (exp < -4 || exp >= 6) {
        char mant[40];
        int m = 0;

        mant[m++] = digits[0];
        if (nd > 1) {
            mant[m++] = '.';
            memcpy(mant + m, digits + 1, (size_t)nd - 1);
            m += nd - 1;
        }
        mant[m] = 0;
        snprintf(out, size, "%s%se%c%02d", f < 0 ? "-" : "", mant, exp < 0 ? '-' : '+',
                 exp < 0 ? -exp : exp);
    } else {
        int dec = nd - 1 - exp;

        snprintf(out, size, "%.*f", dec > 0 ? dec : 0, f);
    }
}

/* Stops with -1 once out holds more than limit bytes (lists and maps that share values can
 * print exponentially long). */
static int val_format(const struct dk_val *v, struct dk_buf *out, int depth, size_t limit)
{
    char num[64];
    size_t i;
    int rc = 0;

    if (out->len > limit)
        return -1;
    if (depth > 100)
        return dk_buf_add(out, "...");
    if (v && v->methods && v->methods->string) {
        v->methods->string(v, out);
        return 0;
    }
    switch (v ? v->kind : DK_VAL_NIL) {
    case DK_VAL_NIL:
        return dk_buf_add(out, "<nil>");
    case DK_VAL_BOOL:
        return dk_buf_add(out, v->u.b ? "true" : "false");
    case DK_VAL_INT:
        return dk_buf_addf(out, "%lld", (long long)v->u.i);
    case DK_VAL_FLOAT:
        fmt_float_v(v->u.f, num, sizeof(num));
        return dk_buf_add(out, num);
    case DK_VAL_STR:
        return dk_buf_addn(out, v->u.str.s, v->u.str.len);
    case DK_VAL_LIST:
        rc |= dk_buf_addch(out, '[');
        for (i = 0; i < v->u.list.n && rc == 0; i++) {
            if (i)
                rc |= dk_buf_addch(out, ' ');
            rc |= val_format(v->u.list.v[i], out, depth + 1, limit);
        }
        return rc | dk_buf_addch(out, ']');
    case DK_VAL_MAP:
        rc |= dk_buf_add(out, "map[");
        for (i = 0; i < v->u.map.n && rc == 0; i++) {
            if (i)
                rc |= dk_buf_addch(out, ' ');
            rc |= dk_buf_add(out, v->u.map.k[i]);
            rc |= dk_buf_addch(out, ':');
            rc |= val_format(v->u.map.v[i], out, depth + 1, limit);
        }
        return rc | dk_buf_addch(out, ']');
    case DK_VAL_PTR:
        return dk_buf_addf(out, "%p", v->u.ptr.p);
    case DK_VAL_FUNC:
        return dk_buf_add(out, "<func>");
    }
    return 0;
}

int dk_val_format(const struct dk_val *v, struct dk_buf *out)
{
    return val_format(v, out, 0, DK_VAL_FORMAT_MAX) ? -1 : 0;
}

static void val_count(const struct dk_val *v, size_t max, size_t *n, int depth)
{
    size_t i;

    if (depth > DK_VAL_DEPTH_MAX)
        *n = max;
    if (++*n >= max || !v)
        return;
    if (v->kind == DK_VAL_LIST)
        for (i = 0; i < v->u.list.n && *n < max; i++)
            val_count(v->u.list.v[i], max, n, depth + 1);
    else if (v->kind == DK_VAL_MAP)
        for (i = 0; i < v->u.map.n && *n < max; i++)
            val_count(v->u.map.v[i], max, n, depth + 1);
}

size_t dk_val_count(const struct dk_val *v, size_t max)
{
    size_t n = 0;

    if (max == 0)
        return 0;
    val_count(v, max, &n, 0);
    return n < max ? n : max;
}

struct dk_val *dk_val_from_json(const cJSON *j)
{
    struct dk_val *v;
    const cJSON *c;

    if (!j || cJSON_IsNull(j) || cJSON_IsInvalid(j))
        return dk_val_nil();
    if (cJSON_IsBool(j))
        return dk_val_bool(cJSON_IsTrue(j));
    if (cJSON_IsNumber(j))
        return dk_val_float(j->valuedouble);
    if (cJSON_IsString(j))
        return dk_val_str(j->valuestring ? j->valuestring : "");
    if (cJSON_IsArray(j)) {
        v = dk_val_list();
        cJSON_ArrayForEach(c, j) dk_val_list_push(v, dk_val_from_json(c));
        return v;
    }
    if (cJSON_IsObject(j)) {
        v = dk_val_map();
        cJSON_ArrayForEach(c, j) dk_val_map_set(v, c->string ? c->string : "", dk_val_from_json(c));
        return v;
    }
    return dk_val_nil();
}

static cJSON *val_to_json(const struct dk_val *v);

cJSON *dk_val_to_json(const struct dk_val *v)
{
    if (dk_val_count(v, DK_VAL_EXPAND_MAX) >= DK_VAL_EXPAND_MAX)
        return NULL;
    return val_to_json(v);
}

static cJSON *val_to_json(const struct dk_val *v)
{
    cJSON *j, *c;
    size_t i;

    switch (v ? v->kind : DK_VAL_NIL) {
    case DK_VAL_NIL:
        return cJSON_CreateNull();
    case DK_VAL_BOOL:
        return cJSON_CreateBool(v->u.b);
    case DK_VAL_INT:
        return cJSON_CreateNumber((double)v->u.i);
    case DK_VAL_FLOAT:
        return isfinite(v->u.f) ? cJSON_CreateNumber(v->u.f) : NULL;
    case DK_VAL_STR:
        return cJSON_CreateString(v->u.str.s);
    case DK_VAL_LIST:
        j = cJSON_CreateArray();
        for (i = 0; i < v->u.list.n; i++) {
            if (!(c = val_to_json(v->u.list.v[i]))) {
                cJSON_Delete(j);
                return NULL;
            }
            cJSON_AddItemToArray(j, c);
        }
        return j;
    case DK_VAL_MAP:
        j = cJSON_CreateObject();
        for (i = 0; i < v->u.map.n; i++) {
            if (!(c = val_to_json(v->u.map.v[i]))) {
                cJSON_Delete(j);
                return NULL;
            }
            cJSON_AddItemToObject(j, v->u.map.k[i], c);
        }
        return j;
    case DK_VAL_PTR:
    case DK_VAL_FUNC:
        return NULL;
    }
    return NULL;
}

/* ---------------------------------------------------------------- lexer */

enum tok {
    T_EOF,
    T_ERROR,
    T_TEXT,
    T_LDELIM,
    T_RDELIM,
    T_IDENT,
    T_FIELD,
    T_VAR,
    T_STRING,
    T_RAWSTRING,
    T_CHAR,
    T_NUMBER,
    T_BOOL,
    T_NIL,
    T_DOT,
    T_PIPE,
    T_LPAREN,
    T_RPAREN,
    T_DECLARE,
    T_ASSIGN,
    T_COMMA,
    T_OTHER,
    T_KEYWORD, /* the keywords follow */
    T_BLOCK,
    T_BREAK,
    T_CONTINUE,
    T_DEFINE,
    T_ELSE,
    T_END,
    T_IF,
    T_RANGE,
    T_TEMPLATE,
    T_WITH,
};

struct tok_s {
    enum tok t;
    const char *s;
    size_t len;
    size_t pos;
    int line;
    int sp;    /* white space before it (inside an action) */
    char *msg; /* T_ERROR: owned message */
};

struct lexer {
    const char *text;
    size_t len;
    const char *ld, *rd;
    size_t ldlen, rdlen;
    struct tok_s *toks;
    size_t n, alloc;
    size_t lpos; /* line counting cursor */
    int lline;
};

static int line_at(struct lexer *l, size_t pos)
{
    if (pos < l->lpos) {
        l->lpos = 0;
        l->lline = 1;
    }
    if (pos > l->len)
        pos = l->len;
    while (l->lpos < pos) {
        const char *nl = memchr(l->text + l->lpos, '\n', pos - l->lpos);

        if (!nl) {
            l->lpos = pos;
            break;
        }
        l->lline++;
        l->lpos = (size_t)(nl - l->text) + 1;
    }
    return l->lline;
}

static struct tok_s *emit(struct lexer *l, enum tok t, size_t start, size_t end, int sp)
{
    struct tok_s *k;

    if (l->n == l->alloc) {
        l->alloc = l->alloc ? 2 * l->alloc : 64;
        l->toks = dk_xrealloc(l->toks, l->alloc * sizeof(*l->toks));
    }
    k = &l->toks[l->n++];
    memset(k, 0, sizeof(*k));
    k->t = t;
    k->s = l->text + start;
    k->len = end - start;
    k->pos = start;
    k->line = line_at(l, start);
    k->sp = sp;
    return k;
}

__attribute__((format(printf, 3, 4))) static void lex_error(struct lexer *l, size_t pos,
                                                            const char *fmt, ...)
{
    struct tok_s *k = emit(l, T_ERROR, pos, pos, 0);
    struct dk_buf b = DK_BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    dk_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    k->msg = dk_buf_detach(&b, NULL);
}

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_alnum(int c)
{
    return c == '_' || isalnum(c) || c >= 0x80;
}

static int starts(const struct lexer *l, size_t p, const char *s, size_t n)
{
    return p + n <= l->len && memcmp(l->text + p, s, n) == 0;
}

/* Right delimiter at p: 0 none, 1 plain, 2 with trim marker. */
static int at_rdelim(const struct lexer *l, size_t p)
{
    if (p + 2 <= l->len && is_space((unsigned char)l->text[p]) && l->text[p + 1] == '-' &&
        starts(l, p + 2, l->rd, l->rdlen))
        return 2;
    return starts(l, p, l->rd, l->rdlen) ? 1 : 0;
}

static int at_terminator(const struct lexer *l, size_t p)
{
    int c;

    if (p >= l->len)
        return 1;
    c = (unsigned char)l->text[p];
    if (is_space(c) || c == '.' || c == ',' || c == '|' || c == ':' || c == ')' || c == '(')
        return 1;
    return starts(l, p, l->rd, l->rdlen);
}

static const struct {
    const char *w;
    enum tok t;
} keywords[] = {
    {"block", T_BLOCK},   {"break", T_BREAK}, {"continue", T_CONTINUE},
    {"define", T_DEFINE}, {"else", T_ELSE},   {"end", T_END},
    {"if", T_IF},         {"range", T_RANGE}, {"template", T_TEMPLATE},
    {"with", T_WITH},
};

/* Scans a number as Go's lexer does; returns its end. */
static size_t scan_number(const struct lexer *l, size_t p)
{
    const char *digits = "0123456789_";
    const char *t = l->text;

    if (p < l->len && (t[p] == '+' || t[p] == '-'))
        p++;
    if (p + 1 < l->len && t[p] == '0') {
        char c = (char)tolower((unsigned char)t[p + 1]);

        if (c == 'x') {
            p += 2;
            digits = "0123456789abcdefABCDEF_";
        } else if (c == 'o') {
            p += 2;
            digits = "01234567_";
        } else if (c == 'b') {
            p += 2;
            digits = "01_";
        }
    }
    while (p < l->len && strchr(digits, t[p]) && t[p])
        p++;
    if (p < l->len && t[p] == '.') {
        p++;
        while (p < l->len && strchr(digits, t[p]) && t[p])
            p++;
    }
    if (strlen(digits) == 11 && p < l->len && (t[p] == 'e' || t[p] == 'E')) {
        p++;
        if (p < l->len && (t[p] == '+' || t[p] == '-'))
            p++;
        while (p < l->len && isdigit((unsigned char)t[p]))
            p++;
    }
    if (strlen(digits) == 23 && p < l->len && (t[p] == 'p' || t[p] == 'P')) {
        p++;
        if (p < l->len && (t[p] == '+' || t[p] == '-'))
            p++;
        while (p < l->len && isdigit((unsigned char)t[p]))
            p++;
    }
    return p;
}

/* Lexes one action starting after the left delimiter; returns the position after it. */
static size_t lex_action(struct lexer *l, size_t p, int *trim_right)
{
    const char *t = l->text;
    int depth = 0, sp = 0;

    for (;;) {
        int r = at_rdelim(l, p), c;
        size_t s = p;

        if (r) {
            if (depth > 0) {
                lex_error(l, p, "unclosed left paren");
                return l->len;
            }
            emit(l, T_RDELIM, p, p + (r == 2 ? 2 : 0) + l->rdlen, sp);
            *trim_right = r == 2;
            return p + (r == 2 ? 2 : 0) + l->rdlen;
        }
        if (p >= l->len) {
            lex_error(l, p, "unclosed action");
            return l->len;
        }
        c = (unsigned char)t[p];
        if (is_space(c)) {
            while (p < l->len && is_space((unsigned char)t[p]) && !at_rdelim(l, p))
                p++;
            sp = 1;
            continue;
        }
        if (c == '=') {
            emit(l, T_ASSIGN, s, p + 1, sp);
            p++;
        } else if (c == ':') {
            if (p + 1 >= l->len || t[p + 1] != '=') {
                lex_error(l, p, "expected :=");
                return l->len;
            }
            emit(l, T_DECLARE, s, p + 2, sp);
            p += 2;
        } else if (c == '|') {
            emit(l, T_PIPE, s, p + 1, sp);
            p++;
        } else if (c == '"' || c == '\'') {
            p++;
            for (;;) {
                if (p >= l->len || t[p] == '\n') {
                    lex_error(l, p,
                              c == '"' ? "unterminated quoted string"
                                       : "unterminated character constant");
                    return l->len;
                }
                if (t[p] == '\\' && p + 1 < l->len && t[p + 1] != '\n') {
                    p += 2;
                    continue;
                }
                if (t[p] == c)
                    break;
                p++;
            }
            p++;
            emit(l, c == '"' ? T_STRING : T_CHAR, s, p, sp);
        } else if (c == '`') {
            const char *e = memchr(t + p + 1, '`', l->len - p - 1);

            if (!e) {
                lex_error(l, p, "unterminated raw quoted string");
                return l->len;
            }
            p = (size_t)(e - t) + 1;
            emit(l, T_RAWSTRING, s, p, sp);
        } else if (c == '$' ||
                   (c == '.' && !(p + 1 < l->len && isdigit((unsigned char)t[p + 1])))) {
            p++;
            if (at_terminator(l, p)) {
                emit(l, c == '$' ? T_VAR : T_DOT, s, p, sp);
            } else {
                while (p < l->len && is_alnum((unsigned char)t[p]))
                    p++;
                if (!at_terminator(l, p)) {
                    lex_error(l, p, "bad character U+%04X '%c'", (unsigned char)t[p], t[p]);
                    return l->len;
                }
                emit(l, c == '$' ? T_VAR : T_FIELD, s, p, sp);
            }
        } else if (c == '+' || c == '-' || c == '.' || isdigit(c)) {
            p = scan_number(l, p);
            if (p < l->len && is_alnum((unsigned char)t[p])) {
                while (p < l->len && is_alnum((unsigned char)t[p]))
                    p++;
                lex_error(l, s, "bad number syntax: \"%.*s\"", (int)(p - s), t + s);
                return l->len;
            }
            emit(l, T_NUMBER, s, p, sp);
        } else if (is_alnum(c)) {
            enum tok k = T_IDENT;
            size_t i;

            while (p < l->len && is_alnum((unsigned char)t[p]))
                p++;
            if (!at_terminator(l, p)) {
                lex_error(l, p, "bad character U+%04X '%c'", (unsigned char)t[p], t[p]);
                return l->len;
            }
            for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
                if (strlen(keywords[i].w) == p - s && !memcmp(keywords[i].w, t + s, p - s))
                    k = keywords[i].t;
            if ((p - s == 4 && !memcmp(t + s, "true", 4)) ||
                (p - s == 5 && !memcmp(t + s, "false", 5)))
                k = T_BOOL;
            else if (p - s == 3 && !memcmp(t + s, "nil", 3))
                k = T_NIL;
            emit(l, k, s, p, sp);
        } else if (c == '(') {
            depth++;
            emit(l, T_LPAREN, s, ++p, sp);
        } else if (c == ')') {
            if (--depth < 0) {
                lex_error(l, p, "unexpected right paren");
                return l->len;
            }
            emit(l, T_RPAREN, s, ++p, sp);
        } else if (c == ',') {
            emit(l, T_COMMA, s, ++p, sp);
        } else if (c < 0x80 && isprint(c)) {
            emit(l, T_OTHER, s, ++p, sp);
        } else {
            lex_error(l, p, "unrecognized character in action: U+%04X", c);
            return l->len;
        }
        sp = 0;
    }
}

static void lex(struct lexer *l)
{
    size_t p = 0;
    int trim_right = 0;

    l->lline = 1;
    for (;;) {
        const char *d = NULL;
        size_t ts = p, te, a;
        int trim_left;

        if (trim_right) {
            while (ts < l->len && is_space((unsigned char)l->text[ts]))
                ts++;
            trim_right = 0;
        }
        /* the next left delimiter: memchr for its first byte, then compare */
        for (a = ts; a + l->ldlen <= l->len; a++) {
            const char *c = memchr(l->text + a, l->ld[0], l->len - l->ldlen + 1 - a);

            if (!c)
                break;
            a = (size_t)(c - l->text);
            if (!memcmp(c, l->ld, l->ldlen)) {
                d = c;
                break;
            }
        }
        if (!d) {
            if (ts < l->len)
                emit(l, T_TEXT, ts, l->len, 0);
            emit(l, T_EOF, l->len, l->len, 0);
            return;
        }
        te = a;
        p = a + l->ldlen;
        trim_left = p + 1 < l->len && l->text[p] == '-' && is_space((unsigned char)l->text[p + 1]);
        if (trim_left)
            while (te > ts && is_space((unsigned char)l->text[te - 1]))
                te--;
        if (te > ts)
            emit(l, T_TEXT, ts, te, 0);
        if (trim_left)
            p += 2;
        if (starts(l, p, "/*", 2)) {
            const char *e = NULL;
            size_t q;
            int r;

            for (q = p + 2; q + 1 < l->len; q++)
                if (l->text[q] == '*' && l->text[q + 1] == '/') {
                    e = l->text + q;
                    break;
                }
            if (!e) {
                lex_error(l, a, "unclosed comment");
                emit(l, T_EOF, l->len, l->len, 0);
                return;
            }
            q += 2;
            r = at_rdelim(l, q);
            if (!r) {
                lex_error(l, a, "comment ends before closing delimiter");
                emit(l, T_EOF, l->len, l->len, 0);
                return;
            }
            p = q + (r == 2 ? 2 : 0) + l->rdlen;
            trim_right = r == 2;
            continue;
        }
        emit(l, T_LDELIM, a, p, 0);
        p = lex_action(l, p, &trim_right);
        if (l->n && l->toks[l->n - 1].t == T_ERROR) {
            emit(l, T_EOF, l->len, l->len, 0);
            return;
        }
    }
}

/* ---------------------------------------------------------------- parse tree */

enum ntype {
    N_LIST,
    N_TEXT,
    N_ACTION,
    N_IF,
    N_RANGE,
    N_WITH,
    N_TEMPLATE,
    N_BREAK,
    N_CONTINUE,
    N_PIPE,
    N_CMD,
    N_FIELD,
    N_VAR,
    N_CHAIN,
    N_IDENT,
    N_DOT,
    N_NIL,
    N_LIT,  /* bool, number, string: val */
    N_END,  /* parser only */
    N_ELSE, /* parser only */
};

struct node {
    enum ntype t;
    size_t pos; /* in the tree's text */
    size_t srclen;
    struct node **kids; /* list items, pipe commands, command arguments */
    size_t nkids, akids;
    struct node *pipe, *list, *elist, *sub; /* sub: chain operand */
    char **idents; /* field/variable/chain names (without '.'; variables keep '$') */
    size_t nidents;
    const char *text; /* N_TEXT (points into the tree's text), N_TEMPLATE name (owned) */
    size_t tlen;
    char *name;         /* N_TEMPLATE name, N_IDENT function */
    struct dk_val *val; /* N_LIT */
    char **decl;        /* N_PIPE declarations */
    size_t ndecl;
    int assign;    /* N_PIPE: '=' rather than ':=' */
    size_t errpos; /* position Go reports in execution errors */
};

/* A parsed text, shared by the templates defined in it (their trees point into it). */
struct def_text {
    char *s;
    size_t defs; /* templates still using it */
};

struct dk_tmpl_def {
    char *name;
    char *parse_name;
    const char *text;
    struct node *root;
    struct def_text *tx;
    unsigned running; /* executions under way: a replaced template is freed after them */
    int replaced;     /* in dk_tmpl.old */
};

struct dk_tmpl_fnent {
    char *name;
    dk_tmpl_fn fn;
    void *ud;
};

/* The registered functions are kept sorted by name: a chart calls them tens of thousands of
 * times, and there are hundreds of them. Returns where name is or would go. */
static size_t fn_pos(const struct dk_tmpl *t, const char *name, int *found)
{
    size_t lo = 0, hi = t->nfns;

    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->fns[mid].name, name);

        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const struct dk_tmpl_fnent *fn_find(const struct dk_tmpl *t, const char *name)
{
    int found;
    size_t i = fn_pos(t, name, &found);

    return found ? &t->fns[i] : NULL;
}

static void node_free(struct node *n)
{
    size_t i;

    if (!n)
        return;
    for (i = 0; i < n->nkids; i++)
        node_free(n->kids[i]);
    free(n->kids);
    node_free(n->pipe);
    node_free(n->list);
    node_free(n->elist);
    node_free(n->sub);
    for (i = 0; i < n->nidents; i++)
        free(n->idents[i]);
    free(n->idents);
    free(n->name);
    dk_val_unref(n->val);
    for (i = 0; i < n->ndecl; i++)
        free(n->decl[i]);
    free(n->decl);
    free(n);
}

static struct node *node_new(enum ntype t, size_t pos)
{
    struct node *n = dk_xcalloc(1, sizeof(*n));

    n->t = t;
    n->pos = pos;
    n->errpos = pos;
    return n;
}

static void node_add(struct node *n, struct node *k)
{
    if (n->nkids == n->akids) {
        n->akids = n->akids ? 2 * n->akids : 4;
        n->kids = dk_xrealloc(n->kids, n->akids * sizeof(*n->kids));
    }
    n->kids[n->nkids++] = k;
}

static void add_ident(struct node *n, const char *s, size_t len)
{
    n->idents = dk_xrealloc(n->idents, (n->nidents + 1) * sizeof(char *));
    n->idents[n->nidents++] = dk_xstrndup(s, len);
}

static void def_free(struct dk_tmpl_def *d)
{
    if (!d)
        return;
    free(d->name);
    free(d->parse_name);
    node_free(d->root);
    if (d->tx && --d->tx->defs == 0) {
        free(d->tx->s);
        free(d->tx);
    }
    free(d);
}

/* ---------------------------------------------------------------- parser */

struct parser {
    struct dk_tmpl *t;
    struct lexer lx;
    size_t i;         /* next token */
    int adv;          /* the last next() moved on (backup() undoes only that) */
    const char *name; /* parse name */
    const char *text;
    char **vars;
    size_t nvars, avars;
    int range_depth;
    int depth;                 /* nesting of parentheses and control structures */
    struct dk_tmpl_def **defs; /* new definitions */
    size_t ndefs;
    struct dk_err *err;
    int failed;
};

static const struct tok_s *peek(struct parser *p)
{
    return &p->lx.toks[p->i];
}

static const struct tok_s *next(struct parser *p)
{
    const struct tok_s *k = &p->lx.toks[p->i];

    p->adv = k->t != T_EOF;
    if (p->adv)
        p->i++;
    return k;
}

static void backup(struct parser *p)
{
    if (p->adv && p->i > 0)
        p->i--;
    p->adv = 0;
}

__attribute__((format(printf, 3, 4))) static int perr(struct parser *p, const struct tok_s *k,
                                                      const char *fmt, ...)
{
    struct dk_buf b = DK_BUF_INIT;
    va_list ap;

    if (p->failed)
        return -1;
    p->failed = 1;
    va_start(ap, fmt);
    dk_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    dk_err_set(p->err, DK_E_INPUT, "template: %s:%d: %s", p->name, k ? k->line : 0, b.buf);
    dk_buf_release(&b);
    return -1;
}

/* Go's item String() for messages. */
static void tok_str(const struct tok_s *k, char *out, size_t size)
{
    if (k->t == T_EOF)
        snprintf(out, size, "EOF");
    else if (k->t == T_ERROR)
        snprintf(out, size, "%s", k->msg);
    else if (k->t > T_KEYWORD)
        snprintf(out, size, "<%.*s>", (int)k->len, k->s);
    else {
        struct dk_buf q = DK_BUF_INIT;

        dk_tmpl_quote(&q, k->s, k->len > 10 ? 10 : k->len);
        snprintf(out, size, "%s%s", q.buf, k->len > 10 ? "..." : "");
        dk_buf_release(&q);
    }
}

static int unexpected(struct parser *p, const struct tok_s *k, const char *context)
{
    char s[64];

    if (k->t == T_ERROR) {
        /* Go: " in action started at NAME:LINE" when the action began on an earlier line
         * (just " started at ..." after a message ending in " action") */
        size_t i = (size_t)(k - p->lx.toks);

        while (i > 0 && p->lx.toks[i - 1].t != T_LDELIM && p->lx.toks[i - 1].t != T_RDELIM)
            i--;
        if (i > 0 && p->lx.toks[i - 1].t == T_LDELIM && p->lx.toks[i - 1].line != k->line) {
            size_t ml = strlen(k->msg);
            int act = ml >= 7 && !strcmp(k->msg + ml - 7, " action");

            return perr(p, k, "%s%s started at %s:%d", k->msg, act ? "" : " in action", p->name,
                        p->lx.toks[i - 1].line);
        }
        return perr(p, k, "%s", k->msg);
    }
    tok_str(k, s, sizeof(s));
    return perr(p, k, "unexpected %s in %s", s, context);
}

static void var_push(struct parser *p, const char *s, size_t len)
{
    if (p->nvars == p->avars) {
        p->avars = p->avars ? 2 * p->avars : 8;
        p->vars = dk_xrealloc(p->vars, p->avars * sizeof(char *));
    }
    p->vars[p->nvars++] = dk_xstrndup(s, len);
}

static void var_pop(struct parser *p, size_t mark)
{
    while (p->nvars > mark)
        free(p->vars[--p->nvars]);
}

static int var_known(struct parser *p, const char *s, size_t len)
{
    size_t i;

    for (i = p->nvars; i-- > 0;)
        if (strlen(p->vars[i]) == len && !memcmp(p->vars[i], s, len))
            return 1;
    return 0;
}

static int builtin_known(const char *name);

static int fn_known(struct parser *p, const char *s, size_t len)
{
    char name[128];

    if (len >= sizeof(name))
        return 0;
    memcpy(name, s, len);
    name[len] = 0;
    if (fn_find(p->t, name))
        return 1;
    return builtin_known(name);
}

static void utf8_put(struct dk_buf *b, unsigned long r)
{
    if (r < 0x80) {
        dk_buf_addch(b, (char)r);
    } else if (r < 0x800) {
        dk_buf_addch(b, (char)(0xc0 | (r >> 6)));
        dk_buf_addch(b, (char)(0x80 | (r & 0x3f)));
    } else if (r < 0x10000) {
        dk_buf_addch(b, (char)(0xe0 | (r >> 12)));
        dk_buf_addch(b, (char)(0x80 | ((r >> 6) & 0x3f)));
        dk_buf_addch(b, (char)(0x80 | (r & 0x3f)));
    } else {
        dk_buf_addch(b, (char)(0xf0 | (r >> 18)));
        dk_buf_addch(b, (char)(0x80 | ((r >> 12) & 0x3f)));
        dk_buf_addch(b, (char)(0x80 | ((r >> 6) & 0x3f)));
        dk_buf_addch(b, (char)(0x80 | (r & 0x3f)));
    }
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Go's strconv.Unquote for "..." and '...' bodies (s without the quotes). -1 on a bad
 * escape. */
static int unquote(const char *s, size_t len, int quote, struct dk_buf *b)
{
    size_t i = 0;

    while (i < len) {
        int c = (unsigned char)s[i++];
        int n = 0, base = 16, k;
        unsigned long r = 0;

        if (c != '\\') {
            dk_buf_addch(b, (char)c);
            continue;
        }
        if (i >= len)
            return -1;
        c = (unsigned char)s[i++];
        switch (c) {
        case 'a':
            dk_buf_addch(b, '\a');
            continue;
        case 'b':
            dk_buf_addch(b, '\b');
            continue;
        case 'f':
            dk_buf_addch(b, '\f');
            continue;
        case 'n':
            dk_buf_addch(b, '\n');
            continue;
        case 'r':
            dk_buf_addch(b, '\r');
            continue;
        case 't':
            dk_buf_addch(b, '\t');
            continue;
        case 'v':
            dk_buf_addch(b, '\v');
            continue;
        case '\\':
            dk_buf_addch(b, '\\');
            continue;
        case '\'':
        case '"':
            if (c != quote)
                return -1;
            dk_buf_addch(b, (char)c);
            continue;
        case 'x':
            n = 2;
            break;
        case 'u':
            n = 4;
            break;
        case 'U':
            n = 8;
            break;
        default:
            if (c >= '0' && c <= '7') {
                n = 2;
                base = 8;
                r = (unsigned long)(c - '0');
                break;
            }
            return -1;
        }
        for (k = 0; k < n; k++) {
            int d = i < len ? hexval((unsigned char)s[i]) : -1;

            if (d < 0 || d >= base)
                return -1;
            r = r * (unsigned long)base + (unsigned long)d;
            i++;
        }
        if (c == 'x' || base == 8) {
            if (r > 255)
                return -1;
            dk_buf_addch(b, (char)r);
        } else {
            if (r > 0x10ffff || (r >= 0xd800 && r < 0xe000))
                return -1;
            utf8_put(b, r);
        }
    }
    return 0;
}

/* Decodes one UTF-8 rune at s (len > 0); *n gets its length. Invalid bytes give 0xFFFD. */
static unsigned long utf8_get(const unsigned char *s, size_t len, size_t *n)
{
    unsigned long r;
    size_t k, need;

    if (s[0] < 0x80) {
        *n = 1;
        return s[0];
    }
    if ((s[0] & 0xe0) == 0xc0) {
        need = 2;
        r = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        need = 3;
        r = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        need = 4;
        r = s[0] & 0x07;
    } else {
        *n = 1;
        return 0xfffd;
    }
    if (len < need) {
        *n = 1;
        return 0xfffd;
    }
    for (k = 1; k < need; k++) {
        if ((s[k] & 0xc0) != 0x80) {
            *n = 1;
            return 0xfffd;
        }
        r = (r << 6) | (s[k] & 0x3f);
    }
    *n = need;
    return r;
}

/* A number literal as Go's template gives it: int unless it has '.', 'e' or 'p' (hex
 * floats), char constants are ints. */
static struct dk_val *parse_number(const char *s, size_t len, int *overflow)
{
    char buf[128];
    size_t i, n = 0;
    int neg = 0, base = 10, isfloat = 0;
    const char *d;
    char *end;

    if (len >= sizeof(buf))
        return NULL;
    for (i = 0; i < len; i++) {
        if (s[i] != '_') {
            buf[n++] = s[i];
            continue;
        }
        /* Go: an underscore sits between digits, or after a base prefix */
        if (i == 0 || i + 1 >= len || !isxdigit((unsigned char)s[i + 1]) ||
            !(isxdigit((unsigned char)s[i - 1]) || strchr("xXoObB", s[i - 1])))
            return NULL;
    }
    buf[n] = 0;
    if (n == 0 || buf[n - 1] == '_' || (len > 0 && (s[len - 1] == '_')))
        return NULL;
    d = buf;
    if (*d == '+' || *d == '-')
        neg = *d++ == '-';
    if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
        base = 16;
        isfloat = strpbrk(d, "pP.") != NULL;
    } else if (d[0] == '0' && (d[1] == 'o' || d[1] == 'O')) {
        base = 8;
        d += 2;
    } else if (d[0] == '0' && (d[1] == 'b' || d[1] == 'B')) {
        base = 2;
        d += 2;
    } else {
        isfloat = strpbrk(d, ".eE") != NULL;
        if (!isfloat && d[0] == '0' && d[1])
            base = 8;
    }
    if (!*d)
        return NULL;
    if (isfloat) {
        double f;

        errno = 0;
        f = strtod(buf, &end);
        if (*end || end == buf || (errno == ERANGE && isinf(f)))
            return NULL; /* Go's ParseFloat fails on overflow, gives 0 on underflow */
        return dk_val_float(f);
    } else {
        unsigned long long u;

        if (base == 16)
            d += 2;
        if (!*d)
            return NULL;
        errno = 0;
        u = strtoull(d, &end, base);
        if (*end)
            return NULL;
        if (errno == ERANGE || u > (unsigned long long)INT64_MAX + (unsigned long long)neg) {
            *overflow = 1;
            return NULL;
        }
        return dk_val_int(neg ? (int64_t)(0 - u) : (int64_t)u);
    }
}

static struct node *parse_pipeline(struct parser *p, const char *context, enum tok end);

static struct node *term(struct parser *p)
{
    const struct tok_s *k = next(p);
    struct node *n;
    struct dk_buf b = DK_BUF_INIT;

    switch (k->t) {
    case T_IDENT:
        if (!fn_known(p, k->s, k->len)) {
            perr(p, k, "function \"%.*s\" not defined", (int)k->len, k->s);
            return NULL;
        }
        n = node_new(N_IDENT, k->pos);
        n->name = dk_xstrndup(k->s, k->len);
        n->srclen = k->len;
        return n;
    case T_DOT:
        n = node_new(N_DOT, k->pos);
        n->srclen = 1;
        return n;
    case T_NIL:
        n = node_new(N_NIL, k->pos);
        n->srclen = 3;
        return n;
    case T_VAR:
        if (!var_known(p, k->s, k->len)) {
            perr(p, k, "undefined variable \"%.*s\"", (int)k->len, k->s);
            return NULL;
        }
        n = node_new(N_VAR, k->pos);
        add_ident(n, k->s, k->len);
        n->srclen = k->len;
        return n;
    case T_FIELD:
        n = node_new(N_FIELD, k->pos);
        add_ident(n, k->s + 1, k->len - 1);
        n->srclen = k->len;
        return n;
    case T_BOOL:
        n = node_new(N_LIT, k->pos);
        n->val = dk_val_bool(k->len == 4);
        n->srclen = k->len;
        return n;
    case T_CHAR: {
        size_t rl = 0;
        unsigned long r = 0;
        int bad = unquote(k->s + 1, k->len - 2, '\'', &b) < 0 || b.len == 0;

        if (!bad) {
            r = utf8_get((const unsigned char *)b.buf, b.len, &rl);
            bad = rl != b.len;
        }
        dk_buf_release(&b);
        if (bad) {
            perr(p, k, "malformed character constant: %.*s", (int)k->len, k->s);
            return NULL;
        }
        n = node_new(N_LIT, k->pos);
        n->val = dk_val_int((int64_t)r);
        n->srclen = k->len;
        return n;
    }
    case T_NUMBER: {
        int overflow = 0;
        struct dk_val *num = parse_number(k->s, k->len, &overflow);

        if (!num) {
            if (overflow)
                perr(p, k, "integer overflow: \"%.*s\"", (int)k->len, k->s);
            else
                perr(p, k, "illegal number syntax: \"%.*s\"", (int)k->len, k->s);
            return NULL;
        }
        n = node_new(N_LIT, k->pos);
        n->val = num;
        n->srclen = k->len;
    }
        return n;
    case T_LPAREN:
        if (++p->depth > DK_TMPL_MAX_NESTING) {
            perr(p, k, "max nesting depth %d exceeded", DK_TMPL_MAX_NESTING);
            return NULL;
        }
        n = parse_pipeline(p, "parenthesized pipeline", T_RPAREN);
        p->depth--;
        if (n)
            n->srclen = p->lx.toks[p->i - 1].pos + 1 - k->pos, n->pos = k->pos;
        return n;
    case T_STRING:
        if (unquote(k->s + 1, k->len - 2, '"', &b) < 0) {
            dk_buf_release(&b);
            perr(p, k, "invalid syntax"); /* strconv.ErrSyntax, as Go words it */
            return NULL;
        }
        n = node_new(N_LIT, k->pos);
        n->val = dk_val_strn(b.buf, b.len);
        n->srclen = k->len;
        dk_buf_release(&b);
        return n;
    case T_RAWSTRING:
        n = node_new(N_LIT, k->pos);
        {
            /* Go drops carriage returns from raw strings */
            size_t i;

            for (i = 1; i + 1 < k->len; i++)
                if (k->s[i] != '\r')
                    dk_buf_addch(&b, k->s[i]);
        }
        n->val = dk_val_strn(b.buf, b.len);
        n->srclen = k->len;
        dk_buf_release(&b);
        return n;
    default:
        backup(p);
        return NULL;
    }
}

static struct node *operand(struct parser *p)
{
    struct node *n = term(p), *c;

    if (!n || p->failed)
        return n;
    if (peek(p)->t == T_FIELD && !peek(p)->sp) {
        if (n->t == N_LIT || n->t == N_NIL || n->t == N_DOT) {
            struct dk_buf q = DK_BUF_INIT;

            dk_tmpl_quote(&q, p->text + n->pos, n->srclen);
            node_free(n);
            perr(p, peek(p), "unexpected . after term %s", q.buf);
            dk_buf_release(&q);
            return NULL;
        }
        if (n->t == N_FIELD || n->t == N_VAR) {
            c = n;
        } else {
            c = node_new(N_CHAIN, n->pos);
            c->sub = n;
        }
        c->errpos = peek(p)->pos; /* Go reports a chain at its second part */
        while (peek(p)->t == T_FIELD && !peek(p)->sp) {
            const struct tok_s *k = next(p);

            add_ident(c, k->s + 1, k->len - 1);
            c->srclen = k->pos + k->len - c->pos;
        }
        n = c;
    }
    return n;
}

static struct node *command(struct parser *p)
{
    struct node *cmd = node_new(N_CMD, peek(p)->pos);

    for (;;) {
        struct node *o = operand(p);
        const struct tok_s *k;

        if (p->failed) {
            node_free(cmd);
            return NULL;
        }
        if (o)
            node_add(cmd, o);
        k = next(p);
        if (k->t == T_RDELIM || k->t == T_RPAREN) {
            backup(p);
            break;
        }
        if (k->t == T_PIPE)
            break;
        if (o && k->sp && k->t != T_EOF && k->t != T_ERROR) {
            backup(p);
            continue;
        }
        unexpected(p, k, "operand");
        node_free(cmd);
        return NULL;
    }
    if (cmd->nkids == 0) {
        perr(p, peek(p), "empty command");
        node_free(cmd);
        return NULL;
    }
    {
        struct node *last = cmd->kids[cmd->nkids - 1];

        cmd->srclen = last->pos + last->srclen - cmd->pos;
    }
    return cmd;
}

static struct node *parse_pipeline(struct parser *p, const char *context, enum tok end)
{
    struct node *pipe = node_new(N_PIPE, peek(p)->pos);
    const struct tok_s *k;
    size_t start = p->i;

    /* declarations */
    for (;;) {
        const struct tok_s *v = peek(p), *a;

        if (v->t != T_VAR)
            break;
        next(p);
        a = peek(p);
        if (a->t == T_DECLARE || a->t == T_ASSIGN) {
            next(p);
            pipe->decl = dk_xrealloc(pipe->decl, (pipe->ndecl + 1) * sizeof(char *));
            pipe->decl[pipe->ndecl++] = dk_xstrndup(v->s, v->len);
            pipe->assign = a->t == T_ASSIGN;
            /* Go declares the name for the parse even when assigning: an assignment to
             * an unknown variable fails when it runs ("undefined variable: $x") */
            var_push(p, v->s, v->len);
            break;
        }
        if (a->t == T_COMMA) {
            next(p);
            pipe->decl = dk_xrealloc(pipe->decl, (pipe->ndecl + 1) * sizeof(char *));
            pipe->decl[pipe->ndecl++] = dk_xstrndup(v->s, v->len);
            var_push(p, v->s, v->len);
            if (!strcmp(context, "range") && pipe->ndecl < 2) {
                k = peek(p);
                if (k->t == T_VAR || k->t == T_RDELIM || k->t == T_RPAREN)
                    continue;
                perr(p, k, "range can only initialize variables");
                goto fail;
            }
            perr(p, a, "too many declarations in %s", context);
            goto fail;
        }
        /* not a declaration: the variable is an operand */
        p->i = start;
        break;
    }
    for (;;) {
        k = next(p);
        if (k->t == end) {
            size_t i;

            if (pipe->nkids == 0) {
                perr(p, k, "missing value for %s", context);
                goto fail;
            }
            for (i = 1; i < pipe->nkids; i++) {
                struct node *f = pipe->kids[i]->kids[0];

                if (f->t == N_LIT || f->t == N_NIL || f->t == N_DOT) {
                    perr(p, k, "non executable command in pipeline stage %zu", i + 1);
                    goto fail;
                }
            }
            pipe->srclen = k->pos - pipe->pos;
            while (pipe->srclen > 0 &&
                   is_space((unsigned char)p->text[pipe->pos + pipe->srclen - 1]))
                pipe->srclen--;
            return pipe;
        }
        switch (k->t) {
        case T_BOOL:
        case T_CHAR:
        case T_DOT:
        case T_FIELD:
        case T_IDENT:
        case T_NUMBER:
        case T_NIL:
        case T_RAWSTRING:
        case T_STRING:
        case T_VAR:
        case T_LPAREN: {
            struct node *c;

            backup(p);
            c = command(p);
            if (!c)
                goto fail;
            node_add(pipe, c);
            break;
        }
        default:
            unexpected(p, k, context);
            goto fail;
        }
    }
fail:
    node_free(pipe);
    return NULL;
}

static struct node *text_or_action(struct parser *p);

/* Parses nodes up to {{end}} or {{else}}; *term gets that node. */
static struct node *item_list(struct parser *p, struct node **term_out)
{
    struct node *list = node_new(N_LIST, peek(p)->pos);

    *term_out = NULL;
    while (peek(p)->t != T_EOF && peek(p)->t != T_ERROR) {
        struct node *n = text_or_action(p);

        if (!n)
            goto fail;
        if (n->t == N_END || n->t == N_ELSE) {
            *term_out = n;
            return list;
        }
        node_add(list, n);
    }
    if (peek(p)->t == T_ERROR)
        unexpected(p, peek(p), "input");
    else
        perr(p, peek(p), "unexpected EOF");
fail:
    node_free(list);
    return NULL;
}

static struct node *parse_control(struct parser *p, enum ntype type, const char *context,
                                  size_t pos)
{
    size_t mark = p->nvars;
    struct node *n, *term_n = NULL;

    if (p->depth >= DK_TMPL_MAX_NESTING) {
        perr(p, &p->lx.toks[p->i - 1], "max nesting depth %d exceeded", DK_TMPL_MAX_NESTING);
        return NULL;
    }
    n = node_new(type, pos);
    p->depth++;
    n->pipe = parse_pipeline(p, context, T_RDELIM);
    if (!n->pipe)
        goto fail;
    if (type == N_RANGE)
        p->range_depth++;
    n->list = item_list(p, &term_n);
    if (type == N_RANGE)
        p->range_depth--;
    if (!n->list)
        goto fail;
    if (term_n->t == N_ELSE) {
        node_free(term_n);
        term_n = NULL;
        if ((type == N_IF && peek(p)->t == T_IF) || (type == N_WITH && peek(p)->t == T_WITH)) {
            const struct tok_s *k = next(p);
            struct node *sub = parse_control(p, type, context, k->pos);

            if (!sub)
                goto fail;
            n->elist = node_new(N_LIST, k->pos);
            node_add(n->elist, sub);
        } else {
            n->elist = item_list(p, &term_n);
            if (!n->elist)
                goto fail;
            if (term_n->t != N_END) {
                perr(p, &p->lx.toks[p->i - 1], "expected end; found {{else}}");
                goto fail;
            }
        }
    }
    node_free(term_n);
    var_pop(p, mark);
    p->depth--;
    return n;
fail:
    node_free(term_n);
    node_free(n);
    var_pop(p, mark);
    p->depth--;
    return NULL;
}

static int expect(struct parser *p, enum tok t, const char *context)
{
    const struct tok_s *k = next(p);

    if (k->t != t)
        return unexpected(p, k, context);
    return 0;
}

static int add_def(struct parser *p, const char *name, struct node *root);

static struct node *template_control(struct parser *p, const char *context, size_t pos, int block)
{
    const struct tok_s *k = next(p);
    struct node *n;
    struct dk_buf b = DK_BUF_INIT;

    if (k->t == T_STRING) {
        if (unquote(k->s + 1, k->len - 2, '"', &b) < 0) {
            dk_buf_release(&b);
            perr(p, k, "invalid syntax"); /* strconv.ErrSyntax, as Go words it */
            return NULL;
        }
    } else if (k->t == T_RAWSTRING) {
        dk_buf_addn(&b, k->s + 1, k->len - 2);
    } else {
        unexpected(p, k, context);
        return NULL;
    }
    n = node_new(N_TEMPLATE, pos);
    n->errpos = k->pos;
    n->name = dk_buf_detach(&b, NULL);
    if (!block && peek(p)->t == T_RDELIM) {
        next(p);
    } else {
        n->pipe = parse_pipeline(p, context, T_RDELIM);
        if (!n->pipe) {
            node_free(n);
            return NULL;
        }
    }
    if (block) {
        /* {{block "x" .}}body{{end}} = {{define "x"}}body{{end}}{{template "x" .}} */
        struct node *body, *term_n = NULL;
        char **saved = p->vars;
        size_t nsaved = p->nvars, asaved = p->avars;

        int saved_range = p->range_depth;

        p->vars = NULL;
        p->nvars = p->avars = 0;
        p->range_depth = 0; /* break/continue do not cross into the block's template */
        var_push(p, "$", 1);
        body = item_list(p, &term_n);
        p->range_depth = saved_range;
        var_pop(p, 0);
        free(p->vars);
        p->vars = saved;
        p->nvars = nsaved;
        p->avars = asaved;
        if (!body) {
            node_free(n);
            return NULL;
        }
        if (term_n->t != N_END) {
            node_free(term_n);
            node_free(body);
            node_free(n);
            perr(p, &p->lx.toks[p->i - 1], "unexpected {{else}} in block clause");
            return NULL;
        }
        node_free(term_n);
        if (add_def(p, n->name, body) < 0) {
            node_free(n);
            return NULL;
        }
    }
    return n;
}

static struct node *action(struct parser *p)
{
    const struct tok_s *k = next(p);
    struct node *n;

    switch (k->t) {
    case T_BLOCK:
        return template_control(p, "block clause", k->pos, 1);
    case T_BREAK:
    case T_CONTINUE:
        if (p->range_depth == 0) {
            perr(p, k, "{{%s}} outside {{range}}", k->t == T_BREAK ? "break" : "continue");
            return NULL;
        }
        if (expect(p, T_RDELIM, k->t == T_BREAK ? "{{break}}" : "{{continue}}") < 0)
            return NULL;
        return node_new(k->t == T_BREAK ? N_BREAK : N_CONTINUE, k->pos);
    case T_ELSE:
        if (peek(p)->t == T_IF || peek(p)->t == T_WITH)
            return node_new(N_ELSE, k->pos);
        if (expect(p, T_RDELIM, "else") < 0)
            return NULL;
        return node_new(N_ELSE, k->pos);
    case T_END:
        if (expect(p, T_RDELIM, "end") < 0)
            return NULL;
        return node_new(N_END, k->pos);
    case T_IF:
        return parse_control(p, N_IF, "if", k->pos);
    case T_RANGE:
        return parse_control(p, N_RANGE, "range", k->pos);
    case T_WITH:
        return parse_control(p, N_WITH, "with", k->pos);
    case T_TEMPLATE:
        return template_control(p, "template clause", k->pos, 0);
    default:
        backup(p);
        n = node_new(N_ACTION, k->pos);
        n->pipe = parse_pipeline(p, "command", T_RDELIM);
        if (!n->pipe) {
            node_free(n);
            return NULL;
        }
        return n;
    }
}

static struct node *text_or_action(struct parser *p)
{
    const struct tok_s *k = next(p);
    struct node *n;

    switch (k->t) {
    case T_TEXT:
        n = node_new(N_TEXT, k->pos);
        n->text = k->s;
        n->tlen = k->len;
        return n;
    case T_LDELIM:
        return action(p);
    default:
        unexpected(p, k, "input");
        return NULL;
    }
}

static int empty_tree(const struct node *n)
{
    size_t i;

    if (!n)
        return 1;
    for (i = 0; i < n->nkids; i++) {
        const struct node *k = n->kids[i];
        size_t j;

        if (k->t != N_TEXT)
            return 0;
        for (j = 0; j < k->tlen; j++)
            if (!is_space((unsigned char)k->text[j]))
                return 0;
    }
    return 1;
}

static int add_def(struct parser *p, const char *name, struct node *root)
{
    struct dk_tmpl_def *d;
    size_t i;

    for (i = 0; i < p->ndefs; i++)
        if (!strcmp(p->defs[i]->name, name)) {
            if (empty_tree(p->defs[i]->root)) {
                node_free(p->defs[i]->root);
                p->defs[i]->root = root;
                return 0;
            }
            if (!empty_tree(root)) {
                node_free(root);
                return perr(p, &p->lx.toks[p->i ? p->i - 1 : 0],
                            "template: multiple definition of template \"%s\"", name);
            }
            node_free(root);
            return 0;
        }
    d = dk_xcalloc(1, sizeof(*d));
    d->name = dk_xstrdup(name);
    d->parse_name = dk_xstrdup(p->name);
    d->text = p->text;
    d->root = root;
    p->defs = dk_xrealloc(p->defs, (p->ndefs + 1) * sizeof(*p->defs));
    p->defs[p->ndefs++] = d;
    return 0;
}

static int parse_define(struct parser *p)
{
    const struct tok_s *k = next(p);
    struct dk_buf b = DK_BUF_INIT;
    struct node *body, *term_n = NULL;
    size_t mark = p->nvars;
    int rc;

    if (k->t == T_STRING) {
        if (unquote(k->s + 1, k->len - 2, '"', &b) < 0) {
            dk_buf_release(&b);
            return perr(p, k, "invalid syntax");
        }
    } else if (k->t == T_RAWSTRING) {
        dk_buf_addn(&b, k->s + 1, k->len - 2);
    } else {
        return unexpected(p, k, "define clause");
    }
    if (expect(p, T_RDELIM, "define clause") < 0) {
        dk_buf_release(&b);
        return -1;
    }
    var_push(p, "$", 1);
    body = item_list(p, &term_n);
    var_pop(p, mark);
    if (!body) {
        dk_buf_release(&b);
        return -1;
    }
    if (term_n->t != N_END) {
        node_free(term_n);
        node_free(body);
        dk_buf_release(&b);
        return perr(p, &p->lx.toks[p->i - 1], "unexpected {{else}} in define clause");
    }
    node_free(term_n);
    rc = add_def(p, b.buf, body);
    dk_buf_release(&b);
    return rc;
}

/* Parses the whole text into p->defs (the top-level template first). */
static int parse_all(struct parser *p, const char *name)
{
    struct node *root = node_new(N_LIST, 0);

    var_push(p, "$", 1);
    while (peek(p)->t != T_EOF) {
        struct node *n;

        if (peek(p)->t == T_LDELIM && (p->lx.toks[p->i + 1].t == T_DEFINE)) {
            p->i += 2;
            if (parse_define(p) < 0)
                goto fail;
            continue;
        }
        if (peek(p)->t == T_ERROR) {
            unexpected(p, peek(p), "input");
            goto fail;
        }
        n = text_or_action(p);
        if (!n)
            goto fail;
        if (n->t == N_END || n->t == N_ELSE) {
            perr(p, &p->lx.toks[p->i - 1], "unexpected {{%s}}", n->t == N_END ? "end" : "else");
            node_free(n);
            goto fail;
        }
        node_add(root, n);
    }
    var_pop(p, 0);
    return add_def(p, name, root);
fail:
    var_pop(p, 0);
    node_free(root);
    return -1;
}

/* Adds d to the set; force: replace a same-named definition even when d is empty. */
static void tmpl_add_def(struct dk_tmpl *t, struct dk_tmpl_def *d, int force)
{
    size_t i;

    for (i = 0; i < t->ndefs; i++)
        if (!strcmp(t->defs[i]->name, d->name)) {
            if (!force && empty_tree(d->root) && !empty_tree(t->defs[i]->root)) {
                def_free(d);
                return;
            }
            if (t->defs[i]->running) {
                /* replaced while it runs (tpl, or a define seen by a later parse): kept
                 * until its last execution ends, see def_done() */
                t->defs[i]->replaced = 1;
                t->old = dk_xrealloc(t->old, (t->nold + 1) * sizeof(*t->old));
                t->old[t->nold++] = t->defs[i];
            } else {
                def_free(t->defs[i]); /* Helm's tpl replaces its template in every call */
            }
            t->defs[i] = d;
            return;
        }
    t->defs = dk_xrealloc(t->defs, (t->ndefs + 1) * sizeof(*t->defs));
    t->defs[t->ndefs++] = d;
}

/*
 * The templates a parse inside an execution (Helm's tpl) put in the set for that execution
 * only: Helm parses into a clone of the set, so the caller's set never sees them. now: the
 * template installed; was: the one it hides (NULL when the name was new).
 */
struct scope {
    struct scope_change {
        struct dk_tmpl_def *now, *was;
    } * ch;
    size_t n;
};

/* Frees d, or keeps it until its executions end (see def_done()). */
static void def_drop(struct dk_tmpl *t, struct dk_tmpl_def *d)
{
    if (!d->running) {
        def_free(d);
        return;
    }
    d->replaced = 1;
    t->old = dk_xrealloc(t->old, (t->nold + 1) * sizeof(*t->old));
    t->old[t->nold++] = d;
}

static void scope_add_def(struct dk_tmpl *t, struct dk_tmpl_def *d, int force, struct scope *sc)
{
    struct dk_tmpl_def *was = NULL;
    size_t i;

    for (i = 0; i < t->ndefs; i++)
        if (!strcmp(t->defs[i]->name, d->name))
            break;
    if (i < t->ndefs) {
        if (!force && empty_tree(d->root) && !empty_tree(t->defs[i]->root)) {
            def_free(d);
            return;
        }
        was = t->defs[i];
        t->defs[i] = d;
    } else {
        t->defs = dk_xrealloc(t->defs, (t->ndefs + 1) * sizeof(*t->defs));
        t->defs[t->ndefs++] = d;
    }
    sc->ch = dk_xrealloc(sc->ch, (sc->n + 1) * sizeof(*sc->ch));
    sc->ch[sc->n].now = d;
    sc->ch[sc->n].was = was;
    sc->n++;
}

/* Puts the set back as it was before the scope's parse. */
static void scope_end(struct dk_tmpl *t, struct scope *sc)
{
    while (sc->n > 0) {
        struct scope_change *c = &sc->ch[--sc->n];
        size_t i;

        for (i = 0; i < t->ndefs && t->defs[i] != c->now; i++)
            ;
        if (i == t->ndefs) { /* replaced meanwhile by a plain parse, which owns it now */
            if (c->was)
                def_drop(t, c->was);
            continue;
        }
        if (c->was) {
            t->defs[i] = c->was;
        } else {
            memmove(t->defs + i, t->defs + i + 1, (t->ndefs - i - 1) * sizeof(*t->defs));
            t->ndefs--;
        }
        def_drop(t, c->now);
    }
    free(sc->ch);
    sc->ch = NULL;
}

/* Parses text as template NAME plus its defines into t; with sc, for the scope only (NAME
 * replaced even when the text is empty). */
static int parse_into(struct dk_tmpl *t, const char *name, const char *text, size_t len,
                      struct scope *sc, struct dk_err *err)
{
    struct parser p;
    char *copy = dk_xmalloc(len + 1); /* not strndup: the text may hold NUL bytes */
    size_t i;
    int rc;

    if (len)
        memcpy(copy, text, len);
    copy[len] = 0;
    memset(&p, 0, sizeof(p));
    p.t = t;
    p.err = err;
    p.name = name;
    p.text = copy;
    p.lx.text = copy;
    p.lx.len = len;
    p.lx.ld = t->ldelim[0] ? t->ldelim : "{{";
    p.lx.rd = t->rdelim[0] ? t->rdelim : "}}";
    p.lx.ldlen = strlen(p.lx.ld);
    p.lx.rdlen = strlen(p.lx.rd);
    lex(&p.lx);
    rc = parse_all(&p, name);
    if (rc == 0 && p.ndefs > 0) {
        struct def_text *tx = dk_xmalloc(sizeof(*tx));

        tx->s = copy;
        tx->defs = p.ndefs;
        for (i = 0; i < p.ndefs; i++)
            p.defs[i]->tx = tx;
        for (i = 0; i < p.ndefs; i++) {
            if (sc)
                scope_add_def(t, p.defs[i], !strcmp(p.defs[i]->name, name), sc);
            else
                tmpl_add_def(t, p.defs[i], 0);
        }
    } else {
        for (i = 0; i < p.ndefs; i++)
            def_free(p.defs[i]);
        free(copy);
    }
    free(p.defs);
    for (i = 0; i < p.lx.n; i++)
        free(p.lx.toks[i].msg);
    free(p.lx.toks);
    var_pop(&p, 0);
    free(p.vars);
    return rc;
}

int dk_tmpl_parse(struct dk_tmpl *t, const char *name, const char *text, size_t len,
                  struct dk_err *err)
{
    return parse_into(t, name, text, len, NULL, err);
}

/* ---------------------------------------------------------------- set */

void dk_tmpl_init(struct dk_tmpl *t)
{
    memset(t, 0, sizeof(*t));
    t->max_depth = 1000;
    t->max_output = 64u << 20;
    t->max_range = 10000000;
}

void dk_tmpl_release(struct dk_tmpl *t)
{
    size_t i;

    for (i = 0; i < t->ndefs; i++)
        def_free(t->defs[i]);
    free(t->defs);
    for (i = 0; i < t->nold; i++)
        def_free(t->old[i]);
    free(t->old);
    t->old = NULL;
    t->nold = 0;
    for (i = 0; i < t->nfns; i++)
        free(t->fns[i].name);
    free(t->fns);
    t->defs = NULL;
    t->ndefs = 0;
    t->fns = NULL;
    t->nfns = 0;
}

void dk_tmpl_set_delims(struct dk_tmpl *t, const char *left, const char *right)
{
    snprintf(t->ldelim, sizeof(t->ldelim), "%s", left ? left : "");
    snprintf(t->rdelim, sizeof(t->rdelim), "%s", right ? right : "");
}

void dk_tmpl_register(struct dk_tmpl *t, const char *name, dk_tmpl_fn fn, void *ud)
{
    int found;
    size_t i = fn_pos(t, name, &found);

    if (found) {
        t->fns[i].fn = fn;
        t->fns[i].ud = ud;
        return;
    }
    t->fns = dk_xrealloc(t->fns, (t->nfns + 1) * sizeof(*t->fns));
    memmove(&t->fns[i + 1], &t->fns[i], (t->nfns - i) * sizeof(*t->fns));
    t->fns[i].name = dk_xstrdup(name);
    t->fns[i].fn = fn;
    t->fns[i].ud = ud;
    t->nfns++;
}

static struct dk_tmpl_def *find_def(const struct dk_tmpl *t, const char *name)
{
    size_t i;

    for (i = 0; i < t->ndefs; i++)
        if (!strcmp(t->defs[i]->name, name))
            return t->defs[i];
    return NULL;
}

int dk_tmpl_has(const struct dk_tmpl *t, const char *name)
{
    return find_def(t, name) != NULL;
}

/* ---------------------------------------------------------------- fmt */

/* Appends s quoted as Go's strconv.Quote does. */
/* Go's strconv.IsPrint for the code points charts meet; an approximation above U+00FF
 * (format and separator characters are escaped, everything else is kept). */
static int go_isprint(unsigned long c)
{
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0xa0) || c == 0xad)
        return 0;
    if ((c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) ||
        (c >= 0x205f && c <= 0x206f) || c == 0x3000 || c == 0xfeff ||
        (c >= 0xfff9 && c <= 0xfffb) || c == 0x1680 || c == 0x180e)
        return 0;
    return 1;
}

/* strconv.Quote, or with ascii strconv.QuoteToASCII (%+q): no byte above 0x7f unescaped. */
static void quote_to(struct dk_buf *b, const char *s, size_t len, int ascii)
{
    static const char controls[] = "\a\b\f\n\r\t\v";
    const char *esc;
    size_t i = 0;

    dk_buf_addch(b, '"');
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t n = 1;
        unsigned long r;

        if (c == '"' || c == '\\') {
            dk_buf_addch(b, '\\');
            dk_buf_addch(b, (char)c);
            i++;
            continue;
        }
        r = c < 0x80 ? c : utf8_get((const unsigned char *)s + i, len - i, &n);
        if (c >= 0x80 && r == 0xfffd && n == 1)
            dk_buf_addf(b, "\\x%02x", c);
        else if (go_isprint(r) && !(ascii && r >= 0x80))
            dk_buf_addn(b, s + i, n);
        else if (r && (esc = strchr(controls, (int)r)))
            dk_buf_addf(b, "\\%c", "abfnrtv"[esc - controls]);
        else if (r < 0x80)
            dk_buf_addf(b, "\\x%02lx", r);
        else if (r < 0x10000)
            dk_buf_addf(b, "\\u%04lx", r);
        else
            dk_buf_addf(b, "\\U%08lx", r);
        i += n;
    }
    dk_buf_addch(b, '"');
}

void dk_tmpl_quote(struct dk_buf *b, const char *s, size_t len)
{
    quote_to(b, s, len, 0);
}

struct fspec {
    int minus, plus, sharp, space, zero;
    int width, prec; /* -1: none */
    char verb;
    int sharpv;   /* %#v: Go-syntax representation */
    size_t limit; /* stop formatting once the buffer holds more than this */
};

static size_t rune_count(const char *s, size_t len)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            n++;
    return n;
}

/* Appends s padded to the spec's width. num: zero padding goes after a sign. */
static void pad(struct dk_buf *b, const struct fspec *f, const char *s, size_t len, int num)
{
    size_t w = rune_count(s, len);
    size_t i;

    if (f->width < 0 || w >= (size_t)f->width) {
        dk_buf_addn(b, s, len);
        return;
    }
    if (f->minus) {
        dk_buf_addn(b, s, len);
        for (i = w; i < (size_t)f->width; i++)
            dk_buf_addch(b, ' ');
        return;
    }
    if (f->zero && num) {
        if (len && (s[0] == '-' || s[0] == '+' || s[0] == ' ')) {
            dk_buf_addch(b, s[0]);
            s++;
            len--;
        }
        for (i = w; i < (size_t)f->width; i++)
            dk_buf_addch(b, '0');
        dk_buf_addn(b, s, len);
        return;
    }
    for (i = w; i < (size_t)f->width; i++)
        dk_buf_addch(b, f->zero && !num ? '0' : ' ');
    dk_buf_addn(b, s, len);
}

static void fmt_value(struct dk_buf *b, const struct fspec *f, const struct dk_val *v, int depth);

/* A verb that does not fit the value: %!d(string=x), the value printed as %v with the
 * verb's width, precision and flags, as Go's badVerb does. */
static void bad_verb(struct dk_buf *b, const struct fspec *f, const struct dk_val *v)
{
    dk_buf_addf(b, "%%!%c(", f->verb);
    if (!v || v->kind == DK_VAL_NIL) {
        dk_buf_add(b, "<nil>");
    } else {
        struct fspec g = *f;

        g.verb = 'v';
        g.sharp = g.sharpv = 0;
        dk_buf_add(b, dk_val_type_name(v));
        dk_buf_addch(b, '=');
        fmt_value(b, &g, v, 1);
    }
    dk_buf_addch(b, ')');
}

static void fmt_int(struct dk_buf *b, const struct fspec *f, int64_t i)
{
    /* digits, the precision's zeros (at most a million), prefix and sign */
    size_t cap = (size_t)(f->prec > 0 ? f->prec : 0) + 160;
    char *tmp = dk_xmalloc(cap), *p = tmp + cap;
    uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
    int base = 10, upper = 0, n = 0;
    const char *digits;

    switch (f->verb) {
    case 'x':
        base = 16;
        break;
    case 'X':
        base = 16;
        upper = 1;
        break;
    case 'o':
    case 'O':
        base = 8;
        break;
    case 'b':
        base = 2;
        break;
    default:
        break;
    }
    digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    *--p = 0;
    do {
        *--p = digits[u % (uint64_t)base];
        u /= (uint64_t)base;
        n++;
    } while (u);
    while (f->prec >= 0 && n < f->prec && p > tmp + 8) {
        *--p = '0';
        n++;
    }
    if (f->prec == 0 && i == 0)
        *p = 0;
    if (f->sharp || f->verb == 'O') {
        if (base == 16)
            *--p = upper ? 'X' : 'x', *--p = '0';
        else if (base == 8 && (f->verb == 'O'))
            *--p = 'o', *--p = '0';
        else if (base == 8 && *p != '0')
            *--p = '0';
        else if (base == 2)
            *--p = 'b', *--p = '0';
    }
    if (i < 0)
        *--p = '-';
    else if (f->plus)
        *--p = '+';
    else if (f->space)
        *--p = ' ';
    {
        struct fspec g = *f;

        if (f->prec >= 0)
            g.zero = 0;
        pad(b, &g, p, strlen(p), 1);
    }
    free(tmp);
}

/* Go's fmt for %#g: keeps a decimal point and pads with zeros to digits significant digits,
 * before the exponent. num: [-]digits[.digits][e+XX], in a buffer of cap bytes. */
static void sharp_digits(char *num, size_t cap, int digits)
{
    char tail[16] = "";
    size_t i, len;
    int point = 0, nonzero = 0;
    char *e = strpbrk(num, "eE");

    if (e) {
        snprintf(tail, sizeof(tail), "%s", e);
        *e = 0;
    }
    for (i = num[0] == '-' || num[0] == '+' ? 1 : 0; num[i]; i++) {
        if (num[i] == '.') {
            point = 1;
            continue;
        }
        if (num[i] != '0')
            nonzero = 1;
        if (nonzero)
            digits--;
    }
    len = strlen(num);
    if (!point) {
        if (!strcmp(num + (num[0] == '-' || num[0] == '+'), "0"))
            digits--; /* a lone 0 counts once */
        if (len + 1 < cap)
            num[len++] = '.';
    }
    while (digits-- > 0 && len + 1 < cap)
        num[len++] = '0';
    num[len] = 0;
    if (len + strlen(tail) < cap)
        memcpy(num + len, tail, strlen(tail) + 1);
}

static void fmt_float(struct dk_buf *b, const struct fspec *f, double x)
{
    /* room for %f of 1e308 with the precision asked (at most a million digits) */
    size_t cap = (size_t)(f->prec > 0 ? f->prec : 0) + 512;
    char *tmp = dk_xmalloc(cap), fmtbuf[32];
    char verb = f->verb;

    if (isinf(x) || isnan(x)) {
        struct fspec g = *f;

        if (isnan(x))
            snprintf(tmp, cap, "%s", f->plus ? "+NaN" : f->space ? " NaN" : "NaN");
        else
            snprintf(tmp, cap, "%s", x < 0 ? "-Inf" : f->space ? " Inf" : "+Inf");
        g.zero = 0;
        pad(b, &g, tmp, strlen(tmp), 1);
        free(tmp);
        return;
    }
    if ((verb == 'v' || verb == 'g' || verb == 'G') && f->prec < 0) {
        fmt_float_v(x, tmp + 1, cap - 1);
        if (verb == 'G') {
            char *e = strchr(tmp + 1, 'e');

            if (e)
                *e = 'E';
        }
        if (f->sharp) /* %#g: the shortest form, then zeros up to 6 significant digits */
            sharp_digits(tmp + 1, cap - 1, 6);
    } else {
        if (verb == 'v')
            verb = 'g';
        if (verb == 'F')
            verb = 'f';
        if (verb == 'x' || verb == 'X') {
            snprintf(fmtbuf, sizeof(fmtbuf), "%%.%d%c", f->prec < 0 ? 13 : f->prec,
                     verb == 'x' ? 'a' : 'A');
            if (f->prec < 0)
                snprintf(fmtbuf, sizeof(fmtbuf), "%%%c", verb == 'x' ? 'a' : 'A');
        } else {
            snprintf(fmtbuf, sizeof(fmtbuf), "%%%s.%d%c", f->sharp ? "#" : "",
                     f->prec < 0 ? 6 : f->prec, verb);
        }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(tmp + 1, cap - 1, fmtbuf, x);
#pragma GCC diagnostic pop
        if (verb == 'x' || verb == 'X') {
            /* Go writes the binary exponent with at least two digits: 0x1.cp+01 */
            char *e = strpbrk(tmp + 1, "pP");

            if (e && (e[1] == '+' || e[1] == '-') && e[2] && !e[3] && strlen(tmp) + 2 < cap) {
                e[4] = 0;
                e[3] = e[2];
                e[2] = '0';
            }
        }
    }
    if (tmp[1] != '-' && (f->plus || f->space)) {
        tmp[0] = f->plus ? '+' : ' ';
        pad(b, f, tmp, strlen(tmp), 1);
    } else {
        pad(b, f, tmp + 1, strlen(tmp + 1), 1);
    }
    free(tmp);
}

static void fmt_value(struct dk_buf *b, const struct fspec *f, const struct dk_val *v, int depth);

/* strconv.CanBackquote: no backquote, no control character but tab, valid UTF-8, no BOM. */
static int can_backquote(const char *s, size_t len)
{
    size_t i = 0, n;

    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        unsigned long r = c;

        n = 1;
        if (c >= 0x80) {
            r = utf8_get((const unsigned char *)s + i, len - i, &n);
            if ((r == 0xfffd && n == 1) || r == 0xfeff)
                return 0;
        } else if (c == '`' || c == 0x7f || (c < ' ' && c != '\t')) {
            return 0;
        }
        i += n;
    }
    return 1;
}

static void fmt_str(struct dk_buf *b, const struct fspec *f, const char *s, size_t len)
{
    struct dk_buf t = DK_BUF_INIT;
    size_t i;

    if (f->prec >= 0 && (f->verb == 'x' || f->verb == 'X')) {
        if ((size_t)f->prec < len)
            len = (size_t)f->prec; /* bytes, not runes, for the hex forms */
    } else if (f->prec >= 0) {
        size_t n = 0;

        for (i = 0; i < len; i++) {
            if (((unsigned char)s[i] & 0xc0) != 0x80) {
                if (n == (size_t)f->prec)
                    break;
                n++;
            }
        }
        len = i;
    }
    switch (f->verb) {
    case 'v':
    case 's':
        pad(b, f, s, len, 0);
        return;
    case 'q':
        if (f->sharp && can_backquote(s, len)) {
            dk_buf_addch(&t, '`');
            dk_buf_addn(&t, s, len);
            dk_buf_addch(&t, '`');
        } else {
            quote_to(&t, s, len, f->plus); /* %+q: ASCII only */
        }
        break;
    case 'x':
    case 'X':
        for (i = 0; i < len; i++) {
            if (f->space && i)
                dk_buf_addch(&t, ' ');
            if (f->sharp && (i == 0 || f->space)) /* %#x: 0x first, or before each byte */
                dk_buf_add(&t, f->verb == 'x' ? "0x" : "0X");
            dk_buf_addf(&t, f->verb == 'x' ? "%02x" : "%02X", (unsigned char)s[i]);
        }
        break;
    default:
        break;
    }
    pad(b, f, t.buf, t.len, 0);
    dk_buf_release(&t);
}

/*
 * %#v, Go's syntax for the value: "str" quoted, []interface {}{1, "a"},
 * map[string]interface {}{"k":1}, interface {}(nil) for a nil inside a list or map (a nil
 * operand prints <nil>). Numbers and booleans print as %v does. Returns 0 for the kinds it
 * leaves to %v.
 */
static int fmt_go_syntax(struct dk_buf *b, const struct fspec *f, const struct dk_val *v, int depth)
{
    struct dk_buf t = DK_BUF_INIT;
    size_t i;

    switch (v->kind) {
    case DK_VAL_NIL:
        if (depth == 0)
            return 0;
        dk_buf_add(b, "interface {}(nil)");
        return 1;
    case DK_VAL_STR:
        dk_tmpl_quote(&t, v->u.str.s, v->u.str.len);
        pad(b, f, t.buf, t.len, 0);
        dk_buf_release(&t);
        return 1;
    case DK_VAL_LIST:
        /* a named type (Helm's chartutil.VersionSet) prints its name */
        dk_buf_add(b, v->methods && v->methods->type ? v->methods->type : "[]interface {}");
        dk_buf_addch(b, '{');
        for (i = 0; i < v->u.list.n && b->len <= f->limit; i++) {
            if (i)
                dk_buf_add(b, ", ");
            fmt_value(b, f, v->u.list.v[i], depth + 1);
        }
        dk_buf_addch(b, '}');
        return 1;
    case DK_VAL_MAP:
        dk_buf_add(b,
                   v->methods && v->methods->type ? v->methods->type : "map[string]interface {}");
        dk_buf_addch(b, '{');
        for (i = 0; i < v->u.map.n && b->len <= f->limit; i++) {
            if (i)
                dk_buf_add(b, ", ");
            dk_tmpl_quote(b, v->u.map.k[i], strlen(v->u.map.k[i]));
            dk_buf_addch(b, ':');
            fmt_value(b, f, v->u.map.v[i], depth + 1);
        }
        dk_buf_addch(b, '}');
        return 1;
    default:
        return 0;
    }
}

static void fmt_value(struct dk_buf *b, const struct fspec *f, const struct dk_val *v, int depth)
{
    char verb = f->verb;
    size_t i;

    if (!v)
        v = &val_nil;
    if (verb == 'T') {
        struct fspec g = *f;

        g.verb = 's';
        fmt_str(b, &g, dk_val_type_name(v), strlen(dk_val_type_name(v)));
        return;
    }
    if (b->len > f->limit)
        return;
    if (depth > 100) {
        dk_buf_add(b, "...");
        return;
    }
    if (verb == 'v' && f->sharpv && fmt_go_syntax(b, f, v, depth))
        return;
    switch (v->kind) {
    case DK_VAL_NIL:
        if (verb == 'v' || depth > 0) { /* a nil inside a list or map is <nil> for any verb */
            pad(b, f, "<nil>", 5, 0);
            return;
        }
        bad_verb(b, f, v);
        return;
    case DK_VAL_BOOL:
        if (verb == 'v' || verb == 't') {
            pad(b, f, v->u.b ? "true" : "false", v->u.b ? 4 : 5, 0);
            return;
        }
        bad_verb(b, f, v);
        return;
    case DK_VAL_INT:
        switch (verb) {
        case 'v':
        case 'd':
        case 'x':
        case 'X':
        case 'o':
        case 'O':
        case 'b':
            fmt_int(b, f, v->u.i);
            return;
        case 'c':
        case 'q': {
            struct dk_buf t = DK_BUF_INIT;
            int64_t r = v->u.i;

            if (r < 0 || r > 0x10ffff)
                r = 0xfffd;
            if (verb == 'c') {
                utf8_put(&t, (unsigned long)r);
            } else {
                struct dk_buf u = DK_BUF_INIT;

                utf8_put(&u, (unsigned long)r);
                quote_to(&t, u.buf, u.len, f->plus);
                t.buf[0] = '\'';
                t.buf[t.len - 1] = '\'';
                if (r == '\'') {
                    dk_buf_reset(&t);
                    dk_buf_add(&t, "'\\''");
                } else if (r == '"') {
                    dk_buf_reset(&t);
                    dk_buf_add(&t, "'\"'");
                }
                dk_buf_release(&u);
            }
            pad(b, f, t.buf, t.len, 0);
            dk_buf_release(&t);
            return;
        }
        case 'U': {
            struct dk_buf t = DK_BUF_INIT;

            dk_buf_addf(&t, "U+%04llX", (unsigned long long)v->u.i);
            if (f->sharp && v->u.i >= 0 && v->u.i <= 0x10ffff &&
                go_isprint((unsigned long)v->u.i)) {
                dk_buf_add(&t, " '"); /* %#U: U+0041 'A' */
                utf8_put(&t, (unsigned long)v->u.i);
                dk_buf_addch(&t, '\'');
            }
            pad(b, f, t.buf, t.len, 0);
            dk_buf_release(&t);
            return;
        }
        default:
            bad_verb(b, f, v);
            return;
        }
    case DK_VAL_FLOAT:
        switch (verb) {
        case 'v':
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
        case 'x':
        case 'X':
            fmt_float(b, f, v->u.f);
            return;
        default:
            bad_verb(b, f, v);
            return;
        }
    case DK_VAL_STR:
        switch (verb) {
        case 'v':
        case 's':
        case 'q':
        case 'x':
        case 'X':
            fmt_str(b, f, v->u.str.s, v->u.str.len);
            return;
        default:
            bad_verb(b, f, v);
            return;
        }
    case DK_VAL_LIST:
        dk_buf_addch(b, '[');
        for (i = 0; i < v->u.list.n && b->len <= f->limit; i++) {
            if (i)
                dk_buf_addch(b, ' ');
            fmt_value(b, f, v->u.list.v[i], depth + 1);
        }
        dk_buf_addch(b, ']');
        return;
    case DK_VAL_MAP:
        dk_buf_add(b, "map[");
        for (i = 0; i < v->u.map.n && b->len <= f->limit; i++) {
            if (i)
                dk_buf_addch(b, ' ');
            fmt_str(b, f, v->u.map.k[i], strlen(v->u.map.k[i]));
            dk_buf_addch(b, ':');
            fmt_value(b, f, v->u.map.v[i], depth + 1);
        }
        dk_buf_addch(b, ']');
        return;
    case DK_VAL_PTR:
    case DK_VAL_FUNC:
        if (verb == 'v' || verb == 'p') {
            struct dk_buf t = DK_BUF_INIT;

            dk_val_format(v, &t);
            pad(b, f, t.buf, t.len, 0);
            dk_buf_release(&t);
            return;
        }
        bad_verb(b, f, v);
        return;
    }
}

/* An explicit argument index "[n]" at fmt[*i], as Go's fmt.argNumber reads it: returns 1
 * when one was there and valid (*a set to n-1, *i past it), marks the call reordered. A bad
 * one clears *good (the verb prints %!v(BADINDEX)). */
static int arg_index(const char *fmt, size_t flen, size_t *i, size_t n, size_t *a, int *reordered,
                     int *good)
{
    size_t j, num = 0;
    int digits = 1;

    if (*i >= flen || fmt[*i] != '[')
        return 0;
    *reordered = 1;
    if (flen - *i < 3) {
        *good = 0;
        *i += 1;
        return 0;
    }
    for (j = *i + 1; j < flen && fmt[j] != ']'; j++) {
        if (!isdigit((unsigned char)fmt[j]) || num > 1000000)
            digits = 0;
        else
            num = num * 10 + (size_t)(fmt[j] - '0');
    }
    if (j >= flen) { /* no closing bracket */
        *good = 0;
        *i += 1;
        return 0;
    }
    if (!digits || j == *i + 1) {
        *good = 0;
        *i = j + 1;
        return 0;
    }
    *i = j + 1;
    if (num >= 1 && num <= n) {
        *a = num - 1;
        return 1;
    }
    *good = 0;
    return 1;
}

/* A width or precision given as an argument ('*'): Go's intFromArg. */
static int int_arg(struct dk_val **args, size_t n, size_t *a, int *v)
{
    int ok = 0;

    if (*a >= n)
        return 0;
    if (args[*a] && args[*a]->kind == DK_VAL_INT && args[*a]->u.i <= 1000000 &&
        args[*a]->u.i >= -1000000) {
        *v = (int)args[*a]->u.i;
        ok = 1;
    }
    (*a)++;
    return ok;
}

/* Go's fmt.Sprintf over template values. limit: see struct fspec. */
static void go_sprintf(struct dk_buf *b, const char *fmt, size_t flen, struct dk_val **args,
                       size_t n, size_t limit)
{
    size_t i = 0, a = 0;
    int reordered = 0;

    while (i < flen) {
        struct fspec f;
        size_t st = i;
        int good = 1, after;

        while (i < flen && fmt[i] != '%')
            i++;
        dk_buf_addn(b, fmt + st, i - st);
        if (i >= flen)
            break;
        i++;
        memset(&f, 0, sizeof(f));
        f.width = f.prec = -1;
        f.limit = limit;
        for (; i < flen; i++) {
            char c = fmt[i];

            if (c == '-')
                f.minus = 1, f.zero = 0;
            else if (c == '+')
                f.plus = 1;
            else if (c == '#')
                f.sharp = 1;
            else if (c == ' ')
                f.space = 1;
            else if (c == '0')
                f.zero = !f.minus;
            else
                break;
        }
        after = arg_index(fmt, flen, &i, n, &a, &reordered, &good);
        if (i < flen && fmt[i] == '*') {
            i++;
            if (!int_arg(args, n, &a, &f.width)) {
                f.width = -1;
                dk_buf_add(b, "%!(BADWIDTH)");
            } else if (f.width < 0) {
                f.minus = 1;
                f.zero = 0;
                f.width = -f.width;
            }
            after = 0;
        } else {
            while (i < flen && isdigit((unsigned char)fmt[i])) {
                f.width = (f.width < 0 ? 0 : f.width) * 10 + (fmt[i] - '0');
                if (f.width > 1000000)
                    f.width = 1000000;
                i++;
            }
            if (after && f.width >= 0) /* "%[3]2d" */
                good = 0;
        }
        if (i + 1 < flen && fmt[i] == '.') {
            i++;
            if (after) /* "%[3].2d" */
                good = 0;
            after = arg_index(fmt, flen, &i, n, &a, &reordered, &good);
            if (i < flen && fmt[i] == '*') {
                i++;
                if (!int_arg(args, n, &a, &f.prec) || f.prec < 0) {
                    f.prec = -1;
                    dk_buf_add(b, "%!(BADPREC)");
                }
                after = 0;
            } else {
                f.prec = 0;
                while (i < flen && isdigit((unsigned char)fmt[i])) {
                    f.prec = f.prec * 10 + (fmt[i] - '0');
                    if (f.prec > 1000000)
                        f.prec = 1000000;
                    i++;
                }
            }
        }
        if (!after)
            after = arg_index(fmt, flen, &i, n, &a, &reordered, &good);
        if (i >= flen) {
            dk_buf_add(b, "%!(NOVERB)");
            break;
        }
        f.verb = fmt[i++];
        if (f.verb == 'v') {
            /* %+v changes how structs print, not these values; %#v is Go's syntax */
            f.plus = 0;
            f.sharpv = f.sharp;
            f.sharp = 0;
        }
        if (f.verb == '%') {
            dk_buf_addch(b, '%');
            continue;
        }
        if (!good) {
            dk_buf_addf(b, "%%!%c(BADINDEX)", f.verb);
            continue;
        }
        if (a >= n) {
            dk_buf_addf(b, "%%!%c(MISSING)", f.verb);
            continue;
        }
        fmt_value(b, &f, args[a++], 0);
    }
    if (!reordered && a < n) {
        dk_buf_add(b, "%!(EXTRA ");
        for (; a < n; a++) {
            dk_buf_add(b, dk_val_type_name(args[a]));
            dk_buf_addch(b, '=');
            val_format(args[a], b, 0, limit);
            if (a + 1 < n)
                dk_buf_add(b, ", ");
        }
        dk_buf_addch(b, ')');
    }
}

/* fmt.Sprint: spaces between operands when neither is a string; Sprintln: always, plus
 * a newline. */
static void go_sprint(struct dk_buf *b, struct dk_val **args, size_t n, int ln, size_t limit)
{
    size_t i;

    for (i = 0; i < n; i++) {
        int is_str = args[i] && args[i]->kind == DK_VAL_STR;

        if (i > 0 && (ln || (!is_str && !(args[i - 1] && args[i - 1]->kind == DK_VAL_STR))))
            dk_buf_addch(b, ' ');
        val_format(args[i], b, 0, limit);
    }
    if (ln)
        dk_buf_addch(b, '\n');
}

/* ---------------------------------------------------------------- builtins */

enum bkind { BK_NIL, BK_BOOL, BK_INT, BK_FLOAT, BK_STR, BK_OTHER };

static enum bkind basic_kind(const struct dk_val *v)
{
    switch (v ? v->kind : DK_VAL_NIL) {
    case DK_VAL_NIL:
        return BK_NIL;
    case DK_VAL_BOOL:
        return BK_BOOL;
    case DK_VAL_INT:
        return BK_INT;
    case DK_VAL_FLOAT:
        return BK_FLOAT;
    case DK_VAL_STR:
        return BK_STR;
    default:
        return BK_OTHER;
    }
}

static int str_cmp(const struct dk_val *a, const struct dk_val *b)
{
    size_t n = a->u.str.len < b->u.str.len ? a->u.str.len : b->u.str.len;
    int c = memcmp(a->u.str.s, b->u.str.s, n);

    if (c)
        return c;
    return a->u.str.len < b->u.str.len ? -1 : a->u.str.len > b->u.str.len;
}

static int eq2(const struct dk_val *a, const struct dk_val *b, int *truth, struct dk_err *err)
{
    enum bkind k1 = basic_kind(a), k2 = basic_kind(b);

    *truth = 0;
    if (k1 != k2) {
        if (k1 == BK_NIL || k2 == BK_NIL)
            return 0;
        return dk_err_set(err, DK_E_FAIL, "incompatible types for comparison: %s and %s",
                          dk_val_type_name(a), dk_val_type_name(b));
    }
    switch (k1) {
    case BK_NIL:
        *truth = 1;
        return 0;
    case BK_BOOL:
        *truth = a->u.b == b->u.b;
        return 0;
    case BK_INT:
        *truth = a->u.i == b->u.i;
        return 0;
    case BK_FLOAT:
        *truth = a->u.f == b->u.f;
        return 0;
    case BK_STR:
        *truth = str_cmp(a, b) == 0;
        return 0;
    case BK_OTHER:
        if (a->kind == DK_VAL_PTR && b->kind == DK_VAL_PTR) {
            *truth = a->u.ptr.p == b->u.ptr.p;
            return 0;
        }
        {
            struct dk_buf t = DK_BUF_INIT;
            struct fspec f = {0, 0, 0, 0, 0, -1, -1, 's', 0, 1 << 20};

            fmt_value(&t, &f, a->kind != b->kind ? a : b, 0);
            if (a->kind != b->kind)
                dk_err_set(err, DK_E_FAIL, "non-comparable types %s: %s, %s: %s", t.buf,
                           dk_val_type_name(a), dk_val_type_name(b), t.buf);
            else
                dk_err_set(err, DK_E_FAIL, "non-comparable type %s: %s", t.buf,
                           dk_val_type_name(b));
            dk_buf_release(&t);
            return -1;
        }
    }
    return 0;
}

static int lt2(const struct dk_val *a, const struct dk_val *b, int *truth, struct dk_err *err)
{
    enum bkind k1 = basic_kind(a), k2 = basic_kind(b);

    *truth = 0;
    if (k1 == BK_NIL || k1 == BK_OTHER || k2 == BK_NIL || k2 == BK_OTHER)
        return dk_err_set(err, DK_E_FAIL, "invalid type for comparison");
    if (k1 != k2)
        return dk_err_set(err, DK_E_FAIL, "incompatible types for comparison: %s and %s",
                          dk_val_type_name(a), dk_val_type_name(b));
    switch (k1) {
    case BK_INT:
        *truth = a->u.i < b->u.i;
        return 0;
    case BK_FLOAT:
        *truth = a->u.f < b->u.f;
        return 0;
    case BK_STR:
        *truth = str_cmp(a, b) < 0;
        return 0;
    default:
        return dk_err_set(err, DK_E_FAIL, "invalid type for comparison");
    }
}

static int fn_eq(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                 struct dk_err *err)
{
    size_t i;
    int truth = 0;

    if (n < 2)
        return dk_err_set(err, DK_E_FAIL, "missing argument for comparison");
    for (i = 1; i < n && !truth; i++)
        if (eq2(args[0], args[i], &truth, err) < 0)
            return -1;
    if (!strcmp(c->name, "ne"))
        truth = !truth;
    *out = dk_val_bool(truth);
    return 0;
}

static int fn_cmp(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                  struct dk_err *err)
{
    int lt, eq = 0, r;

    (void)n;
    if (lt2(args[0], args[1], &lt, err) < 0)
        return -1;
    if (!lt && eq2(args[0], args[1], &eq, err) < 0)
        return -1;
    if (!strcmp(c->name, "lt"))
        r = lt;
    else if (!strcmp(c->name, "le"))
        r = lt || eq;
    else if (!strcmp(c->name, "gt"))
        r = !lt && !eq;
    else
        r = !lt;
    *out = dk_val_bool(r);
    return 0;
}

static int fn_not(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                  struct dk_err *err)
{
    (void)c, (void)n, (void)err;
    *out = dk_val_bool(!dk_val_truth(args[0]));
    return 0;
}

static int fn_len(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                  struct dk_err *err)
{
    const struct dk_val *v = args[0];

    (void)c, (void)n;
    switch (v->kind) {
    case DK_VAL_STR:
        *out = dk_val_int((int64_t)v->u.str.len);
        return 0;
    case DK_VAL_LIST:
        *out = dk_val_int((int64_t)v->u.list.n);
        return 0;
    case DK_VAL_MAP:
        *out = dk_val_int((int64_t)v->u.map.n);
        return 0;
    case DK_VAL_NIL:
        return dk_err_set(err, DK_E_FAIL, "len of nil pointer");
    default:
        return dk_err_set(err, DK_E_FAIL, "len of type %s", dk_val_type_name(v));
    }
}

static int index_arg(const struct dk_val *i, size_t cap, int64_t *x, struct dk_err *err)
{
    if (!i || i->kind == DK_VAL_NIL)
        return dk_err_set(err, DK_E_FAIL, "cannot index slice/array with nil");
    if (i->kind != DK_VAL_INT)
        return dk_err_set(err, DK_E_FAIL, "cannot index slice/array with type %s",
                          dk_val_type_name(i));
    if (i->u.i < 0 || (uint64_t)i->u.i > cap)
        return dk_err_set(err, DK_E_FAIL, "index out of range: %lld", (long long)i->u.i);
    *x = i->u.i;
    return 0;
}

static int fn_index(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                    struct dk_err *err)
{
    struct dk_val *item = dk_val_ref(args[0]);
    size_t k;

    (void)c;
    if (item->kind == DK_VAL_NIL) /* Go checks it before looking at any index */
        return dk_err_set(err, DK_E_FAIL, "index of untyped nil");
    for (k = 1; k < n; k++) {
        struct dk_val *i = args[k], *next_item = NULL;
        int64_t x;

        switch (item->kind) {
        case DK_VAL_NIL: /* a nil (or missing) value inside a map or list */
            dk_val_unref(item);
            return dk_err_set(err, DK_E_FAIL, "index of nil pointer");
        case DK_VAL_MAP:
            if (i->kind != DK_VAL_STR) {
                dk_val_unref(item);
                if (i->kind == DK_VAL_NIL)
                    return dk_err_set(err, DK_E_FAIL, "value is nil; should be of type string");
                return dk_err_set(err, DK_E_FAIL, "value has type %s; should be string",
                                  dk_val_type_name(i));
            }
            next_item = dk_val_map_get(item, i->u.str.s);
            next_item = dk_val_ref(next_item ? next_item : dk_val_nil());
            break;
        case DK_VAL_LIST:
        case DK_VAL_STR: {
            size_t len = item->kind == DK_VAL_LIST ? item->u.list.n : item->u.str.len;

            x = 0;
            if (index_arg(i, len, &x, err) < 0 || (size_t)x == len) {
                if ((size_t)x == len)
                    dk_err_set(err, DK_E_FAIL, "index out of range: %lld", (long long)x);
                dk_val_unref(item);
                return -1;
            }
            next_item = item->kind == DK_VAL_LIST ? dk_val_ref(item->u.list.v[x])
                                                  : dk_val_int((unsigned char)item->u.str.s[x]);
            break;
        }
        default:
            dk_err_set(err, DK_E_FAIL, "can't index item of type %s", dk_val_type_name(item));
            dk_val_unref(item);
            return -1;
        }
        dk_val_unref(item);
        item = next_item;
    }
    *out = item;
    return 0;
}

static int fn_slice(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                    struct dk_err *err)
{
    struct dk_val *item = args[0];
    int64_t idx[3] = {0, 0, 0};
    size_t len, k;

    (void)c;
    if (item->kind == DK_VAL_NIL)
        return dk_err_set(err, DK_E_FAIL, "slice of untyped nil");
    if (n - 1 > 3)
        return dk_err_set(err, DK_E_FAIL, "too many slice indexes: %zu", n - 1);
    if (item->kind == DK_VAL_STR) {
        if (n - 1 == 3)
            return dk_err_set(err, DK_E_FAIL, "cannot 3-index slice a string");
        len = item->u.str.len;
    } else if (item->kind == DK_VAL_LIST) {
        len = item->u.list.n;
    } else {
        return dk_err_set(err, DK_E_FAIL, "can't slice item of type %s", dk_val_type_name(item));
    }
    idx[1] = (int64_t)len;
    idx[2] = (int64_t)len;
    for (k = 1; k < n; k++)
        if (index_arg(args[k], len, &idx[k - 1], err) < 0)
            return -1;
    if (idx[0] > idx[1])
        return dk_err_set(err, DK_E_FAIL, "invalid slice index: %lld > %lld", (long long)idx[0],
                          (long long)idx[1]);
    if (n - 1 == 3 && idx[1] > idx[2])
        return dk_err_set(err, DK_E_FAIL, "invalid slice index: %lld > %lld", (long long)idx[1],
                          (long long)idx[2]);
    if (item->kind == DK_VAL_STR) {
        *out = dk_val_strn(item->u.str.s + idx[0], (size_t)(idx[1] - idx[0]));
    } else {
        struct dk_val *l = dk_val_list();
        int64_t i;

        for (i = idx[0]; i < idx[1]; i++)
            dk_val_list_push(l, dk_val_ref(item->u.list.v[i]));
        *out = l;
    }
    return 0;
}

static int fn_print(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                    struct dk_err *err)
{
    struct dk_buf b = DK_BUF_INIT;
    size_t len;
    char *s;

    (void)err;
    if (!strcmp(c->name, "printf")) {
        if (args[0]->kind != DK_VAL_STR)
            return dk_err_set(err, DK_E_FAIL, "wrong type for value; expected string; got %s",
                              dk_val_type_name(args[0]));
        go_sprintf(&b, args[0]->u.str.s, args[0]->u.str.len, args + 1, n - 1, c->tmpl->max_output);
    } else {
        go_sprint(&b, args, n, !strcmp(c->name, "println"), c->tmpl->max_output);
    }
    s = dk_buf_detach(&b, &len);
    *out = dk_val_str_owned(s, len);
    return 0;
}

/* The text html/js/urlquery work on: a single string, or fmt.Sprint of the args. */
static void escaper_arg(struct dk_val **args, size_t n, struct dk_buf *b, size_t limit)
{
    struct dk_val **a, *none;
    size_t i;

    if (n == 1 && args[0]->kind == DK_VAL_STR) {
        dk_buf_addn(b, args[0]->u.str.s, args[0]->u.str.len);
        return;
    }
    /* Go's evalArgs prints a nil operand as the executor does: <no value> */
    none = dk_val_str("<no value>");
    a = dk_xcalloc(n + 1, sizeof(*a));
    for (i = 0; i < n; i++)
        a[i] = !args[i] || args[i]->kind == DK_VAL_NIL ? none : args[i];
    go_sprint(b, a, n, 0, limit);
    free(a);
    dk_val_unref(none);
}

static int fn_escape(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                     struct dk_err *err)
{
    struct dk_buf in = DK_BUF_INIT, b = DK_BUF_INIT;
    size_t i, len;
    char *s;

    (void)err;
    escaper_arg(args, n, &in, c->tmpl->max_output);
    for (i = 0; i < in.len; i++) {
        unsigned char ch = (unsigned char)in.buf[i];

        if (!strcmp(c->name, "html")) {
            switch (ch) {
            case '"':
                dk_buf_add(&b, "&#34;");
                break;
            case '\'':
                dk_buf_add(&b, "&#39;");
                break;
            case '&':
                dk_buf_add(&b, "&amp;");
                break;
            case '<':
                dk_buf_add(&b, "&lt;");
                break;
            case '>':
                dk_buf_add(&b, "&gt;");
                break;
            case 0:
                dk_buf_add(&b, "\xef\xbf\xbd");
                break;
            default:
                dk_buf_addch(&b, (char)ch);
            }
        } else if (!strcmp(c->name, "js")) {
            switch (ch) {
            case '\\':
                dk_buf_add(&b, "\\\\");
                break;
            case '\'':
                dk_buf_add(&b, "\\'");
                break;
            case '"':
                dk_buf_add(&b, "\\\"");
                break;
            case '<':
                dk_buf_add(&b, "\\u003C");
                break;
            case '>':
                dk_buf_add(&b, "\\u003E");
                break;
            case '&':
                dk_buf_add(&b, "\\u0026");
                break;
            case '=':
                dk_buf_add(&b, "\\u003D");
                break;
            default:
                if (ch < ' ') {
                    dk_buf_addf(&b, "\\u%04X", ch);
                } else if (ch >= 0x80) {
                    size_t rl;
                    unsigned long r = utf8_get((const unsigned char *)in.buf + i, in.len - i, &rl);

                    /* Go keeps printable runes; these are the usual non-printable ones */
                    if ((r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 || r == 0xfeff ||
                        r == 0xad || (r == 0xfffd && rl == 1))
                        dk_buf_addf(&b, "\\u%04lX", r);
                    else
                        dk_buf_addn(&b, in.buf + i, rl);
                    i += rl - 1;
                } else {
                    dk_buf_addch(&b, (char)ch);
                }
            }
        } else {
            if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~')
                dk_buf_addch(&b, (char)ch);
            else if (ch == ' ')
                dk_buf_addch(&b, '+');
            else
                dk_buf_addf(&b, "%%%02X", ch);
        }
    }
    dk_buf_release(&in);
    s = dk_buf_detach(&b, &len);
    *out = dk_val_str_owned(s, len);
    return 0;
}

static int fn_call(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                   struct dk_err *err)
{
    struct dk_tmpl_call sub = *c;

    if (args[0]->kind == DK_VAL_NIL)
        return dk_err_set(err, DK_E_FAIL, "call of nil");
    if (args[0]->kind != DK_VAL_FUNC)
        return dk_err_set(err, DK_E_FAIL, "non-function of type %s", dk_val_type_name(args[0]));
    sub.ud = args[0]->u.fn.ud;
    return args[0]->u.fn.fn(&sub, args + 1, n - 1, out, err);
}

static const struct builtin {
    const char *name;
    dk_tmpl_fn fn;
    size_t min, max; /* max 0: variadic */
} builtins[] = {
    {"and", NULL, 1, 0},           {"call", fn_call, 1, 0},     {"eq", fn_eq, 1, 0},
    {"ge", fn_cmp, 2, 2},          {"gt", fn_cmp, 2, 2},        {"html", fn_escape, 0, 0},
    {"index", fn_index, 1, 0},     {"js", fn_escape, 0, 0},     {"le", fn_cmp, 2, 2},
    {"len", fn_len, 1, 1},         {"lt", fn_cmp, 2, 2},        {"ne", fn_eq, 2, 2},
    {"not", fn_not, 1, 1},         {"or", NULL, 1, 0},          {"print", fn_print, 0, 0},
    {"printf", fn_print, 1, 0},    {"println", fn_print, 0, 0}, {"slice", fn_slice, 1, 0},
    {"urlquery", fn_escape, 0, 0},
};

static const struct builtin *find_builtin(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
        if (!strcmp(builtins[i].name, name))
            return &builtins[i];
    return NULL;
}

static int builtin_known(const char *name)
{
    return find_builtin(name) != NULL;
}

/* ---------------------------------------------------------------- executor */

struct var {
    const char *name; /* borrowed from the tree */
    struct dk_val *v;
    int iface; /* a range element: see field_chain() */
};

struct shared {
    uint64_t iters;
    size_t written;
    uintptr_t stack_base; /* where dk_tmpl_exec() started */
    size_t stack_max;     /* bytes of stack the execution may use below it */
};

/* Three quarters of the stack limit (8 MiB when unlimited): the executor recurses for every
 * nested action and template call, and 1000 nested includes of templates that nest 300 ifs
 * each would overflow the stack long before max_depth stops them. Meant for the main thread
 * or threads with the default stack size, which glibc takes from the same limit. */
static size_t stack_budget(void)
{
    struct rlimit rl;
    size_t max = (size_t)8 << 20;

    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        max = (size_t)rl.rlim_cur;
    if (max > (size_t)256 << 20)
        max = (size_t)256 << 20;
    return max / 4 * 3;
}

/* The frame's own address: with ASan's stack-use-after-return checks, locals live on a
 * "fake stack" elsewhere, which the address of a local would measure. */
#define STACK_HERE() ((uintptr_t)__builtin_frame_address(0))

static int stack_too_deep(const struct shared *sh)
{
    uintptr_t h = STACK_HERE();

    return (h > sh->stack_base ? h - sh->stack_base : sh->stack_base - h) > sh->stack_max;
}

struct state {
    struct dk_tmpl *t;
    struct dk_tmpl_def *def;
    struct dk_buf *out;
    struct var *vars;
    size_t nvars, avars;
    unsigned depth;
    int dot_iface; /* dot is a range element: see field_chain() */
    struct shared *sh;
    struct dk_err *err;
    int *failed;
};

/* Sets Go's execution error: "template: FILE:LINE:COL: executing "NAME" at <AT>: MSG". */
static int xerr_v(struct state *st, size_t pos, const char *at, int atlen, const char *fmt,
                  va_list ap) __attribute__((format(printf, 5, 0)));

static int xerr_v(struct state *st, size_t pos, const char *at, int atlen, const char *fmt,
                  va_list ap)
{
    struct dk_buf b = DK_BUF_INIT;
    const char *text = st->def->text;
    size_t i, ls = 0;
    int line = 1;

    if (*st->failed)
        return -1;
    *st->failed = 1;
    for (i = 0; i < pos && text[i]; i++)
        if (text[i] == '\n') {
            line++;
            ls = i + 1;
        }
    dk_buf_vaddf(&b, fmt, ap);
    dk_err_set(st->err, DK_E_FAIL, "template: %s:%d:%zu: executing \"%s\" at <%.*s>: %s",
               st->def->parse_name, line, pos - ls, st->def->name, atlen, at, b.buf);
    dk_buf_release(&b);
    return -1;
}

__attribute__((format(printf, 3, 4))) static int xerr(struct state *st, const struct node *n,
                                                      const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = xerr_v(st, n ? n->errpos : 0, n ? st->def->text + n->pos : "",
                n ? (int)(n->srclen > 200 ? 200 : n->srclen) : 0, fmt, ap);
    va_end(ap);
    return rc;
}

__attribute__((format(printf, 4, 5))) static int xerr_at(struct state *st, size_t pos,
                                                         const char *at, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = xerr_v(st, pos, at, (int)strlen(at), fmt, ap);
    va_end(ap);
    return rc;
}

static void push_var(struct state *st, const char *name, struct dk_val *v)
{
    if (st->nvars == st->avars) {
        st->avars = st->avars ? 2 * st->avars : 8;
        st->vars = dk_xrealloc(st->vars, st->avars * sizeof(*st->vars));
    }
    st->vars[st->nvars].name = name;
    st->vars[st->nvars].v = v;
    st->vars[st->nvars].iface = 0;
    st->nvars++;
}

static void pop_vars(struct state *st, size_t mark)
{
    while (st->nvars > mark)
        dk_val_unref(st->vars[--st->nvars].v);
}

static struct var *find_var(struct state *st, const char *name)
{
    size_t i;

    for (i = st->nvars; i-- > 0;)
        if (!strcmp(st->vars[i].name, name))
            return &st->vars[i];
    return NULL;
}

static int write_out(struct state *st, const struct node *n, const char *s, size_t len)
{
    if (st->sh->written + len > st->t->max_output)
        return xerr(st, n, "output exceeds the limit of %zu bytes", st->t->max_output);
    if (dk_buf_addn(st->out, s, len) < 0)
        return xerr(st, n, "output exceeds the buffer limit");
    st->sh->written += len;
    return 0;
}

static int eval_pipe(struct state *st, struct dk_val *dot, struct node *pipe, struct dk_val **out);
static int eval_arg(struct state *st, struct dk_val *dot, struct node *n, struct dk_val **out);
static int walk(struct state *st, struct dk_val *dot, struct node *n);

static int call_fn(struct state *st, struct node *at, const char *name, dk_tmpl_fn fn, void *ud,
                   struct dk_val **args, size_t n, struct dk_val **out)
{
    struct dk_tmpl_call c;
    struct dk_err e = DK_ERR_INIT;

    c.tmpl = st->t;
    c.name = name;
    c.ud = ud;
    c.state = st;
    *out = NULL;
    if (fn(&c, args, n, out, &e) < 0) {
        dk_val_unref(*out);
        *out = NULL;
        if (strstr(e.msg, "exceeded maximum template depth") == e.msg) {
            /* runaway recursion through a function: one clear message, not 1000 wraps */
            *st->failed = 1;
            dk_err_set(st->err, DK_E_FAIL, "%s", e.msg);
            return -1;
        }
        return xerr(st, at, "error calling %s: %s", name, e.msg);
    }
    if (!*out)
        *out = dk_val_nil();
    if ((*out)->kind == DK_VAL_STR && (*out)->u.str.len > st->t->max_output) {
        /* keeps `$x = printf "%s%s" $x $x` in a loop from eating all memory */
        dk_val_unref(*out);
        *out = NULL;
        return xerr(st, at, "error calling %s: result exceeds the output limit of %zu bytes", name,
                    st->t->max_output);
    }
    return 0;
}

/* Evaluates cmd's arguments (after the first word) plus final into a new array. */
static int eval_args(struct state *st, struct dk_val *dot, struct node *cmd, struct dk_val *final,
                     struct dk_val ***argv, size_t *argc)
{
    size_t n = (cmd && cmd->nkids > 1 ? cmd->nkids - 1 : 0) + (final ? 1 : 0), i, k = 0;
    struct dk_val **a = dk_xcalloc(n + 1, sizeof(*a));

    for (i = 1; cmd && i < cmd->nkids; i++) {
        if (eval_arg(st, dot, cmd->kids[i], &a[k]) < 0) {
            while (k > 0)
                dk_val_unref(a[--k]);
            free(a);
            return -1;
        }
        k++;
    }
    if (final)
        a[k++] = dk_val_ref(final);
    *argv = a;
    *argc = k;
    return 0;
}

static void free_args(struct dk_val **a, size_t n)
{
    while (n > 0)
        dk_val_unref(a[--n]);
    free(a);
}

/* Calls a method or function field with the command's arguments. */
static int call_field(struct state *st, struct node *at, struct dk_val *dot, const char *name,
                      dk_tmpl_fn fn, void *ud, struct node *cmd, struct dk_val *final,
                      struct dk_val **out)
{
    struct dk_val **argv;
    size_t argc;
    int rc;

    if (eval_args(st, dot, cmd, final, &argv, &argc) < 0)
        return -1;
    rc = call_fn(st, at, name, fn, ud, argv, argc, out);
    free_args(argv, argc);
    return rc;
}

static int field(struct state *st, struct node *at, struct dk_val *dot, struct dk_val *recv,
                 const char *name, struct node *cmd, struct dk_val *final, struct dk_val **out)
{
    int has_args = (cmd && cmd->nkids > 1) || final;
    struct dk_val *v;
    size_t m;

    if (recv->kind == DK_VAL_NIL)
        return xerr(st, at, "nil pointer evaluating interface {}.%s", name);
    for (m = 0; recv->methods && m < recv->methods->n; m++)
        if (!strcmp(recv->methods->list[m].name, name))
            return call_field(st, at, dot, name, recv->methods->list[m].fn, recv, cmd, final, out);
    if (recv->kind != DK_VAL_MAP)
        return xerr(st, at, "can't evaluate field %s in type %s", name,
                    recv->kind == DK_VAL_PTR || recv->methods ? dk_val_type_name(recv)
                                                              : "interface {}");
    v = dk_val_map_get(recv, name);
    if (v && v->kind == DK_VAL_FUNC)
        return call_field(st, at, dot, name, v->u.fn.fn, v->u.fn.ud, cmd, final, out);
    if (has_args)
        return xerr(st, at, "%s is not a method but has arguments", name);
    if (!v && st->t->missing_error)
        return xerr(st, at, "map has no entry for key \"%s\"", name);
    *out = dk_val_ref(v ? v : dk_val_nil());
    return 0;
}

/*
 * Applies idents[from..] to recv (a reference this function consumes). Go tells a missing
 * value ("invalid": nil data, a variable or sub-pipeline holding nil) from a nil interface
 * inside a map: fields of the first give nil, fields of the second fail. The first receiver
 * of a chain is the former; later ones come out of maps. Variables and sub-pipelines hold
 * concrete types, which error messages name (concrete 1). Range elements (dot and the
 * element variable inside range) are interface values taken out of a list or map, as the
 * later receivers are (concrete 2): a nil one fails, as in Go.
 */
static int field_chain(struct state *st, struct node *at, struct dk_val *dot, struct dk_val *recv,
                       struct node *ids, size_t from, int concrete, struct node *cmd,
                       struct dk_val *final, struct dk_val **out)
{
    size_t i;

    if (recv->kind == DK_VAL_NIL && from < ids->nidents && concrete != 2) {
        if (st->t->missing_error) {
            dk_val_unref(recv);
            return xerr(st, at, "nil data; no entry for key \"%s\"", ids->idents[from]);
        }
        *out = recv;
        return 0;
    }
    if (concrete == 1 && from < ids->nidents && recv->kind != DK_VAL_MAP &&
        recv->kind != DK_VAL_PTR && !recv->methods) {
        xerr(st, at, "can't evaluate field %s in type %s", ids->idents[from],
             dk_val_type_name(recv));
        dk_val_unref(recv);
        return -1;
    }
    for (i = from; i < ids->nidents; i++) {
        int last = i + 1 == ids->nidents;
        struct dk_val *v = NULL;
        int rc =
            field(st, at, dot, recv, ids->idents[i], last ? cmd : NULL, last ? final : NULL, &v);

        dk_val_unref(recv);
        if (rc < 0)
            return -1;
        recv = v;
    }
    *out = recv;
    return 0;
}

static int not_a_function(struct state *st, struct node *n, struct node *cmd, struct dk_val *final)
{
    if ((cmd && cmd->nkids > 1) || final) {
        char s[128];

        snprintf(s, sizeof(s), "%.*s", (int)n->srclen, st->def->text + n->pos);
        return xerr(st, n, "can't give argument to non-function %s", s);
    }
    return 0;
}

static int eval_var(struct state *st, struct dk_val *dot, struct node *n, struct node *cmd,
                    struct dk_val *final, struct dk_val **out)
{
    struct var *v = find_var(st, n->idents[0]);

    if (!v)
        return xerr(st, n, "undefined variable: %s", n->idents[0]);
    if (n->nidents == 1) {
        if (not_a_function(st, n, cmd, final) < 0)
            return -1;
        *out = dk_val_ref(v->v);
        return 0;
    }
    return field_chain(st, n, dot, dk_val_ref(v->v), n, 1, v->iface ? 2 : 1, cmd, final, out);
}

static int eval_function(struct state *st, struct dk_val *dot, struct node *id, struct node *cmd,
                         struct dk_val *final, struct dk_val **out)
{
    const struct builtin *b = NULL;
    dk_tmpl_fn fn = NULL;
    void *ud = NULL;
    struct dk_val **argv;
    size_t argc, i;
    int rc;

    {
        const struct dk_tmpl_fnent *f = fn_find(st->t, id->name);

        if (f) {
            fn = f->fn;
            ud = f->ud;
        }
    }
    if (!fn) {
        b = find_builtin(id->name);
        if (!b)
            return xerr(st, id, "\"%s\" is not a defined function", id->name);
        fn = b->fn;
    }
    if (b && !b->fn) {
        /* and / or: evaluate lazily, return the deciding operand */
        int is_and = !strcmp(id->name, "and");
        size_t nargs = (cmd && cmd->nkids > 1 ? cmd->nkids - 1 : 0) + (final ? 1 : 0);
        struct dk_val *v = NULL;

        if (nargs == 0)
            return xerr(st, id, "wrong number of args for %s: want at least 1 got 0", id->name);
        for (i = 1; cmd && i < cmd->nkids; i++) {
            dk_val_unref(v);
            v = NULL;
            if (eval_arg(st, dot, cmd->kids[i], &v) < 0)
                return -1;
            if (dk_val_truth(v) != is_and) {
                *out = v;
                return 0;
            }
        }
        if (final) {
            dk_val_unref(v);
            v = dk_val_ref(final);
        }
        *out = v;
        return 0;
    }
    if (eval_args(st, dot, cmd, final, &argv, &argc) < 0)
        return -1;
    if (b && (argc < b->min || (b->max && argc > b->max))) {
        if (b->max == b->min)
            xerr(st, id, "wrong number of args for %s: want %zu got %zu", id->name, b->min, argc);
        else
            xerr(st, id, "wrong number of args for %s: want at least %zu got %zu", id->name, b->min,
                 argc);
        free_args(argv, argc);
        return -1;
    }
    if (b && b->fn == fn_print && !strcmp(id->name, "printf") && argv[0]->kind != DK_VAL_STR) {
        /* Go checks the format's type before the call */
        struct node *a = cmd && cmd->nkids > 1 ? cmd->kids[1] : id;

        if (a->t == N_LIT)
            xerr(st, a, "expected string; found %.*s", (int)a->srclen, st->def->text + a->pos);
        else
            xerr(st, a, "wrong type for value; expected string; got %s", dk_val_type_name(argv[0]));
        free_args(argv, argc);
        return -1;
    }
    rc = call_fn(st, cmd ? cmd : id, id->name, fn, ud, argv, argc, out);
    free_args(argv, argc);
    return rc;
}

static int eval_arg(struct state *st, struct dk_val *dot, struct node *n, struct dk_val **out)
{
    struct dk_val *v;

    switch (n->t) {
    case N_DOT:
        *out = dk_val_ref(dot);
        return 0;
    case N_NIL:
        *out = dk_val_nil();
        return 0;
    case N_LIT:
        *out = dk_val_ref(n->val);
        return 0;
    case N_FIELD:
        return field_chain(st, n, dot, dk_val_ref(dot), n, 0, st->dot_iface ? 2 : 0, NULL, NULL,
                           out);
    case N_VAR:
        return eval_var(st, dot, n, NULL, NULL, out);
    case N_CHAIN:
        if (eval_arg(st, dot, n->sub, &v) < 0)
            return -1;
        return field_chain(st, n, dot, v, n, 0, 1, NULL, NULL, out);
    case N_PIPE:
        return eval_pipe(st, dot, n, out);
    case N_IDENT:
        return eval_function(st, dot, n, NULL, NULL, out);
    default:
        return xerr(st, n, "can't handle node as an argument");
    }
}

static int eval_cmd(struct state *st, struct dk_val *dot, struct node *cmd, struct dk_val *final,
                    struct dk_val **out)
{
    struct node *first = cmd->kids[0];
    struct dk_val *v;

    switch (first->t) {
    case N_FIELD:
        return field_chain(st, first, dot, dk_val_ref(dot), first, 0, st->dot_iface ? 2 : 0, cmd,
                           final, out);
    case N_CHAIN:
        if (eval_arg(st, dot, first->sub, &v) < 0)
            return -1;
        return field_chain(st, first, dot, v, first, 0, 1, cmd, final, out);
    case N_IDENT:
        return eval_function(st, dot, first, cmd, final, out);
    case N_VAR:
        return eval_var(st, dot, first, cmd, final, out);
    default:
        break;
    }
    if (not_a_function(st, first, cmd, final) < 0)
        return -1;
    switch (first->t) {
    case N_PIPE:
        return eval_pipe(st, dot, first, out);
    case N_DOT:
        *out = dk_val_ref(dot);
        return 0;
    case N_NIL:
        return xerr(st, first, "nil is not a command");
    case N_LIT:
        *out = dk_val_ref(first->val);
        return 0;
    default:
        return xerr(st, first, "can't evaluate command");
    }
}

static int eval_pipe(struct state *st, struct dk_val *dot, struct node *pipe, struct dk_val **out)
{
    struct dk_val *v = NULL;
    size_t i;

    for (i = 0; i < pipe->nkids; i++) {
        struct dk_val *nv = NULL;
        int rc = eval_cmd(st, dot, pipe->kids[i], v, &nv);

        dk_val_unref(v);
        if (rc < 0)
            return -1;
        v = nv;
    }
    for (i = 0; i < pipe->ndecl; i++) {
        if (pipe->assign) {
            struct var *x = find_var(st, pipe->decl[i]);

            if (!x) {
                struct node *last = pipe->nkids ? pipe->kids[pipe->nkids - 1] : NULL;

                /* Go names the node it evaluated last: the last command's last word */
                dk_val_unref(v);
                return xerr(st, last && last->nkids ? last->kids[last->nkids - 1] : pipe,
                            "undefined variable: %s", pipe->decl[i]);
            }
            dk_val_unref(x->v);
            x->v = dk_val_ref(v);
            x->iface = 0;
        } else {
            push_var(st, pipe->decl[i], dk_val_ref(v));
        }
    }
    *out = v;
    return 0;
}

static int print_value(struct state *st, struct node *n, struct dk_val *v)
{
    struct dk_buf b = DK_BUF_INIT;
    int rc;

    switch (v->kind) {
    case DK_VAL_NIL:
        return write_out(st, n, "<no value>", 10);
    case DK_VAL_STR:
        return write_out(st, n, v->u.str.s, v->u.str.len);
    case DK_VAL_FUNC:
        return xerr(st, n, "can't print %.*s of type %s", (int)n->srclen, st->def->text + n->pos,
                    dk_val_type_name(v));
    default:
        val_format(v, &b, 0, st->t->max_output); /* write_out fails when it stopped short */
        rc = write_out(st, n, b.buf, b.len);
        dk_buf_release(&b);
        return rc;
    }
}

static void set_top(struct state *st, size_t k, struct dk_val *v, int iface)
{
    struct var *x = &st->vars[st->nvars - k];

    dk_val_unref(x->v);
    x->v = dk_val_ref(v);
    x->iface = iface;
}

/* One range iteration: 0 go on, 1 stop (break), -1 error. iface: elem comes out of a list
 * or map (Go's interface value), not out of an int. */
static int range_one(struct state *st, struct node *r, struct dk_val *key, struct dk_val *elem,
                     int iface)
{
    size_t mark = st->nvars;
    int rc, saved = st->dot_iface;

    if (++st->sh->iters > st->t->max_range)
        return xerr(st, r, "range iteration limit (%llu) exceeded",
                    (unsigned long long)st->t->max_range);
    if (r->pipe->ndecl > 0)
        set_top(st, 1, elem, iface);
    if (r->pipe->ndecl > 1)
        set_top(st, 2, key, 0);
    st->dot_iface = iface;
    rc = walk(st, elem, r->list);
    st->dot_iface = saved;
    pop_vars(st, mark);
    if (rc < 0)
        return -1;
    return rc == 1;
}

static int walk_range(struct state *st, struct dk_val *dot, struct node *r)
{
    size_t mark = st->nvars, i;
    struct dk_val *v = NULL;
    int rc = 0, ran = 0;

    if (eval_pipe(st, dot, r->pipe, &v) < 0)
        return -1;
    /* the body may change the list or map (sprig's set, unset): each element is held for
     * its iteration, and a map's keys and values are taken first, as Go's range sorts them
     * first (fmtsort) */
    switch (v->kind) {
    case DK_VAL_LIST:
        for (i = 0; i < v->u.list.n && rc == 0; i++) {
            struct dk_val *k = dk_val_int((int64_t)i), *e = dk_val_ref(v->u.list.v[i]);

            ran = 1;
            rc = range_one(st, r, k, e, 1);
            dk_val_unref(e);
            dk_val_unref(k);
        }
        break;
    case DK_VAL_MAP: {
        size_t nkeys = v->u.map.n;
        struct dk_val **kv = dk_xcalloc(2 * nkeys + 1, sizeof(*kv));

        for (i = 0; i < nkeys; i++) {
            kv[2 * i] = dk_val_str(v->u.map.k[i]);
            kv[2 * i + 1] = dk_val_ref(v->u.map.v[i]);
        }
        for (i = 0; i < nkeys && rc == 0; i++) {
            ran = 1;
            rc = range_one(st, r, kv[2 * i], kv[2 * i + 1], 1);
        }
        for (i = 0; i < 2 * nkeys; i++)
            dk_val_unref(kv[i]);
        free(kv);
        break;
    }
    case DK_VAL_INT:
        if (r->pipe->ndecl > 1) {
            rc = xerr(st, r->pipe->kids[r->pipe->nkids - 1],
                      "can't use %lld to iterate over more than one variable", (long long)v->u.i);
            break;
        }
        for (i = 0; (int64_t)i < v->u.i && rc == 0; i++) {
            struct dk_val *k = dk_val_int((int64_t)i);

            ran = 1;
            rc = range_one(st, r, k, k, 0);
            dk_val_unref(k);
        }
        break;
    case DK_VAL_NIL:
        break;
    default: {
        struct dk_buf b = DK_BUF_INIT;

        dk_val_format(v, &b);
        rc = xerr(st, r->pipe->kids[r->pipe->nkids - 1], "range can't iterate over %s", b.buf);
        dk_buf_release(&b);
        break;
    }
    }
    if (rc >= 0 && !ran && r->elist)
        rc = walk(st, dot, r->elist);
    pop_vars(st, mark);
    dk_val_unref(v);
    return rc < 0 ? -1 : 0;
}

/* Ends one execution of d; frees it when it was replaced meanwhile and this was the last. */
static void def_done(struct dk_tmpl *t, struct dk_tmpl_def *d)
{
    size_t i;

    if (--d->running > 0 || !d->replaced)
        return;
    for (i = 0; i < t->nold; i++)
        if (t->old[i] == d) {
            t->old[i] = t->old[--t->nold];
            break;
        }
    def_free(d);
}

static int walk_template(struct state *st, struct dk_val *dot, struct node *n)
{
    struct dk_tmpl_def *d = find_def(st->t, n->name);
    struct dk_val *v = NULL;
    struct state sub;
    int rc;

    if (!d) {
        char *at = dk_xasprintf("{{template \"%s\"%s}}", n->name, n->pipe ? " ..." : "");

        xerr_at(st, n->errpos, at, "template \"%s\" not defined", n->name);
        free(at);
        return -1;
    }
    if (st->depth + 1 >= st->t->max_depth)
        return xerr(st, n, "exceeded maximum template depth (%u)", st->t->max_depth);
    if (n->pipe) {
        if (eval_pipe(st, dot, n->pipe, &v) < 0)
            return -1;
    } else {
        v = dk_val_nil();
    }
    sub = *st;
    sub.def = d;
    sub.vars = NULL;
    sub.nvars = sub.avars = 0;
    sub.depth = st->depth + 1;
    sub.dot_iface = 0;
    push_var(&sub, "$", dk_val_ref(v));
    d->running++;
    rc = walk(&sub, v, d->root);
    def_done(st->t, d);
    pop_vars(&sub, 0);
    free(sub.vars);
    dk_val_unref(v);
    return rc < 0 ? -1 : 0;
}

static int walk(struct state *st, struct dk_val *dot, struct node *n)
{
    struct dk_val *v = NULL;
    size_t i, mark;
    int rc;

    if (stack_too_deep(st->sh)) {
        if (*st->failed)
            return -1;
        /* unwrapped, as the depth limit's error is (see call_fn()) */
        *st->failed = 1;
        return dk_err_set(st->err, DK_E_FAIL,
                          "exceeded maximum template depth: actions and template calls nest "
                          "too deep for the stack (%zu KiB)",
                          st->sh->stack_max >> 10);
    }
    switch (n->t) {
    case N_LIST:
        for (i = 0; i < n->nkids; i++)
            if ((rc = walk(st, dot, n->kids[i])) != 0)
                return rc;
        return 0;
    case N_TEXT:
        return write_out(st, n, n->text, n->tlen);
    case N_ACTION:
        if (eval_pipe(st, dot, n->pipe, &v) < 0)
            return -1;
        rc = n->pipe->ndecl ? 0 : print_value(st, n->pipe, v);
        dk_val_unref(v);
        return rc;
    case N_IF:
    case N_WITH:
        mark = st->nvars;
        if (eval_pipe(st, dot, n->pipe, &v) < 0)
            return -1;
        if (dk_val_truth(v) && n->t == N_WITH) {
            int saved = st->dot_iface;

            st->dot_iface = 0; /* a pipeline's value is concrete */
            rc = walk(st, v, n->list);
            st->dot_iface = saved;
        } else if (dk_val_truth(v)) {
            rc = walk(st, dot, n->list);
        } else {
            rc = n->elist ? walk(st, dot, n->elist) : 0;
        }
        pop_vars(st, mark);
        dk_val_unref(v);
        return rc;
    case N_RANGE:
        return walk_range(st, dot, n);
    case N_TEMPLATE:
        return walk_template(st, dot, n);
    case N_BREAK:
        return 1;
    case N_CONTINUE:
        return 2;
    default:
        return xerr(st, n, "unknown node");
    }
}

static int exec_def(struct dk_tmpl *t, struct dk_tmpl_def *d, struct dk_val *data,
                    struct dk_buf *out, struct shared *sh, unsigned depth, struct dk_err *err)
{
    struct state st;
    int failed = 0, rc;

    if (!data)
        data = dk_val_nil();
    memset(&st, 0, sizeof(st));
    st.t = t;
    st.def = d;
    st.out = out;
    st.sh = sh;
    st.err = err;
    st.failed = &failed;
    st.depth = depth;
    push_var(&st, "$", dk_val_ref(data));
    d->running++;
    rc = walk(&st, data, d->root);
    def_done(t, d);
    pop_vars(&st, 0);
    free(st.vars);
    return rc < 0 ? -1 : 0;
}

/* Go: template: no template "x" associated with template "ROOT" */
static int no_template(const struct dk_tmpl *t, const char *name, struct dk_err *err)
{
    if (t->root_name)
        return dk_err_set(err, DK_E_NOTFOUND,
                          "template: no template \"%s\" associated with template \"%s\"", name,
                          t->root_name);
    return dk_err_set(err, DK_E_NOTFOUND,
                      "template: no template \"%s\" associated with template set", name);
}

int dk_tmpl_exec(struct dk_tmpl *t, const char *name, struct dk_val *data, struct dk_buf *out,
                 struct dk_err *err)
{
    struct dk_tmpl_def *d = find_def(t, name);
    struct shared sh = {0, 0, 0, 0};

    if (!d)
        return no_template(t, name, err);
    sh.stack_base = STACK_HERE();
    sh.stack_max = stack_budget();
    return exec_def(t, d, data, out, &sh, 0, err);
}

int dk_tmpl_call_exec(struct dk_tmpl_call *c, const char *name, struct dk_val *data,
                      struct dk_buf *out, struct dk_err *err)
{
    struct state *st = c->state;
    struct dk_tmpl_def *d = find_def(c->tmpl, name);

    if (!d)
        return no_template(c->tmpl, name, err);
    if (!st)
        return dk_tmpl_exec(c->tmpl, name, data, out, err);
    if (st->depth + 1 >= c->tmpl->max_depth)
        return dk_err_set(err, DK_E_FAIL, "exceeded maximum template depth (%u)",
                          c->tmpl->max_depth);
    return exec_def(c->tmpl, d, data, out, st->sh, st->depth + 1, err);
}

const char *dk_tmpl_call_template(const struct dk_tmpl_call *c)
{
    const struct state *st = c->state;

    return st ? st->def->name : "";
}

int dk_tmpl_call_parse_exec(struct dk_tmpl_call *c, const char *name, const char *text, size_t len,
                            struct dk_val *data, struct dk_buf *out, struct dk_err *err)
{
    struct scope sc = {NULL, 0};
    int rc;

    /* the text replaces template NAME even when it is empty, as Helm's tpl starts afresh */
    if (parse_into(c->tmpl, name, text, len, &sc, err) < 0)
        return -1;
    rc = dk_tmpl_call_exec(c, name, data, out, err);
    scope_end(c->tmpl, &sc);
    return rc;
}
