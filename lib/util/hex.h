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
 * Decodes `hex` (NUL-terminated; an even number of hex digits, either case)
 * into `out` (room for `size` bytes) and sets `*len` to the bytes written.
 * EMZA_EINVAL for an odd length or a character that is not a hex digit,
 * EMZA_ELIMIT when it does not fit; `*len` is 0 then.
 */
int emza__hex_decode(uint8_t *out, size_t size, const char *hex, size_t *len);

/**
 * Decodes `hex` — exactly 2 * out_len hex digits, either case, nothing else —
 * into `out_len` bytes. Returns 1, or 0 (and `out` unspecified) for any other
 * text, NULL included. Sets no error record.
 */
int emza__hex_decode_exact(uint8_t *out, size_t out_len, const char *hex);

#endif /* EMZA_UTIL_HEX_H */
