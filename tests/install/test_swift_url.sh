#!/usr/bin/env bash
# The README's Swift snippet, as a user's package meets a release: the
# repository's files (tracked and new, as in the working tree) become a git
# repository tagged v<header version>, and a package outside the repository
# built from the README's `.package(url: ..., from: ...)` and `.product(...)`
# lines (the URL pointed at that repository) resolves the tag, builds and runs
# examples/swift's host. Catches: a tag SwiftPM cannot match, a manifest that
# only evaluates inside a checkout, a product name or package identity that
# differs from the snippet.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "test_swift_url: $*" >&2; exit 1; }
version=$(sed -n 's/^#define GI_VERSION_STRING "\(.*\)"$/\1/p' "$here/include/group_inference.h")
dependency=$(grep -o '\.package(url: "[^"]*", from: "[^"]*")' "$here/README.md" | sed -n 1p)
product=$(grep -o '\.product(name: "[^"]*", package: "[^"]*")' "$here/README.md" | sed -n 1p)
[ -n "$dependency" ] && [ -n "$product" ] || fail "README.md has no .package(url:, from:) and .product(...) snippet"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
url=$(sed -n 's/\.package(url: "\([^"]*\)".*/\1/p' <<< "$dependency")
release=$work/release/$(basename "$url" .git)
mkdir -p "$release"
(cd "$here" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -C "$release" -xf -
git -C "$release" init -q
git -C "$release" add -A
git -C "$release" -c user.name=release -c user.email=release@example.invalid commit -qm "release $version"
git -C "$release" tag "v$version"

host=$work/host
mkdir -p "$host/Sources/SwiftHost"
cp "$here/examples/swift/Sources/SwiftHost/main.swift" "$host/Sources/SwiftHost/"
cat > "$host/Package.swift" <<EOF
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "url-host",
    dependencies: [${dependency/"$url"/file://$release}],
    targets: [.executableTarget(name: "SwiftHost", dependencies: [$product])]
)
EOF
swift build --package-path "$host" > "$work/build.log" 2>&1 || { cat "$work/build.log"; fail "swift build of the README snippet failed"; }
grep -q "resolved at $version\|at $version" "$work/build.log" || { cat "$work/build.log"; fail "the dependency did not resolve to the tag v$version"; }
"$host/.build/debug/SwiftHost" | grep "^model evaluations:" > /dev/null || fail "the host built from the README snippet failed"
echo "test_swift_url: the README's $dependency resolved tag v$version and built and ran the Swift host"
