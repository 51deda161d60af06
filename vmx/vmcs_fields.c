/* The VMCS field table generated from vmx/vmcs_fields.def (Intel SDM Vol. 3D, Appendix B) and
 * the names of the VMCS areas (Vol. 3C, 25.3). Pure. */
#include "vmx/vmcs_fields.h"

const struct vmcs_field_info vmcs_field_table[] = {
#define VMCS_FIELD(name, encoding, display, area) { (encoding), #name, display, VMCS_AREA_##area },
#include "vmx/vmcs_fields.def"
};

const size_t vmcs_field_count = sizeof(vmcs_field_table) / sizeof(vmcs_field_table[0]);

static const char *const area_names[VMCS_AREA_COUNT] = {
    [VMCS_AREA_GUEST]      = "guest-state area",
    [VMCS_AREA_HOST]       = "host-state area",
    [VMCS_AREA_CTRL_EXEC]  = "VM-execution controls",
    [VMCS_AREA_CTRL_EXIT]  = "VM-exit controls",
    [VMCS_AREA_CTRL_ENTRY] = "VM-entry controls",
    [VMCS_AREA_EXIT_INFO]  = "VM-exit information",
};

const char *vmcs_area_name(enum vmcs_area area)
{
    return (unsigned)area < VMCS_AREA_COUNT ? area_names[area] : "unknown area";
}

/* The table is sorted by encoding (the unit test checks it): binary search. */
const struct vmcs_field_info *vmcs_field_lookup(uint32_t encoding)
{
    size_t lo = 0, hi = vmcs_field_count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t at = vmcs_field_table[mid].encoding;

        if (at == encoding)
            return &vmcs_field_table[mid];
        if (at < encoding)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
