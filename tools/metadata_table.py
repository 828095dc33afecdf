#!/usr/bin/env python3
"""Regenerate the "What each kind must carry" table of docs/messages.md from
testdata/metadata-rules.toml.

Usage: python3 tools/metadata_table.py   (rewrites docs/messages.md in place)

One row per field: its name, the element it is read from, and R/C/O/- per kind
of document. A unit test (validation::doc_tests) fails when the table and the
rules disagree. Standard library only (tomllib, Python 3.11+).
"""

import pathlib
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
HEADING = "### What each kind must carry"
COLUMNS = ["asiakkuus", "asia", "vaihe1", "vaihe2", "rakenteinen", "vanha", "tahto"]


def row(f):
    cells = [f.get(c, "O") for c in COLUMNS]
    cond = f.get("condition", "").replace("|", "\\|")
    return "| `%s` | `%s` | %s | %s |" % (f["name"], f["element"], " | ".join(cells), cond)


def main():
    fields = tomllib.loads((ROOT / "testdata/metadata-rules.toml").read_text(encoding="utf-8"))["field"]
    doc_path = ROOT / "docs/messages.md"
    doc = doc_path.read_text(encoding="utf-8")
    start = doc.index(HEADING)
    rest = doc[start + len(HEADING):]
    nxt = rest.find("\n#")
    tail = rest[nxt:] if nxt >= 0 else "\n"
    head = "| field | element | " + " | ".join(COLUMNS) + " | condition (C) |"
    table = ["", "", head, "|" + "---|" * (len(COLUMNS) + 3)]
    table += [row(f) for f in fields]
    table += ["", "(R required, C conditionally required, O optional, - not used. Regenerate with",
              "`python3 tools/metadata_table.py` after editing `testdata/metadata-rules.toml`; a unit test",
              "fails when they disagree.)"]
    doc_path.write_text(doc[:start] + HEADING + "\n".join(table) + "\n" + tail, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
