/*
 * libemza — error model.
 *
 * Every fallible call returns an int: EMZA_OK (0) or a negative EMZA_E* code.
 * A signature or certificate that does not verify is a *verdict* reported in a
 * result object, never an error code. On failure, out-parameters are set to
 * NULL / zero (fail closed).
 *
 * The detail of the last failure on the calling thread is kept in a
 * thread-local record read with emza_error_last(). Each thread sees only its
 * own failures; the functions here are thread-safe.
 *
 * Codes are append-only and never renumbered (docs/ABI.md).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_ERROR_H
#define EMZA_ERROR_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EMZA_OK 0
#define EMZA_EINVAL (-1)       /**< an argument is invalid (NULL, out of range, bad syntax) */
#define EMZA_ENOMEM (-2)       /**< memory allocation failed */
#define EMZA_EIO (-3)          /**< a file could not be read or written */
#define EMZA_ELIMIT (-4)       /**< an input crosses one of the library's limits */
#define EMZA_EFORMAT (-5)      /**< input is malformed (bad PEM/DER/UTF-8, ...) */
#define EMZA_ECRYPTO (-6)      /**< the cryptographic library failed an operation */
#define EMZA_ENOTFOUND (-7)    /**< a requested item does not exist (file, certificate, entry) */
#define EMZA_EVERSION (-8)     /**< an options struct carries a version this library does not know */
#define EMZA_EUNSUPPORTED (-9) /**< a valid request this build does not support */
#define EMZA_ESTATE (-10)      /**< the object is in the wrong state for this call */
#define EMZA_EINTERNAL (-11)   /**< a bug in libemza; please report it */
#define EMZA_EPASSWORD (-12)   /**< a key or PKCS#12 file could not be opened with the password given */
#define EMZA_ENETWORK (-13)    /**< a network request failed, timed out, or network access is off */
#define EMZA_ECANCELED (-14)   /**< the caller cancelled the operation (progress callback) */
#define EMZA_EPIN (-15)        /**< a smart card or token refused the PIN (tries may remain) */
#define EMZA_EPIN_LOCKED (-16) /**< the PIN is locked (no tries left); unblock it with the PUK */
#define EMZA_EAUTH (-17)       /**< an authentication token was refused (auth.h says why) */

/** The detail of a failure. */
typedef struct emza_error {
    int code;            /**< the EMZA_E* code, EMZA_OK if nothing failed yet */
    const char *message; /**< one line in words, never NULL ("" when code is EMZA_OK) */
    const char *file;    /**< source file in debug builds, else NULL */
    int line;            /**< source line in debug builds, else 0 */
} emza_error;

/**
 * The last failure recorded on the calling thread. Never NULL. The record is
 * borrowed: it stays valid until the next libemza call on the same thread.
 */
EMZA_EXTERN const emza_error *emza_error_last(void);

/** Code of the last failure on this thread (for bindings), EMZA_OK if none. */
EMZA_EXTERN int emza_error_last_code(void);

/** Message of the last failure on this thread (for bindings); never NULL; borrowed as above. */
EMZA_EXTERN const char *emza_error_last_message(void);

/** Clears the calling thread's record. */
EMZA_EXTERN void emza_error_clear(void);

/** Symbolic name of a code ("EMZA_EINVAL"); "EMZA_E?" for an unknown code. Static storage. */
EMZA_EXTERN const char *emza_error_name(int code);

/** Short description of a code in words ("invalid argument"). Static storage. */
EMZA_EXTERN const char *emza_error_describe(int code);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_ERROR_H */
