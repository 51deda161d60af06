/* The compiled-in partition tables; the kernel command line's partitions=<name> picks one.
 * Checked by guest/partition_validate.c at build time (tools/validate_partitions.c), in the
 * unit tests and at boot against the machine. */
#include "guest/partition.h"

#include <stddef.h>

#include "drivers/uart.h"
#include "lib/string.h"

/* Every guest sees its own COM1 at 0x3f8; no port is granted, so the accesses trap and the
 * hypervisor emulates the UART. No MSR is granted either: all are trapped and emulated. */
#define TESTGUEST(name_, cpu_, focus_)                                      \
    {                                                                       \
        .name = (name_),                                                    \
        .cpu = (cpu_),                                                      \
        .memory_size = PARTITION_MIB(32),                                   \
        .module = "testguest",                                              \
        .format = IMAGE_ELF64,                                              \
        .cmdline = "partition=" name_,                                      \
        .console = { .port = UART_COM1, .input_focus = (focus_) },          \
    }

/* demo: the default. Two partitions, each running the test guest on its own CPU; fits the
 * 2-CPU machines `make run` uses. */
static const struct partition_config demo_parts[] = {
    TESTGUEST("alpha", 0, true),
    TESTGUEST("beta", 1, false),
};

static const struct partition_table table_demo = {
    .name = "demo",
    .description = "alpha on CPU 0 and beta on CPU 1, 32 MiB each, the test guest",
    PARTITIONS(demo_parts),
};

/* solo: one partition, for 1-CPU machines. */
static const struct partition_config solo_parts[] = {
    TESTGUEST("alpha", 0, true),
};

static const struct partition_table table_solo = {
    .name = "solo",
    .description = "alpha alone on CPU 0, 32 MiB, the test guest (1-CPU machines)",
    PARTITIONS(solo_parts),
};

/* missing: statically valid, but on a 2-CPU machine without an "absent" module the boot-time
 * checks skip ghost (no CPU 7) and nomod (no module); alpha still runs. */
static const struct partition_config missing_parts[] = {
    TESTGUEST("alpha", 0, true),
    TESTGUEST("ghost", 7, false),
    {
        .name = "nomod",
        .cpu = 1,
        .memory_size = PARTITION_MIB(32),
        .module = "absent",
        .format = IMAGE_ELF64,
        .cmdline = "partition=nomod",
        .console = { .port = UART_COM1 },
    },
};

static const struct partition_table table_missing = {
    .name = "missing",
    .description = "alpha on CPU 0; ghost on CPU 7 and nomod with module \"absent\" "
                   "are skipped at boot (tests the machine checks)",
    PARTITIONS(missing_parts),
};

const struct partition_table *const partition_tables[] = {
    &table_demo,
    &table_solo,
    &table_missing,
};

const uint32_t partition_table_count =
    (uint32_t)(sizeof(partition_tables) / sizeof(partition_tables[0]));

const struct partition_table *partition_table_find(const char *name)
{
    if (!name)
        return NULL;
    for (uint32_t i = 0; i < partition_table_count; i++)
        if (strcmp(partition_tables[i]->name, name) == 0)
            return partition_tables[i];
    return NULL;
}
