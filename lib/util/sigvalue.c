/*
 * DSA/ECDSA signature values in their two encodings: the DER Dss-Sig-Value
 * (Ecdsa-Sig-Value) that OpenSSL makes and checks, and the fixed-size r||s
 * that XML-DSig and JOSE (authentication tokens) carry.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <openssl/bn.h>
#include <openssl/ec.h>

#include "util/guard.h"
#include "util/sigvalue.h"

int emza__sig_raw_to_der(emza_buf *out, const uint8_t *raw, size_t len)
{
    EMZA_ENSURE_MSG(len > 0 && len % 2 == 0 && len <= EMZA_SIGVALUE_RAW_MAX,
                    EMZA_EFORMAT, "a DSA/ECDSA signature value of %zu bytes is not r||s", len);
    int rc = EMZA_OK;
    unsigned char *der = NULL;
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, (int)(len / 2), NULL);
    BIGNUM *s = BN_bin2bn(raw + len / 2, (int)(len / 2), NULL);
    EMZA_TRY_ENSURE(sig != NULL && r != NULL && s != NULL, EMZA_ENOMEM, "out of memory");
    EMZA_TRY_OSSL(ECDSA_SIG_set0(sig, r, s), EMZA_ECRYPTO, "cannot build a signature value");
    r = s = NULL;
    int n = i2d_ECDSA_SIG(sig, &der);
    EMZA_TRY_ENSURE(n > 0, EMZA_ECRYPTO, "cannot encode a signature value");
    rc = emza__buf_append(out, der, (size_t)n);
cleanup:
    OPENSSL_free(der);
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return rc;
}

int emza__sig_der_to_raw(emza_buf *out, const uint8_t *der, size_t len, size_t half)
{
    int rc = EMZA_OK;
    const unsigned char *p = der;
    uint8_t raw[2 * 132];
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
    EMZA_TRY_ENSURE(sig != NULL && p == der + len, EMZA_ECRYPTO, "the key made a malformed signature");
    EMZA_TRY_ENSURE(half > 0 && half * 2 <= sizeof(raw), EMZA_EINTERNAL, "bad signature size");
    const BIGNUM *r = NULL, *s = NULL;
    ECDSA_SIG_get0(sig, &r, &s);
    EMZA_TRY_ENSURE(BN_bn2binpad(r, raw, (int)half) == (int)half &&
                        BN_bn2binpad(s, raw + half, (int)half) == (int)half,
                    EMZA_ECRYPTO, "the signature does not fit the key size");
    rc = emza__buf_append(out, raw, 2 * half);
cleanup:
    ECDSA_SIG_free(sig);
    emza__ossl_clear();
    return rc;
}

