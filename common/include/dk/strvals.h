/*
 * strvals: Helm's --set, --set-string, --set-file, --set-json and --set-literal parsing
 * (helm v4.1.4's pkg/strvals and the --set-json handling of pkg/cli/values).
 *
 * One flag argument ("a.b[0].c=1,d=x") is merged into a values tree in place: dotted keys make
 * maps, a[N] makes lists (grown with nils, N at most 65536), a backslash escapes the next
 * character, commas separate assignments, "{x,y}" is a list literal (not in --set-literal and
 * --set-json). Typed values (--set): true/false/null in any case, int64 for integers that do
 * not start with 0 followed by more (0, -5, +5 are ints; 007, 1.5, 0x10 are strings), all else
 * strings; null sets nil (which later coalescing treats as delete). --set-json values are JSON
 * (numbers are floats, as Go's encoding/json gives); an argument that starts with '{' is one
 * JSON object deep-merged into the values. --set-file reads the named file ("-" is standard
 * input) and sets its content as a string; remote URLs (http, https, oci) are refused, as dk
 * does no network here. Keys are read as Go reads runes: invalid UTF-8 bytes become U+FFFD.
 *
 * Maps and lists already in values are changed in place (dk_val lists and maps are shared by
 * reference). On failure values may be partly changed, as Helm's are; callers give up on them.
 */
#ifndef DK_STRVALS_H
#define DK_STRVALS_H

#include "dk/err.h"
#include "dk/tmpl.h"

enum dk_strvals_mode {
    DK_STRVALS_SET,    /* --set: typed values (strvals.ParseInto: int64, bool, null, strings) */
    DK_STRVALS_STRING, /* --set-string: every value a string */
    DK_STRVALS_FILE,   /* --set-file: value is a file path; the file's content becomes the string
                          value */
    DK_STRVALS_JSON,   /* --set-json: value is JSON (numbers as float64, like Go's encoding/json) */
    DK_STRVALS_LITERAL, /* --set-literal: value taken verbatim, no escaping or commas splitting */
};

/* Merges one flag argument (e.g. "a.b[0].c=1,d=x") into values (a DK_VAL_MAP, changed in place).
 * On a bad expression: DK_E_INPUT with Helm's message (e.g. `failed parsing --set data: key "a" has
 * no value`). An unreadable --set-file file is DK_E_INPUT too, with Go's wording: `failed parsing
 * --set-file data: open /x: no such file or directory`. */
int dk_strvals_parse(struct dk_val *values, const char *expr, enum dk_strvals_mode mode,
                     struct dk_err *err);

#endif
