/*
 * libFuzzer target: emza_id_check with every kind on arbitrary bytes.
 *
 * Besides crashes and sanitizer reports it checks the result's promises
 * (include/emza/id.h) and aborts when one is broken.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <emza/error.h>
#include <emza/id.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

static int all_ascii_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return s[n] == '\0';
}

static void check_result(const emza_id_result *r, emza_id_kind asked, size_t size)
{
    size_t ndigits = 0;
    while (ndigits < sizeof(r->digits) && r->digits[ndigits] != '\0')
        ndigits++;
    CHECK(ndigits < sizeof(r->digits));
    if (asked != EMZA_ID_ANY)
        CHECK(r->kind == asked);
    switch (r->verdict) {
    case EMZA_ID_VALID:
    case EMZA_ID_REPEATED_DIGITS:
    case EMZA_ID_BAD_CHECK_DIGIT:
        CHECK(r->kind == EMZA_ID_NATIONAL_CODE || r->kind == EMZA_ID_LEGAL_ENTITY_ID);
        CHECK(ndigits == (r->kind == EMZA_ID_NATIONAL_CODE ? 10u : 11u));
        CHECK(all_ascii_digits(r->digits, ndigits));
        CHECK(r->digit_count == ndigits);
        CHECK(r->position == 0);
        if (r->verdict == EMZA_ID_BAD_CHECK_DIGIT) {
            CHECK(r->expected_check >= 0 && r->expected_check <= 9);
            CHECK(r->digits[ndigits - 1] - '0' != r->expected_check);
        } else {
            CHECK(r->expected_check == -1);
        }
        if (r->verdict == EMZA_ID_REPEATED_DIGITS) {
            CHECK(r->kind == EMZA_ID_NATIONAL_CODE);
            for (size_t i = 1; i < ndigits; i++)
                CHECK(r->digits[i] == r->digits[0]);
        }
        break;
    case EMZA_ID_NON_DIGIT:
        CHECK(r->position >= 1 && r->position <= size);
        CHECK(ndigits == 0 && r->expected_check == -1);
        break;
    case EMZA_ID_EMPTY:
    case EMZA_ID_NOT_UTF8:
    case EMZA_ID_WRONG_LENGTH:
        CHECK(ndigits == 0 && r->position == 0 && r->expected_check == -1);
        break;
    default:
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const emza_id_kind kinds[] = {EMZA_ID_ANY, EMZA_ID_NATIONAL_CODE,
                                         EMZA_ID_LEGAL_ENTITY_ID};
    emza_id_result results[3];
    for (size_t k = 0; k < 3; k++) {
        int rc = emza_id_check(&results[k], kinds[k], (const char *)data, size);
        if (size > EMZA_ID_TEXT_MAX) {
            CHECK(rc == EMZA_ELIMIT);
            CHECK(results[k].verdict != EMZA_ID_VALID);
            continue;
        }
        CHECK(rc == EMZA_OK);
        check_result(&results[k], kinds[k], size);
    }
    if (size > EMZA_ID_TEXT_MAX)
        return 0;
    /* EMZA_ID_ANY agrees with the kind it resolved to. */
    const emza_id_result *any = &results[0];
    if (any->kind != EMZA_ID_ANY) {
        const emza_id_result *same = &results[any->kind == EMZA_ID_NATIONAL_CODE ? 1 : 2];
        CHECK(any->verdict == same->verdict && any->position == same->position &&
              any->digit_count == same->digit_count &&
              any->expected_check == same->expected_check &&
              strcmp(any->digits, same->digits) == 0);
    }
    /* The two specific kinds never both accept the same text. */
    CHECK(!(results[1].verdict == EMZA_ID_VALID && results[2].verdict == EMZA_ID_VALID));
    return 0;
}
