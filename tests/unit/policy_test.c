/*
 * Validation policies (include/emza/policy.h, docs/POLICY.md): the strict
 * reader and its limits, policies/default.json equal to the built-in
 * default, and for each constraint a document that passes under the default
 * and not under a policy that tightens it, and the reverse.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <emza/policy.h>
#include <emza/sign.h>
#include <emza/trust.h>
#include <emza/verify.h>

#include "support.h"

static emza_trust *g_trust;
static int64_t g_now;

/* ------------------------------------------------------------------------ */
/* helpers                                                                   */
/* ------------------------------------------------------------------------ */

static emza_policy *parse(const char *json)
{
    emza_policy *p = NULL;
    int rc = emza_policy_parse(&p, json, strlen(json));
    if (rc != EMZA_OK)
        fail_msg("policy %s: %s (%s)", json, emza_error_name(rc), emza_error_last()->message);
    return p;
}

/* The JSON is refused with EMZA_EFORMAT and a message naming `path_part`. */
static void refused(const char *json, const char *path_part)
{
    emza_policy *p = (emza_policy *)1;
    assert_error(emza_policy_parse(&p, json, strlen(json)), EMZA_EFORMAT);
    assert_null(p);
    assert_message_has(path_part);
}

/* Signs the text file NAME.txt with `who` into NAME.p7s (CAdES detached) or NAME.xml (XAdES). */
static char *sign_doc(const char *who, const char *name, emza_format format)
{
    char input[600], output[600];
    int xml = format == EMZA_FORMAT_XADES_ENVELOPED;
    snprintf(input, sizeof(input), "%s/%s.%s", g_root, name, xml ? "in.xml" : "txt");
    snprintf(output, sizeof(output), "%s/%s.%s", g_root, name, xml ? "xml" : "p7s");
    write_text(input, xml ? "<deed><party>Ali</party></deed>" : "the signed text\n");
    emza_sign_options o = EMZA_SIGN_OPTIONS_INIT;
    o.format = format;
    emza_signer *s = p12(who);
    const char *inputs[] = {input};
    int rc = emza_sign(s, &o, inputs, 1, output);
    emza_signer_free(s);
    if (rc != EMZA_OK)
        fail_msg("signing as %s: %s (%s)", who, emza_error_name(rc), emza_error_last()->message);
    return strdup(output);
}

static emza_report *verify(const char *path, const emza_policy *policy)
{
    emza_verify_options o = EMZA_VERIFY_OPTIONS_INIT;
    char data[600];
    const char *data_paths[1] = {data};
    size_t len = strlen(path);
    if (len > 4 && strcmp(path + len - 4, ".p7s") == 0) {
        snprintf(data, sizeof(data), "%.*s.txt", (int)(len - 4), path);
        o.data_paths = data_paths;
        o.data_count = 1;
    }
    o.trust = g_trust;
    o.has_validation_time = 1;
    o.validation_time = g_now;
    o.offline = 1;
    o.policy = policy;
    emza_report *r = NULL;
    int rc = emza_verify_file(&r, path, &o);
    if (rc != EMZA_OK)
        fail_msg("verifying %s: %s (%s)", path, emza_error_name(rc), emza_error_last()->message);
    assert_int_equal(emza_report_signature_count(r), 1);
    return r;
}

static const emza_signature_report *only(const emza_report *r)
{
    return emza_report_signature(r, 0);
}

static int has_code(size_t count, const char *(*code)(const emza_signature_report *, size_t),
                    const emza_signature_report *sig, const char *want)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(code(sig, i), want) == 0)
            return 1;
    return 0;
}

static int has_error(const emza_signature_report *sig, const char *c)
{
    return has_code(emza_signature_error_count(sig), emza_signature_error_code, sig, c);
}

static int has_warning(const emza_signature_report *sig, const char *c)
{
    return has_code(emza_signature_warning_count(sig), emza_signature_warning_code, sig, c);
}

static int has_info(const emza_signature_report *sig, const char *c)
{
    return has_code(emza_signature_info_count(sig), emza_signature_info_code, sig, c);
}

/* Verifies `doc` under `json` (NULL: the default) and checks the verdict. */
static emza_report *verdict(const char *doc, const char *json, emza_indication ind,
                            emza_subindication sub)
{
    emza_policy *p = json ? parse(json) : NULL;
    emza_report *r = verify(doc, p);
    emza_policy_free(p);
    check_verdict(only(r), ind, sub);
    return r;
}

#define POLICY(body) "{\"emzaPolicy\": 1, \"name\": \"test\"" body "}"

/* ------------------------------------------------------------------------ */
/* the reader                                                                */
/* ------------------------------------------------------------------------ */

static void test_policy__default_is_named_default(void **state)
{
    (void)state;
    emza_policy *p = NULL;
    assert_ok(emza_policy_default(&p));
    assert_string_equal(emza_policy_name(p), "default");
    emza_policy_free(p);
    assert_null(emza_policy_name(NULL));
    emza_policy_free(NULL);
    assert_error(emza_policy_default(NULL), EMZA_EINVAL);
}

static void test_policy__minimal_policy_parses_with_its_name(void **state)
{
    (void)state;
    emza_policy *p = parse(POLICY(""));
    assert_string_equal(emza_policy_name(p), "test");
    emza_policy_free(p);
}

static void test_policy__rejects_bad_json_and_structure(void **state)
{
    (void)state;
    refused("{", "not valid JSON");
    refused("[]", "$: must be an object");
    refused("{\"name\": \"x\"}", "emzaPolicy");
    refused("{\"emzaPolicy\": 2, \"name\": \"x\"}", "$.emzaPolicy: must be between 1 and 1");
    refused("{\"emzaPolicy\": 1}", "\"name\" is required");
    refused(POLICY(", \"name\": \"twice\""), "not valid JSON"); /* duplicate key */
    refused(POLICY(", \"colour\": \"red\""), "$: unknown key \"colour\"");
    refused(POLICY(", \"cryptographic\": {\"levl\": \"FAIL\"}"),
            "$.cryptographic: unknown key \"levl\"");
    refused(POLICY(", \"cryptographic\": {\"level\": \"fail\"}"), "$.cryptographic.level: unknown level");
    refused(POLICY(", \"cryptographic\": {\"level\": 3}"), "$.cryptographic.level: must be a string");
    refused(POLICY(", \"cryptographic\": {\"digestAlgorithms\": [{\"name\": \"sha256\"}, "
                   "{\"name\": \"sha999\"}]}"),
            "$.cryptographic.digestAlgorithms[1].name: unknown digest algorithm \"sha999\"");
    refused(POLICY(", \"cryptographic\": {\"keyAlgorithms\": [{\"name\": \"rsa\", \"minBits\": "
                   "\"2048\"}]}"),
            "$.cryptographic.keyAlgorithms[0].minBits: must be an integer");
    refused(POLICY(", \"cryptographic\": {\"keyAlgorithms\": [{\"name\": \"elgamal\"}]}"),
            "$.cryptographic.keyAlgorithms[0].name: unknown key algorithm");
    refused(POLICY(", \"cryptographic\": {\"digestAlgorithms\": [{\"name\": \"sha1\", \"expires\": "
                   "\"2030-02-30T00:00:00Z\"}]}"),
            "$.cryptographic.digestAlgorithms[0].expires: not an ISO 8601 UTC time");
    refused(POLICY(", \"signatureLevel\": {\"minimum\": \"X\"}"),
            "$.signatureLevel.minimum: unknown signature level");
    refused(POLICY(", \"revocation\": {\"freshness\": {\"maxAgeSeconds\": -1}}"),
            "$.revocation.freshness.maxAgeSeconds: must be between");
    refused(POLICY(", \"timestamps\": {\"trustedTsas\": {\"certificates\": [\"abcd\"]}}"),
            "$.timestamps.trustedTsas.certificates[0]: must be a SHA-256 fingerprint");
    refused(POLICY(", \"timestamps\": {\"trustedTsas\": {\"any\": \"yes\"}}"),
            "$.timestamps.trustedTsas.any: must be true or false");
    refused(POLICY(", \"xml\": {\"transforms\": {\"allowed\": [\"xslt\"]}}"),
            "$.xml.transforms.allowed[0]: the transform \"xslt\" is not supported");
    refused(POLICY(", \"xml\": {\"transforms\": {\"allowed\": [\"xpath-filter2\"]}}"),
            "not supported by this build");
    refused(POLICY(", \"xml\": {\"transforms\": {\"allowed\": [\"rot13\"]}}"), "unknown transform");
    refused(POLICY(", \"chain\": {\"maxLength\": 11}"), "$.chain.maxLength: must be between 2 and 10");
    refused(POLICY(", \"signingCertificate\": {\"keyUsage\": \"FAIL\"}"),
            "$.signingCertificate.keyUsage: must be an object");
    refused("{\"emzaPolicy\": 1, \"name\": \"a\\u0000b\"}", "not valid JSON");
    refused("{\"emzaPolicy\": 1, \"name\": \"a\\nb\"}", "$.name: must not contain control");
    refused("{\"emzaPolicy\": 1, \"name\": \"\"}", "$.name: must be 1 to 64 bytes");
}

static void test_policy__limits_are_enforced(void **state)
{
    (void)state;
    /* The name: EMZA_POLICY_NAME_MAX bytes pass, one more does not. */
    char json[EMZA_POLICY_FILE_MAX + 64];
    char name[EMZA_POLICY_NAME_MAX + 2];
    memset(name, 'n', sizeof(name));
    name[EMZA_POLICY_NAME_MAX] = '\0';
    snprintf(json, sizeof(json), "{\"emzaPolicy\": 1, \"name\": \"%s\"}", name);
    emza_policy *p = parse(json);
    assert_string_equal(emza_policy_name(p), name);
    emza_policy_free(p);
    name[EMZA_POLICY_NAME_MAX] = 'n';
    name[EMZA_POLICY_NAME_MAX + 1] = '\0';
    snprintf(json, sizeof(json), "{\"emzaPolicy\": 1, \"name\": \"%s\"}", name);
    refused(json, "$.name: must be 1 to 64 bytes");

    /* Entries: EMZA_POLICY_ENTRIES_MAX pass, one more does not. */
    for (int n = EMZA_POLICY_ENTRIES_MAX; n <= EMZA_POLICY_ENTRIES_MAX + 1; n++) {
        size_t off = (size_t)snprintf(json, sizeof(json),
                                      "{\"emzaPolicy\": 1, \"name\": \"many\", "
                                      "\"cryptographic\": {\"digestAlgorithms\": [");
        for (int i = 0; i < n; i++)
            off += (size_t)snprintf(json + off, sizeof(json) - off, "%s{\"name\": \"sha256\"}",
                                    i ? "," : "");
        snprintf(json + off, sizeof(json) - off, "]}}");
        if (n == EMZA_POLICY_ENTRIES_MAX) {
            emza_policy_free(parse(json));
        } else {
            refused(json, "$.cryptographic.digestAlgorithms: 65 entries, more than the limit");
        }
    }

    /* Size: EMZA_POLICY_FILE_MAX bytes pass (padded with a description), one more is ELIMIT. */
    for (size_t total = EMZA_POLICY_FILE_MAX; total <= EMZA_POLICY_FILE_MAX + 1; total++) {
        const char *head = "{\"emzaPolicy\": 1, \"name\": \"big\", \"description\": \"";
        size_t off = strlen(head);
        memcpy(json, head, off);
        size_t pad = total - off - 2;
        memset(json + off, 'x', pad);
        memcpy(json + off + pad, "\"}", 2);
        p = NULL;
        int rc = emza_policy_parse(&p, json, total);
        if (total == EMZA_POLICY_FILE_MAX) {
            assert_ok(rc);
            emza_policy_free(p);
        } else {
            assert_int_equal(rc, EMZA_ELIMIT);
            assert_null(p);
        }
    }
}

static void test_policy__load_reads_files_and_reports_errors(void **state)
{
    (void)state;
    emza_policy *p = NULL;
    char path[600];
    snprintf(path, sizeof(path), "%s/policies/default.json", getenv("EMZA_SOURCE_ROOT"));
    assert_ok(emza_policy_load(&p, path));
    assert_string_equal(emza_policy_name(p), "default");
    emza_policy_free(p);
    p = NULL;
    assert_error(emza_policy_load(&p, in(g_root, "no-such-policy.json")), EMZA_EIO);
    assert_null(p);
    assert_error(emza_policy_load(&p, g_root), EMZA_EIO); /* a directory */
    const char *bad = in(g_root, "bad-policy.json");
    write_text(bad, "{\"emzaPolicy\": 1, \"name\": \"x\", \"chain\": {\"maxLength\": 1}}");
    assert_error(emza_policy_load(&p, bad), EMZA_EFORMAT);
    assert_message_has("$.chain.maxLength");
    assert_error(emza_policy_load(NULL, bad), EMZA_EINVAL);
}

/* ------------------------------------------------------------------------ */
/* policies/default.json is the built-in default                             */
/* ------------------------------------------------------------------------ */

static char *report_json(const char *doc, const emza_policy *p)
{
    emza_report *r = verify(doc, p);
    char *json = NULL;
    assert_ok(emza_report_to_json(&json, r));
    emza_report_free(r);
    return json;
}

static void test_policy__default_json_gives_the_builtin_results(void **state)
{
    (void)state;
    char path[600];
    snprintf(path, sizeof(path), "%s/policies/default.json", getenv("EMZA_SOURCE_ROOT"));
    emza_policy *file = NULL, *builtin = NULL;
    assert_ok(emza_policy_load(&file, path));
    assert_ok(emza_policy_default(&builtin));
    static const struct {
        const char *who;
        emza_format format;
    } docs[] = {
        {"citizen-ec", EMZA_FORMAT_CADES_DETACHED},   {"citizen-rsa", EMZA_FORMAT_XADES_ENVELOPED},
        {"rsa1024", EMZA_FORMAT_CADES_DETACHED},      {"sha1-signed", EMZA_FORMAT_CADES_DETACHED},
        {"no-keyusage", EMZA_FORMAT_XADES_ENVELOPED}, {"no-nonrepudiation", EMZA_FORMAT_CADES_DETACHED},
        {"expired", EMZA_FORMAT_CADES_DETACHED},
    };
    for (size_t i = 0; i < COUNT(docs); i++) {
        char name[64];
        snprintf(name, sizeof(name), "same-%zu", i);
        char *doc = sign_doc(docs[i].who, name, docs[i].format);
        char *a = report_json(doc, NULL), *b = report_json(doc, file), *c = report_json(doc, builtin);
        assert_string_equal(a, b);
        assert_string_equal(a, c);
        assert_non_null(strstr(a, "\"policy\": \"default\""));
        emza_free(a);
        emza_free(b);
        emza_free(c);
        free(doc);
    }
    emza_policy_free(file);
    emza_policy_free(builtin);
}

/* ------------------------------------------------------------------------ */
/* each constraint, both ways                                                */
/* ------------------------------------------------------------------------ */

static void test_policy__rsa1024_passes_when_allowed_until_a_later_date(void **state)
{
    (void)state;
    char *doc = sign_doc("rsa1024", "rsa1024", EMZA_FORMAT_CADES_DETACHED);
    emza_report *r = verdict(doc, NULL, EMZA_INDETERMINATE,
                             EMZA_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE);
    emza_report_free(r);
    r = verdict(doc,
                POLICY(", \"cryptographic\": {\"keyAlgorithms\": [{\"name\": \"rsa\", \"minBits\": "
                       "2048}, {\"name\": \"rsa\", \"minBits\": 1024, \"expires\": "
                       "\"2099-01-01T00:00:00Z\"}, {\"name\": \"ec\", \"minBits\": 256}]}"),
                EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    assert_string_equal(emza_report_policy(r), "test");
    emza_report_free(r);
    /* Expired before the signature's proof of existence: NO_POE, saying so. */
    r = verdict(doc,
                POLICY(", \"cryptographic\": {\"keyAlgorithms\": [{\"name\": \"rsa\", \"minBits\": "
                       "1024, \"expires\": \"2020-01-01T00:00:00Z\"}, {\"name\": \"ec\"}]}"),
                EMZA_INDETERMINATE, EMZA_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE);
    assert_true(has_error(only(r), "WEAK_KEY"));
    assert_non_null(strstr(emza_signature_error_message(only(r), 0),
                           "acceptable only with a proof of existence before 2020-01-01"));
    emza_report_free(r);
    /* WARN: the same finding as a warning, the signature passes. */
    r = verdict(doc, POLICY(", \"cryptographic\": {\"level\": \"WARN\"}"), EMZA_TOTAL_PASSED,
                EMZA_SUB_NONE);
    assert_true(has_warning(only(r), "WEAK_KEY"));
    emza_report_free(r);
    /* INFORM: an informational entry only. */
    r = verdict(doc, POLICY(", \"cryptographic\": {\"level\": \"INFORM\"}"), EMZA_TOTAL_PASSED,
                EMZA_SUB_NONE);
    assert_true(has_info(only(r), "WEAK_KEY"));
    assert_false(has_warning(only(r), "WEAK_KEY"));
    emza_report_free(r);
    free(doc);
}

static void test_policy__digest_list_tightens_and_loosens(void **state)
{
    (void)state;
    /* sha256 no longer listed: the signature's digest fails. */
    char *doc = sign_doc("citizen-ec", "digest", EMZA_FORMAT_CADES_DETACHED);
    emza_report *r = verdict(doc,
                             POLICY(", \"cryptographic\": {\"digestAlgorithms\": [{\"name\": "
                                    "\"sha512\"}]}"),
                             EMZA_INDETERMINATE, EMZA_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE);
    assert_true(has_error(only(r), "WEAK_ALGORITHM"));
    emza_report_free(r);
    free(doc);
    /* A certificate signed with SHA-1 passes where SHA-1 is allowed until later. */
    doc = sign_doc("sha1-signed", "sha1", EMZA_FORMAT_CADES_DETACHED);
    r = verdict(doc, NULL, EMZA_INDETERMINATE, EMZA_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE);
    emza_report_free(r);
    r = verdict(doc,
                POLICY(", \"cryptographic\": {\"digestAlgorithms\": [{\"name\": \"sha256\"}, "
                       "{\"name\": \"sha1\", \"expires\": \"2099-01-01T00:00:00Z\"}]}"),
                EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    emza_report_free(r);
    free(doc);
}

static void test_policy__required_level_fails_a_b_signature(void **state)
{
    (void)state;
    char *doc = sign_doc("citizen-ec", "level", EMZA_FORMAT_CADES_DETACHED);
    emza_report *r = verdict(doc, POLICY(", \"signatureLevel\": {\"minimum\": \"B\"}"),
                             EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    emza_report_free(r);
    r = verdict(doc, POLICY(", \"signatureLevel\": {\"minimum\": \"T\"}"), EMZA_INDETERMINATE,
                EMZA_SUB_SIG_CONSTRAINTS_FAILURE);
    assert_string_equal(emza_signature_error_code(only(r), 0), "SIGNATURE_LEVEL");
    emza_report_free(r);
    r = verdict(doc, POLICY(", \"signatureLevel\": {\"minimum\": \"LTA\", \"level\": \"WARN\"}"),
                EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    assert_true(has_warning(only(r), "SIGNATURE_LEVEL"));
    emza_report_free(r);
    r = verdict(doc, POLICY(", \"signatureLevel\": {\"minimum\": \"LT\", \"level\": \"IGNORE\"}"),
                EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    assert_false(has_warning(only(r), "SIGNATURE_LEVEL"));
    assert_false(has_info(only(r), "SIGNATURE_LEVEL"));
    emza_report_free(r);
    free(doc);
}

static void test_policy__key_usage_levels(void **state)
{
    (void)state;
    char *doc = sign_doc("no-keyusage", "noku", EMZA_FORMAT_CADES_DETACHED);
    emza_report *r = verdict(doc, NULL, EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    assert_true(has_warning(only(r), "NO_KEY_USAGE"));
    emza_report_free(r);
    r = verdict(doc, POLICY(", \"signingCertificate\": {\"noKeyUsage\": {\"level\": \"FAIL\"}}"),
                EMZA_INDETERMINATE, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE);
    assert_true(has_error(only(r), "NO_KEY_USAGE"));
    emza_report_free(r);
    free(doc);

    doc = sign_doc("no-nonrepudiation", "nonrep", EMZA_FORMAT_CADES_DETACHED);
    r = verdict(doc, NULL, EMZA_INDETERMINATE, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE);
    emza_report_free(r);
    r = verdict(doc, POLICY(", \"signingCertificate\": {\"keyUsage\": {\"level\": \"WARN\"}}"),
                EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    assert_true(has_warning(only(r), "KEY_USAGE"));
    emza_report_free(r);
    free(doc);
}

static void test_policy__no_revocation_source_levels(void **state)
{
    (void)state;
    char *doc = sign_doc("citizen-ec", "nosource", EMZA_FORMAT_CADES_DETACHED);
    emza_report *r = verdict(doc, NULL, EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    assert_true(has_warning(only(r), "NO_REVOCATION_SOURCE"));
    emza_report_free(r);
    r = verdict(doc, POLICY(", \"revocation\": {\"noRevocationSource\": {\"level\": \"FAIL\"}}"),
                EMZA_INDETERMINATE, EMZA_SUB_TRY_LATER);
    assert_true(has_error(only(r), "NO_REVOCATION_SOURCE"));
    emza_report_free(r);
    r = verdict(doc, POLICY(", \"revocation\": {\"noRevocationSource\": {\"level\": \"IGNORE\"}}"),
                EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    assert_false(has_warning(only(r), "NO_REVOCATION_SOURCE"));
    emza_report_free(r);
    free(doc);
}

static void test_policy__transforms_not_allowed_are_format_failures(void **state)
{
    (void)state;
    char *doc = sign_doc("citizen-ec", "xform", EMZA_FORMAT_XADES_ENVELOPED);
    emza_report *r = verdict(doc, NULL, EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    emza_report_free(r);
    r = verdict(doc, POLICY(", \"xml\": {\"transforms\": {\"allowed\": [\"exc-c14n\"]}}"),
                EMZA_TOTAL_FAILED, EMZA_SUB_FORMAT_FAILURE);
    assert_string_equal(emza_signature_error_code(only(r), 0), "TRANSFORM_NOT_ALLOWED");
    assert_non_null(strstr(emza_signature_error_message(only(r), 0), "enveloped-signature"));
    emza_report_free(r);
    r = verdict(doc,
                POLICY(", \"xml\": {\"transforms\": {\"level\": \"WARN\", \"allowed\": []}}"),
                EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    assert_true(has_warning(only(r), "TRANSFORM_NOT_ALLOWED"));
    emza_report_free(r);
    free(doc);
}

static void test_policy__chain_length_limits_the_chain(void **state)
{
    (void)state;
    /* citizen -> citizen CA -> root: three certificates. */
    char *doc = sign_doc("citizen-ec", "chain", EMZA_FORMAT_CADES_DETACHED);
    emza_report *r = verdict(doc, POLICY(", \"chain\": {\"maxLength\": 3}"), EMZA_TOTAL_PASSED,
                             EMZA_SUB_NONE);
    emza_report_free(r);
    r = verdict(doc, POLICY(", \"chain\": {\"maxLength\": 2}"), EMZA_INDETERMINATE,
                EMZA_SUB_NO_CERTIFICATE_CHAIN_FOUND);
    emza_report_free(r);
    free(doc);
}

static void test_policy__chain_verify_takes_the_policy_and_old_options(void **state)
{
    (void)state;
    emza_cert *c = ts_load_cert("no-keyusage");
    emza_cert_list *helpers = NULL;
    assert_ok(emza_cert_list_new(&helpers));
    assert_ok(emza_cert_list_add_path(helpers, pkif("no-keyusage", ".chain.pem")));
    emza_policy *p = parse(POLICY(", \"signingCertificate\": {\"noKeyUsage\": {\"level\": "
                                  "\"INFORM\"}}"));
    emza_chain_options o = EMZA_CHAIN_OPTIONS_INIT;
    o.offline = 1;
    o.untrusted = helpers;
    o.policy = p;
    emza_chain_result *res = NULL;
    assert_ok(emza_trust_verify(&res, g_trust, c, &o));
    assert_int_equal(emza_chain_result_indication(res), EMZA_TOTAL_PASSED);
    int found = 0;
    for (size_t i = 0; i < emza_chain_result_info_count(res); i++)
        found |= strcmp(emza_chain_result_info_code(res, i), "NO_KEY_USAGE") == 0;
    assert_true(found);
    for (size_t i = 0; i < emza_chain_result_warning_count(res); i++)
        assert_string_not_equal(emza_chain_result_warning_code(res, i), "NO_KEY_USAGE");
    emza_chain_result_free(res);

    /* A version 1 struct is read without its (absent) policy field: the default applies. */
    emza_chain_options v1;
    memset(&v1, 0xA5, sizeof(v1)); /* garbage where version 2 fields would be */
    assert_ok(emza_chain_options_init(&v1, 1));
    assert_int_equal(v1.version, 1);
    v1.offline = 1;
    v1.untrusted = helpers;
    assert_ok(emza_trust_verify(&res, g_trust, c, &v1));
    assert_int_equal(emza_chain_result_info_count(res), 0);
    found = 0;
    for (size_t i = 0; i < emza_chain_result_warning_count(res); i++)
        found |= strcmp(emza_chain_result_warning_code(res, i), "NO_KEY_USAGE") == 0;
    assert_true(found);
    emza_chain_result_free(res);
    assert_error(emza_chain_options_init(&v1, 3), EMZA_EVERSION);
    emza_policy_free(p);
    emza_cert_list_free(helpers);
    emza_cert_free(c);
}

static void test_policy__verify_options_version_1_is_still_read(void **state)
{
    (void)state;
    char *doc = sign_doc("citizen-ec", "v1", EMZA_FORMAT_XADES_ENVELOPED);
    emza_verify_options o;
    memset(&o, 0xA5, sizeof(o));
    assert_ok(emza_verify_options_init(&o, 1));
    assert_int_equal(o.version, 1);
    o.trust = g_trust;
    o.offline = 1;
    emza_report *r = NULL;
    assert_ok(emza_verify_file(&r, doc, &o));
    assert_string_equal(emza_report_policy(r), "default");
    check_verdict(only(r), EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    emza_report_free(r);
    assert_error(emza_verify_options_init(&o, 3), EMZA_EVERSION);
    free(doc);
}

static void test_policy__json_report_carries_infos(void **state)
{
    (void)state;
    char *doc = sign_doc("citizen-ec", "infos", EMZA_FORMAT_CADES_DETACHED);
    emza_policy *p = parse(POLICY(", \"revocation\": {\"noRevocationSource\": {\"level\": "
                                  "\"INFORM\"}}"));
    emza_report *r = verify(doc, p);
    char *json = NULL;
    assert_ok(emza_report_to_json(&json, r));
    const char *infos = strstr(json, "\"infos\": [");
    assert_non_null(infos);
    assert_non_null(strstr(infos, "\"code\": \"NO_REVOCATION_SOURCE\""));
    assert_non_null(strstr(json, "\"policy\": \"test\""));
    emza_free(json);
    assert_ok(emza_report_to_text(&json, r));
    assert_non_null(strstr(json, "Info NO_REVOCATION_SOURCE"));
    emza_free(json);
    emza_report_free(r);
    emza_policy_free(p);
    free(doc);
}

static int group_setup(void **state)
{
    (void)state;
    if (ts_make_root_and_trust("policy", &g_trust) != 0)
        return -1;
    g_now = (int64_t)time(NULL);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return ts_remove_root_and_trust(g_trust);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy__default_is_named_default),
        cmocka_unit_test(test_policy__minimal_policy_parses_with_its_name),
        cmocka_unit_test(test_policy__rejects_bad_json_and_structure),
        cmocka_unit_test(test_policy__limits_are_enforced),
        cmocka_unit_test(test_policy__load_reads_files_and_reports_errors),
        cmocka_unit_test(test_policy__default_json_gives_the_builtin_results),
        cmocka_unit_test(test_policy__rsa1024_passes_when_allowed_until_a_later_date),
        cmocka_unit_test(test_policy__digest_list_tightens_and_loosens),
        cmocka_unit_test(test_policy__required_level_fails_a_b_signature),
        cmocka_unit_test(test_policy__key_usage_levels),
        cmocka_unit_test(test_policy__no_revocation_source_levels),
        cmocka_unit_test(test_policy__transforms_not_allowed_are_format_failures),
        cmocka_unit_test(test_policy__chain_length_limits_the_chain),
        cmocka_unit_test(test_policy__chain_verify_takes_the_policy_and_old_options),
        cmocka_unit_test(test_policy__verify_options_version_1_is_still_read),
        cmocka_unit_test(test_policy__json_report_carries_infos),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
