#!/usr/bin/env python3
"""Signs every PDF in a directory with pyHanko in ONE Python process (the peer for `countersign
sign --in DIR --jobs 1`): the key loaded once, a visible signature in an existing field.

Usage: pyhanko_sign.py P12 PASSWORD_FILE FIELD IN_DIR OUT_DIR
Prints: files, seconds, docs/s
"""
import os
import sys
import time

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigFieldSpec  # noqa: F401  (documents that fields exist already)


def main() -> None:
    p12, password_file, field, in_dir, out_dir = sys.argv[1:6]
    password = open(password_file, "rb").read().strip()
    signer = signers.SimpleSigner.load_pkcs12(p12, passphrase=password)
    meta = signers.PdfSignatureMetadata(field_name=field, reason="Benchmark", subfilter=None)
    pdf_signer = signers.PdfSigner(meta, signer=signer)
    names = sorted(n for n in os.listdir(in_dir) if n.endswith(".pdf"))
    os.makedirs(out_dir, exist_ok=True)
    start = time.perf_counter()
    for name in names:
        with open(os.path.join(in_dir, name), "rb") as source:
            writer = IncrementalPdfFileWriter(source)
            with open(os.path.join(out_dir, name), "wb") as out:
                pdf_signer.sign_pdf(writer, output=out)
    elapsed = time.perf_counter() - start
    print(f"{len(names)} {elapsed:.3f} {len(names) / elapsed:.2f}")


if __name__ == "__main__":
    main()
