#!/usr/bin/env python3
"""Validates every PDF in a directory with pyHanko in ONE Python process, the validation
context (trust roots) built once, and prints {"files", "seconds", "passed"} as JSON.

Usage: pyhanko-validate.py DIR TRUST.pem
"""
import json
import os
import sys
import time

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


def main() -> None:
    directory, trust = sys.argv[1], sys.argv[2]
    context = ValidationContext(trust_roots=[load_cert_from_pemder(trust)], allow_fetching=False,
                                revocation_mode="soft-fail")
    names = sorted(name for name in os.listdir(directory) if name.lower().endswith(".pdf"))
    start = time.perf_counter()
    passed = 0
    for name in names:
        with open(os.path.join(directory, name), "rb") as handle:
            reader = PdfFileReader(handle)
            signatures = reader.embedded_signatures
            results = [validate_pdf_signature(signature, context).bottom_line for signature in signatures]
            passed += bool(results) and all(results)
    seconds = time.perf_counter() - start
    print(json.dumps({"files": len(names), "seconds": seconds, "passed": passed}))


if __name__ == "__main__":
    main()
