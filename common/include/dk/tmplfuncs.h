/*
 * tmplfuncs: the Helm and sprig template functions charts use, for the dk/tmpl.h engine.
 *
 * dk_tmplfuncs_register() adds every function of Helm v4.1.4's engine to a template set: sprig
 * v3's TxtFuncMap less env and expandenv (calling them is a parse error, "function \"env\" not
 * defined", as in Helm) plus Helm's include, tpl, required, lookup (an empty map: no cluster),
 * toYaml, mustToYaml, toYamlPretty, fromYaml, fromYamlArray, toJson, mustToJson, fromJson,
 * fromJsonArray, toToml and fromToml; getHostByName gives "" (Helm without --enable-dns). The
 * argument coercions are sprig's (cast.ToInt64 for arithmetic, strval for strings, sprig's
 * "empty" for default). Parameters Go declares as string or int must be given a string or an
 * int, as text/template requires ("wrong type for value; expected string; got float64").
 *
 * Dates follow Go's time package: reference-time layouts ("2006-01-02 15:04:05 MST"), Local
 * from TZ or /etc/localtime, IANA zone names from /usr/share/zoneinfo (unknown names are UTC, as
 * sprig falls back). A time.Time is a map value with Go's String() and the methods Unix,
 * UnixNano, Year, YearDay, Day, Hour, Minute, Second, Nanosecond, Format and IsZero; a
 * certificate (genCA, genSignedCert, ...) is a map of Cert and Key typed sprig.certificate.
 * Keys and certificates are made with OpenSSL in sprig's formats (PKCS#1 RSA, SEC1 EC, DSA,
 * PKCS#8 Ed25519; RSA 2048 for certificates, 4096 for genPrivateKey "rsa").
 *
 * Known differences from Helm: the regex* functions use dk/regex.h (Go's syntax and results; its
 * header lists the Unicode names it lacks), and regexFindAll/regexSplit give an empty list where Go
 * gives a nil slice (toJson prints [] for Go's null); upper and lower map ASCII, Latin-1, Greek and
 * Cyrillic letters only, title ASCII letters only; quote escapes the non-printable code points of
 * Latin-1 and the common format characters, not all of Go's list; keys and values return sorted key
 * order (sprig's order is random); results Go types as int64 (add, int64, ...) are ints here
 * (typeOf says "int");  fromYaml/fromJson error texts other than Helm's common ones come from
 * libyaml/cJSON; camelcase, kebabcase and snakecase follow xstrings for the usual forms only.
 * An int given to duration or durationRound counts as Go's int64 (Helm gives "0s" for a
 * template's int literal and works only on int64s and strings); toJson/toYaml/toToml of a
 * time.Time write its map instead of Go's RFC 3339 string, and a certificate passed to
 * genSignedCert may be any map with Cert and Key strings (Go wants the genCA result);
 * toYamlPretty folds long strings after column 80 as toYaml does (go-yaml v3 does not);
 * fromToml keeps date-times as text and words some errors differently; semver is a map with the
 * Major..Original fields (and the methods Compare, LessThan, GreaterThan, Equal).
 *
 * Ownership: the functions follow dk/tmpl.h's rules (arguments borrowed, results new
 * references). Lists and maps given to set, unset, merge, mergeOverwrite are changed in place,
 * as sprig does; append, prepend and the others return new lists. Unlike Helm, set refuses to
 * make a map contain itself ("a map cannot contain itself": reference counting could not free
 * it, and Helm overflows its stack printing it), and deepCopy and merge refuse values of more
 * than DK_VAL_EXPAND_MAX expanded values or DK_VAL_DEPTH_MAX levels (dk/tmpl.h).
 */
#ifndef DK_TMPLFUNCS_H
#define DK_TMPLFUNCS_H

#include "dk/err.h"
#include "dk/tmpl.h"

/* Registers every function on t (before parsing). Returns 0 (err unused, kept for
 * functions that may need set-up that can fail). */
int dk_tmplfuncs_register(struct dk_tmpl *t, struct dk_err *err);

/* Helm's toYaml of v appended to out (its final newline trimmed), as .Files.AsConfig uses it
 * too. -1 (out unchanged) when v cannot be marshalled. */
int dk_tmplfuncs_to_yaml(const struct dk_val *v, struct dk_buf *out);

/* semverCompare's test outside templates: 1 when version satisfies constraint (Masterminds
 * semver v3), 0 when not, -1 when either cannot be parsed. */
int dk_semver_satisfies(const char *constraint, const char *version);

#endif
