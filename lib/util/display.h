/*
 * Making untrusted text safe to show a person: certificate names, file names
 * and URIs from a document are printed as they are (Persian included) except
 * for characters that could break a line or reorder what is read.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_UTIL_DISPLAY_H
#define EMZA_UTIL_DISPLAY_H

#include "util/buf.h"

/**
 * Appends `len` bytes of `text` to `out` with C0 and C1 controls, DEL, the
 * bidi embedding/override/isolate characters (U+202A..U+202E, U+2066..U+2069)
 * and the line/paragraph separators (U+2028, U+2029) written as "\uXXXX",
 * bytes that are not valid UTF-8 as "\xNN", and a backslash as "\\".
 * Public as emza_text_escape (text.h).
 */
int emza__display_escape(emza_buf *out, const char *text, size_t len);

#endif /* EMZA_UTIL_DISPLAY_H */
