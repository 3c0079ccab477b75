/*
 * libemza — Persian text folding, for comparing names.
 *
 * Folding is for *comparison only*: never apply it to bytes that are signed
 * or to text shown to a person as "what was signed".
 *
 * The rules, applied in this order:
 *  1. The input must be valid UTF-8 and must not contain U+0000 (else
 *     EMZA_EFORMAT: the result is a C string, and a NUL in it would hide
 *     what follows from the comparison).
 *  2. Canonical composition (NFC) of the Arabic-script sequences Unicode
 *     composes: alef + madda above -> U+0622, alef + hamza above/below ->
 *     U+0623/U+0625, waw + hamza -> U+0624, yeh + hamza -> U+0626, and the
 *     heh/yeh-barree hamza forms U+06C0, U+06C2, U+06D3. As in NFC, the
 *     combining marks of the Arabic block (U+0610..U+06ED) after a letter
 *     are first put in canonical order and a mark composes only when no
 *     mark of the same or a higher combining class stands between it and
 *     the letter, so "alef, fatha, hamza above" and "alef, hamza above,
 *     fatha" both give U+0623. A combining mark from another block ends
 *     the sequence (it blocks composition). Other scripts are compared as
 *     they are (Latin text in certificates is already NFC in practice); see
 *     docs/ARCHITECTURE.md.
 *  3. Letter unification: Arabic yeh U+064A and alef maksura U+0649 -> Farsi
 *     yeh U+06CC; Arabic kaf U+0643 -> keheh U+06A9.
 *  4. Persian and Arabic-Indic digits -> ASCII digits.
 *  5. Removed: tatweel U+0640, Arabic harakat (U+064B..U+065F, U+0670) left
 *     after step 2, ZWJ U+200D, and the bidi marks U+200E, U+200F, U+061C.
 *  6. ZWNJ rule: a zero-width non-joiner U+200C counts as a word break, like
 *     a space — "علی‌اکبر" (with ZWNJ) and "علی اکبر" fold alike, while
 *     "علیاکبر" (joined) stays different.
 *  7. White space (ASCII space, tab, CR, LF, NBSP and the Unicode spaces
 *     U+2000..U+200B, U+202F, U+205F, U+3000) and ZWNJ runs become one ASCII
 *     space; leading and trailing ones are removed.
 *  8. ASCII letters are lower-cased.
 *
 * Thread-safe, no state.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_TEXT_H
#define EMZA_TEXT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest input (bytes) folding accepts; longer is EMZA_ELIMIT. */
#define EMZA_TEXT_FOLD_MAX 65536

/**
 * Folds `len` bytes of UTF-8 `text` by the rules above into a new
 * NUL-terminated string `*out`, released with emza_free().
 * Errors: EMZA_EINVAL, EMZA_EFORMAT (not UTF-8), EMZA_ELIMIT, EMZA_ENOMEM;
 * `*out` is NULL on failure.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_text_fold(char **out, const char *text, size_t len);

/**
 * Compares two names after folding. Sets `*out_equal` to 1 when they fold to
 * the same text, else 0. Errors as emza_text_fold (then *out_equal is 0).
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_text_equal_folded(int *out_equal, const char *a,
                                                               size_t a_len, const char *b,
                                                               size_t b_len);

/**
 * Makes untrusted text (names from certificates, file names and URIs from
 * documents) safe to show on a terminal or in a report while keeping it
 * readable, Persian included: C0 and C1 controls, DEL, the bidi embedding,
 * override and isolate characters (U+202A..U+202E, U+2066..U+2069) and the
 * line and paragraph separators (U+2028, U+2029) become "\uXXXX", bytes that
 * are not UTF-8 "\xNN", and a backslash "\\" (so an escape cannot be faked).
 * New NUL-terminated string `*out`, released with emza_free(). Errors:
 * EMZA_EINVAL, EMZA_ENOMEM; `*out` is NULL on failure.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_text_escape(char **out, const char *text, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_TEXT_H */
