/*
 * Writing an output file atomically: bytes go to a temporary file beside the
 * destination; commit flushes it to disk and renames it into place (then
 * flushes the directory); abort removes it. A reader never sees a partial
 * file, and a failed write leaves the destination as it was.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_UTIL_ATOMIC_FILE_H
#define EMZA_UTIL_ATOMIC_FILE_H

#include <stddef.h>

typedef struct emza__atomic_file {
    int fd;
    char *tmp_path;
    char *final_path;
} emza__atomic_file;

/**
 * Prepares to write `path`: checks its directory is writable (EMZA_EIO
 * otherwise) but creates nothing yet. The temporary file (mode 0644 less the
 * umask) is created by the first write, so an operation cancelled or killed
 * before it writes leaves nothing behind.
 */
int emza__atomic_open(emza__atomic_file *f, const char *path);
int emza__atomic_write(emza__atomic_file *f, const void *data, size_t len);
/** fsync, rename over the destination, fsync the directory; the file is closed either way. */
int emza__atomic_commit(emza__atomic_file *f);
/** Closes and removes the temporary file; safe after commit and on a never-opened file. */
void emza__atomic_abort(emza__atomic_file *f);

#endif /* EMZA_UTIL_ATOMIC_FILE_H */
