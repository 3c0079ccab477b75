/*
 * libFuzzer target over the XML signature verification path: arbitrary bytes
 * go through the safe parser, ID registration, structure checks, reference
 * resolution and transforms, canonicalization, key and certificate decoding
 * and the signature checks (lib/xades_verify.c, lib/xmldsig.c,
 * lib/xml_parse.c), exactly as emza_verify_file hands an XML file over. No
 * trust anchors and no detached data: nothing here can reach a file or the
 * network. Every report is walked and rendered, so a malformed entry shows up
 * as a sanitizer report too.
 *
 * Seeds: fuzz/corpora/xades/ (signatures made by emza and by xmlsec1, and
 * hostile documents).
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
    if (emza__report_new(&report, "fuzz.xml", NULL, FUZZ_TIME, "default") != EMZA_OK)
        return 0;
    emza__verify_job job = {&opts, FUZZ_TIME, "fuzz.xml", data, size, report,
                            emza__policy_or_default(NULL), NULL, NULL};
    int rc = emza__xades_verify(&job);
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
