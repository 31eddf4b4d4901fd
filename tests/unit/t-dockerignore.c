/* Unit tests for common/dockerignore.c: Docker's .dockerignore reading and matching as a table
 * of (patterns, path, excluded) cases taken from Docker's documented behaviour, the patterns
 * Docker refuses, the walker's skip test, and COPY/ADD source matching. */
#include "dk/dockerignore.h"

#include <stdlib.h>
#include <string.h>

#include "dk/buf.h"
#include "tap.h"

static const struct {
    const char *patterns; /* the .dockerignore text */
    const char *path;
    int excluded;
} cases[] = {
    /* Docker's documentation examples. */
    {"*.md", "README.md", 1},
    {"*.md", "docs/README.md", 0},
    {"*.md\n!README.md", "README.md", 0},
    {"*.md\n!README.md", "CHANGELOG.md", 1},
    {"*.md\n!README*.md\nREADME-secret.md", "README-secret.md", 1},
    {"*.md\n!README*.md\nREADME-secret.md", "README-public.md", 0},
    {"*.md\nREADME-secret.md\n!README*.md", "README-secret.md", 0},
    {"*/temp*", "somedir/temporary.txt", 1},
    {"*/temp*", "somedir/temp/x", 1},
    {"*/temp*", "temp.txt", 0},
    {"*/*/temp*", "somedir/subdir/temporary.txt", 1},
    {"*/*/temp*", "somedir/temporary.txt", 0},
    {"temp?", "tempa", 1},
    {"temp?", "temp", 0},
    {"temp?", "tempab", 0},
    {"temp?", "dir/tempa", 0},
    {"**/*.go", "main.go", 1},
    {"**/*.go", "a/b/c.go", 1},
    {"**/*.go", "a/b/c.golang", 0},
    {".git", ".git/config", 1},
    /* Leading '/', trailing '/', cleaning. */
    {"/abs", "abs", 1},
    {"/abs", "abs/file", 1},
    {"/abs", "x/abs", 0},
    {"dir/", "dir/file", 1},
    {"dir/", "dir", 1},
    {"dir/", "dirx/file", 0},
    {"./foo/../bar", "bar", 1},
    {"foo//bar/", "foo/bar/baz", 1},
    {"foo", "./foo", 1},
    {"foo", "/foo/x", 1},
    /* Exceptions under excluded directories, order. */
    {"docs\n!docs/README.md", "docs/README.md", 0},
    {"docs\n!docs/README.md", "docs/other.md", 1},
    {"docs\n!docs/README.md", "docs", 1},
    {"!foo\nfoo", "foo", 1},
    {"foo\n!foo", "foo", 0},
    {"foo\n!foo", "foo/bar", 0},
    {"*", "a/b/c", 1},
    {"*\n!*.go", "main.go", 0},
    {"*\n!*.go", "pkg/x.go", 1},
    {"**\n!keep", "keep", 0},
    {"**\n!keep", "other/keep", 1},
    {"*\n! bar", "bar", 0},
    /* "**" forms. */
    {"a/**", "a", 0},
    {"a/**", "a/b/c", 1},
    {"a/**/b", "a/b", 1},
    {"a/**/b", "a/x/y/b", 1},
    {"a/**/b", "a/x/yb", 0},
    {"**/node_modules", "web/node_modules/x/y.js", 1},
    {"**/node_modules", "node_modules", 1},
    {"**.txt", "x/y.txt", 1},
    {"**", "anything/at/all", 1},
    /* Classes and escapes. */
    {"[a-c].txt", "b.txt", 1},
    {"[a-c].txt", "d.txt", 0},
    {"[^a].txt", "a.txt", 0},
    {"[^a].txt", "b.txt", 1},
    {"\\*.txt", "*.txt", 1},
    {"\\*.txt", "a.txt", 0},
    {"f?o", "f\xc3\xa9o", 1},
    /* Lines: blanks, comments, line endings, BOM. */
    {"foo   \n", "foo", 1},
    {"   foo", "foo", 1},
    {"# comment\nfoo", "# comment", 0},
    {" # not a comment", "# not a comment", 1},
    {"\n\n\nfoo\n\n", "foo", 1},
    {"foo\r\nbar\r\n", "bar", 1},
    {"\xef\xbb\xbf"
     "foo",
     "foo", 1},
    /* The context root is never excluded. */
    {"*", ".", 0},
    {"*", "", 0},
};

static void test_table(void)
{
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct dk_ignore ig;
        struct dk_err err = DK_ERR_INIT;
        int rc = dk_ignore_parse(&ig, cases[i].patterns, strlen(cases[i].patterns), &err);
        int got = rc == 0 ? dk_ignore_match(&ig, cases[i].path) : -1;
        struct dk_buf name = DK_BUF_INIT;
        const char *p;

        for (p = cases[i].patterns; *p; p++)
            dk_buf_add(&name, *p == '\n' ? "|" : *p == '\r' ? "\\r" : (char[]){*p, 0});
        if (!ok(got == cases[i].excluded, "dockerignore: [%s] %s '%s'", name.buf,
                cases[i].excluded ? "excludes" : "keeps", cases[i].path))
            printf("#   got: %d (rc=%d %s)\n", got, rc, err.msg);
        dk_buf_release(&name);
        dk_ignore_release(&ig);
    }
}

static void test_parse(void)
{
    static const char text[] = "/foo/\n!/bar\n  baz  \n#c\n\n!  ./qux/..\n";
    struct dk_ignore ig;
    struct dk_err err = DK_ERR_INIT;

    ok(dk_ignore_parse(&ig, text, sizeof(text) - 1, &err) == 0 && ig.n == 4,
       "dockerignore: four patterns read");
    ok(ig.n == 4 && !strcmp(ig.pats[0].text, "foo") && !ig.pats[0].exception &&
           !strcmp(ig.pats[1].text, "bar") && ig.pats[1].exception &&
           !strcmp(ig.pats[2].text, "baz") && ig.pats[2].line == 3 &&
           !strcmp(ig.pats[3].text, ".") && ig.pats[3].exception && ig.has_exceptions,
       "dockerignore: patterns are trimmed, cleaned, '/' and '!' handled");
    dk_ignore_release(&ig);
    dk_ignore_release(&ig);
    ok(ig.n == 0 && !ig.pats, "dockerignore: release twice is harmless");

    ok(dk_ignore_parse(&ig, "", 0, &err) == 0 && ig.n == 0 && !dk_ignore_match(&ig, "x"),
       "dockerignore: an empty file excludes nothing");
    dk_ignore_release(&ig);
}

static const struct {
    const char *text, *msg;
} errors[] = {
    {"a\n!\n", ".dockerignore:2: illegal exclusion pattern '!'"},
    {"!  \n", ".dockerignore:1: illegal exclusion pattern '!'"},
    {"!/", ".dockerignore:1: illegal exclusion pattern '!'"},
    {"foo\n[a\n", ".dockerignore:2: invalid pattern '[a': syntax error in pattern"},
    {"a\\", ".dockerignore:1: invalid pattern 'a\\'"},
    {"[]", "invalid pattern '[]'"},
    {"[a-]", "invalid pattern '[a-]'"},
    {"[-a]", "invalid pattern '[-a]'"},
};

static void test_errors(void)
{
    size_t i;

    for (i = 0; i < sizeof(errors) / sizeof(*errors); i++) {
        struct dk_ignore ig;
        struct dk_err err = DK_ERR_INIT;
        int rc = dk_ignore_parse(&ig, errors[i].text, strlen(errors[i].text), &err);

        if (!ok(rc < 0 && err.code == DK_E_INPUT && strstr(err.msg, errors[i].msg) && !ig.n &&
                    !ig.pats,
                "dockerignore: refused: %s", errors[i].msg))
            printf("#   got: rc=%d '%s'\n", rc, err.msg);
        dk_ignore_release(&ig);
    }
}

static const struct {
    const char *patterns, *dir;
    int may;
} dirs[] = {
    {"node_modules", "node_modules", 0},
    {"node_modules", "node_modules/a", 0},
    {"*.md", "src", 1},
    {"docs\n!docs/README.md", "docs", 1},
    {"docs\n!other/x", "docs", 0},
    {"docs\n!**/keep", "docs", 1},
    {"build\n!build/*/keep.txt", "build", 1},
    {"build\n!build/*/keep.txt", "build/a", 1},
    {"build\n!build/*/keep.txt", "build/a/b", 0},
    {"a\n!a/b/c", "a/x", 0},
    {"a\n!a", "a", 1},
};

static void test_dirs(void)
{
    size_t i;

    for (i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
        struct dk_ignore ig;
        struct dk_err err = DK_ERR_INIT;
        int got = -1;

        if (dk_ignore_parse(&ig, dirs[i].patterns, strlen(dirs[i].patterns), &err) == 0)
            got = dk_ignore_dir_may_contain_includes(&ig, dirs[i].dir);
        is_int(got, dirs[i].may, "dockerignore: dir '%s' %s", dirs[i].dir,
               dirs[i].may ? "must be walked" : "may be skipped");
        dk_ignore_release(&ig);
    }
}

static const struct {
    const char *pattern, *path;
    int match;
} sources[] = {
    {".", "any/thing", 1},
    {"./", "x", 1},
    {"/", "x", 1},
    {"src", "src/a.c", 1},
    {"src", "src", 1},
    {"src", "srcx/a", 0},
    {"src/", "src/a/b", 1},
    {"./src/../lib", "lib/x", 1},
    {"*.go", "main.go", 1},
    {"*.go", "pkg/x.go", 0},
    {"*", "pkg/x.go", 1},
    {"/app/*.txt", "app/a.txt", 1},
    {"/app/*.txt", "app/sub/a.txt", 0},
    {"pkg/*/x.go", "pkg/a/x.go", 1},
    {"pkg/*/x.go", "pkg/a/b/x.go", 0},
    {"file?.txt", "file1.txt", 1},
    {"file?.txt", "file10.txt", 0},
    {"[ab].txt", "b.txt", 1},
    {"[ab].txt", "c.txt", 0},
    {"**/*.go", "a/b.go", 1},
    {"**/*.go", "a/b/c.go", 0},
    {"a\\*b", "a*b", 1},
    {"a", ".", 0},
    {"[", "x", -1},
    {"a\\", "a", -1},
};

static void test_sources(void)
{
    size_t i;

    for (i = 0; i < sizeof(sources) / sizeof(*sources); i++)
        is_int(dk_df_source_match(sources[i].pattern, sources[i].path), sources[i].match,
               "dockerignore: COPY source '%s' %s '%s'", sources[i].pattern,
               sources[i].match > 0    ? "names"
               : sources[i].match == 0 ? "does not name"
                                       : "is malformed for",
               sources[i].path);
}

static void test_fixture(void)
{
    const char *top = getenv("DK_TOP");
    struct dk_buf path = DK_BUF_INIT, text = DK_BUF_INIT;
    struct dk_ignore ig;
    struct dk_err err = DK_ERR_INIT;
    int rc = -1;

    dk_ignore_init(&ig);
    dk_buf_addf(&path, "%s/tests/fixtures/dockerfile/dockerignore", top ? top : ".");
    if (dk_buf_read_file(&text, path.buf) == 0)
        rc = dk_ignore_parse(&ig, text.buf, text.len, &err);
    ok(rc == 0 && ig.n == 8, "dockerignore: fixture parses into 8 patterns");
    ok(dk_ignore_match(&ig, "node_modules/x/index.js") && dk_ignore_match(&ig, "dist/app.js") &&
           !dk_ignore_match(&ig, "src/dist/app.js") && dk_ignore_match(&ig, "debug.log") &&
           !dk_ignore_match(&ig, "logs/debug.log") && dk_ignore_match(&ig, "a/b/c.tmp"),
       "dockerignore: fixture excludes build output, logs and temporary files");
    ok(dk_ignore_match(&ig, "CHANGELOG.md") && !dk_ignore_match(&ig, "README.md") &&
           dk_ignore_match(&ig, "docs/guide.html") && !dk_ignore_match(&ig, "docs/index.html") &&
           !dk_ignore_match(&ig, "src/main.c") && !dk_ignore_match(&ig, "Dockerfile"),
       "dockerignore: fixture exceptions re-include the README and docs/index.html");
    ok(!dk_ignore_dir_may_contain_includes(&ig, "node_modules") &&
           dk_ignore_dir_may_contain_includes(&ig, "docs"),
       "dockerignore: fixture walk skips node_modules but enters docs");
    dk_ignore_release(&ig);
    dk_buf_release(&path);
    dk_buf_release(&text);
}

int main(void)
{
    test_table();
    test_parse();
    test_errors();
    test_dirs();
    test_sources();
    test_fixture();
    return tap_done();
}
