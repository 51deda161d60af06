/* Host unit tests for guest/guest_boot.c: the 64-bit entry environment inside guest memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "guest/guest_boot.h"
#include "guest/loader.h"
#include "vcpu/entry_state.h"

#define MIB (1024ULL * 1024)

static char last_message[DIAG_LINE_MAX];
static void capture(void *ctx, const char *line)
{
    (void)ctx;
    strncpy(last_message, line, sizeof(last_message) - 1);
}
static const struct diag capture_diag = { capture, NULL };

static uint64_t read_u64(const uint8_t *mem, uint64_t gpa)
{
    uint64_t v;
    memcpy(&v, mem + gpa, sizeof(v));
    return v;
}

/* Walks the guest's own 4-level tables the way its CPU would. */
static uint64_t translate(const uint8_t *mem, uint64_t cr3, uint64_t va, int *present)
{
    uint64_t pml4e = read_u64(mem, cr3 + ((va >> 39) & 511) * 8);
    uint64_t pdpte = (pml4e & 1) ? read_u64(mem, (pml4e & ~0xFFFULL) + ((va >> 30) & 511) * 8) : 0;
    uint64_t pde = (pdpte & 1) ? read_u64(mem, (pdpte & ~0xFFFULL) + ((va >> 21) & 511) * 8) : 0;
    *present = (pde & 1) && (pde & 0x80);
    return (pde & ~0x1FFFFFULL & 0x000FFFFFFFFFFFFFULL) | (va & 0x1FFFFF);
}

static const struct guest_boot_info testguest = {
    .partition_id = 1, .name = "beta", .cmdline = "heartbeat=100",
    .image_start = 0x100000, .image_end = 0x104321, .entry = 0x100000,
};

static void test_identity_map_covers_memory_exactly(void **state)
{
    (void)state;
    uint64_t size = 32 * MIB;
    uint8_t *mem = calloc(1, size);
    struct vcpu_entry es;
    assert_true(guest_boot_prepare(mem, size, &testguest, &es, &capture_diag));
    assert_int_equal(es.cpu.cr3, GUEST_PML4_GPA);
    int present;
    for (uint64_t va = 0; va < size; va += 0x1F0000) {
        assert_int_equal(translate(mem, es.cpu.cr3, va, &present), va);
        assert_true(present);
    }
    translate(mem, es.cpu.cr3, size, &present);
    assert_false(present);
    free(mem);
}

static void test_more_than_one_gib(void **state)
{
    (void)state;
    uint64_t size = 1024 * MIB + 4 * MIB;
    uint8_t *mem = calloc(1, size);
    struct vcpu_entry es;
    assert_true(guest_boot_prepare(mem, size, &testguest, &es, &capture_diag));
    int present;
    assert_int_equal(translate(mem, es.cpu.cr3, 1024 * MIB + 0x1234, &present), 1024 * MIB + 0x1234);
    assert_true(present);
    translate(mem, es.cpu.cr3, 1024 * MIB + 4 * MIB, &present);
    assert_false(present);
    free(mem);
}

static void test_boot_params_and_registers(void **state)
{
    (void)state;
    uint64_t size = 32 * MIB;
    uint8_t *mem = calloc(1, size);
    struct vcpu_entry es;
    assert_true(guest_boot_prepare(mem, size, &testguest, &es, &capture_diag));
    struct tessera_boot_params p;
    memcpy(&p, mem + es.regs.rdi, sizeof(p));
    assert_true(p.magic == TESSERA_BOOT_MAGIC);
    assert_int_equal(p.version, TESSERA_BOOT_VERSION);
    assert_int_equal(p.partition_id, 1);
    assert_string_equal(p.name, "beta");
    assert_string_equal(p.cmdline, "heartbeat=100");
    assert_int_equal(p.memory_size, size);
    assert_int_equal(p.free_start, 0x105000);
    assert_int_equal(p.stack_top, es.cpu.rsp);
    assert_true(es.cpu.rsp <= p.free_start && es.cpu.rsp % 16 == 0);
    assert_int_equal(es.cpu.rip, 0x100000);
    assert_int_equal(es.cpu.cs.selector, TESSERA_GUEST_SEL_CODE);
    /* The stack's lowest byte is above every structure the loader placed. */
    assert_true(es.cpu.rsp - TESSERA_GUEST_STACK_MIN >= GUEST_PD_GPA + 4096);
    free(mem);
}

static void test_gdt_descriptors(void **state)
{
    (void)state;
    uint64_t size = 2 * MIB;
    uint8_t *mem = calloc(1, size);
    struct guest_boot_info small = testguest;
    small.image_end = 0x180000;
    struct vcpu_entry es;
    assert_true(guest_boot_prepare(mem, size, &small, &es, &capture_diag));
    uint64_t code = read_u64(mem, es.cpu.gdtr_base + es.cpu.cs.selector);
    assert_true(code & (1ULL << 53));          /* L */
    assert_false(code & (1ULL << 54));         /* D/B clear with L */
    uint64_t tss_low = read_u64(mem, es.cpu.gdtr_base + es.cpu.tr.selector);
    assert_int_equal((tss_low >> 40) & 0xF, 0xB);   /* busy 64-bit TSS */
    assert_int_equal(((tss_low >> 16) & 0xFFFFFF) | ((tss_low >> 56) << 24), es.cpu.tr.base);
    assert_int_equal(es.cpu.gdtr_limit, GUEST_GDT_LIMIT);
    free(mem);
}

static void test_long_strings_truncated(void **state)
{
    (void)state;
    uint64_t size = 2 * MIB;
    uint8_t *mem = calloc(1, size);
    char long_name[100];
    memset(long_name, 'n', sizeof(long_name) - 1);
    long_name[99] = '\0';
    struct guest_boot_info info = testguest;
    info.name = long_name;
    info.cmdline = NULL;
    info.image_end = 0x101000;
    struct vcpu_entry es;
    assert_true(guest_boot_prepare(mem, size, &info, &es, &capture_diag));
    struct tessera_boot_params p;
    memcpy(&p, mem + es.regs.rdi, sizeof(p));
    assert_int_equal(strlen(p.name), TESSERA_BOOT_NAME_MAX - 1);
    assert_string_equal(p.cmdline, "");
    free(mem);
}

static void test_rejections(void **state)
{
    (void)state;
    uint8_t *mem = calloc(1, 4 * MIB);
    struct vcpu_entry es;
    struct guest_boot_info info = testguest;

    assert_false(guest_boot_prepare(mem, 3 * MIB, &info, &es, &capture_diag));
    assert_string_equal(last_message, "guest boot: memory size 0x300000 not a multiple of 2 MiB");

    info.image_start = 0x80000;
    assert_false(guest_boot_prepare(mem, 4 * MIB, &info, &es, &capture_diag));
    assert_string_equal(last_message,
                        "guest boot: image 0x80000-0x104321 not inside 0x100000-0x400000");

    info = testguest;
    info.image_end = 0x500000;
    assert_false(guest_boot_prepare(mem, 4 * MIB, &info, &es, &capture_diag));
    assert_string_equal(last_message,
                        "guest boot: image 0x100000-0x500000 not inside 0x100000-0x400000");

    info = testguest;
    info.entry = 0x200000;
    assert_false(guest_boot_prepare(mem, 4 * MIB, &info, &es, &capture_diag));
    assert_string_equal(last_message, "guest boot: entry 0x200000 outside the image");

    assert_false(guest_boot_prepare(mem, 65 * 1024 * MIB, &testguest, &es, &capture_diag));
    assert_string_equal(last_message, "guest boot: memory size 0x1040000000 above 64 GiB");
    free(mem);
}

/* Only a guest that starts paged in protected mode runs without "unrestricted guest". */
static void test_entry_needs_unrestricted_guest(void **state)
{
    (void)state;
    struct vcpu_entry e;
    memset(&e, 0, sizeof(e));
    entry_state_long_mode(&e, &(struct entry_long_mode){ .rip = 0x200000, .cs = 8, .ds = 16,
                                                         .tr = 24 });
    assert_false(loader_entry_needs_unrestricted_guest(&e));
    entry_state_protected_flat(&e, 0x100000, 8, 16);
    assert_true(loader_entry_needs_unrestricted_guest(&e));
    entry_state_real_mode(&e, 0, 0x7c00, 0);
    assert_true(loader_entry_needs_unrestricted_guest(&e));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_map_covers_memory_exactly),
        cmocka_unit_test(test_more_than_one_gib),
        cmocka_unit_test(test_boot_params_and_registers),
        cmocka_unit_test(test_gdt_descriptors),
        cmocka_unit_test(test_long_strings_truncated),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_entry_needs_unrestricted_guest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
