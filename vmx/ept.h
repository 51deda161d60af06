/* Extended page tables: building, walking, checking and freeing a partition's 4-level EPT
 * (Intel SDM Vol. 3C, 29.3 "The Extended Page Table Mechanism"; EPTP format 25.6.11).
 * Pure: tables come from and are reached through struct ept_memory, so host tests run it. */
#ifndef VMX_EPT_H
#define VMX_EPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"

/* ---- paging-structure entries (Tables 29-1 .. 29-6) ------------------------------------ */
/* An entry is present when any of bits 2:0 is set. Write without read is a misconfiguration. */
#define EPT_READ                (1u << 0)
#define EPT_WRITE               (1u << 1)
#define EPT_EXECUTE             (1u << 2)      /* supervisor-mode execute with MBEC */
#define EPT_ACCESS_MASK         (EPT_READ | EPT_WRITE | EPT_EXECUTE)
#define EPT_MEMORY_TYPE_SHIFT   3               /* bits 5:3, leaves only */
#define EPT_MEMORY_TYPE_MASK    (0x7ull << EPT_MEMORY_TYPE_SHIFT)
#define EPT_IGNORE_PAT          (1ull << 6)     /* leaves only */
#define EPT_LARGE_PAGE          (1ull << 7)     /* PDPTE: 1 GiB page, PDE: 2 MiB page */
#define EPT_ACCESSED            (1ull << 8)     /* set by the CPU when EPTP bit 6 is 1 */
#define EPT_DIRTY               (1ull << 9)     /* leaves only, likewise */
#define EPT_ADDR_MASK           0x000FFFFFFFFFF000ull   /* bits 51:12 */

/* EPT memory types (29.3.7); 2, 3 and 7 are reserved. */
#define EPT_MT_UC               0u
#define EPT_MT_WC               1u
#define EPT_MT_WT               4u
#define EPT_MT_WP               5u
#define EPT_MT_WB               6u

/* Geometry of a 4-level walk: 512 entries per 4 KiB table, 9 GPA bits per level. */
#define EPT_LEVELS              4u
#define EPT_ENTRIES             512u
#define EPT_INDEX_BITS          9u
#define EPT_TABLE_SIZE          0x1000ull
#define EPT_PAGE_4K             0x1000ull
#define EPT_PAGE_2M             0x200000ull
#define EPT_PAGE_1G             0x40000000ull
#define EPT_GPA_LIMIT           (1ull << 48)    /* a 4-level walk translates bits 47:0 */
#define EPT_HPA_LIMIT           (1ull << 52)    /* bits 51:12 of an entry */

/* ---- EPT pointer (VMCS field, 25.6.11) --------------------------------------------------- */
#define EPTP_MEMORY_TYPE_WB     6ull            /* bits 2:0: type used to read the tables */
#define EPTP_WALK_LENGTH_SHIFT  3               /* bits 5:3: walk length minus 1 */
#define EPTP_ACCESSED_DIRTY     (1ull << 6)     /* enable accessed and dirty flags */

/* ---- INVEPT (Vol. 3C 31.3, "INVEPT") ----------------------------------------------------- */
#define INVEPT_TYPE_SINGLE_CONTEXT  1ull
#define INVEPT_TYPE_ALL_CONTEXT     2ull

struct invept_descriptor {
    uint64_t eptp;          /* bits 63:0 */
    uint64_t reserved;      /* bits 127:64, must be 0 */
};
_Static_assert(sizeof(struct invept_descriptor) == 16, "INVEPT descriptor is 128 bits");

/* ---- the seam to physical memory -------------------------------------------------------- */
struct ept_memory {
    uint64_t (*alloc_table)(void *ctx);         /* zeroed 4 KiB-aligned page, 0: none left */
    void *(*table_ptr)(void *ctx, uint64_t phys);       /* NULL: not a table we can reach */
    void (*free_table)(void *ctx, uint64_t phys);
    void *ctx;
};

/* One range of guest-physical memory. gpa, hpa and size are 4 KiB multiples, size > 0;
 * ranges may not overlap in GPA (they may share HPA: that is the caller's policy).
 * ignore_pat: with 0 the effective memory type combines the EPT type with the guest's PAT
 * (29.3.7.2), so a WB RAM guest can still map its own pages UC or WC (frame buffers, DMA
 * buffers); a guest can only make its own memory slower. Device memory (UC) sets it to 1 so
 * no guest PAT entry can make MMIO cacheable or write-combined. */
struct ept_mapping {
    uint64_t gpa, hpa, size;
    uint8_t access;         /* EPT_READ | EPT_WRITE | EPT_EXECUTE, not 0, no write without read */
    uint8_t memory_type;    /* EPT_MT_* */
    bool ignore_pat;
};

/* Which page sizes the CPU offers (struct vmx_controls ept_2m/ept_1g). accessed_dirty is only
 * remembered in struct ept for ept_pointer(); it does not change the tables. */
struct ept_options {
    bool page_2m, page_1g, accessed_dirty;
};

struct ept {
    uint64_t pml4_phys;     /* 0 when not built */
    uint32_t tables;        /* tables in use, PML4 included (the memory cost) */
    bool accessed_dirty;
};

/* Maps exactly the given ranges, each step with the largest page (1 GiB, 2 MiB, 4 KiB) that
 * the options, the alignment of both gpa and hpa and the remaining size allow; every other
 * entry is not present. Non-leaf entries allow rwx (the leaf decides). *ept is overwritten
 * (destroy an old one first). opt NULL: 4 KiB pages only. On failure frees what it allocated,
 * leaves *ept empty and reports one of (ranges [start - end)):
 *   ept: mapping 0 (gpa 0x1000 hpa 0x4000800 size 0x2000) not 4 KiB aligned
 *   ept: mapping 2 at gpa 0x20000 is empty
 *   ept: mapping 3 (gpa 0xfffffffff000 size 0x2000) passes the 48-bit guest-physical limit
 *   ept: mapping 4 (hpa 0xffffffffff000 size 0x2000) passes the 52-bit physical limit
 *   ept: mapping 5 at gpa 0x40000: access 0x2 not allowed
 *   ept: mapping 7 at gpa 0x60000: memory type 2 reserved
 *   ept: mapping 0 (gpa 0x0 - 0x400000) overlaps mapping 2 (gpa 0x200000 - 0x600000)
 *   ept: out of memory after 10 tables (mapping 0 at gpa 0xe00000)
 *   ept: table 0x... from the allocator is unaligned or unreachable
 * Execute-only access (EPT_EXECUTE alone) is accepted: grant it only when the CPU reports
 * it (struct vmx_controls ept_execute_only), else the guest gets EPT misconfigurations. */
bool ept_build(struct ept *ept, const struct ept_memory *mem, const struct ept_mapping *maps,
               uint32_t count, const struct ept_options *opt, const struct diag *d);

/* The VMCS EPT pointer: PML4 | WB | (4 - 1) << 3 | A/D enable. */
/* Adds one range to a built EPT (a device page mapped on first use, say) with the same page
 * choice; false, reported, when it is malformed or any page of it is mapped already. The
 * caller invalidates the EPT's cached translations (INVEPT) before the guest runs again. */
bool ept_map_more(struct ept *ept, const struct ept_memory *mem, const struct ept_mapping *m,
                  const struct ept_options *opt, const struct diag *d);

uint64_t ept_pointer(const struct ept *ept, bool accessed_dirty);

/* Frees every table and empties *ept. The caller does INVEPT before the pages are reused. */
void ept_destroy(struct ept *ept, const struct ept_memory *mem);

/* ---- walking and checking ---------------------------------------------------------------- */
struct ept_walk_step {
    unsigned level;         /* 4 = PML4 .. 1 = PT */
    uint64_t table_phys, entry;
    unsigned index;
};

struct ept_walk_result {
    uint64_t gpa;
    unsigned steps;                 /* entries read; the last one is the leaf or not present */
    struct ept_walk_step step[EPT_LEVELS];
    bool mapped;
    uint64_t hpa;                   /* the translation of gpa itself */
    uint64_t page_size;
    uint8_t access;
    uint8_t memory_type;
    bool ignore_pat;
    bool unreachable;               /* stopped at a table table_ptr() could not reach */
};

/* Translates gpa as the CPU would (bits 47:0); returns out->mapped. */
bool ept_walk(const struct ept_memory *mem, uint64_t pml4_phys, uint64_t gpa,
              struct ept_walk_result *out);

/* Line `line` of a walk's description, lines 0 .. r->steps (the last is a summary):
 *   ept: PML4[0] 0x0000000100001007 -> PDPT 0x100001000
 *   ept: PD[3] 0x00000000046000b7 2 MiB page hpa 0x4600000 rwx wb
 *   ept: PT[5] 0x0000000000000000 not present
 *   ept: gpa 0x600000 -> hpa 0x4600000
 *   ept: gpa 0x2000000 not mapped
 *   ept: gpa 0x2000000 not mapped (table not reachable)
 *   ept: gpa 0x1000000000000 beyond the 48-bit guest-physical space
 * Leaves show access as "rwx"/"-" and the type as uc wc wt wp wb (else "mt<n>"), then
 * " ipat" when bit 6 is set. Returns what fmt_snprintf returns, -1 past the last line. */
int ept_walk_format(char *buf, size_t size, const struct ept_walk_result *r, unsigned line);

/* Checks the live tables against the mappings and reports every difference; accessed and
 * dirty flags are ignored, page sizes are not compared (any split that translates the same is
 * accepted). Walks only the tables that exist, then one walk per page or hole of each mapping.
 * True when they match. Reports, one line each:
 *   ept: gpa 0x2800000: 2 MiB page not in any mapping
 *   ept: gpa 0x4200000: 2 MiB page crosses the bounds of mapping 1 (gpa 0x4000000 - 0x4203000)
 *   ept: gpa 0x200000: hpa 0x4400000, expected 0x4200000
 *   ept: gpa 0x600000: access r-x, expected rwx
 *   ept: gpa 0x400000: memory type uc, expected wb
 *   ept: gpa 0x600000: ignore PAT 1, expected 0
 *   ept: gpa 0x4202000: entry 0x00000000082020b7 has unexpected bits 0x80
 *   ept: PML4[0] of table 0x100000000: entry 0x0000000100001005 is not a plain rwx table pointer
 *   ept: PDPT[3] of table 0x100001000: table 0x7000000 not reachable
 *   ept: gpa 0xa00000 - 0xe00000 of mapping 0 not mapped
 *   ept: PML4 table 0x7000000 not reachable
 * Ranges are [start - end), end exclusive. */
bool ept_compare(const struct ept_memory *mem, uint64_t pml4_phys,
                 const struct ept_mapping *maps, uint32_t count, const struct diag *d);

/* Checks one mapping list as ept_build does (alignment, limits, access, type, overlaps). */
bool ept_mappings_check(const struct ept_mapping *maps, uint32_t count, const struct diag *d);

/* "4 KiB", "2 MiB", "1 GiB" for a level's page; "uc".."wb" or NULL for a memory type. */
const char *ept_page_size_name(uint64_t page_size);
const char *ept_memory_type_name(unsigned type);

#endif
