/*
 * The ASiC reader (lib/asic.c): every limit crossed, the entry-name rules,
 * the mimetype and the ASiC-E manifest rules. Containers are built here in
 * memory with libzip.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zip.h>

#include <emza/core.h>
#include <emza/extend.h>
#include <emza/report.h>
#include <emza/sign.h>
#include <emza/trust.h>
#include <emza/verify.h>

#include "asic.h"
#include "support.h"

typedef struct zentry {
    const char *name;
    const void *data;
    size_t len;
    int stored;
} zentry;

#define TEXT(s) s, sizeof(s) - 1
#define MANIFEST_HEAD                                                                              \
    "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">"    \
    "<manifest:file-entry manifest:full-path=\"/\" "                                               \
    "manifest:media-type=\"application/vnd.etsi.asic-e+zip\"/>"
#define MANIFEST_TAIL "</manifest:manifest>"
#define LISTS(name) "<manifest:file-entry manifest:full-path=\"" name "\" manifest:media-type=\"text/plain\"/>"

static const char MIME_E[] = EMZA_ASIC_E_MIMETYPE;
static const char MIME_S[] = EMZA_ASIC_S_MIMETYPE;
static const char MANIFEST_ONE[] = MANIFEST_HEAD LISTS("a.txt") MANIFEST_TAIL;

/* A ZIP of `n` entries, in memory (free() it). */
static uint8_t *make_zip(size_t *out_len, const zentry *e, size_t n)
{
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &err);
    assert_non_null(src);
    zip_source_keep(src);
    zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &err);
    assert_non_null(za);
    for (size_t i = 0; i < n; i++) {
        zip_source_t *s = zip_source_buffer(za, e[i].data, e[i].len, 0);
        assert_non_null(s);
        zip_int64_t idx = zip_file_add(za, e[i].name, s, ZIP_FL_ENC_UTF_8);
        assert_true(idx >= 0);
        assert_int_equal(zip_set_file_compression(za, (zip_uint64_t)idx,
                                                  e[i].stored ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 9),
                         0);
    }
    assert_int_equal(zip_close(za), 0);
    zip_stat_t st;
    zip_stat_init(&st);
    assert_int_equal(zip_source_stat(src, &st), 0);
    assert_int_equal(zip_source_open(src), 0);
    uint8_t *bytes = malloc(st.size);
    assert_non_null(bytes);
    assert_int_equal(zip_source_read(src, bytes, st.size), (zip_int64_t)st.size);
    zip_source_close(src);
    zip_source_free(src);
    zip_error_fini(&err);
    *out_len = (size_t)st.size;
    return bytes;
}

/* Opens the ZIP of `e` under `limits` (NULL: defaults) and returns the result code. */
static int open_zip(const zentry *e, size_t n, const emza__asic_limits *limits)
{
    size_t len = 0;
    uint8_t *zip = make_zip(&len, e, n);
    emza__asic a;
    int rc = emza__asic_open(&a, zip, len, limits);
    emza__asic_free(&a);
    free(zip);
    return rc;
}

static void test_asic__sound_asice_and_asics_open(void **state)
{
    (void)state;
    const zentry e[] = {{"mimetype", TEXT(MIME_E), 1},
                        {"a.txt", TEXT("hello"), 0},
                        {"META-INF/manifest.xml", TEXT(MANIFEST_ONE), 0}};
    size_t len = 0;
    uint8_t *zip = make_zip(&len, e, 3);
    emza__asic a;
    assert_int_equal(emza__asic_open(&a, zip, len, NULL), EMZA_OK);
    assert_int_equal(a.kind, EMZA__ASIC_E);
    const emza__asic_entry *d = emza__asic_find(&a, "a.txt");
    assert_non_null(d);
    assert_true(d->is_data);
    assert_string_equal(d->mime_type, "text/plain");
    assert_int_equal(d->data.len, 5);
    assert_memory_equal(d->data.data, "hello", 5);
    emza__asic_free(&a);
    free(zip);

    const zentry s[] = {{"mimetype", TEXT(MIME_S), 1},
                        {"a.txt", TEXT("hello"), 0},
                        {"META-INF/timestamp.tst", TEXT("x"), 0}};
    zip = make_zip(&len, s, 3);
    assert_int_equal(emza__asic_open(&a, zip, len, NULL), EMZA_OK);
    assert_int_equal(a.kind, EMZA__ASIC_S);
    emza__asic_free(&a);
    free(zip);
}

static void test_asic__name_rules(void **state)
{
    (void)state;
    static const char *const bad[] = {"",      "/abs",  "a/../b", "..",  ".",     "./a",
                                      "a\\b",  "a//b",  "a/.",    "a\tb", "dir/",  "a/./b"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(emza__asic_name_ok(bad[i], 0, NULL));
    assert_true(emza__asic_name_ok("dir/", 1, NULL));
    assert_true(emza__asic_name_ok("folder/test1.txt", 0, NULL));
    assert_true(emza__asic_name_ok("..a", 0, NULL));
    assert_true(emza__asic_name_ok("سند.pdf", 0, NULL));

    /* refused inside a container too (libzip keeps the names as given) */
    static const char *const in_zip[] = {"/abs.txt", "a/../b.txt", "./a.txt", "a\\b.txt", "."};
    for (size_t i = 0; i < sizeof(in_zip) / sizeof(in_zip[0]); i++) {
        const zentry e[] = {{"mimetype", TEXT(MIME_S), 1}, {in_zip[i], TEXT("x"), 0}};
        assert_int_equal(open_zip(e, 2, NULL), EMZA_EFORMAT);
    }
}

static void test_asic__duplicate_names_are_refused(void **state)
{
    (void)state;
    /* libzip will not add a name twice: two names of one length are made, then the second
       is renamed in place (local and central headers) to the first. */
    size_t len = 0;
    const zentry f[] = {{"mimetype", TEXT(MIME_S), 1},
                        {"a.txt", TEXT("one"), 0},
                        {"META-INF/x.tst", TEXT("two"), 0},
                        {"META-INF/y.tst", TEXT("two"), 0}};
    uint8_t *zip = make_zip(&len, f, 4);
    for (size_t i = 0; i + 14 <= len; i++)
        if (memcmp(zip + i, "META-INF/y.tst", 14) == 0)
            zip[i + 9] = 'x';
    emza__asic a;
    int rc = emza__asic_open(&a, zip, len, NULL);
    assert_int_equal(rc, EMZA_EFORMAT);
    /* libzip 1.7 already refuses the directory ("File already exists"); our own check
       (check_unique) stays for versions that do not */
    const char *msg = emza_error_last()->message;
    assert_true(strstr(msg, "twice") != NULL || strstr(msg, "exists") != NULL);
    emza__asic_free(&a);
    free(zip);
}

static void test_asic__mimetype_rules(void **state)
{
    (void)state;
    const zentry not_first[] = {{"a.txt", TEXT("x"), 0}, {"mimetype", TEXT(MIME_S), 1}};
    assert_int_equal(open_zip(not_first, 2, NULL), EMZA_EFORMAT);
    const zentry compressed[] = {{"mimetype", TEXT(MIME_S), 0}, {"a.txt", TEXT("x"), 0}};
    assert_int_equal(open_zip(compressed, 2, NULL), EMZA_EFORMAT);
    const zentry wrong[] = {{"mimetype", TEXT("application/zip"), 1}, {"a.txt", TEXT("x"), 0}};
    assert_int_equal(open_zip(wrong, 2, NULL), EMZA_EFORMAT);
    const zentry missing[] = {{"a.txt", TEXT("x"), 0}};
    assert_int_equal(open_zip(missing, 1, NULL), EMZA_EFORMAT);
    emza__asic a;
    assert_int_equal(emza__asic_open(&a, (const uint8_t *)"PK\3\4garbage", 11, NULL), EMZA_EFORMAT);
    emza__asic_free(&a);
}

static void test_asic__layout_rules(void **state)
{
    (void)state;
    /* ASiC-E without manifest (test-invalid.asics' case), with an unlisted or a missing file */
    const zentry no_manifest[] = {{"mimetype", TEXT(MIME_E), 1}, {"a.txt", TEXT("x"), 0}};
    assert_int_equal(open_zip(no_manifest, 2, NULL), EMZA_EFORMAT);
    const zentry unlisted[] = {{"mimetype", TEXT(MIME_E), 1},
                               {"a.txt", TEXT("x"), 0},
                               {"b.txt", TEXT("y"), 0},
                               {"META-INF/manifest.xml", TEXT(MANIFEST_ONE), 0}};
    assert_int_equal(open_zip(unlisted, 4, NULL), EMZA_EFORMAT);
    static const char two[] = MANIFEST_HEAD LISTS("a.txt") LISTS("gone.txt") MANIFEST_TAIL;
    const zentry phantom[] = {{"mimetype", TEXT(MIME_E), 1},
                              {"a.txt", TEXT("x"), 0},
                              {"META-INF/manifest.xml", TEXT(two), 0}};
    assert_int_equal(open_zip(phantom, 3, NULL), EMZA_EFORMAT);
    static const char twice[] = MANIFEST_HEAD LISTS("a.txt") LISTS("a.txt") MANIFEST_TAIL;
    const zentry dup[] = {{"mimetype", TEXT(MIME_E), 1},
                          {"a.txt", TEXT("x"), 0},
                          {"META-INF/manifest.xml", TEXT(twice), 0}};
    assert_int_equal(open_zip(dup, 3, NULL), EMZA_EFORMAT);
    static const char empty_path[] = MANIFEST_HEAD LISTS("a.txt") LISTS("") MANIFEST_TAIL;
    const zentry empty[] = {{"mimetype", TEXT(MIME_E), 1},
                            {"a.txt", TEXT("x"), 0},
                            {"META-INF/manifest.xml", TEXT(empty_path), 0}};
    assert_int_equal(open_zip(empty, 3, NULL), EMZA_EFORMAT);
    static const char wrong_root[] =
        "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">"
        "<manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/zip\"/>"
        LISTS("a.txt") MANIFEST_TAIL;
    const zentry root[] = {{"mimetype", TEXT(MIME_E), 1},
                           {"a.txt", TEXT("x"), 0},
                           {"META-INF/manifest.xml", TEXT(wrong_root), 0}};
    assert_int_equal(open_zip(root, 3, NULL), EMZA_EFORMAT);
    static const char doctype[] = "<!DOCTYPE m [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                                  MANIFEST_HEAD LISTS("a.txt") MANIFEST_TAIL;
    const zentry dtd[] = {{"mimetype", TEXT(MIME_E), 1},
                          {"a.txt", TEXT("x"), 0},
                          {"META-INF/manifest.xml", TEXT(doctype), 0}};
    assert_int_equal(open_zip(dtd, 3, NULL), EMZA_EFORMAT);
    /* ASiC-S: exactly one data file, at the root */
    const zentry two_files[] = {{"mimetype", TEXT(MIME_S), 1},
                                {"a.txt", TEXT("x"), 0},
                                {"b.txt", TEXT("y"), 0}};
    assert_int_equal(open_zip(two_files, 3, NULL), EMZA_EFORMAT);
    const zentry in_folder[] = {{"mimetype", TEXT(MIME_S), 1}, {"d/a.txt", TEXT("x"), 0}};
    assert_int_equal(open_zip(in_folder, 2, NULL), EMZA_EFORMAT);
}

static void test_asic__entry_count_limit(void **state)
{
    (void)state;
    size_t n = EMZA_ASIC_ENTRIES_MAX + 1;
    zentry *e = calloc(n, sizeof(*e));
    char(*names)[16] = calloc(n, sizeof(*names));
    assert_non_null(e);
    assert_non_null(names);
    e[0] = (zentry){"mimetype", TEXT(MIME_S), 1};
    for (size_t i = 1; i < n; i++) {
        snprintf(names[i], sizeof(names[i]), "META-INF/%zu", i);
        e[i] = (zentry){names[i], "x", 1, 1};
    }
    assert_int_equal(open_zip(e, n, NULL), EMZA_ELIMIT);
    e[1] = (zentry){"a.txt", "x", 1, 1};
    assert_int_equal(open_zip(e, n - 1, NULL), EMZA_OK); /* exactly at the limit */
    free(names);
    free(e);
}

static void test_asic__name_length_limit(void **state)
{
    (void)state;
    char name[EMZA_ASIC_NAME_MAX + 2];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    const zentry over[] = {{"mimetype", TEXT(MIME_S), 1}, {name, TEXT("x"), 0}};
    assert_int_equal(open_zip(over, 2, NULL), EMZA_ELIMIT);
    name[EMZA_ASIC_NAME_MAX] = '\0';
    const zentry at[] = {{"mimetype", TEXT(MIME_S), 1}, {name, TEXT("x"), 0}};
    assert_int_equal(open_zip(at, 2, NULL), EMZA_OK);
}

static void test_asic__compression_ratio_limit(void **state)
{
    (void)state;
    /* 2 MiB of zeros deflate about a thousandfold: a zip bomb's shape */
    size_t big = 2 * EMZA_ASIC_RATIO_FLOOR;
    uint8_t *zeros = calloc(1, big);
    assert_non_null(zeros);
    const zentry bomb[] = {{"mimetype", TEXT(MIME_S), 1}, {"a.bin", zeros, big, 0}};
    assert_int_equal(open_zip(bomb, 2, NULL), EMZA_ELIMIT);
    assert_non_null(strstr(emza_error_last()->message, "ratio"));
    /* the same stored is no bomb; small entries may have any ratio */
    const zentry stored[] = {{"mimetype", TEXT(MIME_S), 1}, {"a.bin", zeros, big, 1}};
    assert_int_equal(open_zip(stored, 2, NULL), EMZA_OK);
    const zentry small[] = {{"mimetype", TEXT(MIME_S), 1},
                            {"a.bin", zeros, EMZA_ASIC_RATIO_FLOOR, 0}};
    assert_int_equal(open_zip(small, 2, NULL), EMZA_OK);
    free(zeros);
}

static void test_asic__entry_size_limit(void **state)
{
    (void)state;
    /* The constant itself: one byte over EMZA_ASIC_ENTRY_MAX is refused from the declared size,
       before anything is inflated. */
    size_t big = EMZA_ASIC_ENTRY_MAX + 1;
    uint8_t *zeros = calloc(1, big);
    assert_non_null(zeros);
    const zentry over[] = {{"mimetype", TEXT(MIME_S), 1}, {"a.bin", zeros, big, 0}};
    assert_int_equal(open_zip(over, 2, NULL), EMZA_ELIMIT);
    assert_non_null(strstr(emza_error_last()->message, "uncompressed, more than the limit"));
    free(zeros);

    /* smaller limits, on both sides of the line */
    emza__asic_limits lim = EMZA__ASIC_LIMITS_DEFAULT;
    lim.entry = 100;
    static uint8_t data[101];
    const zentry at[] = {{"mimetype", TEXT(MIME_S), 1}, {"a.bin", data, 100, 1}};
    assert_int_equal(open_zip(at, 2, &lim), EMZA_OK);
    const zentry past[] = {{"mimetype", TEXT(MIME_S), 1}, {"a.bin", data, 101, 1}};
    assert_int_equal(open_zip(past, 2, &lim), EMZA_ELIMIT);
}

static void test_asic__total_size_limit(void **state)
{
    (void)state;
    emza__asic_limits lim = EMZA__ASIC_LIMITS_DEFAULT;
    lim.total = 200;
    static uint8_t data[100];
    /* mimetype (31 bytes) + 100 + 69 = 200: at the limit; one byte more is over */
    const zentry at[] = {{"mimetype", TEXT(MIME_S), 1},
                         {"a.bin", data, 100, 1},
                         {"META-INF/t.tst", data, 69, 1}};
    assert_int_equal(open_zip(at, 3, &lim), EMZA_OK);
    const zentry past[] = {{"mimetype", TEXT(MIME_S), 1},
                           {"a.bin", data, 100, 1},
                           {"META-INF/t.tst", data, 70, 1}};
    assert_int_equal(open_zip(past, 3, &lim), EMZA_ELIMIT);
}

static void test_asic__signatures_file_names(void **state)
{
    (void)state;
    assert_true(emza__asic_is_signatures_xml("META-INF/signatures0.xml"));
    assert_true(emza__asic_is_signatures_xml("META-INF/signatures.xml"));
    assert_false(emza__asic_is_signatures_xml("META-INF/manifest.xml"));
    assert_false(emza__asic_is_signatures_xml("signatures0.xml"));
    assert_false(emza__asic_is_signatures_xml("META-INF/sub/signatures0.xml"));
    assert_false(emza__asic_is_signatures_xml("META-INF/signatures0.xml.bak"));
}

/* emza_sign with EMZA_FORMAT_ASICE, then emza_verify_file: TOTAL_PASSED over both entries. */
static void test_asic_sign__round_trip_is_total_passed(void **state)
{
    (void)state;
    assert_int_equal(ts_make_root("asic"), 0);
    const char *dir = test_dir("asic-sign");
    char a[4096], b[4096], out[4096];
    snprintf(a, sizeof(a), "%s", in(dir, "deed one.txt"));
    snprintf(b, sizeof(b), "%s", in(dir, "photo.bin"));
    snprintf(out, sizeof(out), "%s", in(dir, "signed.asice"));
    write_text(a, "the deed");
    write_file(b, "\0\1\2", 3);
    emza_signer *s = p12("citizen-ec");
    emza_sign_options o = EMZA_SIGN_OPTIONS_INIT;
    o.format = EMZA_FORMAT_ASICE;
    const char *const inputs[] = {a, b};
    assert_int_equal(emza_sign(s, &o, inputs, 2, out), EMZA_OK);

    emza_trust *t = NULL;
    const char *anchor = pki("trust/root.pem");
    assert_int_equal(emza_trust_load(&t, &anchor, 1), EMZA_OK);
    emza_verify_options vo = EMZA_VERIFY_OPTIONS_INIT;
    vo.trust = t;
    vo.offline = 1;
    emza_report *r = NULL;
    assert_int_equal(emza_verify_file(&r, out, &vo), EMZA_OK);
    assert_string_equal(emza_report_document_format(r), "ASiC-E");
    assert_int_equal(emza_report_signature_count(r), 1);
    const emza_signature_report *sig = emza_report_signature(r, 0);
    check_verdict(sig, EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
    assert_int_equal(emza_signature_object_count(sig), 2);
    assert_string_equal(emza_signature_object_name(sig, 0), "deed one.txt");
    assert_string_equal(emza_signature_object_uri(sig, 0), "deed%20one.txt");
    assert_string_equal(emza_signature_object_name(sig, 1), "photo.bin");
    emza_report_free(r);

    /* two inputs with one file name cannot both be entries; nothing is written */
    const char *const twice[] = {a, a};
    assert_int_equal(emza_sign(s, &o, twice, 2, in(dir, "twice.asice")), EMZA_EINVAL);
    assert_false(file_exists(in(dir, "twice.asice")));
    emza_trust_free(t);
    emza_signer_free(s);
}

/* emza__asic_rewrite: a put replaces in place or is added last; other entries keep their bytes. */
static void test_asic__rewrite(void **state)
{
    (void)state;
    const zentry e[] = {{"mimetype", TEXT(MIME_E), 1},
                        {"a.txt", TEXT("aaaa"), 0},
                        {EMZA_ASIC_MANIFEST, TEXT(MANIFEST_ONE), 0},
                        {"META-INF/signatures0.xml", TEXT("<old/>"), 0}};
    size_t len = 0;
    uint8_t *zip = make_zip(&len, e, 4);
    emza_buf one, two, out;
    emza__buf_init(&one, 64);
    emza__buf_init(&two, 64);
    assert_int_equal(emza__buf_append_str(&one, "<new/>"), EMZA_OK);
    assert_int_equal(emza__buf_append_str(&two, "<added/>"), EMZA_OK);
    const emza__asic_put puts[] = {{"META-INF/signatures0.xml", &one},
                                   {"META-INF/signatures1.xml", &two}};
    emza__buf_init(&out, EMZA_SIGNED_FILE_MAX);
    assert_int_equal(emza__asic_rewrite(zip, len, puts, 2, &out), EMZA_OK);
    emza__asic asic;
    assert_int_equal(emza__asic_open(&asic, out.data, out.len, NULL), EMZA_OK);
    assert_int_equal(asic.count, 5);
    assert_string_equal(asic.entries[0].name, "mimetype");
    assert_string_equal(asic.entries[1].name, "a.txt");
    assert_string_equal(asic.entries[3].name, "META-INF/signatures0.xml");
    assert_string_equal((const char *)asic.entries[3].data.data, "<new/>");
    assert_string_equal(asic.entries[4].name, "META-INF/signatures1.xml");
    assert_string_equal((const char *)asic.entries[1].data.data, "aaaa");
    emza__asic_free(&asic);
    /* the result is bounded by the output buffer's max */
    emza_buf small;
    emza__buf_init(&small, out.len - 1);
    assert_int_equal(emza__asic_rewrite(zip, len, puts, 2, &small), EMZA_ELIMIT);
    assert_int_equal(small.len, 0);
    emza__buf_free(&small);
    emza__buf_free(&out);
    emza__buf_free(&one);
    emza__buf_free(&two);
    free(zip);
}

/* Co-signing a container (EMZA_SIGN_PARALLEL): both signatures pass; other inputs are refused. */
static void test_asic_sign__add_to(void **state)
{
    (void)state;
    assert_int_equal(ts_make_root("asic"), 0);
    const char *dir = test_dir("asic-add-to");
    char a[4096], b[4096], c[4096], first[4096], out[4096];
    snprintf(a, sizeof(a), "%s", in(dir, "deed.txt"));
    snprintf(b, sizeof(b), "%s", in(dir, "photo.bin"));
    snprintf(c, sizeof(c), "%s", in(dir, "other.txt"));
    snprintf(first, sizeof(first), "%s", in(dir, "first.asice"));
    snprintf(out, sizeof(out), "%s", in(dir, "both.asice"));
    write_text(a, "the deed");
    write_file(b, "\0\1\2", 3);
    write_text(c, "other");
    emza_signer *ec = p12("citizen-ec");
    emza_signer *rsa = p12("citizen-rsa");
    emza_sign_options o = EMZA_SIGN_OPTIONS_INIT;
    o.format = EMZA_FORMAT_ASICE;
    const char *const inputs[] = {a, b};
    assert_int_equal(emza_sign(ec, &o, inputs, 2, first), EMZA_OK);

    emza_sign_options add = o;
    add.mode = EMZA_SIGN_PARALLEL;
    add.existing = first;
    /* not exactly the data files: fewer, another name, other bytes */
    const char *const fewer[] = {a};
    assert_int_equal(emza_sign(rsa, &add, fewer, 1, out), EMZA_EINVAL);
    const char *const other[] = {a, c};
    assert_int_equal(emza_sign(rsa, &add, other, 2, out), EMZA_EINVAL);
    const char *const reordered[] = {b, a};
    write_text(a, "the deed, changed");
    assert_int_equal(emza_sign(rsa, &add, reordered, 2, out), EMZA_EINVAL);
    assert_false(file_exists(out));
    write_text(a, "the deed");
    /* countersigning is not done for containers */
    emza_sign_options counter = add;
    counter.mode = EMZA_SIGN_COUNTERSIGN;
    assert_int_equal(emza_sign(rsa, &counter, inputs, 2, out), EMZA_EUNSUPPORTED);
    assert_false(file_exists(out));
    /* the inputs in any order */
    assert_int_equal(emza_sign(rsa, &add, reordered, 2, out), EMZA_OK);

    emza_trust *t = NULL;
    const char *anchor = pki("trust/root.pem");
    assert_int_equal(emza_trust_load(&t, &anchor, 1), EMZA_OK);
    emza_verify_options vo = EMZA_VERIFY_OPTIONS_INIT;
    vo.trust = t;
    vo.offline = 1;
    emza_report *r = NULL;
    assert_int_equal(emza_verify_file(&r, out, &vo), EMZA_OK);
    assert_int_equal(emza_report_signature_count(r), 2);
    for (size_t i = 0; i < 2; i++) {
        check_verdict(emza_report_signature(r, i), EMZA_TOTAL_PASSED, EMZA_SUB_NONE);
        assert_int_equal(emza_signature_object_count(emza_report_signature(r, i)), 2);
    }
    emza_report_free(r);
    size_t len = 0;
    uint8_t *bytes = read_all(out, &len);
    emza__asic asic;
    assert_int_equal(emza__asic_open(&asic, bytes, len, NULL), EMZA_OK);
    assert_string_equal(asic.entries[asic.count - 1].name, "META-INF/signatures1.xml");
    emza__asic_free(&asic);
    free(bytes);
    check_no_leftovers(dir, 5);
    emza_trust_free(t);
    emza_signer_free(rsa);
    emza_signer_free(ec);
}

/* What emza_extend refuses in a container before asking any server; nothing is written. */
static void test_asic_extend__refusals(void **state)
{
    (void)state;
    const char *dir = test_dir("asic-extend");
    char asics[4096], data[4096], target[4096];
    snprintf(asics, sizeof(asics), "%s", in(dir, "s.asics"));
    snprintf(data, sizeof(data), "%s", in(dir, "a.txt"));
    snprintf(target, sizeof(target), "%s", in(dir, "out.asics"));
    write_text(data, "a");
    const zentry e[] = {{"mimetype", TEXT(MIME_S), 1},
                        {"a.txt", TEXT("a"), 0},
                        {EMZA_ASIC_S_SIGNATURES, TEXT("<x/>"), 0}};
    size_t len = 0;
    uint8_t *zip = make_zip(&len, e, 3);
    write_file(asics, zip, len);
    free(zip);
    emza_extend_options o = EMZA_EXTEND_OPTIONS_INIT;
    o.level = EMZA_LEVEL_T;
    o.tsa_url = "http://127.0.0.1:9/";
    o.offline = 1;
    assert_int_equal(emza_extend(asics, &o, target), EMZA_EUNSUPPORTED);
    const char *const paths[] = {data};
    o.data_paths = paths;
    o.data_count = 1;
    assert_int_equal(emza_extend(asics, &o, target), EMZA_EINVAL);
    assert_false(file_exists(target));
    check_no_leftovers(dir, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_asic__sound_asice_and_asics_open),
        cmocka_unit_test(test_asic__name_rules),
        cmocka_unit_test(test_asic__duplicate_names_are_refused),
        cmocka_unit_test(test_asic__mimetype_rules),
        cmocka_unit_test(test_asic__layout_rules),
        cmocka_unit_test(test_asic__entry_count_limit),
        cmocka_unit_test(test_asic__name_length_limit),
        cmocka_unit_test(test_asic__compression_ratio_limit),
        cmocka_unit_test(test_asic__entry_size_limit),
        cmocka_unit_test(test_asic__total_size_limit),
        cmocka_unit_test(test_asic__signatures_file_names),
        cmocka_unit_test(test_asic_sign__round_trip_is_total_passed),
        cmocka_unit_test(test_asic__rewrite),
        cmocka_unit_test(test_asic_sign__add_to),
        cmocka_unit_test(test_asic_extend__refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
