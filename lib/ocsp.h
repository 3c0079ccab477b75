/*
 * OCSP (RFC 6960) for the revocation seam: requests with a nonce, and the
 * verification of a response about one certificate.
 *
 * A response is *usable* only when every check below passes; otherwise the
 * statement says why, in words, and the revocation module goes on to the
 * next source:
 *   - responseStatus successful, a basic response (id-pkix-ocsp-basic);
 *   - a SingleResponse whose CertID (issuer name hash, issuer key hash,
 *     serial; SHA-1, SHA-256, SHA-384 or SHA-512) is exactly this
 *     certificate's: a response about another certificate is a failure;
 *   - the signer, named by the responderID, is authorised: the issuing CA's
 *     own key, or a delegated responder certificate that the issuing CA
 *     signed, with extendedKeyUsage id-kp-OCSPSigning and the
 *     id-pkix-ocsp-nocheck extension, valid at producedAt, its keyUsage (when
 *     present) allowing digitalSignature. A delegated responder without
 *     ocsp-nocheck is refused: its own revocation status could only be
 *     checked by asking about it in turn, which this library does not do;
 *   - the signature verifies with that signer's key, and the signature's
 *     digest and the signer's key pass the default policy;
 *   - the nonce, when one was sent: an echoed nonce must be equal (a
 *     different one is a replay and refused); a response without a nonce is
 *     accepted (RFC 5019 responders pre-produce responses and never echo one;
 *     freshness is then bounded by thisUpdate/nextUpdate) and flagged so the
 *     caller can warn;
 *   - producedAt and thisUpdate not in the future, and the statement covers
 *     the validation time (emza__revocation_covers);
 *   - certStatus good or revoked (revocationTime, reason). unknown is not
 *     usable: the responder does not vouch for the certificate either way.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_OCSP_H
#define EMZA_OCSP_H

#include <stddef.h>
#include <stdint.h>

#include <emza/cert.h>

#include "http.h"
#include "revocation.h"
#include "util/buf.h"

/** Largest OCSP response accepted, from the network or embedded (bytes). */
#define EMZA_OCSP_RESPONSE_MAX (256 * 1024)
/** Length of the nonce sent (RFC 8954: 1 to 32 octets, 32 recommended). */
#define EMZA_OCSP_NONCE_LEN 32

typedef struct emza__ocsp_request emza__ocsp_request;

/** A request about `cert` (SHA-1 CertID, as responders expect) with a fresh random nonce. */
int emza__ocsp_request_new(emza__ocsp_request **out, const emza_cert *cert,
                           const emza_cert *issuer);
/** The request's DER, borrowed. */
const uint8_t *emza__ocsp_request_der(const emza__ocsp_request *req, size_t *len);
void emza__ocsp_request_free(emza__ocsp_request *req);

/**
 * Verifies the DER OCSPResponse `der` as a statement about `cert` (issued by
 * `issuer`) at `validation_time`, judged at `now`. `req` is the request it
 * answers (its nonce is checked), or NULL for an embedded or cached response.
 * Returns EMZA_OK with `*out` filled (usable or not, with the reason), or
 * EMZA_ENOMEM / EMZA_EINVAL. Leaves OpenSSL's error queue empty.
 */
int emza__ocsp_verify_response(emza__revocation_statement *out, const uint8_t *der, size_t len,
                               const emza_cert *cert, const emza_cert *issuer,
                               const emza__ocsp_request *req, int64_t now,
                               int64_t validation_time);

/**
 * Asks the responder at `url` about `cert` (POST application/ocsp-request
 * through emza__http_exchange) and verifies the answer. A failed request is
 * an unusable statement, not an error. On a usable statement the response's
 * DER is left in `response` (initialised here; the caller frees it).
 * Errors: EMZA_ENOMEM, EMZA_EINVAL.
 */
int emza__ocsp_fetch(emza__revocation_statement *out, emza_buf *response, const emza__net *net,
                     const char *url, const emza_cert *cert, const emza_cert *issuer,
                     int64_t now, int64_t validation_time);

#endif /* EMZA_OCSP_H */
