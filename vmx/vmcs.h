/* Width-checked VMREAD/VMWRITE of the current VMCS (Intel SDM Vol. 3C, 25.11.2 for the
 * encoding's width bits, 31.3 for VMREAD and VMWRITE). */
#ifndef VMX_VMCS_H
#define VMX_VMCS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/vmcs_fields.h"
#include "vmx/vmx_asm.h"

/* Called when VMREAD or VMWRITE fails: VMX_FAIL_INVALID (no current VMCS) or VMX_FAIL_VALID
 * (the VM-instruction error says why: 12 unsupported field, 13 read-only field). A failed
 * read then returns 0. Implemented by the hypervisor, not here. */
void vmcs_access_failed(enum vmcs_field field, bool is_write, enum vmx_result result);

/* Never defined: a call that survives optimisation is a build error. The accessors call it
 * only when the field is a compile-time constant whose width bits (14:13) differ from the
 * accessor's, so vmcs_read16(VMCS_GUEST_CR0) does not build. A field that is not a constant
 * is left to the hardware. */
void vmcs_width_mismatch(void)
    __attribute__((error("VMCS accessor width differs from the field encoding's bits 14:13")));

#define VMCS_WIDTH_CHECK(field, width)                                          \
    do {                                                                        \
        if (__builtin_constant_p(field) && VMCS_FIELD_WIDTH(field) != (width))  \
            vmcs_width_mismatch();                                              \
    } while (0)

/* always_inline: the check needs the caller's constant, which only inlining provides. */
#define VMCS_ACCESSOR static inline __attribute__((always_inline))

VMCS_ACCESSOR uint64_t vmcs_read_any(enum vmcs_field field)
{
    uint64_t value;
    enum vmx_result r = vmread(field, &value);

    if (r != VMX_SUCCEED) {
        vmcs_access_failed(field, false, r);
        return 0;
    }
    return value;
}

VMCS_ACCESSOR void vmcs_write_any(enum vmcs_field field, uint64_t value)
{
    enum vmx_result r = vmwrite(field, value);

    if (r != VMX_SUCCEED)
        vmcs_access_failed(field, true, r);
}

VMCS_ACCESSOR uint16_t vmcs_read16(enum vmcs_field field)
{
    VMCS_WIDTH_CHECK(field, VMCS_WIDTH_16);
    return (uint16_t)vmcs_read_any(field);
}

VMCS_ACCESSOR uint32_t vmcs_read32(enum vmcs_field field)
{
    VMCS_WIDTH_CHECK(field, VMCS_WIDTH_32);
    return (uint32_t)vmcs_read_any(field);
}

VMCS_ACCESSOR uint64_t vmcs_read64(enum vmcs_field field)
{
    VMCS_WIDTH_CHECK(field, VMCS_WIDTH_64);
    return vmcs_read_any(field);
}

/* Natural width is 64 bits: the hypervisor runs in 64-bit mode only. */
VMCS_ACCESSOR uint64_t vmcs_read_natural(enum vmcs_field field)
{
    VMCS_WIDTH_CHECK(field, VMCS_WIDTH_NATURAL);
    return vmcs_read_any(field);
}

VMCS_ACCESSOR void vmcs_write16(enum vmcs_field field, uint16_t value)
{
    VMCS_WIDTH_CHECK(field, VMCS_WIDTH_16);
    vmcs_write_any(field, value);
}

VMCS_ACCESSOR void vmcs_write32(enum vmcs_field field, uint32_t value)
{
    VMCS_WIDTH_CHECK(field, VMCS_WIDTH_32);
    vmcs_write_any(field, value);
}

VMCS_ACCESSOR void vmcs_write64(enum vmcs_field field, uint64_t value)
{
    VMCS_WIDTH_CHECK(field, VMCS_WIDTH_64);
    vmcs_write_any(field, value);
}

VMCS_ACCESSOR void vmcs_write_natural(enum vmcs_field field, uint64_t value)
{
    VMCS_WIDTH_CHECK(field, VMCS_WIDTH_NATURAL);
    vmcs_write_any(field, value);
}

/* For the few fields the common exit path touches (exit reason, RIP, instruction length):
 * they exist in every VMCS and the VMCS is current on this CPU, so VMREAD and VMWRITE
 * cannot fail there, and skipping the flag check saves instructions on every exit. */
VMCS_ACCESSOR uint64_t vmcs_read_hot(enum vmcs_field field)
{
    uint64_t value;
    __asm__ volatile("vmread %[field], %[value]" : [value] "=r"(value) : [field] "r"((uint64_t)field) : "cc");
    return value;
}

VMCS_ACCESSOR void vmcs_write_hot(enum vmcs_field field, uint64_t value)
{
    __asm__ volatile("vmwrite %[value], %[field]" : : [field] "r"((uint64_t)field), [value] "rm"(value) : "cc");
}

#undef VMCS_ACCESSOR

#endif
