/* Decoder for the x86 data moves an emulated MMIO access can fault on: MOV, MOVZX, MOVSX, MOVSXD,
 * STOS, MOVS (Intel SDM Vol. 2A chapter 2 "Instruction Format", Vol. 2A/2B instruction pages). Pure. */
#ifndef VCPU_INSN_DECODE_H
#define VCPU_INSN_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INSN_MAX_LENGTH 15u     /* longer is #GP (Vol. 2A, 2.3.11) */
#define INSN_GPR_COUNT  16u
#define INSN_NO_REG     0xFFu   /* struct insn_mem: no base or no index register */

/* General-purpose registers in ModRM / REX numbering (Vol. 2A, Table 2-2 and 3.1.1.1). */
enum insn_gpr {
    INSN_RAX, INSN_RCX, INSN_RDX, INSN_RBX, INSN_RSP, INSN_RBP, INSN_RSI, INSN_RDI,
    INSN_R8, INSN_R9, INSN_R10, INSN_R11, INSN_R12, INSN_R13, INSN_R14, INSN_R15,
};

/* Segment registers in Sreg numbering (Vol. 2A, 3.1.1.1). */
enum insn_segment { INSN_SEG_ES, INSN_SEG_CS, INSN_SEG_SS, INSN_SEG_DS, INSN_SEG_FS, INSN_SEG_GS };

/* Code-segment mode: the default operand and address size (Vol. 3A, 3.4.5 "D/B" and "L"). */
enum insn_mode { INSN_MODE_16, INSN_MODE_32, INSN_MODE_64 };

enum insn_result {
    INSN_OK,
    INSN_NEED_MORE_BYTES,       /* the bytes end inside the instruction: fetch more and retry */
    INSN_TOO_LONG,              /* more than 15 bytes: the guest gets #GP */
    INSN_UNSUPPORTED_OPCODE,    /* not one of the moves above; insn.opcode (and modrm) name it */
    INSN_REGISTER_OPERAND,      /* ModRM.mod = 3: the instruction does not access memory */
    INSN_LOCK_NOT_ALLOWED,      /* LOCK prefix on an instruction that does not accept it: #UD */
    INSN_BAD_MODE,              /* the mode argument is not an enum insn_mode */
    INSN_RESULT_COUNT
};

enum insn_kind {
    INSN_KIND_MOV,      /* 88 89 8A 8B C6 C7 A0-A3 */
    INSN_KIND_MOVZX,    /* 0F B6, 0F B7 */
    INSN_KIND_MOVSX,    /* 0F BE, 0F BF */
    INSN_KIND_MOVSXD,   /* 63, 64-bit mode only */
    INSN_KIND_STOS,     /* AA AB: store rAX at ES:rDI */
    INSN_KIND_MOVS,     /* A4 A5: copy from seg:rSI to ES:rDI */
};

enum insn_direction {
    INSN_DIR_READ,      /* memory to register (loads) */
    INSN_DIR_WRITE,     /* register or immediate to memory (stores, STOS) */
    INSN_DIR_COPY,      /* memory to memory (MOVS): read string_source, write mem */
};

enum insn_rep { INSN_REP_NONE, INSN_REP_F3, INSN_REP_F2 };   /* REP/REPE, REPNE */

/* A memory operand. Its offset in the segment is disp + base + index * scale (+ the next
 * instruction's RIP when rip_relative), wrapped to address_size bytes: insn_mem_offset. */
struct insn_mem {
    uint8_t base;           /* enum insn_gpr, or INSN_NO_REG */
    uint8_t index;          /* enum insn_gpr, or INSN_NO_REG */
    uint8_t scale;          /* 1, 2, 4 or 8 (1 when there is no index) */
    uint8_t segment;        /* enum insn_segment, after overrides */
    uint8_t address_size;   /* 2, 4 or 8 bytes */
    bool rip_relative;
    uint64_t disp;          /* ModRM displacement sign-extended; moffs zero-extended */
};

struct insn {
    enum insn_kind kind;
    enum insn_direction direction;
    uint8_t length;             /* bytes, prefixes included */
    uint8_t access_size;        /* bytes read or written in memory (one element for STOS/MOVS) */
    uint8_t operand_size;       /* width of the register operand; the destination's for loads */
    bool has_register;          /* reg is an operand (false for C6/C7 and MOVS) */
    uint8_t reg;                /* enum insn_gpr; with reg_high_byte, the register whose bits 15:8 */
    bool reg_high_byte;         /* AH CH DH BH: reg is 0..3 and bits 15:8 are meant */
    bool has_immediate;         /* C6/C7: the value stored is immediate */
    uint64_t immediate;         /* extended to operand_size (imm32 sign-extended under REX.W) */
    enum insn_rep rep;          /* F3/F2 prefix; repeats only STOS and MOVS */
    bool segment_override;      /* a segment prefix is in effect (ignored ones not counted) */
    uint8_t rex;                /* the REX prefix in effect, 0 if none */
    uint8_t opcode[2];          /* opcode bytes, 0F first for two-byte opcodes */
    uint8_t opcode_length;
    bool has_modrm;
    uint8_t modrm;
    struct insn_mem mem;            /* the memory operand; for MOVS the destination ES:rDI */
    struct insn_mem string_source;  /* MOVS only: the source, DS:rSI unless overridden */
};

/* Decodes the instruction at bytes[0 .. available) (bytes past 15 are never read) for a CPU
 * in `mode`. On INSN_OK *out describes it; on INSN_UNSUPPORTED_OPCODE and
 * INSN_REGISTER_OPERAND out->opcode, opcode_length and (when has_modrm) modrm name what was
 * found; otherwise *out holds nothing useful. */
enum insn_result insn_decode(const uint8_t *bytes, size_t available, enum insn_mode mode,
                             struct insn *out);

/* A name for each result, e.g. "unsupported opcode", for reports. */
const char *insn_result_name(enum insn_result result);

/* The mode from IA32_EFER.LMA and the guest's CS access rights L and D/B. */
enum insn_mode insn_mode_from_cs(bool efer_lma, bool cs_l, bool cs_db);

/* The value a store (INSN_DIR_WRITE) writes to memory: the immediate or the register,
 * truncated to access_size. False, *value untouched, for loads and MOVS. */
bool insn_store_value(const struct insn *insn, const uint64_t gpr[INSN_GPR_COUNT],
                      uint64_t *value);

/* Completes a load (INSN_DIR_READ): `value`, the access_size bytes read from memory, is
 * extended (MOVZX zero, MOVSX/MOVSXD sign) and written to the destination register with x86
 * rules (32-bit writes clear bits 63:32, 8- and 16-bit writes keep the other bits). False,
 * gpr untouched, for stores and MOVS. */
bool insn_complete_load(const struct insn *insn, uint64_t gpr[INSN_GPR_COUNT], uint64_t value);

/* The offset of `mem` in its segment for an instruction at `rip` (the effective address,
 * Vol. 1, 3.7.5), wrapped to the address size. */
uint64_t insn_mem_offset(const struct insn *insn, const struct insn_mem *mem,
                         const uint64_t gpr[INSN_GPR_COUNT], uint64_t rip);

#endif
