/*
 * libemza — two-step signing: prepare on the server, sign the digest
 * elsewhere (the citizen's browser, a remote HSM), finalize on the server.
 *
 *   1. emza_sign_prepare() runs the normal signing flow (sign.h) up to the
 *      point where a key would sign, and keeps what it needs to do it again:
 *      the options that shape the document, the claimed signing time (fixed
 *      now), a random seed for the XAdES Ids, the input paths and their
 *      SHA-256, the certificate and chain, and the digest to sign.
 *   2. The application has emza_prepared_digest() signed as a pre-computed
 *      hash with emza_prepared_signature_algorithm() ("rsa-sha256",
 *      "rsa-pss-sha256" — MGF1 with the same digest, salt as long as the
 *      digest — or "ecdsa-sha256"; `openssl pkeyutl -sign -pkeyopt
 *      digest:sha256`, WebCrypto's sign over the hash, PKCS#11 CKM_RSA_PKCS
 *      over a DigestInfo, CKM_RSA_PKCS_PSS, CKM_ECDSA). In between, a stateless
 *      server keeps the state with emza_prepared_save() / emza_prepared_load()
 *      (or emza_prepared_to_json() / emza_prepared_from_json() in a database).
 *   3. emza_sign_finalize() runs the same flow again with the same inputs,
 *      options, time and Ids; it checks that the digest it is about to sign
 *      is the prepared one, puts in the given signature (checked against the
 *      certificate), applies level T (the TSA of the options given to
 *      prepare) and writes the output atomically.
 *
 * Security: the state file is not secret, and a state that was altered cannot
 * make a document the signer did not approve: whatever the state says, the
 * document finalize writes is rebuilt from the inputs, and its signature is
 * verified over the digest of what was rebuilt. A signature over the prepared
 * digest verifies only if the rebuilt signed content is the prepared one
 * (docs/ARCHITECTURE.md, "Two-step signing"). What a signature does not
 * cover — the TSA URL, the CA certificates added beside the signer's — is
 * only as trustworthy as the place the server keeps the state. And the state
 * names the files finalize reads: a state from an untrusted party could name
 * any file the server can read (an attached CAdES would then carry it, signed
 * by that party's own key). Seal states handed to clients — the *_sealed
 * functions below add and check an HMAC-SHA256 with a server key — or keep
 * them on the server.
 *
 * Thread-safety: an emza_prepared is not modified after it is made or
 * loaded; it may be read (saved, finalized) from several threads at once.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_PREPARE_H
#define EMZA_PREPARE_H

#include "cert.h"
#include "common.h"
#include "sign.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest state file (or JSON text) read, in bytes. */
#define EMZA_PREPARED_FILE_MAX (1024 * 1024)
/** Longest text in a state: an input path, the TSA URL, an option's text (bytes). */
#define EMZA_PREPARED_TEXT_MAX 4096
/** Most input files in a state (as emza_sign takes for XAdES detached and enveloping). */
#define EMZA_PREPARED_INPUTS_MAX 64
/** Most CA certificates kept with the signer's in a state. */
#define EMZA_PREPARED_CHAIN_MAX 16
/** The version of the state format written (the "emzaPrepared" member). */
#define EMZA_PREPARED_FORMAT_VERSION 1
/** Shortest key that seals a state (bytes; 32 random bytes, say). */
#define EMZA_PREPARED_KEY_MIN 32
/** Longest key that seals a state (bytes). */
#define EMZA_PREPARED_KEY_MAX 1024

typedef struct emza_prepared emza_prepared;

/**
 * Prepares a signing by `cert`'s key of `input_count` files (`inputs`) with
 * `opts`, as emza_sign would make it (sign.h: same formats, input rules and
 * errors), without a key: `*out` (the caller's, release with
 * emza_prepared_free) holds the digest to sign. `chain` (may be NULL) holds
 * the CA certificates to embed. The claimed signing time is `opts`'s when
 * has_signing_time, else now. Nothing is written and no network is used
 * (level T is applied by finalize). `opts->progress` is called while the
 * inputs are read; `opts->transport` is not kept (finalize uses the
 * library's own HTTP client for the TSA).
 * Errors: those of emza_sign before its signature; EMZA_EUNSUPPORTED for
 * EMZA_SIGN_COUNTERSIGN (one prepared digest per signing, and a
 * countersignature makes one per existing signer); EMZA_ELIMIT for a path or
 * option text longer than EMZA_PREPARED_TEXT_MAX, a chain longer than
 * EMZA_PREPARED_CHAIN_MAX or more than EMZA_PREPARED_INPUTS_MAX inputs.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_sign_prepare(emza_prepared **out,
                                                          const emza_cert *cert,
                                                          const emza_cert_list *chain,
                                                          const emza_sign_options *opts,
                                                          const char *const *inputs,
                                                          size_t input_count);

/** The digest to sign (`*out_len` bytes: 32, 48 or 64), borrowed from `p`. NULL for NULL. */
EMZA_EXTERN const uint8_t *emza_prepared_digest(const emza_prepared *p, size_t *out_len);

/** The digest algorithm that made it: "sha256", "sha384" or "sha512" (borrowed). */
EMZA_EXTERN const char *emza_prepared_digest_algorithm(const emza_prepared *p);

/**
 * What to make of the digest, named as in the report: "rsa-sha256",
 * "rsa-pss-sha256", "ecdsa-sha256", ... (borrowed). The RSA-PSS salt is as
 * long as the digest, MGF1 with the same digest; ECDSA may be given to
 * finalize as DER or as raw r||s.
 */
EMZA_EXTERN const char *emza_prepared_signature_algorithm(const emza_prepared *p);

/** The claimed signing time fixed at prepare (seconds since the epoch); 0 for NULL. */
EMZA_EXTERN int64_t emza_prepared_signing_time(const emza_prepared *p);

/** The signing certificate, borrowed from `p`. */
EMZA_EXTERN const emza_cert *emza_prepared_cert(const emza_prepared *p);

/**
 * Writes the state as JSON (docs/ARCHITECTURE.md, "Two-step signing") to
 * `path`, atomically. Errors: EMZA_EINVAL, EMZA_EIO, EMZA_ENOMEM.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_prepared_save(const emza_prepared *p,
                                                           const char *path);

/**
 * Reads a state written by emza_prepared_save. The file is untrusted input:
 * it is parsed strictly (every member known, typed and bounded).
 * Errors: EMZA_EIO, EMZA_ELIMIT (larger than EMZA_PREPARED_FILE_MAX, or a
 * member past its limit), EMZA_EFORMAT (not a state: bad JSON, a member
 * missing, unknown or malformed, another format version, an algorithm that
 * does not fit the certificate's key), EMZA_ECRYPTO (a sealed state: read it
 * with emza_prepared_load_sealed), EMZA_ENOMEM.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_prepared_load(emza_prepared **out, const char *path);

/** The state as JSON text in a new NUL-terminated string (release with emza_free). */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_prepared_to_json(char **out, const emza_prepared *p);

/** As emza_prepared_load, from `len` bytes of JSON text in memory. */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_prepared_from_json(emza_prepared **out,
                                                                const void *data, size_t len);

/*
 * Sealed states. A seal is an HMAC-SHA256, with the server's key, of the
 * state's canonical text: the state without its "mac" member written as
 * jansson's json_dumps(JSON_COMPACT | JSON_SORT_KEYS) does (no whitespace,
 * members sorted by their UTF-8 bytes, strings escaped as jansson does), so
 * it does not depend on the member order or layout of the text received.
 * It is stored as 64 lower-case hex digits in a "mac" member
 * (docs/ARCHITECTURE.md, "Two-step signing"). The seal is checked — in
 * constant time, before any other member is read — by the *_sealed
 * readers, which then read the state as the unsealed ones do.
 *
 * The key (`key_len` bytes, EMZA_PREPARED_KEY_MIN to EMZA_PREPARED_KEY_MAX)
 * stays the caller's: it is only read during the call and not kept; the
 * caller wipes it (emza_wipe). Use one key per purpose, kept like a private
 * key; a state sealed with it and handed out stays valid until the key
 * changes (the seal carries no expiry; finalize still refuses a state whose
 * inputs changed).
 *
 * Errors of the sealing functions, besides those of the unsealed ones:
 * EMZA_EINVAL (a NULL key or one shorter than EMZA_PREPARED_KEY_MIN),
 * EMZA_ELIMIT (a key longer than EMZA_PREPARED_KEY_MAX), and, from the
 * readers only, EMZA_ECRYPTO for every refused seal: no "mac" member, a
 * "mac" that is not the HMAC of the rest with this key (any member altered,
 * added or removed, the mac itself altered, another key). The unsealed
 * readers (emza_prepared_load, emza_prepared_from_json) refuse a sealed
 * state with EMZA_ECRYPTO too. A text that is not a JSON object is
 * EMZA_EFORMAT. From a reader, EMZA_ECRYPTO means only this.
 *
 * Thread-safety: as the unsealed functions; the key is only read.
 */

/** As emza_prepared_to_json, sealed with `key` (`key_len` bytes). */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_prepared_to_json_sealed(char **out,
                                                                     const emza_prepared *p,
                                                                     const void *key,
                                                                     size_t key_len);

/** As emza_prepared_save, sealed with `key` (`key_len` bytes). */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_prepared_save_sealed(const emza_prepared *p,
                                                                  const char *path,
                                                                  const void *key,
                                                                  size_t key_len);

/** As emza_prepared_from_json, for a state sealed with `key` (`key_len` bytes) only. */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_prepared_from_json_sealed(emza_prepared **out,
                                                                       const void *data,
                                                                       size_t len,
                                                                       const void *key,
                                                                       size_t key_len);

/** As emza_prepared_load, for a state sealed with `key` (`key_len` bytes) only. */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_prepared_load_sealed(emza_prepared **out,
                                                                  const char *path,
                                                                  const void *key,
                                                                  size_t key_len);

/**
 * Completes the signing prepared in `p` with `signature` (`len` bytes, at
 * most EMZA_SIGNATURE_MAX: RSA signature bytes; ECDSA as DER or raw r||s)
 * and writes the signed output to `output_path` atomically (sign.h).
 * Errors, with nothing written: EMZA_EINVAL (an input or the existing
 * signature changed since prepare — prepare again; `output_path` is an
 * input), EMZA_EFORMAT (the state does not agree with itself: its inputs are
 * unchanged but they no longer give its digest — an altered state, or one
 * from another version of libemza), EMZA_ECRYPTO (the signature does not
 * verify over the digest with the certificate's key), EMZA_ELIMIT, EMZA_EIO,
 * and at level T those of emza_sign's timestamp.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_sign_finalize(const emza_prepared *p,
                                                           const uint8_t *signature, size_t len,
                                                           const char *output_path);

/** Releases a prepared signing; accepts NULL. */
EMZA_EXTERN void emza_prepared_free(emza_prepared *p);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_PREPARE_H */
