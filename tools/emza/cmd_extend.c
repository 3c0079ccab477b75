/*
 * emza extend FILE --level T|LT|LTA [--tsa URL] [--data F]... [--trust T]...
 *             [--untrusted U]... [--offline] [-o OUT]
 *
 * Raises every signature in FILE to the level (emza_extend); the result is
 * written atomically to OUT, or over FILE. Nothing is written on failure.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include <emza/emza.h>

#include "cli_util.h"

enum { OPT_LEVEL, OPT_TSA, OPT_DATA, OPT_TRUST, OPT_UNTRUSTED, OPT_OFFLINE, OPT_OUTPUT, OPT_COUNT };

static const cli_opt_spec extend_options[OPT_COUNT] = {
    [OPT_LEVEL] = {"--level", 1, 0},         [OPT_TSA] = {"--tsa", 1, 0},
    [OPT_DATA] = {"--data", 1, 1},           [OPT_TRUST] = {"--trust", 1, 1},
    [OPT_UNTRUSTED] = {"--untrusted", 1, 1}, [OPT_OFFLINE] = {"--offline", 0, 0},
    [OPT_OUTPUT] = {"-o", 1, 0},
};

int cli_cmd_extend(const cli_command *self, int argc, char **argv)
{
    cli_args args;
    int rc = cli_parse_command(&args, self, argc, argv, extend_options, OPT_COUNT);
    if (rc != CLI_PARSED)
        return rc;

    emza_trust *trust = NULL;
    emza_cert_list *untrusted = NULL;
    size_t file_count = 0, data_count = 0;
    const char **files = cli_args_values(&args, -1, &file_count);
    const char **data = cli_args_values(&args, OPT_DATA, &data_count);
    emza_extend_options opts = EMZA_EXTEND_OPTIONS_INIT;
    cli_progress progress;
    rc = CLI_EXIT_USAGE;

    if (files == NULL || data == NULL) {
        cli_error("%s: out of memory", self->title);
        goto cleanup;
    }
    if (file_count != 1) {
        cli_error("%s: give exactly one signed FILE (detached content goes with --data)",
                  self->title);
        goto cleanup;
    }
    const char *level = cli_args_value(&args, OPT_LEVEL);
    if (level == NULL) {
        cli_error("%s: --level T, LT or LTA is required", self->title);
        goto cleanup;
    }
    if (strcmp(level, "T") == 0) {
        opts.level = EMZA_LEVEL_T;
    } else if (strcmp(level, "LT") == 0) {
        opts.level = EMZA_LEVEL_LT;
    } else if (strcmp(level, "LTA") == 0) {
        opts.level = EMZA_LEVEL_LTA;
    } else {
        cli_error("%s: --level must be T, LT or LTA, not '%s'", self->title, level);
        goto cleanup;
    }
    opts.tsa_url = cli_args_value(&args, OPT_TSA);
    opts.offline = cli_args_count(&args, OPT_OFFLINE) > 0;
    opts.data_paths = data;
    opts.data_count = data_count;
    if (cli_load_trust_options(self, &args, OPT_TRUST, OPT_UNTRUSTED, &trust, &untrusted) !=
        CLI_EXIT_OK)
        goto cleanup;
    opts.trust = trust;
    opts.untrusted = untrusted;

    cli_progress_init(&progress, "extending");
    opts.progress = cli_progress_update;
    opts.progress_ctx = &progress;
    cli_catch_interrupts(); /* an interrupt cancels cleanly: no partial output */
    int lrc = emza_extend(files[0], &opts, cli_args_value(&args, OPT_OUTPUT));
    cli_progress_finish(&progress);
    rc = cli_write_outcome(self->title, lrc);

cleanup:
    emza_trust_free(trust);
    emza_cert_list_free(untrusted);
    free((void *)files);
    free((void *)data);
    cli_args_free(&args);
    return rc;
}
