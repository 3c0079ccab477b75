/*
 * libemza — library initialisation and version.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_CORE_H
#define EMZA_CORE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Initialises the library (OpenSSL, libxml2). Idempotent and thread-safe: may
 * be called any number of times from any thread; every entry point that needs
 * it calls it, so calling it yourself only moves the cost to a moment of your
 * choice. Returns EMZA_OK or EMZA_ECRYPTO.
 */
EMZA_EXTERN int emza_init(void);

/** The library version, "MAJOR.MINOR.PATCH". Static storage. */
EMZA_EXTERN const char *emza_version_string(void);

/** The library version as a number: MAJOR * 10000 + MINOR * 100 + PATCH. */
EMZA_EXTERN unsigned int emza_version_number(void);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_CORE_H */
