/*
 * registry: a client for the OCI distribution API (Docker Registry HTTP API v2).
 *
 * A struct dk_regclient holds what every registry shares: one HTTP client (so transfers to
 * several registries run in one event loop and connections are reused), TLS and insecure
 * settings, and explicit credentials. dk_regclient_get() hands out one struct dk_registry per
 * host, created on first use and owned by the client.
 *
 * The first request to a host pings /v2/: that picks HTTPS or plain HTTP (plain only for
 * loopback hosts and --insecure-registry ones, after HTTPS failed, as Docker does) and learns
 * the auth scheme. Bearer tokens are fetched per scope from the realm the registry names and
 * reused until they expire; basic auth is sent once the registry asked for it. Credentials
 * come from the client's options or from Docker's config (dk/auth.h).
 *
 * Everything downloaded that has a digest is verified against it.
 */
#ifndef DK_REGISTRY_H
#define DK_REGISTRY_H

#include <stdint.h>

#include "dk/buf.h"
#include "dk/cli.h"
#include "dk/err.h"
#include "dk/http.h"

#define DK_MT_OCI_MANIFEST    "application/vnd.oci.image.manifest.v1+json"
#define DK_MT_OCI_INDEX       "application/vnd.oci.image.index.v1+json"
#define DK_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define DK_MT_DOCKER_LIST     "application/vnd.docker.distribution.manifest.list.v2+json"
#define DK_MT_OCI_CONFIG      "application/vnd.oci.image.config.v1+json"
#define DK_MT_DOCKER_CONFIG   "application/vnd.docker.container.image.v1+json"

struct dk_regclient_opts {
    const char *const *insecure; /* NULL-terminated hosts allowed over plain HTTP */
    int tls_verify;              /* -1 auto (off for loopback/insecure hosts), 0, 1 */
    const char *ca_file;
    const char *username; /* explicit credentials for every registry, or NULL */
    const char *password;
    int parallel;     /* concurrent transfers */
    int insecure_all; /* every host as an insecure one (--insecure) */
    int page_size;    /* entries asked for per page of tags/catalog (default 1000) */
};

struct dk_registry;

struct dk_regclient {
    struct dk_http http;
    struct dk_regclient_opts opts;
    struct dk_strvec insecure;
    char *ca_file;
    char *username, *password;
    struct dk_registry **regs;
    size_t nregs;
    long requests; /* HTTP requests made, for benchmarks (DK_STATS) */
};

void dk_regclient_opts_init(struct dk_regclient_opts *o);

/* The registry flags of every tool that talks to registries: --insecure-registry,
 * --tls-verify, --insecure, --ca-cert, --username/--password (DK_PASSWORD), --parallel,
 * --page-size. Values are borrowed from argv or the environment. */
struct dk_registry_flags {
    struct dk_strlist insecure_registries;
    const char *tls_verify; /* "auto", "true", "false" */
    int insecure;
    const char *ca_cert;
    const char *username;
    const char *password;
    long parallel;
    long page_size;
};

void dk_registry_flags_init(struct dk_registry_flags *f);
void dk_registry_flags_release(struct dk_registry_flags *f);
/* Checks the flags and starts a client from them; the credentials are used only when
 * use_credentials (dk-push login checks them itself). DK_E_USAGE for bad values. */
int dk_regclient_init_flags(struct dk_regclient *c, const struct dk_registry_flags *f,
                            int use_credentials, struct dk_err *err);
int dk_regclient_init(struct dk_regclient *c, const struct dk_regclient_opts *o,
                      struct dk_err *err);
void dk_regclient_release(struct dk_regclient *c);
/* The registry object for host (as in references: "docker.io", "127.0.0.1:5000"). Borrowed. */
struct dk_registry *dk_regclient_get(struct dk_regclient *c, const char *host);

/* The registry's host name as given (borrowed). */
const char *dk_registry_host(const struct dk_registry *r);
struct dk_regclient *dk_registry_client(const struct dk_registry *r);
/* Whether TLS is verified for this registry (known after the ping): for requests built by
 * callers and run asynchronously. */
enum dk_http_tls dk_registry_tls(const struct dk_registry *r);

/* Pings /v2/ (once): scheme, TLS, auth challenge. */
int dk_registry_ping(struct dk_registry *r, struct dk_err *err);

/* Checks that the client's credentials are accepted (dk-push login): a token without scope
 * from a bearer realm, or GET /v2/ with basic auth. DK_E_AUTH when refused. */
int dk_registry_check_login(struct dk_registry *r, struct dk_err *err);

/* "<base>/v2/<path>" into out (reset first). */
int dk_registry_url(struct dk_registry *r, struct dk_buf *out, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Makes sure a token for scope (e.g. "repository:app:pull,push"; several separated by
 * spaces) is at hand and writes the "Authorization: ..." header line into hdr (empty when
 * anonymous). For requests run asynchronously. */
int dk_registry_auth(struct dk_registry *r, const char *scope, struct dk_buf *hdr,
                     struct dk_err *err);
/* Forgets the token for scope (after a 401 in the middle of a transfer). */
void dk_registry_auth_forget(struct dk_registry *r, const char *scope);
/* A synchronous request with auth: a 401 triggers one new token and a retry. */
int dk_registry_do(struct dk_registry *r, const char *scope, struct dk_http_req *req,
                   struct dk_http_resp *resp, struct dk_err *err);
/* Builds an error from a non-2xx answer: "registry HOST answered 404 Not Found for WHAT:
 * MANIFEST_UNKNOWN: manifest unknown", code by status. Returns -1. */
int dk_registry_error(struct dk_registry *r, const struct dk_http_resp *resp, const char *what,
                      struct dk_err *err);

/* A manifest as fetched: raw bytes (the digest is over them), media type, digest. */
struct dk_manifest {
    struct dk_buf data;
    char *media_type;
    char digest[80];
};
void dk_manifest_init(struct dk_manifest *m);
void dk_manifest_release(struct dk_manifest *m);
/* 1 for an OCI index or Docker manifest list. */
int dk_manifest_is_index(const char *media_type);

int dk_registry_get_manifest(struct dk_registry *r, const char *repo, const char *selector,
                             struct dk_manifest *out, struct dk_err *err);
/* Digest, media type and size without the body. 0; -1 with DK_E_NOTFOUND when absent. */
int dk_registry_head_manifest(struct dk_registry *r, const char *repo, const char *selector,
                              char *digest, size_t digest_size, struct dk_err *err);
/* Stores a manifest under selector (a tag or its digest). */
int dk_registry_put_manifest(struct dk_registry *r, const char *repo, const char *selector,
                             const char *data, size_t len, const char *media_type,
                             struct dk_err *err);
/* Deletes the manifest with this digest: with Distribution, every tag on it goes too. */
int dk_registry_delete_manifest(struct dk_registry *r, const char *repo, const char *digest,
                                struct dk_err *err);

/* 1 present (size filled when not NULL), 0 absent, -1 error. */
int dk_registry_head_blob(struct dk_registry *r, const char *repo, const char *digest,
                          int64_t *size, struct dk_err *err);
/* Downloads a small blob (config) into out, verified, capped at max bytes. */
int dk_registry_get_blob(struct dk_registry *r, const char *repo, const char *digest,
                         struct dk_buf *out, size_t max, struct dk_err *err);
/* Monolithic upload of an in-memory blob (POST then PUT). */
int dk_registry_put_blob(struct dk_registry *r, const char *repo, const char *digest,
                         const void *data, size_t len, struct dk_err *err);
/* Chunked upload (POST, PATCH per chunk, PUT) reading from fd; size bytes. */
int dk_registry_put_blob_chunked(struct dk_registry *r, const char *repo, const char *digest,
                                 int fd, int64_t size, size_t chunk, struct dk_err *err);
/* Starts an upload; with from_repo, asks to mount the blob from there first.
 * Returns 1 when mounted (nothing to upload), 0 with the upload URL in location. */
int dk_registry_start_upload(struct dk_registry *r, const char *repo, const char *digest,
                             const char *from_repo, struct dk_buf *location, struct dk_err *err);
/* The URL to PUT the last (or only) part of an upload to: location + digest parameter. */
void dk_registry_upload_url(struct dk_registry *r, const char *location, const char *digest,
                            struct dk_buf *out);

/* Every tag of repo (Link pagination followed). Caller releases out. 404 → DK_E_NOTFOUND. */
int dk_registry_list_tags(struct dk_registry *r, const char *repo, struct dk_strvec *out,
                          struct dk_err *err);
/* Every repository whose name starts with prefix ("" for all). */
int dk_registry_catalog(struct dk_registry *r, const char *prefix, struct dk_strvec *out,
                        struct dk_err *err);

#endif
