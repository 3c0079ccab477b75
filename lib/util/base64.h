/*
 * Base64 (RFC 4648 section 4: standard alphabet, padding required).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_UTIL_BASE64_H
#define EMZA_UTIL_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/**
 * Decodes base64 text (XML white space — space, tab, CR, LF — ignored,
 * padding checked) into `out` (initialised here, capped at `max`: EMZA_ELIMIT
 * beyond). EMZA_EFORMAT for anything else; `out` is empty on failure.
 */
int emza__base64_decode(emza_buf *out, const char *text, size_t len, size_t max);

/** As emza__base64_decode, but any white space is EMZA_EFORMAT too. */
int emza__base64_decode_strict(emza_buf *out, const char *text, size_t len, size_t max);

/** Appends the base64 encoding of `len` bytes to `out` (one line, padded). */
int emza__base64_encode(emza_buf *out, const uint8_t *data, size_t len);

#endif /* EMZA_UTIL_BASE64_H */
