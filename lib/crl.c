/*
 * CRL download, parsing and judgement (see crl.h for every check).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <emza/datetime.h>

#include "cert_internal.h"
#include "crl.h"
#include "crypto_policy.h"
#include "util/buf.h"
#include "util/guard.h"

int emza__crl_parse(X509_CRL **out, emza__revocation_statement *st, const uint8_t *data,
                    size_t len)
{
    EMZA_ENSURE(out != NULL && st != NULL && (data != NULL || len == 0), EMZA_EINVAL);
    *out = NULL;
    memset(st, 0, sizeof(*st));
    st->revocation_reason = -1;
    if (len > EMZA_CRL_MAX)
        return emza__revocation_unusable(st, "the CRL is longer than %d bytes", EMZA_CRL_MAX);
    if (len == 0)
        return emza__revocation_unusable(st, "the CRL is empty");
    X509_CRL *crl = NULL;
    if (emza__looks_like_pem(data, len)) {
        BIO *bio = BIO_new_mem_buf(data, (int)len); /* len <= EMZA_CRL_MAX fits an int */
        EMZA_ENSURE(bio != NULL, EMZA_ENOMEM);
        crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
        BIO_free(bio);
    } else {
        const unsigned char *p = data;
        crl = d2i_X509_CRL(NULL, &p, (long)len);
        if (crl != NULL && p != data + len) {
            X509_CRL_free(crl);
            crl = NULL;
            emza__ossl_clear();
            return emza__revocation_unusable(st, "the CRL has bytes after its end");
        }
    }
    if (crl == NULL)
        return emza__revocation_unusable_ossl(st, "the answer is not a CRL in DER or PEM");
    emza__ossl_clear();
    *out = crl;
    return EMZA_OK;
}

static int time_of(int64_t *out, const ASN1_TIME *t)
{
    if (t == NULL || emza__asn1_time_to_epoch(out, t) != EMZA_OK) {
        emza__ossl_clear();
        return 0;
    }
    return 1;
}

/* Extensions of a complete CRL that this module understands (RFC 5280 5.2). */
static int known_crl_extension(int nid)
{
    switch (nid) {
    case NID_authority_key_identifier:
    case NID_crl_number:
    case NID_issuing_distribution_point:
    case NID_freshest_crl: /* points at delta CRLs, which are not used */
    case NID_info_access:
        return 1;
    default:
        return 0;
    }
}

static int known_entry_extension(int nid)
{
    return nid == NID_crl_reason || nid == NID_invalidity_date || nid == NID_hold_instruction_code;
}

/* The scope of issuingDistributionPoint; 0 with `st` unusable when the CRL does not apply. */
static int scope_ok(emza__revocation_statement *st, X509_CRL *crl, X509 *cert)
{
    int crit = 0;
    ISSUING_DIST_POINT *idp =
        X509_CRL_get_ext_d2i(crl, NID_issuing_distribution_point, &crit, NULL);
    emza__ossl_clear();
    if (idp == NULL) {
        if (crit != -1) {
            emza__revocation_unusable(st, "the CRL's issuingDistributionPoint is malformed");
            return 0;
        }
        return 1;
    }
    int is_ca = (X509_get_extension_flags(cert) & EXFLAG_CA) != 0;
    const char *why = NULL;
    if (idp->indirectCRL)
        why = "indirect CRLs are not supported";
    else if (idp->onlyattr)
        why = "the CRL covers only attribute certificates";
    else if (idp->onlysomereasons != NULL)
        why = "the CRL covers only some revocation reasons (partitioned CRLs are not supported)";
    else if (idp->onlyCA && !is_ca)
        why = "the CRL covers only CA certificates";
    else if (idp->onlyuser && is_ca)
        why = "the CRL covers only end-entity certificates";
    ISSUING_DIST_POINT_free(idp);
    emza__ossl_clear();
    if (why != NULL) {
        emza__revocation_unusable(st, "%s", why);
        return 0;
    }
    return 1;
}

int emza__crl_check(emza__revocation_statement *out, X509_CRL *crl, const emza_cert *cert,
                    const emza_cert *issuer, int verify_signature, int64_t now,
                    int64_t validation_time)
{
    EMZA_ENSURE(out != NULL && crl != NULL && cert != NULL && issuer != NULL, EMZA_EINVAL);
    memset(out, 0, sizeof(*out));
    out->revocation_reason = -1;
    X509 *xc = emza__cert_x509(cert), *xi = emza__cert_x509(issuer);

    if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_issuer_name(xc)) != 0) {
        emza__ossl_clear();
        return emza__revocation_unusable(out, "the CRL is issued by another authority than "
                                              "the certificate's issuer");
    }
    out->about_cert = 1;

    if (X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0)
        return emza__revocation_unusable(out, "delta CRLs are not supported");
    if (!scope_ok(out, crl, xc))
        return EMZA_OK;
    for (int i = 0; i < X509_CRL_get_ext_count(crl); i++) {
        X509_EXTENSION *ext = X509_CRL_get_ext(crl, i);
        int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
        if (X509_EXTENSION_get_critical(ext) && !known_crl_extension(nid))
            return emza__revocation_unusable(out, "the CRL has an unknown critical extension");
    }

    uint32_t ku = X509_get_key_usage(xi);
    if (ku != UINT32_MAX && !(ku & KU_CRL_SIGN))
        return emza__revocation_unusable(out, "the issuer's keyUsage lacks cRLSign");
    if (verify_signature && X509_CRL_verify(crl, X509_get0_pubkey(xi)) != 1)
        return emza__revocation_unusable_ossl(out, "the CRL's signature does not verify with the "
                                                   "issuer's key");
    emza__ossl_clear();
    int md_nid = NID_undef, pk_nid = NID_undef;
    if (!OBJ_find_sigid_algs(X509_CRL_get_signature_nid(crl), &md_nid, &pk_nid))
        return emza__revocation_unusable(out, "the CRL's signature algorithm is unknown");
    const char *weak = NULL;
    if (md_nid != NID_undef && !emza__policy_digest_ok(md_nid, &weak))
        return emza__revocation_unusable(out, "the CRL's signature: %s", weak);

    const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
    if (!time_of(&out->this_update, X509_CRL_get0_lastUpdate(crl)) ||
        (next != NULL && !time_of(&out->next_update, next)))
        return emza__revocation_unusable(out, "the CRL's thisUpdate or nextUpdate is not a valid "
                                              "time");
    if (next != NULL && out->next_update < out->this_update)
        return emza__revocation_unusable(out, "the CRL's nextUpdate is before its thisUpdate");
    char why[EMZA_REVOCATION_WHY_MAX];
    if (!emza__revocation_covers(why, sizeof(why), out->this_update,
                                 next ? out->next_update : 0, now, validation_time))
        return emza__revocation_unusable(out, "%s", why);

    X509_REVOKED *entry = NULL;
    int found = X509_CRL_get0_by_serial(crl, &entry, X509_get0_serialNumber(xc));
    emza__ossl_clear();
    /* 2: listed with reason removeFromCRL, which only a delta CRL may carry: not revoked. */
    if (found != 1 || entry == NULL) {
        out->status = EMZA__REVOCATION_GOOD;
        out->usable = 1;
        return EMZA_OK;
    }
    const STACK_OF(X509_EXTENSION) *exts = X509_REVOKED_get0_extensions(entry);
    for (int i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
        X509_EXTENSION *ext = sk_X509_EXTENSION_value(exts, i);
        int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
        if (nid == NID_certificate_issuer)
            return emza__revocation_unusable(out, "the CRL names other issuers in its entries "
                                                  "(indirect CRLs are not supported)");
        if (X509_EXTENSION_get_critical(ext) && !known_entry_extension(nid))
            return emza__revocation_unusable(out, "the CRL entry has an unknown critical "
                                                  "extension");
    }
    if (!time_of(&out->revocation_time, X509_REVOKED_get0_revocationDate(entry)))
        return emza__revocation_unusable(out, "the CRL entry's revocationDate is not a valid time");
    int crit = 0;
    ASN1_ENUMERATED *reason = X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &crit, NULL);
    if (reason != NULL) {
        long r = ASN1_ENUMERATED_get(reason);
        out->revocation_reason = (r >= 0 && r <= 10) ? (int)r : 0;
        ASN1_ENUMERATED_free(reason);
    } else if (crit != -1) {
        emza__ossl_clear();
        return emza__revocation_unusable(out, "the CRL entry's reasonCode is malformed");
    }
    emza__ossl_clear();
    out->status = EMZA__REVOCATION_REVOKED;
    out->usable = 1;
    return EMZA_OK;
}

int emza__crl_fetch(X509_CRL **out, emza__revocation_statement *st, const emza__net *net,
                    const char *url)
{
    EMZA_ENSURE(out != NULL && st != NULL && url != NULL, EMZA_EINVAL);
    *out = NULL;
    memset(st, 0, sizeof(*st));
    st->revocation_reason = -1;
    emza_buf body;
    /* No expected Content-Type: CRL servers answer application/pkix-crl, application/x-pkcs7-crl
       or application/octet-stream alike; the bytes are checked instead. */
    int rc = emza__http_exchange(&body, net, url, NULL, NULL, 0, NULL, EMZA_CRL_MAX);
    if (rc == EMZA_ENOMEM)
        return rc;
    if (rc < 0)
        return emza__revocation_unusable(st, "%s", emza__revocation_net_why(url));
    rc = emza__crl_parse(out, st, body.data, body.len);
    emza__buf_free(&body);
    return rc;
}
