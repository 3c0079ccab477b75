/*
 * Strict UTF-8 decoding and encoding (no overlong forms, no surrogates, no
 * code point above U+10FFFF).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_UTIL_UTF8_H
#define EMZA_UTIL_UTF8_H

#include <stdint.h>

#include "util/buf.h"

/** Decodes one code point; EMZA_EFORMAT on invalid UTF-8 (the reader is then unchanged). */
int emza__utf8_next(emza_reader *r, uint32_t *out);

/** Appends the UTF-8 encoding of `cp`; EMZA_EINVAL for a surrogate or cp > U+10FFFF. */
int emza__utf8_append(emza_buf *b, uint32_t cp);

/** True when the bytes are valid UTF-8. */
int emza__utf8_valid(const uint8_t *data, size_t len);

#endif /* EMZA_UTIL_UTF8_H */
