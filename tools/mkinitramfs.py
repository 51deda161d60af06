#!/usr/bin/env python3
"""Builds the Linux partition's initramfs: a newc cpio archive (the kernel's
Documentation/driver-api/early-userspace/buffer-format.rst) holding busybox-static as
/bin/busybox, busybox init as /init with an inittab that mounts proc and sys, prints the
marker line and keeps a shell on ttyS0, and a 64 KiB text file /bench/64k.txt for make bench's
console throughput. Written directly, so device nodes need no root.
  python3 tools/mkinitramfs.py BUSYBOX OUT.cpio
"""
import sys
from pathlib import Path

MARKER = "tessera-linux: init reached"

INITTAB = """\
::sysinit:/etc/rcS
ttyS0::respawn:-/bin/sh
::shutdown:/bin/umount -a -r
"""

RCS = f"""\
#!/bin/sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "{MARKER}"
"""

S_IFDIR, S_IFREG, S_IFLNK, S_IFCHR = 0o040000, 0o100000, 0o120000, 0o020000


class Cpio:
    def __init__(self):
        self.data = bytearray()
        self.ino = 1

    def _entry(self, name, mode, body=b"", rdev=(0, 0)):
        name_bytes = name.encode() + b"\0"
        fields = [self.ino, mode, 0, 0, 1, 0, len(body), 0, 0, rdev[0], rdev[1],
                  len(name_bytes), 0]
        self.ino += 1
        header = "070701" + "".join(f"{v:08X}" for v in fields)
        self.data += header.encode() + name_bytes
        self.data += b"\0" * (-len(self.data) % 4)
        self.data += body
        self.data += b"\0" * (-len(self.data) % 4)

    def directory(self, name):
        self._entry(name, S_IFDIR | 0o755)

    def file(self, name, body, perm=0o644):
        self._entry(name, S_IFREG | perm, body)

    def symlink(self, name, target):
        self._entry(name, S_IFLNK | 0o777, target.encode())

    def char_device(self, name, major, minor):
        self._entry(name, S_IFCHR | 0o600, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0)
        self.data += b"\0" * (-len(self.data) % 512)
        return bytes(self.data)


def bench_text():
    """64 KiB for make bench's console throughput: 1024 lines of 63 characters and a newline."""
    line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "".join(f"{i:04d} {line[:58]}\n" for i in range(1024)).encode()


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: mkinitramfs.py BUSYBOX OUT.cpio")
    busybox = Path(sys.argv[1]).read_bytes()
    if busybox[:4] != b"\x7fELF":
        sys.exit(f"error: mkinitramfs: {sys.argv[1]} is not an ELF executable")
    c = Cpio()
    for d in ("bin", "sbin", "etc", "proc", "sys", "dev", "tmp", "root"):
        c.directory(d)
    c.file("bin/busybox", busybox, 0o755)
    c.symlink("bin/sh", "busybox")
    c.symlink("init", "bin/busybox")
    c.file("etc/inittab", INITTAB.encode())
    c.file("etc/rcS", RCS.encode(), 0o755)
    c.char_device("dev/console", 5, 1)
    c.char_device("dev/ttyS0", 4, 64)
    c.char_device("dev/null", 1, 3)
    c.directory("bench")
    c.file("bench/64k.txt", bench_text())
    out = Path(sys.argv[2])
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_bytes(c.finish())
    tmp.replace(out)


if __name__ == "__main__":
    main()
