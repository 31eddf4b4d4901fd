#include "dk/http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dk/cli.h"
#include "dk/log.h"

struct dk_http_xfer {
    struct dk_http_xfer *next;
    struct dk_http *h;
    struct dk_http_req *req;
    struct dk_http_resp *resp;
    dk_http_done_fn done;
    void *ud;
    CURL *easy;
    struct curl_slist *hdrs;
    struct curl_slist *connect_to; /* for opts.tls_server_name */
    size_t body_off;
    int attempt;
    int64_t not_before; /* ms, monotonic */
    int streamed;       /* user callbacks saw data: a retry needs a rewind */
    int64_t moved;
    int paused;
    int resume;
    int aborted;     /* a callback returned DK_HTTP_ABORT */
    int64_t started; /* ms, for the debug log */
    int over_cap;
    char errbuf[CURL_ERROR_SIZE];
};

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int dk_http_global_init(struct dk_err *err)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT))
        return dk_err_set(err, DK_E_FAIL, "cannot initialise libcurl");
    return 0;
}

void dk_http_opts_init(struct dk_http_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->connect_timeout = 30;
    o->stall_timeout = 120;
    o->retries = 4;
    o->backoff_ms = 250;
    o->max_parallel = 8;
    o->verify = 1;
}

int dk_http_init(struct dk_http *h, const struct dk_http_opts *opts, struct dk_err *err)
{
    memset(h, 0, sizeof(*h));
    if (opts)
        h->opts = *opts;
    else
        dk_http_opts_init(&h->opts);
    if (h->opts.max_parallel < 1)
        h->opts.max_parallel = 1;
    h->multi = curl_multi_init();
    if (!h->multi)
        return dk_err_set(err, DK_E_FAIL, "cannot create an HTTP client");
    return 0;
}

static void xfer_free(struct dk_http_xfer *x)
{
    if (x->easy) {
        curl_multi_remove_handle(x->h->multi, x->easy);
        curl_easy_cleanup(x->easy);
    }
    curl_slist_free_all(x->hdrs);
    curl_slist_free_all(x->connect_to);
    if (x->req)
        x->req->priv = NULL;
    free(x);
}

void dk_http_release(struct dk_http *h)
{
    struct dk_http_xfer *x, *n;

    for (x = h->active; x; x = n) {
        n = x->next;
        xfer_free(x);
    }
    for (x = h->waiting; x; x = n) {
        n = x->next;
        xfer_free(x);
    }
    if (h->multi)
        curl_multi_cleanup(h->multi);
    memset(h, 0, sizeof(*h));
}

void dk_http_resp_init(struct dk_http_resp *r)
{
    r->status = 0;
    dk_buf_init(&r->body);
    dk_buf_init(&r->headers);
    r->url = NULL;
}

void dk_http_resp_release(struct dk_http_resp *r)
{
    dk_buf_release(&r->body);
    dk_buf_release(&r->headers);
    free(r->url);
    r->url = NULL;
    r->status = 0;
}

int dk_http_resp_header(const struct dk_http_resp *r, const char *name, struct dk_buf *out)
{
    const char *p = r->headers.buf;
    size_t nl = strlen(name);

    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);

        if (len > nl && !strncasecmp(p, name, nl) && p[nl] == ':') {
            const char *v = p + nl + 1, *e = p + len;

            while (v < e && (*v == ' ' || *v == '\t'))
                v++;
            while (e > v && (e[-1] == '\r' || e[-1] == ' '))
                e--;
            dk_buf_reset(out);
            dk_buf_addn(out, v, (size_t)(e - v));
            return 1;
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    return 0;
}

/* --- curl callbacks ---------------------------------------------------------------------- */

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct dk_http_xfer *x = ud;
    size_t len = size * n;

    if (len >= 5 && !strncmp(p, "HTTP/", 5))
        dk_buf_reset(&x->resp->headers);
    if (x->resp->headers.len < 256 * 1024)
        dk_buf_addn(&x->resp->headers, p, len);
    return len;
}

static size_t on_write(char *p, size_t size, size_t n, void *ud)
{
    struct dk_http_xfer *x = ud;
    size_t len = size * n, r;
    long status = 0;

    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    /* error bodies always go to the buffer, so callers can read the registry's message */
    if (!x->req->write || status >= 300) {
        size_t cap = x->req->max_body ? x->req->max_body : 64u << 20;

        if (x->resp->body.len + len > cap) {
            x->over_cap = 1;
            return 0;
        }
        dk_buf_addn(&x->resp->body, p, len);
        return len;
    }
    r = x->req->write(p, len, x->req->write_ud);
    if (r == DK_HTTP_PAUSE) {
        x->paused = 1;
        return CURL_WRITEFUNC_PAUSE;
    }
    if (r != len) {
        x->aborted = 1;
        return 0;
    }
    x->streamed = 1;
    x->moved += (int64_t)len;
    return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
    struct dk_http_xfer *x = ud;
    size_t want = size * n, r;

    if (!x->req->read) {
        r = x->req->body_len - x->body_off;
        if (r > want)
            r = want;
        memcpy(buf, (const char *)x->req->body + x->body_off, r);
        x->body_off += r;
        return r;
    }
    r = x->req->read(buf, want, x->req->read_ud);
    if (r == DK_HTTP_PAUSE) {
        x->paused = 1;
        return CURL_READFUNC_PAUSE;
    }
    if (r == DK_HTTP_ABORT || r > want) {
        x->aborted = 1;
        return CURL_READFUNC_ABORT;
    }
    x->streamed = 1;
    x->moved += (int64_t)r;
    return r;
}

/* --- transfers ----------------------------------------------------------------------------- */

/*
 * opts.tls_server_name: the URL names that host (so curl sends it as SNI and verifies the
 * certificate against it) while CURLOPT_CONNECT_TO sends the connection to the real host and
 * port, and the Host header keeps the real authority. Adds the Host header to x->hdrs.
 */
static int server_name_setup(struct dk_http_xfer *x, CURL *e, struct dk_err *err)
{
    const char *name = x->h->opts.tls_server_name;
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *url = NULL, *s;
    int explicit_port, rc = 0;

    if (!u)
        return dk_err_set(err, DK_E_FAIL, "out of memory");
    if (curl_url_set(u, CURLUPART_URL, x->req->url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        rc = dk_err_set(err, DK_E_INPUT, "cannot parse the URL of an HTTP request");
        goto out;
    }
    if (strcasecmp(scheme, "https") != 0)
        goto out;
    explicit_port = curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK;
    if (!explicit_port && curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
        rc = dk_err_set(err, DK_E_INPUT, "cannot parse the URL of an HTTP request");
        goto out;
    }
    if (curl_url_set(u, CURLUPART_HOST, name, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
        rc = dk_err_set(err, DK_E_INPUT, "TLS server name '%s' is not a valid host name", name);
        goto out;
    }
    s = dk_xasprintf("%s:%s:%s:%s", name, port, host, port);
    curl_slist_free_all(x->connect_to);
    x->connect_to = curl_slist_append(NULL, s);
    free(s);
    s = explicit_port ? dk_xasprintf("Host: %s:%s", host, port) : dk_xasprintf("Host: %s", host);
    x->hdrs = curl_slist_append(x->hdrs, s);
    free(s);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_CONNECT_TO, x->connect_to);
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(url);
    curl_url_cleanup(u);
    return rc;
}

static int xfer_setup(struct dk_http_xfer *x, struct dk_err *err)
{
    struct dk_http_req *req = x->req;
    const char *method = req->method ? req->method : "GET";
    const char *const *hp;
    int verify =
        req->tls == DK_HTTP_TLS_DEFAULT ? x->h->opts.verify : req->tls == DK_HTTP_TLS_VERIFY;
    CURL *e = curl_easy_init();

    if (!e)
        return dk_err_set(err, DK_E_FAIL, "cannot create an HTTP request");
    x->easy = e;
    x->body_off = 0;
    x->paused = x->resume = x->aborted = x->over_cap = 0;
    x->errbuf[0] = '\0';
    curl_slist_free_all(x->hdrs);
    x->hdrs = NULL;
    for (hp = req->headers; hp && *hp; hp++)
        x->hdrs = curl_slist_append(x->hdrs, *hp);
    x->hdrs = curl_slist_append(x->hdrs, "Expect:");

    curl_easy_setopt(e, CURLOPT_URL, req->url);
    if (x->h->opts.tls_server_name && *x->h->opts.tls_server_name &&
        server_name_setup(x, e, err) < 0)
        return -1;
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, x->h->opts.connect_timeout);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, x->h->opts.stall_timeout);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    /* larger buffers: fewer callbacks and syscalls per blob */
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 131072L);
    curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, 131072L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "dk/0.1.0");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(e, CURLOPT_READDATA, x);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
    if (x->h->opts.ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, x->h->opts.ca_file);
    if (req->cert_pem && req->key_pem) {
        /* curl copies the bytes (CURL_BLOB_COPY); the casts only drop const for its struct */
        struct curl_blob cert = {(void *)(uintptr_t)req->cert_pem, req->cert_len, CURL_BLOB_COPY};
        struct curl_blob key = {(void *)(uintptr_t)req->key_pem, req->key_len, CURL_BLOB_COPY};

        curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
        curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &cert);
        curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
        curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &key);
    }
    if (x->h->opts.proxy && *x->h->opts.proxy) {
        curl_easy_setopt(e, CURLOPT_PROXY, x->h->opts.proxy);
        curl_easy_setopt(e, CURLOPT_NOPROXY, ""); /* every host, whatever no_proxy says */
    }
    if (req->follow) {
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
    }
    if (!strcmp(method, "HEAD")) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (!strcmp(method, "PUT") || !strcmp(method, "PATCH")) {
        curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE,
                         (curl_off_t)(req->read ? req->read_size : (int64_t)req->body_len));
        if (strcmp(method, "PUT"))
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    } else if (!strcmp(method, "POST")) {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(req->read ? req->read_size : (int64_t)req->body_len));
    } else if (strcmp(method, "GET")) {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    }
    x->started = now_ms();
    if (curl_multi_add_handle(x->h->multi, e) != CURLM_OK)
        return dk_err_set(err, DK_E_FAIL, "cannot start an HTTP request");
    return 0;
}

static void list_remove(struct dk_http_xfer **list, struct dk_http_xfer *x)
{
    for (; *list; list = &(*list)->next) {
        if (*list == x) {
            *list = x->next;
            x->next = NULL;
            return;
        }
    }
}

void dk_http_add(struct dk_http *h, struct dk_http_req *req, struct dk_http_resp *resp,
                 dk_http_done_fn done, void *ud)
{
    struct dk_http_xfer *x = dk_xcalloc(1, sizeof(*x));

    x->h = h;
    x->req = req;
    x->resp = resp;
    x->done = done;
    x->ud = ud;
    req->priv = x;
    x->next = h->waiting;
    h->waiting = x;
}

void dk_http_resume(struct dk_http_req *req)
{
    struct dk_http_xfer *x = req->priv;

    if (x && x->paused)
        x->resume = 1;
}

int64_t dk_http_progress(const struct dk_http_req *req)
{
    const struct dk_http_xfer *x = req->priv;

    return x ? x->moved : 0;
}

void dk_http_stop(struct dk_http *h)
{
    h->stop = 1;
}

void dk_http_urlencode(struct dk_buf *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            dk_buf_addch(out, (char)c);
        else
            dk_buf_addf(out, "%%%02X", c);
    }
}

/* The URL for messages: no query string (upload state, tokens), no user info. */
static void url_for_msg(struct dk_buf *out, const char *url)
{
    const char *q = strchr(url, '?');
    size_t n = q ? (size_t)(q - url) : strlen(url);

    dk_buf_addn(out, url, n);
}

static int retryable_code(CURLcode c)
{
    switch (c) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return 1;
    default:
        return 0;
    }
}

static int retryable_status(long s)
{
    return s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
}

/* Decides after a finished attempt whether to try again; schedules it when so. */
static int schedule_retry(struct dk_http_xfer *x, CURLcode code, long status)
{
    struct dk_http *h = x->h;
    int64_t delay;
    struct dk_buf ra = DK_BUF_INIT;

    if (x->req->no_retry || x->attempt >= h->opts.retries || h->stop || x->aborted)
        return 0;
    if (code != CURLE_OK ? !retryable_code(code) : !retryable_status(status))
        return 0;
    if (x->streamed) {
        if (!x->req->rewind || x->req->rewind(x->req->read ? x->req->read_ud : x->req->write_ud))
            return 0;
        x->streamed = 0;
        x->moved = 0;
    }
    delay = h->opts.backoff_ms << x->attempt;
    if (delay > 8000)
        delay = 8000;
    if (code == CURLE_OK && dk_http_resp_header(x->resp, "Retry-After", &ra)) {
        long s = atol(ra.buf);

        if (s > 0)
            delay = (s > 30 ? 30 : s) * 1000;
    }
    dk_buf_release(&ra);
    x->attempt++;
    if (dk_log_level() >= DK_LOG_DEBUG) {
        struct dk_buf u = DK_BUF_INIT;

        url_for_msg(&u, x->req->url); /* no query: it may hold upload state or tokens */
        dk_log_debug("retrying %s %s in %lld ms (attempt %d)",
                     x->req->method ? x->req->method : "GET", u.buf, (long long)delay,
                     x->attempt + 1);
        dk_buf_release(&u);
    }
    x->not_before = now_ms() + delay;
    dk_buf_reset(&x->resp->body);
    dk_buf_reset(&x->resp->headers);
    x->resp->status = 0;
    curl_multi_remove_handle(h->multi, x->easy);
    curl_easy_cleanup(x->easy);
    x->easy = NULL;
    list_remove(&h->active, x);
    h->running--;
    x->next = h->waiting;
    h->waiting = x;
    return 1;
}

static void finish(struct dk_http_xfer *x, CURLcode code)
{
    struct dk_http *h = x->h;
    struct dk_err err = DK_ERR_INIT;
    long status = 0;
    char *url = NULL;
    int rc = 0;

    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    if (schedule_retry(x, code, status))
        return;
    x->resp->status = status;
    if (dk_log_level() >= DK_LOG_DEBUG) {
        struct dk_buf u = DK_BUF_INIT;

        url_for_msg(&u, x->req->url);
        dk_log_debug("http: %s %s -> %ld (%lld ms)", x->req->method ? x->req->method : "GET", u.buf,
                     status, (long long)(now_ms() - x->started));
        dk_buf_release(&u);
    }
    if (curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK && url) {
        free(x->resp->url);
        x->resp->url = dk_xstrdup(url);
    }
    if (code != CURLE_OK || h->stop) {
        struct dk_buf u = DK_BUF_INIT;

        url_for_msg(&u, x->req->url);
        if (x->over_cap)
            dk_err_set(&err, DK_E_NET, "response from '%s' is larger than %zu bytes", u.buf,
                       x->req->max_body ? x->req->max_body : (size_t)64 << 20);
        else if (x->aborted || h->stop)
            dk_err_set(&err, DK_E_FAIL, "transfer of '%s' was stopped", u.buf);
        else
            dk_err_set(&err, DK_E_NET, "cannot reach '%s': %s", u.buf,
                       x->errbuf[0] ? x->errbuf : curl_easy_strerror(code));
        dk_buf_release(&u);
        rc = -1;
    }
    list_remove(&h->active, x);
    h->running--;
    curl_multi_remove_handle(h->multi, x->easy);
    curl_easy_cleanup(x->easy);
    x->easy = NULL;
    x->req->priv = NULL;
    if (x->done)
        x->done(x->req, x->resp, rc, rc ? &err : NULL, x->ud);
    curl_slist_free_all(x->hdrs);
    curl_slist_free_all(x->connect_to);
    free(x);
}

static void fail_waiting(struct dk_http_xfer *x, const struct dk_err *err)
{
    x->req->priv = NULL;
    if (x->done)
        x->done(x->req, x->resp, -1, err, x->ud);
    curl_slist_free_all(x->hdrs);
    curl_slist_free_all(x->connect_to);
    free(x);
}

/* Starts queued transfers whose time has come, within the parallel limit. Returns the delay
 * in ms until the next waiting one is due (or 100). */
static long start_waiting(struct dk_http *h)
{
    struct dk_http_xfer *x;
    int64_t now = now_ms();
    long next = 100;

    for (;;) {
        struct dk_http_xfer **best = NULL, **it;

        if (h->running >= (size_t)h->opts.max_parallel)
            break;
        for (it = &h->waiting; *it; it = &(*it)->next)
            if ((*it)->not_before <= now)
                best = it; /* the last one due is the oldest queued */
        if (!best)
            break;
        x = *best;
        *best = x->next;
        x->next = NULL;
        if (h->stop) {
            struct dk_err err = DK_ERR_INIT;

            dk_err_set(&err, DK_E_FAIL, "transfer was stopped");
            fail_waiting(x, &err);
            continue;
        }
        {
            struct dk_err err = DK_ERR_INIT;

            if (xfer_setup(x, &err) < 0) {
                if (x->easy)
                    curl_easy_cleanup(x->easy);
                x->easy = NULL;
                fail_waiting(x, &err);
                continue;
            }
        }
        x->next = h->active;
        h->active = x;
        h->running++;
    }
    for (x = h->waiting; x; x = x->next) {
        int64_t d = x->not_before - now;

        if (d < next)
            next = d < 1 ? 1 : (long)d;
    }
    return next;
}

static int apply_resumes(struct dk_http *h)
{
    struct dk_http_xfer *x;
    int n = 0;

restart:
    for (x = h->active; x; x = x->next) {
        if (x->resume) {
            x->resume = 0;
            x->paused = 0;
            n++;
            curl_easy_pause(x->easy, CURLPAUSE_CONT);
            /* unpausing may run callbacks that change the list: start over */
            goto restart;
        }
    }
    return n;
}

/* The event loop: until nothing is queued, or *until becomes non-zero. */
static int run_loop(struct dk_http *h, void (*tick)(void *ud), void *tick_ud, const int *until,
                    struct dk_err *err)
{
    int64_t last_tick = 0;

    for (;;) {
        CURLMsg *m;
        int still, left;
        long wait = start_waiting(h);

        if ((!h->active && !h->waiting) || (until && *until))
            break;
        if (curl_multi_perform(h->multi, &still) != CURLM_OK)
            return dk_err_set(err, DK_E_FAIL, "HTTP client failed");
        while ((m = curl_multi_info_read(h->multi, &left))) {
            struct dk_http_xfer *x = NULL;

            if (m->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
            finish(x, m->data.result);
        }
        if (tick && now_ms() - last_tick >= 100) {
            last_tick = now_ms();
            tick(tick_ud);
        }
        if (h->stop) {
            struct dk_http_xfer *x;

            for (x = h->active; x; x = x->next)
                x->aborted = 1;
            while (h->active)
                finish(h->active, CURLE_ABORTED_BY_CALLBACK);
            while (h->waiting) {
                struct dk_err e2 = DK_ERR_INIT;

                x = h->waiting;
                h->waiting = x->next;
                dk_err_set(&e2, DK_E_FAIL, "transfer was stopped");
                fail_waiting(x, &e2);
            }
            h->stop = 0;
            break;
        }
        if (until && *until)
            break;
        if (apply_resumes(h))
            continue;
        if (h->active)
            curl_multi_poll(h->multi, NULL, 0, (int)(wait < 100 ? wait : 100), NULL);
        else if (h->waiting) {
            struct timespec ts = {0, wait * 1000000L};

            nanosleep(&ts, NULL);
        }
    }
    return 0;
}

int dk_http_run(struct dk_http *h, void (*tick)(void *ud), void *tick_ud, struct dk_err *err)
{
    return run_loop(h, tick, tick_ud, NULL, err);
}

struct sync_state {
    int done;
    int rc;
    struct dk_err err;
};

static void sync_done(struct dk_http_req *req, struct dk_http_resp *resp, int rc,
                      const struct dk_err *err, void *ud)
{
    struct sync_state *s = ud;

    (void)req;
    (void)resp;
    s->done = 1;
    s->rc = rc;
    if (err)
        s->err = *err;
}

int dk_http_do(struct dk_http *h, struct dk_http_req *req, struct dk_http_resp *resp,
               struct dk_err *err)
{
    struct sync_state s = {0, 0, DK_ERR_INIT};

    dk_http_add(h, req, resp, sync_done, &s);
    if (run_loop(h, NULL, NULL, &s.done, err) < 0)
        return -1;
    if (!s.done)
        return dk_err_set(err, DK_E_FAIL, "HTTP request did not finish");
    if (s.rc < 0) {
        *err = s.err;
        return -1;
    }
    return 0;
}
