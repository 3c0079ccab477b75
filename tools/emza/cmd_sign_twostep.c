/*
 * emza sign --prepare STATE --cert C.pem [--chain CH.pem] --format F [options]
 *           [--digest-out D] INPUT...
 * emza sign --finalize STATE --signature SIG -o OUT
 * (both with --state-key-env VAR: the state sealed with the key in VAR)
 *
 * The two steps of prepare.h from the command line: the state is a file,
 * the digest is printed in hex (and written raw with --digest-out) for
 * `openssl pkeyutl -sign -pkeyopt digest:sha256`, a remote HSM or a browser,
 * and the signature comes back as a file.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <emza/emza.h>

#include "cmd_sign_twostep.h"

/* Writes `len` bytes to `path` (created or replaced); CLI_EXIT_OK or CLI_EXIT_USAGE. */
static int write_bytes(const cli_command *self, const char *option, const char *path,
                       const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok = f != NULL && fwrite(data, 1, len, f) == len;
    int e = errno;
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    if (!ok) {
        cli_error("%s: %s %s: %s", self->title, option, path, strerror(e));
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/*
 * The state key of --state-key-env VAR: the bytes of VAR's value, as they are
 * (prepare.h: EMZA_PREPARED_KEY_MIN to EMZA_PREPARED_KEY_MAX; the library
 * checks the length). `*key` is NULL without the option; CLI_EXIT_USAGE when
 * VAR is not set. The key is not copied: it stays in the environment only.
 */
static int state_key(const cli_command *self, const char *env, const char **key, size_t *len)
{
    *key = NULL;
    *len = 0;
    if (env == NULL)
        return CLI_EXIT_OK;
    *key = getenv(env);
    if (*key == NULL) {
        cli_error("%s: --state-key-env: the environment variable %s is not set", self->title,
                  env);
        return CLI_EXIT_USAGE;
    }
    *len = strlen(*key);
    return CLI_EXIT_OK;
}

int cli_sign_prepare(const cli_command *self, const emza_sign_options *opts,
                     const char *cert_path, const char *chain_path, const char *state_path,
                     const char *digest_out, const char *state_key_env, const char **inputs,
                     size_t input_count)
{
    const char *key = NULL;
    size_t key_len = 0;
    if (state_key(self, state_key_env, &key, &key_len) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    emza_cert *cert = NULL;
    emza_cert_list *chain = NULL;
    emza_prepared *p = NULL;
    int rc = emza_cert_load(&cert, cert_path);
    if (rc != EMZA_OK)
        return cli_lib_error(self->title, "--cert", cert_path, rc);
    if (chain_path != NULL &&
        cli_load_cert_list(self, "--chain", &chain_path, 1, &chain) != CLI_EXIT_OK) {
        emza_cert_free(cert);
        return CLI_EXIT_USAGE;
    }
    int exit_code = CLI_EXIT_USAGE;
    rc = emza_sign_prepare(&p, cert, chain, opts, inputs, input_count);
    if (rc != EMZA_OK) {
        cli_lib_error(self->title, NULL, NULL, rc);
        goto cleanup;
    }
    rc = key != NULL ? emza_prepared_save_sealed(p, state_path, key, key_len)
                     : emza_prepared_save(p, state_path);
    if (rc != EMZA_OK) {
        if (key != NULL && (rc == EMZA_EINVAL || rc == EMZA_ELIMIT))
            cli_lib_error(self->title, "--state-key-env", state_key_env, rc);
        else
            cli_lib_error(self->title, "--prepare", state_path, rc);
        goto cleanup;
    }
    size_t len = 0;
    const uint8_t *digest = emza_prepared_digest(p, &len);
    if (digest_out != NULL &&
        write_bytes(self, "--digest-out", digest_out, digest, len) != CLI_EXIT_OK)
        goto cleanup;
    char hex[2 * 64 + 1];
    for (size_t i = 0; i < len && i < 64; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    hex[2 * (len < 64 ? len : 64)] = '\0';
    char when[CLI_TIME_TEXT_SIZE];
    cli_format_time_iso(when, sizeof(when), emza_prepared_signing_time(p));
    /* Library constants and hex: nothing here needs cli_put_safe. */
    printf("Digest:              %s\n", hex);
    printf("Digest algorithm:    %s\n", emza_prepared_digest_algorithm(p));
    printf("Signature algorithm: %s\n", emza_prepared_signature_algorithm(p));
    printf("Signing time:        %s\n", when);
    exit_code = CLI_EXIT_OK;
cleanup:
    emza_prepared_free(p);
    emza_cert_list_free(chain);
    emza_cert_free(cert);
    return exit_code;
}

/* Reads the signature file (a regular file of 1 to EMZA_SIGNATURE_MAX bytes) into `buf`. */
static int read_signature(const cli_command *self, const char *path, uint8_t *buf, size_t *len)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        cli_error("%s: --signature %s: %s", self->title, path, strerror(errno));
        return CLI_EXIT_USAGE;
    }
    if (!S_ISREG(st.st_mode)) {
        cli_error("%s: --signature %s: not a regular file", self->title, path);
        return CLI_EXIT_USAGE;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        cli_error("%s: --signature %s: %s", self->title, path, strerror(errno));
        return CLI_EXIT_USAGE;
    }
    *len = fread(buf, 1, EMZA_SIGNATURE_MAX + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || *len == 0 || *len > EMZA_SIGNATURE_MAX) {
        cli_error("%s: --signature %s: %s", self->title, path,
                  bad ? "cannot be read"
                  : *len == 0 ? "the file is empty"
                              : "larger than any signature (2048 bytes)");
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

int cli_sign_finalize(const cli_command *self, const char *state_path,
                      const char *signature_path, const char *output_path,
                      const char *state_key_env)
{
    const char *key = NULL;
    size_t key_len = 0;
    if (state_key(self, state_key_env, &key, &key_len) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    uint8_t sig[EMZA_SIGNATURE_MAX + 1];
    size_t len = 0;
    if (read_signature(self, signature_path, sig, &len) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    emza_prepared *p = NULL;
    int rc = key != NULL ? emza_prepared_load_sealed(&p, state_path, key, key_len)
                         : emza_prepared_load(&p, state_path);
    if (rc != EMZA_OK && key != NULL && (rc == EMZA_EINVAL || rc == EMZA_ELIMIT))
        return cli_lib_error(self->title, "--state-key-env", state_key_env, rc);
    if (rc != EMZA_OK)
        return cli_lib_error(self->title, "--finalize", state_path, rc);
    rc = emza_sign_finalize(p, sig, len, output_path);
    emza_prepared_free(p);
    if (rc != EMZA_OK)
        return cli_lib_error(self->title, NULL, NULL, rc);
    return CLI_EXIT_OK;
}
