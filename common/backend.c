#include "dk/backend.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dk/proc.h"

int dk_backend_parse_kind(const char *s, enum dk_backend_kind *out, struct dk_err *err)
{
    if (!s || !strcmp(s, "auto"))
        *out = DK_BACKEND_AUTO;
    else if (!strcmp(s, "buildah"))
        *out = DK_BACKEND_BUILDAH;
    else if (!strcmp(s, "docker"))
        *out = DK_BACKEND_DOCKER;
    else
        return dk_err_set(err, DK_E_USAGE, "invalid backend '%s': expected auto, buildah or docker",
                          s);
    return 0;
}

/* Whether a Docker daemon answers (the client alone is not enough). */
static int docker_daemon(void)
{
    const char *argv[] = {"docker", "version", "--format", "{{.Server.Version}}", NULL};
    struct dk_proc_result r;
    struct dk_err err = DK_ERR_INIT;
    int ok;

    if (!getenv("DOCKER_HOST") && access("/var/run/docker.sock", F_OK) != 0)
        return 0;
    dk_proc_result_init(&r, 4096);
    ok = dk_proc_run(argv, "", 0, &r, &err) == 0 && dk_proc_ok(&r) && r.out.len > 1;
    dk_proc_result_release(&r);
    return ok;
}

static char *dup_or_null(const char *s)
{
    return s && *s ? dk_xstrdup(s) : NULL;
}

int dk_backend_init(struct dk_backend *b, enum dk_backend_kind kind, const char *root,
                    const char *runroot, const char *storage_driver, const char *isolation,
                    struct dk_err *err)
{
    memset(b, 0, sizeof(*b));
    b->tls_verify = 1;
    if (kind == DK_BACKEND_AUTO)
        kind = docker_daemon() ? DK_BACKEND_DOCKER : DK_BACKEND_BUILDAH;
    b->kind = kind;
    b->prog = dk_proc_find(kind == DK_BACKEND_DOCKER ? "docker" : "buildah");
    if (!b->prog)
        return dk_err_set(err, DK_E_INPUT,
                          "no build backend: '%s' is not installed (install buildah, or run "
                          "a Docker daemon and pass --backend docker)",
                          kind == DK_BACKEND_DOCKER ? "docker" : "buildah");
    if (kind == DK_BACKEND_DOCKER && !docker_daemon()) {
        dk_backend_release(b);
        return dk_err_set(err, DK_E_INPUT,
                          "backend docker: no Docker daemon answers (DOCKER_HOST or "
                          "/var/run/docker.sock); use --backend buildah");
    }
    b->root = dup_or_null(root);
    b->runroot = dup_or_null(runroot);
    b->storage_driver = dup_or_null(storage_driver);
    b->isolation = dup_or_null(isolation);
    return 0;
}

void dk_backend_release(struct dk_backend *b)
{
    free(b->prog);
    free(b->root);
    free(b->runroot);
    free(b->storage_driver);
    free(b->isolation);
    memset(b, 0, sizeof(*b));
}

const char *dk_backend_name(const struct dk_backend *b)
{
    return b->kind == DK_BACKEND_DOCKER ? "docker" : "buildah";
}

/* A growing argv whose strings it owns. */
struct args {
    struct dk_strvec v;
    const char **argv;
};

static void arg(struct args *a, const char *s)
{
    dk_strvec_push(&a->v, s);
}

static const char *const *args_argv(struct args *a)
{
    size_t i;

    free(a->argv);
    a->argv = dk_xcalloc(a->v.n + 1, sizeof(*a->argv));
    for (i = 0; i < a->v.n; i++)
        a->argv[i] = a->v.v[i];
    return a->argv;
}

static void args_release(struct args *a)
{
    dk_strvec_release(&a->v);
    free(a->argv);
    a->argv = NULL;
}

static void buildah_globals(const struct dk_backend *b, struct args *a)
{
    arg(a, b->prog);
    if (b->root)
        dk_strvec_pushf(&a->v, "--root=%s", b->root);
    if (b->runroot)
        dk_strvec_pushf(&a->v, "--runroot=%s", b->runroot);
    if (b->storage_driver)
        dk_strvec_pushf(&a->v, "--storage-driver=%s", b->storage_driver);
}

static void build_args(const struct dk_backend *b, const struct dk_build_spec *s, struct args *a)
{
    const char *const *p;

    if (b->kind == DK_BACKEND_BUILDAH) {
        buildah_globals(b, a);
        arg(a, "bud");
        if (b->isolation)
            dk_strvec_pushf(&a->v, "--isolation=%s", b->isolation);
        if (!b->tls_verify)
            arg(a, "--tls-verify=false");
        if (s->timestamp >= 0)
            dk_strvec_pushf(&a->v, "--timestamp=%lld", s->timestamp);
    } else {
        arg(a, b->prog);
        arg(a, "buildx");
        arg(a, "build");
        dk_strvec_pushf(&a->v, "--output=type=oci,dest=%s,tar=false", s->oci_dir);
        if (s->timestamp >= 0)
            dk_strvec_pushf(&a->v, "--build-arg=SOURCE_DATE_EPOCH=%lld", s->timestamp);
    }
    dk_strvec_pushf(&a->v, "--file=%s", s->dockerfile);
    if (s->target && *s->target)
        dk_strvec_pushf(&a->v, "--target=%s", s->target);
    if (s->platform && *s->platform)
        dk_strvec_pushf(&a->v, "--platform=%s", s->platform);
    for (p = s->build_args; p && *p; p++)
        dk_strvec_pushf(&a->v, "--build-arg=%s", *p);
    for (p = s->labels; p && *p; p++)
        dk_strvec_pushf(&a->v, "--label=%s", *p);
    for (p = s->cache_repos; p && *p; p++) {
        if (b->kind == DK_BACKEND_BUILDAH) {
            arg(a, "--layers");
            dk_strvec_pushf(&a->v, "--cache-from=%s", *p);
            dk_strvec_pushf(&a->v, "--cache-to=%s", *p);
        } else {
            dk_strvec_pushf(&a->v, "--cache-from=type=registry,ref=%s", *p);
            dk_strvec_pushf(&a->v, "--cache-to=type=registry,ref=%s,mode=max", *p);
        }
    }
    dk_strvec_pushf(&a->v, "--tag=%s", s->local_name);
    arg(a, s->context_dir);
}

/* The child of dk_backend_start: build, then export to the OCI layout; exits with the status
 * of the first step that failed. */
static void run_steps(const struct dk_backend *b, const struct dk_build_spec *s)
{
    struct args a = {DK_STRVEC_INIT, NULL};
    struct dk_err err = DK_ERR_INIT;
    const char *env[] = {"DOCKER_CONFIG", "REGISTRY_AUTH_FILE"};
    pid_t pid;
    int status = 0;
    size_t i;

    /* buildah refuses to run when an auth file named by the environment does not exist;
     * having no credentials is fine for dk (it pushes itself) */
    for (i = 0; i < 2; i++) {
        const char *v = getenv(env[i]);
        struct stat st;
        char *f;

        if (!v)
            continue;
        f = i ? dk_xstrdup(v) : dk_xasprintf("%s/config.json", v);
        if (stat(f, &st) < 0)
            unsetenv(env[i]);
        free(f);
    }
    build_args(b, s, &a);
    if (dk_proc_spawn(args_argv(&a), NULL, s->log_path, &pid, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    args_release(&a);
    if (!WIFEXITED(status) || WEXITSTATUS(status) || b->kind != DK_BACKEND_BUILDAH)
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128);
    buildah_globals(b, &a);
    arg(&a, "push");
    arg(&a, "--quiet");
    dk_strvec_pushf(&a.v, "%s", s->local_name);
    dk_strvec_pushf(&a.v, "oci:%s:image", s->oci_dir);
    if (dk_proc_spawn(args_argv(&a), NULL, s->log_path, &pid, &err) < 0)
        _exit(127);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128);
}

int dk_backend_start(const struct dk_backend *b, const struct dk_build_spec *s, pid_t *pid,
                     struct dk_err *err)
{
    int fd = open(s->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    if (fd < 0)
        return dk_err_set(err, DK_E_IO, "cannot create '%s': %s", s->log_path, strerror(errno));
    close(fd);
    fflush(NULL);
    *pid = fork();
    if (*pid < 0)
        return dk_err_set(err, DK_E_IO, "cannot start a build: %s", strerror(errno));
    if (*pid == 0) {
        /* a fresh stderr for messages of the child itself */
        fd = open(s->log_path, O_WRONLY | O_APPEND);
        if (fd >= 0)
            dup2(fd, 2);
        run_steps(b, s);
    }
    return 0;
}
