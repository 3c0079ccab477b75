/*
 * Revocation status of a certificate (see revocation.h for the seam).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>

#include "revocation.h"
#include "util/guard.h"

int emza__revocation_check(emza__revocation_answer *out, const emza__revocation_request *req)
{
    EMZA_ENSURE(out != NULL && req != NULL && req->cert != NULL, EMZA_EINVAL);
    memset(out, 0, sizeof(*out));
    size_t ocsp = emza_cert_ocsp_url_count(req->cert);
    size_t crl = emza_cert_crl_url_count(req->cert);
    if (ocsp == 0 && crl == 0) {
        out->status = EMZA__REVOCATION_NO_SOURCE;
        return EMZA_OK;
    }
    out->status = EMZA__REVOCATION_UNAVAILABLE;
    const char *where = ocsp > 0 ? emza_cert_ocsp_url(req->cert, 0) : emza_cert_crl_url(req->cert, 0);
    if (req->offline)
        snprintf(out->reason, sizeof(out->reason),
                 "revocation source %s cannot be consulted offline and no revocation data is embedded",
                 where);
    else
        snprintf(out->reason, sizeof(out->reason),
                 "revocation source %s cannot be consulted: this build does not fetch OCSP or CRLs yet",
                 where);
    return EMZA_OK;
}
