#include "dk/git.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"

/* The git CLI, with the identity and defaults the test repositories need and nothing taken
 * from the user's configuration (HOME and XDG_CONFIG_HOME point into the temp dir). */
#define GIT                                                                                        \
    "git -c user.name=t -c user.email=t@t -c init.defaultBranch=main -c core.autocrlf=false "      \
    "-c advice.detachedHead=false -c protocol.file.allow=always"

#define T1 "1700000000"
#define T2 "1700000100"

static char tmp[PATH_MAX];
static char *repo, *clone, *bare, *sub;

__attribute__((format(printf, 1, 2))) static int sh(const char *fmt, ...)
{
    struct dk_buf b = DK_BUF_INIT;
    va_list ap;
    int rc;

    va_start(ap, fmt);
    dk_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    rc = system(b.buf);
    if (rc != 0)
        printf("# command failed (%d): %s\n", rc, b.buf);
    dk_buf_release(&b);
    return rc;
}

/* The output of a shell command (caller frees), NUL bytes turned into newlines. */
__attribute__((format(printf, 1, 2))) static char *sh_out(const char *fmt, ...)
{
    struct dk_buf cmd = DK_BUF_INIT, b = DK_BUF_INIT;
    va_list ap;
    FILE *f;
    size_t i;

    va_start(ap, fmt);
    dk_buf_vaddf(&cmd, fmt, ap);
    va_end(ap);
    f = popen(cmd.buf, "r");
    if (f) {
        dk_buf_read_fd(&b, fileno(f));
        if (pclose(f) != 0)
            printf("# command failed: %s\n", cmd.buf);
    }
    for (i = 0; i < b.len; i++)
        if (b.buf[i] == '\0')
            b.buf[i] = '\n';
    dk_buf_release(&cmd);
    return dk_buf_detach(&b, NULL);
}

/* `git` output of one line, without its newline, into a fixed buffer. */
static void git_line(char *out, size_t n, const char *dir, const char *args)
{
    char *s = sh_out("cd '%s' && " GIT " %s", dir, args);

    s[strcspn(s, "\n")] = '\0';
    snprintf(out, n, "%s", s);
    free(s);
}

static void write_file(const char *dir, const char *name, const char *s)
{
    char *p = dk_xasprintf("%s/%s", dir, name);
    FILE *f = fopen(p, "wb");

    if (f) {
        fputs(s, f);
        fclose(f);
    }
    free(p);
}

/* A listing as `git ls-tree -r` prints it, one line per entry. */
static char *fmt_entries(const struct dk_git_entry *e, size_t n)
{
    struct dk_buf b = DK_BUF_INIT;
    size_t i;

    for (i = 0; i < n; i++)
        dk_buf_addf(&b, "%06o %s %s\t%s\n", e[i].mode,
                    e[i].mode == DK_GIT_MODE_GITLINK ? "commit" : "blob", e[i].oid, e[i].path);
    return dk_buf_detach(&b, NULL);
}

static int sorted(const struct dk_git_entry *e, size_t n)
{
    size_t i;

    for (i = 1; i < n; i++)
        if (strcmp(e[i - 1].path, e[i].path) >= 0)
            return 0;
    return 1;
}

static const struct dk_git_entry *find(const struct dk_git_entry *e, size_t n, const char *path)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!strcmp(e[i].path, path))
            return &e[i];
    return NULL;
}

/* Compares a listing with `git ls-tree -r -z TREEISH` run in dir. */
static void same_as_ls_tree(const struct dk_git_entry *e, size_t n, const char *dir,
                            const char *treeish, const char *what)
{
    char *want = sh_out("cd '%s' && " GIT " ls-tree -r -z '%s'", dir, treeish);
    char *got = fmt_entries(e, n);

    ok(n > 0 && sorted(e, n), "git: %s is sorted by path", what);
    is_str(got, want, "git: %s equals git ls-tree -r %s", what, treeish);
    free(want);
    free(got);
}

static void make_repos(void)
{
    repo = dk_xasprintf("%s/repo", tmp);
    clone = dk_xasprintf("%s/clone", tmp);
    bare = dk_xasprintf("%s/bare.git", tmp);
    sub = dk_xasprintf("%s/subrepo", tmp);

    sh("mkdir -p '%s' && cd '%s' && " GIT " init -q && echo sub > s.txt && " GIT " add . && " GIT
       " commit -q -m sub",
       sub, sub);
    sh("mkdir -p '%s/app/src/lib' '%s/docs' && cd '%s' && " GIT " init -q", repo, repo, repo);
    write_file(repo, "README.md", "readme v1\n");
    write_file(repo, ".gitignore", "*.log\nbuild/\n");
    write_file(repo, "app-x.txt", "x\n");
    write_file(repo, "app/Dockerfile", "FROM alpine:3.19\nCOPY . /app\n");
    write_file(repo, "app/.dockerignore", "*.md\n");
    write_file(repo, "app/run.sh", "#!/bin/sh\necho run\n");
    write_file(repo, "app/extra.txt", "extra\n");
    write_file(repo, "app/src/main.c", "int main(void) { return 0; }\n");
    write_file(repo, "app/src/lib/util.h", "#define UTIL 1\n");
    write_file(repo, "docs/a b.txt", "spaces\n");
    write_file(repo, "docs/\xc3\xbc.txt", "umlaut\n");
    sh("cd '%s' && chmod 755 app/run.sh && ln -s src/main.c app/link && " GIT
       " submodule add -q '%s' mod && " GIT " add -A && GIT_AUTHOR_DATE='" T1
       " +0000' GIT_COMMITTER_DATE='" T1 " +0000' " GIT " commit -q -m one && " GIT
       " tag -a -m v1 v1 && " GIT " tag light1",
       repo, sub);
    write_file(repo, "app/src/main.c", "int main(void) { return 2; }\n");
    write_file(repo, "app/src/two.c", "int two;\n");
    sh("cd '%s' && " GIT " add -A && GIT_AUTHOR_DATE='" T2 " +0000' GIT_COMMITTER_DATE='" T2
       " +0000' " GIT " commit -q -m two",
       repo);
}

static void test_open(void)
{
    struct dk_git g = DK_GIT_INIT;
    struct dk_err err = DK_ERR_INIT;
    char *plain = dk_xasprintf("%s/plain", tmp), *want, *p;

    mkdir(plain, 0755);
    ok(dk_git_open(&g, plain, &err) == -1 && err.code == DK_E_INPUT,
       "git: a directory outside any repository is an input error");
    want = dk_xasprintf("'%s' is not in a git repository", plain);
    is_str(err.msg, want, "git: the message names the path");
    ok(g.repo == NULL && g.workdir == NULL, "git: a failed open leaves g released");
    free(want);
    p = dk_xasprintf("%s/missing", tmp);
    dk_err_init(&err);
    ok(dk_git_open(&g, p, &err) == -1 && err.code == DK_E_INPUT && strstr(err.msg, p),
       "git: a missing path is an input error naming it");
    free(p);

    p = dk_xasprintf("%s/app/src/lib", repo);
    dk_err_init(&err);
    ok(dk_git_open(&g, p, &err) == 0, "git: open from a nested subdirectory");
    is_str(dk_git_workdir(&g), repo, "git: the repository is discovered upwards");
    dk_git_release(&g);
    free(p);
    p = dk_xasprintf("%s/app/Dockerfile", repo);
    ok(dk_git_open(&g, p, &err) == 0 && !strcmp(dk_git_workdir(&g), repo),
       "git: open from a file in the working tree");
    dk_git_release(&g);
    dk_git_release(&g);
    ok(g.repo == NULL && g.workdir == NULL, "git: release twice is safe");
    free(p);
    free(plain);
}

static void test_relpath(void)
{
    struct dk_git g = DK_GIT_INIT;
    struct dk_err err = DK_ERR_INIT;
    struct dk_buf b = DK_BUF_INIT;
    char cwd[PATH_MAX];
    char *p, *alias = dk_xasprintf("%s/alias", tmp);

    dk_git_open(&g, repo, &err);
    p = dk_xasprintf("%s/app/Dockerfile", repo);
    ok(dk_git_relpath(&g, p, &b, &err) == 0, "git: relpath of an absolute path");
    is_str(b.buf, "app/Dockerfile", "git: relpath is relative to the working tree");
    free(p);

    if (!getcwd(cwd, sizeof(cwd)))
        cwd[0] = '\0';
    p = dk_xasprintf("%s/app", repo);
    if (chdir(p) < 0)
        printf("# cannot cd to %s\n", p);
    free(p);
    dk_buf_reset(&b);
    dk_git_relpath(&g, "Dockerfile", &b, &err);
    is_str(b.buf, "app/Dockerfile", "git: relpath of a path relative to the current directory");
    dk_buf_reset(&b);
    dk_git_relpath(&g, "./src//lib/../main.c", &b, &err);
    is_str(b.buf, "app/src/main.c", "git: relpath tidies '.', '//' and '..'");
    dk_buf_reset(&b);
    dk_git_relpath(&g, "..", &b, &err);
    is_str(b.buf, "", "git: relpath of the top is empty");
    dk_buf_reset(&b);
    dk_git_relpath(&g, "new/not-yet.txt", &b, &err);
    is_str(b.buf, "app/new/not-yet.txt", "git: relpath of a path that does not exist");
    dk_buf_reset(&b);
    dk_git_relpath(&g, "link", &b, &err);
    is_str(b.buf, "app/link", "git: relpath keeps a symlink as the last component");
    dk_buf_reset(&b);
    ok(dk_git_relpath(&g, "../..", &b, &err) == -1 && err.code == DK_E_INPUT &&
           strstr(err.msg, "'../..' is outside the working tree") && b.len == 0,
       "git: relpath outside the working tree is an input error");
    if (cwd[0] && chdir(cwd) < 0)
        printf("# cannot cd back to %s\n", cwd);

    sh("ln -s '%s' '%s'", repo, alias);
    p = dk_xasprintf("%s/app/src/main.c", alias);
    dk_buf_reset(&b);
    dk_err_init(&err);
    ok(dk_git_relpath(&g, p, &b, &err) == 0, "git: relpath through a link to the working tree");
    is_str(b.buf, "app/src/main.c", "git: the link is resolved");
    free(p);
    dk_buf_release(&b);
    dk_git_release(&g);
    free(alias);
}

static void test_resolve(void)
{
    struct dk_git g = DK_GIT_INIT;
    struct dk_err err = DK_ERR_INIT;
    char hex[41], want[64], tagobj[64];

    dk_git_open(&g, repo, &err);
    git_line(want, sizeof(want), repo, "rev-parse HEAD");
    ok(dk_git_resolve(&g, "HEAD", hex, &err) == 0, "git: resolve HEAD");
    is_str(hex, want, "git: HEAD is git rev-parse HEAD");
    memset(hex, 'x', sizeof(hex));
    dk_git_resolve(&g, NULL, hex, &err);
    is_str(hex, want, "git: NULL resolves HEAD");
    dk_git_resolve(&g, "main", hex, &err);
    is_str(hex, want, "git: a branch name resolves");
    want[8] = '\0';
    dk_git_resolve(&g, want, hex, &err);
    git_line(want, sizeof(want), repo, "rev-parse HEAD");
    is_str(hex, want, "git: an abbreviated id resolves to the full id");

    git_line(want, sizeof(want), repo, "rev-parse HEAD~1");
    dk_git_resolve(&g, "HEAD~1", hex, &err);
    is_str(hex, want, "git: HEAD~1 is git rev-parse HEAD~1");
    git_line(tagobj, sizeof(tagobj), repo, "rev-parse v1");
    ok(dk_git_resolve(&g, "v1", hex, &err) == 0 && strcmp(tagobj, want) != 0,
       "git: resolve an annotated tag");
    is_str(hex, want, "git: an annotated tag resolves to its commit, not the tag object");
    dk_git_resolve(&g, "light1", hex, &err);
    is_str(hex, want, "git: a lightweight tag resolves to its commit");

    ok(dk_git_resolve(&g, "nope", hex, &err) == -1 && err.code == DK_E_INPUT &&
           strstr(err.msg, "unknown revision 'nope' in repository '") && strstr(err.msg, repo),
       "git: an unknown revision is an input error naming it and the repository");
    printf("# %s\n", err.msg);
    dk_err_init(&err);
    ok(dk_git_resolve(&g, "HEAD^{tree}", hex, &err) == -1 && err.code == DK_E_INPUT &&
           strstr(err.msg, "names no commit"),
       "git: a revision naming a tree is an input error");
    dk_git_release(&g);
}

static void test_ls_tree(void)
{
    struct dk_git g = DK_GIT_INIT;
    struct dk_err err = DK_ERR_INIT;
    struct dk_git_entry *e = NULL;
    const struct dk_git_entry *x;
    char head[41], prev[41], want[64], msg[128];
    size_t n = 0;
    char *s;

    dk_git_open(&g, repo, &err);
    dk_git_resolve(&g, NULL, head, &err);
    dk_git_resolve(&g, "HEAD~1", prev, &err);

    ok(dk_git_ls_tree(&g, head, "", &e, &n, &err) == 0, "git: ls_tree of HEAD");
    same_as_ls_tree(e, n, repo, head, "ls_tree of HEAD");
    ok(!find(e, n, "app") && !find(e, n, "app/src") && find(e, n, "app/src/lib/util.h"),
       "git: ls_tree lists files only, nested ones included");
    x = find(e, n, "app/run.sh");
    ok(x && x->mode == DK_GIT_MODE_EXEC, "git: an executable file has mode 100755");
    git_line(want, sizeof(want), repo, "hash-object app/run.sh");
    is_str(x ? x->oid : NULL, want, "git: its id is git hash-object of the file");
    x = find(e, n, "README.md");
    ok(x && x->mode == DK_GIT_MODE_FILE, "git: a plain file has mode 100644");
    git_line(want, sizeof(want), repo, "hash-object README.md");
    is_str(x ? x->oid : NULL, want, "git: README.md's id is git hash-object of it");
    x = find(e, n, "app/link");
    ok(x && x->mode == DK_GIT_MODE_SYMLINK, "git: a symlink has mode 120000");
    s = sh_out("printf %%s src/main.c | " GIT " hash-object --stdin");
    s[strcspn(s, "\n")] = '\0';
    is_str(x ? x->oid : NULL, s, "git: a symlink's id is the blob of its target text");
    free(s);
    x = find(e, n, "mod");
    git_line(want, sizeof(want), sub, "rev-parse HEAD");
    ok(x && x->mode == DK_GIT_MODE_GITLINK, "git: a submodule has mode 160000");
    is_str(x ? x->oid : NULL, want, "git: a submodule's id is its commit");
    dk_git_entries_free(e, n);

    dk_git_ls_tree(&g, prev, "", &e, &n, &err);
    same_as_ls_tree(e, n, repo, prev, "ls_tree of HEAD~1");
    dk_git_entries_free(e, n);

    snprintf(want, sizeof(want), "%s:app", head);
    ok(dk_git_ls_tree(&g, head, "app", &e, &n, &err) == 0, "git: ls_tree of a subdirectory");
    same_as_ls_tree(e, n, repo, want, "ls_tree of app");
    ok(find(e, n, "Dockerfile") && find(e, n, "src/main.c") && !find(e, n, "app-x.txt"),
       "git: paths are relative to the subdirectory");
    dk_git_entries_free(e, n);
    snprintf(want, sizeof(want), "%.12s:app/src", head);
    dk_git_ls_tree(&g, head, "./app//src/", &e, &n, &err);
    same_as_ls_tree(e, n, repo, want, "ls_tree of ./app//src/ (abbreviated commit)");
    dk_git_entries_free(e, n);

    snprintf(msg, sizeof(msg), "no directory 'nope' in commit %.7s", head);
    ok(dk_git_ls_tree(&g, head, "nope", &e, &n, &err) == -1 && err.code == DK_E_INPUT &&
           e == NULL && n == 0,
       "git: ls_tree of a missing directory is an input error");
    is_str(err.msg, msg, "git: the message names the directory and the commit");
    dk_err_init(&err);
    ok(dk_git_ls_tree(&g, head, "README.md", &e, &n, &err) == -1 && err.code == DK_E_INPUT &&
           strstr(err.msg, "no directory 'README.md'"),
       "git: ls_tree of a file is an input error");
    dk_err_init(&err);
    ok(dk_git_ls_tree(&g, head, "app/../..", &e, &n, &err) == -1 && err.code == DK_E_INPUT &&
           strstr(err.msg, "outside the repository"),
       "git: ls_tree of a path above the top is an input error");
    dk_err_init(&err);
    ok(dk_git_ls_tree(&g, "xyz!", "", &e, &n, &err) == -1 && err.code == DK_E_INPUT &&
           strstr(err.msg, "'xyz!' is not a commit id"),
       "git: a commit id that is not hex is an input error");
    dk_err_init(&err);
    ok(dk_git_ls_tree(&g, "0000000000000000000000000000000000000001", "", &e, &n, &err) == -1 &&
           err.code == DK_E_NOTFOUND && strstr(err.msg, "no commit 0000000"),
       "git: an unknown commit is not-found");
    dk_git_release(&g);
}

static void test_read_blob(void)
{
    struct dk_git g = DK_GIT_INIT;
    struct dk_err err = DK_ERR_INIT;
    struct dk_buf b = DK_BUF_INIT, small;
    char head[41], prev[41];

    dk_git_open(&g, repo, &err);
    dk_git_resolve(&g, NULL, head, &err);
    dk_git_resolve(&g, "HEAD~1", prev, &err);
    ok(dk_git_read_blob(&g, head, "app/Dockerfile", &b, &err) == 0, "git: read_blob");
    is_str(b.buf, "FROM alpine:3.19\nCOPY . /app\n", "git: read_blob gives the file's content");
    dk_buf_reset(&b);
    dk_git_read_blob(&g, prev, "app/src/main.c", &b, &err);
    is_str(b.buf, "int main(void) { return 0; }\n",
           "git: read_blob at HEAD~1 gives the old content");
    dk_buf_reset(&b);
    dk_git_read_blob(&g, head, "./app/src/main.c", &b, &err);
    is_str(b.buf, "int main(void) { return 2; }\n", "git: read_blob at HEAD gives the new content");
    dk_buf_reset(&b);
    dk_git_read_blob(&g, head, "app/link", &b, &err);
    is_str(b.buf, "src/main.c", "git: read_blob of a symlink gives its target text");

    dk_buf_reset(&b);
    ok(dk_git_read_blob(&g, prev, "app/src/two.c", &b, &err) == -1 && err.code == DK_E_NOTFOUND &&
           b.len == 0,
       "git: read_blob of a file absent at the commit is not-found");
    printf("# %s\n", err.msg);
    dk_err_init(&err);
    ok(dk_git_read_blob(&g, head, "app/src", &b, &err) == -1 && err.code == DK_E_INPUT &&
           strstr(err.msg, "is a directory"),
       "git: read_blob of a directory is an input error");
    dk_err_init(&err);
    ok(dk_git_read_blob(&g, head, "mod", &b, &err) == -1 && err.code == DK_E_INPUT &&
           strstr(err.msg, "is a submodule"),
       "git: read_blob of a submodule is an input error");
    dk_err_init(&err);
    ok(dk_git_read_blob(&g, head, "", &b, &err) == -1 && err.code == DK_E_NOTFOUND,
       "git: read_blob of the top is not-found");
    dk_buf_init_max(&small, 8);
    dk_buf_add(&small, "ab");
    dk_err_init(&err);
    ok(dk_git_read_blob(&g, head, "app/Dockerfile", &small, &err) == -1 && err.code == DK_E_INPUT &&
           strstr(err.msg, "larger than 8 bytes") && !strcmp(small.buf, "ab"),
       "git: read_blob past the buffer's cap fails and leaves the buffer");
    dk_buf_release(&small);
    dk_buf_release(&b);
    dk_git_release(&g);
}

static void test_commit_info(void)
{
    struct dk_git g = DK_GIT_INIT;
    struct dk_err err = DK_ERR_INIT;
    struct dk_buf b = DK_BUF_INIT;
    char head[41], prev[41], want[64];
    int64_t t = 0;

    dk_git_open(&g, repo, &err);
    dk_git_resolve(&g, NULL, head, &err);
    dk_git_resolve(&g, "HEAD~1", prev, &err);
    ok(dk_git_commit_info(&g, head, &t, &b, &err) == 0, "git: commit_info of HEAD");
    git_line(want, sizeof(want), repo, "log -1 --format=%ct HEAD");
    is_int(t, strtoll(want, NULL, 10), "git: commit time is git log --format=%%ct");
    is_int(t, strtoll(T2, NULL, 10), "git: commit time is the committer date");
    is_str(b.buf, "main", "git: the branch of HEAD");
    ok(dk_git_commit_info(&g, prev, &t, NULL, &err) == 0 && t == strtoll(T1, NULL, 10),
       "git: commit time of HEAD~1, no branch asked");
    dk_err_init(&err);
    ok(dk_git_commit_info(&g, "ffffffffffffffffffffffffffffffffffffffff", &t, &b, &err) == -1 &&
           err.code == DK_E_NOTFOUND && strstr(err.msg, repo),
       "git: commit_info of an unknown commit is not-found naming the repository");
    dk_buf_release(&b);
    dk_git_release(&g);
}

static void test_worktree(void)
{
    struct dk_git g = DK_GIT_INIT;
    struct dk_err err = DK_ERR_INIT;
    struct dk_git_entry *e = NULL, *t = NULL;
    const struct dk_git_entry *x;
    char head[41], tree[64], want[64], spec[PATH_MAX];
    size_t n = 0, nt = 0;
    char *a, *b;
    int dirty = -1;

    dk_git_open(&g, repo, &err);
    dk_git_resolve(&g, NULL, head, &err);
    ok(dk_git_is_dirty(&g, &dirty, &err) == 0 && dirty == 0, "git: a clean tree is not dirty");
    ok(dk_git_ls_worktree(&g, "", &e, &n, &err) == 0, "git: ls_worktree of a clean tree");
    dk_git_ls_tree(&g, head, "", &t, &nt, &err);
    a = fmt_entries(e, n);
    b = fmt_entries(t, nt);
    is_str(a, b, "git: a clean working tree lists what HEAD lists");
    free(a);
    free(b);
    dk_git_entries_free(e, n);
    dk_git_entries_free(t, nt);
    dk_git_ls_worktree(&g, "app", &e, &n, &err);
    dk_git_ls_tree(&g, head, "app", &t, &nt, &err);
    a = fmt_entries(e, n);
    b = fmt_entries(t, nt);
    is_str(a, b, "git: ... and so for a subdirectory");
    free(a);
    free(b);
    dk_git_entries_free(e, n);
    dk_git_entries_free(t, nt);

    /* Change the working tree every way there is. */
    write_file(repo, "app/src/main.c", "int main(void) { return 3 + 3; }\n");
    write_file(repo, "README.md", "readme v2\n"); /* same size, same second: racy */
    write_file(repo, "app/new.txt", "new\n");
    sh("mkdir -p '%s/app/newdir/deep' '%s/build' '%s/app/build'", repo, repo, repo);
    write_file(repo, "app/newdir/deep/f.txt", "deep\n");
    write_file(repo, "app/debug.log", "ignored\n");
    write_file(repo, "build/out.bin", "ignored\n");
    write_file(repo, "app/build/x", "ignored\n");
    write_file(repo, "app-y.txt", "y\n");
    write_file(repo, "app/staged.txt", "staged\n");
    sh("cd '%s' && rm app/extra.txt && chmod +x app/Dockerfile && rm app/link && "
       "ln -s src/lib/util.h app/link && " GIT " add app/staged.txt",
       repo);
    sh("cd '%s/mod' && echo more > more.txt && " GIT " add . && " GIT " commit -q -m more", repo);

    ok(dk_git_is_dirty(&g, &dirty, &err) == 0 && dirty == 1, "git: a changed tree is dirty");
    ok(dk_git_ls_worktree(&g, "", &e, &n, &err) == 0, "git: ls_worktree of a changed tree");
    /* what `git add -A` would commit, built in a throw-away index */
    git_line(tree, sizeof(tree), repo,
             "rev-parse --git-dir >/dev/null && cp .git/index .git/t-index && "
             "GIT_INDEX_FILE=.git/t-index git add -A && GIT_INDEX_FILE=.git/t-index git "
             "write-tree");
    sh("rm -f '%s/.git/t-index'", repo);
    same_as_ls_tree(e, n, repo, tree, "ls_worktree");
    x = find(e, n, "app/src/main.c");
    git_line(want, sizeof(want), repo, "hash-object app/src/main.c");
    is_str(x ? x->oid : NULL, want, "git: a modified file has the id of its new content");
    x = find(e, n, "README.md");
    git_line(want, sizeof(want), repo, "hash-object README.md");
    is_str(x ? x->oid : NULL, want, "git: ... also when its size and mtime second are the same");
    x = find(e, n, "app/new.txt");
    git_line(want, sizeof(want), repo, "hash-object app/new.txt");
    ok(x && x->mode == DK_GIT_MODE_FILE, "git: an untracked file is listed");
    is_str(x ? x->oid : NULL, want, "git: ... with git hash-object's id");
    ok(find(e, n, "app/newdir/deep/f.txt") != NULL, "git: untracked directories are walked");
    ok(!find(e, n, "app/debug.log") && !find(e, n, "build/out.bin") && !find(e, n, "app/build/x"),
       "git: ignored files are not listed");
    ok(!find(e, n, "app/extra.txt"), "git: a deleted file is not listed");
    ok(find(e, n, "app/staged.txt") != NULL, "git: a staged new file is listed");
    x = find(e, n, "app/Dockerfile");
    ok(x && x->mode == DK_GIT_MODE_EXEC, "git: a file made executable has mode 100755");
    x = find(e, n, "app/link");
    a = sh_out("printf %%s src/lib/util.h | " GIT " hash-object --stdin");
    a[strcspn(a, "\n")] = '\0';
    ok(x && x->mode == DK_GIT_MODE_SYMLINK, "git: a changed symlink stays a symlink");
    is_str(x ? x->oid : NULL, a, "git: ... with the id of its new target text");
    free(a);
    x = find(e, n, "mod");
    snprintf(spec, sizeof(spec), "%s/mod", repo);
    git_line(want, sizeof(want), spec, "rev-parse HEAD");
    is_str(x ? x->oid : NULL, want, "git: a submodule has the commit checked out in it");
    ok(sorted(e, n), "git: the working-tree listing is sorted");
    dk_git_entries_free(e, n);

    ok(dk_git_ls_worktree(&g, "app/", &e, &n, &err) == 0, "git: ls_worktree of a subdirectory");
    snprintf(spec, sizeof(spec), "%s:app", tree);
    same_as_ls_tree(e, n, repo, spec, "ls_worktree of app");
    ok(!find(e, n, "app-y.txt") && !find(e, n, "../app-y.txt") && find(e, n, "new.txt"),
       "git: a subdirectory lists only what is under it, relative to it");
    dk_git_entries_free(e, n);

    ok(dk_git_ls_worktree(&g, "nope", &e, &n, &err) == -1 && err.code == DK_E_INPUT &&
           strstr(err.msg, "no directory 'nope' in the working tree") && e == NULL && n == 0,
       "git: ls_worktree of a missing directory is an input error");
    dk_git_release(&g);
}

static void test_clone_and_bare(void)
{
    struct dk_git g = DK_GIT_INIT, c = DK_GIT_INIT;
    struct dk_err err = DK_ERR_INIT;
    struct dk_git_entry *e = NULL, *f = NULL;
    struct dk_buf b = DK_BUF_INIT;
    char head[41], chead[41];
    size_t n = 0, m = 0;
    int dirty = -1;
    char *x, *y;

    sh(GIT " clone -q '%s' '%s' && " GIT " clone -q --bare '%s' '%s'", repo, clone, repo, bare);
    dk_git_open(&g, repo, &err);
    ok(dk_git_open(&c, clone, &err) == 0 && !strcmp(dk_git_workdir(&c), clone),
       "git: open a clone at another path");
    dk_git_resolve(&g, NULL, head, &err);
    dk_git_resolve(&c, NULL, chead, &err);
    is_str(chead, head, "git: the clone's HEAD is the same commit");
    dk_git_ls_tree(&g, head, "", &e, &n, &err);
    dk_git_ls_tree(&c, chead, "", &f, &m, &err);
    x = fmt_entries(e, n);
    y = fmt_entries(f, m);
    is_str(y, x, "git: the same commit lists the same in a clone at another path");
    free(y);
    dk_git_entries_free(f, m);
    dk_git_ls_worktree(&c, "", &f, &m, &err);
    y = fmt_entries(f, m);
    is_str(y, x, "git: the clone's clean working tree lists the same (submodule not checked out)");
    free(x);
    free(y);
    dk_git_entries_free(e, n);
    dk_git_entries_free(f, m);

    ok(dk_git_is_dirty(&c, &dirty, &err) == 0 && dirty == 0,
       "git: a clone whose submodule is not checked out is clean");
    write_file(clone, "untracked.txt", "u\n");
    dk_git_is_dirty(&c, &dirty, &err);
    is_int(dirty, 1, "git: an untracked file makes the tree dirty");
    sh("rm '%s/untracked.txt' && cd '%s' && " GIT " submodule -q update --init", clone, clone);
    dk_git_is_dirty(&c, &dirty, &err);
    is_int(dirty, 0, "git: a submodule checked out at its recorded commit is clean");
    sh("cd '%s/mod' && " GIT " commit -q --allow-empty -m x", clone);
    dk_git_is_dirty(&c, &dirty, &err);
    is_int(dirty, 1, "git: a submodule on another commit makes the tree dirty");

    sh("cd '%s' && " GIT " checkout -q --detach", clone);
    dk_git_commit_info(&c, chead, NULL, &b, &err);
    ok(b.len == 0, "git: a detached HEAD has no branch");
    dk_git_release(&c);

    ok(dk_git_open(&c, bare, &err) == 0 && dk_git_workdir(&c) == NULL,
       "git: a bare repository opens, without a working tree");
    ok(dk_git_ls_tree(&c, head, "app", &e, &n, &err) == 0 && find(e, n, "Dockerfile"),
       "git: ls_tree works in a bare repository");
    dk_git_entries_free(e, n);
    dk_err_init(&err);
    ok(dk_git_ls_worktree(&c, "", &e, &n, &err) == -1 && err.code == DK_E_INPUT &&
           strstr(err.msg, "has no working tree") && strstr(err.msg, "bare.git"),
       "git: ls_worktree in a bare repository is an input error naming it");
    dk_err_init(&err);
    ok(dk_git_relpath(&c, "x", &b, &err) == -1 && err.code == DK_E_INPUT,
       "git: relpath in a bare repository is an input error");
    dk_buf_release(&b);
    dk_git_release(&c);
    dk_git_release(&g);
}

static void test_unborn(void)
{
    struct dk_git g = DK_GIT_INIT;
    struct dk_err err = DK_ERR_INIT;
    char *dir = dk_xasprintf("%s/empty", tmp), hex[41];
    int dirty = -1;

    sh(GIT " init -q '%s'", dir);
    ok(dk_git_open(&g, dir, &err) == 0, "git: open a repository with no commit");
    ok(dk_git_resolve(&g, NULL, hex, &err) == -1 && err.code == DK_E_INPUT &&
           strstr(err.msg, "'HEAD'"),
       "git: HEAD with no commit is an input error");
    dk_err_init(&err);
    ok(dk_git_is_dirty(&g, &dirty, &err) == 0 && dirty == 0,
       "git: an empty repository with no commit is clean");
    write_file(dir, "f", "f\n");
    dk_git_is_dirty(&g, &dirty, &err);
    is_int(dirty, 1, "git: a file in a repository with no commit makes it dirty");
    dk_git_release(&g);
    free(dir);
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    char made[PATH_MAX], *real, *cmd;

    snprintf(made, sizeof(made), "%s/dk-t-git-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(made)) {
        printf("Bail out! cannot make a temp dir: %s\n", strerror(errno));
        return 1;
    }
    /* the working directory libgit2 reports has its links resolved */
    real = realpath(made, NULL);
    snprintf(tmp, sizeof(tmp), "%s", real ? real : made);
    free(real);
    /* git and libgit2 see only the test's configuration, and no repository around it */
    setenv("HOME", tmp, 1);
    setenv("XDG_CONFIG_HOME", tmp, 1);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    unsetenv("GIT_DIR");
    unsetenv("GIT_WORK_TREE");
    unsetenv("GIT_INDEX_FILE");
    unsetenv("GIT_OBJECT_DIRECTORY");
    unsetenv("GIT_COMMON_DIR");
    make_repos();

    test_open();
    test_relpath();
    test_resolve();
    test_ls_tree();
    test_read_blob();
    test_commit_info();
    test_worktree();
    test_clone_and_bare();
    test_unborn();

    cmd = dk_xasprintf("rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        printf("# cannot remove %s\n", tmp);
    free(cmd);
    free(repo);
    free(clone);
    free(bare);
    free(sub);
    return tap_done();
}
