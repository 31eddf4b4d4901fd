/* sha: SHA-1, SHA-256 and SHA-512 against OpenSSL's, on every length around the block and
 * padding boundaries and on a megabyte, plus the FIPS 180-4 examples. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "dk/buf.h"
#include "dk/sha.h"
#include "tap.h"

static int same_as_openssl(const unsigned char *p, size_t n)
{
    unsigned char a[64], b[64];
    unsigned int l;

    dk_sha1(p, n, a);
    EVP_Digest(p, n, b, &l, EVP_sha1(), NULL);
    if (memcmp(a, b, 20))
        return 0;
    dk_sha256(p, n, a);
    EVP_Digest(p, n, b, &l, EVP_sha256(), NULL);
    if (memcmp(a, b, 32))
        return 0;
    dk_sha512(p, n, a);
    EVP_Digest(p, n, b, &l, EVP_sha512(), NULL);
    return memcmp(a, b, 64) == 0;
}

static const char *hex(const unsigned char *md, size_t n)
{
    static char out[129];

    dk_hex(md, n, out);
    out[2 * n] = '\0';
    return out;
}

int main(void)
{
    size_t n, bad = 0, len = 1 << 20;
    unsigned char *buf = dk_xmalloc(len);
    unsigned char md[64];
    unsigned seed = 7;

    for (n = 0; n < len; n++) {
        seed = seed * 1103515245u + 12345u;
        buf[n] = (unsigned char)(seed >> 16);
    }
    dk_sha256("abc", 3, md);
    is_str(hex(md, 32), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
           "SHA-256 of abc (FIPS 180-4)");
    dk_sha1("abc", 3, md);
    is_str(hex(md, 20), "a9993e364706816aba3e25717850c26c9cd0d89d", "SHA-1 of abc");
    dk_sha512("", 0, md);
    is_str(
        hex(md, 64),
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2"
        "877eec2f63b931bd47417a81a538327af927da3e",
        "SHA-512 of the empty string");
    for (n = 0; n <= 300; n++)
        bad += !same_as_openssl(buf, n);
    ok(bad == 0, "every length from 0 to 300 bytes matches OpenSSL (%zu differ)", bad);
    ok(same_as_openssl(buf, len), "a megabyte matches OpenSSL");
    free(buf);
    return tap_done();
}
