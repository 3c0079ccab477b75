/*
 * CAdES / CMS verification into the report: every SignerInfo, and every
 * countersignature inside one, is an entry validated in the ETSI order
 * (verify_internal.h): format, signing certificate, cryptography (content
 * digest, then signature), the certificate chain at the best signature time
 * (from the signature timestamps of CAdES-T, validate_timestamps), then the
 * policy's acceptance of the algorithms, then the timestamps' order.
 *
 * Detached content comes from the --data file (matched by name, or the only
 * one given) and is streamed through the digest; attached content is read
 * from the CMS.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <emza/datetime.h>

#include "cades_internal.h"
#include "cert_internal.h"
#include "crypto_policy.h"
#include "sign_internal.h"
#include "tsp.h"
#include "util/der.h"
#include "util/digest.h"
#include "util/guard.h"
#include "verify_internal.h"

/* Digests of the content already computed, one per algorithm. */
#define DIGEST_CACHE_SIZE 4

typedef struct content_source {
    const emza__verify_job *job;
    const uint8_t *bytes; /* attached content, or a countersigned signature value */
    size_t len;
    const char *path;     /* detached content file, or NULL when not available */
    const char *name;     /* for the report */
    struct {
        const EVP_MD *md;
        uint8_t digest[EVP_MAX_MD_SIZE];
        unsigned int len;
    } cache[DIGEST_CACHE_SIZE];
    size_t cached;
} content_source;

typedef struct cms_context {
    const emza__verify_job *job;
    emza_cert_list *embedded; /* certificates the CMS carries */
    const ASN1_OBJECT *econtent_type;
    const emza__cades_layout *layout;  /* where its parts are in its DER; NULL when unknown */
    emza__revocation_values values;    /* the revocation values it carries (in `layout`) */
    emza__net net;                     /* for the TSA chains' revocation requests */
} cms_context;

static int content_available(const content_source *c)
{
    return c->bytes != NULL || c->path != NULL;
}

static int content_digest(const content_source *c_const, const EVP_MD *md, const uint8_t **out,
                          unsigned int *out_len)
{
    content_source *c = (content_source *)(uintptr_t)c_const; /* the cache only */
    for (size_t i = 0; i < c->cached; i++) {
        if (c->cache[i].md == md) {
            *out = c->cache[i].digest;
            *out_len = c->cache[i].len;
            return EMZA_OK;
        }
    }
    size_t slot = c->cached < DIGEST_CACHE_SIZE ? c->cached++ : DIGEST_CACHE_SIZE - 1;
    c->cache[slot].md = md;
    if (c->bytes != NULL)
        EMZA_GUARD(emza__digest_bytes(c->cache[slot].digest, &c->cache[slot].len, c->bytes,
                                      c->len, md));
    else
        EMZA_GUARD(emza__digest_file(c->cache[slot].digest, &c->cache[slot].len, NULL, c->path,
                                     md, c->job->opts->progress, c->job->opts->progress_ctx));
    *out = c->cache[slot].digest;
    *out_len = c->cache[slot].len;
    return EMZA_OK;
}

/* The public-key type and digest a SignerInfo's algorithms stand for. */
static void signer_algorithms(CMS_SignerInfo *si, int *pk_nid, int *md_nid, const EVP_MD **md)
{
    X509_ALGOR *dig = NULL, *sig = NULL;
    const ASN1_OBJECT *obj = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
    X509_ALGOR_get0(&obj, NULL, NULL, dig);
    *md = EVP_get_digestbyobj(obj);
    *md_nid = *md ? EVP_MD_get_type(*md) : NID_undef;
    X509_ALGOR_get0(&obj, NULL, NULL, sig);
    int sig_nid = OBJ_obj2nid(obj), dig_from_sig = NID_undef, pk = NID_undef;
    if (sig_nid == NID_rsassaPss)
        pk = EVP_PKEY_RSA_PSS;
    else if (sig_nid == NID_rsaEncryption)
        pk = EVP_PKEY_RSA;
    else if (sig_nid == NID_X9_62_id_ecPublicKey)
        pk = EVP_PKEY_EC;
    else if (OBJ_find_sigid_algs(sig_nid, &dig_from_sig, &pk) == 1)
        pk = pk == NID_rsaEncryption ? EVP_PKEY_RSA : pk == NID_X9_62_id_ecPublicKey ? EVP_PKEY_EC : pk;
    *pk_nid = pk;
    emza__ossl_clear();
}

/* The signing-time attribute, when present and well-formed. */
static void claimed_time(emza_signature_report *sig, CMS_SignerInfo *si)
{
    int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
    if (idx < 0)
        return;
    X509_ATTRIBUTE *attr = CMS_signed_get_attr(si, idx);
    ASN1_TYPE *value = X509_ATTRIBUTE_get0_type(attr, 0);
    int64_t t = 0;
    if (value != NULL && (value->type == V_ASN1_UTCTIME || value->type == V_ASN1_GENERALIZEDTIME) &&
        emza__asn1_time_to_epoch(&t, (const ASN1_TIME *)value->value.asn1_string) == EMZA_OK)
        emza__sig_set_claimed_time(sig, t);
    emza_error_clear();
    emza__ossl_clear();
}

static const char *mime_type_of(CMS_SignerInfo *si, char *buf, size_t size)
{
    ASN1_OBJECT *oid = OBJ_txt2obj(EMZA_OID_ETS_MIME_TYPE, 1);
    const ASN1_STRING *s = oid ? CMS_signed_get0_data_by_OBJ(si, oid, -3, V_ASN1_UTF8STRING) : NULL;
    ASN1_OBJECT_free(oid);
    emza__ossl_clear();
    if (s == NULL || ASN1_STRING_length(s) <= 0 || (size_t)ASN1_STRING_length(s) >= size)
        return NULL;
    memcpy(buf, ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
    buf[ASN1_STRING_length(s)] = '\0';
    return memchr(buf, '\0', (size_t)ASN1_STRING_length(s)) ? NULL : buf;
}

/*
 * Finds the signing certificate: named by the SignerInfo's identifier and,
 * when the signing-certificate(-v2) attribute is there, the one it hashes.
 * Never any other certificate whose key happens to fit.
 */
static int find_signer(const emza_cert **out, emza_signature_report *sig, CMS_SignerInfo *si,
                       const cms_context *cx, int *out_has_ref)
{
    *out = NULL;
    *out_has_ref = 0;
    const emza_cert_list *pools[2] = {cx->embedded, cx->job->opts->untrusted};
    int named_but_other = 0;
    for (size_t p = 0; p < 2; p++) {
        for (size_t i = 0; pools[p] != NULL && i < emza_cert_list_count(pools[p]); i++) {
            const emza_cert *c = emza_cert_list_get(pools[p], i);
            if (CMS_SignerInfo_cert_cmp(si, emza__cert_x509(c)) != 0)
                continue;
            emza__signing_cert_ref ref;
            int v1 = 0;
            EMZA_GUARD(emza__cades_signing_cert_check(&ref, &v1, si, c));
            if (ref == EMZA__SIGNING_CERT_MALFORMED)
                return emza__findings_add(emza__sig_errors(sig), EMZA_STAGE_FORMAT,
                                          EMZA_SUB_FORMAT_FAILURE, "MALFORMED_ATTRIBUTE",
                                          "the signing-certificate attribute is malformed");
            if (ref == EMZA__SIGNING_CERT_DIFFERS) {
                named_but_other = 1;
                continue;
            }
            *out_has_ref = ref == EMZA__SIGNING_CERT_MATCHES;
            *out = c;
            return EMZA_OK;
        }
    }
    emza__ossl_clear();
    return emza__findings_add(
        emza__sig_errors(sig), EMZA_STAGE_SIGNING_CERT, EMZA_SUB_NO_SIGNING_CERTIFICATE_FOUND,
        "NO_SIGNING_CERTIFICATE",
        named_but_other ? "the certificate the signer names is not the one its signed "
                          "signing-certificate attribute identifies"
                        : "the signer's certificate is neither in the signature nor among the "
                          "--untrusted certificates");
}

/* A signature over a digest: the content's (no signed attributes) or the signed attributes'. */
static int verify_raw(CMS_SignerInfo *si, const emza_cert *cert, const EVP_MD *md, int pss,
                      const uint8_t *digest, unsigned int digest_len, int *ok)
{
    *ok = 0;
    EVP_PKEY *key = X509_get0_pubkey(emza__cert_x509(cert));
    EVP_PKEY_CTX *ctx = key ? EVP_PKEY_CTX_new(key, NULL) : NULL;
    EMZA_ENSURE(ctx != NULL, EMZA_ENOMEM);
    ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
    if (EVP_PKEY_verify_init(ctx) == 1 && EVP_PKEY_CTX_set_signature_md(ctx, md) > 0 &&
        (!pss || (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0 &&
                  EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_AUTO) > 0)))
        *ok = EVP_PKEY_verify(ctx, ASN1_STRING_get0_data(value), (size_t)ASN1_STRING_length(value),
                              digest, digest_len) == 1;
    EVP_PKEY_CTX_free(ctx);
    emza__ossl_clear();
    return EMZA_OK;
}

/*
 * The signature over the signed attributes. OpenSSL checks it for ordinary
 * signers; OpenSSL 3.0 insists on a content-type attribute, which RFC 5652
 * section 11.4 forbids in a countersignature, so those are checked here over
 * the DER of their signed attributes.
 */
static int verify_signed_attrs(CMS_SignerInfo *si, const emza_cert *cert, const EVP_MD *md,
                               int pss, int countersignature, int *ok)
{
    *ok = 0;
    if (!countersignature) {
        CMS_SignerInfo_set1_signer_cert(si, emza__cert_x509(cert));
        *ok = CMS_SignerInfo_verify(si) == 1;
        emza__ossl_clear();
        return EMZA_OK;
    }
    emza_buf tbs;
    emza__buf_init(&tbs, EMZA_CERT_DER_MAX);
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    int rc = emza__cades_signed_attrs_der(si, &tbs);
    if (rc == EMZA_OK)
        rc = emza__digest_bytes(digest, &digest_len, tbs.data, tbs.len, md);
    emza__buf_free(&tbs);
    EMZA_GUARD(rc);
    return verify_raw(si, cert, md, pss, digest, digest_len, ok);
}

/*
 * CAdES-T: the signature timestamps (unsigned id-aa-timeStampToken, each a
 * token over the SignerInfo's signature value), validated by tsp.h — token,
 * imprint, TSA chain for purpose TIMESTAMP at the validation time — into the
 * report's timestamps[]. ETSI EN 319 102-1 clause 5.5 as applied here:
 *  - the earliest genTime of a PASSED timestamp becomes the best signature
 *    time, at which the signing certificate's chain is then validated (so a
 *    certificate that has expired since passes when a timestamp proves the
 *    signature existed while it was valid);
 *  - a timestamp that does not pass (over other data: FAILED; untrusted TSA:
 *    INDETERMINATE) is no proof of time and is left out of the best
 *    signature time: the signature is judged as if it had none (the
 *    validation time), with a TIMESTAMP_FAILED or TIMESTAMP_INDETERMINATE
 *    warning that says why;
 *  - order: the signature existed before it was stamped, so a claimed
 *    signing time after the earliest passed timestamp (beyond the token's
 *    accuracy and EMZA_TSP_CLOCK_SKEW_MAX) is INDETERMINATE/
 *    TIMESTAMP_ORDER_FAILURE.
 */
static int validate_timestamps(emza_signature_report *sig, CMS_SignerInfo *si,
                               const cms_context *cx, int has_poe, int64_t poe)
{
    int count = 0;
    for (int pos = -1;
         (pos = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, pos)) >= 0;)
        count += X509_ATTRIBUTE_count(CMS_unsigned_get_attr(si, pos));
    emza__ossl_clear();
    if (count == 0)
        return EMZA_OK;
    EMZA_ENSURE_MSG(count <= EMZA_TSP_TIMESTAMPS_MAX, EMZA_ELIMIT,
                    "a signature carries %d timestamps, more than the limit of %d", count,
                    EMZA_TSP_TIMESTAMPS_MAX);
    const emza__verify_job *job = cx->job;
    const ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
    /* An archive timestamp that passed is proof that the signature timestamps existed then:
       their TSAs are judged at that time (ETSI EN 319 102-1 clause 5.6.2.4). */
    emza__tsp_context tcx = {job->opts->trust,
                             {cx->embedded, job->opts->untrusted},
                             has_poe && poe < job->validation_time ? poe : job->validation_time,
                             job->opts->offline,
                             job->policy,
                             &cx->values,
                             &cx->net};
    emza__timestamp_tally tally;
    memset(&tally, 0, sizeof(tally));
    emza_span signed_value = {ASN1_STRING_get0_data(value), (size_t)ASN1_STRING_length(value)};
    for (int pos = -1;
         (pos = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, pos)) >= 0;) {
        X509_ATTRIBUTE *attr = CMS_unsigned_get_attr(si, pos);
        for (int v = 0; v < X509_ATTRIBUTE_count(attr); v++) {
            const ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(attr, v);
            emza_span der = {NULL, 0};
            if (t != NULL && t->type == V_ASN1_SEQUENCE) {
                der.data = ASN1_STRING_get0_data(t->value.sequence);
                der.len = (size_t)ASN1_STRING_length(t->value.sequence);
            }
            EMZA_GUARD(emza__verify_timestamp(sig, &tally, "SIGNATURE", der, signed_value, &tcx,
                                              NULL, NULL));
        }
    }
    return emza__verify_timestamps_conclude(sig, &tally);
}

/* The DER of the ats-hash-index-v3 in an archive timestamp token's SignerInfo (into `out`). */
static int token_hash_index(emza_buf *out, emza_span token)
{
    CMS_ContentInfo *tcms = NULL;
    if (emza__cades_read(&tcms, token.data, token.len) < 0) {
        emza_error_clear();
        return EMZA_OK;
    }
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(tcms);
    ASN1_OBJECT *oid = OBJ_txt2obj(EMZA_OID_ATS_HASH_INDEX_V3, 1);
    int rc = EMZA_OK;
    if (oid != NULL && sk_CMS_SignerInfo_num(sis) == 1) {
        CMS_SignerInfo *tsi = sk_CMS_SignerInfo_value(sis, 0);
        int pos = CMS_unsigned_get_attr_by_OBJ(tsi, oid, -1);
        /* Exactly one ats-hash-index-v3 with exactly one value (EN 319 122-1 5.5.3). */
        int again = pos >= 0 ? CMS_unsigned_get_attr_by_OBJ(tsi, oid, pos) : -1;
        X509_ATTRIBUTE *attr = pos >= 0 && again < 0 ? CMS_unsigned_get_attr(tsi, pos) : NULL;
        const ASN1_TYPE *t = attr != NULL && X509_ATTRIBUTE_count(attr) == 1
                                 ? X509_ATTRIBUTE_get0_type(attr, 0)
                                 : NULL;
        if (t != NULL && t->type == V_ASN1_SEQUENCE)
            rc = emza__buf_append(out, ASN1_STRING_get0_data(t->value.sequence),
                                  (size_t)ASN1_STRING_length(t->value.sequence));
    }
    ASN1_OBJECT_free(oid);
    CMS_ContentInfo_free(tcms);
    emza__ossl_clear();
    return rc;
}

/*
 * One archive-time-stamp-v3 (ETSI EN 319 122-1 clause 5.5.3): its hash
 * index must still match what the signature holds, and its token must be a
 * valid timestamp over the imprint recomputed from the current signature,
 * content and that index. A mismatch means the signature, its content or its
 * embedded values changed after the archive timestamp: HASH_FAILURE, ranked
 * with the signature's own cryptographic checks. `*passed`/`*time`: its
 * proof of existence.
 */
static int validate_archive_timestamp(emza_signature_report *sig, emza_span token,
                                      const emza__cades_signer_layout *signer,
                                      const cms_context *cx, const content_source *content,
                                      int number, int *passed, int64_t *time)
{
    *passed = 0;
    emza__findings *errors = emza__sig_errors(sig);
    int rc = EMZA_OK;
    char why[EMZA_FINDING_MESSAGE_MAX];
    emza_buf index, input;
    emza__buf_init(&index, EMZA_TSP_TOKEN_MAX);
    emza__buf_init(&input, EMZA_SIGNED_FILE_MAX);
    emza__tsp_token probe;
    memset(&probe, 0, sizeof(probe));
    emza__tsp_validation tv;
    memset(&tv, 0, sizeof(tv));

    EMZA_TRY(token_hash_index(&index, token));
    if (index.len == 0 || cx->layout == NULL) {
        EMZA_TRY(emza__sig_add_timestamp(sig, "ARCHIVE", 0, NULL, "FAILED"));
        EMZA_TRY(emza__findings_add(errors, EMZA_STAGE_FORMAT, EMZA_SUB_FORMAT_FAILURE,
                                    "ARCHIVE_TIMESTAMP_MALFORMED",
                                    "archive timestamp %d: %s", number,
                                    index.len == 0 ? "no ats-hash-index-v3 in its token"
                                                   : "the signature's DER cannot be read"));
        goto cleanup;
    }
    emza_span index_span = {index.data, index.len};
    int ok = 0;
    const EVP_MD *index_md = NULL;
    EMZA_TRY(emza__cades_ats_hash_index_check(&ok, why, sizeof(why), &index_md, index_span,
                                              cx->layout, signer));
    if (!ok) {
        EMZA_TRY(emza__sig_add_timestamp(sig, "ARCHIVE", 0, NULL, "FAILED"));
        EMZA_TRY(emza__findings_add(errors, EMZA_STAGE_CRYPTO, EMZA_SUB_HASH_FAILURE,
                                    "ARCHIVE_TIMESTAMP_MISMATCH", "archive timestamp %d: %s",
                                    number, why));
        goto cleanup;
    }
    /* The index binds every value it covers: a weak algorithm there, as a weak imprint in the
       token (tsp.c), leaves the archive timestamp no proof of existence. */
    const char *weak = NULL;
    if (!emza__policy_digest_ok(EVP_MD_get_type(index_md), &weak)) {
        EMZA_TRY(emza__sig_add_timestamp(sig, "ARCHIVE", 0, NULL, "INDETERMINATE"));
        EMZA_TRY(emza__findings_add(
            emza__sig_warnings(sig), 0, EMZA_SUB_NONE, "ARCHIVE_TIMESTAMP_INDETERMINATE",
            "archive timestamp %d is INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE_NO_POE, so it is no "
            "proof of existence: its hash index (ats-hash-index-v3) is not acceptable: %s",
            number, weak));
        goto cleanup;
    }
    /* The content is hashed with the imprint's algorithm: the token says which. */
    EMZA_TRY(emza__tsp_token_check(&probe, token.data, token.len, (const uint8_t *)"", 0,
                                   cx->embedded));
    const EVP_MD *md = probe.imprint_md_nid != NID_undef ? EVP_get_digestbynid(probe.imprint_md_nid)
                                                         : NULL;
    if (md == NULL || !content_available(content)) {
        EMZA_TRY(emza__sig_add_timestamp(sig, "ARCHIVE", probe.has_time ? probe.gen_time : 0,
                                         NULL, "INDETERMINATE"));
        EMZA_TRY(emza__findings_add(
            emza__sig_warnings(sig), 0, EMZA_SUB_NONE, "ARCHIVE_TIMESTAMP_INDETERMINATE",
            "archive timestamp %d cannot be checked: %s", number,
            md == NULL ? "its token cannot be read" : "the signed content was not given"));
        goto cleanup;
    }
    const uint8_t *digest = NULL;
    unsigned int digest_len = 0;
    EMZA_TRY(content_digest(content, md, &digest, &digest_len));
    EMZA_TRY(emza__cades_ats_imprint_input(&input, cx->layout, signer, digest, digest_len,
                                           index_span));
    const emza__verify_job *job = cx->job;
    emza__tsp_context tcx = {job->opts->trust, {cx->embedded, job->opts->untrusted},
                             job->validation_time, job->opts->offline, job->policy, &cx->values,
                             &cx->net};
    EMZA_TRY(emza__tsp_validate(&tv, token.data, token.len, input.data, input.len, &tcx));
    const char *tsa = tv.token.tsa_cert ? emza__cert_display_name(tv.token.tsa_cert) : NULL;
    EMZA_TRY(emza__sig_add_timestamp(sig, "ARCHIVE", tv.token.has_time ? tv.token.gen_time : 0,
                                     tsa, emza__tsp_indication_word(tv.indication)));
    if (tv.indication == EMZA_TOTAL_PASSED) {
        *passed = 1;
        *time = tv.token.gen_time;
    } else if (tv.indication == EMZA_TOTAL_FAILED) {
        EMZA_TRY(emza__findings_add(
            errors, tv.sub == EMZA_SUB_HASH_FAILURE ? EMZA_STAGE_CRYPTO : EMZA_STAGE_TIMESTAMP,
            tv.sub, tv.sub == EMZA_SUB_HASH_FAILURE ? "ARCHIVE_TIMESTAMP_MISMATCH"
                                                    : "ARCHIVE_TIMESTAMP_FAILED",
            "archive timestamp %d: %s", number, tv.message));
    } else {
        EMZA_TRY(emza__findings_add(
            emza__sig_warnings(sig), 0, EMZA_SUB_NONE, "ARCHIVE_TIMESTAMP_INDETERMINATE",
            "archive timestamp %d%s%s is INDETERMINATE/%s, so it is no proof of existence: %s",
            number, tsa ? " by " : "", tsa ? tsa : "",
            emza_subindication_name(tv.sub) ? emza_subindication_name(tv.sub) : "?", tv.message));
    }
    EMZA_TRY(emza__findings_append(emza__sig_warnings(sig), &tv.warnings, 0));
cleanup:
    emza__tsp_validation_free(&tv);
    emza__tsp_token_free(&probe);
    emza__buf_free(&index);
    emza__buf_free(&input);
    return rc;
}

/* Every archive timestamp of `si`; `*poe` is the earliest that passed. */
static int validate_archive_timestamps(emza_signature_report *sig, CMS_SignerInfo *si,
                                       const cms_context *cx, const content_source *content,
                                       int *has_poe, int64_t *poe)
{
    *has_poe = 0;
    ASN1_OBJECT *oid = OBJ_txt2obj(EMZA_OID_ARCHIVE_TIMESTAMP_V3, 1);
    EMZA_ENSURE(oid != NULL, EMZA_ENOMEM);
    int rc = EMZA_OK, number = 0;
    emza__cades_signer_layout *signer = NULL;
    for (int pos = -1; (pos = CMS_unsigned_get_attr_by_OBJ(si, oid, pos)) >= 0;) {
        if (signer == NULL) {
            const ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
            signer = calloc(1, sizeof(*signer));
            EMZA_TRY_ENSURE(signer != NULL, EMZA_ENOMEM, "out of memory");
            if (cx->layout == NULL ||
                emza__cades_layout_find_signer(signer, cx->layout, ASN1_STRING_get0_data(value),
                                               (size_t)ASN1_STRING_length(value)) < 0) {
                emza_error_clear();
                EMZA_TRY(emza__findings_add(emza__sig_errors(sig), EMZA_STAGE_FORMAT,
                                            EMZA_SUB_FORMAT_FAILURE, "ARCHIVE_TIMESTAMP_MALFORMED",
                                            "the signer's archive timestamps cannot be located "
                                            "in the signature's DER"));
                goto cleanup;
            }
        }
        X509_ATTRIBUTE *attr = CMS_unsigned_get_attr(si, pos);
        for (int v = 0; v < X509_ATTRIBUTE_count(attr); v++) {
            EMZA_TRY_ENSURE(++number <= EMZA_TSP_TIMESTAMPS_MAX, EMZA_ELIMIT,
                            "a signature carries more than %d archive timestamps",
                            EMZA_TSP_TIMESTAMPS_MAX);
            const ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(attr, v);
            emza_span der = {NULL, 0};
            if (t != NULL && t->type == V_ASN1_SEQUENCE) {
                der.data = ASN1_STRING_get0_data(t->value.sequence);
                der.len = (size_t)ASN1_STRING_length(t->value.sequence);
            }
            int passed = 0;
            int64_t when = 0;
            EMZA_TRY(validate_archive_timestamp(sig, der, signer, cx, content, number, &passed,
                                                &when));
            if (passed && (!*has_poe || when < *poe)) {
                *poe = when;
                *has_poe = 1;
            }
        }
    }
cleanup:
    free(signer);
    ASN1_OBJECT_free(oid);
    emza__ossl_clear();
    return rc;
}

/* Validates one SignerInfo (or countersignature) into `sig`. */
static int validate_signer(emza_signature_report *sig, CMS_SignerInfo *si, const cms_context *cx,
                           const content_source *content, int countersignature)
{
    emza__findings *errors = emza__sig_errors(sig);
    int pk_nid, md_nid;
    const EVP_MD *md;
    char name[EMZA_ALGORITHM_NAME_MAX];
    signer_algorithms(si, &pk_nid, &md_nid, &md);
    emza__algorithm_name(name, sizeof(name), pk_nid, md_nid);
    EMZA_GUARD(emza__sig_set_algorithm(sig, name));
    claimed_time(sig, si);

    /* 1. Format */
    int has_attrs = CMS_signed_get_attr_count(si) > 0;
    int format_ok = 1;
    if (md == NULL) {
        EMZA_GUARD(emza__findings_add(errors, EMZA_STAGE_FORMAT, EMZA_SUB_FORMAT_FAILURE,
                                      "UNKNOWN_ALGORITHM", "the digest algorithm is not known"));
        format_ok = 0;
    } else if (!emza__digest_usable(md)) {
        /* Known to OpenSSL by name (MD4, say) but not computable by its providers. */
        EMZA_GUARD(emza__findings_add(errors, EMZA_STAGE_FORMAT, EMZA_SUB_FORMAT_FAILURE,
                                      "UNKNOWN_ALGORITHM",
                                      "the digest algorithm %s cannot be computed here",
                                      EVP_MD_get0_name(md)));
        format_ok = 0;
    }
    if (countersignature && CMS_signed_get_attr_count(si) > EMZA_CADES_SIGNED_ATTRS_MAX) {
        EMZA_GUARD(emza__findings_add(errors, EMZA_STAGE_FORMAT, EMZA_SUB_FORMAT_FAILURE,
                                      "MALFORMED_ATTRIBUTE",
                                      "the countersignature has more than %d signed attributes",
                                      EMZA_CADES_SIGNED_ATTRS_MAX));
        format_ok = 0;
    }
    ASN1_OCTET_STRING *signed_digest = NULL;
    if (has_attrs) {
        signed_digest = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
                                                    V_ASN1_OCTET_STRING);
        ASN1_OBJECT *ctype = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_contentType),
                                                         -3, V_ASN1_OBJECT);
        int ctype_present = CMS_signed_get_attr_by_NID(si, NID_pkcs9_contentType, -1) >= 0;
        emza__ossl_clear();
        const char *problem = NULL;
        if (signed_digest == NULL)
            problem = "the message-digest attribute is missing or malformed";
        else if (countersignature && ctype_present)
            problem = "a countersignature must not carry a content-type attribute";
        else if (!countersignature && (ctype == NULL || OBJ_cmp(ctype, cx->econtent_type) != 0))
            problem = "the content-type attribute is missing or differs from the content";
        if (problem != NULL) {
            EMZA_GUARD(emza__findings_add(errors, EMZA_STAGE_FORMAT, EMZA_SUB_FORMAT_FAILURE,
                                          "MISSING_ATTRIBUTE", "%s", problem));
            format_ok = 0;
        }
    }

    /* 2. The signing certificate */
    const emza_cert *cert = NULL;
    int has_ref = 0;
    EMZA_GUARD(find_signer(&cert, sig, si, cx, &has_ref));
    if (cert != NULL)
        emza__sig_set_signer(sig, cert);
    int has_signing_time = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) >= 0;
    int has_timestamp = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1) >= 0;
    ASN1_OBJECT *ats_oid = OBJ_txt2obj(EMZA_OID_ARCHIVE_TIMESTAMP_V3, 1);
    int has_archive = ats_oid != NULL && CMS_unsigned_get_attr_by_OBJ(si, ats_oid, -1) >= 0;
    ASN1_OBJECT_free(ats_oid);
    emza__ossl_clear();
    /* LT: revocation values in SignedData.crls (certificate values alone do not tell a T
       signature made from a PKCS#12 with its whole chain from an LT one); LTA: an
       archive-time-stamp-v3 (whose chains may need no revocation values). */
    int has_values = cx->values.ocsp_count + cx->values.crl_count > 0;
    const char *level = !(has_ref && has_signing_time) ? "CMS"
                        : !has_timestamp               ? "CAdES-BASELINE-B"
                        : has_archive                  ? "CAdES-BASELINE-LTA"
                        : has_values                   ? "CAdES-BASELINE-LT"
                                                       : "CAdES-BASELINE-T";
    EMZA_GUARD(emza__sig_set_level(sig, level));
    int has_poe = 0;
    int64_t poe = 0;
    if (!countersignature)
        EMZA_GUARD(validate_archive_timestamps(sig, si, cx, content, &has_poe, &poe));
    EMZA_GUARD(validate_timestamps(sig, si, cx, has_poe, poe));
    /* Order (EN 319 102-1 clause 5.6.2.5): an archive timestamp covers the signature
       timestamps, so it cannot come before the earliest one that passed. */
    int64_t stamped = emza_signature_best_signature_time(sig);
    if (has_poe && stamped < cx->job->validation_time && poe < stamped) {
        char archive_text[EMZA_TIME_TEXT_SIZE], stamped_text[EMZA_TIME_TEXT_SIZE];
        emza_time_format(archive_text, sizeof(archive_text), poe);
        emza_time_format(stamped_text, sizeof(stamped_text), stamped);
        EMZA_GUARD(emza__findings_add(emza__sig_errors(sig), EMZA_STAGE_TIMESTAMP,
                                      EMZA_SUB_TIMESTAMP_ORDER_FAILURE,
                                      "ARCHIVE_TIMESTAMP_BEFORE_SIGNATURE_TIMESTAMP",
                                      "the archive timestamp's time %s is before the signature "
                                      "timestamp's time %s",
                                      archive_text, stamped_text));
    }

    /* 3. Cryptography: the content digest, then the signature */
    if (format_ok && cert != NULL) {
        if (!content_available(content)) {
            EMZA_GUARD(emza__findings_add(
                errors, EMZA_STAGE_CRYPTO, EMZA_SUB_SIGNED_DATA_NOT_FOUND, "NO_SIGNED_DATA",
                "the signature is detached: give the signed file with --data"));
        } else {
            const uint8_t *digest = NULL;
            unsigned int digest_len = 0;
            EMZA_GUARD(content_digest(content, md, &digest, &digest_len));
            int ok;
            if (has_attrs) {
                ok = ASN1_STRING_length(signed_digest) == (int)digest_len &&
                     memcmp(ASN1_STRING_get0_data(signed_digest), digest, digest_len) == 0;
                if (!ok)
                    EMZA_GUARD(emza__findings_add(errors, EMZA_STAGE_CRYPTO, EMZA_SUB_HASH_FAILURE,
                                                  "HASH_MISMATCH",
                                                  "the content does not match the digest the "
                                                  "signer signed"));
                EMZA_GUARD(verify_signed_attrs(si, cert, md, pk_nid == EVP_PKEY_RSA_PSS,
                                               countersignature, &ok));
            } else {
                EMZA_GUARD(verify_raw(si, cert, md, pk_nid == EVP_PKEY_RSA_PSS, digest, digest_len,
                                      &ok));
            }
            if (!ok)
                EMZA_GUARD(emza__findings_add(errors, EMZA_STAGE_CRYPTO,
                                              EMZA_SUB_SIG_CRYPTO_FAILURE, "SIGNATURE_INVALID",
                                              "the signature value does not verify with the "
                                              "signer's public key"));
        }
    }

    /* Signed object */
    char mime_buf[128];
    EMZA_GUARD(emza__sig_add_object(sig, NULL, content->name, emza__digest_name(md_nid),
                                    countersignature ? NULL : mime_type_of(si, mime_buf, sizeof(mime_buf)),
                                    1));

    /* 4. The certificate chain, 5. the policy's acceptance */
    if (cert != NULL) {
        EMZA_GUARD(emza__verify_signer_chain_ex(sig, cx->job, cert, cx->embedded, &cx->values,
                                                emza_signature_best_signature_time(sig)));
        EMZA_GUARD(emza__verify_signature_algorithm(sig, cx->job, md_nid,
                                                    X509_get0_pubkey(emza__cert_x509(cert))));
    }
    emza__sig_decide(sig);
    return EMZA_OK;
}

/*
 * Validates the countersignatures inside `si` as further report entries, and
 * theirs in turn (RFC 5652 section 11.4: a countersignature may itself be
 * countersigned), `depth` levels down (1 for a signer's own).
 */
static int validate_countersignatures(CMS_SignerInfo *si, const emza_signature_report *parent,
                                      const cms_context *cx, int depth)
{
    const char *parent_id = emza_signature_id(parent);
    int parent_passed = emza_signature_indication(parent) == EMZA_TOTAL_PASSED;
    int pos = -1;
    ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
    while ((pos = CMS_unsigned_get_attr_by_NID(si, NID_pkcs9_countersignature, pos)) >= 0) {
        EMZA_ENSURE_MSG(depth <= EMZA_CADES_COUNTERSIGNATURE_DEPTH_MAX, EMZA_ELIMIT,
                        "countersignatures are nested more than %d deep",
                        EMZA_CADES_COUNTERSIGNATURE_DEPTH_MAX);
        X509_ATTRIBUTE *attr = CMS_unsigned_get_attr(si, pos);
        for (int v = 0; v < X509_ATTRIBUTE_count(attr); v++) {
            ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(attr, v);
            emza_signature_report *sig = NULL;
            EMZA_GUARD(emza__report_add_signature(&sig, cx->job->report));
            char name[64];
            snprintf(name, sizeof(name), "the signature value of %s", parent_id);
            EMZA_GUARD(emza__findings_add(emza__sig_warnings(sig), 0, EMZA_SUB_NONE,
                                          "COUNTERSIGNATURE", "this signature countersigns %s",
                                          parent_id));
            if (!parent_passed)
                EMZA_GUARD(emza__findings_add(
                    emza__sig_warnings(sig), 0, EMZA_SUB_NONE, "COUNTERSIGNED_NOT_PASSED",
                    "the countersigned signature %s did not pass: this countersignature vouches "
                    "for a signature value, not for the current content",
                    parent_id));
            CMS_ContentInfo *holder = NULL;
            emza_span der = {NULL, 0};
            if (t != NULL && t->type == V_ASN1_SEQUENCE) {
                der.data = ASN1_STRING_get0_data(t->value.sequence);
                der.len = (size_t)ASN1_STRING_length(t->value.sequence);
            }
            if (der.data == NULL || emza__cades_wrap_signer_info(&holder, der) < 0) {
                emza_error_clear();
                EMZA_GUARD(emza__findings_add(emza__sig_errors(sig), EMZA_STAGE_FORMAT,
                                              EMZA_SUB_FORMAT_FAILURE, "MALFORMED_COUNTERSIGNATURE",
                                              "a countersignature of %s cannot be decoded",
                                              parent_id));
                emza__sig_decide(sig);
                continue;
            }
            content_source target = {cx->job, ASN1_STRING_get0_data(value),
                                     (size_t)ASN1_STRING_length(value), NULL, name, {{0}}, 0};
            CMS_SignerInfo *csi = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(holder), 0);
            int rc = validate_signer(sig, csi, cx, &target, 1);
            if (rc == EMZA_OK)
                rc = validate_countersignatures(csi, sig, cx, depth + 1);
            CMS_ContentInfo_free(holder);
            EMZA_GUARD(rc);
        }
    }
    return EMZA_OK;
}

/* "deed.pdf.p7s" -> "deed.pdf": the name a detached signature's content usually has. */
static void content_name_for(char *buf, size_t size, const char *signature_path)
{
    const char *base = emza__base_name(signature_path);
    snprintf(buf, size, "%s", base);
    char *dot = strrchr(buf, '.');
    if (dot != NULL && (strcmp(dot, ".p7s") == 0 || strcmp(dot, ".p7m") == 0 ||
                        strcmp(dot, ".pkcs7") == 0 || strcmp(dot, ".cms") == 0))
        *dot = '\0';
}

static int collect_certs(emza_cert_list **out, CMS_ContentInfo *cms)
{
    EMZA_GUARD(emza_cert_list_new(out));
    STACK_OF(X509) *certs = CMS_get1_certs(cms);
    for (int i = 0; certs != NULL && i < sk_X509_num(certs); i++) {
        emza_cert *c = NULL;
        /* A certificate emza cannot read (over a limit, say) is left out, not fatal. */
        if (emza__cert_from_x509(&c, sk_X509_value(certs, i)) == EMZA_OK) {
            int rc = emza_cert_list_add(*out, c);
            emza_cert_free(c);
            if (rc < 0) {
                sk_X509_pop_free(certs, X509_free);
                return rc;
            }
        }
        emza_error_clear();
    }
    sk_X509_pop_free(certs, X509_free);
    return EMZA_OK;
}

int emza__cades_verify(const emza__verify_job *job)
{
    EMZA_GUARD(emza__report_set_format(job->report, "CAdES"));
    CMS_ContentInfo *cms = NULL;
    if (emza__cades_read(&cms, job->data, job->len) < 0) {
        emza_signature_report *sig = NULL;
        char why[EMZA_ERROR_MESSAGE_MAX];
        snprintf(why, sizeof(why), "%s", emza_error_last_message());
        EMZA_GUARD(emza__report_add_signature(&sig, job->report));
        EMZA_GUARD(emza__findings_add(emza__sig_errors(sig), EMZA_STAGE_FORMAT,
                                      EMZA_SUB_FORMAT_FAILURE, "MALFORMED_CMS", "%s", why));
        emza__sig_decide(sig);
        return EMZA_OK;
    }
    int rc = EMZA_OK;
    cms_context cx;
    memset(&cx, 0, sizeof(cx));
    cx.job = job;
    cx.econtent_type = CMS_get0_eContentType(cms);
    cx.net.offline = job->opts->offline;
    cx.net.timeout_seconds = job->opts->timeout_seconds;
    cx.net.transport = job->opts->transport;
    cx.net.transport_ctx = job->opts->transport_ctx;
    emza__cades_layout *layout = calloc(1, sizeof(*layout));
    emza_buf der;
    emza__buf_init(&der, EMZA_SIGNED_FILE_MAX);
    EMZA_TRY_ENSURE(layout != NULL, EMZA_ENOMEM, "out of memory");
    /* The embedded values and the archive timestamps' hashes are read from the exact DER;
       a PEM file is decoded first. A layout that cannot be read leaves them out (the
       signature is then judged without them). */
    if (job->len > 0 && job->data[0] == 0x30) {
        if (emza__cades_layout_parse(layout, job->data, job->len) == EMZA_OK)
            cx.layout = layout;
    } else if (emza__cades_to_der(cms, &der) == EMZA_OK &&
               emza__cades_layout_parse(layout, der.data, der.len) == EMZA_OK) {
        cx.layout = layout;
    }
    emza_error_clear();
    if (cx.layout != NULL) {
        cx.values.ocsp = layout->ocsp;
        cx.values.ocsp_count = layout->ocsp_count;
        cx.values.crls = layout->crls;
        cx.values.crl_count = layout->crl_count;
    }
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    int count = sk_CMS_SignerInfo_num(sis);
    EMZA_TRY_ENSURE(count <= EMZA_CADES_SIGNERS_MAX, EMZA_ELIMIT,
                    "%s holds %d signers, more than the limit of %d", job->path, count,
                    EMZA_CADES_SIGNERS_MAX);
    EMZA_TRY(collect_certs(&cx.embedded, cms));

    char name[256];
    content_source content;
    memset(&content, 0, sizeof(content));
    content.job = job;
    if (CMS_is_detached(cms)) {
        content_name_for(name, sizeof(name), job->path);
        content.path = emza__verify_data_path(job, name, 1);
        content.name = content.path ? emza__base_name(content.path) : name;
    } else {
        ASN1_OCTET_STRING **pos = CMS_get0_content(cms);
        content.bytes = (pos && *pos) ? ASN1_STRING_get0_data(*pos) : (const uint8_t *)"";
        content.len = (pos && *pos) ? (size_t)ASN1_STRING_length(*pos) : 0;
        content.name = "the content inside the signature";
    }

    for (int i = 0; i < count; i++) {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, i);
        emza_signature_report *sig = NULL;
        EMZA_TRY(emza__report_add_signature(&sig, job->report));
        EMZA_TRY(validate_signer(sig, si, &cx, &content, 0));
        EMZA_TRY(validate_countersignatures(si, sig, &cx, 1));
    }
cleanup:
    emza_cert_list_free(cx.embedded);
    free(layout);
    emza__buf_free(&der);
    CMS_ContentInfo_free(cms);
    emza__ossl_clear();
    return rc;
}
