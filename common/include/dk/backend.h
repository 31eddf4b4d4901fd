/*
 * backend: the program that builds an image from a Dockerfile — buildah (daemonless) or
 * docker (BuildKit) — driven through its command line.
 *
 * A build leaves its result as an OCI image layout directory (oci_dir, image name
 * "image"); dk pushes from there with its own registry client, so auth, retries and progress
 * are the same for every backend. Backends run in the background (dk_backend_start) so that
 * independent images build side by side; their output goes to a log file whose last lines
 * are shown when a build fails.
 */
#ifndef DK_BACKEND_H
#define DK_BACKEND_H

#include <sys/types.h>

#include "dk/buf.h"
#include "dk/err.h"

enum dk_backend_kind {
    DK_BACKEND_AUTO,
    DK_BACKEND_BUILDAH,
    DK_BACKEND_DOCKER,
};

struct dk_backend {
    enum dk_backend_kind kind; /* resolved: BUILDAH or DOCKER */
    char *prog;                /* full path */
    char *root, *runroot;      /* buildah storage; NULL: buildah's defaults */
    char *storage_driver;      /* buildah --storage-driver, e.g. "vfs" */
    char *isolation;           /* buildah --isolation, e.g. "chroot" */
    int tls_verify;            /* 0: pull base images without TLS verification */
};

/* Parses "auto", "buildah", "docker". */
int dk_backend_parse_kind(const char *s, enum dk_backend_kind *out, struct dk_err *err);
/* Picks the backend: docker when asked or when auto finds a Docker daemon answering, buildah
 * otherwise. A clear DK_E_INPUT error when neither is usable. Strings are copied. */
int dk_backend_init(struct dk_backend *b, enum dk_backend_kind kind, const char *root,
                    const char *runroot, const char *storage_driver, const char *isolation,
                    struct dk_err *err);
void dk_backend_release(struct dk_backend *b);
const char *dk_backend_name(const struct dk_backend *b);

struct dk_build_spec {
    const char *context_dir;        /* the build context on disk */
    const char *dockerfile;         /* path of the Dockerfile */
    const char *target;             /* stage, or NULL */
    const char *platform;           /* "linux/amd64" or NULL */
    const char *const *build_args;  /* NULL-terminated "K=V" */
    const char *const *labels;      /* NULL-terminated "K=V" */
    long long timestamp;            /* SOURCE_DATE_EPOCH for reproducible layers; -1: none */
    const char *const *cache_repos; /* layer cache in registries (--cache-from/--cache-to) */
    const char *local_name; /* name in the backend's storage, e.g. "dk-build/app:<digest>" */
    const char *oci_dir;    /* where the result goes, as an OCI layout with ref "image" */
    const char *log_path;   /* the backend's output */
};

/* Starts the build (and its export to oci_dir) in the background. */
int dk_backend_start(const struct dk_backend *b, const struct dk_build_spec *s, pid_t *pid,
                     struct dk_err *err);

#endif
