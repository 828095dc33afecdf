#!/usr/bin/env python3
"""Regenerate the "Every code" table of docs/rules.md from testdata/ack-codes.toml.

Usage: python3 tools/rules_table.py   (rewrites docs/rules.md in place)

The table lists every acknowledgement detail code with its kind, rule and its
English and Finnish texts ({value} shown as …). A unit test
(acks::doc_tests) fails when the table and the catalogue disagree.
Standard library only (tomllib, Python 3.11+).
"""

import pathlib
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
HEADING = "## Every code"


def row(c):
    def text(s):
        return s.replace("{value}", "…").replace("|", "\\|")
    kind = c["kind"] + (" (%s when not strict)" % c["lenient"] if c.get("lenient") else "")
    note = " (not reachable: %s)" % text(c["unreachable"]) if c.get("unreachable") else ""
    return "| `%s` | %s | %s | %s%s | %s |" % (c["code"], kind, c["rule"], text(c["en"]), note, text(c["fi"]))


def main():
    codes = tomllib.loads((ROOT / "testdata/ack-codes.toml").read_text(encoding="utf-8"))["code"]
    doc_path = ROOT / "docs/rules.md"
    doc = doc_path.read_text(encoding="utf-8")
    start = doc.index(HEADING)
    rest = doc[start + len(HEADING):]
    nxt = rest.find("\n## ")
    tail = rest[nxt:] if nxt >= 0 else "\n"
    table = ["", "", "| code | kind | rule | English | Finnish |", "|---|---|---|---|---|"]
    table += [row(c) for c in codes]
    doc_path.write_text(doc[:start] + HEADING + "\n".join(table) + "\n" + tail, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
