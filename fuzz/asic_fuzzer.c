/*
 * libFuzzer target over the ASiC container verification path: arbitrary
 * bytes go through libzip from memory, the limits and entry-name rules, the
 * mimetype, the ODF manifest (lib/asic.c), and then the XAdES verification of
 * each signatures*.xml with references resolved to container entries, or the
 * ASiC-S timestamp token (lib/asic_verify.c), exactly as emza_verify_file
 * hands a ZIP over. A fixed validation time, offline, no trust anchors:
 * nothing here can reach a file or the network. Every report is walked and
 * rendered.
 *
 * Seeds: fuzz/corpora/asic/ (the libdigidocpp containers of
 * ../shared/vectors/asic-interop and containers made by `emza sign --format asice`).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "verify_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_verify(data, size, "fuzz.asice", emza__asic_verify);
}
