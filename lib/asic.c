/*
 * Reading ASiC containers (asic.h): libzip over the bytes in memory, the
 * limits, the entry-name rules, the mimetype and the ASiC-E manifest.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <zip.h>

#include "asic.h"
#include "util/guard.h"
#include "xml_parse.h"

#define NS_MANIFEST "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"

/* Largest META-INF/manifest.xml parsed (bytes): a line per data file. */
#define ASIC_MANIFEST_MAX ((size_t)4 * 1024 * 1024)

void emza__asic_free(emza__asic *asic)
{
    if (asic == NULL)
        return;
    for (size_t i = 0; i < asic->count; i++) {
        free(asic->entries[i].name);
        free(asic->entries[i].mime_type);
        emza__buf_free(&asic->entries[i].data);
    }
    free(asic->entries);
    memset(asic, 0, sizeof(*asic));
}

const emza__asic_entry *emza__asic_find(const emza__asic *asic, const char *name)
{
    for (size_t i = 0; i < asic->count; i++)
        if (strcmp(asic->entries[i].name, name) == 0)
            return &asic->entries[i];
    return NULL;
}

int emza__asic_name_ok(const char *name, int dir_ok, const char **why)
{
    const char *reason = NULL;
    size_t len = strlen(name);
    if (len == 0)
        reason = "an empty name";
    else if (name[0] == '/')
        reason = "an absolute path";
    else if (strchr(name, '\\') != NULL)
        reason = "a backslash";
    else if (name[len - 1] == '/' && !dir_ok)
        reason = "a directory where a file is expected";
    for (const unsigned char *p = (const unsigned char *)name; reason == NULL && *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            reason = "a control character";
    /* Segments: none empty, none "." or ".." (a directory's trailing '/' ends the last one). */
    const char *seg = name;
    while (reason == NULL && *seg != '\0') {
        size_t n = strcspn(seg, "/");
        if (n == 0)
            reason = "an empty path segment";
        else if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
            reason = "a \".\" or \"..\" path segment";
        seg += n;
        if (*seg == '/')
            seg++;
    }
    if (why != NULL)
        *why = reason;
    return reason == NULL;
}

int emza__asic_is_signatures_xml(const char *name)
{
    static const char dir[] = "META-INF/";
    size_t dl = sizeof(dir) - 1, len = strlen(name);
    if (strncmp(name, dir, dl) != 0 || strchr(name + dl, '/') != NULL || len < dl + 4 ||
        strcmp(name + len - 4, ".xml") != 0)
        return 0;
    return strstr(name + dl, "signatures") != NULL;
}

static int zip_failure(zip_error_t *err, const char *what)
{
    int rc = emza__error_set(EMZA_EFORMAT, __FILE__, __LINE__, "%s: %s", what,
                             zip_error_strerror(err));
    zip_error_fini(err);
    return rc;
}

/* Inflates entry `index` (declared `size` bytes) into `out`, refusing any other real size. */
static int read_entry(emza_buf *out, zip_t *za, zip_uint64_t index, size_t size,
                      const char *name)
{
    emza__buf_init(out, size);
    zip_file_t *zf = zip_fopen_index(za, index, 0);
    if (zf == NULL) {
        zip_error_t *e = zip_get_error(za);
        EMZA_FAIL(EMZA_EFORMAT, "the entry \"%s\" cannot be read: %s", name,
                  zip_error_strerror(e));
    }
    int rc = EMZA_OK;
    uint8_t chunk[16384];
    for (;;) {
        zip_int64_t n = zip_fread(zf, chunk, sizeof(chunk));
        if (n < 0) {
            rc = emza__error_set(EMZA_EFORMAT, __FILE__, __LINE__,
                                 "the entry \"%s\" is corrupt: %s", name,
                                 zip_error_strerror(zip_file_get_error(zf)));
            goto cleanup;
        }
        if (n == 0)
            break;
        /* The cap is the declared size: an entry that inflates to more is refused. */
        if ((size_t)n > size - out->len) {
            rc = emza__error_set(EMZA_EFORMAT, __FILE__, __LINE__,
                                 "the entry \"%s\" inflates to more than its declared %zu bytes",
                                 name, size);
            goto cleanup;
        }
        EMZA_TRY(emza__buf_append(out, chunk, (size_t)n));
    }
    EMZA_TRY_ENSURE(out->len == size, EMZA_EFORMAT,
                    "the entry \"%s\" inflates to %zu bytes, not its declared %zu", name, out->len,
                    size);
cleanup:
    zip_fclose(zf);
    if (rc != EMZA_OK)
        emza__buf_free(out);
    return rc;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int check_unique(const emza__asic *asic)
{
    int rc = EMZA_OK;
    char **names = calloc(asic->count ? asic->count : 1, sizeof(*names));
    EMZA_ENSURE_MSG(names != NULL, EMZA_ENOMEM, "out of memory");
    for (size_t i = 0; i < asic->count; i++)
        names[i] = asic->entries[i].name;
    qsort(names, asic->count, sizeof(*names), compare_names);
    for (size_t i = 1; i < asic->count; i++)
        EMZA_TRY_ENSURE(strcmp(names[i - 1], names[i]) != 0, EMZA_EFORMAT,
                        "the entry \"%s\" appears twice in the container", names[i]);
cleanup:
    free(names);
    return rc;
}

/* Reads every entry under the limits into `asic` (in ZIP order) and checks the mimetype. */
static int read_entries(emza__asic *asic, zip_t *za, const emza__asic_limits *lim)
{
    zip_int64_t count = zip_get_num_entries(za, 0);
    EMZA_ENSURE_MSG(count >= 0, EMZA_EFORMAT, "the ZIP directory cannot be read");
    EMZA_ENSURE_MSG((zip_uint64_t)count <= lim->entries, EMZA_ELIMIT,
                    "the container holds %lld entries, more than the limit of %zu",
                    (long long)count, lim->entries);
    EMZA_ENSURE_MSG(count > 0, EMZA_EFORMAT, "the container is empty");
    asic->entries = calloc((size_t)count, sizeof(*asic->entries));
    EMZA_ENSURE_MSG(asic->entries != NULL, EMZA_ENOMEM, "out of memory");
    size_t total = 0;
    for (zip_uint64_t i = 0; i < (zip_uint64_t)count; i++) {
        zip_stat_t st;
        zip_stat_init(&st);
        EMZA_ENSURE_MSG(zip_stat_index(za, i, 0, &st) == 0 && (st.valid & ZIP_STAT_NAME) &&
                            (st.valid & ZIP_STAT_SIZE) && (st.valid & ZIP_STAT_COMP_SIZE) &&
                            (st.valid & ZIP_STAT_COMP_METHOD),
                        EMZA_EFORMAT, "entry %llu of the ZIP directory cannot be read",
                        (unsigned long long)i);
        size_t name_len = strlen(st.name);
        EMZA_ENSURE_MSG(name_len <= lim->name, EMZA_ELIMIT,
                        "an entry name is %zu bytes long, more than the limit of %zu", name_len,
                        lim->name);
        const char *why = NULL;
        EMZA_ENSURE_MSG(emza__asic_name_ok(st.name, 1, &why), EMZA_EFORMAT,
                        "the entry name \"%s\" is refused: %s", st.name, why);
        EMZA_ENSURE_MSG(!(st.valid & ZIP_STAT_ENCRYPTION_METHOD) ||
                            st.encryption_method == ZIP_EM_NONE,
                        EMZA_EFORMAT, "the entry \"%s\" is encrypted", st.name);
        EMZA_ENSURE_MSG(st.size <= lim->entry, EMZA_ELIMIT,
                        "the entry \"%s\" is %llu bytes uncompressed, more than the limit of %zu",
                        st.name, (unsigned long long)st.size, lim->entry);
        EMZA_ENSURE_MSG(st.size <= lim->ratio_floor || st.size / lim->ratio <= st.comp_size,
                        EMZA_ELIMIT,
                        "the entry \"%s\" inflates %llu bytes to %llu, beyond the compression "
                        "ratio limit of %zu",
                        st.name, (unsigned long long)st.comp_size, (unsigned long long)st.size,
                        lim->ratio);
        EMZA_ENSURE_MSG(!EMZA_ADD_OVERFLOWS(total, (size_t)st.size, &total) && total <= lim->total,
                        EMZA_ELIMIT,
                        "the container's entries are more than %zu bytes uncompressed together",
                        lim->total);
        emza__asic_entry *e = &asic->entries[i];
        e->name = strdup(st.name);
        EMZA_ENSURE_MSG(e->name != NULL, EMZA_ENOMEM, "out of memory");
        asic->count++;
        e->is_dir = st.name[name_len - 1] == '/';
        e->is_data = !e->is_dir && strcmp(st.name, "mimetype") != 0 &&
                     strncmp(st.name, "META-INF/", 9) != 0;
        if (i == 0) {
            EMZA_ENSURE_MSG(strcmp(st.name, "mimetype") == 0, EMZA_EFORMAT,
                            "the first entry is \"%s\", not \"mimetype\"", st.name);
            EMZA_ENSURE_MSG(st.comp_method == ZIP_CM_STORE, EMZA_EFORMAT,
                            "the mimetype entry is compressed: it must be stored");
        }
        if (e->is_dir)
            EMZA_ENSURE_MSG(st.size == 0, EMZA_EFORMAT, "the directory entry \"%s\" has content",
                            st.name);
        else
            EMZA_GUARD(read_entry(&e->data, za, i, (size_t)st.size, st.name));
        if (i == 0) {
            const emza_buf *m = &e->data;
            size_t el = strlen(EMZA_ASIC_E_MIMETYPE), sl = strlen(EMZA_ASIC_S_MIMETYPE);
            if (m->len == el && memcmp(m->data, EMZA_ASIC_E_MIMETYPE, el) == 0)
                asic->kind = EMZA__ASIC_E;
            else if (m->len == sl && memcmp(m->data, EMZA_ASIC_S_MIMETYPE, sl) == 0)
                asic->kind = EMZA__ASIC_S;
            else
                EMZA_FAIL(EMZA_EFORMAT, "the mimetype entry names neither %s nor %s",
                          EMZA_ASIC_E_MIMETYPE, EMZA_ASIC_S_MIMETYPE);
        }
    }
    return check_unique(asic);
}

static const char *manifest_attr(const xmlNode *el, const char *name)
{
    for (xmlAttrPtr a = el->properties; a != NULL; a = a->next)
        if (a->ns != NULL && strcmp((const char *)a->ns->href, NS_MANIFEST) == 0 &&
            strcmp((const char *)a->name, name) == 0)
            return a->children != NULL && a->children->type == XML_TEXT_NODE &&
                           a->children->next == NULL
                       ? (const char *)a->children->content
                       : a->children == NULL ? "" : NULL;
    return NULL;
}

/* ASiC-E: the manifest's file entries are the data entries, one for one (libdigidocpp's rules). */
static int check_manifest_entries(emza__asic *asic, const xmlNode *root)
{
    int has_root = 0;
    for (const xmlNode *fe = emza__xml_first_element(root); fe != NULL;
         fe = emza__xml_next_element(fe)) {
        if (!emza__xml_is(fe, NS_MANIFEST, "file-entry"))
            continue;
        const char *path = manifest_attr(fe, "full-path");
        const char *type = manifest_attr(fe, "media-type");
        EMZA_ENSURE_MSG(path != NULL && type != NULL, EMZA_EFORMAT,
                        "a manifest file-entry lacks its full-path or media-type");
        if (strcmp(path, "/") == 0) {
            EMZA_ENSURE_MSG(!has_root, EMZA_EFORMAT, "the manifest describes \"/\" twice");
            EMZA_ENSURE_MSG(strcmp(type, EMZA_ASIC_E_MIMETYPE) == 0, EMZA_EFORMAT,
                            "the manifest gives the container the media type \"%.64s\"", type);
            has_root = 1;
            continue;
        }
        const char *why = NULL;
        EMZA_ENSURE_MSG(emza__asic_name_ok(path, 0, &why), EMZA_EFORMAT,
                        "the manifest path \"%.128s\" is refused: %s", path, why);
        emza__asic_entry *e = NULL;
        for (size_t i = 0; i < asic->count && e == NULL; i++)
            if (strcmp(asic->entries[i].name, path) == 0)
                e = &asic->entries[i];
        EMZA_ENSURE_MSG(e != NULL && e->is_data, EMZA_EFORMAT,
                        "the manifest lists \"%.128s\", which is not a data file of the container",
                        path);
        EMZA_ENSURE_MSG(e->mime_type == NULL, EMZA_EFORMAT,
                        "the manifest lists \"%.128s\" twice", path);
        e->mime_type = strdup(type);
        EMZA_ENSURE_MSG(e->mime_type != NULL, EMZA_ENOMEM, "out of memory");
    }
    EMZA_ENSURE_MSG(has_root, EMZA_EFORMAT, "the manifest does not describe the container \"/\"");
    for (size_t i = 0; i < asic->count; i++)
        EMZA_ENSURE_MSG(!asic->entries[i].is_data || asic->entries[i].mime_type != NULL,
                        EMZA_EFORMAT, "the data file \"%s\" is not listed in the manifest",
                        asic->entries[i].name);
    return EMZA_OK;
}

static int check_manifest(emza__asic *asic)
{
    const emza__asic_entry *m = emza__asic_find(asic, EMZA_ASIC_MANIFEST);
    EMZA_ENSURE_MSG(m != NULL, EMZA_EFORMAT,
                    "an ASiC-E container without " EMZA_ASIC_MANIFEST);
    EMZA_ENSURE_MSG(m->data.len <= ASIC_MANIFEST_MAX, EMZA_ELIMIT,
                    EMZA_ASIC_MANIFEST " is longer than %zu bytes", ASIC_MANIFEST_MAX);
    xmlDocPtr doc = NULL;
    int rc = emza__xml_parse(&doc, m->data.data ? m->data.data : (const uint8_t *)"", m->data.len,
                             NULL);
    if (rc == EMZA_EFORMAT)
        emza__error_prefix("%s", EMZA_ASIC_MANIFEST);
    EMZA_GUARD(rc);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!emza__xml_is(root, NS_MANIFEST, "manifest"))
        rc = emza__error_set(EMZA_EFORMAT, __FILE__, __LINE__,
                             EMZA_ASIC_MANIFEST " is not an OpenDocument manifest");
    else
        rc = check_manifest_entries(asic, root);
    xmlFreeDoc(doc);
    return rc;
}

static int check_layout(emza__asic *asic)
{
    size_t data = 0, root_data = 0;
    for (size_t i = 0; i < asic->count; i++) {
        data += asic->entries[i].is_data;
        root_data += asic->entries[i].is_data && strchr(asic->entries[i].name, '/') == NULL;
    }
    if (asic->kind == EMZA__ASIC_E)
        return check_manifest(asic);
    EMZA_ENSURE_MSG(data == 1 && root_data == 1, EMZA_EFORMAT,
                    "an ASiC-S container holds %zu data files; it must hold exactly one, at its "
                    "root",
                    data);
    return EMZA_OK;
}

int emza__asic_open(emza__asic *out, const uint8_t *data, size_t len,
                    const emza__asic_limits *limits)
{
    memset(out, 0, sizeof(*out));
    const emza__asic_limits defaults = EMZA__ASIC_LIMITS_DEFAULT;
    const emza__asic_limits *lim = limits != NULL ? limits : &defaults;
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t *src = zip_source_buffer_create(len ? data : (const uint8_t *)"", len, 0, &err);
    if (src == NULL)
        return zip_failure(&err, "the container cannot be read");
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (za == NULL) {
        zip_source_free(src);
        return zip_failure(&err, "not a sound ZIP file");
    }
    zip_error_fini(&err);
    int rc = read_entries(out, za, lim);
    if (rc == EMZA_OK)
        rc = check_layout(out);
    zip_discard(za); /* frees the source too */
    if (rc != EMZA_OK) {
        emza__asic_kind kind = out->kind;
        emza__asic_free(out);
        out->kind = kind;
    }
    return rc;
}

int emza__asic_resolve_entry(void *ctx, const char *path, emza_span *out)
{
    const emza__asic *asic = ctx;
    const emza__asic_entry *e = emza__asic_find(asic, path);
    if (e == NULL || e->is_dir)
        return EMZA_ENOTFOUND;
    out->data = e->data.data ? e->data.data : (const uint8_t *)"";
    out->len = e->data.len;
    return EMZA_OK;
}
