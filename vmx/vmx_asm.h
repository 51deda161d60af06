/* VMX instructions as one-instruction wrappers that return the VMX flags (SDM Vol. 3C, 31.2 and 31.3). */
#ifndef VMX_VMX_ASM_H
#define VMX_VMX_ASM_H

#include <stdint.h>

/* SDM 31.2: VMsucceed clears CF and ZF, VMfailInvalid sets CF, VMfailValid sets ZF
 * (and the error number is in the current VMCS's VM-instruction error field). */
enum vmx_result {
    VMX_SUCCEED = 0,
    VMX_FAIL_INVALID = 1,
    VMX_FAIL_VALID = 2,
};

#define VMX_RESULT_FROM_FLAGS(cf, zf) \
    ((cf) ? VMX_FAIL_INVALID : (zf) ? VMX_FAIL_VALID : VMX_SUCCEED)

/* VMCS field encoding of the VM-instruction error (SDM Appendix B.3.3). */
#define VMCS_EXIT_INFO_VM_INSTRUCTION_ERROR 0x4400

static inline enum vmx_result vmxon(uint64_t region_phys)
{
    uint8_t cf, zf;
    __asm__ volatile("vmxon %[region]; setc %[cf]; setz %[zf]"
                     : [cf] "=rm"(cf), [zf] "=rm"(zf)
                     : [region] "m"(region_phys)
                     : "cc", "memory");
    return VMX_RESULT_FROM_FLAGS(cf, zf);
}

static inline enum vmx_result vmxoff(void)
{
    uint8_t cf, zf;
    __asm__ volatile("vmxoff; setc %[cf]; setz %[zf]"
                     : [cf] "=rm"(cf), [zf] "=rm"(zf)
                     :
                     : "cc", "memory");
    return VMX_RESULT_FROM_FLAGS(cf, zf);
}

static inline enum vmx_result vmread(uint64_t field, uint64_t *value)
{
    uint8_t cf, zf;
    __asm__ volatile("vmread %[field], %[value]; setc %[cf]; setz %[zf]"
                     : [value] "=rm"(*value), [cf] "=rm"(cf), [zf] "=rm"(zf)
                     : [field] "r"(field)
                     : "cc");
    return VMX_RESULT_FROM_FLAGS(cf, zf);
}

#endif
