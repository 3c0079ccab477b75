/*
 * Raising a XAdES signature to the baseline levels T, LT and LTA (ETSI EN
 * 319 132-1), in memory: emza_sign raises the document it has just signed
 * before writing it, and emza_extend raises a parsed signed file. Only
 * unsigned properties are added (xades:UnsignedSignatureProperties, created
 * when missing), so the signature value and every reference digest stay
 * valid and xmlsec1 still accepts the core signature.
 *
 *  T    xades:SignatureTimeStamp: an RFC 3161 token over the ds:SignatureValue
 *       element canonicalized with the method the timestamp names (exclusive
 *       C14N), clause 5.3.
 *  LT   xades:CertificateValues (EncapsulatedX509Certificate) and
 *       xades:RevocationValues (OCSPValues/EncapsulatedOCSPValue,
 *       CRLValues/EncapsulatedCRLValue): the signer's chain and the chains of
 *       the TSAs of the signature's timestamps, with the revocation data that
 *       was verified for them, clauses 5.4.1 and 5.4.2.
 *  LTA  xades141:ArchiveTimeStamp over the input of clause 5.5.2
 *       (emza__xades_archive_input); raising an LTA again adds a further one.
 *
 * A level already reached is not made again: raising a T signature to LT adds
 * only the values, raising to T a signature that has a timestamp adds
 * nothing.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <libxml/xmlsave.h>

#include <emza/datetime.h>

#include "crl.h"
#include "extend_internal.h"
#include "report_internal.h"
#include "sign_internal.h"
#include "ltv.h"
#include "ocsp.h"
#include "util/guard.h"
#include "xades_internal.h"
#include "xml_parse.h"
#include "xmldsig.h"

/* ------------------------------------------------------------------------ */
/* finding and making the containers                                         */
/* ------------------------------------------------------------------------ */

const xmlNode *emza__xades_qualifying(const xmlNode *sig)
{
    for (const xmlNode *o = emza__xml_first_element(sig); o != NULL;
         o = emza__xml_next_element(o)) {
        if (!emza__xml_is(o, EMZA_NS_DSIG, "Object"))
            continue;
        const xmlNode *q = emza__xml_child(o, EMZA_NS_XADES, "QualifyingProperties");
        if (q != NULL)
            return q;
    }
    return NULL;
}

const xmlNode *emza__xades_unsigned_sig_props(const xmlNode *qualifying)
{
    const xmlNode *up = emza__xml_child(qualifying, EMZA_NS_XADES, "UnsignedProperties");
    return emza__xml_child(up, EMZA_NS_XADES, "UnsignedSignatureProperties");
}

/* The UnsignedSignatureProperties of `sig`, made when missing (schema order kept). */
static int unsigned_sig_props(xmlNodePtr *out, xmlNodePtr sig, xmlNsPtr *xades)
{
    xmlNodePtr qp = (xmlNodePtr)(uintptr_t)emza__xades_qualifying(sig);
    EMZA_ENSURE_MSG(qp != NULL, EMZA_EFORMAT,
                    "the signature has no XAdES QualifyingProperties: a plain XML signature "
                    "cannot be raised to a XAdES level");
    *xades = xmlSearchNsByHref(qp->doc, qp, (const xmlChar *)EMZA_NS_XADES);
    EMZA_ENSURE(*xades != NULL, EMZA_EINTERNAL);
    xmlNodePtr up = (xmlNodePtr)(uintptr_t)emza__xml_child(qp, EMZA_NS_XADES, "UnsignedProperties");
    if (up == NULL) {
        up = xmlNewChild(qp, *xades, (const xmlChar *)"UnsignedProperties", NULL);
        EMZA_ENSURE(up != NULL, EMZA_ENOMEM);
    }
    xmlNodePtr usp =
        (xmlNodePtr)(uintptr_t)emza__xml_child(up, EMZA_NS_XADES, "UnsignedSignatureProperties");
    if (usp == NULL) {
        /* UnsignedSignatureProperties comes before UnsignedDataObjectProperties. */
        usp = xmlNewDocNode(qp->doc, *xades, (const xmlChar *)"UnsignedSignatureProperties", NULL);
        EMZA_ENSURE(usp != NULL, EMZA_ENOMEM);
        xmlNodePtr first = emza__xml_first_element(up);
        xmlNodePtr added = first ? xmlAddPrevSibling(first, usp) : xmlAddChild(up, usp);
        if (added == NULL) {
            xmlFreeNode(usp);
            EMZA_FAIL(EMZA_ENOMEM, "out of memory");
        }
    }
    *out = usp;
    return EMZA_OK;
}

static int add_algorithm(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *alg)
{
    xmlNodePtr el = xmlNewChild(parent, ns, (const xmlChar *)name, NULL);
    EMZA_ENSURE(el != NULL && xmlNewProp(el, (const xmlChar *)"Algorithm",
                                         (const xmlChar *)alg) != NULL,
                EMZA_ENOMEM);
    return EMZA_OK;
}

static int add_base64(xmlNodePtr parent, xmlNsPtr ns, const char *name, const uint8_t *data,
                      size_t len)
{
    emza_buf b64;
    emza__buf_init(&b64, EMZA_XMLDSIG_OCTETS_MAX);
    int rc = emza__base64_encode(&b64, data, len);
    if (rc == EMZA_OK &&
        xmlNewTextChild(parent, ns, (const xmlChar *)name,
                        b64.data ? b64.data : (const xmlChar *)"") == NULL)
        rc = emza__error_set(EMZA_ENOMEM, __FILE__, __LINE__, "out of memory");
    emza__buf_free(&b64);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* what timestamps cover                                                     */
/* ------------------------------------------------------------------------ */

int emza__xades_c14n_element(emza_buf *out, const xmlNode *el, const emza__c14n *c)
{
    emza__nodeset ns = {el->doc, el, NULL, 0};
    emza__sink sink = {NULL, out, 0};
    return emza__c14n_run(&ns, c, &sink);
}

int emza__xades_timestamp_c14n(emza__c14n *out, const xmlNode *timestamp)
{
    memset(out, 0, sizeof(*out));
    const xmlNode *cm = emza__xml_child(timestamp, EMZA_NS_DSIG, "CanonicalizationMethod");
    if (cm == NULL) {
        /* XAdES: without the element, the XML-DSig default, Canonical XML 1.0. */
        out->mode = XML_C14N_1_0;
        return EMZA_OK;
    }
    const char *uri = emza__xml_attr(cm, "Algorithm");
    char clip[96];
    EMZA_ENSURE_MSG(uri != NULL && emza__c14n_from_uri(out, uri), EMZA_EFORMAT,
                    "a timestamp names the unknown canonicalization %s",
                    emza__xml_clip(clip, sizeof(clip), uri ? uri : "(none)"));
    if (out->mode == XML_C14N_EXCLUSIVE_1_0)
        EMZA_GUARD(emza__c14n_read_prefixes(out, cm));
    return EMZA_OK;
}

int emza__xades_archive_input(emza_buf *out, const emza__xades_archive_ctx *cx,
                              const xmlNode *sig, const xmlNode *before, const emza__c14n *c)
{
    const xmlNode *si_el = emza__xml_first_element(sig);
    EMZA_ENSURE_MSG(emza__xml_is(si_el, EMZA_NS_DSIG, "SignedInfo"), EMZA_EFORMAT,
                    "the Signature does not start with SignedInfo");
    emza__signed_info si;
    EMZA_GUARD(emza__signed_info_parse(&si, si_el));
    int rc = EMZA_OK;
    emza__sink sink = {NULL, out, 0};

    /* 1. every reference's output, in order (the data, SignedProperties...) */
    emza__ref_ctx rctx = {sig->doc, cx->ids, sig, cx->resolve, cx->resolve_ctx, 0,
                          cx->progress, cx->progress_ctx, cx->resolve_bytes,
                          cx->resolve_bytes_ctx};
    size_t detached = 0;
    for (size_t i = 0; i < si.ref_count; i++)
        detached += !emza__uri_is_same_document(si.refs[i].uri);
    rctx.sole_external = detached == 1;
    for (size_t i = 0; i < si.ref_count; i++) {
        emza__ref_target target;
        EMZA_TRY(emza__reference_output(&rctx, &si.refs[i], c, &sink, &target));
    }

    /* 2. SignedInfo, SignatureValue and KeyInfo, each canonicalized */
    const xmlNode *qp = emza__xades_qualifying(sig);
    for (const xmlNode *e = si_el; e != NULL; e = emza__xml_next_element(e))
        if (emza__xml_is(e, EMZA_NS_DSIG, "SignedInfo") ||
            emza__xml_is(e, EMZA_NS_DSIG, "SignatureValue") ||
            emza__xml_is(e, EMZA_NS_DSIG, "KeyInfo"))
            EMZA_TRY(emza__xades_c14n_element(out, e, c));

    /* 3. the unsigned signature properties before this archive timestamp */
    const xmlNode *usp = emza__xades_unsigned_sig_props(qp);
    for (const xmlNode *p = emza__xml_first_element(usp); p != NULL && p != before;
         p = emza__xml_next_element(p))
        EMZA_TRY(emza__xades_c14n_element(out, p, c));

    /* 4. every ds:Object but the one holding QualifyingProperties */
    for (const xmlNode *o = emza__xml_first_element(sig); o != NULL;
         o = emza__xml_next_element(o))
        if (emza__xml_is(o, EMZA_NS_DSIG, "Object") && (qp == NULL || qp->parent != o))
            EMZA_TRY(emza__xades_c14n_element(out, o, c));
cleanup:
    emza__signed_info_free(&si);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* adding                                                                    */
/* ------------------------------------------------------------------------ */

/* Asks the TSA for a token over `data` into a new `name` element (ds:CanonicalizationMethod, token). */
static int add_timestamp(xmlNodePtr usp, xmlNsPtr ns, const char *name, const emza_span data,
                         const emza__xades_raise_opts *o, emza__tsp_token *info)
{
    EMZA_ENSURE_MSG(o->tsa_url != NULL && o->tsa_url[0] != '\0', EMZA_EUNSUPPORTED,
                    "a timestamp is needed and no time-stamping authority was given (tsa_url)");
    emza_buf token;
    EMZA_GUARD(emza__tsp_stamp(&token, info, &o->net, o->tsa_url, o->md, NULL, data.data,
                               data.len));
    int rc = EMZA_OK;
    xmlNsPtr ds = xmlSearchNsByHref(usp->doc, usp, (const xmlChar *)EMZA_NS_DSIG);
    xmlNodePtr ts = xmlNewChild(usp, ns, (const xmlChar *)name, NULL);
    EMZA_TRY_ENSURE(ts != NULL, EMZA_ENOMEM, "out of memory");
    if (ds == NULL) {
        ds = xmlNewNs(ts, (const xmlChar *)EMZA_NS_DSIG, (const xmlChar *)"ds");
        EMZA_TRY_ENSURE(ds != NULL, EMZA_ENOMEM, "out of memory");
    }
    EMZA_TRY(add_algorithm(ts, ds, "CanonicalizationMethod", EMZA_XADES_TIMESTAMP_C14N));
    xmlNsPtr xades = xmlSearchNsByHref(usp->doc, usp, (const xmlChar *)EMZA_NS_XADES);
    EMZA_TRY(add_base64(ts, xades, "EncapsulatedTimeStamp", token.data, token.len));
cleanup:
    emza__buf_free(&token);
    return rc;
}

static int canonical_timestamp_method(emza__c14n *c)
{
    memset(c, 0, sizeof(*c));
    EMZA_ENSURE(emza__c14n_from_uri(c, EMZA_XADES_TIMESTAMP_C14N), EMZA_EINTERNAL);
    return EMZA_OK;
}

static int add_signature_timestamp(xmlNodePtr sig, xmlNodePtr usp, xmlNsPtr xades,
                                   const emza__xades_raise_opts *o)
{
    const xmlNode *value = emza__xml_next_element(emza__xml_first_element(sig));
    EMZA_ENSURE_MSG(emza__xml_is(value, EMZA_NS_DSIG, "SignatureValue"), EMZA_EFORMAT,
                    "the Signature has no SignatureValue after SignedInfo");
    emza__c14n c;
    EMZA_GUARD(canonical_timestamp_method(&c));
    emza_buf data;
    emza__buf_init(&data, EMZA_XMLDSIG_OCTETS_MAX);
    emza__tsp_token info;
    memset(&info, 0, sizeof(info));
    int rc = emza__xades_c14n_element(&data, value, &c);
    if (rc == EMZA_OK)
        rc = add_timestamp(usp, xades, "SignatureTimeStamp", (emza_span){data.data, data.len}, o,
                           &info);
    if (rc == EMZA_OK && o->has_claimed_time)
        rc = emza__tsp_check_order(o->claimed_time, &info);
    emza__tsp_token_free(&info);
    emza__buf_free(&data);
    emza__c14n_free(&c);
    return rc;
}

/* Whether `der` is one of `list`. */
static int has_der(const emza_buf *list, size_t count, const emza_buf *der)
{
    for (size_t i = 0; i < count; i++)
        if (list[i].len == der->len && memcmp(list[i].data, der->data, der->len) == 0)
            return 1;
    return 0;
}

/*
 * Writes the material of `add` not already in `have` (may be NULL) as
 * CertificateValues and RevocationValues children of `parent`.
 */
static int add_values(xmlNodePtr parent, xmlNsPtr xades, const emza__ltv *add,
                      const emza__ltv *have)
{
    xmlNodePtr cv = NULL;
    for (size_t i = 0; i < emza_cert_list_count(add->certs); i++) {
        const emza_cert *c = emza_cert_list_get(add->certs, i);
        size_t len = 0;
        const uint8_t *der = emza_cert_der(c, &len);
        int present = 0;
        for (size_t j = 0; have != NULL && j < emza_cert_list_count(have->certs) && !present; j++) {
            size_t l2 = 0;
            const uint8_t *d2 = emza_cert_der(emza_cert_list_get(have->certs, j), &l2);
            present = l2 == len && memcmp(d2, der, len) == 0;
        }
        if (present)
            continue;
        if (cv == NULL)
            cv = xmlNewChild(parent, xades, (const xmlChar *)"CertificateValues", NULL);
        EMZA_ENSURE(cv != NULL, EMZA_ENOMEM);
        EMZA_GUARD(add_base64(cv, xades, "EncapsulatedX509Certificate", der, len));
    }
    xmlNodePtr rv = NULL, lists[2] = {NULL, NULL};
    static const char *const list_names[2] = {"CRLValues", "OCSPValues"};
    static const char *const item_names[2] = {"EncapsulatedCRLValue", "EncapsulatedOCSPValue"};
    const emza_buf *items[2] = {add->crls, add->ocsp};
    size_t counts[2] = {add->crl_count, add->ocsp_count};
    const emza_buf *have_items[2] = {have ? have->crls : NULL, have ? have->ocsp : NULL};
    size_t have_counts[2] = {have ? have->crl_count : 0, have ? have->ocsp_count : 0};
    for (size_t k = 0; k < 2; k++) { /* CRLValues comes before OCSPValues (schema order) */
        for (size_t i = 0; i < counts[k]; i++) {
            if (has_der(have_items[k], have_counts[k], &items[k][i]))
                continue;
            if (rv == NULL)
                rv = xmlNewChild(parent, xades, (const xmlChar *)"RevocationValues", NULL);
            EMZA_ENSURE(rv != NULL, EMZA_ENOMEM);
            if (lists[k] == NULL)
                lists[k] = xmlNewChild(rv, xades, (const xmlChar *)list_names[k], NULL);
            EMZA_ENSURE(lists[k] != NULL, EMZA_ENOMEM);
            EMZA_GUARD(add_base64(lists[k], xades, item_names[k], items[k][i].data,
                                  items[k][i].len));
        }
    }
    return EMZA_OK;
}

/* The certificates of the signature's KeyInfo/X509Data (unreadable ones skipped). */
static int carried_certs(emza_cert_list **out, const xmlNode *sig)
{
    EMZA_GUARD(emza_cert_list_new(out));
    const xmlNode *ki = emza__xml_child(sig, EMZA_NS_DSIG, "KeyInfo");
    for (const xmlNode *x = emza__xml_first_element(ki); x != NULL; x = emza__xml_next_element(x)) {
        if (!emza__xml_is(x, EMZA_NS_DSIG, "X509Data"))
            continue;
        for (const xmlNode *c = emza__xml_first_element(x); c != NULL;
             c = emza__xml_next_element(c)) {
            if (!emza__xml_is(c, EMZA_NS_DSIG, "X509Certificate"))
                continue;
            EMZA_ENSURE_MSG(emza_cert_list_count(*out) < EMZA_XMLDSIG_CERTS_MAX, EMZA_ELIMIT,
                            "the signature carries more than %d certificates",
                            EMZA_XMLDSIG_CERTS_MAX);
            emza_buf der;
            emza_cert *cert = NULL;
            int rc = emza__base64_element(&der, c, EMZA_CERT_DER_MAX, "an X509Certificate");
            if (rc == EMZA_OK)
                rc = emza_cert_parse(&cert, der.data, der.len);
            emza__buf_free(&der);
            if (rc == EMZA_ENOMEM)
                return rc;
            if (rc == EMZA_OK) {
                rc = emza_cert_list_add(*out, cert);
                emza_cert_free(cert);
                EMZA_GUARD(rc);
            }
            emza_error_clear();
        }
    }
    return EMZA_OK;
}

/*
 * Checks the first EncapsulatedTimeStamp of the timestamp element `ts` over
 * `data` into *token (its TSA certificate and certificates): a token that does
 * not check cannot have its TSA's chain embedded (EMZA_ECRYPTO).
 */
static int check_timestamp(emza__tsp_token *token, const xmlNode *ts, emza_span data)
{
    memset(token, 0, sizeof(*token));
    const xmlNode *e = emza__xml_child(ts, EMZA_NS_XADES, "EncapsulatedTimeStamp");
    EMZA_ENSURE_MSG(e != NULL, EMZA_EFORMAT, "a timestamp element holds no EncapsulatedTimeStamp");
    emza_buf der;
    EMZA_GUARD(emza__base64_element(&der, e, EMZA_TSP_TOKEN_MAX, "an EncapsulatedTimeStamp"));
    int rc = emza__tsp_token_check(token, der.data, der.len, data.data, data.len, NULL);
    emza__buf_free(&der);
    EMZA_GUARD(rc);
    EMZA_ENSURE_MSG(token->verdict == EMZA__TSP_OK && token->tsa_cert != NULL, EMZA_ECRYPTO,
                    "a timestamp of the signature does not verify (%s): its TSA's chain cannot be "
                    "embedded",
                    token->message);
    return EMZA_OK;
}

/* Adds the chain of the TSA of the timestamp element `ts` over `data` to `ltv`. */
static int add_tsa_chain(emza__ltv *ltv, const emza__ltv_context *base, const xmlNode *ts,
                         emza_span data)
{
    emza__tsp_token token;
    EMZA_GUARD(check_timestamp(&token, ts, data));
    emza__ltv_context cx = *base;
    cx.helpers[2] = token.certs;
    int rc = emza__ltv_add_chain(ltv, &cx, token.tsa_cert, EMZA_PURPOSE_TIMESTAMP);
    emza__tsp_token_free(&token);
    return rc;
}

/* The canonical SignatureValue, which every signature timestamp covers with its own method. */
static int signature_value_input(emza_buf *out, const xmlNode *sig, const xmlNode *ts)
{
    const xmlNode *value = emza__xml_next_element(emza__xml_first_element(sig));
    EMZA_ENSURE_MSG(emza__xml_is(value, EMZA_NS_DSIG, "SignatureValue"), EMZA_EFORMAT,
                    "the Signature has no SignatureValue after SignedInfo");
    emza__c14n c;
    EMZA_GUARD(emza__xades_timestamp_c14n(&c, ts));
    emza__buf_init(out, EMZA_XMLDSIG_OCTETS_MAX);
    int rc = emza__xades_c14n_element(out, value, &c);
    emza__c14n_free(&c);
    return rc;
}

static void ltv_context(emza__ltv_context *cx, const emza__xades_raise_opts *o,
                        const emza_cert_list *carried)
{
    memset(cx, 0, sizeof(*cx));
    cx->trust = o->trust;
    cx->helpers[0] = carried;
    cx->helpers[1] = o->untrusted;
    cx->net = o->net;
    cx->validation_time = o->now;
}

/*
 * LT: the signer's chain and the chains of the TSAs of the signature
 * timestamps, with the revocation statements that verified them (ltv.h),
 * as CertificateValues and RevocationValues.
 */
static int add_lt_values(xmlNodePtr sig, xmlNodePtr usp, xmlNsPtr xades,
                         const emza__xades_raise_opts *o)
{
    emza_cert_list *carried = NULL;
    emza__ltv ltv;
    memset(&ltv, 0, sizeof(ltv));
    int rc = EMZA_OK;
    EMZA_TRY(carried_certs(&carried, sig));
    EMZA_TRY(emza__ltv_init(&ltv));
    const emza_cert *signer = o->signer;
    if (signer == NULL) {
        const xmlNode *qp = emza__xades_qualifying(sig);
        const xmlNode *sp = emza__xml_child(qp, EMZA_NS_XADES, "SignedProperties");
        const xmlNode *ssp = emza__xml_child(sp, EMZA_NS_XADES, "SignedSignatureProperties");
        const emza_cert_list *pools[2] = {carried, o->untrusted};
        EMZA_TRY(emza__xades_find_signing_cert(&signer, ssp, pools, 2, o->trust));
    }
    emza__ltv_context cx;
    ltv_context(&cx, o, carried);
    EMZA_TRY(emza__ltv_add_chain(&ltv, &cx, signer, EMZA_PURPOSE_SIGN));
    for (const xmlNode *ts = emza__xml_first_element(usp); ts != NULL;
         ts = emza__xml_next_element(ts)) {
        if (!emza__xml_is(ts, EMZA_NS_XADES, "SignatureTimeStamp"))
            continue;
        emza_buf data;
        EMZA_TRY(signature_value_input(&data, sig, ts));
        rc = add_tsa_chain(&ltv, &cx, ts, (emza_span){data.data, data.len});
        emza__buf_free(&data);
        EMZA_TRY(rc);
    }
    EMZA_TRY(add_values(usp, xades, &ltv, NULL));
cleanup:
    emza__ltv_free(&ltv);
    emza_cert_list_free(carried);
    return rc;
}

/* Reads the material already embedded (CertificateValues, RevocationValues, anywhere in `usp`). */
static int embedded_material(emza__ltv *have, const xmlNode *usp)
{
    EMZA_GUARD(emza__ltv_init(have));
    const xmlNode *top = usp;
    for (const xmlNode *n = emza__xml_first_element(top); n != NULL;
         n = emza__xml_next_in_tree(n, top)) {
        emza_buf der;
        if (emza__xml_is(n, EMZA_NS_XADES, "EncapsulatedX509Certificate")) {
            if (emza__base64_element(&der, n, EMZA_CERT_DER_MAX, "a certificate") != EMZA_OK) {
                emza_error_clear();
                continue;
            }
            emza_cert *c = NULL;
            int rc = emza_cert_parse(&c, der.data, der.len);
            emza__buf_free(&der);
            if (rc == EMZA_OK) {
                rc = emza_cert_list_add(have->certs, c);
                emza_cert_free(c);
                EMZA_GUARD(rc);
            }
            emza_error_clear();
        } else if (emza__xml_is(n, EMZA_NS_XADES, "EncapsulatedOCSPValue") ||
                   emza__xml_is(n, EMZA_NS_XADES, "EncapsulatedCRLValue")) {
            int ocsp = emza__xml_is(n, EMZA_NS_XADES, "EncapsulatedOCSPValue");
            if (emza__base64_element(&der, n, ocsp ? EMZA_OCSP_RESPONSE_MAX : EMZA_CRL_MAX,
                                     "a revocation value") != EMZA_OK) {
                emza_error_clear();
                continue;
            }
            int rc = ocsp ? emza__ltv_add_der(have->ocsp, &have->ocsp_count, der.data, der.len)
                          : emza__ltv_add_der(have->crls, &have->crl_count, der.data, der.len);
            emza__buf_free(&der);
            EMZA_GUARD(rc);
        }
    }
    return EMZA_OK;
}

/*
 * Before a further archive timestamp: the chain of the TSA of the last one
 * and its revocation statements, as much of it as the signature does not
 * carry yet, in a xades141:TimeStampValidationData (EN 319 132-1 clause
 * 5.5.1) after it, so the new archive timestamp covers it.
 */
static int add_archive_validation_data(xmlNodePtr sig, xmlNodePtr usp, xmlNsPtr xades,
                                       xmlNsPtr ns141, const emza__xades_raise_opts *o)
{
    const xmlNode *last = NULL;
    for (const xmlNode *p = emza__xml_first_element(usp); p != NULL; p = emza__xml_next_element(p))
        if (emza__xml_is(p, EMZA_NS_XADES141, "ArchiveTimeStamp"))
            last = p;
    if (last == NULL)
        return EMZA_OK;
    emza__xml_ids ids;
    EMZA_GUARD(emza__xml_ids_build(&ids, sig->doc));
    emza_cert_list *carried = NULL;
    emza__ltv ltv, have;
    memset(&ltv, 0, sizeof(ltv));
    memset(&have, 0, sizeof(have));
    emza__c14n c;
    memset(&c, 0, sizeof(c));
    emza_buf data;
    emza__buf_init(&data, EMZA_XMLDSIG_OCTETS_MAX);
    int rc = EMZA_OK;
    EMZA_TRY(carried_certs(&carried, sig));
    EMZA_TRY(emza__ltv_init(&ltv));
    EMZA_TRY(embedded_material(&have, usp));
    EMZA_TRY(emza__xades_timestamp_c14n(&c, last));
    emza__xades_archive_ctx ax = {&ids, o->resolve, o->resolve_ctx, o->progress, o->progress_ctx,
                                  o->resolve_bytes, o->resolve_bytes_ctx};
    EMZA_TRY(emza__xades_archive_input(&data, &ax, sig, last, &c));
    emza__ltv_context cx;
    ltv_context(&cx, o, carried);
    cx.helpers[1] = have.certs;
    EMZA_TRY(add_tsa_chain(&ltv, &cx, last, (emza_span){data.data, data.len}));
    xmlNodePtr tvd = xmlNewChild(usp, ns141, (const xmlChar *)"TimeStampValidationData", NULL);
    EMZA_TRY_ENSURE(tvd != NULL, EMZA_ENOMEM, "out of memory");
    EMZA_TRY(add_values(tvd, xades, &ltv, &have));
    if (emza__xml_first_element(tvd) == NULL) { /* nothing new to add */
        xmlUnlinkNode(tvd);
        xmlFreeNode(tvd);
    }
cleanup:
    emza__buf_free(&data);
    emza__c14n_free(&c);
    emza__ltv_free(&have);
    emza__ltv_free(&ltv);
    emza_cert_list_free(carried);
    emza__xml_ids_free(&ids);
    return rc;
}

static int add_archive_timestamp(xmlNodePtr sig, xmlNodePtr usp, xmlNsPtr xades,
                                 const emza__xades_raise_opts *o)
{
    emza__xml_ids ids;
    EMZA_GUARD(emza__xml_ids_build(&ids, sig->doc));
    emza__c14n c;
    memset(&c, 0, sizeof(c));
    emza_buf data;
    emza__buf_init(&data, EMZA_XMLDSIG_OCTETS_MAX);
    emza__tsp_token info;
    memset(&info, 0, sizeof(info));
    emza__xades_archive_ctx ax = {&ids, o->resolve, o->resolve_ctx, o->progress, o->progress_ctx,
                                  o->resolve_bytes, o->resolve_bytes_ctx};
    int rc = canonical_timestamp_method(&c);
    xmlNsPtr ns141 = NULL;
    if (rc == EMZA_OK) {
        ns141 = xmlSearchNsByHref(sig->doc, usp, (const xmlChar *)EMZA_NS_XADES141);
        if (ns141 == NULL) {
            /* Declared on UnsignedSignatureProperties, which the timestamp does not cover. */
            ns141 = xmlNewNs(usp, (const xmlChar *)EMZA_NS_XADES141, (const xmlChar *)"xades141");
            if (ns141 == NULL)
                rc = emza__error_set(EMZA_ENOMEM, __FILE__, __LINE__, "out of memory");
        }
    }
    if (rc == EMZA_OK)
        rc = add_archive_validation_data(sig, usp, xades, ns141, o);
    if (rc == EMZA_OK) {
        /* The tree changed: IDs again, then the input over everything before the new one. */
        emza__xml_ids_free(&ids);
        rc = emza__xml_ids_build(&ids, sig->doc);
    }
    if (rc == EMZA_OK)
        rc = emza__xades_archive_input(&data, &ax, sig, NULL, &c);
    if (rc == EMZA_OK)
        rc = add_timestamp(usp, ns141, "ArchiveTimeStamp", (emza_span){data.data, data.len}, o,
                           &info);
    emza__tsp_token_free(&info);
    emza__buf_free(&data);
    emza__c14n_free(&c);
    emza__xml_ids_free(&ids);
    return rc;
}

int emza__xades_raise(xmlNodePtr sig, const emza__xades_raise_opts *o)
{
    EMZA_ENSURE_MSG(o->level == EMZA_LEVEL_T || o->level == EMZA_LEVEL_LT ||
                        o->level == EMZA_LEVEL_LTA,
                    EMZA_EINVAL, "a XAdES signature is raised to level T, LT or LTA");
    xmlNodePtr usp = NULL;
    xmlNsPtr xades = NULL;
    EMZA_GUARD(unsigned_sig_props(&usp, sig, &xades));
    if (emza__xml_child(usp, EMZA_NS_XADES, "SignatureTimeStamp") == NULL)
        EMZA_GUARD(add_signature_timestamp(sig, usp, xades, o));
    if (o->level == EMZA_LEVEL_T)
        return EMZA_OK;
    if (emza__xml_child(usp, EMZA_NS_XADES, "CertificateValues") == NULL &&
        emza__xml_child(usp, EMZA_NS_XADES, "RevocationValues") == NULL)
        EMZA_GUARD(add_lt_values(sig, usp, xades, o));
    if (o->level == EMZA_LEVEL_LT)
        return EMZA_OK;
    return add_archive_timestamp(sig, usp, xades, o);
}

/* ------------------------------------------------------------------------ */
/* emza_extend                                                               */
/* ------------------------------------------------------------------------ */

static const char *resolve_data(void *ctx, const char *name, int sole)
{
    const emza_extend_options *o = ctx;
    if (name != NULL)
        for (size_t i = 0; i < o->data_count; i++)
            if (strcmp(emza__base_name(o->data_paths[i]), emza__base_name(name)) == 0)
                return o->data_paths[i];
    return sole && o->data_count == 1 ? o->data_paths[0] : NULL;
}

/*
 * After raising: every reference of every signature must still digest to its
 * DigestValue. An enveloped signature covers the whole document but itself,
 * so one nested later (a notary's over the citizen's signed deed) covers the
 * unsigned properties of the earlier ones: raising those would break it.
 * Such a document is refused (EMZA_EINVAL) rather than written broken.
 */
static int check_references_intact(xmlDocPtr doc, const emza__extend_job *job)
{
    emza__xml_ids ids;
    EMZA_GUARD(emza__xml_ids_build(&ids, doc));
    int rc = EMZA_OK;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    size_t number = 0;
    for (xmlNodePtr n = root; n != NULL && rc == EMZA_OK; n = emza__xml_next_in_tree(n, root)) {
        if (!emza__xml_is(n, EMZA_NS_DSIG, "Signature"))
            continue;
        number++;
        emza__signed_info si;
        EMZA_TRY(emza__signed_info_parse(&si, emza__xml_first_element(n)));
        size_t detached = 0;
        for (size_t i = 0; i < si.ref_count; i++)
            detached += !emza__uri_is_same_document(si.refs[i].uri);
        emza__ref_ctx rctx = {doc, &ids, n, resolve_data, (void *)(uintptr_t)job->opts,
                              detached == 1, NULL, NULL, job->entry_resolve, job->entry_ctx};
        for (size_t i = 0; i < si.ref_count && rc == EMZA_OK; i++) {
            if (!emza__uri_is_same_document(si.refs[i].uri))
                continue; /* detached content does not change */
            uint8_t d[EVP_MAX_MD_SIZE];
            unsigned int dl = 0;
            emza__ref_target target;
            rc = emza__reference_digest(&rctx, &si.refs[i], d, &dl, &target);
            if (rc == EMZA_OK && (dl != si.refs[i].digest_len ||
                                  memcmp(d, si.refs[i].digest, dl) != 0))
                rc = emza__error_set(EMZA_EINVAL, __FILE__, __LINE__,
                                     "%s: extending would break signature %zu, which covers the "
                                     "others' unsigned properties: nothing was written",
                                     job->path, number);
        }
        emza__signed_info_free(&si);
    }
cleanup:
    emza__xml_ids_free(&ids);
    return rc;
}

typedef struct writer {
    emza_buf *out;
    int rc;
} writer;

static int write_cb(void *ctx, const char *data, int len)
{
    writer *w = ctx;
    if (len <= 0)
        return 0;
    w->rc = emza__buf_append(w->out, data, (size_t)len);
    return w->rc == EMZA_OK ? len : -1;
}

static int close_cb(void *ctx)
{
    (void)ctx;
    return 0;
}

static int serialise(xmlDocPtr doc, emza_buf *out)
{
    writer w = {out, EMZA_OK};
    emza__xml_quiet quiet;
    emza__xml_quiet_begin(&quiet);
    int rc = EMZA_OK;
    xmlSaveCtxtPtr save = xmlSaveToIO(write_cb, close_cb, &w, "UTF-8", 0);
    EMZA_TRY_ENSURE(save != NULL, EMZA_ENOMEM, "cannot start writing the XML");
    long r = xmlSaveDoc(save, doc);
    int closed = xmlSaveClose(save);
    EMZA_TRY(w.rc);
    EMZA_TRY_ENSURE(r >= 0 && closed >= 0, EMZA_EIO, "writing the XML failed%s%s",
                    quiet.first[0] ? ": " : "", quiet.first);
cleanup:
    emza__xml_quiet_end(&quiet);
    return rc;
}

int emza__xades_extend(const emza__extend_job *job, xmlDocPtr doc)
{
    const emza_extend_options *o = job->opts;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr sigs[EMZA_REPORT_SIGNATURES_MAX];
    size_t count = 0;
    for (xmlNodePtr n = root; n != NULL; n = emza__xml_next_in_tree(n, root)) {
        if (!emza__xml_is(n, EMZA_NS_DSIG, "Signature"))
            continue;
        EMZA_ENSURE_MSG(count < EMZA_REPORT_SIGNATURES_MAX, EMZA_ELIMIT,
                        "%s holds more than %d signatures", job->path, EMZA_REPORT_SIGNATURES_MAX);
        sigs[count++] = n;
    }
    EMZA_ENSURE_MSG(count > 0, EMZA_EFORMAT, "%s holds no XML signature", job->path);
    emza__xades_raise_opts r;
    memset(&r, 0, sizeof(r));
    r.level = o->level;
    r.tsa_url = o->tsa_url;
    r.md = job->md;
    r.net = job->net;
    r.resolve = resolve_data;
    r.resolve_ctx = (void *)(uintptr_t)o;
    r.resolve_bytes = job->entry_resolve;
    r.resolve_bytes_ctx = job->entry_ctx;
    r.progress = o->progress;
    r.progress_ctx = o->progress_ctx;
    r.trust = o->trust;
    r.untrusted = o->untrusted;
    r.now = job->now;
    /*
     * Nested signatures (parallel ones live in an Object of the one before)
     * first: an outer signature's archive timestamp covers its Objects, so it
     * is made after what they hold is final.
     */
    for (size_t i = count; i-- > 0;) {
        int rc = emza__xades_raise(sigs[i], &r);
        if (rc < 0)
            return count > 1 ? emza__error_prefix("%s, signature %zu", job->path, i + 1)
                             : emza__error_prefix("%s", job->path);
    }
    EMZA_GUARD(check_references_intact(doc, job));
    return serialise(doc, job->out);
}
