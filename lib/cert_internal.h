/*
 * Internal side of certificates: other modules reach the OpenSSL object.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_CERT_INTERNAL_H
#define EMZA_CERT_INTERNAL_H

#include <openssl/x509.h>

#include <emza/cert.h>

#include "util/buf.h"

/** Wraps `x509` (taking a new reference to it) as an emza_cert. */
int emza__cert_from_x509(emza_cert **out, X509 *x509);

/** The OpenSSL certificate, borrowed from `cert`. */
X509 *emza__cert_x509(const emza_cert *cert);

/** The certificate's display name: its commonName, else its one-line subject. Borrowed. */
const char *emza__cert_display_name(const emza_cert *cert);

/** Converts an ASN1_TIME to seconds since the epoch; EMZA_EFORMAT if it is not a valid time. */
int emza__asn1_time_to_epoch(int64_t *out, const ASN1_TIME *t);

/**
 * Appends the DER of the certificate's IssuerSerial (RFC 5035, used by CAdES
 * SigningCertificateV2 and XAdES IssuerSerialV2): SEQUENCE { GeneralNames
 * { [4] issuer Name }, serialNumber }.
 */
int emza__cert_issuer_serial_der(const emza_cert *cert, emza_buf *out);

#endif /* EMZA_CERT_INTERNAL_H */
