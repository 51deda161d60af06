/* The world an exit handler sees, faked for host tests (vcpu/hw.h under HOST_TEST): a VMCS
 * as a table of fields, a host CPU whose CPUID, MSRs and ports a test sets, and an owner
 * that records what the vCPU asked of it. Included once per test program. */
#ifndef TESTS_UNIT_VCPU_FAKES_H
#define TESTS_UNIT_VCPU_FAKES_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/cpu.h"
#include "vcpu/vcpu.h"

#define FAKE_VMCS_FIELDS    96
#define FAKE_MSRS           16
#define FAKE_CONSOLE_MAX    4096

struct fake_world {
    struct { uint32_t field; uint64_t value; } vmcs[FAKE_VMCS_FIELDS];
    unsigned vmcs_count;
    struct cpuid_regs (*cpuid)(uint32_t leaf, uint32_t subleaf);
    struct { uint32_t index; uint64_t value; bool present; } msrs[FAKE_MSRS];
    unsigned msr_count;
    uint64_t cr4;
    uint64_t xcr0;
    unsigned xsetbv_calls;
    uint16_t last_out_port;
    uint32_t last_out_value;
    uint32_t in_value;
    uint64_t cr2;                       /* the guest's, as an injected #PF set it */
    uint64_t dr6;                       /* the guest's, as a reflected #DB set it */
    bool other_work;                    /* this CPU's, as the management slot leaves it */
    unsigned entry_clears;              /* clears before entry the slow path asked for */
    uint64_t cr0_forced;                /* CR0 bits VMX forces to 1 besides NE (no unrestricted guest) */
    /* the owner */
    char stopped_reason[128];
    unsigned stopped_calls, ticks;
    bool grant_ports_read, grant_ports_write, grant_msrs;
    uint64_t mapped_gpa, mapped_hpa;    /* the last device page the vCPU asked to map */
    char console[FAKE_CONSOLE_MAX];
    unsigned console_len;
    char printed[FAKE_CONSOLE_MAX];     /* console_printf output */
    unsigned printed_len;
};

extern struct fake_world fake;

/* Clears the world and makes v a running vCPU with a fake owner and mem as its memory. */
void fake_reset(struct vcpu *v, void *mem, uint64_t mem_size);
void fake_vmcs_set(uint32_t field, uint64_t value);
uint64_t fake_vmcs_get(uint32_t field);
void fake_msr_set(uint32_t index, uint64_t value);

#endif
