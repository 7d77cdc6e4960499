#!/usr/bin/env bash
# The Python binding against the library installed in /usr/local (the
# system-install test runs it after `make install PREFIX=/usr/local`): a fresh
# venv outside the repository installs the binding built without a copy of
# the library (GROUPINFERENCE_USE_SYSTEM_LIBRARY=1, a pure-Python wheel), and
# a session runs in a clean environment (env -i): the loader's last step, the
# system loader, finds libgroupinference.so.<major> through ldconfig's cache.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../../.." && pwd)
fail() { echo "hosts/python.sh: $*" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The binding's sources only (as in its sdist): nothing of the repository build to find.
tar -C "$repo/bindings" --exclude=__pycache__ --exclude='*.egg-info' --exclude=build --exclude=.pytest_cache \
  -cf - python | tar -C "$work" -xf -
python3 -m venv "$work/venv"
GROUPINFERENCE_USE_SYSTEM_LIBRARY=1 "$work/venv/bin/pip" install -q --disable-pip-version-check "$work/python" \
  || fail "pip install of the binding without a library copy failed"
site=$("$work/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
[ ! -e "$site/groupinference/lib" ] || fail "the package carries a library although built with GROUPINFERENCE_USE_SYSTEM_LIBRARY=1"
cp "$repo/tests/install/session_check.py" "$work/"
(cd "$work" && env -i PATH=/usr/bin:/bin HOME="$work" "$work/venv/bin/python" session_check.py --library-under /usr/local/lib) \
  || fail "the session through the system library failed"
echo "hosts/python.sh: a pure-Python install loaded /usr/local/lib's library through the system loader with env -i"
