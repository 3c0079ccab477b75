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

/* ------------------------------------------------------------------------ */
/* Smart cards and tokens (PKCS#11)                                          */
/* ------------------------------------------------------------------------ */

/** Longest PIN a PIN callback may give, in bytes (the buffer it fills has room for this many). */
#define EMZA_PKCS11_PIN_MAX 256
/** Largest certificate read from a token, in bytes. */
#define EMZA_PKCS11_CERT_MAX (64 * 1024)
/** Longest object label read from a token or asked for, in bytes. */
#define EMZA_PKCS11_LABEL_MAX 256
/** Longest CKA_ID, in bytes (its hex form is twice as long). */
#define EMZA_PKCS11_ID_MAX 128
/** Most objects (keys, certificates) one search on a token examines; more is EMZA_ELIMIT. */
#define EMZA_PKCS11_OBJECTS_MAX 256
/** Most slots examined on a module; more is EMZA_ELIMIT. */
#define EMZA_PKCS11_SLOTS_MAX 64

/**
 * Asks for the PIN of the token labelled `token_label` (NUL-terminated, as
 * the token names itself). `for_signature` is 0 for the log-in when the token
 * is opened, 1 when a key that must be authenticated for every signature
 * (CKA_ALWAYS_AUTHENTICATE, common on national cards) is about to sign.
 * Write the PIN into `buf` (room for `size` bytes, EMZA_PKCS11_PIN_MAX; no NUL
 * needed) and its length into `*len`. Return 0, or a negative EMZA_E* code
 * (EMZA_ECANCELED when the user declined), which the operation then returns.
 * The library wipes `buf` right after the log-in; it never logs or keeps
 * the PIN. Called from the opening or signing thread.
 */
typedef int (*emza_pin_fn)(void *ctx, const char *token_label, int for_signature, char *buf,
                           size_t size, size_t *len);

#define EMZA_PKCS11_OPTIONS_VERSION 1u

/**
 * Where the key is: options of emza_signer_open_pkcs11. Fields are only ever
 * appended; start from EMZA_PKCS11_OPTIONS_INIT or emza_pkcs11_options_init.
 */
typedef struct emza_pkcs11_options {
    unsigned int version;      /**< EMZA_PKCS11_OPTIONS_VERSION */
    const char *module_path;   /**< the PKCS#11 module (.so); required */
    const char *token_label;   /**< the token's label; NULL: see has_slot_id */
    int has_slot_id;           /**< 1: the token in slot `slot_id` */
    unsigned long slot_id;     /**< with has_slot_id; neither set: the only token present */
    const char *key_label;     /**< the private key's CKA_LABEL, or NULL */
    const char *key_id_hex;    /**< the private key's CKA_ID in hex, or NULL; neither: the only key */
    emza_pin_fn pin;           /**< asks for the PIN; NULL when the token needs none */
    void *pin_ctx;             /**< passed to `pin`; must outlive the signer */
    const char *chain_path;    /**< PEM bundle of CA certificates; NULL: the CA certificates on the token */
} emza_pkcs11_options;

#define EMZA_PKCS11_OPTIONS_INIT                                                                   \
    {EMZA_PKCS11_OPTIONS_VERSION, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL}

/** Sets `*opts` to the defaults. EMZA_EVERSION for an unknown version, EMZA_EINVAL for NULL. */
EMZA_EXTERN int emza_pkcs11_options_init(emza_pkcs11_options *opts, unsigned int version);

/**
 * Opens a signer on a smart card or token through the PKCS#11 module
 * `opts->module_path`. The module is loaded once per process however many
 * signers use it (C_Initialize with OS locking; a module the application has
 * already initialised is shared, and then left initialised) and finalised
 * when the last of them is freed. The token is chosen by label or slot, the
 * private key by label and/or CKA_ID: exactly one key must match. Its
 * certificate is the X.509 certificate on the token with the same CKA_ID and
 * the same public key; the chain is `chain_path`, else the CA certificates
 * on the token. The session stays open and logged in until the signer is
 * freed; `opts->pin` is asked once here (not when this process is already
 * logged in to the token, nor for a token with a PIN pad, which asks
 * itself) and again before each signature by a key with
 * CKA_ALWAYS_AUTHENTICATE. Signatures: RSA PKCS#1 v1.5 (CKM_RSA_PKCS over a
 * DigestInfo), RSA-PSS (CKM_RSA_PKCS_PSS) and ECDSA (CKM_ECDSA).
 *
 * Errors: EMZA_EINVAL (NULL out/opts/module_path, a bad hex id, several
 * tokens or keys match), EMZA_EVERSION, EMZA_EIO (the module cannot be
 * loaded, has no C_GetFunctionList, or fails to initialise), EMZA_ENOTFOUND
 * (no such token or slot, no token present, no matching key, no certificate
 * for it; the message names what was looked for), EMZA_EPIN (the token
 * refused the PIN, or its length), EMZA_EPIN_LOCKED (the PIN is locked),
 * EMZA_ELIMIT (a PIN, label, id, certificate or object count past the
 * EMZA_PKCS11_* limits), EMZA_EFORMAT (a certificate on the token that does
 * not parse or does not match the key), EMZA_EUNSUPPORTED (neither RSA nor
 * EC), the PIN callback's own code, EMZA_ECRYPTO (another failure of the
 * token, its CKR_* named in words). Signing through the signer may also
 * return EMZA_EPIN and EMZA_EPIN_LOCKED (a CKA_ALWAYS_AUTHENTICATE key).
 * Thread safety: opening and freeing signers from several threads is safe;
 * each signer signs on one thread at a time.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_signer_open_pkcs11(emza_signer **out,
                                                                const emza_pkcs11_options *opts);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_SIGNER_H */
