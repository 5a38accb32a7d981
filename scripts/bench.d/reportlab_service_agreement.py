#!/usr/bin/env python3
"""The service agreement with ReportLab platypus, for every row of a leads CSV, in ONE Python
process (the peer for `countersign generate --jobs 1`): the same sections, clauses by plan and
industry, a line-items table with a repeated header, page X of Y, two signature lines.

Usage: reportlab_service_agreement.py LEADS.csv OUT_DIR [ROWS]
Prints: documents, seconds, docs/s
"""
import csv
import json
import os
import sys
import time
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FONTS = os.path.join(ROOT, "Fonts", "Liberation")
for name, file in [("Serif", "LiberationSerif-Regular.ttf"), ("Serif-Bold", "LiberationSerif-Bold.ttf"),
                   ("Sans-Bold", "LiberationSans-Bold.ttf"), ("Sans", "LiberationSans-Regular.ttf")]:
    pdfmetrics.registerFont(TTFont(name, os.path.join(FONTS, file)))

BODY = ParagraphStyle("body", fontName="Serif", fontSize=10.5, leading=13.65, alignment=TA_JUSTIFY, spaceAfter=6)
H1 = ParagraphStyle("h1", fontName="Sans-Bold", fontSize=16, leading=20, spaceAfter=8, textColor=colors.HexColor("#1a3d7c"))
H2 = ParagraphStyle("h2", fontName="Sans-Bold", fontSize=12.5, leading=16, spaceBefore=10, spaceAfter=4,
                    textColor=colors.HexColor("#1a3d7c"))
CELL = ParagraphStyle("cell", fontName="Serif", fontSize=9.5, leading=12)
LOREM = ("Provider shall use commercially reasonable efforts to make the Services available in accordance with the "
         "Service Level Agreement. Customer shall pay all fees within thirty (30) days of the invoice date. Each party "
         "shall comply with all laws applicable to it and shall keep the other party's Confidential Information secret.")


def money(value: Decimal) -> str:
    return f"${value:,.2f}"


def story(row: dict) -> list:
    seats, price = int(row["seats"]), Decimal(row["unit_price"])
    items = json.loads(row["line_items"]) if row.get("line_items") else [
        {"description": f"{row['plan']} plan — seat licence", "qty": seats, "unit_price": float(price),
         "amount": float(price * seats)}]
    flow = [Paragraph("Master Subscription and Service Agreement", H1),
            Paragraph(f"This Service Agreement is entered into as of {row['effective_date']} between <b>Northbeam "
                      f"Software, Inc.</b> and <b>{row['company_name']}</b>, represented by {row['contact_first_name']} "
                      f"{row['contact_last_name']} ({row['contact_email']}).", BODY),
            Paragraph("1. Subscription", H2),
            Paragraph(f"Customer subscribes to the <b>{row['plan']}</b> plan for <b>{seats:,}</b> seats for an initial "
                      f"term of {row['term_months']} months.", BODY)]
    data = [["Item", "Qty", "Unit price", "Amount"]]
    for item in items:
        data.append([Paragraph(item["description"], CELL), str(item["qty"]), money(Decimal(str(item["unit_price"]))),
                     money(Decimal(str(item["amount"])))])
    table = Table(data, colWidths=[3.4 * inch, 0.7 * inch, 1.2 * inch, 1.2 * inch], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("FONTNAME", (0, 0), (-1, 0), "Serif-Bold"),
                               ("FONTNAME", (0, 1), (-1, -1), "Serif"), ("FONTSIZE", (0, 0), (-1, -1), 9.5),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]))
    flow.append(table)
    flow += [Paragraph("2. Support and Service Levels", H2),
             Paragraph(("Provider assigns a named Technical Account Manager. " if row["plan"] == "Enterprise" else
                        "Support is provided by email on business days. ") + LOREM, BODY)]
    if Decimal(row.get("discount_pct") or "0") > 0:
        flow += [Paragraph("3. Discount", H2), Paragraph(f"A discount of {row['discount_pct']}% applies to the "
                                                         "subscription fees during the initial term.", BODY)]
    if row.get("industry") == "Healthcare":
        flow += [Paragraph("Business Associate Agreement", H2), Paragraph(LOREM + " " + LOREM, BODY)]
    for title in ["Fees and Payment", "Data Protection", "Confidentiality", "Limitation of Liability", "Term and Termination"]:
        flow += [Paragraph(title, H2), Paragraph(LOREM + " " + LOREM, BODY)]
    flow.append(KeepTogether([Paragraph("Signatures", H2), Spacer(1, 0.6 * inch),
                              Paragraph("______________________________ Customer", BODY), Spacer(1, 0.4 * inch),
                              Paragraph("______________________________ Northbeam Software, Inc.", BODY)]))
    return flow


class NumberedDoc(SimpleDocTemplate):
    """Two passes so the footer can say 'Page X of Y'."""


def build(row: dict, path: str) -> None:
    def footer(total):
        def draw(canvas, doc):
            canvas.setFont("Sans", 8)
            canvas.drawCentredString(letter[0] / 2, 0.5 * inch, f"Page {doc.page} of {total}")
        return draw
    counter = NumberedDoc(os.devnull, pagesize=letter)
    counter.build(story(row))
    total = counter.page
    doc = SimpleDocTemplate(path, pagesize=letter, title=f"Service Agreement — {row['company_name']}")
    doc.build(story(row), onFirstPage=footer(total), onLaterPages=footer(total))


def main() -> None:
    leads, out = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else None
    os.makedirs(out, exist_ok=True)
    with open(leads, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))[:limit]
    start = time.perf_counter()
    for row in rows:
        build(row, os.path.join(out, row["lead_id"] + ".pdf"))
    elapsed = time.perf_counter() - start
    print(f"{len(rows)} {elapsed:.3f} {len(rows) / elapsed:.2f}")


if __name__ == "__main__":
    main()
