/* VMX instructions as one-instruction wrappers that return the VMX flags (SDM Vol. 3C, 31.2 and 31.3). */
#ifndef VMX_VMX_ASM_H
#define VMX_VMX_ASM_H

#include <stdint.h>

#include "vmx/vmcs_fields.h"

/* SDM 31.2: VMsucceed clears CF and ZF, VMfailInvalid sets CF, VMfailValid sets ZF
 * (and the error number is in the current VMCS's VM-instruction error field). */
enum vmx_result {
    VMX_SUCCEED = 0,
    VMX_FAIL_INVALID = 1,
    VMX_FAIL_VALID = 2,
};

#define VMX_RESULT_FROM_FLAGS(cf, zf) \
    ((cf) ? VMX_FAIL_INVALID : (zf) ? VMX_FAIL_VALID : VMX_SUCCEED)

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

static inline enum vmx_result vmwrite(uint64_t field, uint64_t value)
{
    uint8_t cf, zf;
    __asm__ volatile("vmwrite %[value], %[field]; setc %[cf]; setz %[zf]"
                     : [cf] "=rm"(cf), [zf] "=rm"(zf)
                     : [value] "rm"(value), [field] "r"(field)
                     : "cc");
    return VMX_RESULT_FROM_FLAGS(cf, zf);
}

/* VMCLEAR flushes the VMCS to its region in memory and marks it clear (31.3). */
static inline enum vmx_result vmclear(uint64_t vmcs_phys)
{
    uint8_t cf, zf;
    __asm__ volatile("vmclear %[vmcs]; setc %[cf]; setz %[zf]"
                     : [cf] "=rm"(cf), [zf] "=rm"(zf)
                     : [vmcs] "m"(vmcs_phys)
                     : "cc", "memory");
    return VMX_RESULT_FROM_FLAGS(cf, zf);
}

static inline enum vmx_result vmptrld(uint64_t vmcs_phys)
{
    uint8_t cf, zf;
    __asm__ volatile("vmptrld %[vmcs]; setc %[cf]; setz %[zf]"
                     : [cf] "=rm"(cf), [zf] "=rm"(zf)
                     : [vmcs] "m"(vmcs_phys)
                     : "cc", "memory");
    return VMX_RESULT_FROM_FLAGS(cf, zf);
}

/* Stores the current-VMCS pointer, all ones when there is none. */
static inline enum vmx_result vmptrst(uint64_t *vmcs_phys)
{
    uint8_t cf, zf;
    __asm__ volatile("vmptrst %[vmcs]; setc %[cf]; setz %[zf]"
                     : [vmcs] "=m"(*vmcs_phys), [cf] "=rm"(cf), [zf] "=rm"(zf)
                     :
                     : "cc");
    return VMX_RESULT_FROM_FLAGS(cf, zf);
}

/* VMLAUNCH and VMRESUME return here only when they fail: a successful entry runs the guest,
 * and the next VM exit continues at the host RIP of the VMCS. Their VM-instruction error
 * tells launch-state and control-field failures apart (31.4). */
static inline enum vmx_result vmlaunch(void)
{
    uint8_t cf, zf;
    __asm__ volatile("vmlaunch; setc %[cf]; setz %[zf]"
                     : [cf] "=rm"(cf), [zf] "=rm"(zf)
                     :
                     : "cc", "memory");
    return VMX_RESULT_FROM_FLAGS(cf, zf);
}

static inline enum vmx_result vmresume(void)
{
    uint8_t cf, zf;
    __asm__ volatile("vmresume; setc %[cf]; setz %[zf]"
                     : [cf] "=rm"(cf), [zf] "=rm"(zf)
                     :
                     : "cc", "memory");
    return VMX_RESULT_FROM_FLAGS(cf, zf);
}

/* ---- INVEPT and INVVPID (31.3): a type in a register, a 128-bit descriptor in memory ---- */
#define VMX_INVEPT_SINGLE_CONTEXT                   1
#define VMX_INVEPT_ALL_CONTEXT                      2

#define VMX_INVVPID_INDIVIDUAL_ADDRESS              0
#define VMX_INVVPID_SINGLE_CONTEXT                  1
#define VMX_INVVPID_ALL_CONTEXT                     2
#define VMX_INVVPID_SINGLE_CONTEXT_RETAIN_GLOBALS   3

/* INVEPT descriptor: bits 63:0 EPTP, 127:64 reserved (0). */
struct vmx_invept_desc {
    uint64_t eptp;              /* 0x00 */
    uint64_t reserved;          /* 0x08 */
};
_Static_assert(sizeof(struct vmx_invept_desc) == 16, "INVEPT descriptor is 128 bits");

/* INVVPID descriptor: bits 15:0 VPID, 63:16 reserved (0), 127:64 linear address. */
struct vmx_invvpid_desc {
    uint16_t vpid;              /* 0x00 */
    uint16_t reserved[3];       /* 0x02 */
    uint64_t linear_address;    /* 0x08 */
};
_Static_assert(sizeof(struct vmx_invvpid_desc) == 16, "INVVPID descriptor is 128 bits");

static inline enum vmx_result invept(uint64_t type, const struct vmx_invept_desc *desc)
{
    uint8_t cf, zf;
    __asm__ volatile("invept %[desc], %[type]; setc %[cf]; setz %[zf]"
                     : [cf] "=rm"(cf), [zf] "=rm"(zf)
                     : [desc] "m"(*desc), [type] "r"(type)
                     : "cc", "memory");
    return VMX_RESULT_FROM_FLAGS(cf, zf);
}

static inline enum vmx_result invvpid(uint64_t type, const struct vmx_invvpid_desc *desc)
{
    uint8_t cf, zf;
    __asm__ volatile("invvpid %[desc], %[type]; setc %[cf]; setz %[zf]"
                     : [cf] "=rm"(cf), [zf] "=rm"(zf)
                     : [desc] "m"(*desc), [type] "r"(type)
                     : "cc", "memory");
    return VMX_RESULT_FROM_FLAGS(cf, zf);
}

#endif
