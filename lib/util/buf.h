/*
 * Bounded buffers: a span for borrowed bytes, a growable buffer with a hard
 * cap for owned ones, and a reader that checks what remains before every read.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_UTIL_BUF_H
#define EMZA_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/** Borrowed bytes: the span does not own `data`. */
typedef struct emza_span {
    const uint8_t *data;
    size_t len;
} emza_span;

/** Owned, growable bytes that never grow past `max`. Always NUL-terminated after data[len]. */
typedef struct emza_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t max;
} emza_buf;

/** An empty buffer that refuses to hold more than `max` bytes (EMZA_ELIMIT). */
void emza__buf_init(emza_buf *b, size_t max);
int emza__buf_append(emza_buf *b, const void *data, size_t len);
int emza__buf_append_str(emza_buf *b, const char *s);
int emza__buf_append_byte(emza_buf *b, uint8_t byte);
int emza__buf_appendf(emza_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Hands the bytes to the caller as a NUL-terminated string (free with emza_free); the buffer is left empty. */
char *emza__buf_take(emza_buf *b);
void emza__buf_free(emza_buf *b);
/** Wipes the bytes (secrets) before freeing. */
void emza__buf_wipe_free(emza_buf *b);

/** True when `needle` (a NUL-terminated string) occurs in the `len` bytes at `data`. */
int emza__bytes_contain(const void *data, size_t len, const char *needle);

/**
 * True when the bytes look like PEM: a "-----BEGIN " line somewhere, and not
 * DER (bytes starting with a SEQUENCE tag are DER, whatever they contain).
 */
int emza__looks_like_pem(const void *data, size_t len);

/**
 * Decodes `hex` (NUL-terminated; an even number of hex digits, either case)
 * into `out` (room for `size` bytes) and sets `*len` to the bytes written.
 * EMZA_EINVAL for an odd length or a character that is not a hex digit,
 * EMZA_ELIMIT when it does not fit; `*len` is 0 then.
 */
int emza__hex_decode(uint8_t *out, size_t size, const char *hex, size_t *len);

/** Reads borrowed bytes front to back; every read checks what remains. */
typedef struct emza_reader {
    const uint8_t *p;
    size_t left;
} emza_reader;

void emza__reader_init(emza_reader *r, const void *data, size_t len);
/** Takes `n` bytes as a span; EMZA_EFORMAT if fewer remain (the reader is unchanged). */
int emza__reader_take(emza_reader *r, size_t n, emza_span *out);
int emza__reader_u8(emza_reader *r, uint8_t *out);

#endif /* EMZA_UTIL_BUF_H */
