/*
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/digest.h"
#include "util/file.h"
#include "util/guard.h"

int emza__digest_file(uint8_t *out, unsigned int *out_len, uint64_t *out_size, const char *path,
                      const EVP_MD *md, emza_progress_fn progress, void *progress_ctx)
{
    *out_len = 0;
    EMZA_ENSURE(path != NULL && md != NULL, EMZA_EINVAL);
    int rc = EMZA_OK;
    uint8_t *chunk = NULL;
    EVP_MD_CTX *ctx = NULL;
    int fd;
    struct stat st;
    EMZA_GUARD(emza__open_regular(&fd, &st, path));
#ifdef POSIX_FADV_SEQUENTIAL
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    chunk = malloc(EMZA_DIGEST_CHUNK);
    ctx = EVP_MD_CTX_new();
    EMZA_TRY_ENSURE(chunk != NULL && ctx != NULL, EMZA_ENOMEM, "out of memory");
    EMZA_TRY_OSSL(EVP_DigestInit_ex(ctx, md, NULL), EMZA_ECRYPTO, "cannot start a digest");
    uint64_t done = 0, total = (uint64_t)st.st_size;
    for (;;) {
        ssize_t n = read(fd, chunk, EMZA_DIGEST_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        EMZA_TRY_ENSURE(n >= 0, EMZA_EIO, "cannot read %s: %s", path, strerror(errno));
        if (n == 0)
            break;
        EMZA_TRY_OSSL(EVP_DigestUpdate(ctx, chunk, (size_t)n), EMZA_ECRYPTO, "digest failed");
        done += (uint64_t)n;
        EMZA_TRY_ENSURE(progress == NULL || progress(progress_ctx, done, total) == 0,
                        EMZA_ECANCELED, "cancelled while reading %s", path);
    }
    EMZA_TRY_OSSL(EVP_DigestFinal_ex(ctx, out, out_len), EMZA_ECRYPTO, "digest failed");
    if (out_size != NULL)
        *out_size = done;
cleanup:
    EVP_MD_CTX_free(ctx);
    free(chunk);
    close(fd);
    return rc;
}

int emza__digest_bytes(uint8_t *out, unsigned int *out_len, const void *data, size_t len,
                       const EVP_MD *md)
{
    *out_len = 0;
    EMZA_GUARD_OSSL(EVP_Digest(data, len, out, out_len, md, NULL), EMZA_ECRYPTO);
    return EMZA_OK;
}

int emza__digest_usable(const EVP_MD *md)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = md != NULL && ctx != NULL && EVP_DigestInit_ex(ctx, md, NULL) == 1;
    EVP_MD_CTX_free(ctx);
    emza__ossl_clear();
    return ok;
}

const EVP_MD *emza__digest_for_signing(const char *name)
{
    if (name == NULL || strcmp(name, "sha256") == 0)
        return EVP_sha256();
    if (strcmp(name, "sha384") == 0)
        return EVP_sha384();
    if (strcmp(name, "sha512") == 0)
        return EVP_sha512();
    return NULL;
}
