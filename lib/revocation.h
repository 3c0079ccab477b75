/*
 * The seam for revocation checking. Chain validation (trust.c) asks this
 * module about every certificate below the anchor; today the module knows
 * whether a certificate declares a source (OCSP in authorityInfoAccess, CRL
 * distribution points) and, since neither OCSP nor CRL fetching is built yet,
 * reports a declared source as "cannot be consulted" (CONTRACT.md: such a
 * certificate is INDETERMINATE/TRY_LATER, never passed). The OCSP/CRL issue
 * replaces emza__revocation_check's body; its callers stay as they are.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_REVOCATION_H
#define EMZA_REVOCATION_H

#include <stdint.h>

#include <emza/cert.h>

typedef enum emza__revocation_status {
    EMZA__REVOCATION_NO_SOURCE = 0, /* declares no source and nothing embedded: unrestricted */
    EMZA__REVOCATION_GOOD,          /* a fresh, verified answer says good */
    EMZA__REVOCATION_REVOKED,       /* revoked at *revocation_time */
    EMZA__REVOCATION_UNAVAILABLE,   /* a source is declared but could not be consulted */
} emza__revocation_status;

typedef struct emza__revocation_request {
    const emza_cert *cert;   /* the certificate asked about */
    const emza_cert *issuer; /* its issuer in the built chain */
    int64_t validation_time;
    int offline;             /* 1: no network at all */
} emza__revocation_request;

typedef struct emza__revocation_answer {
    emza__revocation_status status;
    int64_t revocation_time; /* for REVOKED */
    char reason[256];        /* in words, for UNAVAILABLE and REVOKED */
} emza__revocation_answer;

/** Answers about one certificate. Returns EMZA_OK with an answer, or a negative code. */
int emza__revocation_check(emza__revocation_answer *out, const emza__revocation_request *req);

#endif /* EMZA_REVOCATION_H */
