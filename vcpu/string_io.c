/* INS/OUTS element addresses, segment checks and register updates (vcpu/string_io.h). */
#include "vcpu/string_io.h"

#include "vcpu/guest_walk.h"
#include "vmx/vmx_state.h"

static uint64_t address_mask(unsigned address_size)
{
    return address_size == 8 ? ~0ull : address_size == 4 ? 0xFFFFFFFFull : 0xFFFFull;
}

uint64_t string_io_count(const struct string_io_request *r)
{
    return r->rep ? r->rcx & address_mask(r->address_size) : 1;
}

/* Outside 64-bit mode: present, usable, a data segment (INS needs it writable, OUTS readable,
 * so code must be readable) and every byte inside the limit (expand-down: above it). */
static bool segment_allows(const struct string_io_request *r, uint64_t offset)
{
    uint32_t ar = r->seg_ar, type = ar & VMX_SEG_AR_TYPE_MASK;
    if ((ar & VMX_SEG_AR_UNUSABLE) || !(ar & VMX_SEG_AR_S))
        return false;
    bool code = type & 8, writable_or_readable = type & 2, expand_down = !code && (type & 4);
    if (r->in ? code || !writable_or_readable : code && !writable_or_readable)
        return false;
    uint64_t last = offset + r->size - 1;
    if (!expand_down)
        return last <= r->seg_limit;
    uint64_t upper = (ar & VMX_SEG_AR_DB) ? 0xFFFFFFFFull : 0xFFFFull;
    return offset > r->seg_limit && last <= upper;
}

enum string_io_fault string_io_element(const struct string_io_request *r, uint64_t i,
                                       uint64_t *linear)
{
    uint64_t step = i * r->size;
    uint64_t offset = (r->decrement ? r->index - step : r->index + step) &
                      address_mask(r->address_size);
    enum string_io_fault fault = r->segment == SIO_SS ? STRING_IO_SS : STRING_IO_GP;
    if (r->mode64) {
        bool based = r->segment == SIO_FS || r->segment == SIO_GS;
        *linear = (based ? r->seg_base : 0) + offset;
        return guest_linear_canonical(*linear) && guest_linear_canonical(*linear + r->size - 1) ? STRING_IO_OK : fault;
    }
    *linear = (r->seg_base + offset) & 0xFFFFFFFFull;
    return segment_allows(r, offset) ? STRING_IO_OK : fault;
}

static uint64_t replace_low(uint64_t reg, uint64_t value, unsigned address_size)
{
    if (address_size == 2)
        return (reg & ~0xFFFFull) | (value & 0xFFFF);
    return value & address_mask(address_size);     /* 32-bit writes zero-extend */
}

void string_io_registers_after(const struct string_io_request *r, uint64_t done, uint64_t *rcx,
                               uint64_t *index)
{
    uint64_t step = done * r->size;
    *index = replace_low(r->index, r->decrement ? r->index - step : r->index + step,
                         r->address_size);
    *rcx = r->rep ? replace_low(r->rcx, r->rcx - done, r->address_size) : r->rcx;
}
