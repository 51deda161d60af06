/* INS and OUTS on ports that exit (a device's, one-way grants, nothing): each element goes
 * through the guest's segmentation (vcpu/string_io.c) and paging (vcpu/guest_walk.c) to its
 * RAM and through the port as IN/OUT would (SDM Vol. 2B INS/OUTS and REP; Vol. 3C 28.2.1
 * table 28-5 and 28.2.5 instruction information). A REP runs at most STRING_IO_BATCH elements
 * per exit and then re-executes with the registers advanced, as the CPU itself may between
 * iterations, so a huge count cannot hold the CPU in root mode. */
#include "arch/x86/cpu_regs.h"
#include "arch/x86/msr.h"
#include "lib/string.h"
#include "vcpu/exit.h"
#include "vcpu/guest_walk.h"
#include "vcpu/string_io.h"
#include "vmx/caps.h"
#include "vmx/exit_reasons.h"
#include "vmx/vmxon.h"

#define STRING_IO_BATCH 4096u

/* VM-exit instruction information for INS/OUTS (28.2.5, table 28-8). */
#define IO_INFO_ADDRESS_SIZE(info)  (((info) >> 7) & 7u)    /* 0: 16, 1: 32, 2: 64 bits */
#define IO_INFO_SEGMENT(info)       (((info) >> 15) & 7u)   /* OUTS only: ES, CS, SS, DS... */

/* The segment fields are laid out ES, CS, SS, DS, FS, GS two encodings apart (appendix B). */
static void read_segment(enum string_io_segment seg, struct string_io_request *r)
{
    r->seg_base = vcpu_vmread((enum vmcs_field)(VMCS_GUEST_ES_BASE + 2 * seg));
    r->seg_limit = (uint32_t)vcpu_vmread((enum vmcs_field)(VMCS_GUEST_ES_LIMIT + 2 * seg));
    r->seg_ar = (uint32_t)vcpu_vmread((enum vmcs_field)(VMCS_GUEST_ES_ACCESS_RIGHTS + 2 * seg));
}

static bool build_request(struct vcpu *v, uint64_t q, struct string_io_request *r)
{
    uint32_t info = (uint32_t)vcpu_vmread(VMCS_EXIT_INFO_INSTRUCTION_INFO);
    unsigned asz = IO_INFO_ADDRESS_SIZE(info), seg = IO_INFO_SEGMENT(info);
    if (asz > 2 || seg > SIO_GS)
        return false;
    uint32_t cs_ar = (uint32_t)vcpu_vmread(VMCS_GUEST_CS_ACCESS_RIGHTS);
    *r = (struct string_io_request){
        .in = q & VMX_QUAL_IO_IN,
        .rep = q & VMX_QUAL_IO_REP,
        .size = VMX_QUAL_IO_SIZE(q) + 1,
        .address_size = 2u << asz,
        .decrement = vcpu_vmread(VMCS_GUEST_RFLAGS) & RFLAGS_DF,
        .mode64 = (vcpu_vmread(VMCS_GUEST_IA32_EFER) & EFER_LMA) && (cs_ar & VMX_SEG_AR_L),
        .segment = (q & VMX_QUAL_IO_IN) ? SIO_ES : (enum string_io_segment)seg,
        .rcx = v->regs.rcx,
    };
    r->index = r->in ? v->regs.rdi : v->regs.rsi;
    read_segment(r->segment, r);
    return r->size == 1 || r->size == 2 || r->size == 4;
}

/* Host pointers to the element's bytes: one or two pages (an element may straddle). False
 * with the fault injected, or with the partition stopped when the memory is not RAM. */
static bool element_memory(struct vcpu *v, const struct guest_paging_state *paging,
                           uint64_t linear, unsigned size, bool write, uint8_t *bytes[4],
                           enum vcpu_verdict *verdict)
{
    const struct guest_memory memory = vcpu_guest_memory(v);
    unsigned access = (write ? GUEST_ACCESS_WRITE : GUEST_ACCESS_READ) |
                      (vcpu_guest_cpl() == 3 ? GUEST_ACCESS_USER : 0);
    struct guest_translation t;
    for (unsigned i = 0; i < size; i++) {
        uint64_t at = linear + i;
        if (i == 0 || (at & (GUEST_PAGE_4K - 1)) == 0) {
            enum guest_walk_result w = guest_walk(paging, &memory, at, access, &t);
            if (w == GUEST_WALK_PAGE_FAULT) {
                vcpu_guest_write_cr2(at);
                vcpu_inject_exception(v, X86_VECTOR_PF, t.error_code);
                *verdict = vcpu_resume(v);
                return false;
            }
            if (w == GUEST_WALK_NON_CANONICAL) {
                vcpu_inject_exception(v, X86_VECTOR_GP, 0);
                *verdict = vcpu_resume(v);
                return false;
            }
            if (w != GUEST_WALK_OK) {
                *verdict = vcpu_stop_verdict(v, "string I/O at 0x%llx: %s",
                                             (unsigned long long)at, guest_walk_result_name(w));
                return false;
            }
        }
        uint64_t gpa = t.gpa + (at - t.linear);
        bytes[i] = vcpu_gpa_to_host(v, gpa, 1);
        if (!bytes[i]) {
            *verdict = vcpu_stop_verdict(v, "string I/O at 0x%llx: guest-physical 0x%llx is not "
                                            "RAM", (unsigned long long)at,
                                         (unsigned long long)gpa);
            return false;
        }
    }
    return true;
}

enum vcpu_verdict exit_io_string(struct vcpu *v, uint64_t q)
{
    if (!vmx_config()->caps.ins_outs_info)
        return vcpu_stop_verdict(v, "string I/O: this CPU gives no INS/OUTS instruction "
                                    "information (IA32_VMX_BASIC bit 54)");
    struct string_io_request r;
    if (!build_request(v, q, &r))
        return vcpu_stop_verdict(v, "string I/O: instruction information 0x%llx malformed",
                                 (unsigned long long)vcpu_vmread(VMCS_EXIT_INFO_INSTRUCTION_INFO));
    struct guest_paging_state paging;
    vcpu_paging_state(&paging);
    uint16_t port = (uint16_t)VMX_QUAL_IO_PORT(q);
    uint64_t count = string_io_count(&r), done = 0;
    enum vcpu_verdict verdict = VCPU_RESUME;
    bool faulted = false;

    while (done < count && done < STRING_IO_BATCH && !faulted) {
        uint64_t linear;
        enum string_io_fault f = string_io_element(&r, done, &linear);
        if (f != STRING_IO_OK) {
            vcpu_inject_exception(v, f == STRING_IO_SS ? X86_VECTOR_SS : X86_VECTOR_GP, 0);
            verdict = vcpu_resume(v);
            faulted = true;
            break;
        }
        uint8_t *bytes[4];
        if (!element_memory(v, &paging, linear, r.size, r.in, bytes, &verdict)) {
            faulted = true;
            break;
        }
        if (r.in) {
            uint32_t value = vcpu_port_read(v, port, r.size);
            for (unsigned i = 0; i < r.size; i++)
                *bytes[i] = (uint8_t)(value >> (8 * i));
        } else {
            uint32_t value = 0;
            for (unsigned i = 0; i < r.size; i++)
                value |= (uint32_t)*bytes[i] << (8 * i);
            vcpu_port_write(v, port, r.size, value);
        }
        done++;
    }

    uint64_t rcx, index;
    string_io_registers_after(&r, done, &rcx, &index);
    v->regs.rcx = rcx;
    if (r.in)
        v->regs.rdi = index;
    else
        v->regs.rsi = index;
    if (faulted || done < count)
        return faulted ? verdict : vcpu_resume(v);    /* the rest when it executes again */
    return vcpu_advance(v);
}
