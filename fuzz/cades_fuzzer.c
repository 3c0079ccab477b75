/*
 * libFuzzer target: CMS / CAdES verification (lib/cades_verify.c) on
 * arbitrary bytes, through the internal entry point emza__cades_verify with a
 * verification job over the bytes, as emza_verify_file makes it — no file is
 * written per input. Offline, no trust anchors.
 *
 * Detached signatures get one --data file, written once per process with the
 * content the detached seeds sign ("emza fuzz content\n"), so the content
 * digest, the signature check and countersignatures are reached; attached
 * seeds carry their content.
 *
 * Besides crashes, leaks and sanitizer reports, it checks the report's
 * promises (report.h) and aborts when one is broken: an indication and a
 * sub-indication that agree, errors exactly when not passed, ids S0, S1, ...,
 * and JSON and text renderings that succeed. With EMZA_FUZZ_STRICT=1 in the
 * environment, an error code other than EMZA_ELIMIT (instead of a verdict in
 * the report) aborts too.
 *
 * Seeds: fuzz/corpora/cades/ (a P-256 detached .p7s, attached .p7m files, a
 * countersigned one, a PEM one, plain CMS without attributes, and detached
 * CAdES-LT and -LTA signatures that embed an OCSP response as an RFC 5940
 * RevocationInfoChoice and carry an archive-time-stamp-v3: made with
 * tests/interop/lt_test.py's fixture, P-256 "good" certificate).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <emza/core.h>
#include <emza/error.h>
#include <emza/indication.h>
#include <emza/report.h>
#include <emza/verify.h>

#include "policy_internal.h"
#include "report_internal.h"
#include "verify_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "cades_fuzzer: broken promise: %s (line %d)\n", #cond, __LINE__);      \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* What the detached seeds sign. */
static const char DETACHED_CONTENT[] = "emza fuzz content\n";

static char data_path[64];
static int strict;

static void remove_data_file(void)
{
    if (data_path[0] != '\0')
        unlink(data_path);
}

static void setup_once(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    CHECK(emza_init() == EMZA_OK);
    const char *s = getenv("EMZA_FUZZ_STRICT");
    strict = s != NULL && strcmp(s, "1") == 0;
    snprintf(data_path, sizeof(data_path), "/tmp/emza-cades-fuzz-XXXXXX");
    int fd = mkstemp(data_path);
    CHECK(fd >= 0);
    CHECK(write(fd, DETACHED_CONTENT, sizeof(DETACHED_CONTENT) - 1) ==
          (ssize_t)(sizeof(DETACHED_CONTENT) - 1));
    close(fd);
    atexit(remove_data_file);
}

static void check_signature(const emza_signature_report *sig, size_t index)
{
    char id[32];
    snprintf(id, sizeof(id), "S%zu", index);
    CHECK(strcmp(emza_signature_id(sig), id) == 0);
    emza_indication ind = emza_signature_indication(sig);
    emza_subindication sub = emza_signature_subindication(sig);
    CHECK(ind == EMZA_TOTAL_PASSED || ind == EMZA_TOTAL_FAILED || ind == EMZA_INDETERMINATE);
    if (ind == EMZA_TOTAL_PASSED) {
        CHECK(sub == EMZA_SUB_NONE);
        CHECK(emza_signature_error_count(sig) == 0);
    } else {
        CHECK(sub != EMZA_SUB_NONE);
        CHECK(emza_subindication_name(sub) != NULL);
        CHECK(emza_subindication_indication(sub) == ind);
        CHECK(emza_signature_error_count(sig) >= 1);
    }
    for (size_t i = 0; i < emza_signature_error_count(sig); i++) {
        CHECK(emza_signature_error_code(sig, i) != NULL);
        CHECK(emza_signature_error_message(sig, i) != NULL);
    }
    for (size_t i = 0; i < emza_signature_warning_count(sig); i++)
        CHECK(emza_signature_warning_code(sig, i) != NULL);
    for (size_t i = 0; i < emza_signature_object_count(sig); i++)
        CHECK(emza_signature_object_whole_document(sig, i) == 0 ||
              emza_signature_object_whole_document(sig, i) == 1);
    /* Nothing passes here: there is no trust anchor. */
    CHECK(ind != EMZA_TOTAL_PASSED);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    emza_verify_options opts = EMZA_VERIFY_OPTIONS_INIT;
    const char *paths[1] = {data_path};
    opts.offline = 1;
    opts.data_paths = paths;
    opts.data_count = 1;
    const int64_t now = INT64_C(1798761600); /* 2027-01-01T00:00:00Z */
    emza_report *report = NULL;
    CHECK(emza__report_new(&report, "fuzz.p7s",
                           "0000000000000000000000000000000000000000000000000000000000000000", now,
                           "default") == EMZA_OK);
    emza__verify_job job = {&opts, now, "fuzz.p7s", data, size, report,
                            emza__policy_or_default(NULL), NULL, NULL};
    int rc = emza__cades_verify(&job);
    if (rc != EMZA_OK) {
        CHECK(rc < 0);
        CHECK(emza_error_last_code() == rc);
        CHECK(emza_error_last_message() != NULL && emza_error_last_message()[0] != '\0');
        if (strict && rc != EMZA_ELIMIT) {
            fprintf(stderr, "cades_fuzzer: %s (%s) instead of a verdict\n", emza_error_name(rc),
                    emza_error_last_message());
            abort();
        }
    } else {
        CHECK(strcmp(emza_report_document_format(report), "CAdES") == 0);
        for (size_t i = 0; i < emza_report_signature_count(report); i++)
            check_signature(emza_report_signature(report, i), i);
        char *json = NULL, *text = NULL;
        CHECK(emza_report_to_json(&json, report) == EMZA_OK);
        CHECK(emza_report_to_text(&text, report) == EMZA_OK);
        emza_free(json);
        emza_free(text);
    }
    emza_report_free(report);
    emza_error_clear();
    return 0;
}
