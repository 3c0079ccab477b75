/*
 * emza — the command-line tool: shared helpers (see cli_util.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli_util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <emza/emza.h>

/* Width of the label column in human output. */
#define LABEL_WIDTH 16

/* --------------------------------------------------------------------------
 * Growable strings
 * -------------------------------------------------------------------------- */

static int str_reserve(cli_str *s, size_t extra)
{
    if (s->failed)
        return -1;
    if (extra > SIZE_MAX - s->len - 1) {
        s->failed = 1;
        return -1;
    }
    size_t need = s->len + extra + 1;
    if (need <= s->cap)
        return 0;
    size_t cap = s->cap ? s->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    char *p = realloc(s->data, cap);
    if (p == NULL) {
        s->failed = 1;
        return -1;
    }
    s->data = p;
    s->cap = cap;
    return 0;
}

void cli_str_append(cli_str *s, const char *data, size_t len)
{
    if (str_reserve(s, len) != 0)
        return;
    if (len > 0)
        memcpy(s->data + s->len, data, len);
    s->len += len;
    s->data[s->len] = '\0';
}

void cli_str_append_cstr(cli_str *s, const char *text)
{
    if (text != NULL)
        cli_str_append(s, text, strlen(text));
}

static void str_vappendf(cli_str *s, const char *fmt, va_list ap) CLI_PRINTF(2, 0);

static void str_vappendf(cli_str *s, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        s->failed = 1;
        return;
    }
    if (str_reserve(s, (size_t)n) != 0)
        return;
    int m = vsnprintf(s->data + s->len, s->cap - s->len, fmt, ap);
    if (m != n) {
        s->failed = 1;
        s->data[s->len] = '\0';
        return;
    }
    s->len += (size_t)n;
}

void cli_str_appendf(cli_str *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    str_vappendf(s, fmt, ap);
    va_end(ap);
}

const char *cli_str_get(const cli_str *s)
{
    if (s->failed)
        return NULL;
    return s->data != NULL ? s->data : "";
}

void cli_str_free(cli_str *s)
{
    free(s->data);
    s->data = NULL;
    s->len = 0;
    s->cap = 0;
    s->failed = 0;
}

/* --------------------------------------------------------------------------
 * Untrusted text
 * -------------------------------------------------------------------------- */

void cli_str_append_safe(cli_str *s, const char *text, size_t len)
{
    /* The library's escaper, so the tool and the reports show text alike. */
    char *safe = NULL;
    if (emza_text_escape(&safe, text, len) != EMZA_OK) {
        s->failed = 1;
        return;
    }
    cli_str_append_cstr(s, safe);
    emza_free(safe);
}

void cli_put_safe(FILE *f, const char *text)
{
    if (text == NULL)
        return;
    cli_str s = {0};
    cli_str_append_safe(&s, text, strlen(text));
    const char *out = cli_str_get(&s);
    if (out != NULL)
        fputs(out, f);
    else
        fputs("(out of memory)", f);
    cli_str_free(&s);
}

void cli_print_field(FILE *f, const char *label, const char *value)
{
    fprintf(f, "%-*s", LABEL_WIDTH, label);
    cli_put_safe(f, value);
    fputc('\n', f);
}

/* --------------------------------------------------------------------------
 * Messages
 * -------------------------------------------------------------------------- */

/* Writes "emza: " + `msg` made safe + newline on stderr, in one write. */
static void put_error_line(const char *msg)
{
    cli_str line = {0};
    cli_str_append_cstr(&line, "emza: ");
    cli_str_append_safe(&line, msg, strlen(msg));
    cli_str_append(&line, "\n", 1);
    const char *out = cli_str_get(&line);
    fputs(out != NULL ? out : "emza: out of memory\n", stderr);
    fflush(stderr);
    cli_str_free(&line);
}

void cli_error(const char *fmt, ...)
{
    cli_str msg = {0};
    va_list ap;
    va_start(ap, fmt);
    str_vappendf(&msg, fmt, ap);
    va_end(ap);
    const char *text = cli_str_get(&msg);
    put_error_line(text != NULL ? text : "out of memory");
    cli_str_free(&msg);
}

int cli_lib_error(const char *title, const char *option, const char *path, int code)
{
    const char *message = emza_error_last_message();
    if (message == NULL || message[0] == '\0' || emza_error_last_code() != code)
        message = emza_error_describe(code);
    if (path != NULL && (path[0] == '\0' || strstr(message, path) != NULL))
        path = NULL;
    if (option != NULL && path != NULL)
        cli_error("%s: %s %s: %s", title, option, path, message);
    else if (option != NULL || path != NULL)
        cli_error("%s: %s: %s", title, option != NULL ? option : path, message);
    else
        cli_error("%s: %s", title, message);
    return CLI_EXIT_USAGE;
}

int cli_write_outcome(const char *title, int code)
{
    if (code == EMZA_OK)
        return CLI_EXIT_OK;
    if (code == EMZA_ECANCELED) {
        cli_error("%s: interrupted: nothing was written", title);
        return CLI_EXIT_USAGE;
    }
    return cli_lib_error(title, NULL, NULL, code);
}

/* --------------------------------------------------------------------------
 * Commands
 * -------------------------------------------------------------------------- */

void cli_command_print_help(const cli_command *cmd, FILE *f)
{
    fprintf(f, "usage: %s\n", cmd->usage);
    if (cmd->summary != NULL)
        fprintf(f, "\n%s\n", cmd->summary);
    if (cmd->help != NULL)
        fprintf(f, "\n%s", cmd->help);
}

/* --------------------------------------------------------------------------
 * Options
 * -------------------------------------------------------------------------- */

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int cli_parse(cli_args *out, const cli_command *cmd, int argc, char **argv,
              const cli_opt_spec *specs, size_t spec_count)
{
    out->items = NULL;
    out->count = 0;
    size_t cap = argc > 0 ? (size_t)argc : 1;
    cli_item *items = calloc(cap, sizeof(*items));
    if (items == NULL) {
        cli_error("%s: out of memory", cmd->title);
        return CLI_EXIT_USAGE;
    }
    size_t *seen = calloc(spec_count > 0 ? spec_count : 1, sizeof(*seen));
    if (seen == NULL) {
        free(items);
        cli_error("%s: out of memory", cmd->title);
        return CLI_EXIT_USAGE;
    }

    size_t n = 0;
    int options_done = 0;
    int rc = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = 1;
            continue;
        }
        if (options_done || arg[0] != '-' || arg[1] == '\0') {
            items[n].opt = -1;
            items[n].value = arg;
            n++;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            rc = CLI_PARSE_HELP;
            goto done;
        }

        const char *eq = strchr(arg, '=');
        size_t name_len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
        size_t k;
        for (k = 0; k < spec_count; k++) {
            if (strlen(specs[k].name) == name_len && memcmp(specs[k].name, arg, name_len) == 0)
                break;
        }
        if (k == spec_count) {
            cli_error("%s: unknown option %.*s", cmd->title, (int)(name_len > 200 ? 200 : name_len),
                      arg);
            rc = CLI_EXIT_USAGE;
            goto done;
        }
        const cli_opt_spec *spec = &specs[k];
        if (seen[k] > 0 && !spec->repeatable) {
            cli_error("%s: option %s given more than once", cmd->title, spec->name);
            rc = CLI_EXIT_USAGE;
            goto done;
        }
        const char *value = NULL;
        if (spec->has_value) {
            if (eq != NULL) {
                value = eq + 1;
            } else if (i + 1 < argc && !starts_with(argv[i + 1], "--")) {
                value = argv[++i];
            } else {
                cli_error("%s: option %s needs a value", cmd->title, spec->name);
                rc = CLI_EXIT_USAGE;
                goto done;
            }
        } else if (eq != NULL) {
            cli_error("%s: option %s takes no value", cmd->title, spec->name);
            rc = CLI_EXIT_USAGE;
            goto done;
        }
        seen[k]++;
        items[n].opt = (int)k;
        items[n].value = value;
        n++;
    }

done:
    free(seen);
    if (rc != 0) {
        free(items);
        return rc;
    }
    out->items = items;
    out->count = n;
    return 0;
}

int cli_parse_command(cli_args *out, const cli_command *cmd, int argc, char **argv,
                      const cli_opt_spec *specs, size_t spec_count)
{
    int rc = cli_parse(out, cmd, argc, argv, specs, spec_count);
    if (rc == CLI_PARSE_HELP) {
        cli_command_print_help(cmd, stdout);
        return CLI_EXIT_OK;
    }
    return rc == 0 ? CLI_PARSED : rc;
}

void cli_args_free(cli_args *args)
{
    free(args->items);
    args->items = NULL;
    args->count = 0;
}

size_t cli_args_count(const cli_args *args, int opt)
{
    size_t n = 0;
    for (size_t i = 0; i < args->count; i++) {
        if (args->items[i].opt == opt)
            n++;
    }
    return n;
}

const char *cli_args_value(const cli_args *args, int opt)
{
    const char *value = NULL;
    for (size_t i = 0; i < args->count; i++) {
        if (args->items[i].opt == opt)
            value = args->items[i].value;
    }
    return value;
}

const char **cli_args_values(const cli_args *args, int opt, size_t *out_count)
{
    int want = opt < 0 ? -1 : opt;
    const char **values = calloc(args->count > 0 ? args->count : 1, sizeof(*values));
    *out_count = 0;
    if (values == NULL)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < args->count; i++) {
        if (args->items[i].opt == want)
            values[n++] = args->items[i].value;
    }
    *out_count = n;
    return values;
}

/* --------------------------------------------------------------------------
 * Times
 * -------------------------------------------------------------------------- */

void cli_format_time_iso(char *buf, size_t size, int64_t t)
{
    char iso[EMZA_TIME_TEXT_SIZE];
    if (emza_time_format(iso, sizeof(iso), t) == EMZA_OK)
        snprintf(buf, size, "%s", iso);
    else
        snprintf(buf, size, "%lld (seconds since 1970)", (long long)t);
}

void cli_format_time_both(char *buf, size_t size, int64_t t)
{
    char iso[CLI_TIME_TEXT_SIZE];
    cli_format_time_iso(iso, sizeof(iso), t);
    emza_jalali date;
    char jalali[EMZA_JALALI_TEXT_SIZE];
    if (emza_jalali_from_time(&date, t) == EMZA_OK &&
        emza_jalali_format(jalali, sizeof(jalali), &date) == EMZA_OK)
        snprintf(buf, size, "%s (%s Tehran)", iso, jalali);
    else
        snprintf(buf, size, "%s", iso);
}

/* --------------------------------------------------------------------------
 * JSON
 * -------------------------------------------------------------------------- */

json_t *cli_json_string(const char *text)
{
    if (text == NULL)
        return json_null();
    json_t *j = json_string(text);
    if (j != NULL)
        return j;
    /* Not UTF-8 (jansson refuses it): keep a visible, escaped form. */
    cli_str s = {0};
    cli_str_append_safe(&s, text, strlen(text));
    const char *safe = cli_str_get(&s);
    j = safe != NULL ? json_string(safe) : NULL;
    cli_str_free(&s);
    return j;
}

int cli_json_set(json_t *obj, const char *key, json_t *value)
{
    if (value == NULL)
        return -1;
    return json_object_set_new(obj, key, value) == 0 ? 0 : -1;
}

int cli_json_append(json_t *array, json_t *value)
{
    if (value == NULL)
        return -1;
    return json_array_append_new(array, value) == 0 ? 0 : -1;
}

int cli_json_print(const char *title, const json_t *root)
{
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text == NULL) {
        cli_error("%s: cannot encode the JSON report", title);
        return CLI_EXIT_USAGE;
    }
    fputs(text, stdout);
    fputc('\n', stdout);
    free(text);
    return CLI_EXIT_OK;
}

/* --------------------------------------------------------------------------
 * Shared option values
 * -------------------------------------------------------------------------- */

int cli_parse_time(const cli_command *self, const char *option, const char *value, int64_t *out)
{
    *out = 0;
    if (emza_time_parse(out, value) == EMZA_OK)
        return CLI_EXIT_OK;
    const char *why = emza_error_last_message();
    cli_error("%s: %s '%s': %s", self->title, option, value,
              why != NULL && why[0] != '\0' ? why : "not a time like 2026-01-01T00:00:00Z");
    return CLI_EXIT_USAGE;
}

int cli_load_cert_list(const cli_command *self, const char *option, const char **paths,
                       size_t count, emza_cert_list **out)
{
    *out = NULL;
    if (count == 0)
        return CLI_EXIT_OK;
    int rc = emza_cert_list_new(out);
    if (rc != EMZA_OK)
        return cli_lib_error(self->title, NULL, NULL, rc);
    for (size_t i = 0; i < count; i++) {
        rc = emza_cert_list_add_path(*out, paths[i]);
        if (rc != EMZA_OK) {
            emza_cert_list_free(*out);
            *out = NULL;
            return cli_lib_error(self->title, option, paths[i], rc);
        }
    }
    return CLI_EXIT_OK;
}

int cli_load_trust(const cli_command *self, const char **paths, size_t count, emza_trust **out)
{
    *out = NULL;
    emza_cert_list *anchors = NULL;
    if (cli_load_cert_list(self, "--trust", paths, count, &anchors) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    int rc = emza_trust_new(out, anchors);
    emza_cert_list_free(anchors);
    if (rc != EMZA_OK)
        return cli_lib_error(self->title, "--trust", NULL, rc);
    return CLI_EXIT_OK;
}

int cli_load_trust_options(const cli_command *self, const cli_args *args, int trust_opt,
                           int untrusted_opt, emza_trust **trust, emza_cert_list **untrusted)
{
    *trust = NULL;
    *untrusted = NULL;
    size_t trust_count = 0, untrusted_count = 0;
    const char **trust_paths = cli_args_values(args, trust_opt, &trust_count);
    const char **untrusted_paths = cli_args_values(args, untrusted_opt, &untrusted_count);
    int rc = CLI_EXIT_USAGE;
    if (trust_paths == NULL || untrusted_paths == NULL)
        cli_error("%s: out of memory", self->title);
    else if ((trust_count == 0 || cli_load_trust(self, trust_paths, trust_count, trust) ==
                                      CLI_EXIT_OK) &&
             cli_load_cert_list(self, "--untrusted", untrusted_paths, untrusted_count,
                                untrusted) == CLI_EXIT_OK)
        rc = CLI_EXIT_OK;
    if (rc != CLI_EXIT_OK) {
        emza_trust_free(*trust);
        *trust = NULL;
    }
    free((void *)trust_paths);
    free((void *)untrusted_paths);
    return rc;
}

/* --------------------------------------------------------------------------
 * Progress
 * -------------------------------------------------------------------------- */

#define PROGRESS_WIDTH 30

void cli_progress_init(cli_progress *p, const char *label)
{
    p->enabled = isatty(STDERR_FILENO);
    p->last_percent = -1;
    p->label = label;
}

static volatile sig_atomic_t interrupted = 0;

static void on_interrupt(int sig)
{
    (void)sig;
    interrupted = 1;
}

void cli_catch_interrupts(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

int cli_interrupted(void)
{
    return interrupted != 0;
}

int cli_progress_update(void *ctx, uint64_t done, uint64_t total)
{
    cli_progress *p = ctx;
    if (interrupted)
        return 1;
    if (!p->enabled || total == 0)
        return 0;
    int percent = (int)(done >= total ? 100 : (done * 100) / total);
    if (percent == p->last_percent)
        return 0;
    p->last_percent = percent;
    char bar[PROGRESS_WIDTH + 1];
    int filled = percent * PROGRESS_WIDTH / 100;
    for (int i = 0; i < PROGRESS_WIDTH; i++)
        bar[i] = i < filled ? '#' : ' ';
    bar[PROGRESS_WIDTH] = '\0';
    fprintf(stderr, "\r%s [%s] %3d%%", p->label, bar, percent);
    fflush(stderr);
    return 0;
}

void cli_progress_finish(cli_progress *p)
{
    if (p->enabled && p->last_percent >= 0)
        fputc('\n', stderr);
}

/* --------------------------------------------------------------------------
 * Key options
 * -------------------------------------------------------------------------- */

/* Longest password read from a file or the environment. */
#define PASSWORD_MAX 1024

/* Reads the password (first line of a file, or an environment variable) into a new buffer. */
static int read_password(const cli_command *self, const cli_key_options *k, char **out)
{
    *out = NULL;
    const char *env = k->pass_env, *file = k->pass_file;
    if (env != NULL && file != NULL) {
        cli_error("%s: give --pass-env or --pass-file, not both", self->title);
        return CLI_EXIT_USAGE;
    }
    char buf[PASSWORD_MAX + 2];
    size_t len = 0;
    if (env != NULL) {
        const char *value = getenv(env);
        if (value == NULL) {
            cli_error("%s: --pass-env: the environment variable %s is not set", self->title, env);
            return CLI_EXIT_USAGE;
        }
        len = strlen(value);
        if (len > PASSWORD_MAX) {
            cli_error("%s: --pass-env: the password is longer than %d bytes", self->title,
                      PASSWORD_MAX);
            return CLI_EXIT_USAGE;
        }
        memcpy(buf, value, len);
    } else if (file != NULL) {
        FILE *f = fopen(file, "rb");
        if (f == NULL) {
            cli_error("%s: --pass-file %s: %s", self->title, file, strerror(errno));
            return CLI_EXIT_USAGE;
        }
        len = fread(buf, 1, sizeof(buf) - 1, f);
        int bad = ferror(f);
        fclose(f);
        if (bad || len > PASSWORD_MAX) {
            emza_wipe(buf, sizeof(buf));
            cli_error("%s: --pass-file %s: %s", self->title, file,
                      bad ? "cannot be read" : "the password is too long");
            return CLI_EXIT_USAGE;
        }
        /* The first line is the password. */
        for (size_t i = 0; i < len; i++) {
            if (buf[i] == '\n' || buf[i] == '\r') {
                len = i;
                break;
            }
        }
    } else {
        return CLI_EXIT_OK; /* no password given */
    }
    *out = malloc(len + 1);
    if (*out == NULL) {
        emza_wipe(buf, sizeof(buf));
        cli_error("%s: out of memory", self->title);
        return CLI_EXIT_USAGE;
    }
    memcpy(*out, buf, len);
    (*out)[len] = '\0';
    emza_wipe(buf, sizeof(buf));
    return CLI_EXIT_OK;
}

static void free_password(char *password)
{
    if (password != NULL) {
        emza_wipe(password, strlen(password));
        free(password);
    }
}

/* The PIN callback of --pin-env: the variable's value, read each time the token asks. */
static int pin_from_env(void *ctx, const char *token_label, int for_signature, char *buf,
                        size_t size, size_t *len)
{
    (void)token_label;
    (void)for_signature;
    const char *value = getenv((const char *)ctx);
    if (value == NULL)
        return EMZA_EINVAL; /* checked before opening; unset meanwhile */
    size_t n = strlen(value);
    if (n > size)
        return EMZA_ELIMIT;
    memcpy(buf, value, n);
    *len = n;
    return 0;
}

static int open_pkcs11(const cli_command *self, const cli_key_options *k, emza_signer **out)
{
    if (k->key != NULL || k->cert != NULL || k->pass_env != NULL || k->pass_file != NULL) {
        cli_error("%s: --pkcs11 takes the key from the token: leave out --key, --cert, "
                  "--pass-env and --pass-file",
                  self->title);
        return CLI_EXIT_USAGE;
    }
    if (k->pin_env != NULL) {
        const char *pin = getenv(k->pin_env);
        if (pin == NULL) {
            cli_error("%s: --pin-env: the environment variable %s is not set", self->title,
                      k->pin_env);
            return CLI_EXIT_USAGE;
        }
        if (strlen(pin) > EMZA_PKCS11_PIN_MAX) {
            cli_error("%s: --pin-env: the PIN is longer than %d bytes", self->title,
                      EMZA_PKCS11_PIN_MAX);
            return CLI_EXIT_USAGE;
        }
    }
    emza_pkcs11_options o;
    if (emza_pkcs11_options_init(&o, EMZA_PKCS11_OPTIONS_VERSION) != EMZA_OK)
        return cli_lib_error(self->title, NULL, NULL, emza_error_last_code());
    o.module_path = k->pkcs11;
    o.token_label = k->token;
    o.key_label = k->key_label;
    o.key_id_hex = k->key_id;
    o.chain_path = k->chain;
    if (k->pin_env != NULL) {
        o.pin = pin_from_env;
        o.pin_ctx = (void *)(uintptr_t)k->pin_env;
    }
    int rc = emza_signer_open_pkcs11(out, &o);
    if (rc != EMZA_OK)
        return cli_lib_error(self->title, "--pkcs11", k->pkcs11, rc);
    return CLI_EXIT_OK;
}

int cli_open_signer(const cli_command *self, const cli_key_options *k, emza_signer **out)
{
    *out = NULL;
    if (k->pkcs11 != NULL)
        return open_pkcs11(self, k, out);
    if (k->token != NULL || k->key_label != NULL || k->key_id != NULL || k->pin_env != NULL) {
        cli_error("%s: --token, --key-label, --key-id and --pin-env go with --pkcs11 MODULE.so",
                  self->title);
        return CLI_EXIT_USAGE;
    }
    if (k->key == NULL) {
        cli_error("%s: a key is required: --key FILE.p12 --pass-env VAR, --key KEY.pem "
                  "--cert CERT.pem, or --pkcs11 MODULE.so",
                  self->title);
        return CLI_EXIT_USAGE;
    }
    if (k->cert == NULL && k->chain != NULL) {
        cli_error("%s: --chain goes with --key KEY.pem --cert CERT.pem", self->title);
        return CLI_EXIT_USAGE;
    }
    char *password = NULL;
    if (read_password(self, k, &password) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    int rc;
    if (k->cert == NULL) {
        if (password == NULL) {
            cli_error("%s: a PKCS#12 key needs --pass-env VAR or --pass-file F", self->title);
            return CLI_EXIT_USAGE;
        }
        rc = emza_signer_open_pkcs12(out, k->key, password);
    } else {
        rc = emza_signer_open_pem(out, k->key, password, k->cert, k->chain);
    }
    free_password(password);
    if (rc != EMZA_OK)
        return cli_lib_error(self->title, "--key", k->key, rc);
    return CLI_EXIT_OK;
}
