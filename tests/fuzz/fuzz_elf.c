/* libFuzzer target for guest/elf_loader.c (System V gABI, "Program Loading"): the input is a
 * guest image; it is planned for a partition of FUZZ_GUEST_MEMORY bytes as
 * partition_load_image() plans it and, when the plan succeeds, applied into a heap block
 * holding exactly the planned span [lowest_gpa, highest_gpa_end), so AddressSanitizer sees
 * any write outside it. */
#include "tests/fuzz/fuzz_common.h"

#include "guest/elf_loader.h"

#define FUZZ_GUEST_MEMORY (4ull << 20)  /* room for the test guest (1 MiB) and hostile (2 MiB) */
#define UNTOUCHED         0xA5          /* guest memory outside every segment keeps this */

static void check_plan(const struct elf_load_plan *plan, size_t size)
{
    bool entry_ok = false;

    FUZZ_CHECK(plan->count >= 1 && plan->count <= ELF_MAX_PHDRS);
    FUZZ_CHECK(plan->lowest_gpa < plan->highest_gpa_end);
    FUZZ_CHECK(plan->highest_gpa_end <= FUZZ_GUEST_MEMORY);
    for (uint32_t i = 0; i < plan->count; i++) {
        const struct elf_segment *s = &plan->segments[i];
        FUZZ_CHECK(s->memsz > 0 && s->filesz <= s->memsz);
        FUZZ_CHECK(s->file_offset <= size && s->filesz <= size - s->file_offset);
        FUZZ_CHECK(s->gpa >= plan->lowest_gpa && s->gpa + s->memsz <= plan->highest_gpa_end);
        for (uint32_t j = 0; j < i; j++) {
            const struct elf_segment *o = &plan->segments[j];
            FUZZ_CHECK(s->gpa + s->memsz <= o->gpa || o->gpa + o->memsz <= s->gpa);
        }
        entry_ok |= (s->flags & ELF64_PF_X) && plan->entry >= s->gpa &&
                    plan->entry < s->gpa + s->filesz;
    }
    FUZZ_CHECK(entry_ok);
}

/* Each segment holds its file bytes then zeros; every other byte of the span is untouched.
 * Segments do not overlap (check_plan), so each is checked and then painted back, leaving a
 * span that must be all UNTOUCHED. */
static void check_applied(const struct elf_load_plan *plan, const uint8_t *image, uint8_t *span)
{
    uint64_t size = plan->highest_gpa_end - plan->lowest_gpa;

    for (uint32_t i = 0; i < plan->count; i++) {
        const struct elf_segment *s = &plan->segments[i];
        uint8_t *at = span + (s->gpa - plan->lowest_gpa);
        FUZZ_CHECK(memcmp(at, image + s->file_offset, s->filesz) == 0);
        FUZZ_CHECK(fuzz_all_equal(at + s->filesz, s->memsz - s->filesz, 0));
        memset(at, UNTOUCHED, s->memsz);
    }
    FUZZ_CHECK(fuzz_all_equal(span, size, UNTOUCHED));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct elf_load_plan plan;
    struct fuzz_diag sink;

    fuzz_diag_init(&sink);
    if (!elf64_plan(data, size, FUZZ_GUEST_MEMORY, &plan, &sink.diag)) {
        FUZZ_CHECK(sink.lines == 1);    /* the first problem, exactly once */
        return 0;
    }
    FUZZ_CHECK(sink.lines == 0);
    check_plan(&plan, size);

    uint64_t span_size = plan.highest_gpa_end - plan.lowest_gpa;
    uint8_t *span = malloc(span_size);
    if (!span)
        abort();
    memset(span, UNTOUCHED, span_size);
    /* gpa 0 lies lowest_gpa bytes before the block: elf64_apply adds each segment's gpa. */
    elf64_apply(&plan, data, span - plan.lowest_gpa);
    check_applied(&plan, data, span);
    free(span);
    return 0;
}
