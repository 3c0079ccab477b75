/*
 * libFuzzer target: the two-step signing state parser (lib/prepare.c,
 * emza_prepared_from_json) on arbitrary bytes. The state is untrusted input
 * (a stateless server may keep it anywhere); nothing here writes a file or
 * signs.
 *
 * Besides crashes, leaks and sanitizer reports, it checks the parser's
 * promises and aborts when one is broken: a failure is EMZA_EFORMAT,
 * EMZA_ELIMIT or EMZA_ENOMEM with a message and a NULL result; a state that
 * is read has a digest of its algorithm's size, the getters answer, and it
 * writes back to JSON that reads again into the same JSON (a fixed point).
 *
 * Seeds: fuzz/corpora/prepared/ (states of every format, RSA, RSA-PSS and
 * ECDSA, with options, parallel mode and level T), made by emza sign --prepare
 * with the test PKI.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <emza/common.h>
#include <emza/core.h>
#include <emza/error.h>
#include <emza/prepare.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "prepared_fuzzer: broken promise: %s (line %d)\n", #cond, __LINE__);   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        CHECK(emza_init() == EMZA_OK);
        ready = 1;
    }
    emza_prepared *p = (emza_prepared *)(uintptr_t)1;
    int rc = emza_prepared_from_json(&p, data, size);
    if (rc != EMZA_OK) {
        CHECK(p == NULL);
        CHECK(rc == EMZA_EFORMAT || rc == EMZA_ELIMIT || rc == EMZA_ENOMEM);
        CHECK(emza_error_last_code() == rc);
        CHECK(emza_error_last_message()[0] != '\0');
        emza_error_clear();
        return 0;
    }
    size_t len = 0;
    const uint8_t *digest = emza_prepared_digest(p, &len);
    CHECK(digest != NULL && (len == 32 || len == 48 || len == 64));
    CHECK(emza_prepared_digest_algorithm(p) != NULL);
    CHECK(emza_prepared_signature_algorithm(p) != NULL);
    CHECK(emza_prepared_cert(p) != NULL);

    char *json = NULL, *again = NULL;
    CHECK(emza_prepared_to_json(&json, p) == EMZA_OK);
    emza_prepared *q = NULL;
    rc = emza_prepared_from_json(&q, json, strlen(json));
    if (rc != EMZA_OK)
        fprintf(stderr, "prepared_fuzzer: %s\n", emza_error_last_message());
    CHECK(rc == EMZA_OK);
    CHECK(emza_prepared_to_json(&again, q) == EMZA_OK);
    CHECK(strcmp(json, again) == 0);
    emza_free(json);
    emza_free(again);
    emza_prepared_free(q);
    emza_prepared_free(p);
    return 0;
}
