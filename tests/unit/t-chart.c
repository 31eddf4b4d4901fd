/* chart: loading, .helmignore, values coalescing, manifest splitting, .Files.Glob patterns.
 * Expected results are Helm v4.1.4's (checked with the real helm on the same inputs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../common/chart_int.h"
#include "dk/fs.h"
#include "tap.h"

static char *tmp;

static void put(const char *rel, const char *text)
{
    char *p = dk_xasprintf("%s/%s", tmp, rel), *slash = strrchr(p, '/');
    struct dk_err err = DK_ERR_INIT;

    *slash = '\0';
    dk_fs_mkdir_p(p, 0755);
    *slash = '/';
    dk_fs_write_file(p, text, strlen(text), 0644, &err);
    free(p);
}

struct pieces {
    char out[512];
};

static void piece(const char *s, size_t n, void *ud)
{
    struct pieces *p = ud;
    size_t l = strlen(p->out);

    snprintf(p->out + l, sizeof(p->out) - l, "[%.*s]", (int)n, s);
}

static const char *split(const char *text)
{
    static struct pieces p;

    p.out[0] = '\0';
    dk_chart_split_docs(text, strlen(text), piece, &p);
    return p.out;
}

static void test_split(void)
{
    is_str(split("a: 1\n---\nb: 2\n"), "[a: 1][b: 2]", "split: two documents");
    is_str(split("---\na: 1\n---\n---\n\n---   \nb: 2\n\n"), "[a: 1][---][b: 2]",
           "split: a separator right after a separator is a document (helm's regexp)");
    is_str(split("a: 1\n---\n\n---   \nb: 2"), "[a: 1][---   \nb: 2]",
           "split: the whitespace after a separator is eaten, so --- after it is text");
    is_str(split("a: 1\n--- # c\nb: 2"), "[a: 1][# c\nb: 2]",
           "split: text after --- on its line belongs to the next document");
    is_str(split("a: |\n  x---y\nb: ---"), "[a: |\n  x---y\nb: ---]",
           "split: --- inside a line is not a separator");
    is_str(split("a: 1\n----\nb"), "[a: 1][-\nb]", "split: ---- leaves a dash (helm's regexp)");
    is_str(split("  \n\n"), "", "split: whitespace only gives nothing");
    is_str(split("a\n  \n---\nb"), "[a][b]", "split: blank lines before the separator go");
}

static void test_glob(void)
{
    ok(dk_chart_glob_match("files/*", "files/a.txt"), "glob: * in a directory");
    ok(!dk_chart_glob_match("files/*", "files/conf/a.txt"), "glob: * stops at /");
    ok(dk_chart_glob_match("files/**", "files/conf/a.txt"), "glob: ** crosses /");
    ok(dk_chart_glob_match("files/*.{conf,json}", "files/x.json"), "glob: {a,b}");
    ok(!dk_chart_glob_match("files/*.{conf,json}", "files/x.yaml"), "glob: {a,b} misses");
    ok(dk_chart_glob_match("f?les/[a-c].txt", "files/b.txt"), "glob: ? and ranges");
    ok(!dk_chart_glob_match("files/[!a-c].txt", "files/b.txt"), "glob: [!...]");
}

static struct dk_chart *load(const char *what)
{
    struct dk_chart *c = NULL;
    struct dk_err err = DK_ERR_INIT;

    if (dk_chart_load(tmp, NULL, &c, &err) < 0)
        printf("# %s: %s\n", what, err.msg);
    return c;
}

static int has_file(const struct dk_chart *c, const char *name)
{
    size_t i;

    for (i = 0; i < c->nfiles; i++)
        if (!strcmp(c->files[i].name, name))
            return 1;
    return 0;
}

static void test_load(void)
{
    struct dk_chart *c;
    struct dk_err err = DK_ERR_INIT;

    put("Chart.yaml", "apiVersion: v2\nname: t\nversion: 1.0.0\n");
    put("values.yaml", "\xef\xbb\xbf"
                       "a: 1\nb:\n  c: x\n");
    put("templates/x.yaml", "x: 1\n");
    put("templates/.hidden.yaml", "x: 2\n");
    put("files/keep.txt", "k");
    put("files/drop.bak", "d");
    put("secret/inner.txt", "s");
    put(".helmignore", "# comment\n*.bak\nsecret/\n");
    c = load("load");
    ok(c != NULL, "load: a chart directory");
    if (!c)
        return;
    is_str(c->name, "t", "load: the name");
    is_int((long)c->ntemplates, 1, "load: hidden files in templates/ are ignored");
    ok(has_file(c, "files/keep.txt") && !has_file(c, "files/drop.bak"),
       "load: .helmignore patterns without a slash match the base name");
    ok(!has_file(c, "secret/inner.txt"), "load: a dir/ pattern ignores the directory");
    ok(has_file(c, ".helmignore"), "load: .helmignore itself is one of the files");
    ok(dk_val_map_get(c->values, "a") != NULL, "load: a byte order mark is dropped");
    dk_chart_free(c);
    /* helm's odd negation: a "!" rule ignores everything it does not match */
    put(".helmignore", "!files/keep.txt\n");
    ok(dk_chart_load(tmp, NULL, &c, &err) < 0 && strstr(err.msg, "Chart.yaml file is missing"),
       "load: a negated rule ignores all it does not match, Chart.yaml too (as in helm)");
    put(".helmignore", "*.bak\n!files/*\n");
    c = load("negation");
    ok(c == NULL, "load: ... whatever comes before it");
    dk_chart_free(c);
    put(".helmignore", "files/**\n");
    ok(dk_chart_load(tmp, NULL, &c, &err) < 0 && err.code == DK_E_INPUT &&
           strstr(err.msg, "double-star (**) syntax is not supported"),
       "load: ** in .helmignore is refused as helm refuses it");
    put(".helmignore", "");
    put("Chart.yaml", "apiVersion: v2\nname: t\nversion: one\n");
    ok(dk_chart_load(tmp, NULL, &c, &err) < 0 &&
           strstr(err.msg, "validation: chart.metadata.version \"one\" is invalid"),
       "load: a version that is not semver");
    put("Chart.yaml", "apiVersion: v2\nversion: 1.0.0\n");
    ok(dk_chart_load(tmp, NULL, &c, &err) < 0 &&
           strstr(err.msg, "validation: chart.metadata.name is required"),
       "load: a chart without a name");
    put("Chart.yaml", "apiVersion: v2\nname: t\nversion: 1.0.0\n");
    put("values.yaml", "- a\n- b\n");
    ok(dk_chart_load(tmp, NULL, &c, &err) < 0 && strstr(err.msg, "values.yaml") &&
           err.code == DK_E_INPUT,
       "load: values.yaml that is not a map names the file");
    put("values.yaml", "a: 1\n");
}

static struct dk_val *yamlv(const char *text)
{
    char *p = dk_xasprintf("%s/v.yaml", tmp);
    struct dk_val *v = NULL;
    struct dk_err err = DK_ERR_INIT;

    put("v.yaml", text);
    if (dk_chart_values_file(p, &v, &err) < 0)
        printf("# %s\n", err.msg);
    free(p);
    return v;
}

static const char *fmt(struct dk_val *v)
{
    static char out[512];
    struct dk_buf b = DK_BUF_INIT;

    dk_val_format(v, &b);
    snprintf(out, sizeof(out), "%s", b.buf ? b.buf : "");
    dk_buf_release(&b);
    return out;
}

static void test_values(void)
{
    struct dk_chart *c;
    struct dk_val *user, *v, *f2;

    put("values.yaml", "a: 1\nm:\n  x: 1\n  p: 2\nl: [1, 2]\nglobal:\n  g: parent\nsub:\n  s: "
                       "from-parent\n");
    put("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n");
    put("charts/sub/values.yaml", "s: default\nt: default\nglobal:\n  g: child\n  only: child\n");
    c = load("values");
    if (!c)
        return;
    user = yamlv("m:\n  x: null\n  z: 3\nl: [9]\nsub:\n  t: null\n");
    v = dk_chart_coalesce(c, user, 0);
    is_str(fmt(dk_val_map_get(v, "m")), "map[p:2 z:3]",
           "values: null deletes a default, maps merge");
    is_str(fmt(dk_val_map_get(v, "l")), "[9]", "values: lists replace");
    is_str(fmt(dk_val_map_get(v, "sub")), "map[global:map[g:parent only:child] s:from-parent]",
           "values: subchart values, parent globals win, null deletes the child's default");
    dk_val_unref(v);
    /* later -f files win, maps merge, null is kept for coalescing to act on */
    f2 = yamlv("m:\n  p: 5\nl: null\n");
    dk_chart_values_merge(user, f2);
    is_str(fmt(user), "map[l:<nil> m:map[p:5 x:<nil> z:3] sub:map[t:<nil>]]",
           "values: -f files merge in order");
    dk_val_unref(f2);
    dk_val_unref(user);
    dk_chart_free(c);
}

int main(void)
{
    struct dk_err err = DK_ERR_INIT;

    tmp = dk_fs_mkdtemp("t-chart", &err);
    if (!tmp)
        return 1;
    test_split();
    test_glob();
    test_load();
    test_values();
    dk_fs_rmtree(tmp);
    free(tmp);
    return tap_done();
}
