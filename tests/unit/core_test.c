/*
 * Library initialisation, version and the error model.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <pthread.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include <emza/emza.h>

#include <openssl/err.h>

#include "util/error_internal.h"

static void test_init__is_idempotent(void **state)
{
    (void)state;
    assert_int_equal(emza_init(), EMZA_OK);
    assert_int_equal(emza_init(), EMZA_OK);
}

static void *init_thread(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)emza_init();
}

static void test_init__is_thread_safe(void **state)
{
    (void)state;
    pthread_t threads[8];
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, init_thread, NULL), 0);
    for (int i = 0; i < 8; i++) {
        void *rc = NULL;
        assert_int_equal(pthread_join(threads[i], &rc), 0);
        assert_int_equal((int)(intptr_t)rc, EMZA_OK);
    }
}

static void test_version__string_matches_number(void **state)
{
    (void)state;
    const char *v = emza_version_string();
    assert_non_null(v);
    unsigned int n = emza_version_number();
    char expect[32];
    snprintf(expect, sizeof(expect), "%u.%u.%u", n / 10000, (n / 100) % 100, n % 100);
    assert_string_equal(v, expect);
}

static void test_error__last_is_never_null_and_starts_clear(void **state)
{
    (void)state;
    emza_error_clear();
    const emza_error *e = emza_error_last();
    assert_non_null(e);
    assert_int_equal(e->code, EMZA_OK);
    assert_string_equal(e->message, "");
    assert_int_equal(emza_error_last_code(), EMZA_OK);
}

static void test_error__records_code_message_and_location(void **state)
{
    (void)state;
    int rc = emza__error_set(EMZA_ELIMIT, "somefile.c", 42, "limit of %d crossed", 7);
    assert_int_equal(rc, EMZA_ELIMIT);
    assert_int_equal(emza_error_last_code(), EMZA_ELIMIT);
    assert_string_equal(emza_error_last_message(), "limit of 7 crossed");
#ifdef EMZA_DEBUG
    assert_string_equal(emza_error_last()->file, "somefile.c");
    assert_int_equal(emza_error_last()->line, 42);
#endif
}

static void test_error__message_is_one_line(void **state)
{
    (void)state;
    emza__error_set(EMZA_EFORMAT, __FILE__, __LINE__, "two\nlines\r\tand\x1b[31m escape");
    assert_null(strchr(emza_error_last_message(), '\n'));
    assert_null(strchr(emza_error_last_message(), '\x1b'));
}

static void test_error__long_message_is_cut_not_overflowed(void **state)
{
    (void)state;
    char big[4000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    emza__error_set(EMZA_EINVAL, __FILE__, __LINE__, "%s", big);
    assert_int_equal(strlen(emza_error_last_message()), EMZA_ERROR_MESSAGE_MAX - 1);
    emza__error_prefix("%s", "prefix");
    assert_int_equal(strlen(emza_error_last_message()), EMZA_ERROR_MESSAGE_MAX - 1);
    assert_int_equal(strncmp(emza_error_last_message(), "prefix: xxx", 11), 0);
}

static void test_error__prefix_keeps_code(void **state)
{
    (void)state;
    emza__error_set(EMZA_EIO, __FILE__, __LINE__, "cannot open");
    assert_int_equal(emza__error_prefix("file %s", "a.pem"), EMZA_EIO);
    assert_string_equal(emza_error_last_message(), "file a.pem: cannot open");
}

static void *error_thread(void *arg)
{
    int code = (int)(intptr_t)arg;
    for (int i = 0; i < 1000; i++) {
        emza__error_set(code, __FILE__, __LINE__, "thread %d", code);
        if (emza_error_last_code() != code)
            return (void *)1;
    }
    return NULL;
}

static void test_error__record_is_per_thread(void **state)
{
    (void)state;
    pthread_t a, b;
    assert_int_equal(pthread_create(&a, NULL, error_thread, (void *)(intptr_t)EMZA_EIO), 0);
    assert_int_equal(pthread_create(&b, NULL, error_thread, (void *)(intptr_t)EMZA_EFORMAT), 0);
    void *ra = NULL, *rb = NULL;
    pthread_join(a, &ra);
    pthread_join(b, &rb);
    assert_null(ra);
    assert_null(rb);
}

static void test_error__names_and_descriptions_cover_every_code(void **state)
{
    (void)state;
    for (int code = EMZA_OK; code >= EMZA_EAUTH; code--) {
        assert_string_not_equal(emza_error_name(code), "EMZA_E?");
        assert_string_not_equal(emza_error_describe(code), "unknown error");
    }
    assert_string_equal(emza_error_name(EMZA_EINVAL), "EMZA_EINVAL");
    assert_string_equal(emza_error_name(-9999), "EMZA_E?");
}

static void test_error__codes_are_append_only(void **state)
{
    (void)state;
    /* docs/ABI.md: these values are a promise; a change here is an ABI break. */
    assert_int_equal(EMZA_EINVAL, -1);
    assert_int_equal(EMZA_ENOMEM, -2);
    assert_int_equal(EMZA_EIO, -3);
    assert_int_equal(EMZA_ELIMIT, -4);
    assert_int_equal(EMZA_EFORMAT, -5);
    assert_int_equal(EMZA_ECRYPTO, -6);
    assert_int_equal(EMZA_ENOTFOUND, -7);
    assert_int_equal(EMZA_EVERSION, -8);
    assert_int_equal(EMZA_EUNSUPPORTED, -9);
    assert_int_equal(EMZA_ESTATE, -10);
    assert_int_equal(EMZA_EINTERNAL, -11);
    assert_int_equal(EMZA_EPASSWORD, -12);
    assert_int_equal(EMZA_ENETWORK, -13);
    assert_int_equal(EMZA_ECANCELED, -14);
    assert_int_equal(EMZA_EPIN, -15);
    assert_int_equal(EMZA_EPIN_LOCKED, -16);
    assert_int_equal(EMZA_EAUTH, -17);
}

static void test_error__openssl_queue_is_folded_in_words_and_cleared(void **state)
{
    (void)state;
    /* Provoke a real OpenSSL error: parse garbage as a certificate. */
    emza_cert *c = NULL;
    assert_int_equal(emza_cert_parse(&c, "\x30\x03\x02\x01", 4), EMZA_EFORMAT);
    assert_null(c);
    assert_true(strlen(emza_error_last_message()) > 10);
    assert_int_equal(ERR_peek_error(), 0);
}

static void test_error__system_errors_from_openssl_read_as_words(void **state)
{
    (void)state;
    ERR_raise(ERR_LIB_SYS, ECONNREFUSED);
    assert_int_equal(emza__error_ossl(EMZA_ENETWORK, __FILE__, __LINE__, "connect"), EMZA_ENETWORK);
    assert_non_null(strstr(emza_error_last_message(), strerror(ECONNREFUSED)));
    assert_int_equal(ERR_peek_error(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init__is_idempotent),
        cmocka_unit_test(test_init__is_thread_safe),
        cmocka_unit_test(test_version__string_matches_number),
        cmocka_unit_test(test_error__last_is_never_null_and_starts_clear),
        cmocka_unit_test(test_error__records_code_message_and_location),
        cmocka_unit_test(test_error__message_is_one_line),
        cmocka_unit_test(test_error__long_message_is_cut_not_overflowed),
        cmocka_unit_test(test_error__prefix_keeps_code),
        cmocka_unit_test(test_error__record_is_per_thread),
        cmocka_unit_test(test_error__names_and_descriptions_cover_every_code),
        cmocka_unit_test(test_error__codes_are_append_only),
        cmocka_unit_test(test_error__openssl_queue_is_folded_in_words_and_cleared),
        cmocka_unit_test(test_error__system_errors_from_openssl_read_as_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
