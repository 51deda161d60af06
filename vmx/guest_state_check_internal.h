/* What vmx/guest_state_check.c and vmx/guest_state_check_segments.c share: the run's state
 * and the failure reporter. Not for other modules. */
#ifndef VMX_GUEST_STATE_CHECK_INTERNAL_H
#define VMX_GUEST_STATE_CHECK_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/guest_state_check.h"

/* Register bits the checks name (SDM Vol. 3A 2.5, 2.3; Vol. 4 for the MSRs). Private names:
 * this module includes nothing from arch/. */
#define GSC_CR0_PE          (1ull << 0)
#define GSC_CR0_WP          (1ull << 16)
#define GSC_CR0_PG          (1ull << 31)
#define GSC_CR4_PAE         (1ull << 5)
#define GSC_CR4_PCIDE       (1ull << 17)
#define GSC_CR4_CET         (1ull << 23)
#define GSC_RFLAGS_FIXED1   (1ull << 1)
#define GSC_RFLAGS_TF       (1ull << 8)
#define GSC_RFLAGS_IF       (1ull << 9)
#define GSC_RFLAGS_VM       (1ull << 17)
#define GSC_RFLAGS_RESERVED (~0x3FFFFFull | (1ull << 15) | (1ull << 5) | (1ull << 3))
#define GSC_EFER_SCE        (1ull << 0)
#define GSC_EFER_LME        (1ull << 8)
#define GSC_EFER_LMA        (1ull << 10)
#define GSC_EFER_NXE        (1ull << 11)
#define GSC_DEBUGCTL_BTF    (1ull << 1)
#define GSC_SELECTOR_TI     (1u << 2)
#define GSC_SELECTOR_RPL    3u

/* One run: the inputs, what the controls mean for it, and where the verdict goes. */
struct gsc {
    const struct vmx_guest_state *g;
    const struct vmx_guest_check_context *c;
    struct vmx_guest_check_result *out;
    bool ia32e;             /* "IA-32e mode guest" */
    bool unrestricted;      /* "unrestricted guest", secondary controls active */
    bool ept;               /* "enable EPT", likewise */
    bool shadowing;         /* "VMCS shadowing", likewise */
    bool v8086;             /* RFLAGS.VM */
    unsigned phys_width, linear_width;
};

/* Records the failure in s->out and returns false, so checks read
 * `if (bad) return gsc_fail(...);`. */
bool gsc_fail(struct gsc *s, enum vmx_guest_check which, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Bits 63:width-1 all equal. */
bool gsc_canonical(uint64_t value, unsigned width);

/* 28.3.1.2, in vmx/guest_state_check_segments.c. */
bool gsc_check_segments(struct gsc *s);

#endif
