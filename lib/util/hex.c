/*
 * Hexadecimal text (util/hex.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <emza/error.h>

#include "util/guard.h"
#include "util/hex.h"

void emza__hex_encode(char *out, const uint8_t *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 0x0F];
    }
    out[2 * len] = '\0';
}

static int nibble(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

int emza__hex_decode(uint8_t *out, size_t size, const char *hex, size_t *len)
{
    *len = 0;
    size_t n = strlen(hex);
    EMZA_ENSURE_MSG(n % 2 == 0, EMZA_EINVAL, "a hex string needs an even number of digits");
    EMZA_ENSURE_MSG(n / 2 <= size, EMZA_ELIMIT, "the hex string is longer than %zu bytes", size);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        EMZA_ENSURE_MSG(hi >= 0 && lo >= 0, EMZA_EINVAL,
                        "the hex string has a character that is not a hex digit");
        out[i] = (uint8_t)(hi * 16 + lo);
    }
    *len = n / 2;
    return EMZA_OK;
}

int emza__hex_decode_exact(uint8_t *out, size_t out_len, const char *hex)
{
    if (hex == NULL || strlen(hex) != out_len * 2)
        return 0;
    for (size_t i = 0; i < out_len; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return 0;
        out[i] = (uint8_t)(hi * 16 + lo);
    }
    return 1;
}
