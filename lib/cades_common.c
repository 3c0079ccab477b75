/*
 * CAdES / CMS pieces shared by signing and verification (cades_internal.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cades_internal.h"
#include "cert_internal.h"
#include "util/der.h"
#include "util/digest.h"
#include "util/guard.h"

/* Largest DER of the signed attributes of one SignerInfo. */
#define SIGNED_ATTRS_MAX (1024 * 1024)

int emza__cades_read(CMS_ContentInfo **out, const uint8_t *data, size_t len)
{
    *out = NULL;
    EMZA_ENSURE_MSG(len > 0 && len <= INT32_MAX, EMZA_EFORMAT, "empty or oversized CMS data");
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    EMZA_ENSURE(bio != NULL, EMZA_ENOMEM);
    CMS_ContentInfo *cms = emza__looks_like_pem(data, len) ? PEM_read_bio_CMS(bio, NULL, NULL, NULL)
                                                           : d2i_CMS_bio(bio, NULL);
    BIO_free(bio);
    if (cms == NULL)
        return emza__error_ossl(EMZA_EFORMAT, __FILE__, __LINE__, "not a CMS signature");
    if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
        CMS_ContentInfo_free(cms);
        EMZA_FAIL(EMZA_EFORMAT, "the CMS structure is not SignedData");
    }
    emza__ossl_clear();
    *out = cms;
    return EMZA_OK;
}

int emza__cades_to_der(CMS_ContentInfo *cms, emza_buf *out)
{
    unsigned char *der = NULL;
    int len = i2d_CMS_ContentInfo(cms, &der);
    if (len <= 0)
        return emza__error_ossl(EMZA_ECRYPTO, __FILE__, __LINE__, "cannot encode the CMS");
    int rc = emza__buf_append(out, der, (size_t)len);
    OPENSSL_free(der);
    return rc;
}

int emza__cades_signing_cert_v2_der(const emza_cert *cert, emza_buf *out)
{
    int rc = EMZA_OK;
    emza_buf id, ids, issuer_serial;
    emza__buf_init(&id, EMZA_CERT_DER_MAX);
    emza__buf_init(&ids, EMZA_CERT_DER_MAX);
    emza__buf_init(&issuer_serial, EMZA_CERT_DER_MAX);
    /* ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256 (omitted), certHash, issuerSerial } */
    EMZA_TRY(emza__der_append_tlv(&id, EMZA_DER_OCTET_STRING, emza_cert_sha256(cert), 32));
    EMZA_TRY(emza__cert_issuer_serial_der(cert, &issuer_serial));
    EMZA_TRY(emza__buf_append(&id, issuer_serial.data, issuer_serial.len));
    EMZA_TRY(emza__der_append_tlv(&ids, EMZA_DER_SEQUENCE, id.data, id.len));
    /* SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 } */
    emza_buf certs;
    emza__buf_init(&certs, EMZA_CERT_DER_MAX);
    rc = emza__der_append_tlv(&certs, EMZA_DER_SEQUENCE, ids.data, ids.len);
    if (rc == EMZA_OK)
        rc = emza__der_append_tlv(out, EMZA_DER_SEQUENCE, certs.data, certs.len);
    emza__buf_free(&certs);
cleanup:
    emza__buf_free(&id);
    emza__buf_free(&ids);
    emza__buf_free(&issuer_serial);
    return rc;
}

/*
 * Reads the first ESSCertID(v2) of a SigningCertificate(V2) value: its hash
 * algorithm (SHA-256 by default for v2, SHA-1 for v1) and the hash.
 */
static int first_cert_id(emza_span value, int v1, const EVP_MD **md, emza_span *hash)
{
    emza_reader r, certs, id;
    emza_span outer, list, first;
    uint8_t tag;
    emza__reader_init(&r, value.data, value.len);
    EMZA_GUARD(emza__der_expect(&r, EMZA_DER_SEQUENCE, &outer));
    emza__reader_init(&certs, outer.data, outer.len);
    EMZA_GUARD(emza__der_expect(&certs, EMZA_DER_SEQUENCE, &list));
    emza__reader_init(&id, list.data, list.len);
    EMZA_GUARD(emza__der_expect(&id, EMZA_DER_SEQUENCE, &first));
    emza__reader_init(&id, first.data, first.len);
    *md = v1 ? EVP_sha1() : EVP_sha256();
    emza_span content, whole;
    EMZA_GUARD(emza__der_next_raw(&id, &tag, &content, &whole));
    if (!v1 && tag == EMZA_DER_SEQUENCE) {
        /* An explicit hashAlgorithm: AlgorithmIdentifier { OID, params } */
        emza_reader alg;
        emza_span oid_content, oid_whole;
        emza__reader_init(&alg, content.data, content.len);
        EMZA_GUARD(emza__der_next_raw(&alg, &tag, &oid_content, &oid_whole));
        EMZA_ENSURE_MSG(tag == EMZA_DER_OID, EMZA_EFORMAT, "signing certificate: bad hash algorithm");
        const unsigned char *p = oid_whole.data;
        ASN1_OBJECT *obj = d2i_ASN1_OBJECT(NULL, &p, (long)oid_whole.len);
        EMZA_ENSURE_MSG(obj != NULL, EMZA_EFORMAT, "signing certificate: bad hash algorithm");
        *md = EVP_get_digestbyobj(obj);
        ASN1_OBJECT_free(obj);
        emza__ossl_clear();
        EMZA_ENSURE_MSG(*md != NULL, EMZA_EFORMAT, "signing certificate: unknown hash algorithm");
        EMZA_GUARD(emza__der_next_raw(&id, &tag, &content, &whole));
    }
    EMZA_ENSURE_MSG(tag == EMZA_DER_OCTET_STRING, EMZA_EFORMAT, "signing certificate: no certHash");
    *hash = content;
    return EMZA_OK;
}

int emza__cades_signing_cert_check(emza__signing_cert_ref *out, int *out_v1, CMS_SignerInfo *si,
                                   const emza_cert *cert)
{
    *out = EMZA__SIGNING_CERT_ABSENT;
    *out_v1 = 0;
    static const int nids[2] = {NID_id_smime_aa_signingCertificateV2,
                                NID_id_smime_aa_signingCertificate};
    for (int v = 0; v < 2; v++) {
        int count = 0;
        for (int pos = -1; (pos = CMS_signed_get_attr_by_NID(si, nids[v], pos)) >= 0;)
            count++;
        if (count == 0)
            continue;
        *out_v1 = v == 1;
        ASN1_STRING *value =
            count == 1 ? CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(nids[v]), -3, V_ASN1_SEQUENCE)
                       : NULL;
        emza__ossl_clear();
        if (value == NULL) {
            *out = EMZA__SIGNING_CERT_MALFORMED;
            return EMZA_OK;
        }
        emza_span der = {ASN1_STRING_get0_data(value), (size_t)ASN1_STRING_length(value)};
        const EVP_MD *md = NULL;
        emza_span hash = {NULL, 0};
        if (first_cert_id(der, v == 1, &md, &hash) < 0) {
            emza_error_clear();
            *out = EMZA__SIGNING_CERT_MALFORMED;
            return EMZA_OK;
        }
        uint8_t digest[EVP_MAX_MD_SIZE];
        unsigned int digest_len = 0;
        size_t der_len = 0;
        const uint8_t *cert_der = emza_cert_der(cert, &der_len);
        int rc = emza__digest_bytes(digest, &digest_len, cert_der, der_len, md);
        if (rc == EMZA_ENOMEM)
            return rc;
        if (rc < 0) {
            /* A hash the crypto provider lacks (MD4, say) identifies nothing. */
            emza_error_clear();
            *out = EMZA__SIGNING_CERT_MALFORMED;
            return EMZA_OK;
        }
        *out = (hash.len == digest_len && memcmp(hash.data, digest, digest_len) == 0)
                   ? EMZA__SIGNING_CERT_MATCHES
                   : EMZA__SIGNING_CERT_DIFFERS;
        return EMZA_OK;
    }
    return EMZA_OK;
}

typedef struct der_item {
    unsigned char *der;
    size_t len;
} der_item;

/* DER SET OF order: as octet strings, a shorter one first when it is a prefix. */
static int compare_der(const void *a, const void *b)
{
    const der_item *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->der, y->der, n);
    if (c != 0)
        return c;
    return (x->len > y->len) - (x->len < y->len);
}

int emza__cades_signed_attrs_der(CMS_SignerInfo *si, emza_buf *out)
{
    int count = CMS_signed_get_attr_count(si);
    EMZA_ENSURE_MSG(count > 0 && count <= EMZA_CADES_SIGNED_ATTRS_MAX, EMZA_EFORMAT,
                    "a signer has no signed attributes, or more than %d",
                    EMZA_CADES_SIGNED_ATTRS_MAX);
    der_item *items = calloc((size_t)count, sizeof(*items));
    EMZA_ENSURE(items != NULL, EMZA_ENOMEM);
    int rc = EMZA_OK;
    emza_buf set;
    emza__buf_init(&set, SIGNED_ATTRS_MAX);
    for (int i = 0; i < count; i++) {
        int len = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &items[i].der);
        EMZA_TRY_ENSURE(len > 0, EMZA_ECRYPTO, "cannot encode a signed attribute");
        items[i].len = (size_t)len;
    }
    qsort(items, (size_t)count, sizeof(*items), compare_der);
    for (int i = 0; i < count; i++)
        EMZA_TRY(emza__buf_append(&set, items[i].der, items[i].len));
    EMZA_TRY(emza__der_append_tlv(out, EMZA_DER_SET, set.data, set.len));
cleanup:
    for (int i = 0; i < count; i++)
        OPENSSL_free(items[i].der);
    free(items);
    emza__buf_free(&set);
    return rc;
}

int emza__cades_first_signer_info(const uint8_t *cms_der, size_t len, emza_span *out)
{
    emza_reader r, ci, sd;
    emza_span content, explicit0, signed_data, item, whole;
    uint8_t tag;
    emza__reader_init(&r, cms_der, len);
    EMZA_GUARD(emza__der_expect(&r, EMZA_DER_SEQUENCE, &content));
    emza__reader_init(&ci, content.data, content.len);
    EMZA_GUARD(emza__der_expect(&ci, EMZA_DER_OID, &item));
    EMZA_GUARD(emza__der_expect(&ci, 0xA0, &explicit0));
    emza__reader_init(&sd, explicit0.data, explicit0.len);
    EMZA_GUARD(emza__der_expect(&sd, EMZA_DER_SEQUENCE, &signed_data));
    emza__reader_init(&sd, signed_data.data, signed_data.len);
    EMZA_GUARD(emza__der_expect(&sd, EMZA_DER_INTEGER, &item));       /* version */
    EMZA_GUARD(emza__der_expect(&sd, EMZA_DER_SET, &item));           /* digestAlgorithms */
    EMZA_GUARD(emza__der_expect(&sd, EMZA_DER_SEQUENCE, &item));      /* encapContentInfo */
    do {
        EMZA_GUARD(emza__der_next(&sd, &tag, &item)); /* [0] certificates, [1] crls */
    } while (tag == 0xA0 || tag == 0xA1);
    EMZA_ENSURE_MSG(tag == EMZA_DER_SET, EMZA_EFORMAT, "CMS: no signerInfos");
    emza_reader infos;
    emza__reader_init(&infos, item.data, item.len);
    EMZA_GUARD(emza__der_next_raw(&infos, &tag, &item, &whole));
    EMZA_ENSURE_MSG(tag == EMZA_DER_SEQUENCE, EMZA_EFORMAT, "CMS: malformed SignerInfo");
    *out = whole;
    return EMZA_OK;
}

int emza__cades_wrap_signer_info(CMS_ContentInfo **out, emza_span signer_info)
{
    static const uint8_t oid_signed_data[] = {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7,
                                              0x0D, 0x01, 0x07, 0x02};
    static const uint8_t encap_data[] = {0x30, 0x0B, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86,
                                         0xF7, 0x0D, 0x01, 0x07, 0x01};
    static const uint8_t empty_set[] = {0x31, 0x00};
    *out = NULL;
    /* SignedData's version is 3 when the signer is named by subjectKeyIdentifier ([0]). */
    emza_reader r, fields;
    emza_span content, version;
    uint8_t sid_tag = 0;
    emza__reader_init(&r, signer_info.data, signer_info.len);
    EMZA_GUARD(emza__der_expect(&r, EMZA_DER_SEQUENCE, &content));
    emza__reader_init(&fields, content.data, content.len);
    EMZA_GUARD(emza__der_expect(&fields, EMZA_DER_INTEGER, &version));
    EMZA_ENSURE_MSG(fields.left > 0, EMZA_EFORMAT, "SignerInfo: no signer identifier");
    sid_tag = fields.p[0];
    const uint8_t sd_version[] = {0x02, 0x01, sid_tag == 0x80 ? 0x03 : 0x01};

    int rc = EMZA_OK;
    emza_buf sd_body, sd, ci_body, ci;
    emza__buf_init(&sd_body, SIGNED_ATTRS_MAX);
    emza__buf_init(&sd, SIGNED_ATTRS_MAX);
    emza__buf_init(&ci_body, SIGNED_ATTRS_MAX);
    emza__buf_init(&ci, SIGNED_ATTRS_MAX);
    EMZA_TRY(emza__buf_append(&sd_body, sd_version, sizeof(sd_version)));
    EMZA_TRY(emza__buf_append(&sd_body, empty_set, sizeof(empty_set)));
    EMZA_TRY(emza__buf_append(&sd_body, encap_data, sizeof(encap_data)));
    EMZA_TRY(emza__der_append_tlv(&sd_body, EMZA_DER_SET, signer_info.data, signer_info.len));
    EMZA_TRY(emza__der_append_tlv(&sd, EMZA_DER_SEQUENCE, sd_body.data, sd_body.len));
    EMZA_TRY(emza__buf_append(&ci_body, oid_signed_data, sizeof(oid_signed_data)));
    EMZA_TRY(emza__der_append_tlv(&ci_body, 0xA0, sd.data, sd.len));
    EMZA_TRY(emza__der_append_tlv(&ci, EMZA_DER_SEQUENCE, ci_body.data, ci_body.len));
    const unsigned char *p = ci.data;
    *out = d2i_CMS_ContentInfo(NULL, &p, (long)ci.len);
    if (*out == NULL)
        rc = emza__error_ossl(EMZA_EFORMAT, __FILE__, __LINE__, "malformed countersignature");
cleanup:
    emza__buf_free(&sd_body);
    emza__buf_free(&sd);
    emza__buf_free(&ci_body);
    emza__buf_free(&ci);
    return rc;
}
