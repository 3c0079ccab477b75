/*
 * libemza — common definitions shared by every public header.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_COMMON_H
#define EMZA_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Marks a function exported from the shared library (everything else is hidden). */
#if defined(EMZA_BUILDING_LIBRARY) && defined(__GNUC__)
#define EMZA_EXTERN __attribute__((visibility("default")))
#else
#define EMZA_EXTERN
#endif

/** The compiler warns when the caller ignores the result (verification functions). */
#if defined(__GNUC__)
#define EMZA_WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#else
#define EMZA_WARN_UNUSED_RESULT
#endif

/**
 * Releases memory that a libemza function returned to the caller as a plain
 * buffer or string (each such function says so). Accepts NULL.
 */
EMZA_EXTERN void emza_free(void *ptr);

/**
 * Overwrites `len` bytes at `ptr` with zeros in a way the compiler cannot
 * optimise away: for passwords and PINs held by the caller. Accepts NULL.
 */
EMZA_EXTERN void emza_wipe(void *ptr, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_COMMON_H */
