/* The PC memory layout every partition presents: RAM below the EBDA, the legacy hole (VGA
 * text, option ROMs, the BIOS area where the partition's firmware tables live), RAM from
 * 1 MiB up (ACPI 6.5 section 15 "System Address Map Interfaces", types as in E820 and the
 * multiboot memory map). Pure: shared by every loader that describes memory to a guest. */
#ifndef GUEST_GUEST_MEMMAP_H
#define GUEST_GUEST_MEMMAP_H

#include <stdbool.h>
#include <stdint.h>

#define GUEST_EBDA_BASE         0x9FC00ull      /* low RAM ends here, as on a PC with EBDA */
#define GUEST_VGA_TEXT_BASE     0xB8000ull      /* 80x25 colour text; ordinary RAM in the EPT */
#define GUEST_VGA_TEXT_SIZE     0x8000ull
#define GUEST_FIRMWARE_BASE     0xE0000ull      /* ACPI RSDP/tables and the MP table */
#define GUEST_FIRMWARE_SIZE     0x20000ull
#define GUEST_HIGH_RAM_BASE     0x100000ull

enum guest_mem_type {
    GUEST_MEM_RAM = 1,
    GUEST_MEM_RESERVED = 2,
};

struct guest_mem_range {
    uint64_t base, size;
    uint32_t type;              /* enum guest_mem_type */
};

#define GUEST_MEMMAP_MAX 3u

/* The partition's map, ascending and without gaps from 0 to memory_size; memory_size is a
 * multiple of 2 MiB (partition tables guarantee it). Returns the entry count. */
uint32_t guest_memmap(uint64_t memory_size, struct guest_mem_range out[GUEST_MEMMAP_MAX]);

/* True when gpa..gpa+size lies wholly in RAM of the map (a loader may put things there). */
bool guest_memmap_is_ram(uint64_t memory_size, uint64_t gpa, uint64_t size);

#endif
