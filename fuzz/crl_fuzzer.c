/*
 * libFuzzer target for CRLs (lib/crl.h): the bytes are parsed (DER or PEM)
 * and, when they parse, judged for a fixed certificate and for a second
 * subject of a fixed CA (fuzz/revocation_fixture.h) at a fixed time, with
 * and without the signature check; then they go through the revocation seam
 * (lib/revocation.h) as an embedded CRL, offline.
 *
 * Seeds: fuzz/corpora/crl/ — CRLs signed by the fixture's CA (the
 * certificate revoked, empty, delta, indirect; DER and PEM).
 * fuzz/make-revocation-seeds.sh remakes them.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include <emza/cert.h>
#include <emza/core.h>
#include <emza/error.h>

#include "crl.h"
#include "revocation.h"
#include "revocation_check.h"
#include "revocation_fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static emza_cert *ca, *leaf, *responder;
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
    responder = parse(fuzz_responder_pem);
    return 0;
}

static void check(const emza__revocation_statement *st)
{
    if (st->usable && st->status != EMZA__REVOCATION_GOOD &&
        st->status != EMZA__REVOCATION_REVOKED)
        abort();
    if (!st->usable && st->why[0] == '\0')
        abort();
    sink += st->usable + (int)strlen(st->why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    emza__revocation_statement st;
    X509_CRL *crl = NULL;
    if (emza__crl_parse(&crl, &st, data, size) != EMZA_OK)
        abort();
    if (crl == NULL) {
        check(&st);
    } else {
        const emza_cert *subjects[] = {leaf, responder};
        for (size_t i = 0; i < 2; i++)
            for (int verify = 0; verify <= 1; verify++) {
                if (emza__crl_check(&st, crl, subjects[i], ca, verify, FUZZ_NOW, FUZZ_NOW) !=
                    EMZA_OK)
                    abort();
                check(&st);
            }
        X509_CRL_free(crl);
    }

    sink += fuzz_embedded_revocation(leaf, ca, data, size, 1);
    return 0;
}
