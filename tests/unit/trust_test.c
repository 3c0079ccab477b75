/*
 * Tests of include/emza/trust.h (trust stores and chain validation) and
 * include/emza/indication.h (ETSI EN 319 102-1 names).
 *
 * Fixtures: the test PKI made by tests/fixtures/make-pki.sh, found through
 * EMZA_PKI_DIR. Every fixture is validated with its NAME.chain.pem as
 * untrusted certificates and trust/root.pem as the only anchor. Cases the
 * fixtures cannot show (several failures at once, long chains, dates in the
 * past) use a small PKI built here with the OpenSSL API.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <emza/cert.h>
#include <emza/datetime.h>
#include <emza/error.h>
#include <emza/indication.h>
#include <emza/trust.h>
#include "support.h"

/* ------------------------------------------------------------------------ */
/* helpers                                                                   */
/* ------------------------------------------------------------------------ */

/* 2020-06-01T00:00:00Z, inside the validity of `expired`. */
#define T_2020_06_01 INT64_C(1590969600)
/* 2035-06-01T00:00:00Z, inside the validity of `not-yet-valid`. */
#define T_2035_06_01 INT64_C(2064268800)

/* A list from PKI paths (files or directories). */
static emza_cert_list *list_of(const char *const *paths, size_t count)
{
    emza_cert_list *l = NULL;
    assert_int_equal(emza_cert_list_new(&l), EMZA_OK);
    for (size_t i = 0; i < count; i++)
        if (emza_cert_list_add_path(l, pki(paths[i])) != EMZA_OK)
            fail_msg("%s: %s", paths[i], emza_error_last()->message);
    return l;
}

static emza_trust *trust_of(const char *path)
{
    emza_trust *t = NULL;
    const char *paths[] = {pki(path)};
    if (emza_trust_load(&t, paths, 1) != EMZA_OK)
        fail_msg("%s: %s", path, emza_error_last()->message);
    assert_non_null(t);
    return t;
}

/* The national root only: the anchor of every fixture. */
static emza_trust *root_trust(void)
{
    return trust_of("trust/root.pem");
}

static int has_warning(const emza_chain_result *r, const char *code)
{
    for (size_t i = 0; i < emza_chain_result_warning_count(r); i++)
        if (strcmp(emza_chain_result_warning_code(r, i), code) == 0)
            return 1;
    return 0;
}

static int has_error(const emza_chain_result *r, const char *code)
{
    for (size_t i = 0; i < emza_chain_result_error_count(r); i++)
        if (strcmp(emza_chain_result_error_code(r, i), code) == 0)
            return 1;
    return 0;
}

static void describe(char *buf, size_t size, const emza_chain_result *r)
{
    const char *sub = emza_subindication_name(emza_chain_result_subindication(r));
    int n = snprintf(buf, size, "%s/%s \"%s\" errors:",
                     emza_indication_name(emza_chain_result_indication(r)), sub ? sub : "-",
                     emza_chain_result_message(r));
    for (size_t i = 0; i < emza_chain_result_error_count(r) && n > 0 && (size_t)n < size; i++)
        n += snprintf(buf + n, size - (size_t)n, " %s", emza_chain_result_error_code(r, i));
    for (size_t i = 0; i < emza_chain_result_warning_count(r) && n > 0 && (size_t)n < size; i++)
        n += snprintf(buf + n, size - (size_t)n, " warn:%s", emza_chain_result_warning_code(r, i));
}

/* The verdict is exactly indication/sub; a failure has a message and the deciding error first. */
static void expect_verdict(const emza_chain_result *r, emza_indication ind, emza_subindication sub,
                           const char *first_error, const char *what)
{
    char text[1024];
    describe(text, sizeof(text), r);
    if (emza_chain_result_indication(r) != ind || emza_chain_result_subindication(r) != sub)
        fail_msg("%s: expected %s/%s, got %s", what, emza_indication_name(ind),
                 sub ? emza_subindication_name(sub) : "-", text);
    if (ind == EMZA_TOTAL_PASSED) {
        assert_string_equal(emza_chain_result_message(r), "");
        assert_int_equal(emza_chain_result_error_count(r), 0);
    } else {
        assert_true(strlen(emza_chain_result_message(r)) > 0);
        assert_true(emza_chain_result_error_count(r) > 0);
        assert_string_equal(emza_chain_result_message(r), emza_chain_result_error_message(r, 0));
        if (first_error != NULL && strcmp(emza_chain_result_error_code(r, 0), first_error) != 0)
            fail_msg("%s: expected first error %s, got %s", what, first_error, text);
    }
}

/* Validates PKI certificate `name` with its chain.pem as untrusted certificates. */
static emza_chain_result *verify_fixture(const emza_trust *t, const char *name, emza_purpose purpose,
                                         int has_time, int64_t when, int offline)
{
    char chain[256];
    snprintf(chain, sizeof(chain), "%s.chain.pem", name);
    const char *paths[] = {chain};
    emza_cert_list *untrusted = list_of(paths, 1);
    emza_cert *c = ts_load_cert(name);
    emza_chain_options o;
    assert_int_equal(emza_chain_options_init(&o, EMZA_CHAIN_OPTIONS_VERSION), EMZA_OK);
    o.purpose = purpose;
    o.untrusted = untrusted;
    o.has_validation_time = has_time;
    o.validation_time = when;
    o.offline = offline;
    emza_chain_result *r = NULL;
    int rc = emza_trust_verify(&r, t, c, &o);
    if (rc != EMZA_OK)
        fail_msg("%s: emza_trust_verify: %s", name, emza_error_last()->message);
    assert_non_null(r);
    emza_cert_free(c); /* the result keeps its own references */
    emza_cert_list_free(untrusted);
    return r;
}

/* --- building certificates with the OpenSSL API --------------------------- */

typedef struct ext_entry {
    const char *name;
    const char *value; /* X509V3 configuration syntax */
} ext_entry;

typedef struct pki_cert {
    X509 *x509;
    EVP_PKEY *key;
} pki_cert;

static EVP_PKEY *new_key(int rsa_bits)
{
    EVP_PKEY *k = rsa_bits ? EVP_RSA_gen((unsigned int)rsa_bits) : EVP_EC_gen("P-256");
    assert_non_null(k);
    return k;
}

/*
 * A certificate for `cn` with a fresh key (P-256, or RSA of rsa_bits),
 * issued by `issuer` (NULL: self-signed), valid from not_before to not_after,
 * with extensions in X509V3 configuration syntax.
 */
static pki_cert make_cert(const char *cn, const pki_cert *issuer, int64_t not_before,
                          int64_t not_after, const ext_entry *exts, size_t ext_count,
                          int rsa_bits, const EVP_MD *md)
{
    static long serial = 1000;
    pki_cert out = {X509_new(), new_key(rsa_bits)};
    X509 *x = out.x509;
    assert_non_null(x);
    assert_int_equal(X509_set_version(x, 2), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial++), 1);
    X509_NAME *name = X509_NAME_new();
    assert_non_null(name);
    assert_int_equal(X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC,
                                                (const unsigned char *)"IR", -1, -1, 0),
                     1);
    assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                                (const unsigned char *)cn, -1, -1, 0),
                     1);
    assert_int_equal(X509_set_subject_name(x, name), 1);
    assert_int_equal(
        X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->x509) : name), 1);
    X509_NAME_free(name);
    assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)not_before));
    assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)not_after));
    assert_int_equal(X509_set_pubkey(x, out.key), 1);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer->x509 : x, x, NULL, NULL, 0);
    for (size_t i = 0; i < ext_count; i++) {
        X509_EXTENSION *ext = X509V3_EXT_nconf(NULL, &ctx, exts[i].name, exts[i].value);
        if (ext == NULL)
            fail_msg("cannot make extension %s = %s", exts[i].name, exts[i].value);
        assert_int_equal(X509_add_ext(x, ext, -1), 1);
        X509_EXTENSION_free(ext);
    }
    if (X509_sign(x, issuer ? issuer->key : out.key, md ? md : EVP_sha256()) <= 0)
        fail_msg("X509_sign failed for %s", cn);
    return out;
}

static void pki_cert_free(pki_cert *c)
{
    X509_free(c->x509);
    EVP_PKEY_free(c->key);
    c->x509 = NULL;
    c->key = NULL;
}

static emza_cert *to_emza(const pki_cert *c)
{
    unsigned char *der = NULL;
    int n = i2d_X509(c->x509, &der);
    assert_true(n > 0);
    emza_cert *out = NULL;
    if (emza_cert_parse(&out, der, (size_t)n) != EMZA_OK)
        fail_msg("emza_cert_parse: %s", emza_error_last()->message);
    OPENSSL_free(der);
    return out;
}

static const ext_entry CA_EXTS[] = {
    {"basicConstraints", "critical,CA:TRUE"},
    {"keyUsage", "critical,keyCertSign,cRLSign"},
    {"subjectKeyIdentifier", "hash"},
};
static const ext_entry SIGN_EXTS[] = {
    {"basicConstraints", "CA:FALSE"},
    {"keyUsage", "critical,nonRepudiation"},
};
static const ext_entry DS_ONLY_EXTS[] = {
    {"basicConstraints", "CA:FALSE"},
    {"keyUsage", "critical,digitalSignature"},
};
static const ext_entry OCSP_EXTS[] = {
    {"basicConstraints", "CA:FALSE"},
    {"keyUsage", "critical,nonRepudiation"},
    {"authorityInfoAccess", "OCSP;URI:http://127.0.0.1:9/ocsp"},
};
static const ext_entry UNKNOWN_CRITICAL_EXTS[] = {
    {"basicConstraints", "CA:FALSE"},
    {"keyUsage", "critical,nonRepudiation"},
    {"1.3.6.1.4.1.99999.7", "critical,DER:05:00"},
};

/* A root valid 2019..2040 and a leaf below it; verify the leaf with the root as anchor. */
typedef struct small_pki {
    pki_cert root;
    pki_cert leaf;
    emza_trust *trust;
    emza_cert *cert;
} small_pki;

#define T_2019 INT64_C(1546300800) /* 2019-01-01 */
#define T_2021 INT64_C(1609459200) /* 2021-01-01 */
#define T_2040 INT64_C(2208988800) /* 2040-01-01 */

static emza_trust *trust_from_x509(X509 *x)
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    assert_true(n > 0);
    emza_cert_list *l = NULL;
    assert_int_equal(emza_cert_list_new(&l), EMZA_OK);
    assert_int_equal(emza_cert_list_add_data(l, der, (size_t)n), EMZA_OK);
    OPENSSL_free(der);
    emza_trust *t = NULL;
    assert_int_equal(emza_trust_new(&t, l), EMZA_OK);
    emza_cert_list_free(l);
    return t;
}

static small_pki make_small_pki(int64_t leaf_from, int64_t leaf_to, const ext_entry *exts,
                                size_t ext_count, int rsa_bits, const EVP_MD *md)
{
    small_pki p;
    p.root = make_cert("Test Root", NULL, T_2019, T_2040, CA_EXTS, COUNT(CA_EXTS), 0, NULL);
    p.leaf = make_cert("Test Leaf", &p.root, leaf_from, leaf_to, exts, ext_count, rsa_bits, md);
    p.trust = trust_from_x509(p.root.x509);
    p.cert = to_emza(&p.leaf);
    return p;
}

static void small_pki_free(small_pki *p)
{
    emza_cert_free(p->cert);
    emza_trust_free(p->trust);
    pki_cert_free(&p->leaf);
    pki_cert_free(&p->root);
}

static emza_chain_result *verify_at(const emza_trust *t, const emza_cert *c, int64_t when,
                                    emza_purpose purpose, const emza_cert_list *untrusted)
{
    emza_chain_options o = EMZA_CHAIN_OPTIONS_INIT;
    o.has_validation_time = 1;
    o.validation_time = when;
    o.purpose = purpose;
    o.untrusted = untrusted;
    emza_chain_result *r = NULL;
    if (emza_trust_verify(&r, t, c, &o) != EMZA_OK)
        fail_msg("emza_trust_verify: %s", emza_error_last()->message);
    return r;
}

/* ------------------------------------------------------------------------ */
/* the fixtures                                                              */
/* ------------------------------------------------------------------------ */

typedef struct fixture_case {
    const char *name;
    emza_purpose purpose;
    emza_indication indication;
    emza_subindication sub;
    const char *first_error; /* code of the deciding error, or NULL */
    const char *warning;     /* a warning that must be present, or NULL */
} fixture_case;

static void run_fixture_cases(const fixture_case *cases, size_t count)
{
    emza_trust *t = root_trust();
    for (size_t i = 0; i < count; i++) {
        char what[128];
        snprintf(what, sizeof(what), "%s (purpose %d)", cases[i].name, (int)cases[i].purpose);
        emza_chain_result *r = verify_fixture(t, cases[i].name, cases[i].purpose, 0, 0, 0);
        expect_verdict(r, cases[i].indication, cases[i].sub, cases[i].first_error, what);
        if (cases[i].warning != NULL && !has_warning(r, cases[i].warning))
            fail_msg("%s: no %s warning", what, cases[i].warning);
        emza_chain_result_free(r);
    }
    emza_trust_free(t);
}

static void test_trust_verify__fixtures_that_pass_for_signing(void **state)
{
    (void)state;
    static const fixture_case cases[] = {
        {"citizen-rsa", EMZA_PURPOSE_SIGN, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "NO_REVOCATION_SOURCE"},
        {"citizen-ec", EMZA_PURPOSE_SIGN, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "NO_REVOCATION_SOURCE"},
        {"org-seal", EMZA_PURPOSE_SIGN, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "NO_REVOCATION_SOURCE"},
        {"bmp-names", EMZA_PURPOSE_SIGN, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "NO_REVOCATION_SOURCE"},
        {"no-keyusage", EMZA_PURPOSE_SIGN, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "NO_KEY_USAGE"},
    };
    run_fixture_cases(cases, COUNT(cases));
}

static void test_trust_verify__fixtures_that_fail_for_signing(void **state)
{
    (void)state;
    static const fixture_case cases[] = {
        {"expired", EMZA_PURPOSE_SIGN, EMZA_INDETERMINATE, EMZA_SUB_OUT_OF_BOUNDS_NO_POE, "CERT_EXPIRED", NULL},
        {"not-yet-valid", EMZA_PURPOSE_SIGN, EMZA_TOTAL_FAILED, EMZA_SUB_NOT_YET_VALID, "CERT_NOT_YET_VALID", NULL},
        {"no-nonrepudiation", EMZA_PURPOSE_SIGN, EMZA_INDETERMINATE, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "KEY_USAGE", NULL},
        {"citizen-auth", EMZA_PURPOSE_SIGN, EMZA_INDETERMINATE, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "KEY_USAGE", NULL},
        /* Keys reserved for timestamps and OCSP (critical or not) sign no documents. */
        {"tsa", EMZA_PURPOSE_SIGN, EMZA_INDETERMINATE, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "EXT_KEY_USAGE", NULL},
        {"ocsp-responder", EMZA_PURPOSE_SIGN, EMZA_INDETERMINATE, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "EXT_KEY_USAGE", NULL},
        {"rsa1024", EMZA_PURPOSE_SIGN, EMZA_INDETERMINATE, EMZA_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE, "WEAK_KEY", NULL},
        {"sha1-signed", EMZA_PURPOSE_SIGN, EMZA_INDETERMINATE, EMZA_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE, "WEAK_ALGORITHM", NULL},
        {"untrusted", EMZA_PURPOSE_SIGN, EMZA_INDETERMINATE, EMZA_SUB_NO_CERTIFICATE_CHAIN_FOUND, "NO_CHAIN", NULL},
        {"with-revocation", EMZA_PURPOSE_SIGN, EMZA_INDETERMINATE, EMZA_SUB_TRY_LATER, "REVOCATION_UNAVAILABLE", NULL},
        {"issued-by-leaf", EMZA_PURPOSE_SIGN, EMZA_INDETERMINATE, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "CA_CONSTRAINTS", NULL},
    };
    run_fixture_cases(cases, COUNT(cases));
}

static void test_trust_verify__purpose_auth_and_any(void **state)
{
    (void)state;
    static const fixture_case cases[] = {
        {"citizen-auth", EMZA_PURPOSE_AUTH, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, NULL},
        {"citizen-auth", EMZA_PURPOSE_ANY, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, NULL},
        {"no-nonrepudiation", EMZA_PURPOSE_ANY, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, NULL},
        {"no-nonrepudiation", EMZA_PURPOSE_AUTH, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, NULL},
        {"citizen-rsa", EMZA_PURPOSE_AUTH, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, NULL},
        {"no-keyusage", EMZA_PURPOSE_AUTH, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "NO_KEY_USAGE"},
        /* keyUsage nonRepudiation only: not for log-in */
        {"citizen-ec", EMZA_PURPOSE_AUTH, EMZA_INDETERMINATE, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "KEY_USAGE", NULL},
        {"citizen-ec", EMZA_PURPOSE_ANY, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, NULL},
        /* digitalSignature, but the extendedKeyUsage lacks clientAuth */
        {"tsa", EMZA_PURPOSE_AUTH, EMZA_INDETERMINATE, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "EXT_KEY_USAGE", NULL},
        {"ocsp-responder", EMZA_PURPOSE_AUTH, EMZA_INDETERMINATE, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "EXT_KEY_USAGE", NULL},
        {"ocsp-responder", EMZA_PURPOSE_ANY, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, NULL},
    };
    run_fixture_cases(cases, COUNT(cases));
}

static void test_trust_verify__no_key_usage_warning_only_when_purpose_is_checked(void **state)
{
    (void)state;
    emza_trust *t = root_trust();
    emza_chain_result *r = verify_fixture(t, "no-keyusage", EMZA_PURPOSE_ANY, 0, 0, 0);
    expect_verdict(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "no-keyusage any");
    assert_false(has_warning(r, "NO_KEY_USAGE"));
    emza_chain_result_free(r);
    r = verify_fixture(t, "citizen-rsa", EMZA_PURPOSE_SIGN, 0, 0, 0);
    assert_false(has_warning(r, "NO_KEY_USAGE"));
    for (size_t i = 0; i < emza_chain_result_warning_count(r); i++)
        assert_true(strlen(emza_chain_result_warning_message(r, i)) > 0);
    assert_null(emza_chain_result_warning_code(r, emza_chain_result_warning_count(r)));
    assert_null(emza_chain_result_warning_message(r, emza_chain_result_warning_count(r)));
    assert_null(emza_chain_result_error_code(r, 0));
    assert_null(emza_chain_result_error_message(r, 0));
    emza_chain_result_free(r);
    emza_trust_free(t);
}

static void test_trust_verify__expired_passes_at_a_time_inside_its_validity(void **state)
{
    (void)state;
    /* The fixture CAs are back-dated to 2019, so the whole chain is valid then. */
    emza_trust *t = root_trust();
    emza_chain_result *r = verify_fixture(t, "expired", EMZA_PURPOSE_SIGN, 1, T_2020_06_01, 0);
    expect_verdict(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "expired at 2020-06-01");
    assert_int_equal(emza_chain_result_validation_time(r), T_2020_06_01);
    assert_int_equal(emza_chain_result_chain_length(r), 3);
    emza_chain_result_free(r);
    emza_trust_free(t);
}

static void test_trust_verify__ca_not_yet_valid_at_the_validation_time_is_out_of_bounds(void **state)
{
    (void)state;
    /* The leaf is valid from 2019, its CA only from 2035: at 2020-06-01 the CA is out of bounds. */
    pki_cert root = make_cert("Test Root", NULL, T_2019, T_2040, CA_EXTS, COUNT(CA_EXTS), 0, NULL);
    pki_cert ca = make_cert("Test CA", &root, T_2035_06_01, T_2040, CA_EXTS, COUNT(CA_EXTS), 0, NULL);
    pki_cert leaf = make_cert("Test Leaf", &ca, T_2019, T_2040, SIGN_EXTS, COUNT(SIGN_EXTS), 0, NULL);
    emza_trust *t = trust_from_x509(root.x509);
    emza_cert *c = to_emza(&leaf);
    emza_cert *ca_cert = to_emza(&ca);
    emza_cert_list *u = NULL;
    assert_int_equal(emza_cert_list_new(&u), EMZA_OK);
    assert_int_equal(emza_cert_list_add(u, ca_cert), EMZA_OK);
    emza_chain_result *r = verify_at(t, c, T_2020_06_01, EMZA_PURPOSE_SIGN, u);
    /* Only the end certificate is NOT_YET_VALID (TOTAL_FAILED); a CA is out of bounds. */
    expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_OUT_OF_BOUNDS_NO_POE, "CA_NOT_YET_VALID",
                   "CA not yet valid");
    emza_chain_result_free(r);
    r = verify_at(t, c, T_2035_06_01 + 86400, EMZA_PURPOSE_SIGN, u);
    expect_verdict(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "once the CA is valid");
    emza_chain_result_free(r);
    emza_cert_list_free(u);
    emza_cert_free(ca_cert);
    emza_cert_free(c);
    emza_trust_free(t);
    pki_cert_free(&leaf);
    pki_cert_free(&ca);
    pki_cert_free(&root);
}

static void test_trust_verify__expired_certificate_passes_inside_its_validity(void **state)
{
    (void)state;
    /* The fixture's dates (2020-01-01 .. 2021-01-01) under a CA valid then. */
    small_pki p = make_small_pki(INT64_C(1577836800), T_2021, SIGN_EXTS, COUNT(SIGN_EXTS), 0, NULL);
    emza_chain_result *r = verify_at(p.trust, p.cert, T_2020_06_01, EMZA_PURPOSE_SIGN, NULL);
    expect_verdict(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "at 2020-06-01");
    emza_chain_result_free(r);
    r = verify_at(p.trust, p.cert, T_2021 + 1, EMZA_PURPOSE_SIGN, NULL);
    expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_OUT_OF_BOUNDS_NO_POE, "CERT_EXPIRED",
                   "one second after notAfter");
    emza_chain_result_free(r);
    /* notAfter itself is still inside (RFC 5280: inclusive). */
    r = verify_at(p.trust, p.cert, T_2021, EMZA_PURPOSE_SIGN, NULL);
    expect_verdict(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "at notAfter");
    emza_chain_result_free(r);
    r = verify_at(p.trust, p.cert, INT64_C(1577836800) - 1, EMZA_PURPOSE_SIGN, NULL);
    expect_verdict(r, EMZA_TOTAL_FAILED, EMZA_SUB_NOT_YET_VALID, "CERT_NOT_YET_VALID",
                   "one second before notBefore");
    emza_chain_result_free(r);
    small_pki_free(&p);
}

static void test_trust_verify__not_yet_valid_passes_once_valid(void **state)
{
    (void)state;
    emza_trust *t = root_trust();
    emza_chain_result *r = verify_fixture(t, "not-yet-valid", EMZA_PURPOSE_SIGN, 1, T_2035_06_01, 0);
    expect_verdict(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "not-yet-valid at 2035-06-01");
    assert_int_equal(emza_chain_result_validation_time(r), T_2035_06_01);
    emza_chain_result_free(r);
    emza_trust_free(t);
}

static void test_trust_verify__untrusted_hierarchy(void **state)
{
    (void)state;
    emza_trust *t = root_trust();
    emza_cert *c = ts_load_cert("untrusted");
    /* Without its chain. */
    emza_chain_result *r = verify_at(t, c, (int64_t)time(NULL), EMZA_PURPOSE_SIGN, NULL);
    expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_NO_CERTIFICATE_CHAIN_FOUND, "NO_CHAIN",
                   "untrusted alone");
    emza_chain_result_free(r);
    /* With its chain and even its root as untrusted certificates. */
    static const char *const paths[] = {"untrusted.chain.pem", "untrusted-root.cert.pem"};
    emza_cert_list *u = list_of(paths, 2);
    r = verify_at(t, c, (int64_t)time(NULL), EMZA_PURPOSE_SIGN, u);
    expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_NO_CERTIFICATE_CHAIN_FOUND, "NO_CHAIN",
                   "untrusted with its root as untrusted");
    emza_chain_result_free(r);
    emza_trust_free(t);

    /* With its own root as the anchor it passes. */
    t = trust_of("untrusted-root.cert.pem");
    r = verify_at(t, c, (int64_t)time(NULL), EMZA_PURPOSE_SIGN, u);
    expect_verdict(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "untrusted under untrusted-root");
    assert_int_equal(emza_chain_result_chain_length(r), 3);
    emza_cert *root = ts_load_cert("untrusted-root");
    assert_memory_equal(emza_cert_sha256(emza_chain_result_chain_cert(r, 2)), emza_cert_sha256(root),
                        32);
    emza_cert_free(root);
    emza_chain_result_free(r);
    emza_trust_free(t);
    emza_cert_list_free(u);
    emza_cert_free(c);
}

static void test_trust_verify__chain_of_citizen_rsa(void **state)
{
    (void)state;
    emza_trust *t = root_trust();
    static const char *const paths[] = {"citizen-rsa.chain.pem"};
    emza_cert_list *u = list_of(paths, 1);
    emza_cert *c = ts_load_cert("citizen-rsa");
    emza_chain_result *r = verify_at(t, c, (int64_t)time(NULL), EMZA_PURPOSE_SIGN, u);
    expect_verdict(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "citizen-rsa");
    assert_int_equal(emza_chain_result_chain_length(r), 3);
    assert_ptr_equal(emza_chain_result_chain_cert(r, 0), c);
    emza_cert *ca = ts_load_cert("citizen-ca");
    emza_cert *root = ts_load_cert("root-ca");
    assert_memory_equal(emza_cert_sha256(emza_chain_result_chain_cert(r, 1)), emza_cert_sha256(ca), 32);
    assert_memory_equal(emza_cert_sha256(emza_chain_result_chain_cert(r, 2)), emza_cert_sha256(root),
                        32);
    assert_null(emza_chain_result_chain_cert(r, 3));
    /* The chain's certificates outlive the inputs. */
    emza_cert_list_free(u);
    emza_cert_free(c);
    emza_trust_free(t);
    assert_string_equal(emza_cert_common_name(emza_chain_result_chain_cert(r, 0)), "علی رضایی");
    assert_string_equal(emza_cert_common_name(emza_chain_result_chain_cert(r, 2)),
                        "Emza Test National Root CA");
    emza_chain_result_free(r);
    emza_cert_free(ca);
    emza_cert_free(root);
}

static void test_trust_verify__intermediate_anchor_is_a_partial_chain(void **state)
{
    (void)state;
    emza_trust *t = trust_of("citizen-ca.cert.pem");
    emza_cert *c = ts_load_cert("citizen-rsa");
    emza_chain_result *r = verify_at(t, c, (int64_t)time(NULL), EMZA_PURPOSE_SIGN, NULL);
    expect_verdict(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "citizen-rsa under citizen-ca");
    assert_int_equal(emza_chain_result_chain_length(r), 2);
    emza_cert *ca = ts_load_cert("citizen-ca");
    assert_memory_equal(emza_cert_sha256(emza_chain_result_chain_cert(r, 1)), emza_cert_sha256(ca), 32);
    emza_cert_free(ca);
    emza_chain_result_free(r);
    emza_cert_free(c);
    emza_trust_free(t);
}

static void test_trust_verify__certificate_that_is_itself_an_anchor(void **state)
{
    (void)state;
    emza_trust *t = trust_of("citizen-rsa.cert.pem");
    emza_cert *c = ts_load_cert("citizen-rsa");
    emza_chain_result *r = verify_at(t, c, (int64_t)time(NULL), EMZA_PURPOSE_SIGN, NULL);
    expect_verdict(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "citizen-rsa as its own anchor");
    assert_int_equal(emza_chain_result_chain_length(r), 1);
    emza_chain_result_free(r);
    emza_cert_free(c);
    emza_trust_free(t);
}

static void test_trust_verify__end_entity_anchor_cannot_issue(void **state)
{
    (void)state;
    /* citizen-rsa (CA:FALSE, no keyCertSign) as the anchor of issued-by-leaf. */
    emza_trust *t = trust_of("citizen-rsa.cert.pem");
    emza_cert *c = ts_load_cert("issued-by-leaf");
    emza_chain_result *r = verify_at(t, c, (int64_t)time(NULL), EMZA_PURPOSE_SIGN, NULL);
    expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "CA_CONSTRAINTS",
                   "issued-by-leaf under citizen-rsa");
    assert_int_equal(emza_chain_result_chain_length(r), 2);
    emza_chain_result_free(r);
    emza_cert_free(c);
    emza_trust_free(t);
}

static void test_trust_verify__no_chain_without_the_intermediate(void **state)
{
    (void)state;
    emza_trust *t = root_trust();
    emza_cert *c = ts_load_cert("citizen-rsa");
    emza_chain_result *r = verify_at(t, c, (int64_t)time(NULL), EMZA_PURPOSE_SIGN, NULL);
    expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_NO_CERTIFICATE_CHAIN_FOUND, "NO_CHAIN",
                   "citizen-rsa without citizen-ca");
    size_t len = emza_chain_result_chain_length(r);
    emza_chain_result_free(r);
    emza_cert_free(c);
    emza_trust_free(t);
    /* trust.h: the partial chain built before the search failed, here the certificate alone. */
    assert_int_equal(len, 1);
}

static void test_trust_verify__revocation_source_that_cannot_be_consulted(void **state)
{
    (void)state;
    emza_trust *t = root_trust();
    for (int offline = 1; offline >= 0; offline--) {
        emza_chain_result *r =
            verify_fixture(t, "with-revocation", EMZA_PURPOSE_SIGN, 0, 0, offline);
        expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_TRY_LATER, "REVOCATION_UNAVAILABLE",
                       offline ? "with-revocation offline" : "with-revocation online");
        assert_non_null(strstr(emza_chain_result_message(r), "http://127.0.0.1:9/ocsp"));
        emza_chain_result_free(r);
    }
    emza_trust_free(t);
}

static void test_trust_verify__issued_by_leaf_reports_ca_constraints(void **state)
{
    (void)state;
    emza_trust *t = root_trust();
    emza_chain_result *r = verify_fixture(t, "issued-by-leaf", EMZA_PURPOSE_ANY, 0, 0, 0);
    expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "CA_CONSTRAINTS",
                   "issued-by-leaf");
    assert_int_equal(emza_chain_result_chain_length(r), 4);
    assert_non_null(strstr(emza_chain_result_message(r), "علی رضایی"));
    emza_chain_result_free(r);
    emza_trust_free(t);
}

/* ------------------------------------------------------------------------ */
/* the deciding order (trust.h), with certificates built here                */
/* ------------------------------------------------------------------------ */

static void test_trust_verify__order_validity_before_crypto(void **state)
{
    (void)state;
    /* Expired and RSA-1024: the validity period decides. */
    small_pki p =
        make_small_pki(T_2019, T_2021, SIGN_EXTS, COUNT(SIGN_EXTS), 1024, NULL);
    emza_chain_result *r = verify_at(p.trust, p.cert, (int64_t)time(NULL), EMZA_PURPOSE_SIGN, NULL);
    expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_OUT_OF_BOUNDS_NO_POE, "CERT_EXPIRED",
                   "expired rsa1024");
    assert_true(has_error(r, "WEAK_KEY"));
    emza_chain_result_free(r);
    /* Inside its validity only the key is left. */
    r = verify_at(p.trust, p.cert, T_2020_06_01, EMZA_PURPOSE_SIGN, NULL);
    expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE, "WEAK_KEY",
                   "rsa1024 at 2020-06-01");
    assert_int_equal(emza_chain_result_error_count(r), 1);
    emza_chain_result_free(r);
    small_pki_free(&p);
}

static void test_trust_verify__order_constraints_before_validity(void **state)
{
    (void)state;
    /* Not yet valid and without nonRepudiation: the purpose decides. */
    small_pki p = make_small_pki(T_2035_06_01, T_2040, DS_ONLY_EXTS, COUNT(DS_ONLY_EXTS), 0, NULL);
    emza_chain_result *r = verify_at(p.trust, p.cert, (int64_t)time(NULL), EMZA_PURPOSE_SIGN, NULL);
    expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "KEY_USAGE",
                   "not yet valid, no nonRepudiation");
    assert_true(has_error(r, "CERT_NOT_YET_VALID"));
    emza_chain_result_free(r);
    r = verify_at(p.trust, p.cert, (int64_t)time(NULL), EMZA_PURPOSE_AUTH, NULL);
    expect_verdict(r, EMZA_TOTAL_FAILED, EMZA_SUB_NOT_YET_VALID, "CERT_NOT_YET_VALID",
                   "not yet valid, for log-in");
    emza_chain_result_free(r);
    small_pki_free(&p);
}

static void test_trust_verify__order_revocation_before_validity(void **state)
{
    (void)state;
    /* Expired and declaring an OCSP responder that cannot be reached. */
    small_pki p = make_small_pki(T_2019, T_2021, OCSP_EXTS, COUNT(OCSP_EXTS), 0, NULL);
    emza_chain_result *r = verify_at(p.trust, p.cert, (int64_t)time(NULL), EMZA_PURPOSE_SIGN, NULL);
    expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_TRY_LATER, "REVOCATION_UNAVAILABLE",
                   "expired with OCSP");
    assert_true(has_error(r, "CERT_EXPIRED"));
    emza_chain_result_free(r);
    small_pki_free(&p);
}

static void test_trust_verify__order_no_chain_before_everything(void **state)
{
    (void)state;
    /* Expired, RSA-1024, no nonRepudiation, and under an anchor that is not trusted. */
    small_pki p = make_small_pki(T_2019, T_2021, DS_ONLY_EXTS, COUNT(DS_ONLY_EXTS), 1024, NULL);
    emza_trust *other = root_trust();
    emza_chain_result *r = verify_at(other, p.cert, (int64_t)time(NULL), EMZA_PURPOSE_SIGN, NULL);
    expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_NO_CERTIFICATE_CHAIN_FOUND, "NO_CHAIN",
                   "everything wrong, no chain");
    emza_chain_result_free(r);
    emza_trust_free(other);
    small_pki_free(&p);
}

static void test_trust_verify__bad_signature_is_general_failure_before_constraints(void **state)
{
    (void)state;
    /* no-nonrepudiation with one bit of its signature flipped. */
    emza_cert *good = ts_load_cert("no-nonrepudiation");
    size_t len;
    const uint8_t *der = emza_cert_der(good, &len);
    uint8_t *bad = malloc(len);
    assert_non_null(bad);
    memcpy(bad, der, len);
    bad[len - 3] ^= 0x01;
    emza_cert *c = NULL;
    assert_int_equal(emza_cert_parse(&c, bad, len), EMZA_OK);
    free(bad);
    emza_cert_free(good);
    emza_trust *t = root_trust();
    static const char *const paths[] = {"no-nonrepudiation.chain.pem"};
    emza_cert_list *u = list_of(paths, 1);
    emza_chain_result *r = verify_at(t, c, (int64_t)time(NULL), EMZA_PURPOSE_SIGN, u);
    expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_CERTIFICATE_CHAIN_GENERAL_FAILURE,
                   "CERT_INVALID", "bad signature");
    assert_true(has_error(r, "KEY_USAGE"));
    emza_chain_result_free(r);
    emza_cert_list_free(u);
    emza_trust_free(t);
    emza_cert_free(c);
}

static void test_trust_verify__unknown_critical_extension_is_general_failure(void **state)
{
    (void)state;
    small_pki p = make_small_pki(T_2019, T_2040, UNKNOWN_CRITICAL_EXTS,
                                 COUNT(UNKNOWN_CRITICAL_EXTS), 0, NULL);
    emza_chain_result *r = verify_at(p.trust, p.cert, (int64_t)time(NULL), EMZA_PURPOSE_SIGN, NULL);
    expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_CERTIFICATE_CHAIN_GENERAL_FAILURE,
                   "CERT_INVALID", "unknown critical extension");
    emza_chain_result_free(r);
    small_pki_free(&p);
}

static void test_trust_verify__weak_digest_and_weak_key_both_reported(void **state)
{
    (void)state;
    small_pki p = make_small_pki(T_2019, T_2040, SIGN_EXTS, COUNT(SIGN_EXTS), 1024, EVP_sha1());
    emza_chain_result *r = verify_at(p.trust, p.cert, (int64_t)time(NULL), EMZA_PURPOSE_SIGN, NULL);
    expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE, NULL,
                   "sha1 and rsa1024");
    assert_true(has_error(r, "WEAK_KEY"));
    assert_true(has_error(r, "WEAK_ALGORITHM"));
    emza_chain_result_free(r);
    small_pki_free(&p);
}

static void test_trust_verify__expired_intermediate_ca_is_out_of_bounds(void **state)
{
    (void)state;
    pki_cert root = make_cert("Test Root", NULL, T_2019, T_2040, CA_EXTS, COUNT(CA_EXTS), 0, NULL);
    pki_cert ca = make_cert("Test CA", &root, T_2019, T_2021, CA_EXTS, COUNT(CA_EXTS), 0, NULL);
    pki_cert leaf = make_cert("Test Leaf", &ca, T_2019, T_2040, SIGN_EXTS, COUNT(SIGN_EXTS), 0, NULL);
    emza_trust *t = trust_from_x509(root.x509);
    emza_cert *c = to_emza(&leaf);
    emza_cert *ca_cert = to_emza(&ca);
    emza_cert_list *u = NULL;
    assert_int_equal(emza_cert_list_new(&u), EMZA_OK);
    assert_int_equal(emza_cert_list_add(u, ca_cert), EMZA_OK);
    emza_chain_result *r = verify_at(t, c, (int64_t)time(NULL), EMZA_PURPOSE_SIGN, u);
    expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_OUT_OF_BOUNDS_NO_POE, "CA_EXPIRED",
                   "expired intermediate");
    emza_chain_result_free(r);
    r = verify_at(t, c, T_2020_06_01, EMZA_PURPOSE_SIGN, u);
    expect_verdict(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "at 2020-06-01");
    emza_chain_result_free(r);
    emza_cert_list_free(u);
    emza_cert_free(ca_cert);
    emza_cert_free(c);
    emza_trust_free(t);
    pki_cert_free(&leaf);
    pki_cert_free(&ca);
    pki_cert_free(&root);
}

static void test_trust_verify__anchor_validity_period_is_not_checked(void **state)
{
    (void)state;
    /* A root that expired in 2021 over a leaf valid today (RFC 5280 6.1: an anchor is an input). */
    pki_cert root = make_cert("Old Root", NULL, T_2019, T_2021, CA_EXTS, COUNT(CA_EXTS), 0, NULL);
    pki_cert leaf = make_cert("Leaf", &root, T_2019, T_2040, SIGN_EXTS, COUNT(SIGN_EXTS), 0, NULL);
    emza_trust *t = trust_from_x509(root.x509);
    emza_cert *c = to_emza(&leaf);
    emza_chain_result *r = verify_at(t, c, (int64_t)time(NULL), EMZA_PURPOSE_SIGN, NULL);
    expect_verdict(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "leaf under an expired anchor");
    assert_int_equal(emza_chain_result_chain_length(r), 2);
    emza_chain_result_free(r);
    emza_cert_free(c);
    emza_trust_free(t);
    pki_cert_free(&leaf);
    pki_cert_free(&root);
}

/* A chain of `total` certificates, anchor included: root, total-2 CAs, leaf. */
static emza_chain_result *verify_chain_of(size_t total)
{
    pki_cert certs[16];
    assert_true(total >= 2 && total <= COUNT(certs));
    certs[0] = make_cert("Depth Root", NULL, T_2019, T_2040, CA_EXTS, COUNT(CA_EXTS), 0, NULL);
    for (size_t i = 1; i + 1 < total; i++) {
        char cn[32];
        snprintf(cn, sizeof(cn), "Depth CA %zu", i);
        certs[i] = make_cert(cn, &certs[i - 1], T_2019, T_2040, CA_EXTS, COUNT(CA_EXTS), 0, NULL);
    }
    certs[total - 1] = make_cert("Depth Leaf", &certs[total - 2], T_2019, T_2040, SIGN_EXTS,
                                 COUNT(SIGN_EXTS), 0, NULL);
    emza_trust *t = trust_from_x509(certs[0].x509);
    emza_cert_list *u = NULL;
    assert_int_equal(emza_cert_list_new(&u), EMZA_OK);
    for (size_t i = 1; i + 1 < total; i++) {
        emza_cert *ca = to_emza(&certs[i]);
        assert_int_equal(emza_cert_list_add(u, ca), EMZA_OK);
        emza_cert_free(ca);
    }
    emza_cert *leaf = to_emza(&certs[total - 1]);
    emza_chain_result *r = verify_at(t, leaf, (int64_t)time(NULL), EMZA_PURPOSE_SIGN, u);
    emza_cert_free(leaf);
    emza_cert_list_free(u);
    emza_trust_free(t);
    for (size_t i = 0; i < total; i++)
        pki_cert_free(&certs[i]);
    return r;
}

static void test_trust_verify__chain_depth_limit_is_10_anchor_included(void **state)
{
    (void)state;
    emza_chain_result *r = verify_chain_of(EMZA_CHAIN_DEPTH_MAX);
    expect_verdict(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "chain of 10");
    assert_int_equal(emza_chain_result_chain_length(r), EMZA_CHAIN_DEPTH_MAX);
    emza_chain_result_free(r);

    r = verify_chain_of(EMZA_CHAIN_DEPTH_MAX + 2);
    expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_NO_CERTIFICATE_CHAIN_FOUND, "NO_CHAIN",
                   "chain of 12");
    emza_chain_result_free(r);

    r = verify_chain_of(EMZA_CHAIN_DEPTH_MAX + 1);
    emza_indication ind = emza_chain_result_indication(r);
    emza_subindication sub = emza_chain_result_subindication(r);
    size_t len = emza_chain_result_chain_length(r);
    emza_chain_result_free(r);
    /*
     * LIBRARY BUG: lib/trust.c sets X509_VERIFY_PARAM_set_depth(param,
     * EMZA_CHAIN_DEPTH_MAX - 1) believing OpenSSL's depth counts every
     * certificate above the leaf; OpenSSL's depth counts only the
     * intermediate CAs (neither the leaf nor the anchor), so a chain of 11
     * certificates (9 CAs) still passes. trust.h: "Longest chain built,
     * anchor included. Longer chains give NO_CERTIFICATE_CHAIN_FOUND."
     */
    if (ind != EMZA_INDETERMINATE || sub != EMZA_SUB_NO_CERTIFICATE_CHAIN_FOUND)
        fail_msg("chain of 11 (length %zu built): expected INDETERMINATE/"
                 "NO_CERTIFICATE_CHAIN_FOUND, got %s/%s",
                 len, emza_indication_name(ind), sub ? emza_subindication_name(sub) : "-");
}

/* ------------------------------------------------------------------------ */
/* options and arguments                                                     */
/* ------------------------------------------------------------------------ */

static void test_trust_verify__null_options_are_the_defaults(void **state)
{
    (void)state;
    /* Defaults: now, purpose sign, no untrusted certificates. */
    emza_trust *t = trust_of("citizen-ca.cert.pem");
    emza_cert *c = ts_load_cert("no-nonrepudiation");
    int64_t before = (int64_t)time(NULL);
    emza_chain_result *r = NULL;
    assert_int_equal(emza_trust_verify(&r, t, c, NULL), EMZA_OK);
    int64_t after = (int64_t)time(NULL);
    expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "KEY_USAGE",
                   "no-nonrepudiation, NULL options");
    assert_true(emza_chain_result_validation_time(r) >= before);
    assert_true(emza_chain_result_validation_time(r) <= after);
    emza_chain_result_free(r);
    emza_cert_free(c);
    c = ts_load_cert("citizen-rsa");
    assert_int_equal(emza_trust_verify(&r, t, c, NULL), EMZA_OK);
    expect_verdict(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "citizen-rsa, NULL options");
    emza_chain_result_free(r);
    emza_cert_free(c);
    emza_trust_free(t);
}

static void test_chain_options_init__sets_the_defaults(void **state)
{
    (void)state;
    emza_chain_options o;
    memset(&o, 0x5A, sizeof(o));
    assert_int_equal(emza_chain_options_init(&o, EMZA_CHAIN_OPTIONS_VERSION), EMZA_OK);
    assert_int_equal(o.version, EMZA_CHAIN_OPTIONS_VERSION);
    assert_int_equal(o.has_validation_time, 0);
    assert_int_equal(o.validation_time, 0);
    assert_int_equal(o.purpose, EMZA_PURPOSE_SIGN);
    assert_null(o.untrusted);
    assert_int_equal(o.offline, 0);
    emza_chain_options init = EMZA_CHAIN_OPTIONS_INIT;
    assert_int_equal(init.version, o.version);
    assert_int_equal(init.purpose, o.purpose);

    assert_error(emza_chain_options_init(&o, 99), EMZA_EVERSION);
    assert_error(emza_chain_options_init(&o, 0), EMZA_EVERSION);
    assert_error(emza_chain_options_init(NULL, EMZA_CHAIN_OPTIONS_VERSION), EMZA_EINVAL);
}

static void test_trust_verify__rejects_unknown_options_version(void **state)
{
    (void)state;
    emza_trust *t = root_trust();
    emza_cert *c = ts_load_cert("citizen-rsa");
    emza_chain_options o = EMZA_CHAIN_OPTIONS_INIT;
    o.version = 99;
    emza_chain_result *r = (emza_chain_result *)(uintptr_t)1;
    assert_error(emza_trust_verify(&r, t, c, &o), EMZA_EVERSION);
    assert_null(r);
    emza_cert_free(c);
    emza_trust_free(t);
}

static void test_trust_verify__rejects_bad_purpose_and_time(void **state)
{
    (void)state;
    emza_trust *t = root_trust();
    emza_cert *c = ts_load_cert("citizen-rsa");
    emza_chain_options o = EMZA_CHAIN_OPTIONS_INIT;
    emza_chain_result *r = (emza_chain_result *)(uintptr_t)1;
    o.purpose = (emza_purpose)4;
    assert_error(emza_trust_verify(&r, t, c, &o), EMZA_EINVAL);
    assert_null(r);
    o.purpose = (emza_purpose)-1;
    r = (emza_chain_result *)(uintptr_t)1;
    assert_error(emza_trust_verify(&r, t, c, &o), EMZA_EINVAL);
    assert_null(r);

    o.purpose = EMZA_PURPOSE_SIGN;
    o.has_validation_time = 1;
    const int64_t bad_times[] = {EMZA_TIME_MAX + 1, EMZA_TIME_MIN - 1, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < COUNT(bad_times); i++) {
        o.validation_time = bad_times[i];
        r = (emza_chain_result *)(uintptr_t)1;
        assert_error(emza_trust_verify(&r, t, c, &o), EMZA_EINVAL);
        assert_null(r);
    }
    /* The ends of the range are accepted: a verdict, not an error. */
    o.validation_time = EMZA_TIME_MAX;
    assert_int_equal(emza_trust_verify(&r, t, c, &o), EMZA_OK);
    assert_int_equal(emza_chain_result_indication(r), EMZA_INDETERMINATE);
    assert_int_equal(emza_chain_result_validation_time(r), EMZA_TIME_MAX);
    emza_chain_result_free(r);
    o.validation_time = EMZA_TIME_MIN;
    assert_int_equal(emza_trust_verify(&r, t, c, &o), EMZA_OK);
    assert_int_not_equal(emza_chain_result_indication(r), EMZA_TOTAL_PASSED);
    emza_chain_result_free(r);
    /* has_validation_time 0: the time field is ignored. */
    o.has_validation_time = 0;
    o.validation_time = INT64_MAX;
    assert_int_equal(emza_trust_verify(&r, t, c, &o), EMZA_OK);
    emza_chain_result_free(r);
    emza_cert_free(c);
    emza_trust_free(t);
}

static void test_trust_verify__rejects_null_arguments(void **state)
{
    (void)state;
    emza_trust *t = root_trust();
    emza_cert *c = ts_load_cert("citizen-rsa");
    emza_chain_result *r = (emza_chain_result *)(uintptr_t)1;
    assert_error(emza_trust_verify(NULL, t, c, NULL), EMZA_EINVAL);
    assert_error(emza_trust_verify(&r, NULL, c, NULL), EMZA_EINVAL);
    assert_null(r);
    r = (emza_chain_result *)(uintptr_t)1;
    assert_error(emza_trust_verify(&r, t, NULL, NULL), EMZA_EINVAL);
    assert_null(r);
    emza_cert_free(c);
    emza_trust_free(t);
}

static void test_chain_result__getters_accept_null(void **state)
{
    (void)state;
    assert_int_equal(emza_chain_result_indication(NULL), EMZA_INDETERMINATE); /* fail closed */
    assert_int_equal(emza_chain_result_subindication(NULL), EMZA_SUB_NONE);
    assert_string_equal(emza_chain_result_message(NULL), "");
    assert_int_equal(emza_chain_result_chain_length(NULL), 0);
    assert_null(emza_chain_result_chain_cert(NULL, 0));
    assert_int_equal(emza_chain_result_warning_count(NULL), 0);
    assert_null(emza_chain_result_warning_code(NULL, 0));
    assert_int_equal(emza_chain_result_error_count(NULL), 0);
    assert_null(emza_chain_result_error_message(NULL, 0));
    emza_chain_result_free(NULL);
}

/* ------------------------------------------------------------------------ */
/* the store                                                                 */
/* ------------------------------------------------------------------------ */

static void test_trust_new__rejects_an_empty_list(void **state)
{
    (void)state;
    emza_cert_list *l = NULL;
    assert_int_equal(emza_cert_list_new(&l), EMZA_OK);
    emza_trust *t = (emza_trust *)(uintptr_t)1;
    assert_error(emza_trust_new(&t, l), EMZA_EINVAL);
    assert_null(t);
    t = (emza_trust *)(uintptr_t)1;
    assert_error(emza_trust_new(&t, NULL), EMZA_EINVAL);
    assert_null(t);
    assert_error(emza_trust_new(NULL, l), EMZA_EINVAL);
    emza_cert_list_free(l);
}

static void test_trust_new__copies_the_list_by_reference(void **state)
{
    (void)state;
    static const char *const paths[] = {"trust/root.pem", "citizen-ca.cert.pem"};
    emza_cert_list *l = list_of(paths, 2);
    emza_trust *t = NULL;
    assert_int_equal(emza_trust_new(&t, l), EMZA_OK);
    const emza_cert *first = emza_cert_list_get(l, 0);
    emza_cert_list_free(l); /* the store keeps its own references */
    assert_int_equal(emza_trust_count(t), 2);
    assert_ptr_equal(emza_trust_get(t, 0), first);
    assert_string_equal(emza_cert_common_name(emza_trust_get(t, 0)), "Emza Test National Root CA");
    assert_string_equal(emza_cert_common_name(emza_trust_get(t, 1)), "Emza Test Citizen CA");
    assert_null(emza_trust_get(t, 2));
    emza_cert *c = ts_load_cert("citizen-rsa");
    emza_chain_result *r = verify_at(t, c, (int64_t)time(NULL), EMZA_PURPOSE_SIGN, NULL);
    expect_verdict(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "citizen-rsa");
    emza_chain_result_free(r);
    emza_cert_free(c);
    emza_trust_free(t);
}

static void test_trust_load__der_file_and_directory(void **state)
{
    (void)state;
    emza_trust *t = trust_of("trust/root.der");
    assert_int_equal(emza_trust_count(t), 1);
    emza_chain_result *r = verify_fixture(t, "citizen-ec", EMZA_PURPOSE_SIGN, 0, 0, 0);
    expect_verdict(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "citizen-ec under root.der");
    emza_chain_result_free(r);
    emza_trust_free(t);

    t = trust_of("trust");
    assert_int_equal(emza_trust_count(t), 2); /* root.der and root.pem */
    r = verify_fixture(t, "citizen-ec", EMZA_PURPOSE_SIGN, 0, 0, 0);
    expect_verdict(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "citizen-ec under trust/");
    emza_chain_result_free(r);
    emza_trust_free(t);

    /* Several paths add up. */
    const char *paths[] = {pki("trust/root.pem"), pki("untrusted-root.cert.der")};
    assert_int_equal(emza_trust_load(&t, paths, 2), EMZA_OK);
    assert_int_equal(emza_trust_count(t), 2);
    emza_trust_free(t);
}

static void test_trust_load__rejects_missing_paths_and_empty_input(void **state)
{
    (void)state;
    emza_trust *t = (emza_trust *)(uintptr_t)1;
    const char *missing[] = {pki("trust/root.pem"), pki("no-such-anchor.pem")};
    assert_error(emza_trust_load(&t, missing, 2), EMZA_EIO);
    assert_null(t);
    t = (emza_trust *)(uintptr_t)1;
    assert_error(emza_trust_load(&t, missing, 0), EMZA_EINVAL);
    assert_null(t);
    t = (emza_trust *)(uintptr_t)1;
    assert_error(emza_trust_load(&t, NULL, 1), EMZA_EINVAL);
    assert_null(t);
    const char *key[] = {pki("citizen-ec.key.pem")};
    t = (emza_trust *)(uintptr_t)1;
    assert_error(emza_trust_load(&t, key, 1), EMZA_EFORMAT);
    assert_null(t);
    assert_error(emza_trust_load(NULL, key, 1), EMZA_EINVAL);
}

static void test_trust_dup__shares_the_store_until_the_last_free(void **state)
{
    (void)state;
    emza_trust *t = root_trust();
    emza_trust *d = emza_trust_dup(t);
    assert_ptr_equal(t, d);
    emza_trust_free(t);
    assert_int_equal(emza_trust_count(d), 1);
    emza_chain_result *r = verify_fixture(d, "citizen-rsa", EMZA_PURPOSE_SIGN, 0, 0, 0);
    expect_verdict(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "citizen-rsa through a dup");
    emza_chain_result_free(r);
    emza_trust_free(d);
    assert_null(emza_trust_dup(NULL));
    emza_trust_free(NULL);
    assert_int_equal(emza_trust_count(NULL), 0);
    assert_null(emza_trust_get(NULL, 0));
}

/* ------------------------------------------------------------------------ */
/* threads                                                                   */
/* ------------------------------------------------------------------------ */

#define THREADS 8
#define ROUNDS 50

typedef struct thread_job {
    const emza_trust *trust;
    const emza_cert *cert;
    const emza_cert_list *untrusted;
    atomic_int *passed;
    atomic_int *failed;
} thread_job;

static void *verify_many(void *arg)
{
    const thread_job *job = arg;
    for (int i = 0; i < ROUNDS; i++) {
        emza_chain_options o = EMZA_CHAIN_OPTIONS_INIT;
        o.untrusted = job->untrusted;
        emza_chain_result *r = NULL;
        int rc = emza_trust_verify(&r, job->trust, job->cert, &o);
        if (rc == EMZA_OK && emza_chain_result_indication(r) == EMZA_TOTAL_PASSED &&
            emza_chain_result_chain_length(r) == 3)
            atomic_fetch_add(job->passed, 1);
        else
            atomic_fetch_add(job->failed, 1);
        emza_chain_result_free(r);
    }
    return NULL;
}

static void test_trust_verify__shared_store_across_8_threads(void **state)
{
    (void)state;
    emza_trust *t = root_trust();
    emza_cert *c = ts_load_cert("citizen-rsa");
    static const char *const paths[] = {"citizen-rsa.chain.pem"};
    emza_cert_list *u = list_of(paths, 1);
    atomic_int passed, failed;
    atomic_init(&passed, 0);
    atomic_init(&failed, 0);
    thread_job job = {t, c, u, &passed, &failed};
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, verify_many, &job), 0);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    assert_int_equal(atomic_load(&failed), 0);
    assert_int_equal(atomic_load(&passed), THREADS * ROUNDS);
    emza_cert_list_free(u);
    emza_cert_free(c);
    emza_trust_free(t);
}

/* ------------------------------------------------------------------------ */
/* indications                                                               */
/* ------------------------------------------------------------------------ */

#define SUB(name, ind) {EMZA_SUB_##name, #name, EMZA_##ind}

static const struct {
    emza_subindication sub;
    const char *name;
    emza_indication indication;
} SUBS[] = {
    SUB(FORMAT_FAILURE, TOTAL_FAILED),
    SUB(HASH_FAILURE, TOTAL_FAILED),
    SUB(SIG_CRYPTO_FAILURE, TOTAL_FAILED),
    SUB(REVOKED, TOTAL_FAILED),
    SUB(EXPIRED, TOTAL_FAILED),
    SUB(NOT_YET_VALID, TOTAL_FAILED),
    SUB(SIG_CONSTRAINTS_FAILURE, INDETERMINATE),
    SUB(CHAIN_CONSTRAINTS_FAILURE, INDETERMINATE),
    SUB(CERTIFICATE_CHAIN_GENERAL_FAILURE, INDETERMINATE),
    SUB(CRYPTO_CONSTRAINTS_FAILURE, INDETERMINATE),
    SUB(CRYPTO_CONSTRAINTS_FAILURE_NO_POE, INDETERMINATE),
    SUB(POLICY_PROCESSING_ERROR, INDETERMINATE),
    SUB(SIGNATURE_POLICY_NOT_AVAILABLE, INDETERMINATE),
    SUB(TIMESTAMP_ORDER_FAILURE, INDETERMINATE),
    SUB(NO_SIGNING_CERTIFICATE_FOUND, INDETERMINATE),
    SUB(NO_CERTIFICATE_CHAIN_FOUND, INDETERMINATE),
    SUB(NO_CERTIFICATE_CHAIN_FOUND_NO_POE, INDETERMINATE),
    SUB(REVOKED_NO_POE, INDETERMINATE),
    SUB(REVOKED_CA_NO_POE, INDETERMINATE),
    SUB(OUT_OF_BOUNDS_NOT_REVOKED, INDETERMINATE),
    SUB(OUT_OF_BOUNDS_NO_POE, INDETERMINATE),
    SUB(REVOCATION_OUT_OF_BOUNDS_NO_POE, INDETERMINATE),
    SUB(NO_POE, INDETERMINATE),
    SUB(TRY_LATER, INDETERMINATE),
    SUB(SIGNED_DATA_NOT_FOUND, INDETERMINATE),
};

static void test_indication__names_of_every_subindication(void **state)
{
    (void)state;
    /* Every value 1..SIGNED_DATA_NOT_FOUND is listed once, in enum order. */
    assert_int_equal(COUNT(SUBS), (size_t)EMZA_SUB_SIGNED_DATA_NOT_FOUND);
    for (size_t i = 0; i < COUNT(SUBS); i++) {
        assert_int_equal(SUBS[i].sub, (int)i + 1);
        const char *name = emza_subindication_name(SUBS[i].sub);
        if (name == NULL || strcmp(name, SUBS[i].name) != 0)
            fail_msg("sub-indication %d: expected %s, got %s", (int)SUBS[i].sub, SUBS[i].name,
                     name ? name : "NULL");
    }
    assert_null(emza_subindication_name(EMZA_SUB_NONE));
    assert_null(emza_subindication_name((emza_subindication)(EMZA_SUB_SIGNED_DATA_NOT_FOUND + 1)));
    assert_null(emza_subindication_name((emza_subindication)-1));
}

static void test_indication__names_of_indications(void **state)
{
    (void)state;
    assert_string_equal(emza_indication_name(EMZA_TOTAL_PASSED), "TOTAL_PASSED");
    assert_string_equal(emza_indication_name(EMZA_TOTAL_FAILED), "TOTAL_FAILED");
    assert_string_equal(emza_indication_name(EMZA_INDETERMINATE), "INDETERMINATE");
    assert_null(emza_indication_name((emza_indication)3));
    assert_null(emza_indication_name((emza_indication)-1));
}

static void test_indication__subindication_pairs_with_its_etsi_indication(void **state)
{
    (void)state;
    assert_int_equal(emza_subindication_indication(EMZA_SUB_NONE), EMZA_TOTAL_PASSED);
    /* A value this library does not know fails closed. */
    assert_int_equal(emza_subindication_indication((emza_subindication)9999), EMZA_INDETERMINATE);
    for (size_t i = 0; i < COUNT(SUBS); i++) {
        emza_indication got = emza_subindication_indication(SUBS[i].sub);
        if (got != SUBS[i].indication)
            fail_msg("%s: expected %s, got %s", SUBS[i].name,
                     emza_indication_name(SUBS[i].indication), emza_indication_name(got));
    }
}

static void test_indication__verdicts_pair_indication_and_subindication(void **state)
{
    (void)state;
    /* Every verdict of the fixtures is a pair ETSI allows. */
    static const char *const names[] = {"citizen-rsa", "expired",  "not-yet-valid", "rsa1024",
                                        "untrusted",   "issued-by-leaf", "with-revocation",
                                        "citizen-auth"};
    emza_trust *t = root_trust();
    for (size_t i = 0; i < COUNT(names); i++) {
        emza_chain_result *r = verify_fixture(t, names[i], EMZA_PURPOSE_SIGN, 0, 0, 0);
        assert_int_equal(emza_chain_result_indication(r),
                         emza_subindication_indication(emza_chain_result_subindication(r)));
        emza_chain_result_free(r);
    }
    emza_trust_free(t);
}

static void test_trust_verify__purpose_timestamp_accepts_only_a_tsa(void **state)
{
    (void)state;
    emza_trust *t = root_trust();
    emza_chain_result *r = verify_fixture(t, "tsa", EMZA_PURPOSE_TIMESTAMP, 0, 0, 1);
    expect_verdict(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, NULL, "tsa as a TSA");
    emza_chain_result_free(r);
    const char *not_tsas[] = {"citizen-rsa", "ocsp-responder", "no-keyusage"};
    for (size_t i = 0; i < sizeof(not_tsas) / sizeof(not_tsas[0]); i++) {
        r = verify_fixture(t, not_tsas[i], EMZA_PURPOSE_TIMESTAMP, 0, 0, 1);
        expect_verdict(r, EMZA_INDETERMINATE, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "EXT_KEY_USAGE",
                       not_tsas[i]);
        emza_chain_result_free(r);
    }
    emza_trust_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trust_verify__fixtures_that_pass_for_signing),
        cmocka_unit_test(test_trust_verify__fixtures_that_fail_for_signing),
        cmocka_unit_test(test_trust_verify__purpose_auth_and_any),
        cmocka_unit_test(test_trust_verify__no_key_usage_warning_only_when_purpose_is_checked),
        cmocka_unit_test(test_trust_verify__expired_passes_at_a_time_inside_its_validity),
        cmocka_unit_test(test_trust_verify__ca_not_yet_valid_at_the_validation_time_is_out_of_bounds),
        cmocka_unit_test(test_trust_verify__expired_certificate_passes_inside_its_validity),
        cmocka_unit_test(test_trust_verify__not_yet_valid_passes_once_valid),
        cmocka_unit_test(test_trust_verify__untrusted_hierarchy),
        cmocka_unit_test(test_trust_verify__chain_of_citizen_rsa),
        cmocka_unit_test(test_trust_verify__intermediate_anchor_is_a_partial_chain),
        cmocka_unit_test(test_trust_verify__certificate_that_is_itself_an_anchor),
        cmocka_unit_test(test_trust_verify__end_entity_anchor_cannot_issue),
        cmocka_unit_test(test_trust_verify__no_chain_without_the_intermediate),
        cmocka_unit_test(test_trust_verify__revocation_source_that_cannot_be_consulted),
        cmocka_unit_test(test_trust_verify__issued_by_leaf_reports_ca_constraints),
        cmocka_unit_test(test_trust_verify__order_validity_before_crypto),
        cmocka_unit_test(test_trust_verify__order_constraints_before_validity),
        cmocka_unit_test(test_trust_verify__order_revocation_before_validity),
        cmocka_unit_test(test_trust_verify__order_no_chain_before_everything),
        cmocka_unit_test(test_trust_verify__bad_signature_is_general_failure_before_constraints),
        cmocka_unit_test(test_trust_verify__unknown_critical_extension_is_general_failure),
        cmocka_unit_test(test_trust_verify__weak_digest_and_weak_key_both_reported),
        cmocka_unit_test(test_trust_verify__expired_intermediate_ca_is_out_of_bounds),
        cmocka_unit_test(test_trust_verify__anchor_validity_period_is_not_checked),
        cmocka_unit_test(test_trust_verify__chain_depth_limit_is_10_anchor_included),
        cmocka_unit_test(test_trust_verify__null_options_are_the_defaults),
        cmocka_unit_test(test_chain_options_init__sets_the_defaults),
        cmocka_unit_test(test_trust_verify__rejects_unknown_options_version),
        cmocka_unit_test(test_trust_verify__rejects_bad_purpose_and_time),
        cmocka_unit_test(test_trust_verify__purpose_timestamp_accepts_only_a_tsa),
        cmocka_unit_test(test_trust_verify__rejects_null_arguments),
        cmocka_unit_test(test_chain_result__getters_accept_null),
        cmocka_unit_test(test_trust_new__rejects_an_empty_list),
        cmocka_unit_test(test_trust_new__copies_the_list_by_reference),
        cmocka_unit_test(test_trust_load__der_file_and_directory),
        cmocka_unit_test(test_trust_load__rejects_missing_paths_and_empty_input),
        cmocka_unit_test(test_trust_dup__shares_the_store_until_the_last_free),
        cmocka_unit_test(test_trust_verify__shared_store_across_8_threads),
        cmocka_unit_test(test_indication__names_of_every_subindication),
        cmocka_unit_test(test_indication__names_of_indications),
        cmocka_unit_test(test_indication__subindication_pairs_with_its_etsi_indication),
        cmocka_unit_test(test_indication__verdicts_pair_indication_and_subindication),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
