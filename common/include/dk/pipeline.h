/*
 * pipeline: the pipeline document every dk tool reads on stdin and writes on stdout
 * (docs/pipeline.md, docs/pipeline.schema.json).
 *
 * The document is one JSON object with "schema": "dk/v1". A tool reads it, adds what it did
 * under its own keys and writes the whole object back; keys it does not know pass through
 * untouched and in their order. struct dk_doc owns its tree: dk_doc_release() frees it, and
 * every cJSON pointer handed out (dk_doc_obj()) is borrowed from it.
 *
 *   struct dk_doc doc;
 *   struct dk_err err = DK_ERR_INIT;
 *
 *   dk_doc_init(&doc);
 *   if (dk_doc_read(&doc, STDIN_FILENO, &err) == 0 && dk_push_run(&opts, &doc, &err) == 0)
 *       ...;
 *   if (err.code)
 *       dk_doc_set_error(&doc, "dk-push", &err);
 *   dk_doc_write(&doc, STDOUT_FILENO, &err2);
 *   dk_doc_release(&doc);
 */
#ifndef DK_PIPELINE_H
#define DK_PIPELINE_H

#include <cJSON.h>

#include "dk/err.h"

/* The schema this dk reads and writes. */
#define DK_DOC_SCHEMA "dk/v1"
/* Largest document accepted on input. */
#define DK_DOC_MAX_BYTES (64u << 20)

struct dk_doc {
    cJSON *root; /* a JSON object; NULL only after dk_doc_release() */
};

/* Starts a fresh document: {"schema": "dk/v1"}. */
void dk_doc_init(struct dk_doc *doc);
/* Frees the tree; the struct is then empty (root NULL). Accepts a zeroed or released doc. */
void dk_doc_release(struct dk_doc *doc);

/*
 * Reads the document from fd, replacing doc's tree. When fd is a terminal, or the input is
 * empty or only white space, the document is a fresh {"schema": "dk/v1"}. Otherwise the input
 * must be one JSON object of at most 64 MiB, whose "schema" is "dk/v1" (a missing schema is
 * added, first). Errors: DK_E_INPUT for bad JSON ("invalid pipeline document on standard
 * input: invalid JSON at line L column C: ..."), a value that is not an object, a different
 * schema, or input past 64 MiB; DK_E_IO when reading fails. On failure doc holds a fresh
 * document, so the caller can still add the error and write it.
 */
int dk_doc_read(struct dk_doc *doc, int fd, struct dk_err *err);

/*
 * Writes the whole document to fd, pretty-printed with two-space indentation and a final
 * newline. DK_E_IO when writing fails.
 */
int dk_doc_write(const struct dk_doc *doc, int fd, struct dk_err *err);

/*
 * Sets the document's "error" object from err, replacing any earlier one:
 *   {"tool": tool, "code": dk_err_name(err->code), "message": err->msg (redacted),
 *    "exit": dk_exit_code(err)}
 */
void dk_doc_set_error(struct dk_doc *doc, const char *tool, const struct dk_err *err);
/* Removes the "error" object, if any. */
void dk_doc_clear_error(struct dk_doc *doc);

/* The object at a dotted path ("images.backend"), created when missing (see dk_json_obj()).
 * Borrowed; NULL for an empty or malformed path. */
cJSON *dk_doc_obj(struct dk_doc *doc, const char *dotted_path);

#endif
