#include "dk/base64.h"

#include <string.h>

static const char std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *encode(const unsigned char *in, size_t n, const char *alphabet, int pad)
{
    char *out = dk_xmalloc((n + 2) / 3 * 4 + 1), *o = out;
    size_t i;

    for (i = 0; i + 2 < n; i += 3) {
        unsigned long v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 | in[i + 2];

        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
        *o++ = alphabet[v >> 6 & 63];
        *o++ = alphabet[v & 63];
    }
    if (n - i == 1) {
        unsigned long v = (unsigned long)in[i] << 16;

        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
        if (pad) {
            *o++ = '=';
            *o++ = '=';
        }
    } else if (n - i == 2) {
        unsigned long v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8;

        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
        *o++ = alphabet[v >> 6 & 63];
        if (pad)
            *o++ = '=';
    }
    *o = '\0';
    return out;
}

char *dk_base64_encode(const void *p, size_t n)
{
    return encode(p, n, std_alphabet, 1);
}

char *dk_base64url_encode(const void *p, size_t n)
{
    return encode(p, n, url_alphabet, 0);
}

static int value(const char *alphabet, char c)
{
    const char *p;

    if (!c)
        return -1;
    p = strchr(alphabet, c);
    return p ? (int)(p - alphabet) : -1;
}

static int decode(const char *s, struct dk_buf *out, const char *alphabet)
{
    size_t start = out->len, nq = 0, npad = 0;
    unsigned long acc = 0;
    unsigned char bytes[3];

    for (; *s; s++) {
        int v;

        if (*s == '\r' || *s == '\n')
            continue;
        if (*s == '=') {
            npad++;
            continue;
        }
        v = value(alphabet, *s);
        /* Data after padding, or a foreign character. */
        if (v < 0 || npad)
            goto bad;
        acc = acc << 6 | (unsigned long)v;
        if (++nq == 4) {
            bytes[0] = (unsigned char)(acc >> 16);
            bytes[1] = (unsigned char)(acc >> 8);
            bytes[2] = (unsigned char)acc;
            if (dk_buf_addn(out, bytes, 3) < 0)
                goto bad;
            acc = 0;
            nq = 0;
        }
    }
    /* A final group of 2 or 3 symbols carries 1 or 2 bytes; its padding, when written, must
     * fill the group to 4. A single symbol, or padding without a partial group, is invalid. */
    if (nq == 1 || (npad && (nq == 0 || nq + npad != 4)))
        goto bad;
    if (nq == 2) {
        bytes[0] = (unsigned char)(acc >> 4);
        if (dk_buf_addn(out, bytes, 1) < 0)
            goto bad;
    } else if (nq == 3) {
        bytes[0] = (unsigned char)(acc >> 10);
        bytes[1] = (unsigned char)(acc >> 2);
        if (dk_buf_addn(out, bytes, 2) < 0)
            goto bad;
    }
    return 0;
bad:
    dk_buf_setlen(out, start);
    return -1;
}

int dk_base64_decode(const char *s, struct dk_buf *out)
{
    return decode(s, out, std_alphabet);
}

int dk_base64url_decode(const char *s, struct dk_buf *out)
{
    return decode(s, out, url_alphabet);
}
