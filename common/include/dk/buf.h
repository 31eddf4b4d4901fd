/*
 * buf: growable byte buffers and string helpers.
 *
 * A struct dk_buf owns its heap memory. buf->buf is always NUL-terminated (it points at a
 * static empty string until the first write), so it can be used as a C string even when the
 * bytes contain no NUL. Pointers into the buffer die on the next call that grows it.
 * dk_buf_init_max() caps growth: a write that would pass the cap fails and leaves the buffer
 * as it was, so hostile input cannot grow it without bound.
 */
#ifndef DK_BUF_H
#define DK_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct dk_buf {
    char *buf;
    size_t len;
    size_t alloc;
    size_t max; /* 0: no cap */
};

extern char dk_buf_empty[];
#define DK_BUF_INIT                                                                                \
    {                                                                                              \
        dk_buf_empty, 0, 0, 0                                                                      \
    }

void dk_buf_init(struct dk_buf *b);
/* As dk_buf_init(), with growth capped at max bytes (the NUL not counted). */
void dk_buf_init_max(struct dk_buf *b, size_t max);
/* Frees the memory; the buffer is then as after dk_buf_init() (its cap kept). */
void dk_buf_release(struct dk_buf *b);
/* Empties the buffer, keeping its memory. */
void dk_buf_reset(struct dk_buf *b);
/* Makes room for n more bytes. Returns 0, or -1 when the cap would be passed. */
int dk_buf_grow(struct dk_buf *b, size_t n);
/* Append; each returns 0, or -1 when the cap would be passed (nothing is appended then). */
int dk_buf_addn(struct dk_buf *b, const void *data, size_t n);
int dk_buf_add(struct dk_buf *b, const char *s);
int dk_buf_addch(struct dk_buf *b, char c);
int dk_buf_addf(struct dk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dk_buf_vaddf(struct dk_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Sets the length (n <= len), keeping the memory. */
void dk_buf_setlen(struct dk_buf *b, size_t n);
/* Hands the bytes to the caller (caller frees) and resets the buffer. Never NULL. */
char *dk_buf_detach(struct dk_buf *b, size_t *len);

/* Allocation that cannot fail: on out of memory prints "<prog>: fatal: out of memory", exits 1. */
void *dk_xmalloc(size_t n);
void *dk_xcalloc(size_t n, size_t size);
void *dk_xrealloc(void *p, size_t n);
char *dk_xstrdup(const char *s);
char *dk_xstrndup(const char *s, size_t n);
/* Formatted allocation; caller frees. */
char *dk_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* String helpers. */
int dk_str_startswith(const char *s, const char *prefix);
int dk_str_endswith(const char *s, const char *suffix);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void dk_hex(const unsigned char *in, size_t n, char *out);

/* Reads a whole file into b (appending). 0, or -1 with errno set. */
int dk_buf_read_file(struct dk_buf *b, const char *path);
/* Reads until EOF from fd into b (appending). 0, or -1 with errno set (E2BIG past the cap). */
int dk_buf_read_fd(struct dk_buf *b, int fd);

/* A list of owned strings. */
struct dk_strvec {
    char **v;
    size_t n;
};
#define DK_STRVEC_INIT                                                                             \
    {                                                                                              \
        NULL, 0                                                                                    \
    }
/* Appends a copy of s. */
void dk_strvec_push(struct dk_strvec *sv, const char *s);
/* Appends s itself (the vector takes ownership). */
void dk_strvec_push_owned(struct dk_strvec *sv, char *s);
/* Appends a formatted string. */
void dk_strvec_pushf(struct dk_strvec *sv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* 1 when s is in the vector. */
int dk_strvec_has(const struct dk_strvec *sv, const char *s);
void dk_strvec_release(struct dk_strvec *sv);

#endif
