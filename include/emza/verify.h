/*
 * libemza — verifying signed documents.
 *
 * emza_verify_file() recognises the format of a file (XML signature, CMS /
 * CAdES in DER or PEM), validates every signature in it under the options'
 * policy (policy.h; NULL: the built-in default policy), and returns an emza_report (report.h). A signature that does not
 * validate is a verdict in the report; an error code means no report could be
 * made (unreadable file, bad options, out of memory).
 *
 * Untrusted input never reaches the network: XML is parsed without DTDs,
 * external entities or network access, and only same-document references and
 * the detached files named in the options are resolved. With `offline`, no
 * network access happens at all.
 *
 * Thread-safety: emza_verify_file may run in many threads at once sharing one
 * emza_trust, one untrusted list and one emza_policy.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_VERIFY_H
#define EMZA_VERIFY_H

#include "cert.h"
#include "common.h"
#include "policy.h"
#include "report.h"
#include "sign.h"
#include "transport.h"
#include "trust.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest signed file accepted when it is read whole (XML, CMS); detached content is streamed. */
#define EMZA_SIGNED_FILE_MAX (256 * 1024 * 1024)

/** Version 2 appended `policy`; version 1 structs are still accepted (policy NULL). */
#define EMZA_VERIFY_OPTIONS_VERSION 2u

/** Options of emza_verify_file. Fields are only ever appended; start from EMZA_VERIFY_OPTIONS_INIT. */
typedef struct emza_verify_options {
    unsigned int version;            /**< EMZA_VERIFY_OPTIONS_VERSION */
    const emza_trust *trust;         /**< trust anchors; NULL trusts nothing */
    const emza_cert_list *untrusted; /**< extra certificates for chain building, or NULL */
    int has_validation_time;         /**< 0: validate at the current time */
    int64_t validation_time;
    int offline;                     /**< 1: never use the network */
    const char *const *data_paths;   /**< detached content files, matched by file name */
    size_t data_count;
    emza_progress_fn progress;       /**< or NULL */
    void *progress_ctx;
    int timeout_seconds;             /**< per network request; 0: EMZA_NETWORK_TIMEOUT_DEFAULT */
    emza_transport_fn transport;     /**< route requests through the application, or NULL */
    void *transport_ctx;
    /* version 2 */
    const emza_policy *policy;       /**< validation policy (borrowed; may be shared between
                                          threads); NULL: the built-in default. Its name is the
                                          report's "policy". */
} emza_verify_options;

#define EMZA_VERIFY_OPTIONS_INIT                                                                   \
    {EMZA_VERIFY_OPTIONS_VERSION, NULL, NULL, 0, 0, 0, NULL, 0, NULL, NULL, 0, NULL, NULL, NULL}

/**
 * Sets `*opts` to the defaults of `version` (1 or 2: only that version's
 * fields are written). EMZA_EVERSION for an unknown version.
 */
EMZA_EXTERN int emza_verify_options_init(emza_verify_options *opts, unsigned int version);

/**
 * Validates every signature in the file at `path`. On EMZA_OK `*out` is the
 * caller's report (emza_report_free). Errors: EMZA_EINVAL, EMZA_EVERSION,
 * EMZA_EIO (the file or a --data file cannot be read), EMZA_ELIMIT (larger
 * than EMZA_SIGNED_FILE_MAX), EMZA_ENOMEM. A file in no known format is a
 * report with one TOTAL_FAILED/FORMAT_FAILURE entry, not an error.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_verify_file(emza_report **out, const char *path,
                                                         const emza_verify_options *opts);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_VERIFY_H */
