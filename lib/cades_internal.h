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

#endif /* EMZA_CADES_INTERNAL_H */
