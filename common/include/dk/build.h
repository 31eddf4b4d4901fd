/*
 * build: dk-build — every image of the project in the registry under its content tag.
 *
 * For each image, dependencies first and independent images side by side (--parallel):
 *
 *  1. look up tags "<digest>-<unix ms>" in --repo, then in the read-only --secondary-repo's
 *     (a hit is copied into --repo), then in the --cache-repo's; the oldest tag wins;
 *  2. otherwise build it with the backend from the commit's files, push it with dk's registry
 *     client as "<digest>-<unix ms>", list the tags again and, when an older tag with the same
 *     digest appeared meanwhile, use that one instead. No lock: any number of runners converge
 *     on the oldest tag. Built images also go to the --cache-repo's.
 *
 * --add-tag templates add alias tags. The document gets images.<name>.{digest, tag, ref,
 * manifest, built} and the top-level repo.
 */
#ifndef DK_BUILD_H
#define DK_BUILD_H

#include "dk/cli.h"
#include "dk/err.h"
#include "dk/pipeline.h"
#include "dk/registry.h"
#include "dk/tag.h"

struct dk_build_opts {
    struct dk_tag_opts tag;
    const char *repo;
    struct dk_strlist secondary_repos;
    struct dk_strlist cache_repos;
    struct dk_strlist add_tags;
    long parallel;
    const char *backend; /* auto, buildah, docker */
    const char *buildah_root;
    const char *buildah_runroot;
    const char *storage_driver;
    const char *isolation;
    struct dk_registry_flags reg; /* registry access, as dk-push */
    int no_progress;
};

void dk_build_opts_init(struct dk_build_opts *o);
void dk_build_opts_release(struct dk_build_opts *o);
int dk_build_run(struct dk_build_opts *o, struct dk_doc *doc, struct dk_err *err);

#endif
