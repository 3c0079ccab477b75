/*
 * libemza — trust anchors and certificate-chain validation.
 *
 * An emza_trust is a set of trust anchors built once and immutable after:
 * it may be shared between threads and used by any number of validations at
 * once. Every certificate in it is an anchor, an intermediate CA included: a
 * chain that reaches any of them is complete (a partial chain is enough).
 *
 * emza_trust_verify() builds a chain from a certificate to an anchor (with
 * extra untrusted certificates to help), validates it at a chosen time under
 * the options' policy (policy.h; by default CONTRACT.md's "Default validation
 * policy"), checks the
 * purpose of the end certificate, and returns an emza_chain_result with an
 * ETSI EN 319 102-1 indication and sub-indication. A certificate that does
 * not validate is a verdict in the result, not an error code.
 *
 * The sub-indication is decided by the first check that fails, in this order:
 *   1. no chain to an anchor            INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND
 *   2. a certificate signature that does not verify, an unknown critical
 *      extension, a malformed certificate
 *                                       INDETERMINATE/CERTIFICATE_CHAIN_GENERAL_FAILURE
 *   3. CA constraints (basicConstraints, pathLen, keyCertSign), or the end
 *      certificate's purpose             INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE
 *   4. revocation                       TOTAL_FAILED/REVOKED, INDETERMINATE/TRY_LATER
 *   5. validity period at the validation time
 *                                       TOTAL_FAILED/NOT_YET_VALID (end certificate),
 *                                       INDETERMINATE/OUT_OF_BOUNDS_NO_POE
 *   6. algorithms and key sizes below the anchor
 *                                       INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE_NO_POE
 *
 * Revocation (step 4) is checked for every certificate below the anchor:
 * unless `offline`, its OCSP responders (authorityInfoAccess) are asked
 * first, then its CRL distribution points are downloaded, over http:// with
 * the options' timeout and transport. The first verified answer that covers
 * the validation time decides: revoked at or before it is TOTAL_FAILED/REVOKED
 * (INDETERMINATE/REVOKED_CA_NO_POE for a CA); no usable answer from a declared
 * source is INDETERMINATE/TRY_LATER with the reason of each source; no source
 * declared is a NO_REVOCATION_SOURCE warning. An OCSP responder that does not
 * echo the nonce gives an OCSP_NONCE_MISSING warning. Verified answers are
 * kept in a process-wide cache shared safely by all threads (not consulted
 * offline).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_TRUST_H
#define EMZA_TRUST_H

#include "cert.h"
#include "common.h"
#include "indication.h"
#include "policy.h"
#include "transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest chain built, anchor included. Longer chains give NO_CERTIFICATE_CHAIN_FOUND. */
#define EMZA_CHAIN_DEPTH_MAX 10

typedef struct emza_trust emza_trust;

/**
 * Builds a trust store from the certificates of `anchors` (copied by
 * reference: the list may be freed afterwards). An empty list is EMZA_EINVAL.
 * `*out` is the caller's, released with emza_trust_free().
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_trust_new(emza_trust **out, const emza_cert_list *anchors);

/**
 * Builds a trust store from `count` paths, each a PEM bundle, a DER
 * certificate or a directory of them (see emza_cert_list_add_path).
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_trust_load(emza_trust **out, const char *const *paths,
                                                        size_t count);

/** A new reference to the same store (never fails for non-NULL). */
EMZA_EXTERN emza_trust *emza_trust_dup(const emza_trust *trust);
/** Drops a reference; accepts NULL. */
EMZA_EXTERN void emza_trust_free(emza_trust *trust);

/** Number of anchors. */
EMZA_EXTERN size_t emza_trust_count(const emza_trust *trust);
/** Anchor `index`, borrowed from the store; NULL when out of range. */
EMZA_EXTERN const emza_cert *emza_trust_get(const emza_trust *trust, size_t index);

/** What the end certificate is to be used for. */
typedef enum emza_purpose {
    EMZA_PURPOSE_ANY = 0,  /**< no purpose check */
    EMZA_PURPOSE_SIGN = 1, /**< signing: keyUsage, when present, has nonRepudiation */
    EMZA_PURPOSE_AUTH = 2, /**< log-in: keyUsage, when present, has digitalSignature; an
                                extendedKeyUsage, when present, has clientAuth */
    /* For SIGN and AUTH, a certificate whose extendedKeyUsage is only timeStamping and/or
       OCSPSigning is refused: such keys are reserved (RFC 3161, RFC 6960). */
    EMZA_PURPOSE_TIMESTAMP = 3, /**< an RFC 3161 TSA: extendedKeyUsage present, critical, and
                                     exactly timeStamping; keyUsage, when present, has
                                     digitalSignature or nonRepudiation */
} emza_purpose;

/** Version 2 appended `policy`; version 1 structs are still accepted (policy NULL). */
#define EMZA_CHAIN_OPTIONS_VERSION 2u

/** Options of emza_trust_verify. Fields are only ever appended. */
typedef struct emza_chain_options {
    unsigned int version;        /**< EMZA_CHAIN_OPTIONS_VERSION */
    int has_validation_time;     /**< 0: validate at the current time */
    int64_t validation_time;     /**< seconds since the epoch, used when has_validation_time */
    emza_purpose purpose;        /**< default EMZA_PURPOSE_SIGN */
    const emza_cert_list *untrusted; /**< extra certificates for chain building, or NULL */
    int offline;                 /**< 1: never use the network (revocation sources count as unreachable) */
    int timeout_seconds;         /**< per OCSP or CRL request; 0: EMZA_NETWORK_TIMEOUT_DEFAULT */
    emza_transport_fn transport; /**< route OCSP and CRL requests through the application, or NULL */
    void *transport_ctx;         /**< passed to `transport` */
    /* version 2 */
    const emza_policy *policy;   /**< the validation policy (borrowed); NULL: the built-in default */
} emza_chain_options;

#define EMZA_CHAIN_OPTIONS_INIT                                                                    \
    {EMZA_CHAIN_OPTIONS_VERSION, 0, 0, EMZA_PURPOSE_SIGN, NULL, 0, 0, NULL, NULL, NULL}

/**
 * Sets `*opts` to the defaults of `version` (1 or 2: only that version's
 * fields are written). EMZA_EVERSION for a version this library does not know.
 */
EMZA_EXTERN int emza_chain_options_init(emza_chain_options *opts, unsigned int version);

typedef struct emza_chain_result emza_chain_result;

/**
 * Validates `cert` against `trust`. `opts` may be NULL for the defaults.
 * On EMZA_OK, `*out` holds the verdict (passed or not) and is the caller's,
 * released with emza_chain_result_free(). Errors (no verdict could be
 * reached): EMZA_EINVAL, EMZA_EVERSION, EMZA_ENOMEM, EMZA_ECRYPTO; `*out` is
 * NULL then. Thread-safe for a shared `trust`.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_trust_verify(emza_chain_result **out, const emza_trust *trust,
                                                          const emza_cert *cert,
                                                          const emza_chain_options *opts);

EMZA_EXTERN void emza_chain_result_free(emza_chain_result *result);

EMZA_EXTERN emza_indication emza_chain_result_indication(const emza_chain_result *result);
EMZA_EXTERN emza_subindication emza_chain_result_subindication(const emza_chain_result *result);
/** The reason in words ("certificate expired on 2021-01-01T00:00:00Z"); "" when passed. Borrowed. */
EMZA_EXTERN const char *emza_chain_result_message(const emza_chain_result *result);
/** The time the validation was made for. */
EMZA_EXTERN int64_t emza_chain_result_validation_time(const emza_chain_result *result);

/**
 * The chain that was built: index 0 is the validated certificate, the last
 * one the anchor. When no chain reaches an anchor (NO_CERTIFICATE_CHAIN_FOUND)
 * it is the partial chain built before the search failed: at least the
 * certificate itself, and its last element is not an anchor. Certificates
 * are borrowed from the result.
 */
EMZA_EXTERN size_t emza_chain_result_chain_length(const emza_chain_result *result);
EMZA_EXTERN const emza_cert *emza_chain_result_chain_cert(const emza_chain_result *result, size_t index);

/**
 * Warnings (validation passed with a remark) and errors (every failed check,
 * the deciding one first). Each has a stable code ("NO_KEY_USAGE",
 * "NO_REVOCATION_SOURCE", "CERT_EXPIRED", ...) and a message in words;
 * borrowed strings, NULL when out of range.
 */
EMZA_EXTERN size_t emza_chain_result_warning_count(const emza_chain_result *result);
EMZA_EXTERN const char *emza_chain_result_warning_code(const emza_chain_result *result, size_t index);
EMZA_EXTERN const char *emza_chain_result_warning_message(const emza_chain_result *result, size_t index);
/** Informational entries (policy constraints at level INFORM); same conventions as warnings. */
EMZA_EXTERN size_t emza_chain_result_info_count(const emza_chain_result *result);
EMZA_EXTERN const char *emza_chain_result_info_code(const emza_chain_result *result, size_t index);
EMZA_EXTERN const char *emza_chain_result_info_message(const emza_chain_result *result, size_t index);
EMZA_EXTERN size_t emza_chain_result_error_count(const emza_chain_result *result);
EMZA_EXTERN const char *emza_chain_result_error_code(const emza_chain_result *result, size_t index);
EMZA_EXTERN const char *emza_chain_result_error_message(const emza_chain_result *result, size_t index);
/** The sub-indication error `index` stands for (EMZA_SUB_NONE when out of range). */
EMZA_EXTERN emza_subindication emza_chain_result_error_subindication(const emza_chain_result *result,
                                                                     size_t index);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_TRUST_H */
