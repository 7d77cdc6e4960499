//! The session: a `gi_session` handle with closures as scorers, denoiser and
//! progress hook (registered in `session/scorers.rs` and `session/hooks.rs`).

use std::fmt;
use std::marker::PhantomData;
use std::mem::size_of;
use std::ptr::{self, NonNull};
use std::sync::{Arc, Mutex};

use crate::callbacks::{self, Failure, FailureSlot};
use crate::error::{check, Error, Status};
use crate::options::Options;
use crate::results::{known, BoundKind, Diagnostics, GroupResult, Outcome, Progress, Record, Series, SolveStatus};
use crate::{check_version, sys};

mod hooks;
mod scorers;

/// One group-inference run: M candidates with stable ids `0..M`, scorers, a
/// denoiser, the pruning schedule, the trace.
///
/// Scorers and the denoiser are closures. The library calls them during
/// [`step`](Session::step), [`prune`](Session::prune) and
/// [`run`](Session::run), on the calling thread, one at a time:
///
/// - unary scorer: `FnMut(step, ids, scores: &mut [f64]) -> CallbackResult`,
///   one score per id, higher is better;
/// - embedding scorer: `FnMut(step, ids, embeddings: &mut [f32]) -> CallbackResult`,
///   `ids.len() * dim` values, row-major; the library turns them into
///   `1 - cos` distances;
/// - pairwise scorer: `FnMut(step, ids, matrix: &mut [f64]) -> CallbackResult`,
///   `ids.len()²` values, row-major, higher is more different;
/// - denoiser: `FnMut(step, ids) -> CallbackResult`: advance these ids by one
///   denoising step and refresh their previews;
/// - progress hook: `FnMut(&Progress) -> ControlFlow<()>`, called by `run`
///   after every step; `Break` stops the run ([`Error::Cancelled`]).
///
/// `step` is the step whose previews are scored (0-based; -1 before the first
/// step); `ids` are ascending and alive. Scorers *fill* a slice the library
/// owns rather than returning a `Vec`: no allocation per call, and the length
/// cannot be wrong. The slice comes pre-filled with NaN, so a value the
/// closure forgets to write fails the call with [`Status::Scores`] naming the
/// candidate. Every written value must be finite.
///
/// A closure's `Err` fails the driving call with [`Error::Callback`]; a panic
/// is caught (it never unwinds into C) and fails it with [`Error::Panic`], and
/// that closure is not called again ([`Error::Poisoned`]). Either way the
/// session stays usable: progress, survivors and the trace can be read, and
/// after an `Err` the next `step` retries what failed.
///
/// Closures may borrow from the environment (`'env`); they are dropped when
/// the session is (or when a denoiser or progress hook is replaced or
/// cleared), exactly once.
///
/// ```no_run
/// use groupinference::{Options, Session};
/// let mut s = Session::new(&Options::default().candidates(16).group_size(4).steps(8))?;
/// s.add_unary_scorer("quality", 1.0, |_step, ids, out| {
///     for (o, id) in out.iter_mut().zip(ids) { *o = 1.0 / (1.0 + *id as f64); }
///     Ok(())
/// })?;
/// s.add_embedding_scorer("look", 1.0, 2, |_step, ids, out| {
///     for (row, id) in out.chunks_mut(2).zip(ids) { row[0] = 1.0; row[1] = *id as f32; }
///     Ok(())
/// })?;
/// s.set_denoiser(|_step, _ids| Ok(()))?;
/// s.run()?;
/// println!("{:?}", s.result()?.ids);
/// # Ok::<(), groupinference::Error>(())
/// ```
pub struct Session<'env> {
    raw: NonNull<sys::gi_session>,
    /// Where the closures' trampolines park an `Err` or a panic for the
    /// driving call to report.
    failures: FailureSlot,
    scorers: usize,
    /// λ of the options it was created with (the C API has no getter).
    lambda: f64,
    /// The closures live as long as the session and may borrow for `'env`.
    _env: PhantomData<&'env ()>,
}

// SAFETY: the library lets a session be used from any thread as long as no
// two threads use it at the same time (group_inference.h, "Conventions");
// `&mut self` on every mutating call and the missing `Sync` guarantee that.
// The callbacks run on the thread that makes the driving call, so every
// closure a session holds is required to be `Send` (see the `add_*`,
// `set_denoiser` and `set_progress` bounds). The last-error text is thread-local and is copied
// on the thread of the failing call, right after it. The failure slot is an
// `Arc<Mutex<..>>` of `Send` data. Not `Sync`: `&Session` on two threads would
// be two concurrent calls (the raw handle keeps it `!Sync`).
unsafe impl Send for Session<'_> {}

impl<'env> Session<'env> {
    /// Creates a session (`gi_session_create`): M candidates, all alive.
    ///
    /// The library checks the options and names what is wrong. A
    /// [`Schedule::File`](crate::Schedule::File) is read here (and only here):
    /// a missing or malformed file, or one for a different M, K or T, fails
    /// with [`Status::Argument`].
    pub fn new(options: &Options) -> Result<Session<'env>, Error> {
        check_version()?;
        if let Some(len) = options.counts_len() {
            // The library reads `steps` entries: a shorter Vec would be read
            // out of bounds.
            if i64::try_from(len).ok() != Some(i64::from(options.steps)) {
                return Err(Error::binding(
                    Status::Argument,
                    format!(
                        "gi_session_create: Schedule::Counts has {len} entries; it needs one per step (steps = {})",
                        options.steps
                    ),
                ));
            }
        }
        let raw_options = options.to_raw()?;
        let mut handle: *mut sys::gi_session = ptr::null_mut();
        // SAFETY: valid pointers; survivor_counts points into `options`, which
        // outlives the call, and holds `steps` entries (checked above);
        // schedule_file is NULL or a NUL-terminated string owned by
        // `raw_options`, alive until the end of this function.
        check(unsafe { sys::gi_session_create(raw_options.as_ptr(), &mut handle) })?;
        let raw = NonNull::new(handle)
            .ok_or_else(|| Error::binding(Status::Internal, "gi_session_create: returned GI_OK and a NULL session"))?;
        Ok(Session { raw, failures: Arc::new(Mutex::new(None)), scorers: 0, lambda: options.lambda, _env: PhantomData })
    }

    /// λ of the options this session was created with.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// The raw handle, for calls the safe layer does not offer. It stays owned
    /// by this session.
    pub fn as_ptr(&self) -> *mut sys::gi_session {
        self.raw.as_ptr()
    }

    /// Removes alive candidates from the survivors without scoring them
    /// (`gi_discard`), e.g. because the worker that held them died. `ids` are
    /// distinct and alive; an empty slice does nothing. Allowed before the
    /// first step, between steps, and while a retry is pending (the retry
    /// then scores the others). Evaluations already spent stay counted; the
    /// trace gets a discard record ([`Record::discarded`]); the schedule
    /// continues from the smaller set.
    ///
    /// Fails with [`Status::Argument`] for an id out of range, pruned or
    /// repeated, or when fewer than K would remain (nothing is removed then),
    /// and with [`Status::State`] once the session is done.
    pub fn discard(&mut self, ids: &[i32]) -> Result<(), Error> {
        // SAFETY: a live handle; ids holds ids.len() values (a dangling but
        // aligned pointer when empty, which the library does not read).
        check(unsafe { sys::gi_discard(self.raw.as_ptr(), ids.as_ptr(), ids.len()) })?;
        Ok(())
    }

    /// Turns the status of a driving call into its result, with the closure's
    /// error or panic if one made it fail.
    fn driven(&mut self, status: sys::gi_status) -> Result<Outcome, Error> {
        let checked = check(status); // copies gi_last_error first
        let failure = callbacks::take(&self.failures);
        match checked {
            Ok(warning) => Ok(Outcome::from_warning(warning)),
            // A scorer or the denoiser failed (GI_ERR_CALLBACK), or the
            // progress hook stopped the run (GI_ERR_CANCELLED): a panic in
            // either is reported as the panic.
            Err(e @ (Error::Library { status: Status::Callback, .. } | Error::Cancelled { .. })) => {
                Err(match (failure, e.message().to_owned()) {
                    (Some(Failure::Err(source)), message) => Error::Callback { message, source },
                    (Some(Failure::Panic(panic)), message) => Error::Panic { message, panic },
                    (Some(Failure::Poisoned(panic)), message) => Error::Poisoned { message, panic },
                    (None, _) => e,
                })
            }
            Err(e) => Err(e),
        }
    }

    fn start_driving(&mut self) {
        callbacks::take(&self.failures);
    }

    /// Completes one denoising step (`gi_step`): calls the denoiser on the
    /// survivors (if set), then - if the schedule prunes after this step or it
    /// is the last - scores them and keeps the best group of the scheduled
    /// size. After a scoring failure the next call retries only the scoring;
    /// after a denoiser failure it calls the denoiser again.
    pub fn step(&mut self) -> Result<Outcome, Error> {
        self.start_driving();
        // SAFETY: a live handle.
        let status = unsafe { sys::gi_step(self.raw.as_ptr()) };
        self.driven(status)
    }

    /// Scores the survivors now and keeps the best `keep` of them, K ≤ keep ≤
    /// alive (`gi_prune`); keep = alive does nothing. Allowed before the first
    /// step (scores then describe the initial noises, step -1) and between
    /// steps.
    pub fn prune(&mut self, keep: i32) -> Result<Outcome, Error> {
        self.start_driving();
        // SAFETY: a live handle.
        let status = unsafe { sys::gi_prune(self.raw.as_ptr(), keep) };
        self.driven(status)
    }

    /// Steps until done (`gi_run`). Needs a denoiser. With a progress hook
    /// ([`set_progress`](Session::set_progress)) it may stop early with
    /// [`Error::Cancelled`]; calling it again continues.
    pub fn run(&mut self) -> Result<Outcome, Error> {
        self.start_driving();
        // SAFETY: a live handle.
        let status = unsafe { sys::gi_run(self.raw.as_ptr()) };
        self.driven(status)
    }

    /// Where the session stands (`gi_get_progress`).
    pub fn progress(&self) -> Result<Progress, Error> {
        let mut p = sys::gi_progress::default();
        // SAFETY: a valid struct of the size we pass.
        check(unsafe { sys::gi_get_progress(self.raw.as_ptr(), &mut p, size_of::<sys::gi_progress>()) })?;
        Ok(p.into())
    }

    /// The alive candidates' ids, ascending (`gi_survivors`).
    pub fn survivors(&self) -> Result<Vec<i32>, Error> {
        // SAFETY (in the closure): a live handle; read_array passes a buffer
        // of `capacity` elements or NULL.
        read_array(|out, cap, count| unsafe { sys::gi_survivors(self.raw.as_ptr(), out, cap, count) })
    }

    /// The final group, once done (`gi_result_*`); [`Status::State`] before.
    pub fn result(&self) -> Result<GroupResult, Error> {
        let s = self.raw.as_ptr();
        // SAFETY (in the closures): as in survivors.
        let ids = read_array(|out, cap, count| unsafe { sys::gi_result_ids(s, out, cap, count) })?;
        let unary = read_array(|out, cap, count| unsafe { sys::gi_result_unary(s, out, cap, count) })?;
        let pairwise = read_array(|out, cap, count| unsafe { sys::gi_result_pairwise(s, out, cap, count) })?;
        let p = self.progress()?;
        Ok(GroupResult {
            ids,
            unary,
            pairwise,
            objective: p.objective.unwrap_or(f64::NAN),
            evaluations: p.evaluations,
            naive_evaluations: p.naive_evaluations,
        })
    }

    /// The number of trace records (`gi_trace_count`).
    pub fn trace_len(&self) -> Result<usize, Error> {
        let mut n = 0usize;
        // SAFETY: a live handle and a valid out-pointer.
        check(unsafe { sys::gi_trace_count(self.raw.as_ptr(), &mut n) })?;
        Ok(n)
    }

    /// Trace record `index` (0-based, in order of scoring), with its ids, kept
    /// ids and scores.
    pub fn record(&self, index: usize) -> Result<Record, Error> {
        let s = self.raw.as_ptr();
        let mut r = sys::gi_step_record::default();
        // SAFETY: a valid struct of the size we pass.
        check(unsafe { sys::gi_trace_record(s, index, &mut r, size_of::<sys::gi_step_record>()) })?;
        // SAFETY (in the closures): as in survivors.
        let ids = read_array(|out, cap, count| unsafe { sys::gi_trace_ids(s, index, out, cap, count) })?;
        let kept = read_array(|out, cap, count| unsafe { sys::gi_trace_kept(s, index, out, cap, count) })?;
        let group = read_array(|out, cap, count| unsafe { sys::gi_trace_group(s, index, out, cap, count) })?;
        let scores_of = |which: i32| {
            read_array(|out, cap, count| unsafe { sys::gi_trace_scores(s, index, which, out, cap, count) })
        };
        let scores = (0..self.scorers).map(|i| scores_of(i as i32)).collect::<Result<Vec<_>, _>>()?;
        Ok(Record {
            step: r.step,
            ids,
            kept,
            group,
            scores,
            unary: scores_of(sys::GI_TRACE_UNARY)?,
            diversity: scores_of(sys::GI_TRACE_DIVERSITY)?,
            status: SolveStatus::from_code(r.solve_status),
            on_demand: r.on_demand != 0,
            is_final: r.is_final != 0,
            evaluations: r.evaluations,
            objective: r.objective,
            bound: known(r.bound),
            gap: known(r.gap),
            bound_kind: BoundKind::from_code(r.bound_kind),
            seconds_scoring: r.seconds_scoring,
            seconds_solving: r.seconds_solving,
            discarded: r.discarded,
        })
    }

    /// Every trace record, in order.
    pub fn records(&self) -> Result<Vec<Record>, Error> {
        (0..self.trace_len()?).map(|i| self.record(i)).collect()
    }

    /// How settled the scores of trace record `index` are
    /// (`gi_trace_diagnostics`), for one [`Series`] of its scores: rank
    /// correlation with the previous record and with the final one, overlap
    /// of the best groups, median movement. Values that are not known (no
    /// previous record, fewer than 3 candidates in common, the session not
    /// done yet, no best group outside detail mode) are `None`.
    ///
    /// ```no_run
    /// # use groupinference::{Options, Series, Session};
    /// # let s = Session::new(&Options::default())?;
    /// for index in 0..s.trace_len()? {
    ///     let d = s.diagnostics(index, Series::Unary)?;
    ///     println!("{index}: rho vs final {:?}, movement {:?}", d.spearman_final, d.movement);
    /// }
    /// # Ok::<(), groupinference::Error>(())
    /// ```
    ///
    /// *Experimental*: may change during 0.x (see [the crate docs](crate#experimental)).
    pub fn diagnostics(&self, index: usize, series: Series) -> Result<Diagnostics, Error> {
        let mut d = sys::gi_diagnostics::default();
        // SAFETY: a live handle and a valid struct of the size we pass.
        check(unsafe {
            sys::gi_trace_diagnostics(self.raw.as_ptr(), index, series.raw(), &mut d, size_of::<sys::gi_diagnostics>())
        })?;
        Ok(d.into())
    }

    /// The number of scorers registered.
    pub fn num_scorers(&self) -> usize {
        self.scorers
    }
}

/// Reads one of the header's output arrays: the count first (NULL array),
/// then the values into a buffer of exactly that size.
pub(crate) fn read_array<T: Copy + Default>(
    mut call: impl FnMut(*mut T, usize, *mut usize) -> sys::gi_status,
) -> Result<Vec<T>, Error> {
    let mut count = 0usize;
    check(call(ptr::null_mut(), 0, &mut count))?;
    let mut values = vec![T::default(); count];
    let mut written = 0usize;
    check(call(values.as_mut_ptr(), values.len(), &mut written))?;
    values.truncate(written);
    Ok(values)
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        // SAFETY: the handle is live and owned; destroy calls the destroy
        // hooks, which drop the closures' boxes.
        unsafe { sys::gi_session_destroy(self.raw.as_ptr()) }
    }
}

impl fmt::Debug for Session<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session").field("handle", &self.raw).field("scorers", &self.scorers).finish()
    }
}
