#include "dk/git.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

/* A listing while it is built: the entry plus what is still to be done to it. */
struct item {
    struct dk_git_entry e;
    unsigned tracked : 1; /* from the index */
    unsigned rehash : 1;  /* take id and mode from the working-tree file */
    unsigned skip : 1;    /* skip-worktree: keep the index's id whatever the file says */
};

struct list {
    struct item *v;
    size_t n, alloc;
};

static const char *gerr(void)
{
    const git_error *e = git_error_last();

    return e && e->message ? e->message : "unknown error";
}

static git_repository *repo_of(const struct dk_git *g)
{
    return g->repo;
}

/* The repository as messages name it: its working directory, else its git directory. */
static const char *repo_name(const struct dk_git *g)
{
    return g->workdir ? g->workdir : git_repository_path(repo_of(g));
}

/* The offset of the last '/' in the first n bytes of s, or -1. */
static ptrdiff_t last_slash(const char *s, size_t n)
{
    while (n--)
        if (s[n] == '/')
            return (ptrdiff_t)n;
    return -1;
}

/* Appends in to out tidied: no empty or "." components, ".." applied, no leading or trailing
 * '/'. A ".." above the start returns -1 (out is then undefined), or with clamp is dropped. */
static int tidy(const char *in, struct dk_buf *out, int clamp)
{
    size_t base = out->len;

    while (*in) {
        size_t k = strcspn(in, "/");

        if (k == 2 && in[0] == '.' && in[1] == '.') {
            ptrdiff_t slash = last_slash(out->buf + base, out->len - base);

            if (out->len == base && !clamp)
                return -1;
            dk_buf_setlen(out, slash < 0 ? base : base + (size_t)slash);
        } else if (k && !(k == 1 && in[0] == '.')) {
            if (out->len > base)
                dk_buf_addch(out, '/');
            dk_buf_addn(out, in, k);
        }
        in += k;
        if (*in)
            in++;
    }
    return 0;
}

/* Tidies a repository path given by the caller into out (emptied first). */
static int repo_path(const struct dk_git *g, const char *in, struct dk_buf *out, struct dk_err *err)
{
    dk_buf_reset(out);
    if (tidy(in ? in : "", out, 0) < 0)
        return dk_err_set(err, DK_E_INPUT, "'%s' is outside the repository '%s'", in, repo_name(g));
    return 0;
}

static int lookup_commit(struct dk_git *g, const char *hex, git_commit **out, struct dk_err *err)
{
    size_t len = strlen(hex);
    git_oid oid;
    int rc;

    *out = NULL;
    if (len < GIT_OID_MINPREFIXLEN || len > GIT_OID_HEXSZ ||
        strspn(hex, "0123456789abcdefABCDEF") != len || git_oid_fromstrn(&oid, hex, len) < 0)
        return dk_err_set(err, DK_E_INPUT, "'%s' is not a commit id", hex);
    rc = git_commit_lookup_prefix(out, repo_of(g), &oid, len);
    if (rc == GIT_ENOTFOUND)
        return dk_err_set(err, DK_E_NOTFOUND, "no commit %.7s in repository '%s': %s", hex,
                          repo_name(g), gerr());
    if (rc == GIT_EAMBIGUOUS)
        return dk_err_set(err, DK_E_INPUT, "commit id '%s' is ambiguous in repository '%s': %s",
                          hex, repo_name(g), gerr());
    if (rc < 0)
        return dk_err_set(err, DK_E_FAIL, "cannot read commit %.7s in repository '%s': %s", hex,
                          repo_name(g), gerr());
    return 0;
}

/* Adds an item for the path a + b (zeroed otherwise). */
static struct item *list_add(struct list *l, const char *a, const char *b)
{
    struct item *it;

    if (l->n == l->alloc) {
        l->alloc = l->alloc ? l->alloc * 2 : 64;
        l->v = dk_xrealloc(l->v, l->alloc * sizeof(*l->v));
    }
    it = &l->v[l->n++];
    memset(it, 0, sizeof(*it));
    {
        /* called once per file of a tree: no printf */
        size_t la = strlen(a), lb = strlen(b);

        it->e.path = dk_xmalloc(la + lb + 1);
        memcpy(it->e.path, a, la);
        memcpy(it->e.path + la, b, lb + 1);
    }
    return it;
}

static void list_release(struct list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        free(l->v[i].e.path);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static int cmp_item(const void *a, const void *b)
{
    const struct item *x = a, *y = b;

    return strcmp(x->e.path, y->e.path);
}

/* Hands the listing to the caller as a dk_git_entry array, dropping items whose path was
 * cleared, sorted by path. */
static void list_finish(struct list *l, struct dk_git_entry **out, size_t *n)
{
    size_t i, k = 0;

    for (i = 0; i < l->n; i++)
        if (l->v[i].e.path)
            l->v[k++] = l->v[i];
    l->n = k;
    *n = l->n;
    *out = NULL;
    if (l->n) {
        /* a tree walk is in order already; sort only what is not */
        for (i = 1; i < l->n && cmp_item(&l->v[i - 1], &l->v[i]) <= 0; i++)
            ;
        if (i < l->n)
            qsort(l->v, l->n, sizeof(*l->v), cmp_item);
        *out = dk_xcalloc(l->n, sizeof(**out));
        for (i = 0; i < l->n; i++)
            (*out)[i] = l->v[i].e;
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
}

void dk_git_entries_free(struct dk_git_entry *e, size_t n)
{
    size_t i;

    if (!e)
        return;
    for (i = 0; i < n; i++)
        free(e[i].path);
    free(e);
}

int dk_git_global_init(struct dk_err *err)
{
    if (git_libgit2_init() < 0)
        return dk_err_set(err, DK_E_FAIL, "cannot initialise libgit2: %s", gerr());
    return 0;
}

int dk_git_open(struct dk_git *g, const char *path, struct dk_err *err)
{
    git_repository *repo = NULL;
    struct stat st;
    const char *wd;
    char *real;
    int rc;

    memset(g, 0, sizeof(*g));
    if (stat(path, &st) < 0)
        return dk_err_set(err, DK_E_INPUT, "cannot open '%s': %s", path, strerror(errno));
    if (git_libgit2_init() < 0)
        return dk_err_set(err, DK_E_FAIL, "cannot initialise libgit2: %s", gerr());
    /* objects are read from the local repository, as git itself does without re-hashing
     * each one: the tree walk of a large commit spends a tenth of its time on that */
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
    rc = git_repository_open_ext(&repo, path, 0, NULL);
    if (rc == GIT_ENOTFOUND) {
        dk_err_set(err, DK_E_INPUT, "'%s' is not in a git repository", path);
        git_libgit2_shutdown();
        return -1;
    }
    if (rc < 0) {
        dk_err_set(err, DK_E_FAIL, "cannot open the git repository at '%s': %s", path, gerr());
        git_libgit2_shutdown();
        return -1;
    }
    g->repo = repo;
    wd = git_repository_workdir(repo);
    if (wd) {
        real = realpath(wd, NULL);
        g->workdir = dk_xstrdup(real ? real : wd);
        free(real);
        if (strlen(g->workdir) > 1 && dk_str_endswith(g->workdir, "/"))
            g->workdir[strlen(g->workdir) - 1] = '\0';
    }
    return 0;
}

void dk_git_release(struct dk_git *g)
{
    if (g->repo) {
        git_repository_free(g->repo);
        git_libgit2_shutdown();
    }
    free(g->workdir);
    g->repo = NULL;
    g->workdir = NULL;
}

const char *dk_git_workdir(const struct dk_git *g)
{
    return g->workdir;
}

/* When abs (absolute, tidied) is wd or below it, appends the part below to out and returns 1. */
static int below(const char *wd, const char *abs, struct dk_buf *out)
{
    size_t k = strlen(wd);

    if (k == 1) /* the working tree is "/" */
        return dk_buf_add(out, abs + 1) == 0;
    if (strncmp(abs, wd, k) || (abs[k] && abs[k] != '/'))
        return 0;
    return dk_buf_add(out, abs[k] ? abs + k + 1 : "") == 0;
}

/* out = "/" + in tidied, ".." at the root staying there as the kernel has it. */
static void tidy_abs(const char *in, struct dk_buf *out)
{
    dk_buf_reset(out);
    dk_buf_addch(out, '/');
    tidy(in, out, 1);
}

int dk_git_relpath(struct dk_git *g, const char *path, struct dk_buf *out, struct dk_err *err)
{
    struct dk_buf in = DK_BUF_INIT, abs = DK_BUF_INIT, res = DK_BUF_INIT;
    char *real = NULL;
    size_t k;
    int rc = -1;

    if (!g->workdir)
        return dk_err_set(err, DK_E_INPUT, "repository '%s' has no working tree", repo_name(g));
    if (path[0] != '/') {
        char *cwd = getcwd(NULL, 0);

        if (!cwd)
            return dk_err_set(err, DK_E_IO, "cannot read the current directory: %s",
                              strerror(errno));
        dk_buf_add(&in, cwd);
        dk_buf_addch(&in, '/');
        free(cwd);
    }
    dk_buf_add(&in, path);
    tidy_abs(in.buf, &abs);
    if (!below(g->workdir, abs.buf, &res)) {
        /* Not below lexically: the working tree may be reached through a link. Resolve the
         * longest existing part of the directories above the last component and look again;
         * the last component itself is a name in the tree even when it is a link. */
        k = (size_t)(strrchr(abs.buf, '/') - abs.buf);
        for (;;) {
            char *dir = k ? dk_xstrndup(abs.buf, k) : dk_xstrdup("/");

            real = realpath(dir, NULL);
            free(dir);
            if (real || !k)
                break;
            k = (size_t)last_slash(abs.buf, k);
        }
        dk_buf_reset(&in);
        dk_buf_add(&in, real ? real : "");
        dk_buf_add(&in, abs.buf + k);
        tidy_abs(in.buf, &abs);
        dk_buf_reset(&res);
        if (!real || !below(g->workdir, abs.buf, &res)) {
            dk_err_set(err, DK_E_INPUT, "'%s' is outside the working tree '%s'", path, g->workdir);
            goto out;
        }
    }
    if (dk_buf_addn(out, res.buf, res.len) < 0) {
        dk_err_set(err, DK_E_INPUT, "the path of '%s' passes the buffer's cap", path);
        goto out;
    }
    rc = 0;
out:
    free(real);
    dk_buf_release(&in);
    dk_buf_release(&abs);
    dk_buf_release(&res);
    return rc;
}

int dk_git_resolve(struct dk_git *g, const char *rev, char out_hex[41], struct dk_err *err)
{
    git_object *obj = NULL, *commit = NULL;
    const char *spec = rev ? rev : "HEAD";
    int rc;

    out_hex[0] = '\0';
    rc = git_revparse_single(&obj, repo_of(g), spec);
    if (rc == GIT_ENOTFOUND || rc == GIT_EAMBIGUOUS || rc == GIT_EINVALIDSPEC ||
        rc == GIT_EUNBORNBRANCH)
        return dk_err_set(err, DK_E_INPUT, "unknown revision '%s' in repository '%s': %s", spec,
                          repo_name(g), gerr());
    if (rc < 0)
        return dk_err_set(err, DK_E_FAIL, "cannot resolve '%s' in repository '%s': %s", spec,
                          repo_name(g), gerr());
    rc = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT);
    git_object_free(obj);
    if (rc < 0)
        return dk_err_set(err, DK_E_INPUT, "revision '%s' names no commit in repository '%s': %s",
                          spec, repo_name(g), gerr());
    git_oid_tostr(out_hex, GIT_OID_HEXSZ + 1, git_object_id(commit));
    git_object_free(commit);
    return 0;
}

int dk_git_commit_info(struct dk_git *g, const char *commit_hex, int64_t *time_unix,
                       struct dk_buf *branch, struct dk_err *err)
{
    git_commit *c = NULL;
    git_reference *head = NULL;
    int rc = -1;

    if (lookup_commit(g, commit_hex, &c, err) < 0)
        return -1;
    if (time_unix)
        *time_unix = (int64_t)git_commit_time(c);
    if (branch) {
        const char *t;

        if (git_reference_lookup(&head, repo_of(g), "HEAD") < 0) {
            dk_err_set(err, DK_E_FAIL, "cannot read HEAD of repository '%s': %s", repo_name(g),
                       gerr());
            goto out;
        }
        if (git_reference_type(head) == GIT_REFERENCE_SYMBOLIC &&
            (t = git_reference_symbolic_target(head)) && dk_str_startswith(t, "refs/heads/"))
            dk_buf_add(branch, t + strlen("refs/heads/"));
    }
    rc = 0;
out:
    git_reference_free(head);
    git_commit_free(c);
    return rc;
}

/* The tree of commit_hex, or of its directory dir ("" for the top). */
static int commit_tree(struct dk_git *g, const char *commit_hex, const char *dir, git_tree **out,
                       struct dk_err *err)
{
    git_commit *c = NULL;
    git_tree *root = NULL;
    git_tree_entry *te = NULL;
    int rc = -1, r;

    *out = NULL;
    if (lookup_commit(g, commit_hex, &c, err) < 0)
        return -1;
    if (git_commit_tree(&root, c) < 0) {
        dk_err_set(err, DK_E_FAIL, "cannot read the tree of commit %.7s in repository '%s': %s",
                   commit_hex, repo_name(g), gerr());
        goto out;
    }
    if (!*dir) {
        *out = root;
        root = NULL;
        rc = 0;
        goto out;
    }
    r = git_tree_entry_bypath(&te, root, dir);
    if (r == GIT_ENOTFOUND || (r == 0 && git_tree_entry_type(te) != GIT_OBJECT_TREE)) {
        dk_err_set(err, DK_E_INPUT, "no directory '%s' in commit %.7s", dir, commit_hex);
        goto out;
    }
    if (r < 0 || git_tree_lookup(out, repo_of(g), git_tree_entry_id(te)) < 0) {
        dk_err_set(err, DK_E_FAIL,
                   "cannot read directory '%s' of commit %.7s in repository '%s': %s", dir,
                   commit_hex, repo_name(g), gerr());
        goto out;
    }
    rc = 0;
out:
    git_tree_entry_free(te);
    git_tree_free(root);
    git_commit_free(c);
    return rc;
}

static int walk_cb(const char *root, const git_tree_entry *te, void *payload)
{
    struct list *l = payload;
    git_object_t type = git_tree_entry_type(te);
    struct item *it;

    if (type != GIT_OBJECT_BLOB && type != GIT_OBJECT_COMMIT)
        return 0;
    it = list_add(l, root, git_tree_entry_name(te));
    git_oid_tostr(it->e.oid, sizeof(it->e.oid), git_tree_entry_id(te));
    it->e.mode = (unsigned)git_tree_entry_filemode(te);
    return 0;
}

int dk_git_ls_tree(struct dk_git *g, const char *commit_hex, const char *subdir,
                   struct dk_git_entry **out, size_t *n, struct dk_err *err)
{
    struct dk_buf dir = DK_BUF_INIT;
    struct list l = {0};
    git_tree *tree = NULL;
    int rc = -1;

    *out = NULL;
    *n = 0;
    if (repo_path(g, subdir, &dir, err) < 0 || commit_tree(g, commit_hex, dir.buf, &tree, err) < 0)
        goto out;
    if (git_tree_walk(tree, GIT_TREEWALK_PRE, walk_cb, &l) < 0) {
        dk_err_set(err, DK_E_FAIL, "cannot list commit %.7s in repository '%s': %s", commit_hex,
                   repo_name(g), gerr());
        goto out;
    }
    /* tree order is already path order, but a listing must not depend on that */
    list_finish(&l, out, n);
    rc = 0;
out:
    list_release(&l);
    git_tree_free(tree);
    dk_buf_release(&dir);
    return rc;
}

int dk_git_read_blob(struct dk_git *g, const char *commit_hex, const char *path, struct dk_buf *out,
                     struct dk_err *err)
{
    struct dk_buf p = DK_BUF_INIT;
    git_tree *tree = NULL;
    git_tree_entry *te = NULL;
    git_blob *blob = NULL;
    int rc = -1, r;

    if (repo_path(g, path, &p, err) < 0 || commit_tree(g, commit_hex, "", &tree, err) < 0)
        goto out;
    r = p.len ? git_tree_entry_bypath(&te, tree, p.buf) : GIT_ENOTFOUND;
    if (r == GIT_ENOTFOUND) {
        dk_err_set(err, DK_E_NOTFOUND, "no file '%s' in commit %.7s", p.buf, commit_hex);
        goto out;
    }
    if (r == 0 && git_tree_entry_type(te) != GIT_OBJECT_BLOB) {
        dk_err_set(err, DK_E_INPUT, "'%s' is a %s in commit %.7s, not a file", p.buf,
                   git_tree_entry_type(te) == GIT_OBJECT_TREE ? "directory" : "submodule",
                   commit_hex);
        goto out;
    }
    if (r < 0 || git_blob_lookup(&blob, repo_of(g), git_tree_entry_id(te)) < 0) {
        dk_err_set(err, DK_E_FAIL, "cannot read '%s' of commit %.7s in repository '%s': %s", p.buf,
                   commit_hex, repo_name(g), gerr());
        goto out;
    }
    if (dk_buf_addn(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob)) < 0) {
        dk_err_set(err, DK_E_INPUT, "'%s' in commit %.7s is larger than %zu bytes", p.buf,
                   commit_hex, out->max);
        goto out;
    }
    rc = 0;
out:
    git_blob_free(blob);
    git_tree_entry_free(te);
    git_tree_free(tree);
    dk_buf_release(&p);
    return rc;
}

/* Sets the item's id and mode from the working-tree file full (repository-relative) as `git add`
 * would. Returns 1 when there is no file to list there (gone, or a directory or special file
 * now), 0 when set, -1 on error. */
static int hash_workfile(struct dk_git *g, const char *full, int filemode, struct item *it,
                         struct dk_err *err)
{
    char *abs = dk_xasprintf("%s/%s", g->workdir, full);
    struct stat st;
    git_oid oid;
    int rc = -1;

    if (lstat(abs, &st) < 0) {
        rc = errno == ENOENT || errno == ENOTDIR ? 1 : -1;
        if (rc < 0)
            dk_err_set(err, DK_E_IO, "cannot read '%s': %s", abs, strerror(errno));
        goto out;
    }
    if (S_ISLNK(st.st_mode)) {
        size_t room = (size_t)st.st_size + 1;
        char *t = NULL;
        ssize_t k;

        /* a target that grew since lstat() is read again with more room */
        do {
            free(t);
            t = dk_xmalloc(room);
            k = readlink(abs, t, room);
            room *= 2;
        } while (k >= 0 && (size_t)k >= room / 2);
        if (k < 0) {
            dk_err_set(err, DK_E_IO, "cannot read link '%s': %s", abs, strerror(errno));
            free(t);
            goto out;
        }
        if (git_odb_hash(&oid, t, (size_t)k, GIT_OBJECT_BLOB) < 0) {
            dk_err_set(err, DK_E_FAIL, "cannot hash link '%s': %s", abs, gerr());
            free(t);
            goto out;
        }
        free(t);
        it->e.mode = DK_GIT_MODE_SYMLINK;
    } else if (S_ISREG(st.st_mode)) {
        if (git_repository_hashfile(&oid, repo_of(g), full, GIT_OBJECT_BLOB, NULL) < 0) {
            dk_err_set(err, DK_E_IO, "cannot hash '%s' in repository '%s': %s", full, g->workdir,
                       gerr());
            goto out;
        }
        if (!(!filemode && it->tracked &&
              (it->e.mode == DK_GIT_MODE_FILE || it->e.mode == DK_GIT_MODE_EXEC)))
            it->e.mode = st.st_mode & S_IXUSR ? DK_GIT_MODE_EXEC : DK_GIT_MODE_FILE;
    } else {
        rc = 1;
        goto out;
    }
    git_oid_tostr(it->e.oid, sizeof(it->e.oid), &oid);
    rc = 0;
out:
    free(abs);
    return rc;
}

static struct item *find_tracked(struct list *l, size_t tracked, const char *path)
{
    struct item key;

    if (!tracked)
        return NULL;
    key.e.path = (char *)path;
    return bsearch(&key, l->v, tracked, sizeof(*l->v), cmp_item);
}

/* The commit checked out in the submodule at full, into it, as `git add` records it: the HEAD
 * of the repository in that directory. The index's id stays when there is none (the submodule
 * is not checked out). The nested repository is opened directly rather than through
 * git_submodule_*(), which needs .gitmodules and, in libgit2 1.5, leaks in its config regex
 * matching (libgit2 PR #6382). */
static void submodule_head(struct dk_git *g, const char *full, struct item *it)
{
    char *abs = dk_xasprintf("%s/%s", g->workdir, full);
    git_repository *sr = NULL;
    git_oid id;

    if (git_repository_open_ext(&sr, abs, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) == 0 &&
        git_reference_name_to_id(&id, sr, "HEAD") == 0)
        git_oid_tostr(it->e.oid, sizeof(it->e.oid), &id);
    else
        git_error_clear();
    git_repository_free(sr);
    free(abs);
}

int dk_git_ls_worktree(struct dk_git *g, const char *subdir, struct dk_git_entry **out, size_t *n,
                       struct dk_err *err)
{
    git_status_options so;
    struct dk_buf dir = DK_BUF_INIT, pre = DK_BUF_INIT, full = DK_BUF_INIT, abs = DK_BUF_INIT;
    git_status_list *sl = NULL;
    git_config *cfg = NULL;
    git_index *idx = NULL;
    struct list l = {0};
    size_t i, cnt, tracked;
    char *spec[1];
    int filemode = 1, rc = -1, r = 0;
    struct stat st;

    *out = NULL;
    *n = 0;
    if (!g->workdir)
        return dk_err_set(err, DK_E_INPUT, "repository '%s' has no working tree", repo_name(g));
    if (repo_path(g, subdir, &dir, err) < 0)
        goto out;
    dk_buf_addf(&full, "%s/%s", g->workdir, dir.buf);
    if (lstat(full.buf, &st) < 0 || !S_ISDIR(st.st_mode)) {
        dk_err_set(err, DK_E_INPUT, "no directory '%s' in the working tree '%s'", dir.buf,
                   g->workdir);
        goto out;
    }
    if (dir.len)
        dk_buf_addf(&pre, "%s/", dir.buf);

    if (git_repository_config_snapshot(&cfg, repo_of(g)) < 0 ||
        ((r = git_config_get_bool(&filemode, cfg, "core.filemode")) < 0 && r != GIT_ENOTFOUND)) {
        dk_err_set(err, DK_E_FAIL, "cannot read the config of repository '%s': %s", g->workdir,
                   gerr());
        goto out;
    }
    if (r == GIT_ENOTFOUND)
        filemode = 1;
    if (git_repository_index(&idx, repo_of(g)) < 0 || git_index_read(idx, 0) < 0) {
        dk_err_set(err, DK_E_FAIL, "cannot read the index of repository '%s': %s", g->workdir,
                   gerr());
        goto out;
    }

    /* What the index holds, then what the working tree changes in it. */
    cnt = git_index_entrycount(idx);
    for (i = 0; i < cnt; i++) {
        const git_index_entry *ie = git_index_get_byindex(idx, i);
        const char *rel;
        struct item *it;

        if (!ie || !dk_str_startswith(ie->path, pre.buf))
            continue;
        rel = ie->path + pre.len;
        if (GIT_INDEX_ENTRY_STAGE(ie) != 0) {
            /* a conflict: list the path once, with what the working tree holds */
            if (l.n && !strcmp(l.v[l.n - 1].e.path, rel))
                continue;
            it = list_add(&l, rel, "");
            it->tracked = 1;
            it->rehash = 1;
            continue;
        }
        it = list_add(&l, rel, "");
        it->tracked = 1;
        git_oid_tostr(it->e.oid, sizeof(it->e.oid), &ie->id);
        it->e.mode = ie->mode;
        it->skip = !!(ie->flags_extended & GIT_INDEX_ENTRY_SKIP_WORKTREE);
        it->rehash = !!(ie->flags_extended & GIT_INDEX_ENTRY_INTENT_TO_ADD);
    }
    tracked = l.n;
    if (tracked)
        qsort(l.v, tracked, sizeof(*l.v), cmp_item);

    git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
    so.show = GIT_STATUS_SHOW_WORKDIR_ONLY;
    so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
               GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
    if (dir.len) {
        /* a literal path, so a directory name with '*' or '[' is not a pattern */
        spec[0] = dir.buf;
        so.pathspec.strings = spec;
        so.pathspec.count = 1;
        so.flags |= GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH;
    }
    if (git_status_list_new(&sl, repo_of(g), &so) < 0) {
        dk_err_set(err, DK_E_FAIL, "cannot read the status of repository '%s': %s", g->workdir,
                   gerr());
        goto out;
    }
    cnt = git_status_list_entrycount(sl);
    for (i = 0; i < cnt; i++) {
        const git_status_entry *se = git_status_byindex(sl, i);
        const char *path, *rel;
        struct item *it;

        if (!se || !se->index_to_workdir)
            continue;
        path = se->index_to_workdir->new_file.path;
        if (!path || !dk_str_startswith(path, pre.buf))
            continue;
        rel = path + pre.len;
        if (se->status & GIT_STATUS_WT_NEW) {
            /* a directory here is a repository of its own, which `git add` would not walk */
            if (*rel && !dk_str_endswith(rel, "/"))
                list_add(&l, rel, "")->rehash = 1;
        } else if (se->status &
                   (GIT_STATUS_WT_MODIFIED | GIT_STATUS_WT_DELETED | GIT_STATUS_WT_TYPECHANGE)) {
            it = find_tracked(&l, tracked, rel);
            if (it && !it->skip)
                it->rehash = 1;
        }
    }

    for (i = 0; i < l.n; i++) {
        struct item *it = &l.v[i];

        dk_buf_reset(&full);
        dk_buf_addf(&full, "%s%s", pre.buf, it->e.path);
        if (it->e.mode == DK_GIT_MODE_GITLINK && !it->rehash) {
            /* status leaves submodules out: look at the directory here */
            dk_buf_reset(&abs);
            dk_buf_addf(&abs, "%s/%s", g->workdir, full.buf);
            if (lstat(abs.buf, &st) == 0 && S_ISDIR(st.st_mode)) {
                submodule_head(g, full.buf, it);
                continue;
            }
            it->rehash = 1; /* gone, or a file now */
        }
        if (!it->rehash)
            continue;
        r = hash_workfile(g, full.buf, filemode, it, err);
        if (r < 0)
            goto out;
        if (r > 0) {
            free(it->e.path);
            it->e.path = NULL;
        }
    }
    list_finish(&l, out, n);
    rc = 0;
out:
    list_release(&l);
    git_status_list_free(sl);
    git_index_free(idx);
    git_config_free(cfg);
    dk_buf_release(&dir);
    dk_buf_release(&pre);
    dk_buf_release(&full);
    dk_buf_release(&abs);
    return rc;
}

int dk_git_is_dirty(struct dk_git *g, int *dirty, struct dk_err *err)
{
    struct dk_git_entry *w = NULL, *h = NULL;
    size_t nw = 0, nh = 0, i;
    char head[GIT_OID_HEXSZ + 1];
    int unborn, rc = -1;

    /* Dirty means `git add -A` would make a tree other than HEAD's: compare the listings, so
     * it agrees with what dk_git_ls_worktree() gives a tag. */
    *dirty = 0;
    if (dk_git_ls_worktree(g, "", &w, &nw, err) < 0)
        return -1;
    unborn = git_repository_head_unborn(repo_of(g)) == 1;
    if (!unborn &&
        (dk_git_resolve(g, NULL, head, err) < 0 || dk_git_ls_tree(g, head, "", &h, &nh, err) < 0))
        goto out;
    *dirty = nw != nh;
    for (i = 0; i < nw && !*dirty; i++)
        *dirty =
            strcmp(w[i].path, h[i].path) || strcmp(w[i].oid, h[i].oid) || w[i].mode != h[i].mode;
    rc = 0;
out:
    dk_git_entries_free(w, nw);
    dk_git_entries_free(h, nh);
    return rc;
}
