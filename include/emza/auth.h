/*
 * libemza — citizen authentication by challenge and signed response.
 *
 * A bank or an agency logs a citizen in with the authentication key of the
 * national card, as Estonia's Web eID does (docs/AUTH.md has the protocol):
 *
 *   1. The server makes a challenge (emza_auth_challenge_new): a random nonce
 *      of EMZA_AUTH_NONCE_BYTES bytes in base64, an issue time and a
 *      lifetime. It keeps nonce, issue time and lifetime in its session and
 *      sends the nonce to the citizen's browser or app.
 *   2. The citizen's side signs SHA-256(origin) || SHA-256(nonce) with the
 *      card's key (emza_auth_sign) and sends back a token, a small JSON text:
 *        {"format":"emza-auth:1","origin":"https://bank.example",
 *         "certificate":"<base64 DER>","algorithm":"ES256","signature":"<base64>"}
 *   3. The server rebuilds the challenge from its session
 *      (emza_auth_challenge_restore) and calls emza_auth_verify with the
 *      origin it serves. Success gives an emza_auth_identity: who logged in.
 *
 * Errors and refusals. A token that is refused is not an operational error:
 * emza_auth_verify returns EMZA_EAUTH, sets `*reason` to a machine-readable
 * emza_auth_reason and puts a message in words in emza_error_last(). Other
 * negative codes (EMZA_EINVAL for a NULL or invalid argument, EMZA_EVERSION,
 * EMZA_ENOMEM, EMZA_ECRYPTO, EMZA_ELIMIT from a full replay cache) mean that
 * no decision could be made; `*reason` is EMZA_AUTH_NONE then.
 *
 * Threads. Challenges and identities are immutable and may be shared
 * between threads. emza_auth_verify may run in many threads at once with a
 * shared trust store and a shared replay cache (emza_replay_cache is
 * thread-safe). A signer (emza_auth_sign) is used by one thread at a time.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_AUTH_H
#define EMZA_AUTH_H

#include "cert.h"
#include "common.h"
#include "signer.h"
#include "transport.h"
#include "trust.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The token format this library writes and reads. */
#define EMZA_AUTH_FORMAT "emza-auth:1"
/** Random bytes in a nonce made by emza_auth_challenge_new (256 bits). */
#define EMZA_AUTH_NONCE_BYTES 32
/** Fewest and most bytes a restored nonce may decode to. */
#define EMZA_AUTH_NONCE_MIN_BYTES 32
#define EMZA_AUTH_NONCE_MAX_BYTES 64
/** Challenge lifetime when 0 is asked for, and the longest allowed (seconds). */
#define EMZA_AUTH_LIFETIME_DEFAULT 300u
#define EMZA_AUTH_LIFETIME_MAX 900u
/** Clock skew tolerated between the issuing and the verifying clocks, by default and at most (seconds). */
#define EMZA_AUTH_CLOCK_SKEW_DEFAULT 60u
#define EMZA_AUTH_CLOCK_SKEW_MAX 300u
/** Largest token read (bytes); a longer one is refused as EMZA_AUTH_MALFORMED. */
#define EMZA_AUTH_TOKEN_MAX (16 * 1024)
/** Longest origin accepted ("https://host:port"), bytes. */
#define EMZA_AUTH_ORIGIN_MAX 512
/** Largest signature value in a token (bytes, decoded): RSA up to 8192 bits. */
#define EMZA_AUTH_SIGNATURE_MAX 1024

/* ------------------------------------------------------------------------ */
/* challenges                                                                */
/* ------------------------------------------------------------------------ */

typedef struct emza_auth_challenge emza_auth_challenge;

/**
 * Makes a challenge: EMZA_AUTH_NONCE_BYTES random bytes from OpenSSL's
 * CSPRNG in base64 (44 characters), issued now, valid for
 * `lifetime_seconds` (0: EMZA_AUTH_LIFETIME_DEFAULT). `*out` is the
 * caller's, released with emza_auth_challenge_free(). Errors: EMZA_EINVAL
 * (NULL `out`, a lifetime above EMZA_AUTH_LIFETIME_MAX), EMZA_ECRYPTO (no
 * randomness), EMZA_ENOMEM. Thread-safe.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_auth_challenge_new(emza_auth_challenge **out,
                                                                unsigned lifetime_seconds);

/**
 * Rebuilds a challenge a server kept in its session: the nonce text it sent,
 * the issue time (seconds since the epoch) and the lifetime (0: default).
 * The nonce must be base64 of EMZA_AUTH_NONCE_MIN_BYTES to
 * EMZA_AUTH_NONCE_MAX_BYTES bytes, without white space. Errors: EMZA_EINVAL
 * (NULL, bad nonce, lifetime above the maximum, negative issue time),
 * EMZA_ENOMEM. `*out` as for emza_auth_challenge_new.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_auth_challenge_restore(emza_auth_challenge **out,
                                                                    const char *nonce,
                                                                    int64_t issued_at,
                                                                    unsigned lifetime_seconds);

/** Releases a challenge; accepts NULL. */
EMZA_EXTERN void emza_auth_challenge_free(emza_auth_challenge *challenge);

/** The nonce in base64, borrowed from the challenge. */
EMZA_EXTERN const char *emza_auth_challenge_nonce(const emza_auth_challenge *challenge);
/** Issue time, seconds since the epoch. */
EMZA_EXTERN int64_t emza_auth_challenge_issued_at(const emza_auth_challenge *challenge);
/** Expiry time: issue time plus lifetime. */
EMZA_EXTERN int64_t emza_auth_challenge_expires_at(const emza_auth_challenge *challenge);
/** Lifetime in seconds. */
EMZA_EXTERN unsigned emza_auth_challenge_lifetime(const emza_auth_challenge *challenge);

/* ------------------------------------------------------------------------ */
/* origins                                                                   */
/* ------------------------------------------------------------------------ */

/**
 * Normalises a web origin as tokens are signed and compared: the scheme
 * ("https" or "http") and the host in lower case, the scheme's default port
 * (443, 80) left out, a trailing "/" removed: "HTTPS://Bank.Example:443/"
 * becomes "https://bank.example". The host is an ASCII DNS name (IDNs in
 * their xn-- form), an IPv4 address or a bracketed IPv6 address; user
 * information, a path, a query or a fragment are refused (EMZA_EINVAL), and
 * so is anything longer than EMZA_AUTH_ORIGIN_MAX. `*out` is a new string,
 * released with emza_free(). Thread-safe.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_auth_origin_normalize(char **out, const char *origin);

/* ------------------------------------------------------------------------ */
/* tokens: signing                                                           */
/* ------------------------------------------------------------------------ */

#define EMZA_AUTH_SIGN_OPTIONS_VERSION 1u

/** Options of emza_auth_sign. Fields are only ever appended. */
typedef struct emza_auth_sign_options {
    unsigned int version; /**< EMZA_AUTH_SIGN_OPTIONS_VERSION */
    /** "RS256", "RS384", "RS512", "PS256", "PS384", "PS512" (RSA keys), "ES256" (P-256),
        "ES384" (P-384), "ES512" (P-521); NULL: RS256 for RSA, the curve's ES* for EC. */
    const char *algorithm;
} emza_auth_sign_options;

#define EMZA_AUTH_SIGN_OPTIONS_INIT {EMZA_AUTH_SIGN_OPTIONS_VERSION, NULL}

/** Sets `*opts` to the defaults. EMZA_EVERSION for a version this library does not know. */
EMZA_EXTERN int emza_auth_sign_options_init(emza_auth_sign_options *opts, unsigned int version);

/**
 * Makes a token: signs SHA-256(normalised `origin`) || SHA-256(`nonce`)
 * with the algorithm's hash through the signer's key (any key source) and
 * writes the token JSON to a new NUL-terminated string `*out` (released with
 * emza_free()). `opts` may be NULL. The signature is checked with the
 * certificate's key before it is returned. Errors: EMZA_EINVAL (NULL, a bad
 * origin, a nonce emza_auth_challenge_restore would refuse, an unknown
 * algorithm or one that does not fit the key), EMZA_EVERSION, EMZA_ECRYPTO (the key
 * failed to sign), EMZA_ENOMEM, and a key source's own codes (EMZA_EPIN...).
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_auth_sign(char **out, const emza_signer *signer,
                                                       const char *origin, const char *nonce,
                                                       const emza_auth_sign_options *opts);

/* ------------------------------------------------------------------------ */
/* replay protection                                                         */
/* ------------------------------------------------------------------------ */

/**
 * Marks a nonce as used, atomically. Returns 1 when this is its first use
 * (now recorded until `expires_at`), 0 when it was used before, or a
 * negative EMZA_E* code when the decision cannot be made (then the token is
 * not accepted). `now` is the validation time. A server that runs several
 * processes implements this over its shared store (an atomic "set if absent"
 * with an expiry). Must be thread-safe if verifications run in parallel.
 */
typedef int (*emza_replay_fn)(void *ctx, const char *nonce, int64_t expires_at, int64_t now);

/** Default and largest number of nonces an emza_replay_cache holds. */
#define EMZA_REPLAY_CACHE_ENTRIES_DEFAULT 65536u
#define EMZA_REPLAY_CACHE_ENTRIES_MAX (1u << 22)

/**
 * A thread-safe, bounded, in-memory record of used nonces for one process.
 * Entries are kept until their challenge expires (plus the largest clock
 * skew), then evicted: when the cache is full, expired nonces are swept (at
 * most once per second of validation time). When it is full of unexpired
 * entries, a new nonce is not recorded and emza_replay_cache_use answers
 * EMZA_ELIMIT: it fails closed rather than forget a nonce that could still
 * be replayed. Memory: about 48 bytes per entry of `max_entries`.
 */
typedef struct emza_replay_cache emza_replay_cache;

/**
 * Makes an empty cache for at most `max_entries` nonces (0: the default;
 * above EMZA_REPLAY_CACHE_ENTRIES_MAX: EMZA_EINVAL). Released with
 * emza_replay_cache_free(). EMZA_ENOMEM.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_replay_cache_new(emza_replay_cache **out,
                                                              size_t max_entries);

/** Releases the cache (no thread may still use it); accepts NULL. */
EMZA_EXTERN void emza_replay_cache_free(emza_replay_cache *cache);

/**
 * The emza_replay_fn of an emza_replay_cache: pass it as `replay` with the
 * cache as `replay_ctx`. Returns 1 (first use, recorded), 0 (used before),
 * EMZA_EINVAL (NULL), EMZA_ELIMIT (full of unexpired nonces). Thread-safe.
 */
EMZA_EXTERN int emza_replay_cache_use(void *cache, const char *nonce, int64_t expires_at,
                                      int64_t now);

/** Number of nonces held now (expired ones not yet evicted included). Thread-safe. */
EMZA_EXTERN size_t emza_replay_cache_count(emza_replay_cache *cache);

/* ------------------------------------------------------------------------ */
/* tokens: verification                                                      */
/* ------------------------------------------------------------------------ */

/** Why a token was refused. Values are append-only. */
typedef enum emza_auth_reason {
    EMZA_AUTH_NONE = 0,            /**< not refused (accepted, or an operational error) */
    EMZA_AUTH_MALFORMED = 1,       /**< not a well-formed token: JSON, fields, base64, size,
                                        an unparsable certificate */
    EMZA_AUTH_EXPIRED = 2,         /**< the challenge expired (beyond the skew) */
    EMZA_AUTH_NOT_YET_VALID = 3,   /**< the challenge was issued in the future (beyond the skew) */
    EMZA_AUTH_REPLAYED = 4,        /**< the nonce was used before */
    EMZA_AUTH_ORIGIN_MISMATCH = 5, /**< the token names another origin than the verifier's */
    EMZA_AUTH_ALGORITHM = 6,       /**< unknown algorithm, one that does not fit the key, or a
                                        key or algorithm the policy refuses */
    EMZA_AUTH_BAD_SIGNATURE = 7,   /**< the signature does not verify over this origin and nonce */
    EMZA_AUTH_UNTRUSTED = 8,       /**< no valid chain to a trust anchor */
    EMZA_AUTH_REVOKED = 9,         /**< the certificate (or a CA) is revoked */
    EMZA_AUTH_KEY_USAGE = 10,      /**< the certificate is not for authentication
                                        (digitalSignature, clientAuth) */
    EMZA_AUTH_CERT_EXPIRED = 11,   /**< a certificate is outside its validity period */
    EMZA_AUTH_TRY_LATER = 12,      /**< revocation could not be checked now */
} emza_auth_reason;

/** "MALFORMED", "EXPIRED", ... ("NONE" for 0, "UNKNOWN" otherwise). Static storage. */
EMZA_EXTERN const char *emza_auth_reason_name(emza_auth_reason reason);

#define EMZA_AUTH_VERIFY_OPTIONS_VERSION 1u

/** Options of emza_auth_verify. Fields are only ever appended. */
typedef struct emza_auth_verify_options {
    unsigned int version;        /**< EMZA_AUTH_VERIFY_OPTIONS_VERSION */
    int has_validation_time;     /**< 0: now */
    int64_t validation_time;     /**< seconds since the epoch, used when has_validation_time */
    unsigned clock_skew_seconds; /**< default EMZA_AUTH_CLOCK_SKEW_DEFAULT; at most _MAX */
    const emza_trust *trust;     /**< the anchors; required */
    const emza_cert_list *untrusted; /**< intermediate certificates for the chain, or NULL */
    int offline;                 /**< 1: no network (a declared revocation source gives TRY_LATER) */
    int timeout_seconds;         /**< per revocation request; 0: EMZA_NETWORK_TIMEOUT_DEFAULT */
    emza_transport_fn transport; /**< route revocation requests through the application, or NULL */
    void *transport_ctx;         /**< passed to `transport` */
    /** Marks the nonce used. NULL: the process-wide default emza_replay_cache (made on first
        use, EMZA_REPLAY_CACHE_ENTRIES_DEFAULT nonces). A server that runs several processes or
        machines must give a callback over its shared store instead. */
    emza_replay_fn replay;
    void *replay_ctx; /**< passed to `replay` */
} emza_auth_verify_options;

#define EMZA_AUTH_VERIFY_OPTIONS_INIT                                                              \
    {EMZA_AUTH_VERIFY_OPTIONS_VERSION, 0, 0, EMZA_AUTH_CLOCK_SKEW_DEFAULT, NULL, NULL, 0, 0, NULL,  \
     NULL, NULL, NULL}

/** Sets `*opts` to the defaults. EMZA_EVERSION for a version this library does not know. */
EMZA_EXTERN int emza_auth_verify_options_init(emza_auth_verify_options *opts, unsigned int version);

/** Who logged in: immutable, shareable between threads. */
typedef struct emza_auth_identity emza_auth_identity;

/**
 * Verifies `token` (`len` bytes of JSON) for `challenge` and the verifier's
 * own `origin` (normalised as emza_auth_origin_normalize does). The checks,
 * in this order; the first that fails decides the reason:
 *   1. the token is well-formed (size, JSON, exactly the five fields with
 *      their types, format EMZA_AUTH_FORMAT, strict base64, a certificate) MALFORMED
 *   2. the challenge is fresh at the validation time:
 *      issued_at - skew <= time <= expires_at + skew     NOT_YET_VALID, EXPIRED
 *   3. the token's origin is the verifier's                ORIGIN_MISMATCH
 *   4. the algorithm is known, fits the certificate's key
 *      (RSA for RS/PS, the named curve for ES) and the default policy accepts
 *      the key                                            ALGORITHM
 *   5. the signature over SHA-256(origin) || SHA-256(nonce), hashed with the
 *      algorithm's digest, verifies with the certificate's key, over the
 *      *verifier's* origin                                BAD_SIGNATURE
 *   6. the certificate's chain to `opts->trust` at the validation time, for
 *      the purpose EMZA_PURPOSE_AUTH, with revocation as trust.h describes
 *      UNTRUSTED, KEY_USAGE, REVOKED, TRY_LATER, CERT_EXPIRED, ALGORITHM
 *   7. the nonce is used for the first time (opts->replay) REPLAYED
 * The nonce is consumed only by a token that passed every other check: a
 * forged or broken token cannot burn a citizen's challenge, and of several
 * copies of a valid token exactly one is accepted.
 *
 * On EMZA_OK `*out` is the caller's (emza_auth_identity_free) and `*reason`
 * EMZA_AUTH_NONE. A refusal is EMZA_EAUTH with `*reason` set and `*out` NULL.
 * Operational errors: EMZA_EINVAL (NULL arguments, no trust in `opts`, a
 * bad expected origin, a skew above the maximum), EMZA_EVERSION,
 * EMZA_ENOMEM, EMZA_ECRYPTO, and what `replay` returns (EMZA_ELIMIT from a
 * full cache). Thread-safe as the header's introduction says.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_auth_verify(emza_auth_identity **out,
                                                         emza_auth_reason *reason,
                                                         const char *token, size_t len,
                                                         const emza_auth_challenge *challenge,
                                                         const char *origin,
                                                         const emza_auth_verify_options *opts);

/** Releases an identity; accepts NULL. */
EMZA_EXTERN void emza_auth_identity_free(emza_auth_identity *identity);

/* Getters: strings borrowed from the identity (valid until it is freed), NULL when absent. */

/** The certificate that authenticated, borrowed (emza_cert_dup to keep it longer). */
EMZA_EXTERN const emza_cert *emza_auth_identity_cert(const emza_auth_identity *identity);
/** The checksum-valid national code (emza_cert_national_code). */
EMZA_EXTERN const char *emza_auth_identity_national_code(const emza_auth_identity *identity);
/** The legal-entity id (emza_cert_legal_id). */
EMZA_EXTERN const char *emza_auth_identity_legal_id(const emza_auth_identity *identity);
EMZA_EXTERN const char *emza_auth_identity_given_name(const emza_auth_identity *identity);
EMZA_EXTERN const char *emza_auth_identity_surname(const emza_auth_identity *identity);
EMZA_EXTERN const char *emza_auth_identity_common_name(const emza_auth_identity *identity);
/** The normalised origin the token was verified for. */
EMZA_EXTERN const char *emza_auth_identity_origin(const emza_auth_identity *identity);
/** The token's algorithm ("ES256", ...). */
EMZA_EXTERN const char *emza_auth_identity_algorithm(const emza_auth_identity *identity);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_AUTH_H */
