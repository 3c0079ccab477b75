/*
 * Hexadecimal text: digests in reports, certificate fingerprints, policy
 * hashes and the two-step signing state.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_UTIL_HEX_H
#define EMZA_UTIL_HEX_H

#include <stddef.h>
#include <stdint.h>

/** Writes `len` bytes as lower-case hex into `out` (room for 2 * len + 1 bytes), NUL-terminated. */
void emza__hex_encode(char *out, const uint8_t *data, size_t len);

/**
 * Decodes `hex` — exactly 2 * out_len hex digits, either case, nothing else —
 * into `out_len` bytes. Returns 1, or 0 (and `out` unspecified) for any other
 * text, NULL included.
 */
int emza__hex_decode(uint8_t *out, size_t out_len, const char *hex);

#endif /* EMZA_UTIL_HEX_H */
