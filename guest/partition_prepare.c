/* One partition prepared before its first start: memory carved and wiped, the image through
 * its format's loader (guest/loader.h), EPT (SDM Vol. 3C 29.3), I/O and MSR bitmaps and MSR
 * lists (25.6.4, 25.6.9, 25.7.2, 25.8.2), VMCS pages, the preemption timer's period. */
#include "guest/partition_internal.h"

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "drivers/console.h"
#include "drivers/timer.h"
#include "guest/io_bitmap.h"
#include "guest/loader.h"
#include "guest/msr_bitmap.h"
#include "lib/cmdline.h"
#include "lib/string.h"
#include "mm/phys.h"
#include "vmx/preemption_timer.h"
#include "vmx/vmxon.h"

#define PAGE                        4096ULL
#define MIB                         (1024ULL * 1024)

#define CPUID_80000001_EDX_RDTSCP   (1u << 27)

/* Page sizes for a partition's EPT: guest RAM is executable, so on a CPU without
 * PSCHANGE_MC_NO it is mapped with 4 KiB pages only (the iTLB-multihit machine check a guest
 * could otherwise raise by changing a page's size under its own code; vmx/mitigations.h). */
struct ept_options partition_ept_options(void)
{
    const struct vmx_config *c = vmx_config();
    bool huge = !c->mitigations.executable_huge_pages_forbidden;
    return (struct ept_options){ c->controls.ept_2m && huge, c->controls.ept_1g && huge,
                                 c->controls.ept_accessed_dirty };
}

uint64_t partition_alloc_page(uint64_t *overhead)
{
    uint64_t page = phys_alloc_zeroed_frame();
    if (page)
        *overhead += PAGE;
    return page;
}

static uint64_t ept_alloc_table(void *ctx)
{
    return partition_alloc_page(ctx);
}

static void *ept_table_ptr(void *ctx, uint64_t phys)
{
    (void)ctx;
    return (void *)(uintptr_t)phys;
}

static void ept_free_table(void *ctx, uint64_t phys)
{
    *(uint64_t *)ctx -= PAGE;
    phys_free_run(phys, PAGE);
}

bool partition_load_image(struct partition *p, struct loader_output *out)
{
    const struct partition_config *cfg = p->config;
    const struct guest_loader *loader = guest_loader_find(cfg->format);
    if (!loader) {
        partition_not_started(p, "no loader for its image format %u", (unsigned)cfg->format);
        return false;
    }
    uint64_t rsdp_gpa = 0;
    if (partition_wants_platform(cfg) && !partition_build_firmware(p, &rsdp_gpa)) {
        partition_not_started(p, "its firmware tables could not be built");
        return false;
    }
    /* Words after the image's name on its GRUB module line replace the table's cmdline. */
    const char *args = cmdline_module_args(p->module->cmdline, cfg->module);
    struct loader_module modules[PARTITION_GUEST_MODULES_MAX];
    for (uint32_t i = 0; i < cfg->guest_module_count; i++) {
        const struct mb2_module *m = p->guest_modules[i];
        modules[i] = (struct loader_module){
            (const void *)(uintptr_t)m->start, m->end - m->start,
            cmdline_module_args(m->cmdline, cfg->guest_modules[i]) };
    }
    const struct loader_input in = {
        .image = (const void *)(uintptr_t)p->module->start,
        .image_size = p->module->end - p->module->start,
        .memory = (uint8_t *)(uintptr_t)p->memory_hpa,
        .memory_size = p->memory_size,
        .config = cfg,
        .partition_id = p->id,
        .cmdline = args && *args ? args : cfg->cmdline,
        .modules = modules,
        .module_count = cfg->guest_module_count,
        .acpi_rsdp_gpa = rsdp_gpa,
    };
    if (!loader->load(&in, out, &partition_report)) {
        partition_not_started(p, "module \"%s\" is not a loadable %s image", cfg->module, loader->name);
        return false;
    }
    if (loader_entry_needs_unrestricted_guest(&out->entry) &&
        !vmx_config()->controls.unrestricted_guest) {
        partition_not_started(p, "its %s image starts with paging off, which needs the VMX control "
                       "\"unrestricted guest\" that this machine lacks", loader->name);
        return false;
    }
    p->entry = out->entry;
    return true;
}

uint32_t partition_ept_mappings(const struct partition *p, struct ept_mapping *maps,
                                uint32_t max)
{
    const struct partition_config *cfg = p->config;
    uint32_t count = 0;
    maps[count++] = (struct ept_mapping){ 0, p->memory_hpa, p->memory_size,
                                          EPT_READ | EPT_WRITE | EPT_EXECUTE, EPT_MT_WB, false };
    for (uint32_t i = 0; i < cfg->mmio_count && count < max; i++)
        maps[count++] = (struct ept_mapping){ cfg->mmio[i].gpa, cfg->mmio[i].hpa, cfg->mmio[i].size,
                                              EPT_READ | EPT_WRITE, EPT_MT_UC, true };
    return count;
}

struct ept_memory partition_ept_memory(struct partition *p)
{
    return (struct ept_memory){ ept_alloc_table, ept_table_ptr, ept_free_table,
                                &p->overhead_bytes };
}

bool partition_build_ept(struct partition *p)
{
    struct ept_mapping maps[PARTITION_EPT_MAPPINGS_MAX];
    uint32_t count = partition_ept_mappings(p, maps, PARTITION_EPT_MAPPINGS_MAX);
    const struct ept_memory mem = partition_ept_memory(p);
    const struct ept_options opt = partition_ept_options();
    if (!ept_build(&p->ept, &mem, maps, count, &opt, &partition_report)) {
        partition_not_started(p, "EPT could not be built");
        return false;
    }
    p->vcpu.eptp = ept_pointer(&p->ept, p->ept.accessed_dirty);
    return true;
}

/* MSRs both the guest and the hypervisor have, that the VMCS does not switch: the guest's
 * values live in its entry-load/exit-store list, the hypervisor's in the exit-load list. */
static uint32_t switched_msrs(uint32_t *out)
{
    uint32_t n = 0;
    out[n++] = MSR_IA32_KERNEL_GS_BASE;
    out[n++] = MSR_IA32_STAR;
    out[n++] = MSR_IA32_LSTAR;
    out[n++] = MSR_IA32_CSTAR;
    out[n++] = MSR_IA32_FMASK;
    if (cpuid(0x80000000, 0).eax >= 0x80000001 &&
        (cpuid(0x80000001, 0).edx & CPUID_80000001_EDX_RDTSCP))
        out[n++] = MSR_IA32_TSC_AUX;
    return n;
}

/* The table's MSR grants, plus what the VMCS or the MSR lists switch anyway. */
uint32_t partition_msr_allow_list(const struct partition *p, struct msr_range *out, uint32_t max)
{
    uint32_t msrs[VCPU_SWITCHED_MSRS_MAX];
    uint32_t switched = switched_msrs(msrs), n = 0;
    for (uint32_t i = 0; i < p->config->msr_count && n + switched + 3 < max; i++)
        out[n++] = p->config->msrs[i];
    for (uint32_t i = 0; i < switched; i++)
        out[n++] = (struct msr_range){ msrs[i], msrs[i], MSR_RW };
    out[n++] = (struct msr_range){ MSR_IA32_FS_BASE, MSR_IA32_GS_BASE, MSR_RW };
    out[n++] = (struct msr_range){ MSR_IA32_EFER, MSR_IA32_EFER, MSR_RW };
    out[n++] = (struct msr_range){ MSR_IA32_PAT, MSR_IA32_PAT, MSR_RW };
    return n;
}

/* Bitmaps and MSR lists from the table (again on a restart). */
void partition_fill_vcpu_pages(struct partition *p)
{
    struct vcpu *v = &p->vcpu;
    io_bitmap_build(v->io_bitmap_a, v->io_bitmap_b, p->config->ports, p->config->port_count);
    for (uint32_t i = 0; i < p->config->port_count; i++)
        if (p->config->ports[i].access != PORT_RW)
            v->has_one_way_port_grants = true;

    uint32_t msrs[VCPU_SWITCHED_MSRS_MAX];
    v->msr_count = switched_msrs(msrs);
    for (uint32_t i = 0; i < v->msr_count; i++) {
        v->msr_guest[i] = (struct vmx_msr_entry){ msrs[i], 0, 0 };
        v->msr_host[i] = (struct vmx_msr_entry){ msrs[i], 0, 0 };
    }
    /* Not in the guest's MSR bitmap: the guest keeps 0, the exit loads the host's IBRS. */
    if (mitigation_switches_spec_ctrl(&vmx_config()->mitigations)) {
        v->msr_guest[v->msr_count] = (struct vmx_msr_entry){ MSR_IA32_SPEC_CTRL, 0, 0 };
        v->msr_host[v->msr_count++] = (struct vmx_msr_entry){ MSR_IA32_SPEC_CTRL, 0, 0 };
    }
    struct msr_range allowed[PARTITION_MSR_ALLOW_MAX];
    msr_bitmap_build(v->msr_bitmap, allowed, partition_msr_allow_list(p, allowed,
                                                                      PARTITION_MSR_ALLOW_MAX));
}

static bool build_vcpu_pages(struct partition *p)
{
    struct vcpu *v = &p->vcpu;
    uint64_t *o = &p->overhead_bytes;
    uint64_t vmcs = partition_alloc_page(o), io_a = partition_alloc_page(o), io_b = partition_alloc_page(o);
    uint64_t msr_bitmap = partition_alloc_page(o), msr_lists = partition_alloc_page(o);
    if (!vmcs || !io_a || !io_b || !msr_bitmap || !msr_lists) {
        partition_not_started(p, "out of memory for its VMCS pages");
        return false;
    }
    v->vmcs_phys = vmcs;
    v->io_bitmap_a = (uint8_t *)(uintptr_t)io_a;
    v->io_bitmap_b = (uint8_t *)(uintptr_t)io_b;
    v->msr_bitmap = (uint8_t *)(uintptr_t)msr_bitmap;
    v->msr_guest = (struct vmx_msr_entry *)(uintptr_t)msr_lists;
    v->msr_host = v->msr_guest + VCPU_SWITCHED_MSRS_MAX;
    partition_fill_vcpu_pages(p);
    return true;
}

static void preemption_timer_setup(struct vcpu *v)
{
    v->tick_period_tsc = timer_calibration()->tsc_hz / 1000 * VCPU_TIMER_PERIOD_MS;
    v->preemption_timer_value = vmx_preemption_timer_value(timer_calibration()->tsc_hz,
        VCPU_TIMER_PERIOD_MS, vmx_config()->controls.preemption_timer_rate);
}

bool partition_prepare(struct partition *p)
{
    const struct partition_config *cfg = p->config;
    const struct vmx_controls *ctl = &vmx_config()->controls;

    p->memory_size = cfg->memory_size;
    if (cfg->host_base) {
        if (!phys_claim_range(cfg->host_base, cfg->memory_size)) {
            partition_not_started(p, "its fixed memory 0x%llx-0x%llx is not free RAM",
                        (unsigned long long)cfg->host_base,
                        (unsigned long long)(cfg->host_base + cfg->memory_size - 1));
            return false;
        }
        p->memory_hpa = cfg->host_base;
    } else {
        p->memory_hpa = phys_alloc_run(cfg->memory_size, PARTITION_MEMORY_ALIGN);
        if (!p->memory_hpa) {
            partition_not_started(p, "no %llu MiB of free RAM", (unsigned long long)(cfg->memory_size / MIB));
            return false;
        }
    }
    memset((void *)(uintptr_t)p->memory_hpa, 0, p->memory_size);

    struct loader_output loaded;
    if (!partition_load_image(p, &loaded))
        goto free_memory;
    if (!partition_build_ept(p))
        goto free_memory;
    if (!build_vcpu_pages(p))
        goto free_memory;
    p->vcpu.vpid = ctl->vpid ? (uint16_t)(p->id + 1) : 0;
    line_queue_init(&p->output);
    if (!partition_vcpu_reset(p))
        goto free_memory;
    preemption_timer_setup(&p->vcpu);
    p->prepared = true;
    console_printf("partition %s: cpu %u, %llu MiB at 0x%llx, image 0x%llx-0x%llx entry 0x%llx, "
                   "ept %u tables, vpid %u, %llu KiB overhead\n", cfg->name, cfg->cpu,
                   (unsigned long long)(p->memory_size / MIB), (unsigned long long)p->memory_hpa,
                   (unsigned long long)loaded.image_start, (unsigned long long)loaded.image_end,
                   (unsigned long long)p->entry.cpu.rip, p->ept.tables, p->vcpu.vpid,
                   (unsigned long long)(p->overhead_bytes / 1024));
    return true;

free_memory:
    /* EPT tables and VMCS pages of a half-built partition are few; the RAM is what matters. */
    phys_free_run(p->memory_hpa, p->memory_size);
    return false;
}

