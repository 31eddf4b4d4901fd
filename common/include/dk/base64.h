/*
 * base64: RFC 4648 base64 and base64url.
 *
 * Encoders return a new NUL-terminated string that the caller frees; they cannot fail (out of
 * memory exits through dk_xmalloc()). Decoders append the decoded bytes to a caller's struct
 * dk_buf and leave it as it was when the input is invalid. Decoded bytes may contain NUL; use
 * out->len, not strlen().
 */
#ifndef DK_BASE64_H
#define DK_BASE64_H

#include <stddef.h>

#include "dk/buf.h"

/* Standard alphabet (A-Z a-z 0-9 + /) with '=' padding, as in Docker's "auth" field and HTTP
 * Basic credentials. Caller frees. */
char *dk_base64_encode(const void *p, size_t n);

/* URL-safe alphabet ('-' and '_' for '+' and '/') without padding, as in JWTs (RFC 7515).
 * Caller frees. */
char *dk_base64url_encode(const void *p, size_t n);

/* Decodes standard base64 from s and appends the bytes to out. Padding may be present or left
 * out; CR and LF are skipped. Returns 0, or -1 when s is not base64 (a character outside the
 * alphabet, '=' anywhere but the end, a length that no encoding produces) or out's cap would be
 * passed; out is then unchanged. */
int dk_base64_decode(const char *s, struct dk_buf *out);

/* As dk_base64_decode(), for the URL-safe alphabet. */
int dk_base64url_decode(const char *s, struct dk_buf *out);

#endif
