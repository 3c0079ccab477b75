/*
 * XAdES-BASELINE-B signing (ETSI EN 319 132-1) on our XML-DSig core.
 *
 * Three forms:
 *  - enveloped: the ds:Signature becomes the last child of the document's
 *    root element; its data reference is URI="" with the enveloped-signature
 *    transform, then exclusive C14N.
 *  - detached: the signature file's root is the ds:Signature; each input is
 *    referenced by its file name (percent-encoded relative URI) and digested
 *    as a stream, without transforms.
 *  - enveloping: each input goes into a ds:Object of the signature: an XML
 *    document as XML (referenced "#id" with exclusive C14N), anything else as
 *    base64 text (Encoding base64, referenced with the base64 transform, so
 *    the digest is the file's own).
 * SignedInfo is canonicalized with exclusive C14N. SignedProperties carry
 * SigningTime, SigningCertificateV2 (CertDigest and IssuerSerialV2),
 * optionally SignaturePolicyIdentifier, SignatureProductionPlaceV2 and
 * SignerRoleV2, and a DataObjectFormat with the MIME type per data reference.
 * KeyInfo holds the signer's certificate and its chain. Every signature made
 * is checked against the signer's public key before it is written.
 *
 * Parallel signatures (EMZA_SIGN_PARALLEL, `existing` a signed XML file):
 * the new ds:Signature goes into a new, unsigned ds:Object of the last
 * signature of the document (in document order). Nothing any earlier
 * signature covers changes:
 *  - an enveloped signature's enveloped-signature transform removes the
 *    Signature element containing it, with everything inside it, so the
 *    signatures nested in it are outside what it covers;
 *  - the new enveloped signature removes only itself, so it covers the
 *    document together with the earlier signatures (a notary's signature
 *    over the citizen's signed deed), and a third one nested inside it in
 *    turn leaves it intact;
 *  - detached and enveloping signatures cover only their references, never
 *    an unsigned ds:Object.
 * For enveloped and enveloping documents the content is the one already in
 * `existing`, which must also be the single input; the new signature of an
 * enveloping document covers the same data objects as the first signature.
 * For detached signatures the inputs are the data files.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <sys/stat.h>

#include <libxml/xmlsave.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <emza/datetime.h>

#include "cert_internal.h"
#include "sign_internal.h"
#include "signer_internal.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/guard.h"
#include "util/hex.h"
#include "util/utf8.h"
#include "xades_internal.h"
#include "xml_parse.h"
#include "xmldsig.h"

typedef struct data_ref {
    xmlNodePtr reference; /* ds:Reference in SignedInfo */
    char id[96];          /* its Id */
    const char *mime;     /* borrowed: options, table or the existing signature */
    char mime_buf[256];
    const char *description; /* borrowed file name, or NULL */
} data_ref;

typedef struct xs_ctx {
    const emza__sign_job *job;
    xmlDocPtr doc;
    xmlNodePtr sig;
    xmlNodePtr signed_info;
    xmlNodePtr signature_value;
    xmlNodePtr key_info;
    xmlNodePtr signed_props;
    xmlNodePtr sp_reference;
    xmlNsPtr ds;
    xmlNsPtr xades;
    char id[40];
    emza__xml_ids ids;
    data_ref refs[EMZA_XMLDSIG_REFERENCES_MAX];
    size_t ref_count;
} xs_ctx;

/* ------------------------------------------------------------------------ */
/* small builders                                                            */
/* ------------------------------------------------------------------------ */

static int check_text(const char *s, const char *what)
{
    size_t len = strlen(s);
    EMZA_ENSURE_MSG(len <= EMZA_XADES_PROPERTY_MAX && emza__utf8_valid((const uint8_t *)s, len),
                    EMZA_EINVAL, "%s is not UTF-8 text of at most %d bytes", what,
                    EMZA_XADES_PROPERTY_MAX);
    for (size_t i = 0; i < len; i++)
        EMZA_ENSURE_MSG((unsigned char)s[i] >= 0x20 || s[i] == '\t' || s[i] == '\n' || s[i] == '\r',
                        EMZA_EINVAL, "%s holds a control character XML cannot carry", what);
    return EMZA_OK;
}

static xmlNodePtr add_el(xmlNodePtr parent, xmlNsPtr ns, const char *name)
{
    return xmlNewChild(parent, ns, (const xmlChar *)name, NULL);
}

static xmlNodePtr add_text_el(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text)
{
    return xmlNewTextChild(parent, ns, (const xmlChar *)name, (const xmlChar *)text);
}

static int set_attr(xmlNodePtr el, const char *name, const char *value)
{
    EMZA_ENSURE(el != NULL && xmlNewProp(el, (const xmlChar *)name, (const xmlChar *)value) != NULL,
                EMZA_ENOMEM);
    return EMZA_OK;
}

static int add_algorithm_el(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *alg,
                            xmlNodePtr *out)
{
    xmlNodePtr el = add_el(parent, ns, name);
    EMZA_ENSURE(el != NULL, EMZA_ENOMEM);
    EMZA_GUARD(set_attr(el, "Algorithm", alg));
    if (out != NULL)
        *out = el;
    return EMZA_OK;
}

static int add_base64_el(xmlNodePtr parent, xmlNsPtr ns, const char *name, const uint8_t *data,
                         size_t len, xmlNodePtr *out)
{
    emza_buf b64;
    emza__buf_init(&b64, EMZA_XMLDSIG_OCTETS_MAX);
    int rc = emza__base64_encode(&b64, data, len);
    xmlNodePtr el = NULL;
    if (rc == EMZA_OK) {
        el = add_text_el(parent, ns, name, b64.data ? (const char *)b64.data : "");
        if (el == NULL)
            rc = emza__error_set(EMZA_ENOMEM, __FILE__, __LINE__, "out of memory");
    }
    emza__buf_free(&b64);
    if (out != NULL)
        *out = el;
    return rc;
}

static int set_base64_content(xmlNodePtr el, const uint8_t *data, size_t len)
{
    emza_buf b64;
    emza__buf_init(&b64, EMZA_XMLDSIG_OCTETS_MAX);
    int rc = emza__base64_encode(&b64, data, len);
    if (rc == EMZA_OK)
        xmlNodeSetContent(el, b64.data ? b64.data : (const xmlChar *)"");
    emza__buf_free(&b64);
    return rc;
}

static const char *digest_uri(const emza__sign_job *job)
{
    return emza__xmldsig_digest_uri(EVP_MD_get_type(job->md));
}

/* ------------------------------------------------------------------------ */
/* Ids                                                                       */
/* ------------------------------------------------------------------------ */

/*
 * Eight unpredictable bytes for attempt `attempt`: random for a normal
 * signing; for a two-step signing (job->id_seed) SHA-256 of a label, the
 * attempt and the seed — the seed is random and kept in the prepared state,
 * so the Ids stay unpredictable to others yet are the same at prepare and at
 * finalize.
 */
static int id_bytes(const emza__sign_job *job, int attempt, uint8_t r[8])
{
    if (job->id_seed == NULL) {
        EMZA_GUARD_OSSL(RAND_bytes(r, 8), EMZA_ECRYPTO);
        return EMZA_OK;
    }
    emza_buf in;
    emza__buf_init(&in, 64 + job->id_seed_len);
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    int rc = emza__buf_appendf(&in, "emza-xades-id-%d:", attempt);
    if (rc == EMZA_OK)
        rc = emza__buf_append(&in, job->id_seed, job->id_seed_len);
    if (rc == EMZA_OK)
        rc = emza__digest_bytes(d, &dl, in.data, in.len, EVP_sha256());
    emza__buf_free(&in);
    EMZA_GUARD(rc);
    memcpy(r, d, 8);
    return EMZA_OK;
}

static int make_id(xs_ctx *x)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        uint8_t r[8];
        EMZA_GUARD(id_bytes(x->job, attempt, r));
        snprintf(x->id, sizeof(x->id), "id-%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2],
                 r[3], r[4], r[5], r[6], r[7]);
        if (emza__xml_ids_find(&x->ids, x->id) == NULL)
            return EMZA_OK;
    }
    EMZA_FAIL(EMZA_EINTERNAL, "could not make a fresh Id");
}

/* ------------------------------------------------------------------------ */
/* the document and where the signature goes                                 */
/* ------------------------------------------------------------------------ */

static int parse_file(xmlDocPtr *out, const char *path)
{
    emza_buf bytes;
    EMZA_GUARD(emza__file_read(&bytes, path, EMZA_SIGNED_FILE_MAX));
    int rc = emza__xml_parse(out, bytes.data, bytes.len, NULL);
    emza__buf_free(&bytes);
    if (rc == EMZA_EFORMAT || rc == EMZA_ELIMIT)
        return emza__error_prefix("%s", path);
    return rc;
}

static xmlNodePtr new_signature_element(xs_ctx *x)
{
    xmlNodePtr sig = xmlNewDocNode(x->doc, NULL, (const xmlChar *)"Signature", NULL);
    if (sig == NULL)
        return NULL;
    x->ds = xmlNewNs(sig, (const xmlChar *)EMZA_NS_DSIG, (const xmlChar *)"ds");
    if (x->ds == NULL) {
        xmlFreeNode(sig);
        return NULL;
    }
    xmlSetNs(sig, x->ds);
    return sig;
}

/* The last ds:Signature of the document, in document order. */
static xmlNodePtr last_signature(xmlDocPtr doc)
{
    xmlNodePtr root = xmlDocGetRootElement(doc), last = NULL;
    for (xmlNodePtr n = root; n != NULL; n = emza__xml_next_in_tree(n, root))
        if (emza__xml_is(n, EMZA_NS_DSIG, "Signature"))
            last = n;
    return last;
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

static int place_parallel(xs_ctx *x)
{
    const emza__sign_job *job = x->job;
    const emza_sign_options *o = job->opts;
    EMZA_ENSURE_MSG(o->mode == EMZA_SIGN_PARALLEL, EMZA_EUNSUPPORTED,
                    "XAdES countersignatures are not supported by this build yet");
    if (o->format != EMZA_FORMAT_XADES_DETACHED)
        EMZA_ENSURE_MSG(job->input_count == 1 && same_file(job->inputs[0], o->existing),
                        EMZA_EINVAL,
                        "a parallel %s signature covers the content already in %s: give that "
                        "file itself as the input",
                        emza_format_name(o->format), o->existing);
    EMZA_GUARD(parse_file(&x->doc, o->existing));
    xmlNodePtr last = last_signature(x->doc);
    EMZA_ENSURE_MSG(last != NULL, EMZA_EFORMAT, "%s holds no XML signature to add to", o->existing);
    xmlNsPtr ds = xmlSearchNsByHref(x->doc, last, (const xmlChar *)EMZA_NS_DSIG);
    xmlNodePtr holder = add_el(last, ds, "Object");
    x->sig = new_signature_element(x);
    EMZA_ENSURE(holder != NULL && x->sig != NULL && xmlAddChild(holder, x->sig) != NULL,
                EMZA_ENOMEM);
    return EMZA_OK;
}

static int place_signature(xs_ctx *x)
{
    const emza__sign_job *job = x->job;
    if (job->opts->mode != EMZA_SIGN_NEW)
        return place_parallel(x);
    if (job->opts->format == EMZA_FORMAT_XADES_ENVELOPED) {
        EMZA_GUARD(parse_file(&x->doc, job->inputs[0]));
        x->sig = new_signature_element(x);
        EMZA_ENSURE(x->sig != NULL && xmlAddChild(xmlDocGetRootElement(x->doc), x->sig) != NULL,
                    EMZA_ENOMEM);
        return EMZA_OK;
    }
    x->doc = xmlNewDoc((const xmlChar *)"1.0");
    EMZA_ENSURE(x->doc != NULL, EMZA_ENOMEM);
    x->sig = new_signature_element(x);
    EMZA_ENSURE(x->sig != NULL, EMZA_ENOMEM);
    if (job->asic_root) {
        /* ETSI EN 319 162-1 clause A.5: an ASiC signatures file's root, placed before signing
           because canonicalization sees the namespaces in scope. */
        xmlNodePtr root = xmlNewDocNode(x->doc, NULL, (const xmlChar *)"XAdESSignatures", NULL);
        xmlNsPtr asic = root ? xmlNewNs(root, (const xmlChar *)EMZA_NS_ASIC,
                                        (const xmlChar *)"asic")
                             : NULL;
        EMZA_ENSURE(asic != NULL, EMZA_ENOMEM);
        xmlSetNs(root, asic);
        xmlDocSetRootElement(x->doc, root);
        EMZA_ENSURE(xmlAddChild(root, x->sig) != NULL, EMZA_ENOMEM);
        return EMZA_OK;
    }
    xmlDocSetRootElement(x->doc, x->sig);
    return EMZA_OK;
}

/* ------------------------------------------------------------------------ */
/* SignedInfo                                                                */
/* ------------------------------------------------------------------------ */

static int add_pss_params(xmlNodePtr method, xs_ctx *x)
{
    const emza__sign_job *job = x->job;
    xmlNodePtr p = add_el(method, NULL, "RSAPSSParams");
    EMZA_ENSURE(p != NULL, EMZA_ENOMEM);
    xmlNsPtr pss = xmlNewNs(p, (const xmlChar *)EMZA_NS_DSIG_MORE, (const xmlChar *)"pss");
    EMZA_ENSURE(pss != NULL, EMZA_ENOMEM);
    xmlSetNs(p, pss);
    EMZA_GUARD(add_algorithm_el(p, x->ds, "DigestMethod", digest_uri(job), NULL));
    xmlNodePtr mgf = NULL;
    EMZA_GUARD(add_algorithm_el(p, pss, "MaskGenerationFunction", EMZA_ALG_MGF1, &mgf));
    EMZA_GUARD(add_algorithm_el(mgf, x->ds, "DigestMethod", digest_uri(job), NULL));
    char salt[16];
    snprintf(salt, sizeof(salt), "%d", EVP_MD_get_size(job->md));
    EMZA_ENSURE(add_text_el(p, pss, "SaltLength", salt) != NULL &&
                    add_text_el(p, pss, "TrailerField", "1") != NULL,
                EMZA_ENOMEM);
    return EMZA_OK;
}

static int build_signed_info(xs_ctx *x)
{
    const emza__sign_job *job = x->job;
    int key_type = emza__signer_key_type(job->signer);
    int pss = job->opts->rsa_pss != 0;
    EMZA_ENSURE_MSG(key_type == EVP_PKEY_RSA || key_type == EVP_PKEY_EC, EMZA_EUNSUPPORTED,
                    "XAdES signing supports RSA and ECDSA keys");
    EMZA_ENSURE_MSG(!pss || key_type == EVP_PKEY_RSA, EMZA_EINVAL, "RSA-PSS needs an RSA key");
    const char *method = emza__xmldsig_sigalg_uri(key_type, pss, EVP_MD_get_type(job->md));
    EMZA_ENSURE_MSG(method != NULL, EMZA_EUNSUPPORTED, "no XML signature method for this key");
    x->signed_info = add_el(x->sig, x->ds, "SignedInfo");
    EMZA_ENSURE(x->signed_info != NULL, EMZA_ENOMEM);
    EMZA_GUARD(add_algorithm_el(x->signed_info, x->ds, "CanonicalizationMethod",
                                EMZA_ALG_EXC_C14N, NULL));
    xmlNodePtr sm = NULL;
    EMZA_GUARD(add_algorithm_el(x->signed_info, x->ds, "SignatureMethod", method, &sm));
    if (pss)
        EMZA_GUARD(add_pss_params(sm, x));
    return EMZA_OK;
}

/* Adds a ds:Reference with `uri` and the transforms named in `transforms` (NULL-terminated). */
static int add_reference(xs_ctx *x, const char *uri, const char *const *transforms,
                         xmlNodePtr *out)
{
    xmlNodePtr ref = add_el(x->signed_info, x->ds, "Reference");
    EMZA_ENSURE(ref != NULL, EMZA_ENOMEM);
    EMZA_GUARD(set_attr(ref, "URI", uri));
    if (transforms != NULL && transforms[0] != NULL) {
        xmlNodePtr ts = add_el(ref, x->ds, "Transforms");
        EMZA_ENSURE(ts != NULL, EMZA_ENOMEM);
        for (size_t i = 0; transforms[i] != NULL; i++)
            EMZA_GUARD(add_algorithm_el(ts, x->ds, "Transform", transforms[i], NULL));
    }
    EMZA_GUARD(add_algorithm_el(ref, x->ds, "DigestMethod", digest_uri(x->job), NULL));
    EMZA_ENSURE(add_text_el(ref, x->ds, "DigestValue", "") != NULL, EMZA_ENOMEM);
    *out = ref;
    return EMZA_OK;
}

static int add_data_ref(xs_ctx *x, const char *uri, const char *const *transforms,
                        const char *mime, const char *description)
{
    EMZA_ENSURE_MSG(x->ref_count < EMZA_XMLDSIG_REFERENCES_MAX, EMZA_ELIMIT,
                    "more than %d data references", EMZA_XMLDSIG_REFERENCES_MAX);
    data_ref *r = &x->refs[x->ref_count];
    memset(r, 0, sizeof(*r));
    snprintf(r->id, sizeof(r->id), "%s-ref-%zu", x->id, x->ref_count);
    EMZA_GUARD(add_reference(x, uri, transforms, &r->reference));
    EMZA_GUARD(set_attr(r->reference, "Id", r->id));
    r->mime = mime;
    r->description = description;
    x->ref_count++;
    return EMZA_OK;
}

static const char *mime_of(const emza__sign_job *job, const char *path)
{
    return job->opts->mime_type ? job->opts->mime_type : emza__mime_type_for(path);
}

static int is_xml_mime(const char *mime)
{
    size_t n = strlen(mime);
    return strcmp(mime, "text/xml") == 0 || strcmp(mime, "application/xml") == 0 ||
           (n > 4 && strcmp(mime + n - 4, "+xml") == 0);
}

/* ------------------------------------------------------------------------ */
/* the data                                                                  */
/* ------------------------------------------------------------------------ */

static int data_enveloped(xs_ctx *x)
{
    static const char *const transforms[] = {EMZA_ALG_ENVELOPED, EMZA_ALG_EXC_C14N, NULL};
    const char *path = x->job->opts->existing ? x->job->opts->existing : x->job->inputs[0];
    return add_data_ref(x, "", transforms, mime_of(x->job, path), NULL);
}

static int data_detached(xs_ctx *x)
{
    const emza__sign_job *job = x->job;
    for (size_t i = 0; i < job->input_count; i++) {
        const char *name = emza__base_name(job->inputs[i]);
        EMZA_GUARD(check_text(name, "an input file name"));
        emza_buf uri;
        emza__buf_init(&uri, 4096);
        int rc = emza__uri_encode_file_name(&uri, name);
        if (rc == EMZA_OK)
            rc = add_data_ref(x, (const char *)uri.data, NULL, mime_of(job, name), name);
        emza__buf_free(&uri);
        EMZA_GUARD(rc);
    }
    return EMZA_OK;
}

/* Puts one input in a ds:Object: XML as XML, anything else as base64. */
static int envelop_input(xs_ctx *x, const char *path, size_t index)
{
    const char *mime = mime_of(x->job, path);
    char obj_id[96], uri[104];
    snprintf(obj_id, sizeof(obj_id), "%s-obj-%zu", x->id, index);
    snprintf(uri, sizeof(uri), "#%s", obj_id);
    xmlNodePtr obj = add_el(x->sig, x->ds, "Object");
    EMZA_ENSURE(obj != NULL, EMZA_ENOMEM);
    EMZA_GUARD(set_attr(obj, "Id", obj_id));
    EMZA_GUARD(set_attr(obj, "MimeType", mime));
    const char *name = emza__base_name(path);
    EMZA_GUARD(check_text(name, "an input file name"));
    if (is_xml_mime(mime)) {
        xmlDocPtr in = NULL;
        EMZA_GUARD(parse_file(&in, path));
        xmlNodePtr copy = xmlDocCopyNode(xmlDocGetRootElement(in), x->doc, 1);
        xmlFreeDoc(in);
        EMZA_ENSURE(copy != NULL && xmlAddChild(obj, copy) != NULL, EMZA_ENOMEM);
        static const char *const transforms[] = {EMZA_ALG_EXC_C14N, NULL};
        return add_data_ref(x, uri, transforms, mime, name);
    }
    emza_buf bytes;
    EMZA_GUARD(emza__file_read(&bytes, path, EMZA_SIGNED_FILE_MAX / 2));
    int rc = set_base64_content(obj, bytes.data, bytes.len);
    emza__buf_free(&bytes);
    EMZA_GUARD(rc);
    EMZA_GUARD(set_attr(obj, "Encoding", EMZA_ALG_BASE64));
    static const char *const transforms[] = {EMZA_ALG_BASE64, NULL};
    return add_data_ref(x, uri, transforms, mime, name);
}

/* A parallel enveloping signature covers what the first signature's data references cover. */
static int data_enveloping_parallel(xs_ctx *x)
{
    xmlNodePtr root = xmlDocGetRootElement(x->doc);
    const xmlNode *first = emza__xml_is(root, EMZA_NS_DSIG, "Signature") ? root : NULL;
    const xmlNode *si = emza__xml_child(first, EMZA_NS_DSIG, "SignedInfo");
    EMZA_ENSURE_MSG(si != NULL, EMZA_EFORMAT, "%s is not an enveloping XML signature",
                    x->job->opts->existing);
    for (const xmlNode *r = emza__xml_child(si, EMZA_NS_DSIG, "Reference"); r != NULL;
         r = emza__xml_next_element(r)) {
        const char *type = emza__xml_attr(r, "Type");
        const char *uri = emza__xml_attr(r, "URI");
        if ((type != NULL && strcmp(type, EMZA_TYPE_SIGNED_PROPERTIES) == 0) || uri == NULL ||
            uri[0] != '#')
            continue;
        const xmlNode *obj = emza__xml_ids_find(&x->ids, uri + 1);
        EMZA_ENSURE_MSG(emza__xml_is(obj, EMZA_NS_DSIG, "Object"), EMZA_EFORMAT,
                        "%s: a reference of the first signature is not to a data object",
                        x->job->opts->existing);
        const char *const *none = NULL;
        EMZA_GUARD(add_data_ref(x, uri, none, NULL, NULL));
        data_ref *d = &x->refs[x->ref_count - 1];
        const char *mt = emza__xml_attr(obj, "MimeType");
        snprintf(d->mime_buf, sizeof(d->mime_buf), "%s", mt ? mt : "application/octet-stream");
        d->mime = d->mime_buf;
        const xmlNode *ts = emza__xml_child(r, EMZA_NS_DSIG, "Transforms");
        if (ts != NULL) {
            xmlNodePtr copy = xmlDocCopyNode((xmlNodePtr)(uintptr_t)ts, x->doc, 1);
            EMZA_ENSURE(copy != NULL, EMZA_ENOMEM);
            EMZA_ENSURE(xmlAddPrevSibling(emza__xml_first_element(d->reference), copy) != NULL,
                        EMZA_ENOMEM);
            (void)xmlReconciliateNs(x->doc, copy);
        }
    }
    EMZA_ENSURE_MSG(x->ref_count > 0, EMZA_EFORMAT, "%s: the first signature covers no data object",
                    x->job->opts->existing);
    return EMZA_OK;
}

static int add_data(xs_ctx *x)
{
    const emza__sign_job *job = x->job;
    switch (job->opts->format) {
    case EMZA_FORMAT_XADES_ENVELOPED:
        return data_enveloped(x);
    case EMZA_FORMAT_XADES_DETACHED:
        return data_detached(x);
    case EMZA_FORMAT_XADES_ENVELOPING:
        if (job->opts->mode == EMZA_SIGN_PARALLEL)
            return data_enveloping_parallel(x);
        for (size_t i = 0; i < job->input_count; i++)
            EMZA_GUARD(envelop_input(x, job->inputs[i], i));
        return EMZA_OK;
    default:
        EMZA_FAIL(EMZA_EINVAL, "not a XAdES format");
    }
}

/* ------------------------------------------------------------------------ */
/* KeyInfo and SignedProperties                                              */
/* ------------------------------------------------------------------------ */

static int add_cert(xmlNodePtr x509data, xmlNsPtr ds, const emza_cert *cert)
{
    size_t len = 0;
    const uint8_t *der = emza_cert_der(cert, &len);
    return add_base64_el(x509data, ds, "X509Certificate", der, len, NULL);
}

static int build_key_info(xs_ctx *x)
{
    x->key_info = add_el(x->sig, x->ds, "KeyInfo");
    xmlNodePtr data = x->key_info ? add_el(x->key_info, x->ds, "X509Data") : NULL;
    EMZA_ENSURE(data != NULL, EMZA_ENOMEM);
    const emza_signer *signer = x->job->signer;
    EMZA_GUARD(add_cert(data, x->ds, emza_signer_cert(signer)));
    const emza_cert_list *chain = emza_signer_chain(signer);
    for (size_t i = 0; chain != NULL && i < emza_cert_list_count(chain); i++)
        EMZA_GUARD(add_cert(data, x->ds, emza_cert_list_get(chain, i)));
    return EMZA_OK;
}

static int add_signing_certificate(xs_ctx *x, xmlNodePtr ssp)
{
    const emza__sign_job *job = x->job;
    const emza_cert *cert = emza_signer_cert(job->signer);
    size_t len = 0;
    const uint8_t *der = emza_cert_der(cert, &len);
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    EMZA_GUARD(emza__digest_bytes(d, &dl, der, len, job->md));
    xmlNodePtr sc = add_el(ssp, x->xades, "SigningCertificateV2");
    xmlNodePtr c = sc ? add_el(sc, x->xades, "Cert") : NULL;
    xmlNodePtr cd = c ? add_el(c, x->xades, "CertDigest") : NULL;
    EMZA_ENSURE(cd != NULL, EMZA_ENOMEM);
    EMZA_GUARD(add_algorithm_el(cd, x->ds, "DigestMethod", digest_uri(job), NULL));
    EMZA_GUARD(add_base64_el(cd, x->ds, "DigestValue", d, dl, NULL));
    emza_buf is;
    emza__buf_init(&is, EMZA_XMLDSIG_DER_MAX);
    int rc = emza__cert_issuer_serial_der(cert, &is);
    if (rc == EMZA_OK)
        rc = add_base64_el(c, x->xades, "IssuerSerialV2", is.data, is.len, NULL);
    emza__buf_free(&is);
    return rc;
}

static int is_oid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 128 || s[0] == '.' || s[n - 1] == '.')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] == '.' && s[i + 1] != '.')))
            return 0;
    return 1;
}

static int add_policy(xs_ctx *x, xmlNodePtr ssp)
{
    const emza_sign_options *o = x->job->opts;
    if (o->policy_oid == NULL) {
        EMZA_ENSURE_MSG(o->policy_sha256 == NULL, EMZA_EINVAL,
                        "a policy digest was given without a policy OID");
        return EMZA_OK; /* implied policy: the element is simply omitted */
    }
    uint8_t hash[32];
    EMZA_ENSURE_MSG(is_oid(o->policy_oid), EMZA_EINVAL, "the policy OID is not dotted digits");
    EMZA_ENSURE_MSG(emza__hex_decode_exact(hash, sizeof(hash), o->policy_sha256), EMZA_EINVAL,
                    "the policy needs its SHA-256 as 64 hex digits");
    char urn[140];
    snprintf(urn, sizeof(urn), "urn:oid:%s", o->policy_oid);
    xmlNodePtr spi = add_el(ssp, x->xades, "SignaturePolicyIdentifier");
    xmlNodePtr spid = spi ? add_el(spi, x->xades, "SignaturePolicyId") : NULL;
    xmlNodePtr id = spid ? add_el(spid, x->xades, "SigPolicyId") : NULL;
    xmlNodePtr ident = id ? add_text_el(id, x->xades, "Identifier", urn) : NULL;
    xmlNodePtr hash_el = ident ? add_el(spid, x->xades, "SigPolicyHash") : NULL;
    EMZA_ENSURE(hash_el != NULL, EMZA_ENOMEM);
    EMZA_GUARD(set_attr(ident, "Qualifier", "OIDAsURN"));
    EMZA_GUARD(add_algorithm_el(hash_el, x->ds, "DigestMethod",
                                emza__xmldsig_digest_uri(NID_sha256), NULL));
    return add_base64_el(hash_el, x->ds, "DigestValue", hash, sizeof(hash), NULL);
}

static int add_place_and_role(xs_ctx *x, xmlNodePtr ssp)
{
    const emza_sign_options *o = x->job->opts;
    if (o->production_city != NULL || o->production_country != NULL) {
        xmlNodePtr place = add_el(ssp, x->xades, "SignatureProductionPlaceV2");
        EMZA_ENSURE(place != NULL, EMZA_ENOMEM);
        if (o->production_city != NULL) {
            EMZA_GUARD(check_text(o->production_city, "the city"));
            EMZA_ENSURE(add_text_el(place, x->xades, "City", o->production_city), EMZA_ENOMEM);
        }
        if (o->production_country != NULL) {
            EMZA_GUARD(check_text(o->production_country, "the country"));
            EMZA_ENSURE(add_text_el(place, x->xades, "CountryName", o->production_country),
                        EMZA_ENOMEM);
        }
    }
    if (o->signer_role != NULL) {
        EMZA_GUARD(check_text(o->signer_role, "the signer role"));
        xmlNodePtr role = add_el(ssp, x->xades, "SignerRoleV2");
        xmlNodePtr claimed = role ? add_el(role, x->xades, "ClaimedRoles") : NULL;
        EMZA_ENSURE(claimed && add_text_el(claimed, x->xades, "ClaimedRole", o->signer_role),
                    EMZA_ENOMEM);
    }
    return EMZA_OK;
}

static int add_data_object_formats(xs_ctx *x, xmlNodePtr sp)
{
    xmlNodePtr sdop = add_el(sp, x->xades, "SignedDataObjectProperties");
    EMZA_ENSURE(sdop != NULL, EMZA_ENOMEM);
    for (size_t i = 0; i < x->ref_count; i++) {
        const data_ref *r = &x->refs[i];
        char target[104];
        snprintf(target, sizeof(target), "#%s", r->id);
        xmlNodePtr f = add_el(sdop, x->xades, "DataObjectFormat");
        EMZA_ENSURE(f != NULL, EMZA_ENOMEM);
        EMZA_GUARD(set_attr(f, "ObjectReference", target));
        if (r->description != NULL)
            EMZA_ENSURE(add_text_el(f, x->xades, "Description", r->description), EMZA_ENOMEM);
        const char *mime = r->mime ? r->mime : "application/octet-stream";
        EMZA_GUARD(check_text(mime, "the MIME type"));
        EMZA_ENSURE(add_text_el(f, x->xades, "MimeType", mime), EMZA_ENOMEM);
    }
    return EMZA_OK;
}

static int build_qualifying_properties(xs_ctx *x)
{
    xmlNodePtr obj = add_el(x->sig, x->ds, "Object");
    xmlNodePtr qp = obj ? add_el(obj, NULL, "QualifyingProperties") : NULL;
    EMZA_ENSURE(qp != NULL, EMZA_ENOMEM);
    x->xades = xmlNewNs(qp, (const xmlChar *)EMZA_NS_XADES, (const xmlChar *)"xades");
    EMZA_ENSURE(x->xades != NULL, EMZA_ENOMEM);
    xmlSetNs(qp, x->xades);
    char target[48], sp_id[56];
    snprintf(target, sizeof(target), "#%s", x->id);
    snprintf(sp_id, sizeof(sp_id), "%s-signedprops", x->id);
    EMZA_GUARD(set_attr(qp, "Target", target));
    x->signed_props = add_el(qp, x->xades, "SignedProperties");
    xmlNodePtr ssp = x->signed_props ? add_el(x->signed_props, x->xades, "SignedSignatureProperties")
                                     : NULL;
    EMZA_ENSURE(ssp != NULL, EMZA_ENOMEM);
    EMZA_GUARD(set_attr(x->signed_props, "Id", sp_id));
    char when[EMZA_TIME_TEXT_SIZE];
    EMZA_GUARD(emza_time_format(when, sizeof(when), x->job->signing_time));
    EMZA_ENSURE(add_text_el(ssp, x->xades, "SigningTime", when), EMZA_ENOMEM);
    EMZA_GUARD(add_signing_certificate(x, ssp));
    EMZA_GUARD(add_policy(x, ssp));
    EMZA_GUARD(add_place_and_role(x, ssp));
    EMZA_GUARD(add_data_object_formats(x, x->signed_props));
    char uri[64];
    snprintf(uri, sizeof(uri), "#%s", sp_id);
    static const char *const transforms[] = {EMZA_ALG_EXC_C14N, NULL};
    EMZA_GUARD(add_reference(x, uri, transforms, &x->sp_reference));
    return set_attr(x->sp_reference, "Type", EMZA_TYPE_SIGNED_PROPERTIES);
}

/* ------------------------------------------------------------------------ */
/* digests and the signature value                                           */
/* ------------------------------------------------------------------------ */

static const char *resolve_input(void *ctx, const char *name, int sole)
{
    (void)sole;
    const emza__sign_job *job = ctx;
    for (size_t i = 0; name != NULL && i < job->input_count; i++)
        if (strcmp(emza__base_name(job->inputs[i]), name) == 0)
            return job->inputs[i];
    return NULL;
}

/* Digests one ds:Reference as the verifier will, and fills its DigestValue. */
static int fill_digest(xs_ctx *x, xmlNodePtr ref_el)
{
    emza__reference ref;
    memset(&ref, 0, sizeof(ref));
    ref.uri = emza__xml_attr(ref_el, "URI");
    ref.md = x->job->md;
    ref.md_nid = EVP_MD_get_type(x->job->md);
    int rc = EMZA_OK;
    const xmlNode *ts = emza__xml_child(ref_el, EMZA_NS_DSIG, "Transforms");
    for (const xmlNode *t = emza__xml_first_element(ts); t != NULL; t = emza__xml_next_element(t)) {
        EMZA_TRY_ENSURE(ref.transform_count < EMZA_XMLDSIG_TRANSFORMS_MAX, EMZA_ELIMIT,
                        "too many transforms");
        EMZA_TRY(emza__transform_parse(&ref.transforms[ref.transform_count], t));
        ref.transform_count++;
    }
    emza__ref_ctx ctx = {x->doc, &x->ids, x->sig, resolve_input, (void *)(uintptr_t)x->job, 0,
                         x->job->opts->progress, x->job->opts->progress_ctx, NULL, NULL};
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    emza__ref_target target;
    EMZA_TRY(emza__reference_digest(&ctx, &ref, d, &dl, &target));
    EMZA_TRY(set_base64_content(emza__xml_child(ref_el, EMZA_NS_DSIG, "DigestValue"), d, dl));
cleanup:
    emza__reference_free(&ref);
    return rc;
}

static int fill_digests(xs_ctx *x)
{
    emza__xml_ids_free(&x->ids);
    EMZA_GUARD(emza__xml_ids_build(&x->ids, x->doc));
    for (size_t i = 0; i < x->ref_count; i++)
        EMZA_GUARD(fill_digest(x, x->refs[i].reference));
    return fill_digest(x, x->sp_reference);
}

static int raw_signature(xs_ctx *x, const emza_buf *made, emza_buf *raw)
{
    const EVP_PKEY *pub = emza__signer_public_key(x->job->signer);
    if (EVP_PKEY_get_base_id(pub) != EVP_PKEY_EC)
        return emza__buf_append(raw, made->data, made->len);
    size_t half = ((size_t)EVP_PKEY_get_bits(pub) + 7) / 8;
    return emza__sig_der_to_raw(raw, made->data, made->len, half);
}

static int sign_signed_info(xs_ctx *x)
{
    emza__signed_info si;
    EMZA_GUARD(emza__signed_info_parse(&si, x->signed_info));
    int rc = EMZA_OK;
    emza_buf made, raw;
    emza__buf_init(&made, EMZA_XMLDSIG_SIGNATURE_VALUE_MAX * 2);
    emza__buf_init(&raw, EMZA_XMLDSIG_SIGNATURE_VALUE_MAX);
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    EMZA_TRY(emza__signed_info_digest(&si, x->doc, d, &dl));
    EMZA_TRY(emza__signer_sign_digest(x->job->signer, x->job->md, x->job->opts->rsa_pss, d, dl,
                                      &made));
    EMZA_TRY(raw_signature(x, &made, &raw));
    int valid = 0;
    char why[160];
    EVP_PKEY *pub = (EVP_PKEY *)(uintptr_t)emza__signer_public_key(x->job->signer);
    EMZA_TRY(emza__xmldsig_verify(&valid, why, sizeof(why), &si, pub, raw.data, raw.len, d, dl));
    EMZA_TRY_ENSURE(valid, EMZA_ECRYPTO, "the new signature does not verify with the signer's "
                                         "certificate (%s): nothing was written", why);
    EMZA_TRY(set_base64_content(x->signature_value, raw.data, raw.len));
cleanup:
    emza__buf_free(&made);
    emza__buf_free(&raw);
    emza__signed_info_free(&si);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* levels T, LT and LTA                                                      */
/* ------------------------------------------------------------------------ */

/* Raises the new signature in memory (xades_extend.c) before anything is written. */
static int raise_level(xs_ctx *x)
{
    const emza_sign_options *o = x->job->opts;
    emza__xades_raise_opts r;
    memset(&r, 0, sizeof(r));
    r.level = o->level;
    r.tsa_url = o->tsa_url;
    r.md = x->job->md;
    r.net.timeout_seconds = o->timeout_seconds;
    r.net.transport = o->transport;
    r.net.transport_ctx = o->transport_ctx;
    r.has_claimed_time = 1;
    r.claimed_time = x->job->signing_time;
    r.resolve = resolve_input;
    r.resolve_ctx = (void *)(uintptr_t)x->job;
    r.progress = o->progress;
    r.progress_ctx = o->progress_ctx;
    r.net.offline = o->offline;
    r.signer = emza_signer_cert(x->job->signer);
    r.trust = o->trust; /* NULL: the self-signed certificates of KeyInfo (the signer's chain) */
    r.untrusted = o->untrusted;
    return emza__xades_raise(x->sig, &r);
}

/* ------------------------------------------------------------------------ */
/* writing                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct writer {
    emza__atomic_file *out;
    int rc;
    emza_buf *buf; /* the document in memory instead (job->out_buf), or NULL */
} writer;

static int write_cb(void *ctx, const char *data, int len)
{
    writer *w = ctx;
    if (len <= 0)
        return 0;
    w->rc = w->buf != NULL ? emza__buf_append(w->buf, data, (size_t)len)
                           : emza__atomic_write(w->out, data, (size_t)len);
    return w->rc == EMZA_OK ? len : -1;
}

static int close_cb(void *ctx)
{
    (void)ctx;
    return 0;
}

static int write_document(xs_ctx *x)
{
    writer w = {x->job->out, EMZA_OK, x->job->out_buf};
    emza__xml_quiet quiet;
    emza__xml_quiet_begin(&quiet);
    int rc = EMZA_OK;
    xmlSaveCtxtPtr save = xmlSaveToIO(write_cb, close_cb, &w, "UTF-8", 0);
    EMZA_TRY_ENSURE(save != NULL, EMZA_ENOMEM, "cannot start writing the XML");
    long r = xmlSaveDoc(save, x->doc);
    int closed = xmlSaveClose(save);
    EMZA_TRY(w.rc);
    EMZA_TRY_ENSURE(r >= 0 && closed >= 0, EMZA_EIO, "writing the XML failed%s%s",
                    quiet.first[0] ? ": " : "", quiet.first);
cleanup:
    emza__xml_quiet_end(&quiet);
    return rc;
}

/* ------------------------------------------------------------------------ */

static int build(xs_ctx *x)
{
    EMZA_GUARD(place_signature(x));
    EMZA_GUARD(emza__xml_ids_build(&x->ids, x->doc));
    EMZA_GUARD(make_id(x));
    EMZA_GUARD(set_attr(x->sig, "Id", x->id));
    EMZA_GUARD(build_signed_info(x));
    x->signature_value = add_text_el(x->sig, x->ds, "SignatureValue", "");
    EMZA_ENSURE(x->signature_value != NULL, EMZA_ENOMEM);
    char value_id[56];
    snprintf(value_id, sizeof(value_id), "%s-value", x->id);
    EMZA_GUARD(set_attr(x->signature_value, "Id", value_id));
    EMZA_GUARD(build_key_info(x));
    EMZA_GUARD(add_data(x));
    EMZA_GUARD(build_qualifying_properties(x));
    EMZA_GUARD(fill_digests(x));
    EMZA_GUARD(sign_signed_info(x));
    if (x->job->opts->level != EMZA_LEVEL_B)
        EMZA_GUARD(raise_level(x));
    return write_document(x);
}

int emza__xades_sign(const emza__sign_job *job)
{
    EMZA_ENSURE_MSG(job->opts->level >= EMZA_LEVEL_B && job->opts->level <= EMZA_LEVEL_LTA,
                    EMZA_EINVAL, "unknown level %d", (int)job->opts->level);
    xs_ctx *x = calloc(1, sizeof(*x));
    EMZA_ENSURE(x != NULL, EMZA_ENOMEM);
    x->job = job;
    int rc = build(x);
    emza__xml_ids_free(&x->ids);
    xmlFreeDoc(x->doc);
    free(x);
    return rc;
}
