#!/bin/sh
# F6 - the qip CLI dies with SIGILL (exit 132) on a 9-byte file: '{' followed
# by eight 0xFF bytes (F6_cli_json5_invalid_utf8.json). FoundationEssentials'
# JSON5Scanner (used because InstanceFile.load sets decoder.allowsJSON5 = true)
# traps in BufferView._decodeScalars (CodableUtilities.swift:685) on invalid
# UTF-8 while scanning an unquoted key. The CLI's contract is exit 0, 1 or 2.
# Found by fuzz/qip_file_fuzzer in its first seconds.
# Fix (Sources/GroupInferenceCLI/InstanceFile.swift): check the bytes are
# valid UTF-8 before decoding (String(validating: data, as: UTF8.self) == nil
# -> InstanceError("not valid UTF-8 at byte N")); the JSON5 scanner is only
# needed for NaN/Infinity, so the strict JSON scanner plus a pre-pass for
# those literals would also do. Upstream: swift-foundation JSON5Scanner.
cli=${1:-.build/release/groupinference-cli}
here=$(dirname "$0")
"$cli" qip "$here/F6_cli_json5_invalid_utf8.json"
rc=$?
echo "exit status $rc (expected 2)"
[ "$rc" -eq 2 ]
