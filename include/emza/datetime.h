/*
 * libemza — time values, ISO 8601 text and the Solar Hijri (Jalali) calendar.
 *
 * Times are `int64_t` seconds since 1970-01-01T00:00:00Z (Unix time, no leap
 * seconds). Every function is thread-safe and independent of the process's
 * locale and TZ: the Asia/Tehran offset is computed by the library's own rules.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_DATETIME_H
#define EMZA_DATETIME_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes needed for emza_time_format's output including the NUL ("2026-01-01T00:00:00Z"). */
#define EMZA_TIME_TEXT_SIZE 21

/** Earliest and latest times the functions here accept (0001-01-01 .. 9999-12-31T23:59:59Z). */
#define EMZA_TIME_MIN INT64_C(-62135596800)
#define EMZA_TIME_MAX INT64_C(253402300799)

/**
 * Parses an ISO 8601 UTC time in the form "YYYY-MM-DDTHH:MM:SSZ" (exactly
 * that: 20 characters, the 'T' and 'Z' required, fields range-checked, no
 * fractions or offsets). Returns EMZA_OK, or EMZA_EINVAL with a reason
 * naming what is wrong; *out is 0 on failure.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_time_parse(int64_t *out, const char *text);

/**
 * Writes `t` as "YYYY-MM-DDTHH:MM:SSZ" into `buf` (at least
 * EMZA_TIME_TEXT_SIZE bytes). EMZA_EINVAL if `t` is outside
 * EMZA_TIME_MIN..EMZA_TIME_MAX or the buffer is too small.
 */
EMZA_EXTERN int emza_time_format(char *buf, size_t buf_size, int64_t t);

/** A date and wall-clock time in the Solar Hijri calendar, Asia/Tehran. */
typedef struct emza_jalali {
    int year;           /**< e.g. 1405 */
    int month;          /**< 1 (Farvardin) .. 12 (Esfand) */
    int day;            /**< 1 .. 31 */
    int hour;           /**< 0 .. 23, Tehran wall clock */
    int minute;         /**< 0 .. 59 */
    int second;         /**< 0 .. 59 */
    int utc_offset_min; /**< Tehran's offset from UTC at that moment: 210, or 270 in former summer time */
} emza_jalali;

/**
 * Converts a UTC time to Asia/Tehran wall-clock time in the Solar Hijri
 * calendar. The calendar is the arithmetic 33-year-cycle approximation used
 * by the Iranian civil calendar tables for 1178..1633 AP (1799..2254 CE);
 * outside that range EMZA_EINVAL.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_jalali_from_time(emza_jalali *out, int64_t t);

/** 1 when Solar Hijri `year` is a leap year (Esfand has 30 days), else 0. */
EMZA_EXTERN int emza_jalali_is_leap(int year);

/** Persian month name in UTF-8 ("فروردین"), or NULL for a month outside 1..12. Static storage. */
EMZA_EXTERN const char *emza_jalali_month_name(int month);

/**
 * Writes "1405/09/01 13:30" (Tehran wall clock; ASCII digits) into `buf`,
 * which needs at least EMZA_JALALI_TEXT_SIZE bytes.
 */
#define EMZA_JALALI_TEXT_SIZE 24
EMZA_EXTERN int emza_jalali_format(char *buf, size_t buf_size, const emza_jalali *date);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_DATETIME_H */
