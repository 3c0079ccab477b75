/*
 * emza cert inspect CERT [--json]
 * emza cert verify CERT --trust T... [--untrusted U...] [--at TIME]
 *                  [--purpose sign|auth|any] [--offline] [--json]
 *
 * inspect prints the identity and the technical facts of one certificate;
 * verify validates its chain with emza_trust_verify() and exits with the
 * verdict (0 TOTAL_PASSED, 1 TOTAL_FAILED, 2 INDETERMINATE). Both exit 4
 * with a one-line reason when an input cannot be read.
 *
 * Everything taken from a certificate is untrusted text: human output goes
 * through cli_put_safe() so that control and bidi-override characters show
 * as escapes instead of acting on the terminal. JSON keeps the text as it is
 * (jansson escapes the C0 controls).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <emza/emza.h>

#include "cli_util.h"

/* --------------------------------------------------------------------------
 * Names of bits
 * -------------------------------------------------------------------------- */

typedef struct bit_name {
    unsigned int bit;
    const char *name;
} bit_name;

/* RFC 5280 names, in bit order. */
static const bit_name key_usage_names[] = {
    {EMZA_KU_DIGITAL_SIGNATURE, "digitalSignature"},
    {EMZA_KU_NON_REPUDIATION, "nonRepudiation"},
    {EMZA_KU_KEY_ENCIPHERMENT, "keyEncipherment"},
    {EMZA_KU_DATA_ENCIPHERMENT, "dataEncipherment"},
    {EMZA_KU_KEY_AGREEMENT, "keyAgreement"},
    {EMZA_KU_KEY_CERT_SIGN, "keyCertSign"},
    {EMZA_KU_CRL_SIGN, "cRLSign"},
    {EMZA_KU_ENCIPHER_ONLY, "encipherOnly"},
    {EMZA_KU_DECIPHER_ONLY, "decipherOnly"},
};

static const bit_name eku_names[] = {
    {EMZA_EKU_SERVER_AUTH, "serverAuth"},
    {EMZA_EKU_CLIENT_AUTH, "clientAuth"},
    {EMZA_EKU_CODE_SIGNING, "codeSigning"},
    {EMZA_EKU_EMAIL_PROTECTION, "emailProtection"},
    {EMZA_EKU_TIME_STAMPING, "timeStamping"},
    {EMZA_EKU_OCSP_SIGNING, "OCSPSigning"},
    {EMZA_EKU_ANY, "anyExtendedKeyUsage"},
    {EMZA_EKU_DOCUMENT_SIGNING, "documentSigning"},
    {EMZA_EKU_OTHER, "other"},
};

static const bit_name qc_type_names[] = {
    {EMZA_QC_TYPE_ESIGN, "esign"},
    {EMZA_QC_TYPE_ESEAL, "eseal"},
    {EMZA_QC_TYPE_WEB, "web"},
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* "a, b, c" of the names whose bits are set in `bits`; "" when none. */
static void join_bits(cli_str *out, unsigned int bits, const bit_name *names, size_t count)
{
    int first = 1;
    for (size_t i = 0; i < count; i++) {
        if (bits & names[i].bit) {
            cli_str_appendf(out, "%s%s", first ? "" : ", ", names[i].name);
            first = 0;
        }
    }
}

/* A JSON array of the names whose bits are set. NULL when out of memory. */
static json_t *bits_json(unsigned int bits, const bit_name *names, size_t count)
{
    json_t *array = json_array();
    if (array == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        if ((bits & names[i].bit) && cli_json_append(array, json_string(names[i].name)) != 0) {
            json_decref(array);
            return NULL;
        }
    }
    return array;
}

/* --------------------------------------------------------------------------
 * Shared
 * -------------------------------------------------------------------------- */

/* Loads CERT; CLI_EXIT_USAGE after a one-line message when it cannot be read. */
static int load_cert(emza_cert **out, const cli_command *self, const char *path)
{
    int rc = emza_cert_load(out, path);
    if (rc != EMZA_OK) {
        *out = NULL;
        return cli_lib_error(self->title, NULL, path, rc);
    }
    return CLI_EXIT_OK;
}

/* The single positional CERT argument, or NULL after a message. */
static const char *single_cert_arg(const cli_command *self, const cli_args *args)
{
    const char *path = NULL;
    size_t n = 0;
    for (size_t i = 0; i < args->count; i++) {
        if (args->items[i].opt < 0) {
            if (n == 0)
                path = args->items[i].value;
            n++;
        }
    }
    if (n == 0) {
        cli_error("%s: no CERT given (usage: %s)", self->title, self->usage);
        return NULL;
    }
    if (n > 1) {
        cli_error("%s: more than one CERT given (one certificate at a time)", self->title);
        return NULL;
    }
    return path;
}

static void print_time_field(const char *label, int64_t t)
{
    char text[CLI_TIME_TEXT_SIZE];
    cli_format_time_both(text, sizeof(text), t);
    cli_print_field(stdout, label, text);
}

static json_t *time_json(int64_t t)
{
    char text[CLI_TIME_TEXT_SIZE];
    cli_format_time_iso(text, sizeof(text), t);
    return json_string(text);
}

/* Prints `label` with a list, or `none` when the list is empty. */
static void print_list_field(const char *label, const cli_str *list, const char *none)
{
    const char *text = cli_str_get(list);
    if (text == NULL)
        text = "(out of memory)";
    cli_print_field(stdout, label, text[0] != '\0' ? text : none);
}

/* --------------------------------------------------------------------------
 * cert inspect
 * -------------------------------------------------------------------------- */

enum { INSPECT_OPT_JSON };

static const cli_opt_spec inspect_options[] = {
    [INSPECT_OPT_JSON] = {"--json", 0, 0},
};

static void print_optional(const char *label, const char *value)
{
    if (value != NULL)
        cli_print_field(stdout, label, value);
}

static void inspect_text(const emza_cert *c)
{
    print_optional("Subject", emza_cert_subject(c));
    print_optional("Common name", emza_cert_common_name(c));
    print_optional("Given name", emza_cert_given_name(c));
    print_optional("Surname", emza_cert_surname(c));
    print_optional("Organization", emza_cert_organization(c));
    print_optional("Country", emza_cert_country(c));
    print_optional("Subject serial", emza_cert_subject_serial_number(c));
    print_optional("Org. identifier", emza_cert_organization_identifier(c));
    print_optional("National code", emza_cert_national_code(c));
    print_optional("Legal id", emza_cert_legal_id(c));
    print_optional("Issuer", emza_cert_issuer(c));
    print_optional("Serial", emza_cert_serial_hex(c));
    print_time_field("Not before", emza_cert_not_before(c));
    print_time_field("Not after", emza_cert_not_after(c));

    cli_str s = {0};
    const char *alg = emza_cert_key_algorithm(c);
    cli_str_appendf(&s, "%s, %u bits", alg != NULL ? alg : "unknown", emza_cert_key_bits(c));
    print_list_field("Key", &s, "");
    cli_str_free(&s);
    print_optional("Signature", emza_cert_signature_algorithm(c));
    cli_print_field(stdout, "CA", emza_cert_is_ca(c) ? "yes" : "no");
    cli_print_field(stdout, "Self-signed", emza_cert_is_self_signed(c) ? "yes" : "no");

    if (emza_cert_has_key_usage(c)) {
        join_bits(&s, emza_cert_key_usage(c), key_usage_names, COUNT_OF(key_usage_names));
        print_list_field("Key usage", &s, "(empty)");
        cli_str_free(&s);
    } else {
        cli_print_field(stdout, "Key usage", "(no extension)");
    }
    if (emza_cert_has_ext_key_usage(c)) {
        join_bits(&s, emza_cert_ext_key_usage(c), eku_names, COUNT_OF(eku_names));
        print_list_field("Extended usage", &s, "(empty)");
        cli_str_free(&s);
    } else {
        cli_print_field(stdout, "Extended usage", "(no extension)");
    }

    size_t n = emza_cert_policy_count(c);
    for (size_t i = 0; i < n; i++) {
        const char *oid = emza_cert_policy_oid(c, i);
        cli_str_appendf(&s, "%s%s", i > 0 ? ", " : "", oid != NULL ? oid : "?");
    }
    print_list_field("Policies", &s, "(none)");
    cli_str_free(&s);

    if (emza_cert_has_qc_statements(c)) {
        unsigned int qc = emza_cert_qc_statements(c);
        int first = 1;
        if (qc & EMZA_QC_COMPLIANCE) {
            cli_str_append_cstr(&s, "QcCompliance");
            first = 0;
        }
        if (qc & EMZA_QC_SSCD) {
            cli_str_appendf(&s, "%sQcSSCD", first ? "" : ", ");
            first = 0;
        }
        for (size_t i = 0; i < COUNT_OF(qc_type_names); i++) {
            if (qc & qc_type_names[i].bit) {
                cli_str_appendf(&s, "%sQcType %s", first ? "" : ", ", qc_type_names[i].name);
                first = 0;
            }
        }
        print_list_field("QC statements", &s, "(empty)");
        cli_str_free(&s);
    } else {
        cli_print_field(stdout, "QC statements", "(no extension)");
    }

    n = emza_cert_ocsp_url_count(c);
    if (n == 0)
        cli_print_field(stdout, "OCSP", "(none)");
    for (size_t i = 0; i < n; i++)
        print_optional("OCSP", emza_cert_ocsp_url(c, i));
    n = emza_cert_crl_url_count(c);
    if (n == 0)
        cli_print_field(stdout, "CRL", "(none)");
    for (size_t i = 0; i < n; i++)
        print_optional("CRL", emza_cert_crl_url(c, i));

    print_optional("SHA-256", emza_cert_sha256_hex(c));
}

static json_t *qc_json(const emza_cert *c)
{
    if (!emza_cert_has_qc_statements(c))
        return json_null();
    unsigned int qc = emza_cert_qc_statements(c);
    json_t *obj = json_object();
    if (obj == NULL)
        return NULL;
    int bad = 0;
    bad |= cli_json_set(obj, "compliance", json_boolean(qc & EMZA_QC_COMPLIANCE));
    bad |= cli_json_set(obj, "sscd", json_boolean(qc & EMZA_QC_SSCD));
    bad |= cli_json_set(obj, "types", bits_json(qc, qc_type_names, COUNT_OF(qc_type_names)));
    if (bad) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* A JSON array of `count` strings from `get`. */
static json_t *strings_json(const emza_cert *c, size_t count,
                            const char *(*get)(const emza_cert *, size_t))
{
    json_t *array = json_array();
    if (array == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        const char *s = get(c, i);
        if (s != NULL && cli_json_append(array, cli_json_string(s)) != 0) {
            json_decref(array);
            return NULL;
        }
    }
    return array;
}

static json_t *inspect_json(const emza_cert *c)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    int bad = 0;
    bad |= cli_json_set(o, "emzaCertificate", json_integer(1));
    bad |= cli_json_set(o, "subject", cli_json_string(emza_cert_subject(c)));
    bad |= cli_json_set(o, "issuer", cli_json_string(emza_cert_issuer(c)));
    bad |= cli_json_set(o, "commonName", cli_json_string(emza_cert_common_name(c)));
    bad |= cli_json_set(o, "givenName", cli_json_string(emza_cert_given_name(c)));
    bad |= cli_json_set(o, "surname", cli_json_string(emza_cert_surname(c)));
    bad |= cli_json_set(o, "organization", cli_json_string(emza_cert_organization(c)));
    bad |= cli_json_set(o, "country", cli_json_string(emza_cert_country(c)));
    bad |= cli_json_set(o, "serialNumberAttribute",
                        cli_json_string(emza_cert_subject_serial_number(c)));
    bad |= cli_json_set(o, "organizationIdentifier",
                        cli_json_string(emza_cert_organization_identifier(c)));
    bad |= cli_json_set(o, "nationalCode", cli_json_string(emza_cert_national_code(c)));
    bad |= cli_json_set(o, "legalId", cli_json_string(emza_cert_legal_id(c)));
    bad |= cli_json_set(o, "serial", cli_json_string(emza_cert_serial_hex(c)));
    bad |= cli_json_set(o, "notBefore", time_json(emza_cert_not_before(c)));
    bad |= cli_json_set(o, "notAfter", time_json(emza_cert_not_after(c)));
    bad |= cli_json_set(o, "certificateSha256", cli_json_string(emza_cert_sha256_hex(c)));
    bad |= cli_json_set(o, "keyAlgorithm", cli_json_string(emza_cert_key_algorithm(c)));
    bad |= cli_json_set(o, "keyBits", json_integer((json_int_t)emza_cert_key_bits(c)));
    bad |= cli_json_set(o, "signatureAlgorithm",
                        cli_json_string(emza_cert_signature_algorithm(c)));
    bad |= cli_json_set(o, "isCA", json_boolean(emza_cert_is_ca(c)));
    bad |= cli_json_set(o, "selfSigned", json_boolean(emza_cert_is_self_signed(c)));
    bad |= cli_json_set(o, "keyUsage",
                        emza_cert_has_key_usage(c)
                            ? bits_json(emza_cert_key_usage(c), key_usage_names,
                                        COUNT_OF(key_usage_names))
                            : json_null());
    bad |= cli_json_set(o, "extendedKeyUsage",
                        emza_cert_has_ext_key_usage(c)
                            ? bits_json(emza_cert_ext_key_usage(c), eku_names, COUNT_OF(eku_names))
                            : json_null());
    bad |= cli_json_set(o, "policies",
                        strings_json(c, emza_cert_policy_count(c), emza_cert_policy_oid));
    bad |= cli_json_set(o, "qcStatements", qc_json(c));
    bad |= cli_json_set(o, "ocspUrls", strings_json(c, emza_cert_ocsp_url_count(c), emza_cert_ocsp_url));
    bad |= cli_json_set(o, "crlUrls", strings_json(c, emza_cert_crl_url_count(c), emza_cert_crl_url));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int cli_cmd_cert_inspect(const cli_command *self, int argc, char **argv)
{
    cli_args args;
    int rc = cli_parse_command(&args, self, argc, argv, inspect_options, COUNT_OF(inspect_options));
    if (rc != CLI_PARSED)
        return rc;

    emza_cert *cert = NULL;
    json_t *report = NULL;
    const char *path = single_cert_arg(self, &args);
    if (path == NULL) {
        rc = CLI_EXIT_USAGE;
        goto cleanup;
    }
    rc = load_cert(&cert, self, path);
    if (rc != CLI_EXIT_OK)
        goto cleanup;

    if (cli_args_count(&args, INSPECT_OPT_JSON) > 0) {
        report = inspect_json(cert);
        if (report == NULL) {
            cli_error("%s: out of memory", self->title);
            rc = CLI_EXIT_USAGE;
            goto cleanup;
        }
        rc = cli_json_print(self->title, report);
    } else {
        inspect_text(cert);
    }

cleanup:
    json_decref(report);
    emza_cert_free(cert);
    cli_args_free(&args);
    return rc;
}

/* --------------------------------------------------------------------------
 * cert verify
 * -------------------------------------------------------------------------- */

enum {
    VERIFY_OPT_TRUST,
    VERIFY_OPT_UNTRUSTED,
    VERIFY_OPT_AT,
    VERIFY_OPT_PURPOSE,
    VERIFY_OPT_OFFLINE,
    VERIFY_OPT_JSON,
};

static const cli_opt_spec verify_options[] = {
    [VERIFY_OPT_TRUST] = {"--trust", 1, 1},
    [VERIFY_OPT_UNTRUSTED] = {"--untrusted", 1, 1},
    [VERIFY_OPT_AT] = {"--at", 1, 0},
    [VERIFY_OPT_PURPOSE] = {"--purpose", 1, 0},
    [VERIFY_OPT_OFFLINE] = {"--offline", 0, 0},
    [VERIFY_OPT_JSON] = {"--json", 0, 0},
};

static const char *purpose_name(emza_purpose p)
{
    switch (p) {
    case EMZA_PURPOSE_SIGN: return "sign";
    case EMZA_PURPOSE_AUTH: return "auth";
    case EMZA_PURPOSE_ANY: return "any";
    case EMZA_PURPOSE_TIMESTAMP: return "timestamp";
    }
    return "?";
}

/* Appends every certificate found at each of `paths` to `list`; CLI_EXIT_USAGE after a message. */
/* 1 when `cert` is one of the anchors of `trust` (same DER, by SHA-256). */
static int is_anchor(const emza_trust *trust, const emza_cert *cert)
{
    const uint8_t *h = emza_cert_sha256(cert);
    if (h == NULL)
        return 0;
    size_t n = emza_trust_count(trust);
    for (size_t i = 0; i < n; i++) {
        const emza_cert *a = emza_trust_get(trust, i);
        const uint8_t *ha = a != NULL ? emza_cert_sha256(a) : NULL;
        if (ha != NULL && memcmp(h, ha, 32) == 0)
            return 1;
    }
    return 0;
}

static const char *indication_text(emza_indication ind)
{
    const char *s = emza_indication_name(ind);
    return s != NULL ? s : "UNKNOWN";
}

static void verify_text(const emza_chain_result *res, const emza_trust *trust,
                        const emza_cert *c, emza_purpose purpose)
{
    const char *cn = emza_cert_common_name(c);
    cli_print_field(stdout, "Certificate", cn != NULL ? cn : emza_cert_subject(c));
    print_optional("Subject", emza_cert_subject(c));
    print_optional("Given name", emza_cert_given_name(c));
    print_optional("Surname", emza_cert_surname(c));
    print_optional("Organization", emza_cert_organization(c));
    print_optional("National code", emza_cert_national_code(c));
    print_optional("Legal id", emza_cert_legal_id(c));
    print_optional("Issuer", emza_cert_issuer(c));
    print_optional("SHA-256", emza_cert_sha256_hex(c));

    size_t n = emza_chain_result_chain_length(res);
    if (n == 0) {
        cli_print_field(stdout, "Chain", "(no chain to a trust anchor was found)");
    } else {
        int reaches_anchor = 0;
        for (size_t i = 0; i < n; i++) {
            const emza_cert *ci = emza_chain_result_chain_cert(res, i);
            if (ci != NULL && is_anchor(trust, ci))
                reaches_anchor = 1;
        }
        fputs(reaches_anchor ? "Chain\n" : "Chain (does not reach a trust anchor)\n", stdout);
        for (size_t i = 0; i < n; i++) {
            const emza_cert *ci = emza_chain_result_chain_cert(res, i);
            printf("  [%zu] ", i);
            cli_put_safe(stdout, ci != NULL ? emza_cert_subject(ci) : "?");
            if (ci != NULL && is_anchor(trust, ci))
                fputs("  (trust anchor)", stdout);
            fputc('\n', stdout);
        }
    }
    print_time_field("Validation time", emza_chain_result_validation_time(res));
    cli_print_field(stdout, "Purpose", purpose_name(purpose));

    emza_indication ind = emza_chain_result_indication(res);
    emza_subindication sub = emza_chain_result_subindication(res);
    const char *message = emza_chain_result_message(res);
    fputs("Result: ", stdout);
    fputs(indication_text(ind), stdout);
    if (ind == EMZA_TOTAL_PASSED) {
        switch (purpose) {
        case EMZA_PURPOSE_SIGN: fputs(" \xE2\x80\x94 valid for signing", stdout); break;
        case EMZA_PURPOSE_AUTH: fputs(" \xE2\x80\x94 valid for authentication", stdout); break;
        case EMZA_PURPOSE_ANY: fputs(" \xE2\x80\x94 valid (no purpose checked)", stdout); break;
        case EMZA_PURPOSE_TIMESTAMP: fputs(" \xE2\x80\x94 valid for time-stamping", stdout); break;
        }
    } else {
        const char *sub_name = emza_subindication_name(sub);
        if (sub_name != NULL)
            printf("/%s", sub_name);
        if (message != NULL && message[0] != '\0') {
            fputs(" \xE2\x80\x94 ", stdout); /* em dash */
            cli_put_safe(stdout, message);
        }
    }
    fputc('\n', stdout);

    n = emza_chain_result_warning_count(res);
    for (size_t i = 0; i < n; i++) {
        fputs("Warning ", stdout);
        cli_put_safe(stdout, emza_chain_result_warning_code(res, i));
        fputs(": ", stdout);
        cli_put_safe(stdout, emza_chain_result_warning_message(res, i));
        fputc('\n', stdout);
    }
    n = emza_chain_result_error_count(res);
    for (size_t i = 0; i < n; i++) {
        fputs("Error ", stdout);
        cli_put_safe(stdout, emza_chain_result_error_code(res, i));
        fputs(": ", stdout);
        cli_put_safe(stdout, emza_chain_result_error_message(res, i));
        fputc('\n', stdout);
    }
}

/* [{"code", "message"}] of the warnings (errors = 0) or errors (errors = 1). */
static json_t *remarks_json(const emza_chain_result *res, int errors)
{
    json_t *array = json_array();
    if (array == NULL)
        return NULL;
    size_t n = errors ? emza_chain_result_error_count(res) : emza_chain_result_warning_count(res);
    for (size_t i = 0; i < n; i++) {
        const char *code = errors ? emza_chain_result_error_code(res, i)
                                  : emza_chain_result_warning_code(res, i);
        const char *msg = errors ? emza_chain_result_error_message(res, i)
                                 : emza_chain_result_warning_message(res, i);
        json_t *o = json_object();
        int bad = o == NULL;
        if (o != NULL) {
            bad |= cli_json_set(o, "code", cli_json_string(code));
            bad |= cli_json_set(o, "message", cli_json_string(msg));
        }
        if (bad || cli_json_append(array, o) != 0) {
            if (bad)
                json_decref(o);
            json_decref(array);
            return NULL;
        }
    }
    return array;
}

static json_t *chain_json(const emza_chain_result *res)
{
    json_t *array = json_array();
    if (array == NULL)
        return NULL;
    size_t n = emza_chain_result_chain_length(res);
    for (size_t i = 0; i < n; i++) {
        const emza_cert *c = emza_chain_result_chain_cert(res, i);
        if (c == NULL)
            continue;
        json_t *o = json_object();
        int bad = o == NULL;
        if (o != NULL) {
            bad |= cli_json_set(o, "subject", cli_json_string(emza_cert_subject(c)));
            bad |= cli_json_set(o, "issuer", cli_json_string(emza_cert_issuer(c)));
            bad |= cli_json_set(o, "notBefore", time_json(emza_cert_not_before(c)));
            bad |= cli_json_set(o, "notAfter", time_json(emza_cert_not_after(c)));
            bad |= cli_json_set(o, "certificateSha256", cli_json_string(emza_cert_sha256_hex(c)));
        }
        if (bad || cli_json_append(array, o) != 0) {
            if (bad)
                json_decref(o);
            json_decref(array);
            return NULL;
        }
    }
    return array;
}

static json_t *verify_json(const emza_chain_result *res, const emza_cert *c, emza_purpose purpose)
{
    json_t *o = json_object();
    json_t *who = json_object();
    if (o == NULL || who == NULL) {
        json_decref(o);
        json_decref(who);
        return NULL;
    }
    int bad = 0;
    bad |= cli_json_set(who, "subject", cli_json_string(emza_cert_subject(c)));
    bad |= cli_json_set(who, "commonName", cli_json_string(emza_cert_common_name(c)));
    bad |= cli_json_set(who, "givenName", cli_json_string(emza_cert_given_name(c)));
    bad |= cli_json_set(who, "surname", cli_json_string(emza_cert_surname(c)));
    bad |= cli_json_set(who, "nationalCode", cli_json_string(emza_cert_national_code(c)));
    bad |= cli_json_set(who, "legalId", cli_json_string(emza_cert_legal_id(c)));
    bad |= cli_json_set(who, "certificateSha256", cli_json_string(emza_cert_sha256_hex(c)));

    emza_indication ind = emza_chain_result_indication(res);
    emza_subindication sub = emza_chain_result_subindication(res);
    const char *message = emza_chain_result_message(res);
    bad |= cli_json_set(o, "emzaCertReport", json_integer(1));
    bad |= cli_json_set(o, "validationTime", time_json(emza_chain_result_validation_time(res)));
    bad |= cli_json_set(o, "purpose", json_string(purpose_name(purpose)));
    bad |= cli_json_set(o, "indication", json_string(indication_text(ind)));
    bad |= cli_json_set(o, "subIndication",
                        ind == EMZA_TOTAL_PASSED ? json_null()
                                                 : cli_json_string(emza_subindication_name(sub)));
    bad |= cli_json_set(o, "message", cli_json_string(message != NULL ? message : ""));
    bad |= cli_json_set(o, "certificate", who);
    bad |= cli_json_set(o, "chain", chain_json(res));
    bad |= cli_json_set(o, "errors", remarks_json(res, 1));
    bad |= cli_json_set(o, "warnings", remarks_json(res, 0));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The exit status for a verdict (CONTRACT.md "Command line"). */
static int exit_for(const cli_command *self, emza_indication ind)
{
    switch (ind) {
    case EMZA_TOTAL_PASSED: return CLI_EXIT_OK;
    case EMZA_TOTAL_FAILED: return CLI_EXIT_FAILED;
    case EMZA_INDETERMINATE: return CLI_EXIT_INDETERMINATE;
    }
    cli_error("%s: the library returned an unknown indication %d", self->title, (int)ind);
    return CLI_EXIT_USAGE;
}

int cli_cmd_cert_verify(const cli_command *self, int argc, char **argv)
{
    cli_args args;
    int rc = cli_parse_command(&args, self, argc, argv, verify_options, COUNT_OF(verify_options));
    if (rc != CLI_PARSED)
        return rc;

    emza_cert *cert = NULL;
    emza_cert_list *untrusted = NULL;
    emza_trust *trust = NULL;
    emza_chain_result *result = NULL;
    json_t *report = NULL;
    emza_chain_options opts = EMZA_CHAIN_OPTIONS_INIT;
    rc = CLI_EXIT_USAGE;

    /* Options first: every usage error is found before any file is read. */
    const char *path = single_cert_arg(self, &args);
    if (path == NULL)
        goto cleanup;
    if (cli_args_count(&args, VERIFY_OPT_TRUST) == 0) {
        cli_error("%s: --trust is required (the trust anchors: a PEM bundle, DER file or directory)",
                  self->title);
        goto cleanup;
    }
    int crc = emza_chain_options_init(&opts, EMZA_CHAIN_OPTIONS_VERSION);
    if (crc != EMZA_OK) {
        cli_lib_error(self->title, NULL, NULL, crc);
        goto cleanup;
    }
    const char *at = cli_args_value(&args, VERIFY_OPT_AT);
    if (at != NULL) {
        if (cli_parse_time(self, "--at", at, &opts.validation_time) != CLI_EXIT_OK)
            goto cleanup;
        opts.has_validation_time = 1;
    }
    const char *purpose = cli_args_value(&args, VERIFY_OPT_PURPOSE);
    if (purpose == NULL || strcmp(purpose, "sign") == 0) {
        opts.purpose = EMZA_PURPOSE_SIGN;
    } else if (strcmp(purpose, "auth") == 0) {
        opts.purpose = EMZA_PURPOSE_AUTH;
    } else if (strcmp(purpose, "any") == 0) {
        opts.purpose = EMZA_PURPOSE_ANY;
    } else if (strcmp(purpose, "timestamp") == 0) {
        opts.purpose = EMZA_PURPOSE_TIMESTAMP;
    } else {
        cli_error("%s: --purpose must be sign, auth, timestamp or any, not '%s'", self->title,
                  purpose);
        goto cleanup;
    }
    opts.offline = cli_args_count(&args, VERIFY_OPT_OFFLINE) > 0;

    /* Inputs. */
    if (load_cert(&cert, self, path) != CLI_EXIT_OK)
        goto cleanup;
    if (cli_load_trust_options(self, &args, VERIFY_OPT_TRUST, VERIFY_OPT_UNTRUSTED, &trust,
                               &untrusted) != CLI_EXIT_OK)
        goto cleanup;
    opts.untrusted = untrusted;

    /* The verdict. */
    crc = emza_trust_verify(&result, trust, cert, &opts);
    if (crc != EMZA_OK) {
        cli_lib_error(self->title, NULL, path, crc);
        goto cleanup;
    }

    if (cli_args_count(&args, VERIFY_OPT_JSON) > 0) {
        report = verify_json(result, cert, opts.purpose);
        if (report == NULL) {
            cli_error("%s: out of memory", self->title);
            goto cleanup;
        }
        if (cli_json_print(self->title, report) != CLI_EXIT_OK)
            goto cleanup;
    } else {
        verify_text(result, trust, cert, opts.purpose);
    }
    rc = exit_for(self, emza_chain_result_indication(result));

cleanup:
    json_decref(report);
    emza_chain_result_free(result);
    emza_trust_free(trust);
    emza_cert_list_free(untrusted);
    emza_cert_free(cert);
    cli_args_free(&args);
    return rc;
}
