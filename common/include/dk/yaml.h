/*
 * yaml: YAML to JSON and back, with libyaml, as Helm and Kubernetes see YAML.
 *
 * Loading follows sigs.k8s.io/yaml over go-yaml v2 (YAML 1.1 types): plain scalars resolve to
 * null (~, null, Null, NULL, empty), booleans (y Y yes Yes YES n N no No NO true True TRUE false
 * False FALSE on On ON off Off OFF), integers (decimal, 0x hex, 0o and leading-0 octal, 0b
 * binary, "_" separators) and floats (1.5, 1e3, .5); everything else, and every quoted
 * scalar, is a string. Dates stay strings. Tags !!str, !!int, !!float, !!bool, !!null,
 * !!binary (base64, decoded) and !!timestamp are honoured; other tags are ignored. Anchors,
 * aliases and merge keys (<< with a map or a list of maps; keys apply in document order, later
 * ones win, earlier maps of a list win over later ones, as in go-yaml v2) work; alias expansion
 * past 100000 nodes and ten times the document's own size is refused. Map keys become strings:
 * 1 -> "1", true -> "true", 1.5 -> "1.5"; null, list and map keys are errors. A key given twice
 * is an error (a key brought in by a merge may be overridden). .inf and .nan cannot be JSON and
 * are errors; so are strings holding a NUL character (cJSON cannot hold them).
 *
 * Every load error is DK_E_INPUT and reads
 *   invalid YAML in 'NAME' at line L column C: REASON
 * with lines and columns counted from 1 (columns in characters).
 *
 * Dumping writes what go-yaml v2 (Helm's toYaml) writes for the same data, with keys in the
 * order of the JSON object: block style, two-space indent, sequences not indented under their
 * key, strings quoted only when a plain scalar would read back differently, multi-line strings
 * as | / |- / |+ literal blocks, long plain strings folded after column 80, {} and [] for empty
 * containers, integral numbers without exponent. Two deliberate differences keep
 * load(dump(x)) == x: the key "<<" is quoted, and strings holding U+0085, U+2028 or U+2029 are
 * double-quoted.
 *
 * Ownership: trees returned through cJSON ** belong to the caller (cJSON_Delete()).
 */
#ifndef DK_YAML_H
#define DK_YAML_H

#include <stddef.h>

#include <cJSON.h>

#include "dk/buf.h"
#include "dk/err.h"

/* Deepest nesting of sequences and mappings accepted. */
#define DK_YAML_MAX_DEPTH 1000

/*
 * Loads one YAML document from len bytes of text into *out (caller frees with cJSON_Delete()).
 * Empty input, or input holding only comments, gives JSON null. A stream of several documents
 * is an error unless all but one are empty. name is used in error messages (NULL: left out).
 * On failure *out is NULL.
 */
int dk_yaml_load(const char *text, size_t len, const char *name, cJSON **out, struct dk_err *err);
/* As dk_yaml_load(), but as Helm's yaml.Unmarshal reads values files, Chart.yaml and rendered
 * manifests: a key repeated in a map replaces the earlier value instead of being an error, and
 * syntax errors read as go-yaml's ("yaml: line 3: mapping values are not allowed in this
 * context"). */
int dk_yaml_load_lenient(const char *text, size_t len, const char *name, cJSON **out,
                         struct dk_err *err);

/*
 * The head of a Kubernetes manifest, read without building the document: what Helm reads of
 * each rendered document (apiVersion, kind, metadata.name, metadata.namespace and the
 * helm.sh/hook annotation; NULL when absent or null) and what the top node is. The whole first
 * document is parsed, so a syntax error anywhere in it is found, with go-yaml's wording (as
 * dk_yaml_load_lenient()). Values are taken as written (a kind: 5 is "5").
 */
enum dk_yaml_head_root {
    DK_YAML_HEAD_NULL,
    DK_YAML_HEAD_MAP,
    DK_YAML_HEAD_SEQ,
    DK_YAML_HEAD_SCALAR
};
struct dk_yaml_head {
    enum dk_yaml_head_root root;
    char *api_version, *kind, *name, *namespace, *hook;
};
int dk_yaml_scan_head(const char *text, size_t len, struct dk_yaml_head *h, struct dk_err *err);
/* The fast path of dk_yaml_scan_head() alone (for tests): 1 with *h filled when the document
 * is in the plain block subset it reads, 0 when libyaml has to decide. */
int dk_yaml_scan_head_fast(const char *text, size_t len, struct dk_yaml_head *h);
void dk_yaml_head_release(struct dk_yaml_head *h);

/*
 * Loads every document of a stream ("---" separated) into a JSON array *array_out (caller
 * frees), skipping empty documents and documents that are null. On failure *array_out is NULL.
 */
int dk_yaml_load_all(const char *text, size_t len, const char *name, cJSON **array_out,
                     struct dk_err *err);

/*
 * Appends j as one YAML document (no "---", ending in a newline) to out. Returns 0, or -1 with
 * err set (out cut back to its old length) when out's cap would be passed or j holds an
 * invalid item.
 */
int dk_yaml_dump(const cJSON *j, struct dk_buf *out, struct dk_err *err);

#endif
