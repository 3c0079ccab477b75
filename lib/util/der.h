/*
 * A minimal, bounded DER reader for the few structures OpenSSL does not
 * decode for us (e.g. ETSI QCStatements). Definite lengths only, single-byte
 * tags, lengths up to 4 bytes; anything else is EMZA_EFORMAT.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_UTIL_DER_H
#define EMZA_UTIL_DER_H

#include "util/buf.h"

#define EMZA_DER_SEQUENCE 0x30
#define EMZA_DER_OID 0x06
#define EMZA_DER_SET 0x31
#define EMZA_DER_OCTET_STRING 0x04
#define EMZA_DER_INTEGER 0x02

/** Reads one TLV; its tag goes to *tag, its contents to *content. */
int emza__der_next(emza_reader *r, uint8_t *tag, emza_span *content);

/** Reads one TLV that must carry `tag`. */
int emza__der_expect(emza_reader *r, uint8_t tag, emza_span *content);

/** Reads one TLV like emza__der_next and also returns the whole encoding (header included) in *whole. */
int emza__der_next_raw(emza_reader *r, uint8_t *tag, emza_span *content, emza_span *whole);

/** Appends a tag and a definite DER length. */
int emza__der_append_header(emza_buf *out, uint8_t tag, size_t len);

/** Appends a whole TLV. */
int emza__der_append_tlv(emza_buf *out, uint8_t tag, const void *content, size_t len);

/** 1 when the span holds exactly the encoded OID contents `oid` of `oid_len` bytes. */
int emza__der_oid_equals(emza_span content, const uint8_t *oid, size_t oid_len);

#endif /* EMZA_UTIL_DER_H */
