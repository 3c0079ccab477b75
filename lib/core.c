/*
 * Library initialisation and version.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <pthread.h>
#include <stdlib.h>

#include <libxml/parser.h>
#include <openssl/crypto.h>

#include <emza/core.h>
#include <emza/error.h>

#include "util/guard.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_result = EMZA_EINTERNAL;

static void init_once_fn(void)
{
    if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CRYPTO_STRINGS | OPENSSL_INIT_ADD_ALL_CIPHERS |
                                OPENSSL_INIT_ADD_ALL_DIGESTS,
                            NULL) != 1) {
        init_result = EMZA_ECRYPTO;
        return;
    }
    xmlInitParser();
    init_result = EMZA_OK;
}

int emza_init(void)
{
    EMZA_ENSURE_MSG(pthread_once(&init_once, init_once_fn) == 0, EMZA_EINTERNAL,
                    "library initialisation could not run");
    if (init_result != EMZA_OK)
        return emza__error_ossl(init_result, __FILE__, __LINE__, "OpenSSL initialisation failed");
    return EMZA_OK;
}

const char *emza_version_string(void)
{
    return EMZA_VERSION_STRING;
}

unsigned int emza_version_number(void)
{
    return EMZA_VERSION_MAJOR * 10000u + EMZA_VERSION_MINOR * 100u + EMZA_VERSION_PATCH;
}

void emza_free(void *ptr)
{
    free(ptr);
}

void emza_wipe(void *ptr, size_t len)
{
    if (ptr != NULL && len > 0)
        OPENSSL_cleanse(ptr, len);
}
