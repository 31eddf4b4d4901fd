#include "dk/err.h"

#include <stdio.h>
#include <string.h>

#include "dk/log.h"

void dk_err_init(struct dk_err *err)
{
    err->code = DK_E_OK;
    err->msg[0] = '\0';
}

int dk_err_vset(struct dk_err *err, enum dk_errc code, const char *fmt, va_list ap)
{
    if (!err)
        return -1;
    err->code = code;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    dk_redact_inplace(err->msg, sizeof(err->msg));
    return -1;
}

int dk_err_set(struct dk_err *err, enum dk_errc code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    dk_err_vset(err, code, fmt, ap);
    va_end(ap);
    return -1;
}

int dk_err_wrap(struct dk_err *err, const char *fmt, ...)
{
    char prefix[512], old[sizeof(err->msg)];
    struct dk_buf b = DK_BUF_INIT;
    va_list ap;

    if (!err)
        return -1;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    if (err->code == DK_E_OK)
        err->code = DK_E_FAIL;
    dk_buf_add(&b, prefix);
    if (old[0])
        dk_buf_addf(&b, ": %s", old);
    snprintf(err->msg, sizeof(err->msg), "%s", b.buf);
    dk_buf_release(&b);
    dk_redact_inplace(err->msg, sizeof(err->msg));
    return -1;
}

int dk_exit_code(const struct dk_err *err)
{
    switch (err->code) {
    case DK_E_OK:
        return 0;
    case DK_E_USAGE:
    case DK_E_INPUT:
        return 2;
    default:
        return 1;
    }
}

const char *dk_err_name(enum dk_errc code)
{
    switch (code) {
    case DK_E_OK:
        return "ok";
    case DK_E_FAIL:
        return "failed";
    case DK_E_IO:
        return "io";
    case DK_E_NET:
        return "network";
    case DK_E_AUTH:
        return "auth";
    case DK_E_NOTFOUND:
        return "not-found";
    case DK_E_INTEGRITY:
        return "integrity";
    case DK_E_USAGE:
        return "usage";
    case DK_E_INPUT:
        return "input";
    }
    return "failed";
}
