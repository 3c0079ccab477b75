/*
 * The revocation response cache (revocation_cache.h).
 *
 * A fixed table of EMZA_REVOCATION_CACHE_ENTRIES_MAX slots behind one mutex;
 * lookups are linear, which at this size costs less than the signature check
 * that follows every hit.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "revocation_cache.h"
#include "util/guard.h"

typedef enum kind { KIND_FREE = 0, KIND_OCSP, KIND_CRL } kind;

typedef struct entry {
    kind kind;
    uint8_t *key;
    size_t key_len;
    uint8_t *der;      /* OCSP */
    size_t der_len;
    int nonce_missing; /* OCSP */
    X509_CRL *crl;     /* CRL */
    uint8_t verified_key[32];
    size_t cost;
    int64_t expires;
    unsigned long last_used;
} entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry table[EMZA_REVOCATION_CACHE_ENTRIES_MAX];
static size_t used_entries;
static size_t used_bytes;
static unsigned long clock_tick;
static unsigned long hits, misses;

/* All helpers below run with `lock` held. */

static void drop(entry *e)
{
    if (e->kind == KIND_FREE)
        return;
    free(e->key);
    free(e->der);
    X509_CRL_free(e->crl);
    used_bytes -= e->cost;
    used_entries--;
    memset(e, 0, sizeof(*e));
}

static entry *find(kind k, const uint8_t *key, size_t key_len)
{
    for (size_t i = 0; i < EMZA_REVOCATION_CACHE_ENTRIES_MAX; i++) {
        entry *e = &table[i];
        if (e->kind == k && e->key_len == key_len && memcmp(e->key, key, key_len) == 0)
            return e;
    }
    return NULL;
}

/* A free slot for an item of `cost` bytes, evicting expired then least recently used entries. */
static entry *make_room(size_t cost, int64_t now)
{
    for (size_t i = 0; i < EMZA_REVOCATION_CACHE_ENTRIES_MAX; i++)
        if (table[i].kind != KIND_FREE && table[i].expires <= now)
            drop(&table[i]);
    while (used_entries >= EMZA_REVOCATION_CACHE_ENTRIES_MAX ||
           used_bytes + cost > EMZA_REVOCATION_CACHE_BYTES_MAX) {
        entry *oldest = NULL;
        for (size_t i = 0; i < EMZA_REVOCATION_CACHE_ENTRIES_MAX; i++)
            if (table[i].kind != KIND_FREE &&
                (oldest == NULL || table[i].last_used < oldest->last_used))
                oldest = &table[i];
        if (oldest == NULL)
            return NULL;
        drop(oldest);
    }
    for (size_t i = 0; i < EMZA_REVOCATION_CACHE_ENTRIES_MAX; i++)
        if (table[i].kind == KIND_FREE)
            return &table[i];
    return NULL;
}

/* Fills a slot (key copied); 0 when memory is short. */
static int store(kind k, const uint8_t *key, size_t key_len, size_t cost, int64_t expires,
                 int64_t now, entry **out)
{
    *out = NULL;
    if (key_len == 0 || key_len > EMZA_REVOCATION_CACHE_KEY_MAX ||
        cost > EMZA_REVOCATION_CACHE_BYTES_MAX || expires <= now)
        return 0;
    entry *old = find(k, key, key_len);
    if (old != NULL)
        drop(old);
    entry *e = make_room(cost, now);
    if (e == NULL)
        return 0;
    e->key = malloc(key_len);
    if (e->key == NULL)
        return 0;
    memcpy(e->key, key, key_len);
    e->key_len = key_len;
    e->kind = k;
    e->cost = cost;
    e->expires = expires;
    e->last_used = ++clock_tick;
    used_entries++;
    used_bytes += cost;
    *out = e;
    return 1;
}

/* The live entry under `key`, or NULL (an expired one is dropped); counts the hit or miss. */
static entry *lookup(kind k, const uint8_t *key, size_t key_len, int64_t now)
{
    entry *e = find(k, key, key_len);
    if (e != NULL && e->expires <= now) {
        drop(e);
        e = NULL;
    }
    if (e == NULL) {
        misses++;
        return NULL;
    }
    hits++;
    e->last_used = ++clock_tick;
    return e;
}

void emza__rcache_put_ocsp(const uint8_t *key, size_t key_len, const uint8_t *der, size_t der_len,
                           int nonce_missing, int64_t expires, int64_t now)
{
    if (key == NULL || der == NULL || der_len == 0)
        return;
    uint8_t *copy = malloc(der_len);
    if (copy == NULL)
        return;
    memcpy(copy, der, der_len);
    pthread_mutex_lock(&lock);
    entry *e = NULL;
    if (store(KIND_OCSP, key, key_len, der_len, expires, now, &e)) {
        e->der = copy;
        e->der_len = der_len;
        e->nonce_missing = nonce_missing;
        copy = NULL;
    }
    pthread_mutex_unlock(&lock);
    free(copy);
}

int emza__rcache_get_ocsp(emza_buf *der, int *nonce_missing, const uint8_t *key, size_t key_len,
                          int64_t now)
{
    EMZA_ENSURE(der != NULL && nonce_missing != NULL && key != NULL, EMZA_EINVAL);
    emza__buf_init(der, EMZA_REVOCATION_CACHE_BYTES_MAX);
    int rc = EMZA_ENOTFOUND;
    pthread_mutex_lock(&lock);
    entry *e = lookup(KIND_OCSP, key, key_len, now);
    if (e != NULL) {
        rc = emza__buf_append(der, e->der, e->der_len);
        *nonce_missing = e->nonce_missing;
    }
    pthread_mutex_unlock(&lock);
    if (rc != EMZA_OK)
        emza__buf_free(der);
    return rc;
}

void emza__rcache_put_crl(const char *url, X509_CRL *crl, const uint8_t key_sha256[32],
                          size_t cost, int64_t expires, int64_t now)
{
    if (url == NULL || crl == NULL || key_sha256 == NULL)
        return;
    pthread_mutex_lock(&lock);
    entry *e = NULL;
    if (store(KIND_CRL, (const uint8_t *)url, strlen(url), cost, expires, now, &e)) {
        if (X509_CRL_up_ref(crl) == 1) {
            e->crl = crl;
            memcpy(e->verified_key, key_sha256, 32);
        } else {
            drop(e);
        }
    }
    pthread_mutex_unlock(&lock);
}

int emza__rcache_get_crl(X509_CRL **out, uint8_t key_sha256[32], const char *url, int64_t now)
{
    EMZA_ENSURE(out != NULL && key_sha256 != NULL && url != NULL, EMZA_EINVAL);
    *out = NULL;
    int rc = EMZA_ENOTFOUND;
    pthread_mutex_lock(&lock);
    entry *e = lookup(KIND_CRL, (const uint8_t *)url, strlen(url), now);
    if (e != NULL && X509_CRL_up_ref(e->crl) == 1) {
        *out = e->crl;
        memcpy(key_sha256, e->verified_key, 32);
        rc = EMZA_OK;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

void emza__rcache_clear(void)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < EMZA_REVOCATION_CACHE_ENTRIES_MAX; i++)
        drop(&table[i]);
    pthread_mutex_unlock(&lock);
}

void emza__rcache_stats(size_t *entries, size_t *bytes, unsigned long *hit_count,
                        unsigned long *miss_count)
{
    pthread_mutex_lock(&lock);
    if (entries)
        *entries = used_entries;
    if (bytes)
        *bytes = used_bytes;
    if (hit_count)
        *hit_count = hits;
    if (miss_count)
        *miss_count = misses;
    pthread_mutex_unlock(&lock);
}
