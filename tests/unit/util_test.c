/*
 * Internals every module stands on: bounded buffers, the reader, strict
 * UTF-8, the DER reader and limited file reads.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <emza/emza.h>

#include "util/buf.h"
#include "util/der.h"
#include "util/file.h"
#include "util/utf8.h"
#include "util/hex.h"

/* --- buffers --- */

static void test_buf__appends_and_stays_nul_terminated(void **state)
{
    (void)state;
    emza_buf b;
    emza__buf_init(&b, 100);
    assert_int_equal(emza__buf_append_str(&b, "abc"), EMZA_OK);
    assert_int_equal(emza__buf_append_byte(&b, 'd'), EMZA_OK);
    assert_int_equal(emza__buf_appendf(&b, "-%d-", 42), EMZA_OK);
    assert_int_equal(b.len, 8);
    assert_string_equal((char *)b.data, "abcd-42-");
    char *s = emza__buf_take(&b);
    assert_string_equal(s, "abcd-42-");
    assert_null(b.data);
    emza_free(s);
}

static void test_buf__refuses_to_grow_past_its_cap(void **state)
{
    (void)state;
    emza_buf b;
    emza__buf_init(&b, 10);
    assert_int_equal(emza__buf_append(&b, "0123456789", 10), EMZA_OK);
    assert_int_equal(emza__buf_append_byte(&b, 'x'), EMZA_ELIMIT);
    assert_int_equal(b.len, 10); /* unchanged by the refused append */
    assert_int_equal(emza__buf_appendf(&b, "%s", "y"), EMZA_ELIMIT);
    emza__buf_wipe_free(&b);
    assert_null(b.data);
}

static void test_buf__size_overflow_is_a_limit_not_a_wrap(void **state)
{
    (void)state;
    emza_buf b;
    emza__buf_init(&b, SIZE_MAX);
    assert_int_equal(emza__buf_append(&b, "a", 1), EMZA_OK);
    assert_int_equal(emza__buf_append(&b, "a", SIZE_MAX), EMZA_ELIMIT);
    emza__buf_free(&b);
}

static void test_buf__take_of_empty_buffer_gives_empty_string(void **state)
{
    (void)state;
    emza_buf b;
    emza__buf_init(&b, 10);
    char *s = emza__buf_take(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    emza_free(s);
}

/* --- reader --- */

static void test_reader__checks_what_remains_before_every_read(void **state)
{
    (void)state;
    emza_reader r;
    emza_span s;
    uint8_t byte;
    emza__reader_init(&r, "abc", 3);
    assert_int_equal(emza__reader_take(&r, 2, &s), EMZA_OK);
    assert_memory_equal(s.data, "ab", 2);
    assert_int_equal(emza__reader_take(&r, 2, &s), EMZA_EFORMAT);
    assert_int_equal(r.left, 1);
    assert_int_equal(emza__reader_u8(&r, &byte), EMZA_OK);
    assert_int_equal(byte, 'c');
    assert_int_equal(emza__reader_u8(&r, &byte), EMZA_EFORMAT);
}

/* --- UTF-8 --- */

static void test_utf8__decodes_persian_and_encodes_back(void **state)
{
    (void)state;
    const char *text = "a\xd8\xb9\xdb\xb0\xe2\x80\x8c\xf0\x9f\x98\x80"; /* a ع ۰ ZWNJ 😀 */
    uint32_t expect[] = {0x61, 0x0639, 0x06F0, 0x200C, 0x1F600};
    emza_reader r;
    emza_buf out;
    emza__buf_init(&out, 64);
    emza__reader_init(&r, text, strlen(text));
    for (size_t i = 0; i < 5; i++) {
        uint32_t cp;
        assert_int_equal(emza__utf8_next(&r, &cp), EMZA_OK);
        assert_int_equal(cp, expect[i]);
        assert_int_equal(emza__utf8_append(&out, cp), EMZA_OK);
    }
    assert_int_equal(r.left, 0);
    assert_string_equal((char *)out.data, text);
    emza__buf_free(&out);
}

static void test_utf8__rejects_overlong_surrogate_truncated_and_out_of_range(void **state)
{
    (void)state;
    const char *bad[] = {
        "\xc0\xaf",         /* overlong '/' */
        "\xe0\x80\xaf",     /* overlong, 3 bytes */
        "\xed\xa0\x80",     /* surrogate U+D800 */
        "\xf4\x90\x80\x80", /* U+110000 */
        "\xd8",             /* truncated */
        "\x80",             /* lone continuation */
        "\xff",             /* invalid lead */
        "\xd8\x41",         /* bad continuation */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(emza__utf8_valid((const uint8_t *)bad[i], strlen(bad[i])));
        emza_reader r;
        uint32_t cp;
        emza__reader_init(&r, bad[i], strlen(bad[i]));
        assert_int_equal(emza__utf8_next(&r, &cp), EMZA_EFORMAT);
        assert_int_equal(r.left, strlen(bad[i])); /* reader unchanged */
    }
}

static void test_utf8__refuses_to_encode_surrogates(void **state)
{
    (void)state;
    emza_buf b;
    emza__buf_init(&b, 16);
    assert_int_equal(emza__utf8_append(&b, 0xD800), EMZA_EINVAL);
    assert_int_equal(emza__utf8_append(&b, 0x110000), EMZA_EINVAL);
    emza__buf_free(&b);
}

/* --- DER --- */

static void test_der__reads_nested_tlvs(void **state)
{
    (void)state;
    const uint8_t der[] = {0x30, 0x05, 0x06, 0x03, 0x2B, 0x06, 0x01};
    const uint8_t oid[] = {0x2B, 0x06, 0x01};
    emza_reader r, inner;
    emza_span seq, o;
    emza__reader_init(&r, der, sizeof(der));
    assert_int_equal(emza__der_expect(&r, EMZA_DER_SEQUENCE, &seq), EMZA_OK);
    emza__reader_init(&inner, seq.data, seq.len);
    assert_int_equal(emza__der_expect(&inner, EMZA_DER_OID, &o), EMZA_OK);
    assert_true(emza__der_oid_equals(o, oid, sizeof(oid)));
    assert_int_equal(inner.left, 0);
}

static void test_der__rejects_bad_lengths_and_tags(void **state)
{
    (void)state;
    const uint8_t too_long[] = {0x30, 0x05, 0x01};
    const uint8_t indefinite[] = {0x30, 0x80, 0x00, 0x00};
    const uint8_t non_minimal[] = {0x30, 0x81, 0x01, 0x00};
    const uint8_t five_byte_len[] = {0x30, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00};
    const uint8_t high_tag[] = {0x1F, 0x81, 0x01, 0x00};
    const uint8_t wrong_tag[] = {0x31, 0x00};
    const struct {
        const uint8_t *p;
        size_t n;
    } cases[] = {{too_long, sizeof(too_long)},         {indefinite, sizeof(indefinite)},
                 {non_minimal, sizeof(non_minimal)},   {five_byte_len, sizeof(five_byte_len)},
                 {high_tag, sizeof(high_tag)},         {wrong_tag, sizeof(wrong_tag)}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        emza_reader r;
        emza_span s;
        emza__reader_init(&r, cases[i].p, cases[i].n);
        assert_int_equal(emza__der_expect(&r, EMZA_DER_SEQUENCE, &s), EMZA_EFORMAT);
    }
}

/* --- files --- */

static void test_file__reads_within_limit_and_refuses_beyond(void **state)
{
    (void)state;
    char path[] = "/tmp/emza-util-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "0123456789", 10), 10);
    close(fd);
    emza_buf b;
    assert_int_equal(emza__file_read(&b, path, 10), EMZA_OK);
    assert_int_equal(b.len, 10);
    emza__buf_free(&b);
    assert_int_equal(emza__file_read(&b, path, 9), EMZA_ELIMIT);
    assert_null(b.data);
    assert_non_null(strstr(emza_error_last_message(), path));
    unlink(path);
}

static void test_file__missing_file_and_directory_are_io_errors(void **state)
{
    (void)state;
    emza_buf b;
    assert_int_equal(emza__file_read(&b, "/nonexistent/emza/file", 100), EMZA_EIO);
    assert_non_null(strstr(emza_error_last_message(), "/nonexistent/emza/file"));
    assert_int_equal(emza__file_read(&b, "/tmp", 100), EMZA_EIO);
    assert_non_null(strstr(emza_error_last_message(), "not a regular file"));
    assert_int_equal(emza__file_read(&b, "", 100), EMZA_EINVAL);
}

static void test_hex__encodes_and_decodes_strictly(void **state)
{
    (void)state;
    const uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff};
    char text[9];
    emza__hex_encode(text, bytes, sizeof(bytes));
    assert_string_equal(text, "000fa5ff");
    uint8_t back[4];
    assert_int_equal(emza__hex_decode_exact(back, 4, "000fa5ff"), 1);
    assert_memory_equal(back, bytes, 4);
    assert_int_equal(emza__hex_decode_exact(back, 4, "000FA5FF"), 1); /* either case */
    assert_memory_equal(back, bytes, 4);
    assert_int_equal(emza__hex_decode_exact(back, 4, "000fa5f"), 0);   /* too short */
    assert_int_equal(emza__hex_decode_exact(back, 4, "000fa5ff0"), 0); /* too long */
    assert_int_equal(emza__hex_decode_exact(back, 4, "000fa5fg"), 0);  /* not a digit */
    /* The variable-length form reports how many bytes it wrote, and why it refused. */
    size_t n = 99;
    assert_int_equal(emza__hex_decode(back, 4, "0aFf", &n), EMZA_OK);
    assert_int_equal(n, 2);
    assert_int_equal(back[1], 0xff);
    assert_int_equal(emza__hex_decode(back, 4, "0aF", &n), EMZA_EINVAL);
    assert_int_equal(n, 0);
    assert_int_equal(emza__hex_decode(back, 4, "0x0a", &n), EMZA_EINVAL);
    assert_int_equal(emza__hex_decode(back, 4, "0011223344", &n), EMZA_ELIMIT);
    assert_int_equal(emza__hex_decode(back, 4, "", &n), EMZA_OK);
    assert_int_equal(n, 0);
    assert_int_equal(emza__hex_decode_exact(back, 4, " 00fa5ff"), 0);
    assert_int_equal(emza__hex_decode_exact(back, 4, NULL), 0);
    emza__hex_encode(text, bytes, 0);
    assert_string_equal(text, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf__appends_and_stays_nul_terminated),
        cmocka_unit_test(test_buf__refuses_to_grow_past_its_cap),
        cmocka_unit_test(test_buf__size_overflow_is_a_limit_not_a_wrap),
        cmocka_unit_test(test_buf__take_of_empty_buffer_gives_empty_string),
        cmocka_unit_test(test_reader__checks_what_remains_before_every_read),
        cmocka_unit_test(test_utf8__decodes_persian_and_encodes_back),
        cmocka_unit_test(test_utf8__rejects_overlong_surrogate_truncated_and_out_of_range),
        cmocka_unit_test(test_utf8__refuses_to_encode_surrogates),
        cmocka_unit_test(test_der__reads_nested_tlvs),
        cmocka_unit_test(test_der__rejects_bad_lengths_and_tags),
        cmocka_unit_test(test_file__reads_within_limit_and_refuses_beyond),
        cmocka_unit_test(test_file__missing_file_and_directory_are_io_errors),
        cmocka_unit_test(test_hex__encodes_and_decodes_strictly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
