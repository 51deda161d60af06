/* mblong: a trip down to real mode and back (real_mode.S; SDM Vol. 3A 10.9 "Mode
 * Switching"), after a check that its low-memory code and stack spare the boot information,
 * and checks of what the real-mode code saw and of the state after coming back. */
#include "guest/images/multiboot/mb_kernel.h"

#define CR0_PE  1u
#define CR0_NE  (1u << 5)               /* flipped by both CR0 writes of real_mode.S */

struct mb_real_result {                 /* written by real_mode.S; offsets there */
    uint32_t cs;
    uint32_t cr0;
};

void mb_real_mode_roundtrip(struct mb_real_result *out);
extern const char mb_real_blob[], mb_real_blob_end[];

static bool overlaps(uint64_t a_start, uint64_t a_end, uint64_t b_start, uint64_t b_end)
{
    return a_start < b_end && b_start < a_end;
}

void mb_real_mode_check(uint32_t info_addr, uint32_t info_size)
{
    struct mb_real_result r = { 0, 0 };
    uint32_t blob_size = (uint32_t)(mb_real_blob_end - mb_real_blob);
    uint64_t info_end = (uint64_t)info_addr + info_size;

    if (blob_size > MB_REAL_BLOB_MAX ||
        overlaps(info_addr, info_end, MB_REAL_BLOB_BASE, MB_REAL_BLOB_BASE + blob_size) ||
        overlaps(info_addr, info_end, MB_REAL_STACK_TOP - MB_REAL_STACK_BYTES,
                 MB_REAL_STACK_TOP)) {
        mb_fail("real-mode code (%u bytes at 0x%x) or stack would overwrite the boot "
                "information 0x%x+%u", blob_size, MB_REAL_BLOB_BASE, info_addr, info_size);
        return;
    }
    mb_say("entering real mode: %u bytes of 16-bit code at 0x%x, 16-bit segments 0x%x/0x%x",
           blob_size, MB_REAL_BLOB_BASE, MB_GDT_CODE16, MB_GDT_DATA16);
    uint32_t cr0_before = mb_read_cr0();
    mb_real_mode_roundtrip(&r);

    uint32_t cr0_real = (cr0_before & ~CR0_PE) ^ CR0_NE;
    if (r.cs != MB_REAL_CS || r.cr0 != cr0_real)
        mb_fail("real-mode code saw cs 0x%x cr0 0x%x, want cs 0x%x cr0 0x%x", r.cs, r.cr0,
                MB_REAL_CS, cr0_real);
    uint32_t cr0 = mb_read_cr0();
    if (cr0 != cr0_before)
        mb_fail("after real mode cr0 0x%x, was 0x%x", cr0, cr0_before);
    else
        mb_say("back in protected mode from real mode");
}
