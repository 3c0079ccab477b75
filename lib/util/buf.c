/*
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "util/buf.h"
#include "util/guard.h"

void emza__buf_init(emza_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

/* Makes room for `extra` more bytes plus the terminating NUL. */
static int buf_reserve(emza_buf *b, size_t extra)
{
    size_t need;
    /* need < SIZE_MAX leaves room for the terminating NUL without wrapping. */
    EMZA_ENSURE_MSG(!EMZA_ADD_OVERFLOWS(b->len, extra, &need) && need <= b->max && need < SIZE_MAX,
                    EMZA_ELIMIT, "buffer limit of %zu bytes exceeded", b->max);
    if (need + 1 <= b->cap)
        return EMZA_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need + 1) {
        size_t next;
        if (EMZA_MUL_OVERFLOWS(cap, (size_t)2, &next)) {
            cap = need + 1;
            break;
        }
        cap = next;
    }
    if (b->max < SIZE_MAX && cap > b->max + 1)
        cap = b->max + 1;
    uint8_t *p = realloc(b->data, cap);
    EMZA_ENSURE(p != NULL, EMZA_ENOMEM);
    b->data = p;
    b->cap = cap;
    return EMZA_OK;
}

int emza__buf_append(emza_buf *b, const void *data, size_t len)
{
    EMZA_GUARD(buf_reserve(b, len));
    if (len > 0)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = 0;
    return EMZA_OK;
}

int emza__buf_append_str(emza_buf *b, const char *s)
{
    return emza__buf_append(b, s, strlen(s));
}

int emza__buf_append_byte(emza_buf *b, uint8_t byte)
{
    return emza__buf_append(b, &byte, 1);
}

int emza__buf_appendf(emza_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    EMZA_ENSURE(n >= 0, EMZA_EINTERNAL);
    EMZA_GUARD(buf_reserve(b, (size_t)n));
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return EMZA_OK;
}

char *emza__buf_take(emza_buf *b)
{
    if (b->data == NULL && buf_reserve(b, 0) < 0)
        return NULL;
    b->data[b->len] = 0;
    char *s = (char *)b->data;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return s;
}

void emza__buf_free(emza_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void emza__buf_wipe_free(emza_buf *b)
{
    if (b->data != NULL)
        OPENSSL_cleanse(b->data, b->cap);
    emza__buf_free(b);
}

void emza__reader_init(emza_reader *r, const void *data, size_t len)
{
    r->p = data;
    r->left = data ? len : 0;
}

int emza__reader_take(emza_reader *r, size_t n, emza_span *out)
{
    EMZA_ENSURE_MSG(n <= r->left, EMZA_EFORMAT, "truncated input: %zu bytes needed, %zu left", n,
                    r->left);
    out->data = r->p;
    out->len = n;
    r->p += n;
    r->left -= n;
    return EMZA_OK;
}

int emza__reader_u8(emza_reader *r, uint8_t *out)
{
    EMZA_ENSURE_MSG(r->left >= 1, EMZA_EFORMAT, "truncated input: 1 byte needed, 0 left");
    *out = r->p[0];
    r->p++;
    r->left--;
    return EMZA_OK;
}

int emza__bytes_contain(const void *data, size_t len, const char *needle)
{
    const uint8_t *p = data;
    size_t n = strlen(needle);
    if (n == 0)
        return 1;
    for (size_t i = 0; i + n <= len; i++)
        if (p[i] == (uint8_t)needle[0] && memcmp(p + i, needle, n) == 0)
            return 1;
    return 0;
}

int emza__looks_like_pem(const void *data, size_t len)
{
    /* DER always starts with a SEQUENCE: never look for PEM inside it (a DER
     * structure can carry a PEM block in an extension). */
    if (len > 0 && ((const uint8_t *)data)[0] == 0x30)
        return 0;
    return emza__bytes_contain(data, len, "-----BEGIN ");
}

static int hex_digit(char ch)
{
    return (ch >= '0' && ch <= '9')   ? ch - '0'
           : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10
           : (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10
                                      : -1;
}

int emza__hex_decode(uint8_t *out, size_t size, const char *hex, size_t *len)
{
    *len = 0;
    size_t n = strlen(hex);
    EMZA_ENSURE_MSG(n % 2 == 0, EMZA_EINVAL, "a hex string needs an even number of digits");
    EMZA_ENSURE_MSG(n / 2 <= size, EMZA_ELIMIT, "the hex string is longer than %zu bytes", size);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        EMZA_ENSURE_MSG(hi >= 0 && lo >= 0, EMZA_EINVAL, "the hex string has a character that is "
                                                          "not a hex digit");
        out[i] = (uint8_t)(hi * 16 + lo);
    }
    *len = n / 2;
    return EMZA_OK;
}
