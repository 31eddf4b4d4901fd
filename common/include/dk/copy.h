/*
 * copy: moving images between registries, OCI image layouts and OCI archives.
 *
 * An endpoint is where an image lives: a registry reference ("reg/app:tag", also written
 * "docker://reg/app:tag"), an OCI image layout directory ("oci:DIR[:NAME]") or an OCI layout
 * in a tar or tar.gz file ("oci-archive:FILE[:NAME]"). dk_copy() copies one image, or an
 * index with every platform (or only the one asked for), from one endpoint to another:
 *
 *  - blobs the destination has are skipped; within one registry they are mounted;
 *  - blobs are piped from the source's GET into the destination's PUT, several at once,
 *    without temporary copies, and verified against their digests on the way;
 *  - writes go blobs first, then child manifests, then the index, then the tag, so a tag never
 *    points at anything missing; an archive is written to a temporary file and renamed.
 */
#ifndef DK_COPY_H
#define DK_COPY_H

#include <stdint.h>

#include "dk/err.h"
#include "dk/ref.h"
#include "dk/registry.h"

enum dk_transport {
    DK_TR_REGISTRY,
    DK_TR_OCI,
    DK_TR_OCI_ARCHIVE,
};

struct dk_endpoint {
    enum dk_transport kind;
    struct dk_ref ref; /* DK_TR_REGISTRY */
    char *path;        /* layout directory or archive file */
    char *name;        /* image name inside a layout (org.opencontainers.image.ref.name) */
    char *stage;       /* archive: the layout directory it is read from or staged in */
};

/* Parses "REF", "docker://REF", "oci:DIR[:NAME]", "oci-archive:FILE[:NAME]". DK_E_INPUT
 * errors name the input. */
int dk_endpoint_parse(struct dk_endpoint *e, const char *spec, struct dk_err *err);
void dk_endpoint_release(struct dk_endpoint *e);
/* A display string for the endpoint; caller frees. */
char *dk_endpoint_string(const struct dk_endpoint *e);

struct dk_copy_opts {
    const char *platform;           /* "os/arch[/variant]": one platform of an index; NULL: all */
    int progress;                   /* show progress on stderr */
    const char *const *drop_labels; /* NULL-terminated label prefixes to remove from configs */
    size_t chunk_size; /* >0: upload blobs from layouts in chunks of this size (PATCH) */
};

struct dk_copy_result {
    char digest[80]; /* of what the destination now points at */
    char media_type[96];
    int blobs_copied;
    int blobs_skipped; /* already there */
    int blobs_mounted;
    int64_t bytes; /* copied */
};

int dk_copy(struct dk_regclient *c, struct dk_endpoint *src, struct dk_endpoint *dst,
            const struct dk_copy_opts *o, struct dk_copy_result *res, struct dk_err *err);

/* Reads the manifest an endpoint points at (for inspect/digest): registry, layout or archive.
 * With platform set and an index found, returns that platform's manifest instead. */
int dk_endpoint_get_manifest(struct dk_regclient *c, struct dk_endpoint *e, const char *platform,
                             struct dk_manifest *out, struct dk_err *err);
/* Reads a blob (a config) of the image at e, verified. */
int dk_endpoint_get_blob(struct dk_regclient *c, struct dk_endpoint *e, const char *digest,
                         struct dk_buf *out, struct dk_err *err);

#endif
