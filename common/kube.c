#include "dk/kube.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dk/base64.h"
#include "dk/buf.h"
#include "dk/fs.h"
#include "dk/json.h"
#include "dk/log.h"

#define AGGREGATED_ACCEPT                                                                          \
    "Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"                \
    "application/json"

int dk_kube_init(struct dk_kube *k, struct dk_kubeconfig *kc, struct dk_err *err)
{
    struct dk_http_opts o;
    char *ca = NULL;
    int rc;

    memset(k, 0, sizeof(*k));
    k->kc = kc;
    k->resources = cJSON_CreateObject();
    dk_http_opts_init(&o);
    o.verify = !kc->insecure;
    o.proxy = kc->proxy_url;
    o.tls_server_name = kc->tls_server_name;
    if (kc->ca_file) {
        o.ca_file = kc->ca_file;
    } else if (kc->ca_data.len) {
        /* dk_http takes a CA file; keep the data in a private directory of our own. */
        k->ca_dir = dk_fs_mkdtemp("dk-kube", err);
        if (!k->ca_dir)
            return -1;
        ca = dk_xasprintf("%s/ca.pem", k->ca_dir);
        if (dk_fs_write_file(ca, kc->ca_data.buf, kc->ca_data.len, 0600, err) < 0) {
            free(ca);
            return -1;
        }
        o.ca_file = ca;
    }
    k->ca_file = ca; /* dk_http keeps the pointer: it lives as long as the client */
    rc = dk_http_init(&k->http, &o, err);
    return rc;
}

void dk_kube_release(struct dk_kube *k)
{
    if (k->http.multi)
        dk_http_release(&k->http);
    if (k->ca_dir) {
        dk_fs_rmtree(k->ca_dir);
        free(k->ca_dir);
    }
    free(k->ca_file);
    cJSON_Delete(k->resources);
    memset(k, 0, sizeof(*k));
}

/* Fills err from a non-2xx answer, with the Status message when there is one. */
static int status_error(const struct dk_kubeconfig *kc, const char *what,
                        const struct dk_http_resp *resp, struct dk_err *err)
{
    cJSON *st = NULL;
    struct dk_err perr = DK_ERR_INIT;
    enum dk_errc code = DK_E_FAIL;
    struct dk_buf msg = DK_BUF_INIT;
    const cJSON *c;
    const char *m;

    if (resp->status == 404)
        code = DK_E_NOTFOUND;
    else if (resp->status == 401 || resp->status == 403)
        code = DK_E_AUTH;
    else if (resp->status == 400 || resp->status == 422)
        code = DK_E_INPUT;
    if (dk_json_parse(resp->body.buf, resp->body.len, NULL, &st, &perr) == 0 &&
        (m = dk_json_str(st, "message")) && *m) {
        dk_buf_add(&msg, m);
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(
                                  cJSON_GetObjectItemCaseSensitive(st, "details"), "causes"))
        {
            const char *f = dk_json_str(c, "field"), *cm = dk_json_str(c, "message");

            if (f && *f && !strstr(m, f))
                dk_buf_addf(&msg, "; %s: %s", f, cm ? cm : "");
            else if ((!f || !*f) && cm && *cm && !strstr(m, cm))
                dk_buf_addf(&msg, "; %s", cm);
        }
    } else if ((m = dk_json_str(st, "reason")) && *m) {
        dk_buf_addf(&msg, "%s answered %ld %s", what, resp->status, m);
    } else {
        dk_buf_addf(&msg, "%s answered %ld", what, resp->status);
    }
    cJSON_Delete(st);
    if (resp->status == 401 && kc)
        dk_buf_addf(&msg, " (kubeconfig '%s': user '%s': credentials not accepted)", kc->source,
                    kc->user ? kc->user : "");
    dk_err_set(err, code, "%s", msg.buf);
    dk_buf_release(&msg);
    return -1;
}

struct call {
    const char *method;
    const char *path; /* with query */
    const char *content_type;
    const char *accept;
    const char *body;
    size_t body_len;
    size_t (*write)(const char *p, size_t n, void *ud);
    void *write_ud;
};

/* Adds " (through proxy-url 'URL')" to a transport error, without the URL's user info. */
static void add_proxy_note(struct dk_err *err, const char *proxy)
{
    const char *at = strrchr(proxy, '@'), *scheme = strstr(proxy, "://");
    int keep = scheme && (!at || scheme < at) ? (int)(scheme + 3 - proxy) : 0;
    size_t len = strlen(err->msg);

    snprintf(err->msg + len, sizeof(err->msg) - len, " (through proxy-url '%.*s%s')", at ? keep : 0,
             proxy, at ? at + 1 : proxy);
}

/* One request with the client's credentials; refreshes an exec credential once after a 401. */
static int do_call(struct dk_kube *k, const struct call *c, struct dk_http_resp *resp,
                   struct dk_err *err)
{
    struct dk_kubeconfig *kc = k->kc;
    int attempt;

    for (attempt = 0;; attempt++) {
        const char *hdrs[5];
        char *auth = NULL, *ct = NULL, *url;
        struct dk_http_req req;
        size_t n = 0;
        int rc;

        if (dk_kubeconfig_refresh(kc, attempt > 0, err) < 0)
            return -1;
        if (kc->auth == DK_KUBECONFIG_AUTH_TOKEN && kc->token) {
            auth = dk_xasprintf("Authorization: Bearer %s", kc->token);
        } else if (kc->auth == DK_KUBECONFIG_AUTH_BASIC) {
            char *up = dk_xasprintf("%s:%s", kc->username, kc->password);
            char *b = dk_base64_encode(up, strlen(up));

            dk_log_add_secret(b);
            auth = dk_xasprintf("Authorization: Basic %s", b);
            free(up);
            free(b);
        }
        if (auth)
            hdrs[n++] = auth;
        hdrs[n++] = c->accept ? c->accept : "Accept: application/json";
        if (c->content_type)
            hdrs[n++] = ct = dk_xasprintf("Content-Type: %s", c->content_type);
        hdrs[n] = NULL;
        url = dk_xasprintf("%s%s", kc->server, c->path);
        memset(&req, 0, sizeof(req));
        req.method = c->method;
        req.url = url;
        req.headers = hdrs;
        req.body = c->body;
        req.body_len = c->body_len;
        req.write = c->write;
        req.write_ud = c->write_ud;
        /* client-go sends the client certificate whenever there is one, token or not; an exec
         * plugin may have replaced it since the last request */
        if (kc->cert_data.len && kc->key_data.len) {
            req.cert_pem = kc->cert_data.buf;
            req.cert_len = kc->cert_data.len;
            req.key_pem = kc->key_data.buf;
            req.key_len = kc->key_data.len;
        }
        dk_http_resp_release(resp);
        dk_http_resp_init(resp);
        rc = dk_http_do(&k->http, &req, resp, err);
        if (rc < 0 && err->code == DK_E_NET && kc->proxy_url)
            add_proxy_note(err, kc->proxy_url);
        free(auth);
        free(ct);
        free(url);
        if (rc < 0)
            return -1;
        if (resp->status != 401 || attempt > 0 || !kc->exec_argv)
            return 0;
    }
}

/* "/api/v1" or "/apis/apps/v1". */
static char *gv_path(const char *api_version)
{
    if (strchr(api_version, '/'))
        return dk_xasprintf("/apis/%s", api_version);
    return dk_xasprintf("/api/%s", api_version);
}

/* GET path as JSON into *out. */
static int get_json(struct dk_kube *k, const char *path, const char *accept, cJSON **out,
                    struct dk_http_resp *resp, struct dk_err *err)
{
    struct call c = {"GET", path, NULL, accept, NULL, 0, NULL, NULL};

    *out = NULL;
    if (do_call(k, &c, resp, err) < 0)
        return -1;
    if (resp->status >= 300)
        return status_error(k->kc, path, resp, err);
    if (dk_json_parse(resp->body.buf, resp->body.len, path, out, err) < 0) {
        err->code = DK_E_NET;
        return -1;
    }
    return 0;
}

static void cache_add(struct dk_kube *k, const char *gv, const char *kind, const char *name,
                      int namespaced)
{
    cJSON *list = cJSON_GetObjectItemCaseSensitive(k->resources, gv), *e;

    if (!list) {
        list = cJSON_CreateArray();
        cJSON_AddItemToObject(k->resources, gv, list);
    }
    e = cJSON_CreateObject();
    dk_json_set_str(e, "kind", kind);
    dk_json_set_str(e, "name", name);
    dk_json_set_bool(e, "namespaced", namespaced);
    cJSON_AddItemToArray(list, e);
}

/* Takes an aggregated APIGroupDiscoveryList; 1 when it was one. */
static int take_aggregated(struct dk_kube *k, const cJSON *doc)
{
    const cJSON *g, *v, *r;
    const char *kind = dk_json_str(doc, "kind");

    if (!kind || strcmp(kind, "APIGroupDiscoveryList") != 0)
        return 0;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(doc, "items"))
    {
        const char *group = dk_json_str(cJSON_GetObjectItemCaseSensitive(g, "metadata"), "name");

        cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(g, "versions"))
        {
            const char *ver = dk_json_str(v, "version");
            char *gv;

            if (!ver)
                continue;
            gv = group && *group ? dk_xasprintf("%s/%s", group, ver) : dk_xstrdup(ver);
            if (!cJSON_GetObjectItemCaseSensitive(k->resources, gv))
                cJSON_AddItemToObject(k->resources, gv, cJSON_CreateArray());
            cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(v, "resources"))
            {
                const char *name = dk_json_str(r, "resource");
                const char *rk =
                    dk_json_str(cJSON_GetObjectItemCaseSensitive(r, "responseKind"), "kind");
                const char *scope = dk_json_str(r, "scope");

                if (name && rk)
                    cache_add(k, gv, rk, name, scope && strcmp(scope, "Namespaced") == 0);
            }
            free(gv);
        }
    }
    return 1;
}

int dk_kube_discover(struct dk_kube *k, struct dk_err *err)
{
    static const char *const paths[] = {"/api", "/apis"};
    struct dk_http_resp resp;
    size_t i;
    int rc = 0;

    dk_http_resp_init(&resp);
    for (i = 0; i < 2 && rc == 0; i++) {
        cJSON *doc = NULL;

        rc = get_json(k, paths[i], AGGREGATED_ACCEPT, &doc, &resp, err);
        if (rc == 0 && take_aggregated(k, doc))
            k->aggregated = 1;
        cJSON_Delete(doc);
    }
    dk_http_resp_release(&resp);
    if (rc < 0)
        return dk_err_wrap(err, "cannot discover the API of '%s'", k->kc->server);
    return 0;
}

/* Legacy discovery of one group-version (an APIResourceList). */
static int discover_gv(struct dk_kube *k, const char *gv, struct dk_err *err)
{
    struct dk_http_resp resp;
    cJSON *doc = NULL;
    const cJSON *r;
    char *path = gv_path(gv);
    int rc;

    dk_http_resp_init(&resp);
    rc = get_json(k, path, NULL, &doc, &resp, err);
    if (rc == 0) {
        if (!cJSON_GetObjectItemCaseSensitive(k->resources, gv))
            cJSON_AddItemToObject(k->resources, gv, cJSON_CreateArray());
        cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(doc, "resources"))
        {
            const char *name = dk_json_str(r, "name"), *kind = dk_json_str(r, "kind");

            if (name && kind && !strchr(name, '/'))
                cache_add(k, gv, kind, name, dk_json_bool(r, "namespaced", 0));
        }
    } else if (err->code == DK_E_NOTFOUND) {
        /* an unknown group-version: remember that it has no kinds */
        cJSON_AddItemToObject(k->resources, gv, cJSON_CreateArray());
        rc = 0;
    }
    cJSON_Delete(doc);
    dk_http_resp_release(&resp);
    free(path);
    return rc;
}

int dk_kube_resource(struct dk_kube *k, const char *api_version, const char *kind,
                     const char **resource, int *namespaced, struct dk_err *err)
{
    const cJSON *list, *e;

    if (!api_version || !*api_version || !kind || !*kind)
        return dk_err_set(err, DK_E_INPUT, "object has no apiVersion or kind");
    list = cJSON_GetObjectItemCaseSensitive(k->resources, api_version);
    if (!list) {
        if (discover_gv(k, api_version, err) < 0)
            return dk_err_wrap(err, "cannot discover '%s'", api_version);
        list = cJSON_GetObjectItemCaseSensitive(k->resources, api_version);
    }
    cJSON_ArrayForEach(e, list)
    {
        const char *kd = dk_json_str(e, "kind"), *name = dk_json_str(e, "name");

        if (kd && name && strcmp(kd, kind) == 0) {
            *resource = name;
            *namespaced = dk_json_bool(e, "namespaced", 0);
            return 0;
        }
    }
    return dk_err_set(err, DK_E_NOTFOUND, "no kind \"%s\" in apiVersion \"%s\"", kind, api_version);
}

/* The path of a collection (name NULL) or an object, without query. ns "" means all. */
static int obj_path(struct dk_kube *k, const char *api_version, const char *kind, const char *ns,
                    const char *name, struct dk_buf *out, struct dk_err *err)
{
    const char *res;
    int namespaced;
    char *gv;

    if (dk_kube_resource(k, api_version, kind, &res, &namespaced, err) < 0)
        return -1;
    gv = gv_path(api_version);
    dk_buf_add(out, gv);
    free(gv);
    if (namespaced) {
        if (!ns)
            ns = k->kc->namespace;
        if (*ns) {
            dk_buf_add(out, "/namespaces/");
            dk_http_urlencode(out, ns);
        } else if (name) {
            return dk_err_set(err, DK_E_INPUT, "%s '%s' needs a namespace", kind, name);
        }
    }
    dk_buf_addf(out, "/%s", res);
    if (name) {
        dk_buf_add(out, "/");
        dk_http_urlencode(out, name);
    }
    return 0;
}

static void add_query(struct dk_buf *b, const char *key, const char *val)
{
    dk_buf_addch(b, strchr(b->buf, '?') ? '&' : '?');
    dk_buf_add(b, key);
    dk_buf_addch(b, '=');
    dk_http_urlencode(b, val);
}

static void write_query(struct dk_buf *b, const struct dk_kube_write_opts *o, int apply)
{
    if (o && o->dry_run)
        add_query(b, "dryRun", "All");
    if (o && o->field_manager)
        add_query(b, "fieldManager", o->field_manager);
    else if (apply)
        add_query(b, "fieldManager", "dk");
    if (apply && o && o->force)
        add_query(b, "force", "true");
}

/* Sends a request with a body and takes the JSON answer. */
static int send_json(struct dk_kube *k, const char *method, const char *path, const char *ctype,
                     const char *body, cJSON **out, struct dk_err *err)
{
    struct dk_http_resp resp;
    struct call c = {method, path, ctype, NULL, body, body ? strlen(body) : 0, NULL, NULL};
    char *what = dk_xasprintf("%s %s", method, path);
    int rc = -1;

    if (out)
        *out = NULL;
    dk_http_resp_init(&resp);
    if (do_call(k, &c, &resp, err) < 0)
        goto out;
    if (resp.status >= 300) {
        status_error(k->kc, what, &resp, err);
        goto out;
    }
    if (out && dk_json_parse(resp.body.buf, resp.body.len, what, out, err) < 0) {
        err->code = DK_E_NET;
        goto out;
    }
    rc = 0;
out:
    free(what);
    dk_http_resp_release(&resp);
    return rc;
}

/* apiVersion, kind, namespace and name of obj. */
static int obj_ids(const cJSON *obj, const char **av, const char **kind, const char **ns,
                   const char **name, struct dk_err *err)
{
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");

    *av = dk_json_str(obj, "apiVersion");
    *kind = dk_json_str(obj, "kind");
    *ns = dk_json_str(md, "namespace");
    *name = dk_json_str(md, "name");
    if (!*av || !*kind)
        return dk_err_set(err, DK_E_INPUT, "object has no apiVersion or kind");
    if (*ns && !**ns)
        *ns = NULL;
    return 0;
}

int dk_kube_get(struct dk_kube *k, const char *api_version, const char *kind, const char *ns,
                const char *name, cJSON **out, struct dk_err *err)
{
    struct dk_buf path = DK_BUF_INIT;
    int rc;

    *out = NULL;
    rc = obj_path(k, api_version, kind, ns, name, &path, err);
    if (rc == 0)
        rc = send_json(k, "GET", path.buf, NULL, NULL, out, err);
    dk_buf_release(&path);
    return rc;
}

static void list_query(struct dk_buf *b, const struct dk_kube_list_opts *o)
{
    if (!o)
        return;
    if (o->label_selector && *o->label_selector)
        add_query(b, "labelSelector", o->label_selector);
    if (o->field_selector && *o->field_selector)
        add_query(b, "fieldSelector", o->field_selector);
}

int dk_kube_list(struct dk_kube *k, const char *api_version, const char *kind, const char *ns,
                 const struct dk_kube_list_opts *o, cJSON **out, struct dk_err *err)
{
    struct dk_buf base = DK_BUF_INIT, path = DK_BUF_INIT;
    char *cont = o && o->cont ? dk_xstrdup(o->cont) : NULL;
    cJSON *all = NULL;
    int rc = -1;

    *out = NULL;
    if (obj_path(k, api_version, kind, ns, NULL, &base, err) < 0)
        goto out;
    list_query(&base, o);
    if (o && o->limit > 0) {
        char lim[32];

        snprintf(lim, sizeof(lim), "%ld", o->limit);
        add_query(&base, "limit", lim);
    }
    for (;;) {
        cJSON *page = NULL, *items, *it;
        const char *next;

        dk_buf_reset(&path);
        dk_buf_add(&path, base.buf);
        if (cont && *cont)
            add_query(&path, "continue", cont);
        if (send_json(k, "GET", path.buf, NULL, NULL, &page, err) < 0)
            goto out;
        if (!all) {
            all = page;
        } else {
            items = cJSON_GetObjectItemCaseSensitive(all, "items");
            if (!cJSON_IsArray(items)) {
                items = cJSON_CreateArray();
                dk_json_set(all, "items", items);
            }
            while ((
                it = cJSON_DetachItemFromArray(cJSON_GetObjectItemCaseSensitive(page, "items"), 0)))
                cJSON_AddItemToArray(items, it);
            dk_json_set(all, "metadata", cJSON_DetachItemFromObject(page, "metadata"));
            cJSON_Delete(page);
        }
        next = dk_json_str(cJSON_GetObjectItemCaseSensitive(all, "metadata"), "continue");
        free(cont);
        cont = next && *next ? dk_xstrdup(next) : NULL;
        if (!cont || (o && o->one_page))
            break;
    }
    *out = all;
    all = NULL;
    rc = 0;
out:
    cJSON_Delete(all);
    free(cont);
    dk_buf_release(&base);
    dk_buf_release(&path);
    return rc;
}

static int write_obj(struct dk_kube *k, const char *method, const cJSON *obj, int with_name,
                     const struct dk_kube_write_opts *o, cJSON **out, struct dk_err *err)
{
    const char *av, *kind, *ns, *name;
    struct dk_buf path = DK_BUF_INIT;
    char *body = NULL;
    int rc = -1;

    if (out)
        *out = NULL;
    if (obj_ids(obj, &av, &kind, &ns, &name, err) < 0)
        return -1;
    if (with_name && (!name || !*name))
        return dk_err_set(err, DK_E_INPUT, "%s has no metadata.name", kind);
    if (obj_path(k, av, kind, ns, with_name ? name : NULL, &path, err) < 0)
        goto out;
    write_query(&path, o, 0);
    body = dk_json_print(obj, 0);
    if (!body) {
        dk_err_set(err, DK_E_INPUT, "%s cannot be printed as JSON", kind);
        goto out;
    }
    rc = send_json(k, method, path.buf, "application/json", body, out, err);
out:
    free(body);
    dk_buf_release(&path);
    return rc;
}

int dk_kube_create(struct dk_kube *k, const cJSON *obj, const struct dk_kube_write_opts *o,
                   cJSON **out, struct dk_err *err)
{
    return write_obj(k, "POST", obj, 0, o, out, err);
}

int dk_kube_update(struct dk_kube *k, const cJSON *obj, const struct dk_kube_write_opts *o,
                   cJSON **out, struct dk_err *err)
{
    return write_obj(k, "PUT", obj, 1, o, out, err);
}

int dk_kube_delete(struct dk_kube *k, const char *api_version, const char *kind, const char *ns,
                   const char *name, const struct dk_kube_write_opts *o, struct dk_err *err)
{
    struct dk_buf path = DK_BUF_INIT;
    char *body = NULL;
    int rc = -1;

    if (obj_path(k, api_version, kind, ns, name, &path, err) < 0)
        goto out;
    if (o && o->dry_run)
        add_query(&path, "dryRun", "All");
    if (o && o->propagation)
        body = dk_xasprintf("{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\","
                            "\"propagationPolicy\":\"%s\"}",
                            o->propagation);
    rc = send_json(k, "DELETE", path.buf, body ? "application/json" : NULL, body, NULL, err);
out:
    free(body);
    dk_buf_release(&path);
    return rc;
}

int dk_kube_patch(struct dk_kube *k, const char *api_version, const char *kind, const char *ns,
                  const char *name, enum dk_kube_patch type, const char *body,
                  const struct dk_kube_write_opts *o, cJSON **out, struct dk_err *err)
{
    static const char *const ctypes[] = {
        "application/merge-patch+json", "application/json-patch+json",
        "application/strategic-merge-patch+json", "application/apply-patch+yaml"};
    struct dk_buf path = DK_BUF_INIT;
    int rc = -1;

    if (out)
        *out = NULL;
    if (obj_path(k, api_version, kind, ns, name, &path, err) < 0)
        goto out;
    write_query(&path, o, type == DK_KUBE_PATCH_APPLY);
    rc = send_json(k, "PATCH", path.buf, ctypes[type], body, out, err);
out:
    dk_buf_release(&path);
    return rc;
}

int dk_kube_apply(struct dk_kube *k, const cJSON *obj, const struct dk_kube_write_opts *o,
                  cJSON **out, struct dk_err *err)
{
    const char *av, *kind, *ns, *name;
    char *body;
    int rc;

    if (out)
        *out = NULL;
    if (obj_ids(obj, &av, &kind, &ns, &name, err) < 0)
        return -1;
    if (!name || !*name)
        return dk_err_set(err, DK_E_INPUT, "%s has no metadata.name", kind);
    /* JSON is YAML: the apply body needs no conversion. */
    body = dk_json_print(obj, 0);
    if (!body)
        return dk_err_set(err, DK_E_INPUT, "%s '%s' cannot be printed as JSON", kind, name);
    rc = dk_kube_patch(k, av, kind, ns, name, DK_KUBE_PATCH_APPLY, body, o, out, err);
    free(body);
    return rc;
}

#define INITIAL_EVENTS_END "k8s.io/initial-events-end"

int dk_kube_initial_events_end(const cJSON *obj)
{
    const char *v =
        dk_json_str(cJSON_GetObjectItemCaseSensitive(
                        cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "annotations"),
                    INITIAL_EVENTS_END);

    return v && strcmp(v, "true") == 0;
}

/* Watch stream state: bytes split into lines, one JSON event each. */
struct watch {
    struct dk_buf line;
    dk_kube_watch_fn fn;
    void *ud;
    char *rv;      /* last resourceVersion seen */
    int initial;   /* watch-list: the initial events are still to come */
    int events;    /* events of the current request */
    int stopped;   /* the callback asked to stop */
    int gone;      /* an ERROR event with code 410 */
    char err[512]; /* an ERROR event's message */
};

static void watch_event(struct watch *w, const char *text, size_t len)
{
    cJSON *ev = NULL;
    struct dk_err perr = DK_ERR_INIT;
    const cJSON *obj;
    const char *type, *rv;

    if (dk_json_parse(text, len, NULL, &ev, &perr) < 0)
        return;
    type = dk_json_str(ev, "type");
    obj = cJSON_GetObjectItemCaseSensitive(ev, "object");
    if (type && strcmp(type, "ERROR") == 0) {
        const char *m = dk_json_str(obj, "message");

        if (dk_json_int(obj, "code", 0) == 410)
            w->gone = 1;
        else
            snprintf(w->err, sizeof(w->err), "%s", m ? m : "watch failed");
    } else if (type && obj) {
        w->events++;
        rv = dk_json_str(cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "resourceVersion");
        if (rv && *rv) {
            free(w->rv);
            w->rv = dk_xstrdup(rv);
        }
        if (w->initial && strcmp(type, "BOOKMARK") == 0 && dk_kube_initial_events_end(obj))
            w->initial = 0;
        if (w->fn(type, obj, w->ud))
            w->stopped = 1;
    }
    cJSON_Delete(ev);
}

static size_t watch_write(const char *p, size_t n, void *ud)
{
    struct watch *w = ud;
    size_t i, start = 0;

    for (i = 0; i < n && !w->stopped && !w->gone && !w->err[0]; i++) {
        if (p[i] != '\n')
            continue;
        dk_buf_addn(&w->line, p + start, i - start);
        if (w->line.len)
            watch_event(w, w->line.buf, w->line.len);
        dk_buf_reset(&w->line);
        start = i + 1;
    }
    if (w->stopped || w->gone || w->err[0])
        return DK_HTTP_ABORT;
    if (dk_buf_addn(&w->line, p + start, n - start) < 0)
        return DK_HTTP_ABORT;
    return n;
}

/* Lists with limit 1 to learn the collection's current resourceVersion. */
static int current_rv(struct dk_kube *k, const char *av, const char *kind, const char *ns,
                      const struct dk_kube_list_opts *o, char **rv, struct dk_err *err)
{
    struct dk_kube_list_opts lo = {.limit = 1, .one_page = 1};
    cJSON *list = NULL;
    const char *v;

    if (o) {
        lo.label_selector = o->label_selector;
        lo.field_selector = o->field_selector;
    }
    if (dk_kube_list(k, av, kind, ns, &lo, &list, err) < 0)
        return -1;
    v = dk_json_str(cJSON_GetObjectItemCaseSensitive(list, "metadata"), "resourceVersion");
    free(*rv);
    *rv = dk_xstrdup(v ? v : "");
    cJSON_Delete(list);
    return 0;
}

/*
 * Watch-list for a server that refused sendInitialEvents: a LIST whose items go to the callback
 * as ADDED, then the BOOKMARK that ends the initial events, as the server would have sent them.
 */
static int list_as_initial_events(struct dk_kube *k, const char *av, const char *kind,
                                  const char *ns, const struct dk_kube_list_opts *o,
                                  struct watch *w, struct dk_err *err)
{
    struct dk_kube_list_opts lo = {.limit = 500};
    cJSON *list = NULL, *bm, *md;
    const cJSON *it;
    const char *v;

    if (o) {
        lo.label_selector = o->label_selector;
        lo.field_selector = o->field_selector;
    }
    if (dk_kube_list(k, av, kind, ns, &lo, &list, err) < 0)
        return -1;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(list, "items"))
    {
        /* list items may lack kind and apiVersion; watch events have them */
        if (!dk_json_str(it, "kind"))
            dk_json_set_str((cJSON *)it, "kind", kind);
        if (!dk_json_str(it, "apiVersion"))
            dk_json_set_str((cJSON *)it, "apiVersion", av);
        if (!w->stopped && w->fn("ADDED", it, w->ud))
            w->stopped = 1;
    }
    v = dk_json_str(cJSON_GetObjectItemCaseSensitive(list, "metadata"), "resourceVersion");
    free(w->rv);
    w->rv = dk_xstrdup(v ? v : "");
    w->initial = 0;
    bm = cJSON_CreateObject();
    dk_json_set_str(bm, "kind", kind);
    dk_json_set_str(bm, "apiVersion", av);
    md = dk_json_obj(bm, "metadata");
    dk_json_set_str(md, "resourceVersion", w->rv);
    dk_json_set_str(dk_json_obj(md, "annotations"), INITIAL_EVENTS_END, "true");
    if (!w->stopped && w->fn("BOOKMARK", bm, w->ud))
        w->stopped = 1;
    cJSON_Delete(bm);
    cJSON_Delete(list);
    return 0;
}

/* A Status saying the resourceVersion asked for is newer than the server's. */
static int too_large_rv(const struct dk_http_resp *resp)
{
    cJSON *st = NULL;
    struct dk_err perr = DK_ERR_INIT;
    const cJSON *c;
    int yes = 0;

    if (resp->status != 504 || dk_json_parse(resp->body.buf, resp->body.len, NULL, &st, &perr) < 0)
        return 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(
                              cJSON_GetObjectItemCaseSensitive(st, "details"), "causes"))
    {
        const char *r = dk_json_str(c, "reason");

        if (r && strcmp(r, "ResourceVersionTooLarge") == 0)
            yes = 1;
    }
    cJSON_Delete(st);
    return yes;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

int dk_kube_watch(struct dk_kube *k, const char *api_version, const char *kind, const char *ns,
                  const struct dk_kube_list_opts *o, const char *resource_version,
                  dk_kube_watch_fn fn, void *ud, struct dk_err *err)
{
    struct watch w;
    struct dk_buf base = DK_BUF_INIT, path = DK_BUF_INIT;
    struct dk_http_resp resp;
    int watch_list = o && o->send_initial_events, fallback = 0, failures = 0, rc = -1;

    memset(&w, 0, sizeof(w));
    dk_buf_init_max(&w.line, 16u << 20);
    w.fn = fn;
    w.ud = ud;
    w.initial = watch_list;
    dk_http_resp_init(&resp);
    if (obj_path(k, api_version, kind, ns, NULL, &base, err) < 0)
        goto out;
    list_query(&base, o);
    add_query(&base, "watch", "1");
    add_query(&base, "allowWatchBookmarks", "true");
    if (resource_version && *resource_version)
        w.rv = dk_xstrdup(resource_version);
    else if (!watch_list && current_rv(k, api_version, kind, ns, o, &w.rv, err) < 0)
        goto out;
    for (;;) {
        struct call c = {"GET", NULL, NULL, NULL, NULL, 0, watch_write, &w};
        int hrc;

        if (w.initial && fallback) {
            if (list_as_initial_events(k, api_version, kind, ns, o, &w, err) < 0)
                break;
            if (w.stopped) {
                rc = 0;
                break;
            }
        }
        dk_buf_reset(&path);
        dk_buf_add(&path, base.buf);
        if (w.initial) {
            add_query(&path, "sendInitialEvents", "true");
            add_query(&path, "resourceVersionMatch", "NotOlderThan");
        }
        if (w.rv && *w.rv)
            add_query(&path, "resourceVersion", w.rv);
        c.path = path.buf;
        dk_buf_reset(&w.line);
        w.gone = 0;
        w.events = 0;
        hrc = do_call(k, &c, &resp, err);
        if (w.stopped) {
            dk_err_init(err); /* the transfer we aborted on purpose is no error */
            rc = 0;
            break;
        }
        if (w.err[0]) {
            dk_err_set(err, DK_E_FAIL, "watch of %s: %s", base.buf, w.err);
            break;
        }
        if (w.events || resp.status == 200)
            failures = 0; /* the stream was up: only failures in a row count */
        if (w.gone || (hrc == 0 && resp.status == 410)) {
            /* our version is too old: start again from the present (watch-list: with the
             * current objects as initial events again) */
            if (watch_list) {
                free(w.rv);
                w.rv = NULL;
                w.initial = 1;
            } else if (current_rv(k, api_version, kind, ns, o, &w.rv, err) < 0) {
                break;
            }
            continue;
        }
        if (hrc < 0) {
            /* the stream broke or stalled, or the server is away (restarting, say): dk_http
             * already retried the connection; go on from the last version, a few more times
             * when the server stays away */
            if (err->code != DK_E_NET || ++failures > 3)
                break;
            dk_log_debug("watch of %s: %s; reconnecting", base.buf, err->msg);
            dk_err_init(err);
            sleep_ms(failures > 1 ? 250L * failures : 100L);
            continue;
        }
        if (resp.status >= 300 && too_large_rv(&resp)) {
            /* the server is behind our version (restarted with a fresh store): start again */
            if (watch_list) {
                free(w.rv);
                w.rv = NULL;
                w.initial = 1;
            } else if (current_rv(k, api_version, kind, ns, o, &w.rv, err) < 0) {
                break;
            }
            continue;
        }
        if (resp.status >= 300) {
            if (w.initial && !fallback && resp.status != 401 && resp.status != 403 &&
                resp.status != 404 && resp.status < 500) {
                /* no watch-list on this server (400/422 for sendInitialEvents): LIST instead */
                fallback = 1;
                continue;
            }
            status_error(k->kc, base.buf, &resp, err);
            break;
        }
        /* the server closed the stream (its timeout): go on from the last version */
    }
out:
    dk_http_resp_release(&resp);
    dk_buf_release(&w.line);
    dk_buf_release(&base);
    dk_buf_release(&path);
    free(w.rv);
    return rc;
}

struct logs {
    dk_kube_log_fn fn;
    void *ud;
    int stopped;
};

static size_t log_write(const char *p, size_t n, void *ud)
{
    struct logs *l = ud;

    if (l->fn(p, n, l->ud)) {
        l->stopped = 1;
        return DK_HTTP_ABORT;
    }
    return n;
}

int dk_kube_logs(struct dk_kube *k, const char *ns, const char *pod, const char *container,
                 int follow, dk_kube_log_fn fn, void *ud, struct dk_err *err)
{
    struct dk_buf path = DK_BUF_INIT;
    struct dk_http_resp resp;
    struct logs l = {fn, ud, 0};
    struct call c = {"GET", NULL, NULL, "Accept: */*", NULL, 0, log_write, &l};
    int rc = -1;

    dk_http_resp_init(&resp);
    dk_buf_add(&path, "/api/v1/namespaces/");
    dk_http_urlencode(&path, ns ? ns : k->kc->namespace);
    dk_buf_add(&path, "/pods/");
    dk_http_urlencode(&path, pod);
    dk_buf_add(&path, "/log");
    if (container)
        add_query(&path, "container", container);
    if (follow)
        add_query(&path, "follow", "true");
    c.path = path.buf;
    if (do_call(k, &c, &resp, err) < 0) {
        if (l.stopped) {
            dk_err_init(err);
            rc = 0;
        }
    } else if (resp.status >= 300) {
        status_error(k->kc, path.buf, &resp, err);
    } else {
        rc = 0;
    }
    dk_http_resp_release(&resp);
    dk_buf_release(&path);
    return rc;
}

/* When an Event last happened: lastTimestamp, eventTime, firstTimestamp or its creation. */
static const char *event_time(const cJSON *ev)
{
    static const char *const keys[] = {"lastTimestamp", "eventTime", "firstTimestamp"};
    const char *t;
    size_t i;

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if ((t = dk_json_str(ev, keys[i])) && *t)
            return t;
    t = dk_json_str(cJSON_GetObjectItemCaseSensitive(ev, "metadata"), "creationTimestamp");
    return t ? t : "";
}

int dk_kube_events(struct dk_kube *k, const char *ns, const char *kind, const char *name,
                   cJSON **out, struct dk_err *err)
{
    struct dk_buf sel = DK_BUF_INIT;
    struct dk_kube_list_opts lo = {.limit = 500};
    cJSON *items, **v = NULL;
    size_t n = 0, i, j;
    int rc;

    if (kind && *kind)
        dk_buf_addf(&sel, "involvedObject.kind=%s", kind);
    if (name && *name)
        dk_buf_addf(&sel, "%sinvolvedObject.name=%s", sel.len ? "," : "", name);
    lo.field_selector = sel.buf;
    rc = dk_kube_list(k, "v1", "Event", ns, &lo, out, err);
    dk_buf_release(&sel);
    if (rc < 0)
        return -1;
    /* oldest first, to the second (stable: the server's order within a second) */
    items = cJSON_GetObjectItemCaseSensitive(*out, "items");
    while (cJSON_GetArraySize(items) > 0) {
        v = dk_xrealloc(v, (n + 1) * sizeof(*v));
        v[n++] = cJSON_DetachItemFromArray(items, 0);
    }
    for (i = 1; i < n; i++) {
        cJSON *e = v[i];

        for (j = i; j > 0 && strncmp(event_time(v[j - 1]), event_time(e), 19) > 0; j--)
            v[j] = v[j - 1];
        v[j] = e;
    }
    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(items, v[i]);
    free(v);
    return 0;
}
