/* Unix time and the proleptic Gregorian calendar (lib/civil_time.h). Days are counted from
 * 0000-03-01 in years that start on March 1, so each year's leap day is its last day and the
 * 400-year cycle splits into centuries, four-year blocks and years whose last member is the
 * one longer by a day. */
#include "lib/civil_time.h"

#define SECONDS_PER_DAY     86400u
#define DAYS_PER_400_YEARS  146097u         /* 400 * 365 + 97 leap days */
#define DAYS_PER_100_YEARS  36524u          /* the short centuries: 24 leap days */
#define DAYS_PER_4_YEARS    1461u
#define DAYS_PER_YEAR       365u
#define EPOCH_FROM_MARCH_0  719468u         /* 0000-03-01 to 1970-01-01 */
#define EPOCH_WEEKDAY       4u              /* 1970-01-01 was a Thursday */

/* First day of each month in a year starting on March 1: March .. February. */
static const uint16_t month_start_from_march[12] = {
    0, 31, 61, 92, 122, 153, 184, 214, 245, 275, 306, 337
};

bool civil_is_leap_year(uint64_t year)
{
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

unsigned civil_days_in_month(uint64_t year, unsigned month)
{
    static const uint8_t lengths[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && civil_is_leap_year(year))
        return 29;
    return lengths[month - 1];
}

struct civil_time civil_from_unix(uint64_t unix_seconds)
{
    uint64_t days = unix_seconds / SECONDS_PER_DAY;
    uint64_t second_of_day = unix_seconds % SECONDS_PER_DAY;
    uint64_t rest = days + EPOCH_FROM_MARCH_0;
    struct civil_time t;

    uint64_t cycles = rest / DAYS_PER_400_YEARS;
    rest %= DAYS_PER_400_YEARS;
    uint64_t centuries = rest / DAYS_PER_100_YEARS;
    if (centuries == 4)         /* the cycle's last day: the leap day of its 400th year */
        centuries = 3;
    rest -= centuries * DAYS_PER_100_YEARS;
    uint64_t blocks = rest / DAYS_PER_4_YEARS;
    rest %= DAYS_PER_4_YEARS;
    uint64_t years = rest / DAYS_PER_YEAR;
    if (years == 4)             /* the block's last day: a leap day */
        years = 3;
    rest -= years * DAYS_PER_YEAR;

    unsigned m = 11;
    while (rest < month_start_from_march[m])
        m--;
    t.year = cycles * 400 + centuries * 100 + blocks * 4 + years + (m >= 10 ? 1 : 0);
    t.month = (uint8_t)(m < 10 ? m + 3 : m - 9);
    t.day = (uint8_t)(rest - month_start_from_march[m] + 1);
    t.hour = (uint8_t)(second_of_day / 3600);
    t.minute = (uint8_t)(second_of_day / 60 % 60);
    t.second = (uint8_t)(second_of_day % 60);
    t.weekday = (uint8_t)((days + EPOCH_WEEKDAY) % 7);
    return t;
}

bool civil_to_unix(const struct civil_time *t, uint64_t *unix_seconds)
{
    if (t->year < 1970 || t->year > UINT32_MAX || t->day < 1 ||
        t->day > civil_days_in_month(t->year, t->month) || t->hour > 23 || t->minute > 59 ||
        t->second > 59)
        return false;
    uint64_t march_year = t->month <= 2 ? t->year - 1 : t->year;
    unsigned m = t->month >= 3 ? t->month - 3u : t->month + 9u;
    uint64_t days = march_year * DAYS_PER_YEAR + march_year / 4 - march_year / 100 +
                    march_year / 400 + month_start_from_march[m] + (t->day - 1u) -
                    EPOCH_FROM_MARCH_0;
    *unix_seconds = days * SECONDS_PER_DAY + t->hour * 3600u + t->minute * 60u + t->second;
    return true;
}
