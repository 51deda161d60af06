/* A tiny AML emitter for the partition's DSDT: names, integers, packages, scopes, devices and
 * buffers (ACPI 6.5 section 20.2 "AML Grammar Definition": 20.2.2 names, 20.2.3 data objects,
 * 20.2.4 PkgLength, 20.2.5 terms). Pure: writes into a caller's buffer. */
#ifndef GUEST_AML_EMIT_H
#define GUEST_AML_EMIT_H

#include <stdbool.h>
#include <stdint.h>

/* A PkgLength this emitter writes takes one or two bytes: at most 0xFFF. */
#define AML_PKG_LENGTH_MAX  0xFFFu

struct aml {
    uint8_t *bytes;
    uint32_t capacity;
    uint32_t length;
    bool failed;        /* something did not fit: the bytes are incomplete, do not use them */
};

void aml_init(struct aml *a, uint8_t *bytes, uint32_t capacity);
void aml_bytes(struct aml *a, const void *bytes, uint32_t count);

/* A NameString: "_S5_" (a NameSeg, padded to 4 with '_' by the caller) or "\\_SB_" (from
 * the root). Only single segments, with or without the root prefix. */
void aml_name_string(struct aml *a, const char *name);
/* The shortest integer encoding: ZeroOp, OneOp, BytePrefix, WordPrefix, DWordPrefix. */
void aml_integer(struct aml *a, uint32_t value);
/* Name(name, integer) */
void aml_name_integer(struct aml *a, const char *name, uint32_t value);
/* Name(name, Buffer() { bytes }) */
void aml_name_buffer(struct aml *a, const char *name, const uint8_t *bytes, uint32_t count);

/* Scope, Device and Package contain terms: open returns a mark, the contents follow, close
 * writes the PkgLength once their size is known. Package's elements are aml_integer calls. */
uint32_t aml_scope_open(struct aml *a, const char *name);
uint32_t aml_device_open(struct aml *a, const char *name);
uint32_t aml_name_package_open(struct aml *a, const char *name, uint8_t element_count);
void aml_close(struct aml *a, uint32_t mark);

#endif
