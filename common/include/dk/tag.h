/*
 * tag: content-based tags — the digest of everything that goes into each image.
 *
 * For every image of the project configuration (dk.yaml / werf.yaml) the digest is SHA3-224
 * (56 hex) over a list of inputs, one per line:
 *
 *   dk-digest v1                      the algorithm's version: bumping it invalidates all
 *   cache-version <v>                 build.cacheVersion and the image's cacheVersion
 *   platform <os/arch>                when the image names one
 *   target <stage>                    the target stage's name or index
 *   arg <NAME>=<value>                every ARG the target's stages declare, resolved
 *   stage <i> from <base>             each stage the target depends on, in order
 *   <instruction>                     each instruction after ARG/ENV expansion
 *   files <src> <n> <sha256>          per COPY/ADD source (no --from): the n context files it
 *                                     takes, as SHA-256 of their "<path> <mode> <blob id>" lines
 *   context-add-file <path> <sha256>  contextAddFiles, from the working tree
 *   dependency <image> <digest>       images this one imports from
 *
 * Files come from a git commit (HEAD or --commit), through libgit2, after .dockerignore: the
 * digest can be recomputed for any past commit, on any machine, whatever the paths, umask or
 * mtimes. In dev mode, tracked and untracked files of the working tree count instead.
 * The ordered inputs are kept so that `dk-tag --explain IMAGE` can print them.
 */
#ifndef DK_TAG_H
#define DK_TAG_H

#include <stdint.h>

#include "dk/buf.h"
#include "dk/cli.h"
#include "dk/config.h"
#include "dk/err.h"
#include "dk/git.h"
#include "dk/pipeline.h"

struct dk_tag_opts {
    const char *dir;          /* the project directory (default "."); dk.yaml/werf.yaml live here */
    const char *config;       /* a config file instead of the default lookup, or NULL */
    const char *commit;       /* NULL: HEAD */
    int dev;                  /* the working tree instead of the commit */
    const char *explain;      /* an image whose inputs to print, or NULL */
    struct dk_strlist images; /* only these images (and what they depend on); empty: all */
};

struct dk_tag_import {
    char *arg; /* the build arg it sets */
    char *dep; /* the image it comes from */
    int type;  /* enum dk_import_type */
};

struct dk_tag_image {
    const struct dk_config_image *conf; /* borrowed from the result's config */
    char digest[57];
    struct dk_strvec inputs;     /* the lines hashed, for --explain */
    char *context;               /* context directory relative to the repository root */
    char *dockerfile;            /* Dockerfile path relative to the repository root */
    char *dockerfile_text;       /* its content (from the commit or the working tree) */
    char *target;                /* as configured, or NULL */
    struct dk_strvec build_args; /* "K=V" from the configuration's args */
    struct dk_tag_import *imports;
    size_t nimports;
    struct dk_git_entry *files; /* the context files after .dockerignore */
    size_t nfiles;
};

struct dk_tag_result {
    struct dk_config config;
    struct dk_git git;
    char *project_dir; /* relative to the repository root ("" for the root) */
    char commit[41];   /* the commit the files came from ("" in dev mode with no HEAD) */
    int64_t commit_time;
    char *branch;
    int dev;
    struct dk_tag_image *images; /* in dependency order */
    size_t n;
};

void dk_tag_opts_init(struct dk_tag_opts *o);
void dk_tag_opts_release(struct dk_tag_opts *o);
int dk_tag_compute(const struct dk_tag_opts *o, struct dk_tag_result *res, struct dk_err *err);
void dk_tag_result_release(struct dk_tag_result *res);
/* The image named name, or NULL. */
struct dk_tag_image *dk_tag_find(struct dk_tag_result *res, const char *name);

/* dk-tag: computes the digests and records them in the document (project, git, images.<name>.
 * digest); with --explain writes the inputs of that image to out_explain. */
int dk_tag_run(const struct dk_tag_opts *o, struct dk_doc *doc, struct dk_buf *out_explain,
               struct dk_err *err);
/* Records what every tool after dk-tag needs in the document. */
void dk_tag_record(const struct dk_tag_result *res, struct dk_doc *doc);

#endif
