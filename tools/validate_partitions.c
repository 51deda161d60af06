/* Build-host check of every compiled-in partition table: the same guest/partition_tables.c and
 * guest/partition_validate.c the hypervisor links, so the check cannot drift from the code.
 * Prints "partitions: <name>: ok (N partitions)" per good table; exits 1 on any problem. */
#include <stdio.h>

#include "guest/partition.h"
#include "guest/partition_validate.h"
#include "lib/diag.h"

static void print_line(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "error: %s\n", line);
}

int main(void)
{
    const struct diag d = { print_line, NULL };
    bool ok = partition_table_names_validate(partition_tables, partition_table_count, &d);

    for (uint32_t i = 0; i < partition_table_count; i++) {
        const struct partition_table *t = partition_tables[i];

        if (!t)
            continue;   /* reported above */
        if (partition_table_validate(t, &d))
            printf("partitions: %s: ok (%u partitions)\n", t->name, t->count);
        else
            ok = false;
    }
    if (!partition_table_find(PARTITION_TABLE_DEFAULT)) {
        fprintf(stderr, "error: partitions: default table \"%s\" not compiled in\n",
                PARTITION_TABLE_DEFAULT);
        ok = false;
    }
    return ok ? 0 : 1;
}
