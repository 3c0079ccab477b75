/*
 * The default replay cache of authentication (include/emza/auth.h): the
 * nonces of accepted tokens, kept until their challenge can no longer be
 * accepted, in a bounded open-addressing table behind one mutex.
 *
 * Each nonce is kept as the first 16 bytes of its SHA-256: a collision could
 * only make a fresh nonce look used (a refusal, never an acceptance), and
 * the table's layout does not depend on attacker-chosen bytes. An entry is
 * kept until expires_at + EMZA_AUTH_CLOCK_SKEW_MAX, the last moment any
 * verifier could still accept its challenge. When the table holds
 * `max_entries` nonces, expired ones are swept (a rebuild, at most once per
 * second of validation time so that a full table cannot be made to sweep on
 * every call); if none has expired, the new nonce is refused with
 * EMZA_ELIMIT: forgetting an unexpired nonce would allow a replay.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <emza/auth.h>

#include "auth_internal.h"

#include "util/digest.h"
#include "util/guard.h"

#define KEY_BYTES 16

typedef struct slot {
    uint8_t key[KEY_BYTES];
    int64_t keep_until; /* 0: empty (a kept entry always has keep_until > 0) */
} slot;

struct emza_replay_cache {
    pthread_mutex_t lock;
    size_t max;   /* most entries held */
    size_t cap;   /* slots: a power of two, at least twice max */
    size_t count; /* entries held */
    slot *slots;
    int64_t last_sweep;
};

int emza_replay_cache_new(emza_replay_cache **out, size_t max_entries)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    if (max_entries == 0)
        max_entries = EMZA_REPLAY_CACHE_ENTRIES_DEFAULT;
    EMZA_ENSURE_MSG(max_entries <= EMZA_REPLAY_CACHE_ENTRIES_MAX, EMZA_EINVAL,
                    "a replay cache of %zu entries is larger than the maximum of %u", max_entries,
                    EMZA_REPLAY_CACHE_ENTRIES_MAX);
    size_t cap = 16;
    while (cap < 2 * max_entries)
        cap *= 2;
    emza_replay_cache *c = calloc(1, sizeof(*c));
    EMZA_ENSURE_MSG(c != NULL, EMZA_ENOMEM, "out of memory");
    c->slots = calloc(cap, sizeof(slot));
    if (c->slots == NULL || pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c->slots);
        free(c);
        EMZA_FAIL(EMZA_ENOMEM, "out of memory");
    }
    c->max = max_entries;
    c->cap = cap;
    c->last_sweep = INT64_MIN;
    *out = c;
    return EMZA_OK;
}

void emza_replay_cache_free(emza_replay_cache *cache)
{
    if (cache == NULL)
        return;
    pthread_mutex_destroy(&cache->lock);
    free(cache->slots);
    free(cache);
}

static size_t home(const emza_replay_cache *c, const uint8_t *key)
{
    uint64_t h = 0;
    memcpy(&h, key, sizeof(h));
    return (size_t)h & (c->cap - 1);
}

/* The slot holding `key`, or the empty slot where it would go (the table is never full). */
static slot *find(emza_replay_cache *c, const uint8_t *key)
{
    size_t i = home(c, key);
    while (c->slots[i].keep_until != 0 && memcmp(c->slots[i].key, key, KEY_BYTES) != 0)
        i = (i + 1) & (c->cap - 1);
    return &c->slots[i];
}

/* Rebuilds the table without the entries no longer needed at `now`. */
static int sweep(emza_replay_cache *c, int64_t now)
{
    slot *old = c->slots;
    slot *fresh = calloc(c->cap, sizeof(slot));
    EMZA_ENSURE_MSG(fresh != NULL, EMZA_ENOMEM, "out of memory");
    c->slots = fresh;
    c->count = 0;
    for (size_t i = 0; i < c->cap; i++) {
        if (old[i].keep_until == 0 || old[i].keep_until < now)
            continue;
        *find(c, old[i].key) = old[i];
        c->count++;
    }
    free(old);
    c->last_sweep = now;
    return EMZA_OK;
}

int emza_replay_cache_use(void *cache, const char *nonce, int64_t expires_at, int64_t now)
{
    EMZA_ENSURE(cache != NULL && nonce != NULL, EMZA_EINVAL);
    emza_replay_cache *c = cache;
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    EMZA_GUARD(emza__digest_bytes(digest, &digest_len, nonce, strlen(nonce), EVP_sha256()));
    int64_t keep_until = expires_at > INT64_MAX - (int64_t)EMZA_AUTH_CLOCK_SKEW_MAX
                             ? INT64_MAX
                             : expires_at + (int64_t)EMZA_AUTH_CLOCK_SKEW_MAX;
    if (keep_until < 1)
        keep_until = 1;

    int rc;
    pthread_mutex_lock(&c->lock);
    slot *s = find(c, digest);
    if (s->keep_until != 0) {
        rc = 0; /* used before (kept until it cannot be accepted anyway) */
        goto done;
    }
    if (c->count >= c->max) {
        if (now > c->last_sweep) {
            rc = sweep(c, now);
            if (rc < 0)
                goto done;
        }
        if (c->count >= c->max) {
            rc = emza__error_set(EMZA_ELIMIT, __FILE__, __LINE__,
                                 "the replay cache holds %zu unexpired nonces, its limit: a new "
                                 "log-in cannot be accepted now",
                                 c->count);
            goto done;
        }
        s = find(c, digest); /* the table was rebuilt */
    }
    memcpy(s->key, digest, KEY_BYTES);
    s->keep_until = keep_until;
    c->count++;
    rc = 1;
done:
    pthread_mutex_unlock(&c->lock);
    return rc;
}

size_t emza_replay_cache_count(emza_replay_cache *cache)
{
    if (cache == NULL)
        return 0;
    pthread_mutex_lock(&cache->lock);
    size_t n = cache->count;
    pthread_mutex_unlock(&cache->lock);
    return n;
}

/* The process-wide default (auth_internal.h). */
static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static emza_replay_cache *default_cache;

static void make_default(void)
{
    if (emza_replay_cache_new(&default_cache, 0) != EMZA_OK)
        default_cache = NULL;
}

int emza__replay_default_cache(emza_replay_cache **out)
{
    pthread_once(&default_once, make_default);
    *out = default_cache;
    EMZA_ENSURE_MSG(default_cache != NULL, EMZA_ENOMEM,
                    "out of memory for the default replay cache");
    return EMZA_OK;
}
