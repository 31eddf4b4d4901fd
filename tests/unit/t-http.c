#include "dk/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dk/digest.h"
#include "tap.h"

#include "httpd.h"

static unsigned char pattern(size_t i)
{
    return (unsigned char)(i * 7 + i / 1000 + 3);
}

static void echo(int fd, const struct sreq *r)
{
    char digest[DK_DIGEST_STR_MAX], out[256], te[32] = "";

    dk_sha256_oci(r->body.buf, r->body.len, digest);
    req_header(r, "Transfer-Encoding", te, sizeof(te));
    snprintf(out, sizeof(out), "%s len=%zu %s%s%s", r->method, r->body.len, digest, *te ? " " : "",
             te);
    respond_str(fd, r, 200, "OK", NULL, out);
}

static void serve(int fd, const struct sreq *r)
{
    int n = hit(r->path);

    if (!strcmp(r->path, "/ok")) {
        respond_str(fd, r, 200, "OK", "X-Thing: Value\r\nContent-Type: text/plain\r\n",
                    "hello world");
    } else if (!strcmp(r->path, "/hits")) {
        char out[32];

        snprintf(out, sizeof(out), "%d", hit_count(r->query + 2));
        respond_str(fd, r, 200, "OK", NULL, out);
    } else if (!strcmp(r->path, "/flaky")) {
        if (n <= 2)
            respond_str(fd, r, 500, "Internal Server Error", NULL, "oops");
        else
            respond_str(fd, r, 200, "OK", NULL, "recovered");
    } else if (!strcmp(r->path, "/always500") || !strcmp(r->path, "/noretry")) {
        respond_str(fd, r, 503, "Service Unavailable", NULL, "down");
    } else if (!strcmp(r->path, "/limited")) {
        if (n == 1)
            respond_str(fd, r, 429, "Too Many Requests", "Retry-After: 1\r\n", "slow down");
        else
            respond_str(fd, r, 200, "OK", NULL, "finally");
    } else if (!strcmp(r->path, "/big")) {
        char *big = malloc(100000);

        memset(big, 'b', 100000);
        respond(fd, r, 200, "OK", NULL, big, 100000);
        free(big);
    } else if (!strcmp(r->path, "/stream")) {
        size_t i, len = 300000;
        unsigned char *p = malloc(len);

        for (i = 0; i < len; i++)
            p[i] = pattern(i);
        respond(fd, r, 200, "OK", NULL, p, len);
        free(p);
    } else if (!strcmp(r->path, "/echo")) {
        echo(fd, r);
    } else if (!strcmp(r->path, "/flakyecho")) {
        if (n == 1)
            respond_str(fd, r, 500, "Internal Server Error", NULL, "oops");
        else
            echo(fd, r);
    } else if (!strcmp(r->path, "/redir")) {
        respond_str(fd, r, 302, "Found", "Location: /ok\r\n", "");
    } else if (!strncmp(r->path, "/n/", 3)) {
        respond_str(fd, r, 200, "OK", NULL, r->path);
    } else {
        respond_str(fd, r, 404, "Not Found", NULL, "not here");
    }
}

static pid_t server_pid;
static int port, closed_port;

static int start_server(void)
{
    int lfd = httpd_listen(&port), cfd;

    if (lfd < 0)
        return -1;
    /* a port nobody listens on: bound, then closed */
    cfd = httpd_listen(&closed_port);
    if (cfd < 0)
        return -1;
    close(cfd);
    server_pid = httpd_start(lfd, serve);
    return server_pid < 0 ? -1 : 0;
}

/* --- the tests ------------------------------------------------------------------------- */

static struct dk_http h;

static char *url(const char *path)
{
    return dk_xasprintf("http://127.0.0.1:%d%s", port, path);
}

/* GETs path and returns the status (or -1), the body into body when not NULL. */
static long get(const char *path, struct dk_buf *body)
{
    struct dk_http_req req = {0};
    struct dk_http_resp resp;
    struct dk_err err = DK_ERR_INIT;
    char *u = url(path);
    long status = -1;

    dk_http_resp_init(&resp);
    req.url = u;
    if (dk_http_do(&h, &req, &resp, &err) == 0) {
        status = resp.status;
        if (body) {
            dk_buf_reset(body);
            dk_buf_addn(body, resp.body.buf, resp.body.len);
        }
    }
    dk_http_resp_release(&resp);
    free(u);
    return status;
}

static int server_hits(const char *path)
{
    struct dk_buf b = DK_BUF_INIT;
    char *q = dk_xasprintf("/hits?p=%s", path);
    int n = -1;

    if (get(q, &b) == 200)
        n = atoi(b.buf);
    dk_buf_release(&b);
    free(q);
    return n;
}

static void test_get(void)
{
    struct dk_http_req req = {0};
    struct dk_http_resp resp;
    struct dk_err err = DK_ERR_INIT;
    struct dk_buf v = DK_BUF_INIT;
    char *u = url("/ok");

    dk_http_resp_init(&resp);
    req.url = u;
    ok(dk_http_do(&h, &req, &resp, &err) == 0, "http: GET /ok succeeds");
    is_int(resp.status, 200, "http: GET /ok answers 200");
    is_str(resp.body.buf, "hello world", "http: the body is buffered");
    is_str(resp.url, u, "http: the effective URL is recorded");
    ok(dk_http_resp_header(&resp, "x-thing", &v) == 1,
       "http: a header is found case-insensitively");
    is_str(v.buf, "Value", "http: the header value is trimmed");
    ok(dk_http_resp_header(&resp, "CONTENT-LENGTH", &v) == 1 && !strcmp(v.buf, "11"),
       "http: Content-Length is among the headers");
    ok(dk_http_resp_header(&resp, "X-Missing", &v) == 0, "http: a missing header is not found");
    ok(dk_http_resp_header(&resp, "X-Thin", &v) == 0, "http: a header name prefix does not match");
    ok(req.priv == NULL, "http: a finished request holds no transfer");
    ok(dk_http_progress(&req) == 0, "http: progress of a finished request is 0");
    dk_http_resp_release(&resp);

    dk_http_resp_init(&resp);
    req.method = "HEAD";
    ok(dk_http_do(&h, &req, &resp, &err) == 0 && resp.status == 200 && resp.body.len == 0,
       "http: HEAD answers 200 without a body");
    ok(dk_http_resp_header(&resp, "Content-Length", &v) && !strcmp(v.buf, "11"),
       "http: HEAD still has the headers");
    dk_http_resp_release(&resp);
    free(u);

    u = url("/redir");
    dk_http_resp_init(&resp);
    memset(&req, 0, sizeof(req));
    req.url = u;
    ok(dk_http_do(&h, &req, &resp, &err) == 0 && resp.status == 302,
       "http: a redirect is not followed by default");
    dk_http_resp_release(&resp);
    dk_http_resp_init(&resp);
    req.follow = 1;
    ok(dk_http_do(&h, &req, &resp, &err) == 0 && resp.status == 200 &&
           !strcmp(resp.body.buf, "hello world"),
       "http: follow goes to the redirect's target");
    ok(resp.url && dk_str_endswith(resp.url, "/ok"), "http: the effective URL is the target");
    ok(dk_http_resp_header(&resp, "X-Thing", &v) == 1,
       "http: the headers are those of the final response");
    dk_http_resp_release(&resp);
    free(u);
    dk_buf_release(&v);
}

static void test_retries(void)
{
    struct dk_http_req req = {0};
    struct dk_http_resp resp;
    struct dk_err err = DK_ERR_INIT;
    struct dk_buf b = DK_BUF_INIT;
    char *u;

    is_int(get("/flaky", &b), 200, "http: 500 twice then 200 ends in 200 after retries");
    is_str(b.buf, "recovered", "http: the body is the one of the final answer");
    is_int(server_hits("/flaky"), 3, "http: the server saw three attempts");

    is_int(get("/always500", &b), 503, "http: a 503 that persists is returned after the retries");
    is_int(server_hits("/always500"), 3, "http: retries stop after opts.retries (2) more tries");

    is_int(get("/limited", &b), 200, "http: a 429 with Retry-After is retried");
    is_str(b.buf, "finally", "http: the retried request gets the final body");
    is_int(server_hits("/limited"), 2, "http: the 429 was tried twice");

    is_int(get("/missing", &b), 404, "http: a 404 is returned with rc 0");
    is_str(b.buf, "not here", "http: the 404 body is buffered");
    is_int(server_hits("/missing"), 1, "http: a 404 is not retried");

    u = url("/noretry");
    dk_http_resp_init(&resp);
    req.url = u;
    req.no_retry = 1;
    ok(dk_http_do(&h, &req, &resp, &err) == 0 && resp.status == 503,
       "http: no_retry returns the first 503");
    is_int(server_hits("/noretry"), 1, "http: no_retry makes one attempt");
    dk_http_resp_release(&resp);
    free(u);

    u = dk_xasprintf("http://127.0.0.1:%d/v2/app/blobs/uploads/x?_state=s3cr3tstate&token=abc",
                     closed_port);
    dk_http_resp_init(&resp);
    memset(&req, 0, sizeof(req));
    req.url = u;
    dk_err_init(&err);
    ok(dk_http_do(&h, &req, &resp, &err) == -1, "http: connection refused fails after retries");
    is_int(err.code, DK_E_NET, "http: a refused connection is a network error");
    {
        char *want = dk_xasprintf("cannot reach 'http://127.0.0.1:%d/v2/app/blobs/uploads/x': ",
                                  closed_port);

        ok(dk_str_startswith(err.msg, want), "http: the message names the URL");
        if (!dk_str_startswith(err.msg, want))
            printf("#   got: %s\n", err.msg);
        free(want);
    }
    ok(!strchr(err.msg, '?') && !strstr(err.msg, "s3cr3tstate"),
       "http: the message leaves out the query string");
    dk_http_resp_release(&resp);
    free(u);

    u = dk_xasprintf("http://user:pa55word@127.0.0.1:%d/x", closed_port);
    dk_http_resp_init(&resp);
    req.url = u;
    ok(dk_http_do(&h, &req, &resp, &err) == -1 && !strstr(err.msg, "pa55word") &&
           strstr(err.msg, "user:***@"),
       "http: the message hides a password in the URL");
    dk_http_resp_release(&resp);
    free(u);
    dk_buf_release(&b);
}

static void test_max_body(void)
{
    struct dk_http_req req = {0};
    struct dk_http_resp resp;
    struct dk_err err = DK_ERR_INIT;
    char *u = url("/big");

    dk_http_resp_init(&resp);
    req.url = u;
    req.max_body = 1000;
    ok(dk_http_do(&h, &req, &resp, &err) == -1, "http: a body over max_body fails");
    is_int(err.code, DK_E_NET, "http: an oversized body is a network error");
    ok(strstr(err.msg, "/big' is larger than 1000 bytes") != NULL,
       "http: the message names the URL and the cap");
    ok(resp.body.len <= 1000, "http: no more than max_body bytes are kept");
    dk_http_resp_release(&resp);

    dk_http_resp_init(&resp);
    req.max_body = 100000;
    ok(dk_http_do(&h, &req, &resp, &err) == 0 && resp.body.len == 100000,
       "http: a body exactly max_body long is accepted");
    dk_http_resp_release(&resp);
    free(u);
}

struct src {
    size_t len, off, step;
    int rewinds;
};

static size_t src_read(char *buf, size_t n, void *ud)
{
    struct src *s = ud;
    size_t i, k = s->len - s->off;

    if (k > n)
        k = n;
    if (k > s->step)
        k = s->step;
    for (i = 0; i < k; i++)
        buf[i] = (char)pattern(s->off + i);
    s->off += k;
    s->step = s->step * 3 % 7001 + 1;
    return k;
}

static int src_rewind(void *ud)
{
    struct src *s = ud;

    s->off = 0;
    s->rewinds++;
    return 0;
}

static char *pattern_digest(size_t len, char *out)
{
    unsigned char *p = malloc(len ? len : 1);
    size_t i;

    for (i = 0; i < len; i++)
        p[i] = pattern(i);
    dk_sha256_oci(p, len, out);
    free(p);
    return out;
}

static void test_upload(void)
{
    struct dk_http_req req = {0};
    struct dk_http_resp resp;
    struct dk_err err = DK_ERR_INIT;
    char *u = url("/echo"), *fu = url("/flakyecho"), want[256], dg[DK_DIGEST_STR_MAX];
    size_t n = 100000, i;
    unsigned char *data = malloc(n);
    struct src s;

    for (i = 0; i < n; i++)
        data[i] = pattern(i);
    dk_http_resp_init(&resp);
    req.method = "PUT";
    req.url = u;
    req.body = data;
    req.body_len = n;
    ok(dk_http_do(&h, &req, &resp, &err) == 0 && resp.status == 200, "http: PUT of 100000 bytes");
    snprintf(want, sizeof(want), "PUT len=%zu %s", n, pattern_digest(n, dg));
    is_str(resp.body.buf, want, "http: a fixed PUT body arrives intact");
    dk_http_resp_release(&resp);

    dk_http_resp_init(&resp);
    req.method = "POST";
    ok(dk_http_do(&h, &req, &resp, &err) == 0 && resp.status == 200, "http: POST of 100000 bytes");
    snprintf(want, sizeof(want), "POST len=%zu %s", n, dg);
    is_str(resp.body.buf, want, "http: a fixed POST body arrives intact");
    dk_http_resp_release(&resp);

    dk_http_resp_init(&resp);
    req.method = "PUT";
    req.body = NULL;
    req.body_len = 0;
    ok(dk_http_do(&h, &req, &resp, &err) == 0 && resp.status == 200, "http: PUT of no body");
    snprintf(want, sizeof(want), "PUT len=0 %s", pattern_digest(0, dg));
    is_str(resp.body.buf, want, "http: an empty PUT arrives empty");
    dk_http_resp_release(&resp);

    dk_http_resp_init(&resp);
    req.method = "PATCH";
    req.body = data;
    req.body_len = 10;
    ok(dk_http_do(&h, &req, &resp, &err) == 0 && dk_str_startswith(resp.body.buf, "PATCH len=10 "),
       "http: PATCH sends its method and body");
    dk_http_resp_release(&resp);

    memset(&s, 0, sizeof(s));
    s.len = 200000;
    s.step = 1;
    memset(&req, 0, sizeof(req));
    dk_http_resp_init(&resp);
    req.method = "PUT";
    req.url = u;
    req.read = src_read;
    req.read_ud = &s;
    req.read_size = -1;
    ok(dk_http_do(&h, &req, &resp, &err) == 0 && resp.status == 200,
       "http: PUT streamed from a read callback, size unknown");
    snprintf(want, sizeof(want), "PUT len=200000 %s chunked", pattern_digest(200000, dg));
    is_str(resp.body.buf, want, "http: a streamed body of unknown size arrives intact, chunked");
    dk_http_resp_release(&resp);

    memset(&s, 0, sizeof(s));
    s.len = 150000;
    s.step = 5;
    req.read_size = 150000;
    dk_http_resp_init(&resp);
    ok(dk_http_do(&h, &req, &resp, &err) == 0 && resp.status == 200,
       "http: PUT streamed with a known size");
    snprintf(want, sizeof(want), "PUT len=150000 %s", pattern_digest(150000, dg));
    is_str(resp.body.buf, want, "http: a streamed body of known size arrives intact");
    dk_http_resp_release(&resp);

    memset(&s, 0, sizeof(s));
    s.len = 50000;
    s.step = 5;
    req.url = fu;
    req.read_size = 50000;
    req.rewind = src_rewind;
    dk_http_resp_init(&resp);
    ok(dk_http_do(&h, &req, &resp, &err) == 0 && resp.status == 200,
       "http: a streamed PUT answered 500 is retried after a rewind");
    is_int(s.rewinds, 1, "http: the stream was rewound once");
    snprintf(want, sizeof(want), "PUT len=50000 %s", pattern_digest(50000, dg));
    is_str(resp.body.buf, want, "http: the retried stream arrives whole");
    dk_http_resp_release(&resp);

    free(u);
    free(fu);
    free(data);
}

struct sink {
    struct dk_buf got;
    size_t calls, abort_after;
};

static size_t sink_write(const char *p, size_t n, void *ud)
{
    struct sink *k = ud;

    k->calls++;
    if (k->abort_after && k->calls > k->abort_after)
        return DK_HTTP_ABORT;
    dk_buf_addn(&k->got, p, n);
    return n;
}

static void test_download_stream(void)
{
    struct dk_http_req req = {0};
    struct dk_http_resp resp;
    struct dk_err err = DK_ERR_INIT;
    struct sink k;
    char *u = url("/stream"), *m = url("/missing");
    char d1[DK_DIGEST_STR_MAX], d2[DK_DIGEST_STR_MAX];

    memset(&k, 0, sizeof(k));
    dk_buf_init(&k.got);
    dk_http_resp_init(&resp);
    req.url = u;
    req.write = sink_write;
    req.write_ud = &k;
    req.max_body = 10; /* applies to buffered bodies only */
    ok(dk_http_do(&h, &req, &resp, &err) == 0 && resp.status == 200,
       "http: GET streamed to a write callback");
    is_int(k.got.len, 300000, "http: the write callback got every byte");
    dk_sha256_oci(k.got.buf, k.got.len, d1);
    is_str(d1, pattern_digest(300000, d2), "http: the streamed bytes are intact and in order");
    is_int(resp.body.len, 0, "http: a streamed response is not buffered");
    dk_http_resp_release(&resp);

    dk_buf_reset(&k.got);
    k.calls = 0;
    req.url = m;
    dk_http_resp_init(&resp);
    ok(dk_http_do(&h, &req, &resp, &err) == 0 && resp.status == 404,
       "http: a streamed GET answered 404 returns the status");
    ok(k.got.len == 0 && !strcmp(resp.body.buf, "not here"),
       "http: an error body goes to the buffer, not the callback");
    dk_http_resp_release(&resp);

    dk_buf_reset(&k.got);
    k.calls = 0;
    k.abort_after = 1;
    req.url = u;
    req.max_body = 0;
    dk_http_resp_init(&resp);
    dk_err_init(&err);
    ok(dk_http_do(&h, &req, &resp, &err) == -1, "http: a write callback can abort the transfer");
    ok(err.code == DK_E_FAIL && strstr(err.msg, "was stopped"),
       "http: an aborted transfer says it was stopped");
    dk_http_resp_release(&resp);
    dk_buf_release(&k.got);
    free(u);
    free(m);
}

struct many {
    int done, ok, bad;
};

static void many_done(struct dk_http_req *req, struct dk_http_resp *resp, int rc,
                      const struct dk_err *err, void *ud)
{
    struct many *m = ud;
    const char *path = strstr(req->url, "/n/");

    (void)err;
    m->done++;
    if (rc == 0 && resp->status == 200 && path && !strcmp(resp->body.buf, path))
        m->ok++;
    else
        m->bad++;
}

static void count_tick(void *ud)
{
    (*(int *)ud)++;
}

static void test_concurrent(void)
{
    struct dk_http_opts o;
    struct dk_http hp;
    struct dk_http_req req[10];
    struct dk_http_resp resp[10];
    char *urls[10];
    struct many m = {0, 0, 0};
    struct dk_err err = DK_ERR_INIT;
    int i, ticks = 0;

    dk_http_opts_init(&o);
    o.max_parallel = 3;
    o.backoff_ms = 10;
    ok(dk_http_init(&hp, &o, &err) == 0, "http: a client with max_parallel 3 starts");
    memset(req, 0, sizeof(req));
    for (i = 0; i < 10; i++) {
        char p[16];

        snprintf(p, sizeof(p), "/n/%d", i);
        urls[i] = url(p);
        req[i].url = urls[i];
        dk_http_resp_init(&resp[i]);
        dk_http_add(&hp, &req[i], &resp[i], many_done, &m);
    }
    ok(req[0].priv != NULL, "http: a queued request holds its transfer");
    ok(dk_http_run(&hp, count_tick, &ticks, &err) == 0, "http: run returns 0");
    is_int(m.done, 10, "http: every queued request's done callback ran once");
    is_int(m.ok, 10, "http: every request got its own response");
    ok(ticks >= 1, "http: the tick callback ran");
    for (i = 0; i < 10; i++) {
        dk_http_resp_release(&resp[i]);
        free(urls[i]);
    }
    ok(dk_http_run(&hp, NULL, NULL, &err) == 0, "http: run with nothing queued returns at once");
    dk_http_release(&hp);
    dk_http_release(&hp);
    ok(1, "http: release twice is safe");
}

/* A stream that pauses a few times and is resumed from the tick, as a GET piped into a PUT
 * is. */
struct pauser {
    struct dk_buf got;
    struct dk_http_req *req;
    int pauses, paused, resumed, done, rc;
    size_t off, len;
};

static size_t pause_write(const char *p, size_t n, void *ud)
{
    struct pauser *s = ud;

    if (s->pauses > 0 && !s->paused) {
        s->pauses--;
        s->paused = 1;
        return DK_HTTP_PAUSE;
    }
    s->paused = 0;
    dk_buf_addn(&s->got, p, n);
    return n;
}

static size_t pause_read(char *buf, size_t n, void *ud)
{
    struct pauser *s = ud;
    size_t i, k = s->len - s->off;

    if (s->pauses > 0 && !s->paused) {
        s->pauses--;
        s->paused = 1;
        return DK_HTTP_PAUSE;
    }
    s->paused = 0;
    if (k > n)
        k = n;
    if (k > 20000)
        k = 20000;
    for (i = 0; i < k; i++)
        buf[i] = (char)pattern(s->off + i);
    s->off += k;
    return k;
}

static void pause_tick(void *ud)
{
    struct pauser *s = ud;

    if (s->paused && s->req->priv) {
        s->resumed++;
        dk_http_resume(s->req);
    }
}

static void pause_done(struct dk_http_req *req, struct dk_http_resp *resp, int rc,
                       const struct dk_err *err, void *ud)
{
    struct pauser *s = ud;

    (void)req;
    (void)resp;
    (void)err;
    s->done++;
    s->rc = rc;
}

static void stop_tick(void *ud)
{
    int *n = ud;

    if (++*n == 3)
        dk_http_stop(&h);
}

static void stop_done(struct dk_http_req *req, struct dk_http_resp *resp, int rc,
                      const struct dk_err *err, void *ud)
{
    struct many *m = ud;

    (void)req;
    (void)resp;
    m->done++;
    if (rc == -1 && err && err->code == DK_E_FAIL && strstr(err->msg, "stopped"))
        m->ok++;
    else
        m->bad++;
}

static void test_pause(void)
{
    struct dk_http_req req = {0}, req2 = {0};
    struct dk_http_resp resp, resp2;
    struct dk_err err = DK_ERR_INIT;
    struct pauser s;
    struct many m = {0, 0, 0};
    char *u = url("/stream"), *e = url("/echo"), d1[DK_DIGEST_STR_MAX], d2[DK_DIGEST_STR_MAX];
    char want[256];
    int ticks = 0;

    memset(&s, 0, sizeof(s));
    dk_buf_init(&s.got);
    s.req = &req;
    s.pauses = 3;
    dk_http_resp_init(&resp);
    req.url = u;
    req.write = pause_write;
    req.write_ud = &s;
    dk_http_add(&h, &req, &resp, pause_done, &s);
    ok(dk_http_run(&h, pause_tick, &s, &err) == 0 && s.done == 1 && s.rc == 0,
       "http: a write stream that pauses finishes once resumed");
    is_int(s.resumed, 3, "http: each pause was resumed with dk_http_resume");
    dk_sha256_oci(s.got.buf, s.got.len, d1);
    ok(s.got.len == 300000 && !strcmp(d1, pattern_digest(300000, d2)),
       "http: a paused write stream loses and repeats no byte");
    dk_http_resp_release(&resp);
    dk_buf_release(&s.got);

    memset(&s, 0, sizeof(s));
    memset(&req, 0, sizeof(req));
    s.req = &req;
    s.pauses = 3;
    s.len = 120000;
    dk_http_resp_init(&resp);
    req.method = "PUT";
    req.url = e;
    req.read = pause_read;
    req.read_ud = &s;
    req.read_size = (int64_t)s.len;
    dk_http_add(&h, &req, &resp, pause_done, &s);
    ok(dk_http_run(&h, pause_tick, &s, &err) == 0 && s.done == 1 && s.rc == 0 && resp.status == 200,
       "http: a read stream that pauses finishes once resumed");
    snprintf(want, sizeof(want), "PUT len=120000 %s", pattern_digest(120000, d2));
    is_str(resp.body.buf, want, "http: a paused read stream arrives intact");
    dk_http_resp_release(&resp);

    /* a stream paused for good, and a request queued behind it: stop ends both */
    h.opts.max_parallel = 1;
    memset(&s, 0, sizeof(s));
    dk_buf_init(&s.got);
    memset(&req, 0, sizeof(req));
    s.pauses = 1;
    req.url = u;
    req.write = pause_write;
    req.write_ud = &s;
    req2.url = u;
    dk_http_resp_init(&resp);
    dk_http_resp_init(&resp2);
    dk_http_add(&h, &req, &resp, stop_done, &m);
    dk_http_add(&h, &req2, &resp2, stop_done, &m);
    ok(dk_http_run(&h, stop_tick, &ticks, &err) == 0, "http: run returns 0 after a stop");
    is_int(m.done, 2, "http: stop runs the done callback of running and queued requests");
    is_int(m.ok, 2, "http: stopped requests fail with 'stopped'");
    ok(req.priv == NULL && req2.priv == NULL, "http: stopped requests hold no transfer");
    h.opts.max_parallel = 8;
    is_int(get("/ok", NULL), 200, "http: the client works again after a stop");
    dk_http_resp_release(&resp);
    dk_http_resp_release(&resp2);
    dk_buf_release(&s.got);
    free(u);
    free(e);
}

static void test_urlencode(void)
{
    struct dk_buf b = DK_BUF_INIT;

    dk_http_urlencode(&b, "repository:a/b:pull,push");
    is_str(b.buf, "repository%3Aa%2Fb%3Apull%2Cpush", "http: urlencode escapes ':' '/' ','");
    dk_buf_reset(&b);
    dk_http_urlencode(&b, "a b&c=d?e+f~g_h.i-j");
    is_str(b.buf, "a%20b%26c%3Dd%3Fe%2Bf~g_h.i-j",
           "http: urlencode escapes space & = ? + and keeps ~ _ . -");
    dk_buf_reset(&b);
    dk_http_urlencode(&b, "\xc3\xa9");
    is_str(b.buf, "%C3%A9", "http: urlencode escapes UTF-8 bytes in upper-case hex");
    dk_buf_reset(&b);
    dk_http_urlencode(&b, "");
    is_str(b.buf, "", "http: urlencode of nothing is nothing");
    dk_buf_release(&b);
}

int main(void)
{
    struct dk_http_opts o;
    struct dk_err err = DK_ERR_INIT;
    int status = 0;

    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("https_proxy");
    unsetenv("HTTPS_PROXY");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
    signal(SIGPIPE, SIG_IGN);
    if (start_server() < 0) {
        printf("Bail out! cannot start the test server: %s\n", strerror(errno));
        return 1;
    }
    alarm(60);
    if (dk_http_global_init(&err) < 0) {
        printf("Bail out! %s\n", err.msg);
        return 1;
    }
    dk_http_opts_init(&o);
    o.retries = 2;
    o.backoff_ms = 10;
    o.connect_timeout = 5;
    ok(dk_http_init(&h, &o, &err) == 0, "http: a client starts");
    test_get();
    test_retries();
    test_max_body();
    test_upload();
    test_download_stream();
    test_concurrent();
    test_pause();
    test_urlencode();
    dk_http_release(&h);
    kill(server_pid, SIGTERM);
    waitpid(server_pid, &status, 0);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
       "http: the test server ran until the end");
    return tap_done();
}
