/* Exception vectors (Intel SDM Vol. 3A, 6.3.1, Table 6-1), defined once. */
#ifndef ARCH_X86_VECTORS_H
#define ARCH_X86_VECTORS_H

/* Exception vectors (Vol. 3A Table 6-1). */
enum x86_exception_vector {
    X86_VECTOR_DE = 0,  X86_VECTOR_DB = 1,  X86_VECTOR_NMI = 2, X86_VECTOR_BP = 3,
    X86_VECTOR_OF = 4,  X86_VECTOR_BR = 5,  X86_VECTOR_UD = 6,  X86_VECTOR_NM = 7,
    X86_VECTOR_DF = 8,  X86_VECTOR_TS = 10, X86_VECTOR_NP = 11, X86_VECTOR_SS = 12,
    X86_VECTOR_GP = 13, X86_VECTOR_PF = 14, X86_VECTOR_MF = 16, X86_VECTOR_AC = 17,
    X86_VECTOR_MC = 18, X86_VECTOR_XM = 19, X86_VECTOR_VE = 20, X86_VECTOR_CP = 21,
};
#define X86_EXCEPTION_VECTORS   32

#endif
