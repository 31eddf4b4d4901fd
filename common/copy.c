#include "dk/copy.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dk/digest.h"
#include "dk/fs.h"
#include "dk/http.h"
#include "dk/log.h"
#include "dk/oci.h"
#include "dk/tar.h"

#define RING_SIZE (512u << 10)

/* --- endpoints --------------------------------------------------------------------------- */

int dk_endpoint_parse(struct dk_endpoint *e, const char *spec, struct dk_err *err)
{
    const char *rest;

    memset(e, 0, sizeof(*e));
    if (dk_str_startswith(spec, "oci:") || dk_str_startswith(spec, "oci-archive:")) {
        const char *colon;

        e->kind = spec[3] == ':' ? DK_TR_OCI : DK_TR_OCI_ARCHIVE;
        rest = strchr(spec, ':') + 1;
        colon = strchr(rest, ':');
        e->path = colon ? dk_xstrndup(rest, (size_t)(colon - rest)) : dk_xstrdup(rest);
        if (colon && colon[1])
            e->name = dk_xstrdup(colon + 1);
        if (!*e->path) {
            dk_endpoint_release(e);
            return dk_err_set(err, DK_E_INPUT, "invalid location '%s': no path", spec);
        }
        return 0;
    }
    rest = dk_str_startswith(spec, "docker://") ? spec + 9 : spec;
    if (strstr(rest, "://"))
        return dk_err_set(
            err, DK_E_INPUT,
            "invalid location '%s': transports are docker://, oci: and oci-archive:", spec);
    e->kind = DK_TR_REGISTRY;
    return dk_ref_parse(&e->ref, rest, err);
}

void dk_endpoint_release(struct dk_endpoint *e)
{
    dk_ref_release(&e->ref);
    free(e->path);
    free(e->name);
    free(e->stage);
    memset(e, 0, sizeof(*e));
}

char *dk_endpoint_string(const struct dk_endpoint *e)
{
    if (e->kind == DK_TR_REGISTRY)
        return dk_ref_string(&e->ref);
    return dk_xasprintf("%s:%s%s%s", e->kind == DK_TR_OCI ? "oci" : "oci-archive", e->path,
                        e->name ? ":" : "", e->name ? e->name : "");
}

/* --- the copy context -------------------------------------------------------------------- */

struct blob;

struct ctx {
    struct dk_regclient *c;
    struct dk_endpoint *src, *dst;
    const struct dk_copy_opts *o;
    struct dk_registry *sreg, *dreg;
    struct dk_oci_layout slay, dlay;
    int slay_open, dlay_open;
    struct dk_buf sauth, dauth, mauth;
    char *sscope, *dscope, *mscope;
    int same_registry;
    struct blob **blobs;
    size_t nblobs;
    int failed;
    struct dk_err err;
    struct dk_copy_result *res;
    int64_t total, last_line;
    int tty_lines;
    char *src_name;                 /* the name of the image in a source layout, given or found */
    struct dk_strvec extra_digests; /* rewritten configs, uploaded from memory */
    struct dk_strvec extra_data;
};

struct blob {
    struct ctx *x;
    char digest[80];
    int64_t size;
    int state;
    int done, skipped, mounted;
    int64_t moved;
    /* registry destination */
    struct dk_buf url, loc, gurl;
    const char *hdrs[3], *ghdrs[2];
    struct dk_http_req req, get;
    struct dk_http_resp resp, gresp;
    /* the pipe from GET to PUT */
    char *ring;
    size_t rhead, rlen;
    int get_done, get_ok;
    struct dk_digest d;
    /* layout source */
    int fd;
    /* layout destination */
    struct dk_oci_blob_writer w;
    int w_open;
};

enum { B_HEAD, B_START, B_PUT, B_DONE };

static void fail(struct ctx *x, const struct dk_err *e)
{
    if (!x->failed) {
        x->failed = 1;
        x->err = *e;
    }
}

/* Sets x->err from a format; returns -1. */
static int failf(struct ctx *x, enum dk_errc code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int failf(struct ctx *x, enum dk_errc code, const char *fmt, ...)
{
    struct dk_err e = DK_ERR_INIT;
    va_list ap;

    va_start(ap, fmt);
    dk_err_vset(&e, code, fmt, ap);
    va_end(ap);
    fail(x, &e);
    return -1;
}

static int layout_open(struct ctx *x, struct dk_endpoint *e, struct dk_oci_layout *l, int create,
                       struct dk_err *err)
{
    const char *dir = e->path;

    (void)x;
    if (e->kind == DK_TR_OCI_ARCHIVE) {
        char *t = dk_fs_mkdtemp("dk-archive", err);

        if (!t)
            return -1;
        free(e->stage);
        e->stage = t;
        dir = t;
        if (!create) {
            struct dk_tar_limits lim = {0, 0};

            if (dk_tar_extract(e->path, t, &lim, err) < 0)
                return dk_err_wrap(err, "cannot read archive '%s'", e->path);
        }
    }
    return dk_oci_open(l, dir, create, err);
}

static void remove_stage(struct dk_endpoint *e)
{
    if (e->stage) {
        if (dk_fs_rmtree(e->stage) < 0)
            dk_log_debug("cannot remove '%s'", e->stage);
        free(e->stage);
        e->stage = NULL;
    }
}

/* --- manifests from either side ------------------------------------------------------------ */

static int src_manifest(struct ctx *x, const char *selector, struct dk_manifest *m,
                        struct dk_err *err)
{
    if (x->src->kind == DK_TR_REGISTRY)
        return dk_registry_get_manifest(x->sreg, x->src->ref.repo, selector, m, err);
    dk_manifest_release(m);
    if (!selector) {
        char *digest = NULL, *mt = NULL;
        int64_t size = 0;

        if (dk_oci_resolve(&x->slay, x->src->name, &digest, &mt, &size, err) < 0)
            return -1;
        snprintf(m->digest, sizeof(m->digest), "%s", digest);
        m->media_type = mt;
        free(digest);
    } else {
        snprintf(m->digest, sizeof(m->digest), "%s", selector);
    }
    if (dk_oci_read_blob(&x->slay, m->digest, &m->data, err) < 0)
        return -1;
    if (!m->media_type) {
        cJSON *j = cJSON_ParseWithLength(m->data.buf, m->data.len);
        const cJSON *mt = j ? cJSON_GetObjectItemCaseSensitive(j, "mediaType") : NULL;

        m->media_type = dk_xstrdup(cJSON_IsString(mt) ? mt->valuestring
                                   : j && cJSON_GetObjectItemCaseSensitive(j, "manifests")
                                       ? DK_MT_OCI_INDEX
                                       : DK_MT_OCI_MANIFEST);
        cJSON_Delete(j);
    }
    return 0;
}

static int platform_matches(const cJSON *p, const char *want)
{
    const cJSON *os = cJSON_GetObjectItemCaseSensitive(p, "os");
    const cJSON *arch = cJSON_GetObjectItemCaseSensitive(p, "architecture");
    const cJSON *var = cJSON_GetObjectItemCaseSensitive(p, "variant");
    char have[128];

    if (!cJSON_IsString(os) || !cJSON_IsString(arch))
        return 0;
    snprintf(have, sizeof(have), "%s/%s", os->valuestring, arch->valuestring);
    if (!strcmp(have, want))
        return 1;
    if (cJSON_IsString(var)) {
        snprintf(have, sizeof(have), "%s/%s/%s", os->valuestring, arch->valuestring,
                 var->valuestring);
        return !strcmp(have, want);
    }
    return 0;
}

/* With an index and a platform, replaces m by that platform's manifest. */
static int pick_platform(struct ctx *x, const char *platform, struct dk_manifest *m,
                         struct dk_err *err)
{
    cJSON *j;
    const cJSON *it, *ms;
    char digest[80] = "";

    if (!platform || !dk_manifest_is_index(m->media_type))
        return 0;
    j = cJSON_ParseWithLength(m->data.buf, m->data.len);
    ms = j ? cJSON_GetObjectItemCaseSensitive(j, "manifests") : NULL;
    cJSON_ArrayForEach(it, ms)
    {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(it, "digest");

        if (platform_matches(cJSON_GetObjectItemCaseSensitive(it, "platform"), platform) &&
            cJSON_IsString(d)) {
            snprintf(digest, sizeof(digest), "%s", d->valuestring);
            break;
        }
    }
    cJSON_Delete(j);
    if (!digest[0])
        return dk_err_set(err, DK_E_NOTFOUND, "no platform '%s' in the image index %s", platform,
                          m->digest);
    return src_manifest(x, digest, m, err);
}

/* --- blob transfers ------------------------------------------------------------------------- */

static void blob_free(struct blob *b)
{
    dk_buf_release(&b->url);
    dk_buf_release(&b->loc);
    dk_buf_release(&b->gurl);
    dk_http_resp_release(&b->resp);
    dk_http_resp_release(&b->gresp);
    free(b->ring);
    dk_digest_release(&b->d);
    if (b->fd >= 0)
        close(b->fd);
    if (b->w_open)
        dk_oci_blob_abort(&b->w);
    free(b);
}

static void blob_finish(struct blob *b)
{
    b->state = B_DONE;
    b->done = 1;
    if (b->skipped)
        b->x->res->blobs_skipped++;
    else if (b->mounted)
        b->x->res->blobs_mounted++;
    else {
        b->x->res->blobs_copied++;
        b->x->res->bytes += b->size;
    }
}

/* GET side of the pipe: into the ring, pausing when it is full. */
static size_t pipe_write(const char *p, size_t n, void *ud)
{
    struct blob *b = ud;
    size_t tail, first;

    if (b->x->failed || b->state == B_DONE)
        return DK_HTTP_ABORT;
    if (RING_SIZE - b->rlen < n) {
        dk_http_resume(&b->req);
        return DK_HTTP_PAUSE;
    }
    dk_digest_update(&b->d, p, n);
    tail = (b->rhead + b->rlen) % RING_SIZE;
    first = RING_SIZE - tail < n ? RING_SIZE - tail : n;
    memcpy(b->ring + tail, p, first);
    memcpy(b->ring, p + first, n - first);
    b->rlen += n;
    dk_http_resume(&b->req);
    return n;
}

/* PUT side of the pipe: out of the ring, pausing when it is empty. */
static size_t pipe_read(char *buf, size_t n, void *ud)
{
    struct blob *b = ud;
    size_t k, first;

    if (b->x->failed)
        return DK_HTTP_ABORT;
    if (!b->rlen) {
        if (b->get_done)
            return b->get_ok ? 0 : DK_HTTP_ABORT;
        dk_http_resume(&b->get);
        return DK_HTTP_PAUSE;
    }
    k = n < b->rlen ? n : b->rlen;
    first = RING_SIZE - b->rhead < k ? RING_SIZE - b->rhead : k;
    memcpy(buf, b->ring + b->rhead, first);
    memcpy(buf + first, b->ring, k - first);
    b->rhead = (b->rhead + k) % RING_SIZE;
    b->rlen -= k;
    b->moved += (int64_t)k;
    dk_http_resume(&b->get);
    return k;
}

/* Layout source: read the blob file, hashing it. */
static size_t file_read(char *buf, size_t n, void *ud)
{
    struct blob *b = ud;
    ssize_t got;

    if (b->x->failed)
        return DK_HTTP_ABORT;
    do
        got = read(b->fd, buf, n);
    while (got < 0 && errno == EINTR);
    if (got < 0)
        return DK_HTTP_ABORT;
    dk_digest_update(&b->d, buf, (size_t)got);
    b->moved += got;
    return (size_t)got;
}

/* Layout destination: the GET streams into the blob writer. */
static size_t writer_write(const char *p, size_t n, void *ud)
{
    struct blob *b = ud;
    struct dk_err e = DK_ERR_INIT;

    if (b->x->failed)
        return DK_HTTP_ABORT;
    if (dk_oci_blob_write(&b->w, p, n, &e) < 0) {
        fail(b->x, &e);
        return DK_HTTP_ABORT;
    }
    b->moved += (int64_t)n;
    return n;
}

static void on_get_done(struct dk_http_req *req, struct dk_http_resp *resp, int rc,
                        const struct dk_err *err, void *ud)
{
    struct blob *b = ud;
    struct dk_err e = DK_ERR_INIT;

    (void)req;
    b->get_done = 1;
    if (rc < 0) {
        fail(b->x, err);
    } else if (resp->status != 200) {
        char *what = dk_xasprintf("blob '%s'", b->digest);

        dk_registry_error(b->x->sreg, resp, what, &e);
        free(what);
        fail(b->x, &e);
    } else if (b->x->dst->kind == DK_TR_REGISTRY) {
        char got[DK_DIGEST_STR_MAX];

        dk_digest_final_oci(&b->d, got);
        if (strcmp(got, b->digest))
            failf(b->x, DK_E_INTEGRITY, "blob %s from %s has the wrong content (its digest is %s)",
                  b->digest, dk_registry_host(b->x->sreg), got);
        else
            b->get_ok = 1;
    } else {
        if (dk_oci_blob_commit(&b->w, &e) < 0) {
            dk_err_wrap(&e, "blob %s from %s", b->digest, dk_registry_host(b->x->sreg));
            fail(b->x, &e);
        } else {
            b->w_open = 0;
            blob_finish(b);
        }
    }
    dk_http_resume(&b->req);
}

static void on_put_done(struct dk_http_req *req, struct dk_http_resp *resp, int rc,
                        const struct dk_err *err, void *ud)
{
    struct blob *b = ud;
    struct dk_err e = DK_ERR_INIT;

    (void)req;
    if (!b->get_done && b->get.priv)
        dk_http_resume(&b->get);
    if (b->x->failed)
        return;
    if (rc < 0) {
        fail(b->x, err);
        return;
    }
    if (resp->status != 201) {
        char *what = dk_xasprintf("blob %s", b->digest);

        dk_registry_error(b->x->dreg, resp, what, &e);
        free(what);
        fail(b->x, &e);
        return;
    }
    if (b->fd >= 0) {
        char got[DK_DIGEST_STR_MAX];

        dk_digest_final_oci(&b->d, got);
        if (strcmp(got, b->digest)) {
            failf(b->x, DK_E_INTEGRITY, "blob %s in '%s' has the wrong content", b->digest,
                  b->x->src->path);
            return;
        }
    }
    blob_finish(b);
}

static void start_put(struct blob *b);

static void on_start_done(struct dk_http_req *req, struct dk_http_resp *resp, int rc,
                          const struct dk_err *err, void *ud)
{
    struct blob *b = ud;
    struct dk_err e = DK_ERR_INIT;
    struct dk_buf h = DK_BUF_INIT;

    (void)req;
    if (b->x->failed)
        return;
    if (rc < 0) {
        fail(b->x, err);
        return;
    }
    if (resp->status == 201) {
        b->mounted = 1;
        blob_finish(b);
        return;
    }
    if (resp->status != 202 || !dk_http_resp_header(resp, "Location", &h)) {
        char *what = dk_xasprintf("an upload of blob %s", b->digest);

        dk_registry_error(b->x->dreg, resp, what, &e);
        free(what);
        fail(b->x, &e);
        dk_buf_release(&h);
        return;
    }
    dk_buf_reset(&b->loc);
    dk_buf_add(&b->loc, h.buf);
    dk_buf_release(&h);
    start_put(b);
}

static void start_upload(struct blob *b)
{
    struct ctx *x = b->x;
    int mount = x->same_registry && strcmp(x->src->ref.repo, x->dst->ref.repo);

    b->state = B_START;
    if (mount)
        dk_registry_url(x->dreg, &b->url, "%s/blobs/uploads/?mount=%s&from=%s", x->dst->ref.repo,
                        b->digest, x->src->ref.repo);
    else
        dk_registry_url(x->dreg, &b->url, "%s/blobs/uploads/", x->dst->ref.repo);
    memset(&b->req, 0, sizeof(b->req));
    b->hdrs[0] = mount ? x->mauth.buf : x->dauth.buf;
    b->hdrs[1] = NULL;
    b->req.method = "POST";
    b->req.url = b->url.buf;
    b->req.headers = b->hdrs[0][0] ? b->hdrs : NULL;
    b->req.tls = dk_registry_tls(x->dreg);
    dk_http_resp_release(&b->resp);
    dk_http_resp_init(&b->resp);
    x->c->requests++;
    dk_http_add(&x->c->http, &b->req, &b->resp, on_start_done, b);
}

static void on_head_done(struct dk_http_req *req, struct dk_http_resp *resp, int rc,
                         const struct dk_err *err, void *ud)
{
    struct blob *b = ud;
    struct dk_err e = DK_ERR_INIT;

    (void)req;
    if (b->x->failed)
        return;
    if (rc < 0) {
        fail(b->x, err);
        return;
    }
    if (resp->status == 200) {
        b->skipped = 1;
        blob_finish(b);
        return;
    }
    if (resp->status != 404) {
        char *what = dk_xasprintf("blob %s", b->digest);

        dk_registry_error(b->x->dreg, resp, what, &e);
        free(what);
        fail(b->x, &e);
        return;
    }
    start_upload(b);
}

static void start_get(struct blob *b, size_t (*write)(const char *, size_t, void *))
{
    struct ctx *x = b->x;

    dk_registry_url(x->sreg, &b->gurl, "%s/blobs/%s", x->src->ref.repo, b->digest);
    memset(&b->get, 0, sizeof(b->get));
    b->ghdrs[0] = x->sauth.buf;
    b->ghdrs[1] = NULL;
    b->get.url = b->gurl.buf;
    b->get.headers = x->sauth.len ? b->ghdrs : NULL;
    b->get.follow = 1;
    b->get.tls = dk_registry_tls(x->sreg);
    b->get.write = write;
    b->get.write_ud = b;
    b->get.no_retry = x->dst->kind == DK_TR_REGISTRY; /* the PUT it feeds cannot rewind */
    dk_http_resp_init(&b->gresp);
    x->c->requests++;
    dk_http_add(&x->c->http, &b->get, &b->gresp, on_get_done, b);
}

static void start_put(struct blob *b)
{
    struct ctx *x = b->x;
    struct dk_err e = DK_ERR_INIT;

    b->state = B_PUT;
    dk_registry_upload_url(x->dreg, b->loc.buf, b->digest, &b->url);
    memset(&b->req, 0, sizeof(b->req));
    b->hdrs[0] = "Content-Type: application/octet-stream";
    b->hdrs[1] = x->dauth.len ? x->dauth.buf : NULL;
    b->hdrs[2] = NULL;
    b->req.method = "PUT";
    b->req.url = b->url.buf;
    b->req.headers = b->hdrs;
    b->req.tls = dk_registry_tls(x->dreg);
    b->req.read_size = b->size;
    b->req.read_ud = b;
    b->req.no_retry = 1;
    if (dk_digest_verifier_init(&b->d, b->digest, &e) < 0) {
        fail(x, &e);
        return;
    }
    if (x->src->kind == DK_TR_REGISTRY) {
        b->ring = dk_xmalloc(RING_SIZE);
        b->req.read = pipe_read;
        start_get(b, pipe_write);
    } else {
        char *path = dk_oci_blob_path(&x->slay, b->digest);

        b->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (b->fd < 0) {
            failf(x, DK_E_IO, "cannot read blob %s of '%s': %s", b->digest, x->src->path,
                  strerror(errno));
            free(path);
            return;
        }
        free(path);
        b->req.read = file_read;
    }
    dk_http_resp_release(&b->resp);
    dk_http_resp_init(&b->resp);
    x->c->requests++;
    dk_http_add(&x->c->http, &b->req, &b->resp, on_put_done, b);
}

/* Copies one blob between two layouts (a plain verified file copy). */
static int layout_to_layout(struct blob *b, struct dk_err *err)
{
    struct ctx *x = b->x;
    char *path = dk_oci_blob_path(&x->slay, b->digest);
    char buf[65536];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;

    if (fd < 0) {
        dk_err_set(err, DK_E_IO, "cannot read blob %s of '%s': %s", b->digest, x->src->path,
                   strerror(errno));
        goto out;
    }
    if (dk_oci_blob_begin(&x->dlay, &b->w, b->digest, err) < 0)
        goto out;
    b->w_open = 1;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        if (dk_oci_blob_write(&b->w, buf, (size_t)n, err) < 0)
            goto out;
        b->moved += n;
    }
    if (n < 0) {
        dk_err_set(err, DK_E_IO, "cannot read blob %s: %s", b->digest, strerror(errno));
        goto out;
    }
    if (dk_oci_blob_commit(&b->w, err) < 0)
        goto out;
    b->w_open = 0;
    blob_finish(b);
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    free(path);
    return rc;
}

/* A layout blob uploaded in chunks (POST, PATCH per chunk, PUT), synchronously: for
 * registries and proxies that limit request sizes. The registry checks the digest. */
static int chunked_upload(struct blob *b, struct dk_err *err)
{
    struct ctx *x = b->x;
    char *path;
    int has, fd, rc;

    has = dk_registry_head_blob(x->dreg, x->dst->ref.repo, b->digest, NULL, err);
    if (has < 0)
        return -1;
    if (has) {
        b->skipped = 1;
        blob_finish(b);
        return 0;
    }
    path = dk_oci_blob_path(&x->slay, b->digest);
    fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    if (fd < 0) {
        dk_err_set(err, DK_E_IO, "cannot read blob %s of '%s': %s", b->digest, x->src->path,
                   strerror(errno));
        free(path);
        return -1;
    }
    free(path);
    rc = dk_registry_put_blob_chunked(x->dreg, x->dst->ref.repo, b->digest, fd, b->size,
                                      x->o->chunk_size, err);
    close(fd);
    if (rc < 0)
        return -1;
    b->moved = b->size;
    blob_finish(b);
    return 0;
}

static int start_blob(struct blob *b, struct dk_err *err)
{
    struct ctx *x = b->x;

    if (x->dst->kind != DK_TR_REGISTRY) {
        if (dk_oci_has_blob(&x->dlay, b->digest)) {
            b->skipped = 1;
            blob_finish(b);
            return 0;
        }
        if (x->src->kind != DK_TR_REGISTRY)
            return layout_to_layout(b, err);
        if (dk_oci_blob_begin(&x->dlay, &b->w, b->digest, err) < 0)
            return -1;
        b->w_open = 1;
        start_get(b, writer_write);
        b->get.no_retry = 1;
        return 0;
    }
    if (x->src->kind != DK_TR_REGISTRY && x->o && x->o->chunk_size)
        return chunked_upload(b, err);
    b->state = B_HEAD;
    dk_registry_url(x->dreg, &b->url, "%s/blobs/%s", x->dst->ref.repo, b->digest);
    memset(&b->req, 0, sizeof(b->req));
    b->hdrs[0] = x->dauth.buf;
    b->hdrs[1] = NULL;
    b->req.method = "HEAD";
    b->req.url = b->url.buf;
    b->req.headers = x->dauth.len ? b->hdrs : NULL;
    b->req.tls = dk_registry_tls(x->dreg);
    dk_http_resp_init(&b->resp);
    x->c->requests++;
    dk_http_add(&x->c->http, &b->req, &b->resp, on_head_done, b);
    return 0;
}

/* --- progress ---------------------------------------------------------------------------- */

static void human(char *out, size_t n, double bytes)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    int u = 0;

    while (bytes >= 1000 && u < 4) {
        bytes /= 1000;
        u++;
    }
    snprintf(out, n, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

static void progress_tick(void *ud)
{
    struct ctx *x = ud;
    int64_t moved = 0, now;
    size_t i, done = 0;
    char a[32], t[32];
    struct timespec ts;

    if (!x->o || !x->o->progress || dk_log_level() < DK_LOG_INFO)
        return;
    for (i = 0; i < x->nblobs; i++) {
        struct blob *b = x->blobs[i];

        moved += b->done ? (b->skipped || b->mounted ? 0 : b->size) : b->moved;
        done += b->done;
    }
    human(a, sizeof(a), (double)moved);
    human(t, sizeof(t), (double)x->total);
    if (dk_log_tty()) {
        int lines = 0;

        if (x->tty_lines)
            fprintf(stderr, "\033[%dA", x->tty_lines);
        for (i = 0; i < x->nblobs; i++) {
            struct blob *b = x->blobs[i];
            int w = 30, fill;

            if (b->done || b->state == B_HEAD || b->state == B_START || !b->moved)
                continue;
            fill = b->size > 0 ? (int)(w * b->moved / b->size) : 0;
            fprintf(stderr, "\033[2K  %.19s [%.*s%*s] %3d%%\n", b->digest, fill,
                    "==============================", w - fill, "",
                    b->size > 0 ? (int)(100 * b->moved / b->size) : 0);
            if (++lines >= 8)
                break;
        }
        fprintf(stderr, "\033[2K%s: %zu/%zu blobs, %s / %s\n", dk_log_prog(), done, x->nblobs, a,
                t);
        lines++;
        /* clear lines left over from a taller frame */
        while (lines < x->tty_lines) {
            fprintf(stderr, "\033[2K\n");
            lines++;
        }
        x->tty_lines = lines;
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &ts);
    now = ts.tv_sec;
    if (!x->last_line)
        x->last_line = now;
    if (now - x->last_line >= 5) {
        x->last_line = now;
        dk_log_info("copying: %zu/%zu blobs, %s / %s", done, x->nblobs, a, t);
    }
}

/* --- the image walk ---------------------------------------------------------------------- */

static void add_blob(struct ctx *x, const cJSON *desc)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(desc, "digest");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(desc, "size");
    struct blob *b;
    size_t i;

    if (!cJSON_IsString(d))
        return;
    for (i = 0; i < x->nblobs; i++)
        if (!strcmp(x->blobs[i]->digest, d->valuestring))
            return;
    b = dk_xcalloc(1, sizeof(*b));
    b->x = x;
    b->fd = -1;
    snprintf(b->digest, sizeof(b->digest), "%s", d->valuestring);
    b->size = cJSON_IsNumber(s) ? (int64_t)s->valuedouble : -1;
    x->total += b->size > 0 ? b->size : 0;
    x->blobs = dk_xrealloc(x->blobs, (x->nblobs + 1) * sizeof(*x->blobs));
    x->blobs[x->nblobs++] = b;
}

/* Collects the blobs of an image manifest (its config too, unless it was rewritten). */
static int collect(struct ctx *x, const struct dk_manifest *m, struct dk_err *err)
{
    cJSON *j = cJSON_ParseWithLength(m->data.buf, m->data.len);
    const cJSON *cfg, *layers, *l;

    if (!j)
        return dk_err_set(err, DK_E_INPUT, "manifest %s is not valid JSON", m->digest);
    cfg = cJSON_GetObjectItemCaseSensitive(j, "config");
    layers = cJSON_GetObjectItemCaseSensitive(j, "layers");
    if (!cJSON_IsObject(cfg) || !cJSON_IsArray(layers)) {
        cJSON_Delete(j);
        return dk_err_set(err, DK_E_INPUT, "manifest %s is not an image manifest (media type %s)",
                          m->digest, m->media_type ? m->media_type : "unknown");
    }
    {
        const cJSON *cd = cJSON_GetObjectItemCaseSensitive(cfg, "digest");

        if (!cJSON_IsString(cd) || !dk_strvec_has(&x->extra_digests, cd->valuestring))
            add_blob(x, cfg);
    }
    cJSON_ArrayForEach(l, layers)
    {
        add_blob(x, l);
    }
    cJSON_Delete(j);
    return 0;
}

/* Whether label starts with one of the prefixes. */
static int dropped(const char *label, const char *const *prefixes)
{
    for (; prefixes && *prefixes; prefixes++)
        if (dk_str_startswith(label, *prefixes))
            return 1;
    return 0;
}

/* Re-serialises a manifest after an edit, refreshing its digest. */
static void manifest_replace(struct dk_manifest *m, const cJSON *j)
{
    char *text = cJSON_PrintUnformatted(j);

    dk_buf_reset(&m->data);
    dk_buf_add(&m->data, text);
    cJSON_free(text);
    dk_sha256_oci(m->data.buf, m->data.len, m->digest);
}

static int src_blob(struct ctx *x, const char *digest, struct dk_buf *out, struct dk_err *err)
{
    if (x->src->kind == DK_TR_REGISTRY)
        return dk_registry_get_blob(x->sreg, x->src->ref.repo, digest, out, 64u << 20, err);
    return dk_oci_read_blob(&x->slay, digest, out, err);
}

/*
 * Removes labels with the given prefixes from an image's config (werf export's
 * --drop-label-prefix-like behaviour): the config gets a new digest, so the manifest is
 * rewritten too. The new config is kept in memory for upload before the manifest.
 */
static int drop_labels(struct ctx *x, struct dk_manifest *m, struct dk_err *err)
{
    static const char *const sections[] = {"config", "container_config"};
    struct dk_buf cfg = DK_BUF_INIT;
    cJSON *mj = NULL, *cj = NULL, *desc;
    const cJSON *cd;
    char digest[DK_DIGEST_STR_MAX], *text;
    int rc = -1, changed = 0;
    size_t i;

    mj = cJSON_ParseWithLength(m->data.buf, m->data.len);
    desc = mj ? cJSON_GetObjectItemCaseSensitive(mj, "config") : NULL;
    cd = desc ? cJSON_GetObjectItemCaseSensitive(desc, "digest") : NULL;
    if (!cJSON_IsString(cd)) {
        dk_err_set(err, DK_E_INPUT, "manifest %s has no config", m->digest);
        goto out;
    }
    if (src_blob(x, cd->valuestring, &cfg, err) < 0)
        goto out;
    if (!(cj = cJSON_ParseWithLength(cfg.buf, cfg.len))) {
        dk_err_set(err, DK_E_INPUT, "the config %s is not valid JSON", cd->valuestring);
        goto out;
    }
    for (i = 0; i < 2; i++) {
        cJSON *labels = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cj, sections[i]), "Labels");
        cJSON *l = labels ? labels->child : NULL;

        while (l) {
            cJSON *next = l->next;

            if (dropped(l->string, x->o->drop_labels)) {
                cJSON_Delete(cJSON_DetachItemViaPointer(labels, l));
                changed = 1;
            }
            l = next;
        }
    }
    if (!changed) {
        rc = 0;
        goto out;
    }
    text = cJSON_PrintUnformatted(cj);
    dk_sha256_oci(text, strlen(text), digest);
    cJSON_ReplaceItemInObjectCaseSensitive(desc, "digest", cJSON_CreateString(digest));
    cJSON_ReplaceItemInObjectCaseSensitive(desc, "size", cJSON_CreateNumber((double)strlen(text)));
    dk_strvec_push(&x->extra_digests, digest);
    dk_strvec_push(&x->extra_data, text);
    cJSON_free(text);
    manifest_replace(m, mj);
    rc = 0;
out:
    cJSON_Delete(mj);
    cJSON_Delete(cj);
    dk_buf_release(&cfg);
    return rc;
}

/* After the children of an index were rewritten, points the index at their new digests. */
static void index_replace(struct dk_manifest *top, const struct dk_manifest *old,
                          const struct dk_manifest *children, size_t n)
{
    cJSON *j = cJSON_ParseWithLength(top->data.buf, top->data.len);
    cJSON *it;
    size_t i = 0;

    (void)old;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "manifests"))
    {
        if (i >= n)
            break;
        cJSON_ReplaceItemInObjectCaseSensitive(it, "digest",
                                               cJSON_CreateString(children[i].digest));
        cJSON_ReplaceItemInObjectCaseSensitive(it, "size",
                                               cJSON_CreateNumber((double)children[i].data.len));
        i++;
    }
    manifest_replace(top, j);
    cJSON_Delete(j);
}

static int put_extra_blobs(struct ctx *x, struct dk_err *err)
{
    size_t i;

    for (i = 0; i < x->extra_digests.n; i++) {
        const char *d = x->extra_digests.v[i], *data = x->extra_data.v[i];

        if (x->dst->kind == DK_TR_REGISTRY) {
            if (dk_registry_put_blob(x->dreg, x->dst->ref.repo, d, data, strlen(data), err) < 0)
                return -1;
        } else if (!dk_oci_has_blob(&x->dlay, d) &&
                   dk_oci_put_blob(&x->dlay, d, data, strlen(data), err) < 0) {
            return -1;
        }
    }
    return 0;
}

static int put_manifest(struct ctx *x, const struct dk_manifest *m, const char *selector,
                        struct dk_err *err)
{
    if (x->dst->kind == DK_TR_REGISTRY)
        return dk_registry_put_manifest(x->dreg, x->dst->ref.repo, selector, m->data.buf,
                                        m->data.len, m->media_type, err);
    if (!dk_oci_has_blob(&x->dlay, m->digest) &&
        dk_oci_put_blob(&x->dlay, m->digest, m->data.buf, m->data.len, err) < 0)
        return -1;
    if (strcmp(selector, m->digest))
        return dk_oci_put_ref(&x->dlay, selector, m->digest, m->media_type, (int64_t)m->data.len,
                              err);
    return 0;
}

static int run_blobs(struct ctx *x, struct dk_err *err)
{
    size_t i;

    for (i = 0; i < x->nblobs && !x->failed; i++) {
        struct dk_err e = DK_ERR_INIT;

        if (start_blob(x->blobs[i], &e) < 0)
            fail(x, &e);
    }
    if (dk_http_run(&x->c->http, progress_tick, x, err) < 0)
        return -1;
    progress_tick(x);
    if (x->failed) {
        *err = x->err;
        return -1;
    }
    for (i = 0; i < x->nblobs; i++)
        if (!x->blobs[i]->done)
            return dk_err_set(err, DK_E_FAIL, "blob %s was not copied", x->blobs[i]->digest);
    return 0;
}

static int prepare_auth(struct ctx *x, struct dk_err *err)
{
    if (x->src->kind == DK_TR_REGISTRY) {
        x->sscope = dk_xasprintf("repository:%s:pull", x->src->ref.repo);
        if (dk_registry_auth(x->sreg, x->sscope, &x->sauth, err) < 0)
            return -1;
    }
    if (x->dst->kind == DK_TR_REGISTRY) {
        x->dscope = dk_xasprintf("repository:%s:pull,push", x->dst->ref.repo);
        if (dk_registry_auth(x->dreg, x->dscope, &x->dauth, err) < 0)
            return -1;
        if (x->same_registry) {
            x->mscope = dk_xasprintf("repository:%s:pull,push repository:%s:pull", x->dst->ref.repo,
                                     x->src->ref.repo);
            if (dk_registry_auth(x->dreg, x->mscope, &x->mauth, err) < 0)
                return -1;
        }
    }
    return 0;
}

/* The tag or name the destination gets. */
static const char *dst_selector(struct ctx *x, const struct dk_manifest *top)
{
    if (x->dst->kind == DK_TR_REGISTRY) {
        if (x->dst->ref.tag)
            return x->dst->ref.tag;
        if (x->dst->ref.digest)
            return top->digest;
        if (x->src->kind == DK_TR_REGISTRY && x->src->ref.tag)
            return x->src->ref.tag;
        if (x->src->kind != DK_TR_REGISTRY && x->src_name)
            return x->src_name;
        return "latest";
    }
    if (x->dst->name)
        return x->dst->name;
    if (x->src->kind == DK_TR_REGISTRY)
        return dk_ref_tag_or_latest(&x->src->ref);
    return x->src_name ? x->src_name : "latest";
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Tars the staged layout into the archive (temp file, renamed when complete). */
static int write_archive(struct ctx *x, struct dk_err *err)
{
    static const char *const top_files[] = {"oci-layout", "index.json"};
    struct dk_tar_writer w;
    struct dk_strvec files = DK_STRVEC_INIT;
    char *dir = dk_xasprintf("%s/blobs/sha256", x->dst->stage);
    int gz = dk_str_endswith(x->dst->path, ".gz") || dk_str_endswith(x->dst->path, ".tgz");
    int rc = -1;
    size_t i;
    DIR *d;
    struct dirent *de;

    if (dk_tar_writer_open(&w, x->dst->path, gz, err) < 0) {
        free(dir);
        return -1;
    }
    if (!(d = opendir(dir))) {
        dk_err_set(err, DK_E_IO, "cannot read '%s': %s", dir, strerror(errno));
        goto out;
    }
    while ((de = readdir(d)))
        if (de->d_name[0] != '.' && !strstr(de->d_name, ".tmp"))
            dk_strvec_push(&files, de->d_name);
    closedir(d);
    qsort(files.v, files.n, sizeof(*files.v), cmp_str);
    for (i = 0; i < 2; i++) {
        char *src = dk_xasprintf("%s/%s", x->dst->stage, top_files[i]);
        int r = dk_tar_add_file(&w, top_files[i], src, err);

        free(src);
        if (r < 0)
            goto out;
    }
    if (dk_tar_add_dir(&w, "blobs", 0755, err) < 0 ||
        dk_tar_add_dir(&w, "blobs/sha256", 0755, err) < 0)
        goto out;
    for (i = 0; i < files.n; i++) {
        char *name = dk_xasprintf("blobs/sha256/%s", files.v[i]);
        char *src = dk_xasprintf("%s/%s", dir, files.v[i]);
        int r = dk_tar_add_file(&w, name, src, err);

        free(name);
        free(src);
        if (r < 0)
            goto out;
    }
    rc = dk_tar_writer_commit(&w, err);
out:
    dk_tar_writer_release(&w);
    dk_strvec_release(&files);
    free(dir);
    return rc;
}

int dk_copy(struct dk_regclient *c, struct dk_endpoint *src, struct dk_endpoint *dst,
            const struct dk_copy_opts *o, struct dk_copy_result *res, struct dk_err *err)
{
    struct ctx x;
    struct dk_manifest top, *children = NULL;
    size_t nchildren = 0, i;
    const char *sel;
    int rc = -1;

    memset(&x, 0, sizeof(x));
    dk_buf_init(&x.sauth);
    dk_buf_init(&x.dauth);
    dk_buf_init(&x.mauth);
    memset(res, 0, sizeof(*res));
    x.c = c;
    x.src = src;
    x.dst = dst;
    x.o = o;
    x.res = res;
    dk_manifest_init(&top);
    if (src->kind == DK_TR_REGISTRY)
        x.sreg = dk_regclient_get(c, src->ref.registry);
    else if (layout_open(&x, src, &x.slay, 0, err) < 0)
        goto out;
    else
        x.slay_open = 1;
    if (x.slay_open && src->name) {
        x.src_name = dk_xstrdup(src->name);
    } else if (x.slay_open) {
        /* a layout holding one named image: its name carries over */
        char **refs = NULL;
        size_t nrefs = 0, k;

        if (dk_oci_list_refs(&x.slay, &refs, &nrefs, err) < 0)
            goto out;
        if (nrefs == 1)
            x.src_name = dk_xstrdup(refs[0]);
        for (k = 0; k < nrefs; k++)
            free(refs[k]);
        free(refs);
    }
    if (dst->kind == DK_TR_REGISTRY)
        x.dreg = dk_regclient_get(c, dst->ref.registry);
    else if (layout_open(&x, dst, &x.dlay, 1, err) < 0)
        goto out;
    else
        x.dlay_open = 1;
    x.same_registry = x.sreg && x.sreg == x.dreg;

    if (src_manifest(&x, src->kind == DK_TR_REGISTRY ? dk_ref_selector(&src->ref) : NULL, &top,
                     err) < 0)
        goto out;
    if (o && o->platform && pick_platform(&x, o->platform, &top, err) < 0)
        goto out;
    if (dst->kind == DK_TR_REGISTRY && dst->ref.digest && !(o && o->drop_labels) &&
        strcmp(dst->ref.digest, top.digest)) {
        dk_err_set(err, DK_E_INPUT, "destination digest %s does not match the source's %s",
                   dst->ref.digest, top.digest);
        goto out;
    }
    if (dk_manifest_is_index(top.media_type)) {
        cJSON *j = cJSON_ParseWithLength(top.data.buf, top.data.len);
        const cJSON *ms = j ? cJSON_GetObjectItemCaseSensitive(j, "manifests") : NULL, *it;

        nchildren = (size_t)cJSON_GetArraySize(ms);
        children = dk_xcalloc(nchildren ? nchildren : 1, sizeof(*children));
        i = 0;
        cJSON_ArrayForEach(it, ms)
        {
            const cJSON *d = cJSON_GetObjectItemCaseSensitive(it, "digest");

            dk_manifest_init(&children[i]);
            if (!cJSON_IsString(d) || src_manifest(&x, d->valuestring, &children[i], err) < 0 ||
                (o && o->drop_labels && !dk_manifest_is_index(children[i].media_type) &&
                 drop_labels(&x, &children[i], err) < 0) ||
                (!dk_manifest_is_index(children[i].media_type) &&
                 collect(&x, &children[i], err) < 0)) {
                if (!cJSON_IsString(d))
                    dk_err_set(err, DK_E_INPUT, "index %s has an entry without a digest",
                               top.digest);
                nchildren = i + 1;
                cJSON_Delete(j);
                goto out;
            }
            i++;
        }
        cJSON_Delete(j);
        if (o && o->drop_labels && x.extra_digests.n)
            index_replace(&top, NULL, children, nchildren);
    } else if ((o && o->drop_labels && drop_labels(&x, &top, err) < 0) ||
               collect(&x, &top, err) < 0) {
        goto out;
    }
    if (prepare_auth(&x, err) < 0)
        goto out;
    if (run_blobs(&x, err) < 0 || put_extra_blobs(&x, err) < 0)
        goto out;
    for (i = 0; i < nchildren; i++)
        if (put_manifest(&x, &children[i], children[i].digest, err) < 0)
            goto out;
    sel = dst_selector(&x, &top);
    if (put_manifest(&x, &top, sel, err) < 0)
        goto out;
    if (dst->kind == DK_TR_OCI_ARCHIVE && write_archive(&x, err) < 0)
        goto out;
    snprintf(res->digest, sizeof(res->digest), "%s", top.digest);
    snprintf(res->media_type, sizeof(res->media_type), "%s", top.media_type ? top.media_type : "");
    rc = 0;
out:
    if (x.tty_lines && o && o->progress)
        fprintf(stderr, "\n");
    for (i = 0; i < x.nblobs; i++)
        blob_free(x.blobs[i]);
    free(x.blobs);
    for (i = 0; i < nchildren; i++)
        dk_manifest_release(&children[i]);
    free(children);
    dk_manifest_release(&top);
    if (x.slay_open)
        dk_oci_release(&x.slay);
    if (x.dlay_open)
        dk_oci_release(&x.dlay);
    remove_stage(src);
    remove_stage(dst);
    free(x.src_name);
    dk_strvec_release(&x.extra_digests);
    dk_strvec_release(&x.extra_data);
    dk_buf_release(&x.sauth);
    dk_buf_release(&x.dauth);
    dk_buf_release(&x.mauth);
    free(x.sscope);
    free(x.dscope);
    free(x.mscope);
    return rc;
}

int dk_endpoint_get_manifest(struct dk_regclient *c, struct dk_endpoint *e, const char *platform,
                             struct dk_manifest *out, struct dk_err *err)
{
    struct ctx x;
    int rc = -1;

    memset(&x, 0, sizeof(x));
    x.c = c;
    x.src = e;
    if (e->kind == DK_TR_REGISTRY)
        x.sreg = dk_regclient_get(c, e->ref.registry);
    else if (layout_open(&x, e, &x.slay, 0, err) < 0)
        goto out;
    else
        x.slay_open = 1;
    if (src_manifest(&x, e->kind == DK_TR_REGISTRY ? dk_ref_selector(&e->ref) : NULL, out, err) < 0)
        goto out;
    if (pick_platform(&x, platform, out, err) < 0)
        goto out;
    rc = 0;
out:
    if (x.slay_open)
        dk_oci_release(&x.slay);
    remove_stage(e);
    return rc;
}

int dk_endpoint_get_blob(struct dk_regclient *c, struct dk_endpoint *e, const char *digest,
                         struct dk_buf *out, struct dk_err *err)
{
    struct ctx x;
    int rc;

    if (e->kind == DK_TR_REGISTRY)
        return dk_registry_get_blob(dk_regclient_get(c, e->ref.registry), e->ref.repo, digest, out,
                                    64u << 20, err);
    memset(&x, 0, sizeof(x));
    if (layout_open(&x, e, &x.slay, 0, err) < 0)
        return -1;
    rc = dk_oci_read_blob(&x.slay, digest, out, err);
    dk_oci_release(&x.slay);
    remove_stage(e);
    return rc;
}
