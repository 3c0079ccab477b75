/*
 * DSA/ECDSA signature values: DER Dss-Sig-Value and fixed-size r||s.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_UTIL_SIGVALUE_H
#define EMZA_UTIL_SIGVALUE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/** Largest r||s value converted (bytes). */
#define EMZA_SIGVALUE_RAW_MAX 2048

/** A DSA/ECDSA Dss-Sig-Value (DER) from a raw r||s. EMZA_EFORMAT when `len` is odd, 0 or too long. */
int emza__sig_raw_to_der(emza_buf *out, const uint8_t *raw, size_t len);

/** The raw r||s (each `half` bytes) from a DER Dss-Sig-Value; EMZA_ECRYPTO when it does not fit. */
int emza__sig_der_to_raw(emza_buf *out, const uint8_t *der, size_t len, size_t half);

#endif /* EMZA_UTIL_SIGVALUE_H */
