//! Finds `libgroupinference.so` and tells cargo how to link it.
//!
//! Where it looks, in order:
//! 1. `GROUPINFERENCE_LIB_DIR`, if set (a directory holding the library);
//! 2. the repository's release build, `../../.build/release` relative to this crate.
//!
//! It adds an rpath to that directory, so tests and examples of this crate run
//! without `LD_LIBRARY_PATH`. (Cargo does not pass link arguments on to crates
//! that depend on this one: their binaries need the library on the loader's
//! path, e.g. after `make install`, or an rpath of their own.)

use std::env;
use std::path::{Component, Path, PathBuf};

const LIB_FILE: &str = "libgroupinference.so";
const ENV_DIR: &str = "GROUPINFERENCE_LIB_DIR";

fn main() {
    println!("cargo:rerun-if-env-changed={ENV_DIR}");
    println!("cargo:rerun-if-changed=build.rs");

    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let repo = normalize(&manifest.join("../.."));
    // A relative GROUPINFERENCE_LIB_DIR is taken relative to this crate's directory.
    let (dir, from_env) = match env::var_os(ENV_DIR) {
        Some(d) if !d.is_empty() => (normalize(&manifest.join(d)), true),
        _ => (repo.join(".build/release"), false),
    };
    let lib = dir.join(LIB_FILE);
    println!("cargo:rerun-if-changed={}", lib.display());

    if !lib.is_file() {
        let looked = if from_env {
            format!("{} (from {ENV_DIR})", lib.display())
        } else {
            format!("{} (the repository's release build; {ENV_DIR} is not set)", lib.display())
        };
        eprintln!("error: groupinference: {LIB_FILE} not found");
        eprintln!("  looked for: {looked}");
        eprintln!("  build it:   make -C {} lib", repo.display());
        eprintln!("  or set {ENV_DIR} to a directory that holds {LIB_FILE}");
        std::process::exit(1);
    }

    println!("cargo:rustc-link-search=native={}", dir.display());
    println!("cargo:rustc-link-lib=dylib=groupinference");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
    // Metadata for crates that depend on this one (`DEP_GROUPINFERENCE_LIB_DIR`).
    println!("cargo:lib_dir={}", dir.display());
}

/// `a/b/../c` -> `a/c`, without resolving symlinks: the rpath keeps the
/// stable `.build/release` name rather than the triple-specific directory it
/// points to.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
