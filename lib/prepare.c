/*
 * Two-step signing (include/emza/prepare.h): prepare, keep the state, finalize.
 *
 * Both steps run the one signing flow (sign.c, emza__sign_run) with an
 * external signer (signer.c), so no format has a second code path:
 *  - prepare runs it dry (no output) with a callback that captures the digest
 *    the format asks to sign and stops the flow there (EMZA_ECANCELED, caught
 *    here), before any timestamp or write;
 *  - finalize runs it again with the same options, the claimed signing time
 *    and the XAdES Id seed of the state, and a callback that answers with the
 *    given signature only when it is asked to sign exactly the prepared
 *    digest with the prepared algorithm. The signer then checks the signature
 *    against the certificate, the format builds and self-checks the document,
 *    level T is applied, and the output is committed atomically.
 *
 * The state (docs/ARCHITECTURE.md, "Two-step signing") is JSON through
 * jansson, parsed strictly: every member known, present, typed and bounded.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <emza/core.h>
#include <emza/datetime.h>
#include <emza/prepare.h>

#include "cert_internal.h"
#include "crypto_policy.h"
#include "sign_internal.h"
#include "util/atomic_file.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/guard.h"
#include "util/hex.h"
#include "xmldsig.h" /* base64 */

/* Bytes of the random seed of the XAdES Ids. */
#define ID_SEED_LEN 32
/* Longest per-request network timeout a state may carry, in seconds. */
#define TIMEOUT_MAX 3600
#define SHA256_LEN 32
/* The member of a sealed state that holds its HMAC-SHA256, in hex. */
#define MAC_MEMBER "mac"
/* How the sealed bytes are written: compact, members sorted (docs/ARCHITECTURE.md). */
#define CANONICAL_FLAGS (JSON_COMPACT | JSON_SORT_KEYS)

/* The options kept as text, in the order of their JSON names. */
enum { TEXT_MIME, TEXT_ROLE, TEXT_CITY, TEXT_COUNTRY, TEXT_POLICY_OID, TEXT_POLICY_SHA256,
       TEXT_TSA, TEXT_COUNT };
static const char *const text_keys[TEXT_COUNT] = {
    "mimeType", "signerRole", "productionCity", "productionCountry", "policyOid", "policySha256",
    "tsaUrl"};

static const char *const level_names[] = {"B", "T", "LT", "LTA"}; /* by emza_level */

struct emza_prepared {
    emza_format format;
    emza_level level;
    const EVP_MD *md;
    int rsa_pss;
    int64_t signing_time;
    uint8_t id_seed[ID_SEED_LEN];
    emza_sign_mode mode;
    char *existing; /* parallel mode */
    uint8_t existing_sha256[SHA256_LEN];
    char *texts[TEXT_COUNT];
    int timeout_seconds;
    size_t input_count;
    char **inputs;
    uint8_t (*input_sha256)[SHA256_LEN];
    emza_cert *cert;
    emza_cert_list *chain;
    uint8_t digest[EVP_MAX_MD_SIZE];
    size_t digest_len;
    char signature_algorithm[EMZA_ALGORITHM_NAME_MAX];
};

void emza_prepared_free(emza_prepared *p)
{
    if (p == NULL)
        return;
    free(p->existing);
    for (size_t i = 0; i < TEXT_COUNT; i++)
        free(p->texts[i]);
    for (size_t i = 0; p->inputs != NULL && i < p->input_count; i++)
        free(p->inputs[i]);
    free(p->inputs);
    free(p->input_sha256);
    emza_cert_free(p->cert);
    emza_cert_list_free(p->chain);
    emza_wipe(p, sizeof(*p)); /* the Id seed */
    free(p);
}

/* ------------------------------------------------------------------------ */
/* getters                                                                   */
/* ------------------------------------------------------------------------ */

const uint8_t *emza_prepared_digest(const emza_prepared *p, size_t *out_len)
{
    if (out_len != NULL)
        *out_len = p ? p->digest_len : 0;
    return p ? p->digest : NULL;
}

const char *emza_prepared_digest_algorithm(const emza_prepared *p)
{
    return p ? emza__digest_name(EVP_MD_get_type(p->md)) : NULL;
}

const char *emza_prepared_signature_algorithm(const emza_prepared *p)
{
    return p ? p->signature_algorithm : NULL;
}

int64_t emza_prepared_signing_time(const emza_prepared *p)
{
    return p ? p->signing_time : 0;
}

const emza_cert *emza_prepared_cert(const emza_prepared *p)
{
    return p ? p->cert : NULL;
}

/* ------------------------------------------------------------------------ */
/* shared pieces                                                             */
/* ------------------------------------------------------------------------ */

/* A copy of `s` (NULL stays NULL) of at most EMZA_PREPARED_TEXT_MAX bytes. */
static int copy_text(char **out, const char *s, const char *what)
{
    *out = NULL;
    if (s == NULL)
        return EMZA_OK;
    size_t len = strlen(s);
    EMZA_ENSURE_MSG(len <= EMZA_PREPARED_TEXT_MAX, EMZA_ELIMIT,
                    "%s is longer than %d bytes", what, EMZA_PREPARED_TEXT_MAX);
    *out = malloc(len + 1);
    EMZA_ENSURE_MSG(*out != NULL, EMZA_ENOMEM, "out of memory");
    memcpy(*out, s, len + 1);
    return EMZA_OK;
}

static int sha256_file(uint8_t out[SHA256_LEN], const char *path)
{
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EMZA_GUARD(emza__digest_file(d, &len, NULL, path, EVP_sha256(), NULL, NULL));
    memcpy(out, d, SHA256_LEN);
    return EMZA_OK;
}

/* The report's name of the signature `p`'s key and options make ("rsa-pss-sha256"). */
static void expected_algorithm(char *buf, size_t size, const emza_cert *cert, const EVP_MD *md,
                               int rsa_pss)
{
    const EVP_PKEY *key = X509_get0_pubkey(emza__cert_x509(cert));
    int type = key ? EVP_PKEY_get_base_id(key) : NID_undef;
    emza__algorithm_name(buf, size, rsa_pss && type == EVP_PKEY_RSA ? EVP_PKEY_RSA_PSS : type,
                         EVP_MD_get_type(md));
}

/* The options of a finalize, from the state; strings are borrowed from `p`. */
static void options_of(emza_sign_options *o, const emza_prepared *p)
{
    emza_sign_options init = EMZA_SIGN_OPTIONS_INIT;
    *o = init;
    o->format = p->format;
    o->level = p->level;
    o->digest = emza__digest_name(EVP_MD_get_type(p->md));
    o->rsa_pss = p->rsa_pss;
    o->has_signing_time = 1;
    o->signing_time = p->signing_time;
    o->mode = p->mode;
    o->existing = p->existing;
    const char **slots[TEXT_COUNT] = {&o->mime_type,   &o->signer_role,   &o->production_city,
                                      &o->production_country, &o->policy_oid,
                                      &o->policy_sha256, &o->tsa_url};
    for (size_t i = 0; i < TEXT_COUNT; i++)
        *slots[i] = p->texts[i];
    o->timeout_seconds = p->timeout_seconds;
}

/* ------------------------------------------------------------------------ */
/* prepare                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct capture {
    int calls;
    char algorithm[EMZA_ALGORITHM_NAME_MAX];
    uint8_t digest[EVP_MAX_MD_SIZE];
    size_t digest_len;
} capture;

/* The external signer of prepare: keeps the digest and stops the flow. */
static int capture_digest(void *ctx, const char *algorithm, const uint8_t *digest,
                          size_t digest_len, uint8_t *signature, size_t signature_size,
                          size_t *signature_len)
{
    (void)signature;
    (void)signature_size;
    capture *c = ctx;
    *signature_len = 0;
    if (c->calls++ > 0 || digest_len > sizeof(c->digest) ||
        strlen(algorithm) >= sizeof(c->algorithm))
        return EMZA_EINTERNAL; /* one signature per prepared signing */
    memcpy(c->algorithm, algorithm, strlen(algorithm) + 1);
    memcpy(c->digest, digest, digest_len);
    c->digest_len = digest_len;
    return EMZA_ECANCELED; /* nothing after the signature runs: no timestamp, no output */
}

/* Copies the options and inputs `p` keeps, and hashes the files. */
static int keep_options(emza_prepared *p, const emza_sign_options *opts,
                        const char *const *inputs, size_t input_count)
{
    p->format = opts->format;
    p->level = opts->level;
    p->rsa_pss = opts->rsa_pss != 0;
    p->mode = opts->mode;
    p->timeout_seconds = opts->timeout_seconds;
    EMZA_ENSURE_MSG(opts->timeout_seconds >= 0 && opts->timeout_seconds <= TIMEOUT_MAX,
                    EMZA_EINVAL, "timeout_seconds must be 0 to %d", TIMEOUT_MAX);
    const char *const *slots[TEXT_COUNT] = {&opts->mime_type,   &opts->signer_role,
                                            &opts->production_city, &opts->production_country,
                                            &opts->policy_oid,  &opts->policy_sha256,
                                            &opts->tsa_url};
    for (size_t i = 0; i < TEXT_COUNT; i++)
        EMZA_GUARD(copy_text(&p->texts[i], *slots[i], text_keys[i]));
    if (opts->existing != NULL) {
        EMZA_GUARD(copy_text(&p->existing, opts->existing, "the existing signature's path"));
        EMZA_GUARD(sha256_file(p->existing_sha256, opts->existing));
    }
    p->inputs = calloc(input_count, sizeof(*p->inputs));
    p->input_sha256 = calloc(input_count, sizeof(*p->input_sha256));
    EMZA_ENSURE_MSG(p->inputs != NULL && p->input_sha256 != NULL, EMZA_ENOMEM, "out of memory");
    p->input_count = input_count;
    for (size_t i = 0; i < input_count; i++) {
        EMZA_ENSURE_MSG(inputs[i] != NULL, EMZA_EINVAL, "input %zu is NULL", i + 1);
        EMZA_GUARD(copy_text(&p->inputs[i], inputs[i], "an input path"));
        EMZA_GUARD(sha256_file(p->input_sha256[i], inputs[i]));
    }
    return EMZA_OK;
}

static int keep_certs(emza_prepared *p, const emza_cert *cert, const emza_cert_list *chain)
{
    size_t count = chain ? emza_cert_list_count(chain) : 0;
    EMZA_ENSURE_MSG(count <= EMZA_PREPARED_CHAIN_MAX, EMZA_ELIMIT,
                    "a chain of more than %d certificates", EMZA_PREPARED_CHAIN_MAX);
    p->cert = emza_cert_dup(cert);
    EMZA_ENSURE_MSG(p->cert != NULL, EMZA_ENOMEM, "out of memory");
    EMZA_GUARD(emza_cert_list_new(&p->chain));
    for (size_t i = 0; i < count; i++)
        EMZA_GUARD(emza_cert_list_add(p->chain, emza_cert_list_get(chain, i)));
    return EMZA_OK;
}

static int prepare(emza_prepared *p, const emza_cert *cert, const emza_cert_list *chain,
                   const emza_sign_options *opts, const char *const *inputs, size_t input_count)
{
    EMZA_ENSURE_MSG(opts->mode != EMZA_SIGN_COUNTERSIGN, EMZA_EUNSUPPORTED,
                    "countersignatures cannot be prepared: they make one signature per existing "
                    "signer");
    p->md = emza__digest_for_signing(opts->digest);
    EMZA_ENSURE_MSG(p->md != NULL, EMZA_EINVAL,
                    "digest %s is not one emza signs with (sha256, sha384, sha512)", opts->digest);
    EMZA_ENSURE_MSG(input_count <= EMZA_PREPARED_INPUTS_MAX, EMZA_ELIMIT,
                    "at most %d input files", EMZA_PREPARED_INPUTS_MAX);
    p->signing_time = opts->has_signing_time ? opts->signing_time : (int64_t)time(NULL);
    EMZA_GUARD_OSSL(RAND_bytes(p->id_seed, sizeof(p->id_seed)), EMZA_ECRYPTO);
    EMZA_GUARD(keep_certs(p, cert, chain));
    EMZA_GUARD(keep_options(p, opts, inputs, input_count));

    emza_sign_options o;
    options_of(&o, p);
    o.progress = opts->progress;
    o.progress_ctx = opts->progress_ctx;
    capture c;
    memset(&c, 0, sizeof(c));
    emza_signer *signer = NULL;
    EMZA_GUARD(emza_signer_new_external(&signer, p->cert, p->chain, capture_digest, &c));
    int rc = emza__sign_run(signer, &o, inputs, input_count, NULL, p->id_seed, sizeof(p->id_seed));
    emza_signer_free(signer);
    if (rc == EMZA_OK)
        EMZA_FAIL(EMZA_EINTERNAL, "the signing flow ended without asking for a signature");
    if (rc != EMZA_ECANCELED || c.calls != 1)
        return rc; /* the flow's own error, recorded */
    emza_error_clear();
    expected_algorithm(p->signature_algorithm, sizeof(p->signature_algorithm), p->cert, p->md,
                       p->rsa_pss);
    EMZA_ENSURE_MSG(strcmp(p->signature_algorithm, c.algorithm) == 0 &&
                        c.digest_len == (size_t)EVP_MD_get_size(p->md),
                    EMZA_EINTERNAL, "the flow asked for %s, not %s", c.algorithm,
                    p->signature_algorithm);
    memcpy(p->digest, c.digest, c.digest_len);
    p->digest_len = c.digest_len;
    return EMZA_OK;
}

int emza_sign_prepare(emza_prepared **out, const emza_cert *cert, const emza_cert_list *chain,
                      const emza_sign_options *opts, const char *const *inputs,
                      size_t input_count)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(cert != NULL && opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE(inputs != NULL || input_count == 0, EMZA_EINVAL);
    EMZA_ENSURE_MSG(opts->version == EMZA_SIGN_OPTIONS_VERSION, EMZA_EVERSION,
                    "sign options version %u is not supported (this library knows %u)",
                    opts->version, EMZA_SIGN_OPTIONS_VERSION);
    EMZA_GUARD(emza_init());
    emza_prepared *p = calloc(1, sizeof(*p));
    EMZA_ENSURE_MSG(p != NULL, EMZA_ENOMEM, "out of memory");
    int rc = prepare(p, cert, chain, opts, inputs, input_count);
    if (rc < 0) {
        emza_prepared_free(p);
        return rc;
    }
    *out = p;
    return EMZA_OK;
}

/* ------------------------------------------------------------------------ */
/* finalize                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct answer {
    const emza_prepared *p;
    const uint8_t *signature;
    size_t len;
    int calls;
    int mismatch;
} answer;

/* The external signer of finalize: the given signature, for the prepared digest only. */
static int answer_signature(void *ctx, const char *algorithm, const uint8_t *digest,
                            size_t digest_len, uint8_t *signature, size_t signature_size,
                            size_t *signature_len)
{
    answer *a = ctx;
    const emza_prepared *p = a->p;
    *signature_len = 0;
    if (a->calls++ > 0 || strcmp(algorithm, p->signature_algorithm) != 0 ||
        digest_len != p->digest_len || memcmp(digest, p->digest, digest_len) != 0) {
        a->mismatch = 1;
        return EMZA_EFORMAT;
    }
    if (a->len > signature_size)
        return EMZA_ELIMIT;
    memcpy(signature, a->signature, a->len);
    *signature_len = a->len;
    return EMZA_OK;
}

/* Every input (and the existing signature) is the file that was prepared. */
static int check_unchanged(const emza_prepared *p)
{
    uint8_t d[SHA256_LEN];
    for (size_t i = 0; i < p->input_count; i++) {
        EMZA_GUARD(sha256_file(d, p->inputs[i]));
        EMZA_ENSURE_MSG(memcmp(d, p->input_sha256[i], SHA256_LEN) == 0, EMZA_EINVAL,
                        "%s changed since the signing was prepared: prepare it again",
                        p->inputs[i]);
    }
    if (p->existing != NULL) {
        EMZA_GUARD(sha256_file(d, p->existing));
        EMZA_ENSURE_MSG(memcmp(d, p->existing_sha256, SHA256_LEN) == 0, EMZA_EINVAL,
                        "%s changed since the signing was prepared: prepare it again",
                        p->existing);
    }
    return EMZA_OK;
}

int emza_sign_finalize(const emza_prepared *p, const uint8_t *signature, size_t len,
                       const char *output_path)
{
    EMZA_ENSURE(p != NULL && signature != NULL && output_path != NULL, EMZA_EINVAL);
    EMZA_ENSURE_MSG(len > 0, EMZA_EINVAL, "the signature is empty");
    EMZA_ENSURE_MSG(len <= EMZA_SIGNATURE_MAX, EMZA_ELIMIT,
                    "a signature of %zu bytes (at most %d)", len, EMZA_SIGNATURE_MAX);
    EMZA_GUARD(emza_init());
    EMZA_GUARD(check_unchanged(p));

    emza_sign_options o;
    options_of(&o, p);
    answer a = {p, signature, len, 0, 0};
    emza_signer *signer = NULL;
    EMZA_GUARD(emza_signer_new_external(&signer, p->cert, p->chain, answer_signature, &a));
    const char *const *inputs = (const char *const *)p->inputs;
    int rc = emza__sign_run(signer, &o, inputs, p->input_count, output_path, p->id_seed,
                            sizeof(p->id_seed));
    emza_signer_free(signer);
    if (rc < 0 && a.mismatch)
        EMZA_FAIL(EMZA_EFORMAT,
                  "the prepared state does not agree with itself: its inputs are unchanged but "
                  "no longer give its digest (an altered state, or one from another version of "
                  "libemza): nothing was written");
    return rc;
}

/* ------------------------------------------------------------------------ */
/* the state as JSON                                                         */
/* ------------------------------------------------------------------------ */

/* Sets obj[key] = value (stolen); -1 when value is NULL or the set fails. */
static int put(json_t *obj, const char *key, json_t *value)
{
    return value != NULL && json_object_set_new(obj, key, value) == 0 ? 0 : -1;
}

static json_t *json_text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *json_hex(const uint8_t *data, size_t len)
{
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    if (len > EVP_MAX_MD_SIZE)
        return NULL;
    emza__hex_encode(hex, data, len);
    return json_string(hex);
}

static json_t *json_base64(const uint8_t *data, size_t len)
{
    emza_buf b;
    emza__buf_init(&b, 2 * EMZA_CERT_DER_MAX);
    json_t *j = NULL;
    if (emza__base64_encode(&b, data, len) == EMZA_OK)
        j = json_stringn(b.data ? (const char *)b.data : "", b.len);
    emza__buf_free(&b);
    return j;
}

static json_t *json_cert(const emza_cert *cert)
{
    size_t len = 0;
    const uint8_t *der = emza_cert_der(cert, &len);
    return json_base64(der, len);
}

static json_t *json_file(const char *path, const uint8_t sha256[SHA256_LEN])
{
    json_t *f = json_object();
    if (f != NULL && (put(f, "path", json_string(path)) | put(f, "sha256", json_hex(sha256, 32)))) {
        json_decref(f);
        return NULL;
    }
    return f;
}

static json_t *to_json(const emza_prepared *p)
{
    char when[EMZA_TIME_TEXT_SIZE];
    if (emza_time_format(when, sizeof(when), p->signing_time) != EMZA_OK)
        return NULL;
    json_t *root = json_object(), *opts = json_object(), *inputs = json_array(),
           *chain = json_array();
    int bad = root == NULL || opts == NULL || inputs == NULL || chain == NULL;
    for (size_t i = 0; !bad && i < TEXT_COUNT; i++)
        bad |= put(opts, text_keys[i], json_text_or_null(p->texts[i]));
    bad |= !bad && put(opts, "timeoutSeconds", json_integer(p->timeout_seconds));
    for (size_t i = 0; !bad && i < p->input_count; i++)
        bad |= json_array_append_new(inputs, json_file(p->inputs[i], p->input_sha256[i])) != 0;
    for (size_t i = 0; !bad && i < emza_cert_list_count(p->chain); i++)
        bad |= json_array_append_new(chain, json_cert(emza_cert_list_get(p->chain, i))) != 0;
    if (!bad) {
        bad |= put(root, "emzaPrepared", json_integer(EMZA_PREPARED_FORMAT_VERSION));
        bad |= put(root, "format", json_string(emza_format_name(p->format)));
        bad |= put(root, "level", json_string(level_names[p->level]));
        bad |= put(root, "digestAlgorithm", json_string(emza_prepared_digest_algorithm(p)));
        bad |= put(root, "signatureAlgorithm", json_string(p->signature_algorithm));
        bad |= put(root, "signingTime", json_string(when));
        bad |= put(root, "idSeed", json_hex(p->id_seed, sizeof(p->id_seed)));
        bad |= put(root, "mode", json_string(p->mode == EMZA_SIGN_PARALLEL ? "parallel" : "new"));
        bad |= put(root, "existing",
                   p->existing ? json_file(p->existing, p->existing_sha256) : json_null());
        bad |= put(root, "options", opts);
        bad |= put(root, "inputs", inputs);
        bad |= put(root, "certificate", json_cert(p->cert));
        bad |= put(root, "chain", chain);
        bad |= put(root, "digest", json_hex(p->digest, p->digest_len));
        opts = inputs = chain = NULL; /* stolen by root, set or not */
    }
    json_decref(opts);
    json_decref(inputs);
    json_decref(chain);
    if (bad) {
        json_decref(root);
        return NULL;
    }
    return root;
}

/* A sealing key is EMZA_PREPARED_KEY_MIN to EMZA_PREPARED_KEY_MAX bytes. */
static int check_key(const void *key, size_t key_len)
{
    EMZA_ENSURE_MSG(key != NULL && key_len >= EMZA_PREPARED_KEY_MIN, EMZA_EINVAL,
                    "a state key of %zu bytes: at least %d are needed", key ? key_len : 0,
                    EMZA_PREPARED_KEY_MIN);
    EMZA_ENSURE_MSG(key_len <= EMZA_PREPARED_KEY_MAX, EMZA_ELIMIT,
                    "a state key of %zu bytes: at most %d", key_len, EMZA_PREPARED_KEY_MAX);
    return EMZA_OK;
}

/*
 * The seal of `root` (a state without its "mac"): HMAC-SHA256 with `key` of
 * its canonical text, jansson's compact dump with the members sorted, so the
 * seal does not depend on the member order or the whitespace of the text.
 */
static int seal_of(uint8_t mac[SHA256_LEN], const json_t *root, const void *key, size_t key_len)
{
    char *text = json_dumps(root, CANONICAL_FLAGS);
    EMZA_ENSURE_MSG(text != NULL, EMZA_ENOMEM, "out of memory");
    size_t mac_len = 0;
    unsigned char *r = EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, key_len,
                                 (const unsigned char *)text, strlen(text), mac, SHA256_LEN,
                                 &mac_len);
    free(text);
    EMZA_ENSURE_MSG(r != NULL && mac_len == SHA256_LEN, EMZA_ECRYPTO,
                    "HMAC-SHA256 is not available");
    return EMZA_OK;
}

/* The state as JSON text; sealed (a "mac" member) when `key` is not NULL. */
static int dump_state(char **out, const emza_prepared *p, const void *key, size_t key_len)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(p != NULL, EMZA_EINVAL);
    if (key != NULL || key_len != 0)
        EMZA_GUARD(check_key(key, key_len));
    json_t *root = to_json(p);
    EMZA_ENSURE_MSG(root != NULL, EMZA_ENOMEM, "out of memory");
    if (key != NULL) {
        uint8_t mac[SHA256_LEN];
        int rc = seal_of(mac, root, key, key_len);
        if (rc == EMZA_OK && put(root, MAC_MEMBER, json_hex(mac, sizeof(mac))) != 0)
            rc = emza__error_set(EMZA_ENOMEM, __FILE__, __LINE__, "out of memory");
        emza_wipe(mac, sizeof(mac));
        if (rc != EMZA_OK) {
            json_decref(root);
            return rc;
        }
    }
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    EMZA_ENSURE_MSG(text != NULL, EMZA_ENOMEM, "out of memory");
    /* jansson's allocator is malloc: emza_free releases it. */
    *out = text;
    return EMZA_OK;
}

int emza_prepared_to_json(char **out, const emza_prepared *p)
{
    return dump_state(out, p, NULL, 0);
}

int emza_prepared_to_json_sealed(char **out, const emza_prepared *p, const void *key,
                                 size_t key_len)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE_MSG(key != NULL, EMZA_EINVAL, "no state key");
    return dump_state(out, p, key, key_len);
}

static int save_state(const emza_prepared *p, const char *path, const void *key, size_t key_len)
{
    EMZA_ENSURE(p != NULL && path != NULL, EMZA_EINVAL);
    char *text = NULL;
    EMZA_GUARD(dump_state(&text, p, key, key_len));
    emza__atomic_file f;
    int rc = emza__atomic_open(&f, path);
    if (rc == EMZA_OK) {
        rc = emza__atomic_write(&f, text, strlen(text));
        if (rc == EMZA_OK)
            rc = emza__atomic_write(&f, "\n", 1);
        if (rc == EMZA_OK)
            rc = emza__atomic_commit(&f);
        else
            emza__atomic_abort(&f);
    }
    free(text);
    return rc;
}

int emza_prepared_save(const emza_prepared *p, const char *path)
{
    return save_state(p, path, NULL, 0);
}

int emza_prepared_save_sealed(const emza_prepared *p, const char *path, const void *key,
                              size_t key_len)
{
    EMZA_ENSURE_MSG(key != NULL, EMZA_EINVAL, "no state key");
    return save_state(p, path, key, key_len);
}

/* ------------------------------------------------------------------------ */
/* reading a state: untrusted input                                          */
/* ------------------------------------------------------------------------ */

/* obj[key], which must be present (any type; the caller checks it). */
static int member(const json_t *obj, const char *key, json_t **out)
{
    *out = json_object_get(obj, key);
    EMZA_ENSURE_MSG(*out != NULL, EMZA_EFORMAT, "not a prepared signing: \"%s\" is missing", key);
    return EMZA_OK;
}

/* obj has only the members in `keys` (NULL-terminated). */
static int only_members(const json_t *obj, const char *const *keys, const char *where)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)(uintptr_t)obj, key, value) {
        (void)value;
        size_t i = 0;
        while (keys[i] != NULL && strcmp(keys[i], key) != 0)
            i++;
        EMZA_ENSURE_MSG(keys[i] != NULL, EMZA_EFORMAT, "not a prepared signing: unknown member "
                                                       "\"%.64s\" in %s", key, where);
    }
    return EMZA_OK;
}

/* A string member of at most EMZA_PREPARED_TEXT_MAX bytes (`nullable`: null gives NULL). */
static int text_member(const json_t *obj, const char *key, int nullable, const char **out)
{
    json_t *v;
    EMZA_GUARD(member(obj, key, &v));
    *out = NULL;
    if (nullable && json_is_null(v))
        return EMZA_OK;
    EMZA_ENSURE_MSG(json_is_string(v), EMZA_EFORMAT, "not a prepared signing: \"%s\" is not %s",
                    key, nullable ? "a string or null" : "a string");
    EMZA_ENSURE_MSG(json_string_length(v) <= EMZA_PREPARED_TEXT_MAX, EMZA_ELIMIT,
                    "prepared signing: \"%s\" is longer than %d bytes", key,
                    EMZA_PREPARED_TEXT_MAX);
    *out = json_string_value(v);
    return EMZA_OK;
}

static int hex_member(const json_t *obj, const char *key, uint8_t *out, size_t len)
{
    const char *text;
    EMZA_GUARD(text_member(obj, key, 0, &text));
    EMZA_ENSURE_MSG(emza__hex_decode_exact(out, len, text), EMZA_EFORMAT,
                    "not a prepared signing: \"%s\" is not %zu hex digits", key, 2 * len);
    return EMZA_OK;
}

/* One of `names` (`count` of them); its index goes to *out. */
static int name_member(const json_t *obj, const char *key, const char *const *names,
                       size_t count, size_t *out)
{
    const char *text;
    EMZA_GUARD(text_member(obj, key, 0, &text));
    for (size_t i = 0; i < count; i++) {
        if (names[i] != NULL && strcmp(names[i], text) == 0) {
            *out = i;
            return EMZA_OK;
        }
    }
    EMZA_FAIL(EMZA_EFORMAT, "not a prepared signing: unknown \"%s\"", key);
}

static int cert_of(const json_t *v, emza_cert **out, const char *what)
{
    *out = NULL;
    EMZA_ENSURE_MSG(json_is_string(v), EMZA_EFORMAT, "not a prepared signing: %s is not a string",
                    what);
    emza_buf der;
    int rc = emza__base64_decode(&der, json_string_value(v), json_string_length(v),
                                 EMZA_CERT_DER_MAX);
    if (rc == EMZA_OK)
        rc = der.len > 0 ? emza_cert_parse(out, der.data, der.len)
                         : emza__error_set(EMZA_EFORMAT, __FILE__, __LINE__, "empty");
    emza__buf_free(&der);
    if (rc == EMZA_EFORMAT || rc == EMZA_ELIMIT)
        return emza__error_prefix("prepared signing: %s", what);
    return rc;
}

static int file_of(const json_t *v, char **path, uint8_t sha256[SHA256_LEN], const char *what)
{
    static const char *const keys[] = {"path", "sha256", NULL};
    EMZA_ENSURE_MSG(json_is_object(v), EMZA_EFORMAT, "not a prepared signing: %s is not an object",
                    what);
    EMZA_GUARD(only_members(v, keys, what));
    const char *text;
    EMZA_GUARD(text_member(v, "path", 0, &text));
    EMZA_ENSURE_MSG(text[0] != '\0', EMZA_EFORMAT, "not a prepared signing: %s has no path", what);
    EMZA_GUARD(hex_member(v, "sha256", sha256, SHA256_LEN));
    return copy_text(path, text, what);
}

static int read_options(emza_prepared *p, const json_t *root)
{
    static const char *const keys[] = {"mimeType",  "signerRole",   "productionCity",
                                       "productionCountry", "policyOid", "policySha256",
                                       "tsaUrl",    "timeoutSeconds", NULL};
    json_t *o;
    EMZA_GUARD(member(root, "options", &o));
    EMZA_ENSURE_MSG(json_is_object(o), EMZA_EFORMAT, "not a prepared signing: \"options\" is not "
                                                     "an object");
    EMZA_GUARD(only_members(o, keys, "\"options\""));
    for (size_t i = 0; i < TEXT_COUNT; i++) {
        const char *text;
        EMZA_GUARD(text_member(o, text_keys[i], 1, &text));
        EMZA_GUARD(copy_text(&p->texts[i], text, text_keys[i]));
    }
    json_t *t;
    EMZA_GUARD(member(o, "timeoutSeconds", &t));
    EMZA_ENSURE_MSG(json_is_integer(t) && json_integer_value(t) >= 0 &&
                        json_integer_value(t) <= TIMEOUT_MAX,
                    EMZA_EFORMAT, "not a prepared signing: \"timeoutSeconds\" is not 0 to %d",
                    TIMEOUT_MAX);
    p->timeout_seconds = (int)json_integer_value(t);
    return EMZA_OK;
}

static int read_files(emza_prepared *p, const json_t *root)
{
    json_t *v;
    EMZA_GUARD(member(root, "inputs", &v));
    EMZA_ENSURE_MSG(json_is_array(v) && json_array_size(v) > 0, EMZA_EFORMAT,
                    "not a prepared signing: \"inputs\" is not a list of files");
    size_t n = json_array_size(v);
    EMZA_ENSURE_MSG(n <= EMZA_PREPARED_INPUTS_MAX, EMZA_ELIMIT,
                    "prepared signing: more than %d inputs", EMZA_PREPARED_INPUTS_MAX);
    p->inputs = calloc(n, sizeof(*p->inputs));
    p->input_sha256 = calloc(n, sizeof(*p->input_sha256));
    EMZA_ENSURE_MSG(p->inputs != NULL && p->input_sha256 != NULL, EMZA_ENOMEM, "out of memory");
    p->input_count = n;
    for (size_t i = 0; i < n; i++)
        EMZA_GUARD(file_of(json_array_get(v, i), &p->inputs[i], p->input_sha256[i], "an input"));

    size_t mode = 0;
    static const char *const modes[] = {"new", "parallel"};
    EMZA_GUARD(name_member(root, "mode", modes, 2, &mode));
    p->mode = mode == 0 ? EMZA_SIGN_NEW : EMZA_SIGN_PARALLEL;
    EMZA_GUARD(member(root, "existing", &v));
    EMZA_ENSURE_MSG(json_is_null(v) == (p->mode == EMZA_SIGN_NEW), EMZA_EFORMAT,
                    "not a prepared signing: \"existing\" goes with the parallel mode only");
    if (!json_is_null(v))
        EMZA_GUARD(file_of(v, &p->existing, p->existing_sha256, "\"existing\""));
    return EMZA_OK;
}

static int read_certs(emza_prepared *p, const json_t *root)
{
    json_t *v;
    EMZA_GUARD(member(root, "certificate", &v));
    EMZA_GUARD(cert_of(v, &p->cert, "the certificate"));
    EMZA_GUARD(member(root, "chain", &v));
    EMZA_ENSURE_MSG(json_is_array(v), EMZA_EFORMAT, "not a prepared signing: \"chain\" is not a "
                                                    "list");
    EMZA_ENSURE_MSG(json_array_size(v) <= EMZA_PREPARED_CHAIN_MAX, EMZA_ELIMIT,
                    "prepared signing: a chain of more than %d certificates",
                    EMZA_PREPARED_CHAIN_MAX);
    EMZA_GUARD(emza_cert_list_new(&p->chain));
    for (size_t i = 0; i < json_array_size(v); i++) {
        emza_cert *c = NULL;
        EMZA_GUARD(cert_of(json_array_get(v, i), &c, "a chain certificate"));
        int rc = emza_cert_list_add(p->chain, c);
        emza_cert_free(c);
        EMZA_GUARD(rc);
    }
    return EMZA_OK;
}

static int read_signing(emza_prepared *p, const json_t *root)
{
    size_t format = 0, level = 0, digest = 0;
    static const char *const formats[] = {NULL, "xades-enveloped", "xades-detached",
                                          "xades-enveloping", "cades-detached", "cades-attached"};
    static const char *const digests[] = {"sha256", "sha384", "sha512"};
    EMZA_GUARD(name_member(root, "format", formats, EMZA_ARRAY_LEN(formats), &format));
    EMZA_GUARD(name_member(root, "level", level_names, EMZA_ARRAY_LEN(level_names), &level));
    EMZA_GUARD(name_member(root, "digestAlgorithm", digests, EMZA_ARRAY_LEN(digests), &digest));
    p->format = emza_format_from_name(formats[format]);
    p->level = (emza_level)level;
    p->md = emza__digest_for_signing(digests[digest]);
    EMZA_ENSURE(p->md != NULL, EMZA_EINTERNAL);

    const char *text;
    EMZA_GUARD(text_member(root, "signatureAlgorithm", 0, &text));
    p->rsa_pss = strncmp(text, "rsa-pss-", 8) == 0;
    expected_algorithm(p->signature_algorithm, sizeof(p->signature_algorithm), p->cert, p->md,
                       p->rsa_pss);
    EMZA_ENSURE_MSG(strcmp(text, p->signature_algorithm) == 0, EMZA_EFORMAT,
                    "not a prepared signing: \"signatureAlgorithm\" is not what the "
                    "certificate's key makes with %s (%s)",
                    digests[digest], p->signature_algorithm);
    EMZA_GUARD(text_member(root, "signingTime", 0, &text));
    EMZA_ENSURE_MSG(emza_time_parse(&p->signing_time, text) == EMZA_OK, EMZA_EFORMAT,
                    "not a prepared signing: \"signingTime\" is not an ISO 8601 UTC time");
    EMZA_GUARD(hex_member(root, "idSeed", p->id_seed, sizeof(p->id_seed)));
    p->digest_len = (size_t)EVP_MD_get_size(p->md);
    return hex_member(root, "digest", p->digest, p->digest_len);
}

static int read_state(emza_prepared *p, const json_t *root)
{
    static const char *const keys[] = {
        "emzaPrepared", "format", "level",   "digestAlgorithm", "signatureAlgorithm",
        "signingTime",  "idSeed", "mode",    "existing",        "options",
        "inputs",       "certificate", "chain", "digest",       NULL};
    EMZA_ENSURE_MSG(json_is_object(root), EMZA_EFORMAT, "not a prepared signing: not a JSON "
                                                        "object");
    json_t *v;
    EMZA_GUARD(member(root, "emzaPrepared", &v));
    EMZA_ENSURE_MSG(json_is_integer(v) &&
                        json_integer_value(v) == EMZA_PREPARED_FORMAT_VERSION,
                    EMZA_EFORMAT, "a prepared signing of a format version this library does not "
                                  "read (it reads %d)", EMZA_PREPARED_FORMAT_VERSION);
    EMZA_GUARD(only_members(root, keys, "the state"));
    EMZA_GUARD(read_certs(p, root));
    EMZA_GUARD(read_signing(p, root));
    EMZA_GUARD(read_options(p, root));
    return read_files(p, root);
}

/*
 * The seal of `root` (untrusted, an object): with a key, its "mac" must be the
 * HMAC of the rest (removed from `root` then); without one, it has none.
 * Every refusal is EMZA_ECRYPTO, checked before anything else is read.
 */
static int check_seal(json_t *root, const void *key, size_t key_len)
{
    json_t *v = json_object_get(root, MAC_MEMBER);
    if (key == NULL) {
        EMZA_ENSURE_MSG(v == NULL, EMZA_ECRYPTO,
                        "a sealed prepared signing: it is read with its state key only");
        return EMZA_OK;
    }
    EMZA_ENSURE_MSG(v != NULL, EMZA_ECRYPTO,
                    "the prepared signing is not sealed (no \"" MAC_MEMBER "\"): refused");
    uint8_t given[SHA256_LEN], mac[SHA256_LEN];
    int ok = json_is_string(v) && emza__hex_decode_exact(given, sizeof(given),
                                                         json_string_value(v));
    /* The MAC is checked only over what is left; `v` is freed with the member. */
    EMZA_ENSURE(json_object_del(root, MAC_MEMBER) == 0, EMZA_EINTERNAL);
    int rc = seal_of(mac, root, key, key_len);
    if (rc == EMZA_OK && (!ok || CRYPTO_memcmp(given, mac, sizeof(mac)) != 0))
        rc = emza__error_set(EMZA_ECRYPTO, __FILE__, __LINE__,
                             "the seal of the prepared signing does not match: altered, or "
                             "sealed with another key");
    emza_wipe(mac, sizeof(mac));
    emza_wipe(given, sizeof(given));
    return rc;
}

static int parse_state(emza_prepared **out, const void *data, size_t len, const void *key,
                       size_t key_len)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(data != NULL || len == 0, EMZA_EINVAL);
    if (key != NULL || key_len != 0)
        EMZA_GUARD(check_key(key, key_len));
    EMZA_ENSURE_MSG(len <= EMZA_PREPARED_FILE_MAX, EMZA_ELIMIT,
                    "a prepared signing of more than %d bytes", EMZA_PREPARED_FILE_MAX);
    EMZA_GUARD(emza_init());
    json_error_t jerr;
    /* Duplicate members are refused; NUL inside strings too (jansson's default). */
    json_t *root = json_loadb(data ? data : "", len, JSON_REJECT_DUPLICATES, &jerr);
    EMZA_ENSURE_MSG(root != NULL, EMZA_EFORMAT, "not a prepared signing: %s (line %d)", jerr.text,
                    jerr.line);
    int rc = json_is_object(root)
                 ? check_seal(root, key, key_len)
                 : emza__error_set(EMZA_EFORMAT, __FILE__, __LINE__,
                                   "not a prepared signing: not a JSON object");
    emza_prepared *p = NULL;
    if (rc == EMZA_OK) {
        p = calloc(1, sizeof(*p));
        rc = p != NULL ? read_state(p, root)
                       : emza__error_set(EMZA_ENOMEM, __FILE__, __LINE__, "out of memory");
    }
    json_decref(root);
    if (rc < 0) {
        emza_prepared_free(p);
        return rc;
    }
    *out = p;
    return EMZA_OK;
}

int emza_prepared_from_json(emza_prepared **out, const void *data, size_t len)
{
    return parse_state(out, data, len, NULL, 0);
}

int emza_prepared_from_json_sealed(emza_prepared **out, const void *data, size_t len,
                                   const void *key, size_t key_len)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE_MSG(key != NULL, EMZA_EINVAL, "no state key");
    return parse_state(out, data, len, key, key_len);
}

static int load_state(emza_prepared **out, const char *path, const void *key, size_t key_len)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(path != NULL, EMZA_EINVAL);
    if (key != NULL || key_len != 0)
        EMZA_GUARD(check_key(key, key_len));
    emza_buf bytes;
    EMZA_GUARD(emza__file_read(&bytes, path, EMZA_PREPARED_FILE_MAX));
    int rc = parse_state(out, bytes.data, bytes.len, key, key_len);
    emza__buf_free(&bytes);
    if (rc == EMZA_EFORMAT || rc == EMZA_ELIMIT || rc == EMZA_ECRYPTO)
        return emza__error_prefix("%s", path);
    return rc;
}

int emza_prepared_load(emza_prepared **out, const char *path)
{
    return load_state(out, path, NULL, 0);
}

int emza_prepared_load_sealed(emza_prepared **out, const char *path, const void *key,
                              size_t key_len)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE_MSG(key != NULL, EMZA_EINVAL, "no state key");
    return load_state(out, path, key, key_len);
}
