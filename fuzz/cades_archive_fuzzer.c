/*
 * libFuzzer target: the DER layout behind CAdES long-term signatures
 * (lib/cades_archive.c) — finding the parts of a SignedData and of its
 * SignerInfos, building an ATSHashIndexV3 and an archive-timestamp imprint
 * input, checking a hash index from the input against them, and splicing an
 * OCSP response into SignedData.crls. The cades target reaches this code only
 * through OpenSSL's CMS parser and a whole verification (a few thousand runs
 * a minute); this one runs it directly.
 *
 * Input: two bytes giving the length N of a trailing blob, the CMS DER, then
 * the N-byte blob (used as the hash index to check and as the OCSP response
 * to splice). Promises checked: no crash, no sanitizer report, and a splice
 * that succeeds yields a SignedData whose layout parses and lists the OCSP
 * response.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include <emza/core.h>
#include <emza/error.h>

#include "cades_internal.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Cap on what one run may build (index, imprint input, spliced CMS). */
#define FUZZ_OUT_MAX ((size_t)1 << 24)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

/* Whatever the layout holds: index, imprint input and a check of `blob` as an index. */
static void exercise_signers(const emza__cades_layout *l, emza__cades_signer_layout *s,
                             emza_span blob)
{
    for (size_t i = 0; i < l->signer_count; i++) {
        if (emza__cades_signer_layout_parse(s, l->signer_infos[i]) != EMZA_OK)
            continue;
        emza_buf index, input;
        emza__buf_init(&index, FUZZ_OUT_MAX);
        emza__buf_init(&input, FUZZ_OUT_MAX);
        const uint8_t content_digest[32] = {0};
        if (emza__cades_ats_hash_index(&index, l, s, EVP_sha256()) == EMZA_OK)
            (void)emza__cades_ats_imprint_input(&input, l, s, content_digest,
                                                sizeof(content_digest),
                                                (emza_span){index.data, index.len});
        int ok = 0;
        char why[256];
        const EVP_MD *md = NULL;
        (void)emza__cades_ats_hash_index_check(&ok, why, sizeof(why), &md, blob, l, s);
        emza__buf_free(&index);
        emza__buf_free(&input);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        CHECK(emza_init() == EMZA_OK);
        ready = 1;
    }
    if (size < 2)
        return 0;
    size_t blob_len = (size_t)data[0] << 8 | data[1];
    data += 2;
    size -= 2;
    if (blob_len > size)
        blob_len = size;
    emza_span blob = {data + size - blob_len, blob_len};
    size -= blob_len;

    emza__cades_layout *l = calloc(1, sizeof(*l));
    emza__cades_signer_layout *s = calloc(1, sizeof(*s));
    CHECK(l != NULL && s != NULL);
    if (emza__cades_layout_parse(l, data, size) == EMZA_OK) {
        exercise_signers(l, s, blob);
        emza_buf spliced, ocsp;
        emza__buf_init(&spliced, FUZZ_OUT_MAX);
        emza__buf_init(&ocsp, FUZZ_OUT_MAX);
        CHECK(emza__buf_append(&ocsp, blob.data, blob.len) == EMZA_OK);
        if (emza__cades_add_ocsp_values(&spliced, data, size, &ocsp, 1) == EMZA_OK) {
            emza__cades_layout *after = calloc(1, sizeof(*after));
            CHECK(after != NULL);
            CHECK(emza__cades_layout_parse(after, spliced.data, spliced.len) == EMZA_OK);
            CHECK(after->ocsp_count >= 1);
            free(after);
        }
        emza__buf_free(&ocsp);
        emza__buf_free(&spliced);
    }
    emza_error_clear();
    free(l);
    free(s);
    return 0;
}
