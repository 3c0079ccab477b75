/*
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic_file.h"
#include "util/guard.h"

static char *concat(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 1);
    if (s != NULL) {
        memcpy(s, a, la);
        memcpy(s + la, b, lb + 1);
    }
    return s;
}

int emza__atomic_open(emza__atomic_file *f, const char *path)
{
    f->fd = -1;
    f->tmp_path = NULL;
    f->final_path = NULL;
    EMZA_ENSURE_MSG(path != NULL && path[0] != '\0', EMZA_EINVAL, "no output file given");
    f->final_path = concat(path, "");
    f->tmp_path = concat(path, ".emza-XXXXXX");
    if (f->final_path == NULL || f->tmp_path == NULL) {
        emza__atomic_abort(f);
        EMZA_FAIL(EMZA_ENOMEM, "out of memory");
    }
    f->fd = mkstemp(f->tmp_path);
    if (f->fd < 0) {
        int e = errno;
        free(f->tmp_path);
        f->tmp_path = NULL;
        emza__atomic_abort(f);
        EMZA_FAIL(EMZA_EIO, "cannot create a file beside %s: %s", path, strerror(e));
    }
    /* mkstemp makes 0600; a signed document is an ordinary file. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(f->fd, 0644 & ~mask) != 0) {
        int e = errno;
        emza__atomic_abort(f);
        EMZA_FAIL(EMZA_EIO, "cannot set the mode of the output: %s", strerror(e));
    }
    return EMZA_OK;
}

int emza__atomic_write(emza__atomic_file *f, const void *data, size_t len)
{
    const uint8_t *p = data;
    EMZA_ENSURE(f->fd >= 0, EMZA_ESTATE);
    while (len > 0) {
        ssize_t n = write(f->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        EMZA_ENSURE_MSG(n > 0, EMZA_EIO, "cannot write %s: %s", f->final_path,
                        n < 0 ? strerror(errno) : "no space written");
        p += n;
        len -= (size_t)n;
    }
    return EMZA_OK;
}

static void fsync_directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = NULL;
    if (slash == NULL) {
        dir = concat(".", "");
    } else if (slash == path) {
        dir = concat("/", "");
    } else {
        dir = malloc((size_t)(slash - path) + 1);
        if (dir != NULL) {
            memcpy(dir, path, (size_t)(slash - path));
            dir[slash - path] = '\0';
        }
    }
    if (dir == NULL)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd); /* best effort: the rename already happened */
        close(fd);
    }
    free(dir);
}

int emza__atomic_commit(emza__atomic_file *f)
{
    EMZA_ENSURE(f->fd >= 0, EMZA_ESTATE);
    int rc = EMZA_OK;
    if (fsync(f->fd) != 0)
        rc = emza__error_set(EMZA_EIO, __FILE__, __LINE__, "cannot flush %s: %s", f->final_path,
                             strerror(errno));
    if (close(f->fd) != 0 && rc == EMZA_OK)
        rc = emza__error_set(EMZA_EIO, __FILE__, __LINE__, "cannot close %s: %s", f->final_path,
                             strerror(errno));
    f->fd = -1;
    if (rc == EMZA_OK && rename(f->tmp_path, f->final_path) != 0)
        rc = emza__error_set(EMZA_EIO, __FILE__, __LINE__, "cannot write %s: %s", f->final_path,
                             strerror(errno));
    if (rc == EMZA_OK) {
        fsync_directory_of(f->final_path);
        free(f->tmp_path);
        f->tmp_path = NULL; /* nothing left to remove */
    }
    emza__atomic_abort(f);
    return rc;
}

void emza__atomic_abort(emza__atomic_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    if (f->tmp_path != NULL)
        unlink(f->tmp_path);
    free(f->tmp_path);
    free(f->final_path);
    f->tmp_path = NULL;
    f->final_path = NULL;
}
