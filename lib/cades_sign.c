/*
 * CAdES-BASELINE-B signing (ETSI EN 319 122-1) on OpenSSL's CMS: detached
 * (the content is streamed through the digest only) or attached, a parallel
 * signature added to an existing CMS, or countersignatures. Above B the
 * signature is then extended in memory (cades_extend.c) before it is
 * written: at T each new SignerInfo gets a signature timestamp, at LT and
 * LTA the new signer's long-term material and archive timestamp.
 *
 * The CMS structure is built by OpenSSL; the signature itself is made through
 * the signer interface (signer_internal.h) over the DER of the signed
 * attributes, so any key source — a file, a smart card, an external signer —
 * signs the same way.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <emza/datetime.h>
#include <emza/verify.h>

#include "cades_internal.h"
#include "cert_internal.h"
#include "http.h"
#include "sign_internal.h"
#include "signer_internal.h"
#include "tsp.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/guard.h"

/* The content being signed: its digest, and for attached CMS its bytes. */
typedef struct content {
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len;
    emza_buf bytes; /* attached only */
} content;

/* RSASSA-PSS with MGF1 over the same digest and a salt as long as the digest. */
static int set_pss_algorithm(CMS_SignerInfo *si, const EVP_MD *md)
{
    int rc = EMZA_OK;
    X509_ALGOR *sig_alg = NULL, *mgf_md = NULL;
    ASN1_STRING *mgf_params = NULL, *params = NULL;
    RSA_PSS_PARAMS *pss = RSA_PSS_PARAMS_new();
    EMZA_TRY_ENSURE(pss != NULL, EMZA_ENOMEM, "out of memory");
    CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &sig_alg);
    pss->hashAlgorithm = X509_ALGOR_new();
    mgf_md = X509_ALGOR_new();
    pss->maskGenAlgorithm = X509_ALGOR_new();
    pss->saltLength = ASN1_INTEGER_new();
    EMZA_TRY_ENSURE(sig_alg != NULL && pss->hashAlgorithm && mgf_md && pss->maskGenAlgorithm &&
                        pss->saltLength,
                    EMZA_ENOMEM, "out of memory");
    X509_ALGOR_set_md(pss->hashAlgorithm, md);
    X509_ALGOR_set_md(mgf_md, md);
    mgf_params = ASN1_item_pack(mgf_md, ASN1_ITEM_rptr(X509_ALGOR), NULL);
    EMZA_TRY_ENSURE(mgf_params != NULL, EMZA_ENOMEM, "out of memory");
    EMZA_TRY_OSSL(X509_ALGOR_set0(pss->maskGenAlgorithm, OBJ_nid2obj(NID_mgf1), V_ASN1_SEQUENCE,
                                  mgf_params),
                  EMZA_ECRYPTO, "cannot encode RSA-PSS parameters");
    mgf_params = NULL;
    EMZA_TRY_OSSL(ASN1_INTEGER_set(pss->saltLength, EVP_MD_get_size(md)), EMZA_ECRYPTO,
                  "cannot encode RSA-PSS parameters");
    params = ASN1_item_pack(pss, ASN1_ITEM_rptr(RSA_PSS_PARAMS), NULL);
    EMZA_TRY_ENSURE(params != NULL, EMZA_ENOMEM, "out of memory");
    EMZA_TRY_OSSL(X509_ALGOR_set0(sig_alg, OBJ_nid2obj(NID_rsassaPss), V_ASN1_SEQUENCE, params),
                  EMZA_ECRYPTO, "cannot set the RSA-PSS algorithm");
    params = NULL;
cleanup:
    ASN1_STRING_free(mgf_params);
    ASN1_STRING_free(params);
    X509_ALGOR_free(mgf_md);
    RSA_PSS_PARAMS_free(pss);
    return rc;
}

/* Adds `x` unless the CMS already carries it. */
static int add_cert_once(CMS_ContentInfo *cms, X509 *x)
{
    STACK_OF(X509) *have = CMS_get1_certs(cms);
    int present = 0;
    for (int i = 0; have != NULL && i < sk_X509_num(have); i++)
        present |= X509_cmp(sk_X509_value(have, i), x) == 0;
    sk_X509_pop_free(have, X509_free);
    if (present)
        return EMZA_OK;
    EMZA_GUARD_OSSL(CMS_add1_cert(cms, x), EMZA_ECRYPTO);
    return EMZA_OK;
}

/* How this job raises its signatures above B (cades_extend.c). */
static emza__cades_extension extension_of(const emza__sign_job *job, const emza__net *net)
{
    emza__cades_extension x = {job->opts->level,
                               job->opts->tsa_url,
                               job->md,
                               net,
                               job->opts->trust,
                               job->opts->untrusted,
                               0,
                               job->opts->format == EMZA_FORMAT_CADES_DETACHED ? job->inputs[0]
                                                                               : NULL,
                               job->opts->progress,
                               job->opts->progress_ctx};
    return x;
}

/*
 * Adds a SignerInfo over `digest` (the content's, or for a countersignature
 * the countersigned signature value's) with the CAdES-B signed attributes,
 * and signs it through the signer; at level T it is then timestamped.
 * `countersignature` leaves out content-type (RFC 5652 section 11.4) and the
 * MIME type.
 */
static int add_signer(CMS_ContentInfo *cms, const emza__sign_job *job, const uint8_t *digest,
                      unsigned int digest_len, int countersignature, CMS_SignerInfo **out)
{
    int rc = EMZA_OK;
    const emza_cert *cert = emza_signer_cert(job->signer);
    X509 *x = emza__cert_x509(cert);
    EVP_PKEY *pub = X509_get_pubkey(x);
    ASN1_TIME *when = NULL;
    emza_buf attr, tbs, sig;
    emza__buf_init(&attr, EMZA_CERT_DER_MAX);
    emza__buf_init(&tbs, EMZA_CERT_DER_MAX);
    emza__buf_init(&sig, 64 * 1024);
    EMZA_TRY_ENSURE(pub != NULL, EMZA_ECRYPTO, "the signing certificate's key cannot be read");

    /*
     * The public key only: OpenSSL builds the structure, the signer signs.
     * CMS_NOCERTS: OpenSSL 3.0 refuses to add a certificate the CMS already
     * carries (a notary who countersigned and now co-signs, a person signing
     * twice), so the certificate is added here only when it is missing.
     */
    CMS_SignerInfo *si = CMS_add1_signer(cms, x, pub, job->md,
                                         CMS_PARTIAL | CMS_NOATTR | CMS_BINARY | CMS_NOCERTS);
    EMZA_TRY_ENSURE(si != NULL, EMZA_ECRYPTO, "cannot add a signer: %s",
                    ERR_reason_error_string(ERR_peek_last_error()));
    EMZA_TRY(add_cert_once(cms, x));
    const emza_cert_list *chain = emza_signer_chain(job->signer);
    for (size_t i = 0; i < emza_cert_list_count(chain); i++)
        EMZA_TRY(add_cert_once(cms, emza__cert_x509(emza_cert_list_get(chain, i))));
    if (job->opts->rsa_pss) {
        EMZA_TRY_ENSURE(emza__signer_key_type(job->signer) == EVP_PKEY_RSA, EMZA_EINVAL,
                        "RSA-PSS needs an RSA key");
        EMZA_TRY(set_pss_algorithm(si, job->md));
    }

    if (!countersignature)
        EMZA_TRY_OSSL(CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                                  OBJ_nid2obj(NID_pkcs7_data), -1),
                      EMZA_ECRYPTO, "cannot add content-type");
    when = ASN1_TIME_adj(NULL, (time_t)job->signing_time, 0, 0);
    EMZA_TRY_ENSURE(when != NULL, EMZA_EINVAL, "the signing time cannot be encoded");
    EMZA_TRY_OSSL(CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, when->type, when, -1),
                  EMZA_ECRYPTO, "cannot add signing-time");
    EMZA_TRY_OSSL(CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING,
                                              digest, (int)digest_len),
                  EMZA_ECRYPTO, "cannot add message-digest");
    EMZA_TRY(emza__cades_signing_cert_v2_der(cert, &attr));
    EMZA_TRY_OSSL(CMS_signed_add1_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2,
                                              V_ASN1_SEQUENCE, attr.data, (int)attr.len),
                  EMZA_ECRYPTO, "cannot add signing-certificate-v2");
    if (!countersignature) {
        const char *mime = job->opts->mime_type ? job->opts->mime_type
                                                : emza__mime_type_for(job->inputs[0]);
        EMZA_TRY_OSSL(CMS_signed_add1_attr_by_txt(si, EMZA_OID_ETS_MIME_TYPE, V_ASN1_UTF8STRING,
                                                  (const unsigned char *)mime, (int)strlen(mime)),
                      EMZA_ECRYPTO, "cannot add the MIME type");
    }

    /* The signature covers the DER of the signed attributes. */
    uint8_t tbs_digest[EVP_MAX_MD_SIZE];
    unsigned int tbs_digest_len = 0;
    EMZA_TRY(emza__cades_signed_attrs_der(si, &tbs));
    EMZA_TRY(emza__digest_bytes(tbs_digest, &tbs_digest_len, tbs.data, tbs.len, job->md));
    EMZA_TRY(emza__signer_sign_digest(job->signer, job->md, job->opts->rsa_pss, tbs_digest,
                                      tbs_digest_len, &sig));
    ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
    EMZA_TRY_OSSL(ASN1_OCTET_STRING_set(value, sig.data, (int)sig.len), EMZA_ENOMEM,
                  "out of memory");
    if (job->opts->level >= EMZA_LEVEL_T) {
        emza__net net = {job->opts->offline, job->opts->timeout_seconds, job->opts->transport,
                         job->opts->transport_ctx};
        emza__cades_extension ext = extension_of(job, &net);
        EMZA_TRY(emza__cades_add_signature_timestamp(si, &ext));
    }
    *out = si;
cleanup:
    ASN1_TIME_free(when);
    EVP_PKEY_free(pub);
    emza__buf_free(&attr);
    emza__buf_free(&tbs);
    emza__buf_free(&sig);
    emza__ossl_clear();
    return rc;
}

static int digest_content(content *c, const emza__sign_job *job, int attached)
{
    emza__buf_init(&c->bytes, EMZA_CADES_ATTACHED_MAX);
    if (!attached)
        return emza__digest_file(c->digest, &c->digest_len, NULL, job->inputs[0], job->md,
                                 job->opts->progress, job->opts->progress_ctx);
    emza__buf_free(&c->bytes);
    EMZA_GUARD(emza__file_read(&c->bytes, job->inputs[0], EMZA_CADES_ATTACHED_MAX));
    return emza__digest_bytes(c->digest, &c->digest_len, c->bytes.data ? c->bytes.data
                                                                      : (const uint8_t *)"",
                              c->bytes.len, job->md);
}

static int read_existing(CMS_ContentInfo **out, const char *path)
{
    emza_buf file;
    EMZA_GUARD(emza__file_read(&file, path, EMZA_SIGNED_FILE_MAX));
    int rc = emza__cades_read(out, file.data, file.len);
    if (rc < 0)
        emza__error_prefix("%s", path);
    emza__buf_free(&file);
    return rc;
}

/* The existing CMS must be over the input: same detached-ness and same content. */
static int check_same_content(CMS_ContentInfo *cms, const emza__sign_job *job, int attached,
                              const content *c)
{
    const char *input = job->inputs[0];
    EMZA_ENSURE_MSG(CMS_is_detached(cms) == !attached, EMZA_EINVAL,
                    "%s is %s CMS: use --format %s", job->opts->existing,
                    attached ? "a detached" : "an attached",
                    attached ? "cades-detached" : "cades-attached");
    if (attached) {
        ASN1_OCTET_STRING **pos = CMS_get0_content(cms);
        EMZA_ENSURE_MSG(pos != NULL && *pos != NULL, EMZA_EFORMAT, "%s holds no content",
                        job->opts->existing);
        int same = ASN1_STRING_length(*pos) == (int)c->bytes.len &&
                   (c->bytes.len == 0 ||
                    memcmp(ASN1_STRING_get0_data(*pos), c->bytes.data, c->bytes.len) == 0);
        EMZA_ENSURE_MSG(same, EMZA_EINVAL, "%s is not the content %s holds", input,
                        job->opts->existing);
        return EMZA_OK;
    }
    /* Detached: every existing signer's message-digest must be the input's. */
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    for (int i = 0; i < sk_CMS_SignerInfo_num(sis); i++) {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, i);
        X509_ALGOR *dig_alg = NULL;
        CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig_alg, NULL);
        const ASN1_OBJECT *obj = NULL;
        X509_ALGOR_get0(&obj, NULL, NULL, dig_alg);
        const EVP_MD *md = EVP_get_digestbyobj(obj);
        ASN1_OCTET_STRING *md_attr = CMS_signed_get0_data_by_OBJ(
            si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING);
        emza__ossl_clear();
        EMZA_ENSURE_MSG(md != NULL && md_attr != NULL, EMZA_EFORMAT,
                        "signer %d of %s has no usable message digest", i + 1, job->opts->existing);
        uint8_t d[EVP_MAX_MD_SIZE];
        unsigned int dlen = 0;
        if (md == job->md) {
            memcpy(d, c->digest, c->digest_len);
            dlen = c->digest_len;
        } else {
            EMZA_GUARD(emza__digest_file(d, &dlen, NULL, input, md, NULL, NULL));
        }
        EMZA_ENSURE_MSG(ASN1_STRING_length(md_attr) == (int)dlen &&
                            memcmp(ASN1_STRING_get0_data(md_attr), d, dlen) == 0,
                        EMZA_EINVAL, "signer %d of %s did not sign %s", i + 1,
                        job->opts->existing, input);
    }
    return EMZA_OK;
}

/* Countersigns every signer of `cms` (their signature values). */
static int countersign_all(CMS_ContentInfo *cms, const emza__sign_job *job)
{
    int rc = EMZA_OK;
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    int count = sk_CMS_SignerInfo_num(sis);
    EMZA_ENSURE_MSG(count > 0, EMZA_EFORMAT, "%s has no signature to countersign",
                    job->opts->existing);
    for (int i = 0; i < count; i++) {
        CMS_SignerInfo *target = sk_CMS_SignerInfo_value(sis, i);
        ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(target);
        uint8_t d[EVP_MAX_MD_SIZE];
        unsigned int dlen = 0;
        EMZA_GUARD(emza__digest_bytes(d, &dlen, ASN1_STRING_get0_data(value),
                                      (size_t)ASN1_STRING_length(value), job->md));
        CMS_ContentInfo *holder = CMS_sign(NULL, NULL, NULL, NULL, CMS_PARTIAL | CMS_DETACHED);
        EMZA_ENSURE(holder != NULL, EMZA_ENOMEM);
        CMS_SignerInfo *si = NULL;
        emza_buf der;
        emza__buf_init(&der, EMZA_SIGNED_FILE_MAX);
        emza_span signer_info;
        rc = add_signer(holder, job, d, dlen, 1, &si);
        if (rc == EMZA_OK)
            rc = emza__cades_to_der(holder, &der);
        if (rc == EMZA_OK)
            rc = emza__cades_first_signer_info(der.data, der.len, &signer_info);
        if (rc == EMZA_OK &&
            CMS_unsigned_add1_attr_by_NID(target, NID_pkcs9_countersignature, V_ASN1_SEQUENCE,
                                          signer_info.data, (int)signer_info.len) != 1)
            rc = emza__error_ossl(EMZA_ECRYPTO, __FILE__, __LINE__, "cannot add a countersignature");
        if (rc == EMZA_OK) {
            /* The countersigner's certificates travel in the outer CMS. */
            rc = add_cert_once(cms, emza__cert_x509(emza_signer_cert(job->signer)));
            const emza_cert_list *chain = emza_signer_chain(job->signer);
            for (size_t k = 0; rc == EMZA_OK && k < emza_cert_list_count(chain); k++)
                rc = add_cert_once(cms, emza__cert_x509(emza_cert_list_get(chain, k)));
        }
        emza__buf_free(&der);
        CMS_ContentInfo_free(holder);
        if (rc < 0)
            return rc;
    }
    return EMZA_OK;
}

/*
 * Checks what was just made, as a verifier will read it: the DER is parsed
 * back and the new signer's signature verified with the certificate's key
 * (a faulty key source must not produce a bad signature silently). Signed
 * attributes are only in DER order after this round trip.
 */
static int self_check(const emza_buf *der, const emza__sign_job *job, CMS_SignerInfo *made)
{
    if (made == NULL)
        return EMZA_OK; /* countersignatures are checked by verification, not here */
    CMS_ContentInfo *cms = NULL;
    EMZA_GUARD(emza__cades_read(&cms, der->data, der->len));
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    const ASN1_OCTET_STRING *want = CMS_SignerInfo_get0_signature(made);
    X509 *x = emza__cert_x509(emza_signer_cert(job->signer));
    int verified = 0;
    /* signerInfos is a SET: after encoding, the new signer is found by its signature value. */
    for (int i = 0; i < sk_CMS_SignerInfo_num(sis); i++) {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, i);
        if (ASN1_STRING_cmp(CMS_SignerInfo_get0_signature(si), want) != 0)
            continue;
        CMS_SignerInfo_set1_signer_cert(si, x);
        verified = CMS_SignerInfo_cert_cmp(si, x) == 0 && CMS_SignerInfo_verify(si) == 1;
        break;
    }
    CMS_ContentInfo_free(cms);
    if (!verified)
        return emza__error_ossl(EMZA_ECRYPTO, __FILE__, __LINE__,
                                "the signature just made does not verify with the certificate's key");
    emza__ossl_clear();
    return EMZA_OK;
}

int emza__cades_sign(const emza__sign_job *job)
{
    int attached = job->opts->format == EMZA_FORMAT_CADES_ATTACHED;
    int rc = EMZA_OK;
    CMS_ContentInfo *cms = NULL;
    CMS_SignerInfo *si = NULL;
    content c;
    emza_buf out;
    emza__buf_init(&out, EMZA_SIGNED_FILE_MAX);
    EMZA_TRY(digest_content(&c, job, attached));

    if (job->opts->mode == EMZA_SIGN_NEW) {
        cms = CMS_sign(NULL, NULL, NULL, NULL,
                       CMS_PARTIAL | CMS_BINARY | (attached ? 0 : CMS_DETACHED));
        EMZA_TRY_ENSURE(cms != NULL, EMZA_ENOMEM, "out of memory");
        if (attached) {
            ASN1_OCTET_STRING **pos = CMS_get0_content(cms);
            EMZA_TRY_ENSURE(pos != NULL, EMZA_ECRYPTO, "cannot hold attached content");
            if (*pos == NULL)
                *pos = ASN1_OCTET_STRING_new();
            EMZA_TRY_ENSURE(*pos != NULL &&
                                ASN1_OCTET_STRING_set(*pos, c.bytes.data ? c.bytes.data
                                                                          : (const uint8_t *)"",
                                                      (int)c.bytes.len) == 1,
                            EMZA_ENOMEM, "out of memory");
        }
        EMZA_TRY(add_signer(cms, job, c.digest, c.digest_len, 0, &si));
    } else {
        EMZA_TRY(read_existing(&cms, job->opts->existing));
        EMZA_TRY(check_same_content(cms, job, attached, &c));
        EMZA_TRY_ENSURE(sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) < EMZA_CADES_SIGNERS_MAX,
                        EMZA_ELIMIT, "%s already holds %d signers", job->opts->existing,
                        EMZA_CADES_SIGNERS_MAX);
        if (job->opts->mode == EMZA_SIGN_PARALLEL)
            EMZA_TRY(add_signer(cms, job, c.digest, c.digest_len, 0, &si));
        else
            EMZA_TRY(countersign_all(cms, job));
    }
    EMZA_TRY(emza__cades_to_der(cms, &out));
    EMZA_TRY(self_check(&out, job, si));
    if (job->opts->level >= EMZA_LEVEL_LT) {
        /* B and T were made above; LT and LTA extend the encoded signature. */
        emza__net net = {job->opts->offline, job->opts->timeout_seconds, job->opts->transport,
                         job->opts->transport_ctx};
        emza__cades_extension x = extension_of(job, &net);
        emza_buf extended;
        emza__buf_init(&extended, EMZA_SIGNED_FILE_MAX);
        rc = emza__cades_extend_der(&extended, out.data, out.len, &x,
                                    CMS_SignerInfo_get0_signature(si));
        emza__buf_free(&out);
        out = extended;
        EMZA_TRY(rc);
    }
    EMZA_TRY(emza__atomic_write(job->out, out.data, out.len));
cleanup:
    CMS_ContentInfo_free(cms);
    emza__buf_free(&c.bytes);
    emza__buf_free(&out);
    emza__ossl_clear();
    return rc;
}
