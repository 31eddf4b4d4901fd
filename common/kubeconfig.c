#include "dk/kubeconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "dk/base64.h"
#include "dk/json.h"
#include "dk/log.h"
#include "dk/proc.h"
#include "dk/yaml.h"

/* One loaded kubeconfig file; entries resolve paths against its directory. */
struct kfile {
    cJSON *doc;
    char *name;
    char *dir;
};

struct kset {
    struct kfile *f;
    size_t n;
};

static void kset_release(struct kset *s)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        cJSON_Delete(s->f[i].doc);
        free(s->f[i].name);
        free(s->f[i].dir);
    }
    free(s->f);
    s->f = NULL;
    s->n = 0;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char cwd[4096];

    if (slash == path)
        return dk_xstrdup("/");
    if (slash && path[0] == '/')
        return dk_xstrndup(path, (size_t)(slash - path));
    if (!getcwd(cwd, sizeof(cwd)))
        return dk_xstrdup(".");
    if (!slash)
        return dk_xstrdup(cwd);
    return dk_xasprintf("%s/%.*s", cwd, (int)(slash - path), path);
}

static char *resolve(const char *dir, const char *p)
{
    if (p[0] == '/' || !dir)
        return dk_xstrdup(p);
    return dk_xasprintf("%s/%s", dir, p);
}

static void strv_free(char **v)
{
    size_t i;

    if (!v)
        return;
    for (i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

static int kset_add_text(struct kset *s, const char *text, size_t len, const char *name,
                         const char *dir, struct dk_err *err)
{
    cJSON *doc = NULL;

    if (dk_yaml_load(text, len, name, &doc, err) < 0)
        return dk_err_wrap(err, "cannot load kubeconfig");
    if (cJSON_IsNull(doc)) {
        cJSON_Delete(doc);
        doc = cJSON_CreateObject();
    }
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return dk_err_set(err, DK_E_INPUT, "kubeconfig '%s': not a mapping", name);
    }
    s->f = dk_xrealloc(s->f, (s->n + 1) * sizeof(*s->f));
    s->f[s->n].doc = doc;
    s->f[s->n].name = dk_xstrdup(name);
    s->f[s->n].dir = dir ? dk_xstrdup(dir) : NULL;
    s->n++;
    return 0;
}

/* Loads path; a missing file is skipped when optional. */
static int kset_add_file(struct kset *s, const char *path, int optional, struct dk_err *err)
{
    struct dk_buf text = DK_BUF_INIT;
    char *dir;
    int rc;

    if (dk_buf_read_file(&text, path) < 0) {
        int e = errno;

        dk_buf_release(&text);
        if (optional && e == ENOENT)
            return 0;
        return dk_err_set(err, DK_E_INPUT, "cannot read kubeconfig '%s': %s", path, strerror(e));
    }
    dir = dir_of(path);
    rc = kset_add_text(s, text.buf, text.len, path, dir, err);
    free(dir);
    dk_buf_release(&text);
    return rc;
}

/* The first entry named name in the list key ("contexts") of any file, and its file. */
static const cJSON *kset_find(const struct kset *s, const char *key, const char *field,
                              const char *name, const struct kfile **file)
{
    size_t i;
    const cJSON *it;

    for (i = 0; i < s->n; i++) {
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(s->f[i].doc, key))
        {
            const char *n = dk_json_str(it, "name");

            if (n && strcmp(n, name) == 0) {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, field);

                *file = &s->f[i];
                return cJSON_IsObject(v) ? v : NULL;
            }
        }
    }
    return NULL;
}

/* Whether an entry exists at all (its body may be missing or empty). */
static int kset_has(const struct kset *s, const char *key, const char *name)
{
    size_t i;
    const cJSON *it;

    for (i = 0; i < s->n; i++)
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(s->f[i].doc, key))
        {
            const char *n = dk_json_str(it, "name");

            if (n && strcmp(n, name) == 0)
                return 1;
        }
    return 0;
}

static const char *str_or_null(const char *s)
{
    return s && *s ? s : NULL;
}

/* Fills out from obj[data_key] (base64) or the file obj[path_key]; *path_out gets the path. */
static int load_pem(const cJSON *obj, const char *data_key, const char *path_key,
                    const struct kfile *f, const char *what, struct dk_buf *out, char **path_out,
                    struct dk_err *err)
{
    const char *data = str_or_null(dk_json_str(obj, data_key));
    const char *path = str_or_null(dk_json_str(obj, path_key));

    if (data) {
        if (dk_base64_decode(data, out) < 0)
            return dk_err_set(err, DK_E_INPUT, "kubeconfig '%s': %s is not valid base64", f->name,
                              data_key);
        return 0;
    }
    if (path) {
        char *full = resolve(f->dir, path);

        if (dk_buf_read_file(out, full) < 0) {
            dk_err_set(err, DK_E_INPUT, "kubeconfig '%s': cannot read %s '%s': %s", f->name, what,
                       full, strerror(errno));
            free(full);
            return -1;
        }
        if (path_out)
            *path_out = full;
        else
            free(full);
    }
    return 0;
}

static void set_token(struct dk_kubeconfig *kc, const char *tok, size_t len)
{
    while (len && (tok[len - 1] == '\n' || tok[len - 1] == '\r' || tok[len - 1] == ' '))
        len--;
    free(kc->token);
    kc->token = dk_xstrndup(tok, len);
    dk_log_add_secret(kc->token);
    kc->auth = DK_KUBECONFIG_AUTH_TOKEN;
}

static int read_token_file(struct dk_kubeconfig *kc, struct dk_err *err)
{
    struct dk_buf b = DK_BUF_INIT;

    if (dk_buf_read_file(&b, kc->token_file) < 0) {
        dk_err_set(err, DK_E_INPUT, "kubeconfig '%s': cannot read token file '%s': %s", kc->source,
                   kc->token_file, strerror(errno));
        dk_buf_release(&b);
        return -1;
    }
    set_token(kc, b.buf, b.len);
    dk_buf_release(&b);
    return 0;
}

/* Reads "2006-01-02T15:04:05Z" / "...+02:00" / with fractional seconds; 0 when unreadable. */
static time_t parse_rfc3339(const char *s)
{
    struct tm tm;
    int n = 0, oh = 0, om = 0;
    const char *p;
    time_t t;

    memset(&tm, 0, sizeof(tm));
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &n) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    p = s + n;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    t = timegm(&tm);
    if (*p == '+' || *p == '-') {
        if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
            return 0;
        t -= (*p == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    } else if (*p != 'Z' && *p != 'z') {
        return 0;
    }
    return t;
}

static char **strv_from(const struct dk_strvec *sv)
{
    char **v = dk_xcalloc(sv->n + 1, sizeof(*v));
    size_t i;

    for (i = 0; i < sv->n; i++)
        v[i] = dk_xstrdup(sv->v[i]);
    return v;
}

/* Builds KUBERNETES_EXEC_INFO: the ExecCredential the plugin is told about. */
static char *exec_info(const struct dk_kubeconfig *kc)
{
    cJSON *j = cJSON_CreateObject(), *spec;
    char *s;

    dk_json_set_str(j, "apiVersion", kc->exec_api);
    dk_json_set_str(j, "kind", "ExecCredential");
    spec = dk_json_obj(j, "spec");
    dk_json_set_bool(spec, "interactive", 0);
    if (kc->exec_cluster_info) {
        cJSON *c = dk_json_obj(spec, "cluster");

        dk_json_set_str(c, "server", kc->server);
        if (kc->tls_server_name)
            dk_json_set_str(c, "tls-server-name", kc->tls_server_name);
        if (kc->insecure)
            dk_json_set_bool(c, "insecure-skip-tls-verify", 1);
        if (kc->ca_data.len) {
            char *b = dk_base64_encode(kc->ca_data.buf, kc->ca_data.len);

            dk_json_set_str(c, "certificate-authority-data", b);
            free(b);
        }
        if (kc->proxy_url)
            dk_json_set_str(c, "proxy-url", kc->proxy_url);
    }
    s = dk_json_print(j, 0);
    cJSON_Delete(j);
    return s;
}

/* Runs the exec plugin and takes its credential. */
static int run_exec(struct dk_kubeconfig *kc, struct dk_err *err)
{
    struct dk_strvec argv = DK_STRVEC_INIT;
    struct dk_proc_result res;
    cJSON *out = NULL;
    const cJSON *status;
    const char *tok, *cert, *key, *exp;
    char *info = exec_info(kc);
    size_t i;
    int rc = -1;

    /* env(1) adds the plugin's variables without touching our own environment. */
    dk_strvec_push(&argv, "env");
    dk_strvec_pushf(&argv, "KUBERNETES_EXEC_INFO=%s", info);
    for (i = 0; kc->exec_env && kc->exec_env[i]; i++)
        dk_strvec_push(&argv, kc->exec_env[i]);
    for (i = 0; kc->exec_argv[i]; i++)
        dk_strvec_push(&argv, kc->exec_argv[i]);
    dk_strvec_push_owned(&argv, NULL);
    argv.n--;
    free(info);

    dk_proc_result_init(&res, 1 << 20);
    if (dk_proc_run((const char *const *)argv.v, NULL, 0, &res, err) < 0) {
        dk_err_wrap(err, "kubeconfig '%s': user '%s': cannot run exec plugin '%s'", kc->source,
                    kc->user, kc->exec_argv[0]);
        goto out;
    }
    if (!dk_proc_ok(&res)) {
        char how[64];
        size_t l = res.err.len;

        while (l && res.err.buf[l - 1] == '\n')
            l--;
        dk_proc_describe(res.status, how, sizeof(how));
        dk_err_set(err, DK_E_AUTH, "kubeconfig '%s': user '%s': exec plugin '%s' %s%s%.*s%s%s",
                   kc->source, kc->user, kc->exec_argv[0], how, l ? ": " : "", (int)l, res.err.buf,
                   kc->exec_hint ? "; " : "", kc->exec_hint ? kc->exec_hint : "");
        goto out;
    }
    if (dk_json_parse(res.out.buf, res.out.len, "exec plugin output", &out, err) < 0) {
        err->code = DK_E_AUTH;
        dk_err_wrap(err, "kubeconfig '%s': user '%s'", kc->source, kc->user);
        goto out;
    }
    status = cJSON_GetObjectItemCaseSensitive(out, "status");
    tok = str_or_null(dk_json_str(status, "token"));
    cert = str_or_null(dk_json_str(status, "clientCertificateData"));
    key = str_or_null(dk_json_str(status, "clientKeyData"));
    exp = str_or_null(dk_json_str(status, "expirationTimestamp"));
    if (!tok && !(cert && key)) {
        dk_err_set(err, DK_E_AUTH,
                   "kubeconfig '%s': user '%s': exec plugin '%s' gave neither status.token nor "
                   "status.clientCertificateData and clientKeyData",
                   kc->source, kc->user, kc->exec_argv[0]);
        goto out;
    }
    if (tok) {
        set_token(kc, tok, strlen(tok));
    } else {
        dk_buf_reset(&kc->cert_data);
        dk_buf_reset(&kc->key_data);
        dk_buf_add(&kc->cert_data, cert);
        dk_buf_add(&kc->key_data, key);
        dk_log_add_secret(kc->key_data.buf);
        kc->auth = DK_KUBECONFIG_AUTH_CERT;
    }
    kc->expiry = 0;
    if (exp && !(kc->expiry = parse_rfc3339(exp))) {
        dk_err_set(err, DK_E_AUTH,
                   "kubeconfig '%s': user '%s': exec plugin gave an invalid expirationTimestamp "
                   "'%s'",
                   kc->source, kc->user, exp);
        goto out;
    }
    rc = 0;
out:
    cJSON_Delete(out);
    dk_proc_result_release(&res);
    dk_strvec_release(&argv);
    return rc;
}

static int load_exec(struct dk_kubeconfig *kc, const cJSON *exec, const struct kfile *f,
                     struct dk_err *err)
{
    struct dk_strvec argv = DK_STRVEC_INIT, env = DK_STRVEC_INIT;
    const char *cmd = str_or_null(dk_json_str(exec, "command"));
    const char *api = str_or_null(dk_json_str(exec, "apiVersion"));
    const cJSON *it;

    if (!cmd)
        return dk_err_set(err, DK_E_INPUT, "kubeconfig '%s': user '%s': exec has no command",
                          f->name, kc->user);
    if (!api || (strcmp(api, "client.authentication.k8s.io/v1") != 0 &&
                 strcmp(api, "client.authentication.k8s.io/v1beta1") != 0))
        return dk_err_set(err, DK_E_INPUT,
                          "kubeconfig '%s': user '%s': exec apiVersion '%s' is not supported "
                          "(client.authentication.k8s.io/v1 or v1beta1)",
                          f->name, kc->user, api ? api : "");
    /* client-go resolves a command with a path separator against the file's directory. */
    if (strchr(cmd, '/'))
        dk_strvec_push_owned(&argv, resolve(f->dir, cmd));
    else
        dk_strvec_push(&argv, cmd);
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(exec, "args"))
    {
        if (cJSON_IsString(it))
            dk_strvec_push(&argv, it->valuestring);
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(exec, "env"))
    {
        const char *n = dk_json_str(it, "name"), *v = dk_json_str(it, "value");

        if (n && *n)
            dk_strvec_pushf(&env, "%s=%s", n, v ? v : "");
    }
    kc->exec_argv = strv_from(&argv);
    kc->exec_env = strv_from(&env);
    dk_strvec_release(&argv);
    dk_strvec_release(&env);
    kc->exec_api = dk_xstrdup(api);
    if (str_or_null(dk_json_str(exec, "installHint")))
        kc->exec_hint = dk_xstrdup(dk_json_str(exec, "installHint"));
    kc->exec_cluster_info = dk_json_bool(exec, "provideClusterInfo", 0);
    return run_exec(kc, err);
}

/* The password of a proxy URL's user info (scheme://user:password@host) is a secret. */
static void add_proxy_secret(const char *url)
{
    const char *s = strstr(url, "://"), *at = strrchr(url, '@'), *colon;
    char *pw;

    s = s ? s + 3 : url;
    if (!at || at < s || !(colon = memchr(s, ':', (size_t)(at - s))))
        return;
    pw = dk_xstrndup(colon + 1, (size_t)(at - colon - 1));
    if (*pw)
        dk_log_add_secret(pw);
    free(pw);
}

static int resolve_context(struct dk_kubeconfig *kc, const struct kset *s, const char *source,
                           const struct dk_kubeconfig_opts *o, struct dk_err *err)
{
    const struct kfile *cf = NULL, *clf = NULL, *uf = NULL;
    const cJSON *ctx, *cl, *user = NULL;
    const char *name = o ? o->context : NULL, *v;
    size_t i;

    kc->source = dk_xstrdup(source);
    for (i = 0; !str_or_null(name) && i < s->n; i++)
        name = str_or_null(dk_json_str(s->f[i].doc, "current-context"));
    if (!str_or_null(name))
        return dk_err_set(err, DK_E_INPUT,
                          "kubeconfig '%s': no current context (set "
                          "current-context or pass --kube-context)",
                          source);
    kc->context = dk_xstrdup(name);
    ctx = kset_find(s, "contexts", "context", name, &cf);
    if (!ctx)
        return dk_err_set(err, DK_E_INPUT, "kubeconfig '%s': context '%s' not found", source, name);
    v = str_or_null(dk_json_str(ctx, "cluster"));
    if (!v)
        return dk_err_set(err, DK_E_INPUT, "kubeconfig '%s': context '%s' has no cluster", cf->name,
                          name);
    kc->cluster = dk_xstrdup(v);
    cl = kset_find(s, "clusters", "cluster", v, &clf);
    if (!cl)
        return dk_err_set(err, DK_E_INPUT, "kubeconfig '%s': cluster '%s' not found", source, v);
    v = str_or_null(dk_json_str(ctx, "user"));
    if (v) {
        kc->user = dk_xstrdup(v);
        user = kset_find(s, "users", "user", v, &uf);
        if (!user && !kset_has(s, "users", v))
            return dk_err_set(err, DK_E_INPUT, "kubeconfig '%s': user '%s' not found", source, v);
    }
    v = o ? str_or_null(o->namespace) : NULL;
    if (!v)
        v = str_or_null(dk_json_str(ctx, "namespace"));
    kc->namespace = dk_xstrdup(v ? v : "default");

    /* cluster */
    v = str_or_null(dk_json_str(cl, "server"));
    if (!v)
        return dk_err_set(err, DK_E_INPUT, "kubeconfig '%s': cluster '%s' has no server", clf->name,
                          kc->cluster);
    kc->server = dk_xstrdup(v);
    for (i = strlen(kc->server); i > 0 && kc->server[i - 1] == '/'; i--)
        kc->server[i - 1] = '\0';
    if ((v = str_or_null(dk_json_str(cl, "tls-server-name"))))
        kc->tls_server_name = dk_xstrdup(v);
    if ((v = str_or_null(dk_json_str(cl, "proxy-url")))) {
        kc->proxy_url = dk_xstrdup(v);
        add_proxy_secret(v);
    }
    kc->insecure = dk_json_bool(cl, "insecure-skip-tls-verify", 0);
    if (load_pem(cl, "certificate-authority-data", "certificate-authority", clf,
                 "certificate authority", &kc->ca_data, &kc->ca_file, err) < 0)
        return -1;

    if (!user)
        return 0;
    /* user: a client certificate can go with a token; exec comes last and may override. */
    if (load_pem(user, "client-certificate-data", "client-certificate", uf, "client certificate",
                 &kc->cert_data, NULL, err) < 0 ||
        load_pem(user, "client-key-data", "client-key", uf, "client key", &kc->key_data, NULL,
                 err) < 0)
        return -1;
    if (kc->key_data.len)
        dk_log_add_secret(kc->key_data.buf);
    if (kc->cert_data.len && kc->key_data.len)
        kc->auth = DK_KUBECONFIG_AUTH_CERT;
    else if (kc->cert_data.len || kc->key_data.len)
        return dk_err_set(err, DK_E_INPUT,
                          "kubeconfig '%s': user '%s' has a client %s but no client %s", uf->name,
                          kc->user, kc->cert_data.len ? "certificate" : "key",
                          kc->cert_data.len ? "key" : "certificate");
    if ((v = str_or_null(dk_json_str(user, "username")))) {
        const char *pw = dk_json_str(user, "password");

        kc->username = dk_xstrdup(v);
        kc->password = dk_xstrdup(pw ? pw : "");
        dk_log_add_secret(kc->password);
        kc->auth = DK_KUBECONFIG_AUTH_BASIC;
    }
    if ((v = str_or_null(dk_json_str(user, "token")))) {
        set_token(kc, v, strlen(v));
    } else if ((v = str_or_null(dk_json_str(user, "tokenFile")))) {
        kc->token_file = resolve(uf->dir, v);
        if (read_token_file(kc, err) < 0)
            return -1;
    }
    if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(user, "exec")))
        return load_exec(kc, cJSON_GetObjectItemCaseSensitive(user, "exec"), uf, err);
    if (cJSON_GetObjectItemCaseSensitive(user, "auth-provider"))
        return dk_err_set(err, DK_E_INPUT,
                          "kubeconfig '%s': user '%s': auth-provider is not supported (use an "
                          "exec plugin)",
                          uf->name, kc->user);
    return 0;
}

static int load_in_cluster(struct dk_kubeconfig *kc, const struct dk_kubeconfig_opts *o,
                           struct dk_err *err)
{
    const char *host = getenv("KUBERNETES_SERVICE_HOST");
    const char *port = getenv("KUBERNETES_SERVICE_PORT");
    const char *dir = o && o->sa_dir ? o->sa_dir : DK_KUBECONFIG_SA_DIR;
    struct dk_buf ns = DK_BUF_INIT;
    char *path;

    kc->source = dk_xstrdup("in-cluster");
    kc->in_cluster = 1;
    kc->server = dk_xasprintf(strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host,
                              port && *port ? port : "443");
    kc->token_file = dk_xasprintf("%s/token", dir);
    kc->user = dk_xstrdup("serviceaccount");
    if (read_token_file(kc, err) < 0)
        return -1;
    path = dk_xasprintf("%s/ca.crt", dir);
    if (dk_buf_read_file(&kc->ca_data, path) < 0) {
        dk_err_set(err, DK_E_INPUT,
                   "in-cluster config: cannot read certificate authority "
                   "'%s': %s",
                   path, strerror(errno));
        free(path);
        return -1;
    }
    kc->ca_file = path;
    path = dk_xasprintf("%s/namespace", dir);
    if (o && str_or_null(o->namespace)) {
        kc->namespace = dk_xstrdup(o->namespace);
    } else if (dk_buf_read_file(&ns, path) == 0 && ns.len) {
        while (ns.len && (ns.buf[ns.len - 1] == '\n' || ns.buf[ns.len - 1] == ' '))
            ns.buf[--ns.len] = '\0';
        kc->namespace = dk_buf_detach(&ns, NULL);
    } else {
        kc->namespace = dk_xstrdup("default");
    }
    dk_buf_release(&ns);
    free(path);
    return 0;
}

void dk_kubeconfig_opts_init(struct dk_kubeconfig_opts *o)
{
    memset(o, 0, sizeof(*o));
}

void dk_kubeconfig_init(struct dk_kubeconfig *kc)
{
    memset(kc, 0, sizeof(*kc));
    dk_buf_init(&kc->ca_data);
    dk_buf_init(&kc->cert_data);
    dk_buf_init(&kc->key_data);
}

void dk_kubeconfig_release(struct dk_kubeconfig *kc)
{
    free(kc->source);
    free(kc->context);
    free(kc->cluster);
    free(kc->user);
    free(kc->namespace);
    free(kc->server);
    free(kc->tls_server_name);
    free(kc->proxy_url);
    free(kc->ca_file);
    dk_buf_release(&kc->ca_data);
    free(kc->token);
    free(kc->token_file);
    free(kc->username);
    free(kc->password);
    dk_buf_release(&kc->cert_data);
    dk_buf_release(&kc->key_data);
    strv_free(kc->exec_argv);
    strv_free(kc->exec_env);
    free(kc->exec_api);
    free(kc->exec_hint);
    dk_kubeconfig_init(kc);
}

int dk_kubeconfig_load_text(struct dk_kubeconfig *kc, const char *text, size_t len,
                            const char *name, const char *dir,
                            const struct dk_kubeconfig_opts *opts, struct dk_err *err)
{
    struct kset s = {NULL, 0};
    char cwd[4096];
    int rc;

    if (!dir)
        dir = getcwd(cwd, sizeof(cwd)) ? cwd : ".";
    rc = kset_add_text(&s, text, len, name, dir, err);
    if (rc == 0)
        rc = resolve_context(kc, &s, name, opts, err);
    kset_release(&s);
    return rc;
}

int dk_kubeconfig_load(struct dk_kubeconfig *kc, const struct dk_kubeconfig_opts *given,
                       struct dk_err *err)
{
    struct kset s = {NULL, 0};
    struct dk_kubeconfig_opts eff;
    const struct dk_kubeconfig_opts *opts = &eff;
    const char *env, *source;
    char *home_cfg = NULL;
    int rc = -1;

    /* the flags' environment fallbacks, for every tool alike */
    if (given)
        eff = *given;
    else
        dk_kubeconfig_opts_init(&eff);
    if (!str_or_null(eff.path))
        eff.path = str_or_null(getenv("DK_KUBECONFIG"));
    if (!str_or_null(eff.context))
        eff.context = str_or_null(getenv("DK_KUBE_CONTEXT"));

    if (opts && str_or_null(opts->path)) {
        source = opts->path;
        if (kset_add_file(&s, opts->path, 0, err) < 0)
            goto out;
    } else if ((env = str_or_null(getenv("DK_KUBE_CONFIG_BASE64")))) {
        struct dk_buf text = DK_BUF_INIT;

        source = "DK_KUBE_CONFIG_BASE64";
        if (dk_base64_decode(env, &text) < 0) {
            dk_err_set(err, DK_E_INPUT, "kubeconfig 'DK_KUBE_CONFIG_BASE64': not valid base64");
            goto out;
        }
        rc = dk_kubeconfig_load_text(kc, text.buf, text.len, source, NULL, opts, err);
        dk_buf_release(&text);
        return rc;
    } else if ((env = str_or_null(getenv("KUBECONFIG")))) {
        char *list = dk_xstrdup(env), *p, *save = NULL;

        source = strchr(env, ':') ? "KUBECONFIG" : env;
        for (p = strtok_r(list, ":", &save); p; p = strtok_r(NULL, ":", &save))
            if (kset_add_file(&s, p, 1, err) < 0) {
                free(list);
                goto out;
            }
        free(list);
        if (!s.n) {
            dk_err_set(err, DK_E_NOTFOUND,
                       "no kubeconfig: none of the files in KUBECONFIG "
                       "('%s') exists",
                       env);
            goto out;
        }
    } else {
        const char *home = getenv("HOME");

        if (home && *home) {
            home_cfg = dk_xasprintf("%s/.kube/config", home);
            if (kset_add_file(&s, home_cfg, 1, err) < 0)
                goto out;
        }
        if (!s.n) {
            if (!(opts && opts->no_in_cluster) && str_or_null(getenv("KUBERNETES_SERVICE_HOST"))) {
                rc = load_in_cluster(kc, opts, err);
                goto out;
            }
            dk_err_set(err, DK_E_NOTFOUND,
                       "no kubeconfig: pass --kubeconfig, set KUBECONFIG or "
                       "DK_KUBE_CONFIG_BASE64, or create '%s'",
                       home_cfg ? home_cfg : "~/.kube/config");
            goto out;
        }
        source = home_cfg;
    }
    rc = resolve_context(kc, &s, source, opts, err);
out:
    kset_release(&s);
    free(home_cfg);
    return rc;
}

int dk_kubeconfig_refresh(struct dk_kubeconfig *kc, int force, struct dk_err *err)
{
    if (kc->exec_argv) {
        if (force || (kc->expiry && time(NULL) + 10 >= kc->expiry))
            return run_exec(kc, err);
        return 0;
    }
    if (kc->token_file)
        return read_token_file(kc, err);
    return 0;
}
