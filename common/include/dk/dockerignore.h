/*
 * dockerignore: which files of a build context Docker leaves out (.dockerignore), and which
 * files a COPY/ADD source names.
 *
 * .dockerignore follows Docker's reader and moby/patternmatcher:
 *   - a line starting with '#' (in its first column) is a comment; blank lines are skipped;
 *   - each line is trimmed of blanks at both ends, a leading '!' makes an exception (blanks
 *     after it trimmed too), the pattern is cleaned like Go's filepath.Clean ("./a//b/" is
 *     "a/b") and one leading '/' is dropped;
 *   - '*' matches any run of characters but '/', '?' one character but '/', "[a-z]" and
 *     "[^a-z]" classes one character, '\' makes the next character literal; "**" then '/'
 *     matches any number of directories, none included, and a final "**" everything below;
 *   - a pattern that matches a directory also matches everything below it ("node_modules",
 *     "build/");
 *   - patterns apply in order and the last one that matches a path decides, so an exception
 *     can re-include a file below an excluded directory: "docs" then "!docs/README.md".
 *
 * A struct dk_ignore owns its patterns; dk_ignore_release() frees them and accepts a zeroed or
 * already released struct.
 */
#ifndef DK_DOCKERIGNORE_H
#define DK_DOCKERIGNORE_H

#include <stddef.h>

#include "dk/err.h"

struct dk_ignore_pattern {
    char *text;    /* cleaned, without the '!' */
    int exception; /* 1 for a "!pattern" line */
    int kind;      /* how it matches (private to dockerignore.c) */
    int line;      /* its line in the file */
};

struct dk_ignore {
    struct dk_ignore_pattern *pats;
    size_t n;
    int has_exceptions;
};

void dk_ignore_init(struct dk_ignore *ig);
void dk_ignore_release(struct dk_ignore *ig);

/* Parses the text of a .dockerignore file (len bytes, need not be NUL-terminated) into ig,
 * which the call initialises. Returns 0, or -1 with DK_E_INPUT and ig empty for a pattern
 * Docker refuses: ".dockerignore:3: illegal exclusion pattern '!'", ".dockerignore:5: invalid
 * pattern '[a-': syntax error in pattern" (callers that read another file name may reword). */
int dk_ignore_parse(struct dk_ignore *ig, const char *text, size_t len, struct dk_err *err);

/* 1 when path (relative to the context, '/'-separated; "./" and a leading '/' are ignored) is
 * excluded, else 0. The context root itself ("", ".") is never excluded. */
int dk_ignore_match(const struct dk_ignore *ig, const char *path);

/* For walking the context: 0 when dirpath and everything below it are certainly excluded, so
 * the walk may skip it; 1 when something below it may be included (dirpath is not excluded, or
 * an exception could re-include a path below it). Errs towards 1. */
int dk_ignore_dir_may_contain_includes(const struct dk_ignore *ig, const char *dirpath);

/* 1 when a COPY/ADD source names path (both relative to the context), 0 when not, -1 when
 * pattern is malformed (Docker refuses the instruction). Docker's rules: the source is cleaned
 * and a leading '/' means the context root; "." (also "./", "/") names the whole context; '*',
 * '?', '[...]' and '\' work as in Go's filepath.Match ('*' and '?' stop at '/', "**" is no more
 * than '*'); a source that names a directory names everything below it. */
int dk_df_source_match(const char *pattern, const char *path);

#endif
