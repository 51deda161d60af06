/* XCR0's rules (SDM Vol. 1, 13.3): x87 always on, AVX needs SSE, the three AVX-512 components
 * all or none and only with AVX, the two MPX components together, the two AMX components
 * together, nothing the CPU does not support. Pure. */
#include "vcpu/xcr0.h"

static int all_or_none(uint64_t value, uint64_t group)
{
    return (value & group) == 0 || (value & group) == group;
}

uint64_t xcr0_reset_components(uint64_t supported, const struct xsave_area *areas,
                               uint32_t image_size)
{
    uint64_t reset = supported & (XCR0_X87 | XCR0_SSE);
    for (unsigned i = 2; i < XCR0_COMPONENTS; i++)
        if ((supported & (1ull << i)) && areas[i].offset <= image_size &&
            areas[i].size <= image_size - areas[i].offset)
            reset |= 1ull << i;
    const uint64_t groups[] = { XCR0_AVX512, XCR0_MPX, XCR0_AMX };
    for (unsigned g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
        if (!all_or_none(reset, groups[g]))
            reset &= ~groups[g];
    if (!(reset & XCR0_SSE))
        reset &= ~XCR0_AVX;
    if (!(reset & XCR0_AVX))
        reset &= ~XCR0_AVX512;
    return xcr0_refusal(reset, supported) ? supported & XCR0_X87 : reset;
}

const char *xcr0_refusal(uint64_t value, uint64_t supported)
{
    if (value & ~supported)
        return "a component the CPU does not support";
    if (!(value & XCR0_X87))
        return "x87 state cleared";
    if ((value & XCR0_AVX) && !(value & XCR0_SSE))
        return "AVX without SSE";
    if (!all_or_none(value, XCR0_AVX512))
        return "part of the AVX-512 state";
    if ((value & XCR0_AVX512) && !(value & XCR0_AVX))
        return "AVX-512 without AVX";
    if (!all_or_none(value, XCR0_MPX))
        return "one of the two MPX components";
    if (!all_or_none(value, XCR0_AMX))
        return "one of the two AMX components";
    return 0;
}
