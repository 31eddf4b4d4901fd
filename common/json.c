#include "dk/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk/log.h"

/* cJSON returns NULL when malloc fails; dk treats that as it treats dk_xmalloc() failing. */
static void *need(void *p)
{
    if (!p) {
        fprintf(stderr, "%s: fatal: out of memory\n", dk_log_prog());
        exit(1);
    }
    return p;
}

/* ---- syntax check: cJSON says only where it stopped, so a strict scanner finds the first
 * error and says what was wrong, in the words Go's encoding/json uses. */

struct scan {
    const unsigned char *s;
    size_t len, pos;
    char why[128];
};

static void quote_char(unsigned char c, char *out, size_t n)
{
    switch (c) {
    case '\'':
        snprintf(out, n, "'\\''");
        return;
    case '\n':
        snprintf(out, n, "'\\n'");
        return;
    case '\r':
        snprintf(out, n, "'\\r'");
        return;
    case '\t':
        snprintf(out, n, "'\\t'");
        return;
    }
    if (c >= 0x20 && c < 0x7f)
        snprintf(out, n, "'%c'", c);
    else
        snprintf(out, n, "'\\x%02x'", c);
}

static int scan_fail(struct scan *sc, const char *context)
{
    char q[16];

    if (sc->pos >= sc->len) {
        sc->pos = sc->len;
        snprintf(sc->why, sizeof(sc->why), "unexpected end of JSON input");
        return -1;
    }
    quote_char(sc->s[sc->pos], q, sizeof(q));
    snprintf(sc->why, sizeof(sc->why), "invalid character %s %s", q, context);
    return -1;
}

static int scan_eof(const struct scan *sc)
{
    return sc->pos >= sc->len;
}

static void scan_ws(struct scan *sc)
{
    while (!scan_eof(sc) && (sc->s[sc->pos] == ' ' || sc->s[sc->pos] == '\t' ||
                             sc->s[sc->pos] == '\n' || sc->s[sc->pos] == '\r'))
        sc->pos++;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int scan_string(struct scan *sc)
{
    sc->pos++; /* the opening quote */
    for (;;) {
        unsigned char c;

        if (scan_eof(sc))
            return scan_fail(sc, "");
        c = sc->s[sc->pos];
        if (c == '"') {
            sc->pos++;
            return 0;
        }
        if (c < 0x20)
            return scan_fail(sc, "in string literal");
        if (c != '\\') {
            sc->pos++;
            continue;
        }
        sc->pos++;
        if (scan_eof(sc))
            return scan_fail(sc, "");
        c = sc->s[sc->pos];
        switch (c) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            sc->pos++;
            break;
        case 'u': {
            int k;

            sc->pos++;
            for (k = 0; k < 4; k++) {
                if (scan_eof(sc) || !is_hex(sc->s[sc->pos]))
                    return scan_fail(sc, "in \\u hexadecimal character escape");
                sc->pos++;
            }
            break;
        }
        default:
            return scan_fail(sc, "in string escape code");
        }
    }
}

static int scan_number_syntax(struct scan *sc)
{
    if (sc->s[sc->pos] == '-')
        sc->pos++;
    if (scan_eof(sc))
        return scan_fail(sc, "");
    if (sc->s[sc->pos] == '0')
        sc->pos++;
    else if (is_digit(sc->s[sc->pos]))
        while (!scan_eof(sc) && is_digit(sc->s[sc->pos]))
            sc->pos++;
    else
        return scan_fail(sc, "in numeric literal");
    if (!scan_eof(sc) && sc->s[sc->pos] == '.') {
        sc->pos++;
        if (scan_eof(sc) || !is_digit(sc->s[sc->pos]))
            return scan_fail(sc, "after decimal point in numeric literal");
        while (!scan_eof(sc) && is_digit(sc->s[sc->pos]))
            sc->pos++;
    }
    if (!scan_eof(sc) && (sc->s[sc->pos] == 'e' || sc->s[sc->pos] == 'E')) {
        sc->pos++;
        if (!scan_eof(sc) && (sc->s[sc->pos] == '+' || sc->s[sc->pos] == '-'))
            sc->pos++;
        if (scan_eof(sc) || !is_digit(sc->s[sc->pos]))
            return scan_fail(sc, "in exponent of numeric literal");
        while (!scan_eof(sc) && is_digit(sc->s[sc->pos]))
            sc->pos++;
    }
    return 0;
}

/* A number must also fit a double: Go refuses 1e400 too, and cJSON would make it infinite. */
static int scan_number(struct scan *sc)
{
    size_t start = sc->pos;
    char *text;
    double d;

    if (scan_number_syntax(sc) < 0)
        return -1;
    text = dk_xstrndup((const char *)sc->s + start, sc->pos - start);
    d = strtod(text, NULL);
    if (!isfinite(d)) {
        snprintf(sc->why, sizeof(sc->why), "number %.40s is out of range", text);
        sc->pos = start;
        free(text);
        return -1;
    }
    free(text);
    return 0;
}

static int scan_literal(struct scan *sc, const char *word)
{
    size_t k;

    for (k = 0; word[k]; k++) {
        if (scan_eof(sc) || sc->s[sc->pos] != (unsigned char)word[k]) {
            char ctx[64];

            snprintf(ctx, sizeof(ctx), "in literal %s (expecting '%c')", word, word[k]);
            return scan_fail(sc, ctx);
        }
        sc->pos++;
    }
    return 0;
}

static int scan_value(struct scan *sc, int depth)
{
    if (scan_eof(sc))
        return scan_fail(sc, "");
    switch (sc->s[sc->pos]) {
    case '{':
        if (depth >= DK_JSON_MAX_DEPTH) {
            snprintf(sc->why, sizeof(sc->why), "exceeded max depth of %d", DK_JSON_MAX_DEPTH);
            return -1;
        }
        sc->pos++;
        scan_ws(sc);
        if (!scan_eof(sc) && sc->s[sc->pos] == '}') {
            sc->pos++;
            return 0;
        }
        for (;;) {
            if (scan_eof(sc) || sc->s[sc->pos] != '"')
                return scan_fail(sc, "looking for beginning of object key string");
            if (scan_string(sc) < 0)
                return -1;
            scan_ws(sc);
            if (scan_eof(sc) || sc->s[sc->pos] != ':')
                return scan_fail(sc, "after object key");
            sc->pos++;
            scan_ws(sc);
            if (scan_value(sc, depth + 1) < 0)
                return -1;
            scan_ws(sc);
            if (!scan_eof(sc) && sc->s[sc->pos] == ',') {
                sc->pos++;
                scan_ws(sc);
                continue;
            }
            if (!scan_eof(sc) && sc->s[sc->pos] == '}') {
                sc->pos++;
                return 0;
            }
            return scan_fail(sc, "after object key:value pair");
        }
    case '[':
        if (depth >= DK_JSON_MAX_DEPTH) {
            snprintf(sc->why, sizeof(sc->why), "exceeded max depth of %d", DK_JSON_MAX_DEPTH);
            return -1;
        }
        sc->pos++;
        scan_ws(sc);
        if (!scan_eof(sc) && sc->s[sc->pos] == ']') {
            sc->pos++;
            return 0;
        }
        for (;;) {
            if (scan_value(sc, depth + 1) < 0)
                return -1;
            scan_ws(sc);
            if (!scan_eof(sc) && sc->s[sc->pos] == ',') {
                sc->pos++;
                scan_ws(sc);
                continue;
            }
            if (!scan_eof(sc) && sc->s[sc->pos] == ']') {
                sc->pos++;
                return 0;
            }
            return scan_fail(sc, "after array element");
        }
    case '"':
        return scan_string(sc);
    case 't':
        return scan_literal(sc, "true");
    case 'f':
        return scan_literal(sc, "false");
    case 'n':
        return scan_literal(sc, "null");
    default:
        if (sc->s[sc->pos] == '-' || is_digit(sc->s[sc->pos]))
            return scan_number(sc);
        return scan_fail(sc, "looking for beginning of value");
    }
}

/* Line and column (both from 1; columns count UTF-8 characters) of byte offset pos. */
static void line_col(const char *text, size_t pos, int *line, int *col)
{
    size_t i;

    *line = 1;
    *col = 1;
    for (i = 0; i < pos; i++) {
        unsigned char c = (unsigned char)text[i];

        if (c == '\n') {
            ++*line;
            *col = 1;
        } else if ((c & 0xc0) != 0x80) {
            ++*col;
        }
    }
}

static int parse_error(struct dk_err *err, const char *name, const char *text, size_t pos,
                       const char *why)
{
    int line, col;

    line_col(text, pos, &line, &col);
    if (name)
        return dk_err_set(err, DK_E_INPUT, "invalid JSON in '%s' at line %d column %d: %s", name,
                          line, col, why);
    return dk_err_set(err, DK_E_INPUT, "invalid JSON at line %d column %d: %s", line, col, why);
}

int dk_json_parse(const char *text, size_t len, const char *name, cJSON **out, struct dk_err *err)
{
    struct scan sc = {(const unsigned char *)text, len, 0, {0}};
    const char *end = NULL;
    cJSON *j;

    *out = NULL;
    scan_ws(&sc);
    if (scan_value(&sc, 0) < 0)
        return parse_error(err, name, text, sc.pos, sc.why);
    scan_ws(&sc);
    if (!scan_eof(&sc)) {
        scan_fail(&sc, "after top-level value");
        return parse_error(err, name, text, sc.pos, sc.why);
    }
    j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!j) {
        /* Valid syntax that cJSON still refuses, such as a lone UTF-16 surrogate escape. */
        size_t pos = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;

        return parse_error(err, name, text, pos, "value not supported");
    }
    *out = j;
    return 0;
}

/* ---- getters */

static const cJSON *member(const cJSON *obj, const char *key)
{
    if (!cJSON_IsObject(obj) || !key)
        return NULL;
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

const char *dk_json_str(const cJSON *obj, const char *key)
{
    const cJSON *it = member(obj, key);

    return cJSON_IsString(it) ? it->valuestring : NULL;
}

int64_t dk_json_int(const cJSON *obj, const char *key, int64_t dflt)
{
    const cJSON *it = member(obj, key);
    double d;

    if (!cJSON_IsNumber(it))
        return dflt;
    d = it->valuedouble;
    if (!isfinite(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
        return dflt;
    return (int64_t)d;
}

int dk_json_bool(const cJSON *obj, const char *key, int dflt)
{
    const cJSON *it = member(obj, key);

    if (cJSON_IsTrue(it))
        return 1;
    if (cJSON_IsFalse(it))
        return 0;
    return dflt;
}

/* ---- setters */

void dk_json_set(cJSON *obj, const char *key, cJSON *item)
{
    if (!item)
        return;
    if (!cJSON_IsObject(obj) || !key) {
        cJSON_Delete(item);
        return;
    }
    if (cJSON_GetObjectItemCaseSensitive(obj, key)) {
        if (!cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item))
            need(NULL);
        return;
    }
    if (!cJSON_AddItemToObject(obj, key, item))
        need(NULL);
}

void dk_json_set_str(cJSON *obj, const char *key, const char *val)
{
    if (!cJSON_IsObject(obj))
        return;
    dk_json_set(obj, key, need(val ? cJSON_CreateString(val) : cJSON_CreateNull()));
}

void dk_json_set_int(cJSON *obj, const char *key, int64_t val)
{
    if (!cJSON_IsObject(obj))
        return;
    dk_json_set(obj, key, need(cJSON_CreateNumber((double)val)));
}

void dk_json_set_bool(cJSON *obj, const char *key, int val)
{
    if (!cJSON_IsObject(obj))
        return;
    dk_json_set(obj, key, need(cJSON_CreateBool(val ? 1 : 0)));
}

void dk_json_remove(cJSON *obj, const char *key)
{
    if (!cJSON_IsObject(obj) || !key)
        return;
    while (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
}

cJSON *dk_json_child(cJSON *parent, const char *key)
{
    cJSON *it, *o;

    if (!cJSON_IsObject(parent) || !key)
        return NULL;
    it = cJSON_GetObjectItemCaseSensitive(parent, key);
    if (cJSON_IsObject(it))
        return it;
    o = need(cJSON_CreateObject());
    dk_json_set(parent, key, o);
    return o;
}

cJSON *dk_json_obj(cJSON *parent, const char *dotted_path)
{
    const char *p = dotted_path;
    cJSON *cur = parent;

    if (!cJSON_IsObject(parent) || !p || !*p)
        return NULL;
    /* Check the whole path first, so a bad one creates nothing. */
    for (;;) {
        const char *dot = strchr(p, '.');

        if (dot == p || (!dot && !*p))
            return NULL;
        if (!dot)
            break;
        p = dot + 1;
    }
    p = dotted_path;
    while (cur) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        char *key = dk_xstrndup(p, n);

        cur = dk_json_child(cur, key);
        free(key);
        if (!dot)
            break;
        p = dot + 1;
    }
    return cur;
}

void dk_json_merge(cJSON *dst, const cJSON *src)
{
    const cJSON *s;

    if (!cJSON_IsObject(dst) || !cJSON_IsObject(src) || dst == src)
        return;
    cJSON_ArrayForEach(s, src)
    {
        cJSON *d;

        if (!s->string)
            continue;
        d = cJSON_GetObjectItemCaseSensitive(dst, s->string);
        if (cJSON_IsObject(d) && cJSON_IsObject(s))
            dk_json_merge(d, s);
        else
            dk_json_set(dst, s->string, need(cJSON_Duplicate(s, 1)));
    }
}

/* ---- printers */

/* Shortest decimal digits of x > 0 that read back to x, and the decimal exponent of the first
 * digit: x = 0.d1d2d3... * 10^(exp10 + 1). */
static void shortest_digits(double x, char *digits, int *exp10)
{
    char buf[48], *e;
    size_t n = 0;
    int p;

    for (p = 1; p <= 17; p++) {
        snprintf(buf, sizeof(buf), "%.*e", p - 1, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    e = strchr(buf, 'e');
    *exp10 = e ? atoi(e + 1) : 0;
    for (p = 0; buf + p != e && buf[p]; p++)
        if (is_digit(buf[p]))
            digits[n++] = buf[p];
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
}

int dk_json_format_number(double x, char *out)
{
    char d[24], *o = out;
    int e, dp, nd, i;
    double ax;

    if (!isfinite(x)) {
        strcpy(out, "null");
        return -1;
    }
    if (x == 0) {
        strcpy(out, signbit(x) ? "-0" : "0");
        return 0;
    }
    ax = fabs(x);
    if (x < 0)
        *o++ = '-';
    shortest_digits(ax, d, &e);
    nd = (int)strlen(d);
    if (ax < 1e-6 || ax >= 1e21) {
        *o++ = d[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, d + 1, (size_t)nd - 1);
            o += nd - 1;
        }
        /* Go prints e+21 and e-07, then trims the latter to e-7. */
        if (e < 0)
            snprintf(o, 14, "e-%d", -e);
        else
            snprintf(o, 14, "e+%02d", e);
        return 0;
    }
    dp = e + 1;
    if (dp <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (i = 0; i < -dp; i++)
            *o++ = '0';
        memcpy(o, d, (size_t)nd);
        o += nd;
    } else if (dp >= nd) {
        memcpy(o, d, (size_t)nd);
        o += nd;
        for (i = 0; i < dp - nd; i++)
            *o++ = '0';
    } else {
        memcpy(o, d, (size_t)dp);
        o += dp;
        *o++ = '.';
        memcpy(o, d + dp, (size_t)(nd - dp));
        o += nd - dp;
    }
    *o = '\0';
    return 0;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid (overlong forms,
 * surrogates and code points past U+10FFFF are invalid, as in Go). */
static size_t utf8_len(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        if (n < 2 || (s[1] & 0xc0) != 0x80)
            return 0;
        *cp = ((c & 0x1fu) << 6) | (s[1] & 0x3fu);
        return 2;
    }
    if (c >= 0xe0 && c <= 0xef) {
        unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;

        if (n < 3 || s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80)
            return 0;
        *cp = ((c & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu);
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;

        if (n < 4 || s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
            return 0;
        *cp = ((c & 0x07u) << 18) | ((s[1] & 0x3fu) << 12) | ((s[2] & 0x3fu) << 6) | (s[3] & 0x3fu);
        return 4;
    }
    return 0;
}

static int write_string(struct dk_buf *b, const char *str, int html)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    size_t n = strlen((const char *)s), i = 0, start = 0;
    int r = dk_buf_addch(b, '"');

    while (i < n && r == 0) {
        unsigned char c = s[i];
        const char *esc = NULL;
        char u[7];
        unsigned cp;
        size_t w;

        if (c < 0x80) {
            if (c >= 0x20 && c != '"' && c != '\\' &&
                !(html && (c == '<' || c == '>' || c == '&'))) {
                i++;
                continue;
            }
            switch (c) {
            case '"':
                esc = "\\\"";
                break;
            case '\\':
                esc = "\\\\";
                break;
            case '\b':
                esc = "\\b";
                break;
            case '\f':
                esc = "\\f";
                break;
            case '\n':
                esc = "\\n";
                break;
            case '\r':
                esc = "\\r";
                break;
            case '\t':
                esc = "\\t";
                break;
            default:
                snprintf(u, sizeof(u), "\\u00%c%c", hex[c >> 4], hex[c & 15]);
                esc = u;
            }
            w = 1;
        } else {
            w = utf8_len(s + i, n - i, &cp);
            if (w == 0) {
                esc = "\\ufffd";
                w = 1;
            } else if (cp == 0x2028) {
                esc = "\\u2028";
            } else if (cp == 0x2029) {
                esc = "\\u2029";
            } else {
                i += w;
                continue;
            }
        }
        r = dk_buf_addn(b, s + start, i - start);
        if (r == 0)
            r = dk_buf_add(b, esc);
        i += w;
        start = i;
    }
    if (r == 0)
        r = dk_buf_addn(b, s + start, i - start);
    if (r == 0)
        r = dk_buf_addch(b, '"');
    return r;
}

static int write_indent(struct dk_buf *b, int pretty, int depth)
{
    int r = 0;

    if (!pretty)
        return 0;
    r = dk_buf_addch(b, '\n');
    while (r == 0 && depth-- > 0)
        r = dk_buf_add(b, "  ");
    return r;
}

static int write_value(struct dk_buf *b, const cJSON *j, int pretty, int html, int depth)
{
    char num[DK_JSON_NUMBER_MAX];
    const cJSON *c;
    int r = 0, first = 1, obj;

    if (!j)
        return dk_buf_add(b, "null");
    switch (j->type & 0xff) {
    case cJSON_NULL:
        return dk_buf_add(b, "null");
    case cJSON_True:
        return dk_buf_add(b, "true");
    case cJSON_False:
        return dk_buf_add(b, "false");
    case cJSON_Number:
        if (dk_json_format_number(j->valuedouble, num) < 0)
            return -1;
        return dk_buf_add(b, num);
    case cJSON_String:
        return write_string(b, j->valuestring, html);
    case cJSON_Raw:
        return j->valuestring ? dk_buf_add(b, j->valuestring) : -1;
    case cJSON_Array:
    case cJSON_Object:
        break;
    default:
        return -1;
    }
    obj = cJSON_IsObject(j);
    r = dk_buf_addch(b, obj ? '{' : '[');
    for (c = j->child; c && r == 0; c = c->next) {
        if (!first)
            r = dk_buf_addch(b, ',');
        first = 0;
        if (r == 0)
            r = write_indent(b, pretty, depth + 1);
        if (r == 0 && obj) {
            r = write_string(b, c->string, html);
            if (r == 0)
                r = dk_buf_add(b, pretty ? ": " : ":");
        }
        if (r == 0)
            r = write_value(b, c, pretty, html, depth + 1);
    }
    if (r == 0 && !first)
        r = write_indent(b, pretty, depth);
    if (r == 0)
        r = dk_buf_addch(b, obj ? '}' : ']');
    return r;
}

int dk_json_write(const cJSON *j, int pretty, struct dk_buf *out)
{
    size_t len = out->len;

    if (write_value(out, j, pretty, 0, 0) < 0) {
        dk_buf_setlen(out, len);
        return -1;
    }
    return 0;
}

int dk_json_write_canonical(const cJSON *j, struct dk_buf *out)
{
    size_t len = out->len;

    if (write_value(out, j, 0, 1, 0) < 0) {
        dk_buf_setlen(out, len);
        return -1;
    }
    return 0;
}

char *dk_json_print(const cJSON *j, int pretty)
{
    struct dk_buf b = DK_BUF_INIT;

    if (dk_json_write(j, pretty, &b) < 0) {
        dk_buf_release(&b);
        return NULL;
    }
    return dk_buf_detach(&b, NULL);
}
