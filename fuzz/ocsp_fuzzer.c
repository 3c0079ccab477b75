/*
 * libFuzzer target for OCSP responses (lib/ocsp.h): the bytes are verified
 * as a response about a fixed certificate of a fixed CA
 * (fuzz/revocation_fixture.h) at a fixed time, without a request and with
 * one (its nonce checked), and then go through the revocation seam
 * (lib/revocation.h) as an embedded OCSP response, offline.
 *
 * Seeds: fuzz/corpora/ocsp/ — responses signed by the fixture's CA and its
 * delegated responder (good, revoked, unknown, another serial, SHA-256
 * CertID, tryLater), so that the signature, authorisation, CertID and
 * freshness checks are reached. fuzz/make-revocation-seeds.sh remakes them.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <emza/cert.h>
#include <emza/core.h>
#include <emza/error.h>

#include "ocsp.h"
#include "revocation.h"
#include "revocation_check.h"
#include "revocation_fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static emza_cert *ca, *leaf;
static emza__ocsp_request *request;
static volatile int sink;

static emza_cert *parse(const char *pem)
{
    emza_cert *c = NULL;
    if (emza_cert_parse(&c, (const uint8_t *)pem, strlen(pem)) != EMZA_OK)
        abort();
    return c;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (emza_init() != EMZA_OK)
        abort();
    ca = parse(fuzz_ca_pem);
    leaf = parse(fuzz_leaf_pem);
    if (emza__ocsp_request_new(&request, leaf, ca) != EMZA_OK)
        abort();
    return 0;
}

static void check(const emza__revocation_statement *st)
{
    /* A usable statement says good or revoked, and nothing else. */
    if (st->usable && st->status != EMZA__REVOCATION_GOOD &&
        st->status != EMZA__REVOCATION_REVOKED)
        abort();
    if (!st->usable && st->why[0] == '\0')
        abort();
    if (memchr(st->why, '\0', sizeof(st->why)) == NULL)
        abort();
    sink += st->usable + (int)strlen(st->why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    emza__revocation_statement st;
    if (emza__ocsp_verify_response(&st, data, size, leaf, ca, NULL, FUZZ_NOW, FUZZ_NOW) != EMZA_OK)
        abort();
    check(&st);
    if (emza__ocsp_verify_response(&st, data, size, leaf, ca, request, FUZZ_NOW, FUZZ_NOW) !=
        EMZA_OK)
        abort();
    check(&st);

    sink += fuzz_embedded_revocation(leaf, ca, data, size, 0);
    return 0;
}
