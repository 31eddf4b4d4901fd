#include "dk/digest.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "dk/buf.h"

static const EVP_MD *algo_md(enum dk_digest_algo algo)
{
    switch (algo) {
    case DK_DIGEST_SHA256:
        return EVP_sha256();
    case DK_DIGEST_SHA512:
        return EVP_sha512();
    case DK_DIGEST_SHA3_224:
        return EVP_sha3_224();
    }
    return NULL;
}

const char *dk_digest_algo_name(enum dk_digest_algo algo)
{
    switch (algo) {
    case DK_DIGEST_SHA256:
        return "sha256";
    case DK_DIGEST_SHA512:
        return "sha512";
    case DK_DIGEST_SHA3_224:
        return "sha3-224";
    }
    return "unknown";
}

size_t dk_digest_hex_len(enum dk_digest_algo algo)
{
    switch (algo) {
    case DK_DIGEST_SHA256:
        return 64;
    case DK_DIGEST_SHA512:
        return 128;
    case DK_DIGEST_SHA3_224:
        return 56;
    }
    return 0;
}

static int openssl_err(struct dk_err *err, enum dk_digest_algo algo)
{
    char reason[256];
    unsigned long e = ERR_get_error();

    if (e)
        ERR_error_string_n(e, reason, sizeof(reason));
    else
        snprintf(reason, sizeof(reason), "unknown OpenSSL error");
    ERR_clear_error();
    return dk_err_set(err, DK_E_FAIL, "cannot start %s digest: %s", dk_digest_algo_name(algo),
                      reason);
}

int dk_digest_init(struct dk_digest *d, enum dk_digest_algo algo, struct dk_err *err)
{
    const EVP_MD *md = algo_md(algo);
    EVP_MD_CTX *ctx;

    d->ctx = NULL;
    d->algo = algo;
    if (!md)
        return dk_err_set(err, DK_E_FAIL, "cannot start digest: unknown algorithm %d", (int)algo);
    ctx = EVP_MD_CTX_new();
    if (!ctx)
        return openssl_err(err, algo);
    if (EVP_DigestInit_ex(ctx, md, NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        return openssl_err(err, algo);
    }
    d->ctx = ctx;
    return 0;
}

void dk_digest_update(struct dk_digest *d, const void *data, size_t n)
{
    if (d->ctx && n)
        EVP_DigestUpdate(d->ctx, data, n);
}

void dk_digest_final_hex(struct dk_digest *d, char *hex)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    hex[0] = '\0';
    if (!d->ctx)
        return;
    if (EVP_DigestFinal_ex(d->ctx, md, &len) != 1)
        return;
    dk_hex(md, len, hex);
    /* Start over so that the struct can hash again without a new context. */
    EVP_DigestInit_ex(d->ctx, algo_md(d->algo), NULL);
}

void dk_digest_final_oci(struct dk_digest *d, char *out)
{
    const char *name = dk_digest_algo_name(d->algo);
    size_t l = strlen(name);

    if (!d->ctx) {
        out[0] = '\0';
        return;
    }
    memcpy(out, name, l);
    out[l] = ':';
    dk_digest_final_hex(d, out + l + 1);
}

void dk_digest_release(struct dk_digest *d)
{
    if (d->ctx)
        EVP_MD_CTX_free(d->ctx);
    d->ctx = NULL;
    d->algo = DK_DIGEST_SHA256;
}

/* One-shot digest of data into out, as hex or as "<algorithm>:<hex>". */
static void oneshot(enum dk_digest_algo algo, const void *data, size_t n, char *out, int oci)
{
    struct dk_digest d = DK_DIGEST_INIT;

    out[0] = '\0';
    if (dk_digest_init(&d, algo, NULL) < 0)
        return;
    dk_digest_update(&d, data, n);
    if (oci)
        dk_digest_final_oci(&d, out);
    else
        dk_digest_final_hex(&d, out);
    dk_digest_release(&d);
}

void dk_sha256_oci(const void *data, size_t n, char *out)
{
    oneshot(DK_DIGEST_SHA256, data, n, out, 1);
}

void dk_sha3_224_hex(const void *data, size_t n, char *out)
{
    oneshot(DK_DIGEST_SHA3_224, data, n, out, 0);
}

static int is_lower_hex(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return s[n] == '\0';
}

int dk_digest_parse(const char *s, enum dk_digest_algo *algo, struct dk_err *err)
{
    static const enum dk_digest_algo oci_algos[] = {DK_DIGEST_SHA256, DK_DIGEST_SHA512};
    enum dk_digest_algo want = DK_DIGEST_SHA256;
    size_t i;

    if (!s)
        return dk_err_set(err, DK_E_INPUT, "invalid digest: missing, expected sha256:<64 hex>");
    for (i = 0; i < sizeof(oci_algos) / sizeof(oci_algos[0]); i++) {
        const char *name = dk_digest_algo_name(oci_algos[i]);
        size_t l = strlen(name);

        if (strncmp(s, name, l) != 0 || s[l] != ':')
            continue;
        want = oci_algos[i];
        if (strlen(s + l + 1) == dk_digest_hex_len(want) &&
            is_lower_hex(s + l + 1, dk_digest_hex_len(want))) {
            if (algo)
                *algo = want;
            return 0;
        }
        break;
    }
    /* Quote at most 200 bytes: the string may be hostile input of any length. */
    return dk_err_set(err, DK_E_INPUT, "invalid digest '%.200s%s': expected %s:<%zu hex>", s,
                      strlen(s) > 200 ? "..." : "", dk_digest_algo_name(want),
                      dk_digest_hex_len(want));
}

int dk_digest_verifier_init(struct dk_digest *d, const char *expected_oci_digest,
                            struct dk_err *err)
{
    enum dk_digest_algo algo;

    d->ctx = NULL;
    d->algo = DK_DIGEST_SHA256;
    if (dk_digest_parse(expected_oci_digest, &algo, err) < 0)
        return -1;
    return dk_digest_init(d, algo, err);
}

int dk_digest_verify(struct dk_digest *d, const char *expected, struct dk_err *err)
{
    char got[DK_DIGEST_STR_MAX];

    dk_digest_final_oci(d, got);
    if (dk_digest_parse(expected, NULL, err) < 0)
        return -1;
    if (strcmp(got, expected) != 0)
        return dk_err_set(err, DK_E_INTEGRITY, "content digest %s does not match expected %s",
                          got[0] ? got : "(none)", expected);
    return 0;
}
