/*
 * What every signature format gets from the signing flow (sign.c): a checked
 * job and an atomic output. A format module writes its document to job->out
 * and returns; sign.c commits the file only when the module succeeded.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_SIGN_INTERNAL_H
#define EMZA_SIGN_INTERNAL_H

#include <openssl/evp.h>

#include <emza/sign.h>

#include "util/atomic_file.h"
#include "util/buf.h"

typedef struct emza__sign_job {
    const emza_signer *signer;
    const emza_sign_options *opts; /* version checked, format and mode valid */
    const char *const *inputs;     /* regular files, each readable */
    size_t input_count;
    const EVP_MD *md;              /* the digest for references and the signature */
    int64_t signing_time;          /* the claimed signing time */
    emza__atomic_file *out;        /* never opened in a dry run (emza__sign_run): writes fail */
    const uint8_t *id_seed;        /* two-step signing: XAdES Ids derived from it; NULL: random */
    size_t id_seed_len;
    emza_buf *out_buf;             /* set: the document goes here instead of `out` (ASiC) */
    int asic_root;                 /* XAdES: the ds:Signature inside asic:XAdESSignatures */
} emza__sign_job;

/**
 * emza_sign, with what a two-step signing (prepare.c) fixes beyond the
 * options: `id_seed` (`id_seed_len` bytes, or NULL for random Ids) makes the
 * XAdES Ids a function of the seed, so that the same inputs, options and
 * signing time give the same bytes to sign. `output_path` NULL is a dry run
 * for emza_sign_prepare: no output is opened, and a format module that
 * reaches its write fails with EMZA_ESTATE (its signer must stop the run at
 * the signature).
 */
int emza__sign_run(const emza_signer *signer, const emza_sign_options *opts,
                   const char *const *inputs, size_t input_count, const char *output_path,
                   const uint8_t *id_seed, size_t id_seed_len);

/** CAdES detached / attached (cades_sign.c). */
int emza__cades_sign(const emza__sign_job *job);

/** XAdES enveloped / detached / enveloping (xades_sign.c). */
int emza__xades_sign(const emza__sign_job *job);

/** ASiC-E with a detached XAdES signature over the inputs (asic_sign.c). */
int emza__asic_sign(const emza__sign_job *job);

/** A MIME type for a file name by its extension ("application/pdf"); "application/octet-stream" when unknown. */
const char *emza__mime_type_for(const char *name);

/** The last path component of `path` (borrowed from it). */
const char *emza__base_name(const char *path);

#endif /* EMZA_SIGN_INTERNAL_H */
