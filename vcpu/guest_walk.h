/* Software walk of a guest's page tables, linear to guest-physical, for 32-bit, PAE, 4-level
 * and 5-level paging (Intel SDM Vol. 3A, 4.3-4.5; rights 4.6; #PF error code 4.7). Pure. */
#ifndef VCPU_GUEST_WALK_H
#define VCPU_GUEST_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* #PF error code bits (4.7, Figure 4-12). Protection keys, shadow stacks, HLAT and SGX bits
 * are never reported: the walk does not model those features. */
#define GUEST_PF_PRESENT    (1u << 0)   /* 0: not present; 1: rights or reserved bit */
#define GUEST_PF_WRITE      (1u << 1)
#define GUEST_PF_USER       (1u << 2)
#define GUEST_PF_RSVD       (1u << 3)
#define GUEST_PF_FETCH      (1u << 4)

/* The access being translated: flags at the error code's positions, so they carry over. */
#define GUEST_ACCESS_READ   0u
#define GUEST_ACCESS_WRITE  GUEST_PF_WRITE
#define GUEST_ACCESS_USER   GUEST_PF_USER      /* CPL 3; supervisor otherwise */
#define GUEST_ACCESS_FETCH  GUEST_PF_FETCH

#define GUEST_PAGE_4K       0x1000ull
#define GUEST_PAGE_2M       0x200000ull
#define GUEST_PAGE_4M       0x400000ull
#define GUEST_PAGE_1G       0x40000000ull

/* A linear address is canonical for 4-level paging when bits 63:47 copy bit 47 (4.5; the
 * partition's CPUID offers no LA57). */
static inline bool guest_linear_canonical(uint64_t linear)
{
    uint64_t top = linear >> 47;
    return top == 0 || top == 0x1FFFF;
}

/* What the walk needs of the guest CPU. */
struct guest_paging_state {
    uint64_t cr0, cr3, cr4, efer;
    unsigned maxphyaddr;    /* physical-address width, CPUID 80000008H:EAX[7:0], 32..52 */
    /* PAE paging uses the CPU's PDPTE registers, loaded at MOV CR3 (4.4.1); with EPT they are
     * the VMCS guest PDPTE0-3 fields. When pdptes_loaded is false the walk reads them from
     * the table at CR3, which differs only if the guest changed it after loading CR3. */
    bool pdptes_loaded;
    uint64_t pdpte[4];
};

/* Copies len bytes (at most 4096, never crossing a 4 KiB boundary) of guest-physical
 * memory at gpa into buf; false when that memory is not the partition's RAM. */
typedef bool (*guest_phys_read_fn)(void *ctx, uint64_t gpa, void *buf, size_t len);

struct guest_memory {
    guest_phys_read_fn read;
    void *ctx;
};

enum guest_walk_result {
    GUEST_WALK_OK,
    GUEST_WALK_PAGE_FAULT,          /* the guest gets #PF with error_code, CR2 = linear */
    GUEST_WALK_NON_CANONICAL,       /* 4/5-level paging: the guest gets #GP (or #SS), not #PF */
    GUEST_WALK_TABLE_OUTSIDE_RAM,   /* a paging-structure entry at entry_gpa is not guest RAM */
    GUEST_WALK_PAGE_OUTSIDE_RAM,    /* guest_read_linear: the data at entry_gpa is not RAM */
    GUEST_WALK_BAD_ARGUMENT,        /* NULL pointer, maxphyaddr out of range, bad access */
    GUEST_WALK_RESULT_COUNT
};

struct guest_translation {
    uint64_t linear;        /* the address translated (32 bits outside long mode) */
    uint64_t gpa;           /* GUEST_WALK_OK */
    uint64_t page_size;     /* GUEST_WALK_OK: GUEST_PAGE_*; 4 KiB when paging is off */
    uint32_t error_code;    /* GUEST_WALK_PAGE_FAULT: GUEST_PF_* */
    uint64_t entry_gpa;     /* GUEST_WALK_TABLE_OUTSIDE_RAM, GUEST_WALK_PAGE_OUTSIDE_RAM */
};

/* Translates `linear` for `access` (GUEST_ACCESS_* ORed; write and fetch exclude each other)
 * as the CPU would, without setting accessed or dirty flags: the caller translates for an
 * access the CPU already made (the faulting instruction), which set them. SMAP is not
 * checked (it depends on RFLAGS.AC and on implicit accesses), nor are protection keys;
 * SMEP is. 1-GByte pages are taken as supported. */
enum guest_walk_result guest_walk(const struct guest_paging_state *state,
                                  const struct guest_memory *mem, uint64_t linear,
                                  unsigned access, struct guest_translation *out);

/* Copies n bytes at `linear` into buf, one walk per 4 KiB page crossed (an instruction that
 * straddles a page). *copied says how many bytes arrived before a failure, which *last
 * describes; on success *last is the last page's translation. */
enum guest_walk_result guest_read_linear(const struct guest_paging_state *state,
                                         const struct guest_memory *mem, uint64_t linear,
                                         unsigned access, void *buf, size_t n, size_t *copied,
                                         struct guest_translation *last);

const char *guest_walk_result_name(enum guest_walk_result result);

#endif
