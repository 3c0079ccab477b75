/*
 * emza sign --format F [--level B|T|LT|LTA] KEY-OPTIONS [--tsa URL] [--offline]
 *           [--trust T]... [--untrusted U]... -o OUT INPUT...
 * emza sign --prepare STATE --cert C.pem ... / --finalize STATE --signature SIG -o OUT
 *            (two-step signing: cmd_sign_twostep.c)
 *
 * KEY-OPTIONS: --key FILE.p12 (--pass-env VAR | --pass-file F)
 *            | --key KEY.pem --cert CERT.pem [--chain CHAIN.pem] [--pass-env VAR | --pass-file F]
 *            | --pkcs11 MODULE.so [--token LABEL] [--key-label L] [--key-id HEX]
 *              [--pin-env VAR] [--chain CHAIN.pem]
 *
 * One flow for every format (emza_sign); the output is written atomically by
 * the library. Passwords are read from the environment or a file, never from
 * the command line, and wiped after use.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <emza/emza.h>

#include "cli_util.h"
#include "cmd_sign_twostep.h"

enum {
    OPT_FORMAT,
    OPT_LEVEL,
    OPT_KEY,
    OPT_CERT,
    OPT_CHAIN,
    OPT_PASS_ENV,
    OPT_PASS_FILE,
    OPT_PKCS11,
    OPT_TOKEN,
    OPT_KEY_LABEL,
    OPT_PIN_ENV,
    OPT_TSA,
    OPT_OUTPUT,
    OPT_DIGEST,
    OPT_PSS,
    OPT_SIGNING_TIME,
    OPT_ADD_TO,
    OPT_COUNTERSIGN,
    OPT_MIME_TYPE,
    OPT_ROLE,
    OPT_CITY,
    OPT_COUNTRY,
    OPT_POLICY_OID,
    OPT_POLICY_SHA256,
    OPT_PREPARE,
    OPT_FINALIZE,
    OPT_SIGNATURE,
    OPT_DIGEST_OUT,
    OPT_KEY_ID,
    OPT_OFFLINE,
    OPT_TRUST,
    OPT_UNTRUSTED,
    OPT_STATE_KEY_ENV,
    OPT_COUNT
};

static const cli_opt_spec sign_options[OPT_COUNT] = {
    [OPT_FORMAT] = {"--format", 1, 0},
    [OPT_LEVEL] = {"--level", 1, 0},
    [OPT_KEY] = {"--key", 1, 0},
    [OPT_CERT] = {"--cert", 1, 0},
    [OPT_CHAIN] = {"--chain", 1, 0},
    [OPT_PASS_ENV] = {"--pass-env", 1, 0},
    [OPT_PASS_FILE] = {"--pass-file", 1, 0},
    [OPT_PKCS11] = {"--pkcs11", 1, 0},
    [OPT_TOKEN] = {"--token", 1, 0},
    [OPT_KEY_LABEL] = {"--key-label", 1, 0},
    [OPT_PIN_ENV] = {"--pin-env", 1, 0},
    [OPT_TSA] = {"--tsa", 1, 0},
    [OPT_OUTPUT] = {"-o", 1, 0},
    [OPT_DIGEST] = {"--digest", 1, 0},
    [OPT_PSS] = {"--pss", 0, 0},
    [OPT_SIGNING_TIME] = {"--signing-time", 1, 0},
    [OPT_ADD_TO] = {"--add-to", 1, 0},
    [OPT_COUNTERSIGN] = {"--countersign", 1, 0},
    [OPT_MIME_TYPE] = {"--mime-type", 1, 0},
    [OPT_ROLE] = {"--role", 1, 0},
    [OPT_CITY] = {"--city", 1, 0},
    [OPT_COUNTRY] = {"--country", 1, 0},
    [OPT_POLICY_OID] = {"--policy-oid", 1, 0},
    [OPT_POLICY_SHA256] = {"--policy-sha256", 1, 0},
    [OPT_PREPARE] = {"--prepare", 1, 0},
    [OPT_FINALIZE] = {"--finalize", 1, 0},
    [OPT_SIGNATURE] = {"--signature", 1, 0},
    [OPT_DIGEST_OUT] = {"--digest-out", 1, 0},
    [OPT_KEY_ID] = {"--key-id", 1, 0},
    [OPT_OFFLINE] = {"--offline", 0, 0},
    [OPT_TRUST] = {"--trust", 1, 1},
    [OPT_UNTRUSTED] = {"--untrusted", 1, 1},
    [OPT_STATE_KEY_ENV] = {"--state-key-env", 1, 0},
};

/* The key options as this command's enum names them. */
static int open_signer(const cli_command *self, const cli_args *args, emza_signer **out)
{
    cli_key_options k = {
        .key = cli_args_value(args, OPT_KEY),
        .cert = cli_args_value(args, OPT_CERT),
        .chain = cli_args_value(args, OPT_CHAIN),
        .pass_env = cli_args_value(args, OPT_PASS_ENV),
        .pass_file = cli_args_value(args, OPT_PASS_FILE),
        .pkcs11 = cli_args_value(args, OPT_PKCS11),
        .token = cli_args_value(args, OPT_TOKEN),
        .key_label = cli_args_value(args, OPT_KEY_LABEL),
        .key_id = cli_args_value(args, OPT_KEY_ID),
        .pin_env = cli_args_value(args, OPT_PIN_ENV),
    };
    return cli_open_signer(self, &k, out);
}

static int parse_level(const cli_command *self, const char *value, emza_level *out)
{
    static const struct {
        const char *name;
        emza_level level;
    } levels[] = {{"B", EMZA_LEVEL_B}, {"T", EMZA_LEVEL_T}, {"LT", EMZA_LEVEL_LT},
                  {"LTA", EMZA_LEVEL_LTA}};
    *out = EMZA_LEVEL_B;
    if (value == NULL)
        return CLI_EXIT_OK;
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
        if (strcmp(value, levels[i].name) == 0) {
            *out = levels[i].level;
            return CLI_EXIT_OK;
        }
    }
    cli_error("%s: --level must be B, T, LT or LTA, not '%s'", self->title, value);
    return CLI_EXIT_USAGE;
}

/* Checks and fills the options that need no file; CLI_EXIT_OK or CLI_EXIT_USAGE. */
static int fill_options(const cli_command *self, const cli_args *args, emza_sign_options *o)
{
    if (emza_sign_options_init(o, EMZA_SIGN_OPTIONS_VERSION) != EMZA_OK)
        return cli_lib_error(self->title, NULL, NULL, emza_error_last_code());
    const char *format = cli_args_value(args, OPT_FORMAT);
    if (format == NULL) {
        cli_error("%s: --format is required (xades-enveloped, xades-detached, xades-enveloping, "
                  "cades-detached, cades-attached, asice)",
                  self->title);
        return CLI_EXIT_USAGE;
    }
    o->format = emza_format_from_name(format);
    if (o->format == 0) {
        cli_error("%s: unknown --format '%s'", self->title, format);
        return CLI_EXIT_USAGE;
    }
    if (parse_level(self, cli_args_value(args, OPT_LEVEL), &o->level) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    if (o->level != EMZA_LEVEL_B && cli_args_value(args, OPT_TSA) == NULL) {
        cli_error("%s: --level T, LT and LTA need --tsa URL", self->title);
        return CLI_EXIT_USAGE;
    }
    o->digest = cli_args_value(args, OPT_DIGEST);
    o->rsa_pss = cli_args_count(args, OPT_PSS) > 0;
    const char *when = cli_args_value(args, OPT_SIGNING_TIME);
    if (when != NULL) {
        if (cli_parse_time(self, "--signing-time", when, &o->signing_time) != CLI_EXIT_OK)
            return CLI_EXIT_USAGE;
        o->has_signing_time = 1;
    }
    const char *add_to = cli_args_value(args, OPT_ADD_TO);
    const char *counter = cli_args_value(args, OPT_COUNTERSIGN);
    if (add_to != NULL && counter != NULL) {
        cli_error("%s: give --add-to or --countersign, not both", self->title);
        return CLI_EXIT_USAGE;
    }
    if (add_to != NULL) {
        o->mode = EMZA_SIGN_PARALLEL;
        o->existing = add_to;
    } else if (counter != NULL) {
        o->mode = EMZA_SIGN_COUNTERSIGN;
        o->existing = counter;
    }
    o->tsa_url = cli_args_value(args, OPT_TSA);
    o->offline = cli_args_count(args, OPT_OFFLINE) > 0;
    o->mime_type = cli_args_value(args, OPT_MIME_TYPE);
    o->signer_role = cli_args_value(args, OPT_ROLE);
    o->production_city = cli_args_value(args, OPT_CITY);
    o->production_country = cli_args_value(args, OPT_COUNTRY);
    o->policy_oid = cli_args_value(args, OPT_POLICY_OID);
    o->policy_sha256 = cli_args_value(args, OPT_POLICY_SHA256);
    if ((o->policy_oid == NULL) != (o->policy_sha256 == NULL)) {
        cli_error("%s: --policy-oid and --policy-sha256 go together", self->title);
        return CLI_EXIT_USAGE;
    }
    if (cli_args_value(args, OPT_OUTPUT) == NULL && cli_args_value(args, OPT_PREPARE) == NULL) {
        cli_error("%s: -o OUT is required", self->title);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/*
 * Two-step signing: --finalize takes only --signature and -o (everything else
 * comes from the state); --prepare takes the signing options with --cert (no
 * key), and its output is named at --finalize.
 */
static int sign_two_step(const cli_command *self, const cli_args *args, const char **inputs,
                         size_t input_count)
{
    const char *finalize = cli_args_value(args, OPT_FINALIZE);
    const char *prepare = cli_args_value(args, OPT_PREPARE);
    if (finalize != NULL && prepare != NULL) {
        cli_error("%s: give --prepare or --finalize, not both", self->title);
        return CLI_EXIT_USAGE;
    }
    if (finalize != NULL) {
        for (int opt = 0; opt < OPT_COUNT; opt++) {
            if (opt != OPT_FINALIZE && opt != OPT_SIGNATURE && opt != OPT_OUTPUT &&
                opt != OPT_STATE_KEY_ENV && cli_args_count(args, opt) > 0) {
                cli_error("%s: --finalize takes only --signature, -o and --state-key-env: %s "
                          "comes from the state",
                          self->title, sign_options[opt].name);
                return CLI_EXIT_USAGE;
            }
        }
        if (input_count > 0 || cli_args_value(args, OPT_SIGNATURE) == NULL ||
            cli_args_value(args, OPT_OUTPUT) == NULL) {
            cli_error("%s: usage: emza sign --finalize STATE --signature SIG -o OUT (the inputs "
                      "come from the state)", self->title);
            return CLI_EXIT_USAGE;
        }
        return cli_sign_finalize(self, finalize, cli_args_value(args, OPT_SIGNATURE),
                                 cli_args_value(args, OPT_OUTPUT),
                                 cli_args_value(args, OPT_STATE_KEY_ENV));
    }
    static const int not_with_prepare[] = {OPT_KEY,     OPT_PASS_ENV,  OPT_PASS_FILE, OPT_PKCS11,
                                           OPT_TOKEN,   OPT_KEY_LABEL, OPT_PIN_ENV,   OPT_OUTPUT,
                                           OPT_SIGNATURE};
    for (size_t i = 0; i < sizeof(not_with_prepare) / sizeof(not_with_prepare[0]); i++) {
        if (cli_args_count(args, not_with_prepare[i]) > 0) {
            cli_error("%s: --prepare takes no %s (%s)", self->title,
                      sign_options[not_with_prepare[i]].name,
                      not_with_prepare[i] == OPT_OUTPUT ? "the output is named at --finalize"
                                                        : "the key signs the digest elsewhere");
            return CLI_EXIT_USAGE;
        }
    }
    if (cli_args_value(args, OPT_CERT) == NULL) {
        cli_error("%s: --prepare needs --cert CERT.pem, the signer's certificate", self->title);
        return CLI_EXIT_USAGE;
    }
    emza_sign_options opts;
    if (fill_options(self, args, &opts) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    if (input_count == 0) {
        cli_error("%s: no INPUT file to sign", self->title);
        return CLI_EXIT_USAGE;
    }
    return cli_sign_prepare(self, &opts, cli_args_value(args, OPT_CERT),
                            cli_args_value(args, OPT_CHAIN), prepare,
                            cli_args_value(args, OPT_DIGEST_OUT),
                            cli_args_value(args, OPT_STATE_KEY_ENV), inputs, input_count);
}

int cli_cmd_sign(const cli_command *self, int argc, char **argv)
{
    cli_args args;
    int rc = cli_parse_command(&args, self, argc, argv, sign_options, OPT_COUNT);
    if (rc != CLI_PARSED)
        return rc;

    emza_signer *signer = NULL;
    emza_trust *trust = NULL;
    emza_cert_list *untrusted = NULL;
    size_t input_count = 0;
    const char **inputs = cli_args_values(&args, -1, &input_count);
    emza_sign_options opts;
    cli_progress progress;
    rc = CLI_EXIT_USAGE;
    if (inputs == NULL) {
        cli_error("%s: out of memory", self->title);
        goto cleanup;
    }
    if (cli_args_value(&args, OPT_PREPARE) != NULL || cli_args_value(&args, OPT_FINALIZE) != NULL) {
        rc = sign_two_step(self, &args, inputs, input_count);
        goto cleanup;
    }
    if (cli_args_value(&args, OPT_SIGNATURE) != NULL ||
        cli_args_value(&args, OPT_DIGEST_OUT) != NULL ||
        cli_args_value(&args, OPT_STATE_KEY_ENV) != NULL) {
        cli_error("%s: --signature goes with --finalize, --digest-out with --prepare, "
                  "--state-key-env with either", self->title);
        goto cleanup;
    }
    if (fill_options(self, &args, &opts) != CLI_EXIT_OK)
        goto cleanup;
    if (input_count == 0) {
        cli_error("%s: no INPUT file to sign", self->title);
        goto cleanup;
    }
    if (cli_load_trust_options(self, &args, OPT_TRUST, OPT_UNTRUSTED, &trust, &untrusted) !=
        CLI_EXIT_OK)
        goto cleanup;
    opts.trust = trust;
    opts.untrusted = untrusted;
    if (open_signer(self, &args, &signer) != CLI_EXIT_OK)
        goto cleanup;

    cli_progress_init(&progress, "signing");
    opts.progress = cli_progress_update;
    opts.progress_ctx = &progress;
    const char *output = cli_args_value(&args, OPT_OUTPUT);
    cli_catch_interrupts(); /* an interrupt cancels cleanly: no partial output */
    int lrc = emza_sign(signer, &opts, inputs, input_count, output);
    cli_progress_finish(&progress);
    rc = cli_write_outcome(self->title, lrc);

cleanup:
    emza_signer_free(signer);
    emza_trust_free(trust);
    emza_cert_list_free(untrusted);
    free((void *)inputs);
    cli_args_free(&args);
    return rc;
}
