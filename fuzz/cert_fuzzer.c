/*
 * libFuzzer target for certificate parsing (include/emza/cert.h): the bytes
 * go to emza_cert_parse() and emza_cert_list_add_data(); every certificate
 * that parses has every getter called (strings read to their end, so that
 * ASan sees a missing terminator), and the certificates of a list are
 * validated against a trust store made of that same list, so that chain
 * building and the classification of OpenSSL's findings (lib/trust.c) see
 * hostile certificates too.
 *
 * Seeds: fuzz/corpora/cert/ (small P-256 certificates in DER and PEM, two
 * bundles, one truncated DER). Built and run briefly by fuzz/meson.build;
 * for a long run, from a copy of the seeds:
 *   build/fuzz/cert_fuzzer -max_total_time=3600 CORPUS_COPY_DIR
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <emza/cert.h>
#include <emza/core.h>
#include <emza/error.h>
#include <emza/trust.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Most list certificates validated per input: each validation verifies
 * signatures, and OpenSSL 3.0 is slow at decoding public keys.
 */
#define VERIFY_MAX 2

/* Keeps results alive so that the calls are not optimised away. */
static volatile size_t sink;

static void use_string(const char *s)
{
    if (s != NULL)
        sink += strlen(s);
}

static void use_indexed(size_t count, const char *(*get)(const emza_cert *, size_t),
                        const emza_cert *c)
{
    for (size_t i = 0; i <= count; i++) { /* one past the end must be NULL */
        const char *s = get(c, i);
        if (i == count && s != NULL)
            abort();
        use_string(s);
    }
}

static void use_cert(const emza_cert *c, int reparse)
{
    use_string(emza_cert_subject(c));
    use_string(emza_cert_issuer(c));
    use_string(emza_cert_common_name(c));
    use_string(emza_cert_given_name(c));
    use_string(emza_cert_surname(c));
    use_string(emza_cert_organization(c));
    use_string(emza_cert_country(c));
    use_string(emza_cert_subject_serial_number(c));
    use_string(emza_cert_organization_identifier(c));

    const char *code = emza_cert_national_code(c);
    if (code != NULL && strlen(code) != 10)
        abort();
    const char *legal = emza_cert_legal_id(c);
    if (legal != NULL && strlen(legal) != 11)
        abort();

    use_string(emza_cert_serial_hex(c));
    sink += (size_t)emza_cert_not_before(c);
    sink += (size_t)emza_cert_not_after(c);
    const uint8_t *md = emza_cert_sha256(c);
    if (md == NULL)
        abort();
    sink += md[0] + md[31];
    const char *hex = emza_cert_sha256_hex(c);
    if (hex == NULL || strlen(hex) != 64)
        abort();
    size_t der_len = 0;
    const uint8_t *der = emza_cert_der(c, &der_len);
    if (der == NULL || der_len == 0 || der_len > EMZA_CERT_DER_MAX)
        abort();
    sink += der[0] + der[der_len - 1];

    use_string(emza_cert_key_algorithm(c));
    sink += emza_cert_key_bits(c);
    use_string(emza_cert_signature_algorithm(c));
    sink += (size_t)emza_cert_is_ca(c) + (size_t)emza_cert_is_self_signed(c);
    sink += (size_t)emza_cert_has_key_usage(c) + emza_cert_key_usage(c);
    sink += (size_t)emza_cert_has_ext_key_usage(c) + emza_cert_ext_key_usage(c);
    sink += (size_t)emza_cert_has_qc_statements(c) + emza_cert_qc_statements(c);
    use_indexed(emza_cert_policy_count(c), emza_cert_policy_oid, c);
    use_indexed(emza_cert_ocsp_url_count(c), emza_cert_ocsp_url, c);
    use_indexed(emza_cert_crl_url_count(c), emza_cert_crl_url, c);

    /* A second reference behaves as the first. */
    emza_cert *d = emza_cert_dup(c);
    if (d != c)
        abort();
    emza_cert_free(d);

    /* The DER handed out parses again to the same certificate. */
    if (!reparse)
        return;
    emza_cert *again = NULL;
    if (emza_cert_parse(&again, der, der_len) != EMZA_OK)
        abort();
    if (memcmp(emza_cert_sha256(again), md, 32) != 0)
        abort();
    emza_cert_free(again);
}

static void use_result(const emza_chain_result *r)
{
    emza_indication ind = emza_chain_result_indication(r);
    emza_subindication sub = emza_chain_result_subindication(r);
    /* A verdict is always a pair ETSI allows. */
    if (ind != emza_subindication_indication(sub))
        abort();
    if ((ind == EMZA_TOTAL_PASSED) != (emza_chain_result_error_count(r) == 0))
        abort();
    use_string(emza_chain_result_message(r));
    for (size_t i = 0; i < emza_chain_result_chain_length(r); i++)
        use_string(emza_cert_subject(emza_chain_result_chain_cert(r, i)));
    for (size_t i = 0; i < emza_chain_result_warning_count(r); i++) {
        use_string(emza_chain_result_warning_code(r, i));
        use_string(emza_chain_result_warning_message(r, i));
    }
    for (size_t i = 0; i < emza_chain_result_error_count(r); i++) {
        use_string(emza_chain_result_error_code(r, i));
        use_string(emza_chain_result_error_message(r, i));
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (emza_init() != EMZA_OK)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    emza_cert *c = NULL;
    int rc = emza_cert_parse(&c, data, size);
    if (rc == EMZA_OK) {
        use_cert(c, 1);
    } else {
        /* Fail closed, with a message in words. */
        if (c != NULL || emza_error_last_code() != rc || emza_error_last_message()[0] == '\0')
            abort();
    }

    emza_cert_list *list = NULL;
    if (emza_cert_list_new(&list) != EMZA_OK)
        abort();
    rc = emza_cert_list_add_data(list, data, size);
    size_t count = emza_cert_list_count(list);
    if (rc != EMZA_OK && count != 0) /* all or nothing */
        abort();
    if (rc == EMZA_OK && (count == 0 || c == NULL))
        abort(); /* a list that takes the bytes has a first certificate parse would take */
    for (size_t i = 0; i < count; i++)
        use_cert(emza_cert_list_get(list, i), 0);
    if (emza_cert_list_get(list, count) != NULL)
        abort();

    if (count > 0) {
        emza_trust *trust = NULL;
        if (emza_trust_new(&trust, list) != EMZA_OK) {
            emza_cert_list_free(list);
            emza_cert_free(c);
            return 0;
        }
        emza_chain_options opts = EMZA_CHAIN_OPTIONS_INIT;
        opts.has_validation_time = 1;
        opts.validation_time = INT64_C(1767225600); /* 2026-01-01: reproducible */
        opts.untrusted = list;
        opts.offline = 1;
        for (size_t i = 0; i < count && i < VERIFY_MAX; i++) {
            opts.purpose = (emza_purpose)(i % 3);
            emza_chain_result *r = NULL;
            if (emza_trust_verify(&r, trust, emza_cert_list_get(list, count - 1 - i), &opts) ==
                EMZA_OK)
                use_result(r);
            emza_chain_result_free(r);
        }
        emza_trust_free(trust);
    }
    emza_cert_list_free(list);
    emza_cert_free(c);
    return 0;
}
