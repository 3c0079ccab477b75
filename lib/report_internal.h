/*
 * Building a validation report (public side: include/emza/report.h). The
 * format modules (XAdES, CAdES, ASiC) fill one signature entry each; the
 * verdict comes from the entry's ranked findings (findings.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_REPORT_INTERNAL_H
#define EMZA_REPORT_INTERNAL_H

#include <emza/report.h>

#include "findings.h"

/** Most signatures one report holds; a document with more is refused (EMZA_ELIMIT). */
#define EMZA_REPORT_SIGNATURES_MAX 256
/** Most signed objects or timestamps one signature entry holds. */
#define EMZA_REPORT_ITEMS_MAX 1024

/** A new report for the file at `path` whose bytes hash to `sha256_hex`. */
int emza__report_new(emza_report **out, const char *path, const char *sha256_hex,
                     int64_t validation_time, const char *policy);
int emza__report_set_format(emza_report *report, const char *format);

/** Adds a signature entry ("S<n>"), borrowed from the report. */
int emza__report_add_signature(emza_signature_report **out, emza_report *report);

int emza__sig_set_level(emza_signature_report *sig, const char *level);
int emza__sig_set_algorithm(emza_signature_report *sig, const char *algorithm);
void emza__sig_set_claimed_time(emza_signature_report *sig, int64_t t);
void emza__sig_set_best_time(emza_signature_report *sig, int64_t t);
/** Keeps a new reference to the signing certificate. */
void emza__sig_set_signer(emza_signature_report *sig, const emza_cert *cert);
int emza__sig_add_object(emza_signature_report *sig, const char *uri, const char *name,
                         const char *digest_algorithm, const char *mime_type, int whole_document);
int emza__sig_add_timestamp(emza_signature_report *sig, const char *type, int64_t time,
                            const char *tsa, const char *indication);

/** The entry's findings: add errors (with stages) and warnings, then emza__sig_decide. */
emza__findings *emza__sig_errors(emza_signature_report *sig);
emza__findings *emza__sig_warnings(emza_signature_report *sig);
/** Informational entries (a policy constraint at level INFORM); they never change the verdict. */
emza__findings *emza__sig_infos(emza_signature_report *sig);

/** Signature entry `index` of a report being built; NULL when out of range. */
emza_signature_report *emza__report_signature_at(emza_report *report, size_t index);

/** Ranks the errors and sets the indication and sub-indication from the first. */
void emza__sig_decide(emza_signature_report *sig);

#endif /* EMZA_REPORT_INTERNAL_H */
