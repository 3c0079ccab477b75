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
 *  LTA  xades141:ArchiveTimeStamp over the input of clause 5.5.2.2
 *       (emza__xades_archive_input); raising an LTA again adds a further one.
 *
 * A level already reached is not made again: raising a T signature to LT adds
 * only the values, raising to T a signature that has a timestamp adds
 * nothing.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <emza/datetime.h>

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
                          cx->progress, cx->progress_ctx};
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

/* The DER values an LT signature embeds. */
typedef struct lt_values {
    const emza_span *certs;
    size_t cert_count;
    const emza_span *ocsps;
    size_t ocsp_count;
    const emza_span *crls;
    size_t crl_count;
} lt_values;

static int add_values(xmlNodePtr usp, xmlNsPtr xades, const lt_values *v)
{
    if (v->cert_count > 0) {
        xmlNodePtr cv = xmlNewChild(usp, xades, (const xmlChar *)"CertificateValues", NULL);
        EMZA_ENSURE(cv != NULL, EMZA_ENOMEM);
        for (size_t i = 0; i < v->cert_count; i++)
            EMZA_GUARD(add_base64(cv, xades, "EncapsulatedX509Certificate", v->certs[i].data,
                                  v->certs[i].len));
    }
    if (v->ocsp_count == 0 && v->crl_count == 0)
        return EMZA_OK;
    xmlNodePtr rv = xmlNewChild(usp, xades, (const xmlChar *)"RevocationValues", NULL);
    EMZA_ENSURE(rv != NULL, EMZA_ENOMEM);
    if (v->crl_count > 0) {
        xmlNodePtr crls = xmlNewChild(rv, xades, (const xmlChar *)"CRLValues", NULL);
        EMZA_ENSURE(crls != NULL, EMZA_ENOMEM);
        for (size_t i = 0; i < v->crl_count; i++)
            EMZA_GUARD(add_base64(crls, xades, "EncapsulatedCRLValue", v->crls[i].data,
                                  v->crls[i].len));
    }
    if (v->ocsp_count > 0) {
        xmlNodePtr ocsps = xmlNewChild(rv, xades, (const xmlChar *)"OCSPValues", NULL);
        EMZA_ENSURE(ocsps != NULL, EMZA_ENOMEM);
        for (size_t i = 0; i < v->ocsp_count; i++)
            EMZA_GUARD(add_base64(ocsps, xades, "EncapsulatedOCSPValue", v->ocsps[i].data,
                                  v->ocsps[i].len));
    }
    return EMZA_OK;
}

/*
 * LT: the signer's chain and the TSAs' chains with the revocation data that
 * verified them, gathered by ltv.h.
 */
static int add_lt_values(xmlNodePtr sig, xmlNodePtr usp, xmlNsPtr xades,
                         const emza__xades_raise_opts *o)
{
    (void)sig;
    (void)usp;
    (void)xades;
    (void)o;
    (void)add_values;
    EMZA_FAIL(EMZA_EUNSUPPORTED, "XAdES level LT is not supported by this build yet");
}

static int add_archive_timestamp(xmlNodePtr sig, xmlNodePtr usp, const emza__xades_raise_opts *o)
{
    emza__xml_ids ids;
    EMZA_GUARD(emza__xml_ids_build(&ids, sig->doc));
    emza__c14n c;
    memset(&c, 0, sizeof(c));
    emza_buf data;
    emza__buf_init(&data, EMZA_XMLDSIG_OCTETS_MAX);
    emza__tsp_token info;
    memset(&info, 0, sizeof(info));
    emza__xades_archive_ctx ax = {&ids, o->resolve, o->resolve_ctx, o->progress, o->progress_ctx};
    int rc = canonical_timestamp_method(&c);
    if (rc == EMZA_OK)
        rc = emza__xades_archive_input(&data, &ax, sig, NULL, &c);
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
    EMZA_ENSURE_MSG(o->tsa_url != NULL && o->tsa_url[0] != '\0', EMZA_EINVAL,
                    "level T and above cannot be made without a time-stamping authority: set "
                    "tsa_url");
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
    return add_archive_timestamp(sig, usp, o);
}
