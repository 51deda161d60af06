/* VMCS field encodings (Intel SDM Vol. 3C, 25.11.2 "VMREAD, VMWRITE, and Encodings of VMCS
 * Fields"; Vol. 3D, Appendix B), generated from vmx/vmcs_fields.def, and the six VMCS areas
 * (25.3-25.9). Pure: no instruction here. */
#ifndef VMX_VMCS_FIELDS_H
#define VMX_VMCS_FIELDS_H

#include <stddef.h>
#include <stdint.h>

/* ---- the encoding (25.11.2, Table 25-21) ------------------------------------------- */
/* bit 0 access type, 9:1 index, 11:10 type, 12 reserved (0), 14:13 width, 31:15 reserved (0) */
#define VMCS_FIELD_ACCESS_HIGH          0x1u        /* the upper 32 bits of a 64-bit field */
#define VMCS_FIELD_INDEX_SHIFT          1
#define VMCS_FIELD_INDEX_MASK           0x1FFu
#define VMCS_FIELD_TYPE_SHIFT           10
#define VMCS_FIELD_TYPE_MASK            0x3u
#define VMCS_FIELD_WIDTH_SHIFT          13
#define VMCS_FIELD_WIDTH_MASK           0x3u
#define VMCS_FIELD_RESERVED_MASK        0xFFFF9000u /* bits 31:15 and 12 */

#define VMCS_FIELD_ACCESS(enc)  ((uint32_t)(enc) & VMCS_FIELD_ACCESS_HIGH)
#define VMCS_FIELD_INDEX(enc)   (((uint32_t)(enc) >> VMCS_FIELD_INDEX_SHIFT) & VMCS_FIELD_INDEX_MASK)
#define VMCS_FIELD_TYPE(enc)    (((uint32_t)(enc) >> VMCS_FIELD_TYPE_SHIFT) & VMCS_FIELD_TYPE_MASK)
#define VMCS_FIELD_WIDTH(enc)   (((uint32_t)(enc) >> VMCS_FIELD_WIDTH_SHIFT) & VMCS_FIELD_WIDTH_MASK)

/* Values of bits 14:13; Appendix B lists the widths in this order. */
enum vmcs_width {
    VMCS_WIDTH_16 = 0,
    VMCS_WIDTH_64 = 1,
    VMCS_WIDTH_32 = 2,
    VMCS_WIDTH_NATURAL = 3,
};

/* Values of bits 11:10; within each width Appendix B lists the types in this order. */
enum vmcs_type {
    VMCS_TYPE_CONTROL = 0,
    VMCS_TYPE_READ_ONLY = 1,    /* VM-exit information and the VM-instruction error */
    VMCS_TYPE_GUEST = 2,
    VMCS_TYPE_HOST = 3,
};

/* ---- the fields --------------------------------------------------------------------- */
enum vmcs_field {
#define VMCS_FIELD(name, encoding, display, area) name = (encoding),
#include "vmx/vmcs_fields.def"
};

/* The six areas of the VMCS data (25.3), in the SDM's order. */
enum vmcs_area {
    VMCS_AREA_GUEST,
    VMCS_AREA_HOST,
    VMCS_AREA_CTRL_EXEC,
    VMCS_AREA_CTRL_EXIT,
    VMCS_AREA_CTRL_ENTRY,
    VMCS_AREA_EXIT_INFO,
    VMCS_AREA_COUNT
};

#define VMCS_AREA_BIT(area)     (1u << (area))
#define VMCS_AREA_MASK_ALL      ((1u << VMCS_AREA_COUNT) - 1u)

/* "guest-state area", "host-state area", "VM-execution controls", "VM-exit controls",
 * "VM-entry controls", "VM-exit information"; "unknown area" otherwise. */
const char *vmcs_area_name(enum vmcs_area area);

struct vmcs_field_info {
    uint32_t encoding;
    const char *name;           /* "VMCS_GUEST_CR0" */
    const char *display;        /* the SDM's name: "guest CR0" */
    enum vmcs_area area;
};

/* All fields, in vmcs_fields.def's order (ascending encoding). */
extern const struct vmcs_field_info vmcs_field_table[];
extern const size_t vmcs_field_count;

/* The table entry of a full-access encoding; NULL when the table has none. */
const struct vmcs_field_info *vmcs_field_lookup(uint32_t encoding);

#endif
