/* Multiboot2 boot information (Multiboot2 specification 1.0, section 3.6) through the
 * hypervisor's own parser (boot/multiboot2.c), whose every complaint is a failed check, and
 * the ACPI RSDP copy of tags 14/15 checked as ACPI 6.5 section 5.2.5.3 defines it. */
#include "guest/images/multiboot/mb_kernel.h"

#include "lib/string.h"

#define INFO_MAX            0x10000     /* a larger boot information is not this loader's */
#define RSDP_V1_SIZE        20          /* signature .. RSDT address: the ACPI 1.0 checksum */
#define RSDP_LENGTH_OFFSET  20
#define RSDP_REVISION       15
#define RSDP_V2_SIZE        36

static void diag_to_fail(void *ctx, const char *line)
{
    (void)ctx;
    mb_fail("%s", line);
}

static uint8_t byte_sum(const uint8_t *p, uint32_t n)
{
    uint8_t sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + p[i]);
    return sum;
}

static void check_rsdp(const uint8_t *rsdp, uint32_t size)
{
    if (size < RSDP_V1_SIZE || memcmp(rsdp, "RSD PTR ", 8) != 0) {
        mb_fail("acpi rsdp copy of %u bytes has no \"RSD PTR \" signature", size);
        return;
    }
    uint8_t revision = rsdp[RSDP_REVISION];
    if (byte_sum(rsdp, RSDP_V1_SIZE) != 0) {
        mb_fail("acpi rsdp rev %u: checksum of the first 20 bytes is wrong", revision);
        return;
    }
    if (revision >= 2) {
        uint32_t length;
        memcpy(&length, rsdp + RSDP_LENGTH_OFFSET, sizeof(length));
        if (length < RSDP_V2_SIZE || length > size || byte_sum(rsdp, length) != 0) {
            mb_fail("acpi rsdp rev %u: length %u or extended checksum wrong (tag holds %u)",
                    revision, length, size);
            return;
        }
    }
    mb_say("acpi rsdp rev %u checksum ok", revision);
}

void mb2_read(uint32_t info_addr, struct mb2_info *out)
{
    const struct diag d = { diag_to_fail, 0 };
    memset(out, 0, sizeof(*out));
    if (!info_addr || (info_addr & 7)) {
        mb_fail("boot information at 0x%x, not 8-byte aligned", info_addr);
        return;
    }
    if (!mb2_parse((const void *)(uintptr_t)info_addr, INFO_MAX, out, &d))
        return;
    mb_say("boot information %u bytes", out->total_size);
    if (out->rsdp_new)
        check_rsdp(out->rsdp_new, out->rsdp_new_size);
    if (out->rsdp_old)
        check_rsdp(out->rsdp_old, out->rsdp_old_size);
    if (!out->rsdp_new && !out->rsdp_old)
        mb_say("acpi none");
}
