/*
 * emza id check CODE... [--json]
 *
 * Checks each CODE as a national code (10 digits) or a legal-entity id (11
 * digits) with emza_id_check(EMZA_ID_ANY) and prints one line per code:
 *
 *   0499370899  valid national code
 *   ۰۴۹۹۳۷۰۸۹۹ = 0499370899  valid national code
 *   1234567890  invalid national code: bad check digit (expected 3)
 *   12345  invalid: wrong length (5 digits; a national code has 10, a legal-entity id 11)
 *
 * Exit status: 0 when every code is valid, 1 when any is invalid, 4 on a
 * usage error.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <emza/emza.h>

#include "cli_util.h"

enum { OPT_JSON };

static const cli_opt_spec id_check_options[] = {
    [OPT_JSON] = {"--json", 0, 0},
};

/* The outcome of one code, as the tool reports it. */
typedef struct id_outcome {
    int valid;
    const char *kind_json; /* "nationalCode", "legalId" or NULL */
    const char *kind_text; /* "national code", ... or NULL when unresolved */
    const char *verdict;   /* "VALID", "BAD_CHECK_DIGIT", ... */
    const char *digits;    /* ASCII digits, or NULL */
    cli_str reason;        /* empty when valid */
} id_outcome;

static const char *verdict_code(emza_id_verdict v)
{
    switch (v) {
    case EMZA_ID_VALID: return "VALID";
    case EMZA_ID_EMPTY: return "EMPTY";
    case EMZA_ID_NOT_UTF8: return "NOT_UTF8";
    case EMZA_ID_NON_DIGIT: return "NON_DIGIT";
    case EMZA_ID_WRONG_LENGTH: return "WRONG_LENGTH";
    case EMZA_ID_REPEATED_DIGITS: return "REPEATED_DIGITS";
    case EMZA_ID_BAD_CHECK_DIGIT: return "BAD_CHECK_DIGIT";
    }
    return "UNKNOWN";
}

/*
 * Checks one code. Returns 0 (`out` filled) or CLI_EXIT_USAGE after a
 * message when the library could not check it at all.
 */
static int check_one(id_outcome *out, const cli_command *self, const char *code,
                     emza_id_result *r)
{
    memset(out, 0, sizeof(*out));
    size_t len = strlen(code);
    int rc = emza_id_check(r, EMZA_ID_ANY, code, len);
    if (rc == EMZA_ELIMIT) {
        /* Far too long to be a number: a verdict on the input, not a usage error. */
        out->valid = 0;
        out->verdict = "TOO_LONG";
        cli_str_appendf(&out->reason, "too long (%zu bytes; at most %d)", len, EMZA_ID_TEXT_MAX);
        return 0;
    }
    if (rc != EMZA_OK)
        return cli_lib_error(self->title, NULL, NULL, rc);

    out->valid = r->verdict == EMZA_ID_VALID;
    out->verdict = verdict_code(r->verdict);
    if (r->kind == EMZA_ID_NATIONAL_CODE) {
        out->kind_json = "nationalCode";
        out->kind_text = emza_id_kind_describe(r->kind);
    } else if (r->kind == EMZA_ID_LEGAL_ENTITY_ID) {
        out->kind_json = "legalId";
        out->kind_text = emza_id_kind_describe(r->kind);
    }
    r->digits[sizeof(r->digits) - 1] = '\0';
    out->digits = r->digits[0] != '\0' ? r->digits : NULL;

    const char *what = emza_id_verdict_describe(r->verdict);
    if (what == NULL)
        what = "not a valid number";
    switch (r->verdict) {
    case EMZA_ID_VALID:
        break;
    case EMZA_ID_NON_DIGIT:
        cli_str_appendf(&out->reason, "non-digit character at position %zu", r->position);
        break;
    case EMZA_ID_WRONG_LENGTH:
        cli_str_appendf(&out->reason,
                        "wrong length (%zu digit%s; a national code has 10, a legal-entity id 11)",
                        r->digit_count, r->digit_count == 1 ? "" : "s");
        break;
    case EMZA_ID_BAD_CHECK_DIGIT:
        if (r->expected_check >= 0 && r->expected_check <= 9)
            cli_str_appendf(&out->reason, "%s (expected %d)", what, r->expected_check);
        else
            cli_str_append_cstr(&out->reason, what);
        break;
    default:
        cli_str_append_cstr(&out->reason, what);
        break;
    }
    return 0;
}

static void print_text(const char *code, const id_outcome *o)
{
    size_t len = strlen(code);
    int quote = len == 0 || code[0] == ' ' || code[0] == '\t' || code[len - 1] == ' ' ||
                code[len - 1] == '\t';
    if (quote)
        fputc('"', stdout);
    cli_put_safe(stdout, code);
    if (quote)
        fputc('"', stdout);
    if (o->digits != NULL && strcmp(o->digits, code) != 0)
        printf(" = %s", o->digits);
    if (o->valid) {
        printf("  valid %s\n", o->kind_text != NULL ? o->kind_text : "identity number");
        return;
    }
    const char *reason = cli_str_get(&o->reason);
    fputs("  invalid", stdout);
    if (o->kind_text != NULL)
        printf(" %s", o->kind_text);
    fputs(": ", stdout);
    cli_put_safe(stdout, reason != NULL ? reason : "out of memory");
    fputc('\n', stdout);
}

static json_t *outcome_json(const char *code, const id_outcome *o)
{
    json_t *obj = json_object();
    if (obj == NULL)
        return NULL;
    const char *reason = cli_str_get(&o->reason);
    int bad = 0;
    bad |= cli_json_set(obj, "input", cli_json_string(code));
    bad |= cli_json_set(obj, "kind", cli_json_string(o->kind_json));
    bad |= cli_json_set(obj, "valid", json_boolean(o->valid));
    bad |= cli_json_set(obj, "verdict", cli_json_string(o->verdict));
    bad |= cli_json_set(obj, "reason", o->valid || reason == NULL ? json_null()
                                                                   : cli_json_string(reason));
    bad |= cli_json_set(obj, "digits", cli_json_string(o->digits));
    if (bad) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

int cli_cmd_id_check(const cli_command *self, int argc, char **argv)
{
    cli_args args;
    int rc = cli_parse_command(&args, self, argc, argv, id_check_options,
                       sizeof(id_check_options) / sizeof(id_check_options[0]));
    if (rc != CLI_PARSED)
        return rc;

    int json = cli_args_count(&args, OPT_JSON) > 0;
    size_t code_count = 0;
    const char **codes = cli_args_values(&args, -1, &code_count);
    json_t *array = NULL;
    int any_invalid = 0;
    rc = CLI_EXIT_OK;

    if (codes == NULL) {
        cli_error("%s: out of memory", self->title);
        rc = CLI_EXIT_USAGE;
        goto cleanup;
    }
    if (code_count == 0) {
        cli_error("%s: no CODE given (usage: %s)", self->title, self->usage);
        rc = CLI_EXIT_USAGE;
        goto cleanup;
    }
    if (json && (array = json_array()) == NULL) {
        cli_error("%s: out of memory", self->title);
        rc = CLI_EXIT_USAGE;
        goto cleanup;
    }

    for (size_t i = 0; i < code_count; i++) {
        id_outcome o;
        emza_id_result r;
        int crc = check_one(&o, self, codes[i], &r);
        if (crc != 0) {
            cli_str_free(&o.reason);
            rc = crc;
            goto cleanup;
        }
        if (!o.valid)
            any_invalid = 1;
        if (json) {
            if (cli_json_append(array, outcome_json(codes[i], &o)) != 0) {
                cli_str_free(&o.reason);
                cli_error("%s: out of memory", self->title);
                rc = CLI_EXIT_USAGE;
                goto cleanup;
            }
        } else {
            print_text(codes[i], &o);
        }
        cli_str_free(&o.reason);
    }

    if (json)
        rc = cli_json_print(self->title, array);
    if (rc == CLI_EXIT_OK && any_invalid)
        rc = CLI_EXIT_FAILED;

cleanup:
    json_decref(array);
    free((void *)codes);
    cli_args_free(&args);
    return rc;
}
