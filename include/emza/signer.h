/*
 * libemza — key sources: who signs, and with which key.
 *
 * An emza_signer holds a signing key and its certificate (and the CA
 * certificates to embed with it), from a PKCS#12 file or from PEM files;
 * smart cards (PKCS#11) and external signers are further sources of the same
 * type. Every signature format signs through this one interface.
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
