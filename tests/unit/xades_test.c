/*
 * Tests of XAdES / XML-DSig signing and verification (lib/xades_*.c,
 * lib/xmldsig.c, lib/xml_parse.c) through emza_sign and emza_verify_file, and
 * of the parser's and the core's limits through their internal functions.
 *
 * Fixtures: the test PKI of tests/fixtures/make-pki.sh (EMZA_PKI_DIR;
 * trust/root.pem is the only anchor) and, for the forged_lt attack, the
 * shared ASiC vector (EMZA_VECTORS). XML signatures emza does not make itself
 * (references to "#id", KeyValue only, wrapping attacks) are made here from
 * templates with the core's own reference and signature functions, the way
 * `xmlsec1 --sign` fills a template. Every test works in its own directory
 * under a temporary one removed at the end.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <libxml/xmlsave.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <emza/cert.h>
#include <emza/error.h>
#include <emza/report.h>
#include <emza/sign.h>
#include <emza/signer.h>
#include <emza/trust.h>
#include <emza/verify.h>

#include "signer_internal.h"
#include "util/buf.h"
#include "xml_parse.h"
#include "xmldsig.h"
#include "support.h"

/* ------------------------------------------------------------------------ */
/* helpers                                                                   */
/* ------------------------------------------------------------------------ */

static emza_trust *g_trust;

/* Replaces the first `from` after `after` (NULL: from the start) with `to`; the text is reallocated. */
static char *replace(char *text, const char *after, const char *from, const char *to)
{
    char *start = text;
    if (after != NULL) {
        start = strstr(text, after);
        if (start == NULL)
            fail_msg("marker %s not found", after);
    }
    char *hit = strstr(start, from);
    if (hit == NULL)
        fail_msg("%s not found", from);
    size_t head = (size_t)(hit - text), fl = strlen(from), tl = strlen(to), len = strlen(text);
    char *out = malloc(len - fl + tl + 1);
    assert_non_null(out);
    memcpy(out, text, head);
    memcpy(out + head, to, tl);
    memcpy(out + head + tl, hit + fl, len - head - fl + 1);
    free(text);
    return out;
}

/* text[0..start) + insert + text[end..], malloc'd. */
static char *splice(const char *text, const char *start, const char *end, const char *insert)
{
    size_t head = (size_t)(start - text), il = strlen(insert), tail = strlen(end);
    char *out = malloc(head + il + tail + 1);
    assert_non_null(out);
    memcpy(out, text, head);
    memcpy(out + head, insert, il);
    memcpy(out + head + il, end, tail + 1);
    return out;
}

static void edit_file(const char *path, const char *after, const char *from, const char *to)
{
    char *t = replace(read_text(path), after, from, to);
    write_text(path, t);
    free(t);
}

/* Changes the base64 character right after `marker` (to another valid one). */
static void flip_after(const char *path, const char *marker)
{
    char *t = read_text(path);
    char *p = strstr(t, marker);
    if (p == NULL)
        fail_msg("marker %s not found", marker);
    p += strlen(marker);
    *p = *p == 'A' ? 'B' : 'A';
    write_text(path, t);
    free(t);
}

static emza_sign_options options(emza_format format)
{
    emza_sign_options o = EMZA_SIGN_OPTIONS_INIT;
    o.format = format;
    return o;
}

static void sign_as(const char *who, const emza_sign_options *o, const char *const *inputs,
                    size_t n, const char *out)
{
    emza_signer *s = p12(who);
    int rc = emza_sign(s, o, inputs, n, out);
    emza_signer_free(s);
    if (rc != EMZA_OK)
        fail_msg("signing failed: %s (%s)", emza_error_name(rc), emza_error_last()->message);
}

static void sign1(const char *who, emza_format f, const char *input, const char *out)
{
    emza_sign_options o = options(f);
    sign_as(who, &o, &input, 1, out);
}

static emza_report *verify_opts(const char *path, const emza_verify_options *o)
{
    emza_report *r = NULL;
    int rc = emza_verify_file(&r, path, o);
    if (rc != EMZA_OK)
        fail_msg("verify %s: %s (%s)", path, emza_error_name(rc), emza_error_last()->message);
    return r;
}

static emza_report *verify_data(const char *path, const char *const *data, size_t n)
{
    emza_verify_options o = EMZA_VERIFY_OPTIONS_INIT;
    o.trust = g_trust;
    o.offline = 1;
    o.data_paths = data;
    o.data_count = n;
    return verify_opts(path, &o);
}

static emza_report *verify(const char *path)
{
    return verify_data(path, NULL, 0);
}

static const emza_signature_report *sig_of(const emza_report *r, size_t i)
{
    const emza_signature_report *s = emza_report_signature(r, i);
    if (s == NULL)
        fail_msg("no signature %zu (the report has %zu)", i, emza_report_signature_count(r));
    return s;
}

static void assert_verdict(const emza_report *r, size_t i, emza_indication ind,
                           emza_subindication sub)
{
    const emza_signature_report *s = sig_of(r, i);
    if (emza_signature_indication(s) != ind || emza_signature_subindication(s) != sub)
        fail_msg("S%zu: expected %s/%s, got %s/%s (first error %s: %s)", i,
                 emza_indication_name(ind), sub ? emza_subindication_name(sub) : "-",
                 emza_indication_name(emza_signature_indication(s)),
                 emza_signature_subindication(s)
                     ? emza_subindication_name(emza_signature_subindication(s))
                     : "-",
                 emza_signature_error_count(s) ? emza_signature_error_code(s, 0) : "none",
                 emza_signature_error_count(s) ? emza_signature_error_message(s, 0) : "");
}

static void assert_passed(const emza_report *r, size_t i)
{
    assert_verdict(r, i, EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
}

static int has_code(const emza_signature_report *s, const char *code, int warning)
{
    size_t n = warning ? emza_signature_warning_count(s) : emza_signature_error_count(s);
    for (size_t i = 0; i < n; i++) {
        const char *c = warning ? emza_signature_warning_code(s, i) : emza_signature_error_code(s, i);
        if (strcmp(c, code) == 0)
            return 1;
    }
    return 0;
}

static int contains(const char *path, const char *needle)
{
    char *t = read_text(path);
    int found = strstr(t, needle) != NULL;
    free(t);
    return found;
}

static const char *const DEED =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<deed xmlns=\"urn:emza:test:deed\" xml:lang=\"fa\">\n"
    "  <!-- a comment the signature does not cover -->\n"
    "  <party role=\"seller\">علی رضایی</party>\n"
    "  <party role=\"buyer\">مریم احمدی</party>\n"
    "  <amount currency=\"IRR\">1000000000</amount>\n"
    "  <note>tab\there &amp; &lt;escaped&gt; &#xD; carriage</note>\n"
    "</deed>\n";

/* ------------------------------------------------------------------------ */
/* template signing: what `xmlsec1 --sign` does, with the core's functions   */
/* ------------------------------------------------------------------------ */

static int save_cb(void *ctx, const char *data, int len)
{
    emza_buf *b = ctx;
    return emza__buf_append(b, data, (size_t)len) == EMZA_OK ? len : -1;
}

static int close_cb(void *ctx)
{
    (void)ctx;
    return 0;
}

/*
 * Fills every DigestValue and the SignatureValue of the first ds:Signature of
 * `tmpl` (empty elements) and writes the document to `out`. The key signs
 * through the signer interface, ECDSA converted to r||s.
 */
static void template_sign(const char *tmpl, const char *who, const char *out)
{
    xmlDocPtr doc = NULL;
    assert_ok(emza__xml_parse(&doc, (const uint8_t *)tmpl, strlen(tmpl), NULL));
    emza__xml_ids ids;
    assert_ok(emza__xml_ids_build(&ids, doc));
    xmlNodePtr root = xmlDocGetRootElement(doc), sig = NULL;
    for (xmlNodePtr n = root; n != NULL && sig == NULL; n = emza__xml_next_in_tree(n, root))
        if (emza__xml_is(n, EMZA_NS_DSIG, "Signature"))
            sig = n;
    assert_non_null(sig);
    xmlNodePtr si_el = emza__xml_child(sig, EMZA_NS_DSIG, "SignedInfo");
    for (xmlNodePtr r = emza__xml_child(si_el, EMZA_NS_DSIG, "Reference"); r != NULL;
         r = emza__xml_next_element(r)) {
        emza__reference ref;
        memset(&ref, 0, sizeof(ref));
        ref.uri = emza__xml_attr(r, "URI");
        ref.md = EVP_sha256();
        ref.md_nid = NID_sha256;
        const xmlNode *ts = emza__xml_child(r, EMZA_NS_DSIG, "Transforms");
        for (const xmlNode *t = emza__xml_first_element(ts); t; t = emza__xml_next_element(t))
            assert_ok(emza__transform_parse(&ref.transforms[ref.transform_count++], t));
        emza__ref_ctx ctx = {doc, &ids, sig, NULL, NULL, 0, NULL, NULL, NULL, NULL};
        uint8_t d[EVP_MAX_MD_SIZE];
        unsigned int dl = 0;
        emza__ref_target target;
        assert_ok(emza__reference_digest(&ctx, &ref, d, &dl, &target));
        emza__reference_free(&ref);
        emza_buf b64;
        emza__buf_init(&b64, 1024);
        assert_ok(emza__base64_encode(&b64, d, dl));
        xmlNodeSetContent(emza__xml_child(r, EMZA_NS_DSIG, "DigestValue"), b64.data);
        emza__buf_free(&b64);
    }
    emza__signed_info si;
    assert_ok(emza__signed_info_parse(&si, si_el));
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    assert_ok(emza__signed_info_digest(&si, doc, d, &dl));
    emza_signer *signer = p12(who);
    emza_buf made, raw, b64;
    emza__buf_init(&made, 4096);
    emza__buf_init(&raw, 4096);
    emza__buf_init(&b64, 8192);
    assert_ok(emza__signer_sign_digest(signer, si.md, si.alg->pss, d, dl, &made));
    if (emza__signer_key_type(signer) == EVP_PKEY_EC)
        assert_ok(emza__sig_der_to_raw(&raw, made.data, made.len, 32));
    else
        assert_ok(emza__buf_append(&raw, made.data, made.len));
    assert_ok(emza__base64_encode(&b64, raw.data, raw.len));
    xmlNodeSetContent(emza__xml_child(sig, EMZA_NS_DSIG, "SignatureValue"), b64.data);
    emza_buf text;
    emza__buf_init(&text, 64u << 20);
    xmlSaveCtxtPtr save = xmlSaveToIO(save_cb, close_cb, &text, "UTF-8", 0);
    assert_non_null(save);
    assert_true(xmlSaveDoc(save, doc) >= 0);
    xmlSaveClose(save);
    write_file(out, text.data, text.len);
    emza__buf_free(&text);
    emza__buf_free(&made);
    emza__buf_free(&raw);
    emza__buf_free(&b64);
    emza__signed_info_free(&si);
    emza_signer_free(signer);
    emza__xml_ids_free(&ids);
    xmlFreeDoc(doc);
}

/* base64 of the DER of a test-PKI certificate (NAME.cert.der), malloc'd. */
static char *cert_b64(const char *name)
{
    char file[256];
    snprintf(file, sizeof(file), "%s.cert.der", name);
    emza_cert *c = NULL;
    assert_ok(emza_cert_load(&c, pki(file)));
    size_t len = 0;
    const uint8_t *der = emza_cert_der(c, &len);
    emza_buf b;
    emza__buf_init(&b, 1u << 20);
    assert_ok(emza__base64_encode(&b, der, len));
    emza_cert_free(c);
    return emza__buf_take(&b);
}

/* The X509Certificate elements of citizen-rsa and its CA, malloc'd. */
static char *rsa_x509_certs(void)
{
    char *leaf = cert_b64("citizen-rsa"), *ca = cert_b64("citizen-ca");
    size_t size = strlen(leaf) + strlen(ca) + 128;
    char *out = malloc(size);
    assert_non_null(out);
    snprintf(out, size,
             "<ds:X509Certificate>%s</ds:X509Certificate><ds:X509Certificate>%s"
             "</ds:X509Certificate>",
             leaf, ca);
    free(leaf);
    free(ca);
    return out;
}

#define DS_NS "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\""
#define EXC "http://www.w3.org/2001/10/xml-exc-c14n#"

/* A plain XML-DSig template over "#body" (RSA-SHA256) with the signer's certificate. */
static char *body_template(const char *body_id, const char *extra_before, const char *object)
{
    char *cert = rsa_x509_certs();
    size_t size = strlen(cert) + 4096 + strlen(object);
    char *t = malloc(size);
    assert_non_null(t);
    snprintf(t, size,
             "<doc>%s<body Id=\"%s\">pay 10 rials</body>"
             "<ds:Signature " DS_NS "><ds:SignedInfo>"
             "<ds:CanonicalizationMethod Algorithm=\"" EXC "\"/>"
             "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>"
             "<ds:Reference URI=\"#%s\"><ds:Transforms><ds:Transform Algorithm=\"" EXC "\"/>"
             "</ds:Transforms><ds:DigestMethod "
             "Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue/>"
             "</ds:Reference></ds:SignedInfo><ds:SignatureValue/>"
             "<ds:KeyInfo><ds:X509Data>%s</ds:X509Data></ds:KeyInfo>%s</ds:Signature></doc>",
             extra_before, body_id, body_id, cert, object);
    free(cert);
    return t;
}

/* ------------------------------------------------------------------------ */
/* signing and round trips                                                   */
/* ------------------------------------------------------------------------ */

static void test_xades_sign__enveloped_rsa_round_trip(void **state)
{
    (void)state;
    const char *dir = test_dir("enveloped");
    const char *doc = in(dir, "deed.xml"), *out = in(dir, "deed.signed.xml");
    write_text(doc, DEED);
    emza_sign_options o = options(EMZA_FORMAT_XADES_ENVELOPED);
    o.has_signing_time = 1;
    o.signing_time = 1700000000;
    sign_as("citizen-rsa", &o, &doc, 1, out);
    assert_true(contains(out, "xml-exc-c14n#"));
    assert_true(contains(out, "<xades:SigningCertificateV2>"));
    assert_true(contains(out, "<xades:IssuerSerialV2>"));
    assert_true(contains(out, "<xades:MimeType>text/xml</xades:MimeType>"));
    assert_false(contains(out, "SignaturePolicyIdentifier"));
    assert_false(contains(out, "SignaturePolicyImplied"));
    emza_report *r = verify(out);
    assert_string_equal(emza_report_document_format(r), "XAdES");
    assert_int_equal(emza_report_signature_count(r), 1);
    assert_passed(r, 0);
    const emza_signature_report *s = sig_of(r, 0);
    assert_string_equal(emza_signature_level(s), "XAdES-BASELINE-B");
    assert_string_equal(emza_signature_algorithm(s), "rsa-sha256");
    int present = 0;
    assert_int_equal(emza_signature_claimed_signing_time(s, &present), 1700000000);
    assert_true(present);
    assert_string_equal(emza_cert_national_code(emza_signature_signer(s)), "0499370899");
    assert_int_equal(emza_signature_object_count(s), 1);
    assert_string_equal(emza_signature_object_uri(s, 0), "");
    assert_string_equal(emza_signature_object_name(s, 0), "deed.signed.xml");
    assert_string_equal(emza_signature_object_mime_type(s, 0), "text/xml");
    assert_string_equal(emza_signature_object_digest_algorithm(s, 0), "sha256");
    assert_true(emza_signature_object_whole_document(s, 0));
    assert_false(has_code(s, "PARTIAL_COVERAGE", 1));
    emza_report_free(r);
}

static void test_xades_sign__detached_ec_two_files_round_trip(void **state)
{
    (void)state;
    const char *dir = test_dir("detached");
    const char *a = in(dir, "deed.xml"), *b = in(dir, "scan 1 (سند).pdf");
    const char *out = in(dir, "deed.xades.xml");
    write_text(a, DEED);
    write_text(b, "%PDF-1.4 not really a pdf\n");
    const char *inputs[] = {a, b};
    emza_sign_options o = options(EMZA_FORMAT_XADES_DETACHED);
    sign_as("citizen-ec", &o, inputs, 2, out);
    assert_true(contains(out, "URI=\"scan%201%20%28%D8%B3%D9%86%D8%AF%29.pdf\""));
    emza_report *r = verify_data(out, inputs, 2);
    assert_passed(r, 0);
    const emza_signature_report *s = sig_of(r, 0);
    assert_string_equal(emza_signature_algorithm(s), "ecdsa-sha256");
    assert_int_equal(emza_signature_object_count(s), 2);
    assert_string_equal(emza_signature_object_name(s, 1), "scan 1 (سند).pdf");
    assert_string_equal(emza_signature_object_mime_type(s, 1), "application/pdf");
    assert_true(emza_signature_object_whole_document(s, 1));
    emza_report_free(r);

    /* without the data: SIGNED_DATA_NOT_FOUND; with changed data: HASH_FAILURE */
    r = verify(out);
    assert_verdict(r, 0, EMZA_INDETERMINATE, EMZA_SUB_SIGNED_DATA_NOT_FOUND);
    emza_report_free(r);
    write_text(b, "%PDF-1.4 not really a pdf, changed\n");
    r = verify_data(out, inputs, 2);
    assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_HASH_FAILURE);
    emza_report_free(r);
}

static void test_xades_sign__enveloping_binary_and_xml_round_trip(void **state)
{
    (void)state;
    const char *dir = test_dir("enveloping");
    const char *a = in(dir, "deed.xml"), *b = in(dir, "photo.png"), *out = in(dir, "env.xml");
    write_text(a, DEED);
    const uint8_t bin[] = {0x89, 'P', 'N', 'G', 0, 1, 2, 0xFF, 0xFE, '<', '&'};
    write_file(b, bin, sizeof(bin));
    const char *inputs[] = {a, b};
    emza_sign_options o = options(EMZA_FORMAT_XADES_ENVELOPING);
    sign_as("citizen-rsa", &o, inputs, 2, out);
    assert_true(contains(out, "Encoding=\"http://www.w3.org/2000/09/xmldsig#base64\""));
    assert_true(contains(out, "<party role=\"seller\">"));
    emza_report *r = verify(out);
    assert_passed(r, 0);
    const emza_signature_report *s = sig_of(r, 0);
    assert_int_equal(emza_signature_object_count(s), 2);
    assert_string_equal(emza_signature_object_name(s, 0), "deed.xml");
    assert_string_equal(emza_signature_object_mime_type(s, 1), "image/png");
    assert_string_equal(emza_signature_object_name(s, 1), "photo.png");
    /* Each ds:Object of an enveloping signature is a whole signed document. */
    assert_true(emza_signature_object_whole_document(s, 0));
    assert_true(emza_signature_object_whole_document(s, 1));
    assert_false(has_code(s, "PARTIAL_COVERAGE", 1));
    emza_report_free(r);
    /* the embedded XML changed: HASH_FAILURE */
    edit_file(out, NULL, "<party role=\"seller\">", "<party role=\"buyer\">");
    r = verify(out);
    assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_HASH_FAILURE);
    emza_report_free(r);
}

static void test_xades_sign__rsa_pss_and_digests(void **state)
{
    (void)state;
    const char *dir = test_dir("pss");
    const char *doc = in(dir, "deed.xml");
    write_text(doc, DEED);
    static const char *const digests[] = {"sha256", "sha384", "sha512"};
    static const char *const names[] = {"rsa-pss-sha256", "rsa-pss-sha384", "rsa-pss-sha512"};
    for (size_t i = 0; i < 3; i++) {
        for (int pss = 0; pss <= 1; pss++) {
            const char *out = in(dir, pss ? "pss.xml" : "pkcs1.xml");
            emza_sign_options o = options(EMZA_FORMAT_XADES_ENVELOPED);
            o.digest = digests[i];
            o.rsa_pss = pss;
            sign_as("citizen-rsa", &o, &doc, 1, out);
            if (pss) {
                assert_true(contains(out, "xmldsig-more#sha"));
                assert_true(contains(out, "-rsa-MGF1\"><pss:RSAPSSParams"));
                assert_true(contains(out, "<pss:TrailerField>1</pss:TrailerField>"));
            }
            emza_report *r = verify(out);
            assert_passed(r, 0);
            char expect[32];
            snprintf(expect, sizeof(expect), "rsa-%s", digests[i]);
            assert_string_equal(emza_signature_algorithm(sig_of(r, 0)), pss ? names[i] : expect);
            assert_string_equal(emza_signature_object_digest_algorithm(sig_of(r, 0), 0),
                                digests[i]);
            emza_report_free(r);
        }
    }
}

static void test_xades_sign__ecdsa_p384(void **state)
{
    (void)state;
    const char *dir = test_dir("p384");
    char cmd[4096];
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes "
             "-keyout p384.key.pem -subj '/C=IR/CN=P384 Signer' -out p384.csr 2>/dev/null && "
             "printf 'keyUsage=critical,nonRepudiation\\n' > ext.cnf && "
             "openssl x509 -req -in p384.csr -CA '%s' -CAkey '%s' -set_serial 384 -days 30 "
             "-extfile ext.cnf -out p384.cert.pem 2>/dev/null",
             dir, pki("citizen-ca.cert.pem"), pki("citizen-ca.key.pem"));
    assert_int_equal(system(cmd), 0);
    emza_signer *s = NULL;
    assert_ok(emza_signer_open_pem(&s, in(dir, "p384.key.pem"), NULL, in(dir, "p384.cert.pem"),
                                   pki("citizen-ca.cert.pem")));
    const char *doc = in(dir, "deed.xml"), *out = in(dir, "signed.xml");
    write_text(doc, DEED);
    emza_sign_options o = options(EMZA_FORMAT_XADES_ENVELOPED);
    o.digest = "sha384";
    assert_ok(emza_sign(s, &o, &doc, 1, out));
    emza_signer_free(s);
    emza_report *r = verify(out);
    assert_passed(r, 0);
    assert_string_equal(emza_signature_algorithm(sig_of(r, 0)), "ecdsa-sha384");
    emza_report_free(r);
}

static void test_xades_sign__optional_properties(void **state)
{
    (void)state;
    const char *dir = test_dir("props");
    const char *doc = in(dir, "deed.xml"), *out = in(dir, "signed.xml");
    write_text(doc, DEED);
    emza_sign_options o = options(EMZA_FORMAT_XADES_ENVELOPED);
    o.signer_role = "سردفتر & <notary>";
    o.production_city = "تهران";
    o.production_country = "IR";
    o.policy_oid = "2.16.364.101.1.1";
    o.policy_sha256 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    o.mime_type = "application/vnd.emza.deed+xml";
    sign_as("org-seal", &o, &doc, 1, out);
    assert_true(contains(out, "<xades:ClaimedRole>سردفتر &amp; &lt;notary&gt;</xades:ClaimedRole>"));
    assert_true(contains(out, "<xades:City>تهران</xades:City>"));
    assert_true(contains(out, "<xades:CountryName>IR</xades:CountryName>"));
    assert_true(contains(out, "urn:oid:2.16.364.101.1.1</xades:Identifier>"));
    assert_true(contains(out, "ABEiM0RVZneImaq7zN3u/wARIjNEVWZ3iJmqu8zd7v8="));
    emza_report *r = verify(out);
    assert_passed(r, 0);
    assert_string_equal(emza_signature_object_mime_type(sig_of(r, 0), 0),
                        "application/vnd.emza.deed+xml");
    assert_string_equal(emza_cert_legal_id(emza_signature_signer(sig_of(r, 0))), "10380284790");
    emza_report_free(r);

    /* bad option values are refused before anything is written */
    emza_sign_options bad = options(EMZA_FORMAT_XADES_ENVELOPED);
    bad.policy_oid = "2.16.364";
    bad.policy_sha256 = "zz";
    emza_signer *s = p12("citizen-rsa");
    assert_error(emza_sign(s, &bad, &doc, 1, in(dir, "bad.xml")), EMZA_EINVAL);
    bad.policy_oid = NULL;
    bad.policy_sha256 = NULL;
    bad.signer_role = "bell\a";
    assert_error(emza_sign(s, &bad, &doc, 1, in(dir, "bad.xml")), EMZA_EINVAL);
    /* a text property longer than the limit */
    char long_role[EMZA_XADES_PROPERTY_MAX + 2];
    memset(long_role, 'r', sizeof(long_role) - 1);
    long_role[EMZA_XADES_PROPERTY_MAX + 1] = '\0';
    bad.signer_role = long_role;
    assert_error(emza_sign(s, &bad, &doc, 1, in(dir, "bad.xml")), EMZA_EINVAL);
    long_role[EMZA_XADES_PROPERTY_MAX] = '\0';
    bad.signer_role = long_role;
    assert_ok(emza_sign(s, &bad, &doc, 1, in(dir, "long-role.xml")));
    emza_signer_free(s);
    assert_int_equal(access(in(dir, "bad.xml"), F_OK), -1);
}

static void test_xades_sign__parallel_enveloped_three_signers(void **state)
{
    (void)state;
    const char *dir = test_dir("parallel-enveloped");
    const char *doc = in(dir, "deed.xml"), *one = in(dir, "one.xml"), *two = in(dir, "two.xml"),
               *three = in(dir, "three.xml");
    write_text(doc, DEED);
    sign1("citizen-rsa", EMZA_FORMAT_XADES_ENVELOPED, doc, one);
    emza_sign_options o = options(EMZA_FORMAT_XADES_ENVELOPED);
    o.mode = EMZA_SIGN_PARALLEL;
    o.existing = one;
    sign_as("org-seal", &o, &one, 1, two);
    o.existing = two;
    sign_as("citizen-ec", &o, &two, 1, three);
    emza_report *r = verify(three);
    assert_int_equal(emza_report_signature_count(r), 3);
    for (size_t i = 0; i < 3; i++) {
        assert_passed(r, i);
        assert_true(emza_signature_object_whole_document(sig_of(r, i), 0));
    }
    assert_string_equal(emza_cert_common_name(emza_signature_signer(sig_of(r, 1))),
                        "Emza Test Notary Office");
    emza_report_free(r);
    /* the later signatures cover the earlier ones: changing S0's SignatureValue breaks all */
    flip_after(three, "-value\">");
    r = verify(three);
    assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_SIG_CRYPTO_FAILURE);
    assert_verdict(r, 1, EMZA_TOTAL_FAILED, EMZA_SUB_HASH_FAILURE);
    assert_verdict(r, 2, EMZA_TOTAL_FAILED, EMZA_SUB_HASH_FAILURE);
    emza_report_free(r);
    /* the content must be the existing file itself */
    emza_signer *s = p12("citizen-rsa");
    o.existing = one;
    assert_error(emza_sign(s, &o, &doc, 1, in(dir, "x.xml")), EMZA_EINVAL);
    emza_signer_free(s);
}

static void test_xades_sign__parallel_detached_and_enveloping(void **state)
{
    (void)state;
    const char *dir = test_dir("parallel-other");
    const char *doc = in(dir, "deed.xml"), *d1 = in(dir, "d1.xml"), *d2 = in(dir, "d2.xml");
    const char *e1 = in(dir, "e1.xml"), *e2 = in(dir, "e2.xml");
    write_text(doc, DEED);
    sign1("citizen-rsa", EMZA_FORMAT_XADES_DETACHED, doc, d1);
    emza_sign_options o = options(EMZA_FORMAT_XADES_DETACHED);
    o.mode = EMZA_SIGN_PARALLEL;
    o.existing = d1;
    sign_as("citizen-ec", &o, &doc, 1, d2);
    emza_report *r = verify_data(d2, &doc, 1);
    assert_int_equal(emza_report_signature_count(r), 2);
    assert_passed(r, 0);
    assert_passed(r, 1);
    emza_report_free(r);

    sign1("citizen-rsa", EMZA_FORMAT_XADES_ENVELOPING, doc, e1);
    o = options(EMZA_FORMAT_XADES_ENVELOPING);
    o.mode = EMZA_SIGN_PARALLEL;
    o.existing = e1;
    sign_as("citizen-ec", &o, &e1, 1, e2);
    r = verify(e2);
    assert_int_equal(emza_report_signature_count(r), 2);
    assert_passed(r, 0);
    assert_passed(r, 1);
    assert_string_equal(emza_signature_object_uri(sig_of(r, 0), 0),
                        emza_signature_object_uri(sig_of(r, 1), 0));
    emza_report_free(r);
}

static void test_xades_sign__refuses_bad_inputs(void **state)
{
    (void)state;
    const char *dir = test_dir("bad-inputs");
    const char *txt = in(dir, "a.txt"), *dtd = in(dir, "dtd.xml"), *out = in(dir, "out.xml");
    write_text(txt, "not xml");
    write_text(dtd, "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>");
    emza_signer *s = p12("citizen-rsa");
    emza_sign_options o = options(EMZA_FORMAT_XADES_ENVELOPED);
    assert_error(emza_sign(s, &o, &txt, 1, out), EMZA_EFORMAT);
    assert_error(emza_sign(s, &o, &dtd, 1, out), EMZA_EFORMAT);
    o.mode = EMZA_SIGN_PARALLEL;
    o.existing = txt;
    assert_error(emza_sign(s, &o, &txt, 1, out), EMZA_EFORMAT);
    o = options(EMZA_FORMAT_XADES_ENVELOPING);
    o.mime_type = "text/xml"; /* claims XML: must parse */
    assert_error(emza_sign(s, &o, &txt, 1, out), EMZA_EFORMAT);
    emza_signer_free(s);
    assert_int_equal(access(out, F_OK), -1);
}

/* ------------------------------------------------------------------------ */
/* verification: negative cases                                              */
/* ------------------------------------------------------------------------ */

static const char *signed_deed(const char *dir, const char *who)
{
    const char *doc = in(dir, "deed.xml"), *out = in(dir, "signed.xml");
    write_text(doc, DEED);
    sign1(who, EMZA_FORMAT_XADES_ENVELOPED, doc, out);
    return out;
}

static void test_xades_verify__tampered_content_is_hash_failure(void **state)
{
    (void)state;
    const char *out = signed_deed(test_dir("tamper-content"), "citizen-rsa");
    edit_file(out, NULL, "1000000000", "9000000000");
    emza_report *r = verify(out);
    assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_HASH_FAILURE);
    assert_true(has_code(sig_of(r, 0), "HASH_MISMATCH", 0));
    emza_report_free(r);
}

static void test_xades_verify__comments_and_whitespace_outside_c14n(void **state)
{
    (void)state;
    const char *out = signed_deed(test_dir("comment"), "citizen-rsa");
    /* comments are not in the URI="" node-set: changing one keeps the signature */
    edit_file(out, NULL, "a comment the signature", "another comment the sig");
    emza_report *r = verify(out);
    assert_passed(r, 0);
    emza_report_free(r);
}

static void test_xades_verify__tampered_signature_value_is_sig_crypto_failure(void **state)
{
    (void)state;
    const char *out = signed_deed(test_dir("tamper-value"), "citizen-ec");
    flip_after(out, "-value\">");
    emza_report *r = verify(out);
    assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_SIG_CRYPTO_FAILURE);
    assert_true(has_code(sig_of(r, 0), "SIGNATURE_INVALID", 0));
    emza_report_free(r);
}

static void test_xades_verify__swapped_certificate(void **state)
{
    (void)state;
    const char *dir = test_dir("swap");
    const char *out = signed_deed(dir, "citizen-rsa");
    char *rsa = cert_b64("citizen-rsa"), *ec = cert_b64("citizen-ec");
    edit_file(out, NULL, rsa, ec);
    /* XAdES names its certificate by digest: the swapped one is not it */
    emza_report *r = verify(out);
    assert_verdict(r, 0, EMZA_INDETERMINATE, EMZA_SUB_NO_SIGNING_CERTIFICATE_FOUND);
    emza_report_free(r);
    /* given the real certificate, the signature is found intact: KeyInfo is not what decides */
    emza_cert_list *untrusted = NULL;
    assert_ok(emza_cert_list_new(&untrusted));
    assert_ok(emza_cert_list_add_path(untrusted, pki("citizen-rsa.cert.pem")));
    emza_verify_options o = EMZA_VERIFY_OPTIONS_INIT;
    o.trust = g_trust;
    o.untrusted = untrusted;
    o.offline = 1;
    r = verify_opts(out, &o);
    assert_passed(r, 0);
    assert_string_equal(emza_cert_national_code(emza_signature_signer(sig_of(r, 0))), "0499370899");
    emza_report_free(r);
    emza_cert_list_free(untrusted);

    /* plain XML-DSig takes the key from KeyInfo: a swapped certificate fails the signature */
    const char *plain = in(dir, "plain.xml");
    char *t = body_template("b", "", "");
    template_sign(t, "citizen-rsa", plain);
    free(t);
    r = verify(plain);
    assert_string_equal(emza_report_document_format(r), "XMLDSig");
    assert_string_equal(emza_signature_level(sig_of(r, 0)), "XMLDSig");
    assert_passed(r, 0);
    emza_report_free(r);
    edit_file(plain, NULL, rsa, ec);
    r = verify(plain);
    assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_SIG_CRYPTO_FAILURE);
    emza_report_free(r);
    free(rsa);
    free(ec);
}

static void test_xades_verify__signing_certificate_v2_mismatch(void **state)
{
    (void)state;
    const char *out = signed_deed(test_dir("scv2"), "citizen-rsa");
    flip_after(out, "<xades:CertDigest><ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/"
                    "xmlenc#sha256\"/><ds:DigestValue>");
    emza_report *r = verify(out);
    assert_verdict(r, 0, EMZA_INDETERMINATE, EMZA_SUB_NO_SIGNING_CERTIFICATE_FOUND);
    /* the broken SignedProperties digest is reported too, ranked after */
    assert_true(has_code(sig_of(r, 0), "HASH_MISMATCH", 0));
    assert_null(emza_signature_signer(sig_of(r, 0)));
    emza_report_free(r);
}

static void test_xades_verify__forged_lt_uses_the_signed_certificate_only(void **state)
{
    (void)state;
    /* The vectors are part of every checkout (meson sets EMZA_VECTORS): no silent skip. */
    const char *vectors = getenv("EMZA_VECTORS");
    assert_non_null(vectors);
    const char *dir = test_dir("forged");
    char cmd[4096];
    /* python3 is installed by scripts/test (unzip is not on a fresh machine). */
    snprintf(cmd, sizeof(cmd),
             "python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2], "
             "[\"META-INF/signatures0.xml\", \"example-for-signing.txt\"])' "
             "'%s/asic-interop/forged_lt.asice' '%s'",
             vectors, dir);
    if (system(cmd) != 0)
        fail_msg("cannot extract forged_lt.asice: %s", cmd);
    const char *data = in(dir, "example-for-signing.txt");
    emza_report *r = verify_data(in(dir, "META-INF/signatures0.xml"), &data, 1);
    assert_string_equal(emza_report_document_format(r), "XAdES");
    assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_SIG_CRYPTO_FAILURE);
    const emza_cert *signer = emza_signature_signer(sig_of(r, 0));
    assert_non_null(signer);
    assert_non_null(strstr(emza_cert_subject(signer), "HUGO MARTIN"));
    emza_report_free(r);
}

static void test_xades_verify__rejects_duplicate_ids(void **state)
{
    (void)state;
    const char *dir = test_dir("dup");
    const char *out = in(dir, "dup.xml");
    char *t = body_template("b", "", "");
    template_sign(t, "citizen-rsa", out);
    free(t);
    emza_report *r = verify(out);
    assert_passed(r, 0);
    emza_report_free(r);
    static const char *const dups[] = {"<x Id=\"b\"/>", "<x ID=\"b\"/>", "<x id=\"b\"/>",
                                       "<x xml:id=\"b\"/>"};
    for (size_t i = 0; i < 4; i++) {
        const char *copy = in(dir, "copy.xml");
        char *text = read_text(out);
        char tag[64];
        snprintf(tag, sizeof(tag), "<doc>%s", dups[i]);
        text = replace(text, NULL, "<doc>", tag);
        write_text(copy, text);
        free(text);
        r = verify(copy);
        assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_FORMAT_FAILURE);
        assert_true(has_code(sig_of(r, 0), "DUPLICATE_ID", 0));
        emza_report_free(r);
    }
}

static void test_xades_verify__wrapping_shows_what_is_really_signed(void **state)
{
    (void)state;
    const char *dir = test_dir("wrap");
    const char *out = in(dir, "signed.xml"), *wrapped = in(dir, "wrapped.xml");
    char *t = body_template("b", "", "");
    template_sign(t, "citizen-rsa", out);
    free(t);
    emza_report *r = verify(out);
    assert_passed(r, 0);
    const emza_signature_report *s = sig_of(r, 0);
    assert_string_equal(emza_signature_object_uri(s, 0), "#b");
    assert_false(emza_signature_object_whole_document(s, 0));
    assert_true(has_code(s, "PARTIAL_COVERAGE", 1));
    emza_report_free(r);

    /* the signed body moved into an Object, an unsigned one in its place */
    char *text = read_text(out);
    text = replace(text, NULL, "<body Id=\"b\">pay 10 rials</body>",
                   "<body Id=\"evil\">pay 1000000 rials</body>");
    text = replace(text, NULL, "</ds:KeyInfo>",
                   "</ds:KeyInfo><ds:Object><body Id=\"b\">pay 10 rials</body></ds:Object>");
    write_text(wrapped, text);
    free(text);
    r = verify(wrapped);
    s = sig_of(r, 0);
    /* the crypto holds, and the report says exactly that only #b, not the document, is signed */
    assert_passed(r, 0);
    assert_string_equal(emza_signature_object_uri(s, 0), "#b");
    assert_false(emza_signature_object_whole_document(s, 0));
    assert_true(has_code(s, "PARTIAL_COVERAGE", 1));
    emza_report_free(r);

    /* the same with the unsigned element reusing the signed one's Id: refused */
    edit_file(wrapped, NULL, "Id=\"evil\"", "Id=\"b\"");
    r = verify(wrapped);
    assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_FORMAT_FAILURE);
    emza_report_free(r);

    /* a reference to the document element covers the whole document */
    const char *whole = in(dir, "whole.xml");
    char *cert = rsa_x509_certs();
    size_t size = strlen(cert) + 4096;
    char *tw = malloc(size);
    snprintf(tw, size,
             "<doc Id=\"all\"><body>pay</body><ds:Signature " DS_NS "><ds:SignedInfo>"
             "<ds:CanonicalizationMethod Algorithm=\"" EXC "\"/>"
             "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>"
             "<ds:Reference URI=\"#all\"><ds:Transforms>"
             "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>"
             "</ds:Transforms><ds:DigestMethod "
             "Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue/>"
             "</ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data>"
             "%s</ds:X509Data></ds:KeyInfo></ds:Signature></doc>",
             cert);
    template_sign(tw, "citizen-rsa", whole);
    free(tw);
    free(cert);
    r = verify(whole);
    assert_passed(r, 0);
    assert_true(emza_signature_object_whole_document(sig_of(r, 0), 0));
    assert_false(has_code(sig_of(r, 0), "PARTIAL_COVERAGE", 1));
    emza_report_free(r);
}

static void test_xades_verify__signed_properties_must_be_its_own(void **state)
{
    (void)state;
    const char *dir = test_dir("sp");
    const char *out = signed_deed(dir, "citizen-rsa");
    /* the SignedProperties reference loses its Type */
    const char *copy = in(dir, "notype.xml");
    char *t = read_text(out);
    t = replace(t, NULL, " Type=\"http://uri.etsi.org/01903#SignedProperties\"", "");
    write_text(copy, t);
    free(t);
    emza_report *r = verify(copy);
    assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_FORMAT_FAILURE);
    emza_report_free(r);
    /* QualifyingProperties' Target names another signature */
    t = read_text(out);
    t = replace(t, NULL, "Target=\"#", "Target=\"#x");
    write_text(copy, t);
    free(t);
    r = verify(copy);
    assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_FORMAT_FAILURE);
    emza_report_free(r);
    /* a second, unsigned SignedProperties in another Object is ignored: a second
     * QualifyingProperties is a format failure */
    t = read_text(out);
    t = replace(t, NULL, "</ds:Signature>",
                "<ds:Object><xades:QualifyingProperties xmlns:xades=\"http://uri.etsi.org/01903/"
                "v1.3.2#\"/></ds:Object></ds:Signature>");
    write_text(copy, t);
    free(t);
    r = verify(copy);
    assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_FORMAT_FAILURE);
    emza_report_free(r);
}

/* A FIFO: opening it for reading blocks until a writer comes, so a parser that tried would hang. */
static const char *fifo(const char *dir)
{
    const char *p = in(dir, "trap.fifo");
    assert_int_equal(mkfifo(p, 0600), 0);
    return p;
}

static void assert_refused_fast(const char *path, const char *code)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    emza_report *r = verify(path);
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_FORMAT_FAILURE);
    assert_true(has_code(sig_of(r, 0), code, 0));
    assert_true(b.tv_sec - a.tv_sec < 5);
    emza_report_free(r);
}

static void test_xades_verify__xxe_and_external_dtd_are_never_read(void **state)
{
    (void)state;
    const char *dir = test_dir("xxe");
    const char *trap = fifo(dir);
    char doc[2048];
    const char *path = in(dir, "xxe.xml");
    snprintf(doc, sizeof(doc),
             "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file://%s\">]><d>&x;</d>",
             trap);
    write_text(path, doc);
    assert_refused_fast(path, "DOCTYPE_REFUSED");
    snprintf(doc, sizeof(doc), "<?xml version=\"1.0\"?><!DOCTYPE d SYSTEM \"%s\"><d/>", trap);
    write_text(path, doc);
    assert_refused_fast(path, "DOCTYPE_REFUSED");
    snprintf(doc, sizeof(doc),
             "<!DOCTYPE d [<!ENTITY %% p SYSTEM \"%s\"> %%p;]><d/>", trap);
    write_text(path, doc);
    assert_refused_fast(path, "DOCTYPE_REFUSED");
    /* a signed document with a DOCTYPE added is refused the same way */
    const char *out = signed_deed(dir, "citizen-rsa");
    edit_file(out, NULL, "?>", "?><!DOCTYPE deed>");
    assert_refused_fast(out, "DOCTYPE_REFUSED");
}

static void test_xades_verify__billion_laughs_fails_fast(void **state)
{
    (void)state;
    const char *dir = test_dir("laughs");
    emza_buf b;
    emza__buf_init(&b, 1u << 20);
    assert_ok(emza__buf_append_str(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
                                       " <!ENTITY lol0 \"lol\">\n"));
    for (int i = 1; i < 10; i++) {
        assert_ok(emza__buf_appendf(&b, " <!ENTITY lol%d \"", i));
        for (int k = 0; k < 10; k++)
            assert_ok(emza__buf_appendf(&b, "&lol%d;", i - 1));
        assert_ok(emza__buf_append_str(&b, "\">\n"));
    }
    assert_ok(emza__buf_append_str(&b, "]>\n<lolz>&lol9;</lolz>\n"));
    const char *path = in(dir, "laughs.xml");
    write_file(path, b.data, b.len);
    emza__buf_free(&b);
    assert_refused_fast(path, "DOCTYPE_REFUSED");
}

static void test_xades_verify__refused_transforms(void **state)
{
    (void)state;
    const char *dir = test_dir("transforms");
    const char *out = signed_deed(dir, "citizen-rsa");
    static const char *const refused[] = {
        "http://www.w3.org/TR/1999/REC-xslt-19991116",
        "http://www.w3.org/TR/1999/REC-xpath-19991116",
        "http://www.w3.org/2002/06/xmldsig-filter2",
        "urn:unknown:transform",
    };
    for (size_t i = 0; i < 4; i++) {
        const char *copy = in(dir, "copy.xml");
        char *t = read_text(out);
        t = replace(t, NULL, "http://www.w3.org/2000/09/xmldsig#enveloped-signature", refused[i]);
        write_text(copy, t);
        free(t);
        emza_report *r = verify(copy);
        assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_FORMAT_FAILURE);
        emza_report_free(r);
    }
    /* a refused transform inside a ds:Manifest is refused too */
    const char *copy = in(dir, "manifest.xml");
    char *t = read_text(out);
    t = replace(t, NULL, "</ds:Signature>",
                "<ds:Object><ds:Manifest><ds:Reference URI=\"\"><ds:Transforms><ds:Transform "
                "Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\"/></ds:Transforms>"
                "<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>"
                "<ds:DigestValue>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=</ds:DigestValue>"
                "</ds:Reference></ds:Manifest></ds:Object></ds:Signature>");
    write_text(copy, t);
    free(t);
    emza_report *r = verify(copy);
    assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_FORMAT_FAILURE);
    emza_report_free(r);
}

static void test_xades_verify__file_and_http_references_are_not_resolved(void **state)
{
    (void)state;
    const char *dir = test_dir("refs");
    const char *doc = in(dir, "deed.xml"), *out = in(dir, "det.xml");
    write_text(doc, DEED);
    sign1("citizen-rsa", EMZA_FORMAT_XADES_DETACHED, doc, out);
    const char *trap = fifo(dir);
    char uri[1200];
    snprintf(uri, sizeof(uri), "URI=\"file://%s\"", trap);
    const char *uris[] = {uri, "URI=\"http://127.0.0.1:9/deed.xml\"", "URI=\"/etc/passwd\"",
                          "URI=\"../deed.xml\"", "URI=\"#missing\""};
    for (size_t i = 0; i < 5; i++) {
        const char *copy = in(dir, "copy.xml");
        char *t = read_text(out);
        t = replace(t, NULL, "URI=\"deed.xml\"", uris[i]);
        write_text(copy, t);
        free(t);
        emza_report *r = verify(copy);
        assert_verdict(r, 0, EMZA_INDETERMINATE, EMZA_SUB_SIGNED_DATA_NOT_FOUND);
        emza_report_free(r);
    }
}

static void test_xades_verify__truncated_and_binary_input(void **state)
{
    (void)state;
    const char *dir = test_dir("trunc");
    const char *out = signed_deed(dir, "citizen-ec");
    char *full = read_text(out);
    size_t len = strlen(full);
    const char *copy = in(dir, "cut.xml");
    for (size_t cut = 1; cut < len; cut += len / 97 + 1) {
        write_file(copy, full, cut);
        emza_report *r = NULL;
        assert_ok(emza_verify_file(&r, copy, NULL));
        /* a prefix is either refused or holds no signature */
        if (emza_report_signature_count(r) > 0)
            assert_int_not_equal(emza_signature_indication(sig_of(r, 0)), EMZA_TOTAL_PASSED);
        emza_report_free(r);
    }
    free(full);
    uint8_t bin[4096];
    unsigned int seed = 12345;
    for (int round = 0; round < 20; round++) {
        for (size_t i = 0; i < sizeof(bin); i++) {
            seed = seed * 1103515245u + 12345u;
            bin[i] = (uint8_t)(seed >> 16);
        }
        bin[0] = '<';
        write_file(copy, bin, sizeof(bin));
        emza_report *r = NULL;
        assert_ok(emza_verify_file(&r, copy, NULL));
        assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_FORMAT_FAILURE);
        emza_report_free(r);
    }
}

static void test_xades_verify__keyvalue_only_has_no_signing_certificate(void **state)
{
    (void)state;
    const char *dir = test_dir("keyvalue");
    const char *out = in(dir, "kv.xml");
    emza_signer *s = p12("citizen-ec");
    const EVP_PKEY *pub = emza__signer_public_key(s);
    uint8_t *spki = NULL;
    int n = i2d_PUBKEY((EVP_PKEY *)(uintptr_t)pub, &spki);
    assert_true(n > 0);
    emza_buf b64;
    emza__buf_init(&b64, 4096);
    assert_ok(emza__base64_encode(&b64, spki, (size_t)n));
    OPENSSL_free(spki);
    emza_signer_free(s);
    char t[8192];
    snprintf(t, sizeof(t),
             "<ds:Signature " DS_NS "><ds:SignedInfo>"
             "<ds:CanonicalizationMethod Algorithm=\"" EXC "\"/>"
             "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256\"/>"
             "<ds:Reference URI=\"#o\"><ds:DigestMethod "
             "Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue/>"
             "</ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo>"
             "<DEREncodedKeyValue xmlns=\"http://www.w3.org/2009/xmldsig11#\">%s"
             "</DEREncodedKeyValue></ds:KeyInfo><ds:Object Id=\"o\">data</ds:Object>"
             "</ds:Signature>",
             (const char *)b64.data);
    emza__buf_free(&b64);
    template_sign(t, "citizen-ec", out);
    emza_report *r = verify(out);
    assert_verdict(r, 0, EMZA_INDETERMINATE, EMZA_SUB_NO_SIGNING_CERTIFICATE_FOUND);
    /* the key itself verified: no cryptographic error is listed */
    assert_false(has_code(sig_of(r, 0), "SIGNATURE_INVALID", 0));
    assert_false(has_code(sig_of(r, 0), "HASH_MISMATCH", 0));
    emza_report_free(r);
    flip_after(out, "<ds:SignatureValue>");
    r = verify(out);
    assert_verdict(r, 0, EMZA_INDETERMINATE, EMZA_SUB_NO_SIGNING_CERTIFICATE_FOUND);
    assert_true(has_code(sig_of(r, 0), "SIGNATURE_INVALID", 0));
    emza_report_free(r);
}

/* A KeyValue-only signature whose RSA modulus has `bytes` bytes. */
static emza_report *rsa_key_value_of(const char *dir, size_t bytes)
{
    uint8_t *modulus = malloc(bytes);
    assert_non_null(modulus);
    memset(modulus, 0xC5, bytes);
    emza_buf b64;
    emza__buf_init(&b64, 1u << 20);
    assert_ok(emza__base64_encode(&b64, modulus, bytes));
    free(modulus);
    emza_buf t;
    emza__buf_init(&t, 1u << 20);
    assert_ok(emza__buf_appendf(
        &t,
        "<ds:Signature " DS_NS "><ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"" EXC
        "\"/><ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>"
        "<ds:Reference URI=\"#o\"><ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/"
        "xmlenc#sha256\"/><ds:DigestValue>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        "</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>AAAA"
        "</ds:SignatureValue><ds:KeyInfo><ds:KeyValue><ds:RSAKeyValue><ds:Modulus>%s"
        "</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue></ds:KeyInfo>"
        "<ds:Object Id=\"o\">x</ds:Object></ds:Signature>",
        (const char *)b64.data));
    emza__buf_free(&b64);
    const char *path = in(dir, "rsakv.xml");
    write_file(path, t.data, t.len);
    emza__buf_free(&t);
    return verify(path);
}

static void test_xmldsig__key_value_part_limit(void **state)
{
    (void)state;
    const char *dir = test_dir("kv-limit");
    emza_report *r = rsa_key_value_of(dir, EMZA_XMLDSIG_KEY_PART_MAX);
    assert_verdict(r, 0, EMZA_INDETERMINATE, EMZA_SUB_NO_SIGNING_CERTIFICATE_FOUND);
    assert_false(has_code(sig_of(r, 0), "BAD_KEY_VALUE", 1));
    emza_report_free(r);
    r = rsa_key_value_of(dir, EMZA_XMLDSIG_KEY_PART_MAX + 1);
    assert_verdict(r, 0, EMZA_INDETERMINATE, EMZA_SUB_NO_SIGNING_CERTIFICATE_FOUND);
    assert_true(has_code(sig_of(r, 0), "BAD_KEY_VALUE", 1));
    emza_report_free(r);
}

static void test_xades_verify__no_signature_and_no_noise(void **state)
{
    (void)state;
    const char *dir = test_dir("nosig");
    const char *path = in(dir, "plain.xml");
    write_text(path, DEED);
    emza_report *r = verify(path);
    assert_int_equal(emza_report_signature_count(r), 0);
    assert_int_equal(emza_report_summarize(r), EMZA_REPORT_NO_SIGNATURE);
    emza_report_free(r);
    /* libxml2 never writes to stderr: errors come back in the report */
    fflush(stderr);
    int saved = dup(2);
    const char *err = in(dir, "stderr.txt");
    int fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);
    write_text(path, "<a><b></a>");
    r = verify(path);
    emza_report_free(r);
    write_text(path, "<?xml version=\"1.0\" encoding=\"no-such-encoding\"?><a/>");
    r = verify(path);
    emza_report_free(r);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char *noise = read_text(err);
    assert_string_equal(noise, "");
    free(noise);
}

static void test_xades_verify__signing_time_forms(void **state)
{
    (void)state;
    const char *dir = test_dir("time");
    const char *out = signed_deed(dir, "citizen-rsa");
    char *t = read_text(out);
    char *p = strstr(t, "<xades:SigningTime>");
    assert_non_null(p);
    p += strlen("<xades:SigningTime>");
    static const struct {
        const char *text;
        int64_t want; /* -1: format failure */
    } forms[] = {
        {"2026-01-01T03:30:00.125+03:30", 1767225600},
        {"2026-01-01T00:00:00Z", 1767225600},
        {"2025-12-31T19:00:00-05:00", 1767225600},
        {"2026-13-01T00:00:00Z", -1},
        {"2026-01-01T00:00:00+3:30", -1},
        /* longer than EMZA_XMLDSIG_SMALL_TEXT_MAX: not read */
        {"2026-01-01T00:00:00.00000000000000000000000000000000000000000000000000000000000000000"
         "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
         "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
         "000000000000Z",
         -1},
    };
    assert_true(strlen(forms[5].text) > EMZA_XMLDSIG_SMALL_TEXT_MAX);
    for (size_t i = 0; i < 6; i++) {
        char *copy_text = splice(t, p, strstr(p, "</xades:SigningTime>"), forms[i].text);
        const char *copy = in(dir, "copy.xml");
        write_text(copy, copy_text);
        free(copy_text);
        emza_report *r = verify(copy);
        const emza_signature_report *s = sig_of(r, 0);
        if (forms[i].want < 0) {
            assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_FORMAT_FAILURE);
        } else {
            int present = 0;
            assert_int_equal(emza_signature_claimed_signing_time(s, &present), forms[i].want);
            assert_true(present);
            /* the signed properties changed: their digest fails */
            assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_HASH_FAILURE);
        }
        emza_report_free(r);
    }
    free(t);
}

typedef struct thread_job {
    const char *paths[3];
    int failures;
} thread_job;

static void *verify_many(void *arg)
{
    thread_job *j = arg;
    for (int round = 0; round < 10; round++) {
        for (size_t i = 0; i < 3; i++) {
            emza_verify_options o = EMZA_VERIFY_OPTIONS_INIT;
            o.trust = g_trust;
            o.offline = 1;
            emza_report *r = NULL;
            if (emza_verify_file(&r, j->paths[i], &o) != EMZA_OK) {
                j->failures++;
                continue;
            }
            const emza_signature_report *s = emza_report_signature(r, 0);
            emza_indication want = i == 0 ? EMZA_TOTAL_PASSED : EMZA_TOTAL_FAILED;
            if (s == NULL || emza_signature_indication(s) != want)
                j->failures++;
            emza_report_free(r);
        }
    }
    return NULL;
}

static void test_xades_verify__threads_share_nothing(void **state)
{
    (void)state;
    const char *dir = test_dir("threads");
    const char *good = signed_deed(dir, "citizen-ec");
    const char *bad = in(dir, "bad.xml"), *dtd = in(dir, "dtd.xml");
    write_text(bad, "<a><b></a>");
    write_text(dtd, "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>");
    thread_job jobs[4];
    pthread_t threads[4];
    for (size_t t = 0; t < 4; t++) {
        jobs[t] = (thread_job){{good, bad, dtd}, 0};
        assert_int_equal(pthread_create(&threads[t], NULL, verify_many, &jobs[t]), 0);
    }
    for (size_t t = 0; t < 4; t++) {
        assert_int_equal(pthread_join(threads[t], NULL), 0);
        assert_int_equal(jobs[t].failures, 0);
    }
}

/* ------------------------------------------------------------------------ */
/* limits                                                                    */
/* ------------------------------------------------------------------------ */

static void test_xml_parse__depth_limit(void **state)
{
    (void)state;
    emza_buf b;
    emza__buf_init(&b, 1u << 20);
    for (int i = 0; i < EMZA_XML_DEPTH_MAX; i++)
        assert_ok(emza__buf_append_str(&b, "<a>"));
    for (int i = 0; i < EMZA_XML_DEPTH_MAX; i++)
        assert_ok(emza__buf_append_str(&b, "</a>"));
    xmlDocPtr doc = NULL;
    assert_ok(emza__xml_parse(&doc, b.data, b.len, NULL));
    xmlFreeDoc(doc);
    emza__buf_free(&b);
    emza__buf_init(&b, 1u << 20);
    for (int i = 0; i <= EMZA_XML_DEPTH_MAX; i++)
        assert_ok(emza__buf_append_str(&b, "<a>"));
    for (int i = 0; i <= EMZA_XML_DEPTH_MAX; i++)
        assert_ok(emza__buf_append_str(&b, "</a>"));
    assert_error(emza__xml_parse(&doc, b.data, b.len, NULL), EMZA_ELIMIT);
    assert_null(doc);
    emza__buf_free(&b);
}

static void test_xml_parse__node_and_size_limits(void **state)
{
    (void)state;
    /* the default node limit, crossed by one */
    emza_buf b;
    emza__buf_init(&b, 64u << 20);
    assert_ok(emza__buf_append_str(&b, "<r>"));
    for (unsigned long i = 0; i < EMZA_XML_NODES_MAX; i++)
        assert_ok(emza__buf_append(&b, "<a/>", 4));
    assert_ok(emza__buf_append_str(&b, "</r>"));
    xmlDocPtr doc = NULL;
    assert_error(emza__xml_parse(&doc, b.data, b.len, NULL), EMZA_ELIMIT);
    assert_non_null(strstr(emza_error_last()->message, "more than"));
    /* one node fewer parses */
    b.len -= 8;
    assert_ok(emza__buf_append_str(&b, "</r>"));
    assert_ok(emza__xml_parse(&doc, b.data, b.len, NULL));
    xmlFreeDoc(doc);
    emza__buf_free(&b);
    /* the byte limit (a small one, so the test stays cheap) and the default constant */
    emza__xml_limits small = {64, EMZA_XML_DEPTH_MAX, EMZA_XML_NODES_MAX};
    const char *doc65 = "<a>0123456789012345678901234567890123456789012345678901234567</a>";
    assert_int_equal(strlen(doc65), 65);
    assert_error(emza__xml_parse(&doc, (const uint8_t *)doc65, 65, &small), EMZA_ELIMIT);
    const char *doc64 = "<a>012345678901234567890123456789012345678901234567890123456</a>";
    assert_int_equal(strlen(doc64), 64);
    assert_ok(emza__xml_parse(&doc, (const uint8_t *)doc64, 64, &small));
    xmlFreeDoc(doc);
    assert_int_equal(EMZA_XML_DOCUMENT_MAX, (size_t)EMZA_SIGNED_FILE_MAX);
    assert_error(emza__xml_parse(&doc, (const uint8_t *)"", 0, NULL), EMZA_EFORMAT);
}

static void test_xml_parse__ids_limit(void **state)
{
    (void)state;
    emza_buf b;
    emza__buf_init(&b, 64u << 20);
    assert_ok(emza__buf_append_str(&b, "<r>"));
    for (unsigned int i = 0; i <= EMZA_XML_IDS_MAX; i++)
        assert_ok(emza__buf_appendf(&b, "<a Id=\"i%u\"/>", i));
    assert_ok(emza__buf_append_str(&b, "</r>"));
    xmlDocPtr doc = NULL;
    assert_ok(emza__xml_parse(&doc, b.data, b.len, NULL));
    emza__buf_free(&b);
    emza__xml_ids ids;
    assert_error(emza__xml_ids_build(&ids, doc), EMZA_ELIMIT);
    xmlFreeDoc(doc);
}

/* A signed template with `n` references to "#o" and `t` c14n transforms each, verified. */
static emza_report *many(const char *dir, size_t refs, size_t transforms, size_t prefixes)
{
    emza_buf b;
    emza__buf_init(&b, 16u << 20);
    assert_ok(emza__buf_append_str(&b, "<ds:Signature " DS_NS "><ds:SignedInfo>"
                                       "<ds:CanonicalizationMethod Algorithm=\"" EXC "\">"));
    if (prefixes > 0) {
        assert_ok(emza__buf_append_str(
            &b, "<ec:InclusiveNamespaces xmlns:ec=\"" EXC "\" PrefixList=\""));
        for (size_t i = 0; i < prefixes; i++)
            assert_ok(emza__buf_appendf(&b, "p%zu ", i));
        assert_ok(emza__buf_append_str(&b, "\"/>"));
    }
    assert_ok(emza__buf_append_str(
        &b, "</ds:CanonicalizationMethod><ds:SignatureMethod "
            "Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>"));
    for (size_t r = 0; r < refs; r++) {
        assert_ok(emza__buf_append_str(&b, "<ds:Reference URI=\"#o\"><ds:Transforms>"));
        for (size_t t = 0; t < transforms; t++)
            assert_ok(emza__buf_append_str(&b, "<ds:Transform Algorithm=\"" EXC "\"/>"));
        assert_ok(emza__buf_append_str(
            &b, "</ds:Transforms><ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/"
                "xmlenc#sha256\"/><ds:DigestValue/></ds:Reference>"));
    }
    char *cert = rsa_x509_certs();
    assert_ok(emza__buf_appendf(&b,
                                "</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data>"
                                "%s</ds:X509Data></ds:KeyInfo><ds:Object Id=\"o\">x</ds:Object>"
                                "</ds:Signature>",
                                cert));
    free(cert);
    const char *out = in(dir, "many.xml");
    if (refs <= EMZA_XMLDSIG_REFERENCES_MAX && transforms <= EMZA_XMLDSIG_TRANSFORMS_MAX &&
        prefixes <= EMZA_XMLDSIG_PREFIXES_MAX) {
        template_sign((const char *)b.data, "citizen-rsa", out);
    } else {
        write_file(out, b.data, b.len);
    }
    emza__buf_free(&b);
    return verify(out);
}

static void test_xmldsig__reference_transform_prefix_limits(void **state)
{
    (void)state;
    const char *dir = test_dir("limits");
    emza_report *r = many(dir, EMZA_XMLDSIG_REFERENCES_MAX, 1, 0);
    assert_passed(r, 0);
    emza_report_free(r);
    r = many(dir, EMZA_XMLDSIG_REFERENCES_MAX + 1, 1, 0);
    assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_FORMAT_FAILURE);
    emza_report_free(r);
    r = many(dir, 1, EMZA_XMLDSIG_TRANSFORMS_MAX, EMZA_XMLDSIG_PREFIXES_MAX);
    assert_passed(r, 0);
    emza_report_free(r);
    r = many(dir, 1, EMZA_XMLDSIG_TRANSFORMS_MAX + 1, 0);
    assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_FORMAT_FAILURE);
    emza_report_free(r);
    r = many(dir, 1, 1, EMZA_XMLDSIG_PREFIXES_MAX + 1);
    assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_FORMAT_FAILURE);
    emza_report_free(r);
}

static void test_xmldsig__signature_value_and_certificate_limits(void **state)
{
    (void)state;
    const char *dir = test_dir("value-limits");
    const char *out = signed_deed(dir, "citizen-rsa");
    /* a SignatureValue longer than the limit */
    emza_buf big, b64;
    emza__buf_init(&big, 1u << 20);
    emza__buf_init(&b64, 1u << 20);
    for (int i = 0; i <= EMZA_XMLDSIG_SIGNATURE_VALUE_MAX; i++)
        assert_ok(emza__buf_append_byte(&big, 0x55));
    assert_ok(emza__base64_encode(&b64, big.data, big.len));
    char *t = read_text(out);
    char *v = strstr(t, "-value\">");
    assert_non_null(v);
    v += strlen("-value\">");
    char *end = strstr(v, "</ds:SignatureValue>");
    char *copy_text = splice(t, v, end, (const char *)b64.data);
    const char *copy = in(dir, "big.xml");
    write_text(copy, copy_text);
    free(copy_text);
    emza_report *r = verify(copy);
    assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_FORMAT_FAILURE);
    emza_report_free(r);
    /* more certificates in KeyInfo than the limit */
    char *cert = cert_b64("citizen-ca");
    emza_buf certs;
    emza__buf_init(&certs, 16u << 20);
    for (int i = 0; i < EMZA_XMLDSIG_CERTS_MAX; i++)
        assert_ok(emza__buf_appendf(&certs, "<ds:X509Certificate>%s</ds:X509Certificate>", cert));
    assert_ok(emza__buf_append_str(&certs, "</ds:X509Data>"));
    t = replace(t, NULL, "</ds:X509Data>", (const char *)certs.data);
    write_text(copy, t);
    r = verify(copy);
    assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_FORMAT_FAILURE);
    emza_report_free(r);
    free(cert);
    free(t);
    emza__buf_free(&certs);
    emza__buf_free(&big);
    emza__buf_free(&b64);
}

/* ------------------------------------------------------------------------ */
/* core pieces                                                               */
/* ------------------------------------------------------------------------ */

static void test_xmldsig__base64(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *out; /* NULL: refused */
    } cases[] = {
        {"", ""},       {"Zg==", "f"},          {"Zm8=", "fo"},      {"Zm9v", "foo"},
        {" Zm\n9v\t", "foo"}, {"Zm9vYg==", "foob"}, {"Zg=", NULL},       {"Zg", NULL},
        {"Z===", NULL}, {"Zg==Zg==", NULL},     {"Zm9v!", NULL},     {"=Zm9", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        emza_buf out;
        int rc = emza__base64_decode(&out, cases[i].in, strlen(cases[i].in), 64);
        if (cases[i].out == NULL) {
            if (rc != EMZA_EFORMAT)
                fail_msg("\"%s\" was accepted", cases[i].in);
            continue;
        }
        assert_ok(rc);
        assert_int_equal(out.len, strlen(cases[i].out));
        assert_memory_equal(out.data, cases[i].out, out.len);
        emza__buf_free(&out);
        emza_buf enc;
        emza__buf_init(&enc, 64);
        assert_ok(emza__base64_encode(&enc, (const uint8_t *)cases[i].out, strlen(cases[i].out)));
        emza__buf_free(&enc);
    }
    emza_buf out;
    assert_error(emza__base64_decode(&out, "Zm9vYmFy", 8, 5), EMZA_ELIMIT);
}

static void test_xmldsig__uri_file_names(void **state)
{
    (void)state;
    char name[64];
    assert_ok(emza__uri_file_name(name, sizeof(name), "deed.xml"));
    assert_string_equal(name, "deed.xml");
    assert_ok(emza__uri_file_name(name, sizeof(name), "dir/a%20b.pdf?x#y"));
    assert_string_equal(name, "a b.pdf");
    assert_ok(emza__uri_file_name(name, sizeof(name), "http://host/docs/x.pdf"));
    assert_string_equal(name, "x.pdf");
    assert_error(emza__uri_file_name(name, sizeof(name), "http://host/"), EMZA_ENOTFOUND);
    assert_error(emza__uri_file_name(name, sizeof(name), "a%2Fb"), EMZA_ENOTFOUND);
    assert_error(emza__uri_file_name(name, sizeof(name), "a%00b"), EMZA_ENOTFOUND);
    assert_error(emza__uri_file_name(name, sizeof(name), "a%4"), EMZA_ENOTFOUND);
    assert_error(emza__uri_file_name(name, sizeof(name), ".."), EMZA_ENOTFOUND);
    emza_buf enc;
    emza__buf_init(&enc, 256);
    assert_ok(emza__uri_encode_file_name(&enc, "a b#?%/سند.pdf"));
    assert_string_equal((const char *)enc.data, "a%20b%23%3F%25%2F%D8%B3%D9%86%D8%AF.pdf");
    emza__buf_free(&enc);
    assert_true(emza__uri_is_same_document(""));
    assert_true(emza__uri_is_same_document("#x"));
    assert_false(emza__uri_is_same_document("x"));
    assert_false(emza__uri_is_same_document(NULL));
}

static void test_xmldsig__xpointer_references(void **state)
{
    (void)state;
    const char *dir = test_dir("xpointer");
    static const char *const uris[] = {"#xpointer(id('b'))", "#xpointer(id(&quot;b&quot;))",
                                       "#xpointer(/)"};
    for (size_t i = 0; i < 3; i++) {
        char *t = body_template("b", "<!-- c -->", "");
        char repl[64];
        snprintf(repl, sizeof(repl), "URI=\"%s\"", uris[i]);
        t = replace(t, NULL, "URI=\"#b\"", repl);
        if (i == 2) /* the whole document needs the enveloped transform */
            t = replace(t, NULL, "<ds:Transform Algorithm=\"" EXC "\"/>",
                        "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/"
                        "xmldsig#enveloped-signature\"/>");
        const char *out = in(dir, "x.xml");
        template_sign(t, "citizen-rsa", out);
        free(t);
        emza_report *r = verify(out);
        assert_passed(r, 0);
        emza_report_free(r);
        /* with comments kept: changing the comment breaks #xpointer(/) only */
        edit_file(out, NULL, "<!-- c -->", "<!-- d -->");
        r = verify(out);
        if (i == 2)
            assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_HASH_FAILURE);
        else
            assert_passed(r, 0);
        emza_report_free(r);
    }
    char *t = body_template("b", "", "");
    t = replace(t, NULL, "URI=\"#b\"", "URI=\"#xpointer(//body)\"");
    const char *out = in(dir, "bad.xml");
    write_text(out, t);
    free(t);
    emza_report *r = verify(out);
    assert_verdict(r, 0, EMZA_TOTAL_FAILED, EMZA_SUB_FORMAT_FAILURE);
    emza_report_free(r);
}

/* ------------------------------------------------------------------------ */

static int setup(void **state)
{
    (void)state;
    return ts_make_root_and_trust("xades", &g_trust);
}

static int teardown(void **state)
{
    (void)state;
    return ts_remove_root_and_trust(g_trust);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xades_sign__enveloped_rsa_round_trip),
        cmocka_unit_test(test_xades_sign__detached_ec_two_files_round_trip),
        cmocka_unit_test(test_xades_sign__enveloping_binary_and_xml_round_trip),
        cmocka_unit_test(test_xades_sign__rsa_pss_and_digests),
        cmocka_unit_test(test_xades_sign__ecdsa_p384),
        cmocka_unit_test(test_xades_sign__optional_properties),
        cmocka_unit_test(test_xades_sign__parallel_enveloped_three_signers),
        cmocka_unit_test(test_xades_sign__parallel_detached_and_enveloping),
        cmocka_unit_test(test_xades_sign__refuses_bad_inputs),
        cmocka_unit_test(test_xades_verify__tampered_content_is_hash_failure),
        cmocka_unit_test(test_xades_verify__comments_and_whitespace_outside_c14n),
        cmocka_unit_test(test_xades_verify__tampered_signature_value_is_sig_crypto_failure),
        cmocka_unit_test(test_xades_verify__swapped_certificate),
        cmocka_unit_test(test_xades_verify__signing_certificate_v2_mismatch),
        cmocka_unit_test(test_xades_verify__forged_lt_uses_the_signed_certificate_only),
        cmocka_unit_test(test_xades_verify__rejects_duplicate_ids),
        cmocka_unit_test(test_xades_verify__wrapping_shows_what_is_really_signed),
        cmocka_unit_test(test_xades_verify__signed_properties_must_be_its_own),
        cmocka_unit_test(test_xades_verify__xxe_and_external_dtd_are_never_read),
        cmocka_unit_test(test_xades_verify__billion_laughs_fails_fast),
        cmocka_unit_test(test_xades_verify__refused_transforms),
        cmocka_unit_test(test_xades_verify__file_and_http_references_are_not_resolved),
        cmocka_unit_test(test_xades_verify__truncated_and_binary_input),
        cmocka_unit_test(test_xades_verify__keyvalue_only_has_no_signing_certificate),
        cmocka_unit_test(test_xmldsig__key_value_part_limit),
        cmocka_unit_test(test_xades_verify__no_signature_and_no_noise),
        cmocka_unit_test(test_xades_verify__signing_time_forms),
        cmocka_unit_test(test_xades_verify__threads_share_nothing),
        cmocka_unit_test(test_xml_parse__depth_limit),
        cmocka_unit_test(test_xml_parse__node_and_size_limits),
        cmocka_unit_test(test_xml_parse__ids_limit),
        cmocka_unit_test(test_xmldsig__reference_transform_prefix_limits),
        cmocka_unit_test(test_xmldsig__signature_value_and_certificate_limits),
        cmocka_unit_test(test_xmldsig__base64),
        cmocka_unit_test(test_xmldsig__uri_file_names),
        cmocka_unit_test(test_xmldsig__xpointer_references),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
