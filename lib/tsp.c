/*
 * RFC 3161 time-stamps: requests, responses, token checks and validation
 * (tsp.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include <emza/datetime.h>

#include "cades_internal.h"
#include "cert_internal.h"
#include "crypto_policy.h"
#include "trust_internal.h"
#include "tsp.h"
#include "policy_internal.h"
#include "util/der.h"
#include "util/digest.h"
#include "util/guard.h"

/* Longest part of a TSA's status text quoted in an error message. */
#define STATUS_TEXT_QUOTED 120
/* Largest accuracy seconds taken literally (more is capped: it only widens a tolerance). */
#define ACCURACY_SECONDS_CAP 86400

/* ------------------------------------------------------------------------ */
/* token check                                                               */
/* ------------------------------------------------------------------------ */

void emza__tsp_token_free(emza__tsp_token *token)
{
    if (token == NULL)
        return;
    ASN1_INTEGER_free(token->nonce);
    emza_cert_free(token->tsa_cert);
    emza_cert_list_free(token->certs);
    memset(token, 0, sizeof(*token));
}

emza_subindication emza__tsp_verdict_sub(emza__tsp_verdict verdict)
{
    switch (verdict) {
    case EMZA__TSP_OK: return EMZA_SUB_NONE;
    case EMZA__TSP_FORMAT: return EMZA_SUB_FORMAT_FAILURE;
    case EMZA__TSP_HASH: return EMZA_SUB_HASH_FAILURE;
    case EMZA__TSP_SIGNATURE: return EMZA_SUB_SIG_CRYPTO_FAILURE;
    case EMZA__TSP_NO_TSA_CERT: return EMZA_SUB_NO_SIGNING_CERTIFICATE_FOUND;
    case EMZA__TSP_NOT_YET_VALID: return EMZA_SUB_NOT_YET_VALID;
    case EMZA__TSP_EXPIRED: return EMZA_SUB_EXPIRED;
    case EMZA__TSP_WEAK_ALGORITHM: return EMZA_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE;
    }
    return EMZA_SUB_FORMAT_FAILURE; /* fail closed on a value this file does not know */
}

/* Records the first problem found; later ones do not replace it. */
static void verdict(emza__tsp_token *t, emza__tsp_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void verdict(emza__tsp_token *t, emza__tsp_verdict v, const char *fmt, ...)
{
    if (t->verdict != EMZA__TSP_OK)
        return;
    t->verdict = v;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->message, sizeof(t->message), fmt, ap);
    va_end(ap);
    if (n < 0)
        t->message[0] = '\0';
}

static int collect_certs(emza_cert_list *list, CMS_ContentInfo *cms)
{
    STACK_OF(X509) *certs = CMS_get1_certs(cms);
    int rc = EMZA_OK;
    for (int i = 0; certs != NULL && i < sk_X509_num(certs) && rc == EMZA_OK; i++) {
        emza_cert *c = NULL;
        /* A certificate emza cannot read (over a limit, say) is left out: it is not the TSA's. */
        if (emza__cert_from_x509(&c, sk_X509_value(certs, i)) == EMZA_OK) {
            rc = emza_cert_list_add(list, c);
            emza_cert_free(c);
        } else {
            emza_error_clear();
        }
    }
    sk_X509_pop_free(certs, X509_free);
    emza__ossl_clear();
    return rc;
}

/*
 * The TSA certificate: the one the SignerInfo names (issuer and serial, or key
 * identifier) and whose hash is the first ESSCertID(v2) of the token's signed
 * signing-certificate attribute (RFC 3161 2.4.1, RFC 5816). Never a
 * certificate picked because its key verifies the signature.
 */
static int identify_tsa(emza__tsp_token *t, CMS_SignerInfo *si, const emza_cert_list *extra)
{
    if (CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1) < 0 &&
        CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificate, -1) < 0) {
        emza__ossl_clear();
        verdict(t, EMZA__TSP_NO_TSA_CERT,
                "the token has no signing-certificate attribute to identify its TSA");
        return EMZA_OK;
    }
    const emza_cert_list *pools[2] = {t->certs, extra};
    int named_but_other = 0;
    for (size_t p = 0; p < 2; p++) {
        for (size_t i = 0; pools[p] != NULL && i < emza_cert_list_count(pools[p]); i++) {
            const emza_cert *c = emza_cert_list_get(pools[p], i);
            if (CMS_SignerInfo_cert_cmp(si, emza__cert_x509(c)) != 0)
                continue;
            emza__signing_cert_ref ref = EMZA__SIGNING_CERT_MALFORMED;
            int v1 = 0;
            int rc = emza__cades_signing_cert_check(&ref, &v1, si, c);
            if (rc == EMZA_ENOMEM)
                return rc;
            if (rc < 0) {
                /* A hash algorithm that cannot be computed here: the identification fails. */
                emza_error_clear();
                ref = EMZA__SIGNING_CERT_MALFORMED;
            }
            if (ref == EMZA__SIGNING_CERT_MALFORMED) {
                verdict(t, EMZA__TSP_FORMAT,
                        "the token's signing-certificate attribute is malformed or uses an "
                        "unusable hash");
                return EMZA_OK;
            }
            if (ref == EMZA__SIGNING_CERT_DIFFERS) {
                named_but_other = 1;
                continue;
            }
            t->tsa_cert = emza_cert_dup(c);
            return EMZA_OK;
        }
    }
    emza__ossl_clear();
    verdict(t, EMZA__TSP_NO_TSA_CERT, "%s",
            named_but_other ? "the certificate the token's signer names is not the one its "
                              "signing-certificate attribute identifies"
                            : "the TSA's certificate is neither in the token nor among the "
                              "certificates at hand");
    return EMZA_OK;
}

static void read_accuracy(emza__tsp_token *t, TS_TST_INFO *tst)
{
    const TS_ACCURACY *acc = TS_TST_INFO_get_accuracy(tst);
    if (acc == NULL)
        return;
    const ASN1_INTEGER *parts[3] = {TS_ACCURACY_get_seconds(acc), TS_ACCURACY_get_millis(acc),
                                    TS_ACCURACY_get_micros(acc)};
    static const int64_t unit[3] = {1000000, 1000, 1};
    static const long max[3] = {ACCURACY_SECONDS_CAP, 999, 999};
    int64_t total = 0;
    for (int i = 0; i < 3; i++) {
        if (parts[i] == NULL)
            continue;
        long v = ASN1_INTEGER_get(parts[i]);
        if (v < 0)
            v = max[i]; /* negative or too large to read: the widest value */
        if (v > max[i])
            v = max[i];
        total += (int64_t)v * unit[i];
    }
    t->has_accuracy = 1;
    t->accuracy_us = total;
    emza__ossl_clear();
}

/* The signer's digest of the token: its digestAlgorithm. */
static const EVP_MD *signer_md(CMS_SignerInfo *si)
{
    X509_ALGOR *dig = NULL;
    const ASN1_OBJECT *obj = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
    X509_ALGOR_get0(&obj, NULL, NULL, dig);
    const EVP_MD *md = obj ? EVP_get_digestbyobj(obj) : NULL;
    emza__ossl_clear();
    return md;
}

/* Reads the TSTInfo: version, genTime, accuracy, policy, nonce. NULL and a verdict if malformed. */
static TS_TST_INFO *read_tst_info(emza__tsp_token *t, CMS_ContentInfo *cms)
{
    ASN1_OCTET_STRING **content = CMS_get0_content(cms);
    if (content == NULL || *content == NULL || ASN1_STRING_length(*content) <= 0) {
        verdict(t, EMZA__TSP_FORMAT, "the token carries no TSTInfo");
        return NULL;
    }
    const unsigned char *start = ASN1_STRING_get0_data(*content);
    const unsigned char *p = start;
    long len = ASN1_STRING_length(*content);
    TS_TST_INFO *tst = d2i_TS_TST_INFO(NULL, &p, len);
    if (tst == NULL || p != start + len) {
        TS_TST_INFO_free(tst);
        emza__ossl_clear();
        verdict(t, EMZA__TSP_FORMAT, "the token's TSTInfo is malformed");
        return NULL;
    }
    if (TS_TST_INFO_get_version(tst) != 1) {
        verdict(t, EMZA__TSP_FORMAT, "the token's TSTInfo has version %ld, not 1",
                TS_TST_INFO_get_version(tst));
        TS_TST_INFO_free(tst);
        return NULL;
    }
    int64_t when = 0;
    if (emza__asn1_time_to_epoch(&when, TS_TST_INFO_get_time(tst)) != EMZA_OK) {
        emza_error_clear();
        verdict(t, EMZA__TSP_FORMAT, "the token's genTime is not a valid time");
        TS_TST_INFO_free(tst);
        return NULL;
    }
    t->has_time = 1;
    t->gen_time = when;
    read_accuracy(t, tst);
    const ASN1_OBJECT *policy = TS_TST_INFO_get_policy_id(tst);
    if (policy == NULL || OBJ_obj2txt(t->policy, sizeof(t->policy), policy, 1) <= 0 ||
        strlen(t->policy) >= sizeof(t->policy) - 1)
        t->policy[0] = '\0';
    const ASN1_INTEGER *nonce = TS_TST_INFO_get_nonce(tst);
    if (nonce != NULL)
        t->nonce = ASN1_INTEGER_dup(nonce);
    emza__ossl_clear();
    return tst;
}

/* The signed content-type and message-digest of the token's signer against its TSTInfo. */
static int check_signed_digest(emza__tsp_token *t, CMS_ContentInfo *cms, CMS_SignerInfo *si,
                               const EVP_MD *md)
{
    const ASN1_OBJECT *ctype = CMS_signed_get0_data_by_OBJ(
        si, OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT);
    const ASN1_OCTET_STRING *signed_digest = CMS_signed_get0_data_by_OBJ(
        si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING);
    emza__ossl_clear();
    if (ctype == NULL || OBJ_obj2nid(ctype) != NID_id_smime_ct_TSTInfo || signed_digest == NULL) {
        verdict(t, EMZA__TSP_FORMAT,
                "the token's signer lacks the content-type (TSTInfo) or message-digest attribute");
        return EMZA_OK;
    }
    ASN1_OCTET_STRING **content = CMS_get0_content(cms);
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    EMZA_GUARD(emza__digest_bytes(digest, &digest_len, ASN1_STRING_get0_data(*content),
                                  (size_t)ASN1_STRING_length(*content), md));
    if (ASN1_STRING_length(signed_digest) != (int)digest_len ||
        memcmp(ASN1_STRING_get0_data(signed_digest), digest, digest_len) != 0)
        verdict(t, EMZA__TSP_HASH, "the token's TSTInfo does not match the digest its TSA signed");
    return EMZA_OK;
}

/* The message imprint must be the hash of exactly `data`. */
static int check_imprint(emza__tsp_token *t, TS_TST_INFO *tst, const uint8_t *data,
                         size_t data_len, int *out_md_nid)
{
    *out_md_nid = NID_undef;
    TS_MSG_IMPRINT *imprint = TS_TST_INFO_get_msg_imprint(tst);
    X509_ALGOR *alg = imprint ? TS_MSG_IMPRINT_get_algo(imprint) : NULL;
    const ASN1_OCTET_STRING *value = imprint ? TS_MSG_IMPRINT_get_msg(imprint) : NULL;
    const ASN1_OBJECT *obj = NULL;
    if (alg != NULL)
        X509_ALGOR_get0(&obj, NULL, NULL, alg);
    const EVP_MD *md = obj ? EVP_get_digestbyobj(obj) : NULL;
    emza__ossl_clear();
    if (md == NULL || value == NULL) {
        verdict(t, EMZA__TSP_FORMAT, "the token's message imprint uses an unknown hash algorithm");
        return EMZA_OK;
    }
    *out_md_nid = EVP_MD_get_type(md);
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    int rc = emza__digest_bytes(digest, &digest_len, data ? data : (const uint8_t *)"", data_len,
                                md);
    if (rc == EMZA_ENOMEM)
        return rc;
    if (rc < 0) {
        emza_error_clear();
        verdict(t, EMZA__TSP_WEAK_ALGORITHM,
                "the token's message imprint uses a hash this library cannot compute");
        return EMZA_OK;
    }
    if (ASN1_STRING_length(value) != (int)digest_len ||
        memcmp(ASN1_STRING_get0_data(value), digest, digest_len) != 0)
        verdict(t, EMZA__TSP_HASH, "the timestamp is over other data: its message imprint is not "
                                   "the hash of the stamped bytes");
    return EMZA_OK;
}

int emza__tsp_token_check(emza__tsp_token *out, const uint8_t *token, size_t len,
                          const uint8_t *data, size_t data_len, const emza_cert_list *extra)
{
    memset(out, 0, sizeof(*out));
    EMZA_ENSURE_MSG(len <= EMZA_TSP_TOKEN_MAX, EMZA_ELIMIT,
                    "a timestamp token of %zu bytes is longer than the limit of %u bytes", len,
                    EMZA_TSP_TOKEN_MAX);
    int rc = EMZA_OK;
    CMS_ContentInfo *cms = NULL;
    TS_TST_INFO *tst = NULL;
    EMZA_TRY(emza_cert_list_new(&out->certs));

    const unsigned char *p = token;
    if (token != NULL && len > 0)
        cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    emza__ossl_clear();
    if (cms == NULL || p != token + len) {
        verdict(out, EMZA__TSP_FORMAT, "the timestamp token is not a DER CMS structure");
        goto cleanup;
    }
    if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
        OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_id_smime_ct_TSTInfo) {
        verdict(out, EMZA__TSP_FORMAT, "the timestamp token is not SignedData over a TSTInfo");
        goto cleanup;
    }
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    if (sk_CMS_SignerInfo_num(sis) != 1) {
        verdict(out, EMZA__TSP_FORMAT, "a timestamp token has exactly one signer, this one has %d",
                sk_CMS_SignerInfo_num(sis));
        goto cleanup;
    }
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, 0);
    tst = read_tst_info(out, cms);
    if (tst == NULL)
        goto cleanup;
    EMZA_TRY(collect_certs(out->certs, cms));

    /* The signer: its digest, the TSTInfo it signed, who it is, its signature. */
    const EVP_MD *md = signer_md(si);
    if (md == NULL) {
        verdict(out, EMZA__TSP_FORMAT, "the token's signer uses an unknown digest algorithm");
        goto cleanup;
    }
    rc = check_signed_digest(out, cms, si, md);
    if (rc == EMZA_ENOMEM)
        goto cleanup;
    if (rc < 0) {
        emza_error_clear();
        rc = EMZA_OK;
        verdict(out, EMZA__TSP_WEAK_ALGORITHM,
                "the token's signer uses a digest this library cannot compute");
    }
    if (out->verdict != EMZA__TSP_OK)
        goto cleanup;
    EMZA_TRY(identify_tsa(out, si, extra));
    if (out->tsa_cert == NULL)
        goto cleanup;
    CMS_SignerInfo_set1_signer_cert(si, emza__cert_x509(out->tsa_cert));
    int signature_ok = CMS_SignerInfo_verify(si) == 1;
    emza__ossl_clear();
    if (!signature_ok) {
        verdict(out, EMZA__TSP_SIGNATURE,
                "the token's signature does not verify with the TSA certificate's key");
        goto cleanup;
    }

    /* What it stamps, and when. */
    EMZA_TRY(check_imprint(out, tst, data, data_len, &out->imprint_md_nid));
    if (out->verdict != EMZA__TSP_OK)
        goto cleanup;
    char when[32];
    emza_time_format(when, sizeof(when), out->gen_time);
    if (out->gen_time < emza_cert_not_before(out->tsa_cert))
        verdict(out, EMZA__TSP_NOT_YET_VALID,
                "the token's genTime %s is before the TSA certificate's validity", when);
    else if (out->gen_time > emza_cert_not_after(out->tsa_cert))
        verdict(out, EMZA__TSP_EXPIRED,
                "the token's genTime %s is after the TSA certificate expired", when);
    if (out->verdict != EMZA__TSP_OK)
        goto cleanup;

    /* The policy's acceptance of the token's algorithms and the TSA's key. */
    const char *why = NULL;
    char key_why[160];
    if (!emza__policy_digest_ok(EVP_MD_get_type(md), &why))
        verdict(out, EMZA__TSP_WEAK_ALGORITHM, "the token's signature digest is not acceptable: %s",
                why);
    else if (!emza__policy_digest_ok(out->imprint_md_nid, &why))
        verdict(out, EMZA__TSP_WEAK_ALGORITHM, "the token's message imprint is not acceptable: %s",
                why);
    else if (!emza__policy_key_ok(X509_get0_pubkey(emza__cert_x509(out->tsa_cert)), key_why,
                                  sizeof(key_why)))
        verdict(out, EMZA__TSP_WEAK_ALGORITHM, "the TSA's key is not acceptable: %s", key_why);
cleanup:
    TS_TST_INFO_free(tst);
    CMS_ContentInfo_free(cms);
    emza__ossl_clear();
    if (rc < 0)
        emza__tsp_token_free(out);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* request and response                                                      */
/* ------------------------------------------------------------------------ */

/* DER of a TimeStampReq into `*der` (OPENSSL_free), its nonce into `*nonce_out`. */
static int build_request(unsigned char **der, size_t *der_len, ASN1_INTEGER **nonce_out,
                         const EVP_MD *md, const uint8_t *digest, unsigned int digest_len,
                         const char *policy_oid)
{
    *der = NULL;
    *der_len = 0;
    *nonce_out = NULL;
    int rc = EMZA_OK;
    uint8_t imprint[EVP_MAX_MD_SIZE];
    memcpy(imprint, digest, digest_len);
    TS_REQ *req = TS_REQ_new();
    TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    BIGNUM *bn = BN_new();
    ASN1_OBJECT *policy = NULL;
    ASN1_INTEGER *nonce = NULL;
    EMZA_TRY_ENSURE(req && mi && alg && bn, EMZA_ENOMEM, "out of memory");
    X509_ALGOR_set_md(alg, md);
    EMZA_TRY_OSSL(TS_REQ_set_version(req, 1), EMZA_ENOMEM, "cannot build a timestamp request");
    EMZA_TRY_OSSL(TS_MSG_IMPRINT_set_algo(mi, alg), EMZA_ENOMEM,
                  "cannot build a timestamp request");
    EMZA_TRY_OSSL(TS_MSG_IMPRINT_set_msg(mi, imprint, (int)digest_len), EMZA_ENOMEM,
                  "cannot build a timestamp request");
    EMZA_TRY_OSSL(TS_REQ_set_msg_imprint(req, mi), EMZA_ENOMEM, "cannot build a timestamp request");
    /* RFC 3161 2.4.1: a large random nonce ties the response to this request. */
    EMZA_TRY_OSSL(BN_rand(bn, EMZA_TSP_NONCE_BITS, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY),
                  EMZA_ECRYPTO, "cannot draw a nonce");
    nonce = BN_to_ASN1_INTEGER(bn, NULL);
    EMZA_TRY_ENSURE(nonce != NULL, EMZA_ENOMEM, "out of memory");
    EMZA_TRY_OSSL(TS_REQ_set_nonce(req, nonce), EMZA_ENOMEM, "cannot build a timestamp request");
    EMZA_TRY_OSSL(TS_REQ_set_cert_req(req, 1), EMZA_ENOMEM, "cannot build a timestamp request");
    if (policy_oid != NULL) {
        policy = OBJ_txt2obj(policy_oid, 1);
        EMZA_TRY_ENSURE(policy != NULL, EMZA_EINVAL, "the TSA policy '%s' is not an OID",
                        policy_oid);
        EMZA_TRY_OSSL(TS_REQ_set_policy_id(req, policy), EMZA_ENOMEM,
                      "cannot build a timestamp request");
    }
    int n = i2d_TS_REQ(req, der);
    EMZA_TRY_ENSURE(n > 0, EMZA_ENOMEM, "cannot encode the timestamp request");
    *der_len = (size_t)n;
    *nonce_out = nonce;
    nonce = NULL;
cleanup:
    ASN1_INTEGER_free(nonce);
    ASN1_OBJECT_free(policy);
    BN_free(bn);
    X509_ALGOR_free(alg);
    TS_MSG_IMPRINT_free(mi);
    TS_REQ_free(req);
    emza__ossl_clear();
    return rc;
}

static const char *status_word(long status)
{
    switch (status) {
    case TS_STATUS_GRANTED: return "granted";
    case TS_STATUS_GRANTED_WITH_MODS: return "grantedWithMods";
    case TS_STATUS_REJECTION: return "rejection";
    case TS_STATUS_WAITING: return "waiting";
    case TS_STATUS_REVOCATION_WARNING: return "revocationWarning";
    case TS_STATUS_REVOCATION_NOTIFICATION: return "revocationNotification";
    }
    return "unknown";
}

/* "badAlg, timeNotAvailable" from the failure info bits, or "". */
static void failure_words(char *buf, size_t size, const TS_STATUS_INFO *info)
{
    static const struct {
        int bit;
        const char *word;
    } bits[] = {
        {TS_INFO_BAD_ALG, "badAlg"},
        {TS_INFO_BAD_REQUEST, "badRequest"},
        {TS_INFO_BAD_DATA_FORMAT, "badDataFormat"},
        {TS_INFO_TIME_NOT_AVAILABLE, "timeNotAvailable"},
        {TS_INFO_UNACCEPTED_POLICY, "unacceptedPolicy"},
        {TS_INFO_UNACCEPTED_EXTENSION, "unacceptedExtension"},
        {TS_INFO_ADD_INFO_NOT_AVAILABLE, "addInfoNotAvailable"},
        {TS_INFO_SYSTEM_FAILURE, "systemFailure"},
    };
    buf[0] = '\0';
    const ASN1_BIT_STRING *fi = TS_STATUS_INFO_get0_failure_info(info);
    size_t used = 0;
    for (size_t i = 0; fi != NULL && i < EMZA_ARRAY_LEN(bits); i++) {
        if (!ASN1_BIT_STRING_get_bit(fi, bits[i].bit))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", bits[i].word);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}

/* The first status text, printable ASCII only and cut short, or "". */
static void status_text(char *buf, size_t size, const TS_STATUS_INFO *info)
{
    buf[0] = '\0';
    const STACK_OF(ASN1_UTF8STRING) *texts = TS_STATUS_INFO_get0_text(info);
    if (texts == NULL || sk_ASN1_UTF8STRING_num(texts) < 1)
        return;
    const ASN1_UTF8STRING *s = sk_ASN1_UTF8STRING_value(texts, 0);
    const unsigned char *d = ASN1_STRING_get0_data(s);
    size_t n = (size_t)ASN1_STRING_length(s), j = 0;
    for (size_t i = 0; i < n && j + 1 < size && j < STATUS_TEXT_QUOTED; i++)
        buf[j++] = (d[i] >= 0x20 && d[i] < 0x7F) ? (char)d[i] : '?';
    buf[j] = '\0';
}

/*
 * Decodes a TimeStampResp, requires status granted or grantedWithMods, and
 * points `token` at the TimeStampToken's bytes exactly as sent (re-encoding
 * could change what the TSA signed).
 */
static int read_response(emza_span *token, const emza_buf *resp, const char *url)
{
    token->data = NULL;
    token->len = 0;
    EMZA_ENSURE_MSG(resp->len > 0, EMZA_EFORMAT, "%s: the TSA sent an empty answer", url);
    const unsigned char *p = resp->data;
    TS_RESP *r = d2i_TS_RESP(NULL, &p, (long)resp->len);
    if (r == NULL || p != resp->data + resp->len) {
        TS_RESP_free(r);
        emza__ossl_clear();
        EMZA_FAIL(EMZA_EFORMAT, "%s: the answer is not an RFC 3161 TimeStampResp", url);
    }
    TS_STATUS_INFO *info = TS_RESP_get_status_info(r);
    long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(info));
    if (status != TS_STATUS_GRANTED && status != TS_STATUS_GRANTED_WITH_MODS) {
        char fail[160], text[STATUS_TEXT_QUOTED + 1];
        failure_words(fail, sizeof(fail), info);
        status_text(text, sizeof(text), info);
        TS_RESP_free(r);
        emza__ossl_clear();
        EMZA_FAIL(EMZA_ENETWORK, "%s: the TSA did not grant a timestamp: status %s%s%s%s%s%s", url,
                  status_word(status), fail[0] ? " (" : "", fail, fail[0] ? ")" : "",
                  text[0] ? ": " : "", text);
    }
    TS_RESP_free(r);
    emza__ossl_clear();

    /* TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken ContentInfo OPTIONAL } */
    emza_reader outer, fields;
    emza_span body, status_info, content, whole;
    uint8_t tag = 0;
    emza__reader_init(&outer, resp->data, resp->len);
    if (emza__der_expect(&outer, EMZA_DER_SEQUENCE, &body) < 0)
        goto malformed;
    emza__reader_init(&fields, body.data, body.len);
    if (emza__der_expect(&fields, EMZA_DER_SEQUENCE, &status_info) < 0)
        goto malformed;
    EMZA_ENSURE_MSG(fields.left > 0, EMZA_EFORMAT, "%s: the TSA granted a timestamp but sent no "
                                                   "token", url);
    if (emza__der_next_raw(&fields, &tag, &content, &whole) < 0 || tag != EMZA_DER_SEQUENCE)
        goto malformed;
    *token = whole;
    return EMZA_OK;
malformed:
    EMZA_FAIL(EMZA_EFORMAT, "%s: the TimeStampResp is not DER with definite lengths", url);
}

int emza__tsp_stamp(emza_buf *token_out, emza__tsp_token *info, const emza__net *net,
                    const char *url, const EVP_MD *md, const char *policy_oid,
                    const uint8_t *data, size_t len)
{
    emza__buf_init(token_out, EMZA_TSP_TOKEN_MAX);
    emza__tsp_token local;
    emza__tsp_token *t = info != NULL ? info : &local;
    memset(t, 0, sizeof(*t));
    EMZA_ENSURE(net != NULL && url != NULL && md != NULL, EMZA_EINVAL);
    EMZA_ENSURE(data != NULL || len == 0, EMZA_EINVAL);

    int rc = EMZA_OK;
    unsigned char *req = NULL;
    size_t req_len = 0;
    ASN1_INTEGER *nonce = NULL;
    emza_buf resp;
    emza__buf_init(&resp, EMZA_TSP_RESPONSE_MAX);
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    emza_span token;

    EMZA_TRY(emza__digest_bytes(digest, &digest_len, data ? data : (const uint8_t *)"", len, md));
    EMZA_TRY(build_request(&req, &req_len, &nonce, md, digest, digest_len, policy_oid));
    EMZA_TRY(emza__http_exchange(&resp, net, url, "application/timestamp-query", req, req_len,
                                 "application/timestamp-reply", EMZA_TSP_RESPONSE_MAX));
    EMZA_TRY(read_response(&token, &resp, url));
    EMZA_TRY(emza__tsp_token_check(t, token.data, token.len, data, len, NULL));
    if (t->verdict != EMZA__TSP_OK) {
        rc = emza__error_set(t->verdict == EMZA__TSP_FORMAT ? EMZA_EFORMAT : EMZA_ECRYPTO,
                             __FILE__, __LINE__, "%s: the timestamp does not verify: %s", url,
                             t->message);
        goto cleanup;
    }
    /* RFC 3161 2.4.2: the nonce must come back, else the response is not for this request. */
    EMZA_TRY_ENSURE(t->nonce != NULL && ASN1_INTEGER_cmp(t->nonce, nonce) == 0, EMZA_ECRYPTO,
                    "%s: the timestamp does not carry this request's nonce (a replayed or "
                    "foreign response)",
                    url);
    if (policy_oid != NULL) {
        char wanted[EMZA_TSP_OID_MAX];
        ASN1_OBJECT *obj = OBJ_txt2obj(policy_oid, 1);
        int n = obj ? OBJ_obj2txt(wanted, sizeof(wanted), obj, 1) : -1;
        ASN1_OBJECT_free(obj);
        EMZA_TRY_ENSURE(n > 0 && strcmp(wanted, t->policy) == 0, EMZA_ECRYPTO,
                        "%s: the timestamp is under policy %s, not the requested %s", url,
                        t->policy[0] ? t->policy : "(none)", policy_oid);
    }
    /* The imprint was checked against `data`; it must also use the digest asked for. */
    EMZA_TRY_ENSURE(t->imprint_md_nid == EVP_MD_get_type(md), EMZA_ECRYPTO,
                    "%s: the timestamp's imprint is not the %s asked for", url,
                    EVP_MD_get0_name(md));
    EMZA_TRY(emza__buf_append(token_out, token.data, token.len));
cleanup:
    OPENSSL_free(req);
    ASN1_INTEGER_free(nonce);
    emza__buf_free(&resp);
    emza__ossl_clear();
    if (rc < 0) {
        emza__buf_free(token_out);
        emza__tsp_token_free(t);
    } else if (info == NULL) {
        emza__tsp_token_free(&local);
    }
    return rc;
}

/* ------------------------------------------------------------------------ */
/* validation                                                                */
/* ------------------------------------------------------------------------ */

const char *emza__tsp_indication_word(emza_indication indication)
{
    switch (indication) {
    case EMZA_TOTAL_PASSED: return "PASSED";
    case EMZA_TOTAL_FAILED: return "FAILED";
    case EMZA_INDETERMINATE: return "INDETERMINATE";
    }
    return "INDETERMINATE";
}

void emza__tsp_validation_free(emza__tsp_validation *v)
{
    if (v == NULL)
        return;
    emza__tsp_token_free(&v->token);
    emza__findings_free(&v->warnings);
    emza__findings_free(&v->infos);
    memset(v, 0, sizeof(*v));
    v->indication = EMZA_INDETERMINATE;
}

static void set_result(emza__tsp_validation *v, emza_subindication sub, const char *message)
{
    v->sub = sub;
    v->indication = emza_subindication_indication(sub);
    snprintf(v->message, sizeof(v->message), "%s", message ? message : "");
}

/* The policy's trustedTsas: a TSA trusted by the store may still not be one the policy accepts. */
static int check_trusted_tsa(emza__tsp_validation *out, const emza__tsp_context *cx)
{
    const emza_policy *policy = emza__policy_or_default(cx->policy);
    if (emza__policy_tsa_trusted(policy, emza_cert_sha256(out->token.tsa_cert)))
        return EMZA_OK;
    char message[EMZA_FINDING_MESSAGE_MAX];
    snprintf(message, sizeof(message),
             "the TSA %s (SHA-256 %s) is not among the TSAs the policy \"%s\" trusts",
             emza__cert_display_name(out->token.tsa_cert),
             emza_cert_sha256_hex(out->token.tsa_cert), policy->name);
    if (policy->tsa_level != EMZA__LEVEL_FAIL)
        return emza__policy_record(policy->tsa_level, NULL, &out->warnings, &out->infos, 0,
                                   EMZA_SUB_NONE, "TSA_NOT_TRUSTED", "%s", message);
    if (out->indication == EMZA_TOTAL_PASSED)
        set_result(out, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, message);
    return EMZA_OK;
}

int emza__tsp_validate(emza__tsp_validation *out, const uint8_t *token, size_t len,
                       const uint8_t *data, size_t data_len, const emza__tsp_context *cx)
{
    memset(out, 0, sizeof(*out));
    out->indication = EMZA_INDETERMINATE;
    EMZA_ENSURE(cx != NULL, EMZA_EINVAL);
    int rc = EMZA_OK;
    emza_cert_list *pool = NULL, *helpers = NULL;
    emza_chain_result *chain = NULL;

    /* Certificates at hand to identify the TSA and to build its chain. */
    EMZA_TRY(emza_cert_list_new(&pool));
    for (size_t s = 0; s < 2; s++)
        for (size_t i = 0; cx->helpers[s] != NULL && i < emza_cert_list_count(cx->helpers[s]); i++)
            EMZA_TRY(emza_cert_list_add(pool, emza_cert_list_get(cx->helpers[s], i)));

    EMZA_TRY(emza__tsp_token_check(&out->token, token, len, data, data_len, pool));
    if (out->token.verdict != EMZA__TSP_OK) {
        set_result(out, emza__tsp_verdict_sub(out->token.verdict), out->token.message);
        goto cleanup;
    }
    if (cx->trust == NULL) {
        set_result(out, EMZA_SUB_NO_CERTIFICATE_CHAIN_FOUND,
                   "no trust anchors were given to validate the TSA");
        goto cleanup;
    }

    /*
     * ETSI EN 319 102-1 clause 5.4: the TSA's certificate is validated like
     * any other, at the validation time, for the time-stamping purpose. That
     * the TSA was certified when it stamped (genTime within its certificate)
     * was checked with the token.
     */
    EMZA_TRY(emza_cert_list_new(&helpers));
    for (size_t i = 0; i < emza_cert_list_count(out->token.certs); i++)
        EMZA_TRY(emza_cert_list_add(helpers, emza_cert_list_get(out->token.certs, i)));
    for (size_t i = 0; i < emza_cert_list_count(pool); i++)
        EMZA_TRY(emza_cert_list_add(helpers, emza_cert_list_get(pool, i)));
    emza_chain_options copts = EMZA_CHAIN_OPTIONS_INIT;
    copts.has_validation_time = 1;
    copts.validation_time = cx->validation_time;
    copts.purpose = EMZA_PURPOSE_TIMESTAMP;
    copts.untrusted = helpers;
    copts.offline = cx->offline;
    copts.policy = cx->policy;
    if (cx->net != NULL) {
        copts.timeout_seconds = cx->net->timeout_seconds;
        copts.transport = cx->net->transport;
        copts.transport_ctx = cx->net->transport_ctx;
    }
    emza__chain_extra extra = {cx->embedded, NULL, NULL};
    EMZA_TRY(emza__trust_verify_ex(&chain, cx->trust, out->token.tsa_cert, &copts, &extra));
    if (emza_chain_result_indication(chain) == EMZA_TOTAL_PASSED) {
        set_result(out, EMZA_SUB_NONE, NULL);
    } else {
        char message[EMZA_FINDING_MESSAGE_MAX];
        snprintf(message, sizeof(message), "the TSA's chain: %s",
                 emza_chain_result_message(chain));
        set_result(out, emza_chain_result_subindication(chain), message);
    }
    for (size_t i = 0; i < emza_chain_result_warning_count(chain); i++)
        EMZA_TRY(emza__findings_add(&out->warnings, 0, EMZA_SUB_NONE,
                                    emza_chain_result_warning_code(chain, i),
                                    "the TSA's chain: %s",
                                    emza_chain_result_warning_message(chain, i)));
    for (size_t i = 0; i < emza_chain_result_info_count(chain); i++)
        EMZA_TRY(emza__findings_add(&out->infos, 0, EMZA_SUB_NONE,
                                    emza_chain_result_info_code(chain, i), "the TSA's chain: %s",
                                    emza_chain_result_info_message(chain, i)));
    EMZA_TRY(check_trusted_tsa(out, cx));
cleanup:
    emza_chain_result_free(chain);
    emza_cert_list_free(helpers);
    emza_cert_list_free(pool);
    if (rc < 0)
        emza__tsp_validation_free(out);
    return rc;
}

int emza__tsp_check_order(int64_t claimed_time, const emza__tsp_token *token)
{
    int64_t slack = EMZA_TSP_CLOCK_SKEW_MAX + token->accuracy_us / 1000000 + 1;
    if (claimed_time <= token->gen_time + slack)
        return EMZA_OK;
    char claimed[32], stamped[32];
    emza_time_format(claimed, sizeof(claimed), claimed_time);
    emza_time_format(stamped, sizeof(stamped), token->gen_time);
    EMZA_FAIL(EMZA_EINVAL, "the claimed signing time %s is after the timestamp's time %s", claimed,
              stamped);
}
