/*
 * The check both revocation fuzz targets end with: the fuzzed bytes given as
 * embedded revocation data (OCSP response or CRL) to the revocation seam,
 * offline, about the fixture's certificate. Whatever the bytes, the seam
 * answers (never an error code) and never UNAVAILABLE: the fixture's
 * certificate declares no source, so without a usable answer it is NO_SOURCE.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_FUZZ_REVOCATION_CHECK_H
#define EMZA_FUZZ_REVOCATION_CHECK_H

#include <stdlib.h>
#include <string.h>

#include <emza/error.h>

#include "revocation.h"
#include "revocation_fixture.h"

/* Returns something derived from the answer, for the caller's sink. */
static inline int fuzz_embedded_revocation(const emza_cert *leaf, const emza_cert *ca,
                                           const uint8_t *data, size_t size, int is_crl)
{
    emza_span span = {data, size};
    emza__net offline = {1, 1, NULL, NULL};
    emza__revocation_request req;
    memset(&req, 0, sizeof(req));
    req.cert = leaf;
    req.issuer = ca;
    req.validation_time = FUZZ_NOW;
    req.now = FUZZ_NOW;
    req.net = &offline;
    if (is_crl) {
        req.embedded_crls = &span;
        req.embedded_crl_count = 1;
    } else {
        req.embedded_ocsp = &span;
        req.embedded_ocsp_count = 1;
    }
    emza__revocation_answer answer;
    if (emza__revocation_check(&answer, &req) != EMZA_OK)
        abort();
    if (answer.status == EMZA__REVOCATION_UNAVAILABLE)
        abort();
    emza_error_clear();
    return (int)answer.status + (int)strlen(answer.reason);
}

#endif /* EMZA_FUZZ_REVOCATION_CHECK_H */
