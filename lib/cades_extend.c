/*
 * Raising CAdES signatures to levels T, LT and LTA (ETSI EN 319 122-1):
 * used by emza_sign after it made a CAdES-B signature in memory, and by
 * emza_extend on a signed file (extend_internal.h).
 *
 *   T    clause 5.3: id-aa-timeStampToken over the SignerInfo's signature.
 *   LT   clause 5.5.1 / 5.5.2: the certificates of the signers', countersigners'
 *        and TSAs' chains go to SignedData.certificates, their revocation statements to
 *        SignedData.crls — CRLs as CertificateList choices (OpenSSL adds them),
 *        OCSP responses as `other` choices with id-ri-ocsp-response (RFC 5940;
 *        cades_archive.c splices them into the DER, which OpenSSL's API
 *        cannot do). What is gathered comes from ltv.h.
 *   LTA  clause 5.5.3: an archive-time-stamp-v3 whose TSA token carries the
 *        ats-hash-index-v3 as an unsigned attribute of its SignerInfo.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include <emza/datetime.h>
#include <emza/verify.h>

#include "cades_internal.h"
#include "cert_internal.h"
#include "extend_internal.h"
#include "ltv.h"
#include "sign_internal.h"
#include "tsp.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/guard.h"

/* ------------------------------------------------------------------------ */
/* T                                                                         */
/* ------------------------------------------------------------------------ */

static int claimed_signing_time(CMS_SignerInfo *si, int64_t *out)
{
    int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
    emza__ossl_clear();
    if (idx < 0)
        return 0;
    ASN1_TYPE *value = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, idx), 0);
    int ok = value != NULL &&
             (value->type == V_ASN1_UTCTIME || value->type == V_ASN1_GENERALIZEDTIME) &&
             emza__asn1_time_to_epoch(out, (const ASN1_TIME *)value->value.asn1_string) == EMZA_OK;
    emza_error_clear();
    emza__ossl_clear();
    return ok;
}

int emza__cades_add_signature_timestamp(CMS_SignerInfo *si, const emza__cades_extension *x)
{
    EMZA_ENSURE_MSG(x->tsa_url != NULL && x->tsa_url[0] != '\0', EMZA_EUNSUPPORTED,
                    "a signature timestamp cannot be made without a time-stamping authority: "
                    "give a TSA URL");
    const ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
    emza__tsp_token info;
    emza_buf token;
    EMZA_GUARD(emza__tsp_stamp(&token, &info, x->net, x->tsa_url, x->md, NULL,
                               ASN1_STRING_get0_data(value), (size_t)ASN1_STRING_length(value)));
    int rc = EMZA_OK;
    int64_t claimed = 0;
    if (claimed_signing_time(si, &claimed))
        EMZA_TRY(emza__tsp_check_order(claimed, &info));
    EMZA_TRY_OSSL(CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken,
                                                V_ASN1_SEQUENCE, token.data, (int)token.len),
                  EMZA_ECRYPTO, "cannot add the signature timestamp");
cleanup:
    emza__tsp_token_free(&info);
    emza__buf_free(&token);
    emza__ossl_clear();
    return rc;
}

/* ------------------------------------------------------------------------ */
/* helpers                                                                   */
/* ------------------------------------------------------------------------ */

static int is_target(CMS_SignerInfo *si, const ASN1_OCTET_STRING *only)
{
    return only == NULL || ASN1_STRING_cmp(CMS_SignerInfo_get0_signature(si), only) == 0;
}

static int has_unsigned(CMS_SignerInfo *si, int nid)
{
    int pos = CMS_unsigned_get_attr_by_NID(si, nid, -1);
    emza__ossl_clear();
    return pos >= 0;
}

static int to_der(CMS_ContentInfo *cms, emza_buf *out)
{
    emza__buf_free(out);
    emza__buf_init(out, EMZA_SIGNED_FILE_MAX);
    return emza__cades_to_der(cms, out);
}

static int read_der(CMS_ContentInfo **cms, const emza_buf *der)
{
    CMS_ContentInfo_free(*cms);
    *cms = NULL;
    return emza__cades_read(cms, der->data, der->len);
}

/* Every certificate the CMS carries, as an emza list. */
static int cms_certs(emza_cert_list **out, CMS_ContentInfo *cms)
{
    EMZA_GUARD(emza_cert_list_new(out));
    STACK_OF(X509) *certs = CMS_get1_certs(cms);
    int rc = EMZA_OK;
    for (int i = 0; certs != NULL && i < sk_X509_num(certs); i++) {
        emza_cert *c = NULL;
        if (emza__cert_from_x509(&c, sk_X509_value(certs, i)) != EMZA_OK) {
            emza_error_clear();
            continue;
        }
        rc = emza_cert_list_add(*out, c);
        emza_cert_free(c);
        if (rc < 0)
            break;
    }
    sk_X509_pop_free(certs, X509_free);
    emza__ossl_clear();
    return rc;
}

/* The certificate named by the SignerInfo's identifier, among `pools`. */
static const emza_cert *signer_cert(CMS_SignerInfo *si, const emza_cert_list *const *pools,
                                    size_t pool_count)
{
    for (size_t p = 0; p < pool_count; p++)
        for (size_t i = 0; pools[p] != NULL && i < emza_cert_list_count(pools[p]); i++) {
            const emza_cert *c = emza_cert_list_get(pools[p], i);
            if (CMS_SignerInfo_cert_cmp(si, emza__cert_x509(c)) == 0)
                return c;
        }
    emza__ossl_clear();
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* LT                                                                        */
/* ------------------------------------------------------------------------ */

/* The chains of the TSAs of every timestamp (signature and archive) on `si`. */
static int gather_tsa_chains(emza__ltv *ltv, emza__ltv_context *cx, CMS_SignerInfo *si,
                             const ASN1_OBJECT *ats)
{
    const ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
    /* Objects, not NIDs: registering a NID for the archive OID (OBJ_create) is not
       thread-safe in OpenSSL 3.0. */
    const ASN1_OBJECT *types[2] = {OBJ_nid2obj(NID_id_smime_aa_timeStampToken), ats};
    int count = 0;
    for (size_t k = 0; k < 2; k++) {
        for (int pos = -1; (pos = CMS_unsigned_get_attr_by_OBJ(si, types[k], pos)) >= 0;) {
            X509_ATTRIBUTE *attr = CMS_unsigned_get_attr(si, pos);
            for (int v = 0; v < X509_ATTRIBUTE_count(attr); v++) {
                EMZA_ENSURE_MSG(++count <= 2 * EMZA_TSP_TIMESTAMPS_MAX, EMZA_ELIMIT,
                                "a signature carries more than %d timestamps",
                                2 * EMZA_TSP_TIMESTAMPS_MAX);
                const ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(attr, v);
                EMZA_ENSURE_MSG(t != NULL && t->type == V_ASN1_SEQUENCE, EMZA_EFORMAT,
                                "a timestamp attribute holds no token");
                emza__tsp_token tok;
                /* The imprint is not judged here (an archive timestamp's is over other bytes):
                   only the TSA certificate the token identifies is wanted. */
                EMZA_GUARD(emza__tsp_token_check(
                    &tok, ASN1_STRING_get0_data(t->value.sequence),
                    (size_t)ASN1_STRING_length(t->value.sequence), ASN1_STRING_get0_data(value),
                    (size_t)ASN1_STRING_length(value), cx->helpers[0]));
                int rc = EMZA_OK;
                if (tok.tsa_cert == NULL)
                    rc = emza__error_set(EMZA_EFORMAT, __FILE__, __LINE__,
                                         "a timestamp's TSA certificate cannot be found: %s",
                                         tok.message);
                if (rc == EMZA_OK) {
                    const emza_cert_list *saved = cx->helpers[2];
                    cx->helpers[2] = tok.certs;
                    rc = emza__ltv_add_chain(ltv, cx, tok.tsa_cert, EMZA_PURPOSE_TIMESTAMP);
                    cx->helpers[2] = saved;
                }
                emza__tsp_token_free(&tok);
                EMZA_GUARD(rc);
            }
        }
    }
    emza__ossl_clear();
    return EMZA_OK;
}

/*
 * The chains of the signer of `si` and of the TSAs of its timestamps, then the same for
 * its countersignatures (a notary's), `depth` levels down.
 */
static int gather_signer(emza__ltv *ltv, emza__ltv_context *cx, CMS_SignerInfo *si,
                         const emza_cert_list *const *pools, const ASN1_OBJECT *ats, int depth)
{
    EMZA_ENSURE_MSG(depth <= EMZA_CADES_COUNTERSIGNATURE_DEPTH_MAX, EMZA_ELIMIT,
                    "countersignatures are nested more than %d deep",
                    EMZA_CADES_COUNTERSIGNATURE_DEPTH_MAX);
    const emza_cert *cert = signer_cert(si, pools, 2);
    EMZA_ENSURE_MSG(cert != NULL, EMZA_ENOTFOUND,
                    "a %s's certificate is neither in the signature nor among the untrusted "
                    "certificates",
                    depth == 0 ? "signer" : "countersigner");
    EMZA_GUARD(emza__ltv_add_chain(ltv, cx, cert, EMZA_PURPOSE_SIGN));
    EMZA_GUARD(gather_tsa_chains(ltv, cx, si, ats));
    for (int pos = -1; (pos = CMS_unsigned_get_attr_by_NID(si, NID_pkcs9_countersignature, pos)) >= 0;) {
        X509_ATTRIBUTE *attr = CMS_unsigned_get_attr(si, pos);
        for (int v = 0; v < X509_ATTRIBUTE_count(attr); v++) {
            const ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(attr, v);
            EMZA_ENSURE_MSG(t != NULL && t->type == V_ASN1_SEQUENCE, EMZA_EFORMAT,
                            "a countersignature attribute holds no SignerInfo");
            emza_span der = {ASN1_STRING_get0_data(t->value.sequence),
                             (size_t)ASN1_STRING_length(t->value.sequence)};
            CMS_ContentInfo *holder = NULL;
            EMZA_GUARD(emza__cades_wrap_signer_info(&holder, der));
            int rc = gather_signer(ltv, cx, sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(holder), 0),
                                   pools, ats, depth + 1);
            CMS_ContentInfo_free(holder);
            EMZA_GUARD(rc);
        }
    }
    emza__ossl_clear();
    return EMZA_OK;
}

/* Adds the certificates and CRLs of `ltv` that the CMS lacks (OCSP comes after, in DER). */
static int add_certs_and_crls(CMS_ContentInfo *cms, const emza__ltv *ltv,
                              const emza__cades_layout *layout)
{
    STACK_OF(X509) *have = CMS_get1_certs(cms);
    int rc = EMZA_OK;
    for (size_t i = 0; i < emza_cert_list_count(ltv->certs); i++) {
        X509 *x = emza__cert_x509(emza_cert_list_get(ltv->certs, i));
        int present = 0;
        for (int k = 0; have != NULL && k < sk_X509_num(have) && !present; k++)
            present = X509_cmp(sk_X509_value(have, k), x) == 0;
        if (!present)
            EMZA_TRY_OSSL(CMS_add1_cert(cms, x), EMZA_ECRYPTO, "cannot add a certificate");
    }
    for (size_t i = 0; i < ltv->crl_count; i++) {
        int present = 0;
        for (size_t k = 0; k < layout->crl_count && !present; k++)
            present = layout->crls[k].len == ltv->crls[i].len &&
                      memcmp(layout->crls[k].data, ltv->crls[i].data, ltv->crls[i].len) == 0;
        if (present)
            continue;
        const unsigned char *p = ltv->crls[i].data;
        X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)ltv->crls[i].len);
        EMZA_TRY_ENSURE(crl != NULL, EMZA_EFORMAT, "a CRL to embed cannot be decoded");
        int ok = CMS_add1_crl(cms, crl);
        X509_CRL_free(crl);
        EMZA_TRY_OSSL(ok, EMZA_ECRYPTO, "cannot add a CRL");
    }
cleanup:
    sk_X509_pop_free(have, X509_free);
    emza__ossl_clear();
    return rc;
}

/* LT for the target signers of `*cms`; `der` is its encoding, replaced by the result. */
static int make_lt(CMS_ContentInfo **cms, emza_buf *der, const emza__cades_extension *x,
                   const ASN1_OCTET_STRING *only)
{
    int rc = EMZA_OK;
    emza_cert_list *carried = NULL;
    ASN1_OBJECT *ats = NULL;
    emza__cades_layout *layout = calloc(1, sizeof(*layout));
    emza__ltv ltv;
    memset(&ltv, 0, sizeof(ltv));
    emza_buf next;
    emza__buf_init(&next, EMZA_SIGNED_FILE_MAX);
    EMZA_TRY_ENSURE(layout != NULL, EMZA_ENOMEM, "out of memory");
    EMZA_TRY(emza__cades_layout_parse(layout, der->data, der->len));
    EMZA_TRY(cms_certs(&carried, *cms));
    EMZA_TRY(emza__ltv_init(&ltv));

    /* What the signature already carries is used first (no new request for it). */
    emza__revocation_values embedded = {layout->ocsp, layout->ocsp_count, layout->crls,
                                        layout->crl_count};
    emza__ltv_context cx;
    memset(&cx, 0, sizeof(cx));
    cx.trust = x->trust;
    cx.helpers[0] = carried;
    cx.helpers[1] = x->untrusted;
    cx.embedded = &embedded;
    cx.net = *x->net;
    cx.validation_time = x->now;

    ats = OBJ_txt2obj(EMZA_OID_ARCHIVE_TIMESTAMP_V3, 1);
    EMZA_TRY_ENSURE(ats != NULL, EMZA_ENOMEM, "out of memory");
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(*cms);
    const emza_cert_list *pools[2] = {carried, x->untrusted};
    for (int i = 0; i < sk_CMS_SignerInfo_num(sis); i++) {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, i);
        if (!is_target(si, only))
            continue;
        EMZA_TRY(gather_signer(&ltv, &cx, si, pools, ats, 0));
    }

    EMZA_TRY(add_certs_and_crls(*cms, &ltv, layout));
    EMZA_TRY(to_der(*cms, &next));
    emza__buf_free(der); /* `layout` pointed into it: no longer used */
    emza__buf_init(der, EMZA_SIGNED_FILE_MAX);
    EMZA_TRY(emza__cades_add_ocsp_values(der, next.data, next.len, ltv.ocsp, ltv.ocsp_count));
    EMZA_TRY(read_der(cms, der));
cleanup:
    ASN1_OBJECT_free(ats);
    free(layout);
    emza__ltv_free(&ltv);
    emza_cert_list_free(carried);
    emza__buf_free(&next);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* LTA                                                                       */
/* ------------------------------------------------------------------------ */

/* The signed content's digest with `md`: attached from the CMS, detached from the file. */
static int content_digest(uint8_t *out, unsigned int *out_len, CMS_ContentInfo *cms,
                          const emza__cades_extension *x)
{
    if (!CMS_is_detached(cms)) {
        ASN1_OCTET_STRING **pos = CMS_get0_content(cms);
        const uint8_t *data = (pos && *pos) ? ASN1_STRING_get0_data(*pos) : (const uint8_t *)"";
        size_t len = (pos && *pos) ? (size_t)ASN1_STRING_length(*pos) : 0;
        return emza__digest_bytes(out, out_len, data, len, x->md);
    }
    EMZA_ENSURE_MSG(x->content_path != NULL, EMZA_ENOTFOUND,
                    "the signature is detached: an archive timestamp covers the signed content, "
                    "give it with --data");
    return emza__digest_file(out, out_len, NULL, x->content_path, x->md, x->progress,
                             x->progress_ctx);
}

/* The timestamp token `token` with `hash_index` added as ats-hash-index-v3 to its SignerInfo. */
static int token_with_index(emza_buf *out, const emza_buf *token, const emza_buf *hash_index)
{
    CMS_ContentInfo *tcms = NULL;
    EMZA_GUARD(emza__cades_read(&tcms, token->data, token->len));
    int rc = EMZA_OK;
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(tcms);
    EMZA_TRY_ENSURE(sk_CMS_SignerInfo_num(sis) == 1, EMZA_EFORMAT,
                    "the archive timestamp token has not exactly one signer");
    EMZA_TRY_OSSL(CMS_unsigned_add1_attr_by_txt(sk_CMS_SignerInfo_value(sis, 0),
                                                EMZA_OID_ATS_HASH_INDEX_V3, V_ASN1_SEQUENCE,
                                                hash_index->data, (int)hash_index->len),
                  EMZA_ECRYPTO, "cannot add the ATS hash index");
    EMZA_TRY(emza__cades_to_der(tcms, out));
cleanup:
    CMS_ContentInfo_free(tcms);
    emza__ossl_clear();
    return rc;
}

/* One archive-time-stamp-v3 on the signer whose signature value is `sig`. */
static int add_archive_timestamp(CMS_ContentInfo **cms, emza_buf *der,
                                 const emza__cades_extension *x, const ASN1_OCTET_STRING *sig)
{
    EMZA_ENSURE_MSG(x->tsa_url != NULL && x->tsa_url[0] != '\0', EMZA_EUNSUPPORTED,
                    "an archive timestamp cannot be made without a time-stamping authority: "
                    "give a TSA URL");
    int rc = EMZA_OK;
    emza__cades_layout *layout = calloc(1, sizeof(*layout));
    emza__cades_signer_layout *signer = calloc(1, sizeof(*signer));
    emza_buf index, input, token, indexed;
    emza__buf_init(&index, EMZA_SIGNED_FILE_MAX);
    emza__buf_init(&input, EMZA_SIGNED_FILE_MAX);
    emza__buf_init(&token, 0);
    emza__buf_init(&indexed, EMZA_TSP_TOKEN_MAX); /* what a verifier accepts (tsp.h) */
    emza__tsp_token info;
    memset(&info, 0, sizeof(info));
    EMZA_TRY_ENSURE(layout != NULL && signer != NULL, EMZA_ENOMEM, "out of memory");
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    EMZA_TRY(content_digest(digest, &digest_len, *cms, x));
    EMZA_TRY(emza__cades_layout_parse(layout, der->data, der->len));
    EMZA_TRY(emza__cades_layout_find_signer(signer, layout, ASN1_STRING_get0_data(sig),
                                            (size_t)ASN1_STRING_length(sig)));
    EMZA_TRY(emza__cades_ats_hash_index(&index, layout, signer, x->md));
    emza_span index_span = {index.data, index.len};
    EMZA_TRY(emza__cades_ats_imprint_input(&input, layout, signer, digest, digest_len,
                                           index_span));
    emza__buf_free(&token);
    EMZA_TRY(emza__tsp_stamp(&token, &info, x->net, x->tsa_url, x->md, NULL, input.data,
                             input.len));
    EMZA_TRY(token_with_index(&indexed, &token, &index));

    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(*cms);
    CMS_SignerInfo *target = NULL;
    for (int i = 0; i < sk_CMS_SignerInfo_num(sis) && target == NULL; i++)
        if (ASN1_STRING_cmp(CMS_SignerInfo_get0_signature(sk_CMS_SignerInfo_value(sis, i)), sig) ==
            0)
            target = sk_CMS_SignerInfo_value(sis, i);
    EMZA_TRY_ENSURE(target != NULL, EMZA_EINTERNAL, "the signer to archive-stamp went missing");
    EMZA_TRY_OSSL(CMS_unsigned_add1_attr_by_txt(target, EMZA_OID_ARCHIVE_TIMESTAMP_V3,
                                                V_ASN1_SEQUENCE, indexed.data, (int)indexed.len),
                  EMZA_ECRYPTO, "cannot add the archive timestamp");
    EMZA_TRY(to_der(*cms, der));
    EMZA_TRY(read_der(cms, der));
cleanup:
    emza__tsp_token_free(&info);
    emza__buf_free(&index);
    emza__buf_free(&input);
    emza__buf_free(&token);
    emza__buf_free(&indexed);
    free(layout);
    free(signer);
    emza__ossl_clear();
    return rc;
}

/* ------------------------------------------------------------------------ */
/* the steps in order                                                        */
/* ------------------------------------------------------------------------ */

int emza__cades_extend_der(emza_buf *out, const uint8_t *der, size_t len,
                           const emza__cades_extension *x, const ASN1_OCTET_STRING *only)
{
    EMZA_ENSURE(x->level == EMZA_LEVEL_T || x->level == EMZA_LEVEL_LT ||
                    x->level == EMZA_LEVEL_LTA,
                EMZA_EINVAL);
    CMS_ContentInfo *cms = NULL;
    EMZA_GUARD(emza__cades_read(&cms, der, len));
    int rc = EMZA_OK;
    ASN1_OCTET_STRING **targets = NULL;
    int target_count = 0;
    emza_buf cur;
    emza__buf_init(&cur, EMZA_SIGNED_FILE_MAX);

    /* The targets, by signature value (SignerInfo objects change with every re-read). */
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    int n = sk_CMS_SignerInfo_num(sis);
    EMZA_TRY_ENSURE(n > 0, EMZA_EFORMAT, "the CMS holds no signature to extend");
    EMZA_TRY_ENSURE(n <= EMZA_CADES_SIGNERS_MAX, EMZA_ELIMIT, "more than %d signers",
                    EMZA_CADES_SIGNERS_MAX);
    targets = calloc((size_t)n, sizeof(*targets));
    EMZA_TRY_ENSURE(targets != NULL, EMZA_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, i);
        if (!is_target(si, only))
            continue;
        targets[target_count] = ASN1_OCTET_STRING_dup(CMS_SignerInfo_get0_signature(si));
        EMZA_TRY_ENSURE(targets[target_count] != NULL, EMZA_ENOMEM, "out of memory");
        target_count++;
        /* T */
        if (!has_unsigned(si, NID_id_smime_aa_timeStampToken))
            EMZA_TRY(emza__cades_add_signature_timestamp(si, x));
    }
    EMZA_TRY_ENSURE(target_count > 0, EMZA_EINTERNAL, "no signer to extend");
    EMZA_TRY(to_der(cms, &cur));
    EMZA_TRY(read_der(&cms, &cur));

    if (x->level >= EMZA_LEVEL_LT)
        EMZA_TRY(make_lt(&cms, &cur, x, only));
    if (x->level == EMZA_LEVEL_LTA)
        for (int i = 0; i < target_count; i++)
            EMZA_TRY(add_archive_timestamp(&cms, &cur, x, targets[i]));
    EMZA_TRY(emza__buf_append(out, cur.data, cur.len));
cleanup:
    for (int i = 0; targets != NULL && i < target_count; i++)
        ASN1_OCTET_STRING_free(targets[i]);
    free(targets);
    CMS_ContentInfo_free(cms);
    emza__buf_free(&cur);
    emza__ossl_clear();
    return rc;
}

/* ------------------------------------------------------------------------ */
/* emza_extend                                                               */
/* ------------------------------------------------------------------------ */

/* The --data file for a detached signature: by the signature's name without .p7s, or the only one. */
static const char *detached_content(const emza__extend_job *job)
{
    const emza_extend_options *o = job->opts;
    char name[256];
    snprintf(name, sizeof(name), "%s", emza__base_name(job->path));
    char *dot = strrchr(name, '.');
    if (dot != NULL && (strcmp(dot, ".p7s") == 0 || strcmp(dot, ".p7m") == 0 ||
                        strcmp(dot, ".pkcs7") == 0 || strcmp(dot, ".cms") == 0))
        *dot = '\0';
    for (size_t i = 0; i < o->data_count; i++)
        if (strcmp(emza__base_name(o->data_paths[i]), name) == 0)
            return o->data_paths[i];
    return o->data_count == 1 ? o->data_paths[0] : NULL;
}

int emza__cades_extend(const emza__extend_job *job)
{
    const emza_extend_options *o = job->opts;
    emza__cades_extension x = {o->level,          o->tsa_url,  job->md,
                               &job->net,         o->trust,    o->untrusted,
                               job->now,          detached_content(job),
                               o->progress,       o->progress_ctx};
    int rc = emza__cades_extend_der(job->out, job->data, job->len, &x, NULL);
    if (rc < 0)
        emza__error_prefix("%s", job->path);
    return rc;
}
