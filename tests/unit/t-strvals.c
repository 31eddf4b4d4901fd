/*
 * Unit tests for common/strvals.c: Helm's --set, --set-string, --set-file, --set-json and
 * --set-literal parsing. Every expected tree and message below was checked against helm
 * v4.1.4 (`helm template` of a chart printing {{ toJson .Values }} and the Go type of every
 * value, with the same flags).
 *
 * Trees are shown by dump(): JSON with int64 values bare (1), float64 values with an "f"
 * suffix (1f, 1.5f) and nil as null, so that types are checked along with values.
 */
#include "dk/strvals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

static void dump(const struct dk_val *v, struct dk_buf *b)
{
    size_t i;

    switch (v->kind) {
    case DK_VAL_NIL:
        dk_buf_add(b, "null");
        break;
    case DK_VAL_BOOL:
        dk_buf_add(b, v->u.b ? "true" : "false");
        break;
    case DK_VAL_INT:
        dk_buf_addf(b, "%lld", (long long)v->u.i);
        break;
    case DK_VAL_FLOAT:
        dk_buf_addf(b, "%.17gf", v->u.f);
        break;
    case DK_VAL_STR:
        dk_buf_addch(b, '"');
        for (i = 0; i < v->u.str.len; i++) {
            char c = v->u.str.s[i];

            if (c == '"' || c == '\\')
                dk_buf_addf(b, "\\%c", c);
            else if (c == '\n')
                dk_buf_add(b, "\\n");
            else
                dk_buf_addch(b, c);
        }
        dk_buf_addch(b, '"');
        break;
    case DK_VAL_LIST:
        dk_buf_addch(b, '[');
        for (i = 0; i < v->u.list.n; i++) {
            if (i)
                dk_buf_addch(b, ',');
            dump(v->u.list.v[i], b);
        }
        dk_buf_addch(b, ']');
        break;
    case DK_VAL_MAP:
        dk_buf_addch(b, '{');
        for (i = 0; i < v->u.map.n; i++) {
            if (i)
                dk_buf_addch(b, ',');
            dk_buf_addf(b, "\"%s\":", v->u.map.k[i]);
            dump(v->u.map.v[i], b);
        }
        dk_buf_addch(b, '}');
        break;
    default:
        dk_buf_add(b, "?");
    }
}

#define S   DK_STRVALS_SET
#define STR DK_STRVALS_STRING
#define F   DK_STRVALS_FILE
#define J   DK_STRVALS_JSON
#define L   DK_STRVALS_LITERAL

struct step {
    enum dk_strvals_mode mode;
    const char *expr;
};

/* Flags applied in order to an empty map; want is the dump, or "error: MESSAGE". "@D@" in
 * expressions and messages stands for a directory holding f ("hi\n") and g ("two\nlines"). */
static const struct {
    struct step steps[3];
    const char *want;
} cases[] = {
    /* typed values */
    {{{S, "a=1,b=x"}}, "{\"a\":1,\"b\":\"x\"}"},
    {{{S, "a=TRUE,b=Null,c=-5,d=+5,e=1.5,f=0x10,g=9223372036854775808,h=00,i=-0,j= 7,k=0"}},
     "{\"a\":true,\"b\":null,\"c\":-5,\"d\":5,\"e\":\"1.5\",\"f\":\"0x10\",\"g\":"
     "\"9223372036854775808\",\"h\":\"00\",\"i\":0,\"j\":\" 7\",\"k\":0}"},
    {{{S, "l=9223372036854775807,m=-9223372036854775808,n=1e3,o=+,p=-"}},
     "{\"l\":9223372036854775807,\"m\":-9223372036854775808,\"n\":\"1e3\",\"o\":\"+\",\"p\":\"-"
     "\"}"},
    {{{S, "a=01"}}, "{\"a\":\"01\"}"},
    {{{S, "a=é,ü=ß"}}, "{\"a\":\"é\",\"ü\":\"ß\"}"},
    {{{S, "a=1,"}}, "{\"a\":1}"},
    {{{S, "a=1,,b=2"}},
     "error: failed parsing --set data: key \"\" has no value (cannot end with ,)"},
    {{{S, "a="}}, "{\"a\":\"\"}"},
    {{{S, "a=1"}, {S, "a=null"}}, "{\"a\":null}"},
    /* escapes */
    {{{S, "a\\.b=1,c=x\\,y"}}, "{\"a.b\":1,\"c\":\"x,y\"}"},
    {{{S, "name=a\\=b"}}, "{\"name\":\"a=b\"}"},
    {{{S, "a=\\"}}, "{\"a\":\"\"}"},
    {{{S, "a=x\\"}}, "{\"a\":\"x\"}"},
    /* invalid UTF-8 reads as U+FFFD, as Go reads runes */
    {{{S, "a\xff"
          "b=1\xfe"}},
     "{\"a\xef\xbf\xbd"
     "b\":\"1\xef\xbf\xbd\"}"},
    {{{L, "k=v\xff"}}, "{\"k\":\"v\xef\xbf\xbd\"}"},
    {{{S, "a[1\xff]=x"}},
     "error: failed parsing --set data: error parsing index: strconv.Atoi: parsing "
     "\"1\xef\xbf\xbd\": invalid syntax"},
    /* keys that set nothing */
    {{{S, "=1"}}, "{}"},
    {{{S, ".a=1"}}, "{}"},
    {{{S, "a."}}, "{}"},
    {{{S, "a[1"}}, "{}"},
    {{{S, "a[0]."}}, "{\"a\":[]}"},
    /* dotted keys */
    {{{S, "a.b=1,a.c=2,a.b=3"}}, "{\"a\":{\"b\":3,\"c\":2}}"},
    {{{S, "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.A.B.C.D.E=1"}},
     "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{\"j\":{\"k\":{\"l\":{\"m\":{"
     "\"n\":{\"o\":{\"p\":{\"q\":{\"r\":{\"s\":{\"t\":{\"u\":{\"v\":{\"w\":{\"x\":{\"y\":{\"z\":{"
     "\"A\":{\"B\":{\"C\":{\"D\":{\"E\":1}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}"},
    {{{S, "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.A.B.C.D.E.F=1"}},
     "error: failed parsing --set data: value name nested level is greater than maximum "
     "supported nested level of 30"},
    /* lists */
    {{{S, "a[0]=1,a[2].b=x"}}, "{\"a\":[1,null,{\"b\":\"x\"}]}"},
    {{{S, "a[65536]=1"}}, NULL}, /* checked by length below */
    {{{S, "a[65537]=1"}},
     "error: failed parsing --set data: index of 65537 is greater than maximum supported index of "
     "65536"},
    {{{S, "a[-1]=1"}}, "error: failed parsing --set data: negative -1 index not allowed"},
    {{{S, "a[0][1]=2,a[0][0]=1,a[1][0].b=c"}}, "{\"a\":[[1,2],[{\"b\":\"c\"}]]}"},
    {{{S, "a.b[0].c[1]=x"}}, "{\"a\":{\"b\":[{\"c\":[null,\"x\"]}]}}"},
    {{{S, "a[0]=1,a[0]=2"}}, "{\"a\":[2]}"},
    {{{S, "a[1]=1"}, {S, "a[0]=x"}}, "{\"a\":[\"x\",1]}"},
    {{{S, "a[1].b=1"}, {S, "a[0].c=2"}}, "{\"a\":[{\"c\":2},{\"b\":1}]}"},
    {{{S, "a[0]=1"}, {S, "a[0].b=2"}}, "{\"a\":[{\"b\":2}]}"},
    {{{S, "a[0].=1"}}, "{\"a\":[{}]}"},
    {{{S, "a[0]="}}, "{\"a\":[\"\"]}"},
    {{{S, "a[+1]=x"}}, "{\"a\":[null,\"x\"]}"},
    {{{S, "a[01]=x"}}, "{\"a\":[null,\"x\"]}"},
    {{{S, "a[x]=1"}},
     "error: failed parsing --set data: error parsing index: strconv.Atoi: parsing \"x\": invalid "
     "syntax"},
    {{{S, "a[]=1"}},
     "error: failed parsing --set data: error parsing index: strconv.Atoi: parsing \"\": invalid "
     "syntax"},
    {{{S, "a[\"1\"]=x"}},
     "error: failed parsing --set data: error parsing index: strconv.Atoi: parsing "
     "\"\\\"1\\\"\": invalid syntax"},
    {{{S, "a[99999999999999999999]=1"}},
     "error: failed parsing --set data: error parsing index: strconv.Atoi: parsing "
     "\"99999999999999999999\": value out of range"},
    {{{S, "a[1]x=1"}},
     "error: failed parsing --set data: unexpected data at end of array index: ['x']"},
    {{{S, "a[1]'x\"=1"}},
     "error: failed parsing --set data: unexpected data at end of array index: ['\\'' 'x' '\"']"},
    /* {list} literals */
    {{{S, "a={1,b,true}"}}, "{\"a\":[1,\"b\",true]}"},
    {{{S, "a={}"}}, "{\"a\":[\"\"]}"},
    {{{S, "a={1}b=2"}}, "{\"a\":[1],\"b\":2}"},
    {{{S, "a={a\\,b,c}"}}, "{\"a\":[\"a,b\",\"c\"]}"},
    {{{S, "a={x,{y}}"}}, "error: failed parsing --set data: key \"}\" has no value"},
    {{{S, "a={x}y,b=2"}},
     "error: failed parsing --set data: key \"y\" has no value (cannot end with ,)"},
    {{{S, "a={1,b"}}, "error: failed parsing --set data: list must terminate with '}'"},
    /* errors */
    {{{S, "a"}}, "error: failed parsing --set data: key \"a\" has no value"},
    {{{S, "a.b"}}, "error: failed parsing --set data: key \"b\" has no value"},
    {{{S, "a,b=1"}},
     "error: failed parsing --set data: key \"a\" has no value (cannot end with ,)"},
    {{{S, "a.=1"}}, "error: failed parsing --set data: key map \"a\" has no value"},
    {{{S, "a=1"}, {S, "a.b=2"}},
     "error: failed parsing --set data: unable to parse key: interface conversion: interface {} "
     "is int64, not map[string]interface {}"},
    {{{S, "a=x"}, {S, "a[0]=2"}},
     "error: failed parsing --set data: unable to parse key: interface conversion: interface {} "
     "is string, not []interface {}"},
    {{{S, "a=null"}, {S, "a[0]=2"}},
     "error: failed parsing --set data: unable to parse key: interface conversion: interface {} "
     "is nil, not []interface {}"},
    {{{S, "a=null"}, {S, "a.b=2"}},
     "error: failed parsing --set data: unable to parse key: interface conversion: interface {} "
     "is nil, not map[string]interface {}"},
    {{{S, "a[0]=1"}, {S, "a[0][0]=2"}},
     "error: failed parsing --set data: unable to parse key: interface conversion: interface {} "
     "is int64, not []interface {}"},
    {{{J, "a=1.5"}, {S, "a.b=2"}},
     "error: failed parsing --set data: unable to parse key: interface conversion: interface {} "
     "is float64, not map[string]interface {}"},
    /* --set-string */
    {{{STR, "a=1,b=true,c=null,d={1,2}"}},
     "{\"a\":\"1\",\"b\":\"true\",\"c\":\"null\",\"d\":[\"1\",\"2\"]}"},
    {{{STR, "a"}}, "error: failed parsing --set-string data: key \"a\" has no value"},
    /* --set-literal */
    {{{L, "a,b=1,2\\,3"}}, "{\"a,b\":\"1,2\\\\,3\"}"},
    {{{L, "a.b[0]=x=y,z"}}, "{\"a\":{\"b\":[\"x=y,z\"]}}"},
    {{{L, "a[0].b=x\\y"}}, "{\"a\":[{\"b\":\"x\\\\y\"}]}"},
    {{{L, "a\\.b=1"}}, "{\"a\\\":{\"b\":\"1\"}}"},
    {{{L, "a"}}, "error: failed parsing --set-literal data: key \"a\" has no value"},
    {{{L, "a.=1"}}, "error: failed parsing --set-literal data: key map \"a\" has no value"},
    /* --set-json */
    {{{J, "a={\"x\":1}"}}, "{\"a\":{\"x\":1f}}"},
    {{{J, "a=[1,2],b=,c= 3 ,d=\"x\""}}, "{\"a\":[1f,2f],\"b\":null,\"c\":3f,\"d\":\"x\"}"},
    {{{J, "a=1b=2"}}, "{\"a\":1f,\"b\":2f}"},
    {{{J, "a=truex=1"}}, "{\"a\":true,\"x\":1f}"},
    {{{J, "a[0]={\"b\":1},a[1]=null"}}, "{\"a\":[{\"b\":1f},null]}"},
    {{{J, "a={\"b\":[1,{\"c\":null}]} , b=true"}}, "{\" b\":true,\"a\":{\"b\":[1f,{\"c\":null}]}}"},
    {{{J, "a=\"\\u00e9\\n\""}}, "{\"a\":\"é\\n\"}"},
    {{{J, "{\"a\":{\"b\":1}}"}}, "{\"a\":{\"b\":1f}}"},
    {{{J, "{\"a\":{\"b\":3},\"d\":[1]}"}, {S, "a.b=1,a.c=2"}},
     "{\"a\":{\"b\":1,\"c\":2},\"d\":[1f]}"},
    {{{J, "a.b={\"x\":1}"}, {J, "{\"a\":{\"c\":2}}"}}, "{\"a\":{\"b\":{\"x\":1f},\"c\":2f}}"},
    {{{J, "[1]"}}, "{}"},
    {{{J, "a={bad"}}, "error: failed parsing --set-json data a={bad"},
    {{{J, "a=tru"}}, "error: failed parsing --set-json data a=tru"},
    {{{J, "a=1x"}}, "error: failed parsing --set-json data a=1x"},
    {{{J, "a=1 2"}}, "error: failed parsing --set-json data a=1 2"},
    {{{J, "a=01"}}, "error: failed parsing --set-json data a=01"},
    {{{J, "a=1."}}, "error: failed parsing --set-json data a=1."},
    {{{J, "a=-"}}, "error: failed parsing --set-json data a=-"},
    {{{J, "a=1e400"}}, "error: failed parsing --set-json data a=1e400"},
    {{{J, "a"}}, "error: failed parsing --set-json data a"},
    {{{J, " {\"a\":1"}}, "error: failed parsing --set-json data JSON:  {\"a\":1"},
    {{{J, "{\"a\":1} x"}}, "error: failed parsing --set-json data JSON: {\"a\":1} x"},
    /* --set-file */
    {{{F, "a=@D@/f"}}, "{\"a\":\"hi\\n\"}"},
    {{{F, "a={@D@/f,@D@/g}"}}, "{\"a\":[\"hi\\n\",\"two\\nlines\"]}"},
    {{{F, "a[0]=@D@/g"}}, "{\"a\":[\"two\\nlines\"]}"},
    {{{F, "a="}}, "{\"a\":\"\"}"},
    {{{F, "a=@D@/nope"}},
     "error: failed parsing --set-file data: open @D@/nope: no such file or directory"},
    {{{F, "a={@D@/f,@D@/nope}"}},
     "error: failed parsing --set-file data: open @D@/nope: no such file or directory"},
    {{{F, "a=@D@"}}, "error: failed parsing --set-file data: read @D@: is a directory"},
    {{{F, "a=%zz"}},
     "error: failed parsing --set-file data: parse \"%zz\": invalid URL escape \"%zz\""},
    {{{F, "a=:x"}}, "error: failed parsing --set-file data: parse \":x\": missing protocol scheme"},
    {{{F, "a=x?%zz"}},
     "error: failed parsing --set-file data: open x?%zz: no such file or directory"},
};

static char *subst(const char *s, const char *dir)
{
    struct dk_buf b = DK_BUF_INIT;
    const char *p;

    while ((p = strstr(s, "@D@"))) {
        dk_buf_addn(&b, s, (size_t)(p - s));
        dk_buf_add(&b, dir);
        s = p + 3;
    }
    dk_buf_add(&b, s);
    return dk_buf_detach(&b, NULL);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_cases(const char *dir)
{
    size_t i, j;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dk_val *v = dk_val_map();
        struct dk_err err = DK_ERR_INIT;
        struct dk_buf got = DK_BUF_INIT, name = DK_BUF_INIT;
        char *want = cases[i].want ? subst(cases[i].want, dir) : NULL;
        int rc = 0;

        for (j = 0; j < 3 && cases[i].steps[j].expr; j++) {
            char *e = subst(cases[i].steps[j].expr, dir);
            static const char *const flag[] = {"--set", "--set-string", "--set-file", "--set-json",
                                               "--set-literal"};

            dk_buf_addf(&name, "%s%s '%s'", j ? " " : "", flag[cases[i].steps[j].mode],
                        cases[i].steps[j].expr);
            rc = dk_strvals_parse(v, e, cases[i].steps[j].mode, &err);
            free(e);
            if (rc < 0)
                break;
        }
        if (rc < 0) {
            dk_buf_addf(&got, "error: %s", err.msg);
            ok(err.code == DK_E_INPUT, "strvals: %s fails as bad input", name.buf);
        } else {
            dump(v, &got);
        }
        if (want)
            is_str(got.buf, want, "strvals: %s", name.buf);
        else
            ok(rc == 0 && v->u.map.n == 1 && v->u.map.v[0]->u.list.n == 65537 &&
                   v->u.map.v[0]->u.list.v[65536]->kind == DK_VAL_INT,
               "strvals: %s makes a list of 65537 items", name.buf);
        free(want);
        dk_buf_release(&got);
        dk_buf_release(&name);
        dk_val_unref(v);
    }
}

/* --set into values that came from a values file: the maps and lists there are changed in
 * place, floats stay floats. */
static void test_into_existing(void)
{
    struct dk_val *v = dk_val_map(), *img = dk_val_map(), *list = dk_val_list();
    struct dk_err err = DK_ERR_INIT;
    struct dk_buf got = DK_BUF_INIT;

    dk_val_map_set(img, "tag", dk_val_str("1.0"));
    dk_val_map_set(img, "pullPolicy", dk_val_str("Always"));
    dk_val_map_set(v, "image", img);
    dk_val_list_push(list, dk_val_float(80));
    dk_val_map_set(v, "ports", list);
    dk_val_map_set(v, "replicas", dk_val_float(2));
    ok(dk_strvals_parse(v, "image.tag=2.0,ports[1]=443,replicas=3", DK_STRVALS_SET, &err) == 0,
       "strvals: --set into existing values succeeds");
    dump(v, &got);
    is_str(got.buf,
           "{\"image\":{\"pullPolicy\":\"Always\",\"tag\":\"2.0\"},\"ports\":[80f,443],"
           "\"replicas\":3}",
           "strvals: existing maps and lists are extended in place");
    ok(dk_val_map_get(v, "image") == img, "strvals: the image map is the same object");
    dk_buf_release(&got);
    dk_val_unref(v);

    v = dk_val_str("x");
    ok(dk_strvals_parse(v, "a=1", DK_STRVALS_SET, &err) < 0 && err.code == DK_E_INPUT,
       "strvals: values that are not a map are refused");
    dk_val_unref(v);
}

static void test_stdin(void)
{
    struct dk_val *v = dk_val_map();
    struct dk_err err = DK_ERR_INIT;
    int fds[2], saved = dup(0);
    struct dk_buf got = DK_BUF_INIT;

    if (pipe(fds) < 0 || saved < 0) {
        ok(0, "strvals: pipe for stdin");
        return;
    }
    if (write(fds[1], "from stdin", 10) != 10)
        ok(0, "strvals: write to pipe");
    close(fds[1]);
    dup2(fds[0], 0);
    close(fds[0]);
    ok(dk_strvals_parse(v, "a= - ", DK_STRVALS_FILE, &err) == 0,
       "strvals: --set-file a=- reads stdin");
    dup2(saved, 0);
    close(saved);
    dump(v, &got);
    is_str(got.buf, "{\"a\":\"from stdin\"}", "strvals: --set-file '-' takes stdin's content");
    dk_buf_release(&got);
    dk_val_unref(v);
}

static void test_remote(void)
{
    struct dk_val *v = dk_val_map();
    struct dk_err err = DK_ERR_INIT;

    ok(dk_strvals_parse(v, "a=https://example.com/x.txt", DK_STRVALS_FILE, &err) < 0 &&
           strstr(err.msg, "failed parsing --set-file data: ") == err.msg &&
           strstr(err.msg, "https://example.com/x.txt"),
       "strvals: --set-file refuses a URL, naming it");
    dk_val_unref(v);
}

int main(void)
{
    char dir[] = "/tmp/t-strvals-XXXXXX";

    if (!mkdtemp(dir)) {
        ok(0, "strvals: temporary directory");
        return tap_done();
    }
    write_file(dir, "f", "hi\n");
    write_file(dir, "g", "two\nlines");
    test_cases(dir);
    test_into_existing();
    test_stdin();
    test_remote();
    {
        char p[512];

        snprintf(p, sizeof p, "%s/f", dir);
        unlink(p);
        snprintf(p, sizeof p, "%s/g", dir);
        unlink(p);
        rmdir(dir);
    }
    return tap_done();
}
