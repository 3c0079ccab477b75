/*
 * Internal side of key sources: the formats sign through these calls only,
 * so a smart card or an external signer can stand behind any format.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_SIGNER_INTERNAL_H
#define EMZA_SIGNER_INTERNAL_H

#include <openssl/evp.h>

#include <emza/signer.h>

#include "util/buf.h"

/**
 * Signs a `digest` made with `md`. For an RSA key, `rsa_pss` selects PSS
 * (MGF1 with the same digest, salt as long as the digest) over PKCS#1 v1.5.
 * The signature is appended to `out` as the key type makes it: the RSA
 * signature bytes, or an ECDSA Ecdsa-Sig-Value in DER.
 */
int emza__signer_sign_digest(const emza_signer *signer, const EVP_MD *md, int rsa_pss,
                             const uint8_t *digest, size_t digest_len, emza_buf *out);

/** The key type: EVP_PKEY_RSA, EVP_PKEY_EC, ... */
int emza__signer_key_type(const emza_signer *signer);

/** The public key (borrowed), e.g. to check a signature just made. */
const EVP_PKEY *emza__signer_public_key(const emza_signer *signer);

#endif /* EMZA_SIGNER_INTERNAL_H */
