#define _XOPEN_SOURCE 700
#include "dk/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dk/buf.h"

char *dk_fs_mkdtemp(const char *prefix, struct dk_err *err)
{
    const char *tmp = getenv("TMPDIR");
    char *t = dk_xasprintf("%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);

    if (!mkdtemp(t)) {
        dk_err_set(err, DK_E_IO, "cannot create a temporary directory '%s': %s", t,
                   strerror(errno));
        free(t);
        return NULL;
    }
    return t;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP)
        return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
    return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int dk_fs_rmtree(const char *path)
{
    if (!path || !*path || !strcmp(path, "/"))
        return -1;
    return nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

int dk_fs_mkdir_p(const char *path, mode_t mode)
{
    char *p = dk_xstrdup(path), *s;
    int rc = 0;

    for (s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, mode) < 0 && errno != EEXIST)
            rc = -1;
        *s = '/';
        if (rc)
            break;
    }
    if (!rc && mkdir(p, mode) < 0 && errno != EEXIST)
        rc = -1;
    free(p);
    return rc;
}

int dk_fs_write_file(const char *path, const void *data, size_t len, mode_t mode,
                     struct dk_err *err)
{
    const char *slash = strrchr(path, '/');
    size_t off = 0;
    int fd;

    if (slash && slash != path) {
        char *dir = dk_xstrndup(path, (size_t)(slash - path));
        int r = dk_fs_mkdir_p(dir, 0755);

        free(dir);
        if (r < 0)
            return dk_err_set(err, DK_E_IO, "cannot create the directory of '%s': %s", path,
                              strerror(errno));
    }
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return dk_err_set(err, DK_E_IO, "cannot write '%s': %s", path, strerror(errno));
    while (off < len) {
        ssize_t n = write(fd, (const char *)data + off, len - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = errno;

            close(fd);
            return dk_err_set(err, DK_E_IO, "cannot write '%s': %s", path, strerror(e));
        }
        off += (size_t)n;
    }
    if (fchmod(fd, mode) < 0 || close(fd) < 0)
        return dk_err_set(err, DK_E_IO, "cannot write '%s': %s", path, strerror(errno));
    return 0;
}

char *dk_path_clean(const char *p, size_t n)
{
    struct dk_buf out = DK_BUF_INIT;
    int rooted = n && p[0] == '/';
    size_t i = rooted ? 1 : 0, floor;

    if (rooted)
        dk_buf_addch(&out, '/');
    floor = out.len;
    while (i < n) {
        size_t e;

        if (p[i] == '/') {
            i++;
            continue;
        }
        if (p[i] == '.' && (i + 1 == n || p[i + 1] == '/')) {
            i++;
            continue;
        }
        if (p[i] == '.' && i + 1 < n && p[i + 1] == '.' && (i + 2 == n || p[i + 2] == '/')) {
            i += 2;
            if (out.len > floor) {
                size_t w = out.len - 1;

                while (w > floor && out.buf[w] != '/')
                    w--;
                dk_buf_setlen(&out, w);
            } else if (!rooted) {
                if (out.len)
                    dk_buf_addch(&out, '/');
                dk_buf_add(&out, "..");
                floor = out.len;
            }
            continue;
        }
        if (out.len != (size_t)rooted)
            dk_buf_addch(&out, '/');
        for (e = i; e < n && p[e] != '/'; e++)
            ;
        dk_buf_addn(&out, p + i, e - i);
        i = e;
    }
    if (!out.len)
        dk_buf_addch(&out, '.');
    return dk_buf_detach(&out, NULL);
}
