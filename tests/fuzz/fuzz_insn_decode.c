/* libFuzzer target for vcpu/insn_decode.c (Intel SDM Vol. 2A chapter 2): guest instruction
 * bytes in any code mode must decode or fail cleanly, never reading past the bytes given or
 * past 15, and the completion helpers must keep x86's register-write rules.
 *
 * Input: byte 0 picks the mode (value mod 3: 0 16-bit, 1 32-bit, 2 64-bit); the rest are the
 * instruction bytes, copied to an exact-size block so AddressSanitizer sees any over-read.
 * Register values and the loaded value are drawn from a hash of the whole input. */
#include "tests/fuzz/fuzz_common.h"
#include "vcpu/insn_decode.h"

static uint64_t mask_of(unsigned bytes)
{
    return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

static bool is_size(unsigned n)
{
    return n == 1 || n == 2 || n == 4 || n == 8;
}

static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static void check_mem(const struct insn *in, const struct insn_mem *mem, const uint64_t *gpr)
{
    FUZZ_CHECK(mem->base == INSN_NO_REG || mem->base < INSN_GPR_COUNT);
    FUZZ_CHECK(mem->index == INSN_NO_REG || mem->index < INSN_GPR_COUNT);
    FUZZ_CHECK(mem->index != INSN_NO_REG || mem->scale == 1);
    FUZZ_CHECK(is_size(mem->scale));
    FUZZ_CHECK(mem->address_size == 2 || mem->address_size == 4 || mem->address_size == 8);
    FUZZ_CHECK(mem->segment <= INSN_SEG_GS);
    FUZZ_CHECK(!mem->rip_relative || (mem->base == INSN_NO_REG && mem->index == INSN_NO_REG));
    FUZZ_CHECK(insn_mem_offset(in, mem, gpr, gpr[0]) <= mask_of(mem->address_size));
}

static void check_decoded(const struct insn *in, enum insn_mode mode, size_t available)
{
    FUZZ_CHECK(in->length >= 1 && in->length <= INSN_MAX_LENGTH && in->length <= available);
    FUZZ_CHECK(is_size(in->access_size) && is_size(in->operand_size));
    FUZZ_CHECK(in->access_size <= in->operand_size);
    FUZZ_CHECK(!in->has_register || in->reg < INSN_GPR_COUNT);
    FUZZ_CHECK(!in->reg_high_byte || (in->reg < 4 && in->operand_size == 1 && in->rex == 0));
    FUZZ_CHECK(mode == INSN_MODE_64 || in->rex == 0);
    FUZZ_CHECK(mode == INSN_MODE_64 || in->operand_size != 8);
    FUZZ_CHECK(!in->has_immediate || in->immediate <= mask_of(in->operand_size));
    FUZZ_CHECK(!(in->has_immediate && in->has_register));
    switch (in->kind) {
    case INSN_KIND_MOVS:
        FUZZ_CHECK(in->direction == INSN_DIR_COPY && !in->has_register);
        break;
    case INSN_KIND_STOS:
        FUZZ_CHECK(in->direction == INSN_DIR_WRITE && in->reg == INSN_RAX);
        break;
    case INSN_KIND_MOV:
        FUZZ_CHECK(in->access_size == in->operand_size);
        break;
    default:
        FUZZ_CHECK(in->direction == INSN_DIR_READ && in->has_register);
        break;
    }
}

static bool same_mem(const struct insn_mem *a, const struct insn_mem *b)
{
    return a->base == b->base && a->index == b->index && a->scale == b->scale &&
           a->segment == b->segment && a->address_size == b->address_size &&
           a->rip_relative == b->rip_relative && a->disp == b->disp;
}

static bool same_decode(const struct insn *a, const struct insn *b)
{
    return a->kind == b->kind && a->direction == b->direction && a->length == b->length &&
           a->access_size == b->access_size && a->operand_size == b->operand_size &&
           a->has_register == b->has_register && a->reg == b->reg &&
           a->reg_high_byte == b->reg_high_byte && a->has_immediate == b->has_immediate &&
           a->immediate == b->immediate && a->rep == b->rep &&
           a->segment_override == b->segment_override && a->rex == b->rex &&
           same_mem(&a->mem, &b->mem) &&
           (a->kind != INSN_KIND_MOVS || same_mem(&a->string_source, &b->string_source));
}

/* The store value and the register file after a load must follow the x86 rules. */
static void check_completion(const struct insn *in, const uint64_t *before, uint64_t loaded)
{
    uint64_t gpr[INSN_GPR_COUNT], value = 0;

    memcpy(gpr, before, sizeof(gpr));
    bool stored = insn_store_value(in, gpr, &value);
    FUZZ_CHECK(stored == (in->direction == INSN_DIR_WRITE));
    FUZZ_CHECK(value <= mask_of(in->access_size));

    bool completed = insn_complete_load(in, gpr, loaded);
    FUZZ_CHECK(completed == (in->direction == INSN_DIR_READ));
    for (unsigned i = 0; i < INSN_GPR_COUNT; i++) {
        if (!completed || i != in->reg)
            FUZZ_CHECK(gpr[i] == before[i]);
    }
    if (!completed)
        return;
    uint64_t after = gpr[in->reg];
    if (in->reg_high_byte)
        FUZZ_CHECK((after & ~0xFF00ull) == (before[in->reg] & ~0xFF00ull));
    else if (in->operand_size == 4)
        FUZZ_CHECK(after >> 32 == 0);
    else if (in->operand_size < 4)
        FUZZ_CHECK((after & ~mask_of(in->operand_size)) == (before[in->reg] & ~mask_of(in->operand_size)));
    if (in->kind == INSN_KIND_MOVZX || in->kind == INSN_KIND_MOV)
        FUZZ_CHECK(((after >> (in->reg_high_byte ? 8 : 0)) & mask_of(in->operand_size)) ==
              (loaded & mask_of(in->access_size)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum insn_mode modes[3] = { INSN_MODE_16, INSN_MODE_32, INSN_MODE_64 };
    uint64_t seed = 0xcbf29ce484222325ull;      /* FNV-1a over the input */
    uint64_t gpr[INSN_GPR_COUNT];
    struct insn in;

    if (size == 0)
        return 0;
    for (size_t i = 0; i < size; i++)
        seed = (seed ^ data[i]) * 0x100000001b3ull;
    seed |= 1;
    for (unsigned i = 0; i < INSN_GPR_COUNT; i++)
        gpr[i] = next_random(&seed);

    enum insn_mode mode = modes[data[0] % 3];
    size_t available = size - 1;
    uint8_t *bytes = malloc(available ? available : 1);
    if (bytes == NULL)
        abort();
    memcpy(bytes, data + 1, available);

    enum insn_result r = insn_decode(bytes, available, mode, &in);
    FUZZ_CHECK((unsigned)r < INSN_RESULT_COUNT);
    FUZZ_CHECK(insn_result_name(r) != NULL);
    FUZZ_CHECK(r != INSN_NEED_MORE_BYTES || available < INSN_MAX_LENGTH);
    FUZZ_CHECK(r != INSN_TOO_LONG || available >= INSN_MAX_LENGTH);
    FUZZ_CHECK(r != INSN_BAD_MODE);
    if (r == INSN_UNSUPPORTED_OPCODE || r == INSN_REGISTER_OPERAND)
        FUZZ_CHECK(in.opcode_length == 1 || in.opcode_length == 2);
    if (r == INSN_OK) {
        struct insn again;

        check_decoded(&in, mode, available);
        check_mem(&in, &in.mem, gpr);
        if (in.kind == INSN_KIND_MOVS)
            check_mem(&in, &in.string_source, gpr);
        /* Exactly its own bytes: the same decode from them alone, "need more" from fewer. */
        FUZZ_CHECK(insn_decode(bytes, in.length, mode, &again) == INSN_OK);
        FUZZ_CHECK(same_decode(&again, &in));
        FUZZ_CHECK(insn_decode(bytes, in.length - 1u, mode, &again) == INSN_NEED_MORE_BYTES);
        check_completion(&in, gpr, next_random(&seed));
    }
    free(bytes);
    return 0;
}
