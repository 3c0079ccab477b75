/*
 * Chain validation with what only the library itself hands in: the
 * revocation values a signature embeds (CAdES RevocationInfoChoices, XAdES
 * RevocationValues), and an observer that sees every revocation answer with
 * the DER it rests on (ltv.h gathers long-term validation material this way).
 * emza_trust_verify (include/emza/trust.h) is this with neither.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_TRUST_INTERNAL_H
#define EMZA_TRUST_INTERNAL_H

#include <emza/trust.h>

#include "revocation.h"
#include "util/buf.h"

/** Revocation values carried by a signature (borrowed DER). */
typedef struct emza__revocation_values {
    const emza_span *ocsp; /* OCSPResponse */
    size_t ocsp_count;
    const emza_span *crls; /* CertificateList */
    size_t crl_count;
} emza__revocation_values;

/**
 * Called once for every certificate below the anchor whose revocation was
 * checked, with the answer and the DER of the statement it rests on (empty
 * for NO_SOURCE and UNAVAILABLE; borrowed for the call). A negative return
 * stops the validation with that error.
 */
typedef int (*emza__revocation_observer)(void *ctx, const emza_cert *cert,
                                         const emza_cert *issuer,
                                         const emza__revocation_answer *answer,
                                         const emza_buf *der);

typedef struct emza__chain_extra {
    const emza__revocation_values *embedded; /* may be NULL */
    emza__revocation_observer observe;       /* may be NULL */
    void *observe_ctx;
} emza__chain_extra;

/** emza_trust_verify with `extra` (may be NULL): same verdicts, errors and ownership. */
int emza__trust_verify_ex(emza_chain_result **out, const emza_trust *trust, const emza_cert *cert,
                          const emza_chain_options *opts, const emza__chain_extra *extra);

#endif /* EMZA_TRUST_INTERNAL_H */
