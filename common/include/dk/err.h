/*
 * err: error values that carry a message.
 *
 * A function that can fail returns int (0 ok, -1 failed) and fills the caller's struct dk_err.
 * The library never prints or exits; main() prints err.msg once and maps the code to the exit
 * status with dk_exit_code(). Messages start lower case, name what failed first and put the
 * underlying library's reason last. They never carry secrets: callers pass redacted text.
 */
#ifndef DK_ERR_H
#define DK_ERR_H

#include <stdarg.h>

enum dk_errc {
    DK_E_OK = 0,
    DK_E_FAIL,      /* the operation failed (exit 1) */
    DK_E_IO,        /* local I/O failed (exit 1) */
    DK_E_NET,       /* network or protocol failure (exit 1) */
    DK_E_AUTH,      /* 401/403 from a server (exit 1) */
    DK_E_NOTFOUND,  /* the thing asked for does not exist (exit 1) */
    DK_E_INTEGRITY, /* content did not match its digest (exit 1) */
    DK_E_USAGE,     /* bad flags or arguments (exit 2) */
    DK_E_INPUT,     /* bad input: document, reference, file (exit 2) */
};

struct dk_err {
    enum dk_errc code;
    char msg[1024];
};

#define DK_ERR_INIT                                                                                \
    {                                                                                              \
        DK_E_OK,                                                                                   \
        {                                                                                          \
            0                                                                                      \
        }                                                                                          \
    }

void dk_err_init(struct dk_err *err);
/* Sets code and message (printf format); returns -1 so callers can `return dk_err_set(...)`.
 * err may be NULL. */
int dk_err_set(struct dk_err *err, enum dk_errc code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int dk_err_vset(struct dk_err *err, enum dk_errc code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* Prefixes context: "context: previous message". Returns -1. */
int dk_err_wrap(struct dk_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 0 for DK_E_OK, 2 for usage/input, 1 for everything else. */
int dk_exit_code(const struct dk_err *err);
/* A short stable name for the code ("usage", "input", "auth", ...), for the JSON error object. */
const char *dk_err_name(enum dk_errc code);

#endif
