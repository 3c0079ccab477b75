/*
 * Validation policies: the built-in default, the strict JSON reader (jansson),
 * and the queries the validation modules make (policy_internal.h). The format
 * is documented in docs/POLICY.md and docs/policy.schema.json.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/c14n.h>
#include <openssl/obj_mac.h>

#include <emza/core.h>
#include <emza/datetime.h>
#include <emza/trust.h>

#include "crypto_policy.h"
#include "policy_internal.h"
#include "util/file.h"
#include "util/guard.h"

/* ------------------------------------------------------------------------ */
/* vocabularies                                                              */
/* ------------------------------------------------------------------------ */

enum { KEY_RSA = 1, KEY_DSA, KEY_EC, KEY_ED25519, KEY_ED448 };

static const struct {
    int id;
    const char *name;
} key_families[] = {
    {KEY_RSA, "rsa"}, {KEY_DSA, "dsa"}, {KEY_EC, "ec"}, {KEY_ED25519, "ed25519"}, {KEY_ED448, "ed448"},
};

static const char *key_family_name(int id)
{
    for (size_t i = 0; i < EMZA_ARRAY_LEN(key_families); i++)
        if (key_families[i].id == id)
            return key_families[i].name;
    return "?";
}

static int key_family_of(const EVP_PKEY *key)
{
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
        return KEY_RSA;
    case EVP_PKEY_DSA:
        return KEY_DSA;
    case EVP_PKEY_EC:
        return KEY_EC;
    case EVP_PKEY_ED25519:
        return KEY_ED25519;
    case EVP_PKEY_ED448:
        return KEY_ED448;
    default:
        return 0;
    }
}

static const struct {
    unsigned int bit;
    const char *name;
} transforms[] = {
    {EMZA__XFORM_C14N10, "c14n"},
    {EMZA__XFORM_C14N10_COMMENTS, "c14n-with-comments"},
    {EMZA__XFORM_EXC_C14N, "exc-c14n"},
    {EMZA__XFORM_EXC_C14N_COMMENTS, "exc-c14n-with-comments"},
    {EMZA__XFORM_C14N11, "c14n11"},
    {EMZA__XFORM_C14N11_COMMENTS, "c14n11-with-comments"},
    {EMZA__XFORM_ENVELOPED, "enveloped-signature"},
    {EMZA__XFORM_BASE64, "base64"},
};

/* Transforms named in the standards that this build refuses whatever the policy says. */
static const char *const unsupported_transforms[] = {"xpath", "xpath-filter2", "xslt"};

const char *emza__policy_transform_name(unsigned int bit)
{
    for (size_t i = 0; i < EMZA_ARRAY_LEN(transforms); i++)
        if (transforms[i].bit == bit)
            return transforms[i].name;
    return "?";
}

unsigned int emza__policy_c14n_bit(int mode, int with_comments)
{
    switch (mode) {
    case XML_C14N_1_0:
        return with_comments ? EMZA__XFORM_C14N10_COMMENTS : EMZA__XFORM_C14N10;
    case XML_C14N_EXCLUSIVE_1_0:
        return with_comments ? EMZA__XFORM_EXC_C14N_COMMENTS : EMZA__XFORM_EXC_C14N;
    case XML_C14N_1_1:
        return with_comments ? EMZA__XFORM_C14N11_COMMENTS : EMZA__XFORM_C14N11;
    default:
        return 0;
    }
}

static const char *const level_names[] = {"IGNORE", "INFORM", "WARN", "FAIL"};
static const char *const sig_level_names[] = {"NONE", "B", "T", "LT", "LTA"};

const char *emza__policy_sig_level_name(emza__sig_level level)
{
    return (size_t)level < EMZA_ARRAY_LEN(sig_level_names) ? sig_level_names[level] : "?";
}

int emza__policy_sig_level_of(const char *report_level)
{
    if (report_level == NULL)
        return -1;
    if (strcmp(report_level, "XMLDSig") == 0 || strcmp(report_level, "CMS") == 0)
        return EMZA__SIG_LEVEL_NONE;
    const char *dash = strstr(report_level, "-BASELINE-");
    if (dash == NULL)
        return -1;
    const char *suffix = dash + strlen("-BASELINE-");
    for (int i = EMZA__SIG_LEVEL_B; i <= EMZA__SIG_LEVEL_LTA; i++)
        if (strcmp(suffix, sig_level_names[i]) == 0)
            return i;
    return -1;
}

/* ------------------------------------------------------------------------ */
/* the built-in default (CONTRACT.md "Default validation policy")            */
/* ------------------------------------------------------------------------ */

static const emza_policy builtin = {
    .name = "default",
    .crypto_level = EMZA__LEVEL_FAIL,
    .digests = {{NID_sha224, 0, 0, 0},
                {NID_sha256, 0, 0, 0},
                {NID_sha384, 0, 0, 0},
                {NID_sha512, 0, 0, 0},
                {NID_sha3_256, 0, 0, 0},
                {NID_sha3_384, 0, 0, 0},
                {NID_sha3_512, 0, 0, 0}},
    .digest_count = 7,
    .keys = {{KEY_RSA, EMZA_POLICY_RSA_MIN_BITS, 0, 0},
             {KEY_DSA, EMZA_POLICY_RSA_MIN_BITS, 0, 0},
             {KEY_EC, EMZA_POLICY_EC_MIN_BITS, 0, 0},
             {KEY_ED25519, 0, 0, 0},
             {KEY_ED448, 0, 0, 0}},
    .key_count = 5,
    .sig_level_level = EMZA__LEVEL_FAIL,
    .sig_level_min = EMZA__SIG_LEVEL_NONE,
    .freshness_level = EMZA__LEVEL_FAIL,
    .has_max_age = 0,
    .max_age = 0,
    .no_source_level = EMZA__LEVEL_WARN,
    .nonce_level = EMZA__LEVEL_WARN,
    .tsa_level = EMZA__LEVEL_FAIL,
    .tsa_any = 1,
    .tsa_count = 0,
    .key_usage_level = EMZA__LEVEL_FAIL,
    .no_key_usage_level = EMZA__LEVEL_WARN,
    .transform_level = EMZA__LEVEL_FAIL,
    .transforms = EMZA__XFORM_C14N10 | EMZA__XFORM_C14N10_COMMENTS | EMZA__XFORM_EXC_C14N |
                  EMZA__XFORM_EXC_C14N_COMMENTS | EMZA__XFORM_C14N11 |
                  EMZA__XFORM_C14N11_COMMENTS | EMZA__XFORM_ENVELOPED | EMZA__XFORM_BASE64,
    .chain_max = EMZA_CHAIN_DEPTH_MAX,
};

const emza_policy *emza__policy_builtin(void)
{
    return &builtin;
}

const emza_policy *emza__policy_or_default(const emza_policy *p)
{
    return p != NULL ? p : &builtin;
}

int emza_policy_default(emza_policy **out)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = malloc(sizeof(**out));
    EMZA_ENSURE(*out != NULL, EMZA_ENOMEM);
    **out = builtin;
    return EMZA_OK;
}

const char *emza_policy_name(const emza_policy *policy)
{
    return policy ? policy->name : NULL;
}

void emza_policy_free(emza_policy *policy)
{
    free(policy);
}

/* ------------------------------------------------------------------------ */
/* queries                                                                   */
/* ------------------------------------------------------------------------ */

static void format_time(char *buf, size_t size, int64_t t)
{
    if (emza_time_format(buf, size, t) != EMZA_OK)
        snprintf(buf, size, "(time out of range)");
}

int emza__policy_digest_check(const emza_policy *p, int md_nid, int64_t poe, char *why,
                              size_t why_size)
{
    p = emza__policy_or_default(p);
    const char *name = emza__digest_name(md_nid);
    int64_t latest = 0;
    int expired = 0;
    for (size_t i = 0; i < p->digest_count; i++) {
        if (p->digests[i].id != md_nid)
            continue;
        if (!p->digests[i].has_expiry || poe < p->digests[i].expiry)
            return 1;
        if (!expired || p->digests[i].expiry > latest)
            latest = p->digests[i].expiry;
        expired = 1;
    }
    if (expired) {
        char when[EMZA_TIME_TEXT_SIZE], at[EMZA_TIME_TEXT_SIZE];
        format_time(when, sizeof(when), latest);
        format_time(at, sizeof(at), poe);
        snprintf(why, why_size,
                 "%s is acceptable only with a proof of existence before %s (the earliest proof "
                 "is %s)",
                 name, when, at);
    } else if (name != NULL) {
        snprintf(why, why_size, "%s is not acceptable under the policy \"%s\"", name, p->name);
    } else {
        snprintf(why, why_size, "the digest algorithm is unknown to the policy");
    }
    return 0;
}

int emza__policy_key_check(const emza_policy *p, const EVP_PKEY *key, int64_t poe, char *why,
                           size_t why_size)
{
    p = emza__policy_or_default(p);
    int family = key_family_of(key);
    if (family == 0) {
        snprintf(why, why_size, "public key algorithm is unknown to the policy");
        return 0;
    }
    int bits = EVP_PKEY_get_bits(key);
    int listed = 0, expired = 0;
    unsigned int min = 0;
    int64_t latest = 0;
    for (size_t i = 0; i < p->key_count; i++) {
        const emza__policy_alg *a = &p->keys[i];
        if (a->id != family)
            continue;
        if (!listed || a->min_bits < min)
            min = a->min_bits;
        listed = 1;
        if (bits < 0 || (unsigned int)bits < a->min_bits)
            continue;
        if (!a->has_expiry || poe < a->expiry)
            return 1;
        if (!expired || a->expiry > latest)
            latest = a->expiry;
        expired = 1;
    }
    const char *fam = family == KEY_EC ? "EC" : family == KEY_RSA ? "RSA" : family == KEY_DSA ? "DSA"
                                                                                             : key_family_name(family);
    if (expired) {
        char when[EMZA_TIME_TEXT_SIZE], at[EMZA_TIME_TEXT_SIZE];
        format_time(when, sizeof(when), latest);
        format_time(at, sizeof(at), poe);
        snprintf(why, why_size,
                 "%s key of %d bits is acceptable only with a proof of existence before %s (the "
                 "earliest proof is %s)",
                 fam, bits, when, at);
    } else if (listed) {
        snprintf(why, why_size, "%s key of %d bits is under the minimum of %u", fam, bits, min);
    } else {
        snprintf(why, why_size, "%s keys are not acceptable under the policy \"%s\"", fam, p->name);
    }
    return 0;
}

int emza__policy_record(emza__level level, emza__findings *errors, emza__findings *warnings,
                        emza__findings *infos, int stage, emza_subindication sub, const char *code,
                        const char *fmt, ...)
{
    char message[EMZA_FINDING_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    if (n < 0)
        message[0] = '\0';
    switch (level) {
    case EMZA__LEVEL_FAIL:
        return emza__findings_add(errors, stage, sub, code, "%s", message);
    case EMZA__LEVEL_WARN:
        return warnings ? emza__findings_add(warnings, 0, EMZA_SUB_NONE, code, "%s", message)
                        : EMZA_OK;
    case EMZA__LEVEL_INFORM:
        return infos ? emza__findings_add(infos, 0, EMZA_SUB_NONE, code, "%s", message) : EMZA_OK;
    case EMZA__LEVEL_IGNORE:
        break;
    }
    return EMZA_OK;
}

int emza__policy_tsa_trusted(const emza_policy *p, const uint8_t sha256[32])
{
    p = emza__policy_or_default(p);
    if (p->tsa_any)
        return 1;
    for (size_t i = 0; i < p->tsa_count; i++)
        if (memcmp(p->tsas[i], sha256, 32) == 0)
            return 1;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* the JSON reader                                                           */
/* ------------------------------------------------------------------------ */

/* The JSON path of the value being read ("$.revocation.freshness.level"). */
typedef struct jpath {
    char text[192];
} jpath;

/* Paths are short (the format nests four levels); a cut one still names where it went wrong. */
static void path_key(jpath *out, const jpath *parent, const char *key)
{
    int n = snprintf(out->text, sizeof(out->text), "%s.%s", parent->text, key);
    if (n < 0)
        out->text[0] = '\0';
}

static void path_index(jpath *out, const jpath *parent, size_t index)
{
    int n = snprintf(out->text, sizeof(out->text), "%s[%zu]", parent->text, index);
    if (n < 0)
        out->text[0] = '\0';
}

#define BAD(path, ...) bad((path), __FILE__, __LINE__, __VA_ARGS__)

static int bad(const jpath *path, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int bad(const jpath *path, const char *file, int line, const char *fmt, ...)
{
    char message[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    if (n < 0)
        message[0] = '\0';
    return emza__error_set(EMZA_EFORMAT, file, line, "policy %s: %s", path->text, message);
}

/* Every key of `obj` must be one of `allowed` (NULL-terminated). */
static int check_keys(const json_t *obj, const jpath *path, const char *const *allowed)
{
    if (!json_is_object(obj))
        return BAD(path, "must be an object");
    const char *key;
    json_t *value;
    /* jansson's iteration takes a non-const object; nothing is modified */
    json_object_foreach((json_t *)(uintptr_t)obj, key, value)
    {
        (void)value;
        int known = 0;
        for (size_t i = 0; allowed[i] != NULL && !known; i++)
            known = strcmp(key, allowed[i]) == 0;
        if (!known) {
            char clip[48];
            snprintf(clip, sizeof(clip), "%s", key);
            return BAD(path, "unknown key \"%s\"", clip);
        }
    }
    return EMZA_OK;
}

static int read_string(const char **out, const json_t *v, const jpath *path)
{
    if (!json_is_string(v))
        return BAD(path, "must be a string");
    *out = json_string_value(v);
    return EMZA_OK;
}

static int read_choice(int *out, const json_t *v, const jpath *path, const char *const *names,
                       size_t count, const char *what)
{
    const char *s = NULL;
    EMZA_GUARD(read_string(&s, v, path));
    for (size_t i = 0; i < count; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (int)i;
            return EMZA_OK;
        }
    char clip[48];
    snprintf(clip, sizeof(clip), "%s", s);
    return BAD(path, "unknown %s \"%s\"", what, clip);
}

static int read_level(emza__level *out, const json_t *v, const jpath *path)
{
    int i = 0;
    EMZA_GUARD(read_choice(&i, v, path, level_names, EMZA_ARRAY_LEN(level_names),
                           "level (FAIL, WARN, INFORM or IGNORE)"));
    *out = (emza__level)i;
    return EMZA_OK;
}

static int read_time(int64_t *out, const json_t *v, const jpath *path)
{
    const char *s = NULL;
    EMZA_GUARD(read_string(&s, v, path));
    if (emza_time_parse(out, s) != EMZA_OK)
        return BAD(path, "not an ISO 8601 UTC time such as 2030-01-01T00:00:00Z");
    return EMZA_OK;
}

static int read_uint(unsigned long long *out, const json_t *v, const jpath *path,
                     unsigned long long min, unsigned long long max)
{
    if (!json_is_integer(v))
        return BAD(path, "must be an integer");
    json_int_t i = json_integer_value(v);
    if (i < 0 || (unsigned long long)i < min || (unsigned long long)i > max)
        return BAD(path, "must be between %llu and %llu", min, max);
    *out = (unsigned long long)i;
    return EMZA_OK;
}

static int read_array(size_t *count, const json_t *v, const jpath *path)
{
    if (!json_is_array(v))
        return BAD(path, "must be an array");
    *count = json_array_size(v);
    if (*count > EMZA_POLICY_ENTRIES_MAX) {
        emza__error_set(EMZA_EFORMAT, __FILE__, __LINE__,
                        "policy %s: %zu entries, more than the limit of %d", path->text, *count,
                        EMZA_POLICY_ENTRIES_MAX);
        return EMZA_EFORMAT;
    }
    return EMZA_OK;
}

/* A section's "level" member, when present. */
static int read_level_member(emza__level *out, const json_t *obj, const jpath *path)
{
    json_t *v = json_object_get(obj, "level");
    if (v == NULL)
        return EMZA_OK;
    jpath p;
    path_key(&p, path, "level");
    return read_level(out, v, &p);
}

/* A section that holds only a level: {"level": "WARN"}. */
static int read_level_section(emza__level *out, const json_t *obj, const jpath *path)
{
    static const char *const keys[] = {"level", NULL};
    EMZA_GUARD(check_keys(obj, path, keys));
    return read_level_member(out, obj, path);
}

static int read_alg_list(emza__policy_alg *out, size_t *count, const json_t *v, const jpath *path,
                         int keys_list)
{
    static const char *const digest_keys[] = {"name", "expires", NULL};
    static const char *const key_keys[] = {"name", "minBits", "expires", NULL};
    size_t n;
    EMZA_GUARD(read_array(&n, v, path));
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(v, i);
        jpath ep, fp;
        path_index(&ep, path, i);
        EMZA_GUARD(check_keys(e, &ep, keys_list ? key_keys : digest_keys));
        emza__policy_alg a = {0, 0, 0, 0};
        const json_t *name = json_object_get(e, "name");
        path_key(&fp, &ep, "name");
        if (name == NULL)
            return BAD(&ep, "\"name\" is required");
        if (keys_list) {
            const char *s = NULL;
            EMZA_GUARD(read_string(&s, name, &fp));
            for (size_t k = 0; k < EMZA_ARRAY_LEN(key_families) && a.id == 0; k++)
                if (strcmp(s, key_families[k].name) == 0)
                    a.id = key_families[k].id;
            if (a.id == 0) {
                char clip[48];
                snprintf(clip, sizeof(clip), "%s", s);
                return BAD(&fp, "unknown key algorithm \"%s\" (rsa, dsa, ec, ed25519, ed448)",
                           clip);
            }
            const json_t *bits = json_object_get(e, "minBits");
            if (bits != NULL) {
                unsigned long long b;
                path_key(&fp, &ep, "minBits");
                EMZA_GUARD(read_uint(&b, bits, &fp, 0, 16384));
                a.min_bits = (unsigned int)b;
            }
        } else {
            const char *s = NULL;
            EMZA_GUARD(read_string(&s, name, &fp));
            a.id = emza__digest_nid(s);
            if (a.id == NID_undef) {
                char clip[48];
                snprintf(clip, sizeof(clip), "%s", s);
                return BAD(&fp, "unknown digest algorithm \"%s\"", clip);
            }
        }
        const json_t *exp = json_object_get(e, "expires");
        if (exp != NULL) {
            path_key(&fp, &ep, "expires");
            EMZA_GUARD(read_time(&a.expiry, exp, &fp));
            a.has_expiry = 1;
        }
        out[i] = a;
    }
    *count = n;
    return EMZA_OK;
}

static int read_cryptographic(emza_policy *p, const json_t *obj, const jpath *path)
{
    static const char *const keys[] = {"level", "digestAlgorithms", "keyAlgorithms", NULL};
    EMZA_GUARD(check_keys(obj, path, keys));
    EMZA_GUARD(read_level_member(&p->crypto_level, obj, path));
    jpath sub;
    const json_t *v = json_object_get(obj, "digestAlgorithms");
    if (v != NULL) {
        path_key(&sub, path, "digestAlgorithms");
        EMZA_GUARD(read_alg_list(p->digests, &p->digest_count, v, &sub, 0));
    }
    v = json_object_get(obj, "keyAlgorithms");
    if (v != NULL) {
        path_key(&sub, path, "keyAlgorithms");
        EMZA_GUARD(read_alg_list(p->keys, &p->key_count, v, &sub, 1));
    }
    return EMZA_OK;
}

static int read_signature_level(emza_policy *p, const json_t *obj, const jpath *path)
{
    static const char *const keys[] = {"level", "minimum", NULL};
    EMZA_GUARD(check_keys(obj, path, keys));
    EMZA_GUARD(read_level_member(&p->sig_level_level, obj, path));
    const json_t *v = json_object_get(obj, "minimum");
    if (v != NULL) {
        jpath sub;
        path_key(&sub, path, "minimum");
        int i = 0;
        EMZA_GUARD(read_choice(&i, v, &sub, sig_level_names, EMZA_ARRAY_LEN(sig_level_names),
                               "signature level (NONE, B, T, LT or LTA)"));
        p->sig_level_min = (emza__sig_level)i;
    }
    return EMZA_OK;
}

static int read_revocation(emza_policy *p, const json_t *obj, const jpath *path)
{
    static const char *const keys[] = {"freshness", "noRevocationSource", "ocspNonceMissing", NULL};
    static const char *const fresh_keys[] = {"level", "maxAgeSeconds", NULL};
    EMZA_GUARD(check_keys(obj, path, keys));
    jpath sub, leaf;
    const json_t *v = json_object_get(obj, "freshness");
    if (v != NULL) {
        path_key(&sub, path, "freshness");
        EMZA_GUARD(check_keys(v, &sub, fresh_keys));
        EMZA_GUARD(read_level_member(&p->freshness_level, v, &sub));
        const json_t *age = json_object_get(v, "maxAgeSeconds");
        if (age != NULL && !json_is_null(age)) {
            unsigned long long a;
            path_key(&leaf, &sub, "maxAgeSeconds");
            /* at most 100 years: keeps the time arithmetic far from overflow */
            EMZA_GUARD(read_uint(&a, age, &leaf, 0, 100ull * 366 * 86400));
            p->has_max_age = 1;
            p->max_age = (int64_t)a;
        } else if (age != NULL) {
            p->has_max_age = 0;
        }
    }
    v = json_object_get(obj, "noRevocationSource");
    if (v != NULL) {
        path_key(&sub, path, "noRevocationSource");
        EMZA_GUARD(read_level_section(&p->no_source_level, v, &sub));
    }
    v = json_object_get(obj, "ocspNonceMissing");
    if (v != NULL) {
        path_key(&sub, path, "ocspNonceMissing");
        EMZA_GUARD(read_level_section(&p->nonce_level, v, &sub));
    }
    return EMZA_OK;
}

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int read_timestamps(emza_policy *p, const json_t *obj, const jpath *path)
{
    static const char *const keys[] = {"trustedTsas", NULL};
    static const char *const tsa_keys[] = {"level", "any", "certificates", NULL};
    EMZA_GUARD(check_keys(obj, path, keys));
    const json_t *v = json_object_get(obj, "trustedTsas");
    if (v == NULL)
        return EMZA_OK;
    jpath sub, leaf;
    path_key(&sub, path, "trustedTsas");
    EMZA_GUARD(check_keys(v, &sub, tsa_keys));
    EMZA_GUARD(read_level_member(&p->tsa_level, v, &sub));
    const json_t *any = json_object_get(v, "any");
    if (any != NULL) {
        path_key(&leaf, &sub, "any");
        if (!json_is_boolean(any))
            return BAD(&leaf, "must be true or false");
        p->tsa_any = json_is_true(any);
    }
    const json_t *certs = json_object_get(v, "certificates");
    if (certs != NULL) {
        path_key(&leaf, &sub, "certificates");
        size_t n;
        EMZA_GUARD(read_array(&n, certs, &leaf));
        for (size_t i = 0; i < n; i++) {
            jpath ep;
            path_index(&ep, &leaf, i);
            const char *s = NULL;
            EMZA_GUARD(read_string(&s, json_array_get(certs, i), &ep));
            if (strlen(s) != 64)
                return BAD(&ep, "must be a SHA-256 fingerprint in 64 hexadecimal digits");
            for (size_t k = 0; k < 32; k++) {
                int hi = hex_nibble(s[2 * k]), lo = hex_nibble(s[2 * k + 1]);
                if (hi < 0 || lo < 0)
                    return BAD(&ep, "must be a SHA-256 fingerprint in 64 hexadecimal digits");
                p->tsas[i][k] = (uint8_t)(hi << 4 | lo);
            }
        }
        p->tsa_count = n;
    }
    return EMZA_OK;
}

static int read_signing_certificate(emza_policy *p, const json_t *obj, const jpath *path)
{
    static const char *const keys[] = {"keyUsage", "noKeyUsage", NULL};
    EMZA_GUARD(check_keys(obj, path, keys));
    jpath sub;
    const json_t *v = json_object_get(obj, "keyUsage");
    if (v != NULL) {
        path_key(&sub, path, "keyUsage");
        EMZA_GUARD(read_level_section(&p->key_usage_level, v, &sub));
    }
    v = json_object_get(obj, "noKeyUsage");
    if (v != NULL) {
        path_key(&sub, path, "noKeyUsage");
        EMZA_GUARD(read_level_section(&p->no_key_usage_level, v, &sub));
    }
    return EMZA_OK;
}

static int read_xml(emza_policy *p, const json_t *obj, const jpath *path)
{
    static const char *const keys[] = {"transforms", NULL};
    static const char *const xf_keys[] = {"level", "allowed", NULL};
    EMZA_GUARD(check_keys(obj, path, keys));
    const json_t *v = json_object_get(obj, "transforms");
    if (v == NULL)
        return EMZA_OK;
    jpath sub, leaf;
    path_key(&sub, path, "transforms");
    EMZA_GUARD(check_keys(v, &sub, xf_keys));
    EMZA_GUARD(read_level_member(&p->transform_level, v, &sub));
    const json_t *allowed = json_object_get(v, "allowed");
    if (allowed == NULL)
        return EMZA_OK;
    path_key(&leaf, &sub, "allowed");
    size_t n;
    EMZA_GUARD(read_array(&n, allowed, &leaf));
    unsigned int mask = 0;
    for (size_t i = 0; i < n; i++) {
        jpath ep;
        path_index(&ep, &leaf, i);
        const char *s = NULL;
        EMZA_GUARD(read_string(&s, json_array_get(allowed, i), &ep));
        unsigned int bit = 0;
        for (size_t k = 0; k < EMZA_ARRAY_LEN(transforms) && bit == 0; k++)
            if (strcmp(s, transforms[k].name) == 0)
                bit = transforms[k].bit;
        for (size_t k = 0; k < EMZA_ARRAY_LEN(unsupported_transforms) && bit == 0; k++)
            if (strcmp(s, unsupported_transforms[k]) == 0)
                return BAD(&ep, "the transform \"%s\" is not supported by this build",
                           unsupported_transforms[k]);
        if (bit == 0) {
            char clip[48];
            snprintf(clip, sizeof(clip), "%s", s);
            return BAD(&ep, "unknown transform \"%s\"", clip);
        }
        mask |= bit;
    }
    p->transforms = mask;
    return EMZA_OK;
}

static int read_chain(emza_policy *p, const json_t *obj, const jpath *path)
{
    static const char *const keys[] = {"maxLength", NULL};
    EMZA_GUARD(check_keys(obj, path, keys));
    const json_t *v = json_object_get(obj, "maxLength");
    if (v != NULL) {
        jpath sub;
        path_key(&sub, path, "maxLength");
        unsigned long long n;
        /* an end certificate and its anchor at least */
        EMZA_GUARD(read_uint(&n, v, &sub, 2, EMZA_CHAIN_DEPTH_MAX));
        p->chain_max = (unsigned int)n;
    }
    return EMZA_OK;
}

static int read_policy(emza_policy *p, const json_t *root)
{
    static const char *const keys[] = {"emzaPolicy",         "name",  "description",
                                       "cryptographic",      "signatureLevel",
                                       "revocation",         "timestamps",
                                       "signingCertificate", "xml",   "chain",
                                       NULL};
    jpath top = {"$"}, sub;
    EMZA_GUARD(check_keys(root, &top, keys));

    const json_t *v = json_object_get(root, "emzaPolicy");
    path_key(&sub, &top, "emzaPolicy");
    if (v == NULL)
        return BAD(&top, "\"emzaPolicy\" (the format version, 1) is required");
    unsigned long long version;
    EMZA_GUARD(read_uint(&version, v, &sub, 1, 1));

    v = json_object_get(root, "name");
    path_key(&sub, &top, "name");
    if (v == NULL)
        return BAD(&top, "\"name\" is required");
    const char *name = NULL;
    EMZA_GUARD(read_string(&name, v, &sub));
    size_t len = json_string_length(v);
    if (len == 0 || len > EMZA_POLICY_NAME_MAX)
        return BAD(&sub, "must be 1 to %d bytes long", EMZA_POLICY_NAME_MAX);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return BAD(&sub, "must not contain control characters");
    memcpy(p->name, name, len);
    p->name[len] = '\0';

    v = json_object_get(root, "description");
    if (v != NULL) {
        const char *ignored;
        path_key(&sub, &top, "description");
        EMZA_GUARD(read_string(&ignored, v, &sub));
    }

    static const struct {
        const char *key;
        int (*read)(emza_policy *, const json_t *, const jpath *);
    } sections[] = {
        {"cryptographic", read_cryptographic},
        {"signatureLevel", read_signature_level},
        {"revocation", read_revocation},
        {"timestamps", read_timestamps},
        {"signingCertificate", read_signing_certificate},
        {"xml", read_xml},
        {"chain", read_chain},
    };
    for (size_t i = 0; i < EMZA_ARRAY_LEN(sections); i++) {
        v = json_object_get(root, sections[i].key);
        if (v == NULL)
            continue;
        path_key(&sub, &top, sections[i].key);
        EMZA_GUARD(sections[i].read(p, v, &sub));
    }
    return EMZA_OK;
}

int emza_policy_parse(emza_policy **out, const char *json, size_t len)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(json != NULL || len == 0, EMZA_EINVAL);
    EMZA_ENSURE_MSG(len <= EMZA_POLICY_FILE_MAX, EMZA_ELIMIT,
                    "the policy is %zu bytes, more than the limit of %d", len,
                    EMZA_POLICY_FILE_MAX);
    EMZA_GUARD(emza_init());
    json_error_t jerr;
    /* Duplicate keys would make a policy say two things; NUL in strings is refused by default. */
    json_t *root = json_loadb(json ? json : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        EMZA_FAIL(EMZA_EFORMAT, "policy: not valid JSON at line %d, column %d: %s", jerr.line,
                  jerr.column, jerr.text);
    int rc = EMZA_OK;
    emza_policy *p = malloc(sizeof(*p));
    EMZA_TRY_ENSURE(p != NULL, EMZA_ENOMEM, "out of memory");
    *p = builtin;
    EMZA_TRY(read_policy(p, root));
    *out = p;
    p = NULL;
cleanup:
    free(p);
    json_decref(root);
    return rc;
}

int emza_policy_load(emza_policy **out, const char *path)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(path != NULL, EMZA_EINVAL);
    emza_buf file;
    EMZA_GUARD(emza__file_read(&file, path, EMZA_POLICY_FILE_MAX));
    int rc = emza_policy_parse(out, (const char *)file.data, file.len);
    emza__buf_free(&file);
    return rc;
}
