/*
 * ref: container image references, with Docker's grammar and defaults.
 *
 *   nginx                      → docker.io / library/nginx, no tag (callers default to latest)
 *   127.0.0.1:5000/a/b:v1      → 127.0.0.1:5000 / a/b, tag v1
 *   ghcr.io/o/app:1@sha256:…   → ghcr.io / o/app, tag 1 and digest sha256:…
 *
 * The first path component is a registry when it contains '.' or ':', starts with '[' (IPv6),
 * or is "localhost"; otherwise the registry is docker.io, and a one-component name there gets
 * "library/". "index.docker.io" and "registry-1.docker.io" name docker.io too; only
 * dk_ref_api_host() turns it back into the host that serves the API.
 *
 * A struct dk_ref owns its four strings (heap, or NULL). dk_ref_parse() and dk_ref_copy()
 * initialise the struct they fill without freeing what it held, so release a struct before
 * filling it again. dk_ref_release() accepts a zeroed or already released struct.
 */
#ifndef DK_REF_H
#define DK_REF_H

#include "dk/buf.h"
#include "dk/err.h"

struct dk_ref {
    char *registry; /* "docker.io", "127.0.0.1:5000", "localhost:5000", "[::1]:5000" */
    char *repo;     /* "library/nginx", "a/b/c" */
    char *tag;      /* NULL when absent */
    char *digest;   /* "sha256:<64 hex>", "sha512:<128 hex>" or NULL */
};

#define DK_REF_INIT                                                                                \
    {                                                                                              \
        NULL, NULL, NULL, NULL                                                                     \
    }

/* The longest registry + "/" + repository Docker accepts. */
#define DK_REF_NAME_MAX 255

void dk_ref_init(struct dk_ref *r);
/* Frees the strings and leaves r as after dk_ref_init(). */
void dk_ref_release(struct dk_ref *r);
/* Fills dst (initialised by the call) with copies of src's strings. Returns 0. */
int dk_ref_copy(struct dk_ref *dst, const struct dk_ref *src);

/* Parses s ("[registry/]repo[:tag][@digest]") into r, which the call initialises. Returns 0,
 * or -1 with DK_E_INPUT and "invalid reference '<s>': <problem>" (empty, uppercase, a bad
 * component, tag, digest, host or port, too long); r is then empty. */
int dk_ref_parse(struct dk_ref *r, const char *s, struct dk_err *err);
/* As dk_ref_parse() for a repository alone ("reg/app" for `ls`): a tag or digest is an error
 * ("invalid repository '<s>': ..."). */
int dk_ref_parse_repo(struct dk_ref *r, const char *s, struct dk_err *err);

/* "registry/repo[:tag][@digest]", always with the registry: "docker.io/library/nginx:1.25".
 * Caller frees. */
char *dk_ref_string(const struct dk_ref *r);
/* "registry/repo" without tag or digest. Caller frees. */
char *dk_ref_name(const struct dk_ref *r);

/* The host to send registry API requests to: "registry-1.docker.io" for docker.io, else the
 * registry. Borrowed from r. */
const char *dk_ref_api_host(const struct dk_ref *r);
/* The tag, or "latest" when there is none. Borrowed. */
const char *dk_ref_tag_or_latest(const struct dk_ref *r);
/* What goes into /v2/<repo>/manifests/<selector>: the digest when set, else the tag, else
 * "latest". Borrowed. */
const char *dk_ref_selector(const struct dk_ref *r);

/* 1 when registry ("host[:port]") is localhost, an address in 127.0.0.0/8 or [::1] — the hosts
 * Docker talks plain HTTP to without being told — else 0. */
int dk_ref_is_loopback(const char *registry);

/* 1 when s is a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}), else 0. */
int dk_ref_valid_tag(const char *s);
/* 1 when s is "sha256:<64 lowercase hex>" or "sha512:<128 lowercase hex>", else 0. */
int dk_ref_valid_digest(const char *s);

/* werf's slug of an image name (%image_slug%): ASCII letters lower-cased, digits kept, each
 * run of the separators " /._-&()[]{},;:=+<>~" one '-', no '-' at either end, all other bytes
 * dropped (werf transliterates accented and Cyrillic letters; dk drops them). No length limit.
 * Caller frees. */
char *dk_ref_slug(const char *name);
/* werf's docker-tag-safe slug (%image_safe_slug%): name itself when it is a valid tag, else
 * the slug cut to fit 128 bytes with "-<murmur3-32 hex of name>" appended. Caller frees. */
char *dk_ref_safe_slug(const char *name);

/* Expands a werf-style tag or reference template into out (appended): %image% becomes image,
 * %image_slug% dk_ref_slug(image), %image_safe_slug% dk_ref_safe_slug(image) and
 * %image_content_based_tag% content_tag. Spaces inside the percent signs are allowed
 * ("% image %"), as werf's template delimiters allow. Returns 0, or -1 with DK_E_INPUT
 * ("invalid template '<tmpl>': ...") for an unknown or unterminated placeholder, or
 * %image_content_based_tag% when content_tag is NULL; out is then unchanged. The result is not
 * validated: parse it with dk_ref_parse() or check it with dk_ref_valid_tag(). */
int dk_ref_expand_template(const char *tmpl, const char *image, const char *content_tag,
                           struct dk_buf *out, struct dk_err *err);

#endif
