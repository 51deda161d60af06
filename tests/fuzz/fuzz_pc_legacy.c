/* libFuzzer target for the small PC devices of a partition: guest/pic8259.c (8259A data
 * sheet), guest/acpi_pm.c (ACPI 6.5 4.8.3) and guest/reset_control.c (0xCF9, the 8042's
 * pulse). The input is a sequence of guest port accesses, of any size and offset, and TSC
 * movements; each is applied to the device and to a model, and every read, request and
 * interrupt line is compared; the PM timer against 128-bit arithmetic.
 *
 * The input starts with the TSC frequency (u64; out of range: the device refuses it). Then
 * each operation is one byte, kind in bits 7:5:
 *   0 8259 byte access: bit 4 slave, bit 3 read, bits 1:0 offset (2, 3: past the ports);
 *     value: next byte                     1 8259 wide access through the port ops: bits 1:0
 *     size 1/2/4/3, bit 2 offset 1, bit 3 read, bit 4 slave; value: next u32
 *   2 ACPI access: next byte: bits 3:0 offset, bits 5:4 size 1/2/4/3, bit 6 read; value: u32
 *   3 the TSC moves on by the next u32 shifted left by bits 4:0
 *   4 0xCF9 access: bits 1:0 size, bit 2 offset 1, bit 3 read; value: next byte
 *   5 port 0x64 access, the same          6 the power button is pressed
 *   7 PM timer arithmetic for the next two u64 (elapsed, frequency), then fresh devices with
 *     the next u64 as the TSC frequency (a partition restart) */
#include "tests/fuzz/fuzz_common.h"

#include "guest/acpi_pm.h"
#include "guest/pic8259.h"
#include "guest/reset_control.h"

#define PM_HZ_MAX   (UINT64_MAX / 3579545u)

static const unsigned sizes[4] = { 1, 2, 4, 3 };

struct platform {
    uint64_t tsc;
    unsigned power_offs, resets;
};

static uint64_t read_tsc(void *ctx)
{
    return ((struct platform *)ctx)->tsc;
}

static void request(void *ctx, enum platform_request r)
{
    struct platform *p = ctx;
    FUZZ_CHECK(r == PLATFORM_POWER_OFF || r == PLATFORM_RESET);
    if (r == PLATFORM_POWER_OFF)
        p->power_offs++;
    else
        p->resets++;
}

struct pic_model {
    uint8_t imr, icw1;
    int expect;                 /* 0: OCW1, 2-4: that ICW */
    bool poll;
};

struct model {
    struct pic_model pic[2];
    bool pm_counting;
    uint64_t hz, tsc_base;
    uint16_t status, enable, control;
    unsigned power_offs;
    uint8_t rst_cnt;
    unsigned resets;
};

struct devices {
    struct platform platform;
    struct pic8259_pair pics;
    struct acpi_pm pm;
    struct reset_control reset;
    struct fuzz_diag diag;
    struct model m;
};

static void devices_init(struct devices *d, uint64_t hz)
{
    pic8259_pair_init(&d->pics);
    struct acpi_pm_config config = { read_tsc, &d->platform, hz, request, &d->platform,
                                     &d->diag.diag };
    bool ok = acpi_pm_init(&d->pm, &config);
    FUZZ_CHECK(ok == (hz >= 1 && hz <= PM_HZ_MAX));
    reset_control_init(&d->reset, request, &d->platform);
    memset(&d->m, 0, sizeof(d->m));
    for (int i = 0; i < 2; i++)
        d->m.pic[i] = (struct pic_model){ 0xFF, 0x11, 0, false };
    d->m.pm_counting = ok;
    d->m.hz = hz;
    d->m.tsc_base = d->platform.tsc;
    d->m.power_offs = d->platform.power_offs;
    d->m.resets = d->platform.resets;
}

/* ---- 8259 ---- */

static void pic_model_write(struct pic_model *c, unsigned offset, uint8_t v)
{
    if (offset == 0 && (v & 0x10)) {
        c->icw1 = v;
        c->imr = 0;
        c->poll = false;
        c->expect = 2;
    } else if (offset == 0 && (v & 0x08)) {
        c->poll = (v & 0x04) != 0;
    } else if (offset == 1) {
        bool cascade = !(c->icw1 & 0x02), icw4 = (c->icw1 & 0x01) != 0;
        if (c->expect == 2)
            c->expect = cascade ? 3 : icw4 ? 4 : 0;
        else if (c->expect == 3)
            c->expect = icw4 ? 4 : 0;
        else if (c->expect == 4)
            c->expect = 0;
        else
            c->imr = v;
    }
}

static void pic_model_read(struct pic_model *c, unsigned offset, uint8_t got)
{
    if (offset > 1) {
        FUZZ_CHECK(got == 0xFF);
    } else if (c->poll) {
        FUZZ_CHECK(got == 0);
        c->poll = false;
    } else {
        FUZZ_CHECK(got == (offset == 1 ? c->imr : 0));
    }
}

static void pic_check(const struct pic8259 *chip, const struct pic_model *c)
{
    FUZZ_CHECK(chip->imr == c->imr && chip->icw1 == c->icw1 && (int)chip->expect ==
               (c->expect == 0 ? PIC8259_EXPECT_OCW1 : c->expect == 2 ? PIC8259_EXPECT_ICW2
                : c->expect == 3 ? PIC8259_EXPECT_ICW3 : PIC8259_EXPECT_ICW4));
    FUZZ_CHECK((chip->icw2 & 7) == 0 && chip->poll == c->poll);
}

static void pic_access(struct devices *d, uint8_t op, bool wide, struct fuzz_input *in)
{
    int which = (op >> 4) & 1;
    struct pic8259 *chip = which ? &d->pics.slave : &d->pics.master;
    struct pic_model *c = &d->m.pic[which];
    unsigned size = wide ? sizes[op & 3] : 1;
    unsigned offset = wide ? (op >> 2) & 1 : op & 3;
    uint32_t value = wide ? fuzz_u32(in) : fuzz_u8(in);

    if (op & 8) {
        uint32_t got = wide ? pic8259_port_ops.read(chip, (uint16_t)offset, size)
                            : pic8259_read(chip, offset);
        for (unsigned i = 0; i < size; i++)
            pic_model_read(c, offset + i, (uint8_t)(got >> (8 * i)));
    } else {
        if (wide)
            pic8259_port_ops.write(chip, (uint16_t)offset, size, value);
        else
            pic8259_write(chip, offset, (uint8_t)value);
        for (unsigned i = 0; i < size; i++)
            pic_model_write(c, offset + i, (uint8_t)(value >> (8 * i)));
    }
    pic_check(chip, c);
}

/* ---- ACPI ---- */

static uint32_t timer_oracle(uint64_t elapsed, uint64_t hz)
{
    unsigned __int128 ticks = (unsigned __int128)elapsed * 3579545u / hz;
    return (uint32_t)(ticks & 0xFFFFFF);
}

static uint8_t pm_model_byte(const struct model *m, uint32_t timer, unsigned reg)
{
    uint16_t control = (uint16_t)(m->control | 1);
    if (reg < 2)
        return (uint8_t)(m->status >> (8 * reg));
    if (reg < 4)
        return (uint8_t)(m->enable >> (8 * (reg - 2)));
    if (reg < 6)
        return (uint8_t)(control >> (8 * (reg - 4)));
    if (reg >= 8 && reg < 12)
        return (uint8_t)(timer >> (8 * (reg - 8)));
    return 0xFF;
}

static void pm_model_write(struct model *m, unsigned reg, uint8_t v)
{
    if (reg < 2) {
        m->status &= (uint16_t)~(v << (8 * reg));
    } else if (reg < 4) {
        unsigned shift = 8 * (reg - 2);
        m->enable = (uint16_t)(((m->enable & ~(0xFFu << shift)) | (unsigned)v << shift) & 0x4721);
    } else if (reg == 4) {
        m->control = (uint16_t)((m->control & 0x1C00) | (v & 0x02));
    } else if (reg == 5) {
        m->control = (uint16_t)((m->control & 0x0002) | ((v << 8) & 0x1C00));
        if (v & 0x20) {
            if (((v >> 2) & 7) == 5)
                m->power_offs++;
            else
                m->status |= 0x8000;
        }
    }
}

static void pm_access(struct devices *d, struct fuzz_input *in)
{
    uint8_t how = fuzz_u8(in);
    unsigned offset = how & 15, size = sizes[(how >> 4) & 3];
    struct model *m = &d->m;

    if (how & 0x40) {
        uint32_t got = acpi_pm_port_ops.read(&d->pm, (uint16_t)offset, size);
        uint32_t timer = m->pm_counting ? timer_oracle(d->platform.tsc - m->tsc_base, m->hz) : 0;
        for (unsigned i = 0; i < size; i++)
            FUZZ_CHECK((uint8_t)(got >> (8 * i)) ==
                       (offset + i < ACPI_PM_PORTS ? pm_model_byte(m, timer, offset + i) : 0xFF));
        return;
    }
    uint32_t value = fuzz_u32(in);
    acpi_pm_port_ops.write(&d->pm, (uint16_t)offset, size, value);
    for (unsigned i = 0; i < size && offset + i < ACPI_PM_PORTS; i++)
        pm_model_write(m, offset + i, (uint8_t)(value >> (8 * i)));
}

/* ---- reset ---- */

static void reset_access(struct devices *d, uint8_t op, bool kbc, struct fuzz_input *in)
{
    unsigned size = sizes[op & 3], offset = (op >> 2) & 1;
    const struct vcpu_port_ops *ops = kbc ? &reset_control_kbc_ops : &reset_control_port_ops;
    uint32_t all = size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    bool byte_reg = size == 1 && offset == 0;
    uint8_t value = fuzz_u8(in);

    if (op & 8) {
        uint32_t got = ops->read(&d->reset, (uint16_t)offset, size);
        FUZZ_CHECK(got == (byte_reg && !kbc ? d->m.rst_cnt : all));
        return;
    }
    ops->write(&d->reset, (uint16_t)offset, size, value);
    if (!byte_reg)
        return;
    if (kbc) {
        if (value >= 0xF0 && !(value & 1))
            d->m.resets++;
        return;
    }
    if ((value & 4) && !(d->m.rst_cnt & 4))
        d->m.resets++;
    d->m.rst_cnt = value & 0x0E;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = fuzz_input(data, size);
    static struct devices d;

    memset(&d, 0, sizeof(d));
    fuzz_diag_init(&d.diag);
    d.platform.tsc = fuzz_u64(&in);
    devices_init(&d, fuzz_u64(&in));
    while (fuzz_left(&in) > 0) {
        uint8_t op = fuzz_u8(&in);
        switch (op >> 5) {
        case 0:
        case 1:
            pic_access(&d, op, (op >> 5) == 1, &in);
            break;
        case 2:
            pm_access(&d, &in);
            break;
        case 3:
            d.platform.tsc += (uint64_t)fuzz_u32(&in) << (op & 31);
            break;
        case 4:
        case 5:
            reset_access(&d, op, (op >> 5) == 5, &in);
            break;
        case 6:
            acpi_pm_press_power_button(&d.pm);
            d.m.status |= 0x0100;
            break;
        default: {
            uint64_t elapsed = fuzz_u64(&in), hz = fuzz_u64(&in) % PM_HZ_MAX + 1;
            FUZZ_CHECK(acpi_pm_timer_ticks(elapsed, hz) == timer_oracle(elapsed, hz));
            devices_init(&d, fuzz_u64(&in));
            break;
        }
        }
        FUZZ_CHECK(d.platform.power_offs == d.m.power_offs && d.platform.resets == d.m.resets);
        FUZZ_CHECK(acpi_pm_sci_asserted(&d.pm) == ((d.m.status & d.m.enable & 0x0721) != 0));
    }
    return 0;
}
