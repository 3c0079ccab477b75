/*
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>

#include <openssl/obj_mac.h>

#include "crypto_policy.h"
#include "policy_internal.h"

/* The report's and the policy's names of digest algorithms. Which are acceptable is the policy's
   decision (policy.c). */
static const struct {
    int nid;
    const char *name;
} digests[] = {
    {NID_sha256, "sha256"},     {NID_sha384, "sha384"},     {NID_sha512, "sha512"},
    {NID_sha3_256, "sha3-256"}, {NID_sha3_384, "sha3-384"}, {NID_sha3_512, "sha3-512"},
    {NID_sha224, "sha224"},     {NID_sha1, "sha1"},         {NID_md5, "md5"},
    {NID_md4, "md4"},           {NID_md2, "md2"},
};

const char *emza__digest_name(int md_nid)
{
    for (size_t i = 0; i < sizeof(digests) / sizeof(digests[0]); i++)
        if (digests[i].nid == md_nid)
            return digests[i].name;
    return NULL;
}

int emza__digest_nid(const char *name)
{
    for (size_t i = 0; i < sizeof(digests) / sizeof(digests[0]); i++)
        if (strcmp(digests[i].name, name) == 0)
            return digests[i].nid;
    return NID_undef;
}

int emza__policy_digest_ok(int md_nid, const char **why)
{
    char unused[8];
    if (emza__policy_digest_check(NULL, md_nid, 0, unused, sizeof(unused)))
        return 1;
    switch (md_nid) {
    case NID_sha1:
        *why = "SHA-1 is no longer acceptable";
        break;
    case NID_md5:
        *why = "MD5 is no longer acceptable";
        break;
    default:
        *why = emza__digest_name(md_nid) != NULL ? "the digest algorithm is no longer acceptable"
                                                 : "the digest algorithm is unknown to the policy";
        break;
    }
    return 0;
}

int emza__policy_key_ok(const EVP_PKEY *key, char *why, size_t why_size)
{
    return emza__policy_key_check(NULL, key, 0, why, why_size);
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
