/*
 * Streaming digests of files: fixed-size chunks, memory independent of the
 * file's size.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_UTIL_DIGEST_H
#define EMZA_UTIL_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <emza/sign.h>

/** Bytes read at a time. */
#define EMZA_DIGEST_CHUNK (256 * 1024)

/**
 * Hashes the regular file at `path` with `md` into `out` (EVP_MAX_MD_SIZE
 * bytes; the length goes to *out_len), calling `progress` (may be NULL) after
 * each chunk. The file's size goes to *out_size when not NULL.
 */
int emza__digest_file(uint8_t *out, unsigned int *out_len, uint64_t *out_size, const char *path,
                      const EVP_MD *md, emza_progress_fn progress, void *progress_ctx);

/** Hashes bytes in memory. */
int emza__digest_bytes(uint8_t *out, unsigned int *out_len, const void *data, size_t len,
                       const EVP_MD *md);

/** The digest for a report name ("sha256", "sha384", "sha512"); NULL when not one we sign with. */
const EVP_MD *emza__digest_for_signing(const char *name);

/**
 * 1 when `md` can be computed by the loaded providers: OpenSSL knows some
 * digests by name or OID (MD4, Whirlpool...) that its default provider does
 * not implement. Clears OpenSSL's error queue.
 */
int emza__digest_usable(const EVP_MD *md);

#endif /* EMZA_UTIL_DIGEST_H */
