/* Helm and sprig template functions over dk/tmpl.h values. */
#include "dk/tmplfuncs.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dk/base64.h"
#include "dk/sha.h"
#include "dk/json.h"
#include "dk/yaml.h"

#include "tmplfuncs_int.h"

/* Go's text/template checks arity before calling. */
int dk_tmplfuncs_arity(struct dk_tmpl_call *c, size_t n, struct dk_err *err)
{
    const struct fdef *d = c->ud;

    if (d->max < 0 && n < (size_t)d->min)
        return dk_err_set(err, DK_E_FAIL, "wrong number of args for %s: want at least %d got %zu",
                          d->name, d->min, n);
    if (d->max >= 0 && (n < (size_t)d->min || n > (size_t)d->max))
        return dk_err_set(err, DK_E_FAIL, "wrong number of args for %s: want %d got %zu", d->name,
                          d->max, n);
    return 0;
}

/* A parameter Go types as string. */
int dk_tmplfuncs_want_str(struct dk_val *v, struct dk_err *err)
{
    if (v->kind == DK_VAL_STR)
        return 0;
    if (v->kind == DK_VAL_NIL)
        return dk_err_set(err, DK_E_FAIL, "invalid value; expected string");
    return dk_err_set(err, DK_E_FAIL, "wrong type for value; expected string; got %s",
                      dk_val_type_name(v));
}

/* A parameter Go types as int. */
static int want_int(struct dk_val *v, int64_t *i, struct dk_err *err)
{
    if (v->kind == DK_VAL_INT) {
        *i = v->u.i;
        return 0;
    }
    if (v->kind == DK_VAL_NIL)
        return dk_err_set(err, DK_E_FAIL, "invalid value; expected int");
    return dk_err_set(err, DK_E_FAIL, "wrong type for value; expected int; got %s",
                      dk_val_type_name(v));
}

/* sprig's strval: strings as they are, everything else as %v. */
static void strval(const struct dk_val *v, struct dk_buf *b)
{
    if (v->kind == DK_VAL_STR)
        dk_buf_addn(b, v->u.str.s, v->u.str.len);
    else
        dk_val_format(v, b);
}

static struct dk_val *buf_val(struct dk_buf *b)
{
    size_t len;
    char *s;

    if (!b->buf)
        return dk_val_str("");
    s = dk_buf_detach(b, &len);
    return dk_val_str_owned(s, len);
}

static int is_space(unsigned char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* sprig's empty. */
static int is_empty(const struct dk_val *v)
{
    switch (v->kind) {
    case DK_VAL_PTR:
    case DK_VAL_FUNC:
        return 0;
    default:
        return !dk_val_truth(v);
    }
}

/* cast.ToInt64 / cast.ToInt: floats truncate, strings parse with base prefixes (0 on error). */
static int64_t to_int64(const struct dk_val *v)
{
    switch (v->kind) {
    case DK_VAL_BOOL:
        return v->u.b ? 1 : 0;
    case DK_VAL_INT:
        return v->u.i;
    case DK_VAL_FLOAT:
        if (isnan(v->u.f))
            return 0;
        if (v->u.f >= 9223372036854775807.0)
            return INT64_MIN; /* what Go's conversion gives on amd64 */
        if (v->u.f < -9223372036854775808.0)
            return INT64_MIN;
        return (int64_t)v->u.f;
    case DK_VAL_STR: {
        char *s = dk_xstrndup(v->u.str.s, v->u.str.len), *end, *dot;
        long long r;
        int neg = 0;
        const char *p = s;

        /* cast trims a ".000" decimal part before parsing */
        dot = strchr(s, '.');
        if (dot) {
            char *q = dot + 1;
            while (*q == '0')
                q++;
            if (*q == '\0')
                *dot = '\0';
        }
        if (*p == '+' || *p == '-')
            neg = *p++ == '-';
        errno = 0;
        if (!*p || !isalnum((unsigned char)*p)) {
            free(s);
            return 0;
        }
        if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
            r = strtoll(p + 2, &end, 8);
        else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
            r = strtoll(p + 2, &end, 2);
        else
            r = strtoll(p, &end, 0);
        if (*end || errno || end == p) {
            free(s);
            return 0;
        }
        free(s);
        return neg ? -r : r;
    }
    default:
        return 0;
    }
}

static double to_float64(const struct dk_val *v)
{
    switch (v->kind) {
    case DK_VAL_BOOL:
        return v->u.b ? 1 : 0;
    case DK_VAL_INT:
        return (double)v->u.i;
    case DK_VAL_FLOAT:
        return v->u.f;
    case DK_VAL_STR: {
        char *end;
        double d;

        if (!v->u.str.len || isspace((unsigned char)v->u.str.s[0]))
            return 0;
        errno = 0;
        d = strtod(v->u.str.s, &end);
        if (*end || errno)
            return 0;
        return d;
    }
    default:
        return 0;
    }
}

/* ---- Helm ---- */

FN(f_include)
{
    struct dk_buf b = DK_BUF_INIT;

    ARITY();
    STRARGS(0);
    if (dk_tmpl_call_exec(c, S(0), args[1], &b, err) < 0) {
        dk_buf_release(&b);
        return -1;
    }
    *out = buf_val(&b);
    return 0;
}

FN(f_tpl)
{
    struct dk_buf b = DK_BUF_INIT;

    ARITY();
    STRARGS(0);
    /* Helm parses into a clone of the set; a name of its own keeps the caller's template */
    if (dk_tmpl_call_parse_exec(c, "gotpl", S(0), L(0), args[1], &b, err) < 0) {
        struct dk_buf q = DK_BUF_INIT;

        dk_buf_release(&b);
        if (strstr(err->msg, "exceeded maximum template depth"))
            return -1;
        dk_tmpl_quote(&q, S(0), L(0));
        /* Helm's wording, with the template text quoted as %q does */
        dk_err_wrap(err, "%s %s",
                    err->code == DK_E_INPUT ? "cannot parse template"
                                            : "error during tpl function execution for",
                    q.buf);
        dk_buf_release(&q);
        return -1;
    }
    /* as Helm's engine does for whole files, tpl's result loses every "<no value>" */
    {
        char *p = b.buf ? strstr(b.buf, "<no value>") : NULL;

        while (p) {
            memmove(p, p + 10, b.len - (size_t)(p - b.buf) - 10 + 1);
            b.len -= 10;
            p = strstr(p, "<no value>");
        }
    }
    *out = buf_val(&b);
    return 0;
}

FN(f_required)
{
    ARITY();
    STRARGS(0);
    if (args[1]->kind == DK_VAL_NIL || (args[1]->kind == DK_VAL_STR && args[1]->u.str.len == 0))
        return dk_err_set(err, DK_E_FAIL, "%s", S(0));
    *out = dk_val_ref(args[1]);
    return 0;
}

FN(f_fail)
{
    ARITY();
    STRARGS(0);
    (void)out;
    return dk_err_set(err, DK_E_FAIL, "%s", S(0));
}

int dk_tmplfuncs_to_yaml(const struct dk_val *v, struct dk_buf *out)
{
    struct dk_err e = DK_ERR_INIT;
    size_t start = out->len;
    cJSON *j = dk_val_to_json(v);
    int rc = j ? dk_yaml_dump(j, out, &e) : -1;

    cJSON_Delete(j);
    if (rc < 0) {
        dk_buf_setlen(out, start);
        return -1;
    }
    while (out->len > start && out->buf[out->len - 1] == '\n')
        out->len--;
    dk_buf_setlen(out, out->len);
    return 0;
}

FN(f_toYaml)
{
    struct dk_buf b = DK_BUF_INIT;

    ARITY();
    (void)err;
    dk_tmplfuncs_to_yaml(args[0], &b); /* "" when marshalling fails, as in Helm */
    *out = buf_val(&b);
    return 0;
}

static struct dk_val *error_map(const char *msg)
{
    struct dk_val *m = dk_val_map();

    dk_val_map_set(m, "Error", dk_val_str(msg));
    return m;
}

FN(f_fromYaml)
{
    struct dk_err e = DK_ERR_INIT;
    cJSON *j = NULL;

    ARITY();
    STRARGS(0);
    if (dk_yaml_load_lenient(S(0), L(0), NULL, &j, &e) < 0) {
        char *msg = dk_xasprintf("error converting YAML to JSON: %s", e.msg);

        *out = error_map(msg);
        free(msg);
        return 0;
    }
    if (cJSON_IsNull(j)) {
        *out = dk_val_map();
    } else if (!cJSON_IsObject(j)) {
        *out = error_map(cJSON_IsArray(j)
                             ? "error unmarshaling JSON: while decoding JSON: json: cannot "
                               "unmarshal array into Go value of type map[string]interface {}"
                             : "error unmarshaling JSON: while decoding JSON: json: cannot "
                               "unmarshal scalar into Go value of type map[string]interface {}");
    } else {
        *out = dk_val_from_json(j);
    }
    cJSON_Delete(j);
    return 0;
}

FN(f_fromJson)
{
    struct dk_err e = DK_ERR_INIT;
    cJSON *j = NULL;

    ARITY();
    STRARGS(0);
    if (dk_json_parse(S(0), L(0), NULL, &j, &e) < 0) {
        size_t i = 0;

        while (i < L(0) && is_space((unsigned char)S(0)[i]))
            i++;
        /* Go's wording for the common case; other syntax errors keep cJSON's */
        *out = error_map(i == L(0) ? "unexpected end of JSON input" : e.msg);
        return 0;
    }
    if (cJSON_IsNull(j))
        *out = dk_val_map();
    else if (!cJSON_IsObject(j))
        *out = error_map(cJSON_IsArray(j)    ? "json: cannot unmarshal array into Go value of "
                                               "type map[string]interface {}"
                         : cJSON_IsString(j) ? "json: cannot unmarshal string into Go value of "
                                               "type map[string]interface {}"
                         : cJSON_IsNumber(j) ? "json: cannot unmarshal number into Go value of "
                                               "type map[string]interface {}"
                                             : "json: cannot unmarshal bool into Go value of "
                                               "type map[string]interface {}");
    else
        *out = dk_val_from_json(j);
    cJSON_Delete(j);
    return 0;
}

/* mode 0: Helm's toJson (json.Marshal), 1: toPrettyJson (json.MarshalIndent), 2: toRawJson
 * (HTML characters kept). */
static int to_json(struct dk_val *v, int mode, struct dk_val **out)
{
    struct dk_buf b = DK_BUF_INIT;
    cJSON *j = dk_val_to_json(v);
    int rc = -1;

    if (j) {
        if (mode == 0)
            rc = dk_json_write_canonical(j, &b);
        else
            rc = dk_json_write(j, mode == 1, &b);
    }
    if (rc < 0)
        dk_buf_reset(&b);
    cJSON_Delete(j);
    if (mode == 1 && rc == 0) {
        /* json.MarshalIndent escapes HTML; these bytes only occur inside strings */
        struct dk_buf e = DK_BUF_INIT;
        size_t i;

        for (i = 0; i < b.len; i++) {
            if (b.buf[i] == '<')
                dk_buf_add(&e, "\\u003c");
            else if (b.buf[i] == '>')
                dk_buf_add(&e, "\\u003e");
            else if (b.buf[i] == '&')
                dk_buf_add(&e, "\\u0026");
            else if (i + 2 < b.len && !memcmp(b.buf + i, "\xe2\x80", 2) &&
                     (b.buf[i + 2] == '\xa8' || b.buf[i + 2] == '\xa9')) {
                dk_buf_add(&e, b.buf[i + 2] == '\xa8' ? "\\u2028" : "\\u2029");
                i += 2;
            } else
                dk_buf_addch(&e, b.buf[i]);
        }
        dk_buf_release(&b);
        b = e;
    }
    *out = buf_val(&b);
    return 0;
}

FN(f_toJson)
{
    ARITY();
    return to_json(args[0], 0, out);
}

FN(f_toPrettyJson)
{
    ARITY();
    return to_json(args[0], 1, out);
}

FN(f_toRawJson)
{
    ARITY();
    return to_json(args[0], 2, out);
}

/* ---- sprig: strings ---- */

FN(f_default)
{
    ARITY();
    (void)err;
    *out = dk_val_ref(n < 2 || is_empty(args[1]) ? args[0] : args[1]);
    return 0;
}

FN(f_empty)
{
    ARITY();
    *out = dk_val_bool(is_empty(args[0]));
    return 0;
}

FN(f_coalesce)
{
    size_t i;

    ARITY();
    for (i = 0; i < n; i++)
        if (!is_empty(args[i])) {
            *out = dk_val_ref(args[i]);
            return 0;
        }
    *out = dk_val_nil();
    return 0;
}

FN(f_ternary)
{
    ARITY();
    if (args[2]->kind != DK_VAL_BOOL)
        return dk_err_set(err, DK_E_FAIL, "wrong type for value; expected bool; got %s",
                          dk_val_type_name(args[2]));
    *out = dk_val_ref(args[2]->u.b ? args[0] : args[1]);
    return 0;
}

/* Length of the UTF-8 sequence at s (1..4) and its code point, or 0 when invalid. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len, i;
    uint32_t c;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0)
        len = 2, c = s[0] & 0x1f;
    else if ((s[0] & 0xf0) == 0xe0)
        len = 3, c = s[0] & 0x0f;
    else if ((s[0] & 0xf8) == 0xf0)
        len = 4, c = s[0] & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
        c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* quote and squote: each non-nil argument, joined by spaces. */
static int quote_common(struct dk_val **args, size_t n, int single, struct dk_val **out)
{
    struct dk_buf b = DK_BUF_INIT, s = DK_BUF_INIT;
    size_t i;
    int first = 1;

    for (i = 0; i < n; i++) {
        if (args[i]->kind == DK_VAL_NIL)
            continue;
        if (!first)
            dk_buf_addch(&b, ' ');
        first = 0;
        dk_buf_reset(&s);
        strval(args[i], &s);
        if (single) {
            dk_buf_addch(&b, '\'');
            dk_buf_addn(&b, s.buf, s.len);
            dk_buf_addch(&b, '\'');
        } else {
            dk_tmpl_quote(&b, s.buf ? s.buf : "", s.len);
        }
    }
    dk_buf_release(&s);
    *out = buf_val(&b);
    return 0;
}

FN(f_quote)
{
    ARITY();
    return quote_common(args, n, 0, out);
}

FN(f_squote)
{
    ARITY();
    return quote_common(args, n, 1, out);
}

FN(f_trim)
{
    const char *s;
    size_t len;

    ARITY();
    STRARGS(0);
    s = S(0), len = L(0);
    while (len && is_space((unsigned char)*s))
        s++, len--;
    while (len && is_space((unsigned char)s[len - 1]))
        len--;
    *out = dk_val_strn(s, len);
    return 0;
}

/* trimAll CUTSET S */
FN(f_trimAll)
{
    const char *s;
    size_t len;

    ARITY();
    STRARGS(0, 1);
    s = S(1), len = L(1);
    while (len && memchr(S(0), *s, L(0)))
        s++, len--;
    while (len && memchr(S(0), s[len - 1], L(0)))
        len--;
    *out = dk_val_strn(s, len);
    return 0;
}

FN(f_trimSuffix)
{
    size_t len;

    ARITY();
    STRARGS(0, 1);
    len = L(1);
    if (L(0) <= len && memcmp(S(1) + len - L(0), S(0), L(0)) == 0)
        len -= L(0);
    *out = dk_val_strn(S(1), len);
    return 0;
}

FN(f_trimPrefix)
{
    ARITY();
    STRARGS(0, 1);
    if (L(0) <= L(1) && memcmp(S(1), S(0), L(0)) == 0)
        *out = dk_val_strn(S(1) + L(0), L(1) - L(0));
    else
        *out = dk_val_ref(args[1]);
    return 0;
}

/* Simple case mapping of one code point: ASCII, Latin-1, Greek and Cyrillic (the ranges
 * whose upper and lower forms are a fixed distance apart); others are kept. */
static uint32_t case_of(uint32_t c, int up)
{
    if (up) {
        if ((c >= 'a' && c <= 'z') || (c >= 0xe0 && c <= 0xfe && c != 0xf7) ||
            (c >= 0x3b1 && c <= 0x3c9 && c != 0x3c2) || (c >= 0x430 && c <= 0x44f))
            return c - 0x20;
        if (c >= 0x450 && c <= 0x45f)
            return c - 0x50;
        if (c == 0xff)
            return 0x178;
        if (c == 0xb5)
            return 0x39c;
        if (c == 0x3c2)
            return 0x3a3;
    } else {
        if ((c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7) ||
            (c >= 0x391 && c <= 0x3a9 && c != 0x3a2) || (c >= 0x410 && c <= 0x42f))
            return c + 0x20;
        if (c >= 0x400 && c <= 0x40f)
            return c + 0x50;
        if (c == 0x178)
            return 0xff;
    }
    return c;
}

static void utf8_encode(uint32_t c, struct dk_buf *b)
{
    if (c < 0x80) {
        dk_buf_addch(b, (char)c);
    } else if (c < 0x800) {
        dk_buf_addch(b, (char)(0xc0 | (c >> 6)));
        dk_buf_addch(b, (char)(0x80 | (c & 0x3f)));
    } else if (c < 0x10000) {
        dk_buf_addch(b, (char)(0xe0 | (c >> 12)));
        dk_buf_addch(b, (char)(0x80 | ((c >> 6) & 0x3f)));
        dk_buf_addch(b, (char)(0x80 | (c & 0x3f)));
    } else {
        dk_buf_addch(b, (char)(0xf0 | (c >> 18)));
        dk_buf_addch(b, (char)(0x80 | ((c >> 12) & 0x3f)));
        dk_buf_addch(b, (char)(0x80 | ((c >> 6) & 0x3f)));
        dk_buf_addch(b, (char)(0x80 | (c & 0x3f)));
    }
}

static int case_map(struct dk_val **args, size_t n, int up, struct dk_val **out, struct dk_err *err)
{
    struct dk_buf b = DK_BUF_INIT;
    size_t i = 0, k;
    uint32_t cp;

    (void)n;
    STRARGS(0);
    while (i < L(0)) {
        k = utf8_decode((const unsigned char *)S(0) + i, L(0) - i, &cp);
        if (k == 0) {
            dk_buf_addch(&b, S(0)[i++]); /* invalid bytes are kept */
            continue;
        }
        utf8_encode(case_of(cp, up), &b);
        i += k;
    }
    *out = buf_val(&b);
    return 0;
}

FN(f_upper)
{
    ARITY();
    return case_map(args, n, 1, out, err);
}

FN(f_lower)
{
    ARITY();
    return case_map(args, n, 0, out, err);
}

/* strings.Title: the first letter of each word; letters, digits and '_' are in words. */
FN(f_title)
{
    char *s;
    size_t i;
    int prev_sep = 1;

    ARITY();
    STRARGS(0);
    s = dk_xstrndup(S(0), L(0));
    for (i = 0; i < L(0); i++) {
        unsigned char ch = (unsigned char)s[i];

        if (prev_sep)
            s[i] = (char)toupper(ch);
        prev_sep = !(isalnum(ch) || ch == '_' || ch >= 0x80);
    }
    *out = dk_val_str_owned(s, L(0));
    return 0;
}

/* replace OLD NEW SRC */
FN(f_replace)
{
    struct dk_buf b = DK_BUF_INIT;
    const char *p, *end;

    ARITY();
    STRARGS(0, 1, 2);
    p = S(2), end = S(2) + L(2);
    if (L(0) == 0) {
        /* Go inserts NEW before every UTF-8 character and at the end */
        while (p < end) {
            const char *q = p + 1;

            while (q < end && ((unsigned char)*q & 0xc0) == 0x80)
                q++;
            dk_buf_addn(&b, S(1), L(1));
            dk_buf_addn(&b, p, (size_t)(q - p));
            p = q;
        }
        dk_buf_addn(&b, S(1), L(1));
        *out = buf_val(&b);
        return 0;
    }
    while (p < end) {
        if ((size_t)(end - p) >= L(0) && memcmp(p, S(0), L(0)) == 0) {
            dk_buf_addn(&b, S(1), L(1));
            p += L(0);
        } else {
            dk_buf_addch(&b, *p++);
        }
    }
    *out = buf_val(&b);
    return 0;
}

static const char *mem_find(const char *h, size_t hl, const char *nd, size_t nl)
{
    size_t i;

    if (nl == 0)
        return h;
    for (i = 0; i + nl <= hl; i++)
        if (memcmp(h + i, nd, nl) == 0)
            return h + i;
    return NULL;
}

/* contains SUBSTR S */
FN(f_contains)
{
    ARITY();
    STRARGS(0, 1);
    *out = dk_val_bool(mem_find(S(1), L(1), S(0), L(0)) != NULL);
    return 0;
}

FN(f_hasPrefix)
{
    ARITY();
    STRARGS(0, 1);
    *out = dk_val_bool(L(0) <= L(1) && memcmp(S(1), S(0), L(0)) == 0);
    return 0;
}

FN(f_hasSuffix)
{
    ARITY();
    STRARGS(0, 1);
    *out = dk_val_bool(L(0) <= L(1) && memcmp(S(1) + L(1) - L(0), S(0), L(0)) == 0);
    return 0;
}

/* trunc N S: the first N bytes, or the last -N. */
FN(f_trunc)
{
    int64_t k;
    size_t len;

    ARITY();
    if (want_int(args[0], &k, err) < 0)
        return -1;
    STRARGS(1);
    len = L(1);
    if (k < 0 && (int64_t)len + k > 0)
        *out = dk_val_strn(S(1) + len + k, (size_t)-k);
    else if (k >= 0 && (int64_t)len > k)
        *out = dk_val_strn(S(1), (size_t)k);
    else
        *out = dk_val_ref(args[1]);
    return 0;
}

static int indent_common(struct dk_val **args, int nl, struct dk_val **out, struct dk_err *err)
{
    struct dk_buf b = DK_BUF_INIT;
    int64_t k, j;
    size_t i, lines;

    if (want_int(args[0], &k, err) < 0)
        return -1;
    STRARGS(1);
    if (k < 0)
        return dk_err_set(err, DK_E_FAIL, "strings: negative Repeat count");
    for (i = 0, lines = 1; i < L(1); i++)
        lines += S(1)[i] == '\n';
    /* the result is an intermediate string: keep it under the engine's output limit */
    if (k > (64 << 20) || (uint64_t)k * lines > (64u << 20))
        return dk_err_set(err, DK_E_FAIL, "indent of %lld is too large", (long long)k);
    if (nl)
        dk_buf_addch(&b, '\n');
    for (j = 0; j < k; j++)
        dk_buf_addch(&b, ' ');
    for (i = 0; i < L(1); i++) {
        dk_buf_addch(&b, S(1)[i]);
        if (S(1)[i] == '\n')
            for (j = 0; j < k; j++)
                dk_buf_addch(&b, ' ');
    }
    *out = buf_val(&b);
    return 0;
}

FN(f_indent)
{
    ARITY();
    return indent_common(args, 0, out, err);
}

FN(f_nindent)
{
    ARITY();
    return indent_common(args, 1, out, err);
}

/* cat: non-nil arguments as %v, joined by spaces. */
FN(f_cat)
{
    struct dk_buf b = DK_BUF_INIT;
    size_t i;
    int first = 1;

    ARITY();
    (void)err;
    for (i = 0; i < n; i++) {
        if (args[i]->kind == DK_VAL_NIL)
            continue;
        if (!first)
            dk_buf_addch(&b, ' ');
        first = 0;
        dk_val_format(args[i], &b);
    }
    *out = buf_val(&b);
    return 0;
}

FN(f_repeat)
{
    struct dk_buf b = DK_BUF_INIT;
    int64_t k, j;

    ARITY();
    if (want_int(args[0], &k, err) < 0)
        return -1;
    STRARGS(1);
    if (k < 0)
        return dk_err_set(err, DK_E_FAIL, "strings: negative Repeat count");
    if (L(1) && (uint64_t)k > (64u << 20) / L(1))
        return dk_err_set(err, DK_E_FAIL, "repeat: result too large");
    for (j = 0; j < k; j++)
        dk_buf_addn(&b, S(1), L(1));
    *out = buf_val(&b);
    return 0;
}

/* substr START END S */
FN(f_substr)
{
    int64_t a, e, len;

    ARITY();
    if (want_int(args[0], &a, err) < 0 || want_int(args[1], &e, err) < 0)
        return -1;
    STRARGS(2);
    len = (int64_t)L(2);
    if (a < 0)
        a = 0;
    if (e < 0 || e > len)
        e = len;
    if (a > e)
        return dk_err_set(err, DK_E_FAIL, "runtime error: slice bounds out of range [%lld:%lld]",
                          (long long)a, (long long)e);
    *out = dk_val_strn(S(2) + a, (size_t)(e - a));
    return 0;
}

/* strings.Split: an empty separator splits into UTF-8 characters. */
static struct dk_val *split_list(const char *sep, size_t sl, const char *s, size_t len)
{
    struct dk_val *l = dk_val_list();
    const char *p = s, *end = s + len, *q;

    if (sl == 0) {
        while (p < end) {
            q = p + 1;
            while (q < end && ((unsigned char)*q & 0xc0) == 0x80)
                q++;
            dk_val_list_push(l, dk_val_strn(p, (size_t)(q - p)));
            p = q;
        }
        return l;
    }
    for (;;) {
        q = mem_find(p, (size_t)(end - p), sep, sl);
        if (!q) {
            dk_val_list_push(l, dk_val_strn(p, (size_t)(end - p)));
            return l;
        }
        dk_val_list_push(l, dk_val_strn(p, (size_t)(q - p)));
        p = q + sl;
    }
}

FN(f_splitList)
{
    ARITY();
    STRARGS(0, 1);
    *out = split_list(S(0), L(0), S(1), L(1));
    return 0;
}

/* split SEP S: a map _0, _1, ... */
FN(f_split)
{
    struct dk_val *l, *m;
    size_t i;
    char key[32];

    ARITY();
    STRARGS(0, 1);
    l = split_list(S(0), L(0), S(1), L(1));
    m = dk_val_map();
    for (i = 0; i < l->u.list.n; i++) {
        snprintf(key, sizeof(key), "_%zu", i);
        dk_val_map_set(m, key, dk_val_ref(l->u.list.v[i]));
    }
    dk_val_unref(l);
    *out = m;
    return 0;
}

/* sprig's strslice: a list's non-nil items as strings; nil gives none; a scalar gives one. */
static struct dk_val *strslice(const struct dk_val *v)
{
    struct dk_val *l = dk_val_list();
    struct dk_buf b = DK_BUF_INIT;
    size_t i;

    if (v->kind == DK_VAL_LIST) {
        for (i = 0; i < v->u.list.n; i++) {
            if (v->u.list.v[i]->kind == DK_VAL_NIL)
                continue;
            strval(v->u.list.v[i], &b);
            dk_val_list_push(l, buf_val(&b));
        }
    } else if (v->kind != DK_VAL_NIL) {
        strval(v, &b);
        dk_val_list_push(l, buf_val(&b));
    }
    dk_buf_release(&b);
    return l;
}

/* join SEP LIST */
FN(f_join)
{
    struct dk_val *l;
    struct dk_buf b = DK_BUF_INIT;
    size_t i;

    ARITY();
    STRARGS(0);
    l = strslice(args[1]);
    for (i = 0; i < l->u.list.n; i++) {
        if (i)
            dk_buf_addn(&b, S(0), L(0));
        dk_buf_addn(&b, l->u.list.v[i]->u.str.s, l->u.list.v[i]->u.str.len);
    }
    dk_val_unref(l);
    *out = buf_val(&b);
    return 0;
}

FN(f_toStrings)
{
    ARITY();
    (void)err;
    *out = strslice(args[0]);
    return 0;
}

FN(f_b64enc)
{
    char *s;

    ARITY();
    STRARGS(0);
    s = dk_base64_encode(S(0), L(0));
    *out = dk_val_str_owned(s, strlen(s));
    return 0;
}

FN(f_b64dec)
{
    struct dk_buf d = DK_BUF_INIT;

    ARITY();
    STRARGS(0);
    if (dk_base64_decode(S(0), &d) < 0) {
        /* sprig returns the error text as the result */
        dk_buf_release(&d);
        *out = dk_val_str("illegal base64 data at input byte 0");
    } else {
        *out = buf_val(&d);
    }
    return 0;
}

FN(f_sha256sum)
{
    unsigned char md[32];
    char hex[65];

    ARITY();
    STRARGS(0);
    (void)err;
    dk_sha256(S(0), L(0), md);
    dk_hex(md, sizeof(md), hex);
    hex[64] = '\0';
    *out = dk_val_str(hex);
    return 0;
}

FN(f_toString)
{
    struct dk_buf b = DK_BUF_INIT;

    ARITY();
    strval(args[0], &b);
    *out = buf_val(&b);
    return 0;
}

/* ---- sprig: numbers ---- */

FN(f_int)
{
    ARITY();
    (void)err;
    *out = dk_val_int(to_int64(args[0]));
    return 0;
}

FN(f_float64)
{
    ARITY();
    (void)err;
    *out = dk_val_float(to_float64(args[0]));
    return 0;
}

/* atoi S: strconv.Atoi, 0 on error. */
FN(f_atoi)
{
    char *end;
    long long r;

    ARITY();
    STRARGS(0);
    errno = 0;
    r = strtoll(S(0), &end, 10);
    if (!L(0) || *end || errno || isspace((unsigned char)S(0)[0]))
        r = 0;
    *out = dk_val_int(r);
    return 0;
}

/* Go's wrapping int64 arithmetic. */
static int64_t wrap_add(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

static int64_t wrap_mul(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a * (uint64_t)b);
}

FN(f_add)
{
    int64_t r = 0;
    size_t i;

    ARITY();
    (void)err;
    for (i = 0; i < n; i++)
        r = wrap_add(r, to_int64(args[i]));
    *out = dk_val_int(r);
    return 0;
}

FN(f_sub)
{
    ARITY();
    (void)err;
    *out = dk_val_int(wrap_add(to_int64(args[0]), -(uint64_t)to_int64(args[1])));
    return 0;
}

FN(f_mul)
{
    int64_t r = 1;
    size_t i;

    ARITY();
    (void)err;
    for (i = 0; i < n; i++)
        r = wrap_mul(r, to_int64(args[i]));
    *out = dk_val_int(r);
    return 0;
}

static int divmod(struct dk_val **args, int mod, struct dk_val **out, struct dk_err *err)
{
    int64_t a = to_int64(args[0]), b = to_int64(args[1]);

    if (b == 0)
        return dk_err_set(err, DK_E_FAIL, "runtime error: integer divide by zero");
    if (a == INT64_MIN && b == -1)
        *out = dk_val_int(mod ? 0 : a);
    else
        *out = dk_val_int(mod ? a % b : a / b);
    return 0;
}

FN(f_div)
{
    ARITY();
    return divmod(args, 0, out, err);
}

FN(f_mod)
{
    ARITY();
    return divmod(args, 1, out, err);
}

static int minmax(struct dk_val **args, size_t n, int want_max, struct dk_val **out)
{
    int64_t r = to_int64(args[0]), x;
    size_t i;

    for (i = 1; i < n; i++) {
        x = to_int64(args[i]);
        if (want_max ? x > r : x < r)
            r = x;
    }
    *out = dk_val_int(r);
    return 0;
}

FN(f_max)
{
    ARITY();
    (void)err;
    return minmax(args, n, 1, out);
}

FN(f_min)
{
    ARITY();
    (void)err;
    return minmax(args, n, 0, out);
}

/* ---- sprig: lists ---- */

FN(f_list)
{
    size_t i;

    ARITY();
    (void)err;
    *out = dk_val_list();
    for (i = 0; i < n; i++)
        dk_val_list_push(*out, dk_val_ref(args[i]));
    return 0;
}

/* sprig's list functions fail on other types ("Cannot push on type map"). */
static int want_list(struct dk_val *v, const char *what, struct dk_err *err)
{
    if (v->kind == DK_VAL_LIST)
        return 0;
    if (v->kind == DK_VAL_NIL)
        return dk_err_set(err, DK_E_FAIL, "Cannot %s on type <nil>", what);
    return dk_err_set(err, DK_E_FAIL, "Cannot %s on type %s", what,
                      v->kind == DK_VAL_MAP ? "map" : dk_val_type_name(v));
}

static struct dk_val *list_slice(const struct dk_val *l, size_t from, size_t to)
{
    struct dk_val *r = dk_val_list();
    size_t i;

    for (i = from; i < to; i++)
        dk_val_list_push(r, dk_val_ref(l->u.list.v[i]));
    return r;
}

FN(f_append)
{
    ARITY();
    if (want_list(args[0], "push", err) < 0)
        return -1;
    *out = list_slice(args[0], 0, args[0]->u.list.n);
    dk_val_list_push(*out, dk_val_ref(args[1]));
    return 0;
}

FN(f_prepend)
{
    size_t i;

    ARITY();
    if (want_list(args[0], "prepend", err) < 0)
        return -1;
    *out = dk_val_list();
    dk_val_list_push(*out, dk_val_ref(args[1]));
    for (i = 0; i < args[0]->u.list.n; i++)
        dk_val_list_push(*out, dk_val_ref(args[0]->u.list.v[i]));
    return 0;
}

FN(f_first)
{
    ARITY();
    if (want_list(args[0], "find first", err) < 0)
        return -1;
    *out = args[0]->u.list.n ? dk_val_ref(args[0]->u.list.v[0]) : dk_val_nil();
    return 0;
}

FN(f_last)
{
    size_t k;

    ARITY();
    if (want_list(args[0], "find last", err) < 0)
        return -1;
    k = args[0]->u.list.n;
    *out = k ? dk_val_ref(args[0]->u.list.v[k - 1]) : dk_val_nil();
    return 0;
}

FN(f_rest)
{
    size_t k;

    ARITY();
    if (want_list(args[0], "find rest", err) < 0)
        return -1;
    k = args[0]->u.list.n;
    *out = list_slice(args[0], k ? 1 : 0, k);
    return 0;
}

FN(f_initial)
{
    size_t k;

    ARITY();
    if (want_list(args[0], "find initial", err) < 0)
        return -1;
    k = args[0]->u.list.n;
    *out = list_slice(args[0], 0, k ? k - 1 : 0);
    return 0;
}

/* reflect.DeepEqual over values. */
static int deep_equal_at(const struct dk_val *a, const struct dk_val *b, int depth)
{
    size_t i;

    if (a == b && (a->kind == DK_VAL_LIST || a->kind == DK_VAL_MAP))
        return 1; /* as reflect.DeepEqual: one list or map (keeps shared values linear) */
    if (a->kind != b->kind || depth > DK_VAL_DEPTH_MAX)
        return 0;
    switch (a->kind) {
    case DK_VAL_NIL:
        return 1;
    case DK_VAL_BOOL:
        return a->u.b == b->u.b;
    case DK_VAL_INT:
        return a->u.i == b->u.i;
    case DK_VAL_FLOAT:
        return a->u.f == b->u.f;
    case DK_VAL_STR:
        return a->u.str.len == b->u.str.len && memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
    case DK_VAL_LIST:
        if (a->u.list.n != b->u.list.n)
            return 0;
        for (i = 0; i < a->u.list.n; i++)
            if (!deep_equal_at(a->u.list.v[i], b->u.list.v[i], depth + 1))
                return 0;
        return 1;
    case DK_VAL_MAP:
        if (a->u.map.n != b->u.map.n)
            return 0;
        for (i = 0; i < a->u.map.n; i++)
            if (strcmp(a->u.map.k[i], b->u.map.k[i]) ||
                !deep_equal_at(a->u.map.v[i], b->u.map.v[i], depth + 1))
                return 0;
        return 1;
    case DK_VAL_PTR:
        return a->u.ptr.p == b->u.ptr.p;
    case DK_VAL_FUNC:
        return 0;
    }
    return 0;
}

static int deep_equal(const struct dk_val *a, const struct dk_val *b)
{
    return deep_equal_at(a, b, 0);
}

static int list_has(const struct dk_val *l, const struct dk_val *v)
{
    size_t i;

    for (i = 0; i < l->u.list.n; i++)
        if (deep_equal(l->u.list.v[i], v))
            return 1;
    return 0;
}

FN(f_uniq)
{
    size_t i;

    ARITY();
    if (want_list(args[0], "uniq", err) < 0)
        return -1;
    *out = dk_val_list();
    for (i = 0; i < args[0]->u.list.n; i++)
        if (!list_has(*out, args[0]->u.list.v[i]))
            dk_val_list_push(*out, dk_val_ref(args[0]->u.list.v[i]));
    return 0;
}

/* has NEEDLE LIST: false for nil, an error for other non-lists. */
FN(f_has)
{
    ARITY();
    if (args[1]->kind == DK_VAL_NIL) {
        *out = dk_val_bool(0);
        return 0;
    }
    if (want_list(args[1], "find has", err) < 0)
        return -1;
    *out = dk_val_bool(list_has(args[1], args[0]));
    return 0;
}

FN(f_without)
{
    size_t i, j;

    ARITY();
    if (want_list(args[0], "find without", err) < 0)
        return -1;
    *out = dk_val_list();
    for (i = 0; i < args[0]->u.list.n; i++) {
        int drop = 0;

        for (j = 1; j < n && !drop; j++)
            drop = deep_equal(args[0]->u.list.v[i], args[j]);
        if (!drop)
            dk_val_list_push(*out, dk_val_ref(args[0]->u.list.v[i]));
    }
    return 0;
}

FN(f_compact)
{
    size_t i;

    ARITY();
    if (want_list(args[0], "compact", err) < 0)
        return -1;
    *out = dk_val_list();
    for (i = 0; i < args[0]->u.list.n; i++)
        if (!is_empty(args[0]->u.list.v[i]))
            dk_val_list_push(*out, dk_val_ref(args[0]->u.list.v[i]));
    return 0;
}

static int cmp_strval(const void *a, const void *b)
{
    const struct dk_val *x = *(struct dk_val *const *)a, *y = *(struct dk_val *const *)b;
    size_t k = x->u.str.len < y->u.str.len ? x->u.str.len : y->u.str.len;
    int r = memcmp(x->u.str.s, y->u.str.s, k);

    if (r)
        return r;
    return x->u.str.len < y->u.str.len ? -1 : x->u.str.len > y->u.str.len;
}

/* sortAlpha: strslice, sorted; a non-list gives a one-item list. */
FN(f_sortAlpha)
{
    ARITY();
    (void)err;
    *out = strslice(args[0]);
    if ((*out)->u.list.n > 1)
        qsort((*out)->u.list.v, (*out)->u.list.n, sizeof(struct dk_val *), cmp_strval);
    return 0;
}

FN(f_reverse)
{
    size_t i, k;

    ARITY();
    if (want_list(args[0], "find reverse", err) < 0)
        return -1;
    k = args[0]->u.list.n;
    *out = dk_val_list();
    for (i = 0; i < k; i++)
        dk_val_list_push(*out, dk_val_ref(args[0]->u.list.v[k - 1 - i]));
    return 0;
}

FN(f_concat)
{
    size_t i, j;

    ARITY();
    for (i = 0; i < n; i++)
        if (args[i]->kind != DK_VAL_NIL && want_list(args[i], "concat", err) < 0)
            return -1;
    *out = dk_val_list();
    for (i = 0; i < n; i++)
        if (args[i]->kind == DK_VAL_LIST)
            for (j = 0; j < args[i]->u.list.n; j++)
                dk_val_list_push(*out, dk_val_ref(args[i]->u.list.v[j]));
    return 0;
}

static int range_ints(int64_t start, int64_t stop, int64_t step, struct dk_val **out,
                      struct dk_err *err)
{
    struct dk_val *l = dk_val_list();
    uint64_t count = 0;
    int64_t i;

    if (step != 0 && (step > 0 ? start < stop : start > stop)) {
        for (i = start; step > 0 ? i < stop : i > stop; i += step) {
            if (++count > 10000000) {
                dk_val_unref(l);
                return dk_err_set(err, DK_E_FAIL, "list of more than 10000000 items");
            }
            dk_val_list_push(l, dk_val_int(i));
            if ((step > 0 && i > INT64_MAX - step) || (step < 0 && i < INT64_MIN - step))
                break;
        }
    }
    *out = l;
    return 0;
}

FN(f_until)
{
    int64_t k;

    ARITY();
    if (want_int(args[0], &k, err) < 0)
        return -1;
    return range_ints(0, k, k >= 0 ? 1 : -1, out, err);
}

FN(f_untilStep)
{
    int64_t a, b, s;

    ARITY();
    if (want_int(args[0], &a, err) < 0 || want_int(args[1], &b, err) < 0 ||
        want_int(args[2], &s, err) < 0)
        return -1;
    return range_ints(a, b, s, out, err);
}

/* seq [START [STEP]] END: the numbers as a space-separated string, END included. */
FN(f_seq)
{
    int64_t p[3] = {0, 0, 0}, start, end, step;
    struct dk_val *l;
    struct dk_buf b = DK_BUF_INIT;
    size_t i;

    ARITY();
    for (i = 0; i < n; i++)
        if (want_int(args[i], &p[i], err) < 0)
            return -1;
    if (n == 0) {
        *out = dk_val_str("");
        return 0;
    }
    if (n == 1)
        start = 1, end = p[0], step = end < start ? -1 : 1;
    else if (n == 2)
        start = p[0], end = p[1], step = end < start ? -1 : 1;
    else
        start = p[0], step = p[1], end = p[2];
    if (n == 3 && ((end < start && step >= 0) || (end > start && step <= 0))) {
        *out = dk_val_str("");
        return 0;
    }
    if (start == end) {
        dk_buf_addf(&b, "%lld", (long long)start);
        *out = buf_val(&b);
        return 0;
    }
    if (range_ints(start, end + (step > 0 ? 1 : -1), step, &l, err) < 0)
        return -1;
    for (i = 0; i < l->u.list.n; i++)
        dk_buf_addf(&b, i ? " %lld" : "%lld", (long long)l->u.list.v[i]->u.i);
    dk_val_unref(l);
    *out = buf_val(&b);
    return 0;
}

/* ---- sprig: dicts ---- */

FN(f_dict)
{
    struct dk_buf k = DK_BUF_INIT;
    size_t i;

    ARITY();
    (void)err;
    *out = dk_val_map();
    for (i = 0; i < n; i += 2) {
        dk_buf_reset(&k);
        strval(args[i], &k);
        dk_val_map_set(*out, k.buf ? k.buf : "",
                       i + 1 < n ? dk_val_ref(args[i + 1]) : dk_val_str(""));
    }
    dk_buf_release(&k);
    return 0;
}

static int want_map(struct dk_val *v, struct dk_err *err)
{
    if (v->kind == DK_VAL_MAP)
        return 0;
    if (v->kind == DK_VAL_NIL)
        return dk_err_set(err, DK_E_FAIL, "invalid value; expected map[string]interface {}");
    return dk_err_set(err, DK_E_FAIL,
                      "wrong type for value; expected map[string]interface {}; got %s",
                      dk_val_type_name(v));
}

FN(f_get)
{
    struct dk_val *v;

    ARITY();
    if (want_map(args[0], err) < 0)
        return -1;
    STRARGS(1);
    v = dk_val_map_get(args[0], S(1));
    *out = v ? dk_val_ref(v) : dk_val_str("");
    return 0;
}

FN(f_set)
{
    ARITY();
    if (want_map(args[0], err) < 0)
        return -1;
    STRARGS(1);
    if (dk_val_reaches(args[2], args[0]))
        /* Helm accepts it (and then overflows its stack printing the map) */
        return dk_err_set(err, DK_E_FAIL, "a map cannot contain itself");
    dk_val_map_set(args[0], S(1), dk_val_ref(args[2]));
    *out = dk_val_ref(args[0]);
    return 0;
}

static void map_del(struct dk_val *m, const char *key)
{
    size_t i;

    for (i = 0; i < m->u.map.n; i++)
        if (strcmp(m->u.map.k[i], key) == 0) {
            free(m->u.map.k[i]);
            dk_val_unref(m->u.map.v[i]);
            memmove(m->u.map.k + i, m->u.map.k + i + 1, (m->u.map.n - i - 1) * sizeof(char *));
            memmove(m->u.map.v + i, m->u.map.v + i + 1,
                    (m->u.map.n - i - 1) * sizeof(struct dk_val *));
            m->u.map.n--;
            return;
        }
}

FN(f_unset)
{
    ARITY();
    if (want_map(args[0], err) < 0)
        return -1;
    STRARGS(1);
    map_del(args[0], S(1));
    *out = dk_val_ref(args[0]);
    return 0;
}

FN(f_hasKey)
{
    ARITY();
    if (want_map(args[0], err) < 0)
        return -1;
    STRARGS(1);
    *out = dk_val_bool(dk_val_map_get(args[0], S(1)) != NULL);
    return 0;
}

/* keys DICT...: every key (sorted per dict; sprig's order is random). */
FN(f_keys)
{
    size_t i, j;

    ARITY();
    for (i = 0; i < n; i++)
        if (want_map(args[i], err) < 0)
            return -1;
    *out = dk_val_list();
    for (i = 0; i < n; i++)
        for (j = 0; j < args[i]->u.map.n; j++)
            dk_val_list_push(*out, dk_val_str(args[i]->u.map.k[j]));
    return 0;
}

FN(f_values)
{
    size_t j;

    ARITY();
    if (want_map(args[0], err) < 0)
        return -1;
    *out = dk_val_list();
    for (j = 0; j < args[0]->u.map.n; j++)
        dk_val_list_push(*out, dk_val_ref(args[0]->u.map.v[j]));
    return 0;
}

static int key_listed(struct dk_val **args, size_t n, const char *key)
{
    size_t i;

    for (i = 1; i < n; i++)
        if (args[i]->kind == DK_VAL_STR && strcmp(args[i]->u.str.s, key) == 0)
            return 1;
    return 0;
}

static int pick_omit(struct dk_val **args, size_t n, int pick, struct dk_val **out,
                     struct dk_err *err)
{
    size_t i;

    if (want_map(args[0], err) < 0)
        return -1;
    for (i = 1; i < n; i++)
        if (dk_tmplfuncs_want_str(args[i], err) < 0)
            return -1;
    *out = dk_val_map();
    for (i = 0; i < args[0]->u.map.n; i++)
        if (key_listed(args, n, args[0]->u.map.k[i]) == pick)
            dk_val_map_set(*out, args[0]->u.map.k[i], dk_val_ref(args[0]->u.map.v[i]));
    return 0;
}

FN(f_pick)
{
    ARITY();
    return pick_omit(args, n, 1, out, err);
}

FN(f_omit)
{
    ARITY();
    return pick_omit(args, n, 0, out, err);
}

static struct dk_val *deep_copy(struct dk_val *v)
{
    struct dk_val *r;
    size_t i;

    switch (v->kind) {
    case DK_VAL_LIST:
        r = dk_val_list();
        for (i = 0; i < v->u.list.n; i++)
            dk_val_list_push(r, deep_copy(v->u.list.v[i]));
        return r;
    case DK_VAL_MAP:
        r = dk_val_map();
        for (i = 0; i < v->u.map.n; i++)
            dk_val_map_set(r, v->u.map.k[i], deep_copy(v->u.map.v[i]));
        return r;
    default:
        return dk_val_ref(v);
    }
}

/* deep_copy expands shared lists and maps and recurses: see dk_val_count() */
static int want_copyable(const struct dk_val *v, struct dk_err *err)
{
    if (dk_val_count(v, DK_VAL_EXPAND_MAX) >= DK_VAL_EXPAND_MAX)
        return dk_err_set(err, DK_E_FAIL, "value too large or too deeply nested to copy");
    return 0;
}

FN(f_deepCopy)
{
    ARITY();
    if (want_copyable(args[0], err) < 0)
        return -1;
    *out = deep_copy(args[0]);
    return 0;
}

/* mergo's Merge (dst values that are set win) or WithOverride (src values win, even empty
 * ones); maps found on both sides merge recursively, and a set dst value is never replaced by
 * a list or map. */
static void merge_into(struct dk_val *dst, const struct dk_val *src, int overwrite, int depth)
{
    size_t i;

    for (i = 0; i < src->u.map.n; i++) {
        const char *k = src->u.map.k[i];
        struct dk_val *sv = src->u.map.v[i], *dv = dk_val_map_get(dst, k);

        if (dv && dv->kind == DK_VAL_MAP && sv->kind == DK_VAL_MAP && dv != sv && depth < 1000)
            merge_into(dv, sv, overwrite, depth + 1);
        else if (dv && !is_empty(dv) && (sv->kind == DK_VAL_MAP || sv->kind == DK_VAL_LIST))
            continue;
        else if (!dv || overwrite || is_empty(dv))
            dk_val_map_set(dst, k, deep_copy(sv));
    }
}

static int merge_common(struct dk_val **args, size_t n, int overwrite, struct dk_val **out,
                        struct dk_err *err)
{
    size_t i;

    if (want_map(args[0], err) < 0)
        return -1;
    for (i = 1; i < n; i++) {
        if (want_map(args[i], err) < 0 || want_copyable(args[i], err) < 0)
            return -1;
        if (args[i] != args[0])
            merge_into(args[0], args[i], overwrite, 0);
    }
    *out = dk_val_ref(args[0]);
    return 0;
}

FN(f_merge)
{
    ARITY();
    return merge_common(args, n, 0, out, err);
}

FN(f_mergeOverwrite)
{
    ARITY();
    return merge_common(args, n, 1, out, err);
}

/* ---- sprig: semverCompare (Masterminds/semver v3 constraints, the common forms) ---- */

struct semver {
    int64_t v[3];
    int parts;     /* how many of major.minor.patch were given */
    int wild;      /* the first wildcard part (x, X, *), or 3 */
    char pre[128]; /* pre-release, without '-' */
};

/* Parses [v]MAJOR[.MINOR[.PATCH]][-PRE][+BUILD]; wildcards only when loose. */
static int semver_parse(const char *s, size_t len, int loose, struct semver *sv)
{
    size_t i = 0;
    int k;

    memset(sv, 0, sizeof(*sv));
    sv->wild = 3;
    if (i < len && (s[i] == 'v' || s[i] == 'V'))
        i++;
    for (k = 0; k < 3; k++) {
        if (k > 0) {
            if (i >= len || s[i] != '.')
                break;
            i++;
        }
        if (i < len && loose && (s[i] == 'x' || s[i] == 'X' || s[i] == '*')) {
            if (sv->wild == 3)
                sv->wild = k;
            i++;
        } else {
            size_t st = i;

            if (i >= len || !isdigit((unsigned char)s[i]))
                return -1;
            while (i < len && isdigit((unsigned char)s[i])) {
                if (sv->v[k] > 100000000000LL)
                    return -1;
                sv->v[k] = sv->v[k] * 10 + (s[i++] - '0');
            }
            if (i - st > 1 && s[st] == '0' && !loose)
                return -1;
            if (sv->wild != 3)
                return -1; /* 1.x.3 */
        }
        sv->parts = k + 1;
    }
    if (i < len && s[i] == '-') {
        size_t st = ++i;

        while (i < len && s[i] != '+')
            if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
                return -1;
            else
                i++;
        if (i == st || i - st >= sizeof(sv->pre))
            return -1;
        memcpy(sv->pre, s + st, i - st);
    }
    if (i < len && s[i] == '+') {
        i++;
        if (i == len)
            return -1;
        while (i < len)
            if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
                return -1;
            else
                i++;
    }
    if (i != len)
        return -1;
    if (sv->wild < sv->parts) {
        for (k = sv->wild; k < 3; k++)
            sv->v[k] = 0;
    }
    return 0;
}

static int is_num(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return n > 0;
}

/* semver 2.0 pre-release precedence; no pre-release ranks higher. */
static int pre_cmp(const char *a, const char *b)
{
    if (!*a || !*b)
        return !*a && !*b ? 0 : (!*a ? 1 : -1);
    while (*a || *b) {
        size_t la = strcspn(a, "."), lb = strcspn(b, ".");
        int na = is_num(a, la), nb = is_num(b, lb), r;

        if (!*a)
            return -1;
        if (!*b)
            return 1;
        if (na && nb) {
            if (la != lb)
                return la < lb ? -1 : 1;
            r = memcmp(a, b, la);
        } else if (na || nb) {
            return na ? -1 : 1;
        } else {
            r = memcmp(a, b, la < lb ? la : lb);
            if (!r && la != lb)
                r = la < lb ? -1 : 1;
        }
        if (r)
            return r < 0 ? -1 : 1;
        a += la + (a[la] == '.');
        b += lb + (b[lb] == '.');
    }
    return 0;
}

static int semver_cmp(const struct semver *a, const struct semver *b)
{
    int k;

    for (k = 0; k < 3; k++)
        if (a->v[k] != b->v[k])
            return a->v[k] < b->v[k] ? -1 : 1;
    return pre_cmp(a->pre, b->pre);
}

/* The version one step above the last given part (for ~, ^ and wildcards). */
static void bump(struct semver *s, int part)
{
    int k;

    s->v[part]++;
    for (k = part + 1; k < 3; k++)
        s->v[k] = 0;
    s->pre[0] = '\0';
}

/* One constraint term: OP VERSION. Returns 1/0 for match, -1 for a bad term. */
static int term_match(const char *t, size_t len, const struct semver *v)
{
    char op[3] = "";
    size_t i = 0;
    struct semver c, hi;
    int given, r, cmp;

    while (i < len && i < 2 && strchr("=<>!~^", t[i]))
        op[i] = t[i], i++;
    while (i < len && t[i] == ' ')
        i++;
    if (semver_parse(t + i, len - i, 1, &c) < 0)
        return -1;
    given = c.wild < c.parts ? c.wild : c.parts; /* parts that constrain */
    /* a version with a pre-release only matches constraints that have one */
    if (v->pre[0] && !c.pre[0])
        return 0;
    cmp = semver_cmp(v, &c);
    hi = c;
    if (!strcmp(op, "~") || !strcmp(op, "~>")) {
        bump(&hi, given <= 1 ? 0 : 1);
        return cmp >= 0 && semver_cmp(v, &hi) < 0;
    }
    if (!strcmp(op, "^")) {
        int p = 0;

        if (c.v[0] == 0 && given > 1)
            p = (c.v[1] == 0 && given > 2) ? 2 : 1;
        if (given == 0)
            return 1;
        bump(&hi, p);
        return cmp >= 0 && semver_cmp(v, &hi) < 0;
    }
    if (given < 3 && given > 0)
        bump(&hi, given - 1);
    if (!op[0] || !strcmp(op, "=")) {
        if (given == 0)
            return 1;
        if (given < 3)
            return cmp >= 0 && semver_cmp(v, &hi) < 0;
        return cmp == 0;
    }
    if (!strcmp(op, "!=")) {
        if (given == 0)
            return 0;
        if (given < 3)
            return !(cmp >= 0 && semver_cmp(v, &hi) < 0);
        return cmp != 0;
    }
    if (!strcmp(op, ">"))
        r = given < 3 && given > 0 ? semver_cmp(v, &hi) >= 0 : cmp > 0;
    else if (!strcmp(op, ">="))
        r = cmp >= 0;
    else if (!strcmp(op, "<"))
        r = cmp < 0;
    else if (!strcmp(op, "<=") || !strcmp(op, "=<"))
        r = given < 3 && given > 0 ? semver_cmp(v, &hi) < 0 : cmp <= 0;
    else
        return -1;
    return r;
}

/* A constraint string: "||" separates alternatives, spaces or commas separate terms that must
 * all match; "A - B" is a range. Returns 1/0, or -1 when the constraint is malformed. */
static int constraint_match(const char *s, const struct semver *v)
{
    const char *alt = s;

    for (;;) {
        const char *end = strstr(alt, "||"), *p = alt, *stop;
        int all = 1, any_term = 0;

        stop = end ? end : alt + strlen(alt);
        while (p < stop) {
            const char *q;
            size_t ol;
            int r;

            while (p < stop && (*p == ' ' || *p == ','))
                p++;
            if (p >= stop)
                break;
            /* an operator may be followed by spaces before its version */
            q = p;
            while (q < stop && strchr("=<>!~^", *q))
                q++;
            while (q < stop && *q == ' ')
                q++;
            while (q < stop && *q != ' ' && *q != ',')
                q++;
            ol = (size_t)(q - p);
            /* "A - B" hyphen range */
            if (q + 3 <= stop && !strncmp(q, " - ", 3)) {
                const char *b = q + 3, *be = b;
                char lo[160], hi2[160];

                while (be < stop && *be != ' ' && *be != ',')
                    be++;
                if (ol + 2 >= sizeof(lo) || (size_t)(be - b) + 2 >= sizeof(hi2))
                    return -1;
                snprintf(lo, sizeof(lo), ">=%.*s", (int)ol, p);
                snprintf(hi2, sizeof(hi2), "<=%.*s", (int)(be - b), b);
                r = term_match(lo, strlen(lo), v);
                if (r >= 0) {
                    int r2 = term_match(hi2, strlen(hi2), v);

                    r = r2 < 0 ? -1 : r && r2;
                }
                q = be;
            } else {
                r = term_match(p, ol, v);
            }
            if (r < 0)
                return -1;
            all = all && r;
            any_term = 1;
            p = q;
        }
        if (!any_term)
            return -1;
        if (all)
            return 1;
        if (!end)
            return 0;
        alt = end + 2;
    }
}

/* semverCompare CONSTRAINT VERSION */
int dk_semver_satisfies(const char *constraint, const char *version)
{
    struct semver v;

    if (semver_parse(version, strlen(version), 0, &v) < 0 || v.parts == 0)
        return -1;
    return constraint_match(constraint, &v);
}

FN(f_semverCompare)
{
    struct semver v;
    int r;

    ARITY();
    STRARGS(0, 1);
    if (semver_parse(S(1), L(1), 0, &v) < 0 || v.parts == 0)
        return dk_err_set(err, DK_E_FAIL, "invalid semantic version");
    r = constraint_match(S(0), &v);
    if (r < 0)
        return dk_err_set(err, DK_E_FAIL, "improper constraint: %s", S(0));
    *out = dk_val_bool(r);
    return 0;
}

/* ---- sprig: types ---- */

/* Go's reflect.Kind name. */
static const char *kind_name(const struct dk_val *v)
{
    /* the Go structs other files model as maps with methods */
    if (v->methods && v->methods->type) {
        if (!strcmp(v->methods->type, "time.Time") ||
            !strcmp(v->methods->type, "sprig.certificate"))
            return "struct";
        if (v->methods->type[0] == '*')
            return "ptr";
    }
    switch (v->kind) {
    case DK_VAL_NIL:
        return "invalid";
    case DK_VAL_LIST:
        return "slice";
    case DK_VAL_MAP:
        return "map";
    case DK_VAL_PTR:
        return "ptr";
    case DK_VAL_FUNC:
        return "func";
    default:
        return dk_val_type_name(v);
    }
}

FN(f_kindOf)
{
    ARITY();
    (void)err;
    *out = dk_val_str(kind_name(args[0]));
    return 0;
}

FN(f_kindIs)
{
    ARITY();
    STRARGS(0);
    *out = dk_val_bool(strcmp(S(0), kind_name(args[1])) == 0);
    return 0;
}

FN(f_typeOf)
{
    ARITY();
    (void)err;
    *out = dk_val_str(dk_val_type_name(args[0]));
    return 0;
}

FN(f_typeIs)
{
    ARITY();
    STRARGS(0);
    *out = dk_val_bool(strcmp(S(0), dk_val_type_name(args[1])) == 0);
    return 0;
}

/* ---- sprig: case conversion (huandu/xstrings) ---- */

static int is_delim(unsigned char ch)
{
    return ch == '_' || ch == '-' || ch == ' ' || ch == '.';
}

/* snakecase / kebabcase: words split at delimiters, at lower-to-upper changes and before the
 * last capital of a capital run followed by a lower-case letter (HTTPServer -> http_server). */
static int delim_case(struct dk_val **args, char sep, struct dk_val **out, struct dk_err *err)
{
    struct dk_buf b = DK_BUF_INIT;
    const char *s;
    size_t i, len;
    int pend = 0;

    STRARGS(0);
    s = S(0), len = L(0);
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (is_delim(ch)) {
            pend = b.len > 0;
            continue;
        }
        if (isupper(ch) && i > 0 && b.len && !pend) {
            unsigned char pc = (unsigned char)s[i - 1];
            unsigned char nc = i + 1 < len ? (unsigned char)s[i + 1] : 0;

            if (islower(pc) || isdigit(pc) || (isupper(pc) && islower(nc)))
                pend = 1;
        }
        if (pend)
            dk_buf_addch(&b, sep);
        pend = 0;
        dk_buf_addch(&b, (char)tolower(ch));
    }
    *out = buf_val(&b);
    return 0;
}

FN(f_snakecase)
{
    ARITY();
    return delim_case(args, '_', out, err);
}

FN(f_kebabcase)
{
    ARITY();
    return delim_case(args, '-', out, err);
}

/* camelcase: words split at '_' (and spaces), each word's first letter upper-cased. */
FN(f_camelcase)
{
    struct dk_buf b = DK_BUF_INIT;
    size_t i;
    int up = 1;

    ARITY();
    STRARGS(0);
    for (i = 0; i < L(0); i++) {
        unsigned char ch = (unsigned char)S(0)[i];

        if (ch == '_' || ch == ' ') {
            up = 1;
            continue;
        }
        dk_buf_addch(&b, (char)(up ? toupper(ch) : ch));
        up = 0;
    }
    *out = buf_val(&b);
    return 0;
}

/* ---- sprig: random ---- */

static int random_bytes(unsigned char *p, size_t n, struct dk_err *err)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    size_t got = 0;

    if (fd < 0)
        return dk_err_set(err, DK_E_IO, "cannot open '/dev/urandom': %s", strerror(errno));
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            close(fd);
            return dk_err_set(err, DK_E_IO, "cannot read '/dev/urandom': %s",
                              r < 0 ? strerror(errno) : "end of file");
        }
        got += (size_t)r;
    }
    close(fd);
    return 0;
}

FN(f_uuidv4)
{
    unsigned char u[16];
    char s[37];

    ARITY();
    (void)args;
    if (random_bytes(u, sizeof(u), err) < 0)
        return -1;
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
    snprintf(s, sizeof(s), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
             u[14], u[15]);
    *out = dk_val_str(s);
    return 0;
}

FN(f_randAlphaNum)
{
    static const char set[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    int64_t k, i;
    char *s;

    ARITY();
    if (want_int(args[0], &k, err) < 0)
        return -1;
    if (k < 0 || k > (1 << 20))
        return dk_err_set(err, DK_E_FAIL, "randAlphaNum: bad length %lld", (long long)k);
    s = dk_xmalloc((size_t)k + 1);
    for (i = 0; i < k; i++) {
        unsigned char r;

        do { /* rejection sampling keeps the choice uniform */
            if (random_bytes(&r, 1, err) < 0) {
                free(s);
                return -1;
            }
        } while (r >= 248);
        s[i] = set[r % 62];
    }
    s[k] = '\0';
    *out = dk_val_str_owned(s, (size_t)k);
    return 0;
}

/* ---- more sprig and Helm functions ---- */

/* dig KEY... DEFAULT DICT */
FN(f_dig)
{
    struct dk_val *cur, *v;
    size_t i;

    ARITY();
    if (want_map(args[n - 1], err) < 0)
        return -1;
    for (i = 0; i + 2 < n; i++)
        STRARGS(i);
    cur = args[n - 1];
    for (i = 0; i + 2 < n; i++) {
        if (cur->kind != DK_VAL_MAP)
            return dk_err_set(err, DK_E_FAIL,
                              "interface conversion: interface {} is %s, not map[string]interface "
                              "{}",
                              dk_val_type_name(cur));
        v = dk_val_map_get(cur, S(i));
        if (!v) {
            *out = dk_val_ref(args[n - 2]);
            return 0;
        }
        cur = v;
    }
    *out = dk_val_ref(cur);
    return 0;
}

FN(f_add1)
{
    ARITY();
    (void)err;
    *out = dk_val_int(wrap_add(to_int64(args[0]), 1));
    return 0;
}

/* The digits after the point in x's shortest decimal form (what decimal.NewFromFloat keeps). */
static int frac_digits(double x)
{
    char buf[40];
    int p, e;

    if (!isfinite(x) || x == 0)
        return 0;
    for (p = 1; p <= 17; p++) {
        snprintf(buf, sizeof(buf), "%.*e", p - 1, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    e = atoi(strchr(buf, 'e') + 1);
    return p - 1 - e > 0 ? p - 1 - e : 0;
}

/* Rounds x to d decimals (d <= 300) through its decimal form. */
static double round_decimal(double x, int d)
{
    char buf[400];

    if (!isfinite(x) || d > 300 || fabs(x) > 1e300)
        return x;
    snprintf(buf, sizeof(buf), "%.*f", d, x);
    return strtod(buf, NULL);
}

/* addf, subf, mulf, divf: sprig computes with shopspring/decimal over cast.ToFloat64; the
 * exact decimal result is rounded back to float64. Rounding the float64 result to the
 * decimals the exact result can have gives the same value in all but contrived cases; divf
 * keeps decimal's 16 digits of division precision. */
static int float_op(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out)
{
    const char *op = ((const struct fdef *)c->ud)->name;
    double r = to_float64(args[0]);
    int d = frac_digits(r);
    size_t i;

    for (i = 1; i < n; i++) {
        double x = to_float64(args[i]);
        int dx = frac_digits(x);

        if (op[0] == 'a' || op[0] == 's') {
            r = op[0] == 'a' ? r + x : r - x;
            d = d > dx ? d : dx;
        } else if (op[0] == 'm') {
            r *= x;
            d += dx;
        } else {
            if (x == 0)
                return -2;
            r /= x;
            d = 16;
        }
        r = round_decimal(r, d);
    }
    *out = dk_val_float(r);
    return 0;
}

FN(f_floatop)
{
    ARITY();
    if (float_op(c, args, n, out) < 0)
        return dk_err_set(err, DK_E_FAIL, "decimal division by 0");
    return 0;
}

FN(f_floor)
{
    ARITY();
    (void)err;
    *out = dk_val_float(floor(to_float64(args[0])));
    return 0;
}

FN(f_ceil)
{
    ARITY();
    (void)err;
    *out = dk_val_float(ceil(to_float64(args[0])));
    return 0;
}

FN(f_deepEqual)
{
    ARITY();
    (void)err;
    *out = dk_val_bool(deep_equal(args[0], args[1]));
    return 0;
}

/* Helm's fromYamlArray and fromJsonArray: a list, or a list holding the error text. */
FN(f_fromYamlArray)
{
    struct dk_err e = DK_ERR_INIT;
    cJSON *j = NULL;

    ARITY();
    STRARGS(0);
    *out = NULL;
    if (dk_yaml_load_lenient(S(0), L(0), NULL, &j, &e) < 0) {
        char *msg = dk_xasprintf("error converting YAML to JSON: %s", e.msg);

        *out = dk_val_list();
        dk_val_list_push(*out, dk_val_str(msg));
        free(msg);
    } else if (cJSON_IsNull(j)) {
        *out = dk_val_list();
    } else if (!cJSON_IsArray(j)) {
        *out = dk_val_list();
        dk_val_list_push(*out, dk_val_str("error unmarshaling JSON: while decoding JSON: json: "
                                          "cannot unmarshal object into Go value of type "
                                          "[]interface {}"));
    } else {
        *out = dk_val_from_json(j);
    }
    cJSON_Delete(j);
    return 0;
}

FN(f_fromJsonArray)
{
    struct dk_err e = DK_ERR_INIT;
    cJSON *j = NULL;

    ARITY();
    STRARGS(0);
    if (dk_json_parse(S(0), L(0), NULL, &j, &e) < 0) {
        *out = dk_val_list();
        dk_val_list_push(*out, dk_val_str(e.msg));
    } else if (cJSON_IsNull(j)) {
        *out = dk_val_list();
    } else if (!cJSON_IsArray(j)) {
        *out = dk_val_list();
        dk_val_list_push(*out, dk_val_str("json: cannot unmarshal object into Go value of type "
                                          "[]interface {}"));
    } else {
        *out = dk_val_from_json(j);
    }
    cJSON_Delete(j);
    return 0;
}

/* Helm's mustToYaml / mustToJson: errors instead of "". */
FN(f_mustToYaml)
{
    ARITY();
    if (f_toYaml(c, args, n, out, err) < 0)
        return -1;
    if ((*out)->u.str.len == 0) {
        dk_val_unref(*out);
        *out = NULL;
        return dk_err_set(err, DK_E_FAIL, "cannot marshal a %s to YAML", dk_val_type_name(args[0]));
    }
    return 0;
}

FN(f_mustToJson)
{
    ARITY();
    if (f_toJson(c, args, n, out, err) < 0)
        return -1;
    if ((*out)->u.str.len == 0) {
        dk_val_unref(*out);
        *out = NULL;
        return dk_err_set(err, DK_E_FAIL, "json: unsupported value of type %s",
                          dk_val_type_name(args[0]));
    }
    return 0;
}

/* Helm's lookup without a cluster (helm template): an empty map. */
FN(f_lookup)
{
    ARITY();
    STRARGS(0, 1, 2, 3);
    *out = dk_val_map();
    return 0;
}

/* splitn SEP N S: strings.SplitN as a map _0, _1, ... */
FN(f_splitn)
{
    struct dk_val *m;
    const char *p, *end, *q;
    int64_t k, i = 0;
    char key[32];

    ARITY();
    STRARGS(0, 2);
    if (want_int(args[1], &k, err) < 0)
        return -1;
    m = dk_val_map();
    p = S(2), end = S(2) + L(2);
    while (k != 0 && L(0) > 0) {
        q = (k > 0 && i == k - 1) ? NULL : mem_find(p, (size_t)(end - p), S(0), L(0));
        snprintf(key, sizeof(key), "_%lld", (long long)i++);
        if (!q) {
            dk_val_map_set(m, key, dk_val_strn(p, (size_t)(end - p)));
            break;
        }
        dk_val_map_set(m, key, dk_val_strn(p, (size_t)(q - p)));
        p = q + L(0);
    }
    *out = m;
    return 0;
}

/* untitle: the first letter of each word lower-cased. */
FN(f_untitle)
{
    char *s;
    size_t i;
    int prev_sep = 1;

    ARITY();
    STRARGS(0);
    s = dk_xstrndup(S(0), L(0));
    for (i = 0; i < L(0); i++) {
        unsigned char ch = (unsigned char)s[i];

        if (prev_sep)
            s[i] = (char)tolower(ch);
        prev_sep = is_space(ch);
    }
    *out = dk_val_str_owned(s, L(0));
    return 0;
}

/* base S: path.Base. */
FN(f_base)
{
    size_t len, st;

    ARITY();
    STRARGS(0);
    len = L(0);
    if (len == 0) {
        *out = dk_val_str(".");
        return 0;
    }
    while (len > 0 && S(0)[len - 1] == '/')
        len--;
    if (len == 0) {
        *out = dk_val_str("/");
        return 0;
    }
    st = len;
    while (st > 0 && S(0)[st - 1] != '/')
        st--;
    *out = dk_val_strn(S(0) + st, len - st);
    return 0;
}

/* randAlpha, randNumeric, randAscii COUNT */
FN(f_rand)
{
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const char *name = ((const struct fdef *)c->ud)->name;
    int64_t k, i;
    char *s;

    ARITY();
    if (want_int(args[0], &k, err) < 0)
        return -1;
    if (k < 0 || k > (1 << 20))
        return dk_err_set(err, DK_E_FAIL, "%s: bad length %lld", name, (long long)k);
    s = dk_xmalloc((size_t)k + 1);
    for (i = 0; i < k; i++) {
        unsigned char r;
        unsigned range = !strcmp(name, "randAlpha") ? 52 : !strcmp(name, "randNumeric") ? 10 : 95;
        unsigned lim = 256 - 256 % range;

        do {
            if (random_bytes(&r, 1, err) < 0) {
                free(s);
                return -1;
            }
        } while (r >= lim);
        if (range == 52)
            s[i] = alpha[r % 52];
        else if (range == 10)
            s[i] = (char)('0' + r % 10);
        else
            s[i] = (char)(' ' + r % 95);
    }
    s[k] = '\0';
    *out = dk_val_str_owned(s, (size_t)k);
    return 0;
}

/* *semver.Version's String(): the normalised version. */
static void semver_string(const struct dk_val *v, struct dk_buf *out)
{
    struct dk_val *p;
    int i;

    for (i = 0; i < 3; i++) {
        p = dk_val_map_get(v, i == 0 ? "Major" : i == 1 ? "Minor" : "Patch");
        dk_buf_addf(out, i ? ".%lld" : "%lld",
                    p && p->kind == DK_VAL_INT ? (long long)p->u.i : 0LL);
    }
    p = dk_val_map_get(v, "Prerelease");
    if (p && p->kind == DK_VAL_STR && p->u.str.len)
        dk_buf_addf(out, "-%s", p->u.str.s);
    p = dk_val_map_get(v, "Metadata");
    if (p && p->kind == DK_VAL_STR && p->u.str.len)
        dk_buf_addf(out, "+%s", p->u.str.s);
}

static const struct dk_val_methods semver_methods;

/* The struct semver of a semver value (from its Original text). */
static int semver_of(const struct dk_val *v, struct semver *sv)
{
    struct dk_val *o;

    if (v->kind != DK_VAL_MAP || v->methods != &semver_methods ||
        !(o = dk_val_map_get(v, "Original")) || o->kind != DK_VAL_STR)
        return -1;
    return semver_parse(o->u.str.s, o->u.str.len, 1, sv);
}

/* Compare, LessThan, GreaterThan, Equal of *semver.Version. */
static int semver_method(struct dk_tmpl_call *c, struct dk_val **args, size_t n,
                         struct dk_val **out, struct dk_err *err)
{
    struct semver a, b;
    int r;

    if (n != 1)
        return dk_err_set(err, DK_E_FAIL, "wrong number of args for %s: want 1 got %zu", c->name,
                          n);
    if (semver_of(c->ud, &a) < 0)
        return dk_err_set(err, DK_E_FAIL, "invalid semantic version");
    if (semver_of(args[0], &b) < 0)
        return dk_err_set(err, DK_E_FAIL, "wrong type for value; expected *semver.Version; got %s",
                          dk_val_type_name(args[0]));
    r = semver_cmp(&a, &b);
    if (!strcmp(c->name, "Compare"))
        *out = dk_val_int(r);
    else
        *out = dk_val_bool(c->name[0] == 'L' ? r < 0 : c->name[0] == 'G' ? r > 0 : r == 0);
    return 0;
}

static const struct dk_val_method semver_method_list[] = {
    {"Compare", semver_method},
    {"Equal", semver_method},
    {"GreaterThan", semver_method},
    {"LessThan", semver_method},
};

static const struct dk_val_methods semver_methods = {
    "*semver.Version", semver_method_list,
    sizeof(semver_method_list) / sizeof(semver_method_list[0]), semver_string};

/* semver S: Masterminds/semver's NewVersion as a map of its accessors (Major, Minor, Patch,
 * Prerelease, Metadata, Original). */
FN(f_semver)
{
    struct semver v;
    struct dk_val *m;
    const char *plus;

    ARITY();
    STRARGS(0);
    if (semver_parse(S(0), L(0), 1, &v) < 0 || v.parts == 0 || v.wild != 3)
        return dk_err_set(err, DK_E_FAIL, "invalid semantic version");
    m = dk_val_map();
    dk_val_map_set(m, "Major", dk_val_int(v.v[0]));
    dk_val_map_set(m, "Minor", dk_val_int(v.v[1]));
    dk_val_map_set(m, "Patch", dk_val_int(v.v[2]));
    dk_val_map_set(m, "Prerelease", dk_val_str(v.pre));
    plus = memchr(S(0), '+', L(0));
    dk_val_map_set(m, "Metadata",
                   plus ? dk_val_strn(plus + 1, L(0) - (size_t)(plus + 1 - S(0))) : dk_val_str(""));
    dk_val_map_set(m, "Original", dk_val_strn(S(0), L(0)));
    m->methods = &semver_methods;
    *out = m;
    return 0;
}

/* swapcase: goutils.SwapCase (upper to lower, lower to upper, for the letters upper and lower
 * know). */
FN(f_swapcase)
{
    struct dk_buf b = DK_BUF_INIT;
    const unsigned char *p;
    size_t i = 0;

    ARITY();
    STRARGS(0);
    p = (const unsigned char *)S(0);
    while (i < L(0)) {
        uint32_t cp, lo, up;
        size_t k = utf8_decode(p + i, L(0) - i, &cp);

        lo = case_of(cp, 0);
        up = case_of(cp, 1);
        if (k == 0 || (lo == cp && up == cp)) {
            dk_buf_addn(&b, p + i, k ? k : 1);
        } else {
            utf8_encode(lo != cp ? lo : up, &b);
        }
        i += k ? k : 1;
    }
    *out = buf_val(&b);
    return 0;
}

/* add1f X: X + 1 with addf's decimal arithmetic. */
FN(f_add1f)
{
    struct dk_val *a[2];

    ARITY();
    (void)err;
    a[0] = args[0];
    a[1] = dk_val_int(1);
    float_op(c, a, 2, out); /* "add1f" adds, as "addf" does */
    dk_val_unref(a[1]);
    return 0;
}

/* all / any: every argument (some argument) is not sprig-empty. */
FN(f_all)
{
    size_t i;
    int want_all = ((const struct fdef *)c->ud)->name[1] == 'l';

    ARITY();
    (void)err;
    for (i = 0; i < n; i++)
        if (is_empty(args[i]) == want_all) {
            *out = dk_val_bool(!want_all);
            return 0;
        }
    *out = dk_val_bool(want_all);
    return 0;
}

/* maxf / minf: math.Max / math.Min over cast.ToFloat64. */
FN(f_maxf)
{
    int want_max = ((const struct fdef *)c->ud)->name[1] == 'a';
    double r;
    size_t i;

    ARITY();
    (void)err;
    r = to_float64(args[0]);
    for (i = 1; i < n; i++) {
        double x = to_float64(args[i]);

        if (isnan(x) || isnan(r))
            r = NAN;
        else if (want_max ? x > r : x < r)
            r = x;
    }
    *out = dk_val_float(r);
    return 0;
}

/* round X PLACES [HALF]: sprig's rounding (ceil when the fraction is at least HALF, 0.5). */
FN(f_round)
{
    double pw, digit, ip, frac, half = 0.5;
    int64_t k;

    ARITY();
    (void)err;
    if (n > 2)
        half = to_float64(args[2]);
    pw = 1;
    for (k = to_int64(args[1]); k > 0 && pw < 1e308; k--) /* math.Pow(10, p) without libm */
        pw *= 10;
    for (; k < 0 && pw > 1e-308; k++)
        pw /= 10;
    digit = pw * to_float64(args[0]);
    frac = modf(digit, &ip);
    *out = dk_val_float((frac >= half ? ceil(digit) : floor(digit)) / pw);
    return 0;
}

/* ---- registration ---- */

static const struct fdef fdefs[] = {
    /* Helm */
    {"include", f_include, 2, 2},
    {"tpl", f_tpl, 2, 2},
    {"required", f_required, 2, 2},
    {"fail", f_fail, 1, 1},
    {"toYaml", f_toYaml, 1, 1},
    {"fromYaml", f_fromYaml, 1, 1},
    {"toJson", f_toJson, 1, 1},
    {"fromJson", f_fromJson, 1, 1},
    {"toPrettyJson", f_toPrettyJson, 1, 1},
    {"toRawJson", f_toRawJson, 1, 1},
    /* strings */
    {"default", f_default, 1, -1},
    {"empty", f_empty, 1, 1},
    {"coalesce", f_coalesce, 0, -1},
    {"ternary", f_ternary, 3, 3},
    {"quote", f_quote, 0, -1},
    {"squote", f_squote, 0, -1},
    {"trim", f_trim, 1, 1},
    {"trimSuffix", f_trimSuffix, 2, 2},
    {"trimPrefix", f_trimPrefix, 2, 2},
    {"trimAll", f_trimAll, 2, 2},
    {"upper", f_upper, 1, 1},
    {"lower", f_lower, 1, 1},
    {"title", f_title, 1, 1},
    {"replace", f_replace, 3, 3},
    {"contains", f_contains, 2, 2},
    {"hasPrefix", f_hasPrefix, 2, 2},
    {"hasSuffix", f_hasSuffix, 2, 2},
    {"trunc", f_trunc, 2, 2},
    {"nindent", f_nindent, 2, 2},
    {"indent", f_indent, 2, 2},
    {"cat", f_cat, 0, -1},
    {"repeat", f_repeat, 2, 2},
    {"substr", f_substr, 3, 3},
    {"split", f_split, 2, 2},
    {"splitList", f_splitList, 2, 2},
    {"join", f_join, 2, 2},
    {"b64enc", f_b64enc, 1, 1},
    {"b64dec", f_b64dec, 1, 1},
    {"sha256sum", f_sha256sum, 1, 1},
    {"toString", f_toString, 1, 1},
    {"toStrings", f_toStrings, 1, 1},
    /* numbers */
    {"int", f_int, 1, 1},
    {"int64", f_int, 1, 1},
    {"float64", f_float64, 1, 1},
    {"atoi", f_atoi, 1, 1},
    {"add", f_add, 0, -1},
    {"sub", f_sub, 2, 2},
    {"mul", f_mul, 1, -1},
    {"div", f_div, 2, 2},
    {"mod", f_mod, 2, 2},
    {"max", f_max, 1, -1},
    {"min", f_min, 1, -1},
    {"semverCompare", f_semverCompare, 2, 2},
    {"kindOf", f_kindOf, 1, 1},
    {"kindIs", f_kindIs, 2, 2},
    {"typeOf", f_typeOf, 1, 1},
    {"typeIs", f_typeIs, 2, 2},
    {"camelcase", f_camelcase, 1, 1},
    {"kebabcase", f_kebabcase, 1, 1},
    {"snakecase", f_snakecase, 1, 1},
    {"uuidv4", f_uuidv4, 0, 0},
    {"randAlphaNum", f_randAlphaNum, 1, 1},
    /* lists */
    {"list", f_list, 0, -1},
    {"append", f_append, 2, 2},
    {"push", f_append, 2, 2},
    {"prepend", f_prepend, 2, 2},
    {"first", f_first, 1, 1},
    {"last", f_last, 1, 1},
    {"rest", f_rest, 1, 1},
    {"initial", f_initial, 1, 1},
    {"uniq", f_uniq, 1, 1},
    {"has", f_has, 2, 2},
    {"without", f_without, 1, -1},
    {"compact", f_compact, 1, 1},
    {"sortAlpha", f_sortAlpha, 1, 1},
    {"reverse", f_reverse, 1, 1},
    {"concat", f_concat, 0, -1},
    {"until", f_until, 1, 1},
    {"untilStep", f_untilStep, 3, 3},
    {"seq", f_seq, 0, 3},
    /* dicts */
    {"dict", f_dict, 0, -1},
    {"get", f_get, 2, 2},
    {"set", f_set, 3, 3},
    {"unset", f_unset, 2, 2},
    {"hasKey", f_hasKey, 2, 2},
    {"keys", f_keys, 0, -1},
    {"values", f_values, 1, 1},
    {"pick", f_pick, 1, -1},
    {"omit", f_omit, 1, -1},
    {"deepCopy", f_deepCopy, 1, 1},
    {"merge", f_merge, 1, -1},
    {"mergeOverwrite", f_mergeOverwrite, 1, -1},
    {"dig", f_dig, 3, -1},
    /* more numbers */
    {"add1", f_add1, 1, 1},
    {"addf", f_floatop, 1, -1},
    {"subf", f_floatop, 1, -1},
    {"mulf", f_floatop, 1, -1},
    {"divf", f_floatop, 1, -1},
    {"floor", f_floor, 1, 1},
    {"ceil", f_ceil, 1, 1},
    /* more Helm */
    {"fromYamlArray", f_fromYamlArray, 1, 1},
    {"fromJsonArray", f_fromJsonArray, 1, 1},
    {"mustToYaml", f_mustToYaml, 1, 1},
    {"mustToJson", f_mustToJson, 1, 1},
    {"lookup", f_lookup, 4, 4},
    /* more strings and lists */
    {"deepEqual", f_deepEqual, 2, 2},
    {"splitn", f_splitn, 3, 3},
    {"untitle", f_untitle, 1, 1},
    {"base", f_base, 1, 1},
    {"randAlpha", f_rand, 1, 1},
    {"randNumeric", f_rand, 1, 1},
    {"randAscii", f_rand, 1, 1},
    {"tuple", f_list, 0, -1},
    /* the must* forms of functions that already fail instead of panicking */
    {"mustMerge", f_merge, 1, -1},
    {"mustMergeOverwrite", f_mergeOverwrite, 1, -1},
    {"mustUniq", f_uniq, 1, 1},
    {"mustAppend", f_append, 2, 2},
    {"mustPush", f_append, 2, 2},
    {"mustPrepend", f_prepend, 2, 2},
    {"mustFirst", f_first, 1, 1},
    {"mustLast", f_last, 1, 1},
    {"mustRest", f_rest, 1, 1},
    {"mustInitial", f_initial, 1, 1},
    {"mustHas", f_has, 2, 2},
    {"mustWithout", f_without, 1, -1},
    {"mustCompact", f_compact, 1, 1},
    {"mustReverse", f_reverse, 1, 1},
    {"mustDeepCopy", f_deepCopy, 1, 1},
    {"mustToRawJson", f_toRawJson, 1, 1},
    {"mustToPrettyJson", f_toPrettyJson, 1, 1},
    /* the rest of sprig's string, number and reflection functions */
    {"semver", f_semver, 1, 1},
    {"swapcase", f_swapcase, 1, 1},
    {"add1f", f_add1f, 1, 1},
    {"all", f_all, 0, -1},
    {"any", f_all, 0, -1},
    {"maxf", f_maxf, 1, -1},
    {"minf", f_maxf, 1, -1},
    {"round", f_round, 2, 3},
    {"biggest", f_max, 1, -1},
    {"trimall", f_trimAll, 2, 2},
    {"osBase", f_base, 1, 1},
};

/* ---- shared with the other tmplfuncs_*.c files (tmplfuncs_int.h) ---- */

int dk_tmplfuncs_want_int(struct dk_val *v, int64_t *i, struct dk_err *err)
{
    return want_int(v, i, err);
}

void dk_tmplfuncs_strval(const struct dk_val *v, struct dk_buf *b)
{
    strval(v, b);
}

struct dk_val *dk_tmplfuncs_buf_val(struct dk_buf *b)
{
    return buf_val(b);
}

int64_t dk_tmplfuncs_to_int64(const struct dk_val *v)
{
    return to_int64(v);
}

double dk_tmplfuncs_to_float64(const struct dk_val *v)
{
    return to_float64(v);
}

int dk_tmplfuncs_random(unsigned char *p, size_t n, struct dk_err *err)
{
    return random_bytes(p, n, err);
}

void dk_tmplfuncs_add(struct dk_tmpl *t, const struct fdef *defs, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        dk_tmpl_register(t, defs[i].name, defs[i].fn, (void *)&defs[i]);
}

int dk_tmplfuncs_register(struct dk_tmpl *t, struct dk_err *err)
{
    (void)err;
    dk_tmplfuncs_add(t, fdefs, sizeof(fdefs) / sizeof(fdefs[0]));
    dk_tmplfuncs_register_more(t);
    dk_tmplfuncs_register_toml(t);
    dk_tmplfuncs_register_time(t);
    dk_tmplfuncs_register_crypto(t);
    dk_tmplfuncs_register_regex(t);
    return 0;
}
