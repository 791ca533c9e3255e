#!/usr/bin/env python3
"""The baselines Portage's decoder is compared with, on the same generated files:

slicing: a plain Python decoder (slices, bytes.decode, int(), a nibble loop for COMP-3, json.dumps
         per record), the way a team would write one by hand.
pandas:  pandas.read_fwf with the same column specs, then to_json(lines) (text-heavy only: pandas
         reads neither EBCDIC nor packed decimals).
Usage: fixedwidth_baselines.py slicing-text|slicing-packed|pandas-text FILE  (JSON Lines to stdout)
"""
import json
import sys
from decimal import Decimal

TEXT = [("id", 0, 10, "int"), ("given", 10, 30, "text"), ("family", 30, 60, "text"), ("street", 60, 100, "text"),
        ("city", 100, 125, "text"), ("province", 125, 127, "text"), ("postal", 127, 134, "text"), ("phone", 134, 146, "text"),
        ("email", 146, 186, "text"), ("balance", 186, 195, "zoned2"), ("status", 195, 196, "text")]


def zoned(raw, scale):
    last = raw[-1]
    negative = last >= 0x70
    digits = raw[:-1].decode("ascii") + str(last & 0x0F)
    value = Decimal(int(digits)).scaleb(-scale)
    return -value if negative else value


def packed(raw, scale):
    digits = 0
    for byte in raw[:-1]:
        digits = digits * 100 + (byte >> 4) * 10 + (byte & 0x0F)
    digits = digits * 10 + (raw[-1] >> 4)
    value = Decimal(digits).scaleb(-scale)
    return -value if raw[-1] & 0x0F in (0xB, 0xD) else value


def slicing_text(path, out):
    with open(path, "rb") as f:
        for record in f:
            row = {}
            for name, start, end, kind in TEXT:
                raw = record[start:end]
                if kind == "text":
                    row[name] = raw.decode("ascii").rstrip()
                elif kind == "int":
                    row[name] = int(raw)
                else:
                    row[name] = float(zoned(raw, 2))
            out.write(json.dumps(row))
            out.write("\n")


def slicing_packed(path, out):
    with open(path, "rb") as f:
        while True:
            record = f.read(100)
            if len(record) < 100:
                break
            row = {"account": int(packed(record[0:7], 0)), "date": int(packed(record[7:12], 0)),
                   "amounts": [float(packed(record[12 + 8 * i:20 + 8 * i], 2)) for i in range(10)],
                   "currency": record[92:95].decode("cp037"), "branch": record[95:99].decode("cp037")}
            out.write(json.dumps(row))
            out.write("\n")


def pandas_text(path, out):
    import pandas
    frame = pandas.read_fwf(path, colspecs=[(s, e) for _, s, e, _ in TEXT], names=[n for n, _, _, _ in TEXT],
                            header=None, dtype=str, lineterminator=None)
    out.write(frame.to_json(orient="records", lines=True))


if __name__ == "__main__":
    mode, path = sys.argv[1], sys.argv[2]
    {"slicing-text": slicing_text, "slicing-packed": slicing_packed, "pandas-text": pandas_text}[mode](path, sys.stdout)
