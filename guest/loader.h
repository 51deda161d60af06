/* Guest loaders, one per image format, behind one table: each checks an image against the
 * partition's memory, copies it in and produces the entry state its guest starts in. Pure:
 * compiled into the hypervisor and into the host tests. */
#ifndef GUEST_LOADER_H
#define GUEST_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/partition.h"
#include "lib/diag.h"
#include "vcpu/vcpu.h"

/* A module handed to the guest: its bytes and the words after its name. */
struct loader_module {
    const void *data;
    uint64_t size;
    const char *cmdline;            /* "" when the module string has no words after the name */
};

struct loader_input {
    const void *image;
    uint64_t image_size;
    uint8_t *memory;                /* the host's view of guest-physical 0 .. memory_size */
    uint64_t memory_size;
    const struct partition_config *config;
    uint32_t partition_id;
    const char *cmdline;            /* may be NULL */
    const struct loader_module *modules;    /* config->guest_modules, loaded, in order */
    uint32_t module_count;
    uint64_t acpi_rsdp_gpa;         /* the partition's ACPI RSDP in its memory; 0 = none */
};

struct loader_output {
    struct vcpu_entry entry;
    uint64_t image_start, image_end;    /* the guest-physical range the image filled */
};

struct guest_loader {
    enum image_format format;
    const char *name;               /* for messages: "ELF64", "flat" */
    /* Checks and loads; on failure reports through d (one line naming what is wrong) and
     * returns false, with guest memory possibly written but nothing else changed. */
    bool (*load)(const struct loader_input *in, struct loader_output *out, const struct diag *d);
};

/* True when a guest starting in this state needs the VMX "unrestricted guest" control: it
 * starts with paging off or in real mode (SDM Vol. 3C 26.3.1.1, CR0 checks). */
bool loader_entry_needs_unrestricted_guest(const struct vcpu_entry *entry);

/* The loader for a format, or NULL when none is compiled in. */
const struct guest_loader *guest_loader_find(enum image_format format);

#endif
