/* Host unit tests for vcpu/rip_advance.c and vcpu/db_reflect.c: the instruction boundary after
 * an emulated instruction (SDM Vol. 1 3.5-3.6; Vol. 3B 17.3.1; Vol. 3C 26.3.1.5) and the
 * reflection of an intercepted #DB (Vol. 3C 27.1, 28.2.1 table 28-1; Vol. 3B 17.2.3-17.2.4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vcpu/db_reflect.h"
#include "vcpu/rip_advance.h"

#define RFLAGS_FIXED        0x2ull          /* bit 1 always reads 1 */
#define DR6_AT_RESET        0xFFFF0FF0ull
#define DR7_RW0_WRITE       (1ull << 16)    /* R/W0 = 01: data writes */
#define DR7_RW1_EXECUTE     0ull            /* R/W1 = 00: instruction fetch */

static struct rip_advance_out advance(uint64_t rip, unsigned length, enum insn_mode mode,
                                      uint64_t rflags, uint32_t interruptibility,
                                      uint64_t pending_debug, uint64_t debugctl)
{
    const struct rip_advance_in in = { rip, length, mode, rflags, interruptibility,
                                       pending_debug, debugctl };
    struct rip_advance_out out;
    rip_advance(&in, &out);
    return out;
}

static void test_rip_next_wraps_to_code_size(void **state)
{
    (void)state;
    assert_int_equal(rip_next(0x1000, 2, INSN_MODE_64), 0x1002);
    assert_int_equal(rip_next(0xFFFFFFFEull, 3, INSN_MODE_64), 0x100000001ull);
    assert_int_equal(rip_next(0xFFFFFFFFFFFFFFFFull, 2, INSN_MODE_64), 1);
    assert_int_equal(rip_next(0xFFFFFFFEull, 3, INSN_MODE_32), 1);
    assert_int_equal(rip_next(0xFFFE, 3, INSN_MODE_32), 0x10001);
    assert_int_equal(rip_next(0xFFFE, 3, INSN_MODE_16), 1);
    assert_int_equal(rip_next(0x1234, 2, INSN_MODE_16), 0x1236);
    /* 16-bit code above 64 KiB (a big CS limit): IP wraps, the upper bits stay. */
    assert_int_equal(rip_next(0x2FFFF, 1, INSN_MODE_16), 0x20000);
    assert_int_equal(rip_next(0x20010, 2, INSN_MODE_16), 0x20012);
}

static void test_plain_instruction_moves_rip_only(void **state)
{
    (void)state;
    uint64_t rflags = RFLAGS_FIXED | RFLAGS_IF;
    struct rip_advance_out o = advance(0x401000, 2, INSN_MODE_64, rflags,
                                       VMX_INTERRUPTIBILITY_NMI, 0, 0);
    assert_int_equal(o.rip, 0x401002);
    assert_int_equal(o.rflags, rflags);
    assert_int_equal(o.interruptibility, VMX_INTERRUPTIBILITY_NMI);   /* NMI blocking stays */
    assert_int_equal(o.pending_debug, 0);
    assert_true(rip_advance_flags_plain(rflags, VMX_INTERRUPTIBILITY_NMI));
}

static void test_interrupt_shadows_end(void **state)
{
    (void)state;
    uint64_t rflags = RFLAGS_FIXED | RFLAGS_IF;
    struct rip_advance_out o = advance(0x1000, 2, INSN_MODE_32, rflags,
                                       VMX_INTERRUPTIBILITY_STI | VMX_INTERRUPTIBILITY_NMI, 0, 0);
    assert_int_equal(o.interruptibility, VMX_INTERRUPTIBILITY_NMI);
    assert_int_equal(o.rip, 0x1002);
    assert_int_equal(o.pending_debug, 0);
    o = advance(0x1000, 3, INSN_MODE_32, RFLAGS_FIXED, VMX_INTERRUPTIBILITY_MOV_SS, 0, 0);
    assert_int_equal(o.interruptibility, 0);
    assert_false(rip_advance_flags_plain(rflags, VMX_INTERRUPTIBILITY_STI));
    assert_false(rip_advance_flags_plain(RFLAGS_FIXED, VMX_INTERRUPTIBILITY_MOV_SS));
}

static void test_mov_ss_pending_breakpoints_stay_pending(void **state)
{
    (void)state;
    /* A data breakpoint the MOV SS hit waits for the end of the shadow, i.e. this one. */
    uint64_t pending = VMX_PENDING_DBG_ENABLED_BP | 0x1;
    struct rip_advance_out o = advance(0x1000, 2, INSN_MODE_64, RFLAGS_FIXED,
                                       VMX_INTERRUPTIBILITY_MOV_SS, pending, 0);
    assert_int_equal(o.pending_debug, pending);
    assert_int_equal(o.interruptibility, 0);
}

static void test_single_step_trap_after_instruction(void **state)
{
    (void)state;
    uint64_t rflags = RFLAGS_FIXED | RFLAGS_TF | RFLAGS_IF;
    struct rip_advance_out o = advance(0x2000, 2, INSN_MODE_64, rflags, 0, 0, 0);
    assert_int_equal(o.pending_debug, VMX_PENDING_DBG_BS);
    assert_int_equal(o.rflags, rflags);                 /* TF stays: it traps, not clears */
    assert_int_equal(o.rip, 0x2002);
    assert_false(rip_advance_flags_plain(rflags, 0));
    /* BTF: only taken branches trap, and an emulated instruction is none; a stale BS goes. */
    o = advance(0x2000, 2, INSN_MODE_64, rflags, VMX_INTERRUPTIBILITY_STI,
                VMX_PENDING_DBG_BS, DEBUGCTL_BTF);
    assert_int_equal(o.pending_debug, 0);
    /* Without TF a BS the exit saved is not kept either (26.3.1.5 under a shadow). */
    o = advance(0x2000, 2, INSN_MODE_64, RFLAGS_FIXED, VMX_INTERRUPTIBILITY_MOV_SS,
                VMX_PENDING_DBG_BS | VMX_PENDING_DBG_ENABLED_BP | 0x4, 0);
    assert_int_equal(o.pending_debug, VMX_PENDING_DBG_ENABLED_BP | 0x4);
}

static void test_resume_flag_lasts_one_instruction(void **state)
{
    (void)state;
    uint64_t rflags = RFLAGS_FIXED | RFLAGS_RF | RFLAGS_IF;
    struct rip_advance_out o = advance(0x3000, 2, INSN_MODE_64, rflags, 0, 0, 0);
    assert_int_equal(o.rflags, RFLAGS_FIXED | RFLAGS_IF);
    assert_int_equal(o.pending_debug, 0);
    assert_false(rip_advance_flags_plain(rflags, 0));
}

static void test_all_at_once(void **state)
{
    (void)state;
    /* TF, RF and STI's shadow on a 16-bit instruction that carries IP past 0xFFFF. */
    uint64_t rflags = RFLAGS_FIXED | RFLAGS_TF | RFLAGS_RF | RFLAGS_IF;
    struct rip_advance_out o = advance(0xFFFE, 3, INSN_MODE_16, rflags,
                                       VMX_INTERRUPTIBILITY_STI | VMX_INTERRUPTIBILITY_NMI, 0, 0);
    assert_int_equal(o.rip, 1);
    assert_int_equal(o.rflags, RFLAGS_FIXED | RFLAGS_TF | RFLAGS_IF);
    assert_int_equal(o.interruptibility, VMX_INTERRUPTIBILITY_NMI);
    assert_int_equal(o.pending_debug, VMX_PENDING_DBG_BS);
}

static void test_plain_tests_cover_every_wrap(void **state)
{
    (void)state;
    assert_false(rip_add_carries16(0xFFF0, 15));
    assert_true(rip_add_carries16(0xFFF1, 15));
    assert_false(rip_add_carries16(0xFFFD, 2));
    assert_true(rip_add_carries16(0xFFFE, 2));
    assert_true(rip_add_carries16(0xFFFFFFFFull, 1));
    assert_false(rip_add_carries16(0x1234FFF0ull, 15));
    /* Wherever the fast test says plain, the whole rule gives RIP + length and nothing else,
     * in every code size and for every length. */
    static const uint64_t rips[] = { 0, 0xFFF0, 0xFFF1, 0xFFFF, 0x1FFF0, 0xFFFFFFF0ull,
                                     0xFFFFFFFFull, 0x7FFFFFFFFFF0ull, 0xFFFFFFFFFFFFFFF0ull };
    static const uint32_t shadows[] = { 0, VMX_INTERRUPTIBILITY_STI, VMX_INTERRUPTIBILITY_MOV_SS,
                                        VMX_INTERRUPTIBILITY_NMI, VMX_INTERRUPTIBILITY_SMI };
    static const uint64_t flags[] = { RFLAGS_FIXED, RFLAGS_FIXED | RFLAGS_TF,
                                      RFLAGS_FIXED | RFLAGS_RF, 0x3F7FD7ull & ~(uint64_t)RFLAGS_TF };
    unsigned plain = 0;
    for (size_t r = 0; r < sizeof(rips) / sizeof(rips[0]); r++)
        for (size_t s = 0; s < sizeof(shadows) / sizeof(shadows[0]); s++)
            for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
                for (unsigned len = 1; len <= 15; len++)
                    for (int mode = INSN_MODE_16; mode <= INSN_MODE_64; mode++) {
                        uint64_t rip = mode == INSN_MODE_64 ? rips[r] : rips[r] & 0xFFFFFFFFull;
                        if (mode == INSN_MODE_16 && rip > 0xFFFF)
                            continue;
                        if (!rip_advance_flags_plain(flags[f], shadows[s]) ||
                            rip_add_carries16(rip, len))
                            continue;
                        plain++;
                        struct rip_advance_out o = advance(rip, len, (enum insn_mode)mode,
                                                           flags[f], shadows[s], 0, 0);
                        assert_int_equal(o.rip, rip + len);
                        assert_int_equal(o.rflags, flags[f]);
                        assert_int_equal(o.interruptibility, shadows[s]);
                        assert_int_equal(o.pending_debug, 0);
                    }
    assert_true(plain > 100);
}

static struct db_exit_out reflect(uint64_t q, uint64_t dr6, uint64_t dr7, uint64_t rflags,
                                  uint32_t interruptibility, uint64_t debugctl)
{
    const struct db_exit_in in = { q, dr6, dr7, rflags, interruptibility, 0, debugctl };
    struct db_exit_out out;
    db_exit_reflect(&in, &out);
    return out;
}

static void test_db_sets_dr6_from_qualification(void **state)
{
    (void)state;
    /* A single-step trap: BS set, the reset pattern kept, RTM reads 1 (not in a region). */
    struct db_exit_out o = reflect(DR6_BS, DR6_AT_RESET, 0x400, RFLAGS_FIXED, 0, 0);
    assert_int_equal(o.dr6, DR6_AT_RESET | DR6_BS);
    assert_int_equal(o.dr7, 0x400);
    assert_false(o.fault);
    assert_int_equal(o.pending_debug, 0);
    /* B0-B3 are this exception's alone; BS from an earlier one sticks (17.2.3). */
    o = reflect(0x1, DR6_AT_RESET | DR6_BS | 0x6, 0x401 | DR7_RW0_WRITE, RFLAGS_FIXED, 0, 0);
    assert_int_equal(o.dr6, DR6_AT_RESET | DR6_BS | 0x1);
    /* Inside an RTM region the exit's RTM bit is 1 and DR6.RTM reads 0. */
    o = reflect(0x1 | DR6_RTM, DR6_AT_RESET, 0x401 | DR7_RW0_WRITE, RFLAGS_FIXED, 0, 0);
    assert_int_equal(o.dr6, (DR6_AT_RESET & ~DR6_RTM) | 0x1);
}

static void test_db_fault_or_trap(void **state)
{
    (void)state;
    uint64_t dr7 = 0x40F | DR7_RW0_WRITE | (DR7_RW1_EXECUTE << 20);
    assert_false(reflect(0x1, DR6_AT_RESET, dr7, RFLAGS_FIXED, 0, 0).fault);   /* data: trap */
    assert_true(reflect(0x2, DR6_AT_RESET, dr7, RFLAGS_FIXED, 0, 0).fault);    /* execute */
    /* General detect: a fault before the MOV DR, and the CPU clears DR7.GD to deliver it. */
    struct db_exit_out o = reflect(DR6_BD, DR6_AT_RESET, 0x400 | DR7_GD, RFLAGS_FIXED, 0, 0);
    assert_true(o.fault);
    assert_int_equal(o.dr7, 0x400);
    assert_int_equal(o.dr6, DR6_AT_RESET | DR6_BD);
}

static void test_db_under_shadow_with_tf_sets_bs(void **state)
{
    (void)state;
    uint64_t tf = RFLAGS_FIXED | RFLAGS_TF | RFLAGS_IF;
    assert_int_equal(reflect(0x1, DR6_AT_RESET, 0x401 | DR7_RW0_WRITE, tf,
                             VMX_INTERRUPTIBILITY_MOV_SS, 0).pending_debug, VMX_PENDING_DBG_BS);
    assert_int_equal(reflect(0x1, DR6_AT_RESET, 0x401 | DR7_RW0_WRITE, tf,
                             VMX_INTERRUPTIBILITY_STI, DEBUGCTL_BTF).pending_debug, 0);
    assert_int_equal(reflect(0x1, DR6_AT_RESET, 0x401 | DR7_RW0_WRITE, tf, 0, 0).pending_debug,
                     0);
}

static void test_pending_debug_for_entry(void **state)
{
    (void)state;
    uint64_t tf = RFLAGS_FIXED | RFLAGS_TF;
    assert_int_equal(pending_debug_for_entry(0, tf, VMX_INTERRUPTIBILITY_MOV_SS,
                                             VMX_ACTIVITY_ACTIVE, 0), VMX_PENDING_DBG_BS);
    assert_int_equal(pending_debug_for_entry(0x1, tf, 0, VMX_ACTIVITY_HLT, 0),
                     0x1 | VMX_PENDING_DBG_BS);
    assert_int_equal(pending_debug_for_entry(VMX_PENDING_DBG_BS, RFLAGS_FIXED,
                                             VMX_INTERRUPTIBILITY_STI, VMX_ACTIVITY_ACTIVE, 0), 0);
    assert_int_equal(pending_debug_for_entry(VMX_PENDING_DBG_BS, tf, VMX_INTERRUPTIBILITY_STI,
                                             VMX_ACTIVITY_ACTIVE, DEBUGCTL_BTF), 0);
    /* No shadow, not halted: whatever it holds is delivered or not as the CPU decides. */
    assert_int_equal(pending_debug_for_entry(VMX_PENDING_DBG_BS, RFLAGS_FIXED, 0,
                                             VMX_ACTIVITY_ACTIVE, 0), VMX_PENDING_DBG_BS);
    assert_int_equal(pending_debug_for_entry(0, tf, VMX_INTERRUPTIBILITY_NMI,
                                             VMX_ACTIVITY_ACTIVE, 0), 0);
}

static void test_idt_gate_offsets(void **state)
{
    (void)state;
    const uint8_t gate64[16] = { 0x78, 0x56, 0x08, 0x00, 0x00, 0x8E, 0x34, 0x12,
                                 0xEF, 0xCD, 0xAB, 0x89, 0, 0, 0, 0 };
    assert_int_equal(idt_gate_offset(gate64, true), 0x89ABCDEF12345678ull);
    assert_int_equal(idt_gate_offset(gate64, false), 0x12345678ull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rip_next_wraps_to_code_size),
        cmocka_unit_test(test_plain_instruction_moves_rip_only),
        cmocka_unit_test(test_interrupt_shadows_end),
        cmocka_unit_test(test_mov_ss_pending_breakpoints_stay_pending),
        cmocka_unit_test(test_single_step_trap_after_instruction),
        cmocka_unit_test(test_resume_flag_lasts_one_instruction),
        cmocka_unit_test(test_all_at_once),
        cmocka_unit_test(test_plain_tests_cover_every_wrap),
        cmocka_unit_test(test_db_sets_dr6_from_qualification),
        cmocka_unit_test(test_db_fault_or_trap),
        cmocka_unit_test(test_db_under_shadow_with_tf_sets_bs),
        cmocka_unit_test(test_pending_debug_for_entry),
        cmocka_unit_test(test_idt_gate_offsets),
    };

    return cmocka_run_group_tests_name("rip_advance", tests, NULL, NULL);
}
