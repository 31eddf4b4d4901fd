/*
 * sha: SHA-1, SHA-256 and SHA-512 of a buffer in memory (FIPS 180-4), in plain C.
 *
 * For the template functions (sha1sum, sha256sum, sha512sum) on short strings: OpenSSL's
 * digests cost milliseconds of provider set-up in the first call of a process, more than a
 * whole small chart takes to render. Streams and large data (registry blobs) keep using
 * dk/digest.h, which has OpenSSL's accelerated code.
 */
#ifndef DK_SHA_H
#define DK_SHA_H

#include <stddef.h>

void dk_sha1(const void *data, size_t n, unsigned char out[20]);
void dk_sha256(const void *data, size_t n, unsigned char out[32]);
void dk_sha512(const void *data, size_t n, unsigned char out[64]);

#endif
