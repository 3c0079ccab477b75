/*
 * What every signature format gets from the verification flow (verify.c),
 * and the validation steps that all formats share: the signing certificate's
 * chain (through the trust module) and the policy's acceptance of the
 * signature's own algorithm.
 *
 * The stages rank findings (findings.h) in the order of ETSI EN 319 102-1
 * clause 5.3.4 as EU DSS applies it: the first stage with an error decides.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_VERIFY_INTERNAL_H
#define EMZA_VERIFY_INTERNAL_H

#include <openssl/evp.h>

#include <emza/verify.h>

#include "report_internal.h"
#include "trust_internal.h"
#include "tsp.h"
#include "xmldsig.h"

enum {
    EMZA_STAGE_FORMAT = 1,       /* FORMAT_FAILURE, SIGNED_DATA_NOT_FOUND */
    EMZA_STAGE_SIGNING_CERT = 2, /* NO_SIGNING_CERTIFICATE_FOUND */
    EMZA_STAGE_CRYPTO = 3,       /* HASH_FAILURE, SIG_CRYPTO_FAILURE */
    EMZA_STAGE_X509 = 4,         /* the chain's verdict (trust.h) */
    EMZA_STAGE_ACCEPTANCE = 5,   /* CRYPTO_CONSTRAINTS_FAILURE_NO_POE for the signature itself */
};

typedef struct emza__verify_job {
    const emza_verify_options *opts; /* version checked, older versions completed with defaults */
    int64_t validation_time;
    const char *path;                /* the signed file */
    const uint8_t *data;             /* its bytes */
    size_t len;
    emza_report *report;             /* to fill: format and one entry per signature */
    const emza_policy *policy;       /* never NULL: the options' policy or the built-in default */
    /* Detached references resolve to these bytes instead of --data files (the entries of an
       ASiC container, asic.h); NULL outside a container. */
    emza__resolve_bytes_fn entry_resolve;
    void *entry_ctx;
} emza__verify_job;

/** What a signed file looks like, by its first bytes. */
typedef enum emza__detected_format {
    DETECTED_UNKNOWN,
    DETECTED_XML, /* '<' after an optional byte order mark and white space */
    DETECTED_CMS, /* DER SEQUENCE or PEM */
    DETECTED_ZIP, /* a ZIP local header (ASiC) */
} emza__detected_format;

/** Recognises the format of `len` bytes (verify.c; also used by extend.c). */
emza__detected_format emza__detect_format(const uint8_t *data, size_t len);

/** CMS / CAdES, DER or PEM (cades_verify.c). */
int emza__cades_verify(const emza__verify_job *job);

/** XML-DSig / XAdES (xades_verify.c). */
int emza__xades_verify(const emza__verify_job *job);

/** ASiC-E / ASiC-S containers (asic_verify.c). */
int emza__asic_verify(const emza__verify_job *job);

/**
 * The --data file whose file name equals the last component of `name` (a
 * reference URI or a file name); when exactly one data file was given and
 * `sole_ok` is 1, that one. NULL when none matches.
 */
const char *emza__verify_data_path(const emza__verify_job *job, const char *name, int sole_ok);

/**
 * Validates the signing certificate at the best signature time: chain to the
 * trust anchors (helped by the --untrusted certificates and `embedded`, those
 * the signature carries; may be NULL), purpose "sign", default policy. Its
 * errors go to `sig` at EMZA_STAGE_X509, its warnings too.
 */
int emza__verify_signer_chain(emza_signature_report *sig, const emza__verify_job *job,
                              const emza_cert *signer, const emza_cert_list *embedded,
                              int64_t best_time);

/**
 * emza__verify_signer_chain with the revocation values the signature
 * embeds (`values`, may be NULL), which the revocation seam tries before any
 * network source (LT and LTA signatures).
 */
int emza__verify_signer_chain_ex(emza_signature_report *sig, const emza__verify_job *job,
                                 const emza_cert *signer, const emza_cert_list *embedded,
                                 const emza__revocation_values *values, int64_t best_time);

/**
 * The policy's acceptance of the signature's own digest and key, with the
 * signature's best signature time as its proof of existence: a weak one is
 * recorded at the policy's cryptographic level (FAIL: an error at
 * EMZA_STAGE_ACCEPTANCE, CRYPTO_CONSTRAINTS_FAILURE_NO_POE).
 */
int emza__verify_signature_algorithm(emza_signature_report *sig, const emza__verify_job *job,
                                     int md_nid, const EVP_PKEY *key);

/**
 * The policy's acceptance of a digest the signature uses for its content
 * (a reference's DigestMethod): like emza__verify_signature_algorithm.
 * `what` names it in the message ("reference 2").
 */
int emza__verify_content_digest(emza_signature_report *sig, const emza__verify_job *job,
                                int md_nid, const char *what);

/** What the timestamps of one signature proved so far (emza__verify_timestamp). */
typedef struct emza__timestamp_tally {
    int number;                   /* timestamps validated */
    int have_passed;              /* at least one PASSED */
    int64_t earliest;             /* the earliest genTime of a PASSED one */
    int64_t earliest_accuracy_us; /* and its accuracy */
} emza__timestamp_tally;

/**
 * Validates one timestamp token `token` over `data` (tsp.h: token, imprint,
 * TSA chain at cx->validation_time) and lists it in the report's timestamps[]
 * as `type` ("SIGNATURE", "ARCHIVE"). One that does not pass gets a
 * TIMESTAMP_FAILED or TIMESTAMP_INDETERMINATE warning naming the cause; one
 * that passes is counted in `tally` (may be NULL). The verdict goes to
 * `*indication` and `*sub` (each may be NULL). Errors only when no verdict
 * could be reached (EMZA_ENOMEM, EMZA_ELIMIT).
 */
int emza__verify_timestamp(emza_signature_report *sig, emza__timestamp_tally *tally,
                           const char *type, emza_span token, emza_span data,
                           const emza__tsp_context *cx, emza_indication *indication,
                           emza_subindication *sub);

/**
 * After every signature timestamp (ETSI EN 319 102-1 clause 5.5): the
 * earliest PASSED genTime becomes the best signature time when it is earlier,
 * and a claimed signing time after it (beyond its accuracy and
 * EMZA_TSP_CLOCK_SKEW_MAX) is INDETERMINATE/TIMESTAMP_ORDER_FAILURE.
 */
int emza__verify_timestamps_conclude(emza_signature_report *sig,
                                     const emza__timestamp_tally *tally);

#endif /* EMZA_VERIFY_INTERNAL_H */
