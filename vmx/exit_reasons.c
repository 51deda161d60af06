/* Names of the VMX basic exit reasons (Intel SDM Vol. 3D, Appendix C) and decoding of the
 * exit-reason field (Vol. 3C, 25.9.1) and of some exit qualifications (28.2.1). Pure. */
#include "vmx/exit_reasons.h"

#include <stdarg.h>
#include <stdbool.h>

#include "lib/format.h"

/* Appendix C's names, first letter lower-cased unless it starts an acronym. */
static const char *const names[VMX_EXIT_REASON_COUNT] = {
    [VMX_EXIT_REASON_EXCEPTION_NMI]         = "exception or non-maskable interrupt (NMI)",
    [VMX_EXIT_REASON_EXTERNAL_INTERRUPT]    = "external interrupt",
    [VMX_EXIT_REASON_TRIPLE_FAULT]          = "triple fault",
    [VMX_EXIT_REASON_INIT]                  = "INIT signal",
    [VMX_EXIT_REASON_SIPI]                  = "start-up IPI (SIPI)",
    [VMX_EXIT_REASON_IO_SMI]                = "I/O system-management interrupt (SMI)",
    [VMX_EXIT_REASON_OTHER_SMI]             = "other SMI",
    [VMX_EXIT_REASON_INTERRUPT_WINDOW]      = "interrupt window",
    [VMX_EXIT_REASON_NMI_WINDOW]            = "NMI window",
    [VMX_EXIT_REASON_TASK_SWITCH]           = "task switch",
    [VMX_EXIT_REASON_CPUID]                 = "CPUID",
    [VMX_EXIT_REASON_GETSEC]                = "GETSEC",
    [VMX_EXIT_REASON_HLT]                   = "HLT",
    [VMX_EXIT_REASON_INVD]                  = "INVD",
    [VMX_EXIT_REASON_INVLPG]                = "INVLPG",
    [VMX_EXIT_REASON_RDPMC]                 = "RDPMC",
    [VMX_EXIT_REASON_RDTSC]                 = "RDTSC",
    [VMX_EXIT_REASON_RSM]                   = "RSM",
    [VMX_EXIT_REASON_VMCALL]                = "VMCALL",
    [VMX_EXIT_REASON_VMCLEAR]               = "VMCLEAR",
    [VMX_EXIT_REASON_VMLAUNCH]              = "VMLAUNCH",
    [VMX_EXIT_REASON_VMPTRLD]               = "VMPTRLD",
    [VMX_EXIT_REASON_VMPTRST]               = "VMPTRST",
    [VMX_EXIT_REASON_VMREAD]                = "VMREAD",
    [VMX_EXIT_REASON_VMRESUME]              = "VMRESUME",
    [VMX_EXIT_REASON_VMWRITE]               = "VMWRITE",
    [VMX_EXIT_REASON_VMXOFF]                = "VMXOFF",
    [VMX_EXIT_REASON_VMXON]                 = "VMXON",
    [VMX_EXIT_REASON_CR_ACCESS]             = "control-register accesses",
    [VMX_EXIT_REASON_MOV_DR]                = "MOV DR",
    [VMX_EXIT_REASON_IO_INSTRUCTION]        = "I/O instruction",
    [VMX_EXIT_REASON_RDMSR]                 = "RDMSR",
    [VMX_EXIT_REASON_WRMSR]                 = "WRMSR",
    [VMX_EXIT_REASON_ENTRY_INVALID_GUEST]   = "VM-entry failure due to invalid guest state",
    [VMX_EXIT_REASON_ENTRY_MSR_LOADING]     = "VM-entry failure due to MSR loading",
    [VMX_EXIT_REASON_MWAIT]                 = "MWAIT",
    [VMX_EXIT_REASON_MONITOR_TRAP_FLAG]     = "monitor trap flag",
    [VMX_EXIT_REASON_MONITOR]               = "MONITOR",
    [VMX_EXIT_REASON_PAUSE]                 = "PAUSE",
    [VMX_EXIT_REASON_ENTRY_MACHINE_CHECK]   = "VM-entry failure due to machine-check event",
    [VMX_EXIT_REASON_TPR_BELOW_THRESHOLD]   = "TPR below threshold",
    [VMX_EXIT_REASON_APIC_ACCESS]           = "APIC access",
    [VMX_EXIT_REASON_VIRTUALIZED_EOI]       = "virtualized EOI",
    [VMX_EXIT_REASON_GDTR_IDTR_ACCESS]      = "access to GDTR or IDTR",
    [VMX_EXIT_REASON_LDTR_TR_ACCESS]        = "access to LDTR or TR",
    [VMX_EXIT_REASON_EPT_VIOLATION]         = "EPT violation",
    [VMX_EXIT_REASON_EPT_MISCONFIG]         = "EPT misconfiguration",
    [VMX_EXIT_REASON_INVEPT]                = "INVEPT",
    [VMX_EXIT_REASON_RDTSCP]                = "RDTSCP",
    [VMX_EXIT_REASON_PREEMPTION_TIMER]      = "VMX-preemption timer expired",
    [VMX_EXIT_REASON_INVVPID]               = "INVVPID",
    [VMX_EXIT_REASON_WBINVD]                = "WBINVD or WBNOINVD",
    [VMX_EXIT_REASON_XSETBV]                = "XSETBV",
    [VMX_EXIT_REASON_APIC_WRITE]            = "APIC write",
    [VMX_EXIT_REASON_RDRAND]                = "RDRAND",
    [VMX_EXIT_REASON_INVPCID]               = "INVPCID",
    [VMX_EXIT_REASON_VMFUNC]                = "VMFUNC",
    [VMX_EXIT_REASON_ENCLS]                 = "ENCLS",
    [VMX_EXIT_REASON_RDSEED]                = "RDSEED",
    [VMX_EXIT_REASON_PML_FULL]              = "page-modification log full",
    [VMX_EXIT_REASON_XSAVES]                = "XSAVES",
    [VMX_EXIT_REASON_XRSTORS]               = "XRSTORS",
    [VMX_EXIT_REASON_PCONFIG]               = "PCONFIG",
    [VMX_EXIT_REASON_SPP_EVENT]             = "SPP-related event",
    [VMX_EXIT_REASON_UMWAIT]                = "UMWAIT",
    [VMX_EXIT_REASON_TPAUSE]                = "TPAUSE",
    [VMX_EXIT_REASON_LOADIWKEY]             = "LOADIWKEY",
    [VMX_EXIT_REASON_ENCLV]                 = "ENCLV",
    [VMX_EXIT_REASON_SGX_CONFLICT]          = "SGX conflict",
    [VMX_EXIT_REASON_ENQCMD_PASID_FAILURE]  = "ENQCMD PASID translation failure",
    [VMX_EXIT_REASON_ENQCMDS_PASID_FAILURE] = "ENQCMDS PASID translation failure",
    [VMX_EXIT_REASON_BUS_LOCK]              = "bus lock",
    [VMX_EXIT_REASON_INSTRUCTION_TIMEOUT]   = "instruction timeout",
    [VMX_EXIT_REASON_SEAMCALL]              = "SEAMCALL",
    [VMX_EXIT_REASON_TDCALL]                = "TDCALL",
    [VMX_EXIT_REASON_RDMSRLIST]             = "RDMSRLIST",
    [VMX_EXIT_REASON_WRMSRLIST]             = "WRMSRLIST",
};

const char *vmx_exit_reason_name(uint32_t basic)
{
    if (basic < VMX_EXIT_REASON_COUNT && names[basic])
        return names[basic];
    return "unknown exit reason";
}

/* ---- building one line piece by piece, with snprintf's truncation rules ------------- */

struct text {
    char *buf;
    size_t size;
    size_t len;     /* what the full text needs */
};

static void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    bool room = t->len < t->size;
    int n;

    va_start(ap, fmt);
    n = fmt_vsnprintf(room ? t->buf + t->len : NULL, room ? t->size - t->len : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n;
}

static int text_end(const struct text *t)
{
    return (int)t->len;
}

int vmx_exit_reason_format(char *buf, size_t size, uint32_t exit_reason)
{
    struct text t = { buf, size, 0 };
    uint32_t basic = VMX_EXIT_REASON_BASIC(exit_reason);

    if (size)
        buf[0] = '\0';
    text_add(&t, "%s (%u)", vmx_exit_reason_name(basic), basic);
    if (exit_reason & VMX_EXIT_REASON_ENTRY_FAILURE)
        text_add(&t, ", VM-entry failure");
    if (exit_reason & VMX_EXIT_REASON_FROM_VMX_ROOT)
        text_add(&t, ", from VMX root operation");
    if (exit_reason & VMX_EXIT_REASON_PENDING_MTF)
        text_add(&t, ", pending MTF VM exit");
    if (exit_reason & VMX_EXIT_REASON_ENCLAVE)
        text_add(&t, ", in enclave mode");
    return text_end(&t);
}

/* ---- exit qualifications ----------------------------------------------------------- */

/* General-purpose register numbers of Tables 28-3 and 28-4. */
static const char *const gpr_names[16] = {
    "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
    "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15",
};

static void format_cr_access(struct text *t, uint64_t q)
{
    unsigned cr = VMX_QUAL_CR_NUMBER(q);
    const char *gpr = gpr_names[VMX_QUAL_CR_GPR(q)];

    switch (VMX_QUAL_CR_ACCESS_TYPE(q)) {
    case VMX_QUAL_CR_MOV_TO_CR:
        text_add(t, "MOV to CR%u from %s", cr, gpr);
        break;
    case VMX_QUAL_CR_MOV_FROM_CR:
        text_add(t, "MOV from CR%u to %s", cr, gpr);
        break;
    case VMX_QUAL_CR_CLTS:
        text_add(t, "CLTS");
        break;
    default:
        text_add(t, "LMSW 0x%x (%s operand)", VMX_QUAL_CR_LMSW_DATA(q),
                 (q & VMX_QUAL_CR_LMSW_MEMORY) ? "memory" : "register");
        break;
    }
}

static void format_mov_dr(struct text *t, uint64_t q)
{
    unsigned dr = VMX_QUAL_DR_NUMBER(q);
    const char *gpr = gpr_names[VMX_QUAL_DR_GPR(q)];

    if (q & VMX_QUAL_DR_FROM_DR)
        text_add(t, "MOV from DR%u to %s", dr, gpr);
    else
        text_add(t, "MOV to DR%u from %s", dr, gpr);
}

static void format_io(struct text *t, uint64_t q)
{
    static const char *const sizes[8] = { [0] = "byte", [1] = "word", [3] = "dword" };
    bool in = q & VMX_QUAL_IO_IN;
    const char *size = sizes[VMX_QUAL_IO_SIZE(q)];

    text_add(t, "%s%s%s ", (q & VMX_QUAL_IO_REP) ? "REP " : "", in ? "IN" : "OUT",
             (q & VMX_QUAL_IO_STRING) ? "S" : "");
    if (size)
        text_add(t, "%s", size);
    else
        text_add(t, "size %u?", VMX_QUAL_IO_SIZE(q));
    text_add(t, " %s port 0x%x (%s)", in ? "from" : "to", VMX_QUAL_IO_PORT(q),
             (q & VMX_QUAL_IO_IMMEDIATE) ? "immediate" : "DX");
}

static void format_ept_violation(struct text *t, uint64_t q)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } accesses[] = {
        { VMX_QUAL_EPT_READ, "read" },
        { VMX_QUAL_EPT_WRITE, "write" },
        { VMX_QUAL_EPT_FETCH, "fetch" },
    };
    const char *sep = "";

    for (size_t i = 0; i < sizeof(accesses) / sizeof(accesses[0]); i++) {
        if (q & accesses[i].bit) {
            text_add(t, "%s%s", sep, accesses[i].name);
            sep = "+";
        }
    }
    if (!*sep)
        text_add(t, "no access bit");
    text_add(t, ", EPT entry %c%c%c", (q & VMX_QUAL_EPT_READABLE) ? 'r' : '-',
             (q & VMX_QUAL_EPT_WRITABLE) ? 'w' : '-', (q & VMX_QUAL_EPT_EXECUTABLE) ? 'x' : '-');
    if (q & VMX_QUAL_EPT_USER_EXECUTABLE)
        text_add(t, " (user-mode executable)");
    if (!(q & VMX_QUAL_EPT_LINEAR_VALID))
        text_add(t, ", no guest-linear address");
    else if (q & VMX_QUAL_EPT_TRANSLATION)
        text_add(t, ", linear-address translation");
    else
        text_add(t, ", guest paging-structure access");
    if (q & VMX_QUAL_EPT_NMI_UNBLOCKING)
        text_add(t, ", NMI unblocking due to IRET");
}

static void format_qualification(struct text *t, uint32_t basic_reason, uint64_t q)
{
    switch (basic_reason) {
    case VMX_EXIT_REASON_CR_ACCESS:
        format_cr_access(t, q);
        break;
    case VMX_EXIT_REASON_MOV_DR:
        format_mov_dr(t, q);
        break;
    case VMX_EXIT_REASON_IO_INSTRUCTION:
        format_io(t, q);
        break;
    case VMX_EXIT_REASON_EPT_VIOLATION:
        format_ept_violation(t, q);
        break;
    default:
        break;
    }
}

int vmx_exit_qualification_decode(char *buf, size_t size, uint32_t basic_reason,
                                  uint64_t qualification)
{
    struct text t = { buf, size, 0 };

    if (size)
        buf[0] = '\0';
    format_qualification(&t, basic_reason, qualification);
    return text_end(&t);
}

int vmx_exit_qualification_format(char *buf, size_t size, uint32_t basic_reason,
                                  uint64_t qualification)
{
    struct text t = { buf, size, 0 };
    size_t hex_len;

    if (size)
        buf[0] = '\0';
    text_add(&t, "0x%llx: ", (unsigned long long)qualification);
    hex_len = t.len;
    format_qualification(&t, basic_reason, qualification);
    if (t.len == hex_len) {         /* nothing decoded: drop the ": " */
        t.len -= 2;
        if (t.len < size)
            buf[t.len] = '\0';
    }
    return text_end(&t);
}
