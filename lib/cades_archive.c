/*
 * The DER-level pieces of CAdES long-term signatures (cades_internal.h):
 * where the certificates, revocation values and SignerInfos of a SignedData
 * are; OCSP responses as RevocationInfoChoices (RFC 5940), which OpenSSL's
 * API cannot add; and the archive-time-stamp-v3 of ETSI EN 319 122-1 clause
 * 5.5.3 (its ATSHashIndexV3 and message imprint), which hash the exact
 * encodings found in the signature.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <emza/verify.h>

#include "cades_internal.h"
#include "util/der.h"
#include "util/digest.h"
#include "util/guard.h"

/* id-ri-ocsp-response 1.3.6.1.5.5.7.16.2, content octets */
static const uint8_t oid_ri_ocsp[] = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x10, 0x02};

/* The ContentInfo's SignedData content (inside [0] and its SEQUENCE). */
static int signed_data_of(emza_span *out, const uint8_t *der, size_t len)
{
    emza_reader r, ci, x;
    emza_span content, item, explicit0;
    emza__reader_init(&r, der, len);
    EMZA_GUARD(emza__der_expect(&r, EMZA_DER_SEQUENCE, &content));
    EMZA_ENSURE_MSG(r.left == 0, EMZA_EFORMAT, "CMS: bytes after the ContentInfo");
    emza__reader_init(&ci, content.data, content.len);
    EMZA_GUARD(emza__der_expect(&ci, EMZA_DER_OID, &item));
    EMZA_GUARD(emza__der_expect(&ci, 0xA0, &explicit0));
    emza__reader_init(&x, explicit0.data, explicit0.len);
    return emza__der_expect(&x, EMZA_DER_SEQUENCE, out);
}

static int push(emza_span *list, size_t *count, emza_span item, const char *what)
{
    EMZA_ENSURE_MSG(*count < EMZA_CADES_VALUES_MAX, EMZA_ELIMIT,
                    "the signature holds more than %d %s", EMZA_CADES_VALUES_MAX, what);
    list[(*count)++] = item;
    return EMZA_OK;
}

int emza__cades_layout_parse(emza__cades_layout *out, const uint8_t *der, size_t len)
{
    memset(out, 0, sizeof(*out));
    emza_span sd_content, item, whole;
    uint8_t tag;
    EMZA_GUARD(signed_data_of(&sd_content, der, len));
    emza_reader sd;
    emza__reader_init(&sd, sd_content.data, sd_content.len);
    EMZA_GUARD(emza__der_expect(&sd, EMZA_DER_INTEGER, &item));  /* version */
    EMZA_GUARD(emza__der_expect(&sd, EMZA_DER_SET, &item));      /* digestAlgorithms */
    EMZA_GUARD(emza__der_expect(&sd, EMZA_DER_SEQUENCE, &item)); /* encapContentInfo */
    emza_reader encap;
    emza__reader_init(&encap, item.data, item.len);
    EMZA_GUARD(emza__der_next_raw(&encap, &tag, &item, &out->content_type));
    EMZA_ENSURE_MSG(tag == EMZA_DER_OID, EMZA_EFORMAT, "CMS: no eContentType");
    EMZA_GUARD(emza__der_next(&sd, &tag, &item));
    if (tag == 0xA0) { /* certificates */
        emza_reader certs;
        emza__reader_init(&certs, item.data, item.len);
        while (certs.left > 0) {
            emza_span c;
            EMZA_GUARD(emza__der_next_raw(&certs, &tag, &c, &whole));
            EMZA_GUARD(push(out->certs, &out->cert_count, whole, "certificates"));
        }
        EMZA_GUARD(emza__der_next(&sd, &tag, &item));
    }
    if (tag == 0xA1) { /* crls: RevocationInfoChoices */
        emza_reader crls;
        emza__reader_init(&crls, item.data, item.len);
        while (crls.left > 0) {
            emza_span c;
            EMZA_GUARD(emza__der_next_raw(&crls, &tag, &c, &whole));
            EMZA_GUARD(push(out->choices, &out->choice_count, whole, "revocation values"));
            if (tag == EMZA_DER_SEQUENCE) {
                EMZA_GUARD(push(out->crls, &out->crl_count, whole, "CRLs"));
            } else if (tag == 0xA1) { /* other [1] OtherRevocationInfoFormat */
                emza_reader other;
                emza_span format, info;
                emza__reader_init(&other, c.data, c.len);
                EMZA_GUARD(emza__der_expect(&other, EMZA_DER_OID, &format));
                EMZA_GUARD(emza__der_next_raw(&other, &tag, &info, &whole));
                if (emza__der_oid_equals(format, oid_ri_ocsp, sizeof(oid_ri_ocsp)) &&
                    tag == EMZA_DER_SEQUENCE)
                    EMZA_GUARD(push(out->ocsp, &out->ocsp_count, whole, "OCSP responses"));
            }
        }
        EMZA_GUARD(emza__der_next(&sd, &tag, &item));
    }
    EMZA_ENSURE_MSG(tag == EMZA_DER_SET, EMZA_EFORMAT, "CMS: no signerInfos");
    emza_reader infos;
    emza__reader_init(&infos, item.data, item.len);
    while (infos.left > 0) {
        emza_span c;
        EMZA_GUARD(emza__der_next_raw(&infos, &tag, &c, &whole));
        EMZA_ENSURE_MSG(tag == EMZA_DER_SEQUENCE, EMZA_EFORMAT, "CMS: malformed SignerInfo");
        EMZA_ENSURE_MSG(out->signer_count < EMZA_CADES_SIGNERS_MAX, EMZA_ELIMIT,
                        "the signature holds more than %d signers", EMZA_CADES_SIGNERS_MAX);
        out->signer_infos[out->signer_count++] = whole;
    }
    return EMZA_OK;
}

int emza__cades_signer_layout_parse(emza__cades_signer_layout *out, emza_span signer_info)
{
    memset(out, 0, sizeof(*out));
    emza_reader r, f;
    emza_span content, item, whole;
    uint8_t tag;
    emza__reader_init(&r, signer_info.data, signer_info.len);
    EMZA_GUARD(emza__der_expect(&r, EMZA_DER_SEQUENCE, &content));
    emza__reader_init(&f, content.data, content.len);
    EMZA_GUARD(emza__der_expect(&f, EMZA_DER_INTEGER, &item)); /* version */
    EMZA_GUARD(emza__der_next(&f, &tag, &item));               /* sid */
    EMZA_GUARD(emza__der_expect(&f, EMZA_DER_SEQUENCE, &item)); /* digestAlgorithm */
    EMZA_GUARD(emza__der_next(&f, &tag, &item));
    if (tag == 0xA0) /* signedAttrs */
        EMZA_GUARD(emza__der_next(&f, &tag, &item));
    EMZA_ENSURE_MSG(tag == EMZA_DER_SEQUENCE, EMZA_EFORMAT, "SignerInfo: no signatureAlgorithm");
    EMZA_GUARD(emza__der_expect(&f, EMZA_DER_OCTET_STRING, &out->signature));
    out->fields.data = content.data;
    out->fields.len = (size_t)(f.p - content.data);
    if (f.left == 0)
        return EMZA_OK;
    EMZA_GUARD(emza__der_expect(&f, 0xA1, &item)); /* unsignedAttrs */
    EMZA_ENSURE_MSG(f.left == 0, EMZA_EFORMAT, "SignerInfo: bytes after the unsigned attributes");
    emza_reader attrs;
    emza__reader_init(&attrs, item.data, item.len);
    while (attrs.left > 0) {
        emza_span attr, type, values;
        EMZA_GUARD(emza__der_expect(&attrs, EMZA_DER_SEQUENCE, &attr));
        emza_reader a;
        emza__reader_init(&a, attr.data, attr.len);
        EMZA_GUARD(emza__der_next_raw(&a, &tag, &item, &type));
        EMZA_ENSURE_MSG(tag == EMZA_DER_OID, EMZA_EFORMAT, "SignerInfo: malformed attribute");
        EMZA_GUARD(emza__der_expect(&a, EMZA_DER_SET, &values));
        emza_reader v;
        emza__reader_init(&v, values.data, values.len);
        while (v.left > 0) {
            EMZA_GUARD(emza__der_next_raw(&v, &tag, &item, &whole));
            EMZA_ENSURE_MSG(out->unsigned_count < EMZA_CADES_UNSIGNED_VALUES_MAX, EMZA_ELIMIT,
                            "a signer holds more than %d unsigned attribute values",
                            EMZA_CADES_UNSIGNED_VALUES_MAX);
            out->unsigned_values[out->unsigned_count].type = type;
            out->unsigned_values[out->unsigned_count].value = whole;
            out->unsigned_count++;
        }
    }
    return EMZA_OK;
}

static int same_span(emza_span a, emza_span b)
{
    return a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
}

int emza__cades_layout_find_signer(emza__cades_signer_layout *out, const emza__cades_layout *layout,
                                   const uint8_t *signature, size_t signature_len)
{
    emza_span want = {signature, signature_len};
    size_t i = 0;
    for (; i < layout->signer_count; i++) {
        EMZA_GUARD(emza__cades_signer_layout_parse(out, layout->signer_infos[i]));
        if (same_span(out->signature, want))
            break;
    }
    EMZA_ENSURE_MSG(i < layout->signer_count, EMZA_ENOTFOUND,
                    "the signer is not in the signature's DER");
    /* Another SignerInfo with this signature value but other fields or unsigned attributes
       would make the choice ambiguous (an archive timestamp checked against the wrong
       attributes): refused. An exact duplicate has the same layout. */
    emza__cades_signer_layout *other = NULL;
    int rc = EMZA_OK;
    for (size_t j = i + 1; j < layout->signer_count && rc == EMZA_OK; j++) {
        if (same_span(layout->signer_infos[j], layout->signer_infos[i]))
            continue;
        if (other == NULL && (other = malloc(sizeof(*other))) == NULL)
            rc = emza__error_set(EMZA_ENOMEM, __FILE__, __LINE__, "out of memory");
        else if (emza__cades_signer_layout_parse(other, layout->signer_infos[j]) != EMZA_OK)
            emza_error_clear(); /* not this signer's: its signature cannot even be read */
        else if (same_span(other->signature, want))
            rc = emza__error_set(EMZA_EFORMAT, __FILE__, __LINE__,
                                 "signers %zu and %zu have the same signature value but differ",
                                 i + 1, j + 1);
    }
    free(other);
    return rc;
}

/* Appends OCTET STRING(hash(a || b)) to `out`. */
static int append_hash(emza_buf *out, const EVP_MD *md, emza_span a, emza_span b)
{
    uint8_t h[EVP_MAX_MD_SIZE];
    unsigned int hl = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EMZA_ENSURE(ctx != NULL, EMZA_ENOMEM);
    int ok = EVP_DigestInit_ex(ctx, md, NULL) == 1 && EVP_DigestUpdate(ctx, a.data, a.len) == 1 &&
             (b.len == 0 || EVP_DigestUpdate(ctx, b.data, b.len) == 1) &&
             EVP_DigestFinal_ex(ctx, h, &hl) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return emza__error_ossl(EMZA_ECRYPTO, __FILE__, __LINE__, "cannot hash for the ATS index");
    return emza__der_append_tlv(out, EMZA_DER_OCTET_STRING, h, hl);
}

int emza__cades_ats_hash_index(emza_buf *out, const emza__cades_layout *l,
                               const emza__cades_signer_layout *s, const EVP_MD *md)
{
    int rc = EMZA_OK;
    emza_buf body, part;
    emza_span none = {NULL, 0};
    emza__buf_init(&body, EMZA_SIGNED_FILE_MAX);
    emza__buf_init(&part, EMZA_SIGNED_FILE_MAX);
    if (EVP_MD_get_type(md) != NID_sha256) {
        X509_ALGOR *alg = X509_ALGOR_new();
        unsigned char *der = NULL;
        int n = -1;
        if (alg != NULL) {
            X509_ALGOR_set_md(alg, md);
            n = i2d_X509_ALGOR(alg, &der);
        }
        X509_ALGOR_free(alg);
        if (n > 0)
            rc = emza__buf_append(&body, der, (size_t)n);
        OPENSSL_free(der);
        EMZA_TRY_ENSURE(n > 0, EMZA_ENOMEM, "cannot encode the hash index algorithm");
        EMZA_TRY(rc);
    }
    for (size_t i = 0; i < l->cert_count; i++)
        EMZA_TRY(append_hash(&part, md, l->certs[i], none));
    EMZA_TRY(emza__der_append_tlv(&body, EMZA_DER_SEQUENCE, part.data, part.len));
    part.len = 0;
    for (size_t i = 0; i < l->choice_count; i++)
        EMZA_TRY(append_hash(&part, md, l->choices[i], none));
    EMZA_TRY(emza__der_append_tlv(&body, EMZA_DER_SEQUENCE, part.data, part.len));
    part.len = 0;
    for (size_t i = 0; i < s->unsigned_count; i++)
        EMZA_TRY(append_hash(&part, md, s->unsigned_values[i].type, s->unsigned_values[i].value));
    EMZA_TRY(emza__der_append_tlv(&body, EMZA_DER_SEQUENCE, part.data, part.len));
    EMZA_TRY(emza__der_append_tlv(out, EMZA_DER_SEQUENCE, body.data, body.len));
cleanup:
    emza__buf_free(&body);
    emza__buf_free(&part);
    return rc;
}

int emza__cades_ats_imprint_input(emza_buf *out, const emza__cades_layout *l,
                                  const emza__cades_signer_layout *s, const uint8_t *content_digest,
                                  size_t content_digest_len, emza_span hash_index)
{
    EMZA_GUARD(emza__buf_append(out, l->content_type.data, l->content_type.len));
    EMZA_GUARD(emza__buf_append(out, content_digest, content_digest_len));
    EMZA_GUARD(emza__buf_append(out, s->fields.data, s->fields.len));
    return emza__buf_append(out, hash_index.data, hash_index.len);
}

/* 1 when OCTET STRING `h` is the hash of one of `items` (for unsigned values: type || value). */
static int hash_present(int *found, const EVP_MD *md, emza_span h, const emza_span *items,
                        size_t count, const emza__cades_attr_value *values, size_t value_count)
{
    emza_buf one;
    emza__buf_init(&one, 2 + EVP_MAX_MD_SIZE);
    emza_span none = {NULL, 0};
    int rc = EMZA_OK;
    *found = 0;
    size_t n = items != NULL ? count : value_count;
    for (size_t i = 0; i < n && !*found; i++) {
        one.len = 0;
        if (items != NULL)
            EMZA_TRY(append_hash(&one, md, items[i], none));
        else
            EMZA_TRY(append_hash(&one, md, values[i].type, values[i].value));
        /* `one` is the TLV OCTET STRING; compare its contents */
        *found = one.len >= 2 && one.len - 2 == h.len && memcmp(one.data + 2, h.data, h.len) == 0;
    }
cleanup:
    emza__buf_free(&one);
    return rc;
}

int emza__cades_ats_hash_index_check(int *ok, char *why, size_t why_size, const EVP_MD **md,
                                     emza_span hash_index, const emza__cades_layout *l,
                                     const emza__cades_signer_layout *s)
{
    *ok = 0;
    *md = NULL;
    emza_reader r, body;
    emza_span content, lists[4];
    uint8_t tag;
    size_t n = 0;
    emza__reader_init(&r, hash_index.data, hash_index.len);
    if (emza__der_expect(&r, EMZA_DER_SEQUENCE, &content) < 0 || r.left != 0)
        goto malformed;
    emza__reader_init(&body, content.data, content.len);
    while (body.left > 0) {
        if (n == 4 || emza__der_expect(&body, EMZA_DER_SEQUENCE, &lists[n]) < 0)
            goto malformed;
        n++;
    }
    if (n != 3 && n != 4)
        goto malformed;
    const EVP_MD *alg = EVP_sha256();
    if (n == 4) {
        emza_reader a;
        emza_span oid, oid_whole;
        emza__reader_init(&a, lists[0].data, lists[0].len);
        if (emza__der_next_raw(&a, &tag, &oid, &oid_whole) < 0 || tag != EMZA_DER_OID)
            goto malformed;
        const unsigned char *p = oid_whole.data;
        ASN1_OBJECT *obj = d2i_ASN1_OBJECT(NULL, &p, (long)oid_whole.len);
        alg = obj ? EVP_get_digestbyobj(obj) : NULL;
        ASN1_OBJECT_free(obj);
        emza__ossl_clear();
        if (alg == NULL || !emza__digest_usable(alg)) {
            /* Known by OID but not computable here (MD4...) is a verdict too, not an error. */
            snprintf(why, why_size, "the archive timestamp's hash index uses an %s algorithm",
                     alg == NULL ? "unknown" : "unavailable");
            emza_error_clear();
            return EMZA_OK;
        }
    }
    *md = alg;
    const char *names[3] = {"certificate", "revocation value", "unsigned attribute value"};
    for (size_t k = 0; k < 3; k++) {
        emza_reader list;
        emza_span list_content = lists[n - 3 + k];
        emza__reader_init(&list, list_content.data, list_content.len);
        size_t index = 0;
        while (list.left > 0) {
            emza_span h;
            if (emza__der_next(&list, &tag, &h) < 0 || tag != EMZA_DER_OCTET_STRING)
                goto malformed;
            int found = 0;
            if (k == 0)
                EMZA_GUARD(hash_present(&found, alg, h, l->certs, l->cert_count, NULL, 0));
            else if (k == 1)
                EMZA_GUARD(hash_present(&found, alg, h, l->choices, l->choice_count, NULL, 0));
            else
                EMZA_GUARD(hash_present(&found, alg, h, NULL, 0, s->unsigned_values,
                                        s->unsigned_count));
            if (!found) {
                snprintf(why, why_size,
                         "%s %zu covered by the archive timestamp has been changed or removed",
                         names[k], index + 1);
                return EMZA_OK;
            }
            index++;
        }
    }
    *ok = 1;
    return EMZA_OK;
malformed:
    emza_error_clear();
    snprintf(why, why_size, "the archive timestamp's hash index (ats-hash-index-v3) is malformed");
    return EMZA_OK;
}

int emza__cades_add_ocsp_values(emza_buf *out, const uint8_t *der, size_t len,
                                const emza_buf *ocsp, size_t ocsp_count)
{
    emza_span sd_content, ci_oid, item, whole;
    uint8_t tag;
    EMZA_GUARD(signed_data_of(&sd_content, der, len));
    {
        emza_reader r, ci;
        emza_span content;
        emza__reader_init(&r, der, len);
        EMZA_GUARD(emza__der_expect(&r, EMZA_DER_SEQUENCE, &content));
        emza__reader_init(&ci, content.data, content.len);
        EMZA_GUARD(emza__der_next_raw(&ci, &tag, &item, &ci_oid));
    }
    emza__cades_layout *l = calloc(1, sizeof(*l));
    EMZA_ENSURE(l != NULL, EMZA_ENOMEM);
    int rc = EMZA_OK;
    emza_buf sd_body, crls, tmp, tmp2;
    emza__buf_init(&sd_body, EMZA_SIGNED_FILE_MAX);
    emza__buf_init(&crls, EMZA_SIGNED_FILE_MAX);
    emza__buf_init(&tmp, EMZA_SIGNED_FILE_MAX);
    emza__buf_init(&tmp2, EMZA_SIGNED_FILE_MAX);
    EMZA_TRY(emza__cades_layout_parse(l, der, len));

    emza_reader sd;
    emza__reader_init(&sd, sd_content.data, sd_content.len);
    EMZA_TRY(emza__der_next_raw(&sd, &tag, &item, &whole)); /* version: rewritten below */
    const uint8_t *rest = sd.p;
    EMZA_TRY(emza__der_next_raw(&sd, &tag, &item, &whole)); /* digestAlgorithms */
    EMZA_TRY(emza__der_next_raw(&sd, &tag, &item, &whole)); /* encapContentInfo */
    EMZA_TRY(emza__der_next_raw(&sd, &tag, &item, &whole));
    emza_span before = {rest, (size_t)(whole.data - rest)}; /* digestAlgorithms, encap */
    emza_span certs = {NULL, 0};
    if (tag == 0xA0) {
        certs = whole;
        EMZA_TRY(emza__der_next_raw(&sd, &tag, &item, &whole));
    }
    if (tag == 0xA1) {
        EMZA_TRY(emza__buf_append(&crls, item.data, item.len)); /* the choices present */
        EMZA_TRY(emza__der_next_raw(&sd, &tag, &item, &whole));
    }
    emza_span signer_infos = whole;
    EMZA_TRY_ENSURE(tag == EMZA_DER_SET && sd.left == 0, EMZA_EFORMAT, "CMS: malformed SignedData");

    size_t added = 0;
    for (size_t i = 0; i < ocsp_count; i++) {
        int present = 0;
        for (size_t k = 0; k < l->ocsp_count && !present; k++)
            present = l->ocsp[k].len == ocsp[i].len &&
                      memcmp(l->ocsp[k].data, ocsp[i].data, ocsp[i].len) == 0;
        if (present)
            continue;
        /* Exactly one DER OCSPResponse (a SEQUENCE): the splice writes it as it is. */
        emza_reader one;
        emza_span body;
        emza__reader_init(&one, ocsp[i].data, ocsp[i].len);
        EMZA_TRY(emza__der_expect(&one, EMZA_DER_SEQUENCE, &body));
        EMZA_TRY_ENSURE(one.left == 0, EMZA_EFORMAT,
                        "an OCSP response to embed is not one DER SEQUENCE");
        tmp.len = 0;
        tmp2.len = 0;
        EMZA_TRY(emza__der_append_tlv(&tmp, EMZA_DER_OID, oid_ri_ocsp, sizeof(oid_ri_ocsp)));
        EMZA_TRY(emza__buf_append(&tmp, ocsp[i].data, ocsp[i].len));
        EMZA_TRY(emza__der_append_tlv(&crls, 0xA1, tmp.data, tmp.len));
        added++;
    }
    EMZA_TRY_ENSURE(l->choice_count + added <= EMZA_CADES_VALUES_MAX, EMZA_ELIMIT,
                    "the signature would hold more than %d revocation values",
                    EMZA_CADES_VALUES_MAX);
    static const uint8_t version5[] = {0x02, 0x01, 0x05};
    if (l->ocsp_count + added > 0)
        EMZA_TRY(emza__buf_append(&sd_body, version5, sizeof(version5)));
    else
        EMZA_TRY(emza__buf_append(&sd_body, sd_content.data, (size_t)(rest - sd_content.data)));
    EMZA_TRY(emza__buf_append(&sd_body, before.data, before.len));
    if (certs.data != NULL)
        EMZA_TRY(emza__buf_append(&sd_body, certs.data, certs.len));
    if (crls.len > 0)
        EMZA_TRY(emza__der_append_tlv(&sd_body, 0xA1, crls.data, crls.len));
    EMZA_TRY(emza__buf_append(&sd_body, signer_infos.data, signer_infos.len));
    tmp.len = 0;
    EMZA_TRY(emza__der_append_tlv(&tmp, EMZA_DER_SEQUENCE, sd_body.data, sd_body.len));
    tmp2.len = 0;
    EMZA_TRY(emza__buf_append(&tmp2, ci_oid.data, ci_oid.len));
    EMZA_TRY(emza__der_append_tlv(&tmp2, 0xA0, tmp.data, tmp.len));
    EMZA_TRY(emza__der_append_tlv(out, EMZA_DER_SEQUENCE, tmp2.data, tmp2.len));
cleanup:
    free(l);
    emza__buf_free(&sd_body);
    emza__buf_free(&crls);
    emza__buf_free(&tmp);
    emza__buf_free(&tmp2);
    return rc;
}
