/* The hypervisor's side of ACPI (ACPI 6.5, 5.2): the identity-map reader, the `acpi:` summary and `acpidump`. */
#include "drivers/acpi.h"

#include "boot/multiboot2.h"
#include "drivers/console.h"
#include "lib/cmdline.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/phys.h"

#define DUMP_BYTES_PER_LINE 32
#define SUMMARY_MAX_IDS     24      /* APIC IDs listed on the summary line; the rest at debug */
#define TABLES_PER_LINE     16

static struct acpi_info acpi_result;

/* Physical memory is identity-mapped below 4 GiB only: anything reaching past
 * that (or wrapping) is refused, and the parser reports it as unreadable. */
static const void *identity_map(void *ctx, uint64_t phys, uint64_t len)
{
    (void)ctx;
    if (phys == 0 || len > PHYS_4GIB || phys > PHYS_4GIB - len)
        return NULL;
    return (const void *)(uintptr_t)phys;
}

static void dump_bytes(const char *sig, uint64_t phys, const uint8_t *p, uint32_t length)
{
    static const char hex[] = "0123456789abcdef";
    char line[2 * DUMP_BYTES_PER_LINE + 1];

    console_printf("acpidump: %s 0x%llx %u\n", sig, (unsigned long long)phys, length);
    for (uint32_t off = 0; off < length; off += DUMP_BYTES_PER_LINE) {
        uint32_t n = length - off < DUMP_BYTES_PER_LINE ? length - off : DUMP_BYTES_PER_LINE;
        for (uint32_t i = 0; i < n; i++) {
            line[2 * i] = hex[p[off + i] >> 4];
            line[2 * i + 1] = hex[p[off + i] & 0xF];
        }
        line[2 * n] = '\0';
        console_printf("acpidump: %s\n", line);
    }
}

void acpi_dump(const struct acpi_info *info, const struct acpi_memory *mem)
{
    const uint8_t *p;

    if (info->rsdp_source != ACPI_RSDP_NONE &&
        (p = mem->map(mem->ctx, info->rsdp_address, info->rsdp_length)))
        dump_bytes("RSDP", info->rsdp_address, p, info->rsdp_length);
    for (uint32_t i = 0; i < info->table_count; i++) {
        const struct acpi_table *t = &info->tables[i];
        if ((p = mem->map(mem->ctx, t->address, t->length)))
            dump_bytes(t->signature, t->address, p, t->length);
    }
    console_printf("acpidump: end\n");
}

const char *acpi_rsdp_source_name(enum acpi_rsdp_source source)
{
    switch (source) {
    case ACPI_RSDP_MB2_NEW:   return "multiboot2 new tag";
    case ACPI_RSDP_MB2_OLD:   return "multiboot2 old tag";
    case ACPI_RSDP_EBDA:      return "EBDA";
    case ACPI_RSDP_BIOS_AREA: return "BIOS area";
    default:                  return "none";
    }
}

static void log_tables(const struct acpi_info *info)
{
    char line[TABLES_PER_LINE * 5 + 1];
    size_t used = 0;

    for (uint32_t i = 0; i < info->table_count; i++) {
        used += (size_t)fmt_snprintf(line + used, sizeof(line) - used, " %s",
                                     info->tables[i].signature);
        if ((i + 1) % TABLES_PER_LINE == 0 || i + 1 == info->table_count) {
            console_printf("acpi: tables:%s\n", line);
            used = 0;
        }
    }
}

static void log_madt(const struct acpi_info *info)
{
    char ids[SUMMARY_MAX_IDS * 11 + 8];
    size_t used = 0;
    uint32_t offline = 0;

    for (uint32_t i = 0; i < info->cpu_count; i++) {
        const struct acpi_cpu *c = &info->cpus[i];
        if (i < SUMMARY_MAX_IDS)
            used += (size_t)fmt_snprintf(ids + used, sizeof(ids) - used, "%s%u", i ? " " : "",
                                         c->apic_id);
        else if (i == SUMMARY_MAX_IDS)
            used += (size_t)fmt_snprintf(ids + used, sizeof(ids) - used, " ...");
        if (c->online_capable)
            offline++;
        console_log(LOG_DEBUG, "acpi: cpu %u: apic %u uid %u%s%s\n", i, c->apic_id, c->uid,
                    c->x2apic ? " x2apic" : "", c->online_capable ? " online-capable" : "");
    }
    console_printf("acpi: madt: %u cpu%s (apic %s), %u ioapic%s, %u override%s, %u nmi%s, "
                   "local apic 0x%llx%s\n",
                   info->cpu_count, info->cpu_count == 1 ? "" : "s", ids,
                   info->ioapic_count, info->ioapic_count == 1 ? "" : "s",
                   info->override_count, info->override_count == 1 ? "" : "s",
                   info->nmi_count, info->nmi_count == 1 ? "" : "s",
                   (unsigned long long)info->lapic_address,
                   info->pcat_compat ? ", 8259 pics present" : "");
    if (offline) {
        used = 0;
        for (uint32_t i = 0; i < info->cpu_count && used < sizeof(ids) - 12; i++)
            if (info->cpus[i].online_capable)
                used += (size_t)fmt_snprintf(ids + used, sizeof(ids) - used, " %u",
                                             info->cpus[i].apic_id);
        console_printf("acpi: madt: %u online-capable, not enabled: apic%s\n", offline, ids);
    }
    if (info->cpus_dropped)
        console_printf("acpi: madt: %u more cpus dropped (at most %u)\n", info->cpus_dropped,
                       ACPI_MAX_CPUS);
    for (uint32_t i = 0; i < info->ioapic_count; i++)
        console_printf("acpi: ioapic id %u at 0x%x, gsi base %u\n", info->ioapics[i].id,
                       info->ioapics[i].address, info->ioapics[i].gsi_base);
}

static struct acpi_boot boot_from(const struct mb2_info *info)
{
    return (struct acpi_boot){
        .rsdp_new = info->rsdp_new, .rsdp_new_size = info->rsdp_new_size,
        .rsdp_old = info->rsdp_old, .rsdp_old_size = info->rsdp_old_size,
        .bios = !(info->efi64 || info->efi32),
    };
}

const uint8_t *acpi_find_table_quietly(const struct mb2_info *info, const char *signature,
                                       uint32_t *length)
{
    const struct acpi_memory mem = { identity_map, 0 };
    const struct acpi_boot boot = boot_from(info);

    /* acpi_init parses again into the same place, with reports. */
    acpi_parse(&mem, &boot, &acpi_result, NULL);
    for (uint32_t i = 0; i < acpi_result.table_count; i++) {
        const struct acpi_table *t = &acpi_result.tables[i];
        if (memcmp(t->signature, signature, 4) == 0) {
            *length = t->length;
            return identity_map(0, t->address, t->length);
        }
    }
    return NULL;
}

const struct acpi_info *acpi_init(const struct mb2_info *info)
{
    const struct acpi_memory mem = { identity_map, 0 };
    const struct diag d = { console_line_sink, 0 };
    const struct acpi_boot boot = boot_from(info);
    struct acpi_info *a = &acpi_result;

    bool usable = acpi_parse(&mem, &boot, a, &d);
    if (a->rsdp_source != ACPI_RSDP_NONE)
        console_printf("acpi: rsdp v%u at 0x%llx (%s, oem \"%s\")\n", a->rsdp_revision,
                       (unsigned long long)a->rsdp_address,
                       acpi_rsdp_source_name(a->rsdp_source), a->oem_id);
    log_tables(a);
    if (usable)
        log_madt(a);
    else
        console_printf("acpi: no usable MADT: running on the boot CPU alone\n");
    if (a->errors)
        console_printf("acpi: %u problem%s reported\n", a->errors, a->errors == 1 ? "" : "s");

    char value[16];
    if (cmdline_get(info->cmdline, "acpidump", value, sizeof(value)))
        acpi_dump(a, &mem);
    return a;
}
