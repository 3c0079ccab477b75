/*
 * emza — the command-line tool: shared helpers (see cli_util.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli_util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

/*
 * Decodes one UTF-8 character at `p` (`avail` bytes left). Returns its length
 * (1..4) and the code point in *cp, or 0 when the bytes are not well-formed
 * UTF-8 (overlong forms, surrogates and code points above U+10FFFF included).
 */
static size_t utf8_decode(const unsigned char *p, size_t avail, uint32_t *cp)
{
    unsigned char b = p[0];
    size_t n;
    uint32_t c, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
        n = 2;
        c = b & 0x1Fu;
        min = 0x80;
    } else if (b >= 0xE0 && b <= 0xEF) {
        n = 3;
        c = b & 0x0Fu;
        min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
        n = 4;
        c = b & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0u) != 0x80u)
            return 0;
        c = (c << 6) | (p[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFFu || (c >= 0xD800u && c <= 0xDFFFu))
        return 0;
    *cp = c;
    return n;
}

/* 1 for the characters that must not reach a terminal as they are. */
static int is_dangerous(uint32_t cp)
{
    return cp < 0x20u                            /* C0 controls */
           || (cp >= 0x7Fu && cp <= 0x9Fu)       /* DEL, C1 controls */
           || (cp >= 0x202Au && cp <= 0x202Eu)   /* LRE RLE PDF LRO RLO */
           || (cp >= 0x2066u && cp <= 0x2069u)   /* LRI RLI FSI PDI */
           || cp == 0x2028u || cp == 0x2029u;    /* line / paragraph separator */
}

void cli_str_append_safe(cli_str *s, const char *text, size_t len)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        uint32_t cp = 0;
        size_t n = utf8_decode(p + i, len - i, &cp);
        if (n == 0) {
            cli_str_appendf(s, "\\x%02X", (unsigned int)p[i]);
            i++;
            continue;
        }
        if (cp == '\\')
            cli_str_append(s, "\\\\", 2);
        else if (is_dangerous(cp))
            cli_str_appendf(s, "\\u%04X", (unsigned int)cp);
        else
            cli_str_append(s, text + i, n);
        i += n;
    }
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
