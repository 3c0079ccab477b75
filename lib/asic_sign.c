/*
 * Writing ASiC-E containers (asic.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "asic.h"
