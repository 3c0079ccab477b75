/*
 * libFuzzer target over the ASiC container verification path: arbitrary
 * bytes go through libzip from memory, the limits and entry-name rules, the
 * mimetype, the ODF manifest (lib/asic.c), and then the XAdES verification of
 * each signatures*.xml with references resolved to container entries, or the
 * ASiC-S timestamp token (lib/asic_verify.c), exactly as emza_verify_file
 * hands a ZIP over. A fixed validation time, offline, no trust anchors:
 * nothing here can reach a file or the network. Every report is walked and
 * rendered.
 *
 * Seeds: fuzz/corpora/asic/ (the libdigidocpp containers of
 * ../shared/vectors/asic-interop and containers made by `emza sign --format asice`).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fixed validation time of every run: 2026-11-22T00:00:00Z. */
#define FUZZ_TIME INT64_C(1795305600)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (emza_init() != EMZA_OK)
        abort();
    emza_verify_options opts = EMZA_VERIFY_OPTIONS_INIT;
    opts.offline = 1;
    opts.has_validation_time = 1;
    opts.validation_time = FUZZ_TIME;
    emza_report *report = NULL;
    if (emza__report_new(&report, "fuzz.asice", NULL, FUZZ_TIME, "default") != EMZA_OK)
        return 0;
    emza__verify_job job = {&opts, FUZZ_TIME, "fuzz.asice", data, size, report,
                            emza__policy_or_default(NULL), NULL, NULL};
    int rc = emza__asic_verify(&job);
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
