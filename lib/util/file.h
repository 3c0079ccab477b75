/*
 * Reading whole (small) files with a limit. Large documents are streamed by
 * their own modules; this is for certificates, keys, configuration.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_UTIL_FILE_H
#define EMZA_UTIL_FILE_H

#include "util/buf.h"

#include <sys/stat.h>

/**
 * Opens `path` for reading only if it is a regular file: opened non-blocking
 * (a FIFO or device without a writer never hangs us), checked with fstat,
 * then switched back to blocking reads. *out_fd and *out_st on success.
 * EMZA_EIO (with the reason) otherwise.
 */
int emza__open_regular(int *out_fd, struct stat *out_st, const char *path);

/**
 * Reads the regular file at `path` into `out` (initialised here; free with
 * emza__buf_free). EMZA_EIO if it cannot be opened or is not a regular file,
 * EMZA_ELIMIT if it is larger than `max` bytes.
 */
int emza__file_read(emza_buf *out, const char *path, size_t max);

#endif /* EMZA_UTIL_FILE_H */
