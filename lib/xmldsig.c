/*
 * The XML-DSig core (xmldsig.h): canonicalization with our own visibility
 * callback, algorithm tables, references and their transforms, SignedInfo,
 * signature values, base64 and KeyValue keys.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "util/der.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/guard.h"
#include "xmldsig.h"

/* ======================================================================== */
/* canonicalization                                                          */
/* ======================================================================== */

static const struct {
    const char *uri;
    int mode;
    int with_comments;
} c14n_methods[] = {
    {EMZA_ALG_C14N10, XML_C14N_1_0, 0},
    {EMZA_ALG_C14N10_COMMENTS, XML_C14N_1_0, 1},
    {EMZA_ALG_C14N11, XML_C14N_1_1, 0},
    {EMZA_ALG_C14N11_COMMENTS, XML_C14N_1_1, 1},
    {EMZA_ALG_EXC_C14N, XML_C14N_EXCLUSIVE_1_0, 0},
    {EMZA_ALG_EXC_C14N_COMMENTS, XML_C14N_EXCLUSIVE_1_0, 1},
};

int emza__c14n_from_uri(emza__c14n *out, const char *uri)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; uri != NULL && i < EMZA_ARRAY_LEN(c14n_methods); i++) {
        if (strcmp(uri, c14n_methods[i].uri) == 0) {
            out->mode = c14n_methods[i].mode;
            out->with_comments = c14n_methods[i].with_comments;
            return 1;
        }
    }
    return 0;
}

const char *emza__c14n_uri(int mode, int with_comments)
{
    for (size_t i = 0; i < EMZA_ARRAY_LEN(c14n_methods); i++)
        if (c14n_methods[i].mode == mode && c14n_methods[i].with_comments == (with_comments != 0))
            return c14n_methods[i].uri;
    return EMZA_ALG_EXC_C14N;
}

static int is_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int emza__c14n_read_prefixes(emza__c14n *c, const xmlNode *el)
{
    if (c->mode != XML_C14N_EXCLUSIVE_1_0)
        return EMZA_OK;
    const xmlNode *inc = emza__xml_child(el, EMZA_NS_EXC_C14N, "InclusiveNamespaces");
    if (inc == NULL)
        return EMZA_OK;
    const char *list = emza__xml_attr(inc, "PrefixList");
    EMZA_ENSURE_MSG(list != NULL, EMZA_EFORMAT, "InclusiveNamespaces has no PrefixList");
    c->prefixes = calloc(EMZA_XMLDSIG_PREFIXES_MAX + 1, sizeof(xmlChar *));
    EMZA_ENSURE(c->prefixes != NULL, EMZA_ENOMEM);
    size_t n = 0;
    for (const char *p = list; *p != '\0';) {
        while (is_xml_space(*p))
            p++;
        const char *start = p;
        while (*p != '\0' && !is_xml_space(*p))
            p++;
        if (p == start)
            break;
        EMZA_ENSURE_MSG(n < EMZA_XMLDSIG_PREFIXES_MAX, EMZA_ELIMIT,
                        "an InclusiveNamespaces PrefixList names more than %d prefixes",
                        EMZA_XMLDSIG_PREFIXES_MAX);
        c->prefixes[n] = xmlStrndup((const xmlChar *)start, (int)(p - start));
        EMZA_ENSURE(c->prefixes[n] != NULL, EMZA_ENOMEM);
        n++;
    }
    return EMZA_OK;
}

void emza__c14n_free(emza__c14n *c)
{
    if (c == NULL || c->prefixes == NULL)
        return;
    for (size_t i = 0; c->prefixes[i] != NULL; i++)
        xmlFree(c->prefixes[i]);
    free(c->prefixes);
    c->prefixes = NULL;
}

/*
 * The node-set as libxml2 asks about it. Namespace nodes are xmlNs structs
 * whose `type` sits where xmlNode's does (libxml2 relies on this too); for
 * them and for attributes, `parent` is the element they belong to.
 */
static int is_visible(void *user, xmlNodePtr node, xmlNodePtr parent)
{
    const emza__nodeset *ns = user;
    if (node == NULL)
        return 0;
    const xmlNode *n = node;
    if (node->type == XML_NAMESPACE_DECL || node->type == XML_ATTRIBUTE_NODE)
        n = parent;
    else if (node->type == XML_COMMENT_NODE && !ns->with_comments)
        return 0;
    if (n == NULL)
        return ns->root == NULL && ns->excluded == NULL;
    int inside = ns->root == NULL;
    for (const xmlNode *p = n; p != NULL; p = p->parent) {
        if (p == ns->excluded)
            return 0;
        if (p == ns->root)
            inside = 1;
    }
    return inside;
}

static int sink_write(void *ctx, const char *data, int len)
{
    emza__sink *s = ctx;
    if (len <= 0)
        return 0;
    if (s->md != NULL && EVP_DigestUpdate(s->md, data, (size_t)len) != 1) {
        s->rc = emza__error_ossl(EMZA_ECRYPTO, __FILE__, __LINE__, "digest failed");
        return -1;
    }
    if (s->buf != NULL) {
        int rc = emza__buf_append(s->buf, data, (size_t)len);
        if (rc < 0) {
            s->rc = rc;
            return -1;
        }
    }
    return len;
}

static int sink_close(void *ctx)
{
    (void)ctx;
    return 0;
}

int emza__c14n_run(const emza__nodeset *ns, const emza__c14n *c, emza__sink *sink)
{
    emza__xml_quiet quiet;
    emza__xml_quiet_begin(&quiet);
    sink->rc = EMZA_OK;
    int rc = EMZA_OK;
    xmlOutputBufferPtr out = xmlOutputBufferCreateIO(sink_write, sink_close, sink, NULL);
    EMZA_TRY_ENSURE(out != NULL, EMZA_ENOMEM, "out of memory");
    int with_comments = c->with_comments && ns->with_comments;
    int r = xmlC14NExecute(ns->doc, is_visible, (void *)(uintptr_t)ns, c->mode,
                           c->mode == XML_C14N_EXCLUSIVE_1_0 ? c->prefixes : NULL, with_comments,
                           out);
    (void)xmlOutputBufferClose(out);
    if (sink->rc < 0) {
        rc = sink->rc;
        goto cleanup;
    }
    EMZA_TRY_ENSURE(r >= 0, EMZA_EFORMAT, "canonicalization failed%s%s",
                    quiet.first[0] ? ": " : "", quiet.first);
cleanup:
    emza__xml_quiet_end(&quiet);
    return rc;
}

/* ======================================================================== */
/* algorithms                                                                */
/* ======================================================================== */

static const struct {
    const char *uri;
    int nid;
} digest_methods[] = {
    {"http://www.w3.org/2001/04/xmlenc#sha256", NID_sha256},
    {"http://www.w3.org/2001/04/xmldsig-more#sha384", NID_sha384},
    {"http://www.w3.org/2001/04/xmlenc#sha512", NID_sha512},
    {"http://www.w3.org/2001/04/xmldsig-more#sha224", NID_sha224},
    {"http://www.w3.org/2000/09/xmldsig#sha1", NID_sha1},
    {"http://www.w3.org/2007/05/xmldsig-more#sha3-224", NID_sha3_224},
    {"http://www.w3.org/2007/05/xmldsig-more#sha3-256", NID_sha3_256},
    {"http://www.w3.org/2007/05/xmldsig-more#sha3-384", NID_sha3_384},
    {"http://www.w3.org/2007/05/xmldsig-more#sha3-512", NID_sha3_512},
    {"http://www.w3.org/2001/04/xmldsig-more#md5", NID_md5},
};

const EVP_MD *emza__xmldsig_digest(const char *uri, int *nid)
{
    *nid = NID_undef;
    for (size_t i = 0; uri != NULL && i < EMZA_ARRAY_LEN(digest_methods); i++) {
        if (strcmp(uri, digest_methods[i].uri) == 0) {
            const EVP_MD *md = EVP_get_digestbynid(digest_methods[i].nid);
            if (md != NULL)
                *nid = digest_methods[i].nid;
            return md;
        }
    }
    return NULL;
}

const char *emza__xmldsig_digest_uri(int nid)
{
    for (size_t i = 0; i < EMZA_ARRAY_LEN(digest_methods); i++)
        if (digest_methods[i].nid == nid)
            return digest_methods[i].uri;
    return NULL;
}

#define MORE01 "http://www.w3.org/2001/04/xmldsig-more#"
#define MORE07 "http://www.w3.org/2007/05/xmldsig-more#"

static const emza__sigalg sigalgs[] = {
    {MORE01 "rsa-sha256", EVP_PKEY_RSA, 0, NID_sha256, 0},
    {MORE01 "rsa-sha384", EVP_PKEY_RSA, 0, NID_sha384, 0},
    {MORE01 "rsa-sha512", EVP_PKEY_RSA, 0, NID_sha512, 0},
    {MORE01 "rsa-sha224", EVP_PKEY_RSA, 0, NID_sha224, 0},
    {EMZA_NS_DSIG "rsa-sha1", EVP_PKEY_RSA, 0, NID_sha1, 0},
    {MORE01 "rsa-md5", EVP_PKEY_RSA, 0, NID_md5, 0},
    {MORE07 "sha256-rsa-MGF1", EVP_PKEY_RSA, 1, NID_sha256, 0},
    {MORE07 "sha384-rsa-MGF1", EVP_PKEY_RSA, 1, NID_sha384, 0},
    {MORE07 "sha512-rsa-MGF1", EVP_PKEY_RSA, 1, NID_sha512, 0},
    {MORE07 "sha224-rsa-MGF1", EVP_PKEY_RSA, 1, NID_sha224, 0},
    {MORE07 "sha1-rsa-MGF1", EVP_PKEY_RSA, 1, NID_sha1, 0},
    {MORE07 "sha3-256-rsa-MGF1", EVP_PKEY_RSA, 1, NID_sha3_256, 0},
    {MORE07 "sha3-384-rsa-MGF1", EVP_PKEY_RSA, 1, NID_sha3_384, 0},
    {MORE07 "sha3-512-rsa-MGF1", EVP_PKEY_RSA, 1, NID_sha3_512, 0},
    {EMZA_ALG_RSA_PSS, EVP_PKEY_RSA, 1, NID_undef, 0},
    {MORE01 "ecdsa-sha256", EVP_PKEY_EC, 0, NID_sha256, 0},
    {MORE01 "ecdsa-sha384", EVP_PKEY_EC, 0, NID_sha384, 0},
    {MORE01 "ecdsa-sha512", EVP_PKEY_EC, 0, NID_sha512, 0},
    {MORE01 "ecdsa-sha224", EVP_PKEY_EC, 0, NID_sha224, 0},
    {MORE01 "ecdsa-sha1", EVP_PKEY_EC, 0, NID_sha1, 0},
    {EMZA_NS_DSIG "dsa-sha1", EVP_PKEY_DSA, 0, NID_sha1, 0},
    {EMZA_NS_DSIG11 "dsa-sha256", EVP_PKEY_DSA, 0, NID_sha256, 0},
    {EMZA_NS_DSIG "hmac-sha1", 0, 0, NID_sha1, 1},
    {MORE01 "hmac-sha224", 0, 0, NID_sha224, 1},
    {MORE01 "hmac-sha256", 0, 0, NID_sha256, 1},
    {MORE01 "hmac-sha384", 0, 0, NID_sha384, 1},
    {MORE01 "hmac-sha512", 0, 0, NID_sha512, 1},
};

const emza__sigalg *emza__xmldsig_sigalg(const char *uri)
{
    for (size_t i = 0; uri != NULL && i < EMZA_ARRAY_LEN(sigalgs); i++)
        if (strcmp(uri, sigalgs[i].uri) == 0)
            return &sigalgs[i];
    return NULL;
}

const char *emza__xmldsig_sigalg_uri(int key_type, int pss, int md_nid)
{
    for (size_t i = 0; i < EMZA_ARRAY_LEN(sigalgs); i++)
        if (sigalgs[i].key_type == key_type && sigalgs[i].pss == (pss != 0) &&
            sigalgs[i].md_nid == md_nid && !sigalgs[i].hmac)
            return sigalgs[i].uri;
    return NULL;
}

/* ======================================================================== */
/* base64 and signature values                                               */
/* ======================================================================== */

int emza__base64_element(emza_buf *out, const xmlNode *el, size_t max, const char *what)
{
    emza__buf_init(out, max);
    EMZA_ENSURE_MSG(el != NULL, EMZA_EFORMAT, "%s is missing", what);
    EMZA_ENSURE_MSG(!emza__xml_has_element_children(el), EMZA_EFORMAT,
                    "%s holds elements instead of base64 text", what);
    emza_buf text;
    /* base64 text is at most 4/3 of the bytes plus whitespace: cap generously */
    size_t text_max = max > (SIZE_MAX - 64) / 2 ? SIZE_MAX / 2 : max * 2 + 64;
    int rc = emza__xml_text(&text, el, text_max);
    if (rc == EMZA_ELIMIT)
        EMZA_FAIL(EMZA_ELIMIT, "%s is longer than %zu bytes", what, max);
    EMZA_GUARD(rc);
    rc = emza__base64_decode(out, (const char *)text.data, text.len, max);
    emza__buf_free(&text);
    if (rc == EMZA_EFORMAT)
        EMZA_FAIL(EMZA_EFORMAT, "%s is not valid base64", what);
    if (rc == EMZA_ELIMIT)
        EMZA_FAIL(EMZA_ELIMIT, "%s is longer than %zu bytes", what, max);
    return rc;
}

/* ======================================================================== */
/* transforms and references                                                 */
/* ======================================================================== */

int emza__transform_parse(emza__transform *out, const xmlNode *el)
{
    memset(out, 0, sizeof(*out));
    const char *alg = emza__xml_attr(el, "Algorithm");
    EMZA_ENSURE_MSG(alg != NULL, EMZA_EFORMAT, "a Transform has no Algorithm");
    if (emza__c14n_from_uri(&out->c14n, alg)) {
        out->kind = EMZA__XF_C14N;
        int rc = emza__c14n_read_prefixes(&out->c14n, el);
        if (rc < 0)
            emza__c14n_free(&out->c14n);
        return rc;
    }
    if (strcmp(alg, EMZA_ALG_ENVELOPED) == 0) {
        out->kind = EMZA__XF_ENVELOPED;
        return EMZA_OK;
    }
    if (strcmp(alg, EMZA_ALG_BASE64) == 0) {
        out->kind = EMZA__XF_BASE64;
        return EMZA_OK;
    }
    if (strcmp(alg, EMZA_ALG_XSLT) == 0)
        EMZA_FAIL(EMZA_EFORMAT, "an XSLT transform is refused by the default policy");
    if (strcmp(alg, EMZA_ALG_XPATH) == 0)
        EMZA_FAIL(EMZA_EFORMAT, "an XPath (Filter 1.0) transform is refused by the default policy");
    if (strcmp(alg, EMZA_ALG_XPATH2) == 0)
        EMZA_FAIL(EMZA_EFORMAT, "an XPath Filter 2.0 transform is refused by the default policy");
    char clip[96];
    EMZA_FAIL(EMZA_EFORMAT, "the transform %s is not supported",
              emza__xml_clip(clip, sizeof(clip), alg));
}

void emza__reference_free(emza__reference *ref)
{
    if (ref == NULL)
        return;
    for (size_t i = 0; i < ref->transform_count; i++)
        emza__c14n_free(&ref->transforms[i].c14n);
    ref->transform_count = 0;
}

static int parse_transforms(emza__reference *ref, const xmlNode *transforms)
{
    const xmlNode *t = emza__xml_first_element(transforms);
    EMZA_ENSURE_MSG(t != NULL, EMZA_EFORMAT, "a Transforms element is empty");
    for (; t != NULL; t = emza__xml_next_element(t)) {
        EMZA_ENSURE_MSG(emza__xml_is(t, EMZA_NS_DSIG, "Transform"), EMZA_EFORMAT,
                        "Transforms holds an element other than ds:Transform");
        EMZA_ENSURE_MSG(ref->transform_count < EMZA_XMLDSIG_TRANSFORMS_MAX, EMZA_ELIMIT,
                        "a reference has more than %d transforms", EMZA_XMLDSIG_TRANSFORMS_MAX);
        EMZA_GUARD(emza__transform_parse(&ref->transforms[ref->transform_count], t));
        ref->transform_count++;
    }
    return EMZA_OK;
}

static int parse_digest_value(emza__reference *ref, const xmlNode *dv)
{
    emza_buf raw;
    EMZA_GUARD(emza__base64_element(&raw, dv, EVP_MAX_MD_SIZE, "a DigestValue"));
    size_t want = (size_t)EVP_MD_get_size(ref->md);
    int ok = raw.len == want;
    if (ok)
        memcpy(ref->digest, raw.data, raw.len);
    ref->digest_len = raw.len;
    emza__buf_free(&raw);
    EMZA_ENSURE_MSG(ok, EMZA_EFORMAT, "a DigestValue has %zu bytes where its digest makes %zu",
                    ref->digest_len, want);
    return EMZA_OK;
}

static int reference_parse_body(emza__reference *out, const xmlNode *el)
{
    const xmlNode *c = emza__xml_first_element(el);
    if (emza__xml_is(c, EMZA_NS_DSIG, "Transforms")) {
        EMZA_GUARD(parse_transforms(out, c));
        c = emza__xml_next_element(c);
    }
    EMZA_ENSURE_MSG(emza__xml_is(c, EMZA_NS_DSIG, "DigestMethod"), EMZA_EFORMAT,
                    "a Reference has no DigestMethod where the schema requires one");
    const char *alg = emza__xml_attr(c, "Algorithm");
    out->md = emza__xmldsig_digest(alg, &out->md_nid);
    char clip[96];
    EMZA_ENSURE_MSG(out->md != NULL, EMZA_EFORMAT, "the digest method %s is not known",
                    emza__xml_clip(clip, sizeof(clip), alg ? alg : "(none)"));
    c = emza__xml_next_element(c);
    EMZA_ENSURE_MSG(emza__xml_is(c, EMZA_NS_DSIG, "DigestValue"), EMZA_EFORMAT,
                    "a Reference has no DigestValue where the schema requires one");
    EMZA_GUARD(parse_digest_value(out, c));
    EMZA_ENSURE_MSG(emza__xml_next_element(c) == NULL, EMZA_EFORMAT,
                    "a Reference holds unexpected elements after its DigestValue");
    return EMZA_OK;
}

int emza__reference_parse(emza__reference *out, const xmlNode *el)
{
    memset(out, 0, sizeof(*out));
    out->node = el;
    out->uri = emza__xml_attr(el, "URI");
    out->type = emza__xml_attr(el, "Type");
    out->id = emza__xml_attr(el, "Id");
    int rc = reference_parse_body(out, el);
    if (rc < 0)
        emza__reference_free(out);
    return rc;
}

/* --- URIs --- */

int emza__uri_is_same_document(const char *uri)
{
    return uri != NULL && (uri[0] == '\0' || uri[0] == '#');
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static size_t scheme_length(const char *uri)
{
    size_t i = 0;
    if (!((uri[0] >= 'a' && uri[0] <= 'z') || (uri[0] >= 'A' && uri[0] <= 'Z')))
        return 0;
    while (uri[i] != '\0' && uri[i] != ':' && uri[i] != '/' && uri[i] != '?' && uri[i] != '#')
        i++;
    return uri[i] == ':' ? i + 1 : 0;
}

/* Percent-decodes uri[start, end) into `out`; a NUL, or a '/' when `slash_ok` is 0, is refused. */
static int uri_decode(char *out, size_t size, const char *uri, size_t start, size_t end,
                      int slash_ok)
{
    size_t n = 0;
    for (size_t i = start; i < end; i++) {
        char ch = uri[i];
        if (ch == '%') {
            int hi = i + 2 < end ? hex_value(uri[i + 1]) : -1;
            int lo = hi >= 0 ? hex_value(uri[i + 2]) : -1;
            EMZA_ENSURE_MSG(hi >= 0 && lo >= 0, EMZA_ENOTFOUND, "a bad %%-escape in a URI");
            ch = (char)(hi * 16 + lo);
            i += 2;
        }
        EMZA_ENSURE_MSG(ch != '\0' && (slash_ok || ch != '/') && n + 1 < size, EMZA_ENOTFOUND,
                        "a reference URI does not name a file");
        out[n++] = ch;
    }
    out[n] = '\0';
    return EMZA_OK;
}

int emza__uri_path(char *out, size_t size, const char *uri)
{
    out[0] = '\0';
    EMZA_ENSURE(size > 1 && uri != NULL, EMZA_EINVAL);
    size_t end = strcspn(uri, "?#");
    EMZA_ENSURE_MSG(scheme_length(uri) == 0 && uri[0] != '/', EMZA_ENOTFOUND,
                    "a reference URI is not a relative path");
    EMZA_GUARD(uri_decode(out, size, uri, 0, end, 1));
    EMZA_ENSURE_MSG(out[0] != '\0', EMZA_ENOTFOUND, "a reference URI does not name a file");
    return EMZA_OK;
}

int emza__uri_file_name(char *out, size_t size, const char *uri)
{
    out[0] = '\0';
    EMZA_ENSURE(size > 1 && uri != NULL, EMZA_EINVAL);
    size_t end = strcspn(uri, "?#");
    size_t start = scheme_length(uri);
    for (size_t i = start; i < end; i++)
        if (uri[i] == '/')
            start = i + 1;
    EMZA_GUARD(uri_decode(out, size, uri, start, end, 0));
    EMZA_ENSURE_MSG(out[0] != '\0' && strcmp(out, ".") != 0 && strcmp(out, "..") != 0,
                    EMZA_ENOTFOUND, "a reference URI does not name a file");
    return EMZA_OK;
}

int emza__uri_encode_file_name(emza_buf *out, const char *name)
{
    for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~')
            EMZA_GUARD(emza__buf_append_byte(out, *p));
        else
            EMZA_GUARD(emza__buf_appendf(out, "%%%02X", *p));
    }
    return EMZA_OK;
}

/* --- resolving --- */

/* "#xpointer(id('X'))" -> X into `id`; 1 on that form, 0 otherwise. */
static int xpointer_id(char *id, size_t size, const char *frag)
{
    static const char head[] = "xpointer(id(";
    size_t hl = sizeof(head) - 1, len = strlen(frag);
    if (strncmp(frag, head, hl) != 0 || len < hl + 4)
        return 0;
    char q = frag[hl];
    if ((q != '\'' && q != '"') || strcmp(frag + len - 3, q == '\'' ? "'))" : "\"))") != 0)
        return 0;
    size_t n = len - hl - 4;
    if (n == 0 || n >= size)
        return 0;
    memcpy(id, frag + hl + 1, n);
    id[n] = '\0';
    return strchr(id, q) == NULL;
}

static int resolve_same_document(const emza__ref_ctx *ctx, const char *uri, emza__nodeset *ns)
{
    memset(ns, 0, sizeof(*ns));
    ns->doc = ctx->doc;
    char clip[96];
    if (uri[0] == '\0')
        return EMZA_OK; /* the whole document, comments removed */
    const char *frag = uri + 1;
    const char *id = frag;
    char buf[256];
    if (strcmp(frag, "xpointer(/)") == 0) {
        ns->with_comments = 1;
        return EMZA_OK;
    }
    if (strncmp(frag, "xpointer(", 9) == 0) {
        EMZA_ENSURE_MSG(xpointer_id(buf, sizeof(buf), frag), EMZA_EFORMAT,
                        "the XPointer %s is not supported (only #xpointer(/) and "
                        "#xpointer(id('...')))",
                        emza__xml_clip(clip, sizeof(clip), uri));
        id = buf;
        ns->with_comments = 1;
    }
    ns->root = emza__xml_ids_find(ctx->ids, id);
    EMZA_ENSURE_MSG(ns->root != NULL, EMZA_ENOTFOUND,
                    "the reference %s names no element of the document",
                    emza__xml_clip(clip, sizeof(clip), uri));
    return EMZA_OK;
}

typedef struct pipe_data {
    int is_nodeset;
    emza__nodeset ns;
    emza_buf octets;
    xmlDocPtr owned;
} pipe_data;

static void pipe_free(pipe_data *d)
{
    emza__buf_free(&d->octets);
    xmlFreeDoc(d->owned);
    d->owned = NULL;
}

static int octets_to_nodeset(pipe_data *d)
{
    if (d->is_nodeset)
        return EMZA_OK;
    xmlDocPtr doc = NULL;
    int rc = emza__xml_parse(&doc, d->octets.data, d->octets.len, NULL);
    if (rc == EMZA_EFORMAT)
        return emza__error_prefix("a transform needs XML but the data is not");
    EMZA_GUARD(rc);
    xmlFreeDoc(d->owned);
    d->owned = doc;
    emza__buf_free(&d->octets);
    memset(&d->ns, 0, sizeof(d->ns));
    d->ns.doc = doc;
    d->ns.with_comments = 1;
    d->is_nodeset = 1;
    return EMZA_OK;
}

/* The text nodes of the node-set, in document order (the base64 transform's input). */
static int nodeset_text(emza_buf *out, const emza__nodeset *ns)
{
    emza__buf_init(out, EMZA_XMLDSIG_OCTETS_MAX);
    const xmlNode *top = ns->root ? ns->root : (const xmlNode *)ns->doc;
    const xmlNode *n = top;
    while (n != NULL) {
        int skip = n == ns->excluded;
        if (!skip && (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) &&
            n->content != NULL)
            EMZA_GUARD(emza__buf_append_str(out, (const char *)n->content));
        if (!skip && n->children != NULL && n->type != XML_ENTITY_REF_NODE &&
            n->type != XML_ATTRIBUTE_NODE) {
            n = n->children;
            continue;
        }
        while (n != NULL && n != top && n->next == NULL)
            n = n->parent;
        if (n == NULL || n == top)
            break;
        n = n->next;
    }
    if (out->data == NULL)
        EMZA_GUARD(emza__buf_append(out, "", 0));
    return EMZA_OK;
}

static int apply_base64(pipe_data *d)
{
    emza_buf text, decoded;
    if (d->is_nodeset)
        EMZA_GUARD(nodeset_text(&text, &d->ns));
    else {
        text = d->octets;
        emza__buf_init(&d->octets, 0);
    }
    int rc = emza__base64_decode(&decoded, (const char *)text.data, text.len,
                                 EMZA_XMLDSIG_OCTETS_MAX);
    emza__buf_free(&text);
    if (rc == EMZA_EFORMAT)
        return emza__error_prefix("the base64 transform's input");
    EMZA_GUARD(rc);
    pipe_free(d);
    d->octets = decoded;
    d->is_nodeset = 0;
    return EMZA_OK;
}

static int apply_c14n(pipe_data *d, const emza__c14n *c, emza__sink *final, int last)
{
    EMZA_GUARD(octets_to_nodeset(d));
    if (last)
        return emza__c14n_run(&d->ns, c, final);
    emza_buf out;
    emza__buf_init(&out, EMZA_XMLDSIG_OCTETS_MAX);
    emza__sink sink = {NULL, &out, 0};
    int rc = emza__c14n_run(&d->ns, c, &sink);
    if (rc < 0) {
        emza__buf_free(&out);
        return rc;
    }
    pipe_free(d);
    d->is_nodeset = 0;
    d->octets = out;
    return EMZA_OK;
}

/* Feeds `len` bytes to a sink as the canonicalizer does; the sink's first failure. */
static int sink_put(emza__sink *sink, const uint8_t *data, size_t len)
{
    while (len > 0) {
        int part = len > (size_t)INT_MAX ? INT_MAX : (int)len;
        if (sink_write(sink, (const char *)data, part) < 0)
            return sink->rc;
        data += part;
        len -= (size_t)part;
    }
    return EMZA_OK;
}

/*
 * Runs the transforms of `ref` on `d` and writes the result to `sink`: the
 * last transform's octets, or a node-set canonicalized with `final`, NULL
 * for Canonical XML 1.0 (XML-DSig's rule for a node-set that reaches the
 * digest).
 */
static int run_transforms(const emza__ref_ctx *ctx, const emza__reference *ref, pipe_data *d,
                          const emza__c14n *final, emza__sink *sink)
{
    int written = 0;
    for (size_t i = 0; i < ref->transform_count; i++) {
        const emza__transform *t = &ref->transforms[i];
        int last = i + 1 == ref->transform_count;
        switch (t->kind) {
        case EMZA__XF_ENVELOPED:
            EMZA_ENSURE_MSG(d->is_nodeset && d->owned == NULL, EMZA_EFORMAT,
                            "the enveloped-signature transform applies only to this document");
            d->ns.excluded = ctx->signature;
            break;
        case EMZA__XF_C14N:
            EMZA_GUARD(apply_c14n(d, &t->c14n, sink, last));
            written = last;
            break;
        case EMZA__XF_BASE64:
            EMZA_GUARD(apply_base64(d));
            break;
        default:
            EMZA_FAIL(EMZA_EINTERNAL, "unknown transform kind");
        }
    }
    if (written)
        return EMZA_OK;
    if (d->is_nodeset) {
        emza__c14n c10 = {XML_C14N_1_0, 1, NULL};
        return emza__c14n_run(&d->ns, final ? final : &c10, sink);
    }
    return sink_put(sink, d->octets.data ? d->octets.data : (const uint8_t *)"", d->octets.len);
}

static int resolve_detached(const emza__ref_ctx *ctx, const emza__reference *ref,
                            emza__ref_target *target)
{
    char clip[96];
    const char *uri = ref->uri;
    if (ctx->resolve_bytes != NULL) {
        /* A container entry: the whole relative path names it, never a file on disk. */
        int rc = uri != NULL ? emza__uri_path(target->name, sizeof(target->name), uri)
                             : EMZA_ENOTFOUND;
        if (rc == EMZA_OK)
            rc = ctx->resolve_bytes(ctx->resolve_bytes_ctx, target->name, &target->bytes);
        if (rc == EMZA_OK) {
            target->in_memory = 1;
            return EMZA_OK;
        }
        if (rc != EMZA_ENOTFOUND)
            return rc;
        EMZA_FAIL(EMZA_ENOTFOUND, "the reference %s names no entry of the container",
                  emza__xml_clip(clip, sizeof(clip), uri ? uri : "(no URI)"));
    }
    int named = uri != NULL && emza__uri_file_name(target->name, sizeof(target->name), uri) == EMZA_OK;
    if (ctx->resolve != NULL)
        target->path = ctx->resolve(ctx->resolve_ctx, named ? target->name : NULL,
                                    ctx->sole_external);
    if (target->path != NULL)
        return EMZA_OK;
    if (uri == NULL)
        EMZA_FAIL(EMZA_ENOTFOUND, "a reference without URI names no data, and no single data file "
                                  "was supplied for it");
    EMZA_FAIL(EMZA_ENOTFOUND,
              "the reference %s is not resolved: only same-document references and data files "
              "supplied by the caller are, and none matches",
              emza__xml_clip(clip, sizeof(clip), uri));
}

/* Resolves `ref` and runs its transforms into `sink` (emza__reference_digest, emza__reference_output). */
static int reference_run(const emza__ref_ctx *ctx, const emza__reference *ref,
                         const emza__c14n *final, emza__sink *sink, emza__ref_target *target)
{
    int rc = EMZA_OK;
    pipe_data d;
    memset(&d, 0, sizeof(d));
    emza__buf_init(&d.octets, EMZA_XMLDSIG_OCTETS_MAX);
    if (target->same_document) {
        EMZA_TRY(resolve_same_document(ctx, ref->uri, &d.ns));
        d.is_nodeset = 1;
        target->element = d.ns.root;
    } else if (target->in_memory) {
        EMZA_TRY(emza__buf_append(&d.octets, target->bytes.data, target->bytes.len));
    } else {
        EMZA_TRY(emza__file_read(&d.octets, target->path, EMZA_XMLDSIG_OCTETS_MAX));
    }
    EMZA_TRY(run_transforms(ctx, ref, &d, final, sink));
cleanup:
    pipe_free(&d);
    return rc;
}

int emza__reference_digest(const emza__ref_ctx *ctx, const emza__reference *ref, uint8_t *out,
                           unsigned int *out_len, emza__ref_target *target)
{
    memset(target, 0, sizeof(*target));
    *out_len = 0;
    if (emza__uri_is_same_document(ref->uri)) {
        target->same_document = 1;
    } else {
        EMZA_GUARD(resolve_detached(ctx, ref, target));
        if (ref->transform_count == 0 && target->in_memory)
            return emza__digest_bytes(out, out_len,
                                      target->bytes.data ? target->bytes.data : (const uint8_t *)"",
                                      target->bytes.len, ref->md);
        if (ref->transform_count == 0)
            return emza__digest_file(out, out_len, NULL, target->path, ref->md, ctx->progress,
                                     ctx->progress_ctx);
    }
    int rc = EMZA_OK;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EMZA_TRY_ENSURE(md != NULL, EMZA_ENOMEM, "out of memory");
    EMZA_TRY_OSSL(EVP_DigestInit_ex(md, ref->md, NULL), EMZA_ECRYPTO, "cannot start a digest");
    emza__sink sink = {md, NULL, 0};
    EMZA_TRY(reference_run(ctx, ref, NULL, &sink, target));
    EMZA_TRY_OSSL(EVP_DigestFinal_ex(md, out, out_len), EMZA_ECRYPTO, "digest failed");
cleanup:
    EVP_MD_CTX_free(md);
    return rc;
}

int emza__reference_output(const emza__ref_ctx *ctx, const emza__reference *ref,
                           const emza__c14n *final, emza__sink *sink, emza__ref_target *target)
{
    memset(target, 0, sizeof(*target));
    if (emza__uri_is_same_document(ref->uri))
        target->same_document = 1;
    else
        EMZA_GUARD(resolve_detached(ctx, ref, target));
    return reference_run(ctx, ref, final, sink, target);
}

/* ======================================================================== */
/* SignedInfo                                                                */
/* ======================================================================== */

void emza__signed_info_free(emza__signed_info *si)
{
    if (si == NULL)
        return;
    emza__c14n_free(&si->c14n);
    for (size_t i = 0; i < si->ref_count; i++)
        emza__reference_free(&si->refs[i]);
    free(si->refs);
    si->refs = NULL;
    si->ref_count = 0;
}

static int parse_uint(long *out, const xmlNode *el, long max, const char *what)
{
    emza_buf text;
    EMZA_GUARD(emza__xml_text(&text, el, EMZA_XMLDSIG_SMALL_TEXT_MAX));
    long v = 0;
    size_t i = 0, n = text.len;
    const char *s = (const char *)text.data;
    while (i < n && is_xml_space(s[i]))
        i++;
    size_t digits = 0;
    int ok = 1;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
        v = v * 10 + (s[i] - '0');
        if (v > max)
            ok = 0;
    }
    while (i < n && is_xml_space(s[i]))
        i++;
    ok = ok && digits > 0 && i == n;
    emza__buf_free(&text);
    EMZA_ENSURE_MSG(ok, EMZA_EFORMAT, "%s is not a number up to %ld", what, max);
    *out = v;
    return EMZA_OK;
}

static const EVP_MD *digest_method_of(const xmlNode *el)
{
    int nid;
    return emza__xmldsig_digest(emza__xml_attr(el, "Algorithm"), &nid);
}

static int parse_pss_params(emza__signed_info *si, const xmlNode *params)
{
    const xmlNode *c = emza__xml_first_element(params);
    if (emza__xml_is(c, EMZA_NS_DSIG, "DigestMethod")) {
        const EVP_MD *md = digest_method_of(c);
        EMZA_ENSURE_MSG(md != NULL, EMZA_EFORMAT, "RSAPSSParams names an unknown digest");
        EMZA_ENSURE_MSG(si->md == NULL || EVP_MD_get_type(md) == EVP_MD_get_type(si->md),
                        EMZA_EFORMAT, "RSAPSSParams' digest differs from the signature method's");
        si->md = md;
        c = emza__xml_next_element(c);
    }
    if (emza__xml_is(c, EMZA_NS_DSIG_MORE, "MaskGenerationFunction")) {
        const char *alg = emza__xml_attr(c, "Algorithm");
        EMZA_ENSURE_MSG(alg == NULL || strcmp(alg, EMZA_ALG_MGF1) == 0, EMZA_EFORMAT,
                        "RSAPSSParams names a mask generation function other than MGF1");
        const xmlNode *dm = emza__xml_child(c, EMZA_NS_DSIG, "DigestMethod");
        if (dm != NULL) {
            si->mgf1_md = digest_method_of(dm);
            EMZA_ENSURE_MSG(si->mgf1_md != NULL, EMZA_EFORMAT, "MGF1 names an unknown digest");
        }
        c = emza__xml_next_element(c);
    }
    if (emza__xml_is(c, EMZA_NS_DSIG_MORE, "SaltLength")) {
        long salt;
        EMZA_GUARD(parse_uint(&salt, c, 1024, "SaltLength"));
        si->salt_len = (int)salt;
        c = emza__xml_next_element(c);
    }
    if (emza__xml_is(c, EMZA_NS_DSIG_MORE, "TrailerField")) {
        long trailer;
        EMZA_GUARD(parse_uint(&trailer, c, 1024, "TrailerField"));
        EMZA_ENSURE_MSG(trailer == 1, EMZA_EFORMAT, "RSAPSSParams' TrailerField must be 1");
        c = emza__xml_next_element(c);
    }
    EMZA_ENSURE_MSG(c == NULL, EMZA_EFORMAT, "RSAPSSParams holds unexpected elements");
    return EMZA_OK;
}

static int parse_signature_method(emza__signed_info *si, const xmlNode *sm)
{
    const char *alg = emza__xml_attr(sm, "Algorithm");
    char clip[96];
    si->alg = emza__xmldsig_sigalg(alg);
    EMZA_ENSURE_MSG(si->alg != NULL, EMZA_EFORMAT, "the signature method %s is not known",
                    emza__xml_clip(clip, sizeof(clip), alg ? alg : "(none)"));
    EMZA_ENSURE_MSG(!si->alg->hmac, EMZA_EFORMAT,
                    "an HMAC signature names no signer and is not accepted");
    si->md = si->alg->md_nid != NID_undef ? EVP_get_digestbynid(si->alg->md_nid) : NULL;
    si->salt_len = -1;
    const xmlNode *child = emza__xml_first_element(sm);
    if (si->alg->pss && emza__xml_is(child, EMZA_NS_DSIG_MORE, "RSAPSSParams")) {
        EMZA_GUARD(parse_pss_params(si, child));
        child = emza__xml_next_element(child);
    }
    EMZA_ENSURE_MSG(child == NULL, EMZA_EFORMAT, "SignatureMethod holds unexpected elements");
    if (si->alg->pss && si->md == NULL)
        si->md = EVP_sha256(); /* rsa-pss without a DigestMethod: RFC 6931's default */
    EMZA_ENSURE_MSG(si->md != NULL, EMZA_EFORMAT, "the signature method's digest is unavailable");
    if (si->alg->pss && si->mgf1_md == NULL)
        si->mgf1_md = si->md;
    return EMZA_OK;
}

static int parse_references(emza__signed_info *si, const xmlNode *first)
{
    size_t count = 0;
    for (const xmlNode *r = first; r != NULL; r = emza__xml_next_element(r)) {
        EMZA_ENSURE_MSG(emza__xml_is(r, EMZA_NS_DSIG, "Reference"), EMZA_EFORMAT,
                        "SignedInfo holds an element other than ds:Reference after "
                        "SignatureMethod");
        count++;
        EMZA_ENSURE_MSG(count <= EMZA_XMLDSIG_REFERENCES_MAX, EMZA_ELIMIT,
                        "SignedInfo has more than %d references", EMZA_XMLDSIG_REFERENCES_MAX);
    }
    EMZA_ENSURE_MSG(count > 0, EMZA_EFORMAT, "SignedInfo has no Reference");
    si->refs = calloc(count, sizeof(*si->refs));
    EMZA_ENSURE(si->refs != NULL, EMZA_ENOMEM);
    for (const xmlNode *r = first; r != NULL; r = emza__xml_next_element(r)) {
        EMZA_GUARD(emza__reference_parse(&si->refs[si->ref_count], r));
        si->ref_count++;
    }
    return EMZA_OK;
}

static int signed_info_parse_body(emza__signed_info *si, const xmlNode *el)
{
    const xmlNode *cm = emza__xml_first_element(el);
    EMZA_ENSURE_MSG(emza__xml_is(cm, EMZA_NS_DSIG, "CanonicalizationMethod"), EMZA_EFORMAT,
                    "SignedInfo does not start with CanonicalizationMethod");
    const char *alg = emza__xml_attr(cm, "Algorithm");
    char clip[96];
    EMZA_ENSURE_MSG(emza__c14n_from_uri(&si->c14n, alg), EMZA_EFORMAT,
                    "the canonicalization method %s is not accepted",
                    emza__xml_clip(clip, sizeof(clip), alg ? alg : "(none)"));
    EMZA_GUARD(emza__c14n_read_prefixes(&si->c14n, cm));
    const xmlNode *sm = emza__xml_next_element(cm);
    EMZA_ENSURE_MSG(emza__xml_is(sm, EMZA_NS_DSIG, "SignatureMethod"), EMZA_EFORMAT,
                    "SignedInfo has no SignatureMethod after CanonicalizationMethod");
    EMZA_GUARD(parse_signature_method(si, sm));
    return parse_references(si, emza__xml_next_element(sm));
}

int emza__signed_info_parse(emza__signed_info *out, const xmlNode *el)
{
    memset(out, 0, sizeof(*out));
    out->node = el;
    int rc = signed_info_parse_body(out, el);
    if (rc < 0)
        emza__signed_info_free(out);
    return rc;
}

int emza__signed_info_digest(const emza__signed_info *si, xmlDocPtr doc, uint8_t *out,
                             unsigned int *out_len)
{
    *out_len = 0;
    int rc = EMZA_OK;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EMZA_TRY_ENSURE(md != NULL, EMZA_ENOMEM, "out of memory");
    EMZA_TRY_OSSL(EVP_DigestInit_ex(md, si->md, NULL), EMZA_ECRYPTO, "cannot start a digest");
    emza__nodeset ns = {doc, si->node, NULL, 1};
    emza__sink sink = {md, NULL, 0};
    EMZA_TRY(emza__c14n_run(&ns, &si->c14n, &sink));
    EMZA_TRY_OSSL(EVP_DigestFinal_ex(md, out, out_len), EMZA_ECRYPTO, "digest failed");
cleanup:
    EVP_MD_CTX_free(md);
    return rc;
}

static const char *key_type_name(int type)
{
    switch (type) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
        return "RSA";
    case EVP_PKEY_EC:
        return "EC";
    case EVP_PKEY_DSA:
        return "DSA";
    default:
        return "an unsupported";
    }
}

static int setup_verify(EVP_PKEY_CTX *pctx, const emza__signed_info *si, int key_type)
{
    EMZA_GUARD_OSSL(EVP_PKEY_verify_init(pctx), EMZA_ECRYPTO);
    EMZA_ENSURE(EVP_PKEY_CTX_set_signature_md(pctx, si->md) > 0, EMZA_ECRYPTO);
    if (key_type == EVP_PKEY_RSA || key_type == EVP_PKEY_RSA_PSS) {
        if (si->alg->pss) {
            int salt = si->salt_len >= 0 ? si->salt_len : EVP_MD_get_size(si->md);
            EMZA_ENSURE(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
                            EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, si->mgf1_md) > 0 &&
                            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) > 0,
                        EMZA_ECRYPTO);
        } else {
            EMZA_ENSURE(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0, EMZA_ECRYPTO);
        }
    }
    return EMZA_OK;
}

/* The signature bytes as OpenSSL wants them: DER for (EC)DSA, left-padded for RSA. */
static int native_signature(emza_buf *out, EVP_PKEY *key, int key_type, const uint8_t *sig,
                            size_t sig_len)
{
    emza__buf_init(out, EMZA_XMLDSIG_SIGNATURE_VALUE_MAX * 2);
    if (key_type == EVP_PKEY_EC || key_type == EVP_PKEY_DSA)
        return emza__sig_raw_to_der(out, sig, sig_len);
    size_t size = (size_t)EVP_PKEY_get_size(key);
    if (sig_len < size && size - sig_len <= EMZA_XMLDSIG_SIGNATURE_VALUE_MAX) {
        static const uint8_t zero[EMZA_XMLDSIG_SIGNATURE_VALUE_MAX];
        EMZA_GUARD(emza__buf_append(out, zero, size - sig_len));
    }
    return emza__buf_append(out, sig, sig_len);
}

int emza__xmldsig_verify(int *valid, char *why, size_t why_size, const emza__signed_info *si,
                         EVP_PKEY *key, const uint8_t *sig, size_t sig_len, const uint8_t *digest,
                         size_t digest_len)
{
    *valid = 0;
    snprintf(why, why_size, "the signature value does not verify with the signer's key");
    int type = EVP_PKEY_get_base_id(key);
    int fits = type == si->alg->key_type || (type == EVP_PKEY_RSA_PSS && si->alg->pss);
    if (!fits) {
        snprintf(why, why_size, "the signer's key is %s key, the signature method needs %s key",
                 key_type_name(type), key_type_name(si->alg->key_type));
        return EMZA_OK;
    }
    emza_buf native;
    int rc = native_signature(&native, key, type, sig, sig_len);
    if (rc == EMZA_EFORMAT || rc == EMZA_ELIMIT) {
        snprintf(why, why_size, "the signature value is malformed for %s key",
                 key_type_name(type));
        emza__buf_free(&native);
        return EMZA_OK;
    }
    EMZA_GUARD(rc);
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(key, NULL);
    EMZA_TRY_ENSURE(pctx != NULL, EMZA_ENOMEM, "out of memory");
    if (setup_verify(pctx, si, type) != EMZA_OK) {
        /* parameters the key cannot take (a salt longer than the key allows...) */
        snprintf(why, why_size, "the signer's key cannot check this signature method's parameters");
        emza_error_clear();
        goto cleanup;
    }
    *valid = EVP_PKEY_verify(pctx, native.data, native.len, digest, digest_len) == 1;
cleanup:
    EVP_PKEY_CTX_free(pctx);
    emza__buf_free(&native);
    emza__ossl_clear();
    return rc;
}

/* ======================================================================== */
/* KeyValue keys                                                             */
/* ======================================================================== */

/* Bytes of a CryptoBinary or octet-string child. */
static int key_part(emza_buf *out, const xmlNode *parent, const char *ns, const char *name)
{
    const xmlNode *el = emza__xml_child(parent, ns, name);
    return emza__base64_element(out, el, EMZA_XMLDSIG_KEY_PART_MAX, name);
}

static int add_bn(OSSL_PARAM_BLD *bld, const char *param, const xmlNode *parent, const char *name,
                  BIGNUM **keep)
{
    emza_buf raw;
    EMZA_GUARD(key_part(&raw, parent, EMZA_NS_DSIG, name));
    *keep = BN_bin2bn(raw.data, (int)raw.len, NULL);
    emza__buf_free(&raw);
    EMZA_ENSURE(*keep != NULL, EMZA_ENOMEM);
    EMZA_ENSURE(OSSL_PARAM_BLD_push_BN(bld, param, *keep) == 1, EMZA_ENOMEM);
    return EMZA_OK;
}

static int key_from_params(EVP_PKEY **out, const char *type, OSSL_PARAM_BLD *bld)
{
    int rc = EMZA_OK;
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EMZA_TRY_ENSURE(params != NULL && ctx != NULL, EMZA_ENOMEM, "out of memory");
    EMZA_TRY_ENSURE(EVP_PKEY_fromdata_init(ctx) == 1 &&
                        EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1,
                    EMZA_EFORMAT, "the %s KeyValue is not a valid public key", type);
cleanup:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    emza__ossl_clear();
    return rc;
}

static int rsa_key_value(EVP_PKEY **out, const xmlNode *kv)
{
    int rc = EMZA_OK;
    BIGNUM *n = NULL, *e = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EMZA_TRY_ENSURE(bld != NULL, EMZA_ENOMEM, "out of memory");
    EMZA_TRY(add_bn(bld, OSSL_PKEY_PARAM_RSA_N, kv, "Modulus", &n));
    EMZA_TRY(add_bn(bld, OSSL_PKEY_PARAM_RSA_E, kv, "Exponent", &e));
    rc = key_from_params(out, "RSA", bld);
cleanup:
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return rc;
}

static int dsa_key_value(EVP_PKEY **out, const xmlNode *kv)
{
    int rc = EMZA_OK;
    BIGNUM *bn[4] = {NULL, NULL, NULL, NULL};
    static const char *const names[4] = {"P", "Q", "G", "Y"};
    static const char *const params[4] = {OSSL_PKEY_PARAM_FFC_P, OSSL_PKEY_PARAM_FFC_Q,
                                          OSSL_PKEY_PARAM_FFC_G, OSSL_PKEY_PARAM_PUB_KEY};
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EMZA_TRY_ENSURE(bld != NULL, EMZA_ENOMEM, "out of memory");
    for (size_t i = 0; i < 4; i++)
        EMZA_TRY(add_bn(bld, params[i], kv, names[i], &bn[i]));
    rc = key_from_params(out, "DSA", bld);
cleanup:
    OSSL_PARAM_BLD_free(bld);
    for (size_t i = 0; i < 4; i++)
        BN_free(bn[i]);
    return rc;
}

static int ec_key_value(EVP_PKEY **out, const xmlNode *kv)
{
    const xmlNode *curve = emza__xml_child(kv, EMZA_NS_DSIG11, "NamedCurve");
    const char *uri = curve ? emza__xml_attr(curve, "URI") : NULL;
    EMZA_ENSURE_MSG(uri != NULL && strncmp(uri, "urn:oid:", 8) == 0, EMZA_EFORMAT,
                    "an ECKeyValue without a NamedCurve urn:oid: is not supported");
    int nid = OBJ_txt2nid(uri + 8);
    emza__ossl_clear();
    const char *group = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
    EMZA_ENSURE_MSG(group != NULL, EMZA_EFORMAT, "the ECKeyValue's curve is not known");
    emza_buf point;
    EMZA_GUARD(key_part(&point, kv, EMZA_NS_DSIG11, "PublicKey"));
    int rc = EMZA_OK;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EMZA_TRY_ENSURE(bld != NULL, EMZA_ENOMEM, "out of memory");
    EMZA_TRY_ENSURE(OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) == 1 &&
                        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data,
                                                         point.len) == 1,
                    EMZA_ENOMEM, "out of memory");
    rc = key_from_params(out, "EC", bld);
cleanup:
    OSSL_PARAM_BLD_free(bld);
    emza__buf_free(&point);
    return rc;
}

static int der_key_value(EVP_PKEY **out, const xmlNode *el)
{
    emza_buf der;
    EMZA_GUARD(emza__base64_element(&der, el, EMZA_XMLDSIG_DER_MAX, "DEREncodedKeyValue"));
    const unsigned char *p = der.data;
    *out = d2i_PUBKEY(NULL, &p, (long)der.len);
    int ok = *out != NULL && p == der.data + der.len;
    emza__buf_free(&der);
    emza__ossl_clear();
    if (!ok) {
        EVP_PKEY_free(*out);
        *out = NULL;
    }
    EMZA_ENSURE_MSG(ok, EMZA_EFORMAT, "DEREncodedKeyValue is not a public key");
    return EMZA_OK;
}

int emza__keyinfo_key(EVP_PKEY **out, const xmlNode *key_info)
{
    *out = NULL;
    if (key_info == NULL)
        return EMZA_OK;
    const xmlNode *der = emza__xml_child(key_info, EMZA_NS_DSIG11, "DEREncodedKeyValue");
    if (der != NULL)
        return der_key_value(out, der);
    const xmlNode *kv = emza__xml_child(key_info, EMZA_NS_DSIG, "KeyValue");
    const xmlNode *inner = emza__xml_first_element(kv);
    if (inner == NULL)
        return EMZA_OK;
    if (emza__xml_is(inner, EMZA_NS_DSIG, "RSAKeyValue"))
        return rsa_key_value(out, inner);
    if (emza__xml_is(inner, EMZA_NS_DSIG, "DSAKeyValue"))
        return dsa_key_value(out, inner);
    if (emza__xml_is(inner, EMZA_NS_DSIG11, "ECKeyValue"))
        return ec_key_value(out, inner);
    EMZA_FAIL(EMZA_EFORMAT, "the KeyValue's key type is not supported");
}
