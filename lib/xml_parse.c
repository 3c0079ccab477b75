/*
 * Safe parsing of untrusted XML and tree helpers (xml_parse.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>

#include "util/guard.h"
#include "xml_parse.h"

/* Options for every parse: see the header for why each is (not) here. CDATA
 * sections are kept as they are (C14N turns them into text anyway), so a
 * document signed enveloped keeps its form. HUGE lifts libxml2's fixed 10 MB
 * text-node limit (a base64 ds:Object of a large file); our own depth, node
 * and size limits stay, and no entity is ever declared. */
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE)

typedef struct parse_state {
    const emza__xml_limits *limits;
    unsigned int depth;
    unsigned long nodes;
    const char *refused; /* why parsing was stopped by us, static text */
    char first_error[160];
    startElementNsSAX2Func start;
    endElementNsSAX2Func end;
    commentSAXFunc comment;
    processingInstructionSAXFunc pi;
} parse_state;

static void stop(xmlParserCtxtPtr ctxt, parse_state *st, const char *why)
{
    if (st->refused == NULL)
        st->refused = why;
    xmlStopParser(ctxt);
}

static int count_nodes(xmlParserCtxtPtr ctxt, parse_state *st, unsigned long n)
{
    if (n > st->limits->max_nodes || st->nodes > st->limits->max_nodes - n) {
        stop(ctxt, st, "node");
        return 0;
    }
    st->nodes += n;
    return 1;
}

static void hook_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                       const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                       int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    xmlParserCtxtPtr ctxt = ctx;
    parse_state *st = ctxt->_private;
    st->start(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes, nb_defaulted,
              attributes);
    st->depth++;
    if (st->depth > st->limits->max_depth) {
        stop(ctxt, st, "depth");
        return;
    }
    (void)count_nodes(ctxt, st, 1ul + (unsigned long)(nb_attributes > 0 ? nb_attributes : 0) +
                                    (unsigned long)(nb_namespaces > 0 ? nb_namespaces : 0));
}

static void hook_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                     const xmlChar *uri)
{
    xmlParserCtxtPtr ctxt = ctx;
    parse_state *st = ctxt->_private;
    if (st->depth > 0)
        st->depth--;
    st->end(ctx, localname, prefix, uri);
}

static void hook_comment(void *ctx, const xmlChar *value)
{
    xmlParserCtxtPtr ctxt = ctx;
    parse_state *st = ctxt->_private;
    if (count_nodes(ctxt, st, 1))
        st->comment(ctx, value);
}

static void hook_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
    xmlParserCtxtPtr ctxt = ctx;
    parse_state *st = ctxt->_private;
    if (count_nodes(ctxt, st, 1))
        st->pi(ctx, target, data);
}

/* A document type declaration: refused before its internal subset is read. */
static void hook_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
                         const xmlChar *system_id)
{
    (void)name;
    (void)external_id;
    (void)system_id;
    xmlParserCtxtPtr ctxt = ctx;
    stop(ctxt, ctxt->_private, "doctype");
}

/* Never reached once DOCTYPE is refused; kept so no declaration can slip through. */
static void hook_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                             const xmlChar *system_id, xmlChar *content)
{
    (void)name;
    (void)type;
    (void)public_id;
    (void)system_id;
    (void)content;
    xmlParserCtxtPtr ctxt = ctx;
    stop(ctxt, ctxt->_private, "doctype");
}

static xmlParserInputPtr hook_resolve(void *ctx, const xmlChar *public_id, const xmlChar *system_id)
{
    (void)public_id;
    (void)system_id;
    xmlParserCtxtPtr ctxt = ctx;
    stop(ctxt, ctxt->_private, "doctype");
    return NULL;
}

static void copy_line(char *dst, size_t size, const char *msg)
{
    if (dst[0] != '\0' || msg == NULL)
        return;
    snprintf(dst, size, "%s", msg);
    size_t n = strlen(dst);
    while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == '\r' || dst[n - 1] == ' '))
        dst[--n] = '\0';
}

static void hook_error(void *ctx, xmlErrorPtr err)
{
    xmlParserCtxtPtr ctxt = ctx;
    parse_state *st = ctxt != NULL ? ctxt->_private : NULL;
    if (st == NULL || err == NULL || err->level < XML_ERR_ERROR || st->first_error[0] != '\0')
        return;
    char line[140];
    line[0] = '\0';
    copy_line(line, sizeof(line), err->message);
    snprintf(st->first_error, sizeof(st->first_error), "line %d: %s", err->line, line);
}

static void install_hooks(xmlParserCtxtPtr ctxt, parse_state *st)
{
    xmlSAXHandlerPtr sax = ctxt->sax;
    st->start = sax->startElementNs ? sax->startElementNs : xmlSAX2StartElementNs;
    st->end = sax->endElementNs ? sax->endElementNs : xmlSAX2EndElementNs;
    st->comment = sax->comment ? sax->comment : xmlSAX2Comment;
    st->pi = sax->processingInstruction ? sax->processingInstruction : xmlSAX2ProcessingInstruction;
    sax->startElementNs = hook_start;
    sax->endElementNs = hook_end;
    sax->comment = hook_comment;
    sax->processingInstruction = hook_pi;
    sax->internalSubset = hook_doctype;
    sax->externalSubset = hook_doctype;
    sax->entityDecl = hook_entity_decl;
    sax->resolveEntity = hook_resolve;
    sax->serror = hook_error;
    sax->error = NULL;
    sax->warning = NULL;
    sax->fatalError = NULL;
    ctxt->vctxt.error = NULL;
    ctxt->vctxt.warning = NULL;
    ctxt->_private = st;
}

static int parse_failure(const parse_state *st, size_t len)
{
    const emza__xml_limits *l = st->limits;
    if (st->refused != NULL && strcmp(st->refused, "doctype") == 0)
        EMZA_FAIL(EMZA_EFORMAT, "the XML carries a document type declaration (DOCTYPE), which is "
                                "refused: no DTD, entity or external subset is ever processed");
    if (st->refused != NULL && strcmp(st->refused, "depth") == 0)
        EMZA_FAIL(EMZA_ELIMIT, "the XML nests elements deeper than %u levels", l->max_depth);
    if (st->refused != NULL && strcmp(st->refused, "node") == 0)
        EMZA_FAIL(EMZA_ELIMIT, "the XML holds more than %lu elements, attributes, comments and "
                               "processing instructions",
                  l->max_nodes);
    if (len == 0)
        EMZA_FAIL(EMZA_EFORMAT, "the XML document is empty");
    EMZA_FAIL(EMZA_EFORMAT, "the XML is not well-formed: %s",
              st->first_error[0] ? st->first_error : "parse error");
}

int emza__xml_parse(xmlDocPtr *out, const uint8_t *data, size_t len, const emza__xml_limits *limits)
{
    *out = NULL;
    static const emza__xml_limits defaults = {EMZA_XML_DOCUMENT_MAX, EMZA_XML_DEPTH_MAX,
                                              EMZA_XML_NODES_MAX};
    if (limits == NULL)
        limits = &defaults;
    EMZA_ENSURE(data != NULL || len == 0, EMZA_EINVAL);
    EMZA_ENSURE_MSG(len <= limits->max_bytes && len <= (size_t)INT_MAX, EMZA_ELIMIT,
                    "the XML document is larger than %zu bytes", limits->max_bytes);
    parse_state st;
    memset(&st, 0, sizeof(st));
    st.limits = limits;
    if (len == 0)
        return parse_failure(&st, len);

    emza__xml_quiet quiet;
    emza__xml_quiet_begin(&quiet);
    int rc = EMZA_OK;
    xmlDocPtr doc = NULL;
    xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt((const char *)data, (int)len);
    EMZA_TRY_ENSURE(ctxt != NULL, EMZA_ENOMEM, "out of memory starting the XML parser");
    (void)xmlCtxtUseOptions(ctxt, PARSE_OPTIONS);
    install_hooks(ctxt, &st);
    (void)xmlParseDocument(ctxt);
    doc = ctxt->myDoc;
    ctxt->myDoc = NULL;
    if (!ctxt->wellFormed || st.refused != NULL || doc == NULL ||
        xmlDocGetRootElement(doc) == NULL) {
        rc = parse_failure(&st, len);
        goto cleanup;
    }
    *out = doc;
    doc = NULL;
cleanup:
    if (ctxt != NULL) {
        ctxt->_private = NULL;
        xmlFreeParserCtxt(ctxt);
    }
    xmlFreeDoc(doc);
    emza__xml_quiet_end(&quiet);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* quiet scope                                                               */
/* ------------------------------------------------------------------------ */

static void quiet_generic(void *ctx, const char *msg, ...) __attribute__((format(printf, 2, 3)));

static void quiet_generic(void *ctx, const char *msg, ...)
{
    emza__xml_quiet *q = ctx;
    if (q == NULL || q->first[0] != '\0' || msg == NULL)
        return;
    va_list ap;
    va_start(ap, msg);
    (void)vsnprintf(q->first, sizeof(q->first), msg, ap);
    va_end(ap);
    char tmp[sizeof(q->first)];
    memcpy(tmp, q->first, sizeof(tmp));
    q->first[0] = '\0';
    copy_line(q->first, sizeof(q->first), tmp);
}

static void quiet_structured(void *ctx, xmlErrorPtr err)
{
    emza__xml_quiet *q = ctx;
    if (q != NULL && err != NULL)
        copy_line(q->first, sizeof(q->first), err->message);
}

void emza__xml_quiet_begin(emza__xml_quiet *q)
{
    memset(q, 0, sizeof(*q));
    q->generic_ctx = xmlGenericErrorContext;
    q->generic_fn = xmlGenericError;
    q->structured_ctx = xmlStructuredErrorContext;
    q->structured_fn = xmlStructuredError;
    xmlSetGenericErrorFunc(q, quiet_generic);
    xmlSetStructuredErrorFunc(q, quiet_structured);
}

void emza__xml_quiet_end(emza__xml_quiet *q)
{
    xmlSetGenericErrorFunc(q->generic_ctx, q->generic_fn);
    xmlSetStructuredErrorFunc(q->structured_ctx, q->structured_fn);
    xmlResetLastError();
}

/* ------------------------------------------------------------------------ */
/* IDs                                                                       */
/* ------------------------------------------------------------------------ */

struct emza__xml_id_entry {
    const char *value;
    xmlNodePtr element;
};

static const char *attr_value(const xmlAttr *attr)
{
    const xmlNode *text = attr->children;
    if (text == NULL)
        return "";
    if (text->type == XML_TEXT_NODE && text->next == NULL && text->content != NULL)
        return (const char *)text->content;
    return NULL; /* not a plain value (cannot happen without a DTD) */
}

static int is_id_attribute(const xmlAttr *attr)
{
    const char *name = (const char *)attr->name;
    if (attr->ns == NULL)
        return strcmp(name, "Id") == 0 || strcmp(name, "ID") == 0 || strcmp(name, "id") == 0;
    return strcmp(name, "id") == 0 && attr->ns->href != NULL &&
           strcmp((const char *)attr->ns->href, (const char *)XML_XML_NAMESPACE) == 0;
}

static int compare_ids(const void *a, const void *b)
{
    const struct emza__xml_id_entry *x = a, *y = b;
    return strcmp(x->value, y->value);
}

static int add_id(emza__xml_ids *ids, size_t *cap, const char *value, xmlNodePtr element)
{
    EMZA_ENSURE_MSG(ids->count < EMZA_XML_IDS_MAX, EMZA_ELIMIT,
                    "the XML holds more than %u ID attributes", EMZA_XML_IDS_MAX);
    if (ids->count == *cap) {
        size_t next = *cap ? *cap * 2 : 16;
        struct emza__xml_id_entry *grown = realloc(ids->items, next * sizeof(*grown));
        EMZA_ENSURE(grown != NULL, EMZA_ENOMEM);
        ids->items = grown;
        *cap = next;
    }
    ids->items[ids->count].value = value;
    ids->items[ids->count].element = element;
    ids->count++;
    return EMZA_OK;
}

int emza__xml_ids_build(emza__xml_ids *out, xmlDocPtr doc)
{
    out->items = NULL;
    out->count = 0;
    size_t cap = 0;
    int rc = EMZA_OK;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    for (xmlNodePtr n = root; n != NULL; n = emza__xml_next_in_tree(n, root)) {
        for (xmlAttrPtr a = n->properties; a != NULL; a = a->next) {
            if (!is_id_attribute(a))
                continue;
            const char *v = attr_value(a);
            EMZA_TRY_ENSURE(v != NULL, EMZA_EFORMAT, "an ID attribute has an unusual value");
            EMZA_TRY(add_id(out, &cap, v, n));
        }
    }
    if (out->count > 1)
        qsort(out->items, out->count, sizeof(out->items[0]), compare_ids);
    for (size_t i = 1; i < out->count; i++) {
        if (strcmp(out->items[i - 1].value, out->items[i].value) == 0) {
            char clip[80];
            rc = emza__error_set(EMZA_EFORMAT, __FILE__, __LINE__,
                                 "the ID \"%s\" is used by more than one element: a reference to "
                                 "it would be ambiguous",
                                 emza__xml_clip(clip, sizeof(clip), out->items[i].value));
            goto cleanup;
        }
    }
    return EMZA_OK;
cleanup:
    emza__xml_ids_free(out);
    return rc;
}

xmlNodePtr emza__xml_ids_find(const emza__xml_ids *ids, const char *value)
{
    if (ids == NULL || ids->count == 0 || value == NULL)
        return NULL;
    struct emza__xml_id_entry key = {value, NULL};
    const struct emza__xml_id_entry *hit =
        bsearch(&key, ids->items, ids->count, sizeof(key), compare_ids);
    return hit ? hit->element : NULL;
}

void emza__xml_ids_free(emza__xml_ids *ids)
{
    if (ids == NULL)
        return;
    free(ids->items);
    ids->items = NULL;
    ids->count = 0;
}

/* ------------------------------------------------------------------------ */
/* tree helpers                                                              */
/* ------------------------------------------------------------------------ */

int emza__xml_is(const xmlNode *node, const char *ns, const char *name)
{
    if (node == NULL || node->type != XML_ELEMENT_NODE || strcmp((const char *)node->name, name) != 0)
        return 0;
    if (ns == NULL)
        return node->ns == NULL || node->ns->href == NULL;
    return node->ns != NULL && node->ns->href != NULL &&
           strcmp((const char *)node->ns->href, ns) == 0;
}

xmlNodePtr emza__xml_first_element(const xmlNode *node)
{
    for (xmlNodePtr c = node ? node->children : NULL; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return c;
    return NULL;
}

xmlNodePtr emza__xml_next_element(const xmlNode *node)
{
    for (xmlNodePtr c = node ? node->next : NULL; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return c;
    return NULL;
}

xmlNodePtr emza__xml_child(const xmlNode *node, const char *ns, const char *name)
{
    for (xmlNodePtr c = emza__xml_first_element(node); c != NULL; c = emza__xml_next_element(c))
        if (emza__xml_is(c, ns, name))
            return c;
    return NULL;
}

const char *emza__xml_attr(const xmlNode *node, const char *name)
{
    if (node == NULL || node->type != XML_ELEMENT_NODE)
        return NULL;
    for (xmlAttrPtr a = node->properties; a != NULL; a = a->next)
        if (a->ns == NULL && strcmp((const char *)a->name, name) == 0)
            return attr_value(a);
    return NULL;
}

int emza__xml_has_element_children(const xmlNode *node)
{
    return emza__xml_first_element(node) != NULL;
}

int emza__xml_text(emza_buf *out, const xmlNode *node, size_t max)
{
    emza__buf_init(out, max);
    for (xmlNodePtr c = node ? node->children : NULL; c != NULL; c = c->next) {
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content != NULL) {
            int rc = emza__buf_append_str(out, (const char *)c->content);
            if (rc < 0) {
                emza__buf_free(out);
                return rc;
            }
        }
    }
    if (out->data == NULL)
        EMZA_GUARD(emza__buf_append(out, "", 0));
    return EMZA_OK;
}

const char *emza__xml_clip(char *dst, size_t size, const char *src)
{
    if (size == 0)
        return dst;
    size_t n = src ? strlen(src) : 0;
    if (n >= size) {
        n = size - 1;
        /* back off to the start of a UTF-8 character */
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    if (n > 0)
        memcpy(dst, src, n);
    dst[n] = '\0';
    return dst;
}

int emza__xml_is_ancestor(const xmlNode *ancestor, const xmlNode *node)
{
    for (const xmlNode *p = node; p != NULL; p = p->parent)
        if (p == ancestor)
            return 1;
    return 0;
}

xmlNodePtr emza__xml_next_in_tree(const xmlNode *node, const xmlNode *top)
{
    xmlNodePtr child = emza__xml_first_element(node);
    if (child != NULL)
        return child;
    for (const xmlNode *n = node; n != NULL && n != top; n = n->parent) {
        xmlNodePtr sib = emza__xml_next_element(n);
        if (sib != NULL)
            return sib;
    }
    return NULL;
}
