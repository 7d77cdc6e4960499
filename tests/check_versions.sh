#!/usr/bin/env bash
# tests/check_versions.sh [--self-test] [ROOT] - every version of a release agrees
# with the header's, the one place a version is written:
#   include/group_inference.h  GI_VERSION_MAJOR.MINOR.PATCH = GI_VERSION_STRING
#   the Python package         bindings/python/src/groupinference/_version.py
#   the Rust crate             bindings/rust/Cargo.toml (and Cargo.lock)
#   the pkg-config file        `make pkgconfig`, read back with pkg-config --modversion
#   the README's Swift snippet .package(url: ..., from: "X.Y.Z"): the header's X.Y
#   a tag on HEAD              vX.Y.Z (the tag policy: releases are tagged v<header version>)
# --self-test: in copies of these files, breaks each one in turn and expects a failure.
set -euo pipefail

check() { # ROOT; prints one line per problem, exits 1 if any
  local root=$1 problems=() define major version
  define() { sed -n "s/^#define GI_VERSION_$1 \\(.*\\)\$/\\1/p" "$root/include/group_inference.h"; }
  major=$(define MAJOR)
  version=$major.$(define MINOR).$(define PATCH)
  [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "header: no GI_VERSION_MAJOR/MINOR/PATCH numbers ($version)"; return 1; }
  local string python rust lock pc readme tags scratch
  string=$(define STRING | tr -d '"')
  [ "$string" = "$version" ] || problems+=("header: GI_VERSION_STRING \"$string\" is not MAJOR.MINOR.PATCH = $version")

  python=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$root/bindings/python/src/groupinference/_version.py")
  [ "$python" = "$version" ] || problems+=("Python package: __version__ = \"$python\" in bindings/python/src/groupinference/_version.py")

  rust=$(sed -n '/^\[package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' "$root/bindings/rust/Cargo.toml")
  [ "$rust" = "$version" ] || problems+=("Rust crate: version = \"$rust\" in bindings/rust/Cargo.toml")
  if [ -f "$root/bindings/rust/Cargo.lock" ]; then
    lock=$(sed -n '/^name = "groupinference"$/{n;s/^version = "\(.*\)"$/\1/p;}' "$root/bindings/rust/Cargo.lock")
    [ "$lock" = "$version" ] || problems+=("Rust crate: Cargo.lock records groupinference $lock")
  fi

  scratch=$(mktemp -d)
  if make -s -C "$root" pkgconfig OUT="$scratch" > "$scratch/make.log" 2>&1; then
    pc=$(PKG_CONFIG_PATH=$scratch pkg-config --modversion groupinference 2>&1 || true)
    [ "$pc" = "$version" ] || problems+=("pkg-config: groupinference.pc from \`make pkgconfig\` has version $pc")
  else
    problems+=("pkg-config: \`make pkgconfig\` failed: $(cat "$scratch/make.log")")
  fi
  rm -rf "$scratch"

  readme=$(sed -n 's/.*\.package(url: "[^"]*", from: "\([^"]*\)").*/\1/p' "$root/README.md" | sort -u)
  [ -n "$readme" ] || problems+=("README.md: no Swift snippet .package(url: ..., from: \"X.Y.Z\")")
  for v in $readme; do
    [ "${v%.*}" = "${version%.*}" ] || problems+=("README.md: the Swift snippet asks for from: \"$v\", the header is $version")
  done

  if git -C "$root" rev-parse --git-dir > /dev/null 2>&1; then
    tags=$(git -C "$root" tag --points-at HEAD --list 'v*')
    for tag in $tags; do
      [ "$tag" = "v$version" ] || problems+=("git: HEAD is tagged $tag, but the header says $version (tags are v<GI_VERSION_STRING>)")
    done
  fi

  [ ${#problems[@]} = 0 ] || { printf '%s\n' "${problems[@]}"; return 1; }
  echo "$version"
}

self_test() { # ROOT: each kind of disagreement must be caught
  local root=$1 scratch case failures=0
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' RETURN
  copy() { # a fresh copy of the files the check reads, in $scratch/$1
    local to=$scratch/$1
    mkdir -p "$to/include" "$to/bindings/python/src/groupinference" "$to/bindings/rust"
    cp "$root/include/group_inference.h" "$to/include/"
    cp "$root/bindings/python/src/groupinference/_version.py" "$to/bindings/python/src/groupinference/"
    cp "$root/bindings/rust/Cargo.toml" "$to/bindings/rust/"
    [ ! -f "$root/bindings/rust/Cargo.lock" ] || cp "$root/bindings/rust/Cargo.lock" "$to/bindings/rust/"
    cp "$root/Makefile" "$root/groupinference.pc.in" "$root/README.md" "$to/"
    echo "$to"
  }
  local good
  good=$(copy good)
  check "$good" > /dev/null || { echo "self-test: the unmodified copy fails"; return 1; }
  for case in string python rust pc readme tag; do
    local dir
    dir=$(copy "$case")
    case $case in
      string) sed -i 's/^#define GI_VERSION_STRING ".*"/#define GI_VERSION_STRING "9.9.9"/' "$dir/include/group_inference.h" ;;
      python) sed -i 's/^__version__ = .*/__version__ = "9.9.9"/' "$dir/bindings/python/src/groupinference/_version.py" ;;
      rust) sed -i '/^\[package\]/,/^\[/s/^version = .*/version = "9.9.9"/' "$dir/bindings/rust/Cargo.toml" ;;
      pc) sed -i 's/^Version: .*/Version: 9.9.9/' "$dir/groupinference.pc.in" ;;
      readme) sed -i 's/\(\.package(url: "[^"]*", from: "\)[^"]*"/\19.9.9"/' "$dir/README.md" ;;
      tag) git -C "$dir" init -q && git -C "$dir" add -A &&
        git -C "$dir" -c user.name=t -c user.email=t@t commit -qm t && git -C "$dir" tag v9.9.9 ;;
    esac
    if check "$dir" > "$dir.out"; then
      echo "self-test: a wrong version in '$case' was not caught"; failures=$((failures + 1))
    fi
  done
  [ $failures = 0 ] && echo "check_versions self-test: the header string, Python, Rust, pkg-config, README and tag mismatches are each caught"
}

self=0
[ "${1:-}" = --self-test ] && { self=1; shift; }
root=$(cd "${1:-$(dirname "$0")/..}" && pwd)
if [ $self = 1 ]; then
  self_test "$root"
else
  if version=$(check "$root"); then
    echo "check_versions: header, Python package, Rust crate, pkg-config file, README snippet and tags agree on $version"
  else
    echo "check_versions: versions disagree with include/group_inference.h:"; echo "$version" | sed 's/^/  /'
    exit 1
  fi
fi
