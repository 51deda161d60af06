/* I/O-instruction exits (SDM Vol. 3C 28.2.1, table 28-5 qualification): ports a device model
 * claimed (the partition's virtual UART, ...), ports its table grants in one direction only,
 * and everything else, which behaves as on a PC with no device there: reads all ones,
 * writes dropped. */
#include "drivers/console.h"
#include "vcpu/exit.h"
#include "vmx/exit_reasons.h"

static uint64_t size_mask(unsigned size)
{
    return size == 4 ? 0xFFFFFFFFULL : size == 2 ? 0xFFFFULL : 0xFFULL;
}

/* IN writes AL/AX/EAX; a 32-bit IN zero-extends into RAX like any 32-bit register write. */
static void set_in_result(struct vcpu *v, unsigned size, uint32_t value)
{
    if (size == 4)
        v->regs.rax = value;
    else
        v->regs.rax = (v->regs.rax & ~size_mask(size)) | (value & size_mask(size));
}

/* The uncommon cases, out of line so the dropped-port path needs no stack frame. */
__attribute__((noinline)) static enum vcpu_verdict io_device(struct vcpu *v,
                                                             const struct range_entry *dev,
                                                             uint16_t port, unsigned size, bool in)
{
    const struct vcpu_port_ops *ops = dev->ops;
    uint32_t value = in ? 0 : (uint32_t)(v->regs.rax & size_mask(size));
    ops->access(dev->ctx, (uint16_t)(port - dev->first), size, !in, &value);
    if (in)
        set_in_result(v, size, value);
    return VCPU_ADVANCE;
}

/* Out of line: printed once per port and direction per partition. */
__attribute__((noinline)) static void io_report_first(struct vcpu *v, uint16_t port, bool in)
{
    if (report_once_first(&v->ports_reported, report_key_port(port, in ? 0 : 1)))
        console_printf("partition %s: port 0x%x %s not granted: %s\n", v->name, port,
                       in ? "read" : "write", in ? "read as all ones" : "dropped");
}

static enum vcpu_verdict io_dropped(struct vcpu *v, uint16_t port, unsigned size, bool in)
{
    uint64_t key = report_key_port(port, in ? 0 : 1);
    v->io_dropped++;
    if (key != v->last_dropped_key) {   /* a guest hammering one port stays cheap */
        v->last_dropped_key = key;
        io_report_first(v, port, in);
    }
    if (in)
        set_in_result(v, size, 0xFFFFFFFFu);
    return VCPU_ADVANCE;
}

/* A port granted in one direction only: the bitmap cannot say so, so it exits. */
__attribute__((noinline)) static enum vcpu_verdict io_one_way(struct vcpu *v, uint16_t port,
                                                              unsigned size, bool in)
{
    bool allowed = true;
    for (unsigned i = 0; i < size && allowed; i++)
        allowed = v->owner->port_granted(v->owner_ctx, (uint16_t)(port + i), !in);
    if (!allowed)
        return io_dropped(v, port, size, in);
    if (in)
        set_in_result(v, size, vcpu_host_in(port, size));
    else
        vcpu_host_out(port, size, (uint32_t)(v->regs.rax & size_mask(size)));
    return VCPU_ADVANCE;
}

__attribute__((noinline)) static enum vcpu_verdict io_string(struct vcpu *v)
{
    return vcpu_stop_verdict(v, "string I/O is not emulated");
}

/* The common case, a port nobody granted, stays a leaf: everything else is a tail call. */
enum vcpu_verdict exit_io(struct vcpu *v, const struct exit_info *e)
{
    (void)e;
    uint64_t q = exit_qualification();
    unsigned size = VMX_QUAL_IO_SIZE(q) + 1;
    bool in = (q & VMX_QUAL_IO_IN) != 0;
    uint16_t port = (uint16_t)VMX_QUAL_IO_PORT(q);

    if (q & VMX_QUAL_IO_STRING)
        return io_string(v);
    const struct range_entry *dev = range_registry_find(&v->devices.ports, port);
    if (dev)
        return io_device(v, dev, port, size, in);
    if (v->has_one_way_port_grants)
        return io_one_way(v, port, size, in);
    return io_dropped(v, port, size, in);
}
