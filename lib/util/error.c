/*
 * The thread-local error record.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "util/error_internal.h"

typedef struct error_record {
    emza_error pub;
    char message[EMZA_ERROR_MESSAGE_MAX];
} error_record;

static _Thread_local error_record tls_record = {{EMZA_OK, "", NULL, 0}, {0}};

static const struct {
    int code;
    const char *name;
    const char *description;
} code_table[] = {
    {EMZA_OK, "EMZA_OK", "success"},
    {EMZA_EINVAL, "EMZA_EINVAL", "invalid argument"},
    {EMZA_ENOMEM, "EMZA_ENOMEM", "out of memory"},
    {EMZA_EIO, "EMZA_EIO", "input/output error"},
    {EMZA_ELIMIT, "EMZA_ELIMIT", "input exceeds a limit"},
    {EMZA_EFORMAT, "EMZA_EFORMAT", "malformed input"},
    {EMZA_ECRYPTO, "EMZA_ECRYPTO", "cryptographic operation failed"},
    {EMZA_ENOTFOUND, "EMZA_ENOTFOUND", "not found"},
    {EMZA_EVERSION, "EMZA_EVERSION", "unsupported options version"},
    {EMZA_EUNSUPPORTED, "EMZA_EUNSUPPORTED", "not supported"},
    {EMZA_ESTATE, "EMZA_ESTATE", "wrong state for this call"},
    {EMZA_EINTERNAL, "EMZA_EINTERNAL", "internal error"},
    {EMZA_EPASSWORD, "EMZA_EPASSWORD", "wrong password"},
    {EMZA_ENETWORK, "EMZA_ENETWORK", "network request failed"},
    {EMZA_ECANCELED, "EMZA_ECANCELED", "cancelled"},
    {EMZA_EPIN, "EMZA_EPIN", "PIN incorrect"},
    {EMZA_EPIN_LOCKED, "EMZA_EPIN_LOCKED", "PIN locked"},
    {EMZA_EAUTH, "EMZA_EAUTH", "authentication refused"},
};

const char *emza_error_name(int code)
{
    for (size_t i = 0; i < sizeof(code_table) / sizeof(code_table[0]); i++)
        if (code_table[i].code == code)
            return code_table[i].name;
    return "EMZA_E?";
}

const char *emza_error_describe(int code)
{
    for (size_t i = 0; i < sizeof(code_table) / sizeof(code_table[0]); i++)
        if (code_table[i].code == code)
            return code_table[i].description;
    return "unknown error";
}

const emza_error *emza_error_last(void)
{
    return &tls_record.pub;
}

int emza_error_last_code(void)
{
    return tls_record.pub.code;
}

const char *emza_error_last_message(void)
{
    return tls_record.pub.message;
}

void emza_error_clear(void)
{
    tls_record.pub.code = EMZA_OK;
    tls_record.message[0] = '\0';
    tls_record.pub.message = tls_record.message;
    tls_record.pub.file = NULL;
    tls_record.pub.line = 0;
}

static void record_location(const char *file, int line)
{
#ifdef EMZA_DEBUG
    tls_record.pub.file = file;
    tls_record.pub.line = line;
#else
    (void)file;
    (void)line;
    tls_record.pub.file = NULL;
    tls_record.pub.line = 0;
#endif
}

/* Replaces control characters so the message stays one printable line. */
static void flatten_message(char *msg)
{
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
}

static int record_v(int code, const char *file, int line, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static int record_v(int code, const char *file, int line, const char *fmt, va_list ap)
{
    int n = vsnprintf(tls_record.message, sizeof(tls_record.message), fmt, ap);
    if (n < 0)
        tls_record.message[0] = '\0';
    flatten_message(tls_record.message);
    tls_record.pub.code = code;
    tls_record.pub.message = tls_record.message;
    record_location(file, line);
    return code;
}

int emza__error_set(int code, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record_v(code, file, line, fmt, ap);
    va_end(ap);
    return code;
}

int emza__error_prefix(const char *fmt, ...)
{
    char prefix[EMZA_ERROR_MESSAGE_MAX];
    char old[EMZA_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    if (n < 0)
        prefix[0] = '\0';
    /* Built piece by piece, cutting at the buffer's end. */
    size_t old_len = strlen(tls_record.message);
    memcpy(old, tls_record.message, old_len + 1);
    const char *parts[3] = {prefix, ": ", old};
    size_t used = 0, room = sizeof(tls_record.message) - 1;
    for (size_t i = 0; i < 3; i++) {
        size_t len = strlen(parts[i]);
        if (len > room - used)
            len = room - used;
        memcpy(tls_record.message + used, parts[i], len);
        used += len;
    }
    tls_record.message[used] = '\0';
    flatten_message(tls_record.message);
    tls_record.pub.message = tls_record.message;
    return tls_record.pub.code;
}

void emza__ossl_clear(void)
{
    ERR_clear_error();
}

/* At most this many OpenSSL reasons are appended; the rest are dropped. */
#define OSSL_REASONS_MAX 3

int emza__error_ossl(int code, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record_v(code, file, line, fmt, ap);
    va_end(ap);

    size_t used = strlen(tls_record.message);
    unsigned long e;
    int shown = 0;
    const char *sep = ": ";
    while ((e = ERR_get_error()) != 0) {
        if (shown >= OSSL_REASONS_MAX)
            continue; /* drain the queue */
        const char *reason = ERR_reason_error_string(e);
        char fallback[96];
        /* errno values ("Connection refused"); strerror_r: the record is per thread, so must this be */
        if (ERR_SYSTEM_ERROR(e) && strerror_r(ERR_GET_REASON(e), fallback, sizeof(fallback)) == 0)
            reason = fallback;
        if (reason == NULL) {
            snprintf(fallback, sizeof(fallback), "error %d", ERR_GET_REASON(e));
            reason = fallback;
        }
        int n = snprintf(tls_record.message + used, sizeof(tls_record.message) - used, "%s%s",
                         sep, reason);
        if (n < 0 || (size_t)n >= sizeof(tls_record.message) - used) {
            used = sizeof(tls_record.message) - 1;
        } else {
            used += (size_t)n;
        }
        sep = "; ";
        shown++;
    }
    flatten_message(tls_record.message);
    return code;
}
