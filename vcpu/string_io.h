/* INS and OUTS as the CPU performs them, element by element (SDM Vol. 2B "INS/INSB/INSW/INSD",
 * "OUTS/OUTSB/OUTSW/OUTSD" and "REP/REPE/REPZ/REPNE/REPNZ"; Vol. 3A 5.3 limit checking and 3.4.5
 * segment types; Vol. 3C 28.2.5 the VM-exit instruction-information field for INS/OUTS). Pure:
 * addresses, segment checks and register updates; vcpu/exit_io_string.c does the accesses. */
#ifndef VCPU_STRING_IO_H
#define VCPU_STRING_IO_H

#include <stdbool.h>
#include <stdint.h>

/* Segment register numbers of the instruction-information field (bits 17:15). */
enum string_io_segment { SIO_ES, SIO_CS, SIO_SS, SIO_DS, SIO_FS, SIO_GS };

struct string_io_request {
    bool in;                    /* INS: port -> ES:[rDI]; OUTS: seg:[rSI] -> port */
    bool rep;
    unsigned size;              /* element: 1, 2 or 4 bytes */
    unsigned address_size;      /* 2, 4 or 8: which of SI/ESI/RSI, CX/ECX/RCX count */
    bool decrement;             /* RFLAGS.DF */
    bool mode64;                /* 64-bit code: no limits, bases only for FS and GS */
    enum string_io_segment segment;     /* ES for INS; the override (DS by default) for OUTS */
    uint64_t seg_base;
    uint32_t seg_limit, seg_ar; /* the VMCS's form: limit in bytes, access rights */
    uint64_t rcx, index;        /* the count and rSI (OUTS) or rDI (INS) before the exit */
};

enum string_io_fault {
    STRING_IO_OK,
    STRING_IO_GP,               /* #GP(0): limit, unusable or wrong-type segment, non-canonical */
    STRING_IO_SS,               /* #SS(0): the same through SS */
};

/* Elements the instruction moves: 1 without REP, else the count register in the address
 * size (0: the instruction does nothing and completes). */
uint64_t string_io_count(const struct string_io_request *r);

/* Linear address of element i (0-based) and whether the CPU may access it there. */
enum string_io_fault string_io_element(const struct string_io_request *r, uint64_t i,
                                       uint64_t *linear);

/* The count and index registers after `done` elements: only the address-size part changes
 * (a 32-bit write in 64-bit mode zero-extends, as every 32-bit register write does). */
void string_io_registers_after(const struct string_io_request *r, uint64_t done, uint64_t *rcx,
                               uint64_t *index);

#endif
