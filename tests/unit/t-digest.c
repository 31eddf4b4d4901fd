#include "dk/digest.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"

#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA256_ABC   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA3_EMPTY   "6b4e03423667dbb73b6e15454f0eb1abd4597f9a1b078e3f5b5a6bc7"
#define SHA3_ABC     "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf"
#define SHA512_ABC                                                                                 \
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"                             \
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"

static void test_vectors(void)
{
    char out[DK_DIGEST_STR_MAX], hex[DK_DIGEST_HEX_MAX];
    struct dk_digest d = DK_DIGEST_INIT;
    struct dk_err err = DK_ERR_INIT;

    dk_sha256_oci("", 0, out);
    is_str(out, "sha256:" SHA256_EMPTY, "digest: sha256 of the empty string");
    dk_sha256_oci("abc", 3, out);
    is_str(out, "sha256:" SHA256_ABC, "digest: sha256 of 'abc'");
    dk_sha3_224_hex("", 0, hex);
    is_str(hex, SHA3_EMPTY, "digest: sha3-224 of the empty string");
    dk_sha3_224_hex("abc", 3, hex);
    is_str(hex, SHA3_ABC, "digest: sha3-224 of 'abc'");
    is_int(strlen(hex), 56, "digest: sha3-224 hex is 56 characters");

    ok(dk_digest_init(&d, DK_DIGEST_SHA512, &err) == 0, "digest: sha512 init");
    dk_digest_update(&d, "abc", 3);
    dk_digest_final_hex(&d, hex);
    is_str(hex, SHA512_ABC, "digest: sha512 of 'abc'");
    dk_digest_update(&d, "abc", 3);
    dk_digest_final_oci(&d, out);
    is_str(out, "sha512:" SHA512_ABC, "digest: final starts over, oci form names sha512");
    dk_digest_release(&d);
    ok(d.ctx == NULL, "digest: release clears the context");
    dk_digest_release(&d);
    ok(1, "digest: release twice is safe");
}

static void test_streaming(void)
{
    struct dk_digest d = DK_DIGEST_INIT;
    struct dk_err err = DK_ERR_INIT;
    char one[DK_DIGEST_STR_MAX], streamed[DK_DIGEST_STR_MAX], hex[DK_DIGEST_HEX_MAX];
    size_t n = 100000, i, step;
    unsigned char *data = malloc(n);

    for (i = 0; i < n; i++)
        data[i] = (unsigned char)(i * 7 + i / 251);
    dk_sha256_oci(data, n, one);
    dk_digest_init(&d, DK_DIGEST_SHA256, &err);
    for (i = 0, step = 1; i < n; i += step, step = step * 3 % 4099 + 1)
        dk_digest_update(&d, data + i, i + step > n ? n - i : step);
    dk_digest_final_oci(&d, streamed);
    is_str(streamed, one, "digest: sha256 streamed in uneven pieces equals one-shot");
    dk_digest_release(&d);

    dk_sha3_224_hex(data, n, one);
    dk_digest_init(&d, DK_DIGEST_SHA3_224, &err);
    dk_digest_update(&d, data, 12345);
    dk_digest_update(&d, NULL, 0);
    dk_digest_update(&d, data + 12345, n - 12345);
    dk_digest_final_hex(&d, hex);
    is_str(hex, one, "digest: sha3-224 streamed in two pieces equals one-shot");
    dk_digest_release(&d);

    dk_digest_final_hex(&d, hex);
    is_str(hex, "", "digest: final on a released digest writes an empty string");
    free(data);
}

static void test_parse(void)
{
    struct dk_err err = DK_ERR_INIT;
    enum dk_digest_algo algo = DK_DIGEST_SHA3_224;

    ok(dk_digest_parse("sha256:" SHA256_ABC, &algo, &err) == 0 && algo == DK_DIGEST_SHA256,
       "digest: parse accepts sha256:<64 hex>");
    ok(dk_digest_parse("sha512:" SHA512_ABC, &algo, &err) == 0 && algo == DK_DIGEST_SHA512,
       "digest: parse accepts sha512:<128 hex>");
    ok(dk_digest_parse("sha256:" SHA256_ABC, NULL, NULL) == 0,
       "digest: parse works without algo and err");

    ok(dk_digest_parse("xyz", &algo, &err) == -1, "digest: parse refuses 'xyz'");
    is_int(err.code, DK_E_INPUT, "digest: a bad digest is an input error");
    is_str(err.msg, "invalid digest 'xyz': expected sha256:<64 hex>",
           "digest: the message names the digest and the expected form");
    ok(dk_digest_parse("sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
                       NULL, &err) == -1,
       "digest: parse refuses upper-case hex");
    ok(dk_digest_parse("sha256:" SHA256_ABC "0", NULL, &err) == -1, "digest: parse refuses 65 hex");
    ok(dk_digest_parse("sha256:abc", NULL, &err) == -1, "digest: parse refuses short hex");
    ok(dk_digest_parse("sha512:" SHA256_ABC, NULL, &err) == -1,
       "digest: parse refuses sha512 with 64 hex");
    is_str(err.msg, "invalid digest 'sha512:" SHA256_ABC "': expected sha512:<128 hex>",
           "digest: the message gives the sha512 form");
    ok(dk_digest_parse("sha3-224:" SHA3_ABC, NULL, &err) == -1,
       "digest: parse refuses sha3-224 (not an OCI digest)");
    ok(dk_digest_parse("sha256:" SHA256_ABC "\n", NULL, &err) == -1,
       "digest: parse refuses a trailing newline");
    ok(dk_digest_parse("", NULL, &err) == -1, "digest: parse refuses the empty string");
    ok(dk_digest_parse(NULL, NULL, &err) == -1, "digest: parse refuses NULL");
    ok(dk_digest_parse("sha256" SHA256_ABC, NULL, &err) == -1,
       "digest: parse refuses a missing colon");
}

static void test_verify(void)
{
    struct dk_digest d = DK_DIGEST_INIT;
    struct dk_err err = DK_ERR_INIT;

    ok(dk_digest_verifier_init(&d, "sha512:" SHA512_ABC, &err) == 0,
       "digest: verifier for sha512 starts");
    is_int(d.algo, DK_DIGEST_SHA512, "digest: verifier picks the algorithm from the prefix");
    dk_digest_update(&d, "ab", 2);
    dk_digest_update(&d, "c", 1);
    ok(dk_digest_verify(&d, "sha512:" SHA512_ABC, &err) == 0, "digest: verify accepts a match");
    dk_digest_release(&d);

    dk_digest_verifier_init(&d, "sha256:" SHA256_ABC, &err);
    dk_digest_update(&d, "abd", 3);
    dk_err_init(&err);
    ok(dk_digest_verify(&d, "sha256:" SHA256_ABC, &err) == -1, "digest: verify refuses 'abd'");
    is_int(err.code, DK_E_INTEGRITY, "digest: a mismatch is an integrity error");
    ok(strstr(err.msg, "content digest sha256:") == err.msg &&
           strstr(err.msg, " does not match expected sha256:" SHA256_ABC) != NULL,
       "digest: mismatch message names both digests");
    dk_digest_release(&d);

    dk_digest_verifier_init(&d, "sha256:" SHA256_EMPTY, &err);
    ok(dk_digest_verify(&d, "sha256:" SHA256_EMPTY, &err) == 0,
       "digest: verify of nothing against the empty digest");
    dk_digest_release(&d);

    dk_err_init(&err);
    ok(dk_digest_verifier_init(&d, "md5:abc", &err) == -1 && err.code == DK_E_INPUT,
       "digest: verifier refuses an invalid expected digest");
    ok(d.ctx == NULL, "digest: a refused verifier holds no context");
    dk_digest_release(&d);
}

int main(void)
{
    test_vectors();
    test_streaming();
    test_parse();
    test_verify();
    return tap_done();
}
