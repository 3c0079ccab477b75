/*
 * Time values, ISO 8601 text, the Asia/Tehran offset and the Solar Hijri
 * (Jalali) calendar. The contract is in include/emza/datetime.h.
 *
 * Nothing here reads the process's TZ or locale, and nothing calls timegm,
 * gmtime, mktime or strptime: days are counted with integer arithmetic, so
 * every function is thread-safe and gives the same answer on every machine.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>

#include <emza/datetime.h>

#include "util/guard.h"

#define SECONDS_PER_DAY INT64_C(86400)

/* ------------------------------------------------------------------------ */
/* Proleptic Gregorian calendar                                               */
/* ------------------------------------------------------------------------ */

/*
 * Days are counted in years that begin on 1 March, so that the leap day is
 * the last day of its year and the month lengths before it never depend on
 * the year. march_month_start[k] is the day of that year on which month k
 * begins (k = 0 for March .. 11 for February).
 */
static const int march_month_start[13] = {0,   31,  61,  92,  122, 153, 184,
                                          214, 245, 275, 306, 337, 366};

#define DAYS_PER_400_YEARS 146097 /* 400 * 365 + 97 leap days */
#define DAYS_PER_100_YEARS 36524  /* a century of March years without its 400th leap day */
#define DAYS_PER_4_YEARS 1461
#define DAYS_0000_03_01_TO_1970_01_01 INT64_C(719468)

/* Floor division for b > 0 (C's `/` truncates toward zero). */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

static int gregorian_is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int gregorian_month_days(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && gregorian_is_leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d (month 1..12, day 1..31; any year). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t year = m <= 2 ? y - 1 : y; /* the March year holding the date */
    int k = m <= 2 ? m + 9 : m - 3;    /* month of the March year, 0 = March */
    int64_t days_before_year = 365 * year + floor_div(year, 4) - floor_div(year, 100) +
                               floor_div(year, 400);
    return days_before_year + march_month_start[k] + (d - 1) - DAYS_0000_03_01_TO_1970_01_01;
}

/* The inverse of days_from_civil. */
static void civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
    int64_t z = days + DAYS_0000_03_01_TO_1970_01_01; /* days since 0000-03-01 */
    int64_t era = floor_div(z, DAYS_PER_400_YEARS);
    int64_t rest = z - era * DAYS_PER_400_YEARS; /* 0 .. 146096 */

    /* Centuries 0..2 of an era have 36524 days, century 3 one more (its last day is 29 Feb). */
    int64_t century = rest / DAYS_PER_100_YEARS;
    if (century > 3)
        century = 3;
    rest -= century * DAYS_PER_100_YEARS;
    /* Four-year groups of 1461 days (the last group of centuries 0..2 has 1460). */
    int64_t group = rest / DAYS_PER_4_YEARS;
    rest -= group * DAYS_PER_4_YEARS;
    /* Years of 365 days; the 1461st day of a group belongs to its fourth year. */
    int64_t year_in_group = rest / 365;
    if (year_in_group > 3)
        year_in_group = 3;
    rest -= year_in_group * 365; /* day of the March year, 0 .. 365 */

    int64_t year = era * 400 + century * 100 + group * 4 + year_in_group;
    int k = 0;
    while (rest >= march_month_start[k + 1])
        k++;
    *d = (int)(rest - march_month_start[k]) + 1;
    *m = k < 10 ? k + 3 : k - 9;
    *y = *m <= 2 ? year + 1 : year;
}

/* ------------------------------------------------------------------------ */
/* ISO 8601 text                                                              */
/* ------------------------------------------------------------------------ */

static int two_digits(const char *p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}

int emza_time_parse(int64_t *out, const char *text)
{
    /* D marks a digit; every other character must be there exactly. */
    static const char pattern[] = "DDDD-DD-DDTDD:DD:DDZ";
    static const char *const field_names[] = {"year",  "year",  "year",   "year", "",
                                              "month", "month", "",       "day",  "day",
                                              "",      "hour",  "hour",   "",     "minute",
                                              "minute", "",     "second", "second", ""};
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = 0;
    EMZA_ENSURE(text != NULL, EMZA_EINVAL);

    for (size_t i = 0; i < sizeof(pattern) - 1; i++) {
        char c = text[i];
        if (c == '\0')
            EMZA_FAIL(EMZA_EINVAL,
                      "time \"%s\" is too short: expected YYYY-MM-DDTHH:MM:SSZ (20 characters)",
                      text);
        if (pattern[i] == 'D') {
            EMZA_ENSURE_MSG(c >= '0' && c <= '9', EMZA_EINVAL,
                            "time is not YYYY-MM-DDTHH:MM:SSZ: expected a digit of the %s at "
                            "position %zu",
                            field_names[i], i + 1);
        } else {
            EMZA_ENSURE_MSG(c == pattern[i], EMZA_EINVAL,
                            "time is not YYYY-MM-DDTHH:MM:SSZ: expected '%c' at position %zu",
                            pattern[i], i + 1);
        }
    }
    EMZA_ENSURE_MSG(text[sizeof(pattern) - 1] == '\0', EMZA_EINVAL,
                    "time is not YYYY-MM-DDTHH:MM:SSZ: characters follow the 'Z'");

    int year = two_digits(text) * 100 + two_digits(text + 2);
    int month = two_digits(text + 5);
    int day = two_digits(text + 8);
    int hour = two_digits(text + 11);
    int minute = two_digits(text + 14);
    int second = two_digits(text + 17);
    EMZA_ENSURE_MSG(year >= 1, EMZA_EINVAL, "year 0000 is out of range (0001..9999)");
    EMZA_ENSURE_MSG(month >= 1 && month <= 12, EMZA_EINVAL, "month %02d is out of range (01..12)",
                    month);
    int month_days = gregorian_month_days(year, month);
    EMZA_ENSURE_MSG(day >= 1 && day <= month_days, EMZA_EINVAL,
                    "day %02d is out of range for %04d-%02d (01..%02d)", day, year, month,
                    month_days);
    EMZA_ENSURE_MSG(hour <= 23, EMZA_EINVAL, "hour %02d is out of range (00..23)", hour);
    EMZA_ENSURE_MSG(minute <= 59, EMZA_EINVAL, "minute %02d is out of range (00..59)", minute);
    EMZA_ENSURE_MSG(second <= 59, EMZA_EINVAL, "second %02d is out of range (00..59)", second);

    *out = days_from_civil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 +
           second;
    return EMZA_OK;
}

int emza_time_format(char *buf, size_t buf_size, int64_t t)
{
    EMZA_ENSURE(buf != NULL, EMZA_EINVAL);
    if (buf_size > 0)
        buf[0] = '\0';
    EMZA_ENSURE_MSG(buf_size >= EMZA_TIME_TEXT_SIZE, EMZA_EINVAL,
                    "time buffer of %zu bytes is smaller than %d", buf_size, EMZA_TIME_TEXT_SIZE);
    EMZA_ENSURE_MSG(t >= EMZA_TIME_MIN && t <= EMZA_TIME_MAX, EMZA_EINVAL,
                    "time %lld is outside 0001-01-01T00:00:00Z..9999-12-31T23:59:59Z",
                    (long long)t);
    int64_t days = floor_div(t, SECONDS_PER_DAY);
    int64_t secs = t - days * SECONDS_PER_DAY;
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, buf_size, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, m, d, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60));
    return EMZA_OK;
}

/* ------------------------------------------------------------------------ */
/* Solar Hijri calendar                                                       */
/* ------------------------------------------------------------------------ */

/*
 * Borkowski's arithmetic ("The Persian calendar for 3000 years", Earth, Moon
 * and Planets 74, 1996). Between two consecutive "break years" of the table
 * below, leap years repeat with a 33-year period: the years at offsets 0, 4,
 * 8, ..., 28 from the segment's start (eight in 33, then a five-year gap).
 * The break years are where that pattern has to be re-phased to keep the
 * year starting on the day of the March equinox as seen at Tehran's
 * meridian (52.5 E), which is what the civil calendar follows. Near the end
 * of a segment the offsets are counted back from the segment's end instead,
 * so the five years before a break keep the pattern the next segment
 * expects.
 *
 * The table covers Jalali years -61 .. 3177 (March 560 .. March 3799 CE).
 * Checked during development: every year's length equals the distance
 * between consecutive Nowruz days over the whole range, the leap years
 * agree with ICU 72's Persian calendar for 1178..1633, and every Tehran
 * date from 1900 to 2040 (every 15 minutes) agrees with ICU and glibc.
 */
static const int jalali_breaks[] = {-61,  9,    38,   199,  426,  686,  756,
                                    818,  1111, 1181, 1210, 1635, 2060, 2097,
                                    2192, 2262, 2324, 2394, 2456, 3178};
#define JALALI_YEAR_MIN (-61)
#define JALALI_YEAR_MAX 3177

/* Leap years among the first `n` years (offsets 0 .. n-1) of the 33-year pattern. */
static int pattern_leaps_before(int n)
{
    return 8 * (n / 33) + (n % 33 + 3) / 4;
}

/*
 * For a Jalali year in range: whether it is a leap year, and the day number
 * (days since 1970-01-01) of its first day, 1 Farvardin. Returns 0, or -1
 * for a year outside JALALI_YEAR_MIN..JALALI_YEAR_MAX.
 */
static int jalali_year(int jy, int *is_leap, int64_t *nowruz)
{
    if (jy < JALALI_YEAR_MIN || jy > JALALI_YEAR_MAX)
        return -1;

    /*
     * Count the Jalali leap years up to jy; the count is kept with an offset
     * of -14 that, combined with the Gregorian count below, puts 1 Farvardin
     * on the right day of March.
     */
    int jalali_leaps = -14;
    int seg_start = jalali_breaks[0];
    int seg_len = 0;
    for (size_t k = 1; k < EMZA_ARRAY_LEN(jalali_breaks); k++) {
        seg_len = jalali_breaks[k] - seg_start;
        if (jy < jalali_breaks[k])
            break;
        /* A whole segment: eight per 33 years, then one per full four years of the remainder. */
        jalali_leaps += 8 * (seg_len / 33) + (seg_len % 33) / 4;
        seg_start = jalali_breaks[k];
    }
    int n = jy - seg_start; /* offset of jy in its segment, 0 .. seg_len-1 */
    jalali_leaps += pattern_leaps_before(n);
    /* A segment with 4 years over whole cycles has a leap year in its last four the pattern misses. */
    if (seg_len % 33 == 4 && seg_len - n == 4)
        jalali_leaps++;

    /* Gregorian leap days up to the same March, with the offset that matches the one above. */
    int gy = jy + 621; /* the Gregorian year in which jy begins; >= 560 */
    int gregorian_leaps = gy / 4 - (gy / 100 + 1) * 3 / 4 - 150;
    int march_day = 20 + jalali_leaps - gregorian_leaps;

    /* Leap or not: in the last five years of a segment, count from the segment's end. */
    if (seg_len - n < 6)
        n = n - seg_len + (seg_len + 4) / 33 * 33;
    int phase = n % 33; /* n >= 0 here: every segment is longer than 5 years */
    *is_leap = phase % 4 == 0 && phase != 32;
    *nowruz = days_from_civil(gy, 3, march_day);
    return 0;
}

static int jalali_month_days(int month, int is_leap)
{
    if (month <= 6)
        return 31;
    if (month <= 11)
        return 30;
    return is_leap ? 30 : 29;
}

/*
 * The Jalali date of a day number: year, 0-based day of the year, month and
 * day. Returns 0, or -1 outside the years the break table covers.
 */
static int jalali_from_days(int64_t days, int *jy, int *doy, int *jm, int *jd)
{
    int64_t gy;
    int gm, gd;
    civil_from_days(days, &gy, &gm, &gd);
    if (gy - 621 < JALALI_YEAR_MIN || gy - 621 > JALALI_YEAR_MAX + 1)
        return -1;
    int y = (int)(gy - 621); /* the Jalali year that begins in March of gy */
    if (y > JALALI_YEAR_MAX)
        y = JALALI_YEAR_MAX; /* days before 1 Farvardin 3178 are still in range */
    int is_leap;
    int64_t nowruz;
    if (jalali_year(y, &is_leap, &nowruz) < 0)
        return -1;
    if (days < nowruz && jalali_year(--y, &is_leap, &nowruz) < 0)
        return -1;
    int64_t k = days - nowruz;
    if (k < 0 || k >= 365 + is_leap)
        return -1;
    *jy = y;
    *doy = (int)k;
    if (k < 186) { /* six months of 31 days */
        *jm = (int)(k / 31) + 1;
        *jd = (int)(k % 31) + 1;
    } else { /* then 30-day months, Esfand 29 or 30 */
        *jm = (int)((k - 186) / 30) + 7;
        *jd = (int)((k - 186) % 30) + 1;
    }
    return 0;
}

int emza_jalali_is_leap(int year)
{
    int is_leap;
    int64_t nowruz;
    return jalali_year(year, &is_leap, &nowruz) == 0 && is_leap;
}

/* ------------------------------------------------------------------------ */
/* Asia/Tehran                                                                */
/* ------------------------------------------------------------------------ */

#define TEHRAN_LMT 12344      /* +03:25:44, Tehran mean time, until 1935 */
#define TEHRAN_STANDARD 12600 /* +03:30 */
#define TEHRAN_SUMMER 16200   /* +04:30 */

/*
 * The IANA tz database's Asia/Tehran, as `zdump -v Asia/Tehran` prints it
 * (tzdata 2025b), in two parts.
 *
 * 1. Every change before 1992, as the UTC instant and the offset that
 *    starts then. Before the first, local mean time +03:25:44.
 */
static const struct {
    int16_t year;
    int8_t month, day, hour, minute, second;
    int32_t offset; /* seconds east of UTC from this instant on */
} tehran_changes[] = {
    {1935, 6, 12, 20, 34, 16, TEHRAN_STANDARD}, /* +03:30 standard time */
    {1977, 3, 21, 19, 30, 0, TEHRAN_SUMMER},
    {1977, 10, 20, 19, 30, 0, 14400}, /* +04:00 standard time */
    {1978, 3, 24, 20, 0, 0, 18000},   /* +05:00 summer time */
    {1978, 8, 4, 20, 0, 0, 14400},
    {1978, 11, 10, 20, 0, 0, TEHRAN_STANDARD}, /* back to +03:30 */
    {1979, 5, 26, 20, 30, 0, TEHRAN_SUMMER},
    {1979, 9, 18, 19, 30, 0, TEHRAN_STANDARD},
    {1980, 3, 20, 20, 30, 0, TEHRAN_SUMMER},
    {1980, 9, 22, 19, 30, 0, TEHRAN_STANDARD},
    /* 1981..1990: no summer time */
    {1991, 5, 2, 20, 30, 0, TEHRAN_SUMMER},
    {1991, 9, 21, 19, 30, 0, TEHRAN_STANDARD},
};

/*
 * 2. From 1992 a rule in the Jalali calendar, as the law set it: summer
 *    time from 24:00 on 1 Farvardin to 24:00 on 30 Shahrivar, both in the
 *    wall-clock time of that moment (so it starts at 00:00 +03:30 on
 *    2 Farvardin and ends at 00:00 +04:30 on 31 Shahrivar, which is 23:00
 *    +03:30 on 30 Shahrivar), in the years 1371..1384 and 1387..1401
 *    (1992..2005 and 2008..2022). None in 1385-1386 (2006-2007), and
 *    summer time was abolished from 1402 (2023) on.
 */
static int tehran_summer_year(int jy)
{
    return (jy >= 1371 && jy <= 1384) || (jy >= 1387 && jy <= 1401);
}

/* Day of the Jalali year (0-based) on which the summer-time period starts and ends. */
#define SUMMER_START_DOY 1  /* 2 Farvardin, 00:00 standard time */
#define SUMMER_END_DOY 184  /* 30 Shahrivar, at 23:00 standard time */
#define SUMMER_END_SECOND (23 * 3600)

static int64_t utc_instant(int64_t y, int mo, int d, int h, int mi, int s)
{
    return days_from_civil(y, mo, d) * SECONDS_PER_DAY + h * 3600 + mi * 60 + s;
}

/* Tehran's offset from UTC, in seconds, at UTC instant `t` (any t in EMZA_TIME_MIN..MAX). */
static int tehran_offset(int64_t t)
{
    int offset = TEHRAN_LMT;
    for (size_t i = 0; i < EMZA_ARRAY_LEN(tehran_changes); i++) {
        if (t < utc_instant(tehran_changes[i].year, tehran_changes[i].month,
                            tehran_changes[i].day, tehran_changes[i].hour,
                            tehran_changes[i].minute, tehran_changes[i].second))
            return offset;
        offset = tehran_changes[i].offset;
    }

    /* After the table: standard time, unless the Jalali rule says summer time. */
    int64_t standard = t + TEHRAN_STANDARD;
    int64_t days = floor_div(standard, SECONDS_PER_DAY);
    int64_t second = standard - days * SECONDS_PER_DAY;
    int jy, doy, jm, jd;
    if (jalali_from_days(days, &jy, &doy, &jm, &jd) < 0 || !tehran_summer_year(jy))
        return TEHRAN_STANDARD;
    if (doy >= SUMMER_START_DOY &&
        (doy < SUMMER_END_DOY || (doy == SUMMER_END_DOY && second < SUMMER_END_SECOND)))
        return TEHRAN_SUMMER;
    return TEHRAN_STANDARD;
}

int emza_jalali_from_time(emza_jalali *out, int64_t t)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    memset(out, 0, sizeof(*out));
    EMZA_ENSURE_MSG(t >= EMZA_TIME_MIN && t <= EMZA_TIME_MAX, EMZA_EINVAL,
                    "time %lld is outside 0001-01-01T00:00:00Z..9999-12-31T23:59:59Z",
                    (long long)t);
    int offset = tehran_offset(t);
    int64_t local = t + offset;
    int64_t days = floor_div(local, SECONDS_PER_DAY);
    int64_t second = local - days * SECONDS_PER_DAY;
    int jy, doy, jm, jd;
    EMZA_ENSURE_MSG(jalali_from_days(days, &jy, &doy, &jm, &jd) == 0, EMZA_EINVAL,
                    "time %lld is outside the Solar Hijri years %d..%d the calendar covers",
                    (long long)t, JALALI_YEAR_MIN, JALALI_YEAR_MAX);
    out->year = jy;
    out->month = jm;
    out->day = jd;
    out->hour = (int)(second / 3600);
    out->minute = (int)(second / 60 % 60);
    out->second = (int)(second % 60);
    out->utc_offset_min = offset / 60;
    return EMZA_OK;
}

const char *emza_jalali_month_name(int month)
{
    static const char *const names[12] = {
        "فروردین", "اردیبهشت", "خرداد", "تیر",  "مرداد", "شهریور",
        "مهر",     "آبان",      "آذر",  "دی",   "بهمن",  "اسفند",
    };
    if (month < 1 || month > 12)
        return NULL;
    return names[month - 1];
}

int emza_jalali_format(char *buf, size_t buf_size, const emza_jalali *date)
{
    EMZA_ENSURE(buf != NULL, EMZA_EINVAL);
    if (buf_size > 0)
        buf[0] = '\0';
    EMZA_ENSURE(date != NULL, EMZA_EINVAL);
    EMZA_ENSURE_MSG(buf_size >= EMZA_JALALI_TEXT_SIZE, EMZA_EINVAL,
                    "Jalali date buffer of %zu bytes is smaller than %d", buf_size,
                    EMZA_JALALI_TEXT_SIZE);
    EMZA_ENSURE_MSG(date->year >= JALALI_YEAR_MIN && date->year <= JALALI_YEAR_MAX, EMZA_EINVAL,
                    "Jalali year %d is outside %d..%d", date->year, JALALI_YEAR_MIN,
                    JALALI_YEAR_MAX);
    EMZA_ENSURE_MSG(date->month >= 1 && date->month <= 12, EMZA_EINVAL,
                    "Jalali month %d is outside 1..12", date->month);
    int month_days = jalali_month_days(date->month, emza_jalali_is_leap(date->year));
    EMZA_ENSURE_MSG(date->day >= 1 && date->day <= month_days, EMZA_EINVAL,
                    "day %d is outside 1..%d for Jalali %d/%02d", date->day, month_days,
                    date->year, date->month);
    EMZA_ENSURE_MSG(date->hour >= 0 && date->hour <= 23 && date->minute >= 0 &&
                        date->minute <= 59 && date->second >= 0 && date->second <= 59,
                    EMZA_EINVAL, "time of day %d:%d:%d is out of range", date->hour,
                    date->minute, date->second);
    snprintf(buf, buf_size, "%04d/%02d/%02d %02d:%02d", date->year, date->month, date->day,
             date->hour, date->minute);
    return EMZA_OK;
}
