/*
 * SPDX-License-Identifier: Apache-2.0
 */
#include "util/display.h"
#include "util/guard.h"
#include "util/utf8.h"

static int needs_escape(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

int emza__display_escape(emza_buf *out, const char *text, size_t len)
{
    emza_reader r;
    emza__reader_init(&r, text, len);
    while (r.left > 0) {
        const uint8_t *start = r.p;
        uint32_t cp;
        if (emza__utf8_next(&r, &cp) < 0) {
            EMZA_GUARD(emza__buf_appendf(out, "\\x%02X", *start));
            r.p++;
            r.left--;
            continue;
        }
        if (cp == '\\')
            EMZA_GUARD(emza__buf_append(out, "\\\\", 2));
        else if (needs_escape(cp))
            EMZA_GUARD(emza__buf_appendf(out, "\\u%04X", (unsigned)cp));
        else
            EMZA_GUARD(emza__buf_append(out, start, (size_t)(r.p - start)));
    }
    emza_error_clear(); /* decoding failures above are handled, not errors */
    return EMZA_OK;
}
