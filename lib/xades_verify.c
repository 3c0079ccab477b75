/*
 * Verification of XML signatures: plain XML-DSig and XAdES (ETSI EN 319
 * 132-1) baseline B, T, LT and LTA, into the report (report_internal.h).
 *
 * Each ds:Signature of the document is one report entry, checked on its own
 * in the order of ETSI EN 319 102-1 clause 5.3.4 as EU DSS applies it (the
 * stages of verify_internal.h): format (schema order, the transform
 * allowlist, unique IDs, what SignedProperties the signature really covers),
 * identification of the signing certificate, the cryptographic checks
 * (every reference digest, then the signature value), the certificate chain,
 * and finally the policy's acceptance of the algorithms.
 *
 * The signing certificate of a XAdES signature is the certificate that its
 * signed SigningCertificateV2 (or SigningCertificate) names by digest, looked
 * for among the certificates the signature carries and those the caller
 * gives; the signature value is checked with that certificate's key only,
 * never with another key found in KeyInfo (the forged_lt.asice attack). A
 * plain XML-DSig signature names its key in unsigned KeyInfo: the end-entity
 * certificate of X509Data, else a bare KeyValue, which leaves no certificate
 * to chain to a trust anchor (NO_SIGNING_CERTIFICATE_FOUND).
 *
 * Everything is read from the nodes the references actually resolve to, so a
 * signed element moved elsewhere shows up as what it is in signedObjects
 * (wholeDocument false, PARTIAL_COVERAGE) instead of lending its signature to
 * whatever sits in its old place.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <emza/datetime.h>

#include "cert_internal.h"
#include "crl.h"
#include "crypto_policy.h"
#include "ocsp.h"
#include "sign_internal.h"
#include "trust_internal.h"
#include "util/digest.h"
#include "util/guard.h"
#include "verify_internal.h"
#include "xades_internal.h"
#include "xml_parse.h"
#include "xmldsig.h"
#include "policy_internal.h"

typedef struct xv_doc {
    const emza__verify_job *job;
    xmlDocPtr doc;
    emza__xml_ids ids;
    int ids_rc; /* EMZA_OK, or why the IDs are unusable (duplicates) */
    char ids_error[EMZA_FINDING_MESSAGE_MAX];
    int any_xades;
} xv_doc;

typedef struct xv_sig {
    xv_doc *d;
    const xmlNode *node;
    emza_signature_report *report;
    emza__signed_info si;
    int si_parsed;
    emza_buf value;
    const xmlNode *key_info;
    const xmlNode *qualifying;  /* xades:QualifyingProperties, or NULL */
    const xmlNode *signed_props; /* the element the SignedProperties reference resolves to */
    size_t signed_props_ref;
    emza_cert_list *embedded; /* certificates the signature carries */
    emza_cert *signer;
    EVP_PKEY *key;
    int format_failed;
    /* unsigned signature properties (read_unsigned) */
    const xmlNode *usp;
    const xmlNode *sig_ts[EMZA_TSP_TIMESTAMPS_MAX]; /* SignatureTimeStamp elements */
    size_t sig_ts_count;
    const xmlNode *arc_ts[EMZA_XADES_ARCHIVE_TIMESTAMPS_MAX]; /* xades141:ArchiveTimeStamp */
    size_t arc_ts_count;
    int has_cert_values, has_rev_values;
    emza_buf ocsp[EMZA_XADES_REVOCATION_VALUES_MAX]; /* EncapsulatedOCSPValue, decoded */
    size_t ocsp_count;
    emza_buf crl[EMZA_XADES_REVOCATION_VALUES_MAX];  /* EncapsulatedCRLValue, decoded */
    size_t crl_count;
    emza_span ocsp_spans[EMZA_XADES_REVOCATION_VALUES_MAX];
    emza_span crl_spans[EMZA_XADES_REVOCATION_VALUES_MAX];
    emza__revocation_values revocation; /* the above, for the chains (trust_internal.h) */
} xv_sig;

#define ERRORS(s) emza__sig_errors((s)->report)
#define WARNINGS(s) emza__sig_warnings((s)->report)

/* ------------------------------------------------------------------------ */
/* findings                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Turns a verdict-level failure (the error record's message) into a finding:
 * EMZA_EFORMAT / EMZA_ELIMIT -> FORMAT_FAILURE, EMZA_ENOTFOUND ->
 * SIGNED_DATA_NOT_FOUND. Returns 1 when a finding was added, 0 for success,
 * or the operational error code.
 */
static int as_finding(xv_sig *s, int rc, const char *code)
{
    if (rc >= 0)
        return 0;
    const char *msg = emza_error_last()->message;
    if (rc == EMZA_EFORMAT || rc == EMZA_ELIMIT) {
        s->format_failed = 1;
        EMZA_GUARD(emza__findings_add(ERRORS(s), EMZA_STAGE_FORMAT, EMZA_SUB_FORMAT_FAILURE, code,
                                      "%s", msg));
        return 1;
    }
    if (rc == EMZA_ENOTFOUND) {
        s->format_failed = 1;
        EMZA_GUARD(emza__findings_add(ERRORS(s), EMZA_STAGE_FORMAT,
                                      EMZA_SUB_SIGNED_DATA_NOT_FOUND, "SIGNED_DATA_NOT_FOUND", "%s",
                                      msg));
        return 1;
    }
    return rc;
}

static int format_error(xv_sig *s, const char *code, const char *msg)
{
    s->format_failed = 1;
    return emza__findings_add(ERRORS(s), EMZA_STAGE_FORMAT, EMZA_SUB_FORMAT_FAILURE, code, "%s",
                              msg);
}

/* ------------------------------------------------------------------------ */
/* structure                                                                 */
/* ------------------------------------------------------------------------ */

/* Every ds:Reference of every ds:Manifest in the signature's Objects: allowlist and schema. */
static int check_manifests(const xmlNode *first_object)
{
    for (const xmlNode *o = first_object; o != NULL; o = emza__xml_next_element(o)) {
        for (const xmlNode *m = emza__xml_first_element(o); m != NULL;
             m = emza__xml_next_element(m)) {
            if (!emza__xml_is(m, EMZA_NS_DSIG, "Manifest"))
                continue;
            size_t n = 0;
            for (const xmlNode *r = emza__xml_first_element(m); r != NULL;
                 r = emza__xml_next_element(r)) {
                EMZA_ENSURE_MSG(emza__xml_is(r, EMZA_NS_DSIG, "Reference") &&
                                    ++n <= EMZA_XMLDSIG_REFERENCES_MAX,
                                EMZA_EFORMAT, "a Manifest holds something other than up to %d "
                                              "references",
                                EMZA_XMLDSIG_REFERENCES_MAX);
                emza__reference ref;
                EMZA_GUARD(emza__reference_parse(&ref, r));
                emza__reference_free(&ref);
            }
        }
    }
    return EMZA_OK;
}

static int parse_structure(xv_sig *s)
{
    const xmlNode *c = emza__xml_first_element(s->node);
    EMZA_ENSURE_MSG(emza__xml_is(c, EMZA_NS_DSIG, "SignedInfo"), EMZA_EFORMAT,
                    "the Signature does not start with SignedInfo");
    EMZA_GUARD(emza__signed_info_parse(&s->si, c));
    s->si_parsed = 1;
    c = emza__xml_next_element(c);
    EMZA_ENSURE_MSG(emza__xml_is(c, EMZA_NS_DSIG, "SignatureValue"), EMZA_EFORMAT,
                    "the Signature has no SignatureValue after SignedInfo");
    EMZA_GUARD(emza__base64_element(&s->value, c, EMZA_XMLDSIG_SIGNATURE_VALUE_MAX,
                                    "the SignatureValue"));
    c = emza__xml_next_element(c);
    if (emza__xml_is(c, EMZA_NS_DSIG, "KeyInfo")) {
        s->key_info = c;
        c = emza__xml_next_element(c);
    }
    for (const xmlNode *o = c; o != NULL; o = emza__xml_next_element(o))
        EMZA_ENSURE_MSG(emza__xml_is(o, EMZA_NS_DSIG, "Object"), EMZA_EFORMAT,
                        "the Signature holds an element other than ds:Object after KeyInfo");
    return check_manifests(c);
}

/* ------------------------------------------------------------------------ */
/* certificates                                                              */
/* ------------------------------------------------------------------------ */

static int add_cert_element(xv_sig *s, const xmlNode *el, const char *what)
{
    EMZA_ENSURE_MSG(emza_cert_list_count(s->embedded) < EMZA_XMLDSIG_CERTS_MAX, EMZA_ELIMIT,
                    "the signature carries more than %d certificates", EMZA_XMLDSIG_CERTS_MAX);
    emza_buf der;
    int rc = emza__base64_element(&der, el, EMZA_CERT_DER_MAX, what);
    emza_cert *cert = NULL;
    if (rc == EMZA_OK)
        rc = emza_cert_parse(&cert, der.data, der.len);
    emza__buf_free(&der);
    if (rc == EMZA_ENOMEM)
        return rc;
    if (rc != EMZA_OK)
        return emza__findings_add(WARNINGS(s), 0, EMZA_SUB_NONE, "BAD_CERTIFICATE",
                                  "%s is not a usable certificate and was ignored", what);
    rc = emza_cert_list_add(s->embedded, cert);
    emza_cert_free(cert);
    return rc;
}

static int collect_certs(xv_sig *s)
{
    EMZA_GUARD(emza_cert_list_new(&s->embedded));
    for (const xmlNode *x = emza__xml_first_element(s->key_info); x != NULL;
         x = emza__xml_next_element(x)) {
        if (!emza__xml_is(x, EMZA_NS_DSIG, "X509Data"))
            continue;
        for (const xmlNode *c = emza__xml_first_element(x); c != NULL;
             c = emza__xml_next_element(c))
            if (emza__xml_is(c, EMZA_NS_DSIG, "X509Certificate"))
                EMZA_GUARD(add_cert_element(s, c, "an X509Certificate in KeyInfo"));
    }
    if (s->qualifying == NULL)
        return EMZA_OK;
    const xmlNode *up = emza__xml_child(s->qualifying, EMZA_NS_XADES, "UnsignedProperties");
    const xmlNode *usp = emza__xml_child(up, EMZA_NS_XADES, "UnsignedSignatureProperties");
    for (const xmlNode *c = emza__xml_first_element(usp); c != NULL; c = emza__xml_next_element(c)) {
        const xmlNode *values = c;
        if (emza__xml_is(c, EMZA_NS_XADES141, "TimeStampValidationData"))
            values = emza__xml_child(c, EMZA_NS_XADES, "CertificateValues");
        if (!emza__xml_is(values, EMZA_NS_XADES, "CertificateValues"))
            continue;
        for (const xmlNode *e = emza__xml_first_element(values); e != NULL;
             e = emza__xml_next_element(e))
            if (emza__xml_is(e, EMZA_NS_XADES, "EncapsulatedX509Certificate"))
                EMZA_GUARD(add_cert_element(s, e, "an EncapsulatedX509Certificate"));
    }
    return EMZA_OK;
}

/* The end-entity certificate of a plain signature's X509Data: the one that issued none of the others. */
static const emza_cert *pick_leaf(const emza_cert_list *certs)
{
    size_t n = emza_cert_list_count(certs);
    for (size_t i = 0; i < n; i++) {
        X509 *candidate = emza__cert_x509(emza_cert_list_get(certs, i));
        int issues_another = 0;
        for (size_t j = 0; j < n && !issues_another; j++)
            if (j != i && X509_check_issued(candidate,
                                            emza__cert_x509(emza_cert_list_get(certs, j))) ==
                              X509_V_OK)
                issues_another = 1;
        if (!issues_another)
            return emza_cert_list_get(certs, i);
    }
    return n > 0 ? emza_cert_list_get(certs, 0) : NULL;
}

static int use_signer(xv_sig *s, const emza_cert *cert)
{
    s->signer = emza_cert_dup(cert);
    EVP_PKEY *key = X509_get0_pubkey(emza__cert_x509(cert));
    emza__ossl_clear();
    if (key != NULL && EVP_PKEY_up_ref(key) == 1)
        s->key = key;
    emza__sig_set_signer(s->report, cert);
    return EMZA_OK;
}

static int identify_plain_signer(xv_sig *s)
{
    const emza_cert *leaf = pick_leaf(s->embedded);
    if (leaf != NULL)
        return use_signer(s, leaf);
    int rc = emza__keyinfo_key(&s->key, s->key_info);
    if (rc == EMZA_EFORMAT || rc == EMZA_ELIMIT)
        EMZA_GUARD(emza__findings_add(WARNINGS(s), 0, EMZA_SUB_NONE, "BAD_KEY_VALUE", "%s",
                                      emza_error_last()->message));
    else
        EMZA_GUARD(rc);
    return emza__findings_add(
        ERRORS(s), EMZA_STAGE_SIGNING_CERT, EMZA_SUB_NO_SIGNING_CERTIFICATE_FOUND,
        "NO_SIGNING_CERTIFICATE",
        s->key != NULL ? "the signature carries only a public key (KeyValue) and no certificate: "
                         "nothing identifies the signer or chains to a trust anchor"
                       : "the signature carries no certificate and no key");
}

/* ------------------------------------------------------------------------ */
/* XAdES                                                                     */
/* ------------------------------------------------------------------------ */

static int find_qualifying(xv_sig *s)
{
    const xmlNode *found = NULL;
    for (const xmlNode *o = emza__xml_first_element(s->node); o != NULL;
         o = emza__xml_next_element(o)) {
        if (!emza__xml_is(o, EMZA_NS_DSIG, "Object"))
            continue;
        for (const xmlNode *q = emza__xml_first_element(o); q != NULL;
             q = emza__xml_next_element(q)) {
            if (!emza__xml_is(q, EMZA_NS_XADES, "QualifyingProperties"))
                continue;
            EMZA_ENSURE_MSG(found == NULL, EMZA_EFORMAT,
                            "the signature holds more than one QualifyingProperties");
            found = q;
        }
    }
    s->qualifying = found;
    if (found == NULL)
        return EMZA_OK;
    const char *id = emza__xml_attr(s->node, "Id");
    const char *target = emza__xml_attr(found, "Target");
    EMZA_ENSURE_MSG(id != NULL && target != NULL && target[0] == '#' && strcmp(target + 1, id) == 0,
                    EMZA_EFORMAT,
                    "QualifyingProperties' Target does not name this signature's Id");
    return EMZA_OK;
}

/* The element a same-document "#id" reference names, or NULL. */
static const xmlNode *ref_element(const xv_sig *s, const emza__reference *ref)
{
    if (ref->uri == NULL || ref->uri[0] != '#')
        return NULL;
    const char *frag = ref->uri + 1;
    if (strncmp(frag, "xpointer(id(", 12) == 0) {
        char id[256];
        size_t len = strlen(frag);
        if (len < 16 || len - 16 >= sizeof(id))
            return NULL;
        memcpy(id, frag + 13, len - 16);
        id[len - 16] = '\0';
        return emza__xml_ids_find(&s->d->ids, id);
    }
    return emza__xml_ids_find(&s->d->ids, frag);
}

/*
 * The SignedProperties reference: exactly one reference of Type
 * SignedProperties, resolving to the SignedProperties of this signature's
 * QualifyingProperties; any reference that resolves to a SignedProperties
 * must carry that Type.
 */
static int find_signed_properties(xv_sig *s)
{
    const xmlNode *own = emza__xml_child(s->qualifying, EMZA_NS_XADES, "SignedProperties");
    size_t typed = 0;
    for (size_t i = 0; i < s->si.ref_count; i++) {
        const emza__reference *ref = &s->si.refs[i];
        const xmlNode *target = ref_element(s, ref);
        int is_typed = ref->type != NULL && strcmp(ref->type, EMZA_TYPE_SIGNED_PROPERTIES) == 0;
        int points_at_props = emza__xml_is(target, EMZA_NS_XADES, "SignedProperties");
        EMZA_ENSURE_MSG(!points_at_props || is_typed, EMZA_EFORMAT,
                        "a reference to SignedProperties lacks the Type "
                        "http://uri.etsi.org/01903#SignedProperties");
        if (!is_typed)
            continue;
        EMZA_ENSURE_MSG(++typed == 1, EMZA_EFORMAT,
                        "more than one reference claims to cover SignedProperties");
        EMZA_ENSURE_MSG(target != NULL && target == own, EMZA_EFORMAT,
                        "the SignedProperties reference does not point at this signature's "
                        "SignedProperties");
        s->signed_props = target;
        s->signed_props_ref = i;
    }
    EMZA_ENSURE_MSG(own != NULL, EMZA_EFORMAT, "QualifyingProperties holds no SignedProperties");
    EMZA_ENSURE_MSG(s->signed_props != NULL, EMZA_EFORMAT,
                    "the signature does not cover its SignedProperties");
    return EMZA_OK;
}

static const xmlNode *signed_sig_props(const xv_sig *s)
{
    return emza__xml_child(s->signed_props, EMZA_NS_XADES, "SignedSignatureProperties");
}

/* The certificate of `candidates` whose digest with `md` is `want`, or NULL. */
static const emza_cert *match_digest(const emza_cert_list *candidates, const EVP_MD *md,
                                     const emza_buf *want)
{
    for (size_t i = 0; candidates != NULL && i < emza_cert_list_count(candidates); i++) {
        const emza_cert *c = emza_cert_list_get(candidates, i);
        size_t der_len = 0;
        const uint8_t *der = emza_cert_der(c, &der_len);
        uint8_t d[EVP_MAX_MD_SIZE];
        unsigned int dl = 0;
        if (emza__digest_bytes(d, &dl, der, der_len, md) == EMZA_OK && dl == want->len &&
            memcmp(d, want->data, dl) == 0)
            return c;
    }
    return NULL;
}

static const emza_cert *match_trust(const emza_trust *trust, const EVP_MD *md, const emza_buf *want)
{
    for (size_t i = 0; trust != NULL && i < emza_trust_count(trust); i++) {
        const emza_cert *c = emza_trust_get(trust, i);
        size_t der_len = 0;
        const uint8_t *der = emza_cert_der(c, &der_len);
        uint8_t d[EVP_MAX_MD_SIZE];
        unsigned int dl = 0;
        if (emza__digest_bytes(d, &dl, der, der_len, md) == EMZA_OK && dl == want->len &&
            memcmp(d, want->data, dl) == 0)
            return c;
    }
    return NULL;
}

static int check_issuer_serial_v2(xv_sig *s, const xmlNode *cert_ref, const emza_cert *signer)
{
    const xmlNode *isv2 = emza__xml_child(cert_ref, EMZA_NS_XADES, "IssuerSerialV2");
    if (isv2 == NULL)
        return EMZA_OK;
    emza_buf given, expected;
    int rc = emza__base64_element(&given, isv2, EMZA_XMLDSIG_DER_MAX, "IssuerSerialV2");
    if (rc == EMZA_EFORMAT || rc == EMZA_ELIMIT)
        return format_error(s, "FORMAT_INVALID", emza_error_last()->message);
    EMZA_GUARD(rc);
    emza__buf_init(&expected, EMZA_XMLDSIG_DER_MAX);
    rc = emza__cert_issuer_serial_der(signer, &expected);
    if (rc == EMZA_OK && (given.len != expected.len || memcmp(given.data, expected.data, given.len)))
        rc = emza__findings_add(WARNINGS(s), 0, EMZA_SUB_NONE, "ISSUER_SERIAL_MISMATCH",
                                "SigningCertificateV2's IssuerSerialV2 does not match the issuer "
                                "and serial number of the certificate its digest names");
    emza__buf_free(&given);
    emza__buf_free(&expected);
    return rc;
}

/* Reads the first xades:Cert's CertDigest: its digest and value. EMZA_EFORMAT in words. */
static int read_cert_digest(const xmlNode *cert_ref, const EVP_MD **md, emza_buf *value)
{
    const xmlNode *cd = emza__xml_child(cert_ref, EMZA_NS_XADES, "CertDigest");
    const xmlNode *dm = emza__xml_child(cd, EMZA_NS_DSIG, "DigestMethod");
    const xmlNode *dv = emza__xml_child(cd, EMZA_NS_DSIG, "DigestValue");
    int nid = NID_undef;
    *md = emza__xmldsig_digest(emza__xml_attr(dm, "Algorithm"), &nid);
    EMZA_ENSURE_MSG(*md != NULL && dv != NULL, EMZA_EFORMAT,
                    "a SigningCertificate Cert has no CertDigest with a known digest");
    return emza__base64_element(value, dv, EVP_MAX_MD_SIZE, "a CertDigest's DigestValue");
}

/* The signed SigningCertificateV2 (or SigningCertificate) Cert of SignedSignatureProperties. */
static const xmlNode *signing_cert_ref(const xmlNode *ssp)
{
    const xmlNode *sc = emza__xml_child(ssp, EMZA_NS_XADES, "SigningCertificateV2");
    if (sc == NULL)
        sc = emza__xml_child(ssp, EMZA_NS_XADES, "SigningCertificate");
    return emza__xml_child(sc, EMZA_NS_XADES, "Cert");
}

int emza__xades_find_signing_cert(const emza_cert **out, const xmlNode *ssp,
                                  const emza_cert_list *const *pools, size_t pool_count,
                                  const emza_trust *trust)
{
    *out = NULL;
    const xmlNode *cert_ref = signing_cert_ref(ssp);
    EMZA_ENSURE_MSG(cert_ref != NULL, EMZA_ENOTFOUND,
                    "the signed properties do not name the signing certificate (no "
                    "SigningCertificateV2)");
    const EVP_MD *md = NULL;
    emza_buf want;
    emza__buf_init(&want, 0);
    int rc = read_cert_digest(cert_ref, &md, &want);
    for (size_t p = 0; rc == EMZA_OK && *out == NULL && p < pool_count; p++)
        *out = match_digest(pools[p], md, &want);
    if (rc == EMZA_OK && *out == NULL)
        *out = match_trust(trust, md, &want);
    emza__buf_free(&want);
    EMZA_GUARD(rc);
    EMZA_ENSURE_MSG(*out != NULL, EMZA_ENOTFOUND,
                    "no certificate carried by the signature or given matches the digest in its "
                    "signed SigningCertificate");
    return EMZA_OK;
}

static int identify_xades_signer(xv_sig *s)
{
    const emza_verify_options *o = s->d->job->opts;
    const emza_cert_list *pools[2] = {s->embedded, o->untrusted};
    const emza_cert *signer = NULL;
    int rc = emza__xades_find_signing_cert(&signer, signed_sig_props(s), pools, 2, o->trust);
    if (rc == EMZA_ENOTFOUND)
        return emza__findings_add(ERRORS(s), EMZA_STAGE_SIGNING_CERT,
                                  EMZA_SUB_NO_SIGNING_CERTIFICATE_FOUND, "NO_SIGNING_CERTIFICATE",
                                  "%s", emza_error_last()->message);
    if (rc == EMZA_EFORMAT || rc == EMZA_ELIMIT)
        return format_error(s, "FORMAT_INVALID", emza_error_last()->message);
    EMZA_GUARD(rc);
    EMZA_GUARD(use_signer(s, signer));
    return check_issuer_serial_v2(s, signing_cert_ref(signed_sig_props(s)), signer);
}

/* xsd:dateTime: YYYY-MM-DDThh:mm:ss[.fraction][Z|(+|-)hh:mm]; 1 on success. */
static int parse_xsd_datetime(int64_t *out, const char *text)
{
    char iso[21];
    size_t len = strlen(text);
    if (len < 19)
        return 0;
    memcpy(iso, text, 19);
    iso[19] = 'Z';
    iso[20] = '\0';
    int64_t t = 0;
    if (emza_time_parse(&t, iso) != EMZA_OK) {
        emza_error_clear();
        return 0;
    }
    const char *p = text + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'Z')
        p++;
    else if (*p == '+' || *p == '-') {
        int sign = *p == '+' ? 1 : -1;
        if (strlen(p) != 6 || p[3] != ':')
            return 0;
        for (int i = 1; i < 6; i++)
            if (i != 3 && (p[i] < '0' || p[i] > '9'))
                return 0;
        int hh = (p[1] - '0') * 10 + (p[2] - '0'), mm = (p[4] - '0') * 10 + (p[5] - '0');
        if (hh > 14 || mm > 59)
            return 0;
        t -= sign * (int64_t)(hh * 3600 + mm * 60);
        p += 6;
    }
    if (*p != '\0')
        return 0;
    *out = t;
    return 1;
}

static int read_signing_time(xv_sig *s)
{
    const xmlNode *st = emza__xml_child(signed_sig_props(s), EMZA_NS_XADES, "SigningTime");
    if (st == NULL)
        return emza__findings_add(WARNINGS(s), 0, EMZA_SUB_NONE, "NO_SIGNING_TIME",
                                  "the signed properties claim no signing time");
    emza_buf text;
    int64_t t = 0;
    int ok = 0;
    if (emza__xml_text(&text, st, EMZA_XMLDSIG_SMALL_TEXT_MAX) == EMZA_OK) {
        ok = parse_xsd_datetime(&t, (const char *)text.data);
        emza__buf_free(&text);
    }
    if (!ok)
        return format_error(s, "FORMAT_INVALID", "SigningTime is not an xsd:dateTime");
    emza__sig_set_claimed_time(s->report, t);
    return EMZA_OK;
}

/* Decodes the EncapsulatedOCSPValue / EncapsulatedCRLValue children of `list` into `into`. */
static int read_revocation_list(const xmlNode *list, const char *item, emza_buf *into,
                                size_t *count, size_t max_len, const char *what)
{
    for (const xmlNode *e = emza__xml_first_element(list); e != NULL;
         e = emza__xml_next_element(e)) {
        EMZA_ENSURE_MSG(emza__xml_is(e, EMZA_NS_XADES, item), EMZA_EFORMAT,
                        "RevocationValues holds something other than %s", item);
        EMZA_ENSURE_MSG(*count < EMZA_XADES_REVOCATION_VALUES_MAX, EMZA_ELIMIT,
                        "the signature embeds more than %d %s", EMZA_XADES_REVOCATION_VALUES_MAX,
                        what);
        EMZA_GUARD(emza__base64_element(&into[*count], e, max_len, item));
        (*count)++;
    }
    return EMZA_OK;
}

static int read_revocation_values(xv_sig *s, const xmlNode *rv)
{
    s->has_rev_values = 1;
    for (const xmlNode *c = emza__xml_first_element(rv); c != NULL; c = emza__xml_next_element(c)) {
        if (emza__xml_is(c, EMZA_NS_XADES, "OCSPValues"))
            EMZA_GUARD(read_revocation_list(c, "EncapsulatedOCSPValue", s->ocsp, &s->ocsp_count,
                                            EMZA_OCSP_RESPONSE_MAX, "OCSP responses"));
        else if (emza__xml_is(c, EMZA_NS_XADES, "CRLValues"))
            EMZA_GUARD(read_revocation_list(c, "EncapsulatedCRLValue", s->crl, &s->crl_count,
                                            EMZA_CRL_MAX, "CRLs"));
        else
            EMZA_ENSURE_MSG(emza__xml_is(c, EMZA_NS_XADES, "OtherValues"), EMZA_EFORMAT,
                            "RevocationValues holds an unknown element");
    }
    return EMZA_OK;
}

/*
 * The unsigned signature properties this build acts on: SignatureTimeStamp
 * (T), CertificateValues and RevocationValues (LT, also inside
 * xades141:TimeStampValidationData), xades141:ArchiveTimeStamp (LTA); each
 * kind within its limit. Others are left alone.
 */
static int read_unsigned(xv_sig *s)
{
    s->usp = emza__xades_unsigned_sig_props(s->qualifying);
    size_t n = 0;
    for (const xmlNode *c = emza__xml_first_element(s->usp); c != NULL;
         c = emza__xml_next_element(c)) {
        EMZA_ENSURE_MSG(++n <= EMZA_XADES_UNSIGNED_PROPERTIES_MAX, EMZA_ELIMIT,
                        "UnsignedSignatureProperties holds more than %d properties",
                        EMZA_XADES_UNSIGNED_PROPERTIES_MAX);
        if (emza__xml_is(c, EMZA_NS_XADES, "SignatureTimeStamp")) {
            EMZA_ENSURE_MSG(s->sig_ts_count < EMZA_TSP_TIMESTAMPS_MAX, EMZA_ELIMIT,
                            "the signature carries more than %d signature timestamps",
                            EMZA_TSP_TIMESTAMPS_MAX);
            s->sig_ts[s->sig_ts_count++] = c;
        } else if (emza__xml_is(c, EMZA_NS_XADES141, "ArchiveTimeStamp")) {
            EMZA_ENSURE_MSG(s->arc_ts_count < EMZA_XADES_ARCHIVE_TIMESTAMPS_MAX, EMZA_ELIMIT,
                            "the signature carries more than %d archive timestamps",
                            EMZA_XADES_ARCHIVE_TIMESTAMPS_MAX);
            s->arc_ts[s->arc_ts_count++] = c;
        } else if (emza__xml_is(c, EMZA_NS_XADES, "CertificateValues")) {
            s->has_cert_values = 1;
        } else if (emza__xml_is(c, EMZA_NS_XADES, "RevocationValues")) {
            EMZA_GUARD(read_revocation_values(s, c));
        } else if (emza__xml_is(c, EMZA_NS_XADES141, "TimeStampValidationData")) {
            const xmlNode *rv = emza__xml_child(c, EMZA_NS_XADES, "RevocationValues");
            if (rv != NULL)
                EMZA_GUARD(read_revocation_values(s, rv));
        }
    }
    return EMZA_OK;
}

/* The baseline level the unsigned properties make (EN 319 132-1 clause 4.3). */
static const char *xades_level(const xv_sig *s)
{
    if (s->sig_ts_count == 0)
        return "XAdES-BASELINE-B";
    if (!s->has_cert_values && !s->has_rev_values)
        return "XAdES-BASELINE-T";
    return s->arc_ts_count > 0 ? "XAdES-BASELINE-LTA" : "XAdES-BASELINE-LT";
}

/* The text of `child` (MimeType, Description) in the DataObjectFormat for the reference `ref_id`. */
static const char *declared_format(const xv_sig *s, const char *ref_id, const char *child,
                                   emza_buf *keep)
{
    const xmlNode *sdop =
        emza__xml_child(s->signed_props, EMZA_NS_XADES, "SignedDataObjectProperties");
    if (ref_id == NULL)
        return NULL;
    for (const xmlNode *f = emza__xml_first_element(sdop); f != NULL; f = emza__xml_next_element(f)) {
        if (!emza__xml_is(f, EMZA_NS_XADES, "DataObjectFormat"))
            continue;
        const char *target = emza__xml_attr(f, "ObjectReference");
        if (target == NULL || target[0] != '#' || strcmp(target + 1, ref_id) != 0)
            continue;
        const xmlNode *mt = emza__xml_child(f, EMZA_NS_XADES, child);
        if (mt == NULL || emza__xml_text(keep, mt, EMZA_XMLDSIG_SMALL_TEXT_MAX) != EMZA_OK)
            return NULL;
        return (const char *)keep->data;
    }
    return NULL;
}

static int check_xades(xv_sig *s)
{
    int found = as_finding(s, find_signed_properties(s), "SIGNED_PROPERTIES");
    if (found != 0)
        return found < 0 ? found : EMZA_OK;
    s->d->any_xades = 1;
    EMZA_GUARD(emza__sig_set_level(s->report, "XAdES-BASELINE-B"));
    EMZA_GUARD(read_signing_time(s));
    found = as_finding(s, read_unsigned(s), "UNSIGNED_PROPERTIES");
    if (found != 0)
        return found < 0 ? found : EMZA_OK;
    return emza__sig_set_level(s->report, xades_level(s));
}

/* ------------------------------------------------------------------------ */
/* cryptographic checks                                                      */
/* ------------------------------------------------------------------------ */

static const char *resolve_data(void *ctx, const char *name, int sole)
{
    return emza__verify_data_path(ctx, name, sole);
}

static size_t detached_count(const emza__signed_info *si)
{
    size_t n = 0;
    for (size_t i = 0; i < si->ref_count; i++)
        n += !emza__uri_is_same_document(si->refs[i].uri);
    return n;
}

static int record_object(xv_sig *s, const emza__reference *ref, const emza__ref_target *t)
{
    const emza__verify_job *job = s->d->job;
    int whole = 1;
    const char *name = NULL;
    if (t->same_document) {
        xmlNodePtr root = xmlDocGetRootElement(s->d->doc);
        /*
         * Enveloping: when the document is a ds:Signature and the reference is
         * a ds:Object directly inside it, that object's content is the whole
         * signed document (everything else is the signature's own machinery).
         */
        int enveloped_object = t->element != NULL && root != NULL && t->element->parent == root &&
                               emza__xml_is(root, EMZA_NS_DSIG, "Signature") &&
                               emza__xml_is(t->element, EMZA_NS_DSIG, "Object");
        whole = t->element == NULL || t->element == root || enveloped_object;
        if (whole && !enveloped_object)
            name = emza__base_name(job->path);
    } else {
        name = t->name[0] ? t->name : emza__base_name(t->path);
    }
    emza_buf mime, description;
    emza__buf_init(&mime, 0);
    emza__buf_init(&description, 0);
    const char *mt = s->signed_props ? declared_format(s, ref->id, "MimeType", &mime) : NULL;
    if (mt == NULL && emza__xml_is(t->element, EMZA_NS_DSIG, "Object"))
        mt = emza__xml_attr(t->element, "MimeType"); /* covered: the reference digests the Object */
    if (name == NULL && s->signed_props != NULL)
        name = declared_format(s, ref->id, "Description", &description);
    int rc = emza__sig_add_object(s->report, ref->uri ? ref->uri : "", name,
                                  emza__digest_name(ref->md_nid), mt, whole);
    emza__buf_free(&mime);
    emza__buf_free(&description);
    EMZA_GUARD(rc);
    char clip[96];
    if (!whole)
        EMZA_GUARD(emza__findings_add(WARNINGS(s), 0, EMZA_SUB_NONE, "PARTIAL_COVERAGE",
                                      "the signature covers the element %s, not the whole "
                                      "document: content outside it is not signed",
                                      emza__xml_clip(clip, sizeof(clip), ref->uri)));
    if (ref->type != NULL && strcmp(ref->type, EMZA_TYPE_MANIFEST) == 0)
        EMZA_GUARD(emza__findings_add(WARNINGS(s), 0, EMZA_SUB_NONE, "MANIFEST_NOT_CHECKED",
                                      "the references inside the Manifest %s are not checked",
                                      emza__xml_clip(clip, sizeof(clip), ref->uri)));
    return EMZA_OK;
}

/* The policy's allowed transforms (xml.transforms); what no policy may allow is refused at parsing. */
static int check_transforms(xv_sig *s, const emza__reference *ref, size_t index)
{
    const emza_policy *p = s->d->job->policy;
    for (size_t i = 0; i < ref->transform_count; i++) {
        const emza__transform *t = &ref->transforms[i];
        unsigned int bit = t->kind == EMZA__XF_ENVELOPED ? EMZA__XFORM_ENVELOPED
                           : t->kind == EMZA__XF_BASE64
                               ? EMZA__XFORM_BASE64
                               : emza__policy_c14n_bit(t->c14n.mode, t->c14n.with_comments);
        if (!(p->transforms & bit))
            EMZA_GUARD(emza__policy_record(
                p->transform_level, ERRORS(s), WARNINGS(s), emza__sig_infos(s->report),
                EMZA_STAGE_FORMAT, EMZA_SUB_FORMAT_FAILURE, "TRANSFORM_NOT_ALLOWED",
                "reference %zu uses the transform %s, which the policy \"%s\" does not allow",
                index + 1, emza__policy_transform_name(bit), p->name));
    }
    return EMZA_OK;
}

static int check_reference(xv_sig *s, const emza__ref_ctx *ctx, size_t index)
{
    const emza__reference *ref = &s->si.refs[index];
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    emza__ref_target target;
    int rc = emza__reference_digest(ctx, ref, d, &dl, &target);
    int found = as_finding(s, rc, "FORMAT_INVALID");
    if (found != 0)
        return found < 0 ? found : EMZA_OK;
    char clip[96];
    if (dl != ref->digest_len || memcmp(d, ref->digest, dl) != 0)
        EMZA_GUARD(emza__findings_add(ERRORS(s), EMZA_STAGE_CRYPTO, EMZA_SUB_HASH_FAILURE,
                                      "HASH_MISMATCH",
                                      "the signed data of reference %zu (URI \"%s\") has changed: "
                                      "its digest does not match",
                                      index + 1,
                                      emza__xml_clip(clip, sizeof(clip), ref->uri ? ref->uri : "")));
    char what[32];
    snprintf(what, sizeof(what), "reference %zu", index + 1);
    EMZA_GUARD(emza__verify_content_digest(s->report, s->d->job, ref->md_nid, what));
    EMZA_GUARD(check_transforms(s, ref, index));
    if (s->signed_props != NULL && index == s->signed_props_ref)
        return EMZA_OK;
    if (target.same_document && target.element != NULL && target.element == s->key_info)
        return EMZA_OK; /* a signed KeyInfo protects the signature, it is not signed content */
    return record_object(s, ref, &target);
}

static int check_references(xv_sig *s)
{
    const emza__verify_job *job = s->d->job;
    emza__ref_ctx ctx = {s->d->doc, &s->d->ids, s->node, resolve_data, (void *)(uintptr_t)job,
                         detached_count(&s->si) == 1, job->opts->progress,
                         job->opts->progress_ctx, job->entry_resolve, job->entry_ctx};
    for (size_t i = 0; i < s->si.ref_count; i++)
        EMZA_GUARD(check_reference(s, &ctx, i));
    return EMZA_OK;
}

static int check_signature_value(xv_sig *s)
{
    if (s->key == NULL)
        return EMZA_OK;
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    int found = as_finding(s, emza__signed_info_digest(&s->si, s->d->doc, d, &dl),
                           "FORMAT_INVALID");
    if (found != 0)
        return found < 0 ? found : EMZA_OK;
    int valid = 0;
    char why[160];
    EMZA_GUARD(emza__xmldsig_verify(&valid, why, sizeof(why), &s->si, s->key, s->value.data,
                                    s->value.len, d, dl));
    if (!valid)
        EMZA_GUARD(emza__findings_add(ERRORS(s), EMZA_STAGE_CRYPTO, EMZA_SUB_SIG_CRYPTO_FAILURE,
                                      "SIGNATURE_INVALID", "%s", why));
    return EMZA_OK;
}

static int set_algorithm(xv_sig *s)
{
    char name[EMZA_ALGORITHM_NAME_MAX];
    int pk = s->si.alg->pss ? EVP_PKEY_RSA_PSS : s->si.alg->key_type;
    emza__algorithm_name(name, sizeof(name), pk, EVP_MD_get_type(s->si.md));
    return emza__sig_set_algorithm(s->report, name);
}

/* ------------------------------------------------------------------------ */
/* timestamps                                                                */
/* ------------------------------------------------------------------------ */

/* The embedded revocation values as the chains take them. */
static const emza__revocation_values *embedded_revocation(xv_sig *s)
{
    for (size_t i = 0; i < s->ocsp_count; i++)
        s->ocsp_spans[i] = (emza_span){s->ocsp[i].data, s->ocsp[i].len};
    for (size_t i = 0; i < s->crl_count; i++)
        s->crl_spans[i] = (emza_span){s->crl[i].data, s->crl[i].len};
    s->revocation = (emza__revocation_values){s->ocsp_spans, s->ocsp_count, s->crl_spans,
                                              s->crl_count};
    return &s->revocation;
}

static emza__tsp_context timestamp_context(xv_sig *s, int64_t validation_time)
{
    const emza__verify_job *job = s->d->job;
    emza__tsp_context cx = {job->opts->trust,
                            {s->embedded, job->opts->untrusted},
                            validation_time,
                            job->opts->offline,
                            job->policy,
                            embedded_revocation(s),
                            NULL};
    return cx;
}

/*
 * Validates every EncapsulatedTimeStamp of the timestamp element `ts` over
 * `data` as a timestamp of `type`. A token that is not base64 within
 * EMZA_TSP_TOKEN_MAX, or an XMLTimeStamp, is a FORMAT_FAILURE of the
 * signature. *worst gets the first verdict that did not pass (PASSED stays
 * TOTAL_PASSED).
 */
static int validate_timestamp_element(xv_sig *s, const xmlNode *ts, emza_span data,
                                      const char *type, int64_t validation_time,
                                      emza__timestamp_tally *tally, emza_indication *worst,
                                      emza_subindication *worst_sub)
{
    size_t tokens = 0;
    emza__tsp_context cx = timestamp_context(s, validation_time);
    for (const xmlNode *e = emza__xml_first_element(ts); e != NULL;
         e = emza__xml_next_element(e)) {
        if (emza__xml_is(e, EMZA_NS_XADES, "XMLTimeStamp"))
            return format_error(s, "FORMAT_INVALID", "XML timestamps are not supported");
        if (!emza__xml_is(e, EMZA_NS_XADES, "EncapsulatedTimeStamp"))
            continue;
        tokens++;
        emza_buf der;
        int rc = emza__base64_element(&der, e, EMZA_TSP_TOKEN_MAX, "an EncapsulatedTimeStamp");
        int found = as_finding(s, rc, "FORMAT_INVALID");
        if (found != 0)
            return found < 0 ? found : EMZA_OK;
        emza_indication ind = EMZA_TOTAL_PASSED;
        emza_subindication sub = EMZA_SUB_NONE;
        rc = emza__verify_timestamp(s->report, tally, type, (emza_span){der.data, der.len}, data,
                                    &cx, &ind, &sub);
        emza__buf_free(&der);
        EMZA_GUARD(rc);
        if (ind != EMZA_TOTAL_PASSED && *worst == EMZA_TOTAL_PASSED) {
            *worst = ind;
            *worst_sub = sub;
        }
    }
    if (tokens == 0)
        return format_error(s, "FORMAT_INVALID", "a timestamp element holds no timestamp");
    return EMZA_OK;
}

/*
 * XAdES-T: each SignatureTimeStamp is a token over ds:SignatureValue,
 * canonicalized as the timestamp's CanonicalizationMethod says. The earliest
 * PASSED one gives the best signature time and the order check
 * (emza__verify_timestamps_conclude), as for CAdES-T. Their TSAs are judged
 * at `validation_time`: the validation time, or the time of an archive
 * timestamp that passed, which proves they existed then (EN 319 102-1
 * clause 5.6.2.4).
 */
static int validate_signature_timestamps(xv_sig *s, int64_t validation_time)
{
    if (s->sig_ts_count == 0)
        return EMZA_OK;
    const xmlNode *value = emza__xml_next_element(emza__xml_first_element(s->node));
    emza__timestamp_tally tally;
    memset(&tally, 0, sizeof(tally));
    for (size_t i = 0; i < s->sig_ts_count && !s->format_failed; i++) {
        emza__c14n c;
        int found = as_finding(s, emza__xades_timestamp_c14n(&c, s->sig_ts[i]), "FORMAT_INVALID");
        if (found != 0)
            return found < 0 ? found : EMZA_OK;
        emza_buf data;
        emza__buf_init(&data, EMZA_XMLDSIG_OCTETS_MAX);
        int rc = emza__xades_c14n_element(&data, value, &c);
        emza__c14n_free(&c);
        found = as_finding(s, rc, "FORMAT_INVALID");
        emza_indication worst = EMZA_TOTAL_PASSED;
        emza_subindication worst_sub = EMZA_SUB_NONE;
        if (found == 0)
            rc = validate_timestamp_element(s, s->sig_ts[i], (emza_span){data.data, data.len},
                                            "SIGNATURE", validation_time, &tally, &worst,
                                            &worst_sub);
        emza__buf_free(&data);
        if (found != 0)
            return found < 0 ? found : EMZA_OK;
        EMZA_GUARD(rc);
    }
    return emza__verify_timestamps_conclude(s->report, &tally);
}

/*
 * XAdES-LTA: each ArchiveTimeStamp over its input (emza__xades_archive_input:
 * the references' data, SignedInfo, SignatureValue, KeyInfo, the unsigned
 * properties before it, the other Objects). One whose imprint does not match
 * means that something it protected — content, signature or embedded values
 * — changed after it was made: TOTAL_FAILED/HASH_FAILURE
 * (ARCHIVE_TIMESTAMP_MISMATCH); any other failure of its token is an
 * ARCHIVE_TIMESTAMP_FAILED error after the basic stages (as for CAdES); an
 * INDETERMINATE one is a warning. The earliest that passed is a proof of
 * existence: *poe (when *has_poe).
 */
static int validate_archive_timestamps(xv_sig *s, int *has_poe, int64_t *poe)
{
    *has_poe = 0;
    const emza__verify_job *job = s->d->job;
    emza__xades_archive_ctx ax = {&s->d->ids,           resolve_data,
                                  (void *)(uintptr_t)job, job->opts->progress,
                                  job->opts->progress_ctx, job->entry_resolve,
                                  job->entry_ctx};
    for (size_t i = 0; i < s->arc_ts_count && !s->format_failed; i++) {
        emza__c14n c;
        int found = as_finding(s, emza__xades_timestamp_c14n(&c, s->arc_ts[i]), "FORMAT_INVALID");
        if (found != 0)
            return found < 0 ? found : EMZA_OK;
        emza_buf data;
        emza__buf_init(&data, EMZA_XMLDSIG_OCTETS_MAX);
        int rc = emza__xades_archive_input(&data, &ax, s->node, s->arc_ts[i], &c);
        emza__c14n_free(&c);
        if (rc == EMZA_ENOTFOUND) {
            /* The detached content is missing: already SIGNED_DATA_NOT_FOUND. */
            emza_error_clear();
            emza__buf_free(&data);
            continue;
        }
        found = as_finding(s, rc, "FORMAT_INVALID");
        emza_indication worst = EMZA_TOTAL_PASSED;
        emza_subindication worst_sub = EMZA_SUB_NONE;
        emza__timestamp_tally tally;
        memset(&tally, 0, sizeof(tally));
        if (found == 0)
            rc = validate_timestamp_element(s, s->arc_ts[i], (emza_span){data.data, data.len},
                                            "ARCHIVE", job->validation_time, &tally, &worst,
                                            &worst_sub);
        emza__buf_free(&data);
        if (found != 0)
            return found < 0 ? found : EMZA_OK;
        EMZA_GUARD(rc);
        if (worst_sub == EMZA_SUB_HASH_FAILURE)
            EMZA_GUARD(emza__findings_add(ERRORS(s), EMZA_STAGE_CRYPTO, EMZA_SUB_HASH_FAILURE,
                                          "ARCHIVE_TIMESTAMP_MISMATCH",
                                          "archive timestamp %zu does not match what it "
                                          "protects: the content, the signature or its embedded "
                                          "values changed after it was made",
                                          i + 1));
        else if (worst == EMZA_TOTAL_FAILED)
            EMZA_GUARD(emza__findings_add(ERRORS(s), EMZA_STAGE_TIMESTAMP, worst_sub,
                                          "ARCHIVE_TIMESTAMP_FAILED",
                                          "archive timestamp %zu does not verify",
                                          i + 1));
        if (worst == EMZA_TOTAL_PASSED && tally.have_passed &&
            (!*has_poe || tally.earliest < *poe)) {
            *poe = tally.earliest;
            *has_poe = 1;
        }
    }
    return EMZA_OK;
}

/* ------------------------------------------------------------------------ */
/* one signature                                                             */
/* ------------------------------------------------------------------------ */

static int check_format(xv_sig *s)
{
    if (s->d->ids_rc != EMZA_OK)
        EMZA_GUARD(format_error(s, "DUPLICATE_ID", s->d->ids_error));
    int found = as_finding(s, parse_structure(s), "FORMAT_INVALID");
    if (found != 0)
        return found < 0 ? found : EMZA_OK;
    EMZA_GUARD(set_algorithm(s));
    found = as_finding(s, find_qualifying(s), "FORMAT_INVALID");
    if (found != 0)
        return found < 0 ? found : EMZA_OK;
    if (s->qualifying != NULL)
        EMZA_GUARD(check_xades(s));
    return EMZA_OK;
}

static int check_signature(xv_sig *s)
{
    EMZA_GUARD(emza__sig_set_level(s->report, "XMLDSig"));
    EMZA_GUARD(check_format(s));
    if (s->format_failed)
        return EMZA_OK;
    int found = as_finding(s, collect_certs(s), "FORMAT_INVALID");
    if (found != 0)
        return found < 0 ? found : EMZA_OK;
    if (s->signed_props != NULL)
        EMZA_GUARD(identify_xades_signer(s));
    else
        EMZA_GUARD(identify_plain_signer(s));
    if (s->format_failed)
        return EMZA_OK;
    EMZA_GUARD(check_references(s));
    EMZA_GUARD(check_signature_value(s));
    const emza__verify_job *job = s->d->job;
    int has_poe = 0;
    int64_t poe = 0;
    EMZA_GUARD(validate_archive_timestamps(s, &has_poe, &poe));
    EMZA_GUARD(validate_signature_timestamps(
        s, has_poe && poe < job->validation_time ? poe : job->validation_time));
    if (s->signer != NULL)
        EMZA_GUARD(emza__verify_signer_chain_ex(s->report, job, s->signer, s->embedded,
                                                embedded_revocation(s),
                                                emza_signature_best_signature_time(s->report)));
    return emza__verify_signature_algorithm(s->report, job, EVP_MD_get_type(s->si.md), s->key);
}

static int verify_one(xv_doc *d, const xmlNode *node)
{
    xv_sig s;
    memset(&s, 0, sizeof(s));
    s.d = d;
    s.node = node;
    emza__buf_init(&s.value, 0);
    int rc = emza__report_add_signature(&s.report, d->job->report);
    if (rc == EMZA_OK)
        rc = check_signature(&s);
    if (s.report != NULL)
        emza__sig_decide(s.report);
    emza__signed_info_free(&s.si);
    emza__buf_free(&s.value);
    emza_cert_list_free(s.embedded);
    emza_cert_free(s.signer);
    EVP_PKEY_free(s.key);
    for (size_t i = 0; i < s.ocsp_count; i++)
        emza__buf_free(&s.ocsp[i]);
    for (size_t i = 0; i < s.crl_count; i++)
        emza__buf_free(&s.crl[i]);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* the document                                                              */
/* ------------------------------------------------------------------------ */

static int report_unparsable(const emza__verify_job *job, int rc)
{
    const char *code = rc == EMZA_ELIMIT ? "XML_LIMIT" : "XML_MALFORMED";
    char msg[EMZA_FINDING_MESSAGE_MAX];
    snprintf(msg, sizeof(msg), "%s", emza_error_last()->message);
    if (strstr(msg, "DOCTYPE") != NULL)
        code = "DOCTYPE_REFUSED";
    emza_signature_report *sig = NULL;
    EMZA_GUARD(emza__report_add_signature(&sig, job->report));
    EMZA_GUARD(emza__findings_add(emza__sig_errors(sig), EMZA_STAGE_FORMAT,
                                  EMZA_SUB_FORMAT_FAILURE, code, "%s", msg));
    emza__sig_decide(sig);
    return EMZA_OK;
}

int emza__xades_verify_doc(const emza__verify_job *job, xmlDocPtr doc)
{
    xv_doc d;
    memset(&d, 0, sizeof(d));
    d.job = job;
    d.doc = doc;
    d.ids_rc = emza__xml_ids_build(&d.ids, doc);
    if (d.ids_rc == EMZA_EFORMAT || d.ids_rc == EMZA_ELIMIT)
        snprintf(d.ids_error, sizeof(d.ids_error), "%s", emza_error_last()->message);
    else
        EMZA_GUARD(d.ids_rc);
    int rc = EMZA_OK;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    size_t count = 0;
    for (xmlNodePtr n = root; n != NULL; n = emza__xml_next_in_tree(n, root)) {
        if (!emza__xml_is(n, EMZA_NS_DSIG, "Signature"))
            continue;
        count++;
        EMZA_TRY(verify_one(&d, n));
    }
    if (count > 0)
        EMZA_TRY(emza__report_set_format(job->report, d.any_xades ? "XAdES" : "XMLDSig"));
cleanup:
    emza__xml_ids_free(&d.ids);
    return rc;
}

int emza__xades_verify(const emza__verify_job *job)
{
    xmlDocPtr doc = NULL;
    int rc = emza__xml_parse(&doc, job->data, job->len, NULL);
    if (rc == EMZA_EFORMAT || rc == EMZA_ELIMIT)
        return report_unparsable(job, rc);
    EMZA_GUARD(rc);
    rc = emza__xades_verify_doc(job, doc);
    xmlFreeDoc(doc);
    return rc;
}
