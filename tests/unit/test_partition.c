/* Host unit tests for the partition tables and their checks (guest/partition_tables.c,
 * guest/partition_validate.c): the compiled-in tables, one built table per problem with the
 * exact message, and the machine checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "guest/partition.h"
#include "guest/partition_validate.h"

#define MAX_LINES 8

static struct {
    char lines[MAX_LINES][DIAG_LINE_MAX];
    unsigned count;
} sink;

static void capture_line(void *ctx, const char *line)
{
    (void)ctx;
    if (sink.count < MAX_LINES)
        snprintf(sink.lines[sink.count], DIAG_LINE_MAX, "%s", line);
    sink.count++;
}

static const struct diag capture = { capture_line, NULL };

static int reset_sink(void **state)
{
    (void)state;
    memset(&sink, 0, sizeof(sink));
    return 0;
}

static void assert_lines(unsigned count, const char *const *expected)
{
    for (unsigned i = 0; i < sink.count && i < MAX_LINES; i++)
        print_message("  reported: %s\n", sink.lines[i]);
    assert_int_equal(sink.count, count);
    for (unsigned i = 0; i < count; i++)
        assert_string_equal(sink.lines[i], expected[i]);
}

/* A valid entry: 32 MiB, the test guest, console at 0x3f8. */
static struct partition_config base(const char *name, uint32_t cpu)
{
    return (struct partition_config){
        .name = name, .cpu = cpu, .memory_size = PARTITION_MIB(32), .module = "testguest",
        .format = IMAGE_ELF64, .console = { .port = 0x3f8 },
    };
}

/* Validates table "t" made of the array parts and checks it fails with exactly these lines. */
#define EXPECT_PROBLEMS(parts, ...)                                                     \
    do {                                                                                \
        static const char *const expected_[] = { __VA_ARGS__ };                         \
        const struct partition_table t_ = { "t", "test", (parts),                       \
                                            sizeof(parts) / sizeof((parts)[0]), false }; \
        assert_false(partition_table_validate(&t_, &capture));                          \
        assert_lines(sizeof(expected_) / sizeof(expected_[0]), expected_);              \
    } while (0)

/* ---- the compiled-in tables ------------------------------------------------------------ */

static void test_compiled_tables_validate(void **state)
{
    (void)state;
    assert_true(partition_table_count >= 3);
    assert_true(partition_table_names_validate(partition_tables, partition_table_count,
                                               &capture));
    for (uint32_t i = 0; i < partition_table_count; i++) {
        assert_non_null(partition_tables[i]->description);
        assert_true(partition_table_validate(partition_tables[i], &capture));
    }
    assert_int_equal(sink.count, 0);
}

static void test_table_find(void **state)
{
    const struct partition_table *demo = partition_table_find(PARTITION_TABLE_DEFAULT);

    (void)state;
    assert_non_null(demo);
    assert_string_equal(demo->name, "demo");
    assert_int_equal(demo->count, 2);
    assert_string_equal(demo->parts[0].name, "alpha");
    assert_int_equal(demo->parts[0].cpu, 0);
    assert_string_equal(demo->parts[1].name, "beta");
    assert_int_equal(demo->parts[1].cpu, 1);
    assert_int_equal(demo->parts[1].memory_size, 32u << 20);
    assert_string_equal(demo->parts[1].module, "testguest");
    assert_int_equal(demo->parts[1].port_count + demo->parts[1].msr_count, 0);
    assert_int_equal(partition_table_find("solo")->count, 1);
    assert_int_equal(partition_table_find("missing")->count, 3);
    assert_null(partition_table_find("nosuch"));
    assert_null(partition_table_find(NULL));
}

static void test_counts_derive_from_arrays(void **state)
{
    const struct partition_config p = {
        PORTS(PORT_RANGE(0x60, 0x60, PORT_RW), PORT_RANGE(0x64, 0x64, PORT_READ),
              PORT_RANGE(0x70, 0x71, PORT_RW)),
        MSRS(MSR_RANGE(0x10, 0x10, MSR_READ)),
        MMIO(MMIO_GRANT(0xfe000000, 0xfe000000, 0x1000), MMIO_GRANT(0xfe001000, 0, 0x1000)),
    };

    (void)state;
    assert_int_equal(p.port_count, 3);
    assert_int_equal(p.ports[2].last, 0x71);
    assert_int_equal(p.msr_count, 1);
    assert_int_equal(p.mmio_count, 2);
}

/* ---- static problems, one message each -------------------------------------------------- */

static void test_cpu_used_twice(void **state)
{
    struct partition_config p[] = { base("alpha", 0), base("beta", 0) };

    (void)state;
    EXPECT_PROBLEMS(p, "partitions t: beta: cpu 0 already used by alpha");
}

static void test_cpu_beyond_limit(void **state)
{
    struct partition_config p[] = { base("alpha", 64) };

    (void)state;
    EXPECT_PROBLEMS(p, "partitions t: alpha: cpu 64 not below the CPU limit 64");
}

static void test_memory_size_unaligned(void **state)
{
    struct partition_config p[] = { base("alpha", 0) };

    (void)state;
    p[0].memory_size = 0x1234;
    EXPECT_PROBLEMS(p, "partitions t: alpha: memory_size 0x1234 not a multiple of 2 MiB");
}

static void test_memory_size_zero(void **state)
{
    struct partition_config p[] = { base("alpha", 0) };

    (void)state;
    p[0].memory_size = 0;
    EXPECT_PROBLEMS(p, "partitions t: alpha: memory_size 0");
}

static void test_host_base_overlap(void **state)
{
    struct partition_config p[] = { base("alpha", 0), base("beta", 1), base("gamma", 2) };

    (void)state;
    p[0].host_base = 0x4000000;
    p[1].host_base = 0x5e00000;
    p[2].host_base = 0x7e00000;     /* right after beta's end: fine */
    EXPECT_PROBLEMS(p, "partitions t: beta: host_base 0x5e00000 overlaps alpha's "
                       "0x4000000-0x5ffffff");
}

static void test_host_base_unaligned(void **state)
{
    struct partition_config p[] = { base("alpha", 0) };

    (void)state;
    p[0].host_base = 0x4100000;
    EXPECT_PROBLEMS(p, "partitions t: alpha: host_base 0x4100000 not 2 MiB aligned");
}

static void test_name_used_twice(void **state)
{
    struct partition_config p[] = { base("alpha", 0), base("alpha", 1) };

    (void)state;
    EXPECT_PROBLEMS(p, "partitions t: alpha: name \"alpha\" used twice");
}

static void test_name_empty(void **state)
{
    struct partition_config p[] = { base("alpha", 0), base("", 1), base(NULL, 0) };

    (void)state;
    EXPECT_PROBLEMS(p, "partitions t: entry 1: name empty",
                    "partitions t: entry 2: name empty",
                    "partitions t: entry 2: cpu 0 already used by alpha");
}

static void test_module_empty(void **state)
{
    struct partition_config p[] = { base("alpha", 0) };

    (void)state;
    p[0].module = "";
    EXPECT_PROBLEMS(p, "partitions t: alpha: module empty");
}

static void test_ports_first_after_last(void **state)
{
    struct partition_config p[] = { base("alpha", 0) };

    (void)state;
    p[0].ports = (const struct port_range[]){ PORT_RANGE(0x60, 0x60, PORT_RW),
                                              PORT_RANGE(0x3ff, 0x3f8, PORT_RW) };
    p[0].port_count = 2;
    EXPECT_PROBLEMS(p, "partitions t: alpha: ports[1] 0x3ff-0x3f8: first > last");
}

static void test_ports_overlap(void **state)
{
    struct partition_config p[] = {
        { .name = "alpha", .memory_size = PARTITION_MIB(2), .module = "m",
          .console = { .port = 0x2f8 },
          PORTS(PORT_RANGE(0x60, 0x60, PORT_RW), PORT_RANGE(0x70, 0x71, PORT_RW),
                PORT_RANGE(0x60, 0x64, PORT_READ)) },
    };

    (void)state;
    EXPECT_PROBLEMS(p, "partitions t: alpha: ports[2] 0x60-0x64 overlaps ports[0] 0x60-0x60");
}

static void test_ports_access_zero(void **state)
{
    struct partition_config p[] = { base("alpha", 0) };

    (void)state;
    p[0].ports = (const struct port_range[]){ PORT_RANGE(0x60, 0x60, 0) };
    p[0].port_count = 1;
    EXPECT_PROBLEMS(p, "partitions t: alpha: ports[0] access 0 grants nothing");
}

static void test_ports_cover_console(void **state)
{
    struct partition_config p[] = { base("alpha", 0) };

    (void)state;
    p[0].ports = (const struct port_range[]){ PORT_RANGE(0x3f0, 0x3f8, PORT_RW) };
    p[0].port_count = 1;
    EXPECT_PROBLEMS(p, "partitions t: alpha: ports[0] 0x3f0-0x3f8 overlaps the virtual console "
                       "0x3f8-0x3ff");
}

static void test_ports_null_with_count(void **state)
{
    struct partition_config p[] = { base("alpha", 0) };

    (void)state;
    p[0].port_count = 2;
    EXPECT_PROBLEMS(p, "partitions t: alpha: ports NULL with port_count 2");
}

static void test_msrs_outside_bitmap(void **state)
{
    struct partition_config p[] = { base("alpha", 0) };

    (void)state;
    p[0].msrs = (const struct msr_range[]){
        MSR_RANGE(0x0, 0x1fff, MSR_READ), MSR_RANGE(0xc0000000, 0xc0001fff, MSR_READ),
        MSR_RANGE(0x2000, 0x2000, MSR_READ), MSR_RANGE(0xbfffffff, 0xc0000000, MSR_WRITE),
        MSR_RANGE(0xc0002000, 0xffffffff, MSR_RW) };
    p[0].msr_count = 5;
    EXPECT_PROBLEMS(p,
        "partitions t: alpha: msrs[2] 0x2000-0x2000 outside the MSR bitmap "
        "(0x0-0x1fff, 0xc0000000-0xc0001fff)",
        "partitions t: alpha: msrs[3] 0xbfffffff-0xc0000000 outside the MSR bitmap "
        "(0x0-0x1fff, 0xc0000000-0xc0001fff)",
        "partitions t: alpha: msrs[3] 0xbfffffff-0xc0000000 overlaps msrs[1] "
        "0xc0000000-0xc0001fff",
        "partitions t: alpha: msrs[4] 0xc0002000-0xffffffff outside the MSR bitmap "
        "(0x0-0x1fff, 0xc0000000-0xc0001fff)");
}

static void test_msrs_first_after_last_and_overlap(void **state)
{
    struct partition_config p[] = { base("alpha", 0) };

    (void)state;
    p[0].msrs = (const struct msr_range[]){ MSR_RANGE(0x174, 0x176, MSR_READ),
                                            MSR_RANGE(0x10, 0x1, MSR_READ),
                                            MSR_RANGE(0x176, 0x176, MSR_WRITE),
                                            MSR_RANGE(0x200, 0x200, 4) };
    p[0].msr_count = 4;
    EXPECT_PROBLEMS(p, "partitions t: alpha: msrs[1] 0x10-0x1: first > last",
                    "partitions t: alpha: msrs[2] 0x176-0x176 overlaps msrs[0] 0x174-0x176",
                    "partitions t: alpha: msrs[3] access 0x4 has unknown bits");
}

static void test_mmio_grants(void **state)
{
    struct partition_config p[] = { base("alpha", 0), base("beta", 1) };

    (void)state;
    p[0].host_base = 0x8000000;
    p[0].mmio = (const struct mmio_grant[]){
        MMIO_GRANT(0xfee00000, 0xfee00000, 0x1000),     /* fine */
        MMIO_GRANT(0xfed00000, 0xfed00800, 0x1000),     /* hpa not aligned */
        MMIO_GRANT(0x1000000, 0xd0000000, 0x1000),      /* inside RAM */
        MMIO_GRANT(0xfee00000, 0xd0001000, 0x2000),     /* gpa overlaps [0] */
        MMIO_GRANT(0xf0000000, 0x9000000, 0x1000),      /* hpa inside alpha's memory */
        MMIO_GRANT(0xf1000000, 0xf1000000, 0) };
    p[0].mmio_count = 6;
    p[1].mmio = (const struct mmio_grant[]){ MMIO_GRANT(0xfee00000, 0xfee00000, 0x1000) };
    p[1].mmio_count = 1;
    p[0].unsafe = p[1].unsafe = true;       /* device MMIO is refused otherwise */
    EXPECT_PROBLEMS(p,
        "partitions t: alpha: mmio[1] gpa 0xfed00000 hpa 0xfed00800 size 0x1000 not 4 KiB "
        "aligned",
        "partitions t: alpha: mmio[2] gpa 0x1000000-0x1000fff overlaps memory 0x0-0x1ffffff",
        "partitions t: alpha: mmio[3] gpa 0xfee00000-0xfee01fff overlaps mmio[0] gpa "
        "0xfee00000-0xfee00fff",
        "partitions t: alpha: mmio[4] hpa 0x9000000-0x9000fff overlaps alpha's memory "
        "0x8000000-0x9ffffff",
        "partitions t: alpha: mmio[5] size 0",
        "partitions t: beta: mmio[0] hpa 0xfee00000-0xfee00fff also granted to alpha's mmio[0]");
}

static void test_image_addresses(void **state)
{
    struct partition_config p[] = { base("alpha", 0), base("beta", 1), base("gamma", 2) };

    (void)state;
    p[0].format = IMAGE_FLAT;
    p[0].load_address = 0x100000;
    p[0].entry = 0x2000000;
    p[1].format = IMAGE_FLAT;
    p[1].load_address = 0x2000000;
    p[1].entry = 0x100000;
    p[2].entry = 0x3000000;
    EXPECT_PROBLEMS(p, "partitions t: alpha: entry 0x2000000 outside memory 0x0-0x1ffffff",
                    "partitions t: beta: load_address 0x2000000 outside memory 0x0-0x1ffffff",
                    "partitions t: gamma: entry 0x3000000 outside memory 0x0-0x1ffffff");
}

static void test_format_unknown_and_elf_load_address(void **state)
{
    struct partition_config p[] = { base("alpha", 0), base("beta", 1) };

    (void)state;
    p[0].format = (enum image_format)7;
    p[1].load_address = 0x100000;
    EXPECT_PROBLEMS(p, "partitions t: alpha: format 7 unknown",
                    "partitions t: beta: load_address 0x100000 is for flat images only");
}

static void test_guest_modules(void **state)
{
    struct partition_config p[] = { base("alpha", 0), base("beta", 1), base("gamma", 2),
                                    base("delta", 3) };
    static const char *const nine[] = { "a", "b", "c", "d", "e", "f", "g", "h", "i" };

    (void)state;
    p[0].format = IMAGE_MULTIBOOT;
    p[0].guest_modules = (const char *const[]){ "testguest", "" };
    p[0].guest_module_count = 2;
    p[1].format = IMAGE_MULTIBOOT2;
    p[1].guest_module_count = 1;
    p[2].format = IMAGE_BZIMAGE;
    p[2].guest_modules = nine;
    p[2].guest_module_count = 9;
    p[3].format = IMAGE_MULTIBOOT2;
    p[3].load_address = 0x100000;
    EXPECT_PROBLEMS(p, "partitions t: alpha: guest module 1 empty",
                    "partitions t: beta: guest_module_count 1 without guest_modules",
                    "partitions t: gamma: 9 guest modules, at most 8",
                    "partitions t: delta: load_address 0x100000 is for flat images only");
}

static void test_console(void **state)
{
    struct partition_config p[] = { base("alpha", 0), base("beta", 1), base("gamma", 2) };

    (void)state;
    p[0].console.input_focus = true;
    p[1].console.port = 0;
    p[2].console.port = 0xfffc;
    p[2].console.input_focus = true;
    EXPECT_PROBLEMS(p, "partitions t: beta: console port 0",
                    "partitions t: gamma: console port 0xfffc: its 8 registers pass 0xffff",
                    "partitions t: gamma: console input_focus also given to alpha");
}

static void test_empty_table_and_names(void **state)
{
    const struct partition_table empty = { "", "nothing", NULL, 0, false };
    const struct partition_table *const list[] = {
        partition_table_find("demo"), NULL, partition_table_find("demo") };

    (void)state;
    assert_false(partition_table_validate(&empty, &capture));
    assert_false(partition_table_names_validate(list, 3, &capture));
    assert_lines(4, (const char *const[]){ "partitions: table name empty",
                                           "partitions ?: no partitions",
                                           "partitions: table 1 is NULL",
                                           "partitions: table \"demo\" defined twice" });
}

/* ---- machine checks ----------------------------------------------------------------------- */

/* A 2-CPU machine that loaded only the "testguest" module. */
static bool two_cpus(void *ctx, uint32_t cpu)
{
    (void)ctx;
    return cpu < 2;
}

static bool testguest_only(void *ctx, const char *name)
{
    (void)ctx;
    return strcmp(name, "testguest") == 0;
}

static const struct partition_machine machine = { two_cpus, testguest_only, NULL, { 0x3f8 },
                                                  NULL };

static void test_machine_missing_table(void **state)
{
    const struct partition_table *t = partition_table_find("missing");

    (void)state;
    assert_true(partition_check_machine(&t->parts[0], &machine, &capture));
    assert_false(partition_check_machine(&t->parts[1], &machine, &capture));
    assert_false(partition_check_machine(&t->parts[2], &machine, &capture));
    assert_lines(2, (const char *const[]){ "partition ghost: cpu 7 is not online",
                                           "partition nomod: module \"absent\" not loaded" });
}

static void test_machine_both_missing(void **state)
{
    struct partition_config p = base("lost", 5);

    (void)state;
    p.module = "gone";
    assert_false(partition_check_machine(&p, &machine, &capture));
    assert_lines(2, (const char *const[]){ "partition lost: cpu 5 is not online",
                                           "partition lost: module \"gone\" not loaded" });
}

static void test_machine_guest_module_missing(void **state)
{
    struct partition_config p = base("mb", 1);

    (void)state;
    p.format = IMAGE_MULTIBOOT;
    p.guest_modules = (const char *const[]){ "testguest", "initrd" };
    p.guest_module_count = 2;
    assert_false(partition_check_machine(&p, &machine, &capture));
    assert_lines(1, (const char *const[]){ "partition mb: guest module \"initrd\" not loaded" });
}

/* Logical CPUs 2k and 2k+1 are the two threads of core k. */
static uint32_t two_threads_per_core(void *ctx, uint32_t cpu)
{
    (void)ctx;
    return cpu / 2;
}

static void test_smt_siblings_refused_unless_allowed(void **state)
{
    struct partition_config p[] = { base("alpha", 0), base("beta", 2), base("gamma", 3),
                                    base("delta", 1) };
    struct partition_table t = { "t", "test", p, 4, false };
    struct partition_machine smt = machine;

    (void)state;
    smt.core_of = two_threads_per_core;
    assert_int_equal(partition_smt_sibling(&t, 0, &smt), -1);
    assert_int_equal(partition_smt_sibling(&t, 1, &smt), -1);
    assert_int_equal(partition_smt_sibling(&t, 2, &smt), 1);      /* cpu 3 beside beta's 2 */
    assert_int_equal(partition_smt_sibling(&t, 3, &smt), 0);      /* cpu 1 beside alpha's 0 */
    t.allow_smt_siblings = true;
    assert_int_equal(partition_smt_sibling(&t, 2, &smt), -1);
    t.allow_smt_siblings = false;
    assert_int_equal(partition_smt_sibling(&t, 2, &machine), -1); /* topology unknown */
    assert_int_equal(partition_smt_sibling(&t, 9, &smt), -1);
}

static void test_machine_port_granted_twice(void **state)
{
    struct partition_config p[] = { base("alpha", 0), base("beta", 1), base("gamma", 2) };

    (void)state;
    p[0].ports = (const struct port_range[]){ PORT_RANGE(0xcf9, 0xcf9, PORT_WRITE) };
    p[0].port_count = 1;
    p[1].ports = (const struct port_range[]){ PORT_RANGE(0xcf8, 0xcff, PORT_RW) };
    p[1].port_count = 1;
    p[2].ports = (const struct port_range[]){ PORT_RANGE(0x40, 0x40, PORT_READ),
                                              PORT_RANGE(0x92, 0x92, PORT_RW) };
    p[2].port_count = 2;
    p[0].unsafe = p[1].unsafe = p[2].unsafe = true;
    EXPECT_PROBLEMS(p, "partitions t: beta: ports 0xcf9-0xcf9: the reset control register, "
                       "already granted to alpha");
}

/* Until DMA remapping exists, grants that reach beyond the partition need "unsafe". */
static void test_unsafe_grants_refused(void **state)
{
    struct partition_config p[] = { base("alpha", 0), base("beta", 1), base("gamma", 2),
                                    base("delta", 3) };
    char what[96];

    (void)state;
    p[0].ports = (const struct port_range[]){ PORT_RANGE(0x60, 0x60, PORT_RW),
                                              PORT_RANGE(0x64, 0x64, PORT_READ) };
    p[0].port_count = 2;                    /* reading the 8042's status is harmless */
    p[1].ports = (const struct port_range[]){ PORT_RANGE(0xcfc, 0xcfc, PORT_READ) };
    p[1].port_count = 1;
    p[2].ports = (const struct port_range[]){ PORT_RANGE(0x90, 0x93, PORT_WRITE) };
    p[2].port_count = 1;
    p[3].mmio = (const struct mmio_grant[]){ MMIO_GRANT(0xfe000000, 0xfe000000, 0x1000) };
    p[3].mmio_count = 1;
    EXPECT_PROBLEMS(p,
        "partitions t: beta: ports 0xcfc-0xcfc (PCI configuration space) can reach outside the "
        "partition (no DMA remapping yet); refused unless the entry is marked unsafe",
        "partitions t: gamma: ports 0x90-0x93 (system control port A (fast reset)) can reach "
        "outside the partition (no DMA remapping yet); refused unless the entry is marked unsafe",
        "partitions t: delta: MMIO 0xfe000000-0xfe000fff (a device, which can DMA anywhere) can "
        "reach outside the partition (no DMA remapping yet); refused unless the entry is marked "
        "unsafe");
    assert_null(partition_unsafe_grant(&p[0], what, sizeof(what)));
    p[1].unsafe = p[2].unsafe = p[3].unsafe = true;
    const struct partition_table marked = { "t", "test", p, 4, false };
    assert_true(partition_table_validate(&marked, &capture));
    assert_string_equal(partition_unsafe_grant(&p[1], what, sizeof(what)),
                        "ports 0xcfc-0xcfc (PCI configuration space)");
}

static void test_machine_port_pit_twice(void **state)
{
    struct partition_config p[] = { base("alpha", 0), base("beta", 1) };

    (void)state;
    p[0].ports = (const struct port_range[]){ PORT_RANGE(0x43, 0x43, PORT_WRITE) };
    p[0].port_count = 1;
    p[1].ports = (const struct port_range[]){ PORT_RANGE(0x40, 0x42, PORT_RW) };
    p[1].port_count = 1;
    EXPECT_PROBLEMS(p, "partitions t: beta: ports 0x40-0x43: the 8254 PIT, already granted to "
                       "alpha");
}

static void test_hypervisor_console_never_granted(void **state)
{
    struct partition_config p[] = { base("alpha", 0) };

    (void)state;
    p[0].console.port = 0x2f8;
    p[0].ports = (const struct port_range[]){ PORT_RANGE(0x3fc, 0x3fd, PORT_READ) };
    p[0].port_count = 1;
    EXPECT_PROBLEMS(p, "partitions t: alpha: ports 0x3fc-0x3fd grant the hypervisor's console "
                       "UART (0x3f8-0x3ff)");
}

static void test_machine_console_port_at_boot(void **state)
{
    struct partition_config p = base("alpha", 0);
    struct partition_machine on_com2 = machine;

    (void)state;
    on_com2.console_ports[0] = 0x2f8;
    p.ports = (const struct port_range[]){ PORT_RANGE(0x2f8, 0x2ff, PORT_RW) };
    p.port_count = 1;
    assert_false(partition_check_machine(&p, &on_com2, &capture));
    assert_lines(1, (const char *const[]){ "partition alpha: ports 0x2f8-0x2ff grant the "
                                           "hypervisor's console UART (0x2f8-0x2ff)" });
}

/* Every serial console counts: a PCI card's port as much as the command line's. */
static void test_machine_every_console_port_at_boot(void **state)
{
    struct partition_config p = base("alpha", 0);
    struct partition_machine two = machine;

    (void)state;
    two.console_ports[1] = 0xc000;
    p.ports = (const struct port_range[]){ PORT_RANGE(0xc004, 0xc004, PORT_READ),
                                           PORT_RANGE(0x2f8, 0x2ff, PORT_RW) };
    p.port_count = 2;
    assert_false(partition_check_machine(&p, &two, &capture));
    assert_lines(1, (const char *const[]){ "partition alpha: ports 0xc004-0xc004 grant the "
                                           "hypervisor's console UART (0xc000-0xc007)" });
}

static void test_machine_demo_fits(void **state)
{
    const struct partition_table *t = partition_table_find("demo");

    (void)state;
    for (uint32_t i = 0; i < t->count; i++)
        assert_true(partition_check_machine(&t->parts[i], &machine, &capture));
    assert_int_equal(sink.count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_compiled_tables_validate, reset_sink),
        cmocka_unit_test_setup(test_table_find, reset_sink),
        cmocka_unit_test_setup(test_counts_derive_from_arrays, reset_sink),
        cmocka_unit_test_setup(test_cpu_used_twice, reset_sink),
        cmocka_unit_test_setup(test_cpu_beyond_limit, reset_sink),
        cmocka_unit_test_setup(test_memory_size_unaligned, reset_sink),
        cmocka_unit_test_setup(test_memory_size_zero, reset_sink),
        cmocka_unit_test_setup(test_host_base_overlap, reset_sink),
        cmocka_unit_test_setup(test_host_base_unaligned, reset_sink),
        cmocka_unit_test_setup(test_name_used_twice, reset_sink),
        cmocka_unit_test_setup(test_name_empty, reset_sink),
        cmocka_unit_test_setup(test_module_empty, reset_sink),
        cmocka_unit_test_setup(test_ports_first_after_last, reset_sink),
        cmocka_unit_test_setup(test_ports_overlap, reset_sink),
        cmocka_unit_test_setup(test_ports_access_zero, reset_sink),
        cmocka_unit_test_setup(test_ports_cover_console, reset_sink),
        cmocka_unit_test_setup(test_ports_null_with_count, reset_sink),
        cmocka_unit_test_setup(test_msrs_outside_bitmap, reset_sink),
        cmocka_unit_test_setup(test_msrs_first_after_last_and_overlap, reset_sink),
        cmocka_unit_test_setup(test_mmio_grants, reset_sink),
        cmocka_unit_test_setup(test_image_addresses, reset_sink),
        cmocka_unit_test_setup(test_format_unknown_and_elf_load_address, reset_sink),
        cmocka_unit_test_setup(test_guest_modules, reset_sink),
        cmocka_unit_test_setup(test_machine_guest_module_missing, reset_sink),
        cmocka_unit_test_setup(test_console, reset_sink),
        cmocka_unit_test_setup(test_machine_port_granted_twice, reset_sink),
        cmocka_unit_test_setup(test_unsafe_grants_refused, reset_sink),
        cmocka_unit_test_setup(test_smt_siblings_refused_unless_allowed, reset_sink),
        cmocka_unit_test_setup(test_machine_port_pit_twice, reset_sink),
        cmocka_unit_test_setup(test_hypervisor_console_never_granted, reset_sink),
        cmocka_unit_test_setup(test_machine_console_port_at_boot, reset_sink),
        cmocka_unit_test_setup(test_machine_every_console_port_at_boot, reset_sink),
        cmocka_unit_test_setup(test_empty_table_and_names, reset_sink),
        cmocka_unit_test_setup(test_machine_missing_table, reset_sink),
        cmocka_unit_test_setup(test_machine_both_missing, reset_sink),
        cmocka_unit_test_setup(test_machine_demo_fits, reset_sink),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
