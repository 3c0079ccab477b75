/*
 * CRLs (RFC 5280 5) for the revocation seam: download from a distribution
 * point, parse (DER, or PEM as some servers publish), and judge one
 * certificate against a CRL.
 *
 * A CRL is usable for a certificate only when:
 *   - its issuer name is the certificate's issuer name and its signature
 *     verifies with the issuing CA's key (the CA signs its own CRLs; the CA's
 *     keyUsage, when present, has cRLSign), with a digest the policy accepts;
 *   - it is a complete CRL for the certificate: delta CRLs (deltaCRLIndicator)
 *     and indirect CRLs (issuingDistributionPoint indirectCRL, or a
 *     certificateIssuer entry extension) are refused, as are CRLs limited to
 *     some reasons, to attribute certificates, or to the other kind of
 *     certificate (onlyContainsCACerts / onlyContainsUserCerts), and any
 *     unknown critical extension;
 *   - thisUpdate is not in the future and the CRL covers the validation time
 *     (emza__revocation_covers).
 * Then the serial is looked up: listed is REVOKED (revocationDate, reasonCode
 * when given), absent is GOOD.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_CRL_H
#define EMZA_CRL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include <emza/cert.h>

#include "http.h"
#include "revocation.h"

/** Largest CRL accepted, downloaded or embedded (bytes). */
#define EMZA_CRL_MAX (16 * 1024 * 1024)

/**
 * Parses a CRL from DER or PEM bytes. On EMZA_OK, `*out` is the CRL (the
 * caller's, X509_CRL_free) or NULL with `st` marked unusable and the reason.
 * Errors: EMZA_ENOMEM, EMZA_EINVAL.
 */
int emza__crl_parse(X509_CRL **out, emza__revocation_statement *st, const uint8_t *data,
                    size_t len);

/**
 * Judges `cert` (issued by `issuer`) against `crl` at `validation_time`,
 * judged at `now`. `verify_signature` 0 skips the signature check, for a CRL
 * already verified with this issuer's key (the cache). Returns EMZA_OK with
 * `*out` filled, or EMZA_EINVAL.
 */
int emza__crl_check(emza__revocation_statement *out, X509_CRL *crl, const emza_cert *cert,
                    const emza_cert *issuer, int verify_signature, int64_t now,
                    int64_t validation_time);

/**
 * Downloads the CRL at `url` (GET through emza__http_exchange, capped at
 * EMZA_CRL_MAX) and parses it. A failed download or an unreadable CRL leaves
 * `*out` NULL and `st` unusable with the reason. Errors: EMZA_ENOMEM, EMZA_EINVAL.
 */
int emza__crl_fetch(X509_CRL **out, emza__revocation_statement *st, const emza__net *net,
                    const char *url);

#endif /* EMZA_CRL_H */
