/* INS and OUTS through vcpu/exit_io_string.c over the fake VMCS: elements reach the device in
 * order, registers advance as the CPU advances them, REP batches, faults stop the string where
 * the CPU would, and memory that is not RAM stops the partition. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/vcpu_exit_fixture.h"
#include "vcpu/devices.h"
#include "vcpu/guest_walk.h"
#include "vmx/vmxon.h"

#define PORT        0x3F8u
#define AR_DATA     0xC093u
#define AR_CODE32   0xC09Bu

static uint8_t written[8192];
static unsigned written_count, read_count;

static uint32_t recorder_read(void *ctx, uint16_t offset, unsigned size)
{
    (void)ctx;
    (void)offset;
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)(0xA0 + read_count++ % 16) << (8 * i);
    return v;
}

static void recorder_write(void *ctx, uint16_t offset, unsigned size, uint32_t value)
{
    (void)ctx;
    (void)offset;
    for (unsigned i = 0; i < size && written_count < sizeof(written); i++)
        written[written_count++] = (uint8_t)(value >> (8 * i));
}

static const struct vcpu_port_ops recorder = { recorder_read, recorder_write };

/* 32-bit flat protected mode, paging off, instruction information: 32-bit addresses, DS. */
static int string_setup(void **state)
{
    setup(state);
    written_count = read_count = 0;
    vmx_negotiated.caps.ins_outs_info = true;
    fake_vmcs_set(VMCS_GUEST_CR0, CR0_PE);
    fake_vmcs_set(VMCS_GUEST_CS_ACCESS_RIGHTS, AR_CODE32);
    for (unsigned seg = 0; seg < 6; seg++) {
        if (seg == 1)
            continue;
        fake_vmcs_set((enum vmcs_field)(VMCS_GUEST_ES_ACCESS_RIGHTS + 2 * seg), AR_DATA);
        fake_vmcs_set((enum vmcs_field)(VMCS_GUEST_ES_LIMIT + 2 * seg), 0xFFFFFFFF);
    }
    fake_vmcs_set(VMCS_EXIT_INFO_INSTRUCTION_INFO, (1u << 7) | (3u << 15));
    assert_int_equal(vcpu_claim_ports(&vcpu, PORT, 8, &recorder, 0), RANGE_ADDED);
    return 0;
}

static uint64_t string_qual(unsigned size, bool in, bool rep)
{
    return ((uint64_t)PORT << 16) | (size - 1) | (in ? VMX_QUAL_IO_IN : 0) |
           VMX_QUAL_IO_STRING | (rep ? VMX_QUAL_IO_REP : 0);
}

static void test_rep_outsb_sends_the_string(void **state)
{
    (void)state;
    memcpy(memory + 0x2000, "hello", 5);
    vcpu.regs.rsi = 0x2000;
    vcpu.regs.rcx = 5;
    assert_int_equal(run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, string_qual(1, false, true)),
                     VCPU_RESUME);
    assert_int_equal(written_count, 5);
    assert_memory_equal(written, "hello", 5);
    assert_int_equal(vcpu.regs.rsi, 0x2005);
    assert_int_equal(vcpu.regs.rcx, 0);
    assert_advanced();
}

static void test_insw_backwards_fills_memory(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_GUEST_RFLAGS, RFLAGS_DF | 2);
    vcpu.regs.rdi = 0x3004;
    vcpu.regs.rcx = 3;
    run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, string_qual(2, true, true));
    static const uint8_t want[] = { 0xA4, 0xA5, 0xA2, 0xA3, 0xA0, 0xA1 };
    assert_memory_equal(memory + 0x3000, want, sizeof(want));  /* 3004, 3002, 3000 */
    assert_int_equal(vcpu.regs.rdi, 0x2FFE);
    assert_int_equal(vcpu.regs.rcx, 0);
    assert_advanced();
}

/* Without REP one element moves and the count register is left alone. */
static void test_single_outsd(void **state)
{
    (void)state;
    memcpy(memory + 0x100, "\x01\x02\x03\x04", 4);
    vcpu.regs.rsi = 0x100;
    vcpu.regs.rcx = 77;
    run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, string_qual(4, false, false));
    assert_int_equal(written_count, 4);
    assert_memory_equal(written, "\x01\x02\x03\x04", 4);
    assert_int_equal(vcpu.regs.rsi, 0x104);
    assert_int_equal(vcpu.regs.rcx, 77);
    assert_advanced();
}

/* A huge count runs in batches: RIP stays, the registers say how far it got. */
static void test_rep_batches(void **state)
{
    (void)state;
    vcpu.regs.rsi = 0;
    vcpu.regs.rcx = 5000;
    run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, string_qual(1, false, true));
    assert_int_equal(written_count, 4096);
    assert_int_equal(vcpu.regs.rcx, 5000 - 4096);
    assert_int_equal(vcpu.regs.rsi, 4096);
    assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), RIP0);
    run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, string_qual(1, false, true));
    assert_int_equal(vcpu.regs.rcx, 0);
    assert_advanced();
}

/* REP with a zero count does nothing but completes. */
static void test_rep_zero_count(void **state)
{
    (void)state;
    vcpu.regs.rcx = 0;
    run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, string_qual(1, true, true));
    assert_int_equal(read_count, 0);
    assert_advanced();
}

/* A limit violation part-way: the elements before it are done, #GP(0) for the rest. */
static void test_limit_fault_part_way(void **state)
{
    (void)state;
    fake_vmcs_set(VMCS_GUEST_DS_LIMIT, 0x1001);
    memcpy(memory + 0x1000, "ab", 2);
    vcpu.regs.rsi = 0x1000;
    vcpu.regs.rcx = 4;
    run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, string_qual(1, false, true));
    assert_int_equal(written_count, 2);
    assert_int_equal(vcpu.regs.rcx, 2);
    assert_int_equal(vcpu.regs.rsi, 0x1002);
    assert_gp_injected();
}

/* Memory beyond the partition's RAM stops it with a report. */
static void test_outside_ram_stops(void **state)
{
    (void)state;
    vcpu.regs.rsi = GUEST_MEM + 0x1000;
    vcpu.regs.rcx = 1;
    assert_int_equal(run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, string_qual(1, false, true)),
                     VCPU_STOP);
    assert_non_null(strstr(fake.stopped_reason, "string I/O at 0x11000"));
}

/* Paging on: a not-present page is #PF with CR2 at the faulting element. */
static void test_page_fault_sets_cr2(void **state)
{
    (void)state;
    /* 32-bit paging: page directory at 0x4000 whose entry 0 maps a table at 0x5000 with only
     * page 0x8000 present (linear 0x8000 -> gpa 0x8000). */
    uint32_t pde = 0x5000 | 3, pte = 0x8000 | 3;
    memcpy(memory + 0x4000, &pde, 4);
    memcpy(memory + 0x5000 + 8 * 4, &pte, 4);
    fake_vmcs_set(VMCS_GUEST_CR0, CR0_PE | CR0_PG);
    fake_vmcs_set(VMCS_GUEST_CR3, 0x4000);
    vcpu.regs.rdi = 0x8FFE;
    vcpu.regs.rcx = 4;
    run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, string_qual(1, true, true));
    assert_int_equal(memory[0x8FFE], 0xA0);
    assert_int_equal(memory[0x8FFF], 0xA1);
    assert_int_equal(vcpu.regs.rcx, 2);
    assert_int_equal(fake.cr2, 0x9000);
    uint32_t info = (uint32_t)fake_vmcs_get(VMCS_CTRL_ENTRY_INTERRUPTION_INFO);
    assert_int_equal(info & 0xFF, X86_VECTOR_PF);
    assert_int_equal(fake_vmcs_get(VMCS_CTRL_ENTRY_EXCEPTION_ERROR_CODE), GUEST_PF_WRITE);
}

/* Unclaimed ports: reads are all ones, writes dropped and counted. */
static void test_unclaimed_port(void **state)
{
    (void)state;
    vcpu.regs.rdi = 0x600;
    vcpu.regs.rcx = 2;
    run_exit(VMX_EXIT_REASON_IO_INSTRUCTION,
             (string_qual(2, true, true) & 0xFFFF) | (0x80ull << 16));
    assert_int_equal(memory[0x600], 0xFF);
    assert_int_equal(memory[0x603], 0xFF);
    assert_int_equal(vcpu.io_dropped, 2);
    assert_non_null(strstr(fake.printed, "port 0x80 read not granted"));
}

static void test_no_instruction_information_stops(void **state)
{
    (void)state;
    vmx_negotiated.caps.ins_outs_info = false;
    assert_int_equal(run_exit(VMX_EXIT_REASON_IO_INSTRUCTION, string_qual(1, false, false)),
                     VCPU_STOP);
    assert_non_null(strstr(fake.stopped_reason, "INS/OUTS instruction information"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_rep_outsb_sends_the_string, string_setup),
        cmocka_unit_test_setup(test_insw_backwards_fills_memory, string_setup),
        cmocka_unit_test_setup(test_single_outsd, string_setup),
        cmocka_unit_test_setup(test_rep_batches, string_setup),
        cmocka_unit_test_setup(test_rep_zero_count, string_setup),
        cmocka_unit_test_setup(test_limit_fault_part_way, string_setup),
        cmocka_unit_test_setup(test_outside_ram_stops, string_setup),
        cmocka_unit_test_setup(test_page_fault_sets_cr2, string_setup),
        cmocka_unit_test_setup(test_unclaimed_port, string_setup),
        cmocka_unit_test_setup(test_no_instruction_information_stops, string_setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
