/*
 * Tests of include/emza/auth.h: challenges, origins, tokens made with the
 * test PKI's keys and verified against its root, every refusal reason, the
 * operational errors, and the replay cache (8 threads, bound, eviction).
 *
 * Fixtures: the test PKI (make-pki.sh): citizen-auth (P-256, digitalSignature
 * and clientAuth), citizen-rsa (RSA-2048, digitalSignature and
 * nonRepudiation), citizen-ec (P-256, nonRepudiation only), untrusted (another
 * hierarchy), rsa1024. Certificates with a revocation source or past
 * validity are issued here by citizen-ca with the OpenSSL API; their CRL is
 * served by a transport callback, so nothing touches the network.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <emza/auth.h>
#include <emza/core.h>
#include <emza/error.h>
#include "support.h"

#define ORIGIN "https://bank.example"

/* ------------------------------------------------------------------------ */
/* helpers                                                                   */
/* ------------------------------------------------------------------------ */

static emza_trust *root_trust(void)
{
    emza_trust *t = NULL;
    const char *paths[] = {pki("trust/root.pem")};
    assert_ok(emza_trust_load(&t, paths, 1));
    return t;
}

static emza_cert_list *intermediates(void)
{
    emza_cert_list *l = NULL;
    assert_ok(emza_cert_list_new(&l));
    assert_ok(emza_cert_list_add_path(l, pki("citizen-ca.cert.pem")));
    assert_ok(emza_cert_list_add_path(l, pki("untrusted-ca.cert.pem")));
    return l;
}

/* One verifier: trust, intermediates, a replay cache and options around them. */
typedef struct verifier {
    emza_trust *trust;
    emza_cert_list *untrusted;
    emza_replay_cache *cache;
    emza_auth_verify_options opts;
} verifier;

static void verifier_init(verifier *v)
{
    v->trust = root_trust();
    v->untrusted = intermediates();
    assert_ok(emza_replay_cache_new(&v->cache, 0));
    assert_ok(emza_auth_verify_options_init(&v->opts, EMZA_AUTH_VERIFY_OPTIONS_VERSION));
    v->opts.trust = v->trust;
    v->opts.untrusted = v->untrusted;
    v->opts.offline = 1;
    v->opts.replay = emza_replay_cache_use;
    v->opts.replay_ctx = v->cache;
}

static void verifier_free(verifier *v)
{
    emza_trust_free(v->trust);
    emza_cert_list_free(v->untrusted);
    emza_replay_cache_free(v->cache);
}

static emza_auth_challenge *challenge_now(void)
{
    emza_auth_challenge *c = NULL;
    assert_ok(emza_auth_challenge_new(&c, 0));
    return c;
}

/* A token made by signer `s` for `origin` and the challenge's nonce, with `alg` (NULL: default). */
static char *make_token(const emza_signer *s, const char *origin, const emza_auth_challenge *c,
                        const char *alg)
{
    emza_auth_sign_options o = EMZA_AUTH_SIGN_OPTIONS_INIT;
    o.algorithm = alg;
    char *token = NULL;
    assert_ok(emza_auth_sign(&token, s, origin, emza_auth_challenge_nonce(c), &o));
    assert_non_null(token);
    return token;
}

static char *token_of(const char *p12_name, const emza_auth_challenge *c, const char *alg)
{
    emza_signer *s = p12(p12_name);
    char *token = make_token(s, ORIGIN, c, alg);
    emza_signer_free(s);
    return token;
}

/* Verifies and expects acceptance; returns the identity. */
static emza_auth_identity *expect_accepted(verifier *v, const char *token, size_t len,
                                           const emza_auth_challenge *c, const char *origin)
{
    emza_auth_identity *id = NULL;
    emza_auth_reason reason = EMZA_AUTH_MALFORMED;
    int rc = emza_auth_verify(&id, &reason, token, len, c, origin, &v->opts);
    if (rc != EMZA_OK)
        fail_msg("refused: %s %s: %s", emza_error_name(rc), emza_auth_reason_name(reason),
                 emza_error_last()->message);
    assert_int_equal(reason, EMZA_AUTH_NONE);
    assert_non_null(id);
    return id;
}

/* Verifies and expects EMZA_EAUTH with `want`, and a message that says `part` (may be NULL). */
static void expect_refused(verifier *v, const char *token, size_t len, const emza_auth_challenge *c,
                           const char *origin, emza_auth_reason want, const char *part)
{
    emza_auth_identity *id = (emza_auth_identity *)1;
    emza_auth_reason reason = EMZA_AUTH_NONE;
    int rc = emza_auth_verify(&id, &reason, token, len, c, origin, &v->opts);
    if (rc != EMZA_EAUTH || reason != want)
        fail_msg("expected EMZA_EAUTH %s, got %s %s: %s", emza_auth_reason_name(want),
                 emza_error_name(rc), emza_auth_reason_name(reason), emza_error_last()->message);
    assert_null(id);
    assert_int_equal(emza_error_last_code(), EMZA_EAUTH);
    assert_true(strlen(emza_error_last()->message) > 0);
    if (part != NULL)
        assert_message_has(part);
}

/* The token with field `name` set to the string `value` (NULL: removed), as a new string. */
static char *with_field(const char *token, const char *name, const char *value)
{
    json_t *root = json_loads(token, 0, NULL);
    assert_non_null(root);
    if (value == NULL)
        assert_int_equal(json_object_del(root, name), 0);
    else
        assert_int_equal(json_object_set_new(root, name, json_string(value)), 0);
    char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    assert_non_null(text);
    return text;
}

/* The token's field `name` as a new string. */
static char *field_of(const char *token, const char *name)
{
    json_t *root = json_loads(token, 0, NULL);
    assert_non_null(root);
    const char *v = json_string_value(json_object_get(root, name));
    assert_non_null(v);
    char *copy = strdup(v);
    json_decref(root);
    return copy;
}

/* ------------------------------------------------------------------------ */
/* challenges and origins                                                    */
/* ------------------------------------------------------------------------ */

static void test_auth_challenge_new__random_256_bit_nonce_and_lifetime(void **state)
{
    (void)state;
    int64_t before = (int64_t)time(NULL);
    emza_auth_challenge *a = challenge_now(), *b = NULL;
    assert_ok(emza_auth_challenge_new(&b, 60));
    const char *na = emza_auth_challenge_nonce(a);
    assert_int_equal(strlen(na), 44); /* base64 of 32 bytes */
    assert_int_equal(na[43], '=');
    assert_string_not_equal(na, emza_auth_challenge_nonce(b));
    assert_true(emza_auth_challenge_issued_at(a) >= before);
    assert_true(emza_auth_challenge_issued_at(a) <= (int64_t)time(NULL));
    assert_int_equal(emza_auth_challenge_lifetime(a), EMZA_AUTH_LIFETIME_DEFAULT);
    assert_int_equal(emza_auth_challenge_expires_at(a),
                     emza_auth_challenge_issued_at(a) + EMZA_AUTH_LIFETIME_DEFAULT);
    assert_int_equal(emza_auth_challenge_lifetime(b), 60);
    emza_auth_challenge_free(a);
    emza_auth_challenge_free(b);

    emza_auth_challenge *c = (emza_auth_challenge *)1;
    assert_ok(emza_auth_challenge_new(&c, EMZA_AUTH_LIFETIME_MAX));
    emza_auth_challenge_free(c);
    assert_error(emza_auth_challenge_new(&c, EMZA_AUTH_LIFETIME_MAX + 1), EMZA_EINVAL);
    assert_null(c);
    assert_error(emza_auth_challenge_new(NULL, 0), EMZA_EINVAL);
    emza_auth_challenge_free(NULL);
}

static void test_auth_challenge_restore__keeps_what_the_session_kept(void **state)
{
    (void)state;
    emza_auth_challenge *a = challenge_now(), *r = NULL;
    assert_ok(emza_auth_challenge_restore(&r, emza_auth_challenge_nonce(a), 1700000000, 120));
    assert_string_equal(emza_auth_challenge_nonce(r), emza_auth_challenge_nonce(a));
    assert_int_equal(emza_auth_challenge_issued_at(r), 1700000000);
    assert_int_equal(emza_auth_challenge_expires_at(r), 1700000120);
    emza_auth_challenge_free(r);
    emza_auth_challenge_free(a);
    /* 64 bytes is the most */
    const char *n64 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==";
    assert_ok(emza_auth_challenge_restore(&r, n64, 0, 0));
    emza_auth_challenge_free(r);
}

static void test_auth_challenge_restore__rejects_bad_nonces_and_times(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "c2hvcnQ=",                                      /* 5 bytes */
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",   /* unpadded */
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA =", /* white space */
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-_",  /* base64url */
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", /* 66 */
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        emza_auth_challenge *r = (emza_auth_challenge *)1;
        assert_error(emza_auth_challenge_restore(&r, bad[i], 0, 0), EMZA_EINVAL);
        assert_null(r);
    }
    emza_auth_challenge *a = challenge_now(), *r = NULL;
    assert_error(emza_auth_challenge_restore(&r, NULL, 0, 0), EMZA_EINVAL);
    assert_error(emza_auth_challenge_restore(&r, emza_auth_challenge_nonce(a), -1, 0), EMZA_EINVAL);
    assert_error(emza_auth_challenge_restore(&r, emza_auth_challenge_nonce(a), 0,
                                             EMZA_AUTH_LIFETIME_MAX + 1),
                 EMZA_EINVAL);
    emza_auth_challenge_free(a);
}

static void test_auth_origin_normalize__scheme_host_port(void **state)
{
    (void)state;
    const struct {
        const char *in, *out;
    } good[] = {
        {"https://bank.example", "https://bank.example"},
        {"HTTPS://Bank.EXAMPLE:443/", "https://bank.example"},
        {"https://bank.example:8443", "https://bank.example:8443"},
        {"http://localhost:80", "http://localhost"},
        {"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},
        {"https://[::1]:443", "https://[::1]"},
        {"https://xn--mgbai9azgqp6j.ir", "https://xn--mgbai9azgqp6j.ir"},
    };
    for (size_t i = 0; i < COUNT(good); i++) {
        char *n = NULL;
        assert_ok(emza_auth_origin_normalize(&n, good[i].in));
        assert_string_equal(n, good[i].out);
        emza_free(n);
    }
    char long_origin[EMZA_AUTH_ORIGIN_MAX + 2];
    memset(long_origin, 'a', sizeof(long_origin) - 1);
    memcpy(long_origin, "https://", 8);
    long_origin[sizeof(long_origin) - 1] = '\0';
    const char *bad[] = {
        "bank.example", "ftp://bank.example", "https://", "https://user@bank.example",
        "https://bank.example/login", "https://bank.example?x", "https://bank.example#f",
        "https://bank.example:0", "https://bank.example:65536", "https://bank.example:",
        "https://bank%2eexample", "https://[::1", "https://bänk.example", long_origin,
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        char *n = (char *)1;
        int rc = emza_auth_origin_normalize(&n, bad[i]);
        if (rc != EMZA_EINVAL)
            fail_msg("'%s' was accepted", bad[i]);
        assert_null(n);
    }
    /* exactly at the limit is accepted */
    long_origin[EMZA_AUTH_ORIGIN_MAX] = '\0';
    char *n = NULL;
    assert_ok(emza_auth_origin_normalize(&n, long_origin));
    emza_free(n);
}

/* ------------------------------------------------------------------------ */
/* accepted tokens                                                           */
/* ------------------------------------------------------------------------ */

static void test_auth_verify__valid_ec_token_gives_the_identity(void **state)
{
    (void)state;
    verifier v;
    verifier_init(&v);
    emza_auth_challenge *c = challenge_now();
    char *token = token_of("citizen-auth", c, NULL);
    assert_non_null(strstr(token, "\"format\":\"emza-auth:1\""));
    assert_non_null(strstr(token, "\"algorithm\":\"ES256\""));
    emza_auth_identity *id = expect_accepted(&v, token, strlen(token), c, ORIGIN);
    assert_string_equal(emza_auth_identity_national_code(id), "1583250689");
    assert_string_equal(emza_auth_identity_common_name(id), "رضا کریمی");
    assert_null(emza_auth_identity_legal_id(id));
    assert_string_equal(emza_auth_identity_origin(id), ORIGIN);
    assert_string_equal(emza_auth_identity_algorithm(id), "ES256");
    emza_cert *want = ts_load_cert("citizen-auth");
    assert_memory_equal(emza_cert_sha256(emza_auth_identity_cert(id)), emza_cert_sha256(want), 32);
    emza_cert_free(want);
    assert_int_equal(emza_replay_cache_count(v.cache), 1);
    emza_auth_identity_free(id);
    emza_auth_identity_free(NULL);
    assert_null(emza_auth_identity_national_code(NULL));
    emza_free(token);
    emza_auth_challenge_free(c);
    verifier_free(&v);
}

static void test_auth_verify__rsa_tokens_with_every_rsa_algorithm(void **state)
{
    (void)state;
    verifier v;
    verifier_init(&v);
    const char *algs[] = {NULL, "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"};
    for (size_t i = 0; i < COUNT(algs); i++) {
        emza_auth_challenge *c = challenge_now();
        char *token = token_of("citizen-rsa", c, algs[i]);
        emza_auth_identity *id = expect_accepted(&v, token, strlen(token), c, ORIGIN);
        assert_string_equal(emza_auth_identity_algorithm(id), algs[i] ? algs[i] : "RS256");
        assert_string_equal(emza_auth_identity_national_code(id), "0499370899");
        assert_string_equal(emza_auth_identity_given_name(id), "علی");
        assert_string_equal(emza_auth_identity_surname(id), "رضایی");
        emza_auth_identity_free(id);
        emza_free(token);
        emza_auth_challenge_free(c);
    }
    verifier_free(&v);
}

static void test_auth_verify__origin_is_compared_normalised(void **state)
{
    (void)state;
    verifier v;
    verifier_init(&v);
    emza_auth_challenge *c = challenge_now();
    emza_signer *s = p12("citizen-auth");
    char *token = make_token(s, "HTTPS://BANK.example:443/", c, NULL);
    assert_non_null(strstr(token, "\"origin\":\"https://bank.example\""));
    emza_auth_identity *id = expect_accepted(&v, token, strlen(token), c, "https://bank.example/");
    emza_auth_identity_free(id);
    emza_free(token);
    emza_signer_free(s);
    emza_auth_challenge_free(c);
    verifier_free(&v);
}

static void test_auth_verify__token_at_the_size_limit_is_read(void **state)
{
    (void)state;
    verifier v;
    verifier_init(&v);
    emza_auth_challenge *c = challenge_now();
    char *token = token_of("citizen-auth", c, NULL);
    size_t len = strlen(token);
    char *padded = malloc(EMZA_AUTH_TOKEN_MAX + 2);
    assert_non_null(padded);
    memset(padded, ' ', EMZA_AUTH_TOKEN_MAX + 1); /* JSON white space after the object */
    memcpy(padded, token, len);
    expect_refused(&v, padded, EMZA_AUTH_TOKEN_MAX + 1, c, ORIGIN, EMZA_AUTH_MALFORMED, "limit");
    emza_auth_identity *id = expect_accepted(&v, padded, EMZA_AUTH_TOKEN_MAX, c, ORIGIN);
    emza_auth_identity_free(id);
    free(padded);
    emza_free(token);
    emza_auth_challenge_free(c);
    verifier_free(&v);
}

/* ------------------------------------------------------------------------ */
/* freshness and single use                                                  */
/* ------------------------------------------------------------------------ */

static void test_auth_verify__expired_and_future_challenges(void **state)
{
    (void)state;
    verifier v;
    verifier_init(&v);
    emza_auth_challenge *live = challenge_now(), *c = NULL;
    int64_t now = (int64_t)time(NULL);
    /* issued 10 minutes ago with a 5-minute lifetime: expired beyond the 60 s skew */
    assert_ok(emza_auth_challenge_restore(&c, emza_auth_challenge_nonce(live), now - 600, 300));
    char *token = token_of("citizen-auth", c, NULL);
    expect_refused(&v, token, strlen(token), c, ORIGIN, EMZA_AUTH_EXPIRED, "expired");
    /* the same, validated while it was live */
    v.opts.has_validation_time = 1;
    v.opts.validation_time = now - 500;
    emza_auth_identity *id = expect_accepted(&v, token, strlen(token), c, ORIGIN);
    emza_auth_identity_free(id);
    emza_auth_challenge_free(c);

    /* expired 30 s ago: inside the default skew; with no skew, refused */
    assert_ok(emza_auth_challenge_restore(&c, emza_auth_challenge_nonce(live), now - 330, 300));
    v.opts.validation_time = now;
    v.opts.clock_skew_seconds = 0;
    expect_refused(&v, token, strlen(token), c, ORIGIN, EMZA_AUTH_EXPIRED, NULL);
    v.opts.clock_skew_seconds = EMZA_AUTH_CLOCK_SKEW_DEFAULT;
    emza_auth_challenge_free(c);

    /* issued 10 minutes in the future */
    assert_ok(emza_auth_challenge_restore(&c, emza_auth_challenge_nonce(live), now + 600, 300));
    expect_refused(&v, token, strlen(token), c, ORIGIN, EMZA_AUTH_NOT_YET_VALID, "issued");
    emza_auth_challenge_free(c);
    /* 30 s in the future: inside the skew (a new nonce: the first one was used) */
    emza_auth_challenge *other = challenge_now();
    assert_ok(emza_auth_challenge_restore(&c, emza_auth_challenge_nonce(other), now + 30, 300));
    char *token2 = token_of("citizen-auth", c, NULL);
    id = expect_accepted(&v, token2, strlen(token2), c, ORIGIN);
    emza_auth_identity_free(id);
    emza_free(token2);
    emza_auth_challenge_free(c);
    emza_auth_challenge_free(other);
    emza_free(token);
    emza_auth_challenge_free(live);
    verifier_free(&v);
}

static void test_auth_verify__replayed_nonce_is_refused(void **state)
{
    (void)state;
    verifier v;
    verifier_init(&v);
    emza_auth_challenge *c = challenge_now();
    char *token = token_of("citizen-auth", c, NULL);
    emza_auth_identity *id = expect_accepted(&v, token, strlen(token), c, ORIGIN);
    emza_auth_identity_free(id);
    expect_refused(&v, token, strlen(token), c, ORIGIN, EMZA_AUTH_REPLAYED, "used before");
    /* another citizen's valid token for the same nonce is refused too */
    char *other = token_of("citizen-rsa", c, NULL);
    expect_refused(&v, other, strlen(other), c, ORIGIN, EMZA_AUTH_REPLAYED, NULL);
    emza_free(other);
    emza_free(token);
    emza_auth_challenge_free(c);
    verifier_free(&v);
}

static void test_auth_verify__without_a_callback_the_process_cache_protects(void **state)
{
    (void)state;
    verifier v;
    verifier_init(&v);
    v.opts.replay = NULL;
    v.opts.replay_ctx = NULL;
    emza_auth_challenge *c = challenge_now();
    char *token = token_of("citizen-auth", c, NULL);
    emza_auth_identity *id = expect_accepted(&v, token, strlen(token), c, ORIGIN);
    emza_auth_identity_free(id);
    expect_refused(&v, token, strlen(token), c, ORIGIN, EMZA_AUTH_REPLAYED, NULL);
    assert_int_equal(emza_replay_cache_count(v.cache), 0); /* not the caller's cache */
    emza_free(token);
    emza_auth_challenge_free(c);
    verifier_free(&v);
}

static void test_auth_verify__refused_token_does_not_burn_the_nonce(void **state)
{
    (void)state;
    verifier v;
    verifier_init(&v);
    emza_auth_challenge *c = challenge_now();
    char *token = token_of("citizen-auth", c, NULL);
    char *forged = token_of("citizen-ec", c, NULL); /* valid signature, but no digitalSignature */
    expect_refused(&v, forged, strlen(forged), c, ORIGIN, EMZA_AUTH_KEY_USAGE, NULL);
    expect_refused(&v, token, strlen(token), c, "https://evil.example", EMZA_AUTH_ORIGIN_MISMATCH,
                   NULL);
    assert_int_equal(emza_replay_cache_count(v.cache), 0);
    emza_auth_identity *id = expect_accepted(&v, token, strlen(token), c, ORIGIN);
    emza_auth_identity_free(id);
    emza_free(forged);
    emza_free(token);
    emza_auth_challenge_free(c);
    verifier_free(&v);
}

/* ------------------------------------------------------------------------ */
/* origin, algorithm, signature                                              */
/* ------------------------------------------------------------------------ */

static void test_auth_verify__token_for_another_origin(void **state)
{
    (void)state;
    verifier v;
    verifier_init(&v);
    emza_auth_challenge *c = challenge_now();
    emza_signer *s = p12("citizen-auth");
    char *token = make_token(s, "https://evil.example", c, NULL);
    expect_refused(&v, token, strlen(token), c, ORIGIN, EMZA_AUTH_ORIGIN_MISMATCH,
                   "https://evil.example");
    /* claiming the right origin does not help: the signature is over the verifier's origin */
    char *lying = with_field(token, "origin", ORIGIN);
    expect_refused(&v, lying, strlen(lying), c, ORIGIN, EMZA_AUTH_BAD_SIGNATURE, NULL);
    /* another port is another origin */
    char *port = make_token(s, "https://bank.example:8443", c, NULL);
    expect_refused(&v, port, strlen(port), c, ORIGIN, EMZA_AUTH_ORIGIN_MISMATCH, NULL);
    free(lying);
    emza_free(port);
    emza_free(token);
    emza_signer_free(s);
    emza_auth_challenge_free(c);
    verifier_free(&v);
}

static void test_auth_verify__token_for_another_nonce_is_a_bad_signature(void **state)
{
    (void)state;
    verifier v;
    verifier_init(&v);
    emza_auth_challenge *c = challenge_now(), *other = challenge_now();
    char *token = token_of("citizen-auth", other, NULL);
    expect_refused(&v, token, strlen(token), c, ORIGIN, EMZA_AUTH_BAD_SIGNATURE, "ES256");
    emza_free(token);
    emza_auth_challenge_free(c);
    emza_auth_challenge_free(other);
    verifier_free(&v);
}

static void test_auth_verify__algorithm_must_fit_the_key_and_policy(void **state)
{
    (void)state;
    verifier v;
    verifier_init(&v);
    emza_auth_challenge *c = challenge_now();
    char *ec = token_of("citizen-auth", c, NULL);
    char *rsa = token_of("citizen-rsa", c, NULL);
    const struct {
        const char *token, *alg;
    } cases[] = {
        {ec, "ES384"}, {ec, "ES512"}, {ec, "RS256"}, {ec, "PS256"}, {rsa, "ES256"},
        {ec, "none"},  {ec, "HS256"}, {ec, "es256"}, {ec, ""},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        char *t = with_field(cases[i].token, "algorithm", cases[i].alg);
        expect_refused(&v, t, strlen(t), c, ORIGIN, EMZA_AUTH_ALGORITHM, NULL);
        free(t);
    }
    /* right family, other padding: PS256 claimed over an RS256 signature */
    char *pss = with_field(rsa, "algorithm", "PS256");
    expect_refused(&v, pss, strlen(pss), c, ORIGIN, EMZA_AUTH_BAD_SIGNATURE, NULL);
    free(pss);
    char *rs384 = with_field(rsa, "algorithm", "RS384");
    expect_refused(&v, rs384, strlen(rs384), c, ORIGIN, EMZA_AUTH_BAD_SIGNATURE, NULL);
    free(rs384);
    /* RSA-1024: the policy refuses the key */
    char *weak = token_of("rsa1024", c, NULL);
    expect_refused(&v, weak, strlen(weak), c, ORIGIN, EMZA_AUTH_ALGORITHM, "1024");
    emza_free(weak);
    emza_free(ec);
    emza_free(rsa);
    emza_auth_challenge_free(c);
    verifier_free(&v);
}

static void test_auth_verify__signature_by_another_key(void **state)
{
    (void)state;
    verifier v;
    verifier_init(&v);
    emza_auth_challenge *c = challenge_now();
    char *auth = token_of("citizen-auth", c, NULL);
    char *ec = token_of("citizen-ec", c, NULL); /* another P-256 key, same algorithm */
    char *sig = field_of(ec, "signature");
    char *swapped = with_field(auth, "signature", sig);
    expect_refused(&v, swapped, strlen(swapped), c, ORIGIN, EMZA_AUTH_BAD_SIGNATURE, NULL);
    /* a truncated r||s, and one of zeros */
    char *good = field_of(auth, "signature");
    good[strlen(good) - 8] = '\0';
    char *cut = with_field(auth, "signature", good);
    expect_refused(&v, cut, strlen(cut), c, ORIGIN, EMZA_AUTH_BAD_SIGNATURE, NULL);
    char *zeros = with_field(auth, "signature",
                             "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    expect_refused(&v, zeros, strlen(zeros), c, ORIGIN, EMZA_AUTH_BAD_SIGNATURE, NULL);
    assert_int_equal(emza_replay_cache_count(v.cache), 0);
    free(zeros);
    free(cut);
    free(good);
    free(swapped);
    free(sig);
    emza_free(ec);
    emza_free(auth);
    emza_auth_challenge_free(c);
    verifier_free(&v);
}

/* ------------------------------------------------------------------------ */
/* malformed tokens                                                          */
/* ------------------------------------------------------------------------ */

static void test_auth_verify__malformed_tokens(void **state)
{
    (void)state;
    verifier v;
    verifier_init(&v);
    emza_auth_challenge *c = challenge_now();
    char *token = token_of("citizen-auth", c, NULL);
    char *cert = field_of(token, "certificate");
    size_t cert_len = strlen(cert);

    /* hand-written variants */
    char buf[8192];
    const char *texts[] = {
        "", "{", "[]", "\"token\"", "null", "{}", "{\"format\":\"emza-auth:1\"}",
    };
    for (size_t i = 0; i < COUNT(texts); i++)
        expect_refused(&v, texts[i], strlen(texts[i]), c, ORIGIN, EMZA_AUTH_MALFORMED, NULL);

    /* each field missing, and each field of the wrong type */
    const char *fields[] = {"format", "origin", "certificate", "algorithm", "signature"};
    for (size_t i = 0; i < COUNT(fields); i++) {
        char *t = with_field(token, fields[i], NULL);
        expect_refused(&v, t, strlen(t), c, ORIGIN, EMZA_AUTH_MALFORMED, fields[i]);
        free(t);
        json_t *root = json_loads(token, 0, NULL);
        assert_int_equal(json_object_set_new(root, fields[i], json_integer(1)), 0);
        t = json_dumps(root, JSON_COMPACT);
        json_decref(root);
        expect_refused(&v, t, strlen(t), c, ORIGIN, EMZA_AUTH_MALFORMED, "not a string");
        free(t);
    }
    /* an extra field */
    char *extra = with_field(token, "appVersion", "1.0");
    expect_refused(&v, extra, strlen(extra), c, ORIGIN, EMZA_AUTH_MALFORMED, "other");
    free(extra);
    /* a duplicate key */
    size_t len = strlen(token);
    assert_true(len + 40 < sizeof(buf));
    memcpy(buf, token, len - 1);
    snprintf(buf + len - 1, sizeof(buf) - (len - 1), ",\"format\":\"emza-auth:1\"}");
    expect_refused(&v, buf, strlen(buf), c, ORIGIN, EMZA_AUTH_MALFORMED, NULL);
    /* an unknown format */
    const char *formats[] = {"emza-auth:2", "web-eid:1", "EMZA-AUTH:1", ""};
    for (size_t i = 0; i < COUNT(formats); i++) {
        char *t = with_field(token, "format", formats[i]);
        expect_refused(&v, t, strlen(t), c, ORIGIN, EMZA_AUTH_MALFORMED, "format");
        free(t);
    }
    /* bad base64: characters, white space, missing padding, base64url, empty */
    char *bad_b64[5];
    bad_b64[0] = strdup(cert);
    bad_b64[0][10] = '*';
    bad_b64[1] = malloc(cert_len + 2);
    memcpy(bad_b64[1], cert, 64);
    bad_b64[1][64] = '\n';
    memcpy(bad_b64[1] + 65, cert + 64, cert_len - 64 + 1);
    bad_b64[2] = strdup(cert);
    while (bad_b64[2][strlen(bad_b64[2]) - 1] == '=')
        bad_b64[2][strlen(bad_b64[2]) - 1] = '\0';
    if (strlen(bad_b64[2]) % 4 == 0) /* no padding to drop: cut a character instead */
        bad_b64[2][strlen(bad_b64[2]) - 1] = '\0';
    bad_b64[3] = strdup(cert);
    for (char *p = bad_b64[3]; *p; p++)
        if (*p == '+' || *p == '/')
            *p = *p == '+' ? '-' : '_';
    bad_b64[4] = strdup("");
    for (size_t i = 0; i < COUNT(bad_b64); i++) {
        if (i == 3 && strcmp(bad_b64[3], cert) == 0) {
            free(bad_b64[i]);
            continue; /* no + or / in this certificate's base64 */
        }
        char *t = with_field(token, "certificate", bad_b64[i]);
        expect_refused(&v, t, strlen(t), c, ORIGIN, EMZA_AUTH_MALFORMED, "certificate");
        free(t);
        t = with_field(token, "signature", bad_b64[i]);
        expect_refused(&v, t, strlen(t), c, ORIGIN, EMZA_AUTH_MALFORMED, "signature");
        free(t);
        free(bad_b64[i]);
    }
    /* base64 of something that is not a certificate, and of a PEM certificate */
    char *t = with_field(token, "certificate", "MAMCAQA=");
    expect_refused(&v, t, strlen(t), c, ORIGIN, EMZA_AUTH_MALFORMED, "certificate");
    free(t);
    t = with_field(token, "certificate", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t");
    expect_refused(&v, t, strlen(t), c, ORIGIN, EMZA_AUTH_MALFORMED, "DER");
    free(t);
    /* a signature over the limit */
    char big[2 * EMZA_AUTH_SIGNATURE_MAX];
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    big[(4 * ((EMZA_AUTH_SIGNATURE_MAX + 3) / 3)) & ~(size_t)3] = '\0';
    t = with_field(token, "signature", big);
    expect_refused(&v, t, strlen(t), c, ORIGIN, EMZA_AUTH_MALFORMED, "signature");
    free(t);
    /* an origin that is not one */
    t = with_field(token, "origin", "bank.example");
    expect_refused(&v, t, strlen(t), c, ORIGIN, EMZA_AUTH_MALFORMED, "origin");
    free(t);
    /* a NUL byte inside, invalid UTF-8, trailing garbage */
    memcpy(buf, token, len + 1);
    buf[20] = '\0';
    expect_refused(&v, buf, len, c, ORIGIN, EMZA_AUTH_MALFORMED, NULL);
    memcpy(buf, token, len + 1);
    buf[2] = (char)0xff;
    expect_refused(&v, buf, len, c, ORIGIN, EMZA_AUTH_MALFORMED, NULL);
    memcpy(buf, token, len);
    memcpy(buf + len, "{}", 3);
    expect_refused(&v, buf, len + 2, c, ORIGIN, EMZA_AUTH_MALFORMED, NULL);

    assert_int_equal(emza_replay_cache_count(v.cache), 0);
    free(cert);
    emza_free(token);
    emza_auth_challenge_free(c);
    verifier_free(&v);
}

/* ------------------------------------------------------------------------ */
/* the certificate's chain                                                   */
/* ------------------------------------------------------------------------ */

static void test_auth_verify__certificate_without_digital_signature(void **state)
{
    (void)state;
    verifier v;
    verifier_init(&v);
    emza_auth_challenge *c = challenge_now();
    char *token = token_of("citizen-ec", c, NULL);
    expect_refused(&v, token, strlen(token), c, ORIGIN, EMZA_AUTH_KEY_USAGE, "digitalSignature");
    emza_free(token);
    emza_auth_challenge_free(c);
    verifier_free(&v);
}

static void test_auth_verify__untrusted_chain(void **state)
{
    (void)state;
    verifier v;
    verifier_init(&v);
    emza_auth_challenge *c = challenge_now();
    char *token = token_of("untrusted", c, NULL);
    expect_refused(&v, token, strlen(token), c, ORIGIN, EMZA_AUTH_UNTRUSTED, NULL);
    /* a trusted citizen whose intermediate is not given: no chain */
    char *auth = token_of("citizen-auth", c, NULL);
    v.opts.untrusted = NULL;
    expect_refused(&v, auth, strlen(auth), c, ORIGIN, EMZA_AUTH_UNTRUSTED, NULL);
    emza_free(auth);
    emza_free(token);
    emza_auth_challenge_free(c);
    verifier_free(&v);
}

/* --- certificates issued here by citizen-ca --------------------------------- */

#define CRL_URL "http://crl.invalid/citizen-ca.crl"

static EVP_PKEY *load_key(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(k);
    return k;
}

static X509 *load_x509(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(x);
    return x;
}

static void add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    assert_non_null(e);
    assert_int_equal(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
}

/*
 * An authentication certificate for national code 1583250689, issued by
 * citizen-ca, valid from not_before to not_after, with a CRL distribution
 * point when `with_crl`; its key and certificate are written as
 * DIR/auth.key.pem and DIR/auth.cert.pem. Returns its serial.
 */
static long issue_auth_cert(const char *dir, int64_t not_before, int64_t not_after, int with_crl)
{
    static long serial = 7000;
    EVP_PKEY *ca_key = load_key(pki("citizen-ca.key.pem"));
    X509 *ca = load_x509(pki("citizen-ca.cert.pem"));
    EVP_PKEY *key = EVP_EC_gen("P-256");
    assert_non_null(key);
    X509 *x = X509_new();
    assert_int_equal(X509_set_version(x, 2), 1);
    long my_serial = serial++;
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), my_serial), 1);
    X509_NAME *name = X509_NAME_new();
    assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                                (const unsigned char *)"Emza Test Auth", -1, -1, 0),
                     1);
    assert_int_equal(X509_NAME_add_entry_by_txt(name, "serialNumber", MBSTRING_ASC,
                                                (const unsigned char *)"PNOIR-1583250689", -1, -1,
                                                0),
                     1);
    assert_int_equal(X509_set_subject_name(x, name), 1);
    X509_NAME_free(name);
    assert_int_equal(X509_set_issuer_name(x, X509_get_subject_name(ca)), 1);
    assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)not_before));
    assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)not_after));
    assert_int_equal(X509_set_pubkey(x, key), 1);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
    add_ext(x, &ctx, NID_basic_constraints, "CA:FALSE");
    add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature");
    add_ext(x, &ctx, NID_ext_key_usage, "clientAuth");
    add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
    if (with_crl)
        add_ext(x, &ctx, NID_crl_distribution_points, "URI:" CRL_URL);
    assert_true(X509_sign(x, ca_key, EVP_sha256()) > 0);
    FILE *f = fopen(in(dir, "auth.key.pem"), "wb");
    assert_non_null(f);
    assert_int_equal(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL), 1);
    fclose(f);
    f = fopen(in(dir, "auth.cert.pem"), "wb");
    assert_non_null(f);
    assert_int_equal(PEM_write_X509(f, x), 1);
    fclose(f);
    X509_free(x);
    EVP_PKEY_free(key);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return my_serial;
}

/* A DER CRL of citizen-ca, valid a day from now, listing `serial` (none when < 0). */
static uint8_t *make_crl(long serial, size_t *len)
{
    EVP_PKEY *ca_key = load_key(pki("citizen-ca.key.pem"));
    X509 *ca = load_x509(pki("citizen-ca.cert.pem"));
    X509_CRL *crl = X509_CRL_new();
    assert_int_equal(X509_CRL_set_version(crl, 1), 1);
    assert_int_equal(X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)), 1);
    time_t now = time(NULL);
    ASN1_TIME *t = ASN1_TIME_set(NULL, now - 3600);
    assert_int_equal(X509_CRL_set1_lastUpdate(crl, t), 1);
    ASN1_TIME_set(t, now + 86400);
    assert_int_equal(X509_CRL_set1_nextUpdate(crl, t), 1);
    if (serial >= 0) {
        X509_REVOKED *r = X509_REVOKED_new();
        ASN1_INTEGER *s = ASN1_INTEGER_new();
        ASN1_INTEGER_set(s, serial);
        assert_int_equal(X509_REVOKED_set_serialNumber(r, s), 1);
        ASN1_TIME_set(t, now - 1800);
        assert_int_equal(X509_REVOKED_set_revocationDate(r, t), 1);
        assert_int_equal(X509_CRL_add0_revoked(crl, r), 1);
        ASN1_INTEGER_free(s);
    }
    ASN1_TIME_free(t);
    assert_true(X509_CRL_sign(crl, ca_key, EVP_sha256()) > 0);
    unsigned char *der = NULL;
    int n = i2d_X509_CRL(crl, &der);
    assert_true(n > 0);
    uint8_t *copy = malloc((size_t)n);
    memcpy(copy, der, (size_t)n);
    *len = (size_t)n;
    OPENSSL_free(der);
    X509_CRL_free(crl);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return copy;
}

typedef struct crl_server {
    uint8_t *crl;
    size_t len;
    int calls;
} crl_server;

static int serve_crl(void *ctx, const char *url, const char *content_type, const uint8_t *body,
                     size_t body_len, size_t max_response, uint8_t **out_body, size_t *out_len)
{
    (void)content_type, (void)body, (void)body_len, (void)max_response;
    crl_server *s = ctx;
    s->calls++;
    if (strcmp(url, CRL_URL) != 0)
        return EMZA_ENETWORK;
    *out_body = malloc(s->len);
    if (*out_body == NULL)
        return EMZA_ENOMEM;
    memcpy(*out_body, s->crl, s->len);
    *out_len = s->len;
    return EMZA_OK;
}

static void test_auth_verify__revoked_certificate_and_unavailable_revocation(void **state)
{
    (void)state;
    assert_int_equal(ts_make_root("auth"), 0);
    verifier v;
    verifier_init(&v);
    const char *dir = test_dir("revoked");
    int64_t now = (int64_t)time(NULL);
    long serial = issue_auth_cert(dir, now - 86400, now + 86400 * 30, 1);
    emza_signer *s = NULL;
    assert_ok(emza_signer_open_pem(&s, in(dir, "auth.key.pem"), NULL, in(dir, "auth.cert.pem"),
                                   NULL));
    emza_auth_challenge *c = challenge_now();
    char *token = make_token(s, ORIGIN, c, NULL);

    /* offline: a declared source that cannot be consulted */
    expect_refused(&v, token, strlen(token), c, ORIGIN, EMZA_AUTH_TRY_LATER, NULL);
    /* the CRL lists it */
    crl_server srv = {0};
    srv.crl = make_crl(serial, &srv.len);
    v.opts.offline = 0;
    v.opts.transport = serve_crl;
    v.opts.transport_ctx = &srv;
    expect_refused(&v, token, strlen(token), c, ORIGIN, EMZA_AUTH_REVOKED, NULL);
    assert_true(srv.calls > 0);
    assert_int_equal(emza_replay_cache_count(v.cache), 0);
    free(srv.crl);
    emza_free(token);
    emza_auth_challenge_free(c);
    emza_signer_free(s);

    /* a certificate the CRL does not list is accepted (the same nonce-less server) */
    long good = issue_auth_cert(dir, now - 86400, now + 86400 * 30, 1);
    (void)good;
    srv.crl = make_crl(serial, &srv.len);
    assert_ok(emza_signer_open_pem(&s, in(dir, "auth.key.pem"), NULL, in(dir, "auth.cert.pem"),
                                   NULL));
    c = challenge_now();
    token = make_token(s, ORIGIN, c, NULL);
    emza_auth_identity *id = expect_accepted(&v, token, strlen(token), c, ORIGIN);
    assert_string_equal(emza_auth_identity_national_code(id), "1583250689");
    emza_auth_identity_free(id);
    free(srv.crl);
    emza_free(token);
    emza_auth_challenge_free(c);
    emza_signer_free(s);
    verifier_free(&v);
    remove_tree(g_root);
}

static void test_auth_verify__expired_certificate(void **state)
{
    (void)state;
    assert_int_equal(ts_make_root("auth"), 0);
    verifier v;
    verifier_init(&v);
    const char *dir = test_dir("expired");
    int64_t now = (int64_t)time(NULL);
    issue_auth_cert(dir, now - 86400 * 30, now - 86400, 0);
    emza_signer *s = NULL;
    assert_ok(emza_signer_open_pem(&s, in(dir, "auth.key.pem"), NULL, in(dir, "auth.cert.pem"),
                                   NULL));
    emza_auth_challenge *c = challenge_now();
    char *token = make_token(s, ORIGIN, c, NULL);
    expect_refused(&v, token, strlen(token), c, ORIGIN, EMZA_AUTH_CERT_EXPIRED, "expired");
    emza_free(token);
    emza_auth_challenge_free(c);
    emza_signer_free(s);
    verifier_free(&v);
    remove_tree(g_root);
}

static void test_auth_verify__checks_decide_in_the_documented_order(void **state)
{
    (void)state;
    verifier v;
    verifier_init(&v);
    emza_auth_challenge *live = challenge_now(), *old = NULL, *other = challenge_now();
    int64_t now = (int64_t)time(NULL);
    assert_ok(emza_auth_challenge_restore(&old, emza_auth_challenge_nonce(live), now - 3600, 300));
    emza_signer *s = p12("citizen-auth");
    char *evil = make_token(s, "https://evil.example", old, NULL);
    /* 1 before 2: a malformed origin in an expired challenge's token is MALFORMED */
    char *bad = with_field(evil, "origin", "not an origin");
    expect_refused(&v, bad, strlen(bad), old, ORIGIN, EMZA_AUTH_MALFORMED, "origin");
    /* 2 before 3: expired and for another origin is EXPIRED */
    expect_refused(&v, evil, strlen(evil), old, ORIGIN, EMZA_AUTH_EXPIRED, NULL);
    /* 3 before 4: another origin and an algorithm that does not fit is ORIGIN_MISMATCH */
    char *fresh_evil = make_token(s, "https://evil.example", live, NULL);
    char *evil_alg = with_field(fresh_evil, "algorithm", "RS256");
    expect_refused(&v, evil_alg, strlen(evil_alg), live, ORIGIN, EMZA_AUTH_ORIGIN_MISMATCH, NULL);
    /* 5 before 6: an untrusted certificate's token for another nonce is BAD_SIGNATURE */
    char *untrusted = token_of("untrusted", other, NULL);
    expect_refused(&v, untrusted, strlen(untrusted), live, ORIGIN, EMZA_AUTH_BAD_SIGNATURE, NULL);
    /* 6 before 7: after a nonce is used, an untrusted token for it is still UNTRUSTED */
    char *good = token_of("citizen-auth", live, NULL);
    emza_auth_identity *id = expect_accepted(&v, good, strlen(good), live, ORIGIN);
    emza_auth_identity_free(id);
    char *late = token_of("untrusted", live, NULL);
    expect_refused(&v, late, strlen(late), live, ORIGIN, EMZA_AUTH_UNTRUSTED, NULL);
    emza_free(late);
    emza_free(good);
    emza_free(untrusted);
    free(evil_alg);
    emza_free(fresh_evil);
    free(bad);
    emza_free(evil);
    emza_signer_free(s);
    emza_auth_challenge_free(old);
    emza_auth_challenge_free(other);
    emza_auth_challenge_free(live);
    verifier_free(&v);
}

/* ------------------------------------------------------------------------ */
/* operational errors                                                        */
/* ------------------------------------------------------------------------ */

static int failing_replay(void *ctx, const char *nonce, int64_t expires_at, int64_t now)
{
    (void)ctx, (void)nonce, (void)expires_at, (void)now;
    return EMZA_ELIMIT;
}

static int odd_replay(void *ctx, const char *nonce, int64_t expires_at, int64_t now)
{
    (void)ctx, (void)nonce, (void)expires_at, (void)now;
    return 7;
}

static void test_auth_verify__operational_errors_are_not_refusals(void **state)
{
    (void)state;
    verifier v;
    verifier_init(&v);
    emza_auth_challenge *c = challenge_now();
    char *token = token_of("citizen-auth", c, NULL);
    size_t len = strlen(token);
    emza_auth_identity *id = NULL;
    emza_auth_reason reason = EMZA_AUTH_MALFORMED;

    assert_error(emza_auth_verify(NULL, &reason, token, len, c, ORIGIN, &v.opts), EMZA_EINVAL);
    assert_error(emza_auth_verify(&id, NULL, token, len, c, ORIGIN, &v.opts), EMZA_EINVAL);
    assert_error(emza_auth_verify(&id, &reason, NULL, len, c, ORIGIN, &v.opts), EMZA_EINVAL);
    assert_int_equal(reason, EMZA_AUTH_NONE);
    assert_error(emza_auth_verify(&id, &reason, token, len, NULL, ORIGIN, &v.opts), EMZA_EINVAL);
    assert_error(emza_auth_verify(&id, &reason, token, len, c, NULL, &v.opts), EMZA_EINVAL);
    assert_error(emza_auth_verify(&id, &reason, token, len, c, ORIGIN, NULL), EMZA_EINVAL);
    assert_error(emza_auth_verify(&id, &reason, token, len, c, "bank.example", &v.opts),
                 EMZA_EINVAL);

    emza_auth_verify_options o = v.opts;
    o.version = 99;
    assert_error(emza_auth_verify(&id, &reason, token, len, c, ORIGIN, &o), EMZA_EVERSION);
    assert_error(emza_auth_verify_options_init(&o, 99), EMZA_EVERSION);
    o = v.opts;
    o.trust = NULL;
    assert_error(emza_auth_verify(&id, &reason, token, len, c, ORIGIN, &o), EMZA_EINVAL);
    o = v.opts;
    o.clock_skew_seconds = EMZA_AUTH_CLOCK_SKEW_MAX + 1;
    assert_error(emza_auth_verify(&id, &reason, token, len, c, ORIGIN, &o), EMZA_EINVAL);
    o = v.opts;
    o.replay = failing_replay;
    assert_error(emza_auth_verify(&id, &reason, token, len, c, ORIGIN, &o), EMZA_ELIMIT);
    assert_int_equal(reason, EMZA_AUTH_NONE);
    assert_null(id);
    o.replay = odd_replay;
    assert_error(emza_auth_verify(&id, &reason, token, len, c, ORIGIN, &o), EMZA_EINVAL);
    assert_null(id);

    emza_auth_verify_options d;
    assert_ok(emza_auth_verify_options_init(&d, EMZA_AUTH_VERIFY_OPTIONS_VERSION));
    assert_int_equal(d.clock_skew_seconds, EMZA_AUTH_CLOCK_SKEW_DEFAULT);
    assert_null(d.trust);
    assert_null(d.replay);

    emza_free(token);
    emza_auth_challenge_free(c);
    verifier_free(&v);
}

static void test_auth_sign__refuses_bad_requests(void **state)
{
    (void)state;
    emza_signer *ec = p12("citizen-auth"), *rsa = p12("citizen-rsa");
    emza_auth_challenge *c = challenge_now();
    const char *nonce = emza_auth_challenge_nonce(c);
    char *token = (char *)1;
    emza_auth_sign_options o = EMZA_AUTH_SIGN_OPTIONS_INIT;
    assert_error(emza_auth_sign(&token, NULL, ORIGIN, nonce, NULL), EMZA_EINVAL);
    assert_null(token);
    assert_error(emza_auth_sign(NULL, ec, ORIGIN, nonce, NULL), EMZA_EINVAL);
    assert_error(emza_auth_sign(&token, ec, "bank.example", nonce, NULL), EMZA_EINVAL);
    assert_error(emza_auth_sign(&token, ec, ORIGIN, "short", NULL), EMZA_EINVAL);
    assert_error(emza_auth_sign(&token, ec, ORIGIN, NULL, NULL), EMZA_EINVAL);
    o.algorithm = "ES384";
    assert_error(emza_auth_sign(&token, ec, ORIGIN, nonce, &o), EMZA_EINVAL);
    assert_message_has("P-384");
    o.algorithm = "RS256";
    assert_error(emza_auth_sign(&token, ec, ORIGIN, nonce, &o), EMZA_EINVAL);
    o.algorithm = "ES256";
    assert_error(emza_auth_sign(&token, rsa, ORIGIN, nonce, &o), EMZA_EINVAL);
    o.algorithm = "XX999";
    assert_error(emza_auth_sign(&token, rsa, ORIGIN, nonce, &o), EMZA_EINVAL);
    o.algorithm = NULL;
    o.version = 2;
    assert_error(emza_auth_sign(&token, rsa, ORIGIN, nonce, &o), EMZA_EVERSION);
    assert_error(emza_auth_sign_options_init(&o, 2), EMZA_EVERSION);
    assert_ok(emza_auth_sign_options_init(&o, EMZA_AUTH_SIGN_OPTIONS_VERSION));
    assert_null(o.algorithm);
    assert_null(token);
    emza_auth_challenge_free(c);
    emza_signer_free(ec);
    emza_signer_free(rsa);
}

static void test_auth_reason_name__every_reason(void **state)
{
    (void)state;
    const char *names[] = {"NONE",      "MALFORMED",     "EXPIRED",   "NOT_YET_VALID", "REPLAYED",
                           "ORIGIN_MISMATCH", "ALGORITHM", "BAD_SIGNATURE", "UNTRUSTED",
                           "REVOKED",   "KEY_USAGE",     "CERT_EXPIRED", "TRY_LATER"};
    for (size_t i = 0; i < COUNT(names); i++)
        assert_string_equal(emza_auth_reason_name((emza_auth_reason)i), names[i]);
    assert_string_equal(emza_auth_reason_name((emza_auth_reason)99), "UNKNOWN");
    assert_int_equal(EMZA_AUTH_TRY_LATER, 12);
}

/* ------------------------------------------------------------------------ */
/* the replay cache                                                          */
/* ------------------------------------------------------------------------ */

#define RACE_THREADS 8
#define RACE_NONCES 500

typedef struct race {
    emza_replay_cache *cache;
    char nonces[RACE_NONCES][48];
    atomic_int winners[RACE_NONCES];
    atomic_int errors;
    int64_t now;
} race;

static void *race_worker(void *arg)
{
    race *r = arg;
    for (size_t i = 0; i < RACE_NONCES; i++) {
        int rc = emza_replay_cache_use(r->cache, r->nonces[i], r->now + 300, r->now);
        if (rc == 1)
            atomic_fetch_add(&r->winners[i], 1);
        else if (rc != 0)
            atomic_fetch_add(&r->errors, 1);
    }
    return NULL;
}

static void test_replay_cache__one_winner_per_nonce_under_8_threads(void **state)
{
    (void)state;
    race *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    assert_ok(emza_replay_cache_new(&r->cache, 0));
    r->now = (int64_t)time(NULL);
    for (size_t i = 0; i < RACE_NONCES; i++)
        snprintf(r->nonces[i], sizeof(r->nonces[i]), "nonce-%zu", i);
    pthread_t threads[RACE_THREADS];
    for (size_t t = 0; t < RACE_THREADS; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, race_worker, r), 0);
    for (size_t t = 0; t < RACE_THREADS; t++)
        assert_int_equal(pthread_join(threads[t], NULL), 0);
    assert_int_equal(atomic_load(&r->errors), 0);
    for (size_t i = 0; i < RACE_NONCES; i++)
        assert_int_equal(atomic_load(&r->winners[i]), 1);
    assert_int_equal(emza_replay_cache_count(r->cache), RACE_NONCES);
    emza_replay_cache_free(r->cache);
    free(r);
}

typedef struct token_race {
    const verifier *v;
    const char *token;
    const emza_auth_challenge *c;
    atomic_int accepted, replayed, other;
} token_race;

static void *token_worker(void *arg)
{
    token_race *r = arg;
    emza_auth_identity *id = NULL;
    emza_auth_reason reason = EMZA_AUTH_NONE;
    int rc = emza_auth_verify(&id, &reason, r->token, strlen(r->token), r->c, ORIGIN, &r->v->opts);
    if (rc == EMZA_OK)
        atomic_fetch_add(&r->accepted, 1);
    else if (rc == EMZA_EAUTH && reason == EMZA_AUTH_REPLAYED)
        atomic_fetch_add(&r->replayed, 1);
    else
        atomic_fetch_add(&r->other, 1);
    emza_auth_identity_free(id);
    return NULL;
}

static void test_auth_verify__one_token_in_8_threads_is_accepted_once(void **state)
{
    (void)state;
    verifier v;
    verifier_init(&v);
    emza_auth_challenge *c = challenge_now();
    char *token = token_of("citizen-auth", c, NULL);
    token_race r = {.v = &v, .token = token, .c = c};
    pthread_t threads[RACE_THREADS];
    for (size_t t = 0; t < RACE_THREADS; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, token_worker, &r), 0);
    for (size_t t = 0; t < RACE_THREADS; t++)
        assert_int_equal(pthread_join(threads[t], NULL), 0);
    assert_int_equal(atomic_load(&r.accepted), 1);
    assert_int_equal(atomic_load(&r.replayed), RACE_THREADS - 1);
    assert_int_equal(atomic_load(&r.other), 0);
    emza_free(token);
    emza_auth_challenge_free(c);
    verifier_free(&v);
}

static void test_replay_cache__bound_and_eviction(void **state)
{
    (void)state;
    emza_replay_cache *cache = NULL;
    const int64_t t0 = 1800000000;
    assert_ok(emza_replay_cache_new(&cache, 4));
    char nonce[32];
    for (int i = 0; i < 4; i++) {
        snprintf(nonce, sizeof(nonce), "n%d", i);
        assert_int_equal(emza_replay_cache_use(cache, nonce, t0 + 100, t0), 1);
        assert_int_equal(emza_replay_cache_use(cache, nonce, t0 + 100, t0), 0);
    }
    assert_int_equal(emza_replay_cache_count(cache), 4);
    /* full of unexpired nonces: refused, and nothing forgotten */
    assert_error(emza_replay_cache_use(cache, "n4", t0 + 100, t0), EMZA_ELIMIT);
    assert_error(emza_replay_cache_use(cache, "n4", t0 + 100, t0 + 100 + EMZA_AUTH_CLOCK_SKEW_MAX),
                 EMZA_ELIMIT); /* still acceptable until expiry + the largest skew */
    assert_int_equal(emza_replay_cache_use(cache, "n0", t0 + 100, t0 + 50), 0);
    /* once they can no longer be accepted, they are evicted */
    int64_t later = t0 + 100 + EMZA_AUTH_CLOCK_SKEW_MAX + 1;
    assert_int_equal(emza_replay_cache_use(cache, "n4", later + 100, later), 1);
    assert_int_equal(emza_replay_cache_count(cache), 1);
    assert_int_equal(emza_replay_cache_use(cache, "n4", later + 100, later), 0);
    assert_int_equal(emza_replay_cache_use(cache, "n0", later + 100, later), 1);
    emza_replay_cache_free(cache);

    assert_error(emza_replay_cache_new(&cache, (size_t)EMZA_REPLAY_CACHE_ENTRIES_MAX + 1),
                 EMZA_EINVAL);
    assert_null(cache);
    assert_error(emza_replay_cache_use(NULL, "n", 0, 0), EMZA_EINVAL);
    assert_int_equal(emza_replay_cache_count(NULL), 0);
    emza_replay_cache_free(NULL);
}

static void test_replay_cache__many_nonces_stay_distinct(void **state)
{
    (void)state;
    emza_replay_cache *cache = NULL;
    assert_ok(emza_replay_cache_new(&cache, 20000));
    char nonce[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(nonce, sizeof(nonce), "%d", i);
        assert_int_equal(emza_replay_cache_use(cache, nonce, 2000000000, 1900000000), 1);
    }
    for (int i = 0; i < 20000; i += 97) {
        snprintf(nonce, sizeof(nonce), "%d", i);
        assert_int_equal(emza_replay_cache_use(cache, nonce, 2000000000, 1900000000), 0);
    }
    assert_error(emza_replay_cache_use(cache, "one more", 2000000000, 1900000000), EMZA_ELIMIT);
    emza_replay_cache_free(cache);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth_challenge_new__random_256_bit_nonce_and_lifetime),
        cmocka_unit_test(test_auth_challenge_restore__keeps_what_the_session_kept),
        cmocka_unit_test(test_auth_challenge_restore__rejects_bad_nonces_and_times),
        cmocka_unit_test(test_auth_origin_normalize__scheme_host_port),
        cmocka_unit_test(test_auth_verify__valid_ec_token_gives_the_identity),
        cmocka_unit_test(test_auth_verify__rsa_tokens_with_every_rsa_algorithm),
        cmocka_unit_test(test_auth_verify__origin_is_compared_normalised),
        cmocka_unit_test(test_auth_verify__token_at_the_size_limit_is_read),
        cmocka_unit_test(test_auth_verify__expired_and_future_challenges),
        cmocka_unit_test(test_auth_verify__replayed_nonce_is_refused),
        cmocka_unit_test(test_auth_verify__without_a_callback_the_process_cache_protects),
        cmocka_unit_test(test_auth_verify__refused_token_does_not_burn_the_nonce),
        cmocka_unit_test(test_auth_verify__token_for_another_origin),
        cmocka_unit_test(test_auth_verify__token_for_another_nonce_is_a_bad_signature),
        cmocka_unit_test(test_auth_verify__algorithm_must_fit_the_key_and_policy),
        cmocka_unit_test(test_auth_verify__signature_by_another_key),
        cmocka_unit_test(test_auth_verify__malformed_tokens),
        cmocka_unit_test(test_auth_verify__certificate_without_digital_signature),
        cmocka_unit_test(test_auth_verify__untrusted_chain),
        cmocka_unit_test(test_auth_verify__revoked_certificate_and_unavailable_revocation),
        cmocka_unit_test(test_auth_verify__expired_certificate),
        cmocka_unit_test(test_auth_verify__checks_decide_in_the_documented_order),
        cmocka_unit_test(test_auth_verify__operational_errors_are_not_refusals),
        cmocka_unit_test(test_auth_sign__refuses_bad_requests),
        cmocka_unit_test(test_auth_reason_name__every_reason),
        cmocka_unit_test(test_replay_cache__one_winner_per_nonce_under_8_threads),
        cmocka_unit_test(test_auth_verify__one_token_in_8_threads_is_accepted_once),
        cmocka_unit_test(test_replay_cache__bound_and_eviction),
        cmocka_unit_test(test_replay_cache__many_nonces_stay_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
