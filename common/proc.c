#include "dk/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

char *dk_proc_find(const char *prog)
{
    const char *path = getenv("PATH"), *p;

    if (strchr(prog, '/'))
        return access(prog, X_OK) == 0 ? dk_xstrdup(prog) : NULL;
    if (!path)
        path = "/usr/bin:/bin";
    for (p = path;;) {
        size_t n = strcspn(p, ":");

        if (n && p[0] == '/') {
            char *cand = dk_xasprintf("%.*s/%s", (int)n, p, prog);
            struct stat st;

            if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
                return cand;
            free(cand);
        }
        if (!p[n])
            return NULL;
        p += n + 1;
    }
}

void dk_proc_result_init(struct dk_proc_result *r, size_t cap)
{
    dk_buf_init_max(&r->out, cap);
    dk_buf_init_max(&r->err, cap);
    r->status = 0;
}

void dk_proc_result_release(struct dk_proc_result *r)
{
    dk_buf_release(&r->out);
    dk_buf_release(&r->err);
}

int dk_proc_ok(const struct dk_proc_result *r)
{
    return WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
}

void dk_proc_describe(int status, char *buf, size_t size)
{
    if (WIFEXITED(status))
        snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, size, "was killed by signal %d", WTERMSIG(status));
    else
        snprintf(buf, size, "ended with wait status %d", status);
}

static void set_cloexec(int fd)
{
    fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int dk_proc_run(const char *const *argv, const char *input, size_t len, struct dk_proc_result *res,
                struct dk_err *err)
{
    char *file = dk_proc_find(argv[0]);
    int in[2] = {-1, -1}, outp[2] = {-1, -1}, errp[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    struct pollfd pfd[2];
    size_t off = 0;
    pid_t pid;
    int rc, i;

    if (!file)
        return dk_err_set(err, DK_E_NOTFOUND, "'%s' not found in PATH", argv[0]);
    /* stdin is a socket so that writing to a program that exits without reading fails with
     * EPIPE (MSG_NOSIGNAL) instead of killing us with SIGPIPE */
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, in) < 0 || pipe(outp) < 0 || pipe(errp) < 0) {
        rc = dk_err_set(err, DK_E_IO, "cannot run '%s': %s", argv[0], strerror(errno));
        goto out;
    }
    for (i = 0; i < 2; i++) {
        set_cloexec(in[i]);
        set_cloexec(outp[i]);
        set_cloexec(errp[i]);
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[1], 0);
    posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
    posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
    rc = posix_spawn(&pid, file, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[1]);
    close(outp[1]);
    close(errp[1]);
    in[1] = outp[1] = errp[1] = -1;
    if (rc) {
        rc = dk_err_set(err, DK_E_IO, "cannot run '%s': %s", file, strerror(rc));
        goto out;
    }
    while (off < len) {
        ssize_t n = send(in[0], input + off, len - off, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* it stopped reading; its exit status tells the rest */
        off += (size_t)n;
    }
    close(in[0]);
    in[0] = -1;
    pfd[0].fd = outp[0];
    pfd[1].fd = errp[0];
    pfd[0].events = pfd[1].events = POLLIN;
    while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (i = 0; i < 2; i++) {
            struct dk_buf *b = i ? &res->err : &res->out;
            char chunk[4096];
            ssize_t n;

            if (pfd[i].fd < 0 || !pfd[i].revents)
                continue;
            n = read(pfd[i].fd, chunk, sizeof(chunk));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                close(pfd[i].fd);
                pfd[i].fd = -1;
                continue;
            }
            dk_buf_addn(b, chunk, (size_t)n); /* past the cap the rest is dropped */
        }
    }
    outp[0] = errp[0] = -1;
    while (waitpid(pid, &res->status, 0) < 0) {
        if (errno != EINTR) {
            rc = dk_err_set(err, DK_E_IO, "cannot wait for '%s': %s", argv[0], strerror(errno));
            goto out;
        }
    }
    rc = 0;
out:
    for (i = 0; i < 2; i++) {
        if (in[i] >= 0)
            close(in[i]);
        if (outp[i] >= 0)
            close(outp[i]);
        if (errp[i] >= 0)
            close(errp[i]);
    }
    free(file);
    return rc;
}

int dk_proc_spawn(const char *const *argv, char *const *envp, const char *log_path, pid_t *pid,
                  struct dk_err *err)
{
    char *file = dk_proc_find(argv[0]);
    posix_spawn_file_actions_t fa;
    int rc;

    if (!file)
        return dk_err_set(err, DK_E_NOTFOUND, "'%s' not found in PATH", argv[0]);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    rc = posix_spawn(pid, file, &fa, NULL, (char *const *)argv, envp ? envp : environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc)
        dk_err_set(err, DK_E_IO, "cannot run '%s': %s", file, strerror(rc));
    free(file);
    return rc ? -1 : 0;
}

pid_t dk_proc_wait(int block, int *status)
{
    pid_t p;

    do
        p = waitpid(-1, status, block ? 0 : WNOHANG);
    while (p < 0 && errno == EINTR);
    return p;
}
