/*
 * The PKCS#11 key source (lib/signer_pkcs11.c, emza_signer_open_pkcs11)
 * against SoftHSM2 tokens made afresh for each run by
 * tests/fixtures/make-token.sh in the run's temporary directory (its own
 * SOFTHSM2_CONF; the system's token directory is never touched). What the
 * token signs is checked by independent peers — `openssl cms -verify` for
 * CAdES, `xmlsec1 --verify` for XAdES (Debian's xmlsec1 1.2.37 has no
 * RSA-PSS, so PSS XAdES is checked by emza_verify_file only) — and by
 * emza_verify_file.
 */
#define _GNU_SOURCE /* dladdr */
#include "support.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include <emza/sign.h>
#include <emza/trust.h>
#include <emza/verify.h>

#include "signer_pkcs11_internal.h"

#include <p11-kit/pkcs11.h>

static const char *g_module;  /* libsofthsm2.so */
static emza_trust *g_trust;   /* trust/root.pem */

/* ------------------------------------------------------------------------ */
/* PIN callback                                                              */
/* ------------------------------------------------------------------------ */

typedef struct pin_ctx {
    const char *pin;      /* what to answer */
    int rc;               /* what to return */
    size_t len_override;  /* non-zero: claim this length */
    int calls;            /* every call */
    int signature_calls;  /* calls with for_signature */
    char label[40];       /* the token label of the last call */
    char *buf;            /* the last buffer given (lives in the signer) */
    size_t size;
} pin_ctx;

static int pin_cb(void *vctx, const char *token_label, int for_signature, char *buf, size_t size,
                  size_t *len)
{
    pin_ctx *c = vctx;
    c->calls++;
    c->signature_calls += for_signature != 0;
    snprintf(c->label, sizeof(c->label), "%s", token_label);
    c->buf = buf;
    c->size = size;
    if (c->rc != 0)
        return c->rc;
    size_t n = strlen(c->pin);
    assert_true(n <= size);
    memcpy(buf, c->pin, n);
    *len = c->len_override ? c->len_override : n;
    return 0;
}

static emza_pkcs11_options p11_options(const char *token, const char *key_label, const char *key_id,
                                       pin_ctx *ctx)
{
    emza_pkcs11_options o;
    assert_ok(emza_pkcs11_options_init(&o, EMZA_PKCS11_OPTIONS_VERSION));
    o.module_path = g_module;
    o.token_label = token;
    o.key_label = key_label;
    o.key_id_hex = key_id;
    o.pin = pin_cb;
    o.pin_ctx = ctx;
    return o;
}

/* Opens `key_label` on the "citizen" token with the right PIN; fails the test on error. */
static emza_signer *open_citizen(const char *key_label, pin_ctx *ctx)
{
    emza_pkcs11_options o = p11_options("citizen", key_label, NULL, ctx);
    emza_signer *s = NULL;
    assert_ok(emza_signer_open_pkcs11(&s, &o));
    assert_non_null(s);
    return s;
}

static void assert_all_zero(const char *buf, size_t size)
{
    for (size_t i = 0; i < size; i++)
        if (buf[i] != 0)
            fail_msg("the PIN buffer is not wiped at byte %zu", i);
}

/* ------------------------------------------------------------------------ */
/* signing and checking                                                      */
/* ------------------------------------------------------------------------ */

static int sign_file(const emza_signer *s, emza_format format, int rsa_pss, const char *digest,
                     const char *input, const char *out)
{
    emza_sign_options o;
    assert_ok(emza_sign_options_init(&o, EMZA_SIGN_OPTIONS_VERSION));
    o.format = format;
    o.rsa_pss = rsa_pss;
    o.digest = digest;
    const char *inputs[] = {input};
    return emza_sign(s, &o, inputs, 1, out);
}

/* emza_verify_file says TOTAL_PASSED for the one signature in `path`. */
static void check_emza_passes(const char *path, const char *data)
{
    emza_verify_options o;
    assert_ok(emza_verify_options_init(&o, EMZA_VERIFY_OPTIONS_VERSION));
    o.trust = g_trust;
    o.offline = 1;
    const char *paths[] = {data};
    if (data != NULL) {
        o.data_paths = paths;
        o.data_count = 1;
    }
    emza_report *r = NULL;
    assert_ok(emza_verify_file(&r, path, &o));
    assert_int_equal(emza_report_signature_count(r), 1);
    check_verdict(emza_report_signature(r, 0), EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    emza_report_free(r);
}

static int run_quiet(const char *cmd)
{
    char full[4096];
    snprintf(full, sizeof(full), "%s >'%s' 2>&1", cmd, in(g_root, "peer.log"));
    int rc = system(full);
    if (rc != 0) {
        char *log = read_text(in(g_root, "peer.log"));
        print_message("%s\n%s\n", cmd, log ? log : "");
        free(log);
    }
    return rc;
}

static void check_openssl_cms_passes(const char *p7s, const char *data)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "openssl cms -verify -binary -inform DER -in '%s' -content '%s' -CAfile '%s' "
             "-out /dev/null",
             p7s, data, pki("trust/root.pem"));
    if (run_quiet(cmd) != 0)
        fail_msg("openssl cms -verify refused %s", p7s);
}

static void check_xmlsec1_passes(const char *xml)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), "xmlsec1 --verify --trusted-pem '%s' --id-attr:Id SignedProperties '%s'",
             pki("trust/root.pem"), xml);
    if (run_quiet(cmd) != 0)
        fail_msg("xmlsec1 --verify refused %s", xml);
}

/* ------------------------------------------------------------------------ */
/* set-up                                                                    */
/* ------------------------------------------------------------------------ */

static int group_setup(void **state)
{
    (void)state;
    g_module = getenv("EMZA_SOFTHSM_MODULE");
    const char *script = getenv("EMZA_MAKE_TOKEN"), *tool = getenv("EMZA_P11_TOKEN");
    if (g_module == NULL || g_module[0] == '\0' || script == NULL || tool == NULL) {
        fprintf(stderr, "pkcs11_test: SoftHSM2 (libsofthsm2.so) or the token fixtures are "
                        "missing: install softhsm2 (scripts/lib/common.sh does)\n");
        return -1;
    }
    if (ts_make_root("pkcs11") != 0)
        return -1;
    const char *dir = test_dir("token");
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "'%s' '%s' '%s' '%s' '%s'", script, dir, getenv("EMZA_PKI_DIR"),
             tool, g_module);
    if (system(cmd) != 0) {
        fprintf(stderr, "pkcs11_test: make-token.sh failed\n");
        return -1;
    }
    setenv("SOFTHSM2_CONF", in(dir, "softhsm2.conf"), 1);
    const char *paths[] = {pki("trust/root.pem")};
    if (emza_trust_load(&g_trust, paths, 1) != EMZA_OK)
        return -1;
    write_text(in(g_root, "deed.xml"),
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<deed xmlns=\"urn:emza:test:deed\"><party>علی رضایی</party>"
               "<amount currency=\"IRR\">1000000000</amount></deed>\n");
    write_text(in(g_root, "note.txt"), "signed on a smart card\n");
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return ts_remove_root_and_trust(g_trust);
}

/* ------------------------------------------------------------------------ */
/* options                                                                   */
/* ------------------------------------------------------------------------ */

static void test_pkcs11__options_init_versions_and_null_arguments(void **state)
{
    (void)state;
    emza_pkcs11_options o = EMZA_PKCS11_OPTIONS_INIT, d;
    assert_ok(emza_pkcs11_options_init(&d, EMZA_PKCS11_OPTIONS_VERSION));
    assert_int_equal(d.version, EMZA_PKCS11_OPTIONS_VERSION);
    assert_memory_equal(&o, &d, sizeof(o));
    assert_null(d.module_path);
    assert_null(d.pin);
    assert_error(emza_pkcs11_options_init(&d, 99), EMZA_EVERSION);
    assert_error(emza_pkcs11_options_init(NULL, EMZA_PKCS11_OPTIONS_VERSION), EMZA_EINVAL);

    emza_signer *s = (emza_signer *)(uintptr_t)1;
    assert_error(emza_signer_open_pkcs11(&s, NULL), EMZA_EINVAL);
    assert_null(s);
    assert_error(emza_signer_open_pkcs11(NULL, &o), EMZA_EINVAL);
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EINVAL); /* no module */
    o.module_path = g_module;
    o.version = 2;
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EVERSION);
    assert_null(s);
}

/* ------------------------------------------------------------------------ */
/* opening                                                                   */
/* ------------------------------------------------------------------------ */

static void test_pkcs11__opens_the_key_its_certificate_and_the_token_chain(void **state)
{
    (void)state;
    pin_ctx ctx = {"123456", 0, 0, 0, 0, "", NULL, 0};
    emza_signer *s = open_citizen("citizen-rsa", &ctx);
    emza_cert *want = ts_load_cert("citizen-rsa");
    assert_string_equal(emza_cert_sha256_hex(emza_signer_cert(s)), emza_cert_sha256_hex(want));
    /* The CA certificates on the token: the citizen CA and the root, not the other leaves. */
    const emza_cert_list *chain = emza_signer_chain(s);
    assert_int_equal(emza_cert_list_count(chain), 2);
    for (size_t i = 0; i < 2; i++)
        assert_true(emza_cert_is_ca(emza_cert_list_get(chain, i)));
    assert_int_equal(ctx.calls, 1);
    assert_int_equal(ctx.signature_calls, 0);
    assert_string_equal(ctx.label, "citizen");
    /* The buffer the PIN went through lives in the signer and is wiped already. */
    assert_non_null(ctx.buf);
    assert_int_equal(ctx.size, EMZA_PKCS11_PIN_MAX);
    assert_all_zero(ctx.buf, ctx.size);
    emza_signer_free(s);
    emza_cert_free(want);

    /* By CKA_ID alone, by label and id, with a chain file instead of the token's CAs. */
    emza_pkcs11_options o = p11_options("citizen", NULL, "02", &ctx);
    assert_ok(emza_signer_open_pkcs11(&s, &o));
    want = ts_load_cert("citizen-ec");
    assert_string_equal(emza_cert_sha256_hex(emza_signer_cert(s)), emza_cert_sha256_hex(want));
    emza_signer_free(s);
    o = p11_options("citizen", "duplicate", "04", &ctx);
    o.chain_path = pki("citizen-auth.chain.pem");
    assert_ok(emza_signer_open_pkcs11(&s, &o));
    emza_cert_free(want);
    want = ts_load_cert("citizen-auth");
    assert_string_equal(emza_cert_sha256_hex(emza_signer_cert(s)), emza_cert_sha256_hex(want));
    assert_int_equal(emza_cert_list_count(emza_signer_chain(s)), 1);
    emza_signer_free(s);
    emza_cert_free(want);

    /* Another token, where the only key needs no label or id. */
    o = p11_options("spare", NULL, NULL, &ctx);
    ctx.pin = "654321";
    assert_ok(emza_signer_open_pkcs11(&s, &o)); /* the only key on it */
    emza_signer_free(s);
}

/* ------------------------------------------------------------------------ */
/* signing, checked by independent peers                                     */
/* ------------------------------------------------------------------------ */

typedef struct algo_case {
    const char *key;
    int rsa_pss;
    const char *digest;
} algo_case;

static const algo_case algo_cases[] = {
    {"citizen-rsa", 0, "sha256"}, {"citizen-rsa", 0, "sha512"}, {"citizen-rsa", 1, "sha256"},
    {"citizen-rsa", 1, "sha384"}, {"citizen-ec", 0, "sha256"},  {"citizen-ec", 0, "sha384"},
};

static void test_pkcs11__cades_signed_on_the_token_verify_with_openssl_and_emza(void **state)
{
    (void)state;
    pin_ctx ctx = {"123456", 0, 0, 0, 0, "", NULL, 0};
    const char *data = in(g_root, "note.txt");
    for (size_t i = 0; i < COUNT(algo_cases); i++) {
        const algo_case *c = &algo_cases[i];
        emza_signer *s = open_citizen(c->key, &ctx);
        char name[64];
        snprintf(name, sizeof(name), "%s-%d-%s.p7s", c->key, c->rsa_pss, c->digest);
        const char *out = in(g_root, name);
        assert_ok(sign_file(s, EMZA_FORMAT_CADES_DETACHED, c->rsa_pss, c->digest, data, out));
        emza_signer_free(s);
        check_openssl_cms_passes(out, data);
        check_emza_passes(out, data);
    }
}

static void test_pkcs11__xades_signed_on_the_token_verify_with_xmlsec1_and_emza(void **state)
{
    (void)state;
    pin_ctx ctx = {"123456", 0, 0, 0, 0, "", NULL, 0};
    const char *doc = in(g_root, "deed.xml");
    for (size_t i = 0; i < COUNT(algo_cases); i++) {
        const algo_case *c = &algo_cases[i];
        emza_signer *s = open_citizen(c->key, &ctx);
        char name[64];
        snprintf(name, sizeof(name), "%s-%d-%s.xml", c->key, c->rsa_pss, c->digest);
        const char *out = in(g_root, name);
        assert_ok(sign_file(s, EMZA_FORMAT_XADES_ENVELOPED, c->rsa_pss, c->digest, doc, out));
        emza_signer_free(s);
        if (!c->rsa_pss) /* xmlsec1 1.2.37 has no RSA-PSS */
            check_xmlsec1_passes(out);
        check_emza_passes(out, NULL);
    }
}

/* ------------------------------------------------------------------------ */
/* the PIN                                                                   */
/* ------------------------------------------------------------------------ */

static void test_pkcs11__wrong_pin_is_epin_and_the_buffer_is_wiped(void **state)
{
    (void)state;
    pin_ctx ctx = {"999999", 0, 0, 0, 0, "", NULL, 0};
    emza_pkcs11_options o = p11_options("citizen", "citizen-rsa", NULL, &ctx);
    emza_signer *s = (emza_signer *)(uintptr_t)1;
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EPIN);
    assert_null(s);
    assert_message_has("CKR_PIN_INCORRECT");
    assert_message_has("citizen");
    assert_null(strstr(emza_error_last()->message, "999999")); /* the PIN is never told */
    assert_int_equal(ctx.calls, 1);

    /*
     * Longer than the token takes: EMZA_EPIN too (SoftHSM2 answers
     * CKR_PIN_INCORRECT; CKR_PIN_LEN_RANGE is checked on the mapping below).
     */
    char long_pin[EMZA_PKCS11_PIN_MAX + 1];
    memset(long_pin, '7', EMZA_PKCS11_PIN_MAX);
    long_pin[EMZA_PKCS11_PIN_MAX] = '\0';
    ctx.pin = long_pin;
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EPIN);

    /* A callback that claims more than the buffer holds; one that declines; one that misbehaves. */
    ctx.pin = "123456";
    ctx.len_override = EMZA_PKCS11_PIN_MAX + 1;
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_ELIMIT);
    ctx.len_override = 0;
    ctx.rc = EMZA_ECANCELED;
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_ECANCELED);
    ctx.rc = 3;
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EINVAL);
    ctx.rc = 0;
    /* No callback for a token that needs a PIN. */
    o.pin = NULL;
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EINVAL);
    assert_message_has("needs a PIN");
    assert_null(s);

    /* The right PIN still works: the wrong ones did not lock the token. */
    o.pin = pin_cb;
    assert_ok(emza_signer_open_pkcs11(&s, &o));
    assert_all_zero(ctx.buf, ctx.size);
    emza_signer_free(s);
}

static void test_pkcs11__locked_pin_is_epin_locked(void **state)
{
    (void)state;
    /*
     * SoftHSM2 counts wrong user PINs but never locks (found out: 20 wrong
     * PINs in a row still answer CKR_PIN_INCORRECT). The test module
     * p11_lockshim stands in front of it as a card with 3 tries does, and
     * answers CKR_PIN_LOCKED from C_Login once they are used up.
     */
    const char *shim = getenv("EMZA_LOCKSHIM");
    assert_non_null(shim);
    setenv("EMZA_SHIM_MODULE", g_module, 1);
    setenv("EMZA_SHIM_STATE", in(g_root, "shim-state"), 1);
    pin_ctx ctx = {"000000", 0, 0, 0, 0, "", NULL, 0};
    emza_pkcs11_options o = p11_options("lockme", NULL, NULL, &ctx);
    o.module_path = shim;
    emza_signer *s = NULL;
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EPIN);
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EPIN);
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EPIN_LOCKED);
    assert_message_has("CKR_PIN_LOCKED");
    assert_message_has("lockme");
    /* Locked: the right PIN is refused too. */
    ctx.pin = "111111";
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EPIN_LOCKED);
    assert_null(s);
    /* SoftHSM2 alone, on the same token, still takes the right PIN. */
    o.module_path = g_module;
    assert_ok(emza_signer_open_pkcs11(&s, &o));
    emza_signer_free(s);
}

static void test_pkcs11__attribute_longer_than_its_buffer_is_refused(void **state)
{
    (void)state;
    /* A faulty module claims more bytes of a certificate than the buffer it was given. */
    const char *shim = getenv("EMZA_LOCKSHIM");
    assert_non_null(shim);
    setenv("EMZA_SHIM_MODULE", g_module, 1);
    setenv("EMZA_SHIM_STATE", in(g_root, "shim-state-long-value"), 1);
    setenv("EMZA_SHIM_LONG_VALUE", "1", 1);
    pin_ctx ctx = {"123456", 0, 0, 0, 0, "", NULL, 0};
    emza_pkcs11_options o = p11_options("citizen", "citizen-ec", NULL, &ctx);
    o.module_path = shim;
    emza_signer *s = NULL;
    int rc = emza_signer_open_pkcs11(&s, &o);
    unsetenv("EMZA_SHIM_LONG_VALUE");
    assert_error(rc, EMZA_ECRYPTO);
    assert_message_has("longer than the buffer");
    assert_null(s);
}

static void test_pkcs11__ckr_values_map_to_codes_and_words(void **state)
{
    (void)state;
    /* Values a software token cannot be made to return are checked on the mapping itself. */
    assert_int_equal(emza__pkcs11_code(CKR_OK, EMZA_ECRYPTO), EMZA_OK);
    assert_int_equal(emza__pkcs11_code(CKR_PIN_INCORRECT, EMZA_ECRYPTO), EMZA_EPIN);
    assert_int_equal(emza__pkcs11_code(CKR_PIN_LEN_RANGE, EMZA_ECRYPTO), EMZA_EPIN);
    assert_int_equal(emza__pkcs11_code(CKR_PIN_EXPIRED, EMZA_ECRYPTO), EMZA_EPIN);
    assert_int_equal(emza__pkcs11_code(CKR_PIN_LOCKED, EMZA_ECRYPTO), EMZA_EPIN_LOCKED);
    assert_int_equal(emza__pkcs11_code(CKR_TOKEN_NOT_PRESENT, EMZA_ECRYPTO), EMZA_ENOTFOUND);
    assert_int_equal(emza__pkcs11_code(CKR_DEVICE_REMOVED, EMZA_ECRYPTO), EMZA_ENOTFOUND);
    assert_int_equal(emza__pkcs11_code(CKR_FUNCTION_CANCELED, EMZA_ECRYPTO), EMZA_ECANCELED);
    assert_int_equal(emza__pkcs11_code(CKR_MECHANISM_INVALID, EMZA_ECRYPTO), EMZA_EUNSUPPORTED);
    assert_int_equal(emza__pkcs11_code(CKR_DEVICE_ERROR, EMZA_ECRYPTO), EMZA_ECRYPTO);
    assert_int_equal(emza__pkcs11_code(CKR_DEVICE_ERROR, EMZA_EIO), EMZA_EIO);
    char words[160];
    emza__pkcs11_describe(CKR_PIN_LOCKED, words, sizeof(words));
    assert_string_equal(words, "CKR_PIN_LOCKED: the PIN is locked; unblock it with the PUK");
    emza__pkcs11_describe(CKR_VENDOR_DEFINED + 5, words, sizeof(words));
    assert_non_null(strstr(words, "vendor"));
    emza__pkcs11_describe(0x7777, words, sizeof(words));
    assert_non_null(strstr(words, "0x7777"));
    emza__pkcs11_describe(CKR_PIN_INCORRECT, words, 10); /* cut, still terminated */
    assert_int_equal(strlen(words), 9);
}

static void test_pkcs11__always_authenticate_key_asks_the_pin_for_every_signature(void **state)
{
    (void)state;
    pin_ctx ctx = {"123456", 0, 0, 0, 0, "", NULL, 0};
    emza_signer *s = open_citizen("always", &ctx);
    assert_int_equal(ctx.calls, 1);
    assert_int_equal(ctx.signature_calls, 0);
    const char *data = in(g_root, "note.txt");
    const char *out1 = in(g_root, "always-1.p7s"), *out2 = in(g_root, "always-2.p7s");
    assert_ok(sign_file(s, EMZA_FORMAT_CADES_DETACHED, 0, NULL, data, out1));
    assert_int_equal(ctx.signature_calls, 1);
    assert_all_zero(ctx.buf, ctx.size);
    /* A wrong PIN for the signature: EMZA_EPIN, nothing written, and the session signs again. */
    ctx.pin = "999999";
    assert_error(sign_file(s, EMZA_FORMAT_CADES_DETACHED, 1, NULL, data, out2), EMZA_EPIN);
    assert_false(file_exists(out2));
    assert_int_equal(ctx.signature_calls, 2);
    ctx.pin = "123456";
    assert_ok(sign_file(s, EMZA_FORMAT_CADES_DETACHED, 1, NULL, data, out2));
    assert_int_equal(ctx.signature_calls, 3);
    emza_signer_free(s);
    check_openssl_cms_passes(out1, data);
    check_openssl_cms_passes(out2, data);
    check_emza_passes(out2, data);
}

/* ------------------------------------------------------------------------ */
/* what is not there                                                         */
/* ------------------------------------------------------------------------ */

static void test_pkcs11__missing_and_ambiguous_tokens_and_keys_have_exact_codes(void **state)
{
    (void)state;
    pin_ctx ctx = {"123456", 0, 0, 0, 0, "", NULL, 0};
    emza_signer *s = NULL;
    emza_pkcs11_options o = p11_options("no-such-token", "citizen-rsa", NULL, &ctx);
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_ENOTFOUND);
    assert_message_has("no-such-token");
    assert_message_has("'citizen'"); /* the tokens that are there */
    o = p11_options(NULL, "citizen-rsa", NULL, &ctx);
    o.has_slot_id = 1;
    o.slot_id = 999999;
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_ENOTFOUND);
    assert_message_has("slot 999999");
    /* Three tokens and none named. */
    o = p11_options(NULL, "citizen-rsa", NULL, &ctx);
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EINVAL);
    assert_message_has("4 tokens");

    o = p11_options("citizen", "no-such-key", NULL, &ctx);
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_ENOTFOUND);
    assert_message_has("no private key labelled 'no-such-key'");
    o = p11_options("citizen", "citizen-rsa", "02", &ctx); /* the label and the id of two keys */
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_ENOTFOUND);
    o = p11_options("citizen", "duplicate", NULL, &ctx);
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EINVAL);
    assert_message_has("2 private keys");
    o = p11_options("citizen", NULL, NULL, &ctx); /* neither label nor id: many keys */
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EINVAL);
    o = p11_options("citizen", "no-cert", NULL, &ctx);
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_ENOTFOUND);
    assert_message_has("no certificate with id 06");
    /* Certificates that belong to other keys. */
    o = p11_options("citizen", "wrong-cert-ec", NULL, &ctx);
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EFORMAT);
    assert_message_has("does not match");
    o = p11_options("citizen", "wrong-cert-rsa", NULL, &ctx);
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EFORMAT);
    /* A chain file that is not there. */
    o = p11_options("citizen", "citizen-ec", NULL, &ctx);
    o.chain_path = in(g_root, "no-such-chain.pem");
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EIO);
    assert_null(s);
}

static void test_pkcs11__labels_and_ids_past_the_limits_are_refused(void **state)
{
    (void)state;
    pin_ctx ctx = {"123456", 0, 0, 0, 0, "", NULL, 0};
    emza_signer *s = NULL;
    char label[EMZA_PKCS11_LABEL_MAX + 2];
    memset(label, 'k', sizeof(label) - 1);
    label[sizeof(label) - 1] = '\0';
    emza_pkcs11_options o = p11_options("citizen", label, NULL, &ctx);
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_ELIMIT);
    label[EMZA_PKCS11_LABEL_MAX] = '\0'; /* at the limit: looked for, not there */
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_ENOTFOUND);
    char id[2 * EMZA_PKCS11_ID_MAX + 3];
    memset(id, 'a', sizeof(id) - 1);
    id[sizeof(id) - 1] = '\0';
    o = p11_options("citizen", NULL, id, &ctx);
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_ELIMIT);
    id[2 * EMZA_PKCS11_ID_MAX] = '\0';
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_ENOTFOUND);
    o.key_id_hex = "0g";
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EINVAL);
    o.key_id_hex = "012";
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EINVAL);
    o.key_id_hex = "";
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EINVAL);
    o = p11_options("a-token-label-longer-than-32-bytes", NULL, NULL, &ctx);
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_ELIMIT);
    assert_null(s);

    /* A certificate past EMZA_PKCS11_CERT_MAX is not read. */
    o = p11_options("citizen", "big-cert", NULL, &ctx);
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_ELIMIT);
    assert_message_has("70000 bytes");
    /* A token with more objects than EMZA_PKCS11_OBJECTS_MAX to list for the chain. */
    ctx.pin = "222222";
    o = p11_options("crowded", "citizen-ec", NULL, &ctx);
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_ELIMIT);
    assert_message_has("more than 256 certificates");
    /* With a chain file the token's CAs are not listed: the key opens. */
    o.chain_path = pki("citizen-ec.chain.pem");
    assert_ok(emza_signer_open_pkcs11(&s, &o));
    emza_signer_free(s);
}

static void test_pkcs11__modules_that_cannot_be_loaded_are_eio(void **state)
{
    (void)state;
    pin_ctx ctx = {"123456", 0, 0, 0, 0, "", NULL, 0};
    emza_signer *s = NULL;
    emza_pkcs11_options o = p11_options("citizen", "citizen-rsa", NULL, &ctx);
    o.module_path = in(g_root, "no-such-module.so");
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EIO);
    assert_message_has("no-such-module.so");
    o.module_path = "no-such-module-in-the-library-path.so"; /* a bare name: dlopen searches */
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EIO);
    assert_message_has("cannot be loaded");
    o.module_path = pki("citizen-rsa.cert.pem"); /* not a shared object */
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EIO);
    /* A shared object that is not a PKCS#11 module: libcrypto itself. */
    Dl_info info;
    assert_true(dladdr((void *)(uintptr_t)EVP_sha256, &info) != 0);
    assert_non_null(info.dli_fname);
    o.module_path = info.dli_fname;
    assert_error(emza_signer_open_pkcs11(&s, &o), EMZA_EIO);
    assert_message_has("C_GetFunctionList");
    assert_null(s);
    assert_int_equal(ctx.calls, 0);
}

/* ------------------------------------------------------------------------ */
/* several signers                                                           */
/* ------------------------------------------------------------------------ */

static void test_pkcs11__two_signers_on_one_module_sign_and_close_in_any_order(void **state)
{
    (void)state;
    pin_ctx ctx = {"123456", 0, 0, 0, 0, "", NULL, 0};
    pin_ctx spare = {"654321", 0, 0, 0, 0, "", NULL, 0};
    const char *data = in(g_root, "note.txt");
    emza_signer *rsa = open_citizen("citizen-rsa", &ctx);
    assert_int_equal(ctx.calls, 1);
    /* The process is logged in to "citizen" already: no second PIN. */
    emza_signer *ec = open_citizen("citizen-ec", &ctx);
    assert_int_equal(ctx.calls, 1);
    emza_pkcs11_options o = p11_options("spare", NULL, NULL, &spare);
    o.chain_path = pki("citizen-ec.chain.pem"); /* "spare" holds no CA certificates */
    emza_signer *other = NULL;
    assert_ok(emza_signer_open_pkcs11(&other, &o));
    assert_int_equal(spare.calls, 1);

    assert_ok(sign_file(rsa, EMZA_FORMAT_CADES_DETACHED, 0, NULL, data, in(g_root, "two-1.p7s")));
    assert_ok(sign_file(ec, EMZA_FORMAT_CADES_DETACHED, 0, NULL, data, in(g_root, "two-2.p7s")));
    emza_signer_free(rsa); /* the module stays: others use it */
    assert_ok(sign_file(ec, EMZA_FORMAT_CADES_DETACHED, 0, NULL, data, in(g_root, "two-3.p7s")));
    assert_ok(sign_file(other, EMZA_FORMAT_CADES_DETACHED, 0, NULL, data, in(g_root, "two-4.p7s")));
    emza_signer_free(other);
    assert_ok(sign_file(ec, EMZA_FORMAT_CADES_DETACHED, 0, NULL, data, in(g_root, "two-5.p7s")));
    emza_signer_free(ec); /* the last one: C_Finalize */
    for (int i = 1; i <= 5; i++) {
        char name[32];
        snprintf(name, sizeof(name), "two-%d.p7s", i);
        check_openssl_cms_passes(in(g_root, name), data);
    }
    /* Loaded again afresh, and logged in afresh. */
    ctx.calls = 0;
    emza_signer *again = open_citizen("citizen-ec", &ctx);
    assert_int_equal(ctx.calls, 1);
    emza_signer_free(again);
}

/*
 * One shared object loaded under two names (a path, and the bare name dlopen finds it by once
 * it is loaded, its SONAME) is one module: freeing the signers of one name must not
 * C_Finalize it under the signers of the other.
 */
static void test_pkcs11__one_module_under_two_names_is_not_finalized_under_a_signer(void **state)
{
    (void)state;
    pin_ctx ctx = {"123456", 0, 0, 0, 0, "", NULL, 0};
    const char *data = in(g_root, "note.txt");
    emza_signer *by_path = open_citizen("citizen-rsa", &ctx);
    const char *slash = strrchr(g_module, '/');
    emza_pkcs11_options o = p11_options("citizen", "citizen-ec", NULL, &ctx);
    o.module_path = slash != NULL ? slash + 1 : g_module; /* "libsofthsm2.so" */
    emza_signer *by_name = NULL;
    assert_ok(emza_signer_open_pkcs11(&by_name, &o));
    emza_signer_free(by_path); /* the other name still has a signer: no C_Finalize */
    assert_ok(sign_file(by_name, EMZA_FORMAT_CADES_DETACHED, 0, NULL, data,
                        in(g_root, "two-names.p7s")));
    emza_signer_free(by_name);
    check_openssl_cms_passes(in(g_root, "two-names.p7s"), data);
}

typedef struct thread_arg {
    const char *key;
    int failures;
} thread_arg;

static void *open_sign_free(void *varg)
{
    thread_arg *a = varg;
    pin_ctx ctx = {"123456", 0, 0, 0, 0, "", NULL, 0};
    for (int i = 0; i < 5; i++) {
        emza_pkcs11_options o = p11_options("citizen", a->key, NULL, &ctx);
        emza_signer *s = NULL;
        char out[600];
        snprintf(out, sizeof(out), "%s/thread-%s-%d.p7s", g_root, a->key, i);
        if (emza_signer_open_pkcs11(&s, &o) != EMZA_OK ||
            sign_file(s, EMZA_FORMAT_CADES_DETACHED, 0, NULL, in(g_root, "note.txt"), out) !=
                EMZA_OK)
            a->failures++;
        emza_signer_free(s);
    }
    return NULL;
}

static void test_pkcs11__signers_open_sign_and_close_on_several_threads(void **state)
{
    (void)state;
    thread_arg args[2] = {{"citizen-rsa", 0}, {"citizen-ec", 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, open_sign_free, &args[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_int_equal(args[0].failures, 0);
    assert_int_equal(args[1].failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pkcs11__options_init_versions_and_null_arguments),
        cmocka_unit_test(test_pkcs11__opens_the_key_its_certificate_and_the_token_chain),
        cmocka_unit_test(test_pkcs11__cades_signed_on_the_token_verify_with_openssl_and_emza),
        cmocka_unit_test(test_pkcs11__xades_signed_on_the_token_verify_with_xmlsec1_and_emza),
        cmocka_unit_test(test_pkcs11__wrong_pin_is_epin_and_the_buffer_is_wiped),
        cmocka_unit_test(test_pkcs11__locked_pin_is_epin_locked),
        cmocka_unit_test(test_pkcs11__attribute_longer_than_its_buffer_is_refused),
        cmocka_unit_test(test_pkcs11__ckr_values_map_to_codes_and_words),
        cmocka_unit_test(test_pkcs11__always_authenticate_key_asks_the_pin_for_every_signature),
        cmocka_unit_test(test_pkcs11__missing_and_ambiguous_tokens_and_keys_have_exact_codes),
        cmocka_unit_test(test_pkcs11__labels_and_ids_past_the_limits_are_refused),
        cmocka_unit_test(test_pkcs11__modules_that_cannot_be_loaded_are_eio),
        cmocka_unit_test(test_pkcs11__two_signers_on_one_module_sign_and_close_in_any_order),
        cmocka_unit_test(test_pkcs11__one_module_under_two_names_is_not_finalized_under_a_signer),
        cmocka_unit_test(test_pkcs11__signers_open_sign_and_close_on_several_threads),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
