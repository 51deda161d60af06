/* Partition configuration: the compiled-in tables that say which guest runs on which CPU with
 * which memory, I/O ports and MSRs. Pure data; guest/partition_validate.c checks it. */
#ifndef GUEST_PARTITION_H
#define GUEST_PARTITION_H

#include <stdbool.h>
#include <stdint.h>

/* Logical CPU indices a partition may name: 0..PARTITION_CPU_LIMIT-1 (the per-CPU area's
 * CPU_MAX; kept here so the pure code need not include arch/). */
#define PARTITION_CPU_LIMIT     64u
/* Guest memory is backed by 2 MiB host pages, so sizes and fixed bases are multiples of it. */
#define PARTITION_MEMORY_ALIGN  (2ull << 20)
/* MMIO grants are mapped page by page through EPT. */
#define PARTITION_MMIO_ALIGN    0x1000ull
/* A virtual 16550 occupies eight consecutive ports from its base. */
#define PARTITION_CONSOLE_PORTS 8u

enum image_format {
    IMAGE_ELF64,    /* ELF64 executable: loaded by its program headers */
    IMAGE_FLAT,     /* raw bytes copied to load_address */
    IMAGE_MULTIBOOT,    /* multiboot 0.6.96 kernel: 32-bit protected mode, paging off */
    IMAGE_MULTIBOOT2,   /* multiboot2 kernel: 32-bit protected mode, paging off */
    IMAGE_BZIMAGE,      /* Linux x86 boot protocol >= 2.12 kernel, 64-bit entry */
};

/* Extra GRUB modules a table entry can hand to its guest (multiboot modules, an initrd). */
#define PARTITION_GUEST_MODULES_MAX 8u

/* Direction bits of a grant. */
#define PORT_READ   1u
#define PORT_WRITE  2u
#define PORT_RW     (PORT_READ | PORT_WRITE)
#define MSR_READ    1u
#define MSR_WRITE   2u
#define MSR_RW      (MSR_READ | MSR_WRITE)

/* Ports first..last (inclusive) the guest may access directly in the given directions. */
struct port_range {
    uint16_t first, last;
    uint8_t access;         /* PORT_READ | PORT_WRITE */
};

/* MSRs first..last (inclusive) the guest may read and/or write directly. Only the two ranges
 * the VMX MSR bitmap covers can be granted (SDM Vol. 3C, 25.6.9). */
struct msr_range {
    uint32_t first, last;
    uint8_t access;         /* MSR_READ | MSR_WRITE */
};

/* Host-physical device memory mapped into the guest at gpa (uncached, in its EPT). */
struct mmio_grant {
    uint64_t gpa, hpa, size;
};

struct partition_console {
    uint16_t port;          /* base of the guest's virtual COM port, e.g. 0x3f8 */
    bool input_focus;       /* console input goes to this partition (at most one per table) */
};

struct partition_config {
    const char *name;
    uint32_t cpu;           /* logical CPU index, 0 = boot CPU */
    uint64_t memory_size;   /* guest-physical 0..memory_size, a multiple of 2 MiB */
    uint64_t host_base;     /* 0 = carve anywhere, else fixed, 2 MiB aligned */
    /* Names the image: the first word of a multiboot2 module's string. The words after it,
     * if any, replace cmdline, so the GRUB menu can change a guest's command line. */
    const char *module;
    enum image_format format;
    uint64_t load_address;  /* flat images: gpa to load at */
    uint64_t entry;         /* flat: entry gpa; ELF: 0 = header's entry */
    const char *cmdline;    /* passed to the guest; NULL = none */
    /* Further modules handed to the guest, in order, named like `module` (their strings'
     * words after the name become each module's command line). */
    const char *const *guest_modules;
    uint32_t guest_module_count;
    const struct port_range *ports;
    uint32_t port_count;
    const struct msr_range *msrs;
    uint32_t msr_count;
    const struct mmio_grant *mmio;
    uint32_t mmio_count;
    struct partition_console console;
    /* Watchdog: stop the partition when, for this long, it exits only for the preemption
     * timer (spinning with no I/O, hypercall or other event). 0 = no watchdog. */
    uint32_t watchdog_ms;
    /* Guest-physical base of tessera's test device (guest/testdev.h), page-aligned and
     * outside RAM and every MMIO grant; 0 = none. For the emulator tests' tables. */
    uint64_t testdev_gpa;
    /* A reset the guest asks for (0xCF9, the FADT's reset register, the 8042 pulse) restarts
     * the partition from its images instead of stopping it; a partition that resets
     * PARTITION_RESET_LOOP_MAX times within a minute is stopped as looping. */
    bool restart_on_reset;
    /* Grants that can reach outside the partition until tessera has DMA remapping (PCI
     * configuration ports, reset ports, device MMIO) are refused unless the entry says
     * unsafe; boot then prints why on every boot. */
    bool unsafe;
};

#define PARTITION_RESET_LOOP_MAX    4u

struct partition_table {
    const char *name;       /* picked by partitions=<name> on the kernel command line */
    const char *description;
    const struct partition_config *parts;
    uint32_t count;
    /* Two partitions on SMT siblings of one core share its caches and buffers, a channel
     * between them; a partition whose CPU is a sibling of an earlier one's is refused at
     * boot unless the table allows it. */
    bool allow_smt_siblings;
};

extern const struct partition_table *const partition_tables[];
extern const uint32_t partition_table_count;

/* The default table when the command line names none. */
#define PARTITION_TABLE_DEFAULT "demo"

/* The compiled-in table called name, or NULL. */
const struct partition_table *partition_table_find(const char *name);

/* ---- helpers that keep table entries short: counts always derive from the arrays ----- */

#define PARTITION_COUNT_OF(type, ...) \
    ((uint32_t)(sizeof((type[]){ __VA_ARGS__ }) / sizeof(type)))

/* .ports/.port_count from a list of PORT_RANGE(...) entries. */
#define PORT_RANGE(first_, last_, access_) \
    { .first = (first_), .last = (last_), .access = (access_) }
#define PORTS(...)                                                          \
    .ports = (const struct port_range[]){ __VA_ARGS__ },                    \
    .port_count = PARTITION_COUNT_OF(const struct port_range, __VA_ARGS__)

/* .msrs/.msr_count from a list of MSR_RANGE(...) entries. */
#define MSR_RANGE(first_, last_, access_) \
    { .first = (first_), .last = (last_), .access = (access_) }
#define MSRS(...)                                                           \
    .msrs = (const struct msr_range[]){ __VA_ARGS__ },                      \
    .msr_count = PARTITION_COUNT_OF(const struct msr_range, __VA_ARGS__)

/* .mmio/.mmio_count from a list of MMIO_GRANT(...) entries. */
#define MMIO_GRANT(gpa_, hpa_, size_) { .gpa = (gpa_), .hpa = (hpa_), .size = (size_) }
#define MMIO(...)                                                           \
    .mmio = (const struct mmio_grant[]){ __VA_ARGS__ },                     \
    .mmio_count = PARTITION_COUNT_OF(const struct mmio_grant, __VA_ARGS__)

/* .guest_modules/.guest_module_count from a list of module names. */
#define GUEST_MODULES(...)                                                  \
    .guest_modules = (const char *const[]){ __VA_ARGS__ },                  \
    .guest_module_count = PARTITION_COUNT_OF(const char *const, __VA_ARGS__)

/* .parts/.count of a table from a named array of partition_config. */
#define PARTITIONS(array_) \
    .parts = (array_), .count = (uint32_t)(sizeof(array_) / sizeof((array_)[0]))

/* Sizes in table entries: PARTITION_MIB(32). */
#define PARTITION_MIB(n) ((uint64_t)(n) << 20)

#endif
