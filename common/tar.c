#include "dk/tar.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#define BLOCK 512
#define IOBUF 65536
/* Largest pax or GNU long-name record accepted: names are short, hostile input is not. */
#define MAX_META (1u << 20)
/* Largest value of an 11-digit octal field (size, mtime): 8 GiB - 1. */
#define OCTAL11_MAX 077777777777ULL

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n) {
        ssize_t k = write(fd, c, n);

        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        return dk_xstrdup(".");
    if (slash == path)
        return dk_xstrdup("/");
    return dk_xstrndup(path, (size_t)(slash - path));
}

/* fsync a directory so that a rename in it survives a crash; some file systems refuse, and
 * the rename itself has happened, so failures are ignored. */
static void sync_dir(const char *path)
{
    char *dir = dir_of(path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

/* ---- writer ---- */

static int wfail(struct dk_tar_writer *w, struct dk_err *err, const char *reason)
{
    w->failed = 1;
    return dk_err_set(err, DK_E_IO, "cannot write '%s': %s", w->label, reason);
}

static int flush_out(struct dk_tar_writer *w, struct dk_err *err)
{
    if (w->outlen && write_all(w->fd, w->out, w->outlen) < 0)
        return wfail(w, err, strerror(errno));
    w->outlen = 0;
    return 0;
}

static int zstart(struct dk_tar_writer *w, struct dk_err *err)
{
    z_stream *z = dk_xcalloc(1, sizeof(*z));
    int level = w->level;

    if (level < 0 || level > 9)
        level = DK_TAR_GZIP_LEVEL;
    /* windowBits 15 + 16: a gzip wrapper with no name and mtime 0, so output is reproducible. */
    if (deflateInit2(z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(z);
        return wfail(w, err, "cannot start gzip compression");
    }
    w->z = z;
    w->zinit = 1;
    return 0;
}

/* Sends n bytes to the output, compressing when gzip; finish ends the gzip stream. */
static int emit(struct dk_tar_writer *w, const void *p, size_t n, int finish, struct dk_err *err)
{
    const unsigned char *c = p;
    z_stream *z;

    if (!w->gzip) {
        while (n) {
            size_t k = IOBUF - w->outlen;

            if (k > n)
                k = n;
            memcpy(w->out + w->outlen, c, k);
            w->outlen += k;
            c += k;
            n -= k;
            if (w->outlen == IOBUF && flush_out(w, err) < 0)
                return -1;
        }
        return 0;
    }
    if (!w->zinit && zstart(w, err) < 0)
        return -1;
    z = w->z;
    do {
        size_t chunk = n > (1u << 30) ? (1u << 30) : n;
        int rc;

        z->next_in = (Bytef *)(uintptr_t)c;
        z->avail_in = (uInt)chunk;
        c += chunk;
        n -= chunk;
        do {
            z->next_out = w->out + w->outlen;
            z->avail_out = (uInt)(IOBUF - w->outlen);
            rc = deflate(z, finish && !n ? Z_FINISH : Z_NO_FLUSH);
            w->outlen = IOBUF - z->avail_out;
            if (rc == Z_STREAM_ERROR)
                return wfail(w, err, "gzip compression failed");
            if (w->outlen == IOBUF && flush_out(w, err) < 0)
                return -1;
        } while (z->avail_in > 0 || (finish && !n && rc != Z_STREAM_END));
    } while (n);
    return 0;
}

static int emit_zeros(struct dk_tar_writer *w, size_t n, struct dk_err *err)
{
    static const unsigned char zeros[BLOCK];

    while (n) {
        size_t k = n > BLOCK ? BLOCK : n;

        if (emit(w, zeros, k, 0, err) < 0)
            return -1;
        n -= k;
    }
    return 0;
}

static int writer_start(struct dk_tar_writer *w, int fd, int own_fd, const char *label, int gzip)
{
    memset(w, 0, sizeof(*w));
    w->mtime = 0;
    w->level = DK_TAR_GZIP_LEVEL;
    w->fd = fd;
    w->own_fd = own_fd;
    w->gzip = gzip ? 1 : 0;
    w->label = dk_xstrdup(label);
    w->out = dk_xmalloc(IOBUF);
    w->active = 1;
    return 0;
}

int dk_tar_writer_open(struct dk_tar_writer *w, const char *path, int gzip, struct dk_err *err)
{
    char *tmp = dk_xasprintf("%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);

    if (fd < 0) {
        int e = errno;

        memset(w, 0, sizeof(*w));
        free(tmp);
        return dk_err_set(err, DK_E_IO, "cannot create '%s': %s", path, strerror(e));
    }
    /* mkstemp makes the file 0600; an archive is ordinary data. */
    fchmod(fd, 0644);
    writer_start(w, fd, 1, path, gzip);
    w->path = dk_xstrdup(path);
    w->tmp = tmp;
    return 0;
}

int dk_tar_writer_open_fd(struct dk_tar_writer *w, int fd, const char *label, int gzip,
                          struct dk_err *err)
{
    (void)err;
    return writer_start(w, fd, 0, label ? label : "-", gzip);
}

static int writer_usable(struct dk_tar_writer *w, struct dk_err *err)
{
    if (!w->active || w->committed)
        return dk_err_set(err, DK_E_FAIL, "tar writer is not open");
    if (w->failed)
        return dk_err_set(err, DK_E_FAIL, "cannot write '%s': an earlier write failed", w->label);
    return 0;
}

static int owed_data(struct dk_tar_writer *w, struct dk_err *err)
{
    return dk_err_set(err, DK_E_FAIL, "cannot write '%s': entry '%s' is missing %llu bytes of data",
                      w->label, w->entry ? w->entry : "", (unsigned long long)w->data_left);
}

int dk_tar_writer_commit(struct dk_tar_writer *w, struct dk_err *err)
{
    if (writer_usable(w, err) < 0)
        return -1;
    if (w->data_left)
        return owed_data(w, err);
    if (emit_zeros(w, 2 * BLOCK, err) < 0)
        return -1;
    if (w->gzip) {
        if (!w->zinit && zstart(w, err) < 0)
            return -1;
        if (emit(w, NULL, 0, 1, err) < 0)
            return -1;
    }
    if (flush_out(w, err) < 0)
        return -1;
    if (w->own_fd) {
        int fd = w->fd;

        w->fd = -1;
        if (fsync(fd) < 0) {
            int e = errno;

            close(fd);
            return wfail(w, err, strerror(e));
        }
        if (close(fd) < 0)
            return wfail(w, err, strerror(errno));
        if (rename(w->tmp, w->path) < 0)
            return wfail(w, err, strerror(errno));
        free(w->tmp);
        w->tmp = NULL;
        sync_dir(w->path);
    }
    w->committed = 1;
    return 0;
}

void dk_tar_writer_release(struct dk_tar_writer *w)
{
    if (!w->active)
        return;
    if (w->z) {
        if (w->zinit)
            deflateEnd(w->z);
        free(w->z);
    }
    if (w->own_fd && w->fd >= 0)
        close(w->fd);
    if (w->tmp)
        unlink(w->tmp);
    free(w->tmp);
    free(w->path);
    free(w->label);
    free(w->out);
    free(w->entry);
    memset(w, 0, sizeof(*w));
}

/* Writes v as width-1 octal digits and a NUL. v must fit. */
static void put_octal(unsigned char *field, size_t width, uint64_t v)
{
    char tmp[32];

    snprintf(tmp, sizeof(tmp), "%0*llo", (int)(width - 1), (unsigned long long)v);
    memcpy(field, tmp, width - 1);
    field[width - 1] = '\0';
}

/* Copies at most width bytes of s; the field is NUL-padded, not necessarily terminated. */
static void put_str(unsigned char *field, size_t width, const char *s, size_t len)
{
    memcpy(field, s, len < width ? len : width);
}

static void put_checksum(unsigned char *h)
{
    unsigned long sum = 0;
    char tmp[16];
    size_t i;

    memset(h + 148, ' ', 8);
    for (i = 0; i < BLOCK; i++)
        sum += h[i];
    snprintf(tmp, sizeof(tmp), "%06lo", sum & 0777777);
    memcpy(h + 148, tmp, 6);
    h[154] = '\0';
    h[155] = ' ';
}

static void fill_header(unsigned char *h, const char *name, size_t namelen, const char *prefix,
                        size_t prefixlen, char typeflag, unsigned mode, uint64_t size,
                        uint64_t mtime, const char *link, size_t linklen)
{
    memset(h, 0, BLOCK);
    put_str(h, 100, name, namelen);
    put_octal(h + 100, 8, mode & 07777);
    put_octal(h + 108, 8, 0);
    put_octal(h + 116, 8, 0);
    put_octal(h + 124, 12, size);
    put_octal(h + 136, 12, mtime);
    h[156] = (unsigned char)typeflag;
    put_str(h + 157, 100, link, linklen);
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    put_octal(h + 329, 8, 0);
    put_octal(h + 337, 8, 0);
    put_str(h + 345, 155, prefix, prefixlen);
    put_checksum(h);
}

/* Appends a pax record "<len> key=value\n", where len counts the whole record, itself too. */
static void pax_add(struct dk_buf *b, const char *key, const char *val)
{
    size_t base = strlen(key) + strlen(val) + 3, len = base + 1;

    for (;;) {
        char digits[32];
        size_t n = (size_t)snprintf(digits, sizeof(digits), "%zu", len);

        if (base + n == len)
            break;
        len = base + n;
    }
    dk_buf_addf(b, "%zu %s=%s\n", len, key, val);
}

/* Finds where a name of len bytes can split into a ustar prefix (<= 155 bytes) and name
 * (1 to 100 bytes) at a '/'. */
static int split_ustar(const char *name, size_t len, size_t *cut)
{
    size_t i;

    if (len > 155 + 1 + 100)
        return 0;
    for (i = len > 101 ? len - 101 : 1; i < len - 1 && i <= 155; i++) {
        if (name[i] == '/') {
            *cut = i;
            return 1;
        }
    }
    return 0;
}

int dk_tar_add_entry(struct dk_tar_writer *w, const struct dk_tar_entry *e, struct dk_err *err)
{
    struct dk_buf name = DK_BUF_INIT, pax = DK_BUF_INIT;
    const char *link = e->linkname ? e->linkname : "";
    unsigned char h[BLOCK];
    size_t namelen, linklen, cut = 0;
    const char *fname, *prefix = "";
    size_t fnamelen, prefixlen = 0;
    uint64_t size = 0, mtime;
    char typeflag;
    int rc = -1;

    if (writer_usable(w, err) < 0)
        return -1;
    if (w->data_left)
        return owed_data(w, err);
    if (!e->name || !e->name[0])
        return dk_err_set(err, DK_E_INPUT, "cannot write '%s': an entry has an empty name",
                          w->label);
    switch (e->type) {
    case DK_TAR_FILE:
        typeflag = '0';
        size = e->size;
        break;
    case DK_TAR_DIR:
        typeflag = '5';
        break;
    case DK_TAR_SYMLINK:
        typeflag = '2';
        break;
    case DK_TAR_HARDLINK:
        typeflag = '1';
        break;
    default:
        typeflag = e->typeflag;
        if (!typeflag || strchr("123456xgLK", typeflag) == NULL)
            size = e->size;
        break;
    }
    if (!typeflag)
        return dk_err_set(err, DK_E_INPUT, "cannot write '%s': entry '%s' has no type", w->label,
                          e->name);
    if ((e->type == DK_TAR_SYMLINK || e->type == DK_TAR_HARDLINK) && !link[0])
        return dk_err_set(err, DK_E_INPUT, "cannot write '%s': link '%s' has an empty target",
                          w->label, e->name);
    if (e->type != DK_TAR_SYMLINK && e->type != DK_TAR_HARDLINK)
        link = "";

    dk_buf_add(&name, e->name);
    if (e->type == DK_TAR_DIR && name.buf[name.len - 1] != '/')
        dk_buf_addch(&name, '/');
    namelen = name.len;
    linklen = strlen(link);
    fname = name.buf;
    fnamelen = namelen;
    if (namelen > 100) {
        if (split_ustar(name.buf, namelen, &cut)) {
            prefix = name.buf;
            prefixlen = cut;
            fname = name.buf + cut + 1;
            fnamelen = namelen - cut - 1;
        } else {
            pax_add(&pax, "path", name.buf);
            fnamelen = 100;
        }
    }
    if (linklen > 100) {
        pax_add(&pax, "linkpath", link);
        linklen = 100;
    }
    if (size > OCTAL11_MAX) {
        char num[32];

        snprintf(num, sizeof(num), "%llu", (unsigned long long)size);
        pax_add(&pax, "size", num);
    }
    mtime = e->mtime < 0 ? 0 : (uint64_t)e->mtime;
    if (mtime > OCTAL11_MAX)
        mtime = OCTAL11_MAX;

    if (pax.len) {
        /* The pax header's own name only matters to readers that do not know pax. */
        const char *base = strrchr(fname, '/');
        char xname[101];

        base = base && base[1] ? base + 1 : fname;
        snprintf(xname, sizeof(xname), "PaxHeaders/%.*s", (int)(fnamelen < 89 ? fnamelen : 89),
                 base);
        fill_header(h, xname, strlen(xname), "", 0, 'x', 0644, pax.len, mtime, "", 0);
        if (emit(w, h, BLOCK, 0, err) < 0 || emit(w, pax.buf, pax.len, 0, err) < 0 ||
            emit_zeros(w, (BLOCK - pax.len % BLOCK) % BLOCK, err) < 0)
            goto out;
    }
    fill_header(h, fname, fnamelen, prefix, prefixlen, typeflag, e->mode,
                size > OCTAL11_MAX ? 0 : size, mtime, link, linklen);
    if (emit(w, h, BLOCK, 0, err) < 0)
        goto out;
    free(w->entry);
    w->entry = dk_xstrdup(e->name);
    w->data_left = size;
    w->data_pad = (BLOCK - size % BLOCK) % BLOCK;
    rc = 0;
out:
    dk_buf_release(&name);
    dk_buf_release(&pax);
    return rc;
}

int dk_tar_write_data(struct dk_tar_writer *w, const void *data, size_t n, struct dk_err *err)
{
    if (writer_usable(w, err) < 0)
        return -1;
    if (n > w->data_left)
        return dk_err_set(
            err, DK_E_FAIL, "cannot write '%s': entry '%s' got %llu bytes more than its size",
            w->label, w->entry ? w->entry : "", (unsigned long long)(n - w->data_left));
    if (!n)
        return 0;
    if (emit(w, data, n, 0, err) < 0)
        return -1;
    w->data_left -= n;
    if (!w->data_left && emit_zeros(w, w->data_pad, err) < 0)
        return -1;
    return 0;
}

static struct dk_tar_entry entry_of(const struct dk_tar_writer *w, const char *name,
                                    enum dk_tar_type type, unsigned mode)
{
    struct dk_tar_entry e;

    memset(&e, 0, sizeof(e));
    e.name = name;
    e.linkname = "";
    e.type = type;
    e.mode = mode;
    e.mtime = (int64_t)w->mtime;
    return e;
}

int dk_tar_add_data(struct dk_tar_writer *w, const char *name, const void *data, size_t n,
                    unsigned mode, struct dk_err *err)
{
    struct dk_tar_entry e = entry_of(w, name, DK_TAR_FILE, mode);

    e.size = n;
    if (dk_tar_add_entry(w, &e, err) < 0)
        return -1;
    return dk_tar_write_data(w, data, n, err);
}

int dk_tar_add_dir(struct dk_tar_writer *w, const char *name, unsigned mode, struct dk_err *err)
{
    struct dk_tar_entry e = entry_of(w, name, DK_TAR_DIR, mode);

    return dk_tar_add_entry(w, &e, err);
}

int dk_tar_add_symlink(struct dk_tar_writer *w, const char *name, const char *target,
                       struct dk_err *err)
{
    struct dk_tar_entry e = entry_of(w, name, DK_TAR_SYMLINK, 0777);

    e.linkname = target;
    return dk_tar_add_entry(w, &e, err);
}

int dk_tar_add_hardlink(struct dk_tar_writer *w, const char *name, const char *target,
                        struct dk_err *err)
{
    struct dk_tar_entry e = entry_of(w, name, DK_TAR_HARDLINK, 0644);

    e.linkname = target;
    return dk_tar_add_entry(w, &e, err);
}

int dk_tar_add_file(struct dk_tar_writer *w, const char *name, const char *src_path,
                    struct dk_err *err)
{
    struct dk_tar_entry e;
    unsigned char *buf = NULL;
    struct stat st;
    uint64_t left;
    int fd, rc = -1;

    if (writer_usable(w, err) < 0)
        return -1;
    fd = open(src_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return dk_err_set(err, errno == ENOENT ? DK_E_NOTFOUND : DK_E_IO, "cannot read '%s': %s",
                          src_path, strerror(errno));
    if (fstat(fd, &st) < 0) {
        dk_err_set(err, DK_E_IO, "cannot read '%s': %s", src_path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        dk_err_set(err, DK_E_INPUT, "cannot add '%s' to '%s': not a regular file", src_path,
                   w->label);
        goto out;
    }
    e = entry_of(w, name, DK_TAR_FILE, (unsigned)st.st_mode & 0777);
    e.size = (uint64_t)st.st_size;
    if (dk_tar_add_entry(w, &e, err) < 0)
        goto out;
    buf = dk_xmalloc(IOBUF);
    for (left = e.size; left;) {
        size_t want = left > IOBUF ? IOBUF : (size_t)left;
        ssize_t k = read(fd, buf, want);

        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            /* The header promised e.size bytes: the archive cannot be finished now. */
            w->failed = 1;
            dk_err_set(err, DK_E_IO, "cannot read '%s': %s", src_path,
                       k < 0 ? strerror(errno) : "file shrank while being added");
            goto out;
        }
        if (dk_tar_write_data(w, buf, (size_t)k, err) < 0)
            goto out;
        left -= (uint64_t)k;
    }
    rc = 0;
out:
    free(buf);
    close(fd);
    return rc;
}

/* ---- reader ---- */

static int rtrunc(struct dk_tar_reader *r, struct dk_err *err)
{
    return dk_err_set(err, DK_E_INPUT, "archive '%s' is truncated", r->path);
}

__attribute__((format(printf, 3, 4))) static int rcorrupt(struct dk_tar_reader *r,
                                                          struct dk_err *err, const char *fmt, ...)
{
    char reason[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    return dk_err_set(err, DK_E_INPUT, "archive '%s' is corrupt: %s", r->path, reason);
}

/* Reads more raw input once everything buffered was used. Returns the count, 0 at EOF. */
static ssize_t fill(struct dk_tar_reader *r, struct dk_err *err)
{
    ssize_t k;

    if (r->in_eof)
        return 0;
    if (r->in_pos == r->in_len)
        r->in_pos = r->in_len = 0;
    do {
        k = read(r->fd, r->in + r->in_len, IOBUF - r->in_len);
    } while (k < 0 && errno == EINTR);
    if (k < 0)
        return dk_err_set(err, DK_E_IO, "cannot read archive '%s': %s", r->path, strerror(errno));
    if (k == 0)
        r->in_eof = 1;
    r->in_len += (size_t)k;
    return k;
}

/* Reads up to n bytes of the (uncompressed) archive; fewer only at its end. */
static ssize_t src_read(struct dk_tar_reader *r, void *buf, size_t n, struct dk_err *err)
{
    unsigned char *p = buf;
    size_t got = 0;

    while (got < n) {
        z_stream *z = r->z;
        size_t before_in, before_out;
        int rc;

        if (r->in_pos == r->in_len) {
            ssize_t k = fill(r, err);

            if (k < 0)
                return -1;
            if (k == 0) {
                if (r->gzip && !r->zend)
                    return rtrunc(r, err);
                break;
            }
        }
        if (!r->gzip) {
            size_t k = r->in_len - r->in_pos;

            if (k > n - got)
                k = n - got;
            memcpy(p + got, r->in + r->in_pos, k);
            r->in_pos += k;
            got += k;
            continue;
        }
        if (r->zend) {
            /* Another gzip member may follow (concatenated .gz files); anything else after
             * the stream, such as tape-block zero padding, ends the archive. */
            if (r->in[r->in_pos] != 0x1f) {
                r->in_pos = r->in_len;
                r->in_eof = 1;
                break;
            }
            inflateReset(z);
            r->zend = 0;
        }
        before_in = r->in_len - r->in_pos;
        before_out = n - got > UINT_MAX ? UINT_MAX : n - got;
        z->next_in = r->in + r->in_pos;
        z->avail_in = (uInt)before_in;
        z->next_out = p + got;
        z->avail_out = (uInt)before_out;
        rc = inflate(z, Z_NO_FLUSH);
        r->in_pos = r->in_len - z->avail_in;
        got += before_out - z->avail_out;
        if (rc == Z_STREAM_END)
            r->zend = 1;
        else if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_MEM_ERROR ||
                 rc == Z_STREAM_ERROR)
            return rcorrupt(r, err, "gzip data error: %s", z->msg ? z->msg : "unknown");
        else if (before_in == z->avail_in && before_out == z->avail_out)
            return rcorrupt(r, err, "gzip stream makes no progress");
    }
    r->offset += got;
    return (ssize_t)got;
}

static int read_full(struct dk_tar_reader *r, void *buf, size_t n, struct dk_err *err)
{
    ssize_t k = src_read(r, buf, n, err);

    if (k < 0)
        return -1;
    if ((size_t)k < n)
        return rtrunc(r, err);
    return 0;
}

static int skip(struct dk_tar_reader *r, uint64_t n, struct dk_err *err)
{
    unsigned char buf[8192];

    while (n) {
        size_t k = n > sizeof(buf) ? sizeof(buf) : (size_t)n;

        if (read_full(r, buf, k, err) < 0)
            return -1;
        n -= k;
    }
    return 0;
}

static int reader_start(struct dk_tar_reader *r, int fd, int own_fd, const char *label,
                        struct dk_err *err)
{
    memset(r, 0, sizeof(*r));
    r->fd = fd;
    r->own_fd = own_fd;
    r->path = dk_xstrdup(label);
    r->in = dk_xmalloc(IOBUF);
    dk_buf_init(&r->name);
    dk_buf_init(&r->link);
    r->active = 1;
    while (r->in_len < 2 && !r->in_eof) {
        if (fill(r, err) < 0) {
            dk_tar_reader_release(r);
            return -1;
        }
    }
    if (r->in_len >= 2 && r->in[0] == 0x1f && r->in[1] == 0x8b) {
        z_stream *z = dk_xcalloc(1, sizeof(*z));

        r->gzip = 1;
        if (inflateInit2(z, 15 + 16) != Z_OK) {
            free(z);
            dk_err_set(err, DK_E_FAIL, "cannot read archive '%s': cannot start gzip", label);
            dk_tar_reader_release(r);
            return -1;
        }
        r->z = z;
    }
    return 0;
}

int dk_tar_reader_open(struct dk_tar_reader *r, const char *path, struct dk_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        memset(r, 0, sizeof(*r));
        return dk_err_set(err, errno == ENOENT ? DK_E_NOTFOUND : DK_E_IO,
                          "cannot open archive '%s': %s", path, strerror(errno));
    }
    return reader_start(r, fd, 1, path, err);
}

int dk_tar_reader_open_fd(struct dk_tar_reader *r, int fd, const char *label, struct dk_err *err)
{
    return reader_start(r, fd, 0, label ? label : "-", err);
}

void dk_tar_reader_release(struct dk_tar_reader *r)
{
    if (!r->active)
        return;
    if (r->z) {
        inflateEnd(r->z);
        free(r->z);
    }
    if (r->own_fd && r->fd >= 0)
        close(r->fd);
    free(r->path);
    free(r->in);
    dk_buf_release(&r->name);
    dk_buf_release(&r->link);
    memset(r, 0, sizeof(*r));
}

/* Parses a numeric header field: octal (space or NUL padded) or GNU base-256. */
static int parse_num(const unsigned char *f, size_t width, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;

    if (f[0] & 0x80) {
        if (f[0] & 0x40)
            return -1; /* negative */
        v = f[0] & 0x3f;
        for (i = 1; i < width; i++) {
            if (v >> 56)
                return -1;
            v = v << 8 | f[i];
        }
        *out = v;
        return 0;
    }
    while (i < width && f[i] == ' ')
        i++;
    for (; i < width && f[i] >= '0' && f[i] <= '7'; i++) {
        if (v >> 60)
            return -1;
        v = v * 8 + (uint64_t)(f[i] - '0');
    }
    for (; i < width; i++)
        if (f[i] != ' ' && f[i] != '\0')
            return -1;
    *out = v;
    return 0;
}

static int checksum_ok(const unsigned char *h)
{
    uint64_t want;
    unsigned long u = 0;
    long s = 0;
    size_t i;

    if (parse_num(h + 148, 8, &want) < 0)
        return 0;
    for (i = 0; i < BLOCK; i++) {
        unsigned char c = (i >= 148 && i < 156) ? ' ' : h[i];

        u += c;
        s += (signed char)c;
    }
    /* Some old writers summed signed chars. */
    return want == u || (s >= 0 && want == (uint64_t)s);
}

static int is_zero(const unsigned char *h)
{
    size_t i;

    for (i = 0; i < BLOCK; i++)
        if (h[i])
            return 0;
    return 1;
}

static void field_to_buf(struct dk_buf *b, const unsigned char *f, size_t width)
{
    dk_buf_addn(b, f, strnlen((const char *)f, width));
}

struct pending {
    int name, link, size;
    uint64_t size_val;
};

static int parse_pax(struct dk_tar_reader *r, const char *p, size_t n, struct pending *pd,
                     uint64_t hoff, struct dk_err *err)
{
    size_t i = 0;

    while (i < n) {
        size_t len = 0, j = i, keylen, vlen;
        const char *key, *eq, *val, *end;

        if (p[i] == '\0')
            break; /* NUL padding after the last record */
        while (j < n && p[j] >= '0' && p[j] <= '9') {
            len = len * 10 + (size_t)(p[j] - '0');
            if (len > n)
                break;
            j++;
        }
        if (j == i || j >= n || p[j] != ' ' || len <= j - i + 1 || len > n - i ||
            p[i + len - 1] != '\n')
            return rcorrupt(r, err, "bad pax record at byte %llu", (unsigned long long)hoff);
        key = p + j + 1;
        end = p + i + len - 1;
        eq = memchr(key, '=', (size_t)(end - key));
        if (!eq)
            return rcorrupt(r, err, "bad pax record at byte %llu", (unsigned long long)hoff);
        keylen = (size_t)(eq - key);
        val = eq + 1;
        vlen = (size_t)(end - val);
        if (keylen == 4 && !memcmp(key, "path", 4)) {
            dk_buf_reset(&r->name);
            dk_buf_addn(&r->name, val, vlen);
            pd->name = 1;
        } else if (keylen == 8 && !memcmp(key, "linkpath", 8)) {
            dk_buf_reset(&r->link);
            dk_buf_addn(&r->link, val, vlen);
            pd->link = 1;
        } else if (keylen == 4 && !memcmp(key, "size", 4)) {
            uint64_t v = 0;
            size_t k;

            if (!vlen || vlen > 19)
                return rcorrupt(r, err, "bad pax size at byte %llu", (unsigned long long)hoff);
            for (k = 0; k < vlen; k++) {
                if (val[k] < '0' || val[k] > '9')
                    return rcorrupt(r, err, "bad pax size at byte %llu", (unsigned long long)hoff);
                v = v * 10 + (uint64_t)(val[k] - '0');
            }
            pd->size = 1;
            pd->size_val = v;
        }
        i += len;
    }
    return 0;
}

int dk_tar_next(struct dk_tar_reader *r, struct dk_tar_entry *e, struct dk_err *err)
{
    struct pending pd = {0, 0, 0, 0};
    unsigned char h[BLOCK];

    if (!r->active)
        return dk_err_set(err, DK_E_FAIL, "tar reader is not open");
    if (r->done)
        return 0;
    if (skip(r, r->data_left + r->data_pad, err) < 0)
        return -1;
    r->data_left = r->data_pad = 0;
    dk_buf_reset(&r->name);
    dk_buf_reset(&r->link);
    for (;;) {
        uint64_t hoff = r->offset, size, v;
        ssize_t k = src_read(r, h, BLOCK, err);
        char type;

        if (k < 0)
            return -1;
        if (k == 0 && !pd.name && !pd.link && !pd.size) {
            /* No end-of-archive blocks: accepted, as GNU tar and Go's archive/tar do. */
            r->done = 1;
            return 0;
        }
        if (k < BLOCK)
            return rtrunc(r, err);
        if (is_zero(h)) {
            if (pd.name || pd.link || pd.size)
                return rcorrupt(r, err, "extended header without an entry at byte %llu",
                                (unsigned long long)hoff);
            r->done = 1;
            return 0;
        }
        if (!checksum_ok(h))
            return rcorrupt(r, err, "bad header checksum at byte %llu", (unsigned long long)hoff);
        if (parse_num(h + 124, 12, &size) < 0)
            return rcorrupt(r, err, "bad size field at byte %llu", (unsigned long long)hoff);
        type = (char)h[156];
        if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
            struct dk_buf meta = DK_BUF_INIT;
            int rc = 0;

            if (size > MAX_META)
                return rcorrupt(r, err, "extended header of %llu bytes at byte %llu",
                                (unsigned long long)size, (unsigned long long)hoff);
            dk_buf_grow(&meta, (size_t)size);
            if (read_full(r, meta.buf, (size_t)size, err) < 0 ||
                skip(r, (BLOCK - size % BLOCK) % BLOCK, err) < 0) {
                dk_buf_release(&meta);
                return -1;
            }
            meta.len = (size_t)size;
            meta.buf[meta.len] = '\0';
            if (type == 'x') {
                rc = parse_pax(r, meta.buf, meta.len, &pd, hoff, err);
            } else if (type == 'L') {
                dk_buf_reset(&r->name);
                dk_buf_add(&r->name, meta.buf);
                pd.name = 1;
            } else if (type == 'K') {
                dk_buf_reset(&r->link);
                dk_buf_add(&r->link, meta.buf);
                pd.link = 1;
            }
            /* 'g': global pax headers set defaults dk does not use. */
            dk_buf_release(&meta);
            if (rc < 0)
                return -1;
            continue;
        }

        if (!pd.name) {
            /* The prefix field is POSIX ustar's; GNU's "ustar  " format uses it otherwise. */
            if (!memcmp(h + 257, "ustar", 6) && h[345]) {
                field_to_buf(&r->name, h + 345, 155);
                dk_buf_addch(&r->name, '/');
            }
            field_to_buf(&r->name, h, 100);
        }
        if (!pd.link)
            field_to_buf(&r->link, h + 157, 100);
        if (pd.size)
            size = pd.size_val;
        if (!r->name.len)
            return rcorrupt(r, err, "entry with an empty name at byte %llu",
                            (unsigned long long)hoff);
        memset(e, 0, sizeof(*e));
        e->name = r->name.buf;
        e->linkname = "";
        e->typeflag = type;
        switch (type) {
        case '0':
        case '\0':
        case '7':
            e->type = DK_TAR_FILE;
            break;
        case '1':
            e->type = DK_TAR_HARDLINK;
            e->linkname = r->link.buf;
            break;
        case '2':
            e->type = DK_TAR_SYMLINK;
            e->linkname = r->link.buf;
            break;
        case '5':
            e->type = DK_TAR_DIR;
            break;
        default:
            e->type = DK_TAR_OTHER;
            break;
        }
        /* Links, devices, directories and fifos have no data whatever their size field says. */
        if (type >= '1' && type <= '6')
            size = 0;
        e->size = size;
        e->mode = parse_num(h + 100, 8, &v) < 0 ? 0 : (unsigned)(v & 07777);
        e->mtime = parse_num(h + 136, 12, &v) < 0 ? 0 : (int64_t)(v & 0x7fffffffffffffffULL);
        r->data_left = size;
        r->data_pad = (BLOCK - size % BLOCK) % BLOCK;
        return 1;
    }
}

ssize_t dk_tar_read(struct dk_tar_reader *r, void *buf, size_t n, struct dk_err *err)
{
    if (!r->active)
        return dk_err_set(err, DK_E_FAIL, "tar reader is not open");
    if (n > r->data_left)
        n = (size_t)r->data_left;
    if (n > SSIZE_MAX)
        n = SSIZE_MAX;
    if (!n)
        return 0;
    if (read_full(r, buf, n, err) < 0)
        return -1;
    r->data_left -= n;
    return (ssize_t)n;
}

/* ---- extraction ---- */

struct xctx {
    const char *archive;
    const char *dir;
    int root;
    struct dk_err *err;
};

__attribute__((format(printf, 3, 4))) static int refuse(struct xctx *x, const char *name,
                                                        const char *fmt, ...)
{
    char reason[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    return dk_err_set(x->err, DK_E_INPUT, "cannot extract '%s': entry '%s' %s", x->archive, name,
                      reason);
}

static int xio(struct xctx *x, const char *name, const char *what, int e)
{
    return dk_err_set(x->err, DK_E_IO, "cannot extract '%s': entry '%s': cannot %s: %s", x->archive,
                      name, what, strerror(e));
}

/* A path split into its components, "" and "." dropped. */
struct comps {
    char *copy;
    char **v;
    size_t n;
};

/* Splits path; returns 0, -1 when it is absolute, -2 when it has a '..' component. */
static int split_path(const char *path, struct comps *c)
{
    size_t slashes = 0;
    const char *q;
    char *p, *s;

    memset(c, 0, sizeof(*c));
    if (path[0] == '/')
        return -1;
    for (q = path; *q; q++)
        slashes += *q == '/';
    c->copy = dk_xstrdup(path);
    c->v = dk_xcalloc(slashes + 1, sizeof(*c->v));
    for (s = c->copy;; s = p + 1) {
        p = strchr(s, '/');
        if (p)
            *p = '\0';
        if (!strcmp(s, ".."))
            return -2;
        if (*s && strcmp(s, "."))
            c->v[c->n++] = s;
        if (!p)
            break;
    }
    return 0;
}

static void comps_release(struct comps *c)
{
    free(c->copy);
    free(c->v);
    memset(c, 0, sizeof(*c));
}

/* Opens the directory v[0]/.../v[n-1] under the root without following any symlink, making
 * missing directories when create. link names the hard link target being looked up (for
 * messages), NULL when walking to an entry's own parent. Returns a descriptor (x->root when
 * n is 0; the caller closes any other), or -1. */
static int walk(struct xctx *x, const char *name, char **v, size_t n, int create, const char *link)
{
    int dfd = x->root;
    size_t i;

    for (i = 0; i < n; i++) {
        struct stat st;
        int nfd, e;

        if (fstatat(dfd, v[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
            e = errno;
            if (e == ENOENT && !create) {
                refuse(x, name, "is a hard link to '%s', which was not extracted", link);
                goto fail;
            }
            if (e != ENOENT) {
                xio(x, name, "inspect its directories", e);
                goto fail;
            }
            if (mkdirat(dfd, v[i], 0755) < 0 && errno != EEXIST) {
                xio(x, name, "create its directories", errno);
                goto fail;
            }
        } else if (S_ISLNK(st.st_mode)) {
            if (link)
                refuse(x, name, "is a hard link through symlink '%s'", v[i]);
            else
                refuse(x, name, "would be written through symlink '%s'", v[i]);
            goto fail;
        } else if (!S_ISDIR(st.st_mode)) {
            refuse(x, name, "needs '%s' to be a directory, and it is not", v[i]);
            goto fail;
        }
        /* O_NOFOLLOW closes the race with a symlink made after the check. */
        nfd = openat(dfd, v[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (nfd < 0) {
            e = errno;
            if (e == ELOOP || e == ENOTDIR)
                refuse(x, name, "would be written through symlink '%s'", v[i]);
            else
                xio(x, name, "open its directories", e);
            goto fail;
        }
        if (dfd != x->root)
            close(dfd);
        dfd = nfd;
    }
    return dfd;
fail:
    if (dfd != x->root)
        close(dfd);
    return -1;
}

/* Why a symlink at depth (number of directories above it) with this target could point
 * outside the root, or NULL when it cannot. Leading '..' components are resolved against real
 * directories (symlinks are never written through), and names after them reach only real
 * directories or symlinks checked the same way; a '..' after a name could climb out of a
 * symlink to ".", so it is refused. */
static const char *symlink_problem(const char *target, size_t depth)
{
    const char *p = target;
    size_t ups = 0;
    int named = 0;

    if (!*target)
        return "has an empty target";
    if (target[0] == '/')
        return "is absolute";
    while (*p) {
        size_t len = strcspn(p, "/");

        if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (named)
                return "has '..' after a name";
            if (++ups > depth)
                return "points outside the directory";
        } else if (len && !(len == 1 && p[0] == '.')) {
            named = 1;
        }
        p += len;
        if (*p == '/')
            p++;
    }
    return NULL;
}

static int copy_data(struct xctx *x, struct dk_tar_reader *r, const char *name, int fd,
                     unsigned char *buf)
{
    ssize_t k;

    while ((k = dk_tar_read(r, buf, IOBUF, x->err)) > 0)
        if (write_all(fd, buf, (size_t)k) < 0)
            return xio(x, name, "write it", errno);
    return k < 0 ? -1 : 0;
}

static int extract_one(struct xctx *x, struct dk_tar_reader *r, const struct dk_tar_entry *e,
                       unsigned char *buf)
{
    struct comps c, t;
    int pfd = -1, tfd = -1, fd = -1, rc = -1, exists, s;
    const char *leaf, *problem;
    struct stat st, tst;

    memset(&t, 0, sizeof(t));
    if (e->type == DK_TAR_OTHER) {
        if (e->typeflag == '3' || e->typeflag == '4')
            return refuse(x, e->name, "is a device");
        if (e->typeflag == '6')
            return refuse(x, e->name, "is a fifo");
        return refuse(x, e->name, "has unsupported type '%c'", e->typeflag);
    }
    s = split_path(e->name, &c);
    if (s == -1) {
        refuse(x, e->name, "has an absolute path");
        goto out;
    }
    if (s == -2) {
        refuse(x, e->name, "has a '..' path component");
        goto out;
    }
    if (!c.n) {
        if (e->type == DK_TAR_DIR) /* "./": the root itself */
            rc = 0;
        else
            refuse(x, e->name, "has an empty path");
        goto out;
    }
    pfd = walk(x, e->name, c.v, c.n - 1, 1, NULL);
    if (pfd < 0)
        goto out;
    leaf = c.v[c.n - 1];
    exists = fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (!exists && errno != ENOENT) {
        xio(x, e->name, "inspect it", errno);
        goto out;
    }
    if (exists && S_ISDIR(st.st_mode) && e->type != DK_TAR_DIR) {
        refuse(x, e->name, "would replace a directory");
        goto out;
    }
    switch (e->type) {
    case DK_TAR_DIR:
        /* A file or symlink in the way is replaced by the directory, never followed. */
        if (exists && !S_ISDIR(st.st_mode) && unlinkat(pfd, leaf, 0) < 0) {
            xio(x, e->name, "replace it", errno);
            goto out;
        }
        if ((!exists || !S_ISDIR(st.st_mode)) && mkdirat(pfd, leaf, 0700) < 0) {
            xio(x, e->name, "create it", errno);
            goto out;
        }
        fd = openat(pfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fchmod(fd, (e->mode & 0777) | 0700) < 0) {
            xio(x, e->name, "set its mode", errno);
            goto out;
        }
        break;
    case DK_TAR_FILE:
        if (exists && unlinkat(pfd, leaf, 0) < 0) {
            xio(x, e->name, "replace it", errno);
            goto out;
        }
        fd = openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) {
            xio(x, e->name, "create it", errno);
            goto out;
        }
        if (copy_data(x, r, e->name, fd, buf) < 0)
            goto out;
        if (fchmod(fd, e->mode & 0777) < 0) {
            xio(x, e->name, "set its mode", errno);
            goto out;
        }
        if (close(fd) < 0) {
            fd = -1;
            xio(x, e->name, "write it", errno);
            goto out;
        }
        fd = -1;
        break;
    case DK_TAR_SYMLINK:
        problem = symlink_problem(e->linkname, c.n - 1);
        if (problem) {
            refuse(x, e->name, "is a symlink to '%s', which %s", e->linkname, problem);
            goto out;
        }
        if (exists && unlinkat(pfd, leaf, 0) < 0) {
            xio(x, e->name, "replace it", errno);
            goto out;
        }
        if (symlinkat(e->linkname, pfd, leaf) < 0) {
            xio(x, e->name, "create it", errno);
            goto out;
        }
        break;
    case DK_TAR_HARDLINK:
        s = split_path(e->linkname, &t);
        if (s < 0 || !t.n) {
            refuse(x, e->name, "is a hard link to '%s', outside the directory", e->linkname);
            goto out;
        }
        tfd = walk(x, e->name, t.v, t.n - 1, 0, e->linkname);
        if (tfd < 0)
            goto out;
        if (fstatat(tfd, t.v[t.n - 1], &tst, AT_SYMLINK_NOFOLLOW) < 0) {
            refuse(x, e->name, "is a hard link to '%s', which was not extracted", e->linkname);
            goto out;
        }
        if (!S_ISREG(tst.st_mode)) {
            refuse(x, e->name, "is a hard link to '%s', which is not a regular file", e->linkname);
            goto out;
        }
        if (exists && st.st_dev == tst.st_dev && st.st_ino == tst.st_ino) {
            rc = 0; /* already that file */
            goto out;
        }
        if (exists && unlinkat(pfd, leaf, 0) < 0) {
            xio(x, e->name, "replace it", errno);
            goto out;
        }
        if (linkat(tfd, t.v[t.n - 1], pfd, leaf, 0) < 0) {
            xio(x, e->name, "link it", errno);
            goto out;
        }
        break;
    case DK_TAR_OTHER:
        break;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (pfd >= 0 && pfd != x->root)
        close(pfd);
    if (tfd >= 0 && tfd != x->root)
        close(tfd);
    comps_release(&c);
    comps_release(&t);
    return rc;
}

int dk_tar_extract(const char *archive, const char *dir, const struct dk_tar_limits *lim,
                   struct dk_err *err)
{
    uint64_t max_total = lim && lim->max_total ? lim->max_total : DK_TAR_MAX_TOTAL;
    uint64_t max_entries = lim && lim->max_entries ? lim->max_entries : DK_TAR_MAX_ENTRIES;
    struct dk_tar_reader r;
    struct dk_tar_entry e;
    struct xctx x = {archive, dir, -1, err};
    unsigned char *buf = NULL;
    uint64_t count = 0, total = 0;
    int rc = -1, k;

    if (dk_tar_reader_open(&r, archive, err) < 0)
        return -1;
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        dk_err_set(err, DK_E_IO, "cannot extract '%s': cannot create '%s': %s", archive, dir,
                   strerror(errno));
        goto out;
    }
    x.root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (x.root < 0) {
        dk_err_set(err, DK_E_IO, "cannot extract '%s': cannot open '%s': %s", archive, dir,
                   strerror(errno));
        goto out;
    }
    buf = dk_xmalloc(IOBUF);
    while ((k = dk_tar_next(&r, &e, err)) > 0) {
        if (++count > max_entries) {
            refuse(&x, e.name, "passes the limit of %llu entries", (unsigned long long)max_entries);
            goto out;
        }
        if (e.size > max_total - total) {
            refuse(&x, e.name, "passes the size limit of %llu bytes",
                   (unsigned long long)max_total);
            goto out;
        }
        total += e.size;
        if (extract_one(&x, &r, &e, buf) < 0)
            goto out;
    }
    if (k == 0)
        rc = 0;
out:
    free(buf);
    if (x.root >= 0)
        close(x.root);
    dk_tar_reader_release(&r);
    return rc;
}
