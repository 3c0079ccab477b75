/*
 * Unit tests: national codes and legal-entity ids (include/emza/id.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <emza/error.h>
#include <emza/id.h>

/* Checks NUL-terminated `text` and returns the result; the call itself must succeed. */
static emza_id_result check(emza_id_kind kind, const char *text)
{
    emza_id_result r;
    assert_int_equal(emza_id_check(&r, kind, text, strlen(text)), EMZA_OK);
    return r;
}

static void assert_valid(emza_id_kind kind, const char *text, emza_id_kind resolved,
                         const char *ascii)
{
    emza_id_result r = check(kind, text);
    if (r.verdict != EMZA_ID_VALID)
        print_error("expected \"%s\" to be valid, got verdict %d\n", text, (int)r.verdict);
    assert_int_equal(r.verdict, EMZA_ID_VALID);
    assert_int_equal(r.kind, resolved);
    assert_string_equal(r.digits, ascii);
    assert_int_equal(r.digit_count, strlen(ascii));
    assert_int_equal(r.position, 0);
    assert_int_equal(r.expected_check, -1);
}

static void assert_bad_check(emza_id_kind kind, const char *text, int expected_check)
{
    emza_id_result r = check(kind, text);
    if (r.verdict != EMZA_ID_BAD_CHECK_DIGIT)
        print_error("expected \"%s\" to have a bad check digit, got verdict %d\n", text,
                    (int)r.verdict);
    assert_int_equal(r.verdict, EMZA_ID_BAD_CHECK_DIGIT);
    assert_int_equal(r.expected_check, expected_check);
    assert_string_equal(r.digits, text);
}

/*
 * The check digits, written here from the specification a second time, for
 * generating test numbers. test_id_test_helpers__agree_with_spec_examples
 * anchors them to the literal examples, so a shared misreading of the
 * algorithm would not go unnoticed.
 */
static char national_check(const char *prefix9)
{
    int s = 0;
    for (int i = 0; i < 9; i++)
        s += (prefix9[i] - '0') * (10 - i);
    return (char)('0' + (s % 11 < 2 ? s % 11 : 11 - s % 11));
}

static char legal_check(const char *prefix10)
{
    static const int w[10] = {29, 27, 23, 19, 17, 29, 27, 23, 19, 17};
    int d = prefix10[9] - '0' + 2, s = 0;
    for (int i = 0; i < 10; i++)
        s += (prefix10[i] - '0' + d) * w[i];
    return (char)('0' + (s % 11 == 10 ? 0 : s % 11));
}

static const char *const spec_valid_national[] = {"0499370899", "0790419904", "1583250689"};
static const char *const spec_valid_legal[] = {"10380284790", "10100387143"};

/* Valid numbers computed outside this project (by hand and with an independent script). */
static const char *const more_valid_national[] = {"0012345679", "1234567891", "9876543210",
                                                  "5555555512", "3141592659", "2718281820",
                                                  "9000000009"};
static const char *const more_valid_legal[] = {"10100000006", "10860912340", "14000000018",
                                               "12345678906"};

static const char *const national_prefixes[] = {
    "049937089", "079041990", "158325068", "001234567", "111222333", "246813579", "300200100",
    "456456456", "500000000", "612345678", "700700700", "808080808", "913579246", "020406080",
    "333444555", "987654320",
};
static const char *const legal_prefixes[] = {
    "1038028479", "1010038714", "1010000000", "1086091234", "1400000001",
    "1032000000", "1410987654", "1110222333", "1055555555",
};

static void test_id_test_helpers__agree_with_spec_examples(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(spec_valid_national) / sizeof(*spec_valid_national); i++)
        assert_int_equal(national_check(spec_valid_national[i]), spec_valid_national[i][9]);
    for (size_t i = 0; i < sizeof(spec_valid_legal) / sizeof(*spec_valid_legal); i++)
        assert_int_equal(legal_check(spec_valid_legal[i]), spec_valid_legal[i][10]);
    assert_int_equal(national_check("123456789"), '1'); /* so 1234567890 is invalid */
    assert_int_equal(national_check("068415941"), '4'); /* so 0684159415 is invalid */
    assert_int_equal(legal_check("1038028479"), '0');   /* so 10380284792 is invalid */
}

static void test_id_check__accepts_spec_national_codes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(spec_valid_national) / sizeof(*spec_valid_national); i++) {
        assert_valid(EMZA_ID_NATIONAL_CODE, spec_valid_national[i], EMZA_ID_NATIONAL_CODE,
                     spec_valid_national[i]);
        assert_valid(EMZA_ID_ANY, spec_valid_national[i], EMZA_ID_NATIONAL_CODE,
                     spec_valid_national[i]);
    }
    for (size_t i = 0; i < sizeof(more_valid_national) / sizeof(*more_valid_national); i++)
        assert_valid(EMZA_ID_NATIONAL_CODE, more_valid_national[i], EMZA_ID_NATIONAL_CODE,
                     more_valid_national[i]);
}

static void test_id_check__accepts_spec_legal_entity_ids(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(spec_valid_legal) / sizeof(*spec_valid_legal); i++) {
        assert_valid(EMZA_ID_LEGAL_ENTITY_ID, spec_valid_legal[i], EMZA_ID_LEGAL_ENTITY_ID,
                     spec_valid_legal[i]);
        assert_valid(EMZA_ID_ANY, spec_valid_legal[i], EMZA_ID_LEGAL_ENTITY_ID,
                     spec_valid_legal[i]);
    }
    for (size_t i = 0; i < sizeof(more_valid_legal) / sizeof(*more_valid_legal); i++)
        assert_valid(EMZA_ID_LEGAL_ENTITY_ID, more_valid_legal[i], EMZA_ID_LEGAL_ENTITY_ID,
                     more_valid_legal[i]);
}

static void test_id_check__accepts_generated_national_codes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(national_prefixes) / sizeof(*national_prefixes); i++) {
        char code[11];
        memcpy(code, national_prefixes[i], 9);
        code[9] = national_check(national_prefixes[i]);
        code[10] = '\0';
        assert_valid(EMZA_ID_NATIONAL_CODE, code, EMZA_ID_NATIONAL_CODE, code);
        assert_valid(EMZA_ID_ANY, code, EMZA_ID_NATIONAL_CODE, code);
    }
}

static void test_id_check__accepts_generated_legal_entity_ids(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(legal_prefixes) / sizeof(*legal_prefixes); i++) {
        char id[12];
        memcpy(id, legal_prefixes[i], 10);
        id[10] = legal_check(legal_prefixes[i]);
        id[11] = '\0';
        assert_valid(EMZA_ID_LEGAL_ENTITY_ID, id, EMZA_ID_LEGAL_ENTITY_ID, id);
        assert_valid(EMZA_ID_ANY, id, EMZA_ID_LEGAL_ENTITY_ID, id);
    }
}

static void test_id_check__rejects_spec_invalid_examples_with_expected_check(void **state)
{
    (void)state;
    assert_bad_check(EMZA_ID_NATIONAL_CODE, "1234567890", 1);
    assert_bad_check(EMZA_ID_NATIONAL_CODE, "0684159415", 4);
    assert_bad_check(EMZA_ID_LEGAL_ENTITY_ID, "10380284792", 0);
    assert_bad_check(EMZA_ID_ANY, "1234567890", 1);
    assert_bad_check(EMZA_ID_ANY, "10380284792", 0);
    emza_id_result r = check(EMZA_ID_ANY, "10380284792");
    assert_int_equal(r.kind, EMZA_ID_LEGAL_ENTITY_ID);
}

/* Every wrong last digit of a valid number is refused and the right one is named. */
static void test_id_check__rejects_every_wrong_check_digit(void **state)
{
    (void)state;
    size_t rejected = 0;
    for (size_t i = 0; i < sizeof(national_prefixes) / sizeof(*national_prefixes); i++) {
        char good = national_check(national_prefixes[i]);
        char code[11];
        memcpy(code, national_prefixes[i], 9);
        code[10] = '\0';
        for (char c = '0'; c <= '9'; c++) {
            if (c == good)
                continue;
            code[9] = c;
            emza_id_result r = check(EMZA_ID_NATIONAL_CODE, code);
            /* 1111111111 etc. are refused as repeated digits first. */
            if (r.verdict == EMZA_ID_REPEATED_DIGITS)
                continue;
            assert_bad_check(EMZA_ID_NATIONAL_CODE, code, good - '0');
            rejected++;
        }
    }
    for (size_t i = 0; i < sizeof(legal_prefixes) / sizeof(*legal_prefixes); i++) {
        char good = legal_check(legal_prefixes[i]);
        char id[12];
        memcpy(id, legal_prefixes[i], 10);
        id[11] = '\0';
        for (char c = '0'; c <= '9'; c++) {
            if (c == good)
                continue;
            id[10] = c;
            assert_bad_check(EMZA_ID_LEGAL_ENTITY_ID, id, good - '0');
            rejected++;
        }
    }
    assert_true(rejected >= 200);
}

/* A changed digit in the body (not the check digit) is caught too. */
static void test_id_check__rejects_single_digit_changes_in_body(void **state)
{
    (void)state;
    char code[] = "0499370899";
    for (int pos = 0; pos < 9; pos++) {
        char orig = code[pos];
        code[pos] = (char)(orig == '9' ? '0' : orig + 1);
        emza_id_result r = check(EMZA_ID_NATIONAL_CODE, code);
        assert_int_equal(r.verdict, EMZA_ID_BAD_CHECK_DIGIT);
        code[pos] = orig;
    }
}

static void test_id_check__rejects_repeated_digits(void **state)
{
    (void)state;
    for (char c = '0'; c <= '9'; c++) {
        char code[11];
        memset(code, c, 10);
        code[10] = '\0';
        /* They pass the sum: the check digit of nine c's is c. */
        assert_int_equal(national_check(code), c);
        emza_id_result r = check(EMZA_ID_NATIONAL_CODE, code);
        assert_int_equal(r.verdict, EMZA_ID_REPEATED_DIGITS);
        assert_int_equal(r.kind, EMZA_ID_NATIONAL_CODE);
        assert_string_equal(r.digits, code);
        assert_int_equal(r.expected_check, -1);
        r = check(EMZA_ID_ANY, code);
        assert_int_equal(r.verdict, EMZA_ID_REPEATED_DIGITS);
    }
    /* In Persian digits as well. */
    emza_id_result r = check(EMZA_ID_NATIONAL_CODE, "۱۱۱۱۱۱۱۱۱۱");
    assert_int_equal(r.verdict, EMZA_ID_REPEATED_DIGITS);
}

/* The repeated-digit verdict is the national code's; an 11-digit id is judged by its check. */
static void test_id_check__repeated_digit_rule_applies_to_national_codes_only(void **state)
{
    (void)state;
    assert_bad_check(EMZA_ID_LEGAL_ENTITY_ID, "00000000000", 9);
    assert_bad_check(EMZA_ID_LEGAL_ENTITY_ID, "11111111111", 7);
}

static void test_id_check__accepts_persian_digits(void **state)
{
    (void)state;
    assert_valid(EMZA_ID_NATIONAL_CODE, "۰۴۹۹۳۷۰۸۹۹", EMZA_ID_NATIONAL_CODE, "0499370899");
    assert_valid(EMZA_ID_LEGAL_ENTITY_ID, "۱۰۳۸۰۲۸۴۷۹۰", EMZA_ID_LEGAL_ENTITY_ID, "10380284790");
    assert_valid(EMZA_ID_ANY, "۱۵۸۳۲۵۰۶۸۹", EMZA_ID_NATIONAL_CODE, "1583250689");
    emza_id_result r = check(EMZA_ID_NATIONAL_CODE, "۱۲۳۴۵۶۷۸۹۰");
    assert_int_equal(r.verdict, EMZA_ID_BAD_CHECK_DIGIT);
    assert_int_equal(r.expected_check, 1);
    assert_string_equal(r.digits, "1234567890");
}

static void test_id_check__accepts_arabic_indic_digits(void **state)
{
    (void)state;
    assert_valid(EMZA_ID_NATIONAL_CODE, "٠٤٩٩٣٧٠٨٩٩", EMZA_ID_NATIONAL_CODE, "0499370899");
    assert_valid(EMZA_ID_LEGAL_ENTITY_ID, "١٠١٠٠٣٨٧١٤٣", EMZA_ID_LEGAL_ENTITY_ID, "10100387143");
    /* Arabic-Indic four, five and six differ in shape from the Persian ones, not in value. */
    assert_valid(EMZA_ID_ANY, "٠٧٩٠٤١٩٩٠٤", EMZA_ID_NATIONAL_CODE, "0790419904");
}

static void test_id_check__accepts_mixed_digit_scripts(void **state)
{
    (void)state;
    assert_valid(EMZA_ID_NATIONAL_CODE, "04۹۹٣7٠8۹9", EMZA_ID_NATIONAL_CODE, "0499370899");
    assert_valid(EMZA_ID_LEGAL_ENTITY_ID, "1٠۳80284۷9٠", EMZA_ID_LEGAL_ENTITY_ID, "10380284790");
}

static void test_id_check__trims_surrounding_white_space_and_nbsp(void **state)
{
    (void)state;
    assert_valid(EMZA_ID_NATIONAL_CODE, "  0499370899  ", EMZA_ID_NATIONAL_CODE, "0499370899");
    assert_valid(EMZA_ID_NATIONAL_CODE, "\t\r\n0499370899\r\n", EMZA_ID_NATIONAL_CODE,
                 "0499370899");
    assert_valid(EMZA_ID_NATIONAL_CODE, "\xC2\xA0" "0499370899\xC2\xA0\xC2\xA0",
                 EMZA_ID_NATIONAL_CODE, "0499370899");
    assert_valid(EMZA_ID_ANY, " \xC2\xA0 ۱۰۱۰۰۳۸۷۱۴۳\t", EMZA_ID_LEGAL_ENTITY_ID, "10100387143");
}

static void test_id_check__rejects_inner_space_as_non_digit(void **state)
{
    (void)state;
    emza_id_result r = check(EMZA_ID_NATIONAL_CODE, "0499 370899");
    assert_int_equal(r.verdict, EMZA_ID_NON_DIGIT);
    assert_int_equal(r.position, 5);
    assert_string_equal(r.digits, "");
    assert_int_equal(r.expected_check, -1);
    r = check(EMZA_ID_NATIONAL_CODE, "0499\xC2\xA0" "370899"); /* inner NBSP */
    assert_int_equal(r.verdict, EMZA_ID_NON_DIGIT);
    assert_int_equal(r.position, 5);
}

static void test_id_check__rejects_dashes_prefixes_and_letters(void **state)
{
    (void)state;
    emza_id_result r = check(EMZA_ID_NATIONAL_CODE, "049-937089-9");
    assert_int_equal(r.verdict, EMZA_ID_NON_DIGIT);
    assert_int_equal(r.position, 4);
    r = check(EMZA_ID_ANY, "PNOIR-0499370899");
    assert_int_equal(r.verdict, EMZA_ID_NON_DIGIT);
    assert_int_equal(r.position, 1);
    assert_int_equal(r.kind, EMZA_ID_ANY);
    r = check(EMZA_ID_NATIONAL_CODE, "049937089x");
    assert_int_equal(r.verdict, EMZA_ID_NON_DIGIT);
    assert_int_equal(r.position, 10);
    assert_int_equal(r.digit_count, 9);
    /* Other digit systems (here DEVANAGARI DIGIT ZERO) are not accepted. */
    r = check(EMZA_ID_NATIONAL_CODE, "\xE0\xA5\xA6" "499370899");
    assert_int_equal(r.verdict, EMZA_ID_NON_DIGIT);
    assert_int_equal(r.position, 1);
    /* Nor are full-width digits (U+FF10). */
    r = check(EMZA_ID_NATIONAL_CODE, "049937089\xEF\xBC\x99");
    assert_int_equal(r.verdict, EMZA_ID_NON_DIGIT);
    assert_int_equal(r.position, 10);
}

static void test_id_check__counts_position_in_characters_of_trimmed_text(void **state)
{
    (void)state;
    /* Three two-byte Persian digits, then 'x': character 4, not byte 7. */
    emza_id_result r = check(EMZA_ID_NATIONAL_CODE, "۰۴۹x370899");
    assert_int_equal(r.verdict, EMZA_ID_NON_DIGIT);
    assert_int_equal(r.position, 4);
    /* Leading white space does not count. */
    r = check(EMZA_ID_NATIONAL_CODE, " \xC2\xA0\t12a");
    assert_int_equal(r.verdict, EMZA_ID_NON_DIGIT);
    assert_int_equal(r.position, 3);
}

static void test_id_check__rejects_other_unicode_spaces(void **state)
{
    (void)state;
    /* Only ASCII space, tab, CR, LF and NBSP are trimmed: EM SPACE U+2003 and VT are not. */
    emza_id_result r = check(EMZA_ID_NATIONAL_CODE, "\xE2\x80\x83" "0499370899");
    assert_int_equal(r.verdict, EMZA_ID_NON_DIGIT);
    assert_int_equal(r.position, 1);
    r = check(EMZA_ID_NATIONAL_CODE, "0499370899\v");
    assert_int_equal(r.verdict, EMZA_ID_NON_DIGIT);
    assert_int_equal(r.position, 11);
    /* A right-to-left mark pasted with the number is refused, not ignored. */
    r = check(EMZA_ID_NATIONAL_CODE, "\xE2\x80\x8F" "0499370899");
    assert_int_equal(r.verdict, EMZA_ID_NON_DIGIT);
    assert_int_equal(r.position, 1);
}

static void test_id_check__rejects_wrong_length(void **state)
{
    (void)state;
    emza_id_result r = check(EMZA_ID_NATIONAL_CODE, "049937089");
    assert_int_equal(r.verdict, EMZA_ID_WRONG_LENGTH);
    assert_int_equal(r.digit_count, 9);
    assert_int_equal(r.kind, EMZA_ID_NATIONAL_CODE);
    assert_string_equal(r.digits, "");
    r = check(EMZA_ID_NATIONAL_CODE, "10380284790"); /* a valid legal id is not a national code */
    assert_int_equal(r.verdict, EMZA_ID_WRONG_LENGTH);
    assert_int_equal(r.digit_count, 11);
    r = check(EMZA_ID_LEGAL_ENTITY_ID, "0499370899");
    assert_int_equal(r.verdict, EMZA_ID_WRONG_LENGTH);
    assert_int_equal(r.digit_count, 10);
    assert_int_equal(r.kind, EMZA_ID_LEGAL_ENTITY_ID);
    r = check(EMZA_ID_NATIONAL_CODE, "۰۴۹۹۳۷۰۸۹۹۹"); /* eleven Persian digits */
    assert_int_equal(r.verdict, EMZA_ID_WRONG_LENGTH);
    assert_int_equal(r.digit_count, 11);
    r = check(EMZA_ID_NATIONAL_CODE, "1");
    assert_int_equal(r.verdict, EMZA_ID_WRONG_LENGTH);
    assert_int_equal(r.digit_count, 1);
}

static void test_id_check__any_resolves_by_digit_count_or_stays_any(void **state)
{
    (void)state;
    emza_id_result r = check(EMZA_ID_ANY, "123456789012");
    assert_int_equal(r.verdict, EMZA_ID_WRONG_LENGTH);
    assert_int_equal(r.kind, EMZA_ID_ANY);
    assert_int_equal(r.digit_count, 12);
    r = check(EMZA_ID_ANY, "123456789");
    assert_int_equal(r.verdict, EMZA_ID_WRONG_LENGTH);
    assert_int_equal(r.kind, EMZA_ID_ANY);
    r = check(EMZA_ID_ANY, "0499370899");
    assert_int_equal(r.kind, EMZA_ID_NATIONAL_CODE);
    r = check(EMZA_ID_ANY, "10380284790");
    assert_int_equal(r.kind, EMZA_ID_LEGAL_ENTITY_ID);
    r = check(EMZA_ID_ANY, "");
    assert_int_equal(r.verdict, EMZA_ID_EMPTY);
    assert_int_equal(r.kind, EMZA_ID_ANY);
}

static void test_id_check__rejects_empty_and_blank_text(void **state)
{
    (void)state;
    const char *blanks[] = {"", " ", "\t\r\n", "\xC2\xA0", " \xC2\xA0 \xC2\xA0 "};
    for (size_t i = 0; i < sizeof(blanks) / sizeof(*blanks); i++) {
        emza_id_result r = check(EMZA_ID_NATIONAL_CODE, blanks[i]);
        assert_int_equal(r.verdict, EMZA_ID_EMPTY);
        assert_int_equal(r.digit_count, 0);
        assert_string_equal(r.digits, "");
    }
}

static void test_id_check__rejects_invalid_utf8(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t len;
    } cases[] = {
        {"0499370899\xFF", 11},          /* a byte that never occurs in UTF-8 */
        {"\xDB" "0499370899", 11},       /* a lead byte without its continuation */
        {"0499370899\xDB", 11},          /* truncated at the end */
        {"\xC0\xB0" "499370899", 11},    /* overlong '0' */
        {"\xED\xA0\x80" "0499370899", 13}, /* UTF-16 surrogate */
        {"\x80" "0499370899", 11},       /* lone continuation byte */
        {"\xF4\x90\x80\x80", 4},         /* above U+10FFFF */
        {"0499\xDB\xB0\xDB" "370899", 13}, /* Persian zero, then half a Persian digit */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        emza_id_result r;
        assert_int_equal(emza_id_check(&r, EMZA_ID_ANY, cases[i].bytes, cases[i].len), EMZA_OK);
        assert_int_equal(r.verdict, EMZA_ID_NOT_UTF8);
        assert_int_equal(r.position, 0);
        assert_string_equal(r.digits, "");
    }
}

static void test_id_check__treats_embedded_nul_as_non_digit(void **state)
{
    (void)state;
    emza_id_result r;
    assert_int_equal(emza_id_check(&r, EMZA_ID_NATIONAL_CODE, "04993\0" "70899", 11), EMZA_OK);
    assert_int_equal(r.verdict, EMZA_ID_NON_DIGIT);
    assert_int_equal(r.position, 6);
    /* A C string's terminator passed in `len` is not white space either. */
    assert_int_equal(emza_id_check(&r, EMZA_ID_NATIONAL_CODE, "0499370899", 11), EMZA_OK);
    assert_int_equal(r.verdict, EMZA_ID_NON_DIGIT);
    assert_int_equal(r.position, 11);
}

static void test_id_check__reads_only_len_bytes(void **state)
{
    (void)state;
    emza_id_result r;
    /* Not NUL-terminated at len: only the first 10 bytes count. */
    assert_int_equal(emza_id_check(&r, EMZA_ID_NATIONAL_CODE, "0499370899garbage", 10), EMZA_OK);
    assert_int_equal(r.verdict, EMZA_ID_VALID);
    assert_int_equal(emza_id_check(&r, EMZA_ID_NATIONAL_CODE, "0499370899", 5), EMZA_OK);
    assert_int_equal(r.verdict, EMZA_ID_WRONG_LENGTH);
    assert_int_equal(r.digit_count, 5);
    /* len == 0 with a non-NULL pointer is empty text. */
    assert_int_equal(emza_id_check(&r, EMZA_ID_NATIONAL_CODE, "0499370899", 0), EMZA_OK);
    assert_int_equal(r.verdict, EMZA_ID_EMPTY);
}

/* EMZA_ID_TEXT_MAX (256) bytes are checked; 257 are EMZA_ELIMIT, and *out says "not valid". */
static void test_id_check__limits_text_to_256_bytes(void **state)
{
    (void)state;
    char text[EMZA_ID_TEXT_MAX + 2];
    memset(text, ' ', sizeof(text));
    memcpy(text + 100, "0499370899", 10);
    emza_id_result r;
    assert_int_equal(emza_id_check(&r, EMZA_ID_NATIONAL_CODE, text, EMZA_ID_TEXT_MAX), EMZA_OK);
    assert_int_equal(r.verdict, EMZA_ID_VALID);
    assert_int_equal(emza_id_check(&r, EMZA_ID_NATIONAL_CODE, text, EMZA_ID_TEXT_MAX + 1),
                     EMZA_ELIMIT);
    assert_int_equal(emza_error_last()->code, EMZA_ELIMIT);
    assert_int_not_equal(r.verdict, EMZA_ID_VALID);
    assert_string_equal(r.digits, "");
    /* 128 Persian digits are 256 bytes, still a verdict; one more character is over. */
    char persian[EMZA_ID_TEXT_MAX + 2];
    for (size_t i = 0; i < 128; i++)
        memcpy(persian + 2 * i, "۱", 2);
    assert_int_equal(emza_id_check(&r, EMZA_ID_ANY, persian, 256), EMZA_OK);
    assert_int_equal(r.verdict, EMZA_ID_WRONG_LENGTH);
    assert_int_equal(r.digit_count, 128);
    persian[256] = '1';
    assert_int_equal(emza_id_check(&r, EMZA_ID_ANY, persian, 257), EMZA_ELIMIT);
}

static void test_id_check__rejects_bad_arguments(void **state)
{
    (void)state;
    emza_id_result r;
    assert_int_equal(emza_id_check(NULL, EMZA_ID_ANY, "0499370899", 10), EMZA_EINVAL);
    assert_int_equal(emza_id_check(&r, EMZA_ID_ANY, NULL, 10), EMZA_EINVAL);
    assert_int_not_equal(r.verdict, EMZA_ID_VALID);
    assert_int_equal(emza_id_check(&r, EMZA_ID_ANY, NULL, 0), EMZA_EINVAL);
    assert_int_equal(emza_id_check(&r, (emza_id_kind)3, "0499370899", 10), EMZA_EINVAL);
    assert_int_equal(emza_error_last()->code, EMZA_EINVAL);
    assert_int_not_equal(r.verdict, EMZA_ID_VALID);
    assert_string_equal(r.digits, "");
    assert_int_equal(emza_id_check(&r, (emza_id_kind)-1, "0499370899", 10), EMZA_EINVAL);
}

static void test_id_describe__names_every_verdict_and_kind(void **state)
{
    (void)state;
    assert_string_equal(emza_id_verdict_describe(EMZA_ID_VALID), "valid");
    assert_string_equal(emza_id_verdict_describe(EMZA_ID_BAD_CHECK_DIGIT), "bad check digit");
    for (int v = EMZA_ID_VALID; v <= EMZA_ID_BAD_CHECK_DIGIT; v++) {
        const char *s = emza_id_verdict_describe((emza_id_verdict)v);
        assert_non_null(s);
        assert_string_not_equal(s, "unknown verdict");
    }
    assert_string_equal(emza_id_verdict_describe((emza_id_verdict)99), "unknown verdict");
    assert_string_equal(emza_id_kind_describe(EMZA_ID_NATIONAL_CODE), "national code");
    assert_string_equal(emza_id_kind_describe(EMZA_ID_LEGAL_ENTITY_ID), "legal-entity id");
    assert_string_equal(emza_id_kind_describe(EMZA_ID_ANY), "identity number");
    assert_string_equal(emza_id_kind_describe((emza_id_kind)7), "unknown kind");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_test_helpers__agree_with_spec_examples),
        cmocka_unit_test(test_id_check__accepts_spec_national_codes),
        cmocka_unit_test(test_id_check__accepts_spec_legal_entity_ids),
        cmocka_unit_test(test_id_check__accepts_generated_national_codes),
        cmocka_unit_test(test_id_check__accepts_generated_legal_entity_ids),
        cmocka_unit_test(test_id_check__rejects_spec_invalid_examples_with_expected_check),
        cmocka_unit_test(test_id_check__rejects_every_wrong_check_digit),
        cmocka_unit_test(test_id_check__rejects_single_digit_changes_in_body),
        cmocka_unit_test(test_id_check__rejects_repeated_digits),
        cmocka_unit_test(test_id_check__repeated_digit_rule_applies_to_national_codes_only),
        cmocka_unit_test(test_id_check__accepts_persian_digits),
        cmocka_unit_test(test_id_check__accepts_arabic_indic_digits),
        cmocka_unit_test(test_id_check__accepts_mixed_digit_scripts),
        cmocka_unit_test(test_id_check__trims_surrounding_white_space_and_nbsp),
        cmocka_unit_test(test_id_check__rejects_inner_space_as_non_digit),
        cmocka_unit_test(test_id_check__rejects_dashes_prefixes_and_letters),
        cmocka_unit_test(test_id_check__counts_position_in_characters_of_trimmed_text),
        cmocka_unit_test(test_id_check__rejects_other_unicode_spaces),
        cmocka_unit_test(test_id_check__rejects_wrong_length),
        cmocka_unit_test(test_id_check__any_resolves_by_digit_count_or_stays_any),
        cmocka_unit_test(test_id_check__rejects_empty_and_blank_text),
        cmocka_unit_test(test_id_check__rejects_invalid_utf8),
        cmocka_unit_test(test_id_check__treats_embedded_nul_as_non_digit),
        cmocka_unit_test(test_id_check__reads_only_len_bytes),
        cmocka_unit_test(test_id_check__limits_text_to_256_bytes),
        cmocka_unit_test(test_id_check__rejects_bad_arguments),
        cmocka_unit_test(test_id_describe__names_every_verdict_and_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
