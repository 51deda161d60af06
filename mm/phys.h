/* The hypervisor's physical memory: the one frame allocator, filled from the boot memory map. */
#ifndef MM_PHYS_H
#define MM_PHYS_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/multiboot2.h"
#include "mm/frame.h"

/* Low memory the allocator never hands out: real-mode IVT, BIOS data, EBDA,
 * option ROMs, and the page the AP trampoline will need. */
#define PHYS_LOW_RESERVED   0x100000ULL
#define PHYS_4GIB           0x100000000ULL

/* Fills the allocator with usable RAM from the memory map, minus the first MiB,
 * the hypervisor image, the boot information and every module, and logs the
 * `mem:` lines. */
void phys_init(const struct mb2_info *info, uint64_t mbi_phys);

uint64_t phys_alloc_frame(void);
uint64_t phys_alloc_zeroed_frame(void);
/* Takes [base, base+bytes) out of the free set if all of it is free (fixed guest memory). */
bool phys_claim_range(uint64_t base, uint64_t bytes);
void phys_free_run(uint64_t base, uint64_t bytes);
/* End of the highest free range (exclusive). */
uint64_t phys_usable_end(void);
/* Extends the hypervisor's identity map over all RAM above 4 GiB, so every frame
 * the allocator hands out can be written (guest memory, VMCS, tables). */
void phys_map_all_ram(void);
uint64_t phys_alloc_run(uint64_t bytes, uint64_t align);

#endif
