#!/usr/bin/env bash
# tests/install/test_sdist.sh SDIST - the source distribution of the Python binding.
#
#   - it carries the Swift package the library is built from (swift/Package.swift,
#     the header, every target's folder);
#   - building a wheel from it on a machine without Swift stops with the message
#     that says so (pip, with every PATH directory holding a `swift` removed);
#   - GROUPINFERENCE_USE_SYSTEM_LIBRARY=1 builds a pure-Python wheel from it
#     without Swift.
# (`make wheel` builds the platform wheel from this sdist with Swift present:
# the other case.)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
sdist=$(readlink -f "${1:?usage: test_sdist.sh SDIST}")
fail() { echo "test_sdist: $*" >&2; exit 1; }
name=$(basename "$sdist" .tar.gz)
contents=$(tar -tzf "$sdist")
for f in swift/Package.swift swift/include/group_inference.h swift/Sources/GroupInference/ \
  swift/Sources/GroupInferenceC/exports.map setup.py pyproject.toml src/groupinference/_ffi.py; do
  grep -qx "$name/$f" <<< "$contents" || fail "the sdist has no $f"
done
! grep -q "\.build/" <<< "$contents" || fail "the sdist carries a .build folder"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pip=$here/.venv-wheel/bin/pip
no_swift=""
IFS=: read -ra dirs <<< "$PATH"
for d in "${dirs[@]}"; do [ -x "$d/swift" ] || no_swift="$no_swift${no_swift:+:}$d"; done
if env PATH="$no_swift" SWIFT=swift "$pip" wheel -q --no-deps --disable-pip-version-check -w "$work/out" "$sdist" \
  > "$work/log" 2>&1; then
  fail "a wheel was built from the sdist without Swift"
fi
grep -q "no \`swift\` is on the PATH" "$work/log" || { cat "$work/log"; fail "no clear message without Swift"; }
grep -q "GROUPINFERENCE_USE_SYSTEM_LIBRARY=1" "$work/log" || fail "the message does not offer the system library"

env PATH="$no_swift" GROUPINFERENCE_USE_SYSTEM_LIBRARY=1 "$pip" wheel -q --no-deps --disable-pip-version-check \
  -w "$work/pure" "$sdist" > "$work/log" 2>&1 || { cat "$work/log"; fail "the pure-Python build failed"; }
pure=$(ls "$work/pure")
case $pure in *-py3-none-any.whl) ;; *) fail "the build without the library gave $pure, not a py3-none-any wheel" ;; esac
python3 -c 'import sys, zipfile; sys.exit(any(n.endswith(".so") for n in zipfile.ZipFile(sys.argv[1]).namelist()))' \
  "$work/pure/$pure" || fail "$pure carries a shared library"
echo "test_sdist: $(basename "$sdist") carries the Swift package; without Swift it says so, or builds $pure on request"
