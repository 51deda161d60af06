/* VMX root operation on every CPU: capabilities read once, controls negotiated once, VMXON per CPU. */
#ifndef VMX_VMXON_H
#define VMX_VMXON_H

#include <stdbool.h>

#include "vmx/caps.h"
#include "vmx/mitigations.h"

/* The configuration every CPU in VMX root operation shares (the boot CPU's). */
struct vmx_config {
    bool usable;                    /* at least the boot CPU is in VMX root operation */
    struct vmx_caps caps;
    struct vmx_controls controls;
    struct mitigation_plan mitigations;     /* decided on the boot CPU */
};

/* Negotiates on the boot CPU, then enters VMX root operation on every online
 * CPU, one line each; prints exactly why when VMX is unavailable, and then
 * executes no VMX instruction at all. */
void vmx_bring_up(void);
/* Read on every exit: a plain global, so no call is needed to reach it. */
extern struct vmx_config vmx_negotiated;
static inline const struct vmx_config *vmx_config(void)
{
    return &vmx_negotiated;
}

#endif
