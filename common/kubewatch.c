#include "dk/kubewatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dk/base64.h"
#include "dk/json.h"
#include "dk/log.h"

struct dk_kubewatch_stream {
    struct dk_kubewatch_stream *next;
    struct dk_kubewatch *w;
    int id;
    int is_log;
    int running;   /* a request is queued or in flight */
    int dead;      /* over: freed once not running */
    int cancelled; /* no more callbacks */
    int gone;      /* a 410: start again from the present */
    int64_t due;   /* when to (re)start, ms */
    char *path;    /* collection path (with query) or log path */
    char *rv;      /* last resourceVersion seen (watches) */
    struct dk_buf line;
    dk_kubewatch_event_fn fn;
    dk_kubewatch_line_fn line_fn;
    dk_kubewatch_end_fn end;
    void *ud;
    struct dk_http_req req;
    struct dk_http_resp resp;
    const char *hdrs[3];
    char *auth;
    char *url;
};

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int dk_kubewatch_init(struct dk_kubewatch *w, struct dk_kube *k, struct dk_err *err)
{
    struct dk_http_opts o;

    memset(w, 0, sizeof(*w));
    w->k = k;
    dk_http_opts_init(&o);
    o.verify = !k->kc->insecure;
    o.ca_file = k->kc->ca_file ? k->kc->ca_file : k->ca_file;
    o.proxy = k->kc->proxy_url;
    o.tls_server_name = k->kc->tls_server_name;
    o.stall_timeout = 0;   /* a quiet watch or log is no failure */
    o.max_parallel = 4096; /* every stream stays open */
    o.retries = 0;         /* we reconnect ourselves */
    return dk_http_init(&w->http, &o, err);
}

static void stream_free(struct dk_kubewatch_stream *s)
{
    dk_buf_release(&s->line);
    dk_http_resp_release(&s->resp);
    free(s->path);
    free(s->rv);
    free(s->auth);
    free(s->url);
    free(s);
}

void dk_kubewatch_release(struct dk_kubewatch *w)
{
    struct dk_kubewatch_stream *s, *next;

    if (w->http.multi)
        dk_http_release(&w->http);
    for (s = w->streams; s; s = next) {
        next = s->next;
        stream_free(s);
    }
    memset(w, 0, sizeof(*w));
}

int dk_kubewatch_path(struct dk_kube *k, const char *api_version, const char *kind, const char *ns,
                      struct dk_buf *out, struct dk_err *err)
{
    const char *resource;
    int namespaced;

    if (dk_kube_resource(k, api_version, kind, &resource, &namespaced, err) < 0)
        return -1;
    dk_buf_add(out, strchr(api_version, '/') ? "/apis/" : "/api/");
    dk_buf_add(out, api_version);
    if (namespaced && ns && *ns) {
        dk_buf_add(out, "/namespaces/");
        dk_http_urlencode(out, ns);
    }
    dk_buf_addch(out, '/');
    dk_buf_add(out, resource);
    return 0;
}

static struct dk_kubewatch_stream *stream_new(struct dk_kubewatch *w, const char *path)
{
    struct dk_kubewatch_stream *s = dk_xcalloc(1, sizeof(*s));

    s->w = w;
    s->id = ++w->next_id;
    s->path = dk_xstrdup(path);
    dk_buf_init_max(&s->line, 16u << 20);
    dk_http_resp_init(&s->resp);
    s->next = w->streams;
    w->streams = s;
    return s;
}

int dk_kubewatch_add(struct dk_kubewatch *w, const char *path, dk_kubewatch_event_fn fn, void *ud)
{
    struct dk_kubewatch_stream *s = stream_new(w, path);

    s->fn = fn;
    s->ud = ud;
    return s->id;
}

int dk_kubewatch_logs(struct dk_kubewatch *w, const char *ns, const char *pod,
                      const char *container, dk_kubewatch_line_fn line, dk_kubewatch_end_fn end,
                      void *ud)
{
    struct dk_buf p = DK_BUF_INIT;
    struct dk_kubewatch_stream *s;

    dk_buf_add(&p, "/api/v1/namespaces/");
    dk_http_urlencode(&p, ns);
    dk_buf_add(&p, "/pods/");
    dk_http_urlencode(&p, pod);
    dk_buf_add(&p, "/log?follow=true");
    if (container) {
        dk_buf_add(&p, "&container=");
        dk_http_urlencode(&p, container);
    }
    s = stream_new(w, p.buf);
    dk_buf_release(&p);
    s->is_log = 1;
    s->line_fn = line;
    s->end = end;
    s->ud = ud;
    return s->id;
}

void dk_kubewatch_cancel(struct dk_kubewatch *w, int id)
{
    struct dk_kubewatch_stream *s;

    for (s = w->streams; s; s = s->next)
        if (s->id == id) {
            s->cancelled = 1;
            s->dead = 1;
        }
}

void dk_kubewatch_stop(struct dk_kubewatch *w)
{
    w->stop = 1;
    dk_http_stop(&w->http);
}

/* One line of a watch stream: an event. Returns -1 to end the transfer. */
static int watch_line(struct dk_kubewatch_stream *s, const char *text, size_t len)
{
    cJSON *ev = NULL;
    struct dk_err perr = DK_ERR_INIT;
    const cJSON *obj;
    const char *type, *rv;
    int rc = 0;

    if (dk_json_parse(text, len, NULL, &ev, &perr) < 0)
        return 0;
    type = dk_json_str(ev, "type");
    obj = cJSON_GetObjectItemCaseSensitive(ev, "object");
    if (type && strcmp(type, "ERROR") == 0) {
        if (dk_json_int(obj, "code", 0) == 410)
            s->gone = 1;
        else
            dk_log_debug("watch %s: %s", s->path, dk_json_str(obj, "message"));
        rc = -1;
    } else if (type && obj) {
        rv = dk_json_str(cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "resourceVersion");
        if (rv && *rv) {
            free(s->rv);
            s->rv = dk_xstrdup(rv);
        }
        if (strcmp(type, "BOOKMARK") != 0 && !s->cancelled)
            s->fn(type, obj, s->ud);
    }
    cJSON_Delete(ev);
    return rc;
}

static size_t stream_write(const char *p, size_t n, void *ud)
{
    struct dk_kubewatch_stream *s = ud;
    size_t i, start = 0;

    if (s->cancelled || s->w->stop)
        return DK_HTTP_ABORT;
    for (i = 0; i < n; i++) {
        if (p[i] != '\n')
            continue;
        dk_buf_addn(&s->line, p + start, i - start);
        start = i + 1;
        if (s->is_log) {
            if (!s->cancelled)
                s->line_fn(s->line.buf, s->line.len, s->ud);
        } else if (s->line.len && watch_line(s, s->line.buf, s->line.len) < 0) {
            dk_buf_reset(&s->line);
            return DK_HTTP_ABORT;
        }
        dk_buf_reset(&s->line);
        if (s->cancelled)
            return DK_HTTP_ABORT;
    }
    if (dk_buf_addn(&s->line, p + start, n - start) < 0)
        return DK_HTTP_ABORT;
    return n;
}

static void stream_done(struct dk_http_req *req, struct dk_http_resp *resp, int rc,
                        const struct dk_err *err, void *ud)
{
    struct dk_kubewatch_stream *s = ud;
    long status = rc == 0 ? resp->status : 0;

    (void)req;
    s->running = 0;
    if (s->cancelled || s->dead)
        return;
    if (s->is_log) {
        if (s->line.len)
            s->line_fn(s->line.buf, s->line.len, s->ud);
        dk_buf_reset(&s->line);
        s->dead = 1;
        if (s->end && !s->w->stop)
            s->end(status, err, s->ud);
        return;
    }
    dk_buf_reset(&s->line);
    if (s->w->stop)
        return;
    if (s->gone || status == 410) {
        free(s->rv);
        s->rv = NULL;
        s->gone = 0;
        s->due = now_ms();
        return;
    }
    if (rc < 0 || status >= 300) {
        dk_log_debug("watch %s: %s; again in a second", s->path,
                     rc < 0 && err ? err->msg : "an error answer");
        if (status == 504 || (status >= 400 && status < 500)) {
            free(s->rv); /* e.g. a restarted server that never knew our version */
            s->rv = NULL;
        }
        s->due = now_ms() + 1000;
        return;
    }
    s->due = now_ms(); /* the server ended the stream: go on from the last version */
}

/* Queues a stream's request with fresh credentials. */
static void stream_start(struct dk_kubewatch_stream *s)
{
    struct dk_kube *k = s->w->k;
    struct dk_kubeconfig *kc = k->kc;
    struct dk_err err = DK_ERR_INIT;
    size_t n = 0;

    free(s->auth);
    free(s->url);
    s->auth = NULL;
    if (dk_kubeconfig_refresh(kc, 0, &err) < 0)
        dk_log_debug("kubewatch: %s", err.msg);
    if (kc->auth == DK_KUBECONFIG_AUTH_TOKEN && kc->token) {
        s->auth = dk_xasprintf("Authorization: Bearer %s", kc->token);
    } else if (kc->auth == DK_KUBECONFIG_AUTH_BASIC) {
        char *up = dk_xasprintf("%s:%s", kc->username, kc->password);
        char *b = dk_base64_encode(up, strlen(up));

        dk_log_add_secret(b);
        s->auth = dk_xasprintf("Authorization: Basic %s", b);
        free(up);
        free(b);
    }
    if (s->auth)
        s->hdrs[n++] = s->auth;
    s->hdrs[n++] = s->is_log ? "Accept: */*" : "Accept: application/json";
    s->hdrs[n] = NULL;
    if (s->is_log)
        s->url = dk_xasprintf("%s%s", kc->server, s->path);
    else
        s->url = dk_xasprintf("%s%s%swatch=1&allowWatchBookmarks=true%s%s", kc->server, s->path,
                              strchr(s->path, '?') ? "&" : "?", s->rv ? "&resourceVersion=" : "",
                              s->rv ? s->rv : "");
    memset(&s->req, 0, sizeof(s->req));
    s->req.url = s->url;
    s->req.headers = s->hdrs;
    s->req.write = stream_write;
    s->req.write_ud = s;
    s->req.no_retry = 1;
    if (kc->cert_data.len && kc->key_data.len) { /* as dk_kube: with a token or without */
        s->req.cert_pem = kc->cert_data.buf;
        s->req.cert_len = kc->cert_data.len;
        s->req.key_pem = kc->key_data.buf;
        s->req.key_len = kc->key_data.len;
    }
    dk_http_resp_release(&s->resp);
    dk_http_resp_init(&s->resp);
    dk_buf_reset(&s->line);
    s->running = 1;
    dk_http_add(&s->w->http, &s->req, &s->resp, stream_done, s);
}

/* Starts what is due; frees what is over. */
static void pump(struct dk_kubewatch *w)
{
    struct dk_kubewatch_stream **it = &w->streams, *s;
    int64_t now = now_ms();

    while ((s = *it)) {
        if (s->dead && !s->running) {
            *it = s->next;
            stream_free(s);
            continue;
        }
        if (!s->dead && !s->running && s->due <= now && !w->stop)
            stream_start(s);
        it = &s->next;
    }
}

struct run_ctx {
    struct dk_kubewatch *w;
    void (*tick)(void *ud);
    void *ud;
};

static void run_tick(void *ud)
{
    struct run_ctx *c = ud;

    if (c->tick && !c->w->stop)
        c->tick(c->ud);
    pump(c->w);
}

int dk_kubewatch_run(struct dk_kubewatch *w, void (*tick)(void *ud), void *ud, struct dk_err *err)
{
    struct run_ctx c = {w, tick, ud};

    while (!w->stop) {
        pump(w);
        if (dk_http_run(&w->http, run_tick, &c, err) < 0)
            return -1;
        if (w->stop)
            break;
        {
            struct timespec ts = {0, 50 * 1000000L};

            nanosleep(&ts, NULL);
        }
        run_tick(&c);
    }
    return 0;
}
