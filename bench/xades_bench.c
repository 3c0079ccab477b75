/*
 * XAdES / XML-DSig throughput: signing and verifying a 10 KB and a 10 MB XML
 * document, in one process, as operations per second, beside
 *   - xmlsec1's library API (enveloped XML-DSig, exclusive C14N, RSA-SHA256,
 *     X509Data; verification with a keys manager that trusts the root), and
 *   - raw OpenSSL: libxml2 parse + exclusive C14N + SHA-256 + EVP sign/verify
 *     of the same bytes, with no checks beyond the two digests: the floor.
 * emza's numbers are for the whole public operation: emza_sign (XAdES-B with
 * SignedProperties, writing the file atomically and checking the new
 * signature) and emza_verify_file (safe parse, ID registration, every check of
 * the default policy, the chain to the root, the report).
 *
 * Usage: xades_bench PKI_DIR [--smoke]   (PKI_DIR made by tests/fixtures/make-pki.sh)
 * --smoke runs each operation once (a test that the benchmark works).
 * Built by bench/meson.build when xmlsec1-openssl is found (xmlsec1 is linked
 * by this benchmark only, never by the library).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <xmlsec/crypto.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include <emza/emza.h>

#define PASSWORD "emza-test"
#define MIN_SECONDS 1.0

typedef struct doc_bytes {
    char *data;
    size_t len;
} doc_bytes;

static char g_dir[512];
static char g_pki[512];
static int g_smoke;

static void die(const char *what)
{
    fprintf(stderr, "xades_bench: %s\n", what);
    exit(1);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *pki(const char *name)
{
    static char ring[4][1024];
    static unsigned next;
    char *buf = ring[next++ % 4];
    snprintf(buf, sizeof(ring[0]), "%s/%s", g_pki, name);
    return buf;
}

static const char *tmp(const char *name)
{
    static char ring[4][1024];
    static unsigned next;
    char *buf = ring[next++ % 4];
    snprintf(buf, sizeof(ring[0]), "%s/%s", g_dir, name);
    return buf;
}

static void write_bytes(const char *path, const doc_bytes *d)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(d->data, 1, d->len, f) != d->len || fclose(f) != 0)
        die("cannot write a temporary file");
}

/* A document of about `size` bytes: rows of text under one root. */
static doc_bytes make_document(size_t size)
{
    doc_bytes d;
    d.data = malloc(size + 512);
    if (d.data == NULL)
        die("out of memory");
    size_t n = (size_t)snprintf(d.data, 512, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                             "<registry xmlns=\"urn:emza:bench\">\n");
    for (unsigned i = 0; n + 200 < size; i++)
        n += (size_t)snprintf(d.data + n, 200,
                              "  <deed n=\"%u\"><party>Ali Rezaei</party><amount cur=\"IRR\">%u"
                              "</amount><note>sold &amp; registered</note></deed>\n",
                              i, i * 7919u);
    n += (size_t)snprintf(d.data + n, 64, "</registry>\n");
    d.len = n;
    return d;
}

typedef int (*op_fn)(void *ctx);

/* Operations per second of `fn`, run for at least MIN_SECONDS (once with --smoke). */
static double measure(op_fn fn, void *ctx)
{
    double start = now(), elapsed = 0;
    unsigned long runs = 0;
    do {
        if (fn(ctx) != 0)
            die("an operation failed");
        runs++;
        elapsed = now() - start;
    } while (!g_smoke && elapsed < MIN_SECONDS);
    return (double)runs / elapsed;
}

/* ------------------------------------------------------------------------ */
/* emza                                                                      */
/* ------------------------------------------------------------------------ */

typedef struct emza_ctx {
    emza_signer *signer;
    emza_trust *trust;
    const char *input;
    const char *output;
    const char *verify_path;
} emza_ctx;

static int emza_sign_op(void *p)
{
    emza_ctx *c = p;
    emza_sign_options o = EMZA_SIGN_OPTIONS_INIT;
    o.format = EMZA_FORMAT_XADES_ENVELOPED;
    return emza_sign(c->signer, &o, &c->input, 1, c->output) == EMZA_OK ? 0 : -1;
}

static int emza_verify_op(void *p)
{
    emza_ctx *c = p;
    emza_verify_options o = EMZA_VERIFY_OPTIONS_INIT;
    o.trust = c->trust;
    o.offline = 1;
    emza_report *r = NULL;
    if (emza_verify_file(&r, c->verify_path, &o) != EMZA_OK)
        return -1;
    int ok = emza_report_summarize(r) == EMZA_REPORT_ALL_PASSED;
    emza_report_free(r);
    return ok ? 0 : -1;
}

/* ------------------------------------------------------------------------ */
/* xmlsec1                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct xmlsec_ctx {
    xmlSecKeyPtr key;
    xmlSecKeysMngrPtr mngr;
    const doc_bytes *input;
    doc_bytes signed_doc; /* the last signature made */
} xmlsec_ctx;

static int xmlsec_sign_op(void *p)
{
    xmlsec_ctx *c = p;
    int rc = -1;
    xmlSecDSigCtxPtr dsig = NULL;
    xmlDocPtr doc = xmlReadMemory(c->input->data, (int)c->input->len, NULL, NULL, XML_PARSE_NONET);
    if (doc == NULL)
        return -1;
    xmlNodePtr sig = xmlSecTmplSignatureCreate(doc, xmlSecTransformExclC14NId,
                                               xmlSecTransformRsaSha256Id, NULL);
    if (sig == NULL || xmlAddChild(xmlDocGetRootElement(doc), sig) == NULL)
        goto cleanup;
    xmlNodePtr ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, NULL,
                                                     (const xmlChar *)"", NULL);
    if (ref == NULL || xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) == NULL ||
        xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) == NULL)
        goto cleanup;
    xmlNodePtr ki = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL);
    if (ki == NULL || xmlSecTmplKeyInfoAddX509Data(ki) == NULL)
        goto cleanup;
    dsig = xmlSecDSigCtxCreate(NULL);
    if (dsig == NULL)
        goto cleanup;
    dsig->signKey = xmlSecKeyDuplicate(c->key);
    if (dsig->signKey == NULL || xmlSecDSigCtxSign(dsig, sig) < 0)
        goto cleanup;
    xmlChar *mem = NULL;
    int size = 0;
    xmlDocDumpMemory(doc, &mem, &size);
    if (mem == NULL)
        goto cleanup;
    free(c->signed_doc.data);
    c->signed_doc.data = malloc((size_t)size);
    if (c->signed_doc.data != NULL) {
        memcpy(c->signed_doc.data, mem, (size_t)size);
        c->signed_doc.len = (size_t)size;
        rc = 0;
    }
    xmlFree(mem);
cleanup:
    xmlSecDSigCtxDestroy(dsig);
    xmlFreeDoc(doc);
    return rc;
}

static int xmlsec_verify_op(void *p)
{
    xmlsec_ctx *c = p;
    int rc = -1;
    xmlSecDSigCtxPtr dsig = NULL;
    xmlDocPtr doc = xmlReadMemory(c->signed_doc.data, (int)c->signed_doc.len, NULL, NULL,
                                  XML_PARSE_NONET);
    if (doc == NULL)
        return -1;
    xmlNodePtr node = xmlSecFindNode(xmlDocGetRootElement(doc), xmlSecNodeSignature, xmlSecDSigNs);
    dsig = node ? xmlSecDSigCtxCreate(c->mngr) : NULL;
    if (dsig != NULL && xmlSecDSigCtxVerify(dsig, node) >= 0 &&
        dsig->status == xmlSecDSigStatusSucceeded)
        rc = 0;
    xmlSecDSigCtxDestroy(dsig);
    xmlFreeDoc(doc);
    return rc;
}

static void xmlsec_setup(xmlsec_ctx *c)
{
    if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 || xmlSecCryptoAppInit(NULL) < 0 ||
        xmlSecCryptoInit() < 0)
        die("xmlsec1 initialisation failed");
    c->key = xmlSecCryptoAppKeyLoad(pki("citizen-rsa.p12"), xmlSecKeyDataFormatPkcs12, PASSWORD,
                                    NULL, NULL);
    c->mngr = xmlSecKeysMngrCreate();
    if (c->key == NULL || c->mngr == NULL || xmlSecCryptoAppDefaultKeysMngrInit(c->mngr) < 0 ||
        xmlSecCryptoAppKeysMngrCertLoad(c->mngr, pki("trust/root.pem"), xmlSecKeyDataFormatPem,
                                        xmlSecKeyDataTypeTrusted) < 0)
        die("xmlsec1 cannot load the test keys");
}

/* ------------------------------------------------------------------------ */
/* raw OpenSSL + libxml2: the floor                                          */
/* ------------------------------------------------------------------------ */

typedef struct raw_ctx {
    EVP_PKEY *key;  /* private, for signing */
    EVP_PKEY *pub;  /* the certificate's key, for verifying */
    const doc_bytes *input;
    const doc_bytes *signed_doc; /* xmlsec1's signature: the same bytes xmlsec1 verifies */
    doc_bytes made;
} raw_ctx;

typedef struct subtree {
    xmlNodePtr root;     /* NULL: the whole document */
    xmlNodePtr excluded; /* NULL or a subtree left out */
} subtree;

static int raw_visible(void *user, xmlNodePtr node, xmlNodePtr parent)
{
    const subtree *s = user;
    xmlNodePtr n = (node->type == XML_NAMESPACE_DECL || node->type == XML_ATTRIBUTE_NODE) ? parent
                                                                                         : node;
    if (node->type == XML_COMMENT_NODE)
        return 0;
    int inside = s->root == NULL;
    for (xmlNodePtr q = n; q != NULL; q = q->parent) {
        if (q == s->excluded)
            return 0;
        if (q == s->root)
            inside = 1;
    }
    return inside;
}

static int md_write(void *ctx, const char *data, int len)
{
    return EVP_DigestUpdate(ctx, data, (size_t)len) == 1 ? len : -1;
}

static int md_close(void *ctx)
{
    (void)ctx;
    return 0;
}

/* Exclusive C14N of `s` into the running digest `md`. */
static int raw_c14n(xmlDocPtr doc, subtree *s, EVP_MD_CTX *md)
{
    xmlOutputBufferPtr out = xmlOutputBufferCreateIO(md_write, md_close, md, NULL);
    if (out == NULL)
        return -1;
    int r = xmlC14NExecute(doc, raw_visible, s, XML_C14N_EXCLUSIVE_1_0, NULL, 0, out);
    xmlOutputBufferClose(out);
    return r < 0 ? -1 : 0;
}

static int raw_digest(xmlDocPtr doc, subtree *s, unsigned char *out, unsigned int *len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 && raw_c14n(doc, s, md) == 0 &&
             EVP_DigestFinal_ex(md, out, len) == 1;
    EVP_MD_CTX_free(md);
    return ok ? 0 : -1;
}

static xmlNodePtr find_element(xmlNodePtr n, const char *name)
{
    for (; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)n->name, name) == 0)
            return n;
        xmlNodePtr hit = find_element(n->children, name);
        if (hit != NULL)
            return hit;
    }
    return NULL;
}

static int b64_decode(const char *text, unsigned char *out, size_t max, size_t *len)
{
    char clean[4096] = {0};
    size_t n = 0;
    for (const char *p = text; *p && n + 1 < sizeof(clean); p++)
        if (*p != '\n' && *p != '\r' && *p != ' ' && *p != '\t')
            clean[n++] = *p;
    if (n % 4 != 0 || n / 4 * 3 > max)
        return -1;
    int r = EVP_DecodeBlock(out, (const unsigned char *)clean, (int)n);
    if (r < 0)
        return -1;
    *len = (size_t)r - (n >= 1 && clean[n - 1] == '=') - (n >= 2 && clean[n - 2] == '=');
    return 0;
}

/* Parse, check the one digest, check the signature value: nothing more. */
static int raw_verify_op(void *p)
{
    raw_ctx *c = p;
    int rc = -1;
    xmlDocPtr doc = xmlReadMemory(c->signed_doc->data, (int)c->signed_doc->len, NULL, NULL,
                                  XML_PARSE_NONET);
    xmlNodePtr sig = doc ? find_element(xmlDocGetRootElement(doc), "Signature") : NULL;
    xmlNodePtr si = sig ? find_element(sig->children, "SignedInfo") : NULL;
    xmlNodePtr dv = si ? find_element(si->children, "DigestValue") : NULL;
    xmlNodePtr sv = sig ? find_element(sig->children, "SignatureValue") : NULL;
    if (dv == NULL || sv == NULL)
        goto cleanup;
    unsigned char d[EVP_MAX_MD_SIZE], want[64], value[1024];
    unsigned int dl = 0;
    size_t wl = 0, vl = 0;
    subtree whole = {NULL, sig};
    xmlChar *dv_text = xmlNodeGetContent(dv), *sv_text = xmlNodeGetContent(sv);
    int ok = raw_digest(doc, &whole, d, &dl) == 0 &&
             b64_decode((const char *)dv_text, want, sizeof(want), &wl) == 0 && wl == dl &&
             memcmp(d, want, dl) == 0 &&
             b64_decode((const char *)sv_text, value, sizeof(value), &vl) == 0;
    xmlFree(dv_text);
    xmlFree(sv_text);
    if (!ok)
        goto cleanup;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    subtree signed_info = {si, NULL};
    if (md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, c->pub) == 1) {
        EVP_MD_CTX *h = EVP_MD_CTX_new();
        unsigned char sd[EVP_MAX_MD_SIZE];
        unsigned int sdl = 0;
        if (h && EVP_DigestInit_ex(h, EVP_sha256(), NULL) == 1 &&
            raw_c14n(doc, &signed_info, h) == 0 && EVP_DigestFinal_ex(h, sd, &sdl) == 1) {
            EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(c->pub, NULL);
            if (pc && EVP_PKEY_verify_init(pc) == 1 &&
                EVP_PKEY_CTX_set_signature_md(pc, EVP_sha256()) == 1 &&
                EVP_PKEY_verify(pc, value, vl, sd, sdl) == 1)
                rc = 0;
            EVP_PKEY_CTX_free(pc);
        }
        EVP_MD_CTX_free(h);
    }
    EVP_MD_CTX_free(md);
cleanup:
    xmlFreeDoc(doc);
    return rc;
}

/* Parse, digest the document, sign a SignedInfo, splice the signature into the bytes. */
static int raw_sign_op(void *p)
{
    raw_ctx *c = p;
    int rc = -1;
    xmlDocPtr doc = xmlReadMemory(c->input->data, (int)c->input->len, NULL, NULL, XML_PARSE_NONET);
    unsigned char d[EVP_MAX_MD_SIZE], sig[1024];
    unsigned int dl = 0;
    subtree whole = {NULL, NULL};
    if (doc == NULL || raw_digest(doc, &whole, d, &dl) != 0)
        goto cleanup;
    char d64[128], signed_info[1024], s64[2048];
    EVP_EncodeBlock((unsigned char *)d64, d, (int)dl);
    int sil = snprintf(
        signed_info, sizeof(signed_info),
        "<ds:SignedInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:CanonicalizationMethod "
        "Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"></ds:CanonicalizationMethod>"
        "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\">"
        "</ds:SignatureMethod><ds:Reference URI=\"\"><ds:Transforms><ds:Transform "
        "Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"></ds:Transform>"
        "</ds:Transforms><ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\">"
        "</ds:DigestMethod><ds:DigestValue>%s</ds:DigestValue></ds:Reference></ds:SignedInfo>",
        d64);
    size_t sl = sizeof(sig);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, c->key) == 1 &&
             EVP_DigestSign(md, sig, &sl, (const unsigned char *)signed_info, (size_t)sil) == 1;
    EVP_MD_CTX_free(md);
    if (!ok)
        goto cleanup;
    EVP_EncodeBlock((unsigned char *)s64, sig, (int)sl);
    const char *close_tag = strstr(c->input->data, "</registry>");
    size_t head = (size_t)(close_tag - c->input->data);
    size_t need = c->input->len + strlen(signed_info) + strlen(s64) + 256;
    char *out = realloc(c->made.data, need);
    if (out == NULL)
        goto cleanup;
    memcpy(out, c->input->data, head);
    int tail = snprintf(out + head, need - head,
                        "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">%s"
                        "<ds:SignatureValue>%s</ds:SignatureValue></ds:Signature>%s",
                        signed_info, s64, close_tag);
    c->made.data = out;
    c->made.len = head + (size_t)tail;
    rc = 0;
cleanup:
    xmlFreeDoc(doc);
    return rc;
}

static void raw_setup(raw_ctx *c)
{
    FILE *f = fopen(pki("citizen-rsa.p12"), "rb");
    PKCS12 *p12 = f ? d2i_PKCS12_fp(f, NULL) : NULL;
    X509 *cert = NULL;
    if (f)
        fclose(f);
    if (p12 == NULL || PKCS12_parse(p12, PASSWORD, &c->key, &cert, NULL) != 1)
        die("cannot open citizen-rsa.p12 with OpenSSL");
    c->pub = X509_get_pubkey(cert);
    X509_free(cert);
    PKCS12_free(p12);
}

/* ------------------------------------------------------------------------ */

static void row(const char *what, double emza, double xmlsec, double raw)
{
    printf("  %-34s %12.1f %12.1f %12.1f %9.2fx %9.2fx\n", what, emza, xmlsec, raw,
           xmlsec > 0 ? emza / xmlsec : 0, raw > 0 ? emza / raw : 0);
}

static void run_size(const char *label, size_t size, emza_ctx *e, xmlsec_ctx *x, raw_ctx *r)
{
    doc_bytes input = make_document(size);
    write_bytes(tmp("input.xml"), &input);
    e->input = tmp("input.xml");
    e->output = tmp("emza.xml");
    x->input = &input;
    r->input = &input;
    printf("%s document (%zu bytes)\n", label, input.len);
    printf("  %-34s %12s %12s %12s %10s %10s\n", "ops/s", "emza", "xmlsec1", "raw", "emza/xmlsec",
           "emza/raw");
    double es = measure(emza_sign_op, e), xs = measure(xmlsec_sign_op, x),
           rs = measure(raw_sign_op, r);
    row("sign (enveloped, RSA-2048, SHA-256)", es, xs, rs);
    e->verify_path = tmp("emza.xml");
    double ev = measure(emza_verify_op, e);
    write_bytes(tmp("xmlsec.xml"), &x->signed_doc);
    r->signed_doc = &x->signed_doc;
    double xv = measure(xmlsec_verify_op, x), rv = measure(raw_verify_op, r);
    row("verify (each its own signature)", ev, xv, rv);
    e->verify_path = tmp("xmlsec.xml");
    double ev2 = measure(emza_verify_op, e);
    row("verify xmlsec1's bytes", ev2, xv, rv);
    free(input.data);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        die("usage: xades_bench PKI_DIR [--smoke]");
    snprintf(g_pki, sizeof(g_pki), "%s", argv[1]);
    g_smoke = argc > 2 && strcmp(argv[2], "--smoke") == 0;
    snprintf(g_dir, sizeof(g_dir), "/tmp/emza-bench-XXXXXX");
    if (mkdtemp(g_dir) == NULL)
        die("cannot make a temporary directory");
    if (emza_init() != EMZA_OK)
        die("emza_init failed");
    emza_ctx e;
    memset(&e, 0, sizeof(e));
    const char *anchor = pki("trust/root.pem");
    if (emza_signer_open_pkcs12(&e.signer, pki("citizen-rsa.p12"), PASSWORD) != EMZA_OK ||
        emza_trust_load(&e.trust, &anchor, 1) != EMZA_OK)
        die(emza_error_last()->message);
    xmlsec_ctx x;
    memset(&x, 0, sizeof(x));
    xmlsec_setup(&x);
    raw_ctx r;
    memset(&r, 0, sizeof(r));
    raw_setup(&r);
    printf("emza %s, libxml2 %s, xmlsec1 %s, %s\n", emza_version_string(), LIBXML_DOTTED_VERSION,
           XMLSEC_VERSION, OpenSSL_version(OPENSSL_VERSION));
    run_size("10 KB", 10 * 1024, &e, &x, &r);
    run_size("10 MB", 10 * 1024 * 1024, &e, &x, &r);
    unlink(tmp("input.xml"));
    unlink(tmp("emza.xml"));
    unlink(tmp("xmlsec.xml"));
    rmdir(g_dir);
    free(x.signed_doc.data);
    free(r.made.data);
    xmlSecKeyDestroy(x.key);
    xmlSecKeysMngrDestroy(x.mngr);
    xmlSecCryptoShutdown();
    xmlSecCryptoAppShutdown();
    xmlSecShutdown();
    EVP_PKEY_free(r.key);
    EVP_PKEY_free(r.pub);
    emza_trust_free(e.trust);
    emza_signer_free(e.signer);
    return 0;
}
