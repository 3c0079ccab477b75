/* SPDX-License-Identifier: Apache-2.0 */
#include "sign_internal.h"
#include "util/guard.h"

int emza__xades_sign(const emza__sign_job *job)
{
    (void)job;
    EMZA_FAIL(EMZA_EUNSUPPORTED, "XAdES signing is being written");
}
