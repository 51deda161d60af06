/* Seconds since the Unix epoch (1970-01-01 00:00:00 UTC) and the proleptic Gregorian calendar,
 * both ways, in integer arithmetic (leap year: divisible by 4, except centuries not divisible
 * by 400). No leap seconds, as POSIX time has none. Pure. */
#ifndef LIB_CIVIL_TIME_H
#define LIB_CIVIL_TIME_H

#include <stdbool.h>
#include <stdint.h>

struct civil_time {
    uint64_t year;      /* 1970 and later */
    uint8_t month;      /* 1-12 */
    uint8_t day;        /* 1-31 */
    uint8_t hour;       /* 0-23 */
    uint8_t minute;     /* 0-59 */
    uint8_t second;     /* 0-59 */
    uint8_t weekday;    /* 0 = Sunday .. 6 = Saturday */
};

bool civil_is_leap_year(uint64_t year);

/* Days in month (1-12) of year; 0 for a month outside 1-12. */
unsigned civil_days_in_month(uint64_t year, unsigned month);

/* Every uint64_t is a valid instant: years grow past 9999 without overflow. */
struct civil_time civil_from_unix(uint64_t unix_seconds);

/* The inverse, for a date and time on or after 1970-01-01 whose fields are in range (day
 * within its month, hour < 24, minute and second < 60, year below 2^32); false otherwise,
 * *unix_seconds untouched. weekday is ignored. For a clock read as calendar fields. */
bool civil_to_unix(const struct civil_time *t, uint64_t *unix_seconds);

#endif
