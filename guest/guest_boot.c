/* A guest's 64-bit entry environment, built inside guest memory (SDM Vol. 3A, 5.5 4-level
 * paging; 3.4.5 segment descriptors; 8.2.3 TSS descriptor in 64-bit mode). */
#include "guest/guest_boot.h"

#include "arch/x86/cpu_regs.h"
#include "lib/string.h"
#include "vcpu/entry_state.h"

#define PAGE_2M         0x200000ULL
#define GIB             0x40000000ULL
#define PTE_P           (1ULL << 0)
#define PTE_RW          (1ULL << 1)
#define PTE_PS          (1ULL << 7)

/* Flat descriptors, accessed bit set so the CPU never writes the guest's GDT. */

static void write_u64(uint8_t *mem, uint64_t gpa, uint64_t value)
{
    memcpy(mem + gpa, &value, sizeof(value));
}

static void copy_string(char *dst, size_t size, const char *src)
{
    size_t n = src ? strnlen(src, size - 1) : 0;
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

static void build_page_tables(uint8_t *mem, uint64_t mem_size)
{
    uint64_t gib_count = (mem_size + GIB - 1) / GIB;

    memset(mem + GUEST_PML4_GPA, 0, 4096);
    memset(mem + GUEST_PDPT_GPA, 0, 4096);
    write_u64(mem, GUEST_PML4_GPA, GUEST_PDPT_GPA | PTE_P | PTE_RW);
    for (uint64_t g = 0; g < gib_count; g++) {
        uint64_t pd = GUEST_PD_GPA + g * 4096;
        memset(mem + pd, 0, 4096);
        write_u64(mem, GUEST_PDPT_GPA + g * 8, pd | PTE_P | PTE_RW);
        for (uint64_t i = 0; i < 512 && g * GIB + i * PAGE_2M < mem_size; i++)
            write_u64(mem, pd + i * 8, (g * GIB + i * PAGE_2M) | PTE_P | PTE_RW | PTE_PS);
    }
}

static void build_gdt(uint8_t *mem, const struct guest_boot_selectors *sel)
{
    uint64_t base = GUEST_TSS_GPA, limit = GUEST_TSS_LIMIT;

    memset(mem + GUEST_GDT_GPA, 0, 4096);
    /* Accessed already, as the VMCS's segment state says: the guest's CPU writes nothing. */
    write_u64(mem, GUEST_GDT_GPA + sel->code, GDT_DESC_CODE64 | GDT_DESC_ACCESSED);
    write_u64(mem, GUEST_GDT_GPA + sel->data, GDT_DESC_DATA | GDT_DESC_ACCESSED);
    write_u64(mem, GUEST_GDT_GPA + sel->tss,
              gdt_tss_descriptor_low(base, (uint32_t)limit, TSS_TYPE_BUSY));
    write_u64(mem, GUEST_GDT_GPA + sel->tss + 8, base >> 32);
}

bool guest_boot_memory_ok(uint64_t mem_size, const struct diag *d)
{
    if (mem_size == 0 || mem_size % PAGE_2M) {
        diag_report(d, "guest boot: memory size 0x%llx not a multiple of 2 MiB",
                    (unsigned long long)mem_size);
        return false;
    }
    if (mem_size > GUEST_PD_MAX * GIB) {
        diag_report(d, "guest boot: memory size 0x%llx above %d GiB",
                    (unsigned long long)mem_size, GUEST_PD_MAX);
        return false;
    }
    return true;
}

void guest_boot_long_mode(uint8_t *mem, uint64_t mem_size, const struct guest_boot_selectors *sel,
                          uint64_t rip, uint64_t rsp, struct vcpu_entry *out)
{
    build_page_tables(mem, mem_size);
    build_gdt(mem, sel);
    memset(mem + GUEST_TSS_GPA, 0, GUEST_TSS_LIMIT + 1);

    const struct entry_long_mode mode = {
        .rip = rip,
        .rsp = rsp,
        .cr3 = GUEST_PML4_GPA,
        .gdtr_base = GUEST_GDT_GPA,
        .gdtr_limit = GUEST_GDT_LIMIT,
        .tr_base = GUEST_TSS_GPA,
        .tr_limit = GUEST_TSS_LIMIT,
        .cs = sel->code,
        .ds = sel->data,
        .tr = sel->tss,
    };
    entry_state_long_mode(out, &mode);
}

bool guest_boot_prepare(uint8_t *mem, uint64_t mem_size, const struct guest_boot_info *info,
                        struct vcpu_entry *out, const struct diag *d)
{
    if (!guest_boot_memory_ok(mem_size, d))
        return false;
    if (info->image_start < GUEST_IMAGE_MIN_GPA || info->image_end > mem_size ||
        info->image_start >= info->image_end) {
        diag_report(d, "guest boot: image 0x%llx-0x%llx not inside 0x%llx-0x%llx",
                    (unsigned long long)info->image_start, (unsigned long long)info->image_end,
                    (unsigned long long)GUEST_IMAGE_MIN_GPA, (unsigned long long)mem_size);
        return false;
    }
    if (info->entry < info->image_start || info->entry >= info->image_end) {
        diag_report(d, "guest boot: entry 0x%llx outside the image",
                    (unsigned long long)info->entry);
        return false;
    }

    struct tessera_boot_params params;
    memset(&params, 0, sizeof(params));
    params.magic = TESSERA_BOOT_MAGIC;
    params.version = TESSERA_BOOT_VERSION;
    params.partition_id = info->partition_id;
    copy_string(params.name, sizeof(params.name), info->name);
    copy_string(params.cmdline, sizeof(params.cmdline), info->cmdline);
    params.memory_size = mem_size;
    params.image_start = info->image_start;
    params.image_end = info->image_end;
    params.free_start = (info->image_end + 4095) & ~4095ULL;
    params.stack_top = GUEST_STACK_TOP;
    memcpy(mem + GUEST_BOOT_PARAMS_GPA, &params, sizeof(params));

    static const struct guest_boot_selectors tessera_selectors = {
        TESSERA_GUEST_SEL_CODE, TESSERA_GUEST_SEL_DATA, GUEST_SEL_TSS };
    guest_boot_long_mode(mem, mem_size, &tessera_selectors, info->entry, GUEST_STACK_TOP, out);
    out->regs.rdi = GUEST_BOOT_PARAMS_GPA;
    return true;
}
