/*
 * Citizen authentication by challenge and signed response (include/emza/auth.h,
 * docs/AUTH.md): challenges, origins, making tokens and verifying them. The
 * replay cache is lib/auth_replay.c.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <emza/auth.h>
#include <emza/core.h>

#include "auth_internal.h"
#include "cert_internal.h"
#include "crypto_policy.h"
#include "signer_internal.h"
#include "util/base64.h"
#include "util/digest.h"
#include "util/guard.h"
#include "util/sigvalue.h"

/* Longest nonce text: base64 of EMZA_AUTH_NONCE_MAX_BYTES. */
#define NONCE_TEXT_MAX (4 * ((EMZA_AUTH_NONCE_MAX_BYTES + 2) / 3))
/* Longest signature text in a token: base64 of EMZA_AUTH_SIGNATURE_MAX. */
#define SIGNATURE_TEXT_MAX (4 * ((EMZA_AUTH_SIGNATURE_MAX + 2) / 3))
/* The fields of a token, all strings; no other field is allowed. */
#define TOKEN_FIELDS 5

/* ======================================================================== */
/* challenges                                                                */
/* ======================================================================== */

struct emza_auth_challenge {
    char nonce[NONCE_TEXT_MAX + 1];
    int64_t issued_at;
    unsigned lifetime;
};

static int check_lifetime(unsigned *lifetime)
{
    if (*lifetime == 0)
        *lifetime = EMZA_AUTH_LIFETIME_DEFAULT;
    EMZA_ENSURE_MSG(*lifetime <= EMZA_AUTH_LIFETIME_MAX, EMZA_EINVAL,
                    "a challenge lifetime of %u s is longer than the maximum of %u s", *lifetime,
                    EMZA_AUTH_LIFETIME_MAX);
    return EMZA_OK;
}

/* A nonce text is strict base64 of EMZA_AUTH_NONCE_MIN_BYTES..MAX_BYTES bytes. */
static int check_nonce(const char *nonce)
{
    EMZA_ENSURE_MSG(nonce != NULL, EMZA_EINVAL, "the nonce is missing");
    size_t len = strnlen(nonce, NONCE_TEXT_MAX + 1);
    EMZA_ENSURE_MSG(len <= NONCE_TEXT_MAX, EMZA_EINVAL,
                    "the nonce is longer than %d characters", NONCE_TEXT_MAX);
    emza_buf raw;
    int rc = emza__base64_decode_strict(&raw, nonce, len, EMZA_AUTH_NONCE_MAX_BYTES);
    size_t got = raw.len;
    emza__buf_free(&raw);
    if (rc == EMZA_ENOMEM)
        return rc;
    EMZA_ENSURE_MSG(rc == EMZA_OK && got >= EMZA_AUTH_NONCE_MIN_BYTES, EMZA_EINVAL,
                    "the nonce must be base64 of %d to %d bytes", EMZA_AUTH_NONCE_MIN_BYTES,
                    EMZA_AUTH_NONCE_MAX_BYTES);
    return EMZA_OK;
}

int emza_auth_challenge_new(emza_auth_challenge **out, unsigned lifetime_seconds)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_GUARD(emza_init());
    EMZA_GUARD(check_lifetime(&lifetime_seconds));
    uint8_t random[EMZA_AUTH_NONCE_BYTES];
    EMZA_GUARD_OSSL(RAND_priv_bytes(random, sizeof(random)), EMZA_ECRYPTO);
    emza_buf text;
    emza__buf_init(&text, NONCE_TEXT_MAX);
    int rc = emza__base64_encode(&text, random, sizeof(random));
    OPENSSL_cleanse(random, sizeof(random));
    if (rc != EMZA_OK) {
        emza__buf_free(&text);
        return rc;
    }
    emza_auth_challenge *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        emza__buf_free(&text);
        EMZA_FAIL(EMZA_ENOMEM, "out of memory");
    }
    memcpy(c->nonce, text.data, text.len);
    emza__buf_free(&text);
    c->issued_at = (int64_t)time(NULL);
    c->lifetime = lifetime_seconds;
    *out = c;
    return EMZA_OK;
}

int emza_auth_challenge_restore(emza_auth_challenge **out, const char *nonce, int64_t issued_at,
                                unsigned lifetime_seconds)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_GUARD(check_nonce(nonce));
    EMZA_GUARD(check_lifetime(&lifetime_seconds));
    /* Far enough from the ends of int64_t that expires_at and the skew never overflow. */
    EMZA_ENSURE_MSG(issued_at >= 0 && issued_at <= INT64_MAX / 2, EMZA_EINVAL,
                    "the challenge's issue time is out of range");
    emza_auth_challenge *c = calloc(1, sizeof(*c));
    EMZA_ENSURE_MSG(c != NULL, EMZA_ENOMEM, "out of memory");
    memcpy(c->nonce, nonce, strlen(nonce));
    c->issued_at = issued_at;
    c->lifetime = lifetime_seconds;
    *out = c;
    return EMZA_OK;
}

void emza_auth_challenge_free(emza_auth_challenge *challenge)
{
    free(challenge);
}

const char *emza_auth_challenge_nonce(const emza_auth_challenge *challenge)
{
    return challenge ? challenge->nonce : NULL;
}

int64_t emza_auth_challenge_issued_at(const emza_auth_challenge *challenge)
{
    return challenge ? challenge->issued_at : 0;
}

int64_t emza_auth_challenge_expires_at(const emza_auth_challenge *challenge)
{
    return challenge ? challenge->issued_at + (int64_t)challenge->lifetime : 0;
}

unsigned emza_auth_challenge_lifetime(const emza_auth_challenge *challenge)
{
    return challenge ? challenge->lifetime : 0;
}

/* ======================================================================== */
/* origins                                                                   */
/* ======================================================================== */

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int is_dns_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static int is_ipv6_char(char c)
{
    return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9') || c == ':' || c == '.';
}

/*
 * Writes the normalised form of `origin` into `out` (capped). The grammar is
 * RFC 6454's serialised origin, narrowed: scheme "://" host [":" port] ["/"].
 */
static int origin_normalize(emza_buf *out, const char *origin)
{
    EMZA_ENSURE_MSG(origin != NULL, EMZA_EINVAL, "the origin is missing");
    size_t len = strnlen(origin, EMZA_AUTH_ORIGIN_MAX + 1);
    EMZA_ENSURE_MSG(len <= EMZA_AUTH_ORIGIN_MAX, EMZA_EINVAL,
                    "the origin is longer than %d bytes", EMZA_AUTH_ORIGIN_MAX);
    const char *p = origin;
    const char *sep = strstr(p, "://");
    EMZA_ENSURE_MSG(sep != NULL, EMZA_EINVAL, "the origin has no scheme (https://host)");
    size_t scheme_len = (size_t)(sep - p);
    char scheme[8];
    EMZA_ENSURE_MSG(scheme_len > 0 && scheme_len < sizeof(scheme), EMZA_EINVAL,
                    "the origin's scheme must be https or http");
    for (size_t i = 0; i < scheme_len; i++)
        scheme[i] = lower(p[i]);
    scheme[scheme_len] = '\0';
    unsigned default_port;
    if (strcmp(scheme, "https") == 0)
        default_port = 443;
    else if (strcmp(scheme, "http") == 0)
        default_port = 80;
    else
        EMZA_FAIL(EMZA_EINVAL, "the origin's scheme must be https or http");
    p = sep + 3;

    /* host */
    char host[EMZA_AUTH_ORIGIN_MAX + 1];
    size_t host_len = 0;
    if (*p == '[') {
        host[host_len++] = '[';
        p++;
        while (*p != '\0' && *p != ']') {
            char c = lower(*p++);
            EMZA_ENSURE_MSG(is_ipv6_char(c), EMZA_EINVAL,
                            "the origin's IPv6 address has a character that does not belong");
            host[host_len++] = c;
        }
        EMZA_ENSURE_MSG(*p == ']' && host_len > 2, EMZA_EINVAL,
                        "the origin's IPv6 address is not closed by ']'");
        host[host_len++] = ']';
        p++;
    } else {
        while (*p != '\0' && *p != ':' && *p != '/') {
            char c = lower(*p++);
            EMZA_ENSURE_MSG(is_dns_char(c), EMZA_EINVAL,
                            "the origin's host may hold only letters, digits, '-' and '.' "
                            "(no user information, no percent-encoding)");
            host[host_len++] = c;
        }
        EMZA_ENSURE_MSG(host_len > 0 && host[0] != '.' && host[0] != '-', EMZA_EINVAL,
                        "the origin has no valid host");
    }
    host[host_len] = '\0';

    /* port */
    unsigned port = default_port;
    if (*p == ':') {
        p++;
        unsigned value = 0;
        size_t digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 6) {
            value = value * 10 + (unsigned)(*p++ - '0');
            digits++;
        }
        EMZA_ENSURE_MSG(digits > 0 && digits <= 5 && value >= 1 && value <= 65535, EMZA_EINVAL,
                        "the origin's port must be a number from 1 to 65535");
        port = value;
    }
    /* at most a trailing "/" */
    if (*p == '/')
        p++;
    EMZA_ENSURE_MSG(*p == '\0', EMZA_EINVAL,
                    "an origin is scheme://host[:port] only: no path, query or fragment");

    emza__buf_init(out, EMZA_AUTH_ORIGIN_MAX + 1);
    int rc = port == default_port ? emza__buf_appendf(out, "%s://%s", scheme, host)
                                  : emza__buf_appendf(out, "%s://%s:%u", scheme, host, port);
    if (rc != EMZA_OK)
        emza__buf_free(out);
    return rc;
}

int emza_auth_origin_normalize(char **out, const char *origin)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    emza_buf b;
    EMZA_GUARD(origin_normalize(&b, origin));
    *out = emza__buf_take(&b);
    EMZA_ENSURE_MSG(*out != NULL, EMZA_ENOMEM, "out of memory");
    return EMZA_OK;
}

/* ======================================================================== */
/* algorithms and the signed digest                                          */
/* ======================================================================== */

typedef struct auth_alg {
    const char *name;
    int md_nid;
    int key_type;  /* EVP_PKEY_RSA or EVP_PKEY_EC */
    int pss;       /* RSA-PSS, salt as long as the digest */
    int curve_nid; /* for EC: the one curve the name allows (RFC 7518 3.4) */
} auth_alg;

static const auth_alg algorithms[] = {
    {"RS256", NID_sha256, EVP_PKEY_RSA, 0, 0},
    {"RS384", NID_sha384, EVP_PKEY_RSA, 0, 0},
    {"RS512", NID_sha512, EVP_PKEY_RSA, 0, 0},
    {"PS256", NID_sha256, EVP_PKEY_RSA, 1, 0},
    {"PS384", NID_sha384, EVP_PKEY_RSA, 1, 0},
    {"PS512", NID_sha512, EVP_PKEY_RSA, 1, 0},
    {"ES256", NID_sha256, EVP_PKEY_EC, 0, NID_X9_62_prime256v1},
    {"ES384", NID_sha384, EVP_PKEY_EC, 0, NID_secp384r1},
    {"ES512", NID_sha512, EVP_PKEY_EC, 0, NID_secp521r1},
};

static const auth_alg *alg_by_name(const char *name)
{
    for (size_t i = 0; name != NULL && i < EMZA_ARRAY_LEN(algorithms); i++)
        if (strcmp(name, algorithms[i].name) == 0)
            return &algorithms[i];
    return NULL;
}

/* The NID of an EC key's named curve, NID_undef when it has none. */
static int ec_curve_nid(const EVP_PKEY *key)
{
    char name[64];
    size_t len = 0;
    if (EVP_PKEY_get_group_name(key, name, sizeof(name), &len) != 1) {
        emza__ossl_clear();
        return NID_undef;
    }
    int nid = OBJ_txt2nid(name);
    emza__ossl_clear();
    return nid;
}

/* 1 when `alg` fits `key`; else 0 with `why` filled. */
static int alg_fits_key(const auth_alg *alg, const EVP_PKEY *key, char *why, size_t why_size)
{
    int type = EVP_PKEY_get_base_id(key);
    if (type != alg->key_type) {
        snprintf(why, why_size, "%s needs %s key, and the certificate's key is not one",
                 alg->name, alg->key_type == EVP_PKEY_RSA ? "an RSA" : "an EC");
        return 0;
    }
    if (alg->key_type == EVP_PKEY_EC && ec_curve_nid(key) != alg->curve_nid) {
        snprintf(why, why_size, "%s needs an EC key on %s", alg->name,
                 EC_curve_nid2nist(alg->curve_nid));
        return 0;
    }
    return 1;
}

/* The default algorithm for a key: RS256 for RSA, the curve's ES* for EC; NULL otherwise. */
static const auth_alg *alg_for_key(const EVP_PKEY *key)
{
    int type = EVP_PKEY_get_base_id(key);
    if (type == EVP_PKEY_RSA)
        return alg_by_name("RS256");
    if (type == EVP_PKEY_EC) {
        int nid = ec_curve_nid(key);
        for (size_t i = 0; i < EMZA_ARRAY_LEN(algorithms); i++)
            if (algorithms[i].key_type == EVP_PKEY_EC && algorithms[i].curve_nid == nid)
                return &algorithms[i];
    }
    return NULL;
}

/* Half the size of an ECDSA r||s value: the bytes of the curve's order. */
static size_t ec_half(const EVP_PKEY *key)
{
    return ((size_t)EVP_PKEY_get_bits(key) + 7) / 8;
}

/* The digest that is signed: H_alg(SHA-256(origin) || SHA-256(nonce)). */
static int signed_digest(uint8_t *out, unsigned int *out_len, const auth_alg *alg,
                         const char *origin, const char *nonce)
{
    uint8_t tbs[2 * 32];
    unsigned int n1 = 0, n2 = 0;
    EMZA_GUARD(emza__digest_bytes(tbs, &n1, origin, strlen(origin), EVP_sha256()));
    EMZA_GUARD(emza__digest_bytes(tbs + 32, &n2, nonce, strlen(nonce), EVP_sha256()));
    EMZA_ENSURE(n1 == 32 && n2 == 32, EMZA_EINTERNAL);
    const EVP_MD *md = EVP_get_digestbynid(alg->md_nid);
    EMZA_ENSURE_MSG(md != NULL, EMZA_ECRYPTO, "the digest of %s is not available", alg->name);
    return emza__digest_bytes(out, out_len, tbs, sizeof(tbs), md);
}

/*
 * Checks the token's signature value `sig` (as the token carries it: r||s
 * for ES*) over `digest`. Sets *valid to 1 or 0; errors only for failures
 * that say nothing about the signature (out of memory).
 */
static int check_signature(int *valid, const auth_alg *alg, EVP_PKEY *key, const uint8_t *sig,
                           size_t sig_len, const uint8_t *digest, size_t digest_len)
{
    *valid = 0;
    int rc = EMZA_OK;
    emza_buf der;
    emza__buf_init(&der, EMZA_AUTH_SIGNATURE_MAX * 2);
    EVP_PKEY_CTX *ctx = NULL;
    if (alg->key_type == EVP_PKEY_EC) {
        if (sig_len != 2 * ec_half(key))
            goto cleanup; /* not r||s of this curve: invalid */
        rc = emza__sig_raw_to_der(&der, sig, sig_len);
        if (rc == EMZA_EFORMAT) {
            rc = EMZA_OK;
            goto cleanup;
        }
        EMZA_TRY(rc);
        sig = der.data;
        sig_len = der.len;
    }
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    EMZA_TRY_ENSURE(ctx != NULL, EMZA_ENOMEM, "out of memory");
    const EVP_MD *md = EVP_get_digestbynid(alg->md_nid);
    EMZA_TRY_OSSL(EVP_PKEY_verify_init(ctx), EMZA_ECRYPTO, "cannot verify with the key");
    EMZA_TRY_ENSURE(md != NULL && EVP_PKEY_CTX_set_signature_md(ctx, md) > 0, EMZA_ECRYPTO,
                    "cannot verify %s", alg->name);
    if (alg->key_type == EVP_PKEY_RSA) {
        if (alg->pss)
            EMZA_TRY_ENSURE(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0 &&
                                EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) > 0 &&
                                EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) > 0,
                            EMZA_ECRYPTO, "cannot set up RSA-PSS");
        else
            EMZA_TRY_ENSURE(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0, EMZA_ECRYPTO,
                            "cannot set up RSA PKCS#1 v1.5");
    }
    *valid = EVP_PKEY_verify(ctx, sig, sig_len, digest, digest_len) == 1;
cleanup:
    EVP_PKEY_CTX_free(ctx);
    emza__buf_free(&der);
    emza__ossl_clear();
    return rc;
}

/* The certificate's public key, borrowed. */
static EVP_PKEY *cert_key(const emza_cert *cert)
{
    return X509_get0_pubkey(emza__cert_x509(cert));
}

/* ======================================================================== */
/* signing                                                                   */
/* ======================================================================== */

int emza_auth_sign_options_init(emza_auth_sign_options *opts, unsigned int version)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE_MSG(version == EMZA_AUTH_SIGN_OPTIONS_VERSION, EMZA_EVERSION,
                    "auth sign options version %u is not supported (this library knows %u)",
                    version, EMZA_AUTH_SIGN_OPTIONS_VERSION);
    emza_auth_sign_options defaults = EMZA_AUTH_SIGN_OPTIONS_INIT;
    *opts = defaults;
    return EMZA_OK;
}

/* Appends `len` bytes as base64 to a new string `*out` (free with free()). */
static int base64_string(char **out, const uint8_t *data, size_t len, size_t max)
{
    emza_buf b;
    emza__buf_init(&b, max);
    int rc = emza__base64_encode(&b, data, len);
    if (rc != EMZA_OK) {
        emza__buf_free(&b);
        return rc;
    }
    *out = emza__buf_take(&b);
    EMZA_ENSURE_MSG(*out != NULL, EMZA_ENOMEM, "out of memory");
    return EMZA_OK;
}

/* The token JSON, compact, fields in the documented order, as a new string. */
static int token_json(char **out, const char *origin, const emza_cert *cert, const char *alg,
                      const uint8_t *sig, size_t sig_len)
{
    int rc = EMZA_OK;
    char *cert_b64 = NULL, *sig_b64 = NULL, *text = NULL;
    json_t *root = NULL;
    size_t der_len = 0;
    const uint8_t *der = emza_cert_der(cert, &der_len);
    EMZA_TRY(base64_string(&cert_b64, der, der_len, EMZA_AUTH_TOKEN_MAX));
    EMZA_TRY(base64_string(&sig_b64, sig, sig_len, SIGNATURE_TEXT_MAX));
    root = json_object();
    EMZA_TRY_ENSURE(root != NULL, EMZA_ENOMEM, "out of memory");
    EMZA_TRY_ENSURE(json_object_set_new(root, "format", json_string(EMZA_AUTH_FORMAT)) == 0 &&
                        json_object_set_new(root, "origin", json_string(origin)) == 0 &&
                        json_object_set_new(root, "certificate", json_string(cert_b64)) == 0 &&
                        json_object_set_new(root, "algorithm", json_string(alg)) == 0 &&
                        json_object_set_new(root, "signature", json_string(sig_b64)) == 0,
                    EMZA_ENOMEM, "out of memory");
    text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    EMZA_TRY_ENSURE(text != NULL, EMZA_ENOMEM, "out of memory");
    size_t len = strlen(text);
    EMZA_TRY_ENSURE(len <= EMZA_AUTH_TOKEN_MAX, EMZA_ELIMIT,
                    "the token would be %zu bytes, more than the limit of %d (a certificate too "
                    "large)",
                    len, EMZA_AUTH_TOKEN_MAX);
    *out = malloc(len + 1);
    EMZA_TRY_ENSURE(*out != NULL, EMZA_ENOMEM, "out of memory");
    memcpy(*out, text, len + 1);
cleanup:
    free(text); /* jansson's default allocator is malloc */
    json_decref(root);
    free(cert_b64);
    free(sig_b64);
    return rc;
}

int emza_auth_sign(char **out, const emza_signer *signer, const char *origin, const char *nonce,
                   const emza_auth_sign_options *opts)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(signer != NULL, EMZA_EINVAL);
    emza_auth_sign_options defaults = EMZA_AUTH_SIGN_OPTIONS_INIT;
    if (opts == NULL)
        opts = &defaults;
    EMZA_ENSURE_MSG(opts->version == EMZA_AUTH_SIGN_OPTIONS_VERSION, EMZA_EVERSION,
                    "auth sign options version %u is not supported (this library knows %u)",
                    opts->version, EMZA_AUTH_SIGN_OPTIONS_VERSION);
    EMZA_GUARD(check_nonce(nonce));

    int rc = EMZA_OK;
    emza_buf norm, made, sig;
    emza__buf_init(&made, EMZA_AUTH_SIGNATURE_MAX * 2);
    emza__buf_init(&sig, EMZA_AUTH_SIGNATURE_MAX);
    EMZA_GUARD(origin_normalize(&norm, origin));
    const emza_cert *cert = emza_signer_cert(signer);
    EVP_PKEY *key = cert != NULL ? cert_key(cert) : NULL;
    EMZA_TRY_ENSURE(key != NULL, EMZA_EINVAL, "the signer has no certificate with a public key");
    const auth_alg *alg = opts->algorithm != NULL ? alg_by_name(opts->algorithm)
                                                  : alg_for_key(key);
    EMZA_TRY_ENSURE(alg != NULL, EMZA_EINVAL,
                    opts->algorithm != NULL ? "unknown authentication algorithm '%s'"
                                            : "no authentication algorithm fits this key%s",
                    opts->algorithm != NULL ? opts->algorithm : "");
    char why[160];
    EMZA_TRY_ENSURE(alg_fits_key(alg, key, why, sizeof(why)), EMZA_EINVAL, "%s", why);

    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    EMZA_TRY(signed_digest(digest, &digest_len, alg, (const char *)norm.data, nonce));
    const EVP_MD *md = EVP_get_digestbynid(alg->md_nid);
    EMZA_TRY(emza__signer_sign_digest(signer, md, alg->pss, digest, digest_len, &made));
    if (alg->key_type == EVP_PKEY_EC)
        EMZA_TRY(emza__sig_der_to_raw(&sig, made.data, made.len, ec_half(key)));
    else
        EMZA_TRY(emza__buf_append(&sig, made.data, made.len));

    /* The key source must have signed with the certificate's key. */
    int valid = 0;
    EMZA_TRY(check_signature(&valid, alg, key, sig.data, sig.len, digest, digest_len));
    EMZA_TRY_ENSURE(valid, EMZA_ECRYPTO,
                    "the key made a signature that the certificate's key does not verify");
    EMZA_TRY(token_json(out, (const char *)norm.data, cert, alg->name, sig.data, sig.len));
cleanup:
    emza__buf_free(&norm);
    emza__buf_free(&made);
    emza__buf_free(&sig);
    return rc;
}

/* ======================================================================== */
/* verification                                                              */
/* ======================================================================== */

struct emza_auth_identity {
    emza_cert *cert;
    char *origin;
    const char *algorithm; /* static */
};

const char *emza_auth_reason_name(emza_auth_reason reason)
{
    static const char *const names[] = {
        "NONE",      "MALFORMED",     "EXPIRED",   "NOT_YET_VALID", "REPLAYED",
        "ORIGIN_MISMATCH", "ALGORITHM", "BAD_SIGNATURE", "UNTRUSTED", "REVOKED",
        "KEY_USAGE", "CERT_EXPIRED",  "TRY_LATER",
    };
    if ((unsigned)reason < EMZA_ARRAY_LEN(names))
        return names[reason];
    return "UNKNOWN";
}

int emza_auth_verify_options_init(emza_auth_verify_options *opts, unsigned int version)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE_MSG(version == EMZA_AUTH_VERIFY_OPTIONS_VERSION, EMZA_EVERSION,
                    "auth verify options version %u is not supported (this library knows %u)",
                    version, EMZA_AUTH_VERIFY_OPTIONS_VERSION);
    emza_auth_verify_options defaults = EMZA_AUTH_VERIFY_OPTIONS_INIT;
    *opts = defaults;
    return EMZA_OK;
}

/* Records a refusal: EMZA_EAUTH with `why` in words, and the reason. */
#define REFUSE(why_reason, ...)                                                                    \
    do {                                                                                           \
        *reason = (why_reason);                                                                    \
        rc = emza__error_set(EMZA_EAUTH, __FILE__, __LINE__, __VA_ARGS__);                         \
        goto cleanup;                                                                              \
    } while (0)

/* A parsed token; strings borrowed from the JSON. */
typedef struct auth_token {
    json_t *root;
    emza_buf origin; /* the token's origin, normalised */
    const char *algorithm;
    emza_cert *cert;
    emza_buf signature;
} auth_token;

static void token_free(auth_token *t)
{
    json_decref(t->root);
    emza__buf_free(&t->origin);
    emza_cert_free(t->cert);
    emza__buf_free(&t->signature);
}

/* The string field `name` of the token, or NULL (absent or not a string). */
static const char *field(json_t *root, const char *name)
{
    return json_string_value(json_object_get(root, name));
}

/*
 * Parses and checks the token's form (check 1). EMZA_OK, EMZA_EAUTH with
 * *reason MALFORMED, or an operational error (EMZA_ENOMEM).
 */
static int token_parse(auth_token *t, emza_auth_reason *reason, const char *token, size_t len)
{
    int rc = EMZA_OK;
    emza_buf der;
    emza__buf_init(&der, EMZA_CERT_DER_MAX);
    if (len > EMZA_AUTH_TOKEN_MAX)
        REFUSE(EMZA_AUTH_MALFORMED, "the token is %zu bytes, more than the limit of %d", len,
               EMZA_AUTH_TOKEN_MAX);
    json_error_t err;
    t->root = json_loadb(token, len, JSON_REJECT_DUPLICATES, &err);
    if (t->root == NULL)
        REFUSE(EMZA_AUTH_MALFORMED, "the token is not JSON: %s (at byte %d)", err.text,
               err.position);
    if (!json_is_object(t->root))
        REFUSE(EMZA_AUTH_MALFORMED, "the token is not a JSON object");
    static const char *const names[TOKEN_FIELDS] = {"format", "origin", "certificate",
                                                    "algorithm", "signature"};
    for (size_t i = 0; i < TOKEN_FIELDS; i++) {
        json_t *v = json_object_get(t->root, names[i]);
        if (v == NULL)
            REFUSE(EMZA_AUTH_MALFORMED, "the token has no \"%s\" field", names[i]);
        if (!json_is_string(v))
            REFUSE(EMZA_AUTH_MALFORMED, "the token's \"%s\" is not a string", names[i]);
    }
    if (json_object_size(t->root) != TOKEN_FIELDS)
        REFUSE(EMZA_AUTH_MALFORMED, "the token has fields other than format, origin, "
                                    "certificate, algorithm and signature");
    if (strcmp(field(t->root, "format"), EMZA_AUTH_FORMAT) != 0)
        REFUSE(EMZA_AUTH_MALFORMED, "the token's format is not " EMZA_AUTH_FORMAT);
    t->algorithm = field(t->root, "algorithm");
    int orc = origin_normalize(&t->origin, field(t->root, "origin"));
    if (orc == EMZA_ENOMEM)
        EMZA_TRY(orc);
    if (orc != EMZA_OK) {
        char cause[EMZA_ERROR_MESSAGE_MAX];
        snprintf(cause, sizeof(cause), "%s", emza_error_last_message());
        REFUSE(EMZA_AUTH_MALFORMED, "the token's origin is not an origin: %s", cause);
    }

    const char *cert_text = field(t->root, "certificate");
    rc = emza__base64_decode_strict(&der, cert_text, strlen(cert_text), EMZA_CERT_DER_MAX);
    if (rc == EMZA_EFORMAT || rc == EMZA_ELIMIT)
        REFUSE(EMZA_AUTH_MALFORMED, "the token's certificate is not base64%s",
               rc == EMZA_ELIMIT ? " of an acceptable size" : "");
    EMZA_TRY(rc);
    /* DER only (a SEQUENCE): base64 of PEM text is not a certificate field */
    if (der.len == 0 || der.data[0] != 0x30)
        REFUSE(EMZA_AUTH_MALFORMED, "the token's certificate is not DER");
    rc = emza_cert_parse(&t->cert, der.data, der.len);
    if (rc == EMZA_ENOMEM)
        goto cleanup;
    if (rc != EMZA_OK) {
        char cause[EMZA_ERROR_MESSAGE_MAX];
        snprintf(cause, sizeof(cause), "%s", emza_error_last_message());
        REFUSE(EMZA_AUTH_MALFORMED, "the token's certificate cannot be read: %s", cause);
    }

    const char *sig_text = field(t->root, "signature");
    rc = emza__base64_decode_strict(&t->signature, sig_text, strlen(sig_text),
                                    EMZA_AUTH_SIGNATURE_MAX);
    if (rc == EMZA_EFORMAT || rc == EMZA_ELIMIT)
        REFUSE(EMZA_AUTH_MALFORMED, "the token's signature is not base64%s",
               rc == EMZA_ELIMIT ? " of an acceptable size" : "");
    EMZA_TRY(rc);
    if (t->signature.len == 0)
        REFUSE(EMZA_AUTH_MALFORMED, "the token's signature is empty");
cleanup:
    emza__buf_free(&der);
    return rc;
}

/* Maps a chain verdict that did not pass to a reason (check 6). */
static emza_auth_reason chain_reason(const emza_chain_result *r)
{
    switch (emza_chain_result_subindication(r)) {
    case EMZA_SUB_REVOKED:
    case EMZA_SUB_REVOKED_NO_POE:
    case EMZA_SUB_REVOKED_CA_NO_POE:
        return EMZA_AUTH_REVOKED;
    case EMZA_SUB_TRY_LATER:
        return EMZA_AUTH_TRY_LATER;
    case EMZA_SUB_NOT_YET_VALID:
    case EMZA_SUB_EXPIRED:
    case EMZA_SUB_OUT_OF_BOUNDS_NO_POE:
    case EMZA_SUB_OUT_OF_BOUNDS_NOT_REVOKED:
        return EMZA_AUTH_CERT_EXPIRED;
    case EMZA_SUB_CRYPTO_CONSTRAINTS_FAILURE:
    case EMZA_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE:
        return EMZA_AUTH_ALGORITHM;
    case EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE: {
        const char *code = emza_chain_result_error_code(r, 0);
        if (code != NULL && (strcmp(code, "KEY_USAGE") == 0 || strcmp(code, "EXT_KEY_USAGE") == 0))
            return EMZA_AUTH_KEY_USAGE;
        return EMZA_AUTH_UNTRUSTED;
    }
    default:
        return EMZA_AUTH_UNTRUSTED;
    }
}

int emza_auth_verify(emza_auth_identity **out, emza_auth_reason *reason, const char *token,
                     size_t len, const emza_auth_challenge *challenge, const char *origin,
                     const emza_auth_verify_options *opts)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(reason != NULL, EMZA_EINVAL);
    *reason = EMZA_AUTH_NONE;
    EMZA_ENSURE(token != NULL && challenge != NULL && opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE_MSG(opts->version == EMZA_AUTH_VERIFY_OPTIONS_VERSION, EMZA_EVERSION,
                    "auth verify options version %u is not supported (this library knows %u)",
                    opts->version, EMZA_AUTH_VERIFY_OPTIONS_VERSION);
    EMZA_ENSURE_MSG(opts->trust != NULL, EMZA_EINVAL, "no trust anchors for the certificate");
    EMZA_ENSURE_MSG(opts->clock_skew_seconds <= EMZA_AUTH_CLOCK_SKEW_MAX, EMZA_EINVAL,
                    "a clock skew of %u s is more than the maximum of %u s",
                    opts->clock_skew_seconds, EMZA_AUTH_CLOCK_SKEW_MAX);
    EMZA_GUARD(emza_init());

    emza_buf expected; /* the verifier's own origin: a bad one is an operational error */
    EMZA_GUARD(origin_normalize(&expected, origin));
    int rc = EMZA_OK;
    auth_token t;
    memset(&t, 0, sizeof(t));
    emza__buf_init(&t.signature, EMZA_AUTH_SIGNATURE_MAX);
    emza__buf_init(&t.origin, EMZA_AUTH_ORIGIN_MAX + 1);
    emza_chain_result *chain = NULL;
    emza_auth_identity *id = NULL;
    const int64_t now = opts->has_validation_time ? opts->validation_time : (int64_t)time(NULL);
    const int64_t skew = (int64_t)opts->clock_skew_seconds;

    /* 1. well-formed */
    EMZA_TRY(token_parse(&t, reason, token, len));

    /* 2. fresh */
    if (now < challenge->issued_at - skew)
        REFUSE(EMZA_AUTH_NOT_YET_VALID,
               "the challenge was issued %lld s after the validation time (more than the %lld s "
               "of clock skew allowed)",
               (long long)(challenge->issued_at - now), (long long)skew);
    if (now > emza_auth_challenge_expires_at(challenge) + skew)
        REFUSE(EMZA_AUTH_EXPIRED, "the challenge expired %lld s before the validation time",
               (long long)(now - emza_auth_challenge_expires_at(challenge)));

    /* 3. origin */
    if (strcmp((const char *)t.origin.data, (const char *)expected.data) != 0)
        REFUSE(EMZA_AUTH_ORIGIN_MISMATCH, "the token was made for %s, not for %s",
               (const char *)t.origin.data, (const char *)expected.data);

    /* 4. algorithm */
    const auth_alg *alg = alg_by_name(t.algorithm);
    EVP_PKEY *key = cert_key(t.cert);
    char why[160];
    const char *digest_why = NULL;
    if (alg == NULL)
        REFUSE(EMZA_AUTH_ALGORITHM, "the token's algorithm is not one this library accepts "
                                    "(RS256..512, PS256..512, ES256..512)");
    if (key == NULL)
        REFUSE(EMZA_AUTH_MALFORMED, "the token's certificate has no usable public key");
    if (!alg_fits_key(alg, key, why, sizeof(why)))
        REFUSE(EMZA_AUTH_ALGORITHM, "%s", why);
    if (!emza__policy_key_ok(key, why, sizeof(why)))
        REFUSE(EMZA_AUTH_ALGORITHM, "%s", why);
    if (!emza__policy_digest_ok(alg->md_nid, &digest_why))
        REFUSE(EMZA_AUTH_ALGORITHM, "%s", digest_why);

    /* 5. signature, over the verifier's own origin and the challenge's nonce */
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    EMZA_TRY(signed_digest(digest, &digest_len, alg, (const char *)expected.data,
                           challenge->nonce));
    int valid = 0;
    EMZA_TRY(check_signature(&valid, alg, key, t.signature.data, t.signature.len, digest,
                             digest_len));
    if (!valid)
        REFUSE(EMZA_AUTH_BAD_SIGNATURE, "the token's %s signature does not verify for this "
                                        "origin and challenge",
               alg->name);

    /* 6. the certificate's chain, for authentication */
    emza_chain_options co = EMZA_CHAIN_OPTIONS_INIT;
    co.has_validation_time = 1;
    co.validation_time = now;
    co.purpose = EMZA_PURPOSE_AUTH;
    co.untrusted = opts->untrusted;
    co.offline = opts->offline;
    co.timeout_seconds = opts->timeout_seconds;
    co.transport = opts->transport;
    co.transport_ctx = opts->transport_ctx;
    EMZA_TRY(emza_trust_verify(&chain, opts->trust, t.cert, &co));
    if (emza_chain_result_indication(chain) != EMZA_TOTAL_PASSED)
        REFUSE(chain_reason(chain), "the certificate does not validate for authentication: %s",
               emza_chain_result_message(chain));

    /* 7. single use: the nonce is consumed only now, by a token that passed everything else */
    emza_replay_fn replay = opts->replay;
    void *replay_ctx = opts->replay_ctx;
    if (replay == NULL) {
        emza_replay_cache *process_cache = NULL;
        EMZA_TRY(emza__replay_default_cache(&process_cache));
        replay = emza_replay_cache_use;
        replay_ctx = process_cache;
    }
    emza_error_clear();
    int used = replay(replay_ctx, challenge->nonce, emza_auth_challenge_expires_at(challenge), now);
    if (used < 0) {
        rc = emza_error_last_code() == used
                 ? used
                 : emza__error_set(used, __FILE__, __LINE__,
                                   "the replay check failed: %s", emza_error_describe(used));
        goto cleanup;
    }
    if (used == 0)
        REFUSE(EMZA_AUTH_REPLAYED, "the challenge's nonce was used before");
    EMZA_TRY_ENSURE(used == 1, EMZA_EINVAL, "the replay callback answered %d (not 0, 1 or an error)",
                    used);

    id = calloc(1, sizeof(*id));
    EMZA_TRY_ENSURE(id != NULL, EMZA_ENOMEM, "out of memory");
    id->cert = t.cert;
    t.cert = NULL;
    id->algorithm = alg->name;
    id->origin = emza__buf_take(&expected);
    EMZA_TRY_ENSURE(id->origin != NULL, EMZA_ENOMEM, "out of memory");
    *out = id;
    id = NULL;
    emza_error_clear();
cleanup:
    emza_auth_identity_free(id);
    emza_chain_result_free(chain);
    token_free(&t);
    emza__buf_free(&expected);
    return rc;
}

void emza_auth_identity_free(emza_auth_identity *identity)
{
    if (identity == NULL)
        return;
    emza_cert_free(identity->cert);
    free(identity->origin);
    free(identity);
}

const emza_cert *emza_auth_identity_cert(const emza_auth_identity *identity)
{
    return identity ? identity->cert : NULL;
}

const char *emza_auth_identity_national_code(const emza_auth_identity *identity)
{
    return identity ? emza_cert_national_code(identity->cert) : NULL;
}

const char *emza_auth_identity_legal_id(const emza_auth_identity *identity)
{
    return identity ? emza_cert_legal_id(identity->cert) : NULL;
}

const char *emza_auth_identity_given_name(const emza_auth_identity *identity)
{
    return identity ? emza_cert_given_name(identity->cert) : NULL;
}

const char *emza_auth_identity_surname(const emza_auth_identity *identity)
{
    return identity ? emza_cert_surname(identity->cert) : NULL;
}

const char *emza_auth_identity_common_name(const emza_auth_identity *identity)
{
    return identity ? emza_cert_common_name(identity->cert) : NULL;
}

const char *emza_auth_identity_origin(const emza_auth_identity *identity)
{
    return identity ? identity->origin : NULL;
}

const char *emza_auth_identity_algorithm(const emza_auth_identity *identity)
{
    return identity ? identity->algorithm : NULL;
}
