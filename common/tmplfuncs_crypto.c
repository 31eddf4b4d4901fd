/*
 * sprig's crypto functions over OpenSSL: digests, bcrypt/htpasswd, derivePassword, AES,
 * private keys and X.509 certificates in the formats sprig writes (PKCS#1 "RSA PRIVATE KEY",
 * SEC1 "EC PRIVATE KEY", "DSA PRIVATE KEY", PKCS#8 "PRIVATE KEY" for Ed25519; certificates
 * as Go's x509.CreateCertificate makes them from sprig's template).
 *
 * bcrypt is implemented here (OpenSSL has no bcrypt): Blowfish's initial state is the
 * fractional part of pi, computed once with OpenSSL's big numbers.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "dk/base64.h"
#include "dk/tmplfuncs.h"

#include "dk/sha.h"
#include "tmplfuncs_int.h"

#define buf_val  dk_tmplfuncs_buf_val
#define want_int dk_tmplfuncs_want_int

/* ---- digests ---- */

/* sha1sum, sha512sum: lower-case hex. */
FN(f_shasum)
{
    const char *name = ((const struct fdef *)c->ud)->name;
    unsigned char md[64];
    unsigned int len = !strcmp(name, "sha1sum") ? 20 : 64;
    char hex[2 * 64 + 1];

    ARITY();
    STRARGS(0);
    (void)err;
    /* plain C, not OpenSSL: see dk/sha.h */
    if (len == 20)
        dk_sha1(S(0), L(0), md);
    else
        dk_sha512(S(0), L(0), md);
    dk_hex(md, len, hex);
    hex[2 * len] = '\0';
    *out = dk_val_str(hex);
    return 0;
}

/* ---- bcrypt ---- */

struct bf {
    uint32_t p[18];
    uint32_t s[4][256];
};

static struct bf bf_init;
static int bf_ready;

/* Blowfish's initial P-array and S-boxes: the first 8336 hex digits of pi's fraction. */
static int bf_make_init(void)
{
    const int bits = 1042 * 32 + 64; /* what is needed, and guard bits */
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *pi = BN_new(), *t = BN_new(), *pw = BN_new(), *three = BN_new();
    int ok = ctx && pi && t && pw && three, k, i;
    static const struct {
        BN_ULONG x, mul;
        int sign;
    } terms[] = {{5, 16, 1}, {239, 4, -1}}; /* pi = 16 atan(1/5) - 4 atan(1/239) */

    BN_zero(pi);
    for (k = 0; ok && k < 2; k++) {
        BN_ULONG x = terms[k].x, n;
        BIGNUM *sum = BN_new();

        ok = sum != NULL;
        /* pw = 2^bits / x; atan(1/x) = sum (-1)^n / ((2n+1) x^(2n+1)) */
        ok = ok && BN_one(pw) && BN_lshift(pw, pw, bits) && BN_div_word(pw, x) != (BN_ULONG)-1;
        BN_zero(sum);
        for (n = 0; ok && !BN_is_zero(pw); n++) {
            ok = BN_copy(t, pw) && BN_div_word(t, 2 * n + 1) != (BN_ULONG)-1;
            ok = ok && (n % 2 ? BN_sub(sum, sum, t) : BN_add(sum, sum, t));
            ok = ok && BN_div_word(pw, x * x) != (BN_ULONG)-1;
        }
        ok = ok && BN_mul_word(sum, terms[k].mul);
        ok = ok && (terms[k].sign > 0 ? BN_add(pi, pi, sum) : BN_sub(pi, pi, sum));
        BN_free(sum);
    }
    /* drop the integer part 3 and the guard bits */
    ok = ok && BN_set_word(three, 3) && BN_lshift(three, three, bits) && BN_sub(pi, pi, three) &&
         BN_rshift(pi, pi, 64);
    for (i = 0; ok && i < 1042; i++) {
        int shift = (1041 - i) * 32;
        uint32_t w;

        ok = BN_rshift(t, pi, shift) && BN_mask_bits(t, 32);
        w = ok ? (uint32_t)BN_get_word(t) : 0;
        if (i < 18)
            bf_init.p[i] = w;
        else
            bf_init.s[(i - 18) / 256][(i - 18) % 256] = w;
    }
    BN_free(pi);
    BN_free(t);
    BN_free(pw);
    BN_free(three);
    BN_CTX_free(ctx);
    /* known values of pi's digits guard against a miscomputation */
    if (!ok || bf_init.p[0] != 0x243f6a88 || bf_init.p[1] != 0x85a308d3 ||
        bf_init.s[0][0] != 0xd1310ba6 || bf_init.s[3][255] != 0x3ac372e6)
        return -1;
    bf_ready = 1;
    return 0;
}

#define BF_F(st, x)                                                                                \
    ((((st)->s[0][(x) >> 24] + (st)->s[1][((x) >> 16) & 0xff]) ^ (st)->s[2][((x) >> 8) & 0xff]) +  \
     (st)->s[3][(x)&0xff])

static void bf_encrypt(const struct bf *st, uint32_t *xl, uint32_t *xr)
{
    uint32_t l = *xl, r = *xr, tmp;
    int i;

    for (i = 0; i < 16; i++) {
        l ^= st->p[i];
        r ^= BF_F(st, l);
        tmp = l, l = r, r = tmp;
    }
    tmp = l, l = r, r = tmp;
    r ^= st->p[16];
    l ^= st->p[17];
    *xl = l;
    *xr = r;
}

/* The next 32-bit big-endian word of the cyclic byte stream data[0..len). */
static uint32_t stream_word(const unsigned char *data, size_t len, size_t *pos)
{
    uint32_t w = 0;
    int i;

    for (i = 0; i < 4; i++) {
        w = (w << 8) | data[*pos];
        *pos = (*pos + 1) % len;
    }
    return w;
}

/* Blowfish key expansion with an optional 16-byte salt (eksblowfish's ExpandKey). */
static void bf_expand(struct bf *st, const unsigned char *key, size_t klen,
                      const unsigned char *salt)
{
    size_t kp = 0, sp = 0;
    uint32_t l = 0, r = 0;
    int i, j;

    for (i = 0; i < 18; i++)
        st->p[i] ^= stream_word(key, klen, &kp);
    for (i = 0; i < 18; i += 2) {
        if (salt) {
            l ^= stream_word(salt, 16, &sp);
            r ^= stream_word(salt, 16, &sp);
        }
        bf_encrypt(st, &l, &r);
        st->p[i] = l, st->p[i + 1] = r;
    }
    for (i = 0; i < 4; i++)
        for (j = 0; j < 256; j += 2) {
            if (salt) {
                l ^= stream_word(salt, 16, &sp);
                r ^= stream_word(salt, 16, &sp);
            }
            bf_encrypt(st, &l, &r);
            st->s[i][j] = l, st->s[i][j + 1] = r;
        }
}

static const char bcrypt_b64[] = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

static void bcrypt_encode(const unsigned char *p, size_t n, char *out)
{
    size_t i;
    int k = 0;

    for (i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;

        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        out[k++] = bcrypt_b64[(v >> 18) & 63];
        out[k++] = bcrypt_b64[(v >> 12) & 63];
        if (i + 1 < n)
            out[k++] = bcrypt_b64[(v >> 6) & 63];
        if (i + 2 < n)
            out[k++] = bcrypt_b64[v & 63];
    }
    out[k] = '\0';
}

int dk_tmplfuncs_bcrypt(const char *pw, size_t len, const unsigned char salt[16], int cost,
                        char out[61], struct dk_err *err)
{
    unsigned char key[73], ctext[24] = "OrpheanBeholderScryDoubt";
    uint32_t words[6];
    struct bf *st;
    uint64_t rounds, r;
    int i, j;
    char enc[40];

    if (len > 72)
        return dk_err_set(err, DK_E_FAIL, "bcrypt: password length exceeds 72 bytes");
    if (cost < 4 || cost > 31)
        return dk_err_set(err, DK_E_FAIL, "bcrypt: cost %d is outside allowed range (4,31)", cost);
    if (!bf_ready && bf_make_init() < 0)
        return dk_err_set(err, DK_E_FAIL, "bcrypt: cannot compute Blowfish's initial state");
    memcpy(key, pw, len);
    key[len] = '\0'; /* the key includes C's terminating NUL, as every bcrypt does */
    st = dk_xmalloc(sizeof(*st));
    *st = bf_init;
    bf_expand(st, key, len + 1, salt);
    rounds = (uint64_t)1 << cost;
    for (r = 0; r < rounds; r++) {
        bf_expand(st, key, len + 1, NULL);
        bf_expand(st, salt, 16, NULL);
    }
    for (i = 0; i < 6; i++)
        words[i] = (uint32_t)ctext[4 * i] << 24 | (uint32_t)ctext[4 * i + 1] << 16 |
                   (uint32_t)ctext[4 * i + 2] << 8 | ctext[4 * i + 3];
    for (j = 0; j < 64; j++)
        for (i = 0; i < 6; i += 2)
            bf_encrypt(st, &words[i], &words[i + 1]);
    for (i = 0; i < 6; i++) {
        ctext[4 * i] = (unsigned char)(words[i] >> 24);
        ctext[4 * i + 1] = (unsigned char)(words[i] >> 16);
        ctext[4 * i + 2] = (unsigned char)(words[i] >> 8);
        ctext[4 * i + 3] = (unsigned char)words[i];
    }
    OPENSSL_cleanse(st, sizeof(*st));
    OPENSSL_cleanse(key, sizeof(key));
    free(st);
    snprintf(out, 61, "$2a$%02d$", cost);
    bcrypt_encode(salt, 16, enc);
    strcat(out, enc);
    bcrypt_encode(ctext, 23, enc);
    strcat(out, enc);
    return 0;
}

/* bcrypt with sprig's cost (10) and a random salt; on failure sprig's message as text. */
static void bcrypt_text(const char *pw, size_t len, struct dk_buf *b)
{
    struct dk_err e = DK_ERR_INIT;
    unsigned char salt[16];
    char h[61];

    if (dk_tmplfuncs_random(salt, sizeof(salt), &e) < 0 ||
        dk_tmplfuncs_bcrypt(pw, len, salt, 10, h, &e) < 0) {
        dk_buf_addf(b, "failed to encrypt string with bcrypt: %s", e.msg);
        return;
    }
    dk_buf_add(b, h);
}

FN(f_bcrypt)
{
    struct dk_buf b = DK_BUF_INIT;

    ARITY();
    STRARGS(0);
    bcrypt_text(S(0), L(0), &b);
    *out = buf_val(&b);
    return 0;
}

/* htpasswd USER PASSWORD: "USER:BCRYPT" */
FN(f_htpasswd)
{
    struct dk_buf b = DK_BUF_INIT;

    ARITY();
    STRARGS(0, 1);
    if (memchr(S(0), ':', L(0))) {
        dk_buf_add(&b, "invalid username: ");
        dk_buf_addn(&b, S(0), L(0));
    } else {
        dk_buf_addn(&b, S(0), L(0));
        dk_buf_addch(&b, ':');
        bcrypt_text(S(1), L(1), &b);
    }
    *out = buf_val(&b);
    return 0;
}

/* ---- derivePassword (the Master Password algorithm) ---- */

static const struct {
    const char *name;
    const char *const tmpl[21];
} pw_templates[] = {
    {"maximum", {"anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"}},
    {"long",
     {"CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv",
      "CvccCvcvCvcvno", "CvcvnoCvccCvcv", "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc",
      "CvcvCvcvnoCvcc", "CvcvCvcvCvccno", "CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno",
      "CvcvnoCvccCvcc", "CvcvCvccnoCvcc", "CvcvCvccCvccno", "CvccnoCvcvCvcc", "CvccCvcvnoCvcc",
      "CvccCvcvCvccno"}},
    {"medium", {"CvcnoCvc", "CvcCvcno"}},
    {"short", {"Cvcn"}},
    {"basic", {"aaanaaan", "aannaaan", "aaannaaa"}},
    {"pin", {"nnnn"}},
};

static const char *pw_chars(char cls)
{
    switch (cls) {
    case 'V':
        return "AEIOU";
    case 'C':
        return "BCDFGHJKLMNPQRSTVWXYZ";
    case 'v':
        return "aeiou";
    case 'c':
        return "bcdfghjklmnpqrstvwxyz";
    case 'A':
        return "AEIOUBCDFGHJKLMNPQRSTVWXYZ";
    case 'a':
        return "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
    case 'n':
        return "0123456789";
    case 'o':
        return "@&%?,=[]_:-+*$#!'^~;()/.";
    default:
        return "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()";
    }
}

static void put_be32(struct dk_buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};

    dk_buf_addn(b, x, 4);
}

/* derivePassword COUNTER TYPE PASSWORD USER SITE */
FN(f_derivePassword)
{
    static const char seed[] = "com.lyndir.masterpassword";
    struct dk_buf salt = DK_BUF_INIT, msg = DK_BUF_INIT, res = DK_BUF_INIT;
    unsigned char key[64], mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    size_t t, ntmpl, i;
    int64_t counter;
    const char *tmpl;

    ARITY();
    if (want_int(args[0], &counter, err) < 0)
        return -1;
    STRARGS(1, 2, 3, 4);
    if (counter < 0 || counter > 0xffffffffLL)
        return dk_err_set(err, DK_E_FAIL, "value %lld overflows uint32", (long long)counter);
    for (t = 0; t < sizeof(pw_templates) / sizeof(pw_templates[0]); t++)
        if (!strcmp(pw_templates[t].name, S(1)))
            break;
    if (t == sizeof(pw_templates) / sizeof(pw_templates[0])) {
        dk_buf_add(&res, "cannot find password template ");
        dk_buf_addn(&res, S(1), L(1));
        *out = buf_val(&res);
        return 0;
    }
    dk_buf_add(&salt, seed);
    put_be32(&salt, (uint32_t)L(3));
    dk_buf_addn(&salt, S(3), L(3));
    if (!EVP_PBE_scrypt(S(2), L(2), (const unsigned char *)salt.buf, salt.len, 32768, 8, 2,
                        64ULL << 20, key, sizeof(key))) {
        dk_buf_release(&salt);
        dk_buf_add(&res, "failed to derive password: scrypt failed");
        *out = buf_val(&res);
        return 0;
    }
    dk_buf_add(&msg, seed);
    put_be32(&msg, (uint32_t)L(4));
    dk_buf_addn(&msg, S(4), L(4));
    put_be32(&msg, (uint32_t)counter);
    HMAC(EVP_sha256(), key, sizeof(key), (const unsigned char *)msg.buf, msg.len, mac, &maclen);
    for (ntmpl = 0; ntmpl < 21 && pw_templates[t].tmpl[ntmpl]; ntmpl++)
        ;
    tmpl = pw_templates[t].tmpl[mac[0] % ntmpl];
    for (i = 0; tmpl[i]; i++) {
        const char *chars = pw_chars(tmpl[i]);

        dk_buf_addch(&res, chars[mac[i + 1] % strlen(chars)]);
    }
    OPENSSL_cleanse(key, sizeof(key));
    dk_buf_release(&salt);
    dk_buf_release(&msg);
    *out = buf_val(&res);
    return 0;
}

/* ---- AES ---- */

static void aes_key(const char *pw, size_t len, unsigned char key[32])
{
    memset(key, 0, 32);
    memcpy(key, pw, len < 32 ? len : 32);
}

/* encryptAES PASSWORD TEXT: base64(IV + AES-256-CBC(TEXT, PKCS#7 padding)). */
FN(f_encryptAES)
{
    unsigned char key[32], *buf;
    size_t padded, i;
    int outl = 0;
    EVP_CIPHER_CTX *ctx;
    char *s;

    ARITY();
    STRARGS(0, 1);
    if (L(1) == 0) {
        *out = dk_val_str("");
        return 0;
    }
    aes_key(S(0), L(0), key);
    padded = (L(1) / 16 + 1) * 16;
    buf = dk_xmalloc(16 + padded);
    memcpy(buf + 16, S(1), L(1));
    for (i = L(1); i < padded; i++)
        buf[16 + i] = (unsigned char)(padded - L(1));
    if (dk_tmplfuncs_random(buf, 16, err) < 0) {
        free(buf);
        return -1;
    }
    ctx = EVP_CIPHER_CTX_new();
    if (!ctx || !EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, buf) ||
        !EVP_CIPHER_CTX_set_padding(ctx, 0) ||
        !EVP_EncryptUpdate(ctx, buf + 16, &outl, buf + 16, (int)padded)) {
        EVP_CIPHER_CTX_free(ctx);
        free(buf);
        return dk_err_set(err, DK_E_FAIL, "crypto/aes: encryption failed");
    }
    EVP_CIPHER_CTX_free(ctx);
    s = dk_base64_encode(buf, 16 + padded);
    free(buf);
    *out = dk_val_str_owned(s, strlen(s));
    return 0;
}

/* decryptAES PASSWORD BASE64 */
FN(f_decryptAES)
{
    struct dk_buf in = DK_BUF_INIT;
    unsigned char key[32], *plain;
    size_t clen, pad;
    int outl = 0;
    EVP_CIPHER_CTX *ctx;
    char *b64;

    ARITY();
    STRARGS(0, 1);
    if (L(1) == 0) {
        *out = dk_val_str("");
        return 0;
    }
    b64 = dk_xstrndup(S(1), L(1));
    if (dk_base64_decode(b64, &in) < 0) {
        free(b64);
        dk_buf_release(&in);
        return dk_err_set(err, DK_E_FAIL, "illegal base64 data at input byte 0");
    }
    free(b64);
    if (in.len < 16) {
        dk_buf_release(&in);
        return dk_err_set(err, DK_E_FAIL,
                          "runtime error: slice bounds out of range [:16] with "
                          "capacity %zu",
                          in.len);
    }
    clen = in.len - 16;
    if (clen % 16 != 0) {
        dk_buf_release(&in);
        return dk_err_set(err, DK_E_FAIL, "crypto/cipher: input not full blocks");
    }
    aes_key(S(0), L(0), key);
    plain = dk_xmalloc(clen + 1);
    ctx = EVP_CIPHER_CTX_new();
    if (!ctx || !EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, (unsigned char *)in.buf) ||
        !EVP_CIPHER_CTX_set_padding(ctx, 0) ||
        !EVP_DecryptUpdate(ctx, plain, &outl, (unsigned char *)in.buf + 16, (int)clen)) {
        EVP_CIPHER_CTX_free(ctx);
        free(plain);
        dk_buf_release(&in);
        return dk_err_set(err, DK_E_FAIL, "crypto/aes: decryption failed");
    }
    EVP_CIPHER_CTX_free(ctx);
    dk_buf_release(&in);
    pad = clen ? plain[clen - 1] : 0;
    if (clen == 0 || pad > clen) {
        free(plain);
        return dk_err_set(err, DK_E_FAIL, "runtime error: slice bounds out of range");
    }
    *out = dk_val_strn((const char *)plain, clen - pad);
    free(plain);
    return 0;
}

/* ---- keys ---- */

static int ossl_fail(struct dk_err *err, const char *what)
{
    char msg[256];
    unsigned long e = ERR_get_error();

    ERR_clear_error();
    if (!e)
        return dk_err_set(err, DK_E_FAIL, "%s", what);
    ERR_error_string_n(e, msg, sizeof(msg));
    return dk_err_set(err, DK_E_FAIL, "%s: %s", what, msg);
}

/* The key in sprig's PEM form, appended to b. */
static int key_pem(EVP_PKEY *k, struct dk_buf *b, struct dk_err *err)
{
    BIO *bio = BIO_new(BIO_s_mem());
    int ok;
    char *data;
    long len;

    if (!bio)
        return ossl_fail(err, "error pem-encoding key");
    if (EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519) {
        ok = PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL);
    } else {
        OSSL_ENCODER_CTX *ec =
            OSSL_ENCODER_CTX_new_for_pkey(k, OSSL_KEYMGMT_SELECT_ALL, "PEM", "type-specific", NULL);

        ok = ec && OSSL_ENCODER_CTX_get_num_encoders(ec) > 0 && OSSL_ENCODER_to_bio(ec, bio);
        OSSL_ENCODER_CTX_free(ec);
    }
    if (!ok) {
        BIO_free(bio);
        return ossl_fail(err, "error pem-encoding key");
    }
    len = BIO_get_mem_data(bio, &data);
    dk_buf_addn(b, data, (size_t)len);
    BIO_free(bio);
    return 0;
}

static EVP_PKEY *gen_rsa(int bits)
{
    EVP_PKEY *k = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);

    if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) <= 0 || EVP_PKEY_keygen(ctx, &k) <= 0)
        k = NULL;
    EVP_PKEY_CTX_free(ctx);
    return k;
}

static EVP_PKEY *gen_key(const char *type)
{
    EVP_PKEY *k = NULL, *params = NULL;
    EVP_PKEY_CTX *ctx = NULL, *kctx = NULL;

    if (!*type || !strcmp(type, "rsa"))
        return gen_rsa(4096);
    if (!strcmp(type, "ecdsa"))
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!strcmp(type, "ed25519"))
        return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    /* dsa: L=2048, N=256 */
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "DSA", NULL);
    if (ctx && EVP_PKEY_paramgen_init(ctx) > 0 &&
        EVP_PKEY_CTX_set_dsa_paramgen_bits(ctx, 2048) > 0 &&
        EVP_PKEY_CTX_set_dsa_paramgen_q_bits(ctx, 256) > 0 && EVP_PKEY_paramgen(ctx, &params) > 0) {
        kctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
        if (!kctx || EVP_PKEY_keygen_init(kctx) <= 0 || EVP_PKEY_keygen(kctx, &k) <= 0)
            k = NULL;
    }
    EVP_PKEY_free(params);
    EVP_PKEY_CTX_free(kctx);
    EVP_PKEY_CTX_free(ctx);
    return k;
}

/* genPrivateKey TYPE: rsa (4096 bits, also ""), dsa, ecdsa (P-256), ed25519. */
FN(f_genPrivateKey)
{
    struct dk_buf b = DK_BUF_INIT;
    struct dk_err e = DK_ERR_INIT;
    EVP_PKEY *k;

    ARITY();
    STRARGS(0);
    if (L(0) && strcmp(S(0), "rsa") && strcmp(S(0), "dsa") && strcmp(S(0), "ecdsa") &&
        strcmp(S(0), "ed25519")) {
        dk_buf_add(&b, "Unknown type ");
        dk_buf_addn(&b, S(0), L(0));
        *out = buf_val(&b);
        return 0;
    }
    k = gen_key(S(0));
    if (!k) {
        ossl_fail(&e, "failed to generate private key");
        dk_buf_add(&b, e.msg);
    } else if (key_pem(k, &b, &e) < 0) {
        dk_buf_reset(&b);
    }
    EVP_PKEY_free(k);
    *out = buf_val(&b);
    return 0;
}

/* The first PEM block of s: its type and the offset of its BEGIN line; -1 when none. */
static int pem_type(const char *s, char *type, size_t tlen, const char **begin)
{
    const char *p = strstr(s, "-----BEGIN ");
    const char *e;

    if (!p)
        return -1;
    e = strstr(p + 11, "-----");
    if (!e || (size_t)(e - p - 11) >= tlen)
        return -1;
    memcpy(type, p + 11, (size_t)(e - p - 11));
    type[e - p - 11] = '\0';
    *begin = p;
    return 0;
}

/* sprig's parsePrivateKeyPEM: the key, or NULL with sprig's message in err. */
static EVP_PKEY *parse_key(const char *pem, struct dk_err *err)
{
    char type[64];
    const char *begin;
    EVP_PKEY *k;
    BIO *bio;

    if (pem_type(pem, type, sizeof(type), &begin) < 0) {
        dk_err_set(err, DK_E_FAIL, "no PEM data in input");
        return NULL;
    }
    if (strcmp(type, "PRIVATE KEY") != 0 && !dk_str_endswith(type, " PRIVATE KEY")) {
        dk_err_set(err, DK_E_FAIL, "no private key data in PEM block of type %s", type);
        return NULL;
    }
    if (strcmp(type, "PRIVATE KEY") && strcmp(type, "RSA PRIVATE KEY") &&
        strcmp(type, "EC PRIVATE KEY") && strcmp(type, "DSA PRIVATE KEY")) {
        dk_err_set(err, DK_E_FAIL, "invalid private key type %s", type);
        return NULL;
    }
    bio = BIO_new_mem_buf(begin, -1);
    k = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (!k) {
        const char *what = !strcmp(type, "PRIVATE KEY")       ? "decoding PEM as PKCS#8"
                           : !strcmp(type, "RSA PRIVATE KEY") ? "parsing RSA private key from PEM"
                           : !strcmp(type, "EC PRIVATE KEY")  ? "parsing EC private key from PEM"
                                                              : "parsing DSA private key from PEM";

        ossl_fail(err, what);
    }
    return k;
}

static X509 *parse_cert(const char *pem, const char *what, struct dk_err *err)
{
    char type[64];
    const char *begin;
    X509 *x;
    BIO *bio;

    if (pem_type(pem, type, sizeof(type), &begin) < 0) {
        dk_err_set(err, DK_E_FAIL, "unable to decode certificate");
        return NULL;
    }
    bio = BIO_new_mem_buf(begin, -1);
    x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (!x) {
        char m[128];

        snprintf(m, sizeof(m), "error parsing certificate: %s", what);
        ossl_fail(err, m);
    }
    return x;
}

/* ---- certificates ---- */

static void cert_string(const struct dk_val *v, struct dk_buf *out)
{
    struct dk_val *c = dk_val_map_get(v, "Cert"), *k = dk_val_map_get(v, "Key");

    dk_buf_addch(out, '{');
    if (c && c->kind == DK_VAL_STR)
        dk_buf_addn(out, c->u.str.s, c->u.str.len);
    dk_buf_addch(out, ' ');
    if (k && k->kind == DK_VAL_STR)
        dk_buf_addn(out, k->u.str.s, k->u.str.len);
    dk_buf_addch(out, '}');
}

static const struct dk_val_methods cert_methods = {"sprig.certificate", NULL, 0, cert_string};

static struct dk_val *cert_val(struct dk_buf *cert, struct dk_buf *key)
{
    struct dk_val *m = dk_val_map();

    dk_val_map_set(m, "Cert", buf_val(cert));
    dk_val_map_set(m, "Key", buf_val(key));
    m->methods = &cert_methods;
    return m;
}

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    int ok = e && X509_add_ext(x, e, -1);

    X509_EXTENSION_free(e);
    return ok ? 0 : -1;
}

/* The SAN extension of sprig's template: DNS names, then IP addresses. */
static int add_sans(X509 *x, struct dk_val *ips, struct dk_val *dns, struct dk_err *err)
{
    GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();
    size_t i;
    int ok = 1;

    for (i = 0; ok && dns && i < dns->u.list.n; i++) {
        struct dk_val *d = dns->u.list.v[i];
        GENERAL_NAME *gn;
        ASN1_IA5STRING *s;

        if (d->kind != DK_VAL_STR) {
            struct dk_buf b = DK_BUF_INIT;

            dk_val_format(d, &b);
            dk_err_set(err, DK_E_FAIL, "error processing alternate dns name: %s is not a string",
                       b.buf ? b.buf : "");
            dk_buf_release(&b);
            ok = 0;
            break;
        }
        gn = GENERAL_NAME_new();
        s = ASN1_IA5STRING_new();
        ASN1_STRING_set(s, d->u.str.s, (int)d->u.str.len);
        GENERAL_NAME_set0_value(gn, GEN_DNS, s);
        sk_GENERAL_NAME_push(names, gn);
    }
    for (i = 0; ok && ips && i < ips->u.list.n; i++) {
        struct dk_val *d = ips->u.list.v[i];
        ASN1_OCTET_STRING *ip;
        GENERAL_NAME *gn;

        if (d->kind != DK_VAL_STR) {
            struct dk_buf b = DK_BUF_INIT;

            dk_val_format(d, &b);
            dk_err_set(err, DK_E_FAIL, "error parsing ip: %s is not a string", b.buf ? b.buf : "");
            dk_buf_release(&b);
            ok = 0;
            break;
        }
        ip = a2i_IPADDRESS(d->u.str.s);
        if (!ip) {
            ERR_clear_error();
            dk_err_set(err, DK_E_FAIL, "error parsing ip: %s", d->u.str.s);
            ok = 0;
            break;
        }
        gn = GENERAL_NAME_new();
        GENERAL_NAME_set0_value(gn, GEN_IPADD, ip);
        sk_GENERAL_NAME_push(names, gn);
    }
    if (ok && sk_GENERAL_NAME_num(names) > 0 &&
        !X509_add1_ext_i2d(x, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT))
        ok = ossl_fail(err, "error creating certificate") == 0;
    sk_GENERAL_NAME_pop_free(names, GENERAL_NAME_free);
    return ok ? 0 : -1;
}

/*
 * sprig's getBaseCertTemplate + x509.CreateCertificate: a certificate for key with common name
 * cn, SANs, validity now to now+days, signed by signer (issuer cert, NULL for self-signed).
 */
static int make_cert(const char *cn, struct dk_val *ips, struct dk_val *dns, int64_t days,
                     int is_ca, EVP_PKEY *key, X509 *issuer, EVP_PKEY *signer, struct dk_buf *out,
                     struct dk_err *err)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    BIGNUM *serial = BN_new();
    X509V3_CTX ctx;
    BIO *bio = NULL;
    int ok, st = -1;
    const EVP_MD *md = NULL;
    int sid = EVP_PKEY_get_base_id(signer), kid = EVP_PKEY_get_base_id(key);

    if (sid == EVP_PKEY_DSA || kid == EVP_PKEY_DSA) {
        dk_err_set(err, DK_E_FAIL, "error creating certificate: x509: %s",
                   sid == EVP_PKEY_DSA ? "certificate private key does not implement crypto.Signer"
                                       : "unsupported public key type: *dsa.PublicKey");
        goto out;
    }
    if (sid == EVP_PKEY_RSA)
        md = EVP_sha256();
    else if (sid == EVP_PKEY_EC)
        md = EVP_PKEY_get_bits(signer) > 384   ? EVP_sha512()
             : EVP_PKEY_get_bits(signer) > 256 ? EVP_sha384()
                                               : EVP_sha256();
    ok = x && name && serial && X509_set_version(x, 2) &&
         BN_rand(serial, 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
         BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
                                    0) &&
         X509_set_subject_name(x, name) &&
         X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) &&
         X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
         X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL) && X509_set_pubkey(x, key);
    if (!ok) {
        ossl_fail(err, "error creating certificate");
        goto out;
    }
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    if (add_ext(x, &ctx, NID_key_usage,
                is_ca ? "critical,digitalSignature,keyEncipherment,keyCertSign"
                      : "critical,digitalSignature,keyEncipherment") < 0 ||
        add_ext(x, &ctx, NID_ext_key_usage, "serverAuth,clientAuth") < 0 ||
        add_ext(x, &ctx, NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE") <
            0 ||
        (is_ca && add_ext(x, &ctx, NID_subject_key_identifier, "hash") < 0)) {
        ossl_fail(err, "error creating certificate");
        goto out;
    }
    if (issuer && X509_get_ext_by_NID(issuer, NID_subject_key_identifier, -1) >= 0 &&
        add_ext(x, &ctx, NID_authority_key_identifier, "keyid") < 0) {
        ossl_fail(err, "error creating certificate");
        goto out;
    }
    if (add_sans(x, ips, dns, err) < 0)
        goto out;
    if (!X509_sign(x, signer, md)) {
        ossl_fail(err, "error creating certificate");
        goto out;
    }
    bio = BIO_new(BIO_s_mem());
    if (!bio || !PEM_write_bio_X509(bio, x)) {
        ossl_fail(err, "error pem-encoding certificate");
        goto out;
    }
    {
        char *data;
        long len = BIO_get_mem_data(bio, &data);

        dk_buf_addn(out, data, (size_t)len);
    }
    st = 0;
out:
    BIO_free(bio);
    BN_free(serial);
    X509_NAME_free(name);
    X509_free(x);
    return st;
}

/* A parameter Go types as []interface{} (nil allowed). */
static int want_list_or_nil(struct dk_val *v, struct dk_err *err)
{
    if (v->kind == DK_VAL_LIST || v->kind == DK_VAL_NIL)
        return 0;
    return dk_err_set(err, DK_E_FAIL, "wrong type for value; expected []interface {}; got %s",
                      dk_val_type_name(v));
}

/* The Cert and Key strings of a certificate argument. */
static int want_cert(struct dk_val *v, const char **cert, const char **key, struct dk_err *err)
{
    struct dk_val *c, *k;

    if (v->kind != DK_VAL_MAP || !(c = dk_val_map_get(v, "Cert")) ||
        !(k = dk_val_map_get(v, "Key")) || c->kind != DK_VAL_STR || k->kind != DK_VAL_STR)
        return dk_err_set(err, DK_E_FAIL,
                          "wrong type for value; expected sprig.certificate; got %s",
                          dk_val_type_name(v));
    *cert = c->u.str.s;
    *key = k->u.str.s;
    return 0;
}

/*
 * genCA CN DAYS, genCAWithKey CN DAYS KEY, genSelfSignedCert CN IPS DNS DAYS,
 * genSelfSignedCertWithKey CN IPS DNS DAYS KEY, genSignedCert CN IPS DNS DAYS CA,
 * genSignedCertWithKey CN IPS DNS DAYS CA KEY.
 */
FN(f_gencert)
{
    const char *name = ((const struct fdef *)c->ud)->name;
    int is_ca = !strncmp(name, "genCA", 5), signed_ = !strncmp(name, "genSigned", 9);
    int with_key = dk_str_endswith(name, "WithKey");
    struct dk_val *ips = NULL, *dns = NULL;
    struct dk_buf cert = DK_BUF_INIT, kb = DK_BUF_INIT;
    const char *ca_cert = NULL, *ca_key = NULL;
    EVP_PKEY *key = NULL, *signer = NULL;
    X509 *issuer = NULL;
    int64_t days;
    size_t di = is_ca ? 1 : 3;

    ARITY();
    STRARGS(0);
    if (!is_ca) {
        if (want_list_or_nil(args[1], err) < 0 || want_list_or_nil(args[2], err) < 0)
            return -1;
        ips = args[1]->kind == DK_VAL_LIST ? args[1] : NULL;
        dns = args[2]->kind == DK_VAL_LIST ? args[2] : NULL;
    }
    if (want_int(args[di], &days, err) < 0)
        return -1;
    if (signed_ && want_cert(args[4], &ca_cert, &ca_key, err) < 0)
        return -1;
    if (with_key) {
        STRARGS(n - 1);
        if (!(key = parse_key(S(n - 1), err)))
            return dk_err_wrap(err, "parsing private key");
    } else if (!(key = gen_rsa(2048))) {
        return ossl_fail(err, "error generating rsa key");
    }
    if (signed_) {
        if (!(issuer = parse_cert(ca_cert, "decodedSignerCert.Bytes", err)))
            goto fail;
        if (!(signer = parse_key(ca_key, err))) {
            dk_err_wrap(err, "error parsing private key");
            goto fail;
        }
    }
    if (make_cert(S(0), ips, dns, days, is_ca, key, issuer, signer ? signer : key, &cert, err) <
            0 ||
        key_pem(key, &kb, err) < 0)
        goto fail;
    EVP_PKEY_free(key);
    EVP_PKEY_free(signer);
    X509_free(issuer);
    *out = cert_val(&cert, &kb);
    return 0;
fail:
    dk_buf_release(&cert);
    dk_buf_release(&kb);
    EVP_PKEY_free(key);
    EVP_PKEY_free(signer);
    X509_free(issuer);
    return -1;
}

/* buildCustomCert B64CERT B64KEY: the certificate object of a given PEM pair. */
FN(f_buildCustomCert)
{
    struct dk_buf cert = DK_BUF_INIT, key = DK_BUF_INIT;
    EVP_PKEY *k;
    X509 *x;
    char *s;
    int rc;

    ARITY();
    STRARGS(0, 1);
    s = dk_xstrndup(S(0), L(0));
    rc = dk_base64_decode(s, &cert);
    free(s);
    if (rc < 0) {
        dk_buf_release(&cert);
        return dk_err_set(err, DK_E_FAIL, "unable to decode base64 certificate");
    }
    s = dk_xstrndup(S(1), L(1));
    rc = dk_base64_decode(s, &key);
    free(s);
    if (rc < 0) {
        dk_buf_release(&cert);
        dk_buf_release(&key);
        return dk_err_set(err, DK_E_FAIL, "unable to decode base64 private key");
    }
    dk_buf_addn(&cert, "", 0);
    dk_buf_addn(&key, "", 0);
    if (!(x = parse_cert(cert.buf ? cert.buf : "", "decodedCert.Bytes", err))) {
        dk_buf_release(&cert);
        dk_buf_release(&key);
        return -1;
    }
    X509_free(x);
    if (!(k = parse_key(key.buf ? key.buf : "", err))) {
        dk_buf_release(&cert);
        dk_buf_release(&key);
        return dk_err_wrap(err, "error parsing private key");
    }
    EVP_PKEY_free(k);
    *out = cert_val(&cert, &key);
    return 0;
}

static const struct fdef defs[] = {
    {"sha1sum", f_shasum, 1, 1},
    {"sha512sum", f_shasum, 1, 1},
    {"bcrypt", f_bcrypt, 1, 1},
    {"htpasswd", f_htpasswd, 2, 2},
    {"derivePassword", f_derivePassword, 5, 5},
    {"encryptAES", f_encryptAES, 2, 2},
    {"decryptAES", f_decryptAES, 2, 2},
    {"genPrivateKey", f_genPrivateKey, 1, 1},
    {"genCA", f_gencert, 2, 2},
    {"genCAWithKey", f_gencert, 3, 3},
    {"genSelfSignedCert", f_gencert, 4, 4},
    {"genSelfSignedCertWithKey", f_gencert, 5, 5},
    {"genSignedCert", f_gencert, 5, 5},
    {"genSignedCertWithKey", f_gencert, 6, 6},
    {"buildCustomCert", f_buildCustomCert, 2, 2},
};

void dk_tmplfuncs_register_crypto(struct dk_tmpl *t)
{
    dk_tmplfuncs_add(t, defs, sizeof(defs) / sizeof(defs[0]));
}
