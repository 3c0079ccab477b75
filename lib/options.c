/*
 * Options as heap objects for language bindings (include/emza/options.h):
 * each constructor allocates the library's own version of the struct and fills
 * it with the module's defaults through its _options_init(), so defaults live
 * in one place; the setters check a value before storing it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>

#include <emza/options.h>

#include "util/guard.h"

/* Allocates one struct of `size` bytes into *out and lets `init` fill it. */
#define OPTIONS_NEW(out, type, init_call)                                                          \
    do {                                                                                           \
        EMZA_ENSURE((out) != NULL, EMZA_EINVAL);                                                   \
        *(out) = NULL;                                                                             \
        type *o_ = malloc(sizeof(*o_));                                                            \
        EMZA_ENSURE_MSG(o_ != NULL, EMZA_ENOMEM, "out of memory for options");                    \
        int rc_ = init_call;                                                                       \
        if (rc_ < 0) {                                                                             \
            free(o_);                                                                              \
            return rc_;                                                                            \
        }                                                                                          \
        *(out) = o_;                                                                               \
    } while (0)

/* ------------------------------------------------------------------------ */
/* verification                                                              */
/* ------------------------------------------------------------------------ */

int emza_verify_options_new(emza_verify_options **out)
{
    OPTIONS_NEW(out, emza_verify_options, emza_verify_options_init(o_, EMZA_VERIFY_OPTIONS_VERSION));
    return EMZA_OK;
}

void emza_verify_options_free(emza_verify_options *opts)
{
    free(opts);
}

int emza_verify_options_set_trust(emza_verify_options *opts, const emza_trust *trust)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->trust = trust;
    return EMZA_OK;
}

int emza_verify_options_set_untrusted(emza_verify_options *opts, const emza_cert_list *untrusted)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->untrusted = untrusted;
    return EMZA_OK;
}

int emza_verify_options_set_validation_time(emza_verify_options *opts, int64_t t)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->has_validation_time = 1;
    opts->validation_time = t;
    return EMZA_OK;
}

int emza_verify_options_clear_validation_time(emza_verify_options *opts)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->has_validation_time = 0;
    opts->validation_time = 0;
    return EMZA_OK;
}

int emza_verify_options_set_offline(emza_verify_options *opts, int offline)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE(offline == 0 || offline == 1, EMZA_EINVAL);
    opts->offline = offline;
    return EMZA_OK;
}

int emza_verify_options_set_data(emza_verify_options *opts, const char *const *paths, size_t count)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE(count == 0 || paths != NULL, EMZA_EINVAL);
    opts->data_paths = count == 0 ? NULL : paths;
    opts->data_count = count;
    return EMZA_OK;
}

int emza_verify_options_set_timeout(emza_verify_options *opts, int seconds)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE(seconds >= 0, EMZA_EINVAL);
    opts->timeout_seconds = seconds;
    return EMZA_OK;
}

int emza_verify_options_set_policy(emza_verify_options *opts, const emza_policy *policy)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->policy = policy;
    return EMZA_OK;
}

/* ------------------------------------------------------------------------ */
/* signing                                                                   */
/* ------------------------------------------------------------------------ */

int emza_sign_options_new(emza_sign_options **out, emza_format format)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE_MSG(emza_format_name(format) != NULL, EMZA_EINVAL, "unknown signature format %d",
                    (int)format);
    OPTIONS_NEW(out, emza_sign_options, emza_sign_options_init(o_, EMZA_SIGN_OPTIONS_VERSION));
    (*out)->format = format;
    return EMZA_OK;
}

void emza_sign_options_free(emza_sign_options *opts)
{
    free(opts);
}

int emza_sign_options_set_level(emza_sign_options *opts, emza_level level)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE(level >= EMZA_LEVEL_B && level <= EMZA_LEVEL_LTA, EMZA_EINVAL);
    opts->level = level;
    return EMZA_OK;
}

int emza_sign_options_set_digest(emza_sign_options *opts, const char *digest)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->digest = digest;
    return EMZA_OK;
}

int emza_sign_options_set_rsa_pss(emza_sign_options *opts, int rsa_pss)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE(rsa_pss == 0 || rsa_pss == 1, EMZA_EINVAL);
    opts->rsa_pss = rsa_pss;
    return EMZA_OK;
}

int emza_sign_options_set_signing_time(emza_sign_options *opts, int64_t t)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->has_signing_time = 1;
    opts->signing_time = t;
    return EMZA_OK;
}

int emza_sign_options_set_mode(emza_sign_options *opts, emza_sign_mode mode, const char *existing)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE(mode >= EMZA_SIGN_NEW && mode <= EMZA_SIGN_COUNTERSIGN, EMZA_EINVAL);
    EMZA_ENSURE_MSG(mode == EMZA_SIGN_NEW || existing != NULL, EMZA_EINVAL,
                    "a parallel signature or countersignature needs the existing signed file");
    opts->mode = mode;
    opts->existing = mode == EMZA_SIGN_NEW ? NULL : existing;
    return EMZA_OK;
}

int emza_sign_options_set_mime_type(emza_sign_options *opts, const char *mime_type)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->mime_type = mime_type;
    return EMZA_OK;
}

int emza_sign_options_set_signer_role(emza_sign_options *opts, const char *role)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->signer_role = role;
    return EMZA_OK;
}

int emza_sign_options_set_production_place(emza_sign_options *opts, const char *city, const char *country)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->production_city = city;
    opts->production_country = country;
    return EMZA_OK;
}

int emza_sign_options_set_policy(emza_sign_options *opts, const char *oid, const char *sha256_hex)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->policy_oid = oid;
    opts->policy_sha256 = sha256_hex;
    return EMZA_OK;
}

int emza_sign_options_set_tsa_url(emza_sign_options *opts, const char *url)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->tsa_url = url;
    return EMZA_OK;
}

int emza_sign_options_set_timeout(emza_sign_options *opts, int seconds)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE(seconds >= 0, EMZA_EINVAL);
    opts->timeout_seconds = seconds;
    return EMZA_OK;
}

/* ------------------------------------------------------------------------ */
/* certificate chains                                                        */
/* ------------------------------------------------------------------------ */

int emza_chain_options_new(emza_chain_options **out)
{
    OPTIONS_NEW(out, emza_chain_options, emza_chain_options_init(o_, EMZA_CHAIN_OPTIONS_VERSION));
    return EMZA_OK;
}

void emza_chain_options_free(emza_chain_options *opts)
{
    free(opts);
}

int emza_chain_options_set_purpose(emza_chain_options *opts, emza_purpose purpose)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE(purpose >= EMZA_PURPOSE_ANY && purpose <= EMZA_PURPOSE_TIMESTAMP, EMZA_EINVAL);
    opts->purpose = purpose;
    return EMZA_OK;
}

int emza_chain_options_set_validation_time(emza_chain_options *opts, int64_t t)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->has_validation_time = 1;
    opts->validation_time = t;
    return EMZA_OK;
}

int emza_chain_options_set_untrusted(emza_chain_options *opts, const emza_cert_list *untrusted)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->untrusted = untrusted;
    return EMZA_OK;
}

int emza_chain_options_set_offline(emza_chain_options *opts, int offline)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE(offline == 0 || offline == 1, EMZA_EINVAL);
    opts->offline = offline;
    return EMZA_OK;
}

int emza_chain_options_set_timeout(emza_chain_options *opts, int seconds)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE(seconds >= 0, EMZA_EINVAL);
    opts->timeout_seconds = seconds;
    return EMZA_OK;
}

int emza_chain_options_set_policy(emza_chain_options *opts, const emza_policy *policy)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->policy = policy;
    return EMZA_OK;
}

/* ------------------------------------------------------------------------ */
/* citizen authentication                                                    */
/* ------------------------------------------------------------------------ */

int emza_auth_sign_options_new(emza_auth_sign_options **out)
{
    OPTIONS_NEW(out, emza_auth_sign_options,
                emza_auth_sign_options_init(o_, EMZA_AUTH_SIGN_OPTIONS_VERSION));
    return EMZA_OK;
}

void emza_auth_sign_options_free(emza_auth_sign_options *opts)
{
    free(opts);
}

int emza_auth_sign_options_set_algorithm(emza_auth_sign_options *opts, const char *algorithm)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->algorithm = algorithm;
    return EMZA_OK;
}

int emza_auth_verify_options_new(emza_auth_verify_options **out)
{
    OPTIONS_NEW(out, emza_auth_verify_options,
                emza_auth_verify_options_init(o_, EMZA_AUTH_VERIFY_OPTIONS_VERSION));
    return EMZA_OK;
}

void emza_auth_verify_options_free(emza_auth_verify_options *opts)
{
    free(opts);
}

int emza_auth_verify_options_set_trust(emza_auth_verify_options *opts, const emza_trust *trust)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->trust = trust;
    return EMZA_OK;
}

int emza_auth_verify_options_set_untrusted(emza_auth_verify_options *opts, const emza_cert_list *untrusted)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->untrusted = untrusted;
    return EMZA_OK;
}

int emza_auth_verify_options_set_validation_time(emza_auth_verify_options *opts, int64_t t)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->has_validation_time = 1;
    opts->validation_time = t;
    return EMZA_OK;
}

int emza_auth_verify_options_clear_validation_time(emza_auth_verify_options *opts)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->has_validation_time = 0;
    opts->validation_time = 0;
    return EMZA_OK;
}

int emza_auth_verify_options_set_clock_skew(emza_auth_verify_options *opts, unsigned seconds)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE_MSG(seconds <= EMZA_AUTH_CLOCK_SKEW_MAX, EMZA_EINVAL,
                    "a clock skew of %u s is above the maximum of %u s", seconds,
                    EMZA_AUTH_CLOCK_SKEW_MAX);
    opts->clock_skew_seconds = seconds;
    return EMZA_OK;
}

int emza_auth_verify_options_set_offline(emza_auth_verify_options *opts, int offline)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE(offline == 0 || offline == 1, EMZA_EINVAL);
    opts->offline = offline;
    return EMZA_OK;
}

int emza_auth_verify_options_set_timeout(emza_auth_verify_options *opts, int seconds)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE(seconds >= 0, EMZA_EINVAL);
    opts->timeout_seconds = seconds;
    return EMZA_OK;
}

int emza_auth_verify_options_set_replay(emza_auth_verify_options *opts, emza_replay_fn replay, void *ctx)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->replay = replay;
    opts->replay_ctx = replay != NULL ? ctx : NULL;
    return EMZA_OK;
}

/* ------------------------------------------------------------------------ */
/* PKCS#11                                                                   */
/* ------------------------------------------------------------------------ */

int emza_pkcs11_options_new(emza_pkcs11_options **out)
{
    OPTIONS_NEW(out, emza_pkcs11_options, emza_pkcs11_options_init(o_, EMZA_PKCS11_OPTIONS_VERSION));
    return EMZA_OK;
}

void emza_pkcs11_options_free(emza_pkcs11_options *opts)
{
    free(opts);
}

int emza_pkcs11_options_set_module(emza_pkcs11_options *opts, const char *module_path)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->module_path = module_path;
    return EMZA_OK;
}

int emza_pkcs11_options_set_token_label(emza_pkcs11_options *opts, const char *token_label)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->token_label = token_label;
    return EMZA_OK;
}

int emza_pkcs11_options_set_slot(emza_pkcs11_options *opts, unsigned long slot_id)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->has_slot_id = 1;
    opts->slot_id = slot_id;
    return EMZA_OK;
}

int emza_pkcs11_options_clear_slot(emza_pkcs11_options *opts)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->has_slot_id = 0;
    opts->slot_id = 0;
    return EMZA_OK;
}

int emza_pkcs11_options_set_key_label(emza_pkcs11_options *opts, const char *key_label)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->key_label = key_label;
    return EMZA_OK;
}

int emza_pkcs11_options_set_key_id(emza_pkcs11_options *opts, const char *key_id_hex)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->key_id_hex = key_id_hex;
    return EMZA_OK;
}

int emza_pkcs11_options_set_pin(emza_pkcs11_options *opts, emza_pin_fn pin, void *ctx)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->pin = pin;
    opts->pin_ctx = pin != NULL ? ctx : NULL;
    return EMZA_OK;
}

int emza_pkcs11_options_set_chain(emza_pkcs11_options *opts, const char *chain_path)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    opts->chain_path = chain_path;
    return EMZA_OK;
}
