/*
 * jsonschema: validation of chart values against a values.schema.json, with the results and
 * wording of helm v4.1.4 (santhosh-tekuri/jsonschema v6, resource "file:///values.schema.json").
 *
 * Drafts: from "$schema" (draft-04, -06, -07, 2019-09, 2020-12; none means 2020-12, as in v6).
 * Keywords: type (a float with no fraction counts as integer), enum, const, format (asserted in
 * draft-07 and older only, as v6 does: date-time, date, time, duration, email, hostname, ipv4,
 * uuid, json-pointer and regex as v6 checks them; uri and uri-reference for the scheme rules
 * only; ipv6 for the colon only), properties, required,
 * additionalProperties, patternProperties, propertyNames, minProperties, maxProperties,
 * dependencies, dependentRequired, dependentSchemas, items (schema or tuple), additionalItems,
 * prefixItems, contains, minContains, maxContains, minItems, maxItems, uniqueItems,
 * unevaluatedProperties, unevaluatedItems (what passing subschemas evaluated counts), minLength,
 * maxLength (runes), pattern, minimum, maximum, exclusiveMinimum, exclusiveMaximum (draft-04
 * booleans and later numbers), multipleOf (exact decimal arithmetic, as Go's big.Rat), allOf,
 * anyOf, oneOf, not, if/then/else, $ref to "#", "#/json/pointer" (definitions, $defs, any
 * path), "#anchor" ($anchor, or a draft-07 "$id": "#anchor"), and "urn:" references (a
 * permissive schema, as Helm's URN loader). Remote references are refused with Helm's
 * "failing loading" wording; dk loads nothing.
 *
 * Messages. Each problem is one line "- at 'INSTANCE': MESSAGE", nested causes (the branches of
 * anyOf/oneOf/allOf, several errors of one subschema) indented two spaces per level, exactly as
 * Helm prints them after "<chart>:". Numbers in messages follow Helm's English message
 * printer: "1,234", "1.5×10⁰⁶". Helm reports the errors of one object's properties in Go map
 * order (random from run to run); dk reports them sorted by property name.
 *
 * Patterns (pattern, patternProperties, format "regex") are Go regexps, run by dk/regex.h; one
 * that does not compile makes the schema broken, with Go's message, as in Helm.
 *
 * Reference cycles on one value fail with Helm's "both /$ref/... and /$ref resolve to ...
 * causing reference cycle"; nesting deeper than 1000 subschemas fails with
 * "schema nesting too deep".
 *
 * The schema itself is checked first, as Helm checks it against the draft's metaschema: the
 * shapes of the keywords above and that every $ref reachable from the root resolves. A broken
 * schema gives -1 and Helm's message, several lines for a metaschema failure:
 *   "file:///values.schema.json#" is not valid against metaschema: jsonschema validation ...
 *   - at '': 'allOf' failed
 *     - at '/properties/a/minimum': got string, want number
 *
 * Known gaps: $dynamicRef/$recursiveRef and contentEncoding/contentMediaType are ignored; a
 * nested "$id" does not change the base of the references under it (all resolve against the
 * root); const/enum numbers print as dk formats them, not
 * as written in the schema (Helm prints 1e21 as written, dk 1e+21); keywords this module does
 * not know are not checked for shape (Helm's metaschema checks all).
 */
#ifndef DK_JSONSCHEMA_H
#define DK_JSONSCHEMA_H

#include <cJSON.h>

#include "dk/buf.h"
#include "dk/err.h"
#include "dk/tmpl.h"

/* Validates values against a chart's values.schema.json (schema: parsed JSON). Returns 0 when
 * valid, 1 when invalid with one line per problem appended to out in Helm v4.1.4's wording (the
 * lines that follow "<chart>:" in "values don't meet the specifications of the schema(s) in the
 * following chart(s):"), -1 with err on a broken schema (DK_E_INPUT). Each line ends in "\n"; Helm
 * prints one more empty line after a chart's lines. */
int dk_jsonschema_validate(const cJSON *schema, const struct dk_val *values, struct dk_buf *out,
                           struct dk_err *err);

#endif
