/*
 * The seam for revocation checking. Chain validation (trust.c) asks this
 * module about every certificate below the anchor and maps the answer to
 * findings; it never fetches or parses revocation data itself.
 *
 * emza__revocation_check tries, in this order, and the first *usable*
 * statement wins:
 *   1. revocation data embedded in a signature (request.embedded_*: OCSP
 *      responses, then CRLs; filled by the format modules for LT signatures),
 *   2. unless offline: the OCSP responders of authorityInfoAccess (response
 *      cache first), then the CRL distribution points (cache first).
 * A statement is usable when it is verified (signature, authorised signer,
 * about exactly this certificate) and covers the validation time
 * (emza__revocation_covers). Nothing usable: NO_SOURCE when the certificate
 * declares no source, else UNAVAILABLE with the reason of every source tried.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_REVOCATION_H
#define EMZA_REVOCATION_H

#include <stddef.h>
#include <stdint.h>

#include <emza/cert.h>

#include "http.h"
#include "util/buf.h"

/** Tolerated clock difference with a responder or CRL issuer, in seconds (both directions). */
#define EMZA_REVOCATION_CLOCK_SKEW 300
/**
 * How long a statement without nextUpdate counts as current after its
 * thisUpdate, in seconds; also how long it stays cached (RFC 6960 4.2.2.1:
 * without nextUpdate, newer information is always available).
 */
#define EMZA_REVOCATION_NO_NEXT_UPDATE_TTL 300
/** Most OCSP URLs, and most CRL URLs, consulted for one certificate; the rest are not tried. */
#define EMZA_REVOCATION_URLS_MAX 4
/** Most embedded OCSP responses, and most embedded CRLs, examined for one certificate. */
#define EMZA_REVOCATION_EMBEDDED_MAX 64
/** Longest reason kept in an answer (bytes, NUL included); longer ones are cut. */
#define EMZA_REVOCATION_REASON_MAX 640
/** Longest reason kept for one source. */
#define EMZA_REVOCATION_WHY_MAX 256

typedef enum emza__revocation_status {
    EMZA__REVOCATION_NO_SOURCE = 0, /* no source declared, nothing usable embedded: unrestricted */
    EMZA__REVOCATION_GOOD,          /* a fresh, verified answer says good */
    EMZA__REVOCATION_REVOKED,       /* revoked at revocation_time */
    EMZA__REVOCATION_UNAVAILABLE,   /* a source is declared but no usable answer was obtained */
} emza__revocation_status;

/** Where a usable statement came from. */
typedef enum emza__revocation_source {
    EMZA__REVOCATION_FROM_NONE = 0,
    EMZA__REVOCATION_FROM_OCSP,
    EMZA__REVOCATION_FROM_CRL,
} emza__revocation_source;

typedef struct emza__revocation_request {
    const emza_cert *cert;   /* the certificate asked about */
    const emza_cert *issuer; /* its issuer in the built chain */
    int64_t validation_time; /* the time the status is wanted for */
    const emza__net *net;    /* how to reach the network; NULL or net->offline: no request at all */
    /* Revocation values embedded in a signature (DER), about any certificate of its chains:
       items that are not about this certificate are skipped. NULL/0 when there are none. */
    const emza_span *embedded_ocsp; /* OCSPResponse */
    size_t embedded_ocsp_count;
    const emza_span *embedded_crls; /* CertificateList */
    size_t embedded_crl_count;
    int64_t now; /* the current time; 0: time(NULL) (tests and fuzzing fix it) */
    /* Optional (NULL: not wanted): receives the DER of the statement the answer rests on
       (an OCSPResponse or a CertificateList) when the status is GOOD or REVOKED, so that
       long-term validation material (ltv.h) can embed exactly what was verified (capped
       at EMZA_CRL_MAX). Initialised
       by emza__revocation_check whenever it is non-NULL (empty for NO_SOURCE / UNAVAILABLE);
       the caller frees it with emza__buf_free, also after an error. */
    emza_buf *used_der;
} emza__revocation_request;

typedef struct emza__revocation_answer {
    emza__revocation_status status;
    emza__revocation_source source; /* for GOOD and REVOKED */
    int embedded;                   /* 1: from embedded data */
    int cached;                     /* 1: from the response cache */
    int64_t revocation_time;        /* for REVOKED */
    int revocation_reason;          /* CRLReason code, -1 when not given */
    int64_t this_update;            /* of the statement used */
    int64_t next_update;            /* 0 when absent */
    int64_t produced_at;            /* OCSP producedAt, 0 for a CRL */
    char reason[EMZA_REVOCATION_REASON_MAX]; /* in words: why UNAVAILABLE, the reason and source of
                                                REVOKED, the source of GOOD */
    const char *warning_code;       /* NULL, or a stable code ("OCSP_NONCE_MISSING") */
    char warning[EMZA_REVOCATION_WHY_MAX];
} emza__revocation_answer;

/**
 * Answers about one certificate. Returns EMZA_OK with an answer (every
 * unusable source is part of the answer, not an error), or EMZA_EINVAL /
 * EMZA_ENOMEM. Thread-safe: the only shared state is the response cache.
 */
int emza__revocation_check(emza__revocation_answer *out, const emza__revocation_request *req);

/* ------------------------------------------------------------------------ */
/* shared by ocsp.c and crl.c                                                */
/* ------------------------------------------------------------------------ */

/** One source's verified statement about one certificate. */
typedef struct emza__revocation_statement {
    int usable;                     /* 1: verified and covers the validation time */
    int about_cert;                 /* 1: the data names this certificate's issuer (and, for
                                       OCSP, this serial); 0: it is about something else */
    emza__revocation_status status; /* GOOD or REVOKED when usable */
    int64_t revocation_time;
    int revocation_reason;          /* -1: none given */
    int64_t this_update;
    int64_t next_update;            /* 0: absent */
    int64_t produced_at;            /* OCSP only */
    int nonce_missing;              /* OCSP: a nonce was sent and not echoed */
    char why[EMZA_REVOCATION_WHY_MAX]; /* when not usable */
} emza__revocation_statement;

/** Marks `st` unusable with a reason in words; returns EMZA_OK. */
int emza__revocation_unusable(emza__revocation_statement *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/** The same, with OpenSSL's queued reasons appended in words; clears OpenSSL's queue. */
int emza__revocation_unusable_ossl(emza__revocation_statement *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * Does a statement issued at `this_update` (valid until `next_update`, 0 when
 * absent) speak for `validation_time`, judged at `now`? It must not come from
 * the future (thisUpdate <= now + skew), and either be issued at or after the
 * validation time (a certificate good at thisUpdate was good before: a
 * revocation is not undone) or still be current then (validation time <=
 * nextUpdate + skew; without nextUpdate, thisUpdate + the no-nextUpdate TTL).
 * Returns 1, or 0 with `why` filled.
 */
int emza__revocation_covers(char *why, size_t why_size, int64_t this_update, int64_t next_update,
                            int64_t now, int64_t validation_time);

/**
 * The calling thread's last error message, without a leading "URL: " (the
 * caller names the URL itself): why a request to `url` failed. Borrowed.
 */
const char *emza__revocation_net_why(const char *url);

/** The CRLReason's name ("keyCompromise"), "unspecified" for -1 or an unknown code. Static. */
const char *emza__revocation_reason_name(int reason);

#endif /* EMZA_REVOCATION_H */
