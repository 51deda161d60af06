/* I/O-instruction exits (SDM Vol. 3C 28.2.1, table 28-5 qualification): ports a device model
 * claimed (the partition's virtual UART, ...), ports its table grants in one direction only,
 * and everything else, which behaves as on a PC with no device there: reads all ones,
 * writes dropped. Every path works from the qualification itself, so the common one (a port
 * nobody granted, again) decodes no more of it than it needs. */
#include "drivers/console.h"
#include "vcpu/exit.h"
#include "vmx/exit_reasons.h"

static unsigned io_size(uint64_t q)
{
    return VMX_QUAL_IO_SIZE(q) + 1;
}

static uint16_t io_port(uint64_t q)
{
    return (uint16_t)VMX_QUAL_IO_PORT(q);
}

static bool io_in(uint64_t q)
{
    return (q & VMX_QUAL_IO_IN) != 0;
}

static uint64_t size_mask(unsigned size)
{
    return size == 4 ? 0xFFFFFFFFULL : size == 2 ? 0xFFFFULL : 0xFFULL;
}

/* Every byte of the access granted in that direction by a one-way grant. */
static bool port_granted_all(struct vcpu *v, uint16_t port, unsigned size, bool write)
{
    bool allowed = v->has_one_way_port_grants;
    for (unsigned i = 0; i < size && allowed; i++)
        allowed = v->owner->port_granted(v->owner_ctx, (uint16_t)(port + i), write);
    return allowed;
}

/* IN writes AL/AX/EAX; a 32-bit IN zero-extends into RAX like any 32-bit register write. An
 * OUT leaves the registers alone. Then the instruction is done. */
static inline __attribute__((always_inline)) enum vcpu_verdict io_complete(struct vcpu *v,
                                                                          uint64_t q,
                                                                          uint32_t in_value)
{
    if (io_in(q)) {
        unsigned size = io_size(q);
        if (size == 4)
            v->regs.rax = in_value;
        else
            v->regs.rax = (v->regs.rax & ~size_mask(size)) | (in_value & size_mask(size));
    }
    return vcpu_advance(v);
}

/* The uncommon cases, out of line so the dropped-port path needs no stack frame. */
__attribute__((noinline)) static enum vcpu_verdict io_device(struct vcpu *v,
                                                             const struct range_entry *dev,
                                                             uint64_t q)
{
    const struct vcpu_port_ops *ops = dev->ops;
    unsigned size = io_size(q);
    uint16_t offset = (uint16_t)(io_port(q) - dev->first);
    if (io_in(q))
        return io_complete(v, q, ops->read(dev->ctx, offset, size));
    ops->write(dev->ctx, offset, size, (uint32_t)(v->regs.rax & size_mask(size)));
    return vcpu_advance(v);
}

/* A dropped access, printed once per port and direction per partition. */
static void report_dropped(struct vcpu *v, uint16_t port, bool in)
{
    if (report_once_first(&v->ports_reported, report_key_port(port, in ? 0 : 1)))
        console_printf("partition %s: port 0x%x %s not granted: %s\n", v->name, port,
                       in ? "read" : "write", in ? "read as all ones" : "dropped");
}

/* Out of line: a port or direction other than the last one dropped. */
__attribute__((noinline)) static enum vcpu_verdict io_dropped_first(struct vcpu *v, uint64_t q,
                                                                    uint64_t key)
{
    v->last_dropped_key = key;
    report_dropped(v, io_port(q), io_in(q));
    return io_complete(v, q, 0xFFFFFFFFu);
}

/* "The same dropped access": the whole qualification (port, direction, size, operand form),
 * which the hot path compares as it is, with no mask. A string access never matches (its key
 * has the string bit; stored keys, from non-string accesses, do not). The same port with
 * another size or form is decided once more and becomes the key. */
#define IO_DROPPED_KEY(q)   (q)

static enum vcpu_verdict io_dropped(struct vcpu *v, uint64_t q)
{
    v->io_dropped++;
    if (IO_DROPPED_KEY(q) != v->last_dropped_key)
        return io_dropped_first(v, q, IO_DROPPED_KEY(q));
    return io_complete(v, q, 0xFFFFFFFFu);
}

/* A port granted in one direction only: the bitmap cannot say so, so it exits. */
__attribute__((noinline)) static enum vcpu_verdict io_one_way(struct vcpu *v, uint64_t q)
{
    unsigned size = io_size(q);
    uint16_t port = io_port(q);
    if (!port_granted_all(v, port, size, !io_in(q)))
        return io_dropped(v, q);
    if (io_in(q))
        return io_complete(v, q, vcpu_host_in(port, size));
    vcpu_host_out(port, size, (uint32_t)(v->regs.rax & size_mask(size)));
    return vcpu_advance(v);
}

static enum vcpu_verdict io_unclaimed(struct vcpu *v, uint64_t q)
{
    if (v->has_one_way_port_grants)
        return io_one_way(v, q);
    return io_dropped(v, q);
}

/* Inside the span of claimed ports: a device's, or a gap between two devices. */
__attribute__((noinline)) static enum vcpu_verdict io_maybe_claimed(struct vcpu *v, uint64_t q)
{
    const struct range_entry *dev = range_registry_search(&v->devices.ports, io_port(q));
    if (dev)
        return io_device(v, dev, q);
    return io_unclaimed(v, q);
}

/* The common case, a port nobody granted, stays free of calls: everything else is a tail
 * call. Commonest of all is the port dropped last time, again (Linux's I/O delays write
 * port 0x80 over and over): one compare decides it, since what was decided for that port and
 * direction cannot change while the vCPU runs (vcpu_claim_ports forgets the key). */
enum vcpu_verdict exit_io(struct vcpu *v)
{
    uint64_t q = exit_qualification();
    const struct range_registry *ports = &v->devices.ports;

    if (IO_DROPPED_KEY(q) == v->last_dropped_key) {
        v->io_dropped++;                /* io_dropped's known-key path, kept inline: */
        return io_complete(v, q, 0xFFFFFFFFu);  /* calling it costs 5 instructions here */
    }
    if (q & VMX_QUAL_IO_STRING)
        return exit_io_string(v, q);
    if (io_port(q) >= ports->lowest && io_port(q) <= ports->highest)
        return io_maybe_claimed(v, q);
    return io_unclaimed(v, q);
}

/* ---- one element of a string access (vcpu/exit_io_string.c) -------------------------------- */

/* The port as IN would find it: a device, a one-way grant, or nothing (all ones). */
uint32_t vcpu_port_read(struct vcpu *v, uint16_t port, unsigned size)
{
    const struct range_entry *dev = range_registry_find(&v->devices.ports, port);
    if (dev)
        return ((const struct vcpu_port_ops *)dev->ops)->read(dev->ctx,
                                                              (uint16_t)(port - dev->first), size);
    if (port_granted_all(v, port, size, false))
        return vcpu_host_in(port, size) & (uint32_t)size_mask(size);
    v->io_dropped++;
    report_dropped(v, port, true);
    return (uint32_t)size_mask(size);
}

void vcpu_port_write(struct vcpu *v, uint16_t port, unsigned size, uint32_t value)
{
    value &= (uint32_t)size_mask(size);
    const struct range_entry *dev = range_registry_find(&v->devices.ports, port);
    if (dev) {
        ((const struct vcpu_port_ops *)dev->ops)->write(dev->ctx, (uint16_t)(port - dev->first),
                                                        size, value);
    } else if (port_granted_all(v, port, size, true)) {
        vcpu_host_out(port, size, value);
    } else {
        v->io_dropped++;
        report_dropped(v, port, false);
    }
}
