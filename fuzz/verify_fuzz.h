/*
 * The run shared by the fuzz targets of whole-file verification paths
 * (xades_fuzzer.c, asic_fuzzer.c): a fixed validation time, offline, no trust
 * anchors and no detached data, so nothing can reach a file or the network;
 * every report is walked and rendered, so a malformed entry shows up as a
 * sanitizer report too.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_FUZZ_VERIFY_FUZZ_H
#define EMZA_FUZZ_VERIFY_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <emza/core.h>
#include <emza/error.h>
#include <emza/report.h>
#include <emza/verify.h>

#include "policy_internal.h"
#include "report_internal.h"
#include "verify_internal.h"

/* The fixed validation time of every run: 2026-11-22T00:00:00Z. */
#define FUZZ_TIME INT64_C(1795305600)

/* Verifies `data` as the file `name` with `verify` (a format module's entry point). */
static int fuzz_verify(const uint8_t *data, size_t size, const char *name,
                       int (*verify)(const emza__verify_job *job))
{
    if (emza_init() != EMZA_OK)
        abort();
    emza_verify_options opts = EMZA_VERIFY_OPTIONS_INIT;
    opts.offline = 1;
    opts.has_validation_time = 1;
    opts.validation_time = FUZZ_TIME;
    emza_report *report = NULL;
    if (emza__report_new(&report, name, NULL, FUZZ_TIME, "default") != EMZA_OK)
        return 0;
    emza__verify_job job = {&opts, FUZZ_TIME, name, data, size, report,
                            emza__policy_or_default(NULL), NULL, NULL};
    int rc = verify(&job);
    /* Untrusted bytes are a verdict, never an error: only running out of memory or crossing
     * the report's signature limit may stop the verification. */
    if (rc != EMZA_OK && rc != EMZA_ENOMEM && rc != EMZA_ELIMIT)
        abort();
    if (rc == EMZA_OK) {
        char *json = NULL, *text = NULL;
        if (emza_report_to_json(&json, report) == EMZA_OK)
            emza_free(json);
        if (emza_report_to_text(&text, report) == EMZA_OK)
            emza_free(text);
        (void)emza_report_summarize(report);
    }
    emza_report_free(report);
    return 0;
}

#endif /* EMZA_FUZZ_VERIFY_FUZZ_H */
