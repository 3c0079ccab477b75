/*
 * libemza — options as heap objects, for language bindings.
 *
 * The options of emza_verify_file(), emza_sign(), emza_trust_verify(),
 * emza_auth_sign(), emza_auth_verify() and emza_signer_open_pkcs11() are
 * transparent, versioned structs (verify.h, sign.h, trust.h, auth.h,
 * signer.h). C callers fill
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

#include "auth.h"
#include "cert.h"
#include "common.h"
#include "policy.h"
#include "sign.h"
#include "signer.h"
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
/** The validation policy (policy.h, borrowed), or NULL for the built-in default policy. */
EMZA_EXTERN int emza_verify_options_set_policy(emza_verify_options *opts, const emza_policy *policy);

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
/** The validation policy (policy.h, borrowed), or NULL for the built-in default policy. */
EMZA_EXTERN int emza_chain_options_set_policy(emza_chain_options *opts, const emza_policy *policy);

/* --- citizen authentication: making a token (auth.h) --- */

/** A new emza_auth_sign_options with the defaults. EMZA_EINVAL (NULL out), EMZA_ENOMEM. */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_auth_sign_options_new(emza_auth_sign_options **out);
/** Releases options made by emza_auth_sign_options_new; accepts NULL. */
EMZA_EXTERN void emza_auth_sign_options_free(emza_auth_sign_options *opts);
/** "RS256", "PS256", "ES256", ... (borrowed), or NULL for the key's default; emza_auth_sign checks it. */
EMZA_EXTERN int emza_auth_sign_options_set_algorithm(emza_auth_sign_options *opts, const char *algorithm);

/* --- citizen authentication: verifying a token (auth.h) --- */

/** A new emza_auth_verify_options with the defaults. EMZA_EINVAL (NULL out), EMZA_ENOMEM. */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_auth_verify_options_new(emza_auth_verify_options **out);
/** Releases options made by emza_auth_verify_options_new (not what they borrow); accepts NULL. */
EMZA_EXTERN void emza_auth_verify_options_free(emza_auth_verify_options *opts);
/** The trust anchors (borrowed); required by emza_auth_verify. */
EMZA_EXTERN int emza_auth_verify_options_set_trust(emza_auth_verify_options *opts, const emza_trust *trust);
/** Intermediate certificates for the chain (borrowed), or NULL. */
EMZA_EXTERN int emza_auth_verify_options_set_untrusted(emza_auth_verify_options *opts,
                                                      const emza_cert_list *untrusted);
/** Validate at `t` (seconds since the epoch) instead of now. */
EMZA_EXTERN int emza_auth_verify_options_set_validation_time(emza_auth_verify_options *opts, int64_t t);
/** Validate at the current time again (the default). */
EMZA_EXTERN int emza_auth_verify_options_clear_validation_time(emza_auth_verify_options *opts);
/** Clock skew tolerated, in seconds; above EMZA_AUTH_CLOCK_SKEW_MAX is EMZA_EINVAL. */
EMZA_EXTERN int emza_auth_verify_options_set_clock_skew(emza_auth_verify_options *opts, unsigned seconds);
/** 1: never use the network; 0: the default. Other values are EMZA_EINVAL. */
EMZA_EXTERN int emza_auth_verify_options_set_offline(emza_auth_verify_options *opts, int offline);
/** Per-revocation-request timeout in seconds, 0 for the default; negative is EMZA_EINVAL. */
EMZA_EXTERN int emza_auth_verify_options_set_timeout(emza_auth_verify_options *opts, int seconds);
/**
 * The replay check: `replay` called with `ctx` (which must outlive the
 * options' use). For an emza_replay_cache pass emza_replay_cache_use and the
 * cache. NULL `replay` goes back to the process-wide default cache (`ctx`
 * is then ignored and cleared).
 */
EMZA_EXTERN int emza_auth_verify_options_set_replay(emza_auth_verify_options *opts, emza_replay_fn replay,
                                                   void *ctx);

/* --- smart cards and tokens (signer.h, emza_signer_open_pkcs11) --- */

/** A new emza_pkcs11_options with the defaults. EMZA_EINVAL (NULL out), EMZA_ENOMEM. */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_pkcs11_options_new(emza_pkcs11_options **out);
/** Releases options made by emza_pkcs11_options_new (not what they borrow); accepts NULL. */
EMZA_EXTERN void emza_pkcs11_options_free(emza_pkcs11_options *opts);
/** The PKCS#11 module (.so) path (borrowed); required by emza_signer_open_pkcs11. */
EMZA_EXTERN int emza_pkcs11_options_set_module(emza_pkcs11_options *opts, const char *module_path);
/** The token's label (borrowed), or NULL. */
EMZA_EXTERN int emza_pkcs11_options_set_token_label(emza_pkcs11_options *opts, const char *token_label);
/** The token in slot `slot_id`. */
EMZA_EXTERN int emza_pkcs11_options_set_slot(emza_pkcs11_options *opts, unsigned long slot_id);
/** No slot given again (the default). */
EMZA_EXTERN int emza_pkcs11_options_clear_slot(emza_pkcs11_options *opts);
/** The private key's CKA_LABEL (borrowed), or NULL. */
EMZA_EXTERN int emza_pkcs11_options_set_key_label(emza_pkcs11_options *opts, const char *key_label);
/** The private key's CKA_ID in hex (borrowed), or NULL; emza_signer_open_pkcs11 checks it. */
EMZA_EXTERN int emza_pkcs11_options_set_key_id(emza_pkcs11_options *opts, const char *key_id_hex);
/** The PIN callback and its context (which must outlive the signer), or NULL for a token without PIN. */
EMZA_EXTERN int emza_pkcs11_options_set_pin(emza_pkcs11_options *opts, emza_pin_fn pin, void *ctx);
/** A PEM bundle of CA certificates (borrowed), or NULL for the CA certificates on the token. */
EMZA_EXTERN int emza_pkcs11_options_set_chain(emza_pkcs11_options *opts, const char *chain_path);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_OPTIONS_H */
