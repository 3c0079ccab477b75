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
 * that: 20 characters of a NUL-terminated string, ASCII digits, upper-case
 * 'T' and 'Z' required, fields range-checked: year 0001..9999, month 01..12,
 * day within the month (Gregorian leap years), hour 00..23, minute and second
 * 00..59 (no leap second); no fractions, offsets or surrounding space).
 * Returns EMZA_OK, or EMZA_EINVAL with a reason naming what is wrong
 * (emza_error_last); *out is 0 on failure.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_time_parse(int64_t *out, const char *text);

/**
 * Writes `t` as "YYYY-MM-DDTHH:MM:SSZ" into `buf` (at least
 * EMZA_TIME_TEXT_SIZE bytes). EMZA_EINVAL if `buf` is NULL, `t` is outside
 * EMZA_TIME_MIN..EMZA_TIME_MAX or the buffer is too small; then `buf` holds
 * "" when it has room for it.
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
    int utc_offset_min; /**< Tehran's offset from UTC at that moment, in minutes: 210, or 270 in
                             former summer time (see emza_jalali_from_time for earlier years) */
} emza_jalali;

/**
 * Converts a UTC time to Asia/Tehran wall-clock time in the Solar Hijri
 * calendar.
 *
 * Calendar: Borkowski's arithmetic ("The Persian calendar for 3000 years",
 * 1996): 33-year leap cycles re-phased at a table of break years, made to
 * reproduce the astronomical calendar (the year starts on the day of the
 * March equinox at Tehran's meridian) and the Iranian civil calendar. It
 * covers Solar Hijri years -61..3177 (1 Farvardin -61 = 0560-03-20 ..
 * 29 Esfand 3177 = 3799-03-19); a time whose Tehran date falls outside is
 * EMZA_EINVAL.
 *
 * Offset: the IANA tz database's history of Asia/Tehran, built in: +03:30,
 * with summer time +04:30 in 1977, 1979, 1980, 1991..2005 and 2008..2022
 * (and +04:00/+05:00 in 1977-1978); none from 2023 on. Before 1935-06-13
 * Tehran kept local mean time, +03:25:44: the wall clock uses that exact
 * offset and utc_offset_min reports it truncated to 205.
 *
 * Errors: EMZA_EINVAL (NULL, or `t` out of range); *out is zeroed on failure.
 */
EMZA_EXTERN EMZA_WARN_UNUSED_RESULT int emza_jalali_from_time(emza_jalali *out, int64_t t);

/**
 * 1 when Solar Hijri `year` is a leap year (Esfand has 30 days), else 0
 * (also for a year outside -61..3177).
 */
EMZA_EXTERN int emza_jalali_is_leap(int year);

/** Persian month name in UTF-8 ("فروردین"), or NULL for a month outside 1..12. Static storage. */
EMZA_EXTERN const char *emza_jalali_month_name(int month);

/**
 * Writes "1405/09/01 13:30" (Tehran wall clock; ASCII digits; seconds and
 * offset are not shown) into `buf`, which needs at least
 * EMZA_JALALI_TEXT_SIZE bytes. Returns EMZA_OK, or EMZA_EINVAL for a NULL
 * argument, a smaller buffer, or a date that does not exist (year outside
 * -61..3177, month outside 1..12, day past the month's end, time of day out
 * of range); then `buf` holds "" when it has room for it.
 */
#define EMZA_JALALI_TEXT_SIZE 24
EMZA_EXTERN int emza_jalali_format(char *buf, size_t buf_size, const emza_jalali *date);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_DATETIME_H */
