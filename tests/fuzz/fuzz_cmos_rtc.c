/* libFuzzer target for guest/cmos_rtc.c and lib/civil_time.c (MC146818A data sheet, the
 * proleptic Gregorian calendar): the input is a sequence of guest port accesses and clock
 * movements; every read is checked against a model of the registers, and the clock registers
 * against the C library's gmtime_r, an independent calendar.
 *
 * Each operation is one byte, kind in bits 7:5:
 *   0 write the index port: next byte        1 read the data port
 *   2 write the data port: next byte         3 the clock moves: next u32, back if bit 0
 *   4 wide access through the port ops: bits 1:0 size 1/2/4/3, bit 2 offset 0/1 (bit 3: +2,
 *     past the ports), bit 4 read; value: next u32
 *   5 set the memory size: next u64          6 the clock jumps to the next u64
 *   7 civil time check of the next u64, then a fresh device (a partition restart) */
#include <time.h>

#include "tests/fuzz/fuzz_common.h"

#include "guest/cmos_rtc.h"
#include "lib/civil_time.h"

struct clock {
    uint64_t now;
};

static uint64_t clock_read(void *ctx)
{
    return ((struct clock *)ctx)->now;
}

/* What the guest should see, kept from the accesses alone. */
struct model {
    uint8_t index_port;
    uint8_t ram[CMOS_RTC_SIZE];
    bool snapshot_valid;
    uint64_t snapshot;
};

static void model_init(struct model *m)
{
    memset(m, 0, sizeof(*m));
    m->ram[CMOS_REG_A] = 0x26;
    m->ram[CMOS_REG_B] = 0x02;
}

static bool clock_reg(unsigned reg)
{
    return reg == 0 || reg == 2 || reg == 4 || (reg >= 6 && reg <= 9) || reg == 0x32;
}

static uint64_t model_instant(struct model *m, uint64_t now, unsigned reg)
{
    if ((m->ram[CMOS_REG_B] & 0x80) && m->snapshot_valid)
        return m->snapshot;
    if (!m->snapshot_valid || reg == CMOS_REG_A || reg == 0 || now < m->snapshot ||
        now - m->snapshot >= 2) {
        m->snapshot = now;
        m->snapshot_valid = true;
    }
    return m->snapshot;
}

/* A register in the mode B selects, decoded; -1 when it is not a valid encoding. */
static int decode(const struct model *m, uint8_t v)
{
    if (m->ram[CMOS_REG_B] & 0x04)
        return v;
    if ((v >> 4) > 9 || (v & 15) > 9)
        return -1;
    return (v >> 4) * 10 + (v & 15);
}

/* The clock register against gmtime_r when it can say (time_t and int years suffice). */
static void check_clock_register(const struct model *m, unsigned reg, uint64_t instant, uint8_t v)
{
    struct civil_time c = civil_from_unix(instant);
    int value = decode(m, reg == CMOS_REG_HOURS ? (uint8_t)(v & 0x7F) : v);
    FUZZ_CHECK(value >= 0 && value <= 99);
    if (reg == CMOS_REG_HOURS && !(m->ram[CMOS_REG_B] & 0x02)) {
        FUZZ_CHECK(value >= 1 && value <= 12);
        value = value % 12 + ((v & 0x80) ? 12 : 0);
    } else if (reg == CMOS_REG_HOURS) {
        FUZZ_CHECK((v & 0x80) == 0);
    }
    time_t t = (time_t)instant;
    struct tm tm;
    if (instant > (uint64_t)INT64_MAX || !gmtime_r(&t, &tm)) {
        FUZZ_CHECK(c.year > 9999);
        return;
    }
    int64_t year = (int64_t)tm.tm_year + 1900;
    FUZZ_CHECK((uint64_t)year == c.year);
    switch (reg) {
    case CMOS_REG_SECONDS:
        FUZZ_CHECK(value == tm.tm_sec);
        break;
    case CMOS_REG_MINUTES:
        FUZZ_CHECK(value == tm.tm_min);
        break;
    case CMOS_REG_HOURS:
        FUZZ_CHECK(value == tm.tm_hour);
        break;
    case CMOS_REG_WEEKDAY:
        FUZZ_CHECK(value == tm.tm_wday + 1);
        break;
    case CMOS_REG_DAY:
        FUZZ_CHECK(value == tm.tm_mday);
        break;
    case CMOS_REG_MONTH:
        FUZZ_CHECK(value == tm.tm_mon + 1);
        break;
    case CMOS_REG_YEAR:
        FUZZ_CHECK(value == year % 100);
        break;
    default:
        FUZZ_CHECK(value == year / 100 % 100);
    }
}

static uint8_t expect_read(struct model *m, uint64_t now, unsigned offset, uint8_t got)
{
    if (offset == CMOS_RTC_PORT_INDEX) {
        FUZZ_CHECK(got == m->index_port);
        return got;
    }
    if (offset != CMOS_RTC_PORT_DATA) {
        FUZZ_CHECK(got == 0xFF);
        return got;
    }
    unsigned reg = m->index_port & 0x7F;
    if (clock_reg(reg))
        check_clock_register(m, reg, model_instant(m, now, reg), got);
    else if (reg == CMOS_REG_A)
        FUZZ_CHECK(model_instant(m, now, reg) == m->snapshot && got == m->ram[reg]);
    else if (reg == CMOS_REG_C)
        FUZZ_CHECK(got == 0);
    else if (reg == CMOS_REG_D)
        FUZZ_CHECK(got == 0x80);
    else
        FUZZ_CHECK(got == m->ram[reg]);
    return got;
}

static void model_write(struct model *m, uint64_t now, unsigned offset, uint8_t v)
{
    if (offset == CMOS_RTC_PORT_INDEX) {
        m->index_port = v;
        return;
    }
    if (offset != CMOS_RTC_PORT_DATA)
        return;
    unsigned reg = m->index_port & 0x7F;
    if (clock_reg(reg) || reg == CMOS_REG_C || reg == CMOS_REG_D)
        return;
    if (reg == CMOS_REG_A) {
        m->ram[reg] = v & 0x7F;
        return;
    }
    if (reg == CMOS_REG_B) {
        if ((v & 0x80) && !(m->ram[reg] & 0x80)) {
            m->snapshot = now;
            m->snapshot_valid = true;
        } else if (!(v & 0x80)) {
            m->snapshot_valid = false;
        }
    }
    m->ram[reg] = v;
}

static void check_civil(uint64_t secs)
{
    struct civil_time c = civil_from_unix(secs);
    FUZZ_CHECK(c.month >= 1 && c.month <= 12 && c.day >= 1 &&
               c.day <= civil_days_in_month(c.year, c.month) && c.hour < 24 && c.minute < 60 &&
               c.second < 60 && c.weekday < 7 && c.year >= 1970);
    uint64_t back = 0;
    FUZZ_CHECK(civil_to_unix(&c, &back) == (c.year <= UINT32_MAX));
    if (c.year <= UINT32_MAX)
        FUZZ_CHECK(back == secs);
}

static void wide_access(struct cmos_rtc *rtc, struct model *m, uint64_t now, uint8_t op,
                        uint32_t value)
{
    static const unsigned sizes[4] = { 1, 2, 4, 3 };
    unsigned size = sizes[op & 3];
    unsigned offset = ((op >> 2) & 1) + ((op & 8) ? 2 : 0);
    if (op & 0x10) {
        uint32_t got = cmos_rtc_port_ops.read(rtc, (uint16_t)offset, size);
        for (unsigned i = 0; i < size; i++)
            expect_read(m, now, offset + i, (uint8_t)(got >> (8 * i)));
        return;
    }
    cmos_rtc_port_ops.write(rtc, (uint16_t)offset, size, value);
    for (unsigned i = 0; i < size; i++)
        model_write(m, now, offset + i, (uint8_t)(value >> (8 * i)));
}

static void put16(uint8_t *ram, unsigned reg, uint64_t value)
{
    ram[reg] = (uint8_t)value;
    ram[reg + 1] = (uint8_t)(value >> 8);
}

/* The BIOS's memory bytes, computed here from the size, and the checksum over 0x10-0x2D. */
static void set_memory_size(struct cmos_rtc *rtc, struct model *m, uint64_t bytes)
{
    uint64_t kib = bytes >> 10;
    uint64_t ext = kib > 1024 ? kib - 1024 : 0;
    uint64_t high = bytes > (16ull << 20) ? (bytes - (16ull << 20)) >> 16 : 0;
    put16(m->ram, 0x15, kib < 640 ? kib : 640);
    put16(m->ram, 0x17, ext < 0xFFFF ? ext : 0xFFFF);
    put16(m->ram, 0x30, ext < 0xFFFF ? ext : 0xFFFF);
    put16(m->ram, 0x34, high < 0xFFFF ? high : 0xFFFF);
    unsigned sum = 0;
    for (unsigned reg = 0x10; reg <= 0x2D; reg++)
        sum += m->ram[reg];
    m->ram[0x2E] = (uint8_t)(sum >> 8);
    m->ram[0x2F] = (uint8_t)sum;
    cmos_rtc_set_memory_size(rtc, bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = fuzz_input(data, size);
    struct fuzz_diag diag;
    struct clock clock = { fuzz_u32(&in) };
    struct cmos_rtc rtc;
    struct model m;

    fuzz_diag_init(&diag);
    cmos_rtc_init(&rtc, clock_read, &clock, &diag.diag);
    model_init(&m);
    unsigned lines_before = 0;      /* diag lines before this instance */
    while (fuzz_left(&in) > 0) {
        uint8_t op = fuzz_u8(&in);
        switch (op >> 5) {
        case 0: {
            uint8_t v = fuzz_u8(&in);
            cmos_rtc_write(&rtc, CMOS_RTC_PORT_INDEX, v);
            model_write(&m, clock.now, CMOS_RTC_PORT_INDEX, v);
            break;
        }
        case 1:
            expect_read(&m, clock.now, CMOS_RTC_PORT_DATA,
                        cmos_rtc_read(&rtc, CMOS_RTC_PORT_DATA));
            break;
        case 2: {
            uint8_t v = fuzz_u8(&in);
            cmos_rtc_write(&rtc, CMOS_RTC_PORT_DATA, v);
            model_write(&m, clock.now, CMOS_RTC_PORT_DATA, v);
            break;
        }
        case 3: {
            uint32_t step = fuzz_u32(&in);
            clock.now = (op & 1) ? clock.now - step : clock.now + step;
            break;
        }
        case 4:
            wide_access(&rtc, &m, clock.now, op, fuzz_u32(&in));
            break;
        case 5:
            set_memory_size(&rtc, &m, fuzz_u64(&in));
            break;
        case 6:
            clock.now = fuzz_u64(&in);
            break;
        default:
            check_civil(fuzz_u64(&in));
            cmos_rtc_init(&rtc, clock_read, &clock, &diag.diag);
            model_init(&m);
            lines_before = diag.lines;
            break;
        }
        FUZZ_CHECK(cmos_rtc_nmi_disabled(&rtc) == ((m.index_port & 0x80) != 0));
        FUZZ_CHECK(diag.lines - lines_before <= 1);        /* a clock write, once */
    }
    check_civil(clock.now);
    return 0;
}
