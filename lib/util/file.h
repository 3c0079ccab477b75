/*
 * Reading whole (small) files with a limit. Large documents are streamed by
 * their own modules; this is for certificates, keys, configuration.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_UTIL_FILE_H
#define EMZA_UTIL_FILE_H

#include "util/buf.h"

/**
 * Reads the regular file at `path` into `out` (initialised here; free with
 * emza__buf_free). EMZA_EIO if it cannot be opened or is not a regular file,
 * EMZA_ELIMIT if it is larger than `max` bytes.
 */
int emza__file_read(emza_buf *out, const char *path, size_t max);

#endif /* EMZA_UTIL_FILE_H */
