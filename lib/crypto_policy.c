/*
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

#include <openssl/obj_mac.h>

#include "crypto_policy.h"

static const struct {
    int nid;
    const char *name;
    int acceptable;
} digests[] = {
    {NID_sha256, "sha256", 1},     {NID_sha384, "sha384", 1},     {NID_sha512, "sha512", 1},
    {NID_sha3_256, "sha3-256", 1}, {NID_sha3_384, "sha3-384", 1}, {NID_sha3_512, "sha3-512", 1},
    {NID_sha224, "sha224", 1},     {NID_sha1, "sha1", 0},         {NID_md5, "md5", 0},
    {NID_md4, "md4", 0},           {NID_md2, "md2", 0},
};

const char *emza__digest_name(int md_nid)
{
    for (size_t i = 0; i < sizeof(digests) / sizeof(digests[0]); i++)
        if (digests[i].nid == md_nid)
            return digests[i].name;
    return NULL;
}

int emza__policy_digest_ok(int md_nid, const char **why)
{
    for (size_t i = 0; i < sizeof(digests) / sizeof(digests[0]); i++) {
        if (digests[i].nid != md_nid)
            continue;
        if (digests[i].acceptable)
            return 1;
        switch (md_nid) {
        case NID_sha1:
            *why = "SHA-1 is no longer acceptable";
            break;
        case NID_md5:
            *why = "MD5 is no longer acceptable";
            break;
        default:
            *why = "the digest algorithm is no longer acceptable";
            break;
        }
        return 0;
    }
    *why = "the digest algorithm is unknown to the policy";
    return 0;
}

int emza__policy_key_ok(const EVP_PKEY *key, char *why, size_t why_size)
{
    int bits = EVP_PKEY_get_bits(key);
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
        if (bits >= (int)EMZA_POLICY_RSA_MIN_BITS)
            return 1;
        snprintf(why, why_size, "RSA key of %d bits is under the minimum of %u", bits,
                 EMZA_POLICY_RSA_MIN_BITS);
        return 0;
    case EVP_PKEY_DSA:
        if (bits >= (int)EMZA_POLICY_RSA_MIN_BITS)
            return 1;
        snprintf(why, why_size, "DSA key of %d bits is under the minimum of %u", bits,
                 EMZA_POLICY_RSA_MIN_BITS);
        return 0;
    case EVP_PKEY_EC:
        if (bits >= (int)EMZA_POLICY_EC_MIN_BITS)
            return 1;
        snprintf(why, why_size, "EC key of %d bits is under the minimum of %u", bits,
                 EMZA_POLICY_EC_MIN_BITS);
        return 0;
    case EVP_PKEY_ED25519:
    case EVP_PKEY_ED448:
        return 1;
    default:
        snprintf(why, why_size, "public key algorithm is unknown to the policy");
        return 0;
    }
}

void emza__algorithm_name(char *buf, size_t size, int pk_nid, int md_nid)
{
    const char *md = emza__digest_name(md_nid);
    const char *pk = NULL;
    switch (pk_nid) {
    case EVP_PKEY_RSA:
        pk = "rsa";
        break;
    case EVP_PKEY_RSA_PSS:
        pk = "rsa-pss";
        break;
    case EVP_PKEY_EC:
        pk = "ecdsa";
        break;
    case EVP_PKEY_DSA:
        pk = "dsa";
        break;
    case EVP_PKEY_ED25519:
        snprintf(buf, size, "ed25519");
        return;
    case EVP_PKEY_ED448:
        snprintf(buf, size, "ed448");
        return;
    default:
        break;
    }
    if (pk == NULL || md == NULL)
        snprintf(buf, size, "unknown");
    else
        snprintf(buf, size, "%s-%s", pk, md);
}
