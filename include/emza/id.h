/*
 * libemza — Iranian identity numbers.
 *
 *  - National code (کد ملی), 10 digits, for citizens.
 *  - Legal-entity id (شناسه ملی), 11 digits, for companies and public bodies.
 *
 * Input is UTF-8 text. ASCII digits, Persian digits (U+06F0..U+06F9) and
 * Arabic-Indic digits (U+0660..U+0669) are accepted, with surrounding white
 * space (ASCII space, tab, CR, LF, NBSP U+00A0). Nothing else is: no inner
 * spaces, dashes or prefixes.
 *
 * An invalid number is a verdict in `out->verdict`, not an error: the
 * functions return EMZA_OK for any text, and a negative code only for bad
 * arguments (NULL) or text longer than EMZA_ID_TEXT_MAX bytes (EMZA_ELIMIT).
 *
 * All functions are thread-safe and keep no state.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_ID_H
#define EMZA_ID_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest text (in bytes) a check accepts; longer input is EMZA_ELIMIT. */
#define EMZA_ID_TEXT_MAX 256

/** Which kind of number. */
typedef enum emza_id_kind {
    EMZA_ID_ANY = 0,             /**< choose by digit count: 10 national code, 11 legal id */
    EMZA_ID_NATIONAL_CODE = 1,   /**< 10-digit national code */
    EMZA_ID_LEGAL_ENTITY_ID = 2, /**< 11-digit legal-entity id */
} emza_id_kind;

/** The verdict on a number. */
typedef enum emza_id_verdict {
    EMZA_ID_VALID = 0,
    EMZA_ID_EMPTY = 1,            /**< nothing but white space */
    EMZA_ID_NOT_UTF8 = 2,         /**< the text is not valid UTF-8 */
    EMZA_ID_NON_DIGIT = 3,        /**< a character that is not a digit, at `position` */
    EMZA_ID_WRONG_LENGTH = 4,     /**< not 10 (or 11) digits */
    EMZA_ID_REPEATED_DIGITS = 5,  /**< one digit ten times (0000000000 ... 9999999999) */
    EMZA_ID_BAD_CHECK_DIGIT = 6,  /**< the check digit does not match */
} emza_id_verdict;

/**
 * The outcome of a check. This struct is frozen: its layout will not change
 * (a richer result would be a new type).
 */
typedef struct emza_id_result {
    emza_id_kind kind;       /**< the kind checked (resolved when EMZA_ID_ANY was asked) */
    emza_id_verdict verdict; /**< EMZA_ID_VALID or why not */
    size_t position;         /**< for NON_DIGIT: 1-based character position in the trimmed text; else 0 */
    size_t digit_count;      /**< digits seen (for WRONG_LENGTH) */
    int expected_check;      /**< for BAD_CHECK_DIGIT: the check digit that would be valid; else -1 */
    char digits[12];         /**< the number in ASCII digits, NUL-terminated ("" unless all characters are digits and the length is right) */
} emza_id_result;

/**
 * Checks `text` (`len` bytes of UTF-8; need not be NUL-terminated) as a number
 * of the given kind and writes the verdict to `out`.
 *
 * The verdicts are decided in this order: NOT_UTF8 (anywhere in the text),
 * EMPTY, NON_DIGIT (the first character of the trimmed text that is not a
 * digit; a NUL byte inside `len` is such a character), WRONG_LENGTH, then
 * for a national code REPEATED_DIGITS, and BAD_CHECK_DIGIT. The
 * repeated-digit rule is the national code's only. `len` may be 0 (EMPTY).
 *
 * Returns EMZA_OK, EMZA_EINVAL (NULL `out` or `text`, unknown kind) or
 * EMZA_ELIMIT. On an error `*out` (when not NULL) has no digits and a verdict
 * other than EMZA_ID_VALID (WRONG_LENGTH for EMZA_ELIMIT, else EMPTY), so a
 * caller that ignores the return code still sees "not valid".
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_id_check(emza_id_result *out, emza_id_kind kind,
                                                      const char *text, size_t len);

/** Short English reason for a verdict ("bad check digit"). Static storage. */
EMZA_EXTERN const char *emza_id_verdict_describe(emza_id_verdict verdict);

/** "national code", "legal-entity id" or "identity number" for EMZA_ID_ANY. Static storage. */
EMZA_EXTERN const char *emza_id_kind_describe(emza_id_kind kind);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_ID_H */
