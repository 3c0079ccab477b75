/*
 * Internal side of authentication: the process-wide default replay cache.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_AUTH_INTERNAL_H
#define EMZA_AUTH_INTERNAL_H

#include <emza/auth.h>

/**
 * The process-wide replay cache used when the options name no replay
 * callback: made once (EMZA_REPLAY_CACHE_ENTRIES_DEFAULT entries) on first
 * use, thread-safe, kept for the life of the process. EMZA_ENOMEM when it
 * cannot be made.
 */
int emza__replay_default_cache(emza_replay_cache **out);

#endif /* EMZA_AUTH_INTERNAL_H */
