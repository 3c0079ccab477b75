/*
 * Safety macros: one vocabulary for checks everywhere in the library.
 *
 *   EMZA_ENSURE(cond, code)             fail with `code` when cond is false (message names the condition)
 *   EMZA_ENSURE_MSG(cond, code, fmt...) same, with a message in words
 *   EMZA_FAIL(code, fmt...)             record and return `code`
 *   EMZA_GUARD(expr)                    propagate a negative result
 *   EMZA_GUARD_OSSL(expr, code)         OpenSSL's 1 means success; anything else -> `code`
 *                                       with OpenSSL's error queue folded into the message
 *
 * Inside a function with a single `cleanup:` label and an `int rc`, the TRY forms set
 * rc and jump there instead of returning:
 *   EMZA_TRY(expr), EMZA_TRY_ENSURE(cond, code, fmt...), EMZA_TRY_OSSL(expr, code, fmt...)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_UTIL_GUARD_H
#define EMZA_UTIL_GUARD_H

#include "util/error_internal.h"

#define EMZA_ENSURE(cond, code)                                                                    \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return emza__error_set((code), __FILE__, __LINE__, "%s (%s)",                         \
                                   emza_error_describe(code), #cond);                              \
    } while (0)

#define EMZA_ENSURE_MSG(cond, code, ...)                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return emza__error_set((code), __FILE__, __LINE__, __VA_ARGS__);                      \
    } while (0)

#define EMZA_FAIL(code, ...) return emza__error_set((code), __FILE__, __LINE__, __VA_ARGS__)

#define EMZA_GUARD(expr)                                                                           \
    do {                                                                                           \
        int emza_guard_rc_ = (expr);                                                               \
        if (emza_guard_rc_ < 0)                                                                    \
            return emza_guard_rc_;                                                                 \
    } while (0)

#define EMZA_GUARD_OSSL(expr, code)                                                                \
    do {                                                                                           \
        if ((expr) != 1)                                                                           \
            return emza__error_ossl((code), __FILE__, __LINE__, "%s failed", #expr);               \
    } while (0)

#define EMZA_TRY(expr)                                                                             \
    do {                                                                                           \
        rc = (expr);                                                                               \
        if (rc < 0)                                                                                \
            goto cleanup;                                                                          \
    } while (0)

#define EMZA_TRY_ENSURE(cond, code, ...)                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            rc = emza__error_set((code), __FILE__, __LINE__, __VA_ARGS__);                         \
            goto cleanup;                                                                          \
        }                                                                                          \
    } while (0)

#define EMZA_TRY_OSSL(expr, code, ...)                                                             \
    do {                                                                                           \
        if ((expr) != 1) {                                                                         \
            rc = emza__error_ossl((code), __FILE__, __LINE__, __VA_ARGS__);                        \
            goto cleanup;                                                                          \
        }                                                                                          \
    } while (0)

/* Checked size arithmetic: true when the result does not fit. */
#define EMZA_ADD_OVERFLOWS(a, b, out) __builtin_add_overflow((a), (b), (out))
#define EMZA_MUL_OVERFLOWS(a, b, out) __builtin_mul_overflow((a), (b), (out))

#define EMZA_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif /* EMZA_UTIL_GUARD_H */
