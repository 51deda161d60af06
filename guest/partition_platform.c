/* A partition that runs an operating system sees a small PC: its firmware tables (ACPI and MP,
 * guest/acpi_build.c, guest/mp_table.c) in the BIOS area of its memory. Built again on every
 * (re)load, before the image, for the formats whose kernels look for them. */
#include "guest/partition_internal.h"

#include "guest/acpi_build.h"
#include "guest/mp_table.h"
#include "guest/pc_platform.h"
#include "vcpu/exit.h"

bool partition_wants_platform(const struct partition_config *cfg)
{
    return cfg->format == IMAGE_MULTIBOOT || cfg->format == IMAGE_MULTIBOOT2 ||
           cfg->format == IMAGE_BZIMAGE;
}

bool partition_build_firmware(struct partition *p, uint64_t *rsdp_gpa)
{
    const struct partition_config *cfg = p->config;
    struct cpuid_regs leaf1;
    vcpu_cpuid(1, 0, &leaf1);
    const struct acpi_partition_desc desc = {
        .name = cfg->name,
        .vcpu_count = 1,
        .uart_port = cfg->console.port,
        .uart_irq = cfg->console.port == 0x2F8 ? PC_IRQ_COM2 : PC_IRQ_COM1,
        .cpuid_1_eax = leaf1.eax,
        .cpuid_1_edx = leaf1.edx,
    };
    uint8_t *memory = (uint8_t *)(uintptr_t)p->memory_hpa;
    uint64_t mp_gpa;
    return acpi_build_partition(memory, p->memory_size, &desc, rsdp_gpa, &partition_report) &&
           mp_table_build(memory, p->memory_size, &desc, &mp_gpa, &partition_report);
}
