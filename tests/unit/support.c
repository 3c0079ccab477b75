/* Shared helpers of the cmocka unit tests (see support.h). */
#include "support.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/pem.h>

char g_root[512];

int ts_make_root(const char *name)
{
    const char *tmp = getenv("TMPDIR");
    int n = snprintf(g_root, sizeof(g_root), "%s/emza-%s-XXXXXX", tmp && tmp[0] ? tmp : "/tmp",
                     name);
    if (n <= 0 || (size_t)n >= sizeof(g_root) || mkdtemp(g_root) == NULL)
        return -1;
    return 0;
}

int ts_make_root_and_trust(const char *name, emza_trust **trust)
{
    if (ts_make_root(name) != 0)
        return -1;
    const char *anchor = pki("trust/root.pem");
    return emza_trust_load(trust, &anchor, 1) == EMZA_OK ? 0 : -1;
}

int ts_remove_root_and_trust(emza_trust *trust)
{
    emza_trust_free(trust);
    remove_tree(g_root);
    return 0;
}

const char *pki(const char *name)
{
    static char ring[8][4096];
    static unsigned next;
    const char *dir = getenv("EMZA_PKI_DIR");
    if (dir == NULL || dir[0] == '\0')
        fail_msg("EMZA_PKI_DIR is not set: run the tests through meson");
    char *buf = ring[next++ % 8];
    int n = snprintf(buf, sizeof(ring[0]), "%s/%s", dir, name);
    assert_true(n > 0 && (size_t)n < sizeof(ring[0]));
    return buf;
}

const char *pkif(const char *name, const char *suffix)
{
    char file[512];
    int n = snprintf(file, sizeof(file), "%s%s", name, suffix);
    assert_true(n > 0 && (size_t)n < sizeof(file));
    return pki(file);
}

const char *test_dir(const char *name)
{
    static char ring[4][1024];
    static unsigned next;
    char *buf = ring[next++ % 4];
    int n = snprintf(buf, sizeof(ring[0]), "%s/%s", g_root, name);
    assert_true(n > 0 && (size_t)n < sizeof(ring[0]));
    if (mkdir(buf, 0700) != 0)
        fail_msg("mkdir %s: %s", buf, strerror(errno));
    return buf;
}

const char *in(const char *dir, const char *name)
{
    static char ring[16][1024];
    static unsigned next;
    char *buf = ring[next++ % 16];
    int n = snprintf(buf, sizeof(ring[0]), "%s/%s", dir, name);
    assert_true(n > 0 && (size_t)n < sizeof(ring[0]));
    return buf;
}

void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        fail_msg("cannot write %s: %s", path, strerror(errno));
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

void write_text(const char *path, const char *text)
{
    write_file(path, text, strlen(text));
}

uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot read %s: %s", path, strerror(errno));
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size >= 0);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    uint8_t *data = malloc((size_t)size + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
    data[size] = '\0';
    fclose(f);
    *len = (size_t)size;
    return data;
}

char *read_text(const char *path)
{
    size_t len;
    return (char *)read_all(path, &len);
}

int file_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

size_t dir_entries(const char *dir, const char *part, int *found)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    if (found)
        *found = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        if (found && part && strstr(e->d_name, part) != NULL)
            *found = 1;
    }
    closedir(d);
    return n;
}

void assert_no_temporary(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".emza-") != NULL)
            fail_msg("a temporary file %s was left in %s", e->d_name, dir);
    closedir(d);
}

void check_no_leftovers(const char *dir, size_t expected)
{
    assert_no_temporary(dir);
    assert_int_equal(dir_entries(dir, NULL, NULL), expected);
}

void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d != NULL) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                char child[2048];
                int n = snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
                if (n > 0 && (size_t)n < sizeof(child))
                    remove_tree(child);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

emza_signer *p12(const char *name)
{
    emza_signer *s = NULL;
    if (emza_signer_open_pkcs12(&s, pkif(name, ".p12"), P12_PASSWORD) != EMZA_OK)
        fail_msg("%s.p12: %s", name, emza_error_last()->message);
    return s;
}

emza_cert *ts_load_cert(const char *name)
{
    emza_cert *c = NULL;
    if (emza_cert_load(&c, pkif(name, ".cert.pem")) != EMZA_OK)
        fail_msg("%s.cert.pem: %s", name, emza_error_last()->message);
    assert_non_null(c);
    return c;
}

EVP_PKEY *ossl_key(const char *name)
{
    BIO *b = BIO_new_file(pkif(name, ".key.pem"), "r");
    assert_non_null(b);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    BIO_free(b);
    assert_non_null(k);
    return k;
}

int ts_sig_has_warning(const emza_signature_report *sig, const char *code)
{
    for (size_t i = 0; i < emza_signature_warning_count(sig); i++)
        if (strcmp(emza_signature_warning_code(sig, i), code) == 0)
            return 1;
    return 0;
}

void check_verdict(const emza_signature_report *sig, emza_indication ind, emza_subindication sub)
{
    assert_non_null(sig);
    emza_indication got = emza_signature_indication(sig);
    emza_subindication got_sub = emza_signature_subindication(sig);
    if (got != ind || got_sub != sub)
        fail_msg("%s: expected %s/%s, got %s/%s (first error: %s: %s)", emza_signature_id(sig),
                 emza_indication_name(ind), sub ? emza_subindication_name(sub) : "-",
                 emza_indication_name(got), got_sub ? emza_subindication_name(got_sub) : "-",
                 emza_signature_error_count(sig) ? emza_signature_error_code(sig, 0) : "none",
                 emza_signature_error_count(sig) ? emza_signature_error_message(sig, 0) : "");
}
