/*
 * Internal side of the error model (public side: include/emza/error.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_UTIL_ERROR_INTERNAL_H
#define EMZA_UTIL_ERROR_INTERNAL_H

#include <emza/error.h>

/** Longest message kept in the thread-local record (longer ones are cut). */
#define EMZA_ERROR_MESSAGE_MAX 512

/**
 * Records a failure on the calling thread and returns `code`, so a caller can
 * write `return emza__error_set(...)`. The message is formatted with vsnprintf.
 */
int emza__error_set(int code, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/**
 * Like emza__error_set, and appends OpenSSL's queued reasons in words
 * ("...: unsupported algorithm; bad decrypt"), then clears OpenSSL's queue.
 */
int emza__error_ossl(int code, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/**
 * Puts a formatted prefix and ": " before the current message of the calling
 * thread's record (e.g. the file name), keeps its code, and returns the code.
 */
int emza__error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Empties OpenSSL's error queue without recording anything. */
void emza__ossl_clear(void);

#endif /* EMZA_UTIL_ERROR_INTERNAL_H */
