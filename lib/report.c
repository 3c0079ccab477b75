/*
 * The validation report: building (report_internal.h), walking (report.h),
 * and rendering as CONTRACT.md's JSON or as human text.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <emza/datetime.h>
#include <emza/report.h>

#include "report_internal.h"
#include "util/buf.h"
#include "util/display.h"
#include "util/guard.h"
#include "util/utf8.h"

/* Largest rendered report (JSON or text). */
#define REPORT_TEXT_MAX (64u * 1024 * 1024)

typedef struct signed_object {
    char *uri;
    char *name;
    char *digest_algorithm;
    char *mime_type;
    int whole_document;
} signed_object;

typedef struct timestamp_entry {
    char *type;
    int64_t time;
    char *tsa;
    char *indication;
} timestamp_entry;

struct emza_signature_report {
    char id[16];
    emza_indication indication;
    emza_subindication sub;
    char *level;
    char *algorithm;
    int has_claimed_time;
    int64_t claimed_time;
    int64_t best_time;
    emza_cert *signer;
    signed_object *objects;
    size_t object_count;
    timestamp_entry *timestamps;
    size_t timestamp_count;
    emza__findings errors;
    emza__findings warnings;
    emza__findings infos;
};

struct emza_report {
    char *path;
    char *format;
    char sha256[65];
    int64_t validation_time;
    char *policy;
    emza_signature_report **signatures;
    size_t signature_count;
};

/* ------------------------------------------------------------------------ */
/* building                                                                  */
/* ------------------------------------------------------------------------ */

static int dup_string(char **dest, const char *s)
{
    free(*dest);
    *dest = NULL;
    if (s == NULL)
        return EMZA_OK;
    size_t len = strlen(s);
    *dest = malloc(len + 1);
    EMZA_ENSURE(*dest != NULL, EMZA_ENOMEM);
    memcpy(*dest, s, len + 1);
    return EMZA_OK;
}

static void signature_free(emza_signature_report *sig)
{
    if (sig == NULL)
        return;
    free(sig->level);
    free(sig->algorithm);
    emza_cert_free(sig->signer);
    for (size_t i = 0; i < sig->object_count; i++) {
        free(sig->objects[i].uri);
        free(sig->objects[i].name);
        free(sig->objects[i].digest_algorithm);
        free(sig->objects[i].mime_type);
    }
    free(sig->objects);
    for (size_t i = 0; i < sig->timestamp_count; i++) {
        free(sig->timestamps[i].type);
        free(sig->timestamps[i].tsa);
        free(sig->timestamps[i].indication);
    }
    free(sig->timestamps);
    emza__findings_free(&sig->errors);
    emza__findings_free(&sig->warnings);
    emza__findings_free(&sig->infos);
    free(sig);
}

void emza_report_free(emza_report *report)
{
    if (report == NULL)
        return;
    for (size_t i = 0; i < report->signature_count; i++)
        signature_free(report->signatures[i]);
    free(report->signatures);
    free(report->path);
    free(report->format);
    free(report->policy);
    free(report);
}

int emza__report_new(emza_report **out, const char *path, const char *sha256_hex,
                     int64_t validation_time, const char *policy)
{
    *out = NULL;
    emza_report *r = calloc(1, sizeof(*r));
    EMZA_ENSURE(r != NULL, EMZA_ENOMEM);
    int rc = EMZA_OK;
    EMZA_TRY(dup_string(&r->path, path ? path : ""));
    EMZA_TRY(dup_string(&r->format, "unknown"));
    EMZA_TRY(dup_string(&r->policy, policy ? policy : "default"));
    if (sha256_hex != NULL && strlen(sha256_hex) == 64)
        memcpy(r->sha256, sha256_hex, 65);
    r->validation_time = validation_time;
    *out = r;
    r = NULL;
cleanup:
    emza_report_free(r);
    return rc;
}

int emza__report_set_format(emza_report *report, const char *format)
{
    return dup_string(&report->format, format);
}

int emza__report_add_signature(emza_signature_report **out, emza_report *report)
{
    *out = NULL;
    EMZA_ENSURE_MSG(report->signature_count < EMZA_REPORT_SIGNATURES_MAX, EMZA_ELIMIT,
                    "the document holds more than %d signatures", EMZA_REPORT_SIGNATURES_MAX);
    emza_signature_report **grown =
        realloc(report->signatures, (report->signature_count + 1) * sizeof(*grown));
    EMZA_ENSURE(grown != NULL, EMZA_ENOMEM);
    report->signatures = grown;
    emza_signature_report *sig = calloc(1, sizeof(*sig));
    EMZA_ENSURE(sig != NULL, EMZA_ENOMEM);
    snprintf(sig->id, sizeof(sig->id), "S%zu", report->signature_count);
    sig->indication = EMZA_INDETERMINATE;
    sig->best_time = report->validation_time;
    report->signatures[report->signature_count++] = sig;
    *out = sig;
    return EMZA_OK;
}

int emza__sig_set_level(emza_signature_report *sig, const char *level)
{
    return dup_string(&sig->level, level);
}

int emza__sig_set_algorithm(emza_signature_report *sig, const char *algorithm)
{
    return dup_string(&sig->algorithm, algorithm);
}

void emza__sig_set_claimed_time(emza_signature_report *sig, int64_t t)
{
    sig->has_claimed_time = 1;
    sig->claimed_time = t;
}

void emza__sig_set_best_time(emza_signature_report *sig, int64_t t)
{
    sig->best_time = t;
}

void emza__sig_set_signer(emza_signature_report *sig, const emza_cert *cert)
{
    emza_cert_free(sig->signer);
    sig->signer = emza_cert_dup(cert);
}

int emza__sig_add_object(emza_signature_report *sig, const char *uri, const char *name,
                         const char *digest_algorithm, const char *mime_type, int whole_document)
{
    EMZA_ENSURE_MSG(sig->object_count < EMZA_REPORT_ITEMS_MAX, EMZA_ELIMIT,
                    "a signature covers more than %d objects", EMZA_REPORT_ITEMS_MAX);
    signed_object *grown = realloc(sig->objects, (sig->object_count + 1) * sizeof(*grown));
    EMZA_ENSURE(grown != NULL, EMZA_ENOMEM);
    sig->objects = grown;
    signed_object *o = &sig->objects[sig->object_count];
    memset(o, 0, sizeof(*o));
    sig->object_count++;
    o->whole_document = whole_document ? 1 : 0;
    EMZA_GUARD(dup_string(&o->uri, uri));
    EMZA_GUARD(dup_string(&o->name, name));
    EMZA_GUARD(dup_string(&o->digest_algorithm, digest_algorithm));
    EMZA_GUARD(dup_string(&o->mime_type, mime_type));
    return EMZA_OK;
}

int emza__sig_add_timestamp(emza_signature_report *sig, const char *type, int64_t time,
                            const char *tsa, const char *indication)
{
    EMZA_ENSURE_MSG(sig->timestamp_count < EMZA_REPORT_ITEMS_MAX, EMZA_ELIMIT,
                    "a signature carries more than %d timestamps", EMZA_REPORT_ITEMS_MAX);
    timestamp_entry *grown = realloc(sig->timestamps, (sig->timestamp_count + 1) * sizeof(*grown));
    EMZA_ENSURE(grown != NULL, EMZA_ENOMEM);
    sig->timestamps = grown;
    timestamp_entry *t = &sig->timestamps[sig->timestamp_count];
    memset(t, 0, sizeof(*t));
    sig->timestamp_count++;
    t->time = time;
    EMZA_GUARD(dup_string(&t->type, type));
    EMZA_GUARD(dup_string(&t->tsa, tsa));
    EMZA_GUARD(dup_string(&t->indication, indication));
    return EMZA_OK;
}

emza__findings *emza__sig_errors(emza_signature_report *sig)
{
    return &sig->errors;
}

emza__findings *emza__sig_warnings(emza_signature_report *sig)
{
    return &sig->warnings;
}

emza__findings *emza__sig_infos(emza_signature_report *sig)
{
    return &sig->infos;
}

emza_signature_report *emza__report_signature_at(emza_report *report, size_t index)
{
    return index < report->signature_count ? report->signatures[index] : NULL;
}

void emza__sig_decide(emza_signature_report *sig)
{
    emza__findings_rank(&sig->errors);
    sig->sub = emza__findings_decide(&sig->errors);
    sig->indication = emza_subindication_indication(sig->sub);
}

/* ------------------------------------------------------------------------ */
/* walking                                                                   */
/* ------------------------------------------------------------------------ */

const char *emza_report_document_path(const emza_report *report)
{
    return report ? report->path : NULL;
}

const char *emza_report_document_format(const emza_report *report)
{
    return report ? report->format : NULL;
}

const char *emza_report_document_sha256(const emza_report *report)
{
    return report ? report->sha256 : NULL;
}

int64_t emza_report_validation_time(const emza_report *report)
{
    return report ? report->validation_time : 0;
}

const char *emza_report_policy(const emza_report *report)
{
    return report ? report->policy : NULL;
}

emza_report_summary emza_report_summarize(const emza_report *report)
{
    if (report == NULL || report->signature_count == 0)
        return EMZA_REPORT_NO_SIGNATURE;
    int any_indeterminate = 0;
    for (size_t i = 0; i < report->signature_count; i++) {
        if (report->signatures[i]->indication == EMZA_TOTAL_FAILED)
            return EMZA_REPORT_ANY_FAILED;
        if (report->signatures[i]->indication == EMZA_INDETERMINATE)
            any_indeterminate = 1;
    }
    return any_indeterminate ? EMZA_REPORT_INDETERMINATE : EMZA_REPORT_ALL_PASSED;
}

size_t emza_report_signature_count(const emza_report *report)
{
    return report ? report->signature_count : 0;
}

const emza_signature_report *emza_report_signature(const emza_report *report, size_t index)
{
    return (report && index < report->signature_count) ? report->signatures[index] : NULL;
}

const char *emza_signature_id(const emza_signature_report *sig)
{
    return sig ? sig->id : NULL;
}

emza_indication emza_signature_indication(const emza_signature_report *sig)
{
    return sig ? sig->indication : EMZA_INDETERMINATE;
}

emza_subindication emza_signature_subindication(const emza_signature_report *sig)
{
    return sig ? sig->sub : EMZA_SUB_NONE;
}

const char *emza_signature_level(const emza_signature_report *sig)
{
    return sig ? sig->level : NULL;
}

const char *emza_signature_algorithm(const emza_signature_report *sig)
{
    return sig ? sig->algorithm : NULL;
}

int64_t emza_signature_claimed_signing_time(const emza_signature_report *sig, int *out_present)
{
    int present = sig != NULL && sig->has_claimed_time;
    if (out_present != NULL)
        *out_present = present;
    return present ? sig->claimed_time : 0;
}

int64_t emza_signature_best_signature_time(const emza_signature_report *sig)
{
    return sig ? sig->best_time : 0;
}

const emza_cert *emza_signature_signer(const emza_signature_report *sig)
{
    return sig ? sig->signer : NULL;
}

size_t emza_signature_object_count(const emza_signature_report *sig)
{
    return sig ? sig->object_count : 0;
}

#define OBJECT_FIELD(name, field, fallback)                                                        \
    name(const emza_signature_report *sig, size_t index)                                           \
    {                                                                                              \
        return (sig && index < sig->object_count) ? sig->objects[index].field : (fallback);        \
    }

const char *OBJECT_FIELD(emza_signature_object_uri, uri, NULL)
const char *OBJECT_FIELD(emza_signature_object_name, name, NULL)
const char *OBJECT_FIELD(emza_signature_object_digest_algorithm, digest_algorithm, NULL)
const char *OBJECT_FIELD(emza_signature_object_mime_type, mime_type, NULL)
int OBJECT_FIELD(emza_signature_object_whole_document, whole_document, 0)

size_t emza_signature_timestamp_count(const emza_signature_report *sig)
{
    return sig ? sig->timestamp_count : 0;
}

#define TIMESTAMP_FIELD(name, field, fallback)                                                     \
    name(const emza_signature_report *sig, size_t index)                                           \
    {                                                                                              \
        return (sig && index < sig->timestamp_count) ? sig->timestamps[index].field : (fallback);  \
    }

const char *TIMESTAMP_FIELD(emza_signature_timestamp_type, type, NULL)
int64_t TIMESTAMP_FIELD(emza_signature_timestamp_time, time, 0)
const char *TIMESTAMP_FIELD(emza_signature_timestamp_tsa, tsa, NULL)
const char *TIMESTAMP_FIELD(emza_signature_timestamp_indication, indication, NULL)

static const emza__finding *finding_at(const emza__findings *f, size_t index)
{
    return index < f->count ? &f->items[index] : NULL;
}

size_t emza_signature_error_count(const emza_signature_report *sig)
{
    return sig ? sig->errors.count : 0;
}

const char *emza_signature_error_code(const emza_signature_report *sig, size_t index)
{
    const emza__finding *f = sig ? finding_at(&sig->errors, index) : NULL;
    return f ? f->code : NULL;
}

const char *emza_signature_error_message(const emza_signature_report *sig, size_t index)
{
    const emza__finding *f = sig ? finding_at(&sig->errors, index) : NULL;
    return f ? f->message : NULL;
}

size_t emza_signature_warning_count(const emza_signature_report *sig)
{
    return sig ? sig->warnings.count : 0;
}

const char *emza_signature_warning_code(const emza_signature_report *sig, size_t index)
{
    const emza__finding *f = sig ? finding_at(&sig->warnings, index) : NULL;
    return f ? f->code : NULL;
}

const char *emza_signature_warning_message(const emza_signature_report *sig, size_t index)
{
    const emza__finding *f = sig ? finding_at(&sig->warnings, index) : NULL;
    return f ? f->message : NULL;
}

size_t emza_signature_info_count(const emza_signature_report *sig)
{
    return sig ? sig->infos.count : 0;
}

const char *emza_signature_info_code(const emza_signature_report *sig, size_t index)
{
    const emza__finding *f = sig ? finding_at(&sig->infos, index) : NULL;
    return f ? f->code : NULL;
}

const char *emza_signature_info_message(const emza_signature_report *sig, size_t index)
{
    const emza__finding *f = sig ? finding_at(&sig->infos, index) : NULL;
    return f ? f->message : NULL;
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                      */
/* ------------------------------------------------------------------------ */

/* A JSON string for untrusted text: valid UTF-8 as is, anything else escaped; NULL -> null. */
static json_t *json_text(const char *s)
{
    if (s == NULL)
        return json_null();
    size_t len = strlen(s);
    if (emza__utf8_valid((const uint8_t *)s, len))
        return json_stringn(s, len);
    emza_error_clear();
    emza_buf b;
    emza__buf_init(&b, REPORT_TEXT_MAX);
    json_t *j = NULL;
    if (emza__display_escape(&b, s, len) == EMZA_OK)
        j = json_stringn(b.data ? (const char *)b.data : "", b.len);
    emza__buf_free(&b);
    return j;
}

static json_t *json_time(int64_t t)
{
    char buf[EMZA_TIME_TEXT_SIZE];
    if (emza_time_format(buf, sizeof(buf), t) != EMZA_OK)
        return json_null();
    return json_string(buf);
}

/* Sets obj[key] = value; a NULL value (out of memory) makes the whole build fail. */
static int put(json_t *obj, const char *key, json_t *value)
{
    EMZA_ENSURE(value != NULL, EMZA_ENOMEM);
    EMZA_ENSURE(json_object_set_new(obj, key, value) == 0, EMZA_ENOMEM);
    return EMZA_OK;
}

static int push(json_t *array, json_t *value)
{
    EMZA_ENSURE(value != NULL, EMZA_ENOMEM);
    EMZA_ENSURE(json_array_append_new(array, value) == 0, EMZA_ENOMEM);
    return EMZA_OK;
}

static int findings_json(json_t **out, const emza__findings *f)
{
    json_t *array = json_array();
    EMZA_ENSURE(array != NULL, EMZA_ENOMEM);
    int rc = EMZA_OK;
    for (size_t i = 0; i < f->count; i++) {
        json_t *item = json_object();
        EMZA_TRY(push(array, item));
        EMZA_TRY(put(item, "code", json_string(f->items[i].code)));
        EMZA_TRY(put(item, "message", json_text(f->items[i].message)));
    }
    *out = array;
    return EMZA_OK;
cleanup:
    json_decref(array);
    return rc;
}

static int signer_json(json_t **out, const emza_cert *c)
{
    *out = NULL;
    if (c == NULL) {
        *out = json_null();
        return EMZA_OK;
    }
    json_t *s = json_object();
    EMZA_ENSURE(s != NULL, EMZA_ENOMEM);
    int rc = EMZA_OK;
    EMZA_TRY(put(s, "subject", json_text(emza_cert_subject(c))));
    EMZA_TRY(put(s, "commonName", json_text(emza_cert_common_name(c))));
    EMZA_TRY(put(s, "givenName", json_text(emza_cert_given_name(c))));
    EMZA_TRY(put(s, "surname", json_text(emza_cert_surname(c))));
    EMZA_TRY(put(s, "nationalCode", json_text(emza_cert_national_code(c))));
    EMZA_TRY(put(s, "legalId", json_text(emza_cert_legal_id(c))));
    EMZA_TRY(put(s, "certificateSha256", json_text(emza_cert_sha256_hex(c))));
    *out = s;
    return EMZA_OK;
cleanup:
    json_decref(s);
    return rc;
}

static int signature_json(json_t *sigs, const emza_signature_report *sig)
{
    json_t *s = json_object();
    int rc = EMZA_OK;
    EMZA_TRY(push(sigs, s));
    EMZA_TRY(put(s, "id", json_string(sig->id)));
    EMZA_TRY(put(s, "indication", json_string(emza_indication_name(sig->indication))));
    const char *sub = emza_subindication_name(sig->sub);
    EMZA_TRY(put(s, "subIndication", sub ? json_string(sub) : json_null()));
    EMZA_TRY(put(s, "level", json_text(sig->level)));
    EMZA_TRY(put(s, "signatureAlgorithm", json_text(sig->algorithm)));
    EMZA_TRY(put(s, "claimedSigningTime",
                 sig->has_claimed_time ? json_time(sig->claimed_time) : json_null()));
    EMZA_TRY(put(s, "bestSignatureTime", json_time(sig->best_time)));
    json_t *signer = NULL;
    EMZA_TRY(signer_json(&signer, sig->signer));
    EMZA_TRY(put(s, "signer", signer));

    json_t *objects = json_array();
    EMZA_TRY(put(s, "signedObjects", objects));
    for (size_t i = 0; i < sig->object_count; i++) {
        const signed_object *o = &sig->objects[i];
        json_t *item = json_object();
        EMZA_TRY(push(objects, item));
        EMZA_TRY(put(item, "uri", json_text(o->uri)));
        EMZA_TRY(put(item, "name", json_text(o->name)));
        EMZA_TRY(put(item, "digestAlgorithm", json_text(o->digest_algorithm)));
        EMZA_TRY(put(item, "mimeType", json_text(o->mime_type)));
        EMZA_TRY(put(item, "wholeDocument", json_boolean(o->whole_document)));
    }

    json_t *timestamps = json_array();
    EMZA_TRY(put(s, "timestamps", timestamps));
    for (size_t i = 0; i < sig->timestamp_count; i++) {
        const timestamp_entry *t = &sig->timestamps[i];
        json_t *item = json_object();
        EMZA_TRY(push(timestamps, item));
        EMZA_TRY(put(item, "type", json_text(t->type)));
        EMZA_TRY(put(item, "time", json_time(t->time)));
        EMZA_TRY(put(item, "tsa", json_text(t->tsa)));
        EMZA_TRY(put(item, "indication", json_text(t->indication)));
    }

    json_t *errors = NULL, *warnings = NULL;
    EMZA_TRY(findings_json(&errors, &sig->errors));
    EMZA_TRY(put(s, "errors", errors));
    EMZA_TRY(findings_json(&warnings, &sig->warnings));
    EMZA_TRY(put(s, "warnings", warnings));
    json_t *infos = NULL;
    EMZA_TRY(findings_json(&infos, &sig->infos));
    EMZA_TRY(put(s, "infos", infos));
cleanup:
    return rc;
}

int emza_report_to_json(char **out, const emza_report *report)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(report != NULL, EMZA_EINVAL);
    int rc = EMZA_OK;
    json_t *root = json_object();
    EMZA_TRY_ENSURE(root != NULL, EMZA_ENOMEM, "out of memory");
    EMZA_TRY(put(root, "emzaReport", json_integer(1)));
    json_t *doc = json_object();
    EMZA_TRY(put(root, "document", doc));
    EMZA_TRY(put(doc, "path", json_text(report->path)));
    EMZA_TRY(put(doc, "format", json_text(report->format)));
    EMZA_TRY(put(doc, "sha256", report->sha256[0] ? json_string(report->sha256) : json_null()));
    EMZA_TRY(put(root, "validationTime", json_time(report->validation_time)));
    EMZA_TRY(put(root, "policy", json_text(report->policy)));
    json_t *sigs = json_array();
    EMZA_TRY(put(root, "signatures", sigs));
    for (size_t i = 0; i < report->signature_count; i++)
        EMZA_TRY(signature_json(sigs, report->signatures[i]));

    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    EMZA_TRY_ENSURE(text != NULL, EMZA_ENOMEM, "out of memory");
    /* jansson allocates with malloc by default; hand the caller emza_free-able memory. */
    *out = text;
cleanup:
    json_decref(root);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* human text                                                                */
/* ------------------------------------------------------------------------ */

static int text_safe(emza_buf *b, const char *s)
{
    return emza__display_escape(b, s ? s : "", s ? strlen(s) : 0);
}

/* "2026-11-22T10:00:00Z (1405/09/01 13:30 Tehran)" */
static int text_time(emza_buf *b, int64_t t)
{
    char iso[EMZA_TIME_TEXT_SIZE], jalali[EMZA_JALALI_TEXT_SIZE];
    emza_jalali j;
    if (emza_time_format(iso, sizeof(iso), t) != EMZA_OK)
        return emza__buf_append_str(b, "(time out of range)");
    if (emza_jalali_from_time(&j, t) != EMZA_OK ||
        emza_jalali_format(jalali, sizeof(jalali), &j) != EMZA_OK) {
        emza_error_clear();
        return emza__buf_append_str(b, iso);
    }
    return emza__buf_appendf(b, "%s (%s Tehran)", iso, jalali);
}

static int signature_text(emza_buf *b, const emza_signature_report *sig)
{
    const char *sub = emza_subindication_name(sig->sub);
    EMZA_GUARD(emza__buf_appendf(b, "\nSignature %s: %s%s%s\n", sig->id,
                                 emza_indication_name(sig->indication), sub ? "/" : "",
                                 sub ? sub : ""));
    if (sig->errors.count > 0) {
        EMZA_GUARD(emza__buf_append_str(b, "  Reason:       "));
        EMZA_GUARD(text_safe(b, sig->errors.items[0].message));
        EMZA_GUARD(emza__buf_append_byte(b, '\n'));
    }
    const emza_cert *c = sig->signer;
    if (c != NULL) {
        EMZA_GUARD(emza__buf_append_str(b, "  Signer:       "));
        EMZA_GUARD(text_safe(b, emza_cert_common_name(c) ? emza_cert_common_name(c)
                                                          : emza_cert_subject(c)));
        if (emza_cert_national_code(c))
            EMZA_GUARD(emza__buf_appendf(b, ", national code %s", emza_cert_national_code(c)));
        if (emza_cert_legal_id(c))
            EMZA_GUARD(emza__buf_appendf(b, ", legal-entity id %s", emza_cert_legal_id(c)));
        EMZA_GUARD(emza__buf_append_str(b, "\n  Certificate:  "));
        EMZA_GUARD(text_safe(b, emza_cert_subject(c)));
        EMZA_GUARD(emza__buf_append_str(b, "\n  Issued by:    "));
        EMZA_GUARD(text_safe(b, emza_cert_issuer(c)));
        EMZA_GUARD(emza__buf_appendf(b, "\n  SHA-256:      %s\n", emza_cert_sha256_hex(c)));
    } else {
        EMZA_GUARD(emza__buf_append_str(b, "  Signer:       not identified\n"));
    }
    if (sig->level || sig->algorithm) {
        EMZA_GUARD(emza__buf_append_str(b, "  Format:       "));
        EMZA_GUARD(text_safe(b, sig->level ? sig->level : "?"));
        EMZA_GUARD(emza__buf_append_str(b, ", "));
        EMZA_GUARD(text_safe(b, sig->algorithm ? sig->algorithm : "?"));
        EMZA_GUARD(emza__buf_append_byte(b, '\n'));
    }
    if (sig->has_claimed_time) {
        EMZA_GUARD(emza__buf_append_str(b, "  Signed at:    "));
        EMZA_GUARD(text_time(b, sig->claimed_time));
        EMZA_GUARD(emza__buf_append_str(b, " (claimed by the signer)\n"));
    }
    EMZA_GUARD(emza__buf_append_str(b, "  Proven by:    "));
    EMZA_GUARD(text_time(b, sig->best_time));
    EMZA_GUARD(emza__buf_append_byte(b, '\n'));
    for (size_t i = 0; i < sig->object_count; i++) {
        const signed_object *o = &sig->objects[i];
        EMZA_GUARD(emza__buf_append_str(b, "  Covers:       "));
        EMZA_GUARD(text_safe(b, o->name ? o->name : (o->uri && o->uri[0] ? o->uri : "the document")));
        EMZA_GUARD(emza__buf_appendf(b, " (%s", o->whole_document ? "whole" : "PART ONLY"));
        if (o->digest_algorithm) {
            EMZA_GUARD(emza__buf_append_str(b, ", "));
            EMZA_GUARD(text_safe(b, o->digest_algorithm));
        }
        if (o->mime_type) {
            EMZA_GUARD(emza__buf_append_str(b, ", "));
            EMZA_GUARD(text_safe(b, o->mime_type));
        }
        EMZA_GUARD(emza__buf_append_str(b, ")\n"));
    }
    for (size_t i = 0; i < sig->timestamp_count; i++) {
        const timestamp_entry *t = &sig->timestamps[i];
        EMZA_GUARD(emza__buf_append_str(b, "  Timestamp:    "));
        EMZA_GUARD(text_safe(b, t->type));
        EMZA_GUARD(emza__buf_append_byte(b, ' '));
        EMZA_GUARD(text_time(b, t->time));
        if (t->tsa) {
            EMZA_GUARD(emza__buf_append_str(b, " by "));
            EMZA_GUARD(text_safe(b, t->tsa));
        }
        EMZA_GUARD(emza__buf_append_str(b, ": "));
        EMZA_GUARD(text_safe(b, t->indication));
        EMZA_GUARD(emza__buf_append_byte(b, '\n'));
    }
    for (size_t i = 0; i < sig->errors.count; i++) {
        EMZA_GUARD(emza__buf_appendf(b, "  Error %s: ", sig->errors.items[i].code));
        EMZA_GUARD(text_safe(b, sig->errors.items[i].message));
        EMZA_GUARD(emza__buf_append_byte(b, '\n'));
    }
    for (size_t i = 0; i < sig->warnings.count; i++) {
        EMZA_GUARD(emza__buf_appendf(b, "  Warning %s: ", sig->warnings.items[i].code));
        EMZA_GUARD(text_safe(b, sig->warnings.items[i].message));
        EMZA_GUARD(emza__buf_append_byte(b, '\n'));
    }
    for (size_t i = 0; i < sig->infos.count; i++) {
        EMZA_GUARD(emza__buf_appendf(b, "  Info %s: ", sig->infos.items[i].code));
        EMZA_GUARD(text_safe(b, sig->infos.items[i].message));
        EMZA_GUARD(emza__buf_append_byte(b, '\n'));
    }
    return EMZA_OK;
}

int emza_report_to_text(char **out, const emza_report *report)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(report != NULL, EMZA_EINVAL);
    emza_buf b;
    emza__buf_init(&b, REPORT_TEXT_MAX);
    int rc = EMZA_OK;
    EMZA_TRY(emza__buf_append_str(&b, "Document:     "));
    EMZA_TRY(text_safe(&b, report->path));
    EMZA_TRY(emza__buf_appendf(&b, " (%s)\n", report->format));
    if (report->sha256[0])
        EMZA_TRY(emza__buf_appendf(&b, "SHA-256:      %s\n", report->sha256));
    EMZA_TRY(emza__buf_append_str(&b, "Validated at: "));
    EMZA_TRY(text_time(&b, report->validation_time));
    EMZA_TRY(emza__buf_append_str(&b, ", policy "));
    EMZA_TRY(text_safe(&b, report->policy));
    EMZA_TRY(emza__buf_append_byte(&b, '\n'));
    if (report->signature_count == 0)
        EMZA_TRY(emza__buf_append_str(&b, "\nNo signature found.\n"));
    for (size_t i = 0; i < report->signature_count; i++)
        EMZA_TRY(signature_text(&b, report->signatures[i]));
    *out = emza__buf_take(&b);
    EMZA_TRY_ENSURE(*out != NULL, EMZA_ENOMEM, "out of memory");
cleanup:
    emza__buf_free(&b);
    return rc;
}
