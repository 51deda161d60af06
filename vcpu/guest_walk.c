/* Software walk of a guest's page tables (Intel SDM Vol. 3A: 32-bit paging 4.3, PAE 4.4,
 * 4-level and 5-level 4.5, access rights 4.6, #PF error code 4.7). Pure: the guest's
 * memory is reached only through struct guest_memory. */
#include "vcpu/guest_walk.h"

#include "arch/x86/cpu_regs.h"
#include "arch/x86/msr.h"

/* Paging-structure entry bits common to all modes (Tables 4-4 .. 4-20). */
#define ENTRY_PRESENT   (1ull << 0)
#define ENTRY_WRITABLE  (1ull << 1)
#define ENTRY_USER      (1ull << 2)
#define ENTRY_PAGE_SIZE (1ull << 7)     /* PAT instead in a PTE */
#define ENTRY_XD        (1ull << 63)    /* PAE, 4/5-level only */

#define LEVEL_BITS      9u              /* index bits per level with 64-bit entries */
#define PT_SHIFT        12u
#define PD_SHIFT        21u
#define PDPT_SHIFT      30u
#define PML4_SHIFT      39u
#define PML5_SHIFT      48u

/* One walk in progress, with the rights gathered so far: a page is writable or user only if
 * every entry says so, and execute-disabled if any entry says so (4.6). */
struct walk {
    const struct guest_paging_state *state;
    const struct guest_memory *mem;
    uint64_t linear;
    unsigned access;
    struct guest_translation *out;
    bool writable, user, execute_disable;
};

/* Bits high..low set; none when high < low. */
static uint64_t bit_range(unsigned high, unsigned low)
{
    if (high < low || low > 63)
        return 0;
    return (~0ull >> (63 - high)) & ~((1ull << low) - 1);
}

static bool nxe(const struct walk *w)
{
    return (w->state->efer & EFER_NXE) != 0;
}

/* Bits MAXPHYADDR-1:12: the address of a table or page in an entry or CR3. */
static uint64_t address_mask(const struct walk *w)
{
    return bit_range(w->state->maxphyaddr - 1, PT_SHIFT);
}

/* Reads a 4- or 8-byte little-endian entry; outside RAM the entry's address is kept. */
static bool read_entry(struct walk *w, uint64_t gpa, unsigned size, uint64_t *entry)
{
    uint8_t raw[8];

    if (!w->mem->read(w->mem->ctx, gpa, raw, size)) {
        w->out->entry_gpa = gpa;
        return false;
    }
    *entry = 0;
    for (unsigned i = 0; i < size; i++)
        *entry |= (uint64_t)raw[i] << (8 * i);
    return true;
}

/* The error code (4.7): W/R and U/S describe the access; I/D is reported for fetches only
 * when SMEP is on, or PAE paging (or 4/5-level) with NXE. */
static enum guest_walk_result page_fault(struct walk *w, uint32_t cause)
{
    uint32_t code = cause | (w->access & (GUEST_PF_WRITE | GUEST_PF_USER));
    uint64_t cr4 = w->state->cr4;

    if ((w->access & GUEST_ACCESS_FETCH) &&
        ((cr4 & CR4_SMEP) || ((cr4 & CR4_PAE) && nxe(w))))
        code |= GUEST_PF_FETCH;
    w->out->error_code = code;
    return GUEST_WALK_PAGE_FAULT;
}

static void gather_rights(struct walk *w, uint64_t entry)
{
    w->writable = w->writable && (entry & ENTRY_WRITABLE);
    w->user = w->user && (entry & ENTRY_USER);
    w->execute_disable = w->execute_disable || (entry & ENTRY_XD);
}

/* 4.6: user accesses need user pages; writes need writable pages, except supervisor writes
 * with CR0.WP = 0; fetches need XD clear (XD is only ever set with NXE, otherwise it is a
 * reserved bit) and, with SMEP, a supervisor fetch needs a supervisor page. */
static bool access_allowed(const struct walk *w)
{
    bool user_access = (w->access & GUEST_ACCESS_USER) != 0;

    if (user_access && !w->user)
        return false;
    if ((w->access & GUEST_ACCESS_WRITE) && !w->writable &&
        (user_access || (w->state->cr0 & CR0_WP)))
        return false;
    if (w->access & GUEST_ACCESS_FETCH) {
        if (w->execute_disable)
            return false;
        if (!user_access && w->user && (w->state->cr4 & CR4_SMEP))
            return false;
    }
    return true;
}

static enum guest_walk_result translated(struct walk *w, uint64_t page_base, uint64_t page_size)
{
    if (!access_allowed(w))
        return page_fault(w, GUEST_PF_PRESENT);
    w->out->page_size = page_size;
    w->out->gpa = page_base | (w->linear & (page_size - 1));
    return GUEST_WALK_OK;
}

/* Walks 8-byte entries from the table at `table`, whose entries each map 2^shift bytes, down
 * to a page. `reserved` holds the bits reserved in every present entry of this mode. */
static enum guest_walk_result walk_8byte_entries(struct walk *w, uint64_t table, unsigned shift,
                                                 uint64_t reserved)
{
    for (;; shift -= LEVEL_BITS) {
        uint64_t index = (w->linear >> shift) & ((1u << LEVEL_BITS) - 1);
        uint64_t entry;

        if (!read_entry(w, table + index * 8, 8, &entry))
            return GUEST_WALK_TABLE_OUTSIDE_RAM;
        if (!(entry & ENTRY_PRESENT))
            return page_fault(w, 0);
        bool large = shift != PT_SHIFT && (entry & ENTRY_PAGE_SIZE);
        uint64_t entry_reserved = reserved;
        if (large)  /* PS is reserved in a PML4E and PML5E; a large page's low address bits are */
            entry_reserved |= shift > PDPT_SHIFT ? ENTRY_PAGE_SIZE : bit_range(shift - 1, 13);
        if (entry & entry_reserved)
            return page_fault(w, GUEST_PF_PRESENT | GUEST_PF_RSVD);
        gather_rights(w, entry);
        if (shift == PT_SHIFT || large) {
            uint64_t size = 1ull << shift;
            return translated(w, entry & address_mask(w) & ~(size - 1), size);
        }
        table = entry & address_mask(w);
    }
}

/* Reserved in every present entry of PAE (bits 62:M) or 4/5-level paging (51:M), plus XD
 * without NXE (4.4.2, 4.5.4). */
static uint64_t reserved_high_bits(const struct walk *w, unsigned top_bit)
{
    return bit_range(top_bit, w->state->maxphyaddr) | (nxe(w) ? 0 : ENTRY_XD);
}

/* 32-bit paging (4.3): 4-byte entries, 4 MiB pages with CR4.PSE whose PDE bits 20:13 give
 * physical bits 39:32 (PSE-36); only bits 21:(M-19) of such a PDE are reserved, M being
 * MAXPHYADDR capped at 40. No XD bit. */
static enum guest_walk_result walk_32bit(struct walk *w)
{
    uint32_t linear = (uint32_t)w->linear;
    uint64_t pde, pte;

    if (!read_entry(w, (w->state->cr3 & 0xFFFFF000u) + (linear >> 22) * 4, 4, &pde))
        return GUEST_WALK_TABLE_OUTSIDE_RAM;
    if (!(pde & ENTRY_PRESENT))
        return page_fault(w, 0);
    if ((w->state->cr4 & CR4_PSE) && (pde & ENTRY_PAGE_SIZE)) {
        unsigned m = w->state->maxphyaddr < 40 ? w->state->maxphyaddr : 40;
        if (pde & bit_range(21, m - 19))
            return page_fault(w, GUEST_PF_PRESENT | GUEST_PF_RSVD);
        gather_rights(w, pde);
        uint64_t base = (pde & 0xFFC00000u) | (((pde >> 13) & 0xFF) << 32);
        return translated(w, base, GUEST_PAGE_4M);
    }
    gather_rights(w, pde);
    if (!read_entry(w, (pde & 0xFFFFF000u) + ((linear >> 12) & 0x3FF) * 4, 4, &pte))
        return GUEST_WALK_TABLE_OUTSIDE_RAM;
    if (!(pte & ENTRY_PRESENT))
        return page_fault(w, 0);
    gather_rights(w, pte);
    return translated(w, pte & 0xFFFFF000u, GUEST_PAGE_4K);
}

/* PAE paging (4.4): bits 31:30 pick a PDPTE, which has no rights bits; its reserved bits are
 * 63:M, 8:5 and 2:1. Those would have made MOV CR3 fail with #GP; a table changed since
 * is reported as the reserved-bit #PF, the nearest thing a walk can say. */
static enum guest_walk_result walk_pae(struct walk *w)
{
    unsigned i = (unsigned)(w->linear >> PDPT_SHIFT) & 3;
    uint64_t pdpte;

    if (w->state->pdptes_loaded)
        pdpte = w->state->pdpte[i];
    else if (!read_entry(w, (w->state->cr3 & 0xFFFFFFE0u) + i * 8, 8, &pdpte))
        return GUEST_WALK_TABLE_OUTSIDE_RAM;
    if (!(pdpte & ENTRY_PRESENT))
        return page_fault(w, 0);
    if (pdpte & (bit_range(63, w->state->maxphyaddr) | bit_range(8, 5) | bit_range(2, 1)))
        return page_fault(w, GUEST_PF_PRESENT | GUEST_PF_RSVD);
    return walk_8byte_entries(w, pdpte & address_mask(w), PD_SHIFT, reserved_high_bits(w, 62));
}

/* 4-level and 5-level paging (4.5): addresses must be canonical, bits 63:47 (63:56) copies of
 * bit 47 (56). */
static enum guest_walk_result walk_long(struct walk *w)
{
    unsigned top = (w->state->cr4 & CR4_LA57) ? PML5_SHIFT : PML4_SHIFT;
    unsigned sign_bit = top + LEVEL_BITS - 1;
    uint64_t upper = w->linear & bit_range(63, sign_bit);

    if (upper != 0 && upper != bit_range(63, sign_bit))
        return GUEST_WALK_NON_CANONICAL;
    return walk_8byte_entries(w, w->state->cr3 & address_mask(w), top, reserved_high_bits(w, 51));
}

static bool access_valid(unsigned access)
{
    unsigned all = GUEST_ACCESS_WRITE | GUEST_ACCESS_USER | GUEST_ACCESS_FETCH;

    return !(access & ~all) &&
           (access & (GUEST_ACCESS_WRITE | GUEST_ACCESS_FETCH)) !=
               (GUEST_ACCESS_WRITE | GUEST_ACCESS_FETCH);
}

enum guest_walk_result guest_walk(const struct guest_paging_state *state,
                                  const struct guest_memory *mem, uint64_t linear,
                                  unsigned access, struct guest_translation *out)
{
    if (out == NULL)
        return GUEST_WALK_BAD_ARGUMENT;
    *out = (struct guest_translation){ .linear = linear };
    if (state == NULL || mem == NULL || mem->read == NULL || !access_valid(access) ||
        state->maxphyaddr < 32 || state->maxphyaddr > 52)
        return GUEST_WALK_BAD_ARGUMENT;

    struct walk w = { .state = state, .mem = mem, .linear = linear, .access = access,
                      .out = out, .writable = true, .user = true };
    bool long_mode = (state->cr0 & CR0_PG) && (state->cr4 & CR4_PAE) && (state->efer & EFER_LME);
    if (!long_mode) {       /* linear addresses are 32 bits outside IA-32e mode */
        w.linear = (uint32_t)linear;
        out->linear = w.linear;
    }
    if (!(state->cr0 & CR0_PG)) {
        out->gpa = w.linear;
        out->page_size = GUEST_PAGE_4K;
        return GUEST_WALK_OK;
    }
    if (!(state->cr4 & CR4_PAE))
        return walk_32bit(&w);
    if (!long_mode)
        return walk_pae(&w);
    return walk_long(&w);
}

enum guest_walk_result guest_read_linear(const struct guest_paging_state *state,
                                         const struct guest_memory *mem, uint64_t linear,
                                         unsigned access, void *buf, size_t n, size_t *copied,
                                         struct guest_translation *last)
{
    uint8_t *dst = buf;
    size_t done = 0;
    enum guest_walk_result r = GUEST_WALK_OK;

    if (last == NULL || copied == NULL || (buf == NULL && n > 0))
        return GUEST_WALK_BAD_ARGUMENT;
    *copied = 0;
    *last = (struct guest_translation){ .linear = linear };
    while (done < n) {
        uint64_t at = linear + done;
        size_t chunk = GUEST_PAGE_4K - (at & (GUEST_PAGE_4K - 1));

        if (chunk > n - done)
            chunk = n - done;
        r = guest_walk(state, mem, at, access, last);
        if (r != GUEST_WALK_OK)
            break;
        if (!mem->read(mem->ctx, last->gpa, dst + done, chunk)) {
            last->entry_gpa = last->gpa;
            r = GUEST_WALK_PAGE_OUTSIDE_RAM;
            break;
        }
        done += chunk;
    }
    *copied = done;
    return r;
}

const char *guest_walk_result_name(enum guest_walk_result result)
{
    static const char *const names[GUEST_WALK_RESULT_COUNT] = {
        [GUEST_WALK_OK]                = "ok",
        [GUEST_WALK_PAGE_FAULT]        = "page fault",
        [GUEST_WALK_NON_CANONICAL]     = "non-canonical address",
        [GUEST_WALK_TABLE_OUTSIDE_RAM] = "paging-structure entry outside guest RAM",
        [GUEST_WALK_PAGE_OUTSIDE_RAM]  = "page outside guest RAM",
        [GUEST_WALK_BAD_ARGUMENT]      = "bad argument",
    };

    if ((unsigned)result >= GUEST_WALK_RESULT_COUNT)
        return "unknown result";
    return names[result];
}
