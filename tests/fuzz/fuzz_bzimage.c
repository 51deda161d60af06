/* libFuzzer target for guest/bzimage_loader.c (Linux boot protocol, 64-bit entry): the input is
 * a few loader parameters then a kernel image, loaded into a partition of FUZZ_GUEST_MEMORY
 * bytes held in one heap block, so AddressSanitizer sees any access outside guest memory.
 *
 * Input: flags (u8: PAD pads the image with zeros to the size its header claims, up to
 * FUZZ_IMAGE_MAX, as a real kernel's bytes would be; CMDLINE, RSDP, BIG_INITRD), the module
 * count (u8, % 3), two module sizes (u32 each), the command line's length (u16), the image. */
#include "tests/fuzz/fuzz_common.h"

#include "guest/bzimage_loader.h"
#include "guest/bzimage_spec.h"

#define FUZZ_GUEST_MEMORY   (64ull << 20)
#define FUZZ_IMAGE_MAX      (16ull << 20)
#define SMALL_MODULE_MAX    0x10000u
#define CMDLINE_LEN_MAX     (BZIMAGE_CMDLINE_MAX + 0x1000u)     /* past the loader's room */
#define RSDP_GPA            0xE0000ull

#define FLAG_PAD            0x01u
#define FLAG_CMDLINE        0x02u
#define FLAG_RSDP           0x04u
#define FLAG_BIG_INITRD     0x08u

/* A little-endian field of n bytes at p + offset, through the input reader. */
static uint64_t get(const uint8_t *p, size_t offset, unsigned n)
{
    struct fuzz_input field = fuzz_input(p + offset, n);
    return fuzz_bytes_le(&field, n);
}

/* The image as the loader sees it: exactly its bytes in their own block, padded or not. */
static uint8_t *make_image(const uint8_t *bytes, size_t n, bool pad, uint64_t *size)
{
    *size = n;
    if (pad && n >= BZ_HEADER_MIN_END) {
        uint64_t sects = bytes[BZ_SETUP_SECTS] ? bytes[BZ_SETUP_SECTS] : BZ_SETUP_SECTS_DEFAULT;
        uint64_t claimed = (sects + 1) * BZ_SECTOR + get(bytes, BZ_SYSSIZE, 4) * BZ_SYSSIZE_UNIT;
        if (claimed > n && claimed <= FUZZ_IMAGE_MAX)
            *size = claimed;
    }
    uint8_t *image = calloc(1, *size ? *size : 1);
    if (!image)
        abort();
    memcpy(image, bytes, n);
    return image;
}

static void check_loaded(const struct loader_input *in, const struct loader_output *out,
                         uint64_t cmdline_len)
{
    const uint8_t *m = in->memory, *zp = m + BZIMAGE_ZERO_PAGE_GPA;
    struct bzimage_header h;

    FUZZ_CHECK(bzimage_parse_header(in->image, in->image_size, &h, NULL));
    uint64_t kernel = out->image_start, kernel_end = kernel + h.init_size;
    FUZZ_CHECK(kernel >= BZIMAGE_HIGH_MIN_GPA && kernel_end <= in->memory_size);
    FUZZ_CHECK(out->image_end - kernel == h.kernel_size);
    FUZZ_CHECK(memcmp(m + kernel, (const uint8_t *)in->image + h.setup_size, h.kernel_size) == 0);
    FUZZ_CHECK(out->entry.cpu.rip == kernel + BZ_ENTRY_64_OFFSET);
    FUZZ_CHECK(out->entry.regs.rsi == BZIMAGE_ZERO_PAGE_GPA);
    FUZZ_CHECK(out->entry.cpu.cs.selector == BZ_BOOT_CS);
    FUZZ_CHECK(out->entry.cpu.ds.selector == BZ_BOOT_DS);

    FUZZ_CHECK(zp[BZ_ZP_SENTINEL] == 0 && zp[BZ_TYPE_OF_LOADER] == BZ_TYPE_UNDEFINED);
    FUZZ_CHECK(zp[BZ_ZP_E820_ENTRIES] == 3);
    FUZZ_CHECK(get(zp, BZ_CMD_LINE_PTR, 4) == BZIMAGE_CMDLINE_GPA);
    FUZZ_CHECK(strnlen((const char *)m + BZIMAGE_CMDLINE_GPA, BZIMAGE_CMDLINE_MAX) == cmdline_len);
    FUZZ_CHECK(get(zp, BZ_ZP_ACPI_RSDP_ADDR, 8) == in->acpi_rsdp_gpa);

    uint64_t initrd = get(zp, BZ_RAMDISK_IMAGE, 4), initrd_size = get(zp, BZ_RAMDISK_SIZE, 4);
    if (initrd_size == 0) {
        FUZZ_CHECK(initrd == 0);
        return;
    }
    FUZZ_CHECK(initrd % 0x1000 == 0 && initrd >= BZIMAGE_HIGH_MIN_GPA);
    FUZZ_CHECK(initrd + initrd_size <= in->memory_size);
    FUZZ_CHECK(initrd + initrd_size <= (uint64_t)h.initrd_addr_max + 1);
    FUZZ_CHECK(initrd + initrd_size <= kernel || initrd >= kernel_end);
    FUZZ_CHECK(memcmp(m + initrd, in->modules[0].data, in->modules[0].size) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t *memory;
    struct fuzz_input fi = fuzz_input(data, size);
    struct fuzz_diag sink;

    if (!memory && !(memory = malloc(FUZZ_GUEST_MEMORY)))
        abort();
    uint8_t flags = fuzz_u8(&fi);
    uint32_t module_count = fuzz_u8(&fi) % 3;
    uint32_t big = flags & FLAG_BIG_INITRD ? (uint32_t)(FUZZ_GUEST_MEMORY + (1u << 20))
                                           : SMALL_MODULE_MAX;
    uint32_t sizes[2] = { fuzz_u32(&fi) % big, fuzz_u32(&fi) % SMALL_MODULE_MAX };
    uint32_t cmdline_len = fuzz_u16(&fi) % CMDLINE_LEN_MAX;
    size_t rest;
    const uint8_t *bytes = fuzz_take(&fi, fuzz_left(&fi), &rest);

    struct loader_module modules[2];
    for (uint32_t i = 0; i < 2; i++) {
        /* Zero pages cost nothing until touched; the ends are marked. */
        uint8_t *m = calloc(1, sizes[i] ? sizes[i] : 1);
        if (!m)
            abort();
        if (sizes[i])
            m[0] = m[sizes[i] - 1] = (uint8_t)(0x5A + i);
        modules[i] = (struct loader_module){ m, sizes[i], "" };
    }
    if (!(flags & FLAG_CMDLINE))
        cmdline_len = 0;
    char *cmdline = malloc(cmdline_len + 1u);
    if (!cmdline)
        abort();
    memset(cmdline, 'c', cmdline_len);
    cmdline[cmdline_len] = '\0';
    uint64_t image_size;
    uint8_t *image = make_image(bytes, rest, flags & FLAG_PAD, &image_size);
    static const struct partition_config config = { .name = "fuzz", .format = IMAGE_BZIMAGE };
    const struct loader_input in = {
        .image = image, .image_size = image_size,
        .memory = memory, .memory_size = FUZZ_GUEST_MEMORY,
        .config = &config,
        .cmdline = flags & FLAG_CMDLINE ? cmdline : NULL,
        .modules = modules, .module_count = module_count,
        .acpi_rsdp_gpa = flags & FLAG_RSDP ? RSDP_GPA : 0,
    };
    struct loader_output out;

    fuzz_diag_init(&sink);
    if (bzimage_load(&in, &out, &sink.diag)) {
        FUZZ_CHECK(sink.lines == 0);
        check_loaded(&in, &out, cmdline_len);
    } else {
        FUZZ_CHECK(sink.lines == 1);    /* the first problem, exactly once */
    }
    free(image);
    free(cmdline);
    free((void *)modules[0].data);
    free((void *)modules[1].data);
    return 0;
}
