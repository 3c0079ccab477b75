/*
 * The verification flow: reads the signed file (within a limit), recognises
 * its format, lets the format module fill the report, and provides the
 * validation steps every format shares.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include <emza/core.h>
#include <emza/datetime.h>
#include <emza/verify.h>

#include "cert_internal.h"
#include "crypto_policy.h"
#include "policy_internal.h"
#include "sign_internal.h"
#include "trust_internal.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/guard.h"
#include "util/hex.h"
#include "verify_internal.h"

/* The size of the options struct of each version (docs/ABI.md: fields are only appended). */
static size_t options_size(unsigned int version)
{
    switch (version) {
    case 1:
        return offsetof(emza_verify_options, policy);
    case 2:
        return sizeof(emza_verify_options);
    default:
        return 0;
    }
}

int emza_verify_options_init(emza_verify_options *opts, unsigned int version)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    size_t size = options_size(version);
    EMZA_ENSURE_MSG(size != 0, EMZA_EVERSION,
                    "verify options version %u is not supported (this library knows 1 to %u)",
                    version, EMZA_VERIFY_OPTIONS_VERSION);
    emza_verify_options defaults = EMZA_VERIFY_OPTIONS_INIT;
    defaults.version = version;
    memcpy(opts, &defaults, size);
    return EMZA_OK;
}

/* ------------------------------------------------------------------------ */
/* format recognition                                                        */
/* ------------------------------------------------------------------------ */

emza__detected_format emza__detect_format(const uint8_t *data, size_t len)
{
    size_t i = 0;
    if (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0)
        return DETECTED_ZIP;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3; /* UTF-8 byte order mark */
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i < len && data[i] == '<')
        return DETECTED_XML;
    if (len > 0 && data[0] == 0x30)
        return DETECTED_CMS;
    if (emza__looks_like_pem(data, len))
        return DETECTED_CMS;
    return DETECTED_UNKNOWN;
}

/*
 * The policy's minimum signature level (signatureLevel), on the level each
 * format module reported; entries the constraint does not speak of (a lone
 * timestamp, a broken file with no level) are left alone.
 */
static int check_signature_levels(const emza__verify_job *job)
{
    const emza_policy *p = job->policy;
    if (p->sig_level_min == EMZA__SIG_LEVEL_NONE)
        return EMZA_OK;
    for (size_t i = 0; i < emza_report_signature_count(job->report); i++) {
        emza_signature_report *sig = emza__report_signature_at(job->report, i);
        const char *level = emza_signature_level(sig);
        int have = emza__policy_sig_level_of(level);
        if (have < 0 || have >= (int)p->sig_level_min)
            continue;
        EMZA_GUARD(emza__policy_record(
            p->sig_level_level, emza__sig_errors(sig), emza__sig_warnings(sig),
            emza__sig_infos(sig), EMZA_STAGE_ACCEPTANCE, EMZA_SUB_SIG_CONSTRAINTS_FAILURE,
            "SIGNATURE_LEVEL", "the signature is of level %s; the policy \"%s\" requires at least %s",
            level, p->name, emza__policy_sig_level_name(p->sig_level_min)));
        emza__sig_decide(sig);
    }
    return EMZA_OK;
}

static int report_unknown_format(const emza__verify_job *job, const char *why)
{
    emza_signature_report *sig = NULL;
    EMZA_GUARD(emza__report_add_signature(&sig, job->report));
    EMZA_GUARD(emza__findings_add(emza__sig_errors(sig), EMZA_STAGE_FORMAT,
                                  EMZA_SUB_FORMAT_FAILURE, "UNKNOWN_FORMAT", "%s", why));
    emza__sig_decide(sig);
    return EMZA_OK;
}

int emza_verify_file(emza_report **out, const char *path, const emza_verify_options *opts)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(path != NULL, EMZA_EINVAL);
    /* Older versions are read up to their own last field; the rest keeps its default. */
    emza_verify_options o = EMZA_VERIFY_OPTIONS_INIT;
    if (opts != NULL) {
        size_t size = options_size(opts->version);
        EMZA_ENSURE_MSG(size != 0, EMZA_EVERSION,
                        "verify options version %u is not supported (this library knows 1 to %u)",
                        opts->version, EMZA_VERIFY_OPTIONS_VERSION);
        memcpy(&o, opts, size);
    }
    opts = &o;
    const emza_policy *policy = emza__policy_or_default(opts->policy);
    EMZA_ENSURE_MSG(opts->data_paths != NULL || opts->data_count == 0, EMZA_EINVAL,
                    "data_count without data_paths");
    EMZA_GUARD(emza_init());

    int64_t now = opts->has_validation_time ? opts->validation_time : (int64_t)time(NULL);
    EMZA_ENSURE_MSG(now >= 0 && now <= EMZA_TIME_MAX, EMZA_EINVAL, "validation time out of range");

    emza_buf file;
    EMZA_GUARD(emza__file_read(&file, path, EMZA_SIGNED_FILE_MAX));
    int rc = EMZA_OK;
    emza_report *report = NULL;

    uint8_t sha[EVP_MAX_MD_SIZE];
    unsigned int sha_len = 0;
    char hex[65];
    EMZA_TRY(emza__digest_bytes(sha, &sha_len, file.data ? file.data : (const uint8_t *)"",
                                file.len, EVP_sha256()));
    emza__hex_encode(hex, sha, 32);
    EMZA_TRY(emza__report_new(&report, path, hex, now, emza_policy_name(policy)));

    emza__verify_job job = {opts, now, path, file.data, file.len, report, policy, NULL, NULL};
    switch (emza__detect_format(file.data, file.len)) {
    case DETECTED_XML:
        EMZA_TRY(emza__xades_verify(&job));
        break;
    case DETECTED_CMS:
        EMZA_TRY(emza__cades_verify(&job));
        break;
    case DETECTED_ZIP:
        EMZA_TRY(emza__asic_verify(&job));
        break;
    case DETECTED_UNKNOWN:
        EMZA_TRY(report_unknown_format(
            &job, file.len == 0 ? "the file is empty"
                                : "the file is neither an XML signature nor a CMS/CAdES signature"));
        break;
    }
    EMZA_TRY(check_signature_levels(&job));
    *out = report;
    report = NULL;
cleanup:
    emza_report_free(report);
    emza__buf_free(&file);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* shared steps                                                              */
/* ------------------------------------------------------------------------ */

const char *emza__verify_data_path(const emza__verify_job *job, const char *name, int sole_ok)
{
    const emza_verify_options *o = job->opts;
    if (name != NULL) {
        const char *wanted = emza__base_name(name);
        for (size_t i = 0; i < o->data_count; i++)
            if (strcmp(emza__base_name(o->data_paths[i]), wanted) == 0)
                return o->data_paths[i];
    }
    if (sole_ok && o->data_count == 1)
        return o->data_paths[0];
    return NULL;
}

int emza__verify_signer_chain(emza_signature_report *sig, const emza__verify_job *job,
                              const emza_cert *signer, const emza_cert_list *embedded,
                              int64_t best_time)
{
    return emza__verify_signer_chain_ex(sig, job, signer, embedded, NULL, best_time);
}

/* Embedded OCSP responses produced before the best signature time (from a timestamp). */
typedef struct early_ocsp {
    emza_signature_report *sig;
    int64_t best_time;
} early_ocsp;

static int note_early_ocsp(void *ctx, const emza_cert *cert, const emza_cert *issuer,
                           const emza__revocation_answer *answer, const emza_buf *der)
{
    (void)issuer;
    (void)der;
    const early_ocsp *e = ctx;
    if (!answer->embedded || answer->source != EMZA__REVOCATION_FROM_OCSP ||
        answer->produced_at == 0 || answer->produced_at >= e->best_time)
        return EMZA_OK;
    char produced[EMZA_TIME_TEXT_SIZE], best[EMZA_TIME_TEXT_SIZE];
    if (emza_time_format(produced, sizeof(produced), answer->produced_at) != EMZA_OK ||
        emza_time_format(best, sizeof(best), e->best_time) != EMZA_OK)
        return EMZA_OK;
    return emza__findings_add(emza__sig_warnings(e->sig), 0, EMZA_SUB_NONE,
                              "OCSP_BEFORE_SIGNATURE_TIME",
                              "the embedded OCSP response about %s was produced at %s, before the "
                              "signature timestamp's time %s: it says nothing about the status "
                              "after the signature was made",
                              emza__cert_display_name(cert), produced, best);
}

int emza__verify_signer_chain_ex(emza_signature_report *sig, const emza__verify_job *job,
                                 const emza_cert *signer, const emza_cert_list *embedded,
                                 const emza__revocation_values *values, int64_t best_time)
{
    emza__findings *errors = emza__sig_errors(sig);
    if (job->opts->trust == NULL)
        return emza__findings_add(errors, EMZA_STAGE_X509, EMZA_SUB_NO_CERTIFICATE_CHAIN_FOUND,
                                  "NO_CHAIN", "no trust anchors were given");

    int rc = EMZA_OK;
    emza_cert_list *helpers = NULL;
    emza_chain_result *chain = NULL;
    EMZA_TRY(emza_cert_list_new(&helpers));
    const emza_cert_list *sources[2] = {job->opts->untrusted, embedded};
    for (size_t s = 0; s < 2; s++)
        for (size_t i = 0; sources[s] != NULL && i < emza_cert_list_count(sources[s]); i++)
            EMZA_TRY(emza_cert_list_add(helpers, emza_cert_list_get(sources[s], i)));

    emza_chain_options copts = EMZA_CHAIN_OPTIONS_INIT;
    copts.has_validation_time = 1;
    copts.validation_time = best_time;
    copts.purpose = EMZA_PURPOSE_SIGN;
    copts.untrusted = helpers;
    copts.offline = job->opts->offline;
    copts.timeout_seconds = job->opts->timeout_seconds;
    copts.transport = job->opts->transport;
    copts.transport_ctx = job->opts->transport_ctx;
    copts.policy = job->policy;
    /* EN 319 102-1 long-term validation wants revocation data issued after the signature's
       proof of time: an embedded OCSP response produced before it passes with a warning. */
    early_ocsp early = {sig, best_time};
    int timestamped = best_time < job->validation_time;
    emza__chain_extra extra = {values, timestamped ? note_early_ocsp : NULL,
                               timestamped ? &early : NULL};
    EMZA_TRY(emza__trust_verify_ex(&chain, job->opts->trust, signer, &copts, &extra));

    for (size_t i = 0; i < emza_chain_result_error_count(chain); i++) {
        /* The chain's own order is kept: its first error is the chain's verdict. */
        EMZA_TRY(emza__findings_add(errors, EMZA_STAGE_X509,
                                    emza_chain_result_error_subindication(chain, i),
                                    emza_chain_result_error_code(chain, i), "%s",
                                    emza_chain_result_error_message(chain, i)));
    }
    for (size_t i = 0; i < emza_chain_result_warning_count(chain); i++)
        EMZA_TRY(emza__findings_add(emza__sig_warnings(sig), 0, EMZA_SUB_NONE,
                                    emza_chain_result_warning_code(chain, i), "%s",
                                    emza_chain_result_warning_message(chain, i)));
    for (size_t i = 0; i < emza_chain_result_info_count(chain); i++)
        EMZA_TRY(emza__findings_add(emza__sig_infos(sig), 0, EMZA_SUB_NONE,
                                    emza_chain_result_info_code(chain, i), "%s",
                                    emza_chain_result_info_message(chain, i)));
cleanup:
    emza_chain_result_free(chain);
    emza_cert_list_free(helpers);
    return rc;
}

int emza__verify_signature_algorithm(emza_signature_report *sig, const emza__verify_job *job,
                                     int md_nid, const EVP_PKEY *key)
{
    const emza_policy *p = job->policy;
    int64_t poe = emza_signature_best_signature_time(sig);
    char why[200];
    if (!emza__policy_digest_check(p, md_nid, poe, why, sizeof(why)))
        EMZA_GUARD(emza__policy_record(p->crypto_level, emza__sig_errors(sig),
                                       emza__sig_warnings(sig), emza__sig_infos(sig),
                                       EMZA_STAGE_ACCEPTANCE,
                                       EMZA_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE, "WEAK_ALGORITHM",
                                       "the signature's digest is not acceptable: %s", why));
    if (key != NULL && !emza__policy_key_check(p, key, poe, why, sizeof(why)))
        EMZA_GUARD(emza__policy_record(p->crypto_level, emza__sig_errors(sig),
                                       emza__sig_warnings(sig), emza__sig_infos(sig),
                                       EMZA_STAGE_ACCEPTANCE,
                                       EMZA_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE, "WEAK_KEY",
                                       "the signing key is not acceptable: %s", why));
    return EMZA_OK;
}

int emza__verify_content_digest(emza_signature_report *sig, const emza__verify_job *job,
                                int md_nid, const char *what)
{
    const emza_policy *p = job->policy;
    char why[200];
    if (emza__policy_digest_check(p, md_nid, emza_signature_best_signature_time(sig), why,
                                  sizeof(why)))
        return EMZA_OK;
    return emza__policy_record(p->crypto_level, emza__sig_errors(sig), emza__sig_warnings(sig),
                               emza__sig_infos(sig), EMZA_STAGE_ACCEPTANCE,
                               EMZA_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE, "WEAK_ALGORITHM",
                               "%s is digested with a weak algorithm: %s", what, why);
}

int emza__verify_timestamp(emza_signature_report *sig, emza__timestamp_tally *tally,
                           const char *type, emza_span token, emza_span data,
                           const emza__tsp_context *cx, emza_indication *indication,
                           emza_subindication *sub)
{
    emza__tsp_validation tv;
    EMZA_GUARD(emza__tsp_validate(&tv, token.data, token.len, data.data, data.len, cx));
    int number = tally != NULL ? ++tally->number : 0;
    const char *tsa = tv.token.tsa_cert ? emza__cert_display_name(tv.token.tsa_cert) : NULL;
    int rc = emza__sig_add_timestamp(sig, type, tv.token.has_time ? tv.token.gen_time : 0, tsa,
                                     emza__tsp_indication_word(tv.indication));
    if (rc == EMZA_OK && tv.indication == EMZA_TOTAL_PASSED) {
        if (tally != NULL && (!tally->have_passed || tv.token.gen_time < tally->earliest)) {
            tally->earliest = tv.token.gen_time;
            tally->earliest_accuracy_us = tv.token.accuracy_us;
            tally->have_passed = 1;
        }
    } else if (rc == EMZA_OK) {
        char what[48];
        snprintf(what, sizeof(what), "%s timestamp", strcmp(type, "ARCHIVE") == 0 ? "archive"
                                                     : strcmp(type, "SIGNATURE") == 0
                                                         ? "signature"
                                                         : type);
        char nth[16] = "";
        if (number > 0)
            snprintf(nth, sizeof(nth), " %d", number);
        rc = emza__findings_add(
            emza__sig_warnings(sig), 0, EMZA_SUB_NONE,
            tv.indication == EMZA_TOTAL_FAILED ? "TIMESTAMP_FAILED" : "TIMESTAMP_INDETERMINATE",
            "%s%s%s%s is %s/%s, so it is no proof of the signature's time: %s", what, nth,
            tsa ? " by " : "", tsa ? tsa : "", emza__tsp_indication_word(tv.indication),
            emza_subindication_name(tv.sub) ? emza_subindication_name(tv.sub) : "?", tv.message);
    }
    if (rc == EMZA_OK)
        rc = emza__findings_append(emza__sig_warnings(sig), &tv.warnings, 0);
    if (rc == EMZA_OK)
        rc = emza__findings_append(emza__sig_infos(sig), &tv.infos, 0);
    if (indication != NULL)
        *indication = tv.indication;
    if (sub != NULL)
        *sub = tv.sub;
    emza__tsp_validation_free(&tv);
    return rc;
}

int emza__verify_timestamps_conclude(emza_signature_report *sig,
                                     const emza__timestamp_tally *tally)
{
    if (!tally->have_passed)
        return EMZA_OK;
    if (tally->earliest < emza_signature_best_signature_time(sig))
        emza__sig_set_best_time(sig, tally->earliest);
    int has_claimed = 0;
    int64_t claimed = emza_signature_claimed_signing_time(sig, &has_claimed);
    int64_t slack = EMZA_TSP_CLOCK_SKEW_MAX + tally->earliest_accuracy_us / 1000000 + 1;
    if (!has_claimed || claimed <= tally->earliest + slack)
        return EMZA_OK;
    char claimed_text[32], stamped_text[32];
    emza_time_format(claimed_text, sizeof(claimed_text), claimed);
    emza_time_format(stamped_text, sizeof(stamped_text), tally->earliest);
    return emza__findings_add(emza__sig_errors(sig), EMZA_STAGE_TIMESTAMP,
                              EMZA_SUB_TIMESTAMP_ORDER_FAILURE, "SIGNING_TIME_AFTER_TIMESTAMP",
                              "the claimed signing time %s is after the signature timestamp's "
                              "time %s",
                              claimed_text, stamped_text);
}
