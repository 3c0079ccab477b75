/*
 * Tests of the heap options objects for language bindings
 * (include/emza/options.h, lib/options.c): each constructor gives the same
 * defaults as the stack initialiser, each setter stores what it is given and
 * refuses what is out of range (leaving the struct unchanged), and the objects
 * drive a real sign and verify (with a policy that changes the verdict) and a
 * real citizen log-in with a replay cache.
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

#include <stdio.h>
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

/* A policy that needs level T at `level` (FAIL, WARN, INFORM): a B-level signature crosses it. */
static emza_policy *policy_needing_t(const char *level)
{
    char json[256];
    int n = snprintf(json, sizeof(json),
                     "{\"emzaPolicy\":1,\"name\":\"need-t\",\"signatureLevel\":{\"level\":\"%s\","
                     "\"minimum\":\"T\"}}",
                     level);
    assert_true(n > 0 && (size_t)n < sizeof(json));
    emza_policy *policy = NULL;
    assert_ok(emza_policy_parse(&policy, json, (size_t)n));
    return policy;
}

/* The policy setters store and clear; a policy set on the heap options changes a real verdict. */
static void test_options__policy_setters_store_and_a_tighter_policy_changes_the_verdict(void **state)
{
    (void)state;
    emza_policy *strict = policy_needing_t("FAIL");
    emza_policy *inform = policy_needing_t("INFORM");

    emza_chain_options *co = NULL;
    assert_ok(emza_chain_options_new(&co));
    assert_null(co->policy);
    assert_ok(emza_chain_options_set_policy(co, strict));
    assert_ptr_equal(co->policy, strict);
    assert_ok(emza_chain_options_set_policy(co, NULL));
    assert_null(co->policy);
    assert_error(emza_chain_options_set_policy(NULL, strict), EMZA_EINVAL);
    emza_chain_options_free(co);

    const char *dir = test_dir("policy");
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
    assert_null(vo->policy);
    assert_ok(emza_verify_options_set_trust(vo, trust));
    assert_ok(emza_verify_options_set_offline(vo, 1));
    assert_ok(emza_verify_options_set_data(vo, &doc, 1));
    assert_error(emza_verify_options_set_policy(NULL, strict), EMZA_EINVAL);

    emza_report *report = NULL;
    assert_ok(emza_verify_file(&report, sig, vo)); /* the default policy: passed */
    check_verdict(emza_report_signature(report, 0), EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    assert_string_equal(emza_report_policy(report), "default");
    emza_report_free(report);

    assert_ok(emza_verify_options_set_policy(vo, strict));
    assert_ptr_equal(vo->policy, strict);
    assert_ok(emza_verify_file(&report, sig, vo));
    check_verdict(emza_report_signature(report, 0), EMZA_INDETERMINATE, EMZA_SUB_SIG_CONSTRAINTS_FAILURE);
    assert_string_equal(emza_report_policy(report), "need-t");
    emza_report_free(report);

    /* at INFORM the verdict stands and the report carries an informational entry */
    assert_ok(emza_verify_options_set_policy(vo, inform));
    assert_ok(emza_verify_file(&report, sig, vo));
    const emza_signature_report *s = emza_report_signature(report, 0);
    check_verdict(s, EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    assert_int_equal(emza_signature_info_count(s), 1);
    assert_string_equal(emza_signature_info_code(s, 0), "SIGNATURE_LEVEL");
    emza_report_free(report);

    assert_ok(emza_verify_options_set_policy(vo, NULL));
    assert_null(vo->policy);
    emza_verify_options_free(vo);
    emza_trust_free(trust);
    emza_policy_free(strict);
    emza_policy_free(inform);
}

/* The auth options objects: the stack defaults, setters that store, refusals that leave them unchanged. */
static void test_options__auth_new_gives_the_defaults_and_checks_values(void **state)
{
    (void)state;
    emza_auth_sign_options *so = (emza_auth_sign_options *)&so;
    assert_error(emza_auth_sign_options_new(NULL), EMZA_EINVAL);
    assert_ok(emza_auth_sign_options_new(&so));
    emza_auth_sign_options swant = EMZA_AUTH_SIGN_OPTIONS_INIT;
    assert_int_equal(so->version, swant.version);
    assert_ptr_equal(so->algorithm, swant.algorithm);
    assert_ok(emza_auth_sign_options_set_algorithm(so, "PS256"));
    assert_string_equal(so->algorithm, "PS256");
    assert_ok(emza_auth_sign_options_set_algorithm(so, NULL));
    assert_null(so->algorithm);
    assert_error(emza_auth_sign_options_set_algorithm(NULL, "ES256"), EMZA_EINVAL);
    emza_auth_sign_options_free(so);
    emza_auth_sign_options_free(NULL);

    emza_auth_verify_options *o = NULL;
    assert_error(emza_auth_verify_options_new(NULL), EMZA_EINVAL);
    assert_ok(emza_auth_verify_options_new(&o));
    emza_auth_verify_options want = EMZA_AUTH_VERIFY_OPTIONS_INIT;
    assert_int_equal(o->version, want.version);
    assert_int_equal(o->has_validation_time, want.has_validation_time);
    assert_int_equal(o->clock_skew_seconds, want.clock_skew_seconds);
    assert_ptr_equal(o->trust, want.trust);
    assert_ptr_equal(o->untrusted, want.untrusted);
    assert_int_equal(o->offline, want.offline);
    assert_int_equal(o->timeout_seconds, want.timeout_seconds);
    assert_ptr_equal(o->transport, want.transport);
    assert_ptr_equal(o->replay, want.replay);
    assert_ptr_equal(o->replay_ctx, want.replay_ctx);

    int ctx = 0;
    assert_ok(emza_auth_verify_options_set_validation_time(o, 1700000000));
    assert_ok(emza_auth_verify_options_set_clock_skew(o, EMZA_AUTH_CLOCK_SKEW_MAX));
    assert_ok(emza_auth_verify_options_set_offline(o, 1));
    assert_ok(emza_auth_verify_options_set_timeout(o, 4));
    assert_ok(emza_auth_verify_options_set_replay(o, emza_replay_cache_use, &ctx));
    assert_int_equal(o->has_validation_time, 1);
    assert_int_equal(o->validation_time, 1700000000);
    assert_int_equal(o->clock_skew_seconds, EMZA_AUTH_CLOCK_SKEW_MAX);
    assert_int_equal(o->offline, 1);
    assert_int_equal(o->timeout_seconds, 4);
    assert_ptr_equal(o->replay, emza_replay_cache_use);
    assert_ptr_equal(o->replay_ctx, &ctx);

    /* refusals leave the struct as it was */
    assert_error(emza_auth_verify_options_set_clock_skew(o, EMZA_AUTH_CLOCK_SKEW_MAX + 1), EMZA_EINVAL);
    assert_int_equal(o->clock_skew_seconds, EMZA_AUTH_CLOCK_SKEW_MAX);
    assert_error(emza_auth_verify_options_set_offline(o, 2), EMZA_EINVAL);
    assert_int_equal(o->offline, 1);
    assert_error(emza_auth_verify_options_set_timeout(o, -1), EMZA_EINVAL);
    assert_int_equal(o->timeout_seconds, 4);
    assert_error(emza_auth_verify_options_set_trust(NULL, NULL), EMZA_EINVAL);
    assert_error(emza_auth_verify_options_set_untrusted(NULL, NULL), EMZA_EINVAL);
    assert_error(emza_auth_verify_options_set_validation_time(NULL, 0), EMZA_EINVAL);
    assert_error(emza_auth_verify_options_clear_validation_time(NULL), EMZA_EINVAL);
    assert_error(emza_auth_verify_options_set_clock_skew(NULL, 0), EMZA_EINVAL);
    assert_error(emza_auth_verify_options_set_replay(NULL, NULL, NULL), EMZA_EINVAL);

    /* back to the defaults: no replay callback forgets its context too */
    assert_ok(emza_auth_verify_options_clear_validation_time(o));
    assert_int_equal(o->has_validation_time, 0);
    assert_ok(emza_auth_verify_options_set_replay(o, NULL, &ctx));
    assert_null(o->replay);
    assert_null(o->replay_ctx);
    emza_auth_verify_options_free(o);
    emza_auth_verify_options_free(NULL);
}

/* The heap auth options drive a real log-in: accepted once, refused as REPLAYED with the same cache. */
static void test_options__auth_options_drive_a_real_login(void **state)
{
    (void)state;
    const char *origin = "https://bank.example";
    emza_auth_challenge *c = NULL;
    assert_ok(emza_auth_challenge_new(&c, 0));
    emza_signer *citizen = p12("citizen-auth");
    emza_auth_sign_options *so = NULL;
    assert_ok(emza_auth_sign_options_new(&so));
    assert_ok(emza_auth_sign_options_set_algorithm(so, "RS256")); /* an EC key: refused */
    char *token = NULL;
    assert_error(emza_auth_sign(&token, citizen, origin, emza_auth_challenge_nonce(c), so), EMZA_EINVAL);
    assert_ok(emza_auth_sign_options_set_algorithm(so, "ES256"));
    assert_ok(emza_auth_sign(&token, citizen, origin, emza_auth_challenge_nonce(c), so));
    emza_auth_sign_options_free(so);
    emza_signer_free(citizen);

    emza_trust *trust = NULL;
    const char *anchor = pki("trust/root.pem");
    assert_ok(emza_trust_load(&trust, &anchor, 1));
    emza_cert_list *chain = NULL;
    assert_ok(emza_cert_list_new(&chain));
    assert_ok(emza_cert_list_add_path(chain, pki("citizen-auth.chain.pem")));
    emza_replay_cache *cache = NULL;
    assert_ok(emza_replay_cache_new(&cache, 16));
    emza_auth_verify_options *vo = NULL;
    assert_ok(emza_auth_verify_options_new(&vo));
    assert_ok(emza_auth_verify_options_set_trust(vo, trust));
    assert_ok(emza_auth_verify_options_set_untrusted(vo, chain));
    assert_ok(emza_auth_verify_options_set_offline(vo, 1));
    assert_ok(emza_auth_verify_options_set_replay(vo, emza_replay_cache_use, cache));

    emza_auth_identity *id = NULL;
    emza_auth_reason reason = EMZA_AUTH_MALFORMED;
    assert_ok(emza_auth_verify(&id, &reason, token, strlen(token), c, origin, vo));
    assert_int_equal(reason, EMZA_AUTH_NONE);
    assert_string_equal(emza_auth_identity_national_code(id), "1583250689");
    assert_int_equal(emza_replay_cache_count(cache), 1);
    emza_auth_identity_free(id);
    id = NULL;
    assert_error(emza_auth_verify(&id, &reason, token, strlen(token), c, origin, vo), EMZA_EAUTH);
    assert_int_equal(reason, EMZA_AUTH_REPLAYED);
    assert_null(id);

    emza_auth_verify_options_free(vo);
    emza_replay_cache_free(cache);
    emza_cert_list_free(chain);
    emza_trust_free(trust);
    emza_free(token);
    emza_auth_challenge_free(c);
}

static int pin_none(void *ctx, const char *token_label, int for_signature, char *buf, size_t size, size_t *len)
{
    (void)ctx, (void)token_label, (void)for_signature, (void)buf, (void)size;
    *len = 0;
    return EMZA_ECANCELED;
}

/* The PKCS#11 options object: the stack defaults, setters that store, and emza_signer_open_pkcs11 reads it. */
static void test_options__pkcs11_new_gives_the_defaults_and_setters_store(void **state)
{
    (void)state;
    emza_pkcs11_options *o = NULL;
    assert_error(emza_pkcs11_options_new(NULL), EMZA_EINVAL);
    assert_ok(emza_pkcs11_options_new(&o));
    emza_pkcs11_options want = EMZA_PKCS11_OPTIONS_INIT;
    assert_int_equal(o->version, want.version);
    assert_ptr_equal(o->module_path, want.module_path);
    assert_ptr_equal(o->token_label, want.token_label);
    assert_int_equal(o->has_slot_id, want.has_slot_id);
    assert_int_equal(o->slot_id, want.slot_id);
    assert_ptr_equal(o->key_label, want.key_label);
    assert_ptr_equal(o->key_id_hex, want.key_id_hex);
    assert_ptr_equal(o->pin, want.pin);
    assert_ptr_equal(o->pin_ctx, want.pin_ctx);
    assert_ptr_equal(o->chain_path, want.chain_path);

    int ctx = 0;
    const char *module = in(test_dir("pkcs11"), "no-such-module.so");
    assert_ok(emza_pkcs11_options_set_module(o, module));
    assert_ok(emza_pkcs11_options_set_token_label(o, "citizen"));
    assert_ok(emza_pkcs11_options_set_slot(o, 7));
    assert_ok(emza_pkcs11_options_set_key_label(o, "citizen-ec"));
    assert_ok(emza_pkcs11_options_set_key_id(o, "02"));
    assert_ok(emza_pkcs11_options_set_pin(o, pin_none, &ctx));
    assert_ok(emza_pkcs11_options_set_chain(o, "chain.pem"));
    assert_string_equal(o->module_path, module);
    assert_string_equal(o->token_label, "citizen");
    assert_int_equal(o->has_slot_id, 1);
    assert_int_equal(o->slot_id, 7);
    assert_string_equal(o->key_label, "citizen-ec");
    assert_string_equal(o->key_id_hex, "02");
    assert_ptr_equal(o->pin, pin_none);
    assert_ptr_equal(o->pin_ctx, &ctx);
    assert_string_equal(o->chain_path, "chain.pem");
    assert_ok(emza_pkcs11_options_clear_slot(o));
    assert_int_equal(o->has_slot_id, 0);
    assert_int_equal(o->slot_id, 0);

    /* the library reads this very struct: a module that does not exist cannot be loaded */
    emza_signer *s = (emza_signer *)&s;
    assert_error(emza_signer_open_pkcs11(&s, o), EMZA_EIO);
    assert_null(s);

    assert_ok(emza_pkcs11_options_set_pin(o, NULL, &ctx));
    assert_null(o->pin);
    assert_null(o->pin_ctx);
    assert_ok(emza_pkcs11_options_set_module(o, NULL));
    assert_null(o->module_path);
    assert_error(emza_pkcs11_options_set_module(NULL, "x"), EMZA_EINVAL);
    assert_error(emza_pkcs11_options_set_token_label(NULL, NULL), EMZA_EINVAL);
    assert_error(emza_pkcs11_options_set_slot(NULL, 0), EMZA_EINVAL);
    assert_error(emza_pkcs11_options_clear_slot(NULL), EMZA_EINVAL);
    assert_error(emza_pkcs11_options_set_key_label(NULL, NULL), EMZA_EINVAL);
    assert_error(emza_pkcs11_options_set_key_id(NULL, NULL), EMZA_EINVAL);
    assert_error(emza_pkcs11_options_set_pin(NULL, NULL, NULL), EMZA_EINVAL);
    assert_error(emza_pkcs11_options_set_chain(NULL, NULL), EMZA_EINVAL);
    emza_pkcs11_options_free(o);
    emza_pkcs11_options_free(NULL);
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
        cmocka_unit_test(test_options__policy_setters_store_and_a_tighter_policy_changes_the_verdict),
        cmocka_unit_test(test_options__auth_new_gives_the_defaults_and_checks_values),
        cmocka_unit_test(test_options__auth_options_drive_a_real_login),
        cmocka_unit_test(test_options__pkcs11_new_gives_the_defaults_and_setters_store),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
