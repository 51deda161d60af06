"""Emulator tests of the consoles a real PC may offer instead of COM1 (docs/REAL_HARDWARE.md):
a PCI serial card, the UART an ACPI SPCR table names, the screen (EGA text under SeaBIOS, a
linear framebuffer under OVMF and VBE) and the PS/2 keyboard. suite.py adds them to TESTS.

The screen is read back through QMP: EGA text memory with pmemsave, a framebuffer with
screendump decoded cell by cell with the console's own font (tests/emu/screen.py)."""

import struct
import time

from . import screen
from .harness import VM_DIR, EmuTest, Machine, TestFailure

READY = r"^boot: ready$"
SHELL = r"^shell: type help for the commands$"
NO_EXCEPTION = (r"exception:",)
SCREEN_SETTLE = 0.5                  # seconds for the last line to be drawn after the log has it

# Where QEMU puts the SPCR's UART: no PC serial port uses it, so only SPCR can name it.
SPCR_PORT = 0x2A0


def spcr_table(interface_type, port, baud_code=7, revision=2):
    """An SPCR table (Microsoft SPCR specification) naming a UART at an I/O port."""
    body = bytearray(80 - 36)
    body[0] = interface_type
    body[4:16] = struct.pack("<BBBBQ", 1, 8, 0, 1, port)     # GAS: I/O, 8 bits, byte access
    body[22] = baud_code
    body[24] = 1                                             # one stop bit
    body[28:32] = struct.pack("<HH", 0xFFFF, 0xFFFF)          # not a PCI device
    header = struct.pack("<4sIBB6s8sI4sI", b"SPCR", 80, revision, 0, b"TESSRA", b"TESTSPCR",
                         1, b"TSRA", 1)
    table = bytearray(header + body)
    table[9] = (-sum(table)) & 0xFF
    return bytes(table)


def spcr_file(name, table):
    """The table as a file for QEMU's -acpitable file=...; written when absent or stale."""
    VM_DIR.mkdir(parents=True, exist_ok=True)
    path = VM_DIR / f"{name}.spcr"
    if not path.exists() or path.read_bytes() != table:
        path.write_bytes(table)
    return path


def _typed(steps, timeout=30):
    """interact: for each (text typed on the PS/2 keyboard, regexes expected on the serial
    console after it), type the text through QMP send-key and wait for every regex."""
    def run(session):
        for text, expect in steps:
            mark = session.mark()
            for piece in text if isinstance(text, list) else [text]:
                if isinstance(piece, tuple):
                    session.qmp.send_keys(list(piece))
                else:
                    session.qmp.type_text(piece)
            w = session.wait_for(expect, timeout, since=mark)
            if not w.ok:
                raise TestFailure(f"after typing {text!r}: missing "
                                  + " ".join(f"/{m}/" for m in w.missing))
    return run


def _screen_rows(session, ega):
    time.sleep(SCREEN_SETTLE)
    if ega:
        return screen.ega_rows(session.qmp.read_memory(screen.EGA_TEXT, 80 * 25 * 2,
                                                       VM_DIR / f"{session.name}.ega"))
    return screen.framebuffer_rows(session.qmp.screendump(VM_DIR / f"{session.name}.ppm"))


def _screen_shows(rows_expected, ega, typed=None):
    """interact: optionally type `typed` on the keyboard, then read the screen and require
    each regex in rows_expected to match some row of it."""
    import re

    def run(session):
        if typed:
            session.qmp.type_text(typed)
        deadline = time.monotonic() + 20
        while True:
            rows = _screen_rows(session, ega)
            missing = [r for r in rows_expected if not any(re.search(r, row) for row in rows)]
            if not missing:
                return None
            if time.monotonic() > deadline:
                shown = "\n".join(f"    screen| {row}" for row in rows if row)
                raise TestFailure("screen lacks " + " ".join(f"/{m}/" for m in missing)
                                  + "\n" + shown)
    return run


QEMU_PCI_SERIAL = Machine(emulator="qemu", mem_mib=64, serial_device="pci-serial")
QEMU_SPCR = Machine(emulator="qemu", mem_mib=64,
                    serial_device=f"isa-serial,iobase={SPCR_PORT:#x}",
                    qemu_args=("-acpitable",
                               f"file={spcr_file('spcr-0x2a0', spcr_table(0, SPCR_PORT))}"))
QEMU_SPCR_PL011 = Machine(emulator="qemu", mem_mib=64,
                          qemu_args=("-acpitable",
                                     f"file={spcr_file('spcr-pl011', spcr_table(3, 0x3F8))}"))
QEMU_SPCR_COM1_9600 = Machine(emulator="qemu", mem_mib=64,
                              qemu_args=("-acpitable", "file=" + str(spcr_file(
                                  "spcr-com1-9600", spcr_table(0, 0x3F8, baud_code=3)))))
QEMU_BIOS_QMP = Machine(emulator="qemu", mem_mib=64, qmp=True)
QEMU_OVMF_QMP = Machine(emulator="qemu", firmware="uefi", mem_mib=64, qmp=True)


def console_tests(scripted):
    """The tests; scripted is suite.scripted (typing over the serial console)."""
    version = [("version", [r"^tessera 0\.1\.0, commit [0-9a-f]+"])]
    return [
        # A PC without any ISA serial port: the log and the shell on a PCI serial card.
        EmuTest(
            name="qemu-pci-serial",
            machine=QEMU_PCI_SERIAL,
            serial="socket",
            expect=[r"^console: serial 0x[0-9a-f]+ \(PCI 00:[0-9a-f]{2}\.0\), ",
                    r"^console: uart 0x[0-9a-f]+ 115200 8N1 \(PCI 00:[0-9a-f]{2}\.0\)$",
                    r"^console: uart 0x3f8 \(COM1\): no UART answers$",
                    READY, SHELL],
            forbid=NO_EXCEPTION + (r"^console: .*\(COM1\),",),
            interact=scripted(version, timeout=20),
            timeout=30,
        ),
        # The UART only the firmware's SPCR table knows about (no COM port there).
        EmuTest(
            name="qemu-spcr-uart",
            machine=QEMU_SPCR,
            serial="socket",
            expect=[rf"^console: serial {SPCR_PORT:#x} \(SPCR\), ",
                    rf"^console: uart {SPCR_PORT:#x} 115200 8N1 \(SPCR\)$",
                    r"^acpi: tables: .*\bSPCR\b",
                    READY, SHELL],
            forbid=NO_EXCEPTION + (r"^acpi: SPCR:",),
            interact=scripted(version, timeout=20),
            timeout=30,
        ),
        # An SPCR naming a UART this driver cannot run is reported; COM1 carries on.
        EmuTest(
            name="qemu-spcr-not-16550",
            machine=QEMU_SPCR_PL011,
            expect=[r"^console: serial 0x3f8 \(COM1\), ",
                    r"^acpi: SPCR: interface type 0x3 is not a 16550$", READY],
            forbid=NO_EXCEPTION + (r"\(SPCR\)",),
            timeout=30,
        ),
        # The firmware redirects its console to COM1 at 9600 baud: COM1 keeps that speed.
        EmuTest(
            name="qemu-spcr-com1-baud",
            machine=QEMU_SPCR_COM1_9600,
            expect=[r"^console: serial 0x3f8 \(COM1\), ", r"^console: uart 0x3f8 9600 8N1$",
                    READY],
            forbid=NO_EXCEPTION + (r"\(SPCR\)", r"115200"),
            timeout=30,
        ),
        # SeaBIOS: GRUB leaves VGA text mode; the log and the prompt are in EGA text memory.
        EmuTest(
            name="qemu-screen-ega",
            machine=QEMU_BIOS_QMP,
            expect=[r"^console: serial 0x3f8 \(COM1\), screen EGA text 80x25, keyboard$",
                    r"^console: EGA text 80x25 at 0xb8000$", READY, SHELL],
            forbid=NO_EXCEPTION,
            interact=_screen_shows([r"^boot: ready$", SHELL, r"^tessera>$"], ega=True),
            timeout=30,
        ),
        # OVMF: the GOP framebuffer, drawn with the console font; typing on the keyboard
        # shows the shell's answer on the screen.
        EmuTest(
            name="qemu-screen-ovmf",
            machine=QEMU_OVMF_QMP,
            expect=[r"^console: serial 0x3f8 \(COM1\), framebuffer \d+x\d+x32, keyboard$",
                    r"^console: framebuffer \d+x\d+x32 at 0x[0-9a-f]+, \d+x\d+ characters, "
                    r"write-combining$", READY, SHELL],
            forbid=NO_EXCEPTION,
            interact=_screen_shows([r"^boot: ready$", SHELL,
                                    r"^tessera> version$", r"^tessera 0\.1\.0, commit "],
                                   ega=False, typed="version\n"),
            timeout=90,
        ),
        # SeaBIOS with a VBE mode: a 24-bit linear framebuffer.
        EmuTest(
            name="qemu-screen-vbe24",
            machine=QEMU_BIOS_QMP,
            gfxpayload="800x600x24",
            expect=[r"^console: framebuffer 800x600x24 at 0x[0-9a-f]+, 100x37 characters, "
                    r"write-combining$", READY, SHELL],
            forbid=NO_EXCEPTION,
            interact=_screen_shows([r"^boot: ready$", r"^tessera>$"], ega=False),
            timeout=30,
        ),
        # The shell typed at on the PS/2 keyboard: Shift, Backspace, Ctrl-U, Ctrl-C, Enter.
        EmuTest(
            name="qemu-keyboard-shell",
            machine=QEMU_BIOS_QMP,
            expect=[r"^console: keyboard i8042, scan code set 1 \(translated\)$", SHELL],
            forbid=NO_EXCEPTION + (r'unknown command "garbage',),
            interact=_typed([
                ("Version\n", [r'^unknown command "Version"; type help$']),
                ("versiox\bn\n", [r"^tessera 0\.1\.0, commit [0-9a-f]+"]),
                (["garbage", ("ctrl", "u"), "uptime\n"], [r"^up \d"]),
                (["cpus", ("ctrl", "c")], [r"\^C$"]),
                ("help\n", [r"vmcs <part> \[area\]"]),
            ]),
            timeout=60,
        ),
    ]
