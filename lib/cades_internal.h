/*
 * CAdES / CMS pieces shared by signing (cades_sign.c) and verification
 * (cades_verify.c): reading CMS, the ETSI signing-certificate attributes, the
 * DER of signed attributes, and moving a SignerInfo in and out of a CMS
 * (countersignatures live as bare SignerInfos inside an unsigned attribute).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_CADES_INTERNAL_H
#define EMZA_CADES_INTERNAL_H

#include <openssl/cms.h>

#include <emza/cert.h>
#include <emza/sign.h>
#include <emza/trust.h>

#include "http.h"
#include "util/buf.h"

/** Most SignerInfos (countersignatures included) one CMS may hold. */
#define EMZA_CADES_SIGNERS_MAX 64
/** Most signed attributes of a SignerInfo whose DER emza encodes itself (countersignatures). */
#define EMZA_CADES_SIGNED_ATTRS_MAX 64
/** Deepest nesting of countersignatures of countersignatures validated; deeper: EMZA_ELIMIT. */
#define EMZA_CADES_COUNTERSIGNATURE_DEPTH_MAX 8
/** Largest attached content signed in memory (CAdES attached keeps it inside the CMS). */
#define EMZA_CADES_ATTACHED_MAX (256u * 1024 * 1024)

/** id-aa-ets-mimeType (ETSI EN 319 122-1), 0.4.0.1733.2.1 */
#define EMZA_OID_ETS_MIME_TYPE "0.4.0.1733.2.1"

/**
 * Parses a CMS ContentInfo from DER or PEM bytes into `*out`; it must be
 * SignedData. EMZA_EFORMAT otherwise.
 */
int emza__cades_read(CMS_ContentInfo **out, const uint8_t *data, size_t len);

/** Appends the DER of a SigningCertificateV2 attribute value for `cert` (SHA-256 + IssuerSerial). */
int emza__cades_signing_cert_v2_der(const emza_cert *cert, emza_buf *out);

/** What the signing-certificate(-v2) attribute of a SignerInfo says about a certificate. */
typedef enum emza__signing_cert_ref {
    EMZA__SIGNING_CERT_ABSENT = 0,   /* neither attribute */
    EMZA__SIGNING_CERT_MATCHES = 1,  /* its first certificate hash is this certificate's */
    EMZA__SIGNING_CERT_DIFFERS = 2,  /* it names another certificate */
    EMZA__SIGNING_CERT_MALFORMED = 3,
} emza__signing_cert_ref;

/**
 * Checks `cert` against the SignerInfo's signingCertificateV2 (or v1)
 * attribute. A hash the crypto provider cannot compute is MALFORMED (it
 * identifies nothing); only EMZA_ENOMEM is an error.
 */
int emza__cades_signing_cert_check(emza__signing_cert_ref *out, int *out_v1, CMS_SignerInfo *si,
                                   const emza_cert *cert);

/** Appends the DER (a SET OF, sorted) of the SignerInfo's signed attributes: what its signature covers. */
int emza__cades_signed_attrs_der(CMS_SignerInfo *si, emza_buf *out);

/** The whole DER of the first SignerInfo of a SignedData in `cms_der` (borrowed from it). */
int emza__cades_first_signer_info(const uint8_t *cms_der, size_t len, emza_span *out);

/**
 * Wraps a bare SignerInfo (DER) into a new detached SignedData so the CMS
 * API can work on it (used for countersignatures).
 */
int emza__cades_wrap_signer_info(CMS_ContentInfo **out, emza_span signer_info);

/** DER of a CMS ContentInfo, appended to `out`. */
int emza__cades_to_der(CMS_ContentInfo *cms, emza_buf *out);

/* ------------------------------------------------------------------------ */
/* long-term material and archive timestamps (cades_archive.c)              */
/* ------------------------------------------------------------------------ */

/** Most certificates, and most revocation values, of one SignedData that are examined. */
#define EMZA_CADES_VALUES_MAX 256
/** Most unsigned attribute values of one SignerInfo that are examined. */
#define EMZA_CADES_UNSIGNED_VALUES_MAX 64

/** id-aa-ets-archiveTimestampV3 (ETSI EN 319 122-1), 0.4.0.1733.2.4 */
#define EMZA_OID_ARCHIVE_TIMESTAMP_V3 "0.4.0.1733.2.4"
/** id-aa-ATSHashIndex-v3 (ETSI EN 319 122-1), 0.4.0.19122.1.5 */
#define EMZA_OID_ATS_HASH_INDEX_V3 "0.4.0.19122.1.5"
/** id-ri-ocsp-response (RFC 5940), 1.3.6.1.5.5.7.16.2 */
#define EMZA_OID_RI_OCSP_RESPONSE "1.3.6.1.5.5.7.16.2"

/** Where the parts of a SignedData are in its DER (spans borrowed from the DER). */
typedef struct emza__cades_layout {
    emza_span content_type;                   /* encapContentInfo.eContentType, whole TLV */
    emza_span certs[EMZA_CADES_VALUES_MAX];   /* each CertificateChoices, whole TLV */
    size_t cert_count;
    emza_span choices[EMZA_CADES_VALUES_MAX]; /* each RevocationInfoChoice, whole TLV */
    size_t choice_count;
    emza_span crls[EMZA_CADES_VALUES_MAX];    /* the CertificateList choices */
    size_t crl_count;
    emza_span ocsp[EMZA_CADES_VALUES_MAX];    /* the OCSPResponse of each id-ri-ocsp-response */
    size_t ocsp_count;
    emza_span signer_infos[EMZA_CADES_SIGNERS_MAX]; /* each SignerInfo, whole TLV */
    size_t signer_count;
} emza__cades_layout;

/**
 * Finds the parts of the CMS ContentInfo (SignedData) `der`. EMZA_EFORMAT
 * when malformed, EMZA_ELIMIT past EMZA_CADES_VALUES_MAX values or
 * EMZA_CADES_SIGNERS_MAX signers. `*out` is the caller's (it is large: allocate it).
 */
int emza__cades_layout_parse(emza__cades_layout *out, const uint8_t *der, size_t len);

/** One unsigned attribute value: its attribute's type (OID TLV) and the value (TLV). */
typedef struct emza__cades_attr_value {
    emza_span type;
    emza_span value;
} emza__cades_attr_value;

/** Where the parts of one SignerInfo are. */
typedef struct emza__cades_signer_layout {
    emza_span fields;    /* version, sid, digestAlgorithm, signedAttrs, signatureAlgorithm,
                            signature: whole TLVs, contiguous, as they appear */
    emza_span signature; /* the signature value's content octets */
    emza__cades_attr_value unsigned_values[EMZA_CADES_UNSIGNED_VALUES_MAX];
    size_t unsigned_count;
} emza__cades_signer_layout;

/** Finds the parts of a SignerInfo (whole TLV). EMZA_EFORMAT, EMZA_ELIMIT. */
int emza__cades_signer_layout_parse(emza__cades_signer_layout *out, emza_span signer_info);

/**
 * The SignerInfo of `layout` whose signature value is `signature`; EMZA_ENOTFOUND when none,
 * EMZA_EFORMAT when another SignerInfo that is not an exact copy has the same value.
 */
int emza__cades_layout_find_signer(emza__cades_signer_layout *out, const emza__cades_layout *layout,
                                   const uint8_t *signature, size_t signature_len);

/**
 * Appends the DER of an ATSHashIndexV3 (ETSI EN 319 122-1 clause 5.5.3) for
 * the signer `s` of `l` with `md`: the hashes of every certificate and every
 * RevocationInfoChoice of the SignedData (whole encodings) and of every
 * unsigned attribute value of the signer (its attrType's encoding followed by
 * the value's). hashIndAlgorithm is left out for SHA-256 (its DEFAULT).
 */
int emza__cades_ats_hash_index(emza_buf *out, const emza__cades_layout *l,
                               const emza__cades_signer_layout *s, const EVP_MD *md);

/**
 * Appends the bytes whose hash is an archive-time-stamp-v3's message
 * imprint (ETSI EN 319 122-1 clause 5.5.3): the eContentType's encoding, the
 * hash of the signed content (`content_digest`, computed with the imprint's
 * algorithm), the signer's fields from version to signature, and the
 * ATSHashIndexV3 `hash_index` (whole DER).
 */
int emza__cades_ats_imprint_input(emza_buf *out, const emza__cades_layout *l,
                                  const emza__cades_signer_layout *s, const uint8_t *content_digest,
                                  size_t content_digest_len, emza_span hash_index);

/**
 * Checks an ATSHashIndexV3 against the current signature: every hash it lists
 * must still be the hash of a certificate, revocation value or unsigned
 * attribute value present now (values added after the archive timestamp are
 * allowed; one changed or removed is not). `*ok` is 1, or 0 with `why`
 * filled; `*md` the index's algorithm (NULL when unknown). EMZA_ENOMEM only.
 */
int emza__cades_ats_hash_index_check(int *ok, char *why, size_t why_size, const EVP_MD **md,
                                     emza_span hash_index, const emza__cades_layout *l,
                                     const emza__cades_signer_layout *s);

/**
 * Appends to `out` the CMS `der` with the OCSP responses `ocsp` added to
 * SignedData.crls as `other` RevocationInfoChoices (id-ri-ocsp-response,
 * RFC 5940), those already present left out, and the SignedData version set
 * to 5 when any is present (RFC 5652 section 5.1).
 */
int emza__cades_add_ocsp_values(emza_buf *out, const uint8_t *der, size_t len,
                                const emza_buf *ocsp, size_t ocsp_count);

/* ------------------------------------------------------------------------ */
/* raising the level: T, LT, LTA (cades_extend.c)                           */
/* ------------------------------------------------------------------------ */

/** How a CAdES signature is extended; shared by emza_sign (after B) and emza_extend. */
typedef struct emza__cades_extension {
    emza_level level;                /* T, LT or LTA */
    const char *tsa_url;             /* needed for a signature or archive timestamp */
    const EVP_MD *md;                /* timestamp imprints and the ATS hash index */
    const emza__net *net;            /* TSA, OCSP and CRL requests */
    const emza_trust *trust;         /* anchors for LT; NULL: self-signed certificates at hand */
    const emza_cert_list *untrusted; /* extra certificates for chains, or NULL */
    int64_t now;                     /* chains are judged at this time (0: the clock) */
    const char *content_path;        /* detached content (an archive timestamp hashes it), or NULL */
    emza_progress_fn progress;       /* while hashing detached content, or NULL */
    void *progress_ctx;
} emza__cades_extension;

/**
 * CAdES-T (ETSI EN 319 122-1 clause 5.3): adds to `si` a signature timestamp
 * over its signature value (unsigned id-aa-timeStampToken). The token is
 * checked (tsp.h) before it is added; a claimed signing time after it (beyond
 * the clock skew) is EMZA_EINVAL. Errors of emza__tsp_stamp.
 */
int emza__cades_add_signature_timestamp(CMS_SignerInfo *si, const emza__cades_extension *x);

/**
 * Extends the CMS `der` to x->level and appends the result (DER) to `out`:
 * only the top-level signer whose signature value is `only` (all of them
 * when NULL). Missing steps are made in order — T, then LT (certificates and
 * revocation values of the signers' and TSAs' chains, ltv.h), then LTA (one
 * new archive-time-stamp-v3 per signer; again at each call). Errors of ltv.h,
 * tsp.h, EMZA_ENOTFOUND (detached content needed and not given).
 */
int emza__cades_extend_der(emza_buf *out, const uint8_t *der, size_t len,
                           const emza__cades_extension *x, const ASN1_OCTET_STRING *only);

#endif /* EMZA_CADES_INTERNAL_H */
