#!/usr/bin/env python3
"""Writes a PDF of about N megabytes (pages with large incompressible image streams).

Usage: make-big-pdf.py MEGABYTES OUT.pdf
"""
import os
import random
import sys


def main() -> None:
    megabytes, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(7)
    per_page = 1 << 20  # one 1 MiB image per page
    pages = max(1, megabytes * 1_000_000 // per_page)
    offsets = {}
    with open(out, "wb") as f:
        def obj(number: int, body: bytes) -> None:
            offsets[number] = f.tell()
            f.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
        f.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        kids = []
        for index in range(pages):
            page, content, image = 3 + 3 * index, 4 + 3 * index, 5 + 3 * index
            kids.append(b"%d 0 R" % page)
            data = rng.randbytes(per_page)
            side = 512
            obj(image, b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                       b"/BitsPerComponent 8 /Length %d >>\nstream\n" % (side, per_page // side, len(data)) + data + b"\nendstream")
            draw = b"q 400 0 0 400 100 200 cm /Im0 Do Q"
            obj(content, b"<< /Length %d >>\nstream\n" % len(draw) + draw + b"\nendstream")
            obj(page, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                      b"/Resources << /XObject << /Im0 %d 0 R >> >> >>" % (content, image))
        obj(2, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, b" ".join(kids)))
        size = max(offsets) + 1
        xref = f.tell()
        f.write(b"xref\n0 %d\n0000000000 65535 f\r\n" % size)
        for number in range(1, size):
            f.write(b"%010d 00000 n\r\n" % offsets[number])
        f.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))


if __name__ == "__main__":
    main()
