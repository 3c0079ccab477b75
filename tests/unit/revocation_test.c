/*
 * Tests of the revocation seam (lib/revocation.h): OCSP (lib/ocsp.h), CRLs
 * (lib/crl.h), the response cache (lib/revocation_cache.h), and what chain
 * validation, signature validation and `emza cert verify` make of them.
 *
 * Real peers on loopback: the group set-up starts
 * tests/fixtures/revocation-server.py on a free 127.0.0.1 port (it runs the
 * `openssl ocsp` responder on each request and serves CRLs), then issues the
 * test certificates with tests/fixtures/revocation-pki.sh, whose
 * authorityInfoAccess and CRL distribution points name that port (see the
 * script for the list). The tear-down stops the server and removes
 * everything. Fixtures: EMZA_PKI_DIR (the test PKI), EMZA_SOURCE_ROOT,
 * EMZA_TOOL (for the command-line cases).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include <emza/cert.h>
#include <emza/error.h>
#include <emza/indication.h>
#include <emza/report.h>
#include <emza/sign.h>
#include <emza/signer.h>
#include <emza/trust.h>
#include <emza/verify.h>

#include "crl.h"
#include "ltv.h"
#include "ocsp.h"
#include "revocation.h"
#include "revocation_cache.h"
#include "util/file.h"
#include "support.h"

extern char **environ;

/* ------------------------------------------------------------------------ */
/* the fixture: server, certificates                                         */
/* ------------------------------------------------------------------------ */

static struct {
    char dir[256];  /* everything made here */
    char base[64];  /* http://127.0.0.1:PORT of the server */
    char dead[64];  /* http://127.0.0.1:PORT where nothing listens */
    pid_t server;
    int server_stdin; /* closing it stops the server */
    emza_trust *trust;
    emza_cert *ca;          /* citizen-ca: the issuer of every test certificate */
    emza_cert_list *chain;  /* citizen-ca, for chain building */
} fx = {.server = -1, .server_stdin = -1};

static const char *env_or_fail(const char *name)
{
    const char *v = getenv(name);
    if (v == NULL || v[0] == '\0')
        fail_msg("%s is not set: run the tests through meson", name);
    return v;
}

static const char *out(const char *name)
{
    static char ring[8][1024];
    static unsigned next;
    char *buf = ring[next++ % 8];
    int n = snprintf(buf, sizeof(ring[0]), "%s/%s", fx.dir, name);
    assert_true(n > 0 && (size_t)n < sizeof(ring[0]));
    return buf;
}

/* Reads a file into malloc()ed bytes (the transport callback's contract). */
static int read_file(uint8_t **data, size_t *len, const char *path, size_t max)
{
    emza_buf b;
    int rc = emza__file_read(&b, path, max);
    if (rc != EMZA_OK)
        return rc;
    *data = b.data;
    *len = b.len;
    return EMZA_OK;
}

/* Runs argv (PATH searched), stdout and stderr to `log` (or /dev/null); its exit status. */
static int run_wait(char *const argv[], const char *log)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log ? log : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void print_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    char line[512];
    while (fgets(line, sizeof(line), f))
        fputs(line, stderr);
    fclose(f);
}

/* A port on 127.0.0.1 where nothing listens (bound, then closed). */
static int closed_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t len = sizeof(a);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    close(s);
    return ntohs(a.sin_port);
}

/* Starts revocation-server.py on DIR/www; returns its port. */
static int start_server(void)
{
    int in[2], outp[2];
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(outp), 0);
    char script[1024], root[1024];
    snprintf(script, sizeof(script), "%s/tests/fixtures/revocation-server.py",
             env_or_fail("EMZA_SOURCE_ROOT"));
    snprintf(root, sizeof(root), "%s/www", fx.dir);
    char *argv[] = {"python3", script, root, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, outp[0]);
    int rc = posix_spawnp(&fx.server, "python3", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    assert_int_equal(rc, 0);
    close(in[0]);
    close(outp[1]);
    fx.server_stdin = in[1];
    fcntl(fx.server_stdin, F_SETFD, FD_CLOEXEC);

    char line[64] = "";
    size_t used = 0;
    struct pollfd p = {outp[0], POLLIN, 0};
    while (used + 1 < sizeof(line) && memchr(line, '\n', used) == NULL) {
        if (poll(&p, 1, 20000) <= 0)
            break;
        ssize_t n = read(outp[0], line + used, sizeof(line) - 1 - used);
        if (n <= 0)
            break;
        used += (size_t)n;
        line[used] = '\0';
    }
    close(outp[0]);
    if (strncmp(line, "PORT ", 5) != 0)
        fail_msg("revocation-server.py did not start (said '%s')", line);
    long port = strtol(line + 5, NULL, 10);
    assert_true(port > 0 && port < 65536);
    return (int)port;
}

static void stop_server(void)
{
    if (fx.server_stdin >= 0)
        close(fx.server_stdin);
    fx.server_stdin = -1;
    if (fx.server > 0) {
        kill(fx.server, SIGTERM);
        int status;
        while (waitpid(fx.server, &status, 0) < 0 && errno == EINTR) {
        }
    }
    fx.server = -1;
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static emza_cert *load_path(const char *path)
{
    emza_cert *c = NULL;
    if (emza_cert_load(&c, path) != EMZA_OK)
        fail_msg("%s: %s", path, emza_error_last()->message);
    return c;
}

/* A test certificate made by revocation-pki.sh. */
static emza_cert *load(const char *name)
{
    char file[256];
    snprintf(file, sizeof(file), "%s.cert.pem", name);
    return load_path(out(file));
}

static int group_setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(fx.dir, sizeof(fx.dir), "%s/emza-revocation-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(fx.dir) == NULL)
        fail_msg("mkdtemp: %s", strerror(errno));
    snprintf(fx.dead, sizeof(fx.dead), "http://127.0.0.1:%d", closed_port());
    snprintf(fx.base, sizeof(fx.base), "http://127.0.0.1:%d", start_server());

    char script[1024];
    snprintf(script, sizeof(script), "%s/tests/fixtures/revocation-pki.sh",
             env_or_fail("EMZA_SOURCE_ROOT"));
    char pki_dir[1024];
    snprintf(pki_dir, sizeof(pki_dir), "%s", env_or_fail("EMZA_PKI_DIR"));
    char *argv[] = {"bash", script, pki_dir, fx.dir, fx.base, fx.dead, NULL};
    const char *log = out("pki.log");
    if (run_wait(argv, log) != 0) {
        print_file(log);
        fail_msg("revocation-pki.sh failed");
    }

    const char *anchors[] = {pki("trust/root.pem")};
    assert_int_equal(emza_trust_load(&fx.trust, anchors, 1), EMZA_OK);
    fx.ca = load_path(pki("citizen-ca.cert.pem"));
    assert_int_equal(emza_cert_list_new(&fx.chain), EMZA_OK);
    assert_int_equal(emza_cert_list_add(fx.chain, fx.ca), EMZA_OK);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    stop_server();
    emza_cert_list_free(fx.chain);
    emza_cert_free(fx.ca);
    emza_trust_free(fx.trust);
    if (fx.dir[0] != '\0' && getenv("EMZA_KEEP_TEST_DIR") == NULL)
        nftw(fx.dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* Each test starts with an empty cache, so that what it shows is its own doing. */
static int test_setup(void **state)
{
    (void)state;
    emza__rcache_clear();
    return 0;
}

/* How many requests the server has seen whose "METHOD PATH" line starts with `prefix`. */
static int requests(const char *prefix)
{
    FILE *f = fopen(out("www/requests.log"), "r");
    if (f == NULL)
        return 0;
    char line[512];
    int n = 0;
    while (fgets(line, sizeof(line), f))
        n += strncmp(line, prefix, strlen(prefix)) == 0;
    fclose(f);
    return n;
}

/* ------------------------------------------------------------------------ */
/* asking the seam                                                           */
/* ------------------------------------------------------------------------ */

static const emza__net online = {0, 5, NULL, NULL};
static const emza__net offline = {1, 5, NULL, NULL};

static emza__revocation_answer ask_at(const char *name, const emza__net *net, int64_t when)
{
    emza_cert *c = load(name);
    emza__revocation_request req;
    memset(&req, 0, sizeof(req));
    req.cert = c;
    req.issuer = fx.ca;
    req.validation_time = when;
    req.net = net;
    emza__revocation_answer a;
    if (emza__revocation_check(&a, &req) != EMZA_OK)
        fail_msg("%s: %s", name, emza_error_last()->message);
    emza_cert_free(c);
    return a;
}

static emza__revocation_answer ask(const char *name, const emza__net *net)
{
    return ask_at(name, net, (int64_t)time(NULL));
}

static const char *status_name(emza__revocation_status s)
{
    switch (s) {
    case EMZA__REVOCATION_NO_SOURCE:
        return "NO_SOURCE";
    case EMZA__REVOCATION_GOOD:
        return "GOOD";
    case EMZA__REVOCATION_REVOKED:
        return "REVOKED";
    case EMZA__REVOCATION_UNAVAILABLE:
        return "UNAVAILABLE";
    }
    return "?";
}

#define expect_status(a, want, what)                                                               \
    do {                                                                                           \
        if ((a).status != (want))                                                                  \
            fail_msg("%s: expected %s, got %s (%s)", (what), status_name(want),                   \
                     status_name((a).status), (a).reason);                                         \
    } while (0)

#define expect_reason(a, needle, what)                                                             \
    do {                                                                                           \
        if (strstr((a).reason, (needle)) == NULL)                                                  \
            fail_msg("%s: the reason lacks '%s': %s", (what), (needle), (a).reason);              \
    } while (0)

/* ------------------------------------------------------------------------ */
/* OCSP                                                                      */
/* ------------------------------------------------------------------------ */

static void test_ocsp__good_from_the_delegated_responder(void **state)
{
    (void)state;
    int before = requests("POST /ocsp/std");
    int64_t t0 = (int64_t)time(NULL);
    emza__revocation_answer a = ask("good", &online);
    expect_status(a, EMZA__REVOCATION_GOOD, "good");
    assert_int_equal(a.source, EMZA__REVOCATION_FROM_OCSP);
    assert_int_equal(a.cached, 0);
    assert_int_equal(a.embedded, 0);
    assert_null(a.warning_code); /* openssl ocsp echoes the nonce */
    assert_true(a.produced_at >= t0 - 5 && a.produced_at <= (int64_t)time(NULL) + 5);
    assert_int_equal(a.next_update, 0); /* openssl ocsp without -nmin/-ndays sets none */
    expect_reason(a, "/ocsp/std", "good");
    assert_int_equal(requests("POST /ocsp/std"), before + 1);

    /* Asked again: the cache answers, the responder is not asked. */
    a = ask("good", &online);
    expect_status(a, EMZA__REVOCATION_GOOD, "good again");
    assert_int_equal(a.cached, 1);
    assert_int_equal(requests("POST /ocsp/std"), before + 1);
}

static void test_ocsp__revoked_carries_time_and_reason(void **state)
{
    (void)state;
    int64_t now = (int64_t)time(NULL);
    emza__revocation_answer a = ask("revoked", &online);
    expect_status(a, EMZA__REVOCATION_REVOKED, "revoked");
    assert_int_equal(a.source, EMZA__REVOCATION_FROM_OCSP);
    assert_int_equal(a.revocation_reason, 1); /* keyCompromise */
    assert_true(a.revocation_time <= now && a.revocation_time > now - 3600);
    expect_reason(a, "keyCompromise", "revoked");
    expect_reason(a, "OCSP", "revoked");
}

static void test_ocsp__unknown_is_not_usable(void **state)
{
    (void)state;
    emza__revocation_answer a = ask("unknown", &online);
    expect_status(a, EMZA__REVOCATION_UNAVAILABLE, "unknown");
    expect_reason(a, "certStatus unknown", "unknown");
}

static void test_ocsp__about_another_serial_is_a_failure_and_falls_to_the_crl(void **state)
{
    (void)state;
    emza__revocation_answer a = ask("other-serial-only", &online);
    expect_status(a, EMZA__REVOCATION_UNAVAILABLE, "other-serial-only");
    expect_reason(a, "about another certificate", "other-serial-only");

    a = ask("other-serial", &online);
    expect_status(a, EMZA__REVOCATION_GOOD, "other-serial with a CRL");
    assert_int_equal(a.source, EMZA__REVOCATION_FROM_CRL);
}

static void test_ocsp__signed_by_the_ca_itself_or_named_by_key(void **state)
{
    (void)state;
    emza__revocation_answer a = ask("ca-signed", &online);
    expect_status(a, EMZA__REVOCATION_GOOD, "ca-signed");
    a = ask("key-id", &online);
    expect_status(a, EMZA__REVOCATION_GOOD, "key-id");
}

static void test_ocsp__unauthorised_responders_are_not_usable(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *why;
    } cases[] = {
        {"rogue-ee", "lacks OCSPSigning"},
        {"rogue-ca", "not issued by the certificate's issuer"},
        {"nocheck", "lacks id-pkix-ocsp-nocheck"},
        {"expired-responder", "was not valid when the response was produced"},
        {"no-certs", "neither the issuing CA nor included"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        emza__revocation_answer a = ask(cases[i].name, &online);
        expect_status(a, EMZA__REVOCATION_UNAVAILABLE, cases[i].name);
        expect_reason(a, cases[i].why, cases[i].name);
    }
}

static void test_ocsp__stale_response_is_not_usable(void **state)
{
    (void)state;
    /* The `stale` responder sets nextUpdate one minute after thisUpdate (>= t0). */
    int64_t t0 = (int64_t)time(NULL);
    int64_t inside = t0 + 60 + EMZA_REVOCATION_CLOCK_SKEW - 30;
    int64_t past = t0 + 60 + EMZA_REVOCATION_CLOCK_SKEW + 60;
    emza__revocation_answer a = ask_at("stale", &online, inside);
    expect_status(a, EMZA__REVOCATION_GOOD, "stale, inside nextUpdate + skew");
    assert_true(a.next_update >= t0 + 60 && a.next_update <= (int64_t)time(NULL) + 60);

    a = ask_at("stale", &online, past);
    expect_status(a, EMZA__REVOCATION_UNAVAILABLE, "stale, past nextUpdate + skew");
    expect_reason(a, "stale", "stale");

    /* Chain validation at that time: INDETERMINATE/TRY_LATER. */
    emza_cert *c = load("stale");
    emza_chain_options o = EMZA_CHAIN_OPTIONS_INIT;
    o.untrusted = fx.chain;
    o.has_validation_time = 1;
    o.validation_time = past;
    emza_chain_result *r = NULL;
    assert_int_equal(emza_trust_verify(&r, fx.trust, c, &o), EMZA_OK);
    assert_int_equal(emza_chain_result_indication(r), EMZA_INDETERMINATE);
    assert_int_equal(emza_chain_result_subindication(r), EMZA_SUB_TRY_LATER);
    emza_chain_result_free(r);
    emza_cert_free(c);
}

static void test_ocsp__sha256_certid_accepted_missing_nonce_warned(void **state)
{
    (void)state;
    emza__revocation_answer a = ask("sha256id", &online);
    expect_status(a, EMZA__REVOCATION_GOOD, "sha256id");
    assert_non_null(a.warning_code);
    assert_string_equal(a.warning_code, "OCSP_NONCE_MISSING");
    assert_non_null(strstr(a.warning, "nonce"));

    /* The warning reaches the chain result. */
    emza__rcache_clear();
    emza_cert *c = load("sha256id");
    emza_chain_options o = EMZA_CHAIN_OPTIONS_INIT;
    o.untrusted = fx.chain;
    emza_chain_result *r = NULL;
    assert_int_equal(emza_trust_verify(&r, fx.trust, c, &o), EMZA_OK);
    assert_int_equal(emza_chain_result_indication(r), EMZA_TOTAL_PASSED);
    int warned = 0;
    for (size_t i = 0; i < emza_chain_result_warning_count(r); i++)
        warned |= strcmp(emza_chain_result_warning_code(r, i), "OCSP_NONCE_MISSING") == 0;
    assert_true(warned);
    emza_chain_result_free(r);
    emza_cert_free(c);
}

static void test_ocsp__error_status_and_garbage_are_not_usable(void **state)
{
    (void)state;
    emza__revocation_answer a = ask("trylater", &online);
    expect_status(a, EMZA__REVOCATION_UNAVAILABLE, "trylater");
    expect_reason(a, "trylater", "trylater");
    a = ask("garbage", &online);
    expect_status(a, EMZA__REVOCATION_UNAVAILABLE, "garbage");
    /* OpenSSL's client already refuses a body that does not start as ASN.1. */
    expect_reason(a, "missing asn1 encoding", "garbage");
}

/* ------------------------------------------------------------------------ */
/* CRLs                                                                      */
/* ------------------------------------------------------------------------ */

static void test_crl__good_and_revoked_in_der_and_pem(void **state)
{
    (void)state;
    int before = requests("GET /files/ca.crl\n");
    emza__revocation_answer a = ask("crl-good", &online);
    expect_status(a, EMZA__REVOCATION_GOOD, "crl-good");
    assert_int_equal(a.source, EMZA__REVOCATION_FROM_CRL);
    assert_int_equal(a.cached, 0);
    assert_true(a.next_update > a.this_update);

    /* Same URL: the cached CRL answers, and says revoked. */
    int64_t now = (int64_t)time(NULL);
    a = ask("crl-revoked", &online);
    expect_status(a, EMZA__REVOCATION_REVOKED, "crl-revoked");
    assert_int_equal(a.cached, 1);
    assert_int_equal(a.revocation_reason, 4); /* superseded */
    assert_true(a.revocation_time <= now && a.revocation_time > now - 3600);
    expect_reason(a, "superseded", "crl-revoked");
    assert_int_equal(requests("GET /files/ca.crl\n"), before + 1);

    a = ask("crl-pem", &online);
    expect_status(a, EMZA__REVOCATION_GOOD, "crl-pem");
    /* Without a Content-Length the body ends with the connection. */
    a = ask("crl-nolen", &online);
    expect_status(a, EMZA__REVOCATION_GOOD, "crl-nolen");
}

static void test_crl__unusable_crls(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *why;
    } cases[] = {
        {"crl-stale", "stale"},
        {"crl-wrong-issuer", "issued by another authority"},
        {"crl-forged", "signature does not verify"},
        {"crl-delta", "delta CRLs are not supported"},
        {"crl-indirect", "indirect CRLs are not supported"},
        {"crl-only-ca", "only CA certificates"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        emza__revocation_answer a = ask(cases[i].name, &online);
        expect_status(a, EMZA__REVOCATION_UNAVAILABLE, cases[i].name);
        expect_reason(a, cases[i].why, cases[i].name);
    }
}

static void write_filler(const char *path, size_t size)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    static uint8_t chunk[65536];
    memset(chunk, 'x', sizeof(chunk));
    for (size_t done = 0; done < size;) {
        size_t n = size - done < sizeof(chunk) ? size - done : sizeof(chunk);
        assert_int_equal(fwrite(chunk, 1, n, f), n);
        done += n;
    }
    assert_int_equal(fclose(f), 0);
}

static void test_crl__size_limit(void **state)
{
    (void)state;
    /* At the limit the bytes are read (and refused as not a CRL); one more is refused unread. */
    write_filler(out("www/files/big.crl"), EMZA_CRL_MAX);
    emza__revocation_answer a = ask("crl-big", &online);
    expect_status(a, EMZA__REVOCATION_UNAVAILABLE, "CRL at the limit");
    expect_reason(a, "not a CRL", "CRL at the limit");

    write_filler(out("www/files/big.crl"), (size_t)EMZA_CRL_MAX + 1);
    a = ask("crl-big", &online);
    expect_status(a, EMZA__REVOCATION_UNAVAILABLE, "CRL over the limit");
    if (strstr(a.reason, "longer than") == NULL && strstr(a.reason, "max resp len") == NULL)
        fail_msg("CRL over the limit: %s", a.reason);
    remove(out("www/files/big.crl"));
}

static void test_crl__parse_limit_and_formats(void **state)
{
    (void)state;
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(read_file(&der, &len, out("www/files/ca.crl"), EMZA_CRL_MAX), EMZA_OK);
    emza__revocation_statement st;
    X509_CRL *crl = NULL;
    assert_int_equal(emza__crl_parse(&crl, &st, der, len), EMZA_OK);
    assert_non_null(crl);
    X509_CRL_free(crl);
    /* Trailing bytes after the DER are refused. */
    uint8_t *longer = malloc(len + 1);
    assert_non_null(longer);
    memcpy(longer, der, len);
    longer[len] = 0;
    assert_int_equal(emza__crl_parse(&crl, &st, longer, len + 1), EMZA_OK);
    assert_null(crl);
    assert_non_null(strstr(st.why, "after its end"));
    free(longer);
    /* Over the limit, refused before parsing. */
    assert_int_equal(emza__crl_parse(&crl, &st, der, (size_t)EMZA_CRL_MAX + 1), EMZA_OK);
    assert_null(crl);
    assert_non_null(strstr(st.why, "longer than"));
    free(der);
}

/* ------------------------------------------------------------------------ */
/* order, failures, limits                                                   */
/* ------------------------------------------------------------------------ */

static void test_order__ocsp_first_then_crl(void **state)
{
    (void)state;
    int crl_before = requests("GET /files/ca.crl");
    emza__revocation_answer a = ask("good", &online);
    expect_status(a, EMZA__REVOCATION_GOOD, "good");
    assert_int_equal(a.source, EMZA__REVOCATION_FROM_OCSP);
    assert_int_equal(requests("GET /files/ca.crl"), crl_before); /* never needed */

    /* The responder is down: the CRL answers, and carries the reason. */
    a = ask("revoked-dead-ocsp", &online);
    expect_status(a, EMZA__REVOCATION_REVOKED, "revoked-dead-ocsp");
    assert_int_equal(a.source, EMZA__REVOCATION_FROM_CRL);
    assert_int_equal(a.revocation_reason, 5);
    expect_reason(a, "cessationOfOperation", "revoked-dead-ocsp");
}

static void test_failure__server_down_is_unavailable_quickly(void **state)
{
    (void)state;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    emza__revocation_answer a = ask("dead", &online);
    double took = seconds_since(&start);
    expect_status(a, EMZA__REVOCATION_UNAVAILABLE, "dead");
    /* Every source tried is named, with why. */
    char ocsp_url[128], crl_url[128];
    snprintf(ocsp_url, sizeof(ocsp_url), "OCSP %s/ocsp", fx.dead);
    snprintf(crl_url, sizeof(crl_url), "CRL %s/ca.crl", fx.dead);
    expect_reason(a, ocsp_url, "dead");
    expect_reason(a, crl_url, "dead");
    if (took > 3.0)
        fail_msg("a closed port took %.1f s", took);
}

static void test_failure__slow_server_times_out(void **state)
{
    (void)state;
    emza__net net = {0, 2, NULL, NULL};
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    emza__revocation_answer a = ask("slow", &net);
    double took = seconds_since(&start);
    expect_status(a, EMZA__REVOCATION_UNAVAILABLE, "slow");
    expect_reason(a, "/slow", "slow");
    /* OpenSSL counts the timeout in whole seconds of time(): between 1 and 2 s, plus scheduling. */
    if (took < 0.9 || took > 4.0)
        fail_msg("a 2 s timeout took %.1f s", took);
}

static void test_failure__huge_answers_are_refused_by_the_cap(void **state)
{
    (void)state;
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    emza__revocation_answer a = ask("huge", &online);
    double took = seconds_since(&start);
    getrusage(RUSAGE_SELF, &after);
    expect_status(a, EMZA__REVOCATION_UNAVAILABLE, "huge");
    expect_reason(a, "/huge", "huge");
    expect_reason(a, "/huge-nolen", "huge");
    if (took > 10.0)
        fail_msg("100 MiB answers took %.1f s", took);
    /* Memory stays bounded by the caps (EMZA_CRL_MAX, EMZA_OCSP_RESPONSE_MAX), not by 100 MiB. */
    long grew_kib = after.ru_maxrss - before.ru_maxrss;
    if (grew_kib > 90 * 1024)
        fail_msg("memory grew by %ld KiB", grew_kib);
}

static void test_limit__only_the_first_urls_are_tried(void **state)
{
    (void)state;
    int before = requests("POST /ocsp/std");
    emza__revocation_answer a = ask("many-urls", &online);
    expect_status(a, EMZA__REVOCATION_UNAVAILABLE, "many-urls");
    expect_reason(a, "1 more OCSP URLs not tried", "many-urls");
    assert_int_equal(requests("POST /ocsp/std"), before);
}

static void test_offline__makes_no_request(void **state)
{
    (void)state;
    int before = requests("");
    emza__revocation_answer a = ask("good", &offline);
    expect_status(a, EMZA__REVOCATION_UNAVAILABLE, "good offline");
    expect_reason(a, "offline", "good offline");
    a = ask("crl-good", NULL);
    expect_status(a, EMZA__REVOCATION_UNAVAILABLE, "crl-good without a network");
    assert_int_equal(requests(""), before);

    /* Not even from the cache, which an online check has just filled. */
    a = ask("good", &online);
    expect_status(a, EMZA__REVOCATION_GOOD, "good online");
    a = ask("good", &offline);
    expect_status(a, EMZA__REVOCATION_UNAVAILABLE, "good offline after online");
}

/* ------------------------------------------------------------------------ */
/* the application's transport                                               */
/* ------------------------------------------------------------------------ */

typedef struct transport_state {
    int calls;
    int over_long;   /* answer max_response + 1 bytes */
    int ocsp_fails;  /* fail OCSP, so that the CRL is asked */
    char last_url[256];
} transport_state;

static int fake_transport(void *ctx, const char *url, const char *content_type,
                          const uint8_t *body, size_t body_len, size_t max_response,
                          uint8_t **out_body, size_t *out_len)
{
    transport_state *t = ctx;
    t->calls++;
    snprintf(t->last_url, sizeof(t->last_url), "%s", url);
    *out_body = NULL;
    *out_len = 0;
    if (t->over_long) {
        *out_body = calloc(1, max_response + 1);
        if (*out_body == NULL)
            return EMZA_ENOMEM;
        *out_len = max_response + 1;
        return EMZA_OK;
    }
    const char *file = NULL;
    if (strcmp(url, "http://ocsp.invalid/ocsp") == 0) {
        if (t->ocsp_fails || content_type == NULL ||
            strcmp(content_type, "application/ocsp-request") != 0 || body == NULL || body_len == 0)
            return EMZA_ENETWORK;
        file = out("callback.ocsp.der");
    } else if (strcmp(url, "http://crl.invalid/ca.crl") == 0 && body == NULL) {
        file = out("www/files/ca.crl");
    } else {
        return EMZA_ENETWORK;
    }
    return read_file(out_body, out_len, file, max_response);
}

static void test_transport__callback_replaces_the_network(void **state)
{
    (void)state;
    transport_state t;
    memset(&t, 0, sizeof(t));
    emza__net net = {0, 5, fake_transport, &t};
    int before = requests("");
    emza__revocation_answer a = ask("callback", &net);
    expect_status(a, EMZA__REVOCATION_GOOD, "callback");
    assert_int_equal(a.source, EMZA__REVOCATION_FROM_OCSP);
    assert_int_equal(t.calls, 1);
    assert_string_equal(t.last_url, "http://ocsp.invalid/ocsp");
    /* Made ahead, the response has no nonce. */
    assert_non_null(a.warning_code);

    emza__rcache_clear();
    memset(&t, 0, sizeof(t));
    t.ocsp_fails = 1;
    a = ask("callback", &net);
    expect_status(a, EMZA__REVOCATION_GOOD, "callback, CRL");
    assert_int_equal(a.source, EMZA__REVOCATION_FROM_CRL);
    assert_int_equal(t.calls, 2);

    emza__rcache_clear();
    memset(&t, 0, sizeof(t));
    t.over_long = 1;
    a = ask("callback", &net);
    expect_status(a, EMZA__REVOCATION_UNAVAILABLE, "callback, over-long");
    expect_reason(a, "longer than", "callback, over-long");
    assert_int_equal(t.calls, 2);
    assert_int_equal(requests(""), before); /* the network was never used */

    /* Offline wins over the callback. */
    memset(&t, 0, sizeof(t));
    emza__net off = {1, 5, fake_transport, &t};
    a = ask("callback", &off);
    expect_status(a, EMZA__REVOCATION_UNAVAILABLE, "callback, offline");
    assert_int_equal(t.calls, 0);
}

/* ------------------------------------------------------------------------ */
/* embedded revocation values                                                */
/* ------------------------------------------------------------------------ */

typedef struct blob {
    uint8_t *data;
    size_t len;
} blob;

static blob slurp(const char *path)
{
    blob b = {NULL, 0};
    if (read_file(&b.data, &b.len, path, EMZA_CRL_MAX) != EMZA_OK)
        fail_msg("%s: %s", path, emza_error_last()->message);
    return b;
}

static emza__revocation_answer ask_embedded(const char *name, const emza__net *net,
                                            const emza_span *ocsp, size_t ocsp_count,
                                            const emza_span *crls, size_t crl_count)
{
    emza_cert *c = name[0] == '/' ? load_path(name) : load(name);
    emza__revocation_request req;
    memset(&req, 0, sizeof(req));
    req.cert = c;
    req.issuer = fx.ca;
    req.validation_time = (int64_t)time(NULL);
    req.net = net;
    req.embedded_ocsp = ocsp;
    req.embedded_ocsp_count = ocsp_count;
    req.embedded_crls = crls;
    req.embedded_crl_count = crl_count;
    emza__revocation_answer a;
    if (emza__revocation_check(&a, &req) != EMZA_OK)
        fail_msg("%s: %s", name, emza_error_last()->message);
    emza_cert_free(c);
    return a;
}

static void test_embedded__used_before_the_network_and_offline(void **state)
{
    (void)state;
    blob good = slurp(out("good.ocsp.der"));
    blob revoked = slurp(out("revoked.ocsp.der"));
    blob crl = slurp(out("www/files/ca.crl"));
    emza_span ocsp[2] = {{revoked.data, revoked.len}, {good.data, good.len}};
    emza_span crls[1] = {{crl.data, crl.len}};
    int before = requests("");

    emza__revocation_answer a = ask_embedded("good", &offline, ocsp, 2, NULL, 0);
    expect_status(a, EMZA__REVOCATION_GOOD, "good, embedded OCSP");
    assert_int_equal(a.embedded, 1);
    assert_int_equal(a.source, EMZA__REVOCATION_FROM_OCSP);
    a = ask_embedded("revoked", &offline, ocsp, 2, NULL, 0);
    expect_status(a, EMZA__REVOCATION_REVOKED, "revoked, embedded OCSP");
    a = ask_embedded("crl-revoked", &offline, ocsp, 2, crls, 1);
    expect_status(a, EMZA__REVOCATION_REVOKED, "crl-revoked, embedded CRL");
    assert_int_equal(a.source, EMZA__REVOCATION_FROM_CRL);
    assert_int_equal(a.embedded, 1);
    /* Online too, the embedded value comes first. */
    a = ask_embedded("good", &online, ocsp, 2, NULL, 0);
    assert_int_equal(a.embedded, 1);
    assert_int_equal(requests(""), before);

    /* Values about other certificates do not answer, and are not blamed. */
    a = ask_embedded("dead", &offline, ocsp, 2, NULL, 0);
    expect_status(a, EMZA__REVOCATION_UNAVAILABLE, "dead, others' values embedded");
    assert_null(strstr(a.reason, "embedded OCSP response:"));
    /* A certificate that declares no source stays NO_SOURCE. */
    a = ask_embedded(pki("citizen-ec.cert.pem"), &offline, ocsp, 2, crls, 1);
    expect_status(a, EMZA__REVOCATION_GOOD, "citizen-ec, covered by the embedded CRL");
    a = ask_embedded(pki("citizen-ec.cert.pem"), &offline, ocsp, 2, NULL, 0);
    expect_status(a, EMZA__REVOCATION_NO_SOURCE, "citizen-ec, others' OCSP embedded");

    free(good.data);
    free(revoked.data);
    free(crl.data);
}

static void test_embedded__limit_on_the_number_examined(void **state)
{
    (void)state;
    blob good = slurp(out("good.ocsp.der"));
    blob other = slurp(out("revoked.ocsp.der"));
    emza_span many[EMZA_REVOCATION_EMBEDDED_MAX + 1];
    for (size_t i = 0; i < EMZA_REVOCATION_EMBEDDED_MAX; i++)
        many[i] = (emza_span){other.data, other.len};
    many[EMZA_REVOCATION_EMBEDDED_MAX] = (emza_span){good.data, good.len};
    /* The useful one last: beyond the limit it is not examined. */
    emza__revocation_answer a =
        ask_embedded("good", &offline, many, EMZA_REVOCATION_EMBEDDED_MAX + 1, NULL, 0);
    expect_status(a, EMZA__REVOCATION_UNAVAILABLE, "good beyond the embedded limit");
    expect_reason(a, "beyond the first", "good beyond the embedded limit");
    /* Within it, it is. */
    many[EMZA_REVOCATION_EMBEDDED_MAX - 1] = (emza_span){good.data, good.len};
    a = ask_embedded("good", &offline, many, EMZA_REVOCATION_EMBEDDED_MAX, NULL, 0);
    expect_status(a, EMZA__REVOCATION_GOOD, "good at the embedded limit");
    free(good.data);
    free(other.data);
}

static void test_ocsp__response_size_limit(void **state)
{
    (void)state;
    blob good = slurp(out("good.ocsp.der"));
    emza_cert *c = load("good");
    emza__revocation_statement st;
    int64_t now = (int64_t)time(NULL);
    assert_int_equal(emza__ocsp_verify_response(&st, good.data, good.len, c, fx.ca, NULL, now, now),
                     EMZA_OK);
    assert_true(st.usable);
    /* Over the limit: refused before parsing. */
    uint8_t *big = calloc(1, (size_t)EMZA_OCSP_RESPONSE_MAX + 1);
    assert_non_null(big);
    memcpy(big, good.data, good.len);
    assert_int_equal(emza__ocsp_verify_response(&st, big, (size_t)EMZA_OCSP_RESPONSE_MAX + 1, c,
                                                fx.ca, NULL, now, now),
                     EMZA_OK);
    assert_false(st.usable);
    assert_non_null(strstr(st.why, "longer than"));
    /* At the limit: parsed, and refused for the bytes after the response. */
    assert_int_equal(emza__ocsp_verify_response(&st, big, (size_t)EMZA_OCSP_RESPONSE_MAX, c, fx.ca,
                                                NULL, now, now),
                     EMZA_OK);
    assert_false(st.usable);
    assert_non_null(strstr(st.why, "not a DER OCSP response"));
    /* Judged at a time long after it: stale. */
    assert_int_equal(emza__ocsp_verify_response(&st, good.data, good.len, c, fx.ca, NULL,
                                                now + 86400, now + 86400),
                     EMZA_OK);
    assert_false(st.usable);
    assert_non_null(strstr(st.why, "stale"));
    /* Judged long before it was produced: it came from the future. */
    assert_int_equal(emza__ocsp_verify_response(&st, good.data, good.len, c, fx.ca, NULL,
                                                now - 86400, now - 86400),
                     EMZA_OK);
    assert_false(st.usable);
    assert_non_null(strstr(st.why, "future"));
    free(big);
    emza_cert_free(c);
    free(good.data);
}

/* ------------------------------------------------------------------------ */
/* freshness rules                                                           */
/* ------------------------------------------------------------------------ */

static void test_covers__freshness_rules(void **state)
{
    (void)state;
    char why[EMZA_REVOCATION_WHY_MAX];
    const int64_t now = 2000000000, skew = EMZA_REVOCATION_CLOCK_SKEW;
    /* Issued now, asked about now: yes. */
    assert_true(emza__revocation_covers(why, sizeof(why), now, 0, now, now));
    /* From the future beyond the skew: no; within it: yes. */
    assert_false(emza__revocation_covers(why, sizeof(why), now + skew + 1, 0, now, now));
    assert_non_null(strstr(why, "future"));
    assert_true(emza__revocation_covers(why, sizeof(why), now + skew, 0, now, now));
    /* Issued after the validation time: it speaks for it, whatever nextUpdate says. */
    assert_true(emza__revocation_covers(why, sizeof(why), now - 10, now - 5, now, now - 86400));
    /* Issued before, current until nextUpdate (+ skew). */
    assert_true(emza__revocation_covers(why, sizeof(why), now - 3600, now + 3600, now, now));
    assert_true(emza__revocation_covers(why, sizeof(why), now - 7200, now - skew, now, now));
    assert_false(emza__revocation_covers(why, sizeof(why), now - 7200, now - skew - 1, now, now));
    assert_non_null(strstr(why, "stale"));
    /* Without nextUpdate: current for the no-nextUpdate TTL (+ skew). */
    int64_t ttl = EMZA_REVOCATION_NO_NEXT_UPDATE_TTL;
    assert_true(emza__revocation_covers(why, sizeof(why), now - ttl - skew, 0, now, now));
    assert_false(emza__revocation_covers(why, sizeof(why), now - ttl - skew - 1, 0, now, now));
    assert_non_null(strstr(why, "no nextUpdate"));
}

static void test_reason_names(void **state)
{
    (void)state;
    assert_string_equal(emza__revocation_reason_name(1), "keyCompromise");
    assert_string_equal(emza__revocation_reason_name(10), "aACompromise");
    assert_string_equal(emza__revocation_reason_name(-1), "unspecified");
    assert_string_equal(emza__revocation_reason_name(7), "unspecified");
    assert_string_equal(emza__revocation_reason_name(11), "unspecified");
}

/* ------------------------------------------------------------------------ */
/* the cache                                                                 */
/* ------------------------------------------------------------------------ */

static void make_key(uint8_t *key, size_t i)
{
    memset(key, 0, 40);
    memcpy(key, &i, sizeof(i));
}

static void test_cache__bounded_with_eviction_and_expiry(void **state)
{
    (void)state;
    const int64_t now = 1000000;
    uint8_t key[40];
    const uint8_t der[4] = {1, 2, 3, 4};
    /* More entries than the limit: the least recently used go. */
    for (size_t i = 0; i < EMZA_REVOCATION_CACHE_ENTRIES_MAX + 10; i++) {
        make_key(key, i);
        emza__rcache_put_ocsp(key, sizeof(key), der, sizeof(der), 0, now + 100, now);
    }
    size_t entries = 0, bytes = 0;
    emza__rcache_stats(&entries, &bytes, NULL, NULL);
    assert_int_equal(entries, EMZA_REVOCATION_CACHE_ENTRIES_MAX);
    assert_int_equal(bytes, EMZA_REVOCATION_CACHE_ENTRIES_MAX * sizeof(der));
    emza_buf got;
    int nonce_missing = 0;
    make_key(key, 0);
    assert_int_equal(emza__rcache_get_ocsp(&got, &nonce_missing, key, sizeof(key), now),
                     EMZA_ENOTFOUND);
    make_key(key, EMZA_REVOCATION_CACHE_ENTRIES_MAX + 9);
    assert_int_equal(emza__rcache_get_ocsp(&got, &nonce_missing, key, sizeof(key), now), EMZA_OK);
    assert_int_equal(got.len, sizeof(der));
    assert_memory_equal(got.data, der, sizeof(der));
    emza__buf_free(&got);
    /* Expired: gone. */
    assert_int_equal(emza__rcache_get_ocsp(&got, &nonce_missing, key, sizeof(key), now + 100),
                     EMZA_ENOTFOUND);
    /* Already expired when stored: not stored. */
    emza__rcache_clear();
    emza__rcache_put_ocsp(key, sizeof(key), der, sizeof(der), 0, now, now);
    emza__rcache_stats(&entries, NULL, NULL, NULL);
    assert_int_equal(entries, 0);

    /* Bytes: two CRLs of more than half the limit do not fit together. */
    blob b = slurp(out("www/files/ca.crl"));
    X509_CRL *crl = NULL;
    emza__revocation_statement st;
    assert_int_equal(emza__crl_parse(&crl, &st, b.data, b.len), EMZA_OK);
    assert_non_null(crl);
    uint8_t fp[32] = {0}, fp_out[32];
    size_t half = EMZA_REVOCATION_CACHE_BYTES_MAX / 2 + 1;
    emza__rcache_put_crl("http://a/", crl, fp, half, now + 100, now);
    emza__rcache_put_crl("http://b/", crl, fp, half, now + 100, now);
    X509_CRL *hit = NULL;
    assert_int_equal(emza__rcache_get_crl(&hit, fp_out, "http://a/", now), EMZA_ENOTFOUND);
    assert_int_equal(emza__rcache_get_crl(&hit, fp_out, "http://b/", now), EMZA_OK);
    assert_ptr_equal(hit, crl);
    X509_CRL_free(hit);
    /* Larger than the whole cache: not stored. */
    emza__rcache_put_crl("http://c/", crl, fp, (size_t)EMZA_REVOCATION_CACHE_BYTES_MAX + 1,
                         now + 100, now);
    assert_int_equal(emza__rcache_get_crl(&hit, fp_out, "http://c/", now), EMZA_ENOTFOUND);
    X509_CRL_free(crl);
    free(b.data);
    emza__rcache_clear();
    emza__rcache_stats(&entries, &bytes, NULL, NULL);
    assert_int_equal(entries, 0);
    assert_int_equal(bytes, 0);
}

#define THREADS 8

typedef struct worker {
    int index;
    int failures;
    char first_failure[512];
} worker;

static void worker_fail(worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void worker_fail(worker *w, const char *fmt, ...)
{
    if (w->failures++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->first_failure, sizeof(w->first_failure), fmt, ap);
        va_end(ap);
    }
}

/* Hammers the cache directly: more keys than it holds, so eviction runs under contention. */
static void *cache_worker(void *arg)
{
    worker *w = arg;
    const int64_t now = 1000000;
    uint8_t key[40], der[64];
    for (int round = 0; round < 3000; round++) {
        size_t k = (size_t)((round * 7 + w->index * 13) % (EMZA_REVOCATION_CACHE_ENTRIES_MAX + 64));
        make_key(key, k);
        memset(der, (int)(k & 0xff), sizeof(der));
        if (round % 3 == 0) {
            emza__rcache_put_ocsp(key, sizeof(key), der, sizeof(der), 0, now + 1000, now);
        } else {
            emza_buf got;
            int nm = 0;
            int rc = emza__rcache_get_ocsp(&got, &nm, key, sizeof(key), now);
            if (rc == EMZA_OK) {
                if (got.len != sizeof(der) || memcmp(got.data, der, sizeof(der)) != 0)
                    worker_fail(w, "key %zu: wrong bytes", k);
                emza__buf_free(&got);
            } else if (rc != EMZA_ENOTFOUND) {
                worker_fail(w, "key %zu: %d", k, rc);
            }
        }
    }
    return NULL;
}

/* Real checks against the live servers, sharing the cache and the trust store. */
static void *check_worker(void *arg)
{
    worker *w = arg;
    static const struct {
        const char *name;
        emza__revocation_status want;
    } cases[] = {
        {"good", EMZA__REVOCATION_GOOD},
        {"revoked", EMZA__REVOCATION_REVOKED},
        {"crl-good", EMZA__REVOCATION_GOOD},
        {"crl-revoked", EMZA__REVOCATION_REVOKED},
        {"ca-signed", EMZA__REVOCATION_GOOD},
    };
    for (int round = 0; round < 10; round++) {
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            size_t k = (i + (size_t)w->index) % (sizeof(cases) / sizeof(cases[0]));
            char path[1024];
            snprintf(path, sizeof(path), "%s/%s.cert.pem", fx.dir, cases[k].name);
            emza_cert *c = NULL;
            if (emza_cert_load(&c, path) != EMZA_OK) {
                worker_fail(w, "%s: %s", path, emza_error_last()->message);
                continue;
            }
            emza__revocation_request req;
            memset(&req, 0, sizeof(req));
            req.cert = c;
            req.issuer = fx.ca;
            req.validation_time = (int64_t)time(NULL);
            req.net = &online;
            emza__revocation_answer a;
            if (emza__revocation_check(&a, &req) != EMZA_OK)
                worker_fail(w, "%s: %s", cases[k].name, emza_error_last()->message);
            else if (a.status != cases[k].want)
                worker_fail(w, "%s: got %s (%s)", cases[k].name, status_name(a.status), a.reason);
            emza_cert_free(c);
        }
    }
    return NULL;
}

static void test_cache__eight_threads(void **state)
{
    (void)state;
    pthread_t threads[THREADS];
    worker workers[THREADS];
    memset(workers, 0, sizeof(workers));
    for (int i = 0; i < THREADS; i++) {
        workers[i].index = i;
        assert_int_equal(pthread_create(&threads[i], NULL, cache_worker, &workers[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    for (int i = 0; i < THREADS; i++)
        if (workers[i].failures)
            fail_msg("cache thread %d: %s", i, workers[i].first_failure);
    size_t entries = 0;
    emza__rcache_stats(&entries, NULL, NULL, NULL);
    assert_true(entries <= EMZA_REVOCATION_CACHE_ENTRIES_MAX);

    emza__rcache_clear();
    unsigned long hits0 = 0;
    emza__rcache_stats(NULL, NULL, &hits0, NULL);
    int ocsp_before = requests("POST /ocsp/");
    memset(workers, 0, sizeof(workers));
    for (int i = 0; i < THREADS; i++) {
        workers[i].index = i;
        assert_int_equal(pthread_create(&threads[i], NULL, check_worker, &workers[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    for (int i = 0; i < THREADS; i++)
        if (workers[i].failures)
            fail_msg("check thread %d: %s", i, workers[i].first_failure);
    unsigned long hits = 0;
    emza__rcache_stats(NULL, NULL, &hits, NULL);
    /* 400 checks; the responders were asked a few times at most per certificate and thread. */
    assert_true(hits > hits0 + 200);
    assert_true(requests("POST /ocsp/") - ocsp_before <= 3 * THREADS);
}

/* ------------------------------------------------------------------------ */
/* chain validation, signature validation, the command line                  */
/* ------------------------------------------------------------------------ */

static emza_chain_result *verify_chain(const char *name, int offline_flag, int has_time,
                                       int64_t when)
{
    emza_cert *c = load(name);
    emza_chain_options o = EMZA_CHAIN_OPTIONS_INIT;
    o.untrusted = fx.chain;
    o.offline = offline_flag;
    o.has_validation_time = has_time;
    o.validation_time = when;
    emza_chain_result *r = NULL;
    if (emza_trust_verify(&r, fx.trust, c, &o) != EMZA_OK)
        fail_msg("%s: %s", name, emza_error_last()->message);
    emza_cert_free(c);
    return r;
}

static void expect_chain(emza_chain_result *r, emza_indication ind, emza_subindication sub,
                         const char *what)
{
    if (emza_chain_result_indication(r) != ind || emza_chain_result_subindication(r) != sub)
        fail_msg("%s: expected %s/%s, got %s/%s (%s)", what, emza_indication_name(ind),
                 sub == EMZA_SUB_NONE ? "-" : emza_subindication_name(sub),
                 emza_indication_name(emza_chain_result_indication(r)),
                 emza_chain_result_subindication(r) == EMZA_SUB_NONE
                     ? "-"
                     : emza_subindication_name(emza_chain_result_subindication(r)),
                 emza_chain_result_message(r));
}

static void test_chain__verdicts_from_revocation(void **state)
{
    (void)state;
    emza_chain_result *r = verify_chain("revoked", 0, 0, 0);
    expect_chain(r, EMZA_TOTAL_FAILED, EMZA_SUB_REVOKED, "revoked");
    assert_non_null(strstr(emza_chain_result_message(r), "keyCompromise"));
    emza_chain_result_free(r);

    /* Revoked after the validation time: it was good then. */
    r = verify_chain("revoked", 0, 1, (int64_t)time(NULL) - 3600);
    expect_chain(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, "revoked, asked about an hour ago");
    emza_chain_result_free(r);

    /* Good: passes, and no NO_REVOCATION_SOURCE for the certificate (the CA declares none). */
    r = verify_chain("good", 0, 0, 0);
    expect_chain(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, "good");
    for (size_t i = 0; i < emza_chain_result_warning_count(r); i++)
        if (strcmp(emza_chain_result_warning_code(r, i), "NO_REVOCATION_SOURCE") == 0)
            assert_null(strstr(emza_chain_result_warning_message(r, i), "Emza Revocation good"));
    emza_chain_result_free(r);

    r = verify_chain("dead", 0, 0, 0);
    expect_chain(r, EMZA_INDETERMINATE, EMZA_SUB_TRY_LATER, "dead");
    emza_chain_result_free(r);
    r = verify_chain("good", 1, 0, 0);
    expect_chain(r, EMZA_INDETERMINATE, EMZA_SUB_TRY_LATER, "good offline");
    emza_chain_result_free(r);
    r = verify_chain("unknown", 0, 0, 0);
    expect_chain(r, EMZA_INDETERMINATE, EMZA_SUB_TRY_LATER, "unknown");
    emza_chain_result_free(r);
}

static void test_chain__network_options_default_to_none(void **state)
{
    (void)state;
    emza_chain_options o;
    memset(&o, 0x5A, sizeof(o));
    assert_int_equal(emza_chain_options_init(&o, EMZA_CHAIN_OPTIONS_VERSION), EMZA_OK);
    assert_int_equal(o.offline, 0);
    assert_int_equal(o.timeout_seconds, 0);
    assert_null(o.transport);
    assert_null(o.transport_ctx);
    emza_chain_options init = EMZA_CHAIN_OPTIONS_INIT;
    assert_int_equal(init.timeout_seconds, 0);
    assert_null(init.transport);
    assert_null(init.transport_ctx);
}

static void test_chain__options_carry_timeout_and_transport(void **state)
{
    (void)state;
    transport_state t;
    memset(&t, 0, sizeof(t));
    emza_cert *c = load("callback");
    emza_chain_options o = EMZA_CHAIN_OPTIONS_INIT;
    o.untrusted = fx.chain;
    o.transport = fake_transport;
    o.transport_ctx = &t;
    o.timeout_seconds = 1;
    emza_chain_result *r = NULL;
    assert_int_equal(emza_trust_verify(&r, fx.trust, c, &o), EMZA_OK);
    expect_chain(r, EMZA_TOTAL_PASSED, EMZA_SUB_NONE, "callback through the chain options");
    assert_int_equal(t.calls, 1);
    emza_chain_result_free(r);
    emza_cert_free(c);
}

static void test_verify__signature_validation_uses_the_network_options(void **state)
{
    (void)state;
    /* A CAdES signature by `callback`, whose sources only the transport callback answers. */
    const char *doc = out("deed.txt");
    FILE *f = fopen(doc, "w");
    assert_non_null(f);
    fputs("a deed\n", f);
    fclose(f);
    emza_signer *signer = NULL;
    assert_int_equal(emza_signer_open_pem(&signer, out("leaf.key.pem"), NULL,
                                          out("callback.cert.pem"), pki("citizen-ca.cert.pem")),
                     EMZA_OK);
    emza_sign_options so = EMZA_SIGN_OPTIONS_INIT;
    so.format = emza_format_from_name("cades-attached");
    const char *inputs[] = {doc};
    if (emza_sign(signer, &so, inputs, 1, out("deed.p7m")) != EMZA_OK)
        fail_msg("sign: %s", emza_error_last()->message);
    emza_signer_free(signer);

    transport_state t;
    memset(&t, 0, sizeof(t));
    emza_verify_options vo = EMZA_VERIFY_OPTIONS_INIT;
    vo.trust = fx.trust;
    vo.transport = fake_transport;
    vo.transport_ctx = &t;
    emza_report *report = NULL;
    assert_int_equal(emza_verify_file(&report, out("deed.p7m"), &vo), EMZA_OK);
    assert_int_equal(emza_report_signature_count(report), 1);
    const emza_signature_report *sig = emza_report_signature(report, 0);
    if (emza_signature_indication(sig) != EMZA_TOTAL_PASSED)
        fail_msg("signature: %s %s", emza_indication_name(emza_signature_indication(sig)),
                 emza_signature_error_count(sig) ? emza_signature_error_code(sig, 0) : "");
    assert_true(t.calls >= 1);
    emza_report_free(report);

    vo.offline = 1;
    assert_int_equal(emza_verify_file(&report, out("deed.p7m"), &vo), EMZA_OK);
    sig = emza_report_signature(report, 0);
    assert_int_equal(emza_signature_indication(sig), EMZA_INDETERMINATE);
    assert_int_equal(emza_signature_subindication(sig), EMZA_SUB_TRY_LATER);
    emza_report_free(report);
}

static void test_chain__revoked_ca_is_revoked_ca_no_poe(void **state)
{
    (void)state;
    emza_cert *leaf = load("under-revoked-ca");
    emza_cert *subca = load("revoked-ca");
    emza_cert_list *chain = NULL;
    assert_int_equal(emza_cert_list_new(&chain), EMZA_OK);
    assert_int_equal(emza_cert_list_add(chain, subca), EMZA_OK);
    emza_chain_options o = EMZA_CHAIN_OPTIONS_INIT;
    o.untrusted = chain;
    emza_chain_result *r = NULL;
    assert_int_equal(emza_trust_verify(&r, fx.trust, leaf, &o), EMZA_OK);
    expect_chain(r, EMZA_INDETERMINATE, EMZA_SUB_REVOKED_CA_NO_POE, "leaf under a revoked CA");
    emza_chain_result_free(r);
    emza_cert_list_free(chain);
    emza_cert_free(subca);
    emza_cert_free(leaf);
}

static int cli_verify(const char *name, const char *extra)
{
    char cert[1024], trust[1024], chain[1024];
    snprintf(cert, sizeof(cert), "%s/%s.cert.pem", fx.dir, name);
    snprintf(trust, sizeof(trust), "%s", pki("trust/root.pem"));
    snprintf(chain, sizeof(chain), "%s", pki("citizen-ca.cert.pem"));
    char tool[1024];
    snprintf(tool, sizeof(tool), "%s", env_or_fail("EMZA_TOOL"));
    char *argv[] = {tool, "cert", "verify", cert, "--trust", trust, "--untrusted", chain,
                    (char *)(uintptr_t)extra, NULL};
    return run_wait(argv, out("cli.log"));
}

static void test_cli__cert_verify_with_a_live_responder(void **state)
{
    (void)state;
    assert_int_equal(cli_verify("good", NULL), 0);
    assert_int_equal(cli_verify("revoked", NULL), 1);
    assert_int_equal(cli_verify("crl-revoked", NULL), 1);
    assert_int_equal(cli_verify("dead", NULL), 2);
    assert_int_equal(cli_verify("good", "--offline"), 2);
}


/* ------------------------------------------------------------------------ */
/* the DER each answer rests on, and long-term material (ltv.h)             */
/* ------------------------------------------------------------------------ */

static emza__revocation_answer ask_der(const char *name, const emza__net *net,
                                       const emza_span *ocsp, size_t ocsp_count, emza_buf *der)
{
    emza_cert *c = name[0] == '/' ? load_path(name) : load(name);
    emza__revocation_request req;
    memset(&req, 0, sizeof(req));
    req.cert = c;
    req.issuer = fx.ca;
    req.validation_time = (int64_t)time(NULL);
    req.net = net;
    req.embedded_ocsp = ocsp;
    req.embedded_ocsp_count = ocsp_count;
    req.used_der = der;
    emza__revocation_answer a;
    if (emza__revocation_check(&a, &req) != EMZA_OK)
        fail_msg("%s: %s", name, emza_error_last()->message);
    emza_cert_free(c);
    return a;
}

static void test_used_der__hands_back_what_was_verified(void **state)
{
    (void)state;
    blob good = slurp(out("good.ocsp.der"));
    emza_span ocsp[1] = {{good.data, good.len}};
    emza_buf der;

    /* Embedded: exactly the embedded bytes. */
    emza__revocation_answer a = ask_der("good", &offline, ocsp, 1, &der);
    expect_status(a, EMZA__REVOCATION_GOOD, "good, embedded");
    assert_int_equal(der.len, good.len);
    assert_memory_equal(der.data, good.data, good.len);
    emza__buf_free(&der);

    /* Fetched OCSP: a response that parses, and the cache hands back the same bytes. */
    a = ask_der("good", &online, NULL, 0, &der);
    expect_status(a, EMZA__REVOCATION_GOOD, "good, fetched");
    assert_int_equal(a.cached, 0);
    const unsigned char *p = der.data;
    OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)der.len);
    assert_non_null(resp);
    OCSP_RESPONSE_free(resp);
    emza_buf again;
    a = ask_der("good", &online, NULL, 0, &again);
    assert_int_equal(a.cached, 1);
    assert_int_equal(again.len, der.len);
    assert_memory_equal(again.data, der.data, der.len);
    emza__buf_free(&again);
    emza__buf_free(&der);

    /* A CRL, fetched then cached: a CertificateList that parses. */
    for (int round = 0; round < 2; round++) {
        a = ask_der("crl-good", &online, NULL, 0, &der);
        expect_status(a, EMZA__REVOCATION_GOOD, "crl-good");
        assert_int_equal(a.source, EMZA__REVOCATION_FROM_CRL);
        assert_int_equal(a.cached, round);
        p = der.data;
        X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)der.len);
        assert_non_null(crl);
        assert_true(p == der.data + der.len);
        X509_CRL_free(crl);
        emza__buf_free(&der);
    }

    /* Revoked: the statement that says so. */
    a = ask_der("revoked", &online, NULL, 0, &der);
    expect_status(a, EMZA__REVOCATION_REVOKED, "revoked");
    assert_true(der.len > 0);
    emza__buf_free(&der);

    /* Nothing usable, or no source: an empty buffer. */
    a = ask_der("dead", &offline, NULL, 0, &der);
    expect_status(a, EMZA__REVOCATION_UNAVAILABLE, "dead offline");
    assert_int_equal(der.len, 0);
    emza__buf_free(&der);
    a = ask_der(pki("citizen-ec.cert.pem"), &offline, NULL, 0, &der);
    expect_status(a, EMZA__REVOCATION_NO_SOURCE, "citizen-ec");
    assert_int_equal(der.len, 0);
    emza__buf_free(&der);
    free(good.data);
}

/* Gathers the material for `name` into a fresh ltv; returns the call's result. */
static int gather(emza__ltv *ltv, const char *name, const emza_trust *trust, int net_offline,
                  const emza__revocation_values *embedded)
{
    emza_cert *c = name[0] == '/' ? load_path(name) : load(name);
    assert_int_equal(emza__ltv_init(ltv), EMZA_OK);
    emza__ltv_context cx;
    memset(&cx, 0, sizeof(cx));
    cx.trust = trust;
    cx.helpers[0] = fx.chain;
    cx.embedded = embedded;
    cx.net = net_offline ? offline : online;
    int rc = emza__ltv_add_chain(ltv, &cx, c, EMZA_PURPOSE_SIGN);
    emza_cert_free(c);
    return rc;
}

static void test_ltv__gathers_the_chain_and_the_statements(void **state)
{
    (void)state;
    emza__ltv ltv;
    assert_int_equal(gather(&ltv, "good", fx.trust, 0, NULL), EMZA_OK);
    assert_int_equal(emza_cert_list_count(ltv.certs), 3); /* leaf, citizen CA, root */
    assert_int_equal(ltv.ocsp_count, 1);                  /* the CAs declare no source */
    assert_int_equal(ltv.crl_count, 0);
    emza__ltv_free(&ltv);

    assert_int_equal(gather(&ltv, "crl-good", fx.trust, 0, NULL), EMZA_OK);
    assert_int_equal(ltv.ocsp_count, 0);
    assert_int_equal(ltv.crl_count, 1);
    emza__ltv_free(&ltv);

    /* Offline, what is embedded is enough, and it is what is gathered. */
    blob good = slurp(out("good.ocsp.der"));
    emza_span ocsp[1] = {{good.data, good.len}};
    emza__revocation_values values = {ocsp, 1, NULL, 0};
    assert_int_equal(gather(&ltv, "good", fx.trust, 1, &values), EMZA_OK);
    assert_int_equal(ltv.ocsp_count, 1);
    assert_int_equal(ltv.ocsp[0].len, good.len);
    assert_memory_equal(ltv.ocsp[0].data, good.data, good.len);
    emza__ltv_free(&ltv);
    free(good.data);

    /* Without trust anchors, the self-signed certificates at hand stand for them. */
    emza_cert_list *with_root = NULL;
    assert_int_equal(emza_cert_list_new(&with_root), EMZA_OK);
    assert_int_equal(emza_cert_list_add_path(with_root, pki("trust/root.pem")), EMZA_OK);
    emza_cert *c = load("good");
    assert_int_equal(emza__ltv_init(&ltv), EMZA_OK);
    emza__ltv_context cx;
    memset(&cx, 0, sizeof(cx));
    cx.helpers[0] = fx.chain;
    cx.helpers[1] = with_root;
    cx.net = online;
    assert_int_equal(emza__ltv_add_chain(&ltv, &cx, c, EMZA_PURPOSE_SIGN), EMZA_OK);
    assert_int_equal(emza_cert_list_count(ltv.certs), 3);
    emza__ltv_free(&ltv);
    cx.helpers[1] = NULL; /* no root at all */
    assert_int_equal(emza__ltv_init(&ltv), EMZA_OK);
    assert_error(emza__ltv_add_chain(&ltv, &cx, c, EMZA_PURPOSE_SIGN), EMZA_ENOTFOUND);
    assert_message_has("trust anchor");
    emza__ltv_free(&ltv);
    emza_cert_free(c);
    emza_cert_list_free(with_root);
}

static void test_ltv__refuses_revoked_unreachable_and_failing_chains(void **state)
{
    (void)state;
    emza__ltv ltv;
    assert_error(gather(&ltv, "revoked", fx.trust, 0, NULL), EMZA_EINVAL);
    assert_message_has("revoked");
    emza__ltv_free(&ltv);
    assert_error(gather(&ltv, "dead", fx.trust, 0, NULL), EMZA_ENETWORK);
    assert_message_has("no revocation data");
    emza__ltv_free(&ltv);
    assert_error(gather(&ltv, "good", fx.trust, 1, NULL), EMZA_ENETWORK);
    assert_message_has("offline");
    emza__ltv_free(&ltv);
    /* A certificate that declares no source needs no statement (CONTRACT.md). */
    assert_int_equal(gather(&ltv, pki("citizen-ec.cert.pem"), fx.trust, 1, NULL), EMZA_OK);
    assert_int_equal(ltv.ocsp_count + ltv.crl_count, 0);
    emza__ltv_free(&ltv);
    /* Any other failing check stops it too, in words. */
    assert_error(gather(&ltv, pki("expired.cert.pem"), fx.trust, 1, NULL), EMZA_EINVAL);
    assert_message_has("OUT_OF_BOUNDS_NO_POE");
    emza__ltv_free(&ltv);
    assert_error(gather(&ltv, pki("untrusted.cert.pem"), fx.trust, 1, NULL), EMZA_ENOTFOUND);
    emza__ltv_free(&ltv);
}

static void test_ltv__limit_on_the_statements_kept(void **state)
{
    (void)state;
    emza__ltv ltv;
    assert_int_equal(emza__ltv_init(&ltv), EMZA_OK);
    uint8_t item[4] = {0x30, 0x02, 0x05, 0x00};
    for (int i = 0; i < EMZA_LTV_ITEMS_MAX; i++) {
        item[3] = (uint8_t)i;
        assert_int_equal(emza__ltv_add_der(ltv.ocsp, &ltv.ocsp_count, item, sizeof(item)),
                         EMZA_OK);
        /* the same bytes again: kept once */
        assert_int_equal(emza__ltv_add_der(ltv.ocsp, &ltv.ocsp_count, item, sizeof(item)),
                         EMZA_OK);
    }
    assert_int_equal(ltv.ocsp_count, EMZA_LTV_ITEMS_MAX);
    item[2] = 0x06;
    assert_error(emza__ltv_add_der(ltv.ocsp, &ltv.ocsp_count, item, sizeof(item)), EMZA_ELIMIT);
    assert_int_equal(ltv.ocsp_count, EMZA_LTV_ITEMS_MAX);
    emza__ltv_free(&ltv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_ocsp__good_from_the_delegated_responder, test_setup),
        cmocka_unit_test_setup(test_ocsp__revoked_carries_time_and_reason, test_setup),
        cmocka_unit_test_setup(test_ocsp__unknown_is_not_usable, test_setup),
        cmocka_unit_test_setup(test_ocsp__about_another_serial_is_a_failure_and_falls_to_the_crl,
                               test_setup),
        cmocka_unit_test_setup(test_ocsp__signed_by_the_ca_itself_or_named_by_key, test_setup),
        cmocka_unit_test_setup(test_ocsp__unauthorised_responders_are_not_usable, test_setup),
        cmocka_unit_test_setup(test_ocsp__stale_response_is_not_usable, test_setup),
        cmocka_unit_test_setup(test_ocsp__sha256_certid_accepted_missing_nonce_warned, test_setup),
        cmocka_unit_test_setup(test_ocsp__error_status_and_garbage_are_not_usable, test_setup),
        cmocka_unit_test_setup(test_ocsp__response_size_limit, test_setup),
        cmocka_unit_test_setup(test_crl__good_and_revoked_in_der_and_pem, test_setup),
        cmocka_unit_test_setup(test_crl__unusable_crls, test_setup),
        cmocka_unit_test_setup(test_crl__size_limit, test_setup),
        cmocka_unit_test_setup(test_crl__parse_limit_and_formats, test_setup),
        cmocka_unit_test_setup(test_order__ocsp_first_then_crl, test_setup),
        cmocka_unit_test_setup(test_failure__server_down_is_unavailable_quickly, test_setup),
        cmocka_unit_test_setup(test_failure__slow_server_times_out, test_setup),
        cmocka_unit_test_setup(test_failure__huge_answers_are_refused_by_the_cap, test_setup),
        cmocka_unit_test_setup(test_limit__only_the_first_urls_are_tried, test_setup),
        cmocka_unit_test_setup(test_offline__makes_no_request, test_setup),
        cmocka_unit_test_setup(test_transport__callback_replaces_the_network, test_setup),
        cmocka_unit_test_setup(test_embedded__used_before_the_network_and_offline, test_setup),
        cmocka_unit_test_setup(test_embedded__limit_on_the_number_examined, test_setup),
        cmocka_unit_test(test_covers__freshness_rules),
        cmocka_unit_test(test_reason_names),
        cmocka_unit_test_setup(test_cache__bounded_with_eviction_and_expiry, test_setup),
        cmocka_unit_test_setup(test_cache__eight_threads, test_setup),
        cmocka_unit_test_setup(test_chain__verdicts_from_revocation, test_setup),
        cmocka_unit_test(test_chain__network_options_default_to_none),
        cmocka_unit_test_setup(test_chain__options_carry_timeout_and_transport, test_setup),
        cmocka_unit_test_setup(test_chain__revoked_ca_is_revoked_ca_no_poe, test_setup),
        cmocka_unit_test_setup(test_verify__signature_validation_uses_the_network_options,
                               test_setup),
        cmocka_unit_test_setup(test_cli__cert_verify_with_a_live_responder, test_setup),
        cmocka_unit_test_setup(test_used_der__hands_back_what_was_verified, test_setup),
        cmocka_unit_test_setup(test_ltv__gathers_the_chain_and_the_statements, test_setup),
        cmocka_unit_test_setup(test_ltv__refuses_revoked_unreachable_and_failing_chains,
                               test_setup),
        cmocka_unit_test(test_ltv__limit_on_the_statements_kept),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
