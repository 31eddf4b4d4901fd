#include "dk/registry.h"

#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dk/auth.h"
#include "dk/base64.h"
#include "dk/digest.h"
#include "dk/log.h"
#include "dk/ref.h"

enum scheme { AUTH_UNKNOWN, AUTH_NONE, AUTH_BASIC, AUTH_BEARER };

struct token {
    char *scope;
    char *value;
    time_t expires;
};

struct dk_registry {
    struct dk_regclient *c;
    char *host; /* as in references */
    char *api;  /* host to talk to */
    char *base; /* "https://host" or "http://host" */
    int verify; /* TLS verification for this host */
    int pinged;
    enum scheme scheme;
    char *realm, *service;
    struct dk_cred cred;
    int cred_state; /* 0 not looked up, 1 found, -1 none */
    struct token *tokens;
    size_t ntokens;
};

static const char accept_manifests[] = "Accept: " DK_MT_OCI_MANIFEST ", " DK_MT_OCI_INDEX
                                       ", " DK_MT_DOCKER_MANIFEST ", " DK_MT_DOCKER_LIST;

void dk_regclient_opts_init(struct dk_regclient_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->tls_verify = -1;
    o->parallel = 8;
    o->page_size = 1000;
}

void dk_registry_flags_init(struct dk_registry_flags *f)
{
    memset(f, 0, sizeof(*f));
    f->tls_verify = "auto";
    f->parallel = 8;
    f->page_size = 1000;
}

void dk_registry_flags_release(struct dk_registry_flags *f)
{
    dk_strlist_release(&f->insecure_registries);
}

int dk_regclient_init_flags(struct dk_regclient *c, const struct dk_registry_flags *f,
                            int use_credentials, struct dk_err *err)
{
    struct dk_regclient_opts ro;

    memset(c, 0, sizeof(*c));
    dk_regclient_opts_init(&ro);
    ro.insecure = f->insecure_registries.v;
    if (!strcmp(f->tls_verify, "true") || !strcmp(f->tls_verify, "1"))
        ro.tls_verify = 1;
    else if (!strcmp(f->tls_verify, "false") || !strcmp(f->tls_verify, "0"))
        ro.tls_verify = 0;
    else if (strcmp(f->tls_verify, "auto"))
        return dk_err_set(err, DK_E_USAGE,
                          "invalid value '%s' for --tls-verify: expected auto, true or false",
                          f->tls_verify);
    if (f->insecure) {
        ro.insecure_all = 1;
        ro.tls_verify = 0;
    }
    if (f->parallel < 1 || f->parallel > 64)
        return dk_err_set(err, DK_E_USAGE, "invalid value %ld for --parallel: expected 1 to 64",
                          f->parallel);
    if (f->page_size < 1 || f->page_size > 100000)
        return dk_err_set(err, DK_E_USAGE,
                          "invalid value %ld for --page-size: expected 1 to 100000", f->page_size);
    ro.parallel = (int)f->parallel;
    ro.page_size = (int)f->page_size;
    ro.ca_file = f->ca_cert;
    if (f->password)
        dk_log_add_secret(f->password);
    if (use_credentials && f->username && f->password) {
        ro.username = f->username;
        ro.password = f->password;
    }
    return dk_regclient_init(c, &ro, err);
}

int dk_regclient_init(struct dk_regclient *c, const struct dk_regclient_opts *o, struct dk_err *err)
{
    struct dk_http_opts ho;
    const char *const *p;

    memset(c, 0, sizeof(*c));
    dk_regclient_opts_init(&c->opts);
    if (o)
        c->opts = *o;
    for (p = c->opts.insecure; p && *p; p++)
        dk_strvec_push(&c->insecure, *p);
    c->opts.insecure = NULL;
    if (c->opts.ca_file)
        c->ca_file = dk_xstrdup(c->opts.ca_file);
    else if (getenv("SSL_CERT_FILE") && *getenv("SSL_CERT_FILE"))
        c->ca_file = dk_xstrdup(getenv("SSL_CERT_FILE"));
    if (c->opts.username)
        c->username = dk_xstrdup(c->opts.username);
    if (c->opts.password) {
        c->password = dk_xstrdup(c->opts.password);
        dk_log_add_secret(c->password);
    }
    c->opts.ca_file = c->opts.username = c->opts.password = NULL;
    dk_http_opts_init(&ho);
    /* a blob in flight between registries is two requests, its GET and its PUT */
    ho.max_parallel = 2 * (c->opts.parallel > 0 ? c->opts.parallel : 8);
    ho.ca_file = c->ca_file;
    ho.verify = c->opts.tls_verify != 0;
    return dk_http_init(&c->http, &ho, err);
}

static void registry_free(struct dk_registry *r)
{
    size_t i;

    for (i = 0; i < r->ntokens; i++) {
        free(r->tokens[i].scope);
        free(r->tokens[i].value);
    }
    free(r->tokens);
    dk_cred_release(&r->cred);
    free(r->host);
    free(r->api);
    free(r->base);
    free(r->realm);
    free(r->service);
    free(r);
}

void dk_regclient_release(struct dk_regclient *c)
{
    size_t i;

    for (i = 0; i < c->nregs; i++)
        registry_free(c->regs[i]);
    free(c->regs);
    dk_http_release(&c->http);
    dk_strvec_release(&c->insecure);
    free(c->ca_file);
    free(c->username);
    if (c->password) {
        memset(c->password, 0, strlen(c->password));
        free(c->password);
    }
    memset(c, 0, sizeof(*c));
}

struct dk_registry *dk_regclient_get(struct dk_regclient *c, const char *host)
{
    struct dk_registry *r;
    struct dk_ref tmp = DK_REF_INIT;
    size_t i;

    for (i = 0; i < c->nregs; i++)
        if (!strcmp(c->regs[i]->host, host))
            return c->regs[i];
    r = dk_xcalloc(1, sizeof(*r));
    r->c = c;
    r->host = dk_xstrdup(host);
    tmp.registry = r->host;
    r->api = dk_xstrdup(dk_ref_api_host(&tmp));
    c->regs = dk_xrealloc(c->regs, (c->nregs + 1) * sizeof(*c->regs));
    c->regs[c->nregs++] = r;
    return r;
}

const char *dk_registry_host(const struct dk_registry *r)
{
    return r->host;
}

struct dk_regclient *dk_registry_client(const struct dk_registry *r)
{
    return r->c;
}

enum dk_http_tls dk_registry_tls(const struct dk_registry *r)
{
    return r->verify ? DK_HTTP_TLS_VERIFY : DK_HTTP_TLS_NO_VERIFY;
}

static int is_insecure(struct dk_registry *r)
{
    return r->c->opts.insecure_all || dk_ref_is_loopback(r->host) ||
           dk_strvec_has(&r->c->insecure, r->host) || dk_strvec_has(&r->c->insecure, r->api);
}

/* CA for a host from Docker's per-registry directory, as Docker does. */
static void host_ca(struct dk_registry *r)
{
    char path[512];
    struct stat st;

    if (r->c->ca_file)
        return;
    snprintf(path, sizeof(path), "/etc/docker/certs.d/%s/ca.crt", r->host);
    if (!stat(path, &st))
        r->c->ca_file = dk_xstrdup(path), r->c->http.opts.ca_file = r->c->ca_file;
}

/* --- challenges and tokens ------------------------------------------------------------ */

static const char *find_nocase(const char *h, const char *needle)
{
    size_t n = strlen(needle);

    for (; *h; h++)
        if (!strncasecmp(h, needle, n))
            return h;
    return NULL;
}

/* Reads param="value" from a WWW-Authenticate header. */
static char *challenge_param(const char *h, const char *name)
{
    size_t nl = strlen(name);
    const char *p = h;

    while ((p = find_nocase(p, name))) {
        if ((p == h || p[-1] == ' ' || p[-1] == ',') && p[nl] == '=') {
            const char *v = p + nl + 1, *e;

            if (*v == '"') {
                v++;
                e = strchr(v, '"');
            } else {
                e = v + strcspn(v, ", ");
            }
            return e ? dk_xstrndup(v, (size_t)(e - v)) : dk_xstrdup(v);
        }
        p += nl;
    }
    return NULL;
}

static void learn_challenge(struct dk_registry *r, const struct dk_http_resp *resp)
{
    struct dk_buf h = DK_BUF_INIT;

    if (resp->status != 401 || !dk_http_resp_header(resp, "WWW-Authenticate", &h)) {
        if (r->scheme == AUTH_UNKNOWN)
            r->scheme = AUTH_NONE;
        dk_buf_release(&h);
        return;
    }
    if (!strncasecmp(h.buf, "Bearer", 6)) {
        r->scheme = AUTH_BEARER;
        free(r->realm);
        free(r->service);
        r->realm = challenge_param(h.buf, "realm");
        r->service = challenge_param(h.buf, "service");
    } else if (!strncasecmp(h.buf, "Basic", 5)) {
        r->scheme = AUTH_BASIC;
    }
    dk_buf_release(&h);
}

static int load_cred(struct dk_registry *r, struct dk_err *err)
{
    int rc;

    if (r->cred_state)
        return r->cred_state > 0;
    if (r->c->username && r->c->password) {
        r->cred.username = dk_xstrdup(r->c->username);
        r->cred.secret = dk_xstrdup(r->c->password);
        r->cred_state = 1;
        return 1;
    }
    rc = dk_auth_lookup(r->host, &r->cred, err);
    if (rc < 0)
        return -1;
    r->cred_state = rc ? 1 : -1;
    return rc;
}

static struct token *find_token(struct dk_registry *r, const char *scope)
{
    size_t i;
    time_t now = time(NULL);

    for (i = 0; i < r->ntokens; i++)
        if (!strcmp(r->tokens[i].scope, scope) && r->tokens[i].expires > now + 5)
            return &r->tokens[i];
    return NULL;
}

void dk_registry_auth_forget(struct dk_registry *r, const char *scope)
{
    size_t i;

    for (i = 0; i < r->ntokens; i++)
        if (!strcmp(r->tokens[i].scope, scope))
            r->tokens[i].expires = 0;
}

static int fetch_token(struct dk_registry *r, const char *scope, struct dk_err *err)
{
    struct dk_buf url = DK_BUF_INIT, auth = DK_BUF_INIT, body = DK_BUF_INIT;
    struct dk_http_req req = {0};
    struct dk_http_resp resp;
    const char *hdrs[3] = {NULL, NULL, NULL};
    cJSON *j = NULL;
    const cJSON *tok, *exp;
    int have, rc = -1;
    char *sc, *p, *save = NULL;

    if (!r->realm)
        return dk_err_set(err, DK_E_AUTH, "registry %s asked for a token but named no realm",
                          r->host);
    have = load_cred(r, err);
    if (have < 0)
        return -1;
    dk_http_resp_init(&resp);
    if (have && r->cred.identity_token) {
        /* OAuth2 refresh-token grant, as Docker does for identity tokens */
        dk_buf_add(&url, r->realm);
        dk_buf_add(&body, "grant_type=refresh_token&client_id=dk&service=");
        dk_http_urlencode(&body, r->service ? r->service : "");
        dk_buf_add(&body, "&refresh_token=");
        dk_http_urlencode(&body, r->cred.secret);
        sc = dk_xstrdup(scope);
        for (p = strtok_r(sc, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
            dk_buf_add(&body, "&scope=");
            dk_http_urlencode(&body, p);
        }
        free(sc);
        req.method = "POST";
        req.body = body.buf;
        req.body_len = body.len;
        hdrs[0] = "Content-Type: application/x-www-form-urlencoded";
    } else {
        dk_buf_addf(&url, "%s%c", r->realm, strchr(r->realm, '?') ? '&' : '?');
        if (r->service) {
            dk_buf_add(&url, "service=");
            dk_http_urlencode(&url, r->service);
        }
        sc = dk_xstrdup(scope);
        for (p = strtok_r(sc, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
            dk_buf_add(&url, r->service || p != sc ? "&scope=" : "scope=");
            dk_http_urlencode(&url, p);
        }
        free(sc);
        if (have) {
            char *up = dk_xasprintf("%s:%s", r->cred.username, r->cred.secret);
            char *b64 = dk_base64_encode(up, strlen(up));

            dk_log_add_secret(b64);
            dk_buf_addf(&auth, "Authorization: Basic %s", b64);
            memset(up, 0, strlen(up));
            free(up);
            free(b64);
            hdrs[0] = auth.buf;
        }
    }
    req.url = url.buf;
    req.headers = hdrs;
    r->c->requests++;
    dk_log_debug("token: %s scope=%s", r->realm, scope);
    if (dk_http_do(&r->c->http, &req, &resp, err) < 0) {
        dk_err_wrap(err, "cannot get a token for %s", r->host);
        goto out;
    }
    if (resp.status == 401 || resp.status == 403) {
        dk_err_set(err, DK_E_AUTH, "cannot log in to %s: token server answered %ld%s", r->host,
                   resp.status,
                   have ? " (wrong username or password?)" : " (no credentials: dk-push login?)");
        goto out;
    }
    if (resp.status != 200) {
        dk_err_set(err, DK_E_AUTH, "cannot get a token for %s: token server answered %ld", r->host,
                   resp.status);
        goto out;
    }
    j = cJSON_ParseWithLength(resp.body.buf, resp.body.len);
    tok = j ? cJSON_GetObjectItemCaseSensitive(j, "token") : NULL;
    if (!cJSON_IsString(tok) || !*tok->valuestring)
        tok = j ? cJSON_GetObjectItemCaseSensitive(j, "access_token") : NULL;
    if (!cJSON_IsString(tok) || !*tok->valuestring) {
        dk_err_set(err, DK_E_AUTH,
                   "cannot get a token for %s: the token server's answer has "
                   "no token",
                   r->host);
        goto out;
    }
    exp = cJSON_GetObjectItemCaseSensitive(j, "expires_in");
    r->tokens = dk_xrealloc(r->tokens, (r->ntokens + 1) * sizeof(*r->tokens));
    r->tokens[r->ntokens].scope = dk_xstrdup(scope);
    r->tokens[r->ntokens].value = dk_xstrdup(tok->valuestring);
    r->tokens[r->ntokens].expires =
        time(NULL) + (cJSON_IsNumber(exp) && exp->valuedouble > 0 ? (time_t)exp->valuedouble : 60);
    dk_log_add_secret(tok->valuestring);
    r->ntokens++;
    rc = 0;
out:
    cJSON_Delete(j);
    if (body.len)
        memset(body.buf, 0, body.len);
    dk_buf_release(&body);
    dk_buf_release(&url);
    if (auth.len)
        memset(auth.buf, 0, auth.len);
    dk_buf_release(&auth);
    dk_http_resp_release(&resp);
    return rc;
}

int dk_registry_ping(struct dk_registry *r, struct dk_err *err)
{
    struct dk_buf url = DK_BUF_INIT;
    struct dk_http_req req = {0};
    struct dk_http_resp resp;
    int rc = -1, insecure = is_insecure(r);
    int verify_forced = r->c->opts.tls_verify;

    if (r->pinged)
        return 0;
    host_ca(r);
    dk_http_resp_init(&resp);
    r->verify = verify_forced >= 0 ? verify_forced : !insecure;
    dk_buf_addf(&url, "https://%s/v2/", r->api);
    req.url = url.buf;
    req.tls = dk_registry_tls(r);
    req.no_retry = insecure && verify_forced != 1;
    r->c->requests++;
    if (dk_http_do(&r->c->http, &req, &resp, err) < 0) {
        if (!insecure || verify_forced == 1)
            goto fail;
        /* plain HTTP, as Docker does for insecure and loopback registries */
        dk_buf_reset(&url);
        dk_buf_addf(&url, "http://%s/v2/", r->api);
        req.url = url.buf;
        req.no_retry = 0;
        dk_http_resp_release(&resp);
        dk_err_init(err);
        r->c->requests++;
        if (dk_http_do(&r->c->http, &req, &resp, err) < 0)
            goto fail;
        r->base = dk_xasprintf("http://%s", r->api);
    } else {
        r->base = dk_xasprintf("https://%s", r->api);
    }
    if (resp.status != 200 && resp.status != 401) {
        dk_registry_error(r, &resp, "/v2/", err);
        free(r->base);
        r->base = NULL;
        goto out;
    }
    learn_challenge(r, &resp);
    r->pinged = 1;
    dk_log_debug("registry %s: %s, auth %s", r->host, r->base,
                 r->scheme == AUTH_BEARER  ? "bearer"
                 : r->scheme == AUTH_BASIC ? "basic"
                                           : "none");
    rc = 0;
    goto out;
fail:
    dk_err_wrap(err, "cannot reach registry %s", r->host);
out:
    dk_buf_release(&url);
    dk_http_resp_release(&resp);
    return rc;
}

int dk_registry_check_login(struct dk_registry *r, struct dk_err *err)
{
    struct dk_buf url = DK_BUF_INIT;
    struct dk_http_req req = {0};
    struct dk_http_resp resp;
    int rc = -1;

    if (dk_registry_ping(r, err) < 0)
        return -1;
    if (r->scheme == AUTH_BEARER)
        return fetch_token(r, "", err);
    dk_http_resp_init(&resp);
    dk_registry_url(r, &url, "%s", "");
    req.url = url.buf;
    if (dk_registry_do(r, "", &req, &resp, err) < 0)
        goto out;
    if (resp.status != 200) {
        dk_registry_error(r, &resp, "login", err);
        goto out;
    }
    rc = 0;
out:
    dk_buf_release(&url);
    dk_http_resp_release(&resp);
    return rc;
}

int dk_registry_url(struct dk_registry *r, struct dk_buf *out, const char *fmt, ...)
{
    va_list ap;

    dk_buf_reset(out);
    dk_buf_addf(out, "%s/v2/", r->base ? r->base : "");
    va_start(ap, fmt);
    dk_buf_vaddf(out, fmt, ap);
    va_end(ap);
    return 0;
}

int dk_registry_auth(struct dk_registry *r, const char *scope, struct dk_buf *hdr,
                     struct dk_err *err)
{
    struct token *t;

    dk_buf_reset(hdr);
    if (dk_registry_ping(r, err) < 0)
        return -1;
    if (r->scheme == AUTH_BEARER) {
        if (!(t = find_token(r, scope))) {
            if (fetch_token(r, scope, err) < 0)
                return -1;
            t = find_token(r, scope);
        }
        if (t)
            dk_buf_addf(hdr, "Authorization: Bearer %s", t->value);
    } else if (r->scheme == AUTH_BASIC) {
        int have = load_cred(r, err);

        if (have < 0)
            return -1;
        if (have) {
            char *up = dk_xasprintf("%s:%s", r->cred.username, r->cred.secret);
            char *b64 = dk_base64_encode(up, strlen(up));

            dk_log_add_secret(b64);
            dk_buf_addf(hdr, "Authorization: Basic %s", b64);
            memset(up, 0, strlen(up));
            free(up);
            free(b64);
        }
    }
    return 0;
}

int dk_registry_do(struct dk_registry *r, const char *scope, struct dk_http_req *req,
                   struct dk_http_resp *resp, struct dk_err *err)
{
    struct dk_buf auth = DK_BUF_INIT;
    const char *hdrs[8];
    const char *const *orig = req->headers;
    size_t n = 0;
    int attempt, rc = -1;

    for (attempt = 0; attempt < 2; attempt++) {
        const char *const *p;

        n = 0;
        if (dk_registry_auth(r, scope, &auth, err) < 0)
            goto out;
        if (auth.len)
            hdrs[n++] = auth.buf;
        for (p = orig; p && *p && n < 7; p++)
            hdrs[n++] = *p;
        hdrs[n] = NULL;
        req->headers = hdrs;
        req->tls = dk_registry_tls(r);
        r->c->requests++;
        dk_http_resp_release(resp);
        dk_http_resp_init(resp);
        if (dk_http_do(&r->c->http, req, resp, err) < 0)
            goto out;
        if (resp->status != 401 || attempt)
            break;
        /* the registry wants (other) credentials: learn the challenge, get a new token */
        {
            enum scheme before = r->scheme;

            learn_challenge(r, resp);
            if (r->scheme == AUTH_BEARER)
                dk_registry_auth_forget(r, scope);
            else if (r->scheme == before && r->scheme != AUTH_BASIC)
                break;
            if (r->scheme == AUTH_BASIC && before == AUTH_BASIC)
                break;
        }
        if (req->read && req->rewind && req->rewind(req->read_ud))
            break;
    }
    rc = 0;
out:
    req->headers = orig;
    if (auth.len)
        memset(auth.buf, 0, auth.len);
    dk_buf_release(&auth);
    return rc;
}

static const char *status_text(long s)
{
    switch (s) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 416:
        return "Range Not Satisfiable";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "";
    }
}

int dk_registry_error(struct dk_registry *r, const struct dk_http_resp *resp, const char *what,
                      struct dk_err *err)
{
    struct dk_buf msg = DK_BUF_INIT;
    cJSON *j = cJSON_ParseWithLength(resp->body.buf, resp->body.len);
    const cJSON *errs = j ? cJSON_GetObjectItemCaseSensitive(j, "errors") : NULL;
    const cJSON *e;
    enum dk_errc code = DK_E_FAIL;

    dk_buf_addf(&msg, "registry %s answered %ld%s%s for %s", r->host, resp->status,
                *status_text(resp->status) ? " " : "", status_text(resp->status), what);
    cJSON_ArrayForEach(e, errs)
    {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "code");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");

        dk_buf_addf(&msg, ": %s%s%s", cJSON_IsString(c) ? c->valuestring : "",
                    cJSON_IsString(c) && cJSON_IsString(m) ? ": " : "",
                    cJSON_IsString(m) ? m->valuestring : "");
        break;
    }
    if (resp->status == 401 || resp->status == 403)
        code = DK_E_AUTH;
    else if (resp->status == 404)
        code = DK_E_NOTFOUND;
    else if (resp->status >= 500 || resp->status == 429)
        code = DK_E_NET;
    dk_err_set(err, code, "%s", msg.buf);
    cJSON_Delete(j);
    dk_buf_release(&msg);
    return -1;
}

static char *scope_for(const char *repo, const char *actions)
{
    return dk_xasprintf("repository:%s:%s", repo, actions);
}

/* --- manifests --------------------------------------------------------------------------- */

void dk_manifest_init(struct dk_manifest *m)
{
    dk_buf_init(&m->data);
    m->media_type = NULL;
    m->digest[0] = '\0';
}

void dk_manifest_release(struct dk_manifest *m)
{
    dk_buf_release(&m->data);
    free(m->media_type);
    dk_manifest_init(m);
}

int dk_manifest_is_index(const char *mt)
{
    return mt && (!strcmp(mt, DK_MT_OCI_INDEX) || !strcmp(mt, DK_MT_DOCKER_LIST));
}

/* The media type of a manifest from its own mediaType field, for registries that do not say. */
static char *sniff_media_type(const char *data, size_t len)
{
    cJSON *j = cJSON_ParseWithLength(data, len);
    const cJSON *mt = j ? cJSON_GetObjectItemCaseSensitive(j, "mediaType") : NULL;
    char *out = NULL;

    if (cJSON_IsString(mt))
        out = dk_xstrdup(mt->valuestring);
    else if (j && cJSON_GetObjectItemCaseSensitive(j, "manifests"))
        out = dk_xstrdup(DK_MT_OCI_INDEX);
    else if (j)
        out = dk_xstrdup(DK_MT_OCI_MANIFEST);
    cJSON_Delete(j);
    return out;
}

/* --- one synchronous API call ------------------------------------------------------------ */

/* What every API call needs: the URL, the request and its response, the auth scope, and a
 * name for error messages. Owned by the call; call_release() frees it all. */
struct call {
    struct dk_registry *r;
    struct dk_buf url, h;
    struct dk_http_req req;
    struct dk_http_resp resp;
    char *scope;
    char *what;
};

/* Takes ownership of scope and what. */
static void call_init(struct call *c, struct dk_registry *r, char *scope, char *what)
{
    memset(c, 0, sizeof(*c));
    c->r = r;
    dk_buf_init(&c->url);
    dk_buf_init(&c->h);
    dk_http_resp_init(&c->resp);
    c->scope = scope;
    c->what = what;
}

static void call_release(struct call *c)
{
    free(c->scope);
    free(c->what);
    dk_buf_release(&c->url);
    dk_buf_release(&c->h);
    dk_http_resp_release(&c->resp);
}

/* Pings the registry (once) and sets the request's URL to <base>/v2/<path>. */
static int call_url(struct call *c, struct dk_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int call_url(struct call *c, struct dk_err *err, const char *fmt, ...)
{
    va_list ap;

    if (dk_registry_ping(c->r, err) < 0)
        return -1;
    dk_buf_reset(&c->url);
    dk_buf_addf(&c->url, "%s/v2/", c->r->base);
    va_start(ap, fmt);
    dk_buf_vaddf(&c->url, fmt, ap);
    va_end(ap);
    c->req.url = c->url.buf;
    return 0;
}

/* Runs the request with auth; any status not in the 0-terminated list of expected ones
 * becomes the registry's error. */
static int call_do(struct call *c, struct dk_err *err, ...)
{
    va_list ap;
    int st, ok = 0;

    if (dk_registry_do(c->r, c->scope, &c->req, &c->resp, err) < 0)
        return -1;
    va_start(ap, err);
    while ((st = va_arg(ap, int)))
        if (c->resp.status == st)
            ok = 1;
    va_end(ap);
    return ok ? 0 : dk_registry_error(c->r, &c->resp, c->what, err);
}

static char *manifest_what(struct dk_registry *r, const char *repo, const char *selector)
{
    return dk_xasprintf("manifest '%s/%s%s%s'", r->host, repo, strchr(selector, ':') ? "@" : ":",
                        selector);
}

int dk_registry_get_manifest(struct dk_registry *r, const char *repo, const char *selector,
                             struct dk_manifest *out, struct dk_err *err)
{
    const char *hdrs[] = {accept_manifests, NULL};
    struct call c;
    int rc = -1;

    call_init(&c, r, scope_for(repo, "pull"), manifest_what(r, repo, selector));
    if (call_url(&c, err, "%s/manifests/%s", repo, selector) < 0)
        goto out;
    c.req.headers = hdrs;
    c.req.max_body = 16u << 20;
    if (call_do(&c, err, 200, 0) < 0)
        goto out;
    dk_manifest_release(out);
    dk_sha256_oci(c.resp.body.buf, c.resp.body.len, out->digest);
    if (strchr(selector, ':') && strcmp(selector, out->digest)) {
        dk_err_set(err, DK_E_INTEGRITY, "%s: content digest %s does not match", c.what,
                   out->digest);
        goto out;
    }
    if (dk_http_resp_header(&c.resp, "Docker-Content-Digest", &c.h) &&
        dk_str_startswith(c.h.buf, "sha256:") && strcmp(c.h.buf, out->digest)) {
        dk_err_set(err, DK_E_INTEGRITY, "%s: registry says digest %s but the content is %s", c.what,
                   c.h.buf, out->digest);
        goto out;
    }
    if (dk_http_resp_header(&c.resp, "Content-Type", &c.h) && strchr(c.h.buf, '/') &&
        strcmp(c.h.buf, "application/json") && !dk_str_startswith(c.h.buf, "text/"))
        out->media_type = dk_xstrdup(c.h.buf);
    else
        out->media_type = sniff_media_type(c.resp.body.buf, c.resp.body.len);
    {
        char *semi = out->media_type ? strchr(out->media_type, ';') : NULL;

        if (semi)
            *semi = '\0';
    }
    dk_buf_addn(&out->data, c.resp.body.buf, c.resp.body.len);
    rc = 0;
out:
    call_release(&c);
    return rc;
}

int dk_registry_head_manifest(struct dk_registry *r, const char *repo, const char *selector,
                              char *digest, size_t digest_size, struct dk_err *err)
{
    const char *hdrs[] = {accept_manifests, NULL};
    struct call c;
    int rc = -1;

    call_init(&c, r, scope_for(repo, "pull"), manifest_what(r, repo, selector));
    if (call_url(&c, err, "%s/manifests/%s", repo, selector) < 0)
        goto out;
    c.req.method = "HEAD";
    c.req.headers = hdrs;
    if (call_do(&c, err, 200, 0) < 0)
        goto out;
    if (!dk_http_resp_header(&c.resp, "Docker-Content-Digest", &c.h)) {
        /* no digest header: fetch the manifest and hash it */
        struct dk_manifest m;

        dk_manifest_init(&m);
        rc = dk_registry_get_manifest(r, repo, selector, &m, err);
        if (!rc)
            snprintf(digest, digest_size, "%s", m.digest);
        dk_manifest_release(&m);
        goto out;
    }
    snprintf(digest, digest_size, "%s", c.h.buf);
    rc = 0;
out:
    call_release(&c);
    return rc;
}

int dk_registry_put_manifest(struct dk_registry *r, const char *repo, const char *selector,
                             const char *data, size_t len, const char *media_type,
                             struct dk_err *err)
{
    const char *hdrs[2] = {NULL, NULL};
    struct call c;
    int rc = -1;

    call_init(&c, r, scope_for(repo, "pull,push"), manifest_what(r, repo, selector));
    if (call_url(&c, err, "%s/manifests/%s", repo, selector) < 0)
        goto out;
    dk_buf_addf(&c.h, "Content-Type: %s", media_type);
    hdrs[0] = c.h.buf;
    c.req.method = "PUT";
    c.req.headers = hdrs;
    c.req.body = data;
    c.req.body_len = len;
    rc = call_do(&c, err, 201, 200, 202, 0);
out:
    call_release(&c);
    return rc;
}

int dk_registry_delete_manifest(struct dk_registry *r, const char *repo, const char *digest,
                                struct dk_err *err)
{
    struct call c;
    int rc = -1;

    call_init(&c, r, scope_for(repo, "pull,push,delete"),
              dk_xasprintf("manifest '%s/%s@%s'", r->host, repo, digest));
    if (call_url(&c, err, "%s/manifests/%s", repo, digest) < 0)
        goto out;
    c.req.method = "DELETE";
    rc = call_do(&c, err, 202, 200, 0);
    if (rc < 0 && c.resp.status == 405)
        dk_err_wrap(err, "deleting is disabled on %s", r->host);
out:
    call_release(&c);
    return rc;
}

/* --- blobs ------------------------------------------------------------------------------- */

static char *blob_what(struct dk_registry *r, const char *repo, const char *digest)
{
    return dk_xasprintf("blob '%s/%s@%s'", r->host, repo, digest);
}

int dk_registry_head_blob(struct dk_registry *r, const char *repo, const char *digest,
                          int64_t *size, struct dk_err *err)
{
    struct call c;
    int rc = -1;

    call_init(&c, r, scope_for(repo, "pull"), blob_what(r, repo, digest));
    if (call_url(&c, err, "%s/blobs/%s", repo, digest) < 0)
        goto out;
    c.req.method = "HEAD";
    if (call_do(&c, err, 200, 404, 0) < 0)
        goto out;
    rc = c.resp.status == 200;
    if (rc && size && dk_http_resp_header(&c.resp, "Content-Length", &c.h))
        *size = atoll(c.h.buf);
out:
    call_release(&c);
    return rc;
}

int dk_registry_get_blob(struct dk_registry *r, const char *repo, const char *digest,
                         struct dk_buf *out, size_t max, struct dk_err *err)
{
    struct dk_digest d = DK_DIGEST_INIT;
    struct call c;
    int rc = -1;

    call_init(&c, r, scope_for(repo, "pull"), blob_what(r, repo, digest));
    if (call_url(&c, err, "%s/blobs/%s", repo, digest) < 0)
        goto out;
    c.req.follow = 1;
    c.req.max_body = max;
    if (call_do(&c, err, 200, 0) < 0 || dk_digest_verifier_init(&d, digest, err) < 0)
        goto out;
    dk_digest_update(&d, c.resp.body.buf, c.resp.body.len);
    if (dk_digest_verify(&d, digest, err) < 0) {
        dk_err_wrap(err, "%s", c.what);
        goto out;
    }
    dk_buf_addn(out, c.resp.body.buf, c.resp.body.len);
    rc = 0;
out:
    dk_digest_release(&d);
    call_release(&c);
    return rc;
}

/* Resolves an upload Location (relative or absolute) against the registry's base. */
static void absolute_location(struct dk_registry *r, const char *loc, struct dk_buf *out)
{
    dk_buf_reset(out);
    if (!strncmp(loc, "http://", 7) || !strncmp(loc, "https://", 8))
        dk_buf_add(out, loc);
    else
        dk_buf_addf(out, "%s%s%s", r->base, loc[0] == '/' ? "" : "/", loc);
}

int dk_registry_start_upload(struct dk_registry *r, const char *repo, const char *digest,
                             const char *from_repo, struct dk_buf *location, struct dk_err *err)
{
    struct call c;
    int rc = -1;

    call_init(&c, r,
              from_repo
                  ? dk_xasprintf("repository:%s:pull,push repository:%s:pull", repo, from_repo)
                  : scope_for(repo, "pull,push"),
              dk_xasprintf("blob upload to '%s/%s'", r->host, repo));
    if (from_repo
            ? call_url(&c, err, "%s/blobs/uploads/?mount=%s&from=%s", repo, digest, from_repo) < 0
            : call_url(&c, err, "%s/blobs/uploads/", repo) < 0)
        goto out;
    c.req.method = "POST";
    if (call_do(&c, err, 201, 202, 0) < 0)
        goto out;
    if (c.resp.status == 201 && from_repo) {
        rc = 1;
        goto out;
    }
    if (c.resp.status != 202 || !dk_http_resp_header(&c.resp, "Location", &c.h)) {
        dk_registry_error(r, &c.resp, c.what, err);
        goto out;
    }
    absolute_location(r, c.h.buf, location);
    rc = 0;
out:
    call_release(&c);
    return rc;
}

void dk_registry_upload_url(struct dk_registry *r, const char *location, const char *digest,
                            struct dk_buf *out)
{
    struct dk_buf tmp = DK_BUF_INIT;

    absolute_location(r, location, &tmp);
    dk_buf_reset(out);
    dk_buf_addf(out, "%s%cdigest=", tmp.buf, strchr(tmp.buf, '?') ? '&' : '?');
    dk_http_urlencode(out, digest);
    dk_buf_release(&tmp);
}

int dk_registry_put_blob(struct dk_registry *r, const char *repo, const char *digest,
                         const void *data, size_t len, struct dk_err *err)
{
    struct dk_buf loc = DK_BUF_INIT, url = DK_BUF_INIT;
    const char *hdrs[] = {"Content-Type: application/octet-stream", NULL};
    struct dk_http_req req = {0};
    struct dk_http_resp resp;
    char *scope = scope_for(repo, "pull,push"), *what;
    int rc = -1, has;

    what = dk_xasprintf("blob '%s/%s@%s'", r->host, repo, digest);
    dk_http_resp_init(&resp);
    has = dk_registry_head_blob(r, repo, digest, NULL, err);
    if (has)
        goto done;
    if (dk_registry_start_upload(r, repo, digest, NULL, &loc, err) < 0)
        goto out;
    dk_registry_upload_url(r, loc.buf, digest, &url);
    req.method = "PUT";
    req.url = url.buf;
    req.headers = hdrs;
    req.body = data;
    req.body_len = len;
    req.no_retry = 1; /* an upload session is single use */
    if (dk_registry_do(r, scope, &req, &resp, err) < 0)
        goto out;
    if (resp.status != 201) {
        dk_registry_error(r, &resp, what, err);
        goto out;
    }
done:
    rc = has < 0 ? -1 : 0;
out:
    free(scope);
    free(what);
    dk_buf_release(&loc);
    dk_buf_release(&url);
    dk_http_resp_release(&resp);
    return rc;
}

struct fd_reader {
    int fd;
    int64_t left;
};

static size_t read_fd(char *buf, size_t n, void *ud)
{
    struct fd_reader *fr = ud;
    ssize_t got;

    if (fr->left <= 0)
        return 0;
    if ((int64_t)n > fr->left)
        n = (size_t)fr->left;
    do
        got = read(fr->fd, buf, n);
    while (got < 0 && errno == EINTR);
    if (got <= 0)
        return DK_HTTP_ABORT;
    fr->left -= got;
    return (size_t)got;
}

int dk_registry_put_blob_chunked(struct dk_registry *r, const char *repo, const char *digest,
                                 int fd, int64_t size, size_t chunk, struct dk_err *err)
{
    struct dk_buf loc = DK_BUF_INIT, url = DK_BUF_INIT, range = DK_BUF_INIT, h = DK_BUF_INIT;
    struct dk_http_resp resp;
    char *scope = scope_for(repo, "pull,push"), *what;
    int64_t off = 0;
    int rc = -1;

    what = dk_xasprintf("blob '%s/%s@%s'", r->host, repo, digest);
    dk_http_resp_init(&resp);
    if (chunk < 1024)
        chunk = 5u << 20;
    if (dk_registry_start_upload(r, repo, digest, NULL, &loc, err) < 0)
        goto out;
    while (off < size) {
        struct dk_http_req req = {0};
        struct fd_reader fr = {fd, size - off < (int64_t)chunk ? size - off : (int64_t)chunk};
        const char *hdrs[3];

        dk_buf_reset(&range);
        dk_buf_addf(&range, "Content-Range: %lld-%lld", (long long)off,
                    (long long)(off + fr.left - 1));
        hdrs[0] = "Content-Type: application/octet-stream";
        hdrs[1] = range.buf;
        hdrs[2] = NULL;
        req.method = "PATCH";
        req.url = loc.buf;
        req.headers = hdrs;
        req.read = read_fd;
        req.read_ud = &fr;
        req.read_size = fr.left;
        req.no_retry = 1;
        off += fr.left;
        if (dk_registry_do(r, scope, &req, &resp, err) < 0)
            goto out;
        if (resp.status != 202 || !dk_http_resp_header(&resp, "Location", &h)) {
            dk_registry_error(r, &resp, what, err);
            goto out;
        }
        absolute_location(r, h.buf, &loc);
    }
    {
        struct dk_http_req req = {0};

        dk_registry_upload_url(r, loc.buf, digest, &url);
        req.method = "PUT";
        req.url = url.buf;
        req.no_retry = 1;
        if (dk_registry_do(r, scope, &req, &resp, err) < 0)
            goto out;
        if (resp.status != 201) {
            dk_registry_error(r, &resp, what, err);
            goto out;
        }
    }
    rc = 0;
out:
    free(scope);
    free(what);
    dk_buf_release(&loc);
    dk_buf_release(&url);
    dk_buf_release(&range);
    dk_buf_release(&h);
    dk_http_resp_release(&resp);
    return rc;
}

/* --- listings ----------------------------------------------------------------------------- */

/* The next page from a Link header: <url>; rel="next". */
static int next_link(struct dk_registry *r, const struct dk_http_resp *resp, struct dk_buf *url)
{
    struct dk_buf h = DK_BUF_INIT;
    const char *lt, *gt;
    int found = 0;

    if (dk_http_resp_header(resp, "Link", &h) && strstr(h.buf, "rel=\"next\"") &&
        (lt = strchr(h.buf, '<')) && (gt = strchr(lt, '>'))) {
        char *u = dk_xstrndup(lt + 1, (size_t)(gt - lt - 1));

        absolute_location(r, u, url);
        free(u);
        found = 1;
    }
    dk_buf_release(&h);
    return found;
}

static int list_pages(struct dk_registry *r, const char *scope, struct dk_buf *url, const char *key,
                      const char *prefix, const char *what, struct dk_strvec *out,
                      struct dk_err *err)
{
    struct dk_http_resp resp;
    int rc = -1, pages = 0;

    dk_http_resp_init(&resp);
    for (;;) {
        struct dk_http_req req = {0};
        cJSON *j;
        const cJSON *arr, *it;

        req.url = url->buf;
        if (dk_registry_do(r, scope, &req, &resp, err) < 0)
            goto out;
        if (resp.status != 200) {
            dk_registry_error(r, &resp, what, err);
            goto out;
        }
        j = cJSON_ParseWithLength(resp.body.buf, resp.body.len);
        arr = j ? cJSON_GetObjectItemCaseSensitive(j, key) : NULL;
        if (!j) {
            dk_err_set(err, DK_E_NET, "registry %s sent invalid JSON for %s", r->host, what);
            goto out;
        }
        cJSON_ArrayForEach(it, arr)
        {
            if (cJSON_IsString(it) && dk_str_startswith(it->valuestring, prefix))
                dk_strvec_push(out, it->valuestring);
        }
        cJSON_Delete(j);
        if (!next_link(r, &resp, url) || ++pages > 100000)
            break;
    }
    rc = 0;
out:
    dk_http_resp_release(&resp);
    return rc;
}

static int page_size(const struct dk_registry *r)
{
    return r->c->opts.page_size > 0 ? r->c->opts.page_size : 1000;
}

int dk_registry_list_tags(struct dk_registry *r, const char *repo, struct dk_strvec *out,
                          struct dk_err *err)
{
    struct dk_buf url = DK_BUF_INIT;
    char *scope = scope_for(repo, "pull");
    char *what = dk_xasprintf("tags of '%s/%s'", r->host, repo);
    int rc = -1;

    if (dk_registry_ping(r, err) < 0)
        goto out;
    dk_registry_url(r, &url, "%s/tags/list?n=%d", repo, page_size(r));
    rc = list_pages(r, scope, &url, "tags", "", what, out, err);
out:
    free(scope);
    free(what);
    dk_buf_release(&url);
    return rc;
}

int dk_registry_catalog(struct dk_registry *r, const char *prefix, struct dk_strvec *out,
                        struct dk_err *err)
{
    struct dk_buf url = DK_BUF_INIT;
    char *what = dk_xasprintf("the catalog of %s", r->host);
    int rc = -1;

    if (dk_registry_ping(r, err) < 0)
        goto out;
    dk_registry_url(r, &url, "_catalog?n=%d", page_size(r));
    rc = list_pages(r, "registry:catalog:*", &url, "repositories", prefix ? prefix : "", what, out,
                    err);
out:
    free(what);
    dk_buf_release(&url);
    return rc;
}
