#include "dk/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dk/log.h"

char dk_buf_empty[1];

void dk_buf_init(struct dk_buf *b)
{
    b->buf = dk_buf_empty;
    b->len = 0;
    b->alloc = 0;
    b->max = 0;
}

void dk_buf_init_max(struct dk_buf *b, size_t max)
{
    dk_buf_init(b);
    b->max = max;
}

void dk_buf_release(struct dk_buf *b)
{
    size_t max = b->max;

    if (b->alloc)
        free(b->buf);
    dk_buf_init(b);
    b->max = max;
}

void dk_buf_reset(struct dk_buf *b)
{
    dk_buf_setlen(b, 0);
}

void dk_buf_setlen(struct dk_buf *b, size_t n)
{
    if (n > b->len)
        n = b->len;
    b->len = n;
    if (b->alloc)
        b->buf[n] = '\0';
}

int dk_buf_grow(struct dk_buf *b, size_t n)
{
    size_t want, na;

    if (n > (size_t)-1 / 2 - b->len - 1)
        return -1;
    want = b->len + n + 1;
    if (b->max && want - 1 > b->max)
        return -1;
    if (want <= b->alloc)
        return 0;
    na = b->alloc ? b->alloc : 64;
    while (na < want)
        na = na / 2 * 3 + 16;
    if (b->max && na > b->max + 1)
        na = b->max + 1;
    if (!b->alloc) {
        b->buf = dk_xmalloc(na);
        b->buf[0] = '\0';
    } else {
        b->buf = dk_xrealloc(b->buf, na);
    }
    b->alloc = na;
    return 0;
}

int dk_buf_addn(struct dk_buf *b, const void *data, size_t n)
{
    if (dk_buf_grow(b, n) < 0)
        return -1;
    if (n)
        memmove(b->buf + b->len, data, n);
    b->len += n;
    b->buf[b->len] = '\0';
    return 0;
}

int dk_buf_add(struct dk_buf *b, const char *s)
{
    return dk_buf_addn(b, s, strlen(s));
}

int dk_buf_addch(struct dk_buf *b, char c)
{
    return dk_buf_addn(b, &c, 1);
}

int dk_buf_vaddf(struct dk_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0 || dk_buf_grow(b, (size_t)n) < 0)
        return -1;
    vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int dk_buf_addf(struct dk_buf *b, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = dk_buf_vaddf(b, fmt, ap);
    va_end(ap);
    return r;
}

char *dk_buf_detach(struct dk_buf *b, size_t *len)
{
    char *p;

    if (len)
        *len = b->len;
    if (!b->alloc) {
        p = dk_xmalloc(1);
        p[0] = '\0';
    } else {
        p = b->buf;
    }
    b->buf = dk_buf_empty;
    b->len = 0;
    b->alloc = 0;
    return p;
}

static void oom(void)
{
    fprintf(stderr, "%s: fatal: out of memory\n", dk_log_prog());
    exit(1);
}

void *dk_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (!p)
        oom();
    return p;
}

void *dk_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (!p)
        oom();
    return p;
}

void *dk_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (!q)
        oom();
    return q;
}

char *dk_xstrdup(const char *s)
{
    return dk_xstrndup(s, strlen(s));
}

char *dk_xstrndup(const char *s, size_t n)
{
    size_t l = strnlen(s, n);
    char *p = dk_xmalloc(l + 1);

    memcpy(p, s, l);
    p[l] = '\0';
    return p;
}

char *dk_xasprintf(const char *fmt, ...)
{
    struct dk_buf b = DK_BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    if (dk_buf_vaddf(&b, fmt, ap) < 0)
        oom();
    va_end(ap);
    return dk_buf_detach(&b, NULL);
}

int dk_str_startswith(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int dk_str_endswith(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);

    return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

void dk_hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

int dk_buf_read_fd(struct dk_buf *b, int fd)
{
    for (;;) {
        ssize_t n;

        /* room left is used first; then 64 kB more at a time */
        if (b->alloc <= b->len + 1 && dk_buf_grow(b, 65536) < 0 && dk_buf_grow(b, 1) < 0) {
            char c;

            /* full up to the cap: fine if the input ends here, E2BIG if it goes on */
            n = read(fd, &c, 1);
            if (n < 0 && errno == EINTR)
                continue;
            if (n == 0)
                break;
            if (n > 0)
                errno = E2BIG;
            return -1;
        }
        n = read(fd, b->buf + b->len, b->alloc - b->len - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        b->len += (size_t)n;
        b->buf[b->len] = '\0';
    }
    return 0;
}

int dk_buf_read_file(struct dk_buf *b, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int r, e;

    if (fd < 0)
        return -1;
    r = dk_buf_read_fd(b, fd);
    e = errno;
    close(fd);
    errno = e;
    return r;
}

void dk_strvec_push_owned(struct dk_strvec *sv, char *s)
{
    sv->v = dk_xrealloc(sv->v, (sv->n + 1) * sizeof(*sv->v));
    sv->v[sv->n++] = s;
}

void dk_strvec_push(struct dk_strvec *sv, const char *s)
{
    dk_strvec_push_owned(sv, dk_xstrdup(s));
}

void dk_strvec_pushf(struct dk_strvec *sv, const char *fmt, ...)
{
    struct dk_buf b = DK_BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    if (dk_buf_vaddf(&b, fmt, ap) < 0)
        oom();
    va_end(ap);
    dk_strvec_push_owned(sv, dk_buf_detach(&b, NULL));
}

int dk_strvec_has(const struct dk_strvec *sv, const char *s)
{
    size_t i;

    for (i = 0; i < sv->n; i++)
        if (!strcmp(sv->v[i], s))
            return 1;
    return 0;
}

void dk_strvec_release(struct dk_strvec *sv)
{
    size_t i;

    for (i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    sv->v = NULL;
    sv->n = 0;
}
