"""Hand-made fuzz seeds (run by scripts/make-fuzz-seeds): every stream filter and predictor,
hybrid and stream cross-references, object streams, several revisions, and deliberately broken
files. Written byte by byte so that each anomaly is exactly the one intended."""

import sys
import zlib
from pathlib import Path


def lzw_encode(data: bytes, early_change: int = 1) -> bytes:
    """LZWDecode's encoder: 9-12 bit codes, 256 clear, 257 end of data."""
    table = {bytes([i]): i for i in range(256)}
    next_code, width = 258, 9
    bits, count, out = 0, 0, bytearray()

    def emit(code):
        nonlocal bits, count
        bits = (bits << width) | code
        count += width
        while count >= 8:
            out.append((bits >> (count - 8)) & 0xFF)
            count -= 8

    emit(256)
    current = b""
    for byte in data:
        candidate = current + bytes([byte])
        if candidate in table:
            current = candidate
            continue
        emit(table[current])
        if next_code < 4096:
            table[candidate] = next_code
            next_code += 1
            if next_code + early_change > (1 << width) and width < 12:
                width += 1
        current = bytes([byte])
    if current:
        emit(table[current])
    emit(257)
    if count:
        out.append((bits << (8 - count)) & 0xFF)
    return bytes(out)


def run_length(data: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(data):
        run = 1
        while i + run < len(data) and run < 128 and data[i + run] == data[i]:
            run += 1
        if run > 1:
            out += bytes([257 - run, data[i]])
            i += run
        else:
            chunk = data[i:i + 128]
            out += bytes([len(chunk) - 1]) + chunk
            i += len(chunk)
    return bytes(out + b"\x80")


def ascii85(data: bytes) -> bytes:
    out = bytearray()
    for start in range(0, len(data), 4):
        group = data[start:start + 4]
        value = int.from_bytes(group.ljust(4, b"\0"), "big")
        if len(group) == 4 and value == 0:
            out += b"z"
            continue
        digits = []
        for _ in range(5):
            digits.append(33 + value % 85)
            value //= 85
        out += bytes(reversed(digits))[:len(group) + 1]
    return bytes(out + b"~>")


def png_rows(data: bytes, columns: int, types) -> bytes:
    """PNG predictor rows with the given filter types in turn (1 byte per pixel)."""
    rows = [data[i:i + columns] for i in range(0, len(data), columns)]
    out, previous = bytearray(), bytes(columns)
    for n, row in enumerate(rows):
        kind = types[n % len(types)]
        out.append(kind)
        for i, byte in enumerate(row):
            left = row[i - 1] if i else 0
            up = previous[i]
            up_left = previous[i - 1] if i else 0
            if kind == 0:
                pred = 0
            elif kind == 1:
                pred = left
            elif kind == 2:
                pred = up
            elif kind == 3:
                pred = (left + up) // 2
            else:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                pred = left if pa <= pb and pa <= pc else (up if pb <= pc else up_left)
            out.append((byte - pred) & 0xFF)
        previous = row
    return bytes(out)


def tiff8(data: bytes, columns: int, colors: int) -> bytes:
    out = bytearray(data)
    row = columns * colors
    for start in range(0, len(data), row):
        for i in range(start + row - 1, start + colors - 1, -1):
            out[i] = (data[i] - data[i - colors]) & 0xFF
    return bytes(out)


def stream(dictionary: str, data: bytes, length: str = None) -> bytes:
    length = length if length is not None else str(len(data))
    return b"<< " + dictionary.encode() + b" /Length " + length.encode() + b" >>\nstream\n" + data + b"\nendstream"


class PDF:
    """A file built object by object; `build` lays out offsets and the cross-reference."""

    def __init__(self, version="1.7", prefix=b""):
        self.out = bytearray(prefix + b"%PDF-" + version.encode() + b"\n%\xe2\xe3\xcf\xd3\n")
        self.offsets = {}

    def obj(self, number, body, generation=0, endobj=True):
        if isinstance(body, str):
            body = body.encode()
        self.offsets[number] = (len(self.out), generation)
        self.out += b"%d %d obj\n" % (number, generation) + body + (b"\nendobj\n" if endobj else b"\n")

    def table(self, trailer, numbers=None, eol=b"\r\n", free=()):
        """A classic xref section for `numbers` (default: all) and a trailer; returns its offset."""
        start = len(self.out)
        numbers = sorted(numbers if numbers is not None else self.offsets) + list(free)
        rows = {n: b"%010d %05d n" % self.offsets[n] for n in numbers if n not in free}
        for n in free:
            rows[n] = b"0000000000 00001 f"
        if not rows or min(rows) != 0:
            rows.setdefault(0, b"0000000000 65535 f")
        self.out += b"xref\n"
        keys = sorted(rows)
        runs, run = [], [keys[0]]
        for n in keys[1:]:
            if n == run[-1] + 1:
                run.append(n)
            else:
                runs.append(run)
                run = [n]
        runs.append(run)
        for run in runs:
            self.out += b"%d %d\n" % (run[0], len(run))
            for n in run:
                self.out += rows[n] + eol
        self.out += b"trailer\n" + trailer.encode() + b"\n"
        return start

    def xref_stream(self, number, trailer, entries, predictor=True):
        """An xref stream object: entries maps number -> (type, field2, field3); W [1 4 2]."""
        start = len(self.out)
        entries = dict(entries)
        entries[number] = (1, start, 0)
        keys = sorted(entries)
        rows = b"".join(bytes([entries[n][0]]) + entries[n][1].to_bytes(4, "big") + entries[n][2].to_bytes(2, "big")
                        for n in keys)
        index = " ".join("%d 1" % n for n in keys)
        if predictor:
            data = zlib.compress(png_rows(rows, 7, [2]))
            parms = "/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 7 >>"
        else:
            data, parms = rows, ""
        self.obj(number, stream("/Type /XRef /W [1 4 2] /Index [%s] /Size %d %s %s" % (index, max(keys) + 1, parms, trailer),
                                data))
        return start

    def end(self, startxref):
        self.out += b"startxref\n%d\n%%%%EOF\n" % startxref
        return self

    def bytes(self):
        return bytes(self.out)


CATALOG = "<< /Type /Catalog /Pages 2 0 R >>"
PAGES = "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 200 200] >>"
CONTENT = b"0 0 1 rg 20 20 100 100 re f 1 0 0 RG 5 w 10 10 m 190 190 l S\n" * 3


def simple(contents, extra=(), version="1.7", trailer_extra="", **build):
    """Catalog 1, pages 2, page 3 with content streams 4…; `contents` are stream bodies."""
    pdf = PDF(version, build.pop("prefix", b""))
    pdf.obj(1, CATALOG)
    pdf.obj(2, PAGES)
    refs = " ".join("%d 0 R" % (4 + i) for i in range(len(contents)))
    pdf.obj(3, "<< /Type /Page /Parent 2 0 R /Contents [%s] /Rotate 90 >>" % refs)
    for i, body in enumerate(contents):
        pdf.obj(4 + i, body)
    for number, body in extra:
        pdf.obj(number, body)
    size = max(pdf.offsets) + 1
    return pdf.end(pdf.table("<< /Size %d /Root 1 0 R %s >>" % (size, trailer_extra), **build)).bytes()


def filter_seeds():
    c = CONTENT
    yield "hand-ascii.pdf", simple([
        stream("/Filter /ASCIIHexDecode", c.hex().encode() + b">"),
        stream("/Filter /AHx", b"4 1 4\n2 4>"),
        stream("/Filter /ASCII85Decode", ascii85(c)),
        stream("/Filter /A85", ascii85(b"\0\0\0\0abc")),
    ])
    yield "hand-runlength.pdf", simple([stream("/Filter /RunLengthDecode", run_length(c + b"\0" * 300))])
    yield "hand-lzw.pdf", simple([
        stream("/Filter /LZWDecode", lzw_encode(c * 4)),
        stream("/Filter /LZWDecode /DecodeParms << /EarlyChange 0 >>", lzw_encode(c * 4, 0)),
    ])
    image = bytes((x * y) & 0xFF for y in range(12) for x in range(16))
    yield "hand-png-predictors.pdf", simple([], extra=[
        (4, stream("/Type /XObject /Subtype /Image /Width 16 /Height 12 /ColorSpace /DeviceGray /BitsPerComponent 8"
                   " /Filter /FlateDecode /DecodeParms << /Predictor 15 /Columns 16 >>",
                   zlib.compress(png_rows(image, 16, [0, 1, 2, 3, 4])))),
        (5, stream("/Filter /LZWDecode /DecodeParms << /Predictor 12 /Columns 8 >>",
                   lzw_encode(png_rows(image[:96], 8, [2])))),
    ])
    rgb = bytes((3 * i) & 0xFF for i in range(4 * 3 * 5))
    yield "hand-tiff-predictor.pdf", simple([], extra=[
        (4, stream("/Filter /FlateDecode /DecodeParms << /Predictor 2 /Colors 3 /Columns 4 >>",
                   zlib.compress(tiff8(rgb, 4, 3)))),
        (5, stream("/Filter /FlateDecode /DecodeParms << /Predictor 2 /Colors 1 /BitsPerComponent 16 /Columns 4 >>",
                   zlib.compress(bytes(range(40))))),
        (6, stream("/Filter /FlateDecode /DecodeParms << /Predictor 2 /BitsPerComponent 4 /Columns 6 >>",
                   zlib.compress(bytes(range(30))))),
        (7, stream("/Filter /FlateDecode /DecodeParms << /Predictor 2 /BitsPerComponent 1 /Columns 9 >>",
                   zlib.compress(bytes(range(20))))),
    ])
    yield "hand-filter-chains.pdf", simple([
        stream("/Filter [/ASCII85Decode /FlateDecode]", ascii85(zlib.compress(c))),
        stream("/Filter [/AHx /LZW] /DecodeParms [null << /EarlyChange 1 >>]", lzw_encode(c).hex().encode() + b">"),
        stream("/Filter 8 0 R /DecodeParms 9 0 R", zlib.compress(c), length="10 0 R"),
    ], extra=[(8, "/FlateDecode"), (9, "<< /Predictor 1 >>"), (10, str(len(zlib.compress(c))))])
    yield "limits-flate-5mb-zeros.pdf", simple([stream("/Filter /FlateDecode", zlib.compress(bytes(5 << 20), 9))])


def object_stream(members):
    """An /ObjStm body for {number: text}."""
    header, body = [], b""
    for number, text in members.items():
        header.append("%d %d" % (number, len(body)))
        body += text.encode() + b"\n"
    head = (" ".join(header) + "\n").encode()
    return "/Type /ObjStm /N %d /First %d" % (len(members), len(head)), head + body


def structure_seeds():
    # Hybrid reference: the table lists 1-3, the /XRefStm stream adds 4 and 5 from object stream 6.
    pdf = PDF("1.5")
    pdf.obj(1, "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] >> >>")
    pdf.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 300 300] >>")
    pdf.obj(3, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Annots [5 0 R] >>")
    dictionary, data = object_stream({4: "<< /Length 0 >>", 5: "<< /FT /Tx /T (hybrid) /Subtype /Widget /Rect [1 1 9 9] >>"})
    pdf.obj(6, stream(dictionary + " /Filter /FlateDecode", zlib.compress(data)))
    xref_stm = pdf.xref_stream(7, "", {4: (2, 6, 0), 5: (2, 6, 1)})
    start = pdf.table("<< /Size 8 /Root 1 0 R /XRefStm %d >>" % xref_stm, numbers=[1, 2, 3, 6])
    # Stream 4 lives in an object stream but streams may not: strict mode says so; keep as a twist.
    yield "hand-hybrid.pdf", pdf.end(start).bytes()

    # Cross-reference stream only, with object-stream members and an /Info.
    pdf = PDF("1.5")
    dictionary, data = object_stream({1: CATALOG, 2: PAGES, 3: "<< /Type /Page /Parent 2 0 R >>",
                                      4: "<< /Title (xref stream) /Author <FEFF0041> >>"})
    pdf.obj(5, stream(dictionary, data))
    start = pdf.xref_stream(6, "/Root 1 0 R /Info 4 0 R", {1: (2, 5, 0), 2: (2, 5, 1), 3: (2, 5, 2), 4: (2, 5, 3),
                                                            5: (1, pdf.offsets[5][0], 0), 0: (0, 0, 65535)})
    yield "hand-xrefstream-objstm.pdf", pdf.end(start).bytes()

    # Three revisions: a changed page, a freed object, a generation bump.
    pdf = PDF()
    pdf.obj(1, CATALOG)
    pdf.obj(2, PAGES)
    pdf.obj(3, "<< /Type /Page /Parent 2 0 R >>")
    pdf.obj(4, "(to be freed)")
    first = pdf.table("<< /Size 5 /Root 1 0 R >>")
    pdf.end(first)
    pdf.obj(3, "<< /Type /Page /Parent 2 0 R /Rotate 180 >>")
    second = pdf.table("<< /Size 5 /Root 1 0 R /Prev %d >>" % first, numbers=[3], free=(4,))
    pdf.end(second)
    pdf.obj(4, "(reborn)", generation=1)
    pdf.obj(5, "<< /Title (three revisions) >>")
    third = pdf.table("<< /Size 6 /Root 1 0 R /Info 5 0 R /Prev %d >>" % second, numbers=[4, 5])
    yield "hand-three-revisions.pdf", pdf.end(third).bytes()


def broken_seeds():
    c = stream("", CONTENT)
    good = simple([c])
    yield "broken-truncated.pdf", good[:len(good) * 2 // 3]
    yield "broken-startxref.pdf", good.replace(b"startxref\n", b"startxref\n1").rstrip() + b"\n"
    yield "broken-length.pdf", simple([stream("", CONTENT, length="9999")])
    yield "broken-length-short.pdf", simple([stream("", CONTENT, length="12")])
    yield "broken-xref-eol.pdf", simple([c], eol=b"\n")
    yield "broken-appended.pdf", good + b"% appended after the last %%EOF\n1 0 obj null endobj\n"
    yield "broken-header-offset.pdf", simple([c], prefix=b"garbage before the header\n")
    yield "broken-encrypted.pdf", simple([c], trailer_extra="/Encrypt << /Filter /Standard /V 1 >>")
    yield "broken-dup-keys.pdf", simple(["<< /Length 0 /Length 0 >>\nstream\n\nendstream"])
    yield "broken-deep-nesting.pdf", simple([], extra=[(4, "[" * 300 + "]" * 300), (5, "<<" + "/A <<" * 40 + ">>" * 41)])
    yield "broken-page-cycle.pdf", simple([], extra=[(4, "<< /Type /Pages /Kids [2 0 R 4 0 R] /Count 2 >>")]).replace(
        b"/Kids [3 0 R]", b"/Kids [4 0 R]")
    yield "broken-ref-cycle.pdf", simple([stream("", b"x", length="4 0 R")], extra=[(5, "6 0 R"), (6, "5 0 R")])
    # No cross-reference at all: only tolerant reconstruction reads it.
    pdf = PDF()
    pdf.obj(1, CATALOG)
    pdf.obj(2, PAGES)
    pdf.obj(3, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>", endobj=False)
    pdf.obj(4, stream("", CONTENT))
    yield "broken-no-xref.pdf", pdf.bytes() + b"trailer << /Root 1 0 R >>\n%%EOF\n"
    # /Prev pointing at itself.
    pdf = PDF()
    pdf.obj(1, CATALOG)
    pdf.obj(2, PAGES)
    pdf.obj(3, "<< /Type /Page /Parent 2 0 R >>")
    at = len(pdf.out)
    yield "broken-prev-loop.pdf", pdf.end(pdf.table("<< /Size 4 /Root 1 0 R /Prev %d >>" % at)).bytes()
    # An object stream whose header lies.
    pdf = PDF("1.5")
    pdf.obj(1, CATALOG)
    pdf.obj(2, PAGES)
    pdf.obj(4, stream("/Type /ObjStm /N 3 /First 5", b"3 0 9\n<< /Type /Page /Parent 2 0 R >>"))
    start = pdf.xref_stream(5, "/Root 1 0 R", {1: (1, pdf.offsets[1][0], 0), 2: (1, pdf.offsets[2][0], 0),
                                               3: (2, 4, 0), 4: (1, pdf.offsets[4][0], 0)}, predictor=False)
    yield "broken-objstm.pdf", pdf.end(start).bytes()
    yield "broken-filters.pdf", simple([
        stream("/Filter /FlateDecode", zlib.compress(CONTENT)[:-6]),
        stream("/Filter /ASCII85Decode", b"<~" + ascii85(CONTENT)),
        stream("/Filter /LZWDecode", lzw_encode(CONTENT)[:-2]),
        stream("/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 100000 >>", zlib.compress(b"\2abc")),
        stream("/Filter /DCTDecode", b"\xff\xd8\xff"),
    ])


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for generator in (filter_seeds, structure_seeds, broken_seeds):
        for name, data in generator():
            (out / name).write_bytes(data)


if __name__ == "__main__":
    main()
