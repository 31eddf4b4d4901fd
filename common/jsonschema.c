#include "dk/jsonschema.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk/regex.h"

/*
 * The validator follows the order of santhosh-tekuri/jsonschema v6's validator.go, so that
 * errors come out in Helm's order and shape: type, const, enum and format fail alone (nothing
 * else is checked), then $ref (alone before 2019-09), the object/array/string/number keywords,
 * then not, allOf, anyOf, oneOf, if/then/else. A subschema with one error passes it up as is;
 * with several, they become the causes of a "validation failed" error. A $ref error with a
 * single cause is printed as that cause.
 */

#define SCHEMA_URL "file:///values.schema.json"
#define MAX_DEPTH  1000 /* nested subschemas (validation and checks) */

enum ekind {
    E_LEAF,
    E_GROUP, /* several errors of one subschema: "validation failed" */
    E_REF,   /* a failed $ref: "validation failed", hidden when it has one cause */
};

struct verr {
    enum ekind kind;
    char *loc; /* instance location, a JSON pointer */
    char *msg;
    struct verr **c;
    size_t n;
};

struct errs {
    struct verr **v;
    size_t n;
};

struct re_ent {
    const char *pat;     /* borrowed from the schema */
    struct dk_regex *re; /* NULL when it does not compile */
    char *why;           /* then Go's message */
};

struct ctx {
    const cJSON *root;
    int draft; /* 4, 6, 7, 2019, 2020 */
    int depth;
    struct re_ent *res;
    size_t nres;
    const char *chain[MAX_DEPTH + 2]; /* pointers of the schemas being checked */
    size_t nchain;
    int noreach; /* checking definitions: their references are resolved only when used */
    char *wrap;  /* a dependencies list: its errors are the second branch of an anyOf there */
    const cJSON **seen;
    size_t nseen;
    struct scope {
        const cJSON *s;
        const struct dk_val *v;
        int ref; /* entered through $ref */
    } scopes[MAX_DEPTH + 1];
    size_t nscopes;
    int next_ref;
};

static cJSON true_schema = {NULL, NULL, NULL, cJSON_True, NULL, 0, 0, NULL};

/* ---- errors ---- */

static struct verr *verr_new(enum ekind kind, const char *loc, char *msg)
{
    struct verr *e = dk_xcalloc(1, sizeof *e);

    e->kind = kind;
    e->loc = dk_xstrdup(loc);
    e->msg = msg;
    return e;
}

static void verr_free(struct verr *e)
{
    size_t i;

    if (!e)
        return;
    for (i = 0; i < e->n; i++)
        verr_free(e->c[i]);
    free(e->c);
    free(e->loc);
    free(e->msg);
    free(e);
}

static void errs_add(struct errs *es, struct verr *e)
{
    if (!e)
        return;
    es->v = dk_xrealloc(es->v, (es->n + 1) * sizeof *es->v);
    es->v[es->n++] = e;
}

static void errs_free(struct errs *es)
{
    size_t i;

    for (i = 0; i < es->n; i++)
        verr_free(es->v[i]);
    free(es->v);
    es->v = NULL;
    es->n = 0;
}

/* An error of kind with the errors of es as causes (es is emptied). */
static struct verr *with_causes(enum ekind kind, const char *loc, char *msg, struct errs *es)
{
    struct verr *e = verr_new(kind, loc, msg);

    e->c = es->v;
    e->n = es->n;
    es->v = NULL;
    es->n = 0;
    return e;
}

/* The result of one subschema: none, its one error, or a group. */
static struct verr *result(struct errs *es, const char *loc)
{
    struct verr *e;

    if (es->n == 0) {
        errs_free(es);
        return NULL;
    }
    if (es->n == 1) {
        e = es->v[0];
        free(es->v);
        es->v = NULL;
        es->n = 0;
        return e;
    }
    return with_causes(E_GROUP, loc, dk_xstrdup("validation failed"), es);
}

/* ---- text as Helm prints it ---- */

static size_t utf8_len(const unsigned char *s, size_t n, long *r)
{
    unsigned char c = s[0];
    size_t need, i;

    *r = 0xFFFD;
    if (c < 0x80) {
        *r = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 2;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 3;
    else
        return 1;
    if (n < need + 1)
        return 1;
    for (i = 1; i <= need; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 1;
    if (need == 1)
        *r = (long)(c & 0x1F) << 6 | (s[1] & 0x3F);
    else if (need == 2)
        *r = (long)(c & 0x0F) << 12 | (long)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    else
        *r = (long)(c & 0x07) << 18 | (long)(s[1] & 0x3F) << 12 | (long)(s[2] & 0x3F) << 6 |
             (s[3] & 0x3F);
    if ((need == 2 && (*r < 0x800 || (*r >= 0xD800 && *r <= 0xDFFF))) ||
        (need == 3 && (*r < 0x10000 || *r > 0x10FFFF))) {
        *r = 0xFFFD;
        return 1;
    }
    return need + 1;
}

/* v6's quote(): Go's %q with \" unescaped and ' escaped, in single quotes. */
static void quote(struct dk_buf *b, const char *s, size_t n)
{
    static const char esc[] = "abtnvfr";
    size_t i = 0, k;
    long r;

    dk_buf_addch(b, '\'');
    while (i < n) {
        k = utf8_len((const unsigned char *)s + i, n - i, &r);
        if (r == 0xFFFD && k == 1 && (unsigned char)s[i] >= 0x80)
            dk_buf_addf(b, "\\x%02x", (unsigned char)s[i]);
        else if (r == '\'')
            dk_buf_add(b, "\\'");
        else if (r == '\\')
            dk_buf_add(b, "\\\\");
        else if (r >= '\a' && r <= '\r')
            dk_buf_addf(b, "\\%c", esc[r - '\a']);
        else if (r < 0x20 || r == 0x7F)
            dk_buf_addf(b, "\\x%02x", (unsigned)r);
        else if ((r >= 0x80 && r <= 0xA0) || r == 0xAD || r == 0x2028 || r == 0x2029 || r == 0xFEFF)
            dk_buf_addf(b, "\\u%04lx", r);
        else
            dk_buf_addn(b, s + i, k);
        i += k;
    }
    dk_buf_addch(b, '\'');
}

static void quote_str(struct dk_buf *b, const char *s)
{
    quote(b, s, strlen(s));
}

/* An integer as Helm's English message printer writes it: 1,234. */
static void add_int(struct dk_buf *b, long long v)
{
    char d[32];
    size_t n, i;

    if (v < 0) {
        dk_buf_addch(b, '-');
        v = -v;
    }
    n = (size_t)snprintf(d, sizeof d, "%lld", v);
    for (i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            dk_buf_addch(b, ',');
        dk_buf_addch(b, d[i]);
    }
}

/* The shortest decimal digits of |d| that read back as d, and the exponent of the first. */
static void shortest(double d, char *digits, int *exp10)
{
    char tmp[40], *p, *e;
    int prec;
    size_t n = 0;

    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, fabs(d));
        if (strtod(tmp, NULL) == fabs(d))
            break;
    }
    e = strchr(tmp, 'e');
    *exp10 = atoi(e + 1);
    for (p = tmp; p < e; p++)
        if (*p >= '0' && *p <= '9')
            digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
}

static const char *const supers[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};

/*
 * A number as Helm's English message printer writes Go's %v of a float64: exponent form when
 * Go's %v would use it (exponent < -4 or >= 6 with the shortest digits) as "1.5×10⁰⁶", plain
 * form with thousands separators otherwise ("-1,234.5", "0.0001").
 */
static void add_num(struct dk_buf *b, double d)
{
    char digits[24], ex[16];
    int e, i, nd;

    if (d == 0) {
        dk_buf_addch(b, '0');
        return;
    }
    shortest(d, digits, &e);
    nd = (int)strlen(digits);
    if (d < 0)
        dk_buf_addch(b, '-');
    if (e < -4 || e >= 6) {
        dk_buf_addch(b, digits[0]);
        if (nd > 1) {
            dk_buf_addch(b, '.');
            dk_buf_add(b, digits + 1);
        }
        dk_buf_add(b, "×10");
        if (e < 0)
            dk_buf_add(b, "⁻");
        snprintf(ex, sizeof ex, "%02d", abs(e));
        for (i = 0; ex[i]; i++)
            dk_buf_add(b, supers[ex[i] - '0']);
        return;
    }
    if (e < 0) {
        dk_buf_add(b, "0.");
        for (i = -1; i > e; i--)
            dk_buf_addch(b, '0');
        dk_buf_add(b, digits);
        return;
    }
    for (i = 0; i <= e; i++) {
        if (i && (e + 1 - i) % 3 == 0)
            dk_buf_addch(b, ',');
        dk_buf_addch(b, i < nd ? digits[i] : '0');
    }
    if (nd > e + 1) {
        dk_buf_addch(b, '.');
        dk_buf_add(b, digits + e + 1);
    }
}

/* A JSON number as Go prints it: integral values below 1e21 in full, others shortest. */
static void add_json_num(struct dk_buf *b, double d)
{
    char digits[24];
    int e, nd, i;

    if (d == floor(d) && fabs(d) < 1e21) {
        dk_buf_addf(b, "%.0f", d);
        return;
    }
    shortest(d, digits, &e);
    nd = (int)strlen(digits);
    if (d < 0)
        dk_buf_addch(b, '-');
    if (e < -6 || e >= 21) {
        dk_buf_addch(b, digits[0]);
        if (nd > 1) {
            dk_buf_addch(b, '.');
            dk_buf_add(b, digits + 1);
        }
        dk_buf_addf(b, "e%c%d", e < 0 ? '-' : '+', abs(e));
    } else if (e < 0) {
        dk_buf_add(b, "0.");
        for (i = -1; i > e; i--)
            dk_buf_addch(b, '0');
        dk_buf_add(b, digits);
    } else {
        for (i = 0; i <= e; i++)
            dk_buf_addch(b, i < nd ? digits[i] : '0');
        if (nd > e + 1) {
            dk_buf_addch(b, '.');
            dk_buf_add(b, digits + e + 1);
        }
    }
}

/* v6's display() of a const/enum value (its %v). */
static void display(struct dk_buf *b, const cJSON *j)
{
    if (cJSON_IsString(j))
        quote_str(b, j->valuestring);
    else if (cJSON_IsNumber(j))
        add_json_num(b, j->valuedouble);
    else if (cJSON_IsBool(j))
        dk_buf_add(b, cJSON_IsTrue(j) ? "true" : "false");
    else if (cJSON_IsNull(j))
        dk_buf_add(b, "<nil>");
    else
        dk_buf_add(b, "value");
}

__attribute__((format(printf, 1, 2))) static char *xfmt(const char *fmt, ...)
{
    struct dk_buf b = DK_BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    dk_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    return dk_buf_detach(&b, NULL);
}

/* "NAME: got N, want M" for the counting keywords. */
static char *count_msg(const char *name, long long got, long long want)
{
    struct dk_buf b = DK_BUF_INIT;

    dk_buf_addf(&b, "%s: got ", name);
    add_int(&b, got);
    dk_buf_add(&b, ", want ");
    add_int(&b, want);
    return dk_buf_detach(&b, NULL);
}

static char *num_msg(const char *name, double got, double want)
{
    struct dk_buf b = DK_BUF_INIT;

    dk_buf_addf(&b, "%s: got ", name);
    add_num(&b, got);
    dk_buf_add(&b, ", want ");
    add_num(&b, want);
    return dk_buf_detach(&b, NULL);
}

/* "'a', 'b'" from a list of strings. */
static void join_quoted(struct dk_buf *b, const char *const *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (i)
            dk_buf_add(b, ", ");
        quote_str(b, v[i]);
    }
}

/* ---- JSON pointers and locations ---- */

static void ptr_escape(struct dk_buf *b, const char *tok)
{
    for (; *tok; tok++) {
        if (*tok == '~')
            dk_buf_add(b, "~0");
        else if (*tok == '/')
            dk_buf_add(b, "~1");
        else
            dk_buf_addch(b, *tok);
    }
}

static char *loc_child(const char *loc, const char *tok)
{
    struct dk_buf b = DK_BUF_INIT;

    dk_buf_add(&b, loc);
    dk_buf_addch(&b, '/');
    ptr_escape(&b, tok);
    return dk_buf_detach(&b, NULL);
}

static char *loc_index(const char *loc, size_t i)
{
    return xfmt("%s/%zu", loc, i);
}

/* ---- values ---- */

enum jtype { T_NULL, T_BOOLEAN, T_NUMBER, T_INTEGER, T_STRING, T_ARRAY, T_OBJECT, T_NTYPES };
static const char *const type_names[] = {"null",   "boolean", "number", "integer",
                                         "string", "array",   "object"};

static int is_num(const struct dk_val *v)
{
    return v->kind == DK_VAL_INT || v->kind == DK_VAL_FLOAT;
}

static double num(const struct dk_val *v)
{
    return v->kind == DK_VAL_INT ? (double)v->u.i : v->u.f;
}

static enum jtype type_of(const struct dk_val *v)
{
    switch (v->kind) {
    case DK_VAL_NIL:
        return T_NULL;
    case DK_VAL_BOOL:
        return T_BOOLEAN;
    case DK_VAL_INT:
    case DK_VAL_FLOAT:
        return T_NUMBER;
    case DK_VAL_STR:
        return T_STRING;
    case DK_VAL_LIST:
        return T_ARRAY;
    case DK_VAL_MAP:
        return T_OBJECT;
    default:
        return T_NTYPES;
    }
}

static int is_integer(const struct dk_val *v)
{
    return v->kind == DK_VAL_INT ||
           (v->kind == DK_VAL_FLOAT && isfinite(v->u.f) && v->u.f == floor(v->u.f));
}

static int type_index(const char *name)
{
    int i;

    for (i = 0; i < T_NTYPES; i++)
        if (!strcmp(name, type_names[i]))
            return i;
    return -1;
}

/* JSON equality of a value and a schema constant (numbers by value). */
static int equals_json(const struct dk_val *v, const cJSON *j)
{
    const cJSON *c;
    size_t i, n;

    switch (v->kind) {
    case DK_VAL_NIL:
        return cJSON_IsNull(j);
    case DK_VAL_BOOL:
        return cJSON_IsBool(j) && !v->u.b == !cJSON_IsTrue(j);
    case DK_VAL_INT:
    case DK_VAL_FLOAT:
        return cJSON_IsNumber(j) && num(v) == j->valuedouble;
    case DK_VAL_STR:
        return cJSON_IsString(j) && strlen(j->valuestring) == v->u.str.len &&
               !memcmp(j->valuestring, v->u.str.s, v->u.str.len);
    case DK_VAL_LIST:
        if (!cJSON_IsArray(j) || (size_t)cJSON_GetArraySize(j) != v->u.list.n)
            return 0;
        i = 0;
        cJSON_ArrayForEach(c, j) if (!equals_json(v->u.list.v[i++], c)) return 0;
        return 1;
    case DK_VAL_MAP:
        if (!cJSON_IsObject(j))
            return 0;
        n = 0;
        cJSON_ArrayForEach(c, j)
        {
            const struct dk_val *m = dk_val_map_get(v, c->string ? c->string : "");

            if (!m || !equals_json(m, c))
                return 0;
            n++;
        }
        return n == v->u.map.n;
    default:
        return 0;
    }
}

static int equals_val(const struct dk_val *a, const struct dk_val *b)
{
    size_t i;

    if (is_num(a) && is_num(b))
        return num(a) == num(b);
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case DK_VAL_NIL:
        return 1;
    case DK_VAL_BOOL:
        return !a->u.b == !b->u.b;
    case DK_VAL_STR:
        return a->u.str.len == b->u.str.len && !memcmp(a->u.str.s, b->u.str.s, a->u.str.len);
    case DK_VAL_LIST:
        if (a->u.list.n != b->u.list.n)
            return 0;
        for (i = 0; i < a->u.list.n; i++)
            if (!equals_val(a->u.list.v[i], b->u.list.v[i]))
                return 0;
        return 1;
    case DK_VAL_MAP:
        if (a->u.map.n != b->u.map.n)
            return 0;
        for (i = 0; i < a->u.map.n; i++)
            if (strcmp(a->u.map.k[i], b->u.map.k[i]) || !equals_val(a->u.map.v[i], b->u.map.v[i]))
                return 0;
        return 1;
    default:
        return a == b;
    }
}

/* Go's utf8.RuneCountInString. */
static long long rune_count(const char *s, size_t n)
{
    size_t i = 0;
    long long c = 0;
    long r;

    while (i < n) {
        i += utf8_len((const unsigned char *)s + i, n - i, &r);
        c++;
    }
    return c;
}

/* d = m × 10^e with m an integer of at most 17 digits (shortest decimal form). */
static void decimal(double d, uint64_t *m, int *e)
{
    char digits[24];
    int e10;

    shortest(d, digits, &e10);
    *m = strtoull(digits, NULL, 10);
    *e = e10 - (int)strlen(digits) + 1;
}

/* Whether v / by is an integer, in exact decimal arithmetic (Go's big.Rat on %v text). */
static int multiple_of(double v, double by)
{
    uint64_t mv, mb, r, p = 1;
    int ev, eb, k, i;

    if (v == 0)
        return 1;
    if (!isfinite(v) || !isfinite(by) || by == 0)
        return 0;
    decimal(v, &mv, &ev);
    decimal(by, &mb, &eb);
    k = ev - eb;
    if (k >= 0) {
        r = mv % mb;
        for (i = 0; i < k && r; i++)
            r = r * 10 % mb;
        return r == 0;
    }
    if (-k > 19)
        return 0;
    for (i = 0; i < -k; i++)
        p *= 10;
    return mv % p == 0 && (mv / p) % mb == 0;
}

/* ---- patterns ---- */

/* The compiled Go regexp pat (cached per schema string); NULL with *why set when it does not
 * compile. */
static struct dk_regex *pattern(struct ctx *c, const char *pat, const char **why)
{
    struct dk_err err = DK_ERR_INIT;
    struct re_ent *r;
    size_t i;

    for (i = 0; i < c->nres; i++)
        if (c->res[i].pat == pat)
            break;
    if (i == c->nres) {
        c->res = dk_xrealloc(c->res, (c->nres + 1) * sizeof *c->res);
        r = &c->res[c->nres++];
        r->pat = pat;
        r->why = NULL;
        if (dk_regex_compile(pat, strlen(pat), &r->re, &err) < 0) {
            r->re = NULL;
            r->why = dk_xstrdup(err.msg);
        }
    }
    r = &c->res[i];
    if (why)
        *why = r->why;
    return r->re;
}

static int re_match(struct ctx *c, const char *pat, const char *s, size_t n)
{
    struct dk_regex *re = pattern(c, pat, NULL);

    return re && dk_regex_match(re, s, n);
}

/* ---- formats (asserted in draft-07 and older) ---- */

static int all_digits(const char *s, size_t n)
{
    size_t i;

    if (!n)
        return 0;
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static char *go_quote(const char *s, size_t n)
{
    struct dk_buf b = DK_BUF_INIT;
    size_t i;

    dk_buf_addch(&b, '"');
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (ch == '"' || ch == '\\')
            dk_buf_addf(&b, "\\%c", ch);
        else if (ch == '\n')
            dk_buf_add(&b, "\\n");
        else if (ch == '\t')
            dk_buf_add(&b, "\\t");
        else if (ch < 0x20 || ch == 0x7F)
            dk_buf_addf(&b, "\\x%02x", ch);
        else
            dk_buf_addch(&b, (char)ch);
    }
    dk_buf_addch(&b, '"');
    return dk_buf_detach(&b, NULL);
}

/* Go's %q of a rune in a format message: 'x'. */
static char *rune_q(const char *s, size_t n)
{
    struct dk_buf b = DK_BUF_INIT;
    long r;
    size_t k = utf8_len((const unsigned char *)s, n, &r);

    dk_buf_addch(&b, '\'');
    if (r == '\'' || r == '\\')
        dk_buf_addf(&b, "\\%c", (char)r);
    else if (r < 0x20 || r == 0x7F)
        dk_buf_addf(&b, "\\x%02lx", r);
    else
        dk_buf_addn(&b, s, k);
    dk_buf_addch(&b, '\'');
    return dk_buf_detach(&b, NULL);
}

static char *fmt_hostname(const char *s)
{
    size_t n = strlen(s), i, start = 0;

    if (n && s[n - 1] == '.')
        n--;
    if (n > 253)
        return dk_xstrdup("more than 253 characters long");
    for (i = 0; i <= n; i++) {
        if (i < n && s[i] != '.')
            continue;
        if (i - start < 1 || i - start > 63)
            return dk_xstrdup("label must be 1 to 63 characters long");
        if (s[start] == '-')
            return dk_xstrdup("label starts with hyphen");
        if (s[i - 1] == '-')
            return dk_xstrdup("label ends with hyphen");
        for (size_t j = start; j < i; j++) {
            char ch = s[j];

            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-')) {
                char *q = rune_q(s + j, n - j), *m = xfmt("invalid character %s", q);

                free(q);
                return m;
            }
        }
        start = i + 1;
    }
    return NULL;
}

static char *fmt_ipv4(const char *s)
{
    const char *p = s, *dot;
    int groups = 1;

    for (dot = s; *dot; dot++)
        groups += *dot == '.';
    if (groups != 4)
        return dk_xstrdup("expected four decimals");
    for (;;) {
        size_t n;
        long v;

        dot = strchr(p, '.');
        n = dot ? (size_t)(dot - p) : strlen(p);
        if (n > 1 && p[0] == '0')
            return dk_xstrdup("leading zeros");
        if (!all_digits(p + (n && (p[0] == '+' || p[0] == '-')),
                        n - (n && (p[0] == '+' || p[0] == '-'))) ||
            n > 18) {
            char *q = go_quote(p, n), *m = xfmt("strconv.Atoi: parsing %s: invalid syntax", q);

            free(q);
            return m;
        }
        v = strtol(p, NULL, 10);
        if (v < 0 || v > 255)
            return dk_xstrdup("decimal must be between 0 and 255");
        if (!dot)
            return NULL;
        p = dot + 1;
    }
}

static char *fmt_email(const char *s)
{
    const char *at = strrchr(s, '@'), *p;
    size_t nl;
    char *e, *m;

    if (strlen(s) > 254)
        return dk_xstrdup("more than 255 characters long");
    if (!at)
        return dk_xstrdup("missing @");
    nl = (size_t)(at - s);
    if (nl > 64)
        return dk_xstrdup("local part more than 64 characters long");
    if (nl > 1 && s[0] == '"' && s[nl - 1] == '"') {
        for (p = s + 1; p < at - 1; p++)
            if (*p == '\\' || *p == '"')
                return dk_xstrdup("backslash and quote are not allowed within quoted local part");
    } else {
        if (nl && s[0] == '.')
            return dk_xstrdup("starts with dot");
        if (nl && s[nl - 1] == '.')
            return dk_xstrdup("ends with dot");
        for (p = s; p + 1 < at; p++)
            if (p[0] == '.' && p[1] == '.')
                return dk_xstrdup("consecutive dots");
        for (p = s; p < at; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || strchr(".!#$%&'*+-/=?^_`{|}~", *p))) {
                char *q = rune_q(p, (size_t)(at - p));

                m = xfmt("invalid character %s", q);
                free(q);
                return m;
            }
    }
    at++;
    if (at[0] == '[' && at[strlen(at) - 1] == ']') {
        char *inner = dk_xstrndup(at + 1, strlen(at) - 2);

        if (!strncmp(inner, "IPv6:", 5)) {
            e = strchr(inner + 5, ':') ? NULL : dk_xstrdup("missing colon");
            m = e ? xfmt("invalid ipv6 address: %s", e) : NULL;
        } else {
            e = fmt_ipv4(inner);
            m = e ? xfmt("invalid ipv4 address: %s", e) : NULL;
        }
        free(e);
        free(inner);
        return m;
    }
    if ((e = fmt_hostname(at))) {
        m = xfmt("invalid domain: %s", e);
        free(e);
        return m;
    }
    return NULL;
}

static int days_in(int month, int year)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
        return 29;
    return days[month - 1];
}

/* Go's time.Parse("2006-01-02", s) errors. */
static char *fmt_date(const char *s)
{
    size_t n = strlen(s);
    char *qs = go_quote(s, n), *m = NULL, *qv;
    const char *v = s;
    int year, month, day;

#define CANNOT(elem)                                                                               \
    do {                                                                                           \
        qv = go_quote(v, strlen(v));                                                               \
        m = xfmt("parsing time %s as \"2006-01-02\": cannot parse %s as \"%s\"", qs, qv, elem);    \
        free(qv);                                                                                  \
        goto out;                                                                                  \
    } while (0)
    if (strlen(v) < 4 || !all_digits(v, 4))
        CANNOT("2006");
    year = atoi(v);
    v += 4;
    if (*v != '-')
        CANNOT("-");
    v++;
    if (!all_digits(v, 2) || strlen(v) < 2)
        CANNOT("01");
    month = (v[0] - '0') * 10 + v[1] - '0';
    if (month < 1 || month > 12) {
        m = xfmt("parsing time %s: month out of range", qs);
        goto out;
    }
    v += 2;
    if (*v != '-')
        CANNOT("-");
    v++;
    if (!all_digits(v, 2) || strlen(v) < 2)
        CANNOT("02");
    day = (v[0] - '0') * 10 + v[1] - '0';
    v += 2;
    if (day < 1 || day > 31) {
        m = xfmt("parsing time %s: day out of range", qs);
        goto out;
    }
    if (*v) {
        qv = go_quote(v, strlen(v));
        m = xfmt("parsing time %s: extra text: %s", qs, qv);
        free(qv);
        goto out;
    }
    if (day > days_in(month, year))
        m = xfmt("parsing time %s: day out of range", qs);
#undef CANNOT
out:
    free(qs);
    return m;
}

static int num2(const char *s, int *v)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    *v = (s[0] - '0') * 10 + s[1] - '0';
    return 0;
}

static char *fmt_time(const char *s)
{
    int h, m, sec, zh, zm, sign;
    const char *p;

    if (strlen(s) < 9)
        return dk_xstrdup("less than 9 characters long");
    if (s[2] != ':' || s[5] != ':')
        return dk_xstrdup("missing colon in correct place");
    if (num2(s, &h) || num2(s + 3, &m) || num2(s + 6, &sec))
        return dk_xstrdup("invalid hour/min/sec");
    if (h > 23 || m > 59 || sec > 60)
        return dk_xstrdup("hour/min/sec out of range");
    p = s + 8;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return dk_xstrdup("no digits in second fraction");
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (strcmp(p, "z") && strcmp(p, "Z")) {
        if (strlen(p) != 6)
            return dk_xstrdup("offset must be 6 characters long");
        if (*p != '+' && *p != '-')
            return dk_xstrdup("offset must begin with plus/minus");
        sign = *p == '+' ? -1 : 1;
        p++;
        if (p[2] != ':')
            return dk_xstrdup("missing colon in offset in correct place");
        if (num2(p, &zh) || num2(p + 3, &zm))
            return dk_xstrdup("invalid hour/min in offset");
        if (zh > 23 || zm > 59)
            return dk_xstrdup("hour/min in offset out of range");
        {
            int hm = h * 60 + m + sign * (zh * 60 + zm);

            if (hm < 0)
                hm += 24 * 60;
            h = hm / 60;
            m = hm % 60;
        }
    }
    if (sec >= 60 && (h != 23 || m != 59))
        return dk_xstrdup("invalid leap second");
    return NULL;
}

static char *fmt_date_time(const char *s)
{
    char *date, *e, *m;

    if (strlen(s) < 20)
        return dk_xstrdup("less than 20 characters long");
    if (s[10] != 't' && s[10] != 'T')
        return dk_xstrdup("11th character must be t or T");
    date = dk_xstrndup(s, 10);
    e = fmt_date(date);
    free(date);
    if (e) {
        m = xfmt("invalid date element: %s", e);
        free(e);
        return m;
    }
    if ((e = fmt_time(s + 11))) {
        m = xfmt("invalid time element: %s", e);
        free(e);
        return m;
    }
    return NULL;
}

static char *fmt_duration(const char *s)
{
    static const char *const all[] = {"YMD", "HMS"};
    const char *p, *units;
    size_t n;
    int part;

    if (*s != 'P')
        return dk_xstrdup("must start with P");
    s++;
    if (!*s)
        return dk_xstrdup("nothing after P");
    n = strlen(s);
    if (s[n - 1] == 'W') {
        if (n == 1)
            return dk_xstrdup("no number in week");
        return all_digits(s, n - 1) ? NULL : dk_xstrdup("invalid week");
    }
    p = s;
    for (part = 0;; part++) {
        const char *t = strchr(p, 'T'), *end = t ? t : p + strlen(p);

        if (part != 0 && p == end)
            return dk_xstrdup("no time elements");
        if (part >= 2)
            return dk_xstrdup("more than one T");
        units = all[part];
        while (p < end) {
            const char *d = p, *j;

            while (d < end && *d >= '0' && *d <= '9')
                d++;
            if (d == p)
                return dk_xstrdup("missing number");
            if (d == end)
                return dk_xstrdup("missing unit");
            if (!(j = strchr(units, *d)) || !*d) {
                if (strchr(all[part], *d))
                    return xfmt("unit '%c' out of order", *d);
                return xfmt("invalid unit '%c'", *d);
            }
            units = j + 1;
            p = d + 1;
        }
        if (!t)
            return NULL;
        p = t + 1;
    }
}

static char *fmt_uuid(const char *s)
{
    static const size_t lens[] = {8, 4, 4, 4, 12};
    const char *p = s;
    int groups = 1, i;

    for (; *p; p++)
        groups += *p == '-';
    if (groups != 5)
        return dk_xstrdup("must have 5 elements");
    p = s;
    for (i = 0; i < 5; i++) {
        const char *d = strchr(p, '-');
        size_t n = d ? (size_t)(d - p) : strlen(p), j;

        if (n != lens[i])
            return xfmt("element %d must be %zu characters long", i + 1, lens[i]);
        for (j = 0; j < n; j++) {
            char ch = p[j];

            if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
                  (ch >= 'A' && ch <= 'F'))) {
                char *q = rune_q(p + j, n - j), *m = xfmt("non-hex character %s", q);

                free(q);
                return m;
            }
        }
        p += n + 1;
    }
    return NULL;
}

static char *fmt_json_pointer(const char *s)
{
    if (!*s)
        return NULL;
    if (*s != '/')
        return dk_xstrdup("not starting with /");
    for (; *s; s++)
        if (*s == '~' && s[1] != '0' && s[1] != '1')
            return dk_xstrdup("~ must be followed by 0 or 1");
    return NULL;
}

static char *fmt_uri(const char *s, int reference)
{
    size_t i;
    int scheme = 0;

    for (i = 0; s[i]; i++) {
        char c = s[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            continue;
        if (((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') && i > 0)
            continue;
        if (c == ':') {
            if (i == 0) {
                char *q = go_quote(s, strlen(s)), *m = xfmt("parse %s: missing protocol scheme", q);

                free(q);
                return m;
            }
            scheme = 1;
        }
        break;
    }
    if (!scheme) {
        size_t seg = strcspn(s, "/?#");

        if (memchr(s, ':', seg)) {
            char *q = go_quote(s, strlen(s)),
                 *m = xfmt("parse %s: first path segment in URL cannot contain colon", q);

            free(q);
            return m;
        }
        if (!reference)
            return dk_xstrdup("relative url");
    }
    return NULL;
}

/* The format check of v6 for name; NULL when valid or the format is not checked. */
static char *check_format(const char *name, const struct dk_val *v)
{
    const char *s;

    if (v->kind != DK_VAL_STR)
        return NULL;
    s = v->u.str.s;
    if (!strcmp(name, "regex")) {
        struct dk_regex *re = NULL;
        struct dk_err err = DK_ERR_INIT;

        if (dk_regex_compile(s, v->u.str.len, &re, &err) < 0)
            return dk_xstrdup(err.msg);
        dk_regex_free(re);
        return NULL;
    }
    if (!strcmp(name, "email"))
        return fmt_email(s);
    if (!strcmp(name, "hostname"))
        return fmt_hostname(s);
    if (!strcmp(name, "ipv4"))
        return fmt_ipv4(s);
    if (!strcmp(name, "ipv6"))
        return strchr(s, ':') ? NULL : dk_xstrdup("missing colon");
    if (!strcmp(name, "date"))
        return fmt_date(s);
    if (!strcmp(name, "time"))
        return fmt_time(s);
    if (!strcmp(name, "date-time"))
        return fmt_date_time(s);
    if (!strcmp(name, "duration"))
        return fmt_duration(s);
    if (!strcmp(name, "uuid"))
        return fmt_uuid(s);
    if (!strcmp(name, "json-pointer"))
        return fmt_json_pointer(s);
    if (!strcmp(name, "uri"))
        return fmt_uri(s, 0);
    if (!strcmp(name, "uri-reference"))
        return fmt_uri(s, 1);
    return NULL;
}

/* ---- references ---- */

/* Percent-decodes s into b; -1 on a bad escape. */
static int pct_decode(const char *s, struct dk_buf *b)
{
    for (; *s; s++) {
        if (*s == '%') {
            char h[3] = {s[1], s[1] ? s[2] : 0, 0};
            char *e;
            long v;

            if (!h[0] || !h[1])
                return -1;
            v = strtol(h, &e, 16);
            if (*e)
                return -1;
            dk_buf_addch(b, (char)v);
            s += 2;
        } else {
            dk_buf_addch(b, *s);
        }
    }
    return 0;
}

static const cJSON *find_anchor(const cJSON *s, const char *name, int draft)
{
    const cJSON *c, *r;
    const char *a;

    if (cJSON_IsObject(s)) {
        if (draft >= 2019 &&
            (a = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "$anchor"))) &&
            !strcmp(a, name))
            return s;
        if ((a = cJSON_GetStringValue(
                 cJSON_GetObjectItemCaseSensitive(s, draft == 4 ? "id" : "$id"))) &&
            a[0] == '#' && !strcmp(a + 1, name))
            return s;
    }
    if (cJSON_IsObject(s) || cJSON_IsArray(s))
        cJSON_ArrayForEach(c, s)
        {
            if (cJSON_IsObject(c) && c->string &&
                (!strcmp(c->string, "enum") || !strcmp(c->string, "const")))
                continue;
            if ((r = find_anchor(c, name, draft)))
                return r;
        }
    return NULL;
}

/* Whether the relative reference ref[0..n) names values.schema.json itself. */
static int same_file(const char *ref, size_t n)
{
    while (n >= 2 && !strncmp(ref, "./", 2)) {
        ref += 2;
        n -= 2;
    }
    if (n && *ref == '/') {
        ref++;
        n--;
    }
    return n == 18 && !strncmp(ref, "values.schema.json", 18);
}

/* The schema a $ref names, or NULL with err (Helm's compile errors). */
static const cJSON *resolve(struct ctx *c, const char *ref, struct dk_err *err)
{
    struct dk_buf b = DK_BUF_INIT;
    const char *hash = strchr(ref, '#'), *frag, *id;
    const cJSON *s = c->root;
    size_t baselen = hash ? (size_t)(hash - ref) : strlen(ref);

    if (!strncmp(ref, "urn:", 4))
        return &true_schema; /* Helm's URN loader: a permissive schema */
    if (baselen) {
        id = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(c->root, c->draft == 4 ? "id" : "$id"));
        if (!((id && strlen(id) >= baselen && !strncmp(id, ref, baselen) &&
               (id[baselen] == '\0' || id[baselen] == '#')) ||
              (baselen == strlen(SCHEMA_URL) && !strncmp(ref, SCHEMA_URL, baselen)) ||
              same_file(ref, baselen))) {
            char *base = dk_xstrndup(ref, baselen);
            size_t sl = strcspn(base, ":/?#");

            if (base[sl] == ':' && sl > 0) {
                if (!strncmp(base, "http:", 5) || !strncmp(base, "https:", 6))
                    dk_err_set(err, DK_E_INPUT,
                               "failing loading \"%s\": dk does not load remote schemas", base);
                else if (!strncmp(base, "file:", 5))
                    dk_err_set(err, DK_E_INPUT,
                               "failing loading \"%s\": dk does not load schema files", base);
                else
                    dk_err_set(err, DK_E_INPUT,
                               "failing loading \"%s\": no URLLoader registered for \"%s\"", base,
                               base);
            } else {
                const char *rel = base;

                while (!strncmp(rel, "./", 2))
                    rel += 2;
                while (*rel == '/')
                    rel++;
                dk_err_set(err, DK_E_INPUT,
                           "failing loading \"file:///%s\": open /%s: no such file or directory",
                           rel, rel);
            }
            free(base);
            return NULL;
        }
    }
    frag = hash ? hash + 1 : "";
    if (pct_decode(frag, &b) < 0) {
        dk_err_set(err, DK_E_INPUT, "invalid $ref %s", ref);
        goto fail;
    }
    if (b.len && b.buf[0] != '/') {
        if (!(s = find_anchor(c->root, b.buf, c->draft))) {
            dk_err_set(err, DK_E_INPUT, "anchor %s not found in \"%s\"", b.buf, SCHEMA_URL);
            goto fail;
        }
        dk_buf_release(&b);
        return s;
    }
    {
        char *p = b.buf;

        while (*p == '/') {
            struct dk_buf tok = DK_BUF_INIT;
            char *end = strchr(p + 1, '/'), *q;

            if (!end)
                end = p + strlen(p);
            for (q = p + 1; q < end; q++) {
                if (*q == '~' && q + 1 < end && (q[1] == '0' || q[1] == '1')) {
                    dk_buf_addch(&tok, q[1] == '0' ? '~' : '/');
                    q++;
                } else {
                    dk_buf_addch(&tok, *q);
                }
            }
            if (cJSON_IsObject(s)) {
                s = cJSON_GetObjectItemCaseSensitive(s, tok.buf);
            } else if (cJSON_IsArray(s) && all_digits(tok.buf, tok.len)) {
                s = cJSON_GetArrayItem(s, atoi(tok.buf));
            } else {
                s = NULL;
            }
            dk_buf_release(&tok);
            if (!s) {
                dk_err_set(err, DK_E_INPUT, "json-pointer in \"%s#%s\" not found", SCHEMA_URL,
                           frag);
                goto fail;
            }
            p = end;
        }
    }
    dk_buf_release(&b);
    return s;
fail:
    dk_buf_release(&b);
    return NULL;
}

/* ---- reference cycles ---- */

/* Appends the JSON pointer of node within j to b; 1 when found. */
static int find_ptr(const cJSON *j, const cJSON *node, struct dk_buf *b)
{
    const cJSON *c;
    size_t len = b->len, i = 0;

    if (j == node)
        return 1;
    if (!cJSON_IsObject(j) && !cJSON_IsArray(j))
        return 0;
    cJSON_ArrayForEach(c, j)
    {
        dk_buf_addch(b, '/');
        if (cJSON_IsObject(j))
            ptr_escape(b, c->string);
        else
            dk_buf_addf(b, "%zu", i);
        if (find_ptr(c, node, b))
            return 1;
        dk_buf_setlen(b, len);
        i++;
    }
    return 0;
}

/* v6's kwLoc(): the keyword path from the root scope to scope k. */
static void kw_loc(struct ctx *c, size_t k, struct dk_buf *b)
{
    size_t i;

    for (i = 1; i <= k; i++) {
        struct dk_buf cur = DK_BUF_INIT, parent = DK_BUF_INIT;

        if (c->scopes[i].ref) {
            dk_buf_add(b, "/$ref");
            continue;
        }
        find_ptr(c->root, c->scopes[i].s, &cur);
        find_ptr(c->root, c->scopes[i - 1].s, &parent);
        if (cur.len >= parent.len)
            dk_buf_add(b, cur.buf + parent.len);
        dk_buf_release(&cur);
        dk_buf_release(&parent);
    }
}

/* The error for scope top meeting the same schema on the same value at scope k. */
static struct verr *cycle(struct ctx *c, size_t top, size_t k, const char *loc)
{
    struct dk_buf b = DK_BUF_INIT, p = DK_BUF_INIT;

    dk_buf_add(&b, "both ");
    kw_loc(c, top, &b);
    dk_buf_add(&b, " and ");
    kw_loc(c, k, &b);
    find_ptr(c->root, c->scopes[top].s, &p);
    dk_buf_addf(&b, " resolve to \"%s#%s\" causing reference cycle", SCHEMA_URL, p.buf);
    dk_buf_release(&p);
    return verr_new(E_LEAF, loc, dk_buf_detach(&b, NULL));
}

/* ---- validation ---- */

/*
 * What a schema evaluated of its own value, for unevaluatedProperties/unevaluatedItems
 * (2019-09 and later): one flag per property (in the map's sorted order) or item. Subschemas
 * applied to the same value add theirs when they succeed, as v6 merges them.
 */
struct eval {
    unsigned char *props, *items;
};

static struct verr *validate_ev(struct ctx *c, const cJSON *s, const struct dk_val *v,
                                const char *loc, struct eval *ev);

/* A subschema of another value (a property, an item): nothing to merge. */
static struct verr *validate(struct ctx *c, const cJSON *s, const struct dk_val *v, const char *loc)
{
    return validate_ev(c, s, v, loc, NULL);
}

static void eval_init(struct eval *ev, const struct dk_val *v)
{
    ev->props = v->kind == DK_VAL_MAP ? dk_xcalloc(v->u.map.n + 1, 1) : NULL;
    ev->items = v->kind == DK_VAL_LIST ? dk_xcalloc(v->u.list.n + 1, 1) : NULL;
}

static void eval_free(struct eval *ev)
{
    free(ev->props);
    free(ev->items);
}

static void eval_merge(struct eval *dst, const struct eval *src, const struct dk_val *v)
{
    size_t i;

    if (dst->props && src->props)
        for (i = 0; i < v->u.map.n; i++)
            dst->props[i] |= src->props[i];
    if (dst->items && src->items)
        for (i = 0; i < v->u.list.n; i++)
            dst->items[i] |= src->items[i];
}

/* A subschema of the same value (v6's validateSelf): its evaluations count when it passes. */
static struct verr *validate_self(struct ctx *c, const cJSON *sub, const struct dk_val *v,
                                  const char *loc, struct eval *ev)
{
    struct eval sev;
    struct verr *e;

    if (!ev)
        return validate_ev(c, sub, v, loc, NULL);
    eval_init(&sev, v);
    e = validate_ev(c, sub, v, loc, &sev);
    if (!e)
        eval_merge(ev, &sev, v);
    eval_free(&sev);
    return e;
}

static const cJSON *kw(const cJSON *s, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(s, name);
}

static struct verr *leaf(const char *loc, char *msg)
{
    return verr_new(E_LEAF, loc, msg);
}

static struct verr *validate_ref(struct ctx *c, const cJSON *target, const struct dk_val *v,
                                 const char *loc, struct eval *ev)
{
    struct verr *e, *r;

    c->next_ref = 1;
    e = validate_self(c, target, v, loc, ev);
    if (!e)
        return NULL;
    r = verr_new(E_REF, loc, dk_xstrdup("validation failed"));
    if (e->kind == E_GROUP) {
        r->c = e->c;
        r->n = e->n;
        e->c = NULL;
        e->n = 0;
        verr_free(e);
    } else {
        r->c = dk_xmalloc(sizeof *r->c);
        r->c[0] = e;
        r->n = 1;
    }
    return r;
}

/* The names of required (a JSON array of strings) missing from obj, in order. */
static size_t find_missing(const struct dk_val *obj, const cJSON *required, const char ***out)
{
    const cJSON *r;
    size_t n = 0;

    *out = NULL;
    cJSON_ArrayForEach(r, required)
    {
        if (!cJSON_IsString(r) || dk_val_map_get(obj, r->valuestring))
            continue;
        *out = dk_xrealloc(*out, (n + 1) * sizeof **out);
        (*out)[n++] = r->valuestring;
    }
    return n;
}

static void obj_validate(struct ctx *c, const cJSON *s, const struct dk_val *obj, const char *loc,
                         struct errs *es, struct eval *ev)
{
    const cJSON *k, *props = kw(s, "properties"), *pprops = kw(s, "patternProperties"),
                    *addl = kw(s, "additionalProperties"), *pn;
    const char **missing, **extra = NULL;
    size_t n, i, nextra = 0;

    if ((k = kw(s, "minProperties")) && cJSON_IsNumber(k) && (double)obj->u.map.n < k->valuedouble)
        errs_add(es, leaf(loc, count_msg("minProperties", (long long)obj->u.map.n,
                                         (long long)k->valuedouble)));
    if ((k = kw(s, "maxProperties")) && cJSON_IsNumber(k) && (double)obj->u.map.n > k->valuedouble)
        errs_add(es, leaf(loc, count_msg("maxProperties", (long long)obj->u.map.n,
                                         (long long)k->valuedouble)));
    if ((k = kw(s, "required")) && (n = find_missing(obj, k, &missing))) {
        struct dk_buf b = DK_BUF_INIT;

        dk_buf_add(&b, n == 1 ? "missing property " : "missing properties ");
        join_quoted(&b, missing, n);
        free(missing);
        errs_add(es, leaf(loc, dk_buf_detach(&b, NULL)));
    }
    if ((k = kw(s, "dependencies"))) {
        const cJSON *d;

        cJSON_ArrayForEach(d, k)
        {
            if (!dk_val_map_get(obj, d->string))
                continue;
            if (cJSON_IsArray(d)) {
                if ((n = find_missing(obj, d, &missing))) {
                    struct dk_buf b = DK_BUF_INIT;

                    dk_buf_add(&b, "properties ");
                    join_quoted(&b, missing, n);
                    dk_buf_add(&b, " required, if ");
                    quote_str(&b, d->string);
                    dk_buf_add(&b, " exists");
                    free(missing);
                    errs_add(es, leaf(loc, dk_buf_detach(&b, NULL)));
                }
            } else {
                errs_add(es, validate_self(c, d, obj, loc, ev));
            }
        }
    }
    for (i = 0; i < obj->u.map.n; i++) {
        const char *name = obj->u.map.k[i];
        const struct dk_val *pv = obj->u.map.v[i];
        char *cl = loc_child(loc, name);
        int evaluated = 0;

        if (cJSON_IsObject(props) && (k = cJSON_GetObjectItemCaseSensitive(props, name))) {
            evaluated = 1;
            errs_add(es, validate(c, k, pv, cl));
        }
        if (cJSON_IsObject(pprops))
            cJSON_ArrayForEach(k, pprops) if (re_match(c, k->string, name, strlen(name)))
            {
                evaluated = 1;
                errs_add(es, validate(c, k, pv, cl));
            }
        if (!evaluated && addl) {
            evaluated = 1;
            if (cJSON_IsBool(addl)) {
                if (cJSON_IsFalse(addl)) {
                    extra = dk_xrealloc(extra, (nextra + 1) * sizeof *extra);
                    extra[nextra++] = name;
                }
            } else {
                errs_add(es, validate(c, addl, pv, cl));
            }
        }
        if (evaluated && ev && ev->props)
            ev->props[i] = 1;
        free(cl);
    }
    if (nextra) {
        struct dk_buf b = DK_BUF_INIT;

        dk_buf_add(&b, "additional properties ");
        join_quoted(&b, extra, nextra);
        dk_buf_add(&b, " not allowed");
        free(extra);
        errs_add(es, leaf(loc, dk_buf_detach(&b, NULL)));
    }
    if (c->draft == 4)
        return;
    if ((pn = kw(s, "propertyNames"))) {
        for (i = 0; i < obj->u.map.n; i++) {
            struct dk_val *name = dk_val_str(obj->u.map.k[i]);
            struct verr *e = validate(c, pn, name, ""), *w;
            struct dk_buf b = DK_BUF_INIT;

            dk_val_unref(name);
            if (!e)
                continue;
            /* Helm reports these at '' whatever the object's place */
            dk_buf_add(&b, "invalid propertyName ");
            quote_str(&b, obj->u.map.k[i]);
            w = verr_new(E_LEAF, "", dk_buf_detach(&b, NULL));
            if (e->kind == E_GROUP) {
                w->c = e->c;
                w->n = e->n;
                e->c = NULL;
                e->n = 0;
                verr_free(e);
            } else {
                w->c = dk_xmalloc(sizeof *w->c);
                w->c[0] = e;
                w->n = 1;
            }
            errs_add(es, w);
        }
    }
    if (c->draft == 6 || c->draft == 7)
        return;
    if ((k = kw(s, "dependentSchemas"))) {
        const cJSON *d;

        cJSON_ArrayForEach(d, k) if (dk_val_map_get(obj, d->string))
            errs_add(es, validate_self(c, d, obj, loc, ev));
    }
    if ((k = kw(s, "dependentRequired"))) {
        const cJSON *d;

        cJSON_ArrayForEach(d, k)
        {
            if (!dk_val_map_get(obj, d->string) || !(n = find_missing(obj, d, &missing)))
                continue;
            struct dk_buf b = DK_BUF_INIT;

            dk_buf_add(&b, "properties ");
            join_quoted(&b, missing, n);
            dk_buf_add(&b, " required, if ");
            quote_str(&b, d->string);
            dk_buf_add(&b, " exists");
            free(missing);
            errs_add(es, leaf(loc, dk_buf_detach(&b, NULL)));
        }
    }
}

static void arr_validate(struct ctx *c, const cJSON *s, const struct dk_val *arr, const char *loc,
                         struct errs *es, struct eval *ev)
{
#define MARK(i)                                                                                    \
    do {                                                                                           \
        if (ev && ev->items)                                                                       \
            ev->items[i] = 1;                                                                      \
    } while (0)
    const cJSON *k, *items = kw(s, "items");
    size_t n = arr->u.list.n, i, j, evaluated = 0;
    char *cl;

    if ((k = kw(s, "minItems")) && cJSON_IsNumber(k) && (double)n < k->valuedouble)
        errs_add(es, leaf(loc, count_msg("minItems", (long long)n, (long long)k->valuedouble)));
    if ((k = kw(s, "maxItems")) && cJSON_IsNumber(k) && (double)n > k->valuedouble)
        errs_add(es, leaf(loc, count_msg("maxItems", (long long)n, (long long)k->valuedouble)));
    if ((k = kw(s, "uniqueItems")) && cJSON_IsTrue(k) && n > 1) {
        int found = 0;

        for (i = 0; i < n && !found; i++)
            for (j = i + 1; j < n && !found; j++)
                if (equals_val(arr->u.list.v[i], arr->u.list.v[j])) {
                    struct dk_buf b = DK_BUF_INIT;

                    dk_buf_add(&b, "items at ");
                    add_int(&b, (long long)i);
                    dk_buf_add(&b, " and ");
                    add_int(&b, (long long)j);
                    dk_buf_add(&b, " are equal");
                    errs_add(es, leaf(loc, dk_buf_detach(&b, NULL)));
                    found = 1;
                }
    }
    /* Helm (v6) numbers the items after the tuple from 0 again: kept, to print what it prints */
    if (c->draft < 2020) {
        if (cJSON_IsArray(items)) {
            size_t ni = (size_t)cJSON_GetArraySize(items);
            const cJSON *a = kw(s, "additionalItems");

            evaluated = n < ni ? n : ni;
            for (i = 0; i < evaluated; i++) {
                MARK(i);
                cl = loc_index(loc, i);
                errs_add(es, validate(c, cJSON_GetArrayItem(items, (int)i), arr->u.list.v[i], cl));
                free(cl);
            }
            if (cJSON_IsFalse(a) && evaluated != n) {
                struct dk_buf b = DK_BUF_INIT;

                dk_buf_add(&b, "last ");
                add_int(&b, (long long)(n - evaluated));
                dk_buf_add(&b, " additionalItem(s) not allowed");
                errs_add(es, leaf(loc, dk_buf_detach(&b, NULL)));
            } else if (a && !cJSON_IsBool(a)) {
                for (i = evaluated; i < n; i++) {
                    MARK(i);
                    cl = loc_index(loc, i - evaluated);
                    errs_add(es, validate(c, a, arr->u.list.v[i], cl));
                    free(cl);
                }
            }
        } else if (items) {
            for (i = 0; i < n; i++) {
                MARK(i);
                cl = loc_index(loc, i);
                errs_add(es, validate(c, items, arr->u.list.v[i], cl));
                free(cl);
            }
        }
    } else {
        const cJSON *prefix = kw(s, "prefixItems");
        size_t np = cJSON_IsArray(prefix) ? (size_t)cJSON_GetArraySize(prefix) : 0;

        evaluated = n < np ? n : np;
        for (i = 0; i < evaluated; i++) {
            MARK(i);
            cl = loc_index(loc, i);
            errs_add(es, validate(c, cJSON_GetArrayItem(prefix, (int)i), arr->u.list.v[i], cl));
            free(cl);
        }
        if (items && !cJSON_IsArray(items))
            for (i = evaluated; i < n; i++) {
                MARK(i);
                cl = loc_index(loc, i - evaluated);
                errs_add(es, validate(c, items, arr->u.list.v[i], cl));
                free(cl);
            }
    }
    if (c->draft >= 6 && (k = kw(s, "contains"))) {
        struct errs ce = {0};
        size_t *matched = dk_xcalloc(n + 1, sizeof *matched), nm = 0;
        const cJSON *minc = c->draft >= 2019 ? kw(s, "minContains") : NULL,
                    *maxc = c->draft >= 2019 ? kw(s, "maxContains") : NULL;
        struct dk_buf b = DK_BUF_INIT;
        struct verr *e;

        for (i = 0; i < n; i++) {
            cl = loc_index(loc, i);
            if ((e = validate(c, k, arr->u.list.v[i], cl)))
                errs_add(&ce, e);
            else {
                matched[nm++] = i;
                if (c->draft >= 2020)
                    MARK(i);
            }
            free(cl);
        }
        if (cJSON_IsNumber(minc)) {
            if ((double)nm < minc->valuedouble) {
                dk_buf_add(&b, "min ");
                add_int(&b, (long long)minc->valuedouble);
                dk_buf_add(&b, " items required to match contains schema, but ");
                if (!nm) {
                    dk_buf_add(&b, "none matched");
                } else {
                    dk_buf_add(&b, "matched ");
                    add_int(&b, (long long)nm);
                    dk_buf_add(&b, " items at");
                    for (i = 0; i < nm; i++)
                        dk_buf_addf(&b, " %zu", matched[i]);
                }
                errs_add(es, with_causes(E_LEAF, loc, dk_buf_detach(&b, NULL), &ce));
            }
        } else if (!nm) {
            errs_add(es,
                     with_causes(E_LEAF, loc, dk_xstrdup("no items match contains schema"), &ce));
        }
        if (cJSON_IsNumber(maxc) && (double)nm > maxc->valuedouble) {
            dk_buf_reset(&b);
            dk_buf_add(&b, "max ");
            add_int(&b, (long long)maxc->valuedouble);
            dk_buf_add(&b, " items required to match contains schema, but matched ");
            add_int(&b, (long long)nm);
            dk_buf_add(&b, " items at");
            for (i = 0; i < nm; i++)
                dk_buf_addf(&b, " %zu", matched[i]);
            errs_add(es, leaf(loc, dk_buf_detach(&b, NULL)));
        }
        dk_buf_release(&b);
        errs_free(&ce);
        free(matched);
    }
}
#undef MARK

static void str_validate(struct ctx *c, const cJSON *s, const struct dk_val *v, const char *loc,
                         struct errs *es)
{
    const cJSON *k;
    long long len = rune_count(v->u.str.s, v->u.str.len);

    if ((k = kw(s, "minLength")) && cJSON_IsNumber(k) && (double)len < k->valuedouble)
        errs_add(es, leaf(loc, count_msg("minLength", len, (long long)k->valuedouble)));
    if ((k = kw(s, "maxLength")) && cJSON_IsNumber(k) && (double)len > k->valuedouble)
        errs_add(es, leaf(loc, count_msg("maxLength", len, (long long)k->valuedouble)));
    if ((k = kw(s, "pattern")) && cJSON_IsString(k) &&
        !re_match(c, k->valuestring, v->u.str.s, v->u.str.len)) {
        struct dk_buf b = DK_BUF_INIT;

        quote(&b, v->u.str.s, v->u.str.len);
        dk_buf_add(&b, " does not match pattern ");
        quote_str(&b, k->valuestring);
        errs_add(es, leaf(loc, dk_buf_detach(&b, NULL)));
    }
}

static void num_validate(struct ctx *c, const cJSON *s, const struct dk_val *v, const char *loc,
                         struct errs *es)
{
    const cJSON *min = kw(s, "minimum"), *max = kw(s, "maximum"), *xmin = kw(s, "exclusiveMinimum"),
                *xmax = kw(s, "exclusiveMaximum"), *mul = kw(s, "multipleOf");
    double d = num(v);

    if (c->draft == 4) {
        /* draft-04: exclusiveMinimum/Maximum are flags on minimum/maximum */
        if (cJSON_IsNumber(min) && cJSON_IsTrue(xmin)) {
            xmin = min;
            min = NULL;
        } else {
            xmin = NULL;
        }
        if (cJSON_IsNumber(max) && cJSON_IsTrue(xmax)) {
            xmax = max;
            max = NULL;
        } else {
            xmax = NULL;
        }
    }
    if (cJSON_IsNumber(min) && d < min->valuedouble)
        errs_add(es, leaf(loc, num_msg("minimum", d, min->valuedouble)));
    if (cJSON_IsNumber(max) && d > max->valuedouble)
        errs_add(es, leaf(loc, num_msg("maximum", d, max->valuedouble)));
    if (cJSON_IsNumber(xmin) && d <= xmin->valuedouble)
        errs_add(es, leaf(loc, num_msg("exclusiveMinimum", d, xmin->valuedouble)));
    if (cJSON_IsNumber(xmax) && d >= xmax->valuedouble)
        errs_add(es, leaf(loc, num_msg("exclusiveMaximum", d, xmax->valuedouble)));
    if (cJSON_IsNumber(mul) && !multiple_of(d, mul->valuedouble))
        errs_add(es, leaf(loc, num_msg("multipleOf", d, mul->valuedouble)));
}

static void cond_validate(struct ctx *c, const cJSON *s, const struct dk_val *v, const char *loc,
                          struct errs *es, struct eval *ev)
{
    const cJSON *k, *sub;
    struct verr *e;

    if ((k = kw(s, "not"))) {
        if (!(e = validate_self(c, k, v, loc, ev)))
            errs_add(es, leaf(loc, dk_xstrdup("'not' failed")));
        verr_free(e);
    }
    if ((k = kw(s, "allOf")) && cJSON_GetArraySize(k) > 0) {
        struct errs ae = {0};

        cJSON_ArrayForEach(sub, k) errs_add(&ae, validate_self(c, sub, v, loc, ev));
        if (ae.n)
            errs_add(es, with_causes(E_LEAF, loc, dk_xstrdup("'allOf' failed"), &ae));
    }
    if ((k = kw(s, "anyOf")) && cJSON_GetArraySize(k) > 0) {
        struct errs ae = {0};
        int matched = 0;

        cJSON_ArrayForEach(sub, k)
        {
            if ((e = validate_self(c, sub, v, loc, ev))) {
                errs_add(&ae, e);
            } else {
                matched = 1;
                if (!ev)
                    break; /* the others only matter for what they evaluate */
            }
        }
        if (!matched)
            errs_add(es, with_causes(E_LEAF, loc, dk_xstrdup("'anyOf' failed"), &ae));
        errs_free(&ae);
    }
    if ((k = kw(s, "oneOf")) && cJSON_GetArraySize(k) > 0) {
        struct errs ae = {0};
        int matched = -1, i = 0;

        cJSON_ArrayForEach(sub, k)
        {
            if ((e = validate_self(c, sub, v, loc, ev))) {
                if (matched == -1)
                    errs_add(&ae, e);
                else
                    verr_free(e);
            } else if (matched == -1) {
                matched = i;
            } else {
                struct dk_buf b = DK_BUF_INIT;

                dk_buf_add(&b, "'oneOf' failed, subschemas ");
                add_int(&b, matched);
                dk_buf_add(&b, ", ");
                add_int(&b, i);
                dk_buf_add(&b, " matched");
                errs_add(es, leaf(loc, dk_buf_detach(&b, NULL)));
                break;
            }
            i++;
        }
        if (matched == -1)
            errs_add(es, with_causes(E_LEAF, loc, dk_xstrdup("'oneOf' failed, none matched"), &ae));
        errs_free(&ae);
    }
    if (c->draft >= 7 && (k = kw(s, "if"))) {
        const cJSON *then = kw(s, "then"), *els = kw(s, "else");

        if (!(e = validate_self(c, k, v, loc, ev))) {
            if (then)
                errs_add(es, validate_self(c, then, v, loc, ev));
        } else {
            verr_free(e);
            if (els)
                errs_add(es, validate_self(c, els, v, loc, ev));
        }
    }
}

static void uneval_validate(struct ctx *c, const cJSON *s, const struct dk_val *v, const char *loc,
                            struct errs *es, struct eval *ev)
{
    const cJSON *up = kw(s, "unevaluatedProperties"), *ui = kw(s, "unevaluatedItems");
    size_t i;

    if (up && v->kind == DK_VAL_MAP) {
        for (i = 0; i < v->u.map.n; i++)
            if (!ev->props[i]) {
                char *cl = loc_child(loc, v->u.map.k[i]);

                errs_add(es, validate(c, up, v->u.map.v[i], cl));
                free(cl);
                ev->props[i] = 1;
            }
    }
    if (ui && v->kind == DK_VAL_LIST) {
        for (i = 0; i < v->u.list.n; i++)
            if (!ev->items[i]) {
                char *cl = loc_index(loc, i);

                errs_add(es, validate(c, ui, v->u.list.v[i], cl));
                free(cl);
                ev->items[i] = 1;
            }
    }
}

static struct verr *validate_ev(struct ctx *c, const cJSON *s, const struct dk_val *v,
                                const char *loc, struct eval *ev)
{
    struct errs es = {0};
    struct eval own = {NULL, NULL}, *lev = NULL;
    int uneval;
    const cJSON *k, *ref;
    enum jtype t;
    struct verr *e;
    int is_ref = c->next_ref;

    c->next_ref = 0;
    if (cJSON_IsBool(s))
        return cJSON_IsTrue(s) ? NULL : leaf(loc, dk_xstrdup("false schema"));
    if (!cJSON_IsObject(s))
        return NULL;
    if (c->depth >= MAX_DEPTH)
        return leaf(loc, dk_xstrdup("schema nesting too deep"));
    c->depth++;
    uneval = c->draft >= 2019 && (kw(s, "unevaluatedProperties") || kw(s, "unevaluatedItems"));
    if (ev || uneval) {
        eval_init(&own, v);
        lev = &own;
    }
    c->scopes[c->nscopes].s = s;
    c->scopes[c->nscopes].v = v;
    c->scopes[c->nscopes].ref = is_ref;
    {
        size_t top = c->nscopes++, i;

        for (i = top; i-- > 0 && c->scopes[i].v == v;)
            if (c->scopes[i].s == s) {
                e = cycle(c, top, i, loc);
                goto out;
            }
    }
    t = type_of(v);
    if (t == T_NTYPES) {
        e = leaf(loc, xfmt("invalid jsonType %s", dk_val_type_name(v)));
        goto out;
    }
    ref = cJSON_GetStringValue(kw(s, "$ref")) ? kw(s, "$ref") : NULL;
    if (ref && c->draft < 2019) {
        /* draft-07 and older: $ref stands alone */
        const cJSON *target = resolve(c, ref->valuestring, NULL);

        e = target ? validate_ref(c, target, v, loc, NULL) : NULL;
        goto out;
    }
    if ((k = kw(s, "type"))) {
        unsigned want = 0;
        const cJSON *n;
        int i, matched;

        if (cJSON_IsString(k)) {
            if ((i = type_index(k->valuestring)) >= 0)
                want |= 1u << i;
        } else {
            cJSON_ArrayForEach(n, k) if (cJSON_IsString(n) && (i = type_index(n->valuestring)) >= 0)
                want |= 1u << i;
        }
        matched =
            (want & (1u << t)) || ((want & (1u << T_INTEGER)) && t == T_NUMBER && is_integer(v));
        if (want && !matched) {
            struct dk_buf b = DK_BUF_INIT;
            int first = 1;

            dk_buf_addf(&b, "got %s, want ", type_names[t]);
            for (i = 0; i < T_NTYPES; i++)
                if (want & (1u << i)) {
                    dk_buf_addf(&b, "%s%s", first ? "" : " or ", type_names[i]);
                    first = 0;
                }
            e = leaf(loc, dk_buf_detach(&b, NULL));
            goto out;
        }
    }
    if (c->draft >= 6 && (k = kw(s, "const")) && !equals_json(v, k)) {
        struct dk_buf b = DK_BUF_INIT;

        if (cJSON_IsArray(k) || cJSON_IsObject(k)) {
            dk_buf_add(&b, "'const' failed");
        } else {
            dk_buf_add(&b, "value must be ");
            display(&b, k);
        }
        e = leaf(loc, dk_buf_detach(&b, NULL));
        goto out;
    }
    if ((k = kw(s, "enum")) && cJSON_IsArray(k)) {
        const cJSON *n;
        int matched = 0, prim = 1, cnt = 0;

        cJSON_ArrayForEach(n, k)
        {
            matched |= equals_json(v, n);
            prim &= !(cJSON_IsArray(n) || cJSON_IsObject(n));
            cnt++;
        }
        if (!matched) {
            struct dk_buf b = DK_BUF_INIT;

            if (!prim) {
                dk_buf_add(&b, "'enum' failed");
            } else {
                dk_buf_add(&b, cnt == 1 ? "value must be " : "value must be one of ");
                cJSON_ArrayForEach(n, k)
                {
                    if (n != k->child)
                        dk_buf_add(&b, ", ");
                    display(&b, n);
                }
            }
            e = leaf(loc, dk_buf_detach(&b, NULL));
            goto out;
        }
    }
    if (c->draft <= 7 && (k = kw(s, "format")) && cJSON_IsString(k)) {
        char *why = check_format(k->valuestring, v);

        if (why) {
            struct dk_buf b = DK_BUF_INIT;

            quote(&b, v->u.str.s, v->u.str.len);
            dk_buf_addf(&b, " is not valid %s: %s", k->valuestring, why);
            free(why);
            e = leaf(loc, dk_buf_detach(&b, NULL));
            goto out;
        }
    }
    if (ref) {
        const cJSON *target = resolve(c, ref->valuestring, NULL);

        if (target)
            errs_add(&es, validate_ref(c, target, v, loc, lev));
    }
    switch (t) {
    case T_OBJECT:
        obj_validate(c, s, v, loc, &es, lev);
        break;
    case T_ARRAY:
        arr_validate(c, s, v, loc, &es, lev);
        break;
    case T_STRING:
        str_validate(c, s, v, loc, &es);
        break;
    case T_NUMBER:
        num_validate(c, s, v, loc, &es);
        break;
    default:
        break;
    }
    cond_validate(c, s, v, loc, &es, lev);
    if (uneval)
        uneval_validate(c, s, v, loc, &es, lev);
    e = result(&es, loc);
    if (!e && ev)
        eval_merge(ev, lev, v);
out:
    eval_free(&own);
    c->nscopes--;
    c->depth--;
    return e;
}

/* ---- the schema itself ---- */

static const char *json_type(const cJSON *j)
{
    if (cJSON_IsNull(j))
        return "null";
    if (cJSON_IsBool(j))
        return "boolean";
    if (cJSON_IsNumber(j))
        return "number";
    if (cJSON_IsString(j))
        return "string";
    if (cJSON_IsArray(j))
        return "array";
    return "object";
}

static const char *const meta_urls[] = {
    "http://json-schema.org/draft-04/schema#", "http://json-schema.org/draft-06/schema#",
    "http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft/2019-09/schema#",
    "https://json-schema.org/draft/2020-12/schema#"};

/*
 * A broken schema, as Helm reports a failed metaschema check: the error at ptr under one
 * "'allOf' failed" per enclosing schema for 2019-09 and 2020-12 (whose metaschemas are allOf
 * vocabularies), flat for older drafts. Lines after the first in msg are its causes.
 */
static int meta_fail(struct ctx *c, struct dk_err *err, const char *ptr, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int meta_fail(struct ctx *c, struct dk_err *err, const char *ptr, const char *fmt, ...)
{
    struct dk_buf b = DK_BUF_INIT, msg = DK_BUF_INIT;
    const char *url = meta_urls[c->draft == 4      ? 0
                                : c->draft == 6    ? 1
                                : c->draft == 7    ? 2
                                : c->draft == 2019 ? 3
                                                   : 4];
    size_t i, depth = 0, j;
    char *line, *save = NULL;
    int wrapped = 0;
    va_list ap;

    va_start(ap, fmt);
    dk_buf_vaddf(&msg, fmt, ap);
    va_end(ap);
    if (c->wrap && !strchr(msg.buf, '\n')) {
        struct dk_buf w = DK_BUF_INIT;

        /* "dependencies" is outside the vocabularies: no allOf for its schema */
        wrapped = 1;
        dk_buf_addf(&w, "'anyOf' failed\ngot array, want boolean or object\n@%s\t%s", ptr, msg.buf);
        dk_buf_release(&msg);
        msg = w;
        ptr = c->wrap;
    }
    dk_buf_addf(&b,
                "\"%s#\" is not valid against metaschema: jsonschema validation failed with '%s'",
                SCHEMA_URL, url);
    if (c->draft >= 2019)
        for (i = 0; i < c->nchain - (wrapped && c->nchain > 1); i++, depth++) {
            dk_buf_addch(&b, '\n');
            for (j = 0; j < depth; j++)
                dk_buf_add(&b, "  ");
            dk_buf_add(&b, "- at ");
            quote_str(&b, c->chain[i]);
            dk_buf_add(&b, ": 'allOf' failed");
        }
    for (line = strtok_r(msg.buf, "\n", &save), i = 0; line;
         line = strtok_r(NULL, "\n", &save), i++) {
        dk_buf_addch(&b, '\n');
        for (j = 0; j < depth + (i > 0); j++)
            dk_buf_add(&b, "  ");
        dk_buf_add(&b, "- at ");
        if (line[0] == '@' && strchr(line, '\t')) { /* "@LOC\tMSG": a cause somewhere else */
            char *tab = strchr(line, '\t');

            quote(&b, line + 1, (size_t)(tab - line - 1));
            line = tab + 1;
        } else {
            quote_str(&b, ptr);
        }
        dk_buf_addf(&b, ": %s", line);
    }
    dk_err_set(err, DK_E_INPUT, "%s", b.buf);
    dk_buf_release(&b);
    dk_buf_release(&msg);
    return -1;
}

static int check(struct ctx *c, const cJSON *s, const char *ptr, struct dk_err *err);
static int check_ref(struct ctx *c, const char *ref, struct dk_err *err);

static int check_sub(struct ctx *c, const cJSON *s, const char *ptr, const char *tok,
                     struct dk_err *err)
{
    char *p = loc_child(ptr, tok);
    int rc = check(c, s, p, err);

    free(p);
    return rc;
}

/* Every member of an object (or item of an array) is a schema. */
static int check_each(struct ctx *c, const cJSON *k, const char *ptr, int arr, struct dk_err *err)
{
    const cJSON *m;
    char *p = loc_child(ptr, k->string);
    int rc = 0;
    size_t i = 0;

    if (arr ? !cJSON_IsArray(k) : !cJSON_IsObject(k)) {
        rc = meta_fail(c, err, p, "got %s, want %s", json_type(k), arr ? "array" : "object");
        goto out;
    }
    if (arr && cJSON_GetArraySize(k) == 0) {
        rc = meta_fail(c, err, p, "minItems: got 0, want 1");
        goto out;
    }
    cJSON_ArrayForEach(m, k)
    {
        char idx[32];

        snprintf(idx, sizeof idx, "%zu", i++);
        if ((rc = check_sub(c, m, p, arr ? idx : m->string, err)) < 0)
            break;
    }
out:
    free(p);
    return rc;
}

static int check_nonneg(struct ctx *c, const cJSON *k, const char *ptr, struct dk_err *err)
{
    char *p;
    int rc = 0;

    if (!k)
        return 0;
    p = loc_child(ptr, k->string);
    if (!cJSON_IsNumber(k) || k->valuedouble != floor(k->valuedouble))
        rc = meta_fail(c, err, p, "got %s, want integer",
                       cJSON_IsNumber(k) ? "number" : json_type(k));
    else if (k->valuedouble < 0)
        rc = meta_fail(c, err, p, "minimum: got %g, want 0", k->valuedouble);
    free(p);
    return rc;
}

/* JSON equality of two schema constants (numbers by value). */
static int cjson_equal(const cJSON *a, const cJSON *b)
{
    const cJSON *x, *y;

    if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
        return a->valuedouble == b->valuedouble;
    if ((a->type & 0xFF) != (b->type & 0xFF))
        return 0;
    if (cJSON_IsString(a))
        return !strcmp(a->valuestring, b->valuestring);
    if (cJSON_IsArray(a)) {
        if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
            return 0;
        for (x = a->child, y = b->child; x && y; x = x->next, y = y->next)
            if (!cjson_equal(x, y))
                return 0;
        return 1;
    }
    if (cJSON_IsObject(a)) {
        if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
            return 0;
        cJSON_ArrayForEach(x, a)
        {
            y = cJSON_GetObjectItemCaseSensitive(b, x->string);
            if (!y || !cjson_equal(x, y))
                return 0;
        }
        return 1;
    }
    return 1; /* null, true, false */
}

/* The metaschema's minItems and uniqueItems on array k (at p); 0 or -1. */
static int check_array(struct ctx *c, const cJSON *k, const char *p, int min_one,
                       struct dk_err *err)
{
    const cJSON *x, *y;
    int i = 0, j;

    if (min_one && !k->child)
        return meta_fail(c, err, p, "minItems: got 0, want 1");
    for (x = k->child; x; x = x->next, i++)
        for (y = x->next, j = i + 1; y; y = y->next, j++)
            if (cjson_equal(x, y))
                return meta_fail(c, err, p, "items at %d and %d are equal", i, j);
    return 0;
}

/* "required" and the lists of dependencies: unique strings (non-empty in draft-04). */
static int check_strings(struct ctx *c, const cJSON *k, const char *ptr, struct dk_err *err)
{
    const cJSON *m;
    char *p = loc_child(ptr, k->string);
    int rc = 0;
    size_t i = 0;

    if (!cJSON_IsArray(k)) {
        rc = meta_fail(c, err, p, "got %s, want array", json_type(k));
        goto out;
    }
    if ((rc = check_array(c, k, p, c->draft == 4 && !strcmp(k->string, "required"), err)) < 0)
        goto out;
    cJSON_ArrayForEach(m, k)
    {
        if (!cJSON_IsString(m)) {
            char *ip = loc_index(p, i);

            rc = meta_fail(c, err, ip, "got %s, want string", json_type(m));
            free(ip);
            break;
        }
        i++;
    }
out:
    free(p);
    return rc;
}

static int draft_of(const char *uri)
{
    static const struct {
        const char *uri;
        int draft;
    } drafts[] = {
        {"json-schema.org/draft-04/schema", 4},
        {"json-schema.org/draft-06/schema", 6},
        {"json-schema.org/draft-07/schema", 7},
        {"json-schema.org/draft/2019-09/schema", 2019},
        {"json-schema.org/draft/2020-12/schema", 2020},
        {"json-schema.org/schema", 2020}, /* "the latest" */
    };
    size_t i, n;
    const char *u = uri;

    if (!strncmp(u, "http://", 7))
        u += 7;
    else if (!strncmp(u, "https://", 8))
        u += 8;
    else
        return 0;
    n = strlen(u);
    if (n && u[n - 1] == '#')
        n--;
    for (i = 0; i < sizeof drafts / sizeof drafts[0]; i++)
        if (strlen(drafts[i].uri) == n && !strncmp(u, drafts[i].uri, n))
            return drafts[i].draft;
    return 0;
}

static int unknown_schema(const char *uri, struct dk_err *err)
{
    int n = (int)strcspn(uri, "#"); /* Helm names the document, without its fragment */

    if (!strncmp(uri, "http://", 7) || !strncmp(uri, "https://", 8))
        return dk_err_set(err, DK_E_INPUT,
                          "failing loading \"%.*s\": dk does not load remote schemas", n, uri);
    return dk_err_set(err, DK_E_INPUT,
                      "failing loading \"%.*s\": no URLLoader registered for \"%.*s\"", n, uri, n,
                      uri);
}

/* Resolves a reference met on the way from the root, and checks what it names once. */
static int check_ref(struct ctx *c, const char *ref, struct dk_err *err)
{
    const cJSON *t = resolve(c, ref, err);
    const char **saved, *h = strchr(ref, '#');
    size_t i, n = c->nchain;
    int rc;

    if (!t)
        return -1;
    for (i = 0; i < c->nseen; i++)
        if (c->seen[i] == t)
            return 0;
    c->seen = dk_xrealloc(c->seen, (c->nseen + 1) * sizeof *c->seen);
    c->seen[c->nseen++] = t;
    saved = dk_xmalloc((n + 1) * sizeof *saved);
    memcpy(saved, c->chain, n * sizeof *saved);
    c->nchain = 1; /* the root */
    rc = check(c, t, h && h[1] == '/' ? h + 1 : "", err);
    memcpy(c->chain, saved, n * sizeof *saved);
    c->nchain = n;
    free(saved);
    return rc;
}

/* Checks the shape of schema s (at pointer ptr) and that its references resolve. */
static int check(struct ctx *c, const cJSON *s, const char *ptr, struct dk_err *err)
{
    static const char *const one[] = {"additionalProperties",
                                      "propertyNames",
                                      "not",
                                      "if",
                                      "then",
                                      "else",
                                      "contains",
                                      "additionalItems",
                                      "unevaluatedProperties",
                                      "unevaluatedItems"};
    static const char *const maps[] = {"properties", "patternProperties", "definitions", "$defs",
                                       "dependentSchemas"};
    static const char *const lists[] = {"allOf", "anyOf", "oneOf", "prefixItems"};
    static const char *const counts[] = {"minLength",   "maxLength",     "minItems",
                                         "maxItems",    "minProperties", "maxProperties",
                                         "minContains", "maxContains"};
    static const char *const nums[] = {"minimum", "maximum", "multipleOf"};
    const cJSON *k, *m;
    size_t i;
    char *p;

    if (cJSON_IsBool(s) && c->draft != 4)
        return 0;
    if (!cJSON_IsObject(s))
        return meta_fail(c, err, ptr, "got %s, want %s", json_type(s),
                         c->draft == 4 ? "object" : "boolean or object");
    if (c->depth++ > MAX_DEPTH) {
        c->depth--;
        return dk_err_set(err, DK_E_INPUT, "values.schema.json is nested too deeply");
    }
    c->chain[c->nchain++] = ptr;
    if ((k = kw(s, "$schema")) && cJSON_IsString(k) && !draft_of(k->valuestring)) {
        unknown_schema(k->valuestring, err);
        goto fail;
    }
    for (i = 0; i < sizeof one / sizeof one[0]; i++) {
        if (!(k = kw(s, one[i])) || (c->draft == 4 && cJSON_IsBool(k) && i == 0) ||
            (c->draft == 4 && cJSON_IsBool(k) && !strcmp(one[i], "additionalItems")))
            continue; /* draft-04 allows booleans only there */
        if (check_sub(c, k, ptr, one[i], err) < 0)
            goto fail;
    }
    for (i = 0; i < sizeof maps / sizeof maps[0]; i++) {
        int defs = !strcmp(maps[i], "definitions") || !strcmp(maps[i], "$defs"), rc;

        if (!(k = kw(s, maps[i])))
            continue;
        c->noreach += defs;
        rc = check_each(c, k, ptr, 0, err);
        c->noreach -= defs;
        if (rc < 0)
            goto fail;
    }
    for (i = 0; i < sizeof lists / sizeof lists[0]; i++)
        if ((k = kw(s, lists[i])) && check_each(c, k, ptr, 1, err) < 0)
            goto fail;
    for (i = 0; i < sizeof counts / sizeof counts[0]; i++)
        if (check_nonneg(c, kw(s, counts[i]), ptr, err) < 0)
            goto fail;
    for (i = 0; i < sizeof nums / sizeof nums[0]; i++)
        if ((k = kw(s, nums[i])) && !cJSON_IsNumber(k)) {
            p = loc_child(ptr, nums[i]);
            meta_fail(c, err, p, "got %s, want number", json_type(k));
            free(p);
            goto fail;
        }
    if ((k = kw(s, "multipleOf")) && k->valuedouble <= 0) {
        p = loc_child(ptr, "multipleOf");
        meta_fail(c, err, p, "exclusiveMinimum: got %g, want 0", k->valuedouble);
        free(p);
        goto fail;
    }
    for (i = 0; i < 2; i++) {
        const char *name = i ? "exclusiveMaximum" : "exclusiveMinimum";

        if ((k = kw(s, name)) && (c->draft == 4 ? !cJSON_IsBool(k) : !cJSON_IsNumber(k))) {
            p = loc_child(ptr, name);
            meta_fail(c, err, p, "got %s, want %s", json_type(k),
                      c->draft == 4 ? "boolean" : "number");
            free(p);
            goto fail;
        }
    }
    if ((k = kw(s, "items"))) {
        if (cJSON_IsArray(k) && c->draft < 2020) {
            if (check_each(c, k, ptr, 1, err) < 0)
                goto fail;
        } else if (check_sub(c, k, ptr, "items", err) < 0) {
            goto fail;
        }
    }
    if ((k = kw(s, "required")) && check_strings(c, k, ptr, err) < 0)
        goto fail;
    for (i = 0; i < 2; i++) {
        int deps = i == 0; /* dependencies: lists or schemas; dependentRequired: lists */

        if (!(k = kw(s, deps ? "dependencies" : "dependentRequired")))
            continue;
        if (!cJSON_IsObject(k)) {
            p = loc_child(ptr, k->string);
            meta_fail(c, err, p, "got %s, want object", json_type(k));
            free(p);
            goto fail;
        }
        cJSON_ArrayForEach(m, k)
        {
            char *dp = loc_child(ptr, k->string);
            int rc;

            if (cJSON_IsArray(m) && deps)
                c->wrap = loc_child(dp, m->string);
            rc = cJSON_IsArray(m) || !deps ? check_strings(c, m, dp, err)
                                           : check_sub(c, m, dp, m->string, err);
            free(c->wrap);
            c->wrap = NULL;
            free(dp);
            if (rc < 0)
                goto fail;
        }
    }
    if ((k = kw(s, "type"))) {
        static const char one_of[] = "value must be one of 'array', 'boolean', 'integer', "
                                     "'null', 'number', 'object', 'string'";
        const cJSON *t;
        int bad = 0, idx = 0;

        p = loc_child(ptr, "type");
        if (cJSON_IsString(k)) {
            bad = type_index(k->valuestring) < 0;
            if (bad)
                meta_fail(c, err, p, "'anyOf' failed\n%s\ngot string, want array", one_of);
        } else if (!cJSON_IsArray(k)) {
            bad = 1;
            meta_fail(c, err, p, "'anyOf' failed\n%s\ngot %s, want array", one_of, json_type(k));
        } else if (!k->child) {
            bad = 1;
            meta_fail(c, err, p, "'anyOf' failed\n%s\nminItems: got 0, want 1", one_of);
        } else {
            cJSON_ArrayForEach(t, k)
            {
                if (!cJSON_IsString(t) || type_index(t->valuestring) < 0) {
                    bad = 1;
                    meta_fail(c, err, p, "'anyOf' failed\n%s\n@%s/%d\t%s", one_of, p, idx, one_of);
                    break;
                }
                idx++;
            }
            if (!bad) {
                const cJSON *x, *y;
                int xi = 0, yi;

                for (x = k->child; x && !bad; x = x->next, xi++)
                    for (y = x->next, yi = xi + 1; y && !bad; y = y->next, yi++)
                        if (cjson_equal(x, y)) {
                            bad = 1;
                            meta_fail(c, err, p, "'anyOf' failed\n%s\nitems at %d and %d are equal",
                                      one_of, xi, yi);
                        }
            }
        }
        free(p);
        if (bad)
            goto fail;
    }
    if ((k = kw(s, "enum"))) {
        int rc = 0;

        p = loc_child(ptr, "enum");
        if (!cJSON_IsArray(k))
            rc = meta_fail(c, err, p, "got %s, want array", json_type(k));
        else if (c->draft <= 7)
            rc = check_array(c, k, p, 1, err);
        free(p);
        if (rc < 0)
            goto fail;
    }
    if ((k = kw(s, "pattern"))) {
        const char *why = NULL;

        if (!cJSON_IsString(k) || !pattern(c, k->valuestring, &why)) {
            struct dk_buf q = DK_BUF_INIT;

            p = loc_child(ptr, "pattern");
            if (cJSON_IsString(k)) {
                quote_str(&q, k->valuestring);
                meta_fail(c, err, p, "%s is not valid regex: %s", q.buf, why);
            } else {
                meta_fail(c, err, p, "got %s, want string", json_type(k));
            }
            dk_buf_release(&q);
            free(p);
            goto fail;
        }
    }
    if ((k = kw(s, "patternProperties")))
        cJSON_ArrayForEach(m, k)
        {
            const char *why = NULL;
            struct dk_buf q = DK_BUF_INIT;

            if (pattern(c, m->string, &why))
                continue;
            p = dk_xstrdup(""); /* Helm reports property names at '' */
            quote_str(&q, m->string);
            meta_fail(c, err, p, "invalid propertyName %s\n%s is not valid regex: %s", q.buf, q.buf,
                      why);
            dk_buf_release(&q);
            free(p);
            goto fail;
        }
    if ((k = kw(s, "$ref"))) {
        if (!cJSON_IsString(k)) {
            p = loc_child(ptr, "$ref");
            meta_fail(c, err, p, "got %s, want string", json_type(k));
            free(p);
            goto fail;
        }
        if (!c->noreach && check_ref(c, k->valuestring, err) < 0)
            goto fail;
    }
    c->nchain--;
    c->depth--;
    return 0;
fail:
    c->nchain--;
    c->depth--;
    return -1;
}

static void show(const struct verr *e, int indent, struct dk_buf *out)
{
    size_t i;
    int j;

    if (!(e->kind == E_REF && e->n == 1)) {
        for (j = 0; j < indent; j++)
            dk_buf_add(out, "  ");
        dk_buf_add(out, "- at ");
        quote_str(out, e->loc);
        dk_buf_addf(out, ": %s\n", e->msg);
        indent++;
    }
    for (i = 0; i < e->n; i++)
        show(e->c[i], indent, out);
}

int dk_jsonschema_validate(const cJSON *schema, const struct dk_val *values, struct dk_buf *out,
                           struct dk_err *err)
{
    struct ctx c = {0};
    const cJSON *k;
    struct verr *e;
    size_t i;
    int rc = 0;

    if (!schema || (!cJSON_IsObject(schema) && !cJSON_IsBool(schema)))
        return dk_err_set(
            err, DK_E_INPUT,
            "\"%s#\" is not valid against metaschema: at '': got %s, want boolean or object",
            SCHEMA_URL, schema ? json_type(schema) : "null");
    c.root = schema;
    c.draft = 2020;
    if ((k = kw(schema, "$schema")) && cJSON_IsString(k)) {
        if (!(c.draft = draft_of(k->valuestring)))
            return unknown_schema(k->valuestring, err);
    }
    if (check(&c, schema, "", err) < 0) {
        rc = -1;
        goto out;
    }
    c.depth = 0;
    if ((e = validate(&c, schema, values ? values : dk_val_nil(), ""))) {
        if (e->kind == E_GROUP)
            for (i = 0; i < e->n; i++)
                show(e->c[i], 0, out);
        else
            show(e, 0, out);
        verr_free(e);
        rc = 1;
    }
out:
    for (i = 0; i < c.nres; i++) {
        dk_regex_free(c.res[i].re);
        free(c.res[i].why);
    }
    free(c.res);
    free(c.seen);
    return rc;
}
