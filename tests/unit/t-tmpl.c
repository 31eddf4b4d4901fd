/* Unit tests for common/tmpl.c. Expected outputs of the table were taken from Helm v4 (Go
 * text/template) with `helm template`; Helm removes "<no value>", these tests keep it. */
#include "dk/tmpl.h"

#include <stdlib.h>
#include <string.h>

#include "dk/json.h"
#include "dk/tmplfuncs.h"
#include "tap.h"

/* Stand-ins for the sprig/Helm functions the table uses. */
static int fn_list(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                   struct dk_err *err)
{
    size_t i;

    (void)c, (void)err;
    *out = dk_val_list();
    for (i = 0; i < n; i++)
        dk_val_list_push(*out, dk_val_ref(args[i]));
    return 0;
}

static int fn_dict(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                   struct dk_err *err)
{
    size_t i;

    (void)c;
    *out = dk_val_map();
    for (i = 0; i + 1 < n; i += 2) {
        if (args[i]->kind != DK_VAL_STR)
            return dk_err_set(err, DK_E_FAIL, "dict keys must be strings");
        dk_val_map_set(*out, args[i]->u.str.s, dk_val_ref(args[i + 1]));
    }
    return 0;
}

static int fn_include(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                      struct dk_err *err)
{
    struct dk_buf b = DK_BUF_INIT;
    size_t len;
    char *s;

    if (n != 2 || args[0]->kind != DK_VAL_STR)
        return dk_err_set(err, DK_E_FAIL, "include wants a name and a value");
    if (dk_tmpl_call_exec(c, args[0]->u.str.s, args[1], &b, err) < 0) {
        dk_buf_release(&b);
        return -1;
    }
    s = dk_buf_detach(&b, &len);
    *out = dk_val_str_owned(s, len);
    return 0;
}

static int fn_tpl(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                  struct dk_err *err)
{
    struct dk_buf b = DK_BUF_INIT;
    size_t len;
    char *s;

    if (n != 2 || args[0]->kind != DK_VAL_STR)
        return dk_err_set(err, DK_E_FAIL, "tpl wants a string and a value");
    if (dk_tmpl_call_parse_exec(c, "tpl-string", args[0]->u.str.s, args[0]->u.str.len, args[1], &b,
                                err) < 0) {
        dk_buf_release(&b);
        return -1;
    }
    s = dk_buf_detach(&b, &len);
    *out = dk_val_str_owned(s, len);
    return 0;
}

static int fn_where(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                    struct dk_err *err)
{
    (void)args, (void)n, (void)err;
    *out = dk_val_str(dk_tmpl_call_template(c));
    return 0;
}

static int fn_fail(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                   struct dk_err *err)
{
    (void)c, (void)out;
    return dk_err_set(err, DK_E_FAIL, "%s",
                      n && args[0]->kind == DK_VAL_STR ? args[0]->u.str.s : "?");
}

static int fn_get(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                  struct dk_err *err)
{
    (void)err;
    *out = dk_val_str(n ? "got:" : "got nothing");
    if (n && args[0]->kind == DK_VAL_STR) {
        dk_val_unref(*out);
        *out = dk_val_str(c->ud ? (const char *)c->ud : "?");
    }
    return 0;
}

/* Returns a function value (for `call`). */
static int fn_getfn(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                    struct dk_err *err)
{
    (void)args, (void)n, (void)err;
    *out = dk_val_func(fn_get, c->ud);
    return 0;
}

static void setup(struct dk_tmpl *t)
{
    dk_tmpl_init(t);
    dk_tmpl_register(t, "list", fn_list, NULL);
    dk_tmpl_register(t, "dict", fn_dict, NULL);
    dk_tmpl_register(t, "include", fn_include, NULL);
    dk_tmpl_register(t, "tpl", fn_tpl, NULL);
    dk_tmpl_register(t, "fail", fn_fail, NULL);
    dk_tmpl_register(t, "where", fn_where, NULL);
}

static struct dk_val *data_of(const char *values)
{
    struct dk_err err = DK_ERR_INIT;
    struct dk_val *d = dk_val_map(), *v;
    cJSON *j = NULL;

    if (dk_json_parse(values, strlen(values), "values", &j, &err) < 0)
        printf("# bad values: %s\n", err.msg);
    v = dk_val_from_json(j);
    cJSON_Delete(j);
    dk_val_map_set(d, "Values", v);
    return d;
}

/* Parses and runs text as template "t"; returns 0/-1, output in out, error in err. */
static int run(struct dk_tmpl *t, const char *text, const char *values, struct dk_buf *out,
               struct dk_err *err)
{
    struct dk_val *d = data_of(values);
    int rc = dk_tmpl_parse(t, "t", text, strlen(text), err);

    if (rc == 0)
        rc = dk_tmpl_exec(t, "t", d, out, err);
    dk_val_unref(d);
    return rc;
}

static const struct tcase {
    const char *tmpl, *values, *want, *err;
} cases[] = {
    {"hello", "{}", "hello", NULL},
    {"[a {{/* c */}} b]", "{}", "[a  b]", NULL},
    {"[a  {{- /* c */ -}}  b]", "{}", "[ab]", NULL},
    {"[a \n {{- \"x\" }} \n b]", "{}", "[ax \n b]", NULL},
    {"[a {{ \"x\" -}} \n\t b]", "{}", "[a xb]", NULL},
    {"[{{- 3 -}}]", "{}", "[3]", NULL},
    {"[{{-3}}]", "{}", "[-3]", NULL},
    {"[{{ 3 }}]", "{}", "[3]", NULL},
    {"[ {{- \"a\" }}{{ \"b\" -}} ]", "{}", "[ab]", NULL},
    {"[{{ \"a\\tb\\n\" }}]", "{}", "[a\tb\n]", NULL},
    {"[{{ `raw\\n{{x}}` }}]", "{}", "[raw\\n{{x}}]", NULL},
    {"[{{ 'a' }} {{ '\\n' }} {{ '\\u00e9' }}]", "{}", "[97 10 233]", NULL},
    {"[{{ 0x1F }} {{ 0o17 }} {{ 017 }} {{ 0b101 }} {{ 1_000 }}]", "{}", "[31 15 15 5 1000]", NULL},
    {"[{{ 1e3 }} {{ 1.5 }} {{ 0x1p4 }} {{ -2 }} {{ +3 }} {{ 1.0 }}]", "{}", "[1000 1.5 16 -2 3 1]",
     NULL},
    {"[{{ true }} {{ false }}]", "{}", "[true false]", NULL},
    {"[{{ \"\\x41\\u0042\\U00000043\\101\" }}]", "{}", "[ABCA]", NULL},
    {"[{{ 1000000.0 }} {{ 100000.0 }} {{ 0.0001 }} {{ 0.00001 }} {{ 3.14 }} {{ 1e21 }}]", "{}",
     "[1e+06 100000 0.0001 1e-05 3.14 1e+21]", NULL},
    {"[{{ 123456789.0 }} {{ 1e-7 }} {{ 2.5e10 }}]", "{}", "[1.23456789e+08 1e-07 2.5e+10]", NULL},
    {"[{{ .Values.a }}]", "{\"a\":1}", "[1]", NULL},
    {"[{{ .Values.a }}]", "{\"a\":1000000}", "[1e+06]", NULL},
    {"[{{ .Values.a }}]", "{\"a\":1.5}", "[1.5]", NULL},
    {"[{{ .Values.a.b.c }}]", "{\"a\":{\"b\":{\"c\":\"deep\"}}}", "[deep]", NULL},
    {"[{{ .Values.s }}]", "{\"s\":\"str\"}", "[str]", NULL},
    {"[{{ .Values.l }}]", "{\"l\":[1,\"a\",true,null]}", "[[1 a true <nil>]]", NULL},
    {"[{{ .Values.m }}]", "{\"m\":{\"b\":2,\"a\":1,\"c\":{\"x\":\"y\"}}}",
     "[map[a:1 b:2 c:map[x:y]]]", NULL},
    {"[{{ .Values.e }}|{{ .Values.el }}|{{ .Values.em }}]", "{\"e\":\"\",\"el\":[],\"em\":{}}",
     "[|[]|map[]]", NULL},
    {"[{{ .Values.n }}]", "{\"n\":null}", "[<no value>]", NULL},
    {"[{{ .Values.missing }}]", "{}", "[<no value>]", NULL},
    {"[{{ $x := .Values.a }}{{ $x }}]", "{\"a\":\"v\"}", "[v]", NULL},
    {"[{{ $.Values.a }}]", "{\"a\":\"root\"}", "[root]", NULL},
    {"[{{ $x := .Values }}{{ $x.a.b }}]", "{\"a\":{\"b\":\"vb\"}}", "[vb]", NULL},
    {"[{{ (index .Values.m \"k\").f }}]", "{\"m\":{\"k\":{\"f\":\"F\"}}}", "[F]", NULL},
    {"[{{ (.Values.m).k }}]", "{\"m\":{\"k\":\"K\"}}", "[K]", NULL},
    {"[{{ .Values.t }}]", "{\"t\":true}", "[true]", NULL},
    {"{{ .Values.a.b }}", "{}", NULL, "nil pointer evaluating interface {}.b"},
    {"{{ .Values.a.b }}", "{\"a\":\"s\"}", NULL, "can't evaluate field b in type interface {}"},
    {"{{ .Values.a.b }}", "{}", NULL,
     "template: t:1:10: executing \"t\" at <.Values.a.b>: nil pointer evaluating interface {}.b"},
    {"{{ .Values.x 1 }}", "{\"x\":1}", NULL, "x is not a method but has arguments"},
    {"{{ $x := 1 }}{{ $x.y }}", "{}", NULL,
     "template: t:1:18: executing \"t\" at <$x.y>: can't evaluate field y in type int"},
    {"[{{ $x := .Values.nope }}{{ $x.y.z }}]", "{}", "[<no value>]", NULL},
    {"[{{ (.Values.nope).y }}]", "{}", "[<no value>]", NULL},
    {"{{ template \"x\" }}{{ define \"x\" }}[{{ .a.b }}]{{ end }}", "{}", "[<no value>]", NULL},
    {"[{{ $x := 1 }}{{ $x = 2 }}{{ $x }}]", "{}", "[2]", NULL},
    {"[{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}]", "{}", "[2]", NULL},
    {"[{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}]", "{}", "[21]", NULL},
    {"[{{ $a := 1 }}{{ range list 1 2 3 }}{{ $a = . }}{{ end }}{{ $a }}]", "{}", "[3]", NULL},
    {"[{{ if $x := \"v\" }}{{ $x }}{{ end }}]", "{}", "[v]", NULL},
    {"[{{ with $x := \"w\" }}{{ $x }}{{ . }}{{ end }}]", "{}", "[ww]", NULL},
    {"{{ $x }}", "{}", NULL, "undefined variable \"$x\""},
    {"{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}", "{}", NULL, "undefined variable \"$y\""},
    {"{{ $x = 1 }}", "{}", NULL, "template: t:1:8: executing \"t\" at <1>: undefined variable: $x"},
    /* Go checks an assignment's variable when it runs, not when it parses (helm v4.1.4) */
    {"[{{ if false }}{{ $x = 1 }}{{ end }}ok]", "{}", "[ok]", NULL},
    {"{{ $x = .Values.a | print | printf \"%q\" }}", "{}", NULL,
     "template: t:1:35: executing \"t\" at <\"%q\">: undefined variable: $x"},
    {"{{ $x := 1 }}{{ $x 2 }}", "{}", NULL, "can't give argument to non-function $x"},
    {"[{{ \"a\" | printf \"%s-%s\" \"b\" }}]", "{}", "[b-a]", NULL},
    {"[{{ 1 | printf \"%d %d\" 2 }}]", "{}", "[2 1]", NULL},
    {"[{{ \"x\" | print | printf \"<%s>\" }}]", "{}", "[<x>]", NULL},
    {"[{{ (printf \"%d\" 3) }}]", "{}", "[3]", NULL},
    {"[{{ printf \"%s\" (print \"a\" (print \"b\")) }}]", "{}", "[ab]", NULL},
    {"[{{ .Values.a | print }}]", "{\"a\":\"pa\"}", "[pa]", NULL},
    {"{{ 1 | printf \"%d\" | 3 }}", "{}", NULL, "non executable command in pipeline stage 3"},
    {"{{ \"a\" | 3 }}", "{}", NULL, "non executable command in pipeline stage 2"},
    {"{{ 3 4 }}", "{}", NULL, "can't give argument to non-function 3"},
    {"{{ nil }}", "{}", NULL, "nil is not a command"},
    {"[{{ if true }}y{{ else }}n{{ end }}]", "{}", "[y]", NULL},
    {"[{{ if 0 }}y{{ else }}n{{ end }}]", "{}", "[n]", NULL},
    {"[{{ if \"\" }}y{{ else }}n{{ end }}]", "{}", "[n]", NULL},
    {"[{{ if .Values.l }}y{{ else }}n{{ end }}]", "{\"l\":[]}", "[n]", NULL},
    {"[{{ if .Values.m }}y{{ else }}n{{ end }}]", "{\"m\":{}}", "[n]", NULL},
    {"[{{ if .Values.m }}y{{ else }}n{{ end }}]", "{\"m\":{\"a\":1}}", "[y]", NULL},
    {"[{{ if .Values.z }}y{{ else }}n{{ end }}]", "{\"z\":0}", "[n]", NULL},
    {"[{{ if .Values.z }}y{{ else }}n{{ end }}]", "{\"z\":0.5}", "[y]", NULL},
    {"[{{ if .Values.nope }}y{{ else }}n{{ end }}]", "{}", "[n]", NULL},
    {"[{{ if eq 1 2 }}a{{ else if eq 1 1 }}b{{ else }}c{{ end }}]", "{}", "[b]", NULL},
    {"[{{ if eq 1 2 }}a{{ else if eq 1 3 }}b{{ else if true }}c{{ end }}]", "{}", "[c]", NULL},
    {"[{{ if false }}a{{ else if false }}b{{ else }}c{{ end }}]", "{}", "[c]", NULL},
    {"[{{ if nil }}a{{ else }}b{{ end }}]", "{}", NULL,
     "template: t:1:7: executing \"t\" at <nil>: nil is not a command"},
    {"[{{ with .Values.a }}{{ . }}{{ end }}]", "{\"a\":\"wa\"}", "[wa]", NULL},
    {"[{{ with .Values.a }}{{ . }}{{ else }}none{{ end }}]", "{\"a\":\"\"}", "[none]", NULL},
    {"[{{ with .Values.a }}{{ .b }}{{ end }}]", "{\"a\":{\"b\":\"wb\"}}", "[wb]", NULL},
    {"[{{ with .Values.a }}{{ $.Values.c }}{{ end }}]", "{\"a\":1,\"c\":\"rc\"}", "[rc]", NULL},
    {"[{{ with .Values.x }}x{{ else with .Values.y }}{{ . }}{{ else }}z{{ end }}]", "{\"y\":\"Y\"}",
     "[Y]", NULL},
    {"[{{ with .Values.x }}x{{ else with .Values.y }}{{ . }}{{ else }}z{{ end }}]", "{}", "[z]",
     NULL},
    {"[{{ range .Values.l }}{{ . }},{{ end }}]", "{\"l\":[1,2,3]}", "[1,2,3,]", NULL},
    {"[{{ range $i, $v := .Values.l }}{{ $i }}={{ $v }};{{ end }}]", "{\"l\":[\"a\",\"b\"]}",
     "[0=a;1=b;]", NULL},
    {"[{{ range $k, $v := .Values.m }}{{ $k }}={{ $v }};{{ end }}]",
     "{\"m\":{\"b\":2,\"a\":1,\"c\":3}}", "[a=1;b=2;c=3;]", NULL},
    {"[{{ range .Values.m }}{{ . }};{{ end }}]", "{\"m\":{\"b\":2,\"a\":1}}", "[1;2;]", NULL},
    {"[{{ range $v := .Values.l }}{{ $v }}{{ end }}]", "{\"l\":[\"x\",\"y\"]}", "[xy]", NULL},
    {"[{{ range .Values.l }}{{ . }}{{ else }}empty{{ end }}]", "{\"l\":[]}", "[empty]", NULL},
    {"[{{ range .Values.nope }}{{ . }}{{ else }}empty{{ end }}]", "{}", "[empty]", NULL},
    {"[{{ range 3 }}{{ . }}{{ end }}]", "{}", "[012]", NULL},
    {"[{{ range $i := 3 }}{{ $i }}{{ end }}]", "{}", "[012]", NULL},
    {"[{{ range 0 }}x{{ else }}none{{ end }}]", "{}", "[none]", NULL},
    {"[{{ range .Values.l }}{{ if eq . 3.0 }}{{ break }}{{ end }}{{ . }}{{ end }}]",
     "{\"l\":[1,2,3,4]}", "[12]", NULL},
    {"[{{ range .Values.l }}{{ if eq . 2.0 }}{{ continue }}{{ end }}{{ . }}{{ end }}]",
     "{\"l\":[1,2,3]}", "[13]", NULL},
    {"[{{ range $i, $e := .Values.l }}{{ range $e }}{{ $i }}{{ . }}{{ end }}{{ end }}]",
     "{\"l\":[[\"a\",\"b\"],[\"c\"]]}", "[0a0b1c]", NULL},
    {"[{{ range .Values.l }}{{ $.Values.p }}{{ . }}{{ end }}]", "{\"l\":[1,2],\"p\":\"P\"}",
     "[P1P2]", NULL},
    {"[{{ range $x := .Values.l }}{{ $y := $x }}{{ $y }}{{ end }}]", "{\"l\":[1,2]}", "[12]", NULL},
    {"{{ range 1.5 }}{{ end }}", "{}", NULL, "range can't iterate over 1.5"},
    {"{{ range .Values.n }}{{ end }}", "{\"n\":3}", NULL, "range can't iterate over 3"},
    {"{{ range $i, $v := 3 }}{{ end }}", "{}", NULL,
     "can't use 3 to iterate over more than one variable"},
    {"{{ break }}", "{}", NULL, "{{break}} outside {{range}}"},
    {"{{ continue }}", "{}", NULL, "{{continue}} outside {{range}}"},
    {"{{ define \"x\" }}[X{{ . }}]{{ end }}{{ template \"x\" \"arg\" }}", "{}", "[Xarg]", NULL},
    {"{{ define \"x\" }}[{{ .a }}]{{ end }}{{ template \"x\" .Values }}", "{\"a\":\"A\"}", "[A]",
     NULL},
    {"{{ define \"x\" }}[{{ $ }}]{{ end }}{{ template \"x\" 5 }}", "{}", "[5]", NULL},
    {"{{ define \"x\" }}[none:{{ . }}]{{ end }}{{ template \"x\" }}", "{}", "[none:<no value>]",
     NULL},
    {"[{{ block \"b\" . }}default{{ end }}]", "{}", "[default]", NULL},
    {"{{ define \"a\" }}A{{ template \"b\" . }}{{ end }}{{ define \"b\" }}B{{ . }}{{ end }}[{{ "
     "template \"a\" 1 }}]",
     "{}", "[AB1]", NULL},
    {"[{{ template \"x\" `raw` }}]{{ define \"x\" }}{{ . }}{{ end }}", "{}", "[raw]", NULL},
    {"{{ template \"nope\" }}", "{}", NULL, "template \"nope\" not defined"},
    {"{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}", "{}", NULL,
     "exceeded maximum template depth"},
    {"[{{ and 1 0 2 }} {{ and 1 2 }} {{ or 0 \"\" \"x\" }} {{ or 0 \"\" }} {{ not 0 }} {{ not "
     "\"a\" }}]",
     "{}", "[0 2 x  true false]", NULL},
    {"[{{ and .Values.a .Values.a.b }}]", "{}", "[<no value>]", NULL},
    {"[{{ or .Values.a \"dflt\" }}]", "{}", "[dflt]", NULL},
    {"[{{ and true true }} {{ or false false }}]", "{}", "[true false]", NULL},
    {"[{{ \"x\" | and 1 }} {{ 0 | or \"\" }}]", "{}", "[x 0]", NULL},
    {"{{ and }}", "{}", NULL, "wrong number of args for and: want at least 1 got 0"},
    {"{{ not 1 2 }}", "{}", NULL, "wrong number of args for not: want 1 got 2"},
    {"[{{ eq 1 1 }} {{ eq 1 2 }} {{ eq \"a\" \"a\" }} {{ eq 1 2 3 1 }} {{ ne 1 2 }} {{ ne \"a\" "
     "\"a\" }}]",
     "{}", "[true false true true true false]", NULL},
    {"[{{ eq .Values.a 1.0 }} {{ eq .Values.s \"x\" }}]", "{\"a\":1,\"s\":\"x\"}", "[true true]",
     NULL},
    {"[{{ lt 1 2 }} {{ le 2 2 }} {{ gt 3 2 }} {{ ge 1 2 }} {{ lt \"a\" \"b\" }} {{ gt 1.5 1.2 }}]",
     "{}", "[true true true false true true]", NULL},
    {"[{{ eq true true }} {{ eq true false }} {{ ne false true }}]", "{}", "[true false true]",
     NULL},
    {"[{{ eq .Values.nope \"x\" }} {{ eq .Values.nope nil }} {{ eq nil nil }}]", "{}",
     "[false true true]", NULL},
    {"[{{ lt .Values.a 10.0 }}]", "{\"a\":5}", "[true]", NULL},
    {"{{ eq .Values.i 14400 }}", "{\"i\":14400}", NULL,
     "error calling eq: incompatible types for comparison: float64 and int"},
    {"{{ lt 1 \"a\" }}", "{}", NULL, "incompatible types for comparison: int and string"},
    {"{{ lt 1 nil }}", "{}", NULL, "error calling lt: invalid type for comparison"},
    {"{{ lt true false }}", "{}", NULL, "invalid type for comparison"},
    {"{{ eq 1 }}", "{}", NULL, "missing argument for comparison"},
    {"{{ ne 1 }}", "{}", NULL, "wrong number of args for ne: want 2 got 1"},
    {"{{ eq (list 1) (list 1) }}", "{}", NULL, "non-comparable type [%!s(int=1)]: []interface {}"},
    {"{{ eq 1 1.0 }}", "{}", NULL, "incompatible types for comparison: int and float64"},
    {"[{{ len \"abc\" }} {{ len .Values.l }} {{ len .Values.m }}]", "{\"l\":[1,2],\"m\":{\"a\":1}}",
     "[3 2 1]", NULL},
    {"[{{ index .Values.l 1 }} {{ index .Values.m \"a\" }} {{ index .Values.n \"a\" \"b\" }}]",
     "{\"l\":[1,2],\"m\":{\"a\":\"A\"},\"n\":{\"a\":{\"b\":\"B\"}}}", "[2 A B]", NULL},
    {"[{{ index .Values.m \"zz\" }}]", "{\"m\":{\"a\":1}}", "[<no value>]", NULL},
    {"[{{ index \"abc\" 1 }}]", "{}", "[98]", NULL},
    {"[{{ index .Values.l }}]", "{\"l\":[1]}", "[[1]]", NULL},
    {"{{ index (list 1) 5 }}", "{}", NULL, "error calling index: index out of range: 5"},
    {"{{ index .Values 1 }}", "{}", NULL, "value has type int; should be string"},
    {"{{ index .Values.l 0.0 }}", "{\"l\":[1]}", NULL,
     "cannot index slice/array with type float64"},
    {"{{ index .Values.n 0 }}", "{}", NULL, "index of untyped nil"},
    {"{{ len 3 }}", "{}", NULL, "error calling len: len of type int"},
    {"{{ index 3 0 }}", "{}", NULL, "can't index item of type int"},
    {"[{{ print 1 2 \"a\" 3 \"b\" \"c\" }}]", "{}", "[1 2a3bc]", NULL},
    {"[{{ print nil }} {{ print .Values.nope }}]", "{}", "[<nil> <nil>]", NULL},
    {"[{{ println 1 \"a\" }}]", "{}", "[1 a\n]", NULL},
    {"[{{ print .Values.l .Values.m }}]", "{\"l\":[1,\"x\"],\"m\":{\"k\":[true]}}",
     "[[1 x] map[k:[true]]]", NULL},
    {"[{{ printf \"%v %v %v %v\" 1 \"s\" true nil }}]", "{}", "[1 s true <nil>]", NULL},
    {"[{{ printf \"%d|%5d|%-5d|%05d|%+d|%x|%X|%o|%b\" 42 42 42 42 42 255 255 8 5 }}]", "{}",
     "[42|   42|42   |00042|+42|ff|FF|10|101]", NULL},
    {"[{{ printf \"%s|%10s|%-10s|%.2s|%q\" \"abc\" \"abc\" \"abc\" \"abc\" \"a\\\"b\\n\" }}]", "{}",
     "[abc|       abc|abc       |ab|\"a\\\"b\\n\"]", NULL},
    {"[{{ printf \"%f|%.2f|%e|%g|%8.3f|%G\" 3.14159 3.14159 1234.5 0.000012 3.14159 1e-10 }}]",
     "{}", "[3.141590|3.14|1.234500e+03|1.2e-05|   3.142|1E-10]", NULL},
    {"[{{ printf \"%t %t\" true false }}]", "{}", "[true false]", NULL},
    {"[{{ printf \"%T %T %T %T %T %T %T\" 1 1.5 \"s\" true nil .Values.l .Values.m }}]",
     "{\"l\":[],\"m\":{}}",
     "[int float64 string bool <nil> []interface {} map[string]interface {}]", NULL},
    {"[{{ printf \"%%|%d%%\" 5 }}]", "{}", "[%|5%]", NULL},
    {"[{{ printf \"%d\" }} {{ printf \"%d\" 1 2 }} {{ printf \"%s\" 3 }} {{ printf \"%d\" \"x\" "
     "}}]",
     "{}", "[%!d(MISSING) 1%!(EXTRA int=2) %!s(int=3) %!d(string=x)]", NULL},
    {"[{{ printf \"%v\" .Values.a }} {{ printf \"%v\" .Values.b }} {{ printf \"%v\" .Values.c }}]",
     "{\"a\":1000000,\"b\":9007199254740993,\"c\":0.1}", "[1e+06 9.007199254740992e+15 0.1]", NULL},
    {"[{{ printf \"%d\" .Values.a }}]", "{\"a\":3}", "[%!d(float64=3)]", NULL},
    {"[{{ printf \"%v\" .Values.m }} {{ printf \"%s\" .Values.l }} {{ printf \"%q\" .Values.l }}]",
     "{\"m\":{\"b\":[1,2],\"a\":\"x\"},\"l\":[\"a\",\"b\"]}",
     "[map[a:x b:[1 2]] [a b] [\"a\" \"b\"]]", NULL},
    {"[{{ printf \"%x %X\" \"hi\" \"hi\" }} {{ printf \"%c\" 65 }} {{ printf \"%q\" 65 }} {{ "
     "printf \"%U\" 65 }}]",
     "{}", "[6869 6869 A 'A' U+0041]", NULL},
    {"[{{ printf \"%6.2f|%-8.3e|%+.1f\" 3.14159 1234.5 2.0 }}]", "{}", "[  3.14|1.234e+03|+2.0]",
     NULL},
    {"[{{ printf \"%*d|%-*d|%.*f\" 5 1 4 2 2 3.14159 }}]", "{}", "[    1|2   |3.14]", NULL},
    {"[{{ printf \"%v|%s\" .Values.nope .Values.nope }}]", "{}", "[<nil>|%!s(<nil>)]", NULL},
    {"[{{ printf \"%5t|%-7v|%3v\" true false \"abcd\" }}]", "{}", "[ true|false  |abcd]", NULL},
    {"[{{ printf \"%08.3f|% d|% d\" -3.5 5 -5 }}]", "{}", "[-003.500| 5|-5]", NULL},
    {"[{{ printf \"%#x %#o %#q\" 255 8 \"x\" }}]", "{}", "[0xff 010 `x`]", NULL},
    {"[{{ printf \"%g %g %g %g\" 100.0 1e6 1e-5 123456.0 }}]", "{}", "[100 1e+06 1e-05 123456]",
     NULL},
    {"[{{ printf \"%.3g %.10g\" 3.14159 3.14159 }}]", "{}", "[3.14 3.14159]", NULL},
    {"[{{ printf \"%v %v\" 1e20 1e21 }}]", "{}", "[1e+20 1e+21]", NULL},
    {"[{{ printf \"%s\" (list \"a\" 1) }}]", "{}", "[[a %!s(int=1)]]", NULL},
    {"[{{ printf \"%z\" 1 }}]", "{}", "[%!z(int=1)]", NULL},
    {"[{{ printf \"%!\" }}]", "{}", "[%!!(MISSING)]", NULL},
    {"[{{ printf \"%\" }}]", "{}", "[%!(NOVERB)]", NULL},
    {"[{{ printf \"%-5s|\" \"\303\251\" }}]", "{}", "[\303\251    |]", NULL},
    {"[{{ html \"<a href=\\\"x\\\">&'\" }}]", "{}", "[&lt;a href=&#34;x&#34;&gt;&amp;&#39;]", NULL},
    {"[{{ js \"it's <b> \\\"q\\\" \\\\ =&\" }}]", "{}",
     "[it\\'s \\u003Cb\\u003E \\\"q\\\" \\\\ \\u003D\\u0026]", NULL},
    {"[{{ urlquery \"a b&c=d/\303\251\" }}]", "{}", "[a+b%26c%3Dd%2F%C3%A9]", NULL},
    {"[{{ html 1 \"<\" }} {{ urlquery 1 2 }}]", "{}", "[1&lt; 1+2]", NULL},
    {"{{ .a } }}", "{}", NULL, "template: t:1: unexpected \"}\" in operand"},
    {"{{ if true }}x", "{}", NULL, "template: t:1: unexpected EOF"},
    {"{{ end }}", "{}", NULL, "template: t:1: unexpected {{end}}"},
    {"{{ else }}", "{}", NULL, "template: t:1: unexpected {{else}}"},
    {"a\nb\n{{ nofunc 1 }}", "{}", NULL, "template: t:3: function \"nofunc\" not defined"},
    {"{{ \"abc }}", "{}", NULL, "unterminated quoted string"},
    {"{{ `abc }}", "{}", NULL, "unterminated raw quoted string"},
    {"{{ 3x }}", "{}", NULL, "bad number syntax: \"3x\""},
    {"{{ . ", "{}", NULL, "unclosed action"},
    {"{{/* x }}", "{}", NULL, "template: t:1: unclosed comment"},
    {"{{ /* x */ }}", "{}", NULL, "template: t:1: unexpected \"/\" in command"},
    {"{{ }}", "{}", NULL, "missing value for command"},
    {"{{ if }}{{ end }}", "{}", NULL, "missing value for if"},
    {"{{ . | | 1 }}", "{}", NULL, "template: t:1: unexpected \"|\" in command"},
    {"{{ (1 }}", "{}", NULL, "unclosed left paren"},
    {"{{ 1) }}", "{}", NULL, "unexpected right paren"},
    {"{{ define \"a\" }}x{{ end }}{{ define \"a\" }}y{{ end }}", "{}", NULL,
     "template: multiple definition of template \"a\""},
    {"{{ template .x }}", "{}", NULL, "unexpected \".x\" in template clause"},
    {"{{ range $i, $v, $w := .l }}{{ end }}", "{}", NULL, "too many declarations in range"},
    {"{{ if true }}{{ else }}{{ else }}{{ end }}", "{}", NULL, "expected end; found {{else}}"},
    {"{{ \"a\".b }}", "{}", NULL, "unexpected . after term \"\\\"a\\\"\""},
    {"{{ .a\"x\" }}", "{}", NULL, "template: t:1: bad character U+0022"},
    {"{{ .a \"x\"}}{{ 1\"x\" }}", "{}", NULL, "template: t:1: unexpected \"\\\"x\\\"\" in operand"},
    {"{{ 'ab' }}", "{}", NULL, "malformed character constant"},
    {"{{ with $x := 1 }}{{ end }}{{ $x }}", "{}", NULL, "undefined variable \"$x\""},
    {"x\n{{ if true }}\n{{ end }}\n{{ end }}", "{}", NULL, "template: t:4: unexpected {{end}}"},
    {"[{{- /* c */}} x]", "{}", "[ x]", NULL},
    {"[a\n\n{{- /* c */ -}}\n\nb]", "{}", "[ab]", NULL},
    {"[{{ \"a\" }}\n{{- \"b\" }}\n  {{- \"c\" -}}\n]", "{}", "[abc]", NULL},
    {"[{{ range .Values.l -}}\n  {{ . }}\n{{ end -}}]", "{\"l\":[1,2]}", "[1\n2\n]", NULL},
    {"[{{ define \"t2\" }}{{ $.a }}-{{ .a }}{{ end }}{{ template \"t2\" .Values }}]",
     "{\"a\":\"A\"}", "[A-A]", NULL},
    {"[{{ range $i, $e := .Values.l }}{{ range $.Values.l }}{{ if eq . 2.0 }}{{ break }}{{ end "
     "}}{{ $i }}{{ end }}{{ end }}]",
     "{\"l\":[1,2,3]}", "[012]", NULL},
    {"[{{ range $k, $v := .Values.m }}{{ else }}{{ end }}none]", "{\"m\":{}}", "[none]", NULL},
    {"[{{ with .Values.a }}{{ $x := . }}{{ $x }}{{ else }}e{{ end }}]", "{\"a\":\"q\"}", "[q]",
     NULL},
    {"[{{ if and .Values.a (not .Values.b) }}yes{{ end }}]", "{\"a\":1,\"b\":false}", "[yes]",
     NULL},
    {"[{{ or (eq .Values.a \"x\") (eq .Values.a \"y\") }}]", "{\"a\":\"y\"}", "[true]", NULL},
    {"[{{ not (or .Values.nope .Values.nope2) }}]", "{}", "[true]", NULL},
    {"[{{ len (index .Values.m \"l\") }}]", "{\"m\":{\"l\":[1,2,3]}}", "[3]", NULL},
    {"[{{ index .Values.l 0 1 }}]", "{\"l\":[[5,6]]}", "[6]", NULL},
    {"[{{ .Values.a | printf \"%s:%s\" \"k\" }}]", "{\"a\":\"v\"}", "[k:v]", NULL},
    {"[{{ printf \"%5.1f|%-6.2f|%e\" .Values.f .Values.f .Values.f }}]", "{\"f\":2.345}",
     "[  2.3|2.35  |2.345000e+00]", NULL},
    {"[{{ printf \"%d %v %s\" .Values.n .Values.n .Values.n }}]", "{\"n\":14400}",
     "[%!d(float64=14400) 14400 %!s(float64=14400)]", NULL},
    {"[{{ printf \"%v\" .Values.big }}]", "{\"big\":12345678901234567890}",
     "[1.2345678901234567e+19]", NULL},
    {"[{{ printf \"%.2f%%\" 12.345 }}]", "{}", "[12.35%]", NULL},
    {"[{{ printf \"%x %X %o\" -255 255 -8 }}]", "{}", "[-ff FF -10]", NULL},
    {"[{{ printf \"%q\" \"tab\\there\\x01\303\251\" }}]", "{}", "[\"tab\\there\\x01\303\251\"]",
     NULL},
    {"[{{ printf \"%s %d\" \"only\" }}]", "{}", "[only %!d(MISSING)]", NULL},
    {"[{{ printf \"%03d|%-03d|%+05d\" 7 7 7 }}]", "{}", "[007|7  |+0007]", NULL},
    {"[{{ printf \"%t\" 1 }}]", "{}", "[%!t(int=1)]", NULL},
    {"[{{ printf \"%v\" (list 1 (list 2 3) (dict \"a\" nil)) }}]", "{}", "[[1 [2 3] map[a:<nil>]]]",
     NULL},
    {"[{{ printf \"%d\" (list 1 2) }}]", "{}", "[[1 2]]", NULL},
    {"[{{ printf \"%.1s|%.0d|%.3d\" \"xyz\" 0 7 }}]", "{}", "[x||007]", NULL},
    {"[{{ print \"a\" \"b\" 1 2 \"c\" nil \"d\" }}]", "{}", "[ab1 2c<nil>d]", NULL},
    {"[{{ println }}]", "{}", "[\n]", NULL},
    {"[{{ print }}]", "{}", "[]", NULL},
    {"[{{ html \"plain\" }} {{ js \"\\u2028x\" }} {{ urlquery \"~a-b_c.d\" }}]", "{}",
     "[plain \\u2028x ~a-b_c.d]", NULL},
    {"[{{ 'x' | printf \"%c\" }} {{ '\\'' }} {{ '\\\\' }}]", "{}", "[x 39 92]", NULL},
    {"[{{ 0x_1F }} {{ 0b_1 }} {{ 1_0.5 }} {{ .5 }} {{ 5. }}]", "{}", "[31 1 10.5 0.5 5]", NULL},
    {"[{{ -0x10 }} {{ 0X1f }} {{ 0O7 }} {{ 1E2 }} {{ -1.5e-3 }}]", "{}", "[-16 31 7 100 -0.0015]",
     NULL},
    {"[{{ \"\\\"quoted\\\"\" }} {{ \"a\\\\b\" }}]", "{}", "[\"quoted\" a\\b]", NULL},
    {"[{{ $ }}]", "{\"a\":1}", "[map[Values:map[a:1]]]", NULL},
    {"[{{ . }}]", "{}", "[map[Values:map[]]]", NULL},
    {"[{{ if .Values.a }}{{ else }}{{ end }}x]", "{\"a\":1}", "[x]", NULL},
    {"[{{ range $i, $c := \"abc\" | len }}{{ $i }}{{ end }}]", "{}", NULL,
     "template: t:1:28: executing \"t\" at <len>: can't use 3 to iterate over more than one "
     "variable"},
    {"{{ printf .Values.f }}", "{\"f\":1}", NULL,
     "wrong type for value; expected string; got float64"},
    {"[{{ $n := 0 }}{{ range .Values.l }}{{ $n = len (printf \"%v%v\" $n .) }}{{ end }}{{ $n }}]",
     "{\"l\":[\"ab\",\"c\"]}", "[2]", NULL},
    {"[{{ range $i, $v := .Values.l }}{{ if $i }},{{ end }}{{ $v }}{{ end }}]",
     "{\"l\":[\"a\",\"b\",\"c\"]}", "[a,b,c]", NULL},
    {"[{{ with $v := .Values.l }}{{ len $v }}{{ end }}]", "{\"l\":[\"a\"]}", "[1]", NULL},
    {"[{{ eq \"\" \"\" }} {{ eq 0.0 0.0 }} {{ eq .Values.f 0.1 }}]", "{\"f\":0.1}",
     "[true true true]", NULL},
    {"[{{ lt \"B\" \"a\" }} {{ le \"b\" \"b\" }} {{ ge 2.0 2.5 }} {{ gt \"b\" \"a\" }}]", "{}",
     "[true true false true]", NULL},
    {"[{{ eq .Values.a .Values.b }} {{ ne .Values.a .Values.c }}]",
     "{\"a\":\"x\",\"b\":\"x\",\"c\":\"y\"}", "[true true]", NULL},
    {"[{{ template \"a\" }}{{ define \"a\" }}A{{ end }}{{ define \"b\" }}B{{ end }}]", "{}", "[A]",
     NULL},
    {"[{{ block \"blk\" .Values }}{{ .x }}{{ end }}]", "{\"x\":\"bx\"}", "[bx]", NULL},
    {"{{ printf 1 }}", "{}", NULL,
     "template: t:1:10: executing \"t\" at <1>: expected string; found 1"},
    {"{{ if true }}{{ range }}{{ end }}{{ end }}", "{}", NULL, "missing value for range"},
    {"{{ define }}{{ end }}", "{}", NULL, "unexpected \"}}\" in define clause"},
    {"{{ define \"a\" }}", "{}", NULL, "unexpected EOF"},
    {"{{ template }}", "{}", NULL, "unexpected \"}}\" in template clause"},
    {"{{ with }}{{ end }}", "{}", NULL, "missing value for with"},
    {"{{ else if true }}", "{}", NULL, "unexpected {{else}}"},
    {"{{ range .Values.l }}{{ . }}", "{}", NULL, "unexpected EOF"},
    {"{{ $x := 1 := 2 }}", "{}", NULL, "unexpected \":=\" in operand"},
    {"{{ \"\\q\" }}", "{}", NULL, "invalid syntax"},
    {"{{ 1 2 }}", "{}", NULL, "can't give argument to non-function 1"},
    {"{{ .Values.a 1 }}", "{\"a\":{}}", NULL, "a is not a method but has arguments"},
    {"{{ \"x\" | .Values.a }}", "{\"a\":1}", NULL, "a is not a method but has arguments"},
    {"{{ index .Values.l -1 }}", "{\"l\":[1]}", NULL, "index out of range: -1"},
    {"{{ index .Values.l nil }}", "{\"l\":[1]}", NULL, "cannot index slice/array with nil"},
    {"{{ len nil }}", "{}", NULL, "len of nil pointer"},
    {"{{ range .Values.l }}{{ .a }}{{ end }}", "{\"l\":[\"s\"]}", NULL,
     "can't evaluate field a in type interface {}"},
    {"{{ .Values.a.b.c }}", "{\"a\":{}}", NULL, "nil pointer evaluating interface {}.c"},
    {"x\n{{ if true }}\n  {{ .Values.a.b }}\n{{ end }}", "{}", NULL,
     "template: t:3:12: executing \"t\" at <.Values.a.b>: nil pointer evaluating interface {}.b"},
    {"{{ lt (list) 1 }}", "{}", NULL, "invalid type for comparison"},
    {"{{ eq \"a\" 1 }}", "{}", NULL, "incompatible types for comparison: string and int"},
    {"{{ ge .Values.f 1 }}", "{\"f\":1}", NULL,
     "incompatible types for comparison: float64 and int"},
    {"{{ 99999999999999999999 }}", "{}", NULL,
     "template: t:1: integer overflow: \"99999999999999999999\""},
    {"{{ 0x }}", "{}", NULL, "illegal number syntax: \"0x\""},
    {"{{ 1__0 }}", "{}", NULL, "illegal number syntax: \"1__0\""},
    {"{{ 1_ }}", "{}", NULL, "illegal number syntax: \"1_\""},
    {"[{{ printf \"%v %f\" .Values.inf 1.5 }}]", "{}", "[<nil> 1.500000]", NULL},
    {"[{{ print 1 2 }} {{ print \"a\" 1 2 \"b\" }}]", "{}", "[1 2 a1 2b]", NULL},
    {"[{{ printf \"%5.2v|%x|%-4q|\" 3.14159 3.5 \"a\" }}]", "{}", "[  3.1|0x1.cp+01|\"a\" |]",
     NULL},
    {"[{{ printf \"%10.3e|%+v|%v\" 12345.678 1.5 -0.0 }}]", "{}", "[ 1.235e+04|1.5|-0]", NULL},
    {"[{{ printf \"%X|%x\" 0.1 -2.0 }}]", "{}", "[0X1.999999999999AP-04|-0x1p+01]", NULL},
    {"{{ len .Values.nope }}", "{}", NULL,
     "template: t:1:3: executing \"t\" at <len .Values.nope>: error calling len: len of nil "
     "pointer"},
    {"{{ index .Values.nope \"a\" }}", "{}", NULL, "error calling index: index of untyped nil"},
    {"{{ range .Values.l }}{{ .a }}{{ end }}", "{\"l\":[1,null]}", NULL,
     "template: t:1:24: executing \"t\" at <.a>: can't evaluate field a in type interface {}"},
    {"{{ .Values.l.x }}", "{\"l\":[1]}", NULL,
     "template: t:1:10: executing \"t\" at <.Values.l.x>: can't evaluate field x in type interface "
     "{}"},
    {"{{ not }}", "{}", NULL, "wrong number of args for not: want 1 got 0"},
    {"[{{ $x := 1 }}{{ $x = \"s\" }}{{ $x }}]", "{}", "[s]", NULL},
    {"[{{ html }}]", "{}", "[]", NULL},
    /* %#v: Go's syntax for the value (helm v4.1.4) */
    {"[{{ printf \"%#v\" .Values.l }}]", "{\"l\":[1,\"a\",null,true,2.5,{\"k\":\"v\"},[]]}",
     "[[]interface {}{1, \"a\", interface {}(nil), true, 2.5, map[string]interface "
     "{}{\"k\":\"v\"}, "
     "[]interface {}{}}]",
     NULL},
    {"[{{ printf \"%#v\" .Values.m }}]",
     "{\"m\":{\"b\":1,\"a\":\"x\",\"n\":null,\"e\":{},\"f\":1000000,\"g\":0.0001,\"h\":-0.5}}",
     "[map[string]interface {}{\"a\":\"x\", \"b\":1, \"e\":map[string]interface {}{}, \"f\":1e+06, "
     "\"g\":0.0001, \"h\":-0.5, \"n\":interface {}(nil)}]",
     NULL},
    {"[{{ printf \"%#v|%#v|%#v|%#v|%#v\" 1 2.0 true nil \"x\" }}]", "{}", "[1|2|true|<nil>|\"x\"]",
     NULL},
    {"[{{ printf \"%#v %#v\" .Values.nope (list) }}]", "{}", "[<nil> []interface {}{}]", NULL},
    {"[{{ printf \"[%#10v][%#-5v][%#5v]\" \"ab\" \"a\" 1 }}]", "{}",
     "[[      \"ab\"][\"a\"  ][    1]]", NULL},
    {"[{{ printf \"%#v\" (list \"a\\tb\" \"\\x00\" .Values.s) }}]", "{\"s\":\"q\\\"t\\n\\u00e9\"}",
     "[[]interface {}{\"a\\tb\", \"\\x00\", \"q\\\"t\\n\303\251\"}]", NULL},
    {"[{{ printf \"%#v\" (dict \"k\" (list nil)) }}]", "{}",
     "[map[string]interface {}{\"k\":[]interface {}{interface {}(nil)}}]", NULL},
    {"[{{ printf \"%+v\" .Values.m }}]", "{\"m\":{\"a\":1}}", "[map[a:1]]", NULL},
    /* more of fmt (helm v4.1.4) */
    {"[{{ printf \"%[2]v %[1]v|%[2]v %v|%[3]v|%[0]v|%[x]v|%[]d\" 1 2 }}]", "{}",
     "[2 1|2 %!v(MISSING)|%!v(BADINDEX)|%!v(BADINDEX)|%!v(BADINDEX)|%!d(BADINDEX)]", NULL},
    {"[{{ printf \"%[2]*[1]d|%.[2]*[1]f|%[1]d %d %d\" 3 4 }}]", "{}",
     "[   3|%!f(int=0003)|3 4 %!d(MISSING)]", NULL},
    {"[{{ printf \"%[1]2d\" 3 }}]", "{}", "[%!d(BADINDEX)]", NULL},
    {"[{{ printf \"%#x|% #X|%.2x|%#x|%#6x|\" \"ab\" \"ab\" \"h\\u00e9llo\" \"\" \"ab\" }}]", "{}",
     "[0x6162|0X61 0X62|68c3||0x6162|]", NULL},
    {"[{{ printf \"%U|%#U|%#U\" 0x1F600 65 10 }}]", "{}", "[U+1F600|U+0041 'A'|U+000A]", NULL},
    {"[{{ printf \"%q|%d\" .Values.l .Values.l }}]", "{\"l\":[1,null,\"a\"]}",
     "[[%!q(float64=1) <nil> \"a\"]|[%!d(float64=1) <nil> %!d(string=a)]]", NULL},
    {"[{{ printf \"%5.|%5d|%+s|%.1d|%05s|%-4t|\" 1 \"a\" 1 \"abc\" 1 \"x\" }}]", "{}",
     "[%!|(int=    1)%!d(string=    a)|%!s(int=+1)|%!d(string=a)|%!s(int=00001)|%!t(string=x   "
     ")|]",
     NULL},
    {"[{{ printf \"%.200d\" 5 | len }}|{{ printf \"%.600f\" 1.0 | len }}|{{ printf \"%#.200x\" 255 "
     "| len }}|{{ printf \"%.500f\" 1e308 | len }}]",
     "{}", "[200|602|202|810]", NULL},
    {"{{ 1e400 }}", "{}", NULL, "template: t:1: illegal number syntax: \"1e400\""},
    {"[{{ 1e-400 }}]", "{}", "[0]", NULL},
    {"{{ \"\\z\" }}", "{}", NULL, "template: t:1: invalid syntax"},
    {"[{{ printf \"%#g|%#g|%#g|%#G|%#g|%#v|%#10g|\" 1.0 0.0 1e-7 1e21 123456789.0 1.0 3.0 }}]",
     "{}", "[1.00000|0.00000|1.00000e-07|1.00000E+21|1.23456789e+08|1|   3.00000|]", NULL},
    {"[{{ printf \"%+q|%+.2q|%#q|%#q|%+q\" \"\\u00e9\" \"h\\u00e9llo\" \"a\\tb\" \"a\\nb\" 233 }}]",
     "{}", "[\"\\u00e9\"|\"h\\u00e9\"|`a\tb`|\"a\\nb\"|'\\u00e9']", NULL},
    {"[{{ js nil }}|{{ urlquery nil 1 }}|{{ html nil nil }}]", "{}",
     "[\\u003Cno value\\u003E|%3Cno+value%3E1|&lt;no value&gt;&lt;no value&gt;]", NULL},
    {"{{ index nil }}", "{}", NULL, "error calling index: index of untyped nil"},
    {"{{ index .Values.m \"n\" \"x\" }}", "{\"m\":{\"n\":null}}", NULL,
     "error calling index: index of nil pointer"},
    {"{{ index .Values.m \"nope\" \"x\" }}", "{\"m\":{}}", NULL,
     "error calling index: index of nil pointer"},
    /* a nil element met inside range is a nil interface: its fields fail (helm v4.1.4) */
    {"{{ range .Values.l }}[{{ .a }}]{{ end }}", "{\"l\":[null]}", NULL,
     "template: t:1:25: executing \"t\" at <.a>: nil pointer evaluating interface {}.a"},
    {"{{ range $x := .Values.l }}[{{ $x.a }}]{{ end }}", "{\"l\":[null,{\"a\":1}]}", NULL,
     "template: t:1:33: executing \"t\" at <$x.a>: nil pointer evaluating interface {}.a"},
    {"{{ range .Values.l }}{{ if true }}[{{ .a.b }}]{{ end }}{{ end }}", "{\"l\":[null]}", NULL,
     "executing \"t\" at <.a.b>: nil pointer evaluating interface {}.a"},
    {"{{ range $k, $v := .Values.m }}{{ $v.a }}{{ end }}", "{\"m\":{\"a\":\"x\"}}", NULL,
     "executing \"t\" at <$v.a>: can't evaluate field a in type interface {}"},
    {"{{ $x := \"s\" }}{{ $x.a }}", "{}", NULL,
     "executing \"t\" at <$x.a>: can't evaluate field a in type string"},
    {"{{ range .Values.l }}[{{ $y := . }}{{ $y.a }}|{{ with . }}x{{ else }}none{{ end }}]{{ end }}",
     "{\"l\":[null]}", "[<no value>|none]", NULL},
    {"{{ define \"d\" }}{{ .a }}{{ end }}{{ range .Values.l }}[{{ template \"d\" . }}]{{ end }}",
     "{\"l\":[null]}", "[<no value>]", NULL},
    {"[{{ range .Values.l }}{{ . }},{{ end }}]", "{\"l\":[null,1]}", "[<no value>,1,]", NULL},
    {"[{{ range .Values.l }}{{ with $.Values.m }}{{ .a }}{{ end }}{{ end }}]",
     "{\"l\":[null],\"m\":{\"a\":2}}", "[2]", NULL},
};

static void test_table(void)
{
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct tcase *c = &cases[i];
        struct dk_tmpl t;
        struct dk_buf out = DK_BUF_INIT;
        struct dk_err err = DK_ERR_INIT;
        int rc;

        setup(&t);
        rc = run(&t, c->tmpl, c->values, &out, &err);
        if (c->err) {
            if (!ok(rc < 0 && strstr(err.msg, c->err) != NULL, "tmpl: %s fails with '%s'", c->tmpl,
                    c->err))
                printf("#   got: rc %d '%s' out '%s'\n", rc, err.msg, out.buf);
        } else {
            if (rc < 0)
                printf("#   error: %s\n", err.msg);
            is_str(rc == 0 ? out.buf : NULL, c->want, "tmpl: %s", c->tmpl);
        }
        dk_buf_release(&out);
        dk_tmpl_release(&t);
    }
}

static int parse(struct dk_tmpl *t, const char *name, const char *text, struct dk_err *err)
{
    return dk_tmpl_parse(t, name, text, strlen(text), err);
}

/* Runs text with data given as JSON (the data itself, not under .Values). */
static void check(struct dk_tmpl *t, const char *text, const char *json, const char *want,
                  const char *what)
{
    struct dk_buf out = DK_BUF_INIT;
    struct dk_err err = DK_ERR_INIT;
    struct dk_val *d = NULL;
    cJSON *j = NULL;
    int rc;

    if (json && dk_json_parse(json, strlen(json), "data", &j, &err) == 0) {
        d = dk_val_from_json(j);
        cJSON_Delete(j);
    }
    rc = dk_tmpl_parse(t, "c", text, strlen(text), &err);
    if (rc == 0)
        rc = dk_tmpl_exec(t, "c", d, &out, &err);
    if (rc < 0)
        printf("#   error: %s\n", err.msg);
    is_str(rc == 0 ? out.buf : NULL, want, "tmpl: %s", what);
    dk_val_unref(d);
    dk_buf_release(&out);
}

static void test_callbacks(void)
{
    struct dk_tmpl t;
    struct dk_buf out = DK_BUF_INIT;
    struct dk_err err = DK_ERR_INIT;
    int rc;

    setup(&t);
    check(&t, "{{ define \"n\" }}name-{{ .x }}{{ end }}[{{ include \"n\" . | printf \"%q\" }}]",
          "{\"x\":1}", "[\"name-1\"]", "include calls back into the executor, output piped");
    check(&t, "[{{ tpl \"{{ .x }}-{{ template \\\"n\\\" . }}\" . }}]", "{\"x\":\"a\"}",
          "[a-name-a]", "tpl parses and runs a string that sees the set's templates");
    /* Helm parses tpl's text into a clone of the set (helm v4.1.4) */
    check(&t,
          "{{ define \"d\" }}x{{ end }}[{{ tpl \"{{ define \\\"d\\\" }}y{{ end }}{{ template "
          "\\\"d\\\" }}{{ include \\\"d\\\" . }}\" . }}{{ template \"d\" }}{{ include \"d\" . }}]",
          "{}", "[yyxx]", "tpl defines are seen inside the tpl call, not after it");
    check(&t,
          "{{ define \"d\" }}x{{ end }}{{ define \"e\" }}<{{ template \"d\" }}>{{ end }}[{{ tpl "
          "\"{{ define \\\"d\\\" }}y{{ end }}{{ template \\\"e\\\" }}{{ tpl \\\"{{ define "
          "\\\\\\\"d\\\\\\\" }}z{{ end }}{{ template \\\\\\\"e\\\\\\\" }}\\\" . }}{{ template "
          "\\\"e\\\" }}\" . }}{{ template \"e\" }}]",
          "{}", "[<y><z><y><x>]", "nested tpl calls stack their defines");
    check(&t,
          "{{ define \"d\" }}x{{ end }}[{{ tpl \"{{ define \\\"d\\\" }}{{ end }}{{ template "
          "\\\"d\\\" }}\" . }}]",
          "{}", "[x]", "an empty define in tpl does not hide a template");
    check(&t, "[{{ tpl \"x\" . }}|{{ tpl \"\" . }}|{{ tpl \" \" . }}]", "{}", "[x|| ]",
          "tpl of an empty string replaces the earlier text");
    check(&t, "{{ define \"w\" }}{{ where }}{{ end }}[{{ where }} {{ template \"w\" }}]", "{}",
          "[c w]", "a function learns which template calls it");
    rc = parse(&t, "f", "x{{ fail \"boom\" }}", &err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "f", NULL, &out, &err);
    ok(rc < 0 && !strcmp(err.msg, "template: f:1:4: executing \"f\" at <fail \"boom\">: error "
                                  "calling fail: boom"),
       "tmpl: a failing function gives Go's error text (%s)", err.msg);
    is_str(out.buf, "x", "tmpl: output before the error is kept");
    dk_buf_reset(&out);
    dk_err_init(&err);
    rc = parse(&t, "g", "{{ include \"nope\" . }}", &err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "g", NULL, &out, &err);
    ok(rc < 0 && strstr(err.msg, "error calling include: template: no template \"nope\""),
       "tmpl: include of a missing template fails (%s)", err.msg);
    dk_err_init(&err);
    rc = parse(
        &t, "h",
        "{{ define \"inner\" }}{{ .a.nope.x }}{{ end }}{{ include \"inner\" (dict \"a\" (dict)) }}",
        &err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "h", NULL, &out, &err);
    ok(rc < 0 && strstr(err.msg, "error calling include: template: h:1:") &&
           strstr(err.msg,
                  "executing \"inner\" at <.a.nope.x>: nil pointer evaluating interface {}.x"),
       "tmpl: errors inside include name the inner template (%s)", err.msg);
    dk_err_init(&err);
    rc = parse(&t, "i",
               "{{ define \"loop\" }}{{ include \"loop\" . }}{{ end }}"
               "{{ include \"loop\" . }}",
               &err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "i", NULL, &out, &err);
    ok(rc < 0 && !strcmp(err.msg, "exceeded maximum template depth (1000)"),
       "tmpl: include recursion stops at the depth limit");
    dk_buf_release(&out);
    dk_tmpl_release(&t);
}

static void test_methods_and_delims(void)
{
    struct dk_tmpl t;
    struct dk_val *d = dk_val_map(), *files = dk_val_map();
    struct dk_buf out = DK_BUF_INIT;
    struct dk_err err = DK_ERR_INIT;
    static char answer[] = "file-content";
    int rc;

    setup(&t);
    dk_tmpl_register(&t, "getfn", fn_getfn, answer);
    dk_val_map_set(files, "Get", dk_val_func(fn_get, answer));
    dk_val_map_set(d, "Files", files);
    rc = parse(&t, "m",
               "[{{ .Files.Get \"x\" }}|{{ \"y\" | .Files.Get }}|{{ call (getfn) \"z\" }}|{{ call "
               "(getfn) }}]",
               &err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "m", d, &out, &err);
    if (rc < 0)
        printf("#   error: %s\n", err.msg);
    is_str(out.buf, "[file-content|file-content|file-content|got nothing]",
           "tmpl: a function value reached as a field is called like a method");
    dk_val_unref(d);
    dk_buf_release(&out);

    dk_tmpl_set_delims(&t, "[[", "]]");
    check(&t, "{{ x }} [[ .a ]] [[- \" y \" -]] !", "{\"a\":1}", "{{ x }} 1 y !",
          "custom delimiters, with trim markers");
    dk_tmpl_set_delims(&t, NULL, NULL);
    check(&t, "{{ .a }}", "{\"a\":2}", "2", "default delimiters come back");
    dk_tmpl_release(&t);
    dk_tmpl_release(&t);
}

static void test_sets(void)
{
    struct dk_tmpl t;
    struct dk_buf out = DK_BUF_INIT;
    struct dk_err err = DK_ERR_INIT;

    setup(&t);
    ok(parse(&t, "a", "{{ define \"d\" }}one{{ end }}", &err) == 0, "tmpl: parse a define");
    ok(parse(&t, "b", "{{ define \"d\" }}two{{ end }}", &err) == 0,
       "tmpl: a later parse may redefine");
    ok(parse(&t, "c", "{{ define \"d\" }}  {{ end }}", &err) == 0,
       "tmpl: an empty redefinition is accepted");
    ok(dk_tmpl_has(&t, "d") && dk_tmpl_has(&t, "a") && !dk_tmpl_has(&t, "zz"),
       "tmpl: has() sees templates and defines");
    ok(dk_tmpl_exec(&t, "d", NULL, &out, &err) == 0 && !strcmp(out.buf, "two"),
       "tmpl: the last non-empty definition wins (%s)", out.buf);
    dk_buf_reset(&out);
    dk_tmpl_register(&t, "len", fn_list, NULL);
    ok(parse(&t, "ov", "{{ len 1 2 }}", &err) == 0 &&
           dk_tmpl_exec(&t, "ov", NULL, &out, &err) == 0 && !strcmp(out.buf, "[1 2]"),
       "tmpl: a registered function wins over the builtin of the same name");
    dk_buf_reset(&out);
    ok(dk_tmpl_exec(&t, "nope", NULL, &out, &err) < 0 && strstr(err.msg, "no template \"nope\"") &&
           err.code == DK_E_NOTFOUND,
       "tmpl: executing an unknown template fails");
    ok(parse(&t, "bad", "{{ if }}", &err) < 0 && err.code == DK_E_INPUT && !dk_tmpl_has(&t, "bad"),
       "tmpl: a parse error adds nothing and is DK_E_INPUT");
    ok(parse(&t, "bad2", "{{ define \"d\" }}three{{ end }}{{ 1) }}", &err) < 0,
       "tmpl: a failed parse fails whole");
    dk_buf_reset(&out);
    ok(dk_tmpl_exec(&t, "d", NULL, &out, &err) == 0 && !strcmp(out.buf, "two"),
       "tmpl: a failed parse keeps the old definitions");
    dk_buf_release(&out);
    dk_tmpl_release(&t);
}

static void test_limits(void)
{
    struct dk_tmpl t;
    struct dk_buf out = DK_BUF_INIT;
    struct dk_err err = DK_ERR_INIT;
    const char *text;
    int rc;

    setup(&t);
    t.max_output = 100;
    text = "{{ range 50 }}abc{{ end }}";
    rc = dk_tmpl_parse(&t, "o", text, strlen(text), &err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "o", NULL, &out, &err);
    ok(rc < 0 && strstr(err.msg, "output exceeds the limit of 100 bytes") && out.len <= 100,
       "tmpl: output cap (%s)", err.msg);
    dk_buf_reset(&out);
    text = "{{ $x := \"ab\" }}{{ range 100 }}{{ $x = printf \"%s%s\" $x $x }}{{ end }}";
    dk_err_init(&err);
    rc = parse(&t, "grow", text, &err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "grow", NULL, &out, &err);
    ok(rc < 0 && strstr(err.msg, "error calling printf: result exceeds the output limit of 100 "
                                 "bytes"),
       "tmpl: strings built by functions are capped too (%s)", err.msg);
    dk_buf_reset(&out);
    t.max_output = 1 << 20;
    t.max_range = 1000;
    text = "{{ range 10 }}{{ range 10 }}{{ range 11 }}{{ end }}{{ end }}{{ end }}";
    dk_err_init(&err);
    rc = dk_tmpl_parse(&t, "r", text, strlen(text), &err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "r", NULL, &out, &err);
    ok(rc < 0 && strstr(err.msg, "range iteration limit (1000) exceeded"),
       "tmpl: range iteration cap (%s)", err.msg);
    t.max_depth = 10;
    text = "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}";
    dk_err_init(&err);
    rc = dk_tmpl_parse(&t, "d", text, strlen(text), &err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "d", NULL, &out, &err);
    ok(rc < 0 && strstr(err.msg, "exceeded maximum template depth (10)"),
       "tmpl: template depth cap (%s)", err.msg);
    {
        struct dk_buf deep = DK_BUF_INIT;
        int i;

        dk_buf_add(&deep, "{{ ");
        for (i = 0; i < 100000; i++)
            dk_buf_addch(&deep, '(');
        dk_buf_add(&deep, "1");
        for (i = 0; i < 100000; i++)
            dk_buf_addch(&deep, ')');
        dk_buf_add(&deep, " }}");
        dk_err_init(&err);
        ok(parse(&t, "deep", deep.buf, &err) < 0 &&
               strstr(err.msg, "max nesting depth 500 exceeded"),
           "tmpl: deeply nested parentheses are a parse error, not a crash (%s)", err.msg);
        dk_buf_reset(&deep);
        for (i = 0; i < 10000; i++)
            dk_buf_add(&deep, "{{ if 1 }}");
        dk_err_init(&err);
        ok(parse(&t, "deep2", deep.buf, &err) < 0 &&
               strstr(err.msg, "max nesting depth 500 exceeded"),
           "tmpl: deeply nested ifs are a parse error (%s)", err.msg);
        dk_buf_reset(&deep);
        for (i = 0; i < 400; i++)
            dk_buf_add(&deep, "{{ range 1 }}");
        dk_buf_add(&deep, "x");
        for (i = 0; i < 400; i++)
            dk_buf_add(&deep, "{{ end }}");
        dk_buf_reset(&out);
        dk_err_init(&err);
        ok(parse(&t, "deep3", deep.buf, &err) == 0 &&
               dk_tmpl_exec(&t, "deep3", NULL, &out, &err) == 0 && !strcmp(out.buf, "x"),
           "tmpl: 400 nested ranges run");
        dk_buf_release(&deep);
    }
    dk_buf_reset(&out);
    t.missing_error = 1;
    text = "{{ .a }}";
    dk_err_init(&err);
    rc = parse(&t, "mk", text, &err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "mk", NULL, &out, &err);
    is_str(err.msg, "template: mk:1:3: executing \"mk\" at <.a>: nil data; no entry for key \"a\"",
           "tmpl: missing_error on nil data");
    {
        struct dk_val *d = dk_val_map();

        dk_err_init(&err);
        rc = dk_tmpl_exec(&t, "mk", d, &out, &err);
        is_str(err.msg,
               "template: mk:1:3: executing \"mk\" at <.a>: map has no entry for key \"a\"",
               "tmpl: missing_error on a missing key (Helm --strict)");
        dk_val_unref(d);
    }
    dk_buf_release(&out);
    dk_tmpl_release(&t);
}

static void test_values(void)
{
    static const struct {
        double f;
        const char *want;
    } floats[] = {
        {1000000, "1e+06"},
        {100000, "100000"},
        {3.14, "3.14"},
        {100, "100"},
        {0.0001, "0.0001"},
        {0.00001, "1e-05"},
        {9007199254740993.0, "9.007199254740992e+15"},
        {12345678901234567890.0, "1.2345678901234567e+19"},
        {-2.5, "-2.5"},
        {0, "0"},
        {1e21, "1e+21"},
        {123456789, "1.23456789e+08"},
    };
    struct dk_err err = DK_ERR_INIT;
    struct dk_buf b = DK_BUF_INIT;
    const char *json = "{\"b\":[1,2.5,\"x\",true,null,{}],\"a\":{\"z\":false}}";
    struct dk_val *v, *l;
    cJSON *j = NULL, *back;
    char *s;
    size_t i;

    for (i = 0; i < sizeof(floats) / sizeof(floats[0]); i++) {
        v = dk_val_float(floats[i].f);
        dk_buf_reset(&b);
        dk_val_format(v, &b);
        is_str(b.buf, floats[i].want, "val: %%v of %.17g", floats[i].f);
        dk_val_unref(v);
    }
    dk_json_parse(json, strlen(json), "v", &j, &err);
    v = dk_val_from_json(j);
    dk_buf_reset(&b);
    dk_val_format(v, &b);
    is_str(b.buf, "map[a:map[z:false] b:[1 2.5 x true <nil> map[]]]",
           "val: from_json keeps kinds, map keys sorted");
    ok(dk_val_map_get(dk_val_map_get(v, "b") ? v : NULL, "b")->u.list.v[0]->kind == DK_VAL_FLOAT,
       "val: JSON numbers become float64");
    back = dk_val_to_json(v);
    s = dk_json_print(back, 0);
    is_str(s, "{\"a\":{\"z\":false},\"b\":[1,2.5,\"x\",true,null,{}]}", "val: to_json");
    free(s);
    cJSON_Delete(back);
    cJSON_Delete(j);
    ok(dk_val_truth(v) && !dk_val_truth(dk_val_nil()), "val: truth of map and nil");
    is_str(dk_val_type_name(v), "map[string]interface {}", "val: type name of a map");
    dk_val_unref(v);

    l = dk_val_list();
    dk_val_list_push(l, dk_val_int(1));
    dk_val_list_push(l, dk_val_strn("a\0b", 3));
    ok(l->u.list.n == 2 && l->u.list.v[1]->u.str.len == 3, "val: strings keep NUL bytes");
    v = dk_val_ptr(&i, NULL);
    ok(dk_val_to_json(v) == NULL, "val: a pointer has no JSON form");
    dk_val_unref(v);
    v = dk_val_float(1.0 / 0.0);
    ok(dk_val_to_json(v) == NULL, "val: an infinite float has no JSON form");
    dk_val_unref(v);
    dk_val_unref(l);
    dk_buf_release(&b);
}

/* Inputs `make fuzz` found crashing, leaking or looping, and the cycles sprig's set could make. */
static void test_fuzz_regressions(void)
{
    static const char nul_text[] = "a\0b{{ 1 }}\0";
    static const char nul_action[] = "{{ with $y := .a }\0}{{ $y }}{{ end }}";
    struct dk_tmpl t;
    struct dk_buf out = DK_BUF_INIT;
    struct dk_err err = DK_ERR_INIT;
    int rc;

    setup(&t);
    /* the parser copied the text with strndup: reads past the copy (ASan), output cut at NUL */
    rc = dk_tmpl_parse(&t, "n", nul_text, sizeof(nul_text) - 1, &err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "n", NULL, &out, &err);
    ok(rc == 0 && out.len == 5 && !memcmp(out.buf, "a\0b1\0", 5),
       "fuzz: NUL bytes in the text are copied to the output");
    dk_err_init(&err);
    ok(dk_tmpl_parse(&t, "n2", nul_action, sizeof(nul_action) - 1, &err) < 0 &&
           strstr(err.msg, "template: n2:1: "),
       "fuzz: a NUL byte inside an action is a parse error (%s)", err.msg);

    /* 1000 template levels of 300 nested ifs each overflowed the stack before max_depth */
    {
        struct dk_buf deep = DK_BUF_INIT;
        int i;

        dk_buf_add(&deep, "{{ define \"r\" }}");
        for (i = 0; i < 300; i++)
            dk_buf_add(&deep, "{{ if 1 }}");
        dk_buf_add(&deep, "{{ template \"r\" . }}");
        for (i = 0; i < 300; i++)
            dk_buf_add(&deep, "{{ end }}");
        dk_buf_add(&deep, "{{ end }}{{ template \"r\" . }}");
        dk_err_init(&err);
        rc = parse(&t, "deep", deep.buf, &err);
        if (rc == 0)
            rc = dk_tmpl_exec(&t, "deep", NULL, &out, &err);
        ok(rc < 0 && strstr(err.msg, "exceeded maximum template depth: actions and template calls "
                                     "nest too deep for the stack") == err.msg,
           "fuzz: deep nesting across template calls stops before the stack ends (%.60s)", err.msg);
        dk_buf_release(&deep);
        dk_buf_reset(&out);
        dk_err_init(&err);
    }

    /* tpl kept every text it parsed until release: a loop over tpl grew without bound */
    {
        size_t before;

        rc =
            parse(&t, "tl",
                  "{{ range 1000 }}{{ tpl \"{{ define \\\"x\\\" }}{{ end }}\" . }}{{ end }}", &err);
        before = t.ndefs;
        if (rc == 0)
            rc = dk_tmpl_exec(&t, "tl", NULL, &out, &err);
        ok(rc == 0 && t.ndefs == before && t.nold == 0,
           "fuzz: tpl's templates are gone after each call (%zu of %zu left)", t.ndefs, before);
    }
    dk_tmpl_release(&t);

    /* range's dot was a borrowed element: set replacing it freed it under the body (ASan) */
    dk_tmpl_init(&t);
    dk_tmplfuncs_register(&t, &err);
    check(&t,
          "{{ $m := dict \"a\" (dict \"x\" 1) \"b\" 2 }}{{ range $m }}{{ $_ := set $m \"a\" 2 }}"
          "[{{ . }}]{{ end }}",
          NULL, "[map[x:1]][2]", "fuzz: range holds each element while the body replaces it");
    check(&t,
          "{{ $m := dict \"a\" 1 \"b\" 2 }}{{ range $k, $v := $m }}{{ $_ := unset $m \"b\" }}"
          "{{ $_ := set $m \"c\" 3 }}[{{ $k }}={{ $v }}]{{ end }}{{ $m }}",
          NULL, "[a=1][b=2]map[a:1 c:3]",
          "fuzz: range over a map takes its keys and values first (helm v4.1.4)");
    dk_buf_release(&out);
    dk_tmpl_release(&t);
}

/* Values a template can build that are small in memory but huge or deep when walked. */
static void test_big_values(void)
{
    struct dk_tmpl t;
    struct dk_buf out = DK_BUF_INIT;
    struct dk_err err = DK_ERR_INIT;
    struct dk_val *deep = dk_val_list(), *l;
    cJSON *j;
    const char *dag = "{{ $a := list 1 }}{{ range until 40 }}{{ $a = list $a $a }}{{ end }}";
    char *text;
    int i, rc;

    for (i = 0; i < 1000000; i++) {
        l = dk_val_list();
        dk_val_list_push(l, deep);
        deep = l;
    }
    ok(dk_val_count(deep, DK_VAL_EXPAND_MAX) == DK_VAL_EXPAND_MAX,
       "big: a list nested a million deep counts as too big");
    j = dk_val_to_json(deep);
    ok(j == NULL, "big: and has no JSON form (the conversion recurses)");
    cJSON_Delete(j);
    dk_val_unref(deep); /* recursed a million deep: a crash before */
    ok(1, "big: releasing a list nested a million deep does not exhaust the stack");

    dk_tmpl_init(&t);
    dk_tmplfuncs_register(&t, &err);
    t.max_output = 1 << 16;
    text = dk_xasprintf("%s[{{ toJson $a }}|{{ toYaml $a }}|{{ deepEqual $a $a }}]", dag);
    rc = parse(&t, "b1", text, &err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "b1", NULL, &out, &err);
    is_str(rc == 0 ? out.buf : err.msg, "[||true]",
           "big: toJson/toYaml of 2^40 shared values give \"\" (Helm's marshal failure), fast");
    free(text);
    text = dk_xasprintf("%s{{ printf \"%%v\" $a }}", dag);
    dk_err_init(&err);
    dk_buf_reset(&out);
    rc = parse(&t, "b2", text, &err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "b2", NULL, &out, &err);
    ok(rc < 0 && strstr(err.msg, "error calling printf: result exceeds the output limit of 65536"),
       "big: printing them stops at the output limit (%s)", err.msg);
    free(text);
    text = dk_xasprintf("%s{{ $a }}", dag);
    dk_err_init(&err);
    dk_buf_reset(&out);
    rc = parse(&t, "b3", text, &err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "b3", NULL, &out, &err);
    ok(rc < 0 && strstr(err.msg, "output exceeds the limit of 65536 bytes"),
       "big: so does an action printing them (%s)", err.msg);
    free(text);
    text = dk_xasprintf("%s{{ deepCopy $a }}", dag);
    dk_err_init(&err);
    rc = parse(&t, "b4", text, &err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "b4", NULL, &out, &err);
    ok(rc < 0 && strstr(err.msg, "error calling deepCopy: value too large or too deeply nested"),
       "big: deepCopy refuses them (%s)", err.msg);
    free(text);
    text = dk_xasprintf("%s{{ merge (dict) (dict \"a\" $a) }}", dag);
    dk_err_init(&err);
    rc = parse(&t, "b5", text, &err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "b5", NULL, &out, &err);
    ok(rc < 0 && strstr(err.msg, "error calling merge: value too large"),
       "big: so does merge, which copies (%s)", err.msg);
    free(text);
    dk_buf_release(&out);
    dk_tmpl_release(&t);
}

/* sprig's set can put a map inside itself; reference counts could never free it. */
static void test_cycles(void)
{
    struct dk_tmpl t;
    struct dk_buf out = DK_BUF_INIT;
    struct dk_err err = DK_ERR_INIT;
    struct dk_val *a = dk_val_map(), *b = dk_val_map(), *l = dk_val_list();
    const char *text;
    int rc;

    dk_val_map_set(a, "b", dk_val_ref(b));
    dk_val_list_push(l, dk_val_ref(a));
    ok(dk_val_reaches(a, a) && dk_val_reaches(a, b) && dk_val_reaches(l, b),
       "cycles: reaches finds a value at any depth");
    ok(!dk_val_reaches(b, a) && !dk_val_reaches(a, l) && !dk_val_reaches(b, dk_val_nil()),
       "cycles: reaches does not look upwards");
    dk_val_unref(a);
    dk_val_unref(b);
    dk_val_unref(l);

    dk_tmpl_init(&t);
    dk_tmplfuncs_register(&t, &err);
    text = "{{ $m := dict }}{{ $_ := set $m \"self\" $m }}";
    rc = parse(&t, "c1", text, &err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "c1", NULL, &out, &err);
    is_str(rc < 0 ? err.msg : NULL,
           "template: c1:1:25: executing \"c1\" at <set $m \"self\" $m>: error calling set: a map "
           "cannot contain itself",
           "cycles: set of a map into itself fails (Helm accepts it, then cannot print the map)");
    text = "{{ $a := dict }}{{ $b := dict \"a\" (list $a) }}{{ $_ := set $a \"b\" $b }}";
    dk_err_init(&err);
    rc = parse(&t, "c2", text, &err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "c2", NULL, &out, &err);
    ok(rc < 0 && strstr(err.msg, "error calling set: a map cannot contain itself"),
       "cycles: a cycle through a list and another map fails too (%s)", err.msg);
    text = "{{ $a := dict \"x\" 1 }}{{ $b := dict \"a\" $a \"c\" $a }}{{ $_ := set $a \"y\" 2 }}"
           "{{ $_ := set $b \"d\" $a }}{{ $b }}";
    dk_buf_reset(&out);
    dk_err_init(&err);
    rc = parse(&t, "c3", text, &err);
    if (rc == 0)
        rc = dk_tmpl_exec(&t, "c3", NULL, &out, &err);
    is_str(rc == 0 ? out.buf : err.msg, "map[a:map[x:1 y:2] c:map[x:1 y:2] d:map[x:1 y:2]]",
           "cycles: a map shared (not contained in itself) can still be set");
    dk_buf_release(&out);
    dk_tmpl_release(&t);
}

int main(void)
{
    test_values();
    test_table();
    test_callbacks();
    test_methods_and_delims();
    test_sets();
    test_limits();
    test_fuzz_regressions();
    test_big_values();
    test_cycles();
    return tap_done();
}
