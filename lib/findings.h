/*
 * Findings: the failed checks and remarks of a validation, and how they
 * decide a verdict. Each error carries a stage (the order of checks in ETSI
 * EN 319 102-1 as this library applies it: lower stages decide first), a
 * sub-indication, a stable code and a message in words. Chain validation and
 * signature validation both collect findings here, so one rule decides both.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_FINDINGS_H
#define EMZA_FINDINGS_H

#include <stddef.h>

#include <emza/indication.h>

/** Most findings of one kind kept for one validation; more are dropped (the first ones decide). */
#define EMZA_FINDINGS_MAX 32
/** Longest finding message in bytes; longer ones are cut. */
#define EMZA_FINDING_MESSAGE_MAX 512

typedef struct emza__finding {
    int stage;
    emza_subindication sub;
    const char *code; /* static storage */
    char *message;
} emza__finding;

typedef struct emza__findings {
    emza__finding items[EMZA_FINDINGS_MAX];
    size_t count;
} emza__findings;

/** Adds a finding (dropped silently past EMZA_FINDINGS_MAX). EMZA_ENOMEM only when out of memory. */
int emza__findings_add(emza__findings *f, int stage, emza_subindication sub, const char *code,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/** Appends copies of every finding of `from` (stage replaced by `stage` when it is >= 0). */
int emza__findings_append(emza__findings *to, const emza__findings *from, int stage);

/** Orders by stage, stable within a stage; the first then decides. */
void emza__findings_rank(emza__findings *f);

/** The deciding sub-indication after ranking (EMZA_SUB_NONE when there is no error). */
emza_subindication emza__findings_decide(const emza__findings *f);

void emza__findings_free(emza__findings *f);

#endif /* EMZA_FINDINGS_H */
