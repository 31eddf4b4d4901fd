/*
 * Helm's toToml (BurntSushi/toml's encoder output) and fromToml (a TOML 1.0 reader into
 * template values).
 *
 * toToml writes what the encoder writes: top-level keys sorted with plain values first, then
 * "[table]" and "[[array.of.tables]]" sections, each nested level indented by two spaces, a
 * blank line before every top-level table and every array-of-tables element; nil values are
 * left out; other arrays and maps inside arrays are inline ([1, 2], {a = 1}); floats as
 * strconv's shortest 'g' (1.234567e+06) with ".0" added to integral values. An error is returned as
 * the text, as Helm does.
 *
 * fromToml gives integers as ints, floats, bools, strings, lists and maps; date-times stay as
 * their text (an offset date-time in UTC prints as Go's time does: "1979-05-27 07:32:00 +0000
 * UTC"). A parse error is returned as {"Error": "toml: line N: ..."} (Helm's texts differ).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk/tmplfuncs.h"

#include "tmplfuncs_int.h"

/* ---- encoder ---- */

struct tenc {
    struct dk_buf *b;
    int written;
    const char *err;
};

static void tw(struct tenc *e, const char *s, size_t n)
{
    dk_buf_addn(e->b, s, n);
    e->written = 1;
}

static void tws(struct tenc *e, const char *s)
{
    tw(e, s, strlen(s));
}

static void tnl(struct tenc *e)
{
    if (e->written)
        dk_buf_addch(e->b, '\n');
}

static void tquote(struct tenc *e, const char *s, size_t n)
{
    size_t i;
    char tmp[8];

    tws(e, "\"");
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];

        switch (ch) {
        case '"':
            tws(e, "\\\"");
            break;
        case '\\':
            tws(e, "\\\\");
            break;
        case '\b':
            tws(e, "\\b");
            break;
        case '\t':
            tws(e, "\\t");
            break;
        case '\n':
            tws(e, "\\n");
            break;
        case '\f':
            tws(e, "\\f");
            break;
        case '\r':
            tws(e, "\\r");
            break;
        default:
            if (ch < 0x20 || ch == 0x7f) {
                snprintf(tmp, sizeof(tmp), "\\u%04x", ch);
                tws(e, tmp);
            } else {
                tw(e, s + i, 1);
            }
        }
    }
    tws(e, "\"");
}

static int bare_key(const char *k)
{
    if (!*k)
        return 0;
    for (; *k; k++)
        if (!isalnum((unsigned char)*k) && *k != '_' && *k != '-')
            return 0;
    return 1;
}

static void tkey(struct tenc *e, const char *k)
{
    if (bare_key(k))
        tws(e, k);
    else
        tquote(e, k, strlen(k));
}

/* strconv.FormatFloat(f, 'g', -1, 64). */
static void go_float_g(double f, char *out, size_t len)
{
    char buf[40], *ep, digits[24];
    int p, ex, nd = 0, i;

    for (p = 1; p <= 17; p++) {
        snprintf(buf, sizeof(buf), "%.*e", p - 1, f);
        if (strtod(buf, NULL) == f)
            break;
    }
    ep = strchr(buf, 'e');
    ex = atoi(ep + 1);
    for (i = 0; buf + i < ep; i++)
        if (isdigit((unsigned char)buf[i]))
            digits[nd++] = buf[i];
    digits[nd] = '\0';
    while (nd > 1 && digits[nd - 1] == '0')
        digits[--nd] = '\0';
    /* 'g' with the shortest precision uses %e for exponents below -4 or from 6 up, whatever
     * the number of digits */
    if (ex < -4 || ex >= 6) {
        snprintf(out, len, "%s%c%s%s%se%c%02d", f < 0 ? "-" : "", digits[0], nd > 1 ? "." : "",
                 nd > 1 ? digits + 1 : "", "", ex < 0 ? '-' : '+', ex < 0 ? -ex : ex);
        return;
    }
    snprintf(out, len, "%.*f", nd - 1 - ex > 0 ? nd - 1 - ex : 0, f);
}

static void tvalue(struct tenc *e, const struct dk_val *v);

static void tinline_map(struct tenc *e, const struct dk_val *m)
{
    size_t i;
    int first = 1;

    tws(e, "{");
    for (i = 0; i < m->u.map.n; i++) {
        if (m->u.map.v[i]->kind == DK_VAL_NIL)
            continue;
        if (!first)
            tws(e, ", ");
        first = 0;
        tkey(e, m->u.map.k[i]);
        tws(e, " = ");
        tvalue(e, m->u.map.v[i]);
    }
    tws(e, "}");
}

static void tvalue(struct tenc *e, const struct dk_val *v)
{
    char tmp[64];
    size_t i;

    switch (v->kind) {
    case DK_VAL_STR:
        tquote(e, v->u.str.s, v->u.str.len);
        break;
    case DK_VAL_INT:
        snprintf(tmp, sizeof(tmp), "%lld", (long long)v->u.i);
        tws(e, tmp);
        break;
    case DK_VAL_FLOAT:
        if (isnan(v->u.f)) {
            tws(e, signbit(v->u.f) ? "-nan" : "nan");
        } else if (isinf(v->u.f)) {
            tws(e, v->u.f < 0 ? "-inf" : "inf");
        } else {
            go_float_g(v->u.f, tmp, sizeof(tmp));
            tws(e, tmp);
            if (!strchr(tmp, '.') && !strchr(tmp, 'e'))
                tws(e, ".0");
        }
        break;
    case DK_VAL_BOOL:
        tws(e, v->u.b ? "true" : "false");
        break;
    case DK_VAL_LIST:
        for (i = 0; i < v->u.list.n; i++)
            if (v->u.list.v[i]->kind == DK_VAL_NIL && !e->err)
                e->err = "toml: cannot encode array with nil element";
        tws(e, "[");
        for (i = 0; i < v->u.list.n; i++) {
            if (i)
                tws(e, ", ");
            tvalue(e, v->u.list.v[i]);
        }
        tws(e, "]");
        break;
    case DK_VAL_MAP:
        tinline_map(e, v);
        break;
    default:
        if (!e->err)
            e->err = "toml: unsupported type";
        break;
    }
}

struct tkeypath {
    const char *k[64];
    int n;
};

static void tindent(struct tenc *e, const struct tkeypath *p)
{
    int i;

    for (i = 1; i < p->n; i++)
        tws(e, "  ");
}

static void theader(struct tenc *e, const struct tkeypath *p, int array)
{
    int i;

    tindent(e, p);
    tws(e, array ? "[[" : "[");
    for (i = 0; i < p->n; i++) {
        if (i)
            tws(e, ".");
        tkey(e, p->k[i]);
    }
    tws(e, array ? "]]" : "]");
    tnl(e);
}

static int is_table_array(const struct dk_val *v)
{
    size_t i;

    if (v->kind != DK_VAL_LIST || v->u.list.n == 0)
        return 0;
    for (i = 0; i < v->u.list.n; i++)
        if (v->u.list.v[i]->kind != DK_VAL_MAP)
            return 0;
    return 1;
}

static void tmap(struct tenc *e, struct tkeypath *p, const struct dk_val *m)
{
    size_t i, j;

    if (p->n >= 63) {
        e->err = "toml: nesting too deep";
        return;
    }
    for (i = 0; i < m->u.map.n; i++) {
        const struct dk_val *v = m->u.map.v[i];

        if (v->kind == DK_VAL_NIL || v->kind == DK_VAL_MAP || is_table_array(v))
            continue;
        p->k[p->n++] = m->u.map.k[i];
        tindent(e, p);
        tkey(e, m->u.map.k[i]);
        tws(e, " = ");
        tvalue(e, v);
        tnl(e);
        p->n--;
    }
    for (i = 0; i < m->u.map.n; i++) {
        const struct dk_val *v = m->u.map.v[i];

        p->k[p->n++] = m->u.map.k[i];
        if (v->kind == DK_VAL_MAP) {
            if (p->n == 1)
                tnl(e);
            theader(e, p, 0);
            tmap(e, p, v);
        } else if (is_table_array(v)) {
            for (j = 0; j < v->u.list.n; j++) {
                tnl(e);
                theader(e, p, 1);
                tmap(e, p, v->u.list.v[j]);
            }
        }
        p->n--;
    }
}

FN(f_toToml)
{
    struct dk_buf b = DK_BUF_INIT;
    struct tenc e = {&b, 0, NULL};
    struct tkeypath p = {{NULL}, 0};

    ARITY();
    (void)err;
    if (args[0]->kind == DK_VAL_MAP)
        tmap(&e, &p, args[0]);
    else if (args[0]->kind != DK_VAL_NIL)
        tvalue(&e, args[0]);
    if (e.err) {
        dk_buf_release(&b);
        *out = dk_val_str(e.err);
        return 0;
    }
    *out = dk_tmplfuncs_buf_val(&b);
    return 0;
}

/* ---- decoder ---- */

struct tdec {
    const char *s, *p, *end;
    int line;
    char table[256];   /* the current [table] */
    char lastkey[256]; /* the last key read, for messages */
    char err[400];
};

static int terr(struct tdec *d, const char *msg)
{
    int line = d->line;

    if (d->err[0])
        return -1;
    /* at the end of the text, Go counts the line of its last newline */
    if (d->p >= d->end && d->end > d->s && d->end[-1] == '\n' && line > 1)
        line--;
    if (d->lastkey[0])
        snprintf(d->err, sizeof(d->err), "toml: line %d (last key \"%s\"): %s", line, d->lastkey,
                 msg);
    else
        snprintf(d->err, sizeof(d->err), "toml: line %d: %s", line, msg);
    return -1;
}

/* Records "table.key.parts" as the last key. */
static void set_lastkey(struct tdec *d, const char *table, char **parts, int np)
{
    int i;
    size_t len;

    snprintf(d->lastkey, sizeof(d->lastkey), "%s", table);
    for (i = 0; i < np; i++) {
        len = strlen(d->lastkey);
        snprintf(d->lastkey + len, sizeof(d->lastkey) - len, "%s%s", len ? "." : "", parts[i]);
    }
}

static void skip_ws(struct tdec *d)
{
    while (d->p < d->end && (*d->p == ' ' || *d->p == '\t'))
        d->p++;
}

/* White space, comments and newlines. */
static void skip_all(struct tdec *d)
{
    for (;;) {
        skip_ws(d);
        if (d->p < d->end && *d->p == '#') {
            while (d->p < d->end && *d->p != '\n')
                d->p++;
        }
        if (d->p < d->end &&
            (*d->p == '\n' || (*d->p == '\r' && d->p + 1 < d->end && d->p[1] == '\n'))) {
            d->p += *d->p == '\r' ? 2 : 1;
            d->line++;
            continue;
        }
        return;
    }
}

static void utf8_put(struct dk_buf *b, uint32_t c)
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

/* A string at d->p (basic, literal, or their multi-line forms) into b. */
static int tstring(struct tdec *d, struct dk_buf *b)
{
    char q = *d->p;
    int multi = d->end - d->p >= 3 && d->p[1] == q && d->p[2] == q;

    d->p += multi ? 3 : 1;
    if (multi && d->p < d->end && *d->p == '\n')
        d->p++, d->line++;
    else if (multi && d->end - d->p >= 2 && d->p[0] == '\r' && d->p[1] == '\n')
        d->p += 2, d->line++;
    for (;;) {
        if (d->p >= d->end)
            return terr(d, "unterminated string");
        if (*d->p == q) {
            if (!multi) {
                d->p++;
                return 0;
            }
            if (d->end - d->p >= 3 && d->p[1] == q && d->p[2] == q) {
                /* up to two more quotes belong to the string */
                while (d->end - d->p > 3 && d->p[3] == q)
                    dk_buf_addch(b, q), d->p++;
                d->p += 3;
                return 0;
            }
            dk_buf_addch(b, q);
            d->p++;
            continue;
        }
        if (*d->p == '\n') {
            if (!multi)
                return terr(d, "newline in string");
            d->line++;
        }
        if (*d->p == '\\' && q == '"') {
            char ch;

            d->p++;
            if (d->p >= d->end)
                return terr(d, "unterminated string");
            ch = *d->p++;
            switch (ch) {
            case 'b':
                dk_buf_addch(b, '\b');
                break;
            case 't':
                dk_buf_addch(b, '\t');
                break;
            case 'n':
                dk_buf_addch(b, '\n');
                break;
            case 'f':
                dk_buf_addch(b, '\f');
                break;
            case 'r':
                dk_buf_addch(b, '\r');
                break;
            case '"':
            case '\\':
                dk_buf_addch(b, ch);
                break;
            case 'u':
            case 'U': {
                int k = ch == 'u' ? 4 : 8, i;
                uint32_t c = 0;

                for (i = 0; i < k; i++) {
                    if (d->p >= d->end || !isxdigit((unsigned char)*d->p))
                        return terr(d, "invalid unicode escape");
                    c = c * 16 + (uint32_t)(isdigit((unsigned char)*d->p)
                                                ? *d->p - '0'
                                                : tolower((unsigned char)*d->p) - 'a' + 10);
                    d->p++;
                }
                if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
                    return terr(d, "invalid unicode escape");
                utf8_put(b, c);
                break;
            }
            default:
                if (multi && (ch == '\n' || ch == ' ' || ch == '\t' || ch == '\r')) {
                    /* line-ending backslash: skip white space and newlines */
                    d->p--;
                    while (d->p < d->end &&
                           (*d->p == ' ' || *d->p == '\t' || *d->p == '\n' || *d->p == '\r')) {
                        if (*d->p == '\n')
                            d->line++;
                        d->p++;
                    }
                    break;
                }
                return terr(d, "invalid escape in string");
            }
            continue;
        }
        dk_buf_addch(b, *d->p++);
    }
}

static int tkey_part(struct tdec *d, struct dk_buf *b)
{
    skip_ws(d);
    if (d->p < d->end && (*d->p == '"' || *d->p == '\'')) {
        if (d->end - d->p >= 3 && d->p[1] == *d->p && d->p[2] == *d->p)
            return terr(d, "multi-line strings are not allowed as keys");
        return tstring(d, b);
    }
    while (d->p < d->end && (isalnum((unsigned char)*d->p) || *d->p == '_' || *d->p == '-'))
        dk_buf_addch(b, *d->p++);
    if (!b->len)
        return terr(d, "expected a key");
    return 0;
}

/* A dotted key into parts (caller frees each). */
static int tkeys(struct tdec *d, char **parts, int *np)
{
    *np = 0;
    for (;;) {
        struct dk_buf b = DK_BUF_INIT;
        size_t len;

        if (*np >= 32)
            return terr(d, "key has too many parts");
        if (tkey_part(d, &b) < 0) {
            dk_buf_release(&b);
            return -1;
        }
        dk_buf_addn(&b, "", 0);
        parts[(*np)++] = dk_buf_detach(&b, &len);
        skip_ws(d);
        if (d->p < d->end && *d->p == '.') {
            d->p++;
            continue;
        }
        return 0;
    }
}

static void free_parts(char **parts, int n)
{
    while (n > 0)
        free(parts[--n]);
}

static struct dk_val *tval(struct tdec *d, int depth);

/* Numbers, booleans, date-times. */
static struct dk_val *tscalar(struct tdec *d)
{
    const char *st = d->p;
    char *tok, *q, *w;
    size_t n;
    struct dk_val *v = NULL;

    while (d->p < d->end && !strchr(" \t\r\n,]}#", *d->p))
        d->p++;
    /* a date and a time separated by one space */
    if (d->p - st == 10 && st[4] == '-' && d->end - d->p > 1 && d->p[0] == ' ' &&
        isdigit((unsigned char)d->p[1])) {
        d->p++;
        while (d->p < d->end && !strchr(" \t\r\n,]}#", *d->p))
            d->p++;
    }
    n = (size_t)(d->p - st);
    if (n == 0) {
        terr(d, "expected a value");
        return NULL;
    }
    tok = dk_xstrndup(st, n);
    if (!strcmp(tok, "true") || !strcmp(tok, "false")) {
        v = dk_val_bool(tok[0] == 't');
    } else if (!strcmp(tok, "inf") || !strcmp(tok, "+inf") || !strcmp(tok, "-inf")) {
        v = dk_val_float(tok[0] == '-' ? -INFINITY : INFINITY);
    } else if (!strcmp(tok, "nan") || !strcmp(tok, "+nan") || !strcmp(tok, "-nan")) {
        v = dk_val_float(NAN);
    } else if (n >= 8 && (tok[2] == ':' || (n >= 10 && tok[4] == '-' && tok[7] == '-'))) {
        /* date-time: offset ones in UTC print as Go's time.Time does */
        if (n >= 20 && (tok[n - 1] == 'Z' || tok[n - 1] == 'z') &&
            (tok[10] == 'T' || tok[10] == 't' || tok[10] == ' ')) {
            char *s = dk_xasprintf("%.10s %.*s +0000 UTC", tok, (int)(n - 12), tok + 11);

            v = dk_val_str_owned(s, strlen(s));
        } else {
            v = dk_val_str(tok);
        }
    } else {
        int isfloat = 0, base = 10;
        const char *digits = tok;
        int neg = 0;

        /* drop underscores between digits */
        for (q = w = tok; *q; q++) {
            if (*q == '_') {
                if (q == tok || !isxdigit((unsigned char)q[-1]) || !isxdigit((unsigned char)q[1])) {
                    free(tok);
                    terr(d, "invalid number");
                    return NULL;
                }
                continue;
            }
            *w++ = *q;
        }
        *w = '\0';
        if (tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'o' || tok[1] == 'b')) {
            base = tok[1] == 'x' ? 16 : tok[1] == 'o' ? 8 : 2;
            digits = tok + 2;
        } else {
            isfloat = strpbrk(tok, ".eE") != NULL;
            if (*digits == '+' || *digits == '-')
                neg = *digits++ == '-';
        }
        if (!*digits || !isalnum((unsigned char)*digits)) {
            free(tok);
            terr(d, "invalid value");
            return NULL;
        }
        if (isfloat) {
            char *end;
            double f = strtod(tok, &end);

            if (*end || tok[strlen(tok) - 1] == '.' || strstr(tok, ".e") || strstr(tok, ".E") ||
                (digits[0] == '.')) {
                free(tok);
                terr(d, "invalid float");
                return NULL;
            }
            v = dk_val_float(f);
        } else {
            char *end;
            unsigned long long u;

            if (base == 10 && digits[0] == '0' && digits[1]) {
                free(tok);
                terr(d, "leading zeros are not allowed");
                return NULL;
            }
            u = strtoull(digits, &end, base);
            if (*end || u > (unsigned long long)INT64_MAX + (unsigned long long)neg) {
                free(tok);
                terr(d, "invalid integer");
                return NULL;
            }
            v = dk_val_int(neg ? (int64_t)(0 - u) : (int64_t)u);
        }
    }
    free(tok);
    return v;
}

/* Sets map[parts...] = v, making the intermediate tables (dotted keys). */
static int tset(struct tdec *d, struct dk_val *m, char **parts, int np, struct dk_val *v)
{
    int i;

    for (i = 0; i < np - 1; i++) {
        struct dk_val *sub = dk_val_map_get(m, parts[i]);

        if (!sub) {
            sub = dk_val_map();
            dk_val_map_set(m, parts[i], sub);
        } else if (sub->kind != DK_VAL_MAP) {
            dk_val_unref(v);
            return terr(d, "key is already defined as a value");
        }
        m = sub;
    }
    if (dk_val_map_get(m, parts[np - 1])) {
        char msg[300];

        dk_val_unref(v);
        snprintf(msg, sizeof(msg), "Key '%s' has already been defined.", d->lastkey);
        return terr(d, msg);
    }
    dk_val_map_set(m, parts[np - 1], v);
    return 0;
}

static struct dk_val *tval(struct tdec *d, int depth)
{
    struct dk_val *v;

    if (depth > 100) {
        terr(d, "nesting too deep");
        return NULL;
    }
    skip_ws(d);
    if (d->p >= d->end) {
        terr(d, "unexpected EOF; expected value");
        return NULL;
    }
    if (*d->p == '"' || *d->p == '\'') {
        struct dk_buf b = DK_BUF_INIT;

        if (tstring(d, &b) < 0) {
            dk_buf_release(&b);
            return NULL;
        }
        return dk_tmplfuncs_buf_val(&b);
    }
    if (*d->p == '[') {
        d->p++;
        v = dk_val_list();
        for (;;) {
            struct dk_val *item;

            skip_all(d);
            if (d->p < d->end && *d->p == ']') {
                d->p++;
                return v;
            }
            if (!(item = tval(d, depth + 1))) {
                dk_val_unref(v);
                return NULL;
            }
            dk_val_list_push(v, item);
            skip_all(d);
            if (d->p < d->end && *d->p == ',') {
                d->p++;
                continue;
            }
            if (d->p < d->end && *d->p == ']') {
                d->p++;
                return v;
            }
            dk_val_unref(v);
            terr(d, "expected ',' or ']' in array");
            return NULL;
        }
    }
    if (*d->p == '{') {
        d->p++;
        v = dk_val_map();
        skip_ws(d);
        if (d->p < d->end && *d->p == '}') {
            d->p++;
            return v;
        }
        for (;;) {
            char *parts[32];
            int np;
            struct dk_val *item;

            if (tkeys(d, parts, &np) < 0) {
                free_parts(parts, np);
                dk_val_unref(v);
                return NULL;
            }
            skip_ws(d);
            if (d->p >= d->end || *d->p != '=') {
                free_parts(parts, np);
                dk_val_unref(v);
                terr(d, "expected '=' after a key");
                return NULL;
            }
            d->p++;
            if (!(item = tval(d, depth + 1)) || tset(d, v, parts, np, item) < 0) {
                free_parts(parts, np);
                dk_val_unref(v);
                return NULL;
            }
            free_parts(parts, np);
            skip_ws(d);
            if (d->p < d->end && *d->p == ',') {
                d->p++;
                continue;
            }
            if (d->p < d->end && *d->p == '}') {
                d->p++;
                return v;
            }
            dk_val_unref(v);
            terr(d, "expected ',' or '}' in inline table");
            return NULL;
        }
    }
    return tscalar(d);
}

/* The table a [header] or [[header]] names, made as needed. */
static struct dk_val *theader_table(struct tdec *d, struct dk_val *root, char **parts, int np,
                                    int array)
{
    struct dk_val *m = root;
    int i;

    for (i = 0; i < np; i++) {
        struct dk_val *sub = dk_val_map_get(m, parts[i]);
        int last = i == np - 1;

        if (last && array) {
            struct dk_val *t = dk_val_map();

            if (!sub) {
                sub = dk_val_list();
                dk_val_map_set(m, parts[i], sub);
            } else if (sub->kind != DK_VAL_LIST) {
                dk_val_unref(t);
                terr(d, "key is already defined");
                return NULL;
            }
            dk_val_list_push(sub, t);
            return t;
        }
        if (!sub) {
            sub = dk_val_map();
            dk_val_map_set(m, parts[i], sub);
        } else if (sub->kind == DK_VAL_LIST && sub->u.list.n > 0 &&
                   sub->u.list.v[sub->u.list.n - 1]->kind == DK_VAL_MAP) {
            sub = sub->u.list.v[sub->u.list.n - 1];
        } else if (sub->kind != DK_VAL_MAP) {
            terr(d, "key is already defined as a value");
            return NULL;
        }
        m = sub;
    }
    return m;
}

static int tdoc(struct tdec *d, struct dk_val *root)
{
    struct dk_val *cur = root;

    for (;;) {
        char *parts[32];
        int np = 0;

        skip_all(d);
        if (d->p >= d->end)
            return 0;
        if (*d->p == '[') {
            int array = d->end - d->p > 1 && d->p[1] == '[';

            d->p += array ? 2 : 1;
            if (tkeys(d, parts, &np) < 0) {
                free_parts(parts, np);
                return -1;
            }
            skip_ws(d);
            if (d->p >= d->end || *d->p != ']' ||
                (array && (d->end - d->p < 2 || d->p[1] != ']'))) {
                free_parts(parts, np);
                return terr(d, "expected ']' after a table name");
            }
            d->p += array ? 2 : 1;
            set_lastkey(d, "", parts, np);
            snprintf(d->table, sizeof(d->table), "%s", d->lastkey);
            cur = theader_table(d, root, parts, np, array);
            free_parts(parts, np);
            if (!cur)
                return -1;
        } else {
            struct dk_val *v;

            if (tkeys(d, parts, &np) < 0) {
                free_parts(parts, np);
                return -1;
            }
            set_lastkey(d, d->table, parts, np);
            skip_ws(d);
            if (d->p >= d->end || *d->p != '=') {
                free_parts(parts, np);
                return terr(d, "expected '=' after a key");
            }
            d->p++;
            if (!(v = tval(d, 0)) || tset(d, cur, parts, np, v) < 0) {
                free_parts(parts, np);
                return -1;
            }
            free_parts(parts, np);
        }
        skip_ws(d);
        if (d->p < d->end && *d->p == '#')
            continue;
        if (d->p < d->end && *d->p != '\n' && *d->p != '\r')
            return terr(d, "expected a newline after a value");
    }
}

FN(f_fromToml)
{
    struct tdec d;
    struct dk_val *m;

    ARITY();
    STRARGS(0);
    memset(&d, 0, sizeof(d));
    d.s = d.p = S(0);
    d.end = S(0) + L(0);
    d.line = 1;
    m = dk_val_map();
    if (tdoc(&d, m) < 0) {
        dk_val_unref(m);
        m = dk_val_map();
        dk_val_map_set(m, "Error", dk_val_str(d.err));
    }
    *out = m;
    return 0;
}

static const struct fdef defs[] = {
    {"toToml", f_toToml, 1, 1},
    {"fromToml", f_fromToml, 1, 1},
};

void dk_tmplfuncs_register_toml(struct dk_tmpl *t)
{
    dk_tmplfuncs_add(t, defs, sizeof(defs) / sizeof(defs[0]));
}
