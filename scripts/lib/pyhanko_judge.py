"""pyHanko's verdict on every signature of a set of PDF files, as JSON on stdout.

Usage: pyhanko_judge.py CRYPTO_DIR FILE...

Trust: the roots of pyHanko's test PKI are its keys (CRYPTO_DIR/keys-*/root_ca.key.pem and the
self-signed test certificate's key); the root *certificates* were issued again whenever pyHanko
regenerated its test PKI, so the anchors of a file are the self-signed certificates it carries
whose public key is one of those keys. Each signature is validated at its signing time (the
signature timestamp's time, else the signer's claimed time), without revocation checking and
without fetching anything. The anchors are printed too, so that our verifier uses the same ones.
"""

import base64
import glob
import json
import os
import sys
import traceback

from asn1crypto import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.generic import parse_pdf_date
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext


def root_public_keys(crypto_dir):
    """The DER SubjectPublicKeyInfo of every root key of the test PKI."""
    paths = glob.glob(os.path.join(crypto_dir, "keys-*", "root_ca.key.pem"))
    paths.append(os.path.join(crypto_dir, "selfsigned.key.pem"))
    keys = set()
    for path in paths:
        data = open(path, "rb").read()
        for password in (None, b"secret"):
            try:
                key = serialization.load_pem_private_key(data, password=password)
            except (TypeError, ValueError):
                continue
            except Exception:  # an algorithm this cryptography build does not know
                break
            keys.add(key.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo))
            break
    return keys


def certificates_in(signed_data):
    """The certificates of a SignedData and of the timestamp tokens in its unsigned attributes."""
    found = [c.chosen for c in (signed_data["certificates"] or []) if c.name == "certificate"]
    for signer_info in signed_data["signer_infos"]:
        for attribute in signer_info["unsigned_attrs"] or []:
            if attribute["type"].native == "signature_time_stamp_token":
                for token in attribute["values"]:
                    found += certificates_in(token["content"])
    return found


def stored_certificates(crypto_dir):
    """The certificates stored with the test PKI (some files do not carry their root)."""
    found = []
    for path in glob.glob(os.path.join(crypto_dir, "**", "*.cert.pem"), recursive=True):
        data = open(path, "rb").read()
        for block in data.split(b"-----END CERTIFICATE-----")[:-1]:
            body = block.split(b"-----BEGIN CERTIFICATE-----")[-1]
            found.append(x509.Certificate.load(base64.b64decode(b"".join(body.split()))))
    return found


def anchors_of(reader, keys, stored):
    anchors = {}
    for cert in stored:
        if cert.self_signed and cert.public_key.dump() in keys:
            anchors[cert.sha256] = cert
    for embedded in reader.embedded_signatures:
        try:
            candidates = certificates_in(embedded.signed_data)
        except Exception:
            continue
        for cert in candidates:
            if cert.self_signed and cert.public_key.dump() in keys:
                anchors[cert.sha256] = cert
    return list(anchors.values())


def signing_time(embedded):
    """The signature timestamp's time, else the time the signer claims."""
    try:
        token = embedded.attached_timestamp_data
        if token is not None:
            return token["content"]["encap_content_info"]["content"].parsed["gen_time"].native
    except Exception:
        pass
    if embedded.self_reported_timestamp is not None:
        return embedded.self_reported_timestamp
    claimed = embedded.sig_object.get("/M")
    return parse_pdf_date(str(claimed), strict=False) if claimed is not None else None


def judge(path, keys, stored):
    result = {"path": path, "signatures": [], "anchors": []}
    try:
        reader = PdfFileReader(open(path, "rb"), strict=False)
        anchors = anchors_of(reader, keys, stored)
        result["anchors"] = [pem(anchor) for anchor in anchors]
        for embedded in reader.embedded_signatures:
            entry = {"field": embedded.field_name}
            try:
                moment = signing_time(embedded)
                entry["moment"] = moment.timestamp() if moment is not None else None
                context = ValidationContext(trust_roots=anchors, allow_fetching=False, revocation_mode="soft-fail",
                                            moment=moment, best_signature_time=moment)
                if embedded.sig_object.get("/Type") == "/DocTimeStamp":
                    status = validate_pdf_timestamp(embedded, validation_context=context)
                else:
                    status = validate_pdf_signature(embedded, signer_validation_context=context, ts_validation_context=context)
                entry.update({
                    "intact": bool(status.intact),
                    "valid": bool(status.valid),
                    "trusted": bool(status.trusted),
                    "coverage": status.coverage.name if status.coverage is not None else None,
                    "modification": status.modification_level.name if status.modification_level is not None else None,
                    "docmdp_ok": status.docmdp_ok,
                    "bottom_line": bool(getattr(status, "bottom_line", status.intact and status.valid and status.trusted)),
                })
            except Exception as error:  # pyHanko refuses this signature
                entry["error"] = f"{type(error).__name__}: {error}".splitlines()[0][:300]
            result["signatures"].append(entry)
    except Exception as error:
        result["error"] = f"{type(error).__name__}: {error}".splitlines()[0][:300]
    return result


def pem(cert):
    body = base64.encodebytes(cert.dump()).decode().replace("\n", "")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def main():
    crypto_dir, files = sys.argv[1], sys.argv[2:]
    keys = root_public_keys(crypto_dir)
    stored = stored_certificates(crypto_dir)
    json.dump([judge(path, keys, stored) for path in files], sys.stdout, indent=1)


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        sys.exit(1)
