/*
 * Writing ASiC-E containers (ETSI EN 319 162-1): "mimetype" first and stored,
 * the data files (deflated), META-INF/manifest.xml (OpenDocument manifest)
 * and META-INF/signatures0.xml, a detached XAdES (xades_sign.c, any level it
 * makes) inside asic:XAdESSignatures whose references are the entries' names.
 *
 * The container is assembled by libzip in memory and handed to the job's
 * atomic output (sign.c commits it only when everything succeeded): nothing
 * partial is ever left on disk. Each data file is read once, within
 * EMZA_ASIC_ENTRY_MAX; the XAdES references digest the same files. A file
 * that changes while it is signed gives a container whose signature fails
 * (HASH_FAILURE), never one that passes over other bytes.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <zip.h>

#include "asic.h"
#include "sign_internal.h"
#include "util/file.h"
#include "util/guard.h"
#include "xml_parse.h"

#define NS_MANIFEST "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"

static int manifest_entry(xmlNodePtr root, xmlNsPtr ns, const char *path, const char *type)
{
    xmlNodePtr fe = xmlNewChild(root, ns, (const xmlChar *)"file-entry", NULL);
    EMZA_ENSURE(fe != NULL, EMZA_ENOMEM);
    EMZA_ENSURE(xmlNewNsProp(fe, ns, (const xmlChar *)"full-path", (const xmlChar *)path) != NULL &&
                    xmlNewNsProp(fe, ns, (const xmlChar *)"media-type", (const xmlChar *)type) !=
                        NULL,
                EMZA_ENOMEM);
    return EMZA_OK;
}

/* META-INF/manifest.xml: "/" and every data file with its media type. */
static int make_manifest(emza_buf *out, const emza__sign_job *job)
{
    int rc = EMZA_OK;
    xmlChar *text = NULL;
    int text_len = 0;
    xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNodePtr root = doc ? xmlNewDocNode(doc, NULL, (const xmlChar *)"manifest", NULL) : NULL;
    xmlNsPtr ns = root ? xmlNewNs(root, (const xmlChar *)NS_MANIFEST, (const xmlChar *)"manifest")
                       : NULL;
    EMZA_TRY_ENSURE(ns != NULL, EMZA_ENOMEM, "out of memory");
    xmlSetNs(root, ns);
    xmlDocSetRootElement(doc, root);
    EMZA_TRY_ENSURE(xmlNewNsProp(root, ns, (const xmlChar *)"version", (const xmlChar *)"1.2") !=
                        NULL,
                    EMZA_ENOMEM, "out of memory");
    EMZA_TRY(manifest_entry(root, ns, "/", EMZA_ASIC_E_MIMETYPE));
    for (size_t i = 0; i < job->input_count; i++) {
        const char *name = emza__base_name(job->inputs[i]);
        /* As the XAdES DataObjectFormat says (xades_sign.c): the option, else by the name. */
        const char *type =
            job->opts->mime_type != NULL ? job->opts->mime_type : emza__mime_type_for(name);
        EMZA_TRY(manifest_entry(root, ns, name, type));
    }
    xmlDocDumpMemoryEnc(doc, &text, &text_len, "UTF-8");
    EMZA_TRY_ENSURE(text != NULL && text_len > 0, EMZA_ENOMEM, "cannot write the manifest");
    emza__buf_init(out, EMZA_ASIC_SIGNATURES_MAX);
    EMZA_TRY(emza__buf_append(out, text, (size_t)text_len));
cleanup:
    xmlFree(text);
    xmlFreeDoc(doc);
    return rc;
}

/* The detached XAdES over the inputs, inside asic:XAdESSignatures, into `out`. */
static int make_signature(emza_buf *out, const emza__sign_job *job)
{
    emza_sign_options o = *job->opts;
    o.format = EMZA_FORMAT_XADES_DETACHED;
    o.mode = EMZA_SIGN_NEW; /* a co-signature is a new signatures file beside the others */
    o.existing = NULL;
    emza__sign_job inner = *job;
    inner.opts = &o;
    inner.out_buf = out;
    inner.asic_root = 1;
    emza__buf_init(out, EMZA_ASIC_SIGNATURES_MAX);
    return emza__xades_sign(&inner);
}

static int zip_error_to_rc(zip_t *za, const char *what)
{
    EMZA_FAIL(EMZA_ENOMEM, "%s: %s", what, zip_error_strerror(zip_get_error(za)));
}

/* Adds `data` (borrowed until zip_close) as `name`, stored or deflated. */
static int add_entry(zip_t *za, const char *name, const emza_buf *data, int stored)
{
    zip_source_t *s = zip_source_buffer(za, data->data ? data->data : (const uint8_t *)"",
                                        data->len, 0);
    if (s == NULL)
        return zip_error_to_rc(za, "cannot add an entry");
    zip_int64_t idx = zip_file_add(za, name, s, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
        zip_source_free(s);
        return zip_error_to_rc(za, "cannot add an entry");
    }
    if (zip_set_file_compression(za, (zip_uint64_t)idx, stored ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
                                 0) != 0)
        return zip_error_to_rc(za, "cannot set an entry's compression");
    return EMZA_OK;
}

/*
 * Closes `za` (opened on the kept source `src`), which writes the archive
 * into `src`, and copies those bytes to `out`. `za` is gone afterwards.
 */
static int close_into(zip_t *za, zip_source_t *src, emza_buf *out)
{
    int rc = EMZA_OK;
    if (zip_close(za) != 0) {
        rc = zip_error_to_rc(za, "cannot assemble the container");
        zip_discard(za);
        return rc;
    }
    zip_stat_t st;
    zip_stat_init(&st);
    EMZA_ENSURE_MSG(zip_source_stat(src, &st) == 0 && (st.valid & ZIP_STAT_SIZE), EMZA_ENOMEM,
                    "cannot read the assembled container");
    EMZA_ENSURE_MSG(st.size <= out->max - out->len, EMZA_ELIMIT,
                    "the container would be more than %zu bytes", out->max);
    EMZA_ENSURE_MSG(zip_source_open(src) == 0, EMZA_ENOMEM, "cannot read the assembled container");
    uint8_t *bytes = malloc(st.size ? (size_t)st.size : 1);
    zip_int64_t got = bytes ? zip_source_read(src, bytes, st.size) : -1;
    zip_source_close(src);
    EMZA_TRY_ENSURE(got >= 0 && (zip_uint64_t)got == st.size, EMZA_ENOMEM,
                    "cannot read the assembled container");
    EMZA_TRY(emza__buf_append(out, bytes, (size_t)st.size));
cleanup:
    free(bytes);
    return rc;
}

/* The container's bytes, assembled in memory, to the job's atomic output. */
static int write_container(const emza__sign_job *job, const emza_buf *mimetype,
                           const emza_buf *files, const emza_buf *manifest,
                           const emza_buf *signature)
{
    int rc = EMZA_OK;
    zip_error_t err;
    zip_error_init(&err);
    emza_buf bytes;
    emza__buf_init(&bytes, EMZA_SIGNED_FILE_MAX);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &err);
    if (src == NULL) {
        zip_error_fini(&err);
        EMZA_FAIL(EMZA_ENOMEM, "cannot start a container");
    }
    zip_source_keep(src);
    zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &err);
    if (za == NULL) {
        rc = emza__error_set(EMZA_ENOMEM, __FILE__, __LINE__, "cannot start a container: %s",
                             zip_error_strerror(&err));
        goto cleanup;
    }
    EMZA_TRY(add_entry(za, "mimetype", mimetype, 1));
    for (size_t i = 0; i < job->input_count; i++)
        EMZA_TRY(add_entry(za, emza__base_name(job->inputs[i]), &files[i], 0));
    EMZA_TRY(add_entry(za, EMZA_ASIC_MANIFEST, manifest, 0));
    EMZA_TRY(add_entry(za, "META-INF/signatures0.xml", signature, 0));
    rc = close_into(za, src, &bytes);
    za = NULL;
    EMZA_TRY(rc);
    EMZA_TRY(emza__atomic_write(job->out, bytes.data, bytes.len));
cleanup:
    if (za != NULL)
        zip_discard(za);
    emza__buf_free(&bytes);
    zip_source_free(src);
    zip_error_fini(&err);
    return rc;
}

int emza__asic_rewrite(const uint8_t *zip, size_t len, const emza__asic_put *puts, size_t count,
                       emza_buf *out)
{
    int rc = EMZA_OK;
    zip_error_t err;
    zip_error_init(&err);
    /* The source owns a copy: libzip frees the buffer it writes over (libzip 1.7 does even
       when told not to own it). */
    uint8_t *copy = malloc(len ? len : 1);
    zip_source_t *src = copy ? zip_source_buffer_create(copy, len, 1, &err) : NULL;
    if (src == NULL) {
        free(copy);
        zip_error_fini(&err);
        EMZA_FAIL(EMZA_ENOMEM, "cannot reopen the container");
    }
    memcpy(copy, zip, len);
    zip_source_keep(src);
    zip_t *za = zip_open_from_source(src, 0, &err);
    if (za == NULL) {
        rc = emza__error_set(EMZA_ENOMEM, __FILE__, __LINE__, "cannot reopen the container: %s",
                             zip_error_strerror(&err));
        goto cleanup;
    }
    for (size_t i = 0; i < count; i++) {
        zip_int64_t idx = zip_name_locate(za, puts[i].name, ZIP_FL_ENC_GUESS);
        if (idx < 0) {
            EMZA_TRY(add_entry(za, puts[i].name, puts[i].data, 0));
            continue;
        }
        const emza_buf *d = puts[i].data;
        zip_source_t *s = zip_source_buffer(za, d->data ? d->data : (const uint8_t *)"", d->len,
                                            0);
        EMZA_TRY_ENSURE(s != NULL, EMZA_ENOMEM, "cannot replace %s", puts[i].name);
        if (zip_file_replace(za, (zip_uint64_t)idx, s, 0) != 0) {
            zip_source_free(s);
            EMZA_TRY(zip_error_to_rc(za, "cannot replace an entry"));
        }
        EMZA_TRY_ENSURE(zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 0) == 0,
                        EMZA_ENOMEM, "cannot set the compression of %s", puts[i].name);
    }
    rc = close_into(za, src, out);
    za = NULL;
cleanup:
    if (za != NULL)
        zip_discard(za);
    zip_source_free(src);
    zip_error_fini(&err);
    return rc;
}

/* The number N of the next META-INF/signaturesN.xml: one past the highest, and free. */
static int next_signatures_name(char *name, size_t size, const emza__asic *asic)
{
    unsigned long next = 0;
    for (size_t i = 0; i < asic->count; i++) {
        const char *n = asic->entries[i].name;
        const char *p = n + strlen("META-INF/signatures");
        if (strncmp(n, "META-INF/signatures", strlen("META-INF/signatures")) != 0)
            continue;
        size_t digits = strspn(p, "0123456789");
        if (digits == 0 || digits > 6 || strcmp(p + digits, ".xml") != 0)
            continue;
        unsigned long v = strtoul(p, NULL, 10);
        if (v + 1 > next)
            next = v + 1;
    }
    /* at most EMZA_ASIC_ENTRIES_MAX names can be taken */
    for (size_t tries = 0; tries <= asic->count; tries++, next++) {
        snprintf(name, size, "META-INF/signatures%lu.xml", next);
        if (emza__asic_find(asic, name) == NULL)
            return EMZA_OK;
    }
    EMZA_FAIL(EMZA_ELIMIT, "no free signatures file name in the container");
}

/*
 * The inputs must be exactly the container's data files: the same names
 * (all at the container's root) and the same bytes. The new signature's
 * references are made from the inputs, so this is what makes it cover the
 * entries; a file changed after this check gives a signature that fails.
 */
static int check_inputs_are_entries(const emza__sign_job *job, const emza__asic *asic)
{
    const char *existing = job->opts->existing;
    size_t data = 0;
    for (size_t i = 0; i < asic->count; i++)
        data += asic->entries[i].is_data;
    EMZA_ENSURE_MSG(data == job->input_count, EMZA_EINVAL,
                    "%s holds %zu data file%s but %zu input%s given: a co-signature covers "
                    "exactly the container's data files, given as the inputs",
                    existing, data, data == 1 ? "" : "s", job->input_count,
                    job->input_count == 1 ? " is" : "s are");
    int rc = EMZA_OK;
    emza_buf bytes;
    emza__buf_init(&bytes, 0);
    for (size_t i = 0; i < job->input_count && rc == EMZA_OK; i++) {
        const char *name = emza__base_name(job->inputs[i]);
        const emza__asic_entry *e = emza__asic_find(asic, name);
        EMZA_TRY_ENSURE(e != NULL && e->is_data, EMZA_EINVAL,
                        "%s holds no data file %s at its root: a co-signature covers exactly "
                        "the container's data files, given as the inputs",
                        existing, name);
        EMZA_TRY(emza__file_read(&bytes, job->inputs[i], EMZA_ASIC_ENTRY_MAX));
        EMZA_TRY_ENSURE(bytes.len == e->data.len &&
                            (bytes.len == 0 || memcmp(bytes.data, e->data.data, bytes.len) == 0),
                        EMZA_EINVAL,
                        "%s differs from the entry %s of %s: a co-signature covers the "
                        "container's data files as they are",
                        job->inputs[i], name, existing);
        emza__buf_free(&bytes);
    }
cleanup:
    emza__buf_free(&bytes);
    return rc;
}

/* A parallel signature: a new signatures file over the entries, the rest of the container kept. */
static int add_to(const emza__sign_job *job)
{
    const char *existing = job->opts->existing;
    EMZA_ENSURE_MSG(job->opts->mode == EMZA_SIGN_PARALLEL, EMZA_EUNSUPPORTED,
                    "ASiC-E signatures are not countersigned by this version: add a parallel "
                    "signature (--add-to)");
    emza_buf zip, signature, out;
    EMZA_GUARD(emza__file_read(&zip, existing, EMZA_SIGNED_FILE_MAX));
    emza__buf_init(&signature, 0);
    emza__buf_init(&out, EMZA_SIGNED_FILE_MAX);
    emza__asic asic;
    int rc = emza__asic_open(&asic, zip.data, zip.len, NULL);
    if (rc == EMZA_EFORMAT || rc == EMZA_ELIMIT)
        rc = emza__error_prefix("%s", existing);
    EMZA_TRY(rc);
    EMZA_TRY_ENSURE(asic.kind == EMZA__ASIC_E, EMZA_EUNSUPPORTED,
                    "%s is an ASiC-S container, which holds one signature: nothing is added "
                    "to it",
                    existing);
    EMZA_TRY(check_inputs_are_entries(job, &asic));
    char name[64];
    EMZA_TRY(next_signatures_name(name, sizeof(name), &asic));
    EMZA_TRY(make_signature(&signature, job));
    emza__asic_put put = {name, &signature};
    EMZA_TRY(emza__asic_rewrite(zip.data, zip.len, &put, 1, &out));
    EMZA_TRY(emza__atomic_write(job->out, out.data, out.len));
cleanup:
    emza__asic_free(&asic);
    emza__buf_free(&out);
    emza__buf_free(&signature);
    emza__buf_free(&zip);
    return rc;
}

int emza__asic_sign(const emza__sign_job *job)
{
    if (job->opts->mode != EMZA_SIGN_NEW)
        return add_to(job);
    int rc = EMZA_OK;
    emza_buf mimetype, manifest, signature;
    emza__buf_init(&mimetype, 64);
    emza__buf_init(&manifest, 0);
    emza__buf_init(&signature, 0);
    emza_buf *files = calloc(job->input_count ? job->input_count : 1, sizeof(*files));
    EMZA_ENSURE_MSG(files != NULL, EMZA_ENOMEM, "out of memory");
    size_t total = 0;
    for (size_t i = 0; i < job->input_count; i++) {
        const char *name = emza__base_name(job->inputs[i]);
        const char *why = NULL;
        EMZA_TRY_ENSURE(strlen(name) <= EMZA_ASIC_NAME_MAX, EMZA_ELIMIT,
                        "the file name %s is longer than %u bytes, the limit of a container "
                        "entry",
                        name, EMZA_ASIC_NAME_MAX);
        EMZA_TRY_ENSURE(emza__asic_name_ok(name, 0, &why) && strcmp(name, "mimetype") != 0 &&
                            strcmp(name, "META-INF") != 0,
                        EMZA_EINVAL, "%s cannot be a container entry: %s", name,
                        why ? why : "a reserved name");
        EMZA_TRY(emza__file_read(&files[i], job->inputs[i], EMZA_ASIC_ENTRY_MAX));
        EMZA_TRY_ENSURE(!EMZA_ADD_OVERFLOWS(total, files[i].len, &total) &&
                            total <= EMZA_ASIC_TOTAL_MAX,
                        EMZA_ELIMIT, "the files are more than %zu bytes together, the limit of "
                                     "a container",
                        (size_t)EMZA_ASIC_TOTAL_MAX);
    }
    EMZA_TRY(emza__buf_append_str(&mimetype, EMZA_ASIC_E_MIMETYPE));
    EMZA_TRY(make_manifest(&manifest, job));
    EMZA_TRY(make_signature(&signature, job));
    EMZA_TRY(write_container(job, &mimetype, files, &manifest, &signature));
cleanup:
    for (size_t i = 0; i < job->input_count; i++)
        emza__buf_free(&files[i]);
    free(files);
    emza__buf_free(&mimetype);
    emza__buf_free(&manifest);
    emza__buf_free(&signature);
    return rc;
}
