/*
 * Long-term validation material (ETSI EN 319 122-1 / 319 132-1 level LT):
 * for a certificate — a signer's, or a TSA's — the chain to a trust anchor
 * and, for every certificate in it below the anchor, the revocation
 * statement (OCSP response or CRL, DER) that the revocation module verified.
 * The format modules embed what is gathered here (CAdES: SignedData
 * certificates and crls; XAdES: CertificateValues and RevocationValues), so
 * that the signature can later be validated offline.
 *
 * The chain is validated by the trust module at the validation time (now by
 * default) with the default policy (CONTRACT.md): the material is gathered
 * only when the chain passes. A certificate that declares no revocation
 * source needs no statement (it passes with NO_REVOCATION_SOURCE); one that
 * declares a source must get a usable statement — embedded values first,
 * then, unless offline, the network — else nothing is gathered:
 *   EMZA_ENETWORK   revocation data that cannot be obtained (unreachable,
 *                   offline with nothing embedded), with every reason in words
 *   EMZA_EINVAL     a revoked certificate, or any other failed chain check
 *                   (expired, constraints, weak algorithm): the message says which
 *   EMZA_ENOTFOUND  no chain to a trust anchor
 *   EMZA_ELIMIT     more than EMZA_LTV_ITEMS_MAX statements
 *   EMZA_ENOMEM, EMZA_ECRYPTO
 * A revoked certificate is refused whatever the revocation time: a signature
 * is never raised to LT with a revoked certificate.
 *
 * An emza__ltv is one operation's: not shared between threads.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_LTV_H
#define EMZA_LTV_H

#include <stdint.h>

#include <emza/cert.h>
#include <emza/trust.h>

#include "http.h"
#include "trust_internal.h"
#include "util/buf.h"

/** Most OCSP responses, and most CRLs, gathered for one signature. */
#define EMZA_LTV_ITEMS_MAX 64

/** Gathered material, de-duplicated (byte for byte). */
typedef struct emza__ltv {
    emza_cert_list *certs;           /* every chain certificate, anchors included */
    emza_buf ocsp[EMZA_LTV_ITEMS_MAX]; /* OCSPResponse DER */
    size_t ocsp_count;
    emza_buf crls[EMZA_LTV_ITEMS_MAX]; /* CertificateList DER */
    size_t crl_count;
} emza__ltv;

/** Where chains are built and revocation asked. */
typedef struct emza__ltv_context {
    const emza_trust *trust; /* anchors; NULL: the self-signed certificates among the helpers */
    const emza_cert_list *helpers[3]; /* certificates that help build chains (each may be NULL) */
    const emza__revocation_values *embedded; /* values already at hand (the signature's), tried
                                                first; may be NULL */
    emza__net net;           /* offline, timeout, transport */
    int64_t validation_time; /* 0: now */
} emza__ltv_context;

/** An empty set of material (cannot fail but for memory: EMZA_ENOMEM). */
int emza__ltv_init(emza__ltv *ltv);
/** Releases the material; accepts a zeroed struct. */
void emza__ltv_free(emza__ltv *ltv);

/**
 * Adds the chain of `cert` for `purpose` (EMZA_PURPOSE_SIGN for a signer,
 * EMZA_PURPOSE_TIMESTAMP for a TSA) and its revocation statements to `ltv`.
 * On error (see the head of this file) `ltv` holds what earlier calls added
 * and maybe part of this chain: callers discard it.
 */
int emza__ltv_add_chain(emza__ltv *ltv, const emza__ltv_context *cx, const emza_cert *cert,
                        emza_purpose purpose);

/** Adds `der` to `list` (one of ltv's) unless present: EMZA_ELIMIT past EMZA_LTV_ITEMS_MAX. */
int emza__ltv_add_der(emza_buf *list, size_t *count, const uint8_t *der, size_t len);

#endif /* EMZA_LTV_H */
