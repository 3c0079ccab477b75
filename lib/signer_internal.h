/*
 * Internal side of key sources. A signer (signer.c) is a certificate, its
 * chain and a key source: a private key in memory (signer_file.c), a smart
 * card or token (PKCS#11), or the application (an external signer). The
 * formats sign through emza__signer_sign_digest only, so any key source can
 * stand behind any format.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_SIGNER_INTERNAL_H
#define EMZA_SIGNER_INTERNAL_H

#include <openssl/evp.h>

#include <emza/signer.h>

#include "util/buf.h"

/** What a key source provides: the private-key operation, and its release. */
typedef struct emza__key_source {
    /** For messages: "key file", "PKCS#11 token", "external signer". */
    const char *name;
    /**
     * Signs `digest` (made with `md`; RSA-PSS with MGF1(md) and a salt as long as
     * the digest when `rsa_pss`, else PKCS#1 v1.5 for RSA) and appends the
     * signature to `out`: the RSA signature bytes, or for ECDSA either a DER
     * Ecdsa-Sig-Value or the raw r||s pair (the signer normalises it to DER).
     * `public_key` is the certificate's key.
     */
    int (*sign_digest)(void *impl, const EVP_PKEY *public_key, const EVP_MD *md, int rsa_pss,
                       const uint8_t *digest, size_t digest_len, emza_buf *out);
    /** Wipes and frees `impl`. */
    void (*release)(void *impl);
} emza__key_source;

/**
 * Makes a signer from a key source. Takes ownership of `impl` whatever happens
 * (released through source->release on failure); copies `cert` and `chain`
 * (which may be NULL). The caller has checked that the key belongs to `cert`.
 */
int emza__signer_new(emza_signer **out, const emza__key_source *source, void *impl,
                     const emza_cert *cert, const emza_cert_list *chain);

/**
 * Signs a `digest` made with `md` through the signer's key source. For an RSA
 * key, `rsa_pss` selects PSS (MGF1 with the same digest, salt as long as the
 * digest) over PKCS#1 v1.5. The signature is checked against the
 * certificate's public key before it is appended to `out` — a faulty card or
 * a wrong external answer never reaches a document — as the key type makes
 * it: the RSA signature bytes, or an ECDSA Ecdsa-Sig-Value in DER.
 */
int emza__signer_sign_digest(const emza_signer *signer, const EVP_MD *md, int rsa_pss,
                             const uint8_t *digest, size_t digest_len, emza_buf *out);

/**
 * Sets the digest of a signing or verifying context and, for an RSA key
 * (`key_type` EVP_PKEY_RSA), the padding: PSS as emza__signer_sign_digest
 * describes when `rsa_pss`, else PKCS#1 v1.5.
 */
int emza__signer_set_padding(EVP_PKEY_CTX *ctx, int key_type, const EVP_MD *md, int rsa_pss);

/** The key type: EVP_PKEY_RSA, EVP_PKEY_EC, ... */
int emza__signer_key_type(const emza_signer *signer);

/** The certificate's public key (borrowed), e.g. to check a signature just made. */
const EVP_PKEY *emza__signer_public_key(const emza_signer *signer);

#endif /* EMZA_SIGNER_INTERNAL_H */
