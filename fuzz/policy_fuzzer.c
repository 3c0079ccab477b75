/*
 * libFuzzer target: emza_policy_parse on arbitrary bytes.
 *
 * Besides crashes, hangs and sanitizer reports it checks the promises of
 * include/emza/policy.h and aborts when one is broken: an error is
 * EMZA_EFORMAT or EMZA_ELIMIT with a NULL policy and a message; a policy has
 * a name of 1..EMZA_POLICY_NAME_MAX bytes without control characters, lists
 * within EMZA_POLICY_ENTRIES_MAX, levels and limits in their ranges.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <emza/error.h>
#include <emza/policy.h>
#include <emza/trust.h>

#include "policy_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

static int level_ok(emza__level l)
{
    return l >= EMZA__LEVEL_IGNORE && l <= EMZA__LEVEL_FAIL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    emza_policy *p = (emza_policy *)(uintptr_t)1;
    int rc = emza_policy_parse(&p, (const char *)data, size);
    if (rc != EMZA_OK) {
        CHECK(p == NULL);
        CHECK(rc == EMZA_EFORMAT || rc == EMZA_ELIMIT);
        CHECK(emza_error_last_code() == rc);
        CHECK(emza_error_last_message() != NULL && emza_error_last_message()[0] != '\0');
        return 0;
    }
    CHECK(size <= EMZA_POLICY_FILE_MAX);
    const char *name = emza_policy_name(p);
    size_t len = strlen(name);
    CHECK(len >= 1 && len <= EMZA_POLICY_NAME_MAX);
    for (size_t i = 0; i < len; i++)
        CHECK((unsigned char)name[i] >= 0x20 && name[i] != 0x7f);
    CHECK(p->digest_count <= EMZA_POLICY_ENTRIES_MAX && p->key_count <= EMZA_POLICY_ENTRIES_MAX &&
          p->tsa_count <= EMZA_POLICY_ENTRIES_MAX);
    CHECK(level_ok(p->crypto_level) && level_ok(p->sig_level_level) &&
          level_ok(p->freshness_level) && level_ok(p->no_source_level) &&
          level_ok(p->nonce_level) && level_ok(p->tsa_level) && level_ok(p->key_usage_level) &&
          level_ok(p->no_key_usage_level) && level_ok(p->transform_level));
    CHECK(p->sig_level_min >= EMZA__SIG_LEVEL_NONE && p->sig_level_min <= EMZA__SIG_LEVEL_LTA);
    CHECK(p->chain_max >= 2 && p->chain_max <= EMZA_CHAIN_DEPTH_MAX);
    CHECK(!p->has_max_age || p->max_age >= 0);
    CHECK((p->transforms & ~0xFFu) == 0);
    emza_policy_free(p);
    return 0;
}
