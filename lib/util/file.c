/*
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/file.h"
#include "util/guard.h"

#define READ_CHUNK 65536

int emza__open_regular(int *out_fd, struct stat *out_st, const char *path)
{
    *out_fd = -1;
    EMZA_ENSURE_MSG(path != NULL && path[0] != '\0', EMZA_EINVAL, "no file name given");
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    EMZA_ENSURE_MSG(fd >= 0, EMZA_EIO, "cannot open %s: %s", path, strerror(errno));
    int flags;
    if (fstat(fd, out_st) != 0 || !S_ISREG(out_st->st_mode) || (flags = fcntl(fd, F_GETFL)) < 0 ||
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        int regular = S_ISREG(out_st->st_mode);
        close(fd);
        EMZA_FAIL(EMZA_EIO, regular ? "cannot read %s" : "%s is not a regular file", path);
    }
    *out_fd = fd;
    return EMZA_OK;
}

int emza__file_read(emza_buf *out, const char *path, size_t max)
{
    int rc = EMZA_OK;
    emza__buf_init(out, max);
    int fd;
    struct stat st;
    EMZA_GUARD(emza__open_regular(&fd, &st, path));
    EMZA_TRY_ENSURE((uintmax_t)st.st_size <= max, EMZA_ELIMIT,
                    "%s is larger than the limit of %zu bytes", path, max);

    uint8_t chunk[READ_CHUNK];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        EMZA_TRY_ENSURE(n >= 0, EMZA_EIO, "cannot read %s: %s", path, strerror(errno));
        if (n == 0)
            break;
        rc = emza__buf_append(out, chunk, (size_t)n);
        if (rc == EMZA_ELIMIT)
            rc = emza__error_set(EMZA_ELIMIT, __FILE__, __LINE__,
                                 "%s is larger than the limit of %zu bytes", path, max);
        if (rc < 0)
            goto cleanup;
    }
    rc = EMZA_OK;

cleanup:
    close(fd);
    if (rc < 0)
        emza__buf_free(out);
    return rc;
}
