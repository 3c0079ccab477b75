/*
 * Internal side of the PKCS#11 key source (lib/signer_pkcs11.c): how a
 * module's CKR_* return values become words and EMZA_E* codes. Exposed for
 * the unit test, which checks the mapping of values a software token cannot
 * be made to return.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_SIGNER_PKCS11_INTERNAL_H
#define EMZA_SIGNER_PKCS11_INTERNAL_H

#include <stddef.h>

/**
 * The EMZA_E* code for a CKR_* value `rv`: EMZA_EPIN for a refused PIN
 * (incorrect, wrong length, invalid characters, expired), EMZA_EPIN_LOCKED,
 * EMZA_ENOTFOUND (no token, removed, bad slot), EMZA_ENOMEM, EMZA_ECANCELED,
 * EMZA_EUNSUPPORTED (mechanism or key type); `fallback` for the rest; EMZA_OK
 * for CKR_OK.
 */
int emza__pkcs11_code(unsigned long rv, int fallback);

/** "CKR_PIN_INCORRECT: the PIN is incorrect" into `buf` (cut to `size`). */
void emza__pkcs11_describe(unsigned long rv, char *buf, size_t size);

#endif /* EMZA_SIGNER_PKCS11_INTERNAL_H */
