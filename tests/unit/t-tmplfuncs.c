/* Unit tests for common/tmplfuncs.c. Expected outputs of the table were taken from Helm v4
 * (`helm template`, each case's output passed through b64enc before Helm removes
 * "<no value>", so the table keeps that text as the engine prints it). Expected errors are
 * substrings of Helm's messages. */
#include "dk/tmplfuncs.h"

#include <stdlib.h>
#include <string.h>

#include "dk/json.h"
#include "tap.h"
#include "tmplrun.h"

static const char values[] =
    "{\"s\":\"hello "
    "world\",\"n\":14400,\"big\":1000000,\"f\":2.7,\"e\":\"\",\"z\":0,\"b\":true,\"l\":[\"b\","
    "\"a\",\"b\",null,\"\"],\"m\":{\"a\":1,\"b\":{\"c\":\"x\"}},\"y\":\"yes\",\"ml\":"
    "\"line1\\nline2\",\"num\":\"0x1F\",\"neg\":-3.5,\"nested\":{\"k\":[\"v1\",{\"x\":\"a: "
    "b\"}],\"t\":true,\"q\":\"123\",\"e\":{},\"el\":[]},\"tplv\":\"{{ .Values.s | upper "
    "}}\",\"html\":\"<a&b>\",\"jsonstr\":\"{\\\"a\\\":[1,2],\\\"b\\\":null}\",\"yamlstr\":\"a: "
    "1\\nb:\\n- x\\n- "
    "'y'\\n\",\"edge\":{\"n\":\"n\",\"on\":\"on\",\"t\":\"tab\\tx\",\"crlf\":\"a\\r\\nb\","
    "\"trail\":\"x  \\ny\",\"colon\":\"a: b\",\"hash\":\"#x\",\"lead\":\" "
    "lead\",\"star\":\"*x\",\"dash\":\"- "
    "x\",\"nl\":\"a\\nb\\n\",\"nl2\":\"a\\n\\n\",\"long\":\"word word word word word word word "
    "word word word word word word word word word word word word word word word word word word "
    "end\",\"float\":1.5,\"bigf\":12345678901234567890,\"neg\":-0.25,\"null\":null,\"date\":\"2024-"
    "01-02\",\"num\":\"1e3\",\"tilde\":\"~\",\"empty\":\"\",\"lst\":[[1,2],{\"a\":[]}],\"ustr\":"
    "\"caf\\\\u00e9\"}}";

static const struct tcase {
    const char *tmpl, *want, *err;
} cases[] = {
    {"{{ define \"inc\" }}[{{ .a }}]{{ end }}{{ include \"inc\" (dict \"a\" \"x\") | upper }}",
     "[X]", NULL},
    {"{{ tpl .Values.tplv . }}", "HELLO WORLD", NULL},
    {"{{ tpl \"{{ define \\\"tx\\\" }}T{{ end }}{{ include \\\"tx\\\" . }}{{ .Values.n }}\" . }}",
     "T14400", NULL},
    {"{{ required \"need s\" .Values.s }}", "hello world", NULL},
    {"{{ required \"need z\" .Values.z }}", "0", NULL},
    {"{{ toYaml .Values.nested }}", "e: {}\nel: []\nk:\n- v1\n- x: 'a: b'\nq: \"123\"\nt: true",
     NULL},
    {"{{ toYaml .Values.m | nindent 2 }}", "\n  a: 1\n  b:\n    c: x", NULL},
    {"{{ toYaml .Values.edge }}",
     "bigf: 12345678901234567000\ncolon: 'a: b'\ncrlf: \"a\\r\\nb\"\ndash: '- x'\ndate: "
     "\"2024-01-02\"\nempty: \"\"\nfloat: 1.5\nhash: '#x'\nlead: ' lead'\nlong: word word word "
     "word word word word word word word word word word word word word\n  word word word word word "
     "word word word word end\nlst:\n- - 1\n  - 2\n- a: []\n\"n\": \"n\"\nneg: -0.25\nnl: |\n  a\n "
     " b\nnl2: |+\n  a\n\n\"null\": null\nnum: \"1e3\"\n\"on\": \"on\"\nstar: '*x'\nt: "
     "\"tab\\tx\"\ntilde: \"~\"\ntrail: \"x  \\ny\"\nustr: caf\\u00e9",
     NULL},
    {"{{ toJson .Values.edge }}",
     "{\"bigf\":12345678901234567000,\"colon\":\"a: b\",\"crlf\":\"a\\r\\nb\",\"dash\":\"- "
     "x\",\"date\":\"2024-01-02\",\"empty\":\"\",\"float\":1.5,\"hash\":\"#x\",\"lead\":\" "
     "lead\",\"long\":\"word word word word word word word word word word word word word word word "
     "word word word word word word word word word word "
     "end\",\"lst\":[[1,2],{\"a\":[]}],\"n\":\"n\",\"neg\":-0.25,\"nl\":\"a\\nb\\n\",\"nl2\":"
     "\"a\\n\\n\",\"null\":null,\"num\":\"1e3\",\"on\":\"on\",\"star\":\"*x\",\"t\":\"tab\\tx\","
     "\"tilde\":\"~\",\"trail\":\"x  \\ny\",\"ustr\":\"caf\\\\u00e9\"}",
     NULL},
    {"[{{ toYaml .Values.big }}|{{ toYaml .Values.e }}|{{ toYaml .Values.nope }}|{{ toYaml "
     ".Values.l }}|{{ toYaml .Values.y }}]",
     "[1000000|\"\"|null|- b\n- a\n- b\n- null\n- \"\"|\"yes\"]", NULL},
    {"{{ toYaml .Values.ml }}", "|-\n  line1\n  line2", NULL},
    {"{{ $d := fromYaml .Values.yamlstr }}{{ $d.a }} {{ index $d.b 1 }} {{ kindOf $d.a }}",
     "1 y float64", NULL},
    {"{{ fromYaml \"- a\" }}",
     "map[Error:error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go "
     "value of type map[string]interface {}]",
     NULL},
    {"{{ fromYaml \"\" }}", "map[]", NULL},
    {"{{ hasKey (fromYaml \":x: [\") \"Error\" }}", "true", NULL},
    {"{{ toJson .Values.nested }}|{{ toJson .Values.html }}|{{ toJson .Values.big }}|{{ toJson "
     ".Values.f }}",
     "{\"e\":{},\"el\":[],\"k\":[\"v1\",{\"x\":\"a: "
     "b\"}],\"q\":\"123\",\"t\":true}|\"\\u003ca\\u0026b\\u003e\"|1000000|2.7",
     NULL},
    {"{{ $d := fromJson .Values.jsonstr }}{{ index $d.a 1 }} {{ $d.b }} {{ toJson $d }}",
     "2 <no value> {\"a\":[1,2],\"b\":null}", NULL},
    {"{{ fromJson \"[1]\" }} {{ fromJson \"\" | toJson }}",
     "map[Error:json: cannot unmarshal array into Go value of type map[string]interface {}] "
     "{\"Error\":\"unexpected end of JSON input\"}",
     NULL},
    {"{{ toPrettyJson .Values.m }}{{ toPrettyJson (list .Values.html \"\\u2028\") }}",
     "{\n  \"a\": 1,\n  \"b\": {\n    \"c\": \"x\"\n  }\n}[\n  \"\\u003ca\\u0026b\\u003e\",\n  "
     "\"\\u2028\"\n]",
     NULL},
    {"{{ toRawJson .Values.html }} {{ toRawJson .Values.m }}",
     "\"<a&b>\" {\"a\":1,\"b\":{\"c\":\"x\"}}", NULL},
    {"[{{ default \"d\" .Values.e }}|{{ default \"d\" .Values.s }}|{{ default 5 .Values.z }}|{{ "
     ".Values.nope | default \"x\" }}|{{ default \"d\" .Values.b }}|{{ default \"d\" "
     ".Values.nested.e }}|{{ default \"d\" \"0\" }}]",
     "[d|hello world|5|x|true|d|0]", NULL},
    {"[{{ empty .Values.e }}|{{ empty .Values.z }}|{{ empty \"0\" }}|{{ empty .Values.nested.el "
     "}}|{{ empty .Values.m }}|{{ empty nil }}|{{ empty false }}]",
     "[true|true|false|true|false|true|true]", NULL},
    {"[{{ coalesce .Values.e .Values.z \"c\" }}|{{ coalesce .Values.nope .Values.n }}|{{ coalesce "
     ".Values.e }}]",
     "[c|14400|<no value>]", NULL},
    {"[{{ ternary \"yes\" \"no\" true }}|{{ ternary \"yes\" \"no\" .Values.b }}|{{ false | ternary "
     "1 2 }}]",
     "[yes|yes|2]", NULL},
    {"[{{ quote .Values.s }}|{{ quote .Values.big }}|{{ quote .Values.n }}|{{ quote "
     "\"a\\\"b\\\\\\tc\\n\" }}|{{ quote .Values.nope }}|{{ quote 1 nil \"x\" }}|{{ .Values.b | "
     "quote }}]",
     "[\"hello world\"|\"1e+06\"|\"14400\"|\"a\\\"b\\\\\\tc\\n\"||\"1\" \"x\"|\"true\"]", NULL},
    {"[{{ squote .Values.s }}|{{ squote 1.5 }}|{{ squote nil }}]", "['hello world'|'1.5'|]", NULL},
    {"[{{ trim \"  a b \\n\" }}|{{ trimAll \"$-\" \"$-a-b$$\" }}|{{ trimSuffix \"-\" \"name-\" "
     "}}|{{ trimPrefix \"v\" \"v1.2\" }}|{{ trimSuffix \"x\" \"name\" }}]",
     "[a b|a-b|name|1.2|name]", NULL},
    {"[{{ upper \"aBc1\" }}|{{ lower \"AbC\" }}|{{ title \"hello world-foo_bar it's\" }}]",
     "[ABC1|abc|Hello World-Foo_bar It'S]", NULL},
    {"[{{ replace \"l\" \"L\" .Values.s }}|{{ replace \"\" \"-\" \"ab\" }}|{{ \"a.b.c\" | replace "
     "\".\" \"-\" }}]",
     "[heLLo worLd|-a-b-|a-b-c]", NULL},
    {"[{{ contains \"lo w\" .Values.s }}|{{ contains \"x\" \"abc\" }}|{{ hasPrefix \"he\" "
     ".Values.s }}|{{ hasSuffix \"ld\" .Values.s }}|{{ hasPrefix \"x\" \"\" }}]",
     "[true|false|true|true|false]", NULL},
    {"[{{ trunc 5 .Values.s }}|{{ trunc -5 .Values.s }}|{{ trunc 63 \"short\" }}|{{ trunc -20 "
     "\"short\" }}|{{ trunc 0 \"x\" }}]",
     "[hello|world|short|short|]", NULL},
    {"[{{ \"a\\nb\" | nindent 4 }}|{{ indent 2 \"x\\ny\\n\" }}|{{ indent 0 \"z\" }}]",
     "[\n    a\n    b|  x\n  y\n  |z]", NULL},
    {"[{{ cat \"a\" 1 nil .Values.f .Values.l }}|{{ cat }}]", "[a 1 2.7 [b a b <nil> ]|]", NULL},
    {"[{{ printf \"%s-%d\" \"a\" 3 }}|{{ repeat 3 \"ab\" }}|{{ repeat 0 \"x\" }}]", "[a-3|ababab|]",
     NULL},
    {"[{{ substr 1 3 \"hello\" }}|{{ substr 2 -1 \"hello\" }}|{{ substr 0 99 \"hi\" }}]",
     "[el|llo|hi]", NULL},
    {"[{{ $p := split \".\" \"a.b.c\" }}{{ $p._1 }}|{{ splitList \",\" \"x,,y\" }}|{{ len "
     "(splitList \",\" \"\") }}|{{ split \"\" \"ab\" }}]",
     "[b|[x  y]|1|map[_0:a _1:b]]", NULL},
    {"[{{ join \"-\" .Values.l }}|{{ list 1 2.5 \"c\" | join \",\" }}|{{ join \",\" \"abc\" }}|{{ "
     "join \",\" .Values.nope }}]",
     "[b-a-b-|1,2.5,c|abc|]", NULL},
    {"[{{ b64dec \"!!\" }}|{{ b64enc .Values.s }}|{{ b64dec \"aGVsbG8gd29ybGQ=\" }}|{{ b64enc \"\" "
     "}}]",
     "[illegal base64 data at input byte 0|aGVsbG8gd29ybGQ=|hello world|]", NULL},
    {"[{{ sha256sum \"hello\" }}|{{ sha256sum \"\" }}]",
     "[2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824|"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855]",
     NULL},
    {"[{{ toString .Values.big }}|{{ toString 3 }}|{{ toString .Values.b }}|{{ toString "
     ".Values.nope }}|{{ toString .Values.l }}]",
     "[1e+06|3|true|<nil>|[b a b <nil> ]]", NULL},
    {"[{{ toStrings .Values.l }}|{{ toStrings (list 1 .Values.f) }}|{{ kindOf (index (toStrings "
     "(list 1)) 0) }}]",
     "[[b a b ]|[1 2.7]|string]", NULL},
    {"[{{ int .Values.f }}|{{ int .Values.neg }}|{{ int \"42\" }}|{{ int \"0x1F\" }}|{{ int \"x\" "
     "}}|{{ int \"10.0\" }}|{{ int .Values.b }}|{{ int nil }}|{{ kindOf (int .Values.n) }}]",
     "[2|-3|42|31|0|10|1|0|int]", NULL},
    {"[{{ int64 .Values.big }}|{{ int64 \"-7\" }}|{{ float64 \"1.5\" }}|{{ float64 3 }}|{{ float64 "
     "\"x\" }}|{{ kindOf (float64 3) }}]",
     "[1000000|-7|1.5|3|0|float64]", NULL},
    {"[{{ atoi \"12\" }}|{{ atoi \"1.5\" }}|{{ atoi \" 1\" }}|{{ atoi \"-4\" }}]", "[12|0|0|-4]",
     NULL},
    {"[{{ add 1 2 }}|{{ add 1 .Values.f }}|{{ add }}|{{ add \"3\" .Values.neg }}|{{ sub 5 "
     ".Values.f }}|{{ mul 2 3 .Values.f }}|{{ div 7 2 }}|{{ div -7 2 }}|{{ mod 7 3 }}|{{ mod -7 3 "
     "}}]",
     "[3|3|0|0|3|12|3|-3|1|-1]", NULL},
    {"[{{ max 1 5 .Values.f }}|{{ min 4 -2 \"9\" }}|{{ max 3 }}]", "[5|-2|3]", NULL},
    {"[{{ regexMatch \"^[a-z]+ w\" .Values.s }}|{{ regexMatch \"^x\" .Values.s }}|{{ regexMatch "
     "\"(\" \"x\" }}]",
     "[true|false|false]", NULL},
    {"[{{ regexFind \"[0-9]+\" \"ab123cd45\" }}|{{ regexFind \"z\" \"abc\" }}]", "[123|]", NULL},
    {"[{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"${1}W\" }}|{{ regexReplaceAll \"[0-9]\" "
     "\"a1b22\" \"#\" }}|{{ regexReplaceAll \"^v\" \"v1.2\" \"\" }}|{{ regexReplaceAll \"x*\" "
     "\"abc\" \"-\" }}|{{ regexReplaceAll \"x*\" \"axxb\" \"-\" }}|{{ regexReplaceAllLiteral "
     "\"b*\" \"abbc\" \".\" }}|{{ regexReplaceAll \"\" \"\" \"E\" }}|{{ regexReplaceAll \"(a)(b)\" "
     "\"abab\" \"$2$1$$\" }}]",
     "[-W-xxW-|a#b##|1.2|-a-b-c-|-a-b-|.a.c.|E|ba$ba$]", NULL},
    {"[{{ semverCompare \">=1.21-0\" \"v1.30.0-eks-1\" }}|{{ semverCompare \">=1.21\" "
     "\"v1.30.0-eks-1\" }}|{{ semverCompare \">=1.21-0\" \"1.20.5\" }}|{{ semverCompare \"<1.19\" "
     "\"1.18.9\" }}|{{ semverCompare \"~1.2.3\" \"1.2.9\" }}|{{ semverCompare \"~1.2.3\" \"1.3.0\" "
     "}}|{{ semverCompare \"^1.2\" \"1.9.0\" }}|{{ semverCompare \"^1.2\" \"2.0.0\" }}|{{ "
     "semverCompare \"^0.2.3\" \"0.3.0\" }}]",
     "[true|false|false|true|true|false|true|false|false]", NULL},
    {"[{{ semverCompare \">1.2\" \"1.2.5\" }}|{{ semverCompare \"<=1.2\" \"1.2.5\" }}|{{ "
     "semverCompare \"1.2.x\" \"1.2.7\" }}|{{ semverCompare \"=1.2.3\" \"v1.2.3\" }}|{{ "
     "semverCompare \"!=1.2.3\" \"1.2.4\" }}|{{ semverCompare \">=1.0, <2.0\" \"1.5.0\" }}|{{ "
     "semverCompare \"<1.0 || >=3\" \"3.1.0\" }}|{{ semverCompare \"1.1 - 1.3\" \"1.3.9\" }}|{{ "
     "semverCompare \"*\" \"1.0.0\" }}|{{ semverCompare \">= 1.2\" \"1.2.0\" }}]",
     "[false|true|true|true|true|true|true|true|true|true]", NULL},
    {"[{{ semverCompare \">1.2.3-alpha.1\" \"1.2.3-alpha.beta\" }}|{{ semverCompare "
     "\">1.2.3-alpha.10\" \"1.2.3-alpha.9\" }}|{{ semverCompare \"<1.2.3\" \"1.2.3-rc.1\" }}|{{ "
     "semverCompare \">=1.2.3-0\" \"1.2.3-rc.1\" }}]",
     "[true|false|false|true]", NULL},
    {"[{{ camelcase \"hello_world\" }}|{{ camelcase \"http_server_x\" }}|{{ kebabcase "
     "\"FirstName\" }}|{{ kebabcase \"HTTPServer\" }}|{{ snakecase \"FirstName\" }}|{{ snakecase "
     "\"noHTTPS\" }}|{{ snakecase \"GO_PATH\" }}|{{ snakecase \"a b\" }}]",
     "[HelloWorld|HttpServerX|first-name|http-server|first_name|no_https|go_path|a_b]", NULL},
    {"[{{ len (randAlphaNum 12) }}|{{ regexMatch \"^[a-zA-Z0-9]{5}$\" (randAlphaNum 5) }}|{{ "
     "regexMatch \"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$\" uuidv4 "
     "}}]",
     "[12|true|true]", NULL},
    {"[{{ kindOf .Values.l }}|{{ kindOf .Values.m }}|{{ kindOf nil }}|{{ kindOf .Values.s }}|{{ "
     "kindOf 1 }}|{{ kindOf .Values.b }}|{{ kindIs \"map\" .Values.m }}|{{ kindIs \"string\" "
     ".Values.n }}|{{ typeOf .Values.l }}|{{ typeOf .Values.m }}|{{ typeOf nil }}|{{ typeOf "
     ".Values.n }}|{{ typeIs \"string\" .Values.s }}|{{ typeIs \"int\" .Values.n }}]",
     "[slice|map|invalid|string|int|bool|true|false|[]interface {}|map[string]interface "
     "{}|<nil>|float64|true|false]",
     NULL},
    {"[{{ initial list }}|{{ last list }}]", "[[]|<no value>]", NULL},
    {"[{{ list }}|{{ list 1 \"a\" nil .Values.f }}|{{ append (list 1) 2 }}|{{ prepend .Values.l "
     "\"p\" }}]",
     "[[]|[1 a <nil> 2.7]|[1 2]|[p b a b <nil> ]]", NULL},
    {"[{{ first .Values.l }}|{{ last .Values.l }}|{{ rest .Values.l }}|{{ initial .Values.l }}|{{ "
     "first list }}|{{ rest list }}]",
     "[b||[a b <nil> ]|[b a b <nil>]|<no value>|[]]", NULL},
    {"[{{ uniq .Values.l }}|{{ has \"a\" .Values.l }}|{{ has 1 (list 1.0) }}|{{ has \"a\" "
     ".Values.nope }}|{{ without .Values.l \"b\" \"\" }}|{{ compact .Values.l }}]",
     "[[b a <nil> ]|true|false|false|[a <nil>]|[b a b]]", NULL},
    {"[{{ sortAlpha .Values.l }}|{{ sortAlpha (list \"b\" 10 2 \"a\") }}|{{ reverse .Values.l "
     "}}|{{ concat .Values.l (list 1) (list) }}]",
     "[[ a b b]|[10 2 a b]|[ <nil> b a b]|[b a b <nil>  1]]", NULL},
    {"[{{ until 3 }}|{{ until 0 }}|{{ until -2 }}|{{ untilStep 0 10 3 }}|{{ untilStep 5 0 -2 }}|{{ "
     "untilStep 0 5 -1 }}|{{ untilStep 1 1 1 }}]",
     "[[0 1 2]|[]|[0 -1]|[0 3 6 9]|[5 3 1]|[]|[]]", NULL},
    {"[{{ seq 3 }}|{{ seq 0 }}|{{ seq 2 5 }}|{{ seq 5 2 }}|{{ seq 0 2 7 }}|{{ seq 1 -1 3 }}|{{ seq "
     "4 4 }}|{{ seq }}]",
     "[1 2 3|1 0|2 3 4 5|5 4 3 2|0 2 4 6||4|]", NULL},
    {"[{{ dict \"a\" 1 \"b\" \"x\" }}|{{ dict }}|{{ dict \"k\" }}|{{ dict 1 2 }}|{{ (dict \"z\" 1 "
     "\"a\" 2) | toJson }}]",
     "[map[a:1 b:x]|map[]|map[k:]|map[1:2]|{\"a\":2,\"z\":1}]", NULL},
    {"[{{ get .Values.m \"a\" }}|{{ get .Values.m \"zz\" }}|{{ $d := dict \"a\" 1 }}{{ $_ := set "
     "$d \"b\" 2 }}{{ $d }}|{{ unset $d \"a\" }}|{{ hasKey $d \"b\" }}|{{ hasKey $d \"a\" }}]",
     "[1||map[a:1 b:2]|map[b:2]|true|false]", NULL},
    {"[{{ keys .Values.m | sortAlpha }}|{{ keys (dict \"b\" 1) (dict \"a\" 2) | sortAlpha }}|{{ "
     "values .Values.nested.e }}|{{ values (dict \"x\" 1 \"a\" \"s\") | sortAlpha }}|{{ keys (dict "
     "\"k\" 1) }}]",
     "[[a b]|[a b]|[]|[1 s]|[k]]", NULL},
    {"[{{ pick .Values.m \"a\" \"zz\" }}|{{ omit .Values.m \"a\" }}|{{ omit .Values.m }}]",
     "[map[a:1]|map[b:map[c:x]]|map[a:1 b:map[c:x]]]", NULL},
    {"{{ $d := deepCopy .Values.m }}{{ $_ := set $d.b \"c\" \"changed\" }}[{{ .Values.m.b.c }}|{{ "
     "$d.b.c }}|{{ deepCopy 3 }}|{{ deepCopy .Values.l }}]",
     "[x|changed|3|[b a b <nil> ]]", NULL},
    {"{{ $a := dict \"x\" 1 \"s\" \"\" \"n\" (dict \"p\" 1 \"q\" 2) }}{{ $b := dict \"x\" 2 \"s\" "
     "\"from-b\" \"y\" 3 \"n\" (dict \"q\" 9 \"r\" 8) }}{{ $r := merge $a $b }}[{{ toJson $r }}|{{ "
     "toJson $a }}]",
     "[{\"n\":{\"p\":1,\"q\":2,\"r\":8},\"s\":\"from-b\",\"x\":1,\"y\":3}|{\"n\":{\"p\":1,\"q\":2,"
     "\"r\":8},\"s\":\"from-b\",\"x\":1,\"y\":3}]",
     NULL},
    {"{{ $a := dict \"x\" 1 \"s\" \"keep\" \"n\" (dict \"p\" 1 \"q\" 2) }}{{ $b := dict \"x\" 2 "
     "\"s\" \"\" \"y\" 3 \"n\" (dict \"q\" 9 \"r\" 8) }}{{ $r := mergeOverwrite $a $b (dict \"z\" "
     "true) }}[{{ toJson $r }}]",
     "[{\"n\":{\"p\":1,\"q\":9,\"r\":8},\"s\":\"\",\"x\":2,\"y\":3,\"z\":true}]", NULL},
    {"[{{ dig \"b\" \"c\" \"dflt\" .Values.m }}|{{ dig \"b\" \"zz\" \"dflt\" .Values.m }}|{{ dig "
     "\"a\" 0 .Values.m }}|{{ dig \"nope\" \"x\" \"d2\" .Values.m }}]",
     "[x|dflt|1|d2]", NULL},
    {"[{{ add1 .Values.f }}|{{ add1 \"4\" }}|{{ addf 1 .Values.f }}|{{ subf 5 .Values.f 0.5 }}|{{ "
     "mulf 1.5 2 }}|{{ divf 7 2 }}|{{ floor .Values.f }}|{{ ceil .Values.f }}|{{ ceil \"1.2\" "
     "}}|{{ divf 1 3 }}|{{ mulf 0.1 3 }}|{{ addf 0.1 0.2 }}|{{ divf 10 4 }}|{{ mustRegexMatch "
     "\"^a\" \"abc\" }}|{{ subf 1 }}]",
     "[3|5|3.7|1.8|3|3.5|2|3|2|0.3333333333333333|0.3|0.3|2.5|true|1]", NULL},
    {"[{{ fromYamlArray \"- a\\n- b: 1\" }}|{{ fromYamlArray \"\" }}|{{ fromYamlArray \"a: 1\" "
     "}}|{{ fromJsonArray \"[1,\\\"x\\\"]\" }}|{{ fromJsonArray \"{}\" }}]",
     "[[a map[b:1]]|[]|[error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
     "object into Go value of type []interface {}]|[1 x]|[json: cannot unmarshal object into Go "
     "value of type []interface {}]]",
     NULL},
    {"[{{ mustToYaml .Values.m }}|{{ mustToJson .Values.l }}|{{ lookup \"v1\" \"Secret\" \"ns\" "
     "\"name\" }}|{{ len (lookup \"v1\" \"Pod\" \"\" \"\") }}]",
     "[a: 1\nb:\n  c: x|[\"b\",\"a\",\"b\",null,\"\"]|map[]|0]", NULL},
    {"[{{ deepEqual .Values.m (dict \"a\" .Values.m.a \"b\" (dict \"c\" \"x\")) }}|{{ deepEqual 1 "
     "1.0 }}|{{ deepEqual (list 1) (list 1) }}]",
     "[true|false|true]", NULL},
    {"[{{ regexReplaceAllLiteral \"a(b)\" \"xaby\" \"$1\" }}|{{ regexSplit \"z+\" \"pizza\" -1 "
     "}}|{{ regexSplit \",\\\\s*\" \"a, b,c\" 2 }}|{{ regexSplit \"x\" \"axbxc\" 0 }}|{{ "
     "regexSplit \"\" \"abc\" -1 }}]",
     "[x$1y|[pi a]|[a b,c]|[]|[a b c]]", NULL},
    {"[{{ $p := splitn \"$\" 2 \"a$b$c\" }}{{ $p._0 }} {{ $p._1 }}|{{ splitn \",\" -1 \"a,b\" "
     "}}|{{ splitn \",\" 0 \"a,b\" }}|{{ untitle \"Hello World\" }}|{{ base \"/a/b.txt\" }}|{{ "
     "base \"a/b/\" }}|{{ base \"\" }}|{{ base \"//\" }}]",
     "[a b$c|map[_0:a _1:b]|map[]|hello world|b.txt|b|.|/]", NULL},
    {"[{{ len (randAlpha 7) }}|{{ regexMatch \"^[0-9]{6}$\" (randNumeric 6) }}|{{ regexMatch "
     "\"^[a-zA-Z]{4}$\" (randAlpha 4) }}|{{ len (randAscii 9) }}|{{ tuple 1 \"a\" }}]",
     "[7|true|true|9|[1 a]]", NULL},
    {"[{{ mustMerge (dict \"a\" 1) (dict \"a\" 2 \"b\" 3) }}|{{ mustMergeOverwrite (dict \"a\" 1) "
     "(dict \"a\" 2) }}|{{ mustUniq (list 1 1 2) }}|{{ mustAppend (list) 1 }}|{{ mustPush (list 1) "
     "2 }}|{{ mustPrepend (list 1) 0 }}|{{ mustFirst (list 3 4) }}|{{ mustLast (list 3 4) }}|{{ "
     "mustRest (list 3 4) }}|{{ mustInitial (list 3 4) }}]",
     "[map[a:1 b:3]|map[a:2]|[1 2]|[1]|[1 2]|[0 1]|3|4|[4]|[3]]", NULL},
    {"[{{ mustHas 4 (list 3 4) }}|{{ mustWithout (list 3 4) 3 }}|{{ mustCompact (list \"\" 1) "
     "}}|{{ mustReverse (list 1 2) }}|{{ mustDeepCopy .Values.m }}|{{ mustRegexFind \"b+\" "
     "\"abbc\" }}|{{ mustRegexReplaceAll \"b(.)\" \"abcd\" \"<$1>\" }}|{{ "
     "mustRegexReplaceAllLiteral \"b\" \"abc\" \"$0\" }}|{{ mustRegexSplit \"-\" \"a-b\" -1 }}|{{ "
     "mustToRawJson .Values.html }}|{{ mustToPrettyJson .Values.nested.el }}]",
     "[true|[4]|[1]|[2 1]|map[a:1 b:map[c:x]]|bb|a<c>d|a$0c|[a b]|\"<a&b>\"|[]]", NULL},
    {"[{{ quote \"a\\xffb\\u2028\\u0085\" }}|{{ tpl \"{{ quote . }}\" \"x\" }}]",
     "[\"a\\xffb\\u2028\\u0085\"|\"x\"]", NULL},
    {"[{{ semverCompare \">=1.4-0\" \"v1.35.0\" }}|{{ semverCompare \"<1.14-0\" \"v1.35.0\" }}|{{ "
     "semverCompare \">= 1.19-0\" \"v1.19.0-gke.1\" }}|{{ semverCompare \"^1.16-0\" \"v1.35.0\" "
     "}}|{{ semverCompare \"~1.20\" \"1.20.9\" }}|{{ semverCompare \"1.x\" \"1.9.9\" }}|{{ "
     "semverCompare \">=1.8.0-0, <1.16.0-0\" \"1.15.3\" }}|{{ semverCompare \">1\" \"1.5.0\" }}|{{ "
     "semverCompare \"<=1\" \"1.9.0\" }}|{{ semverCompare \"=1\" \"1.9.0\" }}|{{ semverCompare "
     "\"~1\" \"1.9.0\" }}|{{ semverCompare \"^0.0.3\" \"0.0.4\" }}|{{ semverCompare \"~>1.2\" "
     "\"1.2.5\" }}]",
     "[true|false|true|true|true|true|true|false|true|true|true|false|true]", NULL},
    {"[{{ quote \"caf\\u00e9 \\u00a0 \\U0001F600 \\x01\" }}|{{ trunc 3 \"caf\\u00e9\" }}|{{ upper "
     "\"caf\\u00e9\" }}|{{ toYaml 3 }}|{{ toYaml 1.5e21 }}|{{ toYaml (list) }}|{{ toYaml (dict "
     "\"a\" (dict)) }}|{{ toJson 1e21 }}|{{ toJson 0.000001 }}|{{ toJson 1e-7 }}]",
     "[\"café \\u00a0 😀 \\x01\"|caf|CAFÉ|3|1.5e+21|[]|a: {}|1e+21|0.000001|1e-7]", NULL},
    {"[{{ default \"x\" (list) }}|{{ default \"x\" (dict) }}|{{ default \"x\" 0.0 }}|{{ default "
     "(list 1) nil }}|{{ empty 0.0 }}|{{ coalesce nil \"\" 0 false \"z\" }}|{{ ternary 1 2 false "
     "}}]",
     "[x|x|x|[1]|true|z|2]", NULL},
    {"{{ define \"t1\" }}{{ .x | nindent 2 }}{{ end }}a:{{ include \"t1\" (dict \"x\" \"k: v\\nl: "
     "w\") }}|{{ tpl \"{{ .a }}-{{ .b }}\" (dict \"a\" 1 \"b\" \"z\") }}|{{ tpl \"\" . }}",
     "a:\n  k: v\n  l: w|1-z|", NULL},
    {"{{ indent -1 \"x\" }}", NULL, "error calling indent: strings: negative Repeat count"},
    {"{{ tpl \"{{ .x\" . }}", NULL,
     "error calling tpl: cannot parse template \"{{ .x\": template: gotpl:1: unclosed action"},
    {"{{ tpl \"{{ .x.y }}\" (dict) }}", NULL,
     "error calling tpl: error during tpl function execution for \"{{ .x.y }}\": template: "
     "gotpl:1:5: executing \"gotpl\" at <.x.y>: nil pointer evaluating interface {}.y"},
    {"{{ divf 1 0 }}", NULL, "error calling divf: decimal division by 0"},
    {"{{ mustRegexMatch \"(\" \"a\" }}", NULL,
     "error calling mustRegexMatch: error parsing regexp: "},
    {"{{ dig \"a\" \"x\" \"d\" .Values.m }}", NULL,
     "interface conversion: interface {} is float64, not map[string]interface {}"},
    {"{{ mustRegexFind \"(\" \"x\" }}", NULL, "error parsing regexp"},
    {"{{ mustFirst .Values.s }}", NULL, "Cannot find first on type string"},
    {"{{ required \"need nope\" .Values.nope }}", NULL, "need nope"},
    {"{{ required \"need e\" .Values.e }}", NULL, "need e"},
    {"{{ fail \"boom\" }}", NULL, "boom"},
    {"{{ include \"nope\" . }}", NULL, "no template \"nope\""},
    {"{{ ternary 1 2 .Values.s }}", NULL, "wrong type for value; expected bool; got string"},
    {"{{ upper .Values.b }}", NULL, "wrong type for value; expected string; got bool"},
    {"{{ trunc .Values.n \"x\" }}", NULL, "expected int; got float64"},
    {"{{ div 1 0 }}", NULL, "integer divide by zero"},
    {"{{ append .Values.m 1 }}", NULL, "Cannot push on type map"},
    {"{{ first \"x\" }}", NULL, "Cannot find first on type string"},
    {"{{ regexFind \"(\" \"x\" }}", NULL, "error parsing regexp"},
    {"{{ hasKey .Values.l \"a\" }}", NULL, "expected map[string]interface {}; got []interface {}"},
    {"{{ b64enc .Values.n }}", NULL, "expected string; got float64"},
    {"{{ semverCompare \">=1.2\" \"notaversion\" }}", NULL, "invalid semantic version"},
    {"{{ semverCompare \"%%1\" \"1.2.3\" }}", NULL, "improper constraint: %%1"},
    {"{{ default }}", NULL, "wrong number of args for default: want at least 1 got 0"},
    {"{{ trim \"a\" \"b\" }}", NULL, "wrong number of args for trim: want 1 got 2"},
};

/* Parses and runs text as template "t" with {"Values": values}. */
static int run(const char *text, struct dk_buf *out, struct dk_err *err)
{
    return tmpl_run(values, text, out, err);
}

static void test_table(void)
{
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct tcase *c = &cases[i];
        struct dk_buf out = DK_BUF_INIT;
        struct dk_err err = DK_ERR_INIT;
        int rc = run(c->tmpl, &out, &err);

        if (c->err) {
            if (!ok(rc < 0 && strstr(err.msg, c->err) != NULL, "tmplfuncs: %s fails with '%s'",
                    c->tmpl, c->err))
                printf("#   got: rc %d '%s' out '%s'\n", rc, err.msg, out.buf);
        } else {
            if (rc < 0)
                printf("#   error: %s\n", err.msg);
            is_str(rc == 0 ? out.buf : NULL, c->want, "tmplfuncs: %s", c->tmpl);
        }
        dk_buf_release(&out);
    }
}

/* Functions must not change values they only read, and set/merge must change theirs. */
static void test_sharing(void)
{
    struct dk_buf out = DK_BUF_INIT;
    struct dk_err err = DK_ERR_INIT;

    ok(run("{{ $l := list 1 }}{{ $a := append $l 2 }}{{ $l }} {{ $a }}", &out, &err) == 0 &&
           strcmp(out.buf, "[1] [1 2]") == 0,
       "tmplfuncs: append leaves its list alone");
    dk_buf_reset(&out);
    ok(run("{{ $d := dict }}{{ $_ := set $d \"a\" 1 }}{{ $_ := merge $d (dict \"b\" 2) }}{{ $d }}",
           &out, &err) == 0 &&
           strcmp(out.buf, "map[a:1 b:2]") == 0,
       "tmplfuncs: set and merge change the dict in place");
    dk_buf_reset(&out);
    ok(run("{{ define \"r\" }}{{ include \"r\" . }}{{ end }}{{ include \"r\" . }}", &out, &err) <
               0 &&
           strstr(err.msg, "exceeded maximum template depth") != NULL,
       "tmplfuncs: include recursion is bounded");
    dk_buf_release(&out);
}

int main(void)
{
    test_table();
    test_sharing();
    return tap_done();
}
