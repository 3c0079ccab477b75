/*
 * emza sign --format F [--level B|T|LT|LTA] KEY-OPTIONS [--tsa URL] [--offline]
 *           [--trust T]... [--untrusted U]... -o OUT INPUT...
 *
 * KEY-OPTIONS: --key FILE.p12 (--pass-env VAR | --pass-file F)
 *            | --key KEY.pem --cert CERT.pem [--chain CHAIN.pem] [--pass-env VAR | --pass-file F]
 *            | --pkcs11 MODULE.so ... (not yet supported)
 *
 * One flow for every format (emza_sign); the output is written atomically by
 * the library. Passwords are read from the environment or a file, never from
 * the command line, and wiped after use.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <emza/emza.h>

#include "cli_util.h"

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
    OPT_OFFLINE,
    OPT_TRUST,
    OPT_UNTRUSTED,
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
    [OPT_OFFLINE] = {"--offline", 0, 0},
    [OPT_TRUST] = {"--trust", 1, 1},
    [OPT_UNTRUSTED] = {"--untrusted", 1, 1},
};

/* Longest password read from a file or the environment. */
#define PASSWORD_MAX 1024

/* Reads the password (first line of a file, or an environment variable) into a new buffer. */
static int read_password(const cli_command *self, const cli_args *args, char **out)
{
    *out = NULL;
    const char *env = cli_args_value(args, OPT_PASS_ENV);
    const char *file = cli_args_value(args, OPT_PASS_FILE);
    if (env != NULL && file != NULL) {
        cli_error("%s: give --pass-env or --pass-file, not both", self->title);
        return CLI_EXIT_USAGE;
    }
    char buf[PASSWORD_MAX + 2];
    size_t len = 0;
    if (env != NULL) {
        const char *value = getenv(env);
        if (value == NULL) {
            cli_error("%s: --pass-env: the environment variable %s is not set", self->title, env);
            return CLI_EXIT_USAGE;
        }
        len = strlen(value);
        if (len > PASSWORD_MAX) {
            cli_error("%s: --pass-env: the password is longer than %d bytes", self->title,
                      PASSWORD_MAX);
            return CLI_EXIT_USAGE;
        }
        memcpy(buf, value, len);
    } else if (file != NULL) {
        FILE *f = fopen(file, "rb");
        if (f == NULL) {
            cli_error("%s: --pass-file %s: %s", self->title, file, strerror(errno));
            return CLI_EXIT_USAGE;
        }
        len = fread(buf, 1, sizeof(buf) - 1, f);
        int bad = ferror(f);
        fclose(f);
        if (bad || len > PASSWORD_MAX) {
            emza_wipe(buf, sizeof(buf));
            cli_error("%s: --pass-file %s: %s", self->title, file,
                      bad ? "cannot be read" : "the password is too long");
            return CLI_EXIT_USAGE;
        }
        /* The first line is the password. */
        for (size_t i = 0; i < len; i++) {
            if (buf[i] == '\n' || buf[i] == '\r') {
                len = i;
                break;
            }
        }
    } else {
        return CLI_EXIT_OK; /* no password given */
    }
    *out = malloc(len + 1);
    if (*out == NULL) {
        emza_wipe(buf, sizeof(buf));
        cli_error("%s: out of memory", self->title);
        return CLI_EXIT_USAGE;
    }
    memcpy(*out, buf, len);
    (*out)[len] = '\0';
    emza_wipe(buf, sizeof(buf));
    return CLI_EXIT_OK;
}

static void free_password(char *password)
{
    if (password != NULL) {
        emza_wipe(password, strlen(password));
        free(password);
    }
}

static int open_signer(const cli_command *self, const cli_args *args, emza_signer **out)
{
    *out = NULL;
    if (cli_args_value(args, OPT_PKCS11) != NULL) {
        cli_error("%s: --pkcs11: smart cards and tokens are not supported by this build yet",
                  self->title);
        return CLI_EXIT_USAGE;
    }
    const char *key = cli_args_value(args, OPT_KEY);
    const char *cert = cli_args_value(args, OPT_CERT);
    const char *chain = cli_args_value(args, OPT_CHAIN);
    if (key == NULL) {
        cli_error("%s: a key is required: --key FILE.p12 --pass-env VAR, or --key KEY.pem "
                  "--cert CERT.pem",
                  self->title);
        return CLI_EXIT_USAGE;
    }
    if (cert == NULL && chain != NULL) {
        cli_error("%s: --chain goes with --key KEY.pem --cert CERT.pem", self->title);
        return CLI_EXIT_USAGE;
    }
    char *password = NULL;
    if (read_password(self, args, &password) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    int rc;
    if (cert == NULL) {
        if (password == NULL) {
            cli_error("%s: a PKCS#12 key needs --pass-env VAR or --pass-file F", self->title);
            return CLI_EXIT_USAGE;
        }
        rc = emza_signer_open_pkcs12(out, key, password);
    } else {
        rc = emza_signer_open_pem(out, key, password, cert, chain);
    }
    free_password(password);
    if (rc != EMZA_OK)
        return cli_lib_error(self->title, "--key", key, rc);
    return CLI_EXIT_OK;
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
    if (cli_args_value(args, OPT_OUTPUT) == NULL) {
        cli_error("%s: -o OUT is required", self->title);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
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
    size_t input_count = 0, trust_count = 0, untrusted_count = 0;
    const char **inputs = cli_args_values(&args, -1, &input_count);
    const char **trust_paths = cli_args_values(&args, OPT_TRUST, &trust_count);
    const char **untrusted_paths = cli_args_values(&args, OPT_UNTRUSTED, &untrusted_count);
    emza_sign_options opts;
    cli_progress progress;
    rc = CLI_EXIT_USAGE;
    if (inputs == NULL || trust_paths == NULL || untrusted_paths == NULL) {
        cli_error("%s: out of memory", self->title);
        goto cleanup;
    }
    if (fill_options(self, &args, &opts) != CLI_EXIT_OK)
        goto cleanup;
    if (input_count == 0) {
        cli_error("%s: no INPUT file to sign", self->title);
        goto cleanup;
    }
    if (trust_count > 0 && cli_load_trust(self, trust_paths, trust_count, &trust) != CLI_EXIT_OK)
        goto cleanup;
    if (cli_load_cert_list(self, "--untrusted", untrusted_paths, untrusted_count, &untrusted) !=
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
    if (lrc == EMZA_ECANCELED) {
        cli_error("%s: interrupted: nothing was written", self->title);
        goto cleanup;
    }
    if (lrc != EMZA_OK) {
        cli_lib_error(self->title, NULL, NULL, lrc);
        goto cleanup;
    }
    rc = CLI_EXIT_OK;

cleanup:
    emza_signer_free(signer);
    emza_trust_free(trust);
    emza_cert_list_free(untrusted);
    free((void *)inputs);
    free((void *)trust_paths);
    free((void *)untrusted_paths);
    cli_args_free(&args);
    return rc;
}
