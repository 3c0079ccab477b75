/*
 * libemza — raising an existing signature to a higher baseline level
 * (ETSI EN 319 122-1 for CAdES, EN 319 132-1 for XAdES):
 *
 *   T    adds a signature timestamp from `tsa_url` (when there is none yet);
 *   LT   adds, after T when missing, the long-term validation material: every
 *        certificate of the signer's chain, of its countersigners' chains and
 *        of the chains of the TSAs of their timestamps up to a trust anchor, and for each one
 *        below the anchor a verified revocation statement (OCSP response or
 *        CRL) — so the signature can be validated offline later;
 *   LTA  adds, after LT when missing, an archive timestamp over the signature,
 *        its content and the embedded material; an LTA signature extended
 *        again gets a further archive timestamp (after the material for the
 *        previous archive timestamp's TSA is added).
 * Steps already present are kept; every signature of the file is extended.
 *
 * The chains are judged now, under the default policy: a signature is never
 * raised to LT with a revoked certificate, a failing chain, or without
 * revocation data for a certificate that declares a revocation source (one
 * that declares none is allowed, CONTRACT.md). With `offline`, only what the
 * signature already carries and certificates without revocation sources can
 * satisfy LT; the network is otherwise used only for the TSA URL given and
 * the OCSP / CRL URLs of the certificates.
 *
 * The result is written atomically (temporary file, fsync, rename) to
 * `output_path`, or in place of `path` when `output_path` is NULL: a failed
 * extension writes nothing and leaves `path` as it was.
 *
 * Thread-safety: emza_extend may run in several threads at once; the trust
 * store and certificate list in the options may be shared.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_EXTEND_H
#define EMZA_EXTEND_H

#include "cert.h"
#include "common.h"
#include "sign.h"
#include "transport.h"
#include "trust.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EMZA_EXTEND_OPTIONS_VERSION 1u

/** Options of emza_extend. Fields are only ever appended; start from EMZA_EXTEND_OPTIONS_INIT. */
typedef struct emza_extend_options {
    unsigned int version;            /**< EMZA_EXTEND_OPTIONS_VERSION */
    emza_level level;                /**< EMZA_LEVEL_T, _LT or _LTA (B is EMZA_EINVAL) */
    const char *tsa_url;             /**< RFC 3161 TSA; needed whenever a timestamp is added */
    const emza_trust *trust;         /**< anchors for the LT chains; NULL: the self-signed
                                          certificates the signature carries or `untrusted` holds */
    const emza_cert_list *untrusted; /**< extra certificates for chain building, or NULL */
    int offline;                     /**< 1: never use the network (no timestamp can be added) */
    int timeout_seconds;             /**< per network request; 0: EMZA_NETWORK_TIMEOUT_DEFAULT */
    emza_transport_fn transport;     /**< route requests through the application, or NULL */
    void *transport_ctx;
    const char *const *data_paths;   /**< detached content files, matched by file name (an
                                          archive timestamp covers the content) */
    size_t data_count;
    emza_progress_fn progress;       /**< or NULL */
    void *progress_ctx;
    const char *digest;              /**< timestamp imprints: "sha256" (default when NULL),
                                          "sha384", "sha512" */
} emza_extend_options;

#define EMZA_EXTEND_OPTIONS_INIT                                                                   \
    {EMZA_EXTEND_OPTIONS_VERSION, EMZA_LEVEL_LT, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, 0,      \
     NULL, NULL, NULL}

/** Sets `*opts` to the defaults (level LT). EMZA_EVERSION for an unknown version. */
EMZA_EXTERN int emza_extend_options_init(emza_extend_options *opts, unsigned int version);

/**
 * Extends every signature in the file at `path` (CAdES in DER or PEM, which
 * is written back as DER; XAdES) to `opts->level` and writes the result to
 * `output_path`, or over `path` when it is NULL.
 * Errors (nothing is written): EMZA_EINVAL (bad options; level B; a revoked
 * certificate or a chain that does not validate now: the message says which),
 * EMZA_EVERSION, EMZA_EIO (unreadable input, unwritable output, a --data file),
 * EMZA_ELIMIT, EMZA_EFORMAT (not a signature emza can extend), EMZA_ENOTFOUND
 * (no chain to a trust anchor; a detached content not given in data_paths
 * for an archive timestamp), EMZA_EUNSUPPORTED (a timestamp needed and no
 * tsa_url; a format this build cannot extend), EMZA_ENETWORK (the TSA or
 * revocation data cannot be reached, or offline), EMZA_ECRYPTO (a timestamp
 * that does not verify), EMZA_ECANCELED, EMZA_ENOMEM.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_extend(const char *path,
                                                    const emza_extend_options *opts,
                                                    const char *output_path);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_EXTEND_H */
