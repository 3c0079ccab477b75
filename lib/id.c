/*
 * Iranian identity numbers: the national code (10 digits) and the
 * legal-entity id (11 digits). The contract is in include/emza/id.h.
 *
 * The text is decoded once into code points (at most EMZA_ID_TEXT_MAX of
 * them), trimmed, and every remaining character must be a digit in one of
 * the three accepted scripts. Only then are the check digits computed.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <emza/id.h>

#include "util/buf.h"
#include "util/guard.h"
#include "util/utf8.h"

#define NATIONAL_CODE_DIGITS 10
#define LEGAL_ENTITY_ID_DIGITS 11

/* The digit value of `cp` (ASCII, Persian or Arabic-Indic), or -1. */
static int digit_value(uint32_t cp)
{
    if (cp >= '0' && cp <= '9')
        return (int)(cp - '0');
    if (cp >= 0x06F0 && cp <= 0x06F9) /* EXTENDED ARABIC-INDIC (Persian) DIGIT ZERO..NINE */
        return (int)(cp - 0x06F0);
    if (cp >= 0x0660 && cp <= 0x0669) /* ARABIC-INDIC DIGIT ZERO..NINE */
        return (int)(cp - 0x0660);
    return -1;
}

/* The white space id.h allows around a number. */
static int is_trim_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == 0x00A0;
}

/*
 * National code: s = sum of c[i] * (10 - i) for i = 0..8, r = s mod 11;
 * the check digit c[9] is r when r < 2, else 11 - r.
 */
static int national_code_check_digit(const int *c)
{
    int s = 0;
    for (int i = 0; i < 9; i++)
        s += c[i] * (10 - i);
    int r = s % 11;
    return r < 2 ? r : 11 - r;
}

/*
 * Legal-entity id: d = c[9] + 2; s = sum of (c[i] + d) * w[i] for i = 0..9
 * with the weights 29, 27, 23, 19, 17 repeating; the check digit c[10] is
 * s mod 11, where 10 counts as 0.
 */
static int legal_entity_check_digit(const int *c)
{
    static const int weights[5] = {29, 27, 23, 19, 17};
    int d = c[9] + 2;
    int s = 0;
    for (int i = 0; i < 10; i++)
        s += (c[i] + d) * weights[i % 5];
    int r = s % 11;
    return r == 10 ? 0 : r;
}

/* No position, no digits, no expected check digit. */
static void result_reset(emza_id_result *out, emza_id_kind kind, emza_id_verdict verdict)
{
    memset(out, 0, sizeof(*out));
    out->kind = kind;
    out->verdict = verdict;
    out->expected_check = -1;
}

int emza_id_check(emza_id_result *out, emza_id_kind kind, const char *text, size_t len)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    /* Fail closed: until the end, *out says "not valid" even to a caller that ignores rc. */
    result_reset(out, kind, EMZA_ID_EMPTY);
    EMZA_ENSURE(text != NULL, EMZA_EINVAL);
    EMZA_ENSURE_MSG(kind == EMZA_ID_ANY || kind == EMZA_ID_NATIONAL_CODE ||
                        kind == EMZA_ID_LEGAL_ENTITY_ID,
                    EMZA_EINVAL, "unknown identity number kind %d", (int)kind);
    if (len > EMZA_ID_TEXT_MAX) {
        out->verdict = EMZA_ID_WRONG_LENGTH;
        EMZA_FAIL(EMZA_ELIMIT, "identity number text of %zu bytes exceeds the limit of %d bytes",
                  len, EMZA_ID_TEXT_MAX);
    }

    /* Decode everything first: text that is not UTF-8 gets that verdict wherever the bad byte is. */
    uint32_t cps[EMZA_ID_TEXT_MAX];
    size_t n = 0;
    emza_reader r;
    emza__reader_init(&r, text, len);
    while (r.left > 0) {
        if (emza__utf8_next(&r, &cps[n]) < 0) {
            emza_error_clear(); /* the decoder recorded a failure; here it is a verdict */
            out->verdict = EMZA_ID_NOT_UTF8;
            return EMZA_OK;
        }
        n++; /* cannot pass EMZA_ID_TEXT_MAX: every code point takes at least one byte */
    }

    size_t begin = 0, end = n;
    while (begin < end && is_trim_space(cps[begin]))
        begin++;
    while (end > begin && is_trim_space(cps[end - 1]))
        end--;
    if (begin == end) {
        out->verdict = EMZA_ID_EMPTY;
        return EMZA_OK;
    }

    /* Every character must be a digit; the first that is not is reported (1-based, trimmed text). */
    int values[EMZA_ID_TEXT_MAX];
    size_t count = end - begin;
    for (size_t i = 0; i < count; i++) {
        values[i] = digit_value(cps[begin + i]);
        if (values[i] < 0) {
            size_t digits_seen = 0;
            for (size_t j = begin; j < end; j++)
                digits_seen += digit_value(cps[j]) >= 0;
            out->verdict = EMZA_ID_NON_DIGIT;
            out->position = i + 1;
            out->digit_count = digits_seen;
            return EMZA_OK;
        }
    }
    out->digit_count = count;

    emza_id_kind resolved = kind;
    if (kind == EMZA_ID_ANY) {
        if (count == NATIONAL_CODE_DIGITS)
            resolved = EMZA_ID_NATIONAL_CODE;
        else if (count == LEGAL_ENTITY_ID_DIGITS)
            resolved = EMZA_ID_LEGAL_ENTITY_ID;
    }
    out->kind = resolved;
    size_t want = resolved == EMZA_ID_NATIONAL_CODE     ? NATIONAL_CODE_DIGITS
                  : resolved == EMZA_ID_LEGAL_ENTITY_ID ? LEGAL_ENTITY_ID_DIGITS
                                                        : 0; /* ANY that matched neither */
    if (count != want) {
        out->verdict = EMZA_ID_WRONG_LENGTH;
        return EMZA_OK;
    }

    /* All digits and the right length: the ASCII form is reported whatever the verdict below. */
    /* result_reset zeroed `digits`, so at most 11 digits leave it NUL-terminated. */
    for (size_t i = 0; i < count && i + 1 < sizeof(out->digits); i++)
        out->digits[i] = (char)('0' + values[i]);

    int expected;
    if (resolved == EMZA_ID_NATIONAL_CODE) {
        /* The ten codes of one repeated digit pass the sum (10c = -c mod 11) but are not issued. */
        int repeated = 1;
        for (size_t i = 1; i < count; i++)
            repeated &= values[i] == values[0];
        if (repeated) {
            out->verdict = EMZA_ID_REPEATED_DIGITS;
            return EMZA_OK;
        }
        expected = national_code_check_digit(values);
    } else {
        expected = legal_entity_check_digit(values);
    }
    if (values[count - 1] != expected) {
        out->verdict = EMZA_ID_BAD_CHECK_DIGIT;
        out->expected_check = expected;
        return EMZA_OK;
    }
    out->verdict = EMZA_ID_VALID;
    return EMZA_OK;
}

const char *emza_id_verdict_describe(emza_id_verdict verdict)
{
    switch (verdict) {
    case EMZA_ID_VALID:
        return "valid";
    case EMZA_ID_EMPTY:
        return "empty";
    case EMZA_ID_NOT_UTF8:
        return "not valid UTF-8";
    case EMZA_ID_NON_DIGIT:
        return "contains a character that is not a digit";
    case EMZA_ID_WRONG_LENGTH:
        return "wrong number of digits";
    case EMZA_ID_REPEATED_DIGITS:
        return "one digit repeated";
    case EMZA_ID_BAD_CHECK_DIGIT:
        return "bad check digit";
    }
    return "unknown verdict";
}

const char *emza_id_kind_describe(emza_id_kind kind)
{
    switch (kind) {
    case EMZA_ID_ANY:
        return "identity number";
    case EMZA_ID_NATIONAL_CODE:
        return "national code";
    case EMZA_ID_LEGAL_ENTITY_ID:
        return "legal-entity id";
    }
    return "unknown kind";
}
