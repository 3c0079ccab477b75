/*
 * What the validation modules ask a policy (public side: include/emza/policy.h;
 * the format and every constraint: docs/POLICY.md). Every query takes a
 * policy that may be NULL, meaning the built-in default, so callers that
 * have no policy at hand (OCSP and CRL signatures, timestamp tokens) judge by
 * the default without special cases.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_POLICY_INTERNAL_H
#define EMZA_POLICY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <emza/indication.h>
#include <emza/policy.h>

#include "findings.h"

/** What a violated constraint does (docs/POLICY.md "Levels"). */
typedef enum emza__level {
    EMZA__LEVEL_IGNORE = 0, /* nothing */
    EMZA__LEVEL_INFORM = 1, /* an informational entry */
    EMZA__LEVEL_WARN = 2,   /* a warning with the constraint's code */
    EMZA__LEVEL_FAIL = 3,   /* an error with the constraint's sub-indication */
} emza__level;

/** The minimum signature level (signatureLevel.minimum). */
typedef enum emza__sig_level {
    EMZA__SIG_LEVEL_NONE = 0, /* plain XML-DSig or CMS */
    EMZA__SIG_LEVEL_B = 1,
    EMZA__SIG_LEVEL_T = 2,
    EMZA__SIG_LEVEL_LT = 3,
    EMZA__SIG_LEVEL_LTA = 4,
} emza__sig_level;

/** XML transforms (xml.transforms.allowed), one bit each. */
enum {
    EMZA__XFORM_C14N10 = 1u << 0,
    EMZA__XFORM_C14N10_COMMENTS = 1u << 1,
    EMZA__XFORM_EXC_C14N = 1u << 2,
    EMZA__XFORM_EXC_C14N_COMMENTS = 1u << 3,
    EMZA__XFORM_C14N11 = 1u << 4,
    EMZA__XFORM_C14N11_COMMENTS = 1u << 5,
    EMZA__XFORM_ENVELOPED = 1u << 6,
    EMZA__XFORM_BASE64 = 1u << 7,
};

/** The policy itself (fixed-size, so a copy is a plain assignment). */
typedef struct emza__policy_alg {
    int id;                /* digest NID, or an EMZA__KEY_* family */
    unsigned int min_bits; /* keys only */
    int has_expiry;
    int64_t expiry;        /* acceptable only with a proof of existence before this time */
} emza__policy_alg;

struct emza_policy {
    char name[EMZA_POLICY_NAME_MAX + 1];
    emza__level crypto_level;
    emza__policy_alg digests[EMZA_POLICY_ENTRIES_MAX];
    size_t digest_count;
    emza__policy_alg keys[EMZA_POLICY_ENTRIES_MAX];
    size_t key_count;
    emza__level sig_level_level;
    emza__sig_level sig_level_min;
    emza__level freshness_level;
    int has_max_age;
    int64_t max_age; /* seconds */
    emza__level no_source_level;
    emza__level nonce_level;
    emza__level tsa_level;
    int tsa_any;
    uint8_t tsas[EMZA_POLICY_ENTRIES_MAX][32];
    size_t tsa_count;
    emza__level key_usage_level;
    emza__level no_key_usage_level;
    emza__level transform_level;
    unsigned int transforms;
    unsigned int chain_max; /* certificates, anchor included, at most EMZA_CHAIN_DEPTH_MAX */
};

/** The built-in default policy (static; never freed). */
const emza_policy *emza__policy_builtin(void);

/** `p`, or the built-in default when `p` is NULL. */
const emza_policy *emza__policy_or_default(const emza_policy *p);

/**
 * Is the digest `md_nid` acceptable with a proof of existence at `poe`?
 * Returns 1, or 0 with `why` (`why_size` bytes) filled in words.
 */
int emza__policy_digest_check(const emza_policy *p, int md_nid, int64_t poe, char *why,
                              size_t why_size);

/** The same for a public key (its family and size). */
int emza__policy_key_check(const emza_policy *p, const EVP_PKEY *key, int64_t poe, char *why,
                           size_t why_size);

/**
 * Records a violated constraint by its level: FAIL adds an error (`stage`,
 * `sub`, `code`) to `errors`; WARN a warning with `code`; INFORM an
 * informational entry with `code`; IGNORE nothing. `warnings` and `infos`
 * may be NULL (the entry is then dropped). EMZA_ENOMEM only.
 */
int emza__policy_record(emza__level level, emza__findings *errors, emza__findings *warnings,
                        emza__findings *infos, int stage, emza_subindication sub, const char *code,
                        const char *fmt, ...) __attribute__((format(printf, 8, 9)));

/**
 * The signature level a report's level string stands for ("XAdES-BASELINE-T"
 * is T, "XMLDSig" and "CMS" are NONE); -1 for levels the constraint does not
 * apply to ("TST") or unknown strings.
 */
int emza__policy_sig_level_of(const char *report_level);

/** The name of a signature level ("B", "LTA", "NONE"). */
const char *emza__policy_sig_level_name(emza__sig_level level);

/** Is the TSA certificate with this SHA-256 fingerprint trusted for timestamps? */
int emza__policy_tsa_trusted(const emza_policy *p, const uint8_t sha256[32]);

/** The transform bit for a canonicalization (mode as xmlC14NMode, with comments or not). */
unsigned int emza__policy_c14n_bit(int mode, int with_comments);

/** The policy's name of one transform bit ("exc-c14n", "base64", ...). */
const char *emza__policy_transform_name(unsigned int bit);

#endif /* EMZA_POLICY_INTERNAL_H */
