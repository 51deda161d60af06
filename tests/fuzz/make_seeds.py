#!/usr/bin/env python3
"""Writes the hand-made seed inputs of every fuzz target (docs/FUZZING.md).

    python3 tests/fuzz/make_seeds.py          (after make build/guest/testguest.elf
                                                 build/guest/hostile.elf)

Each seed is a small valid input in the target's own input format (see the comment at the
top of tests/fuzz/fuzz_<name>.c): multiboot2 structures laid out as GRUB lays them (spec
1.0, section 3.6), the captured ACPI tables of tests/unit/fixtures/acpi, the guest images
cut down to a few KiB, the Linux kernel headers of tests/unit/fixtures/bzimage, the compiled-in partition tables, typical shell lines and key
sequences, Linux's 8250 probe of the virtual UART. Files are named seed-*; the inputs beside
them (regress-*: crashes found and fixed; SHA-1 names: found by fuzzing) are left alone.
"""

import struct
import sys
from pathlib import Path

sys.dont_write_bytecode = True
ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz" / "corpus"
ACPI_FIXTURES = ROOT / "tests" / "unit" / "fixtures" / "acpi"
BZIMAGE_FIXTURES = ROOT / "tests" / "unit" / "fixtures" / "bzimage"


def u8(v): return struct.pack("<B", v & 0xFF)
def u16(v): return struct.pack("<H", v & 0xFFFF)
def u32(v): return struct.pack("<I", v & 0xFFFFFFFF)
def u64(v): return struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)


def write(target, name, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"seed-{name}").write_bytes(data)


# ---- multiboot2 (spec 1.0, 3.6): fixed part, 8-aligned tags, end tag ---------------------

def mb2_tag(tag_type, payload):
    tag = u32(tag_type) + u32(8 + len(payload)) + payload
    return tag + b"\0" * (-len(tag) % 8)


def mb2_info(*tags):
    body = b"".join(tags) + mb2_tag(0, b"")
    return u32(8 + len(body)) + u32(0) + body


def mb2_mmap(entries):
    return mb2_tag(6, u32(24) + u32(0) + b"".join(u64(b) + u64(l) + u32(t) + u32(0)
                                                   for b, l, t in entries))


def mb2_module(start, end, cmdline):
    return mb2_tag(3, u32(start) + u32(end) + cmdline + b"\0")


def rsdp_bytes(revision, rsdt, xsdt=0):
    body = bytearray(b"RSD PTR " + b"\0" + b"BOCHS " + u8(revision) + u32(rsdt))
    body[8] = -sum(body[:20]) & 0xFF
    if revision >= 2:
        body += u32(36) + u64(xsdt) + b"\0\0\0\0"
        body[32] = -sum(body) & 0xFF
    return bytes(body)


def multiboot2_seeds():
    bios_mmap = [(0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0xF0000, 0x10000, 2),
                 (0x100000, 0x7EE0000, 1), (0xFFFC0000, 0x40000, 2)]
    write("multiboot2", "grub-bios", mb2_info(
        mb2_tag(1, b"partitions=demo loglevel=info\0"),
        mb2_tag(2, b"GRUB 2.06-13+deb12u1\0"),
        mb2_module(0x10E000, 0x11C928, b"testguest"),
        mb2_module(0x11D000, 0x12A6C0, b"hostile"),
        mb2_tag(4, u32(639) + u32(130944)),
        mb2_tag(5, u32(0xE0) + u32(0xFFFFFFFF) + u32(0xFFFFFFFF)),
        mb2_mmap(bios_mmap),
        mb2_tag(14, rsdp_bytes(0, 0x7FE1BBB)),
        mb2_tag(21, u32(0x200000))))
    write("multiboot2", "grub-uefi", mb2_info(
        mb2_tag(1, b"\0"),
        mb2_tag(2, b"GRUB 2.06\0"),
        mb2_module(0x6A00000, 0x6A0E928, b"testguest"),
        mb2_tag(12, u64(0x7F9E018)),
        mb2_mmap([(0, 0xA0000, 1), (0x100000, 0x6F00000, 1), (0x7000000, 0x1000000, 4)]),
        mb2_tag(15, rsdp_bytes(2, 0x777C074, 0x777C0E8)),
        mb2_tag(18, b""),
        mb2_tag(20, u64(0x7E8E218))))
    write("multiboot2", "end-only", mb2_info())
    many = [(i << 20, 0x1000 * (i + 1), 1 + i % 5) for i in range(130)]   # > MB2_MAX_MMAP_ENTRIES
    write("multiboot2", "mmap-130", mb2_info(
        mb2_tag(1, b"loglevel=debug\0"), mb2_mmap(many),
        *[mb2_module(0x1000000 + i * 0x10000, 0x1008000 + i * 0x10000, b"m%d" % i)
          for i in range(18)]))


# ---- acpi: regions of fake physical memory (format in fuzz_acpi.c) ------------------------

REGION_FIX_SDT_SUM, REGION_FIX_RSDP_SUM = 0x01, 0x02
REGION_MB2_NEW, REGION_MB2_OLD, REGION_LARGE = 0x04, 0x08, 0x10


def acpi_region(flags, phys, data, size=None):
    size = len(data) if size is None else size
    field = size // 4 if flags & REGION_LARGE else size
    return u8(flags) + u64(phys) + u16(field) + u16(len(data)) + data


def read_fixture(path):
    """[(signature, phys, bytes)] from a capture.py fixture."""
    tables, current = [], None
    for line in path.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if len(words) == 3 and words[1].startswith("0x"):
            current = [words[0], int(words[1], 16), bytearray(), int(words[2])]
            tables.append(current)
        else:
            current[2] += bytes.fromhex(line.strip())
    for sig, _, data, length in tables:
        assert len(data) == length, sig
    return [(sig, phys, bytes(data)) for sig, phys, data, _ in tables]


def sdt(signature, body, revision=1):
    """A whole ACPI table (5.2.6 header, checksum right) around body."""
    table = bytearray(signature + u32(36 + len(body)) + u8(revision) + u8(0) + b"BOCHS " +
                      b"BXPC    " + u32(1) + b"BXPC" + u32(1) + body)
    table[9] = -sum(table) & 0xFF
    return bytes(table)


def madt_at_limits():
    """More of every MADT entry than acpi_info keeps (5.2.12): CPUs as Local APIC and
    Local x2APIC entries (one listed twice, some disabled), I/O APICs, overrides, NMIs."""
    entries = b"".join(u8(0) + u8(8) + u8(i) + u8(i) + u32(1) for i in range(200))
    entries += b"".join(u8(9) + u8(16) + u16(0) + u32(0x100 + i) + u32(1 if i % 7 else 0) +
                        u32(200 + i) for i in range(70))
    entries += u8(0) + u8(8) + u8(0) + u8(5) + u32(1)               # APIC ID 5 again
    entries += b"".join(u8(1) + u8(12) + u8(i) + u8(0) + u32(0xFEC00000 + i * 0x1000) +
                        u32(24 * i) for i in range(34))
    entries += b"".join(u8(2) + u8(10) + u8(0) + u8(i % 16) + u32(i) + u16(0xD)
                        for i in range(50))
    entries += b"".join(u8(4) + u8(6) + u8(0xFF) + u16(5) + u8(1) for _ in range(130))
    entries += b"".join(u8(0xA) + u8(12) + u16(5) + u32(0xFFFFFFFF if i == 0 else i) + u8(1) +
                        b"\0\0\0" for i in range(130))
    entries += u8(5) + u8(12) + u16(0) + u64(0xFEE00000)
    return sdt(b"APIC", u32(0xFEE00000) + u32(1) + entries)


def acpi_limit_seeds():
    """An XSDT listing more tables than acpi_info keeps, one of them a MADT past every
    limit: the RSDP as the multiboot2 new tag, the tables packed into two regions."""
    tables_at, madt_at, xsdt_at = 0x100000, 0x200000, 0x300000
    small = [sdt(b"SSDT", u32(i)) for i in range(70)]
    packed = b"".join(small)
    entries = [tables_at + i * len(small[0]) for i in range(70)] + [madt_at]
    xsdt = sdt(b"XSDT", b"".join(u64(a) for a in entries))
    madt = madt_at_limits()
    rsdp = rsdp_bytes(2, 0, xsdt_at)
    write("acpi", "limits", u8(0) +
          acpi_region(REGION_MB2_NEW | REGION_FIX_RSDP_SUM, 0, rsdp) +
          acpi_region(REGION_FIX_SDT_SUM, xsdt_at, xsdt) +
          acpi_region(0, tables_at, packed) +
          acpi_region(REGION_LARGE | REGION_FIX_SDT_SUM, madt_at, madt,
                      size=(len(madt) + 3) // 4 * 4))


def acpi_seeds():
    for fixture in sorted(ACPI_FIXTURES.glob("*.txt")):
        tables = read_fixture(fixture)
        rsdp = next(data for sig, _, data in tables if sig == "RSDP")
        others = b"".join(acpi_region(REGION_FIX_SDT_SUM, phys, data)
                          for sig, phys, data in tables if sig != "RSDP")
        copy = REGION_MB2_NEW if rsdp[15] >= 2 else REGION_MB2_OLD
        write("acpi", f"{fixture.stem}-mb2",
              u8(0) + acpi_region(copy | REGION_FIX_RSDP_SUM, 0, rsdp) + others)
        if fixture.stem == "qemu-seabios-4cpu":
            # A BIOS boot without the tag: the RSDP found by scanning 0xE0000-0xFFFFF,
            # then in the EBDA that the BIOS data area's word at 0x40E points to.
            bios = acpi_region(REGION_LARGE | REGION_FIX_RSDP_SUM, 0xE0000,
                               rsdp, size=0x20000)
            write("acpi", "bios-area-scan", u8(1) + bios + others)
            bda = acpi_region(0, 0x400, b"\0" * 0xE + u16(0x9FC0))
            ebda = acpi_region(REGION_FIX_RSDP_SUM, 0x9FC00, rsdp, size=0x400)
            write("acpi", "ebda-scan", u8(1) + bda + ebda + others)
    acpi_limit_seeds()


# ---- elf: the guest images, cut down to a few KiB -------------------------------------------

def repack_elf(image, keep):
    """The image's ELF header and program headers, then at most `keep` bytes of each
    PT_LOAD's file bytes, moved up so the whole file stays small; p_memsz is kept, so
    the cut-off part becomes zero-filled memory."""
    phoff, = struct.unpack_from("<Q", image, 0x20)
    phnum, = struct.unpack_from("<H", image, 0x38)
    out = bytearray(image[:64])
    struct.pack_into("<Q", out, 0x28, 0)                    # no section headers
    struct.pack_into("<HHH", out, 0x3A, 0, 0, 0)
    phdrs, data = bytearray(), bytearray()
    data_start = 64 + 56 * phnum
    for i in range(phnum):
        ph = bytearray(image[phoff + 56 * i: phoff + 56 * (i + 1)])
        p_type, = struct.unpack_from("<I", ph, 0)
        offset, filesz = struct.unpack_from("<Q", ph, 8)[0], struct.unpack_from("<Q", ph, 32)[0]
        if p_type == 1 and filesz:
            cut = min(filesz, keep)
            struct.pack_into("<Q", ph, 8, data_start + len(data))
            struct.pack_into("<Q", ph, 32, cut)
            data += image[offset: offset + cut]
        phdrs += ph
    struct.pack_into("<Q", out, 0x20, 64)
    return bytes(out + phdrs + data)


def elf_header(entry, phnum):
    ident = b"\x7fELF" + bytes([2, 1, 1]) + b"\0" * 9
    return (ident + u16(2) + u16(62) + u32(1) + u64(entry) + u64(64) + u64(0) + u32(0) +
            u16(64) + u16(56) + u16(phnum) + u16(64) + u16(0) + u16(0))


def elf_phdr(p_type, flags, offset, addr, filesz, memsz):
    return u32(p_type) + u32(flags) + u64(offset) + u64(addr) + u64(addr) + u64(filesz) + \
        u64(memsz) + u64(0x1000)


def elf_seeds():
    for name, keep in (("testguest", 0x600), ("hostile", 0x400)):
        path = ROOT / "build" / "guest" / f"{name}.elf"
        if not path.is_file():
            raise SystemExit(f"error: {path} missing: make {path.relative_to(ROOT)}")
        image = path.read_bytes()
        write("elf", f"{name}-repacked", repack_elf(image, keep))
        if name == "testguest":
            write("elf", f"{name}-truncated", image[:0x1400])
    # Code and .bss in one segment, a note that is ignored, entry in the middle.
    code = bytes([0x90] * 15 + [0xF4])
    write("elf", "tiny-bss", elf_header(0x100008, 2) +
          elf_phdr(1, 5, 64 + 112, 0x100000, len(code), 0x3000) +
          elf_phdr(4, 4, 0, 0, 0, 0) + code)


# ---- bzimage: loader parameters, then a kernel's first 16 KiB (fuzz_bzimage.c) -------------

BZ_PAD, BZ_CMDLINE, BZ_RSDP = 0x01, 0x02, 0x04


def bzimage_params(flags, module_sizes, cmdline_len):
    sizes = list(module_sizes) + [0] * (2 - len(module_sizes))
    return u8(flags) + u8(len(module_sizes)) + u32(sizes[0]) + u32(sizes[1]) + u16(cmdline_len)


def bzimage_seeds():
    debian = (BZIMAGE_FIXTURES / "vmlinuz-6.1.0-57-amd64.head").read_bytes()
    cloud = (BZIMAGE_FIXTURES / "vmlinuz-6.1.0-57-cloud-amd64.head").read_bytes()
    # As they are, padded to their 8 and 14 MiB: too large (init_size) for 64 MiB.
    write("bzimage", "debian", bzimage_params(BZ_PAD | BZ_CMDLINE | BZ_RSDP, [0x1000], 40) +
          debian)
    write("bzimage", "cloud", bzimage_params(BZ_PAD | BZ_CMDLINE, [0x100, 0x30], 0) + cloud)
    # Cut to a 64 KiB kernel needing 16 MiB from 16 MiB: it loads, with two modules.
    small = bytearray(debian)
    struct.pack_into("<I", small, 0x1F4, 0x1000)            # syssize
    struct.pack_into("<I", small, 0x260, 0x1000000)         # init_size
    write("bzimage", "small", bzimage_params(BZ_PAD | BZ_CMDLINE | BZ_RSDP, [0x2001, 0x30], 64) +
          bytes(small))


# ---- multiboot_loader, multiboot2_loader: scenario prefix (tests/fuzz/multiboot_fuzz.h), then
# a kernel: ELF32 with code at 1 MiB and data after it, or a flat file with address fields -----

def mb_scenario(modules, cmdline, rsdp_mode, rsdp_gpa=0):
    sizes = list(modules) + [0] * (3 - len(modules))
    return (u8(len(modules)) + u8((1 if cmdline else 0) | rsdp_mode << 1) + u32(rsdp_gpa) +
            b"".join(u32(n) for n in sizes))


def mb_elf32_kernel(header, elf64=False):
    """Headers, the multiboot header at 0x80 (0xC0 after ELF64's), code at file 0x100 -> 0x100000 (entry +8),
    data at file 0x140 -> 0x101000 with .bss to 0x102000."""
    code = bytes([0x90] * 0x3F + [0xF4])
    if elf64:
        image = bytearray(elf_header(0x100008, 2) +
                          elf_phdr(1, 5, 0x100, 0x100000, 0x40, 0x40) +
                          elf_phdr(1, 6, 0x140, 0x101000, 0x10, 0x1000))
    else:
        image = bytearray(b"\x7fELF" + u8(1) + u8(1) + u8(1) + bytes(9) + u16(2) + u16(3) +
                          u32(1) + u32(0x100008) + u32(52) + u32(0) + u32(0) + u16(52) +
                          u16(32) + u16(2) + bytes(6))
        for offset, addr, filesz, memsz, flags in ((0x100, 0x100000, 0x40, 0x40, 5),
                                                   (0x140, 0x101000, 0x10, 0x1000, 6)):
            image += u32(1) + u32(offset) + u32(addr) + u32(addr) + u32(filesz) + u32(memsz) + \
                u32(flags) + u32(0x1000)
    image += bytes((0xC0 if elf64 else 0x80) - len(image)) + header
    image += bytes(0x100 - len(image)) + code + bytes(range(0x10))
    return bytes(image)


def mb1_header(flags, address=()):
    fields = b"".join(u32(v) for v in address)
    return u32(0x1BADB002) + u32(flags) + u32(-(0x1BADB002 + flags)) + fields


def mb2_header(*tags):
    body = b"".join(u16(t) + u16(f) + u32(8 + 4 * len(words)) + b"".join(u32(w) for w in words)
                    + bytes(-(8 + 4 * len(words)) % 8) for t, f, words in tags) + u32(0) + u32(8)
    length = 16 + len(body)
    return u32(0xE85250D6) + u32(0) + u32(length) + u32(-(0xE85250D6 + length)) + body


def multiboot_loader_seeds():
    write("multiboot_loader", "elf32-modules",
          mb_scenario((0x1234, 0x10), True, 0) + mb_elf32_kernel(mb1_header(3)))
    write("multiboot_loader", "elf64", mb_scenario((0x800,), False, 0) +
          mb_elf32_kernel(mb1_header(2), elf64=True))
    # a.out kludge: the file from 0x200000, .bss to 0x203000, entry at 0x200040; video.
    flat = mb1_header(0x10007, (0x200000, 0x200000, 0, 0x203000, 0x200040))
    flat += bytes(0x40 - len(flat)) + bytes([0x90] * 0x3F + [0xF4])
    write("multiboot_loader", "aout-kludge", mb_scenario((), True, 0) + flat)


def multiboot2_loader_seeds():
    write("multiboot2_loader", "elf32-information",
          mb_scenario((0x1000,), True, 2) + mb_elf32_kernel(mb2_header(
              (1, 0, (1, 2, 3, 4, 6, 8, 15, 21)), (6, 0, ()), (4, 0, (3,)))))
    write("multiboot2_loader", "optional-tags",
          mb_scenario((0x10, 0x10, 0x10), False, 1) + mb_elf32_kernel(mb2_header(
              (5, 1, (1024, 768, 32)), (7, 1, ()), (9, 1, (0x100000,)), (42, 1, (1,)),
              (1, 1, (9, 17)), (10, 0, (0x200000, 0x400000, 0x200000, 1)))))
    # Address and entry tags: the whole file from 0x300000 (load_addr -1), .bss to 0x302000.
    flat = mb2_header((2, 0, (0x300000, 0xFFFFFFFF, 0, 0x302000)), (3, 0, (0x300080,)))
    flat += bytes(0x80 - len(flat)) + bytes([0x90] * 0x3F + [0xF4])
    write("multiboot2_loader", "address-tag", mb_scenario((), True, 3, 0x3FFF00) + flat)


# ---- cmdline: u8 value size, key, NUL, command line --------------------------------------

def cmdline_seeds():
    cases = [
        ("console", 16, b"console=0x2f8 loglevel=debug partitions=demo"),
        ("partitions", 32, b"partitions=solo partitions=demo"),
        ("loglevel", 8, b"loglevel=verylongvalue loglevel=info"),
        ("acpidump", 4, b"acpidump\tselftest=nmi\r\n"),
        ("focus", 24, b"focus=beta console=0xffffffffffffffff"),
        ("x", 24, b"x=18446744073709551615 y=18446744073709551616"),
        ("selftest", 0, b"selftest= selftest=0x"),
    ]
    for key, size, line in cases:
        write("cmdline", key, u8(size) + key.encode() + b"\0" + line)


# ---- partition: a table in fuzz_partition.c's encoding ----------------------------------

TABLE_NAMES = ["t", "demo", "", None]
PART_NAMES = ["alpha", "beta", "gamma", "", None, "long"]
MODULES = ["testguest", "hostile", "absent", "", None]


def quantity(value, unit):
    if value == 0:
        return u8(3)
    if value % unit == 0 and value // unit <= 0xFFFF:
        return u8(1) + u16(value // unit)
    return u8(0) + u64(value)


def partition(name, cpu, mib, module, console, flat=None, ports=(), msrs=(), mmio=(),
              focus=False, host_base=0):
    load, entry = flat if flat else (0, 0)
    out = u8(PART_NAMES.index(name)) + u8(cpu) + quantity(mib << 20, 2 << 20)
    out += quantity(host_base, 2 << 20) + u8(MODULES.index(module)) + u8(1 if flat else 0)
    out += quantity(load, 0x1000) + quantity(entry, 0x1000)
    out += u8(len(ports)) + b"".join(u16(f) + u16(l) + u8(a) for f, l, a in ports)
    out += u8(len(msrs)) + b"".join(u32(f) + u32(l) + u8(a) for f, l, a in msrs)
    out += u8(len(mmio)) + b"".join(quantity(g, 0x1000) + quantity(h, 0x1000) +
                                    quantity(s, 0x1000) for g, h, s in mmio)
    return out + u16(console) + u8(focus) + u32(0)


def partition_table(name, parts, cpus=0b11, modules=0b11, console=0x3F8):
    return (u8(TABLE_NAMES.index(name)) + u8(len(parts)) + b"".join(parts) +
            u64(cpus) + u8(modules) + u16(console))


def partition_seeds():
    write("partition", "demo", partition_table("t", [
        partition("alpha", 0, 32, "testguest", 0x3F8),
        partition("beta", 1, 32, "testguest", 0x3F8)]))
    write("partition", "grants", partition_table("t", [
        partition("alpha", 0, 64, "hostile", 0x2F8, ports=[(0x70, 0x71, 3), (0xCF8, 0xCFF, 1)],
                  msrs=[(0x10, 0x10, 1), (0xC0000080, 0xC0000084, 3)],
                  mmio=[(0xFEC00000, 0xFEC00000, 0x1000)], focus=True, host_base=0x40000000),
        partition("beta", 1, 2, "testguest", 0x3F8, flat=(0x1000, 0x1000),
                  ports=[(0x80, 0x80, 2)])], cpus=0b1, modules=0b1))
    write("partition", "clashes", partition_table("demo", [
        partition("alpha", 3, 32, "absent", 0x3F8, ports=[(0x3F8, 0x3FF, 3)]),
        partition("alpha", 3, 3, "", 0, msrs=[(0x2000, 0x1FFF, 4)], focus=True),
        partition(None, 70, 0, None, 0xFFFC, mmio=[(0, 0x1000, 0x1001)], focus=True)]))


# ---- shell_parse and line_editor -----------------------------------------------------------

def shell_seeds():
    lines = [b"help", b"help mem", b"vmcs alpha exit", b"mem alpha 0x100000 64",
             b"cpuid 0x80000001 0", b"rdmsr 0 0x1b", b"log debug", b"ept beta 0xfee00000",
             b"  yes\t", b"reboot", b"mem alpha 0x1 0x2 0x3", b"vmcs al!pha",
             b"cpuid 0x100000000", b"x" * 129]
    for i, line in enumerate(lines):
        write("shell_parse", f"line{i:02}", line)
    keys = [
        (3, b"he\t\r"),                                 # completes "help "
        (3, b"vmcs al\t\t\t\x7fbeta ex\t\r"),            # names, a list, an area
        (3, b"parts\rcpus\r\x1b[A\x1b[A\x1b[B\x1bOA\r"),  # history
        (0x10, b"abc\x08\x7f\x15mem alpha 0x0\r\nlog \t\t\x03"),
        (5, b"x" * 130 + b"\r"),                        # typing past SHELL_LINE_MAX
        (8, b"stop \t\t\xff\r"),                        # an endless name list
    ]
    for i, (setup, k) in enumerate(keys):
        write("line_editor", f"keys{i}", u8(setup) + k)


# ---- vuart and line_queue: operation bytes (fuzz_vuart.c, fuzz_line_queue.c) -------------

def vuart_read(reg): return u8(0x00 | reg)
def vuart_write(reg, v): return u8(0x20 | reg) + u8(v)
def vuart_receive(b): return u8(0x40) + u8(b)


def vuart_seeds():
    # Linux's 8250 probe: scratch test, loopback test, FIFO detection, divisor latch.
    probe = (vuart_write(7, 0x55) + vuart_read(7) + vuart_write(1, 0) + vuart_read(1) +
             vuart_write(4, 0x1F) + vuart_read(6) + vuart_write(0, 0x41) + vuart_read(5) +
             vuart_read(0) + vuart_write(4, 0) + vuart_read(6) + vuart_write(2, 0x07) +
             vuart_read(2) + vuart_write(2, 0xC7) + vuart_write(3, 0x80) + vuart_write(0, 1) +
             vuart_write(1, 0) + vuart_read(0) + vuart_write(3, 0x03) + vuart_write(4, 0x0B) +
             vuart_write(1, 0x0F) + vuart_read(2) + u8(0x80))
    write("vuart", "linux-probe", probe)
    rx = vuart_write(2, 0x41) + vuart_write(1, 0x05) + vuart_write(4, 0x08)
    rx += b"".join(vuart_receive(b) for b in b"0123456789abcdefgh") + u8(0x80)
    rx += vuart_read(5) + vuart_read(2) + b"".join(vuart_read(0) for _ in range(18))
    write("vuart", "rx-overrun", rx + u8(0x80) + vuart_read(5))
    wide = u8(0x60) + u8(2) + u32(0x030201) + u8(0x63) + u8(6) + u32(0) + u8(0xA5) + \
        u8(0xC3) + u8(0x7) + u8(0x80) + u8(0xE0) + vuart_read(5) + vuart_read(6)
    write("vuart", "wide-and-reset", wide)


# ---- vlapic and vioapic: operation bytes (fuzz_vlapic.c, fuzz_vioapic.c) -----------------

def la_reg_write(reg, v): return u8(0x20) + u8(reg >> 4) + u32(v)
def la_reg_read(reg): return u8(0xE0) + u8(reg >> 4)
def la_msr_write(sel, v): return u8(0x40) + u8(sel) + u64(v)
def la_msr_read(sel): return u8(0x30) + u8(sel)
def la_time(delta, shift=0): return u8(0x50 | shift) + u32(delta)


LA_ACK, LA_EOI, LA_EOI_MMIO = u8(0x70), u8(0x80), u8(0x81)


def vlapic_seeds():
    head = u8(3) + u64(2000000000) + u64(100000000)       # x2APIC and TSC deadline offered
    # Linux's xAPIC bring-up: ID and version, SVR, LVTs, ESR, a self-IPI, the timer one-shot
    # then periodic, an I/O APIC level interrupt and its EOI.
    boot = (la_reg_read(0x20) + la_reg_read(0x30) + la_reg_write(0xF0, 0x1FF) +
            la_reg_write(0x80, 0) + la_reg_write(0x350, 0x700) + la_reg_write(0x360, 0x400) +
            la_reg_write(0x370, 0xFE) + la_reg_write(0x280, 0) + la_reg_read(0x280) +
            la_reg_write(0x300, 0x40041) + LA_ACK + LA_EOI_MMIO +
            la_reg_write(0x3E0, 0xB) + la_reg_write(0x320, 0x30) + la_reg_write(0x380, 1000) +
            la_time(5000) + la_reg_read(0x390) + la_time(6000) + LA_ACK + LA_EOI +
            la_reg_write(0x320, 0x20030) + la_reg_write(0x380, 500) + la_time(12000) +
            LA_ACK + LA_EOI + u8(0x62) + u8(0x39) + LA_ACK + LA_EOI_MMIO +
            u8(0x90) + u8(0) + u8(0x41) + u8(0) + LA_ACK + LA_EOI)
    write("vlapic", "linux-xapic", head + boot)
    # x2APIC mode, TSC-deadline timer, SELF IPI and ICR through MSRs, then disable.
    x2 = (u8(0xB3) + la_msr_write(0x0F, 0x1FF) + la_msr_read(0x02) + la_msr_read(0x03) +
          la_msr_write(0x32, 0x40030) + la_msr_write(0xF8, 5000) + la_msr_read(0xF8) +
          la_time(6000) + LA_ACK + la_msr_write(0x0B, 0) + la_msr_write(0x3F, 0x55) +
          la_msr_write(0x30, 0x56) + la_msr_write(0x30, 0xFFFFFFFF00000057) + LA_ACK + LA_ACK +
          la_msr_write(0x08, 0x60) + la_msr_read(0x0A) + la_msr_write(0xF0, 0xFEE00000) +
          la_msr_write(0xF0, 0xFEE00C00) + u8(0xB1) + la_reg_read(0xF0))
    write("vlapic", "x2apic-deadline", head + x2)
    # Masked and periodic timers over big time steps, priorities, a reset.
    timer = (la_reg_write(0xF0, 0x1FF) + u8(0xF5) + u16(300) + la_time(0xFFFF, 8) +
             u8(0xF1) + u16(7) + la_time(0xFFFFFFFF, 15) + LA_ACK + u8(0xC0) + u8(0x80) +
             u8(0x61) + u8(0x85) + u8(0x61) + u8(0x95) + LA_ACK + LA_ACK + LA_EOI + LA_EOI +
             u8(0xD0) + u8(0x33) + u8(0xA0) + la_reg_read(0x3E0))
    write("vlapic", "timers-priorities", u8(1) + u64(3000000000) + u64(70000000) + timer)


def vioapic_seeds():
    def program(pin, low, dest=0): return u8(0xE0 | pin) + u32(low) + u8(dest)
    def line(pin, up): return u8(0x40 | pin) + u8(1 if up else 0)
    def eoi(vector, reg=False): return u8(0x61 if reg else 0x60) + u8(vector)
    def mmio(offset, how, value=0): return u8(0) + u16(offset) + u8(how) + u32(value)
    # Linux's set-up: version and ID through the window, ISA edge pins, the SCI level pin.
    setup = (mmio(0, 0x0A, 1) + mmio(0x10, 0x02) + mmio(0, 0x0A, 0) + mmio(0x10, 0x02) +
             program(2, 0x30) + program(4, 0x34) + program(9, 0xA039) + line(4, True) +
             line(4, False) + line(4, True) + line(9, True) + eoi(0x39) + line(9, False) +
             eoi(0x39, True) + line(2, True) + u8(0x80) + u8(0x12))
    write("vioapic", "linux-setup", setup)
    level = (program(10, 0x803A, 0) + u8(0xA1) + line(10, True) + u8(0xA0) + eoi(0x3A) +
             program(10, 0x1803A) + program(10, 0x803A) + program(10, 0x3A) + program(1, 0x8400) +
             line(1, True) + program(3, 0x523) + line(3, True) + line(30, True) + u8(0xC0))
    write("vioapic", "level-nmi-modes", level)
    odd = (mmio(0, 0x09, 0x11) + mmio(0x10, 0x0A, 0xFF000000) + mmio(0x11, 0x01) +
           mmio(0x10, 0x08, 0) + mmio(0x12, 0x02) + mmio(0x40, 0x08, 0x30) + mmio(0xFFF, 0x03) +
           u8(0x20) + u8(0x3F) + u32(0xFFFFFFFF) + u8(0x80) + u8(0x3F))
    write("vioapic", "odd-accesses", odd)


FULL = 163                  # LINE_QUEUE_OUT_MAX: a popped line is never cut


def lq_putc(s): return b"".join(u8(0) + u8(c) for c in s)
def lq_run(c, n): return u8(3) + u8(c) + u8(n)
def lq_pop(size, counted=True): return u8(1 if counted else 5) + u8(size)


def line_queue_seeds():
    write("line_queue", "lines", lq_putc(b"hello\r\nworld\t\x1b[0m\n") + lq_pop(FULL) +
          lq_pop(4) + lq_pop(0, False) + lq_putc(b"partial") + u8(2) + lq_pop(FULL))
    write("line_queue", "long-line", lq_run(ord("x"), 255) + lq_run(ord("y"), 100) +
          lq_putc(b"\n") + lq_pop(FULL) + lq_pop(8) + lq_pop(FULL))
    write("line_queue", "flood", lq_run(ord("\n"), 70) + u8(6) + lq_pop(FULL) +
          lq_putc(b"after\n") + lq_run(ord("\n"), 10) + lq_pop(FULL) + lq_pop(FULL))


# ---- cmos_rtc and pc_legacy: operation bytes (fuzz_cmos_rtc.c, fuzz_pc_legacy.c) ----------

def cmos_index(v): return u8(0x00) + u8(v)
def cmos_read(reg): return cmos_index(reg) + u8(0x20)
def cmos_write(reg, v): return cmos_index(reg) + u8(0x40) + u8(v)


def cmos_rtc_seeds():
    # Linux's mc146818_get_time at 1999-12-31 23:59:58: A, the clock, A, the seconds again.
    clock = b"".join(cmos_read(r) for r in (0x0A, 0, 2, 4, 7, 8, 9, 0x32, 0x0B, 0x0A, 0))
    write("cmos_rtc", "linux-read", u32(946684798) + clock + u8(0x60) + u32(1) + clock +
          u8(0x60) + u32(1) + clock)
    # Binary 12-hour, SET and a clock write, the NVRAM, a jump to the far future.
    modes = (cmos_write(0x0B, 0x04) + clock + cmos_write(0x0B, 0x86) + cmos_write(0, 0x12) +
             u8(0x60) + u32(100) + clock + cmos_write(0x0B, 0x02) + clock +
             cmos_write(0x0F, 0x0A) + cmos_read(0x0F) + cmos_index(0x8D) + u8(0x20) + u8(0xE0))
    write("cmos_rtc", "modes", u32(1796122669) + modes + u8(0xC0) + u64(2**64 - 1) + clock)
    wide = (u8(0x81) + u32(0x7720) + u8(0x95) + u32(0) + u8(0x9E) + u32(0) + u8(0xA0) +
            u64(64 << 20) + cmos_read(0x15) + cmos_read(0x2E) + u8(0x61) + u32(7200) + clock +
            u8(0xE0) + u64(4107542399))
    write("cmos_rtc", "wide-memory", u32(4102444799) + wide + clock)


def pic_byte(slave, read, offset, v=0):
    return u8(0x00 | (slave << 4) | (read << 3) | offset) + u8(v)


def pc_legacy_seeds():
    # Linux: the 8259 probe and initialization, then every line masked.
    pic = pic_byte(1, 0, 1, 0xFF) + pic_byte(0, 0, 1, 0xFB) + pic_byte(0, 1, 1)
    for slave, base, icw3 in ((0, 0x30, 0x04), (1, 0x38, 0x02)):
        pic += pic_byte(slave, 0, 0, 0x11) + pic_byte(slave, 0, 1, base) + \
            pic_byte(slave, 0, 1, icw3) + pic_byte(slave, 0, 1, 0x01)
    pic += pic_byte(0, 0, 0, 0x0B) + pic_byte(0, 1, 0) + pic_byte(0, 0, 0, 0x0C) + \
        pic_byte(0, 1, 1) + u8(0x35) + u32(0x3C0B) + u8(0x2A) + u32(0)
    # ACPI: enable the power button, press it, clear it, read the timer, S5.
    pm = (u8(0x40) + u8(0x12) + u32(0x0100) + u8(0xC0) + u8(0x60) + u8(0x60) + u32(3579) +
          u8(0x48) + u8(0x28) + u8(0x10) + u32(0x0100) + u8(0x40) + u8(0x14) + u32(0x8000) +
          u8(0x40) + u8(0x14) + u32(0x1401) + u8(0x40) + u8(0x14) + u32(0x3401) +
          u8(0x40) + u8(0x05) + u32(0x24))
    # Reset: Linux's reboot=pci, the FADT's value, a wide write, the 8042 pulse.
    reset = (u8(0x88) + u8(0) + u8(0x80) + u8(0x02) + u8(0x80) + u8(0x06) + u8(0x82) + u8(0x0E) +
             u8(0x80) + u8(0x00) + u8(0x80) + u8(0x0E) + u8(0xA8) + u8(0) + u8(0xA0) + u8(0xFE))
    write("pc_legacy", "linux-boot", u64(0x1000) + u64(2400000000) + pic + pm + reset)
    timer = (u8(0x7F) + u32(0xFFFFFFFF) + u8(0x48) + u8(0x68) + u8(0xE0) + u64(2**64 - 1) +
             u64(3) + u64(5153376776576) + u8(0x60) + u32(1) + u8(0x48) + u8(0x1A))
    write("pc_legacy", "timer-limits", u64(2**63) + u64(3579545) + timer + u8(0xE0) + u64(7) +
          u64(0) + u64(0) + u8(0x48))


# ---- cpuid: facts, a host (max basic, extended count, 16 pool leaves), then queries ------

def cpuid_facts(flags, secondary, cr4, xcr0, tsc_hz, phys):
    return u8(flags) + u32(secondary) + u64(cr4) + u64(xcr0) + u64(tsc_hz) + u8(phys)


def cpuid_host(max_basic, extended, pool):
    return u8(max_basic) + u8(extended) + b"".join(u32(r) for regs in pool for r in regs)


def cpuid_query(rng, leaf, subleaf=0, cr4=0, xcr0=1):
    return u8(rng) + u32(leaf) + u32(subleaf) + u64(cr4) + u32(xcr0)


def cpuid_seeds():
    # Bochs corei7_skylake_x's leaves 1, 7, 0xD.0/1/2, 4 (tests/unit/fixtures/cpuid) in the
    # pool, its VMX CR4 fixed-1 bits and the secondary controls tessera takes there.
    skylake = [(0x00050654, 0x00010800, 0x7ffaf3bf, 0xbfebfbff), (0, 0xd19f27eb, 0, 0),
               (0xe7, 0x240, 0xa80, 0), (0xf, 0, 0, 0), (0x100, 0x240, 0, 0),
               (0x1c004121, 0x01c0003f, 0x3f, 0)] + [(0, 0, 0, 0)] * 10
    queries = b"".join(cpuid_query(0, leaf) for leaf in (0, 1, 4, 6, 7, 0xB, 0xD, 0x15, 0x16))
    queries += cpuid_query(4, 0xD, 0, 1 << 18, 7) + cpuid_query(1, 1) + cpuid_query(1, 8)
    queries += cpuid_query(2, 0) + cpuid_query(3, 0x80000009)
    write("cpuid", "bochs-skylake", cpuid_facts(0x01, 0x1010AA, 0x3707FF, 0xE7, 50000000, 48)
          + cpuid_host(0x16, 8, skylake) + queries)
    everything = [(0xFFFFFFFF,) * 4] * 16
    write("cpuid", "all-ones", cpuid_facts(0xFF, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF,
                                           0xFFFFFFFFFFFFFFFF, 5000000003, 0)
          + cpuid_host(0x1F, 8, everything) + queries + cpuid_query(4, 7, 0, 1 << 22, 0x2E7))
    write("cpuid", "old-host", cpuid_facts(0x01, 0x8, 0x3707FF, 0x7, 1800000000, 36)
          + cpuid_host(0xD, 4, skylake) + queries)


def main():
    multiboot2_seeds()
    acpi_seeds()
    elf_seeds()
    bzimage_seeds()
    multiboot_loader_seeds()
    multiboot2_loader_seeds()
    cmdline_seeds()
    partition_seeds()
    shell_seeds()
    vuart_seeds()
    vlapic_seeds()
    vioapic_seeds()
    line_queue_seeds()
    cmos_rtc_seeds()
    pc_legacy_seeds()
    cpuid_seeds()
    total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    print(f"seeds written; corpus tree {total} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
