/*
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings.h"
#include "util/guard.h"

static int add_message(emza__findings *f, int stage, emza_subindication sub, const char *code,
                       const char *message)
{
    if (f->count >= EMZA_FINDINGS_MAX)
        return EMZA_OK;
    size_t len = strnlen(message, EMZA_FINDING_MESSAGE_MAX - 1);
    char *copy = malloc(len + 1);
    EMZA_ENSURE(copy != NULL, EMZA_ENOMEM);
    memcpy(copy, message, len);
    copy[len] = '\0';
    emza__finding *item = &f->items[f->count++];
    item->stage = stage;
    item->sub = sub;
    item->code = code;
    item->message = copy;
    return EMZA_OK;
}

int emza__findings_add(emza__findings *f, int stage, emza_subindication sub, const char *code,
                       const char *fmt, ...)
{
    char message[EMZA_FINDING_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    if (n < 0)
        message[0] = '\0';
    return add_message(f, stage, sub, code, message);
}

int emza__findings_append(emza__findings *to, const emza__findings *from, int stage)
{
    for (size_t i = 0; i < from->count; i++) {
        const emza__finding *item = &from->items[i];
        EMZA_GUARD(add_message(to, stage >= 0 ? stage : item->stage, item->sub, item->code,
                               item->message));
    }
    return EMZA_OK;
}

void emza__findings_rank(emza__findings *f)
{
    for (size_t i = 1; i < f->count; i++) {
        emza__finding tmp = f->items[i];
        size_t j = i;
        while (j > 0 && f->items[j - 1].stage > tmp.stage) {
            f->items[j] = f->items[j - 1];
            j--;
        }
        f->items[j] = tmp;
    }
}

emza_subindication emza__findings_decide(const emza__findings *f)
{
    return f->count > 0 ? f->items[0].sub : EMZA_SUB_NONE;
}

void emza__findings_free(emza__findings *f)
{
    for (size_t i = 0; i < f->count; i++)
        free(f->items[i].message);
    f->count = 0;
}
