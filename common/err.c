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
    struct dk_buf raw = DK_BUF_INIT, red = DK_BUF_INIT;

    if (!err)
        return -1;
    err->code = code;
    /* redact the whole text before cutting it to size, so a cut cannot split a secret */
    dk_buf_vaddf(&raw, fmt, ap);
    dk_redact(&red, raw.buf);
    snprintf(err->msg, sizeof(err->msg), "%s", red.buf);
    dk_buf_release(&raw);
    dk_buf_release(&red);
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
    struct dk_buf ctx = DK_BUF_INIT, b = DK_BUF_INIT, red = DK_BUF_INIT;
    va_list ap;

    if (!err)
        return -1;
    va_start(ap, fmt);
    dk_buf_vaddf(&ctx, fmt, ap);
    va_end(ap);
    if (err->code == DK_E_OK)
        err->code = DK_E_FAIL;
    /* redact before cutting, so a cut cannot split a secret; the context keeps at most 511
     * bytes, leaving room for the message it wraps */
    dk_redact(&b, ctx.buf);
    dk_buf_setlen(&b, 511);
    if (err->msg[0])
        dk_buf_addf(&b, ": %s", err->msg);
    dk_redact(&red, b.buf);
    snprintf(err->msg, sizeof(err->msg), "%s", red.buf);
    dk_buf_release(&ctx);
    dk_buf_release(&b);
    dk_buf_release(&red);
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
