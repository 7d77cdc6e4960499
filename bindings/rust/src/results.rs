//! What a session reports: progress, the final group, the trace.

use crate::ids::ScorerId;
use crate::sys;

/// How a driving call ([`step`](crate::Session::step),
/// [`prune`](crate::Session::prune), [`run`](crate::Session::run)) or a
/// one-shot solve ended when it did not fail.
///
/// The C library's `GI_WARNING` (an exact solve stopped at its time limit
/// before proving optimality) is not an error: the group was chosen and is
/// usable. It maps to `Ok(Outcome::Unproven)`; the trace records (or
/// [`QipSolution::status`]) give the gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Done; every exact solve in it was proven (or none was asked for).
    Complete,
    /// Done, but an exact solve hit its time limit (`GI_WARNING`).
    Unproven,
}

impl Outcome {
    pub fn is_unproven(self) -> bool {
        self == Outcome::Unproven
    }

    pub(crate) fn from_warning(warning: bool) -> Outcome {
        if warning {
            Outcome::Unproven
        } else {
            Outcome::Complete
        }
    }
}

/// How one selection was solved (`gi_solve_status`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SolveStatus {
    /// Nothing was selected (every candidate kept).
    None,
    /// Proven optimal.
    Optimal,
    /// Stopped when the gap fell to `mip_gap`.
    GapLimit,
    /// Stopped at the time limit; see the gap.
    TimeLimit,
    /// Heuristic only; the gap comes from a cheap bound.
    Heuristic,
    /// A value this binding does not know (a newer library).
    Unknown(i32),
}

impl SolveStatus {
    pub fn from_code(code: i32) -> SolveStatus {
        match code {
            sys::GI_SOLVE_NONE => SolveStatus::None,
            sys::GI_SOLVE_OPTIMAL => SolveStatus::Optimal,
            sys::GI_SOLVE_GAP_LIMIT => SolveStatus::GapLimit,
            sys::GI_SOLVE_TIME_LIMIT => SolveStatus::TimeLimit,
            sys::GI_SOLVE_HEURISTIC => SolveStatus::Heuristic,
            other => SolveStatus::Unknown(other),
        }
    }

    pub fn code(self) -> i32 {
        match self {
            SolveStatus::None => sys::GI_SOLVE_NONE,
            SolveStatus::Optimal => sys::GI_SOLVE_OPTIMAL,
            SolveStatus::GapLimit => sys::GI_SOLVE_GAP_LIMIT,
            SolveStatus::TimeLimit => sys::GI_SOLVE_TIME_LIMIT,
            SolveStatus::Heuristic => sys::GI_SOLVE_HEURISTIC,
            SolveStatus::Unknown(code) => code,
        }
    }
}

/// Which bound a solve reports (`gi_bound_kind`). Since 0.3.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BoundKind {
    /// No bound is known (`bound` is `None`).
    None,
    /// The problem needed no search (K = n, K = 1, λ = 0): the bound is the
    /// optimum.
    Trivial,
    /// The O(n²) bound: unary plus the best K−1 pair values per item.
    Cheap,
    /// The concave relaxation of the branch and bound.
    Relaxation,
    /// GLPK's LP bound.
    Mip,
    /// A value this binding does not know (a newer library).
    Unknown(i32),
}

impl BoundKind {
    pub fn from_code(code: i32) -> BoundKind {
        match code {
            sys::GI_BOUND_NONE => BoundKind::None,
            sys::GI_BOUND_TRIVIAL => BoundKind::Trivial,
            sys::GI_BOUND_CHEAP => BoundKind::Cheap,
            sys::GI_BOUND_RELAXATION => BoundKind::Relaxation,
            sys::GI_BOUND_MIP => BoundKind::Mip,
            other => BoundKind::Unknown(other),
        }
    }

    pub fn code(self) -> i32 {
        match self {
            BoundKind::None => sys::GI_BOUND_NONE,
            BoundKind::Trivial => sys::GI_BOUND_TRIVIAL,
            BoundKind::Cheap => sys::GI_BOUND_CHEAP,
            BoundKind::Relaxation => sys::GI_BOUND_RELAXATION,
            BoundKind::Mip => sys::GI_BOUND_MIP,
            BoundKind::Unknown(code) => code,
        }
    }
}

pub(crate) fn known(x: f64) -> Option<f64> {
    if x.is_nan() {
        None
    } else {
        Some(x)
    }
}

/// Where a session stands (`gi_progress`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Denoising steps completed.
    pub steps_done: i32,
    /// T.
    pub num_steps: i32,
    /// Candidates still in play.
    pub alive: i32,
    /// The final group is chosen.
    pub done: bool,
    /// Survivors the schedule keeps after the next step (`alive` if it does
    /// not prune).
    pub keep_after_next: i32,
    /// The next step reads scores: a host-driven loop pushes them first.
    pub scores_needed: bool,
    /// The last step's scoring failed; the next step retries it.
    pub retry_pending: bool,
    /// Trace records so far.
    pub num_records: i32,
    /// Model evaluations spent: candidates denoised, summed over steps.
    pub evaluations: i64,
    /// M × T: denoising every candidate.
    pub naive_evaluations: i64,
    /// The final group's objective; `None` until done.
    pub objective: Option<f64>,
    /// How the latest trace record was solved ([`SolveStatus::None`] before
    /// any). Since 0.3.
    pub last_solve_status: SolveStatus,
    /// Candidates removed by [`Session::discard`](crate::Session::discard)
    /// so far. Since 0.3.
    pub discarded: i32,
    /// The latest record's scoring time in seconds (0 before any). Since 0.3.
    pub last_seconds_scoring: f64,
    /// The latest record's solving time in seconds (0 before any). Since 0.3.
    pub last_seconds_solving: f64,
    /// Wall time of the latest completed step - denoiser, scoring, solving -
    /// in seconds (0 before any). Since 0.3.
    pub last_step_seconds: f64,
}

impl From<sys::gi_progress> for Progress {
    fn from(p: sys::gi_progress) -> Progress {
        Progress {
            steps_done: p.steps_done,
            num_steps: p.num_steps,
            alive: p.alive,
            done: p.done != 0,
            keep_after_next: p.keep_after_next,
            scores_needed: p.scores_needed != 0,
            retry_pending: p.retry_pending != 0,
            num_records: p.num_records,
            evaluations: p.evaluations,
            naive_evaluations: p.naive_evaluations,
            objective: known(p.objective),
            last_solve_status: SolveStatus::from_code(p.last_solve_status),
            discarded: p.discarded,
            last_seconds_scoring: p.last_seconds_scoring,
            last_seconds_solving: p.last_seconds_solving,
            last_step_seconds: p.last_step_seconds,
        }
    }
}

/// The final group, once a session is done.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub struct GroupResult {
    /// The K chosen ids, ascending.
    pub ids: Vec<i32>,
    /// Their combined unary scores, in the order of `ids`.
    pub unary: Vec<f64>,
    /// Their combined pairwise scores, K × K row-major, zero diagonal.
    pub pairwise: Vec<f64>,
    /// The group's objective: Σ unary + λ Σ_{i<j} pairwise.
    pub objective: f64,
    /// Model evaluations spent.
    pub evaluations: i64,
    /// M × T: what denoising every candidate would have cost.
    pub naive_evaluations: i64,
}

impl GroupResult {
    /// `pairwise[i][j]` for positions `i`, `j` in `ids`.
    pub fn pair(&self, i: usize, j: usize) -> f64 {
        self.pairwise[i * self.ids.len() + j]
    }
}

/// One scoring of the survivors - every prune, the final choice, and with
/// `trace_every_step` every step - or one [`Session::discard`](crate::Session::discard).
///
/// A discard record scores nothing: `ids` are the discarded ids, `kept` the
/// survivors after it, `scores`, `unary`, `diversity` and `group` are empty,
/// `status` is [`SolveStatus::None`] and `objective` is NaN.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The step whose previews were scored (-1: before the first step).
    pub step: i32,
    /// The ids scored (the ids discarded, in a discard record), ascending.
    pub ids: Vec<i32>,
    /// The ids kept, ascending.
    pub kept: Vec<i32>,
    /// The best group of K under this record's scores, ascending: the kept
    /// ids when the record kept K; otherwise known only in detail mode
    /// (`trace_every_step`, or [`Schedule::Adaptive`](crate::Schedule::Adaptive)),
    /// else empty. Since 0.2.
    ///
    /// *Experimental*: may change during 0.x (see [the crate docs](crate#experimental)).
    pub group: Vec<i32>,
    /// Per scorer (indexed by [`ScorerId::index`](crate::ScorerId::index)):
    /// one raw value per scored id - the unary score, or the mean difference
    /// to the other scored candidates (embedding, pairwise).
    pub scores: Vec<Vec<f64>>,
    /// The combined unary score per scored id, as the solver saw it.
    pub unary: Vec<f64>,
    /// The mean combined pairwise score per scored id to the others.
    pub diversity: Vec<f64>,
    pub status: SolveStatus,
    /// Made by [`Session::prune`](crate::Session::prune).
    pub on_demand: bool,
    /// Chose the final group.
    pub is_final: bool,
    /// Model evaluations spent up to this step.
    pub evaluations: i64,
    /// Of the kept set under this step's scores.
    pub objective: f64,
    /// Upper bound on the best objective, if one is known.
    pub bound: Option<f64>,
    /// (bound - objective) / max(|objective|, 1e-12); 0 when proven.
    pub gap: Option<f64>,
    /// Which bound `bound` is. Since 0.3.
    pub bound_kind: BoundKind,
    pub seconds_scoring: f64,
    pub seconds_solving: f64,
    /// Ids removed by [`Session::discard`](crate::Session::discard) in this
    /// record (then `ids` are those ids); 0 for a scoring. Since 0.3.
    pub discarded: i32,
}

/// The answer of [`solve_qip`](crate::solve_qip).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub struct QipSolution {
    /// The k chosen indices, ascending.
    pub selection: Vec<usize>,
    /// Of the selection, in f64.
    pub objective: f64,
    /// Upper bound on the optimum, if one is known.
    pub bound: Option<f64>,
    /// Which bound `bound` is. Since 0.3.
    pub bound_kind: BoundKind,
    pub gap: Option<f64>,
    /// Wall time of the solve.
    pub seconds: f64,
    pub status: SolveStatus,
    /// Branch-and-bound nodes explored; 0 for the heuristic.
    pub nodes: i64,
    /// `Unproven` when an exact solve hit its time limit (`GI_WARNING`).
    pub outcome: Outcome,
}

/// Which scores of a trace record [`Session::diagnostics`](crate::Session::diagnostics)
/// looks at (the `which` of `gi_trace_diagnostics`).
///
/// *Experimental*: may change during 0.x (see [the crate docs](crate#experimental)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Series {
    /// The combined unary score, as the solver saw it ([`Record::unary`]).
    Unary,
    /// The mean combined pairwise score to the other scored candidates
    /// ([`Record::diversity`]). It is a mean over the scored set, so it also
    /// moves when the set shrinks.
    Diversity,
    /// One scorer's raw values ([`Record::scores`]).
    Scorer(ScorerId),
}

impl Series {
    /// The library's `which`.
    pub fn raw(self) -> i32 {
        match self {
            Series::Unary => sys::GI_TRACE_UNARY,
            Series::Diversity => sys::GI_TRACE_DIVERSITY,
            Series::Scorer(id) => id.raw(),
        }
    }
}

impl From<ScorerId> for Series {
    fn from(id: ScorerId) -> Series {
        Series::Scorer(id)
    }
}

/// How settled one record's scores are (`gi_diagnostics`); `None` where the
/// library reports NaN (not known).
///
/// *Experimental*: may change during 0.x (see [the crate docs](crate#experimental)).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostics {
    /// Spearman rank correlation with the previous record's scores over the
    /// candidates both scored; `None` for the first record or fewer than 3 in
    /// common (or a constant series).
    pub spearman_previous: Option<f64>,
    /// The same against the final record; `None` until the session is done.
    pub spearman_final: Option<f64>,
    /// Share of this record's best group ([`Record::group`]) that was in the
    /// previous record's; `None` unless both are known.
    pub group_overlap_previous: Option<f64>,
    /// Share of this record's best group in the final group; `None` until
    /// done or if the best group is not known.
    pub group_overlap_final: Option<f64>,
    /// Median absolute change of the scores since the previous record;
    /// `None` for the first.
    pub movement: Option<f64>,
    /// Candidates this record and the previous one both scored.
    pub common_previous: i32,
    /// Candidates this record and the final one both scored.
    pub common_final: i32,
}

impl From<sys::gi_diagnostics> for Diagnostics {
    fn from(d: sys::gi_diagnostics) -> Diagnostics {
        Diagnostics {
            spearman_previous: known(d.spearman_previous),
            spearman_final: known(d.spearman_final),
            group_overlap_previous: known(d.group_overlap_previous),
            group_overlap_final: known(d.group_overlap_final),
            movement: known(d.movement),
            common_previous: d.common_previous,
            common_final: d.common_final,
        }
    }
}
