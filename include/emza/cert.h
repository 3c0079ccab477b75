/*
 * libemza — X.509 certificates and the identity they carry.
 *
 * An emza_cert is immutable after parsing and reference-counted: it may be
 * shared between threads and kept with emza_cert_dup(). Every string a getter
 * returns is UTF-8, NUL-terminated, and borrowed from the certificate: valid
 * until the last reference is freed. A getter returns NULL when the item is
 * absent.
 *
 * Names are decoded from UTF8String, PrintableString, IA5String,
 * BMPString (UCS-2), UniversalString and T61String (read as Latin-1, as
 * OpenSSL and most software do).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_CERT_H
#define EMZA_CERT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest DER certificate accepted (bytes). */
#define EMZA_CERT_DER_MAX (256 * 1024)
/** Largest certificate file or bundle read from disk or memory (bytes). */
#define EMZA_CERT_FILE_MAX (16 * 1024 * 1024)
/** Largest single subject attribute (bytes of UTF-8); a longer one is EMZA_ELIMIT. */
#define EMZA_CERT_ATTRIBUTE_MAX 1024
/** Most certificates one emza_cert_list holds, however filled. */
#define EMZA_CERT_LIST_MAX 4096

typedef struct emza_cert emza_cert;

/**
 * Parses one certificate from `len` bytes of PEM or DER (detected). For PEM
 * the first CERTIFICATE block is taken. `*out` is the caller's, released with
 * emza_cert_free(). Errors: EMZA_EINVAL, EMZA_EFORMAT (not a certificate,
 * trailing bytes after DER), EMZA_ELIMIT, EMZA_ENOMEM; `*out` NULL then.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_cert_parse(emza_cert **out, const void *data, size_t len);

/** As emza_cert_parse, from a file. EMZA_EIO when it cannot be read. */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_cert_load(emza_cert **out, const char *path);

/** A new reference to the same certificate (never fails for a non-NULL cert). */
EMZA_EXTERN emza_cert *emza_cert_dup(const emza_cert *cert);

/** Drops a reference; accepts NULL. */
EMZA_EXTERN void emza_cert_free(emza_cert *cert);

/* --- names (borrowed strings) --- */

/** Subject as one line, RFC 2253 order ("CN=...,O=...,C=IR"), UTF-8 unescaped. */
EMZA_EXTERN const char *emza_cert_subject(const emza_cert *cert);
/** Issuer as one line, like emza_cert_subject. */
EMZA_EXTERN const char *emza_cert_issuer(const emza_cert *cert);
EMZA_EXTERN const char *emza_cert_common_name(const emza_cert *cert);
EMZA_EXTERN const char *emza_cert_given_name(const emza_cert *cert);
EMZA_EXTERN const char *emza_cert_surname(const emza_cert *cert);
EMZA_EXTERN const char *emza_cert_organization(const emza_cert *cert);
EMZA_EXTERN const char *emza_cert_country(const emza_cert *cert);
/** The subject's serialNumber attribute as written (e.g. "PNOIR-0499370899"). */
EMZA_EXTERN const char *emza_cert_subject_serial_number(const emza_cert *cert);
/** The subject's organizationIdentifier attribute as written (e.g. "NTRIR-10380284790"). */
EMZA_EXTERN const char *emza_cert_organization_identifier(const emza_cert *cert);

/**
 * The checksum-valid 10-digit national code from the subject's serialNumber,
 * plain ("0499370899") or with the ETSI EN 319 412-1 prefix "PNOIR-"
 * (also "IDCIR-"); Persian digits are normalised to ASCII. NULL otherwise.
 */
EMZA_EXTERN const char *emza_cert_national_code(const emza_cert *cert);

/**
 * The checksum-valid 11-digit legal-entity id from organizationIdentifier
 * ("NTRIR-10380284790" or plain) or else from serialNumber; NULL otherwise.
 */
EMZA_EXTERN const char *emza_cert_legal_id(const emza_cert *cert);

/* --- technical facts --- */

/** Serial number in upper-case hex. */
EMZA_EXTERN const char *emza_cert_serial_hex(const emza_cert *cert);
EMZA_EXTERN int64_t emza_cert_not_before(const emza_cert *cert);
EMZA_EXTERN int64_t emza_cert_not_after(const emza_cert *cert);
/** SHA-256 of the DER encoding: 32 bytes, borrowed. */
EMZA_EXTERN const uint8_t *emza_cert_sha256(const emza_cert *cert);
/** The same as 64 lower-case hex digits. */
EMZA_EXTERN const char *emza_cert_sha256_hex(const emza_cert *cert);
/** The DER encoding, borrowed; its length goes to *out_len. */
EMZA_EXTERN const uint8_t *emza_cert_der(const emza_cert *cert, size_t *out_len);

/** Public key: "rsa", "ec", "ed25519", "ed448", "dsa" or "unknown". */
EMZA_EXTERN const char *emza_cert_key_algorithm(const emza_cert *cert);
/** Key size in bits (RSA modulus, EC field size). */
EMZA_EXTERN unsigned int emza_cert_key_bits(const emza_cert *cert);
/** Signature algorithm in the report's spelling ("rsa-sha256", "ecdsa-sha384", "rsa-pss-sha256", "rsa-sha1", ...). */
EMZA_EXTERN const char *emza_cert_signature_algorithm(const emza_cert *cert);

/** 1 when basicConstraints says CA:TRUE. */
EMZA_EXTERN int emza_cert_is_ca(const emza_cert *cert);
/** 1 when subject equals issuer and the certificate's own key verifies its signature. */
EMZA_EXTERN int emza_cert_is_self_signed(const emza_cert *cert);

/* keyUsage bits (RFC 5280 names) */
#define EMZA_KU_DIGITAL_SIGNATURE 0x0001u
#define EMZA_KU_NON_REPUDIATION 0x0002u /**< contentCommitment */
#define EMZA_KU_KEY_ENCIPHERMENT 0x0004u
#define EMZA_KU_DATA_ENCIPHERMENT 0x0008u
#define EMZA_KU_KEY_AGREEMENT 0x0010u
#define EMZA_KU_KEY_CERT_SIGN 0x0020u
#define EMZA_KU_CRL_SIGN 0x0040u
#define EMZA_KU_ENCIPHER_ONLY 0x0080u
#define EMZA_KU_DECIPHER_ONLY 0x0100u

/** 1 when the certificate has a keyUsage extension. */
EMZA_EXTERN int emza_cert_has_key_usage(const emza_cert *cert);
/** EMZA_KU_* bits (0 when there is no extension). */
EMZA_EXTERN unsigned int emza_cert_key_usage(const emza_cert *cert);

/* extendedKeyUsage bits */
#define EMZA_EKU_SERVER_AUTH 0x0001u
#define EMZA_EKU_CLIENT_AUTH 0x0002u
#define EMZA_EKU_CODE_SIGNING 0x0004u
#define EMZA_EKU_EMAIL_PROTECTION 0x0008u
#define EMZA_EKU_TIME_STAMPING 0x0010u
#define EMZA_EKU_OCSP_SIGNING 0x0020u
#define EMZA_EKU_ANY 0x0040u
#define EMZA_EKU_DOCUMENT_SIGNING 0x0080u /**< 1.3.6.1.5.5.7.3.36 */
#define EMZA_EKU_OTHER 0x8000u /**< at least one purpose not listed above */

/** 1 when the certificate has an extendedKeyUsage extension. */
EMZA_EXTERN int emza_cert_has_ext_key_usage(const emza_cert *cert);
/** EMZA_EKU_* bits (0 when there is no extension). */
EMZA_EXTERN unsigned int emza_cert_ext_key_usage(const emza_cert *cert);

/** Number of certificatePolicies entries. */
EMZA_EXTERN size_t emza_cert_policy_count(const emza_cert *cert);
/** Dotted OID of policy `index` (0-based), NULL when out of range. */
EMZA_EXTERN const char *emza_cert_policy_oid(const emza_cert *cert, size_t index);

/* ETSI EN 319 412-5 QCStatements */
#define EMZA_QC_COMPLIANCE 0x0001u  /**< id-etsi-qcs-QcCompliance */
#define EMZA_QC_SSCD 0x0002u        /**< id-etsi-qcs-QcSSCD: key in a qualified device */
#define EMZA_QC_TYPE_ESIGN 0x0004u  /**< QcType id-etsi-qct-esign */
#define EMZA_QC_TYPE_ESEAL 0x0008u  /**< QcType id-etsi-qct-eseal */
#define EMZA_QC_TYPE_WEB 0x0010u    /**< QcType id-etsi-qct-web */

/** 1 when the certificate has a qcStatements extension. */
EMZA_EXTERN int emza_cert_has_qc_statements(const emza_cert *cert);
/** EMZA_QC_* bits. */
EMZA_EXTERN unsigned int emza_cert_qc_statements(const emza_cert *cert);

/** Number of OCSP responder URLs in authorityInfoAccess. */
EMZA_EXTERN size_t emza_cert_ocsp_url_count(const emza_cert *cert);
EMZA_EXTERN const char *emza_cert_ocsp_url(const emza_cert *cert, size_t index);
/** Number of URI CRL distribution points. */
EMZA_EXTERN size_t emza_cert_crl_url_count(const emza_cert *cert);
EMZA_EXTERN const char *emza_cert_crl_url(const emza_cert *cert, size_t index);

/* --- lists of certificates (bundles, directories) --- */

/**
 * An ordered list of certificates, filled from files, directories or memory.
 * Not thread-safe while being filled; read-only use may be shared.
 */
typedef struct emza_cert_list emza_cert_list;

EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_cert_list_new(emza_cert_list **out);
EMZA_EXTERN void emza_cert_list_free(emza_cert_list *list);

/** Appends a new reference to `cert`. EMZA_ELIMIT past EMZA_CERT_LIST_MAX. */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_cert_list_add(emza_cert_list *list, const emza_cert *cert);

/**
 * Appends every certificate in `len` bytes: a PEM bundle (all CERTIFICATE
 * blocks; other blocks ignored) or one DER certificate. EMZA_EFORMAT when
 * the bytes hold no certificate.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_cert_list_add_data(emza_cert_list *list, const void *data, size_t len);

/**
 * Appends from a path: a PEM bundle, a DER file, or a directory whose regular
 * files (not recursing, hidden files skipped, in name order) are each a PEM
 * bundle or DER certificate. In a directory, files that hold no certificate
 * are an error too (EMZA_EFORMAT naming the file): a trust directory with
 * junk in it is a mistake worth hearing about.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_cert_list_add_path(emza_cert_list *list, const char *path);

EMZA_EXTERN size_t emza_cert_list_count(const emza_cert_list *list);
/** Borrowed; NULL when out of range. */
EMZA_EXTERN const emza_cert *emza_cert_list_get(const emza_cert_list *list, size_t index);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_CERT_H */
