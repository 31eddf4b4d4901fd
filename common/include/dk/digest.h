/*
 * digest: streaming content digests (SHA-256, SHA-512, SHA3-224) and OCI digest strings.
 *
 * A struct dk_digest owns an OpenSSL digest context between dk_digest_init() and
 * dk_digest_release(). Update and final cannot fail once init succeeded. A final call hands
 * out the digest and starts the context over, empty, so the same struct can hash again;
 * release it when done. dk_digest_release() accepts a zeroed or already released struct.
 *
 * OCI digest strings are "<algorithm>:<lowercase hex>": "sha256:<64 hex>" or
 * "sha512:<128 hex>" (image-spec descriptor.md). SHA3-224 is dk's content digest for image
 * tags (56 hex); its string form, "sha3-224:<56 hex>", is not an OCI digest and
 * dk_digest_parse() refuses it. Output buffers are the caller's, sized with the macros below.
 */
#ifndef DK_DIGEST_H
#define DK_DIGEST_H

#include <stddef.h>

#include "dk/err.h"

enum dk_digest_algo {
    DK_DIGEST_SHA256,
    DK_DIGEST_SHA512,
    DK_DIGEST_SHA3_224,
};

/* Room for the longest hex digest (SHA-512: 128 hex) and its NUL. */
#define DK_DIGEST_HEX_MAX 129
/* Room for the longest "<algorithm>:<hex>" string and its NUL. */
#define DK_DIGEST_STR_MAX 136

struct dk_digest {
    void *ctx; /* EVP_MD_CTX *; NULL when not initialised */
    enum dk_digest_algo algo;
};

#define DK_DIGEST_INIT                                                                             \
    {                                                                                              \
        NULL, DK_DIGEST_SHA256                                                                     \
    }

/* Starts a digest with algo. d must be zeroed or released. Returns 0, or -1 with DK_E_FAIL
 * and OpenSSL's reason when the algorithm is not available. */
int dk_digest_init(struct dk_digest *d, enum dk_digest_algo algo, struct dk_err *err);
/* Hashes n more bytes of data (data may be NULL when n is 0). */
void dk_digest_update(struct dk_digest *d, const void *data, size_t n);
/* Writes the lowercase hex digest of everything hashed since init (or the last final) to hex
 * (DK_DIGEST_HEX_MAX bytes), NUL-terminated, then starts over. On a struct that was never
 * initialised writes "". */
void dk_digest_final_hex(struct dk_digest *d, char *hex);
/* As dk_digest_final_hex(), writing "<algorithm>:<hex>" ("sha256:...") to out
 * (DK_DIGEST_STR_MAX bytes). */
void dk_digest_final_oci(struct dk_digest *d, char *out);
/* Frees the context; d is then zeroed. Safe on a zeroed or released struct. */
void dk_digest_release(struct dk_digest *d);

/* The algorithm's name in digest strings: "sha256", "sha512", "sha3-224". */
const char *dk_digest_algo_name(enum dk_digest_algo algo);
/* The length of the algorithm's hex digest: 64, 128, 56. */
size_t dk_digest_hex_len(enum dk_digest_algo algo);

/* One-shot helpers. "sha256:<64 hex>" into out (DK_DIGEST_STR_MAX bytes). */
void dk_sha256_oci(const void *data, size_t n, char *out);
/* 56 hex of SHA3-224 into out (DK_DIGEST_HEX_MAX bytes). */
void dk_sha3_224_hex(const void *data, size_t n, char *out);

/* Checks that s is an OCI digest "sha256:<64 lowercase hex>" or "sha512:<128 lowercase hex>"
 * and stores its algorithm in *algo (algo may be NULL). Returns 0, or -1 with DK_E_INPUT
 * ("invalid digest 'xyz': expected sha256:<64 hex>"). err may be NULL to just test. */
int dk_digest_parse(const char *s, enum dk_digest_algo *algo, struct dk_err *err);

/* Starts a digest with the algorithm named by expected_oci_digest, to check content against
 * it with dk_digest_verify(). d must be zeroed or released. Returns 0, or -1 with DK_E_INPUT
 * when the digest string is invalid. */
int dk_digest_verifier_init(struct dk_digest *d, const char *expected_oci_digest,
                            struct dk_err *err);
/* Finalises d and compares with expected. Returns 0 when equal, or -1 with DK_E_INTEGRITY
 * ("content digest sha256:... does not match expected sha256:...") or DK_E_INPUT when
 * expected is not a valid digest. The digest starts over either way. */
int dk_digest_verify(struct dk_digest *d, const char *expected, struct dk_err *err);

#endif
