#!/usr/bin/env python3
"""Render a tmux `capture-pane -e -p` dump (text with ANSI SGR colours) to a PNG.

Usage: ansi_to_png.py INPUT.ans OUTPUT.png [COLUMNS ROWS]
Needs Pillow and the DejaVu Sans Mono font (Debian: fonts-dejavu-core).
"""
import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SIZE = 15
BG = (24, 24, 27)
FG = (220, 220, 220)

# xterm's 16 colours, then the 6x6x6 cube and the grey ramp.
BASE16 = [
    (0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16),
    (36, 114, 200), (188, 63, 188), (17, 168, 205), (229, 229, 229),
    (102, 102, 102), (241, 76, 76), (35, 209, 139), (245, 245, 67),
    (59, 142, 234), (214, 112, 214), (41, 184, 219), (255, 255, 255),
]


def xterm256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)


SGR = re.compile(r"\x1b\[([0-9;]*)m")


def parse(text):
    """Yields rows of (char, fg, bg, bold)."""
    fg, bg, bold, reverse = None, None, False, False
    rows = []
    for line in text.split("\n"):
        row = []
        pos = 0
        for m in SGR.finditer(line):
            for ch in line[pos:m.start()]:
                f, b = (bg, fg) if reverse else (fg, bg)
                row.append((ch, f, b, bold))
            pos = m.end()
            codes = [int(c) if c else 0 for c in m.group(1).split(";")] or [0]
            i = 0
            while i < len(codes):
                c = codes[i]
                if c == 0:
                    fg, bg, bold, reverse = None, None, False, False
                elif c == 1:
                    bold = True
                elif c == 22:
                    bold = False
                elif c == 7:
                    reverse = True
                elif c == 27:
                    reverse = False
                elif 30 <= c <= 37:
                    fg = BASE16[c - 30]
                elif 90 <= c <= 97:
                    fg = BASE16[c - 90 + 8]
                elif 40 <= c <= 47:
                    bg = BASE16[c - 40]
                elif 100 <= c <= 107:
                    bg = BASE16[c - 100 + 8]
                elif c == 39:
                    fg = None
                elif c == 49:
                    bg = None
                elif c in (38, 48) and i + 1 < len(codes):
                    if codes[i + 1] == 5 and i + 2 < len(codes):
                        col = xterm256(codes[i + 2])
                        i += 2
                    elif codes[i + 1] == 2 and i + 4 < len(codes):
                        col = tuple(codes[i + 2:i + 5])
                        i += 4
                    else:
                        col = None
                    if c == 38:
                        fg = col
                    else:
                        bg = col
                i += 1
        for ch in line[pos:]:
            f, b = (bg, fg) if reverse else (fg, bg)
            row.append((ch, f, b, bold))
        rows.append(row)
    return rows


def main():
    src, dst = sys.argv[1], sys.argv[2]
    cols = int(sys.argv[3]) if len(sys.argv) > 3 else 120
    nrows = int(sys.argv[4]) if len(sys.argv) > 4 else 40
    rows = parse(open(src, encoding="utf-8", errors="replace").read())[:nrows]
    font = ImageFont.truetype(FONT, SIZE)
    bold_font = ImageFont.truetype(BOLD, SIZE)
    left, top, right, bottom = font.getbbox("M")
    cw = font.getlength("M")
    ch = SIZE + 4
    img = Image.new("RGB", (int(cw * cols) + 16, ch * nrows + 16), BG)
    draw = ImageDraw.Draw(img)
    for y, row in enumerate(rows):
        for x, (c, f, b, bold) in enumerate(row[:cols]):
            px, py = 8 + x * cw, 8 + y * ch
            if b is not None:
                draw.rectangle([px, py, px + cw, py + ch], fill=b)
            colour = f or FG
            # Block elements drawn as rectangles so QR codes have no gaps between rows.
            if c == "█":
                draw.rectangle([px, py, px + cw, py + ch], fill=colour)
            elif c == "▀":
                draw.rectangle([px, py, px + cw, py + ch / 2], fill=colour)
            elif c == "▄":
                draw.rectangle([px, py + ch / 2, px + cw, py + ch], fill=colour)
            elif c != " ":
                draw.text((px, py + 1), c, font=bold_font if bold else font, fill=colour)
    img.save(dst)


if __name__ == "__main__":
    main()
