/*
 * OCSP requests and response verification (see ocsp.h for every check).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include <emza/datetime.h>

#include "cert_internal.h"
#include "crypto_policy.h"
#include "ocsp.h"
#include "util/guard.h"

struct emza__ocsp_request {
    OCSP_REQUEST *req;
    uint8_t *der;
    size_t der_len;
};

/* CertID hash algorithms accepted in responses (RFC 6960 4.1.1 leaves it open). */
static const int certid_digests[] = {NID_sha1, NID_sha256, NID_sha384, NID_sha512};

/* ------------------------------------------------------------------------ */
/* requests                                                                  */
/* ------------------------------------------------------------------------ */

void emza__ocsp_request_free(emza__ocsp_request *req)
{
    if (req == NULL)
        return;
    OCSP_REQUEST_free(req->req);
    OPENSSL_free(req->der);
    free(req);
}

int emza__ocsp_request_new(emza__ocsp_request **out, const emza_cert *cert,
                           const emza_cert *issuer)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(cert != NULL && issuer != NULL, EMZA_EINVAL);
    int rc = EMZA_OK;
    OCSP_CERTID *id = NULL;
    emza__ocsp_request *r = calloc(1, sizeof(*r));
    EMZA_ENSURE(r != NULL, EMZA_ENOMEM);
    r->req = OCSP_REQUEST_new();
    EMZA_TRY_ENSURE(r->req != NULL, EMZA_ENOMEM, "out of memory");
    /* SHA-1 CertID: what responders index by (RFC 5019 2.1.1); a lookup key, not a signature. */
    id = OCSP_cert_to_id(EVP_sha1(), emza__cert_x509(cert), emza__cert_x509(issuer));
    if (id == NULL) {
        rc = emza__error_ossl(EMZA_ECRYPTO, __FILE__, __LINE__, "cannot make an OCSP CertID");
        goto cleanup;
    }
    if (OCSP_request_add0_id(r->req, id) == NULL) {
        rc = emza__error_ossl(EMZA_ENOMEM, __FILE__, __LINE__, "cannot build an OCSP request");
        goto cleanup;
    }
    id = NULL; /* owned by the request now */
    /* NULL value: OpenSSL fills the nonce with random bytes. */
    EMZA_TRY_OSSL(OCSP_request_add1_nonce(r->req, NULL, EMZA_OCSP_NONCE_LEN), EMZA_ECRYPTO,
                  "cannot add a nonce to the OCSP request");
    unsigned char *der = NULL;
    int len = i2d_OCSP_REQUEST(r->req, &der);
    if (len <= 0) {
        rc = emza__error_ossl(EMZA_ECRYPTO, __FILE__, __LINE__, "cannot encode the OCSP request");
        goto cleanup;
    }
    r->der = der;
    r->der_len = (size_t)len;
    *out = r;
    r = NULL;
cleanup:
    OCSP_CERTID_free(id);
    emza__ocsp_request_free(r);
    emza__ossl_clear();
    return rc;
}

const uint8_t *emza__ocsp_request_der(const emza__ocsp_request *req, size_t *len)
{
    *len = req ? req->der_len : 0;
    return req ? req->der : NULL;
}

/* ------------------------------------------------------------------------ */
/* the signer                                                                */
/* ------------------------------------------------------------------------ */

static int time_of(int64_t *out, const ASN1_TIME *t)
{
    if (t == NULL || emza__asn1_time_to_epoch(out, t) != EMZA_OK) {
        emza__ossl_clear();
        return 0;
    }
    return 1;
}

static void text_time(char *buf, size_t size, int64_t t)
{
    if (emza_time_format(buf, size, t) != EMZA_OK)
        snprintf(buf, size, "(time out of range)");
}

/* The certificate's commonName or one-line subject, for messages. */
static void subject_text(char *buf, size_t size, X509 *x)
{
    emza_cert *c = NULL;
    if (emza__cert_from_x509(&c, x) == EMZA_OK) {
        snprintf(buf, size, "%s", emza__cert_display_name(c));
    } else {
        snprintf(buf, size, "(a certificate whose names cannot be read)");
        emza_error_clear();
    }
    emza_cert_free(c);
    emza__ossl_clear();
}

/* Does `x` match the responderID (byKey: SHA-1 of its public key; byName: its subject)? */
static int responder_id_matches(X509 *x, const ASN1_OCTET_STRING *by_key, const X509_NAME *by_name)
{
    if (by_key != NULL) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int md_len = 0;
        if (X509_pubkey_digest(x, EVP_sha1(), md, &md_len) != 1) {
            emza__ossl_clear();
            return 0;
        }
        return ASN1_STRING_length(by_key) == (int)md_len &&
               memcmp(ASN1_STRING_get0_data(by_key), md, md_len) == 0;
    }
    return by_name != NULL && X509_NAME_cmp(X509_get_subject_name(x), by_name) == 0;
}

/*
 * Is `x` a responder the issuing CA authorised (RFC 6960 4.2.2.2)? Returns 1,
 * or 0 with `why` filled. The CA's own key is handled by the caller.
 */
static int delegated_ok(X509 *x, X509 *issuer, int64_t produced_at, char *why, size_t why_size)
{
    char name[160], when[EMZA_TIME_TEXT_SIZE];
    subject_text(name, sizeof(name), x);
    int ok = 0;
    if (X509_check_issued(issuer, x) != X509_V_OK) {
        snprintf(why, why_size, "responder %s is not issued by the certificate's issuer", name);
        goto done;
    }
    if (X509_verify(x, X509_get0_pubkey(issuer)) != 1) {
        snprintf(why, why_size,
                 "responder %s names the certificate's issuer but is not signed by its key", name);
        goto done;
    }
    if (!(X509_get_extension_flags(x) & EXFLAG_XKUSAGE) ||
        !(X509_get_extended_key_usage(x) & XKU_OCSP_SIGN)) {
        snprintf(why, why_size,
                 "responder %s is not authorised: its extendedKeyUsage lacks OCSPSigning", name);
        goto done;
    }
    if (X509_get_ext_by_NID(x, NID_id_pkix_OCSP_noCheck, -1) < 0) {
        snprintf(why, why_size,
                 "delegated responder %s lacks id-pkix-ocsp-nocheck, so its own revocation "
                 "status cannot be checked",
                 name);
        goto done;
    }
    uint32_t ku = X509_get_key_usage(x);
    if (ku != UINT32_MAX && !(ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION))) {
        snprintf(why, why_size, "responder %s's keyUsage lacks digitalSignature", name);
        goto done;
    }
    int64_t nb, na;
    if (!time_of(&nb, X509_get0_notBefore(x)) || !time_of(&na, X509_get0_notAfter(x))) {
        snprintf(why, why_size, "responder %s has unreadable validity dates", name);
        goto done;
    }
    if (produced_at < nb || produced_at > na) {
        text_time(when, sizeof(when), produced_at);
        snprintf(why, why_size, "responder %s was not valid when the response was produced (%s)",
                 name, when);
        goto done;
    }
    int md_nid = NID_undef;
    const char *weak = NULL;
    if (X509_get_signature_info(x, &md_nid, NULL, NULL, NULL) == 1 &&
        !emza__policy_digest_ok(md_nid, &weak)) {
        snprintf(why, why_size, "responder %s's certificate: %s", name, weak);
        goto done;
    }
    ok = 1;
done:
    emza__ossl_clear();
    return ok;
}

/*
 * Finds the responder named by the responderID among the issuer and the
 * response's certificates, and checks it is authorised. On success `*signer`
 * is borrowed (the issuer itself for a CA-signed response).
 */
static int find_signer(emza__revocation_statement *st, OCSP_BASICRESP *bs, X509 *issuer,
                       int64_t produced_at, X509 **signer)
{
    const ASN1_OCTET_STRING *by_key = NULL;
    const X509_NAME *by_name = NULL;
    *signer = NULL;
    if (OCSP_resp_get0_id(bs, &by_key, &by_name) != 1) {
        emza__ossl_clear();
        return emza__revocation_unusable(st, "the response has no readable responderID");
    }
    const STACK_OF(X509) *certs = OCSP_resp_get0_certs(bs);
    int count = certs ? sk_X509_num(certs) : 0;
    char first_why[EMZA_REVOCATION_WHY_MAX] = "";
    int matched = 0;
    for (int i = -1; i < count; i++) {
        X509 *x = i < 0 ? issuer : sk_X509_value(certs, i);
        if (!responder_id_matches(x, by_key, by_name))
            continue;
        matched = 1;
        /* The CA's own key (this certificate, or another one of the CA with the same key). */
        if (EVP_PKEY_eq(X509_get0_pubkey(x), X509_get0_pubkey(issuer)) == 1) {
            emza__ossl_clear();
            *signer = issuer;
            return EMZA_OK;
        }
        emza__ossl_clear();
        char why[EMZA_REVOCATION_WHY_MAX];
        if (delegated_ok(x, issuer, produced_at, why, sizeof(why))) {
            *signer = x;
            return EMZA_OK;
        }
        if (first_why[0] == '\0')
            snprintf(first_why, sizeof(first_why), "%s", why);
    }
    if (!matched)
        return emza__revocation_unusable(st, "the responder's certificate is neither the issuing "
                                             "CA nor included in the response");
    return emza__revocation_unusable(st, "%s", first_why);
}

/* The response's signature with `signer`'s key, and the policy on its digest and key. */
static int check_signature(emza__revocation_statement *st, OCSP_BASICRESP *bs, X509 *signer)
{
    int rc = EMZA_OK;
    STACK_OF(X509) *only = sk_X509_new_null();
    EMZA_TRY_ENSURE(only != NULL && sk_X509_push(only, signer) > 0, EMZA_ENOMEM, "out of memory");
    /* OCSP_NOINTERN: only `signer` may have signed; OCSP_NOVERIFY: its authority was checked. */
    if (OCSP_basic_verify(bs, only, NULL, OCSP_NOINTERN | OCSP_NOVERIFY) != 1) {
        rc = emza__revocation_unusable_ossl(st, "the response's signature does not verify");
        goto cleanup;
    }
    const ASN1_OBJECT *alg = NULL;
    X509_ALGOR_get0(&alg, NULL, NULL, OCSP_resp_get0_tbs_sigalg(bs));
    int md_nid = NID_undef, pk_nid = NID_undef;
    if (!OBJ_find_sigid_algs(OBJ_obj2nid(alg), &md_nid, &pk_nid)) {
        rc = emza__revocation_unusable(st, "the response's signature algorithm is unknown");
        goto cleanup;
    }
    /* md_nid is undefined for RSA-PSS (its digest sits in the parameters) and EdDSA. */
    const char *weak = NULL;
    if (md_nid != NID_undef && !emza__policy_digest_ok(md_nid, &weak)) {
        rc = emza__revocation_unusable(st, "the response's signature: %s", weak);
        goto cleanup;
    }
    char key_why[160];
    const EVP_PKEY *key = X509_get0_pubkey(signer);
    if (key == NULL || !emza__policy_key_ok(key, key_why, sizeof(key_why))) {
        rc = emza__revocation_unusable(st, "the responder's key: %s",
                                       key == NULL ? "cannot be decoded" : key_why);
        goto cleanup;
    }
cleanup:
    sk_X509_free(only);
    emza__ossl_clear();
    return rc;
}

/* ------------------------------------------------------------------------ */
/* the SingleResponse about this certificate                                 */
/* ------------------------------------------------------------------------ */

/*
 * The SingleResponse whose CertID is exactly `cert`'s (computed with the
 * response's own hash algorithm), or NULL. `*unsupported` counts CertIDs with
 * a hash algorithm we do not accept.
 */
static OCSP_SINGLERESP *find_single(OCSP_BASICRESP *bs, X509 *cert, X509 *issuer,
                                    int *unsupported, int *out_of_memory)
{
    OCSP_CERTID *mine[EMZA_ARRAY_LEN(certid_digests)] = {NULL};
    OCSP_SINGLERESP *found = NULL;
    *unsupported = 0;
    *out_of_memory = 0;
    int count = OCSP_resp_count(bs);
    for (int i = 0; i < count && found == NULL; i++) {
        OCSP_SINGLERESP *single = OCSP_resp_get0(bs, i);
        ASN1_OBJECT *alg = NULL;
        /* OCSP_id_get0_info only reads; its parameter is not const in OpenSSL 3.0. */
        OCSP_CERTID *theirs = (OCSP_CERTID *)(uintptr_t)OCSP_SINGLERESP_get0_id(single);
        if (theirs == NULL || OCSP_id_get0_info(NULL, &alg, NULL, NULL, theirs) != 1)
            continue;
        int nid = OBJ_obj2nid(alg);
        size_t k = 0;
        while (k < EMZA_ARRAY_LEN(certid_digests) && certid_digests[k] != nid)
            k++;
        if (k == EMZA_ARRAY_LEN(certid_digests)) {
            (*unsupported)++;
            continue;
        }
        if (mine[k] == NULL) {
            mine[k] = OCSP_cert_to_id(EVP_get_digestbynid(nid), cert, issuer);
            if (mine[k] == NULL) {
                *out_of_memory = 1;
                break;
            }
        }
        if (OCSP_id_cmp(mine[k], theirs) == 0)
            found = single;
    }
    for (size_t k = 0; k < EMZA_ARRAY_LEN(certid_digests); k++)
        OCSP_CERTID_free(mine[k]);
    emza__ossl_clear();
    return found;
}

/* Serial of the first SingleResponse, in hex, for a message about another certificate. */
static void first_serial_text(char *buf, size_t size, OCSP_BASICRESP *bs)
{
    snprintf(buf, size, "none");
    if (OCSP_resp_count(bs) <= 0)
        return;
    ASN1_INTEGER *serial = NULL;
    OCSP_CERTID *id = (OCSP_CERTID *)(uintptr_t)OCSP_SINGLERESP_get0_id(OCSP_resp_get0(bs, 0));
    if (id == NULL || OCSP_id_get0_info(NULL, NULL, NULL, &serial, id) != 1 || serial == NULL)
        return;
    BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    if (hex != NULL)
        snprintf(buf, size, "%s", hex);
    OPENSSL_free(hex);
    BN_free(bn);
    emza__ossl_clear();
}

static void cert_serial_text(char *buf, size_t size, X509 *x)
{
    snprintf(buf, size, "?");
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    if (hex != NULL)
        snprintf(buf, size, "%s", hex);
    OPENSSL_free(hex);
    BN_free(bn);
    emza__ossl_clear();
}

/* ------------------------------------------------------------------------ */
/* verification                                                              */
/* ------------------------------------------------------------------------ */

int emza__ocsp_verify_response(emza__revocation_statement *out, const uint8_t *der, size_t len,
                               const emza_cert *cert, const emza_cert *issuer,
                               const emza__ocsp_request *req, int64_t now,
                               int64_t validation_time)
{
    EMZA_ENSURE(out != NULL && cert != NULL && issuer != NULL && (der != NULL || len == 0),
                EMZA_EINVAL);
    memset(out, 0, sizeof(*out));
    out->revocation_reason = -1;
    int rc = EMZA_OK;
    OCSP_RESPONSE *resp = NULL;
    OCSP_BASICRESP *bs = NULL;
    X509 *xc = emza__cert_x509(cert), *xi = emza__cert_x509(issuer);

    if (len > EMZA_OCSP_RESPONSE_MAX) {
        rc = emza__revocation_unusable(out, "the response is longer than %d bytes",
                                       EMZA_OCSP_RESPONSE_MAX);
        goto cleanup;
    }
    const unsigned char *p = der;
    resp = len > 0 ? d2i_OCSP_RESPONSE(NULL, &p, (long)len) : NULL;
    if (resp == NULL || p != der + len) {
        rc = emza__revocation_unusable_ossl(out, "the answer is not a DER OCSP response");
        goto cleanup;
    }
    int status = OCSP_response_status(resp);
    if (status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        rc = emza__revocation_unusable(out, "the responder answered %s (responseStatus %d)",
                                       OCSP_response_status_str(status), status);
        goto cleanup;
    }
    bs = OCSP_response_get1_basic(resp);
    if (bs == NULL) {
        rc = emza__revocation_unusable_ossl(out, "the response is not a basic OCSP response");
        goto cleanup;
    }

    /* Exactly this certificate, or nothing. */
    int unsupported = 0, oom = 0;
    OCSP_SINGLERESP *single = find_single(bs, xc, xi, &unsupported, &oom);
    EMZA_TRY_ENSURE(!oom, EMZA_ENOMEM, "out of memory");
    if (single == NULL) {
        char theirs[80], ours[80];
        first_serial_text(theirs, sizeof(theirs), bs);
        cert_serial_text(ours, sizeof(ours), xc);
        if (unsupported > 0 && OCSP_resp_count(bs) == unsupported)
            rc = emza__revocation_unusable(out, "the response identifies certificates with a "
                                                "hash algorithm this library does not accept");
        else
            rc = emza__revocation_unusable(out,
                                           "the response is about another certificate (serial "
                                           "%s, issuer or key hash differing), not serial %s",
                                           theirs, ours);
        goto cleanup;
    }
    out->about_cert = 1;

    int64_t produced_at = 0;
    if (!time_of(&produced_at, OCSP_resp_get0_produced_at(bs))) {
        rc = emza__revocation_unusable(out, "the response's producedAt is not a valid time");
        goto cleanup;
    }
    out->produced_at = produced_at;

    X509 *signer = NULL;
    EMZA_TRY(find_signer(out, bs, xi, produced_at, &signer));
    if (signer == NULL)
        goto cleanup;
    EMZA_TRY(check_signature(out, bs, signer));
    if (out->why[0] != '\0')
        goto cleanup;

    if (req != NULL) {
        switch (OCSP_check_nonce(req->req, bs)) {
        case 1: /* echoed, equal */
        case 2: /* neither has one (we always send one, so not reached) */
            break;
        case -1: /* sent, not echoed: accepted, see ocsp.h */
            out->nonce_missing = 1;
            break;
        case 3: /* one in the response only */
            break;
        default:
            rc = emza__revocation_unusable(out, "the response's nonce is not the one sent: a "
                                                "replayed or misdirected response");
            goto cleanup;
        }
        emza__ossl_clear();
    }

    int reason = -1;
    ASN1_GENERALIZEDTIME *revoked_at = NULL, *this_upd = NULL, *next_upd = NULL;
    int cert_status = OCSP_single_get0_status(single, &reason, &revoked_at, &this_upd, &next_upd);
    if (!time_of(&out->this_update, this_upd) ||
        (next_upd != NULL && !time_of(&out->next_update, next_upd))) {
        rc = emza__revocation_unusable(out, "the response's thisUpdate or nextUpdate is not a "
                                            "valid time");
        goto cleanup;
    }
    if (next_upd != NULL && out->next_update < out->this_update) {
        rc = emza__revocation_unusable(out, "the response's nextUpdate is before its thisUpdate");
        goto cleanup;
    }
    char when[EMZA_TIME_TEXT_SIZE];
    if (produced_at > now + EMZA_REVOCATION_CLOCK_SKEW) {
        text_time(when, sizeof(when), produced_at);
        rc = emza__revocation_unusable(out, "the response was produced in the future (%s)", when);
        goto cleanup;
    }
    char why[EMZA_REVOCATION_WHY_MAX];
    if (!emza__revocation_covers(why, sizeof(why), out->this_update,
                                 next_upd ? out->next_update : 0, now, validation_time)) {
        rc = emza__revocation_unusable(out, "%s", why);
        goto cleanup;
    }

    switch (cert_status) {
    case V_OCSP_CERTSTATUS_GOOD:
        out->status = EMZA__REVOCATION_GOOD;
        break;
    case V_OCSP_CERTSTATUS_REVOKED:
        if (!time_of(&out->revocation_time, revoked_at)) {
            rc = emza__revocation_unusable(out, "the response's revocationTime is not a valid "
                                                "time");
            goto cleanup;
        }
        out->status = EMZA__REVOCATION_REVOKED;
        out->revocation_reason = reason;
        break;
    case V_OCSP_CERTSTATUS_UNKNOWN:
        rc = emza__revocation_unusable(out, "the responder does not know the certificate "
                                            "(certStatus unknown)");
        goto cleanup;
    default:
        rc = emza__revocation_unusable(out, "the response has an unknown certStatus");
        goto cleanup;
    }
    out->usable = 1;

cleanup:
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(resp);
    emza__ossl_clear();
    return rc;
}

int emza__ocsp_fetch(emza__revocation_statement *out, emza_buf *response, const emza__net *net,
                     const char *url, const emza_cert *cert, const emza_cert *issuer,
                     int64_t now, int64_t validation_time)
{
    EMZA_ENSURE(out != NULL && response != NULL && url != NULL, EMZA_EINVAL);
    memset(out, 0, sizeof(*out));
    out->revocation_reason = -1;
    emza__buf_init(response, EMZA_OCSP_RESPONSE_MAX);
    emza__ocsp_request *req = NULL;
    int rc = emza__ocsp_request_new(&req, cert, issuer);
    if (rc < 0) {
        if (rc == EMZA_ENOMEM || rc == EMZA_EINVAL)
            return rc;
        return emza__revocation_unusable(out, "no request could be made: %s",
                                         emza_error_last()->message);
    }
    size_t der_len = 0;
    const uint8_t *der = emza__ocsp_request_der(req, &der_len);
    rc = emza__http_exchange(response, net, url, "application/ocsp-request", der, der_len,
                             "application/ocsp-response", EMZA_OCSP_RESPONSE_MAX);
    if (rc == EMZA_ENOMEM)
        goto cleanup;
    if (rc < 0) {
        rc = emza__revocation_unusable(out, "%s", emza__revocation_net_why(url));
        goto cleanup;
    }
    rc = emza__ocsp_verify_response(out, response->data, response->len, cert, issuer, req, now,
                                    validation_time);
cleanup:
    if (rc < 0 || !out->usable)
        emza__buf_free(response);
    emza__ocsp_request_free(req);
    return rc;
}
