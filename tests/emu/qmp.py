"""A small QMP client (QEMU Machine Protocol) for emulator tests that look at the screen or
type on the keyboard: screendump, pmemsave, send-key. Python 3 standard library only."""

import json
import shutil
import socket
import tempfile
import time
from pathlib import Path

CONNECT_SECONDS = 20.0
REPLY_SECONDS = 30.0

# QEMU key codes ("qcode") for characters a test types; letters and digits are themselves.
_QCODES = {" ": "spc", "\n": "ret", "\r": "ret", "\b": "backspace", "\t": "tab",
           "-": "minus", "=": "equal", ".": "dot", ",": "comma", "/": "slash",
           ";": "semicolon", "'": "apostrophe", "[": "bracket_left", "]": "bracket_right",
           "\\": "backslash", "`": "grave_accent"}
_SHIFTED = {"_": "-", "+": "=", ">": ".", "<": ",", "?": "/", ":": ";", '"': "'",
            "{": "[", "}": "]", "|": "\\", "~": "`", "!": "1", "@": "2", "#": "3",
            "$": "4", "%": "5", "^": "6", "&": "7", "*": "8", "(": "9", ")": "0"}


class QmpError(RuntimeError):
    pass


def key_combo(ch):
    """The qcodes pressed together to type one character (US layout)."""
    if ch.isascii() and ch.isalpha():
        return (["shift"] if ch.isupper() else []) + [ch.lower()]
    if ch.isascii() and ch.isdigit():
        return [ch]
    if ch in _SHIFTED:
        return ["shift"] + key_combo(_SHIFTED[ch])
    if ch in _QCODES:
        return [_QCODES[ch]]
    raise ValueError(f"no key for {ch!r}")


class Qmp:
    """One QMP connection; the emulator listens on `path` (server=on,wait=off)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="tessera-qmp-"))
        self.path = self.dir / "qmp.sock"
        self.sock = None
        self.buf = b""

    def _connect(self):
        deadline = time.monotonic() + CONNECT_SECONDS
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(str(self.path))
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise QmpError(f"QMP socket {self.path} did not accept a connection")
                time.sleep(0.05)
        s.settimeout(REPLY_SECONDS)
        self.sock = s
        self._message()                      # the greeting
        self.execute("qmp_capabilities")

    def _message(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise QmpError("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def execute(self, command, **arguments):
        """Runs one command and returns its "return" value; events are skipped."""
        if self.sock is None and command != "qmp_capabilities":
            self._connect()
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._message()
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise QmpError(f"{command}: {reply['error'].get('desc', reply['error'])}")

    def screendump(self, path):
        """The display as a PPM file at path (QEMU's default format)."""
        self.execute("screendump", filename=str(path))
        return Path(path).read_bytes()

    def read_memory(self, address, size, path):
        """size bytes of guest-physical memory from address, through a file."""
        self.execute("pmemsave", val=address, size=size, filename=str(path))
        return Path(path).read_bytes()

    def type_text(self, text, pause=0.08):
        """Types text on the emulated keyboard, one key (combination) at a time."""
        for ch in text:
            self.send_keys(key_combo(ch), pause)

    def send_keys(self, qcodes, pause=0.08):
        self.execute("send-key", keys=[{"type": "qcode", "data": k} for k in qcodes])
        time.sleep(pause)

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)
