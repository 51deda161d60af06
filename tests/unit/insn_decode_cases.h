/* Encodings for tests/unit/test_insn_decode.c, assembled by hand from Intel SDM Vol. 2 (chapter 2
 * and the MOV, MOVZX, MOVSX, MOVSXD, STOS, MOVS pages) and checked against objdump: what each
 * must decode to, and encodings that must be refused. Data only; include after <cmocka.h>. */
#ifndef TESTS_UNIT_INSN_DECODE_CASES_H
#define TESTS_UNIT_INSN_DECODE_CASES_H

#include <stdbool.h>
#include <stdint.h>

#include "vcpu/insn_decode.h"

#define M16 INSN_MODE_16
#define M32 INSN_MODE_32
#define M64 INSN_MODE_64
#define NONE INSN_NO_REG
#define ES INSN_SEG_ES
#define CS INSN_SEG_CS
#define SS INSN_SEG_SS
#define DS INSN_SEG_DS
#define FS INSN_SEG_FS
#define GS INSN_SEG_GS

/* Register numbers spelled out here, not taken from the header, so a wrong enum shows. */
enum { AX = 0, CX = 1, DX = 2, BX = 3, SP = 4, BP = 5, SI = 6, DI = 7,
       R8 = 8, R9 = 9, R12 = 12, R13 = 13, R15 = 15 };

#define BYTES(...) .bytes = { __VA_ARGS__ }, .length = sizeof((uint8_t[]){ __VA_ARGS__ })
/* mem: base, index, scale, segment, address size, displacement */
#define MEM(b, i, s, seg, asz, d) \
    .mem = { .base = (b), .index = (i), .scale = (s), .segment = (seg), .address_size = (asz), \
             .disp = (uint64_t)(d) }
#define RIPREL(asz, d) \
    .mem = { .base = NONE, .index = NONE, .scale = 1, .segment = DS, .address_size = (asz), \
             .rip_relative = true, .disp = (uint64_t)(d) }
#define LOAD(k, acc, op, r)  .kind = (k), .direction = INSN_DIR_READ, .access = (acc), .operand = (op), .reg = (r)
#define STORE(acc, r)        .kind = INSN_KIND_MOV, .direction = INSN_DIR_WRITE, .access = (acc), .operand = (acc), .reg = (r)
#define STORE_IMM(acc, v)    STORE(acc, NONE), .has_immediate = true, .immediate = (v)
/* STOS writes rAX at ES:rDI; MOVS copies from seg:rSI to ES:rDI (address size asz). */
#define STOS(acc, asz) \
    .kind = INSN_KIND_STOS, .direction = INSN_DIR_WRITE, .access = (acc), .operand = (acc), \
    .reg = AX, MEM(DI, NONE, 1, ES, asz, 0)
#define MOVS(acc, asz, source_segment) \
    .kind = INSN_KIND_MOVS, .direction = INSN_DIR_COPY, .access = (acc), .operand = (acc), \
    .reg = NONE, MEM(DI, NONE, 1, ES, asz, 0), \
    .source = { SI, NONE, 1, (source_segment), (asz), false, 0 }
#define MOV INSN_KIND_MOV

struct decode_case {
    const char *text;       /* Intel syntax, for failure messages and for checking with objdump */
    enum insn_mode mode;
    uint8_t bytes[INSN_MAX_LENGTH];
    unsigned length;
    enum insn_kind kind;
    enum insn_direction direction;
    unsigned access, operand;
    unsigned reg;           /* NONE: no register operand */
    bool high_byte;
    bool has_immediate;
    uint64_t immediate;
    enum insn_rep rep;
    bool segment_override;
    struct insn_mem mem;
    struct insn_mem source; /* MOVS */
};

static const struct decode_case good[] = {
    /* ---- 64-bit: 88/89/8A/8B, REX, ModRM and SIB forms ---- */
    { "mov [rax], ecx", M64, BYTES(0x89, 0x08), STORE(4, CX), MEM(AX, NONE, 1, DS, 8, 0) },
    { "mov [rax], rcx", M64, BYTES(0x48, 0x89, 0x08), STORE(8, CX), MEM(AX, NONE, 1, DS, 8, 0) },
    { "mov [rax], cx", M64, BYTES(0x66, 0x89, 0x08), STORE(2, CX), MEM(AX, NONE, 1, DS, 8, 0) },
    { "mov [rax], cl", M64, BYTES(0x88, 0x08), STORE(1, CX), MEM(AX, NONE, 1, DS, 8, 0) },
    { "mov [rax], ah", M64, BYTES(0x88, 0x20), STORE(1, AX), .high_byte = true,
      MEM(AX, NONE, 1, DS, 8, 0) },
    { "mov [rax], bh", M64, BYTES(0x88, 0x38), STORE(1, BX), .high_byte = true,
      MEM(AX, NONE, 1, DS, 8, 0) },
    { "mov [rax], spl", M64, BYTES(0x40, 0x88, 0x20), STORE(1, SP), MEM(AX, NONE, 1, DS, 8, 0) },
    { "mov [rax], dil", M64, BYTES(0x40, 0x88, 0x38), STORE(1, DI), MEM(AX, NONE, 1, DS, 8, 0) },
    { "mov [rax], r9b", M64, BYTES(0x44, 0x88, 0x08), STORE(1, R9), MEM(AX, NONE, 1, DS, 8, 0) },
    { "mov [r8], ecx", M64, BYTES(0x41, 0x89, 0x08), STORE(4, CX), MEM(R8, NONE, 1, DS, 8, 0) },
    { "mov dh, [rcx]", M64, BYTES(0x8A, 0x31), LOAD(MOV, 1, 1, DX), .high_byte = true,
      MEM(CX, NONE, 1, DS, 8, 0) },
    { "mov sil, [rcx]", M64, BYTES(0x40, 0x8A, 0x31), LOAD(MOV, 1, 1, SI), MEM(CX, NONE, 1, DS, 8, 0) },
    { "mov eax, [rcx]", M64, BYTES(0x8B, 0x01), LOAD(MOV, 4, 4, AX), MEM(CX, NONE, 1, DS, 8, 0) },
    { "mov r15, [r8+r9*8+0x10]", M64, BYTES(0x4F, 0x8B, 0x7C, 0xC8, 0x10), LOAD(MOV, 8, 8, R15),
      MEM(R8, R9, 8, DS, 8, 0x10) },
    { "mov eax, [rip+0x12345678]", M64, BYTES(0x8B, 0x05, 0x78, 0x56, 0x34, 0x12),
      LOAD(MOV, 4, 4, AX), RIPREL(8, 0x12345678) },
    { "mov eax, [rip-4]", M64, BYTES(0x8B, 0x05, 0xFC, 0xFF, 0xFF, 0xFF), LOAD(MOV, 4, 4, AX),
      RIPREL(8, -4) },
    { "mov eax, [eip+0x10]", M64, BYTES(0x67, 0x8B, 0x05, 0x10, 0x00, 0x00, 0x00),
      LOAD(MOV, 4, 4, AX), RIPREL(4, 0x10) },
    { "mov eax, ds:0x1000", M64, BYTES(0x8B, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00),
      LOAD(MOV, 4, 4, AX), MEM(NONE, NONE, 1, DS, 8, 0x1000) },
    { "mov eax, ds:0xfffffffffffffff0", M64, BYTES(0x8B, 0x04, 0x25, 0xF0, 0xFF, 0xFF, 0xFF),
      LOAD(MOV, 4, 4, AX), MEM(NONE, NONE, 1, DS, 8, -16) },
    { "mov eax, [rsp]", M64, BYTES(0x8B, 0x04, 0x24), LOAD(MOV, 4, 4, AX), MEM(SP, NONE, 1, SS, 8, 0) },
    { "mov eax, [rbp+0x0]", M64, BYTES(0x8B, 0x45, 0x00), LOAD(MOV, 4, 4, AX), MEM(BP, NONE, 1, SS, 8, 0) },
    { "mov eax, [r13+0x0]", M64, BYTES(0x41, 0x8B, 0x45, 0x00), LOAD(MOV, 4, 4, AX),
      MEM(R13, NONE, 1, DS, 8, 0) },
    { "mov eax, [r12]", M64, BYTES(0x41, 0x8B, 0x04, 0x24), LOAD(MOV, 4, 4, AX),
      MEM(R12, NONE, 1, DS, 8, 0) },
    { "mov eax, [rax+r12*2]", M64, BYTES(0x42, 0x8B, 0x04, 0x60), LOAD(MOV, 4, 4, AX),
      MEM(AX, R12, 2, DS, 8, 0) },
    { "mov eax, [rax+riz*4]", M64, BYTES(0x8B, 0x04, 0xA0), LOAD(MOV, 4, 4, AX),
      MEM(AX, NONE, 1, DS, 8, 0) },
    { "mov eax, [rbx*4+0x100]", M64, BYTES(0x8B, 0x04, 0x9D, 0x00, 0x01, 0x00, 0x00),
      LOAD(MOV, 4, 4, AX), MEM(NONE, BX, 4, DS, 8, 0x100) },
    { "mov eax, [r13*4+0x100]", M64, BYTES(0x42, 0x8B, 0x04, 0xAD, 0x00, 0x01, 0x00, 0x00),
      LOAD(MOV, 4, 4, AX), MEM(NONE, R13, 4, DS, 8, 0x100) },
    { "mov eax, [rbp+rcx*1+0x7f]", M64, BYTES(0x8B, 0x44, 0x0D, 0x7F), LOAD(MOV, 4, 4, AX),
      MEM(BP, CX, 1, SS, 8, 0x7F) },
    { "mov eax, [rax+0x12345678]", M64, BYTES(0x8B, 0x80, 0x78, 0x56, 0x34, 0x12),
      LOAD(MOV, 4, 4, AX), MEM(AX, NONE, 1, DS, 8, 0x12345678) },
    { "mov eax, [rax-0x80]", M64, BYTES(0x8B, 0x40, 0x80), LOAD(MOV, 4, 4, AX),
      MEM(AX, NONE, 1, DS, 8, -0x80) },
    { "mov eax, [rax-0x80000000]", M64, BYTES(0x8B, 0x80, 0x00, 0x00, 0x00, 0x80),
      LOAD(MOV, 4, 4, AX), MEM(AX, NONE, 1, DS, 8, -0x80000000ll) },
    { "mov rax, [eax]", M64, BYTES(0x67, 0x48, 0x8B, 0x00), LOAD(MOV, 8, 8, AX),
      MEM(AX, NONE, 1, DS, 4, 0) },
    { "mov rax, [rcx] (66 then REX.W: W wins)", M64, BYTES(0x66, 0x48, 0x8B, 0x01), LOAD(MOV, 8, 8, AX),
      MEM(CX, NONE, 1, DS, 8, 0) },
    /* ---- 64-bit: C6/C7 immediates ---- */
    { "mov byte ptr [rax], 0x7f", M64, BYTES(0xC6, 0x00, 0x7F), STORE_IMM(1, 0x7F),
      MEM(AX, NONE, 1, DS, 8, 0) },
    { "mov byte ptr [rax+0x10], 0x80", M64, BYTES(0xC6, 0x40, 0x10, 0x80), STORE_IMM(1, 0x80),
      MEM(AX, NONE, 1, DS, 8, 0x10) },
    { "mov word ptr [rax], 0x1234", M64, BYTES(0x66, 0xC7, 0x00, 0x34, 0x12), STORE_IMM(2, 0x1234),
      MEM(AX, NONE, 1, DS, 8, 0) },
    { "mov dword ptr [rax], 0x87654321", M64, BYTES(0xC7, 0x00, 0x21, 0x43, 0x65, 0x87),
      STORE_IMM(4, 0x87654321), MEM(AX, NONE, 1, DS, 8, 0) },
    { "mov qword ptr [rax], -2", M64, BYTES(0x48, 0xC7, 0x00, 0xFE, 0xFF, 0xFF, 0xFF),
      STORE_IMM(8, 0xFFFFFFFFFFFFFFFEull), MEM(AX, NONE, 1, DS, 8, 0) },
    { "mov qword ptr [rax+0x8], 0x7fffffff", M64,
      BYTES(0x48, 0xC7, 0x40, 0x08, 0xFF, 0xFF, 0xFF, 0x7F), STORE_IMM(8, 0x7FFFFFFF),
      MEM(AX, NONE, 1, DS, 8, 8) },
    { "mov dword ptr [rip+0x100], 0x1", M64,
      BYTES(0xC7, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00), STORE_IMM(4, 1),
      RIPREL(8, 0x100) },
    /* ---- 64-bit: moffs ---- */
    { "movabs al, ds:0x1122334455667788", M64,
      BYTES(0xA0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), LOAD(MOV, 1, 1, AX),
      MEM(NONE, NONE, 1, DS, 8, 0x1122334455667788ull) },
    { "movabs rax, ds:0xfffffffffee00000", M64,
      BYTES(0x48, 0xA1, 0x00, 0x00, 0xE0, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF), LOAD(MOV, 8, 8, AX),
      MEM(NONE, NONE, 1, DS, 8, 0xFFFFFFFFFEE00000ull) },
    { "movabs ds:0xfee00000, eax", M64,
      BYTES(0xA3, 0x00, 0x00, 0xE0, 0xFE, 0x00, 0x00, 0x00, 0x00), STORE(4, AX),
      MEM(NONE, NONE, 1, DS, 8, 0xFEE00000) },
    { "movabs ds:0x10, ax", M64, BYTES(0x66, 0xA3, 0x10, 0, 0, 0, 0, 0, 0, 0), STORE(2, AX),
      MEM(NONE, NONE, 1, DS, 8, 0x10) },
    { "addr32 mov ds:0x11223344, al", M64, BYTES(0x67, 0xA2, 0x44, 0x33, 0x22, 0x11), STORE(1, AX),
      MEM(NONE, NONE, 1, DS, 4, 0x11223344) },
    { "movabs eax, fs:0x28", M64, BYTES(0x64, 0xA1, 0x28, 0, 0, 0, 0, 0, 0, 0), LOAD(MOV, 4, 4, AX),
      .segment_override = true, MEM(NONE, NONE, 1, FS, 8, 0x28) },
    /* ---- 64-bit: MOVZX, MOVSX, MOVSXD ---- */
    { "movzx eax, byte ptr [rcx]", M64, BYTES(0x0F, 0xB6, 0x01), LOAD(INSN_KIND_MOVZX, 1, 4, AX),
      MEM(CX, NONE, 1, DS, 8, 0) },
    { "movzx ax, byte ptr [rcx]", M64, BYTES(0x66, 0x0F, 0xB6, 0x01),
      LOAD(INSN_KIND_MOVZX, 1, 2, AX), MEM(CX, NONE, 1, DS, 8, 0) },
    { "movzx rax, word ptr [rcx]", M64, BYTES(0x48, 0x0F, 0xB7, 0x01),
      LOAD(INSN_KIND_MOVZX, 2, 8, AX), MEM(CX, NONE, 1, DS, 8, 0) },
    { "movsx r8, byte ptr [rcx]", M64, BYTES(0x4C, 0x0F, 0xBE, 0x01),
      LOAD(INSN_KIND_MOVSX, 1, 8, R8), MEM(CX, NONE, 1, DS, 8, 0) },
    { "movsx esi, byte ptr [rcx]", M64, BYTES(0x0F, 0xBE, 0x31),
      LOAD(INSN_KIND_MOVSX, 1, 4, SI), MEM(CX, NONE, 1, DS, 8, 0) },
    { "movsx eax, word ptr [rcx]", M64, BYTES(0x0F, 0xBF, 0x01), LOAD(INSN_KIND_MOVSX, 2, 4, AX),
      MEM(CX, NONE, 1, DS, 8, 0) },
    { "movsxd rax, dword ptr [rcx]", M64, BYTES(0x48, 0x63, 0x01), LOAD(INSN_KIND_MOVSXD, 4, 8, AX),
      MEM(CX, NONE, 1, DS, 8, 0) },
    { "movsxd eax, dword ptr [rcx]", M64, BYTES(0x63, 0x01), LOAD(INSN_KIND_MOVSXD, 4, 4, AX),
      MEM(CX, NONE, 1, DS, 8, 0) },
    { "movsxd ax, word ptr [rcx]", M64, BYTES(0x66, 0x63, 0x01), LOAD(INSN_KIND_MOVSXD, 2, 2, AX),
      MEM(CX, NONE, 1, DS, 8, 0) },
    { "movsxd r9, dword ptr [rip+0x20]", M64, BYTES(0x4C, 0x63, 0x0D, 0x20, 0, 0, 0),
      LOAD(INSN_KIND_MOVSXD, 4, 8, R9), RIPREL(8, 0x20) },
    /* ---- 64-bit: STOS, MOVS ---- */
    { "stos byte ptr es:[rdi], al", M64, BYTES(0xAA), STOS(1, 8) },
    { "rep stos qword ptr es:[rdi], rax", M64, BYTES(0xF3, 0x48, 0xAB), STOS(8, 8),
      .rep = INSN_REP_F3 },
    { "stos dword ptr es:[edi], eax", M64, BYTES(0x67, 0xAB), STOS(4, 4) },
    { "stos (fs ignored: ES fixed)", M64, BYTES(0x64, 0x66, 0xAB), STOS(2, 8) },
    { "movs byte ptr es:[rdi], byte ptr ds:[rsi]", M64, BYTES(0xA4), MOVS(1, 8, DS) },
    { "rep movs dword ptr es:[rdi], dword ptr fs:[rsi]", M64, BYTES(0x64, 0xF3, 0xA5),
      MOVS(4, 8, FS), .rep = INSN_REP_F3, .segment_override = true },
    { "rep movs qword ptr es:[edi], qword ptr ds:[esi]", M64, BYTES(0xF3, 0x67, 0x48, 0xA5),
      MOVS(8, 4, DS), .rep = INSN_REP_F3 },
    /* ---- 64-bit: segment prefixes, REX placement ---- */
    { "mov eax, fs:[rax]", M64, BYTES(0x64, 0x8B, 0x00), LOAD(MOV, 4, 4, AX),
      .segment_override = true, MEM(AX, NONE, 1, FS, 8, 0) },
    { "mov eax, gs:[rax]", M64, BYTES(0x65, 0x8B, 0x00), LOAD(MOV, 4, 4, AX),
      .segment_override = true, MEM(AX, NONE, 1, GS, 8, 0) },
    { "mov eax, es:[rax] (ignored in 64-bit)", M64, BYTES(0x26, 0x8B, 0x00), LOAD(MOV, 4, 4, AX),
      MEM(AX, NONE, 1, DS, 8, 0) },
    { "mov eax, cs:[rsp] (ignored in 64-bit)", M64, BYTES(0x2E, 0x8B, 0x04, 0x24),
      LOAD(MOV, 4, 4, AX), MEM(SP, NONE, 1, SS, 8, 0) },
    { "mov eax, gs:[rax] (last override wins)", M64, BYTES(0x64, 0x65, 0x8B, 0x00),
      LOAD(MOV, 4, 4, AX), .segment_override = true, MEM(AX, NONE, 1, GS, 8, 0) },
    { "mov [rax], cx (REX.W then 66: REX ignored)", M64, BYTES(0x48, 0x66, 0x89, 0x08),
      STORE(2, CX), MEM(AX, NONE, 1, DS, 8, 0) },
    { "mov [rax], ah (REX.B then ds: REX ignored)", M64, BYTES(0x41, 0x3E, 0x88, 0x20),
      STORE(1, AX), .high_byte = true, MEM(AX, NONE, 1, DS, 8, 0) },
    { "mov [rax], rcx (two REX: the last counts)", M64, BYTES(0x41, 0x48, 0x89, 0x08),
      STORE(8, CX), MEM(AX, NONE, 1, DS, 8, 0) },
    { "xrelease mov [rax], ecx", M64, BYTES(0xF3, 0x89, 0x08), STORE(4, CX), .rep = INSN_REP_F3,
      MEM(AX, NONE, 1, DS, 8, 0) },
    { "mov dword ptr [eax+0x11223344], 0x55667788 (15 bytes)", M64,
      BYTES(0x2E, 0x2E, 0x2E, 0x2E, 0x67, 0xC7, 0x80, 0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55),
      STORE_IMM(4, 0x55667788), MEM(AX, NONE, 1, DS, 4, 0x11223344) },

    /* ---- 32-bit ---- */
    { "mov [eax], ecx", M32, BYTES(0x89, 0x08), STORE(4, CX), MEM(AX, NONE, 1, DS, 4, 0) },
    { "mov [eax], cx", M32, BYTES(0x66, 0x89, 0x08), STORE(2, CX), MEM(AX, NONE, 1, DS, 4, 0) },
    { "mov [bx+si], ecx", M32, BYTES(0x67, 0x89, 0x08), STORE(4, CX), MEM(BX, SI, 1, DS, 2, 0) },
    { "mov [eax], bh", M32, BYTES(0x88, 0x38), STORE(1, BX), .high_byte = true,
      MEM(AX, NONE, 1, DS, 4, 0) },
    { "mov dh, [ecx]", M32, BYTES(0x8A, 0x31), LOAD(MOV, 1, 1, DX), .high_byte = true,
      MEM(CX, NONE, 1, DS, 4, 0) },
    { "mov eax, ds:0x12345678", M32, BYTES(0x8B, 0x05, 0x78, 0x56, 0x34, 0x12), LOAD(MOV, 4, 4, AX),
      MEM(NONE, NONE, 1, DS, 4, 0x12345678) },
    { "mov eax, [ebp+0x8]", M32, BYTES(0x8B, 0x45, 0x08), LOAD(MOV, 4, 4, AX), MEM(BP, NONE, 1, SS, 4, 8) },
    { "mov eax, [esp+0x4]", M32, BYTES(0x8B, 0x44, 0x24, 0x04), LOAD(MOV, 4, 4, AX),
      MEM(SP, NONE, 1, SS, 4, 4) },
    { "mov eax, [esi+edi*2]", M32, BYTES(0x8B, 0x04, 0x7E), LOAD(MOV, 4, 4, AX), MEM(SI, DI, 2, DS, 4, 0) },
    { "mov eax, [ecx*8+0xfee00000]", M32, BYTES(0x8B, 0x04, 0xCD, 0x00, 0x00, 0xE0, 0xFE),
      LOAD(MOV, 4, 4, AX), MEM(NONE, CX, 8, DS, 4, 0xFFFFFFFFFEE00000ull) },
    { "mov ecx, es:[eax]", M32, BYTES(0x26, 0x8B, 0x08), LOAD(MOV, 4, 4, CX),
      .segment_override = true, MEM(AX, NONE, 1, ES, 4, 0) },
    { "mov ecx, cs:[eax]", M32, BYTES(0x2E, 0x8B, 0x08), LOAD(MOV, 4, 4, CX),
      .segment_override = true, MEM(AX, NONE, 1, CS, 4, 0) },
    { "mov ecx, ds:[ebp+0x0]", M32, BYTES(0x3E, 0x8B, 0x4D, 0x00), LOAD(MOV, 4, 4, CX),
      .segment_override = true, MEM(BP, NONE, 1, DS, 4, 0) },
    { "mov ecx, ss:[eax]", M32, BYTES(0x36, 0x8B, 0x08), LOAD(MOV, 4, 4, CX),
      .segment_override = true, MEM(AX, NONE, 1, SS, 4, 0) },
    { "mov al, ds:0x12345678", M32, BYTES(0xA0, 0x78, 0x56, 0x34, 0x12), LOAD(MOV, 1, 1, AX),
      MEM(NONE, NONE, 1, DS, 4, 0x12345678) },
    { "mov ds:0x1234, ax (addr16)", M32, BYTES(0x66, 0x67, 0xA3, 0x34, 0x12), STORE(2, AX),
      MEM(NONE, NONE, 1, DS, 2, 0x1234) },
    { "mov byte ptr [ebx], 0x80", M32, BYTES(0xC6, 0x03, 0x80), STORE_IMM(1, 0x80),
      MEM(BX, NONE, 1, DS, 4, 0) },
    { "mov dword ptr [ebx], 0xdeadbeef", M32, BYTES(0xC7, 0x03, 0xEF, 0xBE, 0xAD, 0xDE),
      STORE_IMM(4, 0xDEADBEEF), MEM(BX, NONE, 1, DS, 4, 0) },
    { "mov word ptr [ebx], 0xbeef", M32, BYTES(0x66, 0xC7, 0x03, 0xEF, 0xBE), STORE_IMM(2, 0xBEEF),
      MEM(BX, NONE, 1, DS, 4, 0) },
    { "movzx eax, byte ptr [ebx]", M32, BYTES(0x0F, 0xB6, 0x03), LOAD(INSN_KIND_MOVZX, 1, 4, AX),
      MEM(BX, NONE, 1, DS, 4, 0) },
    { "movzx eax, word ptr [ebx]", M32, BYTES(0x0F, 0xB7, 0x03), LOAD(INSN_KIND_MOVZX, 2, 4, AX),
      MEM(BX, NONE, 1, DS, 4, 0) },
    { "movsx eax, word ptr [ebx]", M32, BYTES(0x0F, 0xBF, 0x03), LOAD(INSN_KIND_MOVSX, 2, 4, AX),
      MEM(BX, NONE, 1, DS, 4, 0) },
    { "movsx dx, byte ptr [ebx]", M32, BYTES(0x66, 0x0F, 0xBE, 0x13), LOAD(INSN_KIND_MOVSX, 1, 2, DX),
      MEM(BX, NONE, 1, DS, 4, 0) },
    { "stos dword ptr es:[edi], eax", M32, BYTES(0xAB), STOS(4, 4) },
    { "rep stos byte ptr es:[edi], al", M32, BYTES(0xF3, 0xAA), STOS(1, 4), .rep = INSN_REP_F3 },
    { "repnz movs word ptr es:[edi], word ptr ds:[esi]", M32, BYTES(0xF2, 0x66, 0xA5),
      MOVS(2, 4, DS), .rep = INSN_REP_F2 },
    { "movs dword ptr es:[di], dword ptr cs:[si]", M32, BYTES(0x2E, 0x67, 0xA5), MOVS(4, 2, CS),
      .segment_override = true },

    /* ---- 16-bit: the eight 16-bit addressing forms, disp8/disp16 ---- */
    { "mov [bx+si], cx", M16, BYTES(0x89, 0x08), STORE(2, CX), MEM(BX, SI, 1, DS, 2, 0) },
    { "mov [bx+di+0x10], ax", M16, BYTES(0x89, 0x41, 0x10), STORE(2, AX), MEM(BX, DI, 1, DS, 2, 0x10) },
    { "mov [bp+si], ax", M16, BYTES(0x89, 0x02), STORE(2, AX), MEM(BP, SI, 1, SS, 2, 0) },
    { "mov [bp+di-0x2], ax", M16, BYTES(0x89, 0x43, 0xFE), STORE(2, AX), MEM(BP, DI, 1, SS, 2, -2) },
    { "mov ax, [si]", M16, BYTES(0x8B, 0x04), LOAD(MOV, 2, 2, AX), MEM(SI, NONE, 1, DS, 2, 0) },
    { "mov ax, [di+0x1234]", M16, BYTES(0x8B, 0x85, 0x34, 0x12), LOAD(MOV, 2, 2, AX),
      MEM(DI, NONE, 1, DS, 2, 0x1234) },
    { "mov ax, [di-0x7dcc]", M16, BYTES(0x8B, 0x85, 0x34, 0x82), LOAD(MOV, 2, 2, AX),
      MEM(DI, NONE, 1, DS, 2, -0x7DCC) },
    { "mov ax, ds:0x1234", M16, BYTES(0x8B, 0x06, 0x34, 0x12), LOAD(MOV, 2, 2, AX),
      MEM(NONE, NONE, 1, DS, 2, 0x1234) },
    { "mov ax, [bp+0x0]", M16, BYTES(0x8B, 0x46, 0x00), LOAD(MOV, 2, 2, AX), MEM(BP, NONE, 1, SS, 2, 0) },
    { "mov ax, [bx]", M16, BYTES(0x8B, 0x07), LOAD(MOV, 2, 2, AX), MEM(BX, NONE, 1, DS, 2, 0) },
    { "mov eax, [bx]", M16, BYTES(0x66, 0x8B, 0x07), LOAD(MOV, 4, 4, AX), MEM(BX, NONE, 1, DS, 2, 0) },
    { "mov eax, [eax+ecx*4]", M16, BYTES(0x67, 0x66, 0x8B, 0x04, 0x88), LOAD(MOV, 4, 4, AX),
      MEM(AX, CX, 4, DS, 4, 0) },
    { "mov [bx], ah", M16, BYTES(0x88, 0x27), STORE(1, AX), .high_byte = true, MEM(BX, NONE, 1, DS, 2, 0) },
    { "mov ch, es:[bx+si]", M16, BYTES(0x26, 0x8A, 0x28), LOAD(MOV, 1, 1, CX), .high_byte = true,
      .segment_override = true, MEM(BX, SI, 1, ES, 2, 0) },
    { "mov ax, fs:[bp+0x0]", M16, BYTES(0x64, 0x8B, 0x46, 0x00), LOAD(MOV, 2, 2, AX),
      .segment_override = true, MEM(BP, NONE, 1, FS, 2, 0) },
    { "mov al, ds:0x1234", M16, BYTES(0xA0, 0x34, 0x12), LOAD(MOV, 1, 1, AX),
      MEM(NONE, NONE, 1, DS, 2, 0x1234) },
    { "mov ds:0x12345678, eax (addr32)", M16, BYTES(0x67, 0x66, 0xA3, 0x78, 0x56, 0x34, 0x12),
      STORE(4, AX), MEM(NONE, NONE, 1, DS, 4, 0x12345678) },
    { "mov word ptr [bx], 0x1234", M16, BYTES(0xC7, 0x07, 0x34, 0x12), STORE_IMM(2, 0x1234),
      MEM(BX, NONE, 1, DS, 2, 0) },
    { "mov dword ptr [bx], 0x12345678", M16, BYTES(0x66, 0xC7, 0x07, 0x78, 0x56, 0x34, 0x12),
      STORE_IMM(4, 0x12345678), MEM(BX, NONE, 1, DS, 2, 0) },
    { "mov byte ptr [bx+si+0x7], 0xff", M16, BYTES(0xC6, 0x40, 0x07, 0xFF), STORE_IMM(1, 0xFF),
      MEM(BX, SI, 1, DS, 2, 7) },
    { "movzx ax, byte ptr [bx]", M16, BYTES(0x0F, 0xB6, 0x07), LOAD(INSN_KIND_MOVZX, 1, 2, AX),
      MEM(BX, NONE, 1, DS, 2, 0) },
    { "movsx eax, byte ptr [bx]", M16, BYTES(0x66, 0x0F, 0xBE, 0x07), LOAD(INSN_KIND_MOVSX, 1, 4, AX),
      MEM(BX, NONE, 1, DS, 2, 0) },
    { "stos word ptr es:[di], ax", M16, BYTES(0xAB), STOS(2, 2) },
    { "movs byte ptr es:[di], byte ptr es:[si]", M16, BYTES(0x26, 0xA4), MOVS(1, 2, ES),
      .segment_override = true },
};

struct bad_case {
    const char *text;
    enum insn_mode mode;
    uint8_t bytes[16];
    unsigned length;
    enum insn_result result;
    uint8_t opcode[2];
    unsigned opcode_length;     /* 0: not checked */
};

static const struct bad_case bad[] = {
    { "lock mov [rax], ecx", M64, BYTES(0xF0, 0x89, 0x08), .result = INSN_LOCK_NOT_ALLOWED },
    { "lock after other prefixes", M32, BYTES(0x66, 0xF0, 0xC7, 0x00, 0x01, 0x00),
      .result = INSN_LOCK_NOT_ALLOWED },
    { "lock stos", M64, BYTES(0xF0, 0xAB), .result = INSN_LOCK_NOT_ALLOWED },
    { "mov eax, ecx (89 /r mod=3)", M64, BYTES(0x89, 0xC8), .result = INSN_REGISTER_OPERAND,
      .opcode = { 0x89 }, .opcode_length = 1 },
    { "mov r8b, al (mod=3)", M64, BYTES(0x41, 0x88, 0xC0), .result = INSN_REGISTER_OPERAND,
      .opcode = { 0x88 }, .opcode_length = 1 },
    { "mov al, 0 (C6 /0 mod=3)", M32, BYTES(0xC6, 0xC0, 0x00), .result = INSN_REGISTER_OPERAND,
      .opcode = { 0xC6 }, .opcode_length = 1 },
    { "movzx eax, cl (mod=3)", M16, BYTES(0x0F, 0xB6, 0xC1), .result = INSN_REGISTER_OPERAND,
      .opcode = { 0x0F, 0xB6 }, .opcode_length = 2 },
    { "movsxd rax, ecx (mod=3)", M64, BYTES(0x48, 0x63, 0xC1), .result = INSN_REGISTER_OPERAND,
      .opcode = { 0x63 }, .opcode_length = 1 },
    { "C7 /1", M64, BYTES(0xC7, 0x08, 0, 0, 0, 0), .result = INSN_UNSUPPORTED_OPCODE,
      .opcode = { 0xC7 }, .opcode_length = 1 },
    { "xabort 0x1 (C6 F8)", M64, BYTES(0xC6, 0xF8, 0x01), .result = INSN_UNSUPPORTED_OPCODE,
      .opcode = { 0xC6 }, .opcode_length = 1 },
    { "add [rax], ecx", M64, BYTES(0x01, 0x08), .result = INSN_UNSUPPORTED_OPCODE,
      .opcode = { 0x01 }, .opcode_length = 1 },
    { "ud2", M32, BYTES(0x0F, 0x0B), .result = INSN_UNSUPPORTED_OPCODE,
      .opcode = { 0x0F, 0x0B }, .opcode_length = 2 },
    { "mov es, [eax] (8E)", M32, BYTES(0x8E, 0x00), .result = INSN_UNSUPPORTED_OPCODE,
      .opcode = { 0x8E }, .opcode_length = 1 },
    { "vex (C5)", M64, BYTES(0xC5, 0xF9, 0x6E, 0x00), .result = INSN_UNSUPPORTED_OPCODE,
      .opcode = { 0xC5 }, .opcode_length = 1 },
    { "66 REX 0F 10 (movupd)", M64, BYTES(0x66, 0x48, 0x0F, 0x10, 0x00),
      .result = INSN_UNSUPPORTED_OPCODE, .opcode = { 0x0F, 0x10 }, .opcode_length = 2 },
    { "inc eax; mov [eax], ecx (REX byte outside 64-bit)", M32, BYTES(0x40, 0x89, 0x08),
      .result = INSN_UNSUPPORTED_OPCODE, .opcode = { 0x40 }, .opcode_length = 1 },
    { "dec ax (48) in 16-bit", M16, BYTES(0x48, 0x89, 0x08), .result = INSN_UNSUPPORTED_OPCODE,
      .opcode = { 0x48 }, .opcode_length = 1 },
    { "arpl [eax], ax (63 outside 64-bit)", M32, BYTES(0x63, 0x00), .result = INSN_UNSUPPORTED_OPCODE,
      .opcode = { 0x63 }, .opcode_length = 1 },
    { "16 bytes of 66 prefixes", M64,
      BYTES(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
            0x66, 0x66), .result = INSN_TOO_LONG },
    { "15 prefixes then mov", M32,
      BYTES(0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E,
            0x3E, 0x89), .result = INSN_TOO_LONG },
    { "16-byte C7 (one prefix too many)", M64,
      BYTES(0x2E, 0x2E, 0x2E, 0x2E, 0x2E, 0x67, 0xC7, 0x80, 0x44, 0x33, 0x22, 0x11, 0x88, 0x77,
            0x66, 0x55), .result = INSN_TOO_LONG },
};

#endif
