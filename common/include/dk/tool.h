/*
 * tool: what every dk tool's main does around its one library call — read the pipeline
 * document, print the error, record it in the document, write the document, pick the exit
 * code — so that each main stays a flag table and a call.
 */
#ifndef DK_TOOL_H
#define DK_TOOL_H

#include "dk/cli.h"
#include "dk/err.h"
#include "dk/pipeline.h"

/* Starts a tool: dk_init(), then parses argv[first..] against opts. Returns -1 to go on, or
 * the exit code to return at once (--help, --version: 0; a failed init: 1). A usage error is
 * left in err, to be reported with the document like any other. */
int dk_tool_start(const char *prog, const char *usage, const char *description,
                  const struct dk_opt *opts, int argc, char **argv, int first,
                  struct dk_strlist *operands, struct dk_err *err);
/* Reads the document from standard input (unless skip_stdin: stdin carries something else);
 * on failure keeps the first error in err and a fresh document in doc. */
void dk_tool_read_doc(struct dk_doc *doc, int skip_stdin, struct dk_err *err);
/* Prints err (if any) as the tool's one error line, records it in the document, writes the
 * document to standard output and releases it. Returns the exit code. */
int dk_tool_finish(struct dk_doc *doc, const char *prog, struct dk_err *err);

#endif
