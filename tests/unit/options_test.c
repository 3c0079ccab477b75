/*
 * Tests of the heap options objects for language bindings
 * (include/emza/options.h, lib/options.c): each constructor gives the same
 * defaults as the stack initialiser, each setter stores what it is given and
 * refuses what is out of range (leaving the struct unchanged), and the objects
 * drive a real sign and verify.
 *
 * Fixtures: the test PKI made by tests/fixtures/make-pki.sh (EMZA_PKI_DIR).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <emza/options.h>

#include "support.h"

static int setup(void **state)
{
    (void)state;
    return ts_make_root("options");
}

static int teardown(void **state)
{
    (void)state;
    remove_tree(g_root);
    return 0;
}

static void test_options__verify_new_gives_the_defaults_and_setters_store(void **state)
{
    (void)state;
    emza_verify_options *o = NULL;
    assert_ok(emza_verify_options_new(&o));
    emza_verify_options want = EMZA_VERIFY_OPTIONS_INIT;
    /* field by field: padding bytes are not part of the defaults */
    assert_int_equal(o->version, want.version);
    assert_ptr_equal(o->trust, want.trust);
    assert_ptr_equal(o->untrusted, want.untrusted);
    assert_int_equal(o->has_validation_time, want.has_validation_time);
    assert_int_equal(o->validation_time, want.validation_time);
    assert_int_equal(o->offline, want.offline);
    assert_ptr_equal(o->data_paths, want.data_paths);
    assert_int_equal(o->data_count, want.data_count);
    assert_ptr_equal(o->progress, want.progress);
    assert_ptr_equal(o->progress_ctx, want.progress_ctx);
    assert_int_equal(o->timeout_seconds, want.timeout_seconds);
    assert_ptr_equal(o->transport, want.transport);
    assert_ptr_equal(o->transport_ctx, want.transport_ctx);

    emza_trust *trust = NULL;
    const char *anchor = pki("trust/root.pem");
    assert_ok(emza_trust_load(&trust, &anchor, 1));
    emza_cert_list *list = NULL;
    assert_ok(emza_cert_list_new(&list));
    const char *data[] = {"a.txt", "b.txt"};

    assert_ok(emza_verify_options_set_trust(o, trust));
    assert_ok(emza_verify_options_set_untrusted(o, list));
    assert_ok(emza_verify_options_set_validation_time(o, 1800000000));
    assert_ok(emza_verify_options_set_offline(o, 1));
    assert_ok(emza_verify_options_set_data(o, data, 2));
    assert_ok(emza_verify_options_set_timeout(o, 7));
    assert_ptr_equal(o->trust, trust);
    assert_ptr_equal(o->untrusted, list);
    assert_int_equal(o->has_validation_time, 1);
    assert_int_equal(o->validation_time, 1800000000);
    assert_int_equal(o->offline, 1);
    assert_ptr_equal(o->data_paths, data);
    assert_int_equal(o->data_count, 2);
    assert_int_equal(o->timeout_seconds, 7);

    assert_ok(emza_verify_options_clear_validation_time(o));
    assert_int_equal(o->has_validation_time, 0);
    assert_ok(emza_verify_options_set_data(o, NULL, 0));
    assert_null(o->data_paths);
    assert_int_equal(o->data_count, 0);

    emza_verify_options_free(o);
    emza_cert_list_free(list);
    emza_trust_free(trust);
    emza_verify_options_free(NULL);
}

static void test_options__verify_setters_refuse_bad_values_unchanged(void **state)
{
    (void)state;
    emza_verify_options *o = NULL;
    assert_error(emza_verify_options_new(NULL), EMZA_EINVAL);
    assert_ok(emza_verify_options_new(&o));
    assert_error(emza_verify_options_set_offline(o, 2), EMZA_EINVAL);
    assert_int_equal(o->offline, 0);
    assert_error(emza_verify_options_set_timeout(o, -1), EMZA_EINVAL);
    assert_int_equal(o->timeout_seconds, 0);
    assert_error(emza_verify_options_set_data(o, NULL, 3), EMZA_EINVAL);
    assert_int_equal(o->data_count, 0);
    assert_error(emza_verify_options_set_trust(NULL, NULL), EMZA_EINVAL);
    assert_error(emza_verify_options_set_untrusted(NULL, NULL), EMZA_EINVAL);
    assert_error(emza_verify_options_set_validation_time(NULL, 0), EMZA_EINVAL);
    assert_error(emza_verify_options_clear_validation_time(NULL), EMZA_EINVAL);
    assert_error(emza_verify_options_set_offline(NULL, 0), EMZA_EINVAL);
    assert_error(emza_verify_options_set_data(NULL, NULL, 0), EMZA_EINVAL);
    assert_error(emza_verify_options_set_timeout(NULL, 0), EMZA_EINVAL);
    emza_verify_options_free(o);
}

static void test_options__sign_new_gives_the_defaults_and_setters_store(void **state)
{
    (void)state;
    emza_sign_options *o = NULL;
    assert_ok(emza_sign_options_new(&o, EMZA_FORMAT_CADES_DETACHED));
    emza_sign_options want = EMZA_SIGN_OPTIONS_INIT;
    want.format = EMZA_FORMAT_CADES_DETACHED;
    assert_int_equal(o->version, want.version);
    assert_int_equal(o->format, want.format);
    assert_int_equal(o->level, want.level);
    assert_ptr_equal(o->digest, want.digest);
    assert_int_equal(o->rsa_pss, want.rsa_pss);
    assert_int_equal(o->has_signing_time, want.has_signing_time);
    assert_int_equal(o->mode, want.mode);
    assert_ptr_equal(o->existing, want.existing);
    assert_ptr_equal(o->mime_type, want.mime_type);
    assert_ptr_equal(o->signer_role, want.signer_role);
    assert_ptr_equal(o->production_city, want.production_city);
    assert_ptr_equal(o->policy_oid, want.policy_oid);
    assert_ptr_equal(o->progress, want.progress);
    assert_ptr_equal(o->tsa_url, want.tsa_url);
    assert_int_equal(o->timeout_seconds, want.timeout_seconds);
    assert_ptr_equal(o->transport, want.transport);

    assert_ok(emza_sign_options_set_level(o, EMZA_LEVEL_T));
    assert_ok(emza_sign_options_set_digest(o, "sha384"));
    assert_ok(emza_sign_options_set_rsa_pss(o, 1));
    assert_ok(emza_sign_options_set_signing_time(o, 1700000000));
    assert_ok(emza_sign_options_set_mode(o, EMZA_SIGN_COUNTERSIGN, "deed.p7s"));
    assert_ok(emza_sign_options_set_mime_type(o, "text/plain"));
    assert_ok(emza_sign_options_set_signer_role(o, "notary"));
    assert_ok(emza_sign_options_set_production_place(o, "Tehran", "IR"));
    assert_ok(emza_sign_options_set_policy(o, "1.2.3", "00"));
    assert_ok(emza_sign_options_set_tsa_url(o, "http://127.0.0.1:1/tsa"));
    assert_ok(emza_sign_options_set_timeout(o, 5));
    assert_int_equal(o->level, EMZA_LEVEL_T);
    assert_string_equal(o->digest, "sha384");
    assert_int_equal(o->rsa_pss, 1);
    assert_int_equal(o->has_signing_time, 1);
    assert_int_equal(o->signing_time, 1700000000);
    assert_int_equal(o->mode, EMZA_SIGN_COUNTERSIGN);
    assert_string_equal(o->existing, "deed.p7s");
    assert_string_equal(o->mime_type, "text/plain");
    assert_string_equal(o->signer_role, "notary");
    assert_string_equal(o->production_city, "Tehran");
    assert_string_equal(o->production_country, "IR");
    assert_string_equal(o->policy_oid, "1.2.3");
    assert_string_equal(o->policy_sha256, "00");
    assert_string_equal(o->tsa_url, "http://127.0.0.1:1/tsa");
    assert_int_equal(o->timeout_seconds, 5);

    /* back to a new document forgets the existing file */
    assert_ok(emza_sign_options_set_mode(o, EMZA_SIGN_NEW, "ignored"));
    assert_int_equal(o->mode, EMZA_SIGN_NEW);
    assert_null(o->existing);
    emza_sign_options_free(o);
    emza_sign_options_free(NULL);
}

static void test_options__sign_refuses_bad_values_unchanged(void **state)
{
    (void)state;
    emza_sign_options *o = (emza_sign_options *)&o; /* not NULL: must come back NULL */
    assert_error(emza_sign_options_new(&o, (emza_format)0), EMZA_EINVAL);
    assert_null(o);
    assert_error(emza_sign_options_new(&o, (emza_format)99), EMZA_EINVAL);
    assert_null(o);
    assert_error(emza_sign_options_new(NULL, EMZA_FORMAT_CADES_ATTACHED), EMZA_EINVAL);

    assert_ok(emza_sign_options_new(&o, EMZA_FORMAT_XADES_ENVELOPED));
    assert_error(emza_sign_options_set_level(o, (emza_level)4), EMZA_EINVAL);
    assert_error(emza_sign_options_set_level(o, (emza_level)-1), EMZA_EINVAL);
    assert_int_equal(o->level, EMZA_LEVEL_B);
    assert_error(emza_sign_options_set_rsa_pss(o, 2), EMZA_EINVAL);
    assert_int_equal(o->rsa_pss, 0);
    assert_error(emza_sign_options_set_mode(o, EMZA_SIGN_PARALLEL, NULL), EMZA_EINVAL);
    assert_error(emza_sign_options_set_mode(o, (emza_sign_mode)3, "x"), EMZA_EINVAL);
    assert_int_equal(o->mode, EMZA_SIGN_NEW);
    assert_null(o->existing);
    assert_error(emza_sign_options_set_timeout(o, -5), EMZA_EINVAL);
    assert_int_equal(o->timeout_seconds, 0);
    assert_error(emza_sign_options_set_digest(NULL, "sha256"), EMZA_EINVAL);
    assert_error(emza_sign_options_set_tsa_url(NULL, NULL), EMZA_EINVAL);
    assert_error(emza_sign_options_set_signing_time(NULL, 0), EMZA_EINVAL);
    emza_sign_options_free(o);
}

static void test_options__chain_new_gives_the_defaults_and_checks_values(void **state)
{
    (void)state;
    emza_chain_options *o = NULL;
    assert_error(emza_chain_options_new(NULL), EMZA_EINVAL);
    assert_ok(emza_chain_options_new(&o));
    emza_chain_options want = EMZA_CHAIN_OPTIONS_INIT;
    assert_int_equal(o->version, want.version);
    assert_int_equal(o->has_validation_time, want.has_validation_time);
    assert_int_equal(o->purpose, want.purpose);
    assert_ptr_equal(o->untrusted, want.untrusted);
    assert_int_equal(o->offline, want.offline);
    assert_int_equal(o->timeout_seconds, want.timeout_seconds);
    assert_ptr_equal(o->transport, want.transport);
    assert_ok(emza_chain_options_set_purpose(o, EMZA_PURPOSE_AUTH));
    assert_ok(emza_chain_options_set_validation_time(o, 1600000000));
    assert_ok(emza_chain_options_set_offline(o, 1));
    assert_ok(emza_chain_options_set_timeout(o, 3));
    assert_ok(emza_chain_options_set_untrusted(o, NULL));
    assert_int_equal(o->purpose, EMZA_PURPOSE_AUTH);
    assert_int_equal(o->has_validation_time, 1);
    assert_int_equal(o->validation_time, 1600000000);
    assert_int_equal(o->offline, 1);
    assert_int_equal(o->timeout_seconds, 3);
    assert_error(emza_chain_options_set_purpose(o, (emza_purpose)4), EMZA_EINVAL);
    assert_int_equal(o->purpose, EMZA_PURPOSE_AUTH);
    assert_error(emza_chain_options_set_offline(o, -1), EMZA_EINVAL);
    assert_error(emza_chain_options_set_timeout(o, -1), EMZA_EINVAL);
    assert_int_equal(o->offline, 1);
    assert_int_equal(o->timeout_seconds, 3);
    emza_chain_options_free(o);
    emza_chain_options_free(NULL);
}

/* The heap options drive a real CAdES sign, a verify that passes, and one at a time before the certificate. */
static void test_options__drive_a_real_sign_and_verify(void **state)
{
    (void)state;
    const char *dir = test_dir("real");
    const char *doc = in(dir, "deed.txt");
    const char *sig = in(dir, "deed.p7s");
    write_text(doc, "deed of sale\n");

    emza_signer *signer = p12("citizen-rsa");
    emza_sign_options *so = NULL;
    assert_ok(emza_sign_options_new(&so, EMZA_FORMAT_CADES_DETACHED));
    assert_ok(emza_sign(signer, so, &doc, 1, sig));
    emza_sign_options_free(so);
    emza_signer_free(signer);

    emza_trust *trust = NULL;
    const char *anchor = pki("trust/root.pem");
    assert_ok(emza_trust_load(&trust, &anchor, 1));
    emza_verify_options *vo = NULL;
    assert_ok(emza_verify_options_new(&vo));
    assert_ok(emza_verify_options_set_trust(vo, trust));
    assert_ok(emza_verify_options_set_offline(vo, 1));
    assert_ok(emza_verify_options_set_data(vo, &doc, 1));

    emza_report *report = NULL;
    assert_ok(emza_verify_file(&report, sig, vo));
    assert_int_equal(emza_report_signature_count(report), 1);
    check_verdict(emza_report_signature(report, 0), EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    emza_report_free(report);

    /* long before the certificates existed: the signer's certificate is not yet valid */
    assert_ok(emza_verify_options_set_validation_time(vo, 1000000000));
    assert_ok(emza_verify_file(&report, sig, vo));
    assert_int_not_equal(emza_signature_indication(emza_report_signature(report, 0)), EMZA_TOTAL_PASSED);
    emza_report_free(report);

    emza_verify_options_free(vo);
    emza_trust_free(trust);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options__verify_new_gives_the_defaults_and_setters_store),
        cmocka_unit_test(test_options__verify_setters_refuse_bad_values_unchanged),
        cmocka_unit_test(test_options__sign_new_gives_the_defaults_and_setters_store),
        cmocka_unit_test(test_options__sign_refuses_bad_values_unchanged),
        cmocka_unit_test(test_options__chain_new_gives_the_defaults_and_checks_values),
        cmocka_unit_test(test_options__drive_a_real_sign_and_verify),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
