/*
 * verify — check a signed document and print the verdict.
 *
 *   verify SIGNED-FILE TRUST-ANCHORS.pem [DETACHED-DATA...]
 *
 * Prints one line per signature (verdict, signer, national code) and exits
 * like `emza verify`: 0 all passed, 1 any failed, 2 indeterminate, 3 no
 * signature, 4 when the file could not be verified at all.
 *
 * Build: cc verify.c $(pkg-config --cflags --libs emza) -o verify
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

#include <emza/emza.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s SIGNED-FILE TRUST-ANCHORS.pem [DETACHED-DATA...]\n", argv[0]);
        return 4;
    }

    /* 1. The trust anchors: built once, shareable between threads. */
    emza_trust *trust = NULL;
    const char *anchors[] = {argv[2]};
    if (emza_trust_load(&trust, anchors, 1) != EMZA_OK) {
        fprintf(stderr, "verify: %s\n", emza_error_last_message());
        return 4;
    }

    /* 2. Options: start from the defaults, then say what to trust and where the data is. */
    emza_verify_options opts = EMZA_VERIFY_OPTIONS_INIT;
    opts.trust = trust;
    opts.data_paths = (const char *const *)&argv[3];
    opts.data_count = (size_t)(argc - 3);

    /* 3. Verify. An error code means no report (unreadable file...); a bad signature is a verdict. */
    emza_report *report = NULL;
    if (emza_verify_file(&report, argv[1], &opts) != EMZA_OK) {
        fprintf(stderr, "verify: %s\n", emza_error_last_message());
        emza_trust_free(trust);
        return 4;
    }

    /* 4. Walk the report: one verdict per signature, with who signed. */
    for (size_t i = 0; i < emza_report_signature_count(report); i++) {
        const emza_signature_report *sig = emza_report_signature(report, i);
        const emza_cert *signer = emza_signature_signer(sig);
        const char *sub = emza_subindication_name(emza_signature_subindication(sig));
        const char *code = signer ? emza_cert_national_code(signer) : NULL;
        printf("%s %s%s%s signed by %s, national code %s\n", emza_signature_id(sig),
               emza_indication_name(emza_signature_indication(sig)), sub ? "/" : "", sub ? sub : "",
               signer ? emza_cert_common_name(signer) : "(unknown)", code ? code : "(none)");
    }

    /* 5. One summary for the whole document; release what we own. */
    int verdict = (int)emza_report_summarize(report);
    emza_report_free(report);
    emza_trust_free(trust);
    return verdict;
}
