#!/usr/bin/env python3
"""Generates the fixed-width benchmark inputs: copybooks and data files of a given size.

text-heavy:   ASCII, 200-byte records, mostly PIC X with a few zoned numbers (a client extract).
packed-heavy: EBCDIC cp037, 100-byte records, mostly COMP-3 amounts (a ledger).
"""
import os
import random
import sys

TEXT_COPYBOOK = """       01  CLIENT.
           05  CL-ID             PIC 9(10).
           05  CL-GIVEN          PIC X(20).
           05  CL-FAMILY         PIC X(30).
           05  CL-STREET         PIC X(40).
           05  CL-CITY           PIC X(25).
           05  CL-PROVINCE       PIC X(2).
           05  CL-POSTAL         PIC X(7).
           05  CL-PHONE          PIC X(12).
           05  CL-EMAIL          PIC X(40).
           05  CL-BALANCE        PIC S9(7)V99.
           05  CL-STATUS         PIC X(1).
           05  FILLER            PIC X(4).
"""
TEXT_FIELDS = [(0, 10, "int"), (10, 20, "text"), (30, 30, "text"), (60, 40, "text"), (100, 25, "text"), (125, 2, "text"),
               (127, 7, "text"), (134, 12, "text"), (146, 40, "text"), (186, 9, "zoned2"), (195, 1, "text")]
TEXT_NAMES = ["id", "given", "family", "street", "city", "province", "postal", "phone", "email", "balance", "status"]

PACKED_COPYBOOK = """       01  LEDGER.
           05  LG-ACCOUNT        PIC 9(12) COMP-3.
           05  LG-DATE           PIC 9(8) COMP-3.
           05  LG-AMOUNTS OCCURS 10 TIMES.
               10  LG-AMOUNT     PIC S9(13)V99 COMP-3.
           05  LG-CURRENCY       PIC X(3).
           05  LG-BRANCH         PIC X(4).
           05  FILLER            PIC X(1).
"""


def packed(value, digits, signed=True):
    nibbles = [int(c) for c in str(abs(value)).rjust(digits + (1 - digits % 2), "0")]
    nibbles.append(0xD if signed and value < 0 else (0xC if signed else 0xF))
    return bytes(nibbles[i] << 4 | nibbles[i + 1] for i in range(0, len(nibbles), 2))


def zoned2(value):
    text = str(abs(value)).rjust(9, "0")
    last = text[-1]
    if value < 0:
        last = chr(0x70 + int(last))
    return (text[:-1] + last).encode("ascii")


def main(directory, megabytes):
    os.makedirs(directory, exist_ok=True)
    rnd = random.Random(42)
    words = ["Marie", "Jean", "Tremblay", "Gagnon", "Roy", "Côté".encode("ascii", "replace").decode(), "Okafor", "Kilabuk",
             "rue Principale", "Main Street", "Montréal".encode("ascii", "replace").decode(), "Ottawa", "Iqaluit", "Halifax"]
    with open(os.path.join(directory, "CLIENT.cpy"), "w") as f:
        f.write(TEXT_COPYBOOK)
    with open(os.path.join(directory, "LEDGER.cpy"), "w") as f:
        f.write(PACKED_COPYBOOK)
    count = megabytes * 1_000_000 // 200
    rows = []
    for i in range(1000):
        record = (str(1_000_000_000 + i).encode() + rnd.choice(words).ljust(20).encode() + rnd.choice(words).ljust(30).encode()
                  + (str(rnd.randint(1, 9999)) + " " + rnd.choice(words)).ljust(40).encode() + rnd.choice(words).ljust(25).encode()
                  + b"QC" + b"H2X 1Y4" + b"514-555-0199" + ("client%d@example.ca" % i).ljust(40).encode()
                  + zoned2(rnd.randint(-9_999_999, 99_999_999)) + b"A" + b"    ")
        assert len(record) == 200, len(record)
        rows.append(record)
    # Text records as lines, so pandas.read_fwf can read them too.
    with open(os.path.join(directory, "text-heavy.dat"), "wb") as f:
        for i in range(count):
            f.write(rows[i % 1000])
            f.write(b"\n")
    count = megabytes * 1_000_000 // 100
    rows = []
    for i in range(1000):
        record = packed(100_000_000_000 + i, 12, False) + packed(20261127, 8, False)
        for _ in range(10):
            record += packed(rnd.randint(-999_999_999_999_99, 999_999_999_999_99), 15)
        record += "CAD".encode("cp037") + "0042".encode("cp037") + b"\x40"
        assert len(record) == 100, len(record)
        rows.append(record)
    with open(os.path.join(directory, "packed-heavy.dat"), "wb") as f:
        for i in range(count):
            f.write(rows[i % 1000])


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100)
