/*
 * Tests of two-step signing (include/emza/prepare.h, lib/prepare.c): prepare
 * without a key, sign the digest elsewhere (here: OpenSSL with the test PKI's
 * private key, as a remote HSM or a browser would), finalize, and verify the
 * result with emza_verify_file against the test root — for every format and
 * RSA PKCS#1, RSA-PSS and ECDSA (DER and raw r||s). Then the state file: save
 * and load, strict parsing, limits; and what finalize refuses: changed inputs,
 * a wrong signature, an altered state. Sealed states: round trips, every
 * alteration refused, key lengths.
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
#include <time.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <emza/emza.h>

#include "support.h"

static emza_trust *g_trust;

static const char DEED[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<deed xmlns=\"urn:example:deed\"><seller>0499370899</seller>"
                           "<price currency=\"IRR\">1000000000</price></deed>\n";

/* How the digest is signed outside the library. */
typedef enum { SIG_PKCS1, SIG_PSS, SIG_ECDSA_DER, SIG_ECDSA_RAW } sig_kind;

static const struct {
    const char *who;
    sig_kind kind;
    const char *algorithm;
} keys[] = {
    {"citizen-rsa", SIG_PKCS1, "rsa-sha256"},
    {"citizen-rsa", SIG_PSS, "rsa-pss-sha256"},
    {"citizen-ec", SIG_ECDSA_DER, "ecdsa-sha256"},
    {"citizen-ec", SIG_ECDSA_RAW, "ecdsa-sha256"},
};

/* ------------------------------------------------------------------------ */
/* helpers                                                                   */
/* ------------------------------------------------------------------------ */

static const char *tmp(const char *name)
{
    return in(g_root, name);
}

static emza_cert_list *chain_of(const char *who)
{
    emza_cert_list *l = NULL;
    assert_ok(emza_cert_list_new(&l));
    assert_ok(emza_cert_list_add_path(l, pkif(who, ".chain.pem")));
    return l;
}

/* Prepares `inputs` for `who`'s certificate; fails the test on error. */
static emza_prepared *prepare_for(const char *who, const emza_sign_options *o,
                                  const char *const *inputs, size_t n)
{
    emza_cert *cert = ts_load_cert(who);
    emza_cert_list *chain = chain_of(who);
    emza_prepared *p = NULL;
    int rc = emza_sign_prepare(&p, cert, chain, o, inputs, n);
    emza_cert_free(cert);
    emza_cert_list_free(chain);
    if (rc != EMZA_OK)
        fail_msg("prepare: %s (%s)", emza_error_name(rc), emza_error_last()->message);
    return p;
}

/* Signs the prepared digest with `who`'s private key as `kind` says; `*len` its size. */
static void sign_digest(const emza_prepared *p, const char *who, sig_kind kind, uint8_t *sig,
                        size_t *len)
{
    size_t dlen = 0;
    const uint8_t *d = emza_prepared_digest(p, &dlen);
    assert_non_null(d);
    EVP_PKEY *key = ossl_key(who);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
    assert_non_null(ctx);
    assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
    assert_true(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) > 0);
    if (kind == SIG_PSS) {
        assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0);
        assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) > 0);
    }
    size_t room = EMZA_SIGNATURE_MAX;
    assert_int_equal(EVP_PKEY_sign(ctx, sig, &room, d, dlen), 1);
    *len = room;
    if (kind == SIG_ECDSA_RAW) {
        const unsigned char *q = sig;
        ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &q, (long)room);
        assert_non_null(es);
        int half = (EVP_PKEY_get_bits(key) + 7) / 8;
        uint8_t raw[2 * 66];
        assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, half), half);
        assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + half, half), half);
        memcpy(sig, raw, (size_t)(2 * half));
        *len = (size_t)(2 * half);
        ECDSA_SIG_free(es);
    }
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(key);
}

/* Verifies `path` (with `data` for detached content) and expects one TOTAL_PASSED signature. */
static emza_report *verify_passed(const char *path, const char *const *data, size_t n)
{
    emza_verify_options o = EMZA_VERIFY_OPTIONS_INIT;
    o.trust = g_trust;
    o.offline = 1;
    o.data_paths = data;
    o.data_count = n;
    emza_report *r = NULL;
    int rc = emza_verify_file(&r, path, &o);
    if (rc != EMZA_OK)
        fail_msg("verify %s: %s (%s)", path, emza_error_name(rc), emza_error_last()->message);
    assert_int_equal(emza_report_signature_count(r), 1);
    check_verdict(emza_report_signature(r, 0), EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    return r;
}

/* Saves `p`, loads it back, and returns the loaded copy (the original is freed). */
static emza_prepared *through_file(emza_prepared *p, const char *name)
{
    assert_ok(emza_prepared_save(p, tmp(name)));
    emza_prepared_free(p);
    emza_prepared *back = NULL;
    assert_ok(emza_prepared_load(&back, tmp(name)));
    return back;
}

static emza_sign_options options(emza_format f)
{
    emza_sign_options o = EMZA_SIGN_OPTIONS_INIT;
    o.format = f;
    return o;
}

/* A prepared CAdES-detached signing of a fresh g_root/NAME by citizen-rsa (PKCS#1). */
static emza_prepared *prepared_cades(const char *name)
{
    write_text(tmp(name), "the content of a contract\n");
    emza_sign_options o = options(EMZA_FORMAT_CADES_DETACHED);
    const char *input = tmp(name);
    return prepare_for("citizen-rsa", &o, &input, 1);
}

/* The state of `p` as JSON text (malloc'd by the library; emza_free). */
static char *json_of(const emza_prepared *p)
{
    char *j = NULL;
    assert_ok(emza_prepared_to_json(&j, p));
    return j;
}

/* Replaces the first `from` in `text` by `to`; a new malloc'd string. */
static char *replaced(const char *text, const char *from, const char *to)
{
    const char *hit = strstr(text, from);
    if (hit == NULL)
        fail_msg("'%s' not in the state", from);
    size_t head = (size_t)(hit - text), fl = strlen(from), tl = strlen(to);
    char *out = malloc(strlen(text) - fl + tl + 1);
    assert_non_null(out);
    memcpy(out, text, head);
    memcpy(out + head, to, tl);
    strcpy(out + head + tl, hit + fl);
    return out;
}

/* from_json of `text` fails with `want`. */
static void assert_state_refused(const char *text, int want)
{
    emza_prepared *p = (emza_prepared *)1;
    assert_error(emza_prepared_from_json(&p, text, strlen(text)), want);
    assert_null(p);
}

/* ------------------------------------------------------------------------ */
/* round trips                                                               */
/* ------------------------------------------------------------------------ */

static void round_trip(emza_format f, const char *const *given, size_t n, int detached)
{
    /* tmp() names live in a ring of static buffers: keep copies */
    char *copies[2] = {NULL, NULL};
    for (size_t i = 0; i < n; i++)
        assert_non_null(copies[i] = strdup(given[i]));
    const char *const inputs[2] = {copies[0], copies[1]};
    const char *const *data = detached ? inputs : NULL;
    size_t data_n = detached ? n : 0;
    for (size_t k = 0; k < COUNT(keys); k++) {
        emza_sign_options o = options(f);
        o.rsa_pss = keys[k].kind == SIG_PSS;
        emza_prepared *p = prepare_for(keys[k].who, &o, inputs, n);
        assert_string_equal(emza_prepared_signature_algorithm(p), keys[k].algorithm);
        assert_string_equal(emza_prepared_digest_algorithm(p), "sha256");
        char name[96];
        snprintf(name, sizeof(name), "%s-%zu.state", emza_format_name(f), k);
        p = through_file(p, name); /* as a stateless server would */
        uint8_t sig[EMZA_SIGNATURE_MAX];
        size_t len = 0;
        sign_digest(p, keys[k].who, keys[k].kind, sig, &len);
        snprintf(name, sizeof(name), "%s-%zu.signed", emza_format_name(f), k);
        assert_ok(emza_sign_finalize(p, sig, len, tmp(name)));
        emza_report *r = verify_passed(tmp(name), data, data_n);
        const emza_signature_report *s = emza_report_signature(r, 0);
        assert_string_equal(emza_signature_algorithm(s), keys[k].algorithm);
        int present = 0;
        assert_int_equal(emza_signature_claimed_signing_time(s, &present),
                         emza_prepared_signing_time(p));
        assert_true(present);
        emza_report_free(r);
        emza_prepared_free(p);
    }
    free(copies[0]);
    free(copies[1]);
}

static void test_prepare__xades_enveloped_round_trips(void **state)
{
    (void)state;
    write_text(tmp("deed.xml"), DEED);
    const char *in1[] = {tmp("deed.xml")};
    round_trip(EMZA_FORMAT_XADES_ENVELOPED, in1, 1, 0);
}

static void test_prepare__xades_detached_round_trips(void **state)
{
    (void)state;
    write_text(tmp("deed.xml"), DEED);
    write_file(tmp("note.bin"), "\x00\x01note\xff", 7);
    const char *in2[] = {tmp("deed.xml"), tmp("note.bin")};
    round_trip(EMZA_FORMAT_XADES_DETACHED, in2, 2, 1);
}

static void test_prepare__xades_enveloping_round_trips(void **state)
{
    (void)state;
    write_text(tmp("deed.xml"), DEED);
    write_file(tmp("note.bin"), "\x00\x01note\xff", 7);
    const char *in2[] = {tmp("deed.xml"), tmp("note.bin")};
    round_trip(EMZA_FORMAT_XADES_ENVELOPING, in2, 2, 0);
}

static void test_prepare__cades_detached_round_trips(void **state)
{
    (void)state;
    write_text(tmp("contract.txt"), "the content of a contract\n");
    const char *in1[] = {tmp("contract.txt")};
    round_trip(EMZA_FORMAT_CADES_DETACHED, in1, 1, 1);
}

static void test_prepare__cades_attached_round_trips(void **state)
{
    (void)state;
    write_text(tmp("contract.txt"), "the content of a contract\n");
    const char *in1[] = {tmp("contract.txt")};
    round_trip(EMZA_FORMAT_CADES_ATTACHED, in1, 1, 0);
}

/* The same state and signature finalize to the same bytes (XAdES: Ids from the seed). */
static void test_prepare__finalize_is_deterministic(void **state)
{
    (void)state;
    write_text(tmp("det.xml"), DEED);
    emza_sign_options o = options(EMZA_FORMAT_XADES_ENVELOPED);
    const char *input = tmp("det.xml");
    emza_prepared *p = prepare_for("citizen-rsa", &o, &input, 1);
    uint8_t sig[EMZA_SIGNATURE_MAX];
    size_t len = 0;
    sign_digest(p, "citizen-rsa", SIG_PKCS1, sig, &len);
    assert_ok(emza_sign_finalize(p, sig, len, tmp("det-1.xml")));
    assert_ok(emza_sign_finalize(p, sig, len, tmp("det-2.xml")));
    size_t l1 = 0, l2 = 0;
    uint8_t *a = read_all(tmp("det-1.xml"), &l1), *b = read_all(tmp("det-2.xml"), &l2);
    assert_int_equal(l1, l2);
    assert_memory_equal(a, b, l1);
    /* The Ids are not the fixed ones of another preparation of the same input. */
    emza_prepared *q = prepare_for("citizen-rsa", &o, &input, 1);
    size_t dl = 0, ql = 0;
    const uint8_t *pd = emza_prepared_digest(p, &dl), *qd = emza_prepared_digest(q, &ql);
    assert_int_equal(dl, ql);
    assert_true(memcmp(pd, qd, dl) != 0);
    free(a);
    free(b);
    emza_prepared_free(p);
    emza_prepared_free(q);
}

/* ------------------------------------------------------------------------ */
/* the state                                                                 */
/* ------------------------------------------------------------------------ */

static void test_prepare__save_and_load_keep_everything(void **state)
{
    (void)state;
    write_text(tmp("keep.xml"), DEED);
    emza_sign_options o = options(EMZA_FORMAT_XADES_DETACHED);
    o.signer_role = "فروشنده";
    o.production_city = "Tehran";
    o.production_country = "IR";
    o.mime_type = "text/xml";
    o.digest = "sha384";
    o.timeout_seconds = 7;
    const char *input = tmp("keep.xml");
    emza_prepared *p = prepare_for("citizen-ec", &o, &input, 1);
    assert_string_equal(emza_prepared_digest_algorithm(p), "sha384");
    assert_string_equal(emza_prepared_signature_algorithm(p), "ecdsa-sha384");
    size_t dl = 0;
    assert_non_null(emza_prepared_digest(p, &dl));
    assert_int_equal(dl, 48);
    char *before = json_of(p);
    emza_prepared *back = NULL;
    assert_ok(emza_prepared_save(p, tmp("keep.state")));
    assert_ok(emza_prepared_load(&back, tmp("keep.state")));
    char *after = json_of(back);
    assert_string_equal(before, after);
    assert_int_equal(emza_prepared_signing_time(back), emza_prepared_signing_time(p));
    assert_string_equal(emza_cert_sha256_hex(emza_prepared_cert(back)),
                        emza_cert_sha256_hex(emza_prepared_cert(p)));
    assert_non_null(strstr(before, "\"signerRole\": \"فروشنده\""));
    assert_non_null(strstr(before, "\"timeoutSeconds\": 7"));
    emza_free(before);
    emza_free(after);
    emza_prepared_free(p);
    emza_prepared_free(back);
    assert_no_temporary(g_root);
}

static void test_prepare__signing_time_is_the_prepare_time(void **state)
{
    (void)state;
    int64_t before = (int64_t)time(NULL);
    emza_prepared *p = prepared_cades("time.txt");
    int64_t after = (int64_t)time(NULL);
    int64_t t = emza_prepared_signing_time(p);
    assert_true(t >= before && t <= after);
    sleep(2); /* finalize happens later */
    uint8_t sig[EMZA_SIGNATURE_MAX];
    size_t len = 0;
    sign_digest(p, "citizen-rsa", SIG_PKCS1, sig, &len);
    assert_ok(emza_sign_finalize(p, sig, len, tmp("time.txt.p7s")));
    const char *data[] = {tmp("time.txt")};
    emza_report *r = verify_passed(tmp("time.txt.p7s"), data, 1);
    int present = 0;
    int64_t claimed = emza_signature_claimed_signing_time(emza_report_signature(r, 0), &present);
    assert_true(present);
    assert_int_equal(claimed, t);
    assert_true(claimed < (int64_t)time(NULL) - 1);
    emza_report_free(r);
    emza_prepared_free(p);

    /* A signing time given in the options is kept as well. */
    emza_sign_options o = options(EMZA_FORMAT_CADES_ATTACHED);
    o.has_signing_time = 1;
    o.signing_time = INT64_C(1790000000);
    const char *input = tmp("time.txt");
    p = prepare_for("citizen-ec", &o, &input, 1);
    assert_int_equal(emza_prepared_signing_time(p), INT64_C(1790000000));
    emza_prepared_free(p);
}

static void test_prepare__truncated_or_malformed_state_is_a_format_error(void **state)
{
    (void)state;
    emza_prepared *p = prepared_cades("trunc.txt");
    char *j = json_of(p);
    size_t len = strlen(j);
    /* every cut of the text is refused */
    for (size_t cut = 0; cut < len; cut += len / 40 + 1) {
        emza_prepared *q = (emza_prepared *)1;
        assert_error(emza_prepared_from_json(&q, j, cut), EMZA_EFORMAT);
        assert_null(q);
    }
    write_file(tmp("trunc.state"), j, len / 2);
    emza_prepared *q = (emza_prepared *)1;
    assert_error(emza_prepared_load(&q, tmp("trunc.state")), EMZA_EFORMAT);
    assert_null(q);
    assert_message_has("trunc.state");

    /* members: unknown, missing, duplicated, mistyped, malformed */
    char *t;
    t = replaced(j, "\"emzaPrepared\": 1", "\"emzaPrepared\": 1, \"extra\": 0");
    assert_state_refused(t, EMZA_EFORMAT);
    free(t);
    t = replaced(j, "\"emzaPrepared\": 1", "\"emzaPrepared\": 2");
    assert_state_refused(t, EMZA_EFORMAT);
    free(t);
    t = replaced(j, "\"level\": \"B\",", "");
    assert_state_refused(t, EMZA_EFORMAT);
    free(t);
    t = replaced(j, "\"level\": \"B\"", "\"level\": \"B\", \"level\": \"T\"");
    assert_state_refused(t, EMZA_EFORMAT);
    free(t);
    t = replaced(j, "\"level\": \"B\"", "\"level\": \"X\"");
    assert_state_refused(t, EMZA_EFORMAT);
    free(t);
    t = replaced(j, "\"timeoutSeconds\": 0", "\"timeoutSeconds\": \"0\"");
    assert_state_refused(t, EMZA_EFORMAT);
    free(t);
    t = replaced(j, "\"timeoutSeconds\": 0", "\"timeoutSeconds\": 3601");
    assert_state_refused(t, EMZA_EFORMAT);
    free(t);
    t = replaced(j, "\"signingTime\": \"", "\"signingTime\": \"x");
    assert_state_refused(t, EMZA_EFORMAT);
    free(t);
    t = replaced(j, "\"idSeed\": \"", "\"idSeed\": \"0");
    assert_state_refused(t, EMZA_EFORMAT);
    free(t);
    t = replaced(j, "\"certificate\": \"", "\"certificate\": \"*");
    assert_state_refused(t, EMZA_EFORMAT);
    free(t);
    t = replaced(j, "\"certificate\": \"", "\"certificate\": \"AAAA");
    assert_state_refused(t, EMZA_EFORMAT);
    free(t);
    t = replaced(j, "\"mode\": \"new\"", "\"mode\": \"parallel\"");
    assert_state_refused(t, EMZA_EFORMAT); /* parallel needs "existing" */
    free(t);
    /* An algorithm the certificate's key cannot make. */
    t = replaced(j, "\"signatureAlgorithm\": \"rsa-sha256\"",
                 "\"signatureAlgorithm\": \"ecdsa-sha256\"");
    assert_state_refused(t, EMZA_EFORMAT);
    free(t);
    t = replaced(j, "\"digestAlgorithm\": \"sha256\"", "\"digestAlgorithm\": \"sha1\"");
    assert_state_refused(t, EMZA_EFORMAT);
    free(t);
    assert_state_refused("[]", EMZA_EFORMAT);
    assert_state_refused("", EMZA_EFORMAT);
    assert_state_refused("{\"emzaPrepared\": 1}", EMZA_EFORMAT);
    emza_free(j);
    emza_prepared_free(p);
}

static void test_prepare__state_limits_are_enforced(void **state)
{
    (void)state;
    emza_prepared *p = prepared_cades("limits.txt");
    char *j = json_of(p);

    /* A file larger than EMZA_PREPARED_FILE_MAX (whitespace after a valid state). */
    size_t len = strlen(j);
    char *big = malloc(EMZA_PREPARED_FILE_MAX + 1);
    assert_non_null(big);
    memcpy(big, j, len);
    memset(big + len, ' ', EMZA_PREPARED_FILE_MAX + 1 - len);
    emza_prepared *q = (emza_prepared *)1;
    assert_error(emza_prepared_from_json(&q, big, EMZA_PREPARED_FILE_MAX + 1), EMZA_ELIMIT);
    assert_null(q);
    write_file(tmp("big.state"), big, EMZA_PREPARED_FILE_MAX + 1);
    assert_error(emza_prepared_load(&q, tmp("big.state")), EMZA_ELIMIT);
    /* ... and exactly at the limit it is read. */
    assert_ok(emza_prepared_from_json(&q, big, EMZA_PREPARED_FILE_MAX));
    emza_prepared_free(q);
    free(big);

    /* A text one byte past EMZA_PREPARED_TEXT_MAX. */
    char *text = malloc(EMZA_PREPARED_TEXT_MAX + 2);
    assert_non_null(text);
    memset(text, 'a', EMZA_PREPARED_TEXT_MAX + 1);
    text[EMZA_PREPARED_TEXT_MAX + 1] = '\0';
    char *quoted = malloc(EMZA_PREPARED_TEXT_MAX + 40);
    assert_non_null(quoted);
    snprintf(quoted, EMZA_PREPARED_TEXT_MAX + 40, "\"signerRole\": \"%s\"", text);
    char *t = replaced(j, "\"signerRole\": null", quoted);
    assert_state_refused(t, EMZA_ELIMIT);
    free(t);
    /* at the limit it is read */
    quoted[strlen(quoted) - 2] = '"';
    quoted[strlen(quoted) - 1] = '\0';
    t = replaced(j, "\"signerRole\": null", quoted);
    assert_ok(emza_prepared_from_json(&q, t, strlen(t)));
    emza_prepared_free(q);
    free(t);

    /* and when preparing */
    emza_sign_options o = options(EMZA_FORMAT_XADES_DETACHED);
    o.signer_role = text;
    const char *input = tmp("limits.txt");
    emza_cert *cert = ts_load_cert("citizen-rsa");
    assert_error(emza_sign_prepare(&q, cert, NULL, &o, &input, 1), EMZA_ELIMIT);
    assert_null(q);
    free(text);
    free(quoted);

    /* More than EMZA_PREPARED_INPUTS_MAX inputs when preparing: the limit a state read has. */
    o.signer_role = NULL;
    char *many[EMZA_PREPARED_INPUTS_MAX + 1];
    for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++) {
        char name[32];
        snprintf(name, sizeof(name), "many-%zu.txt", i);
        many[i] = strdup(tmp(name));
        assert_non_null(many[i]);
        write_text(many[i], "one of many\n");
    }
    assert_ok(emza_sign_prepare(&q, cert, NULL, &o, (const char *const *)many,
                                EMZA_PREPARED_INPUTS_MAX));
    emza_prepared_free(q);
    q = NULL;
    assert_error(emza_sign_prepare(&q, cert, NULL, &o, (const char *const *)many,
                                   EMZA_PREPARED_INPUTS_MAX + 1),
                 EMZA_ELIMIT);
    assert_null(q);
    for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
        free(many[i]);

    /* More than EMZA_PREPARED_CHAIN_MAX chain certificates. */
    const char *cert_b64 = strstr(j, "\"certificate\": \"") + strlen("\"certificate\": ");
    size_t cert_len = (size_t)(strchr(cert_b64 + 1, '"') + 1 - cert_b64);
    char *chain = malloc((EMZA_PREPARED_CHAIN_MAX + 1) * (cert_len + 2) + 16);
    assert_non_null(chain);
    for (int n = EMZA_PREPARED_CHAIN_MAX; n <= EMZA_PREPARED_CHAIN_MAX + 1; n++) {
        size_t at = 0;
        chain[at++] = '[';
        for (int i = 0; i < n; i++) {
            if (i > 0)
                chain[at++] = ',';
            memcpy(chain + at, cert_b64, cert_len);
            at += cert_len;
        }
        chain[at++] = ']';
        chain[at] = '\0';
        /* the state with its chain array replaced by this one */
        const char *start = strstr(j, "\"chain\": [");
        const char *end = strchr(start, ']') + 1;
        size_t head = (size_t)(start - j);
        size_t total = head + strlen("\"chain\": ") + at + strlen(end) + 1;
        t = malloc(total);
        assert_non_null(t);
        snprintf(t, total, "%.*s\"chain\": %s%s", (int)head, j, chain, end);
        if (n == EMZA_PREPARED_CHAIN_MAX) {
            assert_ok(emza_prepared_from_json(&q, t, strlen(t)));
            emza_prepared_free(q);
        } else {
            assert_state_refused(t, EMZA_ELIMIT);
        }
        free(t);
    }
    free(chain);

    /* More than EMZA_PREPARED_INPUTS_MAX inputs. */
    const char *inputs = strstr(j, "\"inputs\": [") + strlen("\"inputs\": [");
    const char *input_end = strchr(inputs, '}') + 1;
    size_t one = (size_t)(input_end - inputs);
    size_t list_size = (EMZA_PREPARED_INPUTS_MAX + 1) * (one + 1) + 1;
    char *list = malloc(list_size);
    assert_non_null(list);
    size_t at = 0;
    for (int i = 0; i <= EMZA_PREPARED_INPUTS_MAX; i++) {
        if (i > 0)
            list[at++] = ',';
        memcpy(list + at, inputs, one);
        at += one;
    }
    list[at] = '\0';
    size_t head = (size_t)(inputs - j);
    size_t total = head + at + strlen(input_end) + 1;
    t = malloc(total);
    assert_non_null(t);
    snprintf(t, total, "%.*s%s%s", (int)head, j, list, input_end);
    assert_state_refused(t, EMZA_ELIMIT);
    free(t);
    free(list);

    emza_cert_free(cert);
    emza_free(j);
    emza_prepared_free(p);
}

/* ------------------------------------------------------------------------ */
/* what finalize refuses                                                     */
/* ------------------------------------------------------------------------ */

static void test_prepare__changed_input_is_refused_and_nothing_written(void **state)
{
    (void)state;
    const char *dir = test_dir("changed");
    write_text(in(dir, "deed.xml"), DEED);
    emza_sign_options o = options(EMZA_FORMAT_XADES_ENVELOPED);
    const char *input = in(dir, "deed.xml");
    emza_prepared *p = prepare_for("citizen-ec", &o, &input, 1);
    uint8_t sig[EMZA_SIGNATURE_MAX];
    size_t len = 0;
    sign_digest(p, "citizen-ec", SIG_ECDSA_DER, sig, &len);
    char *changed = replaced(DEED, "1000000000", "9000000000");
    write_text(in(dir, "deed.xml"), changed);
    free(changed);
    assert_error(emza_sign_finalize(p, sig, len, in(dir, "out.xml")), EMZA_EINVAL);
    assert_message_has("changed since the signing was prepared");
    check_no_leftovers(dir, 1);
    /* put back, it goes through */
    write_text(in(dir, "deed.xml"), DEED);
    assert_ok(emza_sign_finalize(p, sig, len, in(dir, "out.xml")));
    emza_report_free(verify_passed(in(dir, "out.xml"), NULL, 0));
    emza_prepared_free(p);
}

static void test_prepare__wrong_signature_is_a_crypto_error(void **state)
{
    (void)state;
    const char *dir = test_dir("wrong");
    write_text(in(dir, "a.txt"), "one\n");
    write_text(in(dir, "b.txt"), "two\n");
    emza_sign_options o = options(EMZA_FORMAT_CADES_DETACHED);
    const char *a = in(dir, "a.txt"), *b = in(dir, "b.txt");
    emza_prepared *pa = prepare_for("citizen-rsa", &o, &a, 1);
    emza_prepared *pb = prepare_for("citizen-rsa", &o, &b, 1);
    uint8_t sig[EMZA_SIGNATURE_MAX];
    size_t len = 0;
    /* a signature of another digest */
    sign_digest(pb, "citizen-rsa", SIG_PKCS1, sig, &len);
    assert_error(emza_sign_finalize(pa, sig, len, in(dir, "a.p7s")), EMZA_ECRYPTO);
    /* a signature of the right digest with another padding (PSS, not PKCS#1 v1.5) */
    sign_digest(pa, "citizen-rsa", SIG_PSS, sig, &len);
    assert_error(emza_sign_finalize(pa, sig, len, in(dir, "a.p7s")), EMZA_ECRYPTO);
    /* a flipped byte */
    sign_digest(pa, "citizen-rsa", SIG_PKCS1, sig, &len);
    sig[len / 2] ^= 1;
    assert_error(emza_sign_finalize(pa, sig, len, in(dir, "a.p7s")), EMZA_ECRYPTO);
    check_no_leftovers(dir, 2);
    /* bounds of the signature */
    assert_error(emza_sign_finalize(pa, sig, 0, in(dir, "a.p7s")), EMZA_EINVAL);
    assert_error(emza_sign_finalize(pa, sig, EMZA_SIGNATURE_MAX + 1, in(dir, "a.p7s")),
                 EMZA_ELIMIT);
    assert_error(emza_sign_finalize(NULL, sig, len, in(dir, "a.p7s")), EMZA_EINVAL);
    assert_error(emza_sign_finalize(pa, sig, len, NULL), EMZA_EINVAL);
    /* the output may not be the input */
    sig[len / 2] ^= 1;
    assert_error(emza_sign_finalize(pa, sig, len, a), EMZA_EINVAL);
    check_no_leftovers(dir, 2);
    emza_prepared_free(pa);
    emza_prepared_free(pb);
}

/* An altered state whose inputs are unchanged cannot produce a document. */
static void test_prepare__altered_state_is_refused_and_nothing_written(void **state)
{
    (void)state;
    const char *dir = test_dir("altered");
    write_text(in(dir, "deed.xml"), DEED);
    emza_sign_options o = options(EMZA_FORMAT_XADES_ENVELOPED);
    const char *input = in(dir, "deed.xml");
    emza_prepared *p = prepare_for("citizen-rsa", &o, &input, 1);
    uint8_t sig[EMZA_SIGNATURE_MAX];
    size_t len = 0;
    sign_digest(p, "citizen-rsa", SIG_PKCS1, sig, &len);
    char *j = json_of(p);

    /* 1. Another claimed signing time: the signature no longer fits the document. */
    char *when = strstr(j, "\"signingTime\": \"") + strlen("\"signingTime\": \"");
    char *t = strdup(j);
    assert_non_null(t);
    t[when - j + 3] = t[when - j + 3] == '0' ? '1' : '0'; /* another year */
    emza_prepared *q = NULL;
    assert_ok(emza_prepared_from_json(&q, t, strlen(t)));
    assert_error(emza_sign_finalize(q, sig, len, in(dir, "out.xml")), EMZA_EFORMAT);
    assert_message_has("does not agree with itself");
    emza_prepared_free(q);
    free(t);

    /* 2. Another role, signed over by the same signature: refused. */
    t = replaced(j, "\"signerRole\": null", "\"signerRole\": \"buyer\"");
    assert_ok(emza_prepared_from_json(&q, t, strlen(t)));
    assert_error(emza_sign_finalize(q, sig, len, in(dir, "out.xml")), EMZA_EFORMAT);
    emza_prepared_free(q);
    free(t);

    /* 3. The digest replaced by one of an attacker's document: the approved signature does not
     *    verify over it, and the flow refuses the mismatch first. */
    char *digest = strstr(j, "\"digest\": \"") + strlen("\"digest\": \"");
    t = strdup(j);
    assert_non_null(t);
    t[digest - j] = t[digest - j] == 'a' ? 'b' : 'a';
    assert_ok(emza_prepared_from_json(&q, t, strlen(t)));
    assert_error(emza_sign_finalize(q, sig, len, in(dir, "out.xml")), EMZA_EFORMAT);
    emza_prepared_free(q);
    free(t);

    /* 4. The Id seed. */
    char *seed = strstr(j, "\"idSeed\": \"") + strlen("\"idSeed\": \"");
    t = strdup(j);
    assert_non_null(t);
    t[seed - j] = t[seed - j] == 'a' ? 'b' : 'a';
    assert_ok(emza_prepared_from_json(&q, t, strlen(t)));
    assert_error(emza_sign_finalize(q, sig, len, in(dir, "out.xml")), EMZA_EFORMAT);
    emza_prepared_free(q);
    free(t);

    check_no_leftovers(dir, 1);
    /* the untouched state goes through */
    assert_ok(emza_prepared_from_json(&q, j, strlen(j)));
    assert_ok(emza_sign_finalize(q, sig, len, in(dir, "out.xml")));
    emza_prepared_free(q);
    emza_free(j);
    emza_prepared_free(p);
}

static void test_prepare__refuses_what_cannot_be_prepared(void **state)
{
    (void)state;
    write_text(tmp("refuse.txt"), "x\n");
    const char *input = tmp("refuse.txt");
    emza_cert *cert = ts_load_cert("citizen-rsa");
    emza_prepared *p = (emza_prepared *)1;
    emza_sign_options o = options(EMZA_FORMAT_CADES_DETACHED);
    o.mode = EMZA_SIGN_COUNTERSIGN;
    o.existing = input;
    assert_error(emza_sign_prepare(&p, cert, NULL, &o, &input, 1), EMZA_EUNSUPPORTED);
    assert_null(p);
    o = options(EMZA_FORMAT_CADES_DETACHED);
    assert_error(emza_sign_prepare(&p, NULL, NULL, &o, &input, 1), EMZA_EINVAL);
    assert_error(emza_sign_prepare(NULL, cert, NULL, &o, &input, 1), EMZA_EINVAL);
    o.version = 99;
    assert_error(emza_sign_prepare(&p, cert, NULL, &o, &input, 1), EMZA_EVERSION);
    o = options(EMZA_FORMAT_CADES_DETACHED);
    o.rsa_pss = 1;
    emza_cert *ec = ts_load_cert("citizen-ec");
    assert_error(emza_sign_prepare(&p, ec, NULL, &o, &input, 1), EMZA_EINVAL); /* PSS needs RSA */
    o = options(EMZA_FORMAT_XADES_ENVELOPED);
    assert_error(emza_sign_prepare(&p, cert, NULL, &o, &input, 1), EMZA_EFORMAT); /* not XML */
    o = options(EMZA_FORMAT_CADES_DETACHED);
    const char *missing = tmp("missing.txt");
    assert_error(emza_sign_prepare(&p, cert, NULL, &o, &missing, 1), EMZA_EIO);
    assert_null(p);
    emza_cert_free(ec);
    emza_cert_free(cert);
    /* the getters accept NULL */
    size_t len = 1;
    assert_null(emza_prepared_digest(NULL, &len));
    assert_int_equal(len, 0);
    assert_null(emza_prepared_digest_algorithm(NULL));
    assert_null(emza_prepared_signature_algorithm(NULL));
    assert_null(emza_prepared_cert(NULL));
    emza_prepared_free(NULL);
}

/* A parallel XAdES signature through two steps, beside one made in one step. */
static void test_prepare__parallel_signature_round_trips(void **state)
{
    (void)state;
    const char *dir = test_dir("parallel");
    write_text(in(dir, "deed.xml"), DEED);
    emza_signer *s = p12("citizen-ec");
    emza_sign_options o = options(EMZA_FORMAT_XADES_DETACHED);
    const char *input = in(dir, "deed.xml");
    assert_ok(emza_sign(s, &o, &input, 1, in(dir, "first.xml")));
    emza_signer_free(s);
    o.mode = EMZA_SIGN_PARALLEL;
    o.existing = in(dir, "first.xml");
    emza_prepared *p = prepare_for("citizen-rsa", &o, &input, 1);
    p = through_file(p, "parallel.state");
    uint8_t sig[EMZA_SIGNATURE_MAX];
    size_t len = 0;
    sign_digest(p, "citizen-rsa", SIG_PKCS1, sig, &len);
    assert_ok(emza_sign_finalize(p, sig, len, in(dir, "both.xml")));
    emza_verify_options vo = EMZA_VERIFY_OPTIONS_INIT;
    vo.trust = g_trust;
    vo.offline = 1;
    vo.data_paths = &input;
    vo.data_count = 1;
    emza_report *r = NULL;
    assert_ok(emza_verify_file(&r, in(dir, "both.xml"), &vo));
    assert_int_equal(emza_report_signature_count(r), 2);
    for (size_t i = 0; i < 2; i++)
        check_verdict(emza_report_signature(r, i), EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    emza_report_free(r);
    /* the existing signature changed since prepare */
    write_text(in(dir, "first.xml"), DEED);
    assert_error(emza_sign_finalize(p, sig, len, in(dir, "again.xml")), EMZA_EINVAL);
    emza_prepared_free(p);
}

/* ------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------ */
/* sealed states (an HMAC-SHA256 with a server key)                          */
/* ------------------------------------------------------------------------ */

/* A state key of `len` bytes (len <= sizeof(g_key)): a fixed pattern, as good as any for tests. */
static uint8_t g_key[EMZA_PREPARED_KEY_MAX + 1];

static const uint8_t *key_of(size_t len, uint8_t salt)
{
    assert_true(len <= sizeof(g_key));
    for (size_t i = 0; i < len; i++)
        g_key[i] = (uint8_t)(i * 7 + salt);
    return g_key;
}

/* The sealed state of `p` with the EMZA_PREPARED_KEY_MIN-byte test key. */
static char *sealed_json_of(const emza_prepared *p)
{
    char *j = NULL;
    assert_ok(emza_prepared_to_json_sealed(&j, p, key_of(EMZA_PREPARED_KEY_MIN, 1),
                                           EMZA_PREPARED_KEY_MIN));
    return j;
}

/* from_json_sealed of `text` with the test key fails with `want`. */
static void assert_sealed_refused(const char *text, int want)
{
    emza_prepared *p = (emza_prepared *)1;
    assert_error(emza_prepared_from_json_sealed(&p, text, strlen(text),
                                                key_of(EMZA_PREPARED_KEY_MIN, 1),
                                                EMZA_PREPARED_KEY_MIN),
                 want);
    assert_null(p);
}

/* `text` with one character of the string value of `member` changed (the `at`-th). */
static char *flipped(const char *text, const char *member, size_t at)
{
    char key[64];
    snprintf(key, sizeof(key), "\"%s\": \"", member);
    const char *hit = strstr(text, key);
    if (hit == NULL)
        fail_msg("%s not in the state", member);
    char *t = strdup(text);
    assert_non_null(t);
    size_t i = (size_t)(hit - text) + strlen(key) + at;
    assert_true(t[i] != '"');
    t[i] = t[i] == 'A' ? 'B' : t[i] == 'a' ? 'b' : t[i] == '0' ? '1' : 'A';
    return t;
}

static void test_prepare__sealed_state_round_trips(void **state)
{
    (void)state;
    emza_prepared *p = prepared_cades("sealed.txt");
    uint8_t sig[EMZA_SIGNATURE_MAX];
    size_t len = 0;
    sign_digest(p, "citizen-rsa", SIG_PKCS1, sig, &len);

    /* through a file, as a server would hand it to the client and take it back */
    const uint8_t *key = key_of(EMZA_PREPARED_KEY_MIN, 1);
    assert_ok(emza_prepared_save_sealed(p, tmp("sealed.state"), key, EMZA_PREPARED_KEY_MIN));
    char *text = read_text(tmp("sealed.state"));
    assert_non_null(strstr(text, "\"mac\": \""));
    free(text);
    emza_prepared *back = NULL;
    assert_ok(emza_prepared_load_sealed(&back, tmp("sealed.state"), key, EMZA_PREPARED_KEY_MIN));
    assert_ok(emza_sign_finalize(back, sig, len, tmp("sealed.p7s")));
    const char *data = tmp("sealed.txt");
    emza_report_free(verify_passed(tmp("sealed.p7s"), &data, 1));
    emza_prepared_free(back);

    /* in memory; the seal does not depend on the layout nor the member order */
    char *j = sealed_json_of(p);
    assert_ok(emza_prepared_from_json_sealed(&back, j, strlen(j), key, EMZA_PREPARED_KEY_MIN));
    emza_prepared_free(back);
    char *moved = replaced(j, "\"emzaPrepared\": 1,\n", "");
    char *end = strrchr(moved, '}');
    assert_non_null(end);
    *end = '\0';
    size_t n = strlen(moved) + 64;
    char *relaid = malloc(n);
    assert_non_null(relaid);
    snprintf(relaid, n, "%s ,\t\"emzaPrepared\" :1 }", moved);
    assert_ok(
        emza_prepared_from_json_sealed(&back, relaid, strlen(relaid), key, EMZA_PREPARED_KEY_MIN));
    size_t dlen = 0;
    assert_int_equal(emza_prepared_digest(back, &dlen)[0], emza_prepared_digest(p, &dlen)[0]);
    emza_prepared_free(back);
    free(relaid);
    free(moved);

    /* the longest key seals too */
    char *jl = NULL;
    assert_ok(emza_prepared_to_json_sealed(&jl, p, key_of(EMZA_PREPARED_KEY_MAX, 3),
                                           EMZA_PREPARED_KEY_MAX));
    assert_ok(emza_prepared_from_json_sealed(&back, jl, strlen(jl), g_key,
                                             EMZA_PREPARED_KEY_MAX));
    emza_prepared_free(back);
    emza_free(jl);
    emza_free(j);
    emza_prepared_free(p);
}

static void test_prepare__altered_sealed_state_is_a_crypto_error(void **state)
{
    (void)state;
    emza_prepared *p = prepared_cades("tamper.txt");
    char *j = sealed_json_of(p);
    char *plain = json_of(p);

    /* 1. An input path: the attack the seal is for. Unsealed, it would be read. */
    const char *path = tmp("tamper.txt");
    char from[600], to[64];
    snprintf(from, sizeof(from), "\"path\": \"%s\"", path);
    snprintf(to, sizeof(to), "\"path\": \"/etc/passwd\"");
    char *t = replaced(plain, from, to);
    emza_prepared *q = NULL;
    assert_ok(emza_prepared_from_json(&q, t, strlen(t)));
    emza_prepared_free(q);
    free(t);
    t = replaced(j, from, to);
    assert_sealed_refused(t, EMZA_ECRYPTO);
    assert_message_has("does not match");
    free(t);

    /* 2. The digest, the certificate, the Id seed, the signing time, the mac itself. */
    static const struct {
        const char *member;
        size_t at;
    } flips[] = {{"digest", 0}, {"certificate", 400}, {"idSeed", 5}, {"signingTime", 3},
                 {"mac", 0},    {"mac", 63}};
    for (size_t i = 0; i < COUNT(flips); i++) {
        t = flipped(j, flips[i].member, flips[i].at);
        assert_sealed_refused(t, EMZA_ECRYPTO);
        free(t);
    }

    /* 3. A member added (at the top, and in the options), one removed. */
    t = replaced(j, "{", "{\"extra\": 1, ");
    assert_sealed_refused(t, EMZA_ECRYPTO);
    free(t);
    t = replaced(j, "\"tsaUrl\": null", "\"tsaUrl\": \"http://tsa.example/\"");
    assert_sealed_refused(t, EMZA_ECRYPTO);
    free(t);
    t = replaced(j, "\"chain\": [", "\"chain\": [\"\", ");
    assert_sealed_refused(t, EMZA_ECRYPTO);
    free(t);

    /* 4. A mac that is not 64 hex digits, or not a string. */
    char *mac = strstr(j, "\"mac\": \"");
    assert_non_null(mac);
    char hex[65];
    memcpy(hex, mac + strlen("\"mac\": \""), 64);
    hex[64] = '\0';
    char bad[80];
    snprintf(bad, sizeof(bad), "\"%.62s\"", hex);
    char quoted[70];
    snprintf(quoted, sizeof(quoted), "\"%s\"", hex);
    t = replaced(j, quoted, bad);
    assert_sealed_refused(t, EMZA_ECRYPTO);
    free(t);
    t = replaced(j, quoted, "null");
    assert_sealed_refused(t, EMZA_ECRYPTO);
    free(t);

    /* 5. Another key of the same length; an unsealed state read with a key. */
    emza_prepared *r = (emza_prepared *)1;
    assert_error(emza_prepared_from_json_sealed(&r, j, strlen(j), key_of(EMZA_PREPARED_KEY_MIN, 2),
                                                EMZA_PREPARED_KEY_MIN),
                 EMZA_ECRYPTO);
    assert_null(r);
    assert_sealed_refused(plain, EMZA_ECRYPTO);
    assert_message_has("not sealed");

    /* 6. A sealed state read without a key, from memory and from a file. */
    assert_state_refused(j, EMZA_ECRYPTO);
    assert_message_has("sealed");
    write_text(tmp("sealed-no-key.state"), j);
    r = (emza_prepared *)1;
    assert_error(emza_prepared_load(&r, tmp("sealed-no-key.state")), EMZA_ECRYPTO);
    assert_null(r);
    assert_error(emza_prepared_load_sealed(&r, tmp("sealed-no-key.state"),
                                           key_of(EMZA_PREPARED_KEY_MIN, 2), EMZA_PREPARED_KEY_MIN),
                 EMZA_ECRYPTO);
    assert_message_has("sealed-no-key.state");

    /* 7. Not a JSON object: a format error, with a key or not. */
    assert_sealed_refused("[1]", EMZA_EFORMAT);
    assert_sealed_refused("{", EMZA_EFORMAT);

    /* the untouched text goes through */
    assert_ok(emza_prepared_from_json_sealed(&r, j, strlen(j), key_of(EMZA_PREPARED_KEY_MIN, 1),
                                             EMZA_PREPARED_KEY_MIN));
    emza_prepared_free(r);
    emza_free(plain);
    emza_free(j);
    emza_prepared_free(p);
}

static void test_prepare__state_key_length_is_enforced(void **state)
{
    (void)state;
    emza_prepared *p = prepared_cades("keys.txt");
    char *j = sealed_json_of(p);
    const size_t lens[] = {0, 1, EMZA_PREPARED_KEY_MIN - 1, EMZA_PREPARED_KEY_MAX + 1};
    const int want[] = {EMZA_EINVAL, EMZA_EINVAL, EMZA_EINVAL, EMZA_ELIMIT};
    const char *path = tmp("keys.state");
    assert_ok(emza_prepared_save_sealed(p, path, key_of(EMZA_PREPARED_KEY_MIN, 1),
                                        EMZA_PREPARED_KEY_MIN));
    for (size_t i = 0; i < COUNT(lens); i++) {
        const uint8_t *key = key_of(lens[i], 1);
        char *out = (char *)1;
        assert_error(emza_prepared_to_json_sealed(&out, p, key, lens[i]), want[i]);
        assert_null(out);
        assert_error(emza_prepared_save_sealed(p, tmp("keys-bad.state"), key, lens[i]), want[i]);
        assert_int_equal(access(tmp("keys-bad.state"), F_OK), -1);
        emza_prepared *q = (emza_prepared *)1;
        assert_error(emza_prepared_from_json_sealed(&q, j, strlen(j), key, lens[i]), want[i]);
        assert_null(q);
        q = (emza_prepared *)1;
        assert_error(emza_prepared_load_sealed(&q, path, key, lens[i]), want[i]);
        assert_null(q);
    }
    /* a NULL key */
    char *out = NULL;
    assert_error(emza_prepared_to_json_sealed(&out, p, NULL, EMZA_PREPARED_KEY_MIN), EMZA_EINVAL);
    emza_prepared *q = NULL;
    assert_error(emza_prepared_from_json_sealed(&q, j, strlen(j), NULL, EMZA_PREPARED_KEY_MIN),
                 EMZA_EINVAL);
    assert_error(emza_prepared_load_sealed(&q, path, NULL, 0), EMZA_EINVAL);
    assert_error(emza_prepared_save_sealed(p, path, NULL, 0), EMZA_EINVAL);
    emza_free(j);
    emza_prepared_free(p);
}

static int setup(void **state)
{
    (void)state;
    return ts_make_root_and_trust("prepare", &g_trust);
}

static int teardown(void **state)
{
    (void)state;
    return ts_remove_root_and_trust(g_trust);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prepare__xades_enveloped_round_trips),
        cmocka_unit_test(test_prepare__xades_detached_round_trips),
        cmocka_unit_test(test_prepare__xades_enveloping_round_trips),
        cmocka_unit_test(test_prepare__cades_detached_round_trips),
        cmocka_unit_test(test_prepare__cades_attached_round_trips),
        cmocka_unit_test(test_prepare__finalize_is_deterministic),
        cmocka_unit_test(test_prepare__save_and_load_keep_everything),
        cmocka_unit_test(test_prepare__signing_time_is_the_prepare_time),
        cmocka_unit_test(test_prepare__truncated_or_malformed_state_is_a_format_error),
        cmocka_unit_test(test_prepare__state_limits_are_enforced),
        cmocka_unit_test(test_prepare__changed_input_is_refused_and_nothing_written),
        cmocka_unit_test(test_prepare__wrong_signature_is_a_crypto_error),
        cmocka_unit_test(test_prepare__altered_state_is_refused_and_nothing_written),
        cmocka_unit_test(test_prepare__refuses_what_cannot_be_prepared),
        cmocka_unit_test(test_prepare__parallel_signature_round_trips),
        cmocka_unit_test(test_prepare__sealed_state_round_trips),
        cmocka_unit_test(test_prepare__altered_sealed_state_is_a_crypto_error),
        cmocka_unit_test(test_prepare__state_key_length_is_enforced),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
