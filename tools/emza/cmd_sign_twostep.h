/*
 * emza sign --prepare / --finalize: two-step signing (prepare.h) for web and
 * remote-HSM flows. cmd_sign.c parses the options and checks which go
 * together; these run the two steps.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_CMD_SIGN_TWOSTEP_H
#define EMZA_CMD_SIGN_TWOSTEP_H

#include <stddef.h>

#include "cli_util.h"

/**
 * Prepares the signing of `inputs` with `opts` for the certificate in
 * `cert_path` (and the CA certificates in `chain_path`, may be NULL), saves
 * the state to `state_path`, writes the raw digest to `digest_out` (may be
 * NULL) and prints the digest in hex and the algorithms on stdout.
 * Returns the exit code.
 */
int cli_sign_prepare(const cli_command *self, const emza_sign_options *opts,
                     const char *cert_path, const char *chain_path, const char *state_path,
                     const char *digest_out, const char *state_key_env, const char **inputs,
                     size_t input_count);

/**
 * Finalizes the signing saved in `state_path` with the signature in
 * `signature_path` (RSA bytes; ECDSA DER or raw r||s) into `output_path`.
 * Returns the exit code.
 */
int cli_sign_finalize(const cli_command *self, const char *state_path,
                      const char *signature_path, const char *output_path,
                      const char *state_key_env);

#endif /* EMZA_CMD_SIGN_TWOSTEP_H */
