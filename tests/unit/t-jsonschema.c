/*
 * Unit tests for common/jsonschema.c: values.schema.json validation with Helm's messages.
 * Every expected text below was checked against helm v4.1.4 (`helm template` of a chart with
 * the schema, values given with -f), line for line. Where one object has errors in several
 * properties Helm prints them in Go map order, which changes from run to run; dk sorts them by
 * property name, and those cases were compared with the lines sorted. Messages of broken
 * schemas are Helm's for the cases below (metaschema failures, missing pointers).
 */
#include "dk/jsonschema.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"

/* schema, values (as a values file gives them: every number a float), result, output */
static const struct {
    const char *schema, *values;
    int rc;
    const char *want;
} cases[] = {
    /* type */
    {"{\"properties\":{\"color\":{\"type\":\"string\"}}}", "{\"color\":1}", 1,
     "- at '/color': got number, want string\n"},
    {"{\"type\":\"object\",\"properties\":{\"color\":{\"type\":\"string\"},\"n\":{\"type\":"
     "\"integer\",\"minimum\":3}},\"required\":[\"name\",\"x\"],\"additionalProperties\":false}",
     "{\"color\":1,\"n\":2.5,\"extra\":1}", 1,
     "- at '': missing properties 'name', 'x'\n- at '/color': got number, want string\n- at '/n': "
     "got number, want integer\n- at '': additional properties 'extra' not allowed\n"},
    {"{\"properties\":{\"a\":{\"type\":[\"string\",\"integer\"]}}}", "{\"a\":1.5}", 1,
     "- at '/a': got number, want integer or string\n"},
    {"{\"properties\":{\"b\":{\"type\":\"integer\"}}}", "{\"b\":1.0}", 0, ""},
    {"{\"properties\":{\"a\":{\"type\":[\"object\",\"array\",\"string\",\"integer\",\"boolean\","
     "\"null\"]}}}",
     "{\"a\":1.5}", 1,
     "- at '/a': got number, want null or boolean or integer or string or array or object\n"},
    {"{\"properties\":{\"b\":{\"type\":[\"integer\",\"number\",\"string\"]}}}", "{\"b\":null}", 1,
     "- at '/b': got null, want number or integer or string\n"},
    {"{\"type\":\"array\"}", "{\"a\":1}", 1, "- at '': got object, want array\n"},
    {"false", "{\"a\":1}", 1, "- at '': false schema\n"},
    {"true", "{\"a\":1}", 0, ""},
    {"{}", "{\"a\":1}", 0, ""},
    /* required, additionalProperties */
    {"{\"additionalProperties\":false,\"required\":[\"q\"]}", "{\"x\":1,\"y\":2}", 1,
     "- at '': missing property 'q'\n- at '': additional properties 'x', 'y' not allowed\n"},
    {"{\"required\":[\"a\"]}", "{}", 1, "- at '': missing property 'a'\n"},
    {"{\"properties\":{\"image\":{\"type\":\"object\",\"required\":[\"repository\",\"tag\"],"
     "\"properties\":{\"repository\":{\"type\":\"string\",\"minLength\":1}}}}}",
     "{\"image\":{\"repository\":\"\"}}", 1,
     "- at '/image': missing property 'tag'\n- at '/image/repository': minLength: got 0, want 1\n"},
    {"{\"patternProperties\":{\"^[a-z]+$\":{\"type\":\"string\"},\"^\\\\d+$\":{\"type\":"
     "\"integer\"}},\"additionalProperties\":false}",
     "{\"abc\":1,\"12\":\"x\",\"A\":1}", 1,
     "- at '/12': got string, want integer\n- at '/abc': got number, want string\n- at '': "
     "additional properties 'A' not allowed\n"},
    {"{\"properties\":{\"r\":{\"patternProperties\":{\"^x\":{\"type\":\"string\"}},"
     "\"additionalProperties\":{\"type\":\"integer\"}}}}",
     "{\"r\":{\"xa\":1,\"b\":\"s\",\"c\":2}}", 1,
     "- at '/r/b': got string, want integer\n- at '/r/xa': got number, want string\n"},
    /* combinators */
    {"{\"properties\":{\"a\":{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}}}",
     "{\"a\":1.5}", 1,
     "- at '/a': 'oneOf' failed, none matched\n  - at '/a': got number, want string\n  - at '/a': "
     "got number, want integer\n"},
    {"{\"properties\":{\"a\":{\"oneOf\":[{\"type\":\"number\"},{\"type\":\"integer\"}]}}}",
     "{\"a\":1}", 1, "- at '/a': 'oneOf' failed, subschemas 0, 1 matched\n"},
    {"{\"properties\":{\"a\":{\"oneOf\":[{\"type\":\"string\"},{\"minimum\":5,\"maximum\":0}]}}}",
     "{\"a\":1}", 1,
     "- at '/a': 'oneOf' failed, none matched\n  - at '/a': got number, want string\n  - at '/a': "
     "validation failed\n    - at '/a': minimum: got 1, want 5\n    - at '/a': maximum: got 1, "
     "want 0\n"},
    {"{\"properties\":{\"b\":{\"anyOf\":[{\"type\":\"string\"},{\"minimum\":5}]}}}", "{\"b\":2}", 1,
     "- at '/b': 'anyOf' failed\n  - at '/b': got number, want string\n  - at '/b': minimum: got "
     "2, want 5\n"},
    {"{\"properties\":{\"a\":{\"allOf\":[{\"type\":\"number\"},{\"type\":\"string\"},{\"minimum\":"
     "3}]}}}",
     "{\"a\":1}", 1,
     "- at '/a': 'allOf' failed\n  - at '/a': got number, want string\n  - at '/a': minimum: got "
     "1, want 3\n"},
    {"{\"properties\":{\"a\":{\"not\":{\"type\":\"number\"}}}}", "{\"a\":1}", 1,
     "- at '/a': 'not' failed\n"},
    {"{\"properties\":{\"n\":{\"if\":{\"type\":\"string\"},\"then\":{\"minLength\":3},\"else\":{"
     "\"type\":\"boolean\"}}}}",
     "{\"n\":\"ab\"}", 1, "- at '/n': minLength: got 2, want 3\n"},
    {"{\"properties\":{\"o\":{\"if\":{\"type\":\"string\"},\"then\":{\"minLength\":3},\"else\":{"
     "\"type\":\"boolean\"}}}}",
     "{\"o\":1}", 1, "- at '/o': got number, want boolean\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-06/"
     "schema#\",\"properties\":{\"o\":{\"if\":{\"type\":\"string\"},\"then\":{\"minLength\":3}}}}",
     "{\"o\":\"ab\"}", 0, ""},
    /* enum, const */
    {"{\"properties\":{\"c\":{\"enum\":[\"x\",\"y\",1]}}}", "{\"c\":\"z\"}", 1,
     "- at '/c': value must be one of 'x', 'y', 1\n"},
    {"{\"properties\":{\"c\":{\"enum\":[\"x\"]}}}", "{\"c\":\"y\"}", 1,
     "- at '/c': value must be 'x'\n"},
    {"{\"properties\":{\"d\":{\"enum\":[[1],\"x\"]}}}", "{\"d\":2}", 1,
     "- at '/d': 'enum' failed\n"},
    {"{\"properties\":{\"h\":{\"enum\":[true,null]}}}", "{\"h\":1}", 1,
     "- at '/h': value must be one of true, <nil>\n"},
    {"{\"properties\":{\"b\":{\"const\":\"x\"}}}", "{\"b\":\"y\"}", 1,
     "- at '/b': value must be 'x'\n"},
    {"{\"properties\":{\"e\":{\"const\":{\"a\":1}}}}", "{\"e\":2}", 1,
     "- at '/e': 'const' failed\n"},
    {"{\"properties\":{\"f\":{\"const\":null}}}", "{\"f\":2}", 1,
     "- at '/f': value must be <nil>\n"},
    {"{\"properties\":{\"g\":{\"const\":1.5}}}", "{\"g\":2}", 1, "- at '/g': value must be 1.5\n"},
    {"{\"properties\":{\"e\":{\"enum\":[1.5, 2.25, \"a\\\"b'c\\n\"]}}}", "{\"e\":3}", 1,
     "- at '/e': value must be one of 1.5, 2.25, 'a\"b\\'c\\n'\n"},
    {"{\"properties\":{\"pullPolicy\":{\"enum\":[\"Always\",\"IfNotPresent\",\"Never\"]}}}",
     "{\"pullPolicy\":\"IfNotPresent\"}", 0, ""},
    /* strings */
    {"{\"properties\":{\"d\":{\"pattern\":\"^a+$\"}}}", "{\"d\":\"b\"}", 1,
     "- at '/d': 'b' does not match pattern '^a+$'\n"},
    {"{\"properties\":{\"c\":{\"minLength\":5,\"maxLength\":1}}}", "{\"c\":\"ab\"}", 1,
     "- at '/c': minLength: got 2, want 5\n- at '/c': maxLength: got 2, want 1\n"},
    {"{\"properties\":{\"c\":{\"maxLength\":2}}}", "{\"c\":\"éé\"}", 0, ""},
    {"{\"properties\":{\"a\":{\"pattern\":\"^\\\\d+$\"}}}", "{\"a\":\"12a\"}", 1,
     "- at '/a': '12a' does not match pattern '^\\\\d+$'\n"},
    {"{\"properties\":{\"b\":{\"pattern\":\"^[\\\\w.-]+$\"}}}", "{\"b\":\"a b\"}", 1,
     "- at '/b': 'a b' does not match pattern '^[\\\\w.-]+$'\n"},
    {"{\"properties\":{\"c\":{\"pattern\":\"^\\\\S+@\\\\S+$\"}}}", "{\"c\":\"x y@z\"}", 1,
     "- at '/c': 'x y@z' does not match pattern '^\\\\S+@\\\\S+$'\n"},
    {"{\"properties\":{\"e\":{\"pattern\":\"[a-z]{2,3}\"}}}", "{\"e\":\"A1\"}", 1,
     "- at '/e': 'A1' does not match pattern '[a-z]{2,3}'\n"},
    {"{\"properties\":{\"f\":{\"pattern\":\"^a\\\\.b$\"}}}", "{\"f\":\"axb\"}", 1,
     "- at '/f': 'axb' does not match pattern '^a\\\\.b$'\n"},
    {"{\"properties\":{\"g\":{\"pattern\":\"(?i)^abc$\"}}}", "{\"g\":\"ABD\"}", 1,
     "- at '/g': 'ABD' does not match pattern '(?i)^abc$'\n"},
    {"{\"properties\":{\"g\":{\"pattern\":\"(?i)^abc$\"}}}", "{\"g\":\"ABC\"}", 0, ""},
    /* numbers */
    {"{\"properties\":{\"f\":{\"multipleOf\":0.5,\"maximum\":1,\"exclusiveMaximum\":1,"
     "\"exclusiveMinimum\":5}}}",
     "{\"f\":1.25}", 1,
     "- at '/f': maximum: got 1.25, want 1\n- at '/f': exclusiveMinimum: got 1.25, want 5\n- at "
     "'/f': exclusiveMaximum: got 1.25, want 1\n- at '/f': multipleOf: got 1.25, want 0.5\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-04/"
     "schema#\",\"properties\":{\"a\":{\"maximum\":5,\"exclusiveMaximum\":true}}}",
     "{\"a\":5}", 1, "- at '/a': exclusiveMaximum: got 5, want 5\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-04/"
     "schema#\",\"properties\":{\"b\":{\"minimum\":5,\"exclusiveMinimum\":true}}}",
     "{\"b\":5}", 1, "- at '/b': exclusiveMinimum: got 5, want 5\n"},
    {"{\"properties\":{\"a\":{\"minimum\":1000000}}}", "{\"a\":5}", 1,
     "- at '/a': minimum: got 5, want 1×10⁰⁶\n"},
    {"{\"properties\":{\"b\":{\"maximum\":-1234.5}}}", "{\"b\":1e6}", 1,
     "- at '/b': maximum: got 1×10⁰⁶, want -1,234.5\n"},
    {"{\"properties\":{\"c\":{\"minLength\":1234}}}", "{\"c\":\"x\"}", 1,
     "- at '/c': minLength: got 1, want 1,234\n"},
    {"{\"properties\":{\"d\":{\"maximum\":1}}}", "{\"d\":12345678}", 1,
     "- at '/d': maximum: got 1.2345678×10⁰⁷, want 1\n"},
    {"{\"properties\":{\"j\":{\"minimum\":1.5e300}}}", "{\"j\":-0.00000123}", 1,
     "- at '/j': minimum: got -1.23×10⁻⁰⁶, want 1.5×10³⁰⁰\n"},
    {"{\"properties\":{\"h\":{\"maximum\":0.0001}}}", "{\"h\":0.001}", 1,
     "- at '/h': maximum: got 0.001, want 0.0001\n"},
    {"{\"properties\":{\"a\":{\"multipleOf\":0.1}}}", "{\"a\":0.3}", 0, ""},
    {"{\"properties\":{\"b\":{\"multipleOf\":0.1}}}", "{\"b\":0.35}", 1,
     "- at '/b': multipleOf: got 0.35, want 0.1\n"},
    {"{\"properties\":{\"c\":{\"multipleOf\":0.01}}}", "{\"c\":19.99}", 0, ""},
    /* objects */
    {"{\"properties\":{\"e\":{\"minProperties\":3,\"maxProperties\":0}}}", "{\"e\":{\"a\":1}}", 1,
     "- at '/e': minProperties: got 1, want 3\n- at '/e': maxProperties: got 1, want 0\n"},
    {"{\"properties\":{\"h\":{\"dependencies\":{\"x\":[\"y\",\"z\"]}}}}", "{\"h\":{\"x\":1}}", 1,
     "- at '/h': properties 'y', 'z' required, if 'x' exists\n"},
    {"{\"properties\":{\"p\":{\"dependentRequired\":{\"x\":[\"y\"]},\"dependentSchemas\":{\"x\":{"
     "\"required\":[\"w\"]}}}}}",
     "{\"p\":{\"x\":1}}", 1,
     "- at '/p': missing property 'w'\n- at '/p': properties 'y' required, if 'x' exists\n"},
    {"{\"$schema\":\"https://json-schema.org/draft/2019-09/"
     "schema\",\"properties\":{\"b\":{\"dependencies\":{\"x\":{\"required\":[\"q\"]}}}}}",
     "{\"b\":{\"x\":1}}", 1, "- at '/b': missing property 'q'\n"},
    {"{\"properties\":{\"i\":{\"propertyNames\":{\"maxLength\":2}}}}",
     "{\"i\":{\"abc\":1,\"de\":2}}", 1,
     "- at '': invalid propertyName 'abc'\n  - at '': maxLength: got 3, want 2\n"},
    {"{\"propertyNames\":{\"pattern\":\"^[a-z]+$\"},\"properties\":{\"x\":{\"properties\":{\"y\":{"
     "\"propertyNames\":{\"maxLength\":1}}}}}}",
     "{\"a\":1,\"x\":{\"y\":{\"bb\":1}}}", 1,
     "- at '': invalid propertyName 'bb'\n  - at '': maxLength: got 2, want 1\n"},
    {"{\"properties\":{\"a/b~c\":{\"type\":\"string\"}}}", "{\"a/b~c\":1}", 1,
     "- at '/a~1b~0c': got number, want string\n"},
    {"{\"properties\":{\"it's\":{\"type\":\"string\"}}}", "{\"it's\":1}", 1,
     "- at '/it\\'s': got number, want string\n"},
    {"{\"properties\":{\"é\":{\"type\":\"string\"}}}", "{\"é\":1}", 1,
     "- at '/é': got number, want string\n"},
    /* arrays */
    {"{\"properties\":{\"d\":{\"minItems\":3,\"maxItems\":0,\"uniqueItems\":true}}}",
     "{\"d\":[1,1]}", 1,
     "- at '/d': minItems: got 2, want 3\n- at '/d': maxItems: got 2, want 0\n- at '/d': items at "
     "0 and 1 are equal\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"g\":{\"items\":[{\"type\":\"string\"}],\"additionalItems\":false}"
     "}}",
     "{\"g\":[\"x\",1,2]}", 1, "- at '/g': last 2 additionalItem(s) not allowed\n"},
    {"{\"$schema\":\"https://json-schema.org/draft/2019-09/"
     "schema\",\"properties\":{\"a\":{\"items\":[{\"type\":\"string\"}],\"additionalItems\":{"
     "\"type\":\"string\"}}}}",
     "{\"a\":[\"x\",1,\"y\",2]}", 1,
     "- at '/a/0': got number, want string\n- at '/a/2': got number, want string\n"},
    {"{\"properties\":{\"m\":{\"prefixItems\":[{\"type\":\"string\"}],\"items\":false}}}",
     "{\"m\":[\"a\",1,2]}", 1, "- at '/m/0': false schema\n- at '/m/1': false schema\n"},
    {"{\"properties\":{\"a\":{\"items\":{\"type\":\"integer\"}}}}", "{\"a\":[1,\"x\",2.5]}", 1,
     "- at '/a/1': got string, want integer\n- at '/a/2': got number, want integer\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"c\":{\"additionalItems\":false}}}",
     "{\"c\":[1]}", 0, ""},
    {"{\"properties\":{\"c\":{\"uniqueItems\":true}}}", "{\"c\":[{\"a\":[1,2]},{\"a\":[1,2.0]}]}",
     1, "- at '/c': items at 0 and 1 are equal\n"},
    {"{\"properties\":{\"k\":{\"contains\":{\"type\":\"string\"}}}}", "{\"k\":[1,2]}", 1,
     "- at '/k': no items match contains schema\n  - at '/k/0': got number, want string\n  - at "
     "'/k/1': got number, want string\n"},
    {"{\"properties\":{\"a\":{\"minContains\":2,\"contains\":{\"type\":\"string\"}}}}",
     "{\"a\":[\"x\",1]}", 1,
     "- at '/a': min 2 items required to match contains schema, but matched 1 items at 0\n  - at "
     "'/a/1': got number, want string\n"},
    {"{\"properties\":{\"b\":{\"maxContains\":1,\"contains\":{\"type\":\"string\"}}}}",
     "{\"b\":[\"x\",\"y\"]}", 1,
     "- at '/b': max 1 items required to match contains schema, but matched 2 items at 0 1\n"},
    {"{\"properties\":{\"c\":{\"minContains\":2,\"contains\":{\"type\":\"string\"}}}}",
     "{\"c\":[1]}", 1,
     "- at '/c': min 2 items required to match contains schema, but none matched\n  - at '/c/0': "
     "got number, want string\n"},
    /* references */
    {"{\"$ref\":\"#/definitions/"
     "x\",\"definitions\":{\"x\":{\"properties\":{\"a\":{\"type\":\"string\"}}}}}",
     "{\"a\":1}", 1, "- at '/a': got number, want string\n"},
    {"{\"properties\":{\"b\":{\"$ref\":\"#/definitions/"
     "y\"}},\"definitions\":{\"y\":{\"properties\":{\"c\":{\"type\":\"string\"},\"d\":{\"type\":"
     "\"string\"}}}}}",
     "{\"b\":{\"c\":1,\"d\":2}}", 1,
     "- at '/b': validation failed\n  - at '/b/c': got number, want string\n  - at '/b/d': got "
     "number, want string\n"},
    {"{\"properties\":{\"q\":{\"$ref\":\"#/$defs/"
     "s\"}},\"$defs\":{\"s\":{\"type\":\"string\",\"minLength\":2}}}",
     "{\"q\":\"a\"}", 1, "- at '/q': minLength: got 1, want 2\n"},
    {"{\"properties\":{\"a\":{\"anyOf\":[{\"$ref\":\"#/$defs/"
     "s\"},{\"type\":\"integer\"}]}},\"$defs\":{\"s\":{\"type\":\"object\",\"required\":[\"k\"],"
     "\"properties\":{\"k\":{\"type\":\"string\"}}}}}",
     "{\"a\":{\"k\":1}}", 1,
     "- at '/a': 'anyOf' failed\n  - at '/a/k': got number, want string\n  - at '/a': got object, "
     "want integer\n"},
    {"{\"properties\":{\"a\":{\"allOf\":[{\"$ref\":\"#/$defs/"
     "s\"}]}},\"$defs\":{\"s\":{\"type\":\"object\",\"required\":[\"k\",\"j\"],\"properties\":{"
     "\"k\":{\"type\":\"string\"}}}}}",
     "{\"a\":{\"k\":1}}", 1,
     "- at '/a': 'allOf' failed\n  - at '/a': validation failed\n    - at '/a': missing property "
     "'j'\n    - at '/a/k': got number, want string\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/schema\",\"properties\":{\"a\":{\"$ref\":\"#/"
     "definitions/x\",\"type\":\"string\"}},\"definitions\":{\"x\":{\"minimum\":5}}}",
     "{\"a\":1}", 1, "- at '/a': minimum: got 1, want 5\n"},
    {"{\"properties\":{\"a\":{\"$ref\":\"#/$defs/"
     "x\",\"type\":\"integer\"}},\"$defs\":{\"x\":{\"type\":\"string\"}}}",
     "{\"a\":1.5}", 1, "- at '/a': got number, want integer\n"},
    {"{\"properties\":{\"a\":{\"$ref\":\"#foo\"}},\"$defs\":{\"x\":{\"$anchor\":\"foo\",\"type\":"
     "\"string\"}}}",
     "{\"a\":1}", 1, "- at '/a': got number, want string\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"$ref\":\"#foo\"}},\"definitions\":{\"x\":{\"$id\":\"#"
     "foo\",\"type\":\"string\"}}}",
     "{\"a\":1}", 1, "- at '/a': got number, want string\n"},
    {"{\"$id\":\"http://example.com/root.json\",\"properties\":{\"a\":{\"$ref\":\"http://"
     "example.com/root.json#/$defs/x\"}},\"$defs\":{\"x\":{\"type\":\"string\"}}}",
     "{\"a\":1}", 1, "- at '/a': got number, want string\n"},
    {"{\"properties\":{\"a\":{\"$ref\":\"#/properties/b\"},\"b\":{\"type\":\"string\"}}}",
     "{\"a\":1,\"b\":\"x\"}", 1, "- at '/a': got number, want string\n"},
    {"{\"properties\":{\"a\":{\"$ref\":\"#/$defs/a%20b\"}},\"$defs\":{\"a "
     "b\":{\"type\":\"string\"}}}",
     "{\"a\":1}", 1, "- at '/a': got number, want string\n"},
    {"{\"properties\":{\"tree\":{\"$ref\":\"#/$defs/"
     "node\"}},\"$defs\":{\"node\":{\"type\":\"object\",\"properties\":{\"v\":{\"type\":"
     "\"integer\"},\"kids\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/node\"}}}}}}",
     "{\"tree\":{\"v\":1,\"kids\":[{\"v\":2,\"kids\":[{\"v\":\"x\"}]}]}}", 1,
     "- at '/tree/kids/0/kids/0/v': got string, want integer\n"},
    {"{\"definitions\":{\"unused\":{\"$ref\":\"#/nope\"}}}", "{}", 0, ""},
    /* formats */
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"l\":{\"format\":\"email\"}}}",
     "{\"l\":\"notanemail\"}", 1, "- at '/l': 'notanemail' is not valid email: missing @\n"},
    {"{\"properties\":{\"l\":{\"format\":\"email\"}}}", "{\"l\":\"notanemail\"}", 0, ""},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"format\":\"date-time\"}}}",
     "{\"a\":\"1999-99-99T25:00:00Z\"}", 1,
     "- at '/a': '1999-99-99T25:00:00Z' is not valid date-time: invalid date element: parsing time "
     "\"1999-99-99\": month out of range\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"format\":\"date\"}}}",
     "{\"a\":\"2019-02-29\"}", 1,
     "- at '/a': '2019-02-29' is not valid date: parsing time \"2019-02-29\": day out of range\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"format\":\"date\"}}}",
     "{\"a\":\"x y\"}", 1,
     "- at '/a': 'x y' is not valid date: parsing time \"x y\" as \"2006-01-02\": cannot parse \"x "
     "y\" as \"2006\"\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"format\":\"time\"}}}",
     "{\"a\":\"10:00:00\"}", 1,
     "- at '/a': '10:00:00' is not valid time: less than 9 characters long\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"format\":\"hostname\"}}}",
     "{\"a\":\"a_b\"}", 1, "- at '/a': 'a_b' is not valid hostname: invalid character '_'\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"format\":\"ipv4\"}}}",
     "{\"a\":\"256.1.1.1\"}", 1,
     "- at '/a': '256.1.1.1' is not valid ipv4: decimal must be between 0 and 255\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"format\":\"ipv4\"}}}",
     "{\"a\":\"a.b.c.d\"}", 1,
     "- at '/a': 'a.b.c.d' is not valid ipv4: strconv.Atoi: parsing \"a\": invalid syntax\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"format\":\"uuid\"}}}",
     "{\"a\":\"123e4567-e89b-12d3-a456-42661417400g\"}", 1,
     "- at '/a': '123e4567-e89b-12d3-a456-42661417400g' is not valid uuid: non-hex character "
     "'g'\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"format\":\"uri\"}}}",
     "{\"a\":\"x\"}", 1, "- at '/a': 'x' is not valid uri: relative url\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"format\":\"uri-reference\"}}}",
     "{\"a\":\"1:x\"}", 1,
     "- at '/a': '1:x' is not valid uri-reference: parse \"1:x\": first path segment in URL cannot "
     "contain colon\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"format\":\"duration\"}}}",
     "{\"a\":\"P1M1Y\"}", 1, "- at '/a': 'P1M1Y' is not valid duration: unit 'Y' out of order\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"format\":\"json-pointer\"}}}",
     "{\"a\":\"/a~2\"}", 1,
     "- at '/a': '/a~2' is not valid json-pointer: ~ must be followed by 0 or 1\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"format\":\"ipv6\"}}}",
     "{\"a\":\"1.2.3.4\"}", 1, "- at '/a': '1.2.3.4' is not valid ipv6: missing colon\n"},
    /* broken schemas */
    {"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"strin\"}}}", "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/properties/a': 'allOf' failed\n    - at '/properties/a/type': 'anyOf' failed\n      - at "
     "'/properties/a/type': value must be one of 'array', 'boolean', 'integer', 'null', 'number', "
     "'object', 'string'\n      - at '/properties/a/type': got string, want array"},
    {"{\"properties\":{\"a\":{\"minimum\":\"x\"}}}", "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/properties/a': 'allOf' failed\n    - at '/properties/a/minimum': got string, want number"},
    {"{\"properties\":{\"a\":{\"items\":[{\"type\":\"string\"}]}}}", "{\"a\":[1]}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/properties/a': 'allOf' failed\n    - at '/properties/a/items': got array, want boolean or "
     "object"},
    {"{\"properties\":{\"a\":{\"required\":\"x\"}}}", "{\"a\":{}}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/properties/a': 'allOf' failed\n    - at '/properties/a/required': got string, want array"},
    {"{\"properties\":{\"a\":{\"allOf\":[]}}}", "{\"a\":{}}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/properties/a': 'allOf' failed\n    - at '/properties/a/allOf': minItems: got 0, want 1"},
    {"{\"properties\":{\"a\":[1]}}", "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/properties/a': got array, want boolean or object"},
    {"{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"properties\":{\"a\":true}}",
     "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'http://json-schema.org/draft-04/schema#'\n- at '/properties/a': got boolean, "
     "want object"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"e\":{\"minimum\":\"x\"}}}",
     "{}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'http://json-schema.org/draft-07/schema#'\n- at '/properties/e/minimum': got "
     "string, want number"},
    {"{\"minLength\":-1}", "{}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/minLength': minimum: got -1, want 0"},
    {"{\"multipleOf\":0}", "{}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/multipleOf': exclusiveMinimum: got 0, want 0"},
    {"{\"properties\":{\"a\":{\"$ref\":\"#/definitions/nope\"}}}", "{\"a\":1}", -1,
     "json-pointer in \"file:///values.schema.json#/definitions/nope\" not found"},
    {"{\"properties\":{\"a\":{\"additionalItems\":false,\"$schema\":\"x\"}}}", "{}", -1,
     "failing loading \"x\": no URLLoader registered for \"x\""},
    /* reference cycles */
    {"{\"$ref\":\"#/$defs/a\",\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},\"b\":{\"$ref\":\"#/$defs/"
     "a\"}}}",
     "{}", 1,
     "- at '': both /$ref/$ref/$ref and /$ref resolve to \"file:///values.schema.json#/$defs/a\" "
     "causing reference cycle\n"},
    {"{\"properties\":{\"x\":{\"allOf\":[{\"$ref\":\"#/properties/x\"}]}}}", "{\"x\":1}", 1,
     "- at '/x': 'allOf' failed\n  - at '/x': both /properties/x/allOf/0/$ref and /properties/x "
     "resolve to \"file:///values.schema.json#/properties/x\" causing reference cycle\n"},
    {"{\"anyOf\":[{\"$ref\":\"#\"}]}", "{}", 1,
     "- at '': 'anyOf' failed\n  - at '': both /anyOf/0/$ref and  resolve to "
     "\"file:///values.schema.json#\" causing reference cycle\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"properties\":{\"x\":{\"$ref\":\"#/"
     "definitions/d\"}},\"definitions\":{\"d\":{\"not\":{\"$ref\":\"#/definitions/d\"}}}}",
     "{\"x\":1}", 0, ""},
    {"{\"properties\":{\"tree\":{\"$ref\":\"#/$defs/"
     "node\"}},\"$defs\":{\"node\":{\"type\":\"object\",\"properties\":{\"kids\":{\"type\":"
     "\"array\",\"items\":{\"$ref\":\"#/$defs/node\"}}}}}}",
     "{\"tree\":{\"kids\":[{\"kids\":[{\"kids\":1}]}]}}", 1,
     "- at '/tree/kids/0/kids/0/kids': got number, want array\n"},
    /* regexps (Go syntax) */
    {"{\"properties\":{\"a\":{\"pattern\":\"[a-\"}}}", "{\"a\":\"x\"}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/properties/a': 'allOf' failed\n    - at '/properties/a/pattern': '[a-' is not valid regex: "
     "error parsing regexp: missing closing ]: `[a-`"},
    {"{\"properties\":{\"a\":{\"patternProperties\":{\"[a-\":{}}}}}", "{\"a\":{}}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/properties/a': 'allOf' failed\n    - at '': invalid propertyName '[a-'\n      - at '': "
     "'[a-' is not valid regex: error parsing regexp: missing closing ]: `[a-`"},
    {"{\"properties\":{\"a\":{\"pattern\":\"(?i)abc\"}}}", "{\"a\":\"x\"}", 1,
     "- at '/a': 'x' does not match pattern '(?i)abc'\n"},
    {"{\"properties\":{\"a\":{\"pattern\":\"\\\\bfoo\\\\b\"},\"b\":{\"pattern\":\"^\\\\p{L}+$\"},"
     "\"c\":{\"pattern\":\"^a.*?b$\"}}}",
     "{\"a\":\"xfoox\",\"b\":\"é1\",\"c\":\"a\\nb\"}", 1,
     "- at '/a': 'xfoox' does not match pattern '\\\\bfoo\\\\b'\n- at '/b': 'é1' does not match "
     "pattern '^\\\\p{L}+$'\n- at '/c': 'a\\nb' does not match pattern '^a.*?b$'\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"format\":\"regex\"}}}",
     "{\"a\":\"(x\"}", 1,
     "- at '/a': '(x' is not valid regex: error parsing regexp: missing closing ): `(x`\n"},
    {"{\"properties\":{\"a\":{\"pattern\":\"a(?=b)\"}}}", "{\"a\":\"x\"}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/properties/a': 'allOf' failed\n    - at '/properties/a/pattern': 'a(?=b)' is not valid "
     "regex: error parsing regexp: invalid or unsupported Perl syntax: `(?=`"},
    /* $schema */
    {"{\"$schema\":\"http://json-schema.org/"
     "schema#\",\"properties\":{\"a\":{\"type\":\"string\",\"format\":\"email\"}}}",
     "{\"a\":\"x\"}", 0, ""},
    {"{\"$schema\":\"https://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"type\":\"string\",\"format\":\"email\"}}}",
     "{\"a\":\"x\"}", 1, "- at '/a': 'x' is not valid email: missing @\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema\",\"properties\":{\"a\":{\"type\":\"string\",\"format\":\"email\"}}}",
     "{\"a\":\"x\"}", 1, "- at '/a': 'x' is not valid email: missing @\n"},
    {"{\"$schema\":\"http://json-schema.org/draft/2020-12/"
     "schema\",\"properties\":{\"a\":{\"type\":\"string\",\"format\":\"email\"}}}",
     "{\"a\":\"x\"}", 0, ""},
    /* a chart-like schema, annotations, broken keyword shapes */
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"title\":\"Values\",\"description\":\"d\",\"type\":\"object\",\"properties\":{"
     "\"replicaCount\":{\"type\":\"integer\",\"default\":1,\"title\":\"R\",\"examples\":[1],\"$"
     "comment\":\"c\",\"readOnly\":true,\"form\":true,\"nullable\":true},\"image\":{\"type\":"
     "\"object\",\"properties\":{\"repository\":{\"type\":\"string\"},\"tag\":{\"type\":["
     "\"string\",\"null\"]},\"pullPolicy\":{\"type\":\"string\",\"enum\":[\"Always\","
     "\"IfNotPresent\",\"Never\"]}},\"required\":[\"repository\"]},\"resources\":{\"type\":"
     "\"object\",\"additionalProperties\":true},\"ingress\":{\"type\":\"object\",\"properties\":{"
     "\"enabled\":{\"type\":\"boolean\"},\"hosts\":{\"type\":\"array\",\"items\":{\"type\":"
     "\"object\",\"properties\":{\"host\":{\"type\":\"string\",\"format\":\"hostname\"},\"paths\":{"
     "\"type\":\"array\",\"minItems\":1,\"items\":{\"type\":\"object\",\"required\":[\"path\"],"
     "\"properties\":{\"path\":{\"type\":\"string\",\"pattern\":\"^/"
     "\"},\"pathType\":{\"enum\":[\"Prefix\",\"Exact\",\"ImplementationSpecific\"]}}}}}}}}}}}",
     "{\"replicaCount\":\"2\",\"image\":{\"tag\":1,\"pullPolicy\":\"always\"},\"resources\":{"
     "\"limits\":{\"cpu\":\"1\"}},\"ingress\":{\"enabled\":\"yes\",\"hosts\":[{\"host\":\"my_"
     "host\",\"paths\":[]},{\"host\":\"ok.example.com\",\"paths\":[{\"path\":\"api\",\"pathType\":"
     "\"Other\"},{}]}]}}",
     1,
     "- at '/image': validation failed\n  - at '/image': missing property 'repository'\n  - at "
     "'/image/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'\n  - at "
     "'/image/tag': got number, want null or string\n- at '/ingress': validation failed\n  - at "
     "'/ingress/enabled': got string, want boolean\n  - at '/ingress/hosts': validation failed\n   "
     " - at '/ingress/hosts/0': validation failed\n      - at '/ingress/hosts/0/host': 'my_host' "
     "is not valid hostname: invalid character '_'\n      - at '/ingress/hosts/0/paths': minItems: "
     "got 0, want 1\n    - at '/ingress/hosts/1/paths': validation failed\n      - at "
     "'/ingress/hosts/1/paths/0': validation failed\n        - at '/ingress/hosts/1/paths/0/path': "
     "'api' does not match pattern '^/'\n        - at '/ingress/hosts/1/paths/0/pathType': value "
     "must be one of 'Prefix', 'Exact', 'ImplementationSpecific'\n      - at "
     "'/ingress/hosts/1/paths/1': missing property 'path'\n- at '/replicaCount': got string, want "
     "integer\n"},
    {"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"object\",\"additionalProperties\":{"
     "\"type\":\"object\",\"properties\":{\"b\":{\"type\":\"integer\"}}}}}}",
     "{\"a\":{\"x\":{\"b\":\"s\"},\"y\":{\"b\":2},\"z\":{\"b\":1.5}}}", 1,
     "- at '/a/x/b': got string, want integer\n- at '/a/z/b': got number, want integer\n"},
    {"{\"properties\":{\"a\":{\"type\":[]}}}", "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/properties/a': 'allOf' failed\n    - at '/properties/a/type': 'anyOf' failed\n      - at "
     "'/properties/a/type': value must be one of 'array', 'boolean', 'integer', 'null', 'number', "
     "'object', 'string'\n      - at '/properties/a/type': minItems: got 0, want 1"},
    {"{\"properties\":{\"a\":{\"enum\":[]}}}", "{\"a\":1}", 1,
     "- at '/a': value must be one of \n"},
    {"{\"$schema\":\"http://json-schema.org/draft-04/"
     "schema#\",\"properties\":{\"a\":{\"enum\":[]}}}",
     "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'http://json-schema.org/draft-04/schema#'\n- at '/properties/a/enum': minItems: "
     "got 0, want 1"},
    {"{\"properties\":{\"a\":{\"type\":[]}}}", "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/properties/a': 'allOf' failed\n    - at '/properties/a/type': 'anyOf' failed\n      - at "
     "'/properties/a/type': value must be one of 'array', 'boolean', 'integer', 'null', 'number', "
     "'object', 'string'\n      - at '/properties/a/type': minItems: got 0, want 1"},
    {"{\"properties\":{\"a\":{\"type\":[\"string\",\"bogus\"]}}}", "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/properties/a': 'allOf' failed\n    - at '/properties/a/type': 'anyOf' failed\n      - at "
     "'/properties/a/type': value must be one of 'array', 'boolean', 'integer', 'null', 'number', "
     "'object', 'string'\n      - at '/properties/a/type/1': value must be one of 'array', "
     "'boolean', 'integer', 'null', 'number', 'object', 'string'"},
    {"{\"properties\":{\"a\":{\"type\":5}}}", "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/properties/a': 'allOf' failed\n    - at '/properties/a/type': 'anyOf' failed\n      - at "
     "'/properties/a/type': value must be one of 'array', 'boolean', 'integer', 'null', 'number', "
     "'object', 'string'\n      - at '/properties/a/type': got number, want array"},
    {"{\"properties\":{\"a\":{\"type\":[\"string\",\"string\"]}}}", "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/properties/a': 'allOf' failed\n    - at '/properties/a/type': 'anyOf' failed\n      - at "
     "'/properties/a/type': value must be one of 'array', 'boolean', 'integer', 'null', 'number', "
     "'object', 'string'\n      - at '/properties/a/type': items at 0 and 1 are equal"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"type\":\"bogus\"}}}",
     "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'http://json-schema.org/draft-07/schema#'\n- at '/properties/a/type': 'anyOf' "
     "failed\n  - at '/properties/a/type': value must be one of 'array', 'boolean', 'integer', "
     "'null', 'number', 'object', 'string'\n  - at '/properties/a/type': got string, want array"},
    {"{\"properties\":{\"a\":{\"type\":[5]}}}", "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/properties/a': 'allOf' failed\n    - at '/properties/a/type': 'anyOf' failed\n      - at "
     "'/properties/a/type': value must be one of 'array', 'boolean', 'integer', 'null', 'number', "
     "'object', 'string'\n      - at '/properties/a/type/0': value must be one of 'array', "
     "'boolean', 'integer', 'null', 'number', 'object', 'string'"},
    {"{\"$schema\":\"http://json-schema.org/draft-06/"
     "schema#\",\"properties\":{\"a\":{\"enum\":[]}}}",
     "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'http://json-schema.org/draft-06/schema#'\n- at '/properties/a/enum': minItems: "
     "got 0, want 1"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"enum\":[]}}}",
     "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'http://json-schema.org/draft-07/schema#'\n- at '/properties/a/enum': minItems: "
     "got 0, want 1"},
    {"{\"$schema\":\"http://json-schema.org/draft-04/"
     "schema#\",\"properties\":{\"a\":{\"required\":[]}}}",
     "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'http://json-schema.org/draft-04/schema#'\n- at '/properties/a/required': "
     "minItems: got 0, want 1"},
    {"{\"properties\":{\"a\":{\"enum\":[1,1]}}}", "{\"a\":1}", 0, ""},
    {"{\"properties\":{\"a\":{\"enum\":[]}}}", "{\"a\":1}", 1,
     "- at '/a': value must be one of \n"},
    {"{\"$schema\":\"http://json-schema.org/draft-04/"
     "schema#\",\"properties\":{\"a\":{\"enum\":[1,1.0]}}}",
     "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'http://json-schema.org/draft-04/schema#'\n- at '/properties/a/enum': items at 0 "
     "and 1 are equal"},
    {"{\"properties\":{\"a\":{\"required\":[\"x\",\"x\"]}}}", "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/properties/a': 'allOf' failed\n    - at '/properties/a/required': items at 0 and 1 are "
     "equal"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"required\":[\"x\",1]}}}",
     "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'http://json-schema.org/draft-07/schema#'\n- at '/properties/a/required/1': got "
     "number, want string"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"dependencies\":{\"b\":[\"c\",\"c\"]}}}}",
     "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'http://json-schema.org/draft-07/schema#'\n- at '/properties/a/dependencies/b': "
     "'anyOf' failed\n  - at '/properties/a/dependencies/b': got array, want boolean or object\n  "
     "- at '/properties/a/dependencies/b': items at 0 and 1 are equal"},
    {"{\"properties\":{\"a\":{\"dependencies\":{\"b\":[\"c\",1]}}}}", "{\"a\":1}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/properties/a/dependencies/b': 'anyOf' failed\n    - at '/properties/a/dependencies/b': got "
     "array, want boolean or object\n    - at '/properties/a/dependencies/b/1': got number, want "
     "string"},
    /* references to this file by name, dependency lists */
    {"{\"properties\":{\"a\":{\"$ref\":\"./values.schema.json#/$defs/"
     "x\"},\"b\":{\"$ref\":\"values.schema.json#/$defs/"
     "x\"}},\"$defs\":{\"x\":{\"type\":\"string\"}}}",
     "{\"a\":1,\"b\":2}", 1,
     "- at '/a': got number, want string\n- at '/b': got number, want string\n"},
    {"{\"properties\":{\"a\":{\"dependentRequired\":{\"x\":\"y\"}}}}", "{}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/properties/a': 'allOf' failed\n    - at '/properties/a/dependentRequired/x': got string, "
     "want array"},
    {"{\"properties\":{\"a\":{\"dependencies\":{\"x\":[\"y\"]},\"dependentRequired\":{\"x\":[\"y\","
     "\"y\"]}}}}",
     "{}", -1,
     "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation "
     "failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at "
     "'/properties/a': 'allOf' failed\n    - at '/properties/a/dependentRequired/x': items at 0 "
     "and 1 are equal"},
    /* unevaluatedProperties, unevaluatedItems */
    {"{\"properties\":{\"a\":{\"properties\":{\"x\":{}},\"unevaluatedProperties\":false}}}",
     "{\"a\":{\"x\":1,\"y\":2,\"z\":3}}", 1,
     "- at '/a/y': false schema\n- at '/a/z': false schema\n"},
    {"{\"properties\":{\"a\":{\"allOf\":[{\"properties\":{\"x\":{}}}],\"unevaluatedProperties\":"
     "false}}}",
     "{\"a\":{\"x\":1,\"y\":2}}", 1, "- at '/a/y': false schema\n"},
    {"{\"properties\":{\"a\":{\"anyOf\":[{\"properties\":{\"x\":{\"type\":\"string\"}}},{"
     "\"properties\":{\"y\":{}}}],\"unevaluatedProperties\":false}}}",
     "{\"a\":{\"x\":1,\"y\":2}}", 1, "- at '/a/x': false schema\n"},
    {"{\"properties\":{\"a\":{\"$ref\":\"#/$defs/"
     "base\",\"properties\":{\"z\":{}},\"unevaluatedProperties\":{\"type\":\"string\"}}},\"$defs\":"
     "{\"base\":{\"properties\":{\"x\":{}}}}}",
     "{\"a\":{\"x\":1,\"y\":2,\"z\":3,\"w\":\"s\"}}", 1, "- at '/a/y': got number, want string\n"},
    {"{\"properties\":{\"a\":{\"if\":{\"properties\":{\"k\":{\"const\":\"a\"}}},\"then\":{"
     "\"properties\":{\"v\":{}}},\"unevaluatedProperties\":false}}}",
     "{\"a\":{\"k\":\"a\",\"v\":1,\"q\":2}}", 1, "- at '/a/q': false schema\n"},
    {"{\"properties\":{\"a\":{\"if\":{\"properties\":{\"k\":{\"const\":\"a\"}}},\"then\":{"
     "\"properties\":{\"v\":{}}},\"unevaluatedProperties\":false}}}",
     "{\"a\":{\"k\":\"b\",\"v\":1}}", 1, "- at '/a/k': false schema\n- at '/a/v': false schema\n"},
    {"{\"properties\":{\"a\":{\"prefixItems\":[{}],\"unevaluatedItems\":false}}}",
     "{\"a\":[1,2,3]}", 1, "- at '/a/1': false schema\n- at '/a/2': false schema\n"},
    {"{\"properties\":{\"a\":{\"contains\":{\"type\":\"string\"},\"unevaluatedItems\":{\"type\":"
     "\"integer\"}}}}",
     "{\"a\":[\"x\",1,2.5]}", 1, "- at '/a/2': got number, want integer\n"},
    {"{\"properties\":{\"a\":{\"patternProperties\":{\"^x\":{}},\"unevaluatedProperties\":false}}}",
     "{\"a\":{\"xa\":1,\"b\":2}}", 1, "- at '/a/b': false schema\n"},
    {"{\"properties\":{\"a\":{\"additionalProperties\":true,\"unevaluatedProperties\":false}}}",
     "{\"a\":{\"xa\":1,\"b\":2}}", 0, ""},
    {"{\"properties\":{\"a\":{\"dependentSchemas\":{\"x\":{\"properties\":{\"y\":{}}}},"
     "\"unevaluatedProperties\":false}}}",
     "{\"a\":{\"x\":1,\"y\":2}}", 1, "- at '/a/x': false schema\n"},
    {"{\"$schema\":\"https://json-schema.org/draft/2019-09/"
     "schema\",\"properties\":{\"a\":{\"items\":[{}],\"unevaluatedItems\":false}}}",
     "{\"a\":[1,2]}", 1, "- at '/a/1': false schema\n"},
    {"{\"$schema\":\"http://json-schema.org/draft-07/"
     "schema#\",\"properties\":{\"a\":{\"unevaluatedProperties\":false}}}",
     "{\"a\":{\"x\":1}}", 0, ""},
    {"{\"properties\":{\"a\":{\"oneOf\":[{\"properties\":{\"x\":{\"type\":\"integer\"}},"
     "\"required\":[\"x\"]},{\"properties\":{\"y\":{}},\"required\":[\"y\"]}],"
     "\"unevaluatedProperties\":false}}}",
     "{\"a\":{\"x\":1,\"z\":2}}", 1, "- at '/a/z': false schema\n"},
    {"{\"properties\":{\"a\":{\"not\":{\"not\":{\"properties\":{\"x\":{}}}},"
     "\"unevaluatedProperties\":false}}}",
     "{\"a\":{\"x\":1}}", 1, "- at '/a/x': false schema\n"},
};

static void test_cases(void)
{
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *s = cJSON_Parse(cases[i].schema), *vj = cJSON_Parse(cases[i].values);
        struct dk_val *v = dk_val_from_json(vj);
        struct dk_buf out = DK_BUF_INIT;
        struct dk_err err = DK_ERR_INIT;
        int rc = dk_jsonschema_validate(s, v, &out, &err);

        is_int(rc, cases[i].rc, "jsonschema: %s against %s gives %d", cases[i].schema,
               cases[i].values, cases[i].rc);
        if (rc < 0) {
            is_str(err.msg, cases[i].want, "jsonschema: broken schema %s: message",
                   cases[i].schema);
            ok(err.code == DK_E_INPUT && out.len == 0, "jsonschema: broken schema is bad input");
        } else {
            is_str(out.buf, cases[i].want, "jsonschema: %s against %s: lines", cases[i].schema,
                   cases[i].values);
        }
        dk_buf_release(&out);
        dk_val_unref(v);
        cJSON_Delete(s);
        cJSON_Delete(vj);
    }
}

/* Values from --set are int64: they are numbers, and integers. */
static void test_int_values(void)
{
    cJSON *s = cJSON_Parse("{\"properties\":{\"n\":{\"type\":\"integer\",\"maximum\":3},"
                           "\"s\":{\"type\":\"string\"}}}");
    struct dk_val *v = dk_val_map();
    struct dk_buf out = DK_BUF_INIT;
    struct dk_err err = DK_ERR_INIT;

    dk_val_map_set(v, "n", dk_val_int(1234567));
    dk_val_map_set(v, "s", dk_val_int(5));
    is_int(dk_jsonschema_validate(s, v, &out, &err), 1, "jsonschema: int64 values are checked");
    is_str(out.buf,
           "- at '/n': maximum: got 1.234567×10⁰⁶, want 3\n- at '/s': got number, want string\n",
           "jsonschema: an int64 is a number and an integer");
    dk_buf_reset(&out);
    dk_val_map_set(v, "n", dk_val_int(3));
    dk_val_map_set(v, "s", dk_val_str("x"));
    is_int(dk_jsonschema_validate(s, v, &out, &err), 0,
           "jsonschema: int64 3 passes integer, maximum 3");
    ok(out.len == 0, "jsonschema: nothing written when valid");
    dk_buf_release(&out);
    dk_val_unref(v);
    cJSON_Delete(s);
}

/* Output is appended; a missing values tree is null. */
static void test_append(void)
{
    cJSON *s = cJSON_Parse("{\"type\":\"object\"}");
    struct dk_buf out = DK_BUF_INIT;
    struct dk_err err = DK_ERR_INIT;

    dk_buf_add(&out, "c:\n");
    is_int(dk_jsonschema_validate(s, NULL, &out, &err), 1, "jsonschema: NULL values are null");
    is_str(out.buf, "c:\n- at '': got null, want object\n", "jsonschema: lines are appended");
    dk_buf_release(&out);
    cJSON_Delete(s);
}

/* What dk cannot do is said, never passed silently. */
static void test_refused(void)
{
    static const char *const schemas[] = {
        "{\"properties\":{\"a\":{\"$ref\":\"https://example.com/s.json\"}}}",
        "{\"properties\":{\"a\":{\"$ref\":\"other.json#/x\"}}}",
        "{\"$schema\":\"https://example.com/meta#\"}",
        "[1]",
    };
    static const char *const msgs[] = {
        "failing loading \"https://example.com/s.json\": dk does not load remote schemas",
        "failing loading \"file:///other.json\": open /other.json: no such file or directory",
        "failing loading \"https://example.com/meta\": dk does not load remote schemas",
        "\"file:///values.schema.json#\" is not valid against metaschema: at '': got array, want "
        "boolean or object",
    };
    size_t i;

    for (i = 0; i < sizeof schemas / sizeof schemas[0]; i++) {
        cJSON *s = cJSON_Parse(schemas[i]);
        struct dk_val *v = dk_val_map();
        struct dk_buf out = DK_BUF_INIT;
        struct dk_err err = DK_ERR_INIT;

        is_int(dk_jsonschema_validate(s, v, &out, &err), -1, "jsonschema: %s is refused",
               schemas[i]);
        is_str(err.msg, msgs[i], "jsonschema: %s: message", schemas[i]);
        dk_buf_release(&out);
        dk_val_unref(v);
        cJSON_Delete(s);
    }
}

/* A urn: reference is a permissive schema, as Helm's URN loader makes it. */
static void test_urn(void)
{
    cJSON *s = cJSON_Parse("{\"properties\":{\"a\":{\"$ref\":\"urn:x:y\"}}}");
    struct dk_val *v = dk_val_map();
    struct dk_buf out = DK_BUF_INIT;
    struct dk_err err = DK_ERR_INIT;

    dk_val_map_set(v, "a", dk_val_int(1));
    is_int(dk_jsonschema_validate(s, v, &out, &err), 0,
           "jsonschema: urn: references accept anything");
    dk_buf_release(&out);
    dk_val_unref(v);
    cJSON_Delete(s);
}

int main(void)
{
    test_cases();
    test_int_values();
    test_append();
    test_refused();
    test_urn();
    return tap_done();
}
