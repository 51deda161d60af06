/* mblong: identity-mapped 4-level page tables for the first GiB (2 MiB pages, SDM Vol. 3A
 * 5.5 "4-Level Paging"), a trip into 64-bit mode and back (long_mode.S), and checks of what
 * the 64-bit code saw and of the state after coming back. */
#include "guest/images/multiboot/mb_kernel.h"

#define PAGE_PRESENT    (1ull << 0)
#define PAGE_WRITE      (1ull << 1)
#define PAGE_LARGE      (1ull << 7)     /* a 2 MiB page in a PD entry */
#define ENTRIES         512u
#define EFER_LME        (1u << 8)
#define EFER_LMA        (1u << 10)
#define CR0_PG          0x80000000u
#define MSR_EFER        0xC0000080u
#define ROTATED         0x89abcdef01234567ull   /* 0x0123456789abcdef rotated by 32 */

struct mb_long_result {                 /* written by the 64-bit code; offsets in long_mode.S */
    uint64_t rotated;
    uint32_t efer;
    uint32_t cs;
};

void mb_long_mode_roundtrip(uint32_t pml4, struct mb_long_result *out);

static uint64_t pml4[ENTRIES] __attribute__((aligned(4096)));
static uint64_t pdpt[ENTRIES] __attribute__((aligned(4096)));
static uint64_t pd[ENTRIES] __attribute__((aligned(4096)));

static uint32_t read_efer(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_EFER));
    return lo;
}

void mb_long_mode_check(void)
{
    struct mb_long_result r = { 0, 0, 0 };

    for (uint32_t i = 0; i < ENTRIES; i++)
        pd[i] = ((uint64_t)i << 21) | PAGE_PRESENT | PAGE_WRITE | PAGE_LARGE;
    pdpt[0] = (uint64_t)(uintptr_t)pd | PAGE_PRESENT | PAGE_WRITE;
    pml4[0] = (uint64_t)(uintptr_t)pdpt | PAGE_PRESENT | PAGE_WRITE;

    mb_say("entering long mode: PAE, EFER.LME, paging, 64-bit code segment 0x%x",
           MB_GDT_CODE64);
    mb_long_mode_roundtrip((uint32_t)(uintptr_t)pml4, &r);

    mb_say("long mode: efer 0x%x, cs 0x%x, 64-bit rotate 0x%llx", r.efer, r.cs,
           (unsigned long long)r.rotated);
    if (!(r.efer & EFER_LMA) || r.cs != MB_GDT_CODE64 || r.rotated != ROTATED)
        mb_fail("64-bit code saw efer 0x%x cs 0x%x rotate 0x%llx", r.efer, r.cs,
                (unsigned long long)r.rotated);

    uint32_t cr0 = mb_read_cr0(), efer = read_efer();
    mb_say("back in 32-bit protected mode: cr0 0x%x efer 0x%x", cr0, efer);
    if ((cr0 & CR0_PG) || (efer & (EFER_LME | EFER_LMA)))
        mb_fail("after leaving long mode cr0 0x%x efer 0x%x", cr0, efer);
}
