/* chart rendering: the built-in objects, Helm's engine loop (pkg/engine) and the output of
 * `helm template` (pkg/action, pkg/release/v1/util) in Helm v4.1.4. */
#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chart_int.h"
#include "dk/base64.h"
#include "dk/jsonschema.h"
#include "dk/log.h"
#include "dk/tmplfuncs.h"
#include "dk/yaml.h"

#define DEFAULT_KUBE_VERSION "v1.35.0"
#define HELM_VERSION         "v4.1.4"

/* client-go's scheme as Helm v4.1.4 lists it (helm template without a cluster) */
static const char *const default_api_versions[] = {
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
};

/* Helm's InstallOrder */
static const char *const install_order[] = {
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
};

static const char *const hook_events[] = {
    "pre-install",  "post-install", "pre-delete",    "post-delete", "pre-upgrade",
    "post-upgrade", "pre-rollback", "post-rollback", "test",        "test-success",
};

/* ---- small helpers ---- */

static struct dk_val *str_val(struct dk_buf *b)
{
    size_t n;
    char *s = dk_buf_detach(b, &n);

    return s ? dk_val_str_owned(s, n) : dk_val_str("");
}

/* gobwas/glob with '/' as separator: * ? [..] [!..] {a,b} and ** across separators. */
int dk_chart_glob_match(const char *p, const char *s)
{
    while (*p) {
        switch (*p) {
        case '*': {
            int super = p[1] == '*';
            const char *rest = p + (super ? 2 : 1);

            for (;;) {
                if (dk_chart_glob_match(rest, s))
                    return 1;
                if (!*s || (!super && *s == '/'))
                    return 0;
                s++;
            }
        }
        case '?':
            if (!*s || *s == '/')
                return 0;
            p++;
            s++;
            break;
        case '[': {
            const char *q = p + 1;
            int neg = *q == '!', hit = 0;

            if (neg)
                q++;
            if (!*s)
                return 0;
            while (*q && *q != ']') {
                if (q[1] == '-' && q[2] && q[2] != ']') {
                    if ((unsigned char)*s >= (unsigned char)q[0] &&
                        (unsigned char)*s <= (unsigned char)q[2])
                        hit = 1;
                    q += 3;
                } else {
                    if (*q == *s)
                        hit = 1;
                    q++;
                }
            }
            if (*q != ']' || hit == neg)
                return 0;
            p = q + 1;
            s++;
            break;
        }
        case '{': {
            const char *close = strchr(p, '}'), *alt = p + 1;

            if (!close)
                return *s == '{' && dk_chart_glob_match(p + 1, s + 1);
            while (alt <= close) {
                const char *e = alt;
                char *cand;
                int ok;

                while (e < close && *e != ',')
                    e++;
                cand = dk_xasprintf("%.*s%s", (int)(e - alt), alt, close + 1);
                ok = dk_chart_glob_match(cand, s);
                free(cand);
                if (ok)
                    return 1;
                alt = e + 1;
            }
            return 0;
        }
        case '\\':
            if (p[1])
                p++;
            /* fall through */
        default:
            if (*p != *s)
                return 0;
            p++;
            s++;
        }
    }
    return *s == '\0';
}

/* ---- .Files ---- */

static const struct dk_val_methods files_methods;

static int arg_str(struct dk_val **args, size_t n, size_t want, const char *fn, struct dk_err *err)
{
    size_t i;

    if (n != want)
        return dk_err_set(err, DK_E_FAIL, "wrong number of args for %s: want %zu got %zu", fn, want,
                          n);
    for (i = 0; i < n; i++)
        if (args[i]->kind != DK_VAL_STR)
            return dk_err_set(err, DK_E_FAIL, "wrong type for value; expected string; got %s",
                              dk_val_type_name(args[i]));
    return 0;
}

static int files_get(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                     struct dk_err *err)
{
    struct dk_val *v;

    if (arg_str(args, n, 1, "Get", err) < 0)
        return -1;
    v = dk_val_map_get(c->ud, args[0]->u.str.s);
    *out = v ? dk_val_ref(v) : dk_val_str("");
    return 0;
}

static struct dk_val *files_new(void)
{
    struct dk_val *m = dk_val_map();

    m->methods = &files_methods;
    return m;
}

static int files_glob(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                      struct dk_err *err)
{
    struct dk_val *f = c->ud, *m;
    size_t i;

    if (arg_str(args, n, 1, "Glob", err) < 0)
        return -1;
    m = files_new();
    for (i = 0; i < f->u.map.n; i++)
        if (dk_chart_glob_match(args[0]->u.str.s, f->u.map.k[i]))
            dk_val_map_set(m, f->u.map.k[i], dk_val_ref(f->u.map.v[i]));
    *out = m;
    return 0;
}

static int files_lines(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                       struct dk_err *err)
{
    struct dk_val *v, *l = dk_val_list();
    const char *s, *e, *end;

    if (arg_str(args, n, 1, "Lines", err) < 0) {
        dk_val_unref(l);
        return -1;
    }
    v = dk_val_map_get(c->ud, args[0]->u.str.s);
    *out = l;
    if (!v || v->kind != DK_VAL_STR || !v->u.str.len)
        return 0;
    s = v->u.str.s;
    end = s + v->u.str.len;
    if (end[-1] == '\n')
        end--;
    for (;;) {
        e = memchr(s, '\n', (size_t)(end - s));
        dk_val_list_push(l, dk_val_strn(s, e ? (size_t)(e - s) : (size_t)(end - s)));
        if (!e)
            break;
        s = e + 1;
    }
    return 0;
}

static int files_as(struct dk_tmpl_call *c, size_t n, struct dk_val **out, struct dk_err *err,
                    int secrets)
{
    struct dk_val *f = c->ud, *m;
    struct dk_buf b = DK_BUF_INIT;
    size_t i;

    if (n != 0)
        return dk_err_set(err, DK_E_FAIL, "wrong number of args: want 0 got %zu", n);
    m = dk_val_map();
    for (i = 0; i < f->u.map.n; i++) {
        const char *base = strrchr(f->u.map.k[i], '/');
        struct dk_val *v = f->u.map.v[i];

        base = base ? base + 1 : f->u.map.k[i];
        if (secrets) {
            char *enc = dk_base64_encode(v->u.str.s, v->u.str.len);

            dk_val_map_set(m, base, dk_val_str_owned(enc, strlen(enc)));
        } else {
            dk_val_map_set(m, base, dk_val_ref(v));
        }
    }
    dk_tmplfuncs_to_yaml(m, &b);
    dk_val_unref(m);
    *out = str_val(&b);
    return 0;
}

static int files_asconfig(struct dk_tmpl_call *c, struct dk_val **args, size_t n,
                          struct dk_val **out, struct dk_err *err)
{
    (void)args;
    return files_as(c, n, out, err, 0);
}

static int files_assecrets(struct dk_tmpl_call *c, struct dk_val **args, size_t n,
                           struct dk_val **out, struct dk_err *err)
{
    (void)args;
    return files_as(c, n, out, err, 1);
}

static const struct dk_val_method files_list[] = {
    {"Get", files_get},     {"GetBytes", files_get},      {"Glob", files_glob},
    {"Lines", files_lines}, {"AsConfig", files_asconfig}, {"AsSecrets", files_assecrets},
};
static const struct dk_val_methods files_methods = {
    "engine.files", files_list, sizeof(files_list) / sizeof(files_list[0]), NULL};

/* ---- .Capabilities ---- */

static void kubeversion_string(const struct dk_val *v, struct dk_buf *out)
{
    struct dk_val *s = dk_val_map_get(v, "Version");

    if (s && s->kind == DK_VAL_STR)
        dk_buf_addn(out, s->u.str.s, s->u.str.len);
}

static const struct dk_val_methods kubeversion_methods = {"common.KubeVersion", NULL, 0,
                                                          kubeversion_string};

static int versions_has(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                        struct dk_err *err)
{
    struct dk_val *l = c->ud;
    size_t i;

    if (arg_str(args, n, 1, "Has", err) < 0)
        return -1;
    for (i = 0; i < l->u.list.n; i++) {
        if (l->u.list.v[i]->kind == DK_VAL_STR &&
            !strcmp(l->u.list.v[i]->u.str.s, args[0]->u.str.s)) {
            *out = dk_val_bool(1);
            return 0;
        }
    }
    *out = dk_val_bool(0);
    return 0;
}

static const struct dk_val_method versions_list[] = {{"Has", versions_has}};
static const struct dk_val_methods versions_methods = {"common.VersionSet", versions_list, 1, NULL};

static void helmversion_string(const struct dk_val *v, struct dk_buf *out)
{
    static const char *const order[] = {"Version", "GitCommit", "GitTreeState", "GoVersion",
                                        "KubeClientVersion"};
    size_t i;

    dk_buf_addch(out, '{');
    for (i = 0; i < 5; i++) {
        struct dk_val *s = dk_val_map_get(v, order[i]);

        if (i)
            dk_buf_addch(out, ' ');
        if (s)
            dk_val_format(s, out);
    }
    dk_buf_addch(out, '}');
}

static const struct dk_val_methods helmversion_methods = {"common.HelmVersion", NULL, 0,
                                                          helmversion_string};

/* --kube-version as Helm v4 reads it (Kubernetes' ParseGeneric): an optional v, two or more
 * dot-separated numbers, anything after them ignored; "1.29" stays v1.29. */
static int parse_kube_version(const char *s, struct dk_val **out, struct dk_err *err)
{
    struct dk_buf v = DK_BUF_INIT;
    const char *p = s;
    char major[24] = "", minor[24] = "";
    int fields = 0;
    struct dk_val *m;

    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == 'v')
        p++;
    dk_buf_addch(&v, 'v');
    for (;;) {
        const char *d = p;

        while (*p >= '0' && *p <= '9')
            p++;
        if (p - d > 1 && *d == '0') {
            dk_buf_release(&v);
            return dk_err_set(err, DK_E_USAGE,
                              "invalid kube version '%s': illegal zero-prefixed version component "
                              "\"%.*s\" in \"%s\"",
                              s, (int)(p - d), d, s);
        }
        if (p == d || p - d > 18)
            break;
        if (fields)
            dk_buf_addch(&v, '.');
        dk_buf_addn(&v, d, (size_t)(p - d));
        if (fields < 2)
            snprintf(fields ? minor : major, sizeof(major), "%.*s", (int)(p - d), d);
        fields++;
        if (*p != '.' || !(p[1] >= '0' && p[1] <= '9'))
            break;
        p++;
    }
    if (fields < 2) {
        dk_buf_release(&v);
        return dk_err_set(err, DK_E_USAGE,
                          "invalid kube version '%s': illegal version string \"%s\"", s, s);
    }
    m = dk_val_map();
    m->methods = &kubeversion_methods;
    dk_val_map_set(m, "Version", dk_val_str(v.buf));
    dk_val_map_set(m, "GitVersion", dk_val_str(v.buf));
    dk_val_map_set(m, "Major", dk_val_str(major));
    dk_val_map_set(m, "Minor", dk_val_str(minor));
    dk_buf_release(&v);
    *out = m;
    return 0;
}

static int capabilities(const struct dk_chart_render_opts *o, struct dk_val **out,
                        struct dk_err *err)
{
    struct dk_val *caps = dk_val_map(), *kv = NULL, *av = dk_val_list(), *hv = dk_val_map();
    size_t i;

    if (parse_kube_version(o->kube_version && *o->kube_version ? o->kube_version
                                                               : DEFAULT_KUBE_VERSION,
                           &kv, err) < 0) {
        dk_val_unref(caps);
        dk_val_unref(av);
        dk_val_unref(hv);
        return -1;
    }
    dk_val_map_set(caps, "KubeVersion", kv);
    av->methods = &versions_methods;
    for (i = 0; i < sizeof(default_api_versions) / sizeof(default_api_versions[0]); i++)
        dk_val_list_push(av, dk_val_str(default_api_versions[i]));
    for (i = 0; o->api_versions && i < o->api_versions->n; i++)
        dk_val_list_push(av, dk_val_str(o->api_versions->v[i]));
    dk_val_map_set(caps, "APIVersions", av);
    hv->methods = &helmversion_methods;
    dk_val_map_set(hv, "Version", dk_val_str(HELM_VERSION));
    dk_val_map_set(hv, "GitCommit", dk_val_str("05fa37973dc9e42b76e1d2883494c87174b6074f"));
    dk_val_map_set(hv, "GitTreeState", dk_val_str("clean"));
    dk_val_map_set(hv, "GoVersion", dk_val_str("go1.25.9"));
    dk_val_map_set(hv, "KubeClientVersion", dk_val_str("v1.35"));
    dk_val_map_set(caps, "HelmVersion", hv);
    *out = caps;
    return 0;
}

/* ---- .Chart ---- */

static struct dk_val *jval(const cJSON *o, const char *key, int kind)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);

    if (kind == DK_VAL_STR) {
        if (cJSON_IsString(j))
            return dk_val_str(j->valuestring);
        if (cJSON_IsNumber(j)) {
            struct dk_buf b = DK_BUF_INIT;
            struct dk_val *f = dk_val_float(j->valuedouble);

            dk_val_format(f, &b);
            dk_val_unref(f);
            return str_val(&b);
        }
        return dk_val_str("");
    }
    if (kind == DK_VAL_BOOL)
        return dk_val_bool(cJSON_IsTrue(j));
    if (kind == DK_VAL_LIST) {
        struct dk_val *l = dk_val_list();
        const cJSON *e;

        if (cJSON_IsArray(j))
            cJSON_ArrayForEach(e, j) dk_val_list_push(l, dk_val_from_json(e));
        return l;
    }
    return cJSON_IsObject(j) ? dk_val_from_json(j) : dk_val_map();
}

static struct dk_val *chart_object(const struct dk_chart *c)
{
    struct dk_val *m = dk_val_map(), *deps = dk_val_list(), *maint = dk_val_list();
    const cJSON *mj = cJSON_GetObjectItemCaseSensitive(c->meta, "maintainers"), *e;
    size_t i, k;

    dk_val_map_set(m, "APIVersion", jval(c->meta, "apiVersion", DK_VAL_STR));
    dk_val_map_set(m, "Annotations", jval(c->meta, "annotations", DK_VAL_MAP));
    dk_val_map_set(m, "AppVersion", jval(c->meta, "appVersion", DK_VAL_STR));
    dk_val_map_set(m, "Condition", jval(c->meta, "condition", DK_VAL_STR));
    for (i = 0; i < c->nreqs; i++) {
        const struct dk_chart_dep *r = &c->reqs[i];
        struct dk_val *d = dk_val_map(), *tags = dk_val_list();

        dk_val_map_set(d, "Alias", dk_val_str(r->alias));
        dk_val_map_set(d, "Condition", dk_val_str(r->condition));
        dk_val_map_set(d, "Enabled", dk_val_bool(r->enabled));
        dk_val_map_set(d, "ImportValues",
                       r->import_values ? dk_val_ref(r->import_values) : dk_val_list());
        dk_val_map_set(d, "Name", dk_val_str(r->name));
        dk_val_map_set(d, "Repository", dk_val_str(r->repository));
        for (k = 0; k < r->tags.n; k++)
            dk_val_list_push(tags, dk_val_str(r->tags.v[k]));
        dk_val_map_set(d, "Tags", tags);
        dk_val_map_set(d, "Version", dk_val_str(r->version));
        dk_val_list_push(deps, d);
    }
    dk_val_map_set(m, "Dependencies", deps);
    dk_val_map_set(m, "Deprecated", jval(c->meta, "deprecated", DK_VAL_BOOL));
    dk_val_map_set(m, "Description", jval(c->meta, "description", DK_VAL_STR));
    dk_val_map_set(m, "Home", jval(c->meta, "home", DK_VAL_STR));
    dk_val_map_set(m, "Icon", jval(c->meta, "icon", DK_VAL_STR));
    dk_val_map_set(m, "IsRoot", dk_val_bool(c->parent == NULL));
    dk_val_map_set(m, "Keywords", jval(c->meta, "keywords", DK_VAL_LIST));
    dk_val_map_set(m, "KubeVersion", jval(c->meta, "kubeVersion", DK_VAL_STR));
    if (cJSON_IsArray(mj)) {
        cJSON_ArrayForEach(e, mj)
        {
            struct dk_val *x = dk_val_map();

            dk_val_map_set(x, "Email", jval(e, "email", DK_VAL_STR));
            dk_val_map_set(x, "Name", jval(e, "name", DK_VAL_STR));
            dk_val_map_set(x, "URL", jval(e, "url", DK_VAL_STR));
            dk_val_list_push(maint, x);
        }
    }
    dk_val_map_set(m, "Maintainers", maint);
    dk_val_map_set(m, "Name", dk_val_str(c->name));
    dk_val_map_set(m, "Sources", jval(c->meta, "sources", DK_VAL_LIST));
    dk_val_map_set(m, "Tags", jval(c->meta, "tags", DK_VAL_STR));
    dk_val_map_set(m, "Type", jval(c->meta, "type", DK_VAL_STR));
    dk_val_map_set(m, "Version", dk_val_str(c->version));
    return m;
}

/* ---- collecting templates (recAllTpls) ---- */

struct rtpl {
    char *name;       /* full template name */
    const char *text; /* borrowed from the chart */
    size_t len;
    struct dk_val *vals; /* the chart's object map (shared by its templates) */
    char *base;          /* BasePath */
};

struct rtpls {
    struct rtpl *v;
    size_t n, alloc;
};

static struct dk_val *collect(struct dk_chart *c, struct rtpls *out, struct dk_val *parent_next,
                              struct dk_val *top)
{
    struct dk_val *next = dk_val_map(), *subs = dk_val_map(), *files = files_new();
    char *full = dk_chart_full_path(c);
    size_t i;

    dk_val_map_set(next, "Chart", chart_object(c));
    for (i = 0; i < c->nfiles; i++)
        dk_val_map_set(files, c->files[i].name, dk_val_strn(c->files[i].data, c->files[i].len));
    dk_val_map_set(next, "Files", files);
    dk_val_map_set(next, "Release", dk_val_ref(dk_val_map_get(top, "Release")));
    dk_val_map_set(next, "Capabilities", dk_val_ref(dk_val_map_get(top, "Capabilities")));
    if (!c->parent) {
        dk_val_map_set(next, "Values", dk_val_ref(dk_val_map_get(top, "Values")));
    } else {
        struct dk_val *pv = dk_val_map_get(parent_next, "Values");
        struct dk_val *mine = pv && pv->kind == DK_VAL_MAP ? dk_val_map_get(pv, c->name) : NULL;

        dk_val_map_set(next, "Values",
                       mine && mine->kind == DK_VAL_MAP ? dk_val_ref(mine) : dk_val_map());
    }
    dk_val_map_set(next, "Subcharts", subs);
    for (i = 0; i < c->ndeps; i++)
        dk_val_map_set(subs, c->deps[i]->name, collect(c->deps[i], out, next, top));
    for (i = 0; i < c->ntemplates; i++) {
        const char *tn = c->templates[i].name, *base = strrchr(tn, '/');
        struct rtpl *t;
        size_t k;

        if (c->library && strncmp(base ? base + 1 : tn, "_", 1) != 0)
            continue;
        /* a later template of the same name replaces an earlier one (a Go map) */
        for (k = 0; k < out->n; k++)
            if (!strcmp(out->v[k].name, tn))
                break;
        if (out->n == out->alloc) {
            out->alloc = out->alloc ? out->alloc * 2 : 64;
            out->v = dk_xrealloc(out->v, out->alloc * sizeof(*out->v));
        }
        t = &out->v[out->n++];
        t->name = dk_xasprintf("%s/%s", full, tn);
        t->text = c->templates[i].data;
        t->len = c->templates[i].len;
        t->vals = dk_val_ref(next);
        t->base = dk_xasprintf("%s/templates", full);
    }
    free(full);
    return next;
}

static size_t count_slash(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += *s == '/';
    return n;
}

/* sort.Reverse(byPathLen): deeper paths first, then names in reverse order */
static int cmp_rtpl(const void *a, const void *b)
{
    const struct rtpl *x = a, *y = b;
    size_t cx = count_slash(x->name), cy = count_slash(y->name);

    if (cx != cy)
        return cx > cy ? -1 : 1;
    return -strcmp(x->name, y->name);
}

/* ---- errors in Helm's words ---- */

/* template: NAME:LINE: MSG -> parse error at (NAME:LINE): MSG */
static void parse_error(struct dk_err *err)
{
    char msg[sizeof(err->msg)];
    const char *p = err->msg, *loc, *last;
    size_t loclen;

    if (strncmp(p, "template: ", 10) != 0)
        return;
    loc = p + 10;
    last = strstr(loc, ": ");
    if (!last)
        return;
    loclen = (size_t)(last - loc);
    /* the message is the last ": "-separated token */
    {
        const char *q = last, *r;

        while ((r = strstr(q + 2, ": ")))
            q = r;
        last = q + 2;
    }
    snprintf(msg, sizeof(msg), "parse error at (%.*s): %s", (int)loclen, loc, last);
    dk_err_set(err, DK_E_INPUT, "%s", msg);
}

/*
 * Helm's reformatting of execution errors. required and fail (anywhere in the chain):
 * "execution error at (LOC): MSG" with the outermost location. A chain of include calls:
 * one block per level,
 *     LOC
 *       executing "NAME" at <NODE>:
 *         error calling include:
 * ending with the innermost message (or the raw error include returned). A single level
 * keeps Go's one-line text.
 */
static void exec_error(struct dk_err *err)
{
    static const char *const user[] = {"error calling required: ", "error calling fail: "};
    struct dk_buf b = DK_BUF_INIT;
    const char *s = err->msg, *q;
    size_t i, levels = 0;

    if (strncmp(s, "template: ", 10) != 0)
        return;
    for (i = 0; i < 2; i++) {
        const char *hit = strstr(s, user[i]), *loc_end = strstr(s + 10, ": ");

        if (hit && loc_end) {
            dk_buf_addf(&b, "execution error at (%.*s): %s", (int)(loc_end - s - 10), s + 10,
                        hit + strlen(user[i]));
            dk_err_set(err, DK_E_INPUT, "%s", b.buf);
            dk_buf_release(&b);
            return;
        }
    }
    while (!strncmp(s, "template: ", 10) && (q = strstr(s, ": executing \""))) {
        const char *name = q + 13, *name_end = strstr(name, "\" at <"), *node_end;

        if (!name_end || !(node_end = strstr(name_end + 6, ">: ")))
            break;
        if (levels)
            dk_buf_addch(&b, '\n');
        dk_buf_addf(&b, "%.*s\n  executing \"%.*s\" at <%.*s>:\n    ", (int)(q - s - 10), s + 10,
                    (int)(name_end - name), name, (int)(node_end - name_end - 6), name_end + 6);
        levels++;
        s = node_end + 3;
        if (!strncmp(s, "error calling include: ", 23)) {
            dk_buf_add(&b, "error calling include:");
            s += 23;
            continue;
        }
        dk_buf_add(&b, s);
        s = "";
        break;
    }
    if (*s && levels)
        dk_buf_addf(&b, "\n%s", s);
    if (levels > 1 || (levels == 1 && *s))
        dk_err_set(err, DK_E_FAIL, "%s", b.buf);
    dk_buf_release(&b);
}

/* ---- splitting and sorting the output ---- */

struct sdoc {
    struct dk_chart_doc d;
    int order; /* kind rank */
    int test;
    size_t seq;
};

struct sdocs {
    struct sdoc *v;
    size_t n, alloc;
};

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void trim(const char **s, size_t *n)
{
    while (*n && is_ws(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_ws((*s)[*n - 1]))
        (*n)--;
}

/*
 * releaseutil.SplitManifests: the regexp (?:^|\s*\n)---\s* over the trimmed text. A match
 * starts at the beginning of a run of whitespace that ends with "\n---", or at "---" at the
 * very start. Calls fn for every piece that is not empty, trimmed.
 */
void dk_chart_split_docs(const char *text, size_t len, void (*fn)(const char *, size_t, void *),
                         void *ud)
{
    const char *s = text, *end, *piece, *p, *nl;

    trim(&s, &len);
    end = s + len;
    piece = p = s;
    if (len >= 3 && !strncmp(s, "---", 3)) {
        for (p = s + 3; p < end && is_ws(*p); p++)
            ;
        piece = p;
    }
    /* \s*\n---\s* : a newline followed by "---" ends the document at the start of the
     * whitespace before that newline; the whitespace after the dashes is eaten */
    while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
        const char *ws = nl, *q;

        if (end - nl - 1 < 3 || strncmp(nl + 1, "---", 3) != 0) {
            p = nl + 1;
            continue;
        }
        while (ws > piece && is_ws(ws[-1]))
            ws--;
        if (ws > piece)
            fn(piece, (size_t)(ws - piece), ud);
        for (q = nl + 4; q < end && is_ws(*q); q++)
            ;
        piece = p = q;
    }
    if (end > piece)
        fn(piece, (size_t)(end - piece), ud);
}

struct split_ctx {
    struct sdocs *docs;
    const char *source;
    struct dk_err *err;
    int failed;
};

static int kind_rank(const char *kind)
{
    size_t i;

    for (i = 0; i < sizeof(install_order) / sizeof(install_order[0]); i++)
        if (!strcmp(install_order[i], kind))
            return (int)i;
    return -1;
}

static char *dup_or_empty(char *s)
{
    return s ? s : dk_xstrdup("");
}

/* One document of the output and what was read of its head (in parallel: see scan_all). */
struct piece {
    const char *source, *s;
    size_t n, file; /* file: index of the rendered file it came from */
    struct dk_yaml_head h;
    struct dk_err e;
    int rc;
};

struct pieces_list {
    struct piece *v;
    size_t n, alloc;
    const char *source;
    size_t file;
};

static void collect_piece(const char *s, size_t n, void *ud)
{
    struct pieces_list *l = ud;

    if (l->n == l->alloc) {
        l->alloc = l->alloc ? l->alloc * 2 : 64;
        l->v = dk_xrealloc(l->v, l->alloc * sizeof(*l->v));
    }
    memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
    l->v[l->n].source = l->source;
    l->v[l->n].s = s;
    l->v[l->n].n = n;
    l->v[l->n].file = l->file;
    l->n++;
}

struct scan_pool {
    struct piece *v;
    size_t n;
    size_t next; /* the next piece to take, under lock */
    pthread_mutex_t lock;
};

static void *scan_worker(void *arg)
{
    struct scan_pool *p = arg;

    for (;;) {
        size_t i;

        pthread_mutex_lock(&p->lock);
        i = p->next++;
        pthread_mutex_unlock(&p->lock);
        if (i >= p->n)
            return NULL;
        p->v[i].rc = dk_yaml_scan_head(p->v[i].s, p->v[i].n, &p->v[i].h, &p->v[i].e);
    }
}

/* Reads the heads of all documents: YAML parsing is most of a big chart's render, and the
 * documents are independent, so it runs on every core (up to 4) when there is enough text. */
static void scan_all(struct piece *v, size_t n)
{
    struct scan_pool p = {v, n, 0, PTHREAD_MUTEX_INITIALIZER};
    pthread_t th[3];
    size_t total = 0, i;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int nth = 0, k;

    for (i = 0; i < n; i++)
        total += v[i].n;
    if (total >= 128 * 1024 && n > 1)
        nth = cpus > 4 ? 3 : cpus > 1 ? (int)cpus - 1 : 0;
    for (k = 0; k < nth; k++)
        if (pthread_create(&th[k], NULL, scan_worker, &p) != 0)
            break;
    nth = k;
    scan_worker(&p);
    for (k = 0; k < nth; k++)
        pthread_join(th[k], NULL);
    pthread_mutex_destroy(&p.lock);
}

static void add_doc(struct piece *pc, struct split_ctx *x)
{
    struct dk_yaml_head h = pc->h;
    struct sdoc *d;
    const char *hook;
    const char *s = pc->s;
    size_t n = pc->n;

    memset(&pc->h, 0, sizeof(pc->h));
    if (x->failed) {
        dk_yaml_head_release(&h);
        return;
    }
    if (pc->rc < 0) {
        dk_err_set(x->err, DK_E_INPUT, "YAML parse error on %s: error converting YAML to JSON: %s",
                   x->source, pc->e.msg);
        x->failed = 1;
        return;
    }
    if (h.root == DK_YAML_HEAD_SEQ || h.root == DK_YAML_HEAD_SCALAR) {
        dk_err_set(x->err, DK_E_INPUT,
                   "YAML parse error on %s: error unmarshaling JSON: while decoding JSON: json: "
                   "cannot unmarshal %s into Go value of type releaseutil.SimpleHead",
                   x->source, h.root == DK_YAML_HEAD_SEQ ? "array" : "string");
        dk_yaml_head_release(&h);
        x->failed = 1;
        return;
    }
    if (x->docs->n == x->docs->alloc) {
        x->docs->alloc = x->docs->alloc ? x->docs->alloc * 2 : 64;
        x->docs->v = dk_xrealloc(x->docs->v, x->docs->alloc * sizeof(*x->docs->v));
    }
    d = &x->docs->v[x->docs->n];
    memset(d, 0, sizeof(*d));
    d->d.source = dk_xstrdup(x->source);
    d->d.text = dk_xstrndup(s, n);
    d->d.kind = dup_or_empty(h.kind);
    d->d.api_version = dup_or_empty(h.api_version);
    d->d.name = dup_or_empty(h.name);
    d->d.namespace = dup_or_empty(h.namespace);
    hook = h.hook;
    d->order = kind_rank(d->d.kind);
    d->seq = x->docs->n;
    if (hook) {
        char *ev = dk_xstrdup(hook), *t = ev;
        int unknown = 0;

        d->d.hook = 1;
        /* strings.Split(hooks, ","): an empty part is an unknown hook too */
        for (;;) {
            char *comma = strchr(t, ',');
            size_t i, tl;
            int known = 0;

            if (comma)
                *comma = '\0';
            while (is_ws(*t))
                t++;
            tl = strlen(t);
            while (tl && is_ws(t[tl - 1]))
                t[--tl] = '\0';
            for (i = 0; t[i]; i++)
                t[i] = (char)(t[i] >= 'A' && t[i] <= 'Z' ? t[i] + 32 : t[i]);
            for (i = 0; i < sizeof(hook_events) / sizeof(hook_events[0]); i++)
                if (!strcmp(hook_events[i], t))
                    known = 1;
            if (!known) {
                unknown = 1;
                break;
            }
            if (!strcmp(t, "test") || !strcmp(t, "test-success"))
                d->test = 1;
            if (!comma)
                break;
            t = comma + 1;
        }
        free(ev);
        if (unknown) {
            /* Helm drops documents with an unknown hook */
            free(d->d.source);
            free(d->d.text);
            free(d->d.kind);
            free(d->d.api_version);
            free(d->d.name);
            free(d->d.namespace);
            free(h.hook);
            return;
        }
    }
    x->docs->n++;
    free(h.hook);
}

/* lessByKind, stable */
static int cmp_kind(const void *a, const void *b)
{
    const struct sdoc *x = *(struct sdoc *const *)a, *y = *(struct sdoc *const *)b;

    if (x->order < 0 && y->order < 0) {
        int c = strcmp(x->d.kind, y->d.kind);

        if (c)
            return c;
    } else if (x->order < 0) {
        return 1;
    } else if (y->order < 0) {
        return -1;
    } else if (x->order != y->order) {
        return x->order < y->order ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void doc_release(struct dk_chart_doc *d)
{
    free(d->source);
    free(d->text);
    free(d->kind);
    free(d->name);
    free(d->api_version);
    free(d->namespace);
}

void dk_chart_output_release(struct dk_chart_output *out)
{
    size_t i;

    dk_buf_release(&out->yaml);
    for (i = 0; i < out->ndocs; i++)
        doc_release(&out->docs[i]);
    free(out->docs);
    free(out->notes);
    memset(out, 0, sizeof(*out));
}

/* Moves d into out (d is left empty). */
static void push_out_doc(struct dk_chart_output *out, struct dk_chart_doc *d)
{
    out->docs = dk_xrealloc(out->docs, (out->ndocs + 1) * sizeof(*out->docs));
    out->docs[out->ndocs++] = *d;
    memset(d, 0, sizeof(*d));
}

/* "---\n# Source: PATH\nDOC\n", without printf's byte-by-byte copy of big documents */
static void print_doc(struct dk_buf *b, const struct dk_chart_doc *d)
{
    dk_buf_add(b, "---\n# Source: ");
    dk_buf_add(b, d->source);
    dk_buf_addch(b, '\n');
    dk_buf_add(b, d->text);
    dk_buf_addch(b, '\n');
}

/* ---- CRDs ---- */

static int manifest_ext(const char *n)
{
    return dk_str_endswith(n, ".yaml") || dk_str_endswith(n, ".yml") || dk_str_endswith(n, ".json");
}

static void crds(const struct dk_chart *c, struct dk_buf *b, struct dk_chart_output *out)
{
    char *full = dk_chart_full_path(c);
    size_t i;

    for (i = 0; i < c->nfiles; i++) {
        struct dk_chart_doc d = {0};

        if (!dk_str_startswith(c->files[i].name, "crds/") || !manifest_ext(c->files[i].name))
            continue;
        d.source = dk_xasprintf("%s/%s", full, c->files[i].name);
        dk_buf_addf(b, "---\n# Source: %s\n", d.source);
        dk_buf_addn(b, c->files[i].data, c->files[i].len);
        dk_buf_addch(b, '\n');
        d.text = dk_xstrndup(c->files[i].data, c->files[i].len);
        d.kind = dk_xstrdup("CustomResourceDefinition");
        d.name = dk_xstrdup("");
        d.api_version = dk_xstrdup("");
        d.namespace = dk_xstrdup("");
        d.crd = 1;
        push_out_doc(out, &d);
        doc_release(&d);
    }
    free(full);
    for (i = 0; i < c->ndeps; i++)
        crds(c->deps[i], b, out);
}

/* ---- missing dependencies ---- */

static int check_deps(const struct dk_chart *c, struct dk_err *err)
{
    struct dk_buf missing = DK_BUF_INIT;
    size_t i, k;
    int rc = 0;

    for (i = 0; i < c->nreqs; i++) {
        for (k = 0; k < c->ndeps; k++)
            if (!strcmp(c->deps[k]->name, c->reqs[i].name))
                break;
        if (k == c->ndeps) {
            if (missing.len)
                dk_buf_add(&missing, ", ");
            dk_buf_add(&missing, c->reqs[i].name);
        }
    }
    if (missing.len)
        rc = dk_err_set(err, DK_E_INPUT,
                        "an error occurred while checking for chart dependencies. You may need "
                        "to run `helm dependency build` to fetch missing dependencies: found in "
                        "Chart.yaml, but missing in charts/ directory: %s",
                        missing.buf);
    dk_buf_release(&missing);
    return rc;
}

/* ---- schema validation ---- */

static int validate(const struct dk_chart *c, struct dk_val *vals, struct dk_buf *report,
                    struct dk_err *err)
{
    size_t i;

    if (c->schema) {
        struct dk_buf lines = DK_BUF_INIT;
        int rc = dk_jsonschema_validate(c->schema, vals, &lines, err);

        if (rc < 0) {
            /* a broken schema is reported with the violations, as helm does */
            dk_buf_reset(&lines);
            dk_buf_addf(&lines, "%s\n", err->msg);
            dk_err_init(err);
            rc = 1;
        }
        if (rc > 0) {
            dk_buf_addf(report, "%s:\n", c->name);
            dk_buf_addn(report, lines.buf ? lines.buf : "", lines.len);
        }
        dk_buf_release(&lines);
    }
    for (i = 0; i < c->ndeps; i++) {
        struct dk_val *sv = dk_val_map_get(vals, c->deps[i]->name);
        struct dk_val *empty = dk_val_map();
        int rc = validate(c->deps[i], sv && sv->kind == DK_VAL_MAP ? sv : empty, report, err);

        dk_val_unref(empty);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ---- the render ---- */

static int run_engine(struct dk_chart *c, struct dk_val *top, const struct dk_chart_render_opts *o,
                      struct dk_chart_output *out, struct sdocs *docs, struct dk_err *err)
{
    struct rtpls ts = {0};
    struct dk_tmpl t;
    struct dk_val *root;
    size_t i;
    int rc = 0;
    char *notes_name = dk_xasprintf("%s/templates/NOTES.txt", c->name);

    root = collect(c, &ts, NULL, top);
    dk_tmpl_init(&t);
    t.missing_error = o->strict;
    t.root_name = "gotpl";
    dk_tmplfuncs_register(&t, err);
    if (ts.n)
        qsort(ts.v, ts.n, sizeof(*ts.v), cmp_rtpl);
    dk_log_debug("render: %zu templates to parse", ts.n);
    for (i = 0; i < ts.n && rc == 0; i++) {
        rc = dk_tmpl_parse(&t, ts.v[i].name, ts.v[i].text, ts.v[i].len, err);
        if (rc < 0)
            parse_error(err);
    }
    dk_log_debug("render: parsed");
    /* execute in the same order; sort the results by name afterwards */
    {
        char **names = dk_xcalloc(ts.n + 1, sizeof(*names));
        char **texts = dk_xcalloc(ts.n + 1, sizeof(*texts));
        size_t *lens = dk_xcalloc(ts.n + 1, sizeof(*lens));
        size_t nr = 0, k;

        for (i = 0; i < ts.n && rc == 0; i++) {
            struct rtpl *r = &ts.v[i];
            const char *base = strrchr(r->name, '/');
            struct dk_val *tm;
            struct dk_buf b = DK_BUF_INIT;

            if (base[1] == '_')
                continue;
            tm = dk_val_map();
            dk_val_map_set(tm, "Name", dk_val_str(r->name));
            dk_val_map_set(tm, "BasePath", dk_val_str(r->base));
            dk_val_map_set(r->vals, "Template", tm);
            rc = dk_tmpl_exec(&t, r->name, r->vals, &b, err);
            if (rc < 0) {
                exec_error(err);
                err->code = DK_E_INPUT; /* the chart or its values are at fault */
                dk_buf_release(&b);
                break;
            }
            /* Helm removes every "<no value>" */
            {
                struct dk_buf clean = DK_BUF_INIT;
                const char *p = b.buf ? b.buf : "", *q;

                while ((q = strstr(p, "<no value>"))) {
                    dk_buf_addn(&clean, p, (size_t)(q - p));
                    p = q + 10;
                }
                dk_buf_add(&clean, p);
                names[nr] = dk_xstrdup(r->name);
                lens[nr] = clean.len;
                texts[nr] = dk_buf_detach(&clean, NULL);
                if (!texts[nr])
                    texts[nr] = dk_xstrdup("");
                nr++;
            }
            dk_buf_release(&b);
        }
        dk_log_debug("render: executed %zu templates", nr);
        /* SortManifests walks the files in sort.Strings order */
        for (i = 0; i < nr && rc == 0; i++) {
            size_t best = i;

            for (k = i + 1; k < nr; k++)
                if (strcmp(names[k], names[best]) < 0)
                    best = k;
            if (best != i) {
                char *tn = names[i], *tt = texts[i];
                size_t tl = lens[i];

                names[i] = names[best];
                texts[i] = texts[best];
                lens[i] = lens[best];
                names[best] = tn;
                texts[best] = tt;
                lens[best] = tl;
            }
        }
        {
            struct pieces_list pl = {0};
            size_t pk = 0;

            for (i = 0; i < nr; i++) {
                const char *s = texts[i];
                size_t n = lens[i];

                if (dk_str_endswith(names[i], "NOTES.txt")) {
                    if (!strcmp(names[i], notes_name) && !out->notes)
                        out->notes = dk_xstrdup(texts[i]);
                    continue;
                }
                trim(&s, &n);
                if (!n)
                    continue;
                pl.source = names[i];
                pl.file = i;
                dk_chart_split_docs(texts[i], lens[i], collect_piece, &pl);
            }
            scan_all(pl.v, pl.n);
            dk_log_debug("render: read the heads of %zu documents", pl.n);
            for (i = 0; i < nr; i++) {
                struct split_ctx x = {docs, names[i], err, 0};

                for (; pk < pl.n && pl.v[pk].file == i; pk++)
                    if (rc == 0)
                        add_doc(&pl.v[pk], &x);
                    else
                        dk_yaml_head_release(&pl.v[pk].h);
                if (x.failed)
                    rc = -1;
                free(texts[i]); /* the documents hold their own copies */
                texts[i] = NULL;
            }
            free(pl.v);
        }
        for (i = 0; i < nr; i++) {
            free(names[i]);
            free(texts[i]);
        }
        free(names);
        free(texts);
        free(lens);
    }
    for (i = 0; i < ts.n; i++) {
        free(ts.v[i].name);
        free(ts.v[i].base);
        dk_val_unref(ts.v[i].vals);
    }
    free(ts.v);
    /* the objects refer to each other through .Subcharts only downwards: no cycles */
    dk_val_unref(root);
    if (o->exit_soon) {
        static struct dk_tmpl *kept[8];
        static size_t nkept;

        if (nkept < sizeof(kept) / sizeof(kept[0])) {
            kept[nkept] = dk_xmalloc(sizeof(t));
            *kept[nkept++] = t;
        } else {
            dk_tmpl_release(&t);
        }
    } else {
        dk_tmpl_release(&t);
    }
    free(notes_name);
    return rc;
}

struct pieces {
    char **v;
    size_t n;
};

static void add_piece(const char *s, size_t n, void *ud)
{
    struct pieces *p = ud;

    p->v = dk_xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
    p->v[p->n++] = dk_xstrndup(s, n);
}

/* --show-only: helm splits its own output again and keeps the documents whose
 * "# Source: CHART/PATH" line has a PATH the pattern matches (filepath.Match). */
static int show_only(const struct dk_chart_render_opts *o, struct dk_chart_output *out,
                     struct dk_err *err)
{
    struct pieces p = {0};
    struct dk_buf b = DK_BUF_INIT;
    size_t i, k;
    int rc = 0;

    dk_chart_split_docs(out->yaml.buf ? out->yaml.buf : "", out->yaml.len, add_piece, &p);
    for (i = 0; i < o->show_only->n && rc == 0; i++) {
        const char *f = o->show_only->v[i];
        int found = 0;

        for (k = 0; k < p.n; k++) {
            const char *src = strstr(p.v[k], "# Source: "), *q, *eol;
            char *path;

            if (!src)
                continue;
            q = src + 10;
            while (*q && *q != '/' && *q != '\n')
                q++;
            if (*q != '/' || q == src + 10 || !q[1] || q[1] == '\n')
                continue;
            eol = strchr(q + 1, '\n');
            path = eol ? dk_xstrndup(q + 1, (size_t)(eol - q - 1)) : dk_xstrdup(q + 1);
            if (fnmatch(f, path, FNM_PATHNAME) == 0) {
                dk_buf_addf(&b, "---\n%s\n", p.v[k]);
                found = 1;
            }
            free(path);
        }
        if (!found)
            rc = dk_err_set(err, DK_E_USAGE, "could not find template %s in chart", f);
    }
    for (k = 0; k < p.n; k++)
        free(p.v[k]);
    free(p.v);
    if (rc < 0) {
        dk_buf_release(&b);
        return -1;
    }
    dk_buf_release(&out->yaml);
    out->yaml = b;
    return 0;
}

int dk_chart_render(struct dk_chart *c, const struct dk_chart_render_opts *o,
                    struct dk_chart_output *out, struct dk_err *err)
{
    struct dk_val *top = dk_val_map(), *rel = dk_val_map(), *caps = NULL, *vals = NULL;
    struct dk_val *user = o->values && o->values->kind == DK_VAL_MAP ? o->values : NULL;
    struct dk_buf report = DK_BUF_INIT;
    struct sdocs docs = {0};
    size_t i;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (c->library) {
        dk_err_set(err, DK_E_INPUT, "library charts are not installable");
        goto done;
    }
    if (check_deps(c, err) < 0)
        goto done;
    if (capabilities(o, &caps, err) < 0)
        goto done;
    {
        /* Chart.yaml's kubeVersion against the (given or default) cluster version */
        const cJSON *kvc = cJSON_GetObjectItemCaseSensitive(c->meta, "kubeVersion");
        const char *kv = dk_val_map_get(dk_val_map_get(caps, "KubeVersion"), "Version")->u.str.s;

        if (cJSON_IsString(kvc) && *kvc->valuestring &&
            dk_semver_satisfies(kvc->valuestring, kv) != 1) {
            dk_err_set(err, DK_E_INPUT,
                       "chart requires kubeVersion: %s which is incompatible with Kubernetes %s",
                       kvc->valuestring, kv);
            goto done;
        }
    }
    if (dk_chart_process_deps(c, user, err) < 0)
        goto done;
    dk_val_map_set(rel, "IsInstall", dk_val_bool(!o->is_upgrade));
    dk_val_map_set(rel, "IsUpgrade", dk_val_bool(o->is_upgrade));
    dk_val_map_set(rel, "Name", dk_val_str(o->release ? o->release : "release-name"));
    dk_val_map_set(rel, "Namespace",
                   dk_val_str(o->namespace && *o->namespace ? o->namespace : "default"));
    dk_val_map_set(rel, "Revision", dk_val_int(o->revision > 0 ? o->revision : 1));
    dk_val_map_set(rel, "Service", dk_val_str("Helm"));
    dk_val_map_set(top, "Release", dk_val_ref(rel));
    dk_val_map_set(top, "Capabilities", dk_val_ref(caps));
    vals = dk_chart_coalesce(c, user, 0);
    if (validate(c, vals, &report, err) < 0)
        goto done;
    if (report.len) {
        while (report.len && report.buf[report.len - 1] == '\n')
            report.len--;
        report.buf[report.len] = '\0';
        dk_err_set(err, DK_E_INPUT,
                   "values don't meet the specifications of the schema(s) in the following "
                   "chart(s):\n%s",
                   report.buf);
        goto done;
    }
    dk_val_map_set(top, "Values", dk_val_ref(vals));
    dk_log_debug("render: values ready");
    if (run_engine(c, top, o, out, &docs, err) < 0)
        goto done;
    /* CRDs (--include-crds) and manifests sorted by kind, printed trimmed with Println;
     * then the hooks, sorted by kind the same way */
    if (o->include_crds)
        crds(c, &out->yaml, out);
    {
        struct sdoc **sorted = dk_xcalloc(docs.n + 1, sizeof(*sorted));
        size_t ns = 0, pass;

        size_t total = 64;

        /* the output in one allocation: growing a megabyte by steps copies it again and again */
        for (i = 0; i < docs.n; i++)
            total += strlen(docs.v[i].d.source) + strlen(docs.v[i].d.text) + 16;
        dk_buf_grow(&out->yaml, total);
        for (pass = 0; pass < 2; pass++) {
            size_t from = ns;

            for (i = 0; i < docs.n; i++)
                if (docs.v[i].d.hook == (int)pass)
                    sorted[ns++] = &docs.v[i];
            qsort(sorted + from, ns - from, sizeof(*sorted), cmp_kind);
            if (pass == 0) {
                for (i = from; i < ns; i++) {
                    print_doc(&out->yaml, &sorted[i]->d);
                    push_out_doc(out, &sorted[i]->d);
                }
                /* Println(TrimSpace(manifest)): the text starts with "---" (or is empty) */
                while (out->yaml.len && is_ws(out->yaml.buf[out->yaml.len - 1]))
                    out->yaml.len--;
                dk_buf_setlen(&out->yaml, out->yaml.len);
                dk_buf_addch(&out->yaml, '\n');
            }
        }
        for (i = 0; i < ns; i++) {
            if (!sorted[i]->d.hook || (o->disable_hooks || (o->skip_tests && sorted[i]->test)))
                continue;
            print_doc(&out->yaml, &sorted[i]->d);
            push_out_doc(out, &sorted[i]->d);
        }
        free(sorted);
    }
    if (o->show_only && o->show_only->n && show_only(o, out, err) < 0)
        goto done;
    rc = 0;
done:
    for (i = 0; i < docs.n; i++)
        doc_release(&docs.v[i].d);
    free(docs.v);
    dk_buf_release(&report);
    dk_val_unref(vals);
    dk_val_unref(caps);
    dk_val_unref(rel);
    dk_val_unref(top);
    if (rc < 0) {
        struct dk_err keep = *err;

        dk_chart_output_release(out);
        *err = keep;
    }
    return rc;
}
