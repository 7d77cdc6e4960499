#!/usr/bin/env bash
# The .so exports exactly the functions the header declares, and the Swift
# exports are checked against the header by the compiler.
# usage: tests/check_exports.sh LIB.so include/group_inference.h
set -euo pipefail
lib=$1 header=$2
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. Declared (from the preprocessed header) vs exported (global, defined).
gcc -fsyntax-only -aux-info "$tmp/aux" -x c "$header"
grep "$(basename "$header")" "$tmp/aux" | sed -E 's|^/\*[^*]*\*/ *||' \
  | grep -oE '\bgi_[A-Za-z0-9_]+ *\(' | sed 's/ *($//' | sort -u > "$tmp/declared"
nm -D --defined-only "$lib" | awk '$2 ~ /^[A-Z]$/ {print $3}' | sort -u > "$tmp/exported"
if ! diff -u "$tmp/declared" "$tmp/exported" > "$tmp/diff"; then
  echo "check_exports: header and $lib disagree (- declared only, + exported only):"
  cat "$tmp/diff"
  exit 1
fi
# No Swift symbol may leak into the dynamic symbol table at all.
if nm -D --defined-only "$lib" | awk '{print $3}' | grep '^\$s' > /dev/null; then
  echo "check_exports: Swift symbols in the dynamic symbol table of $lib"; exit 1
fi
echo "check_exports: $(wc -l < "$tmp/declared") functions declared, the same exported"

# 2. Every export is written @_cdecl(...) @implementation.
bare=$(grep -rn '@_cdecl' "$here/Sources/GroupInferenceC" | grep -v '@implementation' || true)
if [ -n "$bare" ]; then
  echo "check_exports: exports not checked against the header:"; echo "$bare"; exit 1
fi
implemented=$(grep -rhoE '@_cdecl\("gi_[A-Za-z0-9_]+"\)' "$here/Sources/GroupInferenceC" \
  | sed -E 's/@_cdecl\("(.*)"\)/\1/' | sort -u)
if [ "$implemented" != "$(cat "$tmp/declared")" ]; then
  echo "check_exports: @_cdecl exports differ from the header"; exit 1
fi

# 3. The compiler rejects an export whose signature drifts from the header.
cat > "$tmp/drift.swift" <<'SWIFT'
import CGroupInference
@_cdecl("gi_version_number") @implementation
public func gi_version_number() -> UInt32 { 0 }
SWIFT
if swiftc -parse-as-library -enable-experimental-feature CImplementation -I "$(dirname "$header")" \
     -typecheck "$tmp/drift.swift" > "$tmp/drift.log" 2>&1; then
  echo "check_exports: a drifted signature compiled; the header check is not in force"; exit 1
fi
grep -q 'does not match type' "$tmp/drift.log" || { cat "$tmp/drift.log"; exit 1; }
echo "check_exports: a drifted export signature is a compile error"
