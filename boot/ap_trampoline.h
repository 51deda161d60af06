/* AP trampoline: offsets of the parameter block the boot CPU patches before each
 * INIT-SIPI-SIPI. Defines only; boot/ap_trampoline.S and arch/x86/smp.c share them. */
#ifndef BOOT_AP_TRAMPOLINE_H
#define BOOT_AP_TRAMPOLINE_H

/* Offsets from ap_trampoline_start. */
#define AP_PARAM_GDT_POINTER    0x100   /* u16 limit, u32 linear base */
#define AP_PARAM_PM32_JUMP      0x108   /* u32 linear offset, u16 selector */
#define AP_PARAM_CR3            0x110   /* u32: boot PML4 */
#define AP_PARAM_STACK_TOP      0x118   /* u64 */
#define AP_PARAM_PERCPU         0x120   /* u64: struct percpu * */
#define AP_PARAM_STARTED        0x128   /* u32: the AP sets it once it no longer needs the block */
#define AP_TRAMPOLINE_SIZE      0x140

#define AP_GDT_SEL_CODE32       0x08
#define AP_GDT_SEL_DATA         0x10
#define AP_GDT_SEL_CODE64       0x18

#ifndef __ASSEMBLY__
#include <stdint.h>
extern const uint8_t ap_trampoline_start[], ap_trampoline_end[];
#endif

#endif
