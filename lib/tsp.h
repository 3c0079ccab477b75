/*
 * RFC 3161 time-stamps (internal): asking a time-stamping authority (TSA) for
 * a token over some bytes, and checking a token — ours just received, or one
 * found in a signature — against the bytes it claims to stamp.
 *
 * Three levels, each building on the one before:
 *   emza__tsp_token_check  the token alone: CMS SignedData holding a TSTInfo,
 *                          the TSA certificate identified by the token's own
 *                          ESSCertID(v2) signing-certificate attribute (never
 *                          by whichever key fits), the token's signature, the
 *                          message imprint over `data`, genTime inside the TSA
 *                          certificate's validity, the policy's algorithms.
 *   emza__tsp_stamp        request (imprint, nonce, certReq, optional policy)
 *                          over emza__http_exchange, response status, the
 *                          token check, nonce echoed, policy as requested.
 *   emza__tsp_validate     the token check plus the TSA's chain to the trust
 *                          anchors for purpose EMZA_PURPOSE_TIMESTAMP at the
 *                          validation time (ETSI EN 319 102-1 clause 5.4), as
 *                          an ETSI indication for the report.
 *
 * OpenSSL's TS_* types build the request and decode the response and the
 * TSTInfo; the token's signature and its signer are checked through the CMS
 * API, and chain validation is ours (trust.c), so a TSA is judged by the same
 * rules, revocation and policy as every other certificate.
 *
 * Nothing here keeps state between calls: every function may run in several
 * threads at once.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_TSP_H
#define EMZA_TSP_H

#include <stdint.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>

#include <emza/cert.h>
#include <emza/indication.h>
#include <emza/trust.h>

#include "findings.h"
#include "http.h"
#include "util/buf.h"

/** Largest TimeStampResp accepted from a TSA (bytes); a longer answer is EMZA_ELIMIT. */
#define EMZA_TSP_RESPONSE_MAX (256u * 1024)
/** Largest TimeStampToken (DER ContentInfo) checked or embedded (bytes). */
#define EMZA_TSP_TOKEN_MAX (128u * 1024)
/** Most signature timestamps validated on one signature; more is EMZA_ELIMIT. */
#define EMZA_TSP_TIMESTAMPS_MAX 16
/** Random bits in a request's nonce. */
#define EMZA_TSP_NONCE_BITS 64
/**
 * Seconds by which a claimed signing time may follow a timestamp's genTime
 * (besides the token's own accuracy) before the order is incoherent: the
 * signer's clock and the TSA's may disagree a little.
 */
#define EMZA_TSP_CLOCK_SKEW_MAX 300
/** Longest policy OID text kept. */
#define EMZA_TSP_OID_MAX 128

/**
 * The stage (findings.h) of time checks that come after the basic validation
 * stages of verify_internal.h (EMZA_STAGE_ACCEPTANCE is 5): ETSI EN 319 102-1
 * clause 5.5 runs them on top of the basic validation.
 */
#define EMZA_STAGE_TIMESTAMP 6

/** What the token check found; each maps to an ETSI indication (emza__tsp_verdict_sub). */
typedef enum emza__tsp_verdict {
    EMZA__TSP_OK = 0,         /* the token is sound (its TSA chain is not judged here) */
    EMZA__TSP_FORMAT,         /* FAILED/FORMAT_FAILURE: not a TimeStampToken, bad TSTInfo */
    EMZA__TSP_HASH,           /* FAILED/HASH_FAILURE: the imprint is over other data */
    EMZA__TSP_SIGNATURE,      /* FAILED/SIG_CRYPTO_FAILURE: the token's signature is bad */
    EMZA__TSP_NO_TSA_CERT,    /* INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND */
    EMZA__TSP_NOT_YET_VALID,  /* FAILED/NOT_YET_VALID: genTime before the TSA certificate */
    EMZA__TSP_EXPIRED,        /* FAILED/EXPIRED: genTime after the TSA certificate */
    EMZA__TSP_WEAK_ALGORITHM, /* INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE_NO_POE */
} emza__tsp_verdict;

/** What a token says and what its check found. Released with emza__tsp_token_free. */
typedef struct emza__tsp_token {
    emza__tsp_verdict verdict;
    char message[EMZA_FINDING_MESSAGE_MAX]; /* the reason in words when not OK, else "" */
    int has_time;                /* genTime could be read */
    int64_t gen_time;            /* seconds since the epoch (fractions dropped) */
    int has_accuracy;
    int64_t accuracy_us;         /* the TSTInfo accuracy in microseconds */
    char policy[EMZA_TSP_OID_MAX]; /* the TSA policy OID, "" when unreadable */
    int imprint_md_nid;          /* the message imprint's digest (NID_undef when unknown) */
    ASN1_INTEGER *nonce;         /* the echoed nonce, or NULL */
    emza_cert *tsa_cert;         /* the TSA certificate the token identifies, or NULL */
    emza_cert_list *certs;       /* the certificates the token carries (possibly empty) */
} emza__tsp_token;

/** Releases what the fields hold and zeroes them; accepts a zeroed struct. */
void emza__tsp_token_free(emza__tsp_token *token);

/**
 * Checks the DER TimeStampToken `token` as a stamp over `data` (the imprint
 * must be the hash of exactly these bytes). The TSA certificate is looked for
 * among the token's certificates, then `extra` (may be NULL), and must match
 * both the SignerInfo's identifier and the first ESSCertID(v2) of its
 * signing-certificate attribute. On EMZA_OK `*out` holds the verdict (sound
 * or not); errors: EMZA_ELIMIT (longer than EMZA_TSP_TOKEN_MAX), EMZA_ENOMEM.
 */
int emza__tsp_token_check(emza__tsp_token *out, const uint8_t *token, size_t len,
                          const uint8_t *data, size_t data_len, const emza_cert_list *extra);

/** The ETSI indication and sub-indication a verdict stands for. */
emza_subindication emza__tsp_verdict_sub(emza__tsp_verdict verdict);

/**
 * Asks the TSA at `url` for a timestamp over `data`: TimeStampReq v1 with the
 * `md` imprint, a EMZA_TSP_NONCE_BITS-bit random nonce, certReq true and
 * `policy_oid` (NULL: the TSA's default). The response must be granted (or
 * granted with modifications), and its token must pass emza__tsp_token_check,
 * echo the nonce, carry the requested policy and the requested digest.
 * On EMZA_OK `token_out` (initialised here) holds the token's DER exactly as
 * the TSA sent it, and `info` (may be NULL; zeroed here) what it says.
 * Errors: EMZA_ENETWORK (offline, unreachable, timeout, HTTP error, a status
 * other than granted), EMZA_ELIMIT (a response over EMZA_TSP_RESPONSE_MAX or
 * a token over EMZA_TSP_TOKEN_MAX), EMZA_EFORMAT (not a TimeStampResp), EMZA_ECRYPTO
 * (a token that does not verify, over other data, for another nonce or
 * policy), EMZA_EINVAL, EMZA_EUNSUPPORTED (a URL scheme other than http).
 */
int emza__tsp_stamp(emza_buf *token_out, emza__tsp_token *info, const emza__net *net,
                    const char *url, const EVP_MD *md, const char *policy_oid,
                    const uint8_t *data, size_t len);

/** Where and when a timestamp's TSA is validated. */
typedef struct emza__tsp_context {
    const emza_trust *trust;               /* anchors; NULL trusts no TSA */
    const emza_cert_list *helpers[2];      /* extra certificates for chains (each may be NULL) */
    int64_t validation_time;
    int offline;
    const emza_policy *policy;             /* NULL: the built-in default (trustedTsas, chain) */
    const struct emza__revocation_values *embedded; /* revocation values the signature carries,
                                                       or NULL (trust_internal.h) */
    const emza__net *net; /* timeout and transport for the TSA chain's revocation requests, or
                             NULL for the defaults (`offline` still decides) */
} emza__tsp_context;

/** A timestamp's validation: the token and the ETSI verdict (emza__tsp_validation_free). */
typedef struct emza__tsp_validation {
    emza__tsp_token token;
    emza_indication indication;             /* TOTAL_PASSED, TOTAL_FAILED or INDETERMINATE */
    emza_subindication sub;                 /* EMZA_SUB_NONE when passed */
    char message[EMZA_FINDING_MESSAGE_MAX]; /* the deciding reason, "" when passed */
    emza__findings warnings;                /* remarks on the TSA's chain (stage 0) */
    emza__findings infos;                   /* the policy's INFORM entries (stage 0) */
} emza__tsp_validation;

/**
 * Validates the timestamp `token` over `data` (ETSI EN 319 102-1 clause 5.4):
 * emza__tsp_token_check, then the TSA certificate's chain (the token's
 * certificates and `cx->helpers` help to build it) for purpose TIMESTAMP at
 * `cx->validation_time`. `*out` is zeroed here. Errors only when no verdict
 * could be reached (EMZA_ELIMIT, EMZA_ENOMEM, ...); `*out` is freed then.
 */
int emza__tsp_validate(emza__tsp_validation *out, const uint8_t *token, size_t len,
                       const uint8_t *data, size_t data_len, const emza__tsp_context *cx);

void emza__tsp_validation_free(emza__tsp_validation *v);

/** The report's words for a timestamp's indication: "PASSED", "FAILED", "INDETERMINATE". */
const char *emza__tsp_indication_word(emza_indication indication);

/**
 * A new signature exists before it is stamped: EMZA_EINVAL (in words) when
 * the claimed signing time is after the token's genTime beyond its accuracy
 * and EMZA_TSP_CLOCK_SKEW_MAX, else EMZA_OK.
 */
int emza__tsp_check_order(int64_t claimed_time, const emza__tsp_token *token);

#endif /* EMZA_TSP_H */
