/*
 * SPDX-License-Identifier: Apache-2.0
 */
#include "util/utf8.h"
#include "util/guard.h"

int emza__utf8_next(emza_reader *r, uint32_t *out)
{
    *out = 0;
    EMZA_ENSURE_MSG(r->left > 0, EMZA_EFORMAT, "unexpected end of UTF-8 text");
    const uint8_t *p = r->p;
    uint8_t b0 = p[0];
    size_t n;
    uint32_t cp, min;
    if (b0 < 0x80) {
        n = 1;
        cp = b0;
        min = 0;
    } else if ((b0 & 0xE0) == 0xC0) {
        n = 2;
        cp = b0 & 0x1F;
        min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        n = 3;
        cp = b0 & 0x0F;
        min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        n = 4;
        cp = b0 & 0x07;
        min = 0x10000;
    } else {
        EMZA_FAIL(EMZA_EFORMAT, "invalid UTF-8 lead byte 0x%02x", b0);
    }
    EMZA_ENSURE_MSG(n <= r->left, EMZA_EFORMAT, "truncated UTF-8 sequence");
    for (size_t i = 1; i < n; i++) {
        EMZA_ENSURE_MSG((p[i] & 0xC0) == 0x80, EMZA_EFORMAT, "invalid UTF-8 continuation byte");
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    EMZA_ENSURE_MSG(cp >= min, EMZA_EFORMAT, "overlong UTF-8 sequence");
    EMZA_ENSURE_MSG(cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF), EMZA_EFORMAT,
                    "invalid code point U+%04X in UTF-8", (unsigned)cp);
    r->p += n;
    r->left -= n;
    *out = cp;
    return EMZA_OK;
}

int emza__utf8_append(emza_buf *b, uint32_t cp)
{
    uint8_t out[4];
    size_t n;
    EMZA_ENSURE_MSG(cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF), EMZA_EINVAL,
                    "code point U+%04X cannot be encoded", (unsigned)cp);
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        n = 1;
    } else if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        out[0] = (uint8_t)(0xF0 | (cp >> 18));
        out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return emza__buf_append(b, out, n);
}

int emza__utf8_valid(const uint8_t *data, size_t len)
{
    emza_reader r;
    emza__reader_init(&r, data, len);
    while (r.left > 0) {
        uint32_t cp;
        if (emza__utf8_next(&r, &cp) < 0)
            return 0;
    }
    return 1;
}
