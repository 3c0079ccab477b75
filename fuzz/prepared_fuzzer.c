/*
 * libFuzzer target: the two-step signing state parser (lib/prepare.c,
 * emza_prepared_from_json) on arbitrary bytes, and the sealed parser
 * (emza_prepared_from_json_sealed, with the fixed key FUZZ_KEY) on the same
 * bytes. The state is untrusted input (a stateless server may keep it
 * anywhere, or hand it to a client sealed); nothing here writes a file or
 * signs.
 *
 * Besides crashes, leaks and sanitizer reports, it checks the parser's
 * promises and aborts when one is broken: a failure is EMZA_EFORMAT,
 * EMZA_ELIMIT, EMZA_ECRYPTO (a seal refused) or EMZA_ENOMEM with a message
 * and a NULL result; a state that is read has a digest of its algorithm's
 * size, the getters answer, and it writes back to JSON that reads again into
 * the same JSON (a fixed point); sealed with FUZZ_KEY it reads again with
 * that key into the same state, and is refused without it (EMZA_ECRYPTO).
 * The bytes never read sealed unless they carry a valid seal by FUZZ_KEY
 * (as the seeds sealed with it do: mutations of them must be refused).
 *
 * Seeds: fuzz/corpora/prepared/ (states of every format, RSA, RSA-PSS and
 * ECDSA, with options, parallel mode and level T), made by emza sign --prepare
 * with the test PKI; sealed-*.json sealed with FUZZ_KEY (--state-key-env).
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

/* The fixed state key of the sealed parser (EMZA_PREPARED_KEY_MIN or more bytes). */
static const char FUZZ_KEY[] = "prepared_fuzzer: the fixed state key of its sealed seeds";
#define FUZZ_KEY_LEN (sizeof(FUZZ_KEY) - 1)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "prepared_fuzzer: broken promise: %s (line %d)\n", #cond, __LINE__);   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A refusal keeps the reader's promises. */
static void check_refusal(int rc, const emza_prepared *p)
{
    CHECK(p == NULL);
    CHECK(rc == EMZA_EFORMAT || rc == EMZA_ELIMIT || rc == EMZA_ECRYPTO || rc == EMZA_ENOMEM);
    CHECK(emza_error_last_code() == rc);
    CHECK(emza_error_last_message()[0] != '\0');
    emza_error_clear();
}

/* `json` sealed with FUZZ_KEY reads again, into the same state, only with that key. */
static void check_sealed_round_trip(const emza_prepared *p, const char *json)
{
    char *sealed = NULL, *again = NULL;
    CHECK(emza_prepared_to_json_sealed(&sealed, p, FUZZ_KEY, FUZZ_KEY_LEN) == EMZA_OK);
    emza_prepared *q = (emza_prepared *)(uintptr_t)1;
    CHECK(emza_prepared_from_json(&q, sealed, strlen(sealed)) == EMZA_ECRYPTO);
    CHECK(q == NULL);
    emza_error_clear();
    CHECK(emza_prepared_from_json_sealed(&q, json, strlen(json), FUZZ_KEY, FUZZ_KEY_LEN) ==
          EMZA_ECRYPTO);
    emza_error_clear();
    CHECK(emza_prepared_from_json_sealed(&q, sealed, strlen(sealed), FUZZ_KEY, FUZZ_KEY_LEN) ==
          EMZA_OK);
    CHECK(emza_prepared_to_json(&again, q) == EMZA_OK);
    CHECK(strcmp(json, again) == 0);
    emza_free(again);
    emza_prepared_free(q);
    emza_free(sealed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        CHECK(emza_init() == EMZA_OK);
        ready = 1;
    }
    emza_prepared *s = (emza_prepared *)(uintptr_t)1;
    int rc = emza_prepared_from_json_sealed(&s, data, size, FUZZ_KEY, FUZZ_KEY_LEN);
    if (rc != EMZA_OK) {
        check_refusal(rc, s);
    } else {
        /* a valid seal: the text with it is not read unsealed */
        emza_prepared *u = (emza_prepared *)(uintptr_t)1;
        CHECK(emza_prepared_from_json(&u, data, size) == EMZA_ECRYPTO);
        check_refusal(EMZA_ECRYPTO, u);
        emza_prepared_free(s);
    }

    emza_prepared *p = (emza_prepared *)(uintptr_t)1;
    rc = emza_prepared_from_json(&p, data, size);
    if (rc != EMZA_OK) {
        check_refusal(rc, p);
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
    check_sealed_round_trip(p, json);
    emza_free(json);
    emza_free(again);
    emza_prepared_free(q);
    emza_prepared_free(p);
    return 0;
}
