/* deploy: dk-deploy render (helm template) on top of the chart module. */
#include "dk/deploy.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dk/chart.h"
#include "dk/config.h"
#include "dk/json.h"
#include "dk/log.h"
#include "dk/strvals.h"

void dk_deploy_render_opts_release(struct dk_deploy_render_opts *o)
{
    dk_strlist_release(&o->values);
    dk_strlist_release(&o->set);
    dk_strlist_release(&o->set_string);
    dk_strlist_release(&o->set_file);
    dk_strlist_release(&o->set_json);
    dk_strlist_release(&o->set_literal);
    dk_strlist_release(&o->show_only);
    dk_strlist_release(&o->api_versions);
}

static const char *doc_str(cJSON *root, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* werf's service values from the pipeline document */
static struct dk_val *service_values(cJSON *root, const char *project, const char *ns)
{
    struct dk_val *v = dk_val_map(), *werf = dk_val_map(), *image = dk_val_map();
    struct dk_val *tag = dk_val_map(), *global = dk_val_map();
    const cJSON *images = cJSON_GetObjectItemCaseSensitive(root, "images"), *im;
    const char *repo = doc_str(root, "repo");

    if (project)
        dk_val_map_set(werf, "name", dk_val_str(project));
    if (repo)
        dk_val_map_set(werf, "repo", dk_val_str(repo));
    dk_val_map_set(werf, "namespace", dk_val_str(ns));
    cJSON_ArrayForEach(im, images)
    {
        const char *ref = doc_str((cJSON *)im, "ref"), *t = doc_str((cJSON *)im, "tag");

        if (!im->string)
            continue;
        if (ref)
            dk_val_map_set(image, im->string, dk_val_str(ref));
        if (t)
            dk_val_map_set(tag, im->string, dk_val_str(t));
    }
    dk_val_map_set(werf, "image", image);
    dk_val_map_set(werf, "tag", tag);
    dk_val_map_set(global, "werf", dk_chart_values_copy(werf));
    dk_val_map_set(v, "werf", werf);
    dk_val_map_set(v, "global", global);
    return v;
}

static int user_values(const struct dk_deploy_render_opts *o, struct dk_val *vals,
                       struct dk_err *err)
{
    static const struct {
        size_t off;
        enum dk_strvals_mode mode;
    } sets[] = {
        {offsetof(struct dk_deploy_render_opts, set_json), DK_STRVALS_JSON},
        {offsetof(struct dk_deploy_render_opts, set), DK_STRVALS_SET},
        {offsetof(struct dk_deploy_render_opts, set_string), DK_STRVALS_STRING},
        {offsetof(struct dk_deploy_render_opts, set_file), DK_STRVALS_FILE},
        {offsetof(struct dk_deploy_render_opts, set_literal), DK_STRVALS_LITERAL},
    };
    size_t i, k;

    for (i = 0; i < o->values.n; i++) {
        struct dk_val *f;

        if (dk_chart_values_file(o->values.v[i], &f, err) < 0)
            return -1;
        dk_chart_values_merge(vals, f);
        dk_val_unref(f);
    }
    for (k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
        const struct dk_strlist *l = (const struct dk_strlist *)((const char *)o + sets[k].off);

        for (i = 0; i < l->n; i++)
            if (dk_strvals_parse(vals, l->v[i], sets[k].mode, err) < 0)
                return -1;
    }
    return 0;
}

static void record(cJSON *root, const struct dk_deploy_render_opts *o, const struct dk_chart *c,
                   const char *release, const char *ns, const struct dk_chart_output *out)
{
    cJSON *rel = dk_json_obj(root, "release"), *res = cJSON_CreateArray();
    cJSON *r = cJSON_CreateObject(), *mans = cJSON_CreateArray();
    size_t i;

    dk_json_set_str(rel, "name", release);
    dk_json_set_str(rel, "namespace", ns);
    for (i = 0; i < out->ndocs; i++) {
        const struct dk_chart_doc *d = &out->docs[i];
        cJSON *m = cJSON_CreateObject();

        if (*d->name && *d->kind && !d->hook) {
            cJSON *x = cJSON_CreateObject();

            if (*d->api_version)
                cJSON_AddStringToObject(x, "apiVersion", d->api_version);
            cJSON_AddStringToObject(x, "kind", d->kind);
            cJSON_AddStringToObject(x, "name", d->name);
            if (*d->namespace)
                cJSON_AddStringToObject(x, "namespace", d->namespace);
            cJSON_AddItemToArray(res, x);
        }
        cJSON_AddStringToObject(m, "source", d->source);
        if (*d->api_version)
            cJSON_AddStringToObject(m, "apiVersion", d->api_version);
        if (*d->kind)
            cJSON_AddStringToObject(m, "kind", d->kind);
        if (*d->name)
            cJSON_AddStringToObject(m, "name", d->name);
        if (*d->namespace)
            cJSON_AddStringToObject(m, "namespace", d->namespace);
        if (d->hook)
            cJSON_AddBoolToObject(m, "hook", 1);
        if (d->crd)
            cJSON_AddBoolToObject(m, "crd", 1);
        if (o->output_document)
            cJSON_AddStringToObject(m, "yaml", d->text);
        cJSON_AddItemToArray(mans, m);
    }
    dk_json_set(rel, "resources", res);
    cJSON_AddStringToObject(r, "chart", c->name);
    cJSON_AddStringToObject(r, "version", c->version);
    cJSON_AddStringToObject(r, "release", release);
    cJSON_AddStringToObject(r, "namespace", ns);
    if (o->output_document) {
        cJSON_AddItemToObject(r, "manifests", mans);
        if (out->notes)
            cJSON_AddStringToObject(r, "notes", out->notes);
    } else {
        cJSON_Delete(mans);
    }
    dk_json_set(root, "render", r);
}

static int has_config(const char *dir)
{
    static const char *const names[] = {"dk.yaml", "dk.yml", "werf.yaml", "werf.yml"};
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char *p = dk_xasprintf("%s/%s", dir, names[i]);
        int ok = access(p, F_OK) == 0;

        free(p);
        if (ok)
            return 1;
    }
    return 0;
}

int dk_deploy_render(const struct dk_deploy_render_opts *o, struct dk_doc *doc, struct dk_buf *yaml,
                     struct dk_err *err)
{
    const char *dir = o->dir && *o->dir ? o->dir : ".";
    const char *ns = o->namespace && *o->namespace ? o->namespace : "default";
    struct dk_config cfg;
    struct dk_chart *c = NULL;
    struct dk_chart_load_opts lo = {NULL};
    struct dk_chart_render_opts ro;
    struct dk_chart_output out;
    struct dk_val *vals = NULL;
    struct dk_strvec show = {0}, apis = {0};
    char *chart_path = NULL;
    const char *project = doc_str(doc->root, "project"), *release = o->release;
    int rc = -1;
    size_t i;

    dk_config_init(&cfg);
    if (!o->chart || !release) {
        struct dk_err cerr = DK_ERR_INIT;

        if (!has_config(dir)) {
            /* not a dk/werf project: RELEASE and CHART name everything */
        } else if (dk_config_load(&cfg, dir, &cerr) == 0) {
            if (!project)
                project = cfg.project;
        } else {
            *err = cerr;
            goto done;
        }
    }
    if (!release)
        release = project;
    if (!release) {
        dk_err_set(err, DK_E_USAGE,
                   "no release name: give RELEASE, or run in a project with dk.yaml or werf.yaml");
        goto done;
    }
    chart_path = o->chart ? dk_xstrdup(o->chart) : dk_xasprintf("%s/.helm", dir);
    /* werf's .helm may have no Chart.yaml; a chart named on the command line must */
    lo.werf_name = o->chart ? NULL : project ? project : release;
    if (dk_chart_load(chart_path, &lo, &c, err) < 0)
        goto done;
    dk_log_debug("render: loaded chart %s %s", c->name, c->version);
    /* werf's service values when there is something of werf's to give: a project or images
     * (a plain `render RELEASE CHART` gets exactly what helm template gives) */
    if (!o->chart || cJSON_GetObjectItemCaseSensitive(doc->root, "images") ||
        doc_str(doc->root, "project"))
        vals = service_values(doc->root, project, ns);
    else
        vals = dk_val_map();
    if (user_values(o, vals, err) < 0)
        goto done;
    for (i = 0; i < o->show_only.n; i++)
        dk_strvec_push(&show, o->show_only.v[i]);
    for (i = 0; i < o->api_versions.n; i++) {
        /* helm takes --api-versions as a comma list too */
        char *s = dk_xstrdup(o->api_versions.v[i]), *save = NULL, *t;

        for (t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save))
            dk_strvec_push(&apis, t);
        free(s);
    }
    memset(&ro, 0, sizeof(ro));
    ro.release = release;
    ro.namespace = ns;
    ro.is_upgrade = o->is_upgrade;
    ro.kube_version = o->kube_version;
    ro.api_versions = &apis;
    ro.include_crds = o->include_crds;
    ro.skip_tests = o->skip_tests;
    ro.disable_hooks = o->no_hooks;
    ro.show_only = &show;
    ro.values = vals;
    ro.strict = o->strict;
    ro.exit_soon = 1; /* dk-deploy renders once per process */
    if (dk_chart_render(c, &ro, &out, err) < 0)
        goto done;
    dk_log_debug("render: %zu documents", out.ndocs);
    dk_buf_release(yaml);
    *yaml = out.yaml; /* the rendered text moves, it is not copied */
    dk_buf_init(&out.yaml);
    record(doc->root, o, c, release, ns, &out);
    dk_chart_output_release(&out);
    rc = 0;
done:
    dk_config_release(&cfg);
    dk_strvec_release(&show);
    dk_strvec_release(&apis);
    dk_val_unref(vals);
    dk_chart_free(c);
    free(chart_path);
    return rc;
}
