/*
 * Signers: a certificate, its chain and a key source (signer_internal.h).
 * Every signature passes through emza__signer_sign_digest, which checks it
 * against the certificate before any format sees it, and normalises ECDSA
 * signatures to DER. External signers (the application's callback) live here
 * too: they are a key source with no key of their own.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/rsa.h>

#include <emza/core.h>
#include <emza/signer.h>

#include "cert_internal.h"
#include "crypto_policy.h"
#include "signer_internal.h"
#include "util/guard.h"
#include "util/sigvalue.h"

struct emza_signer {
    const emza__key_source *source;
    void *impl;            /* the source's state, released through source->release */
    EVP_PKEY *public_key;  /* the certificate's key (a reference) */
    emza_cert *cert;
    emza_cert_list *chain;
};

int emza__signer_new(emza_signer **out, const emza__key_source *source, void *impl,
                     const emza_cert *cert, const emza_cert_list *chain)
{
    int rc = EMZA_OK;
    *out = NULL;
    emza_signer *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        source->release(impl);
        EMZA_FAIL(EMZA_ENOMEM, "out of memory");
    }
    s->source = source;
    s->impl = impl;
    s->cert = emza_cert_dup(cert);
    EMZA_TRY_ENSURE(s->cert != NULL, EMZA_ENOMEM, "out of memory");
    s->public_key = X509_get_pubkey(emza__cert_x509(s->cert));
    EMZA_TRY_ENSURE(s->public_key != NULL, EMZA_EFORMAT,
                    "the signing certificate's public key cannot be read");
    EMZA_TRY(emza_cert_list_new(&s->chain));
    for (size_t i = 0; chain != NULL && i < emza_cert_list_count(chain); i++)
        EMZA_TRY(emza_cert_list_add(s->chain, emza_cert_list_get(chain, i)));
    *out = s;
    s = NULL;
cleanup:
    emza_signer_free(s);
    emza__ossl_clear();
    return rc;
}

void emza_signer_free(emza_signer *signer)
{
    if (signer == NULL)
        return;
    signer->source->release(signer->impl);
    EVP_PKEY_free(signer->public_key);
    emza_cert_free(signer->cert);
    emza_cert_list_free(signer->chain);
    free(signer);
}

const emza_cert *emza_signer_cert(const emza_signer *signer)
{
    return signer ? signer->cert : NULL;
}

const emza_cert_list *emza_signer_chain(const emza_signer *signer)
{
    return signer ? signer->chain : NULL;
}

int emza__signer_key_type(const emza_signer *signer)
{
    return EVP_PKEY_get_base_id(signer->public_key);
}

const EVP_PKEY *emza__signer_public_key(const emza_signer *signer)
{
    return signer->public_key;
}

int emza__signer_set_padding(EVP_PKEY_CTX *ctx, int key_type, const EVP_MD *md, int rsa_pss)
{
    EMZA_ENSURE_MSG(EVP_PKEY_CTX_set_signature_md(ctx, md) > 0, EMZA_ECRYPTO,
                    "the key cannot sign with this digest");
    if (key_type != EVP_PKEY_RSA)
        return EMZA_OK;
    EMZA_ENSURE_MSG(rsa_pss ? EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0 &&
                                  EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) > 0 &&
                                  EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) > 0
                            : EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0,
                    EMZA_ECRYPTO, "cannot set up the RSA padding");
    return EMZA_OK;
}

/* 1 when `sig` is a valid signature of `digest` by the certificate's key. */
static int signature_checks(const emza_signer *signer, const EVP_MD *md, int rsa_pss,
                            const uint8_t *digest, size_t digest_len, const uint8_t *sig,
                            size_t sig_len)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(signer->public_key, NULL);
    int ok = ctx != NULL && EVP_PKEY_verify_init(ctx) == 1 &&
             emza__signer_set_padding(ctx, emza__signer_key_type(signer), md, rsa_pss) == EMZA_OK &&
             EVP_PKEY_verify(ctx, sig, sig_len, digest, digest_len) == 1;
    EVP_PKEY_CTX_free(ctx);
    emza__ossl_clear();
    return ok;
}

int emza__signer_sign_digest(const emza_signer *signer, const EVP_MD *md, int rsa_pss,
                             const uint8_t *digest, size_t digest_len, emza_buf *out)
{
    int key_type = emza__signer_key_type(signer);
    EMZA_ENSURE_MSG(digest_len == (size_t)EVP_MD_get_size(md), EMZA_EINTERNAL,
                    "the digest to sign has the wrong length");
    EMZA_ENSURE_MSG(!rsa_pss || key_type == EVP_PKEY_RSA, EMZA_EINVAL, "RSA-PSS needs an RSA key");
    EMZA_ENSURE_MSG(key_type == EVP_PKEY_RSA || key_type == EVP_PKEY_EC, EMZA_EUNSUPPORTED,
                    "the signing certificate's key is neither RSA nor EC");
    int rc = EMZA_OK;
    emza_buf raw, der;
    emza__buf_init(&raw, EMZA_SIGNATURE_MAX);
    emza__buf_init(&der, EMZA_SIGNATURE_MAX);
    EMZA_TRY(signer->source->sign_digest(signer->impl, signer->public_key, md, rsa_pss, digest,
                                         digest_len, &raw));
    if (signature_checks(signer, md, rsa_pss, digest, digest_len, raw.data, raw.len)) {
        rc = emza__buf_append(out, raw.data, raw.len);
        goto cleanup;
    }
    /* ECDSA from a card, a token or a web API usually comes as r||s. */
    size_t half = ((size_t)EVP_PKEY_get_bits(signer->public_key) + 7) / 8;
    if (key_type == EVP_PKEY_EC && raw.len == 2 * half) {
        EMZA_TRY(emza__sig_raw_to_der(&der, raw.data, raw.len));
        if (signature_checks(signer, md, rsa_pss, digest, digest_len, der.data, der.len)) {
            rc = emza__buf_append(out, der.data, der.len);
            goto cleanup;
        }
    }
    char name[EMZA_ALGORITHM_NAME_MAX];
    emza__algorithm_name(name, sizeof(name), rsa_pss ? EVP_PKEY_RSA_PSS : key_type,
                         EVP_MD_get_type(md));
    rc = emza__error_set(EMZA_ECRYPTO, __FILE__, __LINE__,
                         "the %s returned a signature (%s) that does not verify with the signing "
                         "certificate's key",
                         signer->source->name, name);
cleanup:
    emza__buf_free(&raw);
    emza__buf_free(&der);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* external signers                                                          */
/* ------------------------------------------------------------------------ */

typedef struct external_signer {
    emza_external_sign_fn fn;
    void *ctx;
} external_signer;

static int external_sign_digest(void *impl, const EVP_PKEY *public_key, const EVP_MD *md,
                                int rsa_pss, const uint8_t *digest, size_t digest_len,
                                emza_buf *out)
{
    const external_signer *ext = impl;
    char algorithm[EMZA_ALGORITHM_NAME_MAX];
    int key_type = EVP_PKEY_get_base_id(public_key);
    emza__algorithm_name(algorithm, sizeof(algorithm), rsa_pss ? EVP_PKEY_RSA_PSS : key_type,
                         EVP_MD_get_type(md));
    uint8_t sig[EMZA_SIGNATURE_MAX];
    size_t sig_len = 0;
    int rc = ext->fn(ext->ctx, algorithm, digest, digest_len, sig, sizeof(sig), &sig_len);
    if (rc < 0)
        return emza__error_set(rc, __FILE__, __LINE__, "the external signer failed (%s)",
                               emza_error_name(rc));
    EMZA_ENSURE_MSG(rc == 0, EMZA_EINVAL, "the external signer returned %d, not 0 or an EMZA_E* code",
                    rc);
    EMZA_ENSURE_MSG(sig_len > 0 && sig_len <= sizeof(sig), EMZA_ELIMIT,
                    "the external signer returned a signature of %zu bytes", sig_len);
    rc = emza__buf_append(out, sig, sig_len);
    OPENSSL_cleanse(sig, sizeof(sig));
    return rc;
}

static void external_release(void *impl)
{
    free(impl);
}

static const emza__key_source external_source = {"external signer", external_sign_digest,
                                                 external_release};

int emza_signer_new_external(emza_signer **out, const emza_cert *cert, const emza_cert_list *chain,
                             emza_external_sign_fn sign, void *ctx)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(cert != NULL && sign != NULL, EMZA_EINVAL);
    EMZA_GUARD(emza_init());
    external_signer *ext = calloc(1, sizeof(*ext));
    EMZA_ENSURE_MSG(ext != NULL, EMZA_ENOMEM, "out of memory");
    ext->fn = sign;
    ext->ctx = ctx;
    return emza__signer_new(out, &external_source, ext, cert, chain);
}
