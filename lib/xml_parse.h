/*
 * Parsing untrusted XML safely (libxml2), and the small tree helpers the
 * XML-DSig and XAdES code walks documents with.
 *
 * Every document goes through emza__xml_parse: no network (XML_PARSE_NONET),
 * no entity substitution (no XML_PARSE_NOENT), no DTD loading, validation or
 * default attributes. A document type declaration is refused outright, as
 * the EU DSS library and Apache Santuario's secure validation do: signed
 * e-documents have no use for one, and refusing it removes external
 * entities, external subsets and entity amplification ("billion laughs") in
 * one rule, before any entity is even declared. Depth and node counts are
 * limited while parsing (SAX hooks on the per-call parser context), so a
 * hostile document stops early instead of filling memory.
 *
 * No libxml2 global is changed; parser settings live in a per-call context.
 * Error reports that libxml2 sends to the thread's generic handlers (C14N)
 * are captured for the duration of a call by emza__xml_quiet_begin/end,
 * which save and restore the calling thread's handlers.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_XML_PARSE_H
#define EMZA_XML_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <emza/verify.h>

#include "util/buf.h"

/** Largest XML document parsed (bytes): the signed-file limit. */
#define EMZA_XML_DOCUMENT_MAX ((size_t)EMZA_SIGNED_FILE_MAX)
/** Deepest element nesting accepted (libxml2's own default limit is 256 too). */
#define EMZA_XML_DEPTH_MAX 256
/**
 * Most markup nodes (elements, attributes, comments, processing instructions)
 * one document may hold. Bounds the tree's memory: about 250 bytes a node.
 */
#define EMZA_XML_NODES_MAX (2u * 1000u * 1000u)
/** Most ID attributes registered in one document. */
#define EMZA_XML_IDS_MAX (256u * 1024u)

/** Names of the limits a parse can cross, for tests. */
typedef struct emza__xml_limits {
    size_t max_bytes;
    unsigned int max_depth;
    unsigned long max_nodes;
} emza__xml_limits;

/**
 * Parses `len` bytes of untrusted XML into `*out` (free with xmlFreeDoc).
 * EMZA_EFORMAT when the bytes are not well-formed XML or carry a document
 * type declaration, EMZA_ELIMIT when a limit is crossed; the error record
 * says which in one line. `limits` may be NULL for the defaults above.
 */
int emza__xml_parse(xmlDocPtr *out, const uint8_t *data, size_t len, const emza__xml_limits *limits);

/** Saved per-thread libxml2 error handlers (emza__xml_quiet_begin/end). */
typedef struct emza__xml_quiet {
    void *generic_ctx;
    xmlGenericErrorFunc generic_fn;
    void *structured_ctx;
    xmlStructuredErrorFunc structured_fn;
    char first[160]; /* the first message captured, one line */
} emza__xml_quiet;

/** Sends the calling thread's libxml2 error reports to `q` until emza__xml_quiet_end. */
void emza__xml_quiet_begin(emza__xml_quiet *q);
void emza__xml_quiet_end(emza__xml_quiet *q);

/* --- IDs --- */

/**
 * The document's ID attributes: unqualified Id, ID and id, and xml:id.
 * Built once per document; read-only afterwards.
 */
typedef struct emza__xml_ids {
    struct emza__xml_id_entry *items;
    size_t count;
} emza__xml_ids;

/**
 * Collects every ID attribute of `doc`. A value that appears twice is
 * EMZA_EFORMAT (message names it): signature wrapping hides behind
 * duplicate IDs. EMZA_ELIMIT past EMZA_XML_IDS_MAX.
 */
int emza__xml_ids_build(emza__xml_ids *out, xmlDocPtr doc);
/** The element whose ID is `value`, or NULL. */
xmlNodePtr emza__xml_ids_find(const emza__xml_ids *ids, const char *value);
void emza__xml_ids_free(emza__xml_ids *ids);

/* --- tree helpers --- */

/** 1 when `node` is an element named `name` in namespace `ns`. */
int emza__xml_is(const xmlNode *node, const char *ns, const char *name);
/** The first element child of `node`, or NULL. */
xmlNodePtr emza__xml_first_element(const xmlNode *node);
/** The next element sibling of `node`, or NULL. */
xmlNodePtr emza__xml_next_element(const xmlNode *node);
/** The first element child named ns:name, or NULL. */
xmlNodePtr emza__xml_child(const xmlNode *node, const char *ns, const char *name);
/** An unqualified attribute's value, borrowed from the tree; NULL when absent. */
const char *emza__xml_attr(const xmlNode *node, const char *name);
/** 1 when `node` contains element children (used for "text only" checks). */
int emza__xml_has_element_children(const xmlNode *node);
/**
 * The concatenated text (and CDATA) children of `node`, into `out`
 * (initialised here, capped at `max` bytes; EMZA_ELIMIT beyond).
 */
int emza__xml_text(emza_buf *out, const xmlNode *node, size_t max);
/**
 * Copies at most `size` - 1 bytes of the UTF-8 string `src` into `dst`
 * without splitting a character, and returns `dst` (for messages that quote
 * a document).
 */
const char *emza__xml_clip(char *dst, size_t size, const char *src);
/** 1 when `ancestor` is `node` or one of its ancestors. */
int emza__xml_is_ancestor(const xmlNode *ancestor, const xmlNode *node);
/** The next node in document order within the subtree of `top` (elements only), or NULL. */
xmlNodePtr emza__xml_next_in_tree(const xmlNode *node, const xmlNode *top);

#endif /* EMZA_XML_PARSE_H */
