/* The multiboot 0.6.96 and multiboot2 guest loaders (Multiboot Specification 0.6.96;
 * Multiboot2 Specification 1.0): the guest_loader functions guest/loader.c lists. Pure. */
#ifndef GUEST_MULTIBOOT_LOADER_H
#define GUEST_MULTIBOOT_LOADER_H

#include <stdbool.h>

#include "guest/loader.h"

/* A multiboot 0.6.96 kernel: the header (magic 0x1BADB002) in the first 8 KiB, 4-byte
 * aligned, checksum right; required flags 0 (page-aligned modules), 1 (memory information)
 * and 2 (video information: the EGA text console is described, which the specification
 * lets a loader choose over the preferred mode); others of bits 0-15 refused. With flag 16
 * the header's address fields place the image, otherwise its ELF32/ELF64 program headers
 * (p_paddr). Modules are copied page-aligned above the image, then the information
 * structure (memory fields, command line, modules, memory map, boot loader name
 * "tessera", and the framebuffer fields with flag 2). Entry: 32-bit flat protected mode,
 * paging off, CS 0x08, DS 0x10, EAX 0x2BADB002, EBX the structure's gpa. */
bool multiboot_load(const struct loader_input *in, struct loader_output *out,
                    const struct diag *d);

/* A multiboot2 kernel: the header (magic 0xE85250D6) in the first 32 KiB, 8-byte aligned,
 * architecture i386, header_length inside the image and the search window, checksum right;
 * every header tag checked (guest/multiboot2_loader.c says how each is honoured). The
 * image loads by its ELF program headers or the address tag, relocated within a
 * relocatable tag's bounds when its own addresses do not fit them; modules and the
 * information (command line, boot loader name, modules, basic memory, memory map, load
 * base, the ACPI RSDP, the EGA text framebuffer when asked for) follow it. Entry as for
 * multiboot, with EAX 0x36D76289. */
bool multiboot2_load(const struct loader_input *in, struct loader_output *out,
                     const struct diag *d);

#endif
