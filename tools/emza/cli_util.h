/*
 * emza — the command-line tool: shared helpers.
 *
 * The tool uses only libemza's public API (<emza/emza.h>) and jansson. This
 * header holds what every command needs: the command table entry, the exit
 * codes of CONTRACT.md "Command line", a small option parser, one-line
 * messages on stderr, printing of untrusted text (certificate data) without
 * control or bidi-override characters, times in ISO 8601 and Solar Hijri,
 * and JSON helpers.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_CLI_UTIL_H
#define EMZA_CLI_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include <emza/emza.h>

/* Exit codes (CONTRACT.md "Command line"). */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILED 1        /* a TOTAL_FAILED verdict; id check: an invalid number */
#define CLI_EXIT_INDETERMINATE 2 /* none failed, at least one INDETERMINATE */
#define CLI_EXIT_NO_SIGNATURE 3  /* verify: no signature found */
#define CLI_EXIT_USAGE 4         /* usage or operational error, with a one-line reason */

#if defined(__GNUC__)
#define CLI_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define CLI_PRINTF(fmt_index, first_arg)
#endif

/* --------------------------------------------------------------------------
 * Commands
 * -------------------------------------------------------------------------- */

typedef struct cli_command cli_command;

/**
 * Runs a command. `argv` holds the `argc` arguments after the command words
 * ("cert verify"); the function returns the process's exit code.
 */
typedef int (*cli_command_fn)(const cli_command *self, int argc, char **argv);

/** One entry of the dispatch table (main.c). */
struct cli_command {
    const char *group; /* first word: "cert", "version", "sign" */
    const char *name;  /* second word ("verify"), or NULL for a one-word command */
    const char *title; /* both words, for messages: "cert verify" */
    cli_command_fn run;
    const char *usage;   /* one or more lines: "emza cert verify CERT --trust T..." */
    const char *summary; /* one line for the command list */
    const char *help;    /* the options, printed after the usage by --help; may be NULL */
};

/* The commands (cmd_*.c). */
int cli_cmd_sign(const cli_command *self, int argc, char **argv);
int cli_cmd_verify(const cli_command *self, int argc, char **argv);
int cli_cmd_extend(const cli_command *self, int argc, char **argv);
int cli_cmd_id_check(const cli_command *self, int argc, char **argv);
int cli_cmd_cert_inspect(const cli_command *self, int argc, char **argv);
int cli_cmd_cert_verify(const cli_command *self, int argc, char **argv);
int cli_cmd_auth_challenge(const cli_command *self, int argc, char **argv);
int cli_cmd_auth_sign(const cli_command *self, int argc, char **argv);
int cli_cmd_auth_verify(const cli_command *self, int argc, char **argv);

/** Prints a command's usage and help text to `f`. */
void cli_command_print_help(const cli_command *cmd, FILE *f);

/* --------------------------------------------------------------------------
 * Messages (stderr, one line each, prefixed "emza: ")
 * -------------------------------------------------------------------------- */

/**
 * Prints "emza: " and the formatted message on stderr as one line: control
 * characters, bidi overrides and invalid UTF-8 in the result are escaped, so
 * file names or library messages quoting certificate data cannot break the
 * line or reorder it.
 */
void cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);

/**
 * Reports the library's last failure for command `title` and returns
 * CLI_EXIT_USAGE: "emza: TITLE: OPTION PATH: message". OPTION (e.g.
 * "--trust") and PATH may be NULL; PATH is left out when the library's
 * message already names it. The message is the library's, or the code's
 * description when the record holds none.
 */
int cli_lib_error(const char *title, const char *option, const char *path, int code);

/**
 * The outcome of a library call that writes a file atomically (sign,
 * extend): CLI_EXIT_OK for EMZA_OK; an interruption (EMZA_ECANCELED) says
 * nothing was written; any other code is reported as cli_lib_error does.
 * Returns CLI_EXIT_OK or CLI_EXIT_USAGE.
 */
int cli_write_outcome(const char *title, int code);

/* --------------------------------------------------------------------------
 * Options
 * -------------------------------------------------------------------------- */

/** One option a command accepts. */
typedef struct cli_opt_spec {
    const char *name; /* with its dashes: "--trust" */
    int has_value;    /* 1: takes a value ("--at TIME" or "--at=TIME") */
    int repeatable;   /* 1: may be given more than once */
} cli_opt_spec;

/** One parsed argument: option `opt` (index into the specs) or a positional one (opt < 0). */
typedef struct cli_item {
    int opt;
    const char *value; /* the option's value (NULL for a flag), or the positional argument */
} cli_item;

typedef struct cli_args {
    cli_item *items;
    size_t count;
} cli_args;

/** cli_parse's result when --help or -h was given (the command prints its help, exit 0). */
#define CLI_PARSE_HELP (-1)

/**
 * Parses `argc` arguments against `specs`. "--" ends the options. A value
 * is the next argument, or follows '=' in the same one; a next argument that
 * starts with "--" is not taken as a value. Returns 0 (`out` filled, release
 * with cli_args_free), CLI_PARSE_HELP, or CLI_EXIT_USAGE after printing the
 * reason ("emza: TITLE: unknown option --foo").
 */
int cli_parse(cli_args *out, const cli_command *cmd, int argc, char **argv,
              const cli_opt_spec *specs, size_t spec_count);

/** cli_parse_command's result when the command should go on with `out` filled. */
#define CLI_PARSED (-2)

/**
 * cli_parse for a command's entry point: on --help prints the help and
 * returns CLI_EXIT_OK; on a usage error returns CLI_EXIT_USAGE (message
 * printed); otherwise CLI_PARSED with `out` filled (release with cli_args_free).
 */
int cli_parse_command(cli_args *out, const cli_command *cmd, int argc, char **argv,
                      const cli_opt_spec *specs, size_t spec_count);

void cli_args_free(cli_args *args);

/** How many times option `opt` was given. */
size_t cli_args_count(const cli_args *args, int opt);

/** The value of the last occurrence of `opt`, or NULL. */
const char *cli_args_value(const cli_args *args, int opt);

/**
 * The values of every occurrence of `opt` (or of the positional arguments
 * when `opt` < 0), in order, in a new array the caller frees (free()); the
 * strings are borrowed from argv. `*out_count` may be 0 (then the array is
 * still non-NULL). NULL when out of memory.
 */
const char **cli_args_values(const cli_args *args, int opt, size_t *out_count);

/* --------------------------------------------------------------------------
 * Untrusted text
 * -------------------------------------------------------------------------- */

/** A growable NUL-terminated string. */
typedef struct cli_str {
    char *data; /* NULL until something is appended */
    size_t len;
    size_t cap;
    int failed; /* set when an allocation failed; appends then do nothing */
} cli_str;

void cli_str_append(cli_str *s, const char *data, size_t len);
void cli_str_append_cstr(cli_str *s, const char *text);
void cli_str_appendf(cli_str *s, const char *fmt, ...) CLI_PRINTF(2, 3);
/** The text so far ("" when empty); NULL when an allocation failed. */
const char *cli_str_get(const cli_str *s);
void cli_str_free(cli_str *s);

/**
 * Appends `len` bytes of untrusted UTF-8 text so that it shows as it is but
 * can do no harm on a terminal: C0 and C1 controls, DEL, the bidi embedding,
 * override and isolate characters (U+202A..U+202E, U+2066..U+2069) and the
 * line and paragraph separators (U+2028, U+2029) become "\uXXXX", bytes that
 * are not UTF-8 "\xNN", and a backslash "\\".
 */
void cli_str_append_safe(cli_str *s, const char *text, size_t len);

/** Writes `text` (may be NULL: nothing written) to `f` through cli_str_append_safe. */
void cli_put_safe(FILE *f, const char *text);

/** Prints "LABEL" padded to the label column, the value made safe, and a newline. */
void cli_print_field(FILE *f, const char *label, const char *value);

/* --------------------------------------------------------------------------
 * Times
 * -------------------------------------------------------------------------- */

/** Size of the buffers below. */
#define CLI_TIME_TEXT_SIZE 80

/** "2026-11-22T10:00:00Z" (or the raw number when out of range). */
void cli_format_time_iso(char *buf, size_t size, int64_t t);

/** "2026-11-22T10:00:00Z (1405/09/01 13:30 Tehran)"; the Jalali part is left out when out of range. */
void cli_format_time_both(char *buf, size_t size, int64_t t);

/* --------------------------------------------------------------------------
 * JSON
 * -------------------------------------------------------------------------- */

/**
 * A JSON string for UTF-8 `text`, or JSON null when `text` is NULL. Text that
 * is not valid UTF-8 is stored in the escaped form of cli_str_append_safe
 * (jansson refuses it raw). NULL only when out of memory.
 */
json_t *cli_json_string(const char *text);

/**
 * Sets `obj[key]` to `value` (stealing it). Returns 0, or -1 when `value` is
 * NULL (an allocation failed) or the set fails; accumulate with `|=`.
 */
int cli_json_set(json_t *obj, const char *key, json_t *value);

/** Appends `value` (stealing it) to `array`; 0 or -1 as cli_json_set. */
int cli_json_append(json_t *array, json_t *value);

/**
 * Prints `root` on stdout, indented by 2, UTF-8 kept, and a newline. Returns
 * CLI_EXIT_OK or CLI_EXIT_USAGE (after a message) when it cannot be encoded.
 */
int cli_json_print(const char *title, const json_t *root);

/* --------------------------------------------------------------------------
 * Shared option values: times, trust anchors, certificate lists
 * -------------------------------------------------------------------------- */

/** Parses the value of a time option ("--at"); CLI_EXIT_OK, or CLI_EXIT_USAGE after a message. */
int cli_parse_time(const cli_command *self, const char *option, const char *value, int64_t *out);

/** Builds a trust store from --trust paths (count > 0); CLI_EXIT_OK or CLI_EXIT_USAGE. */
int cli_load_trust(const cli_command *self, const char **paths, size_t count, emza_trust **out);

/**
 * Loads the trust anchors and extra certificates a command's --trust and
 * --untrusted options name (their ids in `args`: `trust_opt`,
 * `untrusted_opt`) into `*trust` and `*untrusted`, each NULL when its option
 * is absent (the caller frees them). CLI_EXIT_OK, or CLI_EXIT_USAGE after a
 * one-line message naming the file that failed.
 */
int cli_load_trust_options(const cli_command *self, const cli_args *args, int trust_opt,
                           int untrusted_opt, emza_trust **trust, emza_cert_list **untrusted);

/**
 * Loads the certificates of `option`'s paths into a new list `*out` (left
 * NULL when count is 0); CLI_EXIT_OK or CLI_EXIT_USAGE.
 */
int cli_load_cert_list(const cli_command *self, const char *option, const char **paths,
                       size_t count, emza_cert_list **out);

/**
 * A progress callback (emza_progress_fn) that draws a bar on stderr when
 * stderr is a terminal and stays silent otherwise. `ctx` is a cli_progress.
 */
typedef struct cli_progress {
    int enabled;     /* stderr is a terminal */
    int last_percent;
    const char *label;
} cli_progress;

void cli_progress_init(cli_progress *p, const char *label);
/** Draws the bar; returns non-zero (cancel) once an interrupt was caught (cli_catch_interrupts). */
int cli_progress_update(void *ctx, uint64_t done, uint64_t total);
/** Ends the bar's line (when one was drawn). */
void cli_progress_finish(cli_progress *p);

/**
 * Turns SIGINT, SIGTERM and SIGHUP into a request to cancel: the next
 * progress callback cancels the library's operation, which then cleans up
 * (a cancelled signing leaves no file). Used by commands that write files.
 */
void cli_catch_interrupts(void);
/** 1 once one of those signals arrived. */
int cli_interrupted(void);

/* --------------------------------------------------------------------------
 * Key options: where a signing command's key comes from
 * -------------------------------------------------------------------------- */

/**
 * The KEY-OPTIONS of CONTRACT.md, as a command parsed them (each NULL when
 * not given): --key FILE.p12 (--pass-env VAR | --pass-file F); --key KEY.pem
 * --cert CERT.pem [--chain CHAIN.pem] [--pass-env | --pass-file]; --pkcs11
 * MODULE.so [--token LABEL] [--key-label L] [--key-id HEX] [--pin-env VAR]
 * [--chain CHAIN.pem].
 */
typedef struct cli_key_options {
    const char *key, *cert, *chain, *pass_env, *pass_file;
    const char *pkcs11, *token, *key_label, *key_id, *pin_env;
} cli_key_options;

/**
 * Opens the signer the key options name. Passwords and PINs come from the
 * environment or a file, never the command line, and are wiped after use; a
 * PKCS#11 PIN is read from --pin-env each time the token asks (once, or
 * before every signature by a key that must be authenticated each time), so
 * the environment variable must stay set while `*out` signs. Returns
 * CLI_EXIT_OK, or CLI_EXIT_USAGE after a one-line message (a wrong or
 * locked PIN included).
 */
int cli_open_signer(const cli_command *self, const cli_key_options *k, emza_signer **out);

#endif /* EMZA_CLI_UTIL_H */
