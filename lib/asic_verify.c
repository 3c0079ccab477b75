/*
 * Validating ASiC containers (ETSI EN 319 162-1): the container is read
 * whole into memory (asic.h); each signatures*.xml goes to the XAdES
 * verification with its detached references resolved to container entries
 * (never to files); an ASiC-S time-stamp token is validated over its data
 * file and reported as one entry of level TST.
 *
 * Findings of our own:
 *   CONTAINER_INVALID / CONTAINER_LIMIT  the container breaks a rule or a
 *       limit of asic.h: one entry TOTAL_FAILED/FORMAT_FAILURE.
 *   DATA_FILE_NOT_SIGNED  an ASiC-E signature does not cover every data
 *       file: TOTAL_FAILED/FORMAT_FAILURE (as libdigidocpp; EN 319 162-1
 *       lets a signature cover a subset, but then the container shows content
 *       that nobody signed, and callers of a verifier rarely look further).
 *   UNSUPPORTED_SIGNATURE  a CAdES signature (signature*.p7s), or an ASiC-E
 *       time assertion (timestamp*.tst, ASiCManifest*.xml): not validated by
 *       this version, FORMAT_FAILURE (never silently an unsigned container).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <libxml/tree.h>

#include "asic.h"
#include "report_internal.h"
#include "util/guard.h"
#include "verify_internal.h"
#include "xades_internal.h"
#include "xml_parse.h"
#include "xmldsig.h"

static int container_failure(const emza__verify_job *job, const char *code, const char *what)
{
    emza_signature_report *sig = NULL;
    EMZA_GUARD(emza__report_add_signature(&sig, job->report));
    EMZA_GUARD(emza__findings_add(emza__sig_errors(sig), EMZA_STAGE_FORMAT,
                                  EMZA_SUB_FORMAT_FAILURE, code, "%s", what));
    emza__sig_decide(sig);
    return EMZA_OK;
}

/* 1 when one of the signature's signed objects is the entry `name`. */
static int covers(const emza_signature_report *sig, const char *name)
{
    char path[EMZA_ASIC_NAME_MAX + 1];
    for (size_t i = 0; i < emza_signature_object_count(sig); i++) {
        const char *uri = emza_signature_object_uri(sig, i);
        if (uri != NULL && !emza__uri_is_same_document(uri) &&
            emza__uri_path(path, sizeof(path), uri) == EMZA_OK && strcmp(path, name) == 0)
            return 1;
    }
    return 0;
}

/* Every data file must be signed by each signature of the container. */
static int check_coverage(const emza__verify_job *job, const emza__asic *asic, size_t from)
{
    for (size_t s = from; s < emza_report_signature_count(job->report); s++) {
        emza_signature_report *sig = emza__report_signature_at(job->report, s);
        int added = 0;
        for (size_t i = 0; i < asic->count; i++) {
            const emza__asic_entry *e = &asic->entries[i];
            if (!e->is_data || covers(sig, e->name))
                continue;
            EMZA_GUARD(emza__findings_add(emza__sig_errors(sig), EMZA_STAGE_FORMAT,
                                          EMZA_SUB_FORMAT_FAILURE, "DATA_FILE_NOT_SIGNED",
                                          "the container's data file \"%s\" is not covered by "
                                          "this signature",
                                          e->name));
            added = 1;
        }
        if (added)
            emza__sig_decide(sig);
    }
    return EMZA_OK;
}

static int verify_signatures_xml(const emza__verify_job *job, const emza__asic *asic,
                                 const emza__asic_entry *e)
{
    xmlDocPtr doc = NULL;
    int rc = emza__xml_parse(&doc, e->data.data ? e->data.data : (const uint8_t *)"", e->data.len,
                             NULL);
    if (rc == EMZA_EFORMAT || rc == EMZA_ELIMIT) {
        char msg[EMZA_FINDING_MESSAGE_MAX];
        snprintf(msg, sizeof(msg), "%s: %s", e->name, emza_error_last()->message);
        return container_failure(job, rc == EMZA_ELIMIT ? "XML_LIMIT" : "XML_MALFORMED", msg);
    }
    EMZA_GUARD(rc);
    size_t before = emza_report_signature_count(job->report);
    rc = emza__xades_verify_doc(job, doc);
    xmlFreeDoc(doc);
    EMZA_GUARD(rc);
    if (emza_report_signature_count(job->report) == before) {
        char msg[EMZA_FINDING_MESSAGE_MAX];
        snprintf(msg, sizeof(msg), "%s holds no ds:Signature", e->name);
        return container_failure(job, "CONTAINER_INVALID", msg);
    }
    return check_coverage(job, asic, before);
}

/* ASiC-S: META-INF/timestamp.tst over the one data file, reported as a TST entry. */
static int verify_timestamp_token(const emza__verify_job *job, const emza__asic *asic,
                                  const emza__asic_entry *token)
{
    const emza__asic_entry *data = NULL;
    for (size_t i = 0; i < asic->count && data == NULL; i++)
        if (asic->entries[i].is_data)
            data = &asic->entries[i];
    emza_signature_report *sig = NULL;
    EMZA_GUARD(emza__report_add_signature(&sig, job->report));
    EMZA_GUARD(emza__sig_set_level(sig, "TST"));
    emza__sig_set_best_time(sig, job->validation_time);
    EMZA_GUARD(emza__sig_add_object(sig, data->name, data->name, NULL, data->mime_type, 1));
    emza__tsp_context cx = {job->opts->trust,     {job->opts->untrusted, NULL},
                            job->validation_time, job->opts->offline,
                            job->policy,          NULL,
                            NULL};
    emza__timestamp_tally tally;
    memset(&tally, 0, sizeof(tally));
    emza_indication ind = EMZA_TOTAL_PASSED;
    emza_subindication sub = EMZA_SUB_NONE;
    EMZA_GUARD(emza__verify_timestamp(
        sig, &tally, "CONTENT", (emza_span){token->data.data, token->data.len},
        (emza_span){data->data.data ? data->data.data : (const uint8_t *)"", data->data.len}, &cx,
        &ind, &sub));
    if (ind != EMZA_TOTAL_PASSED) {
        int stage = sub == EMZA_SUB_FORMAT_FAILURE                ? EMZA_STAGE_FORMAT
                    : sub == EMZA_SUB_NO_SIGNING_CERTIFICATE_FOUND ? EMZA_STAGE_SIGNING_CERT
                    : sub == EMZA_SUB_HASH_FAILURE || sub == EMZA_SUB_SIG_CRYPTO_FAILURE
                        ? EMZA_STAGE_CRYPTO
                        : EMZA_STAGE_X509;
        EMZA_GUARD(emza__findings_add(emza__sig_errors(sig), stage, sub, "TIMESTAMP_INVALID",
                                      "the time-stamp token over \"%s\" does not pass (see the "
                                      "warnings for the reason)",
                                      data->name));
    } else if (tally.have_passed) {
        emza__sig_set_best_time(sig, tally.earliest);
    }
    emza__sig_decide(sig);
    return EMZA_OK;
}

static int unsupported(const emza__verify_job *job, const emza__asic_entry *e, const char *what)
{
    char msg[EMZA_FINDING_MESSAGE_MAX];
    snprintf(msg, sizeof(msg), "%s is %s in a container, which this version does not validate",
             e->name, what);
    return container_failure(job, "UNSUPPORTED_SIGNATURE", msg);
}

/* META-INF/<name containing `part`><suffix>, directly in META-INF/. */
static int meta_inf_file(const char *name, const char *part, const char *suffix)
{
    size_t len = strlen(name), sl = strlen(suffix);
    return strncmp(name, "META-INF/", 9) == 0 && strchr(name + 9, '/') == NULL &&
           len >= 9 + sl && strstr(name + 9, part) != NULL && strcmp(name + len - sl, suffix) == 0;
}

int emza__asic_verify(const emza__verify_job *job)
{
    emza__asic asic;
    int rc = emza__asic_open(&asic, job->data, job->len, NULL);
    EMZA_GUARD(emza__report_set_format(job->report,
                                       asic.kind == EMZA__ASIC_S ? "ASiC-S" : "ASiC-E"));
    if (rc == EMZA_EFORMAT || rc == EMZA_ELIMIT) {
        char msg[EMZA_FINDING_MESSAGE_MAX];
        snprintf(msg, sizeof(msg), "%s", emza_error_last()->message);
        return container_failure(job, rc == EMZA_ELIMIT ? "CONTAINER_LIMIT" : "CONTAINER_INVALID",
                                 msg);
    }
    EMZA_GUARD(rc);

    emza__verify_job inner = *job;
    inner.entry_resolve = emza__asic_resolve_entry;
    inner.entry_ctx = &asic;
    for (size_t i = 0; i < asic.count && rc == EMZA_OK; i++) {
        const emza__asic_entry *e = &asic.entries[i];
        if (asic.kind == EMZA__ASIC_E && emza__asic_is_signatures_xml(e->name))
            rc = verify_signatures_xml(&inner, &asic, e);
        else if (asic.kind == EMZA__ASIC_S && strcmp(e->name, EMZA_ASIC_S_SIGNATURES) == 0)
            rc = verify_signatures_xml(&inner, &asic, e);
        else if (asic.kind == EMZA__ASIC_S && strcmp(e->name, EMZA_ASIC_TIMESTAMP) == 0)
            rc = verify_timestamp_token(&inner, &asic, e);
        else if (meta_inf_file(e->name, "signature", ".p7s"))
            rc = unsupported(&inner, e, "a CAdES signature");
        else if (asic.kind == EMZA__ASIC_E && (meta_inf_file(e->name, "timestamp", ".tst") ||
                                               meta_inf_file(e->name, "ASiCManifest", ".xml")))
            rc = unsupported(&inner, e, "an ASiC-E time assertion");
    }
    /* The XAdES verification names its own format; the document is the container. */
    if (rc == EMZA_OK)
        rc = emza__report_set_format(job->report,
                                     asic.kind == EMZA__ASIC_S ? "ASiC-S" : "ASiC-E");
    emza__asic_free(&asic);
    return rc;
}
