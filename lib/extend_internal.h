/*
 * What every format's extension (include/emza/extend.h) gets from the
 * dispatch (extend.c): a checked job, the signed file's bytes, and a buffer
 * for the extended document, which extend.c writes atomically when the
 * format module succeeds.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_EXTEND_INTERNAL_H
#define EMZA_EXTEND_INTERNAL_H

#include <libxml/tree.h>
#include <openssl/evp.h>

#include <emza/extend.h>

#include "http.h"
#include "xmldsig.h"
#include "util/buf.h"

typedef struct emza__extend_job {
    const emza_extend_options *opts; /* version checked, level T, LT or LTA */
    const char *path;                /* the signed file */
    const uint8_t *data;             /* its bytes */
    size_t len;
    const EVP_MD *md;                /* for timestamp imprints */
    emza__net net;                   /* offline, timeout, transport of the options */
    int64_t now;                     /* the time chains are judged at */
    emza_buf *out;                   /* the extended document (initialised, capped at
                                        EMZA_SIGNED_FILE_MAX) */
    /* XAdES in a container: detached references resolve to these bytes (the container's
       entries) instead of data_paths; NULL otherwise */
    emza__resolve_bytes_fn entry_resolve;
    void *entry_ctx;
} emza__extend_job;

/** CAdES (cades_extend.c): the CMS in job->data. */
int emza__cades_extend(const emza__extend_job *job);

/** XAdES (xades_extend.c): `doc` is job->data parsed by emza__xml_parse; the output is serialised into job->out. */
int emza__xades_extend(const emza__extend_job *job, xmlDocPtr doc);

/**
 * ASiC-E (asic_extend.c): raises every signatures*.xml of the container in
 * job->data through emza__xades_extend, its detached references resolved to
 * the container's entries, and writes the container into job->out with every
 * other entry unchanged. Errors: EMZA_EFORMAT / EMZA_ELIMIT (not a sound
 * ASiC-E container), EMZA_EUNSUPPORTED (ASiC-S, or no XAdES signature), and
 * those of emza__xades_extend.
 */
int emza__asic_extend(const emza__extend_job *job);

#endif /* EMZA_EXTEND_INTERNAL_H */
