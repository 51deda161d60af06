"""Reading the screen console back in emulator tests: EGA text memory, and screendumps of a
linear framebuffer decoded cell by cell with the console's own font (tools/font8x16.txt),
so a test can assert on the text a person would see."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import mkfont  # noqa: E402

EGA_TEXT = 0xB8000
CELL_W, CELL_H = mkfont.WIDTH, mkfont.HEIGHT
UNKNOWN = "?"

_glyphs = None


def _font():
    """{tuple of 16 row bytes: character} for every glyph of the sheet."""
    global _glyphs
    if _glyphs is None:
        sheet = mkfont.load_sheet()
        _glyphs = {tuple(rows): chr(code) for code, rows in sheet.items() if code < mkfont.LAST}
    return _glyphs


def ega_rows(memory, cols=80, rows=25):
    """Text rows from EGA text memory (character, attribute pairs), trailing blanks cut."""
    out = []
    for r in range(rows):
        chars = memory[r * cols * 2:(r + 1) * cols * 2:2]
        out.append("".join(chr(c) if 0x20 <= c < 0x7F else UNKNOWN for c in chars).rstrip())
    return out


def parse_ppm(data):
    """(width, height, rgb bytes) of a binary PPM (P6, maxval 255) as QEMU writes it."""
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError("not a P6 PPM with maxval 255")
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:pos + 1 + width * height * 3]
    return width, height, pixels


def framebuffer_rows(ppm):
    """Text rows of a screendump: each 8x16 cell matched exactly against the font (ink =
    brighter than half; an inverted cell, the cursor, matched inverted). Cells that match no
    glyph read as '?'. Trailing blanks cut."""
    width, height, px = parse_ppm(ppm)
    font = _font()
    rows = []
    for top in range(0, height - CELL_H + 1, CELL_H):
        line = []
        for left in range(0, width - CELL_W + 1, CELL_W):
            bits, lit = [], 0
            for y in range(top, top + CELL_H):
                value = 0
                base = (y * width + left) * 3
                for x in range(CELL_W):
                    r, g, b = px[base + 3 * x:base + 3 * x + 3]
                    on = r + g + b > 3 * 127
                    value = value << 1 | on
                    lit += on
                bits.append(value)
            key = tuple(bits)
            if key not in font and lit > CELL_W * CELL_H // 2:
                key = tuple(b ^ 0xFF for b in bits)     # the cursor: colours swapped
            line.append(font.get(key, UNKNOWN))
        rows.append("".join(line).rstrip())
    return rows
