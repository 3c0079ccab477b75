/*
 * The XML-DSig core (W3C XML Signature 1.1), ours on libxml2 and OpenSSL:
 * algorithm identifiers, canonicalization through xmlC14NExecute with our
 * own node-visibility callback, the reference-processing model with a short
 * allowlist of transforms, base64, and signature values.
 *
 * Transforms accepted: Canonical XML 1.0 and 1.1 (with or without comments),
 * Exclusive XML Canonicalization 1.0 (with or without comments, with an
 * InclusiveNamespaces PrefixList), enveloped-signature and base64. Refused
 * (FORMAT_FAILURE under the default policy): XSLT, XPath Filter 1.0, XPath
 * Filter 2.0, and anything else.
 *
 * References resolved: "" (the whole document without comments),
 * "#id" (the element with that ID, without comments), "#xpointer(/)" and
 * "#xpointer(id('id'))" (the same with comments), and detached content that
 * the caller supplies through a resolver (matched by file name). Nothing is
 * ever fetched: a URI with a scheme, an absolute path, or a relative name no
 * supplied file matches is not resolved (SIGNED_DATA_NOT_FOUND).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_XMLDSIG_H
#define EMZA_XMLDSIG_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/c14n.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <emza/sign.h>

#include "util/base64.h"
#include "util/buf.h"
#include "util/sigvalue.h"
#include "xml_parse.h"

/* --- namespaces --- */
#define EMZA_NS_DSIG "http://www.w3.org/2000/09/xmldsig#"
#define EMZA_NS_DSIG11 "http://www.w3.org/2009/xmldsig11#"
#define EMZA_NS_DSIG_MORE "http://www.w3.org/2007/05/xmldsig-more#"
#define EMZA_NS_EXC_C14N "http://www.w3.org/2001/10/xml-exc-c14n#"
#define EMZA_NS_XADES "http://uri.etsi.org/01903/v1.3.2#"
/* ETSI EN 319 162-1: the root of an ASiC container's signatures*.xml */
#define EMZA_NS_ASIC "http://uri.etsi.org/02918/v1.2.1#"
#define EMZA_NS_XADES141 "http://uri.etsi.org/01903/v1.4.1#"

/* --- algorithm identifiers --- */
#define EMZA_ALG_C14N10 "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
#define EMZA_ALG_C14N10_COMMENTS "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
#define EMZA_ALG_C14N11 "http://www.w3.org/2006/12/xml-c14n11"
#define EMZA_ALG_C14N11_COMMENTS "http://www.w3.org/2006/12/xml-c14n11#WithComments"
#define EMZA_ALG_EXC_C14N "http://www.w3.org/2001/10/xml-exc-c14n#"
#define EMZA_ALG_EXC_C14N_COMMENTS "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
#define EMZA_ALG_ENVELOPED "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
#define EMZA_ALG_BASE64 "http://www.w3.org/2000/09/xmldsig#base64"
#define EMZA_ALG_XPATH "http://www.w3.org/TR/1999/REC-xpath-19991116"
#define EMZA_ALG_XPATH2 "http://www.w3.org/2002/06/xmldsig-filter2"
#define EMZA_ALG_XSLT "http://www.w3.org/TR/1999/REC-xslt-19991116"
#define EMZA_ALG_MGF1 "http://www.w3.org/2007/05/xmldsig-more#MGF1"
#define EMZA_ALG_RSA_PSS "http://www.w3.org/2007/05/xmldsig-more#rsa-pss"
#define EMZA_TYPE_SIGNED_PROPERTIES "http://uri.etsi.org/01903#SignedProperties"
#define EMZA_TYPE_MANIFEST "http://www.w3.org/2000/09/xmldsig#Manifest"

/* --- limits --- */
/** Most ds:Reference elements in one SignedInfo or Manifest. */
#define EMZA_XMLDSIG_REFERENCES_MAX 512
/** Most transforms on one reference. */
#define EMZA_XMLDSIG_TRANSFORMS_MAX 8
/** Most prefixes in one InclusiveNamespaces PrefixList. */
#define EMZA_XMLDSIG_PREFIXES_MAX 64
/** Longest decoded SignatureValue (bytes): RSA-16384. */
#define EMZA_XMLDSIG_SIGNATURE_VALUE_MAX 2048
/** Most certificates taken from one KeyInfo (and from CertificateValues). */
#define EMZA_XMLDSIG_CERTS_MAX 32
/** Largest octet stream held between transforms, and the largest base64 text decoded. */
#define EMZA_XMLDSIG_OCTETS_MAX ((size_t)EMZA_SIGNED_FILE_MAX)
/** Longest small text value read (SigningTime, MimeType, Description, SaltLength...). */
#define EMZA_XMLDSIG_SMALL_TEXT_MAX 256u
/** Longest decoded KeyValue part (an RSA modulus, an EC point: CryptoBinary). */
#define EMZA_XMLDSIG_KEY_PART_MAX 2048u
/** Longest text property emza signs (claimed role, city, country, MIME type, file name). */
#define EMZA_XADES_PROPERTY_MAX 1024
/** Longest decoded DEREncodedKeyValue or IssuerSerialV2. */
#define EMZA_XMLDSIG_DER_MAX (16u * 1024u)

/* --- canonicalization --- */

typedef struct emza__c14n {
    int mode;           /* xmlC14NMode */
    int with_comments;
    xmlChar **prefixes; /* exclusive only: the PrefixList, NULL-terminated, owned; or NULL */
} emza__c14n;

/** 1 when `uri` names one of the canonicalization algorithms (filled into *out). */
int emza__c14n_from_uri(emza__c14n *out, const char *uri);
/** The URI of a method without prefixes ("" never: mode must be valid). */
const char *emza__c14n_uri(int mode, int with_comments);
/**
 * Reads an exclusive method's ec:InclusiveNamespaces PrefixList from the
 * children of `el` (a CanonicalizationMethod or Transform). EMZA_EFORMAT or
 * EMZA_ELIMIT past EMZA_XMLDSIG_PREFIXES_MAX.
 */
int emza__c14n_read_prefixes(emza__c14n *c, const xmlNode *el);
void emza__c14n_free(emza__c14n *c);

/** What a same-document reference selects: a subtree or the whole document, minus one subtree. */
typedef struct emza__nodeset {
    xmlDocPtr doc;
    const xmlNode *root;     /* NULL: the whole document */
    const xmlNode *excluded; /* NULL, or a subtree left out (enveloped-signature) */
    int with_comments;
} emza__nodeset;

/** Where canonical or transformed bytes go: a running digest and/or a capped buffer. */
typedef struct emza__sink {
    EVP_MD_CTX *md;
    emza_buf *buf;
    int rc; /* the first failure while writing (EMZA_ELIMIT past the buffer's cap) */
} emza__sink;

/** Canonicalizes `ns` with `c` into `sink`. EMZA_EFORMAT when libxml2 refuses (message in words). */
int emza__c14n_run(const emza__nodeset *ns, const emza__c14n *c, emza__sink *sink);

/* --- digests and signature methods --- */

/** The digest a DigestMethod URI names (NID in *nid), or NULL when unknown. */
const EVP_MD *emza__xmldsig_digest(const char *uri, int *nid);
/** The DigestMethod URI for a digest NID, or NULL. */
const char *emza__xmldsig_digest_uri(int nid);

typedef struct emza__sigalg {
    const char *uri;
    int key_type; /* EVP_PKEY_RSA, EVP_PKEY_EC, EVP_PKEY_DSA */
    int pss;      /* RSASSA-PSS */
    int md_nid;   /* NID_undef for rsa-pss with parameters (from RSAPSSParams) */
    int hmac;     /* an HMAC method: never accepted */
} emza__sigalg;

/** The SignatureMethod a URI names, or NULL when unknown. */
const emza__sigalg *emza__xmldsig_sigalg(const char *uri);
/** The SignatureMethod URI emza writes for a key type, PSS choice and digest; NULL when none. */
const char *emza__xmldsig_sigalg_uri(int key_type, int pss, int md_nid);

/* --- transforms and references --- */

enum { EMZA__XF_C14N = 1, EMZA__XF_ENVELOPED = 2, EMZA__XF_BASE64 = 3 };

typedef struct emza__transform {
    int kind;
    emza__c14n c14n; /* EMZA__XF_C14N */
} emza__transform;

typedef struct emza__reference {
    const xmlNode *node; /* the ds:Reference, or NULL for one built in memory (signing) */
    const char *uri;     /* NULL when the attribute is absent */
    const char *type;
    const char *id;
    emza__transform transforms[EMZA_XMLDSIG_TRANSFORMS_MAX];
    size_t transform_count;
    const EVP_MD *md;
    int md_nid;
    uint8_t digest[EVP_MAX_MD_SIZE];
    size_t digest_len;
} emza__reference;

/**
 * Reads a ds:Reference: URI, Type, Id, Transforms (allowlist), DigestMethod,
 * DigestValue (of the digest's length). EMZA_EFORMAT with the reason in the
 * error record for anything malformed or refused; `out` is then freed.
 */
int emza__reference_parse(emza__reference *out, const xmlNode *el);
void emza__reference_free(emza__reference *ref);

/**
 * Checks one ds:Transform element against the allowlist into *out.
 * EMZA_EFORMAT naming the refused algorithm (XSLT, XPath, XPath Filter 2.0,
 * unknown).
 */
int emza__transform_parse(emza__transform *out, const xmlNode *el);

/** Supplies detached content: the path of the file a reference URI names, or NULL. */
typedef const char *(*emza__resolve_fn)(void *ctx, const char *file_name, int sole);

/**
 * Supplies detached content held in memory (an entry of an ASiC container):
 * `path` is the reference URI percent-decoded (emza__uri_path), relative to
 * the container root. On EMZA_OK `*out` borrows the bytes, which must stay
 * valid while the reference is processed; EMZA_ENOTFOUND when no such entry.
 */
typedef int (*emza__resolve_bytes_fn)(void *ctx, const char *path, emza_span *out);

typedef struct emza__ref_ctx {
    xmlDocPtr doc;
    const emza__xml_ids *ids;
    const xmlNode *signature; /* the ds:Signature being processed (enveloped-signature) */
    emza__resolve_fn resolve; /* NULL: no detached content */
    void *resolve_ctx;
    int sole_external;        /* 1 when this is the signature's only detached reference */
    emza_progress_fn progress;
    void *progress_ctx;
    emza__resolve_bytes_fn resolve_bytes; /* when set, detached references are resolved here
                                             (and never through `resolve`) */
    void *resolve_bytes_ctx;
} emza__ref_ctx;

/** What a reference turned out to cover. */
typedef struct emza__ref_target {
    int same_document;      /* 1: in this document; 0: a detached file */
    const xmlNode *element; /* same-document: the element selected, NULL for the whole document */
    const char *path;       /* detached: the file read (borrowed from the resolver) */
    char name[256];         /* detached: the file name from the URI, decoded (the entry's
                               path for in-memory content) */
    int in_memory;          /* detached content from resolve_bytes: `bytes`, not `path` */
    emza_span bytes;
} emza__ref_target;

/**
 * Resolves `ref`, runs its transforms and digests the result with ref->md
 * into `out` (*out_len bytes). Verdict-level problems come back as
 * EMZA_ENOTFOUND (the data cannot be obtained: SIGNED_DATA_NOT_FOUND) or
 * EMZA_EFORMAT / EMZA_ELIMIT (FORMAT_FAILURE), with the reason in the error
 * record; other codes are operational (EMZA_EIO reading a detached file,
 * EMZA_ENOMEM).
 */
int emza__reference_digest(const emza__ref_ctx *ctx, const emza__reference *ref, uint8_t *out,
                           unsigned int *out_len, emza__ref_target *target);

/**
 * Resolves `ref` and runs its transforms like emza__reference_digest, but
 * writes the octets that would be digested to `sink`; a node-set left at the
 * end is canonicalized with `final` (NULL: Canonical XML 1.0, XML-DSig's
 * rule). The first part of a XAdES archive timestamp's input. Errors as emza__reference_digest, and
 * the sink's own (EMZA_ELIMIT past its buffer's cap).
 */
int emza__reference_output(const emza__ref_ctx *ctx, const emza__reference *ref,
                           const emza__c14n *final, emza__sink *sink, emza__ref_target *target);

/** 1 when a reference URI is same-document ("" or "#..."). */
int emza__uri_is_same_document(const char *uri);
/**
 * The relative path a detached reference URI names, percent-decoded (ASiC,
 * ETSI EN 319 162-1: references to container entries are relative URIs): no
 * scheme, no query or fragment, not absolute. EMZA_ENOTFOUND when the URI is
 * not such a reference, decodes to a NUL, or is longer than `size`.
 */
int emza__uri_path(char *out, size_t size, const char *uri);
/**
 * The file name a detached reference URI names: no scheme, no query or
 * fragment, percent-decoded, last path component. EMZA_ENOTFOUND when the URI
 * is not a plain relative file reference (it has a scheme such as http: or
 * file:, or is an absolute path).
 */
int emza__uri_file_name(char *out, size_t size, const char *uri);
/** Percent-encodes a file name for a Reference URI (RFC 3986 unreserved kept). */
int emza__uri_encode_file_name(emza_buf *out, const char *name);

/* --- SignedInfo --- */

typedef struct emza__signed_info {
    const xmlNode *node;
    emza__c14n c14n;
    const emza__sigalg *alg;
    const EVP_MD *md;       /* the signature's digest */
    const EVP_MD *mgf1_md;  /* RSA-PSS */
    int salt_len;           /* RSA-PSS; -1 for the digest's length */
    emza__reference *refs;
    size_t ref_count;
} emza__signed_info;

/** Reads SignedInfo strictly (schema order, allowlists). EMZA_EFORMAT with the reason. */
int emza__signed_info_parse(emza__signed_info *out, const xmlNode *el);
void emza__signed_info_free(emza__signed_info *si);
/** Canonicalizes SignedInfo and digests it with the signature's digest. */
int emza__signed_info_digest(const emza__signed_info *si, xmlDocPtr doc, uint8_t *out,
                             unsigned int *out_len);

/**
 * Verifies `sig` (the decoded SignatureValue) over `digest` with `key`
 * according to si's method. *valid is 1 or 0; `why` gets a phrase when 0.
 * An error code only for operational failures.
 */
int emza__xmldsig_verify(int *valid, char *why, size_t why_size, const emza__signed_info *si,
                         EVP_PKEY *key, const uint8_t *sig, size_t sig_len, const uint8_t *digest,
                         size_t digest_len);

/* --- values --- */

/* Base64 and r||s conversions live in util/base64.h and util/sigvalue.h (included above). */
/** Decodes the base64 text content of `el` (capped at `max`). EMZA_EFORMAT with `what` named. */
int emza__base64_element(emza_buf *out, const xmlNode *el, size_t max, const char *what);


/* --- keys --- */

/**
 * The public key of a KeyInfo's KeyValue (RSAKeyValue, DSAKeyValue,
 * dsig11:ECKeyValue with a NamedCurve) or dsig11:DEREncodedKeyValue, or NULL
 * in *out when there is none. EMZA_EFORMAT for a malformed one.
 */
int emza__keyinfo_key(EVP_PKEY **out, const xmlNode *key_info);

#endif /* EMZA_XMLDSIG_H */
