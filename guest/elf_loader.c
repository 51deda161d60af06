/* Guest image loader: validates a static ELF-64 or ELF-32 executable and copies its PT_LOAD
 * segments into guest memory (System V gABI, "Program Loading"; x86-64 and i386 psABIs). */
#include "guest/elf_loader.h"

#include "guest/elf32_spec.h"
#include "lib/string.h"

typedef unsigned long long ull;     /* for %llx: uint64_t is unsigned long here */

/* The image may sit at any alignment (a host buffer, a module): headers are copied out, and
 * ELF-32 ones widened to their ELF-64 form so that one set of checks serves both. */
static void read_ehdr(const uint8_t *image, bool is32, struct elf64_ehdr *eh)
{
    if (!is32) {
        memcpy(eh, image, sizeof(*eh));
        return;
    }
    struct elf32_ehdr e;
    memcpy(&e, image, sizeof(e));
    memset(eh, 0, sizeof(*eh));
    memcpy(eh->e_ident, e.e_ident, sizeof(e.e_ident));
    eh->e_type = e.e_type;
    eh->e_machine = e.e_machine;
    eh->e_version = e.e_version;
    eh->e_entry = e.e_entry;
    eh->e_phoff = e.e_phoff;
    eh->e_phentsize = e.e_phentsize;
    eh->e_phnum = e.e_phnum;
}

static void read_phdr(const uint8_t *image, bool is32, uint64_t phoff, uint32_t index,
                      struct elf64_phdr *ph)
{
    if (!is32) {
        memcpy(ph, image + phoff + (uint64_t)index * sizeof(*ph), sizeof(*ph));
        return;
    }
    struct elf32_phdr p;
    memcpy(&p, image + phoff + (uint64_t)index * sizeof(p), sizeof(p));
    *ph = (struct elf64_phdr){ .p_type = p.p_type, .p_flags = p.p_flags,
                               .p_offset = p.p_offset, .p_vaddr = p.p_vaddr,
                               .p_paddr = p.p_paddr, .p_filesz = p.p_filesz,
                               .p_memsz = p.p_memsz, .p_align = p.p_align };
}

static bool check_ident(const struct elf64_ehdr *eh, const struct elf_rules *rules,
                        const struct diag *d)
{
    const uint8_t *id = eh->e_ident;

    if (id[ELF64_EI_MAG0] != ELF64_MAG0 || id[ELF64_EI_MAG0 + 1] != ELF64_MAG1 ||
        id[ELF64_EI_MAG0 + 2] != ELF64_MAG2 || id[ELF64_EI_MAG0 + 3] != ELF64_MAG3) {
        diag_report(d, "elf: bad magic %02x %02x %02x %02x, not an ELF file",
                    id[0], id[1], id[2], id[3]);
        return false;
    }
    if (rules->accept_elf32 && id[ELF64_EI_CLASS] != ELF64_CLASS_64 &&
        id[ELF64_EI_CLASS] != ELF64_CLASS_32) {
        diag_report(d, "elf: class %u, neither 32-bit (%u) nor 64-bit (%u)",
                    id[ELF64_EI_CLASS], ELF64_CLASS_32, ELF64_CLASS_64);
        return false;
    }
    if (!rules->accept_elf32 && id[ELF64_EI_CLASS] != ELF64_CLASS_64) {
        diag_report(d, "elf: class %u, not 64-bit (%u)",
                    id[ELF64_EI_CLASS], ELF64_CLASS_64);
        return false;
    }
    if (id[ELF64_EI_DATA] != ELF64_DATA_LSB) {
        diag_report(d, "elf: data encoding %u, not little-endian (%u)",
                    id[ELF64_EI_DATA], ELF64_DATA_LSB);
        return false;
    }
    if (id[ELF64_EI_VERSION] != ELF64_EV_CURRENT) {
        diag_report(d, "elf: ident version %u, not current (%u)",
                    id[ELF64_EI_VERSION], ELF64_EV_CURRENT);
        return false;
    }
    return true;
}

static bool check_header(const struct elf64_ehdr *eh, bool is32, uint64_t size,
                         const struct elf_rules *rules, const struct diag *d)
{
    if (!check_ident(eh, rules, d))
        return false;
    if (eh->e_version != ELF64_EV_CURRENT) {
        diag_report(d, "elf: e_version %u, not current (%u)",
                    (unsigned)eh->e_version, ELF64_EV_CURRENT);
        return false;
    }
    if (is32 && eh->e_machine != ELF32_EM_386) {
        diag_report(d, "elf: e_machine %u, not i386 (%u)",
                    (unsigned)eh->e_machine, ELF32_EM_386);
        return false;
    }
    if (!is32 && eh->e_machine != ELF64_EM_X86_64) {
        diag_report(d, "elf: e_machine %u, not x86-64 (%u)",
                    (unsigned)eh->e_machine, ELF64_EM_X86_64);
        return false;
    }
    if (eh->e_type != ELF64_ET_EXEC) {
        diag_report(d, "elf: e_type %u, not an executable (%u)",
                    (unsigned)eh->e_type, ELF64_ET_EXEC);
        return false;
    }
    unsigned phentsize = is32 ? sizeof(struct elf32_phdr) : sizeof(struct elf64_phdr);
    if (eh->e_phentsize != phentsize) {
        diag_report(d, "elf: e_phentsize %u, not %u", (unsigned)eh->e_phentsize, phentsize);
        return false;
    }
    if (eh->e_phnum > ELF_MAX_PHDRS) {
        diag_report(d, "elf: e_phnum %u, more than %u program headers",
                    (unsigned)eh->e_phnum, ELF_MAX_PHDRS);
        return false;
    }
    uint64_t table = (uint64_t)eh->e_phnum * phentsize;
    if (eh->e_phoff > size || table > size - eh->e_phoff) {
        diag_report(d, "elf: program headers 0x%llx+0x%llx past the end of the image (0x%llx)",
                    (ull)eh->e_phoff, (ull)table, (ull)size);
        return false;
    }
    return true;
}

/* Checks one PT_LOAD with memsz > 0 on its own and against the segments
 * already planned, then appends it. */
static bool plan_segment(const struct elf64_phdr *ph, uint32_t index, uint64_t size,
                         const struct elf_rules *rules, struct elf_load_plan *plan,
                         const struct diag *d)
{
    if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset) {
        diag_report(d, "elf: segment %u: file range 0x%llx+0x%llx past the end of the image (0x%llx)",
                    index, (ull)ph->p_offset, (ull)ph->p_filesz, (ull)size);
        return false;
    }
    if (!rules->physical && ph->p_vaddr != ph->p_paddr) {
        diag_report(d, "elf: segment %u: p_vaddr 0x%llx differs from p_paddr 0x%llx "
                    "(guests start identity-mapped)",
                    index, (ull)ph->p_vaddr, (ull)ph->p_paddr);
        return false;
    }
    uint64_t gpa = ph->p_paddr;
    if (ph->p_memsz > UINT64_MAX - gpa) {
        diag_report(d, "elf: segment %u: 0x%llx+0x%llx wraps past the end of the address space",
                    index, (ull)gpa, (ull)ph->p_memsz);
        return false;
    }
    uint64_t end = gpa + ph->p_memsz;
    if (end > rules->memory_size) {
        diag_report(d, "elf: segment %u: 0x%llx-0x%llx outside guest memory (0x%llx bytes)",
                    index, (ull)gpa, (ull)end, (ull)rules->memory_size);
        return false;
    }
    for (uint32_t i = 0; i < plan->count; i++) {
        const struct elf_segment *other = &plan->segments[i];
        uint64_t other_end = other->gpa + other->memsz;
        if (gpa < other_end && other->gpa < end) {
            diag_report(d, "elf: segment %u: 0x%llx-0x%llx overlaps segment %u (0x%llx-0x%llx)",
                        index, (ull)gpa, (ull)end, other->phdr_index,
                        (ull)other->gpa, (ull)other_end);
            return false;
        }
    }

    struct elf_segment *seg = &plan->segments[plan->count++];
    seg->file_offset = ph->p_offset;
    seg->gpa = gpa;
    seg->vaddr = ph->p_vaddr;
    seg->filesz = ph->p_filesz;
    seg->memsz = ph->p_memsz;
    seg->flags = ph->p_flags;
    seg->phdr_index = index;
    if (plan->count == 1 || gpa < plan->lowest_gpa)
        plan->lowest_gpa = gpa;
    if (plan->count == 1 || end > plan->highest_gpa_end)
        plan->highest_gpa_end = end;
    return true;
}

/* The executable segment whose file-backed bytes hold address (a virtual one when by_vaddr,
 * else guest-physical), or NULL. */
static const struct elf_segment *code_segment(const struct elf_load_plan *plan,
                                              uint64_t address, bool by_vaddr)
{
    for (uint32_t i = 0; i < plan->count; i++) {
        const struct elf_segment *seg = &plan->segments[i];
        uint64_t start = by_vaddr ? seg->vaddr : seg->gpa;
        if ((seg->flags & ELF64_PF_X) && address >= start && address - start < seg->filesz)
            return seg;
    }
    return 0;
}

bool elf_plan_runs_at(const struct elf_load_plan *plan, uint64_t gpa)
{
    return code_segment(plan, gpa, false) != 0;
}

bool elf_plan(const void *image, uint64_t size, const struct elf_rules *rules,
              struct elf_load_plan *plan, const struct diag *d)
{
    const uint8_t *bytes = image;
    struct elf64_ehdr eh;

    memset(plan, 0, sizeof(*plan));
    bool is32 = rules->accept_elf32 && size > ELF64_EI_CLASS &&
                bytes[ELF64_EI_CLASS] == ELF64_CLASS_32;
    unsigned header_size = is32 ? sizeof(struct elf32_ehdr) : sizeof(eh);
    if (size < header_size) {
        diag_report(d, "elf: image of %llu bytes, shorter than the ELF header (%u)",
                    (ull)size, header_size);
        return false;
    }
    read_ehdr(bytes, is32, &eh);
    if (!check_header(&eh, is32, size, rules, d))
        return false;

    for (uint32_t i = 0; i < eh.e_phnum; i++) {
        struct elf64_phdr ph;
        read_phdr(bytes, is32, eh.e_phoff, i, &ph);
        if (ph.p_type == ELF64_PT_INTERP) {
            diag_report(d, "elf: segment %u: PT_INTERP, dynamic linking is not supported", i);
            return false;
        }
        if (ph.p_type != ELF64_PT_LOAD)
            continue;
        if (ph.p_filesz > ph.p_memsz) {
            diag_report(d, "elf: segment %u: file size 0x%llx larger than memory size 0x%llx",
                        i, (ull)ph.p_filesz, (ull)ph.p_memsz);
            return false;
        }
        if (ph.p_memsz == 0)
            continue;
        if (!plan_segment(&ph, i, size, rules, plan, d))
            return false;
    }
    if (plan->count == 0) {
        diag_report(d, "elf: no PT_LOAD segment");
        return false;
    }

    /* e_entry is virtual: its segment says where it lies in guest-physical memory. */
    const struct elf_segment *code = code_segment(plan, eh.e_entry, true);
    if (!code) {
        diag_report(d, "elf: entry 0x%llx not in an executable segment", (ull)eh.e_entry);
        return false;
    }
    plan->entry = eh.e_entry - code->vaddr + code->gpa;
    return true;
}

bool elf64_plan(const void *image, uint64_t size, uint64_t guest_memory_size,
                struct elf_load_plan *plan, const struct diag *d)
{
    const struct elf_rules rules = { .memory_size = guest_memory_size };
    return elf_plan(image, size, &rules, plan, d);
}

void elf64_apply(const struct elf_load_plan *plan, const void *image, void *guest_base)
{
    const uint8_t *src = image;
    uint8_t *guest = guest_base;

    for (uint32_t i = 0; i < plan->count; i++) {
        const struct elf_segment *seg = &plan->segments[i];
        memcpy(guest + seg->gpa, src + seg->file_offset, seg->filesz);
        memset(guest + seg->gpa + seg->filesz, 0, seg->memsz - seg->filesz);
    }
}
