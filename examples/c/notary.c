/*
 * notary — a citizen signs a deed and the notary office countersigns it.
 *
 *   EMZA_PASS=... notary DEED CITIZEN.p12 NOTARY.p12 TRUST-ANCHORS.pem OUT-DIR
 *
 * 1. The citizen signs the deed: a CAdES attached signature (deed.p7m).
 * 2. The notary countersigns the citizen's signature (deed.notarised.p7m):
 *    the notary vouches that this citizen signed, at that time.
 * 3. Both signatures are verified and each signer is printed.
 * Both PKCS#12 files are opened with the password in $EMZA_PASS.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>

#include <emza/emza.h>

/* Signs `input` into `output` with the key in `p12`; countersigns `existing` when not NULL. */
static int sign_with(const char *p12, const char *password, const char *input, const char *existing,
                     const char *output)
{
    emza_signer *signer = NULL;
    if (emza_signer_open_pkcs12(&signer, p12, password) != EMZA_OK)
        return -1;
    emza_sign_options opts = EMZA_SIGN_OPTIONS_INIT;
    opts.format = EMZA_FORMAT_CADES_ATTACHED; /* the deed travels inside the signature */
    if (existing != NULL) {
        opts.mode = EMZA_SIGN_COUNTERSIGN;  /* sign the citizen's signature, not the deed again */
        opts.existing = existing;
    }
    int rc = emza_sign(signer, &opts, &input, 1, output);
    emza_signer_free(signer); /* wipes the private key */
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: EMZA_PASS=... %s DEED CITIZEN.p12 NOTARY.p12 TRUST.pem OUT-DIR\n", argv[0]);
        return 4;
    }
    const char *password = getenv("EMZA_PASS");
    char signed_path[4096], notarised_path[4096];
    snprintf(signed_path, sizeof(signed_path), "%s/deed.p7m", argv[5]);
    snprintf(notarised_path, sizeof(notarised_path), "%s/deed.notarised.p7m", argv[5]);

    /* 1. and 2.: the citizen signs, the notary countersigns. */
    if (sign_with(argv[2], password ? password : "", argv[1], NULL, signed_path) != EMZA_OK ||
        sign_with(argv[3], password ? password : "", argv[1], signed_path, notarised_path) != EMZA_OK) {
        fprintf(stderr, "notary: %s\n", emza_error_last_message());
        return 4;
    }

    /* 3. Verify the notarised deed: both signatures, each with its signer. */
    emza_trust *trust = NULL;
    const char *anchors[] = {argv[4]};
    emza_report *report = NULL;
    emza_verify_options opts = EMZA_VERIFY_OPTIONS_INIT;
    opts.offline = 1;
    if (emza_trust_load(&trust, anchors, 1) != EMZA_OK ||
        (opts.trust = trust, emza_verify_file(&report, notarised_path, &opts)) != EMZA_OK) {
        fprintf(stderr, "notary: %s\n", emza_error_last_message());
        emza_trust_free(trust);
        return 4;
    }
    for (size_t i = 0; i < emza_report_signature_count(report); i++) {
        const emza_signature_report *sig = emza_report_signature(report, i);
        const emza_cert *who = emza_signature_signer(sig);
        const char *code = who ? emza_cert_national_code(who) : NULL;
        const char *legal = who ? emza_cert_legal_id(who) : NULL;
        printf("%s %s: %s (%s %s)\n", emza_signature_id(sig),
               emza_indication_name(emza_signature_indication(sig)),
               who ? emza_cert_common_name(who) : "(unknown)", code ? "national code" : "legal id",
               code ? code : legal ? legal : "(none)");
    }
    int verdict = (int)emza_report_summarize(report);
    printf("%s\n", verdict == EMZA_REPORT_ALL_PASSED ? "deed notarised" : "deed NOT notarised");
    emza_report_free(report);
    emza_trust_free(trust);
    return verdict;
}
