/* VM-instruction error numbers (Intel SDM Vol. 3C, 31.4 "VM Instruction Error Numbers"). */
#ifndef VMX_VM_INSTRUCTION_ERROR_H
#define VMX_VM_INSTRUCTION_ERROR_H

#include <stdint.h>

/* Highest number the SDM defines; 14, 21 and 27 are unused. */
#define VMX_INSTRUCTION_ERROR_MAX 28

/* The SDM's description of a VM-instruction error, or "unknown error". */
const char *vmx_instruction_error_name(uint32_t error);

#endif
