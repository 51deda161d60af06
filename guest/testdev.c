/* The test device's registers (guest/testdev.h). Accesses outside the registers read all
 * ones and drop writes, as an absent device does. */
#include "guest/testdev.h"

#include "lib/string.h"

static const struct vcpu_mmio_ops testdev_ops = { testdev_access, testdev_backing_page };

enum range_add_result testdev_attach(struct testdev *d, struct vcpu *v, uint64_t gpa,
                                     uint64_t window_hpa)
{
    memset(d, 0, sizeof(*d));
    d->vcpu = v;
    d->window_hpa = window_hpa;
    return vcpu_claim_mmio(v, gpa, TESTDEV_SIZE, &testdev_ops, d);
}

uint64_t testdev_backing_page(void *ctx, uint64_t offset)
{
    const struct testdev *d = ctx;
    return offset >= TESTDEV_WINDOW && offset < TESTDEV_SIZE ? d->window_hpa : 0;
}

void testdev_access(void *ctx, uint64_t offset, unsigned size, bool write, uint64_t *value)
{
    struct testdev *d = ctx;
    if (offset < sizeof(d->scratch) && size <= sizeof(d->scratch) - offset) {
        d->accesses++;
        for (unsigned i = 0; i < size; i++) {
            if (write)
                d->scratch[offset + i] = (uint8_t)(*value >> (8 * i));
            else if (i == 0)
                *value = d->scratch[offset];
            else
                *value |= (uint64_t)d->scratch[offset + i] << (8 * i);
        }
        return;
    }
    if (offset == TESTDEV_REG_ACCESSES && size == 8 && !write) {
        *value = d->accesses;
        return;
    }
    if (offset == TESTDEV_REG_RAISE_IRQ && write) {
        d->accesses++;
        if (d->vcpu)
            vcpu_raise_irq(d->vcpu, (unsigned)(*value & 0xFF));
        return;
    }
    if (!write)
        *value = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
}
