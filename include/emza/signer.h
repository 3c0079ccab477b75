/*
 * libemza — key sources: who signs, and with which key.
 *
 * An emza_signer holds a signing key and its certificate (and the CA
 * certificates to embed with it): from a PKCS#12 file, from PEM files, or
 * from the application (an external signer: a remote HSM, a web signing
 * flow); smart cards (PKCS#11) are a further source of the same type. Every
 * signature format signs through this one interface, and every signature a
 * key source returns is checked against the certificate before it is used.
 *
 * A signer may be used by one signing operation at a time; it is not shared
 * between threads while signing. Private key material is wiped when the
 * signer is freed; passwords are never copied.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_SIGNER_H
#define EMZA_SIGNER_H

#include "cert.h"
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest key file (PKCS#12 or PEM) read, in bytes. */
#define EMZA_KEY_FILE_MAX (1024 * 1024)

typedef struct emza_signer emza_signer;

/**
 * Opens a PKCS#12 file (.p12/.pfx) with `password` (NUL-terminated; may be
 * "" for none). The file must hold exactly one private key and the
 * certificate that matches it; other certificates in it become the chain.
 * Errors: EMZA_EIO (unreadable), EMZA_ELIMIT, EMZA_EFORMAT (not PKCS#12, no
 * key, no matching certificate), EMZA_EPASSWORD (wrong password).
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_signer_open_pkcs12(emza_signer **out, const char *path,
                                                                const char *password);

/**
 * Opens a PEM (or DER PKCS#8) private key and its certificate; `chain_path`
 * (a PEM bundle) may be NULL. `key_password` is NULL for an unencrypted key.
 * The key must match the certificate (EMZA_EFORMAT otherwise).
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_signer_open_pem(emza_signer **out, const char *key_path,
                                                             const char *key_password,
                                                             const char *cert_path,
                                                             const char *chain_path);

/** Largest signature a key source may return, in bytes (RSA up to 16384 bits). */
#define EMZA_SIGNATURE_MAX 2048

/**
 * The application's signing operation, for an external signer. `algorithm`
 * names what to make, as the report does: "rsa-sha256", "rsa-pss-sha256"
 * (MGF1 with the same digest, salt as long as the digest), "ecdsa-sha384"...
 * `digest` is the hash to sign (`digest_len` bytes) — sign it as a
 * pre-computed hash (PKCS#11: CKM_RSA_PKCS over a DigestInfo, CKM_RSA_PKCS_PSS,
 * CKM_ECDSA; `openssl pkeyutl -sign -pkeyopt digest:sha256`). Write the
 * signature into `signature` (room for `signature_size` bytes,
 * EMZA_SIGNATURE_MAX) — RSA: the signature bytes; ECDSA: a DER
 * Ecdsa-Sig-Value or the raw r||s pair — and its length into `*signature_len`.
 * Return 0, or a negative EMZA_E* code (EMZA_ECANCELED when the user
 * declined), which the signing operation then returns.
 */
typedef int (*emza_external_sign_fn)(void *ctx, const char *algorithm, const uint8_t *digest,
                                     size_t digest_len, uint8_t *signature, size_t signature_size,
                                     size_t *signature_len);

/**
 * Makes a signer whose signatures come from `sign` (called with `ctx`, which
 * must outlive the signer) for the key of `cert`; `chain` (may be NULL) holds
 * the CA certificates to embed. `cert` and `chain` are copied. A signature
 * that does not verify with `cert`'s key fails the signing with EMZA_ECRYPTO.
 * The callback is called from the signing thread, once per signature made.
 * Errors: EMZA_EINVAL (NULL out, cert or sign), EMZA_EFORMAT (unreadable key
 * in `cert`), EMZA_ENOMEM.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_signer_new_external(emza_signer **out,
                                                                 const emza_cert *cert,
                                                                 const emza_cert_list *chain,
                                                                 emza_external_sign_fn sign,
                                                                 void *ctx);

/** The signing certificate, borrowed from the signer. */
EMZA_EXTERN const emza_cert *emza_signer_cert(const emza_signer *signer);

/** The CA certificates that go with it (possibly empty), borrowed. */
EMZA_EXTERN const emza_cert_list *emza_signer_chain(const emza_signer *signer);

/** Releases the signer and wipes its key; accepts NULL. */
EMZA_EXTERN void emza_signer_free(emza_signer *signer);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_SIGNER_H */
