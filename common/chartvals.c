/* chart values: Helm's coalescing, globals, dependency conditions, tags, aliases and
 * import-values (pkg/chart/common/util in Helm v4.1.4), on struct dk_val trees. */
#include <stdlib.h>
#include <string.h>

#include "chart_int.h"
#include "dk/log.h"

static int istable(const struct dk_val *v)
{
    return v && v->kind == DK_VAL_MAP;
}

struct dk_val *dk_chart_values_copy(struct dk_val *v)
{
    struct dk_val *n;
    size_t i;

    if (!v)
        return dk_val_nil();
    if (v->kind == DK_VAL_MAP) {
        n = dk_val_map();
        for (i = 0; i < v->u.map.n; i++)
            dk_val_map_set(n, v->u.map.k[i], dk_chart_values_copy(v->u.map.v[i]));
        return n;
    }
    if (v->kind == DK_VAL_LIST) {
        n = dk_val_list();
        for (i = 0; i < v->u.list.n; i++)
            dk_val_list_push(n, dk_chart_values_copy(v->u.list.v[i]));
        return n;
    }
    return dk_val_ref(v);
}

void dk_chart_map_del(struct dk_val *map, const char *key)
{
    size_t i;

    if (!istable(map))
        return;
    for (i = 0; i < map->u.map.n; i++) {
        if (strcmp(map->u.map.k[i], key) != 0)
            continue;
        free(map->u.map.k[i]);
        dk_val_unref(map->u.map.v[i]);
        memmove(&map->u.map.k[i], &map->u.map.k[i + 1],
                (map->u.map.n - i - 1) * sizeof(*map->u.map.k));
        memmove(&map->u.map.v[i], &map->u.map.v[i + 1],
                (map->u.map.n - i - 1) * sizeof(*map->u.map.v));
        map->u.map.n--;
        return;
    }
}

/* The keys of a map, copied (the map may change while they are walked). */
static char **keys_of(const struct dk_val *m, size_t *n)
{
    char **k = dk_xcalloc(m->u.map.n + 1, sizeof(*k));
    size_t i;

    for (i = 0; i < m->u.map.n; i++)
        k[i] = dk_xstrdup(m->u.map.k[i]);
    *n = m->u.map.n;
    return k;
}

static void keys_free(char **k, size_t n)
{
    while (n)
        free(k[--n]);
    free(k);
}

/* ---- user values: Helm's mergeMaps (later wins, maps merge) ---- */

void dk_chart_values_merge(struct dk_val *dst, struct dk_val *src)
{
    size_t i;

    for (i = 0; i < src->u.map.n; i++) {
        struct dk_val *sv = src->u.map.v[i], *dv = dk_val_map_get(dst, src->u.map.k[i]);

        if (istable(sv) && istable(dv))
            dk_chart_values_merge(dv, sv);
        else
            dk_val_map_set(dst, src->u.map.k[i], dk_chart_values_copy(sv));
    }
}

/* ---- coalescing ---- */

static char *concat_prefix(const char *a, const char *b)
{
    return *a ? dk_xasprintf("%s.%s", a, b) : dk_xstrdup(b);
}

static void coalesce_tables(struct dk_val *dst, struct dk_val *src, const char *prefix, int merge)
{
    char **keys;
    size_t n, i;

    if (!src || !dst)
        return;
    for (i = 0; i < dst->u.map.n; i++)
        if (dst->u.map.v[i]->kind == DK_VAL_NIL)
            dk_val_map_set(src, dst->u.map.k[i], dk_val_nil());
    keys = keys_of(src, &n);
    for (i = 0; i < n; i++) {
        struct dk_val *val = dk_val_map_get(src, keys[i]);
        struct dk_val *dv = dk_val_map_get(dst, keys[i]);
        char *full = concat_prefix(prefix, keys[i]);

        if (dv && !merge && dv->kind == DK_VAL_NIL) {
            dk_chart_map_del(dst, keys[i]);
        } else if (!dv) {
            dk_val_map_set(dst, keys[i], dk_val_ref(val));
        } else if (istable(val)) {
            if (istable(dv))
                coalesce_tables(dv, val, full, merge);
            else
                dk_log_warn("warning: cannot overwrite table with non table for %s", full);
        } else if (istable(dv) && val->kind != DK_VAL_NIL) {
            dk_log_warn("warning: destination for %s is a table. Ignoring non-table value", full);
        }
        free(full);
    }
    keys_free(keys, n);
}

static int is_child(const struct dk_chart *c, const char *key)
{
    size_t i;

    for (i = 0; i < c->ndeps; i++)
        if (!strcmp(c->deps[i]->name, key))
            return 1;
    return 0;
}

static void coalesce_values(struct dk_chart *c, struct dk_val *v, const char *prefix, int merge)
{
    char *sub = concat_prefix(prefix, c->name);
    struct dk_val *vc = dk_chart_values_copy(c->values);
    size_t i;

    for (i = 0; i < vc->u.map.n; i++) {
        const char *key = vc->u.map.k[i];
        struct dk_val *val = vc->u.map.v[i], *value = dk_val_map_get(v, key);

        if (!value) {
            dk_val_map_set(v, key, dk_val_ref(val));
        } else if (value->kind == DK_VAL_NIL && !merge) {
            dk_chart_map_del(v, key);
        } else if (istable(value)) {
            if (!istable(val)) {
                if (val->kind != DK_VAL_NIL)
                    dk_log_warn("warning: skipped value for %s.%s: Not a table.", sub, key);
            } else {
                char *full = concat_prefix(sub, key);

                coalesce_tables(value, val, full, is_child(c, key) ? 1 : merge);
                free(full);
            }
        }
    }
    dk_val_unref(vc);
    free(sub);
}

static void coalesce_globals(struct dk_val *dest, struct dk_val *src, const char *prefix)
{
    struct dk_val *dg = dk_val_map_get(dest, "global"), *sg = dk_val_map_get(src, "global");
    size_t i;

    if (dg && !istable(dg)) {
        dk_log_warn("warning: skipping globals because destination global is not a table.");
        return;
    }
    if (sg && !istable(sg)) {
        dk_log_warn("warning: skipping globals because source global is not a table.");
        return;
    }
    dg = dg ? dk_val_ref(dg) : dk_val_map();
    for (i = 0; sg && i < sg->u.map.n; i++) {
        const char *key = sg->u.map.k[i];
        struct dk_val *val = sg->u.map.v[i], *dv = dk_val_map_get(dg, key);

        if (istable(val)) {
            struct dk_val *vv = dk_chart_values_copy(val);

            if (!dv) {
                dk_val_map_set(dg, key, vv);
            } else if (!istable(dv)) {
                dk_log_warn("Conflict: cannot merge map onto non-map for \"%s\". Skipping.", key);
                dk_val_unref(vv);
            } else {
                char *full = concat_prefix(prefix, key);

                coalesce_tables(vv, dv, full, 1);
                free(full);
                dk_val_map_set(dg, key, vv);
            }
        } else if (dv && istable(dv)) {
            dk_log_warn("key %s is table. Skipping", key);
        } else {
            dk_val_map_set(dg, key, dk_val_ref(val));
        }
    }
    dk_val_map_set(dest, "global", dg);
}

static void coalesce(struct dk_chart *c, struct dk_val *dest, const char *prefix, int merge);

static void coalesce_deps(struct dk_chart *c, struct dk_val *dest, const char *prefix, int merge)
{
    size_t i;

    for (i = 0; i < c->ndeps; i++) {
        struct dk_chart *sc = c->deps[i];
        struct dk_val *dv = dk_val_map_get(dest, sc->name);
        char *sub;

        if (!dv) {
            dk_val_map_set(dest, sc->name, dk_val_map());
            dv = dk_val_map_get(dest, sc->name);
        } else if (!istable(dv)) {
            dk_log_warn("warning: type mismatch on %s: not a table", sc->name);
            continue;
        }
        sub = concat_prefix(prefix, c->name);
        coalesce_globals(dv, dest, sub);
        coalesce(sc, dv, sub, merge);
        free(sub);
    }
}

static void coalesce(struct dk_chart *c, struct dk_val *dest, const char *prefix, int merge)
{
    coalesce_values(c, dest, prefix, merge);
    coalesce_deps(c, dest, prefix, merge);
}

struct dk_val *dk_chart_coalesce(struct dk_chart *c, struct dk_val *vals, int merge)
{
    struct dk_val *dest = istable(vals) ? dk_chart_values_copy(vals) : dk_val_map();

    coalesce(c, dest, "", merge);
    return dest;
}

/* ---- dependencies ---- */

/* Values.Table(path): the map at a dotted path, or NULL. */
static struct dk_val *table(struct dk_val *v, const char *path)
{
    char *p = dk_xstrdup(path), *s = p, *dot;

    while (v && istable(v)) {
        dot = strchr(s, '.');
        if (dot)
            *dot = '\0';
        v = dk_val_map_get(v, s);
        if (!dot)
            break;
        s = dot + 1;
    }
    free(p);
    return istable(v) ? v : NULL;
}

/* Values.PathValue(path): a non-table value at a dotted path, or NULL. */
static struct dk_val *path_value(struct dk_val *v, const char *path)
{
    const char *dot = strrchr(path, '.');
    struct dk_val *t = v, *r;

    if (!*path)
        return NULL;
    if (dot) {
        char *head = dk_xstrndup(path, (size_t)(dot - path));

        t = table(v, head);
        free(head);
    }
    r = t ? dk_val_map_get(t, dot ? dot + 1 : path) : NULL;
    return r && !istable(r) ? r : NULL;
}

static void process_tags(struct dk_chart *c, struct dk_val *cvals)
{
    struct dk_val *vt = table(cvals, "tags");
    size_t i, j;

    if (!vt)
        return;
    for (i = 0; i < c->nreqs; i++) {
        struct dk_chart_dep *r = &c->reqs[i];
        int has_true = 0, has_false = 0;

        for (j = 0; j < r->tags.n; j++) {
            struct dk_val *tv = dk_val_map_get(vt, r->tags.v[j]);

            if (tv && tv->kind == DK_VAL_BOOL) {
                if (tv->u.b)
                    has_true = 1;
                else
                    has_false = 1;
            }
        }
        if (!has_true && has_false)
            r->enabled = 0;
        else if (has_true || (!has_true && !has_false))
            r->enabled = 1;
    }
}

static void process_conditions(struct dk_chart *c, struct dk_val *cvals, const char *cpath)
{
    size_t i;

    for (i = 0; i < c->nreqs; i++) {
        struct dk_chart_dep *r = &c->reqs[i];
        char *conds = dk_xstrdup(r->condition), *s = conds, *save = NULL, *tok;

        /* strings.Split(strings.TrimSpace(cond), ",") */
        while (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
        for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            char *path;
            struct dk_val *vv;
            size_t tl = strlen(tok);

            while (tl && (tok[tl - 1] == ' ' || tok[tl - 1] == '\t' || tok[tl - 1] == '\n'))
                tok[--tl] = '\0';
            if (!*tok)
                continue;
            path = dk_xasprintf("%s%s", cpath, tok);
            vv = path_value(cvals, path);
            free(path);
            if (vv && vv->kind == DK_VAL_BOOL) {
                r->enabled = vv->u.b;
                break;
            }
            if (vv)
                dk_log_warn("condition path '%s' for chart %s returned non-bool value", tok,
                            r->name);
        }
        free(conds);
    }
}

static struct dk_chart *alias_dep(struct dk_chart *c, const struct dk_chart_dep *req)
{
    size_t i;

    for (i = 0; i < c->ndeps; i++) {
        struct dk_chart *n;

        if (strcmp(c->deps[i]->name, req->name) != 0)
            continue;
        n = dk_chart_clone(c->deps[i]);
        if (*req->alias) {
            free(n->name);
            n->name = dk_xstrdup(req->alias);
            cJSON_DeleteItemFromObjectCaseSensitive(n->meta, "name");
            cJSON_AddStringToObject(n->meta, "name", req->alias);
        }
        n->parent = c;
        return n;
    }
    return NULL;
}

static int req_listed(const struct dk_chart *c, const char *name)
{
    size_t i;

    for (i = 0; i < c->nreqs; i++)
        if (!strcmp(c->reqs[i].name, name))
            return 1;
    return 0;
}

static int process_enabled(struct dk_chart *c, struct dk_val *v, const char *path,
                           struct dk_err *err)
{
    struct dk_chart **nd;
    size_t nn = 0, i, k;
    struct dk_val *cvals;

    if (!c->nreqs)
        return 0;
    nd = dk_xcalloc(c->ndeps + c->nreqs + 1, sizeof(*nd));
    /* charts in charts/ that Chart.yaml does not list stay as they are */
    for (i = 0; i < c->ndeps; i++)
        if (!req_listed(c, c->deps[i]->name))
            nd[nn++] = c->deps[i];
    for (i = 0; i < c->nreqs; i++) {
        struct dk_chart *a = alias_dep(c, &c->reqs[i]);

        if (a)
            nd[nn++] = a;
        if (*c->reqs[i].alias) {
            free(c->reqs[i].name);
            c->reqs[i].name = dk_xstrdup(c->reqs[i].alias);
        }
    }
    /* the originals of listed charts were replaced by their copies */
    for (i = 0; i < c->ndeps; i++) {
        for (k = 0; k < nn; k++)
            if (nd[k] == c->deps[i])
                break;
        if (k == nn)
            dk_chart_free(c->deps[i]);
    }
    free(c->deps);
    c->deps = nd;
    c->ndeps = nn;
    for (i = 0; i < c->nreqs; i++)
        c->reqs[i].enabled = 1;
    cvals = dk_chart_coalesce(c, v, 0);
    process_tags(c, cvals);
    process_conditions(c, cvals, path);
    /* drop the disabled ones */
    for (i = 0, k = 0; i < c->ndeps; i++) {
        size_t r;
        int keep = 1;

        for (r = 0; r < c->nreqs; r++)
            if (!c->reqs[r].enabled && !strcmp(c->reqs[r].name, c->deps[i]->name))
                keep = 0;
        if (keep)
            c->deps[k++] = c->deps[i];
        else
            dk_chart_free(c->deps[i]);
    }
    c->ndeps = k;
    for (i = 0, k = 0; i < c->nreqs; i++) {
        if (c->reqs[i].enabled) {
            c->reqs[k++] = c->reqs[i];
        } else {
            free(c->reqs[i].name);
            free(c->reqs[i].version);
            free(c->reqs[i].repository);
            free(c->reqs[i].condition);
            free(c->reqs[i].alias);
            dk_strvec_release(&c->reqs[i].tags);
            dk_val_unref(c->reqs[i].import_values);
        }
    }
    c->nreqs = k;
    for (i = 0; i < c->ndeps; i++) {
        char *sub = dk_xasprintf("%s%s.", path, c->deps[i]->name);
        int rc = process_enabled(c->deps[i], cvals, sub, err);

        free(sub);
        if (rc < 0) {
            dk_val_unref(cvals);
            return -1;
        }
    }
    dk_val_unref(cvals);
    return 0;
}

/* pathToMap("a.b", data) = {a: {b: data}}; "." or "" = data */
static struct dk_val *path_to_map(const char *path, struct dk_val *data)
{
    const char *dot;
    struct dk_val *m;
    char *head;

    if (!*path || !strcmp(path, "."))
        return dk_chart_values_copy(data);
    dot = strchr(path, '.');
    m = dk_val_map();
    head = dot ? dk_xstrndup(path, (size_t)(dot - path)) : dk_xstrdup(path);
    dk_val_map_set(m, head, dot ? path_to_map(dot + 1, data) : dk_chart_values_copy(data));
    free(head);
    return m;
}

/* MergeTables(dst, src): dst wins, nulls kept. */
static void merge_tables(struct dk_val *dst, struct dk_val *src)
{
    coalesce_tables(dst, src, "", 1);
}

static void process_imports(struct dk_chart *c)
{
    struct dk_val *cvals, *b;
    size_t i, j;

    if (!c->nreqs)
        return;
    cvals = dk_chart_coalesce(c, NULL, 1);
    b = dk_val_map();
    for (i = 0; i < c->nreqs; i++) {
        struct dk_chart_dep *r = &c->reqs[i];
        struct dk_val *out;

        if (!r->import_values)
            continue;
        out = dk_val_list();
        for (j = 0; j < r->import_values->u.list.n; j++) {
            struct dk_val *iv = r->import_values->u.list.v[j];
            struct dk_buf child = DK_BUF_INIT, parent = DK_BUF_INIT;
            struct dk_val *vv, *m;
            char *tpath;

            if (iv->kind == DK_VAL_MAP) {
                dk_val_format(dk_val_map_get(iv, "child") ? dk_val_map_get(iv, "child")
                                                          : dk_val_nil(),
                              &child);
                dk_val_format(dk_val_map_get(iv, "parent") ? dk_val_map_get(iv, "parent")
                                                           : dk_val_nil(),
                              &parent);
            } else if (iv->kind == DK_VAL_STR) {
                dk_buf_addf(&child, "exports.%s", iv->u.str.s);
                dk_buf_add(&parent, ".");
            } else {
                continue;
            }
            m = dk_val_map();
            dk_val_map_set(m, "child", dk_val_str(child.buf ? child.buf : ""));
            dk_val_map_set(m, "parent", dk_val_str(parent.buf ? parent.buf : ""));
            dk_val_list_push(out, m);
            tpath = dk_xasprintf("%s.%s", r->name, child.buf ? child.buf : "");
            vv = table(cvals, tpath);
            free(tpath);
            if (vv) {
                struct dk_val *pm = path_to_map(iv->kind == DK_VAL_STR ? "" : parent.buf, vv);

                /* b = MergeTables(b, pm): b wins */
                merge_tables(b, pm);
                dk_val_unref(pm);
            } else {
                dk_log_warn("ImportValues missing table from chart %s: %s", r->name,
                            child.buf ? child.buf : "");
            }
            dk_buf_release(&child);
            dk_buf_release(&parent);
        }
        dk_val_unref(r->import_values);
        r->import_values = out;
    }
    /* imported values rank below the parent's own */
    merge_tables(cvals, b);
    dk_val_unref(b);
    dk_val_unref(c->values);
    c->values = cvals;
}

static void process_import_values(struct dk_chart *c)
{
    size_t i;

    for (i = 0; i < c->ndeps; i++)
        process_import_values(c->deps[i]);
    process_imports(c);
}

int dk_chart_process_deps(struct dk_chart *c, struct dk_val *user, struct dk_err *err)
{
    if (process_enabled(c, user, "", err) < 0)
        return -1;
    process_import_values(c);
    return 0;
}

char *dk_chart_full_path(const struct dk_chart *c)
{
    char *pp, *r;

    if (!c->parent)
        return dk_xstrdup(c->name);
    pp = dk_chart_full_path(c->parent);
    r = dk_xasprintf("%s/charts/%s", pp, c->name);
    free(pp);
    return r;
}
