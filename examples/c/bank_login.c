/*
 * bank_login — a bank logs a citizen in by challenge and response.
 *
 *   EMZA_PASS=... bank_login CITIZEN-AUTH.p12 TRUST-ANCHORS.pem INTERMEDIATES.pem
 *
 * Both sides run in this one program to show the flow (docs/AUTH.md):
 *   1. the bank makes a challenge and keeps nonce, issue time and lifetime in
 *      its session; the nonce goes to the citizen's browser or app;
 *   2. the citizen's side signs a token for the bank's origin and the nonce
 *      with the card's authentication key (here a PKCS#12 file whose password
 *      is in EMZA_PASS);
 *   3. the bank rebuilds the challenge from its session, verifies the token
 *      and prints who logged in; then it shows that the same token, replayed,
 *      is refused.
 *
 * Exit status: 0 logged in (and the replay refused), 1 the token was refused,
 * 4 an operational error.
 *
 * Build: cc bank_login.c $(pkg-config --cflags --libs emza) -o bank_login
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <emza/emza.h>

#define ORIGIN "https://bank.example"

static int fail(const char *what)
{
    fprintf(stderr, "bank_login: %s: %s\n", what, emza_error_last_message());
    return 4;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: EMZA_PASS=... %s CITIZEN-AUTH.p12 TRUST-ANCHORS.pem INTERMEDIATES.pem\n", argv[0]);
        return 4;
    }
    const char *password = getenv("EMZA_PASS");
    int status = 4;
    emza_auth_challenge *challenge = NULL, *restored = NULL;
    emza_signer *citizen = NULL;
    emza_trust *trust = NULL;
    emza_cert_list *intermediates = NULL;
    emza_replay_cache *cache = NULL;
    emza_auth_identity *who = NULL;
    char *token = NULL, *nonce = NULL;

    /* The bank, once at start-up: trust anchors, intermediates and a replay cache, shared by all log-ins. */
    const char *anchors[] = {argv[2]};
    if (emza_trust_load(&trust, anchors, 1) != EMZA_OK || emza_cert_list_new(&intermediates) != EMZA_OK ||
        emza_cert_list_add_path(intermediates, argv[3]) != EMZA_OK) {
        status = fail("trust");
        goto cleanup;
    }
    if (emza_replay_cache_new(&cache, 0) != EMZA_OK) {
        status = fail("replay cache");
        goto cleanup;
    }

    /* 1. The bank makes a challenge and keeps three values in the citizen's session. */
    if (emza_auth_challenge_new(&challenge, 0) != EMZA_OK) {
        status = fail("challenge");
        goto cleanup;
    }
    nonce = strdup(emza_auth_challenge_nonce(challenge));
    int64_t issued_at = emza_auth_challenge_issued_at(challenge);
    unsigned lifetime = emza_auth_challenge_lifetime(challenge);
    if (nonce == NULL)
        goto cleanup;
    printf("bank: challenge %s (valid %u s)\n", nonce, lifetime);

    /* 2. The citizen's side signs a token for the bank's origin and the nonce. */
    if (emza_signer_open_pkcs12(&citizen, argv[1], password != NULL ? password : "") != EMZA_OK) {
        status = fail(argv[1]);
        goto cleanup;
    }
    if (emza_auth_sign(&token, citizen, ORIGIN, nonce, NULL) != EMZA_OK) {
        status = fail("signing the token");
        goto cleanup;
    }
    printf("citizen: signed a token for %s\n", ORIGIN);

    /* 3. The bank rebuilds the challenge from the session and verifies the token for its own origin. */
    if (emza_auth_challenge_restore(&restored, nonce, issued_at, lifetime) != EMZA_OK) {
        status = fail("restoring the challenge");
        goto cleanup;
    }
    emza_auth_verify_options opts = EMZA_AUTH_VERIFY_OPTIONS_INIT;
    opts.trust = trust;
    opts.untrusted = intermediates;
    opts.offline = 1; /* the test PKI declares no revocation service */
    opts.replay = emza_replay_cache_use;
    opts.replay_ctx = cache;
    emza_auth_reason reason = EMZA_AUTH_NONE;
    int rc = emza_auth_verify(&who, &reason, token, strlen(token), restored, ORIGIN, &opts);
    if (rc == EMZA_EAUTH) {
        printf("bank: log-in refused: %s (%s)\n", emza_auth_reason_name(reason), emza_error_last_message());
        status = 1;
        goto cleanup;
    }
    if (rc != EMZA_OK) {
        status = fail("verifying the token");
        goto cleanup;
    }
    printf("bank: logged in: %s, national code %s (%s)\n", emza_auth_identity_common_name(who),
           emza_auth_identity_national_code(who) ? emza_auth_identity_national_code(who) : "(none)",
           emza_auth_identity_algorithm(who));
    emza_auth_identity_free(who);
    who = NULL;

    /* An attacker who captured the token sends it again: the nonce was used, so it is refused. */
    rc = emza_auth_verify(&who, &reason, token, strlen(token), restored, ORIGIN, &opts);
    if (rc == EMZA_EAUTH) {
        printf("bank: the replayed token is refused: %s\n", emza_auth_reason_name(reason));
        status = 0;
    } else {
        printf("bank: the replayed token was NOT refused\n");
        status = 1;
    }

cleanup:
    emza_auth_identity_free(who);
    emza_free(token);
    free(nonce);
    emza_auth_challenge_free(restored);
    emza_auth_challenge_free(challenge);
    emza_signer_free(citizen);
    emza_replay_cache_free(cache);
    emza_cert_list_free(intermediates);
    emza_trust_free(trust);
    return status;
}
