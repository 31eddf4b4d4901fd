/*
 * json: small helpers over cJSON — parsing with positioned errors, typed getters, get-or-create
 * paths, setters that replace, deep merge, and printers that match Go's encoding/json.
 *
 * Ownership follows cJSON: a tree returned through `cJSON **out` belongs to the caller, who
 * frees it with cJSON_Delete(); an item added to an object or array belongs to that container.
 * Getters return borrowed pointers into the tree (never freed, dead once the item is deleted or
 * replaced). Printers return plain malloc'd strings (caller frees with free()) or append to a
 * struct dk_buf.
 *
 * Numbers are printed as Go's json.Marshal prints a float64: the shortest text that reads back
 * to the same double, integral values below 1e21 without exponent or decimal point ("3",
 * "9007199254740992"), others with an exponent ("1e+21", "1e-7").
 */
#ifndef DK_JSON_H
#define DK_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "dk/buf.h"
#include "dk/err.h"

/* Deepest nesting of arrays and objects accepted (cJSON's own limit). */
#define DK_JSON_MAX_DEPTH 1000

/*
 * Parses len bytes of text as exactly one JSON value (white space around it allowed) into *out
 * (caller frees with cJSON_Delete()). The syntax is strict RFC 8259. On failure *out is NULL and
 * err is DK_E_INPUT "invalid JSON in 'NAME' at line L column C: REASON" (columns count
 * characters, from 1); with name NULL the "in 'NAME'" part is left out.
 */
int dk_json_parse(const char *text, size_t len, const char *name, cJSON **out, struct dk_err *err);

/* The string value of obj[key]; NULL when obj is not an object, the key is missing or the value
 * is not a string. Borrowed. */
const char *dk_json_str(const cJSON *obj, const char *key);
/* obj[key] as an integer (truncated toward zero); dflt when missing, not a number, not finite
 * or out of the int64 range. */
int64_t dk_json_int(const cJSON *obj, const char *key, int64_t dflt);
/* obj[key] as a boolean; dflt when missing or not true/false. */
int dk_json_bool(const cJSON *obj, const char *key, int dflt);

/*
 * The object at a dotted path under parent ("images.backend" is parent.images.backend),
 * creating every missing object on the way. A member on the path that exists but is not an
 * object is replaced by an empty object. Returns a borrowed pointer; NULL only when parent is
 * not an object or the path is empty or has an empty part ("a..b").
 */
cJSON *dk_json_obj(cJSON *parent, const char *dotted_path);
/* As dk_json_obj() for one key taken literally (dots are not separators): for names that may
 * contain dots, such as image names. */
cJSON *dk_json_child(cJSON *parent, const char *key);

/* Setters: obj[key] = value, replacing an existing member in place (its position kept) or
 * appending a new one. No-ops when obj is not an object. dk_json_set_str() with val NULL sets
 * null. dk_json_set() takes ownership of item (it is deleted when obj is not an object). */
void dk_json_set(cJSON *obj, const char *key, cJSON *item);
void dk_json_set_str(cJSON *obj, const char *key, const char *val);
void dk_json_set_int(cJSON *obj, const char *key, int64_t val);
void dk_json_set_bool(cJSON *obj, const char *key, int val);
/* Removes obj[key] (every member with that key) and frees it. */
void dk_json_remove(cJSON *obj, const char *key);

/*
 * Deep merge of src into dst: for each member of src, when both sides are objects they merge
 * recursively; otherwise dst's member is replaced by a copy of src's (arrays replace, null
 * replaces). src is not modified. No-op unless both are objects.
 */
void dk_json_merge(cJSON *dst, const cJSON *src);

/*
 * Prints j as JSON: compact, or pretty with two-space indentation as Go's
 * json.MarshalIndent(v, "", "  ") does. Strings are escaped as Go does with HTML escaping
 * off. Returns a malloc'd string (caller frees with free()); NULL when j holds a number that is
 * not finite or an invalid item. j NULL prints "null".
 */
char *dk_json_print(const cJSON *j, int pretty);
/* As dk_json_print(), appending to out. Returns 0, or -1 (out cut back to its old length) when
 * out's cap would be passed or j cannot be printed. */
int dk_json_write(const cJSON *j, int pretty, struct dk_buf *out);

/*
 * Appends j to out exactly as Go's json.Marshal prints the same data (members in the order of
 * the tree, not sorted): compact; "<", ">", "&", U+2028 and U+2029 escaped as \u003c, \u003e,
 * \u0026, \u2028, \u2029; control characters as \b \f \n \r \t or \u00XX; invalid UTF-8 bytes
 * as \ufffd. Used for OCI manifests, whose digests must be reproducible byte for byte.
 * Returns 0, or -1 (out cut back to its old length) when out's cap would be passed, a number is
 * not finite or an item is invalid.
 */
int dk_json_write_canonical(const cJSON *j, struct dk_buf *out);

/*
 * Formats x as Go's json.Marshal formats a float64 into out (at least DK_JSON_NUMBER_MAX
 * bytes). Returns 0, or -1 when x is infinite or NaN (out then holds "null").
 */
#define DK_JSON_NUMBER_MAX 32
int dk_json_format_number(double x, char *out);

#endif
