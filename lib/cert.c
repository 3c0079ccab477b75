/*
 * X.509 certificates: parsing (PEM or DER) and the identity and facts a
 * certificate carries. Everything a getter returns is computed once here, so
 * a certificate is immutable after parsing and can be shared.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <dirent.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <emza/cert.h>
#include <emza/core.h>
#include <emza/id.h>

#include "cert_internal.h"
#include "crypto_policy.h"
#include "util/buf.h"
#include "util/der.h"
#include "util/file.h"
#include "util/guard.h"
#include "util/hex.h"
#include "util/utf8.h"

/* Longest one-line subject or issuer kept (bytes). */
#define NAME_LINE_MAX (16 * 1024)
/* Most policies, OCSP URLs or CRL URLs kept per certificate; more is EMZA_ELIMIT. */
#define LIST_ITEMS_MAX 64
/* Longest OID text. */
#define OID_TEXT_MAX 128

typedef struct string_list {
    char **items;
    size_t count;
} string_list;

struct emza_cert {
    atomic_int refs;
    X509 *x509;
    uint8_t *der;
    size_t der_len;

    char *subject;
    char *issuer;
    char *common_name;
    char *given_name;
    char *surname;
    char *organization;
    char *country;
    char *serial_number_attr;
    char *organization_identifier;
    char national_code[11];
    char legal_id[12];

    char *serial_hex;
    int64_t not_before;
    int64_t not_after;
    uint8_t sha256[32];
    char sha256_hex[65];

    const char *key_algorithm;
    unsigned int key_bits;
    char signature_algorithm[EMZA_ALGORITHM_NAME_MAX];
    int is_ca;
    int self_signed;

    int has_key_usage;
    unsigned int key_usage;
    int has_ext_key_usage;
    unsigned int ext_key_usage;
    string_list policies;
    int has_qc;
    unsigned int qc;
    string_list ocsp_urls;
    string_list crl_urls;
};

/* ------------------------------------------------------------------------ */
/* helpers                                                                   */
/* ------------------------------------------------------------------------ */

static void string_list_free(string_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

static int string_list_add(string_list *l, const char *s, size_t len)
{
    EMZA_ENSURE_MSG(l->count < LIST_ITEMS_MAX, EMZA_ELIMIT,
                    "certificate lists more than %d entries of one kind", LIST_ITEMS_MAX);
    char **items = realloc(l->items, (l->count + 1) * sizeof(*items));
    EMZA_ENSURE(items != NULL, EMZA_ENOMEM);
    l->items = items;
    char *copy = malloc(len + 1);
    EMZA_ENSURE(copy != NULL, EMZA_ENOMEM);
    memcpy(copy, s, len);
    copy[len] = '\0';
    l->items[l->count++] = copy;
    return EMZA_OK;
}

int emza__asn1_time_to_epoch(int64_t *out, const ASN1_TIME *t)
{
    *out = 0;
    int days = 0, secs = 0;
    ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
    EMZA_ENSURE(epoch != NULL, EMZA_ENOMEM);
    int ok = t != NULL && ASN1_TIME_diff(&days, &secs, epoch, t) == 1;
    ASN1_TIME_free(epoch);
    if (!ok)
        return emza__error_ossl(EMZA_EFORMAT, __FILE__, __LINE__,
                                "certificate carries an invalid time");
    *out = (int64_t)days * 86400 + secs;
    return EMZA_OK;
}

/* Decodes an ASN.1 string to NUL-terminated UTF-8 within the attribute limit. */
static int asn1_string_to_utf8(char **out, const ASN1_STRING *s, const char *what)
{
    *out = NULL;
    unsigned char *utf8 = NULL;
    EMZA_ENSURE_MSG(ASN1_STRING_length(s) <= 4 * EMZA_CERT_ATTRIBUTE_MAX, EMZA_ELIMIT,
                    "certificate %s is longer than %d bytes", what, EMZA_CERT_ATTRIBUTE_MAX);
    int n = ASN1_STRING_to_UTF8(&utf8, s);
    if (n < 0)
        return emza__error_ossl(EMZA_EFORMAT, __FILE__, __LINE__,
                                "certificate %s is not a valid string", what);
    int rc = EMZA_OK;
    EMZA_TRY_ENSURE((size_t)n <= EMZA_CERT_ATTRIBUTE_MAX, EMZA_ELIMIT,
                    "certificate %s is longer than %d bytes", what, EMZA_CERT_ATTRIBUTE_MAX);
    EMZA_TRY_ENSURE(memchr(utf8, 0, (size_t)n) == NULL, EMZA_EFORMAT,
                    "certificate %s contains a NUL character", what);
    EMZA_TRY_ENSURE(emza__utf8_valid(utf8, (size_t)n), EMZA_EFORMAT,
                    "certificate %s is not valid UTF-8", what);
    *out = (char *)utf8;
    utf8 = NULL;
cleanup:
    OPENSSL_free(utf8);
    return rc;
}

/* The first value of attribute `nid` in `name`, or NULL when absent. */
static int name_attribute(char **out, const X509_NAME *name, int nid, const char *what)
{
    *out = NULL;
    int idx = X509_NAME_get_index_by_NID(name, nid, -1);
    if (idx < 0)
        return EMZA_OK;
    const X509_NAME_ENTRY *entry = X509_NAME_get_entry(name, idx);
    const ASN1_STRING *value = entry ? X509_NAME_ENTRY_get_data(entry) : NULL;
    EMZA_ENSURE_MSG(value != NULL, EMZA_EFORMAT, "certificate %s is empty", what);
    char *utf8 = NULL;
    EMZA_GUARD(asn1_string_to_utf8(&utf8, value, what));
    /* OpenSSL allocates with OPENSSL_malloc; hand out plain malloc memory. */
    size_t len = strlen(utf8);
    *out = malloc(len + 1);
    if (*out != NULL)
        memcpy(*out, utf8, len + 1);
    OPENSSL_free(utf8);
    EMZA_ENSURE(*out != NULL, EMZA_ENOMEM);
    return EMZA_OK;
}

/* A one-line, UTF-8, RFC 2253 rendering of a name; every attribute checked first. */
static int name_line(char **out, const X509_NAME *name, const char *what)
{
    *out = NULL;
    for (int i = 0; i < X509_NAME_entry_count(name); i++) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
        char *check = NULL;
        EMZA_GUARD(asn1_string_to_utf8(&check, X509_NAME_ENTRY_get_data(e), what));
        OPENSSL_free(check);
    }
    BIO *bio = BIO_new(BIO_s_mem());
    EMZA_ENSURE(bio != NULL, EMZA_ENOMEM);
    int rc = EMZA_OK;
    unsigned long flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
    EMZA_TRY_ENSURE(X509_NAME_print_ex(bio, name, 0, flags) >= 0, EMZA_EFORMAT,
                    "certificate %s cannot be printed", what);
    char *data = NULL;
    long len = BIO_get_mem_data(bio, &data);
    EMZA_TRY_ENSURE(len >= 0 && (size_t)len <= NAME_LINE_MAX, EMZA_ELIMIT,
                    "certificate %s is longer than %d bytes", what, NAME_LINE_MAX);
    *out = malloc((size_t)len + 1);
    EMZA_TRY_ENSURE(*out != NULL, EMZA_ENOMEM, "out of memory");
    if (len > 0)
        memcpy(*out, data, (size_t)len);
    (*out)[len] = '\0';
cleanup:
    BIO_free(bio);
    return rc;
}

/* Removes an ETSI EN 319 412-1 semantics prefix ("PNOIR-") when present. */
static const char *strip_prefix(const char *value, const char *const *prefixes, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(value, prefixes[i], n) == 0)
            return value + n;
    }
    return value;
}

/* Copies a checksum-valid id of `kind` from `value` into `dest` (else leaves it ""). */
static void extract_id(char *dest, size_t dest_size, const char *value, emza_id_kind kind,
                       const char *const *prefixes, size_t prefix_count)
{
    if (value == NULL || dest[0] != '\0')
        return;
    const char *digits = strip_prefix(value, prefixes, prefix_count);
    emza_id_result r;
    if (emza_id_check(&r, kind, digits, strlen(digits)) != EMZA_OK)
        return;
    if (r.verdict == EMZA_ID_VALID && strlen(r.digits) < dest_size)
        memcpy(dest, r.digits, strlen(r.digits) + 1);
}

/* ------------------------------------------------------------------------ */
/* extensions                                                                */
/* ------------------------------------------------------------------------ */

static unsigned int map_key_usage(uint32_t ku)
{
    unsigned int out = 0;
    if (ku & KU_DIGITAL_SIGNATURE)
        out |= EMZA_KU_DIGITAL_SIGNATURE;
    if (ku & KU_NON_REPUDIATION)
        out |= EMZA_KU_NON_REPUDIATION;
    if (ku & KU_KEY_ENCIPHERMENT)
        out |= EMZA_KU_KEY_ENCIPHERMENT;
    if (ku & KU_DATA_ENCIPHERMENT)
        out |= EMZA_KU_DATA_ENCIPHERMENT;
    if (ku & KU_KEY_AGREEMENT)
        out |= EMZA_KU_KEY_AGREEMENT;
    if (ku & KU_KEY_CERT_SIGN)
        out |= EMZA_KU_KEY_CERT_SIGN;
    if (ku & KU_CRL_SIGN)
        out |= EMZA_KU_CRL_SIGN;
    if (ku & KU_ENCIPHER_ONLY)
        out |= EMZA_KU_ENCIPHER_ONLY;
    if (ku & KU_DECIPHER_ONLY)
        out |= EMZA_KU_DECIPHER_ONLY;
    return out;
}

/* id-kp-documentSigning, RFC 9336: 1.3.6.1.5.5.7.3.36 */
static const uint8_t OID_DOCUMENT_SIGNING[] = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x24};

static int read_ext_key_usage(emza_cert *c)
{
    int crit = 0;
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(c->x509, NID_ext_key_usage, &crit, NULL);
    if (eku == NULL) {
        EMZA_ENSURE_MSG(crit == -1, EMZA_EFORMAT, "certificate has a malformed extendedKeyUsage");
        emza__ossl_clear();
        return EMZA_OK;
    }
    c->has_ext_key_usage = 1;
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
        const ASN1_OBJECT *obj = sk_ASN1_OBJECT_value(eku, i);
        switch (OBJ_obj2nid(obj)) {
        case NID_server_auth:
            c->ext_key_usage |= EMZA_EKU_SERVER_AUTH;
            break;
        case NID_client_auth:
            c->ext_key_usage |= EMZA_EKU_CLIENT_AUTH;
            break;
        case NID_code_sign:
            c->ext_key_usage |= EMZA_EKU_CODE_SIGNING;
            break;
        case NID_email_protect:
            c->ext_key_usage |= EMZA_EKU_EMAIL_PROTECTION;
            break;
        case NID_time_stamp:
            c->ext_key_usage |= EMZA_EKU_TIME_STAMPING;
            break;
        case NID_OCSP_sign:
            c->ext_key_usage |= EMZA_EKU_OCSP_SIGNING;
            break;
        case NID_anyExtendedKeyUsage:
            c->ext_key_usage |= EMZA_EKU_ANY;
            break;
        default: {
            size_t len = (size_t)OBJ_length(obj);
            const unsigned char *data = OBJ_get0_data(obj);
            if (data != NULL && len == sizeof(OID_DOCUMENT_SIGNING) &&
                memcmp(data, OID_DOCUMENT_SIGNING, len) == 0)
                c->ext_key_usage |= EMZA_EKU_DOCUMENT_SIGNING;
            else
                c->ext_key_usage |= EMZA_EKU_OTHER;
            break;
        }
        }
    }
    EXTENDED_KEY_USAGE_free(eku);
    return EMZA_OK;
}

static int read_policies(emza_cert *c)
{
    int crit = 0;
    CERTIFICATEPOLICIES *pols = X509_get_ext_d2i(c->x509, NID_certificate_policies, &crit, NULL);
    if (pols == NULL) {
        EMZA_ENSURE_MSG(crit == -1, EMZA_EFORMAT, "certificate has malformed certificatePolicies");
        emza__ossl_clear();
        return EMZA_OK;
    }
    int rc = EMZA_OK;
    for (int i = 0; i < sk_POLICYINFO_num(pols); i++) {
        const POLICYINFO *pi = sk_POLICYINFO_value(pols, i);
        char oid[OID_TEXT_MAX];
        int n = OBJ_obj2txt(oid, sizeof(oid), pi->policyid, 1);
        EMZA_TRY_ENSURE(n > 0 && (size_t)n < sizeof(oid), EMZA_EFORMAT,
                        "certificate has an unreadable policy identifier");
        EMZA_TRY(string_list_add(&c->policies, oid, (size_t)n));
    }
cleanup:
    CERTIFICATEPOLICIES_free(pols);
    return rc;
}

/* ETSI EN 319 412-5 statement identifiers (OID contents bytes). */
static const uint8_t OID_QCS_COMPLIANCE[] = {0x04, 0x00, 0x8E, 0x46, 0x01, 0x01};
static const uint8_t OID_QCS_SSCD[] = {0x04, 0x00, 0x8E, 0x46, 0x01, 0x04};
static const uint8_t OID_QCS_TYPE[] = {0x04, 0x00, 0x8E, 0x46, 0x01, 0x06};
static const uint8_t OID_QCT_ESIGN[] = {0x04, 0x00, 0x8E, 0x46, 0x01, 0x06, 0x01};
static const uint8_t OID_QCT_ESEAL[] = {0x04, 0x00, 0x8E, 0x46, 0x01, 0x06, 0x02};
static const uint8_t OID_QCT_WEB[] = {0x04, 0x00, 0x8E, 0x46, 0x01, 0x06, 0x03};

/* QCStatements ::= SEQUENCE OF SEQUENCE { statementId OID, statementInfo ANY OPTIONAL } */
static int parse_qc_statements(unsigned int *out, emza_span der)
{
    emza_reader outer, statements;
    emza_span seq;
    *out = 0;
    emza__reader_init(&outer, der.data, der.len);
    EMZA_GUARD(emza__der_expect(&outer, EMZA_DER_SEQUENCE, &seq));
    EMZA_ENSURE_MSG(outer.left == 0, EMZA_EFORMAT, "qcStatements: trailing bytes");
    emza__reader_init(&statements, seq.data, seq.len);
    while (statements.left > 0) {
        emza_span stmt, oid;
        emza_reader fields;
        EMZA_GUARD(emza__der_expect(&statements, EMZA_DER_SEQUENCE, &stmt));
        emza__reader_init(&fields, stmt.data, stmt.len);
        EMZA_GUARD(emza__der_expect(&fields, EMZA_DER_OID, &oid));
        if (emza__der_oid_equals(oid, OID_QCS_COMPLIANCE, sizeof(OID_QCS_COMPLIANCE))) {
            *out |= EMZA_QC_COMPLIANCE;
        } else if (emza__der_oid_equals(oid, OID_QCS_SSCD, sizeof(OID_QCS_SSCD))) {
            *out |= EMZA_QC_SSCD;
        } else if (emza__der_oid_equals(oid, OID_QCS_TYPE, sizeof(OID_QCS_TYPE))) {
            emza_span types, type;
            emza_reader list;
            EMZA_GUARD(emza__der_expect(&fields, EMZA_DER_SEQUENCE, &types));
            emza__reader_init(&list, types.data, types.len);
            while (list.left > 0) {
                EMZA_GUARD(emza__der_expect(&list, EMZA_DER_OID, &type));
                if (emza__der_oid_equals(type, OID_QCT_ESIGN, sizeof(OID_QCT_ESIGN)))
                    *out |= EMZA_QC_TYPE_ESIGN;
                else if (emza__der_oid_equals(type, OID_QCT_ESEAL, sizeof(OID_QCT_ESEAL)))
                    *out |= EMZA_QC_TYPE_ESEAL;
                else if (emza__der_oid_equals(type, OID_QCT_WEB, sizeof(OID_QCT_WEB)))
                    *out |= EMZA_QC_TYPE_WEB;
            }
        }
        /* Other statements (PDS, limits, semantics ids) are skipped. */
    }
    return EMZA_OK;
}

static int read_qc_statements(emza_cert *c)
{
    int idx = X509_get_ext_by_NID(c->x509, NID_qcStatements, -1);
    if (idx < 0)
        return EMZA_OK;
    X509_EXTENSION *ext = X509_get_ext(c->x509, idx);
    const ASN1_OCTET_STRING *value = X509_EXTENSION_get_data(ext);
    emza_span der = {ASN1_STRING_get0_data(value), (size_t)ASN1_STRING_length(value)};
    if (parse_qc_statements(&c->qc, der) < 0) /* the DER reader's errors are EMZA_EFORMAT */
        return emza__error_prefix("certificate has malformed qcStatements");
    c->has_qc = 1;
    return EMZA_OK;
}

/* URIs must be printable ASCII: they are shown to people and fetched later. */
static int uri_acceptable(const ASN1_IA5STRING *uri)
{
    const unsigned char *p = ASN1_STRING_get0_data(uri);
    int n = ASN1_STRING_length(uri);
    if (n <= 0 || n > 2048)
        return 0;
    for (int i = 0; i < n; i++)
        if (p[i] < 0x21 || p[i] > 0x7E)
            return 0;
    return 1;
}

static int read_revocation_sources(emza_cert *c)
{
    int rc = EMZA_OK;
    int crit = 0;
    CRL_DIST_POINTS *dps = NULL;
    AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(c->x509, NID_info_access, &crit, NULL);
    EMZA_TRY_ENSURE(aia != NULL || crit == -1, EMZA_EFORMAT,
                    "certificate has a malformed authorityInfoAccess");
    for (int i = 0; aia != NULL && i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
        const ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
        if (OBJ_obj2nid(ad->method) != NID_ad_OCSP || ad->location->type != GEN_URI)
            continue;
        const ASN1_IA5STRING *uri = ad->location->d.uniformResourceIdentifier;
        EMZA_TRY_ENSURE(uri_acceptable(uri), EMZA_EFORMAT,
                        "certificate has an OCSP URL with forbidden characters");
        EMZA_TRY(string_list_add(&c->ocsp_urls, (const char *)ASN1_STRING_get0_data(uri),
                                 (size_t)ASN1_STRING_length(uri)));
    }

    crit = 0;
    dps = X509_get_ext_d2i(c->x509, NID_crl_distribution_points, &crit, NULL);
    EMZA_TRY_ENSURE(dps != NULL || crit == -1, EMZA_EFORMAT,
                    "certificate has malformed CRL distribution points");
    for (int i = 0; dps != NULL && i < sk_DIST_POINT_num(dps); i++) {
        const DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
        if (dp->distpoint == NULL || dp->distpoint->type != 0)
            continue;
        const GENERAL_NAMES *names = dp->distpoint->name.fullname;
        for (int j = 0; j < sk_GENERAL_NAME_num(names); j++) {
            const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, j);
            if (gn->type != GEN_URI)
                continue;
            EMZA_TRY_ENSURE(uri_acceptable(gn->d.uniformResourceIdentifier), EMZA_EFORMAT,
                            "certificate has a CRL URL with forbidden characters");
            EMZA_TRY(string_list_add(
                &c->crl_urls, (const char *)ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier),
                (size_t)ASN1_STRING_length(gn->d.uniformResourceIdentifier)));
        }
    }

cleanup:
    AUTHORITY_INFO_ACCESS_free(aia);
    CRL_DIST_POINTS_free(dps);
    emza__ossl_clear();
    return rc;
}

/* ------------------------------------------------------------------------ */
/* construction                                                              */
/* ------------------------------------------------------------------------ */

static void cert_destroy(emza_cert *c)
{
    X509_free(c->x509);
    free(c->der);
    free(c->subject);
    free(c->issuer);
    free(c->common_name);
    free(c->given_name);
    free(c->surname);
    free(c->organization);
    free(c->country);
    free(c->serial_number_attr);
    free(c->organization_identifier);
    free(c->serial_hex);
    string_list_free(&c->policies);
    string_list_free(&c->ocsp_urls);
    string_list_free(&c->crl_urls);
    free(c);
}

static const char *key_algorithm_name(const EVP_PKEY *key)
{
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
        return "rsa";
    case EVP_PKEY_EC:
        return "ec";
    case EVP_PKEY_ED25519:
        return "ed25519";
    case EVP_PKEY_ED448:
        return "ed448";
    case EVP_PKEY_DSA:
        return "dsa";
    default:
        return "unknown";
    }
}

static int read_names(emza_cert *c)
{
    const X509_NAME *subject = X509_get_subject_name(c->x509);
    const X509_NAME *issuer = X509_get_issuer_name(c->x509);
    EMZA_ENSURE_MSG(subject != NULL && issuer != NULL, EMZA_EFORMAT, "certificate has no names");
    EMZA_GUARD(name_line(&c->subject, subject, "subject"));
    EMZA_GUARD(name_line(&c->issuer, issuer, "issuer"));
    EMZA_GUARD(name_attribute(&c->common_name, subject, NID_commonName, "commonName"));
    EMZA_GUARD(name_attribute(&c->given_name, subject, NID_givenName, "givenName"));
    EMZA_GUARD(name_attribute(&c->surname, subject, NID_surname, "surname"));
    EMZA_GUARD(name_attribute(&c->organization, subject, NID_organizationName, "organizationName"));
    EMZA_GUARD(name_attribute(&c->country, subject, NID_countryName, "countryName"));
    EMZA_GUARD(name_attribute(&c->serial_number_attr, subject, NID_serialNumber, "serialNumber"));
    EMZA_GUARD(name_attribute(&c->organization_identifier, subject, NID_organizationIdentifier,
                              "organizationIdentifier"));

    static const char *const person_prefixes[] = {"PNOIR-", "IDCIR-"};
    static const char *const legal_prefixes[] = {"NTRIR-"};
    extract_id(c->national_code, sizeof(c->national_code), c->serial_number_attr,
               EMZA_ID_NATIONAL_CODE, person_prefixes, EMZA_ARRAY_LEN(person_prefixes));
    extract_id(c->legal_id, sizeof(c->legal_id), c->organization_identifier,
               EMZA_ID_LEGAL_ENTITY_ID, legal_prefixes, EMZA_ARRAY_LEN(legal_prefixes));
    extract_id(c->legal_id, sizeof(c->legal_id), c->serial_number_attr, EMZA_ID_LEGAL_ENTITY_ID,
               legal_prefixes, EMZA_ARRAY_LEN(legal_prefixes));
    return EMZA_OK;
}

static int read_facts(emza_cert *c)
{
    /* Serial number */
    const ASN1_INTEGER *serial = X509_get0_serialNumber(c->x509);
    BIGNUM *bn = serial ? ASN1_INTEGER_to_BN(serial, NULL) : NULL;
    EMZA_ENSURE_MSG(bn != NULL, EMZA_EFORMAT, "certificate has no serial number");
    char *hex = BN_bn2hex(bn);
    BN_free(bn);
    EMZA_ENSURE(hex != NULL, EMZA_ENOMEM);
    size_t hex_len = strlen(hex);
    c->serial_hex = malloc(hex_len + 1);
    if (c->serial_hex != NULL)
        memcpy(c->serial_hex, hex, hex_len + 1);
    OPENSSL_free(hex);
    EMZA_ENSURE(c->serial_hex != NULL, EMZA_ENOMEM);

    /* Validity */
    EMZA_GUARD(emza__asn1_time_to_epoch(&c->not_before, X509_get0_notBefore(c->x509)));
    EMZA_GUARD(emza__asn1_time_to_epoch(&c->not_after, X509_get0_notAfter(c->x509)));

    /* Fingerprint */
    unsigned int md_len = 0;
    EMZA_GUARD_OSSL(EVP_Digest(c->der, c->der_len, c->sha256, &md_len, EVP_sha256(), NULL),
                    EMZA_ECRYPTO);
    emza__hex_encode(c->sha256_hex, c->sha256, sizeof(c->sha256));

    /* Key and signature algorithm */
    const EVP_PKEY *key = X509_get0_pubkey(c->x509);
    EMZA_ENSURE_MSG(key != NULL, EMZA_EFORMAT, "certificate public key cannot be decoded");
    c->key_algorithm = key_algorithm_name(key);
    c->key_bits = (unsigned int)EVP_PKEY_get_bits(key);
    int md_nid = NID_undef, pk_nid = NID_undef;
    if (X509_get_signature_info(c->x509, &md_nid, &pk_nid, NULL, NULL) != 1) {
        emza__ossl_clear();
        md_nid = pk_nid = NID_undef;
    }
    emza__algorithm_name(c->signature_algorithm, sizeof(c->signature_algorithm), pk_nid, md_nid);

    /* Extensions: X509_get_extension_flags caches and checks them. */
    uint32_t flags = X509_get_extension_flags(c->x509);
    EMZA_ENSURE_MSG(!(flags & EXFLAG_INVALID), EMZA_EFORMAT,
                    "certificate has malformed or duplicate extensions");
    c->is_ca = (flags & EXFLAG_CA) != 0;
    c->self_signed = X509_self_signed(c->x509, 1) == 1;
    emza__ossl_clear();
    c->has_key_usage = (flags & EXFLAG_KUSAGE) != 0;
    c->key_usage = c->has_key_usage ? map_key_usage(X509_get_key_usage(c->x509)) : 0;
    EMZA_GUARD(read_ext_key_usage(c));
    EMZA_GUARD(read_policies(c));
    EMZA_GUARD(read_qc_statements(c));
    EMZA_GUARD(read_revocation_sources(c));
    return EMZA_OK;
}

int emza__cert_from_x509(emza_cert **out, X509 *x509)
{
    *out = NULL;
    EMZA_ENSURE(x509 != NULL, EMZA_EINVAL);
    emza_cert *c = calloc(1, sizeof(*c));
    EMZA_ENSURE(c != NULL, EMZA_ENOMEM);
    atomic_init(&c->refs, 1);
    int rc = EMZA_OK;
    EMZA_TRY_ENSURE(X509_up_ref(x509) == 1, EMZA_ECRYPTO, "cannot reference certificate");
    c->x509 = x509;

    unsigned char *der = NULL;
    int der_len = i2d_X509(x509, &der);
    EMZA_TRY_ENSURE(der_len > 0, EMZA_EFORMAT, "certificate cannot be encoded");
    if ((size_t)der_len > EMZA_CERT_DER_MAX) {
        OPENSSL_free(der);
        EMZA_TRY_ENSURE(0, EMZA_ELIMIT, "certificate is larger than %d bytes", EMZA_CERT_DER_MAX);
    }
    c->der = malloc((size_t)der_len);
    if (c->der != NULL)
        memcpy(c->der, der, (size_t)der_len);
    OPENSSL_free(der);
    EMZA_TRY_ENSURE(c->der != NULL, EMZA_ENOMEM, "out of memory");
    c->der_len = (size_t)der_len;

    EMZA_TRY(read_names(c));
    EMZA_TRY(read_facts(c));
    *out = c;
    c = NULL;
cleanup:
    if (c != NULL)
        cert_destroy(c);
    emza__ossl_clear();
    return rc;
}

/*
 * Parses one certificate that must be DER (distinguished: one encoding only)
 * and fill `len` exactly, so the bytes given are the bytes hashed and shown.
 */
static int parse_der(X509 **out, const uint8_t *data, size_t len)
{
    *out = NULL;
    EMZA_ENSURE_MSG(len > 0 && data[0] == 0x30, EMZA_EFORMAT,
                    "not a certificate: neither PEM nor DER");
    EMZA_ENSURE_MSG(len <= EMZA_CERT_DER_MAX, EMZA_ELIMIT,
                    "certificate is larger than %d bytes", EMZA_CERT_DER_MAX);
    const unsigned char *p = data;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x == NULL)
        return emza__error_ossl(EMZA_EFORMAT, __FILE__, __LINE__,
                                "not a certificate: DER cannot be decoded");
    if ((size_t)(p - data) != len) {
        X509_free(x);
        EMZA_FAIL(EMZA_EFORMAT, "not a certificate: %zu bytes follow the DER certificate",
                  len - (size_t)(p - data));
    }
    unsigned char *der = NULL;
    int der_len = i2d_X509(x, &der);
    int same = der_len > 0 && (size_t)der_len == len && memcmp(der, data, len) == 0;
    OPENSSL_free(der);
    if (!same) {
        X509_free(x);
        EMZA_FAIL(EMZA_EFORMAT, "not a certificate: the encoding is not DER");
    }
    *out = x;
    return EMZA_OK;
}

/* PEM labels that hold an X.509 certificate. */
static int is_certificate_label(const char *name)
{
    return strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CERTIFICATE") == 0;
}

/*
 * Calls `fn` for every certificate in `data` (PEM bundle or one DER
 * certificate); EMZA_EFORMAT if there is none. PEM blocks with other labels
 * are skipped; every certificate, PEM or not, goes through parse_der.
 */
typedef int (*x509_visitor)(void *ctx, X509 *x509);

static int visit_der(x509_visitor fn, void *ctx, const uint8_t *der, size_t len)
{
    X509 *x = NULL;
    EMZA_GUARD(parse_der(&x, der, len));
    int rc = fn(ctx, x);
    X509_free(x);
    return rc;
}

static int for_each_x509(const uint8_t *data, size_t len, x509_visitor fn, void *ctx, int first_only)
{
    EMZA_ENSURE_MSG(len > 0, EMZA_EFORMAT, "not a certificate: the input is empty");
    EMZA_ENSURE_MSG(len <= EMZA_CERT_FILE_MAX, EMZA_ELIMIT,
                    "certificate data is larger than %d bytes", EMZA_CERT_FILE_MAX);
    if (!emza__looks_like_pem(data, len))
        return visit_der(fn, ctx, data, len);

    BIO *bio = BIO_new_mem_buf(data, (int)len);
    EMZA_ENSURE(bio != NULL, EMZA_ENOMEM);
    int rc = EMZA_OK;
    size_t found = 0;
    for (;;) {
        char *name = NULL, *header = NULL;
        unsigned char *der = NULL;
        long der_len = 0;
        if (PEM_read_bio(bio, &name, &header, &der, &der_len) != 1) {
            unsigned long e = ERR_peek_last_error();
            emza__ossl_clear();
            if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
                break; /* end of input */
            EMZA_TRY_ENSURE(0, EMZA_EFORMAT, "PEM block %zu cannot be decoded", found + 1);
        }
        if (is_certificate_label(name)) {
            rc = visit_der(fn, ctx, der, der_len > 0 ? (size_t)der_len : 0);
            if (rc < 0)
                emza__error_prefix("PEM certificate %zu", found + 1);
            else
                found++;
        }
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(der);
        if (rc < 0)
            goto cleanup;
        if (first_only && found > 0)
            break;
    }
    EMZA_TRY_ENSURE(found > 0, EMZA_EFORMAT, "no CERTIFICATE block in the PEM data");
    rc = EMZA_OK;
cleanup:
    BIO_free(bio);
    emza__ossl_clear();
    return rc;
}

static int keep_first(void *ctx, X509 *x509)
{
    return emza__cert_from_x509((emza_cert **)ctx, x509);
}

int emza_cert_parse(emza_cert **out, const void *data, size_t len)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(data != NULL || len == 0, EMZA_EINVAL);
    EMZA_GUARD(emza_init());
    return for_each_x509(data, len, keep_first, out, 1);
}

int emza_cert_load(emza_cert **out, const char *path)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    emza_buf buf;
    EMZA_GUARD(emza__file_read(&buf, path, EMZA_CERT_FILE_MAX));
    int rc = emza_cert_parse(out, buf.data, buf.len);
    if (rc < 0)
        rc = emza__error_prefix("%s", path);
    emza__buf_free(&buf);
    return rc;
}

emza_cert *emza_cert_dup(const emza_cert *cert)
{
    if (cert == NULL)
        return NULL;
    emza_cert *c = (emza_cert *)(uintptr_t)cert; /* the count is the only mutable field */
    atomic_fetch_add(&c->refs, 1);
    return c;
}

void emza_cert_free(emza_cert *cert)
{
    if (cert == NULL)
        return;
    if (atomic_fetch_sub(&cert->refs, 1) == 1)
        cert_destroy(cert);
}

X509 *emza__cert_x509(const emza_cert *cert)
{
    return cert->x509;
}

const char *emza__cert_display_name(const emza_cert *cert)
{
    return cert->common_name ? cert->common_name : cert->subject;
}

/* ------------------------------------------------------------------------ */
/* getters                                                                   */
/* ------------------------------------------------------------------------ */

#define CERT_GETTER(type, name, expr, fallback)                                                    \
    type emza_cert_##name(const emza_cert *cert)                                                   \
    {                                                                                              \
        return cert ? (expr) : (fallback);                                                         \
    }

CERT_GETTER(const char *, subject, cert->subject, NULL)
CERT_GETTER(const char *, issuer, cert->issuer, NULL)
CERT_GETTER(const char *, common_name, cert->common_name, NULL)
CERT_GETTER(const char *, given_name, cert->given_name, NULL)
CERT_GETTER(const char *, surname, cert->surname, NULL)
CERT_GETTER(const char *, organization, cert->organization, NULL)
CERT_GETTER(const char *, country, cert->country, NULL)
CERT_GETTER(const char *, subject_serial_number, cert->serial_number_attr, NULL)
CERT_GETTER(const char *, organization_identifier, cert->organization_identifier, NULL)
CERT_GETTER(const char *, national_code, cert->national_code[0] ? cert->national_code : NULL, NULL)
CERT_GETTER(const char *, legal_id, cert->legal_id[0] ? cert->legal_id : NULL, NULL)
CERT_GETTER(const char *, serial_hex, cert->serial_hex, NULL)
CERT_GETTER(int64_t, not_before, cert->not_before, 0)
CERT_GETTER(int64_t, not_after, cert->not_after, 0)
CERT_GETTER(const uint8_t *, sha256, cert->sha256, NULL)
CERT_GETTER(const char *, sha256_hex, cert->sha256_hex, NULL)
CERT_GETTER(const char *, key_algorithm, cert->key_algorithm, NULL)
CERT_GETTER(unsigned int, key_bits, cert->key_bits, 0)
CERT_GETTER(const char *, signature_algorithm, cert->signature_algorithm, NULL)
CERT_GETTER(int, is_ca, cert->is_ca, 0)
CERT_GETTER(int, is_self_signed, cert->self_signed, 0)
CERT_GETTER(int, has_key_usage, cert->has_key_usage, 0)
CERT_GETTER(unsigned int, key_usage, cert->key_usage, 0)
CERT_GETTER(int, has_ext_key_usage, cert->has_ext_key_usage, 0)
CERT_GETTER(unsigned int, ext_key_usage, cert->ext_key_usage, 0)
CERT_GETTER(size_t, policy_count, cert->policies.count, 0)
CERT_GETTER(int, has_qc_statements, cert->has_qc, 0)
CERT_GETTER(unsigned int, qc_statements, cert->qc, 0)
CERT_GETTER(size_t, ocsp_url_count, cert->ocsp_urls.count, 0)
CERT_GETTER(size_t, crl_url_count, cert->crl_urls.count, 0)

const uint8_t *emza_cert_der(const emza_cert *cert, size_t *out_len)
{
    if (out_len != NULL)
        *out_len = cert ? cert->der_len : 0;
    return cert ? cert->der : NULL;
}

static const char *string_list_get(const string_list *l, size_t index)
{
    return index < l->count ? l->items[index] : NULL;
}

const char *emza_cert_policy_oid(const emza_cert *cert, size_t index)
{
    return cert ? string_list_get(&cert->policies, index) : NULL;
}

const char *emza_cert_ocsp_url(const emza_cert *cert, size_t index)
{
    return cert ? string_list_get(&cert->ocsp_urls, index) : NULL;
}

const char *emza_cert_crl_url(const emza_cert *cert, size_t index)
{
    return cert ? string_list_get(&cert->crl_urls, index) : NULL;
}

/* ------------------------------------------------------------------------ */
/* lists                                                                     */
/* ------------------------------------------------------------------------ */

struct emza_cert_list {
    emza_cert **items;
    size_t count;
    size_t cap;
};

int emza_cert_list_new(emza_cert_list **out)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = calloc(1, sizeof(**out));
    EMZA_ENSURE(*out != NULL, EMZA_ENOMEM);
    return EMZA_OK;
}

void emza_cert_list_free(emza_cert_list *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->count; i++)
        emza_cert_free(list->items[i]);
    free(list->items);
    free(list);
}

/* Takes ownership of `cert` (freed on failure). */
static int list_push(emza_cert_list *list, emza_cert *cert)
{
    int rc = EMZA_OK;
    EMZA_TRY_ENSURE(list->count < EMZA_CERT_LIST_MAX, EMZA_ELIMIT,
                    "more than %d certificates", EMZA_CERT_LIST_MAX);
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 8;
        emza_cert **items = realloc(list->items, cap * sizeof(*items));
        EMZA_TRY_ENSURE(items != NULL, EMZA_ENOMEM, "out of memory");
        list->items = items;
        list->cap = cap;
    }
    list->items[list->count++] = cert;
    return EMZA_OK;
cleanup:
    emza_cert_free(cert);
    return rc;
}

int emza_cert_list_add(emza_cert_list *list, const emza_cert *cert)
{
    EMZA_ENSURE(list != NULL && cert != NULL, EMZA_EINVAL);
    return list_push(list, emza_cert_dup(cert));
}

static int push_x509(void *ctx, X509 *x509)
{
    emza_cert *c = NULL;
    EMZA_GUARD(emza__cert_from_x509(&c, x509));
    return list_push((emza_cert_list *)ctx, c);
}

int emza_cert_list_add_data(emza_cert_list *list, const void *data, size_t len)
{
    EMZA_ENSURE(list != NULL && (data != NULL || len == 0), EMZA_EINVAL);
    EMZA_GUARD(emza_init());
    size_t before = list->count;
    int rc = for_each_x509(data, len, push_x509, list, 0);
    if (rc < 0) {
        /* All or nothing: drop what this call added. */
        while (list->count > before)
            emza_cert_free(list->items[--list->count]);
    }
    return rc;
}

static int add_file(emza_cert_list *list, const char *path)
{
    emza_buf buf;
    EMZA_GUARD(emza__file_read(&buf, path, EMZA_CERT_FILE_MAX));
    int rc = emza_cert_list_add_data(list, buf.data, buf.len);
    if (rc < 0)
        rc = emza__error_prefix("%s", path);
    emza__buf_free(&buf);
    return rc;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_directory(emza_cert_list *list, const char *path)
{
    DIR *dir = opendir(path);
    EMZA_ENSURE_MSG(dir != NULL, EMZA_EIO, "cannot open directory %s: %s", path, strerror(errno));
    int rc = EMZA_OK;
    string_list names = {NULL, 0};
    char **sorted = NULL;
    size_t count = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        EMZA_TRY_ENSURE(count < EMZA_CERT_LIST_MAX, EMZA_ELIMIT,
                        "directory %s holds more than %d files", path, EMZA_CERT_LIST_MAX);
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            char **grown = realloc(sorted, cap * sizeof(*grown));
            EMZA_TRY_ENSURE(grown != NULL, EMZA_ENOMEM, "out of memory");
            sorted = grown;
        }
        size_t plen = strlen(path), nlen = strlen(de->d_name);
        char *full = malloc(plen + 1 + nlen + 1);
        EMZA_TRY_ENSURE(full != NULL, EMZA_ENOMEM, "out of memory");
        memcpy(full, path, plen);
        full[plen] = '/';
        memcpy(full + plen + 1, de->d_name, nlen + 1);
        sorted[count++] = full;
    }
    if (count > 0)
        qsort(sorted, count, sizeof(*sorted), compare_names);
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (stat(sorted[i], &st) != 0 || !S_ISREG(st.st_mode))
            continue; /* sub-directories and special files are not read */
        EMZA_TRY(add_file(list, sorted[i]));
    }
cleanup:
    for (size_t i = 0; i < count; i++)
        free(sorted[i]);
    free(sorted);
    string_list_free(&names);
    closedir(dir);
    return rc;
}

int emza_cert_list_add_path(emza_cert_list *list, const char *path)
{
    EMZA_ENSURE(list != NULL && path != NULL, EMZA_EINVAL);
    EMZA_GUARD(emza_init());
    struct stat st;
    EMZA_ENSURE_MSG(stat(path, &st) == 0, EMZA_EIO, "cannot open %s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        size_t before = list->count;
        int rc = add_directory(list, path);
        if (rc < 0)
            while (list->count > before)
                emza_cert_free(list->items[--list->count]);
        return rc;
    }
    return add_file(list, path);
}

size_t emza_cert_list_count(const emza_cert_list *list)
{
    return list ? list->count : 0;
}

const emza_cert *emza_cert_list_get(const emza_cert_list *list, size_t index)
{
    return (list != NULL && index < list->count) ? list->items[index] : NULL;
}

int emza__cert_issuer_serial_der(const emza_cert *cert, emza_buf *out)
{
    int rc = EMZA_OK;
    unsigned char *name = NULL, *serial = NULL;
    emza_buf inner, names;
    emza__buf_init(&inner, EMZA_CERT_DER_MAX);
    emza__buf_init(&names, EMZA_CERT_DER_MAX);
    int name_len = i2d_X509_NAME(X509_get_issuer_name(cert->x509), &name);
    int serial_len = i2d_ASN1_INTEGER(X509_get0_serialNumber(cert->x509), &serial);
    EMZA_TRY_ENSURE(name_len > 0 && serial_len > 0, EMZA_ECRYPTO, "cannot encode the issuer and serial");
    /* GeneralNames ::= SEQUENCE OF GeneralName; directoryName [4] EXPLICIT Name */
    EMZA_TRY(emza__der_append_tlv(&names, 0xA4, name, (size_t)name_len));
    EMZA_TRY(emza__der_append_tlv(&inner, EMZA_DER_SEQUENCE, names.data, names.len));
    EMZA_TRY(emza__buf_append(&inner, serial, (size_t)serial_len));
    EMZA_TRY(emza__der_append_tlv(out, EMZA_DER_SEQUENCE, inner.data, inner.len));
cleanup:
    OPENSSL_free(name);
    OPENSSL_free(serial);
    emza__buf_free(&inner);
    emza__buf_free(&names);
    return rc;
}
