/*
 * emza verify FILE [--data FILE]... [--trust T]... [--untrusted U]... [--at TIME]
 *             [--offline] [--policy P] [--json]
 *
 * Validates every signature in FILE (emza_verify_file) and prints the
 * library's report, as human text or as CONTRACT.md's JSON. Exit codes:
 * 0 every signature TOTAL_PASSED, 1 any TOTAL_FAILED, 2 none failed and at
 * least one INDETERMINATE, 3 no signature found, 4 usage or operational error.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <emza/emza.h>

#include "cli_util.h"

enum { OPT_DATA, OPT_TRUST, OPT_UNTRUSTED, OPT_AT, OPT_OFFLINE, OPT_POLICY, OPT_JSON, OPT_COUNT };

static const cli_opt_spec verify_options[OPT_COUNT] = {
    [OPT_DATA] = {"--data", 1, 1},     [OPT_TRUST] = {"--trust", 1, 1},
    [OPT_UNTRUSTED] = {"--untrusted", 1, 1}, [OPT_AT] = {"--at", 1, 0},
    [OPT_OFFLINE] = {"--offline", 0, 0}, [OPT_POLICY] = {"--policy", 1, 0},
    [OPT_JSON] = {"--json", 0, 0},
};

static int print_report(const cli_command *self, const emza_report *report, int json)
{
    char *text = NULL;
    int rc = json ? emza_report_to_json(&text, report) : emza_report_to_text(&text, report);
    if (rc != EMZA_OK)
        return cli_lib_error(self->title, NULL, NULL, rc);
    int failed = fputs(text, stdout) < 0 || (json && fputc('\n', stdout) == EOF);
    emza_free(text);
    if (failed) {
        cli_error("%s: cannot write the report", self->title);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

int cli_cmd_verify(const cli_command *self, int argc, char **argv)
{
    cli_args args;
    int rc = cli_parse_command(&args, self, argc, argv, verify_options, OPT_COUNT);
    if (rc != CLI_PARSED)
        return rc;

    emza_trust *trust = NULL;
    emza_cert_list *untrusted = NULL;
    emza_report *report = NULL;
    emza_policy *policy = NULL;
    size_t file_count = 0, data_count = 0;
    const char **files = cli_args_values(&args, -1, &file_count);
    const char **data = cli_args_values(&args, OPT_DATA, &data_count);
    emza_verify_options opts = EMZA_VERIFY_OPTIONS_INIT;
    cli_progress progress;
    rc = CLI_EXIT_USAGE;

    if (files == NULL || data == NULL) {
        cli_error("%s: out of memory", self->title);
        goto cleanup;
    }
    /* Options first: every usage error is found before any file is read. */
    if (file_count != 1) {
        cli_error("%s: give exactly one signed FILE (detached content goes with --data)",
                  self->title);
        goto cleanup;
    }
    /* --policy default is the built-in policy; anything else is a policy file (docs/POLICY.md). */
    const char *policy_path = cli_args_value(&args, OPT_POLICY);
    if (policy_path != NULL && strcmp(policy_path, "default") != 0) {
        int prc = emza_policy_load(&policy, policy_path);
        if (prc != EMZA_OK) {
            cli_lib_error(self->title, "--policy", policy_path, prc);
            goto cleanup;
        }
        opts.policy = policy;
    }
    const char *at = cli_args_value(&args, OPT_AT);
    if (at != NULL) {
        if (cli_parse_time(self, "--at", at, &opts.validation_time) != CLI_EXIT_OK)
            goto cleanup;
        opts.has_validation_time = 1;
    }
    opts.offline = cli_args_count(&args, OPT_OFFLINE) > 0;
    opts.data_paths = data;
    opts.data_count = data_count;

    if (cli_load_trust_options(self, &args, OPT_TRUST, OPT_UNTRUSTED, &trust, &untrusted) !=
        CLI_EXIT_OK)
        goto cleanup;
    opts.trust = trust;
    opts.untrusted = untrusted;

    cli_progress_init(&progress, "verifying");
    opts.progress = cli_progress_update;
    opts.progress_ctx = &progress;
    int lrc = emza_verify_file(&report, files[0], &opts);
    cli_progress_finish(&progress);
    if (lrc != EMZA_OK) {
        cli_lib_error(self->title, NULL, files[0], lrc);
        goto cleanup;
    }
    if (print_report(self, report, cli_args_count(&args, OPT_JSON) > 0) != CLI_EXIT_OK)
        goto cleanup;
    rc = (int)emza_report_summarize(report);

cleanup:
    emza_report_free(report);
    emza_policy_free(policy);
    emza_trust_free(trust);
    emza_cert_list_free(untrusted);
    free((void *)files);
    free((void *)data);
    cli_args_free(&args);
    return rc;
}
