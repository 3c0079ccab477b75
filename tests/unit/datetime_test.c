/*
 * Unit tests: times, ISO 8601 text, Asia/Tehran and the Solar Hijri calendar
 * (include/emza/datetime.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <emza/datetime.h>
#include <emza/error.h>

static int64_t parse_ok(const char *text)
{
    int64_t t = -1;
    int rc = emza_time_parse(&t, text);
    if (rc != EMZA_OK)
        print_error("parse of \"%s\" failed: %s\n", text, emza_error_last()->message);
    assert_int_equal(rc, EMZA_OK);
    return t;
}

static void assert_parse_fails(const char *text)
{
    int64_t t = 12345;
    int rc = emza_time_parse(&t, text);
    if (rc != EMZA_EINVAL)
        print_error("parse of \"%s\" did not fail\n", text);
    assert_int_equal(rc, EMZA_EINVAL);
    assert_int_equal(t, 0);
    assert_int_equal(emza_error_last()->code, EMZA_EINVAL);
    assert_true(strlen(emza_error_last()->message) > 0);
}

static emza_jalali jalali_ok(int64_t t)
{
    emza_jalali j;
    assert_int_equal(emza_jalali_from_time(&j, t), EMZA_OK);
    return j;
}

static void assert_jalali(const char *utc, int y, int m, int d, int hh, int mm, int ss, int offset)
{
    emza_jalali j = jalali_ok(parse_ok(utc));
    if (j.year != y || j.month != m || j.day != d || j.hour != hh || j.minute != mm ||
        j.second != ss || j.utc_offset_min != offset)
        print_error("%s: got %d/%02d/%02d %02d:%02d:%02d (%d), want %d/%02d/%02d %02d:%02d:%02d "
                    "(%d)\n",
                    utc, j.year, j.month, j.day, j.hour, j.minute, j.second, j.utc_offset_min, y,
                    m, d, hh, mm, ss, offset);
    assert_int_equal(j.year, y);
    assert_int_equal(j.month, m);
    assert_int_equal(j.day, d);
    assert_int_equal(j.hour, hh);
    assert_int_equal(j.minute, mm);
    assert_int_equal(j.second, ss);
    assert_int_equal(j.utc_offset_min, offset);
}

/* ---- ISO 8601 parsing ---------------------------------------------------- */

static void test_time_parse__accepts_valid_times(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("1969-12-31T23:59:59Z"), -1);
    assert_int_equal(parse_ok("2013-01-10T12:00:00Z"), INT64_C(1357819200));
    assert_int_equal(parse_ok("2026-11-22T10:00:00Z"), INT64_C(1795341600));
    assert_int_equal(parse_ok("2038-01-19T03:14:08Z"), INT64_C(2147483648));
    assert_int_equal(parse_ok("1901-12-13T20:45:52Z"), -INT64_C(2147483648));
    assert_int_equal(parse_ok("0001-01-01T00:00:00Z"), EMZA_TIME_MIN);
    assert_int_equal(parse_ok("9999-12-31T23:59:59Z"), EMZA_TIME_MAX);
}

static void test_time_parse__accepts_feb_29_in_leap_years(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-02-29T00:00:00Z"), INT64_C(1709164800));
    assert_int_equal(parse_ok("2000-02-29T00:00:00Z"), INT64_C(951782400));
    assert_int_equal(parse_ok("1600-02-29T00:00:00Z") + 86400, parse_ok("1600-03-01T00:00:00Z"));
    assert_int_equal(parse_ok("0004-02-29T23:59:59Z") + 1, parse_ok("0004-03-01T00:00:00Z"));
}

static void test_time_parse__rejects_feb_29_in_common_years(void **state)
{
    (void)state;
    assert_parse_fails("2023-02-29T00:00:00Z");
    assert_parse_fails("1900-02-29T00:00:00Z"); /* a century not divisible by 400 */
    assert_parse_fails("2100-02-29T00:00:00Z");
    assert_parse_fails("2024-02-30T00:00:00Z");
}

static void test_time_parse__rejects_each_field_out_of_range(void **state)
{
    (void)state;
    assert_parse_fails("0000-01-01T00:00:00Z"); /* year */
    assert_parse_fails("2026-00-01T00:00:00Z"); /* month */
    assert_parse_fails("2026-13-01T00:00:00Z");
    assert_parse_fails("2026-01-00T00:00:00Z"); /* day */
    assert_parse_fails("2026-01-32T00:00:00Z");
    assert_parse_fails("2026-04-31T00:00:00Z");
    assert_parse_fails("2026-06-31T00:00:00Z");
    assert_parse_fails("2026-09-31T00:00:00Z");
    assert_parse_fails("2026-11-31T00:00:00Z");
    assert_parse_fails("2026-01-01T24:00:00Z"); /* hour */
    assert_parse_fails("2026-01-01T99:00:00Z");
    assert_parse_fails("2026-01-01T00:60:00Z"); /* minute */
    assert_parse_fails("2026-01-01T00:00:60Z"); /* second: no leap seconds */
    assert_parse_fails("2026-01-01T00:00:99Z");
    /* The last valid value of each field parses. */
    parse_ok("2026-12-31T23:59:59Z");
    parse_ok("2026-04-30T00:00:00Z");
}

static void test_time_parse__rejects_wrong_separators(void **state)
{
    (void)state;
    assert_parse_fails("2026/01/01T00:00:00Z");
    assert_parse_fails("2026-01-01 00:00:00Z");
    assert_parse_fails("2026-01-01t00:00:00Z");
    assert_parse_fails("2026-01-01T00:00:00z");
    assert_parse_fails("2026-01-01T00.00.00Z");
    assert_parse_fails("2026-01-01T00:00:00 ");
    assert_parse_fails("2026-01-01T00:00:00+0");
    assert_parse_fails("20260101T000000Z");
    assert_parse_fails("2026-01-01T00:00:00+00:00");
}

static void test_time_parse__rejects_trailing_garbage(void **state)
{
    (void)state;
    assert_parse_fails("2026-01-01T00:00:00Z ");
    assert_parse_fails("2026-01-01T00:00:00Zx");
    assert_parse_fails("2026-01-01T00:00:00Z\n");
    assert_parse_fails("2026-01-01T00:00:00ZZ");
}

static void test_time_parse__rejects_other_shapes(void **state)
{
    (void)state;
    assert_parse_fails("");
    assert_parse_fails("2026-01-01");
    assert_parse_fails("2026-01-01T00:00:00");  /* no Z */
    assert_parse_fails("2026-01-01T00:00:00.5Z"); /* fraction */
    assert_parse_fails(" 2026-01-01T00:00:00Z");  /* leading space */
    assert_parse_fails("+2026-01-01T00:00:00Z");
    assert_parse_fails("-001-01-01T00:00:00Z");
    assert_parse_fails("12026-01-01T00:00:00Z");
    assert_parse_fails("2026-1-01T00:00:00Z");
    assert_parse_fails("2026-01-01T0:00:00Z");
    assert_parse_fails("2O26-01-01T00:00:00Z"); /* letter O */
    assert_parse_fails("۲۰۲۶-01-01T00:00:00Z");   /* Persian digits */
    assert_parse_fails("2026-01-01T00:00:0\xff" "Z");
}

static void test_time_parse__rejects_null_arguments(void **state)
{
    (void)state;
    int64_t t = 7;
    assert_int_equal(emza_time_parse(NULL, "2026-01-01T00:00:00Z"), EMZA_EINVAL);
    assert_int_equal(emza_time_parse(&t, NULL), EMZA_EINVAL);
    assert_int_equal(t, 0);
}

/* Every day from 0001-01-01 to 9999-12-31, counted one by one, parses to the next 86400 seconds. */
static void test_time_parse__counts_every_day_of_years_1_to_9999(void **state)
{
    (void)state;
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t expected = EMZA_TIME_MIN;
    char text[48];
    for (int y = 1; y <= 9999; y++) {
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        for (int m = 1; m <= 12; m++) {
            int n = mdays[m - 1] + (m == 2 && leap);
            for (int d = 1; d <= n; d++) {
                snprintf(text, sizeof(text), "%04d-%02d-%02dT00:00:00Z", y, m, d);
                int64_t t;
                assert_int_equal(emza_time_parse(&t, text), EMZA_OK);
                if (t != expected)
                    print_error("%s: %lld != %lld\n", text, (long long)t, (long long)expected);
                assert_int_equal(t, expected);
                expected += 86400;
            }
        }
    }
    assert_int_equal(expected - 1, EMZA_TIME_MAX);
}

/* ---- ISO 8601 formatting ------------------------------------------------- */

static void test_time_format__writes_known_values(void **state)
{
    (void)state;
    char buf[EMZA_TIME_TEXT_SIZE];
    assert_int_equal(emza_time_format(buf, sizeof(buf), 0), EMZA_OK);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    assert_int_equal(emza_time_format(buf, sizeof(buf), -1), EMZA_OK);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    assert_int_equal(emza_time_format(buf, sizeof(buf), INT64_C(1795381200)), EMZA_OK);
    assert_string_equal(buf, "2026-11-22T21:00:00Z");
    assert_int_equal(emza_time_format(buf, sizeof(buf), EMZA_TIME_MIN), EMZA_OK);
    assert_string_equal(buf, "0001-01-01T00:00:00Z");
    assert_int_equal(emza_time_format(buf, sizeof(buf), EMZA_TIME_MAX), EMZA_OK);
    assert_string_equal(buf, "9999-12-31T23:59:59Z");
    assert_int_equal(emza_time_format(buf, sizeof(buf), INT64_C(951782400)), EMZA_OK);
    assert_string_equal(buf, "2000-02-29T00:00:00Z");
}

static void test_time_format__rejects_out_of_range_and_small_buffers(void **state)
{
    (void)state;
    char buf[64];
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(emza_time_format(buf, sizeof(buf), EMZA_TIME_MIN - 1), EMZA_EINVAL);
    assert_string_equal(buf, "");
    assert_int_equal(emza_time_format(buf, sizeof(buf), EMZA_TIME_MAX + 1), EMZA_EINVAL);
    assert_int_equal(emza_time_format(buf, sizeof(buf), INT64_MIN), EMZA_EINVAL);
    assert_int_equal(emza_time_format(buf, sizeof(buf), INT64_MAX), EMZA_EINVAL);
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(emza_time_format(buf, EMZA_TIME_TEXT_SIZE - 1, 0), EMZA_EINVAL);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[1], 'x'); /* nothing written past the first byte */
    assert_int_equal(emza_time_format(buf, 0, 0), EMZA_EINVAL);
    assert_int_equal(emza_time_format(NULL, 64, 0), EMZA_EINVAL);
}

static void test_time_format__round_trips_many_values(void **state)
{
    (void)state;
    char buf[EMZA_TIME_TEXT_SIZE];
    size_t n = 0;
    /* A stride that is prime and not a multiple of a day walks through all times of day. */
    for (int64_t t = EMZA_TIME_MIN; t <= EMZA_TIME_MAX - 1000003; t += INT64_C(1000003) * 7919) {
        for (int64_t u = t; u < t + 3; u++) {
            assert_int_equal(emza_time_format(buf, sizeof(buf), u), EMZA_OK);
            assert_int_equal(strlen(buf), EMZA_TIME_TEXT_SIZE - 1);
            assert_int_equal(parse_ok(buf), u);
            n++;
        }
    }
    /* Every second around the epoch and around some day and year boundaries. */
    const int64_t centres[] = {0, INT64_C(951782400), INT64_C(946684800), INT64_C(4102444800),
                               EMZA_TIME_MIN + 86400, EMZA_TIME_MAX - 86400};
    for (size_t i = 0; i < sizeof(centres) / sizeof(*centres); i++) {
        for (int64_t u = centres[i] - 86400; u <= centres[i] + 86400; u += 7) {
            assert_int_equal(emza_time_format(buf, sizeof(buf), u), EMZA_OK);
            assert_int_equal(parse_ok(buf), u);
            n++;
        }
    }
    assert_true(n > 100000);
}

/* ---- Asia/Tehran --------------------------------------------------------- */

/*
 * Every change of Asia/Tehran's offset in the IANA tz database from 1935 on,
 * transcribed from `zdump -v -c 1900,2040 Asia/Tehran` (tzdata 2025b): the
 * UTC instant and the offset in minutes before and after it. There are none
 * from 2023 on. 205 stands for +03:25:44, Tehran mean time.
 */
static const struct {
    const char *utc;
    int before, after;
} tehran_transitions[] = {
    {"1935-06-12T20:34:16Z", 205, 210},
    {"1977-03-21T19:30:00Z", 210, 270},
    {"1977-10-20T19:30:00Z", 270, 240},
    {"1978-03-24T20:00:00Z", 240, 300},
    {"1978-08-04T20:00:00Z", 300, 240},
    {"1978-11-10T20:00:00Z", 240, 210},
    {"1979-05-26T20:30:00Z", 210, 270},
    {"1979-09-18T19:30:00Z", 270, 210},
    {"1980-03-20T20:30:00Z", 210, 270},
    {"1980-09-22T19:30:00Z", 270, 210},
    {"1991-05-02T20:30:00Z", 210, 270},
    {"1991-09-21T19:30:00Z", 270, 210},
    {"1992-03-21T20:30:00Z", 210, 270},
    {"1992-09-21T19:30:00Z", 270, 210},
    {"1993-03-21T20:30:00Z", 210, 270},
    {"1993-09-21T19:30:00Z", 270, 210},
    {"1994-03-21T20:30:00Z", 210, 270},
    {"1994-09-21T19:30:00Z", 270, 210},
    {"1995-03-21T20:30:00Z", 210, 270},
    {"1995-09-21T19:30:00Z", 270, 210},
    {"1996-03-20T20:30:00Z", 210, 270},
    {"1996-09-20T19:30:00Z", 270, 210},
    {"1997-03-21T20:30:00Z", 210, 270},
    {"1997-09-21T19:30:00Z", 270, 210},
    {"1998-03-21T20:30:00Z", 210, 270},
    {"1998-09-21T19:30:00Z", 270, 210},
    {"1999-03-21T20:30:00Z", 210, 270},
    {"1999-09-21T19:30:00Z", 270, 210},
    {"2000-03-20T20:30:00Z", 210, 270},
    {"2000-09-20T19:30:00Z", 270, 210},
    {"2001-03-21T20:30:00Z", 210, 270},
    {"2001-09-21T19:30:00Z", 270, 210},
    {"2002-03-21T20:30:00Z", 210, 270},
    {"2002-09-21T19:30:00Z", 270, 210},
    {"2003-03-21T20:30:00Z", 210, 270},
    {"2003-09-21T19:30:00Z", 270, 210},
    {"2004-03-20T20:30:00Z", 210, 270},
    {"2004-09-20T19:30:00Z", 270, 210},
    {"2005-03-21T20:30:00Z", 210, 270},
    {"2005-09-21T19:30:00Z", 270, 210},
    {"2008-03-20T20:30:00Z", 210, 270},
    {"2008-09-20T19:30:00Z", 270, 210},
    {"2009-03-21T20:30:00Z", 210, 270},
    {"2009-09-21T19:30:00Z", 270, 210},
    {"2010-03-21T20:30:00Z", 210, 270},
    {"2010-09-21T19:30:00Z", 270, 210},
    {"2011-03-21T20:30:00Z", 210, 270},
    {"2011-09-21T19:30:00Z", 270, 210},
    {"2012-03-20T20:30:00Z", 210, 270},
    {"2012-09-20T19:30:00Z", 270, 210},
    {"2013-03-21T20:30:00Z", 210, 270},
    {"2013-09-21T19:30:00Z", 270, 210},
    {"2014-03-21T20:30:00Z", 210, 270},
    {"2014-09-21T19:30:00Z", 270, 210},
    {"2015-03-21T20:30:00Z", 210, 270},
    {"2015-09-21T19:30:00Z", 270, 210},
    {"2016-03-20T20:30:00Z", 210, 270},
    {"2016-09-20T19:30:00Z", 270, 210},
    {"2017-03-21T20:30:00Z", 210, 270},
    {"2017-09-21T19:30:00Z", 270, 210},
    {"2018-03-21T20:30:00Z", 210, 270},
    {"2018-09-21T19:30:00Z", 270, 210},
    {"2019-03-21T20:30:00Z", 210, 270},
    {"2019-09-21T19:30:00Z", 270, 210},
    {"2020-03-20T20:30:00Z", 210, 270},
    {"2020-09-20T19:30:00Z", 270, 210},
    {"2021-03-21T20:30:00Z", 210, 270},
    {"2021-09-21T19:30:00Z", 270, 210},
    {"2022-03-21T20:30:00Z", 210, 270},
    {"2022-09-21T19:30:00Z", 270, 210},
};

static void test_jalali_from_time__matches_every_tz_database_transition(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(tehran_transitions) / sizeof(*tehran_transitions); i++) {
        int64_t t = parse_ok(tehran_transitions[i].utc);
        emza_jalali before = jalali_ok(t - 1), after = jalali_ok(t);
        if (before.utc_offset_min != tehran_transitions[i].before ||
            after.utc_offset_min != tehran_transitions[i].after)
            print_error("%s: offsets %d -> %d\n", tehran_transitions[i].utc,
                        before.utc_offset_min, after.utc_offset_min);
        assert_int_equal(before.utc_offset_min, tehran_transitions[i].before);
        assert_int_equal(after.utc_offset_min, tehran_transitions[i].after);
    }
}

/* Between two transitions of the table the offset does not change (checked every 30 minutes). */
static void test_jalali_from_time__offset_is_constant_between_transitions(void **state)
{
    (void)state;
    size_t count = sizeof(tehran_transitions) / sizeof(*tehran_transitions);
    for (size_t i = 0; i < count; i++) {
        int64_t from = parse_ok(tehran_transitions[i].utc);
        int64_t to = i + 1 < count ? parse_ok(tehran_transitions[i + 1].utc)
                                   : parse_ok("2041-01-01T00:00:00Z");
        if (i == 0)
            from = parse_ok("1977-01-01T00:00:00Z"); /* 1935..1977 checked more coarsely below */
        for (int64_t t = from; t < to; t += 1800)
            assert_int_equal(jalali_ok(t).utc_offset_min, tehran_transitions[i].after);
    }
    for (int64_t t = parse_ok("1935-06-13T00:00:00Z"); t < parse_ok("1977-01-01T00:00:00Z");
         t += 86400 + 3607)
        assert_int_equal(jalali_ok(t).utc_offset_min, 210);
}

static void test_jalali_from_time__gives_offset_270_in_former_summer_time(void **state)
{
    (void)state;
    assert_jalali("2015-06-01T12:00:00Z", 1394, 3, 11, 16, 30, 0, 270);
    assert_jalali("2014-08-04T12:00:00Z", 1393, 5, 13, 16, 30, 0, 270);
    /* 2022 was the last year with summer time. */
    assert_jalali("2022-06-01T12:00:00Z", 1401, 3, 11, 16, 30, 0, 270);
}

static void test_jalali_from_time__keeps_standard_time_from_2023(void **state)
{
    (void)state;
    assert_jalali("2023-06-01T12:00:00Z", 1402, 3, 11, 15, 30, 0, 210);
    assert_jalali("2026-07-01T12:00:00Z", 1405, 4, 10, 15, 30, 0, 210);
    for (int64_t t = parse_ok("2023-01-01T00:00:00Z"); t < parse_ok("2031-01-01T00:00:00Z");
         t += 3600)
        assert_int_equal(jalali_ok(t).utc_offset_min, 210);
    /* Nor in 2006 and 2007. */
    assert_jalali("2006-07-01T12:00:00Z", 1385, 4, 10, 15, 30, 0, 210);
    assert_jalali("2007-07-01T12:00:00Z", 1386, 4, 10, 15, 30, 0, 210);
}

/* Summer time started at 24:00 on 1 Farvardin and ended at 24:00 on 30 Shahrivar (wall clock). */
static void test_jalali_from_time__summer_time_edges_follow_jalali_rule(void **state)
{
    (void)state;
    assert_jalali("2021-03-21T20:29:59Z", 1400, 1, 1, 23, 59, 59, 210);
    assert_jalali("2021-03-21T20:30:00Z", 1400, 1, 2, 1, 0, 0, 270);
    assert_jalali("2021-09-21T19:29:59Z", 1400, 6, 30, 23, 59, 59, 270);
    assert_jalali("2021-09-21T19:30:00Z", 1400, 6, 30, 23, 0, 0, 210);
    /* The repeated hour after the change back: 23:30 happens twice. */
    assert_jalali("2021-09-21T19:00:00Z", 1400, 6, 30, 23, 30, 0, 270);
    assert_jalali("2021-09-21T20:00:00Z", 1400, 6, 30, 23, 30, 0, 210);
}

/* Before 1935-06-13 Tehran kept local mean time, +03:25:44 (reported as 205 minutes). */
static void test_jalali_from_time__uses_tehran_mean_time_before_1935(void **state)
{
    (void)state;
    assert_jalali("1925-01-01T00:00:00Z", 1303, 10, 11, 3, 25, 44, 205);
    assert_jalali("1935-06-12T20:34:15Z", 1314, 3, 21, 23, 59, 59, 205);
    assert_jalali("1935-06-12T20:34:16Z", 1314, 3, 22, 0, 4, 16, 210);
}

/* ---- Solar Hijri calendar ------------------------------------------------ */

static void test_jalali_from_time__matches_known_dates(void **state)
{
    (void)state;
    assert_jalali("2013-01-10T12:00:00Z", 1391, 10, 21, 15, 30, 0, 210);
    assert_jalali("2014-08-04T12:00:00Z", 1393, 5, 13, 16, 30, 0, 270);
    assert_jalali("1981-08-17T12:00:00Z", 1360, 5, 26, 15, 30, 0, 210);
    assert_jalali("1921-03-21T12:00:00Z", 1300, 1, 1, 15, 25, 44, 205);
    assert_jalali("1979-02-11T12:00:00Z", 1357, 11, 22, 15, 30, 0, 210);
}

static void test_jalali_from_time__crosses_esfand_30_of_leap_1403(void **state)
{
    (void)state;
    assert_jalali("2025-03-20T12:00:00Z", 1403, 12, 30, 15, 30, 0, 210);
    assert_jalali("2025-03-20T20:29:59Z", 1403, 12, 30, 23, 59, 59, 210);
    assert_jalali("2025-03-20T20:30:00Z", 1404, 1, 1, 0, 0, 0, 210);
}

/* Nowruz 1405 is 2026-03-21; 1404 is a common year, so Esfand ends on the 29th. */
static void test_jalali_from_time__crosses_nowruz_1405(void **state)
{
    (void)state;
    assert_jalali("2026-03-20T12:00:00Z", 1404, 12, 29, 15, 30, 0, 210);
    assert_jalali("2026-03-20T20:29:59Z", 1404, 12, 29, 23, 59, 59, 210);
    assert_jalali("2026-03-20T20:30:00Z", 1405, 1, 1, 0, 0, 0, 210);
    assert_jalali("2026-03-21T12:00:00Z", 1405, 1, 1, 15, 30, 0, 210);
}

/* The Tehran day starts at 20:30 UTC: 21:00 UTC is already tomorrow. */
static void test_jalali_from_time__shifts_date_by_time_of_day(void **state)
{
    (void)state;
    assert_jalali("2026-11-22T10:00:00Z", 1405, 9, 1, 13, 30, 0, 210);
    assert_jalali("2026-11-22T20:29:59Z", 1405, 9, 1, 23, 59, 59, 210);
    assert_jalali("2026-11-22T21:00:00Z", 1405, 9, 2, 0, 30, 0, 210);
}

static void test_jalali_is_leap__matches_known_years(void **state)
{
    (void)state;
    assert_int_equal(emza_jalali_is_leap(1395), 1);
    assert_int_equal(emza_jalali_is_leap(1399), 1);
    assert_int_equal(emza_jalali_is_leap(1403), 1);
    assert_int_equal(emza_jalali_is_leap(1394), 0);
    assert_int_equal(emza_jalali_is_leap(1396), 0);
    assert_int_equal(emza_jalali_is_leap(1404), 0);
    /* The five-year gap after 1403: 1404..1407 common, 1408 leap. */
    assert_int_equal(emza_jalali_is_leap(1405), 0);
    assert_int_equal(emza_jalali_is_leap(1406), 0);
    assert_int_equal(emza_jalali_is_leap(1407), 0);
    assert_int_equal(emza_jalali_is_leap(1408), 1);
    /* Outside the supported years: 0. */
    assert_int_equal(emza_jalali_is_leap(-62), 0);
    assert_int_equal(emza_jalali_is_leap(3178), 0);
    assert_int_equal(emza_jalali_is_leap(-2147483647 - 1), 0);
    assert_int_equal(emza_jalali_is_leap(2147483647), 0);
}

/*
 * Day by day from 1 Farvardin 1300 (1921-03-21) to the end of 1500: each day
 * follows the previous one, months have 31 days (1..6), 30 (7..11) and 29 or
 * 30 (12, as emza_jalali_is_leap says), and a year has 365 or 366 days.
 */
static void test_jalali_sweep__is_continuous_over_1300_to_1500(void **state)
{
    (void)state;
    int64_t t = parse_ok("1921-03-21T09:00:00Z"); /* noon-ish in Tehran, whatever the offset */
    emza_jalali prev = jalali_ok(t);
    assert_int_equal(prev.year, 1300);
    assert_int_equal(prev.month, 1);
    assert_int_equal(prev.day, 1);
    int days_in_year = 1, leap_years = 0;
    for (;;) {
        t += 86400;
        emza_jalali cur = jalali_ok(t);
        if (cur.year == prev.year && cur.month == prev.month) {
            assert_int_equal(cur.day, prev.day + 1);
        } else {
            int leap = emza_jalali_is_leap(prev.year);
            int month_len = prev.month <= 6 ? 31 : prev.month <= 11 ? 30 : 29 + leap;
            if (prev.day != month_len)
                print_error("%d/%02d ended on day %d\n", prev.year, prev.month, prev.day);
            assert_int_equal(prev.day, month_len);
            assert_int_equal(cur.day, 1);
            if (prev.month < 12) {
                assert_int_equal(cur.year, prev.year);
                assert_int_equal(cur.month, prev.month + 1);
            } else {
                assert_int_equal(days_in_year, 365 + leap);
                leap_years += leap;
                assert_int_equal(cur.year, prev.year + 1);
                assert_int_equal(cur.month, 1);
                days_in_year = 0;
                if (cur.year == 1501)
                    break;
            }
        }
        days_in_year++;
        prev = cur;
    }
    /* Eight leap years in 33 on average: 201 years hold 48 or 49. */
    assert_int_equal(leap_years, 49);
}

static void test_jalali_from_time__covers_years_minus_61_to_3177(void **state)
{
    (void)state;
    emza_jalali j;
    /* 1 Farvardin -61 began at 00:00 Tehran mean time on 0560-03-20. */
    assert_jalali("0560-03-19T20:34:16Z", -61, 1, 1, 0, 0, 0, 205);
    assert_int_equal(emza_jalali_from_time(&j, parse_ok("0560-03-19T20:34:15Z")), EMZA_EINVAL);
    assert_int_equal(j.year, 0);
    assert_jalali("3799-03-19T20:29:59Z", 3177, 12, 29, 23, 59, 59, 210);
    assert_int_equal(emza_jalali_from_time(&j, parse_ok("3799-03-19T20:30:00Z")), EMZA_EINVAL);
    assert_int_equal(emza_jalali_from_time(&j, EMZA_TIME_MIN), EMZA_EINVAL);
    assert_int_equal(emza_jalali_from_time(&j, EMZA_TIME_MAX), EMZA_EINVAL);
    assert_int_equal(emza_jalali_from_time(&j, INT64_MIN), EMZA_EINVAL);
    assert_int_equal(emza_jalali_from_time(&j, INT64_MAX), EMZA_EINVAL);
    assert_int_equal(emza_error_last()->code, EMZA_EINVAL);
    assert_int_equal(emza_jalali_from_time(NULL, 0), EMZA_EINVAL);
}

/* The process's TZ has no effect: the library has its own Tehran rules. */
static void test_jalali_from_time__ignores_process_tz(void **state)
{
    (void)state;
    const char *zones[] = {"UTC", "America/New_York", "Asia/Tokyo", "Asia/Tehran", "XYZ+5"};
    for (size_t i = 0; i < sizeof(zones) / sizeof(*zones); i++) {
        setenv("TZ", zones[i], 1);
        tzset();
        assert_jalali("2015-06-01T12:00:00Z", 1394, 3, 11, 16, 30, 0, 270);
        assert_jalali("2026-11-22T21:00:00Z", 1405, 9, 2, 0, 30, 0, 210);
        char buf[EMZA_TIME_TEXT_SIZE];
        assert_int_equal(emza_time_format(buf, sizeof(buf), 0), EMZA_OK);
        assert_string_equal(buf, "1970-01-01T00:00:00Z");
        assert_int_equal(parse_ok("2026-01-01T00:00:00Z"), INT64_C(1767225600));
    }
    unsetenv("TZ");
    tzset();
}

static void test_jalali_month_name__gives_persian_names(void **state)
{
    (void)state;
    /* Byte-exact: Farsi yeh U+06CC, keheh-free, and U+0622 for the alef with madda. */
    static const char *const expected[12] = {
        "\xd9\x81\xd8\xb1\xd9\x88\xd8\xb1\xd8\xaf\xdb\x8c\xd9\x86",         /* فروردین */
        "\xd8\xa7\xd8\xb1\xd8\xaf\xdb\x8c\xd8\xa8\xd9\x87\xd8\xb4\xd8\xaa", /* اردیبهشت */
        "\xd8\xae\xd8\xb1\xd8\xaf\xd8\xa7\xd8\xaf",                         /* خرداد */
        "\xd8\xaa\xdb\x8c\xd8\xb1",                                         /* تیر */
        "\xd9\x85\xd8\xb1\xd8\xaf\xd8\xa7\xd8\xaf",                         /* مرداد */
        "\xd8\xb4\xd9\x87\xd8\xb1\xdb\x8c\xd9\x88\xd8\xb1",                 /* شهریور */
        "\xd9\x85\xd9\x87\xd8\xb1",                                         /* مهر */
        "\xd8\xa2\xd8\xa8\xd8\xa7\xd9\x86",                                 /* آبان */
        "\xd8\xa2\xd8\xb0\xd8\xb1",                                         /* آذر */
        "\xd8\xaf\xdb\x8c",                                                 /* دی */
        "\xd8\xa8\xd9\x87\xd9\x85\xd9\x86",                                 /* بهمن */
        "\xd8\xa7\xd8\xb3\xd9\x81\xd9\x86\xd8\xaf",                         /* اسفند */
    };
    for (int m = 1; m <= 12; m++)
        assert_string_equal(emza_jalali_month_name(m), expected[m - 1]);
    assert_null(emza_jalali_month_name(0));
    assert_null(emza_jalali_month_name(13));
    assert_null(emza_jalali_month_name(-1));
}

static void test_jalali_format__writes_date_and_wall_time(void **state)
{
    (void)state;
    char buf[EMZA_JALALI_TEXT_SIZE];
    emza_jalali j = jalali_ok(parse_ok("2026-11-22T10:00:00Z"));
    assert_int_equal(emza_jalali_format(buf, sizeof(buf), &j), EMZA_OK);
    assert_string_equal(buf, "1405/09/01 13:30");
    j = jalali_ok(parse_ok("2025-03-20T20:29:59Z"));
    assert_int_equal(emza_jalali_format(buf, sizeof(buf), &j), EMZA_OK);
    assert_string_equal(buf, "1403/12/30 23:59");
}

static void test_jalali_format__rejects_invalid_dates_and_buffers(void **state)
{
    (void)state;
    char buf[64];
    emza_jalali ok = {1405, 9, 1, 13, 30, 0, 210};
    emza_jalali j;
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(emza_jalali_format(buf, EMZA_JALALI_TEXT_SIZE - 1, &ok), EMZA_EINVAL);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(emza_jalali_format(NULL, sizeof(buf), &ok), EMZA_EINVAL);
    assert_int_equal(emza_jalali_format(buf, sizeof(buf), NULL), EMZA_EINVAL);
    j = ok, j.month = 13;
    assert_int_equal(emza_jalali_format(buf, sizeof(buf), &j), EMZA_EINVAL);
    j = ok, j.month = 0;
    assert_int_equal(emza_jalali_format(buf, sizeof(buf), &j), EMZA_EINVAL);
    j = ok, j.month = 7, j.day = 31; /* Mehr has 30 days */
    assert_int_equal(emza_jalali_format(buf, sizeof(buf), &j), EMZA_EINVAL);
    j = ok, j.year = 1404, j.month = 12, j.day = 30; /* 1404 is not leap */
    assert_int_equal(emza_jalali_format(buf, sizeof(buf), &j), EMZA_EINVAL);
    j = ok, j.year = 1403, j.month = 12, j.day = 30; /* 1403 is */
    assert_int_equal(emza_jalali_format(buf, sizeof(buf), &j), EMZA_OK);
    j = ok, j.day = 0;
    assert_int_equal(emza_jalali_format(buf, sizeof(buf), &j), EMZA_EINVAL);
    j = ok, j.hour = 24;
    assert_int_equal(emza_jalali_format(buf, sizeof(buf), &j), EMZA_EINVAL);
    j = ok, j.minute = 60;
    assert_int_equal(emza_jalali_format(buf, sizeof(buf), &j), EMZA_EINVAL);
    j = ok, j.second = -1;
    assert_int_equal(emza_jalali_format(buf, sizeof(buf), &j), EMZA_EINVAL);
    j = ok, j.year = 100000;
    assert_int_equal(emza_jalali_format(buf, sizeof(buf), &j), EMZA_EINVAL);
    assert_string_equal(buf, "");
}

/* Formatting what emza_jalali_from_time returns always succeeds and fits. */
static void test_jalali_format__accepts_every_converted_date(void **state)
{
    (void)state;
    char buf[EMZA_JALALI_TEXT_SIZE];
    for (int64_t t = parse_ok("0560-03-20T00:00:00Z"); t < parse_ok("3799-03-19T00:00:00Z");
         t += INT64_C(86400) * 97 + 4567) {
        emza_jalali j = jalali_ok(t);
        assert_int_equal(emza_jalali_format(buf, sizeof(buf), &j), EMZA_OK);
        assert_int_equal(strlen(buf), 16);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_parse__accepts_valid_times),
        cmocka_unit_test(test_time_parse__accepts_feb_29_in_leap_years),
        cmocka_unit_test(test_time_parse__rejects_feb_29_in_common_years),
        cmocka_unit_test(test_time_parse__rejects_each_field_out_of_range),
        cmocka_unit_test(test_time_parse__rejects_wrong_separators),
        cmocka_unit_test(test_time_parse__rejects_trailing_garbage),
        cmocka_unit_test(test_time_parse__rejects_other_shapes),
        cmocka_unit_test(test_time_parse__rejects_null_arguments),
        cmocka_unit_test(test_time_parse__counts_every_day_of_years_1_to_9999),
        cmocka_unit_test(test_time_format__writes_known_values),
        cmocka_unit_test(test_time_format__rejects_out_of_range_and_small_buffers),
        cmocka_unit_test(test_time_format__round_trips_many_values),
        cmocka_unit_test(test_jalali_from_time__matches_every_tz_database_transition),
        cmocka_unit_test(test_jalali_from_time__offset_is_constant_between_transitions),
        cmocka_unit_test(test_jalali_from_time__gives_offset_270_in_former_summer_time),
        cmocka_unit_test(test_jalali_from_time__keeps_standard_time_from_2023),
        cmocka_unit_test(test_jalali_from_time__summer_time_edges_follow_jalali_rule),
        cmocka_unit_test(test_jalali_from_time__uses_tehran_mean_time_before_1935),
        cmocka_unit_test(test_jalali_from_time__matches_known_dates),
        cmocka_unit_test(test_jalali_from_time__crosses_esfand_30_of_leap_1403),
        cmocka_unit_test(test_jalali_from_time__crosses_nowruz_1405),
        cmocka_unit_test(test_jalali_from_time__shifts_date_by_time_of_day),
        cmocka_unit_test(test_jalali_is_leap__matches_known_years),
        cmocka_unit_test(test_jalali_sweep__is_continuous_over_1300_to_1500),
        cmocka_unit_test(test_jalali_from_time__covers_years_minus_61_to_3177),
        cmocka_unit_test(test_jalali_from_time__ignores_process_tz),
        cmocka_unit_test(test_jalali_month_name__gives_persian_names),
        cmocka_unit_test(test_jalali_format__writes_date_and_wall_time),
        cmocka_unit_test(test_jalali_format__rejects_invalid_dates_and_buffers),
        cmocka_unit_test(test_jalali_format__accepts_every_converted_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
