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
#define XCR0_XTILECFG       (1ull << 17)
#define XCR0_XTILEDATA      (1ull << 18)
#define XCR0_AVX512         (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)
#define XCR0_MPX            (XCR0_BNDREGS | XCR0_BNDCSR)
#define XCR0_AMX            (XCR0_XTILECFG | XCR0_XTILEDATA)

/* NULL when `value` may be loaded into XCR0 on a CPU whose supported components are
 * `supported` (CPUID.(EAX=0DH,ECX=0):EDX:EAX); else the rule it breaks, for reports. XSETBV
 * raises #GP(0) for exactly these. */
const char *xcr0_refusal(uint64_t value, uint64_t supported);

#endif
