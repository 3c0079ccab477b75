/*
 * CAdES extension (placeholder until the T/LT/LTA steps land).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "extend_internal.h"
#include "util/guard.h"

int emza__cades_extend(const emza__extend_job *job)
{
    EMZA_FAIL(EMZA_EUNSUPPORTED, "%s: extending CAdES is not implemented yet", job->path);
}
