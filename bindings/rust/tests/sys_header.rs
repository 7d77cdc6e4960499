//! Keeps `src/sys.rs` honest against `include/group_inference.h`:
//! - every function the header declares is declared in sys.rs, and nothing else;
//! - every callback typedef (`gi_*_fn`) has the header's parameter and
//!   return types (a wrong trampoline signature would be undefined behaviour);
//! - every constant (macros and enum values) has the header's value;
//! - every struct has the size, field offsets, field sizes and field types the
//!   C compiler computes (a small C program generated from the header's own
//!   struct bodies prints them).

mod common;

use std::any::{type_name, TypeId};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::c_char;
use std::mem::{offset_of, size_of};
use std::process::Command;

use groupinference::sys;

fn header() -> String {
    let path = common::repo().join("include/group_inference.h");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn sys_source() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/sys.rs")).unwrap()
}

/// The text without /* */ and // comments.
fn strip_comments(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"/*") {
            i += 2;
            while i < b.len() && !b[i..].starts_with(b"*/") {
                i += 1;
            }
            i += 2;
            out.push(' ');
        } else if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Identifiers starting with `prefix` that are followed (after blanks) by
/// `(`: function declarations in the header. Function-pointer typedefs
/// (`(*gi_unary_fn)(`) are followed by `)` and so are not counted.
fn called_names(code: &str, prefix: &str) -> BTreeSet<String> {
    let b = code.as_bytes();
    let mut names = BTreeSet::new();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(prefix.as_bytes()) && (i == 0 || !is_ident(b[i - 1])) {
            let start = i;
            while i < b.len() && is_ident(b[i]) {
                i += 1;
            }
            let name = &code[start..i];
            let mut j = i;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            if j < b.len() && b[j] == b'(' {
                names.insert(name.to_owned());
            }
        } else {
            i += 1;
        }
    }
    names
}

#[test]
fn every_header_function_is_declared_in_sys() {
    let code: String =
        strip_comments(&header()).lines().filter(|l| !l.trim_start().starts_with('#')).collect::<Vec<_>>().join("\n");
    let in_header = called_names(&code, "gi_");
    assert!(in_header.len() >= 25, "found only {} functions in the header: {in_header:?}", in_header.len());

    let src = sys_source();
    let mut in_sys = BTreeSet::new();
    for (pos, _) in src.match_indices("pub fn ") {
        let rest = &src[pos + "pub fn ".len()..];
        let name: String = rest.bytes().take_while(|&c| is_ident(c)).map(char::from).collect();
        in_sys.insert(name);
    }
    let missing: Vec<_> = in_header.difference(&in_sys).collect();
    let extra: Vec<_> = in_sys.difference(&in_header).collect();
    assert!(missing.is_empty(), "declared in the header but not in sys.rs: {missing:?}");
    assert!(extra.is_empty(), "declared in sys.rs but not in the header: {extra:?}");
}

/// A C parameter or return type as sys.rs spells it: `const int32_t *` ->
/// `*const i32`, `double *` -> `*mut f64`, `int` -> `c_int`.
fn rust_type(c: &str) -> String {
    let pointer = c.contains('*');
    let is_const = c.split_whitespace().any(|w| w == "const");
    let base = c.replace('*', " ").split_whitespace().filter(|w| *w != "const").collect::<Vec<_>>().join(" ");
    let base = match base.as_str() {
        "void" => "c_void",
        "int" => "c_int",
        "int32_t" => "i32",
        "size_t" => "usize",
        "double" => "f64",
        "float" => "f32",
        other => other, // a struct of the header, e.g. gi_progress
    };
    match (pointer, is_const) {
        (false, _) => base.to_owned(),
        (true, true) => format!("*const {base}"),
        (true, false) => format!("*mut {base}"),
    }
}

/// Each `typedef RET (*NAME)(PARAMS);` of the header: name -> (parameter
/// types, return type), in sys.rs spelling (`()` for void).
fn header_callbacks(code: &str) -> BTreeMap<String, (Vec<String>, String)> {
    let mut out = BTreeMap::new();
    for (pos, _) in code.match_indices("typedef ") {
        let rest = &code[pos + "typedef ".len()..];
        let Some(star) = rest.find("(*") else { continue };
        if rest[..star].contains(';') {
            continue; // not a function-pointer typedef
        }
        let ret = rest[..star].trim();
        let name_end = rest[star..].find(')').unwrap() + star;
        let name = rest[star + 2..name_end].trim().to_owned();
        let params_start = name_end + rest[name_end..].find('(').unwrap() + 1;
        let params_end = params_start + rest[params_start..].find(')').unwrap();
        let params = rest[params_start..params_end]
            .split(',')
            .map(|p| {
                // Drop the parameter name: the trailing identifier.
                let p = p.trim();
                let cut = p.len() - p.bytes().rev().take_while(|&c| is_ident(c)).count();
                rust_type(&p[..cut])
            })
            .collect();
        out.insert(name, (params, if ret == "void" { "()".to_owned() } else { rust_type(ret) }));
    }
    out
}

/// The same for sys.rs's `pub type NAME = Option<unsafe extern "C" fn(..) -> R>;`.
fn sys_callbacks(src: &str) -> BTreeMap<String, (Vec<String>, String)> {
    let mut out = BTreeMap::new();
    for (pos, _) in src.match_indices("pub type ") {
        let rest = &src[pos + "pub type ".len()..];
        let decl = &rest[..rest.find(';').unwrap()];
        let Some(fn_at) = decl.find("extern \"C\" fn(") else { continue };
        let name = decl[..decl.find('=').unwrap()].trim().to_owned();
        let params_start = fn_at + "extern \"C\" fn(".len();
        let params_end = params_start + decl[params_start..].find(')').unwrap();
        let params = decl[params_start..params_end]
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once(':').map_or(p, |(_, ty)| ty).split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        let after = &decl[params_end + 1..];
        let ret = after
            .split_once("->")
            .map_or("()", |(_, r)| r.trim_end_matches(|c: char| c == '>' || c == ',' || c.is_whitespace()).trim());
        out.insert(name, (params, ret.to_owned()));
    }
    out
}

#[test]
fn callback_typedefs_match_the_header() {
    let in_header = header_callbacks(&strip_comments(&header()));
    assert!(in_header.len() >= 6, "found only {} callback typedefs: {in_header:?}", in_header.len());
    assert!(in_header.contains_key("gi_progress_fn"));
    let in_sys = sys_callbacks(&sys_source());
    assert_eq!(in_sys, in_header, "callback typedefs: sys.rs (left) vs the header (right)");
}

/// `#define GI_X <int>` and `GI_X = <int>` (enum values) of the header.
fn header_constants() -> BTreeMap<String, i64> {
    let code = strip_comments(&header());
    let mut out = BTreeMap::new();
    for line in code.lines() {
        let t = line.trim();
        let (name, value) = if let Some(rest) = t.strip_prefix("#define ") {
            let mut parts = rest.splitn(2, char::is_whitespace);
            (parts.next().unwrap_or(""), parts.next().unwrap_or("").trim())
        } else if let Some((name, value)) = t.split_once('=') {
            (name.trim(), value.trim().trim_end_matches(','))
        } else {
            continue;
        };
        if !name.starts_with("GI_") || name.contains('(') {
            continue;
        }
        let value = value.trim().trim_start_matches('(').trim_end_matches(')');
        if let Ok(v) = value.parse::<i64>() {
            out.insert(name.to_owned(), v);
        }
    }
    out
}

macro_rules! constants {
    ($($name:ident),* $(,)?) => {
        vec![$((stringify!($name), i64::from(sys::$name))),*]
    };
}

#[test]
fn constants_match_the_header() {
    let in_header = header_constants();
    assert!(in_header.len() >= 30, "found only {} constants: {in_header:?}", in_header.len());
    let in_sys: BTreeMap<&str, i64> = constants![
        GI_VERSION_MAJOR,
        GI_VERSION_MINOR,
        GI_VERSION_PATCH,
        GI_MAX_CANDIDATES,
        GI_MAX_STEPS,
        GI_MAX_EMBEDDING_DIM,
        GI_MAX_SCORERS,
        GI_MAX_EXACT_CANDIDATES,
        GI_OK,
        GI_WARNING,
        GI_ERR_ARGUMENT,
        GI_ERR_HANDLE,
        GI_ERR_STATE,
        GI_ERR_SCORES,
        GI_ERR_CALLBACK,
        GI_ERR_SOLVER,
        GI_ERR_LIMIT,
        GI_ERR_VERSION,
        GI_ERR_INTERNAL,
        GI_ERR_CANCELLED,
        GI_SCHEDULE_RATIO,
        GI_SCHEDULE_COUNTS,
        GI_SCHEDULE_ADAPTIVE,
        GI_SOLVER_AUTO,
        GI_SOLVER_EXACT,
        GI_SOLVER_HEURISTIC,
        GI_SOLVER_MIP,
        GI_NORMALIZE_NONE,
        GI_NORMALIZE_ZSCORE,
        GI_SOLVE_NONE,
        GI_SOLVE_OPTIMAL,
        GI_SOLVE_GAP_LIMIT,
        GI_SOLVE_TIME_LIMIT,
        GI_SOLVE_HEURISTIC,
        GI_BOUND_NONE,
        GI_BOUND_TRIVIAL,
        GI_BOUND_CHEAP,
        GI_BOUND_RELAXATION,
        GI_BOUND_MIP,
        GI_TRACE_UNARY,
        GI_TRACE_DIVERSITY,
    ]
    .into_iter()
    .collect();
    for (name, value) in &in_header {
        assert_eq!(in_sys.get(name.as_str()), Some(value), "{name}: header says {value}");
    }
    let unknown: Vec<_> = in_sys.keys().filter(|k| !in_header.contains_key(**k)).collect();
    assert!(unknown.is_empty(), "not integer constants of the header: {unknown:?}");

    // The computed and text ones.
    let version_string = header()
        .lines()
        .find_map(|l| l.strip_prefix("#define GI_VERSION_STRING ").map(|v| v.trim().trim_matches('"').to_owned()))
        .unwrap();
    assert_eq!(sys::GI_VERSION_STRING, version_string);
    assert_eq!(
        sys::GI_VERSION_NUMBER,
        sys::GI_VERSION_MAJOR * 10000 + sys::GI_VERSION_MINOR * 100 + sys::GI_VERSION_PATCH
    );
    // Every constant name the header defines is in sys.rs (also the computed ones).
    let src = sys_source();
    for name in in_header.keys().map(String::as_str).chain(["GI_VERSION_NUMBER", "GI_VERSION_STRING"]) {
        assert!(src.contains(&format!("pub const {name}:")), "{name} is not declared in sys.rs");
    }
}

/// The field names of `typedef struct NAME { ... } NAME;` in the header.
fn header_fields(code: &str, name: &str) -> Vec<String> {
    let open = format!("typedef struct {name} {{");
    let start = code.find(&open).unwrap_or_else(|| panic!("struct {name} not in the header")) + open.len();
    let end = start + code[start..].find('}').unwrap();
    code[start..end]
        .split(';')
        .filter_map(|decl| {
            let decl = decl.trim();
            if decl.is_empty() {
                return None;
            }
            let name: String = decl.bytes().rev().take_while(|&c| is_ident(c)).map(char::from).collect();
            Some(name.chars().rev().collect())
        })
        .collect()
}

/// (field, offset, size, type) per field, from Rust.
type Layout = Vec<(&'static str, usize, usize, String)>;

fn field_type<S, F: 'static>(_: fn(&S) -> &F) -> (usize, String) {
    // C cannot tell size_t from uint64_t on LP64 (both unsigned long); the C
    // side prints "u64" for both. `const char *` is "*const c_char" on both
    // sides (c_char is i8 or u8 depending on the target).
    let name = if TypeId::of::<F>() == TypeId::of::<*const c_char>() {
        "*const c_char".to_owned()
    } else {
        match type_name::<F>() {
            "usize" if size_of::<usize>() == 8 => "u64".to_owned(),
            other => other.to_owned(),
        }
    };
    (size_of::<F>(), name)
}

macro_rules! layout {
    ($ty:ident { $($field:ident),* $(,)? }) => {{
        let fields: Layout = vec![$({
            let (size, ty) = field_type(|s: &sys::$ty| &s.$field);
            (stringify!($field), offset_of!(sys::$ty, $field), size, ty)
        }),*];
        (stringify!($ty), size_of::<sys::$ty>(), fields)
    }};
}

#[test]
fn structs_have_the_c_layout() {
    let rust = vec![
        layout!(gi_options {
            struct_size,
            num_candidates,
            group_size,
            num_steps,
            schedule,
            lambda,
            prune_ratio,
            first_prune_step,
            solver,
            survivor_counts,
            time_limit,
            mip_gap,
            normalize,
            trace_every_step,
            seed,
            budget,
            schedule_file,
            restarts,
            reserved,
            memory_limit,
        }),
        layout!(gi_progress {
            steps_done,
            num_steps,
            alive,
            done,
            keep_after_next,
            scores_needed,
            retry_pending,
            num_records,
            evaluations,
            naive_evaluations,
            objective,
            last_solve_status,
            discarded,
            last_seconds_scoring,
            last_seconds_solving,
            last_step_seconds,
        }),
        layout!(gi_step_record {
            step,
            num_scored,
            num_kept,
            solve_status,
            on_demand,
            is_final,
            evaluations,
            objective,
            bound,
            gap,
            seconds_scoring,
            seconds_solving,
            discarded,
            bound_kind,
        }),
        layout!(gi_diagnostics {
            spearman_previous,
            spearman_final,
            group_overlap_previous,
            group_overlap_final,
            movement,
            common_previous,
            common_final,
        }),
        layout!(gi_calibration_goal { struct_size, budget, retention }),
        layout!(gi_calibration_report {
            evaluations,
            evaluations_fraction,
            retention,
            retention_min,
            first_prune_step,
            num_runs,
        }),
        layout!(gi_solve_result { objective, bound, gap, seconds, status, bound_kind, nodes }),
    ];

    // Every struct the header defines is in the list above.
    let code = strip_comments(&header());
    let in_header: BTreeSet<&str> = code
        .match_indices("typedef struct ")
        .filter_map(|(pos, _)| {
            let rest = &code[pos + "typedef struct ".len()..];
            let name = &rest[..rest.bytes().take_while(|&c| is_ident(c)).count()];
            // `typedef struct gi_session gi_session;` is opaque: no body.
            rest[name.len()..].trim_start().starts_with('{').then_some(name)
        })
        .collect();
    let in_list: BTreeSet<&str> = rust.iter().map(|(name, _, _)| *name).collect();
    assert_eq!(in_header, in_list, "structs with a body in the header vs the layouts checked here");

    // A C program, generated from the header's struct bodies, prints what the
    // C compiler computes.
    let mut c = String::from(
        "#include <group_inference.h>\n#include <stdio.h>\n#include <stddef.h>\n\
         #define TYPE(x) _Generic((x), int32_t: \"i32\", int64_t: \"i64\", uint64_t: \"u64\", \
         double: \"f64\", const int32_t *: \"*const i32\", const char *: \"*const c_char\", \
         default: \"unknown\")\n\
         int main(void) {\n",
    );
    let mut header_structs = BTreeMap::new();
    for (name, _, _) in &rust {
        let fields = header_fields(&code, name);
        c += &format!("  printf(\"{name} %zu\\n\", sizeof({name}));\n");
        for f in &fields {
            c += &format!(
                "  printf(\"{name}.{f} %zu %zu %s\\n\", offsetof({name}, {f}), sizeof((({name} *)0)->{f}), \
                 TYPE((({name} *)0)->{f}));\n"
            );
        }
        header_structs.insert(name.to_string(), fields);
    }
    c += "  return 0;\n}\n";

    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sys_layout");
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&src, &c).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let built = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Werror", "-I"])
        .arg(common::repo().join("include"))
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .unwrap_or_else(|e| panic!("running {cc}: {e}"));
    assert!(built.status.success(), "compiling the layout program failed:\n{}", String::from_utf8_lossy(&built.stderr));
    let ran = Command::new(&exe).output().unwrap();
    assert!(ran.status.success());
    let out = String::from_utf8(ran.stdout).unwrap();
    let c_values: BTreeMap<&str, &str> = out.lines().filter_map(|l| l.split_once(' ')).collect();

    for (name, size, fields) in &rust {
        assert_eq!(c_values.get(name).copied(), Some(size.to_string().as_str()), "sizeof({name})");
        let rust_names: Vec<&str> = fields.iter().map(|f| f.0).collect();
        assert_eq!(rust_names, header_structs[*name], "{name}: fields of sys.rs vs the header, in order");
        for (field, offset, fsize, ty) in fields {
            let key = format!("{name}.{field}");
            assert_eq!(
                c_values.get(key.as_str()).copied(),
                Some(format!("{offset} {fsize} {ty}").as_str()),
                "{key}: offset, size, type (C vs Rust)"
            );
        }
    }
}
