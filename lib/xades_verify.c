/* SPDX-License-Identifier: Apache-2.0 */
#include "util/guard.h"
#include "verify_internal.h"

int emza__xades_verify(const emza__verify_job *job)
{
    (void)job;
    EMZA_FAIL(EMZA_EUNSUPPORTED, "XAdES verification is being written");
}
