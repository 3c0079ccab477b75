/*
 * Long-term validation material (ltv.h): the trust module builds and judges
 * the chain; an observer on its revocation checks keeps the DER of every
 * statement it rests on.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <emza/datetime.h>

#include "cert_internal.h"
#include "crl.h"
#include "ltv.h"
#include "util/guard.h"

int emza__ltv_init(emza__ltv *ltv)
{
    EMZA_ENSURE(ltv != NULL, EMZA_EINVAL);
    memset(ltv, 0, sizeof(*ltv));
    return emza_cert_list_new(&ltv->certs);
}

void emza__ltv_free(emza__ltv *ltv)
{
    if (ltv == NULL)
        return;
    emza_cert_list_free(ltv->certs);
    for (size_t i = 0; i < ltv->ocsp_count; i++)
        emza__buf_free(&ltv->ocsp[i]);
    for (size_t i = 0; i < ltv->crl_count; i++)
        emza__buf_free(&ltv->crls[i]);
    memset(ltv, 0, sizeof(*ltv));
}

int emza__ltv_add_der(emza_buf *list, size_t *count, const uint8_t *der, size_t len)
{
    for (size_t i = 0; i < *count; i++)
        if (list[i].len == len && memcmp(list[i].data, der, len) == 0)
            return EMZA_OK;
    EMZA_ENSURE_MSG(*count < EMZA_LTV_ITEMS_MAX, EMZA_ELIMIT,
                    "more than %d revocation statements would be embedded", EMZA_LTV_ITEMS_MAX);
    emza__buf_init(&list[*count], EMZA_CRL_MAX);
    int rc = emza__buf_append(&list[*count], der, len);
    if (rc < 0) {
        emza__buf_free(&list[*count]);
        return rc;
    }
    (*count)++;
    return EMZA_OK;
}

static int add_cert_once(emza_cert_list *list, const emza_cert *c)
{
    for (size_t i = 0; i < emza_cert_list_count(list); i++)
        if (memcmp(emza_cert_sha256(emza_cert_list_get(list, i)), emza_cert_sha256(c), 32) == 0)
            return EMZA_OK;
    return emza_cert_list_add(list, c);
}

/* What the observer saw during one chain validation. */
typedef struct gathering {
    emza__ltv *ltv;
    int revoked;     /* a certificate of the chain is revoked (at any time) */
    int unavailable; /* a declared source gave no usable statement */
    char why[EMZA_REVOCATION_REASON_MAX + 256];
} gathering;

static int observe(void *ctx, const emza_cert *cert, const emza_cert *issuer,
                   const emza__revocation_answer *answer, const emza_buf *der)
{
    (void)issuer;
    gathering *g = ctx;
    const char *who = emza__cert_display_name(cert);
    switch (answer->status) {
    case EMZA__REVOCATION_NO_SOURCE:
        return EMZA_OK;
    case EMZA__REVOCATION_UNAVAILABLE:
        if (!g->revoked && !g->unavailable)
            snprintf(g->why, sizeof(g->why), "no revocation data for %s: %s", who,
                     answer->reason);
        g->unavailable = 1;
        return EMZA_OK;
    case EMZA__REVOCATION_REVOKED: {
        char when[EMZA_TIME_TEXT_SIZE];
        if (emza_time_format(when, sizeof(when), answer->revocation_time) != EMZA_OK)
            snprintf(when, sizeof(when), "(time out of range)");
        if (!g->revoked)
            snprintf(g->why, sizeof(g->why), "%s was revoked on %s (%s)", who, when,
                     answer->reason);
        g->revoked = 1;
        return EMZA_OK;
    }
    case EMZA__REVOCATION_GOOD:
        break;
    }
    EMZA_ENSURE_MSG(der->len > 0, EMZA_EINTERNAL,
                    "the revocation module gave no statement for a good answer");
    if (answer->source == EMZA__REVOCATION_FROM_OCSP)
        return emza__ltv_add_der(g->ltv->ocsp, &g->ltv->ocsp_count, der->data, der->len);
    return emza__ltv_add_der(g->ltv->crls, &g->ltv->crl_count, der->data, der->len);
}

/* Without trust anchors: the self-signed certificates at hand stand for them. */
static int anchors_from_helpers(emza_trust **out, const emza__ltv_context *cx,
                                const emza_cert *cert)
{
    emza_cert_list *roots = NULL;
    EMZA_GUARD(emza_cert_list_new(&roots));
    int rc = EMZA_OK;
    if (emza_cert_is_self_signed(cert))
        EMZA_TRY(add_cert_once(roots, cert));
    for (size_t s = 0; s < EMZA_ARRAY_LEN(cx->helpers); s++)
        for (size_t i = 0; cx->helpers[s] != NULL && i < emza_cert_list_count(cx->helpers[s]);
             i++) {
            const emza_cert *c = emza_cert_list_get(cx->helpers[s], i);
            if (emza_cert_is_self_signed(c))
                EMZA_TRY(add_cert_once(roots, c));
        }
    EMZA_TRY_ENSURE(emza_cert_list_count(roots) > 0, EMZA_ENOTFOUND,
                    "no trust anchor for the chain of %s: give the root certificate (with the "
                    "signer's chain or as a trust anchor)",
                    emza__cert_display_name(cert));
    EMZA_TRY(emza_trust_new(out, roots));
cleanup:
    emza_cert_list_free(roots);
    return rc;
}

int emza__ltv_add_chain(emza__ltv *ltv, const emza__ltv_context *cx, const emza_cert *cert,
                        emza_purpose purpose)
{
    EMZA_ENSURE(ltv != NULL && ltv->certs != NULL && cx != NULL && cert != NULL, EMZA_EINVAL);
    int rc = EMZA_OK;
    emza_trust *own = NULL;
    emza_cert_list *helpers = NULL;
    emza_chain_result *chain = NULL;
    const emza_trust *trust = cx->trust;
    if (trust == NULL) {
        EMZA_TRY(anchors_from_helpers(&own, cx, cert));
        trust = own;
    }
    EMZA_TRY(emza_cert_list_new(&helpers));
    for (size_t s = 0; s < EMZA_ARRAY_LEN(cx->helpers); s++)
        for (size_t i = 0; cx->helpers[s] != NULL && i < emza_cert_list_count(cx->helpers[s]); i++)
            EMZA_TRY(emza_cert_list_add(helpers, emza_cert_list_get(cx->helpers[s], i)));

    emza_chain_options copts = EMZA_CHAIN_OPTIONS_INIT;
    copts.has_validation_time = 1;
    copts.validation_time = cx->validation_time != 0 ? cx->validation_time : (int64_t)time(NULL);
    copts.purpose = purpose;
    copts.untrusted = helpers;
    copts.offline = cx->net.offline;
    copts.timeout_seconds = cx->net.timeout_seconds;
    copts.transport = cx->net.transport;
    copts.transport_ctx = cx->net.transport_ctx;
    gathering g;
    memset(&g, 0, sizeof(g));
    g.ltv = ltv;
    emza__chain_extra extra = {cx->embedded, observe, &g};
    EMZA_TRY(emza__trust_verify_ex(&chain, trust, cert, &copts, &extra));

    const char *who = emza__cert_display_name(cert);
    emza_subindication sub = emza_chain_result_subindication(chain);
    EMZA_TRY_ENSURE(!g.revoked, EMZA_EINVAL, "cannot add long-term validation data: %s", g.why);
    EMZA_TRY_ENSURE(!g.unavailable, EMZA_ENETWORK, "cannot add long-term validation data: %s",
                    g.why);
    EMZA_TRY_ENSURE(sub != EMZA_SUB_NO_CERTIFICATE_CHAIN_FOUND, EMZA_ENOTFOUND,
                    "cannot add long-term validation data: no chain from %s to a trust anchor: %s",
                    who, emza_chain_result_message(chain));
    EMZA_TRY_ENSURE(emza_chain_result_indication(chain) == EMZA_TOTAL_PASSED, EMZA_EINVAL,
                    "cannot add long-term validation data: the chain of %s is %s: %s", who,
                    emza_subindication_name(sub) ? emza_subindication_name(sub) : "not valid",
                    emza_chain_result_message(chain));
    for (size_t i = 0; i < emza_chain_result_chain_length(chain); i++)
        EMZA_TRY(add_cert_once(ltv->certs, emza_chain_result_chain_cert(chain, i)));
cleanup:
    emza_chain_result_free(chain);
    emza_cert_list_free(helpers);
    emza_trust_free(own);
    return rc;
}
