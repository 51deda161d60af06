/* The guest ABI shared by tessera and its guests: machine state at entry, the
 * boot-parameter block, VMCALL hypercalls, CPUID leaves and the trapped ports.
 * Hypercalls use VMCALL, which always exits from non-root mode (SDM Vol. 3,
 * "Instructions That Cause VM Exits Unconditionally"). The CPUID range
 * 0x40000000-0x4FFFFFFF is the one the SDM's CPUID description says no processor
 * will ever use; hypervisors conventionally answer there.
 *
 * This header is the contract: a guest built against it must run on any
 * tessera of the same TESSERA_BOOT_VERSION. It has no dependency on the rest of
 * the hypervisor and is usable from C and (the constants) from assembly. */
#ifndef VCPU_GUEST_ABI_H
#define VCPU_GUEST_ABI_H

/* ---- machine state at the guest's first instruction ------------------------------
 *
 * The guest runs in VMX non-root mode on a CPU of its own, in 64-bit long mode
 * from its first instruction. The loader has
 *   - copied the ELF image: every PT_LOAD segment to its p_paddr (guest-physical),
 *     bytes past p_filesz up to p_memsz zeroed (guest/elf_loader.h);
 *   - built page tables that identity-map all of guest memory, 0 .. memory_size,
 *     with 2 MiB pages, write-back: virtual address = guest-physical address;
 *   - set CR0.PE/PG, CR4.PAE, EFER.LME/LMA, a GDT with a flat 64-bit code
 *     segment (CS = TESSERA_GUEST_SEL_CODE) and a flat data segment in DS, ES,
 *     SS (TESSERA_GUEST_SEL_DATA); FS and GS are the data selector with base 0;
 *   - no IDT (IDTR limit 0) and RFLAGS = 0x2 (IF clear): an exception in the
 *     guest becomes a triple fault, which stops the partition;
 *   - RIP = e_entry, RDI = guest-physical address of struct tessera_boot_params,
 *     RSP = boot_params.stack_top (16-byte aligned, as before a CALL: push
 *     something or call once to reach the psABI's alignment at a function entry;
 *     at least TESSERA_GUEST_STACK_MIN bytes below it are stack), every other
 *     general register 0.
 * Everything the loader placed (image, page tables, GDT, boot parameters,
 * stack) lies below free_start; [free_start, memory_size) holds nothing and the
 * guest may overwrite it. memory_size is a multiple of 2 MiB. */
#define TESSERA_GUEST_SEL_CODE      0x08
#define TESSERA_GUEST_SEL_DATA      0x10
#define TESSERA_GUEST_STACK_MIN     0x4000

/* ---- boot-parameter block ---------------------------------------------------------- */

/* "TESSERA1" as it lies in memory (little-endian: 'T' is the lowest byte). */
#define TESSERA_BOOT_MAGIC          0x3141524553534554ULL
#define TESSERA_BOOT_VERSION        1

#define TESSERA_BOOT_NAME_MAX       32      /* bytes in name[], NUL included */
#define TESSERA_BOOT_CMDLINE_MAX    256     /* bytes in cmdline[], NUL included */

/* ---- hypercalls: VMCALL with RAX = number, RDI, RSI, RDX = arguments ----------------
 * The result comes back in RAX; negative values are TESSERA_HC_E*. Every other
 * register is preserved. Guest addresses passed in arguments are guest-physical
 * (= virtual, see above); a buffer that is not wholly inside guest memory
 * fails with TESSERA_HC_EFAULT. VMCALL from CPL > 0 fails with TESSERA_HC_EINVAL. */
#define TESSERA_HC_PARTITION_ID     0   /* -> this partition's id */
#define TESSERA_HC_CONSOLE_WRITE    1   /* rdi = gpa of bytes, rsi = length -> bytes written */
#define TESSERA_HC_REPORT_FIGURE    2   /* rdi = gpa of NUL-terminated name, rsi = value -> 0 */
#define TESSERA_HC_NOP              3   /* -> 0; for timing the exit round trip */
#define TESSERA_HC_TSC_KHZ          4   /* -> the TSC frequency in kHz, as tessera calibrated it */
#define TESSERA_HC_COUNT            5   /* numbers at or above this: TESSERA_HC_ENOSYS */

#define TESSERA_HC_CONSOLE_WRITE_MAX 4096   /* longer writes: TESSERA_HC_EINVAL */
/* REPORT_FIGURE: the name has 1..63 characters from [A-Za-z0-9_] (an empty,
 * longer or otherwise spelled name: TESSERA_HC_EINVAL). The hypervisor prints
 *     bench: <partition name> <figure name> <value as unsigned decimal>
 * so a benchmark script reads figures from the console log. */
#define TESSERA_HC_FIGURE_NAME_MAX  63

#define TESSERA_HC_EINVAL           (-1)    /* bad argument (length, name) */
#define TESSERA_HC_ENOSYS           (-2)    /* unknown hypercall number */
#define TESSERA_HC_EFAULT           (-3)    /* buffer not inside guest memory */

/* ---- CPUID as the guest sees it ------------------------------------------------------ */

/* Leaf 0x40000000: EAX = highest hypervisor leaf, EBX ECX EDX = the 12-byte
 * signature "tessera VMM " in register order EBX, ECX, EDX. */
#define TESSERA_CPUID_LEAF_SIGNATURE 0x40000000u
#define TESSERA_CPUID_LEAF_MAX       0x40000001u
#define TESSERA_CPUID_SIGNATURE      "tessera VMM "
#define TESSERA_CPUID_SIGNATURE_EBX  0x73736574u    /* "tess" */
#define TESSERA_CPUID_SIGNATURE_ECX  0x20617265u    /* "era " */
#define TESSERA_CPUID_SIGNATURE_EDX  0x204d4d56u    /* "VMM " */
/* Leaf 0x40000001: EAX = TESSERA_BOOT_VERSION (the ABI version); EBX ECX EDX = 0. */
#define TESSERA_CPUID_LEAF_VERSION   0x40000001u

/* Leaf 1, ECX (SDM Vol. 2A, "CPUID", feature information in ECX): VMX is
 * hidden; bit 31, which hardware always returns as 0, is the conventional
 * "running under a hypervisor" bit and is set. */
#define TESSERA_CPUID_1_ECX_VMX         (1u << 5)   /* always 0 in a guest */
#define TESSERA_CPUID_1_ECX_HYPERVISOR  (1u << 31)  /* always 1 in a guest */

/* ---- I/O ports --------------------------------------------------------------------- */

/* COM1: a virtual 16550 (guest/vuart.c). Bytes written to THR reach the real console
 * line by line, prefixed with "[<partition name>] "; LSR reports the transmitter busy
 * while the partition's line queue is full, and received bytes come from the keyboard
 * while the partition holds the console focus. */
#define TESSERA_COM1_THR            0x3F8
#define TESSERA_COM1_LSR            0x3FD
#define TESSERA_COM1_LSR_THR_EMPTY  0x20    /* LSR bit 5: THR can take a byte */
#define TESSERA_COM1_LSR_IDLE       0x60    /* bits 5 and 6: THR and shift register empty */
#define TESSERA_COM1_RBR            0x3F8   /* reading: a received byte */
#define TESSERA_COM1_LSR_DATA_READY 0x01    /* LSR bit 0: RBR holds a byte */

/* The POST-code port: writes trap and are dropped. Used to time an I/O exit. */
#define TESSERA_PORT_POST           0x80

#ifndef __ASSEMBLY__

#include <stddef.h>
#include <stdint.h>

/* Filled by the loader, read by the guest; lies below free_start. 8-aligned.
 * Strings are NUL-terminated within their arrays (the loader truncates). */
struct tessera_boot_params {
    uint64_t magic;                         /* 0x00: TESSERA_BOOT_MAGIC */
    uint32_t version;                       /* 0x08: TESSERA_BOOT_VERSION */
    uint32_t partition_id;                  /* 0x0C: index in the partition table */
    char name[TESSERA_BOOT_NAME_MAX];       /* 0x10: partition name, e.g. "testguest" */
    char cmdline[TESSERA_BOOT_CMDLINE_MAX]; /* 0x30: the partition's command line */
    uint64_t memory_size;                   /* 0x130: guest memory is [0, memory_size) */
    uint64_t image_start;                   /* 0x138: lowest gpa of the loaded image */
    uint64_t image_end;                     /* 0x140: exclusive end of the loaded image */
    uint64_t free_start;                    /* 0x148: first gpa the guest may use freely */
    uint64_t stack_top;                     /* 0x150: RSP at entry; <= free_start */
};

_Static_assert(offsetof(struct tessera_boot_params, version) == 0x08, "boot params layout");
_Static_assert(offsetof(struct tessera_boot_params, partition_id) == 0x0C, "boot params layout");
_Static_assert(offsetof(struct tessera_boot_params, name) == 0x10, "boot params layout");
_Static_assert(offsetof(struct tessera_boot_params, cmdline) == 0x30, "boot params layout");
_Static_assert(offsetof(struct tessera_boot_params, memory_size) == 0x130, "boot params layout");
_Static_assert(offsetof(struct tessera_boot_params, image_start) == 0x138, "boot params layout");
_Static_assert(offsetof(struct tessera_boot_params, image_end) == 0x140, "boot params layout");
_Static_assert(offsetof(struct tessera_boot_params, free_start) == 0x148, "boot params layout");
_Static_assert(offsetof(struct tessera_boot_params, stack_top) == 0x150, "boot params layout");
_Static_assert(sizeof(struct tessera_boot_params) == 0x158, "boot params size");

#endif /* __ASSEMBLY__ */

#endif
