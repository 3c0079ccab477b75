/*
 * cades_bench — throughput and memory of CAdES detached signing and
 * verification on a large file, beside `openssl dgst -sha256` on the same
 * file (issue 4: at least 90% of its throughput, peak RSS under 32 MB).
 *
 *   cades_bench [--size MB] [--dir DIR] [--file PATH] [--sparse] [--runs N]
 *               [--digest sha256|sha384|sha512] [--openssl PATH] [--strict]
 *
 * Makes a file of --size MiB (default 1024) in --dir (default $TMPDIR or
 * /tmp) with fast pseudo-random bytes (or a sparse one with --sparse), reads
 * it once so the page cache is warm, then --runs times (default 3) in turn:
 * `openssl dgst -sha256 FILE`, an emza detached signing of FILE and an emza
 * verification of that signature with FILE as --data. Signing and verifying
 * each run in a forked child, so each phase's peak RSS (getrusage
 * ru_maxrss in the child, after the call) is its own. The medians are printed; the file is
 * removed at the end unless it was given with --file.
 *
 * The signer is a throw-away P-256 key with a self-signed certificate (key
 * usage nonRepudiation) made here, and that certificate is the only trust
 * anchor, so verification runs the whole way to TOTAL_PASSED.
 *
 * Public API only (plus OpenSSL to make the key). Exit status: 0 done (the
 * targets met or not, unless --strict), 1 an error, 3 with --strict when a
 * target was missed.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <emza/emza.h>

#define MIB (1024.0 * 1024.0)
#define RUNS_MAX 15
#define TARGET_RATIO 0.90
#define TARGET_RSS_KIB (32 * 1024)

typedef struct config {
    long size_mib;
    const char *dir;
    const char *file; /* given by the user: not made, not removed */
    int sparse;
    int runs;
    const char *digest;
    const char *openssl;
    int strict;
} config;

typedef struct phase {
    double seconds;  /* inside the child, around the library call */
    long maxrss_kib; /* the child's peak */
    int ok;
} phase;

static char g_file[4096], g_key[4096], g_cert[4096], g_sig[4096];

static void die(const char *what)
{
    fprintf(stderr, "cades_bench: %s\n", what);
    exit(1);
}

static void die_emza(const char *what, int rc)
{
    fprintf(stderr, "cades_bench: %s: %s (%s)\n", what, emza_error_name(rc),
            emza_error_last_message());
    exit(1);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long parse_long(const char *s, const char *what)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v <= 0) {
        fprintf(stderr, "cades_bench: %s: not a positive number: %s\n", what, s);
        exit(1);
    }
    return v;
}

static void usage(void)
{
    fputs("usage: cades_bench [--size MB] [--dir DIR] [--file PATH] [--sparse] [--runs N]\n"
          "                   [--digest sha256|sha384|sha512] [--openssl PATH] [--strict]\n",
          stderr);
    exit(1);
}

static void parse_args(config *c, int argc, char **argv)
{
    const char *tmp = getenv("TMPDIR");
    *c = (config){1024, tmp && tmp[0] ? tmp : "/tmp", NULL, 0, 3, "sha256", "openssl", 0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--sparse") == 0) {
            c->sparse = 1;
        } else if (strcmp(a, "--strict") == 0) {
            c->strict = 1;
        } else if (v == NULL) {
            usage();
        } else if (strcmp(a, "--size") == 0) {
            c->size_mib = parse_long(v, "--size");
            i++;
        } else if (strcmp(a, "--dir") == 0) {
            c->dir = v;
            i++;
        } else if (strcmp(a, "--file") == 0) {
            c->file = v;
            i++;
        } else if (strcmp(a, "--runs") == 0) {
            c->runs = (int)parse_long(v, "--runs");
            if (c->runs > RUNS_MAX)
                c->runs = RUNS_MAX;
            i++;
        } else if (strcmp(a, "--digest") == 0) {
            c->digest = v;
            i++;
        } else if (strcmp(a, "--openssl") == 0) {
            c->openssl = v;
            i++;
        } else {
            usage();
        }
    }
}

static void path_in(char *buf, size_t size, const char *dir, const char *name)
{
    int n = snprintf(buf, size, "%s/%s", dir, name);
    if (n <= 0 || (size_t)n >= size)
        die("path too long");
}

/* --- the file ------------------------------------------------------------ */

static void make_file(const config *c)
{
    int fd = open(g_file, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        die("cannot create the test file");
    off_t size = (off_t)c->size_mib * 1024 * 1024;
    if (c->sparse) {
        if (ftruncate(fd, size) != 0)
            die("cannot size the sparse file");
        close(fd);
        return;
    }
    enum { CHUNK = 1 << 20 };
    uint64_t *buf = malloc(CHUNK);
    if (buf == NULL)
        die("out of memory");
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (off_t done = 0; done < size; done += CHUNK) {
        for (size_t i = 0; i < CHUNK / sizeof(uint64_t); i++) { /* xorshift64 */
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf[i] = x;
        }
        size_t n = (size_t)(size - done < CHUNK ? size - done : CHUNK);
        if (write(fd, buf, n) != (ssize_t)n)
            die("cannot write the test file (disk full?)");
    }
    free(buf);
    if (close(fd) != 0)
        die("cannot write the test file");
}

/* Reads the whole file once, so that every measurement finds it in the page cache. */
static double warm_cache(void)
{
    int fd = open(g_file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        die("cannot read the test file");
    enum { CHUNK = 1 << 20 };
    char *buf = malloc(CHUNK);
    if (buf == NULL)
        die("out of memory");
    double t0 = now_seconds();
    ssize_t n;
    while ((n = read(fd, buf, CHUNK)) > 0)
        ;
    double t = now_seconds() - t0;
    free(buf);
    close(fd);
    return t;
}

/* --- a throw-away signer --------------------------------------------------- */

static void make_signer_files(void)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    if (key == NULL || x == NULL)
        die("cannot make a key");
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), (long)time(NULL));
    X509_gmtime_adj(X509_getm_notBefore(x), -86400L);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"IR", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               (const unsigned char *)"Emza Benchmark Signer", -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_set_pubkey(x, key);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    static const struct {
        int nid;
        const char *value;
    } exts[] = {
        {NID_basic_constraints, "critical,CA:FALSE"},
        {NID_key_usage, "critical,digitalSignature,nonRepudiation"},
        {NID_subject_key_identifier, "hash"},
    };
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, exts[i].nid, exts[i].value);
        if (e == NULL || X509_add_ext(x, e, -1) != 1)
            die("cannot add a certificate extension");
        X509_EXTENSION_free(e);
    }
    if (X509_sign(x, key, EVP_sha256()) <= 0)
        die("cannot sign the certificate");
    FILE *f = fopen(g_key, "w");
    if (f == NULL || PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) != 1 || fclose(f) != 0)
        die("cannot write the key");
    f = fopen(g_cert, "w");
    if (f == NULL || PEM_write_X509(f, x) != 1 || fclose(f) != 0)
        die("cannot write the certificate");
    X509_free(x);
    EVP_PKEY_free(key);
}

/* --- the phases ------------------------------------------------------------ */

typedef struct child_result {
    double seconds;
    long maxrss_kib;
    int ok;
    int indication; /* verify: the first signature's */
} child_result;

static void child_sign(const config *c, child_result *r)
{
    emza_signer *s = NULL;
    int rc = emza_signer_open_pem(&s, g_key, NULL, g_cert, NULL);
    if (rc != EMZA_OK)
        die_emza("opening the signer", rc);
    emza_sign_options o;
    emza_sign_options_init(&o, EMZA_SIGN_OPTIONS_VERSION);
    o.format = EMZA_FORMAT_CADES_DETACHED;
    o.digest = c->digest;
    const char *inputs[] = {g_file};
    double t0 = now_seconds();
    rc = emza_sign(s, &o, inputs, 1, g_sig);
    r->seconds = now_seconds() - t0;
    if (rc != EMZA_OK)
        die_emza("signing", rc);
    emza_signer_free(s);
    r->ok = 1;
}

static void child_verify(child_result *r)
{
    emza_trust *trust = NULL;
    const char *anchors[] = {g_cert};
    int rc = emza_trust_load(&trust, anchors, 1);
    if (rc != EMZA_OK)
        die_emza("loading the trust anchor", rc);
    emza_verify_options o;
    emza_verify_options_init(&o, EMZA_VERIFY_OPTIONS_VERSION);
    const char *data[] = {g_file};
    o.trust = trust;
    o.offline = 1;
    o.data_paths = data;
    o.data_count = 1;
    emza_report *report = NULL;
    double t0 = now_seconds();
    rc = emza_verify_file(&report, g_sig, &o);
    r->seconds = now_seconds() - t0;
    if (rc != EMZA_OK)
        die_emza("verifying", rc);
    r->ok = emza_report_signature_count(report) == 1;
    r->indication = r->ok ? (int)emza_signature_indication(emza_report_signature(report, 0)) : -1;
    emza_report_free(report);
    emza_trust_free(trust);
}

/* Runs one phase in a forked child; its time and peak RSS come back through a pipe. */
static phase run_child(const config *c, int verify, int *indication)
{
    int fds[2];
    if (pipe(fds) != 0)
        die("pipe");
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(fds[0]);
        child_result r = {0, 0, 0, -1};
        if (verify)
            child_verify(&r);
        else
            child_sign(c, &r);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        r.maxrss_kib = ru.ru_maxrss;
        if (write(fds[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
            _exit(1);
        _exit(0);
    }
    close(fds[1]);
    child_result r = {0, 0, 0, -1};
    ssize_t n = read(fds[0], &r, sizeof(r));
    close(fds[0]);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || n != (ssize_t)sizeof(r))
        die(verify ? "the verifying child failed" : "the signing child failed");
    if (indication != NULL)
        *indication = r.indication;
    return (phase){r.seconds, r.maxrss_kib, r.ok};
}

/* `openssl dgst -sha256 FILE` (output discarded); wall time around fork/exec/wait. */
static double run_openssl(const config *c)
{
    fflush(NULL);
    double t0 = now_seconds();
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (null >= 0)
            dup2(null, STDOUT_FILENO);
        char alg[32];
        snprintf(alg, sizeof(alg), "-%s", c->digest);
        execlp(c->openssl, c->openssl, "dgst", alg, g_file, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("openssl dgst failed (is the openssl tool installed?)");
    return now_seconds() - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void cleanup_files(const config *c)
{
    if (c->file == NULL && g_file[0] != '\0')
        unlink(g_file);
    unlink(g_sig);
    unlink(g_key);
    unlink(g_cert);
}

int main(int argc, char **argv)
{
    config c;
    parse_args(&c, argc, argv);
    if (emza_init() != EMZA_OK)
        die("emza_init failed");

    char workdir[4096];
    path_in(workdir, sizeof(workdir), c.dir, "emza-bench-XXXXXX");
    if (mkdtemp(workdir) == NULL)
        die("cannot make a directory for the benchmark");
    if (c.file != NULL)
        snprintf(g_file, sizeof(g_file), "%s", c.file);
    else
        path_in(g_file, sizeof(g_file), workdir, "big.bin");
    path_in(g_sig, sizeof(g_sig), workdir, "big.bin.p7s");
    path_in(g_key, sizeof(g_key), workdir, "signer.key.pem");
    path_in(g_cert, sizeof(g_cert), workdir, "signer.cert.pem");

    make_signer_files();
    if (c.file == NULL) {
        printf("making %ld MiB of %s in %s ...\n", c.size_mib,
               c.sparse ? "a sparse file" : "pseudo-random bytes", workdir);
        fflush(stdout);
        make_file(&c);
    }
    struct stat st;
    if (stat(g_file, &st) != 0)
        die("cannot stat the test file");
    double mib = (double)st.st_size / MIB;
    double warm = warm_cache();
    printf("file: %s, %.0f MiB; warm-up read %.2f s (%.0f MB/s)\n", g_file, mib, warm,
           mib / warm);

    struct rusage self;
    getrusage(RUSAGE_SELF, &self);
    double t_ossl[RUNS_MAX], t_sign[RUNS_MAX], t_verify[RUNS_MAX];
    long rss_sign = 0, rss_verify = 0;
    int indication = -1;
    for (int i = 0; i < c.runs; i++) {
        t_ossl[i] = run_openssl(&c);
        phase s = run_child(&c, 0, NULL);
        phase v = run_child(&c, 1, &indication);
        t_sign[i] = s.seconds;
        t_verify[i] = v.seconds;
        if (s.maxrss_kib > rss_sign)
            rss_sign = s.maxrss_kib;
        if (v.maxrss_kib > rss_verify)
            rss_verify = v.maxrss_kib;
        printf("run %d: openssl dgst %.3f s, emza sign %.3f s, emza verify %.3f s\n", i + 1,
               t_ossl[i], t_sign[i], t_verify[i]);
        fflush(stdout);
    }
    double mo = median(t_ossl, c.runs), ms = median(t_sign, c.runs), mv = median(t_verify, c.runs);
    double r_sign = mo / ms, r_verify = mo / mv;
    int met = r_sign >= TARGET_RATIO && r_verify >= TARGET_RATIO && rss_sign < TARGET_RSS_KIB &&
              rss_verify < TARGET_RSS_KIB;

    printf("\nCAdES detached, %s, %.0f MiB, median of %d run%s (MB = MiB)\n", c.digest, mib,
           c.runs, c.runs == 1 ? "" : "s");
    printf("  %-22s %9.1f MB/s\n", "openssl dgst", mib / mo);
    printf("  %-22s %9.1f MB/s  %5.1f%% of openssl   peak RSS %6.1f MB\n", "emza sign", mib / ms,
           100 * r_sign, rss_sign / 1024.0);
    printf("  %-22s %9.1f MB/s  %5.1f%% of openssl   peak RSS %6.1f MB\n", "emza verify",
           mib / mv, 100 * r_verify, rss_verify / 1024.0);
    printf("  bench process peak RSS before forking: %.1f MB (a child starts from the parent's\n"
           "  current RSS at fork, so its peak includes the pages it shares with the parent)\n",
           self.ru_maxrss / 1024.0);
    printf("  verification: %s\n", indication >= 0
                                       ? emza_indication_name((emza_indication)indication)
                                       : "no signature");
    printf("target (>= %.0f%% of openssl dgst, RSS < %d MB): %s\n", 100 * TARGET_RATIO,
           TARGET_RSS_KIB / 1024, met ? "met" : "MISSED");
    cleanup_files(&c);
    rmdir(workdir);
    return (c.strict && !met) ? 3 : 0;
}
