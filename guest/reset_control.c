/* The reset control register and the 8042 reset pulse (guest/reset_control.h). */
#include "guest/reset_control.h"

static uint32_t all_ones(unsigned size)
{
    return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1u;
}

static void request_reset(struct reset_control *rc)
{
    if (rc->request)
        rc->request(rc->request_ctx, PLATFORM_RESET);
}

void reset_control_init(struct reset_control *rc, platform_request_fn request, void *ctx)
{
    rc->value = 0;
    rc->request = request;
    rc->request_ctx = ctx;
}

uint32_t reset_control_read(struct reset_control *rc, unsigned offset, unsigned size)
{
    if (offset == 0 && size == 1)
        return rc->value;
    return all_ones(size);
}

void reset_control_write(struct reset_control *rc, unsigned offset, unsigned size, uint32_t value)
{
    if (offset != 0 || size != 1)
        return;
    uint8_t old = rc->value;
    rc->value = (uint8_t)(value & RESET_CNT_BITS);
    if ((rc->value & RESET_CNT_RST_CPU) && !(old & RESET_CNT_RST_CPU))
        request_reset(rc);
}

uint32_t reset_control_kbc_read(struct reset_control *rc, unsigned offset, unsigned size)
{
    (void)rc;
    (void)offset;
    return all_ones(size);
}

void reset_control_kbc_write(struct reset_control *rc, unsigned offset, unsigned size,
                             uint32_t value)
{
    if (offset == 0 && size == 1 && value >= RESET_KBC_PULSE_FIRST && value <= 0xFF &&
        !(value & RESET_KBC_PULSE_RESET))
        request_reset(rc);
}

static uint32_t port_read(void *ctx, uint16_t offset, unsigned size)
{
    return reset_control_read(ctx, offset, size);
}

static void port_write(void *ctx, uint16_t offset, unsigned size, uint32_t value)
{
    reset_control_write(ctx, offset, size, value);
}

static uint32_t kbc_read(void *ctx, uint16_t offset, unsigned size)
{
    return reset_control_kbc_read(ctx, offset, size);
}

static void kbc_write(void *ctx, uint16_t offset, unsigned size, uint32_t value)
{
    reset_control_kbc_write(ctx, offset, size, value);
}

const struct vcpu_port_ops reset_control_port_ops = { port_read, port_write };
const struct vcpu_port_ops reset_control_kbc_ops = { kbc_read, kbc_write };
