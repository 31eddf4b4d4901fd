#include "dk/config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "dk/buf.h"

#define TAG_PREFIX "tag:yaml.org,2002:"

/* Values visited while reading, aliases and merges expanded, and `image: [a, b]` counted once
 * per name: past this the file is refused, so a few aliases cannot make the work explode. */
#define MAX_VALUES 1000000
/* Merges ("<<") inside merged mappings, deepest accepted (an alias to an enclosing mapping
 * would otherwise recurse forever). */
#define MAX_MERGE_DEPTH 32

struct parser {
    const char *name; /* the file, for messages */
    yaml_document_t *doc;
    struct dk_err *err;
    size_t values;
    const char *image; /* the image being read, for messages; NULL in the meta document */
    char ctx[300];     /* " of image 'NAME'" */
};

/* One key of a mapping, after merges. */
struct kv {
    const char *key;
    yaml_node_t *k, *v;
    size_t prio; /* lower wins: the mapping's own keys, then merged ones in order */
    size_t call; /* which mapping the key was written in (a key twice in one is an error) */
};

struct kvs {
    struct kv *v;
    size_t n;
    size_t calls;
};

/* ---- small helpers */

/* Makes room for element n of an array that grows by doubling (p has n elements). */
static void *grow(void *p, size_t n, size_t size)
{
    if (n == 0 || (n & (n - 1)) == 0)
        p = dk_xrealloc(p, (n ? 2 * n : 1) * size);
    return p;
}

static void strs_push(char ***v, size_t *n, char *s)
{
    *v = grow(*v, *n, sizeof(**v));
    (*v)[(*n)++] = s;
}

static void strs_free(char ***v, size_t *n)
{
    size_t i;

    for (i = 0; i < *n; i++)
        free((*v)[i]);
    free(*v);
    *v = NULL;
    *n = 0;
}

static void set_str(char **dst, const char *s)
{
    free(*dst);
    *dst = s ? dk_xstrdup(s) : NULL;
}

static int line_of(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.line + 1 : 0;
}

/* "NAME:LINE: message" (no line when line <= 0), DK_E_INPUT. Returns -1. */
__attribute__((format(printf, 4, 5))) static int fail_at(struct dk_err *err, const char *name,
                                                         int line, const char *fmt, ...)
{
    struct dk_buf b = DK_BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    dk_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    if (line > 0)
        dk_err_set(err, DK_E_INPUT, "%s:%d: %s", name, line, b.buf);
    else
        dk_err_set(err, DK_E_INPUT, "%s: %s", name, b.buf);
    dk_buf_release(&b);
    return -1;
}

#define fail(P, at, ...) fail_at((P)->err, (P)->name, line_of(at), __VA_ARGS__)

/* " of image 'x'" while reading an image, else "". */
static const char *of_image(const struct parser *P)
{
    return P->image ? P->ctx : "";
}

static void set_image(struct parser *P, const char *name)
{
    P->image = name;
    if (name)
        snprintf(P->ctx, sizeof(P->ctx), " of image '%.250s'", name);
}

static int count(struct parser *P, const yaml_node_t *n)
{
    if (++P->values > MAX_VALUES)
        return fail(P, n,
                    "the configuration is too large (more than %d values once aliases "
                    "are expanded)",
                    MAX_VALUES);
    return 0;
}

static yaml_node_t *node(struct parser *P, int index)
{
    return yaml_document_get_node(P->doc, index);
}

/* ---- scalars, as go-yaml v2 resolves them */

static int is_scalar(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE;
}

static const char *text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static int has_tag(const yaml_node_t *n, const char *t)
{
    const char *tag = (const char *)n->tag;

    return tag && !strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) &&
           !strcmp(tag + strlen(TAG_PREFIX), t);
}

/* A plain scalar without an explicit tag (libyaml gives those the default !!str tag), whose
 * type comes from its text. */
static int resolvable(const yaml_node_t *n)
{
    return is_scalar(n) && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && has_tag(n, "str");
}

static int one_of(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list))
            return 1;
    return 0;
}

static int is_null(const yaml_node_t *n)
{
    static const char *const nul[] = {"", "~", "null", "Null", "NULL", NULL};

    if (!is_scalar(n))
        return 0;
    return has_tag(n, "null") || (resolvable(n) && one_of(text(n), nul));
}

/* 1 and *b set when n is a boolean, else 0. */
static int bool_of(const yaml_node_t *n, int *b)
{
    static const char *const yes[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                      "True", "TRUE", "on",  "On",  "ON",  NULL};
    static const char *const no[] = {"n",     "N",     "no",  "No",  "NO",  "false",
                                     "False", "FALSE", "off", "Off", "OFF", NULL};

    if (!is_scalar(n) || !(resolvable(n) || has_tag(n, "bool")))
        return 0;
    if (one_of(text(n), yes))
        *b = 1;
    else if (one_of(text(n), no))
        *b = 0;
    else
        return 0;
    return 1;
}

/* Go's strconv.ParseInt(s, 0, 64) after go-yaml drops every '_': decimal, 0x hex, 0o or
 * leading-0 octal, 0b binary, with a sign. 1 and *out set when n is such an integer. */
static int int_of(const yaml_node_t *n, long long *out)
{
    const char *s;
    char digits[80];
    unsigned long long v = 0, limit;
    size_t i, o = 0;
    int neg = 0, base = 10;

    if (!is_scalar(n) || !(resolvable(n) || has_tag(n, "int")))
        return 0;
    s = text(n);
    for (i = 0; s[i]; i++) {
        if (s[i] == '_')
            continue;
        if (o + 1 >= sizeof(digits))
            return 0;
        digits[o++] = s[i];
    }
    digits[o] = '\0';
    s = digits;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (s[0] == '0' && s[1]) {
        char p = (char)(s[1] | 0x20);

        if (p == 'x' || p == 'o' || p == 'b') {
            base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
            s += 2;
        } else {
            base = 8;
            s += 1;
        }
    }
    if (!*s)
        return 0;
    limit = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
    for (; *s; s++) {
        int c = (unsigned char)*s, d;

        if (c >= '0' && c <= '9')
            d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            return 0;
        if (d >= base || v > (limit - (unsigned)d) / (unsigned)base)
            return 0;
        v = v * (unsigned)base + (unsigned)d;
    }
    *out = neg ? (long long)(0 - v) : (long long)v;
    return 1;
}

/* Reads a string value into *dst (replacing it). A null value leaves *dst alone. Any scalar
 * is taken as its text, as go-yaml does for a string field. */
static int get_str(struct parser *P, const yaml_node_t *v, const char *key, char **dst)
{
    if (is_null(v))
        return 0;
    if (!is_scalar(v))
        return fail(P, v, "'%s'%s must be a string", key, of_image(P));
    if (strlen(text(v)) != v->data.scalar.length)
        return fail(P, v, "'%s'%s holds a NUL character", key, of_image(P));
    set_str(dst, text(v));
    return 0;
}

/* As get_str(), and the string may not be empty. */
static int get_name(struct parser *P, const yaml_node_t *v, const char *key, char **dst)
{
    if (get_str(P, v, key, dst) < 0)
        return -1;
    if (!is_null(v) && !**dst)
        return fail(P, v, "'%s'%s must not be empty", key, of_image(P));
    return 0;
}

static int get_bool(struct parser *P, const yaml_node_t *v, const char *key, int *dst)
{
    if (is_null(v))
        return 0;
    if (!bool_of(v, dst))
        return fail(P, v, "'%s'%s must be true or false", key, of_image(P));
    return 0;
}

/* An integer in [lo, INT_MAX]. */
static int get_int(struct parser *P, const yaml_node_t *v, const char *key, long long lo, int *dst)
{
    long long i;

    if (is_null(v))
        return 0;
    if (!int_of(v, &i))
        return fail(P, v, "'%s'%s must be an integer", key, of_image(P));
    if (i < lo || i > INT_MAX)
        return fail(P, v, "'%s'%s must be an integer from %lld to %d", key, of_image(P), lo,
                    INT_MAX);
    *dst = (int)i;
    return 0;
}

/* A list of non-empty strings, appended to (*v, *n); with one_ok a single string is a list of
 * one, as werf reads contextAddFiles and addHost. */
static int get_strs(struct parser *P, const yaml_node_t *v, const char *key, int one_ok,
                    char ***out, size_t *n)
{
    yaml_node_item_t *it;
    char *s = NULL;

    if (is_null(v))
        return 0;
    if (is_scalar(v) && one_ok) {
        if (get_name(P, v, key, &s) < 0)
            return -1;
        strs_push(out, n, s);
        return 0;
    }
    if (v->type != YAML_SEQUENCE_NODE)
        return fail(P, v, "'%s'%s must be a list of strings", key, of_image(P));
    for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
        yaml_node_t *item = node(P, *it);

        if (count(P, item) < 0)
            return -1;
        if (!is_scalar(item) || is_null(item))
            return fail(P, item, "'%s'%s must be a list of strings", key, of_image(P));
        if (get_name(P, item, key, &s) < 0)
            return -1;
        strs_push(out, n, s);
        s = NULL;
    }
    return 0;
}

/* ---- mappings, with merge keys */

static int kv_by_key(const void *a, const void *b)
{
    const struct kv *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    if (c)
        return c;
    return x->prio < y->prio ? -1 : x->prio > y->prio;
}

static int kv_by_prio(const void *a, const void *b)
{
    const struct kv *x = a, *y = b;

    return x->prio < y->prio ? -1 : x->prio > y->prio;
}

/* Appends the keys of map to out: its own first, then those of the mappings it merges, in
 * order (go-yaml v2's precedence). */
static int flatten(struct parser *P, yaml_node_t *map, struct kvs *out, int depth)
{
    yaml_node_pair_t *p;
    yaml_node_t *merge = NULL;
    size_t call = out->calls++;

    for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(P, p->key), *v = node(P, p->value);

        if (count(P, k) < 0)
            return -1;
        /* any scalar is a key by its text (go-yaml gives a string field the text too) */
        if (!is_scalar(k) || !*text(k))
            return fail(P, k, "a key must be a non-empty string");
        if (strlen(text(k)) != k->data.scalar.length)
            return fail(P, k, "a key holds a NUL character");
        if (k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !strcmp(text(k), "<<")) {
            if (merge)
                return fail(P, k, "key '<<' is given twice");
            merge = v;
            continue;
        }
        out->v = grow(out->v, out->n, sizeof(*out->v));
        out->v[out->n].key = text(k);
        out->v[out->n].k = k;
        out->v[out->n].v = v;
        out->v[out->n].prio = out->n;
        out->v[out->n].call = call;
        out->n++;
    }
    if (!merge)
        return 0;
    if (depth >= MAX_MERGE_DEPTH)
        return fail(P, merge, "merges ('<<') nested too deep");
    if (merge->type == YAML_MAPPING_NODE)
        return flatten(P, merge, out, depth + 1);
    if (merge->type == YAML_SEQUENCE_NODE) {
        yaml_node_item_t *it;

        for (it = merge->data.sequence.items.start; it < merge->data.sequence.items.top; it++) {
            yaml_node_t *m = node(P, *it);

            if (m->type != YAML_MAPPING_NODE)
                return fail(P, m, "'<<' must merge a mapping or a list of mappings");
            if (flatten(P, m, out, depth + 1) < 0)
                return -1;
        }
        return 0;
    }
    return fail(P, merge, "'<<' must merge a mapping or a list of mappings");
}

/* The keys of a mapping, merges applied, in file order (merged keys last). what names the
 * value for the error when it is not a mapping. Caller frees out->v. */
static int pairs(struct parser *P, yaml_node_t *map, const char *what, struct kvs *out)
{
    size_t i, o;

    memset(out, 0, sizeof(*out));
    if (map->type != YAML_MAPPING_NODE)
        return fail(P, map, "%s must be a mapping", what);
    if (flatten(P, map, out, 0) < 0)
        return -1;
    if (out->n < 2)
        return 0;
    qsort(out->v, out->n, sizeof(*out->v), kv_by_key);
    /* A key twice in one mapping is an error, reported where the second one is written. The
     * keys of one mapping have consecutive prios, so such twins end up next to each other. */
    for (i = 1; i < out->n; i++)
        if (out->v[i].call == out->v[i - 1].call && !strcmp(out->v[i].key, out->v[i - 1].key))
            return fail(P, out->v[i].k, "key '%s' is given twice", out->v[i].key);
    /* otherwise the first of each key wins */
    for (i = 1, o = 1; i < out->n; i++)
        if (strcmp(out->v[i].key, out->v[o - 1].key))
            out->v[o++] = out->v[i];
    out->n = o;
    qsort(out->v, out->n, sizeof(*out->v), kv_by_prio);
    return 0;
}

static yaml_node_t *lookup(const struct kvs *m, const char *key)
{
    size_t i;

    for (i = 0; i < m->n; i++)
        if (!strcmp(m->v[i].key, key))
            return m->v[i].v;
    return NULL;
}

/* ---- durations */

/* Go's time.ParseDuration, without a sign: "168h", "1h30m", "1.5h", "0". Sets *sec (fractions
 * of a second dropped). Returns 0, or -1 when s is not a duration. */
static int duration(const char *s, long long *sec)
{
    static const struct {
        const char *unit;
        double ns;
    } units[] = {
        {"ns", 1},   {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"\xce\xbcs", 1e3},
        {"ms", 1e6}, {"s", 1e9},  {"m", 60e9},        {"h", 3600e9},
    };
    double total = 0;

    if (!strcmp(s, "0")) {
        *sec = 0;
        return 0;
    }
    if (!*s)
        return -1;
    while (*s) {
        double v = 0, scale = 1;
        int digits = 0;
        size_t u, best = 0, bestlen = 0;

        for (; *s >= '0' && *s <= '9'; s++, digits++)
            v = v * 10 + (*s - '0');
        if (*s == '.') {
            for (s++; *s >= '0' && *s <= '9'; s++, digits++)
                v += (*s - '0') * (scale /= 10);
        }
        if (!digits)
            return -1;
        for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
            size_t l = strlen(units[u].unit);

            if (!strncmp(s, units[u].unit, l) && l > bestlen) {
                best = u;
                bestlen = l;
            }
        }
        if (!bestlen)
            return -1;
        s += bestlen;
        total += v * units[best].ns;
        if (total > 9.2e18) /* Go's limit, about 292 years */
            return -1;
    }
    *sec = (long long)(total / 1e9);
    return 0;
}

/* ---- the meta document */

static int read_limit(struct parser *P, yaml_node_t *v, const char *key, int *last, char **in,
                      long long *in_sec, char **op)
{
    struct kvs m;
    size_t i;
    int rc = -1;
    char what[80];

    snprintf(what, sizeof(what), "'%s'", key);
    if (pairs(P, v, what, &m) < 0)
        goto out;
    for (i = 0; i < m.n; i++) {
        const char *k = m.v[i].key;
        yaml_node_t *val = m.v[i].v;

        snprintf(what, sizeof(what), "%s.%s", key, k);
        if (!strcmp(k, "last")) {
            if (get_int(P, val, what, -1, last) < 0)
                goto out;
        } else if (!strcmp(k, "in")) {
            if (get_name(P, val, what, in) < 0)
                goto out;
            if (*in && duration(*in, in_sec) < 0) {
                fail(P, val, "'%s' must be a duration such as 168h or 30m", what);
                goto out;
            }
        } else if (!strcmp(k, "operator")) {
            if (get_name(P, val, what, op) < 0)
                goto out;
            if (strcmp(*op, "And") && strcmp(*op, "Or")) {
                fail(P, val, "'%s' must be And or Or", what);
                goto out;
            }
        } else {
            fail(P, m.v[i].k, "unknown key '%s' in 'cleanup.keepPolicies[].%s'", k, key);
            goto out;
        }
    }
    rc = 0;
out:
    free(m.v);
    return rc;
}

static int read_references(struct parser *P, yaml_node_t *v, struct dk_keep_policy *kp)
{
    struct kvs m;
    size_t i;
    int rc = -1;

    if (pairs(P, v, "'references'", &m) < 0)
        goto out;
    for (i = 0; i < m.n; i++) {
        const char *k = m.v[i].key;
        yaml_node_t *val = m.v[i].v;

        if (!strcmp(k, "branch")) {
            if (get_name(P, val, "references.branch", &kp->references_branch) < 0)
                goto out;
        } else if (!strcmp(k, "tag")) {
            if (get_name(P, val, "references.tag", &kp->references_tag) < 0)
                goto out;
        } else if (!strcmp(k, "limit")) {
            if (read_limit(P, val, "limit", &kp->limit_last, &kp->limit_in, &kp->limit_in_sec,
                           &kp->limit_operator) < 0)
                goto out;
        } else {
            fail(P, m.v[i].k, "unknown key '%s' in 'cleanup.keepPolicies[].references'", k);
            goto out;
        }
    }
    if (!kp->references_branch == !kp->references_tag) {
        fail(P, v, "'references' must have exactly one of 'branch' and 'tag'");
        goto out;
    }
    rc = 0;
out:
    free(m.v);
    return rc;
}

static void keep_policy_release(struct dk_keep_policy *kp)
{
    free(kp->references_branch);
    free(kp->references_tag);
    free(kp->limit_in);
    free(kp->limit_operator);
    free(kp->image_per_reference_in);
    free(kp->image_per_reference_operator);
    memset(kp, 0, sizeof(*kp));
}

static int read_keep_policy(struct parser *P, yaml_node_t *v, struct dk_keep_policy *kp)
{
    struct kvs m;
    size_t i;
    int rc = -1, refs = 0;

    memset(kp, 0, sizeof(*kp));
    kp->limit_last = -1;
    kp->limit_in_sec = -1;
    kp->image_per_reference_last = 1;
    kp->image_per_reference_in_sec = -1;
    kp->line = line_of(v);
    if (pairs(P, v, "an entry of 'cleanup.keepPolicies'", &m) < 0)
        goto out;
    for (i = 0; i < m.n; i++) {
        const char *k = m.v[i].key;
        yaml_node_t *val = m.v[i].v;

        if (!strcmp(k, "references")) {
            if (read_references(P, val, kp) < 0)
                goto out;
            refs = 1;
        } else if (!strcmp(k, "imagesPerReference")) {
            if (read_limit(P, val, "imagesPerReference", &kp->image_per_reference_last,
                           &kp->image_per_reference_in, &kp->image_per_reference_in_sec,
                           &kp->image_per_reference_operator) < 0)
                goto out;
        } else {
            fail(P, m.v[i].k, "unknown key '%s' in 'cleanup.keepPolicies'", k);
            goto out;
        }
    }
    if (!refs) {
        fail(P, v, "a keep policy needs 'references'");
        goto out;
    }
    if (!kp->limit_operator)
        kp->limit_operator = dk_xstrdup("And");
    if (!kp->image_per_reference_operator)
        kp->image_per_reference_operator = dk_xstrdup("And");
    rc = 0;
out:
    free(m.v);
    return rc;
}

static int read_cleanup(struct parser *P, yaml_node_t *v, struct dk_config_cleanup *cl)
{
    struct kvs m;
    size_t i;
    int rc = -1;

    if (pairs(P, v, "'cleanup'", &m) < 0)
        goto out;
    for (i = 0; i < m.n; i++) {
        const char *k = m.v[i].key;
        yaml_node_t *val = m.v[i].v;
        int r;

        if (!strcmp(k, "disable")) {
            r = get_bool(P, val, "cleanup.disable", &cl->disable);
        } else if (!strcmp(k, "disableKubernetesBasedPolicy")) {
            r = get_bool(P, val, "cleanup.disableKubernetesBasedPolicy",
                         &cl->disable_kubernetes_based_policy);
        } else if (!strcmp(k, "disableGitHistoryBasedPolicy")) {
            r = get_bool(P, val, "cleanup.disableGitHistoryBasedPolicy",
                         &cl->disable_git_history_based_policy);
        } else if (!strcmp(k, "disableBuiltWithinLastNHoursPolicy")) {
            r = get_bool(P, val, "cleanup.disableBuiltWithinLastNHoursPolicy",
                         &cl->disable_built_within_last_n_hours_policy);
        } else if (!strcmp(k, "keepImagesBuiltWithinLastNHours")) {
            r = get_int(P, val, "cleanup.keepImagesBuiltWithinLastNHours", 0,
                        &cl->keep_images_built_within_last_n_hours);
        } else if (!strcmp(k, "keepPolicies")) {
            yaml_node_item_t *it;

            r = 0;
            if (is_null(val))
                continue;
            if (val->type != YAML_SEQUENCE_NODE) {
                fail(P, val, "'cleanup.keepPolicies' must be a list");
                goto out;
            }
            for (it = val->data.sequence.items.start; it < val->data.sequence.items.top; it++) {
                yaml_node_t *item = node(P, *it);

                if (count(P, item) < 0)
                    goto out;
                cl->policies = grow(cl->policies, cl->n, sizeof(*cl->policies));
                r = read_keep_policy(P, item, &cl->policies[cl->n]);
                cl->n++; /* released with the others, also when only half read */
                if (r < 0)
                    goto out;
            }
        } else {
            fail(P, m.v[i].k, "unknown key '%s' in 'cleanup'", k);
            goto out;
        }
        if (r < 0)
            goto out;
    }
    rc = 0;
out:
    free(m.v);
    return rc;
}

static int read_build(struct parser *P, yaml_node_t *v, struct dk_config *c)
{
    struct kvs m;
    size_t i;
    int rc = -1;

    if (pairs(P, v, "'build'", &m) < 0)
        goto out;
    for (i = 0; i < m.n; i++) {
        const char *k = m.v[i].key;
        yaml_node_t *val = m.v[i].v;
        int r;

        if (!strcmp(k, "cacheVersion")) {
            r = get_str(P, val, "build.cacheVersion", &c->cache_version);
        } else if (!strcmp(k, "platform")) {
            strs_free(&c->platforms, &c->nplatforms);
            r = get_strs(P, val, "build.platform", 0, &c->platforms, &c->nplatforms);
        } else if (!strcmp(k, "staged")) {
            r = get_bool(P, val, "build.staged", &c->staged);
        } else if (!strcmp(k, "imageSpec")) {
            r = fail(P, m.v[i].k, "'build.imageSpec' is not supported by dk");
        } else {
            r = fail(P, m.v[i].k, "unknown key '%s' in 'build'", k);
        }
        if (r < 0)
            goto out;
    }
    rc = 0;
out:
    free(m.v);
    return rc;
}

static int read_deploy(struct parser *P, yaml_node_t *v, struct dk_config *c)
{
    struct kvs m;
    size_t i;
    int rc = -1;

    if (pairs(P, v, "'deploy'", &m) < 0)
        goto out;
    for (i = 0; i < m.n; i++) {
        const char *k = m.v[i].key;
        yaml_node_t *val = m.v[i].v;
        char *ignored = NULL;
        int r, b;

        if (!strcmp(k, "helmChartDir")) {
            r = get_name(P, val, "deploy.helmChartDir", &c->helm_chart_dir);
        } else if (!strcmp(k, "helmRelease") || !strcmp(k, "namespace")) {
            /* deploying tools read these; checked here so a typo shows early */
            char what[40];

            snprintf(what, sizeof(what), "deploy.%s", k);
            r = get_name(P, val, what, &ignored);
        } else if (!strcmp(k, "helmReleaseSlug") || !strcmp(k, "namespaceSlug")) {
            char what[40];

            snprintf(what, sizeof(what), "deploy.%s", k);
            r = get_bool(P, val, what, &b);
        } else if (!strcmp(k, "helmChartConfig")) {
            r = is_null(val) || val->type == YAML_MAPPING_NODE
                    ? 0
                    : fail(P, val, "'deploy.helmChartConfig' must be a mapping");
        } else {
            r = fail(P, m.v[i].k, "unknown key '%s' in 'deploy'", k);
        }
        free(ignored);
        if (r < 0)
            goto out;
    }
    rc = 0;
out:
    free(m.v);
    return rc;
}

/* project: at most 50 characters of a-z, 0-9 and '-' (the first path component of a repo). */
static int valid_project(const char *s)
{
    size_t n = strlen(s), i;

    if (!n || n > 50 || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

static int read_meta(struct parser *P, yaml_node_t *root, const struct kvs *m, struct dk_config *c)
{
    size_t i;
    yaml_node_t *pv = NULL;
    int version_set = 0;

    for (i = 0; i < m->n; i++) {
        const char *k = m->v[i].key;
        yaml_node_t *val = m->v[i].v;
        int r;

        if (!strcmp(k, "project")) {
            r = get_str(P, val, "project", &c->project);
            pv = val;
        } else if (!strcmp(k, "configVersion")) {
            r = get_int(P, val, "configVersion", INT_MIN, &c->config_version);
            version_set = !is_null(val);
            if (!r && version_set && c->config_version != 1)
                r = fail(P, val, "'configVersion' must be 1");
        } else if (!strcmp(k, "build")) {
            r = is_null(val) ? 0 : read_build(P, val, c);
        } else if (!strcmp(k, "deploy")) {
            r = is_null(val) ? 0 : read_deploy(P, val, c);
        } else if (!strcmp(k, "cleanup")) {
            r = is_null(val) ? 0 : read_cleanup(P, val, &c->cleanup);
        } else if (!strcmp(k, "gitWorktree")) {
            /* how werf treats the git checkout; nothing for dk to do */
            r = is_null(val) || val->type == YAML_MAPPING_NODE
                    ? 0
                    : fail(P, val, "'gitWorktree' must be a mapping");
        } else {
            r = fail(P, m->v[i].k,
                     "unknown key '%s' in the meta document (project, configVersion, build, "
                     "deploy, cleanup, gitWorktree)",
                     k);
        }
        if (r < 0)
            return -1;
    }
    if (!c->project || !*c->project)
        return fail(P, pv ? pv : root, "'project' is required");
    if (!valid_project(c->project))
        return fail(P, pv,
                    "project name '%s' must be 1 to 50 characters of a-z, 0-9 and '-', "
                    "not starting or ending with '-'",
                    c->project);
    if (!version_set)
        return fail(P, root, "'configVersion: 1' is required");
    return 0;
}

/* ---- image documents */

static const char *const stapel_keys[] = {
    "from",     "fromLatest", "fromImage", "fromArtifact", "fromCacheVersion", "fromImageArtifact",
    "git",      "shell",      "ansible",   "mount",        "import",           "docker",
    "artifact", NULL};

static void image_release(struct dk_config_image *im)
{
    size_t i, j;

    free(im->name);
    free(im->dockerfile);
    free(im->context);
    strs_free(&im->context_add_files, &im->ncontext_add_files);
    free(im->target);
    for (i = 0; i < im->nargs; i++) {
        free(im->arg_names[i]);
        free(im->arg_values[i]);
    }
    free(im->arg_names);
    free(im->arg_values);
    strs_free(&im->platforms, &im->nplatforms);
    free(im->cache_version);
    for (i = 0; i < im->ndeps; i++) {
        for (j = 0; j < im->deps[i].nimports; j++)
            free(im->deps[i].imports[j].target_build_arg);
        free(im->deps[i].imports);
        free(im->deps[i].image);
    }
    free(im->deps);
    strs_free(&im->add_hosts, &im->nadd_hosts);
    free(im->network);
    memset(im, 0, sizeof(*im));
}

static int read_args(struct parser *P, yaml_node_t *v, struct dk_config_image *im)
{
    struct kvs m;
    size_t i;
    int rc = -1;

    if (is_null(v))
        return 0;
    if (pairs(P, v, "'args'", &m) < 0)
        goto out;
    for (i = 0; i < m.n; i++) {
        yaml_node_t *val = m.v[i].v;
        const char *s;
        int b;

        if (count(P, val) < 0)
            goto out;
        if (!is_scalar(val)) {
            fail(P, val, "arg '%s'%s must be a string, a number or a boolean", m.v[i].key,
                 of_image(P));
            goto out;
        }
        if (strlen(text(val)) != val->data.scalar.length) {
            fail(P, val, "arg '%s'%s holds a NUL character", m.v[i].key, of_image(P));
            goto out;
        }
        /* werf hands the Dockerfile what Go prints for the value: booleans as true/false */
        if (is_null(val))
            s = "";
        else if (bool_of(val, &b))
            s = b ? "true" : "false";
        else
            s = text(val);
        im->arg_names = grow(im->arg_names, im->nargs, sizeof(*im->arg_names));
        im->arg_values = grow(im->arg_values, im->nargs, sizeof(*im->arg_values));
        im->arg_names[im->nargs] = dk_xstrdup(m.v[i].key);
        im->arg_values[im->nargs] = dk_xstrdup(s);
        im->nargs++;
    }
    rc = 0;
out:
    free(m.v);
    return rc;
}

static int import_type(const char *s, enum dk_import_type *t)
{
    static const struct {
        const char *name;
        enum dk_import_type type;
    } types[] = {
        {"ImageName", DK_IMPORT_NAME},     {"ImageTag", DK_IMPORT_TAG},
        {"ImageRepo", DK_IMPORT_REPO},     {"ImageID", DK_IMPORT_ID},
        {"ImageDigest", DK_IMPORT_DIGEST},
    };
    size_t i;

    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (!strcmp(s, types[i].name)) {
            *t = types[i].type;
            return 0;
        }
    }
    return -1;
}

static int read_import(struct parser *P, yaml_node_t *v, struct dk_config_import *imp)
{
    struct kvs m;
    size_t i;
    int rc = -1;
    char *type = NULL;
    yaml_node_t *tv = NULL;

    if (pairs(P, v, "an entry of 'imports'", &m) < 0)
        goto out;
    for (i = 0; i < m.n; i++) {
        const char *k = m.v[i].key;
        yaml_node_t *val = m.v[i].v;
        int r;

        if (!strcmp(k, "type")) {
            r = get_name(P, val, "imports.type", &type);
            tv = val;
        } else if (!strcmp(k, "targetBuildArg")) {
            r = get_name(P, val, "imports.targetBuildArg", &imp->target_build_arg);
        } else if (!strcmp(k, "targetEnv")) {
            r = fail(P, m.v[i].k, "'targetEnv' (stapel images) is not supported by dk");
        } else {
            r = fail(P, m.v[i].k, "unknown key '%s' in an import%s", k, of_image(P));
        }
        if (r < 0)
            goto out;
    }
    if (!type) {
        fail(P, v, "an import%s needs 'type'", of_image(P));
        goto out;
    }
    if (import_type(type, &imp->type) < 0) {
        fail(P, tv,
             "'imports.type'%s must be ImageName, ImageTag, ImageRepo, ImageID or "
             "ImageDigest, not '%s'",
             of_image(P), type);
        goto out;
    }
    if (!imp->target_build_arg) {
        fail(P, v, "an import%s needs 'targetBuildArg'", of_image(P));
        goto out;
    }
    rc = 0;
out:
    free(type);
    free(m.v);
    return rc;
}

static int read_dep(struct parser *P, yaml_node_t *v, struct dk_config_dep *d)
{
    struct kvs m;
    size_t i;
    int rc = -1;
    char *from = NULL, *image = NULL;
    yaml_node_t *fv = NULL, *iv = NULL;

    if (pairs(P, v, "an entry of 'dependencies'", &m) < 0)
        goto out;
    for (i = 0; i < m.n; i++) {
        const char *k = m.v[i].key;
        yaml_node_t *val = m.v[i].v;
        int r = 0;

        if (!strcmp(k, "from")) {
            r = get_name(P, val, "dependencies.from", &from);
            fv = val;
        } else if (!strcmp(k, "image")) {
            r = get_name(P, val, "dependencies.image", &image);
            iv = val;
        } else if (!strcmp(k, "imports")) {
            yaml_node_item_t *it;

            if (is_null(val))
                continue;
            if (val->type != YAML_SEQUENCE_NODE) {
                fail(P, val, "'dependencies.imports'%s must be a list", of_image(P));
                goto out;
            }
            for (it = val->data.sequence.items.start; it < val->data.sequence.items.top; it++) {
                yaml_node_t *item = node(P, *it);

                if (count(P, item) < 0)
                    goto out;
                d->imports = grow(d->imports, d->nimports, sizeof(*d->imports));
                memset(&d->imports[d->nimports], 0, sizeof(*d->imports));
                r = read_import(P, item, &d->imports[d->nimports]);
                d->nimports++;
                if (r < 0)
                    goto out;
            }
        } else if (!strcmp(k, "before") || !strcmp(k, "after")) {
            r = fail(P, m.v[i].k, "'%s' (stapel images) is not supported by dk", k);
        } else {
            r = fail(P, m.v[i].k, "unknown key '%s' in a dependency%s", k, of_image(P));
        }
        if (r < 0)
            goto out;
    }
    if (from && image) {
        fail(P, iv, "a dependency%s has both 'from' and 'image'", of_image(P));
        goto out;
    }
    if (!from && !image) {
        fail(P, v, "a dependency%s needs 'from' (or 'image'), the image it depends on",
             of_image(P));
        goto out;
    }
    d->image = from ? from : image;
    d->line = line_of(from ? fv : iv);
    from = image = NULL;
    rc = 0;
out:
    free(from);
    free(image);
    free(m.v);
    return rc;
}

static int read_deps(struct parser *P, yaml_node_t *v, struct dk_config_image *im)
{
    yaml_node_item_t *it;
    size_t i, j, a, b;

    if (is_null(v))
        return 0;
    if (v->type != YAML_SEQUENCE_NODE)
        return fail(P, v, "'dependencies'%s must be a list", of_image(P));
    for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
        yaml_node_t *item = node(P, *it);
        int r;

        if (count(P, item) < 0)
            return -1;
        im->deps = grow(im->deps, im->ndeps, sizeof(*im->deps));
        memset(&im->deps[im->ndeps], 0, sizeof(*im->deps));
        r = read_dep(P, item, &im->deps[im->ndeps]);
        im->ndeps++;
        if (r < 0)
            return -1;
    }
    /* each build arg gets one value */
    for (i = 0; i < im->ndeps; i++) {
        for (j = 0; j < im->deps[i].nimports; j++) {
            const char *arg = im->deps[i].imports[j].target_build_arg;

            for (a = 0; a <= i; a++)
                for (b = 0; b < (a == i ? j : im->deps[a].nimports); b++)
                    if (!strcmp(im->deps[a].imports[b].target_build_arg, arg))
                        return fail_at(P->err, P->name, im->deps[i].line,
                                       "build arg '%s'%s is imported twice", arg, of_image(P));
        }
    }
    return 0;
}

/* Image names: not empty, no blanks or control characters, '/' only between parts. */
static int valid_image_name(const char *s)
{
    size_t i, n = strlen(s);

    if (!n || s[0] == '/' || s[n - 1] == '/' || strstr(s, "//"))
        return 0;
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
            return 0;
    return 1;
}

/* Reads the settings of an image document into im, named name (its node: at). */
static int read_image(struct parser *P, const struct kvs *m, const char *name, yaml_node_t *at,
                      struct dk_config_image *im)
{
    size_t i;
    int staged = -1, have_files = 0, have_file = 0;

    memset(im, 0, sizeof(*im));
    im->name = dk_xstrdup(name);
    im->line = line_of(at);
    im->final = 1;
    im->dockerfile = dk_xstrdup("Dockerfile");
    im->context = dk_xstrdup("");
    set_image(P, name);
    for (i = 0; i < m->n; i++) {
        const char *k = m->v[i].key;
        yaml_node_t *val = m->v[i].v;
        int r;

        if (count(P, val) < 0)
            return -1;
        if (!strcmp(k, "image")) {
            r = 0;
        } else if (!strcmp(k, "final")) {
            r = get_bool(P, val, "final", &im->final);
        } else if (!strcmp(k, "dockerfile")) {
            r = get_name(P, val, "dockerfile", &im->dockerfile);
        } else if (!strcmp(k, "context")) {
            r = get_str(P, val, "context", &im->context);
        } else if (!strcmp(k, "contextAddFiles") || !strcmp(k, "contextAddFile")) {
            /* contextAddFile is werf's older spelling; one of the two may be used */
            if (!strcmp(k, "contextAddFile"))
                have_file = 1;
            else
                have_files = 1;
            if (have_file && have_files)
                return fail(P, m->v[i].k,
                            "use one of 'contextAddFiles' and 'contextAddFile'%s, not both",
                            of_image(P));
            r = get_strs(P, val, k, 1, &im->context_add_files, &im->ncontext_add_files);
        } else if (!strcmp(k, "target")) {
            r = get_name(P, val, "target", &im->target);
        } else if (!strcmp(k, "args")) {
            r = read_args(P, val, im);
        } else if (!strcmp(k, "addHost")) {
            r = get_strs(P, val, "addHost", 1, &im->add_hosts, &im->nadd_hosts);
        } else if (!strcmp(k, "network")) {
            r = get_name(P, val, "network", &im->network);
            if (!r && im->network && strcmp(im->network, "default") &&
                strcmp(im->network, "none") && strcmp(im->network, "host"))
                r = fail(P, val, "'network'%s must be default, none or host", of_image(P));
        } else if (!strcmp(k, "staged")) {
            r = get_bool(P, val, "staged", &staged);
        } else if (!strcmp(k, "platform")) {
            r = get_strs(P, val, "platform", 0, &im->platforms, &im->nplatforms);
        } else if (!strcmp(k, "cacheVersion")) {
            r = get_str(P, val, "cacheVersion", &im->cache_version);
        } else if (!strcmp(k, "dependencies")) {
            r = read_deps(P, val, im);
        } else if (!strcmp(k, "imageSpec") || !strcmp(k, "secrets") || !strcmp(k, "ssh")) {
            r = fail(P, m->v[i].k, "'%s' is not supported by dk", k);
        } else if (one_of(k, stapel_keys)) {
            r = fail(P, m->v[i].k, "'%s' (stapel images) is not supported by dk", k);
        } else {
            r = fail(P, m->v[i].k, "unknown key '%s' in image '%s'", k, name);
        }
        if (r < 0)
            return -1;
    }
    im->staged = staged; /* -1 until build.staged is known */
    set_image(P, NULL);
    return 0;
}

/* The names an image document defines: `image: a` or `image: [a, b]`. Fills names (borrowed
 * from the document) and their nodes. */
static int image_names(struct parser *P, yaml_node_t *v, const char ***names, yaml_node_t ***at,
                       size_t *n)
{
    yaml_node_item_t *it;
    size_t i;

    if (is_scalar(v) && !is_null(v)) {
        *names = grow(*names, *n, sizeof(**names));
        *at = grow(*at, *n, sizeof(**at));
        (*names)[*n] = text(v);
        (*at)[(*n)++] = v;
    } else if (v->type == YAML_SEQUENCE_NODE) {
        for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
            yaml_node_t *item = node(P, *it);

            if (count(P, item) < 0)
                return -1;
            if (!is_scalar(item) || is_null(item))
                return fail(P, item, "'image' must be a name or a list of names");
            *names = grow(*names, *n, sizeof(**names));
            *at = grow(*at, *n, sizeof(**at));
            (*names)[*n] = text(item);
            (*at)[(*n)++] = item;
        }
        if (!*n)
            return fail(P, v, "'image' must name at least one image");
    } else {
        return fail(P, v, "'image' must be a name or a list of names");
    }
    for (i = 0; i < *n; i++) {
        if (strlen((*names)[i]) != (*at)[i]->data.scalar.length || !valid_image_name((*names)[i]))
            return fail(P, (*at)[i],
                        "invalid image name '%s': no blanks, and '/' only between parts",
                        (*names)[i]);
    }
    return 0;
}

static int read_image_doc(struct parser *P, yaml_node_t *iv, const struct kvs *m,
                          struct dk_config *c)
{
    const char **names = NULL;
    yaml_node_t **at = NULL;
    size_t n = 0, i;
    int rc = -1;

    if (image_names(P, iv, &names, &at, &n) < 0)
        goto out;
    for (i = 0; i < n; i++) {
        c->images = grow(c->images, c->nimages, sizeof(*c->images));
        rc = read_image(P, m, names[i], at[i], &c->images[c->nimages]);
        c->nimages++;
        if (rc < 0)
            goto out;
    }
    rc = 0;
out:
    free(names);
    free(at);
    return rc;
}

/* ---- the dependency graph */

struct named {
    const char *name;
    size_t idx;
};

static int named_cmp(const void *a, const void *b)
{
    const struct named *x = a, *y = b;
    int r = strcmp(x->name, y->name);

    if (r)
        return r;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int named_find(const void *key, const void *elem)
{
    return strcmp(key, ((const struct named *)elem)->name);
}

/* The images sorted by name (then file order). Caller frees. */
static struct named *by_name(const struct dk_config *c)
{
    struct named *v = dk_xcalloc(c->nimages ? c->nimages : 1, sizeof(*v));
    size_t i;

    for (i = 0; i < c->nimages; i++) {
        v[i].name = c->images[i].name;
        v[i].idx = i;
    }
    qsort(v, c->nimages, sizeof(*v), named_cmp);
    return v;
}

/* Edges: image i depends on images edge[start[i] .. start[i+1]), one per entry of deps. */
struct graph {
    size_t *start;
    size_t *edge;
};

static void graph_release(struct graph *g)
{
    free(g->start);
    free(g->edge);
    g->start = g->edge = NULL;
}

static int graph_build(const struct dk_config *c, const char *name, struct graph *g,
                       struct dk_err *err)
{
    struct named *idx = by_name(c);
    size_t i, j, e = 0, total = 0;

    for (i = 0; i < c->nimages; i++)
        total += c->images[i].ndeps;
    g->start = dk_xcalloc(c->nimages + 1, sizeof(*g->start));
    g->edge = dk_xcalloc(total ? total : 1, sizeof(*g->edge));
    for (i = 0; i < c->nimages; i++) {
        const struct dk_config_image *im = &c->images[i];

        g->start[i] = e;
        for (j = 0; j < im->ndeps; j++) {
            const struct named *hit =
                im->deps[j].image
                    ? bsearch(im->deps[j].image, idx, c->nimages, sizeof(*idx), named_find)
                    : NULL;

            if (!hit) {
                fail_at(err, name, im->deps[j].line, "dependency '%s' of image '%s' is not defined",
                        im->deps[j].image ? im->deps[j].image : "", im->name);
                free(idx);
                graph_release(g);
                return -1;
            }
            g->edge[e++] = hit->idx;
        }
    }
    g->start[c->nimages] = e;
    free(idx);
    return 0;
}

static void heap_push(size_t *h, size_t *n, size_t v)
{
    size_t i = (*n)++;

    while (i > 0 && h[(i - 1) / 2] > v) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = v;
}

static size_t heap_pop(size_t *h, size_t *n)
{
    size_t top = h[0], v = h[--*n], i = 0;

    for (;;) {
        size_t l = 2 * i + 1, m = l;

        if (l >= *n)
            break;
        if (l + 1 < *n && h[l + 1] < h[l])
            m = l + 1;
        if (h[m] >= v)
            break;
        h[i] = h[m];
        i = m;
    }
    if (*n)
        h[i] = v;
    return top;
}

/* Names a cycle among the images left unplaced (each has an unplaced dependency). */
static int cycle_error(const struct dk_config *c, const char *name, const struct graph *g,
                       const char *placed, struct dk_err *err)
{
    size_t n = c->nimages, *path = dk_xcalloc(n + 1, sizeof(*path));
    size_t *via = dk_xcalloc(n + 1, sizeof(*via)), *seen = dk_xcalloc(n, sizeof(*seen));
    size_t len = 0, cur = 0, i, first;
    struct dk_buf b = DK_BUF_INIT;
    int line;

    while (placed[cur])
        cur++;
    while (!seen[cur]) {
        size_t e;

        seen[cur] = len + 1;
        path[len] = cur;
        for (e = g->start[cur]; placed[g->edge[e]]; e++)
            ;
        via[len++] = e - g->start[cur];
        cur = g->edge[e];
    }
    first = seen[cur] - 1;
    for (i = first; i < len; i++)
        dk_buf_addf(&b, "%s -> ", c->images[path[i]].name);
    dk_buf_add(&b, c->images[cur].name);
    line = c->images[path[len - 1]].deps[via[len - 1]].line;
    fail_at(err, name, line, "dependency cycle: %s", b.buf);
    dk_buf_release(&b);
    free(path);
    free(via);
    free(seen);
    return -1;
}

/* Kahn's algorithm, taking the first image in file order among those ready. */
static int graph_order(const struct dk_config *c, const char *name, const struct graph *g,
                       size_t *order, struct dk_err *err)
{
    size_t n = c->nimages, i, e, done = 0, nheap = 0;
    size_t *waiting = dk_xcalloc(n ? n : 1, sizeof(*waiting));
    size_t *rstart = dk_xcalloc(n + 1, sizeof(*rstart));
    size_t *redge = dk_xcalloc(g->start[n] ? g->start[n] : 1, sizeof(*redge));
    size_t *heap = dk_xcalloc(n ? n : 1, sizeof(*heap));
    char *placed = dk_xcalloc(n ? n : 1, 1);
    int rc = 0;

    /* dependents of each image, for the countdown */
    for (i = 0; i < n; i++)
        for (e = g->start[i]; e < g->start[i + 1]; e++)
            rstart[g->edge[e] + 1]++;
    for (i = 0; i < n; i++)
        rstart[i + 1] += rstart[i];
    for (i = 0; i < n; i++)
        waiting[i] = rstart[i]; /* the next free slot of each image's dependents */
    for (i = 0; i < n; i++)
        for (e = g->start[i]; e < g->start[i + 1]; e++)
            redge[waiting[g->edge[e]]++] = i;
    for (i = 0; i < n; i++) {
        waiting[i] = g->start[i + 1] - g->start[i];
        if (!waiting[i])
            heap_push(heap, &nheap, i);
    }
    while (nheap) {
        size_t v = heap_pop(heap, &nheap);

        order[done++] = v;
        placed[v] = 1;
        for (e = rstart[v]; e < rstart[v + 1]; e++)
            if (--waiting[redge[e]] == 0)
                heap_push(heap, &nheap, redge[e]);
    }
    if (done < n)
        rc = cycle_error(c, name, g, placed, err);
    free(waiting);
    free(rstart);
    free(redge);
    free(heap);
    free(placed);
    return rc;
}

/* ---- the whole file */

static int yaml_error(struct parser *P, yaml_parser_t *yp, const char *text_, size_t len)
{
    const char *problem = yp->problem ? yp->problem : "cannot parse";
    yaml_mark_t m = yp->problem_mark;

    if (yp->error == YAML_MEMORY_ERROR)
        return dk_err_set(P->err, DK_E_FAIL, "%s: out of memory", P->name);
    if (yp->error == YAML_READER_ERROR) {
        size_t i, off = yp->problem_offset < len ? yp->problem_offset : len;

        memset(&m, 0, sizeof(m));
        for (i = 0; i < off; i++) {
            if (text_[i] == '\n') {
                m.line++;
                m.column = 0;
            } else if (((unsigned char)text_[i] & 0xc0) != 0x80) {
                m.column++;
            }
        }
    }
    if (yp->context)
        return fail_at(P->err, P->name, (int)m.line + 1, "invalid YAML at column %zu: %s %s",
                       m.column + 1, yp->context, problem);
    return fail_at(P->err, P->name, (int)m.line + 1, "invalid YAML at column %zu: %s", m.column + 1,
                   problem);
}

/* Reads one document. *meta_line is the line of the meta document once seen. */
static int read_doc(struct parser *P, struct dk_config *c, int *meta_line)
{
    yaml_node_t *root = yaml_document_get_root_node(P->doc);
    yaml_node_t *iv, *av;
    struct kvs m;
    int rc = -1;

    if (is_null(root))
        return 0; /* an empty document, as after a trailing "---" */
    if (pairs(P, root, "a document", &m) < 0)
        goto out;
    iv = lookup(&m, "image");
    av = lookup(&m, "artifact");
    if (lookup(&m, "project") || lookup(&m, "configVersion")) {
        if (*meta_line) {
            fail(P, root, "a second meta document (with 'project'); the first is at line %d",
                 *meta_line);
            goto out;
        }
        *meta_line = line_of(root);
        rc = read_meta(P, root, &m, c);
    } else if (iv) {
        rc = read_image_doc(P, iv, &m, c);
    } else if (av) {
        size_t i;

        for (i = 0; i < m.n && strcmp(m.v[i].key, "artifact"); i++)
            ;
        rc = fail(P, m.v[i].k, "'artifact' (stapel images) is not supported by dk");
    } else {
        rc = fail(P, root,
                  "a document must have 'image' (or be the meta document, with "
                  "'project')");
    }
out:
    free(m.v);
    return rc;
}

static int parse(struct parser *P, struct dk_config *c, const char *text_, size_t len)
{
    yaml_parser_t yp;
    yaml_document_t doc;
    struct named *idx = NULL;
    struct graph g = {NULL, NULL};
    size_t i, *order = NULL, dup = SIZE_MAX;
    int rc = -1, meta_line = 0;

    if (!yaml_parser_initialize(&yp))
        return dk_err_set(P->err, DK_E_FAIL, "%s: out of memory", P->name);
    yaml_parser_set_input_string(&yp, (const unsigned char *)text_, len);
    for (;;) {
        int r;

        if (!yaml_parser_load(&yp, &doc)) {
            yaml_error(P, &yp, text_, len);
            goto out;
        }
        if (!yaml_document_get_root_node(&doc)) {
            yaml_document_delete(&doc);
            break;
        }
        P->doc = &doc;
        r = read_doc(P, c, &meta_line);
        P->doc = NULL;
        set_image(P, NULL);
        yaml_document_delete(&doc);
        if (r < 0)
            goto out;
    }
    if (!meta_line) {
        fail_at(P->err, P->name, 0,
                "'project' is required (a document with project and "
                "configVersion: 1)");
        goto out;
    }
    for (i = 0; i < c->nimages; i++)
        if (c->images[i].staged < 0)
            c->images[i].staged = c->staged;
    /* names are unique: report the first image that repeats an earlier one */
    idx = by_name(c);
    for (i = 1; i < c->nimages; i++)
        if (!strcmp(idx[i - 1].name, idx[i].name) && idx[i].idx < dup)
            dup = idx[i].idx;
    if (dup != SIZE_MAX) {
        fail_at(P->err, P->name, c->images[dup].line, "image '%s' is defined twice",
                c->images[dup].name);
        goto out;
    }
    if (graph_build(c, P->name, &g, P->err) < 0)
        goto out;
    order = dk_xcalloc(c->nimages ? c->nimages : 1, sizeof(*order));
    if (graph_order(c, P->name, &g, order, P->err) < 0)
        goto out;
    rc = 0;
out:
    free(order);
    graph_release(&g);
    free(idx);
    yaml_parser_delete(&yp);
    return rc;
}

/* ---- public */

void dk_config_init(struct dk_config *c)
{
    memset(c, 0, sizeof(*c));
}

void dk_config_release(struct dk_config *c)
{
    size_t i;

    free(c->path);
    free(c->project);
    free(c->cache_version);
    strs_free(&c->platforms, &c->nplatforms);
    for (i = 0; i < c->nimages; i++)
        image_release(&c->images[i]);
    free(c->images);
    for (i = 0; i < c->cleanup.n; i++)
        keep_policy_release(&c->cleanup.policies[i]);
    free(c->cleanup.policies);
    free(c->helm_chart_dir);
    memset(c, 0, sizeof(*c));
}

int dk_config_parse(struct dk_config *c, const char *name_for_messages, const char *text_,
                    size_t len, struct dk_err *err)
{
    struct parser P;
    const char *name = name_for_messages ? name_for_messages : "config";
    size_t i;

    dk_config_init(c);
    /* a Go template must be rendered first, and dk cannot yet */
    for (i = 0; i + 1 < len; i++) {
        if (text_[i] == '{' && text_[i + 1] == '{') {
            size_t j;
            int line = 1;

            for (j = 0; j < i; j++)
                line += text_[j] == '\n';
            return dk_err_set(err, DK_E_INPUT,
                              "%s: Go templates in the configuration are not supported yet "
                              "(line %d)",
                              name, line);
        }
    }
    c->path = dk_xstrdup(name);
    c->helm_chart_dir = dk_xstrdup(".helm");
    c->cleanup.keep_images_built_within_last_n_hours = 2;
    memset(&P, 0, sizeof(P));
    P.name = name;
    P.err = err;
    if (parse(&P, c, text_, len) < 0) {
        dk_config_release(c);
        return -1;
    }
    return 0;
}

int dk_config_load(struct dk_config *c, const char *project_dir, struct dk_err *err)
{
    static const char *const files[] = {"dk.yaml", "dk.yml", "werf.yaml", "werf.yml"};
    const char *dir = project_dir && *project_dir ? project_dir : ".";
    struct dk_buf text_ = DK_BUF_INIT;
    char *path = NULL;
    size_t i;
    int rc = -1;

    dk_config_init(c);
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        struct stat st;

        free(path);
        path = dk_xasprintf("%s/%s", dir, files[i]);
        if (stat(path, &st) == 0)
            break;
        if (errno != ENOENT && errno != ENOTDIR) {
            dk_err_set(err, DK_E_IO, "cannot read '%s': %s", path, strerror(errno));
            goto out;
        }
    }
    if (i == sizeof(files) / sizeof(files[0])) {
        dk_err_set(err, DK_E_INPUT, "no dk.yaml or werf.yaml in '%s'", dir);
        goto out;
    }
    dk_buf_init_max(&text_, DK_CONFIG_MAX_SIZE);
    if (dk_buf_read_file(&text_, path) < 0) {
        if (errno == E2BIG)
            dk_err_set(err, DK_E_INPUT, "'%s' is larger than %d bytes", path, DK_CONFIG_MAX_SIZE);
        else
            dk_err_set(err, DK_E_IO, "cannot read '%s': %s", path, strerror(errno));
        goto out;
    }
    if (dk_config_parse(c, files[i], text_.buf, text_.len, err) < 0)
        goto out;
    free(c->path);
    c->path = path;
    path = NULL;
    rc = 0;
out:
    free(path);
    dk_buf_release(&text_);
    return rc;
}

const struct dk_config_image *dk_config_image(const struct dk_config *c, const char *name)
{
    size_t i;

    for (i = 0; i < c->nimages; i++)
        if (!strcmp(c->images[i].name, name))
            return &c->images[i];
    return NULL;
}

int dk_config_order(const struct dk_config *c, size_t *order, struct dk_err *err)
{
    struct graph g = {NULL, NULL};
    const char *name = c->path ? c->path : "config";
    int rc;

    if (graph_build(c, name, &g, err) < 0)
        return -1;
    rc = graph_order(c, name, &g, order, err);
    graph_release(&g);
    return rc;
}
