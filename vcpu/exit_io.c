/* I/O-instruction exits (SDM Vol. 3C 28.2.1, table 28-5 qualification): ports a device model
 * claimed (the partition's virtual UART, ...), ports its table grants in one direction only,
 * and everything else, which behaves as on a PC with no device there: reads all ones,
 * writes dropped. */
#include "drivers/console.h"
#include "vcpu/exit.h"
#include "vmx/exit_reasons.h"

struct io_access {
    uint16_t port;
    uint8_t size;       /* 1, 2 or 4 */
    bool in;
};

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

static enum vcpu_verdict io_complete(struct vcpu *v, struct io_access a, uint32_t in_value)
{
    if (a.in)
        set_in_result(v, a.size, in_value);
    return vcpu_advance(v);
}

/* The uncommon cases, out of line so the dropped-port path needs no stack frame. */
__attribute__((noinline)) static enum vcpu_verdict io_device(struct vcpu *v,
                                                             const struct range_entry *dev,
                                                             struct io_access a)
{
    const struct vcpu_port_ops *ops = dev->ops;
    uint32_t value = a.in ? 0 : (uint32_t)(v->regs.rax & size_mask(a.size));
    ops->access(dev->ctx, (uint16_t)(a.port - dev->first), a.size, !a.in, &value);
    return io_complete(v, a, value);
}

/* Out of line: a port or direction other than the last one dropped, printed once per port
 * and direction per partition. */
__attribute__((noinline)) static enum vcpu_verdict io_dropped_first(struct vcpu *v,
                                                                    struct io_access a,
                                                                    uint64_t key)
{
    v->last_dropped_key = key;
    if (report_once_first(&v->ports_reported, key))
        console_printf("partition %s: port 0x%x %s not granted: %s\n", v->name, a.port,
                       a.in ? "read" : "write", a.in ? "read as all ones" : "dropped");
    return io_complete(v, a, 0xFFFFFFFFu);
}

/* A guest hammering one port stays cheap: no call, no stack frame. */
static enum vcpu_verdict io_dropped(struct vcpu *v, struct io_access a)
{
    uint64_t key = report_key_port(a.port, a.in ? 0 : 1);
    v->io_dropped++;
    if (key != v->last_dropped_key)
        return io_dropped_first(v, a, key);
    return io_complete(v, a, 0xFFFFFFFFu);
}

/* A port granted in one direction only: the bitmap cannot say so, so it exits. */
__attribute__((noinline)) static enum vcpu_verdict io_one_way(struct vcpu *v,
                                                              struct io_access a)
{
    bool allowed = true;
    for (unsigned i = 0; i < a.size && allowed; i++)
        allowed = v->owner->port_granted(v->owner_ctx, (uint16_t)(a.port + i), !a.in);
    if (!allowed)
        return io_dropped(v, a);
    if (a.in)
        return io_complete(v, a, vcpu_host_in(a.port, a.size));
    vcpu_host_out(a.port, a.size, (uint32_t)(v->regs.rax & size_mask(a.size)));
    return vcpu_advance(v);
}

__attribute__((noinline)) static enum vcpu_verdict io_string(struct vcpu *v)
{
    return vcpu_stop_verdict(v, "string I/O is not emulated");
}

static enum vcpu_verdict io_unclaimed(struct vcpu *v, struct io_access a)
{
    if (v->has_one_way_port_grants)
        return io_one_way(v, a);
    return io_dropped(v, a);
}

/* Inside the span of claimed ports: a device's, or a gap between two devices. */
__attribute__((noinline)) static enum vcpu_verdict io_maybe_claimed(struct vcpu *v,
                                                                    struct io_access a)
{
    const struct range_entry *dev = range_registry_search(&v->devices.ports, a.port);
    if (dev)
        return io_device(v, dev, a);
    return io_unclaimed(v, a);
}

/* The common case, a port nobody granted, stays free of calls: everything else is a tail
 * call. */
enum vcpu_verdict exit_io(struct vcpu *v)
{
    uint64_t q = exit_qualification();
    const struct io_access a = { (uint16_t)VMX_QUAL_IO_PORT(q), (uint8_t)(VMX_QUAL_IO_SIZE(q) + 1),
                                 (q & VMX_QUAL_IO_IN) != 0 };
    const struct range_registry *ports = &v->devices.ports;

    if (q & VMX_QUAL_IO_STRING)
        return io_string(v);
    if (a.port >= ports->lowest && a.port <= ports->highest)
        return io_maybe_claimed(v, a);
    return io_unclaimed(v, a);
}
