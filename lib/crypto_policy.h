/*
 * The report's spelling of algorithm names, and shortcuts that judge
 * algorithms by the built-in default policy (CONTRACT.md "Default validation
 * policy") for callers that have no policy at hand (OCSP and CRL signatures,
 * timestamp tokens). The limits themselves live in policy.c; callers with a
 * policy use emza__policy_digest_check / emza__policy_key_check
 * (policy_internal.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_CRYPTO_POLICY_H
#define EMZA_CRYPTO_POLICY_H

#include <stddef.h>

#include <openssl/evp.h>

/** Smallest acceptable RSA (and DSA) key under the default policy (policy.c's built-in one). */
#define EMZA_POLICY_RSA_MIN_BITS 2048u
/** Smallest acceptable EC key under the default policy. */
#define EMZA_POLICY_EC_MIN_BITS 256u

/** Longest algorithm name written by emza__algorithm_name, NUL included. */
#define EMZA_ALGORITHM_NAME_MAX 32

/**
 * Is the digest `md_nid` acceptable? Returns 1, or 0 with `*why` set to a
 * static phrase ("SHA-1 is no longer acceptable").
 */
int emza__policy_digest_ok(int md_nid, const char **why);

/**
 * Is the public key acceptable (algorithm known, size at least the minimum)?
 * Returns 1, or 0 with `why` (a buffer of `why_size` bytes) filled in words.
 */
int emza__policy_key_ok(const EVP_PKEY *key, char *why, size_t why_size);

/**
 * The report's name for a signature algorithm: "rsa-sha256", "rsa-pss-sha384",
 * "ecdsa-sha256", "ed25519", "dsa-sha1"... `pk_nid` is the signature's public
 * key type (EVP_PKEY_RSA, EVP_PKEY_RSA_PSS, EVP_PKEY_EC, ...), `md_nid` its
 * digest (NID_undef for pure EdDSA). "unknown" when not recognised.
 */
void emza__algorithm_name(char *buf, size_t size, int pk_nid, int md_nid);

/** "sha256", "sha1", ... or NULL when `md_nid` has no name in the report's vocabulary. */
const char *emza__digest_name(int md_nid);

/** The NID of a digest named as emza__digest_name names it; NID_undef when unknown. */
int emza__digest_nid(const char *name);

#endif /* EMZA_CRYPTO_POLICY_H */
