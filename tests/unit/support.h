/* Shared helpers of the cmocka unit tests: paths, files, temporary directories, fixtures. */
#ifndef EMZA_TESTS_UNIT_SUPPORT_H
#define EMZA_TESTS_UNIT_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include <emza/cert.h>
#include <emza/error.h>
#include <emza/indication.h>
#include <emza/report.h>
#include <emza/signer.h>
#include <emza/trust.h>

/* The number of elements of an array. */
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The password of every PKCS#12 file of the test PKI. */
#define P12_PASSWORD "emza-test"

/* The call succeeded (EMZA_OK); otherwise the test fails naming the call and the error. */
#define assert_ok(call)                                                                            \
    do {                                                                                           \
        int got_ = (call);                                                                         \
        if (got_ != EMZA_OK)                                                                       \
            fail_msg("%s failed: %s (%s)", #call, emza_error_name(got_),                           \
                     emza_error_last()->message);                                                  \
    } while (0)

/* The call failed with `want`, the error record holds that code and says so in words. */
#define assert_error(call, want)                                                                   \
    do {                                                                                           \
        int got_ = (call);                                                                         \
        if (got_ != (want))                                                                        \
            fail_msg("expected %s, got %s (%s)", emza_error_name(want), emza_error_name(got_),     \
                     emza_error_last()->message);                                                  \
        assert_int_equal(emza_error_last_code(), (want));                                          \
        assert_non_null(emza_error_last()->message);                                               \
        assert_true(strlen(emza_error_last()->message) > 0);                                       \
    } while (0)

/* The message of the last error contains `part`. */
#define assert_message_has(part)                                                                   \
    do {                                                                                           \
        if (strstr(emza_error_last()->message, (part)) == NULL)                                    \
            fail_msg("the message '%s' does not say '%s'", emza_error_last()->message, (part));   \
    } while (0)

/* The temporary directory of this test run (made by ts_make_root). */
extern char g_root[512];

/* Makes g_root a fresh $TMPDIR/emza-NAME-XXXXXX directory; 0, or -1 on failure. */
int ts_make_root(const char *name);

/* ts_make_root, then `*trust` = the test PKI's national root (trust/root.pem); 0, or -1. */
int ts_make_root_and_trust(const char *name, emza_trust **trust);

/* Frees `trust` and removes g_root with all it holds; returns 0 (a cmocka teardown's answer). */
int ts_remove_root_and_trust(emza_trust *trust);

/* $EMZA_PKI_DIR/NAME, in static storage (a ring of 8); fails if EMZA_PKI_DIR is unset. */
const char *pki(const char *name);

/* $EMZA_PKI_DIR/NAME SUFFIX, as pki(). */
const char *pkif(const char *name, const char *suffix);

/* A fresh directory g_root/NAME, in static storage (a ring of 4). */
const char *test_dir(const char *name);

/* DIR/NAME, in static storage (a ring of 16). */
const char *in(const char *dir, const char *name);

/* Writes `len` bytes to `path` (created or truncated); fails the test on error. */
void write_file(const char *path, const void *data, size_t len);

/* Writes the string `text` (without its NUL) to `path`. */
void write_text(const char *path, const char *text);

/* The whole file, malloc'd and NUL-terminated; `*len` its size. */
uint8_t *read_all(const char *path, size_t *len);

/* The whole file as a malloc'd NUL-terminated string. */
char *read_text(const char *path);

/* Whether `path` exists (a dangling link counts). */
int file_exists(const char *path);

/* Number of entries in a directory (without . and ..), and whether one holds `part`. */
size_t dir_entries(const char *dir, const char *part, int *found);

/* No entry of `dir` has a name containing ".emza-" (a temporary output). */
void assert_no_temporary(const char *dir);

/* The directory holds exactly `expected` entries, none of them a temporary file. */
void check_no_leftovers(const char *dir, size_t expected);

/* Removes `path` and, for a directory, everything below it; quiet on errors. */
void remove_tree(const char *path);

/* Seconds on the monotonic clock since `start`. */
double seconds_since(const struct timespec *start);

/* Opens NAME.p12 of the test PKI (password P12_PASSWORD); fails the test on error. */
emza_signer *p12(const char *name);

/* Loads NAME.cert.pem of the test PKI; fails the test if it does not parse. */
emza_cert *ts_load_cert(const char *name);

/* The private key NAME.key.pem of the test PKI, through OpenSSL; fails the test on error. */
EVP_PKEY *ossl_key(const char *name);

/* Whether the signature's report holds a warning with this code. */
int ts_sig_has_warning(const emza_signature_report *sig, const char *code);

/* The signature's indication/subindication are these; else fails with the first error. */
void check_verdict(const emza_signature_report *sig, emza_indication ind, emza_subindication sub);

#endif
