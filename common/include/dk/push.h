/*
 * push: the commands of dk-push — copy, tag, ls, catalog, inspect, digest, delete, publish,
 * login and logout — over the registry client and the copy engine.
 *
 * Each command reads what it needs from its operands and options, does its work and records
 * the result in the pipeline document under "push" (and, for publish, "published" and
 * images.<name>.published). Nothing here prints to stdout.
 */
#ifndef DK_PUSH_H
#define DK_PUSH_H

#include "dk/cli.h"
#include "dk/err.h"
#include "dk/pipeline.h"
#include "dk/registry.h"

struct dk_push_opts {
    const char *command;
    struct dk_strlist operands;
    const char *platform;
    struct dk_registry_flags reg;
    int password_stdin;
    struct dk_strlist tags;        /* publish: reference templates */
    struct dk_strlist drop_labels; /* publish: label prefixes */
    int no_progress;
    long chunk_size;
};

void dk_push_opts_init(struct dk_push_opts *o);
void dk_push_opts_release(struct dk_push_opts *o);

/* Runs o->command. 0 done; -1 with err (the caller records it in the document). */
int dk_push_run(struct dk_push_opts *o, struct dk_doc *doc, struct dk_err *err);

#endif
