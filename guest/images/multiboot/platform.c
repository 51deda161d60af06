/* Multiboot test kernel: the partition's PC devices seen from inside (MC146818A CMOS clock at
 * 0x70/0x71; ACPI PM1a control at 0x604 and the reset register 0xCF9, the addresses the
 * partition's FADT gives): the date is read and checked for form, and with "poweroff" or
 * "reset" on the command line the kernel ends itself through the FADT's registers; with
 * "triplefault" it shuts its CPU down (SDM Vol. 3A 6.15, interrupt 8: a fault while
 * delivering #DF). */
#include "guest/images/multiboot/mb_kernel.h"

#include "arch/x86/io.h"
#include "lib/cmdline.h"

#define CMOS_INDEX      0x70
#define CMOS_DATA       0x71
#define PM1A_CONTROL    0x604
#define PM1_SLP_TYP_S5  (5u << 10)
#define PM1_SLP_EN      (1u << 13)
#define RESET_CONTROL   0xCF9
#define RESET_FULL      0x06

static uint8_t cmos(uint8_t index)
{
    outb(CMOS_INDEX, index);
    return inb(CMOS_DATA);
}

/* BCD byte to binary; 0xFF when it is not BCD. */
static unsigned bcd(uint8_t v)
{
    return (v & 0x0F) > 9 || (v >> 4) > 9 ? 0xFF : (v >> 4) * 10u + (v & 0x0Fu);
}

static void check_cmos_clock(void)
{
    unsigned century = bcd(cmos(0x32)), year = bcd(cmos(0x09)), month = bcd(cmos(0x08));
    unsigned day = bcd(cmos(0x07)), hour = bcd(cmos(0x04)), minute = bcd(cmos(0x02));
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
        century < 19 || century > 99 || year > 99)
        mb_fail("cmos clock reads no date (century %u year %u month %u day %u)", century, year,
                month, day);
    else
        mb_say("cmos clock %02u%02u-%02u-%02u %02u:%02u", century, year, month, day, hour,
               minute);
}

void mb_platform_check(void)
{
    check_cmos_clock();
}

void mb_platform_end(const char *cmdline)
{
    char value[4];
    if (cmdline_get(cmdline, "poweroff", value, sizeof(value))) {
        mb_say("powering off through PM1a control");
        outw(PM1A_CONTROL, (uint16_t)(PM1_SLP_TYP_S5 | PM1_SLP_EN));
        mb_say("FAIL still running after the power-off write");
    } else if (cmdline_get(cmdline, "reset", value, sizeof(value))) {
        mb_say("resetting through 0xCF9");
        outb(RESET_CONTROL, RESET_FULL);
        mb_say("FAIL still running after the reset write");
    } else if (cmdline_get(cmdline, "triplefault", value, sizeof(value))) {
        /* #UD finds no gate, nor does the #GP for that, nor the #DF: the CPU shuts down. */
        static const struct __attribute__((packed)) { uint16_t limit; uint32_t base; } empty = { 0, 0 };
        mb_say("triple fault: an empty IDT, then UD2");
        __asm__ volatile("lidt %0\n\tud2" : : "m"(empty));
        mb_say("FAIL still running after the triple fault");
    }
}
