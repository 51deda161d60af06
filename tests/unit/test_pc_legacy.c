/* Host unit tests for the small PC devices of a partition: the masked 8259A pair
 * (guest/pic8259.c: Linux's probe and initialization, OCW3 reads, poll), the ACPI fixed
 * hardware (guest/acpi_pm.c: PM1 status, enable and control, S5 power-off, the PM timer from
 * the TSC) and the reset controls (guest/reset_control.c: 0xCF9 and the 8042's pulse). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "guest/acpi_pm.h"
#include "guest/pic8259.h"
#include "guest/reset_control.h"
#include "tests/unit/diag_sink.h"

/* ---- 8259A pair ---------------------------------------------------------------------- */

static void test_pic_bios_state(void **state)
{
    (void)state;
    struct pic8259_pair pair;
    pic8259_pair_init(&pair);
    assert_int_equal(pic8259_read(&pair.master, PIC8259_PORT_DATA), 0xFF);
    assert_int_equal(pic8259_read(&pair.slave, PIC8259_PORT_DATA), 0xFF);
    assert_int_equal(pic8259_read(&pair.master, PIC8259_PORT_COMMAND), 0);
    assert_int_equal(pair.master.icw2, 0x08);
    assert_int_equal(pair.slave.icw2, 0x70);
    assert_int_equal(pair.master.icw3, 0x04);
    assert_int_equal(pair.slave.icw3, 0x02);
    assert_int_equal(pair.master.expect, PIC8259_EXPECT_OCW1);
}

/* arch/x86/kernel/i8259.c: probe (slave IMR 0xFF, master IMR 0xFB read back), then
 * init_8259A: ICW1 0x11, ICW2 the vector base, ICW3, ICW4 8086 mode, then the cached masks. */
static void test_pic_linux_probe_and_init(void **state)
{
    (void)state;
    struct pic8259_pair pair;
    pic8259_pair_init(&pair);
    const struct vcpu_port_ops *ops = &pic8259_port_ops;
    ops->write(&pair.slave, 1, 1, 0xFF);
    ops->write(&pair.master, 1, 1, 0xFB);
    assert_int_equal(ops->read(&pair.master, 1, 1), 0xFB);      /* a PIC is there */

    ops->write(&pair.master, 1, 1, 0xFF);
    ops->write(&pair.master, 0, 1, 0x11);
    assert_int_equal(ops->read(&pair.master, 1, 1), 0x00);      /* ICW1 clears the IMR */
    ops->write(&pair.master, 1, 1, 0x30);
    ops->write(&pair.master, 1, 1, 0x04);
    ops->write(&pair.master, 1, 1, 0x01);
    ops->write(&pair.slave, 0, 1, 0x11);
    ops->write(&pair.slave, 1, 1, 0x38);
    ops->write(&pair.slave, 1, 1, 0x02);
    ops->write(&pair.slave, 1, 1, 0x01);
    assert_int_equal(pair.master.icw2, 0x30);
    assert_int_equal(pair.master.icw3, 0x04);
    assert_int_equal(pair.master.icw4, 0x01);
    assert_int_equal(pair.slave.icw2, 0x38);
    assert_int_equal(pair.slave.icw3, 0x02);
    assert_int_equal(pair.slave.icw4, 0x01);
    ops->write(&pair.master, 1, 1, 0xFB);
    ops->write(&pair.slave, 1, 1, 0xFF);
    assert_int_equal(ops->read(&pair.master, 1, 1), 0xFB);
    assert_int_equal(ops->read(&pair.slave, 1, 1), 0xFF);
    assert_int_equal(pair.master.expect, PIC8259_EXPECT_OCW1);

    /* With the I/O APIC in charge Linux masks every line. */
    ops->write(&pair.master, 1, 1, 0xFF);
    assert_int_equal(ops->read(&pair.master, 1, 1), 0xFF);
}

static void test_pic_icw_sequence_variants(void **state)
{
    (void)state;
    struct pic8259 chip;
    struct pic8259_pair pair;
    pic8259_pair_init(&pair);
    chip = pair.master;

    /* Single, no ICW4: ICW2 alone, then OCW1; the vector's low three bits do not exist. */
    pic8259_write(&chip, PIC8259_PORT_COMMAND, PIC8259_ICW1 | PIC8259_ICW1_SINGLE);
    pic8259_write(&chip, PIC8259_PORT_DATA, 0x27);
    assert_int_equal(chip.icw2, 0x20);
    assert_int_equal(chip.icw4, 0);
    assert_int_equal(chip.expect, PIC8259_EXPECT_OCW1);
    pic8259_write(&chip, PIC8259_PORT_DATA, 0x5A);
    assert_int_equal(pic8259_read(&chip, PIC8259_PORT_DATA), 0x5A);
    assert_int_equal(chip.icw3, 0x04);                          /* untouched */

    /* Single with ICW4: ICW2, ICW4. */
    pic8259_write(&chip, PIC8259_PORT_COMMAND, 0x13);
    pic8259_write(&chip, PIC8259_PORT_DATA, 0x40);
    assert_int_equal(chip.expect, PIC8259_EXPECT_ICW4);
    pic8259_write(&chip, PIC8259_PORT_DATA, PIC8259_ICW4_8086 | PIC8259_ICW4_AEOI);
    assert_int_equal(chip.icw4, 0x03);
    assert_int_equal(pic8259_read(&chip, PIC8259_PORT_DATA), 0x00);

    /* Cascade without ICW4: ICW2, ICW3. A new ICW1 midway starts again. */
    pic8259_write(&chip, PIC8259_PORT_COMMAND, 0x10);
    pic8259_write(&chip, PIC8259_PORT_DATA, 0x50);
    pic8259_write(&chip, PIC8259_PORT_COMMAND, 0x19);          /* level, ICW4 */
    assert_int_equal(chip.expect, PIC8259_EXPECT_ICW2);
    pic8259_write(&chip, PIC8259_PORT_DATA, 0x68);
    pic8259_write(&chip, PIC8259_PORT_DATA, 0x80);
    pic8259_write(&chip, PIC8259_PORT_DATA, 0x01);
    pic8259_write(&chip, PIC8259_PORT_DATA, 0x7E);
    assert_int_equal(chip.icw1, 0x19);
    assert_int_equal(chip.icw2, 0x68);
    assert_int_equal(chip.icw3, 0x80);
    assert_int_equal(chip.icw4, 0x01);
    assert_int_equal(pic8259_read(&chip, PIC8259_PORT_DATA), 0x7E);
}

static void test_pic_ocw2_ocw3_and_poll(void **state)
{
    (void)state;
    struct pic8259_pair pair;
    pic8259_pair_init(&pair);
    struct pic8259 *m = &pair.master;
    pic8259_write(m, PIC8259_PORT_DATA, 0xB8);
    pic8259_write(m, PIC8259_PORT_COMMAND, 0x0B);               /* read ISR */
    assert_true(m->read_isr);
    assert_int_equal(pic8259_read(m, PIC8259_PORT_COMMAND), 0);
    pic8259_write(m, PIC8259_PORT_COMMAND, 0x0A);               /* read IRR */
    assert_false(m->read_isr);
    assert_int_equal(pic8259_read(m, PIC8259_PORT_COMMAND), 0);
    pic8259_write(m, PIC8259_PORT_COMMAND, 0x08);               /* RR clear: no change */
    assert_false(m->read_isr);
    pic8259_write(m, PIC8259_PORT_COMMAND, 0x68);               /* special mask on */
    assert_true(m->special_mask);
    pic8259_write(m, PIC8259_PORT_COMMAND, 0x48);
    assert_false(m->special_mask);

    pic8259_write(m, PIC8259_PORT_COMMAND, 0x20);               /* non-specific EOI */
    pic8259_write(m, PIC8259_PORT_COMMAND, 0x62);               /* specific EOI, IR2 */
    pic8259_write(m, PIC8259_PORT_COMMAND, 0xC7);               /* set priority */
    assert_int_equal(pic8259_read(m, PIC8259_PORT_DATA), 0xB8);

    pic8259_write(m, PIC8259_PORT_COMMAND, 0x0C);               /* poll */
    assert_int_equal(pic8259_read(m, PIC8259_PORT_DATA), 0x00);      /* no request */
    assert_int_equal(pic8259_read(m, PIC8259_PORT_DATA), 0xB8);      /* poll over */
    pic8259_write(m, PIC8259_PORT_COMMAND, 0x0C);
    assert_int_equal(pic8259_read(m, PIC8259_PORT_COMMAND), 0x00);
    assert_false(m->poll);
    assert_int_equal(pic8259_read(m, 2), 0xFF);
    pic8259_write(m, 2, 0x00);
    assert_int_equal(pic8259_read(m, PIC8259_PORT_DATA), 0xB8);
}

static void test_pic_wide_accesses(void **state)
{
    (void)state;
    struct pic8259_pair pair;
    pic8259_pair_init(&pair);
    pic8259_port_ops.write(&pair.master, 1, 1, 0xA5);
    assert_int_equal(pic8259_port_ops.read(&pair.master, 0, 2), 0xA500);
    assert_int_equal(pic8259_port_ops.read(&pair.master, 1, 2), 0xFFA5);
    assert_int_equal(pic8259_port_ops.read(&pair.master, 0, 4), 0xFFFFA500);
    /* outw 0x20: OCW3 "read ISR" to the command port, 0x3C to the IMR */
    pic8259_port_ops.write(&pair.master, 0, 2, 0x3C0B);
    assert_true(pair.master.read_isr);
    assert_int_equal(pair.master.imr, 0x3C);
    assert_int_equal(pair.slave.imr, 0xFF);
}

/* ---- ACPI fixed hardware ------------------------------------------------------------ */

struct fake_platform {
    uint64_t tsc;
    unsigned power_offs, resets;
};

static uint64_t fake_tsc(void *ctx)
{
    return ((struct fake_platform *)ctx)->tsc;
}

static void fake_request(void *ctx, enum platform_request request)
{
    struct fake_platform *p = ctx;
    if (request == PLATFORM_POWER_OFF)
        p->power_offs++;
    else if (request == PLATFORM_RESET)
        p->resets++;
    else
        fail_msg("request %d", request);
}

#define TEST_TSC_HZ     (3579545ull * 1000)     /* 1000 TSC ticks per PM timer tick */

struct pm_fixture {
    struct acpi_pm pm;
    struct fake_platform p;
    struct sink s;
};

/* cmocka setup: a fresh device at TEST_TSC_HZ whose requests and reports are counted. */
static int pm_setup(void **state)
{
    static struct pm_fixture f;
    memset(&f.p, 0, sizeof(f.p));
    f.p.tsc = 123456789;
    sink_reset(&f.s);
    struct acpi_pm_config config = { fake_tsc, &f.p, TEST_TSC_HZ, fake_request, &f.p, &f.s.diag };
    if (!acpi_pm_init(&f.pm, &config))
        return -1;
    *state = &f;
    return 0;
}

static void test_pm_init_rejects(void **state)
{
    (void)state;
    struct sink s;
    sink_reset(&s);
    struct fake_platform p = { 0, 0, 0 };
    struct acpi_pm pm;
    struct acpi_pm_config no_tsc = { NULL, NULL, 1000, NULL, NULL, &s.diag };
    struct acpi_pm_config zero = { fake_tsc, &p, 0, NULL, NULL, &s.diag };
    struct acpi_pm_config huge = { fake_tsc, &p, UINT64_MAX / 3579545 + 1, NULL, NULL, &s.diag };
    struct acpi_pm_config top = { fake_tsc, &p, UINT64_MAX / 3579545, NULL, NULL, &s.diag };
    assert_false(acpi_pm_init(&pm, &no_tsc));
    assert_int_equal(acpi_pm_read(&pm, ACPI_PM_OFFSET_TIMER, 4), 0);
    assert_false(acpi_pm_init(&pm, &zero));
    assert_false(acpi_pm_init(&pm, &huge));
    assert_true(acpi_pm_init(&pm, &top));
    ASSERT_LINES(&s, "acpi pm: no TSC to count the PM timer from",
                 "acpi pm: TSC frequency 0 Hz out of range (1 to 5153376776576)",
                 "acpi pm: TSC frequency 5153376776577 Hz out of range (1 to 5153376776576)");
}

static void test_pm_power_on_state(void **state)
{
    struct pm_fixture *f = *state;
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_STATUS, 2), 0);
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_ENABLE, 2), 0);
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_CONTROL, 2), ACPI_PM1_CNT_SCI_EN);
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_TIMER, 4), 0);
    assert_int_equal(acpi_pm_read(&f->pm, 6, 2), 0xFFFF);                 /* the gap */
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_PORTS, 1), 0xFF);
    assert_int_equal(acpi_pm_read(&f->pm, 0, 4), 0);                       /* status + enable */
    assert_false(acpi_pm_sci_asserted(&f->pm));
}

static void test_pm1_status_and_enable(void **state)
{
    struct pm_fixture *f = *state;
    acpi_pm_write(&f->pm, ACPI_PM_OFFSET_ENABLE, 2, 0xFFFF);
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_ENABLE, 2), 0x4721);
    acpi_pm_write(&f->pm, ACPI_PM_OFFSET_ENABLE, 2, 0);
    acpi_pm_press_power_button(&f->pm);
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_STATUS, 2), ACPI_PM1_PWRBTN);
    assert_false(acpi_pm_sci_asserted(&f->pm));
    acpi_pm_write(&f->pm, ACPI_PM_OFFSET_ENABLE + 1, 1, 0x01);           /* PWRBTN_EN */
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_ENABLE, 2), ACPI_PM1_PWRBTN);
    assert_true(acpi_pm_sci_asserted(&f->pm));
    assert_int_equal(acpi_pm_read(&f->pm, 0, 4), 0x01000100);
    acpi_pm_write(&f->pm, ACPI_PM_OFFSET_STATUS, 2, 0xFEFF);               /* other bits: kept */
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_STATUS, 2), ACPI_PM1_PWRBTN);
    acpi_pm_write(&f->pm, ACPI_PM_OFFSET_STATUS + 1, 1, 0x01);            /* write 1 to clear */
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_STATUS, 2), 0);
    assert_false(acpi_pm_sci_asserted(&f->pm));
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_ENABLE, 2), ACPI_PM1_PWRBTN);
    assert_int_equal(f->p.power_offs + f->p.resets, 0);
}

/* ACPICA's legacy sleep: clear WAK_STS, write SLP_TYP, then SLP_TYP | SLP_EN. */
static void test_pm1_control_s5_powers_off(void **state)
{
    struct pm_fixture *f = *state;
    acpi_pm_write(&f->pm, ACPI_PM_OFFSET_STATUS, 2, ACPI_PM1_WAK_STS);
    acpi_pm_write(&f->pm, ACPI_PM_OFFSET_CONTROL, 2, 0x1401);
    assert_int_equal(f->p.power_offs, 0);
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_CONTROL, 2), 0x1401);
    acpi_pm_write(&f->pm, ACPI_PM_OFFSET_CONTROL, 2, 0x3401);
    assert_int_equal(f->p.power_offs, 1);
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_CONTROL, 2), 0x1401);   /* SLP_EN reads 0 */
    assert_int_equal(f->s.count, 0);

    /* SCI_EN cannot be cleared; BM_RLD is kept; GBL_RLS reads 0. */
    acpi_pm_write(&f->pm, ACPI_PM_OFFSET_CONTROL, 2, 0x0006);
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_CONTROL, 2), 0x0003);
    /* The high byte alone carries SLP_TYP and SLP_EN. */
    acpi_pm_write(&f->pm, ACPI_PM_OFFSET_CONTROL + 1, 1, 0x34);
    assert_int_equal(f->p.power_offs, 2);
    acpi_pm_write(&f->pm, ACPI_PM_OFFSET_CONTROL, 1, 0xFF);               /* low byte: no sleep */
    assert_int_equal(f->p.power_offs, 2);
    /* A 4-byte write from the enable register reaches the control register too. */
    acpi_pm_write(&f->pm, ACPI_PM_OFFSET_ENABLE, 4, 0x34010100);
    assert_int_equal(f->p.power_offs, 3);
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_ENABLE, 2), ACPI_PM1_PWRBTN);
}

static void test_pm1_control_other_sleep_types(void **state)
{
    struct pm_fixture *f = *state;
    for (unsigned type = 0; type < 8; type++) {
        if (type == PC_ACPI_S5_SLP_TYP)
            continue;
        acpi_pm_write(&f->pm, ACPI_PM_OFFSET_STATUS, 2, ACPI_PM1_WAK_STS);
        acpi_pm_write(&f->pm, ACPI_PM_OFFSET_CONTROL, 2, ACPI_PM1_CNT_SLP_EN | type << 10);
        assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_STATUS, 2), ACPI_PM1_WAK_STS);
        assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_CONTROL, 2), 1 | type << 10);
    }
    assert_int_equal(f->p.power_offs + f->p.resets, 0);
    ASSERT_LINES(&f->s, "acpi pm: sleep type 0 is not supported (only 5, soft off): ignored, the "
                     "guest wakes at once (reported once)");
}

static void test_pm_timer_ticks(void **state)
{
    (void)state;
    assert_int_equal(acpi_pm_timer_ticks(0, TEST_TSC_HZ), 0);
    assert_int_equal(acpi_pm_timer_ticks(999, TEST_TSC_HZ), 0);
    assert_int_equal(acpi_pm_timer_ticks(1000, TEST_TSC_HZ), 1);
    assert_int_equal(acpi_pm_timer_ticks(TEST_TSC_HZ, TEST_TSC_HZ), 3579545);
    assert_int_equal(acpi_pm_timer_ticks(1000ull << 24, TEST_TSC_HZ), 0);          /* wrap */
    assert_int_equal(acpi_pm_timer_ticks(1000ull * ((1 << 24) + 5), TEST_TSC_HZ), 5);
    assert_int_equal(acpi_pm_timer_ticks(1000ull * ((1 << 24) - 1), TEST_TSC_HZ), 0xFFFFFF);
    assert_int_equal(acpi_pm_timer_ticks(2400000000ull, 2400000000ull), 3579545);
    assert_int_equal(acpi_pm_timer_ticks(1200000000ull, 2400000000ull), 1789772);
    /* Against 128-bit arithmetic (host only), where the plain product overflows 64 bits. */
    static const uint64_t hz[] = { 1, 3, 1000000, 2400000000ull, 2899999999ull,
                                   UINT64_MAX / 3579545 };
    static const uint64_t elapsed[] = { 1, 12345, 5153376776577ull, 1ull << 40, 1ull << 63,
                                        UINT64_MAX - 1, UINT64_MAX };
    for (size_t i = 0; i < sizeof(hz) / sizeof(hz[0]); i++)
        for (size_t j = 0; j < sizeof(elapsed) / sizeof(elapsed[0]); j++) {
            unsigned __int128 want = (unsigned __int128)elapsed[j] * 3579545u / hz[i];
            assert_int_equal(acpi_pm_timer_ticks(elapsed[j], hz[i]),
                             (uint32_t)(want & 0xFFFFFF));
        }
}

static void test_pm_timer_reads(void **state)
{
    struct pm_fixture *f = *state;
    f->p.tsc += 1000ull * 0x123456;
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_TIMER, 4), 0x123456);
    assert_int_equal(acpi_pm_port_ops.read(&f->pm, ACPI_PM_OFFSET_TIMER, 4), 0x123456);
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_TIMER, 1), 0x56);
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_TIMER + 1, 2), 0x1234);
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_TIMER + 2, 2), 0x0012);
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_TIMER + 3, 1), 0x00);
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_TIMER + 2, 4), 0xFFFF0012);
    acpi_pm_write(&f->pm, ACPI_PM_OFFSET_TIMER, 4, 0);                     /* read-only */
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_TIMER, 4), 0x123456);
    f->p.tsc += 1000ull * (0x1000000 - 0x123456 + 7);
    assert_int_equal(acpi_pm_read(&f->pm, ACPI_PM_OFFSET_TIMER, 4), 7);   /* 24-bit wrap */
    uint32_t last = 7;
    for (unsigned i = 0; i < 1000; i++) {
        f->p.tsc += 777;
        uint32_t now = acpi_pm_read(&f->pm, ACPI_PM_OFFSET_TIMER, 4);
        assert_true(now >= last);
        last = now;
    }
    assert_int_equal(last, 7 + 777);
}

/* ---- reset controls ----------------------------------------------------------------- */

static void setup_reset(struct reset_control *rc, struct fake_platform *p)
{
    memset(p, 0, sizeof(*p));
    reset_control_init(rc, fake_request, p);
}

static void test_cf9_reset_sequences(void **state)
{
    (void)state;
    struct fake_platform p;
    struct reset_control rc;
    setup_reset(&rc, &p);
    const struct vcpu_port_ops *ops = &reset_control_port_ops;

    /* Linux's reboot=pci: read, 0x02 (hard), then 0x06. */
    uint8_t cf9 = (uint8_t)ops->read(&rc, 0, 1);
    assert_int_equal(cf9, 0);
    ops->write(&rc, 0, 1, cf9 | 0x02);
    assert_int_equal(p.resets, 0);
    assert_int_equal(ops->read(&rc, 0, 1), 0x02);
    ops->write(&rc, 0, 1, cf9 | 0x06);
    assert_int_equal(p.resets, 1);
    ops->write(&rc, 0, 1, 0x06);                        /* no new transition */
    assert_int_equal(p.resets, 1);

    reset_control_init(&rc, fake_request, &p);          /* the partition restarted */
    ops->write(&rc, 0, 1, PC_RESET_VALUE);              /* the FADT's RESET_REG */
    assert_int_equal(p.resets, 2);
    ops->write(&rc, 0, 1, 0x00);
    ops->write(&rc, 0, 1, 0x0E);                        /* full reset */
    assert_int_equal(p.resets, 3);
    ops->write(&rc, 0, 1, 0xFF);
    assert_int_equal(ops->read(&rc, 0, 1), 0x0E);
    assert_int_equal(p.resets, 3);
    ops->write(&rc, 0, 1, 0xF9);
    ops->write(&rc, 0, 1, 0x04);                        /* soft reset: a reset too */
    assert_int_equal(p.resets, 4);
    assert_int_equal(p.power_offs, 0);
}

static void test_cf9_wide_accesses(void **state)
{
    (void)state;
    struct fake_platform p;
    struct reset_control rc;
    setup_reset(&rc, &p);
    reset_control_port_ops.write(&rc, 0, 2, 0x0606);
    reset_control_port_ops.write(&rc, 0, 4, 0x06060606);
    assert_int_equal(p.resets, 0);
    assert_int_equal(reset_control_port_ops.read(&rc, 0, 2), 0xFFFF);
    assert_int_equal(reset_control_port_ops.read(&rc, 0, 4), 0xFFFFFFFF);
    assert_int_equal(reset_control_port_ops.read(&rc, 1, 1), 0xFF);
    reset_control_port_ops.write(&rc, 1, 1, 0x06);
    assert_int_equal(p.resets, 0);
    assert_int_equal(reset_control_port_ops.read(&rc, 0, 1), 0x00);

    struct reset_control lost;
    reset_control_init(&lost, NULL, NULL);              /* no request function: no crash */
    reset_control_write(&lost, 0, 1, 0x06);
    assert_int_equal(reset_control_read(&lost, 0, 1), 0x06);
}

static void test_kbc_reset_pulse(void **state)
{
    (void)state;
    struct fake_platform p;
    struct reset_control rc;
    setup_reset(&rc, &p);
    const struct vcpu_port_ops *ops = &reset_control_kbc_ops;
    assert_int_equal(ops->read(&rc, 0, 1), 0xFF);       /* no 8042 */
    assert_int_equal(ops->read(&rc, 0, 2), 0xFFFF);
    static const uint8_t harmless[] = { 0x00, 0xAA, 0xAD, 0xD1, 0xEF, 0xF1, 0xFF };
    for (size_t i = 0; i < sizeof(harmless); i++)
        ops->write(&rc, 0, 1, harmless[i]);
    ops->write(&rc, 0, 2, 0xFE);
    ops->write(&rc, 1, 1, 0xFE);
    assert_int_equal(p.resets, 0);
    ops->write(&rc, 0, 1, 0xFE);
    assert_int_equal(p.resets, 1);
    ops->write(&rc, 0, 1, 0xF0);
    assert_int_equal(p.resets, 2);
    assert_int_equal(rc.value, 0);                      /* RST_CNT untouched */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pic_bios_state),
        cmocka_unit_test(test_pic_linux_probe_and_init),
        cmocka_unit_test(test_pic_icw_sequence_variants),
        cmocka_unit_test(test_pic_ocw2_ocw3_and_poll),
        cmocka_unit_test(test_pic_wide_accesses),
        cmocka_unit_test(test_pm_init_rejects),
        cmocka_unit_test_setup(test_pm_power_on_state, pm_setup),
        cmocka_unit_test_setup(test_pm1_status_and_enable, pm_setup),
        cmocka_unit_test_setup(test_pm1_control_s5_powers_off, pm_setup),
        cmocka_unit_test_setup(test_pm1_control_other_sleep_types, pm_setup),
        cmocka_unit_test(test_pm_timer_ticks),
        cmocka_unit_test_setup(test_pm_timer_reads, pm_setup),
        cmocka_unit_test(test_cf9_reset_sequences),
        cmocka_unit_test(test_cf9_wide_accesses),
        cmocka_unit_test(test_kbc_reset_pulse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
