/* Unit tests for common/base64.c: the RFC 4648 section 10 vectors both ways, base64url, and
 * the inputs a decoder must refuse. */
#include "dk/base64.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"

static const struct {
    const char *plain, *encoded;
} rfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static void test_vectors(void)
{
    size_t i;

    for (i = 0; i < sizeof(rfc4648) / sizeof(*rfc4648); i++) {
        struct dk_buf b = DK_BUF_INIT;
        char *enc = dk_base64_encode(rfc4648[i].plain, strlen(rfc4648[i].plain));

        is_str(enc, rfc4648[i].encoded, "base64: encode '%s' (RFC 4648)", rfc4648[i].plain);
        ok(dk_base64_decode(rfc4648[i].encoded, &b) == 0 && !strcmp(b.buf, rfc4648[i].plain) &&
               b.len == strlen(rfc4648[i].plain),
           "base64: decode '%s' (RFC 4648)", rfc4648[i].encoded);
        free(enc);
        dk_buf_release(&b);
    }
}

static void test_binary(void)
{
    static const unsigned char bin[] = {0x00, 0xfb, 0xff, 0xfe, 0x3e, 0x3f};
    struct dk_buf b = DK_BUF_INIT;
    char *std = dk_base64_encode(bin, sizeof(bin));
    char *url = dk_base64url_encode(bin, sizeof(bin));
    char *url5 = dk_base64url_encode(bin, 5);

    is_str(std, "APv//j4/", "base64: binary bytes use '+' and '/'");
    is_str(url, "APv__j4_", "base64url: binary bytes use '-' and '_'");
    is_str(url5, "APv__j4", "base64url: no padding");
    ok(dk_base64_decode(std, &b) == 0 && b.len == sizeof(bin) && !memcmp(b.buf, bin, b.len),
       "base64: binary round trip keeps NUL bytes");
    dk_buf_reset(&b);
    ok(dk_base64url_decode(url5, &b) == 0 && b.len == 5 && !memcmp(b.buf, bin, 5),
       "base64url: decodes unpadded input");
    dk_buf_reset(&b);
    ok(dk_base64url_decode("APv__j4=", &b) == 0 && b.len == 5, "base64url: accepts padding too");
    dk_buf_reset(&b);
    ok(dk_base64url_decode("APv//j4/", &b) < 0, "base64url: refuses the standard alphabet");
    free(std);
    free(url);
    free(url5);
    dk_buf_release(&b);
}

static void test_jwt_header(void)
{
    const char *hdr = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
    char *enc = dk_base64url_encode(hdr, strlen(hdr));

    is_str(enc, "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9", "base64url: a JWT header");
    free(enc);
}

static void test_lenient(void)
{
    struct dk_buf b = DK_BUF_INIT;

    ok(dk_base64_decode("Zm9v\r\nYmFy", &b) == 0 && !strcmp(b.buf, "foobar"),
       "base64: skips CR LF between groups");
    dk_buf_reset(&b);
    ok(dk_base64_decode("Zm9vYg", &b) == 0 && !strcmp(b.buf, "foob"),
       "base64: accepts missing padding");
    dk_buf_reset(&b);
    ok(dk_base64_decode("dXNlcjpwYXNz", &b) == 0 && !strcmp(b.buf, "user:pass"),
       "base64: a Docker auth value");
    dk_buf_release(&b);
}

static void test_invalid(void)
{
    static const char *const bad[] = {
        "Zm9v!", "Z", "Zm9vY", "Zg=", "Zg===", "Zg==Zg==", "=", "====", "Zm9v YmFy", "Zm-v",
    };
    struct dk_buf b = DK_BUF_INIT;
    size_t i;

    dk_buf_add(&b, "keep");
    for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        ok(dk_base64_decode(bad[i], &b) < 0 && !strcmp(b.buf, "keep") && b.len == 4,
           "base64: refuses '%s' and leaves the buffer as it was", bad[i]);
    dk_buf_release(&b);

    dk_buf_init_max(&b, 4);
    ok(dk_base64_decode("Zm9vYmFy", &b) < 0 && b.len == 0, "base64: fails past the buffer cap");
    dk_buf_release(&b);
}

int main(void)
{
    test_vectors();
    test_binary();
    test_jwt_header();
    test_lenient();
    test_invalid();
    return tap_done();
}
