/*
 * The signing flow: checks the options and inputs, opens the atomic output,
 * hands the job to the format module, and commits the file only on success.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <emza/core.h>
#include <emza/datetime.h>
#include <emza/sign.h>

#include "sign_internal.h"
#include "util/digest.h"
#include "util/guard.h"

static const struct {
    emza_format format;
    const char *name;
} format_names[] = {
    {EMZA_FORMAT_XADES_ENVELOPED, "xades-enveloped"},
    {EMZA_FORMAT_XADES_DETACHED, "xades-detached"},
    {EMZA_FORMAT_XADES_ENVELOPING, "xades-enveloping"},
    {EMZA_FORMAT_CADES_DETACHED, "cades-detached"},
    {EMZA_FORMAT_CADES_ATTACHED, "cades-attached"},
    {EMZA_FORMAT_ASICE, "asice"},
};

const char *emza_format_name(emza_format format)
{
    for (size_t i = 0; i < EMZA_ARRAY_LEN(format_names); i++)
        if (format_names[i].format == format)
            return format_names[i].name;
    return NULL;
}

emza_format emza_format_from_name(const char *name)
{
    for (size_t i = 0; name != NULL && i < EMZA_ARRAY_LEN(format_names); i++)
        if (strcmp(format_names[i].name, name) == 0)
            return format_names[i].format;
    return (emza_format)0;
}

/* The size of the options struct a caller of `version` has (0: unknown version). */
static size_t options_size(unsigned int version)
{
    if (version == 1u) /* before offline, trust, untrusted */
        return offsetof(emza_sign_options, offline);
    return version == EMZA_SIGN_OPTIONS_VERSION ? sizeof(emza_sign_options) : 0;
}

int emza_sign_options_init(emza_sign_options *opts, unsigned int version)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    size_t size = options_size(version);
    EMZA_ENSURE_MSG(size != 0, EMZA_EVERSION,
                    "sign options version %u is not supported (this library knows 1 to %u)",
                    version, EMZA_SIGN_OPTIONS_VERSION);
    emza_sign_options defaults = EMZA_SIGN_OPTIONS_INIT;
    defaults.version = version;
    memcpy(opts, &defaults, size);
    return EMZA_OK;
}

const char *emza__base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

const char *emza__mime_type_for(const char *name)
{
    static const struct {
        const char *ext;
        const char *type;
    } types[] = {
        {".xml", "text/xml"},          {".pdf", "application/pdf"},
        {".txt", "text/plain"},        {".html", "text/html"},
        {".json", "application/json"}, {".png", "image/png"},
        {".jpg", "image/jpeg"},        {".jpeg", "image/jpeg"},
        {".tif", "image/tiff"},        {".tiff", "image/tiff"},
        {".zip", "application/zip"},   {".odt", "application/vnd.oasis.opendocument.text"},
        {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    };
    const char *dot = strrchr(emza__base_name(name), '.');
    for (size_t i = 0; dot != NULL && i < EMZA_ARRAY_LEN(types); i++)
        if (strcasecmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/* True when the two paths name the same existing file. */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int check_inputs(const emza_sign_options *opts, const char *const *inputs, size_t count,
                        const char *output_path)
{
    size_t min = 1, max = 1;
    switch (opts->format) {
    case EMZA_FORMAT_XADES_DETACHED:
    case EMZA_FORMAT_XADES_ENVELOPING:
    case EMZA_FORMAT_ASICE:
        max = 64;
        break;
    default:
        break;
    }
    EMZA_ENSURE_MSG(count >= min && count <= max, EMZA_EINVAL,
                    "%s signs %s input file%s, not %zu", emza_format_name(opts->format),
                    max == 1 ? "exactly one" : "one to 64", max == 1 ? "" : "s", count);
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        EMZA_ENSURE_MSG(inputs[i] != NULL, EMZA_EINVAL, "input %zu is NULL", i + 1);
        EMZA_ENSURE_MSG(stat(inputs[i], &st) == 0, EMZA_EIO, "cannot open %s: %s", inputs[i],
                        strerror(errno));
        EMZA_ENSURE_MSG(S_ISREG(st.st_mode), EMZA_EIO, "%s is not a regular file", inputs[i]);
        EMZA_ENSURE_MSG(output_path == NULL || !same_file(inputs[i], output_path), EMZA_EINVAL,
                        "the output %s is also an input: inputs are never overwritten",
                        output_path);
        for (size_t j = 0; j < i; j++)
            EMZA_ENSURE_MSG(strcmp(emza__base_name(inputs[i]), emza__base_name(inputs[j])) != 0,
                            EMZA_EINVAL, "two inputs share the file name %s",
                            emza__base_name(inputs[i]));
    }
    return EMZA_OK;
}

int emza_sign(const emza_signer *signer, const emza_sign_options *caller_opts,
              const char *const *inputs, size_t input_count, const char *output_path)
{
    EMZA_ENSURE(output_path != NULL, EMZA_EINVAL);
    return emza__sign_run(signer, caller_opts, inputs, input_count, output_path, NULL, 0);
}

int emza__sign_run(const emza_signer *signer, const emza_sign_options *caller_opts,
                   const char *const *inputs, size_t input_count, const char *output_path,
                   const uint8_t *id_seed, size_t id_seed_len)
{
    EMZA_ENSURE(signer != NULL && caller_opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE(inputs != NULL || input_count == 0, EMZA_EINVAL);
    size_t size = options_size(caller_opts->version);
    EMZA_ENSURE_MSG(size != 0, EMZA_EVERSION,
                    "sign options version %u is not supported (this library knows 1 to %u)",
                    caller_opts->version, EMZA_SIGN_OPTIONS_VERSION);
    /* Only the caller's version of the struct is read; later fields keep their defaults. */
    emza_sign_options full = EMZA_SIGN_OPTIONS_INIT;
    memcpy(&full, caller_opts, size);
    full.version = EMZA_SIGN_OPTIONS_VERSION;
    const emza_sign_options *opts = &full;
    EMZA_ENSURE_MSG(emza_format_name(opts->format) != NULL, EMZA_EINVAL,
                    "no signature format chosen");
    EMZA_ENSURE_MSG(opts->format != EMZA_FORMAT_ASICE || opts->mode != EMZA_SIGN_COUNTERSIGN,
                    EMZA_EUNSUPPORTED,
                    "ASiC-E signatures are not countersigned by this version: add a parallel "
                    "signature to the container instead");
    EMZA_ENSURE_MSG(opts->level == EMZA_LEVEL_B || opts->level == EMZA_LEVEL_T ||
                        opts->level == EMZA_LEVEL_LT || opts->level == EMZA_LEVEL_LTA,
                    EMZA_EUNSUPPORTED, "unknown level %d", (int)opts->level);
    if (opts->level != EMZA_LEVEL_B) {
        EMZA_ENSURE_MSG(opts->tsa_url != NULL && opts->tsa_url[0] != '\0', EMZA_EUNSUPPORTED,
                        "level %s cannot be made without a time-stamping authority: set tsa_url",
                        opts->level == EMZA_LEVEL_T ? "T" : opts->level == EMZA_LEVEL_LT ? "LT"
                                                                                          : "LTA");
        EMZA_ENSURE_MSG(opts->level <= EMZA_LEVEL_T || opts->mode != EMZA_SIGN_COUNTERSIGN,
                        EMZA_EUNSUPPORTED,
                        "countersignatures are made at level B or T; raise the signature "
                        "afterwards with emza_extend");
    }
    EMZA_ENSURE_MSG(opts->mode == EMZA_SIGN_NEW || opts->mode == EMZA_SIGN_PARALLEL ||
                        opts->mode == EMZA_SIGN_COUNTERSIGN,
                    EMZA_EINVAL, "unknown signing mode %d", (int)opts->mode);
    EMZA_ENSURE_MSG((opts->mode == EMZA_SIGN_NEW) == (opts->existing == NULL), EMZA_EINVAL,
                    opts->mode == EMZA_SIGN_NEW ? "an existing signature is given for a new one"
                                                : "adding or countersigning needs the existing "
                                                  "signed file");
    const EVP_MD *md = emza__digest_for_signing(opts->digest);
    EMZA_ENSURE_MSG(md != NULL, EMZA_EINVAL, "digest %s is not one emza signs with "
                                             "(sha256, sha384, sha512)",
                    opts->digest);
    EMZA_GUARD(emza_init());
    EMZA_GUARD(check_inputs(opts, inputs, input_count, output_path));
    if (opts->existing != NULL && output_path != NULL)
        EMZA_ENSURE_MSG(!same_file(opts->existing, output_path), EMZA_EINVAL,
                        "the output %s is the existing signature: write the result to a new file",
                        output_path);

    int64_t signing_time = opts->has_signing_time ? opts->signing_time : (int64_t)time(NULL);
    EMZA_ENSURE_MSG(signing_time >= 0 && signing_time <= EMZA_TIME_MAX, EMZA_EINVAL,
                    "signing time out of range");

    /* A dry run's output is never opened: a write to it fails with EMZA_ESTATE. */
    emza__atomic_file out = {-1, NULL, NULL};
    if (output_path != NULL)
        EMZA_GUARD(emza__atomic_open(&out, output_path));
    emza__sign_job job = {signer,  opts, inputs, input_count, md, signing_time, &out,
                          id_seed, id_seed_len, NULL, 0};
    int rc;
    switch (opts->format) {
    case EMZA_FORMAT_CADES_DETACHED:
    case EMZA_FORMAT_CADES_ATTACHED:
        rc = emza__cades_sign(&job);
        break;
    case EMZA_FORMAT_ASICE:
        rc = emza__asic_sign(&job);
        break;
    default:
        rc = emza__xades_sign(&job);
        break;
    }
    if (output_path == NULL)
        return rc; /* a dry run: nothing was opened */
    if (rc == EMZA_OK)
        rc = emza__atomic_commit(&out);
    else
        emza__atomic_abort(&out);
    return rc;
}
