/*
 * tmplfuncs: the Helm and sprig template functions charts use, for the dk/tmpl.h engine.
 *
 * dk_tmplfuncs_register() adds Helm's include, tpl, required, toYaml, fromYaml, toJson,
 * fromJson and sprig's string, number, list and dict functions to a template set, with the
 * argument coercions sprig applies (cast.ToInt64 for arithmetic, strval for strings, sprig's
 * "empty" for default). Parameters Go declares as string or int must be given a string or an
 * int, as text/template requires ("wrong type for value; expected string; got float64").
 *
 * Known differences from Helm: regexMatch/regexFind/regexReplaceAll use POSIX extended
 * regular expressions (regex.h: leftmost-longest matching, no \d \w \s, no (?i) flags, no
 * lazy quantifiers, no named groups); upper and lower map ASCII, Latin-1, Greek and
 * Cyrillic letters only, title ASCII letters only; quote escapes the non-printable code
 * points of Latin-1 and the common format characters, not all of Go's list; keys and values
 * return sorted key order (sprig's order is random); results Go types as int64 (add, int64,
 * ...) are ints here (typeOf says "int");  fromYaml/fromJson error texts other than Helm's common
 * ones come from libyaml/cJSON; camelcase, kebabcase and snakecase follow xstrings for the usual
 * forms only.
 *
 * Ownership: the functions follow dk/tmpl.h's rules (arguments borrowed, results new
 * references). Lists and maps given to set, unset, merge, mergeOverwrite are changed in place,
 * as sprig does; append, prepend and the others return new lists.
 */
#ifndef DK_TMPLFUNCS_H
#define DK_TMPLFUNCS_H

#include "dk/err.h"
#include "dk/tmpl.h"

/* Registers every function on t (before parsing). Returns 0 (err unused, kept for
 * functions that may need set-up that can fail). */
int dk_tmplfuncs_register(struct dk_tmpl *t, struct dk_err *err);

#endif
