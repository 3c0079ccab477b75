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

#include <emza/sign.h>

#include "http.h"
#include "util/buf.h"

#include "verify_internal.h"
#include "xmldsig.h"

/**
 * Verifies every ds:Signature of `doc` (parsed with emza__xml_parse) into
 * job->report, one entry each, and sets the report's format ("XAdES" or
 * "XMLDSig") when there is at least one. Detached references are resolved
 * to job->entry_resolve's bytes when it is set (an ASiC container), else
 * through job->opts->data_paths (emza__verify_data_path). Only operational
 * failures are error codes.
 */
int emza__xades_verify_doc(const emza__verify_job *job, xmlDocPtr doc);

/**
 * The signing certificate of a XAdES signature: the certificate of `pools`
 * (`pool_count` lists, each may be NULL), then of `trust` (may be NULL),
 * whose digest is the CertDigest of the signed SigningCertificateV2 (or
 * SigningCertificate) in `ssp`, the SignedSignatureProperties. Borrowed into
 * *out. EMZA_ENOTFOUND when nothing names or matches it, EMZA_EFORMAT for a
 * malformed reference.
 */
int emza__xades_find_signing_cert(const emza_cert **out, const xmlNode *ssp,
                                  const emza_cert_list *const *pools, size_t pool_count,
                                  const emza_trust *trust);

/* ------------------------------------------------------------------------ */
/* levels T, LT and LTA (xades_extend.c)                                     */
/* ------------------------------------------------------------------------ */

/** The canonicalization emza's XAdES timestamps name (and cover their input with). */
#define EMZA_XADES_TIMESTAMP_C14N EMZA_ALG_EXC_C14N
/** Most elements in one UnsignedSignatureProperties; more is a FORMAT_FAILURE (EMZA_ELIMIT). */
#define EMZA_XADES_UNSIGNED_PROPERTIES_MAX 64
/** Most archive timestamps on one signature (each re-extension adds one). */
#define EMZA_XADES_ARCHIVE_TIMESTAMPS_MAX EMZA_TSP_TIMESTAMPS_MAX
/** Most EncapsulatedOCSPValue, and most EncapsulatedCRLValue, in one signature. */
#define EMZA_XADES_REVOCATION_VALUES_MAX 64

/** The xades:QualifyingProperties in a ds:Object of `sig`, or NULL. */
const xmlNode *emza__xades_qualifying(const xmlNode *sig);
/** The UnsignedSignatureProperties of a QualifyingProperties (NULL-safe), or NULL. */
const xmlNode *emza__xades_unsigned_sig_props(const xmlNode *qualifying);

/** Appends the canonical form of `el`'s subtree (comments left out) to `out`. */
int emza__xades_c14n_element(emza_buf *out, const xmlNode *el, const emza__c14n *c);

/**
 * The canonicalization a XAdES timestamp element names in its
 * ds:CanonicalizationMethod (Canonical XML 1.0 when absent). EMZA_EFORMAT for
 * an unknown one. Release with emza__c14n_free.
 */
int emza__xades_timestamp_c14n(emza__c14n *out, const xmlNode *timestamp);

/** Where an archive timestamp's input finds IDs and detached content. */
typedef struct emza__xades_archive_ctx {
    const emza__xml_ids *ids;
    emza__resolve_fn resolve; /* detached content, or NULL */
    void *resolve_ctx;
    emza_progress_fn progress;
    void *progress_ctx;
    emza__resolve_bytes_fn resolve_bytes; /* container entries, or NULL (xmldsig.h) */
    void *resolve_bytes_ctx;
} emza__xades_archive_ctx;

/**
 * The input of a xades141:ArchiveTimeStamp (ETSI EN 319 132-1 clause
 * 5.5.2), appended to `out` (capped by its own limit): the output of every
 * ds:Reference of SignedInfo in order (a node-set canonicalized with `c`),
 * then SignedInfo, SignatureValue and KeyInfo, then each unsigned signature
 * property before `before` (NULL: all of them, for a new archive timestamp
 * that goes last), then every ds:Object but the one holding
 * QualifyingProperties — each canonicalized with `c`. Errors as
 * emza__reference_digest (EMZA_ENOTFOUND for detached content not supplied,
 * EMZA_EFORMAT, EMZA_ELIMIT) and EMZA_ENOMEM.
 */
int emza__xades_archive_input(emza_buf *out, const emza__xades_archive_ctx *cx,
                              const xmlNode *sig, const xmlNode *before, const emza__c14n *c);

/** How emza__xades_raise reaches the TSA (and, for LT, the revocation sources). */
typedef struct emza__xades_raise_opts {
    emza_level level;          /* EMZA_LEVEL_T, _LT or _LTA */
    const char *tsa_url;
    const EVP_MD *md;          /* the timestamps' imprint digest */
    emza__net net;
    int has_claimed_time;      /* 1: refuse a timestamp before claimed_time (new signatures) */
    int64_t claimed_time;
    emza__resolve_fn resolve;  /* detached content for LTA, or NULL */
    void *resolve_ctx;
    emza__resolve_bytes_fn resolve_bytes; /* detached content in memory (container entries),
                                             used instead of `resolve` when set; or NULL */
    void *resolve_bytes_ctx;
    emza_progress_fn progress;
    void *progress_ctx;
    /* LT: chains to the anchors of `trust` (NULL: the self-signed certificates at hand), helped by
       the signature's certificates and `untrusted`, judged at `now` (0: the current time) */
    const emza_cert *signer;   /* the signing certificate, or NULL to find it by SigningCertificateV2 */
    const emza_trust *trust;
    const emza_cert_list *untrusted;
    int64_t now;
} emza__xades_raise_opts;

/**
 * Raises the XAdES signature `sig` (a ds:Signature of its document) to
 * o->level by adding unsigned properties, in memory: a SignatureTimeStamp
 * unless it has one; for LT CertificateValues and RevocationValues unless it
 * has them; for LTA a new ArchiveTimeStamp. Errors: EMZA_EFORMAT (not XAdES),
 * EMZA_EINVAL (no TSA, a claimed signing time after the timestamp), and those
 * of emza__tsp_stamp (EMZA_ENETWORK, EMZA_ECRYPTO, ...). On error the tree
 * may hold a partial addition: the caller discards it.
 */
int emza__xades_raise(xmlNodePtr sig, const emza__xades_raise_opts *o);

#endif /* EMZA_XADES_INTERNAL_H */
