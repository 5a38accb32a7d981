#!/usr/bin/env python3
"""Generates one PDF per CSV row with Typst in ONE Python process and ONE reused compiler (the
peer for `countersign generate --jobs 1`): scripts/bench.d/service-agreement.typ, the row passed
as JSON in sys.inputs.

Usage: typst_generate.py TEMPLATE.typ LEADS.csv OUT_DIR [FONTS_DIR]
Prints: rows, seconds, docs/s
"""
import csv
import json
import os
import sys
import time

import typst


def main() -> None:
    template, leads, out_dir = sys.argv[1:4]
    fonts = [sys.argv[4]] if len(sys.argv) > 4 else []
    os.makedirs(out_dir, exist_ok=True)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(template))))
    compiler = typst.Compiler(template, root=root, font_paths=fonts, ignore_system_fonts=bool(fonts))
    start = time.perf_counter()
    rows = 0
    with open(leads, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            compiler.compile(output=os.path.join(out_dir, row["lead_id"] + ".pdf"),
                             sys_inputs={"row": json.dumps(row, ensure_ascii=False)}, timestamp=1740787200)
            rows += 1
    elapsed = time.perf_counter() - start
    print(f"{rows} {elapsed:.3f} {rows / elapsed:.1f}")


if __name__ == "__main__":
    main()
