/*
 * emza auth challenge [--lifetime S] [--json]
 * emza auth sign --origin O --nonce N KEY-OPTIONS [--algorithm A] [-o TOKEN]
 * emza auth verify TOKEN --origin O --nonce N --issued-at TIME [--lifetime S] --trust T...
 *                  [--untrusted U...] [--at TIME] [--offline] [--json]
 *
 * Citizen log-in by challenge and signed response (include/emza/auth.h,
 * docs/AUTH.md). A process cannot remember nonces across runs: `auth verify`
 * keeps them only for its own run; servers use the library's replay cache.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <emza/emza.h>

#include "cli_util.h"

/* Parses a lifetime in seconds (1..EMZA_AUTH_LIFETIME_MAX); 0 when absent. */
static int parse_lifetime(const cli_command *self, const char *value, unsigned *out)
{
    *out = 0;
    if (value == NULL)
        return CLI_EXIT_OK;
    unsigned long n = 0;
    size_t i = 0;
    for (; value[i] >= '0' && value[i] <= '9' && n <= EMZA_AUTH_LIFETIME_MAX; i++)
        n = n * 10 + (unsigned long)(value[i] - '0');
    if (i == 0 || value[i] != '\0' || n < 1 || n > EMZA_AUTH_LIFETIME_MAX) {
        cli_error("%s: --lifetime must be a number of seconds from 1 to %u", self->title,
                  EMZA_AUTH_LIFETIME_MAX);
        return CLI_EXIT_USAGE;
    }
    *out = (unsigned)n;
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* auth challenge                                                            */
/* ------------------------------------------------------------------------ */

enum { CH_LIFETIME, CH_JSON, CH_COUNT };

static const cli_opt_spec challenge_options[CH_COUNT] = {
    [CH_LIFETIME] = {"--lifetime", 1, 0},
    [CH_JSON] = {"--json", 0, 0},
};

int cli_cmd_auth_challenge(const cli_command *self, int argc, char **argv)
{
    cli_args args;
    int rc = cli_parse_command(&args, self, argc, argv, challenge_options, CH_COUNT);
    if (rc != CLI_PARSED)
        return rc;
    emza_auth_challenge *c = NULL;
    json_t *root = NULL;
    unsigned lifetime = 0;
    rc = CLI_EXIT_USAGE;
    size_t extra = 0;
    const char **positional = cli_args_values(&args, -1, &extra);
    if (positional == NULL) {
        cli_error("%s: out of memory", self->title);
        goto cleanup;
    }
    if (extra > 0) {
        cli_error("%s: unexpected argument %s", self->title, positional[0]);
        goto cleanup;
    }
    if (parse_lifetime(self, cli_args_value(&args, CH_LIFETIME), &lifetime) != CLI_EXIT_OK)
        goto cleanup;
    int lrc = emza_auth_challenge_new(&c, lifetime);
    if (lrc != EMZA_OK) {
        cli_lib_error(self->title, NULL, NULL, lrc);
        goto cleanup;
    }
    char issued[CLI_TIME_TEXT_SIZE], expires[CLI_TIME_TEXT_SIZE];
    cli_format_time_iso(issued, sizeof(issued), emza_auth_challenge_issued_at(c));
    cli_format_time_iso(expires, sizeof(expires), emza_auth_challenge_expires_at(c));
    if (cli_args_count(&args, CH_JSON) > 0) {
        root = json_object();
        int bad = root == NULL;
        if (!bad) {
            bad |= cli_json_set(root, "nonce", cli_json_string(emza_auth_challenge_nonce(c)));
            bad |= cli_json_set(root, "issuedAt", cli_json_string(issued));
            bad |= cli_json_set(root, "expiresAt", cli_json_string(expires));
            bad |= cli_json_set(root, "lifetime",
                                json_integer((json_int_t)emza_auth_challenge_lifetime(c)));
        }
        if (bad) {
            cli_error("%s: out of memory", self->title);
            goto cleanup;
        }
        rc = cli_json_print(self->title, root);
    } else {
        printf("nonce       %s\n", emza_auth_challenge_nonce(c));
        printf("issued-at   %s\n", issued);
        printf("expires-at  %s\n", expires);
        printf("lifetime    %u\n", emza_auth_challenge_lifetime(c));
        rc = CLI_EXIT_OK;
    }
cleanup:
    json_decref(root);
    emza_auth_challenge_free(c);
    free((void *)positional);
    cli_args_free(&args);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* auth sign                                                                 */
/* ------------------------------------------------------------------------ */

enum {
    SG_ORIGIN,
    SG_NONCE,
    SG_KEY,
    SG_CERT,
    SG_CHAIN,
    SG_PASS_ENV,
    SG_PASS_FILE,
    SG_PKCS11,
    SG_TOKEN,
    SG_KEY_LABEL,
    SG_KEY_ID,
    SG_PIN_ENV,
    SG_ALGORITHM,
    SG_OUTPUT,
    SG_COUNT
};

static const cli_opt_spec sign_options[SG_COUNT] = {
    [SG_ORIGIN] = {"--origin", 1, 0},       [SG_NONCE] = {"--nonce", 1, 0},
    [SG_KEY] = {"--key", 1, 0},             [SG_CERT] = {"--cert", 1, 0},
    [SG_CHAIN] = {"--chain", 1, 0},         [SG_PASS_ENV] = {"--pass-env", 1, 0},
    [SG_PASS_FILE] = {"--pass-file", 1, 0}, [SG_PKCS11] = {"--pkcs11", 1, 0},
    [SG_TOKEN] = {"--token", 1, 0},         [SG_KEY_LABEL] = {"--key-label", 1, 0},
    [SG_KEY_ID] = {"--key-id", 1, 0},       [SG_PIN_ENV] = {"--pin-env", 1, 0},
    [SG_ALGORITHM] = {"--algorithm", 1, 0}, [SG_OUTPUT] = {"-o", 1, 0},
};

/* Writes `text` and a newline to `path`; on failure removes what was written. */
static int write_token(const cli_command *self, const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        cli_error("%s: -o %s: %s", self->title, path, strerror(errno));
        return CLI_EXIT_USAGE;
    }
    int bad = fputs(text, f) < 0 || fputc('\n', f) == EOF;
    bad |= fclose(f) != 0;
    if (bad) {
        cli_error("%s: -o %s: cannot be written", self->title, path);
        remove(path);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

int cli_cmd_auth_sign(const cli_command *self, int argc, char **argv)
{
    cli_args args;
    int rc = cli_parse_command(&args, self, argc, argv, sign_options, SG_COUNT);
    if (rc != CLI_PARSED)
        return rc;
    emza_signer *signer = NULL;
    char *token = NULL;
    rc = CLI_EXIT_USAGE;
    const char *origin = cli_args_value(&args, SG_ORIGIN);
    const char *nonce = cli_args_value(&args, SG_NONCE);
    size_t extra = 0;
    const char **positional = cli_args_values(&args, -1, &extra);
    if (positional == NULL) {
        cli_error("%s: out of memory", self->title);
        goto cleanup;
    }
    if (extra > 0) {
        cli_error("%s: unexpected argument %s", self->title, positional[0]);
        goto cleanup;
    }
    if (origin == NULL || nonce == NULL) {
        cli_error("%s: --origin and --nonce are required", self->title);
        goto cleanup;
    }
    cli_key_options k = {
        .key = cli_args_value(&args, SG_KEY),
        .cert = cli_args_value(&args, SG_CERT),
        .chain = cli_args_value(&args, SG_CHAIN),
        .pass_env = cli_args_value(&args, SG_PASS_ENV),
        .pass_file = cli_args_value(&args, SG_PASS_FILE),
        .pkcs11 = cli_args_value(&args, SG_PKCS11),
        .token = cli_args_value(&args, SG_TOKEN),
        .key_label = cli_args_value(&args, SG_KEY_LABEL),
        .key_id = cli_args_value(&args, SG_KEY_ID),
        .pin_env = cli_args_value(&args, SG_PIN_ENV),
    };
    if (cli_open_signer(self, &k, &signer) != CLI_EXIT_OK)
        goto cleanup;
    emza_auth_sign_options o = EMZA_AUTH_SIGN_OPTIONS_INIT;
    o.algorithm = cli_args_value(&args, SG_ALGORITHM);
    int lrc = emza_auth_sign(&token, signer, origin, nonce, &o);
    if (lrc != EMZA_OK) {
        cli_lib_error(self->title, NULL, NULL, lrc);
        goto cleanup;
    }
    const char *output = cli_args_value(&args, SG_OUTPUT);
    if (output != NULL) {
        rc = write_token(self, output, token);
    } else {
        printf("%s\n", token);
        rc = CLI_EXIT_OK;
    }
cleanup:
    emza_free(token);
    emza_signer_free(signer);
    free((void *)positional);
    cli_args_free(&args);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* auth verify                                                               */
/* ------------------------------------------------------------------------ */

enum {
    VF_ORIGIN,
    VF_NONCE,
    VF_ISSUED_AT,
    VF_LIFETIME,
    VF_TRUST,
    VF_UNTRUSTED,
    VF_AT,
    VF_OFFLINE,
    VF_JSON,
    VF_COUNT
};

static const cli_opt_spec verify_options[VF_COUNT] = {
    [VF_ORIGIN] = {"--origin", 1, 0},       [VF_NONCE] = {"--nonce", 1, 0},
    [VF_ISSUED_AT] = {"--issued-at", 1, 0}, [VF_LIFETIME] = {"--lifetime", 1, 0},
    [VF_TRUST] = {"--trust", 1, 1},         [VF_UNTRUSTED] = {"--untrusted", 1, 1},
    [VF_AT] = {"--at", 1, 0},               [VF_OFFLINE] = {"--offline", 0, 0},
    [VF_JSON] = {"--json", 0, 0},
};

/*
 * Reads the token file: at most EMZA_AUTH_TOKEN_MAX + 1 bytes, so that the
 * library sees (and refuses) a token over its limit without reading a huge
 * file. `*out` is malloc'd.
 */
static int read_token(const cli_command *self, const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        cli_error("%s: %s: %s", self->title, path, strerror(errno));
        return CLI_EXIT_USAGE;
    }
    *out = malloc(EMZA_AUTH_TOKEN_MAX + 2);
    if (*out == NULL) {
        fclose(f);
        cli_error("%s: out of memory", self->title);
        return CLI_EXIT_USAGE;
    }
    *len = fread(*out, 1, EMZA_AUTH_TOKEN_MAX + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(*out);
        *out = NULL;
        cli_error("%s: %s: cannot be read", self->title, path);
        return CLI_EXIT_USAGE;
    }
    (*out)[*len] = '\0';
    /* One trailing newline, as `auth sign -o` writes, is not part of the token. */
    if (*len > 0 && (*out)[*len - 1] == '\n' && *len <= EMZA_AUTH_TOKEN_MAX)
        (*out)[--*len] = '\0';
    return CLI_EXIT_OK;
}

static int print_identity_json(const cli_command *self, const emza_auth_identity *id,
                               emza_auth_reason reason, const char *message, int64_t at)
{
    char when[CLI_TIME_TEXT_SIZE];
    cli_format_time_iso(when, sizeof(when), at);
    json_t *root = json_object();
    int bad = root == NULL;
    if (!bad) {
        bad |= cli_json_set(root, "emzaAuthReport", json_integer(1));
        bad |= cli_json_set(root, "validationTime", cli_json_string(when));
        bad |= cli_json_set(root, "accepted", json_boolean(id != NULL));
        bad |= cli_json_set(root, "reason",
                            id != NULL ? json_null() : cli_json_string(emza_auth_reason_name(reason)));
        bad |= cli_json_set(root, "message", id != NULL ? json_null() : cli_json_string(message));
        if (id != NULL) {
            json_t *o = json_object();
            bad |= o == NULL;
            const emza_cert *c = emza_auth_identity_cert(id);
            if (o != NULL) {
                bad |= cli_json_set(o, "nationalCode",
                                    cli_json_string(emza_auth_identity_national_code(id)));
                bad |= cli_json_set(o, "legalId", cli_json_string(emza_auth_identity_legal_id(id)));
                bad |= cli_json_set(o, "commonName",
                                    cli_json_string(emza_auth_identity_common_name(id)));
                bad |= cli_json_set(o, "givenName",
                                    cli_json_string(emza_auth_identity_given_name(id)));
                bad |= cli_json_set(o, "surname", cli_json_string(emza_auth_identity_surname(id)));
                bad |= cli_json_set(o, "subject", cli_json_string(emza_cert_subject(c)));
                bad |= cli_json_set(o, "certificateSha256",
                                    cli_json_string(emza_cert_sha256_hex(c)));
            }
            bad |= cli_json_set(root, "identity", o);
            bad |= cli_json_set(root, "origin", cli_json_string(emza_auth_identity_origin(id)));
            bad |= cli_json_set(root, "algorithm",
                                cli_json_string(emza_auth_identity_algorithm(id)));
        } else {
            bad |= cli_json_set(root, "identity", json_null());
        }
    }
    int rc = CLI_EXIT_USAGE;
    if (bad)
        cli_error("%s: out of memory", self->title);
    else
        rc = cli_json_print(self->title, root);
    json_decref(root);
    return rc;
}

static void print_identity_text(const emza_auth_identity *id)
{
    const emza_cert *c = emza_auth_identity_cert(id);
    printf("accepted\n");
    cli_print_field(stdout, "national code", emza_auth_identity_national_code(id));
    cli_print_field(stdout, "legal id", emza_auth_identity_legal_id(id));
    cli_print_field(stdout, "common name", emza_auth_identity_common_name(id));
    cli_print_field(stdout, "given name", emza_auth_identity_given_name(id));
    cli_print_field(stdout, "surname", emza_auth_identity_surname(id));
    cli_print_field(stdout, "subject", emza_cert_subject(c));
    cli_print_field(stdout, "origin", emza_auth_identity_origin(id));
    cli_print_field(stdout, "algorithm", emza_auth_identity_algorithm(id));
    cli_print_field(stdout, "certificate", emza_cert_sha256_hex(c));
}

int cli_cmd_auth_verify(const cli_command *self, int argc, char **argv)
{
    cli_args args;
    int rc = cli_parse_command(&args, self, argc, argv, verify_options, VF_COUNT);
    if (rc != CLI_PARSED)
        return rc;
    rc = CLI_EXIT_USAGE;
    emza_trust *trust = NULL;
    emza_cert_list *untrusted = NULL;
    emza_replay_cache *cache = NULL;
    emza_auth_challenge *challenge = NULL;
    emza_auth_identity *id = NULL;
    char *token = NULL;
    size_t token_len = 0, n_files = 0;
    const char **files = cli_args_values(&args, -1, &n_files);
    if (files == NULL) {
        cli_error("%s: out of memory", self->title);
        goto cleanup;
    }
    if (n_files != 1) {
        cli_error("%s: give exactly one TOKEN file", self->title);
        goto cleanup;
    }
    const char *origin = cli_args_value(&args, VF_ORIGIN);
    const char *nonce = cli_args_value(&args, VF_NONCE);
    const char *issued_text = cli_args_value(&args, VF_ISSUED_AT);
    if (origin == NULL || nonce == NULL || issued_text == NULL) {
        cli_error("%s: --origin, --nonce and --issued-at are required (the challenge the server "
                  "kept)",
                  self->title);
        goto cleanup;
    }
    if (cli_args_count(&args, VF_TRUST) == 0) {
        cli_error("%s: --trust is required", self->title);
        goto cleanup;
    }
    int64_t issued_at = 0, at = 0;
    unsigned lifetime = 0;
    if (cli_parse_time(self, "--issued-at", issued_text, &issued_at) != CLI_EXIT_OK ||
        parse_lifetime(self, cli_args_value(&args, VF_LIFETIME), &lifetime) != CLI_EXIT_OK)
        goto cleanup;
    emza_auth_verify_options o;
    if (emza_auth_verify_options_init(&o, EMZA_AUTH_VERIFY_OPTIONS_VERSION) != EMZA_OK) {
        cli_lib_error(self->title, NULL, NULL, emza_error_last_code());
        goto cleanup;
    }
    const char *at_text = cli_args_value(&args, VF_AT);
    if (at_text != NULL) {
        if (cli_parse_time(self, "--at", at_text, &at) != CLI_EXIT_OK)
            goto cleanup;
        o.has_validation_time = 1;
        o.validation_time = at;
    }
    int lrc = emza_auth_challenge_restore(&challenge, nonce, issued_at, lifetime);
    if (lrc != EMZA_OK) {
        cli_lib_error(self->title, "--nonce", NULL, lrc);
        goto cleanup;
    }
    if (cli_load_trust_options(self, &args, VF_TRUST, VF_UNTRUSTED, &trust, &untrusted) !=
            CLI_EXIT_OK ||
        read_token(self, files[0], &token, &token_len) != CLI_EXIT_OK)
        goto cleanup;
    /* This run's own memory of nonces: a process cannot remember them across runs. */
    lrc = emza_replay_cache_new(&cache, 1);
    if (lrc != EMZA_OK) {
        cli_lib_error(self->title, NULL, NULL, lrc);
        goto cleanup;
    }
    o.trust = trust;
    o.untrusted = untrusted;
    o.offline = cli_args_count(&args, VF_OFFLINE) > 0;
    o.replay = emza_replay_cache_use;
    o.replay_ctx = cache;
    emza_auth_reason reason = EMZA_AUTH_NONE;
    lrc = emza_auth_verify(&id, &reason, token, token_len, challenge, origin, &o);
    if (lrc != EMZA_OK && lrc != EMZA_EAUTH) {
        cli_lib_error(self->title, NULL, NULL, lrc);
        goto cleanup;
    }
    int json = cli_args_count(&args, VF_JSON) > 0;
    int64_t when = o.has_validation_time ? o.validation_time : (int64_t)time(NULL);
    if (lrc == EMZA_EAUTH) {
        char message[1024];
        snprintf(message, sizeof(message), "%s", emza_error_last_message());
        cli_error("%s: refused (%s): %s", self->title, emza_auth_reason_name(reason), message);
        if (json && print_identity_json(self, NULL, reason, message, when) != CLI_EXIT_OK)
            goto cleanup;
        rc = CLI_EXIT_FAILED;
        goto cleanup;
    }
    if (json)
        rc = print_identity_json(self, id, EMZA_AUTH_NONE, NULL, when);
    else {
        print_identity_text(id);
        rc = CLI_EXIT_OK;
    }
cleanup:
    emza_auth_identity_free(id);
    emza_auth_challenge_free(challenge);
    emza_replay_cache_free(cache);
    emza_cert_list_free(untrusted);
    emza_trust_free(trust);
    free(token);
    free((void *)files);
    cli_args_free(&args);
    return rc;
}
