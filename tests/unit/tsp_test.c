/*
 * Tests of RFC 3161 timestamps (lib/tsp.c) and CAdES level T (signing and
 * verification through include/emza/sign.h and verify.h).
 *
 * Fixtures: the test PKI of tests/fixtures/make-pki.sh (EMZA_PKI_DIR;
 * trust/root.pem is the only anchor) and the test TSA tests/fixtures/test_tsa
 * (EMZA_TEST_TSA, else `test_tsa` beside the PKI directory in the build tree),
 * which the tests start on free loopback ports and stop again. At set-up the
 * helper also issues two more TSA certificates for the fixture TSA's key:
 * "Emza Test TSA 2019" (citizen-ca, valid since 2019-06-01, so a TSA whose
 * clock says 2020 was certified then) and "Emza Untrusted TSA" (under the
 * untrusted hierarchy). Tokens with faults no TSA makes (no signing-certificate
 * attribute, one naming another certificate, a broken signature) are built
 * here with OpenSSL's TS and CMS APIs, and some responses come from an
 * in-process TSA behind the transport callback.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/pem.h> /* before cms.h */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include <emza/cert.h>
#include <emza/datetime.h>
#include <emza/error.h>
#include <emza/indication.h>
#include <emza/policy.h>
#include <emza/report.h>
#include <emza/sign.h>
#include <emza/signer.h>
#include <emza/trust.h>
#include <emza/verify.h>

#include "cades_internal.h"
#include "cert_internal.h"
#include <emza/extend.h>
#include "http.h"
#include "tsp.h"
#include "util/buf.h"
#include "support.h"

/* ------------------------------------------------------------------------ */
/* helpers                                                                   */
/* ------------------------------------------------------------------------ */

/* 2019-06-01T00:00:00Z, 2020-06-01T00:00:00Z, five minutes later, 2020-12-01T00:00:00Z. */
#define T_2019_06_01 INT64_C(1559347200)
#define T_2020_06_01 INT64_C(1590969600)
#define T_2020_06_01_0005 INT64_C(1590969900)
#define T_2020_12_01 INT64_C(1606780800)
#define FOUR_YEARS (INT64_C(4) * 365 * 86400)

#define TSA_POLICY "2.16.364.101.1.9"

static emza_trust *g_trust; /* trust/root.pem */
static int64_t g_now;
static char g_tsa_cert[4096];     /* the fixture TSA's certificate (PEM path, stable) */
static char g_tsa_2019[600];      /* "Emza Test TSA 2019" certificate (PEM) */
static char g_tsa_untrusted[600]; /* "Emza Untrusted TSA" certificate (PEM) */
static pid_t g_servers[16];       /* test TSAs running */

static const char *helper(void)
{
    static char path[4096];
    const char *env = getenv("EMZA_TEST_TSA");
    if (env != NULL && env[0] != '\0')
        return env;
    /* The build tree keeps the PKI in tests/pki and the helper in tests/. */
    const char *dir = getenv("EMZA_PKI_DIR");
    if (dir == NULL)
        fail_msg("EMZA_PKI_DIR is not set: run the tests through meson");
    int n = snprintf(path, sizeof(path), "%s/../test_tsa", dir);
    assert_true(n > 0 && (size_t)n < sizeof(path));
    if (access(path, X_OK) != 0)
        fail_msg("the test TSA %s is not there: set EMZA_TEST_TSA", path);
    return path;
}

/* Runs argv[0] with argv and waits; fails the test unless it exits 0. */
static void run(char *const argv[])
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("%s %s failed (status %d)", argv[0], argv[1], status);
}

/* --- the test TSA --- */

typedef struct tsa_server {
    pid_t pid;
    char url[64];
} tsa_server;

typedef struct tsa_setup {
    const char *cert;  /* PEM path; default the fixture TSA */
    const char *chain; /* default tsa.chain.pem */
    const char *mode;  /* default "ok" */
    int64_t time;      /* fixed genTime, 0: the real clock */
    const char *delay;
    const char *accept_policy;
    int ess_v1;
} tsa_setup;

static void tsa_start(tsa_server *s, const tsa_setup *setup)
{
    char when[32], cert[4096], chain[4096];
    snprintf(cert, sizeof(cert), "%s", setup->cert ? setup->cert : pki("tsa.cert.pem"));
    snprintf(chain, sizeof(chain), "%s", setup->chain ? setup->chain : pki("tsa.chain.pem"));
    snprintf(when, sizeof(when), "%lld", (long long)setup->time);
    const char *argv[24];
    size_t n = 0;
    argv[n++] = helper();
    argv[n++] = "serve";
    argv[n++] = "--cert";
    argv[n++] = cert;
    argv[n++] = "--key";
    argv[n++] = pki("tsa.key.pem");
    argv[n++] = "--chain";
    argv[n++] = chain;
    argv[n++] = "--mode";
    argv[n++] = setup->mode ? setup->mode : "ok";
    argv[n++] = "--lifetime";
    argv[n++] = "300";
    if (setup->time) {
        argv[n++] = "--time";
        argv[n++] = when;
    }
    if (setup->delay) {
        argv[n++] = "--delay";
        argv[n++] = setup->delay;
    }
    if (setup->accept_policy) {
        argv[n++] = "--accept-policy";
        argv[n++] = setup->accept_policy;
    }
    if (setup->ess_v1)
        argv[n++] = "--ess-v1";
    argv[n] = NULL;

    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* A test that fails or crashes must not leave its TSA behind. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    close(fds[1]);
    char line[32];
    size_t have = 0;
    while (have < sizeof(line) - 1 && (have == 0 || line[have - 1] != '\n')) {
        struct pollfd p = {fds[0], POLLIN, 0};
        if (poll(&p, 1, 10000) != 1)
            break;
        ssize_t got = read(fds[0], line + have, sizeof(line) - 1 - have);
        if (got <= 0)
            break;
        have += (size_t)got;
    }
    close(fds[0]);
    line[have] = '\0';
    char *end = NULL;
    long port = strtol(line, &end, 10);
    if (have == 0 || port <= 0 || port > 65535 || *end != '\n')
        fail_msg("the test TSA did not start (it said '%s')", line);
    s->pid = pid;
    snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%ld/tsa", port);
    for (size_t i = 0; i < COUNT(g_servers); i++)
        if (g_servers[i] == 0) {
            g_servers[i] = pid;
            break;
        }
}

static void stop_pid(pid_t pid)
{
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    for (size_t i = 0; i < COUNT(g_servers); i++)
        if (g_servers[i] == pid)
            g_servers[i] = 0;
}

static void tsa_stop(tsa_server *s)
{
    if (s->pid > 0)
        stop_pid(s->pid);
    s->pid = 0;
}

/* After each test: the servers a failed test could not stop. */
static int stop_leftover_servers(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(g_servers); i++)
        if (g_servers[i] != 0)
            stop_pid(g_servers[i]);
    return 0;
}

/* A URL on a loopback port where nothing listens. */
static void dead_url(char *buf, size_t size)
{
    tsa_server s;
    tsa_setup setup = {0};
    tsa_start(&s, &setup);
    snprintf(buf, size, "%s", s.url);
    tsa_stop(&s); /* the port is free again, and nothing listens there */
}

/* --- key sources, signing, verification --- */

static emza_sign_options t_options(emza_format format, const char *url, int64_t signing_time)
{
    emza_sign_options o = EMZA_SIGN_OPTIONS_INIT;
    o.format = format;
    o.level = EMZA_LEVEL_T;
    o.tsa_url = url;
    o.timeout_seconds = 5;
    o.has_signing_time = 1;
    o.signing_time = signing_time;
    return o;
}

static int sign_one(const char *who, const emza_sign_options *o, const char *input,
                    const char *output)
{
    emza_signer *s = p12(who);
    const char *inputs[] = {input};
    int rc = emza_sign(s, o, inputs, 1, output);
    emza_signer_free(s);
    return rc;
}

static void sign_ok(const char *who, const emza_sign_options *o, const char *input,
                    const char *output)
{
    int rc = sign_one(who, o, input, output);
    if (rc != EMZA_OK)
        fail_msg("signing %s as %s: %s (%s)", input, who, emza_error_name(rc),
                 emza_error_last()->message);
}

static emza_report *verify_at(const char *path, const char *data, int64_t at)
{
    emza_verify_options o = EMZA_VERIFY_OPTIONS_INIT;
    const char *paths[1] = {data};
    o.trust = g_trust;
    o.has_validation_time = 1;
    o.validation_time = at ? at : g_now;
    o.offline = 1;
    if (data != NULL) {
        o.data_paths = paths;
        o.data_count = 1;
    }
    emza_report *r = NULL;
    int rc = emza_verify_file(&r, path, &o);
    if (rc != EMZA_OK)
        fail_msg("verifying %s: %s (%s)", path, emza_error_name(rc), emza_error_last()->message);
    char *json = NULL, *text = NULL;
    assert_ok(emza_report_to_json(&json, r));
    assert_ok(emza_report_to_text(&text, r));
    emza_free(json);
    emza_free(text);
    return r;
}

/* The entry's timestamp `i`: type SIGNATURE, this indication, and its time and TSA. */
static void check_timestamp(const emza_signature_report *sig, size_t i, const char *indication,
                            const char *tsa)
{
    assert_true(emza_signature_timestamp_count(sig) > i);
    assert_string_equal(emza_signature_timestamp_type(sig, i), "SIGNATURE");
    assert_string_equal(emza_signature_timestamp_indication(sig, i), indication);
    if (tsa == NULL)
        assert_null(emza_signature_timestamp_tsa(sig, i));
    else
        assert_string_equal(emza_signature_timestamp_tsa(sig, i), tsa);
}

/* --- OpenSSL objects --- */

static X509 *ossl_cert_at(const char *path)
{
    BIO *b = BIO_new_file(path, "r");
    assert_non_null(b);
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    assert_non_null(x);
    return x;
}

static emza_cert *cert_at(const char *path)
{
    emza_cert *c = NULL;
    assert_ok(emza_cert_load(&c, path));
    return c;
}

/* The signature value of the first SignerInfo of the CMS file at `path` (malloc'd). */
static uint8_t *signature_value(const char *path, size_t *len)
{
    size_t file_len = 0;
    uint8_t *file = read_all(path, &file_len);
    const unsigned char *p = file;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)file_len);
    assert_non_null(cms);
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    const ASN1_OCTET_STRING *v = CMS_SignerInfo_get0_signature(si);
    *len = (size_t)ASN1_STRING_length(v);
    uint8_t *out = malloc(*len);
    assert_non_null(out);
    memcpy(out, ASN1_STRING_get0_data(v), *len);
    CMS_ContentInfo_free(cms);
    free(file);
    return out;
}

/* Writes `from` to `to` with `count` copies of `token` as signature timestamps of signer 0. */
static void add_tokens(const char *from, const char *to, const uint8_t *token, size_t len,
                       int count)
{
    size_t file_len = 0;
    uint8_t *file = read_all(from, &file_len);
    const unsigned char *p = file;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)file_len);
    assert_non_null(cms);
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    for (int i = 0; i < count; i++)
        assert_int_equal(CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken,
                                                       V_ASN1_SEQUENCE, token, (int)len),
                         1);
    unsigned char *der = NULL;
    int n = i2d_CMS_ContentInfo(cms, &der);
    assert_true(n > 0);
    write_file(to, der, (size_t)n);
    OPENSSL_free(der);
    CMS_ContentInfo_free(cms);
    free(file);
}

/* The DER of the signature timestamp of signer 0 of the CMS file at `path` (malloc'd). */
static uint8_t *embedded_token(const char *path, size_t *len)
{
    size_t file_len = 0;
    uint8_t *file = read_all(path, &file_len);
    const unsigned char *p = file;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)file_len);
    assert_non_null(cms);
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    int pos = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
    assert_true(pos >= 0);
    const ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(CMS_unsigned_get_attr(si, pos), 0);
    assert_non_null(t);
    assert_int_equal(t->type, V_ASN1_SEQUENCE);
    *len = (size_t)ASN1_STRING_length(t->value.sequence);
    uint8_t *out = malloc(*len);
    assert_non_null(out);
    memcpy(out, ASN1_STRING_get0_data(t->value.sequence), *len);
    CMS_ContentInfo_free(cms);
    free(file);
    return out;
}

/* emza__tsp_stamp over any bytes. */
static int tsp_stamp(emza_buf *token, emza__tsp_token *info, const emza__net *net, const char *url,
                     const EVP_MD *md, const char *policy, const void *data, size_t len)
{
    return emza__tsp_stamp(token, info, net, url, md, policy, data, len);
}

/* Stamps `data` with the TSA at `url` (a real request), into `token`. */
static void stamp(emza_buf *token, emza__tsp_token *info, const char *url, const void *data,
                  size_t len)
{
    emza__net net = {0, 5, NULL, NULL};
    int rc = tsp_stamp(token, info, &net, url, EVP_sha256(), NULL, data, len);
    if (rc != EMZA_OK)
        fail_msg("stamping at %s: %s (%s)", url, emza_error_name(rc), emza_error_last()->message);
}

/* --- an in-process TSA (OpenSSL's TS_RESP_CTX) behind the transport callback --- */

typedef struct inproc {
    const char *cert;       /* PEM path of the TSA certificate (key: tsa.key.pem) */
    const char *chain;      /* PEM path of its CAs; default tsa.chain.pem */
    int strip_policy;       /* answer under the default policy, whatever was asked for */
    int no_cert_req;        /* answer as if certReq were false (no certificate in the token) */
    int ess_v1;             /* ESSCertID (SHA-1) instead of ESSCertIDv2 */
    int sha1_imprint_ok;    /* accept SHA-1 requests */
    const uint8_t *canned;  /* answer these bytes instead */
    size_t canned_len;
    int fail;               /* the transport fails with this code */
    int trailing_byte;      /* append a byte to the response */
    int calls;
} inproc;

/* A response to the DER request `req` from an in-process TSA (DER, OPENSSL_free). */
static int inproc_respond(inproc *x, const uint8_t *body, size_t len, uint8_t **out)
{
    const unsigned char *p = body;
    TS_REQ *req = d2i_TS_REQ(NULL, &p, (long)len);
    assert_non_null(req);
    if (x->strip_policy) {
        ASN1_OBJECT *def = OBJ_txt2obj(TSA_POLICY, 1);
        assert_int_equal(TS_REQ_set_policy_id(req, def), 1);
        ASN1_OBJECT_free(def);
    }
    if (x->no_cert_req)
        assert_int_equal(TS_REQ_set_cert_req(req, 0), 1);
    BIO *in = BIO_new(BIO_s_mem());
    assert_int_equal(i2d_TS_REQ_bio(in, req), 1);
    X509 *cert = ossl_cert_at(x->cert ? x->cert : pki("tsa.cert.pem"));
    EVP_PKEY *key = ossl_key("tsa");
    ASN1_OBJECT *policy = OBJ_txt2obj(TSA_POLICY, 1);
    TS_RESP_CTX *ctx = TS_RESP_CTX_new();
    assert_non_null(ctx);
    assert_int_equal(TS_RESP_CTX_set_signer_cert(ctx, cert), 1);
    assert_int_equal(TS_RESP_CTX_set_signer_key(ctx, key), 1);
    STACK_OF(X509) *chain = sk_X509_new_null();
    BIO *cb = BIO_new_file(x->chain ? x->chain : pki("tsa.chain.pem"), "r");
    assert_true(chain != NULL && cb != NULL);
    for (X509 *ca; (ca = PEM_read_bio_X509(cb, NULL, NULL, NULL)) != NULL;)
        sk_X509_push(chain, ca);
    ERR_clear_error();
    BIO_free(cb);
    assert_int_equal(TS_RESP_CTX_set_certs(ctx, chain), 1);
    sk_X509_pop_free(chain, X509_free);
    assert_int_equal(TS_RESP_CTX_set_def_policy(ctx, policy), 1);
    assert_int_equal(TS_RESP_CTX_add_policy(ctx, OBJ_nid2obj(NID_sha256)), 1); /* any other OID */
    assert_int_equal(TS_RESP_CTX_set_signer_digest(ctx, EVP_sha256()), 1);
    assert_int_equal(TS_RESP_CTX_add_md(ctx, EVP_sha256()), 1);
    assert_int_equal(TS_RESP_CTX_add_md(ctx, EVP_sha384()), 1);
    assert_int_equal(TS_RESP_CTX_add_md(ctx, EVP_sha512()), 1);
    if (x->sha1_imprint_ok)
        assert_int_equal(TS_RESP_CTX_add_md(ctx, EVP_sha1()), 1);
    assert_int_equal(TS_RESP_CTX_set_accuracy(ctx, 0, 500, 0), 1);
    if (!x->ess_v1)
        assert_int_equal(TS_RESP_CTX_set_ess_cert_id_digest(ctx, EVP_sha256()), 1);
    TS_RESP *resp = TS_RESP_create_response(ctx, in);
    assert_non_null(resp);
    int n = i2d_TS_RESP(resp, out);
    assert_true(n > 0);
    TS_RESP_free(resp);
    TS_RESP_CTX_free(ctx);
    ASN1_OBJECT_free(policy);
    EVP_PKEY_free(key);
    X509_free(cert);
    BIO_free(in);
    TS_REQ_free(req);
    return n;
}

static int inproc_transport(void *ctx, const char *url, const char *content_type,
                            const uint8_t *body, size_t body_len, size_t max_response,
                            uint8_t **out_body, size_t *out_len)
{
    (void)url;
    (void)max_response;
    inproc *x = ctx;
    x->calls++;
    assert_string_equal(content_type, "application/timestamp-query");
    if (x->fail)
        return x->fail;
    if (x->canned != NULL) {
        *out_body = malloc(x->canned_len ? x->canned_len : 1);
        assert_non_null(*out_body);
        memcpy(*out_body, x->canned, x->canned_len);
        *out_len = x->canned_len;
        return EMZA_OK;
    }
    uint8_t *der = NULL;
    int n = inproc_respond(x, body, body_len, &der);
    *out_body = malloc((size_t)n + 1);
    assert_non_null(*out_body);
    memcpy(*out_body, der, (size_t)n);
    (*out_body)[n] = 0x00;
    *out_len = (size_t)n + (x->trailing_byte ? 1 : 0);
    OPENSSL_free(der);
    return EMZA_OK;
}

static int inproc_stamp(inproc *x, emza_buf *token, emza__tsp_token *info, const EVP_MD *md,
                        const char *policy, const void *data, size_t len)
{
    emza__net net = {0, 5, inproc_transport, x};
    return tsp_stamp(token, info, &net, "http://tsa.invalid/", md, policy, data, len);
}

/* The TSTInfo (DER, OPENSSL_free) of a token made by the in-process TSA over `data`. */
static int tst_info_over(const void *data, size_t len, unsigned char **out)
{
    inproc x = {0};
    emza_buf token;
    assert_ok(inproc_stamp(&x, &token, NULL, EVP_sha256(), NULL, data, len));
    const unsigned char *p = token.data;
    PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)token.len);
    assert_non_null(p7);
    TS_TST_INFO *tst = PKCS7_to_TS_TST_INFO(p7);
    assert_non_null(tst);
    int n = i2d_TS_TST_INFO(tst, out);
    assert_true(n > 0);
    TS_TST_INFO_free(tst);
    PKCS7_free(p7);
    emza__buf_free(&token);
    return n;
}

/* (Paths here must outlive pki()'s ring of buffers: use the g_ copies.) */
typedef struct craft {
    const char *signer_cert;  /* PEM path, key tsa.key.pem */
    const char *ess_cert;     /* the certificate the signing-certificate-v2 names; NULL: none */
    const char *embed[2];     /* certificates carried in the token */
    int corrupt_signature;
} craft;

/* A TimeStampToken built with the CMS API around the TSTInfo over `data`, as `c` says. */
static uint8_t *craft_token(const craft *c, const void *data, size_t len, size_t *out_len)
{
    unsigned char *tst = NULL;
    int tst_len = tst_info_over(data, len, &tst);
    BIO *content = BIO_new_mem_buf(tst, tst_len);
    X509 *signer = ossl_cert_at(c->signer_cert);
    EVP_PKEY *key = ossl_key("tsa");
    CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, CMS_PARTIAL | CMS_BINARY);
    assert_non_null(cms);
    assert_int_equal(CMS_set1_eContentType(cms, OBJ_nid2obj(NID_id_smime_ct_TSTInfo)), 1);
    CMS_SignerInfo *si = CMS_add1_signer(cms, signer, key, EVP_sha256(),
                                         CMS_PARTIAL | CMS_BINARY | CMS_NOSMIMECAP | CMS_NOCERTS);
    assert_non_null(si);
    if (c->ess_cert != NULL) {
        emza_cert *ess = cert_at(c->ess_cert);
        emza_buf v;
        emza__buf_init(&v, 1 << 20);
        assert_ok(emza__cades_signing_cert_v2_der(ess, &v));
        assert_int_equal(CMS_signed_add1_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2,
                                                     V_ASN1_SEQUENCE, v.data, (int)v.len),
                         1);
        emza__buf_free(&v);
        emza_cert_free(ess);
    }
    for (size_t i = 0; i < COUNT(c->embed) && c->embed[i] != NULL; i++) {
        X509 *x = ossl_cert_at(c->embed[i]);
        assert_int_equal(CMS_add1_cert(cms, x), 1);
        X509_free(x);
    }
    assert_int_equal(CMS_final(cms, content, NULL, CMS_BINARY), 1);
    if (c->corrupt_signature) {
        ASN1_OCTET_STRING *v = CMS_SignerInfo_get0_signature(si);
        unsigned char flipped[1024];
        int n = ASN1_STRING_length(v);
        assert_true(n > 0 && n <= (int)sizeof(flipped));
        memcpy(flipped, ASN1_STRING_get0_data(v), (size_t)n);
        flipped[n / 2] ^= 0x01;
        assert_int_equal(ASN1_OCTET_STRING_set(v, flipped, n), 1);
    }
    unsigned char *der = NULL;
    int n = i2d_CMS_ContentInfo(cms, &der);
    assert_true(n > 0);
    uint8_t *out = malloc((size_t)n);
    assert_non_null(out);
    memcpy(out, der, (size_t)n);
    *out_len = (size_t)n;
    OPENSSL_free(der);
    CMS_ContentInfo_free(cms);
    EVP_PKEY_free(key);
    X509_free(signer);
    BIO_free(content);
    OPENSSL_free(tst);
    return out;
}

/* ------------------------------------------------------------------------ */
/* set-up                                                                    */
/* ------------------------------------------------------------------------ */

static void mint(char *out, size_t size, const char *ca, const char *cn, int64_t not_before,
                 int64_t not_after, const char *file)
{
    char ca_cert[4096], ca_key[4096], key[4096], nb[32], na[32];
    snprintf(ca_cert, sizeof(ca_cert), "%s/%s.cert.pem", getenv("EMZA_PKI_DIR"), ca);
    snprintf(ca_key, sizeof(ca_key), "%s/%s.key.pem", getenv("EMZA_PKI_DIR"), ca);
    snprintf(key, sizeof(key), "%s", pki("tsa.key.pem"));
    snprintf(nb, sizeof(nb), "%lld", (long long)not_before);
    snprintf(na, sizeof(na), "%lld", (long long)not_after);
    int n = snprintf(out, size, "%s/%s", g_root, file);
    assert_true(n > 0 && (size_t)n < size);
    char *argv[] = {(char *)(uintptr_t)helper(), "mkcert", "--ca-cert", ca_cert, "--ca-key", ca_key,
                    "--key", key, "--cn", (char *)(uintptr_t)cn, "--not-before", nb,
                    "--not-after", na, "--out", out, NULL};
    run(argv);
}

static int group_setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    if (ts_make_root_and_trust("tsp", &g_trust) != 0)
        return -1;
    g_now = (int64_t)time(NULL);
    snprintf(g_tsa_cert, sizeof(g_tsa_cert), "%s", pki("tsa.cert.pem"));
    mint(g_tsa_2019, sizeof(g_tsa_2019), "citizen-ca", "Emza Test TSA 2019", T_2019_06_01,
         g_now + FOUR_YEARS, "tsa-2019.cert.pem");
    mint(g_tsa_untrusted, sizeof(g_tsa_untrusted), "untrusted-ca", "Emza Untrusted TSA",
         g_now - 86400, g_now + FOUR_YEARS, "tsa-untrusted.cert.pem");
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return ts_remove_root_and_trust(g_trust);
}

/* ------------------------------------------------------------------------ */
/* requests and responses                                                    */
/* ------------------------------------------------------------------------ */

static void test_tsp_stamp__a_real_tsa_gives_a_token_that_checks(void **state)
{
    (void)state;
    tsa_server s;
    tsa_setup setup = {0};
    tsa_start(&s, &setup);
    static const char data[] = "the bytes to stamp";
    emza_buf token;
    emza__tsp_token info;
    stamp(&token, &info, s.url, data, sizeof(data) - 1);
    tsa_stop(&s);

    assert_int_equal(info.verdict, EMZA__TSP_OK);
    assert_true(info.has_time);
    assert_true(info.gen_time >= g_now - 5 && info.gen_time <= (int64_t)time(NULL) + 5);
    assert_true(info.has_accuracy);
    assert_int_equal(info.accuracy_us, 1000000); /* the test TSA says 1 s */
    assert_string_equal(info.policy, TSA_POLICY);
    assert_int_equal(info.imprint_md_nid, NID_sha256);
    assert_non_null(info.nonce);
    assert_non_null(info.tsa_cert);
    assert_string_equal(emza_cert_common_name(info.tsa_cert), "Emza Test TSA");
    /* certReq: the token carries the TSA certificate and the chain the TSA was given. */
    assert_int_equal(emza_cert_list_count(info.certs), 2);
    emza__tsp_token_free(&info);

    /* The same token checked again, as a verifier would: sound over the data ... */
    emza__tsp_token again;
    assert_ok(emza__tsp_token_check(&again, token.data, token.len, (const uint8_t *)data,
                                    sizeof(data) - 1, NULL));
    assert_int_equal(again.verdict, EMZA__TSP_OK);
    emza__tsp_token_free(&again);
    /* ... and a hash failure over any other bytes. */
    assert_ok(emza__tsp_token_check(&again, token.data, token.len, (const uint8_t *)"other", 5,
                                    NULL));
    assert_int_equal(again.verdict, EMZA__TSP_HASH);
    assert_int_equal(emza__tsp_verdict_sub(again.verdict), EMZA_SUB_HASH_FAILURE);
    assert_non_null(strstr(again.message, "other data"));
    emza__tsp_token_free(&again);
    emza__buf_free(&token);
}

static void test_tsp_stamp__the_clock_of_the_tsa_gives_gen_time(void **state)
{
    (void)state;
    tsa_server s;
    tsa_setup setup = {g_tsa_2019, NULL, "ok", T_2020_06_01_0005, NULL, NULL, 1};
    tsa_start(&s, &setup);
    emza_buf token;
    emza__tsp_token info;
    stamp(&token, &info, s.url, "x", 1);
    tsa_stop(&s);
    assert_int_equal(info.gen_time, T_2020_06_01_0005);
    assert_string_equal(emza_cert_common_name(info.tsa_cert), "Emza Test TSA 2019");
    emza__tsp_token_free(&info);
    emza__buf_free(&token);
}

static void test_tsp_stamp__every_digest_and_ess_v1_are_accepted(void **state)
{
    (void)state;
    const EVP_MD *mds[] = {EVP_sha256(), EVP_sha384(), EVP_sha512()};
    for (size_t i = 0; i < COUNT(mds); i++) {
        inproc x = {0};
        x.ess_v1 = i == 1;
        emza_buf token;
        emza__tsp_token info;
        assert_ok(inproc_stamp(&x, &token, &info, mds[i], NULL, "abc", 3));
        assert_int_equal(info.imprint_md_nid, EVP_MD_get_type(mds[i]));
        assert_int_equal(info.accuracy_us, 500000);
        emza__tsp_token_free(&info);
        emza__buf_free(&token);
    }
}

static void test_tsp_stamp__a_policy_is_asked_for_and_checked(void **state)
{
    (void)state;
    inproc x = {0};
    emza_buf token;
    emza__tsp_token info;
    const char *other = "2.16.840.1.101.3.4.2.1"; /* the in-process TSA accepts this OID too */
    assert_ok(inproc_stamp(&x, &token, &info, EVP_sha256(), other, "abc", 3));
    assert_string_equal(info.policy, other);
    emza__tsp_token_free(&info);
    emza__buf_free(&token);

    /* A TSA that answers under another policy than the one asked for is refused. */
    x.strip_policy = 1;
    assert_error(inproc_stamp(&x, &token, &info, EVP_sha256(), other, "abc", 3), EMZA_ECRYPTO);
    assert_message_has("policy");
    assert_null(info.tsa_cert);
    assert_null(token.data);

    /* A real TSA refuses a policy it does not know: its status says so. */
    tsa_server s;
    tsa_setup setup = {0};
    tsa_start(&s, &setup);
    emza__net net = {0, 5, NULL, NULL};
    assert_error(tsp_stamp(&token, NULL, &net, s.url, EVP_sha256(), "1.2.3.4.5", "a", 1),
                 EMZA_ENETWORK);
    assert_message_has("unacceptedPolicy");
    assert_error(tsp_stamp(&token, NULL, &net, s.url, EVP_sha256(), "not an oid", "a", 1),
                 EMZA_EINVAL);
    tsa_stop(&s);
}

static void test_tsp_stamp__a_replayed_response_is_refused(void **state)
{
    (void)state;
    tsa_server s;
    tsa_setup setup = {NULL, NULL, "replay", 0, NULL, NULL, 0};
    tsa_start(&s, &setup);
    emza_buf token;
    stamp(&token, NULL, s.url, "same data", 9);
    emza__buf_free(&token);
    /* The same data again: the old response matches the imprint but not the new nonce. */
    emza__net net = {0, 5, NULL, NULL};
    assert_error(tsp_stamp(&token, NULL, &net, s.url, EVP_sha256(), NULL, "same data", 9),
                 EMZA_ECRYPTO);
    assert_message_has("nonce");
    assert_null(token.data);
    tsa_stop(&s);
}

static void test_tsp_stamp__another_nonce_or_imprint_is_refused(void **state)
{
    (void)state;
    static const struct {
        const char *mode;
        const char *says;
    } cases[] = {{"nonce", "nonce"}, {"other-imprint", "other data"}};
    for (size_t i = 0; i < COUNT(cases); i++) {
        tsa_server s;
        tsa_setup setup = {NULL, NULL, cases[i].mode, 0, NULL, NULL, 0};
        tsa_start(&s, &setup);
        emza_buf token;
        emza__net net = {0, 5, NULL, NULL};
        assert_error(tsp_stamp(&token, NULL, &net, s.url, EVP_sha256(), NULL, "d", 1),
                     EMZA_ECRYPTO);
        assert_message_has(cases[i].says);
        tsa_stop(&s);
    }
}

static void test_tsp_stamp__refusals_and_bad_answers_are_errors_in_words(void **state)
{
    (void)state;
    static const struct {
        const char *mode;
        int code;
        const char *says;
    } cases[] = {
        {"rejected", EMZA_ENETWORK, "status rejection (badAlg): test TSA refuses"},
        /* OpenSSL's client itself refuses a body that is not ASN.1. */
        {"garbage", EMZA_ENETWORK, "request failed"},
        {"http-error", EMZA_ENETWORK, "request failed"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        tsa_server s;
        tsa_setup setup = {NULL, NULL, cases[i].mode, 0, NULL, NULL, 0};
        tsa_start(&s, &setup);
        emza_buf token;
        emza__net net = {0, 5, NULL, NULL};
        assert_error(tsp_stamp(&token, NULL, &net, s.url, EVP_sha256(), NULL, "d", 1),
                     cases[i].code);
        assert_message_has(cases[i].says);
        assert_message_has(s.url);
        tsa_stop(&s);
    }
}

static void test_tsp_stamp__a_tsa_certified_after_its_clock_is_refused(void **state)
{
    (void)state;
    /* The fixture TSA is certified since yesterday; a genTime in 2020 cannot be its. */
    tsa_server s;
    tsa_setup setup = {NULL, NULL, "ok", T_2020_06_01, NULL, NULL, 0};
    tsa_start(&s, &setup);
    emza_buf token;
    emza__net net = {0, 5, NULL, NULL};
    assert_error(tsp_stamp(&token, NULL, &net, s.url, EVP_sha256(), NULL, "d", 1),
                 EMZA_ECRYPTO);
    assert_message_has("before the TSA certificate's validity");
    tsa_stop(&s);
}

static void test_tsp_stamp__a_token_without_the_tsa_certificate_is_refused(void **state)
{
    (void)state;
    inproc x = {0};
    x.no_cert_req = 1;
    emza_buf token;
    assert_error(inproc_stamp(&x, &token, NULL, EVP_sha256(), NULL, "abc", 3), EMZA_ECRYPTO);
    assert_message_has("TSA's certificate is neither in the token");
}

static void test_tsp_stamp__malformed_responses_are_format_errors(void **state)
{
    (void)state;
    /* granted, but no token */
    static const uint8_t granted_no_token[] = {0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00};
    static const uint8_t empty[] = {0};
    static const struct {
        const uint8_t *bytes;
        size_t len;
        const char *says;
    } cases[] = {
        /* OpenSSL's decoder already refuses a granted status without a token */
        {granted_no_token, sizeof(granted_no_token), "TimeStampResp"},
        {empty, 0, "empty answer"},
        {(const uint8_t *)"\x30\x80\x00\x00", 4, "not an RFC 3161 TimeStampResp"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        inproc x = {0};
        x.canned = cases[i].bytes;
        x.canned_len = cases[i].len;
        emza_buf token;
        assert_error(inproc_stamp(&x, &token, NULL, EVP_sha256(), NULL, "abc", 3), EMZA_EFORMAT);
        assert_message_has(cases[i].says);
    }

    /* A good response with a byte after it. */
    inproc trailing = {0};
    trailing.trailing_byte = 1;
    emza_buf token;
    assert_error(inproc_stamp(&trailing, &token, NULL, EVP_sha256(), NULL, "abc", 3),
                 EMZA_EFORMAT);
    assert_message_has("not an RFC 3161 TimeStampResp");
}

static void test_tsp_stamp__response_limit_is_enforced(void **state)
{
    (void)state;
    size_t len = EMZA_TSP_RESPONSE_MAX + 1;
    uint8_t *big = calloc(1, len);
    assert_non_null(big);
    big[0] = 0x30;
    inproc x = {0};
    x.canned = big;
    x.canned_len = len;
    emza_buf token;
    assert_error(inproc_stamp(&x, &token, NULL, EVP_sha256(), NULL, "abc", 3), EMZA_ELIMIT);
    /* Exactly at the limit it is read, and refused for what it is. */
    x.canned_len = EMZA_TSP_RESPONSE_MAX;
    assert_error(inproc_stamp(&x, &token, NULL, EVP_sha256(), NULL, "abc", 3), EMZA_EFORMAT);
    free(big);
}

static void test_tsp_stamp__offline_sends_nothing(void **state)
{
    (void)state;
    inproc x = {0};
    emza__net net = {1, 5, inproc_transport, &x};
    emza_buf token;
    assert_error(tsp_stamp(&token, NULL, &net, "http://tsa.invalid/", EVP_sha256(), NULL,
                                 "abc", 3),
                 EMZA_ENETWORK);
    assert_message_has("offline");
    assert_int_equal(x.calls, 0);
    /* A transport that fails is a network error too. */
    x.fail = EMZA_ENETWORK;
    net.offline = 0;
    assert_error(tsp_stamp(&token, NULL, &net, "http://tsa.invalid/", EVP_sha256(), NULL,
                                 "abc", 3),
                 EMZA_ENETWORK);
    assert_int_equal(x.calls, 1);
    /* Only http:// is spoken. */
    net.transport = NULL;
    assert_error(tsp_stamp(&token, NULL, &net, "https://127.0.0.1:1/", EVP_sha256(), NULL,
                                 "abc", 3),
                 EMZA_EUNSUPPORTED);
}

static void test_tsp_stamp__server_down_slow_or_huge_fails_in_bounded_time(void **state)
{
    (void)state;
    char url[64];
    dead_url(url, sizeof(url));
    emza__net net = {0, 2, NULL, NULL};
    emza_buf token;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    assert_error(tsp_stamp(&token, NULL, &net, url, EVP_sha256(), NULL, "d", 1),
                 EMZA_ENETWORK);
    assert_true(seconds_since(&start) < 3.0);

    tsa_server s;
    tsa_setup slow = {NULL, NULL, "slow", 0, "30", NULL, 0};
    tsa_start(&s, &slow);
    clock_gettime(CLOCK_MONOTONIC, &start);
    assert_error(tsp_stamp(&token, NULL, &net, s.url, EVP_sha256(), NULL, "d", 1),
                 EMZA_ENETWORK);
    double took = seconds_since(&start);
    if (took < 1.5 || took > 6.0)
        fail_msg("a 2 s timeout took %.1f s", took);
    tsa_stop(&s);

    tsa_setup huge = {NULL, NULL, "huge", 0, NULL, NULL, 0};
    tsa_start(&s, &huge);
    clock_gettime(CLOCK_MONOTONIC, &start);
    int rc = tsp_stamp(&token, NULL, &net, s.url, EVP_sha256(), NULL, "d", 1);
    if (rc != EMZA_ELIMIT && rc != EMZA_ENETWORK)
        fail_msg("100 MB: expected EMZA_ELIMIT or EMZA_ENETWORK, got %s (%s)",
                 emza_error_name(rc), emza_error_last()->message);
    assert_true(seconds_since(&start) < 6.0);
    assert_null(token.data);
    tsa_stop(&s);
}

/* ------------------------------------------------------------------------ */
/* tokens                                                                    */
/* ------------------------------------------------------------------------ */

static void test_tsp_token_check__the_tsa_is_identified_by_its_ess_cert_id_not_by_key_fit(
    void **state)
{
    (void)state;
    static const char data[] = "stamped";
    /* The fixture TSA signs; the token carries only the 2019 certificate of the same key. */
    craft c = {g_tsa_cert, g_tsa_cert, {g_tsa_2019, NULL}, 0};
    size_t len = 0;
    uint8_t *token = craft_token(&c, data, sizeof(data) - 1, &len);
    emza__tsp_token t;
    assert_ok(emza__tsp_token_check(&t, token, len, (const uint8_t *)data, sizeof(data) - 1, NULL));
    assert_int_equal(t.verdict, EMZA__TSP_NO_TSA_CERT);
    assert_null(t.tsa_cert);
    emza__tsp_token_free(&t);
    /* Given the right certificate, it checks. */
    emza_cert_list *extra = NULL;
    assert_ok(emza_cert_list_new(&extra));
    emza_cert *tsa = cert_at(g_tsa_cert);
    assert_ok(emza_cert_list_add(extra, tsa));
    assert_ok(
        emza__tsp_token_check(&t, token, len, (const uint8_t *)data, sizeof(data) - 1, extra));
    assert_int_equal(t.verdict, EMZA__TSP_OK);
    assert_string_equal(emza_cert_common_name(t.tsa_cert), "Emza Test TSA");
    emza__tsp_token_free(&t);
    free(token);

    /* A signing-certificate attribute that names another certificate: not identified. */
    craft other = {g_tsa_cert, g_tsa_2019, {g_tsa_cert, g_tsa_2019}, 0};
    token = craft_token(&other, data, sizeof(data) - 1, &len);
    assert_ok(
        emza__tsp_token_check(&t, token, len, (const uint8_t *)data, sizeof(data) - 1, extra));
    assert_int_equal(t.verdict, EMZA__TSP_NO_TSA_CERT);
    assert_non_null(strstr(t.message, "not the one its signing-certificate attribute"));
    emza__tsp_token_free(&t);
    free(token);

    /* No signing-certificate attribute at all. */
    craft none = {g_tsa_cert, NULL, {g_tsa_cert, NULL}, 0};
    token = craft_token(&none, data, sizeof(data) - 1, &len);
    assert_ok(emza__tsp_token_check(&t, token, len, (const uint8_t *)data, sizeof(data) - 1, NULL));
    assert_int_equal(t.verdict, EMZA__TSP_NO_TSA_CERT);
    assert_int_equal(emza__tsp_verdict_sub(t.verdict), EMZA_SUB_NO_SIGNING_CERTIFICATE_FOUND);
    emza__tsp_token_free(&t);
    free(token);
    emza_cert_free(tsa);
    emza_cert_list_free(extra);
}

static void test_tsp_token_check__a_broken_signature_is_sig_crypto_failure(void **state)
{
    (void)state;
    static const char data[] = "stamped";
    craft c = {g_tsa_cert, g_tsa_cert, {g_tsa_cert, NULL}, 0};
    size_t len = 0;
    uint8_t *token = craft_token(&c, data, sizeof(data) - 1, &len);
    emza__tsp_token t;
    assert_ok(emza__tsp_token_check(&t, token, len, (const uint8_t *)data, sizeof(data) - 1, NULL));
    assert_int_equal(t.verdict, EMZA__TSP_OK); /* the crafted token itself is sound */
    emza__tsp_token_free(&t);
    free(token);
    c.corrupt_signature = 1;
    token = craft_token(&c, data, sizeof(data) - 1, &len);
    assert_ok(emza__tsp_token_check(&t, token, len, (const uint8_t *)data, sizeof(data) - 1, NULL));
    assert_int_equal(t.verdict, EMZA__TSP_SIGNATURE);
    assert_int_equal(emza__tsp_verdict_sub(t.verdict), EMZA_SUB_SIG_CRYPTO_FAILURE);
    emza__tsp_token_free(&t);
    free(token);
}

static void test_tsp_token_check__a_changed_tst_info_is_a_hash_failure(void **state)
{
    (void)state;
    inproc x = {0};
    emza_buf token;
    assert_ok(inproc_stamp(&x, &token, NULL, EVP_sha256(), NULL, "abc", 3));
    /* Change the serial number inside the TSTInfo: the signed message digest no longer fits. */
    const unsigned char *p = token.data;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)token.len);
    assert_non_null(cms);
    ASN1_OCTET_STRING **content = CMS_get0_content(cms);
    int n = ASN1_STRING_length(*content);
    unsigned char copy[4096];
    assert_true(n > 0 && n <= (int)sizeof(copy));
    memcpy(copy, ASN1_STRING_get0_data(*content), (size_t)n);
    uint8_t *found = NULL;
    for (int i = 0; i + 2 < n; i++)
        if (copy[i] == 0x02 && copy[i + 1] == 0x01 && copy[i + 2] == 0x01) { /* INTEGER version 1 */
            found = copy + i + 2;
            break;
        }
    assert_non_null(found);
    *found = 0x02; /* version 2: also a format error, but the digest check comes first */
    assert_int_equal(ASN1_OCTET_STRING_set(*content, copy, n), 1);
    unsigned char *der = NULL;
    int der_len = i2d_CMS_ContentInfo(cms, &der);
    assert_true(der_len > 0);
    emza__tsp_token t;
    assert_ok(emza__tsp_token_check(&t, der, (size_t)der_len, (const uint8_t *)"abc", 3, NULL));
    assert_true(t.verdict == EMZA__TSP_HASH || t.verdict == EMZA__TSP_FORMAT);
    assert_int_equal(emza_subindication_indication(emza__tsp_verdict_sub(t.verdict)),
                     EMZA_TOTAL_FAILED);
    emza__tsp_token_free(&t);
    OPENSSL_free(der);
    CMS_ContentInfo_free(cms);
    emza__buf_free(&token);
}

static void test_tsp_token_check__garbage_and_truncations_are_format_failures(void **state)
{
    (void)state;
    inproc x = {0};
    emza_buf token;
    assert_ok(inproc_stamp(&x, &token, NULL, EVP_sha256(), NULL, "abc", 3));
    emza__tsp_token t;
    for (size_t cut = 0; cut < token.len; cut += (cut < 64 ? 1 : 37)) {
        assert_ok(emza__tsp_token_check(&t, token.data, cut, (const uint8_t *)"abc", 3, NULL));
        assert_int_equal(t.verdict, EMZA__TSP_FORMAT);
        emza__tsp_token_free(&t);
    }
    assert_ok(emza__tsp_token_check(&t, NULL, 0, (const uint8_t *)"abc", 3, NULL));
    assert_int_equal(t.verdict, EMZA__TSP_FORMAT);
    emza__tsp_token_free(&t);
    /* A CMS that is no token: a plain signature over data. */
    static const uint8_t not_tst[] = {0x30, 0x0B, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86,
                                      0xF7, 0x0D, 0x01, 0x07, 0x01};
    assert_ok(emza__tsp_token_check(&t, not_tst, sizeof(not_tst), (const uint8_t *)"abc", 3, NULL));
    assert_int_equal(t.verdict, EMZA__TSP_FORMAT);
    emza__tsp_token_free(&t);
    emza__buf_free(&token);
}

static void test_tsp_token_check__the_token_limit_is_enforced(void **state)
{
    (void)state;
    uint8_t *big = calloc(1, EMZA_TSP_TOKEN_MAX + 1);
    assert_non_null(big);
    emza__tsp_token t;
    assert_error(emza__tsp_token_check(&t, big, EMZA_TSP_TOKEN_MAX + 1, (const uint8_t *)"a", 1,
                                       NULL),
                 EMZA_ELIMIT);
    assert_null(t.certs);
    /* At the limit it is judged (and is no token). */
    assert_ok(emza__tsp_token_check(&t, big, EMZA_TSP_TOKEN_MAX, (const uint8_t *)"a", 1, NULL));
    assert_int_equal(t.verdict, EMZA__TSP_FORMAT);
    emza__tsp_token_free(&t);
    free(big);
}

static void test_tsp_token_check__a_sha1_imprint_is_not_acceptable(void **state)
{
    (void)state;
    inproc x = {0};
    x.sha1_imprint_ok = 1;
    emza_buf token;
    emza__tsp_token info;
    /* Signing does not accept a SHA-1 token ... */
    assert_error(inproc_stamp(&x, &token, &info, EVP_sha1(), NULL, "abc", 3), EMZA_ECRYPTO);
    assert_message_has("not acceptable");

    /* ... and a verifier finds it INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE_NO_POE. */
    TS_REQ *req = TS_REQ_new();
    TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    assert_true(req && mi && alg);
    unsigned char digest[20];
    assert_int_equal(EVP_Digest("abc", 3, digest, NULL, EVP_sha1(), NULL), 1);
    X509_ALGOR_set_md(alg, EVP_sha1());
    assert_int_equal(TS_MSG_IMPRINT_set_algo(mi, alg), 1);
    assert_int_equal(TS_MSG_IMPRINT_set_msg(mi, digest, sizeof(digest)), 1);
    assert_int_equal(TS_REQ_set_version(req, 1), 1);
    assert_int_equal(TS_REQ_set_msg_imprint(req, mi), 1);
    assert_int_equal(TS_REQ_set_cert_req(req, 1), 1);
    unsigned char *req_der = NULL;
    int req_len = i2d_TS_REQ(req, &req_der);
    assert_true(req_len > 0);
    uint8_t *resp_der = NULL;
    int resp_len = inproc_respond(&x, req_der, (size_t)req_len, &resp_der);
    const unsigned char *p = resp_der;
    TS_RESP *resp = d2i_TS_RESP(NULL, &p, resp_len);
    assert_non_null(resp);
    unsigned char *tok = NULL;
    int tok_len = i2d_PKCS7(TS_RESP_get_token(resp), &tok);
    assert_true(tok_len > 0);
    emza__tsp_token t;
    assert_ok(emza__tsp_token_check(&t, tok, (size_t)tok_len, (const uint8_t *)"abc", 3, NULL));
    assert_int_equal(t.verdict, EMZA__TSP_WEAK_ALGORITHM);
    assert_int_equal(emza__tsp_verdict_sub(t.verdict), EMZA_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE);
    assert_int_equal(emza_subindication_indication(emza__tsp_verdict_sub(t.verdict)),
                     EMZA_INDETERMINATE);
    emza__tsp_token_free(&t);
    OPENSSL_free(tok);
    TS_RESP_free(resp);
    OPENSSL_free(resp_der);
    OPENSSL_free(req_der);
    X509_ALGOR_free(alg);
    TS_MSG_IMPRINT_free(mi);
    TS_REQ_free(req);
}

static void test_tsp_validate__chain_verdicts(void **state)
{
    (void)state;
    static const char data[] = "validated";
    emza__tsp_context cx = {g_trust, {NULL, NULL}, 0, 1, NULL, NULL, NULL};
    cx.validation_time = g_now;
    emza__tsp_validation v;

    /* The fixture TSA: passes, with the TSA chain's remarks as warnings. */
    inproc x = {0};
    emza_buf token;
    assert_ok(inproc_stamp(&x, &token, NULL, EVP_sha256(), NULL, data, sizeof(data) - 1));
    assert_ok(emza__tsp_validate(&v, token.data, token.len, (const uint8_t *)data,
                                 sizeof(data) - 1, &cx));
    assert_int_equal(v.indication, EMZA_TOTAL_PASSED);
    assert_int_equal(v.sub, EMZA_SUB_NONE);
    assert_string_equal(emza__tsp_indication_word(v.indication), "PASSED");
    emza__tsp_validation_free(&v);

    /* Over other data: FAILED/HASH_FAILURE. */
    assert_ok(emza__tsp_validate(&v, token.data, token.len, (const uint8_t *)"x", 1, &cx));
    assert_int_equal(v.indication, EMZA_TOTAL_FAILED);
    assert_int_equal(v.sub, EMZA_SUB_HASH_FAILURE);
    assert_string_equal(emza__tsp_indication_word(v.indication), "FAILED");
    emza__tsp_validation_free(&v);

    /* No anchors: INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND. */
    emza__tsp_context none = cx;
    none.trust = NULL;
    assert_ok(emza__tsp_validate(&v, token.data, token.len, (const uint8_t *)data,
                                 sizeof(data) - 1, &none));
    assert_int_equal(v.indication, EMZA_INDETERMINATE);
    assert_int_equal(v.sub, EMZA_SUB_NO_CERTIFICATE_CHAIN_FOUND);
    emza__tsp_validation_free(&v);

    /* Validated at a time its certificate did not exist yet: the chain says so. */
    emza__tsp_context early = cx;
    early.validation_time = g_now - 10 * 86400;
    assert_ok(emza__tsp_validate(&v, token.data, token.len, (const uint8_t *)data,
                                 sizeof(data) - 1, &early));
    assert_int_equal(v.indication, EMZA_TOTAL_FAILED);
    assert_int_equal(v.sub, EMZA_SUB_NOT_YET_VALID);
    emza__tsp_validation_free(&v);
    emza__buf_free(&token);

    /* An untrusted TSA. */
    inproc u = {0};
    u.cert = g_tsa_untrusted;
    u.chain = pki("untrusted.chain.pem");
    assert_ok(inproc_stamp(&u, &token, NULL, EVP_sha256(), NULL, data, sizeof(data) - 1));
    assert_ok(emza__tsp_validate(&v, token.data, token.len, (const uint8_t *)data,
                                 sizeof(data) - 1, &cx));
    assert_int_equal(v.indication, EMZA_INDETERMINATE);
    assert_int_equal(v.sub, EMZA_SUB_NO_CERTIFICATE_CHAIN_FOUND);
    assert_string_equal(emza__tsp_indication_word(v.indication), "INDETERMINATE");
    assert_string_equal(emza_cert_common_name(v.token.tsa_cert), "Emza Untrusted TSA");
    emza__tsp_validation_free(&v);
    emza__buf_free(&token);

    /* A certificate that is not a TSA's (citizen-rsa would need its key: use the TSA key
       under a certificate without the timeStamping purpose is not possible here), so the
       purpose check is covered by trust_test; the limit: */
    assert_error(emza__tsp_validate(&v, NULL, EMZA_TSP_TOKEN_MAX + 1, NULL, 0, &cx), EMZA_ELIMIT);
    assert_null(v.token.certs);
}

/* The policy's trustedTsas (docs/POLICY.md): a TSA the store trusts but the list does not. */
static void test_tsp_validate__policy_trusted_tsas(void **state)
{
    (void)state;
    static const char data[] = "validated";
    inproc x = {0};
    emza_buf token;
    assert_ok(inproc_stamp(&x, &token, NULL, EVP_sha256(), NULL, data, sizeof(data) - 1));
    emza_cert *tsa = cert_at(g_tsa_cert);
    char json[512];
    emza_policy *listed = NULL, *other = NULL, *warn = NULL;
    snprintf(json, sizeof(json),
             "{\"emzaPolicy\": 1, \"name\": \"listed\", \"timestamps\": {\"trustedTsas\": "
             "{\"any\": false, \"certificates\": [\"%s\"]}}}",
             emza_cert_sha256_hex(tsa));
    assert_ok(emza_policy_parse(&listed, json, strlen(json)));
    static const char other_json[] =
        "{\"emzaPolicy\": 1, \"name\": \"other\", \"timestamps\": {\"trustedTsas\": "
        "{\"any\": false, \"certificates\": "
        "[\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"]}}}";
    assert_ok(emza_policy_parse(&other, other_json, strlen(other_json)));
    static const char warn_json[] =
        "{\"emzaPolicy\": 1, \"name\": \"warn\", \"timestamps\": {\"trustedTsas\": "
        "{\"level\": \"WARN\", \"any\": false}}}";
    assert_ok(emza_policy_parse(&warn, warn_json, strlen(warn_json)));

    emza__tsp_context cx = {g_trust, {NULL, NULL}, 0, 1, listed, NULL, NULL};
    cx.validation_time = g_now;
    emza__tsp_validation v;
    assert_ok(emza__tsp_validate(&v, token.data, token.len, (const uint8_t *)data,
                                 sizeof(data) - 1, &cx));
    assert_int_equal(v.indication, EMZA_TOTAL_PASSED);
    emza__tsp_validation_free(&v);

    cx.policy = other;
    assert_ok(emza__tsp_validate(&v, token.data, token.len, (const uint8_t *)data,
                                 sizeof(data) - 1, &cx));
    assert_int_equal(v.indication, EMZA_INDETERMINATE);
    assert_int_equal(v.sub, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE);
    assert_non_null(strstr(v.message, "not among the TSAs the policy \"other\" trusts"));
    emza__tsp_validation_free(&v);

    cx.policy = warn;
    assert_ok(emza__tsp_validate(&v, token.data, token.len, (const uint8_t *)data,
                                 sizeof(data) - 1, &cx));
    assert_int_equal(v.indication, EMZA_TOTAL_PASSED);
    int found = 0;
    for (size_t i = 0; i < v.warnings.count; i++)
        found |= strcmp(v.warnings.items[i].code, "TSA_NOT_TRUSTED") == 0;
    assert_true(found);
    emza__tsp_validation_free(&v);

    emza_policy_free(listed);
    emza_policy_free(other);
    emza_policy_free(warn);
    emza_cert_free(tsa);
    emza__buf_free(&token);
}

/* ------------------------------------------------------------------------ */
/* CAdES level T                                                             */
/* ------------------------------------------------------------------------ */

static void test_cades_t__round_trip_detached_and_attached(void **state)
{
    (void)state;
    const char *dir = test_dir("t-round-trip");
    const char *data = in(dir, "deed.pdf");
    write_file(data, "%PDF the deed\n", 14);
    tsa_server s;
    tsa_setup setup = {0};
    tsa_start(&s, &setup);
    static const struct {
        const char *who;
        emza_format format;
        const char *file;
        int pss;
    } cases[] = {
        {"citizen-ec", EMZA_FORMAT_CADES_DETACHED, "deed.pdf.p7s", 0},
        {"citizen-rsa", EMZA_FORMAT_CADES_ATTACHED, "deed.pdf.p7m", 0},
        {"citizen-rsa", EMZA_FORMAT_CADES_DETACHED, "pss.p7s", 1},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        emza_sign_options o = t_options(cases[i].format, s.url, g_now - 60);
        o.rsa_pss = cases[i].pss;
        const char *out = in(dir, cases[i].file);
        int64_t before = (int64_t)time(NULL);
        sign_ok(cases[i].who, &o, data, out);
        int64_t after = (int64_t)time(NULL);
        emza_report *r = verify_at(out, cases[i].format == EMZA_FORMAT_CADES_DETACHED ? data : NULL,
                                   after + 1);
        assert_int_equal(emza_report_signature_count(r), 1);
        const emza_signature_report *sig = emza_report_signature(r, 0);
        check_verdict(sig, EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
        assert_string_equal(emza_signature_level(sig), "CAdES-BASELINE-T");
        assert_int_equal(emza_signature_timestamp_count(sig), 1);
        check_timestamp(sig, 0, "PASSED", "Emza Test TSA");
        int64_t gen = emza_signature_timestamp_time(sig, 0);
        assert_true(gen >= before - 1 && gen <= after + 1);
        assert_int_equal(emza_signature_best_signature_time(sig), gen);
        assert_false(ts_sig_has_warning(sig, "TIMESTAMP_NOT_VALIDATED"));
        emza_report_free(r);
    }
    tsa_stop(&s);
}

static void test_cades_t__parallel_and_countersignatures_are_stamped(void **state)
{
    (void)state;
    const char *dir = test_dir("t-parallel");
    const char *data = in(dir, "deed.pdf");
    write_file(data, "the deed", 8);
    tsa_server s;
    tsa_setup setup = {0};
    tsa_start(&s, &setup);
    emza_sign_options b = EMZA_SIGN_OPTIONS_INIT;
    b.format = EMZA_FORMAT_CADES_DETACHED;
    sign_ok("citizen-ec", &b, data, in(dir, "one.p7s"));
    emza_sign_options o = t_options(EMZA_FORMAT_CADES_DETACHED, s.url, g_now - 60);
    o.mode = EMZA_SIGN_PARALLEL;
    o.existing = in(dir, "one.p7s");
    sign_ok("citizen-rsa", &o, data, in(dir, "two.p7s"));
    o.mode = EMZA_SIGN_COUNTERSIGN;
    o.existing = in(dir, "two.p7s");
    sign_ok("org-seal", &o, data, in(dir, "three.p7s"));
    tsa_stop(&s);

    emza_report *r = verify_at(in(dir, "three.p7s"), data, (int64_t)time(NULL) + 1);
    /* Two signers, each countersigned by the notary at level T. */
    assert_int_equal(emza_report_signature_count(r), 4);
    size_t t_levels = 0, b_levels = 0;
    for (size_t i = 0; i < 4; i++) {
        const emza_signature_report *sig = emza_report_signature(r, i);
        check_verdict(sig, EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
        if (strcmp(emza_signature_level(sig), "CAdES-BASELINE-T") == 0) {
            t_levels++;
            check_timestamp(sig, 0, "PASSED", "Emza Test TSA");
        } else {
            b_levels++;
            assert_int_equal(emza_signature_timestamp_count(sig), 0);
        }
    }
    assert_int_equal(t_levels, 3); /* the parallel signer and both countersignatures */
    assert_int_equal(b_levels, 1);
    emza_report_free(r);
}

static void test_cades_t__expired_signer_passes_with_a_timestamp_inside_its_validity(void **state)
{
    (void)state;
    const char *dir = test_dir("t-expired");
    const char *data = in(dir, "deed.pdf");
    write_file(data, "signed in 2020", 14);
    tsa_server s;
    tsa_setup setup = {g_tsa_2019, NULL, "ok", T_2020_06_01_0005, NULL, NULL, 0};
    tsa_start(&s, &setup);
    emza_sign_options o = t_options(EMZA_FORMAT_CADES_DETACHED, s.url, T_2020_06_01);
    sign_ok("expired", &o, data, in(dir, "t.p7s"));
    tsa_stop(&s);

    emza_report *r = verify_at(in(dir, "t.p7s"), data, 0);
    const emza_signature_report *sig = emza_report_signature(r, 0);
    check_verdict(sig, EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    assert_string_equal(emza_signature_level(sig), "CAdES-BASELINE-T");
    check_timestamp(sig, 0, "PASSED", "Emza Test TSA 2019");
    assert_int_equal(emza_signature_timestamp_time(sig, 0), T_2020_06_01_0005);
    assert_int_equal(emza_signature_best_signature_time(sig), T_2020_06_01_0005);
    emza_report_free(r);

    /* Without the timestamp: no proof of existence while the certificate was valid. */
    emza_sign_options b = EMZA_SIGN_OPTIONS_INIT;
    b.format = EMZA_FORMAT_CADES_DETACHED;
    b.has_signing_time = 1;
    b.signing_time = T_2020_06_01;
    sign_ok("expired", &b, data, in(dir, "b.p7s"));
    r = verify_at(in(dir, "b.p7s"), data, 0);
    sig = emza_report_signature(r, 0);
    check_verdict(sig, EMZA_INDETERMINATE, EMZA_SUB_OUT_OF_BOUNDS_NO_POE);
    assert_string_equal(emza_signature_level(sig), "CAdES-BASELINE-B");
    assert_int_equal(emza_signature_best_signature_time(sig), g_now);
    emza_report_free(r);
}

static void test_cades_t__a_timestamp_over_other_data_fails_and_gives_no_time(void **state)
{
    (void)state;
    const char *dir = test_dir("t-other-data");
    const char *data = in(dir, "deed.pdf");
    write_file(data, "the deed", 8);
    tsa_server s;
    tsa_setup setup = {g_tsa_2019, NULL, "ok", T_2020_06_01_0005, NULL, NULL, 0};
    tsa_start(&s, &setup);
    /* Two signatures by `expired` in 2020; the token of the first moved onto the second. */
    emza_sign_options o = t_options(EMZA_FORMAT_CADES_DETACHED, s.url, T_2020_06_01);
    sign_ok("expired", &o, data, in(dir, "first.p7s"));
    tsa_stop(&s);
    emza_sign_options b = EMZA_SIGN_OPTIONS_INIT;
    b.format = EMZA_FORMAT_CADES_DETACHED;
    b.has_signing_time = 1;
    b.signing_time = T_2020_06_01;
    sign_ok("expired", &b, data, in(dir, "second-b.p7s"));
    size_t len = 0;
    uint8_t *token = embedded_token(in(dir, "first.p7s"), &len);
    add_tokens(in(dir, "second-b.p7s"), in(dir, "second.p7s"), token, len, 1);
    free(token);

    emza_report *r = verify_at(in(dir, "second.p7s"), data, 0);
    const emza_signature_report *sig = emza_report_signature(r, 0);
    check_timestamp(sig, 0, "FAILED", "Emza Test TSA 2019");
    assert_true(ts_sig_has_warning(sig, "TIMESTAMP_FAILED"));
    /* No proof of time: validated now, when the certificate has expired. */
    check_verdict(sig, EMZA_INDETERMINATE, EMZA_SUB_OUT_OF_BOUNDS_NO_POE);
    assert_int_equal(emza_signature_best_signature_time(sig), g_now);
    assert_string_equal(emza_signature_level(sig), "CAdES-BASELINE-T");
    emza_report_free(r);

    /* With a valid certificate the signature itself still passes, warned. */
    tsa_setup now_setup = {0};
    tsa_start(&s, &now_setup);
    emza_sign_options t = t_options(EMZA_FORMAT_CADES_DETACHED, s.url, g_now - 60);
    sign_ok("citizen-ec", &t, data, in(dir, "ec-t.p7s"));
    tsa_stop(&s);
    emza_sign_options eb = EMZA_SIGN_OPTIONS_INIT;
    eb.format = EMZA_FORMAT_CADES_DETACHED;
    sign_ok("citizen-ec", &eb, data, in(dir, "ec-b.p7s"));
    token = embedded_token(in(dir, "ec-t.p7s"), &len);
    add_tokens(in(dir, "ec-b.p7s"), in(dir, "ec-moved.p7s"), token, len, 1);
    free(token);
    r = verify_at(in(dir, "ec-moved.p7s"), data, (int64_t)time(NULL) + 1);
    sig = emza_report_signature(r, 0);
    check_verdict(sig, EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    check_timestamp(sig, 0, "FAILED", "Emza Test TSA");
    assert_true(ts_sig_has_warning(sig, "TIMESTAMP_FAILED"));
    emza_report_free(r);
}

static void test_cades_t__an_untrusted_tsa_is_indeterminate_and_the_time_falls_back(void **state)
{
    (void)state;
    const char *dir = test_dir("t-untrusted");
    const char *data = in(dir, "deed.pdf");
    write_file(data, "the deed", 8);
    tsa_server s;
    tsa_setup setup = {g_tsa_untrusted, pki("untrusted.chain.pem"), "ok", 0, NULL, NULL, 0};
    tsa_start(&s, &setup);
    emza_sign_options o = t_options(EMZA_FORMAT_CADES_DETACHED, s.url, g_now - 60);
    sign_ok("citizen-ec", &o, data, in(dir, "u.p7s"));
    tsa_stop(&s);
    int64_t at = (int64_t)time(NULL) + 1;
    emza_report *r = verify_at(in(dir, "u.p7s"), data, at);
    const emza_signature_report *sig = emza_report_signature(r, 0);
    check_verdict(sig, EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    check_timestamp(sig, 0, "INDETERMINATE", "Emza Untrusted TSA");
    assert_true(ts_sig_has_warning(sig, "TIMESTAMP_INDETERMINATE"));
    assert_int_equal(emza_signature_best_signature_time(sig), at);
    emza_report_free(r);
}

static void test_cades_t__a_signing_time_after_the_timestamp_is_an_order_failure(void **state)
{
    (void)state;
    const char *dir = test_dir("t-order");
    const char *data = in(dir, "deed.pdf");
    write_file(data, "the deed", 8);
    tsa_server s;
    tsa_setup setup = {g_tsa_2019, NULL, "ok", T_2020_06_01_0005, NULL, NULL, 0};
    tsa_start(&s, &setup);
    /* Signing refuses to claim a time after the TSA's. */
    emza_sign_options o = t_options(EMZA_FORMAT_CADES_DETACHED, s.url, g_now - 60);
    assert_error(sign_one("citizen-ec", &o, data, in(dir, "refused.p7s")), EMZA_EINVAL);
    assert_message_has("after the timestamp's time");
    assert_false(file_exists(in(dir, "refused.p7s")));
    /*
     * Made by hand, the verifier finds the incoherence: `expired` claims
     * 2020-12-01, the TSA stamped its signature value on 2020-06-01.
     */
    emza_sign_options b = EMZA_SIGN_OPTIONS_INIT;
    b.format = EMZA_FORMAT_CADES_DETACHED;
    b.has_signing_time = 1;
    b.signing_time = T_2020_12_01;
    sign_ok("expired", &b, data, in(dir, "b.p7s"));
    size_t len = 0;
    uint8_t *value = signature_value(in(dir, "b.p7s"), &len);
    emza_buf token;
    stamp(&token, NULL, s.url, value, len);
    free(value);
    add_tokens(in(dir, "b.p7s"), in(dir, "order.p7s"), token.data, token.len, 1);
    emza__buf_free(&token);
    emza_report *r = verify_at(in(dir, "order.p7s"), data, 0);
    const emza_signature_report *sig = emza_report_signature(r, 0);
    check_timestamp(sig, 0, "PASSED", "Emza Test TSA 2019");
    assert_int_equal(emza_signature_best_signature_time(sig), T_2020_06_01_0005);
    check_verdict(sig, EMZA_INDETERMINATE, EMZA_SUB_TIMESTAMP_ORDER_FAILURE);
    assert_string_equal(emza_signature_error_code(sig, 0), "SIGNING_TIME_AFTER_TIMESTAMP");
    emza_report_free(r);

    /*
     * citizen-ec claiming now, stamped in 2020: the timestamp proves the
     * signature existed before the certificate did. The chain's verdict at
     * the best signature time ranks first (TOTAL_FAILED/NOT_YET_VALID); the
     * order failure is reported too.
     */
    b.signing_time = g_now - 60;
    sign_ok("citizen-ec", &b, data, in(dir, "ec.p7s"));
    value = signature_value(in(dir, "ec.p7s"), &len);
    stamp(&token, NULL, s.url, value, len);
    free(value);
    tsa_stop(&s);
    add_tokens(in(dir, "ec.p7s"), in(dir, "ec-order.p7s"), token.data, token.len, 1);
    emza__buf_free(&token);
    r = verify_at(in(dir, "ec-order.p7s"), data, 0);
    sig = emza_report_signature(r, 0);
    check_verdict(sig, EMZA_TOTAL_FAILED, EMZA_SUB_NOT_YET_VALID);
    int order = 0;
    for (size_t i = 0; i < emza_signature_error_count(sig); i++)
        order |= strcmp(emza_signature_error_code(sig, i), "SIGNING_TIME_AFTER_TIMESTAMP") == 0;
    assert_true(order);
    emza_report_free(r);

    /* Within the clock skew the order holds. */
    tsa_setup close_setup = {g_tsa_2019, NULL, "ok", T_2020_06_01, NULL, NULL, 0};
    tsa_start(&s, &close_setup);
    o = t_options(EMZA_FORMAT_CADES_DETACHED, s.url, T_2020_06_01 + EMZA_TSP_CLOCK_SKEW_MAX);
    sign_ok("expired", &o, data, in(dir, "skew.p7s"));
    tsa_stop(&s);
    r = verify_at(in(dir, "skew.p7s"), data, 0);
    check_verdict(emza_report_signature(r, 0), EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    emza_report_free(r);
}

static void test_cades_t__the_earliest_passed_timestamp_is_the_best_time(void **state)
{
    (void)state;
    const char *dir = test_dir("t-earliest");
    const char *data = in(dir, "deed.pdf");
    write_file(data, "the deed", 8);
    emza_sign_options b = EMZA_SIGN_OPTIONS_INIT;
    b.format = EMZA_FORMAT_CADES_DETACHED;
    b.has_signing_time = 1;
    b.signing_time = T_2020_06_01;
    sign_ok("expired", &b, data, in(dir, "b.p7s"));
    size_t len = 0;
    uint8_t *value = signature_value(in(dir, "b.p7s"), &len);
    emza_buf late, early;
    tsa_server s;
    tsa_setup late_setup = {g_tsa_2019, NULL, "ok", T_2020_06_01 + 86400, NULL, NULL, 0};
    tsa_start(&s, &late_setup);
    stamp(&late, NULL, s.url, value, len);
    tsa_stop(&s);
    tsa_setup early_setup = {g_tsa_2019, NULL, "ok", T_2020_06_01_0005, NULL, NULL, 0};
    tsa_start(&s, &early_setup);
    stamp(&early, NULL, s.url, value, len);
    tsa_stop(&s);
    free(value);
    add_tokens(in(dir, "b.p7s"), in(dir, "one.p7s"), late.data, late.len, 1);
    add_tokens(in(dir, "one.p7s"), in(dir, "two.p7s"), early.data, early.len, 1);
    emza_report *r = verify_at(in(dir, "two.p7s"), data, 0);
    const emza_signature_report *sig = emza_report_signature(r, 0);
    check_verdict(sig, EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    assert_int_equal(emza_signature_timestamp_count(sig), 2);
    assert_int_equal(emza_signature_best_signature_time(sig), T_2020_06_01_0005);
    emza_report_free(r);

    /* More than EMZA_TSP_TIMESTAMPS_MAX timestamps on one signature: a limit error. */
    add_tokens(in(dir, "b.p7s"), in(dir, "many.p7s"), early.data, early.len,
               EMZA_TSP_TIMESTAMPS_MAX);
    r = verify_at(in(dir, "many.p7s"), data, 0);
    assert_int_equal(emza_signature_timestamp_count(emza_report_signature(r, 0)),
                     EMZA_TSP_TIMESTAMPS_MAX);
    emza_report_free(r);
    add_tokens(in(dir, "b.p7s"), in(dir, "too-many.p7s"), early.data, early.len,
               EMZA_TSP_TIMESTAMPS_MAX + 1);
    emza_verify_options vo = EMZA_VERIFY_OPTIONS_INIT;
    const char *paths[1] = {data};
    vo.trust = g_trust;
    vo.offline = 1;
    vo.data_paths = paths;
    vo.data_count = 1;
    emza_report *none = NULL;
    assert_error(emza_verify_file(&none, in(dir, "too-many.p7s"), &vo), EMZA_ELIMIT);
    assert_null(none);
    emza__buf_free(&late);
    emza__buf_free(&early);
}

static void test_cades_t__a_malformed_timestamp_attribute_is_a_failed_entry(void **state)
{
    (void)state;
    const char *dir = test_dir("t-malformed");
    const char *data = in(dir, "deed.pdf");
    write_file(data, "the deed", 8);
    emza_sign_options b = EMZA_SIGN_OPTIONS_INIT;
    b.format = EMZA_FORMAT_CADES_DETACHED;
    sign_ok("citizen-ec", &b, data, in(dir, "b.p7s"));
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x05};
    add_tokens(in(dir, "b.p7s"), in(dir, "junk.p7s"), junk, sizeof(junk), 1);
    emza_report *r = verify_at(in(dir, "junk.p7s"), data, 0);
    const emza_signature_report *sig = emza_report_signature(r, 0);
    check_verdict(sig, EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    check_timestamp(sig, 0, "FAILED", NULL);
    assert_int_equal(emza_signature_timestamp_time(sig, 0), 0);
    assert_true(ts_sig_has_warning(sig, "TIMESTAMP_FAILED"));
    emza_report_free(r);
}

static void test_cades_t__network_failures_leave_no_output(void **state)
{
    (void)state;
    const char *dir = test_dir("t-network");
    const char *data = in(dir, "deed.pdf");
    write_file(data, "the deed", 8);
    char url[64];
    dead_url(url, sizeof(url));
    emza_sign_options o = t_options(EMZA_FORMAT_CADES_DETACHED, url, g_now - 60);
    o.timeout_seconds = 2;
    assert_error(sign_one("citizen-ec", &o, data, in(dir, "down.p7s")), EMZA_ENETWORK);

    tsa_server s;
    tsa_setup slow = {NULL, NULL, "slow", 0, "30", NULL, 0};
    tsa_start(&s, &slow);
    o.tsa_url = s.url;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    assert_error(sign_one("citizen-ec", &o, data, in(dir, "slow.p7s")), EMZA_ENETWORK);
    assert_true(seconds_since(&start) < 8.0);
    tsa_stop(&s);

    tsa_setup huge = {NULL, NULL, "huge", 0, NULL, NULL, 0};
    tsa_start(&s, &huge);
    o.tsa_url = s.url;
    int rc = sign_one("citizen-ec", &o, data, in(dir, "huge.p7s"));
    assert_true(rc == EMZA_ELIMIT || rc == EMZA_ENETWORK);
    tsa_stop(&s);

    tsa_setup replay = {NULL, NULL, "replay", 0, NULL, NULL, 0};
    tsa_start(&s, &replay);
    o = t_options(EMZA_FORMAT_CADES_DETACHED, s.url, g_now - 60);
    sign_ok("citizen-rsa", &o, data, in(dir, "first.p7s")); /* RSA: the same value twice */
    assert_error(sign_one("citizen-rsa", &o, data, in(dir, "replayed.p7s")), EMZA_ECRYPTO);
    assert_message_has("nonce");
    tsa_stop(&s);

    /* Offline: an application whose transport has no network. */
    inproc x = {0};
    x.fail = EMZA_ENETWORK;
    o = t_options(EMZA_FORMAT_CADES_ATTACHED, "http://tsa.invalid/", g_now - 60);
    o.transport = inproc_transport;
    o.transport_ctx = &x;
    assert_error(sign_one("citizen-ec", &o, data, in(dir, "offline.p7m")), EMZA_ENETWORK);
    assert_int_equal(x.calls, 1);
    /* ... and one whose transport answers with a good TSA. */
    x.fail = 0;
    sign_ok("citizen-ec", &o, data, in(dir, "routed.p7m"));
    emza_report *r = verify_at(in(dir, "routed.p7m"), NULL, (int64_t)time(NULL) + 1);
    check_timestamp(emza_report_signature(r, 0), 0, "PASSED", "Emza Test TSA");
    emza_report_free(r);

    check_no_leftovers(dir, 3); /* deed.pdf, first.p7s, routed.p7m: nothing from the failures */
}

static void test_cades_t__levels_and_formats_this_build_cannot_make(void **state)
{
    (void)state;
    const char *dir = test_dir("t-unsupported");
    const char *data = in(dir, "deed.xml");
    write_file(data, "<deed/>", 7);
    emza_sign_options o = t_options(EMZA_FORMAT_CADES_DETACHED, NULL, g_now - 60);
    assert_error(sign_one("citizen-ec", &o, data, in(dir, "x.p7s")), EMZA_EUNSUPPORTED);
    assert_message_has("tsa_url");
    o.tsa_url = "";
    assert_error(sign_one("citizen-ec", &o, data, in(dir, "x.p7s")), EMZA_EUNSUPPORTED);
    /* XAdES is made at level T (tests/interop/xades_lt_test.py); a TSA that is down fails it. */
    o = t_options(EMZA_FORMAT_XADES_ENVELOPED, "http://127.0.0.1:1/", g_now - 60);
    assert_error(sign_one("citizen-ec", &o, data, in(dir, "x.xml")), EMZA_ENETWORK);
    o.level = EMZA_LEVEL_LT;
    assert_error(sign_one("citizen-ec", &o, data, in(dir, "x.xml")), EMZA_ENETWORK);
    /* CAdES LT and LTA are made (lt_test.py); without a reachable TSA they fail and write nothing. */
    o = t_options(EMZA_FORMAT_CADES_DETACHED, "http://127.0.0.1:1/", g_now - 60);
    o.level = EMZA_LEVEL_LT;
    assert_error(sign_one("citizen-ec", &o, data, in(dir, "x.p7s")), EMZA_ENETWORK);
    o.level = EMZA_LEVEL_LTA;
    assert_error(sign_one("citizen-ec", &o, data, in(dir, "x.p7s")), EMZA_ENETWORK);
    o.level = EMZA_LEVEL_LT;
    o.mode = EMZA_SIGN_COUNTERSIGN;
    o.existing = data;
    assert_error(sign_one("citizen-ec", &o, data, in(dir, "x.p7s")), EMZA_EUNSUPPORTED);
    check_no_leftovers(dir, 1);
}

/* ------------------------------------------------------------------------ */
/* CAdES fixes that came with level T (cades_verify.c)                       */
/* ------------------------------------------------------------------------ */

/*
 * Writes `from` with a chain of `depth` countersignatures by citizen-ec, each
 * countersigning the one before (the first countersigns signer 0), to `to`.
 */
static void nest_countersignatures(const char *from, const char *to, int depth)
{
    size_t file_len = 0;
    uint8_t *file = read_all(from, &file_len);
    const unsigned char *p = file;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)file_len);
    assert_non_null(cms);
    CMS_SignerInfo *top = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    X509 *x = ossl_cert_at(pki("citizen-ec.cert.pem"));
    EVP_PKEY *key = ossl_key("citizen-ec");
    CMS_ContentInfo *holders[16] = {NULL};
    CMS_SignerInfo *sis[16] = {NULL};
    assert_true(depth >= 1 && depth <= 16);
    const ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(top);
    for (int i = 0; i < depth; i++) {
        holders[i] = CMS_sign(NULL, NULL, NULL, NULL, CMS_PARTIAL | CMS_DETACHED | CMS_BINARY);
        assert_non_null(holders[i]);
        sis[i] = CMS_add1_signer(holders[i], x, key, EVP_sha256(),
                                 CMS_PARTIAL | CMS_NOATTR | CMS_NOCERTS | CMS_BINARY);
        assert_non_null(sis[i]);
        unsigned char digest[32];
        assert_int_equal(EVP_Digest(ASN1_STRING_get0_data(value), (size_t)ASN1_STRING_length(value),
                                    digest, NULL, EVP_sha256(), NULL),
                         1);
        assert_int_equal(CMS_signed_add1_attr_by_NID(sis[i], NID_pkcs9_messageDigest,
                                                     V_ASN1_OCTET_STRING, digest, 32),
                         1);
        ASN1_TIME *when = ASN1_TIME_set(NULL, (time_t)g_now - 60);
        assert_non_null(when);
        assert_int_equal(CMS_signed_add1_attr_by_NID(sis[i], NID_pkcs9_signingTime, when->type,
                                                     when, -1),
                         1);
        ASN1_TIME_free(when);
        /* OpenSSL's own signing insists on a content-type, which a countersignature must not
           have (RFC 5652 11.4): sign the DER of the signed attributes here. */
        emza_buf tbs;
        emza__buf_init(&tbs, 1u << 20);
        assert_ok(emza__cades_signed_attrs_der(sis[i], &tbs));
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        unsigned char sig[256];
        size_t sig_len = sizeof(sig);
        assert_non_null(md);
        assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key), 1);
        assert_int_equal(EVP_DigestSign(md, sig, &sig_len, tbs.data, tbs.len), 1);
        EVP_MD_CTX_free(md);
        emza__buf_free(&tbs);
        assert_int_equal(
            ASN1_OCTET_STRING_set(CMS_SignerInfo_get0_signature(sis[i]), sig, (int)sig_len), 1);
        value = CMS_SignerInfo_get0_signature(sis[i]);
    }
    /* Innermost first: each one goes into the unsigned attributes of the one it countersigns. */
    for (int i = depth - 1; i >= 0; i--) {
        emza_buf der;
        emza__buf_init(&der, 1u << 24);
        assert_ok(emza__cades_to_der(holders[i], &der));
        emza_span signer_info;
        assert_ok(emza__cades_first_signer_info(der.data, der.len, &signer_info));
        CMS_SignerInfo *target = i == 0 ? top : sis[i - 1];
        assert_int_equal(CMS_unsigned_add1_attr_by_NID(target, NID_pkcs9_countersignature,
                                                       V_ASN1_SEQUENCE, signer_info.data,
                                                       (int)signer_info.len),
                         1);
        emza__buf_free(&der);
    }
    STACK_OF(X509) *have = CMS_get1_certs(cms);
    int present = 0;
    for (int i = 0; i < sk_X509_num(have); i++)
        present |= X509_cmp(sk_X509_value(have, i), x) == 0;
    sk_X509_pop_free(have, X509_free);
    if (!present)
        assert_int_equal(CMS_add1_cert(cms, x), 1);
    unsigned char *out = NULL;
    int n = i2d_CMS_ContentInfo(cms, &out);
    assert_true(n > 0);
    write_file(to, out, (size_t)n);
    OPENSSL_free(out);
    for (int i = 0; i < depth; i++)
        CMS_ContentInfo_free(holders[i]);
    EVP_PKEY_free(key);
    X509_free(x);
    CMS_ContentInfo_free(cms);
    free(file);
}

/*
 * (Belongs with tests/unit/cades_test.c, which another session owns: the
 * limit came with the nested-countersignature fix in cades_verify.c.)
 */
static void test_cades_verify__nested_countersignatures_up_to_the_depth_limit(void **state)
{
    (void)state;
    const char *dir = test_dir("nested-depth");
    const char *data = in(dir, "deed.pdf");
    write_file(data, "the deed", 8);
    emza_sign_options b = EMZA_SIGN_OPTIONS_INIT;
    b.format = EMZA_FORMAT_CADES_DETACHED;
    sign_ok("citizen-rsa", &b, data, in(dir, "b.p7s"));
    nest_countersignatures(in(dir, "b.p7s"), in(dir, "deep.p7s"),
                           EMZA_CADES_COUNTERSIGNATURE_DEPTH_MAX);
    emza_report *r = verify_at(in(dir, "deep.p7s"), data, 0);
    assert_int_equal(emza_report_signature_count(r), 1 + EMZA_CADES_COUNTERSIGNATURE_DEPTH_MAX);
    for (size_t i = 0; i < emza_report_signature_count(r); i++)
        check_verdict(emza_report_signature(r, i), EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    emza_report_free(r);

    nest_countersignatures(in(dir, "b.p7s"), in(dir, "deeper.p7s"),
                           EMZA_CADES_COUNTERSIGNATURE_DEPTH_MAX + 1);
    emza_verify_options vo = EMZA_VERIFY_OPTIONS_INIT;
    const char *paths[1] = {data};
    vo.trust = g_trust;
    vo.offline = 1;
    vo.data_paths = paths;
    vo.data_count = 1;
    r = NULL;
    assert_error(emza_verify_file(&r, in(dir, "deeper.p7s"), &vo), EMZA_ELIMIT);
    assert_null(r);
}

/* Every test stops the TSAs it started, even when it fails. */

/* ------------------------------------------------------------------------ */
/* CAdES-LTA and emza_extend (cades_extend.c, cades_archive.c)              */
/* ------------------------------------------------------------------------ */

static size_t count_timestamps(const emza_signature_report *sig, const char *type,
                               const char *indication)
{
    size_t n = 0;
    for (size_t i = 0; i < emza_signature_timestamp_count(sig); i++)
        n += strcmp(emza_signature_timestamp_type(sig, i), type) == 0 &&
             strcmp(emza_signature_timestamp_indication(sig, i), indication) == 0;
    return n;
}

static int has_error(const emza_signature_report *sig, const char *code)
{
    for (size_t i = 0; i < emza_signature_error_count(sig); i++)
        if (strcmp(emza_signature_error_code(sig, i), code) == 0)
            return 1;
    return 0;
}

static emza_extend_options x_options(emza_level level, const char *url)
{
    emza_extend_options o = EMZA_EXTEND_OPTIONS_INIT;
    o.level = level;
    o.tsa_url = url;
    o.timeout_seconds = 5;
    return o;
}

static void test_cades_lta__signed_verified_and_stamped_again(void **state)
{
    (void)state;
    const char *dir = test_dir("lta");
    const char *data = in(dir, "deed.txt");
    write_file(data, "archived", 8);
    tsa_server s;
    tsa_setup setup = {0};
    tsa_start(&s, &setup);
    emza_sign_options o = t_options(EMZA_FORMAT_CADES_ATTACHED, s.url, g_now - 60);
    o.level = EMZA_LEVEL_LTA; /* no trust given: the root in the PKCS#12 is the anchor */
    sign_ok("citizen-rsa", &o, data, in(dir, "lta.p7m"));
    emza_extend_options x = x_options(EMZA_LEVEL_LTA, s.url);
    assert_ok(emza_extend(in(dir, "lta.p7m"), &x, in(dir, "lta2.p7m")));
    tsa_stop(&s);

    emza_report *r = verify_at(in(dir, "lta.p7m"), NULL, (int64_t)time(NULL) + 1);
    const emza_signature_report *sig = emza_report_signature(r, 0);
    check_verdict(sig, EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    assert_string_equal(emza_signature_level(sig), "CAdES-BASELINE-LTA");
    assert_int_equal(count_timestamps(sig, "ARCHIVE", "PASSED"), 1);
    assert_int_equal(count_timestamps(sig, "SIGNATURE", "PASSED"), 1);
    emza_report_free(r);
    r = verify_at(in(dir, "lta2.p7m"), NULL, (int64_t)time(NULL) + 1);
    sig = emza_report_signature(r, 0);
    check_verdict(sig, EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    assert_int_equal(count_timestamps(sig, "ARCHIVE", "PASSED"), 2);
    emza_report_free(r);
    check_no_leftovers(dir, 3);
}

/*
 * An archive timestamp whose ats-hash-index-v3 hashes the covered values with MD5 (its
 * token's imprint is SHA-256): the index is what binds the certificates, revocation values
 * and unsigned attributes, so a weak index algorithm makes it no proof of existence, as a
 * token with a weak imprint is (INDETERMINATE, a warning), never a second PASSED.
 */
static void test_cades_lta__archive_timestamp_with_a_weak_hash_index_proves_nothing(void **state)
{
    (void)state;
    const char *dir = test_dir("lta-weak-index");
    const char *data = in(dir, "deed.txt");
    write_file(data, "archived", 8);
    tsa_server s;
    tsa_setup setup = {0};
    tsa_start(&s, &setup);
    emza_sign_options o = t_options(EMZA_FORMAT_CADES_ATTACHED, s.url, g_now - 60);
    o.level = EMZA_LEVEL_LTA;
    char path[1024];
    snprintf(path, sizeof(path), "%s", in(dir, "lta.p7m"));
    sign_ok("citizen-rsa", &o, data, path);

    /* A second archive timestamp, made as cades_extend.c makes one but with an MD5 index. */
    size_t len = 0;
    uint8_t *file = read_all(path, &len);
    CMS_ContentInfo *cms = NULL;
    assert_ok(emza__cades_read(&cms, file, len));
    emza__cades_layout *l = calloc(1, sizeof(*l));
    emza__cades_signer_layout *sl = calloc(1, sizeof(*sl));
    assert_non_null(l);
    assert_non_null(sl);
    assert_ok(emza__cades_layout_parse(l, file, len));
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    const ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
    assert_ok(emza__cades_layout_find_signer(sl, l, ASN1_STRING_get0_data(value),
                                             (size_t)ASN1_STRING_length(value)));
    emza_buf index, input, token;
    emza__buf_init(&index, 1u << 20);
    emza__buf_init(&input, 1u << 20);
    assert_ok(emza__cades_ats_hash_index(&index, l, sl, EVP_md5()));
    uint8_t digest[32];
    unsigned int digest_len = 0;
    assert_int_equal(EVP_Digest("archived", 8, digest, &digest_len, EVP_sha256(), NULL), 1);
    assert_ok(emza__cades_ats_imprint_input(&input, l, sl, digest, digest_len,
                                            (emza_span){index.data, index.len}));
    emza__tsp_token info;
    stamp(&token, &info, s.url, input.data, input.len);
    emza__tsp_token_free(&info);
    tsa_stop(&s);
    CMS_ContentInfo *tcms = NULL;
    assert_ok(emza__cades_read(&tcms, token.data, token.len));
    assert_int_equal(CMS_unsigned_add1_attr_by_txt(
                         sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(tcms), 0),
                         EMZA_OID_ATS_HASH_INDEX_V3, V_ASN1_SEQUENCE, index.data, (int)index.len),
                     1);
    emza_buf indexed, out;
    emza__buf_init(&indexed, 1u << 20);
    emza__buf_init(&out, 1u << 24);
    assert_ok(emza__cades_to_der(tcms, &indexed));
    assert_int_equal(CMS_unsigned_add1_attr_by_txt(si, EMZA_OID_ARCHIVE_TIMESTAMP_V3,
                                                   V_ASN1_SEQUENCE, indexed.data,
                                                   (int)indexed.len),
                     1);
    assert_ok(emza__cades_to_der(cms, &out));
    write_file(path, out.data, out.len);

    emza_report *r = verify_at(path, NULL, (int64_t)time(NULL) + 1);
    const emza_signature_report *sig = emza_report_signature(r, 0);
    check_verdict(sig, EMZA_TOTAL_PASSED, EMZA_SUB_NONE); /* the first archive timestamp holds */
    assert_int_equal(count_timestamps(sig, "ARCHIVE", "PASSED"), 1);
    assert_int_equal(count_timestamps(sig, "ARCHIVE", "INDETERMINATE"), 1);
    emza_report_free(r);

    CMS_ContentInfo_free(tcms);
    CMS_ContentInfo_free(cms);
    emza__buf_free(&index);
    emza__buf_free(&input);
    emza__buf_free(&token);
    emza__buf_free(&indexed);
    emza__buf_free(&out);
    free(l);
    free(sl);
    free(file);
}

/* Flips the byte `back` bytes before the end of `needle` inside the file at `path`. */
static void flip_inside(const char *path, const uint8_t *needle, size_t needle_len, size_t back)
{
    size_t len = 0;
    uint8_t *file = read_all(path, &len);
    uint8_t *at = NULL;
    for (size_t i = 0; needle_len <= len && i + needle_len <= len && at == NULL; i++)
        if (memcmp(file + i, needle, needle_len) == 0)
            at = file + i;
    assert_non_null(at);
    at[needle_len - back] ^= 0x01;
    write_file(path, file, len);
    free(file);
}

static void test_cades_lta__embedded_values_changed_afterwards_fail(void **state)
{
    (void)state;
    const char *dir = test_dir("lta-changed");
    const char *data = in(dir, "deed.txt");
    write_file(data, "archived", 8);
    tsa_server s;
    tsa_setup setup = {0};
    tsa_start(&s, &setup);
    emza_sign_options o = t_options(EMZA_FORMAT_CADES_DETACHED, s.url, g_now - 60);
    o.level = EMZA_LEVEL_LTA;
    sign_ok("citizen-rsa", &o, data, in(dir, "lta.p7s"));
    tsa_stop(&s);

    /* A byte of the root certificate the signature carries (the trust anchor itself comes
       from the trust store, so only the archive timestamp can notice). */
    size_t root_len = 0;
    uint8_t *root = read_all(pki("trust/root.der"), &root_len);
    flip_inside(in(dir, "lta.p7s"), root, root_len, 10);
    free(root);
    emza_report *r = verify_at(in(dir, "lta.p7s"), data, (int64_t)time(NULL) + 1);
    const emza_signature_report *sig = emza_report_signature(r, 0);
    check_verdict(sig, EMZA_TOTAL_FAILED, EMZA_SUB_HASH_FAILURE);
    assert_true(has_error(sig, "ARCHIVE_TIMESTAMP_MISMATCH"));
    assert_false(has_error(sig, "HASH_MISMATCH")); /* the signature itself is intact */
    emza_report_free(r);
}

static void test_extend__refusals_write_nothing(void **state)
{
    (void)state;
    const char *dir = test_dir("extend-refusals");
    const char *data = in(dir, "deed.txt");
    write_file(data, "to extend", 9);
    const char *b = in(dir, "b.p7s");
    emza_sign_options bo = EMZA_SIGN_OPTIONS_INIT;
    bo.format = EMZA_FORMAT_CADES_DETACHED;
    sign_ok("citizen-rsa", &bo, data, b);
    size_t before_len = 0;
    uint8_t *before = read_all(b, &before_len);
    const char *out = in(dir, "out.p7s");

    emza_extend_options x = x_options(EMZA_LEVEL_T, NULL);
    assert_error(emza_extend(b, &x, out), EMZA_EUNSUPPORTED);
    assert_message_has("time-stamping authority");
    x.level = EMZA_LEVEL_B;
    assert_error(emza_extend(b, &x, out), EMZA_EINVAL);
    x = x_options(EMZA_LEVEL_T, "http://127.0.0.1:1/tsa");
    x.offline = 1;
    assert_error(emza_extend(b, &x, NULL), EMZA_ENETWORK);
    x.version = 99;
    assert_error(emza_extend(b, &x, out), EMZA_EVERSION);
    x = x_options(EMZA_LEVEL_T, "http://127.0.0.1:1/tsa");
    x.digest = "md5";
    assert_error(emza_extend(b, &x, out), EMZA_EINVAL);
    assert_error(emza_extend(NULL, &x, out), EMZA_EINVAL);
    x = x_options(EMZA_LEVEL_LT, "http://127.0.0.1:1/tsa");
    assert_error(emza_extend(data, &x, out), EMZA_EFORMAT);
    write_file(in(dir, "deed.xml"), "<deed/>", 7);
    /* XML goes to the XAdES extension (tests/interop/xades_lt_test.py): no signature in it. */
    assert_error(emza_extend(in(dir, "deed.xml"), &x, out), EMZA_EFORMAT);
    assert_message_has("holds no XML signature");
    assert_error(emza_extend(in(dir, "missing.p7s"), &x, out), EMZA_EIO);
    emza_extend_options init;
    assert_error(emza_extend_options_init(&init, 2), EMZA_EVERSION);
    assert_ok(emza_extend_options_init(&init, EMZA_EXTEND_OPTIONS_VERSION));
    assert_int_equal(init.level, EMZA_LEVEL_LT);

    /* A detached signature's archive timestamp needs its content. */
    tsa_server s;
    tsa_setup setup = {0};
    tsa_start(&s, &setup);
    x = x_options(EMZA_LEVEL_LTA, s.url);
    assert_error(emza_extend(b, &x, out), EMZA_ENOTFOUND);
    assert_message_has("--data");
    const char *paths[1] = {data};
    x.data_paths = paths;
    x.data_count = 1;
    assert_ok(emza_extend(b, &x, out));
    tsa_stop(&s);

    size_t after_len = 0;
    uint8_t *after = read_all(b, &after_len);
    assert_int_equal(after_len, before_len);
    assert_memory_equal(after, before, before_len);
    free(after);
    free(before);
    emza_report *r = verify_at(out, data, (int64_t)time(NULL) + 1);
    check_verdict(emza_report_signature(r, 0), EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    assert_string_equal(emza_signature_level(emza_report_signature(r, 0)), "CAdES-BASELINE-LTA");
    emza_report_free(r);
    check_no_leftovers(dir, 4); /* deed.txt, b.p7s, deed.xml, out.p7s */
}

#define TSA_TEST(f) cmocka_unit_test_teardown(f, stop_leftover_servers)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TSA_TEST(test_tsp_stamp__a_real_tsa_gives_a_token_that_checks),
        TSA_TEST(test_tsp_stamp__the_clock_of_the_tsa_gives_gen_time),
        TSA_TEST(test_tsp_stamp__every_digest_and_ess_v1_are_accepted),
        TSA_TEST(test_tsp_stamp__a_policy_is_asked_for_and_checked),
        TSA_TEST(test_tsp_stamp__a_replayed_response_is_refused),
        TSA_TEST(test_tsp_stamp__another_nonce_or_imprint_is_refused),
        TSA_TEST(test_tsp_stamp__refusals_and_bad_answers_are_errors_in_words),
        TSA_TEST(test_tsp_stamp__a_tsa_certified_after_its_clock_is_refused),
        TSA_TEST(test_tsp_stamp__a_token_without_the_tsa_certificate_is_refused),
        TSA_TEST(test_tsp_stamp__malformed_responses_are_format_errors),
        TSA_TEST(test_tsp_stamp__response_limit_is_enforced),
        TSA_TEST(test_tsp_stamp__offline_sends_nothing),
        TSA_TEST(test_tsp_stamp__server_down_slow_or_huge_fails_in_bounded_time),
        TSA_TEST(test_tsp_token_check__the_tsa_is_identified_by_its_ess_cert_id_not_by_key_fit),
        TSA_TEST(test_tsp_token_check__a_broken_signature_is_sig_crypto_failure),
        TSA_TEST(test_tsp_token_check__a_changed_tst_info_is_a_hash_failure),
        TSA_TEST(test_tsp_token_check__garbage_and_truncations_are_format_failures),
        TSA_TEST(test_tsp_token_check__the_token_limit_is_enforced),
        TSA_TEST(test_tsp_token_check__a_sha1_imprint_is_not_acceptable),
        TSA_TEST(test_tsp_validate__chain_verdicts),
        TSA_TEST(test_tsp_validate__policy_trusted_tsas),
        TSA_TEST(test_cades_t__round_trip_detached_and_attached),
        TSA_TEST(test_cades_t__parallel_and_countersignatures_are_stamped),
        TSA_TEST(test_cades_t__expired_signer_passes_with_a_timestamp_inside_its_validity),
        TSA_TEST(test_cades_t__a_timestamp_over_other_data_fails_and_gives_no_time),
        TSA_TEST(test_cades_t__an_untrusted_tsa_is_indeterminate_and_the_time_falls_back),
        TSA_TEST(test_cades_t__a_signing_time_after_the_timestamp_is_an_order_failure),
        TSA_TEST(test_cades_t__the_earliest_passed_timestamp_is_the_best_time),
        TSA_TEST(test_cades_t__a_malformed_timestamp_attribute_is_a_failed_entry),
        TSA_TEST(test_cades_t__network_failures_leave_no_output),
        TSA_TEST(test_cades_t__levels_and_formats_this_build_cannot_make),
        TSA_TEST(test_cades_verify__nested_countersignatures_up_to_the_depth_limit),
        TSA_TEST(test_cades_lta__signed_verified_and_stamped_again),
        TSA_TEST(test_cades_lta__archive_timestamp_with_a_weak_hash_index_proves_nothing),
        TSA_TEST(test_cades_lta__embedded_values_changed_afterwards_fail),
        TSA_TEST(test_extend__refusals_write_nothing),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
