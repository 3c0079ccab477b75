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

/* The directory part of `path` ("." when there is none), in a new string. */
static char *directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return concat(".", "");
    if (slash == path)
        return concat("/", "");
    char *dir = malloc((size_t)(slash - path) + 1);
    if (dir != NULL) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
    }
    return dir;
}

int emza__atomic_open(emza__atomic_file *f, const char *path)
{
    f->fd = -1;
    f->tmp_path = NULL;
    f->final_path = NULL;
    EMZA_ENSURE_MSG(path != NULL && path[0] != '\0', EMZA_EINVAL, "no output file given");
    /* Fail early when the output cannot be written, before any long work. */
    char *dir = directory_of(path);
    EMZA_ENSURE(dir != NULL, EMZA_ENOMEM);
    int writable = access(dir, W_OK | X_OK) == 0;
    int e = errno;
    free(dir);
    EMZA_ENSURE_MSG(writable, EMZA_EIO, "cannot write beside %s: %s", path, strerror(e));
    f->final_path = concat(path, "");
    EMZA_ENSURE(f->final_path != NULL, EMZA_ENOMEM);
    return EMZA_OK;
}

/* Creates the temporary file; done at the first write, so it lives only while bytes are written. */
static int create_temporary(emza__atomic_file *f)
{
    f->tmp_path = concat(f->final_path, ".emza-XXXXXX");
    EMZA_ENSURE(f->tmp_path != NULL, EMZA_ENOMEM);
    f->fd = mkstemp(f->tmp_path);
    if (f->fd < 0) {
        int e = errno;
        free(f->tmp_path);
        f->tmp_path = NULL;
        EMZA_FAIL(EMZA_EIO, "cannot create a file beside %s: %s", f->final_path, strerror(e));
    }
    /* mkstemp makes 0600; a signed document is an ordinary file. */
    mode_t mask = umask(0);
    umask(mask);
    EMZA_ENSURE_MSG(fchmod(f->fd, 0644 & ~mask) == 0, EMZA_EIO,
                    "cannot set the mode of the output: %s", strerror(errno));
    return EMZA_OK;
}

int emza__atomic_write(emza__atomic_file *f, const void *data, size_t len)
{
    const uint8_t *p = data;
    EMZA_ENSURE(f->final_path != NULL, EMZA_ESTATE);
    if (f->fd < 0)
        EMZA_GUARD(create_temporary(f));
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
    char *dir = directory_of(path);
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
    EMZA_ENSURE(f->final_path != NULL, EMZA_ESTATE);
    if (f->fd < 0)
        EMZA_GUARD(create_temporary(f)); /* an empty output */
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
