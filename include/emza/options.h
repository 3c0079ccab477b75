/*
 * libemza — options as heap objects, for language bindings.
 *
 * The options of emza_verify_file(), emza_sign() and emza_trust_verify() are
 * transparent, versioned structs (verify.h, sign.h, trust.h). C callers fill
 * them on the stack. A binding (Python ctypes, Java JNI) would have to mirror
 * their layout instead; these functions let it allocate an options struct of
 * the library's own version, filled with the defaults, and set its fields
 * through plain calls. The result is the same struct: pass it to
 * emza_verify_file() and friends as usual.
 *
 * Ownership: `*out` is the caller's, released with the matching _free()
 * (accepts NULL). Objects and strings given to a setter are *borrowed*, not
 * copied: they must stay alive until the last call that uses the options has
 * returned (a binding keeps a reference to them). A setter given NULL for a
 * string or object clears that field back to its default.
 *
 * Errors: every setter returns EMZA_OK, or EMZA_EINVAL for a NULL options
 * pointer or a value out of range (the struct is left unchanged then).
 *
 * Thread-safety: an options object may be read by any number of threads at
 * once (e.g. shared by concurrent verifications) while no thread changes it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_OPTIONS_H
#define EMZA_OPTIONS_H

#include "cert.h"
#include "common.h"
#include "sign.h"
#include "trust.h"
#include "verify.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- verification (verify.h) --- */

/** A new emza_verify_options with the defaults. EMZA_EINVAL (NULL out), EMZA_ENOMEM. */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_verify_options_new(emza_verify_options **out);
/** Releases options made by emza_verify_options_new (not the objects they borrow); accepts NULL. */
EMZA_EXTERN void emza_verify_options_free(emza_verify_options *opts);
/** The trust anchors (borrowed); NULL trusts nothing. */
EMZA_EXTERN int emza_verify_options_set_trust(emza_verify_options *opts, const emza_trust *trust);
/** Extra certificates for chain building (borrowed), or NULL. */
EMZA_EXTERN int emza_verify_options_set_untrusted(emza_verify_options *opts, const emza_cert_list *untrusted);
/** Validate at `t` (seconds since the epoch) instead of now. */
EMZA_EXTERN int emza_verify_options_set_validation_time(emza_verify_options *opts, int64_t t);
/** Validate at the current time again (the default). */
EMZA_EXTERN int emza_verify_options_clear_validation_time(emza_verify_options *opts);
/** 1: never use the network; 0: the default. Other values are EMZA_EINVAL. */
EMZA_EXTERN int emza_verify_options_set_offline(emza_verify_options *opts, int offline);
/** Detached content files: `count` paths (the array and strings borrowed); NULL and 0 for none. */
EMZA_EXTERN int emza_verify_options_set_data(emza_verify_options *opts, const char *const *paths, size_t count);
/** Per-request network timeout in seconds, 0 for the default; negative is EMZA_EINVAL. */
EMZA_EXTERN int emza_verify_options_set_timeout(emza_verify_options *opts, int seconds);

/* --- signing (sign.h) --- */

/** A new emza_sign_options with the defaults and `format`. EMZA_EINVAL for an unknown format. */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_sign_options_new(emza_sign_options **out, emza_format format);
/** Releases options made by emza_sign_options_new; accepts NULL. */
EMZA_EXTERN void emza_sign_options_free(emza_sign_options *opts);
/** The baseline level (EMZA_LEVEL_*). */
EMZA_EXTERN int emza_sign_options_set_level(emza_sign_options *opts, emza_level level);
/** "sha256", "sha384", "sha512" (borrowed), or NULL for the default; emza_sign checks the name. */
EMZA_EXTERN int emza_sign_options_set_digest(emza_sign_options *opts, const char *digest);
/** 1: RSA-PSS for an RSA key; 0: PKCS#1 v1.5 (the default). */
EMZA_EXTERN int emza_sign_options_set_rsa_pss(emza_sign_options *opts, int rsa_pss);
/** The claimed signing time (seconds since the epoch) instead of now. */
EMZA_EXTERN int emza_sign_options_set_signing_time(emza_sign_options *opts, int64_t t);
/** New document, parallel signature or countersignature of the signed file `existing` (borrowed). */
EMZA_EXTERN int emza_sign_options_set_mode(emza_sign_options *opts, emza_sign_mode mode, const char *existing);
/** MIME type of the content (borrowed), or NULL to guess it from the name. */
EMZA_EXTERN int emza_sign_options_set_mime_type(emza_sign_options *opts, const char *mime_type);
/** XAdES claimed SignerRole (borrowed), or NULL. */
EMZA_EXTERN int emza_sign_options_set_signer_role(emza_sign_options *opts, const char *role);
/** XAdES SignatureProductionPlaceV2: city and ISO 3166 country code (borrowed), either NULL. */
EMZA_EXTERN int emza_sign_options_set_production_place(emza_sign_options *opts, const char *city,
                                                       const char *country);
/** XAdES SignaturePolicyIdentifier: OID and hex SHA-256 of the policy (borrowed), or NULL, NULL. */
EMZA_EXTERN int emza_sign_options_set_policy(emza_sign_options *opts, const char *oid, const char *sha256_hex);
/** RFC 3161 time-stamping authority URL for levels T and above (borrowed), or NULL. */
EMZA_EXTERN int emza_sign_options_set_tsa_url(emza_sign_options *opts, const char *url);
/** Per-request network timeout in seconds, 0 for the default; negative is EMZA_EINVAL. */
EMZA_EXTERN int emza_sign_options_set_timeout(emza_sign_options *opts, int seconds);

/* --- certificate chains (trust.h) --- */

/** A new emza_chain_options with the defaults (purpose EMZA_PURPOSE_SIGN). */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_chain_options_new(emza_chain_options **out);
/** Releases options made by emza_chain_options_new; accepts NULL. */
EMZA_EXTERN void emza_chain_options_free(emza_chain_options *opts);
/** What the end certificate is for (EMZA_PURPOSE_*). */
EMZA_EXTERN int emza_chain_options_set_purpose(emza_chain_options *opts, emza_purpose purpose);
/** Validate at `t` (seconds since the epoch) instead of now. */
EMZA_EXTERN int emza_chain_options_set_validation_time(emza_chain_options *opts, int64_t t);
/** Extra certificates for chain building (borrowed), or NULL. */
EMZA_EXTERN int emza_chain_options_set_untrusted(emza_chain_options *opts, const emza_cert_list *untrusted);
/** 1: never use the network; 0: the default. */
EMZA_EXTERN int emza_chain_options_set_offline(emza_chain_options *opts, int offline);
/** Per-request network timeout in seconds, 0 for the default; negative is EMZA_EINVAL. */
EMZA_EXTERN int emza_chain_options_set_timeout(emza_chain_options *opts, int seconds);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_OPTIONS_H */
