/* A #DB the exception bitmap caught, given back to the guest as the CPU would have delivered
 * it (Intel SDM Vol. 3C 27.1 and 28.2.1 table 28-1: a #DB VM exit leaves DR6 alone and puts
 * its DR6-like bits in the exit qualification; Vol. 3B 17.2.3 DR6, 17.2.4 DR7.GD, 17.3.1.1
 * fault and trap classes and RF; Vol. 3C 26.3.1.5 BS under an interrupt shadow; Vol. 3A 6.14.1
 * and 6.11 IDT gates). Pure: the caller reads DR6, DR7 and the VMCS and writes the result. */
#ifndef VCPU_DB_REFLECT_H
#define VCPU_DB_REFLECT_H

#include <stdbool.h>
#include <stdint.h>

#define DR6_B0_B3               0xFull
#define DR6_BD                  (1ull << 13)    /* general detect: a MOV DR with DR7.GD */
#define DR6_BS                  (1ull << 14)
#define DR6_RTM                 (1ull << 16)    /* active low in DR6, active high in the exit */
#define DR7_GD                  (1ull << 13)
#define DR7_RW_SHIFT            16              /* R/Wn at bits 17:16 + 4n; 00: execution */

struct db_exit_in {
    uint64_t qualification;     /* B0-B3, BD, BS, RTM as table 28-1 gives them */
    uint64_t dr6;               /* the guest's DR6 now (the physical one) */
    uint64_t dr7;               /* the guest's DR7 (the VMCS field) */
    uint64_t rflags;
    uint32_t interruptibility;
    uint64_t pending_debug;
    uint64_t debugctl;
};

struct db_exit_out {
    uint64_t dr6;               /* what the CPU would have written before delivering it */
    uint64_t dr7;               /* GD cleared when BD reports it (the CPU clears it on #DB) */
    uint64_t pending_debug;     /* BS as VM entry demands under an interrupt shadow */
    bool fault;                 /* an instruction breakpoint: RIP is still at the instruction */
};

/* DR6 keeps BD, BS and BT from earlier exceptions (the CPU never clears them); B0-B3 are
 * replaced by this exception's; RTM reads 0 when the exception came in an RTM region. RFLAGS
 * is given back unchanged: the exit saved RF as the delivery would have pushed it (27.3.3),
 * 0 for an instruction breakpoint, whose handler sets it itself (17.3.1.1). */
void db_exit_reflect(const struct db_exit_in *in, struct db_exit_out *out);

/* The 64-bit offset of a 16-byte IA-32e gate (6.14.1), or of an 8-byte protected-mode
 * gate (6.11) when long_mode is false. */
uint64_t idt_gate_offset(const uint8_t *gate, bool long_mode);

#endif
