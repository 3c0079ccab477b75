/*
 * XAdES / XML-DSig internals shared with other modules (an ASiC container
 * holds its signatures as XML documents: it can hand a parsed document to
 * the same verification).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_XADES_INTERNAL_H
#define EMZA_XADES_INTERNAL_H

#include <libxml/tree.h>

#include "verify_internal.h"

/**
 * Verifies every ds:Signature of `doc` (parsed with emza__xml_parse) into
 * job->report, one entry each, and sets the report's format ("XAdES" or
 * "XMLDSig") when there is at least one. Detached references are resolved
 * through job->opts->data_paths (emza__verify_data_path). Only operational
 * failures are error codes.
 */
int emza__xades_verify_doc(const emza__verify_job *job, xmlDocPtr doc);

#endif /* EMZA_XADES_INTERNAL_H */
