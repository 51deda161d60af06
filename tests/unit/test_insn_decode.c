/* Host unit tests for vcpu/insn_decode.c: the encodings of insn_decode_cases.h decoded in 16-,
 * 32- and 64-bit code, truncated and padded, and the completion helpers on a register file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vcpu/insn_decode.h"
#include "tests/unit/insn_decode_cases.h"

static void check_mem(const struct insn_mem *got, const struct insn_mem *want)
{
    assert_int_equal(got->base, want->base);
    assert_int_equal(got->index, want->index);
    assert_int_equal(got->scale, want->scale);
    assert_int_equal(got->segment, want->segment);
    assert_int_equal(got->address_size, want->address_size);
    assert_int_equal(got->rip_relative, want->rip_relative);
    assert_int_equal(got->disp, want->disp);
}

static void check_good(const struct decode_case *t, const struct insn *in)
{
    assert_int_equal(in->length, t->length);
    assert_int_equal(in->kind, t->kind);
    assert_int_equal(in->direction, t->direction);
    assert_int_equal(in->access_size, t->access);
    assert_int_equal(in->operand_size, t->operand);
    assert_int_equal(in->has_register, t->reg != NONE);
    if (t->reg != NONE)
        assert_int_equal(in->reg, t->reg);
    assert_int_equal(in->reg_high_byte, t->high_byte);
    assert_int_equal(in->has_immediate, t->has_immediate);
    assert_int_equal(in->immediate, t->immediate);
    assert_int_equal(in->rep, t->rep);
    assert_int_equal(in->segment_override, t->segment_override);
    check_mem(&in->mem, &t->mem);
    if (t->kind == INSN_KIND_MOVS)
        check_mem(&in->string_source, &t->source);
}

/* Decodes a case from a buffer padded with NOPs, given `available` bytes of it. */
static void decode_and_check(const struct decode_case *t, size_t available)
{
    uint8_t padded[INSN_MAX_LENGTH];
    struct insn in;

    print_message("  %s\n", t->text);
    memset(padded, 0x90, sizeof(padded));
    memcpy(padded, t->bytes, t->length);
    assert_int_equal(insn_decode(padded, available, t->mode, &in), INSN_OK);
    check_good(t, &in);
}

static void test_table_decodes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        decode_and_check(&good[i], good[i].length);
}

/* Bytes after the instruction are not part of it: the same decode with 15 bytes given. */
static void test_trailing_bytes_ignored(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        decode_and_check(&good[i], INSN_MAX_LENGTH);
}

/* Every prefix of every instruction is "need more bytes", never a wrong decode. */
static void test_truncated_at_every_length(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        const struct decode_case *t = &good[i];
        for (unsigned n = 0; n < t->length; n++) {
            struct insn in;
            if (insn_decode(t->bytes, n, t->mode, &in) != INSN_NEED_MORE_BYTES)
                fail_msg("%s: %u of %u bytes did not ask for more", t->text, n, t->length);
        }
    }
}

static void test_bad_encodings(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const struct bad_case *t = &bad[i];
        struct insn in;

        print_message("  %s\n", t->text);
        assert_int_equal(insn_decode(t->bytes, t->length, t->mode, &in), t->result);
        if (t->opcode_length) {
            assert_int_equal(in.opcode_length, t->opcode_length);
            assert_memory_equal(in.opcode, t->opcode, t->opcode_length);
        }
    }
}

static void test_unsupported_names_modrm(void **state)
{
    static const uint8_t c7_slash_2[] = { 0xC7, 0x10, 0, 0, 0, 0 };
    struct insn in;

    (void)state;
    assert_int_equal(insn_decode(c7_slash_2, sizeof(c7_slash_2), M32, &in), INSN_UNSUPPORTED_OPCODE);
    assert_true(in.has_modrm);
    assert_int_equal((in.modrm >> 3) & 7, 2);
}

static void test_bad_mode_and_null(void **state)
{
    static const uint8_t mov[] = { 0x89, 0x08 };
    struct insn in;

    (void)state;
    assert_int_equal(insn_decode(mov, sizeof(mov), (enum insn_mode)3, &in), INSN_BAD_MODE);
    assert_int_equal(insn_decode(NULL, 15, M64, &in), INSN_NEED_MORE_BYTES);
}

static void test_result_names(void **state)
{
    (void)state;
    for (int i = 0; i < INSN_RESULT_COUNT; i++) {
        const char *name = insn_result_name((enum insn_result)i);
        assert_non_null(name);
        assert_string_not_equal(name, "unknown result");
        for (int j = 0; j < i; j++)
            assert_string_not_equal(name, insn_result_name((enum insn_result)j));
    }
    assert_string_equal(insn_result_name(INSN_UNSUPPORTED_OPCODE), "unsupported opcode");
    assert_string_equal(insn_result_name(INSN_RESULT_COUNT), "unknown result");
}

static void test_mode_from_cs(void **state)
{
    (void)state;
    assert_int_equal(insn_mode_from_cs(true, true, false), INSN_MODE_64);
    assert_int_equal(insn_mode_from_cs(true, false, true), INSN_MODE_32);   /* compatibility */
    assert_int_equal(insn_mode_from_cs(true, false, false), INSN_MODE_16);
    assert_int_equal(insn_mode_from_cs(false, true, true), INSN_MODE_32);   /* L ignored */
    assert_int_equal(insn_mode_from_cs(false, false, false), INSN_MODE_16);
}

/* ---- completion on a register file ---- */
static const uint64_t initial_gpr[INSN_GPR_COUNT] = {
    0x1111111111111111, 0x2222222222222222, 0x3333333333333333, 0x4444444444444444,
    0x5555555555555555, 0x6666666666666666, 0x7777777777777777, 0x8888888888888888,
    0x99999999999999a9, 0xaaaaaaaaaaaaaaaa, 0xbbbbbbbbbbbbbbbb, 0xcccccccccccccccc,
    0xdddddddddddddddd, 0xeeeeeeeeeeeeeeee, 0xffffffffffffffff, 0x0123456789abcdef,
};

static struct insn decode_ok(enum insn_mode mode, const uint8_t *bytes, size_t n)
{
    struct insn in;
    assert_int_equal(insn_decode(bytes, n, mode, &in), INSN_OK);
    return in;
}
#define DECODE(mode, ...) \
    decode_ok(mode, (const uint8_t[]){ __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }))

static uint64_t stored(struct insn in, const uint64_t *gpr)
{
    uint64_t value = 0xdeadbeef;
    assert_true(insn_store_value(&in, gpr, &value));
    return value;
}

static void test_store_values(void **state)
{
    uint64_t gpr[INSN_GPR_COUNT];

    (void)state;
    memcpy(gpr, initial_gpr, sizeof(gpr));
    gpr[INSN_RCX] = 0x1122334455667788;
    gpr[INSN_RAX] = 0xA1A2A3A4A5A6A7A8;
    gpr[INSN_RBX] = 0x00000000000055AA;
    assert_int_equal(stored(DECODE(M64, 0x89, 0x08), gpr), 0x55667788);           /* ecx */
    assert_int_equal(stored(DECODE(M64, 0x48, 0x89, 0x08), gpr), 0x1122334455667788);
    assert_int_equal(stored(DECODE(M64, 0x66, 0x89, 0x08), gpr), 0x7788);         /* cx */
    assert_int_equal(stored(DECODE(M64, 0x88, 0x08), gpr), 0x88);                 /* cl */
    assert_int_equal(stored(DECODE(M64, 0x88, 0x28), gpr), 0x77);                 /* ch */
    assert_int_equal(stored(DECODE(M64, 0x88, 0x38), gpr), 0x55);                 /* bh */
    assert_int_equal(stored(DECODE(M64, 0x40, 0x88, 0x38), gpr), 0x88);           /* dil */
    assert_int_equal(stored(DECODE(M64, 0x44, 0x88, 0x38), gpr), 0xef);           /* r15b */
    assert_int_equal(stored(DECODE(M64, 0x4C, 0x89, 0x08), gpr), 0xaaaaaaaaaaaaaaaa); /* r9 */
    assert_int_equal(stored(DECODE(M64, 0x48, 0xC7, 0x00, 0xFE, 0xFF, 0xFF, 0xFF), gpr),
                     0xFFFFFFFFFFFFFFFEull);
    assert_int_equal(stored(DECODE(M64, 0xC7, 0x00, 0xFE, 0xFF, 0xFF, 0xFF), gpr), 0xFFFFFFFE);
    assert_int_equal(stored(DECODE(M16, 0xC7, 0x07, 0x34, 0x12), gpr), 0x1234);
    assert_int_equal(stored(DECODE(M32, 0xC6, 0x03, 0x80), gpr), 0x80);
    assert_int_equal(stored(DECODE(M64, 0xA2, 1, 2, 3, 4, 5, 6, 7, 8), gpr), 0xA8); /* al */
    assert_int_equal(stored(DECODE(M64, 0x48, 0xAB), gpr), 0xA1A2A3A4A5A6A7A8);   /* stosq */
    assert_int_equal(stored(DECODE(M16, 0xAB), gpr), 0xA7A8);                     /* stosw */
}

static void test_store_value_refused_for_loads_and_movs(void **state)
{
    uint64_t value = 42;
    struct insn load = DECODE(M64, 0x8B, 0x01), movs = DECODE(M64, 0xA5);

    (void)state;
    assert_false(insn_store_value(&load, initial_gpr, &value));
    assert_false(insn_store_value(&movs, initial_gpr, &value));
    assert_int_equal(value, 42);
}

/* Loads `value` with the instruction and checks the one register it writes; the others must
 * keep their values. */
static void check_load(struct insn in, uint64_t value, unsigned reg, uint64_t expected)
{
    uint64_t gpr[INSN_GPR_COUNT];

    memcpy(gpr, initial_gpr, sizeof(gpr));
    assert_true(insn_complete_load(&in, gpr, value));
    for (unsigned i = 0; i < INSN_GPR_COUNT; i++)
        assert_int_equal(gpr[i], i == reg ? expected : initial_gpr[i]);
}

static void test_load_register_rules(void **state)
{
    (void)state;
    /* MOV: 32-bit writes clear 63:32; 16- and 8-bit writes merge; high bytes are 15:8. */
    check_load(DECODE(M64, 0x8B, 0x01), 0xFFFFFFFF80000001ull, AX, 0x80000001);
    check_load(DECODE(M64, 0x48, 0x8B, 0x01), 0x8000000000000001ull, AX, 0x8000000000000001ull);
    check_load(DECODE(M64, 0x66, 0x8B, 0x09), 0xBEEF, CX, 0x222222222222BEEF);
    check_load(DECODE(M64, 0x8A, 0x11), 0x1FE, DX, 0x33333333333333FE);           /* dl */
    check_load(DECODE(M64, 0x8A, 0x31), 0xAB, DX, 0x333333333333AB33);            /* dh */
    check_load(DECODE(M64, 0x8A, 0x21), 0xAB, AX, 0x111111111111AB11);            /* ah */
    check_load(DECODE(M64, 0x40, 0x8A, 0x21), 0xAB, SP, 0x55555555555555AB);      /* spl */
    check_load(DECODE(M64, 0x44, 0x8A, 0x39), 0xAB, R15, 0x0123456789abcdab);     /* r15b */
    check_load(DECODE(M64, 0xA0, 0, 0, 0, 0, 0, 0, 0, 0), 0x7F, AX, 0x111111111111117F);
    check_load(DECODE(M32, 0x8B, 0x01), 0xCAFEF00D, AX, 0xCAFEF00D);
    /* MOVZX: zero-extend to the operand size, then the write rule of that size. */
    check_load(DECODE(M64, 0x0F, 0xB6, 0x01), 0xFF, AX, 0xFF);
    check_load(DECODE(M64, 0x48, 0x0F, 0xB7, 0x01), 0xFFFF, AX, 0xFFFF);
    check_load(DECODE(M64, 0x66, 0x0F, 0xB6, 0x01), 0x80, AX, 0x1111111111110080);
    /* MOVSX, MOVSXD: sign-extend to the operand size. */
    check_load(DECODE(M64, 0x4C, 0x0F, 0xBE, 0x01), 0x80, R8, 0xFFFFFFFFFFFFFF80ull);
    check_load(DECODE(M64, 0x4C, 0x0F, 0xBE, 0x01), 0x7F, R8, 0x7F);
    check_load(DECODE(M64, 0x0F, 0xBF, 0x01), 0x8000, AX, 0xFFFF8000);
    check_load(DECODE(M32, 0x66, 0x0F, 0xBE, 0x13), 0xFE, DX, 0x333333333333FFFE);
    check_load(DECODE(M64, 0x48, 0x63, 0x01), 0x80000000, AX, 0xFFFFFFFF80000000ull);
    check_load(DECODE(M64, 0x48, 0x63, 0x01), 0x7FFFFFFF, AX, 0x7FFFFFFF);
    check_load(DECODE(M64, 0x63, 0x01), 0x80000000, AX, 0x80000000);
    check_load(DECODE(M64, 0x66, 0x63, 0x01), 0x8000, AX, 0x1111111111118000);
    /* Bits above the access size in `value` are not the memory's. */
    check_load(DECODE(M64, 0x0F, 0xB6, 0x01), 0x1234, AX, 0x34);
}

static void test_load_refused_for_stores_and_movs(void **state)
{
    uint64_t gpr[INSN_GPR_COUNT];
    struct insn store = DECODE(M64, 0x89, 0x08), movs = DECODE(M64, 0xA4), stos = DECODE(M64, 0xAA);

    (void)state;
    memcpy(gpr, initial_gpr, sizeof(gpr));
    assert_false(insn_complete_load(&store, gpr, 1));
    assert_false(insn_complete_load(&movs, gpr, 1));
    assert_false(insn_complete_load(&stos, gpr, 1));
    assert_memory_equal(gpr, initial_gpr, sizeof(gpr));
}

static void test_effective_address(void **state)
{
    uint64_t gpr[INSN_GPR_COUNT] = { 0 };
    struct insn in;

    (void)state;
    gpr[R8] = 0x1000;
    gpr[R9] = 0x20;
    in = DECODE(M64, 0x4F, 0x8B, 0x7C, 0xC8, 0x10);       /* [r8+r9*8+0x10] */
    assert_int_equal(insn_mem_offset(&in, &in.mem, gpr, 0), 0x1110);
    in = DECODE(M64, 0x8B, 0x05, 0xFC, 0xFF, 0xFF, 0xFF);  /* [rip-4]: from the next insn */
    assert_int_equal(insn_mem_offset(&in, &in.mem, gpr, 0xFFFFFFFF80001000ull),
                     0xFFFFFFFF80001002ull);
    in = DECODE(M64, 0x67, 0x8B, 0x05, 0x10, 0x00, 0x00, 0x00);    /* [eip+0x10] wraps */
    assert_int_equal(insn_mem_offset(&in, &in.mem, gpr, 0xFFFFFFF0), 0x7);
    gpr[BX] = 0xFFFF;
    gpr[SI] = 0x0002;
    in = DECODE(M16, 0x89, 0x08);                          /* [bx+si] wraps at 64 KiB */
    assert_int_equal(insn_mem_offset(&in, &in.mem, gpr, 0), 0x0001);
    gpr[DI] = 0x9000;
    in = DECODE(M16, 0x8B, 0x85, 0x34, 0x82);              /* [di-0x7dcc] */
    assert_int_equal(insn_mem_offset(&in, &in.mem, gpr, 0), 0x1234);
    gpr[AX] = 0x1FFFFFFFF;
    in = DECODE(M64, 0x67, 0x48, 0x8B, 0x00);              /* [eax]: upper half not used */
    assert_int_equal(insn_mem_offset(&in, &in.mem, gpr, 0), 0xFFFFFFFF);
    gpr[SI] = 0x4000;
    gpr[DI] = 0x8000;
    in = DECODE(M64, 0xA4);                                 /* movsb: both operands */
    assert_int_equal(insn_mem_offset(&in, &in.mem, gpr, 0), 0x8000);
    assert_int_equal(insn_mem_offset(&in, &in.string_source, gpr, 0), 0x4000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_decodes),
        cmocka_unit_test(test_trailing_bytes_ignored),
        cmocka_unit_test(test_truncated_at_every_length),
        cmocka_unit_test(test_bad_encodings),
        cmocka_unit_test(test_unsupported_names_modrm),
        cmocka_unit_test(test_bad_mode_and_null),
        cmocka_unit_test(test_result_names),
        cmocka_unit_test(test_mode_from_cs),
        cmocka_unit_test(test_store_values),
        cmocka_unit_test(test_store_value_refused_for_loads_and_movs),
        cmocka_unit_test(test_load_register_rules),
        cmocka_unit_test(test_load_refused_for_stores_and_movs),
        cmocka_unit_test(test_effective_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
