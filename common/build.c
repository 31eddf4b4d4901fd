#include "dk/build.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dk/backend.h"
#include "dk/copy.h"
#include "dk/fs.h"
#include "dk/json.h"
#include "dk/log.h"
#include "dk/oci.h"
#include "dk/proc.h"
#include "dk/ref.h"
#include "dk/registry.h"

void dk_build_opts_init(struct dk_build_opts *o)
{
    memset(o, 0, sizeof(*o));
    dk_tag_opts_init(&o->tag);
    o->parallel = 4;
    o->backend = "auto";
    dk_registry_flags_init(&o->reg);
}

void dk_build_opts_release(struct dk_build_opts *o)
{
    dk_tag_opts_release(&o->tag);
    dk_strlist_release(&o->secondary_repos);
    dk_strlist_release(&o->cache_repos);
    dk_strlist_release(&o->add_tags);
    dk_registry_flags_release(&o->reg);
}

enum state { PENDING, BUILDING, DONE, FAILED };

struct img {
    struct dk_tag_image *t;
    enum state state;
    char tag[128];
    char manifest[80];
    int built;
    pid_t pid;
    char *workdir;
    char *log;
    char *ocidir;
    char *local_name;
    struct dk_strvec args, labels;
    const char **argv_args, **argv_labels;
};

struct run {
    struct dk_build_opts *o;
    struct dk_tag_result tags;
    struct dk_regclient client;
    struct dk_ref repo;
    char *repo_name; /* registry/repo */
    struct dk_backend backend;
    int backend_ready;
    struct img *imgs;
    size_t n;
    struct dk_strvec repo_tags; /* --repo's tags, listed once for the lookups */
    int repo_listed;
};

/* --- tags in the registry -------------------------------------------------------------- */

/* Every tag of repo (none when the repository does not exist yet). */
static int list_tags(struct dk_regclient *c, const struct dk_ref *repo, struct dk_strvec *out,
                     struct dk_err *err)
{
    if (dk_registry_list_tags(dk_regclient_get(c, repo->registry), repo->repo, out, err) < 0) {
        if (err->code != DK_E_NOTFOUND)
            return -1;
        dk_err_init(err);
    }
    return 0;
}

/* The oldest tag "<digest>-<unix ms>" among tags, into out; 1 found, 0 none. */
static int oldest_in(const struct dk_strvec *tags, const char *digest, char *out, size_t size)
{
    size_t i, dl = strlen(digest);
    long long best = -1;

    for (i = 0; i < tags->n; i++) {
        const char *t = tags->v[i], *p;
        char *end;
        long long ms;

        if (strncmp(t, digest, dl) || t[dl] != '-')
            continue;
        p = t + dl + 1;
        ms = strtoll(p, &end, 10);
        if (end == p || *end || ms < 0)
            continue;
        if (best < 0 || ms < best) {
            best = ms;
            snprintf(out, size, "%s", t);
        }
    }
    return best >= 0;
}

/* As oldest_in() over a fresh listing of repo; -1 on error. */
static int find_oldest(struct dk_regclient *c, const struct dk_ref *repo, const char *digest,
                       char *out, size_t size, struct dk_err *err)
{
    struct dk_strvec tags = DK_STRVEC_INIT;
    int rc = -1;

    if (list_tags(c, repo, &tags, err) == 0)
        rc = oldest_in(&tags, digest, out, size);
    dk_strvec_release(&tags);
    return rc;
}

static int parse_repo(const char *s, struct dk_ref *out, struct dk_err *err)
{
    if (dk_ref_parse_repo(out, s, err) < 0)
        return dk_err_wrap(err, "invalid repository '%s'", s);
    return 0;
}

/* Copies repo_from:tag to the build's repo:tag (a hit in a secondary or cache repo). */
static int copy_tag(struct run *r, const char *from, const char *tag, const char *to,
                    struct dk_err *err)
{
    struct dk_endpoint src, dst;
    struct dk_copy_opts co = {0};
    struct dk_copy_result res;
    char *s = dk_xasprintf("%s:%s", from, tag), *d = dk_xasprintf("%s:%s", to, tag);
    int rc = -1;

    memset(&src, 0, sizeof(src));
    memset(&dst, 0, sizeof(dst));
    co.progress = !r->o->no_progress;
    if (dk_endpoint_parse(&src, s, err) == 0 && dk_endpoint_parse(&dst, d, err) == 0)
        rc = dk_copy(&r->client, &src, &dst, &co, &res, err);
    dk_endpoint_release(&src);
    dk_endpoint_release(&dst);
    free(s);
    free(d);
    return rc;
}

static int manifest_digest(struct run *r, struct img *im, struct dk_err *err)
{
    return dk_registry_head_manifest(dk_regclient_get(&r->client, r->repo.registry), r->repo.repo,
                                     im->tag, im->manifest, sizeof(im->manifest), err);
}

/* Step 1: an image already in --repo, a secondary repo or a cache repo. 1 found, 0 not. */
static int lookup(struct run *r, struct img *im, struct dk_err *err)
{
    size_t i, k;
    int rc;

    if (!r->repo_listed) {
        if (list_tags(&r->client, &r->repo, &r->repo_tags, err) < 0)
            return -1;
        r->repo_listed = 1;
    }
    if (oldest_in(&r->repo_tags, im->t->digest, im->tag, sizeof(im->tag)))
        return manifest_digest(r, im, err) < 0 ? -1 : 1;
    for (k = 0; k < 2; k++) {
        const struct dk_strlist *l = k ? &r->o->cache_repos : &r->o->secondary_repos;

        for (i = 0; i < l->n; i++) {
            struct dk_ref other = DK_REF_INIT;
            char *name;

            if (parse_repo(l->v[i], &other, err) < 0)
                return -1;
            rc = find_oldest(&r->client, &other, im->t->digest, im->tag, sizeof(im->tag), err);
            name = dk_ref_name(&other);
            dk_ref_release(&other);
            if (rc > 0) {
                dk_log_info("%s: found %s:%s, copying it to %s", im->t->conf->name, name, im->tag,
                            r->repo_name);
                rc = copy_tag(r, name, im->tag, r->repo_name, err);
                free(name);
                if (rc < 0)
                    return -1;
                return manifest_digest(r, im, err) < 0 ? -1 : 1;
            }
            free(name);
            if (rc < 0)
                return -1;
        }
    }
    return 0;
}

/* --- building ---------------------------------------------------------------------------- */

static struct img *find_img(struct run *r, const char *name)
{
    size_t i;

    for (i = 0; i < r->n; i++)
        if (!strcmp(r->imgs[i].t->conf->name, name))
            return &r->imgs[i];
    return NULL;
}

static int deps_done(struct run *r, const struct img *im)
{
    size_t i;

    for (i = 0; i < im->t->conf->ndeps; i++) {
        struct img *d = find_img(r, im->t->conf->deps[i].image);

        if (!d || d->state != DONE)
            return 0;
    }
    return 1;
}

/* Writes the build context — the files the digest was computed from — into dir. */
static int write_context(struct run *r, struct img *im, const char *dir, struct dk_err *err)
{
    struct dk_tag_image *t = im->t;
    struct dk_buf data = DK_BUF_INIT, src = DK_BUF_INIT;
    size_t i;
    int rc = -1;

    if (dk_fs_mkdir_p(dir, 0755) < 0)
        return dk_err_set(err, DK_E_IO, "cannot create '%s': %s", dir, strerror(errno));
    for (i = 0; i < t->nfiles; i++) {
        const struct dk_git_entry *e = &t->files[i];
        char *dst = dk_xasprintf("%s/%s", dir, e->path);

        dk_buf_reset(&data);
        dk_buf_reset(&src);
        dk_buf_addf(&src, "%s%s%s", t->context, *t->context ? "/" : "", e->path);
        if (e->mode == DK_GIT_MODE_GITLINK) {
            free(dst);
            continue;
        }
        if (r->tags.dev) {
            char *wt = dk_xasprintf("%s/%s", dk_git_workdir(&r->tags.git), src.buf);

            if (e->mode == DK_GIT_MODE_SYMLINK) {
                char target[4096];
                ssize_t n = readlink(wt, target, sizeof(target) - 1);

                if (n >= 0)
                    dk_buf_addn(&data, target, (size_t)n);
            } else if (dk_buf_read_file(&data, wt) < 0) {
                dk_err_set(err, DK_E_IO, "cannot read '%s': %s", wt, strerror(errno));
                free(wt);
                free(dst);
                goto out;
            }
            free(wt);
        } else if (dk_git_read_blob(&r->tags.git, r->tags.commit, src.buf, &data, err) < 0) {
            free(dst);
            goto out;
        }
        if (e->mode == DK_GIT_MODE_SYMLINK) {
            char *slash = strrchr(dst, '/');

            *slash = '\0';
            dk_fs_mkdir_p(dst, 0755);
            *slash = '/';
            if (symlink(data.buf, dst) < 0) {
                dk_err_set(err, DK_E_IO, "cannot create '%s': %s", dst, strerror(errno));
                free(dst);
                goto out;
            }
        } else if (dk_fs_write_file(dst, data.buf, data.len,
                                    e->mode == DK_GIT_MODE_EXEC ? 0755 : 0644, err) < 0) {
            free(dst);
            goto out;
        }
        free(dst);
    }
    /* contextAddFiles: from the working tree, relative to the context, as their digest was */
    for (i = 0; i < t->conf->ncontext_add_files; i++) {
        const char *f = t->conf->context_add_files[i];
        char *wt = dk_xasprintf("%s/%s%s%s", dk_git_workdir(&r->tags.git), t->context,
                                *t->context ? "/" : "", f);
        char *dst = dk_xasprintf("%s/%s", dir, f);
        struct stat st;
        int w;

        dk_buf_reset(&data);
        if (stat(wt, &st) < 0 || dk_buf_read_file(&data, wt) < 0) {
            dk_err_set(err, DK_E_IO, "contextAddFiles of image '%s': cannot read '%s': %s",
                       t->conf->name, f, strerror(errno));
            free(wt);
            free(dst);
            goto out;
        }
        w = dk_fs_write_file(dst, data.buf, data.len, st.st_mode & 0755, err);
        free(wt);
        free(dst);
        if (w < 0)
            goto out;
    }
    rc = 0;
out:
    dk_buf_release(&data);
    dk_buf_release(&src);
    return rc;
}

/* The value a dependency import gives a build arg. */
static int import_value(struct run *r, const struct dk_tag_import *imp, struct dk_buf *out,
                        struct dk_err *err)
{
    struct img *d = find_img(r, imp->dep);

    if (!d || d->state != DONE)
        return dk_err_set(err, DK_E_FAIL, "dependency '%s' is not built", imp->dep);
    switch (imp->type) {
    case DK_IMPORT_NAME:
        dk_buf_addf(out, "%s:%s", r->repo_name, d->tag);
        break;
    case DK_IMPORT_TAG:
        dk_buf_add(out, d->tag);
        break;
    case DK_IMPORT_REPO:
        dk_buf_add(out, r->repo_name);
        break;
    case DK_IMPORT_DIGEST:
        dk_buf_add(out, d->manifest);
        break;
    case DK_IMPORT_ID: {
        struct dk_manifest m;
        cJSON *j;
        const char *cd;

        dk_manifest_init(&m);
        if (dk_registry_get_manifest(dk_regclient_get(&r->client, r->repo.registry), r->repo.repo,
                                     d->tag, &m, err) < 0) {
            dk_manifest_release(&m);
            return -1;
        }
        j = cJSON_ParseWithLength(m.data.buf, m.data.len);
        cd = j ? dk_json_str(cJSON_GetObjectItemCaseSensitive(j, "config"), "digest") : NULL;
        dk_buf_add(out, cd ? cd : d->manifest);
        cJSON_Delete(j);
        dk_manifest_release(&m);
        break;
    }
    }
    return 0;
}

static const char **strvec_argv(const struct dk_strvec *sv)
{
    const char **a = dk_xcalloc(sv->n + 1, sizeof(*a));
    size_t i;

    for (i = 0; i < sv->n; i++)
        a[i] = sv->v[i];
    return a;
}

static void rfc3339(int64_t t, char *out, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static long long source_date_epoch(struct run *r)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");

    if (s && *s)
        return atoll(s);
    return r->tags.commit_time > 0 ? (long long)r->tags.commit_time : -1;
}

static int start_build(struct run *r, struct img *im, struct dk_err *err)
{
    struct dk_tag_image *t = im->t;
    struct dk_build_spec spec;
    char *ctx, *dockerfile, created[32];
    size_t i;
    long long ts = source_date_epoch(r);
    pid_t pid;
    int rc = -1;

    if (!r->backend_ready) {
        enum dk_backend_kind kind;

        if (dk_backend_parse_kind(r->o->backend, &kind, err) < 0 ||
            dk_backend_init(&r->backend, kind, r->o->buildah_root, r->o->buildah_runroot,
                            r->o->storage_driver, r->o->isolation, err) < 0)
            return -1;
        r->backend.tls_verify = strcmp(r->o->reg.tls_verify, "true") != 0 ? 0 : 1;
        if (!strcmp(r->o->reg.tls_verify, "auto"))
            r->backend.tls_verify = r->o->reg.insecure_registries.n || r->o->reg.insecure ||
                                            dk_ref_is_loopback(r->repo.registry)
                                        ? 0
                                        : 1;
        r->backend_ready = 1;
    }
    if (!(im->workdir = dk_fs_mkdtemp("dk-build", err)))
        return -1;
    ctx = dk_xasprintf("%s/context", im->workdir);
    dockerfile = dk_xasprintf("%s/Dockerfile", im->workdir);
    im->log = dk_xasprintf("%s/build.log", im->workdir);
    im->ocidir = dk_xasprintf("%s/oci", im->workdir);
    im->local_name = dk_xasprintf("dk-build/%s:%s", t->conf->name, t->digest);
    if (write_context(r, im, ctx, err) < 0 ||
        dk_fs_write_file(dockerfile, t->dockerfile_text, strlen(t->dockerfile_text), 0644, err) < 0)
        goto out;
    for (i = 0; i < t->build_args.n; i++)
        dk_strvec_push(&im->args, t->build_args.v[i]);
    for (i = 0; i < t->nimports; i++) {
        struct dk_buf v = DK_BUF_INIT;

        dk_buf_addf(&v, "%s=", t->imports[i].arg);
        if (import_value(r, &t->imports[i], &v, err) < 0) {
            dk_buf_release(&v);
            goto out;
        }
        dk_strvec_push_owned(&im->args, dk_buf_detach(&v, NULL));
    }
    dk_strvec_push_owned(&im->labels, dk_xasprintf("dk.project=%s", r->tags.config.project));
    dk_strvec_push_owned(&im->labels, dk_xasprintf("dk.digest=%s", t->digest));
    if (r->tags.commit[0])
        dk_strvec_push_owned(&im->labels,
                             dk_xasprintf("org.opencontainers.image.revision=%s", r->tags.commit));
    dk_strvec_push_owned(
        &im->labels, dk_xasprintf("org.opencontainers.image.source=%s", r->tags.config.project));
    if (ts >= 0) {
        rfc3339(ts, created, sizeof(created));
        dk_strvec_push_owned(&im->labels,
                             dk_xasprintf("org.opencontainers.image.created=%s", created));
    }
    im->argv_args = strvec_argv(&im->args);
    im->argv_labels = strvec_argv(&im->labels);
    memset(&spec, 0, sizeof(spec));
    spec.context_dir = ctx;
    spec.dockerfile = dockerfile;
    spec.target = t->target;
    spec.platform = t->conf->nplatforms ? t->conf->platforms[0] : NULL;
    spec.build_args = im->argv_args;
    spec.labels = im->argv_labels;
    spec.timestamp = ts;
    spec.cache_repos = r->o->cache_repos.n ? r->o->cache_repos.v : NULL;
    spec.local_name = im->local_name;
    spec.oci_dir = im->ocidir;
    spec.log_path = im->log;
    dk_log_info("%s: building with %s (digest %.12s…)", t->conf->name, dk_backend_name(&r->backend),
                t->digest);
    if (dk_backend_start(&r->backend, &spec, &pid, err) < 0)
        goto out;
    im->pid = pid;
    im->state = BUILDING;
    rc = 0;
out:
    free(ctx);
    free(dockerfile);
    return rc;
}

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How long to wait after tagging before the final listing, so that a competing runner's tag
 * with an older timestamp, whose PUT was already on its way, is seen: four times what our own
 * tag PUT took (a competitor talks to the same registry), at least 300 ms, at most 2 s.
 * DK_SETTLE_MS overrides. */
static long settle_ms(long long put_ms)
{
    const char *s = getenv("DK_SETTLE_MS");
    long long v = 4 * put_ms;

    if (s && *s)
        return atol(s);
    return (long)(v < 300 ? 300 : v > 2000 ? 2000 : v);
}

/*
 * After a successful build: push it, then converge on the oldest tag with this digest.
 * Blobs and the manifest go first, by digest; the timestamp is taken right before the one
 * request that creates the tag, so a tag's timestamp is at most one request older than the
 * moment it becomes visible. After a settle time, the oldest tag listed wins.
 */
static int publish_built(struct run *r, struct img *im, struct dk_err *err)
{
    struct dk_registry *reg = dk_regclient_get(&r->client, r->repo.registry);
    struct dk_oci_layout lay = {NULL};
    struct dk_endpoint se, de;
    struct dk_copy_opts co = {0};
    struct dk_copy_result res;
    struct dk_buf man = DK_BUF_INIT;
    char mine[128], *digest = NULL, *mt = NULL, *src = NULL, *dst = NULL;
    int64_t size = 0;
    size_t i;
    int rc = -1;
    struct timespec ts;
    long long stamp;
    long wait;

    memset(&se, 0, sizeof(se));
    memset(&de, 0, sizeof(de));
    /* another runner may have finished the same image while this one built: use its tag */
    rc = find_oldest(&r->client, &r->repo, im->t->digest, im->tag, sizeof(im->tag), err);
    if (rc != 0) {
        if (rc > 0) {
            dk_log_info("%s: %s was pushed meanwhile, using it", im->t->conf->name, im->tag);
            rc = manifest_digest(r, im, err);
        }
        goto out;
    }
    rc = -1;
    if (dk_oci_open(&lay, im->ocidir, 0, err) < 0 ||
        dk_oci_resolve(&lay, "image", &digest, &mt, &size, err) < 0 ||
        dk_oci_read_blob(&lay, digest, &man, err) < 0)
        goto out;
    src = dk_xasprintf("oci:%s:image", im->ocidir);
    dst = dk_xasprintf("%s@%s", r->repo_name, digest);
    co.progress = !r->o->no_progress;
    if (dk_endpoint_parse(&se, src, err) < 0 || dk_endpoint_parse(&de, dst, err) < 0 ||
        dk_copy(&r->client, &se, &de, &co, &res, err) < 0)
        goto out;
    stamp = now_ms();
    snprintf(mine, sizeof(mine), "%s-%lld", im->t->digest, stamp);
    if (dk_registry_put_manifest(reg, r->repo.repo, mine, man.buf, man.len,
                                 mt ? mt : DK_MT_OCI_MANIFEST, err) < 0)
        goto out;
    wait = settle_ms(now_ms() - stamp);
    ts.tv_sec = wait / 1000;
    ts.tv_nsec = wait % 1000 * 1000000L;
    nanosleep(&ts, NULL);
    /* someone else may have pushed the same content meanwhile: the oldest tag wins */
    if (find_oldest(&r->client, &r->repo, im->t->digest, im->tag, sizeof(im->tag), err) <= 0) {
        if (err->code == DK_E_OK)
            dk_err_set(err, DK_E_FAIL, "pushed %s:%s but it is not listed", r->repo_name, mine);
        goto out;
    }
    if (strcmp(im->tag, mine))
        dk_log_info("%s: %s was pushed first, using it", im->t->conf->name, im->tag);
    if (manifest_digest(r, im, err) < 0)
        goto out;
    for (i = 0; i < r->o->cache_repos.n; i++)
        if (copy_tag(r, r->repo_name, im->tag, r->o->cache_repos.v[i], err) < 0)
            goto out;
    im->built = 1;
    rc = 0;
out:
    if (lay.dir)
        dk_oci_release(&lay);
    dk_buf_release(&man);
    dk_endpoint_release(&se);
    dk_endpoint_release(&de);
    free(digest);
    free(mt);
    free(src);
    free(dst);
    return rc;
}

static void img_cleanup(struct img *im)
{
    if (im->workdir) {
        dk_fs_rmtree(im->workdir);
        free(im->workdir);
        im->workdir = NULL;
    }
}

static void img_release(struct img *im)
{
    img_cleanup(im);
    free(im->log);
    free(im->ocidir);
    free(im->local_name);
    dk_strvec_release(&im->args);
    dk_strvec_release(&im->labels);
    free(im->argv_args);
    free(im->argv_labels);
}

/* Shows the last lines of a failed build's log, one log line each. */
static void show_log_tail(const struct img *im)
{
    struct dk_buf all = DK_BUF_INIT;
    size_t i, start;
    int lines = 0;

    if (!im->log || dk_buf_read_file(&all, im->log) < 0) {
        dk_buf_release(&all);
        return;
    }
    while (all.len && all.buf[all.len - 1] == '\n')
        dk_buf_setlen(&all, all.len - 1);
    for (start = all.len; start > 0; start--)
        if (all.buf[start - 1] == '\n' && ++lines == 20)
            break;
    for (i = start; i <= all.len; i++) {
        if (i == all.len || all.buf[i] == '\n') {
            dk_log_error("%s: | %.*s", im->t->conf->name, (int)(i - start), all.buf + start);
            start = i + 1;
        }
    }
    dk_buf_release(&all);
}

static int run_builds(struct run *r, struct dk_err *err)
{
    size_t i, running = 0;
    int failed = 0;

    for (;;) {
        int started = 0;

        for (i = 0; i < r->n && !failed; i++) {
            struct img *im = &r->imgs[i];

            if (im->state != PENDING || running >= (size_t)r->o->parallel || !deps_done(r, im))
                continue;
            if (start_build(r, im, err) < 0) {
                im->state = FAILED;
                failed = 1;
                break;
            }
            running++;
            started = 1;
        }
        if (!running)
            break;
        (void)started;
        {
            int status;
            pid_t pid = dk_proc_wait(1, &status);
            struct img *im = NULL;

            if (pid < 0)
                break;
            for (i = 0; i < r->n; i++)
                if (r->imgs[i].state == BUILDING && r->imgs[i].pid == pid)
                    im = &r->imgs[i];
            if (!im)
                continue;
            running--;
            if (failed) {
                im->state = FAILED;
                continue;
            }
            if (!WIFEXITED(status) || WEXITSTATUS(status)) {
                char how[64];

                dk_proc_describe(status, how, sizeof(how));
                show_log_tail(im);
                dk_err_set(err, DK_E_FAIL, "cannot build image '%s': %s %s (its output is above)",
                           im->t->conf->name, dk_backend_name(&r->backend), how);
                im->state = FAILED;
                failed = 1;
                continue;
            }
            if (publish_built(r, im, err) < 0) {
                dk_err_wrap(err, "cannot push image '%s'", im->t->conf->name);
                im->state = FAILED;
                failed = 1;
                continue;
            }
            im->state = DONE;
            img_cleanup(im);
            dk_log_info("%s: built and pushed %s:%s", im->t->conf->name, r->repo_name, im->tag);
        }
    }
    if (failed)
        return -1;
    for (i = 0; i < r->n; i++)
        if (r->imgs[i].state != DONE)
            return dk_err_set(err, DK_E_FAIL, "image '%s' was not built", r->imgs[i].t->conf->name);
    return 0;
}

/* --- custom tags and the document ----------------------------------------------------------- */

static int add_custom_tags(struct run *r, struct dk_doc *doc, struct dk_err *err)
{
    struct dk_strvec seen = DK_STRVEC_INIT;
    struct dk_buf t = DK_BUF_INIT;
    struct dk_registry *reg = dk_regclient_get(&r->client, r->repo.registry);
    size_t i, k;
    int rc = -1;

    for (k = 0; k < r->o->add_tags.n; k++) {
        for (i = 0; i < r->n; i++) {
            struct img *im = &r->imgs[i];

            if (!im->t->conf->final)
                continue;
            dk_buf_reset(&t);
            if (dk_ref_expand_template(r->o->add_tags.v[k], im->t->conf->name, im->tag, &t, err) <
                0)
                goto out;
            if (!dk_ref_valid_tag(t.buf)) {
                dk_err_set(err, DK_E_INPUT,
                           "--add-tag '%s' gives '%s' for image '%s', which is "
                           "not a valid tag",
                           r->o->add_tags.v[k], t.buf, im->t->conf->name);
                goto out;
            }
            if (dk_strvec_has(&seen, t.buf)) {
                dk_err_set(err, DK_E_INPUT,
                           "--add-tag '%s' gives the same tag '%s' to two images (use %%image%%)",
                           r->o->add_tags.v[k], t.buf);
                goto out;
            }
            dk_strvec_push(&seen, t.buf);
        }
    }
    for (k = 0, i = 0; k < r->o->add_tags.n; k++) {
        size_t j;

        for (j = 0; j < r->n; j++) {
            struct img *im = &r->imgs[j];
            struct dk_manifest m;
            cJSON *arr;

            if (!im->t->conf->final)
                continue;
            dk_manifest_init(&m);
            if (dk_registry_get_manifest(reg, r->repo.repo, im->tag, &m, err) < 0 ||
                dk_registry_put_manifest(reg, r->repo.repo, seen.v[i], m.data.buf, m.data.len,
                                         m.media_type, err) < 0) {
                dk_manifest_release(&m);
                goto out;
            }
            dk_manifest_release(&m);
            arr = dk_json_child(dk_json_child(dk_doc_obj(doc, "images"), im->t->conf->name),
                                "custom_tags");
            if (!cJSON_IsArray(arr)) {
                arr = cJSON_CreateArray();
                dk_json_set(dk_json_child(dk_doc_obj(doc, "images"), im->t->conf->name),
                            "custom_tags", arr);
            }
            cJSON_AddItemToArray(arr, cJSON_CreateString(seen.v[i]));
            i++;
        }
    }
    rc = 0;
out:
    dk_buf_release(&t);
    dk_strvec_release(&seen);
    return rc;
}

static void record(struct run *r, struct dk_doc *doc)
{
    cJSON *images = dk_doc_obj(doc, "images");
    size_t i;

    dk_json_set_str(doc->root, "repo", r->repo_name);
    for (i = 0; i < r->n; i++) {
        struct img *im = &r->imgs[i];
        cJSON *o = dk_json_child(images, im->t->conf->name);
        char *ref;

        if (!cJSON_IsObject(o)) {
            o = cJSON_CreateObject();
            dk_json_set(images, im->t->conf->name, o);
        }
        dk_json_set_str(o, "digest", im->t->digest);
        if (im->state != DONE)
            continue;
        ref = dk_xasprintf("%s:%s", r->repo_name, im->tag);
        dk_json_set_str(o, "tag", im->tag);
        dk_json_set_str(o, "ref", ref);
        dk_json_set_str(o, "manifest", im->manifest);
        dk_json_set_bool(o, "built", im->built);
        free(ref);
    }
}

int dk_build_run(struct dk_build_opts *o, struct dk_doc *doc, struct dk_err *err)
{
    struct run r;
    const char *repo = o->repo;
    size_t i;
    int rc = -1;

    memset(&r, 0, sizeof(r));
    r.o = o;
    if (o->parallel < 1 || o->parallel > 64)
        return dk_err_set(err, DK_E_USAGE, "invalid value %ld for --parallel: expected 1 to 64",
                          o->parallel);
    if (!repo || !*repo)
        repo = dk_json_str(doc->root, "repo");
    if (!repo || !*repo)
        return dk_err_set(err, DK_E_USAGE,
                          "dk-build needs --repo (or DK_REPO): where images are stored");
    if (parse_repo(repo, &r.repo, err) < 0)
        return -1;
    r.repo_name = dk_ref_name(&r.repo);
    if (dk_tag_compute(&o->tag, &r.tags, err) < 0)
        goto out;
    dk_tag_record(&r.tags, doc);
    if (dk_regclient_init_flags(&r.client, &o->reg, 1, err) < 0)
        goto out;
    r.n = r.tags.n;
    r.imgs = dk_xcalloc(r.n ? r.n : 1, sizeof(*r.imgs));
    for (i = 0; i < r.n; i++) {
        struct img *im = &r.imgs[i];
        int found;

        im->t = &r.tags.images[i];
        found = lookup(&r, im, err);
        if (found < 0) {
            dk_err_wrap(err, "image '%s'", im->t->conf->name);
            goto out;
        }
        if (found) {
            im->state = DONE;
            dk_log_info("%s: %s:%s is there, nothing to build", im->t->conf->name, r.repo_name,
                        im->tag);
        }
    }
    if (run_builds(&r, err) < 0 || add_custom_tags(&r, doc, err) < 0)
        goto out;
    rc = 0;
out:
    if (getenv("DK_STATS"))
        dk_log_info("stats: %ld registry requests", r.client.requests);
    if (r.imgs)
        record(&r, doc);
    for (i = 0; i < r.n; i++)
        img_release(&r.imgs[i]);
    free(r.imgs);
    if (r.backend_ready)
        dk_backend_release(&r.backend);
    dk_regclient_release(&r.client);
    dk_tag_result_release(&r.tags);
    dk_ref_release(&r.repo);
    dk_strvec_release(&r.repo_tags);
    free(r.repo_name);
    return rc;
}
