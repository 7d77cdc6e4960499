//! Finds `libgroupinference.so` and tells cargo how to link it.
//!
//! Where it looks, in order (the first place that holds the library wins):
//! 1. `GROUPINFERENCE_LIB_DIR`, if set: a directory (relative to this crate),
//!    and nothing else is tried;
//! 2. the repository's release build, `../../.build/release`;
//! 3. `pkg-config --variable=libdir groupinference` (the command, if it is
//!    installed; it honours `PKG_CONFIG_PATH`);
//! 4. the standard system directories (`/usr/local/lib`, `/usr/lib/<multiarch>`,
//!    `/usr/lib`, ...).
//!
//! Binaries load the library by its SONAME (`libgroupinference.so.0`). When
//! the dynamic loader finds it there by itself - the directory is in the
//! loader's cache (`make install` into a system prefix runs `ldconfig`) or is
//! one it always searches - nothing more is needed. Otherwise this crate's
//! own tests and examples get an rpath to the directory, and the directory is
//! exported as `DEP_GROUPINFERENCE_RPATH` for crates that depend on this one
//! (cargo does not pass link arguments on to dependents): their `build.rs`
//! adds the rpath with one line (see the README). `DEP_GROUPINFERENCE_LIB_DIR`
//! is the directory in every case.

use std::env;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

const LIB_FILE: &str = "libgroupinference.so";
const ENV_DIR: &str = "GROUPINFERENCE_LIB_DIR";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    for var in [ENV_DIR, "PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "PKG_CONFIG_SYSROOT_DIR"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let repo = normalize(&manifest.join("../.."));

    let (dir, source) = match find(&manifest, &repo) {
        Ok(found) => found,
        Err(tried) => {
            eprintln!("error: groupinference: {LIB_FILE} not found. Tried:");
            for line in tried {
                eprintln!("  - {line}");
            }
            eprintln!("Build it in the repository (make -C {} lib), install it (make install),", repo.display());
            eprintln!("or set {ENV_DIR} to a directory that holds {LIB_FILE}.");
            std::process::exit(1);
        }
    };
    let lib = dir.join(LIB_FILE);
    println!("cargo:rerun-if-changed={}", lib.display());
    // Binaries ask the loader for the SONAME; an unversioned build has none.
    let soname = soname(&lib).unwrap_or_else(|| LIB_FILE.to_owned());
    let by_itself = loader_finds(&soname, &dir);
    println!(
        "groupinference: {} ({source}); SONAME {soname}; loader finds it without an rpath: {by_itself}",
        dir.display()
    );

    println!("cargo:rustc-link-search=native={}", dir.display());
    println!("cargo:rustc-link-lib=dylib=groupinference");
    // Metadata for dependents (`links`): DEP_GROUPINFERENCE_LIB_DIR, and
    // DEP_GROUPINFERENCE_RPATH when their binaries need an rpath.
    println!("cargo:lib_dir={}", dir.display());
    if !by_itself {
        // Watched also while missing (cargo then reruns this script every
        // build), so the warning goes once the link is made.
        println!("cargo:rerun-if-changed={}", dir.join(&soname).display());
        if !dir.join(&soname).exists() {
            println!(
                "cargo:warning=groupinference: binaries will look for {soname}, which {} does not hold; \
                 make it with: ln -s {LIB_FILE} {}",
                dir.display(),
                dir.join(&soname).display()
            );
        }
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
        println!("cargo:rpath={}", dir.display());
    }
}

/// The directory holding the library and where it came from, or every
/// place tried.
fn find(manifest: &Path, repo: &Path) -> Result<(PathBuf, String), Vec<String>> {
    let holds = |dir: &Path| dir.join(LIB_FILE).is_file();
    if let Some(d) = env::var_os(ENV_DIR).filter(|d| !d.is_empty()) {
        let dir = normalize(&manifest.join(d));
        return if holds(&dir) {
            Ok((dir, format!("from {ENV_DIR}")))
        } else {
            Err(vec![format!("{} (from {ENV_DIR}; nothing else is tried when it is set)", dir.display())])
        };
    }
    let mut tried = Vec::new();
    let build = repo.join(".build/release");
    if holds(&build) {
        return Ok((build, "the repository's release build".into()));
    }
    tried.push(format!("{} (the repository's release build)", build.display()));

    // The host's pkg-config and system directories describe the host: no use
    // when cross-compiling.
    if env::var("HOST").ok() != env::var("TARGET").ok() {
        tried.push("pkg-config and the system directories: skipped when cross-compiling".into());
        return Err(tried);
    }
    match Command::new("pkg-config").args(["--variable=libdir", "groupinference"]).output() {
        Ok(out) if out.status.success() => {
            let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            if holds(&dir) {
                return Ok((dir, "pkg-config".into()));
            }
            tried.push(format!("{} (libdir of pkg-config's groupinference.pc)", dir.display()));
        }
        Ok(_) => tried.push("pkg-config: no groupinference.pc on its search path".into()),
        Err(e) => tried.push(format!("pkg-config: could not run it ({e})")),
    }
    for dir in system_dirs() {
        if holds(&dir) {
            return Ok((dir, "a system directory".into()));
        }
        tried.push(dir.display().to_string());
    }
    Err(tried)
}

/// `x86_64-linux-gnu` for `x86_64-unknown-linux-gnu`: Debian's multiarch name.
fn multiarch() -> Option<String> {
    let arch = env::var("CARGO_CFG_TARGET_ARCH").ok()?;
    let os = env::var("CARGO_CFG_TARGET_OS").ok()?;
    let target_env = env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let arch = if arch == "x86" { "i386".to_owned() } else { arch };
    (os == "linux" && !target_env.is_empty()).then(|| format!("{arch}-{os}-{target_env}"))
}

/// Where libraries are installed by default, most local first (the order
/// `make install` and distribution packages would shadow each other in).
fn system_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("/usr/local/lib")];
    if let Some(m) = multiarch() {
        dirs.push(Path::new("/usr/local/lib").join(&m));
        dirs.push(Path::new("/usr/lib").join(&m));
        dirs.push(Path::new("/lib").join(&m));
    }
    dirs.extend(["/usr/lib64", "/usr/lib", "/lib64", "/lib"].map(PathBuf::from));
    dirs
}

/// Whether a binary that needs `soname` loads it from `dir` with no rpath
/// and no `LD_LIBRARY_PATH`: the loader's cache (`ldconfig -p`) maps the
/// SONAME into `dir`, or, without a cache to ask, `dir` is one the loader
/// always searches.
fn loader_finds(soname: &str, dir: &Path) -> bool {
    let same = |p: &Path| fs::canonicalize(p).ok() == fs::canonicalize(dir).ok();
    let cache = ["ldconfig", "/sbin/ldconfig", "/usr/sbin/ldconfig"]
        .iter()
        .find_map(|cmd| Command::new(cmd).arg("-p").output().ok().filter(|o| o.status.success()));
    match cache {
        // Lines look like "\tlibgroupinference.so.0 (libc6,x86-64) => /usr/local/lib/libgroupinference.so.0".
        Some(out) => String::from_utf8_lossy(&out.stdout).lines().any(|line| {
            let line = line.trim();
            line.split_whitespace().next() == Some(soname)
                && line.rsplit_once("=> ").is_some_and(|(_, path)| Path::new(path).parent().is_some_and(same))
        }),
        None => {
            dir.join(soname).exists()
                && ["/lib", "/usr/lib", "/lib64", "/usr/lib64"]
                    .iter()
                    .map(PathBuf::from)
                    .chain(
                        multiarch()
                            .into_iter()
                            .flat_map(|m| [Path::new("/lib").join(&m), Path::new("/usr/lib").join(&m)]),
                    )
                    .any(|d| same(&d))
        }
    }
}

/// The `DT_SONAME` of an ELF shared library, read from its dynamic section;
/// `None` if it has none or the file is not an ELF file this reads.
fn soname(lib: &Path) -> Option<String> {
    let b = fs::read(lib).ok()?;
    if b.get(..4)? != b"\x7fELF" {
        return None;
    }
    let wide = *b.get(4)? == 2; // ELFCLASS64
    let little = *b.get(5)? == 1; // ELFDATA2LSB
    let uint = |at: usize, len: usize| -> Option<u64> {
        let bytes = b.get(at..at.checked_add(len)?)?;
        let fold = |v: u64, &x: &u8| v << 8 | u64::from(x);
        Some(if little { bytes.iter().rev().fold(0, fold) } else { bytes.iter().fold(0, fold) })
    };
    let word = if wide { 8 } else { 4 };
    let at = |v: u64| usize::try_from(v).ok();
    let (shoff, shentsize, shnum) = if wide {
        (uint(0x28, 8)?, uint(0x3A, 2)?, uint(0x3C, 2)?)
    } else {
        (uint(0x20, 4)?, uint(0x2E, 2)?, uint(0x30, 2)?)
    };
    let section = |i: u64| at(shoff + i * shentsize);
    // Section header fields: sh_type, sh_offset, sh_size, sh_link.
    let fields = |s: usize| -> Option<(u64, u64, u64, u64)> {
        if wide {
            Some((uint(s + 4, 4)?, uint(s + 0x18, 8)?, uint(s + 0x20, 8)?, uint(s + 0x28, 4)?))
        } else {
            Some((uint(s + 4, 4)?, uint(s + 0x10, 4)?, uint(s + 0x14, 4)?, uint(s + 0x18, 4)?))
        }
    };
    const SHT_DYNAMIC: u64 = 6;
    const DT_SONAME: u64 = 14;
    for i in 0..shnum {
        let (kind, offset, size, link) = fields(section(i)?)?;
        if kind != SHT_DYNAMIC {
            continue;
        }
        let (_, strtab, _, _) = fields(section(link)?)?;
        let mut entry = at(offset)?;
        while entry + 2 * word <= at(offset + size)? {
            let (tag, value) = (uint(entry, word)?, uint(entry + word, word)?);
            if tag == 0 {
                break; // DT_NULL
            }
            if tag == DT_SONAME {
                let start = at(strtab + value)?;
                let len = b.get(start..)?.iter().position(|&c| c == 0)?;
                return Some(String::from_utf8_lossy(&b[start..start + len]).into_owned());
            }
            entry += 2 * word;
        }
    }
    None
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
