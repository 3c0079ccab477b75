/*
 * libFuzzer target: RFC 3161 timestamps (lib/tsp.c) on arbitrary bytes,
 * checked against fixed stamped data ("emza fuzz stamped value\n"), offline:
 *   1. the bytes as a TimeStampToken: emza__tsp_token_check, then
 *      emza__tsp_validate without trust anchors (the TSA chain cannot pass);
 *   2. the bytes as a TSA's TimeStampResp: emza__tsp_stamp through a transport
 *      callback that answers with them (status, token extraction, the token
 *      check, then the nonce, which a fixed input never matches).
 *
 * Besides crashes, leaks and sanitizer reports, it aborts when a promise of
 * tsp.h is broken: a verdict that is one of the enum's values, a sound token
 * that names its TSA certificate and its genTime, a validation that never
 * passes without anchors and whose indication matches its sub-indication, a
 * stamp that never succeeds on a replayed answer, and an error record set on
 * every error.
 *
 * Seeds: fuzz/corpora/tsp/ (tokens and responses from the test TSA over the
 * fixed data: ESSCertIDv2 and v1, SHA-256 and SHA-512 imprints, a rejection).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <emza/core.h>
#include <emza/error.h>
#include <emza/indication.h>

#include "tsp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "tsp_fuzzer: broken promise: %s (line %d)\n", #cond, __LINE__);        \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* What the seeds stamp. */
static const char STAMPED[] = "emza fuzz stamped value\n";

typedef struct canned {
    const uint8_t *data;
    size_t len;
} canned;

static int answer(void *ctx, const char *url, const char *content_type, const uint8_t *body,
                  size_t body_len, size_t max_response, uint8_t **out_body, size_t *out_len)
{
    (void)url;
    (void)content_type;
    (void)body;
    (void)body_len;
    (void)max_response;
    const canned *c = ctx;
    *out_body = malloc(c->len ? c->len : 1);
    if (*out_body == NULL)
        return EMZA_ENOMEM;
    if (c->len)
        memcpy(*out_body, c->data, c->len);
    *out_len = c->len;
    return EMZA_OK;
}

static void check_error(int rc)
{
    CHECK(rc < 0);
    CHECK(emza_error_last_code() == rc);
    CHECK(emza_error_last_message() != NULL && emza_error_last_message()[0] != '\0');
}

static void check_token(const emza__tsp_token *t)
{
    CHECK(t->verdict >= EMZA__TSP_OK && t->verdict <= EMZA__TSP_WEAK_ALGORITHM);
    CHECK(emza__tsp_verdict_sub(t->verdict) != EMZA_SUB_NONE || t->verdict == EMZA__TSP_OK);
    if (t->verdict == EMZA__TSP_OK) {
        CHECK(t->tsa_cert != NULL);
        CHECK(t->has_time);
        CHECK(t->message[0] == '\0');
    } else {
        CHECK(t->message[0] != '\0');
    }
    CHECK(t->certs != NULL);
    CHECK(strnlen(t->policy, sizeof(t->policy)) < sizeof(t->policy));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialised;
    if (!initialised) {
        CHECK(emza_init() == EMZA_OK);
        initialised = 1;
    }
    const uint8_t *stamped = (const uint8_t *)STAMPED;
    size_t stamped_len = sizeof(STAMPED) - 1;

    /* 1. A token, as a verifier finds it in a signature. */
    emza__tsp_token t;
    int rc = emza__tsp_token_check(&t, data, size, stamped, stamped_len, NULL);
    if (rc == EMZA_OK) {
        check_token(&t);
        emza__tsp_token_free(&t);
        CHECK(t.certs == NULL && t.tsa_cert == NULL && t.nonce == NULL);
    } else {
        check_error(rc);
        CHECK(rc == EMZA_ELIMIT || rc == EMZA_ENOMEM);
    }
    emza_error_clear();

    emza__tsp_context cx = {NULL, {NULL, NULL}, INT64_C(1798761600), 1, NULL, NULL};
    emza__tsp_validation v;
    rc = emza__tsp_validate(&v, data, size, stamped, stamped_len, &cx);
    if (rc == EMZA_OK) {
        check_token(&v.token);
        CHECK(v.indication != EMZA_TOTAL_PASSED); /* no anchors */
        CHECK(v.sub != EMZA_SUB_NONE);
        CHECK(emza_subindication_indication(v.sub) == v.indication);
        CHECK(v.message[0] != '\0');
        CHECK(strcmp(emza__tsp_indication_word(v.indication), "PASSED") != 0);
        emza__tsp_validation_free(&v);
    } else {
        check_error(rc);
    }
    emza_error_clear();

    /* 2. A response, as a TSA sends it. */
    canned c = {data, size};
    emza__net net = {0, 1, answer, &c};
    emza_buf token;
    emza__tsp_token info;
    rc = emza__tsp_stamp(&token, &info, &net, "http://tsa.invalid/", EVP_sha256(), NULL,
                         stamped, stamped_len);
    /* A fixed answer cannot carry the fresh random nonce of this request. */
    CHECK(rc != EMZA_OK);
    check_error(rc);
    CHECK(token.data == NULL && token.len == 0);
    CHECK(info.certs == NULL && info.tsa_cert == NULL && info.nonce == NULL);
    emza_error_clear();
    return 0;
}
