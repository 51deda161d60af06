/* Partition table checks: static ones (any machine; run on the build host, in the unit tests
 * and at boot) and machine ones (this machine's CPUs and multiboot2 modules, at boot). Pure. */
#ifndef GUEST_PARTITION_VALIDATE_H
#define GUEST_PARTITION_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/partition.h"
#include "lib/diag.h"

/* Checks one table on its own: names, CPUs, memory sizes and fixed host bases, images, port,
 * MSR and MMIO grants, consoles. Reports every problem as one line
 * "partitions <table>: <entry>: <problem>" (entry = its name, or "entry N" when it has none)
 * and returns true when there is none. */
bool partition_table_validate(const struct partition_table *t, const struct diag *d);

/* Checks the list of tables itself: no NULL entry, every table name used once
 * ("partitions: table "demo" defined twice"). Does not check the tables' contents. */
bool partition_table_names_validate(const struct partition_table *const *tables, uint32_t count,
                                    const struct diag *d);

/* The first grant of p that can reach outside its partition while tessera has no DMA
 * remapping, described ("ports 0xcf8-0xcff: PCI configuration space"), or NULL. buf holds
 * the description. */
const char *partition_unsafe_grant(const struct partition_config *p, char *buf, size_t size);

#define PARTITION_HV_CONSOLE_PORTS 4

/* What the machine offers, asked through callbacks so the check stays pure. */
struct partition_machine {
    bool (*cpu_usable)(void *ctx, uint32_t cpu);            /* logical CPU online for guests */
    bool (*module_present)(void *ctx, const char *name);    /* multiboot2 module loaded */
    void *ctx;
    uint16_t console_ports[PARTITION_HV_CONSOLE_PORTS];  /* the hypervisor's own UARTs' I/O
                                                           * bases (0: unused slot) */
    /* The physical core a logical CPU belongs to (its APIC ID without the SMT bits); NULL
     * when the topology is unknown. */
    uint32_t (*core_of)(void *ctx, uint32_t cpu);
};

/* The static checks assume the console on COM1; at boot the real port is checked too. */
#define PARTITION_HV_CONSOLE_DEFAULT 0x3F8

/* Checks that one (statically valid) partition can start on this machine: its CPU is online
 * and its module loaded. Reports "partition <name>: cpu 7 is not online" and
 * "partition <name>: module "absent" not loaded"; false means skip this partition (the
 * others still start). Memory is checked by the kernel when it allocates. */
bool partition_check_machine(const struct partition_config *p, const struct partition_machine *m,
                             const struct diag *d);

/* The index of an earlier partition of t whose CPU is an SMT sibling of entry index's (same
 * core, another logical CPU), or -1: none, the topology is unknown, or the table allows it. */
int partition_smt_sibling(const struct partition_table *t, uint32_t index,
                          const struct partition_machine *m);

#endif
