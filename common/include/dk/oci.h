/*
 * oci: an OCI image layout on disk (image-spec image-layout.md), as skopeo's "oci:DIR:REF",
 * umoci and containers/image read and write it:
 *
 *   DIR/oci-layout            {"imageLayoutVersion":"1.0.0"}
 *   DIR/index.json            {"schemaVersion":2,"manifests":[<descriptor>, ...]}
 *   DIR/blobs/<alg>/<hex>     content, named by its digest
 *
 * An image is named by the "org.opencontainers.image.ref.name" annotation of its descriptor
 * in index.json. Blobs are written to a temp file in blobs/<alg>/ and renamed into place once
 * their digest is checked, and index.json is replaced atomically, so a reader never sees a
 * partial blob or index. Unknown fields of index.json and of the entries dk does not replace
 * are kept. Two processes changing the same index.json at once are not serialised: the last
 * rename wins.
 *
 * Ownership: struct dk_oci_layout owns its dir string; functions returning char * or char **
 * hand the memory to the caller. Every struct may be zeroed and released (or aborted) safely.
 */
#ifndef DK_OCI_H
#define DK_OCI_H

#include <stddef.h>
#include <stdint.h>

#include "dk/buf.h"
#include "dk/digest.h"
#include "dk/err.h"

/* The annotation that names an image in index.json. */
#define DK_OCI_REF_NAME "org.opencontainers.image.ref.name"

struct dk_oci_layout {
    char *dir; /* the layout's directory, without a trailing '/' */
};

#define DK_OCI_LAYOUT_INIT                                                                         \
    {                                                                                              \
        NULL                                                                                       \
    }

/* Opens the layout in dir. With create, makes dir (and its parents), oci-layout, blobs/ and an
 * empty index.json when missing, keeping what exists. Without create, dir must be a layout.
 * Returns 0, or -1 with DK_E_NOTFOUND (no such directory), DK_E_INPUT (not an OCI layout:
 * no or bad oci-layout, no index.json) or DK_E_IO; l is then released. */
int dk_oci_open(struct dk_oci_layout *l, const char *dir, int create, struct dk_err *err);
/* Frees l. Safe on a zeroed or released layout. */
void dk_oci_release(struct dk_oci_layout *l);

/* 1 when the blob file for digest exists, 0 otherwise (also for an invalid digest). */
int dk_oci_has_blob(const struct dk_oci_layout *l, const char *digest);
/* "DIR/blobs/<alg>/<hex>" (caller frees), or NULL when digest is not a valid OCI digest, so a
 * hostile digest cannot name a path outside the layout. */
char *dk_oci_blob_path(const struct dk_oci_layout *l, const char *digest);
/* Appends the blob's content to out and checks it against digest. Returns 0, or -1 with
 * DK_E_INPUT (invalid digest, or larger than out's cap), DK_E_NOTFOUND, DK_E_IO or
 * DK_E_INTEGRITY (content does not match); out is then as before the call. */
int dk_oci_read_blob(const struct dk_oci_layout *l, const char *digest, struct dk_buf *out,
                     struct dk_err *err);

/* Streams one blob into the layout. */
struct dk_oci_blob_writer {
    /* Public, after a successful commit: the blob's digest and size. */
    char digest[DK_DIGEST_STR_MAX];
    uint64_t size;
    /* Private. */
    int active, fd;
    char *dir, *blobdir, *tmp, *expected;
    struct dk_digest d;
};

/* Starts a blob in l. expected_digest is the digest the content must have, or NULL to take
 * whatever it hashes to (sha256). Returns 0, or -1 with DK_E_INPUT (invalid digest) or
 * DK_E_IO. w is overwritten. */
int dk_oci_blob_begin(const struct dk_oci_layout *l, struct dk_oci_blob_writer *w,
                      const char *expected_digest, struct dk_err *err);
/* Appends n bytes. Returns 0, or -1 with DK_E_IO. */
int dk_oci_blob_write(struct dk_oci_blob_writer *w, const void *p, size_t n, struct dk_err *err);
/* Checks the digest, then fsyncs and renames the blob into place. Returns 0, or -1 with
 * DK_E_INTEGRITY (content does not match the expected digest) or DK_E_IO. Either way the
 * writer is finished: on failure the temp file is removed and no blob is added. */
int dk_oci_blob_commit(struct dk_oci_blob_writer *w, struct dk_err *err);
/* Drops an unfinished blob and its temp file. Safe on a zeroed, committed or aborted writer. */
void dk_oci_blob_abort(struct dk_oci_blob_writer *w);
/* Writes a whole blob; n bytes of data must hash to digest (else DK_E_INTEGRITY). A blob that
 * is already there is kept. */
int dk_oci_put_blob(const struct dk_oci_layout *l, const char *digest, const void *data, size_t n,
                    struct dk_err *err);

/* Finds the image ref in index.json: the entry whose DK_OCI_REF_NAME annotation is ref; when no
 * entry has that name and ref is an OCI digest, the entry with that digest. ref NULL or ""
 * means the layout's only image. Each of digest, media_type (caller frees; NULL when the entry
 * has none) and size (-1 when absent) may be NULL. Returns 0, or -1 with DK_E_NOTFOUND ("no
 * image 'ref' in OCI layout 'DIR'", or an empty layout), DK_E_INPUT (several images and no
 * ref, or a bad index.json) or DK_E_IO. */
int dk_oci_resolve(const struct dk_oci_layout *l, const char *ref, char **digest, char **media_type,
                   int64_t *size, struct dk_err *err);
/* Points ref at the manifest (digest, media_type, size) in index.json: the entry named ref is
 * replaced (the first one kept in place, any others removed), else one is appended. ref NULL
 * or "" adds an entry without a name, replacing an unnamed entry with the same digest. The
 * blob itself is not checked. Returns 0, or -1 with DK_E_INPUT (invalid digest, empty media
 * type, negative size, bad index.json) or DK_E_IO. */
int dk_oci_put_ref(const struct dk_oci_layout *l, const char *ref, const char *digest,
                   const char *media_type, int64_t size, struct dk_err *err);
/* The names of the images in index.json, in its order, unnamed entries skipped. The caller
 * frees each name and the array (*refs is NULL when *n is 0). Returns 0, or -1 with
 * DK_E_INPUT or DK_E_IO. */
int dk_oci_list_refs(const struct dk_oci_layout *l, char ***refs, size_t *n, struct dk_err *err);

#endif
