/*
 * libemza — the validation report of a signed document.
 *
 * emza_verify_*() (verify.h) returns an emza_report: what the document is,
 * when and under which policy it was validated, and for every signature found
 * an ETSI EN 319 102-1 verdict with the signer's identity, exactly what the
 * signature covers, its timestamps, and the reasons. The report can be walked
 * with the getters below, or rendered as the JSON of CONTRACT.md
 * ("Validation report") or as human text.
 *
 * A report is immutable once returned and may be read from several threads.
 * Every string and object a getter returns is borrowed from the report and
 * valid until emza_report_free(). Getters return NULL (or 0) for an absent
 * item or an index out of range.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_REPORT_H
#define EMZA_REPORT_H

#include "cert.h"
#include "common.h"
#include "indication.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct emza_report emza_report;
typedef struct emza_signature_report emza_signature_report;

/** Releases a report; accepts NULL. */
EMZA_EXTERN void emza_report_free(emza_report *report);

/* --- the document --- */

/** The path of the validated file, as given. */
EMZA_EXTERN const char *emza_report_document_path(const emza_report *report);
/** "XAdES", "XMLDSig", "CAdES", "ASiC-E", "ASiC-S", or "unknown" when the format was not recognised. */
EMZA_EXTERN const char *emza_report_document_format(const emza_report *report);
/** SHA-256 of the file's bytes, 64 lower-case hex digits. */
EMZA_EXTERN const char *emza_report_document_sha256(const emza_report *report);
/** The time the validation was made for (seconds since the epoch). */
EMZA_EXTERN int64_t emza_report_validation_time(const emza_report *report);
/** Name of the policy applied ("default"). */
EMZA_EXTERN const char *emza_report_policy(const emza_report *report);

/** What the whole report amounts to; the values are the `emza verify` exit codes. */
typedef enum emza_report_summary {
    EMZA_REPORT_ALL_PASSED = 0,    /**< every signature TOTAL_PASSED */
    EMZA_REPORT_ANY_FAILED = 1,    /**< at least one TOTAL_FAILED */
    EMZA_REPORT_INDETERMINATE = 2, /**< none failed, at least one INDETERMINATE */
    EMZA_REPORT_NO_SIGNATURE = 3,  /**< no signature found */
} emza_report_summary;

EMZA_EXTERN emza_report_summary emza_report_summarize(const emza_report *report);

/* --- signatures --- */

EMZA_EXTERN size_t emza_report_signature_count(const emza_report *report);
EMZA_EXTERN const emza_signature_report *emza_report_signature(const emza_report *report, size_t index);

/** "S0", "S1", ... in document order. */
EMZA_EXTERN const char *emza_signature_id(const emza_signature_report *sig);
EMZA_EXTERN emza_indication emza_signature_indication(const emza_signature_report *sig);
/** EMZA_SUB_NONE when passed. */
EMZA_EXTERN emza_subindication emza_signature_subindication(const emza_signature_report *sig);
/** "XAdES-BASELINE-B", "CAdES-BASELINE-T", "XMLDSig", "CMS", "TST", ... NULL when not determined. */
EMZA_EXTERN const char *emza_signature_level(const emza_signature_report *sig);
/** "rsa-sha256", "ecdsa-sha384", "rsa-pss-sha256", ...; NULL when not determined. */
EMZA_EXTERN const char *emza_signature_algorithm(const emza_signature_report *sig);
/** The signing time the signer claims; 0 in *out_present when absent. */
EMZA_EXTERN int64_t emza_signature_claimed_signing_time(const emza_signature_report *sig, int *out_present);
/** The best signature time (earliest proof of existence, else the validation time). */
EMZA_EXTERN int64_t emza_signature_best_signature_time(const emza_signature_report *sig);
/** The signing certificate; NULL when it could not be identified. */
EMZA_EXTERN const emza_cert *emza_signature_signer(const emza_signature_report *sig);

/** What the signature covers, one entry per reference or signed content. */
EMZA_EXTERN size_t emza_signature_object_count(const emza_signature_report *sig);
/** The reference URI as written ("" for the whole document; NULL for CMS content). */
EMZA_EXTERN const char *emza_signature_object_uri(const emza_signature_report *sig, size_t index);
/** A file name for the object when there is one (detached file, container entry, the document). */
EMZA_EXTERN const char *emza_signature_object_name(const emza_signature_report *sig, size_t index);
/** "sha256", ... */
EMZA_EXTERN const char *emza_signature_object_digest_algorithm(const emza_signature_report *sig, size_t index);
/** The MIME type the signature declares for it, or NULL. */
EMZA_EXTERN const char *emza_signature_object_mime_type(const emza_signature_report *sig, size_t index);
/** 1 when the object is the whole document (or the whole detached file), 0 when only a part. */
EMZA_EXTERN int emza_signature_object_whole_document(const emza_signature_report *sig, size_t index);

/** Timestamps on the signature. */
EMZA_EXTERN size_t emza_signature_timestamp_count(const emza_signature_report *sig);
/** "SIGNATURE", "ARCHIVE", ... */
EMZA_EXTERN const char *emza_signature_timestamp_type(const emza_signature_report *sig, size_t index);
EMZA_EXTERN int64_t emza_signature_timestamp_time(const emza_signature_report *sig, size_t index);
/** The TSA's name (subject of its certificate), or NULL. */
EMZA_EXTERN const char *emza_signature_timestamp_tsa(const emza_signature_report *sig, size_t index);
/** "PASSED", "FAILED" or "INDETERMINATE". */
EMZA_EXTERN const char *emza_signature_timestamp_indication(const emza_signature_report *sig, size_t index);

/**
 * Errors (every failed check, the deciding one first) and warnings, each a
 * stable code ("HASH_MISMATCH", "PARTIAL_COVERAGE", "NO_REVOCATION_SOURCE",
 * ...) and a message in words.
 */
EMZA_EXTERN size_t emza_signature_error_count(const emza_signature_report *sig);
EMZA_EXTERN const char *emza_signature_error_code(const emza_signature_report *sig, size_t index);
EMZA_EXTERN const char *emza_signature_error_message(const emza_signature_report *sig, size_t index);
EMZA_EXTERN size_t emza_signature_warning_count(const emza_signature_report *sig);
EMZA_EXTERN const char *emza_signature_warning_code(const emza_signature_report *sig, size_t index);
EMZA_EXTERN const char *emza_signature_warning_message(const emza_signature_report *sig, size_t index);
/**
 * Informational entries: a policy constraint at level INFORM that was not met
 * (policy.h). They never change the indication. Same conventions as warnings.
 */
EMZA_EXTERN size_t emza_signature_info_count(const emza_signature_report *sig);
EMZA_EXTERN const char *emza_signature_info_code(const emza_signature_report *sig, size_t index);
EMZA_EXTERN const char *emza_signature_info_message(const emza_signature_report *sig, size_t index);

/* --- rendering --- */

/**
 * The report as CONTRACT.md's JSON ("emzaReport": 1), UTF-8, indented, in a
 * new string `*out` released with emza_free(). EMZA_ENOMEM on failure.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_report_to_json(char **out, const emza_report *report);

/**
 * The report as human text: per signature the verdict, the signer and their
 * national code, times in UTC and in the Solar Hijri calendar (Tehran), what
 * was signed, and the reasons in words. Control and bidi-override characters
 * from the document or certificates are shown escaped. New string `*out`,
 * released with emza_free().
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_report_to_text(char **out, const emza_report *report);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_REPORT_H */
