/*
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "util/der.h"
#include "util/guard.h"

int emza__der_next(emza_reader *r, uint8_t *tag, emza_span *content)
{
    uint8_t t, first;
    EMZA_GUARD(emza__reader_u8(r, &t));
    EMZA_ENSURE_MSG((t & 0x1F) != 0x1F, EMZA_EFORMAT, "DER: multi-byte tags are not supported");
    EMZA_GUARD(emza__reader_u8(r, &first));
    size_t len;
    if (first < 0x80) {
        len = first;
    } else {
        size_t n = first & 0x7F;
        EMZA_ENSURE_MSG(n >= 1 && n <= 4, EMZA_EFORMAT, "DER: unsupported length form");
        len = 0;
        for (size_t i = 0; i < n; i++) {
            uint8_t b;
            EMZA_GUARD(emza__reader_u8(r, &b));
            len = (len << 8) | b;
        }
        EMZA_ENSURE_MSG(len >= 0x80, EMZA_EFORMAT, "DER: length not minimally encoded");
    }
    EMZA_GUARD(emza__reader_take(r, len, content));
    *tag = t;
    return EMZA_OK;
}

int emza__der_expect(emza_reader *r, uint8_t tag, emza_span *content)
{
    uint8_t t = 0;
    EMZA_GUARD(emza__der_next(r, &t, content));
    EMZA_ENSURE_MSG(t == tag, EMZA_EFORMAT, "DER: expected tag 0x%02x, found 0x%02x", tag, t);
    return EMZA_OK;
}

int emza__der_oid_equals(emza_span content, const uint8_t *oid, size_t oid_len)
{
    return content.len == oid_len && memcmp(content.data, oid, oid_len) == 0;
}

int emza__der_next_raw(emza_reader *r, uint8_t *tag, emza_span *content, emza_span *whole)
{
    const uint8_t *start = r->p;
    EMZA_GUARD(emza__der_next(r, tag, content));
    whole->data = start;
    whole->len = (size_t)(r->p - start);
    return EMZA_OK;
}

int emza__der_append_header(emza_buf *out, uint8_t tag, size_t len)
{
    uint8_t h[6];
    size_t n = 0;
    EMZA_ENSURE_MSG(len <= 0xFFFFFFFFu, EMZA_ELIMIT, "DER: content too long");
    h[n++] = tag;
    if (len < 0x80) {
        h[n++] = (uint8_t)len;
    } else {
        size_t bytes = len > 0xFFFFFF ? 4 : len > 0xFFFF ? 3 : len > 0xFF ? 2 : 1;
        h[n++] = (uint8_t)(0x80 | bytes);
        for (size_t i = bytes; i > 0; i--)
            h[n++] = (uint8_t)(len >> (8 * (i - 1)));
    }
    return emza__buf_append(out, h, n);
}

int emza__der_append_tlv(emza_buf *out, uint8_t tag, const void *content, size_t len)
{
    EMZA_GUARD(emza__der_append_header(out, tag, len));
    return len > 0 ? emza__buf_append(out, content, len) : EMZA_OK;
}
