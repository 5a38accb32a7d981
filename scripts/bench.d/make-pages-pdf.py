#!/usr/bin/env python3
"""Writes a plain N-page PDF (text on every page, a shared font) for benchmarks.

Usage: make-pages-pdf.py PAGES OUT.pdf
"""
import sys
import zlib


def main() -> None:
    pages, out = int(sys.argv[1]), sys.argv[2]
    objects = {}
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    objects[4] = b"<< /Title (Benchmark document) /Producer (scripts/bench) >>"
    kids = []
    for index in range(pages):
        page, content = 5 + 2 * index, 6 + 2 * index
        kids.append(f"{page} 0 R".encode())
        lines = [f"BT /F1 11 Tf 72 {720 - 14 * row} Td (Page {index + 1}, line {row + 1}: "
                 f"the quick brown fox jumps over the lazy dog.) Tj ET" for row in range(40)]
        data = zlib.compress("\n".join(lines).encode(), 6)
        objects[content] = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
        objects[page] = (f"<< /Type /Page /Parent 2 0 R /Contents {content} 0 R "
                         f"/Resources << /Font << /F1 3 0 R >> >> >>").encode()
    objects[2] = b"<< /Type /Pages /MediaBox [0 0 612 792] /Count %d /Kids [%s] >>" % (pages, b" ".join(kids))
    body = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(body)
        body += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f\r\n" % size
    for number in range(1, size):
        body += b"%010d 00000 n\r\n" % offsets[number]
    body += b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    with open(out, "wb") as handle:
        handle.write(body)


if __name__ == "__main__":
    main()
