/*
 * libemza — validation verdicts: ETSI EN 319 102-1 indications and
 * sub-indications, spelled as in the standard (CONTRACT.md "Validation report").
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_INDICATION_H
#define EMZA_INDICATION_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Main status of a validation. */
typedef enum emza_indication {
    EMZA_TOTAL_PASSED = 0,
    EMZA_TOTAL_FAILED = 1,
    EMZA_INDETERMINATE = 2,
} emza_indication;

/** Why a validation did not pass. Values are append-only. */
typedef enum emza_subindication {
    EMZA_SUB_NONE = 0, /**< passed: no sub-indication */
    EMZA_SUB_FORMAT_FAILURE,
    EMZA_SUB_HASH_FAILURE,
    EMZA_SUB_SIG_CRYPTO_FAILURE,
    EMZA_SUB_REVOKED,
    EMZA_SUB_EXPIRED,
    EMZA_SUB_NOT_YET_VALID,
    EMZA_SUB_SIG_CONSTRAINTS_FAILURE,
    EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE,
    EMZA_SUB_CERTIFICATE_CHAIN_GENERAL_FAILURE,
    EMZA_SUB_CRYPTO_CONSTRAINTS_FAILURE,
    EMZA_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE,
    EMZA_SUB_POLICY_PROCESSING_ERROR,
    EMZA_SUB_SIGNATURE_POLICY_NOT_AVAILABLE,
    EMZA_SUB_TIMESTAMP_ORDER_FAILURE,
    EMZA_SUB_NO_SIGNING_CERTIFICATE_FOUND,
    EMZA_SUB_NO_CERTIFICATE_CHAIN_FOUND,
    EMZA_SUB_NO_CERTIFICATE_CHAIN_FOUND_NO_POE,
    EMZA_SUB_REVOKED_NO_POE,
    EMZA_SUB_REVOKED_CA_NO_POE,
    EMZA_SUB_OUT_OF_BOUNDS_NOT_REVOKED,
    EMZA_SUB_OUT_OF_BOUNDS_NO_POE,
    EMZA_SUB_REVOCATION_OUT_OF_BOUNDS_NO_POE,
    EMZA_SUB_NO_POE,
    EMZA_SUB_TRY_LATER,
    EMZA_SUB_SIGNED_DATA_NOT_FOUND,
} emza_subindication;

/** "TOTAL_PASSED", "TOTAL_FAILED", "INDETERMINATE"; NULL for an unknown value. Static storage. */
EMZA_EXTERN const char *emza_indication_name(emza_indication indication);

/** "FORMAT_FAILURE", ...; NULL for EMZA_SUB_NONE or an unknown value. Static storage. */
EMZA_EXTERN const char *emza_subindication_name(emza_subindication sub);

/**
 * The indication ETSI EN 319 102-1 pairs a sub-indication with: EMZA_TOTAL_PASSED
 * for EMZA_SUB_NONE, EMZA_INDETERMINATE for a value this library does not know.
 */
EMZA_EXTERN emza_indication emza_subindication_indication(emza_subindication sub);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_INDICATION_H */
