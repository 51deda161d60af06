/* Builds a guest's 64-bit entry environment inside its own memory (pure, host-tested):
 * identity-mapping page tables, a GDT with a TSS, the boot-parameter block, the stack.
 * The contract the guest sees is guest/guest_abi.h. */
#ifndef GUEST_GUEST_BOOT_H
#define GUEST_GUEST_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "vcpu/guest_abi.h"
#include "lib/diag.h"
#include "vcpu/vcpu.h"

/* Guest-physical layout below the image (which must start at or above 1 MiB). */
#define GUEST_GDT_GPA           0x1000ULL   /* null, code64, data, 16-byte TSS descriptor */
#define GUEST_TSS_GPA           0x1800ULL   /* 104-byte TSS, unused but valid for VM entry */
#define GUEST_BOOT_PARAMS_GPA   0x2000ULL
#define GUEST_PML4_GPA          0x3000ULL
#define GUEST_PDPT_GPA          0x4000ULL
#define GUEST_PD_GPA            0x5000ULL   /* one page directory per GiB */
#define GUEST_PD_MAX            64          /* so at most 64 GiB of guest memory */
#define GUEST_STACK_TOP         0x80000ULL  /* grows down towards GUEST_PD_GPA's last table */
#define GUEST_IMAGE_MIN_GPA     0x100000ULL

#define GUEST_SEL_TSS           0x18
#define GUEST_GDT_LIMIT         (4 * 8 + 16 - 1)
#define GUEST_TSS_LIMIT         0x67

/* A boot GDT's selectors: flat 64-bit code, flat data, and a 16-byte TSS descriptor, each a
 * multiple of 8 inside GUEST_GDT_LIMIT. tessera's guests get the guest ABI's; Linux wants its
 * own (guest/bzimage_loader.h). */
struct guest_boot_selectors {
    uint16_t code, data, tss;
};

struct guest_boot_info {
    uint32_t partition_id;
    const char *name;
    const char *cmdline;        /* may be NULL */
    uint64_t image_start, image_end;    /* gpa range the loader filled */
    uint64_t entry;
};

/* mem is the host's view of guest-physical 0..mem_size. Checks that the image
 * lies at or above GUEST_IMAGE_MIN_GPA and inside memory, and that memory is a
 * whole number of 2 MiB pages no larger than GUEST_PD_MAX GiB; reports
 * "guest boot: ..." and returns false otherwise. *out is a 64-bit long-mode entry
 * with RDI = the boot-parameter block's address. */
bool guest_boot_prepare(uint8_t *mem, uint64_t mem_size, const struct guest_boot_info *info,
                        struct vcpu_entry *out, const struct diag *d);

/* Reports "guest boot: ..." and returns false unless mem_size is a nonzero whole number of
 * 2 MiB pages no larger than GUEST_PD_MAX GiB: what the identity map can cover. */
bool guest_boot_memory_ok(uint64_t mem_size, const struct diag *d);

/* The long-mode part of the environment, for any 64-bit guest: at the fixed addresses above,
 * page tables identity-mapping 0..mem_size with 2 MiB pages, the GDT with sel's descriptors
 * and an empty TSS; *out becomes a long-mode entry at rip with stack rsp, IF clear, every
 * general register 0. mem_size must have passed guest_boot_memory_ok. */
void guest_boot_long_mode(uint8_t *mem, uint64_t mem_size, const struct guest_boot_selectors *sel,
                          uint64_t rip, uint64_t rsp, struct vcpu_entry *out);

#endif
