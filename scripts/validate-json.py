#!/usr/bin/env python3
"""Validates JSON documents against one of pubsim's schemas (docs/schema/), with the jsonschema
library (Debian's python3-jsonschema; draft 2020-12). Exits 0 when every document is valid,
1 with one line per error otherwise.

usage: scripts/validate-json.py SCHEMA DOCUMENT...   (a DOCUMENT ending in .trace: its first line)
"""

import json
import sys
from pathlib import Path

import jsonschema


def main() -> int:
    schema = json.loads(Path(sys.argv[1]).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    failed = False
    for name in sys.argv[2:]:
        text = Path(name).read_text()
        document = json.loads(text.split("\n", 1)[0] if name.endswith(".trace") else text)
        for error in validator.iter_errors(document):
            failed = True
            where = "/".join(str(part) for part in error.absolute_path) or "(top)"
            print(f"{name}: {where}: {error.message}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
