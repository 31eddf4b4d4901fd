#include "dk/yaml.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "dk/json.h"
#include "dk/log.h"

#define YAML_TAG_PREFIX "tag:yaml.org,2002:"

/* Alias expansion is refused once it has copied more than this many nodes and more than
 * ALIAS_RATIO times the nodes the document itself spells out (a "billion laughs" guard). */
#define ALIAS_MIN_NODES 100000
#define ALIAS_RATIO     10

static void *need(void *p)
{
    if (!p) {
        fprintf(stderr, "%s: fatal: out of memory\n", dk_log_prog());
        exit(1);
    }
    return p;
}

/* ---- small text helpers */

static int is_dig(int c)
{
    return c >= '0' && c <= '9';
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;

        return n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;

        return n >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80
                   ? 4
                   : 0;
    }
    return 0;
}

static int valid_utf8(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    while (i < n) {
        size_t w = utf8_len(s + i, n - i);

        if (!w)
            return 0;
        i += w;
    }
    return 1;
}

/* Shortest "%.*e" text of x > 0 that reads back (as a float when as_float), split into digits
 * and the decimal exponent of the first digit. */
static void shortest_digits(double x, int as_float, char *digits, int *exp10)
{
    char buf[48], *e;
    size_t n = 0;
    int p, maxp = as_float ? 9 : 17;

    for (p = 1; p <= maxp; p++) {
        snprintf(buf, sizeof(buf), "%.*e", p - 1, x);
        if (as_float ? strtof(buf, NULL) == (float)x : strtod(buf, NULL) == x)
            break;
    }
    e = strchr(buf, 'e');
    *exp10 = e ? atoi(e + 1) : 0;
    for (p = 0; buf + p != e && buf[p]; p++)
        if (is_dig(buf[p]))
            digits[n++] = buf[p];
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
}

/* Go's strconv.FormatFloat(x, 'g', -1, 64 or 32), with go-yaml's names for the specials. */
static void go_format_g(double x, int as_float, char *out, size_t size)
{
    char d[24];
    int e, nd, dp, i;
    size_t o = 0;

    if (isnan(x)) {
        snprintf(out, size, ".nan");
        return;
    }
    if (isinf(x)) {
        snprintf(out, size, x < 0 ? "-.inf" : ".inf");
        return;
    }
    if (as_float)
        x = (float)x;
    if (x == 0) {
        snprintf(out, size, signbit(x) ? "-0" : "0");
        return;
    }
    if (x < 0)
        out[o++] = '-';
    shortest_digits(fabs(x), as_float, d, &e);
    nd = (int)strlen(d);
    if (e < -4 || e >= 6) {
        out[o++] = d[0];
        if (nd > 1) {
            out[o++] = '.';
            for (i = 1; i < nd; i++)
                out[o++] = d[i];
        }
        snprintf(out + o, size - o, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
        return;
    }
    dp = e + 1;
    if (dp <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (i = 0; i < -dp; i++)
            out[o++] = '0';
        for (i = 0; i < nd; i++)
            out[o++] = d[i];
    } else {
        for (i = 0; i < nd || i < dp; i++) {
            if (i == dp)
                out[o++] = '.';
            out[o++] = i < nd ? d[i] : '0';
        }
    }
    out[o] = '\0';
}

/* ---- scalar resolution (go-yaml v2's resolve.go) */

enum skind { SK_NULL, SK_BOOL, SK_INT, SK_UINT, SK_FLOAT, SK_STR };

struct sval {
    enum skind kind;
    int b;
    long long i;
    unsigned long long u;
    double d;
    const char *s; /* SK_STR: the bytes (borrowed, or owned) */
    size_t n;
    char *owned; /* decoded !!binary */
};

static const char *skind_tag(enum skind k)
{
    switch (k) {
    case SK_NULL:
        return "!!null";
    case SK_BOOL:
        return "!!bool";
    case SK_INT:
    case SK_UINT:
        return "!!int";
    case SK_FLOAT:
        return "!!float";
    case SK_STR:
        break;
    }
    return "!!str";
}

/* Go's strconv.ParseUint(s, 0, 64) digits after sign handling: prefixes 0x 0o 0b, and a
 * leading 0 for octal. */
static int parse_base0(const char *s, unsigned long long *out)
{
    unsigned long long v = 0;
    int base = 10;

    if (!*s)
        return -1;
    if (s[0] == '0') {
        size_t l = strlen(s);
        char p = (char)(s[1] | 0x20);

        if (l >= 3 && p == 'b')
            base = 2, s += 2;
        else if (l >= 3 && p == 'o')
            base = 8, s += 2;
        else if (l >= 3 && p == 'x')
            base = 16, s += 2;
        else
            base = 8, s += 1;
    }
    for (; *s; s++) {
        int c = *s, dv;

        if (is_dig(c))
            dv = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
            dv = (c | 0x20) - 'a' + 10;
        else
            return -1;
        if (dv >= base)
            return -1;
        if (v > (ULLONG_MAX - (unsigned)dv) / (unsigned)base)
            return -1;
        v = v * (unsigned)base + (unsigned)dv;
    }
    *out = v;
    return 0;
}

static int parse_go_int(const char *s, long long *out)
{
    unsigned long long u;
    int neg = 0;

    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (parse_base0(s, &u) < 0)
        return -1;
    if (!neg && u > (unsigned long long)LLONG_MAX)
        return -1;
    if (neg && u > (unsigned long long)LLONG_MAX + 1)
        return -1;
    *out = neg ? (long long)(0 - u) : (long long)u;
    return 0;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static int yaml_style_float(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    if (*s == '.') {
        s++;
        if (!is_dig(*s))
            return 0;
        while (is_dig(*s))
            s++;
    } else {
        if (!is_dig(*s))
            return 0;
        while (is_dig(*s))
            s++;
        if (*s == '.') {
            s++;
            while (is_dig(*s))
                s++;
        }
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!is_dig(*s))
            return 0;
        while (is_dig(*s))
            s++;
    }
    return *s == '\0';
}

static int in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list))
            return 1;
    return 0;
}

/* How go-yaml v2 reads an untagged plain scalar. s is NUL-terminated, n its length. */
static void resolve_plain(const char *s, size_t n, struct sval *v)
{
    static const char *const yes[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                      "True", "TRUE", "on",  "On",  "ON",  NULL};
    static const char *const no[] = {"n",     "N",     "no",  "No",  "NO",  "false",
                                     "False", "FALSE", "off", "Off", "OFF", NULL};
    static const char *const nul[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const nan[] = {".nan", ".NaN", ".NAN", NULL};
    static const char *const pinf[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
    static const char *const ninf[] = {"-.inf", "-.Inf", "-.INF", NULL};
    unsigned char c = n ? (unsigned char)s[0] : 0;

    memset(v, 0, sizeof(*v));
    v->kind = SK_STR;
    v->s = s;
    v->n = n;
    if (n && !strchr("+-0123456789yYnNtTfFoO~.", c))
        return;
    if (strlen(s) != n)
        return;
    if (in_list(s, yes)) {
        v->kind = SK_BOOL;
        v->b = 1;
    } else if (in_list(s, no)) {
        v->kind = SK_BOOL;
    } else if (in_list(s, nul)) {
        v->kind = SK_NULL;
    } else if (in_list(s, nan)) {
        v->kind = SK_FLOAT;
        v->d = NAN;
    } else if (in_list(s, pinf)) {
        v->kind = SK_FLOAT;
        v->d = INFINITY;
    } else if (in_list(s, ninf)) {
        v->kind = SK_FLOAT;
        v->d = -INFINITY;
    } else if (c == '.') {
        if (yaml_style_float(s)) {
            v->kind = SK_FLOAT;
            v->d = strtod(s, NULL);
        }
    } else if (c == '+' || c == '-' || is_dig(c)) {
        char *plain = dk_xmalloc(n + 1), *p = plain;
        const char *q;

        for (q = s; *q; q++)
            if (*q != '_')
                *p++ = *q;
        *p = '\0';
        if (parse_go_int(plain, &v->i) == 0) {
            v->kind = SK_INT;
        } else if (plain[0] != '+' && plain[0] != '-' && parse_base0(plain, &v->u) == 0) {
            v->kind = SK_UINT;
        } else if (yaml_style_float(plain)) {
            errno = 0;
            v->d = strtod(plain, NULL);
            if (!(errno == ERANGE && isinf(v->d)))
                v->kind = SK_FLOAT;
        }
        free(plain);
    }
}

static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (is_dig(c))
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Standard base64 with padding; line breaks are skipped, as Go's decoder does. */
static int b64_decode(const char *s, size_t n, char **out, size_t *outlen)
{
    char *o = dk_xmalloc(n / 4 * 3 + 4);
    size_t k = 0, i;
    int q[4], nq = 0, pad = 0;

    for (i = 0; i < n; i++) {
        int c = (unsigned char)s[i];

        if (c == '\n' || c == '\r')
            continue;
        if (c == '=') {
            if (nq < 2)
                goto bad;
            pad++;
            q[nq++] = 0;
        } else {
            if (pad || b64val(c) < 0)
                goto bad;
            q[nq++] = b64val(c);
        }
        if (nq == 4) {
            o[k++] = (char)(q[0] << 2 | q[1] >> 4);
            if (pad < 2)
                o[k++] = (char)((q[1] & 15) << 4 | q[2] >> 2);
            if (pad < 1)
                o[k++] = (char)((q[2] & 3) << 6 | q[3]);
            nq = 0;
            if (pad)
                break;
        }
    }
    for (i++; i < n; i++)
        if (s[i] != '\n' && s[i] != '\r')
            goto bad;
    if (nq)
        goto bad;
    o[k] = '\0';
    *out = o;
    *outlen = k;
    return 0;
bad:
    free(o);
    return -1;
}

/* ---- loader */

struct anchor {
    char *name;
    cJSON *node; /* NULL while the anchored node is still being built */
    size_t nodes;
};

struct frame {
    cJSON *node; /* array or object being filled */
    int is_map;
    long anchor; /* index into anchors, -1 for none */
    /* mappings: the key waiting for its value */
    int have_key, key_merge;
    char *key;
    yaml_mark_t key_mark;
    /* mappings: expl[i] is set when member i was given explicitly (not by a merge) */
    unsigned char *expl;
    size_t nmembers, aexpl;
};

struct loader {
    yaml_parser_t parser;
    const char *name, *text;
    size_t len;
    struct dk_err *err;
    struct frame *stack;
    size_t depth, astack;
    struct anchor *anchors;
    size_t nanchors, aanchors;
    cJSON *graveyard; /* nodes that anchors may still point at; freed per document */
    cJSON *root, *docs;
    int single;
    int dups; /* a repeated key replaces the earlier value (Helm's Unmarshal) */
    yaml_mark_t doc_mark;
    size_t parsed_nodes, alias_nodes;
};

static int lerr(struct loader *L, yaml_mark_t m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int lerr(struct loader *L, yaml_mark_t m, const char *fmt, ...)
{
    char why[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    if (L->name)
        return dk_err_set(L->err, DK_E_INPUT, "invalid YAML in '%s' at line %zu column %zu: %s",
                          L->name, m.line + 1, m.column + 1, why);
    return dk_err_set(L->err, DK_E_INPUT, "invalid YAML at line %zu column %zu: %s", m.line + 1,
                      m.column + 1, why);
}

/* A short, printable excerpt of s for messages. */
static void excerpt(const char *s, size_t n, char *out, size_t size)
{
    size_t i, o = 0;

    for (i = 0; i < n && o + 8 < size; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
        else
            out[o++] = (char)c;
    }
    if (i < n && o + 4 <= size) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

static void bury(struct loader *L, cJSON *node)
{
    if (node)
        cJSON_AddItemToArray(L->graveyard, node);
}

static size_t count_nodes(const cJSON *j, size_t limit)
{
    const cJSON *c;
    size_t n = 1;

    for (c = j->child; c && n <= limit; c = c->next)
        n += count_nodes(c, limit);
    return n;
}

static long anchor_add(struct loader *L, const char *name)
{
    if (L->nanchors == L->aanchors) {
        L->aanchors = L->aanchors ? L->aanchors * 2 : 8;
        L->anchors = dk_xrealloc(L->anchors, L->aanchors * sizeof(*L->anchors));
    }
    L->anchors[L->nanchors].name = dk_xstrdup(name);
    L->anchors[L->nanchors].node = NULL;
    L->anchors[L->nanchors].nodes = 0;
    return (long)L->nanchors++;
}

static void anchor_done(struct loader *L, long idx, cJSON *node)
{
    if (idx < 0)
        return;
    L->anchors[idx].node = node;
    L->anchors[idx].nodes = count_nodes(node, (size_t)-1);
}

static int anchored(const struct loader *L, const cJSON *node)
{
    size_t i;

    for (i = 0; i < L->nanchors; i++)
        if (L->anchors[i].node == node)
            return 1;
    return 0;
}

static void anchors_reset(struct loader *L)
{
    size_t i;

    for (i = 0; i < L->nanchors; i++)
        free(L->anchors[i].name);
    L->nanchors = 0;
}

static cJSON *find_member(cJSON *obj, const char *key, size_t *idx)
{
    cJSON *c;
    size_t i = 0;

    for (c = obj->child; c; c = c->next, i++)
        if (c->string && !strcmp(c->string, key)) {
            *idx = i;
            return c;
        }
    return NULL;
}

/* Sets obj[key] = node: a new member goes last, an existing one is replaced where it stands
 * (the old node is buried, since an anchor may point at it). Returns the member's index. */
static size_t put_member(struct loader *L, struct frame *f, const char *key, cJSON *node)
{
    size_t idx = 0;
    cJSON *old = find_member(f->node, key, &idx);

    if (old) {
        /* node takes old's place in the list (cJSON's circular prev link included) */
        cJSON *obj = f->node;

        if (node->string && !(node->type & cJSON_StringIsConst))
            free(node->string);
        node->string = dk_xstrdup(key);
        node->type &= ~cJSON_StringIsConst;
        node->next = old->next;
        node->prev = old->prev == old ? node : old->prev;
        if (old == obj->child)
            obj->child = node;
        else
            old->prev->next = node;
        if (old->next)
            old->next->prev = node;
        else
            obj->child->prev = node;
        old->next = old->prev = NULL;
        bury(L, old);
        return idx;
    }
    if (!cJSON_AddItemToObject(f->node, key, node))
        need(NULL);
    idx = f->nmembers++;
    if (f->nmembers > f->aexpl) {
        f->aexpl = f->aexpl ? f->aexpl * 2 : 16;
        f->expl = dk_xrealloc(f->expl, f->aexpl);
    }
    f->expl[idx] = 0;
    return idx;
}

static int merge_map(struct loader *L, struct frame *f, cJSON *src)
{
    int copy = anchored(L, src);
    cJSON *s = src->child;

    while (s) {
        cJSON *next = s->next, *item;
        char *key = dk_xstrdup(s->string ? s->string : "");

        if (copy) {
            item = need(cJSON_Duplicate(s, 1));
        } else {
            item = s;
            cJSON_DetachItemViaPointer(src, s);
        }
        put_member(L, f, key, item);
        free(key);
        s = next;
    }
    return 0;
}

static int do_merge(struct loader *L, struct frame *f, cJSON *value)
{
    cJSON *c;

    if (cJSON_IsObject(value))
        return merge_map(L, f, value);
    if (cJSON_IsArray(value)) {
        cJSON_ArrayForEach(c, value) if (!cJSON_IsObject(c)) goto bad;
        /* Earlier maps take precedence: apply the last first. */
        for (c = value->child ? value->child->prev : NULL; c;
             c = c == value->child ? NULL : c->prev)
            merge_map(L, f, c);
        return 0;
    }
bad:
    return lerr(L, f->key_mark, "map merge requires map or sequence of maps as the value");
}

/* Hands a finished node to its parent: the document root, an array item, a map key (keys are
 * strings already: see key_text) or a map value. */
static int place(struct loader *L, cJSON *node)
{
    struct frame *f;

    if (L->depth == 0) {
        L->root = node;
        return 0;
    }
    f = &L->stack[L->depth - 1];
    if (!f->is_map) {
        cJSON_AddItemToArray(f->node, node);
        return 0;
    }
    if (f->key_merge) {
        int r = do_merge(L, f, node);

        bury(L, node);
        free(f->key);
        f->key = NULL;
        f->key_merge = 0;
        f->have_key = 0;
        return r;
    }
    {
        size_t idx = 0;
        cJSON *old = find_member(f->node, f->key, &idx);

        if (old && f->expl[idx] && !L->dups) {
            char ex[96];

            excerpt(f->key, strlen(f->key), ex, sizeof(ex));
            bury(L, node);
            free(f->key);
            f->key = NULL;
            f->have_key = 0;
            return lerr(L, f->key_mark, "duplicate key '%s'", ex);
        }
        idx = put_member(L, f, f->key, node);
        f->expl[idx] = 1;
        free(f->key);
        f->key = NULL;
        f->have_key = 0;
    }
    return 0;
}

/* The frame waiting for a key, or NULL when the next node is not a map key. */
static struct frame *key_frame(struct loader *L)
{
    struct frame *f;

    if (L->depth == 0)
        return NULL;
    f = &L->stack[L->depth - 1];
    return f->is_map && !f->have_key ? f : NULL;
}

static int set_key(struct loader *L, struct frame *f, const char *key, size_t n, int merge,
                   yaml_mark_t m)
{
    if (memchr(key, '\0', n))
        return lerr(L, m, "map key contains a NUL character");
    f->key = dk_xstrndup(key, n);
    f->have_key = 1;
    f->key_merge = merge;
    f->key_mark = m;
    return 0;
}

/* A map key made from a scalar, as sigs.k8s.io/yaml turns non-string keys into strings. */
static int key_from_sval(struct loader *L, struct frame *f, const struct sval *v, int merge,
                         yaml_mark_t m)
{
    char buf[64];

    switch (v->kind) {
    case SK_STR:
        return set_key(L, f, v->s, v->n, merge, m);
    case SK_BOOL:
        snprintf(buf, sizeof(buf), "%s", v->b ? "true" : "false");
        break;
    case SK_INT:
        snprintf(buf, sizeof(buf), "%lld", v->i);
        break;
    case SK_UINT:
        snprintf(buf, sizeof(buf), "%llu", v->u);
        break;
    case SK_FLOAT:
        go_format_g(v->d, 1, buf, sizeof(buf));
        break;
    case SK_NULL:
        return lerr(L, m, "unsupported map key: null");
    }
    return set_key(L, f, buf, strlen(buf), merge, m);
}

static int key_from_json(struct loader *L, struct frame *f, const cJSON *j, yaml_mark_t m)
{
    struct sval v;

    memset(&v, 0, sizeof(v));
    if (cJSON_IsString(j)) {
        v.kind = SK_STR;
        v.s = j->valuestring;
        v.n = strlen(j->valuestring);
    } else if (cJSON_IsBool(j)) {
        v.kind = SK_BOOL;
        v.b = cJSON_IsTrue(j);
    } else if (cJSON_IsNumber(j)) {
        double d = j->valuedouble;

        if (d == floor(d) && fabs(d) < 9e18) {
            v.kind = SK_INT;
            v.i = (long long)d;
        } else {
            v.kind = SK_FLOAT;
            v.d = d;
        }
    } else if (cJSON_IsNull(j)) {
        v.kind = SK_NULL;
    } else {
        return lerr(L, m, "unsupported map key: %s", cJSON_IsArray(j) ? "sequence" : "mapping");
    }
    return key_from_sval(L, f, &v, 0, m);
}

/* Resolves a scalar event's value to a typed value, honouring its tag. */
static int resolve_event(struct loader *L, const yaml_event_t *ev, struct sval *v)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    const char *t;
    struct sval r;
    char ex[96];

    memset(v, 0, sizeof(*v));
    v->kind = SK_STR;
    v->s = s;
    v->n = n;
    if (!tag) {
        if (ev->data.scalar.plain_implicit)
            resolve_plain(s, n, v);
        return 0;
    }
    if (strncmp(tag, YAML_TAG_PREFIX, strlen(YAML_TAG_PREFIX)) != 0)
        return 0; /* "!" or an application tag: the text as it is */
    t = tag + strlen(YAML_TAG_PREFIX);
    if (!strcmp(t, "null")) {
        v->kind = SK_NULL;
        return 0;
    }
    if (!strcmp(t, "binary")) {
        if (b64_decode(s, n, &v->owned, &v->n) < 0)
            return lerr(L, ev->start_mark, "!!binary value contains invalid base64 data");
        v->s = v->owned;
        return 0;
    }
    if (strcmp(t, "bool") && strcmp(t, "int") && strcmp(t, "float"))
        return 0; /* !!str, !!timestamp, !!merge, ...: a string */
    resolve_plain(s, n, &r);
    if (!strcmp(t, "bool") && r.kind == SK_BOOL)
        *v = r;
    else if (!strcmp(t, "int") && (r.kind == SK_INT || r.kind == SK_UINT))
        *v = r;
    else if (!strcmp(t, "float") && r.kind == SK_FLOAT)
        *v = r;
    else if (!strcmp(t, "float") && (r.kind == SK_INT || r.kind == SK_UINT)) {
        v->kind = SK_FLOAT;
        v->d = r.kind == SK_INT ? (double)r.i : (double)r.u;
    } else {
        excerpt(s, n, ex, sizeof(ex));
        return lerr(L, ev->start_mark, "cannot decode %s `%s` as a !!%s", skind_tag(r.kind), ex, t);
    }
    return 0;
}

static int json_from_sval(struct loader *L, const struct sval *v, yaml_mark_t m, cJSON **out)
{
    char ex[96];

    switch (v->kind) {
    case SK_NULL:
        *out = need(cJSON_CreateNull());
        return 0;
    case SK_BOOL:
        *out = need(cJSON_CreateBool(v->b));
        return 0;
    case SK_INT:
        *out = need(cJSON_CreateNumber((double)v->i));
        return 0;
    case SK_UINT:
        *out = need(cJSON_CreateNumber((double)v->u));
        return 0;
    case SK_FLOAT:
        if (!isfinite(v->d)) {
            go_format_g(v->d, 0, ex, sizeof(ex));
            return lerr(L, m, "%s cannot be represented in JSON", ex);
        }
        *out = need(cJSON_CreateNumber(v->d));
        return 0;
    case SK_STR:
        break;
    }
    if (memchr(v->s, '\0', v->n))
        return lerr(L, m, "string contains a NUL character");
    if (v->s[v->n] == '\0') {
        *out = need(cJSON_CreateString(v->s));
    } else {
        char *c = dk_xstrndup(v->s, v->n);

        *out = need(cJSON_CreateString(c));
        free(c);
    }
    return 0;
}

static int on_scalar(struct loader *L, const yaml_event_t *ev)
{
    const char *anchor = (const char *)ev->data.scalar.anchor;
    struct frame *kf = key_frame(L);
    struct sval v;
    cJSON *node = NULL;
    int r;

    L->parsed_nodes++;
    if (resolve_event(L, ev, &v) < 0)
        return -1;
    if (kf) {
        const char *tag = (const char *)ev->data.scalar.tag;
        int merge =
            ev->data.scalar.length == 2 && !memcmp(ev->data.scalar.value, "<<", 2) &&
            (ev->data.scalar.plain_implicit || (tag && !strcmp(tag, YAML_TAG_PREFIX "merge")));

        r = key_from_sval(L, kf, &v, merge, ev->start_mark);
        if (r == 0 && anchor) {
            /* An anchored key: aliases of it get its value (.inf stays the key's text). */
            if (v.kind == SK_FLOAT && !isfinite(v.d))
                node = need(cJSON_CreateString(kf->key));
            else
                r = json_from_sval(L, &v, ev->start_mark, &node);
            if (r == 0) {
                anchor_done(L, anchor_add(L, anchor), node);
                bury(L, node);
            }
        }
        free(v.owned);
        return r;
    }
    r = json_from_sval(L, &v, ev->start_mark, &node);
    free(v.owned);
    if (r < 0)
        return -1;
    if (anchor)
        anchor_done(L, anchor_add(L, anchor), node);
    return place(L, node);
}

static int on_alias(struct loader *L, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    struct frame *kf = key_frame(L);
    struct anchor *a = NULL;
    cJSON *copy;
    size_t i;

    for (i = L->nanchors; i-- > 0;)
        if (!strcmp(L->anchors[i].name, name)) {
            a = &L->anchors[i];
            break;
        }
    if (!a)
        return lerr(L, ev->start_mark, "unknown anchor '%s' referenced", name);
    if (!a->node)
        return lerr(L, ev->start_mark, "anchor '%s' value contains itself", name);
    if (kf)
        return key_from_json(L, kf, a->node, ev->start_mark);
    L->alias_nodes += a->nodes;
    if (L->alias_nodes > ALIAS_MIN_NODES && L->alias_nodes / ALIAS_RATIO > L->parsed_nodes)
        return lerr(L, ev->start_mark, "document contains excessive aliasing");
    copy = need(cJSON_Duplicate(a->node, 1));
    if (copy->string) {
        cJSON_free(copy->string);
        copy->string = NULL;
    }
    return place(L, copy);
}

static int on_start(struct loader *L, const yaml_event_t *ev, int is_map)
{
    const char *anchor =
        (const char *)(is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor);
    struct frame *f;

    L->parsed_nodes++;
    if (key_frame(L))
        return lerr(L, ev->start_mark, "unsupported map key: %s", is_map ? "mapping" : "sequence");
    if (L->depth >= DK_YAML_MAX_DEPTH)
        return lerr(L, ev->start_mark, "nesting deeper than %d levels", DK_YAML_MAX_DEPTH);
    if (L->depth == L->astack) {
        L->astack = L->astack ? L->astack * 2 : 16;
        L->stack = dk_xrealloc(L->stack, L->astack * sizeof(*L->stack));
    }
    f = &L->stack[L->depth++];
    memset(f, 0, sizeof(*f));
    f->node = need(is_map ? cJSON_CreateObject() : cJSON_CreateArray());
    f->is_map = is_map;
    f->anchor = anchor ? anchor_add(L, anchor) : -1;
    return 0;
}

static int on_end(struct loader *L)
{
    struct frame f = L->stack[--L->depth];

    free(f.key);
    free(f.expl);
    anchor_done(L, f.anchor, f.node);
    return place(L, f.node);
}

static void doc_end(struct loader *L)
{
    if (L->root && !cJSON_IsNull(L->root)) {
        cJSON_AddItemToArray(L->docs, L->root);
        L->root = NULL;
    }
    cJSON_Delete(L->root);
    L->root = NULL;
    anchors_reset(L);
    cJSON_Delete(L->graveyard);
    L->graveyard = need(cJSON_CreateArray());
}

static int parser_error(struct loader *L)
{
    yaml_parser_t *p = &L->parser;
    const char *problem = p->problem ? p->problem : "cannot parse";
    yaml_mark_t m = p->problem_mark;

    if (p->error == YAML_MEMORY_ERROR)
        need(NULL);
    if (p->error == YAML_READER_ERROR) {
        size_t i, off = p->problem_offset < L->len ? p->problem_offset : L->len;

        memset(&m, 0, sizeof(m));
        for (i = 0; i < off; i++) {
            unsigned char c = (unsigned char)L->text[i];

            if (c == '\n') {
                m.line++;
                m.column = 0;
            } else if ((c & 0xc0) != 0x80) {
                m.column++;
            }
        }
    }
    if (L->dups) {
        /* Helm mode: go-yaml's wording (its lines count from 0, except for scanner errors) */
        size_t line = 0;

        if (p->problem_mark.line != 0)
            line = p->problem_mark.line + (p->error == YAML_SCANNER_ERROR);
        else if (p->context_mark.line != 0)
            line = p->context_mark.line;
        if (line)
            return dk_err_set(L->err, DK_E_INPUT, "yaml: line %zu: %s", line, problem);
        return dk_err_set(L->err, DK_E_INPUT, "yaml: %s", problem);
    }
    if (p->context)
        return lerr(L, m, "%s (%s at line %zu column %zu)", problem, p->context,
                    p->context_mark.line + 1, p->context_mark.column + 1);
    return lerr(L, m, "%s", problem);
}

static int load(const char *text, size_t len, const char *name, int single, cJSON **out,
                struct dk_err *err)
{
    struct loader L;
    yaml_event_t ev;
    int r = 0, done = 0;
    size_t i;

    memset(&L, 0, sizeof(L));
    L.name = name;
    L.text = text;
    L.len = len;
    L.err = err;
    L.single = single & 1;
    L.dups = (single & 2) != 0;
    L.graveyard = need(cJSON_CreateArray());
    L.docs = need(cJSON_CreateArray());
    *out = NULL;
    if (!yaml_parser_initialize(&L.parser))
        need(NULL);
    yaml_parser_set_input_string(&L.parser, (const unsigned char *)(text ? text : ""),
                                 text ? len : 0);
    while (!done && r == 0) {
        if (!yaml_parser_parse(&L.parser, &ev)) {
            r = parser_error(&L);
            break;
        }
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            L.doc_mark = ev.start_mark;
            break;
        case YAML_DOCUMENT_END_EVENT:
            doc_end(&L);
            if (L.single && cJSON_GetArraySize(L.docs) > 1)
                r = lerr(&L, L.doc_mark, "expected a single document, found another one");
            break;
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_SCALAR_EVENT:
            r = on_scalar(&L, &ev);
            break;
        case YAML_ALIAS_EVENT:
            r = on_alias(&L, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
            r = on_start(&L, &ev, 0);
            break;
        case YAML_MAPPING_START_EVENT:
            r = on_start(&L, &ev, 1);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            r = on_end(&L);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    for (i = 0; i < L.depth; i++) {
        cJSON_Delete(L.stack[i].node);
        free(L.stack[i].key);
        free(L.stack[i].expl);
    }
    free(L.stack);
    anchors_reset(&L);
    free(L.anchors);
    cJSON_Delete(L.root);
    cJSON_Delete(L.graveyard);
    yaml_parser_delete(&L.parser);
    if (r < 0) {
        cJSON_Delete(L.docs);
        return -1;
    }
    *out = L.docs;
    return 0;
}

int dk_yaml_load_all(const char *text, size_t len, const char *name, cJSON **array_out,
                     struct dk_err *err)
{
    return load(text, len, name, 0, array_out, err);
}

static int load_one(const char *text, size_t len, const char *name, int flags, cJSON **out,
                    struct dk_err *err)
{
    cJSON *docs;

    *out = NULL;
    if (load(text, len, name, flags, &docs, err) < 0)
        return -1;
    if (docs->child)
        *out = cJSON_DetachItemFromArray(docs, 0);
    else
        *out = need(cJSON_CreateNull());
    cJSON_Delete(docs);
    return 0;
}

int dk_yaml_load(const char *text, size_t len, const char *name, cJSON **out, struct dk_err *err)
{
    return load_one(text, len, name, 1, out, err);
}

int dk_yaml_load_lenient(const char *text, size_t len, const char *name, cJSON **out,
                         struct dk_err *err)
{
    return load_one(text, len, name, 1 | 2, out, err);
}

/* ---- the head of a manifest, without building it ---- */

enum head_slot { HS_NONE, HS_ROOT, HS_API, HS_KIND, HS_META, HS_NAME, HS_NS, HS_ANN, HS_HOOK };

static int null_scalar(const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;

    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    return n == 0 || (n == 1 && v[0] == '~') ||
           (n == 4 && (!memcmp(v, "null", 4) || !memcmp(v, "Null", 4) || !memcmp(v, "NULL", 4)));
}

/*
 * The fast path of dk_yaml_scan_head(): a line-by-line reader of the block YAML that rendered
 * manifests are made of (maps, sequences, plain and single-line quoted scalars, empty flow
 * collections, literal and folded block scalars, comments). It answers 1 only for a document
 * it has read to the end without meeting anything outside that subset, and then the document
 * is valid YAML for libyaml too; for anything else (tabs, anchors, tags, flow collections,
 * multi-line plain or quoted scalars, comments after values, odd indentation, ...) it answers
 * 0 and libyaml reads the document, errors and all. It is several times faster than libyaml,
 * which matters for charts that ship megabytes of CRDs as templates.
 */
struct fast_level {
    size_t indent;
    int seq;
    enum head_slot slot;
    int same_indent_seq; /* a sequence that is the value of a key at the same indent */
};

/* Valid, printable (as libyaml checks) UTF-8 without tabs, CRs or other controls. */
static int fast_chars_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned c = s[i];
        unsigned cp, need;

        if (c == '\n' || (c >= 0x20 && c < 0x7f)) {
            i++;
            continue;
        }
        if (c < 0x80)
            return 0;
        if (c >= 0xc2 && c <= 0xdf)
            need = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            need = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            need = 3, cp = c & 0x07;
        else
            return 0;
        if (i + need >= n)
            return 0;
        for (i++; need; need--, i++) {
            if (i >= n || (s[i] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i] & 0x3f);
        }
        if (cp < 0xa0 || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfeff || cp == 0xfffe ||
            cp == 0xffff || cp > 0x10ffff || (cp < 0x800 && c >= 0xe0) ||
            (cp < 0x10000 && c >= 0xf0))
            return 0;
    }
    return 1;
}

static int fast_key_char(int c, int first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || (!first && (c == '.' || c == '/' || c == '-'));
}

/* Scans quoted text from p (after the opening quote, or the start of a continuation line) to
 * the end of the line: 0 for an escape YAML does not know; *close is set after the closing
 * quote, or to NULL when the scalar goes on on the next line. */
static int fast_qscan(const char *p, const char *e, char qc, const char **close, int *esc)
{
    static const char ok[] = "0abt nvfre\"/\\N_LP";
    const char *q;

    *close = NULL;
    for (q = p; q < e; q++) {
        if (*q == qc) {
            if (qc == '\'' && q + 1 < e && q[1] == '\'') {
                *esc = 1;
                q++;
                continue;
            }
            *close = q + 1;
            return 1;
        }
        if (qc != '"' || *q != '\\')
            continue;
        *esc = 1;
        if (q + 1 >= e)
            return 1; /* an escaped line break */
        if (q[1] == 'x' || q[1] == 'u' || q[1] == 'U') {
            int k, want = q[1] == 'x' ? 2 : q[1] == 'u' ? 4 : 8;

            for (k = 0; k < want; k++)
                if (q + 2 + k >= e || !isxdigit((unsigned char)q[2 + k]))
                    return 0;
            q += 1 + want;
        } else if (!strchr(ok, q[1])) {
            return 0;
        } else {
            q++;
        }
    }
    return 1;
}

/* After a value: spaces, then nothing or a comment. */
static int fast_rest_ok(const char *q, const char *e)
{
    while (q < e && *q == ' ')
        q++;
    return q == e || (*q == '#' && q[-1] == ' ');
}

/* A one-line flow sequence of simple scalars: [], ["a", 'b', c-1]. */
static const char *fast_flow_seq(const char *p, const char *e)
{
    const char *q = p + 1;
    int esc = 0, items = 0;

    for (;;) {
        while (q < e && *q == ' ')
            q++;
        if (q < e && *q == ']' && !items)
            return q + 1;
        if (q >= e)
            return NULL;
        if (*q == '"' || *q == '\'') {
            const char *close;

            q = fast_qscan(q + 1, e, *q, &close, &esc) ? close : NULL;
        } else if (fast_key_char((unsigned char)*q, 1)) {
            while (q < e && (fast_key_char((unsigned char)*q, 0) || *q == '=' || *q == '+'))
                q++;
        } else {
            return NULL;
        }
        if (!q)
            return NULL;
        items++;
        while (q < e && *q == ' ')
            q++;
        if (q < e && *q == ']')
            return q + 1;
        if (q >= e || *q != ',')
            return NULL;
        q++;
    }
}

/* A scalar value from p to e (the end of the line). Returns 1 when it is in the subset;
 * *val and *vlen get the value for capture (NULL for a null), *esc is set for a value that is
 * not its own text (escapes, a flow collection), which is not captured; *kind is 'p' for a
 * plain scalar that may go on on the next lines, 'b' for | and >, the quote character for a
 * quoted scalar that does go on, 0 otherwise. */
static int fast_value(const char *p, const char *e, const char **val, size_t *vlen, int *esc,
                      int *kind)
{
    const char *q;

    *val = NULL;
    *vlen = 0;
    *esc = 0;
    *kind = 0;
    while (e > p && e[-1] == ' ')
        e--;
    if (p == e)
        return 1;
    switch (*p) {
    case '"':
    case '\'':
        if (!fast_qscan(p + 1, e, *p, &q, esc))
            return 0;
        if (!q) {
            *kind = *p; /* goes on on the next lines */
            return 1;
        }
        if (!fast_rest_ok(q, e))
            return 0;
        *val = p + 1;
        *vlen = (size_t)(q - p - 2);
        return 1;
    case '|':
    case '>':
        q = p + 1;
        if (q < e && (*q == '-' || *q == '+'))
            q++;
        if (q != e)
            return 0;
        *kind = 'b';
        return 1;
    case '[':
        q = fast_flow_seq(p, e);
        *esc = 1; /* not a string: never captured */
        return q && fast_rest_ok(q, e);
    case '{':
        *esc = 1;
        return e - p >= 2 && p[1] == '}' && fast_rest_ok(p + 2, e);
    case ':':
        /* a plain scalar may start with ':' followed by a character that is not a space */
        if (e - p < 2 || !(isalnum((unsigned char)p[1]) || p[1] == '/' || p[1] == '.'))
            return 0;
        break;
    case '&':
    case '*':
    case '!':
    case '%':
    case '@':
    case '`':
    case ',':
    case '?':
    case '#':
    case ']':
    case '}':
        return 0;
    case '-':
        if (e - p == 1 || p[1] == ' ')
            return 0;
        break;
    default:
        break;
    }
    /* a plain scalar: no ": ", ends at " #" (a comment, after which it cannot go on on the
     * next lines), not ending in ':' */
    *kind = 'p';
    for (q = p; q < e; q++) {
        if (*q == ':' && (q + 1 == e || q[1] == ' '))
            return 0;
        if (*q == '#' && q[-1] == ' ') {
            e = q;
            while (e > p && e[-1] == ' ')
                e--;
            *kind = 0;
            break;
        }
    }
    if ((e - p == 1 && *p == '~') ||
        (e - p == 4 && (!memcmp(p, "null", 4) || !memcmp(p, "Null", 4) || !memcmp(p, "NULL", 4))))
        return 1;
    *val = p;
    *vlen = (size_t)(e - p);
    return 1;
}

/* A line that goes on a plain scalar of the lines before: plain text, nothing YAML would read
 * as a key, a comment or an indicator. */
static int fast_plain_more(const char *c, const char *e)
{
    const char *q;

    /* (quotes are text here: only a scalar's first character makes it quoted) */
    if (strchr("#-?:[]{},&*!|>%@`", *c))
        return 0;
    for (q = c; q < e; q++)
        if ((*q == ':' && (q + 1 == e || q[1] == ' ')) || (*q == '#' && q[-1] == ' '))
            return 0;
    return 1;
}

/* A plain scalar YAML 1.1 would read as something other than a string (a bool, a number). */
static int fast_not_string(const char *v, size_t n)
{
    static const char *const words[] = {"y",     "Y",     "yes",  "Yes",  "YES",  "n",    "N",
                                        "no",    "No",    "NO",   "true", "True", "TRUE", "false",
                                        "False", "FALSE", "on",   "On",   "ON",   "off",  "Off",
                                        "OFF",   ".inf",  ".Inf", ".INF", ".nan", ".NaN", ".NAN"};
    size_t i;

    if (n && ((*v >= '0' && *v <= '9') || *v == '+' || *v == '-' || *v == '.'))
        return 1;
    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strlen(words[i]) == n && !memcmp(words[i], v, n))
            return 1;
    return 0;
}

static int fast_capture(struct dk_yaml_head *h, enum head_slot slot, const char *v, size_t n,
                        int esc, int plain)
{
    char **to;

    switch (slot) {
    case HS_API:
        to = &h->api_version;
        break;
    case HS_KIND:
        to = &h->kind;
        break;
    case HS_NAME:
        to = &h->name;
        break;
    case HS_NS:
        to = &h->namespace;
        break;
    case HS_HOOK:
        to = &h->hook;
        break;
    default:
        return 1;
    }
    if (esc || (v && plain && fast_not_string(v, n)))
        return 0;
    free(*to);
    *to = v ? dk_xstrndup(v, n) : slot == HS_HOOK ? dk_xstrdup("") : NULL;
    return 1;
}

/* Whether a line starts with a map key ("name:", "'quoted key':"). */
static int fast_is_key(const char *c, const char *e)
{
    const char *k = c;

    if (*k == '"' || *k == '\'') {
        char q = *k++;

        while (k < e && *k != q)
            k++;
        if (k >= e)
            return 0;
        k++;
    } else {
        while (k < e && fast_key_char((unsigned char)*k, k == c))
            k++;
    }
    return k > c && k < e && *k == ':' && (k + 1 == e || k[1] == ' ');
}

int dk_yaml_scan_head_fast(const char *text, size_t len, struct dk_yaml_head *h)
{
    struct fast_level st[64];
    size_t depth = 0, bs_parent = 0, bs_indent = 0, pend_indent = 0, cont_indent = 0;
    int in_block = 0, pending = 0, pend_key = 0, root_done = 0;
    int cont = 0;      /* a plain scalar that may go on on deeper lines */
    char in_quote = 0; /* a quoted scalar going on on the next lines */
    size_t q_parent = 0;
    enum head_slot pend_slot = HS_NONE;
    const char *p = text, *end = text + len;

    memset(h, 0, sizeof(*h));
    if (!fast_chars_ok((const unsigned char *)text, len))
        return 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p)), *c = p, *e, *ls = p;
        size_t ind;

        if (!eol)
            eol = end;
        e = eol;
        while (c < e && *c == ' ')
            c++;
        ind = (size_t)(c - p);
        p = eol < end ? eol + 1 : end;
        if (in_quote) {
            const char *close;
            int esc = 0;

            if (c == e)
                continue;
            if (ind <= q_parent || !fast_qscan(c, e, in_quote, &close, &esc))
                goto unsure;
            if (close) {
                if (!fast_rest_ok(close, e))
                    goto unsure;
                in_quote = 0;
            }
            continue;
        }
        if (in_block) {
            if (c == e) {
                if (!bs_indent && ind)
                    goto unsure;
                continue;
            }
            if (ind > bs_parent) {
                if (!bs_indent)
                    bs_indent = ind;
                else if (ind < bs_indent)
                    goto unsure;
                continue;
            }
            in_block = 0;
        }
        if (c == e)
            continue;
        if (cont && ind > cont_indent) {
            /* more of a plain scalar; its value is not one of those captured */
            if (cont == 2 || !fast_plain_more(c, e))
                goto unsure;
            continue;
        }
        cont = 0;
        if (*c == '#')
            continue;
        if (ind == 0 && e - c >= 3 && (!strncmp(c, "---", 3) || !strncmp(c, "...", 3)))
            goto unsure;
        if (*c == '%' && ind == 0)
            goto unsure;
        if (pending) {
            int dash = *c == '-' && (c + 1 == e || c[1] == ' ');

            pending = 0;
            if (ind > pend_indent && pend_key && !dash && !fast_is_key(c, e)) {
                /* the value on the next line: "key:\n  value" */
                const char *v;
                size_t vl;
                int esc, kind;

                if (pend_slot != HS_NONE || *c == '#' || !fast_value(c, e, &v, &vl, &esc, &kind) ||
                    kind == 'b')
                    goto unsure;
                if (kind == 'p') {
                    cont = 1;
                    cont_indent = pend_indent;
                } else if (kind) {
                    in_quote = (char)kind;
                    q_parent = pend_indent;
                }
                continue;
            }
            if (ind > pend_indent || (ind == pend_indent && pend_key && dash)) {
                if (depth == 64)
                    goto unsure;
                st[depth].indent = ind;
                st[depth].seq = dash;
                st[depth].slot = dash ? HS_NONE : pend_slot;
                st[depth].same_indent_seq = ind == pend_indent;
                depth++;
            } else if (!fast_capture(h, pend_slot, NULL, 0, 0, 1)) {
                goto unsure;
            }
        }
        while (depth && ind < st[depth - 1].indent)
            depth--;
        if (depth && st[depth - 1].seq && st[depth - 1].same_indent_seq &&
            ind == st[depth - 1].indent && !(*c == '-' && (c + 1 == e || c[1] == ' ')))
            depth--;
        if (!depth) {
            if (root_done || *c == '-' || *c == '[' || *c == '{')
                goto unsure;
            st[0].indent = ind;
            st[0].seq = 0;
            st[0].slot = HS_ROOT;
            st[0].same_indent_seq = 0;
            depth = 1;
            root_done = 1;
            h->root = DK_YAML_HEAD_MAP;
        }
        if (ind != st[depth - 1].indent)
            goto unsure;
        /* "- " items: the rest of the line is a scalar, a key, or nothing */
        if (st[depth - 1].seq) {
            if (*c != '-' || (c + 1 < e && c[1] != ' '))
                goto unsure;
            c++;
            while (c < e && *c == ' ')
                c++;
            if (c == e) {
                pending = 1;
                pend_key = 0;
                pend_indent = ind;
                pend_slot = HS_NONE;
                continue;
            }
            if ((*c == '-' && (c + 1 == e || c[1] == ' ')) || *c == '#')
                goto unsure;
            {
                const char *k = c;

                while (k < e && fast_key_char((unsigned char)*k, k == c))
                    k++;
                if (k == c || k == e || *k != ':' || (k + 1 < e && k[1] != ' ')) {
                    const char *v;
                    size_t vl;
                    int esc, kind;

                    if (!fast_value(c, e, &v, &vl, &esc, &kind))
                        goto unsure;
                    if (kind == 'b') {
                        in_block = 1;
                        bs_parent = ind;
                        bs_indent = 0;
                    } else if (kind == 'p') {
                        cont = 1;
                        cont_indent = ind;
                    } else if (kind) {
                        in_quote = (char)kind;
                        q_parent = ind;
                    }
                    continue;
                }
            }
            /* "- key: ..." opens a map at the key's column */
            if (depth == 64)
                goto unsure;
            st[depth].indent = (size_t)(c - ls); /* the column of the key */
            st[depth].seq = 0;
            st[depth].slot = HS_NONE;
            st[depth].same_indent_seq = 0;
            depth++;
            ind = st[depth - 1].indent;
        }
        /* a map entry: KEY: [VALUE] */
        {
            const char *k = c, *ks = c, *ke, *v;
            size_t vl;
            int esc, kind;
            enum head_slot at = st[depth - 1].slot, slot = HS_NONE;

            if (*k == '"' || *k == '\'') {
                char qc = *k++;

                ks = k;
                while (k < e && *k != qc && *k != '\\')
                    k++;
                if (k >= e || *k != qc)
                    goto unsure;
                ke = k++;
            } else {
                while (k < e && fast_key_char((unsigned char)*k, k == c))
                    k++;
                ke = k;
            }
            if (ke == ks || k >= e || *k != ':' || (k + 1 < e && k[1] != ' ') || ke - ks > 1000)
                goto unsure;
#define KEY_IS(lit) ((size_t)(ke - ks) == sizeof(lit) - 1 && !memcmp(ks, lit, sizeof(lit) - 1))
            if (at == HS_ROOT)
                slot = KEY_IS("apiVersion") ? HS_API
                       : KEY_IS("kind")     ? HS_KIND
                       : KEY_IS("metadata") ? HS_META
                                            : HS_NONE;
            else if (at == HS_META)
                slot = KEY_IS("name")          ? HS_NAME
                       : KEY_IS("namespace")   ? HS_NS
                       : KEY_IS("annotations") ? HS_ANN
                                               : HS_NONE;
            else if (at == HS_ANN && KEY_IS("helm.sh/hook"))
                slot = HS_HOOK;
#undef KEY_IS
            k++;
            while (k < e && *k == ' ')
                k++;
            if (k == e || *k == '#') {
                pending = 1;
                pend_key = 1;
                pend_indent = ind;
                pend_slot = slot;
                continue;
            }
            if (!fast_value(k, e, &v, &vl, &esc, &kind))
                goto unsure;
            if (kind == 'b') {
                if (slot != HS_NONE)
                    goto unsure;
                in_block = 1;
                bs_parent = ind;
                bs_indent = 0;
                continue;
            }
            if (kind == 'p') {
                cont = slot == HS_NONE ? 1 : 2; /* 2: a captured value must not go on */
                cont_indent = ind;
            } else if (kind) {
                if (slot != HS_NONE)
                    goto unsure;
                in_quote = (char)kind;
                q_parent = ind;
                continue;
            }
            if (slot == HS_META || slot == HS_ANN) {
                if (v || !esc)
                    goto unsure; /* metadata: "x" or [] */
                continue;
            }
            if (!fast_capture(h, slot, v, vl, esc, *k != '"' && *k != '\''))
                goto unsure;
        }
    }
    if (in_quote || (pending && !fast_capture(h, pend_slot, NULL, 0, 0, 1)))
        goto unsure;
    return 1;
unsure:
    dk_yaml_head_release(h);
    return 0;
}

int dk_yaml_scan_head(const char *text, size_t len, struct dk_yaml_head *h, struct dk_err *err)
{
    if (dk_yaml_scan_head_fast(text, len, h))
        return 0;
    struct loader L;
    yaml_event_t ev;
    /* per nesting level: the slot its values go to, and whether a key is awaited */
    enum head_slot slot[8];
    int want_key[8], is_map[8];
    enum head_slot pending = HS_NONE; /* the slot of the value that follows the last key */
    int depth = 0, r = 0, done = 0, docs = 0;

    memset(h, 0, sizeof(*h));
    memset(&L, 0, sizeof(L));
    L.text = text;
    L.len = len;
    L.err = err;
    L.dups = 1;
    if (!yaml_parser_initialize(&L.parser))
        need(NULL);
    yaml_parser_set_input_string(&L.parser, (const unsigned char *)(text ? text : ""), len);
    while (!done) {
        int level = depth < 8 ? depth : 7;

        if (!yaml_parser_parse(&L.parser, &ev)) {
            r = parser_error(&L);
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            /* go-yaml's Unmarshal reads the first document only */
            if (docs++)
                done = 1;
            break;
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT: {
            int map = ev.type == YAML_MAPPING_START_EVENT;
            enum head_slot into = HS_NONE;

            if (depth == 0) {
                h->root = map ? DK_YAML_HEAD_MAP : DK_YAML_HEAD_SEQ;
                into = map ? HS_ROOT : HS_NONE;
            } else if (map && (pending == HS_META || pending == HS_ANN)) {
                into = pending;
            }
            if (depth > 0 && is_map[level])
                want_key[level] = 1;
            depth++;
            level = depth < 8 ? depth : 7;
            slot[level] = into;
            want_key[level] = map;
            is_map[level] = map;
            pending = HS_NONE;
            break;
        }
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            depth--;
            pending = HS_NONE;
            break;
        case YAML_SCALAR_EVENT:
        case YAML_ALIAS_EVENT:
            if (depth == 0) {
                if (ev.type == YAML_SCALAR_EVENT && !null_scalar(&ev))
                    h->root = DK_YAML_HEAD_SCALAR;
                break;
            }
            if (is_map[level] && want_key[level]) {
                const char *k =
                    ev.type == YAML_SCALAR_EVENT ? (const char *)ev.data.scalar.value : "";
                enum head_slot at = slot[level];

                pending = HS_NONE;
                if (at == HS_ROOT) {
                    if (!strcmp(k, "apiVersion"))
                        pending = HS_API;
                    else if (!strcmp(k, "kind"))
                        pending = HS_KIND;
                    else if (!strcmp(k, "metadata"))
                        pending = HS_META;
                } else if (at == HS_META) {
                    if (!strcmp(k, "name"))
                        pending = HS_NAME;
                    else if (!strcmp(k, "namespace"))
                        pending = HS_NS;
                    else if (!strcmp(k, "annotations"))
                        pending = HS_ANN;
                } else if (at == HS_ANN && !strcmp(k, "helm.sh/hook")) {
                    pending = HS_HOOK;
                }
                want_key[level] = 0;
                break;
            }
            if (is_map[level])
                want_key[level] = 1;
            if (ev.type == YAML_SCALAR_EVENT && pending != HS_NONE && pending != HS_META &&
                pending != HS_ANN) {
                char **to = pending == HS_API    ? &h->api_version
                            : pending == HS_KIND ? &h->kind
                            : pending == HS_NAME ? &h->name
                            : pending == HS_NS   ? &h->namespace
                                                 : &h->hook;

                free(*to);
                /* a null is no value, but a hook annotation that is there is there */
                *to = null_scalar(&ev)
                          ? (pending == HS_HOOK ? dk_xstrdup("") : NULL)
                          : dk_xstrndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
            }
            pending = HS_NONE;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    if (done)
        yaml_event_delete(&ev);
    yaml_parser_delete(&L.parser);
    if (r < 0)
        dk_yaml_head_release(h);
    return r < 0 ? -1 : 0;
}

void dk_yaml_head_release(struct dk_yaml_head *h)
{
    free(h->api_version);
    free(h->kind);
    free(h->name);
    free(h->namespace);
    free(h->hook);
    memset(h, 0, sizeof(*h));
}

/* ---- dumper: go-yaml v2's emitter (emitterc.go) for the events its encoder produces */

enum style { ST_PLAIN, ST_SINGLE, ST_DOUBLE, ST_LITERAL };

#define BEST_INDENT 2
#define BEST_WIDTH  80

struct emitter {
    struct dk_buf *out;
    int column, indent, whitespace, indention, failed;
};

struct analysis {
    int multiline, block_plain, single_ok, block_ok;
};

static void put(struct emitter *e, char c)
{
    if (dk_buf_addch(e->out, c) < 0)
        e->failed |= 1;
    e->column++;
}

static void put_break(struct emitter *e)
{
    if (dk_buf_addch(e->out, '\n') < 0)
        e->failed |= 1;
    e->column = 0;
}

static size_t width(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if ((c & 0xe0) == 0xc0)
        return 2;
    if ((c & 0xf0) == 0xe0)
        return 3;
    if ((c & 0xf8) == 0xf0)
        return 4;
    return 1;
}

/* Copies one character at s[*i]. */
static void write_ch(struct emitter *e, const char *s, size_t n, size_t *i)
{
    size_t w = width((unsigned char)s[*i]);

    if (*i + w > n)
        w = n - *i;
    if (dk_buf_addn(e->out, s + *i, w) < 0)
        e->failed |= 1;
    *i += w;
    e->column++;
}

static void write_indent(struct emitter *e)
{
    int indent = e->indent < 0 ? 0 : e->indent;

    if (!e->indention || e->column > indent || (e->column == indent && !e->whitespace))
        put_break(e);
    while (e->column < indent)
        put(e, ' ');
    e->whitespace = 1;
    e->indention = 1;
}

static void write_indicator(struct emitter *e, const char *ind, int need_ws, int is_ws,
                            int is_indention)
{
    if (need_ws && !e->whitespace)
        put(e, ' ');
    while (*ind)
        put(e, *ind++);
    e->whitespace = is_ws;
    e->indention = e->indention && is_indention;
}

static void increase_indent(struct emitter *e, int flow, int indentless)
{
    if (e->indent < 0)
        e->indent = flow ? BEST_INDENT : 0;
    else if (!indentless)
        e->indent += BEST_INDENT;
}

static int is_brk(const unsigned char *s, size_t i, size_t n)
{
    if (s[i] == '\n' || s[i] == '\r')
        return 1;
    if (s[i] == 0xc2 && i + 1 < n && s[i + 1] == 0x85)
        return 1;
    if (s[i] == 0xe2 && i + 2 < n && s[i + 1] == 0x80 && (s[i + 2] == 0xa8 || s[i + 2] == 0xa9))
        return 1;
    return 0;
}

static int is_printable(const unsigned char *s, size_t i, size_t n)
{
    unsigned char c = s[i], c1 = i + 1 < n ? s[i + 1] : 0, c2 = i + 2 < n ? s[i + 2] : 0;

    return c == 0x0a || (c >= 0x20 && c <= 0x7e) || (c == 0xc2 && c1 >= 0xa0) ||
           (c > 0xc2 && c < 0xed) || (c == 0xed && c1 < 0xa0) || c == 0xee ||
           (c == 0xef && !(c1 == 0xbb && c2 == 0xbf) &&
            !(c1 == 0xbf && (c2 == 0xbe || c2 == 0xbf)));
}

static void analyze(const char *str, size_t n, struct analysis *a)
{
    const unsigned char *s = (const unsigned char *)str;
    int block_ind = 0, flow_ind = 0, line_breaks = 0, special = 0;
    int leading_space = 0, leading_break = 0, trailing_space = 0, trailing_break = 0;
    int break_space = 0, space_break = 0, prev_space = 0, prev_break = 0, preceded_by_ws = 1;
    size_t i, w;

    if (n == 0) {
        a->multiline = 0;
        a->block_plain = 1;
        a->single_ok = 1;
        a->block_ok = 0;
        return;
    }
    if (n >= 3 && ((s[0] == '-' && s[1] == '-' && s[2] == '-') ||
                   (s[0] == '.' && s[1] == '.' && s[2] == '.')))
        block_ind = flow_ind = 1;
    for (i = 0; i < n; i += w) {
        int followed_by_ws;

        w = width(s[i]);
        followed_by_ws = i + w >= n || s[i + w] == ' ' || s[i + w] == '\t';
        if (i == 0) {
            switch (s[i]) {
            case '#':
            case ',':
            case '[':
            case ']':
            case '{':
            case '}':
            case '&':
            case '*':
            case '!':
            case '|':
            case '>':
            case '\'':
            case '"':
            case '%':
            case '@':
            case '`':
                flow_ind = block_ind = 1;
                break;
            case '?':
            case ':':
                flow_ind = 1;
                if (followed_by_ws)
                    block_ind = 1;
                break;
            case '-':
                if (followed_by_ws)
                    flow_ind = block_ind = 1;
                break;
            }
        } else {
            switch (s[i]) {
            case ',':
            case '?':
            case '[':
            case ']':
            case '{':
            case '}':
                flow_ind = 1;
                break;
            case ':':
                flow_ind = 1;
                if (followed_by_ws)
                    block_ind = 1;
                break;
            case '#':
                if (preceded_by_ws)
                    flow_ind = block_ind = 1;
                break;
            }
        }
        if (!is_printable(s, i, n))
            special = 1;
        if (s[i] == ' ') {
            if (i == 0)
                leading_space = 1;
            if (i + w == n)
                trailing_space = 1;
            if (prev_break)
                break_space = 1;
            prev_space = 1;
            prev_break = 0;
        } else if (is_brk(s, i, n)) {
            line_breaks = 1;
            if (i == 0)
                leading_break = 1;
            if (i + w == n)
                trailing_break = 1;
            if (prev_space)
                space_break = 1;
            prev_space = 0;
            prev_break = 1;
        } else {
            prev_space = 0;
            prev_break = 0;
        }
        preceded_by_ws = s[i] == ' ' || s[i] == '\t' || is_brk(s, i, n);
    }
    a->multiline = line_breaks;
    a->block_plain = 1;
    a->single_ok = 1;
    a->block_ok = 1;
    if (leading_space || leading_break || trailing_space || trailing_break)
        a->block_plain = 0;
    if (trailing_space)
        a->block_ok = 0;
    if (break_space)
        a->block_plain = a->single_ok = 0;
    if (space_break || special)
        a->block_plain = a->single_ok = a->block_ok = 0;
    if (line_breaks || block_ind)
        a->block_plain = 0;
    (void)flow_ind; /* dk never emits flow collections with content */
}

static void write_plain(struct emitter *e, const char *s, size_t n, int allow_breaks)
{
    size_t i = 0;
    int spaces = 0;

    if (!e->whitespace)
        put(e, ' ');
    while (i < n) {
        if (s[i] == ' ') {
            if (allow_breaks && !spaces && e->column > BEST_WIDTH && i + 1 < n && s[i + 1] != ' ') {
                write_indent(e);
                i++;
            } else {
                write_ch(e, s, n, &i);
            }
            spaces = 1;
        } else {
            write_ch(e, s, n, &i);
            e->indention = 0;
            spaces = 0;
        }
    }
    e->whitespace = 0;
    e->indention = 0;
}

static void write_single(struct emitter *e, const char *s, size_t n, int allow_breaks)
{
    size_t i = 0;
    int spaces = 0, breaks = 0;

    write_indicator(e, "'", 1, 0, 0);
    while (i < n) {
        if (s[i] == ' ') {
            if (allow_breaks && !spaces && e->column > BEST_WIDTH && i > 0 && i < n - 1 &&
                s[i + 1] != ' ') {
                write_indent(e);
                i++;
            } else {
                write_ch(e, s, n, &i);
            }
            spaces = 1;
        } else if (s[i] == '\n') {
            if (!breaks)
                put_break(e);
            put_break(e);
            i++;
            e->indention = 1;
            breaks = 1;
        } else {
            if (breaks)
                write_indent(e);
            if (s[i] == '\'')
                put(e, '\'');
            write_ch(e, s, n, &i);
            e->indention = 0;
            spaces = 0;
            breaks = 0;
        }
    }
    write_indicator(e, "'", 0, 0, 0);
    e->whitespace = 0;
    e->indention = 0;
}

static void write_double(struct emitter *e, const char *str, size_t n, int allow_breaks)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    int spaces = 0;

    /* go-yaml's is_bom() looks at the start of the string wherever it is called, so a string
     * that starts with a BOM has every character escaped. */
    int bom = n >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf;

    write_indicator(e, "\"", 1, 0, 0);
    while (i < n) {

        if (!is_printable(s, i, n) || bom || is_brk(s, i, n) || s[i] == '"' || s[i] == '\\') {
            size_t w = width(s[i]), k;
            unsigned long v;
            char c = 0;

            if (i + w > n)
                w = n - i;
            v = w == 1 ? s[i] : w == 2 ? s[i] & 0x1fu : w == 3 ? s[i] & 0x0fu : s[i] & 0x07u;
            for (k = 1; k < w; k++)
                v = (v << 6) | (s[i + k] & 0x3fu);
            i += w;
            put(e, '\\');
            switch (v) {
            case 0x00:
                c = '0';
                break;
            case 0x07:
                c = 'a';
                break;
            case 0x08:
                c = 'b';
                break;
            case 0x09:
                c = 't';
                break;
            case 0x0a:
                c = 'n';
                break;
            case 0x0b:
                c = 'v';
                break;
            case 0x0c:
                c = 'f';
                break;
            case 0x0d:
                c = 'r';
                break;
            case 0x1b:
                c = 'e';
                break;
            case 0x22:
                c = '"';
                break;
            case 0x5c:
                c = '\\';
                break;
            case 0x85:
                c = 'N';
                break;
            case 0xa0:
                c = '_';
                break;
            case 0x2028:
                c = 'L';
                break;
            case 0x2029:
                c = 'P';
                break;
            }
            if (c) {
                put(e, c);
            } else {
                int digits = v <= 0xff ? 2 : v <= 0xffff ? 4 : 8, sh;

                put(e, v <= 0xff ? 'x' : v <= 0xffff ? 'u' : 'U');
                for (sh = (digits - 1) * 4; sh >= 0; sh -= 4)
                    put(e, "0123456789ABCDEF"[(v >> sh) & 15]);
            }
            spaces = 0;
        } else if (s[i] == ' ') {
            if (allow_breaks && !spaces && e->column > BEST_WIDTH && i > 0 && i < n - 1) {
                write_indent(e);
                if (s[i + 1] == ' ')
                    put(e, '\\');
                i++;
            } else {
                write_ch(e, str, n, &i);
            }
            spaces = 1;
        } else {
            write_ch(e, str, n, &i);
            spaces = 0;
        }
    }
    write_indicator(e, "\"", 0, 0, 0);
    e->whitespace = 0;
    e->indention = 0;
}

/* Start of the character before position i (i > 0). */
static size_t prev_char(const unsigned char *s, size_t i)
{
    do
        i--;
    while (i > 0 && (s[i] & 0xc0) == 0x80);
    return i;
}

static void write_literal(struct emitter *e, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    int breaks = 1;
    size_t i = 0;

    write_indicator(e, "|", 1, 0, 0);
    if (n && (s[0] == ' ' || is_brk(s, 0, n))) {
        char hint[2] = {(char)('0' + BEST_INDENT), 0};

        write_indicator(e, hint, 0, 0, 0);
    }
    if (n == 0) {
        write_indicator(e, "-", 0, 0, 0);
    } else {
        size_t last = prev_char(s, n);

        if (!is_brk(s, last, n))
            write_indicator(e, "-", 0, 0, 0);
        else if (last == 0 || is_brk(s, prev_char(s, last), n))
            write_indicator(e, "+", 0, 0, 0);
    }
    put_break(e);
    e->indention = 1;
    e->whitespace = 1;
    while (i < n) {
        if (s[i] == '\n') {
            put_break(e);
            i++;
            e->indention = 1;
            breaks = 1;
        } else {
            if (breaks) {
                write_indent(e);
                breaks = 0;
            }
            write_ch(e, str, n, &i);
            e->indention = 0;
        }
    }
}

static void emit_scalar(struct emitter *e, const char *value, size_t n, const char *tag,
                        enum style style, int simple_key)
{
    struct analysis a;
    int old = e->indent;

    analyze(value, n, &a);
    if (simple_key && a.multiline)
        style = ST_DOUBLE;
    if (style == ST_PLAIN) {
        if (!a.block_plain || (n == 0 && simple_key))
            style = ST_SINGLE;
    }
    if (style == ST_SINGLE && !a.single_ok)
        style = ST_DOUBLE;
    if (style == ST_LITERAL && (!a.block_ok || simple_key))
        style = ST_DOUBLE;
    if (tag) {
        if (!e->whitespace)
            put(e, ' ');
        put(e, '!');
        put(e, '!');
        while (*tag)
            put(e, *tag++);
        e->whitespace = 0;
        e->indention = 0;
    }
    increase_indent(e, 1, 0);
    switch (style) {
    case ST_PLAIN:
        write_plain(e, value, n, !simple_key);
        break;
    case ST_SINGLE:
        write_single(e, value, n, !simple_key);
        break;
    case ST_DOUBLE:
        write_double(e, value, n, !simple_key);
        break;
    case ST_LITERAL:
        write_literal(e, value, n);
        break;
    }
    e->indent = old;
}

/* go-yaml v2 parseTimestamp(), closely enough to know which strings it would quote. */
static int num_field(const char **p, int maxd, int lo, int hi)
{
    int v = 0, k = 0;

    while (k < maxd && is_dig(**p)) {
        v = v * 10 + (**p - '0');
        (*p)++;
        k++;
    }
    return k > 0 && v >= lo && v <= hi ? 0 : -1;
}

static int looks_like_timestamp(const char *s)
{
    const char *p = s;
    char sep;

    if (!(is_dig(p[0]) && is_dig(p[1]) && is_dig(p[2]) && is_dig(p[3]) && p[4] == '-'))
        return 0;
    p += 5;
    if (num_field(&p, 2, 1, 12) < 0 || *p++ != '-' || num_field(&p, 2, 1, 31) < 0)
        return 0;
    if (!*p)
        return 1;
    sep = *p++;
    if (sep != 'T' && sep != 't' && sep != ' ')
        return 0;
    if (num_field(&p, 2, 0, 23) < 0 || *p++ != ':' || num_field(&p, 2, 0, 59) < 0 || *p++ != ':' ||
        num_field(&p, 2, 0, 59) < 0)
        return 0;
    if (*p == '.') {
        p++;
        if (!is_dig(*p))
            return 0;
        while (is_dig(*p))
            p++;
    }
    if (sep == ' ')
        return *p == '\0';
    if (*p == 'Z')
        return p[1] == '\0';
    if (*p != '+' && *p != '-')
        return 0;
    p++;
    return is_dig(p[0]) && is_dig(p[1]) && p[2] == ':' && is_dig(p[3]) && is_dig(p[4]) &&
           p[5] == '\0';
}

/* ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ — YAML 1.1 base-60 floats, which
 * go-yaml quotes for other readers' sake. */
static int looks_like_base60(const char *s)
{
    int groups = 0;

    if (*s == '+' || *s == '-')
        s++;
    if (!is_dig(*s))
        return 0;
    while (is_dig(*s) || *s == '_')
        s++;
    while (*s == ':') {
        s++;
        if (is_dig(s[0]) && is_dig(s[1])) {
            if (s[0] > '5')
                return 0;
            s += 2;
        } else if (is_dig(s[0])) {
            s++;
        } else {
            return 0;
        }
        groups++;
    }
    if (!groups)
        return 0;
    if (*s == '.') {
        s++;
        while (is_dig(*s) || *s == '_')
            s++;
    }
    return *s == '\0';
}

/* How go-yaml v2's encoder presents a string: its text, tag and requested style. */
struct plan {
    char *buf; /* owned base64 text for !!binary */
    const char *text;
    size_t n;
    const char *tag;
    enum style style;
};

static void plan_string(const char *s, struct plan *p)
{
    size_t n = strlen(s);

    memset(p, 0, sizeof(*p));
    p->text = s;
    p->n = n;
    if (!valid_utf8(s, n)) {
        /* Not representable as YAML text: base64 in lines of 70, as go-yaml writes it. */
        static const char b64[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const unsigned char *u = (const unsigned char *)s;
        size_t enc = (n + 2) / 3 * 4, lines = enc / 70 + 1, i, k = 0, col = 0;
        char *tmp = dk_xmalloc(enc + 1), *o;

        for (i = 0; i < n; i += 3) {
            unsigned v = (unsigned)u[i] << 16 | (i + 1 < n ? (unsigned)u[i + 1] << 8 : 0) |
                         (i + 2 < n ? u[i + 2] : 0);

            tmp[k++] = b64[v >> 18 & 63];
            tmp[k++] = b64[v >> 12 & 63];
            tmp[k++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
            tmp[k++] = i + 2 < n ? b64[v & 63] : '=';
        }
        o = p->buf = dk_xmalloc(enc + lines + 1);
        for (i = 0; i < enc; i++) {
            *o++ = tmp[i];
            if (++col == 70 || i + 1 == enc) {
                if (lines > 1)
                    *o++ = '\n';
                col = 0;
            }
        }
        *o = '\0';
        free(tmp);
        p->text = p->buf;
        p->n = (size_t)(o - p->buf);
        p->tag = "binary";
        p->style = memchr(p->text, '\n', p->n) ? ST_LITERAL : ST_PLAIN;
        return;
    }
    if (strstr(s, "\xc2\x85") || strstr(s, "\xe2\x80\xa8") || strstr(s, "\xe2\x80\xa9")) {
        /* dk: go-yaml would fold these line separators away; quoting keeps them. */
        p->style = ST_DOUBLE;
    } else if (memchr(s, '\n', n)) {
        p->style = ST_LITERAL;
    } else {
        struct sval v;

        resolve_plain(s, n, &v);
        if (v.kind == SK_STR && !looks_like_base60(s) && !looks_like_timestamp(s) &&
            strcmp(s, "<<") != 0)
            p->style = ST_PLAIN;
        else
            p->style = ST_DOUBLE;
    }
}

static void emit_string(struct emitter *e, const struct plan *p, int simple_key)
{
    emit_scalar(e, p->text, p->n, p->tag, p->style, simple_key);
}

/* Numbers as go-yaml prints what sigs.k8s.io/yaml hands it: the JSON text of the float64,
 * read back as an int when it is one, else formatted with %g. */
static void number_text(double x, char *out, size_t size)
{
    char j[DK_JSON_NUMBER_MAX];
    long long i;
    unsigned long long u;

    if (dk_json_format_number(x, j) < 0) {
        go_format_g(x, 0, out, size);
        return;
    }
    if (parse_go_int(j, &i) == 0 && !strpbrk(j, "xXoObB")) {
        snprintf(out, size, "%lld", i);
        return;
    }
    if (j[0] != '-' && is_dig(j[0]) && !strpbrk(j, ".eE") && parse_base0(j, &u) == 0) {
        snprintf(out, size, "%llu", u);
        return;
    }
    go_format_g(x, 0, out, size);
}

static void emit_node(struct emitter *e, const cJSON *j, int mapping_ctx, int simple_key);

static void emit_mapping(struct emitter *e, const cJSON *obj)
{
    const cJSON *m;
    int old = e->indent;

    increase_indent(e, 0, 0);
    cJSON_ArrayForEach(m, obj)
    {
        struct plan key;
        struct analysis a;
        size_t len;

        plan_string(m->string ? m->string : "", &key);
        analyze(key.text, key.n, &a);
        len = key.n + (key.tag ? 2 + strlen(key.tag) : 0);
        write_indent(e);
        if (!a.multiline && len <= 128) {
            emit_string(e, &key, 1);
            write_indicator(e, ":", 0, 0, 0);
        } else {
            write_indicator(e, "?", 1, 0, 1);
            emit_string(e, &key, 0);
            write_indent(e);
            write_indicator(e, ":", 1, 0, 1);
        }
        free(key.buf);
        emit_node(e, m, 1, 0);
    }
    e->indent = old;
}

static void emit_sequence(struct emitter *e, const cJSON *arr, int mapping_ctx)
{
    const cJSON *item;
    int old = e->indent;

    increase_indent(e, 0, mapping_ctx && !e->indention);
    cJSON_ArrayForEach(item, arr)
    {
        write_indent(e);
        write_indicator(e, "-", 1, 0, 1);
        emit_node(e, item, 0, 0);
    }
    e->indent = old;
}

static void emit_node(struct emitter *e, const cJSON *j, int mapping_ctx, int simple_key)
{
    char num[64];

    switch (j->type & 0xff) {
    case cJSON_NULL:
        emit_scalar(e, "null", 4, NULL, ST_PLAIN, simple_key);
        return;
    case cJSON_True:
        emit_scalar(e, "true", 4, NULL, ST_PLAIN, simple_key);
        return;
    case cJSON_False:
        emit_scalar(e, "false", 5, NULL, ST_PLAIN, simple_key);
        return;
    case cJSON_Number:
        number_text(j->valuedouble, num, sizeof(num));
        emit_scalar(e, num, strlen(num), NULL, ST_PLAIN, simple_key);
        return;
    case cJSON_String: {
        struct plan p;

        plan_string(j->valuestring ? j->valuestring : "", &p);
        emit_string(e, &p, simple_key);
        free(p.buf);
        return;
    }
    case cJSON_Array:
        if (!j->child) {
            write_indicator(e, "[", 1, 1, 0);
            write_indicator(e, "]", 0, 0, 0);
            return;
        }
        emit_sequence(e, j, mapping_ctx);
        return;
    case cJSON_Object:
        if (!j->child) {
            write_indicator(e, "{", 1, 1, 0);
            write_indicator(e, "}", 0, 0, 0);
            return;
        }
        emit_mapping(e, j);
        return;
    default:
        e->failed |= 2;
        return;
    }
}

int dk_yaml_dump(const cJSON *j, struct dk_buf *out, struct dk_err *err)
{
    struct emitter e = {out, 0, -1, 1, 1, 0};
    size_t len = out->len;

    if (!j)
        return dk_err_set(err, DK_E_FAIL, "cannot write YAML: no value");
    emit_node(&e, j, 0, 0);
    /* The document end: finish the last line. */
    e.indent = -1;
    write_indent(&e);
    if (e.failed) {
        dk_buf_setlen(out, len);
        if (e.failed & 2)
            return dk_err_set(err, DK_E_FAIL, "cannot write YAML: the value holds an invalid item");
        return dk_err_set(err, DK_E_FAIL, "cannot write YAML: output larger than its limit");
    }
    return 0;
}
