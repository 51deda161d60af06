/* The MC146818A clock and CMOS RAM of a partition (guest/cmos_rtc.h; Motorola MC146818A data
 * sheet: address map, registers A-D, BCD and binary data modes, 12- and 24-hour modes). */
#include "guest/cmos_rtc.h"

#include "guest/port_lanes.h"
#include "lib/civil_time.h"
#include "lib/string.h"

#define KIB                     1024u
#define MIB                     (1024u * 1024u)
#define CMOS_BASE_MEMORY_LOW    0x15u
#define CMOS_EXT_MEMORY_LOW     0x17u
#define CMOS_EXT_MEMORY2_LOW    0x30u
#define CMOS_HIGH_MEMORY_LOW    0x34u   /* 64 KiB blocks above 16 MiB */
#define CMOS_CHECKSUM_FIRST     0x10u
#define CMOS_CHECKSUM_LAST      0x2Du
#define CMOS_CHECKSUM_HIGH      0x2Eu
#define CMOS_BASE_MEMORY_KIB    640u

void cmos_rtc_init(struct cmos_rtc *rtc, cmos_rtc_clock_fn clock, void *clock_ctx,
                   const struct diag *diag)
{
    memset(rtc, 0, sizeof(*rtc));
    rtc->clock = clock;
    rtc->clock_ctx = clock_ctx;
    rtc->diag = diag;
    rtc->ram[CMOS_REG_A] = CMOS_A_POWER_ON;
    rtc->ram[CMOS_REG_B] = CMOS_B_POWER_ON;
}

static void put_le16(uint8_t *ram, unsigned reg, uint64_t value)
{
    ram[reg] = (uint8_t)value;
    ram[reg + 1] = (uint8_t)(value >> 8);
}

void cmos_rtc_set_memory_size(struct cmos_rtc *rtc, uint64_t bytes)
{
    uint64_t base_kib = bytes / KIB < CMOS_BASE_MEMORY_KIB ? bytes / KIB : CMOS_BASE_MEMORY_KIB;
    uint64_t ext_kib = bytes > MIB ? (bytes - MIB) / KIB : 0;
    uint64_t high_blocks = bytes > 16u * MIB ? (bytes - 16u * MIB) / (64u * KIB) : 0;

    if (ext_kib > 0xFFFF)
        ext_kib = 0xFFFF;
    if (high_blocks > 0xFFFF)
        high_blocks = 0xFFFF;
    put_le16(rtc->ram, CMOS_BASE_MEMORY_LOW, base_kib);
    put_le16(rtc->ram, CMOS_EXT_MEMORY_LOW, ext_kib);
    put_le16(rtc->ram, CMOS_EXT_MEMORY2_LOW, ext_kib);
    put_le16(rtc->ram, CMOS_HIGH_MEMORY_LOW, high_blocks);

    unsigned sum = 0;
    for (unsigned reg = CMOS_CHECKSUM_FIRST; reg <= CMOS_CHECKSUM_LAST; reg++)
        sum += rtc->ram[reg];
    rtc->ram[CMOS_CHECKSUM_HIGH] = (uint8_t)(sum >> 8);
    rtc->ram[CMOS_CHECKSUM_HIGH + 1] = (uint8_t)sum;
}

bool cmos_rtc_nmi_disabled(const struct cmos_rtc *rtc)
{
    return (rtc->index_port & CMOS_RTC_INDEX_NMI_OFF) != 0;
}

static unsigned selected(const struct cmos_rtc *rtc)
{
    return rtc->index_port & CMOS_RTC_INDEX_MASK;
}

static bool is_clock_register(unsigned reg)
{
    switch (reg) {
    case CMOS_REG_SECONDS:
    case CMOS_REG_MINUTES:
    case CMOS_REG_HOURS:
    case CMOS_REG_WEEKDAY:
    case CMOS_REG_DAY:
    case CMOS_REG_MONTH:
    case CMOS_REG_YEAR:
    case CMOS_REG_CENTURY:
        return true;
    default:
        return false;
    }
}

/* The instant the clock registers show for a read of reg (see cmos_rtc_read). */
static uint64_t clock_instant(struct cmos_rtc *rtc, unsigned reg)
{
    if ((rtc->ram[CMOS_REG_B] & CMOS_B_SET) && rtc->snapshot_valid)
        return rtc->snapshot;
    uint64_t now = rtc->clock ? rtc->clock(rtc->clock_ctx) : 0;
    if (!rtc->snapshot_valid || reg == CMOS_REG_A || reg == CMOS_REG_SECONDS ||
        now < rtc->snapshot || now - rtc->snapshot > 1) {
        rtc->snapshot = now;
        rtc->snapshot_valid = true;
    }
    return rtc->snapshot;
}

/* value is 0-99: two BCD digits, or binary, as register B says. */
static uint8_t encode(const struct cmos_rtc *rtc, unsigned value)
{
    if (rtc->ram[CMOS_REG_B] & CMOS_B_BINARY)
        return (uint8_t)value;
    return (uint8_t)((value / 10u) << 4 | value % 10u);
}

/* 12-hour mode: 12 AM is midnight, 12 PM noon; bit 7 marks PM in either data mode. */
static uint8_t encode_hours(const struct cmos_rtc *rtc, unsigned hour)
{
    if (rtc->ram[CMOS_REG_B] & CMOS_B_24_HOUR)
        return encode(rtc, hour);
    unsigned twelve = hour % 12u == 0 ? 12u : hour % 12u;
    return (uint8_t)(encode(rtc, twelve) | (hour >= 12 ? CMOS_HOURS_PM : 0));
}

static uint8_t read_clock_register(struct cmos_rtc *rtc, unsigned reg)
{
    struct civil_time t = civil_from_unix(clock_instant(rtc, reg));

    switch (reg) {
    case CMOS_REG_SECONDS:
        return encode(rtc, t.second);
    case CMOS_REG_MINUTES:
        return encode(rtc, t.minute);
    case CMOS_REG_HOURS:
        return encode_hours(rtc, t.hour);
    case CMOS_REG_WEEKDAY:
        return encode(rtc, t.weekday + 1u);
    case CMOS_REG_DAY:
        return encode(rtc, t.day);
    case CMOS_REG_MONTH:
        return encode(rtc, t.month);
    case CMOS_REG_YEAR:
        return encode(rtc, (unsigned)(t.year % 100));
    default:    /* the century; past year 9999 it wraps */
        return encode(rtc, (unsigned)(t.year / 100 % 100));
    }
}

static uint8_t read_register(struct cmos_rtc *rtc, unsigned reg)
{
    if (is_clock_register(reg))
        return read_clock_register(rtc, reg);
    switch (reg) {
    case CMOS_REG_A:
        clock_instant(rtc, reg);        /* a reader starts here: take a fresh snapshot */
        return rtc->ram[CMOS_REG_A] & (uint8_t)~CMOS_A_UIP;
    case CMOS_REG_C:
        return 0;                       /* no interrupt flags: none is ever raised */
    case CMOS_REG_D:
        return CMOS_D_VRT;
    default:
        return rtc->ram[reg];
    }
}

static void write_register(struct cmos_rtc *rtc, unsigned reg, uint8_t value)
{
    if (is_clock_register(reg)) {
        if (!rtc->clock_write_reported)
            diag_report(rtc->diag, "cmos: the clock is read-only: write of 0x%02x to register "
                        "0x%02x ignored (reported once)", value, reg);
        rtc->clock_write_reported = true;
        return;
    }
    switch (reg) {
    case CMOS_REG_A:
        rtc->ram[reg] = value & (uint8_t)~CMOS_A_UIP;
        break;
    case CMOS_REG_B:
        /* Setting SET freezes the guest's view where it stands; clearing it lets the next
         * read see the clock again. */
        if ((value & CMOS_B_SET) && !(rtc->ram[reg] & CMOS_B_SET))
            clock_instant(rtc, CMOS_REG_SECONDS);
        else if (!(value & CMOS_B_SET))
            rtc->snapshot_valid = false;
        rtc->ram[reg] = value;
        break;
    case CMOS_REG_C:
    case CMOS_REG_D:
        break;                          /* read-only */
    default:
        rtc->ram[reg] = value;
    }
}

uint8_t cmos_rtc_read(struct cmos_rtc *rtc, unsigned offset)
{
    if (offset == CMOS_RTC_PORT_INDEX)
        return rtc->index_port;
    if (offset == CMOS_RTC_PORT_DATA)
        return read_register(rtc, selected(rtc));
    return 0xFF;
}

void cmos_rtc_write(struct cmos_rtc *rtc, unsigned offset, uint8_t value)
{
    if (offset == CMOS_RTC_PORT_INDEX)
        rtc->index_port = value;
    else if (offset == CMOS_RTC_PORT_DATA)
        write_register(rtc, selected(rtc), value);
}

PORT_LANES_OPS(cmos_rtc_port_ops, struct cmos_rtc, CMOS_RTC_PORTS, cmos_rtc_read, cmos_rtc_write);
