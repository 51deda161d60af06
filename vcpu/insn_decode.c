/* Decoder for the x86 data moves an emulated MMIO access can fault on (Intel SDM Vol. 2A
 * chapter 2: prefixes 2.1.1, REX 2.2.1, ModRM/SIB Tables 2-1..2-3; MOV, MOVZX, MOVSX, MOVSXD,
 * STOS, MOVS pages). Pure: bytes in, a description out; never reads past what it is given. */
#include "vcpu/insn_decode.h"

/* What an opcode implies about its operands. */
enum {
    OP_MODRM       = 1u << 0,   /* a ModRM byte (and maybe SIB and displacement) follows */
    OP_BYTE        = 1u << 1,   /* 8-bit register and memory operands */
    OP_MEM8        = 1u << 2,   /* 8-bit memory source, operand-size register (MOVZX/MOVSX) */
    OP_MEM16       = 1u << 3,   /* 16-bit memory source, operand-size register */
    OP_IMM         = 1u << 4,   /* an immediate follows: imm8, or imm16/imm32 by operand size */
    OP_MOFFS       = 1u << 5,   /* an address-size offset follows instead of ModRM */
    OP_STRING      = 1u << 6,   /* operands at ES:rDI (and seg:rSI), no ModRM */
    OP_REG_IS_ZERO = 1u << 7,   /* ModRM.reg is an opcode extension that must be 0 (C6/C7 /0) */
    OP_RAX         = 1u << 8,   /* the register operand is AL/AX/EAX/RAX */
};

struct opcode_entry {
    enum insn_kind kind;
    enum insn_direction direction;
    unsigned flags;
};

/* Legacy prefixes and REX, as in effect when the opcode is reached. */
struct prefixes {
    bool operand_size;      /* 66 */
    bool address_size;      /* 67 */
    bool lock;              /* F0 */
    enum insn_rep rep;      /* the last of F2/F3 */
    int segment;            /* enum insn_segment of the last override, -1 for none */
    uint8_t rex;            /* 0 when none, or when a legacy prefix followed it */
};

#define REX_B 0x1u
#define REX_X 0x2u
#define REX_R 0x4u
#define REX_W 0x8u

/* Reads stop at 15 bytes (too long) or at the end of the input (need more), whichever first. */
struct cursor {
    const uint8_t *bytes;
    size_t available;
    size_t position;
};

static enum insn_result fetch_byte(struct cursor *c, uint8_t *byte)
{
    if (c->position >= INSN_MAX_LENGTH)
        return INSN_TOO_LONG;
    if (c->position >= c->available)
        return INSN_NEED_MORE_BYTES;
    *byte = c->bytes[c->position++];
    return INSN_OK;
}

/* A little-endian field of `size` bytes (displacement, immediate, offset). */
static enum insn_result fetch_le(struct cursor *c, unsigned size, uint64_t *value)
{
    *value = 0;
    for (unsigned i = 0; i < size; i++) {
        uint8_t byte;
        enum insn_result r = fetch_byte(c, &byte);
        if (r != INSN_OK)
            return r;
        *value |= (uint64_t)byte << (8 * i);
    }
    return INSN_OK;
}

static uint64_t size_mask(unsigned bytes)
{
    return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

static uint64_t sign_extend(uint64_t value, unsigned bytes)
{
    uint64_t sign = 1ull << (8 * bytes - 1);

    value &= size_mask(bytes);
    return (value ^ sign) - sign;
}

static int segment_of_prefix(uint8_t byte)
{
    switch (byte) {
    case 0x26: return INSN_SEG_ES;
    case 0x2E: return INSN_SEG_CS;
    case 0x36: return INSN_SEG_SS;
    case 0x3E: return INSN_SEG_DS;
    case 0x64: return INSN_SEG_FS;
    case 0x65: return INSN_SEG_GS;
    default:   return -1;
    }
}

/* Consumes prefixes and returns the first opcode byte. A REX prefix counts only directly
 * before the opcode (2.2.1: other placements are ignored), so a legacy prefix after it, or
 * a second REX, cancels it. Outside 64-bit mode 40-4F are INC/DEC, i.e. opcodes. */
static enum insn_result read_prefixes(struct cursor *c, enum insn_mode mode, struct prefixes *p,
                                      uint8_t *opcode)
{
    *p = (struct prefixes){ .rep = INSN_REP_NONE, .segment = -1 };
    for (;;) {
        uint8_t byte;
        enum insn_result r = fetch_byte(c, &byte);
        if (r != INSN_OK)
            return r;
        int segment = segment_of_prefix(byte);
        if (segment >= 0)
            p->segment = segment;
        else if (byte == 0x66)
            p->operand_size = true;
        else if (byte == 0x67)
            p->address_size = true;
        else if (byte == 0xF0)
            p->lock = true;
        else if (byte == 0xF3)
            p->rep = INSN_REP_F3;
        else if (byte == 0xF2)
            p->rep = INSN_REP_F2;
        else if (mode == INSN_MODE_64 && (byte & 0xF0) == 0x40) {
            p->rex = byte;
            continue;
        } else {
            *opcode = byte;
            return INSN_OK;
        }
        p->rex = 0;
    }
}

static bool lookup_one_byte(uint8_t opcode, enum insn_mode mode, struct opcode_entry *e)
{
    switch (opcode) {
    case 0x88: *e = (struct opcode_entry){ INSN_KIND_MOV, INSN_DIR_WRITE, OP_MODRM | OP_BYTE }; break;
    case 0x89: *e = (struct opcode_entry){ INSN_KIND_MOV, INSN_DIR_WRITE, OP_MODRM }; break;
    case 0x8A: *e = (struct opcode_entry){ INSN_KIND_MOV, INSN_DIR_READ, OP_MODRM | OP_BYTE }; break;
    case 0x8B: *e = (struct opcode_entry){ INSN_KIND_MOV, INSN_DIR_READ, OP_MODRM }; break;
    case 0xC6: *e = (struct opcode_entry){ INSN_KIND_MOV, INSN_DIR_WRITE,
                                           OP_MODRM | OP_BYTE | OP_IMM | OP_REG_IS_ZERO }; break;
    case 0xC7: *e = (struct opcode_entry){ INSN_KIND_MOV, INSN_DIR_WRITE,
                                           OP_MODRM | OP_IMM | OP_REG_IS_ZERO }; break;
    case 0xA0: *e = (struct opcode_entry){ INSN_KIND_MOV, INSN_DIR_READ, OP_MOFFS | OP_RAX | OP_BYTE }; break;
    case 0xA1: *e = (struct opcode_entry){ INSN_KIND_MOV, INSN_DIR_READ, OP_MOFFS | OP_RAX }; break;
    case 0xA2: *e = (struct opcode_entry){ INSN_KIND_MOV, INSN_DIR_WRITE, OP_MOFFS | OP_RAX | OP_BYTE }; break;
    case 0xA3: *e = (struct opcode_entry){ INSN_KIND_MOV, INSN_DIR_WRITE, OP_MOFFS | OP_RAX }; break;
    case 0xAA: *e = (struct opcode_entry){ INSN_KIND_STOS, INSN_DIR_WRITE, OP_STRING | OP_RAX | OP_BYTE }; break;
    case 0xAB: *e = (struct opcode_entry){ INSN_KIND_STOS, INSN_DIR_WRITE, OP_STRING | OP_RAX }; break;
    case 0xA4: *e = (struct opcode_entry){ INSN_KIND_MOVS, INSN_DIR_COPY, OP_STRING | OP_BYTE }; break;
    case 0xA5: *e = (struct opcode_entry){ INSN_KIND_MOVS, INSN_DIR_COPY, OP_STRING }; break;
    case 0x63:  /* ARPL outside 64-bit mode */
        if (mode != INSN_MODE_64)
            return false;
        *e = (struct opcode_entry){ INSN_KIND_MOVSXD, INSN_DIR_READ, OP_MODRM };
        break;
    default:
        return false;
    }
    return true;
}

static bool lookup_two_byte(uint8_t opcode, struct opcode_entry *e)
{
    switch (opcode) {
    case 0xB6: *e = (struct opcode_entry){ INSN_KIND_MOVZX, INSN_DIR_READ, OP_MODRM | OP_MEM8 }; break;
    case 0xB7: *e = (struct opcode_entry){ INSN_KIND_MOVZX, INSN_DIR_READ, OP_MODRM | OP_MEM16 }; break;
    case 0xBE: *e = (struct opcode_entry){ INSN_KIND_MOVSX, INSN_DIR_READ, OP_MODRM | OP_MEM8 }; break;
    case 0xBF: *e = (struct opcode_entry){ INSN_KIND_MOVSX, INSN_DIR_READ, OP_MODRM | OP_MEM16 }; break;
    default:
        return false;
    }
    return true;
}

/* Effective operand size (Vol. 1, 3.6.1 and Table 3-4): REX.W wins over 66. */
static uint8_t operand_size_of(enum insn_mode mode, const struct prefixes *p)
{
    if (p->rex & REX_W)
        return 8;
    if (mode == INSN_MODE_16)
        return p->operand_size ? 4 : 2;
    return p->operand_size ? 2 : 4;
}

/* Effective address size (Vol. 1, Table 3-4): 67 toggles 16/32, and 64 to 32. */
static uint8_t address_size_of(enum insn_mode mode, const struct prefixes *p)
{
    switch (mode) {
    case INSN_MODE_16: return p->address_size ? 4 : 2;
    case INSN_MODE_32: return p->address_size ? 2 : 4;
    default:           return p->address_size ? 4 : 8;
    }
}

/* In 64-bit mode the ES, CS, SS and DS overrides are ignored (Vol. 1, 3.3.7.1). */
static void apply_segment_override(struct insn_mem *mem, const struct prefixes *p,
                                   enum insn_mode mode, bool *overridden)
{
    if (p->segment < 0)
        return;
    if (mode == INSN_MODE_64 && p->segment != INSN_SEG_FS && p->segment != INSN_SEG_GS)
        return;
    mem->segment = (uint8_t)p->segment;
    *overridden = true;
}

/* 16-bit ModRM forms (Table 2-1): [BX+SI] [BX+DI] [BP+SI] [BP+DI] [SI] [DI] [BP] [BX]. */
static enum insn_result decode_modrm16(struct cursor *c, uint8_t modrm, struct insn_mem *mem)
{
    static const uint8_t bases[8] = { INSN_RBX, INSN_RBX, INSN_RBP, INSN_RBP,
                                      INSN_RSI, INSN_RDI, INSN_RBP, INSN_RBX };
    static const uint8_t indexes[8] = { INSN_RSI, INSN_RDI, INSN_RSI, INSN_RDI,
                                        INSN_NO_REG, INSN_NO_REG, INSN_NO_REG, INSN_NO_REG };
    unsigned mod = modrm >> 6, rm = modrm & 7;
    unsigned disp_size = mod == 1 ? 1 : 2;
    uint64_t disp = 0;

    if (mod == 0 && rm == 6) {          /* disp16 alone */
        mem->base = INSN_NO_REG;
    } else {
        mem->base = bases[rm];
        mem->index = indexes[rm];
        if (mod == 0)
            disp_size = 0;
    }
    enum insn_result r = fetch_le(c, disp_size, &disp);
    if (r != INSN_OK)
        return r;
    mem->disp = disp_size ? sign_extend(disp, disp_size) : 0;
    mem->segment = mem->base == INSN_RBP ? INSN_SEG_SS : INSN_SEG_DS;
    return INSN_OK;
}

/* 32- and 64-bit ModRM and SIB forms (Tables 2-2, 2-3; REX extensions 2.2.1.2, RIP-relative
 * 2.2.1.6). rm = 100 means SIB; mod = 00 with rm = 101 is disp32 (RIP-relative in 64-bit mode);
 * SIB base = 101 with mod = 00 is disp32 without base; SIB index = 100 without REX.X is none. */
static enum insn_result decode_modrm32(struct cursor *c, uint8_t modrm, uint8_t rex,
                                       enum insn_mode mode, struct insn_mem *mem)
{
    unsigned mod = modrm >> 6, rm = modrm & 7;
    unsigned disp_size = mod == 1 ? 1 : mod == 2 ? 4 : 0;
    uint64_t disp = 0;
    enum insn_result r;

    if (rm == 4) {
        uint8_t sib;
        if ((r = fetch_byte(c, &sib)) != INSN_OK)
            return r;
        unsigned index = ((sib >> 3) & 7) | ((rex & REX_X) ? 8u : 0u);
        if (index != INSN_RSP) {
            mem->index = (uint8_t)index;
            mem->scale = (uint8_t)(1u << (sib >> 6));
        }
        if ((sib & 7) == 5 && mod == 0)
            disp_size = 4;
        else
            mem->base = (uint8_t)((sib & 7) | ((rex & REX_B) ? 8u : 0u));
    } else if (rm == 5 && mod == 0) {
        disp_size = 4;
        mem->rip_relative = mode == INSN_MODE_64;
    } else {
        mem->base = (uint8_t)(rm | ((rex & REX_B) ? 8u : 0u));
    }
    if ((r = fetch_le(c, disp_size, &disp)) != INSN_OK)
        return r;
    mem->disp = disp_size ? sign_extend(disp, disp_size) : 0;
    mem->segment = mem->base == INSN_RSP || mem->base == INSN_RBP ? INSN_SEG_SS : INSN_SEG_DS;
    return INSN_OK;
}

/* A string operand: rDI (or rSI) in the address size, no displacement. */
static struct insn_mem string_operand(uint8_t base, enum insn_segment segment, uint8_t address_size)
{
    return (struct insn_mem){ .base = base, .index = INSN_NO_REG, .scale = 1,
                              .segment = (uint8_t)segment, .address_size = address_size };
}

/* The memory operand(s) of the instruction whose opcode has just been read. */
static enum insn_result decode_memory(struct cursor *c, const struct opcode_entry *e,
                                      const struct prefixes *p, enum insn_mode mode,
                                      struct insn *out)
{
    uint8_t address_size = address_size_of(mode, p);
    struct insn_mem *mem = &out->mem;
    enum insn_result r;

    if (e->flags & OP_STRING) {
        /* ES:rDI cannot be overridden; only MOVS's source segment can (STOS, MOVS pages). */
        *mem = string_operand(INSN_RDI, INSN_SEG_ES, address_size);
        if (out->kind == INSN_KIND_MOVS) {
            out->string_source = string_operand(INSN_RSI, INSN_SEG_DS, address_size);
            apply_segment_override(&out->string_source, p, mode, &out->segment_override);
        }
        return INSN_OK;
    }
    *mem = (struct insn_mem){ .base = INSN_NO_REG, .index = INSN_NO_REG, .scale = 1,
                              .segment = INSN_SEG_DS, .address_size = address_size };
    if (e->flags & OP_MOFFS) {
        if ((r = fetch_le(c, address_size, &mem->disp)) != INSN_OK)
            return r;
    } else {
        r = address_size == 2 ? decode_modrm16(c, out->modrm, mem)
                              : decode_modrm32(c, out->modrm, out->rex, mode, mem);
        if (r != INSN_OK)
            return r;
    }
    apply_segment_override(mem, p, mode, &out->segment_override);
    return INSN_OK;
}

/* Sizes, register operand and immediate width from the opcode's flags. */
static void decode_operands(const struct opcode_entry *e, uint8_t operand_size,
                            struct insn *out)
{
    if (e->flags & OP_BYTE) {
        out->access_size = out->operand_size = 1;
    } else if (e->flags & (OP_MEM8 | OP_MEM16)) {
        out->access_size = (e->flags & OP_MEM8) ? 1 : 2;
        out->operand_size = operand_size;
    } else if (e->kind == INSN_KIND_MOVSXD) {
        out->access_size = operand_size == 8 ? 4 : operand_size;   /* r64, r/m32 */
        out->operand_size = operand_size;
    } else {
        out->access_size = out->operand_size = operand_size;
    }

    if (e->flags & OP_RAX) {
        out->has_register = true;
        out->reg = INSN_RAX;
    } else if ((e->flags & OP_MODRM) && !(e->flags & OP_REG_IS_ZERO)) {
        out->has_register = true;
        out->reg = (uint8_t)(((out->modrm >> 3) & 7) | ((out->rex & REX_R) ? 8u : 0u));
        /* Without any REX, byte registers 4-7 are AH CH DH BH (Vol. 2A, 3.1.1.1). */
        if (out->operand_size == 1 && out->rex == 0 && out->reg >= 4) {
            out->reg -= 4;
            out->reg_high_byte = true;
        }
    }
}

static enum insn_result decode_immediate(struct cursor *c, struct insn *out)
{
    unsigned size = out->operand_size == 1 ? 1 : out->operand_size == 2 ? 2 : 4;
    uint64_t value;
    enum insn_result r = fetch_le(c, size, &value);

    if (r != INSN_OK)
        return r;
    out->has_immediate = true;
    /* imm32 with a 64-bit operand is sign-extended (MOV page, "C7 /0 id" under REX.W). */
    out->immediate = sign_extend(value, size) & size_mask(out->operand_size);
    return INSN_OK;
}

enum insn_result insn_decode(const uint8_t *bytes, size_t available, enum insn_mode mode,
                             struct insn *out)
{
    struct cursor c = { .bytes = bytes, .available = available, .position = 0 };
    struct opcode_entry entry;
    struct prefixes p;
    uint8_t opcode;
    enum insn_result r;

    *out = (struct insn){ .rep = INSN_REP_NONE };
    if (mode != INSN_MODE_16 && mode != INSN_MODE_32 && mode != INSN_MODE_64)
        return INSN_BAD_MODE;
    if (bytes == NULL)
        c.available = 0;
    if ((r = read_prefixes(&c, mode, &p, &opcode)) != INSN_OK)
        return r;
    out->rex = p.rex;
    out->rep = p.rep;
    out->opcode[out->opcode_length++] = opcode;

    bool known;
    if (opcode == 0x0F) {
        if ((r = fetch_byte(&c, &opcode)) != INSN_OK)
            return r;
        out->opcode[out->opcode_length++] = opcode;
        known = lookup_two_byte(opcode, &entry);
    } else {
        known = lookup_one_byte(opcode, mode, &entry);
    }
    if (!known)
        return INSN_UNSUPPORTED_OPCODE;
    out->kind = entry.kind;
    out->direction = entry.direction;

    /* None of these moves takes LOCK: it is for read-modify-write instructions (LOCK page). */
    if (p.lock)
        return INSN_LOCK_NOT_ALLOWED;

    if (entry.flags & OP_MODRM) {
        if ((r = fetch_byte(&c, &out->modrm)) != INSN_OK)
            return r;
        out->has_modrm = true;
        if ((entry.flags & OP_REG_IS_ZERO) && ((out->modrm >> 3) & 7) != 0)
            return INSN_UNSUPPORTED_OPCODE;     /* C6 F8 XABORT, C7 F8 XBEGIN, others #UD */
        if ((out->modrm >> 6) == 3)
            return INSN_REGISTER_OPERAND;
    }
    decode_operands(&entry, operand_size_of(mode, &p), out);
    if ((r = decode_memory(&c, &entry, &p, mode, out)) != INSN_OK)
        return r;
    if ((entry.flags & OP_IMM) && (r = decode_immediate(&c, out)) != INSN_OK)
        return r;
    out->length = (uint8_t)c.position;
    return INSN_OK;
}

const char *insn_result_name(enum insn_result result)
{
    static const char *const names[INSN_RESULT_COUNT] = {
        [INSN_OK]                 = "ok",
        [INSN_NEED_MORE_BYTES]    = "instruction continues past the bytes given",
        [INSN_TOO_LONG]           = "instruction longer than 15 bytes",
        [INSN_UNSUPPORTED_OPCODE] = "unsupported opcode",
        [INSN_REGISTER_OPERAND]   = "register operand, not a memory access",
        [INSN_LOCK_NOT_ALLOWED]   = "LOCK prefix not allowed",
        [INSN_BAD_MODE]           = "bad code mode",
    };

    if ((unsigned)result >= INSN_RESULT_COUNT)
        return "unknown result";
    return names[result];
}

enum insn_mode insn_mode_from_cs(bool efer_lma, bool cs_l, bool cs_db)
{
    if (efer_lma && cs_l)
        return INSN_MODE_64;
    return cs_db ? INSN_MODE_32 : INSN_MODE_16;
}

bool insn_store_value(const struct insn *insn, const uint64_t gpr[INSN_GPR_COUNT],
                      uint64_t *value)
{
    uint64_t v;

    if (insn->direction != INSN_DIR_WRITE)
        return false;
    if (insn->has_immediate)
        v = insn->immediate;
    else if (insn->has_register)
        v = gpr[insn->reg % INSN_GPR_COUNT] >> (insn->reg_high_byte ? 8 : 0);
    else
        return false;
    *value = v & size_mask(insn->access_size);
    return true;
}

/* x86 register-write rules (Vol. 1, 3.4.1.1): 32-bit results are zero-extended to 64 bits,
 * 8- and 16-bit results leave the other bits alone. */
static void write_register(uint64_t *reg, uint64_t value, unsigned width, bool high_byte)
{
    if (width >= 8)
        *reg = value;
    else if (width == 4)
        *reg = value & 0xFFFFFFFFull;
    else if (high_byte)
        *reg = (*reg & ~0xFF00ull) | ((value & 0xFF) << 8);
    else
        *reg = (*reg & ~size_mask(width)) | (value & size_mask(width));
}

bool insn_complete_load(const struct insn *insn, uint64_t gpr[INSN_GPR_COUNT], uint64_t value)
{
    if (insn->direction != INSN_DIR_READ || !insn->has_register || insn->access_size == 0 ||
        insn->access_size > 8)
        return false;
    value &= size_mask(insn->access_size);
    if (insn->kind == INSN_KIND_MOVSX || insn->kind == INSN_KIND_MOVSXD)
        value = sign_extend(value, insn->access_size);
    write_register(&gpr[insn->reg % INSN_GPR_COUNT], value, insn->operand_size,
                   insn->reg_high_byte);
    return true;
}

uint64_t insn_mem_offset(const struct insn *insn, const struct insn_mem *mem,
                         const uint64_t gpr[INSN_GPR_COUNT], uint64_t rip)
{
    uint64_t offset = mem->disp;

    if (mem->rip_relative)
        offset += rip + insn->length;
    if (mem->base != INSN_NO_REG)
        offset += gpr[mem->base % INSN_GPR_COUNT];
    if (mem->index != INSN_NO_REG)
        offset += gpr[mem->index % INSN_GPR_COUNT] * mem->scale;
    return offset & size_mask(mem->address_size);
}
