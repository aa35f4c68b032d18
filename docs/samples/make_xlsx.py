"""Writes docs/samples/offers.xlsx (the same offers as offers.csv, English headers, numbers as
numbers): `python docs/samples/make_xlsx.py`. The file is committed; tests import it."""

from pathlib import Path

from openpyxl import Workbook

ROWS = [
    ["sku", "product-id", "product-id-type", "price", "origin-price", "quantity", "leadtime-to-ship",
     "condition", "fulfillment", "state", "update-delete"],
    ["LAV-001", "3701234000015", "EAN", 449.90, 499.00, 12, 2, "NEW", "SELLER", "ACTIVE", ""],
    ["SEC-002", "3701234000022", "EAN", 529, None, 3, 1, "REFURBISHED", "SELLER", "ACTIVE", ""],
    ["FRI-003", "3701234000039", "EAN", 1199, 1299, 0, 3, "NEW", "OPERATOR", "INACTIVE", ""],
]

if __name__ == "__main__":
    book = Workbook()
    sheet = book.active
    sheet.title = "offers"
    for row in ROWS:
        sheet.append(row)
    book.save(Path(__file__).with_name("offers.xlsx"))
