/*
 * ASiC containers (ETSI EN 319 162-1), internal: reading a container from
 * memory with libzip (never extracting to disk) under named limits, the
 * layout rules of ASiC-E and ASiC-S, and writing an ASiC-E container.
 *
 * Reading (emza__asic_open) accepts only a sound container:
 *   - a ZIP that libzip opens with its consistency checks, no encrypted entry;
 *   - at most EMZA_ASIC_ENTRIES_MAX entries, names of at most
 *     EMZA_ASIC_NAME_MAX bytes; each entry at most EMZA_ASIC_ENTRY_MAX bytes
 *     uncompressed, all together at most EMZA_ASIC_TOTAL_MAX, and an entry
 *     larger than EMZA_ASIC_RATIO_FLOOR at most EMZA_ASIC_RATIO_MAX times its
 *     compressed size (zip bombs). Sizes are those actually inflated, never
 *     only the declared ones;
 *   - entry names: not empty, not absolute, no backslash, no "." or ".."
 *     segment, no empty segment (except a directory entry's trailing '/'),
 *     no control character, none twice;
 *   - the first entry is "mimetype", stored (not compressed), holding exactly
 *     EMZA_ASIC_E_MIMETYPE or EMZA_ASIC_S_MIMETYPE;
 *   - ASiC-E: META-INF/manifest.xml (OpenDocument manifest, parsed with the
 *     hardened XML parser) whose "/" entry names the container's media type
 *     and whose other file entries are, one for one, the data entries (the
 *     entries outside META-INF/ other than mimetype and directories), each
 *     path obeying the name rules;
 *   - ASiC-S: exactly one data entry, at the root, and no manifest rule.
 * Anything else is EMZA_EFORMAT (or EMZA_ELIMIT past a limit) with the
 * reason in the error record: the caller reports it as FORMAT_FAILURE.
 *
 * Nothing here keeps global state: containers are independent, one per thread.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_ASIC_H
#define EMZA_ASIC_H

#include <stddef.h>
#include <stdint.h>

#include <emza/sign.h>
#include <emza/verify.h>

#include "util/buf.h"

#define EMZA_ASIC_E_MIMETYPE "application/vnd.etsi.asic-e+zip"
#define EMZA_ASIC_S_MIMETYPE "application/vnd.etsi.asic-s+zip"
#define EMZA_ASIC_MANIFEST "META-INF/manifest.xml"
#define EMZA_ASIC_TIMESTAMP "META-INF/timestamp.tst"
#define EMZA_ASIC_S_SIGNATURES "META-INF/signatures.xml"

/** Most entries (files and directories) in a container. */
#define EMZA_ASIC_ENTRIES_MAX 1024u
/** Longest entry name, in bytes. */
#define EMZA_ASIC_NAME_MAX 255u
/** Largest entry, uncompressed (bytes). */
#define EMZA_ASIC_ENTRY_MAX ((size_t)EMZA_SIGNED_FILE_MAX)
/** Largest signatures*.xml file emza writes into a container (the signature, certificates,
    revocation values). */
#define EMZA_ASIC_SIGNATURES_MAX ((size_t)16 * 1024 * 1024)
/** Largest sum of all entries, uncompressed (bytes). */
#define EMZA_ASIC_TOTAL_MAX ((size_t)EMZA_SIGNED_FILE_MAX)
/** Highest compression ratio (uncompressed / compressed) of an entry above EMZA_ASIC_RATIO_FLOOR. */
#define EMZA_ASIC_RATIO_MAX 100u
/** Entries up to this size (bytes) may have any ratio: small files of one repeated byte are common. */
#define EMZA_ASIC_RATIO_FLOOR ((size_t)1024 * 1024)

/** The limits a container is read under: the constants above, or smaller ones (tests). */
typedef struct emza__asic_limits {
    size_t entries;
    size_t name;
    size_t entry;
    size_t total;
    size_t ratio;
    size_t ratio_floor;
} emza__asic_limits;

#define EMZA__ASIC_LIMITS_DEFAULT                                                              \
    {EMZA_ASIC_ENTRIES_MAX, EMZA_ASIC_NAME_MAX,  EMZA_ASIC_ENTRY_MAX,                          \
     EMZA_ASIC_TOTAL_MAX,   EMZA_ASIC_RATIO_MAX, EMZA_ASIC_RATIO_FLOOR}

typedef enum emza__asic_kind {
    EMZA__ASIC_E = 1,
    EMZA__ASIC_S = 2,
} emza__asic_kind;

typedef struct emza__asic_entry {
    char *name;      /* as stored in the ZIP (UTF-8) */
    emza_buf data;   /* the inflated bytes (empty for a directory) */
    int is_dir;      /* the name ends with '/' */
    int is_data;     /* a data entry: outside META-INF/, not mimetype, not a directory */
    char *mime_type; /* ASiC-E: the manifest's media-type for a data entry, or NULL */
} emza__asic_entry;

/** A container read into memory. Released with emza__asic_free. */
typedef struct emza__asic {
    emza__asic_kind kind;
    emza__asic_entry *entries; /* in ZIP order */
    size_t count;
} emza__asic;

/**
 * Reads the ZIP bytes `data` (borrowed; `len` bytes) as an ASiC container
 * into `*out` under `limits` (NULL: the defaults), checking every rule of
 * this header's comment. Errors: EMZA_EFORMAT (not a sound container, the
 * reason in the error record; the kind is still set in `*out` when the
 * mimetype was read, else 0), EMZA_ELIMIT (a limit crossed), EMZA_ENOMEM.
 * On error `*out` holds no entries.
 */
int emza__asic_open(emza__asic *out, const uint8_t *data, size_t len,
                    const emza__asic_limits *limits);

/** Releases what `asic` holds and zeroes it; accepts a zeroed struct. */
void emza__asic_free(emza__asic *asic);

/** The entry named exactly `name`, or NULL (borrowed from `asic`). */
const emza__asic_entry *emza__asic_find(const emza__asic *asic, const char *name);

/**
 * An emza__resolve_bytes_fn (xmldsig.h) over the container `ctx` (an
 * emza__asic *): the bytes of the file entry named `path` (borrowed from
 * the container), or EMZA_ENOTFOUND.
 */
int emza__asic_resolve_entry(void *ctx, const char *path, emza_span *out);

/**
 * 1 when `name` is a legal entry name (the rules above; a trailing '/' is
 * allowed when `dir_ok`), 0 otherwise with the reason in `why` (may be NULL).
 */
int emza__asic_name_ok(const char *name, int dir_ok, const char **why);

/**
 * 1 when an entry of an ASiC-E container is a signature file
 * (META-INF/ then a name containing "signatures" and ending in ".xml").
 */
int emza__asic_is_signatures_xml(const char *name);

/** One data file to put in a container: its entry name and where its bytes come from. */
typedef struct emza__asic_data {
    const char *name;      /* entry name (emza__asic_name_ok) */
    const char *path;      /* the file read */
    const char *mime_type; /* manifest media-type */
} emza__asic_data;

/** An entry to put into a container being rewritten: `name` gets the bytes `data` (borrowed). */
typedef struct emza__asic_put {
    const char *name;
    const emza_buf *data;
} emza__asic_put;

/**
 * Rewrites the ZIP `zip` (`len` bytes, borrowed; already accepted by
 * emza__asic_open) into `out` (initialised by the caller, whose max bounds
 * the result): each put replaces the entry of its name, or is added after
 * the others when there is none, deflated. Every other entry keeps its
 * position and its stored bytes (libzip copies them without recompressing),
 * so "mimetype" stays first and stored and the other signatures stay
 * byte-identical. Errors: EMZA_ENOMEM (libzip could not assemble it),
 * EMZA_ELIMIT (larger than out's max).
 */
int emza__asic_rewrite(const uint8_t *zip, size_t len, const emza__asic_put *puts, size_t count,
                       emza_buf *out);

#endif /* EMZA_ASIC_H */
