/*
 * Revocation status of a certificate (see revocation.h for the seam and the
 * order of sources; ocsp.h and crl.h for what makes a statement usable).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <emza/datetime.h>

#include "cert_internal.h"
#include "crl.h"
#include "ocsp.h"
#include "revocation.h"
#include "revocation_cache.h"
#include "util/guard.h"

/* ------------------------------------------------------------------------ */
/* shared helpers                                                            */
/* ------------------------------------------------------------------------ */

static void flatten(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = ' ';
}

int emza__revocation_unusable(emza__revocation_statement *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->why, sizeof(st->why), fmt, ap);
    va_end(ap);
    flatten(st->why);
    st->usable = 0;
    return EMZA_OK;
}

int emza__revocation_unusable_ossl(emza__revocation_statement *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->why, sizeof(st->why), fmt, ap);
    va_end(ap);
    size_t used = strlen(st->why);
    const char *sep = ": ";
    unsigned long e;
    int shown = 0;
    while ((e = ERR_get_error()) != 0) {
        if (shown++ >= 3 || used + 1 >= sizeof(st->why))
            continue; /* drain the queue */
        const char *reason = ERR_reason_error_string(e);
        int n = snprintf(st->why + used, sizeof(st->why) - used, "%s%s", sep,
                         reason ? reason : "unspecified OpenSSL error");
        used = (n < 0 || (size_t)n >= sizeof(st->why) - used) ? sizeof(st->why) - 1
                                                               : used + (size_t)n;
        sep = "; ";
    }
    flatten(st->why);
    st->usable = 0;
    return EMZA_OK;
}

const char *emza__revocation_net_why(const char *url)
{
    const char *message = emza_error_last()->message;
    size_t n = strlen(url);
    if (strncmp(message, url, n) == 0 && message[n] == ':' && message[n + 1] == ' ')
        return message + n + 2;
    return message;
}

/* snprintf that may cut (messages are cut on purpose), flattened to one line. */
static void set_text(char *dst, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_text(char *dst, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, size, fmt, ap);
    va_end(ap);
    flatten(dst);
}

static void text_time(char *buf, size_t size, int64_t t)
{
    if (emza_time_format(buf, size, t) != EMZA_OK)
        snprintf(buf, size, "(time out of range)");
}

int emza__revocation_covers(char *why, size_t why_size, int64_t this_update, int64_t next_update,
                            int64_t now, int64_t validation_time)
{
    char a[EMZA_TIME_TEXT_SIZE], b[EMZA_TIME_TEXT_SIZE];
    if (this_update > now + EMZA_REVOCATION_CLOCK_SKEW) {
        text_time(a, sizeof(a), this_update);
        snprintf(why, why_size, "issued in the future (thisUpdate %s)", a);
        return 0;
    }
    /* Issued at or after the validation time: it speaks for it (a revocation is not undone). */
    if (this_update + EMZA_REVOCATION_CLOCK_SKEW >= validation_time)
        return 1;
    int64_t until =
        next_update != 0 ? next_update : this_update + EMZA_REVOCATION_NO_NEXT_UPDATE_TTL;
    if (until + EMZA_REVOCATION_CLOCK_SKEW >= validation_time)
        return 1;
    text_time(a, sizeof(a), until);
    text_time(b, sizeof(b), validation_time);
    snprintf(why, why_size, "stale: current only until %s%s, before the validation time %s", a,
             next_update != 0 ? "" : " (no nextUpdate)", b);
    return 0;
}

const char *emza__revocation_reason_name(int reason)
{
    static const char *const names[] = {
        "unspecified",          "keyCompromise", "cACompromise",    "affiliationChanged",
        "superseded",           "cessationOfOperation", "certificateHold", "unspecified",
        "removeFromCRL",        "privilegeWithdrawn",   "aACompromise",
    };
    if (reason < 0 || (size_t)reason >= EMZA_ARRAY_LEN(names))
        return "unspecified";
    return names[reason];
}

/* ------------------------------------------------------------------------ */
/* the answer                                                                */
/* ------------------------------------------------------------------------ */

/* Why each source failed, "; "-separated, cut at the answer's size. */
typedef struct reasons {
    char text[EMZA_REVOCATION_REASON_MAX];
    size_t len;
    size_t count;
} reasons;

static void reasons_add(reasons *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reasons_add(reasons *r, const char *fmt, ...)
{
    if (r->len + 1 >= sizeof(r->text))
        return;
    if (r->count > 0) {
        int n = snprintf(r->text + r->len, sizeof(r->text) - r->len, "; ");
        r->len = (n < 0 || (size_t)n >= sizeof(r->text) - r->len) ? sizeof(r->text) - 1
                                                                  : r->len + (size_t)n;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->text + r->len, sizeof(r->text) - r->len, fmt, ap);
    va_end(ap);
    r->len = (n < 0 || (size_t)n >= sizeof(r->text) - r->len) ? sizeof(r->text) - 1
                                                              : r->len + (size_t)n;
    r->count++;
}

/* Fills `out` from a usable statement. */
static void conclude(emza__revocation_answer *out, const emza__revocation_statement *st,
                     emza__revocation_source source, const char *where, int embedded, int cached)
{
    out->status = st->status;
    out->source = source;
    out->embedded = embedded;
    out->cached = cached;
    out->revocation_time = st->revocation_time;
    out->revocation_reason = st->revocation_reason;
    out->this_update = st->this_update;
    out->next_update = st->next_update;
    out->produced_at = st->produced_at;
    const char *kind = source == EMZA__REVOCATION_FROM_OCSP ? "OCSP" : "CRL";
    if (st->status == EMZA__REVOCATION_REVOKED)
        snprintf(out->reason, sizeof(out->reason), "reason %s, according to %s %s",
                 emza__revocation_reason_name(st->revocation_reason), kind, where);
    else
        snprintf(out->reason, sizeof(out->reason), "good according to %s %s", kind, where);
    flatten(out->reason);
    if (st->nonce_missing) {
        out->warning_code = "OCSP_NONCE_MISSING";
        snprintf(out->warning, sizeof(out->warning),
                 "the OCSP responder %s did not echo the request's nonce; the response is "
                 "accepted on its freshness (thisUpdate/nextUpdate) alone",
                 where);
        flatten(out->warning);
    }
}

/* Hands the DER of the statement used to the caller who asked for it. */
static int keep_der(const emza__revocation_request *req, const uint8_t *der, size_t len)
{
    if (req->used_der == NULL)
        return EMZA_OK;
    emza__buf_free(req->used_der);
    emza__buf_init(req->used_der, EMZA_CRL_MAX);
    return emza__buf_append(req->used_der, der, len);
}

static int keep_crl_der(const emza__revocation_request *req, X509_CRL *crl)
{
    if (req->used_der == NULL)
        return EMZA_OK;
    unsigned char *der = NULL;
    int len = i2d_X509_CRL(crl, &der);
    if (len <= 0) {
        OPENSSL_free(der);
        return emza__error_ossl(EMZA_ECRYPTO, __FILE__, __LINE__, "cannot encode a CRL");
    }
    int rc = keep_der(req, der, (size_t)len);
    OPENSSL_free(der);
    return rc;
}

/* When a usable statement stops being current (cache expiry). */
static int64_t expiry_of(const emza__revocation_statement *st, int64_t now)
{
    if (st->next_update != 0)
        return st->next_update;
    return now + EMZA_REVOCATION_NO_NEXT_UPDATE_TTL;
}

/* SHA-256 of the issuer's subjectPublicKey: the cache's name for the issuing key. */
static int issuer_key_hash(uint8_t out[32], const emza_cert *issuer)
{
    unsigned int len = 0;
    if (X509_pubkey_digest(emza__cert_x509(issuer), EVP_sha256(), out, &len) != 1 || len != 32)
        return emza__error_ossl(EMZA_ECRYPTO, __FILE__, __LINE__,
                                "cannot hash the issuer's public key");
    return EMZA_OK;
}

/* The OCSP cache key: issuer key hash, then the serial's content octets. */
static int ocsp_cache_key(uint8_t *key, size_t *key_len, const emza_cert *cert,
                          const emza_cert *issuer)
{
    EMZA_GUARD(issuer_key_hash(key, issuer));
    const ASN1_INTEGER *serial = X509_get0_serialNumber(emza__cert_x509(cert));
    int n = ASN1_STRING_length(serial);
    EMZA_ENSURE(n >= 0 && (size_t)n <= EMZA_REVOCATION_CACHE_KEY_MAX - 33, EMZA_ELIMIT);
    key[32] = (uint8_t)ASN1_STRING_type(serial); /* V_ASN1_INTEGER or V_ASN1_NEG_INTEGER */
    memcpy(key + 33, ASN1_STRING_get0_data(serial), (size_t)n);
    *key_len = 33 + (size_t)n;
    return EMZA_OK;
}

/* ------------------------------------------------------------------------ */
/* the sources                                                               */
/* ------------------------------------------------------------------------ */

/* Embedded OCSP responses and CRLs. *done = 1 when one of them answered. */
static int try_embedded(emza__revocation_answer *out, const emza__revocation_request *req,
                        int64_t now, reasons *why, int *done)
{
    emza__revocation_statement st;
    size_t n = req->embedded_ocsp_count;
    if (n > EMZA_REVOCATION_EMBEDDED_MAX) {
        reasons_add(why, "%zu embedded OCSP responses beyond the first %d were not examined",
                    n - EMZA_REVOCATION_EMBEDDED_MAX, EMZA_REVOCATION_EMBEDDED_MAX);
        n = EMZA_REVOCATION_EMBEDDED_MAX;
    }
    for (size_t i = 0; req->embedded_ocsp != NULL && i < n; i++) {
        EMZA_GUARD(emza__ocsp_verify_response(&st, req->embedded_ocsp[i].data,
                                              req->embedded_ocsp[i].len, req->cert, req->issuer,
                                              NULL, now, req->validation_time));
        if (st.usable) {
            EMZA_GUARD(keep_der(req, req->embedded_ocsp[i].data, req->embedded_ocsp[i].len));
            conclude(out, &st, EMZA__REVOCATION_FROM_OCSP, "(embedded response)", 1, 0);
            *done = 1;
            return EMZA_OK;
        }
        if (st.about_cert) /* data about other certificates is not this one's business */
            reasons_add(why, "embedded OCSP response: %s", st.why);
    }
    n = req->embedded_crl_count;
    if (n > EMZA_REVOCATION_EMBEDDED_MAX) {
        reasons_add(why, "%zu embedded CRLs beyond the first %d were not examined",
                    n - EMZA_REVOCATION_EMBEDDED_MAX, EMZA_REVOCATION_EMBEDDED_MAX);
        n = EMZA_REVOCATION_EMBEDDED_MAX;
    }
    for (size_t i = 0; req->embedded_crls != NULL && i < n; i++) {
        X509_CRL *crl = NULL;
        EMZA_GUARD(emza__crl_parse(&crl, &st, req->embedded_crls[i].data,
                                   req->embedded_crls[i].len));
        if (crl == NULL)
            continue; /* unreadable: whose it is cannot be known */
        int rc = emza__crl_check(&st, crl, req->cert, req->issuer, 1, now, req->validation_time);
        X509_CRL_free(crl);
        EMZA_GUARD(rc);
        if (st.usable) {
            EMZA_GUARD(keep_der(req, req->embedded_crls[i].data, req->embedded_crls[i].len));
            conclude(out, &st, EMZA__REVOCATION_FROM_CRL, "(embedded CRL)", 1, 0);
            *done = 1;
            return EMZA_OK;
        }
        if (st.about_cert)
            reasons_add(why, "embedded CRL: %s", st.why);
    }
    return EMZA_OK;
}

static int try_ocsp(emza__revocation_answer *out, const emza__revocation_request *req,
                    int64_t now, reasons *why, int *done)
{
    size_t count = emza_cert_ocsp_url_count(req->cert);
    if (count == 0)
        return EMZA_OK;
    uint8_t key[EMZA_REVOCATION_CACHE_KEY_MAX];
    size_t key_len = 0;
    int have_key = ocsp_cache_key(key, &key_len, req->cert, req->issuer) == EMZA_OK;
    emza__revocation_statement st;
    emza_buf der;

    if (have_key) {
        int nonce_missing = 0;
        int rc = emza__rcache_get_ocsp(&der, &nonce_missing, key, key_len, now);
        EMZA_ENSURE(rc != EMZA_ENOMEM, EMZA_ENOMEM);
        if (rc == EMZA_OK) {
            rc = emza__ocsp_verify_response(&st, der.data, der.len, req->cert, req->issuer, NULL,
                                            now, req->validation_time);
            if (rc == EMZA_OK && st.usable)
                rc = keep_der(req, der.data, der.len);
            emza__buf_free(&der);
            EMZA_GUARD(rc);
            if (st.usable) {
                st.nonce_missing = nonce_missing;
                conclude(out, &st, EMZA__REVOCATION_FROM_OCSP, emza_cert_ocsp_url(req->cert, 0),
                         0, 1);
                *done = 1;
                return EMZA_OK;
            }
            /* Not usable for this validation time: ask again below. */
        }
    }

    size_t tried = count < EMZA_REVOCATION_URLS_MAX ? count : EMZA_REVOCATION_URLS_MAX;
    for (size_t i = 0; i < tried; i++) {
        const char *url = emza_cert_ocsp_url(req->cert, i);
        EMZA_GUARD(emza__ocsp_fetch(&st, &der, req->net, url, req->cert, req->issuer, now,
                                    req->validation_time));
        if (st.usable) {
            if (have_key)
                emza__rcache_put_ocsp(key, key_len, der.data, der.len, st.nonce_missing,
                                      expiry_of(&st, now), now);
            int rc = keep_der(req, der.data, der.len);
            emza__buf_free(&der);
            EMZA_GUARD(rc);
            conclude(out, &st, EMZA__REVOCATION_FROM_OCSP, url, 0, 0);
            *done = 1;
            return EMZA_OK;
        }
        reasons_add(why, "OCSP %s: %s", url, st.why);
    }
    if (count > tried)
        reasons_add(why, "%zu more OCSP URLs not tried (at most %d are)", count - tried,
                    EMZA_REVOCATION_URLS_MAX);
    return EMZA_OK;
}

static int try_crls(emza__revocation_answer *out, const emza__revocation_request *req,
                    int64_t now, reasons *why, int *done)
{
    size_t count = emza_cert_crl_url_count(req->cert);
    if (count == 0)
        return EMZA_OK;
    uint8_t issuer_key[32];
    EMZA_GUARD(issuer_key_hash(issuer_key, req->issuer));
    emza__revocation_statement st;
    size_t tried = count < EMZA_REVOCATION_URLS_MAX ? count : EMZA_REVOCATION_URLS_MAX;
    for (size_t i = 0; i < tried; i++) {
        const char *url = emza_cert_crl_url(req->cert, i);
        X509_CRL *crl = NULL;
        uint8_t verified_key[32];
        int cached = emza__rcache_get_crl(&crl, verified_key, url, now) == EMZA_OK;
        if (cached) {
            int same_key = memcmp(verified_key, issuer_key, sizeof(issuer_key)) == 0;
            int rc = emza__crl_check(&st, crl, req->cert, req->issuer, !same_key, now,
                                     req->validation_time);
            if (rc == EMZA_OK && st.usable)
                rc = keep_crl_der(req, crl);
            X509_CRL_free(crl);
            crl = NULL;
            EMZA_GUARD(rc);
            if (st.usable) {
                conclude(out, &st, EMZA__REVOCATION_FROM_CRL, url, 0, 1);
                *done = 1;
                return EMZA_OK;
            }
            /* Not usable this time: download it again. */
        }
        EMZA_GUARD(emza__crl_fetch(&crl, &st, req->net, url));
        if (crl != NULL) {
            int rc = emza__crl_check(&st, crl, req->cert, req->issuer, 1, now,
                                     req->validation_time);
            if (rc == EMZA_OK && st.usable)
                rc = keep_crl_der(req, crl);
            if (rc == EMZA_OK && st.usable) {
                int der_len = i2d_X509_CRL(crl, NULL); /* the cost: its DER size */
                emza__rcache_put_crl(url, crl, issuer_key, der_len > 0 ? (size_t)der_len : 0,
                                     expiry_of(&st, now), now);
                emza__ossl_clear();
            }
            X509_CRL_free(crl);
            EMZA_GUARD(rc);
        }
        if (st.usable) {
            conclude(out, &st, EMZA__REVOCATION_FROM_CRL, url, 0, 0);
            *done = 1;
            return EMZA_OK;
        }
        reasons_add(why, "CRL %s: %s", url, st.why);
    }
    if (count > tried)
        reasons_add(why, "%zu more CRL URLs not tried (at most %d are)", count - tried,
                    EMZA_REVOCATION_URLS_MAX);
    return EMZA_OK;
}

int emza__revocation_check(emza__revocation_answer *out, const emza__revocation_request *req)
{
    EMZA_ENSURE(out != NULL && req != NULL && req->cert != NULL && req->issuer != NULL,
                EMZA_EINVAL);
    memset(out, 0, sizeof(*out));
    out->revocation_reason = -1;
    if (req->used_der != NULL)
        emza__buf_init(req->used_der, EMZA_CRL_MAX);
    int64_t now = req->now != 0 ? req->now : (int64_t)time(NULL);
    reasons why;
    memset(&why, 0, sizeof(why));
    int done = 0;

    EMZA_GUARD(try_embedded(out, req, now, &why, &done));
    if (done)
        return EMZA_OK;

    size_t ocsp = emza_cert_ocsp_url_count(req->cert);
    size_t crl = emza_cert_crl_url_count(req->cert);
    if (ocsp == 0 && crl == 0) {
        out->status = EMZA__REVOCATION_NO_SOURCE;
        set_text(out->reason, sizeof(out->reason), "%s", why.text);
        return EMZA_OK;
    }

    if (req->net == NULL || req->net->offline) {
        out->status = EMZA__REVOCATION_UNAVAILABLE;
        const char *where = ocsp > 0 ? emza_cert_ocsp_url(req->cert, 0)
                                     : emza_cert_crl_url(req->cert, 0);
        set_text(out->reason, sizeof(out->reason),
                 "revocation source %s%s cannot be consulted offline and no usable revocation "
                 "data is embedded%s%s",
                 where, ocsp + crl > 1 ? " (and others)" : "", why.count ? ": " : "", why.text);
        return EMZA_OK;
    }

    EMZA_GUARD(try_ocsp(out, req, now, &why, &done));
    if (done)
        return EMZA_OK;
    EMZA_GUARD(try_crls(out, req, now, &why, &done));
    if (done)
        return EMZA_OK;

    out->status = EMZA__REVOCATION_UNAVAILABLE;
    set_text(out->reason, sizeof(out->reason), "no usable revocation information: %s", why.text);
    return EMZA_OK;
}
