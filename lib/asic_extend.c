/*
 * Extending the signatures of an ASiC-E container (include/emza/extend.h):
 * the container is read whole into memory (asic.h); each signatures*.xml is
 * raised by the XAdES extension (xades_extend.c) with its detached
 * references resolved to the container's entries, never to files, so that
 * an archive timestamp covers the bytes the container holds; then the
 * container is rewritten with the raised signature files in place and every
 * other entry (mimetype first and stored, the data, the manifest) unchanged.
 * Nothing is written unless every signature file was raised (extend.c
 * commits the result atomically).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "asic.h"
#include "extend_internal.h"
#include "util/guard.h"
#include "xml_parse.h"

/* Raises the one signatures file `e` into `out`. */
static int raise_file(const emza__extend_job *job, emza__asic *asic, const emza__asic_entry *e,
                      emza_buf *out)
{
    char where[EMZA_ASIC_NAME_MAX + 512];
    snprintf(where, sizeof(where), "%s (%s)", job->path, e->name);
    xmlDocPtr doc = NULL;
    int rc = emza__xml_parse(&doc, e->data.data ? e->data.data : (const uint8_t *)"", e->data.len,
                             NULL);
    if (rc == EMZA_EFORMAT || rc == EMZA_ELIMIT)
        return emza__error_prefix("%s", where);
    EMZA_GUARD(rc);
    emza__extend_job inner = *job;
    inner.path = where;
    inner.out = out;
    inner.entry_resolve = emza__asic_resolve_entry;
    inner.entry_ctx = asic;
    rc = emza__xades_extend(&inner, doc);
    xmlFreeDoc(doc);
    return rc;
}

int emza__asic_extend(const emza__extend_job *job)
{
    EMZA_ENSURE_MSG(job->opts->data_count == 0, EMZA_EINVAL,
                    "%s: a container's signatures cover its own entries; give no data files",
                    job->path);
    emza__asic asic;
    int rc = emza__asic_open(&asic, job->data, job->len, NULL);
    if (rc == EMZA_EFORMAT || rc == EMZA_ELIMIT)
        return emza__error_prefix("%s", job->path);
    EMZA_GUARD(rc);
    size_t count = 0;
    emza_buf *raised = NULL;
    emza__asic_put *puts = NULL;
    EMZA_TRY_ENSURE(asic.kind == EMZA__ASIC_E, EMZA_EUNSUPPORTED,
                    "%s is an ASiC-S container: only ASiC-E containers are extended by this "
                    "version",
                    job->path);
    for (size_t i = 0; i < asic.count; i++)
        count += emza__asic_is_signatures_xml(asic.entries[i].name);
    EMZA_TRY_ENSURE(count > 0, EMZA_EUNSUPPORTED, "%s holds no XAdES signatures file",
                    job->path);
    raised = calloc(count, sizeof(*raised));
    puts = calloc(count, sizeof(*puts));
    EMZA_TRY_ENSURE(raised != NULL && puts != NULL, EMZA_ENOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < asic.count; i++) {
        const emza__asic_entry *e = &asic.entries[i];
        if (!emza__asic_is_signatures_xml(e->name))
            continue;
        emza__buf_init(&raised[k], EMZA_ASIC_SIGNATURES_MAX);
        puts[k].name = e->name;
        puts[k].data = &raised[k];
        k++;
        EMZA_TRY(raise_file(job, &asic, e, &raised[k - 1]));
    }
    EMZA_TRY(emza__asic_rewrite(job->data, job->len, puts, count, job->out));
cleanup:
    for (size_t i = 0; raised != NULL && i < count; i++)
        emza__buf_free(&raised[i]);
    free(raised);
    free(puts);
    emza__asic_free(&asic);
    return rc;
}
