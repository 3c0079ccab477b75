/*
 * libemza — validation policies.
 *
 * An emza_policy says what a validation accepts: digest and public-key
 * algorithms (each optionally until an expiry date), the minimum signature
 * level, revocation freshness and the severity of missing revocation sources
 * and OCSP nonces, the TSAs trusted for timestamps, the signing certificate's
 * keyUsage, the XML transforms allowed, and the longest chain. Each
 * constraint has a level: FAIL (an error with the sub-indication that
 * docs/POLICY.md gives), WARN (a warning with the same code, the indication
 * does not change), INFORM (an informational entry, the indication does not
 * change) or IGNORE (nothing).
 *
 * A policy is read from JSON (format and every constraint: docs/POLICY.md,
 * schema docs/policy.schema.json). The built-in one, emza_policy_default(),
 * is CONTRACT.md's default policy; policies/default.json is its JSON form.
 *
 * Thread-safety: a policy is immutable once built and may be shared by any
 * number of threads and validations at once; only emza_policy_free must not
 * race with its use.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_POLICY_H
#define EMZA_POLICY_H

#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest policy file or JSON text accepted. */
#define EMZA_POLICY_FILE_MAX (64 * 1024)
/** Most entries in any one list of a policy (algorithms, TSAs, transforms). */
#define EMZA_POLICY_ENTRIES_MAX 64
/** Longest policy name, in bytes. */
#define EMZA_POLICY_NAME_MAX 64

typedef struct emza_policy emza_policy;

/**
 * Parses a policy from `len` bytes of JSON. Strict: unknown keys, wrong
 * types, bad dates, unknown algorithm or transform names, duplicate keys and
 * lists longer than EMZA_POLICY_ENTRIES_MAX are EMZA_EFORMAT, and the error
 * record's message names the JSON path ("$.cryptographic.digestAlgorithms[2]
 * .name: ..."). More than EMZA_POLICY_FILE_MAX bytes is EMZA_ELIMIT. On
 * EMZA_OK `*out` is the caller's (emza_policy_free); on error it is NULL.
 * Also EMZA_EINVAL, EMZA_ENOMEM.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_policy_parse(emza_policy **out, const char *json,
                                                          size_t len);

/**
 * Reads the policy file at `path` (a regular file of at most
 * EMZA_POLICY_FILE_MAX bytes) and parses it as emza_policy_parse does.
 * EMZA_EIO when it cannot be read.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_policy_load(emza_policy **out, const char *path);

/**
 * The built-in default policy (CONTRACT.md "Default validation policy"),
 * named "default". `*out` is the caller's (emza_policy_free). EMZA_EINVAL,
 * EMZA_ENOMEM.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_policy_default(emza_policy **out);

/** The policy's name ("default" for the built-in one), borrowed from the policy; NULL for NULL. */
EMZA_EXTERN const char *emza_policy_name(const emza_policy *policy);

/** Releases a policy; accepts NULL. */
EMZA_EXTERN void emza_policy_free(emza_policy *policy);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_POLICY_H */
