/*
 * libemza — citizen identity verification and PKI signing and validation of
 * electronic documents. The umbrella header: include this one.
 *
 * Start with emza_init() (optional: every entry point calls it), and read
 * docs/ARCHITECTURE.md for how the modules fit together.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_EMZA_H
#define EMZA_EMZA_H

#include "common.h"
#include "error.h"
#include "core.h"
#include "id.h"
#include "text.h"
#include "datetime.h"
#include "indication.h"
#include "cert.h"
#include "trust.h"
#include "report.h"
#include "transport.h"
#include "signer.h"
#include "sign.h"
#include "verify.h"
#include "extend.h"

#endif /* EMZA_EMZA_H */
