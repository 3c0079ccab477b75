/*
 * Base64 (RFC 4648 section 4, the standard alphabet with padding): one
 * decoder for XML text, where white space between characters is allowed,
 * and for strict contexts (authentication tokens), where it is not.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>

#include "util/base64.h"
#include "util/guard.h"

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

static int decode(emza_buf *out, const char *text, size_t len, size_t max, int skip_space)
{
    emza__buf_init(out, max);
    uint8_t chunk[3 * 1024];
    size_t used = 0;
    uint32_t acc = 0;
    unsigned int nchars = 0, pad = 0;
    int rc = EMZA_OK;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (skip_space && (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'))
            continue;
        if (ch == '=') {
            EMZA_TRY_ENSURE(nchars % 4 >= 2 && pad < 2, EMZA_EFORMAT, "misplaced base64 padding");
            pad++;
            nchars++;
            continue;
        }
        int v = b64_value(ch);
        EMZA_TRY_ENSURE(v >= 0 && pad == 0, EMZA_EFORMAT, "not base64 (character at offset %zu)",
                        i);
        acc = (acc << 6) | (uint32_t)v;
        nchars++;
        if (nchars % 4 == 0) {
            chunk[used++] = (uint8_t)(acc >> 16);
            chunk[used++] = (uint8_t)(acc >> 8);
            chunk[used++] = (uint8_t)acc;
            acc = 0;
            if (used == sizeof(chunk)) {
                EMZA_TRY(emza__buf_append(out, chunk, used));
                used = 0;
            }
        }
    }
    EMZA_TRY_ENSURE(nchars % 4 == 0, EMZA_EFORMAT, "truncated base64");
    if (pad == 1 || pad == 2) {
        /* The padded quad was never completed by the loop (padding does not shift acc). */
        unsigned int have = 4 - pad; /* characters carrying bits */
        uint32_t bits = acc << (6 * pad);
        chunk[used++] = (uint8_t)(bits >> 16);
        if (have == 3)
            chunk[used++] = (uint8_t)(bits >> 8);
    }
    EMZA_TRY(emza__buf_append(out, chunk, used));
    return EMZA_OK;
cleanup:
    emza__buf_free(out);
    return rc;
}

int emza__base64_decode(emza_buf *out, const char *text, size_t len, size_t max)
{
    return decode(out, text, len, max, 1);
}

int emza__base64_decode_strict(emza_buf *out, const char *text, size_t len, size_t max)
{
    return decode(out, text, len, max, 0);
}

int emza__base64_encode(emza_buf *out, const uint8_t *data, size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char chunk[4 * 1024];
    size_t used = 0;
    for (size_t i = 0; i < len; i += 3) {
        size_t n = len - i < 3 ? len - i : 3;
        uint32_t v = (uint32_t)data[i] << 16;
        if (n > 1)
            v |= (uint32_t)data[i + 1] << 8;
        if (n > 2)
            v |= data[i + 2];
        chunk[used++] = alphabet[(v >> 18) & 63];
        chunk[used++] = alphabet[(v >> 12) & 63];
        chunk[used++] = n > 1 ? alphabet[(v >> 6) & 63] : '=';
        chunk[used++] = n > 2 ? alphabet[v & 63] : '=';
        if (used == sizeof(chunk)) {
            EMZA_GUARD(emza__buf_append(out, chunk, used));
            used = 0;
        }
    }
    return emza__buf_append(out, chunk, used);
}
