/*
 * Extending a signature (include/emza/extend.h): checks the options, reads
 * the signed file, recognises its format, lets the format module build the
 * extended document in memory, and writes it atomically only when that
 * succeeded.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <time.h>

#include <emza/core.h>
#include <emza/extend.h>
#include <emza/verify.h>

#include "extend_internal.h"
#include "util/atomic_file.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/guard.h"
#include "xml_parse.h"
#include "verify_internal.h"

int emza_extend_options_init(emza_extend_options *opts, unsigned int version)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE_MSG(version == EMZA_EXTEND_OPTIONS_VERSION, EMZA_EVERSION,
                    "extend options version %u is not supported (this library knows %u)",
                    version, EMZA_EXTEND_OPTIONS_VERSION);
    emza_extend_options defaults = EMZA_EXTEND_OPTIONS_INIT;
    *opts = defaults;
    return EMZA_OK;
}

static int check_options(const emza_extend_options *opts)
{
    EMZA_ENSURE_MSG(opts->version == EMZA_EXTEND_OPTIONS_VERSION, EMZA_EVERSION,
                    "extend options version %u is not supported (this library knows %u)",
                    opts->version, EMZA_EXTEND_OPTIONS_VERSION);
    EMZA_ENSURE_MSG(opts->level == EMZA_LEVEL_T || opts->level == EMZA_LEVEL_LT ||
                        opts->level == EMZA_LEVEL_LTA,
                    EMZA_EINVAL, "a signature is extended to level T, LT or LTA, not %d",
                    (int)opts->level);
    EMZA_ENSURE_MSG(opts->data_paths != NULL || opts->data_count == 0, EMZA_EINVAL,
                    "data_count without data_paths");
    for (size_t i = 0; i < opts->data_count; i++)
        EMZA_ENSURE_MSG(opts->data_paths[i] != NULL, EMZA_EINVAL, "data path %zu is NULL", i + 1);
    return EMZA_OK;
}

int emza_extend(const char *path, const emza_extend_options *opts, const char *output_path)
{
    EMZA_ENSURE(path != NULL && opts != NULL, EMZA_EINVAL);
    EMZA_GUARD(check_options(opts));
    const EVP_MD *md = emza__digest_for_signing(opts->digest);
    EMZA_ENSURE_MSG(md != NULL, EMZA_EINVAL,
                    "digest %s is not one emza stamps with (sha256, sha384, sha512)",
                    opts->digest);
    EMZA_GUARD(emza_init());

    emza_buf file, out;
    EMZA_GUARD(emza__file_read(&file, path, EMZA_SIGNED_FILE_MAX));
    emza__buf_init(&out, EMZA_SIGNED_FILE_MAX);
    emza__atomic_file af;
    memset(&af, 0, sizeof(af));
    af.fd = -1;
    int rc = EMZA_OK, opened = 0;
    emza__extend_job job = {opts,
                            path,
                            file.data,
                            file.len,
                            md,
                            {opts->offline, opts->timeout_seconds, opts->transport,
                             opts->transport_ctx},
                            (int64_t)time(NULL),
                            &out,
                            NULL,
                            NULL};
    EMZA_TRY(emza__atomic_open(&af, output_path != NULL ? output_path : path));
    opened = 1;
    switch (emza__detect_format(file.data, file.len)) {
    case DETECTED_CMS:
        EMZA_TRY(emza__cades_extend(&job));
        break;
    case DETECTED_XML: {
        xmlDocPtr doc = NULL;
        rc = emza__xml_parse(&doc, file.data, file.len, NULL);
        if (rc == EMZA_EFORMAT || rc == EMZA_ELIMIT)
            rc = emza__error_prefix("%s", path);
        if (rc == EMZA_OK)
            rc = emza__xades_extend(&job, doc);
        xmlFreeDoc(doc);
        EMZA_TRY(rc);
        break;
    }
    case DETECTED_ZIP:
        EMZA_TRY(emza__asic_extend(&job));
        break;
    case DETECTED_UNKNOWN:
        EMZA_TRY_ENSURE(0, EMZA_EFORMAT,
                        "%s is neither an XML signature nor a CMS/CAdES signature", path);
        break;
    }
    EMZA_TRY(emza__atomic_write(&af, out.data, out.len));
    rc = emza__atomic_commit(&af);
    opened = 0;
cleanup:
    if (opened)
        emza__atomic_abort(&af);
    emza__buf_free(&out);
    emza__buf_free(&file);
    return rc;
}
