#!/usr/bin/env python3
"""The header's contract is complete: every function returning gi_status has a
doc block with an @return line, and every status that line names exists.

    check_contract.py include/group_inference.h

Declarations that share one doc block (gi_add_*_scorer, gi_push_*) count as
documented by it. "@return as gi_x" defers to gi_x's line, which must exist.
The script then mutates the header (drops one @return line, names a status
that does not exist) and checks that each mutation is caught, so the check
itself cannot silently pass.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

DECLARATION = re.compile(r"^gi_status\s+(gi_\w+)\s*\(", re.M)
STATUS_TOKEN = re.compile(r"\bGI_(?:OK|WARNING|ERR_\w+)\b")
ANY_TOKEN = re.compile(r"\bGI_[A-Z0-9_]+\b")


def statuses(header: str) -> set[str]:
    body = re.search(r"typedef enum gi_status \{(.*?)\} gi_status;", header, re.S)
    if body is None:
        raise SystemExit("check_contract: no `typedef enum gi_status` in the header")
    return set(re.findall(r"\b(GI_\w+)\s*=", body.group(1)))


def defined_names(header: str) -> set[str]:
    macros = set(re.findall(r"^#define\s+(GI_\w+)", header, re.M))
    enumerators = set(re.findall(r"^\s+(GI_\w+)\s*=", header, re.M))
    return macros | enumerators


def doc_block(header: str, start: int) -> str | None:
    """The comment documenting the declaration at `start`: the closest one
    above it, skipping only blank lines and other declarations of its group."""
    before = header[:start].rstrip()
    while before.endswith(");"):
        # an earlier declaration of the same group: skip back to its start
        match = list(DECLARATION.finditer(before))
        if not match:
            return None
        before = before[: match[-1].start()].rstrip()
    if not before.endswith("*/"):
        return None
    return before[before.rindex("/*"):]


def problems(header: str) -> list[str]:
    found: list[str] = []
    known_statuses, known = statuses(header), defined_names(header)
    returns: dict[str, str] = {}
    for match in DECLARATION.finditer(header):
        name = match.group(1)
        block = doc_block(header, match.start())
        if block is None:
            found.append(f"{name}: no doc block above the declaration")
            continue
        if "@return" not in block:
            found.append(f"{name}: its doc block has no @return line")
            continue
        line = block[block.index("@return"):]
        line = line.split("@param")[0]  # the @return paragraph runs to the end of the block
        returns[name] = line
        for token in STATUS_TOKEN.findall(line):
            if token not in known_statuses:
                found.append(f"{name}: @return names {token}, which is not a gi_status")
        for token in ANY_TOKEN.findall(line):
            if token not in known:
                found.append(f"{name}: @return names {token}, which the header does not define")
        if not STATUS_TOKEN.search(line) and not re.search(r"@return\s+as\s+gi_\w+", line):
            found.append(f"{name}: @return names no status")
    for name, line in returns.items():
        deferred = re.search(r"@return\s+as\s+(gi_\w+)", line)
        if deferred and deferred.group(1) not in returns:
            found.append(f"{name}: @return defers to {deferred.group(1)}, which has no @return line")
    return found


def main() -> int:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "include/group_inference.h")
    header = path.read_text()
    declared = DECLARATION.findall(header)
    bad = problems(header)
    for p in bad:
        print(f"check_contract: {p}", file=sys.stderr)
    if bad:
        return 1

    # The check must catch what it is for.
    victim = "gi_prune"
    at = header.index(f"gi_status {victim}(")
    block = doc_block(header, at)
    assert block is not None
    without = header.replace(block, re.sub(r"@return.*", "", block, flags=re.S) + "*/")
    caught_missing = any("no @return" in p for p in problems(without))
    bogus = header.replace("GI_ERR_CANCELLED (the progress hook", "GI_ERR_BOGUS (the progress hook", 1)
    caught_unknown = any("GI_ERR_BOGUS" in p for p in problems(bogus))
    if not (caught_missing and caught_unknown):
        print(f"check_contract: the check missed a mutation (missing @return caught: {caught_missing}, "
              f"unknown status caught: {caught_unknown})", file=sys.stderr)
        return 1
    print(f"check_contract: {len(declared)} functions return gi_status, each with an @return line naming "
          f"only existing statuses; a missing @return and an unknown status are caught")
    return 0


if __name__ == "__main__":
    sys.exit(main())
