/*
 * libFuzzer target for authentication tokens (include/emza/auth.h): the
 * bytes are a token verified by emza_auth_verify against a fixed challenge,
 * origin and trust anchor (fuzz/auth_fixture.h), offline, with a fresh
 * replay cache per input, so every check — JSON, fields, base64, the
 * certificate, the algorithm, the signature, the chain — sees hostile input
 * and a valid token reaches the end. The same bytes (when they fit) are also
 * an origin for emza_auth_origin_normalize.
 *
 * Seeds: fuzz/corpora/auth/ (valid ES256, PS256 and RS512 tokens made by
 * `emza auth sign`, and broken ones), regenerated with the fixture by
 * fuzz/make-auth-seeds.sh.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <emza/auth.h>
#include <emza/core.h>
#include <emza/error.h>

#include "auth_fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static emza_trust *trust;
static emza_auth_challenge *challenge;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    emza_cert_list *anchors = NULL;
    if (emza_init() != EMZA_OK || emza_cert_list_new(&anchors) != EMZA_OK ||
        emza_cert_list_add_data(anchors, fuzz_auth_ca_pem, sizeof(fuzz_auth_ca_pem) - 1) !=
            EMZA_OK ||
        emza_trust_new(&trust, anchors) != EMZA_OK ||
        emza_auth_challenge_restore(&challenge, FUZZ_AUTH_NONCE, FUZZ_AUTH_ISSUED_AT, 0) !=
            EMZA_OK)
        abort();
    emza_cert_list_free(anchors);
    return 0;
}

static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    emza_replay_cache *cache = NULL;
    if (emza_replay_cache_new(&cache, 1) != EMZA_OK)
        return 0;
    emza_auth_verify_options o = EMZA_AUTH_VERIFY_OPTIONS_INIT;
    o.trust = trust;
    o.offline = 1;
    o.has_validation_time = 1;
    o.validation_time = FUZZ_AUTH_ISSUED_AT + 10;
    o.replay = emza_replay_cache_use;
    o.replay_ctx = cache;
    emza_auth_identity *id = NULL;
    emza_auth_reason reason = EMZA_AUTH_NONE;
    int rc = emza_auth_verify(&id, &reason, (const char *)data, size, challenge, FUZZ_AUTH_ORIGIN,
                              &o);
    /* Untrusted bytes are a refusal, never an operational error (but memory may run out). */
    if (rc == EMZA_OK) {
        if (id == NULL || reason != EMZA_AUTH_NONE ||
            strcmp(emza_auth_identity_origin(id), FUZZ_AUTH_ORIGIN) != 0 ||
            emza_auth_identity_cert(id) == NULL)
            abort();
        const char *code = emza_auth_identity_national_code(id);
        sink += code != NULL ? strlen(code) : 0;
        sink += strlen(emza_auth_identity_algorithm(id));
        /* the same token again is a replay */
        emza_auth_identity *again = NULL;
        if (emza_auth_verify(&again, &reason, (const char *)data, size, challenge,
                             FUZZ_AUTH_ORIGIN, &o) != EMZA_EAUTH ||
            reason != EMZA_AUTH_REPLAYED || again != NULL)
            abort();
    } else if (rc == EMZA_EAUTH) {
        if (id != NULL || reason == EMZA_AUTH_NONE || strlen(emza_error_last_message()) == 0)
            abort();
        sink += strlen(emza_auth_reason_name(reason));
    } else if (rc != EMZA_ENOMEM) {
        abort();
    }
    emza_auth_identity_free(id);
    emza_replay_cache_free(cache);

    if (size <= EMZA_AUTH_ORIGIN_MAX + 8) {
        char text[EMZA_AUTH_ORIGIN_MAX + 9];
        memcpy(text, data, size);
        text[size] = '\0';
        char *norm = NULL;
        if (emza_auth_origin_normalize(&norm, text) == EMZA_OK) {
            /* normalising is idempotent */
            char *twice = NULL;
            if (emza_auth_origin_normalize(&twice, norm) != EMZA_OK || strcmp(norm, twice) != 0)
                abort();
            emza_free(twice);
        } else if (norm != NULL) {
            abort();
        }
        emza_free(norm);
    }
    return 0;
}
