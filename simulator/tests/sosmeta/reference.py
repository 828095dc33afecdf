#!/usr/bin/env python3
"""The reference verdicts for the Sosmeta differential test: Python's `jsonschema` (draft-07).

Usage: reference.py SCHEMA_DIR CASES_FILE

CASES_FILE has one JSON object per line, {"oid": ..., "instance": ...}; SCHEMA_DIR holds
<oid>.json. Prints one line per case: "valid", or "invalid <JSON pointer> <message>" for the
first error.
"""

import json
import os
import sys

import jsonschema


def main():
    schema_dir, cases = sys.argv[1], sys.argv[2]
    validators = {}
    out = []
    with open(cases, encoding="utf-8") as f:
        for line in f:
            case = json.loads(line)
            oid = case["oid"]
            if oid not in validators:
                with open(os.path.join(schema_dir, oid + ".json"), encoding="utf-8") as s:
                    schema = json.load(s)
                jsonschema.Draft7Validator.check_schema(schema)
                validators[oid] = jsonschema.Draft7Validator(schema)
            err = next(iter(validators[oid].iter_errors(case["instance"])), None)
            if err is None:
                out.append("valid")
            else:
                ptr = "".join("/" + str(p) for p in err.absolute_path)
                out.append("invalid %s %s" % (ptr or "/", err.message.replace("\n", " ")[:200]))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
