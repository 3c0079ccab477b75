/*
 * libFuzzer target over the XML signature verification path: arbitrary bytes
 * go through the safe parser, ID registration, structure checks, reference
 * resolution and transforms, canonicalization, key and certificate decoding
 * and the signature checks (lib/xades_verify.c, lib/xmldsig.c,
 * lib/xml_parse.c), exactly as emza_verify_file hands an XML file over. No
 * trust anchors and no detached data: nothing here can reach a file or the
 * network. Every report is walked and rendered, so a malformed entry shows up
 * as a sanitizer report too.
 *
 * Seeds: fuzz/corpora/xades/ (signatures made by emza and by xmlsec1, and
 * hostile documents).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "verify_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_verify(data, size, "fuzz.xml", emza__xades_verify);
}
