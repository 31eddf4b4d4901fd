/*
 * http: every HTTP call dk makes, over libcurl's multi interface.
 *
 * A struct dk_http holds one curl multi handle: connections are reused across requests, and
 * any number of requests run concurrently (at most opts.max_parallel at once). A request
 * either buffers its response body in resp->body (capped) or streams it to a write callback;
 * either sends a fixed body or streams one from a read callback. Stream callbacks may pause
 * (return DK_HTTP_PAUSE); whoever can feed them again calls dk_http_resume(). That is how a
 * blob is piped from one registry's GET into another's PUT without a temporary copy.
 *
 * Connection errors, 429 and 5xx answers are retried with exponential backoff (Retry-After
 * honoured), as long as the request has not streamed data yet or can be rewound.
 *
 * TLS: verification against opts.ca_file (else the system CAs), turned off per client or per
 * request; a client certificate per request (PEM bytes, req.cert_pem/key_pem); a server name to
 * verify other than the URL's host (opts.tls_server_name). A proxy (opts.proxy) for every
 * request, else curl's environment variables.
 *
 * Ownership: requests and responses belong to the caller and must stay alive until their done
 * callback ran (or dk_http_do returned). Header strings are copied by curl.
 */
#ifndef DK_HTTP_H
#define DK_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "dk/buf.h"
#include "dk/err.h"

struct dk_http_opts {
    long connect_timeout; /* seconds; default 30 */
    long stall_timeout;   /* seconds without a byte before a transfer fails; default 120 */
    int retries;          /* default 4 */
    long backoff_ms;      /* first retry delay; default 250 */
    int max_parallel;     /* concurrent transfers; default 8 */
    int verify;           /* TLS verification; default 1 */
    const char *ca_file;  /* extra CA bundle (PEM) */
    /* Proxy for every request, whatever no_proxy says: http://, https://, socks5:// (curl's
     * syntax; user info allowed). NULL: curl's defaults (http_proxy, https_proxy, no_proxy). */
    const char *proxy;
    /* Name the server's certificate must match and that goes out as TLS SNI, instead of the
     * URL's host (kubeconfig tls-server-name). https:// URLs only; the connection still goes
     * to the URL's host and port, and the Host header keeps naming it. NULL: the URL's host. */
    const char *tls_server_name;
};

/* TLS verification of one request. The zero value is the client's setting, so a request
 * initialised with {0} never turns verification off by accident. */
enum dk_http_tls {
    DK_HTTP_TLS_DEFAULT = 0,
    DK_HTTP_TLS_VERIFY,
    DK_HTTP_TLS_NO_VERIFY,
};

/* Values for stream callbacks. */
#define DK_HTTP_PAUSE ((size_t)-2)
#define DK_HTTP_ABORT ((size_t)-1)

struct dk_http_req;
struct dk_http_resp;

/* Called once when a request finished: rc 0 with a response (any status), -1 with err. */
typedef void (*dk_http_done_fn)(struct dk_http_req *req, struct dk_http_resp *resp, int rc,
                                const struct dk_err *err, void *ud);

struct dk_http_req {
    const char *method; /* default "GET" */
    const char *url;
    const char *const *headers; /* NULL-terminated "Name: value" lines */
    int follow;                 /* follow redirects (blob GETs go to storage backends) */
    enum dk_http_tls tls;       /* DK_HTTP_TLS_DEFAULT: the client's setting */
    /* request body: fixed, or streamed */
    const void *body;
    size_t body_len;
    size_t (*read)(char *buf, size_t n, void *ud); /* bytes, 0 at end, DK_HTTP_PAUSE/ABORT */
    int64_t read_size;                             /* -1: unknown (chunked) */
    void *read_ud;
    /* response body: buffered into resp->body up to max_body, or streamed */
    size_t max_body;                                    /* default 64 MiB */
    size_t (*write)(const char *p, size_t n, void *ud); /* n, DK_HTTP_PAUSE or ABORT */
    void *write_ud;
    int (*rewind)(void *ud); /* before a retry of a request that streamed; 0 ok */
    int no_retry;
    /* TLS client certificate and its key, PEM bytes (copied when the request starts); both or
     * neither. Requests with different certificates never share a connection. */
    const void *cert_pem;
    size_t cert_len;
    const void *key_pem;
    size_t key_len;
    /* filled by dk_http; private */
    void *priv;
};

struct dk_http_resp {
    long status;
    struct dk_buf body;    /* when req->write is NULL */
    struct dk_buf headers; /* raw header block of the final response */
    char *url;             /* effective URL (after redirects); owned */
};

struct dk_http {
    void *multi; /* CURLM */
    struct dk_http_opts opts;
    struct dk_http_xfer *active;  /* list of running transfers */
    struct dk_http_xfer *waiting; /* queued or waiting for a retry */
    size_t running;
    int stop;
};

/* Starts curl globally (once per process; dk_init() calls it). */
int dk_http_global_init(struct dk_err *err);

void dk_http_opts_init(struct dk_http_opts *o);
int dk_http_init(struct dk_http *h, const struct dk_http_opts *opts, struct dk_err *err);
void dk_http_release(struct dk_http *h);

void dk_http_resp_init(struct dk_http_resp *r);
void dk_http_resp_release(struct dk_http_resp *r);
/* Copies the value of header name (case-insensitive) into out; 1 found, 0 not. */
int dk_http_resp_header(const struct dk_http_resp *r, const char *name, struct dk_buf *out);

/* One request, synchronously. 0 with a response of any status; -1 on transport failure after
 * retries (DK_E_NET, message naming the URL without credentials). */
int dk_http_do(struct dk_http *h, struct dk_http_req *req, struct dk_http_resp *resp,
               struct dk_err *err);

/* Queues a request; done runs from dk_http_run(). */
void dk_http_add(struct dk_http *h, struct dk_http_req *req, struct dk_http_resp *resp,
                 dk_http_done_fn done, void *ud);
/* Runs until every queued request is done or dk_http_stop() was called. tick (may be NULL)
 * runs about ten times a second. Returns 0, or -1 when curl itself failed. */
int dk_http_run(struct dk_http *h, void (*tick)(void *ud), void *tick_ud, struct dk_err *err);
/* Aborts every running request (their done callbacks run with an error). */
void dk_http_stop(struct dk_http *h);
/* Lets a paused request's stream go on. */
void dk_http_resume(struct dk_http_req *req);
/* Bytes moved so far by a running request (download + upload). */
int64_t dk_http_progress(const struct dk_http_req *req);

/* Percent-encodes s for a query string value. */
void dk_http_urlencode(struct dk_buf *out, const char *s);

#endif
