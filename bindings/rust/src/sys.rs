//! Raw declarations of `include/group_inference.h`, written by hand.
//!
//! Everything here mirrors the header one to one: every function, every
//! struct (`#[repr(C)]`), every constant, and the callback typedefs as
//! `Option<unsafe extern "C" fn ...>` (a C function pointer that may be NULL).
//! `tests/sys_header.rs` keeps it honest: it checks that every function the
//! header declares is declared here (and nothing else), that the constants
//! agree, and that every struct has the size and field offsets the C compiler
//! computes.
//!
//! Enums of the header (`gi_status`, `gi_schedule`, ...) are plain `c_int`
//! here with one constant per value: a value the library adds later must not
//! become undefined behaviour in Rust. `size_t` is `usize`.
//!
//! Use the safe layer ([`crate::Session`], [`crate::solve_qip`]) unless you
//! need something it does not offer.
#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_int, c_void};
use std::marker::{PhantomData, PhantomPinned};

// Section - Version

pub const GI_VERSION_MAJOR: i32 = 0;
pub const GI_VERSION_MINOR: i32 = 3;
pub const GI_VERSION_PATCH: i32 = 0;
pub const GI_VERSION_NUMBER: i32 = GI_VERSION_MAJOR * 10000 + GI_VERSION_MINOR * 100 + GI_VERSION_PATCH;
pub const GI_VERSION_STRING: &str = "0.3.0";

// Section - Limits

pub const GI_MAX_CANDIDATES: i32 = 8192;
pub const GI_MAX_STEPS: i32 = 100000;
pub const GI_MAX_EMBEDDING_DIM: i32 = 16384;
pub const GI_MAX_SCORERS: i32 = 64;
pub const GI_MAX_EXACT_CANDIDATES: i32 = 256;

// Section - Status and errors

/// `enum gi_status`.
pub type gi_status = c_int;
pub const GI_OK: gi_status = 0;
pub const GI_WARNING: gi_status = 1;
pub const GI_ERR_ARGUMENT: gi_status = -1;
pub const GI_ERR_HANDLE: gi_status = -2;
pub const GI_ERR_STATE: gi_status = -3;
pub const GI_ERR_SCORES: gi_status = -4;
pub const GI_ERR_CALLBACK: gi_status = -5;
pub const GI_ERR_SOLVER: gi_status = -6;
pub const GI_ERR_LIMIT: gi_status = -7;
pub const GI_ERR_VERSION: gi_status = -8;
pub const GI_ERR_INTERNAL: gi_status = -9;
/// Since 0.3.
pub const GI_ERR_CANCELLED: gi_status = -10;

// Section - Options

/// `enum gi_schedule`.
pub type gi_schedule = c_int;
pub const GI_SCHEDULE_RATIO: gi_schedule = 0;
pub const GI_SCHEDULE_COUNTS: gi_schedule = 1;
/// Since 0.2.
pub const GI_SCHEDULE_ADAPTIVE: gi_schedule = 2;

/// `enum gi_solver`.
pub type gi_solver = c_int;
pub const GI_SOLVER_AUTO: gi_solver = 0;
pub const GI_SOLVER_EXACT: gi_solver = 1;
pub const GI_SOLVER_HEURISTIC: gi_solver = 2;
pub const GI_SOLVER_MIP: gi_solver = 3;

/// `enum gi_normalize`.
pub type gi_normalize = c_int;
pub const GI_NORMALIZE_NONE: gi_normalize = 0;
pub const GI_NORMALIZE_ZSCORE: gi_normalize = 1;

#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct gi_options {
    pub struct_size: usize,
    pub num_candidates: i32,
    pub group_size: i32,
    pub num_steps: i32,
    pub schedule: i32,
    pub lambda: f64,
    pub prune_ratio: f64,
    pub first_prune_step: i32,
    pub solver: i32,
    pub survivor_counts: *const i32,
    pub time_limit: f64,
    pub mip_gap: f64,
    pub normalize: i32,
    pub trace_every_step: i32,
    pub seed: u64,
    // Since 0.2 (a 0.1 caller's 88-byte struct gets the defaults of these).
    pub budget: f64,
    pub schedule_file: *const c_char,
    pub restarts: i32,
    pub reserved: i32,
    // Since 0.3.
    pub memory_limit: usize,
}

// Section - Session

/// `gi_session`: opaque, only ever behind a pointer.
#[repr(C)]
pub struct gi_session {
    _private: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

// Section - Scorers

pub type gi_unary_fn =
    Option<unsafe extern "C" fn(user: *mut c_void, step: i32, ids: *const i32, n: usize, scores: *mut f64) -> c_int>;
pub type gi_embedding_fn = Option<
    unsafe extern "C" fn(
        user: *mut c_void,
        step: i32,
        ids: *const i32,
        n: usize,
        dim: usize,
        embeddings: *mut f32,
    ) -> c_int,
>;
pub type gi_pairwise_fn =
    Option<unsafe extern "C" fn(user: *mut c_void, step: i32, ids: *const i32, n: usize, matrix: *mut f64) -> c_int>;
pub type gi_destroy_fn = Option<unsafe extern "C" fn(user: *mut c_void)>;

// Section - Driving

pub type gi_denoise_fn = Option<unsafe extern "C" fn(user: *mut c_void, step: i32, ids: *const i32, n: usize) -> c_int>;

// Section - Progress and results

#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct gi_progress {
    pub steps_done: i32,
    pub num_steps: i32,
    pub alive: i32,
    pub done: i32,
    pub keep_after_next: i32,
    pub scores_needed: i32,
    pub retry_pending: i32,
    pub num_records: i32,
    pub evaluations: i64,
    pub naive_evaluations: i64,
    pub objective: f64,
    // Since 0.3.
    pub last_solve_status: i32,
    pub discarded: i32,
    pub last_seconds_scoring: f64,
    pub last_seconds_solving: f64,
    pub last_step_seconds: f64,
}

/// Since 0.3.
pub type gi_progress_fn = Option<unsafe extern "C" fn(user: *mut c_void, progress: *const gi_progress) -> c_int>;

// Section - Trace

/// `enum gi_solve_status`.
pub type gi_solve_status = c_int;
pub const GI_SOLVE_NONE: gi_solve_status = 0;
pub const GI_SOLVE_OPTIMAL: gi_solve_status = 1;
pub const GI_SOLVE_GAP_LIMIT: gi_solve_status = 2;
pub const GI_SOLVE_TIME_LIMIT: gi_solve_status = 3;
pub const GI_SOLVE_HEURISTIC: gi_solve_status = 4;

/// `enum gi_bound_kind`, since 0.3.
pub type gi_bound_kind = c_int;
pub const GI_BOUND_NONE: gi_bound_kind = 0;
pub const GI_BOUND_TRIVIAL: gi_bound_kind = 1;
pub const GI_BOUND_CHEAP: gi_bound_kind = 2;
pub const GI_BOUND_RELAXATION: gi_bound_kind = 3;
pub const GI_BOUND_MIP: gi_bound_kind = 4;

#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct gi_step_record {
    pub step: i32,
    pub num_scored: i32,
    pub num_kept: i32,
    pub solve_status: i32,
    pub on_demand: i32,
    pub is_final: i32,
    pub evaluations: i64,
    pub objective: f64,
    pub bound: f64,
    pub gap: f64,
    pub seconds_scoring: f64,
    pub seconds_solving: f64,
    // Since 0.3.
    pub discarded: i32,
    pub bound_kind: i32,
}

pub const GI_TRACE_UNARY: i32 = -1;
pub const GI_TRACE_DIVERSITY: i32 = -2;

/// Since 0.2. NaN marks a value that is not known (see the header).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct gi_diagnostics {
    pub spearman_previous: f64,
    pub spearman_final: f64,
    pub group_overlap_previous: f64,
    pub group_overlap_final: f64,
    pub movement: f64,
    pub common_previous: i32,
    pub common_final: i32,
}

// Section - Calibration (since 0.2)

#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct gi_calibration_goal {
    pub struct_size: usize,
    pub budget: f64,
    pub retention: f64,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct gi_calibration_report {
    pub evaluations: i64,
    pub evaluations_fraction: f64,
    pub retention: f64,
    pub retention_min: f64,
    pub first_prune_step: i32,
    pub num_runs: i32,
}

// Section - One-shot selection

#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct gi_solve_result {
    pub objective: f64,
    pub bound: f64,
    pub gap: f64,
    pub seconds: f64,
    pub status: i32,
    /// `reserved` (always 0) before 0.3.
    pub bound_kind: i32,
    pub nodes: i64,
}

extern "C" {
    // Version
    pub fn gi_version_number() -> i32;
    pub fn gi_version_string() -> *const c_char;

    // Status and errors
    pub fn gi_status_string(status: gi_status) -> *const c_char;
    pub fn gi_last_error() -> *const c_char;

    // Options
    pub fn gi_options_init(options: *mut gi_options, size: usize) -> gi_status;

    // Session
    pub fn gi_session_create(options: *const gi_options, session: *mut *mut gi_session) -> gi_status;
    pub fn gi_session_destroy(session: *mut gi_session);

    // Scorers
    pub fn gi_add_unary_scorer(
        session: *mut gi_session,
        name: *const c_char,
        weight: f64,
        fn_: gi_unary_fn,
        user: *mut c_void,
        destroy: gi_destroy_fn,
        scorer_id: *mut i32,
    ) -> gi_status;
    pub fn gi_add_embedding_scorer(
        session: *mut gi_session,
        name: *const c_char,
        weight: f64,
        dim: usize,
        fn_: gi_embedding_fn,
        user: *mut c_void,
        destroy: gi_destroy_fn,
        scorer_id: *mut i32,
    ) -> gi_status;
    pub fn gi_add_pairwise_scorer(
        session: *mut gi_session,
        name: *const c_char,
        weight: f64,
        fn_: gi_pairwise_fn,
        user: *mut c_void,
        destroy: gi_destroy_fn,
        scorer_id: *mut i32,
    ) -> gi_status;
    pub fn gi_push_unary(
        session: *mut gi_session,
        scorer_id: i32,
        ids: *const i32,
        n: usize,
        scores: *const f64,
    ) -> gi_status;
    pub fn gi_push_embeddings(
        session: *mut gi_session,
        scorer_id: i32,
        ids: *const i32,
        n: usize,
        dim: usize,
        embeddings: *const f32,
    ) -> gi_status;
    pub fn gi_push_pairwise(
        session: *mut gi_session,
        scorer_id: i32,
        ids: *const i32,
        n: usize,
        matrix: *const f64,
    ) -> gi_status;

    // Driving
    pub fn gi_set_denoiser(
        session: *mut gi_session,
        fn_: gi_denoise_fn,
        user: *mut c_void,
        destroy: gi_destroy_fn,
    ) -> gi_status;
    pub fn gi_step(session: *mut gi_session) -> gi_status;
    pub fn gi_prune(session: *mut gi_session, keep: i32) -> gi_status;
    pub fn gi_run(session: *mut gi_session) -> gi_status;
    pub fn gi_discard(session: *mut gi_session, ids: *const i32, n: usize) -> gi_status;

    // Progress and results
    pub fn gi_set_progress(
        session: *mut gi_session,
        fn_: gi_progress_fn,
        user: *mut c_void,
        destroy: gi_destroy_fn,
    ) -> gi_status;
    pub fn gi_get_progress(session: *const gi_session, progress: *mut gi_progress, size: usize) -> gi_status;
    pub fn gi_survivors(session: *const gi_session, ids: *mut i32, capacity: usize, count: *mut usize) -> gi_status;
    pub fn gi_result_ids(session: *const gi_session, ids: *mut i32, capacity: usize, count: *mut usize) -> gi_status;
    pub fn gi_result_unary(
        session: *const gi_session,
        scores: *mut f64,
        capacity: usize,
        count: *mut usize,
    ) -> gi_status;
    pub fn gi_result_pairwise(
        session: *const gi_session,
        matrix: *mut f64,
        capacity: usize,
        count: *mut usize,
    ) -> gi_status;

    // Trace
    pub fn gi_trace_count(session: *const gi_session, count: *mut usize) -> gi_status;
    pub fn gi_trace_record(
        session: *const gi_session,
        index: usize,
        record: *mut gi_step_record,
        size: usize,
    ) -> gi_status;
    pub fn gi_trace_ids(
        session: *const gi_session,
        index: usize,
        ids: *mut i32,
        capacity: usize,
        count: *mut usize,
    ) -> gi_status;
    pub fn gi_trace_kept(
        session: *const gi_session,
        index: usize,
        ids: *mut i32,
        capacity: usize,
        count: *mut usize,
    ) -> gi_status;
    pub fn gi_trace_scores(
        session: *const gi_session,
        index: usize,
        which: i32,
        scores: *mut f64,
        capacity: usize,
        count: *mut usize,
    ) -> gi_status;
    /// Since 0.2.
    pub fn gi_trace_group(
        session: *const gi_session,
        index: usize,
        ids: *mut i32,
        capacity: usize,
        count: *mut usize,
    ) -> gi_status;
    /// Since 0.2.
    pub fn gi_trace_diagnostics(
        session: *const gi_session,
        index: usize,
        which: i32,
        diagnostics: *mut gi_diagnostics,
        size: usize,
    ) -> gi_status;

    // Calibration (since 0.2)
    pub fn gi_calibrate(
        runs: *const *const gi_session,
        num_runs: usize,
        goal: *const gi_calibration_goal,
        survivor_counts: *mut i32,
        capacity: usize,
        step_retention: *mut f64,
        step_overlap: *mut f64,
        report: *mut gi_calibration_report,
        report_size: usize,
    ) -> gi_status;
    pub fn gi_schedule_save(
        path: *const c_char,
        num_candidates: i32,
        group_size: i32,
        num_steps: i32,
        lambda: f64,
        survivor_counts: *const i32,
        report: *const gi_calibration_report,
        report_size: usize,
    ) -> gi_status;
    pub fn gi_schedule_load(
        path: *const c_char,
        num_candidates: *mut i32,
        group_size: *mut i32,
        num_steps: *mut i32,
        lambda: *mut f64,
        survivor_counts: *mut i32,
        capacity: usize,
        count: *mut usize,
    ) -> gi_status;

    // One-shot selection
    pub fn gi_solve_qip(
        n: usize,
        unary: *const f64,
        pairwise: *const f64,
        lambda: f64,
        k: i32,
        options: *const gi_options,
        selection: *mut i32,
        result: *mut gi_solve_result,
        result_size: usize,
    ) -> gi_status;
}
