/*
 * The revocation response cache: one per process, shared by every thread
 * (one mutex), so that validating many signatures of one CA does not ask its
 * responder or download its CRL each time.
 *
 *   - OCSP responses are keyed by the issuer's key hash (SHA-256 of its
 *     subjectPublicKey) and the certificate's serial; the DER is kept and
 *     verified again on every use (signature, CertID, freshness at that
 *     use's validation time), so a cache entry can never say more than the
 *     response itself. The nonce was checked when it was fetched.
 *   - CRLs are keyed by their URL; the parsed CRL is kept with the key
 *     (SHA-256 of the issuer's subjectPublicKey) its signature was verified
 *     with; another issuer key verifies it again.
 *   - Only usable statements are stored. An entry expires at the statement's
 *     nextUpdate, or EMZA_REVOCATION_NO_NEXT_UPDATE_TTL after it was stored
 *     when there is none. At most EMZA_REVOCATION_CACHE_ENTRIES_MAX entries and
 *     EMZA_REVOCATION_CACHE_BYTES_MAX bytes: expired entries go first, then the
 *     least recently used.
 *   - Storing is best effort: when memory is short nothing is cached.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_REVOCATION_CACHE_H
#define EMZA_REVOCATION_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "util/buf.h"

/** Most entries kept. */
#define EMZA_REVOCATION_CACHE_ENTRIES_MAX 256
/** Most bytes kept (DER sizes of responses and CRLs); a larger item is not cached. */
#define EMZA_REVOCATION_CACHE_BYTES_MAX (64 * 1024 * 1024)
/** Longest key (a URL, or a key hash and a serial). */
#define EMZA_REVOCATION_CACHE_KEY_MAX 2100

/** Stores a copy of a verified OCSP response under `key` until `expires`. */
void emza__rcache_put_ocsp(const uint8_t *key, size_t key_len, const uint8_t *der, size_t der_len,
                           int nonce_missing, int64_t expires, int64_t now);

/**
 * A copy of the OCSP response under `key` in `der` (initialised here), and
 * whether its nonce was missing. EMZA_OK, EMZA_ENOTFOUND (none, or expired),
 * EMZA_ENOMEM.
 */
int emza__rcache_get_ocsp(emza_buf *der, int *nonce_missing, const uint8_t *key, size_t key_len,
                          int64_t now);

/** Stores a new reference to `crl`, verified with the key hashed as `key_sha256`, under `url`. */
void emza__rcache_put_crl(const char *url, X509_CRL *crl, const uint8_t key_sha256[32],
                          size_t cost, int64_t expires, int64_t now);

/**
 * A new reference to the CRL under `url` (X509_CRL_free it) and the hash of
 * the key it was verified with. EMZA_OK, EMZA_ENOTFOUND (none, or expired).
 */
int emza__rcache_get_crl(X509_CRL **out, uint8_t key_sha256[32], const char *url, int64_t now);

/** Empties the cache (tests, and applications that want to forget). */
void emza__rcache_clear(void);

/** Entries and bytes held now, and the hits and misses counted since the start. */
void emza__rcache_stats(size_t *entries, size_t *bytes, unsigned long *hits,
                        unsigned long *misses);

#endif /* EMZA_REVOCATION_CACHE_H */
