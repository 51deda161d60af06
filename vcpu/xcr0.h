/* The rules a new XCR0 value must follow (Intel SDM Vol. 1, 13.3 "Enabling the XSAVE Feature
 * Set and XSAVE-Enabled Features"; Vol. 2C XSETBV): what the hypervisor checks before it runs
 * XSETBV on a guest's behalf. Pure. */
#ifndef VCPU_XCR0_H
#define VCPU_XCR0_H

#include <stdint.h>

#define XCR0_X87            (1ull << 0)
#define XCR0_SSE            (1ull << 1)
#define XCR0_AVX            (1ull << 2)
#define XCR0_BNDREGS        (1ull << 3)
#define XCR0_BNDCSR         (1ull << 4)
#define XCR0_OPMASK         (1ull << 5)
#define XCR0_ZMM_HI256      (1ull << 6)
#define XCR0_HI16_ZMM       (1ull << 7)
#define XCR0_PKRU           (1ull << 9)
#define XCR0_XTILECFG       (1ull << 17)
#define XCR0_XTILEDATA      (1ull << 18)
#define XCR0_AVX512         (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)
#define XCR0_MPX            (XCR0_BNDREGS | XCR0_BNDCSR)
#define XCR0_AMX            (XCR0_XTILECFG | XCR0_XTILEDATA)

/* NULL when `value` may be loaded into XCR0 on a CPU whose supported components are
 * `supported` (CPUID.(EAX=0DH,ECX=0):EDX:EAX); else the rule it breaks, for reports. XSETBV
 * raises #GP(0) for exactly these. */
const char *xcr0_refusal(uint64_t value, uint64_t supported);

#define XCR0_COMPONENTS     64

/* Where a user state component lies in the standard XSAVE format: CPUID.(EAX=0DH,ECX=i) EBX
 * (offset) and EAX (size). */
struct xsave_area {
    uint32_t offset, size;
};

/* The components an XRSTOR of an all-zero image of image_size bytes (XSTATE_BV 0, so each
 * requested component is initialised, Vol. 1 13.8.1) can reset on this CPU: every supported
 * one whose area ends within the image (x87 and SSE are in the legacy area), then whole groups
 * only, so the result is a value XSETBV accepts. areas[i] is component i's, i < XCR0_COMPONENTS. */
uint64_t xcr0_reset_components(uint64_t supported, const struct xsave_area *areas,
                               uint32_t image_size);

#endif
