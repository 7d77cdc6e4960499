//! Session and solver options.

use std::ffi::CString;
use std::mem::{size_of, MaybeUninit};
use std::path::{Path, PathBuf};
use std::ptr;

use crate::error::{Error, Status};
use crate::sys;

/// How the survivor set shrinks.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// From step `first_step` (0-based) on, after every step keep
    /// `max(ceil(n * (1 - ratio)), K)` - the reference schedule. `ratio` in
    /// `[0, 1)`. `first_step = T - 1` selects once, after denoising everyone
    /// (what a calibration run needs, see [`calibrate`](crate::calibrate)).
    Ratio { ratio: f64, first_step: i32 },
    /// Keep `counts[t]` after step `t`: one entry per step, non-increasing,
    /// each in `[K, M]`, the last one `K`.
    Counts(Vec<i32>),
    /// Score the survivors after every step and keep each candidate that
    /// could still join the best group given how much the scores still move,
    /// spending at most `budget` × M·T model evaluations. `budget` is in
    /// `(0, 1]` and must allow at least M + K·(T−1) evaluations (everyone
    /// once, then K per step); the library's default is 0.2. Since 0.2.
    ///
    /// *Experimental*: may change during 0.x (see [the crate docs](crate#experimental)).
    Adaptive { budget: f64 },
    /// The counts of a schedule file written by
    /// [`Calibration::save`](crate::Calibration::save) or
    /// [`save_schedule`](crate::save_schedule), read when the session is
    /// created; the file's M, K and T must be the options'. Since 0.2.
    ///
    /// *Experimental*: may change during 0.x (see [the crate docs](crate#experimental)).
    File(PathBuf),
}

/// Which QIP solver prunes.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Solver {
    /// The heuristic, then the exact search within the time limit where the
    /// size allows.
    Auto,
    /// Branch and bound on concave-relaxation bounds, warm-started by the
    /// heuristic, within the time limit and MIP gap.
    Exact,
    /// Greedy insertion + best-improvement swaps.
    Heuristic,
    /// GLPK branch-and-cut on the strengthened linearisation (the reference
    /// formulation).
    Mip,
}

/// Per-step score normalisation.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Normalize {
    /// Raw scores (the reference behaviour).
    None,
    /// Each scorer z-scored over the candidates scored at that step, before
    /// weighting.
    ZScore,
}

/// Options of a [`Session`](crate::Session).
///
/// `Options::default()` takes the library's defaults (`gi_options_init`:
/// M = 64, K = 4, T = 20, λ = 1, ratio schedule ρ = 0.5 from step 0, auto
/// solver, 0.1 s, gap 0, no normalisation, seed 0, no restarts, 256 MiB for
/// the exact search). Change them with the builder
/// methods; read them from the fields of the same names. The library checks
/// the values when the session is created.
///
/// ```no_run
/// use groupinference::{Options, Schedule, Solver};
/// let options = Options::default()
///     .candidates(64)
///     .group_size(4)
///     .steps(20)
///     .lambda(0.5)
///     .schedule(Schedule::Ratio { ratio: 0.5, first_step: 0 })
///     .solver(Solver::Auto);
/// assert_eq!(options.lambda, 0.5);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// M, 1..=8192.
    pub candidates: i32,
    /// K, 1..=M.
    pub group_size: i32,
    /// T, 1..=100000.
    pub steps: i32,
    /// Weight of the pairwise term, finite.
    pub lambda: f64,
    pub schedule: Schedule,
    pub solver: Solver,
    /// Seconds per exact solve, > 0.
    pub time_limit: f64,
    /// Relative gap at which an exact solve may stop early, in `[0, 1)`.
    pub mip_gap: f64,
    pub normalize: Normalize,
    /// Score the survivors after every step, also steps that do not prune, for
    /// the trace.
    pub trace_every_step: bool,
    /// Seed of the heuristic's restarts.
    pub seed: u64,
    /// Rounds of iterated local search after the heuristic, perturbed by
    /// `seed` (the library accepts 0..=1000000). Since 0.2.
    pub restarts: u32,
    /// Bytes the exact search may keep for open nodes, at least 1 MiB;
    /// beyond it the search stops adding to its open list and continues
    /// depth-first. Since 0.3.
    pub memory_limit: usize,
}

/// The library's defaults, as `gi_options_init` fills them.
pub(crate) fn raw_defaults() -> sys::gi_options {
    let mut raw = MaybeUninit::<sys::gi_options>::zeroed();
    // SAFETY: a valid pointer and the size we compiled. It fails only for NULL
    // or a size below the 0.1 layout, neither of which can happen here.
    let status = unsafe { sys::gi_options_init(raw.as_mut_ptr(), size_of::<sys::gi_options>()) };
    assert_eq!(status, sys::GI_OK, "gi_options_init refused sizeof(gi_options)");
    // SAFETY: zero-initialised, then filled by the library; every field is
    // plain data (the pointers are NULL).
    unsafe { raw.assume_init() }
}

fn solver_from_raw(v: i32) -> Solver {
    match v {
        sys::GI_SOLVER_EXACT => Solver::Exact,
        sys::GI_SOLVER_HEURISTIC => Solver::Heuristic,
        sys::GI_SOLVER_MIP => Solver::Mip,
        _ => Solver::Auto,
    }
}

fn solver_to_raw(s: Solver) -> i32 {
    match s {
        Solver::Auto => sys::GI_SOLVER_AUTO,
        Solver::Exact => sys::GI_SOLVER_EXACT,
        Solver::Heuristic => sys::GI_SOLVER_HEURISTIC,
        Solver::Mip => sys::GI_SOLVER_MIP,
    }
}

impl Default for Options {
    fn default() -> Options {
        let raw = raw_defaults();
        Options {
            candidates: raw.num_candidates,
            group_size: raw.group_size,
            steps: raw.num_steps,
            lambda: raw.lambda,
            schedule: Schedule::Ratio { ratio: raw.prune_ratio, first_step: raw.first_prune_step },
            solver: solver_from_raw(raw.solver),
            time_limit: raw.time_limit,
            mip_gap: raw.mip_gap,
            normalize: if raw.normalize == sys::GI_NORMALIZE_ZSCORE { Normalize::ZScore } else { Normalize::None },
            trace_every_step: raw.trace_every_step != 0,
            seed: raw.seed,
            restarts: u32::try_from(raw.restarts).unwrap_or(0),
            memory_limit: raw.memory_limit,
        }
    }
}

impl Options {
    /// M: candidate noises.
    #[must_use]
    pub fn candidates(mut self, m: i32) -> Self {
        self.candidates = m;
        self
    }
    /// K: the size of the final group.
    #[must_use]
    pub fn group_size(mut self, k: i32) -> Self {
        self.group_size = k;
        self
    }
    /// T: denoising steps.
    #[must_use]
    pub fn steps(mut self, t: i32) -> Self {
        self.steps = t;
        self
    }
    /// λ: weight of the pairwise term.
    #[must_use]
    pub fn lambda(mut self, lambda: f64) -> Self {
        self.lambda = lambda;
        self
    }
    #[must_use]
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = schedule;
        self
    }
    #[must_use]
    pub fn solver(mut self, solver: Solver) -> Self {
        self.solver = solver;
        self
    }
    /// Seconds per exact solve.
    #[must_use]
    pub fn time_limit(mut self, seconds: f64) -> Self {
        self.time_limit = seconds;
        self
    }
    #[must_use]
    pub fn mip_gap(mut self, gap: f64) -> Self {
        self.mip_gap = gap;
        self
    }
    #[must_use]
    pub fn normalize(mut self, normalize: Normalize) -> Self {
        self.normalize = normalize;
        self
    }
    #[must_use]
    pub fn trace_every_step(mut self, on: bool) -> Self {
        self.trace_every_step = on;
        self
    }
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Rounds of iterated local search after the heuristic (default 0).
    #[must_use]
    pub fn restarts(mut self, rounds: u32) -> Self {
        self.restarts = rounds;
        self
    }
    /// Bytes the exact search may keep for open nodes (default 256 MiB).
    #[must_use]
    pub fn memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = bytes;
        self
    }

    /// The C struct, with what its pointers point to. `survivor_counts`
    /// points into `self` and `schedule_file` into the returned value: keep
    /// both alive while the struct is in use.
    pub(crate) fn to_raw(&self) -> Result<RawOptions, Error> {
        let mut raw = raw_defaults();
        let mut file = None;
        raw.num_candidates = self.candidates;
        raw.group_size = self.group_size;
        raw.num_steps = self.steps;
        raw.lambda = self.lambda;
        match &self.schedule {
            Schedule::Ratio { ratio, first_step } => {
                raw.schedule = sys::GI_SCHEDULE_RATIO;
                raw.prune_ratio = *ratio;
                raw.first_prune_step = *first_step;
            }
            Schedule::Counts(counts) => {
                raw.schedule = sys::GI_SCHEDULE_COUNTS;
                raw.survivor_counts = counts.as_ptr();
            }
            Schedule::Adaptive { budget } => {
                raw.schedule = sys::GI_SCHEDULE_ADAPTIVE;
                raw.budget = *budget;
            }
            Schedule::File(path) => {
                let path = c_path("gi_session_create", "Schedule::File", path)?;
                raw.schedule = sys::GI_SCHEDULE_COUNTS;
                raw.survivor_counts = ptr::null();
                // The CString's buffer stays where it is when the CString moves.
                raw.schedule_file = path.as_ptr();
                file = Some(path);
            }
        }
        raw.solver = solver_to_raw(self.solver);
        raw.time_limit = self.time_limit;
        raw.mip_gap = self.mip_gap;
        raw.normalize = match self.normalize {
            Normalize::None => sys::GI_NORMALIZE_NONE,
            Normalize::ZScore => sys::GI_NORMALIZE_ZSCORE,
        };
        raw.trace_every_step = i32::from(self.trace_every_step);
        raw.seed = self.seed;
        raw.memory_limit = self.memory_limit;
        raw.restarts = i32::try_from(self.restarts).map_err(|_| {
            Error::binding(
                Status::Argument,
                format!("gi_session_create: restarts = {} does not fit the C int32_t", self.restarts),
            )
        })?;
        Ok(RawOptions { raw, _file: file })
    }

    /// The number of survivor counts the library will read from `self`;
    /// `None` for the schedules that have no counts in memory.
    pub(crate) fn counts_len(&self) -> Option<usize> {
        match &self.schedule {
            Schedule::Counts(c) => Some(c.len()),
            _ => None,
        }
    }
}

/// A `gi_options` with the C string its `schedule_file` points to.
pub(crate) struct RawOptions {
    pub(crate) raw: sys::gi_options,
    _file: Option<CString>,
}

impl RawOptions {
    pub(crate) fn as_ptr(&self) -> *const sys::gi_options {
        &self.raw
    }
}

/// A path as the NUL-terminated string the C functions take (its bytes as
/// they are on Unix; elsewhere it must be valid Unicode).
pub(crate) fn c_path(function: &str, what: &str, path: &Path) -> Result<CString, Error> {
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = match path.to_str() {
        Some(text) => text.as_bytes().to_vec(),
        None => {
            return Err(Error::binding(
                Status::Argument,
                format!("{function}: {what} '{}' is not valid Unicode", path.display()),
            ))
        }
    };
    CString::new(bytes).map_err(|e| {
        Error::binding(
            Status::Argument,
            format!("{function}: {what} '{}' contains a NUL byte at {}", path.display(), e.nul_position()),
        )
    })
}

/// Options of [`solve_qip`](crate::solve_qip): the solver fields of
/// [`Options`], with the same defaults.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub struct SolveOptions {
    pub solver: Solver,
    /// Seconds for an exact solve, > 0.
    pub time_limit: f64,
    /// Relative gap at which an exact solve may stop early, in `[0, 1)`.
    pub mip_gap: f64,
    /// Seed of the heuristic's restarts.
    pub seed: u64,
    /// Bytes the exact search may keep for open nodes, at least 1 MiB.
    /// Since 0.3.
    pub memory_limit: usize,
}

impl Default for SolveOptions {
    fn default() -> SolveOptions {
        let raw = raw_defaults();
        SolveOptions {
            solver: solver_from_raw(raw.solver),
            time_limit: raw.time_limit,
            mip_gap: raw.mip_gap,
            seed: raw.seed,
            memory_limit: raw.memory_limit,
        }
    }
}

impl SolveOptions {
    #[must_use]
    pub fn solver(mut self, solver: Solver) -> Self {
        self.solver = solver;
        self
    }
    #[must_use]
    pub fn time_limit(mut self, seconds: f64) -> Self {
        self.time_limit = seconds;
        self
    }
    #[must_use]
    pub fn mip_gap(mut self, gap: f64) -> Self {
        self.mip_gap = gap;
        self
    }
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Bytes the exact search may keep for open nodes (default 256 MiB).
    #[must_use]
    pub fn memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = bytes;
        self
    }

    pub(crate) fn to_raw(&self) -> sys::gi_options {
        let mut raw = raw_defaults();
        raw.solver = solver_to_raw(self.solver);
        raw.time_limit = self.time_limit;
        raw.mip_gap = self.mip_gap;
        raw.seed = self.seed;
        raw.memory_limit = self.memory_limit;
        raw
    }
}
