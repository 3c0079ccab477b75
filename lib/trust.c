/*
 * Trust anchors and certificate-chain validation (see include/emza/trust.h
 * for the order in which checks decide the verdict).
 *
 * OpenSSL builds the chain and checks signatures and CA constraints; this
 * module classifies what OpenSSL found into ETSI sub-indications and adds the
 * checks OpenSSL does not make our way: the validity period (with dates in
 * the message), the purpose of the end certificate, revocation (through the
 * revocation seam) and the policy's algorithm limits.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <emza/core.h>
#include <emza/datetime.h>
#include <emza/trust.h>

#include "cert_internal.h"
#include "crypto_policy.h"
#include "findings.h"
#include "revocation.h"
#include "trust_internal.h"
#include "util/guard.h"

struct emza_trust {
    atomic_int refs;
    emza_cert_list *anchors;
    X509_STORE *store;
};

/* ------------------------------------------------------------------------ */
/* the store                                                                 */
/* ------------------------------------------------------------------------ */

static void trust_destroy(emza_trust *t)
{
    X509_STORE_free(t->store);
    emza_cert_list_free(t->anchors);
    free(t);
}

int emza_trust_new(emza_trust **out, const emza_cert_list *anchors)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE_MSG(anchors != NULL && emza_cert_list_count(anchors) > 0, EMZA_EINVAL,
                    "a trust store needs at least one certificate");
    EMZA_GUARD(emza_init());
    emza_trust *t = calloc(1, sizeof(*t));
    EMZA_ENSURE(t != NULL, EMZA_ENOMEM);
    atomic_init(&t->refs, 1);
    int rc = EMZA_OK;
    EMZA_TRY(emza_cert_list_new(&t->anchors));
    t->store = X509_STORE_new();
    EMZA_TRY_ENSURE(t->store != NULL, EMZA_ENOMEM, "out of memory");
    for (size_t i = 0; i < emza_cert_list_count(anchors); i++) {
        const emza_cert *c = emza_cert_list_get(anchors, i);
        EMZA_TRY(emza_cert_list_add(t->anchors, c));
        EMZA_TRY_OSSL(X509_STORE_add_cert(t->store, emza__cert_x509(c)), EMZA_ECRYPTO,
                      "cannot add %s to the trust store", emza__cert_display_name(c));
    }
    *out = t;
    t = NULL;
cleanup:
    if (t != NULL)
        trust_destroy(t);
    return rc;
}

int emza_trust_load(emza_trust **out, const char *const *paths, size_t count)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE_MSG(paths != NULL && count > 0, EMZA_EINVAL, "no trust anchors given");
    emza_cert_list *list = NULL;
    EMZA_GUARD(emza_cert_list_new(&list));
    int rc = EMZA_OK;
    for (size_t i = 0; i < count; i++)
        EMZA_TRY(emza_cert_list_add_path(list, paths[i]));
    EMZA_TRY(emza_trust_new(out, list));
cleanup:
    emza_cert_list_free(list);
    return rc;
}

emza_trust *emza_trust_dup(const emza_trust *trust)
{
    if (trust == NULL)
        return NULL;
    emza_trust *t = (emza_trust *)(uintptr_t)trust; /* the count is the only mutable field */
    atomic_fetch_add(&t->refs, 1);
    return t;
}

void emza_trust_free(emza_trust *trust)
{
    if (trust != NULL && atomic_fetch_sub(&trust->refs, 1) == 1)
        trust_destroy(trust);
}

size_t emza_trust_count(const emza_trust *trust)
{
    return trust ? emza_cert_list_count(trust->anchors) : 0;
}

const emza_cert *emza_trust_get(const emza_trust *trust, size_t index)
{
    return trust ? emza_cert_list_get(trust->anchors, index) : NULL;
}

int emza_chain_options_init(emza_chain_options *opts, unsigned int version)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE_MSG(version == EMZA_CHAIN_OPTIONS_VERSION, EMZA_EVERSION,
                    "chain options version %u is not supported (this library knows %u)", version,
                    EMZA_CHAIN_OPTIONS_VERSION);
    emza_chain_options defaults = EMZA_CHAIN_OPTIONS_INIT;
    *opts = defaults;
    return EMZA_OK;
}

/* ------------------------------------------------------------------------ */
/* findings and the result                                                   */
/* ------------------------------------------------------------------------ */

/* The checks in deciding order (include/emza/trust.h). */
typedef enum stage {
    STAGE_CHAIN = 1,
    STAGE_GENERAL,
    STAGE_CONSTRAINTS,
    STAGE_REVOCATION,
    STAGE_VALIDITY,
    STAGE_CRYPTO,
} stage;

struct emza_chain_result {
    emza_indication indication;
    emza_subindication sub;
    int64_t validation_time;
    emza_cert **chain;
    size_t chain_len;
    emza__findings errors;
    emza__findings warnings;
};

#define ADD_ERROR(r, st, sub, code, ...)                                                           \
    EMZA_GUARD(emza__findings_add(&(r)->errors, (st), (sub), (code), __VA_ARGS__))
#define ADD_WARNING(r, code, ...)                                                                  \
    EMZA_GUARD(emza__findings_add(&(r)->warnings, 0, EMZA_SUB_NONE, (code), __VA_ARGS__))

static void decide(emza_chain_result *r)
{
    emza__findings_rank(&r->errors);
    r->sub = emza__findings_decide(&r->errors);
    r->indication = emza_subindication_indication(r->sub);
}

void emza_chain_result_free(emza_chain_result *result)
{
    if (result == NULL)
        return;
    for (size_t i = 0; i < result->chain_len; i++)
        emza_cert_free(result->chain[i]);
    free(result->chain);
    emza__findings_free(&result->errors);
    emza__findings_free(&result->warnings);
    free(result);
}

/* ------------------------------------------------------------------------ */
/* OpenSSL's findings                                                        */
/* ------------------------------------------------------------------------ */

/* What OpenSSL reported during chain building, collected by the callback. */
typedef struct ossl_errors {
    int code[EMZA_FINDINGS_MAX];
    int depth[EMZA_FINDINGS_MAX];
    size_t count;
} ossl_errors;

static int verify_callback(int ok, X509_STORE_CTX *ctx)
{
    if (ok)
        return 1;
    ossl_errors *errs = X509_STORE_CTX_get_app_data(ctx);
    int code = X509_STORE_CTX_get_error(ctx);
    int depth = X509_STORE_CTX_get_error_depth(ctx);
    if (errs != NULL) {
        int seen = 0;
        for (size_t i = 0; i < errs->count; i++)
            seen |= errs->code[i] == code && errs->depth[i] == depth;
        if (!seen && errs->count < EMZA_FINDINGS_MAX) {
            errs->code[errs->count] = code;
            errs->depth[errs->count] = depth;
            errs->count++;
        }
    }
    /* Go on: every problem is collected and ranked by decide(). */
    return 1;
}

static int classify_ossl_error(emza_chain_result *r, int code, const char *who)
{
    const char *words = X509_verify_cert_error_string(code);
    switch (code) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_CHAIN_TOO_LONG:
        ADD_ERROR(r, STAGE_CHAIN, EMZA_SUB_NO_CERTIFICATE_CHAIN_FOUND, "NO_CHAIN",
                  "no chain from %s to a trust anchor: %s", who, words);
        return EMZA_OK;
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_EE_KEY_TOO_SMALL:
    case X509_V_ERR_CA_KEY_TOO_SMALL:
    case X509_V_ERR_CA_MD_TOO_WEAK:
        return EMZA_OK; /* checked by this module, with dates and the policy's words */
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
    case X509_V_ERR_INVALID_PURPOSE:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
    case X509_V_ERR_INVALID_NON_CA:
    case X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED:
    case X509_V_ERR_INVALID_POLICY_EXTENSION:
    case X509_V_ERR_NO_EXPLICIT_POLICY:
    case X509_V_ERR_PERMITTED_VIOLATION:
    case X509_V_ERR_EXCLUDED_VIOLATION:
    case X509_V_ERR_SUBTREE_MINMAX:
    case X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE:
    case X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX:
    case X509_V_ERR_UNSUPPORTED_NAME_SYNTAX:
        ADD_ERROR(r, STAGE_CONSTRAINTS, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "CA_CONSTRAINTS",
                  "%s: %s", who, words);
        return EMZA_OK;
    default:
        ADD_ERROR(r, STAGE_GENERAL, EMZA_SUB_CERTIFICATE_CHAIN_GENERAL_FAILURE, "CERT_INVALID",
                  "%s: %s", who, words);
        return EMZA_OK;
    }
}

/* ------------------------------------------------------------------------ */
/* this module's checks                                                      */
/* ------------------------------------------------------------------------ */

static int check_purpose(emza_chain_result *r, const emza_cert *leaf, emza_purpose purpose)
{
    const char *who = emza__cert_display_name(leaf);
    unsigned int ku = emza_cert_key_usage(leaf);
    int has_ku = emza_cert_has_key_usage(leaf);
    /* Keys reserved for timestamps (RFC 3161 2.3) or OCSP responses (RFC 6960 4.2.2.2) sign nothing else. */
    const unsigned int reserved = EMZA_EKU_TIME_STAMPING | EMZA_EKU_OCSP_SIGNING;
    unsigned int eku = emza_cert_ext_key_usage(leaf);
    if ((purpose == EMZA_PURPOSE_SIGN || purpose == EMZA_PURPOSE_AUTH) &&
        emza_cert_has_ext_key_usage(leaf) && (eku & reserved) && !(eku & ~reserved))
        ADD_ERROR(r, STAGE_CONSTRAINTS, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "EXT_KEY_USAGE",
                  "%s is reserved for %s: its extendedKeyUsage allows nothing else", who,
                  (eku & EMZA_EKU_TIME_STAMPING) ? "timestamping" : "OCSP responses");
    switch (purpose) {
    case EMZA_PURPOSE_ANY:
        return EMZA_OK;
    case EMZA_PURPOSE_SIGN:
        if (!has_ku)
            ADD_WARNING(r, "NO_KEY_USAGE",
                        "%s has no keyUsage extension: unrestricted under RFC 5280", who);
        else if (!(ku & EMZA_KU_NON_REPUDIATION))
            ADD_ERROR(r, STAGE_CONSTRAINTS, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "KEY_USAGE",
                      "%s is not for signing: its keyUsage lacks nonRepudiation (contentCommitment)",
                      who);
        return EMZA_OK;
    case EMZA_PURPOSE_AUTH:
        if (!has_ku)
            ADD_WARNING(r, "NO_KEY_USAGE",
                        "%s has no keyUsage extension: unrestricted under RFC 5280", who);
        else if (!(ku & EMZA_KU_DIGITAL_SIGNATURE))
            ADD_ERROR(r, STAGE_CONSTRAINTS, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "KEY_USAGE",
                      "%s is not for authentication: its keyUsage lacks digitalSignature", who);
        if (emza_cert_has_ext_key_usage(leaf) &&
            !(emza_cert_ext_key_usage(leaf) & (EMZA_EKU_CLIENT_AUTH | EMZA_EKU_ANY)))
            ADD_ERROR(r, STAGE_CONSTRAINTS, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "EXT_KEY_USAGE",
                      "%s is not for authentication: its extendedKeyUsage lacks clientAuth", who);
        return EMZA_OK;
    case EMZA_PURPOSE_TIMESTAMP: {
        /* RFC 3161 section 2.3: the only key purpose, and the extension critical. */
        int crit = -1;
        EXTENDED_KEY_USAGE *ext =
            X509_get_ext_d2i(emza__cert_x509(leaf), NID_ext_key_usage, &crit, NULL);
        EXTENDED_KEY_USAGE_free(ext);
        emza__ossl_clear();
        if (!emza_cert_has_ext_key_usage(leaf) || eku != EMZA_EKU_TIME_STAMPING || crit != 1)
            ADD_ERROR(r, STAGE_CONSTRAINTS, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "EXT_KEY_USAGE",
                      "%s is not a time-stamping authority: its extendedKeyUsage must be "
                      "timeStamping alone and critical",
                      who);
        if (has_ku && !(ku & (EMZA_KU_DIGITAL_SIGNATURE | EMZA_KU_NON_REPUDIATION)))
            ADD_ERROR(r, STAGE_CONSTRAINTS, EMZA_SUB_CHAIN_CONSTRAINTS_FAILURE, "KEY_USAGE",
                      "%s cannot sign timestamps: its keyUsage lacks digitalSignature and "
                      "nonRepudiation",
                      who);
        return EMZA_OK;
    }
    }
    return EMZA_OK;
}

static void format_time(char *buf, size_t size, int64_t t)
{
    if (emza_time_format(buf, size, t) != EMZA_OK)
        snprintf(buf, size, "(time out of range)");
}

static int check_validity(emza_chain_result *r, const emza_cert *c, int is_leaf)
{
    char when[EMZA_TIME_TEXT_SIZE], at[EMZA_TIME_TEXT_SIZE];
    const char *who = emza__cert_display_name(c);
    format_time(at, sizeof(at), r->validation_time);
    if (r->validation_time < emza_cert_not_before(c)) {
        format_time(when, sizeof(when), emza_cert_not_before(c));
        if (is_leaf)
            ADD_ERROR(r, STAGE_VALIDITY, EMZA_SUB_NOT_YET_VALID, "CERT_NOT_YET_VALID",
                      "%s is not valid before %s (validation time %s)", who, when, at);
        else
            ADD_ERROR(r, STAGE_VALIDITY, EMZA_SUB_OUT_OF_BOUNDS_NO_POE, "CA_NOT_YET_VALID",
                      "issuing CA %s is not valid before %s (validation time %s)", who, when, at);
    } else if (r->validation_time > emza_cert_not_after(c)) {
        format_time(when, sizeof(when), emza_cert_not_after(c));
        ADD_ERROR(r, STAGE_VALIDITY, EMZA_SUB_OUT_OF_BOUNDS_NO_POE,
                  is_leaf ? "CERT_EXPIRED" : "CA_EXPIRED",
                  "%s%s expired on %s, before the validation time %s, and no proof of existence "
                  "from before then is available",
                  is_leaf ? "" : "issuing CA ", who, when, at);
    }
    return EMZA_OK;
}

static int check_algorithms(emza_chain_result *r, const emza_cert *c)
{
    X509 *x = emza__cert_x509(c);
    const char *who = emza__cert_display_name(c);
    int md_nid = NID_undef;
    if (X509_get_signature_info(x, &md_nid, NULL, NULL, NULL) != 1) {
        emza__ossl_clear();
        md_nid = NID_undef;
    }
    const char *why = NULL;
    if (!emza__policy_digest_ok(md_nid, &why))
        ADD_ERROR(r, STAGE_CRYPTO, EMZA_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE, "WEAK_ALGORITHM",
                  "%s is signed with %s: %s", who, emza_cert_signature_algorithm(c), why);
    char key_why[160];
    const EVP_PKEY *key = X509_get0_pubkey(x);
    if (key == NULL || !emza__policy_key_ok(key, key_why, sizeof(key_why)))
        ADD_ERROR(r, STAGE_CRYPTO, EMZA_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE, "WEAK_KEY",
                  "%s: %s", who, key == NULL ? "public key cannot be decoded" : key_why);
    return EMZA_OK;
}

static int check_revocation(emza_chain_result *r, const emza_cert *c, const emza_cert *issuer,
                            int is_leaf, const emza__net *net, const emza__chain_extra *extra)
{
    emza__revocation_request req;
    memset(&req, 0, sizeof(req));
    req.cert = c;
    req.issuer = issuer;
    req.validation_time = r->validation_time;
    req.net = net;
    if (extra != NULL && extra->embedded != NULL) {
        req.embedded_ocsp = extra->embedded->ocsp;
        req.embedded_ocsp_count = extra->embedded->ocsp_count;
        req.embedded_crls = extra->embedded->crls;
        req.embedded_crl_count = extra->embedded->crl_count;
    }
    emza_buf der;
    emza__buf_init(&der, 0); /* re-initialised by the check; freed on every path */
    if (extra != NULL && extra->observe != NULL)
        req.used_der = &der;
    emza__revocation_answer ans;
    const char *who = emza__cert_display_name(c);
    int rc = emza__revocation_check(&ans, &req);
    if (rc == EMZA_OK && req.used_der != NULL)
        rc = extra->observe(extra->observe_ctx, c, issuer, &ans, &der);
    emza__buf_free(&der);
    EMZA_GUARD(rc);
    if (ans.warning_code != NULL)
        ADD_WARNING(r, ans.warning_code, "%s: %s", who, ans.warning);
    switch (ans.status) {
    case EMZA__REVOCATION_NO_SOURCE:
        ADD_WARNING(r, "NO_REVOCATION_SOURCE",
                    "%s declares no revocation source (no OCSP URL, no CRL distribution point) "
                    "and none is embedded",
                    who);
        break;
    case EMZA__REVOCATION_GOOD:
        break;
    case EMZA__REVOCATION_UNAVAILABLE:
        ADD_ERROR(r, STAGE_REVOCATION, EMZA_SUB_TRY_LATER, "REVOCATION_UNAVAILABLE", "%s: %s", who,
                  ans.reason);
        break;
    case EMZA__REVOCATION_REVOKED: {
        char when[EMZA_TIME_TEXT_SIZE];
        format_time(when, sizeof(when), ans.revocation_time);
        if (ans.revocation_time <= r->validation_time)
            ADD_ERROR(r, STAGE_REVOCATION,
                      is_leaf ? EMZA_SUB_REVOKED : EMZA_SUB_REVOKED_CA_NO_POE, "REVOKED",
                      "%s was revoked on %s%s%s", who, when, ans.reason[0] ? ": " : "",
                      ans.reason);
        break;
    }
    }
    return EMZA_OK;
}

/* ------------------------------------------------------------------------ */
/* verification                                                              */
/* ------------------------------------------------------------------------ */

static int run_openssl(emza_chain_result *r, const emza_trust *trust, const emza_cert *cert,
                       const emza_chain_options *opts, int *chain_found)
{
    int rc = EMZA_OK;
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    STACK_OF(X509) *chain = NULL;
    ossl_errors errs;
    memset(&errs, 0, sizeof(errs));
    EMZA_TRY_ENSURE(ctx != NULL && untrusted != NULL, EMZA_ENOMEM, "out of memory");

    for (size_t i = 0; opts->untrusted && i < emza_cert_list_count(opts->untrusted); i++)
        EMZA_TRY_ENSURE(sk_X509_push(untrusted,
                                     emza__cert_x509(emza_cert_list_get(opts->untrusted, i))) > 0,
                        EMZA_ENOMEM, "out of memory");

    EMZA_TRY_OSSL(X509_STORE_CTX_init(ctx, trust->store, emza__cert_x509(cert), untrusted),
                  EMZA_ECRYPTO, "cannot start chain validation");
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
    /* Every certificate in the store is an anchor, intermediates included. */
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    X509_VERIFY_PARAM_set_time(param, (time_t)r->validation_time);
    /* OpenSSL's depth counts the intermediate CAs only (not the end certificate, not the anchor). */
    X509_VERIFY_PARAM_set_depth(param, EMZA_CHAIN_DEPTH_MAX - 2);
    /* Algorithm strength is this module's policy, not OpenSSL's security level. */
    X509_VERIFY_PARAM_set_auth_level(param, -1);
    X509_STORE_CTX_set_app_data(ctx, &errs);
    X509_STORE_CTX_set_verify_cb(ctx, verify_callback);

    int verified = X509_verify_cert(ctx);
    emza__ossl_clear();
    EMZA_TRY_ENSURE(verified >= 0, EMZA_ECRYPTO, "chain validation could not run");

    /* The chain as built, leaf first (partial when no anchor was reached). */
    chain = X509_STORE_CTX_get1_chain(ctx);
    size_t n = chain ? (size_t)sk_X509_num(chain) : 0;
    r->chain = calloc(n > 0 ? n : 1, sizeof(*r->chain));
    EMZA_TRY_ENSURE(r->chain != NULL, EMZA_ENOMEM, "out of memory");
    r->chain[0] = emza_cert_dup(cert); /* the caller's own object stands for the leaf */
    r->chain_len = 1;
    for (size_t i = 1; i < n; i++) {
        EMZA_TRY(emza__cert_from_x509(&r->chain[i], sk_X509_value(chain, (int)i)));
        r->chain_len++;
    }

    int found = 1;
    for (size_t i = 0; i < errs.count; i++) {
        int depth = errs.depth[i];
        const char *who = (depth >= 0 && (size_t)depth < r->chain_len)
                              ? emza__cert_display_name(r->chain[depth])
                              : "a certificate of the chain";
        size_t before = r->errors.count;
        EMZA_TRY(classify_ossl_error(r, errs.code[i], who));
        if (r->errors.count > before && r->errors.items[before].stage == STAGE_CHAIN)
            found = 0;
    }
    *chain_found = found;

cleanup:
    sk_X509_pop_free(chain, X509_free);
    sk_X509_free(untrusted);
    X509_STORE_CTX_free(ctx);
    emza__ossl_clear();
    return rc;
}

int emza_trust_verify(emza_chain_result **out, const emza_trust *trust, const emza_cert *cert,
                      const emza_chain_options *opts)
{
    return emza__trust_verify_ex(out, trust, cert, opts, NULL);
}

int emza__trust_verify_ex(emza_chain_result **out, const emza_trust *trust, const emza_cert *cert,
                          const emza_chain_options *opts, const emza__chain_extra *extra)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(trust != NULL && cert != NULL, EMZA_EINVAL);
    emza_chain_options defaults = EMZA_CHAIN_OPTIONS_INIT;
    if (opts == NULL)
        opts = &defaults;
    EMZA_ENSURE_MSG(opts->version == EMZA_CHAIN_OPTIONS_VERSION, EMZA_EVERSION,
                    "chain options version %u is not supported (this library knows %u)",
                    opts->version, EMZA_CHAIN_OPTIONS_VERSION);
    EMZA_ENSURE_MSG(opts->purpose == EMZA_PURPOSE_ANY || opts->purpose == EMZA_PURPOSE_SIGN ||
                        opts->purpose == EMZA_PURPOSE_AUTH || opts->purpose == EMZA_PURPOSE_TIMESTAMP,
                    EMZA_EINVAL, "unknown purpose %d", (int)opts->purpose);
    EMZA_GUARD(emza_init());

    emza_chain_result *r = calloc(1, sizeof(*r));
    EMZA_ENSURE(r != NULL, EMZA_ENOMEM);
    int rc = EMZA_OK;
    r->validation_time = opts->has_validation_time ? opts->validation_time : (int64_t)time(NULL);
    EMZA_TRY_ENSURE(r->validation_time >= EMZA_TIME_MIN && r->validation_time <= EMZA_TIME_MAX,
                    EMZA_EINVAL, "validation time out of range");

    int chain_found = 0;
    EMZA_TRY(run_openssl(r, trust, cert, opts, &chain_found));

    EMZA_TRY(check_purpose(r, cert, opts->purpose));

    /*
     * Below the anchor: every certificate but the last of a complete chain.
     * The anchor's own dates, key and signature are not checked (RFC 5280
     * section 6.1: a trust anchor is an input to path validation, not a
     * certificate in the path).
     */
    emza__net net = {opts->offline, opts->timeout_seconds, opts->transport, opts->transport_ctx};
    size_t below = chain_found ? r->chain_len - 1 : r->chain_len;
    for (size_t i = 0; i < below; i++) {
        if (chain_found)
            EMZA_TRY(check_revocation(r, r->chain[i], r->chain[i + 1], i == 0, &net, extra));
        EMZA_TRY(check_validity(r, r->chain[i], i == 0));
        EMZA_TRY(check_algorithms(r, r->chain[i]));
    }

    decide(r);
    *out = r;
    r = NULL;
cleanup:
    emza_chain_result_free(r);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* result getters                                                            */
/* ------------------------------------------------------------------------ */

emza_indication emza_chain_result_indication(const emza_chain_result *result)
{
    return result ? result->indication : EMZA_INDETERMINATE;
}

emza_subindication emza_chain_result_subindication(const emza_chain_result *result)
{
    return result ? result->sub : EMZA_SUB_NONE;
}

const char *emza_chain_result_message(const emza_chain_result *result)
{
    if (result == NULL || result->errors.count == 0)
        return "";
    return result->errors.items[0].message;
}

int64_t emza_chain_result_validation_time(const emza_chain_result *result)
{
    return result ? result->validation_time : 0;
}

size_t emza_chain_result_chain_length(const emza_chain_result *result)
{
    return result ? result->chain_len : 0;
}

const emza_cert *emza_chain_result_chain_cert(const emza_chain_result *result, size_t index)
{
    return (result && index < result->chain_len) ? result->chain[index] : NULL;
}

size_t emza_chain_result_warning_count(const emza_chain_result *result)
{
    return result ? result->warnings.count : 0;
}

const char *emza_chain_result_warning_code(const emza_chain_result *result, size_t index)
{
    return (result && index < result->warnings.count) ? result->warnings.items[index].code : NULL;
}

const char *emza_chain_result_warning_message(const emza_chain_result *result, size_t index)
{
    return (result && index < result->warnings.count) ? result->warnings.items[index].message : NULL;
}

size_t emza_chain_result_error_count(const emza_chain_result *result)
{
    return result ? result->errors.count : 0;
}

const char *emza_chain_result_error_code(const emza_chain_result *result, size_t index)
{
    return (result && index < result->errors.count) ? result->errors.items[index].code : NULL;
}

const char *emza_chain_result_error_message(const emza_chain_result *result, size_t index)
{
    return (result && index < result->errors.count) ? result->errors.items[index].message : NULL;
}

emza_subindication emza_chain_result_error_subindication(const emza_chain_result *result,
                                                         size_t index)
{
    return (result && index < result->errors.count) ? result->errors.items[index].sub
                                                    : EMZA_SUB_NONE;
}
