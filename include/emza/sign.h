/*
 * libemza — signing documents: one flow for every format.
 *
 * emza_sign() signs one or more input files with a signer (signer.h) into a
 * format chosen in the options — XAdES (enveloped, detached, enveloping),
 * CAdES (detached, attached) — and writes the result atomically: to a
 * temporary file beside the output, flushed to disk, then renamed. A failed
 * or interrupted signing leaves no partial file and never touches its inputs.
 *
 * Large inputs are streamed: detached formats hash the content in fixed-size
 * chunks, so memory does not grow with the document.
 *
 * Thread-safety: emza_sign may run in several threads at once with different
 * signers.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_SIGN_H
#define EMZA_SIGN_H

#include "common.h"
#include "signer.h"
#include "transport.h"
#include "trust.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Signature formats. */
typedef enum emza_format {
    EMZA_FORMAT_XADES_ENVELOPED = 1,  /**< the signature inside the signed XML document */
    EMZA_FORMAT_XADES_DETACHED = 2,   /**< a signature file beside one or more data files */
    EMZA_FORMAT_XADES_ENVELOPING = 3, /**< the data inside the signature (base64 for binary) */
    EMZA_FORMAT_CADES_DETACHED = 4,   /**< a .p7s beside the data file */
    EMZA_FORMAT_CADES_ATTACHED = 5,   /**< a .p7m that contains the data */
    EMZA_FORMAT_ASICE = 6,            /**< an ASiC-E container: the inputs as entries, a detached XAdES
                                           over them in META-INF/signatures0.xml (EMZA_SIGN_NEW only) */
} emza_format;

/** Baseline levels (ETSI EN 319 132-1 / 319 122-1). */
typedef enum emza_level {
    EMZA_LEVEL_B = 0,   /**< basic signature */
    EMZA_LEVEL_T = 1,   /**< with a signature timestamp from `tsa_url` */
    EMZA_LEVEL_LT = 2,  /**< T with the chains' certificates and revocation data (see extend.h for
                             what is gathered and when it is refused) */
    EMZA_LEVEL_LTA = 3, /**< LT with an archive timestamp */
} emza_level;

/** How a new signature relates to an existing one. */
typedef enum emza_sign_mode {
    EMZA_SIGN_NEW = 0,         /**< a new signed document */
    EMZA_SIGN_PARALLEL = 1,    /**< add a signature beside those in `existing` (co-signing) */
    EMZA_SIGN_COUNTERSIGN = 2, /**< countersign the signatures in `existing` (CAdES) */
} emza_sign_mode;

/**
 * Progress of a long operation: `done` of `total` bytes processed (`total`
 * is 0 when unknown). Called from the signing or verifying thread. Return 0
 * to go on; any other value cancels the operation, which then fails with
 * EMZA_ECANCELED (a cancelled signing writes nothing).
 */
typedef int (*emza_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/**
 * Version 2 appended `offline`, `trust` and `untrusted`; a caller built for
 * version 1 (a shorter struct) still works: those fields then take their defaults.
 */
#define EMZA_SIGN_OPTIONS_VERSION 2u

/** Options of emza_sign. Fields are only ever appended; start from EMZA_SIGN_OPTIONS_INIT. */
typedef struct emza_sign_options {
    unsigned int version;      /**< EMZA_SIGN_OPTIONS_VERSION */
    emza_format format;        /**< required */
    emza_level level;          /**< default EMZA_LEVEL_B */
    const char *digest;        /**< "sha256" (default when NULL), "sha384", "sha512" */
    int rsa_pss;               /**< 1: RSA-PSS for an RSA key (default PKCS#1 v1.5) */
    int has_signing_time;      /**< 0: the claimed signing time is now */
    int64_t signing_time;      /**< seconds since the epoch, used when has_signing_time */
    emza_sign_mode mode;       /**< default EMZA_SIGN_NEW */
    const char *existing;      /**< the signed file to add to or countersign (mode != NEW) */
    const char *mime_type;     /**< MIME type of the content; guessed from the name when NULL */
    const char *signer_role;   /**< XAdES claimed SignerRole, or NULL */
    const char *production_city;    /**< XAdES SignatureProductionPlaceV2, or NULL */
    const char *production_country; /**< ISO 3166 code, e.g. "IR", or NULL */
    const char *policy_oid;    /**< XAdES SignaturePolicyIdentifier OID, or NULL (implied policy) */
    const char *policy_sha256; /**< hex SHA-256 of the policy document, with policy_oid */
    emza_progress_fn progress; /**< or NULL */
    void *progress_ctx;
    const char *tsa_url;       /**< RFC 3161 time-stamping authority for levels T and above */
    int timeout_seconds;       /**< per network request; 0: EMZA_NETWORK_TIMEOUT_DEFAULT */
    emza_transport_fn transport; /**< route requests through the application, or NULL */
    void *transport_ctx;
    int offline;               /**< 1: no network at all; levels T and LTA then fail, LT works
                                    only when every certificate's revocation needs no request */
    const emza_trust *trust;   /**< anchors for the LT chains; NULL: the self-signed
                                    certificates of the signer's chain (a PKCS#12 usually
                                    holds the root) */
    const emza_cert_list *untrusted; /**< extra certificates for the LT chains, or NULL */
} emza_sign_options;

#define EMZA_SIGN_OPTIONS_INIT                                                                     \
    {EMZA_SIGN_OPTIONS_VERSION, (emza_format)0, EMZA_LEVEL_B, NULL, 0, 0, 0, EMZA_SIGN_NEW, NULL,  \
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL}

/**
 * Sets `*opts` to the defaults for `version` (1 writes only the fields of
 * version 1). EMZA_EVERSION for an unknown version.
 */
EMZA_EXTERN int emza_sign_options_init(emza_sign_options *opts, unsigned int version);

/**
 * Signs `input_count` files (`inputs`) into `output_path`.
 * CAdES takes exactly one input; XAdES enveloped one XML document; XAdES
 * detached and enveloping one or more files. Detached references name each
 * input by its file name (relative URI), so keep them beside the signature.
 * Errors: EMZA_EINVAL (bad options, wrong number of inputs, output equal to
 * an input), EMZA_EIO, EMZA_ELIMIT, EMZA_EFORMAT (an input that must be XML
 * is not, `existing` is not a signature), EMZA_EUNSUPPORTED (a format or
 * level this build cannot make yet; level T without `tsa_url`), EMZA_ECRYPTO.
 * At level T also: EMZA_ENETWORK (the TSA cannot be reached, times out or
 * refuses), EMZA_ELIMIT (its answer is too long), EMZA_EFORMAT (its answer is
 * not a TimeStampResp), EMZA_ECRYPTO (its token does not verify, is over other
 * data or carries another nonce), EMZA_EINVAL (the claimed signing time is
 * after the TSA's time). At levels LT and LTA also what emza_extend
 * (extend.h) refuses with: EMZA_EINVAL (a revoked certificate or a failing
 * chain), EMZA_ENETWORK (revocation data that cannot be had, or offline),
 * EMZA_ENOTFOUND (no chain to a trust anchor). Countersigning is made at B or
 * T only (EMZA_EUNSUPPORTED above).
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_sign(const emza_signer *signer,
                                                  const emza_sign_options *opts,
                                                  const char *const *inputs, size_t input_count,
                                                  const char *output_path);

/** "xades-enveloped", ... as on the command line; NULL for an unknown value. Static storage. */
EMZA_EXTERN const char *emza_format_name(emza_format format);
/** The format named `name` ("cades-detached"); 0 when unknown. */
EMZA_EXTERN emza_format emza_format_from_name(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_SIGN_H */
