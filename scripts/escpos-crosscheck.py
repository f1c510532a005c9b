#!/usr/bin/env python3
"""Cross-checks amcash's ESC/POS receipts against python-escpos, an independent encoder.

The Swift tests (ReceiptPrintingTests) keep Tests/ReceiptPrintingTests/Goldens/*.bin equal to what
EscPosWriter writes today; this script checks those bytes against what python-escpos sends for the
same commands: initialise, the code page (ESC t), every French line encoded in it, the title's bold
and double height, the Code 128 barcode or QR code of the confirmation number, and the feed and cut.

    scripts/escpos-crosscheck.py        (pip install python-escpos first; .ci/run does)

Exit status 0 when every check passes, 1 otherwise (each failure printed).
"""
import pathlib
import sys

from escpos.printer import Dummy
from escpos import constants

GOLDENS = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "ReceiptPrintingTests" / "Goldens"
failures = []


def check(name, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else ": " + detail))
    if not condition:
        failures.append(name)


def printed(action):
    printer = Dummy()
    action(printer)
    return printer.output


def text_in(codepage, text):
    """What python-escpos sends for `text` once the code page is forced (ESC t n, then the bytes)."""
    def act(p):
        p.charcode(codepage)
        p.text(text)
    return printed(act)


def cross_check(path, codepage, lines, confirmation, barcode):
    data = path.read_bytes()
    name = path.name
    check(f"{name}: starts with ESC @", data.startswith(constants.HW_INIT), repr(data[:4]))
    selection = printed(lambda p: p.charcode(codepage))
    check(f"{name}: selects {codepage} as python-escpos does", data[2:2 + len(selection)] == selection, repr(data[:8]))
    for line in lines:
        encoded = text_in(codepage, line)[len(selection):]
        check(f"{name}: {line!r} encoded as python-escpos encodes it", encoded in data, repr(encoded))
    check(f"{name}: no UTF-8 sequence reaches the printer", "É".encode() not in data and "é".encode() not in data)
    check(f"{name}: title bold", constants.TXT_STYLE["bold"][True] in data)
    # python-escpos writes double height as TXT_NORMAL then ESC ! 0x10; the printer's state after either is the same.
    double_height = constants.TXT_STYLE["size"]["2h"][len(constants.TXT_NORMAL):]
    check(f"{name}: title double height", double_height in data, repr(double_height))
    if barcode == "code128":
        expected = printed(lambda p: p.barcode("{B" + confirmation, "CODE128", height=64, width=2, pos="BELOW", font="A",
                                               align_ct=True, function_type="B"))
    else:
        expected = printed(lambda p: p.qr(confirmation, native=True, size=4))
    check(f"{name}: {barcode} of {confirmation} as python-escpos writes it", expected in data, repr(expected))
    cut = printed(lambda p: p.cut())
    check(f"{name}: ends with python-escpos's feed and cut", data.endswith(cut), repr(data[-8:]))


cross_check(GOLDENS / "escpos-redemption-fr-CA-42.bin", "CP863",
            ["ÉCHANGE ARGENT AIR MILES", "Milles échangés:", "N° de trace:"], "RD0000000042", "code128")
cross_check(GOLDENS / "escpos-reversal-fr-CA-32-cp858-qr.bin", "CP858",
            ["ANNULATION ARGENT AIR MILES", "Échange annulé:"], "RV0000000007", "qr")
if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("all checks passed")
